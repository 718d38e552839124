/* test_tickets.c: the organiser's side of ticketing on both backends: types, shared quotas, vouchers, questions, shop settings (core/tickets.c) */
#include "tl_ticketing.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "core/orders.h"
#include "core/payments.h"
#include "core/waitlist.h"

TK_DB_SETUPS("tickets")


/* A one-ticket order of type on date, paid on site (pending) or free. */
static enum kq_err buy(struct tk *e, int64_t type, int64_t date, int n)
{
	struct checkout_ticket t[TICKETS_PER_ORDER_MAX];
	memset(t, 0, sizeof(t));
	for (int i = 0; i < n; i++) {
		t[i].ticket_type_id = type;
		t[i].event_date_id = date;
	}
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct checkout_request in = { .event_id = e->event, .tickets = t, .n_tickets = n,
				       .buyer_name = "Ana", .buyer_email = "ana@example.org",
				       .provider = "onsite", .idempotency_key = key, .lang = "fr" };
	struct field_errors fe = { 0 };
	struct order o;
	return orders_checkout(e->db, &e->a_visitor, &in, e->a, &fe, &o);
}

/* ---- types ----------------------------------------------------------------------------------- */

static void test_type_create_checks_rights_and_fields(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	struct ticket_type_input in = { .name = "Plein tarif", .price_cents = 1200 };
	struct field_errors fe = { 0 };
	struct ticket_type t;
	assert_int_equal(tickets_type_create(e->db, &e->a_visitor, e->event, &in, e->a, &fe, &t),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(tickets_type_create(e->db, &e->a_stranger, e->event, &in, e->a, &fe, &t),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(tickets_type_create(e->db, &e->a_box, e->event, &in, e->a, &fe, &t),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(tickets_type_create(e->db, &e->a_owner, 999999, &in, e->a, &fe, &t),
			 KQ_ERR_NOT_FOUND);

	struct ticket_type_input bad = { .name = "", .price_cents = -1, .min_per_order = 5,
					 .max_per_order = 2, .visibility = "secret",
					 .sale_starts_at = 100, .sale_ends_at = 50 };
	assert_int_equal(tickets_type_create(e->db, &e->a_owner, e->event, &bad, e->a, &fe, &t),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "name"));
	assert_non_null(field_error_get(&fe, "price"));
	assert_non_null(field_error_get(&fe, "max_per_order"));
	assert_non_null(field_error_get(&fe, "visibility"));
	assert_non_null(field_error_get(&fe, "sale_ends_at"));

	memset(&fe, 0, sizeof(fe));
	assert_int_equal(tickets_type_create(e->db, &e->a_editor, e->event, &in, e->a, &fe, &t),
			 KQ_OK);
	assert_true(t.id > 0);
	assert_string_equal(t.name, "Plein tarif");
	assert_int_equal(t.price_cents, 1200);
	assert_string_equal(t.currency, "EUR");
	assert_int_equal(t.min_per_order, 1);
	assert_int_equal(t.max_per_order, 10);
	assert_string_equal(t.visibility, "public");

	struct ticket_type_input up = { .name = "Tarif plein", .price_cents = 1500, .max_per_order = 4 };
	struct ticket_type t2;
	assert_int_equal(tickets_type_update(e->db, &e->a_stranger, t.id, &up, e->a, &fe, &t2),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(tickets_type_update(e->db, &e->a_owner, t.id, &up, e->a, &fe, &t2), KQ_OK);
	assert_int_equal(t2.price_cents, 1500);
	assert_int_equal(t2.max_per_order, 4);

	struct ticket_type *list;
	int n;
	assert_int_equal(tickets_types_list(e->db, &e->a_stranger, e->event, e->a, &list, &n),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(tickets_types_list(e->db, &e->a_box, e->event, e->a, &list, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].name, "Tarif plein");
	tk_check_invariants(e);
}

static void test_type_archive_deletes_unsold_and_keeps_sold(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t unsold = tk_type(e, "Jamais vendu", 500, NULL);
	int64_t sold = tk_type(e, "Vendu", 500, NULL);
	tk_quota(e, e->date1, 10, unsold, sold, 0);
	assert_int_equal(buy(e, sold, e->date1, 1), KQ_OK);
	assert_int_equal(tickets_type_archive(e->db, &e->a_stranger, sold), KQ_ERR_FORBIDDEN);
	assert_int_equal(tickets_type_archive(e->db, &e->a_owner, unsold), KQ_OK);
	assert_int_equal(tickets_type_archive(e->db, &e->a_owner, sold), KQ_OK);
	struct ticket_type t;
	assert_int_equal(tickets_type_get(e->db, e->a, unsold, &t), KQ_ERR_NOT_FOUND);
	assert_int_equal(tickets_type_get(e->db, e->a, sold, &t), KQ_OK);
	assert_true(t.is_archived);
	/* An archived type is not sold any more, and not offered. */
	assert_int_equal(buy(e, sold, e->date1, 1), KQ_ERR_TICKETS_NOT_ON_SALE);
	struct ticket_offer *offers;
	int n;
	assert_int_equal(tickets_offers(e->db, e->a, e->event, 0, NULL, &offers, &n), KQ_OK);
	assert_int_equal(n, 0);
	tk_check_invariants(e);
}

/* ---- quotas ------------------------------------------------------------------------------------ */

/* INVARIANT(quota): 3 seats shared by "full" and "reduced". */
static void test_quota_is_shared_by_its_types(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t full = tk_type(e, "Plein", 1000, NULL);
	int64_t reduced = tk_type(e, "Réduit", 600, NULL);
	int64_t q = tk_quota(e, e->date1, 3, full, reduced, 0);
	assert_int_equal(buy(e, full, e->date1, 2), KQ_OK);
	assert_int_equal(tk_quota_sold(e, q), 2);
	assert_int_equal(buy(e, reduced, e->date1, 2), KQ_ERR_TICKETS_SOLD_OUT);
	assert_int_equal(tk_quota_sold(e, q), 2);   /* a refused order takes nothing */
	assert_int_equal(buy(e, reduced, e->date1, 1), KQ_OK);
	assert_int_equal(tk_quota_sold(e, q), 3);
	assert_int_equal(buy(e, full, e->date1, 1), KQ_ERR_TICKETS_SOLD_OUT);
	assert_int_equal(buy(e, reduced, e->date1, 1), KQ_ERR_TICKETS_SOLD_OUT);
	/* The quota is per date: the other date has none, so nothing is sold there. */
	assert_int_equal(buy(e, full, e->date2, 1), KQ_ERR_TICKETS_NOT_ON_SALE);
	tk_check_invariants(e);
}

/* A type counted in two quotas (300 total, children at most 2 of them). */
static void test_sub_quota_caps_a_type_inside_the_total(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t adult = tk_type(e, "Adulte", 1000, NULL);
	int64_t child = tk_type(e, "Enfant", 0, NULL);
	int64_t total = tk_quota(e, e->date1, 5, adult, child, 0);
	int64_t kids = tk_quota(e, e->date1, 2, child, 0, 0);
	int64_t left;
	bool ticketed;
	assert_int_equal(tickets_date_left(e->db, e->date1, &left, &ticketed), KQ_OK);
	assert_true(ticketed);
	assert_int_equal(left, 5);   /* the children's quota is inside the total: counted once */
	assert_int_equal(buy(e, child, e->date1, 3), KQ_ERR_TICKETS_SOLD_OUT);
	assert_int_equal(buy(e, child, e->date1, 2), KQ_OK);
	assert_int_equal(tk_quota_sold(e, total), 2);
	assert_int_equal(tk_quota_sold(e, kids), 2);
	assert_int_equal(buy(e, child, e->date1, 1), KQ_ERR_TICKETS_SOLD_OUT);
	assert_int_equal(buy(e, adult, e->date1, 3), KQ_OK);
	assert_int_equal(buy(e, adult, e->date1, 1), KQ_ERR_TICKETS_SOLD_OUT);
	assert_int_equal(tickets_date_left(e->db, e->date1, &left, &ticketed), KQ_OK);
	assert_int_equal(left, 0);
	assert_int_equal(tickets_date_left(e->db, e->date2, &left, &ticketed), KQ_OK);
	assert_false(ticketed);
	tk_check_invariants(e);
}

static void test_quota_edit_recounts_and_refuses_below_sold(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t a = tk_type(e, "A", 1000, NULL);
	int64_t b = tk_type(e, "B", 1000, NULL);
	int64_t qa = tk_quota(e, e->date1, 10, a, 0, 0);
	int64_t qb = tk_quota(e, e->date1, 10, b, 0, 0);
	assert_int_equal(buy(e, a, e->date1, 3), KQ_OK);
	assert_int_equal(buy(e, b, e->date1, 2), KQ_OK);
	int64_t both[] = { a, b };
	struct field_errors fe = { 0 };
	struct ticket_quota_input in = { "Salle", 4, both, 2 };
	/* Linking b to qa would make it hold 5 seats: more than 4. */
	assert_int_equal(tickets_quota_update(e->db, &e->a_owner, qa, &in, &fe),
			 KQ_ERR_TICKETS_QUOTA_BELOW_SOLD);
	assert_non_null(field_error_get(&fe, "size"));
	assert_int_equal(tk_quota_sold(e, qa), 3);
	in.size = 6;
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(tickets_quota_update(e->db, &e->a_stranger, qa, &in, &fe), KQ_ERR_FORBIDDEN);
	assert_int_equal(tickets_quota_update(e->db, &e->a_owner, qa, &in, &fe), KQ_OK);
	assert_int_equal(tk_quota_sold(e, qa), 5);   /* b's two tickets now count here too */
	assert_int_equal(buy(e, b, e->date1, 2), KQ_ERR_TICKETS_SOLD_OUT);
	assert_int_equal(buy(e, b, e->date1, 1), KQ_OK);
	assert_int_equal(tk_quota_sold(e, qb), 3);
	/* A quota created over types already sold counts their tickets at once. */
	int64_t qall = tk_quota(e, e->date1, 100, a, b, 0);
	assert_int_equal(tk_quota_sold(e, qall), 6);
	struct ticket_quota_input tiny = { "Trop petit", 1, both, 2 };
	int64_t id;
	assert_int_equal(tickets_quota_create(e->db, &e->a_owner, e->date1, &tiny, &fe, &id),
			 KQ_ERR_TICKETS_QUOTA_BELOW_SOLD);
	struct ticket_quota_input foreign = { "Autre", 1, (int64_t[]){ 999999 }, 1 };
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(tickets_quota_create(e->db, &e->a_owner, e->date1, &foreign, &fe, &id),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "types"));
	assert_int_equal(tickets_quota_delete(e->db, &e->a_owner, qall), KQ_OK);
	struct ticket_quota *qs;
	int n;
	assert_int_equal(tickets_quotas_list(e->db, &e->a_editor, e->event, e->a, &qs, &n), KQ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(qs[0].id, qa);
	assert_int_equal(qs[0].n_types, 2);
	tk_check_invariants(e);
}

/* ---- what is on sale ----------------------------------------------------------------------- */

static void test_offers_show_left_and_hide_hidden_types(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t pub = tk_type(e, "Public", 1000, NULL);
	int64_t code_only = tk_type(e, "Partenaires", 500, "voucher_only");
	int64_t hidden = tk_type(e, "Invités", 0, "hidden");
	tk_quota(e, e->date1, 4, pub, code_only, hidden);
	struct ticket_offer *o;
	int n;
	assert_int_equal(tickets_offers(e->db, e->a, e->event, 0, NULL, &o, &n), KQ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(o[0].ticket_type_id, pub);
	assert_int_equal(o[0].left, 4);
	assert_true(o[0].is_on_sale);
	assert_false(o[0].needs_voucher);
	assert_int_equal(o[1].ticket_type_id, code_only);
	assert_true(o[1].needs_voucher);
	assert_false(o[1].is_on_sale);
	struct voucher_input vin = { .code = "invite-2026", .ticket_type_id = hidden, .kind = "fixed" };
	struct field_errors fe = { 0 };
	struct voucher v;
	assert_int_equal(tickets_voucher_create(e->db, &e->a_owner, e->event, &vin, e->a, &fe, &v),
			 KQ_OK);
	assert_int_equal(tickets_offers(e->db, e->a, e->event, e->date1, "INVITE-2026", &o, &n),
			 KQ_OK);
	assert_int_equal(n, 3);   /* the code reveals the hidden type */
	assert_int_equal(o[2].ticket_type_id, hidden);
	assert_true(o[2].is_on_sale);
	assert_int_equal(buy(e, pub, e->date1, 3), KQ_OK);
	assert_int_equal(tickets_offers(e->db, e->a, e->event, 0, NULL, &o, &n), KQ_OK);
	assert_int_equal(o[0].left, 1);
	/* A draft event offers nothing. */
	tk_event(e, "brouillon-offers", "draft");
	tk_check_invariants(e);
}

/* ---- vouchers ------------------------------------------------------------------------------- */

static void test_voucher_create_checks_fields_and_duplicate_codes(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	struct voucher_input in = { .code = "Ete2026", .kind = "percent", .amount = 20, .max_uses = 5 };
	struct field_errors fe = { 0 };
	struct voucher v;
	assert_int_equal(tickets_voucher_create(e->db, &e->a_stranger, e->event, &in, e->a, &fe, &v),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(tickets_voucher_create(e->db, &e->a_owner, e->event, &in, e->a, &fe, &v),
			 KQ_OK);
	assert_string_equal(v.code, "ETE2026");
	assert_int_equal(v.max_uses, 5);
	assert_int_equal(tickets_voucher_create(e->db, &e->a_owner, e->event, &in, e->a, &fe, &v),
			 KQ_ERR_VOUCHER_CODE_TAKEN);
	assert_non_null(field_error_get(&fe, "code"));
	struct voucher_input bad = { .code = "a b", .kind = "percent", .amount = 150 };
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(tickets_voucher_create(e->db, &e->a_owner, e->event, &bad, e->a, &fe, &v),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "code"));
	assert_non_null(field_error_get(&fe, "amount"));
	struct voucher_input gen = { .kind = "fixed", .amount = 300 };
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(tickets_voucher_create(e->db, &e->a_owner, e->event, &gen, e->a, &fe, &v),
			 KQ_OK);
	assert_int_equal(strlen(v.code), 10);
	struct voucher *list;
	int n;
	assert_int_equal(tickets_vouchers_list(e->db, &e->a_owner, e->event, e->a, &list, &n), KQ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(tickets_voucher_disable(e->db, &e->a_stranger, v.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(tickets_voucher_disable(e->db, &e->a_owner, v.id), KQ_OK);
	struct voucher found;
	assert_int_equal(tickets_voucher_find(e->db, e->a, e->event, v.code, time_now(), &found),
			 KQ_ERR_VOUCHER_INVALID);
	assert_int_equal(tickets_voucher_find(e->db, e->a, e->event, "ete2026", time_now(), &found),
			 KQ_OK);
	tk_check_invariants(e);
}

static void test_voucher_discount_is_per_ticket_and_never_negative(void **state)
{
	(void)state;
	struct voucher fixed = { .kind = "fixed", .amount = 300 };
	struct voucher pct = { .kind = "percent", .amount = 15 };
	struct voucher all = { .kind = "percent", .amount = 100 };
	assert_int_equal(tickets_voucher_discount(&fixed, 1000), 300);
	assert_int_equal(tickets_voucher_discount(&fixed, 200), 200);
	assert_int_equal(tickets_voucher_discount(&fixed, 0), 0);
	assert_int_equal(tickets_voucher_discount(&pct, 1000), 150);
	assert_int_equal(tickets_voucher_discount(&pct, 999), 150);   /* 149.85 rounds half up */
	assert_int_equal(tickets_voucher_discount(&pct, 990), 149);   /* 148.5 -> 149 */
	assert_int_equal(tickets_voucher_discount(&all, 1234), 1234);
	assert_int_equal(tickets_voucher_discount(NULL, 1234), 0);
}

/* ---- questions and shop settings --------------------------------------------------------------- */

static void test_questions_are_validated_listed_and_kept_once_answered(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t t = tk_type(e, "Repas", 0, NULL);
	tk_quota(e, e->date1, 10, t, 0, 0);
	struct field_errors fe = { 0 };
	struct ticket_question q;
	struct ticket_question_input bad = { .label = "Menu", .kind = "choice", .options = "Viande" };
	assert_int_equal(tickets_question_create(e->db, &e->a_owner, e->event, &bad, e->a, &fe, &q),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "options"));
	struct ticket_question_input menu = { .label = "Menu", .kind = "choice",
					      .options = "Viande\n\n Végétarien \r\n", .required = true };
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(tickets_question_create(e->db, &e->a_stranger, e->event, &menu, e->a, &fe, &q),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(tickets_question_create(e->db, &e->a_owner, e->event, &menu, e->a, &fe, &q),
			 KQ_OK);
	assert_int_equal(q.n_options, 2);
	assert_string_equal(q.options[1], "Végétarien");
	struct ticket_question_input yn = { .label = "Mobilité réduite ?", .kind = "yesno",
					    .position = 2 };
	struct ticket_question q2;
	assert_int_equal(tickets_question_create(e->db, &e->a_owner, e->event, &yn, e->a, &fe, &q2),
			 KQ_OK);
	struct ticket_question *list;
	int n;
	assert_int_equal(tickets_questions_list(e->db, e->a, e->event, &list, &n), KQ_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].kind, "choice");
	assert_int_equal(list[0].n_options, 2);
	assert_true(list[0].required);
	assert_int_equal(tickets_question_delete(e->db, &e->a_owner, q2.id), KQ_OK);

	struct checkout_answer ans = { q.id, "Végétarien" };
	struct checkout_ticket tk = { t, e->date1, "Léa", &ans, 1 };
	struct checkout_request in = { .event_id = e->event, .tickets = &tk, .n_tickets = 1,
				       .buyer_name = "Léa", .buyer_email = "lea@example.org",
				       .idempotency_key = "question-order-1", .lang = "fr" };
	struct order o;
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(orders_checkout(e->db, &e->a_visitor, &in, e->a, &fe, &o), KQ_OK);
	assert_int_equal(tickets_question_delete(e->db, &e->a_owner, q.id), KQ_ERR_TICKETS_IN_USE);
	tk_check_invariants(e);
}

static void test_shop_settings_need_the_money_right_and_known_providers(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	struct ticket_shop s;
	assert_int_equal(tickets_shop_get(e->db, e->a, e->event, &s), KQ_OK);
	assert_string_equal(s.providers, "onsite");
	assert_string_equal(s.currency, "EUR");
	assert_true(s.waiting_list);
	struct ticket_shop in = s;
	in.providers = "stripe, transfer,onsite";
	in.buyer_can_cancel = true;
	in.cancel_deadline = 2 * 86400;
	in.transfer_details = "IBAN FR76 0000 0000 0000";
	struct field_errors fe = { 0 };
	assert_int_equal(tickets_shop_set(e->db, &e->a_editor, e->event, &in, &fe), KQ_ERR_FORBIDDEN);
	assert_int_equal(tickets_shop_set(e->db, &e->a_treasurer, e->event, &in, &fe), KQ_OK);
	assert_int_equal(tickets_shop_get(e->db, e->a, e->event, &s), KQ_OK);
	assert_string_equal(s.providers, "onsite,transfer,stripe");
	assert_true(s.buyer_can_cancel);
	assert_int_equal(s.cancel_deadline, 2 * 86400);
	assert_true(tickets_shop_offers(&s, "transfer"));
	assert_false(tickets_shop_offers(&s, "trans"));
	in.providers = "bitcoin";
	in.attendee_names = "maybe";
	assert_int_equal(tickets_shop_set(e->db, &e->a_owner, e->event, &in, &fe), KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "providers"));
	assert_non_null(field_error_get(&fe, "attendee_names"));
	tk_check_invariants(e);
}

/* What the agenda shows (core/events.h hooks): prices, dates with tickets, "my tickets". */
static void test_agenda_figures_come_from_types_quotas_and_orders(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t full = tk_type(e, "Plein", 1500, NULL);
	int64_t reduced = tk_type(e, "Réduit", 800, NULL);
	int64_t secret = tk_type(e, "Invités", 0, "hidden");
	tk_quota(e, e->date1, 10, full, reduced, secret);
	int64_t min, max;
	int n;
	assert_int_equal(tickets_date_prices(e->db, e->event, e->date1, &min, &max, &n), KQ_OK);
	assert_int_equal(n, 2);   /* the hidden type is not a public price */
	assert_int_equal(min, 800);
	assert_int_equal(max, 1500);
	assert_int_equal(tickets_date_prices(e->db, e->event, e->date2, &min, &max, &n), KQ_OK);
	assert_int_equal(n, 0);   /* nothing sold on the other date */
	assert_false(orders_date_has_tickets(e->db, e->date1));
	struct checkout_ticket t = { full, e->date1, NULL, NULL, 0 };
	struct checkout_request in = { .event_id = e->event, .tickets = &t, .n_tickets = 1,
				       .provider = "onsite", .idempotency_key = "agenda-order-1" };
	struct field_errors fe = { 0 };
	struct order o;
	assert_int_equal(orders_checkout(e->db, &e->a_buyer, &in, e->a, &fe, &o), KQ_OK);
	assert_true(orders_date_has_tickets(e->db, e->date1));
	assert_false(orders_date_has_tickets(e->db, e->date2));
	int64_t *ids;
	assert_int_equal(orders_account_date_ids(e->db, e->a, e->buyer, &ids, &n), KQ_OK);
	assert_true(n >= 1);
	bool found = false;
	for (int i = 0; i < n; i++)
		found = found || ids[i] == e->date1;
	assert_true(found);
	assert_int_equal(orders_account_date_ids(e->db, e->a, e->stranger, &ids, &n), KQ_OK);
	assert_int_equal(n, 0);
	tk_check_invariants(e);
}

static void test_money_is_formatted_in_french_and_english(void **state)
{
	struct tk *e = *state;
	assert_string_equal(tickets_money_format(e->a, 1250, "EUR", "fr"), "12,50\u00a0€");
	assert_string_equal(tickets_money_format(e->a, 125000, "EUR", "fr"), "1\u202f250,00\u00a0€");
	assert_string_equal(tickets_money_format(e->a, 125000, "EUR", "en"), "€1,250.00");
	assert_string_equal(tickets_money_format(e->a, 5, "EUR", "en"), "€0.05");
	assert_string_equal(tickets_money_format(e->a, -300, "EUR", "fr"), "-3,00\u00a0€");
}

/* ---- editing: deleting an unused quota, the waiting list's figures ------------------------- */

/* An order of n tickets of type on date, paid on site (pending). */
static void buy_order(struct tk *e, int64_t type, int64_t date, int n, struct order *out)
{
	struct checkout_ticket t[8];
	memset(t, 0, sizeof(t));
	for (int i = 0; i < n; i++) {
		t[i].ticket_type_id = type;
		t[i].event_date_id = date;
	}
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct checkout_request in = { .event_id = e->event, .tickets = t, .n_tickets = n,
				       .buyer_name = "Ana", .buyer_email = "ana@example.org",
				       .provider = "onsite", .idempotency_key = key, .lang = "fr" };
	struct field_errors fe = { 0 };
	assert_int_equal(orders_checkout(e->db, &e->a_visitor, &in, e->a, &fe, out), KQ_OK);
}

static bool quota_listed(struct tk *e, int64_t id)
{
	struct ticket_quota *qs;
	int n;
	assert_int_equal(tickets_quotas_list(e->db, &e->a_owner, e->event, e->a, &qs, &n), KQ_OK);
	for (int i = 0; i < n; i++)
		if (qs[i].id == id)
			return true;
	return false;
}

static void test_quota_delete_unused_refuses_while_seats_are_held(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t other = tk_type(e, "Réduit", 500, NULL);
	int64_t q1 = tk_quota(e, e->date1, 5, t, 0, 0);
	int64_t q2 = tk_quota(e, e->date2, 1, t, 0, 0);
	int64_t unused = tk_quota(e, e->date2, 10, other, 0, 0);
	assert_int_equal(tickets_quota_delete_unused(e->db, &e->a_visitor, unused), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(tickets_quota_delete_unused(e->db, &e->a_stranger, unused), KQ_ERR_FORBIDDEN);
	assert_int_equal(tickets_quota_delete_unused(e->db, &e->a_box, unused), KQ_ERR_FORBIDDEN);
	assert_int_equal(tickets_quota_delete_unused(e->db, &e->a_owner, 999999), KQ_ERR_NOT_FOUND);
	assert_int_equal(tickets_quota_delete_unused(e->db, &e->a_owner, 0), KQ_ERR_NOT_FOUND);

	/* A sold ticket keeps its quota. */
	struct order o1, o2;
	buy_order(e, t, e->date1, 1, &o1);
	assert_int_equal(tickets_quota_delete_unused(e->db, &e->a_owner, q1), KQ_ERR_TICKETS_IN_USE);
	assert_true(quota_listed(e, q1));
	assert_int_equal(tk_quota_sold(e, q1), 1);
	/* A seat offered to the waiting list is held too. */
	buy_order(e, t, e->date2, 1, &o2);
	struct waitlist_request wr = { e->date2, t, "Wendy", "wendy.quota@example.org", 1, "fr" };
	struct field_errors fe = { 0 };
	struct waitlist_entry w;
	assert_int_equal(waitlist_join(e->db, &e->a_visitor, &wr, e->a, &fe, &w), KQ_OK);
	assert_int_equal(orders_cancel(e->db, &e->a_box, o2.id), KQ_OK);
	int offered;
	assert_int_equal(waitlist_run(e->db, time_now(), &offered), KQ_OK);
	assert_int_equal(offered, 1);
	assert_int_equal(tk_quota_sold(e, q2), 1);
	assert_int_equal(tickets_quota_delete_unused(e->db, &e->a_owner, q2), KQ_ERR_TICKETS_IN_USE);
	assert_true(quota_listed(e, q2));
	/* Once the offer is given back, nothing holds it: it goes. */
	assert_int_equal(waitlist_leave(e->db, w.token), KQ_OK);
	assert_int_equal(tk_quota_sold(e, q2), 0);
	assert_int_equal(tickets_quota_delete_unused(e->db, &e->a_owner, q2), KQ_OK);
	assert_false(quota_listed(e, q2));
	assert_int_equal(tickets_quota_delete_unused(e->db, &e->a_editor, unused), KQ_OK);
	assert_false(quota_listed(e, unused));
	assert_int_equal(tickets_quota_delete_unused(e->db, &e->a_owner, unused), KQ_ERR_NOT_FOUND);
	tk_check_invariants(e);
}

static int64_t count_mail(struct tk *e, const char *to, const char *subject_part)
{
	static const struct db_sql q = { "ut_tickets_count_mail",
		"SELECT COUNT(*) FROM outbox WHERE to_addr = $1 AND subject LIKE $2" };
	struct db_stmt *st = db_stmt(e->db, &q);
	db_bind_text(st, 1, to);
	db_bind_text(st, 2, arena_printf(e->a, "%%%s%%", subject_part));
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_col_i64(st, 0);
	db_reset(st);
	return n;
}

static const struct ticket_type *find_type(struct tk *e, int64_t id)
{
	struct ticket_type *list;
	int n;
	assert_int_equal(tickets_types_list(e->db, &e->a_editor, e->event, e->a, &list, &n), KQ_OK);
	for (int i = 0; i < n; i++)
		if (list[i].id == id)
			return &list[i];
	fail_msg("type %lld not listed", (long long)id);
	return NULL;
}

static void test_types_list_counts_each_waiting_list_and_joining_twice_sends_one_mail(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	int64_t calm = tk_type(e, "Calme", 1000, NULL);
	tk_quota(e, e->date1, 1, t, 0, 0);
	tk_quota(e, e->date1, 5, calm, 0, 0);
	struct order o;
	buy_order(e, t, e->date1, 1, &o);
	struct field_errors fe = { 0 };
	struct waitlist_entry w1, w2, again;
	struct waitlist_request wanda = { e->date1, t, "Wanda", "wanda.list@example.org", 2, "fr" };
	struct waitlist_request gus = { e->date1, t, "Gus", "gus.list@example.org", 1, "en" };
	assert_int_equal(waitlist_join(e->db, &e->a_visitor, &wanda, e->a, &fe, &w1), KQ_OK);
	assert_false(w1.is_existing);
	assert_int_equal(waitlist_join(e->db, &e->a_visitor, &gus, e->a, &fe, &w2), KQ_OK);
	assert_int_equal(w2.position, 2);
	struct waitlist_request wanda_again = { e->date1, t, "W.", "WANDA.List@example.org", 1, "fr" };
	assert_int_equal(waitlist_join(e->db, &e->a_visitor, &wanda_again, e->a, &fe, &again), KQ_OK);
	assert_true(again.is_existing);
	assert_int_equal(again.id, w1.id);
	/* The confirmation with the link went once, in the entry's language. */
	assert_int_equal(count_mail(e, "wanda.list@example.org", "Liste d'attente"), 1);
	assert_int_equal(count_mail(e, "gus.list@example.org", "Waiting list"), 1);
	static const struct db_sql body = { "ut_tickets_mail_body",
		"SELECT body_text FROM outbox WHERE to_addr = $1 ORDER BY id DESC LIMIT 1" };
	struct db_stmt *st = db_stmt(e->db, &body);
	db_bind_text(st, 1, "gus.list@example.org");
	assert_int_equal(db_step(st), DB_ROW);
	const char *text = arena_strdup(e->a, db_col_text(st, 0));
	db_reset(st);
	assert_non_null(strstr(text, arena_printf(e->a, "/liste-attente/%s", w2.token)));
	assert_non_null(strstr(text, "Your place: 2"));

	const struct ticket_type *ty = find_type(e, t);
	assert_int_equal(ty->waiting, 2);
	assert_int_equal(ty->waiting_seats, 3);
	assert_int_equal(ty->offered_seats, 0);
	assert_int_equal(find_type(e, calm)->waiting, 0);
	/* One seat comes back: Wanda's two do not fit, Gus is offered it. */
	assert_int_equal(orders_cancel(e->db, &e->a_box, o.id), KQ_OK);
	int offered;
	assert_int_equal(waitlist_run(e->db, time_now(), &offered), KQ_OK);
	assert_int_equal(offered, 1);
	ty = find_type(e, t);
	assert_int_equal(ty->waiting, 1);
	assert_int_equal(ty->waiting_seats, 2);
	assert_int_equal(ty->offered_seats, 1);
	/* The type edited (a new price): its waiting list is untouched. */
	struct ticket_type_input up = { .name = "Plein", .price_cents = 1500, .max_per_order = 50 };
	struct ticket_type out;
	assert_int_equal(tickets_type_update(e->db, &e->a_editor, t, &up, e->a, &fe, &out), KQ_OK);
	assert_int_equal(out.waiting, 0);   /* figures come with the list only */
	assert_int_equal(find_type(e, t)->offered_seats, 1);
	tk_check_invariants(e);
}

int main(void)
{
	crypto_init();
	time_init();
	i18n_init();
	struct payments_settings ps = { .order_hold_minutes = 30 };
	payments_configure(&ps);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_create_checks_rights_and_fields),
		cmocka_unit_test(test_type_archive_deletes_unsold_and_keeps_sold),
		cmocka_unit_test(test_quota_is_shared_by_its_types),
		cmocka_unit_test(test_sub_quota_caps_a_type_inside_the_total),
		cmocka_unit_test(test_quota_edit_recounts_and_refuses_below_sold),
		cmocka_unit_test(test_offers_show_left_and_hide_hidden_types),
		cmocka_unit_test(test_voucher_create_checks_fields_and_duplicate_codes),
		cmocka_unit_test(test_voucher_discount_is_per_ticket_and_never_negative),
		cmocka_unit_test(test_questions_are_validated_listed_and_kept_once_answered),
		cmocka_unit_test(test_shop_settings_need_the_money_right_and_known_providers),
		cmocka_unit_test(test_agenda_figures_come_from_types_quotas_and_orders),
		cmocka_unit_test(test_money_is_formatted_in_french_and_english),
		cmocka_unit_test(test_quota_delete_unused_refuses_while_seats_are_held),
		cmocka_unit_test(test_types_list_counts_each_waiting_list_and_joining_twice_sends_one_mail),
	};
	int failed = 0;
	TL_RUN_GROUP_BOTH(failed, "tickets", tests, setup_sqlite_tk, setup_pg_tk, teardown_tk);
	return TL_EXIT(failed);
}
