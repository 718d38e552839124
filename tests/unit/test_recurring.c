/* test_recurring.c: monthly donations on both backends (core/recurring.c): the job charging exactly once per
 * period with two passes at once and after a fault injected at each step, a stop racing the job, a declined card
 * retried then stopped with a mail, annual summary receipts numbered without gaps under concurrent requests; the
 * ledger invariant and the receipt sequence (single and annual together) checked after every test. */
#include "tl_ticketing.h"
#include "tl_stripe.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include "core/donations.h"
#include "core/faults.h"
#include "core/payments.h"
#include "core/receipts.h"
#include "core/recurring.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>

TK_DB_SETUPS("recurring")

#define DAY 86400

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
	return s;
}

static const struct donation_settings_input FISCAL = {
	.providers = { "transfer", "stripe", NULL },
	.suggested = "10, 20, 50",
	.transfer_details = "IBAN FR76 3000 4000 0500 0012 3456 789",
	.quality = "interet_general",
	.legal_name = "Les Amis du lavoir",
	.object = "Restaurer et faire vivre le lavoir du village",
	.address = "1 rue du Lavoir",
	.postcode = "26400",
	.city = "Crest",
	.rna = "W261000001",
	.signatory = "Tess Treasurer, trésorière",
};

static const struct db_sql T_STOP_ALL = { "t_rec_stop_all",
	"UPDATE recurring_donations SET status = 'stopped' WHERE status IN ('pending', 'active')" };

/* A fresh association, declared and checked, so receipt numbers start at 1;
 * the monthly donations of earlier tests (same database) are stopped, so a
 * job pass sees this test's only. */
static int64_t new_association(struct tk *e)
{
	struct db_stmt *stop = db_stmt(e->db, &T_STOP_ALL);
	assert_true(db_run(stop) >= 0);
	static int n;
	char name[64];
	snprintf(name, sizeof(name), "Amis du lavoir %d %d", (int)getpid(), ++n);
	struct new_org x = { e, name, 0 };
	assert_true(db_txn_run(e->db, "t_new_org", DB_WRITE, new_org_txn, &x) >= 0);
	struct field_errors fe = { 0 };
	assert_int_equal(donations_settings_save(e->db, &e->a_treasurer, x.id, &FISCAL, &fe), KQ_OK);
	struct actor admin = e->a_stranger;
	admin.platform_role = "admin";
	assert_int_equal(donations_fiscal_check(e->db, &admin, x.id), KQ_OK);
	return x.id;
}

static const struct db_sql T_ACCOUNT = { "t_rec_account",
	"INSERT INTO accounts (email, email_lower, display_name, password_hash, email_verified_at,"
	" platform_role, lang, created_at) VALUES ($1, $1, $2, 'x', 1, '', 'fr', 1) RETURNING id" };

/* A new donor account, as an actor. */
static struct actor new_donor(struct tk *e)
{
	static int n;
	char mail[96];
	snprintf(mail, sizeof(mail), "donor%d-%d@example.org", (int)getpid(), ++n);
	struct db_stmt *st = db_stmt(e->db, &T_ACCOUNT);
	db_bind_text(st, 1, mail);
	db_bind_text(st, 2, "Zoé Lefèvre");
	assert_int_equal(db_step(st), DB_ROW);
	int64_t id = db_col_i64(st, 0);
	db_reset(st);
	struct actor a = e->a_buyer;
	a.account_id = id;
	a.email = arena_strdup(e->a, mail);
	a.display_name = "Zoé Lefèvre";
	return a;
}

static struct donation_request request(int64_t org, int64_t cents, const char *provider,
				       const char *key, bool monthly)
{
	struct donation_request in = {
		.org_id = org, .amount_cents = cents, .donor_name = "Zoé Lefèvre",
		.donor_address = "14 rue des Tilleuls", .donor_postcode = "26400",
		.donor_city = "Crest", .donor_email = "zoe@example.org", .provider = provider,
		.idempotency_key = key, .lang = "fr", .monthly = monthly,
	};
	return in;
}

/* A monthly donation whose first month is paid with the demo card. */
static int64_t monthly_demo(struct tk *e, struct db *db, const struct actor *who, int64_t org,
			    int64_t cents)
{
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct donation_request in = request(org, cents, "demo", key, true);
	struct field_errors fe = { 0 };
	struct donation d;
	struct arena *a = arena_new();
	assert_int_equal(donations_give(db, who, &in, a, &fe, &d), KQ_OK);
	assert_true(d.recurring_id > 0);
	assert_int_equal(donations_demo_pay(db, d.secret), KQ_OK);
	int64_t id = d.recurring_id;
	arena_free(a);
	(void)e;
	return id;
}

static int64_t count_of(struct tk *e, const char *sql, int64_t arg)
{
	return tk_scalar(e->db, "count", sql, arg);
}

static int64_t next_charge(struct tk *e, int64_t rid)
{
	return count_of(e, "SELECT next_charge_at FROM recurring_donations WHERE id = $1", rid);
}

static int64_t captured(struct tk *e, int64_t rid)
{
	return count_of(e, "SELECT COUNT(*) FROM payments p JOIN donations d ON d.id = p.donation_id"
			   " WHERE d.recurring_id = $1 AND p.status = 'captured'", rid);
}

/* INVARIANT(ledger); INVARIANT(once-a-month): one captured payment per
 * period at most, and a paid month has exactly one; INVARIANT(receipt-seq)
 * over single and annual receipts together; no single receipt for a
 * monthly gift. */
static void check_invariants(struct tk *e)
{
	tk_assert_ledger_balanced(e->db);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM recurring_charges c WHERE 1 <"
				     " (SELECT COUNT(*) FROM payments p WHERE p.donation_id = c.donation_id"
				     "  AND p.status = 'captured')", 0), 0);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM donations d WHERE d.status = 'paid' AND 1 <>"
				     " (SELECT COUNT(*) FROM payments p WHERE p.donation_id = d.id"
				     "  AND p.status = 'captured')", 0), 0);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM (SELECT org_id, year, COUNT(*) AS n,"
				     " COUNT(DISTINCT number) AS d, MIN(number) AS lo, MAX(number) AS hi FROM"
				     " (SELECT org_id, year, number FROM tax_receipts UNION ALL"
				     "  SELECT org_id, year, number FROM annual_receipts) u GROUP BY org_id, year) g"
				     " WHERE g.n <> g.d OR g.lo <> 1 OR g.hi <> g.n", 0), 0);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM tax_receipt_counters c WHERE c.next - 1 <>"
				     " (SELECT COUNT(*) FROM tax_receipts r WHERE r.org_id = c.org_id"
				     "  AND r.year = c.year) + (SELECT COUNT(*) FROM annual_receipts r"
				     "  WHERE r.org_id = c.org_id AND r.year = c.year)", 0), 0);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM tax_receipts r JOIN donations d"
				     " ON d.id = r.donation_id WHERE d.recurring_id IS NOT NULL", 0), 0);
}

/* ---- the demo card --------------------------------------------------------------------------- */

static void test_a_monthly_donation_is_charged_once_a_month(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	struct actor donor = new_donor(e);
	int64_t rid = monthly_demo(e, e->db, &donor, org, 2500);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM recurring_donations WHERE id = $1"
				     " AND status = 'active'", rid), 1);
	assert_int_equal(captured(e, rid), 1);
	int64_t due = next_charge(e, rid);
	int64_t now = time_now();
	assert_true(due > now + 27 * DAY && due < now + 32 * DAY);
	/* Not due yet: nothing. */
	int n = -1;
	assert_int_equal(recurring_run_due(e->db, now, 50, &n), KQ_OK);
	assert_int_equal(n, 0);
	/* Due: one charge, and a second pass at the same time charges nothing. */
	assert_int_equal(recurring_run_due(e->db, due, 50, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(recurring_run_due(e->db, due + 60, 50, &n), KQ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(captured(e, rid), 2);
	int64_t due2 = next_charge(e, rid);
	assert_true(due2 > due + 27 * DAY && due2 < due + 32 * DAY);
	assert_int_equal(recurring_run_due(e->db, due2, 50, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(captured(e, rid), 3);
	assert_int_equal(count_of(e, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger WHERE org_id = $1",
				  org), 3 * 2500);
	/* Each month is a donation of the donor's, without a receipt of its own. */
	struct donation *list = NULL;
	int nl = 0;
	assert_int_equal(donations_of_account(e->db, &donor, e->a, &list, &nl), KQ_OK);
	assert_int_equal(nl, 3);
	for (int i = 0; i < nl; i++) {
		assert_int_equal(list[i].recurring_id, rid);
		assert_false(list[i].has_receipt);
		assert_string_equal(list[i].status, "paid");
	}
	/* The thanks mails carry the stop link. */
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM outbox WHERE body_text LIKE"
				     " '%/dons/mensuel/%' AND to_addr = 'zoe@example.org' AND id > $1", 0), 3);
	check_invariants(e);
}

static void test_bad_monthly_requests_are_refused_and_write_nothing(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	struct actor donor = new_donor(e);
	int64_t before = count_of(e, "SELECT COUNT(*) FROM recurring_donations WHERE id > $1", 0);
	int64_t dons = count_of(e, "SELECT COUNT(*) FROM donations WHERE id > $1", 0);
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	/* Without an account. */
	struct donation_request in = request(org, 2000, "demo", key, true);
	struct field_errors fe = { 0 };
	struct donation d;
	assert_int_equal(donations_give(e->db, &e->a_visitor, &in, e->a, &fe, &d), KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "frequency"));
	/* By transfer. */
	in = request(org, 2000, "transfer", key, true);
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(donations_give(e->db, &donor, &in, e->a, &fe, &d), KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "provider"));
	/* A bad amount. */
	in = request(org, 50, "demo", key, true);
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(donations_give(e->db, &donor, &in, e->a, &fe, &d), KQ_ERR_FORM_INVALID);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM recurring_donations WHERE id > $1", 0), before);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM donations WHERE id > $1", 0), dons);
	/* A double click: the same monthly donation. */
	in = request(org, 2000, "demo", key, true);
	memset(&fe, 0, sizeof(fe));
	struct donation d2;
	assert_int_equal(donations_give(e->db, &donor, &in, e->a, &fe, &d), KQ_OK);
	assert_int_equal(donations_give(e->db, &donor, &in, e->a, &fe, &d2), KQ_OK);
	assert_int_equal(d.id, d2.id);
	assert_int_equal(d.recurring_id, d2.recurring_id);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM recurring_donations WHERE id > $1", 0),
			 before + 1);
	/* Someone else cannot stop it. */
	assert_int_equal(recurring_stop(e->db, &e->a_stranger, d.recurring_id), KQ_ERR_NOT_FOUND);
	assert_int_equal(recurring_stop(e->db, &e->a_visitor, d.recurring_id), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(recurring_stop_by_token(e->db, "nope"), KQ_ERR_NOT_FOUND);
	check_invariants(e);
}

/* ---- two job passes at once ------------------------------------------------------------------ */

#define PASSES 4

struct pass {
	const char *url;
	int64_t now;
	pthread_barrier_t *go;
	enum kq_err result;
	int charged;
	char err[256];
};

static void *pass_main(void *arg)
{
	struct pass *p = arg;
	struct db *db = db_open(p->url, p->err, sizeof(p->err));
	pthread_barrier_wait(p->go);
	if (!db) {
		p->result = KQ_ERR_INTERNAL;
		return NULL;
	}
	p->result = recurring_run_due(db, p->now, 50, &p->charged);
	db_close(db);
	return NULL;
}

static int run_concurrently(struct tk *e, int64_t now)
{
	struct pass p[PASSES];
	pthread_t th[PASSES];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, PASSES);
	for (int i = 0; i < PASSES; i++) {
		p[i] = (struct pass){ .url = e->url, .now = now, .go = &go };
		assert_int_equal(pthread_create(&th[i], NULL, pass_main, &p[i]), 0);
	}
	int total = 0;
	for (int i = 0; i < PASSES; i++) {
		pthread_join(th[i], NULL);
		if (p[i].result != KQ_OK)
			print_message("pass %d: %s %s\n", i, err_api_code(p[i].result), p[i].err);
		total += p[i].charged;
	}
	pthread_barrier_destroy(&go);
	return total;
}

static void test_concurrent_job_passes_charge_each_period_once(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t rid[5];
	for (int i = 0; i < 5; i++) {
		struct actor donor = new_donor(e);
		rid[i] = monthly_demo(e, e->db, &donor, org, 1000 + i);
	}
	int64_t due = next_charge(e, rid[0]);
	for (int i = 1; i < 5; i++)
		if (next_charge(e, rid[i]) > due)
			due = next_charge(e, rid[i]);
	int total = run_concurrently(e, due);
	for (int i = 0; i < 5; i++)
		assert_int_equal(captured(e, rid[i]), 2);
	assert_int_equal(total, 5);
	/* And again, all at once: nothing more. */
	assert_int_equal(run_concurrently(e, due + 3600), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(captured(e, rid[i]), 2);
	check_invariants(e);
}

/* ---- killed mid-way -------------------------------------------------------------------------- */

/* The pass is killed at each of its steps in turn; the next pass then
 * finishes the month, and exactly one payment is captured for it. With
 * Stripe, the provider itself charged the card once (the key replayed). */
static void killed_at_every_step(struct tk *e, const char *provider)
{
	int64_t org = new_association(e);
	int failures = 0;
	for (long k = 1; k < 200; k++) {
		struct actor donor = new_donor(e);
		int64_t rid;
		if (str_eq(provider, "demo")) {
			rid = monthly_demo(e, e->db, &donor, org, 1200);
		} else {
			char key[TOKEN_HEX_LEN + 1];
			crypto_token(key);
			struct donation_request in = request(org, 1200, "stripe", key, true);
			struct field_errors fe = { 0 };
			struct donation d;
			assert_int_equal(donations_give(e->db, &donor, &in, e->a, &fe, &d), KQ_OK);
			const char *session = strrchr(d.redirect_url, '/') + 1;
			struct delivery dl = fake_pay(session);
			enum webhook_result r;
			assert_int_equal(deliver(e->db, &dl, &r), KQ_OK);
			assert_int_equal(r, WEBHOOK_APPLIED);
			delivery_free(&dl);
			rid = d.recurring_id;
		}
		int64_t due = next_charge(e, rid);
		int64_t off = fake_count("off_session");
		faults_arm(k);
		int n = 0;
		enum kq_err err = recurring_run_due(e->db, due, 1, &n);
		bool fired = faults_fired();
		faults_arm(0);
		if (!fired) {
			assert_int_equal(err, KQ_OK);
			assert_int_equal(captured(e, rid), 2);
			break;
		}
		failures++;
		check_invariants(e);
		assert_true(captured(e, rid) <= 2);
		/* The next pass, once the dead one's lease is over, finishes the
		 * month; more passes change nothing. */
		assert_int_equal(recurring_run_due(e->db, due + RECURRING_LEASE, 1, &n), KQ_OK);
		assert_int_equal(recurring_run_due(e->db, due + RECURRING_LEASE + 60, 1, &n), KQ_OK);
		assert_int_equal(captured(e, rid), 2);
		assert_int_equal(count_of(e, "SELECT COUNT(*) FROM recurring_charges WHERE recurring_id = $1",
					  rid), 2);
		if (str_eq(provider, "stripe"))
			assert_int_equal(fake_count("off_session"), off + 1);
		check_invariants(e);
		/* Out of the way of the next round's passes. */
		assert_int_equal(recurring_stop(e->db, &donor, rid), KQ_OK);
	}
	print_message("%s renewal: %d injected failures\n", provider, failures);
	assert_true(failures >= 8);
	check_invariants(e);
}

static void test_a_pass_killed_at_every_step_charges_once_demo(void **state)
{
	killed_at_every_step(*state, "demo");
}

static void test_a_pass_killed_at_every_step_charges_once_stripe(void **state)
{
	killed_at_every_step(*state, "stripe");
}

/* ---- stop ------------------------------------------------------------------------------------ */

static void test_a_stopped_monthly_donation_is_never_charged_again(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	struct actor donor = new_donor(e);
	int64_t rid = monthly_demo(e, e->db, &donor, org, 3000);
	int64_t due = next_charge(e, rid);
	struct recurring_donation *list = NULL;
	int n = 0;
	assert_int_equal(recurring_of_account(e->db, &donor, e->a, &list, &n), KQ_OK);
	assert_int_equal(n, 1);
	const char *token = list[0].stop_token;
	/* The link's page reads it; the POST stops it; stopping twice is fine. */
	struct recurring_donation r;
	assert_int_equal(recurring_get_by_token(e->db, e->a, token, &r), KQ_OK);
	assert_string_equal(r.status, "active");
	assert_int_equal(recurring_stop_by_token(e->db, token), KQ_OK);
	assert_int_equal(recurring_stop_by_token(e->db, token), KQ_OK);
	int charged = 0;
	assert_int_equal(recurring_run_due(e->db, due, 50, &charged), KQ_OK);
	assert_int_equal(recurring_run_due(e->db, due + 40 * DAY, 50, &charged), KQ_OK);
	assert_int_equal(charged, 0);
	assert_int_equal(captured(e, rid), 1);
	check_invariants(e);
}

/* The stop lands between the claim and the charge: the claimed payment is
 * cancelled and the card never charged. */
static void test_a_stop_between_claim_and_charge_wins(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	bool tried = false;
	for (long k = 1; k < 60 && !tried; k++) {
		struct actor donor = new_donor(e);
		int64_t rid = monthly_demo(e, e->db, &donor, org, 1500);
		int64_t due = next_charge(e, rid);
		faults_arm(k);
		int n = 0;
		(void)recurring_run_due(e->db, due, 1, &n);
		bool fired = faults_fired();
		faults_arm(0);
		int64_t created = count_of(e, "SELECT COUNT(*) FROM payments p JOIN donations d"
					      " ON d.id = p.donation_id WHERE d.recurring_id = $1"
					      " AND p.status = 'created'", rid);
		if (fired && created == 1) {
			tried = true;   /* claimed, not begun: now the donor stops */
			assert_int_equal(recurring_stop(e->db, &donor, rid), KQ_OK);
			assert_int_equal(recurring_run_due(e->db, due, 50, &n), KQ_OK);
			assert_int_equal(n, 0);
			assert_int_equal(captured(e, rid), 1);
			assert_int_equal(count_of(e, "SELECT COUNT(*) FROM payments p JOIN donations d"
						     " ON d.id = p.donation_id WHERE d.recurring_id = $1"
						     " AND p.status = 'cancelled'", rid), 1);
			assert_int_equal(count_of(e, "SELECT COUNT(*) FROM donations WHERE recurring_id = $1"
						     " AND status = 'cancelled'", rid), 1);
		} else {
			assert_int_equal(recurring_stop(e->db, &donor, rid), KQ_OK);
		}
	}
	assert_true(tried);
	check_invariants(e);
}

/* A charge left 'started' by a dead pass is asked again (same key) after
 * the lease, but never once the provider may have forgotten the key: then
 * it waits for a human, looked at again a day later. */
static void test_a_charge_left_under_way_too_long_is_not_replayed(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	bool tried = false;
	for (long k = 1; k < 60 && !tried; k++) {
		struct actor donor = new_donor(e);
		int64_t rid = monthly_demo(e, e->db, &donor, org, 1600);
		int64_t due = next_charge(e, rid);
		faults_arm(k);
		int n = 0;
		(void)recurring_run_due(e->db, due, 1, &n);
		faults_arm(0);
		int64_t started = count_of(e, "SELECT COUNT(*) FROM payments p JOIN donations d"
					      " ON d.id = p.donation_id WHERE d.recurring_id = $1"
					      " AND p.status = 'started'", rid);
		if (started == 1 && captured(e, rid) == 1) {
			tried = true;
			/* Within the lease: another pass leaves it alone. */
			assert_int_equal(recurring_run_due(e->db, due + 60, 50, &n), KQ_OK);
			assert_int_equal(captured(e, rid), 1);
			/* A day later: not replayed, looked at again the next day. */
			int64_t late = due + RECURRING_REPLAY_MAX + 60;
			assert_int_equal(recurring_run_due(e->db, late, 50, &n), KQ_OK);
			assert_int_equal(captured(e, rid), 1);
			assert_int_equal(next_charge(e, rid), late + DAY);
		}
		assert_int_equal(recurring_stop(e->db, &donor, rid), KQ_OK);
	}
	assert_true(tried);
	check_invariants(e);
}

struct stopper {
	const char *url;
	const char *token;
	pthread_barrier_t *go;
	enum kq_err result;
	char err[256];
};

static void *stop_main(void *arg)
{
	struct stopper *s = arg;
	struct db *db = db_open(s->url, s->err, sizeof(s->err));
	pthread_barrier_wait(s->go);
	s->result = db ? recurring_stop_by_token(db, s->token) : KQ_ERR_INTERNAL;
	if (db)
		db_close(db);
	return NULL;
}

/* A stop and a job pass at the same instant, many times: each month is
 * charged at most once, and after the stop nothing more ever is. */
static void test_stop_racing_the_job(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int renewed = 0;
	for (int round = 0; round < 8; round++) {
		struct actor donor = new_donor(e);
		int64_t rid = monthly_demo(e, e->db, &donor, org, 1700);
		int64_t due = next_charge(e, rid);
		struct recurring_donation *list = NULL;
		int n = 0;
		assert_int_equal(recurring_of_account(e->db, &donor, e->a, &list, &n), KQ_OK);
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, 2);
		struct stopper s = { e->url, list[0].stop_token, &go, KQ_OK, "" };
		struct pass p = { .url = e->url, .now = due, .go = &go };
		pthread_t t1, t2;
		assert_int_equal(pthread_create(&t1, NULL, stop_main, &s), 0);
		assert_int_equal(pthread_create(&t2, NULL, pass_main, &p), 0);
		pthread_join(t1, NULL);
		pthread_join(t2, NULL);
		pthread_barrier_destroy(&go);
		assert_int_equal(s.result, KQ_OK);
		int64_t c = captured(e, rid);
		assert_true(c == 1 || c == 2);
		renewed += c == 2;
		/* Stopped now: no pass ever charges it again. */
		assert_int_equal(recurring_run_due(e->db, due + 3600, 50, &n), KQ_OK);
		assert_int_equal(recurring_run_due(e->db, due + 45 * DAY, 50, &n), KQ_OK);
		assert_int_equal(captured(e, rid), c);
		assert_int_equal(count_of(e, "SELECT COUNT(*) FROM recurring_donations WHERE id = $1"
					     " AND status = 'stopped'", rid), 1);
		check_invariants(e);
	}
	print_message("stop race: %d of 8 renewed before the stop\n", renewed);
}

/* ---- Stripe: saved card, a card that fails ---------------------------------------------------- */

static int64_t monthly_stripe(struct tk *e, const struct actor *donor, int64_t org, int64_t cents)
{
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct donation_request in = request(org, cents, "stripe", key, true);
	struct field_errors fe = { 0 };
	struct donation d;
	assert_int_equal(donations_give(e->db, donor, &in, e->a, &fe, &d), KQ_OK);
	assert_string_equal(d.status, "pending");
	const char *session = strrchr(d.redirect_url, '/') + 1;
	struct delivery dl = fake_pay(session);
	enum webhook_result r;
	assert_int_equal(deliver(e->db, &dl, &r), KQ_OK);
	assert_int_equal(r, WEBHOOK_APPLIED);
	delivery_free(&dl);
	return d.recurring_id;
}

static void test_a_stripe_renewal_charges_the_saved_card_off_session(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	struct actor donor = new_donor(e);
	int64_t rid = monthly_stripe(e, &donor, org, 4000);
	int64_t due = next_charge(e, rid);
	int64_t off = fake_count("off_session");
	int n = 0;
	assert_int_equal(recurring_run_due(e->db, due, 50, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(fake_count("off_session"), off + 1);
	assert_int_equal(captured(e, rid), 2);
	/* The saved card is remembered; the fee is in the book. */
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM recurring_donations WHERE id = $1"
				     " AND provider_customer LIKE 'cus_%' AND provider_method LIKE 'pm_%'", rid),
			 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM ledger WHERE org_id = $1 AND kind = 'fee'", org),
			 2);
	check_invariants(e);
}

static void test_a_declined_renewal_is_retried_then_stopped_with_a_mail(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	struct actor donor = new_donor(e);
	int64_t rid = monthly_stripe(e, &donor, org, 2200);
	int64_t due = next_charge(e, rid);
	json_decref(fake_call("POST", "/_test/decline?count=3"));
	int64_t mails = count_of(e, "SELECT COUNT(*) FROM outbox WHERE subject LIKE '%interrompu%'"
				    " AND id > $1", 0);
	int n = 0;
	int64_t at = due;
	for (int i = 1; i <= RECURRING_MAX_TRIES; i++) {
		assert_int_equal(recurring_run_due(e->db, at, 50, &n), KQ_OK);
		assert_int_equal(n, 0);
		assert_int_equal(count_of(e, "SELECT failures FROM recurring_donations WHERE id = $1", rid), i);
		if (i < RECURRING_MAX_TRIES) {
			int64_t retry = next_charge(e, rid);
			assert_true(retry > at && retry <= at + 4 * DAY);
			/* Not before the retry time. */
			assert_int_equal(recurring_run_due(e->db, retry - 60, 50, &n), KQ_OK);
			assert_int_equal(count_of(e, "SELECT failures FROM recurring_donations WHERE id = $1",
						  rid), i);
			at = retry;
		}
	}
	assert_true(at - due <= 7 * DAY);   /* three tries within a week */
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM recurring_donations WHERE id = $1"
				     " AND status = 'failed'", rid), 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM outbox WHERE subject LIKE '%interrompu%'"
				     " AND id > $1", 0), mails + 1);
	/* One donation for the month, cancelled, with its three failed tries. */
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM donations WHERE recurring_id = $1"
				     " AND status = 'cancelled'", rid), 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM payments p JOIN donations d ON d.id = p.donation_id"
				     " WHERE d.recurring_id = $1 AND p.status = 'failed'", rid), 3);
	assert_int_equal(recurring_run_due(e->db, at + 40 * DAY, 50, &n), KQ_OK);
	assert_int_equal(captured(e, rid), 1);
	check_invariants(e);
}

/* ---- annual summaries ------------------------------------------------------------------------ */

#define SUMMARY_DONORS 6

struct asker {
	const char *url;
	struct actor who;
	int64_t org;
	int year;
	pthread_barrier_t *go;
	enum kq_err result;
	int64_t id;
	char err[256];
};

static void *ask_main(void *arg)
{
	struct asker *s = arg;
	struct db *db = db_open(s->url, s->err, sizeof(s->err));
	pthread_barrier_wait(s->go);
	s->result = db ? recurring_annual_request(db, &s->who, s->org, s->year, &s->id)
		       : KQ_ERR_INTERNAL;
	if (s->result != KQ_OK && db)
		snprintf(s->err, sizeof(s->err), "%s", db_errmsg(db));
	if (db)
		db_close(db);
	return NULL;
}

static void test_annual_summaries_are_numbered_without_gaps_under_concurrent_requests(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int year = receipts_year_of(time_now());
	struct actor donors[SUMMARY_DONORS];
	for (int i = 0; i < SUMMARY_DONORS; i++) {
		donors[i] = new_donor(e);
		int64_t rid = monthly_demo(e, e->db, &donors[i], org, 1000 * (i + 1));
		(void)rid;
	}
	/* The year is not over: refused. */
	int64_t id = 0;
	assert_int_equal(recurring_annual_request(e->db, &donors[0], org, year, &id), KQ_ERR_FORM_INVALID);
	/* Next year, each donor asks twice, all at the same time. */
	tl_set_clock(366 * DAY);
	int next_year = receipts_year_of(time_now());
	assert_int_equal(next_year, year + 1);
	struct asker s[2 * SUMMARY_DONORS];
	pthread_t th[2 * SUMMARY_DONORS];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, 2 * SUMMARY_DONORS);
	for (int i = 0; i < 2 * SUMMARY_DONORS; i++) {
		s[i] = (struct asker){ .url = e->url, .who = donors[i % SUMMARY_DONORS], .org = org,
				       .year = year, .go = &go };
		assert_int_equal(pthread_create(&th[i], NULL, ask_main, &s[i]), 0);
	}
	for (int i = 0; i < 2 * SUMMARY_DONORS; i++) {
		pthread_join(th[i], NULL);
		if (s[i].result != KQ_OK)
			print_message("asker %d: %s %s\n", i, err_api_code(s[i].result), s[i].err);
		assert_int_equal(s[i].result, KQ_OK);
	}
	pthread_barrier_destroy(&go);
	for (int i = 0; i < SUMMARY_DONORS; i++)
		assert_int_equal(s[i].id, s[i + SUMMARY_DONORS].id);   /* never two for one donor */
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM annual_receipts WHERE org_id = $1", org),
			 SUMMARY_DONORS);
	assert_int_equal(count_of(e, "SELECT MAX(number) FROM annual_receipts WHERE org_id = $1", org),
			 SUMMARY_DONORS);
	assert_int_equal(count_of(e, "SELECT next FROM tax_receipt_counters WHERE org_id = $1"
				     " AND year = (SELECT MAX(year) FROM tax_receipt_counters WHERE org_id = $1)",
				  org), SUMMARY_DONORS + 1);
	/* Its content: the year's gifts and their total; the donor only. */
	struct annual_receipt r;
	assert_int_equal(recurring_annual_get(e->db, &donors[2], e->a, s[2].id, &r), KQ_OK);
	assert_int_equal(r.fiscal_year, year);
	assert_int_equal(r.amount_cents, 3000);
	assert_int_equal(r.n_lines, 1);
	assert_int_equal(r.year, next_year);
	assert_int_equal(recurring_annual_get(e->db, &donors[1], e->a, s[2].id, &r), KQ_ERR_NOT_FOUND);
	assert_int_equal(recurring_annual_get(e->db, &e->a_visitor, e->a, s[2].id, &r),
			 KQ_ERR_AUTH_REQUIRED);
	struct buf pdf = BUF_INIT;
	assert_int_equal(recurring_annual_get(e->db, &donors[2], e->a, s[2].id, &r), KQ_OK);
	assert_int_equal(receipts_annual_pdf(&pdf, e->a, &r), KQ_OK);
	assert_true(pdf.len > 1000 && memcmp(pdf.p, "%PDF", 4) == 0);
	buf_free(&pdf);
	/* "Mes dons" lists the year with its receipt. */
	struct recurring_year *years = NULL;
	int ny = 0;
	assert_int_equal(recurring_years_of_account(e->db, &donors[2], e->a, &years, &ny), KQ_OK);
	assert_int_equal(ny, 1);
	assert_int_equal(years[0].receipt_id, s[2].id);
	assert_int_equal(years[0].total_cents, 3000);
	/* Nothing given to this association by someone else: no summary. */
	assert_int_equal(recurring_annual_request(e->db, &e->a_stranger, org, year, &id), KQ_ERR_NOT_FOUND);
	check_invariants(e);
	tl_set_clock(0);
}

static void test_the_january_job_issues_the_missing_summaries_once(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int year = receipts_year_of(time_now());
	struct actor a = new_donor(e), b = new_donor(e);
	(void)monthly_demo(e, e->db, &a, org, 1100);
	(void)monthly_demo(e, e->db, &b, org, 1300);
	int64_t id = 0;
	tl_set_clock(366 * DAY);
	assert_int_equal(recurring_annual_request(e->db, &a, org, year, &id), KQ_OK);
	/* 15 January of next year, 10:00. */
	struct tm tm = { 0 };
	tm.tm_year = year + 1 - 1900;
	tm.tm_mday = 15;
	tm.tm_hour = 10;
	tm.tm_isdst = -1;
	int64_t jan = (int64_t)mktime(&tm);
	int n = 0, total = 0;
	/* Batches of 50 (earlier tests' donors too), until nothing is missing. */
	do {
		assert_int_equal(recurring_annual_issue_due(e->db, jan, 50, &n), KQ_OK);
		total += n;
	} while (n > 0);
	assert_true(total >= 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM annual_receipts WHERE org_id = $1", org), 2);
	assert_int_equal(recurring_annual_issue_due(e->db, jan + 60, 50, &n), KQ_OK);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM annual_receipts WHERE org_id = $1", org), 2);
	/* Outside January: nothing is looked for. */
	assert_int_equal(recurring_annual_issue_due(e->db, jan + 40 * DAY, 50, &n), KQ_OK);
	assert_int_equal(n, 0);
	check_invariants(e);
	tl_set_clock(0);
}

static const struct db_sql T_DEMO_DONOR = { "t_rec_demo_donor",
	"INSERT INTO accounts (email, email_lower, display_name, password_hash, email_verified_at,"
	" platform_role, lang, created_at) VALUES ('lucie.fabre@example.org', 'lucie.fabre@example.org',"
	" 'Lucie Fabre', 'x', 1, '', 'fr', 1) ON CONFLICT DO NOTHING" };

static enum db_status demo_txn(struct db *db, void *cls)
{
	(void)cls;
	return recurring_load_demo(db) == KQ_OK ? DB_NONE : DB_HARD;
}

static void test_the_demo_has_a_monthly_donation(void **state)
{
	struct tk *e = *state;
	(void)new_association(e);
	struct db_stmt *st = db_stmt(e->db, &T_DEMO_DONOR);
	assert_true(db_run(st) >= 0);
	assert_true(db_txn_run(e->db, "t_demo", DB_WRITE, demo_txn, NULL) >= 0);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM recurring_donations r JOIN accounts a"
				     " ON a.id = r.account_id WHERE a.email = 'lucie.fabre@example.org'"
				     " AND r.status = 'active' AND r.id > $1", 0), 1);
	/* Loading again adds nothing. */
	assert_true(db_txn_run(e->db, "t_demo", DB_WRITE, demo_txn, NULL) >= 0);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM recurring_donations r JOIN accounts a"
				     " ON a.id = r.account_id WHERE a.email = 'lucie.fabre@example.org'"
				     " AND r.id > $1", 0), 1);
	check_invariants(e);
}

int main(void)
{
	crypto_init();
	time_init();
	i18n_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!fake_start()) {
		fprintf(stderr, "test_recurring: cannot start tests/tools/fake_stripe.py\n");
		return 1;
	}
	struct core_settings cs = { "https://kiosque.test", "Kiosque <no-reply@kiosque.test>" };
	core_init(&cs);
	struct payments_settings ps = { STRIPE_KEY, STRIPE_WHSEC, fake_base, true, 30 };
	payments_configure(&ps);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_monthly_donation_is_charged_once_a_month),
		cmocka_unit_test(test_bad_monthly_requests_are_refused_and_write_nothing),
		cmocka_unit_test(test_concurrent_job_passes_charge_each_period_once),
		cmocka_unit_test(test_a_pass_killed_at_every_step_charges_once_demo),
		cmocka_unit_test(test_a_pass_killed_at_every_step_charges_once_stripe),
		cmocka_unit_test(test_a_stopped_monthly_donation_is_never_charged_again),
		cmocka_unit_test(test_a_stop_between_claim_and_charge_wins),
		cmocka_unit_test(test_stop_racing_the_job),
		cmocka_unit_test(test_a_charge_left_under_way_too_long_is_not_replayed),
		cmocka_unit_test(test_a_stripe_renewal_charges_the_saved_card_off_session),
		cmocka_unit_test(test_a_declined_renewal_is_retried_then_stopped_with_a_mail),
		cmocka_unit_test(test_annual_summaries_are_numbered_without_gaps_under_concurrent_requests),
		cmocka_unit_test(test_the_january_job_issues_the_missing_summaries_once),
		cmocka_unit_test(test_the_demo_has_a_monthly_donation),
	};
	int failed = 0;
	TL_RUN_GROUP_BOTH(failed, "recurring", tests, setup_sqlite_tk, setup_pg_tk, teardown_tk);
	fake_stop();
	curl_global_cleanup();
	return TL_EXIT(failed);
}
