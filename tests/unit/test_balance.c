/* test_balance.c: an organisation's balance on both backends (core/balance.c) and a donor's donations (donations_of_account): ticket orders, a refund made and one to make, a pending transfer, a donation with a fee, a membership and a contribution, summed by source and by method and reconciled to the cent with the ledger and the payments; the accountant's rows in chunks; who may read them */
#include "tl_ticketing.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "core/balance.h"
#include "core/campaigns.h"
#include "core/donations.h"
#include "core/ledger.h"
#include "core/memberships.h"
#include "core/orders.h"
#include "core/payments.h"
#include "http/http.h"
#include "web/web.h"
#include "web/views/balance.h"
#include <pthread.h>

TK_DB_SETUPS("balance")

/* ---- fixtures: real money through the core functions ----------------------------------------- */

static enum db_status fresh_org_txn(struct db *db, void *cls)
{
	static int n;
	struct tk *e = cls;
	char name[64];
	snprintf(name, sizeof(name), "Comité des fêtes %d %d", (int)getpid(), ++n);
	struct org_input in = { .kind = "association", .name = name };
	enum db_status s = orgs_insert_raw(db, &in, e->owner, &e->org);
	const struct { int64_t who; const char *role; } m[] = {
		{ e->owner, "owner" }, { e->editor, "editor" }, { e->box, "box_office" },
		{ e->treasurer, "treasurer" },
	};
	for (size_t i = 0; s >= 0 && i < TL_ARRAY_LEN(m); i++)
		s = orgs_member_insert_raw(db, e->org, m[i].who, m[i].role);
	return s < 0 ? s : DB_NONE;
}

/* Each test gets an organisation of its own, so its books start empty. */
static void fresh_org(struct tk *e)
{
	assert_true(db_txn_run(e->db, "t_fresh_org", DB_WRITE, fresh_org_txn, e) >= 0);
}

static struct order buy(struct tk *e, int64_t type, const char *provider)
{
	struct checkout_ticket t[1];
	memset(t, 0, sizeof(t));
	t[0].ticket_type_id = type;
	t[0].event_date_id = e->date1;
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct checkout_request in = {
		.event_id = e->event, .tickets = t, .n_tickets = 1, .buyer_name = "Ana Guest",
		.buyer_email = "ana@example.org", .provider = provider, .idempotency_key = key,
		.lang = "fr",
	};
	struct field_errors fe = { 0 };
	struct order o;
	enum kq_err err = orders_checkout(e->db, &e->a_visitor, &in, e->a, &fe, &o);
	if (err != KQ_OK)
		fail_msg("checkout: %s (%s)", err_api_code(err), fe.n ? fe.e[0].field : "");
	return o;
}

static void shop_takes_onsite_and_transfer(struct tk *e)
{
	struct ticket_shop s;
	assert_int_equal(tickets_shop_get(e->db, e->a, e->event, &s), KQ_OK);
	s.providers = "onsite,transfer";
	s.transfer_details = "IBAN FR76 3000 4000 0500 0012 3456 789";
	struct field_errors fe = { 0 };
	assert_int_equal(tickets_shop_set(e->db, &e->a_owner, e->event, &s, &fe), KQ_OK);
}

static const struct donation_settings_input FISCAL = {
	.providers = { "transfer", "stripe", NULL },
	.suggested = "10, 20, 50",
	.transfer_details = "IBAN FR76 3000 4000 0500 0012 3456 789",
	.quality = "interet_general",
	.legal_name = "Comité des fêtes",
	.object = "Animer le village",
	.address = "1 place de la Mairie",
	.postcode = "26400",
	.city = "Crest",
	.rna = "W261000002",
	.signatory = "Tess Treasurer, trésorière",
};

static struct donation give_maybe_paid(struct tk *e, int64_t cents, bool pay)
{
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct donation_request in = {
		.org_id = e->org, .amount_cents = cents, .donor_name = "Zoé Lefèvre",
		.donor_address = "14 rue des Tilleuls", .donor_postcode = "26400",
		.donor_city = "Crest", .donor_email = "zoe@example.org", .provider = "demo",
		.idempotency_key = key, .lang = "fr",
	};
	struct field_errors fe = { 0 };
	struct donation d;
	enum kq_err err = donations_give(e->db, &e->a_buyer, &in, e->a, &fe, &d);
	if (err != KQ_OK)
		fail_msg("give: %s (%s)", err_api_code(err), fe.n ? fe.e[0].field : "");
	if (pay)
		assert_int_equal(donations_demo_pay(e->db, d.secret), KQ_OK);
	return d;
}

static struct donation give(struct tk *e, int64_t cents)
{
	return give_maybe_paid(e, cents, true);
}

static void join(struct tk *e)
{
	struct membership_plan_input pin = { .name = "Adhésion", .description = "Pour tous",
					     .pricing = "fixed", .price = "15", .period = "civil",
					     .cap = "", .is_open = true };
	struct field_errors fe = { 0 };
	int64_t plan = 0;
	assert_int_equal(memberships_plan_save(e->db, &e->a_treasurer, e->org, 0, &pin, &fe, &plan),
			 KQ_OK);
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct membership_request in = {
		.plan_id = plan, .member_name = "Zoé Lefèvre", .member_email = "zoe@example.org",
		.provider = "demo", .idempotency_key = key, .lang = "fr",
	};
	struct membership m;
	assert_int_equal(memberships_join(e->db, &e->a_visitor, &in, e->a, &fe, &m), KQ_OK);
	assert_int_equal(memberships_demo_pay(e->db, m.secret), KQ_OK);
}

static int64_t back_a_campaign(struct tk *e, int64_t cents)
{
	int64_t now = time_now();
	struct campaign_input cin = { .title = "Un toit pour le lavoir", .summary = "Le toit",
				      .story = "Le lavoir fuit.", .category = "",
				      .goal_cents = 100000, .starts_at = now - 60,
				      .ends_at = now + 86400, .model = "all_or_nothing",
				      .publish = true };
	struct field_errors fe = { 0 };
	int64_t id = 0;
	const char *slug = NULL;
	assert_int_equal(campaigns_create(e->db, &e->a_editor, e->org, &cin, e->a, &fe, &id, &slug),
			 KQ_OK);
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct contribution_request in = {
		.campaign_id = id, .amount_cents = cents, .backer_name = "Zoé Lefèvre",
		.backer_email = "zoe@example.org", .provider = "demo", .idempotency_key = key,
		.lang = "fr",
	};
	struct contribution k;
	assert_int_equal(campaigns_contribute(e->db, &e->a_visitor, &in, e->a, &fe, &k), KQ_OK);
	assert_int_equal(campaigns_demo_pay(e->db, k.secret), KQ_OK);
	return id;
}

struct fee {
	int64_t payment_id, cents;
};

static enum db_status fee_txn(struct db *db, void *cls)
{
	struct fee *f = cls;
	return payments_record_fee(db, f->payment_id, f->cents, "EUR");
}

static const struct balance_line *line_of(const struct balance_line *v, int n, const char *source)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].source, source) == 0)
			return &v[i];
	fail_msg("no line %s", source);
	return NULL;
}

static void assert_line(const struct balance_line *l, int64_t in, int64_t back, int64_t fees)
{
	assert_int_equal(l->in_cents, in);
	assert_int_equal(l->back_cents, back);
	assert_int_equal(l->fees_cents, fees);
	assert_int_equal(l->net_cents, in - back - fees);
}

/* Every kind of money of one organisation (e->org):
 *   tickets, onsite: 2000 + 1000 (refunded by hand, done) + 1000 (refund to make)
 *   tickets by transfer: 1000 awaited
 *   a donation, demo card: 5000, its fee 150
 *   a membership, demo card: 1500
 *   a campaign contribution, demo card: 3000 */
static int64_t build_the_books(struct tk *e)
{
	tl_set_clock(0);
	fresh_org(e);
	tk_new_event(e);
	shop_takes_onsite_and_transfer(e);
	int64_t full = tk_type(e, "Plein tarif", 1000, "public");
	int64_t duo = tk_type(e, "Duo", 2000, "public");
	tk_quota(e, e->date1, 20, full, duo, 0);

	struct order o1 = buy(e, duo, "onsite");
	assert_int_equal(orders_mark_paid(e->db, &e->a_box, o1.id), KQ_OK);
	struct order o2 = buy(e, full, "onsite");
	assert_int_equal(orders_mark_paid(e->db, &e->a_box, o2.id), KQ_OK);
	assert_int_equal(orders_cancel(e->db, &e->a_treasurer, o2.id), KQ_OK);
	struct refund_row *todo;
	int ntodo;
	assert_int_equal(payments_refunds_to_do(e->db, &e->a_treasurer, e->org, e->a, &todo, &ntodo),
			 KQ_OK);
	assert_int_equal(ntodo, 1);
	assert_int_equal(payments_refund_mark_done(e->db, &e->a_treasurer, todo[0].id), KQ_OK);
	struct order o3 = buy(e, full, "onsite");
	assert_int_equal(orders_mark_paid(e->db, &e->a_box, o3.id), KQ_OK);
	assert_int_equal(orders_cancel(e->db, &e->a_treasurer, o3.id), KQ_OK);
	struct order o4 = buy(e, full, "transfer");
	assert_string_equal(o4.status, "pending");

	struct field_errors fe = { 0 };
	enum kq_err err = donations_settings_save(e->db, &e->a_treasurer, e->org, &FISCAL, &fe);
	if (err != KQ_OK)
		fail_msg("settings: %s (%s)", err_api_code(err), fe.n ? fe.e[0].field : "");
	struct donation d = give(e, 5000);
	struct fee f = { tk_scalar(e->db, "pay_of_donation",
				   "SELECT id FROM payments WHERE donation_id = $1", d.id), 150 };
	assert_true(db_txn_run(e->db, "t_fee", DB_WRITE, fee_txn, &f) >= 0);
	join(e);
	return back_a_campaign(e, 3000);
}

/* ---- tests ------------------------------------------------------------------------------------ */

/* INVARIANT(balance) */
static void test_the_balance_adds_up_by_source_and_method(void **state)
{
	struct tk *e = *state;
	int64_t campaign = build_the_books(e);
	struct balance_report r;
	assert_int_equal(balance_report(e->db, &e->a_treasurer, e->org, NULL, e->a, &r), KQ_OK);
	assert_string_equal(r.currency, "EUR");
	assert_int_equal(r.nsources, 4);
	assert_string_equal(r.sources[0].source, "event");
	assert_int_equal(r.sources[0].ref_id, e->event);
	assert_line(&r.sources[0], 4000, 1000, 0);
	assert_int_equal(r.sources[0].rows, 4);          /* three payments, one refund */
	assert_string_equal(r.sources[1].source, "campaign");
	assert_int_equal(r.sources[1].ref_id, campaign);
	assert_string_equal(r.sources[1].label, "Un toit pour le lavoir");
	assert_line(&r.sources[1], 3000, 0, 0);
	assert_string_equal(r.sources[2].source, "membership");
	assert_line(&r.sources[2], 1500, 0, 0);
	assert_string_equal(r.sources[3].source, "donation");
	assert_line(&r.sources[3], 5000, 0, 150);
	assert_line(&r.total, 13500, 1000, 150);
	assert_int_equal(r.nmethods, 2);
	assert_line(line_of(r.methods, r.nmethods, "onsite"), 4000, 1000, 0);
	assert_line(line_of(r.methods, r.nmethods, "demo"), 9500, 0, 150);
	/* Four roads, one number. */
	assert_int_equal(r.ledger_cents, 12350);
	assert_int_equal(r.payments_cents, 12350);
	assert_int_equal(r.methods_net_cents, 12350);
	assert_true(r.is_reconciled);
	/* Owed: the refund of o3 by hand, the transfer of o4. */
	assert_int_equal(r.refunds_by_hand, 1);
	assert_int_equal(r.refunds_by_hand_cents, 1000);
	assert_int_equal(r.nrefunds, 1);
	assert_int_equal(r.refunds[0].amount_cents, 1000);
	assert_string_equal(r.refunds[0].name, "Ana Guest");
	assert_true(r.refunds[0].order_id > 0 && r.refunds[0].event_slug[0] && r.refunds[0].order_code[0]);
	assert_int_equal(r.refunds_pending, 0);
	assert_int_equal(r.transfers_pending, 1);
	assert_int_equal(r.transfers_pending_cents, 1000);
	tk_assert_ledger_balanced(e->db);
	/* Another currency of the same organisation has nothing. */
	assert_int_equal(balance_report(e->db, &e->a_owner, e->org, "CHF", e->a, &r), KQ_OK);
	assert_int_equal(r.nsources, 0);
	assert_int_equal(r.ledger_cents, 0);
	assert_true(r.is_reconciled);
}

static void test_the_rows_come_in_chunks_and_sum_to_the_balance(void **state)
{
	struct tk *e = *state;
	build_the_books(e);
	int64_t after = 0, sum = 0, n_all = 0, kinds[3] = { 0 };
	bool has_donation_ref = false, has_plan = false, has_order = false;
	for (int chunk = 0; chunk < 100; chunk++) {
		struct balance_row *v;
		int n;
		assert_int_equal(balance_rows(e->db, &e->a_treasurer, e->org, after, 3, e->a, &v, &n),
				 KQ_OK);
		for (int i = 0; i < n; i++) {
			assert_true(v[i].id > after);
			after = v[i].id;
			sum += v[i].amount_cents;
			n_all++;
			kinds[strcmp(v[i].kind, "payment") == 0 ? 0 :
			      strcmp(v[i].kind, "refund") == 0 ? 1 : 2]++;
			assert_string_equal(v[i].currency, "EUR");
			if (strcmp(v[i].source, "donation") == 0 &&
			    strncmp(v[i].reference, "don-", 4) == 0)
				has_donation_ref = true;
			if (strcmp(v[i].source, "membership") == 0 &&
			    strcmp(v[i].label, "Adhésion") == 0 && v[i].reference[0])
				has_plan = true;
			if (strcmp(v[i].source, "event") == 0 && v[i].reference[0] &&
			    strcmp(v[i].provider, "onsite") == 0)
				has_order = true;
		}
		if (n < 3)
			break;
	}
	assert_int_equal(n_all, 8);
	assert_int_equal(kinds[0], 6);
	assert_int_equal(kinds[1], 1);
	assert_int_equal(kinds[2], 1);
	assert_int_equal(sum, 12350);
	assert_int_equal(sum, tk_scalar(e->db, "sum_ledger",
					"SELECT SUM(amount_cents) FROM ledger WHERE org_id = $1",
					e->org));
	assert_true(has_donation_ref);
	assert_true(has_plan);
	assert_true(has_order);
}

static void test_only_owners_and_treasurers_see_the_money(void **state)
{
	struct tk *e = *state;
	struct balance_report r;
	struct balance_row *v;
	int n;
	fresh_org(e);
	assert_int_equal(balance_report(e->db, &e->a_owner, e->org, NULL, e->a, &r), KQ_OK);
	assert_int_equal(balance_report(e->db, &e->a_editor, e->org, NULL, e->a, &r),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(balance_report(e->db, &e->a_box, e->org, NULL, e->a, &r), KQ_ERR_FORBIDDEN);
	assert_int_equal(balance_report(e->db, &e->a_stranger, e->org, NULL, e->a, &r),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(balance_report(e->db, &e->a_visitor, e->org, NULL, e->a, &r),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(balance_rows(e->db, &e->a_editor, e->org, 0, 10, e->a, &v, &n),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(balance_rows(e->db, &e->a_visitor, e->org, 0, 10, e->a, &v, &n),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(balance_rows(e->db, &e->a_treasurer, e->org, 0, 10, e->a, &v, &n), KQ_OK);
}

static void test_a_donor_sees_their_donations_newest_first(void **state)
{
	struct tk *e = *state;
	fresh_org(e);
	struct field_errors fe = { 0 };
	assert_int_equal(donations_settings_save(e->db, &e->a_treasurer, e->org, &FISCAL, &fe), KQ_OK);
	struct actor admin = e->a_stranger;
	admin.platform_role = "admin";
	assert_int_equal(donations_fiscal_check(e->db, &admin, e->org), KQ_OK);
	struct donation paid = give(e, 4200);
	struct donation pending = give_maybe_paid(e, 1300, false);
	struct donation *v;
	int n;
	assert_int_equal(donations_of_account(e->db, &e->a_buyer, e->a, &v, &n), KQ_OK);
	assert_true(n >= 2);
	assert_int_equal(v[0].id, pending.id);
	assert_string_equal(v[0].status, "pending");
	assert_false(v[0].has_receipt);
	assert_int_equal(v[1].id, paid.id);
	assert_string_equal(v[1].status, "paid");
	assert_int_equal(v[1].amount_cents, 4200);
	assert_true(v[1].has_receipt);
	assert_true(strlen(v[1].receipt_number) > 0);
	assert_string_equal(v[1].secret, paid.secret);
	for (int i = 1; i < n; i++)
		assert_true(v[i - 1].created_at >= v[i].created_at);
	/* Nobody else sees them; a visitor must log in. */
	assert_int_equal(donations_of_account(e->db, &e->a_stranger, e->a, &v, &n), KQ_OK);
	for (int i = 0; i < n; i++)
		assert_true(v[i].id != paid.id && v[i].id != pending.id);
	assert_int_equal(donations_of_account(e->db, &e->a_visitor, e->a, &v, &n),
			 KQ_ERR_AUTH_REQUIRED);
}

/* ---- payouts: the platform pays the online money on ------------------------------------------ */

static struct actor admin_of(struct tk *e)
{
	struct actor admin = e->a_stranger;
	admin.platform_role = "admin";
	return admin;
}

static struct balance_payout_input payout_in(const char *amount, const char *key)
{
	return (struct balance_payout_input){ .amount = amount, .paid_on = "2026-11-20",
					      .reference = "VIR-2026-1120-CDF", .note = "Novembre",
					      .idempotency_key = key };
}

static int64_t payouts_of(struct tk *e)
{
	return tk_scalar(e->db, "payouts_of", "SELECT COUNT(*) FROM payouts WHERE org_id = $1", e->org);
}

static int64_t ledger_of(struct tk *e)
{
	return tk_scalar(e->db, "ledger_of",
			 "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger WHERE org_id = $1", e->org);
}

static struct balance_report report_of(struct tk *e)
{
	struct balance_report r;
	assert_int_equal(balance_report(e->db, &e->a_treasurer, e->org, NULL, e->a, &r), KQ_OK);
	return r;
}

/* Online money (demo card: 5000 - 150 fee, 1500, 3000) is owed, on-site
 * money (4000 - 1000) is not; a payout is its own ledger row and section:
 * the income by source and method stays, the book is the income minus it.
 * INVARIANT(balance) */
static void test_a_payout_is_owed_online_money_and_reconciles(void **state)
{
	struct tk *e = *state;
	build_the_books(e);
	struct balance_report r = report_of(e);
	assert_int_equal(r.online_cents, 9350);
	assert_int_equal(r.paid_out_cents, 0);
	assert_int_equal(r.owed_cents, 9350);
	assert_int_equal(r.npayouts, 0);
	struct actor admin = admin_of(e);
	struct field_errors fe = { 0 };
	struct balance_payout_input in = payout_in("20,50", "key-of-the-first-payout-0001");
	int64_t id = 0;
	assert_int_equal(balance_payout_record(e->db, &admin, e->org, &in, &fe, &id), KQ_OK);
	assert_true(id > 0);
	r = report_of(e);
	assert_int_equal(r.online_cents, 9350);
	assert_int_equal(r.paid_out_cents, 2050);
	assert_int_equal(r.payouts_table_cents, 2050);
	assert_int_equal(r.owed_cents, 7300);
	/* The income is what it was. */
	assert_int_equal(r.nsources, 4);
	assert_line(&r.total, 13500, 1000, 150);
	assert_int_equal(r.nmethods, 2);
	assert_line(line_of(r.methods, r.nmethods, "demo"), 9500, 0, 150);
	assert_int_equal(r.payments_cents, 12350);
	assert_int_equal(r.methods_net_cents, 12350);
	assert_int_equal(r.ledger_cents, 12350 - 2050);
	assert_true(r.is_reconciled);
	assert_int_equal(r.npayouts, 1);
	assert_int_equal(r.payouts[0].id, id);
	assert_int_equal(r.payouts[0].amount_cents, 2050);
	assert_string_equal(r.payouts[0].paid_on, "2026-11-20");
	assert_string_equal(r.payouts[0].reference, "VIR-2026-1120-CDF");
	assert_string_equal(r.payouts[0].note, "Novembre");
	assert_string_equal(r.payouts[0].by_name, "Sam Stranger");
	/* One ledger row of kind payout, pointing at it. */
	assert_int_equal(tk_scalar(e->db, "payout_rows",
				   "SELECT COUNT(*) FROM ledger WHERE kind = 'payout' AND amount_cents = -2050"
				   " AND payout_id = $1", id), 1);
	tk_assert_ledger_balanced(e->db);
	/* The accountant's rows have it, and still sum to the book. */
	struct balance_row *v;
	int n;
	assert_int_equal(balance_rows(e->db, &e->a_treasurer, e->org, 0, BALANCE_ROWS_MAX, e->a, &v, &n),
			 KQ_OK);
	assert_int_equal(n, 9);
	int64_t sum = 0;
	for (int i = 0; i < n; i++)
		sum += v[i].amount_cents;
	assert_int_equal(sum, r.ledger_cents);
	assert_string_equal(v[8].kind, "payout");
	assert_string_equal(v[8].source, "payout");
	assert_string_equal(v[8].reference, "VIR-2026-1120-CDF");
	assert_int_equal(v[8].amount_cents, -2050);
	/* The rest, to the cent: then nothing is owed, and one cent more is refused. */
	in = payout_in("73", "key-of-the-second-payout-0002");
	assert_int_equal(balance_payout_record(e->db, &admin, e->org, &in, &fe, NULL), KQ_OK);
	r = report_of(e);
	assert_int_equal(r.owed_cents, 0);
	assert_true(r.is_reconciled);
	in = payout_in("0,01", "key-of-the-third-payout-00003");
	assert_int_equal(balance_payout_record(e->db, &admin, e->org, &in, &fe, NULL),
			 KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "amount"), "balance.payout.amount_too_much");
	assert_int_equal(payouts_of(e), 2);
	tk_assert_ledger_balanced(e->db);
}

static void test_a_bad_payout_is_refused_and_writes_nothing(void **state)
{
	struct tk *e = *state;
	build_the_books(e);
	struct actor admin = admin_of(e);
	int64_t book = ledger_of(e);
	static const struct {
		const char *amount, *paid_on, *reference, *key, *field, *msg;
	} bad[] = {
		{ "93,51", "2026-11-20", "", "a-key-that-is-long-enough-1", "amount", "balance.payout.amount_too_much" },
		{ "1000", "2026-11-20", "", "a-key-that-is-long-enough-2", "amount", "balance.payout.amount_too_much" },
		{ "0", "2026-11-20", "", "a-key-that-is-long-enough-3", "amount", "balance.payout.amount_positive" },
		{ "-5", "2026-11-20", "", "a-key-that-is-long-enough-4", "amount", "balance.payout.amount_invalid" },
		{ "douze", "2026-11-20", "", "a-key-that-is-long-enough-5", "amount", "balance.payout.amount_invalid" },
		{ "", "2026-11-20", "", "a-key-that-is-long-enough-6", "amount", "balance.payout.amount_missing" },
		{ "10", "2026-02-30", "", "a-key-that-is-long-enough-7", "paid_on", "balance.payout.date_invalid" },
		{ "10", "20/11/2026", "", "a-key-that-is-long-enough-8", "paid_on", "balance.payout.date_invalid" },
		{ "10", "2026-11-20", "a\nb", "a-key-that-is-long-enough-9", "reference", "balance.payout.reference_invalid" },
		{ "10", "2026-11-20", "", "short", "idempotency_key", "balance.payout.key_invalid" },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(bad); i++) {
		struct field_errors fe = { 0 };
		struct balance_payout_input in = { .amount = bad[i].amount, .paid_on = bad[i].paid_on,
						   .reference = bad[i].reference,
						   .idempotency_key = bad[i].key };
		assert_int_equal(balance_payout_record(e->db, &admin, e->org, &in, &fe, NULL),
				 KQ_ERR_FORM_INVALID);
		const char *got = field_error_get(&fe, bad[i].field);
		if (!got || strcmp(got, bad[i].msg) != 0)
			fail_msg("case %zu: %s: %s", i, bad[i].field, got ? got : "(none)");
	}
	/* Only a platform admin records one: the owner and treasurer see, no more. */
	struct field_errors fe = { 0 };
	struct balance_payout_input in = payout_in("10", "a-key-that-is-long-enough-10");
	assert_int_equal(balance_payout_record(e->db, &e->a_treasurer, e->org, &in, &fe, NULL),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(balance_payout_record(e->db, &e->a_owner, e->org, &in, &fe, NULL),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(balance_payout_record(e->db, &e->a_visitor, e->org, &in, &fe, NULL),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(balance_payout_record(e->db, &admin, 987654321, &in, &fe, NULL),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(payouts_of(e), 0);
	assert_int_equal(ledger_of(e), book);
	assert_int_equal(report_of(e).owed_cents, 9350);
	tk_assert_ledger_balanced(e->db);
}

/* INVARIANT(payout-once): a double click records one payout. */
static void test_the_same_payout_key_records_once(void **state)
{
	struct tk *e = *state;
	build_the_books(e);
	struct actor admin = admin_of(e);
	struct field_errors fe = { 0 };
	struct balance_payout_input in = payout_in("50", "double-click-key-000000000001");
	int64_t first = 0, second = 0;
	assert_int_equal(balance_payout_record(e->db, &admin, e->org, &in, &fe, &first), KQ_OK);
	assert_int_equal(balance_payout_record(e->db, &admin, e->org, &in, &fe, &second), KQ_OK);
	assert_int_equal(first, second);
	assert_int_equal(payouts_of(e), 1);
	assert_int_equal(report_of(e).paid_out_cents, 5000);
	assert_int_equal(tk_scalar(e->db, "payout_rows2",
				   "SELECT COUNT(*) FROM ledger WHERE org_id = $1 AND kind = 'payout'",
				   e->org), 1);
	/* The key of another organisation's payout is no key for this one. */
	int64_t mine = e->org;
	fresh_org(e);
	assert_int_equal(balance_payout_record(e->db, &admin, e->org, &in, &fe, NULL),
			 KQ_ERR_FORM_INVALID);
	assert_int_equal(payouts_of(e), 0);
	e->org = mine;
	assert_int_equal(payouts_of(e), 1);
	tk_assert_ledger_balanced(e->db);
}

struct payer {
	const char *url;
	struct actor who;
	int64_t org;
	char key[64];
	pthread_barrier_t *go;
	enum kq_err result;
	const char *field_msg;
};

static void *payer_main(void *arg)
{
	struct payer *p = arg;
	char err[256];
	struct db *db = db_open(p->url, err, sizeof(err));
	pthread_barrier_wait(p->go);
	if (!db) {
		p->result = KQ_ERR_INTERNAL;
		return NULL;
	}
	struct field_errors fe = { 0 };
	struct balance_payout_input in = payout_in("93,50", p->key);
	p->result = balance_payout_record(db, &p->who, p->org, &in, &fe, NULL);
	p->field_msg = field_error_get(&fe, "amount");
	db_close(db);
	return NULL;
}

#define PAYERS 6

/* INVARIANT(payout-owed): admins paying the whole owed amount at once: one does. */
static void test_concurrent_payouts_never_pay_more_than_owed(void **state)
{
	struct tk *e = *state;
	build_the_books(e);
	struct payer p[PAYERS];
	pthread_t th[PAYERS];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, PAYERS);
	for (int i = 0; i < PAYERS; i++) {
		p[i] = (struct payer){ .url = e->url, .who = admin_of(e), .org = e->org, .go = &go };
		snprintf(p[i].key, sizeof(p[i].key), "concurrent-payout-key-%d-%d", (int)getpid(), i);
		assert_int_equal(pthread_create(&th[i], NULL, payer_main, &p[i]), 0);
	}
	int ok = 0, refused = 0;
	for (int i = 0; i < PAYERS; i++) {
		pthread_join(th[i], NULL);
		if (p[i].result == KQ_OK)
			ok++;
		else if (p[i].result == KQ_ERR_FORM_INVALID && p[i].field_msg &&
			 strcmp(p[i].field_msg, "balance.payout.amount_too_much") == 0)
			refused++;
		else
			print_message("payer %d: %s\n", i, err_api_code(p[i].result));
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(ok, 1);
	assert_int_equal(refused, PAYERS - 1);
	assert_int_equal(payouts_of(e), 1);
	struct balance_report r = report_of(e);
	assert_int_equal(r.paid_out_cents, 9350);
	assert_int_equal(r.owed_cents, 0);
	assert_true(r.is_reconciled);
	tk_assert_ledger_balanced(e->db);
}

/* ---- the views: every field escaped, the CSV quoted and neutralised ---------------------------- */

#define EVIL "<script>\"'&"

static bool has_raw_evil(const struct buf *b)
{
	return b->len && memmem(b->p, b->len, "<script>\"", 9) != NULL;
}

static void test_the_pages_escape_every_field(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct web w = { 0 };
	w.lang = "fr";
	w.csrf = EVIL;
	w.territory_name = "Val";
	w.actor.display_name = EVIL;
	w.actor.account_id = 1;
	struct request req = { 0 };
	req.arena = a;
	req.method = "GET";
	req.path = "/organisations/x/comptes";
	req.app = &w;
	struct org org = { 0 };
	org.slug = EVIL;
	org.name = EVIL;
	struct balance_line src[3] = {
		{ "event", 1, EVIL, EVIL, 3000, 1000, 0, 2000, 3 },
		{ "campaign", 2, EVIL, EVIL, 500, 0, 0, 500, 1 },
		{ "donation", 0, "", "", 700, 0, 50, 650, 2 },
	};
	struct balance_line met[1] = { { EVIL, 0, "", "", 4200, 1000, 50, 3150, 6 } };
	struct balance_refund ref[1] = { { 9, 4, 1000, 1000, "manual", EVIL, EVIL, "EUR", EVIL, EVIL,
					   EVIL } };
	struct balance_payout po[1] = { { 3, 700, 1764100000, "EUR", EVIL, EVIL, EVIL, EVIL } };
	struct balance_report r = { .currency = "EUR", .sources = src, .nsources = 3, .methods = met,
				    .nmethods = 1, .refunds = ref, .nrefunds = 1, .payouts = po,
				    .npayouts = 1 };
	r.total = (struct balance_line){ "total", 0, "", "", 4200, 1000, 50, 3150, 6 };
	r.payments_cents = r.methods_net_cents = 3150;
	r.online_cents = 650;
	r.paid_out_cents = r.payouts_table_cents = 700;
	r.owed_cents = -50;
	r.ledger_cents = 2450;
	struct field_errors pfe = { 0 };
	field_error_add(&pfe, "amount", "balance.payout.amount_too_much");
	struct balance_payout_form pf = { .fe = &pfe, .idem = EVIL };
	for (int reconciled = 0; reconciled < 4; reconciled++) {
		r.is_reconciled = reconciled % 2;
		struct buf b = BUF_INIT;
		view_balance(&b, &req, &org, &r, reconciled >= 2 ? &pf : NULL);
		buf_putc(&b, '\0');
		assert_false(has_raw_evil(&b));
		assert_non_null(strstr(b.p, "&lt;script&gt;"));
		assert_non_null(strstr(b.p, r.is_reconciled ? "balance-check ok" : "balance-check bad"));
		assert_non_null(strstr(b.p, "Reste à verser"));
		/* The form only for an admin, its error next to the amount. */
		assert_true((strstr(b.p, "/comptes/versements") != NULL) == (reconciled >= 2));
		assert_true((strstr(b.p, "Ce montant dépasse") != NULL) == (reconciled >= 2));
		buf_free(&b);
	}
	struct donation d = { 0 };
	d.org_name = d.secret = d.status = EVIL;
	d.currency = "EUR";
	d.receipt_number = EVIL;
	d.has_receipt = true;
	d.amount_cents = 1250;
	struct buf b = BUF_INIT;
	view_my_donations(&b, &req, &d, 1);
	buf_putc(&b, '\0');
	assert_false(has_raw_evil(&b));
	assert_non_null(strstr(b.p, "&lt;script&gt;"));
	buf_free(&b);
	/* The CSV: a formula is neutralised, ; and " are quoted, money out keeps its minus. */
	struct balance_row row = { 1, 1764100000, "refund", "event", "=1+1;\"x\"", "@A1", "onsite",
				   "EUR", -1250 };
	view_balance_csv_start(&b, &req);
	view_balance_csv_rows(&b, &req, &row, 1);
	buf_putc(&b, '\0');
	assert_memory_equal(b.p, "\xEF\xBB\xBF" "Date;Mouvement;", 18);
	assert_non_null(strstr(b.p, ";Remboursement;Billetterie;\"'=1+1;\"\"x\"\"\";'@A1;"
				    "Sur place;-12,50;EUR\r\n"));
	assert_non_null(strstr(b.p, "2025-11-25 20:46;"));   /* 19:46:40 UTC, in Paris */
	buf_free(&b);
	arena_free(a);
}

int main(void)
{
	crypto_init();
	time_init();
	i18n_init();
	struct core_settings cs = { "https://kiosque.test", "Kiosque <no-reply@kiosque.test>" };
	core_init(&cs);
	struct payments_settings ps = { NULL, NULL, NULL, true, 30 };   /* the demo card on */
	payments_configure(&ps);
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_the_balance_adds_up_by_source_and_method),
		cmocka_unit_test(test_the_rows_come_in_chunks_and_sum_to_the_balance),
		cmocka_unit_test(test_only_owners_and_treasurers_see_the_money),
		cmocka_unit_test(test_a_donor_sees_their_donations_newest_first),
		cmocka_unit_test(test_a_payout_is_owed_online_money_and_reconciles),
		cmocka_unit_test(test_a_bad_payout_is_refused_and_writes_nothing),
		cmocka_unit_test(test_the_same_payout_key_records_once),
		cmocka_unit_test(test_concurrent_payouts_never_pay_more_than_owed),
	};
	const struct CMUnitTest views[] = {
		cmocka_unit_test(test_the_pages_escape_every_field),
	};
	int failed = 0;
	TL_RUN_GROUP(failed, "balance/views", views, NULL, NULL);
	TL_RUN_GROUP_BOTH(failed, "balance", t, setup_sqlite_tk, setup_pg_tk, teardown_tk);
	return TL_EXIT(failed);
}
