/* orders.h: the buyer's side of ticketing: checkout, holds, order states, cancellation, refunds.
 *
 * Checkout (orders_checkout) runs in two or three steps, never with a
 * network call inside a transaction:
 *   1. One write transaction validates the request (types, dates, sale
 *      windows, limits per order, visibility, voucher, answers), prices it in
 *      C, takes the seats with a conditional UPDATE per quota
 *      (INVARIANT(quota)), takes the voucher's uses the same way, and writes
 *      the order, its tickets, its answers, its idempotency key and, when
 *      money is due, a payment row 'created' carrying the key the provider
 *      will see. A free order is 'paid' at once; a paid one is 'pending',
 *      holding its seats until hold_until. Everything or nothing is written:
 *      a lost race ("sold out") or any failure leaves no row
 *      (INVARIANT(atomic-checkout), proven by the fault-injection test).
 *   2. The provider is called (Stripe: a Checkout Session, with the
 *      payment's idempotency key), outside any transaction.
 *   3. A second transaction records its answer (session id, redirect URL,
 *      the hold the provider needs) and queues the mail of an offline
 *      payment (transfer reference, pay at the door).
 * A crash between 1 and 3 leaves a pending order whose payment is still
 * 'created': retrying the checkout with the same idempotency key returns
 * that order and redoes 2 and 3 with the same provider key, so the buyer
 * never gets two orders nor two sessions. Left alone, the hold expires and
 * the seats come back.
 *
 * States: pending -> paid | expired | cancelled; paid -> refunded (or
 * cancelled for a free order); expired -> paid when a late payment finds
 * its seats again, else -> refunded. Every transition is a conditional
 * UPDATE on the current state, so the expiry job, a webhook and a
 * cancellation racing on one order make exactly one transition. Seats are
 * given back by every transition out of pending/paid, in the same
 * transaction; so are voucher uses.
 *
 * Field names used in struct field_errors: "tickets", "buyer_name",
 * "buyer_email", "voucher", "provider", "idempotency_key",
 * "tickets.<i>.attendee_name", "tickets.<i>.q<question id>" (i from 0),
 * "name", "email", "quantity".
 * Every function runs its own transactions and must be called outside one. */
#ifndef KQ_ORDERS_H
#define KQ_ORDERS_H
#include "core.h"
#include "payments.h"
#include "tickets.h"

#define ORDERS_NAME_MAX 120          /* buyer and attendee names, characters */
#define ORDERS_ANSWER_MAX 1000       /* characters of a text answer */
#define ORDERS_KEY_MAX 128           /* idempotency key, bytes */
#define ORDERS_TRANSFER_DAYS 7       /* a bank transfer holds the seats this long */
#define ORDERS_WAITLIST_MAX 10       /* seats one waiting-list entry may ask for */

/* ---- checkout ------------------------------------------------------------------------- */

struct checkout_answer {
	int64_t question_id;
	const char *value;           /* text; a choice's label; "yes" / "no" */
};

struct checkout_ticket {
	int64_t ticket_type_id, event_date_id;
	const char *attendee_name;   /* NULL or "" when not given */
	const struct checkout_answer *answers;
	int n_answers;
	/* The list price the buyer was shown: when given and the organiser has
	 * changed the price since, the checkout refuses (TICKETS_PRICE_CHANGED)
	 * rather than charge a price nobody agreed to. */
	bool price_seen;
	int64_t seen_price_cents;
};

struct checkout_request {
	int64_t event_id;
	const struct checkout_ticket *tickets;   /* 1..TICKETS_PER_ORDER_MAX */
	int n_tickets;
	const char *buyer_name;      /* guests; NULL for an account holder: their display name */
	const char *buyer_email;     /* guests; NULL for an account holder: their address */
	const char *voucher_code;    /* NULL or "" */
	const char *waitlist_token;  /* the link of a waiting-list offer, or NULL */
	const char *provider;        /* payments provider name; ignored when the total is 0 */
	const char *idempotency_key; /* required, 8..128 bytes: the form's one-time key */
	const char *lang;            /* "fr" | "en": the mails' language */
	/* Sold by the organisation's box office (who needs ORG_ACT_BOX_OFFICE):
	 * hidden types may be sold, the sale window ends when the date ends,
	 * and with provider "onsite" the money is taken at once (order paid).
	 * The order is not the seller's (account_id 0, sold_by the seller);
	 * buyer_name is the customer's, or NULL for the seller's name;
	 * buyer_email the customer's, or NULL or "" for none: then the
	 * order has no address and no mail is sent about it. */
	bool box_office;
};

struct order_answer {
	int64_t question_id;
	const char *label, *value;
};

struct order_ticket {
	int64_t id, ticket_type_id, event_date_id;
	const char *type_name;
	const char *code;            /* the QR's content: 26 characters, 130 random bits */
	const char *attendee_name;
	int64_t list_price_cents, discount_cents, price_cents;
	int64_t date_starts_at, date_ends_at;
	int64_t checked_in_at;       /* 0: not yet */
	struct order_answer *answers;
	int n_answers;
};

struct order {
	int64_t id;
	const char *code;            /* short reference: "K7QX2M9PAB" */
	const char *secret;          /* the order page: /commandes/<secret> */
	int64_t event_id, org_id, account_id;   /* account_id 0: a guest */
	const char *event_title, *event_slug;
	const char *buyer_name, *buyer_email, *lang;
	const char *status;          /* "pending" | "paid" | "cancelled" | "refunded" | "expired" */
	int64_t total_cents;
	const char *currency;
	const char *provider;        /* "" for a free order */
	int64_t hold_until;          /* pending: seats held until then; else 0 */
	int64_t created_at, paid_at, cancelled_at, expired_at, refunded_at;
	const char *payment_status;  /* "" | "created" | "started" | "captured" | ... */
	const char *payment_reference; /* transfer reference or provider session; "" */
	const char *redirect_url;    /* a started online payment's page; "" */
	const char *refund_status;   /* "" | "pending" | "manual" | "done" | "failed" */
	bool can_buyer_cancel;       /* the shop allows it, now, for this order */
	struct order_ticket *tickets;
	int n_tickets;
};

/* Checks out in->tickets for who (a visitor may buy as a guest). [out] *out
 * (strings in a) is the order: pending with out->redirect_url to send the
 * buyer to (card), or pending with instructions (transfer: payment_reference;
 * on site), or paid (free, or box office). A retry with the same
 * idempotency key and the same request returns the same order.
 * Errors: FORM_INVALID (fe), NOT_FOUND (no such event), TICKETS_NOT_ON_SALE
 * (draft or cancelled event, cancelled or past date, outside the sale
 * window, archived type, type with no quota on that date),
 * TICKETS_ORDER_LIMIT (fe "tickets": min/max per order), TICKETS_VOUCHER_REQUIRED,
 * VOUCHER_INVALID (fe "voucher"), VOUCHER_USED_UP (fe "voucher"),
 * TICKETS_SOLD_OUT, TICKETS_PRICE_CHANGED (a ticket's price_seen differs from
 * its list price now), WAITLIST_OFFER_INVALID, PAYMENT_PROVIDER_UNAVAILABLE
 * (fe "provider"), PAYMENT_FAILED (the provider could not open a payment:
 * the order is cancelled and its seats freed), IDEMPOTENCY_CONFLICT (the
 * key was used for another request), FORBIDDEN (box office without the
 * right), INTERNAL. */
enum kq_err orders_checkout(struct db *db, const struct actor *who,
			    const struct checkout_request *in, struct arena *a,
			    struct field_errors *fe, struct order *out);

/* ---- reading orders -------------------------------------------------------------------------- */

/* The order behind a secret link (the public order page), tickets and
 * answers included. Errors: NOT_FOUND, INTERNAL. */
enum kq_err orders_get_by_secret(struct db *db, struct arena *a, const char *secret,
				 struct order *out);
/* One order for its buyer (who's account) or the organisation's box office
 * or treasurer. Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err orders_get(struct db *db, const struct actor *who, int64_t order_id, struct arena *a,
		       struct order *out);

struct order_filter {
	const char *status;          /* NULL or "": any */
	const char *q;               /* NULL or "": any; else a part of the buyer's name,
				      * address or order code, case-insensitive (ASCII) */
	int limit;                   /* clamped to 1..200 */
	int offset;
};
/* The orders of event_id, newest first, without their tickets, for the box
 * office (ORG_ACT_BOX_OFFICE or ORG_ACT_MONEY). [out] page in a, its length,
 * the number of matches. Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err orders_list(struct db *db, const struct actor *who, int64_t event_id,
			const struct order_filter *f, struct arena *a, struct order **out,
			int *out_n, int64_t *out_total);
/* The same page with each order's tickets, answers, payment and refund, as
 * orders_get gives them, read together. Errors: those of orders_list. */
enum kq_err orders_list_full(struct db *db, const struct actor *who, int64_t event_id,
			     const struct order_filter *f, struct arena *a, struct order **out,
			     int *out_n, int64_t *out_total);
/* who's own orders (account), newest first, without tickets; at most 200.
 * Errors: AUTH_REQUIRED, INTERNAL. */
enum kq_err orders_of_account(struct db *db, const struct actor *who, struct arena *a,
			      struct order **out, int *out_n);

/* A date someone holds tickets for: the private calendar feed and "my tickets". */
struct account_ticket_date {
	int64_t event_id, event_date_id;
	const char *event_title, *event_slug;
	int64_t starts_at, ends_at;
	int n_tickets;
	const char *order_secret;    /* link to the order page */
	const char *order_status;    /* "paid" | "pending" */
};
/* The dates account_id holds live tickets for (paid or pending orders),
 * starting in [from, to), by start. No authorisation: the caller passes
 * the logged-in account or the feed token's. [out] list in a.
 * Errors: INTERNAL. */
enum kq_err orders_account_tickets(struct db *db, int64_t account_id, int64_t from, int64_t to,
				   struct arena *a, struct account_ticket_date **out, int *out_n);

/* The event_dates ids account_id holds live tickets for (paid or pending
 * orders), at most 1000, in a: the agenda's private "my tickets" feed.
 * Errors: INTERNAL. */
enum kq_err orders_account_date_ids(struct db *db, struct arena *a, int64_t account_id,
				    int64_t **out_ids, int *out_n);
/* A ticket (of any order, even cancelled) points at this date: it cannot be
 * deleted, only cancelled. Inside or outside a transaction. */
bool orders_date_has_tickets(struct db *db, int64_t event_date_id);

/* ---- payment --------------------------------------------------------------------------------- */

/* The buyer came back from the provider's page: asks the provider about
 * the order's payment and captures it if it was paid (the webhook may come
 * later). [out] *out_paid (may be NULL). Errors: NOT_FOUND, PAYMENT_FAILED,
 * INTERNAL. */
enum kq_err orders_sync_payment(struct db *db, const char *secret, bool *out_paid);
/* The money of an offline payment arrived: a treasurer (ORG_ACT_MONEY) saw
 * the bank transfer, or the box office (ORG_ACT_BOX_OFFICE) took it at the
 * door. The order becomes paid (an expired one takes its seats again, or its
 * money is listed to refund by hand). Errors: AUTH_REQUIRED, FORBIDDEN,
 * NOT_FOUND, ORDER_STATE (nothing to pay, or an online payment), INTERNAL. */
enum kq_err orders_mark_paid(struct db *db, const struct actor *who, int64_t order_id);
/* Demo mode only: the simulated card page's "pay" button. Errors: NOT_FOUND,
 * PAYMENT_PROVIDER_UNAVAILABLE (not in demo mode, or not a demo payment),
 * ORDER_STATE, INTERNAL. */
enum kq_err orders_demo_pay(struct db *db, const char *secret);

/* What a captured payment does to its order (payments.c calls it). */
extern const struct payment_purpose orders_purpose;

/* ---- cancellation and refunds ------------------------------------------------------------------ */

/* The organisation cancels an order: a pending one (ORG_ACT_BOX_OFFICE) is
 * cancelled; a paid one (ORG_ACT_MONEY) is refunded in full, through its
 * provider or listed to refund by hand. Seats and voucher uses come back.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, ORDER_STATE, INTERNAL. */
enum kq_err orders_cancel(struct db *db, const struct actor *who, int64_t order_id);
/* The buyer cancels from the order page, when the shop allows it and the
 * deadline before the first date has not passed. Errors: NOT_FOUND,
 * ORDER_NOT_CANCELLABLE, ORDER_STATE, INTERNAL. */
enum kq_err orders_cancel_by_buyer(struct db *db, const char *secret);
/* The whole event is cancelled (ORG_ACT_MONEY): every pending and paid order
 * is cancelled or refunded, each in its own transaction (a crash half way
 * is finished by calling again), and the waiting list is closed. Refunds
 * through providers are sent before returning (the job retries failures).
 * [out] *out_orders (may be NULL): orders changed now. Does not change
 * events.status: the events module does. Errors: AUTH_REQUIRED, FORBIDDEN,
 * NOT_FOUND, INTERNAL. */
enum kq_err orders_cancel_event(struct db *db, const struct actor *who, int64_t event_id,
				int *out_orders);

/* ---- the organiser's back office ------------------------------------------------------------- */

#define ORDERS_RESEND_EVERY 60       /* seconds between two resends of one order's tickets */

/* Queues the confirmation mail of a paid order again, to the buyer's
 * address, at most once per ORDERS_RESEND_EVERY seconds per order (a
 * conditional UPDATE, so racing clicks send one). Needs ORG_ACT_BOX_OFFICE
 * or ORG_ACT_MONEY. Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND,
 * ORDER_STATE (not paid), ORDERS_NO_EMAIL (a box-office order without an
 * address), ORDERS_RESEND_TOO_SOON, INTERNAL. */
enum kq_err orders_resend(struct db *db, const struct actor *who, int64_t order_id);

/* Sets the attendee name of ticket_id, which must be of order_id, an order
 * of event_id, pending or paid. Needs ORG_ACT_BOX_OFFICE (box office,
 * owner). name: 1..ORDERS_NAME_MAX characters, one line (trimmed).
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, FORM_INVALID (fe
 * "attendee_name"), ORDER_STATE, INTERNAL. */
enum kq_err orders_ticket_rename(struct db *db, const struct actor *who, int64_t event_id,
				 int64_t order_id, int64_t ticket_id, const char *name,
				 struct field_errors *fe);

/* One line of an order's history, for its organiser. */
struct order_event {
	int64_t at;
	/* "created" | "paid" | "expired" | "cancelled" | "refunded" | "resent"
	 * | "refund_<status>" (a refund written: pending, manual, done, failed)
	 * | "ledger_payment" | "ledger_refund" | "ledger_fee" (money moves) */
	const char *kind;
	int64_t amount_cents;        /* signed for ledger rows; refunds: > 0; else 0 */
	const char *currency, *provider;   /* "" when none */
};
/* The history of order_id, oldest first: its states from the order's
 * times, its refunds, its resends, and its ledger rows for those who may see
 * money (ORG_ACT_MONEY; the box office gets the rest). Needs
 * ORG_ACT_BOX_OFFICE or ORG_ACT_MONEY. [out] list in a.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err orders_history(struct db *db, const struct actor *who, int64_t order_id,
			   struct arena *a, struct order_event **out, int *out_n);

/* ---- background work (jobs/expiry.c) --------------------------------------------------------- */

/* Expires pending orders whose hold passed before now (at most max): state
 * 'expired', seats and voucher uses given back, a mail to the buyer. An
 * online payment that was started is asked about first, so a payment whose
 * webhook is late is kept instead. [out] *out_n (may be NULL).
 * Errors: INTERNAL. */
enum kq_err orders_expire_due(struct db *db, int64_t now, int max, int *out_n);

#endif
