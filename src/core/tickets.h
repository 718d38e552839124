/* tickets.h: what an event sells: ticket types, quotas shared by types, vouchers, questions, shop settings.
 *
 * The organiser side of ticketing (orders.h is the buyer's side). Every
 * change needs ORG_ACT_PUBLISH on the event's organisation (owners and
 * editors build the shop), except the shop's payment settings, which need
 * ORG_ACT_MONEY. Reading what is on sale (tickets_offers, tickets_questions_list,
 * tickets_date_left) is public.
 *
 * Quotas belong to one date of an event (event_dates.id) and may be shared
 * by several types; a type may count in several quotas of a date. A sale
 * takes one seat per ticket in every quota of its type on its date, inside
 * the order's transaction (INVARIANT(quota), orders.c). A type that has no
 * quota on a date is not for sale on that date.
 *
 * Serialisation: every path that reads the quota links of a type and then
 * changes ticket_quotas.sold (checkout, expiry, cancellation, waiting-list
 * offers, quota edits) first takes the row lock of each ticket type involved,
 * in id order (an UPDATE that changes nothing, since SELECT ... FOR UPDATE is
 * not portable), then the quota rows in id order. On PostgreSQL, a quota edit
 * that links a type therefore waits for checkouts of that type in flight and
 * then recounts what they sold; on SQLite, BEGIN IMMEDIATE already serialises
 * all of it. Fixed lock order: no deadlock between these paths.
 *
 * Field names used in struct field_errors: "name", "description", "price",
 * "sale_starts_at", "sale_ends_at", "min_per_order", "max_per_order",
 * "visibility", "size", "types", "code", "kind", "amount", "max_uses",
 * "valid_until", "label", "options", "providers", "attendee_names",
 * "cancel_deadline", "offer_ttl", "transfer_details".
 * Every function runs its own transactions and must be called outside one. */
#ifndef KQ_TICKETS_H
#define KQ_TICKETS_H
#include "core.h"

#define TICKETS_NAME_MAX 120             /* characters */
#define TICKETS_DESCRIPTION_MAX 2000
#define TICKETS_PRICE_MAX 10000000       /* cents: 100 000 EUR */
#define TICKETS_PER_ORDER_MAX 50         /* tickets in one order, all types */
#define TICKETS_QUOTA_MAX 1000000
#define TICKETS_QUOTA_TYPES_MAX 32
#define TICKETS_VOUCHER_CODE_MAX 40
#define TICKETS_QUESTION_OPTIONS_MAX 30
#define TICKETS_CURRENCY "EUR"

/* ---- shop settings ------------------------------------------------------------------- */

struct ticket_shop {
	int64_t event_id;
	const char *currency;          /* "EUR" */
	const char *providers;         /* comma-separated: "onsite,transfer,stripe" */
	bool buyer_can_cancel;
	int64_t cancel_deadline;       /* seconds before the date's start; >= 0 */
	const char *attendee_names;    /* "off" | "optional" | "required" */
	bool waiting_list;
	int64_t offer_ttl;             /* seconds a waiting-list offer holds its seats; 600..7 days */
	const char *transfer_details;  /* shown to buyers paying by transfer (IBAN, holder) */
};

/* The settings of event_id (the defaults when never set). Errors: NOT_FOUND, INTERNAL. */
enum kq_err tickets_shop_get(struct db *db, struct arena *a, int64_t event_id,
			     struct ticket_shop *out);
/* Replaces the settings of event_id with *in (in->event_id ignored). Needs
 * ORG_ACT_MONEY. Unknown providers are refused; known ones that are off in
 * this process are kept (and not offered). Errors: AUTH_REQUIRED, FORBIDDEN,
 * NOT_FOUND, FORM_INVALID (fe), INTERNAL. */
enum kq_err tickets_shop_set(struct db *db, const struct actor *who, int64_t event_id,
			     const struct ticket_shop *in, struct field_errors *fe);
/* provider is listed in shop->providers. */
bool tickets_shop_offers(const struct ticket_shop *shop, const char *provider);

/* ---- ticket types ---------------------------------------------------------------------- */

struct ticket_type {
	int64_t id, event_id;
	const char *name, *description;
	int64_t price_cents;
	const char *currency;
	int64_t sale_starts_at, sale_ends_at;   /* 0: open */
	int min_per_order, max_per_order;
	const char *visibility;                 /* "public" | "voucher_only" | "hidden" */
	int position;
	bool is_archived;
	/* Filled by tickets_types_list only (0 elsewhere): its waiting list over
	 * every date, entries still waiting and the seats they ask for, and the
	 * seats offered to them now. */
	int64_t waiting, waiting_seats, offered_seats;
};

/* Input of create and update (update replaces every field). */
struct ticket_type_input {
	const char *name;              /* 1..120 characters, one line */
	const char *description;       /* <= 2000 characters; NULL: "" */
	int64_t price_cents;           /* 0 (free registration) .. TICKETS_PRICE_MAX */
	int64_t sale_starts_at;        /* 0: on sale at once */
	int64_t sale_ends_at;          /* 0: until the chosen date starts */
	int min_per_order;             /* 0 counts as 1 */
	int max_per_order;             /* 0 counts as 10; <= TICKETS_PER_ORDER_MAX */
	const char *visibility;        /* NULL: "public" */
	int position;
};

/* Errors of both: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, FORM_INVALID (fe), INTERNAL. */
enum kq_err tickets_type_create(struct db *db, const struct actor *who, int64_t event_id,
				const struct ticket_type_input *in, struct arena *a,
				struct field_errors *fe, struct ticket_type *out);
enum kq_err tickets_type_update(struct db *db, const struct actor *who, int64_t type_id,
				const struct ticket_type_input *in, struct arena *a,
				struct field_errors *fe, struct ticket_type *out);
/* Stops selling a type: deleted when no ticket of it exists, else archived
 * (kept for the orders that hold it). Errors: AUTH_REQUIRED, FORBIDDEN,
 * NOT_FOUND, INTERNAL. */
enum kq_err tickets_type_archive(struct db *db, const struct actor *who, int64_t type_id);
/* Every type of event_id, archived included, by position then id, for the
 * organiser. Needs ORG_ACT_PUBLISH or ORG_ACT_BOX_OFFICE. [out] in a.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err tickets_types_list(struct db *db, const struct actor *who, int64_t event_id,
			       struct arena *a, struct ticket_type **out, int *out_n);
/* One type, any visibility (no authorisation: for core and pages that
 * already hold a right to it). Errors: NOT_FOUND, INTERNAL. */
enum kq_err tickets_type_get(struct db *db, struct arena *a, int64_t type_id,
			     struct ticket_type *out);

/* ---- quotas ---------------------------------------------------------------------------- */

struct ticket_quota {
	int64_t id, event_date_id;
	const char *name;
	int64_t size, sold;            /* sold: seats held by pending and paid orders and offers */
	int64_t *type_ids;
	int n_types;
};

struct ticket_quota_input {
	const char *name;              /* 1..120 characters */
	int64_t size;                  /* 0..TICKETS_QUOTA_MAX */
	const int64_t *type_ids;       /* types of the date's event, 1..TICKETS_QUOTA_TYPES_MAX */
	int n_types;
};

/* Creates a quota on event_date_id counting the given types. Tickets of
 * those types already sold on that date count in it at once.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, FORM_INVALID (fe),
 * TICKETS_QUOTA_BELOW_SOLD (more already sold than size), INTERNAL.
 * [out] *out_id (may be NULL). */
enum kq_err tickets_quota_create(struct db *db, const struct actor *who, int64_t event_date_id,
				 const struct ticket_quota_input *in, struct field_errors *fe,
				 int64_t *out_id);
/* Changes a quota's name, size and types; sold is recounted from the live
 * orders and offers under the types' locks. Errors as create. */
enum kq_err tickets_quota_update(struct db *db, const struct actor *who, int64_t quota_id,
				 const struct ticket_quota_input *in, struct field_errors *fe);
/* Deletes a quota. Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err tickets_quota_delete(struct db *db, const struct actor *who, int64_t quota_id);
/* The same, only while the quota holds no seat (none sold, none offered),
 * checked under the types' locks: the organiser's pages delete a quota
 * nobody uses, so no sold ticket ever loses the count it was sold under.
 * Errors: as tickets_quota_delete, and TICKETS_IN_USE. */
enum kq_err tickets_quota_delete_unused(struct db *db, const struct actor *who, int64_t quota_id);
/* The quotas of every date of event_id, by date then id. Needs
 * ORG_ACT_PUBLISH or ORG_ACT_BOX_OFFICE. Errors as tickets_types_list. */
enum kq_err tickets_quotas_list(struct db *db, const struct actor *who, int64_t event_id,
				struct arena *a, struct ticket_quota **out, int *out_n);

/* ---- what is on sale (public) ------------------------------------------------------------ */

/* One type on one date, as a buyer sees it. */
struct ticket_offer {
	int64_t ticket_type_id, event_date_id;
	int64_t date_starts_at, date_ends_at;
	const char *name, *description;
	int64_t price_cents;
	const char *currency;
	int min_per_order, max_per_order;
	bool needs_voucher;            /* voucher_only (or hidden, revealed by a voucher) */
	bool is_on_sale;               /* inside the sale window now, date not cancelled */
	int64_t left;                  /* seats a buyer could take now (min over its quotas), 0: sold out */
	int64_t waiting;               /* people on its waiting list for that date */
};

/* The offers of event_id: public and voucher-only types (and the hidden type
 * voucher_code unlocks, when given and valid) on every date of the event
 * (event_date_id 0) or on one, by date then position. Draft and cancelled
 * events have none. [out] list in a. Errors: NOT_FOUND, INTERNAL. */
enum kq_err tickets_offers(struct db *db, struct arena *a, int64_t event_id, int64_t event_date_id,
			   const char *voucher_code, struct ticket_offer **out, int *out_n);

/* For the agenda and the event page: the seats still for sale on a date,
 * the sum over its quotas of (size - sold), where a quota whose types are
 * all in another quota of the date (a sub-quota such as "children at most
 * 50" inside "300 seats") is not counted twice. A display figure: checkout
 * is what decides. [out] *out_left, *out_is_ticketed (the date has a quota).
 * Errors: INTERNAL. */
enum kq_err tickets_date_left(struct db *db, int64_t event_date_id, int64_t *out_left,
			      bool *out_is_ticketed);

/* The lowest and highest price of the public types sold on a date (a type
 * counts on a date when it has a quota there). [out] *out_n: how many
 * types; 0 leaves min and max 0. Errors: INTERNAL. */
enum kq_err tickets_date_prices(struct db *db, int64_t event_id, int64_t event_date_id,
				int64_t *out_min, int64_t *out_max, int *out_n);

/* Plugs ticketing into the agenda (core/events.h, struct events_ticket_hooks):
 * tickets left and prices of a date, whether a date has tickets, the dates
 * an account holds tickets for. Call once at start, before threads. */
void tickets_hooks_install(void);

/* ---- vouchers ---------------------------------------------------------------------------- */

struct voucher {
	int64_t id, event_id;
	const char *code;              /* upper-case */
	int64_t ticket_type_id;        /* 0: any type of the event */
	const char *kind;              /* "fixed" | "percent" */
	int64_t amount;                /* cents off each ticket, or percent 0..100 */
	int64_t max_uses;              /* 0: unlimited */
	int64_t used;
	int64_t valid_from, valid_until;   /* 0: open */
	bool is_disabled;
};

struct voucher_input {
	const char *code;              /* 3..40 of A-Z 0-9 - _ (case-insensitive); NULL or "": generated */
	int64_t ticket_type_id;        /* 0: any */
	const char *kind;              /* "fixed" | "percent" */
	int64_t amount;
	int64_t max_uses;              /* 0: unlimited */
	int64_t valid_from, valid_until;
};

/* Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, FORM_INVALID (fe),
 * VOUCHER_CODE_TAKEN (fe "code"), INTERNAL. */
enum kq_err tickets_voucher_create(struct db *db, const struct actor *who, int64_t event_id,
				   const struct voucher_input *in, struct arena *a,
				   struct field_errors *fe, struct voucher *out);
/* The code stops working at once; uses already made stay. */
enum kq_err tickets_voucher_disable(struct db *db, const struct actor *who, int64_t voucher_id);
enum kq_err tickets_vouchers_list(struct db *db, const struct actor *who, int64_t event_id,
				  struct arena *a, struct voucher **out, int *out_n);
/* The live voucher of event_id called code (case-insensitive) at now.
 * Errors: VOUCHER_INVALID (unknown, disabled or outside its validity),
 * INTERNAL. Inside or outside a transaction. */
enum kq_err tickets_voucher_find(struct db *db, struct arena *a, int64_t event_id,
				 const char *code, int64_t now, struct voucher *out);
/* Cents off one ticket of price_cents by v (never more than the price). */
int64_t tickets_voucher_discount(const struct voucher *v, int64_t price_cents);

/* ---- questions ------------------------------------------------------------------------------ */

struct ticket_question {
	int64_t id, event_id;
	int64_t ticket_type_id;        /* 0: every type */
	const char *label;
	const char *kind;              /* "text" | "choice" | "yesno" */
	const char **options;          /* choices of "choice" */
	int n_options;
	bool required;
	int position;
};

struct ticket_question_input {
	const char *label;             /* 1..300 characters */
	const char *kind;
	const char *options;           /* "choice": 2..30 lines, one choice each */
	bool required;
	int64_t ticket_type_id;        /* 0: every type */
	int position;
};

/* Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, FORM_INVALID (fe), INTERNAL. */
enum kq_err tickets_question_create(struct db *db, const struct actor *who, int64_t event_id,
				    const struct ticket_question_input *in, struct arena *a,
				    struct field_errors *fe, struct ticket_question *out);
/* Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, TICKETS_IN_USE (answered), INTERNAL. */
enum kq_err tickets_question_delete(struct db *db, const struct actor *who, int64_t question_id);
/* The questions of event_id by position (public: the checkout form). */
enum kq_err tickets_questions_list(struct db *db, struct arena *a, int64_t event_id,
				   struct ticket_question **out, int *out_n);

/* ---- helpers shared with orders.c ------------------------------------------------------------ */

/* "12,50 €" (fr) or "€12.50" (en), in a. */
const char *tickets_money_format(struct arena *a, int64_t cents, const char *currency,
				 const char *lang);

/* What orders and tickets need to know of an event (read from table events). */
struct ticket_event {
	int64_t id, org_id;
	const char *status, *title, *slug;
};
/* Errors: NOT_FOUND, INTERNAL. Inside or outside a transaction. */
enum kq_err tickets_event_get(struct db *db, struct arena *a, int64_t event_id,
			      struct ticket_event *out);

/* Takes the row lock of each ticket type of ids (sorted, duplicates skipped)
 * in id order. Must run inside a write transaction. */
__attribute__((warn_unused_result))
enum db_status tickets_lock_types(struct db *db, const int64_t *ids, int n);

/* Seats a set of tickets takes, one entry per quota: built by
 * tickets_seats_add, then taken or freed at once. Lives in an arena. */
struct seat_need {
	int64_t quota_id;
	int64_t n;
};
struct seat_needs {
	struct seat_need *v;
	int n, cap;
};
/* Adds n seats of type_id on date_id: n to every quota of that type on that
 * date. [out] *out_n_quotas: how many quotas the pair has (0: the type is
 * not for sale on that date). Inside a transaction. */
__attribute__((warn_unused_result))
enum db_status tickets_seats_add(struct db *db, struct arena *a, struct seat_needs *needs,
				 int64_t type_id, int64_t date_id, int64_t n, int *out_n_quotas);
/* Takes the seats of needs (sorted here by quota id) with a conditional UPDATE
 * each: INVARIANT(quota). [out] *out_ok false when a quota is full; then the
 * seats already taken by this call are given back, so the caller may go on
 * (late-payment reconciliation) or roll back. Inside a write transaction,
 * after tickets_lock_types of the types involved. */
__attribute__((warn_unused_result))
enum db_status tickets_seats_take(struct db *db, struct seat_needs *needs, bool *out_ok);
/* Gives the seats of needs back. A quota with fewer seats sold than given
 * back is our bug: KQ_BUG and DB_HARD. Inside a write transaction. */
__attribute__((warn_unused_result))
enum db_status tickets_seats_free(struct db *db, struct seat_needs *needs);

/* The demo's shops, types and quotas of its ticketed events (tickets_demo.c).
 * Inside the demo transaction, after events_load_demo. Errors: INTERNAL. */
enum kq_err tickets_load_demo(struct db *db);

#endif
