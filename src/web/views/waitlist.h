/* waitlist.h (views): the waiting list of sold-out ticket types: the form to
 * join it (under the event page's ticket form), and the page behind an
 * entry's link (waiting, offered, closed) with its "leave" confirmation. */
#ifndef KQ_VIEWS_WAITLIST_H
#define KQ_VIEWS_WAITLIST_H
#include "web/views/orders.h"

/* The join form for the sold-out types of v (nothing when the shop has no
 * waiting list or nothing is sold out), in a <section> with an h2. fe after
 * a refused post (fields "wl_offer", "wl_quantity", "wl_name", "wl_email"):
 * then the fields keep what was typed; NULL otherwise. */
void view_waitlist_join_form(struct buf *b, struct request *req, const struct orders_form_view *v,
			     const struct field_errors *fe);
/* The join form alone on a page, after a refused post: error_key is a refusal
 * not tied to a field (no longer sold out, no waiting list...), or NULL. */
void view_waitlist_join_page(struct buf *b, struct request *req, const char *event_title,
			     const struct orders_form_view *v, const struct field_errors *fe,
			     const char *error_key);
/* A guest typed an address already on the list: its link went to that address. */
void view_waitlist_already(struct buf *b, struct request *req, const char *event_title,
			   const char *event_slug);

struct waitlist_view {
	const struct waitlist_entry *w;
	const char *event_title, *event_slug, *type_name;
	int64_t date_starts_at;                  /* 0: unknown */
	const struct orders_form_view *checkout; /* offered and still for sale: the form buying it */
};
/* /liste-attente/<token>: the place in line, the offer and its form, or why it is closed. */
void view_waitlist_show(struct buf *b, struct request *req, const struct waitlist_view *v);
/* "Leave the waiting list?" and its button. */
void view_waitlist_leave(struct buf *b, struct request *req, const struct waitlist_view *v);

#endif
