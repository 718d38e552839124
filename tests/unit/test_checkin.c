/* test_checkin.c: scans at the door (every result, recorded), undo, counts per date and gate, paying and selling at the door, and two doors racing on one ticket, on both backends (core/checkin.c) */
#include "tl_ticketing.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "core/checkin.h"
#include "core/faults.h"
#include "core/ledger.h"
#include "core/orders.h"
#include "core/payments.h"
#include "http/http.h"
#include "web/web.h"
#include "web/views/checkin.h"

#include <ctype.h>
#include <pthread.h>

TK_DB_SETUPS("checkin")

static void set_providers(struct tk *e, const char *providers)
{
	struct ticket_shop s;
	assert_int_equal(tickets_shop_get(e->db, e->a, e->event, &s), KQ_OK);
	s.providers = providers;
	struct field_errors fe = { 0 };
	assert_int_equal(tickets_shop_set(e->db, &e->a_owner, e->event, &s, &fe), KQ_OK);
}

/* n tickets of type on date by a guest, paid through provider (pending), or
 * sold by the box office (paid). */
static struct order buy(struct tk *e, int64_t type, int64_t date, int n, const char *provider,
			bool box_office)
{
	struct checkout_ticket t[8];
	memset(t, 0, sizeof(t));
	for (int i = 0; i < n; i++) {
		t[i].ticket_type_id = type;
		t[i].event_date_id = date;
	}
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct checkout_request in = {
		.event_id = e->event, .tickets = t, .n_tickets = n, .buyer_name = "Ana Guest",
		.buyer_email = "ana@example.org", .provider = provider, .idempotency_key = key,
		.lang = "fr", .box_office = box_office,
	};
	struct field_errors fe = { 0 };
	struct order o;
	enum kq_err err = orders_checkout(e->db, box_office ? &e->a_box : &e->a_visitor, &in, e->a,
					  &fe, &o);
	if (err != KQ_OK)
		fail_msg("checkout: %s (%s)", err_api_code(err), fe.n ? fe.e[0].field : "");
	return o;
}

static enum kq_err scan(struct tk *e, const struct actor *who, int64_t date, const char *code,
			const char *gate, struct checkin_outcome *out)
{
	struct checkin_scan_input in = { e->event, date, code, gate };
	return checkin_scan(e->db, who, &in, e->a, out);
}

static int64_t count_scans(struct tk *e, const char *result)
{
	static const struct db_sql q = { "ut_count_scans",
		"SELECT COUNT(*) FROM checkins WHERE event_id = $1 AND result = $2" };
	struct db_stmt *st = db_stmt(e->db, &q);
	db_bind_i64(st, 1, e->event);
	db_bind_text(st, 2, result);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_col_i64(st, 0);
	db_reset(st);
	return n;
}

static int64_t balance(struct tk *e)
{
	int64_t b;
	assert_int_equal(ledger_balance(e->db, e->org, "EUR", &b), DB_NONE);
	return b;
}

/* ---- results ------------------------------------------------------------------------------- */

static void test_every_result_is_told_and_every_scan_recorded(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	/* Another event of the organisation, with a ticket sold. */
	int64_t other_type = tk_type(e, "Autre", 500, NULL);
	tk_quota(e, e->date1, 10, other_type, 0, 0);
	struct order other = buy(e, other_type, e->date1, 1, "onsite", true);
	tk_new_event(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	tk_quota(e, e->date1, 10, t, 0, 0);
	tk_quota(e, e->date2, 10, t, 0, 0);
	struct order paid = buy(e, t, e->date1, 2, "onsite", true);
	struct order day2 = buy(e, t, e->date2, 1, "onsite", true);
	struct order pending = buy(e, t, e->date1, 1, "onsite", false);
	struct order gone = buy(e, t, e->date1, 1, "onsite", true);
	assert_int_equal(orders_cancel(e->db, &e->a_owner, gone.id), KQ_OK);
	struct checkin_outcome c;

	/* Valid, whatever the case and the spaces around the code. */
	char *lower = arena_printf(e->a, "  %s ", paid.tickets[0].code);
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	assert_int_equal(scan(e, &e->a_box, e->date1, lower, "Nord", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_VALID);
	assert_string_equal(checkin_result_name(c.result), "valid");
	assert_int_equal(c.order_id, paid.id);
	assert_string_equal(c.type_name, "Plein");
	assert_string_equal(c.checked_in_gate, "Nord");
	int64_t first = c.checked_in_at;
	assert_true(first > 0);

	/* Already used: when, at which gate, by whom, even from another gate. */
	assert_int_equal(scan(e, &e->a_owner, e->date1, paid.tickets[0].code, "Sud", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_ALREADY_USED);
	assert_int_equal(c.checked_in_at, first);
	assert_string_equal(c.checked_in_gate, "Nord");
	assert_string_equal(c.checked_in_by, "Bob Box");

	/* Unknown, and forged codes of every shape. */
	const char *forged[] = { "NOPE", "", "   ", "<script>\"'&", "\xff\xfe\x01", "A;DROP TABLE tickets",
				 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
	for (size_t i = 0; i < TL_ARRAY_LEN(forged); i++) {
		assert_int_equal(scan(e, &e->a_box, e->date1, forged[i], "Nord", &c), KQ_OK);
		assert_int_equal(c.result, CHECKIN_UNKNOWN);
		assert_int_equal(c.ticket_id, 0);
	}

	/* A ticket of another event names it, and nothing of its buyer. */
	assert_int_equal(scan(e, &e->a_box, e->date1, other.tickets[0].code, "Nord", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_WRONG_EVENT);
	assert_string_equal(c.other_event_title, "Bal du 14 juillet");
	assert_string_equal(c.buyer_name, "");

	/* Another event's order reference means nothing here. */
	assert_int_equal(scan(e, &e->a_box, e->date1, other.code, "Nord", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_UNKNOWN);

	/* Another date of the series says which; any date is fine without a date. */
	assert_int_equal(scan(e, &e->a_box, e->date1, day2.tickets[0].code, "Nord", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_WRONG_DATE);
	assert_int_equal(c.event_date_id, e->date2);
	assert_true(c.date_starts_at > 0);

	/* Cancelled and unpaid. */
	assert_int_equal(scan(e, &e->a_box, e->date1, gone.tickets[0].code, "Nord", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_CANCELLED);
	assert_int_equal(scan(e, &e->a_box, e->date1, pending.tickets[0].code, "Nord", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_UNPAID);
	assert_true(c.can_pay_at_door);
	assert_int_equal(c.order_total_cents, 1000);

	/* Nothing of the refusals let anyone in; every scan is a row. */
	assert_int_equal(tk_scalar(e->db, "in", "SELECT COUNT(*) FROM tickets WHERE checked_in_at"
				   " IS NOT NULL AND order_id = $1", pending.id), 0);
	assert_int_equal(count_scans(e, "valid"), 1);
	assert_int_equal(count_scans(e, "already_used"), 1);
	assert_int_equal(count_scans(e, "unknown"), (int64_t)TL_ARRAY_LEN(forged) + 1);
	assert_int_equal(count_scans(e, "wrong_event"), 1);
	assert_int_equal(count_scans(e, "wrong_date"), 1);
	assert_int_equal(count_scans(e, "cancelled"), 1);
	assert_int_equal(count_scans(e, "unpaid"), 1);

	/* A date of another event, or a gate name that is not text, is refused. */
	struct checkin_scan_input bad = { e->event, e->date1 + 1000, paid.tickets[1].code, "" };
	assert_int_equal(checkin_scan(e->db, &e->a_box, &bad, e->a, &c), KQ_ERR_NOT_FOUND);
	assert_int_equal(scan(e, &e->a_box, e->date1, paid.tickets[1].code, "a\nb", &c),
			 KQ_ERR_FORM_INVALID);
	tk_check_invariants(e);
}

static void test_only_the_box_office_scans(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	tk_quota(e, e->date1, 10, t, 0, 0);
	struct order o = buy(e, t, e->date1, 1, "onsite", true);
	struct checkin_outcome c;
	assert_int_equal(scan(e, &e->a_stranger, 0, o.tickets[0].code, "", &c), KQ_ERR_FORBIDDEN);
	assert_int_equal(scan(e, &e->a_editor, 0, o.tickets[0].code, "", &c), KQ_ERR_FORBIDDEN);
	assert_int_equal(scan(e, &e->a_treasurer, 0, o.tickets[0].code, "", &c), KQ_ERR_FORBIDDEN);
	assert_int_equal(scan(e, &e->a_visitor, 0, o.tickets[0].code, "", &c), KQ_ERR_AUTH_REQUIRED);
	struct checkin_counts n;
	assert_int_equal(checkin_counts(e->db, &e->a_editor, e->event, 0, e->a, &n), KQ_ERR_FORBIDDEN);
	/* A refused scan changed nothing and left no row. */
	assert_int_equal(count_scans(e, "valid") + count_scans(e, "unknown"), 0);
	assert_int_equal(scan(e, &e->a_box, 0, o.tickets[0].code, "", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_VALID);
}

/* The former check of test_orders.c: cash taken at the door, then one scan. */
static void test_box_office_takes_cash_at_the_door_and_scans_once(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	set_providers(e, "onsite,transfer");
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	tk_quota(e, e->date1, 10, t, 0, 0);
	int64_t before = balance(e);
	struct order o = buy(e, t, e->date1, 2, "onsite", false);
	assert_string_equal(o.status, "pending");
	struct checkin_scan_input in = { e->event, e->date1, o.tickets[0].code, "Caisse" };
	struct checkin_outcome c;
	/* The stranger may not take the money; nothing is paid. */
	assert_int_equal(checkin_pay_and_scan(e->db, &e->a_stranger, &in, e->a, &c),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(balance(e), before);
	assert_int_equal(checkin_pay_and_scan(e->db, &e->a_box, &in, e->a, &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_VALID);
	assert_string_equal(c.order_status, "paid");
	assert_int_equal(balance(e), before + 2000);
	/* The same request again (a double click, with the form's nonce): its
	 * first answer, nothing paid twice. */
	struct order twice = buy(e, t, e->date1, 1, "onsite", false);
	struct checkin_scan_input tw = { e->event, e->date1, twice.tickets[0].code, "Caisse",
					 "form-nonce-0001" };
	struct checkin_outcome c1;
	assert_int_equal(checkin_pay_and_scan(e->db, &e->a_box, &tw, e->a, &c1), KQ_OK);
	assert_int_equal(checkin_pay_and_scan(e->db, &e->a_box, &tw, e->a, &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_VALID);
	assert_int_equal(c.scan_id, c1.scan_id);
	assert_int_equal(balance(e), before + 3000);
	before += 1000;
	/* The second ticket of the order is paid too, and a second click pays nothing. */
	in.code = o.tickets[1].code;
	assert_int_equal(checkin_pay_and_scan(e->db, &e->a_box, &in, e->a, &c),
			 KQ_ERR_TICKETS_NOT_VALID);
	assert_int_equal(balance(e), before + 2000);
	assert_int_equal(scan(e, &e->a_box, e->date1, o.tickets[1].code, "Caisse", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_VALID);
	assert_int_equal(scan(e, &e->a_box, e->date1, o.tickets[1].code, "Caisse", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_ALREADY_USED);

	/* A buyer paying at the door gives the order's reference (the order page
	 * of a pending order shows no ticket): it stands for its next ticket. */
	struct order two = buy(e, t, e->date1, 2, "onsite", false);
	in.code = two.code;
	assert_int_equal(scan(e, &e->a_box, e->date1, two.code, "Caisse", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_UNPAID);
	assert_true(c.can_pay_at_door);
	assert_int_equal(checkin_pay_and_scan(e->db, &e->a_box, &in, e->a, &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_VALID);
	assert_int_equal(c.ticket_id, two.tickets[0].id);
	assert_int_equal(scan(e, &e->a_box, e->date1, two.code, "Caisse", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_VALID);
	assert_int_equal(c.ticket_id, two.tickets[1].id);
	assert_int_equal(scan(e, &e->a_box, e->date1, two.code, "Caisse", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_ALREADY_USED);
	assert_int_equal(balance(e), before + 4000);
	before += 2000;

	/* A bank transfer is the treasurer's money: the box office may not take it. */
	struct order tr = buy(e, t, e->date1, 1, "transfer", false);
	assert_int_equal(scan(e, &e->a_box, e->date1, tr.tickets[0].code, "Caisse", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_UNPAID);
	assert_false(c.can_pay_at_door);
	assert_int_equal(scan(e, &e->a_owner, e->date1, tr.tickets[0].code, "Caisse", &c), KQ_OK);
	assert_true(c.can_pay_at_door);
	in.code = tr.tickets[0].code;
	assert_int_equal(checkin_pay_and_scan(e->db, &e->a_box, &in, e->a, &c), KQ_ERR_FORBIDDEN);
	assert_int_equal(balance(e), before + 2000);
	tk_check_invariants(e);
}

/* ---- undo, counts, recent scans -------------------------------------------------------------- */

static void test_undo_lets_the_ticket_in_again_once(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	tk_quota(e, e->date1, 10, t, 0, 0);
	struct order o = buy(e, t, e->date1, 1, "onsite", true);
	const char *code = o.tickets[0].code;
	struct checkin_outcome c;
	assert_int_equal(scan(e, &e->a_box, e->date1, code, "Nord", &c), KQ_OK);
	int64_t first = c.scan_id;
	struct checkin_scan_row *rows;
	int n;
	assert_int_equal(checkin_recent(e->db, &e->a_box, e->event, "Nord", 10, e->a, &rows, &n),
			 KQ_OK);
	assert_int_equal(n, 1);
	assert_true(rows[0].can_undo);
	assert_int_equal(checkin_undo(e->db, &e->a_stranger, e->event, first, "Nord"),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(checkin_undo(e->db, &e->a_box, e->event, first, "Nord"), KQ_OK);
	assert_int_equal(checkin_undo(e->db, &e->a_box, e->event, first, "Nord"),
			 KQ_ERR_CHECKIN_NOT_UNDOABLE);
	assert_int_equal(checkin_undo(e->db, &e->a_box, e->event, first + 1000, "Nord"),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(count_scans(e, "undone"), 1);
	struct checkin_counts k;
	assert_int_equal(checkin_counts(e->db, &e->a_box, e->event, e->date1, e->a, &k), KQ_OK);
	assert_int_equal(k.arrived, 0);
	/* In again; the old scan's undo must not let them out. */
	assert_int_equal(scan(e, &e->a_box, e->date1, code, "Sud", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_VALID);
	assert_int_equal(checkin_undo(e->db, &e->a_box, e->event, first, "Nord"),
			 KQ_ERR_CHECKIN_NOT_UNDOABLE);
	assert_int_equal(scan(e, &e->a_box, e->date1, code, "Nord", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_ALREADY_USED);
	assert_string_equal(c.checked_in_gate, "Sud");
	/* An unknown code's scan is not a check-in to undo. */
	assert_int_equal(scan(e, &e->a_box, e->date1, "NOPE", "Nord", &c), KQ_OK);
	assert_int_equal(checkin_undo(e->db, &e->a_box, e->event, c.scan_id, "Nord"),
			 KQ_ERR_CHECKIN_NOT_UNDOABLE);
	assert_int_equal(checkin_recent(e->db, &e->a_box, e->event, "Nord", 10, e->a, &rows, &n),
			 KQ_OK);
	assert_int_equal(n, 4);   /* unknown, already used, undone, valid */
	assert_string_equal(rows[0].result, "unknown");
	assert_string_equal(rows[2].result, "undone");
	assert_false(rows[3].can_undo);
}

static void test_counts_are_per_date_and_per_gate(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	tk_quota(e, e->date1, 20, t, 0, 0);
	tk_quota(e, e->date2, 20, t, 0, 0);
	struct order a = buy(e, t, e->date1, 3, "onsite", true);
	struct order b = buy(e, t, e->date2, 2, "onsite", true);
	buy(e, t, e->date1, 4, "onsite", false);   /* pending: not expected */
	struct checkin_outcome c;
	assert_int_equal(scan(e, &e->a_box, e->date1, a.tickets[0].code, "Nord", &c), KQ_OK);
	assert_int_equal(scan(e, &e->a_box, e->date1, a.tickets[1].code, "Nord", &c), KQ_OK);
	assert_int_equal(scan(e, &e->a_box, e->date1, a.tickets[2].code, "Sud", &c), KQ_OK);
	assert_int_equal(scan(e, &e->a_box, 0, b.tickets[0].code, "", &c), KQ_OK);
	assert_int_equal(c.result, CHECKIN_VALID);
	struct checkin_counts k;
	assert_int_equal(checkin_counts(e->db, &e->a_box, e->event, e->date1, e->a, &k), KQ_OK);
	assert_int_equal(k.expected, 3);
	assert_int_equal(k.arrived, 3);
	assert_int_equal(k.ngates, 2);
	assert_string_equal(k.gates[0].gate, "Nord");
	assert_int_equal(k.gates[0].arrived, 2);
	assert_string_equal(k.gates[1].gate, "Sud");
	assert_int_equal(k.gates[1].arrived, 1);
	assert_int_equal(checkin_counts(e->db, &e->a_box, e->event, e->date2, e->a, &k), KQ_OK);
	assert_int_equal(k.expected, 2);
	assert_int_equal(k.arrived, 1);
	assert_int_equal(k.ngates, 1);
	assert_string_equal(k.gates[0].gate, "");
	assert_int_equal(checkin_counts(e->db, &e->a_box, e->event, 0, e->a, &k), KQ_OK);
	assert_int_equal(k.expected, 5);
	assert_int_equal(k.arrived, 4);
	/* A scan's answer: arrived counted now, expected kept a few seconds. */
	assert_int_equal(checkin_scan_counts(e->db, &e->a_box, e->event, e->date1, e->a, &k), KQ_OK);
	assert_int_equal(k.expected, 3);
	assert_int_equal(k.arrived, 3);
	struct order more = buy(e, t, e->date1, 2, "onsite", true);
	assert_int_equal(scan(e, &e->a_box, e->date1, more.tickets[0].code, "Nord", &c), KQ_OK);
	assert_int_equal(checkin_scan_counts(e->db, &e->a_box, e->event, e->date1, e->a, &k), KQ_OK);
	assert_int_equal(k.arrived, 4);
	tl_set_clock(60);
	assert_int_equal(checkin_scan_counts(e->db, &e->a_box, e->event, e->date1, e->a, &k), KQ_OK);
	assert_int_equal(k.expected, 5);
	assert_int_equal(checkin_scan_counts(e->db, &e->a_box, e->event, 0, e->a, &k), KQ_OK);
	assert_int_equal(k.expected, 7);
	assert_int_equal(k.arrived, 5);
	tl_set_clock(0);
	assert_int_equal(checkin_scan_counts(e->db, &e->a_editor, e->event, e->date1, e->a, &k),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(checkin_counts(e->db, &e->a_box, e->event, 0, e->a, &k), KQ_OK);
	assert_int_equal(k.expected, 7);
	assert_int_equal(k.arrived, 5);
	/* A refunded order is no longer expected, even once arrived. */
	assert_int_equal(orders_cancel(e->db, &e->a_owner, b.id), KQ_OK);
	assert_int_equal(checkin_counts(e->db, &e->a_box, e->event, e->date2, e->a, &k), KQ_OK);
	assert_int_equal(k.expected, 0);
	assert_int_equal(k.arrived, 0);
}

static void test_sale_at_the_door_is_paid_and_may_enter_at_once(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t t = tk_type(e, "Plein", 1200, "hidden");
	tk_quota(e, e->date1, 5, t, 0, 0);
	int64_t before = balance(e);
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct checkin_sale s = { e->event, e->date1, t, 3, "Léa", key, true, "Caisse", "fr" };
	struct field_errors fe = { 0 };
	struct order o;
	assert_int_equal(checkin_sell(e->db, &e->a_stranger, &s, e->a, &fe, &o), KQ_ERR_FORBIDDEN);
	assert_int_equal(checkin_sell(e->db, &e->a_box, &s, e->a, &fe, &o), KQ_OK);
	assert_string_equal(o.status, "paid");
	assert_int_equal(o.total_cents, 3600);
	assert_string_equal(o.buyer_name, "Léa");
	assert_int_equal(balance(e), before + 3600);
	for (int i = 0; i < o.n_tickets; i++)
		assert_true(o.tickets[i].checked_in_at > 0);
	/* The same form sent again is the same order, already in. */
	struct order again;
	assert_int_equal(checkin_sell(e->db, &e->a_box, &s, e->a, &fe, &again), KQ_OK);
	assert_int_equal(again.id, o.id);
	assert_int_equal(balance(e), before + 3600);
	struct checkin_counts k;
	assert_int_equal(checkin_counts(e->db, &e->a_box, e->event, e->date1, e->a, &k), KQ_OK);
	assert_int_equal(k.expected, 3);
	assert_int_equal(k.arrived, 3);
	/* Without "enter now" the tickets wait at the door; past the quota, nothing is sold. */
	crypto_token(key);
	struct checkin_sale s2 = { e->event, e->date1, t, 2, NULL, key, false, "Caisse", "fr" };
	assert_int_equal(checkin_sell(e->db, &e->a_box, &s2, e->a, &fe, &o), KQ_OK);
	assert_int_equal(o.tickets[0].checked_in_at, 0);
	assert_string_equal(o.buyer_name, "Bob Box");
	crypto_token(key);
	s2.quantity = 1;
	assert_int_equal(checkin_sell(e->db, &e->a_box, &s2, e->a, &fe, &o), KQ_ERR_TICKETS_SOLD_OUT);
	struct field_errors fe2 = { 0 };
	s2.quantity = 0;
	assert_int_equal(checkin_sell(e->db, &e->a_box, &s2, e->a, &fe2, &o), KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe2, "quantity"));
	assert_int_equal(balance(e), before + 3600 + 2400);
	tk_check_invariants(e);
}

/* ---- failures ------------------------------------------------------------------------------- */

static int64_t ticket_in(struct tk *e, int64_t ticket_id)
{
	return tk_scalar(e->db, "ticket_in", "SELECT COUNT(*) FROM tickets WHERE id = $1"
			 " AND checked_in_at IS NOT NULL AND checked_in_gate IS NOT NULL", ticket_id);
}

static int64_t scans_of(struct tk *e, int64_t ticket_id)
{
	return tk_scalar(e->db, "scans_of", "SELECT COUNT(*) FROM checkins WHERE ticket_id = $1",
			 ticket_id);
}

/* Each statement of a scan, an undo and "encaisser et valider" fails in
 * turn: the ticket is let in together with its record or not at all, and
 * the money is taken whole or not at all (tk_check_invariants). */
static void test_a_failure_at_any_step_leaves_nothing_half_written(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	tk_quota(e, e->date1, 10, t, 0, 0);
	struct order o = buy(e, t, e->date1, 1, "onsite", true);
	int64_t id = o.tickets[0].id;
	struct checkin_outcome c;
	enum kq_err err = KQ_ERR_INTERNAL;
	long k;
	for (k = 1; k < 100; k++) {
		faults_arm(k);
		err = scan(e, &e->a_box, e->date1, o.tickets[0].code, "Nord", &c);
		bool fired = faults_fired();
		faults_arm(0);
		if (!fired)
			break;
		assert_int_equal(err, KQ_ERR_INTERNAL);
		assert_int_equal(ticket_in(e, id), 0);
		assert_int_equal(scans_of(e, id), 0);
	}
	assert_true(k > 2);
	assert_int_equal(err, KQ_OK);
	assert_int_equal(c.result, CHECKIN_VALID);
	assert_int_equal(ticket_in(e, id), 1);
	assert_int_equal(scans_of(e, id), 1);

	int64_t scan_id = c.scan_id;
	for (k = 1; k < 100; k++) {
		faults_arm(k);
		err = checkin_undo(e->db, &e->a_box, e->event, scan_id, "Nord");
		bool fired = faults_fired();
		faults_arm(0);
		if (!fired)
			break;
		assert_int_equal(err, KQ_ERR_INTERNAL);
		assert_int_equal(ticket_in(e, id), 1);
		assert_int_equal(scans_of(e, id), 1);
	}
	assert_int_equal(err, KQ_OK);
	assert_int_equal(ticket_in(e, id), 0);
	assert_int_equal(scans_of(e, id), 2);

	/* Money at the door: paid whole or not at all; once paid, the ticket
	 * may still wait for its scan (the next scan lets it in). */
	struct order p = buy(e, t, e->date1, 1, "onsite", false);
	int64_t before = balance(e);
	struct checkin_scan_input in = { e->event, e->date1, p.code, "Caisse" };
	for (k = 1; k < 200; k++) {
		faults_arm(k);
		err = checkin_pay_and_scan(e->db, &e->a_box, &in, e->a, &c);
		bool fired = faults_fired();
		faults_arm(0);
		tk_check_invariants(e);
		if (!fired)
			break;
		assert_int_not_equal(err, KQ_OK);
		int64_t paid = tk_scalar(e->db, "paid", "SELECT COUNT(*) FROM orders WHERE id = $1"
					 " AND status = 'paid'", p.id);
		assert_int_equal(balance(e), before + (paid ? 1000 : 0));
		assert_int_equal(ticket_in(e, p.tickets[0].id), 0);
		if (paid)
			break;   /* paid, not scanned: the door scans it again */
	}
	if (err != KQ_OK) {
		assert_int_equal(scan(e, &e->a_box, e->date1, p.code, "Caisse", &c), KQ_OK);
	}
	assert_int_equal(c.result, CHECKIN_VALID);
	assert_int_equal(ticket_in(e, p.tickets[0].id), 1);
	assert_int_equal(balance(e), before + 1000);
	tk_check_invariants(e);
}

/* ---- two doors, one ticket ------------------------------------------------------------------ */

#define DOORS 6
#define ROUNDS 15

struct door {
	const char *url;
	struct tk *e;
	const char *code;
	const char *nonce;
	int64_t scan_id;
	int64_t box;
	pthread_barrier_t *go;
	enum kq_err err;
	enum checkin_result result;
	char msg[256];
};

static void *door_main(void *arg)
{
	struct door *d = arg;
	struct db *db = db_open(d->url, d->msg, sizeof(d->msg));
	pthread_barrier_wait(d->go);
	if (!db) {
		d->err = KQ_ERR_INTERNAL;
		return NULL;
	}
	struct arena *a = arena_new();
	struct checkin_scan_input in = { d->e->event, d->e->date1, d->code, "Porte", d->nonce };
	struct checkin_outcome c;
	d->err = checkin_scan(db, &d->e->a_box, &in, a, &c);
	d->result = c.result;
	d->scan_id = c.scan_id;
	if (d->err == KQ_ERR_INTERNAL)
		snprintf(d->msg, sizeof(d->msg), "%s", db_errmsg(db));
	arena_free(a);
	db_close(db);
	return NULL;
}

/* INVARIANT(once-in): DOORS doors, each on its own connection, scan one
 * ticket at the same moment: exactly one lets it in, the others say it is
 * used, ROUNDS times over. */
static void test_doors_scanning_one_ticket_at_once_let_it_in_once(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	tk_quota(e, e->date1, ROUNDS, t, 0, 0);
	for (int r = 0; r < ROUNDS; r++) {
		struct order o = buy(e, t, e->date1, 1, "onsite", true);
		struct door d[DOORS];
		pthread_t th[DOORS];
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, DOORS);
		for (int i = 0; i < DOORS; i++) {
			d[i] = (struct door){ e->url, e, o.tickets[0].code, NULL, 0, e->box, &go, KQ_OK, 0,
					      "" };
			assert_int_equal(pthread_create(&th[i], NULL, door_main, &d[i]), 0);
		}
		for (int i = 0; i < DOORS; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&go);
		int valid = 0, used = 0;
		for (int i = 0; i < DOORS; i++) {
			if (d[i].err != KQ_OK)
				fail_msg("door %d: %s %s", i, err_api_code(d[i].err), d[i].msg);
			valid += d[i].result == CHECKIN_VALID;
			used += d[i].result == CHECKIN_ALREADY_USED;
		}
		assert_int_equal(valid, 1);
		assert_int_equal(used, DOORS - 1);
	}
	assert_int_equal(count_scans(e, "valid"), ROUNDS);
	assert_int_equal(count_scans(e, "already_used"), ROUNDS * (DOORS - 1));
}

/* ---- the page: everything it shows is escaped ----------------------------------------------- */

#define EVIL "<script>\"'&"

static bool has_raw_evil(const struct buf *b)
{
	return b->len && memmem(b->p, b->len, "<script>\"", 9) != NULL;
}

static void test_scanner_page_escapes_every_field(void **state)
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
	req.path = "/evenements/x/controle";
	req.app = &w;
	struct event_date dates[2] = { { 1, 1000, 2000, false, 0 }, { 2, 90000, 99000, false, 0 } };
	struct event ev = { 0 };
	ev.id = 1;
	ev.slug = EVIL;
	ev.title = EVIL;
	ev.dates = dates;
	ev.ndates = 2;
	struct checkin_gate_count gates[1] = { { EVIL, 3 } };
	struct checkin_counts k = { 10, 3, gates, 1 };
	struct checkin_scan_row rows[1] = { { 7, "valid", 1000, EVIL, EVIL, EVIL, EVIL, true } };
	struct ticket_type types[1] = { { 0 } };
	types[0].id = 3;
	types[0].name = EVIL;
	types[0].currency = "EUR";
	struct order_ticket sold_t[1] = { { 0 } };
	sold_t[0].type_name = EVIL;
	sold_t[0].code = EVIL;
	struct order sold = { 0 };
	sold.code = EVIL;
	sold.currency = "EUR";
	sold.tickets = sold_t;
	sold.n_tickets = 1;
	enum checkin_result results[] = { CHECKIN_VALID, CHECKIN_ALREADY_USED, CHECKIN_UNKNOWN,
					   CHECKIN_WRONG_EVENT, CHECKIN_WRONG_DATE, CHECKIN_CANCELLED,
					   CHECKIN_UNPAID };
	for (size_t i = 0; i < TL_ARRAY_LEN(results); i++) {
		struct checkin_outcome o = { 0 };
		o.result = results[i];
		o.type_name = o.attendee_name = o.buyer_name = o.order_code = EVIL;
		o.order_status = "cancelled";
		o.order_provider = "onsite";
		o.currency = "EUR";
		o.checked_in_gate = o.checked_in_by = o.other_event_title = EVIL;
		o.can_pay_at_door = true;
		struct field_errors fe = { 0 };
		field_error_add(&fe, "quantity", "checkin.sale.quantity_invalid");
		struct checkin_view v = { &ev, 1, EVIL, &o, EVIL, &k, rows, 1, types, 1, &sold, &fe,
					  { EVIL, EVIL, EVIL, true } };
		struct buf b = BUF_INIT;
		view_checkin(&b, &req, &v);
		buf_putc(&b, '\0');
		assert_false(has_raw_evil(&b));
		assert_non_null(strstr(b.p, "&lt;script&gt;"));
		assert_null(strstr(b.p, "<script>"));   /* scripts only by src */
		assert_null(strstr(b.p, " style="));
		assert_non_null(strstr(b.p, "id=\"scan-result\""));
		const char *title, *detail, *icon;
		view_checkin_outcome_words(&req, &o, &title, &detail, &icon);
		assert_true(*title && *icon);
		buf_free(&b);
	}
	arena_free(a);
}

/* C2 of the reliability bar: a scan sent again with its nonce (a lost
 * answer, a retry, even at the same moment from one app) is one scan. */
static void test_a_scan_sent_again_with_its_nonce_is_one_scan(void **state)
{
	struct tk *e = *state;
	tk_new_event(e);
	int64_t t = tk_type(e, "Plein", 1000, NULL);
	tk_quota(e, e->date1, 10, t, 0, 0);
	struct order o = buy(e, t, e->date1, 2, "onsite", true);
	struct checkin_scan_input in = { e->event, e->date1, o.tickets[0].code, "Nord", "app-1-scan-0001" };
	struct checkin_outcome c1, c2;
	assert_int_equal(checkin_scan(e->db, &e->a_box, &in, e->a, &c1), KQ_OK);
	assert_int_equal(c1.result, CHECKIN_VALID);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(checkin_scan(e->db, &e->a_box, &in, e->a, &c2), KQ_OK);
		assert_int_equal(c2.result, CHECKIN_VALID);
		assert_int_equal(c2.scan_id, c1.scan_id);
		assert_string_equal(c2.checked_in_gate, "Nord");
	}
	/* A new nonce is a new scan: used. A malformed nonce is refused. */
	in.nonce = "app-1-scan-0002";
	assert_int_equal(checkin_scan(e->db, &e->a_box, &in, e->a, &c2), KQ_OK);
	assert_int_equal(c2.result, CHECKIN_ALREADY_USED);
	in.nonce = "court";
	assert_int_equal(checkin_scan(e->db, &e->a_box, &in, e->a, &c2), KQ_ERR_FORM_INVALID);
	in.nonce = "avec des espaces";
	assert_int_equal(checkin_scan(e->db, &e->a_box, &in, e->a, &c2), KQ_ERR_FORM_INVALID);
	/* Refusals replay too (an unknown code stays unknown, once). */
	struct checkin_scan_input u = { e->event, e->date1, "NOPE", "Nord", "app-1-scan-0003" };
	assert_int_equal(checkin_scan(e->db, &e->a_box, &u, e->a, &c1), KQ_OK);
	assert_int_equal(checkin_scan(e->db, &e->a_box, &u, e->a, &c2), KQ_OK);
	assert_int_equal(c2.result, CHECKIN_UNKNOWN);
	assert_int_equal(c2.scan_id, c1.scan_id);
	assert_int_equal(count_scans(e, "valid"), 1);
	assert_int_equal(count_scans(e, "already_used"), 1);
	assert_int_equal(count_scans(e, "unknown"), 1);

	/* DOORS copies of one request at once: one scan, every answer "valid". */
	struct door d[DOORS];
	pthread_t th[DOORS];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, DOORS);
	for (int i = 0; i < DOORS; i++) {
		d[i] = (struct door){ e->url, e, o.tickets[1].code, "app-2-scan-0001", 0, e->box, &go,
				      KQ_OK, 0, "" };
		assert_int_equal(pthread_create(&th[i], NULL, door_main, &d[i]), 0);
	}
	for (int i = 0; i < DOORS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < DOORS; i++) {
		if (d[i].err != KQ_OK)
			fail_msg("copy %d: %s %s", i, err_api_code(d[i].err), d[i].msg);
		assert_int_equal(d[i].result, CHECKIN_VALID);
		assert_int_equal(d[i].scan_id, d[0].scan_id);
	}
	assert_int_equal(count_scans(e, "valid"), 2);
	assert_int_equal(count_scans(e, "already_used"), 1);
}

int main(void)
{
	crypto_init();
	time_init();
	i18n_init();
	struct core_settings cs = { "https://kiosque.test", "Kiosque <no-reply@kiosque.test>" };
	core_init(&cs);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_result_is_told_and_every_scan_recorded),
		cmocka_unit_test(test_only_the_box_office_scans),
		cmocka_unit_test(test_box_office_takes_cash_at_the_door_and_scans_once),
		cmocka_unit_test(test_undo_lets_the_ticket_in_again_once),
		cmocka_unit_test(test_counts_are_per_date_and_per_gate),
		cmocka_unit_test(test_sale_at_the_door_is_paid_and_may_enter_at_once),
		cmocka_unit_test(test_doors_scanning_one_ticket_at_once_let_it_in_once),
		cmocka_unit_test(test_a_scan_sent_again_with_its_nonce_is_one_scan),
		cmocka_unit_test(test_a_failure_at_any_step_leaves_nothing_half_written),
	};
	const struct CMUnitTest views[] = {
		cmocka_unit_test(test_scanner_page_escapes_every_field),
	};
	int failed = 0;
	TL_RUN_GROUP(failed, "checkin/views", views, NULL, NULL);
	TL_RUN_GROUP_BOTH(failed, "checkin", tests, setup_sqlite_tk, setup_pg_tk, teardown_tk);
	return TL_EXIT(failed);
}
