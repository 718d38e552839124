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
	struct balance_report r = { .currency = "EUR", .sources = src, .nsources = 3, .methods = met,
				    .nmethods = 1, .refunds = ref, .nrefunds = 1 };
	r.total = (struct balance_line){ "total", 0, "", "", 4200, 1000, 50, 3150, 6 };
	r.ledger_cents = r.payments_cents = r.methods_net_cents = 3150;
	for (int reconciled = 0; reconciled < 2; reconciled++) {
		r.is_reconciled = reconciled;
		struct buf b = BUF_INIT;
		view_balance(&b, &req, &org, &r);
		buf_putc(&b, '\0');
		assert_false(has_raw_evil(&b));
		assert_non_null(strstr(b.p, "&lt;script&gt;"));
		assert_non_null(strstr(b.p, reconciled ? "balance-check ok" : "balance-check bad"));
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
	};
	const struct CMUnitTest views[] = {
		cmocka_unit_test(test_the_pages_escape_every_field),
	};
	int failed = 0;
	TL_RUN_GROUP(failed, "balance/views", views, NULL, NULL);
	TL_RUN_GROUP_BOTH(failed, "balance", t, setup_sqlite_tk, setup_pg_tk, teardown_tk);
	return TL_EXIT(failed);
}
