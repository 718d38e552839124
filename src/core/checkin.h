/* checkin.h: tickets scanned at the door, undone, counted, and sold at the door.
 *
 * Every scan is one short write transaction that reads the ticket by its
 * code, decides the result, lets a valid ticket in with a conditional
 * UPDATE (INVARIANT(once-in): two doors scanning one ticket at once get one
 * "valid" and one "already used") and records the scan in table checkins,
 * whatever the result. A refused ticket is a scan that worked: the functions
 * return KQ_OK and say why in out->result. Only the box office
 * (ORG_ACT_BOX_OFFICE) of the event's organisation scans.
 * Every function runs its own transactions and must be called outside one. */
#ifndef KQ_CHECKIN_H
#define KQ_CHECKIN_H
#include "core.h"
#include "orders.h"

#define CHECKIN_GATE_MAX 40          /* characters of a gate name */
#define CHECKIN_CODE_MAX 64          /* bytes of a code worth looking up */
#define CHECKIN_RECENT_MAX 50
#define CHECKIN_NONCE_MAX 64          /* bytes */

enum checkin_result {
	CHECKIN_VALID,               /* let in now */
	CHECKIN_ALREADY_USED,        /* let in before: checked_in_at, gate, by */
	CHECKIN_UNKNOWN,             /* no ticket has this code */
	CHECKIN_WRONG_EVENT,         /* a ticket of another event (other_event_title) */
	CHECKIN_WRONG_DATE,          /* a ticket of another date of this event (date_starts_at) */
	CHECKIN_CANCELLED,           /* its order is cancelled, refunded or expired */
	CHECKIN_UNPAID,              /* its order is pending (see can_pay_at_door) */
};
/* "valid", "already_used", "unknown", "wrong_event", "wrong_date", "cancelled", "unpaid". */
const char *checkin_result_name(enum checkin_result r);

struct checkin_scan_input {
	int64_t event_id;
	int64_t event_date_id;       /* the date the door lets in; 0: any date of the event */
	/* As read (case and surrounding spaces do not matter): a ticket's code, or
	 * an order's reference (this event's only), which stands for the order's
	 * next ticket not let in yet, of the door's date first. */
	const char *code;
	const char *gate;            /* NULL or "": no name; <= CHECKIN_GATE_MAX characters */
	/* NULL or "": none. Else the app's id of this scan (8..64 visible ASCII
	 * characters): the same nonce again, even concurrently, is answered as
	 * the first time (same result and scan_id) and records nothing more. */
	const char *nonce;
};

struct checkin_outcome {
	enum checkin_result result;
	int64_t scan_id;             /* the checkins row of this scan */
	/* The ticket (all zero / "" when unknown). */
	int64_t ticket_id, order_id, event_date_id;
	int64_t date_starts_at;      /* the ticket's date: wrong_date says which */
	const char *type_name, *attendee_name, *buyer_name, *order_code, *order_status;
	const char *order_provider;  /* "onsite", "transfer", ... ("" for a free order) */
	int64_t order_total_cents;
	const char *currency;
	/* When, where and by whom it was let in (valid: now, here, who). */
	int64_t checked_in_at;
	const char *checked_in_gate, *checked_in_by;
	const char *other_event_title;  /* wrong_event: "" when that event is not public */
	/* unpaid: the order is paid on site or by transfer and who may take the
	 * money (checkin_pay_and_scan). */
	bool can_pay_at_door;
};

/* The shapes checkin_scan accepts: a gate name (<= CHECKIN_GATE_MAX
 * characters of one-line text) and a nonce (see checkin_scan_input). */
bool checkin_gate_ok(const char *gate);
bool checkin_nonce_ok(const char *nonce);

/* Scans in->code at the door of in->event_id. [out] *out (strings in a).
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND (no such event, or
 * in->event_date_id is not one of its dates), FORM_INVALID (gate name too
 * long or not text, nonce malformed), INTERNAL. */
enum kq_err checkin_scan(struct db *db, const struct actor *who, const struct checkin_scan_input *in,
			 struct arena *a, struct checkin_outcome *out);

/* "Encaisser et valider": the ticket's order is pending, paid on site or by
 * transfer: the money is taken at the door (orders_mark_paid, its own
 * transaction), then the ticket is scanned as by checkin_scan. With a nonce
 * (the form's), the same request sent again gets its first answer and pays
 * nothing more. Errors: those of checkin_scan, TICKETS_NOT_VALID (the code is
 * not an unpaid ticket of this event that may be paid at the door), and
 * those of orders_mark_paid. */
enum kq_err checkin_pay_and_scan(struct db *db, const struct actor *who,
				 const struct checkin_scan_input *in, struct arena *a,
				 struct checkin_outcome *out);

/* Takes back the valid scan scan_id of event_id (a mistake at the door): the
 * ticket may enter again; an "undone" row is recorded. Only the ticket's
 * latest valid scan, while it still holds, can be undone.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, CHECKIN_NOT_UNDOABLE, INTERNAL. */
enum kq_err checkin_undo(struct db *db, const struct actor *who, int64_t event_id, int64_t scan_id,
			 const char *gate);

struct checkin_gate_count {
	const char *gate;            /* "" for scans without a gate name */
	int64_t arrived;
};
struct checkin_counts {
	int64_t expected;            /* tickets of paid orders */
	int64_t arrived;             /* of those, let in */
	struct checkin_gate_count *gates;   /* by gate name */
	int ngates;
};
/* Counts of event_date_id (0: every date of event_id), in one read. Needs
 * ORG_ACT_BOX_OFFICE. [out] *out in a. Errors: AUTH_REQUIRED, FORBIDDEN,
 * NOT_FOUND, INTERNAL. */
enum kq_err checkin_counts(struct db *db, const struct actor *who, int64_t event_id,
			   int64_t event_date_id, struct arena *a, struct checkin_counts *out);

/* The counts a scan's answer carries (the API's, one per scan at the
 * door rush): arrived counted now (tickets let in, whatever became of
 * their order since), expected at most a few seconds old (kept per
 * process). event_date_id 0: every date of event_id. gates are not filled.
 * Errors: as checkin_counts. */
enum kq_err checkin_scan_counts(struct db *db, const struct actor *who, int64_t event_id,
				int64_t event_date_id, struct arena *a, struct checkin_counts *out);

struct checkin_scan_row {
	int64_t id;
	const char *result;          /* checkins.result, "undone" included */
	int64_t scanned_at;
	const char *code, *type_name, *attendee_name, *buyer_name;
	bool can_undo;               /* the ticket's latest valid scan, still holding */
};
/* The last scans (at most limit, <= CHECKIN_RECENT_MAX) at gate of event_id,
 * newest first. Needs ORG_ACT_BOX_OFFICE. [out] list in a.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err checkin_recent(struct db *db, const struct actor *who, int64_t event_id,
			   const char *gate, int limit, struct arena *a,
			   struct checkin_scan_row **out, int *out_n);

/* A sale at the door: a box-office order (orders_checkout with box_office,
 * provider "onsite": paid at once) of quantity tickets of type_id for
 * event_date_id, for buyer_name (NULL or "": the seller's name); with
 * enter_now every ticket is then scanned in at gate. [out] *out is the order
 * (out->total_cents is what to take). Errors: those of orders_checkout
 * (fe "quantity" / "tickets" / "buyer_name"), INTERNAL. */
struct checkin_sale {
	int64_t event_id, event_date_id, type_id;
	int quantity;
	const char *buyer_name;
	const char *idempotency_key; /* the form's one-time key */
	bool enter_now;
	const char *gate;
	const char *lang;
};
enum kq_err checkin_sell(struct db *db, const struct actor *who, const struct checkin_sale *in,
			 struct arena *a, struct field_errors *fe, struct order *out);

#endif
