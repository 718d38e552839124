/* test_sales.c: the organiser's back office on both backends: the sales report (core/sales.c) against known orders, refunds and days, resending tickets, renaming attendees, an order's history, and searching the orders (core/orders.c) */
#include "tl_ticketing.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "core/ledger.h"
#include "core/orders.h"
#include "core/payments.h"
#include "core/sales.h"

#include <pthread.h>

TK_DB_SETUPS("sales")


/* A fresh event whose shop takes payment on site and by transfer. */
static void begin(struct tk *e)
{
	tl_set_clock(0);
	tk_new_event(e);
	struct ticket_shop s;
	assert_int_equal(tickets_shop_get(e->db, e->a, e->event, &s), KQ_OK);
	s.providers = "onsite,transfer";
	s.transfer_details = "IBAN FR76 3000 4000 0500 0012 3456 789";
	struct field_errors fe = { 0 };
	assert_int_equal(tickets_shop_set(e->db, &e->a_owner, e->event, &s, &fe), KQ_OK);
}

/* n tickets of type on date1 for a guest (email may be NULL: the default
 * one), or at the box office (box: the seller is e->a_box). */
static struct order buy(struct tk *e, int64_t type, int n, const char *provider, bool box,
			const char *name, const char *email)
{
	struct checkout_ticket t[8];
	memset(t, 0, sizeof(t));
	for (int i = 0; i < n; i++) {
		t[i].ticket_type_id = type;
		t[i].event_date_id = e->date1;
	}
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct checkout_request in = {
		.event_id = e->event, .tickets = t, .n_tickets = n,
		.buyer_name = name, .buyer_email = email, .provider = provider,
		.idempotency_key = key, .lang = "fr", .box_office = box,
	};
	struct field_errors fe = { 0 };
	struct order o;
	enum kq_err err = orders_checkout(e->db, box ? &e->a_box : &e->a_visitor, &in, e->a, &fe, &o);
	if (err != KQ_OK)
		fail_msg("checkout: %s (%s)", err_api_code(err), fe.n ? fe.e[0].field : "");
	return o;
}

static struct order guest_buy(struct tk *e, int64_t type, int n, const char *email)
{
	return buy(e, type, n, "onsite", false, "Ana Guest", email);
}

static int64_t count_mail(struct tk *e, const char *to)
{
	static const struct db_sql q = { "ut_sales_count_mail",
		"SELECT COUNT(*) FROM outbox WHERE to_addr = $1" };
	struct db_stmt *st = db_stmt(e->db, &q);
	db_bind_text(st, 1, to);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_col_i64(st, 0);
	db_reset(st);
	return n;
}

static const struct sales_type *type_of(const struct sales_report *r, int64_t id)
{
	for (int i = 0; i < r->ntypes; i++)
		if (r->types[i].id == id)
			return &r->types[i];
	fail_msg("type %lld not in the report", (long long)id);
	return NULL;
}

static const struct sales_provider *provider_of(const struct sales_report *r, const char *name)
{
	for (int i = 0; i < r->nproviders; i++)
		if (strcmp(r->providers[i].provider, name) == 0)
			return &r->providers[i];
	fail_msg("provider %s not in the report", name);
	return NULL;
}

/* The report against orders whose figures are known: two types sharing a
 * quota (one hidden, with a tighter quota of its own), sales on two days
 * with a quiet day between, a pending order, a refund made by hand, a
 * check-in; then the same report as the box office sees it (counts, no
 * money), and refusals. */
static void test_report_counts_types_days_and_the_ledger(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t full = tk_type(e, "Plein tarif", 1000, "public");
	int64_t crew = tk_type(e, "Bénévoles", 500, "hidden");
	int64_t unsold = tk_type(e, "Réduit", 700, "public");
	tk_quota(e, e->date1, 10, full, crew, 0);
	tk_quota(e, e->date1, 3, crew, 0, 0);

	/* Day 1 (three days ago): 2 full, paid at the desk later the same day. */
	tl_set_clock(-3 * 86400);
	const char *day1 = time_format_date(e->a, time_now());
	struct order o1 = guest_buy(e, full, 2, "ana@example.org");
	assert_int_equal(orders_mark_paid(e->db, &e->a_box, o1.id), KQ_OK);
	/* Day 3 (yesterday): 1 hidden at the box office, cash; 1 full paid then refunded. */
	tl_set_clock(-1 * 86400);
	const char *day3 = time_format_date(e->a, time_now());
	struct order o2 = buy(e, crew, 1, "onsite", true, "Bob Bénévole", "");
	assert_string_equal(o2.status, "paid");
	struct order o4 = guest_buy(e, full, 1, "zoe@example.org");
	assert_int_equal(orders_mark_paid(e->db, &e->a_box, o4.id), KQ_OK);
	assert_int_equal(orders_cancel(e->db, &e->a_treasurer, o4.id), KQ_OK);
	/* Today: 1 full still pending; one ticket of o1 let in. */
	tl_set_clock(0);
	struct order o3 = guest_buy(e, full, 1, "leo@example.org");
	assert_string_equal(o3.status, "pending");
	tk_scalar(e->db, "checkin",
		  "UPDATE tickets SET checked_in_at = 1 WHERE id ="
		  " (SELECT MIN(id) FROM tickets WHERE order_id = $1) RETURNING id", o1.id);

	struct sales_report r;
	assert_int_equal(sales_report(e->db, &e->a_treasurer, e->event, e->a, &r), KQ_OK);
	assert_true(r.has_money);
	assert_string_equal(r.currency, "EUR");
	assert_int_equal(r.ntypes, 3);
	const struct sales_type *tf = type_of(&r, full), *tc = type_of(&r, crew);
	const struct sales_type *tu = type_of(&r, unsold);
	assert_int_equal(tf->paid, 2);
	assert_int_equal(tf->pending, 1);
	assert_int_equal(tf->cancelled, 1);
	assert_int_equal(tf->revenue_cents, 2000);
	assert_int_equal(tf->checked_in, 1);
	assert_int_equal(tc->paid, 1);
	assert_int_equal(tc->revenue_cents, 500);
	assert_string_equal(tc->visibility, "hidden");
	assert_int_equal(tu->paid + tu->pending + tu->cancelled, 0);
	/* Seats: the shared quota of 10 holds 2 + 1 pending + 1 hidden = 4; the
	 * hidden type's own quota of 3 holds 1; the unsold type has no quota. */
	assert_int_equal(tf->seats_left, 6);
	assert_int_equal(tc->seats_left, 2);
	assert_int_equal(tu->seats_left, -1);
	assert_int_equal(r.paid, 3);
	assert_int_equal(r.pending, 1);
	assert_int_equal(r.cancelled, 1);
	assert_int_equal(r.revenue_cents, 2500);
	assert_int_equal(r.checked_in, 1);
	assert_int_equal(r.orders_paid, 2);
	assert_int_equal(r.orders_pending, 1);

	/* Days: from the first paid sale to the last, the quiet day included. */
	assert_true(r.ndays >= 2);
	assert_string_equal(r.days[0].date, day1);
	assert_string_equal(r.days[r.ndays - 1].date, day3);
	assert_int_equal(r.days[0].orders, 1);
	assert_int_equal(r.days[0].tickets, 2);
	assert_int_equal(r.days[0].revenue_cents, 2000);
	assert_int_equal(r.days[r.ndays - 1].orders, 1);   /* o2; o4 is refunded */
	assert_int_equal(r.days[r.ndays - 1].tickets, 1);
	assert_int_equal(r.days[r.ndays - 1].revenue_cents, 500);
	for (int i = 1; i < r.ndays - 1; i++)
		assert_int_equal(r.days[i].tickets, 0);
	assert_int_equal(r.day_max_tickets, 2);

	/* Money, from the ledger: 2000 + 500 + 1000 came in; the 1000 to give
	 * back by hand is not out until it is done. */
	assert_int_equal(r.gross_cents, 3500);
	assert_int_equal(r.refunded_cents, 0);
	assert_int_equal(r.net_cents, 3500);
	assert_int_equal(r.refunds_open, 1);
	assert_int_equal(r.refunds_open_cents, 1000);
	assert_int_equal(provider_of(&r, "onsite")->gross_cents, 3500);

	struct refund_row *todo;
	int ntodo;
	assert_int_equal(payments_refunds_to_do(e->db, &e->a_treasurer, e->org, e->a, &todo, &ntodo),
			 KQ_OK);
	assert_int_equal(ntodo, 1);
	assert_int_equal(payments_refund_mark_done(e->db, &e->a_treasurer, todo[0].id), KQ_OK);
	assert_int_equal(sales_report(e->db, &e->a_owner, e->event, e->a, &r), KQ_OK);
	assert_int_equal(r.gross_cents, 3500);
	assert_int_equal(r.refunded_cents, 1000);
	assert_int_equal(r.net_cents, 2500);
	assert_int_equal(r.refunds_open, 0);
	assert_int_equal(provider_of(&r, "onsite")->refunded_cents, 1000);
	assert_int_equal(provider_of(&r, "onsite")->net_cents, 2500);

	/* The box office sees the counts, not the money. */
	assert_int_equal(sales_report(e->db, &e->a_box, e->event, e->a, &r), KQ_OK);
	assert_false(r.has_money);
	assert_int_equal(r.paid, 3);
	assert_int_equal(type_of(&r, full)->paid, 2);
	assert_int_equal(r.revenue_cents, 0);
	assert_int_equal(type_of(&r, full)->revenue_cents, 0);
	assert_int_equal(r.days[0].revenue_cents, 0);
	assert_int_equal(r.gross_cents + r.net_cents + r.nproviders, 0);

	assert_int_equal(sales_report(e->db, &e->a_stranger, e->event, e->a, &r), KQ_ERR_FORBIDDEN);
	assert_int_equal(r.ntypes, 0);
	assert_int_equal(sales_report(e->db, &e->a_editor, e->event, e->a, &r), KQ_ERR_FORBIDDEN);
	assert_int_equal(sales_report(e->db, &e->a_visitor, e->event, e->a, &r), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(sales_report(e->db, &e->a_owner, 999999, e->a, &r), KQ_ERR_NOT_FOUND);
	tk_check_invariants(e);
}

/* An event nothing was sold for: zeros and no days, not an error. */
static void test_report_of_an_event_without_sales(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t full = tk_type(e, "Plein tarif", 1000, "public");
	tk_quota(e, e->date1, 5, full, 0, 0);
	tk_quota(e, e->date2, 7, full, 0, 0);
	struct sales_report r;
	assert_int_equal(sales_report(e->db, &e->a_owner, e->event, e->a, &r), KQ_OK);
	assert_int_equal(r.ntypes, 1);
	assert_int_equal(r.types[0].seats_left, 12);   /* both dates */
	assert_int_equal(r.ndays, 0);
	assert_int_equal(r.paid + r.pending + r.gross_cents + r.nproviders, 0);
}

static void test_resend_queues_the_confirmation_once_a_minute(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t full = tk_type(e, "Plein tarif", 1000, "public");
	tk_quota(e, e->date1, 10, full, 0, 0);
	const char *to = "resend@example.org";
	struct order o = guest_buy(e, full, 2, to);
	/* Pending: there are no tickets to send yet. */
	assert_int_equal(orders_resend(e->db, &e->a_box, o.id), KQ_ERR_ORDER_STATE);
	assert_int_equal(orders_mark_paid(e->db, &e->a_box, o.id), KQ_OK);
	int64_t before = count_mail(e, to);
	assert_int_equal(orders_resend(e->db, &e->a_stranger, o.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(orders_resend(e->db, &e->a_editor, o.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(orders_resend(e->db, &e->a_visitor, o.id), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(orders_resend(e->db, &e->a_box, 999999), KQ_ERR_NOT_FOUND);
	assert_int_equal(count_mail(e, to), before);

	assert_int_equal(orders_resend(e->db, &e->a_box, o.id), KQ_OK);
	assert_int_equal(count_mail(e, to), before + 1);
	/* The mail is the confirmation, with the order's link. */
	static const struct db_sql q = { "ut_sales_last_mail",
		"SELECT subject, body_text FROM outbox WHERE to_addr = $1 ORDER BY id DESC LIMIT 1" };
	struct db_stmt *st = db_stmt(e->db, &q);
	db_bind_text(st, 1, to);
	assert_int_equal(db_step(st), DB_ROW);
	const char *subject = arena_strdup(e->a, db_col_text(st, 0));
	const char *body = arena_strdup(e->a, db_col_text(st, 1));
	db_reset(st);
	const char *vars[] = { "event", "Bal du 14 juillet", "code", o.code, NULL };
	assert_string_equal(subject, i18n_fill(e->a, i18n_get("fr", "mail.orders.confirmed.subject"), vars));
	assert_non_null(strstr(body, o.secret));

	/* Twice in a minute: refused, nothing queued; the treasurer may too, later. */
	assert_int_equal(orders_resend(e->db, &e->a_box, o.id), KQ_ERR_ORDERS_RESEND_TOO_SOON);
	tl_set_clock(ORDERS_RESEND_EVERY - 5);
	assert_int_equal(orders_resend(e->db, &e->a_treasurer, o.id), KQ_ERR_ORDERS_RESEND_TOO_SOON);
	assert_int_equal(count_mail(e, to), before + 1);
	tl_set_clock(ORDERS_RESEND_EVERY + 1);
	assert_int_equal(orders_resend(e->db, &e->a_treasurer, o.id), KQ_OK);
	assert_int_equal(count_mail(e, to), before + 2);
	tl_set_clock(0);

	/* A desk sale without an address: no mail at its sale, none to resend. */
	int64_t outbox = tk_scalar(e->db, "outbox", "SELECT COUNT(*) FROM outbox", 0);
	struct order desk = buy(e, full, 1, "onsite", true, "Sans Adresse", NULL);
	assert_string_equal(desk.status, "paid");
	assert_string_equal(desk.buyer_email, "");
	assert_int_equal(tk_scalar(e->db, "outbox", "SELECT COUNT(*) FROM outbox", 0), outbox);
	assert_int_equal(orders_resend(e->db, &e->a_box, desk.id), KQ_ERR_ORDERS_NO_EMAIL);
	/* With an address, the desk sale is mailed to the customer, not the seller. */
	struct order desk2 = buy(e, full, 1, "onsite", true, "Avec Adresse", "client@example.org");
	assert_string_equal(desk2.buyer_email, "client@example.org");
	assert_int_equal(count_mail(e, "client@example.org"), 1);
	tk_check_invariants(e);
}

struct resender {
	const char *url;
	int64_t order_id;
	const struct actor *who;
	pthread_barrier_t *go;
	enum kq_err result;
};

static void *resend_main(void *arg)
{
	struct resender *r = arg;
	char err[256];
	struct db *db = db_open(r->url, err, sizeof(err));
	pthread_barrier_wait(r->go);
	r->result = db ? orders_resend(db, r->who, r->order_id) : KQ_ERR_INTERNAL;
	if (db)
		db_close(db);
	return NULL;
}

/* INVARIANT(resend-rate): ten clicks at once on "resend" (two tabs, an
 * impatient hand), each on its own connection: one mail, nine refusals. */
static void test_concurrent_resends_send_one_mail(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t full = tk_type(e, "Plein tarif", 1000, "public");
	tk_quota(e, e->date1, 10, full, 0, 0);
	const char *to = "race@example.org";
	struct order o = guest_buy(e, full, 1, to);
	assert_int_equal(orders_mark_paid(e->db, &e->a_box, o.id), KQ_OK);
	int64_t before = count_mail(e, to);
	enum { N = 10 };
	struct resender r[N];
	pthread_t th[N];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, N);
	for (int i = 0; i < N; i++) {
		r[i] = (struct resender){ e->url, o.id, &e->a_box, &go, KQ_OK };
		assert_int_equal(pthread_create(&th[i], NULL, resend_main, &r[i]), 0);
	}
	int ok = 0, too_soon = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		ok += r[i].result == KQ_OK;
		too_soon += r[i].result == KQ_ERR_ORDERS_RESEND_TOO_SOON;
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(ok, 1);
	assert_int_equal(too_soon, N - 1);
	assert_int_equal(count_mail(e, to), before + 1);
	tk_check_invariants(e);
}

static void test_rename_sets_the_name_and_refuses_outsiders(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t full = tk_type(e, "Plein tarif", 1000, "public");
	tk_quota(e, e->date1, 10, full, 0, 0);
	struct order o = guest_buy(e, full, 2, "rename@example.org");
	int64_t t0 = o.tickets[0].id, t1 = o.tickets[1].id;
	struct field_errors fe = { 0 };
	assert_int_equal(orders_ticket_rename(e->db, &e->a_box, e->event, o.id, t0, "  Zoé <b>Lefèvre</b> ", &fe),
			 KQ_OK);
	assert_int_equal(orders_ticket_rename(e->db, &e->a_editor, e->event, o.id, t1, "Léo", &fe),
			 KQ_ERR_FORBIDDEN);   /* the editor writes the event, not the attendee list */
	assert_int_equal(orders_ticket_rename(e->db, &e->a_owner, e->event, o.id, t1, "Léo", &fe), KQ_OK);
	assert_int_equal(fe.n, 0);
	struct order got;
	assert_int_equal(orders_get(e->db, &e->a_owner, o.id, e->a, &got), KQ_OK);
	assert_string_equal(got.tickets[0].attendee_name, "Zoé <b>Lefèvre</b>");
	assert_string_equal(got.tickets[1].attendee_name, "Léo");

	/* Rights: the treasurer handles money, not names; strangers nothing. */
	assert_int_equal(orders_ticket_rename(e->db, &e->a_treasurer, e->event, o.id, t0, "X", &fe),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(orders_ticket_rename(e->db, &e->a_stranger, e->event, o.id, t0, "X", &fe),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(orders_ticket_rename(e->db, &e->a_buyer, e->event, o.id, t0, "X", &fe),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(orders_ticket_rename(e->db, &e->a_visitor, e->event, o.id, t0, "X", &fe),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(fe.n, 0);
	/* A ticket of another order is not found through this one. */
	struct order other = guest_buy(e, full, 1, "other@example.org");
	assert_int_equal(orders_ticket_rename(e->db, &e->a_box, e->event, o.id, other.tickets[0].id, "X", &fe),
			 KQ_ERR_NOT_FOUND);

	/* Nor through another event. */
	int64_t mine = e->event;
	tk_new_event(e);
	assert_int_equal(orders_ticket_rename(e->db, &e->a_box, e->event, o.id, t0, "X", &fe),
			 KQ_ERR_NOT_FOUND);
	e->event = mine;

	/* Bad names: a clear field error, nothing changed. */
	char longname[ORDERS_NAME_MAX + 2];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	const char *bad[] = { "", "   ", "deux\nlignes", longname };
	for (size_t i = 0; i < TL_ARRAY_LEN(bad); i++) {
		struct field_errors f2 = { 0 };
		assert_int_equal(orders_ticket_rename(e->db, &e->a_box, e->event, o.id, t0, bad[i], &f2),
				 KQ_ERR_FORM_INVALID);
		assert_int_equal(f2.n, 1);
		assert_string_equal(f2.e[0].field, "attendee_name");
	}
	assert_int_equal(orders_get(e->db, &e->a_owner, o.id, e->a, &got), KQ_OK);
	assert_string_equal(got.tickets[0].attendee_name, "Zoé <b>Lefèvre</b>");

	/* A cancelled order's tickets are history. */
	assert_int_equal(orders_cancel(e->db, &e->a_box, o.id), KQ_OK);
	assert_int_equal(orders_ticket_rename(e->db, &e->a_box, e->event, o.id, t0, "Trop tard", &fe),
			 KQ_ERR_ORDER_STATE);
	tk_check_invariants(e);
}

static bool has_kind(const struct order_event *h, int n, const char *kind)
{
	for (int i = 0; i < n; i++)
		if (strcmp(h[i].kind, kind) == 0)
			return true;
	return false;
}

static void test_history_shows_states_and_money_to_those_who_may(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t full = tk_type(e, "Plein tarif", 1000, "public");
	tk_quota(e, e->date1, 10, full, 0, 0);
	struct order o = guest_buy(e, full, 1, "history@example.org");
	tl_set_clock(10);
	assert_int_equal(orders_mark_paid(e->db, &e->a_box, o.id), KQ_OK);
	tl_set_clock(20);
	assert_int_equal(orders_resend(e->db, &e->a_box, o.id), KQ_OK);
	tl_set_clock(30);
	assert_int_equal(orders_cancel(e->db, &e->a_treasurer, o.id), KQ_OK);
	tl_set_clock(0);

	struct order_event *h;
	int n;
	assert_int_equal(orders_history(e->db, &e->a_treasurer, o.id, e->a, &h, &n), KQ_OK);
	const char *want[] = { "created", "paid", "ledger_payment", "resent", "refunded",
			       "refund_manual" };
	for (size_t i = 0; i < TL_ARRAY_LEN(want); i++)
		assert_true(has_kind(h, n, want[i]));
	assert_false(has_kind(h, n, "cancelled"));   /* a refund says it once */
	assert_string_equal(h[0].kind, "created");
	for (int i = 1; i < n; i++)
		assert_true(h[i - 1].at <= h[i].at);
	for (int i = 0; i < n; i++)
		if (strcmp(h[i].kind, "ledger_payment") == 0) {
			assert_int_equal(h[i].amount_cents, 1000);
			assert_string_equal(h[i].provider, "onsite");
		}

	/* The box office: the same story without the money. */
	assert_int_equal(orders_history(e->db, &e->a_box, o.id, e->a, &h, &n), KQ_OK);
	assert_true(has_kind(h, n, "refunded"));
	assert_false(has_kind(h, n, "ledger_payment"));
	for (int i = 0; i < n; i++)
		assert_int_equal(h[i].amount_cents, 0);
	assert_int_equal(orders_history(e->db, &e->a_stranger, o.id, e->a, &h, &n), KQ_ERR_FORBIDDEN);
	assert_int_equal(orders_history(e->db, &e->a_box, 999999, e->a, &h, &n), KQ_ERR_NOT_FOUND);
	tk_check_invariants(e);
}

static void test_orders_search_by_name_email_code_and_pages(void **state)
{
	struct tk *e = *state;
	begin(e);
	int64_t full = tk_type(e, "Plein tarif", 0, "public");
	tk_quota(e, e->date1, 100, full, 0, 0);
	struct order a = buy(e, full, 1, NULL, false, "Zoé Lefèvre", "zoe@example.org");
	struct order b = buy(e, full, 1, NULL, false, "Karim 100% Haddad", "karim@example.org");
	for (int i = 0; i < 5; i++)
		buy(e, full, 1, NULL, false, "Anonyme", "anon@example.org");
	struct order *list;
	int n;
	int64_t total;
	struct order_filter f = { .q = "LEF", .limit = 50 };
	assert_int_equal(orders_list(e->db, &e->a_box, e->event, &f, e->a, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 1);
	assert_int_equal(list[0].id, a.id);
	f.q = "KARIM@";
	assert_int_equal(orders_list(e->db, &e->a_box, e->event, &f, e->a, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 1);
	assert_int_equal(list[0].id, b.id);
	f.q = b.code;
	assert_int_equal(orders_list(e->db, &e->a_box, e->event, &f, e->a, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 1);
	/* LIKE's wildcards are plain characters here. */
	f.q = "100%";
	assert_int_equal(orders_list(e->db, &e->a_box, e->event, &f, e->a, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 1);
	f.q = "%";
	assert_int_equal(orders_list(e->db, &e->a_box, e->event, &f, e->a, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 1);
	f.q = "_";
	assert_int_equal(orders_list(e->db, &e->a_box, e->event, &f, e->a, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 0);
	/* Pages: newest first, the filter combined with the state. */
	struct order_filter p = { .q = "anon", .status = "paid", .limit = 2, .offset = 4 };
	assert_int_equal(orders_list(e->db, &e->a_box, e->event, &p, e->a, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 5);
	assert_int_equal(n, 1);
	p.status = "pending";
	assert_int_equal(orders_list(e->db, &e->a_box, e->event, &p, e->a, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 0);
	tk_check_invariants(e);
}

int main(void)
{
	crypto_init();
	time_init();
	i18n_init();
	struct core_settings cs = { "https://kiosque.test", "Kiosque <no-reply@kiosque.test>" };
	core_init(&cs);
	struct payments_settings ps = { NULL, NULL, NULL, false, 30 };
	payments_configure(&ps);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_counts_types_days_and_the_ledger),
		cmocka_unit_test(test_report_of_an_event_without_sales),
		cmocka_unit_test(test_resend_queues_the_confirmation_once_a_minute),
		cmocka_unit_test(test_concurrent_resends_send_one_mail),
		cmocka_unit_test(test_rename_sets_the_name_and_refuses_outsiders),
		cmocka_unit_test(test_history_shows_states_and_money_to_those_who_may),
		cmocka_unit_test(test_orders_search_by_name_email_code_and_pages),
	};
	int failed = 0;
	TL_RUN_GROUP_BOTH(failed, "sales", tests, setup_sqlite_tk, setup_pg_tk, teardown_tk);
	return TL_EXIT(failed);
}
