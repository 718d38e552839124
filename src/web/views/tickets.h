/* tickets.h (views): the organiser's ticketing page of an event */
#ifndef KQ_VIEWS_TICKETS_H
#define KQ_VIEWS_TICKETS_H
#include "web/views/views.h"
#include "core/events.h"
#include "core/tickets.h"

struct tickets_setup_view {
	const struct event *ev;
	bool can_publish;                    /* ORG_ACT_PUBLISH: types, quotas, vouchers, questions */
	const struct ticket_shop *shop;      /* NULL: the member may not set payments (ORG_ACT_MONEY) */
	bool demo_on, stripe_on;             /* providers this process offers beside onsite, transfer */
	const struct ticket_type *types;
	int ntypes;
	const struct ticket_quota *quotas;
	int nquotas;
	const struct voucher *vouchers;
	int nvouchers;
	const struct ticket_question *questions;
	int nquestions;
	/* After a refused post: which form ("shop", "type", "quota", "voucher",
	 * "question") and its errors; that form shows the posted values again. */
	const char *failed_form;
	const struct field_errors *fe;
};
void view_tickets_setup(struct buf *b, struct request *req, const struct tickets_setup_view *v);

#endif
