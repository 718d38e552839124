/* waitlist.h: the waiting list of a sold-out ticket type. Every function runs its own transactions. */
#ifndef KQ_WAITLIST_H
#define KQ_WAITLIST_H
#include "orders.h"

/* ---- waiting list --------------------------------------------------------------------------- */

struct waitlist_request {
	int64_t event_date_id, ticket_type_id;
	const char *name, *email;    /* NULL for an account holder: theirs */
	int quantity;                /* 1..ORDERS_WAITLIST_MAX */
	const char *lang;
};

struct waitlist_entry {
	int64_t id, event_id, event_date_id, ticket_type_id;
	const char *name, *email, *lang;
	int quantity;
	const char *status;          /* "waiting" | "offered" | "used" | "expired" | "left" | "cancelled" */
	const char *token;           /* the secret of its links */
	int64_t offer_expires_at;    /* offered: until then */
	int64_t position;            /* waiting: 1 = next */
	bool is_existing;            /* waitlist_join: the address already had this entry */
};

/* who (or a guest) joins the waiting list of a type on a date; only when
 * that type cannot sell quantity seats there now. A new entry is confirmed
 * by mail with its link (to see the place in line, or leave). The same
 * address twice gets its existing entry back with out->is_existing set and
 * no mail: a page must then not show its link to whoever typed the address.
 * [out] *out (strings in a).
 * Errors: FORM_INVALID (fe), NOT_FOUND, TICKETS_NOT_ON_SALE,
 * WAITLIST_CLOSED (the shop has no waiting list), WAITLIST_NOT_SOLD_OUT,
 * INTERNAL. */
enum kq_err waitlist_join(struct db *db, const struct actor *who,
				 const struct waitlist_request *in, struct arena *a,
				 struct field_errors *fe, struct waitlist_entry *out);
/* The entry behind a link. Errors: WAITLIST_OFFER_INVALID, INTERNAL. */
enum kq_err waitlist_get(struct db *db, struct arena *a, const char *token,
				struct waitlist_entry *out);
/* Leaves the list; an offer's seats come back. Errors: WAITLIST_OFFER_INVALID, INTERNAL. */
enum kq_err waitlist_leave(struct db *db, const char *token);
/* Expires offers past their time (seats back), then offers free seats to
 * the next people waiting, in the order they joined (an entry whose quantity
 * does not fit keeps its place and the next one is served): seats held for
 * them, a mail with the link. [out] *out_offered (may be NULL).
 * Errors: INTERNAL. */
enum kq_err waitlist_run(struct db *db, int64_t now, int *out_offered);

/* Closes one entry ('left' or 'cancelled'); an offer's seats come back.
 * Errors: INTERNAL. */
enum kq_err waitlist_close_entry(struct db *db, int64_t entry_id, const char *new_status);
/* The event is cancelled: every waiting or offered entry is cancelled, each
 * in its own transaction. Errors: INTERNAL. */
enum kq_err waitlist_close_event(struct db *db, int64_t event_id);

/* Inside a transaction: someone waits for ticket_type_id on event_date_id, so
 * freed seats are theirs before a new buyer's. [out] *out. Steps through
 * faults_step (the checkout's fault-injection test covers it). */
enum db_status waitlist_anyone_waiting(struct db *db, int64_t ticket_type_id, int64_t event_date_id,
				      bool *out);

#endif
