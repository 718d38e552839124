/* attendees.h (views): the organiser's participants page of an event (sales
 * report, manual order, orders by pages), the page of one order, and the
 * confirmation pages of cancelling an order or the whole event */
#ifndef KQ_VIEWS_ATTENDEES_H
#define KQ_VIEWS_ATTENDEES_H
#include "web/views/views.h"
#include "core/events.h"
#include "core/orders.h"
#include "core/sales.h"

struct attendees_view {
	const struct event *ev;
	const struct order *orders;          /* newest first, tickets and answers loaded */
	int norders;
	int64_t total_orders;                /* matches of the filter, may exceed norders */
	const struct sales_report *report;   /* NULL in the CSV */
	const char *status, *q;              /* the filter: "" for any */
	int page, npages;                    /* from 1 */
	/* The manual-order form, for the box office (can_sell). */
	bool can_sell;
	const struct ticket_type *types;
	int ntypes;
	const struct field_errors *fe;       /* a refused manual order */
	const char *error_key;               /* its reason, when not a field's */
	bool refill;                         /* show what was typed */
};
void view_attendees(struct buf *b, struct request *req, const struct attendees_view *v);
/* One CSV field of the exports (this one and memberships'): a leading = + - @
 * tab or CR gets an apostrophe, quoted when it holds ; " CR or LF; then ';',
 * or CRLF when last. */
void view_csv_field(struct buf *b, const char *s, bool last);
/* The tickets of v as CSV (UTF-8 BOM, ';', RFC 4180 quoting, formulas neutralised). */
void view_attendees_csv(struct buf *b, struct request *req, const struct attendees_view *v);
/* Confirmation before cancelling the event. */
void view_attendees_cancel_event(struct buf *b, struct request *req, const struct event *ev);

struct attendees_order_view {
	const struct event *ev;
	const struct order *o;               /* tickets and answers loaded */
	const struct order_event *history;
	int nhistory;
	bool can_money;                      /* cancel a paid order; amounts in the history */
	bool can_rename;
	int64_t rename_ticket_id;            /* a refused rename: its ticket, and fe */
	const struct field_errors *fe;
};
void view_attendees_order(struct buf *b, struct request *req, const struct attendees_order_view *v);
/* Confirmation before cancelling o: what_key says what will happen, NULL
 * when o can no longer be cancelled (no form then). */
void view_attendees_cancel_order(struct buf *b, struct request *req, const struct event *ev,
				 const struct order *o, const char *what_key);

#endif
