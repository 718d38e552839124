/* balance.c: an organisation's balance and its book for the accountant (balance.h): grouped statements over the ledger */
#include "balance.h"
#include "payments.h"
#include "ledger.h"
#include "orgs.h"
#include "donations.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

/* What a ledger row paid for: its payment's purpose. Ticket money is found
 * through the row's order (fee and refund rows carry it too) or the
 * payment's; the CASE order matters only for a row that would match two,
 * which the payments' purposes exclude. */
#define BAL_FROM                                                                        \
	" FROM ledger l LEFT JOIN payments p ON p.id = l.payment_id"                    \
	" LEFT JOIN orders o ON o.id = COALESCE(l.order_id, p.order_id)"                \
	" LEFT JOIN events e ON e.id = o.event_id"                                      \
	" LEFT JOIN contributions c ON c.id = p.contribution_id"                        \
	" LEFT JOIN campaigns k ON k.id = c.campaign_id"
#define BAL_SOURCE                                                                      \
	"CASE WHEN o.id IS NOT NULL THEN 'event' WHEN c.id IS NOT NULL THEN 'campaign'" \
	" WHEN p.membership_id IS NOT NULL THEN 'membership'"                           \
	" WHEN p.donation_id IS NOT NULL THEN 'donation' ELSE 'other' END"
#define BAL_SUMS                                                                        \
	" COALESCE(SUM(CASE WHEN l.kind = 'payment' THEN l.amount_cents ELSE 0 END), 0),"  \
	" COALESCE(SUM(CASE WHEN l.kind = 'refund' THEN -l.amount_cents ELSE 0 END), 0)," \
	" COALESCE(SUM(CASE WHEN l.kind = 'fee' THEN -l.amount_cents ELSE 0 END), 0),"    \
	" COALESCE(SUM(l.amount_cents), 0), COUNT(*)"

static const struct db_sql SQL_SOURCES = { "balance_sources",
	"SELECT " BAL_SOURCE ", COALESCE(e.id, k.id, 0), COALESCE(e.title, k.title, ''),"
	" COALESCE(e.slug, k.slug, ''),"
	BAL_SUMS BAL_FROM
	" WHERE l.org_id = $1 AND l.currency = $2 AND l.kind <> 'payout'"
	" GROUP BY 1, 2, 3, 4 ORDER BY 1, 3, 2" };

static const struct db_sql SQL_METHODS = { "balance_methods",
	"SELECT l.provider, 0, '', '', " BAL_SUMS " FROM ledger l"
	" WHERE l.org_id = $1 AND l.currency = $2 AND l.kind <> 'payout'"
	" GROUP BY l.provider ORDER BY l.provider" };

/* Payments: created, started (awaited), captured, failed, cancelled. */

/* The other side of the reconciliation: not the ledger, but the states of
 * the payments and refunds the ledger rows were written for. */
static const struct db_sql SQL_PAYMENTS = { "balance_payments",
	"SELECT COALESCE((SELECT SUM(amount_cents - fee_cents) FROM payments"
	"   WHERE org_id = $1 AND currency = $2 AND status = 'captured'), 0)"
	" - COALESCE((SELECT SUM(amount_cents) FROM refunds"
	"   WHERE org_id = $1 AND currency = $2 AND status = 'done'), 0)" };

static const struct db_sql SQL_OWED = { "balance_owed",
	"SELECT COALESCE(SUM(CASE WHEN status IN ('manual', 'failed') THEN 1 ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN status IN ('manual', 'failed') THEN amount_cents ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN status = 'pending' THEN amount_cents ELSE 0 END), 0)"
	" FROM refunds WHERE org_id = $1 AND currency = $2" };

static const struct db_sql SQL_TRANSFERS = { "balance_transfers",
	"SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM payments"
	" WHERE org_id = $1 AND currency = $2 AND provider = 'transfer'"
	" AND status IN ('created', 'started')" };

static const struct db_sql SQL_REFUNDS = { "balance_refunds",
	"SELECT r.id, COALESCE(o.id, 0), r.amount_cents, r.created_at, r.status, r.reason,"
	" p.provider, r.currency, COALESCE(o.code, ''), COALESCE(e.slug, ''),"
	" COALESCE(o.buyer_name, d.donor_name, m.member_name, c.backer_name, '')"
	" FROM refunds r JOIN payments p ON p.id = r.payment_id"
	" LEFT JOIN orders o ON o.id = COALESCE(r.order_id, p.order_id)"
	" LEFT JOIN events e ON e.id = o.event_id"
	" LEFT JOIN donations d ON d.id = p.donation_id"
	" LEFT JOIN memberships m ON m.id = p.membership_id"
	" LEFT JOIN contributions c ON c.id = p.contribution_id"
	" WHERE r.org_id = $1 AND r.currency = $2 AND r.status IN ('manual', 'failed')"
	" ORDER BY r.id LIMIT 100" };

static const struct db_sql SQL_ROWS = { "balance_rows",
	"SELECT l.id, l.created_at, l.kind,"
	" CASE WHEN l.kind = 'payout' THEN 'payout' ELSE " BAL_SOURCE " END,"
	" COALESCE(e.title, k.title, mp.name, po.note, ''),"
	" COALESCE(o.code, m.card_code, 'don-' || CAST(p.donation_id AS TEXT),"
	"   'contrib-' || CAST(c.id AS TEXT), po.reference, ''),"
	" l.provider, l.currency, l.amount_cents"
	BAL_FROM
	" LEFT JOIN memberships m ON m.id = p.membership_id"
	" LEFT JOIN membership_plans mp ON mp.id = m.plan_id"
	" LEFT JOIN payouts po ON po.id = l.payout_id"
	" WHERE l.org_id = $1 AND l.id > $2 ORDER BY l.id LIMIT $3" };

/* Providers whose money the platform collects on its own account. */
#define BAL_ONLINE "('stripe', 'demo')"

/* INVARIANT(payout-owed): what the platform collected online, what it paid
 * out (the ledger's payout rows) and the payouts table's sum. */
static const struct db_sql SQL_PAYOUT_SUMS = { "balance_payout_sums",
	"SELECT COALESCE(SUM(CASE WHEN l.kind IN ('payment', 'refund', 'fee')"
	"   AND l.provider IN " BAL_ONLINE " THEN l.amount_cents ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN l.kind = 'payout' THEN -l.amount_cents ELSE 0 END), 0),"
	" COALESCE((SELECT SUM(amount_cents) FROM payouts WHERE org_id = $1 AND currency = $2), 0)"
	" FROM ledger l WHERE l.org_id = $1 AND l.currency = $2" };

static const struct db_sql SQL_PAYOUTS = { "balance_payouts",
	"SELECT p.id, p.amount_cents, p.created_at, p.currency, p.paid_on, p.reference, p.note,"
	" COALESCE(a.display_name, '') FROM payouts p LEFT JOIN accounts a ON a.id = p.created_by"
	" WHERE p.org_id = $1 AND p.currency = $2 ORDER BY p.id DESC LIMIT 100" };

/* Events first, then campaigns, memberships, donations, other. */
static int source_rank(const char *s)
{
	static const char *const order[] = { "event", "campaign", "membership", "donation" };
	for (int i = 0; i < 4; i++)
		if (strcmp(s, order[i]) == 0)
			return i;
	return 4;
}

static enum kq_err read_lines(struct db *db, const struct db_sql *sql, int64_t org_id,
			      const char *currency, struct arena *a, struct balance_line **out,
			      int *out_n)
{
	int cap = 8, n = 0;
	struct balance_line *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, sql);
	db_bind_i64(st, 1, org_id);
	db_bind_text(st, 2, currency);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		struct balance_line *l = &v[n++];
		l->source = db_col_str(st, 0, a);
		l->ref_id = db_col_i64(st, 1);
		l->label = db_col_str(st, 2, a);
		l->slug = db_col_str(st, 3, a);
		l->in_cents = db_col_i64(st, 4);
		l->back_cents = db_col_i64(st, 5);
		l->fees_cents = db_col_i64(st, 6);
		l->net_cents = db_col_i64(st, 7);
		l->rows = db_col_i64(st, 8);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

/* Runs a one-row statement of org_id and currency; [out] its first ncols columns. */
static enum kq_err read_numbers(struct db *db, const struct db_sql *sql, int64_t org_id,
				const char *currency, int64_t *out, int ncols)
{
	struct db_stmt *st = db_stmt(db, sql);
	db_bind_i64(st, 1, org_id);
	db_bind_text(st, 2, currency);
	enum db_status s = db_step(st);
	for (int i = 0; i < ncols; i++)
		out[i] = s == DB_ROW ? db_col_i64(st, i) : 0;
	db_reset(st);
	return s == DB_ROW ? KQ_OK : KQ_ERR_INTERNAL;
}

enum kq_err balance_report(struct db *db, const struct actor *who, int64_t org_id,
			   const char *currency, struct arena *a, struct balance_report *out)
{
	memset(out, 0, sizeof(*out));
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_MONEY);
	if (e != KQ_OK)
		return e;
	out->currency = arena_strdup(a, currency && *currency ? currency : "EUR");
	out->total.source = "total";
	out->total.label = out->total.slug = "";
	if ((e = read_lines(db, &SQL_SOURCES, org_id, out->currency, a, &out->sources,
			    &out->nsources)) != KQ_OK ||
	    (e = read_lines(db, &SQL_METHODS, org_id, out->currency, a, &out->methods,
			    &out->nmethods)) != KQ_OK)
		return e;
	/* A stable insertion sort by rank keeps SQL's order (title, id) within a source. */
	for (int i = 1; i < out->nsources; i++) {
		struct balance_line x = out->sources[i];
		int j = i;
		while (j > 0 && source_rank(out->sources[j - 1].source) > source_rank(x.source)) {
			out->sources[j] = out->sources[j - 1];
			j--;
		}
		out->sources[j] = x;
	}
	for (int i = 0; i < out->nsources; i++) {
		const struct balance_line *l = &out->sources[i];
		out->total.in_cents += l->in_cents;
		out->total.back_cents += l->back_cents;
		out->total.fees_cents += l->fees_cents;
		out->total.net_cents += l->net_cents;
		out->total.rows += l->rows;
	}
	for (int i = 0; i < out->nmethods; i++)
		out->methods_net_cents += out->methods[i].net_cents;
	if (ledger_balance(db, org_id, out->currency, &out->ledger_cents) != DB_NONE)
		return KQ_ERR_INTERNAL;
	int64_t v[4];
	if ((e = read_numbers(db, &SQL_PAYMENTS, org_id, out->currency, v, 1)) != KQ_OK)
		return e;
	out->payments_cents = v[0];
	if ((e = read_numbers(db, &SQL_OWED, org_id, out->currency, v, 4)) != KQ_OK)
		return e;
	out->refunds_by_hand = v[0];
	out->refunds_by_hand_cents = v[1];
	out->refunds_pending = v[2];
	out->refunds_pending_cents = v[3];
	if ((e = read_numbers(db, &SQL_TRANSFERS, org_id, out->currency, v, 2)) != KQ_OK)
		return e;
	out->transfers_pending = v[0];
	out->transfers_pending_cents = v[1];
	struct db_stmt *st = db_stmt(db, &SQL_REFUNDS);
	db_bind_i64(st, 1, org_id);
	db_bind_text(st, 2, out->currency);
	out->refunds = arena_alloc(a, sizeof(*out->refunds) * BALANCE_REFUNDS_MAX);
	enum db_status s = DB_NONE;
	while (out->nrefunds < BALANCE_REFUNDS_MAX && (s = db_step(st)) == DB_ROW) {
		struct balance_refund *r = &out->refunds[out->nrefunds++];
		r->id = db_col_i64(st, 0);
		r->order_id = db_col_i64(st, 1);
		r->amount_cents = db_col_i64(st, 2);
		r->created_at = db_col_i64(st, 3);
		r->status = db_col_str(st, 4, a);
		r->reason = db_col_str(st, 5, a);
		r->provider = db_col_str(st, 6, a);
		r->currency = db_col_str(st, 7, a);
		r->order_code = db_col_str(st, 8, a);
		r->event_slug = db_col_str(st, 9, a);
		r->name = db_col_str(st, 10, a);
	}
	db_reset(st);
	if (out->nrefunds < BALANCE_REFUNDS_MAX && s < 0)
		return KQ_ERR_INTERNAL;
	if ((e = read_numbers(db, &SQL_PAYOUT_SUMS, org_id, out->currency, v, 3)) != KQ_OK)
		return e;
	out->online_cents = v[0];
	out->paid_out_cents = v[1];
	out->payouts_table_cents = v[2];
	out->owed_cents = out->online_cents - out->paid_out_cents;
	st = db_stmt(db, &SQL_PAYOUTS);
	db_bind_i64(st, 1, org_id);
	db_bind_text(st, 2, out->currency);
	out->payouts = arena_alloc(a, sizeof(*out->payouts) * BALANCE_PAYOUTS_MAX);
	s = DB_NONE;
	while (out->npayouts < BALANCE_PAYOUTS_MAX && (s = db_step(st)) == DB_ROW) {
		struct balance_payout *x = &out->payouts[out->npayouts++];
		x->id = db_col_i64(st, 0);
		x->amount_cents = db_col_i64(st, 1);
		x->created_at = db_col_i64(st, 2);
		x->currency = db_col_str(st, 3, a);
		x->paid_on = db_col_str(st, 4, a);
		x->reference = db_col_str(st, 5, a);
		x->note = db_col_str(st, 6, a);
		x->by_name = db_col_str(st, 7, a);
	}
	db_reset(st);
	if (out->npayouts < BALANCE_PAYOUTS_MAX && s < 0)
		return KQ_ERR_INTERNAL;
	/* INVARIANT(balance): three roads to the income's net, and the book is
	 * that net minus the payouts, which the payouts table matches. */
	out->is_reconciled = out->total.net_cents == out->payments_cents &&
			     out->methods_net_cents == out->payments_cents &&
			     out->ledger_cents == out->payments_cents - out->paid_out_cents &&
			     out->paid_out_cents == out->payouts_table_cents &&
			     out->total.in_cents - out->total.back_cents - out->total.fees_cents ==
				     out->total.net_cents;
	return KQ_OK;
}

enum kq_err balance_rows(struct db *db, const struct actor *who, int64_t org_id, int64_t after_id,
			 int limit, struct arena *a, struct balance_row **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_MONEY);
	if (e != KQ_OK)
		return e;
	if (limit < 1)
		limit = 1;
	if (limit > BALANCE_ROWS_MAX)
		limit = BALANCE_ROWS_MAX;
	struct balance_row *v = arena_alloc(a, sizeof(*v) * (size_t)limit);
	struct db_stmt *st = db_stmt(db, &SQL_ROWS);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, after_id < 0 ? 0 : after_id);
	db_bind_i64(st, 3, limit);
	enum db_status s = DB_NONE;
	int n = 0;
	while (n < limit && (s = db_step(st)) == DB_ROW) {
		struct balance_row *r = &v[n++];
		r->id = db_col_i64(st, 0);
		r->created_at = db_col_i64(st, 1);
		r->kind = db_col_str(st, 2, a);
		r->source = db_col_str(st, 3, a);
		r->label = db_col_str(st, 4, a);
		r->reference = db_col_str(st, 5, a);
		r->provider = db_col_str(st, 6, a);
		r->currency = db_col_str(st, 7, a);
		r->amount_cents = db_col_i64(st, 8);
	}
	db_reset(st);
	if (n < limit && s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

static const struct db_sql SQL_REFUND_ORG = { "balance_refund_org",
	"SELECT org_id FROM refunds WHERE id = $1" };

enum kq_err balance_refund_done(struct db *db, const struct actor *who, int64_t org_id,
				int64_t refund_id)
{
	struct db_stmt *st = db_stmt(db, &SQL_REFUND_ORG);
	db_bind_i64(st, 1, refund_id);
	enum db_status s = db_step(st);
	int64_t of = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (of != org_id)
		return KQ_ERR_NOT_FOUND;   /* another organisation's refund, through this one's page */
	return payments_refund_mark_done(db, who, refund_id);
}

/* ---- payouts -------------------------------------------------------------------------------- */

/* INVARIANT(payout-owed): every payout of an organisation takes its row lock
 * first, so on PostgreSQL the second of two concurrent payouts waits for the
 * first to commit and its next statements see it; SQLite has one writer. */
static const struct db_sql SQL_PAYOUT_LOCK = { "balance_payout_lock",
	"UPDATE organisations SET updated_at = updated_at WHERE id = $1" };

static const struct db_sql SQL_PAYOUT_BY_KEY = { "balance_payout_by_key",
	"SELECT id, org_id FROM payouts WHERE idempotency_key = $1" };

static const struct db_sql SQL_PAYOUT_INSERT = { "balance_payout_insert",
	"INSERT INTO payouts (org_id, amount_cents, currency, paid_on, reference, note,"
	" idempotency_key, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
	" RETURNING id" };

struct payout_txn {
	int64_t org_id, amount_cents, account_id;
	const char *currency, *paid_on, *reference, *note, *key;
	int64_t id;              /* [out] the payout recorded, or the one of the same key */
	enum kq_err refusal;     /* [out] set when the transaction refused */
	bool is_too_much;        /* [out] refused: more than owed */
};

/* [out] *out_id, *out_org of the payout of key; 0 when none. */
static enum db_status payout_of_key(struct db *db, const char *key, int64_t *out_id,
				    int64_t *out_org)
{
	struct db_stmt *st = db_stmt(db, &SQL_PAYOUT_BY_KEY);
	db_bind_text(st, 1, key);
	enum db_status s = db_step(st);
	*out_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	*out_org = s == DB_ROW ? db_col_i64(st, 1) : 0;
	db_reset(st);
	return s < 0 ? s : DB_NONE;
}

static enum db_status payout_txn(struct db *db, void *cls)
{
	struct payout_txn *t = cls;
	t->id = 0;
	t->refusal = KQ_OK;
	t->is_too_much = false;
	struct db_stmt *st = db_stmt(db, &SQL_PAYOUT_LOCK);
	db_bind_i64(st, 1, t->org_id);
	enum db_status s = db_run(st);
	if (s < 0)
		return s;
	if (db_changes(st) == 0) {
		t->refusal = KQ_ERR_NOT_FOUND;
		return DB_HARD;
	}
	int64_t id = 0, of = 0;
	if ((s = payout_of_key(db, t->key, &id, &of)) < 0)
		return s;
	if (id) {
		/* A double click: the first one's payout, nothing more. */
		if (of != t->org_id) {
			t->refusal = KQ_ERR_FORM_INVALID;
			return DB_HARD;
		}
		t->id = id;
		return DB_NONE;
	}
	int64_t v[3] = { 0, 0, 0 };
	if (read_numbers(db, &SQL_PAYOUT_SUMS, t->org_id, t->currency, v, 3) != KQ_OK)
		return DB_HARD;
	if (t->amount_cents > v[0] - v[1]) {
		t->is_too_much = true;
		t->refusal = KQ_ERR_FORM_INVALID;
		return DB_HARD;
	}
	st = db_stmt(db, &SQL_PAYOUT_INSERT);
	db_bind_i64(st, 1, t->org_id);
	db_bind_i64(st, 2, t->amount_cents);
	db_bind_text(st, 3, t->currency);
	db_bind_text(st, 4, t->paid_on);
	db_bind_text(st, 5, t->reference);
	db_bind_text(st, 6, t->note);
	db_bind_text(st, 7, t->key);
	db_bind_i64(st, 8, t->account_id);
	db_bind_i64(st, 9, time_now());
	s = db_step(st);
	id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	if ((s = ledger_add_payout(db, t->org_id, id, t->amount_cents, t->currency, t->reference)) < 0)
		return s;
	t->id = id;
	return DB_NONE;
}

/* "YYYY-MM-DD", a real calendar day of the years 2000 to 2999. */
static bool valid_day(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	static const int days[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 2000 || y > 2999 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && d == 29 && !leap);
}

/* Text of at most max code points, valid UTF-8, with no control character
 * (one line) unless multiline, where only line breaks and tabs are allowed. */
static bool valid_text(const char *s, size_t max, bool multiline)
{
	size_t n = strlen(s);
	if (!str_utf8_valid(s, n) || str_utf8_len(s) > max)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 || *p == 0x7f) && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t')))
			return false;
	return true;
}

enum kq_err balance_payout_record(struct db *db, const struct actor *who, int64_t org_id,
				  const struct balance_payout_input *in, struct field_errors *fe,
				  int64_t *out_id)
{
	if (out_id)
		*out_id = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!actor_is_admin(who))
		return KQ_ERR_FORBIDDEN;
	int64_t amount = 0;
	const char *reference = in->reference ? in->reference : "";
	const char *note = in->note ? in->note : "";
	const char *key = in->idempotency_key ? in->idempotency_key : "";
	if (!in->amount || !*in->amount)
		field_error_add(fe, "amount", "balance.payout.amount_missing");
	else if (!donations_parse_amount(in->amount, &amount))
		field_error_add(fe, "amount", "balance.payout.amount_invalid");
	else if (amount <= 0)
		field_error_add(fe, "amount", "balance.payout.amount_positive");
	if (!valid_day(in->paid_on))
		field_error_add(fe, "paid_on", "balance.payout.date_invalid");
	if (!valid_text(reference, 140, false))
		field_error_add(fe, "reference", "balance.payout.reference_invalid");
	if (!valid_text(note, 1000, true))
		field_error_add(fe, "note", "balance.payout.note_invalid");
	if (strlen(key) < 16 || strlen(key) > 128)
		field_error_add(fe, "idempotency_key", "balance.payout.key_invalid");
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	struct payout_txn t = {
		.org_id = org_id, .amount_cents = amount, .account_id = who->account_id,
		.currency = in->currency && *in->currency ? in->currency : "EUR",
		.paid_on = in->paid_on, .reference = reference, .note = note, .key = key,
	};
	enum db_status s = db_txn_run(db, "balance_payout_record", DB_WRITE, payout_txn, &t);
	if (t.refusal == KQ_ERR_FORM_INVALID) {
		if (t.is_too_much)
			field_error_add(fe, "amount", "balance.payout.amount_too_much");
		else
			field_error_add(fe, "idempotency_key", "balance.payout.key_invalid");
		return KQ_ERR_FORM_INVALID;
	}
	if (t.refusal != KQ_OK)
		return t.refusal;
	if (s < 0) {
		/* The same key committed by a concurrent request: that payout. */
		int64_t id = 0, of = 0;
		if (db_is_unique_violation(db) && payout_of_key(db, key, &id, &of) == DB_NONE &&
		    id && of == org_id) {
			t.id = id;
		} else {
			return KQ_ERR_INTERNAL;
		}
	}
	if (out_id)
		*out_id = t.id;
	return KQ_OK;
}
