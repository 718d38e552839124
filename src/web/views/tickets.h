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
	 * "question", or "question_delete" with its error under "question-<id>")
	 * and its errors; that form shows the posted values again. */
	const char *failed_form;
	const struct field_errors *fe;
};
void view_tickets_setup(struct buf *b, struct request *req, const struct tickets_setup_view *v);
/* How the forms show a duration: whole hours ("24"), rounded to the nearest.
 * The handler keeps a stored duration when its field comes back as shown. */
const char *view_tickets_hours(struct request *req, int64_t seconds);
/* How the forms show a price: "12,50" (fr) or "12.50" (en), in euros. */
const char *view_tickets_euros(struct request *req, int64_t cents);

/* The edit page of one ticket type, the form filled with its values, or with
 * the posted ones (refill) and their errors after a refusal. */
struct tickets_type_edit_view {
	const struct event *ev;
	const struct ticket_type *t;
	const struct field_errors *fe;       /* may be NULL */
	bool refill;
};
void view_tickets_type_edit(struct buf *b, struct request *req, const struct tickets_type_edit_view *v);
/* "Archive this type?": what happens to its sold tickets, and the button. */
void view_tickets_type_archive(struct buf *b, struct request *req, const struct event *ev,
			       const struct ticket_type *t);

/* The edit page of one quota: name, size, types; and deleting it while it holds no seat. */
struct tickets_quota_edit_view {
	const struct event *ev;
	const struct ticket_quota *q;
	const struct ticket_type *types;     /* the event's, archived included */
	int ntypes;
	const struct field_errors *fe;       /* may be NULL */
	bool refill;
	const char *delete_error_key;        /* a refused deletion, or NULL */
};
void view_tickets_quota_edit(struct buf *b, struct request *req,
			     const struct tickets_quota_edit_view *v);

#endif
