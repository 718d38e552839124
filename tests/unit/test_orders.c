/* test_orders.c: checkout, holds, payments, refunds, the ledger, the waiting list on both backends, under contention and fault injection (core/orders.c, core/payments*.c, core/ledger.c) */
#include "tl_ticketing.h"
#include "tl_stripe.h"
#include "core/waitlist.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/xalloc.h"
#include "base/i18n.h"
#include "core/faults.h"
#include "core/ledger.h"
#include "core/orders.h"
#include "core/payments.h"
#include "jobs/jobs.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sys/wait.h>

TK_DB_SETUPS("orders")

/* ---- fixtures -------------------------------------------------------------------------- */


/* Every test starts on the real clock with a fresh event. */
static void begin(struct tk *e)
{
	set_clock(0);
	faults_arm(0);
	tk_new_event(e);
}

static void set_shop(struct tk *e, const char *providers, bool buyer_can_cancel,
		     const char *attendee_names)
{
	struct ticket_shop s;
	assert_int_equal(tickets_shop_get(e->db, e->a, e->event, &s), KQ_OK);
	s.providers = providers;
	s.buyer_can_cancel = buyer_can_cancel;
	s.attendee_names = attendee_names ? attendee_names : "optional";
	s.transfer_details = "IBAN FR76 3000 4000 0500 0012 3456 789";
	struct field_errors fe = { 0 };
	assert_int_equal(tickets_shop_set(e->db, &e->a_owner, e->event, &s, &fe), KQ_OK);
}

struct buy {
	const struct actor *who;      /* NULL: a guest */
	int64_t type, date;
	int n;
	const char *provider;         /* NULL: "onsite" */
	const char *voucher, *waitlist, *key, *attendee;
	bool box_office;
	const struct checkout_answer *answers;
	int n_answers;
};

/* The guest's address, one per event, so mail counts are per test. */
static const char *guest_email(struct tk *e)
{
	return arena_printf(e->a, "ana+%lld@example.org", (long long)e->event);
}

static enum kq_err buy_ex(struct tk *e, const struct buy *b, struct order *out,
			  struct field_errors *fe)
{
	struct checkout_ticket t[TICKETS_PER_ORDER_MAX];
	memset(t, 0, sizeof(t));
	for (int i = 0; i < b->n && i < TICKETS_PER_ORDER_MAX; i++) {
		t[i].ticket_type_id = b->type;
		t[i].event_date_id = b->date ? b->date : e->date1;
		t[i].attendee_name = b->attendee;
		t[i].answers = b->answers;
		t[i].n_answers = b->n_answers;
	}
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	bool guest = !b->who || !b->who->account_id;
	struct checkout_request in = {
		.event_id = e->event, .tickets = t, .n_tickets = b->n,
		.buyer_name = guest ? "Ana Guest" : NULL,
		.buyer_email = guest ? guest_email(e) : NULL,
		.voucher_code = b->voucher, .waitlist_token = b->waitlist,
		.provider = b->provider ? b->provider : "onsite",
		.idempotency_key = b->key ? b->key : key, .lang = "fr", .box_office = b->box_office,
	};
	struct field_errors none = { 0 };
	return orders_checkout(e->db, b->who ? b->who : &e->a_visitor, &in, e->a, fe ? fe : &none,
			       out);
}

/* n tickets of type on date1, on site, by a guest. */
static enum kq_err buy_n(struct tk *e, int64_t type, int n, struct order *out)
{
	struct buy b = { .type = type, .n = n };
	struct order o;
	return buy_ex(e, &b, out ? out : &o, NULL);
}

static int64_t count_orders(struct tk *e, const char *status)
{
	static const struct db_sql q = { "ut_count_orders",
		"SELECT COUNT(*) FROM orders WHERE event_id = $1 AND status = $2" };
	struct db_stmt *st = db_stmt(e->db, &q);
	db_bind_i64(st, 1, e->event);
	db_bind_text(st, 2, status);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_col_i64(st, 0);
	db_reset(st);
	return n;
}

static int64_t count_mail(struct tk *e, const char *to, const char *subject_part)
{
	static const struct db_sql q = { "ut_count_mail",
		"SELECT COUNT(*) FROM outbox WHERE to_addr = $1 AND subject LIKE $2" };
	struct db_stmt *st = db_stmt(e->db, &q);
	db_bind_text(st, 1, to);
	db_bind_text(st, 2, arena_printf(e->a, "%%%s%%", subject_part));
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_col_i64(st, 0);
	db_reset(st);
	return n;
}

static const char *last_mail_body(struct tk *e, const char *to)
{
	static const struct db_sql q = { "ut_last_mail",
		"SELECT body_text FROM outbox WHERE to_addr = $1 ORDER BY id DESC LIMIT 1" };
	struct db_stmt *st = db_stmt(e->db, &q);
	db_bind_text(st, 1, to);
	assert_int_equal(db_step(st), DB_ROW);
	const char *b = arena_strdup(e->a, db_col_text(st, 0));
	db_reset(st);
	return b;
}

static int64_t balance(struct tk *e)
{
	int64_t b;
	assert_int_equal(ledger_balance(e->db, e->org, "EUR", &b), DB_NONE);
	return b;
}

/* What tests/tools/fake_stripe.py keeps of a card payment, like Stripe in Europe: 1.5 % + 0.25 EUR. */
static int64_t stripe_fee(int64_t cents)
{
	return (cents * 15 + 500) / 1000 + 25;
}

static const char *order_status(struct tk *e, int64_t order_id)
{
	static const struct db_sql q = { "ut_order_status", "SELECT status FROM orders WHERE id = $1" };
	struct db_stmt *st = db_stmt(e->db, &q);
	db_bind_i64(st, 1, order_id);
	assert_int_equal(db_step(st), DB_ROW);
	const char *s = arena_strdup(e->a, db_col_text(st, 0));
	db_reset(st);
	return s;
}

static const char *session_of(struct tk *e, int64_t order_id)
{
	static const struct db_sql q = { "ut_session_of",
		"SELECT COALESCE(provider_ref, '') FROM payments WHERE order_id = $1 ORDER BY id DESC" };
	struct db_stmt *st = db_stmt(e->db, &q);
	db_bind_i64(st, 1, order_id);
	assert_int_equal(db_step(st), DB_ROW);
	const char *s = arena_strdup(e->a, db_col_text(st, 0));
	db_reset(st);
	return s;
}

/* ---- checkout rules ------------------------------------------------------------------------ */

static void test_free_registration_is_paid_at_once_with_its_link_mailed(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t t = tk_type(e, "Entrée libre", 0, NULL);
	int64_t q = tk_quota(e, e->date1, 10, t, 0, 0);
	struct buy b = { .who = &e->a_buyer, .type = t, .n = 2, .provider = "nothing-needed" };
	struct order o;
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	assert_string_equal(o.status, "paid");
	assert_int_equal(o.total_cents, 0);
	assert_int_equal(o.account_id, e->buyer);
	assert_string_equal(o.buyer_email, "buyer@example.org");
	assert_string_equal(o.buyer_name, "Bea Buyer");
	assert_int_equal(o.n_tickets, 2);
	assert_int_equal(strlen(o.tickets[0].code), 26);
	assert_string_not_equal(o.tickets[0].code, o.tickets[1].code);
	assert_int_equal(strlen(o.secret), TOKEN_HEX_LEN);
	assert_int_equal(strlen(o.code), 10);
	assert_int_equal(tk_quota_sold(e, q), 2);
	assert_int_equal(count_mail(e, "buyer@example.org", "Vos billets"), 1);
	const char *body = last_mail_body(e, "buyer@example.org");
	assert_non_null(strstr(body, arena_printf(e->a, "/commandes/%s", o.secret)));
	assert_non_null(strstr(body, o.code));
	struct order again;
	assert_int_equal(orders_get_by_secret(e->db, e->a, o.secret, &again), KQ_OK);
	assert_int_equal(again.id, o.id);
	assert_int_equal(again.n_tickets, 2);
	assert_int_equal(orders_get_by_secret(e->db, e->a, "nope", &again), KQ_ERR_NOT_FOUND);
	struct account_ticket_date *dates;
	int n;
	assert_int_equal(orders_account_tickets(e->db, e->buyer, 0, INT64_MAX, e->a, &dates, &n),
			 KQ_OK);
	assert_true(n >= 1);
	assert_int_equal(dates[n - 1].n_tickets, 2);
	assert_int_equal(dates[n - 1].event_date_id, e->date1);
	assert_int_equal(balance(e), 0);   /* no money moved */
	tk_check_invariants(e);
}

static void test_guest_checkout_needs_a_name_and_an_address(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	tk_quota(e, e->date1, 10, t, 0, 0);
	struct checkout_ticket tk = { t, e->date1, NULL, NULL, 0 };
	struct checkout_request in = { .event_id = e->event, .tickets = &tk, .n_tickets = 1,
				       .buyer_name = " ", .buyer_email = "not-an-address",
				       .provider = "onsite", .idempotency_key = "short" };
	struct field_errors fe = { 0 };
	struct order o;
	assert_int_equal(orders_checkout(e->db, &e->a_visitor, &in, e->a, &fe, &o),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "buyer_name"));
	assert_non_null(field_error_get(&fe, "buyer_email"));
	assert_non_null(field_error_get(&fe, "idempotency_key"));
	in.n_tickets = 0;
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(orders_checkout(e->db, &e->a_visitor, &in, e->a, &fe, &o),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "tickets"));
	assert_int_equal(count_orders(e, "pending"), 0);
	tk_check_invariants(e);
}

/* The organiser changed the price while the buyer was on the form: refused, nothing taken. */
static void test_a_price_changed_since_the_form_is_refused(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t q = tk_quota(e, e->date1, 10, t, 0, 0);
	struct checkout_ticket tk = { t, e->date1, NULL, NULL, 0, true, 800 };
	struct checkout_request in = { .event_id = e->event, .tickets = &tk, .n_tickets = 1,
				       .buyer_name = "Zoé", .buyer_email = "zoe@example.org",
				       .provider = "onsite", .idempotency_key = "price-key-0001" };
	struct field_errors fe = { 0 };
	struct order o;
	assert_int_equal(orders_checkout(e->db, &e->a_visitor, &in, e->a, &fe, &o),
			 KQ_ERR_TICKETS_PRICE_CHANGED);
	assert_int_equal(tk_quota_sold(e, q), 0);
	assert_int_equal(count_orders(e, "pending"), 0);
	tk.seen_price_cents = 1000;   /* the price now on the page */
	in.idempotency_key = "price-key-0002";
	assert_int_equal(orders_checkout(e->db, &e->a_visitor, &in, e->a, &fe, &o), KQ_OK);
	assert_int_equal(o.total_cents, 1000);
	assert_int_equal(tk_quota_sold(e, q), 1);
	tk_check_invariants(e);
}

static void test_min_and_max_per_order_are_enforced(void **state)
{
	struct tk *e = *state;
	begin(e);
	struct ticket_type_input in = { .name = "Table de 4", .price_cents = 4000, .min_per_order = 2,
					.max_per_order = 4 };
	struct field_errors fe = { 0 };
	struct ticket_type t;
	assert_int_equal(tickets_type_create(e->db, &e->a_owner, e->event, &in, e->a, &fe, &t), KQ_OK);
	tk_quota(e, e->date1, 100, t.id, 0, 0);
	struct order o;
	assert_int_equal(buy_n(e, t.id, 1, &o), KQ_ERR_TICKETS_ORDER_LIMIT);
	assert_int_equal(buy_n(e, t.id, 5, &o), KQ_ERR_TICKETS_ORDER_LIMIT);
	assert_int_equal(buy_n(e, t.id, 2, &o), KQ_OK);
	assert_int_equal(buy_n(e, t.id, 4, &o), KQ_OK);
	assert_int_equal(count_orders(e, "pending"), 2);
	tk_check_invariants(e);
}

static void test_sale_window_opens_and_closes(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t now = time_now();
	struct ticket_type_input in = { .name = "Prévente", .price_cents = 800,
					.sale_starts_at = now + 86400, .sale_ends_at = now + 2 * 86400 };
	struct field_errors fe = { 0 };
	struct ticket_type t;
	assert_int_equal(tickets_type_create(e->db, &e->a_owner, e->event, &in, e->a, &fe, &t), KQ_OK);
	int64_t plain = tk_type(e, "Sur place", 1000, NULL);
	tk_quota(e, e->date1, 100, t.id, plain, 0);
	assert_int_equal(buy_n(e, t.id, 1, NULL), KQ_ERR_TICKETS_NOT_ON_SALE);
	set_clock(86400 + 10);
	assert_int_equal(buy_n(e, t.id, 1, NULL), KQ_OK);
	set_clock(2 * 86400 + 10);
	assert_int_equal(buy_n(e, t.id, 1, NULL), KQ_ERR_TICKETS_NOT_ON_SALE);
	/* Without an end, sales stop when the date starts; the box office sells until it ends. */
	set_clock(30 * 86400 + 60);
	assert_int_equal(buy_n(e, plain, 1, NULL), KQ_ERR_TICKETS_NOT_ON_SALE);
	struct buy b = { .who = &e->a_box, .type = plain, .n = 1, .box_office = true };
	struct order o;
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	assert_string_equal(o.status, "paid");   /* cash at the desk */
	set_clock(0);
	tk_check_invariants(e);
}

static void test_hidden_and_voucher_only_types_need_their_code(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t hidden = tk_type(e, "Invité", 0, "hidden");
	int64_t partner = tk_type(e, "Partenaire", 500, "voucher_only");
	tk_quota(e, e->date1, 10, hidden, partner, 0);
	struct field_errors fe = { 0 };
	struct voucher v;
	struct voucher_input vi = { .code = "INVITE", .ticket_type_id = hidden, .kind = "fixed" };
	assert_int_equal(tickets_voucher_create(e->db, &e->a_owner, e->event, &vi, e->a, &fe, &v),
			 KQ_OK);
	struct voucher_input vp = { .code = "PARTENAIRE", .kind = "percent", .amount = 0 };
	assert_int_equal(tickets_voucher_create(e->db, &e->a_owner, e->event, &vp, e->a, &fe, &v),
			 KQ_OK);
	struct order o;
	assert_int_equal(buy_n(e, hidden, 1, &o), KQ_ERR_TICKETS_NOT_ON_SALE);
	assert_int_equal(buy_n(e, partner, 1, &o), KQ_ERR_TICKETS_VOUCHER_REQUIRED);
	struct buy b = { .type = hidden, .n = 1, .voucher = "PARTENAIRE" };
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_ERR_TICKETS_NOT_ON_SALE);   /* not its code */
	b.voucher = "invite";
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	struct buy p = { .type = partner, .n = 1, .voucher = "partenaire" };
	assert_int_equal(buy_ex(e, &p, &o, NULL), KQ_OK);
	struct buy box = { .who = &e->a_box, .type = hidden, .n = 1, .box_office = true };
	assert_int_equal(buy_ex(e, &box, &o, NULL), KQ_OK);
	struct buy not_box = { .who = &e->a_stranger, .type = hidden, .n = 1, .box_office = true };
	assert_int_equal(buy_ex(e, &not_box, &o, NULL), KQ_ERR_FORBIDDEN);
	struct buy wrong = { .type = partner, .n = 1, .voucher = "NOSUCHCODE" };
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(buy_ex(e, &wrong, &o, &fe), KQ_ERR_VOUCHER_INVALID);
	assert_non_null(field_error_get(&fe, "voucher"));
	tk_check_invariants(e);
}

static void test_vouchers_price_each_ticket_and_keep_their_window(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t full = tk_type(e, "Plein", 1500, NULL);
	int64_t kid = tk_type(e, "Enfant", 799, NULL);
	tk_quota(e, e->date1, 100, full, kid, 0);
	int64_t now = time_now();
	struct field_errors fe = { 0 };
	struct voucher v;
	struct voucher_input fixed = { .code = "MOINS5", .ticket_type_id = full, .kind = "fixed",
				       .amount = 500 };
	struct voucher_input pct = { .code = "ETE", .kind = "percent", .amount = 25,
				     .valid_from = now + 3600, .valid_until = now + 7200 };
	assert_int_equal(tickets_voucher_create(e->db, &e->a_owner, e->event, &fixed, e->a, &fe, &v),
			 KQ_OK);
	assert_int_equal(tickets_voucher_create(e->db, &e->a_owner, e->event, &pct, e->a, &fe, &v),
			 KQ_OK);
	struct order o;
	struct buy b = { .type = full, .n = 3, .voucher = "moins5" };
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	assert_int_equal(o.total_cents, 3 * 1000);
	assert_int_equal(o.tickets[0].list_price_cents, 1500);
	assert_int_equal(o.tickets[0].discount_cents, 500);
	/* A code for one type does not apply to another. */
	struct buy k = { .type = kid, .n = 1, .voucher = "MOINS5" };
	assert_int_equal(buy_ex(e, &k, &o, NULL), KQ_ERR_VOUCHER_INVALID);
	struct buy early = { .type = kid, .n = 2, .voucher = "ETE" };
	assert_int_equal(buy_ex(e, &early, &o, NULL), KQ_ERR_VOUCHER_INVALID);
	set_clock(3600 + 5);
	assert_int_equal(buy_ex(e, &early, &o, NULL), KQ_OK);
	assert_int_equal(o.total_cents, 2 * (799 - 200));   /* 25 % of 7,99 = 1,9975 -> 2,00 */
	set_clock(7200 + 5);
	assert_int_equal(buy_ex(e, &early, &o, NULL), KQ_ERR_VOUCHER_INVALID);
	set_clock(0);
	tk_check_invariants(e);
}

static void test_answers_and_attendee_names_are_checked(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "onsite", false, "required");
	int64_t t = tk_type(e, "Repas", 1200, NULL);
	int64_t other = tk_type(e, "Concert seul", 800, NULL);
	tk_quota(e, e->date1, 100, t, other, 0);
	struct field_errors fe = { 0 };
	struct ticket_question menu, allergy, bus;
	struct ticket_question_input qm = { .label = "Menu", .kind = "choice",
					    .options = "Viande\nVégétarien", .required = true,
					    .ticket_type_id = t };
	struct ticket_question_input qa = { .label = "Allergies", .kind = "text" };
	struct ticket_question_input qb = { .label = "Navette ?", .kind = "yesno" };
	assert_int_equal(tickets_question_create(e->db, &e->a_owner, e->event, &qm, e->a, &fe, &menu),
			 KQ_OK);
	assert_int_equal(tickets_question_create(e->db, &e->a_owner, e->event, &qa, e->a, &fe,
						 &allergy), KQ_OK);
	assert_int_equal(tickets_question_create(e->db, &e->a_owner, e->event, &qb, e->a, &fe, &bus),
			 KQ_OK);
	struct order o;
	/* No name, no menu. */
	struct buy b = { .type = t, .n = 1 };
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(buy_ex(e, &b, &o, &fe), KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "tickets.0.attendee_name"));
	assert_non_null(field_error_get(&fe, arena_printf(e->a, "tickets.0.q%lld",
							  (long long)menu.id)));
	/* A choice that is not offered, a yes/no that is neither. */
	struct checkout_answer bad[] = { { menu.id, "Poisson" }, { bus.id, "peut-être" } };
	struct buy b2 = { .type = t, .n = 1, .attendee = "Jo", .answers = bad, .n_answers = 2 };
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(buy_ex(e, &b2, &o, &fe), KQ_ERR_FORM_INVALID);
	assert_int_equal(fe.n, 2);
	/* The menu question belongs to "Repas" only. */
	struct checkout_answer off_type[] = { { menu.id, "Viande" } };
	struct buy b3 = { .type = other, .n = 1, .attendee = "Jo", .answers = off_type, .n_answers = 1 };
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(buy_ex(e, &b3, &o, &fe), KQ_ERR_FORM_INVALID);
	struct checkout_answer good[] = { { menu.id, "Végétarien" }, { bus.id, "yes" },
					  { allergy.id, "Arachide" } };
	struct buy b4 = { .type = t, .n = 2, .attendee = "Jo Martin", .answers = good, .n_answers = 3 };
	assert_int_equal(buy_ex(e, &b4, &o, NULL), KQ_OK);
	assert_int_equal(o.n_tickets, 2);
	assert_string_equal(o.tickets[1].attendee_name, "Jo Martin");
	assert_int_equal(o.tickets[1].n_answers, 3);
	assert_string_equal(o.tickets[1].answers[0].label, "Menu");
	assert_string_equal(o.tickets[1].answers[0].value, "Végétarien");
	tk_check_invariants(e);
}

static void test_retried_checkout_returns_the_same_order(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "onsite,transfer", false, NULL);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t q = tk_quota(e, e->date1, 10, t, 0, 0);
	struct buy b = { .type = t, .n = 2, .provider = "transfer", .key = "form-key-0001" };
	struct order o1, o2;
	assert_int_equal(buy_ex(e, &b, &o1, NULL), KQ_OK);
	assert_int_equal(buy_ex(e, &b, &o2, NULL), KQ_OK);
	assert_int_equal(o1.id, o2.id);
	assert_string_equal(o1.secret, o2.secret);
	assert_int_equal(tk_quota_sold(e, q), 2);   /* never a second order, never more seats */
	assert_int_equal(count_orders(e, "pending"), 1);
	assert_int_equal(count_mail(e, guest_email(e), "virement"), 1);
	/* The same key for another request is refused, not silently merged. */
	struct buy other = { .type = t, .n = 3, .provider = "transfer", .key = "form-key-0001" };
	struct field_errors fe = { 0 };
	assert_int_equal(buy_ex(e, &other, &o2, &fe), KQ_ERR_IDEMPOTENCY_CONFLICT);
	assert_int_equal(tk_quota_sold(e, q), 2);
	/* A refused checkout does not burn its key: a retry after a sell-out or a fix works. */
	struct buy too_many = { .type = t, .n = 20, .key = "form-key-0002" };
	assert_int_equal(buy_ex(e, &too_many, &o2, NULL), KQ_ERR_TICKETS_SOLD_OUT);
	struct buy fewer = { .type = t, .n = 1, .key = "form-key-0002" };
	assert_int_equal(buy_ex(e, &fewer, &o2, NULL), KQ_OK);
	assert_int_equal(tk_quota_sold(e, q), 3);
	tk_check_invariants(e);
}

/* ---- holds, offline payments, the ledger --------------------------------------------- */

static void test_pending_hold_expires_and_frees_seats_and_voucher_uses(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "onsite,transfer", false, NULL);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t q = tk_quota(e, e->date1, 2, t, 0, 0);
	struct field_errors fe = { 0 };
	struct voucher v;
	struct voucher_input vi = { .code = "UNEFOIS", .kind = "fixed", .amount = 100, .max_uses = 2 };
	assert_int_equal(tickets_voucher_create(e->db, &e->a_owner, e->event, &vi, e->a, &fe, &v),
			 KQ_OK);
	struct buy b = { .type = t, .n = 2, .provider = "transfer", .voucher = "UNEFOIS" };
	struct order o;
	int64_t before = time_now();
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	int64_t after = time_now();
	assert_string_equal(o.status, "pending");
	assert_string_equal(o.payment_status, "started");
	assert_string_equal(o.payment_reference, arena_printf(e->a, "KIOSQUE-%s", o.code));
	/* The clock may tick between the checkout and this line. */
	assert_in_range(o.hold_until, before + ORDERS_TRANSFER_DAYS * 86400,
			after + ORDERS_TRANSFER_DAYS * 86400);
	assert_int_equal(buy_n(e, t, 1, NULL), KQ_ERR_TICKETS_SOLD_OUT);
	int n;
	assert_int_equal(orders_expire_due(e->db, time_now(), 100, &n), KQ_OK);
	assert_int_equal(n, 0);   /* not yet */
	set_clock(ORDERS_TRANSFER_DAYS * 86400 + 1);
	assert_int_equal(jobs_expiry_run(e->db) >= 1, true);
	assert_string_equal(order_status(e, o.id), "expired");
	assert_int_equal(tk_quota_sold(e, q), 0);
	assert_int_equal(tk_scalar(e->db, "vused", "SELECT used FROM vouchers WHERE id = $1", v.id), 0);
	assert_int_equal(count_mail(e, guest_email(e), "expirée"), 1);
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);   /* the seats and the code are back */
	set_clock(0);
	tk_check_invariants(e);
}

static void test_treasurer_marks_a_transfer_paid_and_the_ledger_has_it(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "transfer", false, NULL);
	int64_t t = tk_type(e, "Plein", 1250, NULL);
	tk_quota(e, e->date1, 10, t, 0, 0);
	struct buy b = { .type = t, .n = 2, .provider = "transfer" };
	struct order o;
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	int64_t before = balance(e);
	assert_int_equal(orders_mark_paid(e->db, &e->a_visitor, o.id), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(orders_mark_paid(e->db, &e->a_stranger, o.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(orders_mark_paid(e->db, &e->a_box, o.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(orders_mark_paid(e->db, &e->a_treasurer, o.id), KQ_OK);
	assert_int_equal(orders_mark_paid(e->db, &e->a_treasurer, o.id), KQ_ERR_ORDER_STATE);
	assert_string_equal(order_status(e, o.id), "paid");
	assert_int_equal(balance(e), before + 2500);
	assert_int_equal(count_mail(e, guest_email(e), "Vos billets"), 1);
	struct ledger_entry *rows;
	int n;
	int64_t bal;
	assert_int_equal(ledger_list(e->db, &e->a_box, e->org, 10, 0, e->a, &rows, &n, &bal),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(ledger_list(e->db, &e->a_treasurer, e->org, 10, 0, e->a, &rows, &n, &bal),
			 KQ_OK);
	assert_true(n >= 1);
	assert_string_equal(rows[0].kind, "payment");
	assert_int_equal(rows[0].amount_cents, 2500);
	assert_int_equal(rows[0].order_id, o.id);
	assert_string_equal(rows[0].provider, "transfer");
	assert_int_equal(bal, balance(e));
	tk_check_invariants(e);
}

static void test_box_office_takes_cash_at_the_door_and_scans_once(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	tk_quota(e, e->date1, 10, t, 0, 0);
	int64_t before = balance(e);
	/* Pay at the door: pending until the box office takes the money. */
	struct buy b = { .type = t, .n = 1 };
	struct order o;
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	assert_string_equal(o.status, "pending");
	assert_int_equal(o.hold_until, o.tickets[0].date_ends_at);
	assert_int_equal(count_mail(e, guest_email(e), "sur place"), 1);
	/* The scans at the door are tested in test_checkin.c. */
	assert_int_equal(orders_mark_paid(e->db, &e->a_box, o.id), KQ_OK);
	/* A sale at the desk is paid at once, into the ledger. */
	struct buy desk = { .who = &e->a_box, .type = t, .n = 3, .box_office = true };
	assert_int_equal(buy_ex(e, &desk, &o, NULL), KQ_OK);
	assert_string_equal(o.status, "paid");
	assert_int_equal(o.account_id, 0);   /* the customer's order, not the seller's */
	assert_int_equal(balance(e), before + 1000 + 3000);
	struct order *mine;
	int nm;
	assert_int_equal(orders_of_account(e->db, &e->a_box, e->a, &mine, &nm), KQ_OK);
	assert_int_equal(nm, 0);
	/* The organiser lists the event's orders. */
	struct order *list;
	int n;
	int64_t total;
	struct order_filter f = { .status = "paid" };
	assert_int_equal(orders_list(e->db, &e->a_stranger, e->event, &f, e->a, &list, &n, &total),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(orders_list(e->db, &e->a_box, e->event, &f, e->a, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 2);
	assert_int_equal(n, 2);
	struct order got;
	assert_int_equal(orders_get(e->db, &e->a_stranger, o.id, e->a, &got), KQ_ERR_FORBIDDEN);
	assert_int_equal(orders_get(e->db, &e->a_treasurer, o.id, e->a, &got), KQ_OK);
	tk_check_invariants(e);
}

/* A late payment: the hold passed, the seats came back, then the money arrived. */
static void test_late_transfer_takes_its_seats_again_when_they_are_free(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "transfer", false, NULL);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t q = tk_quota(e, e->date1, 2, t, 0, 0);
	struct buy b = { .type = t, .n = 2, .provider = "transfer" };
	struct order o;
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	set_clock(ORDERS_TRANSFER_DAYS * 86400 + 60);
	int n;
	assert_int_equal(orders_expire_due(e->db, time_now(), 100, &n), KQ_OK);
	assert_true(n >= 1);   /* this one, and any an earlier test of the group left pending */
	assert_string_equal(order_status(e, o.id), "expired");
	assert_int_equal(tk_quota_sold(e, q), 0);
	assert_int_equal(orders_mark_paid(e->db, &e->a_treasurer, o.id), KQ_OK);
	assert_string_equal(order_status(e, o.id), "paid");
	assert_int_equal(tk_quota_sold(e, q), 2);
	set_clock(0);
	tk_check_invariants(e);
}

static void test_late_transfer_without_seats_is_listed_to_refund_by_hand(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "transfer,onsite", false, NULL);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t q = tk_quota(e, e->date1, 2, t, 0, 0);
	struct buy b = { .type = t, .n = 2, .provider = "transfer" };
	struct order late;
	assert_int_equal(buy_ex(e, &b, &late, NULL), KQ_OK);
	set_clock(ORDERS_TRANSFER_DAYS * 86400 + 60);
	assert_int_equal(orders_expire_due(e->db, time_now(), 100, NULL), KQ_OK);
	assert_int_equal(buy_n(e, t, 2, NULL), KQ_OK);   /* resold */
	int64_t before = balance(e);
	assert_int_equal(orders_mark_paid(e->db, &e->a_treasurer, late.id), KQ_OK);
	/* Never sold past the quota: the money is in, and listed to go back. */
	assert_int_equal(tk_quota_sold(e, q), 2);
	assert_string_equal(order_status(e, late.id), "refunded");
	assert_int_equal(balance(e), before + 2000);
	struct refund_row *r;
	int n;
	assert_int_equal(payments_refunds_to_do(e->db, &e->a_box, e->org, e->a, &r, &n),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(payments_refunds_to_do(e->db, &e->a_treasurer, e->org, e->a, &r, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].status, "manual");
	assert_string_equal(r[0].reason, "late_payment");
	assert_int_equal(r[0].amount_cents, 2000);
	assert_int_equal(r[0].order_id, late.id);
	assert_int_equal(count_mail(e, guest_email(e), "trop tard"), 1);
	assert_int_equal(payments_refund_mark_done(e->db, &e->a_box, r[0].id), KQ_ERR_FORBIDDEN);
	assert_int_equal(payments_refund_mark_done(e->db, &e->a_treasurer, r[0].id), KQ_OK);
	assert_int_equal(payments_refund_mark_done(e->db, &e->a_treasurer, r[0].id),
			 KQ_ERR_ORDER_STATE);
	assert_int_equal(balance(e), before);   /* both moves are in the ledger */
	assert_int_equal(tk_scalar(e->db, "ledger_rows",
				   "SELECT COUNT(*) FROM ledger WHERE order_id = $1", late.id), 2);
	set_clock(0);
	tk_check_invariants(e);
}

static void test_late_payment_for_a_cancelled_event_is_refunded_not_revived(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "transfer", false, NULL);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t q = tk_quota(e, e->date1, 5, t, 0, 0);
	struct buy b = { .type = t, .n = 1, .provider = "transfer" };
	struct order o;
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	set_clock(ORDERS_TRANSFER_DAYS * 86400 + 60);
	assert_int_equal(orders_expire_due(e->db, time_now(), 100, NULL), KQ_OK);
	assert_string_equal(order_status(e, o.id), "expired");
	static const struct db_sql cancel = { "ut_event_cancel",
		"UPDATE events SET status = 'cancelled' WHERE id = $1" };
	struct db_stmt *st = db_stmt(e->db, &cancel);
	db_bind_i64(st, 1, e->event);
	assert_int_equal(db_run(st), DB_NONE);
	assert_int_equal(orders_mark_paid(e->db, &e->a_treasurer, o.id), KQ_OK);
	assert_string_equal(order_status(e, o.id), "refunded");
	assert_int_equal(tk_quota_sold(e, q), 0);
	assert_int_equal(tk_scalar(e->db, "manual", "SELECT COUNT(*) FROM refunds WHERE order_id = $1"
				   " AND status = 'manual' AND reason = 'late_payment'", o.id), 1);
	set_clock(0);
	tk_check_invariants(e);
}

/* ---- cancellation and refunds ------------------------------------------------------------ */

static void test_cancelling_frees_seats_and_refunds_through_the_provider(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "onsite,demo", false, NULL);
	int64_t t = tk_type(e, "Plein", 1800, NULL);
	int64_t q = tk_quota(e, e->date1, 5, t, 0, 0);
	struct order pending, paid;
	assert_int_equal(buy_n(e, t, 2, &pending), KQ_OK);
	struct buy d = { .type = t, .n = 3, .provider = "demo" };
	assert_int_equal(buy_ex(e, &d, &paid, NULL), KQ_OK);
	assert_non_null(strstr(paid.redirect_url, "/paiement-demo"));
	assert_int_equal(orders_demo_pay(e->db, paid.secret), KQ_OK);
	assert_int_equal(orders_demo_pay(e->db, paid.secret), KQ_ERR_ORDER_STATE);
	assert_string_equal(order_status(e, paid.id), "paid");
	assert_int_equal(tk_quota_sold(e, q), 5);
	int64_t before = balance(e);

	assert_int_equal(orders_cancel(e->db, &e->a_stranger, pending.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(orders_cancel(e->db, &e->a_box, pending.id), KQ_OK);
	assert_string_equal(order_status(e, pending.id), "cancelled");
	assert_int_equal(tk_quota_sold(e, q), 3);
	assert_int_equal(orders_cancel(e->db, &e->a_box, pending.id), KQ_ERR_ORDER_STATE);
	/* A paid order needs the money right, and is refunded in full. */
	assert_int_equal(orders_cancel(e->db, &e->a_box, paid.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(orders_cancel(e->db, &e->a_treasurer, paid.id), KQ_OK);
	assert_string_equal(order_status(e, paid.id), "refunded");
	assert_int_equal(tk_quota_sold(e, q), 0);
	assert_int_equal(balance(e), before - 5400);   /* the demo provider refunded at once */
	struct order o;
	assert_int_equal(orders_get_by_secret(e->db, e->a, paid.secret, &o), KQ_OK);
	assert_string_equal(o.refund_status, "done");
	assert_int_equal(count_mail(e, guest_email(e), "remboursée"), 1);
	tk_check_invariants(e);
}

static void test_buyer_cancels_only_where_allowed_and_before_the_deadline(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "onsite,demo", false, NULL);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t q = tk_quota(e, e->date1, 10, t, 0, 0);
	struct buy d = { .type = t, .n = 2, .provider = "demo" };
	struct order o;
	assert_int_equal(buy_ex(e, &d, &o, NULL), KQ_OK);
	assert_int_equal(orders_demo_pay(e->db, o.secret), KQ_OK);
	assert_false(o.can_buyer_cancel);
	assert_int_equal(orders_cancel_by_buyer(e->db, o.secret), KQ_ERR_ORDER_NOT_CANCELLABLE);
	set_shop(e, "onsite,demo", true, NULL);   /* deadline: one day before */
	set_clock(29 * 86400 + 60);
	assert_int_equal(orders_cancel_by_buyer(e->db, o.secret), KQ_ERR_ORDER_NOT_CANCELLABLE);
	set_clock(28 * 86400);
	assert_int_equal(orders_get_by_secret(e->db, e->a, o.secret, &o), KQ_OK);
	assert_true(o.can_buyer_cancel);
	int64_t before = balance(e);
	assert_int_equal(orders_cancel_by_buyer(e->db, o.secret), KQ_OK);
	assert_string_equal(order_status(e, o.id), "refunded");
	assert_int_equal(balance(e), before - 2000);
	assert_int_equal(tk_quota_sold(e, q), 0);
	assert_int_equal(orders_cancel_by_buyer(e->db, o.secret), KQ_ERR_ORDER_STATE);
	assert_int_equal(orders_cancel_by_buyer(e->db, "0000"), KQ_ERR_NOT_FOUND);
	set_clock(0);
	tk_check_invariants(e);
}

static void test_cancelling_the_event_refunds_every_order(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "onsite,demo,transfer", false, NULL);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t free_type = tk_type(e, "Gratuit", 0, NULL);
	tk_quota(e, e->date1, 100, t, free_type, 0);
	struct order card, transfer, pending, gratis;
	struct buy d = { .type = t, .n = 1, .provider = "demo" };
	assert_int_equal(buy_ex(e, &d, &card, NULL), KQ_OK);
	assert_int_equal(orders_demo_pay(e->db, card.secret), KQ_OK);
	struct buy tr = { .type = t, .n = 2, .provider = "transfer" };
	assert_int_equal(buy_ex(e, &tr, &transfer, NULL), KQ_OK);
	assert_int_equal(orders_mark_paid(e->db, &e->a_treasurer, transfer.id), KQ_OK);
	assert_int_equal(buy_n(e, t, 1, &pending), KQ_OK);
	assert_int_equal(buy_n(e, free_type, 1, &gratis), KQ_OK);
	int64_t before = balance(e);
	int n;
	assert_int_equal(orders_cancel_event(e->db, &e->a_box, e->event, &n), KQ_ERR_FORBIDDEN);
	assert_int_equal(orders_cancel_event(e->db, &e->a_treasurer, e->event, &n), KQ_OK);
	assert_int_equal(n, 4);
	assert_string_equal(order_status(e, card.id), "refunded");
	assert_string_equal(order_status(e, transfer.id), "refunded");
	assert_string_equal(order_status(e, pending.id), "cancelled");
	assert_string_equal(order_status(e, gratis.id), "cancelled");
	/* The card money went back through its provider; the transfer is for the treasurer. */
	assert_int_equal(balance(e), before - 1000);
	struct refund_row *r;
	assert_int_equal(payments_refunds_to_do(e->db, &e->a_treasurer, e->org, e->a, &r, &n), KQ_OK);
	bool found = false;
	for (int i = 0; i < n; i++)
		found = found || (r[i].order_id == transfer.id && strcmp(r[i].reason, "event_cancelled") == 0);
	assert_true(found);
	assert_int_equal(orders_cancel_event(e->db, &e->a_treasurer, e->event, &n), KQ_OK);
	assert_int_equal(n, 0);   /* again: nothing left to do */
	tk_check_invariants(e);
}

/* ---- waiting list ------------------------------------------------------------------------- */

static void test_waiting_list_gets_freed_seats_in_order(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t q = tk_quota(e, e->date1, 3, t, 0, 0);
	struct waitlist_request wr = { e->date1, t, "Wanda", "wanda@example.org", 1, "fr" };
	struct field_errors fe = { 0 };
	struct waitlist_entry w1, w2, w3;
	assert_int_equal(waitlist_join(e->db, &e->a_visitor, &wr, e->a, &fe, &w1),
			 KQ_ERR_WAITLIST_NOT_SOLD_OUT);
	struct order o1, o2;
	assert_int_equal(buy_n(e, t, 2, &o1), KQ_OK);
	assert_int_equal(buy_n(e, t, 1, &o2), KQ_OK);
	assert_int_equal(waitlist_join(e->db, &e->a_visitor, &wr, e->a, &fe, &w1), KQ_OK);
	assert_int_equal(w1.position, 1);
	struct waitlist_entry again;
	assert_int_equal(waitlist_join(e->db, &e->a_visitor, &wr, e->a, &fe, &again), KQ_OK);
	assert_int_equal(again.id, w1.id);   /* the same address twice: one entry */
	struct waitlist_request big = { e->date1, t, "Gus", "gus@example.org", 2, "en" };
	assert_int_equal(waitlist_join(e->db, &e->a_visitor, &big, e->a, &fe, &w2), KQ_OK);
	assert_int_equal(w2.position, 2);
	struct waitlist_request third = { e->date1, t, "Zoé", "zoe@example.org", 1, "fr" };
	assert_int_equal(waitlist_join(e->db, &e->a_visitor, &third, e->a, &fe, &w3), KQ_OK);
	struct ticket_offer *offers;
	int n;
	assert_int_equal(tickets_offers(e->db, e->a, e->event, e->date1, NULL, &offers, &n), KQ_OK);
	assert_int_equal(offers[0].waiting, 3);

	/* One seat comes back: Wanda gets it; nobody else can take it meanwhile. */
	assert_int_equal(orders_cancel(e->db, &e->a_box, o2.id), KQ_OK);
	assert_int_equal(buy_n(e, t, 1, NULL), KQ_ERR_TICKETS_SOLD_OUT);
	assert_int_equal(waitlist_run(e->db, time_now(), &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(tk_quota_sold(e, q), 3);   /* held for her */
	assert_int_equal(waitlist_get(e->db, e->a, w1.token, &w1), KQ_OK);
	assert_string_equal(w1.status, "offered");
	assert_int_equal(count_mail(e, "wanda@example.org", "libérées"), 1);
	assert_non_null(strstr(last_mail_body(e, "wanda@example.org"), w1.token));
	/* She buys with her link: the held seat becomes hers. */
	struct buy b = { .type = t, .n = 1, .waitlist = w1.token };
	struct order mine;
	assert_int_equal(buy_ex(e, &b, &mine, NULL), KQ_OK);
	assert_int_equal(tk_quota_sold(e, q), 3);
	assert_int_equal(waitlist_get(e->db, e->a, w1.token, &w1), KQ_OK);
	assert_string_equal(w1.status, "used");
	assert_int_equal(buy_ex(e, &b, &mine, NULL), KQ_ERR_WAITLIST_OFFER_INVALID);

	/* Two seats come back: Gus (2) is next; an unused offer expires to Zoé. */
	assert_int_equal(orders_cancel(e->db, &e->a_box, o1.id), KQ_OK);
	assert_int_equal(waitlist_run(e->db, time_now(), &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(waitlist_get(e->db, e->a, w2.token, &w2), KQ_OK);
	assert_string_equal(w2.status, "offered");
	assert_int_equal(count_mail(e, "gus@example.org", "Seats are free"), 1);
	set_clock(86400 + 10);
	assert_int_equal(waitlist_run(e->db, time_now(), &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(waitlist_get(e->db, e->a, w2.token, &w2), KQ_OK);
	assert_string_equal(w2.status, "expired");
	assert_int_equal(waitlist_get(e->db, e->a, w3.token, &w3), KQ_OK);
	assert_string_equal(w3.status, "offered");
	assert_int_equal(tk_quota_sold(e, q), 2);   /* 1 paid-for + 1 held for Zoé */
	/* Nobody waits any more: the last seat is for anyone. */
	assert_int_equal(waitlist_leave(e->db, w3.token), KQ_OK);
	assert_int_equal(buy_n(e, t, 2, NULL), KQ_OK);
	set_clock(0);
	tk_check_invariants(e);
}

/* ---- contention ----------------------------------------------------------------------------- */

#define BUYERS 200
#define SEATS 50

struct buyer {
	const char *url;
	int64_t event, type, date;
	int tickets;
	pthread_barrier_t *go;
	enum kq_err result;
	char err[256];
};

static void *buyer_main(void *arg)
{
	struct buyer *b = arg;
	struct db *db = db_open(b->url, b->err, sizeof(b->err));
	pthread_barrier_wait(b->go);
	if (!db) {
		b->result = KQ_ERR_INTERNAL;
		return NULL;
	}
	struct arena *a = arena_new();
	struct checkout_ticket t[4];
	for (int i = 0; i < b->tickets; i++)
		t[i] = (struct checkout_ticket){ b->type, b->date, NULL, NULL, 0 };
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct checkout_request in = { .event_id = b->event, .tickets = t, .n_tickets = b->tickets,
				       .buyer_name = "Foule", .buyer_email = "foule@example.org",
				       .provider = "onsite", .idempotency_key = key, .lang = "fr" };
	struct actor visitor = { 0 };
	struct field_errors fe = { 0 };
	struct order o;
	b->result = orders_checkout(db, &visitor, &in, a, &fe, &o);
	if (b->result == KQ_ERR_INTERNAL)
		snprintf(b->err, sizeof(b->err), "%s", db_errmsg(db));
	arena_free(a);
	db_close(db);
	return NULL;
}

/* n buyers in threads, each on its own connection, released at once. The
 * test's own connection is closed meanwhile: PostgreSQL has 200 slots. */
static void run_buyers(struct tk *e, struct buyer *b, int n, int *out_ok, int *out_sold_out,
		       int *out_tickets)
{
	pthread_t *th = calloc((size_t)n, sizeof(*th));
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		b[i].go = &go;
		assert_int_equal(pthread_create(&th[i], NULL, buyer_main, &b[i]), 0);
	}
	int ok = 0, sold_out = 0, tickets = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		if (b[i].result == KQ_OK) {
			ok++;
			tickets += b[i].tickets;
		} else if (b[i].result == KQ_ERR_TICKETS_SOLD_OUT) {
			sold_out++;
		} else {
			print_message("buyer %d: %s %s\n", i, err_api_code(b[i].result), b[i].err);
		}
	}
	pthread_barrier_destroy(&go);
	free(th);
	(void)e;
	*out_ok = ok;
	*out_sold_out = sold_out;
	*out_tickets = tickets;
}

static void reopen(struct tk *e)
{
	char err[256];
	e->db = db_open(e->url, err, sizeof(err));
	assert_non_null(e->db);
}

/* INVARIANT(quota): 200 concurrent buyers, 50 seats: exactly 50 sold, 150 told "sold out". */
static void test_200_buyers_at_50_seats_get_exactly_50_tickets(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t q = tk_quota(e, e->date1, SEATS, t, 0, 0);
	struct buyer *b = calloc(BUYERS, sizeof(*b));
	for (int i = 0; i < BUYERS; i++)
		b[i] = (struct buyer){ e->url, e->event, t, e->date1, 1, NULL, KQ_OK, "" };
	db_close(e->db);
	int ok, sold_out, tickets;
	run_buyers(e, b, BUYERS, &ok, &sold_out, &tickets);
	reopen(e);
	free(b);
	assert_int_equal(ok, SEATS);
	assert_int_equal(sold_out, BUYERS - SEATS);
	assert_int_equal(tk_quota_sold(e, q), SEATS);
	assert_int_equal(tk_scalar(e->db, "nt", "SELECT COUNT(*) FROM tickets t JOIN orders o"
				   " ON o.id = t.order_id WHERE o.event_id = $1", e->event), SEATS);
	tk_check_invariants(e);
}

/* Overlapping quotas, baskets of 1 to 4, types in any order: no oversell, no deadlock. */
static void test_overlapping_quotas_under_contention_never_oversell(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t adult = tk_type(e, "Adulte", 1000, NULL);
	int64_t child = tk_type(e, "Enfant", 500, NULL);
	int64_t total = tk_quota(e, e->date1, 40, adult, child, 0);
	int64_t kids = tk_quota(e, e->date1, 15, child, 0, 0);
	enum { N = 100 };
	struct buyer *b = calloc(N, sizeof(*b));
	for (int i = 0; i < N; i++)
		b[i] = (struct buyer){ e->url, e->event, i % 3 ? adult : child, e->date1, 1 + i % 4,
				       NULL, KQ_OK, "" };
	db_close(e->db);
	int ok, sold_out, tickets;
	run_buyers(e, b, N, &ok, &sold_out, &tickets);
	reopen(e);
	free(b);
	assert_int_equal(ok + sold_out, N);   /* every buyer got an answer: no deadlock, no error */
	assert_true(tk_quota_sold(e, total) <= 40);
	assert_true(tk_quota_sold(e, kids) <= 15);
	assert_int_equal(tk_quota_sold(e, total), tickets);
	assert_true(tickets >= 40 - 3);   /* a basket of up to 4 may not fit the last seats */
	tk_check_invariants(e);
}

/* Two processes, each with 100 buyer threads on their own connections, one database. */
static void test_two_processes_sell_exactly_the_quota(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t q = tk_quota(e, e->date1, SEATS, t, 0, 0);
	db_close(e->db);
	pid_t pid[2];
	int fds[2][2];
	for (int p = 0; p < 2; p++) {
		assert_int_equal(pipe(fds[p]), 0);
		pid[p] = fork();
		assert_true(pid[p] >= 0);
		if (pid[p] == 0) {
			/* The child: no cmocka assertions, results through the pipe. */
			close(fds[p][0]);
			enum { N = BUYERS / 2 };
			struct buyer b[N];
			for (int i = 0; i < N; i++)
				b[i] = (struct buyer){ e->url, e->event, t, e->date1, 1, NULL, KQ_OK, "" };
			pthread_t th[N];
			pthread_barrier_t go;
			pthread_barrier_init(&go, NULL, N);
			for (int i = 0; i < N; i++) {
				b[i].go = &go;
				if (pthread_create(&th[i], NULL, buyer_main, &b[i]) != 0)
					_exit(3);
			}
			int r[3] = { 0, 0, 0 };
			for (int i = 0; i < N; i++) {
				pthread_join(th[i], NULL);
				r[b[i].result == KQ_OK ? 0 : b[i].result == KQ_ERR_TICKETS_SOLD_OUT ? 1 : 2]++;
				if (b[i].result != KQ_OK && b[i].result != KQ_ERR_TICKETS_SOLD_OUT)
					fprintf(stderr, "child buyer: %s %s\n", err_api_code(b[i].result),
						b[i].err);
			}
			ssize_t w = write(fds[p][1], r, sizeof(r));
			_exit(w == (ssize_t)sizeof(r) ? 0 : 4);
		}
		close(fds[p][1]);
	}
	int ok = 0, sold_out = 0, errors = 0, got[2] = { 0, 0 };
	for (int p = 0; p < 2; p++) {
		int r[3];
		assert_int_equal(read(fds[p][0], r, sizeof(r)), (ssize_t)sizeof(r));
		close(fds[p][0]);
		int status;
		assert_int_equal(waitpid(pid[p], &status, 0), pid[p]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		ok += r[0];
		sold_out += r[1];
		errors += r[2];
		got[p] = r[0];
	}
	reopen(e);
	assert_int_equal(errors, 0);
	assert_int_equal(ok, SEATS);
	assert_int_equal(sold_out, BUYERS - SEATS);
	assert_int_equal(tk_quota_sold(e, q), SEATS);
	print_message("two processes: %d + %d tickets\n", got[0], got[1]);
	tk_check_invariants(e);
}

struct redeemer {
	const char *url;
	int64_t event, type, date;
	pthread_barrier_t *go;
	enum kq_err result;
};

static void *redeem_main(void *arg)
{
	struct redeemer *r = arg;
	char err[256];
	struct db *db = db_open(r->url, err, sizeof(err));
	pthread_barrier_wait(r->go);
	if (!db) {
		r->result = KQ_ERR_INTERNAL;
		return NULL;
	}
	struct arena *a = arena_new();
	struct checkout_ticket t = { r->type, r->date, NULL, NULL, 0 };
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct checkout_request in = { .event_id = r->event, .tickets = &t, .n_tickets = 1,
				       .buyer_name = "Code", .buyer_email = "code@example.org",
				       .voucher_code = "SEULE", .provider = "onsite",
				       .idempotency_key = key };
	struct actor visitor = { 0 };
	struct field_errors fe = { 0 };
	struct order o;
	r->result = orders_checkout(db, &visitor, &in, a, &fe, &o);
	arena_free(a);
	db_close(db);
	return NULL;
}

/* Q5: 50 concurrent redemptions of a single-use code: exactly one. */
static void test_single_use_voucher_is_used_once_under_contention(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	tk_quota(e, e->date1, 1000, t, 0, 0);
	struct voucher_input vi = { .code = "SEULE", .kind = "percent", .amount = 50, .max_uses = 1 };
	struct field_errors fe = { 0 };
	struct voucher v;
	assert_int_equal(tickets_voucher_create(e->db, &e->a_owner, e->event, &vi, e->a, &fe, &v),
			 KQ_OK);
	enum { N = 50 };
	struct redeemer r[N];
	pthread_t th[N];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, N);
	db_close(e->db);
	for (int i = 0; i < N; i++) {
		r[i] = (struct redeemer){ e->url, e->event, t, e->date1, &go, KQ_OK };
		assert_int_equal(pthread_create(&th[i], NULL, redeem_main, &r[i]), 0);
	}
	int ok = 0, used_up = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		ok += r[i].result == KQ_OK;
		used_up += r[i].result == KQ_ERR_VOUCHER_USED_UP;
	}
	pthread_barrier_destroy(&go);
	reopen(e);
	assert_int_equal(ok, 1);
	assert_int_equal(used_up, N - 1);
	assert_int_equal(tk_scalar(e->db, "used", "SELECT used FROM vouchers WHERE id = $1", v.id), 1);
	tk_check_invariants(e);
}

struct retrier {
	const char *url;
	int64_t event, type, date;
	pthread_barrier_t *go;
	enum kq_err result;
	int64_t order_id;
	char email[64];
};

static void *retry_main(void *arg)
{
	struct retrier *r = arg;
	char err[256];
	struct db *db = db_open(r->url, err, sizeof(err));
	pthread_barrier_wait(r->go);
	if (!db) {
		r->result = KQ_ERR_INTERNAL;
		return NULL;
	}
	struct arena *a = arena_new();
	struct checkout_ticket t[2] = { { r->type, r->date, NULL, NULL, 0 },
					{ r->type, r->date, NULL, NULL, 0 } };
	struct checkout_request in = { .event_id = r->event, .tickets = t, .n_tickets = 2,
				       .buyer_name = "Double clic", .buyer_email = r->email,
				       .provider = "transfer", .idempotency_key = "one-form-one-order" };
	struct actor visitor = { 0 };
	struct field_errors fe = { 0 };
	struct order o;
	r->result = orders_checkout(db, &visitor, &in, a, &fe, &o);
	r->order_id = o.id;
	arena_free(a);
	db_close(db);
	return NULL;
}

/* A form sent ten times at once (double clicks, a proxy's retries): one order. */
static void test_concurrent_retries_of_one_checkout_make_one_order(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "transfer", false, NULL);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t q = tk_quota(e, e->date1, 10, t, 0, 0);
	enum { N = 10 };
	struct retrier r[N];
	pthread_t th[N];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, N);
	for (int i = 0; i < N; i++) {
		r[i] = (struct retrier){ e->url, e->event, t, e->date1, &go, KQ_OK, 0, "" };
		snprintf(r[i].email, sizeof(r[i].email), "%s", guest_email(e));
		assert_int_equal(pthread_create(&th[i], NULL, retry_main, &r[i]), 0);
	}
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].result, KQ_OK);
		assert_int_equal(r[i].order_id, r[0].order_id);
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(count_orders(e, "pending"), 1);
	assert_int_equal(tk_quota_sold(e, q), 2);
	assert_int_equal(count_mail(e, guest_email(e), "virement"), 1);
	tk_check_invariants(e);
}

/* ---- fault injection --------------------------------------------------------------------- */

/* INVARIANT(atomic-checkout): fail every step of a checkout in turn (SQLite's
 * do_faultsim_test); after each failure nothing is half-written, and a
 * failure after the order committed is finished by retrying with its key. */
static void test_checkout_fails_at_every_step_without_leaving_half_an_order(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "onsite,stripe", false, NULL);
	int64_t t = tk_type(e, "Plein", 2000, NULL);
	int64_t q = tk_quota(e, e->date1, 500, t, 0, 0);
	struct field_errors fe = { 0 };
	struct voucher v;
	struct voucher_input vi = { .code = "FAUTE", .kind = "fixed", .amount = 500, .max_uses = 500 };
	assert_int_equal(tickets_voucher_create(e->db, &e->a_owner, e->event, &vi, e->a, &fe, &v),
			 KQ_OK);
	struct ticket_question qq;
	struct ticket_question_input qi = { .label = "Régime", .kind = "text" };
	assert_int_equal(tickets_question_create(e->db, &e->a_owner, e->event, &qi, e->a, &fe, &qq),
			 KQ_OK);
	struct checkout_answer ans = { qq.id, "sans gluten" };
	int64_t sessions_before = fake_count("sessions");
	int failures = 0, finished_by_retry = 0;
	long k;
	for (k = 1; k < 500; k++) {
		char key[64];
		snprintf(key, sizeof(key), "fault-%ld-%lld", k, (long long)e->event);
		struct buy b = { .type = t, .n = 2, .provider = "stripe", .voucher = "FAUTE", .key = key,
				 .answers = &ans, .n_answers = 1 };
		int64_t orders_before = count_orders(e, "pending");
		int64_t sold_before = tk_quota_sold(e, q);
		struct order o;
		faults_arm(k);
		enum kq_err err = buy_ex(e, &b, &o, NULL);
		bool fired = faults_fired();
		faults_arm(0);
		if (!fired) {
			assert_int_equal(err, KQ_OK);
			assert_string_equal(o.payment_status, "started");
			break;
		}
		failures++;
		assert_int_not_equal(err, KQ_OK);
		tk_check_invariants(e);
		int64_t orders_after = count_orders(e, "pending");
		if (orders_after == orders_before) {
			/* Failed inside the first transaction: nothing at all. */
			assert_int_equal(tk_quota_sold(e, q), sold_before);
		} else {
			/* Failed after the order committed: pending, its payment not
			 * yet recorded; a retry with the same key completes it. */
			assert_int_equal(orders_after, orders_before + 1);
			struct order again;
			assert_int_equal(buy_ex(e, &b, &again, NULL), KQ_OK);
			assert_string_equal(again.payment_status, "started");
			assert_non_null(strstr(again.redirect_url, fake_base));
			finished_by_retry++;
			tk_check_invariants(e);
		}
	}
	print_message("checkout: %d injected failures, %d finished by a retry\n", failures,
		      finished_by_retry);
	assert_true(failures >= 20);
	assert_true(finished_by_retry >= 1);
	/* Each order opened one session at the provider, retries included. */
	assert_int_equal(fake_count("sessions") - sessions_before, count_orders(e, "pending"));
	tk_check_invariants(e);
}

/* The capture of a payment, failed at each step: the order stays pending,
 * no ledger row, the event unrecorded (so its redelivery is applied). */
static void test_webhook_fails_at_every_step_and_its_redelivery_applies_once(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "stripe", false, NULL);
	int64_t t = tk_type(e, "Plein", 3000, NULL);
	tk_quota(e, e->date1, 10, t, 0, 0);
	struct buy b = { .type = t, .n = 1, .provider = "stripe" };
	struct order o;
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	struct delivery d = fake_pay(session_of(e, o.id));
	int64_t before = balance(e);
	long k;
	int failures = 0;
	for (k = 1; k < 200; k++) {
		enum webhook_result r;
		faults_arm(k);
		enum kq_err err = deliver(e->db, &d, &r);
		bool fired = faults_fired();
		faults_arm(0);
		if (!fired) {
			assert_int_equal(err, KQ_OK);
			assert_int_equal(r, WEBHOOK_APPLIED);
			break;
		}
		failures++;
		assert_int_not_equal(err, KQ_OK);
		assert_string_equal(order_status(e, o.id), "pending");
		assert_int_equal(balance(e), before);
		assert_int_equal(tk_scalar(e->db, "ev", "SELECT COUNT(*) FROM payment_events"
					   " WHERE payment_id = $1",
					   tk_scalar(e->db, "pid", "SELECT id FROM payments WHERE order_id = $1",
						     o.id)), 0);
		tk_check_invariants(e);
	}
	assert_true(failures >= 5);
	assert_string_equal(order_status(e, o.id), "paid");
	assert_int_equal(balance(e), before + 3000 - stripe_fee(3000));
	assert_int_equal(count_mail(e, guest_email(e), "Vos billets"), 1);
	delivery_free(&d);
	tk_check_invariants(e);
}

/* ---- Stripe ---------------------------------------------------------------------------------- */

static void test_stripe_signature_is_checked_like_stripe_does(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	const char *body = "{\"id\":\"evt_1\",\"type\":\"checkout.session.completed\"}";
	size_t len = strlen(body);
	int64_t now = 1790000000;
	char *good = payments_stripe_sign(a, body, len, STRIPE_WHSEC, now);
	assert_true(payments_stripe_signature_ok(good, body, len, STRIPE_WHSEC, now, 300));
	/* Stripe's own scheme, checked independently: HMAC-SHA256 of "t.body". */
	unsigned char mac[32];
	char hex[65], *msg = arena_printf(a, "%lld.%s", (long long)now, body);
	crypto_auth_hmacsha256_state hs;
	crypto_auth_hmacsha256_init(&hs, (const unsigned char *)STRIPE_WHSEC, strlen(STRIPE_WHSEC));
	crypto_auth_hmacsha256_update(&hs, (const unsigned char *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&hs, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	assert_string_equal(good, arena_printf(a, "t=%lld,v1=%s", (long long)now, hex));
	/* Several v1 (a secret being rolled) and other schemes are fine. */
	assert_true(payments_stripe_signature_ok(
		arena_printf(a, "t=%lld,v1=%064d,v0=abc,%s", (long long)now, 0, strchr(good, ',') + 1),
		body, len, STRIPE_WHSEC, now, 300));
	assert_false(payments_stripe_signature_ok(good, body, len, "whsec_other", now, 300));
	assert_false(payments_stripe_signature_ok(good, body, len, STRIPE_WHSEC, now + 301, 300));
	assert_false(payments_stripe_signature_ok(good, body, len, STRIPE_WHSEC, now - 301, 300));
	assert_true(payments_stripe_signature_ok(good, body, len, STRIPE_WHSEC, now + 299, 300));
	char *tampered = arena_strdup(a, body);
	tampered[8] = 'X';
	assert_false(payments_stripe_signature_ok(good, tampered, len, STRIPE_WHSEC, now, 300));
	assert_false(payments_stripe_signature_ok(good, body, len - 1, STRIPE_WHSEC, now, 300));
	assert_false(payments_stripe_signature_ok(NULL, body, len, STRIPE_WHSEC, now, 300));
	assert_false(payments_stripe_signature_ok("", body, len, STRIPE_WHSEC, now, 300));
	assert_false(payments_stripe_signature_ok("v1=abc", body, len, STRIPE_WHSEC, now, 300));
	assert_false(payments_stripe_signature_ok(arena_printf(a, "t=%lldx,%s", (long long)now,
							       strchr(good, ',') + 1),
						  body, len, STRIPE_WHSEC, now, 300));
	assert_false(payments_stripe_signature_ok(good, body, len, "", now, 300));
	arena_free(a);
}

static void test_stripe_card_payment_goes_through_the_hosted_page_and_webhook(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "stripe", false, NULL);
	int64_t t = tk_type(e, "Plein", 2500, NULL);
	int64_t q = tk_quota(e, e->date1, 10, t, 0, 0);
	struct buy b = { .type = t, .n = 2, .provider = "stripe" };
	struct order o;
	int64_t sessions = fake_count("sessions");
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	assert_string_equal(o.status, "pending");
	assert_string_equal(o.payment_status, "started");
	assert_true(str_starts(o.redirect_url, arena_printf(e->a, "%s/pay/cs_test_", fake_base)));
	assert_true(str_starts(o.payment_reference, "cs_test_"));
	assert_int_equal(fake_count("sessions"), sessions + 1);
	/* Seats are held for the session, which Stripe keeps open 30 minutes at least. */
	assert_true(o.hold_until >= time_now() + 30 * 60);
	assert_int_equal(tk_quota_sold(e, q), 2);
	int64_t before = balance(e);

	/* A bad signature changes nothing. */
	struct delivery d = fake_pay(o.payment_reference);
	enum webhook_result r;
	struct arena *a = arena_new();
	char *bad_sig = arena_strdup(a, d.signature);
	bad_sig[strlen(bad_sig) - 1] = bad_sig[strlen(bad_sig) - 1] == '0' ? '1' : '0';
	assert_int_equal(payments_webhook(e->db, "stripe", bad_sig, d.payload, strlen(d.payload), a, &r),
			 KQ_ERR_PAYMENT_BAD_SIGNATURE);
	assert_int_equal(payments_webhook(e->db, "stripe", NULL, d.payload, strlen(d.payload), a, &r),
			 KQ_ERR_PAYMENT_BAD_SIGNATURE);
	assert_int_equal(payments_webhook(e->db, "nosuch", d.signature, d.payload, strlen(d.payload),
					  a, &r), KQ_ERR_NOT_FOUND);
	assert_string_equal(order_status(e, o.id), "pending");
	/* A delivery older than five minutes is a replay: refused. */
	set_clock(301);
	assert_int_equal(deliver(e->db, &d, &r), KQ_ERR_PAYMENT_BAD_SIGNATURE);
	set_clock(0);
	assert_int_equal(balance(e), before);

	/* The real one, then ten replays: applied once. */
	assert_int_equal(deliver(e->db, &d, &r), KQ_OK);
	assert_int_equal(r, WEBHOOK_APPLIED);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(deliver(e->db, &d, &r), KQ_OK);
		assert_int_equal(r, WEBHOOK_DUPLICATE);
	}
	assert_string_equal(order_status(e, o.id), "paid");
	/* Stripe kept its fee (1.5 % + 0.25 EUR): the book says what the organisation receives. */
	assert_int_equal(balance(e), before + 5000 - stripe_fee(5000));
	assert_int_equal(tk_scalar(e->db, "fee_of", "SELECT fee_cents FROM payments WHERE order_id = $1",
				   o.id), 100);
	assert_int_equal(tk_scalar(e->db, "fee_rows", "SELECT COUNT(*) FROM ledger WHERE order_id = $1"
				   " AND kind = 'fee' AND amount_cents = -100", o.id), 1);   /* 75 + 25 */
	assert_int_equal(count_mail(e, guest_email(e), "Vos billets"), 1);
	/* Another event about the same session (Stripe sends several) captures nothing more. */
	struct delivery d2 = fake_event(arena_printf(a, "/_test/event?type=checkout.session."
						     "async_payment_succeeded&session=%s",
						     o.payment_reference));
	assert_int_equal(deliver(e->db, &d2, &r), KQ_OK);
	assert_int_equal(r, WEBHOOK_ALREADY_CAPTURED);
	assert_int_equal(balance(e), before + 5000 - stripe_fee(5000));
	/* An event about a session that is not ours is recorded and ignored. */
	struct delivery d3 = fake_event("/_test/event?type=checkout.session.completed&session=cs_forged");
	assert_int_equal(deliver(e->db, &d3, &r), KQ_OK);
	assert_int_equal(r, WEBHOOK_UNKNOWN_PAYMENT);
	struct delivery d4 = fake_event("/_test/event?type=customer.created&session=");
	assert_int_equal(deliver(e->db, &d4, &r), KQ_OK);
	assert_int_equal(r, WEBHOOK_IGNORED);
	/* The buyer coming back finds it paid without asking again. */
	bool paid;
	assert_int_equal(orders_sync_payment(e->db, o.secret, &paid), KQ_OK);
	assert_true(paid);

	/* Cancelling refunds through Stripe, once, with the ledger row. */
	int64_t refunded = fake_count("refunded");
	assert_int_equal(orders_cancel(e->db, &e->a_owner, o.id), KQ_OK);
	assert_int_equal(fake_count("refunded"), refunded + 5000);
	assert_int_equal(balance(e), before - stripe_fee(5000));   /* Stripe does not give its fee back */
	assert_int_equal(tk_quota_sold(e, q), 0);
	delivery_free(&d);
	delivery_free(&d2);
	delivery_free(&d3);
	delivery_free(&d4);
	arena_free(a);
	tk_check_invariants(e);
}

struct replayer {
	const char *url;
	const struct delivery *d;
	pthread_barrier_t *go;
	enum kq_err err;
	enum webhook_result r;
};

static void *replay_main(void *arg)
{
	struct replayer *p = arg;
	char err[256];
	struct db *db = db_open(p->url, err, sizeof(err));
	pthread_barrier_wait(p->go);
	p->err = db ? deliver(db, p->d, &p->r) : KQ_ERR_INTERNAL;
	db_close(db);
	return NULL;
}

/* P2: the same event delivered ten times at once: one transition, one mail. */
static void test_concurrent_webhook_deliveries_apply_once(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "stripe", false, NULL);
	int64_t t = tk_type(e, "Plein", 1500, NULL);
	tk_quota(e, e->date1, 10, t, 0, 0);
	struct buy b = { .type = t, .n = 1, .provider = "stripe" };
	struct order o;
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	struct delivery d = fake_pay(o.payment_reference);
	int64_t before = balance(e);
	enum { N = 10 };
	struct replayer p[N];
	pthread_t th[N];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, N);
	for (int i = 0; i < N; i++) {
		p[i] = (struct replayer){ e->url, &d, &go, KQ_OK, WEBHOOK_IGNORED };
		assert_int_equal(pthread_create(&th[i], NULL, replay_main, &p[i]), 0);
	}
	int applied = 0, dup = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(p[i].err, KQ_OK);
		applied += p[i].r == WEBHOOK_APPLIED;
		dup += p[i].r == WEBHOOK_DUPLICATE;
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(applied, 1);
	assert_int_equal(dup, N - 1);
	assert_int_equal(balance(e), before + 1500 - stripe_fee(1500));
	assert_int_equal(count_mail(e, guest_email(e), "Vos billets"), 1);
	delivery_free(&d);
	tk_check_invariants(e);
}

/* Q6: the hold passed, the seats were sold again, then the card payment arrived. */
static void test_stripe_payment_after_expiry_is_reconciled(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "stripe,onsite", false, NULL);
	int64_t t = tk_type(e, "Plein", 4000, NULL);
	int64_t q = tk_quota(e, e->date1, 1, t, 0, 0);

	/* First: the seat is still free when the late payment comes: the order gets it back. */
	struct buy b = { .type = t, .n = 1, .provider = "stripe" };
	struct order first;
	assert_int_equal(buy_ex(e, &b, &first, NULL), KQ_OK);
	set_clock(2 * 3600);
	int n;
	assert_int_equal(orders_expire_due(e->db, time_now(), 100, &n), KQ_OK);
	assert_true(n >= 1);   /* asked Stripe first: not paid, so expired */
	assert_string_equal(order_status(e, first.id), "expired");
	assert_int_equal(tk_quota_sold(e, q), 0);
	struct delivery d = fake_pay(first.payment_reference);
	enum webhook_result r;
	assert_int_equal(deliver(e->db, &d, &r), KQ_OK);
	assert_int_equal(r, WEBHOOK_APPLIED);
	assert_string_equal(order_status(e, first.id), "paid");
	assert_int_equal(tk_quota_sold(e, q), 1);
	delivery_free(&d);
	assert_int_equal(orders_cancel(e->db, &e->a_owner, first.id), KQ_OK);   /* seat free again */

	/* Then: the seat was resold meanwhile: refunded through Stripe, both moves in the ledger. */
	set_clock(0);
	struct order late;
	assert_int_equal(buy_ex(e, &b, &late, NULL), KQ_OK);
	set_clock(2 * 3600);
	assert_int_equal(orders_expire_due(e->db, time_now(), 100, &n), KQ_OK);
	assert_string_equal(order_status(e, late.id), "expired");
	struct order other;
	assert_int_equal(buy_n(e, t, 1, &other), KQ_OK);
	int64_t before = balance(e), refunded = fake_count("refunded");
	d = fake_pay(late.payment_reference);
	assert_int_equal(deliver(e->db, &d, &r), KQ_OK);
	assert_int_equal(r, WEBHOOK_APPLIED);
	assert_int_equal(tk_quota_sold(e, q), 1);   /* never past the quota */
	assert_string_equal(order_status(e, late.id), "refunded");
	assert_string_equal(order_status(e, other.id), "pending");
	assert_int_equal(fake_count("refunded"), refunded + 4000);
	assert_int_equal(balance(e), before - stripe_fee(4000));   /* the fee is not given back */
	assert_int_equal(tk_scalar(e->db, "rows", "SELECT COUNT(*) FROM ledger WHERE order_id = $1",
				   late.id), 3);   /* payment, fee, refund */
	assert_int_equal(count_mail(e, guest_email(e), "trop tard"), 1);
	assert_int_equal(deliver(e->db, &d, &r), KQ_OK);   /* replayed: nothing more */
	assert_int_equal(r, WEBHOOK_DUPLICATE);
	assert_int_equal(fake_count("refunded"), refunded + 4000);
	delivery_free(&d);
	set_clock(0);
	tk_check_invariants(e);
}

/* A crash after Stripe opened the session but before we recorded it: the
 * buyer's payment (in the unlikely case they reached the page) is still
 * matched, through the payment id in the session's metadata. */
static void test_payment_of_a_session_never_recorded_is_still_captured(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "stripe", false, NULL);
	int64_t t = tk_type(e, "Plein", 1700, NULL);
	tk_quota(e, e->date1, 10, t, 0, 0);
	/* Count the steps of one checkout, then fail the first step of the
	 * transaction that records the session (two steps before the end). */
	struct buy b = { .type = t, .n = 1, .provider = "stripe" };
	struct order o;
	faults_arm(1000000);
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	long steps = faults_steps();
	faults_arm(steps - 1);
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_ERR_INTERNAL);
	assert_true(faults_fired());
	faults_arm(0);
	int64_t id = tk_scalar(e->db, "last", "SELECT MAX(id) FROM orders WHERE event_id = $1",
			       e->event);
	assert_string_equal(order_status(e, id), "pending");
	assert_string_equal(session_of(e, id), "");   /* the session is not recorded */
	json_t *st = fake_call("GET", "/_test/state");
	char *session = xstrdup(json_string_value(json_object_get(st, "last_session")));
	json_decref(st);
	struct delivery d = fake_pay(session);
	enum webhook_result r;
	int64_t before = balance(e);
	assert_int_equal(deliver(e->db, &d, &r), KQ_OK);
	assert_int_equal(r, WEBHOOK_APPLIED);
	assert_string_equal(order_status(e, id), "paid");
	assert_string_equal(session_of(e, id), session);
	assert_int_equal(balance(e), before + 1700 - stripe_fee(1700));
	free(session);
	delivery_free(&d);
	tk_check_invariants(e);
}

static void test_expiry_asks_stripe_before_dropping_a_paid_order(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "stripe", false, NULL);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t q = tk_quota(e, e->date1, 5, t, 0, 0);
	struct buy b = { .type = t, .n = 1, .provider = "stripe" };
	struct order o;
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	struct delivery d = fake_pay(o.payment_reference);   /* paid, webhook lost */
	set_clock(2 * 3600);
	int n;
	assert_int_equal(orders_expire_due(e->db, time_now(), 100, &n), KQ_OK);
	assert_string_equal(order_status(e, o.id), "paid");   /* captured, not expired */
	assert_int_equal(tk_quota_sold(e, q), 1);
	enum webhook_result r;
	set_clock(0);
	assert_int_equal(deliver(e->db, &d, &r), KQ_OK);   /* the webhook, late: nothing more */
	assert_int_equal(r, WEBHOOK_ALREADY_CAPTURED);
	delivery_free(&d);
	tk_check_invariants(e);
}

static void test_stripe_outage_at_checkout_frees_the_seats(void **state)
{
	struct tk *e = *state;
	begin(e);
	set_shop(e, "stripe", false, NULL);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t q = tk_quota(e, e->date1, 5, t, 0, 0);
	json_decref(fake_call("POST", "/_test/fail-next?count=1&status=500"));
	struct buy b = { .type = t, .n = 2, .provider = "stripe", .key = "outage-key-0001" };
	struct order o;
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_ERR_PAYMENT_FAILED);
	assert_int_equal(tk_quota_sold(e, q), 0);
	assert_int_equal(count_orders(e, "cancelled"), 1);
	/* Trying again with the same form works: the failed order did not keep its key. */
	assert_int_equal(buy_ex(e, &b, &o, NULL), KQ_OK);
	assert_string_equal(o.payment_status, "started");
	assert_int_equal(tk_quota_sold(e, q), 2);
	/* A refund Stripe refuses is retried later, and kept out of the ledger until done. */
	struct delivery d = fake_pay(o.payment_reference);
	enum webhook_result r;
	assert_int_equal(deliver(e->db, &d, &r), KQ_OK);
	int64_t before = balance(e);
	json_decref(fake_call("POST", "/_test/fail-next?count=1&status=500"));
	assert_int_equal(orders_cancel(e->db, &e->a_owner, o.id), KQ_OK);
	assert_int_equal(balance(e), before);   /* not refunded yet */
	tk_check_invariants(e);
	set_clock(3600);
	assert_int_equal(jobs_expiry_run(e->db) >= 1, true);
	assert_int_equal(balance(e), before - 2000);
	set_clock(0);
	delivery_free(&d);
	tk_check_invariants(e);
}

/* ---- the ledger in the source ----------------------------------------------------------------- */

/* INVARIANT(ledger): rows are only inserted. No file of src/ updates or deletes them. */
static void test_no_source_file_updates_or_deletes_the_ledger(void **state)
{
	(void)state;
	FILE *probe = fopen("src/core/ledger.c", "r");   /* run.sh runs from the repository */
	assert_non_null(probe);
	fclose(probe);
	FILE *p = popen("grep -rniE '(update[[:space:]\"]+ledger[[:space:]]|delete[[:space:]\"]+from[[:space:]\"]+ledger)'"
			" src db/migrations 2>/dev/null", "r");
	assert_non_null(p);
	char line[512];
	int hits = 0;
	while (fgets(line, sizeof(line), p)) {
		print_message("ledger written in place: %s", line);
		hits++;
	}
	pclose(p);
	assert_int_equal(hits, 0);
}

int main(void)
{
	crypto_init();
	time_init();
	i18n_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!fake_start()) {
		fprintf(stderr, "test_orders: cannot start tests/tools/fake_stripe.py\n");
		return 1;
	}
	struct core_settings cs = { "https://kiosque.test", "Kiosque <no-reply@kiosque.test>" };
	core_init(&cs);
	struct payments_settings ps = { STRIPE_KEY, STRIPE_WHSEC, fake_base, true, 30 };
	payments_configure(&ps);
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_stripe_signature_is_checked_like_stripe_does),
		cmocka_unit_test(test_no_source_file_updates_or_deletes_the_ledger),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_registration_is_paid_at_once_with_its_link_mailed),
		cmocka_unit_test(test_guest_checkout_needs_a_name_and_an_address),
		cmocka_unit_test(test_a_price_changed_since_the_form_is_refused),
		cmocka_unit_test(test_min_and_max_per_order_are_enforced),
		cmocka_unit_test(test_sale_window_opens_and_closes),
		cmocka_unit_test(test_hidden_and_voucher_only_types_need_their_code),
		cmocka_unit_test(test_vouchers_price_each_ticket_and_keep_their_window),
		cmocka_unit_test(test_answers_and_attendee_names_are_checked),
		cmocka_unit_test(test_retried_checkout_returns_the_same_order),
		cmocka_unit_test(test_pending_hold_expires_and_frees_seats_and_voucher_uses),
		cmocka_unit_test(test_treasurer_marks_a_transfer_paid_and_the_ledger_has_it),
		cmocka_unit_test(test_box_office_takes_cash_at_the_door_and_scans_once),
		cmocka_unit_test(test_late_transfer_takes_its_seats_again_when_they_are_free),
		cmocka_unit_test(test_late_transfer_without_seats_is_listed_to_refund_by_hand),
		cmocka_unit_test(test_late_payment_for_a_cancelled_event_is_refunded_not_revived),
		cmocka_unit_test(test_cancelling_frees_seats_and_refunds_through_the_provider),
		cmocka_unit_test(test_buyer_cancels_only_where_allowed_and_before_the_deadline),
		cmocka_unit_test(test_cancelling_the_event_refunds_every_order),
		cmocka_unit_test(test_waiting_list_gets_freed_seats_in_order),
		cmocka_unit_test(test_200_buyers_at_50_seats_get_exactly_50_tickets),
		cmocka_unit_test(test_overlapping_quotas_under_contention_never_oversell),
		cmocka_unit_test(test_two_processes_sell_exactly_the_quota),
		cmocka_unit_test(test_single_use_voucher_is_used_once_under_contention),
		cmocka_unit_test(test_concurrent_retries_of_one_checkout_make_one_order),
		cmocka_unit_test(test_checkout_fails_at_every_step_without_leaving_half_an_order),
		cmocka_unit_test(test_webhook_fails_at_every_step_and_its_redelivery_applies_once),
		cmocka_unit_test(test_stripe_card_payment_goes_through_the_hosted_page_and_webhook),
		cmocka_unit_test(test_concurrent_webhook_deliveries_apply_once),
		cmocka_unit_test(test_stripe_payment_after_expiry_is_reconciled),
		cmocka_unit_test(test_payment_of_a_session_never_recorded_is_still_captured),
		cmocka_unit_test(test_expiry_asks_stripe_before_dropping_a_paid_order),
		cmocka_unit_test(test_stripe_outage_at_checkout_frees_the_seats),
	};
	int failed = 0;
	TL_RUN_GROUP(failed, "orders/unit", unit, NULL, NULL);
	TL_RUN_GROUP_BOTH(failed, "orders", tests, setup_sqlite_tk, setup_pg_tk, teardown_tk);
	fake_stop();
	curl_global_cleanup();
	return TL_EXIT(failed);
}
