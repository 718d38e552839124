/* balance.c: an organisation's balance and its book for the accountant (balance.h): grouped statements over the ledger */
#include "balance.h"
#include "payments.h"
#include "ledger.h"
#include "orgs.h"
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
	" WHERE l.org_id = $1 AND l.currency = $2 GROUP BY 1, 2, 3, 4 ORDER BY 1, 3, 2" };

static const struct db_sql SQL_METHODS = { "balance_methods",
	"SELECT l.provider, 0, '', '', " BAL_SUMS " FROM ledger l"
	" WHERE l.org_id = $1 AND l.currency = $2 GROUP BY l.provider ORDER BY l.provider" };

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
	"SELECT l.id, l.created_at, l.kind, " BAL_SOURCE ","
	" COALESCE(e.title, k.title, mp.name, ''),"
	" COALESCE(o.code, m.card_code, 'don-' || CAST(p.donation_id AS TEXT),"
	"   'contrib-' || CAST(c.id AS TEXT), ''),"
	" l.provider, l.currency, l.amount_cents"
	BAL_FROM
	" LEFT JOIN memberships m ON m.id = p.membership_id"
	" LEFT JOIN membership_plans mp ON mp.id = m.plan_id"
	" WHERE l.org_id = $1 AND l.id > $2 ORDER BY l.id LIMIT $3" };

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
	/* INVARIANT(balance): four roads to the same number. */
	out->is_reconciled = out->total.net_cents == out->ledger_cents &&
			     out->methods_net_cents == out->ledger_cents &&
			     out->payments_cents == out->ledger_cents &&
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
