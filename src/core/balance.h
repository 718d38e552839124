/* balance.h: an organisation's money for its treasurer: in, back, fees, net and owed, by source and by method, reconciled with the book.
 *
 * Who sees it: owners and treasurers (ORG_ACT_MONEY). Everything comes from
 * grouped statements over the ledger (ledger.h), each row joined to its
 * payment to find what it paid for: a ticket order (its event), a campaign
 * contribution (its campaign), a membership or a donation. A row whose
 * payment is none of those counts as "other", so no row is ever lost.
 *
 * Payouts. Money paid online (providers "stripe" and "demo") is collected
 * on the platform's account; money paid on site or by transfer goes straight
 * to the association. So the platform owes each organisation the net of its
 * online money (payment, refund and fee rows of those providers) minus what
 * it already paid out; a platform admin records each payout (a payouts row
 * and one ledger row of kind 'payout'). Payouts are not income: the sources
 * and methods leave them out, the page shows them in a section of their own.
 *
 * INVARIANT(balance): the net of the sources == the net of the methods ==
 * the ledger's payment, refund and fee rows == captured payments - done
 * refunds - fees (payments and refunds tables); and the ledger's sum == that
 * net - the payouts (the payouts table, which the ledger's payout rows match
 * to the cent). is_reconciled says so, the page shows it and test_balance
 * proves it on an organisation with every kind of money and a payout. Runs
 * outside a transaction: a snapshot, each statement reading a consistent
 * state (is_reconciled may be false for a moment if money moves between two
 * statements; reloading shows it again). */
#ifndef KQ_BALANCE_H
#define KQ_BALANCE_H
#include "core.h"

/* One line of a table: a source (an event, a campaign, "membership",
 * "donation", "other") or a payment method (the provider). */
struct balance_line {
	const char *source;          /* "event" | "campaign" | "membership" | "donation" | "other",
				      * or the provider for a method line */
	int64_t ref_id;              /* the event's or campaign's id, else 0 */
	const char *label, *slug;    /* the event's or campaign's title and slug, else "" */
	int64_t in_cents;            /* payments received (>= 0) */
	int64_t back_cents;          /* refunds sent (>= 0) */
	int64_t fees_cents;          /* provider fees (>= 0) */
	int64_t net_cents;           /* in - back - fees */
	int64_t rows;                /* ledger rows */
};

struct balance_report {
	const char *currency;
	struct balance_line *sources;   /* events, then campaigns, memberships, donations, other */
	int nsources;
	struct balance_line *methods;   /* by provider name */
	int nmethods;
	struct balance_line total;      /* the sum of the sources */
	int64_t ledger_cents;           /* SUM(ledger) of the organisation in currency, payouts included */
	int64_t payments_cents;         /* captured payments - done refunds - their fees */
	int64_t methods_net_cents;      /* the sum of the methods' nets */
	bool is_reconciled;             /* total.net == methods == payments, ledger == payments - payouts */
	/* Payouts: what the platform collected online and paid on. */
	int64_t online_cents;           /* net of the ledger's stripe/demo payment, refund, fee rows */
	int64_t paid_out_cents;         /* -SUM(ledger's payout rows), >= 0 */
	int64_t payouts_table_cents;    /* SUM(payouts.amount_cents): == paid_out_cents */
	int64_t owed_cents;             /* online - paid out: what the platform still owes */
	struct balance_payout *payouts; /* newest first, at most BALANCE_PAYOUTS_MAX */
	int npayouts;
	/* Owed. */
	int64_t refunds_by_hand, refunds_by_hand_cents;   /* 'manual' or 'failed': a treasurer's to do */
	int64_t refunds_pending, refunds_pending_cents;   /* 'pending': the refund job sends them */
	int64_t transfers_pending, transfers_pending_cents; /* bank transfers awaited */
	struct balance_refund *refunds; /* the refunds by hand, oldest first, at most BALANCE_REFUNDS_MAX */
	int nrefunds;
};

#define BALANCE_REFUNDS_MAX 100
#define BALANCE_PAYOUTS_MAX 100

/* A payout of the platform to the organisation. */
struct balance_payout {
	int64_t id, amount_cents, created_at;
	const char *currency;
	const char *paid_on;            /* "YYYY-MM-DD", the date of the bank transfer */
	const char *reference, *note;
	const char *by_name;            /* the admin who recorded it ("" if gone) */
};

/* A refund a treasurer must make by hand ('manual' or 'failed'). */
struct balance_refund {
	int64_t id, order_id;                 /* order_id 0: not ticket money */
	int64_t amount_cents, created_at;
	const char *status, *reason, *provider, *currency;
	const char *order_code, *event_slug;  /* "" when no order */
	const char *name;                     /* the buyer, donor, member or backer */
};

/* The balance of org_id in currency (NULL: "EUR"). [out] *out, strings and
 * lists in a. Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err balance_report(struct db *db, const struct actor *who, int64_t org_id,
			   const char *currency, struct arena *a, struct balance_report *out);

/* One ledger row as the accountant reads it. */
struct balance_row {
	int64_t id, created_at;         /* created_at: UTC seconds */
	const char *kind;               /* "payment" | "refund" | "fee" | "payout" */
	const char *source;             /* as balance_line.source; "payout" for a payout */
	const char *label;              /* event or campaign title, plan name, "" */
	const char *reference;          /* order code, "don-12", membership card code, "contrib-7",
					 * a payout's bank reference */
	const char *provider, *currency;
	int64_t amount_cents;           /* signed: in > 0, out < 0 */
};

#define BALANCE_ROWS_MAX 500

/* The ledger rows of org_id (every currency) whose id is > after_id, oldest
 * first, at most limit (clamped to 1..BALANCE_ROWS_MAX): call again with
 * the last id until *out_n < limit, so an export of any size is read in
 * chunks. Needs ORG_ACT_MONEY. [out] rows in a.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err balance_rows(struct db *db, const struct actor *who, int64_t org_id, int64_t after_id,
			 int limit, struct arena *a, struct balance_row **out, int *out_n);

/* A refund of org_id listed to make by hand was made: payments_refund_mark_done
 * (the treasurer's right, the ledger row). Errors: AUTH_REQUIRED, FORBIDDEN,
 * NOT_FOUND (no such refund of this organisation), ORDER_STATE, INTERNAL. */
enum kq_err balance_refund_done(struct db *db, const struct actor *who, int64_t org_id,
				int64_t refund_id);

/* A payout as the admin types it. */
struct balance_payout_input {
	const char *amount;             /* euros: "250", "1 234,56" */
	const char *paid_on;            /* "YYYY-MM-DD" */
	const char *reference;          /* the bank's reference, <= 140 characters, may be "" */
	const char *note;               /* <= 1000 characters, may be "" */
	const char *idempotency_key;    /* from the form: 16 to 128 characters */
	const char *currency;           /* NULL: "EUR" */
};

/* A platform admin records a payout to org_id: one payouts row and one ledger
 * row of kind 'payout', in one transaction. The amount must be > 0 and at
 * most what is owed at that moment, read inside the transaction after the
 * organisation's row lock (INVARIANT(payout-owed)). The same idempotency key
 * again records nothing and answers KQ_OK with the first payout's id
 * (INVARIANT(payout-once)). [out] *out_id (may be NULL).
 * Errors: AUTH_REQUIRED, FORBIDDEN (not a platform admin), NOT_FOUND (no such
 * organisation), FORM_INVALID with the reasons in fe ("amount", "paid_on",
 * "reference", "note", "idempotency_key"), INTERNAL. */
enum kq_err balance_payout_record(struct db *db, const struct actor *who, int64_t org_id,
				  const struct balance_payout_input *in, struct field_errors *fe,
				  int64_t *out_id);

#endif
