/* test_memberships.c: membership plans and joining on both backends (core/memberships.c): the periods in
 * Europe/Paris across DST and late joins, a cap of 10 with 30 concurrent joiners, the demo card, cash and
 * cheques in the ledger, idempotent joins, renewal and the reminder sent once, writing to the members
 * (rights, audiences, one mail per address, sent once, five a day); the ledger and the cap checked after
 * every test. */
#include "tl_ticketing.h"
#include "tl_stripe.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/timefmt.h"
#include "core/faults.h"
#include "core/memberships.h"
#include "core/payments.h"

#include <pthread.h>
#include <time.h>

TK_DB_SETUPS("memberships")

/* ---- fixtures -------------------------------------------------------------------------------- */

struct new_org {
	struct tk *e;
	const char *name;
	int64_t id;
};

static enum db_status new_org_txn(struct db *db, void *cls)
{
	struct new_org *x = cls;
	struct org_input in = { .kind = "association", .name = x->name };
	enum db_status s = orgs_insert_raw(db, &in, x->e->owner, &x->id);
	if (s >= 0)
		s = orgs_member_insert_raw(db, x->id, x->e->owner, "owner");
	if (s >= 0)
		s = orgs_member_insert_raw(db, x->id, x->e->treasurer, "treasurer");
	if (s >= 0)
		s = orgs_member_insert_raw(db, x->id, x->e->editor, "editor");
	return s;
}

static int64_t new_association(struct tk *e)
{
	static int n;
	char name[64];
	snprintf(name, sizeof(name), "Club de pétanque %d %d", (int)getpid(), ++n);
	struct new_org x = { e, name, 0 };
	assert_true(db_txn_run(e->db, "t_new_org", DB_WRITE, new_org_txn, &x) >= 0);
	return x.id;
}

static int64_t new_plan(struct tk *e, int64_t org, const char *pricing, const char *price,
			const char *period, const char *cap)
{
	struct membership_plan_input in = { .name = "Adhésion", .description = "Pour tous",
					    .pricing = pricing, .price = price, .period = period,
					    .cap = cap, .is_open = true };
	struct field_errors fe = { 0 };
	int64_t id = 0;
	assert_int_equal(memberships_plan_save(e->db, &e->a_treasurer, org, 0, &in, &fe, &id), KQ_OK);
	assert_true(id > 0);
	return id;
}

static struct membership_request request(int64_t plan, const char *provider, const char *key)
{
	struct membership_request in = {
		.plan_id = plan, .member_name = "Zoé Lefèvre", .member_email = "zoe@example.org",
		.provider = provider, .idempotency_key = key, .lang = "fr",
	};
	return in;
}

static enum kq_err join(struct tk *e, int64_t plan, const char *provider, struct membership *out)
{
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct membership_request in = request(plan, provider, key);
	struct field_errors fe = { 0 };
	return memberships_join(e->db, &e->a_visitor, &in, e->a, &fe, out);
}

static int64_t count_of(struct tk *e, const char *sql, int64_t arg)
{
	return tk_scalar(e->db, "count", sql, arg);
}

/* INVARIANT(member-cap): every plan's taken == its pending and active
 * memberships, and never above its cap; INVARIANT(ledger). */
static void check_invariants(struct tk *e)
{
	tk_assert_ledger_balanced(e->db);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM membership_plans p WHERE p.taken <>"
				  " (SELECT COUNT(*) FROM memberships m WHERE m.plan_id = p.id"
				  "  AND m.status IN ('pending', 'active'))"
				  " OR (p.cap IS NOT NULL AND p.taken > p.cap) OR p.id < $1", 0), 0);
	/* An active paid membership has exactly one captured payment. */
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM memberships m WHERE m.status = 'active'"
				  " AND m.amount_cents > $1 AND 1 <> (SELECT COUNT(*) FROM payments p"
				  "  WHERE p.membership_id = m.id AND p.status = 'captured')", 0), 0);
}

/* ---- periods (no database) ------------------------------------------------------------------ */

static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm);
}

static void test_periods_follow_the_local_calendar(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	static const struct {
		const char *period;
		int y, mo, d, h, mi;          /* the join, UTC */
		const char *from, *until;     /* UTC: local midnights of Europe/Paris */
	} cases[] = {
		/* Civil year; a join from 1 September (local) runs to the end of the next year. */
		{ "civil", 2026, 3, 10, 13, 0, "2026-03-09T23:00:00Z", "2026-12-31T23:00:00Z" },
		{ "civil", 2026, 8, 31, 21, 59, "2026-08-30T22:00:00Z", "2026-12-31T23:00:00Z" },
		{ "civil", 2026, 8, 31, 22, 0, "2026-08-31T22:00:00Z", "2027-12-31T23:00:00Z" },
		{ "civil", 2026, 12, 31, 23, 30, "2026-12-31T23:00:00Z", "2027-12-31T23:00:00Z" },
		/* Season September-August; a join from 1 May runs to the end of the next season. */
		{ "season", 2026, 10, 1, 10, 0, "2026-09-30T22:00:00Z", "2027-08-31T22:00:00Z" },
		{ "season", 2026, 2, 1, 10, 0, "2026-01-31T23:00:00Z", "2026-08-31T22:00:00Z" },
		{ "season", 2026, 4, 30, 21, 59, "2026-04-29T22:00:00Z", "2026-08-31T22:00:00Z" },
		{ "season", 2026, 4, 30, 22, 0, "2026-04-30T22:00:00Z", "2027-08-31T22:00:00Z" },
		{ "season", 2026, 8, 31, 22, 0, "2026-08-31T22:00:00Z", "2027-08-31T22:00:00Z" },
		/* Rolling: the same local day a year later, whatever the clocks did between. */
		{ "rolling", 2026, 3, 29, 10, 0, "2026-03-28T23:00:00Z", "2027-03-28T22:00:00Z" },
		{ "rolling", 2026, 10, 25, 12, 0, "2026-10-24T22:00:00Z", "2027-10-24T22:00:00Z" },
		{ "rolling", 2028, 2, 29, 12, 0, "2028-02-28T23:00:00Z", "2029-02-28T23:00:00Z" },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(cases); i++) {
		int64_t from, until;
		int64_t at = utc(cases[i].y, cases[i].mo, cases[i].d, cases[i].h, cases[i].mi);
		assert_true(memberships_period(cases[i].period, at, &from, &until));
		const char *f = time_format_iso(a, from), *u = time_format_iso(a, until);
		if (strcmp(f, cases[i].from) != 0 || strcmp(u, cases[i].until) != 0)
			fail_msg("case %zu (%s): [%s, %s), want [%s, %s)", i, cases[i].period, f, u,
				 cases[i].from, cases[i].until);
		assert_true(from <= at && at < until);
	}
	int64_t from, until;
	assert_false(memberships_period("monthly", time_now(), &from, &until));
	arena_free(a);
}

/* ---- on both backends ----------------------------------------------------------------------- */

static void test_plans_check_rights_and_fields(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	struct membership_plan_input in = { .name = "Adhésion", .pricing = "fixed", .price = "15",
					    .period = "civil", .cap = "", .is_open = true };
	struct field_errors fe = { 0 };
	int64_t id = 0;
	assert_int_equal(memberships_plan_save(e->db, &e->a_stranger, org, 0, &in, &fe, &id),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(memberships_plan_save(e->db, &e->a_editor, org, 0, &in, &fe, &id),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(memberships_plan_save(e->db, &e->a_visitor, org, 0, &in, &fe, &id),
			 KQ_ERR_AUTH_REQUIRED);
	struct membership_plan_input bad = { .name = "", .pricing = "cheap", .price = "abc",
					     .period = "weekly", .cap = "-3", .is_open = true };
	assert_int_equal(memberships_plan_save(e->db, &e->a_treasurer, org, 0, &bad, &fe, &id),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "name"));
	assert_non_null(field_error_get(&fe, "pricing"));
	assert_non_null(field_error_get(&fe, "price"));
	assert_non_null(field_error_get(&fe, "period"));
	assert_non_null(field_error_get(&fe, "cap"));
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM membership_plans WHERE org_id = $1", org), 0);
	/* A fixed price of nothing is refused. */
	struct membership_plan_input zero = in;
	zero.price = "0";
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(memberships_plan_save(e->db, &e->a_owner, org, 0, &zero, &fe, &id),
			 KQ_ERR_FORM_INVALID);
	memset(&fe, 0, sizeof(fe));
	in.cap = "2";
	assert_int_equal(memberships_plan_save(e->db, &e->a_owner, org, 0, &in, &fe, &id), KQ_OK);
	struct membership m;
	assert_int_equal(join(e, id, "demo", &m), KQ_OK);
	assert_int_equal(join(e, id, "demo", &m), KQ_OK);
	/* INVARIANT(member-cap): a cap below what is taken is refused; the same is fine. */
	struct membership_plan_input lower = in;
	lower.cap = "1";
	int64_t same = 0;
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(memberships_plan_save(e->db, &e->a_treasurer, org, id, &lower, &fe, &same),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "cap"));
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(memberships_plan_save(e->db, &e->a_treasurer, org, id, &in, &fe, &same), KQ_OK);
	assert_int_equal(same, id);
	assert_int_equal(join(e, id, "demo", &m), KQ_ERR_MEMBERSHIPS_FULL);
	/* Another association's plan cannot be changed through this one. */
	int64_t other = new_association(e);
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(memberships_plan_save(e->db, &e->a_treasurer, other, id, &in, &fe, &same),
			 KQ_ERR_NOT_FOUND);
	struct membership_plan *plans;
	int n;
	assert_int_equal(memberships_plans(e->db, e->a, org, true, &plans, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(plans[0].taken, 2);
	assert_int_equal(plans[0].cap, 2);
	check_invariants(e);
}

static void test_demo_card_pays_and_activates_once(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t plan = new_plan(e, org, "fixed", "15", "civil", "");
	struct membership m;
	assert_int_equal(join(e, plan, "demo", &m), KQ_OK);
	assert_string_equal(m.status, "pending");
	assert_true(str_starts(m.redirect_url, "https://kiosque.test/"));
	assert_int_equal(m.amount_cents, 1500);
	struct buf pdf = BUF_INIT;
	assert_int_equal(memberships_card_pdf(&pdf, e->a, &m), KQ_ERR_ORDER_STATE);
	assert_int_equal(pdf.len, 0);
	assert_int_equal(memberships_demo_pay(e->db, m.secret), KQ_OK);
	assert_int_equal(memberships_demo_pay(e->db, m.secret), KQ_ERR_ORDER_STATE);
	struct membership after;
	assert_int_equal(memberships_get_by_secret(e->db, e->a, m.secret, &after), KQ_OK);
	assert_string_equal(after.status, "active");
	assert_string_equal(memberships_state(&after, time_now()), "current");
	assert_int_equal(strlen(after.card_code), MEMBERSHIPS_CODE_LEN);
	assert_int_equal(memberships_card_pdf(&pdf, e->a, &after), KQ_OK);
	assert_true(pdf.len > 1000 && memcmp(pdf.p, "%PDF-", 5) == 0);
	buf_free(&pdf);
	assert_int_equal(count_of(e, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger WHERE org_id = $1",
				  org), 1500);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM outbox WHERE subject LIKE '%Club de%'"
				  " AND id > $1", 0) >= 1, 1);
	/* A wrong secret finds nothing. */
	assert_int_equal(memberships_get_by_secret(e->db, e->a, "nope", &after), KQ_ERR_NOT_FOUND);
	check_invariants(e);
}

static void test_free_and_pay_what_you_want_plans(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t free_plan = new_plan(e, org, "free", "", "rolling", "");
	struct membership m;
	assert_int_equal(join(e, free_plan, "", &m), KQ_OK);
	assert_string_equal(m.status, "active");
	assert_string_equal(m.provider, "free");
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM payments WHERE membership_id = $1", m.id), 0);
	int64_t pwyw = new_plan(e, org, "pwyw", "30", "season", "");
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct membership_request in = request(pwyw, "demo", key);
	in.amount_cents = 2999;
	struct field_errors fe = { 0 };
	int64_t before = count_of(e, "SELECT COUNT(*) FROM memberships WHERE org_id = $1", org);
	assert_int_equal(memberships_join(e->db, &e->a_visitor, &in, e->a, &fe, &m),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "amount"));
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM memberships WHERE org_id = $1", org), before);
	in.amount_cents = 4200;
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(memberships_join(e->db, &e->a_visitor, &in, e->a, &fe, &m), KQ_OK);
	assert_int_equal(m.amount_cents, 4200);
	assert_int_equal(memberships_demo_pay(e->db, m.secret), KQ_OK);
	assert_int_equal(count_of(e, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger WHERE org_id = $1",
				  org), 4200);
	/* Bad member fields and a provider that is not offered. */
	crypto_token(key);
	struct membership_request bad = request(pwyw, "transfer", key);
	bad.amount_cents = 5000;
	bad.member_name = "";
	bad.member_email = "not-an-address";
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(memberships_join(e->db, &e->a_visitor, &bad, e->a, &fe, &m),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "member_name"));
	assert_non_null(field_error_get(&fe, "member_email"));
	assert_non_null(field_error_get(&fe, "provider"));
	/* A closed plan takes no one online. */
	struct membership_plan_input closed = { .name = "Fermée", .pricing = "fixed", .price = "10",
						.period = "civil", .cap = "", .is_open = false };
	int64_t cid;
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(memberships_plan_save(e->db, &e->a_treasurer, org, 0, &closed, &fe, &cid), KQ_OK);
	assert_int_equal(join(e, cid, "demo", &m), KQ_ERR_NOT_FOUND);
	check_invariants(e);
}

static void test_a_retried_join_returns_the_same_membership(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t plan = new_plan(e, org, "fixed", "20", "civil", "5");
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct membership_request in = request(plan, "demo", key);
	struct field_errors fe = { 0 };
	struct membership m1, m2;
	assert_int_equal(memberships_join(e->db, &e->a_visitor, &in, e->a, &fe, &m1), KQ_OK);
	assert_int_equal(memberships_join(e->db, &e->a_visitor, &in, e->a, &fe, &m2), KQ_OK);
	assert_int_equal(m1.id, m2.id);
	assert_int_equal(count_of(e, "SELECT taken FROM membership_plans WHERE id = $1", plan), 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM payments WHERE membership_id = $1", m1.id), 1);
	/* The same key with another request is refused. */
	in.member_name = "Quelqu'un d'autre";
	assert_int_equal(memberships_join(e->db, &e->a_visitor, &in, e->a, &fe, &m2),
			 KQ_ERR_IDEMPOTENCY_CONFLICT);
	check_invariants(e);
}

#define JOINERS 30
#define CAP 10

struct joiner {
	const char *url;
	int64_t plan;
	pthread_barrier_t *go;
	enum kq_err result;
	char err[256];
};

static void *joiner_main(void *arg)
{
	struct joiner *b = arg;
	struct db *db = db_open(b->url, b->err, sizeof(b->err));
	pthread_barrier_wait(b->go);
	if (!db) {
		b->result = KQ_ERR_INTERNAL;
		return NULL;
	}
	struct arena *a = arena_new();
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct membership_request in = request(b->plan, "demo", key);
	struct actor visitor = { 0 };
	struct field_errors fe = { 0 };
	struct membership m;
	b->result = memberships_join(db, &visitor, &in, a, &fe, &m);
	if (b->result == KQ_OK)
		b->result = memberships_demo_pay(db, m.secret);
	if (b->result != KQ_OK)
		snprintf(b->err, sizeof(b->err), "%s", db_errmsg(db));
	arena_free(a);
	db_close(db);
	return NULL;
}

/* INVARIANT(member-cap) */
static void test_a_cap_of_10_with_30_concurrent_joiners_ends_with_10(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	char cap[8];
	snprintf(cap, sizeof(cap), "%d", CAP);
	int64_t plan = new_plan(e, org, "fixed", "12", "season", cap);
	struct joiner b[JOINERS];
	pthread_t th[JOINERS];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, JOINERS);
	for (int i = 0; i < JOINERS; i++) {
		b[i] = (struct joiner){ .url = e->url, .plan = plan, .go = &go };
		assert_int_equal(pthread_create(&th[i], NULL, joiner_main, &b[i]), 0);
	}
	int ok = 0, full = 0;
	for (int i = 0; i < JOINERS; i++) {
		pthread_join(th[i], NULL);
		if (b[i].result == KQ_OK)
			ok++;
		else if (b[i].result == KQ_ERR_MEMBERSHIPS_FULL)
			full++;
		else
			print_message("joiner %d: %s %s\n", i, err_api_code(b[i].result), b[i].err);
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(ok, CAP);
	assert_int_equal(full, JOINERS - CAP);
	assert_int_equal(count_of(e, "SELECT taken FROM membership_plans WHERE id = $1", plan), CAP);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM memberships WHERE plan_id = $1"
				  " AND status = 'active'", plan), CAP);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM memberships WHERE plan_id = $1", plan), CAP);
	assert_int_equal(count_of(e, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger WHERE org_id = $1",
				  org), CAP * 1200);
	check_invariants(e);
}

static void test_a_treasurer_records_cash_and_cheques_in_the_ledger(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t plan = new_plan(e, org, "fixed", "15", "civil", "");
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct membership_request in = request(plan, "cash", key);
	in.member_email = "";
	struct field_errors fe = { 0 };
	struct membership m;
	assert_int_equal(memberships_record(e->db, &e->a_visitor, &in, e->a, &fe, &m),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(memberships_record(e->db, &e->a_stranger, &in, e->a, &fe, &m),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(memberships_record(e->db, &e->a_box, &in, e->a, &fe, &m), KQ_ERR_FORBIDDEN);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM memberships WHERE org_id = $1", org), 0);
	assert_int_equal(memberships_record(e->db, &e->a_treasurer, &in, e->a, &fe, &m), KQ_OK);
	assert_string_equal(m.status, "active");
	assert_string_equal(m.provider, "cash");
	assert_int_equal(m.recorded_by, e->treasurer);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM ledger WHERE org_id = $1 AND provider = 'cash'"
				  " AND kind = 'payment' AND amount_cents = 1500", org), 1);
	/* The same form sent twice records one membership. */
	struct membership again;
	assert_int_equal(memberships_record(e->db, &e->a_treasurer, &in, e->a, &fe, &again), KQ_OK);
	assert_int_equal(again.id, m.id);
	crypto_token(key);
	struct membership_request cheque = request(plan, "cheque", key);
	assert_int_equal(memberships_record(e->db, &e->a_owner, &cheque, e->a, &fe, &m), KQ_OK);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM ledger WHERE org_id = $1"
				  " AND provider = 'cheque'", org), 1);
	/* The desk takes cash or cheques only. */
	crypto_token(key);
	struct membership_request demo = request(plan, "demo", key);
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(memberships_record(e->db, &e->a_treasurer, &demo, e->a, &fe, &m),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "provider"));
	assert_int_equal(count_of(e, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger WHERE org_id = $1",
				  org), 3000);
	/* The members list, for the treasurer only. */
	struct membership *list;
	int n;
	assert_int_equal(memberships_list(e->db, &e->a_stranger, org, e->a, &list, &n), KQ_ERR_FORBIDDEN);
	assert_int_equal(memberships_list(e->db, &e->a_treasurer, org, e->a, &list, &n), KQ_OK);
	assert_int_equal(n, 2);
	check_invariants(e);
}

static void test_renewal_follows_and_the_reminder_goes_once(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t plan = new_plan(e, org, "fixed", "10", "rolling", "");
	struct membership m;
	assert_int_equal(join(e, plan, "demo", &m), KQ_OK);
	assert_int_equal(memberships_demo_pay(e->db, m.secret), KQ_OK);
	assert_int_equal(memberships_get_by_secret(e->db, e->a, m.secret, &m), KQ_OK);
	/* Ten days before the end, once; a pending membership is not reminded. */
	int64_t at = m.valid_until - 10 * 86400;
	struct membership pending;
	assert_int_equal(join(e, plan, "demo", &pending), KQ_OK);
	int64_t mails = count_of(e, "SELECT COUNT(*) FROM outbox WHERE id > $1", 0);
	int sent = 0;
	assert_int_equal(memberships_remind_due(e->db, m.valid_until - 40 * 86400, 50, &sent), KQ_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(memberships_remind_due(e->db, at, 50, &sent), KQ_OK);
	/* Other tests' memberships of the same day may be due too. */
	assert_true(sent >= 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM outbox WHERE id > $1", 0), mails + sent);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM memberships WHERE org_id = $1"
				  " AND reminded_at IS NOT NULL", org), 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM memberships WHERE id = $1"
				  " AND reminded_at IS NULL", pending.id), 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM outbox WHERE body_text LIKE"
				  " '%/adhesion/' || (SELECT secret FROM memberships WHERE id = $1) || '%'",
				  m.id), 2);   /* the welcome and the reminder */
	assert_int_equal(memberships_remind_due(e->db, at + 3600, 50, &sent), KQ_OK);
	assert_int_equal(sent, 0);
	/* Renewing starts when the current one ends. */
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct membership_request in = request(plan, "demo", key);
	in.renew_secret = m.secret;
	struct field_errors fe = { 0 };
	struct membership r;
	assert_int_equal(memberships_join(e->db, &e->a_visitor, &in, e->a, &fe, &r), KQ_OK);
	assert_int_equal(r.valid_from, m.valid_until);
	assert_true(r.valid_until > r.valid_from + 364 * 86400);
	assert_int_equal(memberships_demo_pay(e->db, r.secret), KQ_OK);
	assert_int_equal(memberships_get_by_secret(e->db, e->a, r.secret, &r), KQ_OK);
	assert_string_equal(memberships_state(&r, time_now()), "upcoming");
	assert_string_equal(memberships_state(&r, r.valid_until), "lapsed");
	/* A renewal of an unknown membership is refused. */
	crypto_token(key);
	struct membership_request bad = request(plan, "demo", key);
	bad.renew_secret = "0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_equal(memberships_join(e->db, &e->a_visitor, &bad, e->a, &fe, &r), KQ_ERR_NOT_FOUND);
	check_invariants(e);
}

/* A cash membership failing at every step of its transaction leaves no
 * membership, no place taken, no payment and no ledger row. */
static void test_recording_cash_failing_at_every_step_writes_nothing(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t plan = new_plan(e, org, "fixed", "15", "civil", "3");
	int failures = 0;
	for (long k = 1; k < 100; k++) {
		char key[TOKEN_HEX_LEN + 1];
		crypto_token(key);
		struct membership_request in = request(plan, "cash", key);
		struct field_errors fe = { 0 };
		struct membership m;
		faults_arm(k);
		enum kq_err err = memberships_record(e->db, &e->a_treasurer, &in, e->a, &fe, &m);
		bool fired = faults_fired();
		faults_arm(0);
		if (!fired) {
			assert_int_equal(err, KQ_OK);
			break;
		}
		failures++;
		assert_int_not_equal(err, KQ_OK);
		assert_int_equal(count_of(e, "SELECT COUNT(*) FROM memberships WHERE org_id = $1", org), 0);
		assert_int_equal(count_of(e, "SELECT taken FROM membership_plans WHERE id = $1", plan), 0);
		assert_int_equal(count_of(e, "SELECT COUNT(*) FROM payments WHERE org_id = $1", org), 0);
		assert_int_equal(count_of(e, "SELECT COUNT(*) FROM ledger WHERE org_id = $1", org), 0);
		check_invariants(e);
	}
	print_message("record: %d injected failures\n", failures);
	assert_true(failures >= 5);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM ledger WHERE org_id = $1 AND provider = 'cash'",
				  org), 1);
	check_invariants(e);
}

static const struct db_sql T_SESSION = { "t_session",
	"SELECT provider_ref FROM payments WHERE membership_id = $1" };

/* INVARIANT(once): a card payment confirmed by a webhook delivered five
 * times, and by the member's return page, activates one membership with one
 * captured payment and one ledger row. */
static void test_a_replayed_stripe_webhook_activates_once(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t plan = new_plan(e, org, "fixed", "25", "season", "");
	struct membership m;
	assert_int_equal(join(e, plan, "stripe", &m), KQ_OK);
	assert_string_equal(m.status, "pending");
	assert_true(str_starts(m.redirect_url, arena_printf(e->a, "%s/pay/cs_test_", fake_base)));
	struct db_stmt *st = db_stmt(e->db, &T_SESSION);
	db_bind_i64(st, 1, m.id);
	assert_int_equal(db_step(st), DB_ROW);
	const char *session = arena_strdup(e->a, db_col_text(st, 0));
	db_reset(st);
	struct delivery d = fake_pay(session);
	int applied = 0, duplicates = 0;
	for (int i = 0; i < 5; i++) {
		enum webhook_result r;
		assert_int_equal(deliver(e->db, &d, &r), KQ_OK);
		applied += r == WEBHOOK_APPLIED;
		duplicates += r == WEBHOOK_DUPLICATE;
	}
	delivery_free(&d);
	assert_int_equal(applied, 1);
	assert_int_equal(duplicates, 4);
	bool paid = false;
	assert_int_equal(memberships_sync_payment(e->db, m.secret, &paid), KQ_OK);
	assert_int_equal(memberships_get_by_secret(e->db, e->a, m.secret, &m), KQ_OK);
	assert_string_equal(m.status, "active");
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM payments WHERE membership_id = $1"
				  " AND status = 'captured'", m.id), 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM ledger WHERE org_id = $1 AND kind = 'payment'"
				  " AND amount_cents = 2500 AND provider = 'stripe'", org), 1);
	check_invariants(e);
}

struct late_capture {
	int64_t membership_id;
	struct capture_result cr;
	struct arena *a;
};

static const struct db_sql T_PAYMENT_OF = { "t_payment_of",
	"SELECT id, amount_cents FROM payments WHERE membership_id = $1" };

/* The provider says the money came after all (a late webhook). */
static enum db_status late_capture_txn(struct db *db, void *cls)
{
	struct late_capture *x = cls;
	struct db_stmt *st = db_stmt(db, &T_PAYMENT_OF);
	db_bind_i64(st, 1, x->membership_id);
	enum db_status s = db_step(st);
	int64_t id = s == DB_ROW ? db_col_i64(st, 0) : 0, amount = s == DB_ROW ? db_col_i64(st, 1) : 0;
	db_reset(st);
	if (s != DB_ROW)
		return DB_HARD;
	return payments_capture(db, id, amount, "EUR", "late_pi", x->a, &x->cr);
}

/* INVARIANT(member-cap): an abandoned payment gives its place back; paid
 * late into a full plan, the money goes back. */
static void test_an_unpaid_membership_expires_and_gives_its_place_back(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t plan = new_plan(e, org, "fixed", "8", "civil", "1");
	struct membership first, second;
	assert_int_equal(join(e, plan, "demo", &first), KQ_OK);
	assert_int_equal(join(e, plan, "demo", &second), KQ_ERR_MEMBERSHIPS_FULL);
	int n = 0;
	assert_int_equal(memberships_expire_due(e->db, time_now(), 100, &n), KQ_OK);
	assert_int_equal(count_of(e, "SELECT taken FROM membership_plans WHERE id = $1", plan), 1);
	assert_int_equal(memberships_expire_due(e->db, time_now() + 31 * 60, 100, &n), KQ_OK);
	assert_true(n >= 1);
	assert_int_equal(count_of(e, "SELECT taken FROM membership_plans WHERE id = $1", plan), 0);
	assert_int_equal(memberships_get_by_secret(e->db, e->a, first.secret, &first), KQ_OK);
	assert_string_equal(first.status, "cancelled");
	assert_int_equal(memberships_demo_pay(e->db, first.secret), KQ_ERR_ORDER_STATE);
	assert_int_equal(join(e, plan, "demo", &second), KQ_OK);
	/* The first one's money arrives now: the plan is full, so it goes back. */
	struct late_capture x = { first.id, { 0 }, e->a };
	assert_true(db_txn_run(e->db, "t_late", DB_WRITE, late_capture_txn, &x) >= 0);
	assert_false(x.cr.is_duplicate);
	assert_true(x.cr.refund_id > 0);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM refunds WHERE id = $1 AND reason = 'late_payment'"
				  " AND amount_cents = 800", x.cr.refund_id), 1);
	assert_int_equal(memberships_get_by_secret(e->db, e->a, first.secret, &first), KQ_OK);
	assert_string_equal(first.status, "cancelled");
	assert_int_equal(count_of(e, "SELECT taken FROM membership_plans WHERE id = $1", plan), 1);
	check_invariants(e);
}

static enum db_status demo_txn(struct db *db, void *cls)
{
	(void)cls;
	return memberships_load_demo(db) == KQ_OK ? DB_NONE : DB_HARD;
}

/* ---- writing to the members --------------------------------------------------------------------- */

/* A membership of plan recorded at the desk for email ("" for none), then
 * moved so that it ended ended_days_ago (0: current, as recorded). */
static int64_t member(struct tk *e, int64_t plan, const char *name, const char *email,
		      int ended_days_ago)
{
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct membership_request in = request(plan, "cash", key);
	in.member_name = name;
	in.member_email = email;
	struct field_errors fe = { 0 };
	struct membership m;
	assert_int_equal(memberships_record(e->db, &e->a_treasurer, &in, e->a, &fe, &m), KQ_OK);
	if (ended_days_ago > 0) {
		int64_t until = time_now() - (int64_t)ended_days_ago * 86400;
		char sql[256];
		snprintf(sql, sizeof(sql), "UPDATE memberships SET valid_from = %lld, valid_until = %lld"
			 " WHERE id = $1 RETURNING id", (long long)(until - 365 * 86400),
			 (long long)until);
		assert_int_equal(count_of(e, sql, m.id), m.id);
	}
	return m.id;
}

static struct membership_mailing_input mailing(const char *audience, const char *key)
{
	struct membership_mailing_input in = {
		.subject = "Assemblée générale le 12 décembre",
		.body = "Bonjour à toutes et à tous,\r\n\r\nL'assemblée générale aura lieu salle des fêtes.\r\n",
		.audience = audience, .idempotency_key = key,
	};
	return in;
}

static int64_t mails_to(struct tk *e, const char *addr_like)
{
	char sql[256];
	/* The mailings' subjects start with "[association]"; the welcome mails do not. */
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM outbox WHERE to_addr LIKE '%s'"
		 " AND subject LIKE '[%%' AND id > $1", addr_like);
	return count_of(e, sql, 0);
}

static int64_t outbox_total(struct tk *e)
{
	return count_of(e, "SELECT COUNT(*) FROM outbox WHERE id > $1", 0);
}

static int64_t mailings_of(struct tk *e, int64_t org)
{
	return count_of(e, "SELECT COUNT(*) FROM member_mailings WHERE org_id = $1", org);
}

static void test_mailing_checks_rights_and_input(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t plan = new_plan(e, org, "fixed", "15", "civil", "");
	member(e, plan, "Zoé Lefèvre", "zoe-rights@example.org", 0);
	int64_t mails = outbox_total(e);
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct membership_mailing_input in = mailing("current", key);
	struct field_errors fe = { 0 };
	struct membership_mailing m;
	int64_t n = 0;
	/* Only the owner and the treasurer, who see the members' addresses. */
	assert_int_equal(memberships_mailing_send(e->db, &e->a_visitor, org, &in, e->a, &fe, &m, NULL),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(memberships_mailing_send(e->db, &e->a_stranger, org, &in, e->a, &fe, &m, NULL),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(memberships_mailing_send(e->db, &e->a_editor, org, &in, e->a, &fe, &m, NULL),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(memberships_mailing_send(e->db, &e->a_box, org, &in, e->a, &fe, &m, NULL),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(memberships_mailing_preview(e->db, &e->a_editor, org, &in, &fe, &n),
			 KQ_ERR_FORBIDDEN);
	struct membership_mailing *list;
	int nl = 0;
	assert_int_equal(memberships_mailings(e->db, &e->a_stranger, org, e->a, &list, &nl),
			 KQ_ERR_FORBIDDEN);
	/* Bad input: an error on its field, nothing written, nothing queued. */
	char long_subject[MEMBERSHIPS_MAIL_SUBJECT_MAX + 2];
	memset(long_subject, 'a', sizeof(long_subject) - 1);
	long_subject[sizeof(long_subject) - 1] = '\0';
	static char long_body[MEMBERSHIPS_MAIL_BODY_MAX + 2];
	memset(long_body, 'b', sizeof(long_body) - 1);
	long_body[sizeof(long_body) - 1] = '\0';
	static const struct { const char *field, *subject, *body, *audience; } bad[] = {
		{ "subject", "   ", "Un message", "current" },
		{ "subject", "Deux\nlignes", "Un message", "current" },
		{ "subject", NULL /* long_subject */, "Un message", "current" },
		{ "body", "Sujet", " \r\n ", "current" },
		{ "body", "Sujet", NULL /* long_body */, "current" },
		{ "body", "Sujet", "Un \x01 caractère de contrôle", "current" },
		{ "audience", "Sujet", "Un message", "all" },
		{ "audience", "Sujet", "Un message", "" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct membership_mailing_input b = in;
		b.subject = bad[i].subject ? bad[i].subject : long_subject;
		b.body = bad[i].body ? bad[i].body : long_body;
		b.audience = bad[i].audience;
		memset(&fe, 0, sizeof(fe));
		assert_int_equal(memberships_mailing_send(e->db, &e->a_treasurer, org, &b, e->a, &fe, &m,
							  NULL), KQ_ERR_FORM_INVALID);
		assert_non_null(field_error_get(&fe, bad[i].field));
		memset(&fe, 0, sizeof(fe));
		assert_int_equal(memberships_mailing_preview(e->db, &e->a_treasurer, org, &b, &fe, &n),
				 KQ_ERR_FORM_INVALID);
		assert_non_null(field_error_get(&fe, bad[i].field));
	}
	/* Exactly the limits are fine. */
	long_subject[MEMBERSHIPS_MAIL_SUBJECT_MAX] = '\0';
	long_body[MEMBERSHIPS_MAIL_BODY_MAX] = '\0';
	struct membership_mailing_input edge = in;
	edge.subject = long_subject;
	edge.body = long_body;
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(memberships_mailing_preview(e->db, &e->a_treasurer, org, &edge, &fe, &n), KQ_OK);
	assert_int_equal(n, 1);
	/* A send needs its key. */
	struct membership_mailing_input nokey = in;
	nokey.idempotency_key = "";
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(memberships_mailing_send(e->db, &e->a_treasurer, org, &nokey, e->a, &fe, &m,
						  NULL), KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "idempotency_key"));
	/* Nobody in the audience: refused on the audience field. */
	memset(&fe, 0, sizeof(fe));
	struct membership_mailing_input lapsed = in;
	lapsed.audience = "lapsed";
	assert_int_equal(memberships_mailing_send(e->db, &e->a_treasurer, org, &lapsed, e->a, &fe, &m,
						  NULL), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "audience"), "err.memberships.mailing_nobody");
	assert_int_equal(outbox_total(e), mails);
	assert_int_equal(mailings_of(e, org), 0);
	/* The owner may send too. */
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(memberships_mailing_send(e->db, &e->a_owner, org, &in, e->a, &fe, &m, NULL),
			 KQ_OK);
	assert_int_equal(m.recipients, 1);
	assert_int_equal(outbox_total(e), mails + 1);
	assert_int_equal(count_of(e, "SELECT created_by FROM member_mailings WHERE org_id = $1", org),
			 e->owner);
	check_invariants(e);
}

static void test_mailing_audiences_current_lapsed_both_one_mail_per_address(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t plan = new_plan(e, org, "fixed", "15", "rolling", "");
	member(e, plan, "Zoé Lefèvre", "zoe-aud@example.org", 0);
	member(e, plan, "Zoé L.", "ZOE-AUD@example.org", 0);            /* same address */
	member(e, plan, "Marc Ancien", "ancien-aud@example.org", 100);
	member(e, plan, "Inès Fidèle", "fidele-aud@example.org", 200);  /* lapsed, then renewed */
	member(e, plan, "Inès Fidèle", "fidele-aud@example.org", 0);
	member(e, plan, "Paul Oublié", "vieux-aud@example.org", 800);   /* ended over 2 years ago */
	member(e, plan, "Sans Adresse", "", 0);
	/* A membership whose payment never came is not a member. */
	int64_t free_plan = new_plan(e, org, "fixed", "30", "civil", "");
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct membership_request pend = request(free_plan, "demo", key);
	pend.member_email = "pending-aud@example.org";
	struct field_errors fe = { 0 };
	struct membership pm;
	assert_int_equal(memberships_join(e->db, &e->a_visitor, &pend, e->a, &fe, &pm), KQ_OK);
	assert_string_equal(pm.status, "pending");

	int64_t n = -1;
	crypto_token(key);
	struct membership_mailing_input cur = mailing("current", key);
	assert_int_equal(memberships_mailing_preview(e->db, &e->a_treasurer, org, &cur, &fe, &n), KQ_OK);
	assert_int_equal(n, 2);    /* zoe (twice), fidele */
	struct membership_mailing_input lap = mailing("lapsed", key);
	assert_int_equal(memberships_mailing_preview(e->db, &e->a_treasurer, org, &lap, &fe, &n), KQ_OK);
	assert_int_equal(n, 1);    /* ancien */
	struct membership_mailing_input both = mailing("both", key);
	assert_int_equal(memberships_mailing_preview(e->db, &e->a_treasurer, org, &both, &fe, &n), KQ_OK);
	assert_int_equal(n, 3);
	assert_int_equal(mailings_of(e, org), 0);   /* a preview writes nothing */

	int64_t mails = outbox_total(e);
	struct membership_mailing m;
	bool replayed = true;
	assert_int_equal(memberships_mailing_send(e->db, &e->a_treasurer, org, &cur, e->a, &fe, &m,
						  &replayed), KQ_OK);
	assert_false(replayed);
	assert_int_equal(m.recipients, 2);
	assert_int_equal(outbox_total(e), mails + 2);
	assert_int_equal(mails_to(e, "zoe-aud@example.org"), 1);
	assert_int_equal(mails_to(e, "fidele-aud@example.org"), 1);
	assert_int_equal(mails_to(e, "ancien-aud@example.org"), 0);
	assert_int_equal(mails_to(e, "vieux-aud@example.org"), 0);
	assert_int_equal(mails_to(e, "pending-aud@example.org"), 0);
	/* The mail names the association, says why, and keeps the text as typed (LF). */
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM outbox WHERE to_addr = 'zoe-aud@example.org'"
				  " AND subject LIKE '[Club de pétanque %] Assemblée générale le 12 décembre'"
				  " AND body_text LIKE '%Bonjour à toutes et à tous,\n\nL''assemblée générale%'"
				  " AND body_text NOT LIKE '%\r%'"
				  " AND body_text LIKE '%parce que vous êtes adhérent%'"
				  " AND body_text LIKE '%contactez l''association%' AND id > $1", 0), 1);
	assert_int_equal(count_of(e, "SELECT recipients FROM member_mailings WHERE org_id = $1", org), 2);
	assert_int_equal(count_of(e, "SELECT created_by FROM member_mailings WHERE org_id = $1", org),
			 e->treasurer);

	crypto_token(key);
	lap = mailing("lapsed", key);
	assert_int_equal(memberships_mailing_send(e->db, &e->a_treasurer, org, &lap, e->a, &fe, &m,
						  NULL), KQ_OK);
	assert_int_equal(m.recipients, 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM outbox WHERE to_addr = 'ancien-aud@example.org'"
				  " AND body_text LIKE '%parce que vous avez été adhérent%' AND id > $1", 0), 1);
	assert_int_equal(outbox_total(e), mails + 3);

	crypto_token(key);
	both = mailing("both", key);
	assert_int_equal(memberships_mailing_send(e->db, &e->a_treasurer, org, &both, e->a, &fe, &m,
						  NULL), KQ_OK);
	assert_int_equal(m.recipients, 3);
	assert_int_equal(outbox_total(e), mails + 6);
	assert_int_equal(mails_to(e, "zoe-aud@example.org"), 2);
	assert_int_equal(mails_to(e, "ancien-aud@example.org"), 2);

	/* The page's list, newest first, with who sent it. */
	struct membership_mailing *list;
	int nl = 0;
	assert_int_equal(memberships_mailings(e->db, &e->a_treasurer, org, e->a, &list, &nl), KQ_OK);
	assert_int_equal(nl, 3);
	assert_string_equal(list[0].audience, "both");
	assert_int_equal(list[0].recipients, 3);
	assert_string_equal(list[2].audience, "current");
	assert_string_equal(list[2].subject, "Assemblée générale le 12 décembre");
	assert_string_equal(list[2].sender_name, e->a_treasurer.display_name);
	check_invariants(e);
}

/* INVARIANT(mailing-once) */
static void test_a_retried_mailing_is_sent_once(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t plan = new_plan(e, org, "fixed", "15", "civil", "");
	member(e, plan, "Zoé Lefèvre", "zoe-once@example.org", 0);
	member(e, plan, "Hugo Martin", "hugo-once@example.org", 0);
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct membership_mailing_input in = mailing("current", key);
	struct field_errors fe = { 0 };
	struct membership_mailing m1, m2;
	bool replayed = true;
	int64_t mails = outbox_total(e);
	assert_int_equal(memberships_mailing_send(e->db, &e->a_treasurer, org, &in, e->a, &fe, &m1,
						  &replayed), KQ_OK);
	assert_false(replayed);
	/* A member joins between the two clicks: the retry still sends nothing. */
	member(e, plan, "Léa Nouvelle", "lea-once@example.org", 0);
	mails = outbox_total(e);   /* her welcome mail */
	assert_int_equal(memberships_mailing_send(e->db, &e->a_treasurer, org, &in, e->a, &fe, &m2,
						  &replayed), KQ_OK);
	assert_true(replayed);
	assert_int_equal(m2.id, m1.id);
	assert_int_equal(m2.recipients, 2);
	assert_int_equal(outbox_total(e), mails);
	assert_int_equal(mails_to(e, "lea-once@example.org"), 0);
	assert_int_equal(mails_to(e, "%-once@example.org"), 2);
	/* The same key with another message is refused, nothing sent. */
	in.subject = "Autre chose";
	assert_int_equal(memberships_mailing_send(e->db, &e->a_treasurer, org, &in, e->a, &fe, &m2,
						  NULL), KQ_ERR_IDEMPOTENCY_CONFLICT);
	assert_int_equal(outbox_total(e), mails);
	assert_int_equal(mailings_of(e, org), 1);
	check_invariants(e);
}

#define MAILERS 6

struct mailer {
	const char *url;
	int64_t org;
	const struct actor *who;
	const char *key;
	pthread_barrier_t *go;
	enum kq_err result;
	char err[256];
};

static void *mailer_main(void *arg)
{
	struct mailer *b = arg;
	struct db *db = db_open(b->url, b->err, sizeof(b->err));
	pthread_barrier_wait(b->go);
	if (!db) {
		b->result = KQ_ERR_INTERNAL;
		return NULL;
	}
	struct arena *a = arena_new();
	struct membership_mailing_input in = mailing("current", b->key);
	struct field_errors fe = { 0 };
	struct membership_mailing m;
	b->result = memberships_mailing_send(db, b->who, b->org, &in, a, &fe, &m, NULL);
	if (b->result != KQ_OK)
		snprintf(b->err, sizeof(b->err), "%s", db_errmsg(db));
	arena_free(a);
	db_close(db);
	return NULL;
}

/* INVARIANT(mailing-once): six concurrent clicks with one key: one
 * mailing, one mail per member. */
static void test_concurrent_retries_send_once(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t plan = new_plan(e, org, "fixed", "15", "civil", "");
	member(e, plan, "Zoé Lefèvre", "zoe-race@example.org", 0);
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	int64_t mails = outbox_total(e);
	struct mailer b[MAILERS];
	pthread_t th[MAILERS];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, MAILERS);
	for (int i = 0; i < MAILERS; i++) {
		b[i] = (struct mailer){ .url = e->url, .org = org, .who = &e->a_treasurer, .key = key,
					.go = &go };
		assert_int_equal(pthread_create(&th[i], NULL, mailer_main, &b[i]), 0);
	}
	for (int i = 0; i < MAILERS; i++) {
		pthread_join(th[i], NULL);
		if (b[i].result != KQ_OK)
			print_message("mailer %d: %s %s\n", i, err_api_code(b[i].result), b[i].err);
		assert_int_equal(b[i].result, KQ_OK);
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(mailings_of(e, org), 1);
	assert_int_equal(outbox_total(e), mails + 1);

	/* INVARIANT(mailing-rate): six concurrent mailings with their own keys
	 * to a fresh association: five go, one is refused. */
	int64_t other = new_association(e);
	member(e, new_plan(e, other, "fixed", "15", "civil", ""), "Zoé Lefèvre", "zoe-race2@example.org", 0);
	char keys[MAILERS][TOKEN_HEX_LEN + 1];
	pthread_barrier_init(&go, NULL, MAILERS);
	for (int i = 0; i < MAILERS; i++) {
		crypto_token(keys[i]);
		b[i] = (struct mailer){ .url = e->url, .org = other, .who = &e->a_treasurer,
					.key = keys[i], .go = &go };
		assert_int_equal(pthread_create(&th[i], NULL, mailer_main, &b[i]), 0);
	}
	int ok = 0, limited = 0;
	for (int i = 0; i < MAILERS; i++) {
		pthread_join(th[i], NULL);
		if (b[i].result == KQ_OK)
			ok++;
		else if (b[i].result == KQ_ERR_MEMBERSHIPS_MAILING_LIMIT)
			limited++;
		else
			print_message("mailer %d: %s %s\n", i, err_api_code(b[i].result), b[i].err);
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(ok, MEMBERSHIPS_MAILINGS_PER_DAY);
	assert_int_equal(limited, MAILERS - MEMBERSHIPS_MAILINGS_PER_DAY);
	assert_int_equal(mailings_of(e, other), MEMBERSHIPS_MAILINGS_PER_DAY);
}

/* INVARIANT(mailing-rate) */
static void test_five_mailings_a_day_at_most(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t plan = new_plan(e, org, "fixed", "15", "civil", "");
	member(e, plan, "Zoé Lefèvre", "zoe-rate@example.org", 0);
	char key[TOKEN_HEX_LEN + 1];
	struct field_errors fe = { 0 };
	struct membership_mailing m;
	for (int i = 0; i < MEMBERSHIPS_MAILINGS_PER_DAY; i++) {
		crypto_token(key);
		struct membership_mailing_input in = mailing("current", key);
		assert_int_equal(memberships_mailing_send(e->db, &e->a_treasurer, org, &in, e->a, &fe,
							  &m, NULL), KQ_OK);
	}
	int64_t mails = outbox_total(e);
	crypto_token(key);
	struct membership_mailing_input sixth = mailing("current", key);
	assert_int_equal(memberships_mailing_send(e->db, &e->a_treasurer, org, &sixth, e->a, &fe, &m,
						  NULL), KQ_ERR_MEMBERSHIPS_MAILING_LIMIT);
	assert_int_equal(outbox_total(e), mails);
	assert_int_equal(mailings_of(e, org), MEMBERSHIPS_MAILINGS_PER_DAY);
	/* Another association is not held back. */
	int64_t other = new_association(e);
	int64_t other_plan = new_plan(e, other, "fixed", "15", "civil", "");
	member(e, other_plan, "Zoé Lefèvre", "zoe-rate@example.org", 0);
	assert_int_equal(memberships_mailing_send(e->db, &e->a_treasurer, other, &sixth, e->a, &fe, &m,
						  NULL), KQ_OK);
	/* A day later it may write again. */
	tl_set_clock(86400 + 60);
	crypto_token(key);
	sixth = mailing("current", key);
	enum kq_err later = memberships_mailing_send(e->db, &e->a_treasurer, org, &sixth, e->a, &fe,
						     &m, NULL);
	tl_set_clock(0);
	assert_int_equal(later, KQ_OK);
	assert_int_equal(mailings_of(e, org), MEMBERSHIPS_MAILINGS_PER_DAY + 1);
}

static void test_demo_plans_load_once(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	assert_true(db_txn_run(e->db, "t_demo", DB_WRITE, demo_txn, NULL) >= 0);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM membership_plans WHERE org_id = $1", org), 2);
	assert_true(db_txn_run(e->db, "t_demo", DB_WRITE, demo_txn, NULL) >= 0);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM membership_plans WHERE org_id = $1", org), 2);
	struct membership_org *orgs;
	int n;
	assert_int_equal(memberships_orgs(e->db, e->a, &orgs, &n), KQ_OK);
	assert_true(n >= 1);
	check_invariants(e);
}

int main(void)
{
	crypto_init();
	time_init();
	i18n_init();
	struct core_settings cs = { "https://kiosque.test", "Kiosque <no-reply@kiosque.test>" };
	core_init(&cs);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!fake_start()) {
		fprintf(stderr, "test_memberships: cannot start tests/tools/fake_stripe.py\n");
		return 1;
	}
	struct payments_settings ps = { STRIPE_KEY, STRIPE_WHSEC, fake_base, true, 30 };
	payments_configure(&ps);
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_periods_follow_the_local_calendar),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plans_check_rights_and_fields),
		cmocka_unit_test(test_demo_card_pays_and_activates_once),
		cmocka_unit_test(test_free_and_pay_what_you_want_plans),
		cmocka_unit_test(test_a_retried_join_returns_the_same_membership),
		cmocka_unit_test(test_a_cap_of_10_with_30_concurrent_joiners_ends_with_10),
		cmocka_unit_test(test_a_treasurer_records_cash_and_cheques_in_the_ledger),
		cmocka_unit_test(test_renewal_follows_and_the_reminder_goes_once),
		cmocka_unit_test(test_a_replayed_stripe_webhook_activates_once),
		cmocka_unit_test(test_an_unpaid_membership_expires_and_gives_its_place_back),
		cmocka_unit_test(test_recording_cash_failing_at_every_step_writes_nothing),
		cmocka_unit_test(test_demo_plans_load_once),
		cmocka_unit_test(test_mailing_checks_rights_and_input),
		cmocka_unit_test(test_mailing_audiences_current_lapsed_both_one_mail_per_address),
		cmocka_unit_test(test_a_retried_mailing_is_sent_once),
		cmocka_unit_test(test_concurrent_retries_send_once),
		cmocka_unit_test(test_five_mailings_a_day_at_most),
	};
	int failed = 0;
	TL_RUN_GROUP(failed, "memberships/unit", unit, NULL, NULL);
	TL_RUN_GROUP_BOTH(failed, "memberships", tests, setup_sqlite_tk, setup_pg_tk, teardown_tk);
	fake_stop();
	curl_global_cleanup();
	return TL_EXIT(failed);
}
