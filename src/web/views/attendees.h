/* attendees.h (views): the organiser's participants page of an event and
 * the confirmation page of cancelling the whole event */
#ifndef KQ_VIEWS_ATTENDEES_H
#define KQ_VIEWS_ATTENDEES_H
#include "web/views/views.h"
#include "core/events.h"
#include "core/orders.h"

struct attendees_view {
	const struct event *ev;
	const struct order *orders;          /* newest first, tickets and answers loaded */
	int norders;
	int64_t total_orders;                /* matches, may exceed norders */
	int tickets_sold;                    /* tickets of paid and pending orders */
	int tickets_paid;                    /* tickets of paid orders */
	int64_t revenue_cents;               /* total of paid orders */
	const char *currency;
};
void view_attendees(struct buf *b, struct request *req, const struct attendees_view *v);
/* The tickets of v as CSV (UTF-8 BOM, ';', RFC 4180 quoting, formulas neutralised). */
void view_attendees_csv(struct buf *b, struct request *req, const struct attendees_view *v);
/* Confirmation before cancelling the event. */
void view_attendees_cancel_event(struct buf *b, struct request *req, const struct event *ev);

#endif
