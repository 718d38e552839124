/* tl_ticketing.h: fixtures shared by test_tickets.c and test_orders.c: accounts, an organisation, an event with dates, and the invariant checks
 *
 * Header-only like testlib.h (each test binary is one .c file). The event
 * and its dates are written with plain SQL into the tables of migration
 * 0004, so these tests do not depend on core/events.c.
 *
 * The invariant checks (tk_check_invariants) run at the end of every
 * ticketing test:
 *   INVARIANT(quota)   every quota's sold == live tickets of its types on its
 *                      date + seats offered to their waiting lists, and sold <= size;
 *   INVARIANT(ledger)  per organisation and currency, the ledger's sum ==
 *                      captured payments - done refunds - fees - payouts, one ledger row per
 *                      captured payment and per done refund;
 *   no order without tickets, no ticket without an order, every order's
 *   total == the sum of its tickets' prices. */
#ifndef KQ_TL_TICKETING_H
#define KQ_TL_TICKETING_H
#include "testlib.h"
#include "base/arena.h"
#include "base/str.h"
#include "core/core.h"
#include "core/faults.h"
#include "core/orgs.h"
#include "core/tickets.h"

struct tk {
	char url[1024];
	char schema[128];
	struct db *db;
	struct arena *a;
	int64_t owner, editor, box, treasurer, stranger, buyer;
	int64_t org, event, date1, date2;
	struct actor a_owner, a_editor, a_box, a_treasurer, a_stranger, a_buyer, a_visitor;
};

static const struct db_sql TK_ACCOUNT = { "tk_account",
	"INSERT INTO accounts (email, email_lower, display_name, password_hash, email_verified_at,"
	" platform_role, lang, created_at) VALUES ($1, $2, $3, 'x', 1, '', 'fr', 1) RETURNING id" };
static const struct db_sql TK_EVENT = { "tk_event",
	"INSERT INTO events (org_id, slug, title, category, status, created_at, updated_at)"
	" VALUES ($1, $2, $3, 'culture', $4, 1, 1) RETURNING id" };
static const struct db_sql TK_DATE = { "tk_date",
	"INSERT INTO event_dates (event_id, starts_at, ends_at) VALUES ($1, $2, $3) RETURNING id" };

TL_UNUSED static int64_t tk_scalar(struct db *db, const char *name, const char *sql, int64_t arg)
{
	/* One descriptor per distinct SQL text, kept for the process (cached by address). */
	static struct { char name[64]; char sql[1024]; struct db_sql d; } cache[128];
	static int n;
	struct db_sql *d = NULL;
	for (int i = 0; i < n; i++)
		if (strcmp(cache[i].sql, sql) == 0)
			d = &cache[i].d;
	if (!d) {
		assert_true(n < 128);
		snprintf(cache[n].name, sizeof(cache[n].name), "tk_%s_%d", name, n);
		snprintf(cache[n].sql, sizeof(cache[n].sql), "%s", sql);
		cache[n].d.name = cache[n].name;
		cache[n].d.sql = cache[n].sql;
		d = &cache[n].d;
		n++;
	}
	struct db_stmt *st = db_stmt(db, d);
	if (strstr(sql, "$1"))
		db_bind_i64(st, 1, arg);
	enum db_status s = db_step(st);
	if (s != DB_ROW)
		fail_msg("tk_scalar %s: %d %s", sql, s, db_errmsg(db));
	int64_t v = db_col_i64(st, 0);
	db_reset(st);
	return v;
}

TL_UNUSED static int64_t tk_account(struct tk *e, const char *email, const char *name)
{
	struct db_stmt *st = db_stmt(e->db, &TK_ACCOUNT);
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, email);
	db_bind_text(st, 3, name);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t id = db_col_i64(st, 0);
	db_reset(st);
	return id;
}

TL_UNUSED static struct actor tk_actor(struct tk *e, int64_t id, const char *email, const char *name)
{
	struct actor a = { 0 };
	a.account_id = id;
	a.email = arena_strdup(e->a, email);
	a.display_name = arena_strdup(e->a, name);
	a.platform_role = "";
	a.lang = "fr";
	a.is_verified = true;
	return a;
}

struct tk_org_txn {
	struct tk *e;
};

static enum db_status tk_org_txn(struct db *db, void *cls)
{
	struct tk *e = ((struct tk_org_txn *)cls)->e;
	struct org_input in = { .kind = "association", .name = "Comité des fêtes" };
	enum db_status s = orgs_insert_raw(db, &in, e->owner, &e->org);
	if (s < 0)
		return s;
	const struct { int64_t who; const char *role; } m[] = {
		{ e->owner, "owner" }, { e->editor, "editor" }, { e->box, "box_office" },
		{ e->treasurer, "treasurer" },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(m); i++)
		if ((s = orgs_member_insert_raw(db, e->org, m[i].who, m[i].role)) < 0)
			return s;
	return DB_NONE;
}

/* A published event starting in 30 days (date1) and 31 days (date2). */
TL_UNUSED static int64_t tk_event(struct tk *e, const char *slug, const char *status)
{
	struct db_stmt *st = db_stmt(e->db, &TK_EVENT);
	db_bind_i64(st, 1, e->org);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, "Bal du 14 juillet");
	db_bind_text(st, 4, status);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t id = db_col_i64(st, 0);
	db_reset(st);
	return id;
}

TL_UNUSED static int64_t tk_date(struct tk *e, int64_t event_id, int64_t starts_at)
{
	struct db_stmt *st = db_stmt(e->db, &TK_DATE);
	db_bind_i64(st, 1, event_id);
	db_bind_i64(st, 2, starts_at);
	db_bind_i64(st, 3, starts_at + 3 * 3600);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t id = db_col_i64(st, 0);
	db_reset(st);
	return id;
}

/* Accounts, the organisation with its four roles, the event and two dates. */
TL_UNUSED static int tk_populate(struct tk *e)
{
	tl_set_clock(0);
	e->a = arena_new();
	e->owner = tk_account(e, "owner@example.org", "Olga Owner");
	e->editor = tk_account(e, "editor@example.org", "Eddy Editor");
	e->box = tk_account(e, "box@example.org", "Bob Box");
	e->treasurer = tk_account(e, "treasurer@example.org", "Tess Treasurer");
	e->stranger = tk_account(e, "stranger@example.org", "Sam Stranger");
	e->buyer = tk_account(e, "buyer@example.org", "Bea Buyer");
	struct tk_org_txn x = { e };
	if (db_txn_run(e->db, "tk_org", DB_WRITE, tk_org_txn, &x) < 0)
		return -1;
	e->a_owner = tk_actor(e, e->owner, "owner@example.org", "Olga Owner");
	e->a_editor = tk_actor(e, e->editor, "editor@example.org", "Eddy Editor");
	e->a_box = tk_actor(e, e->box, "box@example.org", "Bob Box");
	e->a_treasurer = tk_actor(e, e->treasurer, "treasurer@example.org", "Tess Treasurer");
	e->a_stranger = tk_actor(e, e->stranger, "stranger@example.org", "Sam Stranger");
	e->a_buyer = tk_actor(e, e->buyer, "buyer@example.org", "Bea Buyer");
	memset(&e->a_visitor, 0, sizeof(e->a_visitor));
	e->a_visitor.lang = "fr";
	return 0;
}

/* A fresh event for one test: published, two dates. */
TL_UNUSED static void tk_new_event(struct tk *e)
{
	static int n;
	char slug[64];
	snprintf(slug, sizeof(slug), "bal-%d-%d", (int)getpid(), ++n);
	e->event = tk_event(e, slug, "published");
	int64_t now = time_now();
	e->date1 = tk_date(e, e->event, now + 30 * 86400);
	e->date2 = tk_date(e, e->event, now + 31 * 86400);
}

/* A public type of the current event, created by its owner. */
TL_UNUSED static int64_t tk_type(struct tk *e, const char *name, int64_t price, const char *visibility)
{
	struct ticket_type_input in = { .name = name, .price_cents = price, .max_per_order = 50,
					.visibility = visibility };
	struct field_errors fe = { 0 };
	struct ticket_type t;
	enum kq_err err = tickets_type_create(e->db, &e->a_owner, e->event, &in, e->a, &fe, &t);
	if (err != KQ_OK)
		fail_msg("tk_type: %s (%s)", err_api_code(err), fe.n ? fe.e[0].field : "");
	return t.id;
}

/* A quota of size on date over the given types (0-terminated). */
TL_UNUSED static int64_t tk_quota(struct tk *e, int64_t date, int64_t size, int64_t t1, int64_t t2,
				  int64_t t3)
{
	int64_t types[3];
	int n = 0;
	if (t1)
		types[n++] = t1;
	if (t2)
		types[n++] = t2;
	if (t3)
		types[n++] = t3;
	struct ticket_quota_input in = { "Jauge", size, types, n };
	struct field_errors fe = { 0 };
	int64_t id = 0;
	enum kq_err err = tickets_quota_create(e->db, &e->a_owner, date, &in, &fe, &id);
	if (err != KQ_OK)
		fail_msg("tk_quota: %s", err_api_code(err));
	return id;
}

TL_UNUSED static int64_t tk_quota_sold(struct tk *e, int64_t quota)
{
	return tk_scalar(e->db, "sold", "SELECT sold FROM ticket_quotas WHERE id = $1", quota);
}

/* ---- invariants ---------------------------------------------------------------------------- */

static const struct db_sql TK_QUOTAS_ALL = { "tk_quotas_all",
	"SELECT q.id, q.size, q.sold,"
	" (SELECT COUNT(*) FROM tickets t JOIN orders o ON o.id = t.order_id"
	"   JOIN ticket_quota_types qt ON qt.ticket_type_id = t.ticket_type_id"
	"   WHERE qt.quota_id = q.id AND t.event_date_id = q.event_date_id"
	"   AND o.status IN ('pending', 'paid')),"
	" (SELECT COALESCE(SUM(w.quantity), 0) FROM waiting_list w"
	"   JOIN ticket_quota_types qt ON qt.ticket_type_id = w.ticket_type_id"
	"   WHERE qt.quota_id = q.id AND w.event_date_id = q.event_date_id AND w.status = 'offered')"
	" FROM ticket_quotas q ORDER BY q.id" };
static const struct db_sql TK_LEDGER_ORGS = { "tk_ledger_orgs",
	"SELECT o.id, COALESCE((SELECT SUM(amount_cents) FROM ledger l WHERE l.org_id = o.id), 0),"
	" COALESCE((SELECT SUM(amount_cents) FROM payments p WHERE p.org_id = o.id"
	"   AND p.status = 'captured'), 0),"
	" COALESCE((SELECT SUM(amount_cents) FROM refunds r WHERE r.org_id = o.id"
	"   AND r.status = 'done'), 0),"
	" (SELECT COUNT(*) FROM ledger l WHERE l.org_id = o.id AND l.kind = 'payment'),"
	" (SELECT COUNT(*) FROM payments p WHERE p.org_id = o.id AND p.status = 'captured'"
	"   AND p.amount_cents > 0),"
	" (SELECT COUNT(*) FROM ledger l WHERE l.org_id = o.id AND l.kind = 'refund'),"
	" (SELECT COUNT(*) FROM refunds r WHERE r.org_id = o.id AND r.status = 'done'),"
	" COALESCE((SELECT SUM(fee_cents) FROM payments p WHERE p.org_id = o.id"
	"   AND p.status = 'captured'), 0),"
	" (SELECT COUNT(*) FROM ledger l WHERE l.org_id = o.id AND l.kind = 'fee'),"
	" (SELECT COUNT(*) FROM payments p WHERE p.org_id = o.id AND p.fee_cents > 0),"
	" COALESCE((SELECT SUM(amount_cents) FROM payouts x WHERE x.org_id = o.id), 0),"
	" (SELECT COUNT(*) FROM ledger l WHERE l.org_id = o.id AND l.kind = 'payout'),"
	" (SELECT COUNT(*) FROM payouts x WHERE x.org_id = o.id)"
	" FROM organisations o ORDER BY o.id" };

/* INVARIANT(quota): sold == held, for every quota. */
TL_UNUSED static void tk_assert_quotas_consistent(struct db *db)
{
	struct db_stmt *st = db_stmt(db, &TK_QUOTAS_ALL);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		int64_t id = db_col_i64(st, 0), size = db_col_i64(st, 1), sold = db_col_i64(st, 2);
		int64_t held = db_col_i64(st, 3) + db_col_i64(st, 4);
		if (sold != held || sold > size || sold < 0) {
			db_reset(st);
			fail_msg("quota %lld: sold %lld, held %lld, size %lld", (long long)id,
				 (long long)sold, (long long)held, (long long)size);
		}
	}
	db_reset(st);
	assert_int_equal(s, DB_NONE);
}

/* INVARIANT(ledger): per organisation, ledger == captured - refunded - fees - paid out, row for row. */
TL_UNUSED static void tk_assert_ledger_balanced(struct db *db)
{
	struct db_stmt *st = db_stmt(db, &TK_LEDGER_ORGS);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		int64_t org = db_col_i64(st, 0), ledger = db_col_i64(st, 1);
		int64_t in = db_col_i64(st, 2), out = db_col_i64(st, 3);
		int64_t lp = db_col_i64(st, 4), np = db_col_i64(st, 5);
		int64_t lr = db_col_i64(st, 6), nr = db_col_i64(st, 7);
		int64_t fees = db_col_i64(st, 8), lf = db_col_i64(st, 9), nf = db_col_i64(st, 10);
		int64_t paid_out = db_col_i64(st, 11), lo = db_col_i64(st, 12), no = db_col_i64(st, 13);
		if (ledger != in - out - fees - paid_out || lp != np || lr != nr || lf != nf ||
		    lo != no) {
			db_reset(st);
			fail_msg("org %lld: ledger %lld, payments %lld - refunds %lld - fees %lld"
				 " - payouts %lld; rows %lld/%lld payments, %lld/%lld refunds,"
				 " %lld/%lld fees, %lld/%lld payouts", (long long)org,
				 (long long)ledger, (long long)in, (long long)out, (long long)fees,
				 (long long)paid_out, (long long)lp, (long long)np, (long long)lr,
				 (long long)nr, (long long)lf, (long long)nf, (long long)lo, (long long)no);
		}
	}
	db_reset(st);
	assert_int_equal(s, DB_NONE);
}

TL_UNUSED static void tk_check_invariants(struct tk *e)
{
	tk_assert_quotas_consistent(e->db);
	tk_assert_ledger_balanced(e->db);
	assert_int_equal(tk_scalar(e->db, "orphan_orders",
				   "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS"
				   " (SELECT 1 FROM tickets t WHERE t.order_id = o.id)", 0), 0);
	assert_int_equal(tk_scalar(e->db, "orphan_tickets",
				   "SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS"
				   " (SELECT 1 FROM orders o WHERE o.id = t.order_id)", 0), 0);
	assert_int_equal(tk_scalar(e->db, "totals",
				   "SELECT COUNT(*) FROM orders o WHERE o.total_cents <>"
				   " (SELECT COALESCE(SUM(price_cents), 0) FROM tickets t"
				   "  WHERE t.order_id = o.id)", 0), 0);
	/* Vouchers: uses taken == tickets discounted by live orders. */
	assert_int_equal(tk_scalar(e->db, "vouchers",
				   "SELECT COUNT(*) FROM vouchers v WHERE v.used <>"
				   " (SELECT COALESCE(SUM(o.voucher_uses), 0) FROM orders o"
				   "  WHERE o.voucher_id = v.id AND o.status IN ('pending', 'paid'))", 0), 0);
}


/* The database fixtures of a ticketing test file: a migrated database per
 * group (TL_MIGRATED_DB_SETUPS), then accounts and an organisation
 * (tk_populate); the teardown puts the clock and the fault injection back. */
#define TK_DB_SETUPS(label)                                            \
	TL_MIGRATED_DB_SETUPS(struct tk, label)                        \
	TL_UNUSED static int setup_sqlite_tk(void **state)             \
	{                                                              \
		if (setup_sqlite(state) != 0)                          \
			return -1;                                     \
		return tk_populate(*state);                            \
	}                                                              \
	TL_UNUSED static int setup_pg_tk(void **state)                 \
	{                                                              \
		if (setup_pg(state) != 0)                              \
			return -1;                                     \
		return tk_populate(*state);                            \
	}                                                              \
	TL_UNUSED static int teardown_tk(void **state)                 \
	{                                                              \
		struct tk *e = *state;                                 \
		tl_set_clock(0);                                       \
		faults_arm(0);                                         \
		if (e && e->a)                                         \
			arena_free(e->a);                              \
		return teardown(state);                                \
	}
#endif
