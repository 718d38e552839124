/* ledger.c: appends money moves and sums them (ledger.h); the only writer of table ledger */
#include "ledger.h"
#include "faults.h"
#include "orgs.h"
#include "base/log.h"
#include "base/timefmt.h"

/* INVARIANT(ledger): the only statement that writes the ledger is an INSERT. */
static const struct db_sql SQL_ADD = { "ledger_add",
	"INSERT INTO ledger (org_id, kind, amount_cents, currency, provider, order_id,"
	" payment_id, refund_id, memo, created_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)" };

static const struct db_sql SQL_ADD_PAYOUT = { "ledger_add_payout",
	"INSERT INTO ledger (org_id, kind, amount_cents, currency, provider, payout_id, memo,"
	" created_at) VALUES ($1, 'payout', $2, $3, 'payout', $4, $5, $6)" };

static const struct db_sql SQL_BALANCE = { "ledger_balance",
	"SELECT COALESCE(SUM(amount_cents), 0) FROM ledger WHERE org_id = $1 AND currency = $2" };

static const struct db_sql SQL_LIST = { "ledger_list",
	"SELECT id, org_id, kind, amount_cents, currency, provider, memo, COALESCE(order_id, 0),"
	" COALESCE(payment_id, 0), COALESCE(refund_id, 0), created_at"
	" FROM ledger WHERE org_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3" };

static const struct db_sql SQL_OF_ORDER = { "ledger_of_order",
	"SELECT id, org_id, kind, amount_cents, currency, provider, memo, COALESCE(order_id, 0),"
	" COALESCE(payment_id, 0), COALESCE(refund_id, 0), created_at"
	" FROM ledger WHERE order_id = $1 ORDER BY id LIMIT 64" };

static const char *const kind_names[] = { "payment", "refund", "fee", "payout" };

static void bind_ref(struct db_stmt *st, int n, int64_t id)
{
	if (id)
		db_bind_i64(st, n, id);
	else
		db_bind_null(st, n);
}

enum db_status ledger_add(struct db *db, int64_t org_id, enum ledger_kind kind,
			  int64_t amount_cents, const char *currency, const char *provider,
			  int64_t order_id, int64_t payment_id, int64_t refund_id,
			  const char *memo)
{
	if (!db_in_txn(db)) {
		KQ_BUG("ledger_add outside a transaction");
		return DB_HARD;
	}
	if (kind == LEDGER_PAYOUT) {
		KQ_BUG("ledger_add: a payout is written by ledger_add_payout");
		return DB_HARD;
	}
	if ((kind == LEDGER_PAYMENT && amount_cents <= 0) ||
	    (kind != LEDGER_PAYMENT && amount_cents >= 0)) {
		KQ_BUG("ledger_add: the sign of the amount does not match its kind");
		return DB_HARD;
	}
	struct db_stmt *st = db_stmt(db, &SQL_ADD);
	db_bind_i64(st, 1, org_id);
	db_bind_text(st, 2, kind_names[kind]);
	db_bind_i64(st, 3, amount_cents);
	db_bind_text(st, 4, currency);
	db_bind_text(st, 5, provider);
	bind_ref(st, 6, order_id);
	bind_ref(st, 7, payment_id);
	bind_ref(st, 8, refund_id);
	db_bind_text(st, 9, memo ? memo : "");
	db_bind_i64(st, 10, time_now());
	return faults_run(st);
}

enum db_status ledger_add_payout(struct db *db, int64_t org_id, int64_t payout_id,
				 int64_t amount_cents, const char *currency, const char *memo)
{
	if (!db_in_txn(db)) {
		KQ_BUG("ledger_add_payout outside a transaction");
		return DB_HARD;
	}
	if (amount_cents <= 0 || payout_id <= 0) {
		KQ_BUG("ledger_add_payout: a payout is a positive amount of a payouts row");
		return DB_HARD;
	}
	struct db_stmt *st = db_stmt(db, &SQL_ADD_PAYOUT);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, -amount_cents);
	db_bind_text(st, 3, currency);
	db_bind_i64(st, 4, payout_id);
	db_bind_text(st, 5, memo ? memo : "");
	db_bind_i64(st, 6, time_now());
	return faults_run(st);
}

enum db_status ledger_balance(struct db *db, int64_t org_id, const char *currency,
			      int64_t *out_cents)
{
	struct db_stmt *st = db_stmt(db, &SQL_BALANCE);
	db_bind_i64(st, 1, org_id);
	db_bind_text(st, 2, currency);
	enum db_status s = db_step(st);
	*out_cents = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	return s == DB_ROW ? DB_NONE : s < 0 ? s : DB_HARD;
}

static void read_entry(struct db_stmt *st, struct arena *a, struct ledger_entry *r)
{
	r->id = db_col_i64(st, 0);
	r->org_id = db_col_i64(st, 1);
	r->kind = arena_strdup(a, db_col_text(st, 2));
	r->amount_cents = db_col_i64(st, 3);
	r->currency = arena_strdup(a, db_col_text(st, 4));
	r->provider = arena_strdup(a, db_col_text(st, 5));
	r->memo = arena_strdup(a, db_col_text(st, 6));
	r->order_id = db_col_i64(st, 7);
	r->payment_id = db_col_i64(st, 8);
	r->refund_id = db_col_i64(st, 9);
	r->created_at = db_col_i64(st, 10);
}

enum db_status ledger_of_order(struct db *db, int64_t order_id, struct arena *a,
			       struct ledger_entry **out, int *out_n)
{
	struct ledger_entry *rows = arena_alloc(a, sizeof(*rows) * 64);
	struct db_stmt *st = db_stmt(db, &SQL_OF_ORDER);
	db_bind_i64(st, 1, order_id);
	enum db_status s = DB_NONE;
	int n = 0;
	while (n < 64 && (s = db_step(st)) == DB_ROW)
		read_entry(st, a, &rows[n++]);
	db_reset(st);
	if (n < 64 && s < 0)
		return s;
	*out = rows;
	*out_n = n;
	return DB_NONE;
}

enum kq_err ledger_list(struct db *db, const struct actor *who, int64_t org_id, int limit,
			int offset, struct arena *a, struct ledger_entry **out, int *out_n,
			int64_t *out_balance)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_MONEY);
	if (e != KQ_OK)
		return e;
	if (limit < 1)
		limit = 1;
	if (limit > 500)
		limit = 500;
	if (offset < 0)
		offset = 0;
	struct ledger_entry *rows = arena_alloc(a, sizeof(*rows) * (size_t)limit);
	struct db_stmt *st = db_stmt(db, &SQL_LIST);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, limit);
	db_bind_i64(st, 3, offset);
	enum db_status s = DB_NONE;
	int n = 0;
	while (n < limit && (s = db_step(st)) == DB_ROW)
		read_entry(st, a, &rows[n++]);
	db_reset(st);
	if (n < limit && s < 0)
		return KQ_ERR_INTERNAL;
	if (out_balance && ledger_balance(db, org_id, "EUR", out_balance) != DB_NONE)
		return KQ_ERR_INTERNAL;
	*out = rows;
	*out_n = n;
	return KQ_OK;
}
