/* orders.h (views): the buyer's ticket pages: the checkout form (embedded in
 * the event page), the order page behind its secret link, the demo card page. */
#ifndef KQ_VIEWS_ORDERS_H
#define KQ_VIEWS_ORDERS_H
#include "web/views/views.h"
#include "core/orders.h"
#include "core/tickets.h"
#include "core/waitlist.h"

/* The ticket choice form of one event date (or of every date: date_id 0).
 * Embedded by the event page, and shown alone by web_orders_checkout when
 * the order is refused (then fe and refill are set: the fields keep what
 * the buyer typed, read back from the request). */
struct orders_form_view {
	const char *event_slug;
	int64_t event_date_id;             /* 0: offers of every date */
	const struct ticket_offer *offers;
	int n_offers;
	const struct ticket_question *questions;
	int n_questions;
	const struct ticket_shop *shop;    /* providers and attendee names */
	const char *voucher_code;          /* the code that revealed hidden types, or NULL */
	const struct field_errors *fe;     /* may be NULL */
	const char *error_key;             /* a refusal not tied to a field (sold out...), or NULL */
	bool refill;                       /* refill fields from the posted form */
	/* A waiting-list offer being bought (the page behind the offer's link):
	 * offers holds only its type on its date, which sells its held seats;
	 * the form carries its token and the buyer's name and address. NULL on
	 * the event page, which then shows the waiting-list form of sold-out types. */
	const struct waitlist_entry *offer;
};
/* Writes the form (a <section> with an h2; the page keeps its one h1).
 * A fresh idempotency key goes into the hidden field "idem". */
void view_orders_checkout_form(struct buf *b, struct request *req, const struct orders_form_view *v);
/* The form alone on a page (after a refused checkout). */
void view_orders_checkout_page(struct buf *b, struct request *req, const char *event_title,
			       const struct orders_form_view *v);

struct orders_show_view {
	const struct order *o;
	const char *transfer_details;      /* the shop's, for a pending transfer; may be NULL */
	bool confirming;                   /* back from the payment page, not confirmed yet */
};
void view_orders_show(struct buf *b, struct request *req, const struct orders_show_view *v);
/* The demo provider's pretend card page, with its "pay" button. */
void view_orders_demo_pay(struct buf *b, struct request *req, const struct order *o);

/* "/commandes/<secret><tail>", in the request's arena. */
const char *view_orders_url(struct request *req, const struct order *o, const char *tail);

#endif
