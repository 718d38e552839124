/* test_donations.c: donations and tax receipts on both backends (core/donations.c, core/receipts.c): the amount
 * in French words, gapless receipt numbers under 30 concurrent donations, no receipt without an admin's check,
 * idempotent giving, a webhook replayed ten times making one payment and one receipt; the ledger invariant and
 * the receipt sequence checked after every test. */
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

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

TK_DB_SETUPS("donations")

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

/* A fresh association per test, so receipt numbers start at 1. */
static int64_t new_association(struct tk *e)
{
	static int n;
	char name[64];
	snprintf(name, sizeof(name), "Amis du lavoir %d %d", (int)getpid(), ++n);
	struct new_org x = { e, name, 0 };
	assert_true(db_txn_run(e->db, "t_new_org", DB_WRITE, new_org_txn, &x) >= 0);
	return x.id;
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

static struct actor admin_actor(struct tk *e)
{
	struct actor a = e->a_stranger;
	a.platform_role = "admin";
	return a;
}

/* Declared by the treasurer, checked by a platform admin. */
static void declare(struct tk *e, int64_t org, bool checked)
{
	struct field_errors fe = { 0 };
	assert_int_equal(donations_settings_save(e->db, &e->a_treasurer, org, &FISCAL, &fe), KQ_OK);
	if (checked) {
		struct actor admin = admin_actor(e);
		assert_int_equal(donations_fiscal_check(e->db, &admin, org), KQ_OK);
	}
}

static struct donation_request request(int64_t org, int64_t cents, const char *provider,
				       const char *key)
{
	struct donation_request in = {
		.org_id = org, .amount_cents = cents, .donor_name = "Zoé Lefèvre",
		.donor_address = "14 rue des Tilleuls", .donor_postcode = "26400",
		.donor_city = "Crest", .donor_email = "zoe@example.org", .provider = provider,
		.idempotency_key = key, .lang = "fr",
	};
	return in;
}

static enum kq_err give(struct tk *e, int64_t org, int64_t cents, const char *provider,
			struct donation *out)
{
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct donation_request in = request(org, cents, provider, key);
	struct field_errors fe = { 0 };
	return donations_give(e->db, &e->a_visitor, &in, e->a, &fe, out);
}

/* INVARIANT(receipt-seq): per association and year, numbers are exactly 1..n
 * and the counter's next is n + 1; and INVARIANT(ledger). */
static void check_invariants(struct tk *e)
{
	tk_assert_ledger_balanced(e->db);
	assert_int_equal(tk_scalar(e->db, "receipt_gaps",
				   "SELECT COUNT(*) FROM (SELECT org_id, year, COUNT(*) AS n,"
				   " COUNT(DISTINCT number) AS d, MIN(number) AS lo, MAX(number) AS hi"
				   " FROM tax_receipts GROUP BY org_id, year) g"
				   " WHERE g.n <> g.d OR g.lo <> 1 OR g.hi <> g.n", 0), 0);
	assert_int_equal(tk_scalar(e->db, "receipt_counters",
				   "SELECT COUNT(*) FROM tax_receipt_counters c WHERE c.next - 1 <>"
				   " (SELECT COUNT(*) FROM tax_receipts r WHERE r.org_id = c.org_id"
				   "  AND r.year = c.year)", 0), 0);
	/* A receipt only for a paid donation, and a paid donation has one captured payment. */
	assert_int_equal(tk_scalar(e->db, "receipt_unpaid",
				   "SELECT COUNT(*) FROM tax_receipts r JOIN donations d ON d.id = r.donation_id"
				   " WHERE d.status <> 'paid' AND r.cancelled_at IS NULL", 0), 0);
	assert_int_equal(tk_scalar(e->db, "paid_once",
				   "SELECT COUNT(*) FROM donations d WHERE d.status = 'paid' AND 1 <>"
				   " (SELECT COUNT(*) FROM payments p WHERE p.donation_id = d.id"
				   "  AND p.status = 'captured')", 0), 0);
}

static int64_t count_of(struct tk *e, const char *sql, int64_t arg)
{
	return tk_scalar(e->db, "count", sql, arg);
}

/* ---- the amount in words (no database) ---------------------------------------------------- */

static void test_amounts_are_written_in_french_words(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	static const struct { int64_t cents; const char *words; } cases[] = {
		{ 1, "un centime" },
		{ 2, "deux centimes" },
		{ 100, "un euro" },
		{ 101, "un euro et un centime" },
		{ 2100, "vingt et un euros" },
		{ 2200, "vingt-deux euros" },
		{ 3100, "trente et un euros" },
		{ 6100, "soixante et un euros" },
		{ 7000, "soixante-dix euros" },
		{ 7100, "soixante et onze euros" },
		{ 7200, "soixante-douze euros" },
		{ 7700, "soixante-dix-sept euros" },
		{ 8000, "quatre-vingts euros" },
		{ 8100, "quatre-vingt-un euros" },
		{ 9000, "quatre-vingt-dix euros" },
		{ 9100, "quatre-vingt-onze euros" },
		{ 9900, "quatre-vingt-dix-neuf euros" },
		{ 10000, "cent euros" },
		{ 10100, "cent un euros" },
		{ 12550, "cent vingt-cinq euros et cinquante centimes" },
		{ 18000, "cent quatre-vingts euros" },
		{ 20000, "deux cents euros" },
		{ 20100, "deux cent un euros" },
		{ 28000, "deux cent quatre-vingts euros" },
		{ 100000, "mille euros" },
		{ 100100, "mille un euros" },
		{ 200000, "deux mille euros" },
		{ 2100000, "vingt et un mille euros" },
		{ 8000000, "quatre-vingt mille euros" },
		{ 20000000, "deux cent mille euros" },
		{ 20000001, "deux cent mille euros et un centime" },
		{ 99999999, "neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf euros"
			    " et quatre-vingt-dix-neuf centimes" },
		{ 100000000, "un million d'euros" },
		{ 200000000, "deux millions d'euros" },
		{ 20000000000LL, "deux cents millions d'euros" },
		{ 8000000000LL, "quatre-vingts millions d'euros" },
		{ 100020000, "un million deux cents euros" },
		{ 120000000, "un million deux cent mille euros" },
		{ 100000000000LL, "un milliard d'euros" },
		{ 0, "zéro euro" },
		{ 1099, "dix euros et quatre-vingt-dix-neuf centimes" },
		{ 1180, "onze euros et quatre-vingts centimes" },
		{ 1771, "dix-sept euros et soixante et onze centimes" },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(cases); i++) {
		const char *got = receipts_amount_words(a, cases[i].cents);
		if (strcmp(got, cases[i].words) != 0)
			fail_msg("%lld cents: \"%s\", want \"%s\"", (long long)cases[i].cents, got,
				 cases[i].words);
	}
	assert_string_equal(receipts_number_words(a, 1001), "mille un");
	assert_string_equal(receipts_number_words(a, 300), "trois cents");
	assert_string_equal(receipts_number_words(a, 300000), "trois cent mille");
	assert_string_equal(receipts_number_text(a, 2026, 1), "2026-0001");
	assert_string_equal(receipts_number_text(a, 2026, 12345), "2026-12345");
	arena_free(a);
}

static void test_typed_amounts_parse_to_cents(void **state)
{
	(void)state;
	static const struct { const char *s; bool ok; int64_t cents; } cases[] = {
		{ "25", true, 2500 }, { "12,50", true, 1250 }, { "12.5", true, 1250 },
		{ "1 000", true, 100000 }, { "0,01", true, 1 }, { "25 €", true, 2500 },
		{ "", false, 0 }, { "abc", false, 0 }, { "12,505", false, 0 }, { "-5", false, 0 },
		{ "12,", false, 0 }, { ",5", false, 0 }, { "1e3", false, 0 }, { "12,5,0", false, 0 },
		{ "99999999999999999999", false, 0 },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(cases); i++) {
		int64_t v = -1;
		bool ok = donations_parse_amount(cases[i].s, &v);
		if (ok != cases[i].ok || (ok && v != cases[i].cents))
			fail_msg("\"%s\": %d %lld", cases[i].s, ok, (long long)v);
	}
}

/* ---- on both backends ----------------------------------------------------------------------- */

static void test_demo_donation_to_a_checked_association_gets_receipt_one(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	declare(e, org, true);
	struct donation d;
	assert_int_equal(give(e, org, 12550, "demo", &d), KQ_OK);
	assert_string_equal(d.status, "pending");
	assert_true(str_starts(d.redirect_url, "https://kiosque.test/dons/"));
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM tax_receipts WHERE org_id = $1", org), 0);
	assert_int_equal(donations_demo_pay(e->db, d.secret), KQ_OK);
	/* Paying again changes nothing. */
	assert_int_equal(donations_demo_pay(e->db, d.secret), KQ_ERR_ORDER_STATE);
	struct donation after;
	assert_int_equal(donations_get_by_secret(e->db, e->a, d.secret, &after), KQ_OK);
	assert_string_equal(after.status, "paid");
	assert_true(after.has_receipt);
	struct tax_receipt r;
	assert_int_equal(receipts_of_donation(e->db, e->a, d.id, &r), KQ_OK);
	assert_int_equal(r.number, 1);
	assert_int_equal(r.year, receipts_year_of(time_now()));
	assert_string_equal(r.org_name, "Les Amis du lavoir");
	assert_string_equal(r.donor_address, "14 rue des Tilleuls, 26400 Crest");
	assert_string_equal(r.payment_mode, "card");
	assert_int_equal(r.amount_cents, 12550);
	/* The receipt is frozen: a later change of the declaration does not touch it. */
	struct donation_settings_input changed = FISCAL;
	changed.legal_name = "Les Nouveaux Amis du lavoir";
	struct field_errors fe = { 0 };
	assert_int_equal(donations_settings_save(e->db, &e->a_owner, org, &changed, &fe), KQ_OK);
	assert_int_equal(receipts_of_donation(e->db, e->a, d.id, &r), KQ_OK);
	assert_string_equal(r.org_name, "Les Amis du lavoir");
	struct buf pdf = BUF_INIT;
	assert_int_equal(receipts_pdf(&pdf, e->a, &r), KQ_OK);
	assert_true(pdf.len > 1000 && memcmp(pdf.p, "%PDF-", 5) == 0);
	buf_free(&pdf);
	/* The ledger has the gift. */
	assert_int_equal(count_of(e, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger WHERE org_id = $1",
				  org), 12550);
	check_invariants(e);
}

static void test_a_changed_declaration_must_be_checked_again(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	declare(e, org, true);
	struct donation_settings s;
	struct org_fiscal f;
	assert_int_equal(donations_settings_get(e->db, e->a, org, &s, &f), KQ_OK);
	assert_true(f.is_checked);
	/* Saving the same declaration keeps the check (suggested amounts may change). */
	struct donation_settings_input same = FISCAL;
	same.suggested = "5; 15";
	struct field_errors fe = { 0 };
	assert_int_equal(donations_settings_save(e->db, &e->a_treasurer, org, &same, &fe), KQ_OK);
	assert_int_equal(donations_settings_get(e->db, e->a, org, &s, &f), KQ_OK);
	assert_true(f.is_checked);
	assert_int_equal(s.n_suggested, 2);
	assert_int_equal(s.suggested[1], 1500);
	/* A comma before a digit starts decimals, before a space it separates; anything else is refused. */
	static const struct { const char *in; int n; int64_t v[3]; } lists[] = {
		{ "10, 20,50", 2, { 1000, 2050 } }, { "12,50 ; 30", 2, { 1250, 3000 } },
		{ "12.5;7", 2, { 1250, 700 } }, { "12,50, 30", 2, { 1250, 3000 } },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(lists); i++) {
		same.suggested = lists[i].in;
		assert_int_equal(donations_settings_save(e->db, &e->a_treasurer, org, &same, &fe), KQ_OK);
		assert_int_equal(donations_settings_get(e->db, e->a, org, &s, &f), KQ_OK);
		assert_int_equal(s.n_suggested, lists[i].n);
		for (int k = 0; k < lists[i].n; k++)
			assert_int_equal(s.suggested[k], lists[i].v[k]);
	}
	static const char *const bad_lists[] = { "abc", "0,50", "1;2;3;4;5;6;7", "10 20x", "200000",
						 "10,20,50", "12,505", "-5" };
	for (size_t i = 0; i < TL_ARRAY_LEN(bad_lists); i++) {
		same.suggested = bad_lists[i];
		fe.n = 0;
		assert_int_equal(donations_settings_save(e->db, &e->a_treasurer, org, &same, &fe),
				 KQ_ERR_FORM_INVALID);
		assert_non_null(field_error_get(&fe, "suggested"));
	}
	fe.n = 0;
	struct donation_settings_input changed = FISCAL;
	changed.object = "Autre chose";
	assert_int_equal(donations_settings_save(e->db, &e->a_treasurer, org, &changed, &fe), KQ_OK);
	assert_int_equal(donations_settings_get(e->db, e->a, org, &s, &f), KQ_OK);
	assert_false(f.is_checked);
	/* Who may: owner and treasurer declare, only a platform admin checks. */
	assert_int_equal(donations_settings_save(e->db, &e->a_stranger, org, &FISCAL, &fe),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(donations_settings_save(e->db, &e->a_visitor, org, &FISCAL, &fe),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(donations_fiscal_check(e->db, &e->a_owner, org), KQ_ERR_FORBIDDEN);
	struct donation_settings_input bad = FISCAL;
	bad.rna = "W12";
	bad.siren = "12345678";
	bad.quality = "amicale";
	fe.n = 0;
	assert_int_equal(donations_settings_save(e->db, &e->a_treasurer, org, &bad, &fe),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "rna"));
	assert_non_null(field_error_get(&fe, "siren"));
	assert_non_null(field_error_get(&fe, "quality"));
	int64_t other = new_association(e);
	struct actor admin = admin_actor(e);
	assert_int_equal(donations_fiscal_check(e->db, &admin, other), KQ_ERR_NOT_FOUND);
	check_invariants(e);
}

static void test_a_donation_to_an_unchecked_association_gets_no_receipt(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	declare(e, org, false);
	struct donation d;
	assert_int_equal(give(e, org, 2000, "demo", &d), KQ_OK);
	assert_int_equal(donations_demo_pay(e->db, d.secret), KQ_OK);
	struct donation after;
	assert_int_equal(donations_get_by_secret(e->db, e->a, d.secret, &after), KQ_OK);
	assert_string_equal(after.status, "paid");
	assert_false(after.has_receipt);
	struct tax_receipt r;
	assert_int_equal(receipts_of_donation(e->db, e->a, d.id, &r), KQ_ERR_NOT_FOUND);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM tax_receipt_counters WHERE org_id = $1", org), 0);
	/* Checked later: the next gift gets number 1, not the earlier one retroactively. */
	struct actor admin = admin_actor(e);
	assert_int_equal(donations_fiscal_check(e->db, &admin, org), KQ_OK);
	struct donation d2;
	assert_int_equal(give(e, org, 3000, "demo", &d2), KQ_OK);
	assert_int_equal(donations_demo_pay(e->db, d2.secret), KQ_OK);
	assert_int_equal(receipts_of_donation(e->db, e->a, d2.id, &r), KQ_OK);
	assert_int_equal(r.number, 1);
	check_invariants(e);
}

static void test_bad_requests_are_refused_and_write_nothing(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	int64_t before = count_of(e, "SELECT COUNT(*) FROM donations WHERE org_id = $1", org);
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	static const struct { int64_t cents; const char *field; } amounts[] = {
		{ 0, "amount" }, { 99, "amount" }, { -100, "amount" }, { DONATIONS_MAX_CENTS + 1, "amount" },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(amounts); i++) {
		struct donation_request in = request(org, amounts[i].cents, "demo", key);
		struct field_errors fe = { 0 };
		struct donation d;
		assert_int_equal(donations_give(e->db, &e->a_visitor, &in, e->a, &fe, &d),
				 KQ_ERR_FORM_INVALID);
		assert_non_null(field_error_get(&fe, amounts[i].field));
	}
	struct donation_request in = request(org, 1000, "demo", key);
	in.donor_address = "";
	in.donor_email = "not an address";
	struct field_errors fe = { 0 };
	struct donation d;
	assert_int_equal(donations_give(e->db, &e->a_visitor, &in, e->a, &fe, &d), KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "donor_address"));
	assert_non_null(field_error_get(&fe, "donor_email"));
	/* A provider the association does not take (on site; stripe is not in its default list). */
	in = request(org, 1000, "onsite", key);
	fe.n = 0;
	assert_int_equal(donations_give(e->db, &e->a_visitor, &in, e->a, &fe, &d), KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "provider"));
	in = request(org, 1000, "stripe", key);
	fe.n = 0;
	assert_int_equal(donations_give(e->db, &e->a_visitor, &in, e->a, &fe, &d), KQ_ERR_FORM_INVALID);
	/* Not an association: no donations. */
	in = request(e->org + 100000, 1000, "demo", key);
	fe.n = 0;
	assert_int_equal(donations_give(e->db, &e->a_visitor, &in, e->a, &fe, &d), KQ_ERR_NOT_FOUND);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM donations WHERE org_id = $1", org), before);
	check_invariants(e);
}

static void test_a_retried_request_returns_the_same_donation(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	declare(e, org, false);   /* its bank details: a transfer needs them */
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct donation_request in = request(org, 4200, "transfer", key);
	struct field_errors fe = { 0 };
	struct donation d1, d2;
	assert_int_equal(donations_give(e->db, &e->a_visitor, &in, e->a, &fe, &d1), KQ_OK);
	assert_string_equal(d1.payment_status, "started");
	assert_int_equal(donations_give(e->db, &e->a_visitor, &in, e->a, &fe, &d2), KQ_OK);
	assert_int_equal(d1.id, d2.id);
	assert_string_equal(d1.secret, d2.secret);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM payments WHERE donation_id = $1", d1.id), 1);
	/* Without bank details to send, a transfer is not offered. */
	int64_t bare = new_association(e);
	char key2[TOKEN_HEX_LEN + 1];
	crypto_token(key2);
	struct donation_request no_iban = request(bare, 4200, "transfer", key2);
	memset(&fe, 0, sizeof(fe));
	assert_int_not_equal(donations_give(e->db, &e->a_visitor, &no_iban, e->a, &fe, &d2), KQ_OK);
	assert_non_null(field_error_get(&fe, "provider"));
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM donations WHERE org_id = $1", bare), 0);
	memset(&fe, 0, sizeof(fe));
	/* The transfer mail went once. */
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM donations WHERE org_id = $1", org), 1);
	/* The same key with another amount is refused. */
	in.amount_cents = 4300;
	assert_int_equal(donations_give(e->db, &e->a_visitor, &in, e->a, &fe, &d2),
			 KQ_ERR_IDEMPOTENCY_CONFLICT);
	/* The treasurer says the transfer came in: paid, and the ledger has it. */
	assert_int_equal(donations_mark_paid(e->db, &e->a_stranger, d1.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(donations_mark_paid(e->db, &e->a_treasurer, d1.id), KQ_OK);
	assert_int_equal(donations_mark_paid(e->db, &e->a_treasurer, d1.id), KQ_ERR_ORDER_STATE);
	assert_int_equal(count_of(e, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger WHERE org_id = $1",
				  org), 4200);
	check_invariants(e);
}

#define DONORS 30

struct donor {
	const char *url;
	int64_t org;
	pthread_barrier_t *go;
	enum kq_err result;
	char err[256];
};

static void *donor_main(void *arg)
{
	struct donor *b = arg;
	struct db *db = db_open(b->url, b->err, sizeof(b->err));
	pthread_barrier_wait(b->go);
	if (!db) {
		b->result = KQ_ERR_INTERNAL;
		return NULL;
	}
	struct arena *a = arena_new();
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct donation_request in = request(b->org, 1500, "demo", key);
	struct actor visitor = { 0 };
	struct field_errors fe = { 0 };
	struct donation d;
	b->result = donations_give(db, &visitor, &in, a, &fe, &d);
	if (b->result == KQ_OK)
		b->result = donations_demo_pay(db, d.secret);
	if (b->result != KQ_OK)
		snprintf(b->err, sizeof(b->err), "%s", db_errmsg(db));
	arena_free(a);
	db_close(db);
	return NULL;
}

static void test_30_concurrent_donations_get_receipts_1_to_30(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	declare(e, org, true);
	struct donor b[DONORS];
	pthread_t th[DONORS];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, DONORS);
	for (int i = 0; i < DONORS; i++) {
		b[i] = (struct donor){ .url = e->url, .org = org, .go = &go };
		assert_int_equal(pthread_create(&th[i], NULL, donor_main, &b[i]), 0);
	}
	int ok = 0;
	for (int i = 0; i < DONORS; i++) {
		pthread_join(th[i], NULL);
		if (b[i].result == KQ_OK)
			ok++;
		else
			print_message("donor %d: %s %s\n", i, err_api_code(b[i].result), b[i].err);
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(ok, DONORS);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM tax_receipts WHERE org_id = $1", org), DONORS);
	assert_int_equal(count_of(e, "SELECT COUNT(DISTINCT number) FROM tax_receipts WHERE org_id = $1",
				  org), DONORS);
	assert_int_equal(count_of(e, "SELECT MIN(number) FROM tax_receipts WHERE org_id = $1", org), 1);
	assert_int_equal(count_of(e, "SELECT MAX(number) FROM tax_receipts WHERE org_id = $1", org), DONORS);
	assert_int_equal(count_of(e, "SELECT next FROM tax_receipt_counters WHERE org_id = $1", org),
			 DONORS + 1);
	assert_int_equal(count_of(e, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger WHERE org_id = $1",
				  org), DONORS * 1500);
	check_invariants(e);
}

static const struct db_sql T_SESSION = { "t_session",
	"SELECT provider_ref FROM payments WHERE donation_id = $1" };

static void test_a_replayed_webhook_makes_one_payment_and_one_receipt(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	declare(e, org, true);   /* takes transfer and stripe */
	struct donation d;
	assert_int_equal(give(e, org, 5000, "stripe", &d), KQ_OK);
	assert_string_equal(d.status, "pending");
	assert_true(str_starts(d.redirect_url, arena_printf(e->a, "%s/pay/cs_test_", fake_base)));
	struct db_stmt *st = db_stmt(e->db, &T_SESSION);
	db_bind_i64(st, 1, d.id);
	assert_int_equal(db_step(st), DB_ROW);
	const char *session = arena_strdup(e->a, db_col_text(st, 0));
	db_reset(st);
	json_t *j = fake_call("POST", arena_printf(e->a, "/_test/sessions/%s/pay", session));
	const char *payload = arena_strdup(e->a, json_string_value(json_object_get(j, "event")));
	const char *sig = arena_strdup(e->a, json_string_value(json_object_get(j, "signature")));
	json_decref(j);
	int applied = 0, duplicates = 0;
	for (int i = 0; i < 10; i++) {
		enum webhook_result r;
		assert_int_equal(payments_webhook(e->db, "stripe", sig, payload, strlen(payload), e->a, &r),
				 KQ_OK);
		applied += r == WEBHOOK_APPLIED;
		duplicates += r == WEBHOOK_DUPLICATE;
	}
	assert_int_equal(applied, 1);
	assert_int_equal(duplicates, 9);
	/* The donor's return page asks Stripe too: still one payment. */
	bool paid = false;
	assert_int_equal(donations_sync_payment(e->db, d.secret, &paid), KQ_OK);
	assert_true(paid);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM payments WHERE donation_id = $1"
				     " AND status = 'captured'", d.id), 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM tax_receipts WHERE donation_id = $1", d.id), 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM ledger WHERE org_id = $1 AND kind = 'payment'",
				  org), 1);
	struct tax_receipt r;
	assert_int_equal(receipts_of_donation(e->db, e->a, d.id, &r), KQ_OK);
	assert_int_equal(r.number, 1);
	assert_int_equal(r.amount_cents, 5000);   /* the gift, not what Stripe kept */
	check_invariants(e);
}

/* The capture failed at each of its steps in turn: the donation stays
 * pending, no receipt number is used, the ledger is unchanged; paying again
 * then takes the next number, so the sequence has no gap. */
static void test_a_capture_failing_at_every_step_uses_no_receipt_number(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	declare(e, org, true);
	int failures = 0;
	for (long k = 1; k < 100; k++) {
		struct donation d;
		assert_int_equal(give(e, org, 1000 + k, "demo", &d), KQ_OK);
		int64_t receipts = count_of(e, "SELECT COUNT(*) FROM tax_receipts WHERE org_id = $1", org);
		faults_arm(k);
		enum kq_err err = donations_demo_pay(e->db, d.secret);
		bool fired = faults_fired();
		faults_arm(0);
		if (!fired) {
			assert_int_equal(err, KQ_OK);
			break;
		}
		failures++;
		assert_int_not_equal(err, KQ_OK);
		struct donation after;
		assert_int_equal(donations_get_by_secret(e->db, e->a, d.secret, &after), KQ_OK);
		assert_string_equal(after.status, "pending");
		assert_false(after.has_receipt);
		assert_int_equal(count_of(e, "SELECT COUNT(*) FROM tax_receipts WHERE org_id = $1", org),
				 receipts);
		check_invariants(e);
		assert_int_equal(donations_demo_pay(e->db, d.secret), KQ_OK);
		struct tax_receipt r;
		assert_int_equal(receipts_of_donation(e->db, e->a, d.id, &r), KQ_OK);
		assert_int_equal(r.number, receipts + 1);
		check_invariants(e);
	}
	print_message("capture: %d injected failures\n", failures);
	assert_true(failures >= 5);
	check_invariants(e);
}

static const struct db_sql T_COMMUNE = { "t_commune",
	"INSERT INTO communes (insee, name, postcode) VALUES ($1, 'Crest', '26400') RETURNING id" };
static const struct db_sql T_ORG_COMMUNE = { "t_org_commune",
	"UPDATE organisations SET commune_id = $2 WHERE id = $1" };

static enum db_status demo_txn(struct db *db, void *cls)
{
	(void)cls;
	return donations_load_demo(db) == KQ_OK ? DB_NONE : DB_HARD;
}

static void test_the_demo_associations_issue_receipts(void **state)
{
	struct tk *e = *state;
	int64_t org = new_association(e);
	struct db_stmt *st = db_stmt(e->db, &T_COMMUNE);
	db_bind_text(st, 1, arena_printf(e->a, "9%04d", (int)(getpid() % 10000)));
	assert_int_equal(db_step(st), DB_ROW);
	int64_t commune = db_col_i64(st, 0);
	db_reset(st);
	st = db_stmt(e->db, &T_ORG_COMMUNE);
	db_bind_i64(st, 1, org);
	db_bind_i64(st, 2, commune);
	assert_int_equal(db_run(st), DB_NONE);
	assert_true(db_txn_run(e->db, "t_demo", DB_WRITE, demo_txn, NULL) >= 0);
	struct donation_settings s;
	struct org_fiscal f;
	assert_int_equal(donations_settings_get(e->db, e->a, org, &s, &f), KQ_OK);
	assert_true(f.is_checked);
	assert_string_equal(f.postcode, "26400");
	assert_string_equal(f.city, "Crest");
	struct donation d;
	assert_int_equal(give(e, org, 1000, "demo", &d), KQ_OK);
	assert_int_equal(donations_demo_pay(e->db, d.secret), KQ_OK);
	struct tax_receipt r;
	assert_int_equal(receipts_of_donation(e->db, e->a, d.id, &r), KQ_OK);
	assert_int_equal(r.number, 1);
	/* Loading again adds nothing. */
	int64_t n = count_of(e, "SELECT COUNT(*) FROM org_fiscal WHERE org_id >= $1", 0);
	assert_true(db_txn_run(e->db, "t_demo", DB_WRITE, demo_txn, NULL) >= 0);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM org_fiscal WHERE org_id >= $1", 0), n);
	check_invariants(e);
}

int main(void)
{
	crypto_init();
	time_init();
	i18n_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!fake_start()) {
		fprintf(stderr, "test_donations: cannot start tests/tools/fake_stripe.py\n");
		return 1;
	}
	struct core_settings cs = { "https://kiosque.test", "Kiosque <no-reply@kiosque.test>" };
	core_init(&cs);
	struct payments_settings ps = { STRIPE_KEY, STRIPE_WHSEC, fake_base, true, 30 };
	payments_configure(&ps);
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_amounts_are_written_in_french_words),
		cmocka_unit_test(test_typed_amounts_parse_to_cents),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_donation_to_a_checked_association_gets_receipt_one),
		cmocka_unit_test(test_a_changed_declaration_must_be_checked_again),
		cmocka_unit_test(test_a_donation_to_an_unchecked_association_gets_no_receipt),
		cmocka_unit_test(test_bad_requests_are_refused_and_write_nothing),
		cmocka_unit_test(test_a_retried_request_returns_the_same_donation),
		cmocka_unit_test(test_30_concurrent_donations_get_receipts_1_to_30),
		cmocka_unit_test(test_a_replayed_webhook_makes_one_payment_and_one_receipt),
		cmocka_unit_test(test_the_demo_associations_issue_receipts),
		cmocka_unit_test(test_a_capture_failing_at_every_step_uses_no_receipt_number),
	};
	int failed = 0;
	TL_RUN_GROUP(failed, "donations/unit", unit, NULL, NULL);
	TL_RUN_GROUP_BOTH(failed, "donations", tests, setup_sqlite_tk, setup_pg_tk, teardown_tk);
	fake_stop();
	curl_global_cleanup();
	return TL_EXIT(failed);
}
