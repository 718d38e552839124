/* ledger.h: the money book of each organisation: one row per money move, a balance is a sum.
 *
 * INVARIANT(ledger): every money move (a payment captured, a refund sent, a
 * provider fee, a payout of online money to the organisation) is one row,
 * written by ledger_add (ledger_add_payout) in the same transaction as the
 * state change it records (payments.status 'captured', refunds.status
 * 'done', a payouts row). Rows are never updated nor deleted: this module has no such
 * statement, and test_orders checks that no file of src/ has one. Amounts are
 * signed integer cents: money in is positive, money out negative. So, per
 * organisation and currency,
 *     SUM(ledger) == SUM(captured payments) - SUM(done refunds) - fees
 *                    - SUM(payouts),
 * which the tests assert after every money test (tk_assert_ledger_balanced). */
#ifndef KQ_LEDGER_H
#define KQ_LEDGER_H
#include "core.h"

enum ledger_kind { LEDGER_PAYMENT, LEDGER_REFUND, LEDGER_FEE, LEDGER_PAYOUT };

struct ledger_entry {
	int64_t id, org_id;
	const char *kind;            /* "payment" | "refund" | "fee" | "payout" */
	int64_t amount_cents;        /* signed */
	const char *currency, *provider, *memo;
	int64_t order_id, payment_id, refund_id;   /* 0 when none */
	int64_t created_at;
};

/* Appends one row. amount_cents must be > 0 for a payment and < 0 for a
 * refund or a fee (else KQ_BUG and DB_HARD). order_id, payment_id, refund_id:
 * 0 for none. Must run inside a write transaction. */
__attribute__((warn_unused_result))
enum db_status ledger_add(struct db *db, int64_t org_id, enum ledger_kind kind,
			  int64_t amount_cents, const char *currency, const char *provider,
			  int64_t order_id, int64_t payment_id, int64_t refund_id,
			  const char *memo);

/* Appends the row of a payout (payouts.id payout_id) of amount_cents > 0 paid
 * to org_id: kind 'payout', amount -amount_cents, provider "payout". Must
 * run inside the write transaction that inserts the payout. */
__attribute__((warn_unused_result))
enum db_status ledger_add_payout(struct db *db, int64_t org_id, int64_t payout_id,
				 int64_t amount_cents, const char *currency, const char *memo);

/* The balance of org_id in currency: the sum of its rows. No authorisation
 * (for core and tests); inside or outside a transaction. */
__attribute__((warn_unused_result))
enum db_status ledger_balance(struct db *db, int64_t org_id, const char *currency,
			      int64_t *out_cents);

/* The book of an organisation, newest first, for its treasurer. Needs
 * ORG_ACT_MONEY. limit clamped to 1..500, offset >= 0. [out] rows in a and
 * their count, *out_balance (may be NULL) the balance in currency "EUR".
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err ledger_list(struct db *db, const struct actor *who, int64_t org_id, int limit,
			int offset, struct arena *a, struct ledger_entry **out, int *out_n,
			int64_t *out_balance);

/* The rows of order_id, oldest first (at most 64). No authorisation: the
 * caller (orders_history) checks ORG_ACT_MONEY. [out] rows in a.
 * Inside or outside a transaction. */
__attribute__((warn_unused_result))
enum db_status ledger_of_order(struct db *db, int64_t order_id, struct arena *a,
			       struct ledger_entry **out, int *out_n);

#endif
