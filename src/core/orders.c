/* orders.c: checkout, order states, holds, cancellation and refunds
 *
 * See orders.h for the checkout's three steps and the state machine. Rules
 * kept throughout this file:
 *   - Seats change only through tickets_seats_take/free, after the row locks
 *     of the ticket types involved (tickets_lock_types), in the transaction
 *     of the state change that takes or frees them (INVARIANT(quota)).
 *   - A state change is an UPDATE conditional on the current state; its
 *     RETURNING row says whether this transaction made it.
 *   - No provider is called inside a transaction; no mail is sent outside
 *     one (notify_enqueue writes the outbox with the change).
 *   - Statements of the money paths step through faults_step/faults_run so
 *     the fault-injection test can fail each of them in turn. */
#include "orders.h"
#include "waitlist.h"
#include "faults.h"
#include "ledger.h"
#include "notify.h"
#include "orgs.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ORDER_CODE_LEN 10
#define TICKET_CODE_LEN 26

static const char *order_link(struct arena *a, const char *secret)
{
	return arena_printf(a, "%s/commandes/%s", core_settings()->base_url, secret);
}

/* ---- mails ------------------------------------------------------------------------------------ */

static const struct db_sql SQL_MAIL_ORDER = { "orders_mail_order",
	"SELECT o.code, o.secret, o.buyer_name, o.buyer_email, o.lang, o.total_cents, o.currency,"
	" COALESCE(o.hold_until, 0), e.title, o.event_id,"
	" COALESCE((SELECT provider_ref FROM payments p WHERE p.order_id = o.id"
	"   ORDER BY p.id DESC LIMIT 1), '')"
	" FROM orders o JOIN events e ON e.id = o.event_id WHERE o.id = $1" };
static const struct db_sql SQL_MAIL_TICKETS = { "orders_mail_tickets",
	"SELECT tt.name, d.starts_at, t.attendee_name, t.price_cents FROM tickets t"
	" JOIN ticket_types tt ON tt.id = t.ticket_type_id"
	" JOIN event_dates d ON d.id = t.event_date_id WHERE t.order_id = $1 ORDER BY t.id" };
static const struct db_sql SQL_SHOP_DETAILS = { "orders_shop_details",
	"SELECT transfer_details FROM ticket_shops WHERE event_id = $1" };

/* Queues the mail "mail.orders.<what>" about order_id to its buyer, in the
 * order's language. Must run inside the transaction of the change it tells. */
static enum db_status order_mail(struct db *db, struct arena *a, int64_t order_id, const char *what)
{
	struct db_stmt *st = db_stmt(db, &SQL_MAIL_ORDER);
	db_bind_i64(st, 1, order_id);
	enum db_status s = faults_step(st);
	if (s != DB_ROW) {
		db_reset(st);
		return s < 0 ? s : DB_HARD;
	}
	const char *code = db_col_str(st, 0, a), *secret = db_col_str(st, 1, a);
	const char *name = db_col_str(st, 2, a), *email = db_col_str(st, 3, a);
	const char *lang = i18n_lang_or_fr(db_col_text(st, 4));
	int64_t total = db_col_i64(st, 5);
	const char *currency = db_col_str(st, 6, a);
	int64_t hold = db_col_i64(st, 7);
	const char *event = db_col_str(st, 8, a);
	int64_t event_id = db_col_i64(st, 9);
	const char *reference = db_col_str(st, 10, a);
	db_reset(st);
	if (!*email)
		return DB_NONE;   /* a box-office order without an address */

	struct buf lines = BUF_INIT;
	st = db_stmt(db, &SQL_MAIL_TICKETS);
	db_bind_i64(st, 1, order_id);
	while ((s = db_step(st)) == DB_ROW) {
		const char *attendee = db_col_text(st, 2);
		buf_printf(&lines, "- %s, %s", db_col_text(st, 0),
			   time_format_long(a, db_col_i64(st, 1), lang));
		if (attendee && *attendee)
			buf_printf(&lines, ", %s", attendee);
		buf_printf(&lines, " (%s)\n", tickets_money_format(a, db_col_i64(st, 3), currency, lang));
	}
	db_reset(st);
	const char *tickets = arena_strdup(a, buf_str(&lines));
	buf_free(&lines);
	if (s < 0)
		return s;
	const char *details = "";
	if (strcmp(what, "pending_transfer") == 0) {
		st = db_stmt(db, &SQL_SHOP_DETAILS);
		db_bind_i64(st, 1, event_id);
		s = db_step(st);
		if (s == DB_ROW)
			details = db_col_str(st, 0, a);
		db_reset(st);
		if (s < 0)
			return s;
	}
	const char *vars[] = {
		"name", name, "event", event, "code", code, "link", order_link(a, secret),
		"total", tickets_money_format(a, total, currency, lang), "tickets", tickets,
		"reference", reference, "details", details,
		"until", hold ? time_format_long(a, hold, lang) : "",
		"site", core_settings()->base_url, NULL,
	};
	const char *subject = i18n_fill(a, i18n_get(lang, arena_printf(a, "mail.orders.%s.subject", what)),
				   vars);
	const char *body = i18n_fill(a, i18n_get(lang, arena_printf(a, "mail.orders.%s.body", what)), vars);
	const char *footer = i18n_fill(a, i18n_get(lang, "mail.orders.footer"), vars);
	return notify_enqueue(db, email, subject, arena_printf(a, "%s\n\n-- \n%s\n", body, footer),
			      NULL);
}

/* ---- giving seats back ------------------------------------------------------------------------ */

static const struct db_sql SQL_ORDER_PAIRS = { "orders_pairs",
	"SELECT ticket_type_id, event_date_id, COUNT(*) FROM tickets WHERE order_id = $1"
	" GROUP BY ticket_type_id, event_date_id ORDER BY ticket_type_id, event_date_id" };
static const struct db_sql SQL_ORDER_VOUCHER = { "orders_voucher",
	"SELECT COALESCE(voucher_id, 0), voucher_uses FROM orders WHERE id = $1" };
static const struct db_sql SQL_VOUCHER_GIVE_BACK = { "orders_voucher_give_back",
	"UPDATE vouchers SET used = used - $2 WHERE id = $1 AND used >= $2 RETURNING used" };
/* Like a seat: a use is taken only if one is left. */
static const struct db_sql SQL_VOUCHER_TAKE = { "orders_voucher_take",
	"UPDATE vouchers SET used = used + $2 WHERE id = $1"
	" AND (max_uses IS NULL OR used + $2 <= max_uses) RETURNING used" };

/* The seats an order's tickets hold, after the types' locks are taken. */
static enum db_status order_needs(struct db *db, struct arena *a, int64_t order_id,
				  struct seat_needs *needs)
{
	memset(needs, 0, sizeof(*needs));
	int64_t pairs[TICKETS_PER_ORDER_MAX][3];
	int np = 0;
	struct db_stmt *st = db_stmt(db, &SQL_ORDER_PAIRS);
	db_bind_i64(st, 1, order_id);
	enum db_status s;
	while ((s = faults_step(st)) == DB_ROW && np < TICKETS_PER_ORDER_MAX) {
		pairs[np][0] = db_col_i64(st, 0);
		pairs[np][1] = db_col_i64(st, 1);
		pairs[np][2] = db_col_i64(st, 2);
		np++;
	}
	db_reset(st);
	if (s < 0)
		return s;
	int64_t types[TICKETS_PER_ORDER_MAX];
	for (int i = 0; i < np; i++)
		types[i] = pairs[i][0];
	if ((s = tickets_lock_types(db, types, np)) < 0)
		return s;
	for (int i = 0; i < np; i++) {
		int nq;
		s = tickets_seats_add(db, a, needs, pairs[i][0], pairs[i][1], pairs[i][2], &nq);
		if (s < 0)
			return s;
	}
	return DB_NONE;
}

/* Gives back the seats and voucher uses of an order that just left
 * pending/paid. Inside the transaction of that transition. */
static enum db_status release_order(struct db *db, struct arena *a, int64_t order_id)
{
	struct seat_needs needs;
	enum db_status s = order_needs(db, a, order_id, &needs);
	if (s < 0)
		return s;
	if ((s = tickets_seats_free(db, &needs)) < 0)
		return s;
	struct db_stmt *st = db_stmt(db, &SQL_ORDER_VOUCHER);
	db_bind_i64(st, 1, order_id);
	s = faults_step(st);
	int64_t voucher = s == DB_ROW ? db_col_i64(st, 0) : 0;
	int64_t uses = s == DB_ROW ? db_col_i64(st, 1) : 0;
	db_reset(st);
	if (s < 0)
		return s;
	if (voucher && uses > 0) {
		st = db_stmt(db, &SQL_VOUCHER_GIVE_BACK);
		db_bind_i64(st, 1, voucher);
		db_bind_i64(st, 2, uses);
		s = faults_step(st);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE) {
			KQ_BUG("a voucher gives back more uses than it has");
			return DB_HARD;
		}
	}
	return DB_NONE;
}

/* Takes again the seats and voucher uses of an expired order (a late
 * payment). [out] *out_ok false when either is gone; nothing is then held. */
static enum db_status retake_order(struct db *db, struct arena *a, int64_t order_id, bool *out_ok)
{
	struct seat_needs needs;
	*out_ok = false;
	enum db_status s = order_needs(db, a, order_id, &needs);
	if (s < 0)
		return s;
	bool ok;
	if ((s = tickets_seats_take(db, &needs, &ok)) < 0)
		return s;
	if (!ok)
		return DB_NONE;
	struct db_stmt *st = db_stmt(db, &SQL_ORDER_VOUCHER);
	db_bind_i64(st, 1, order_id);
	s = faults_step(st);
	int64_t voucher = s == DB_ROW ? db_col_i64(st, 0) : 0;
	int64_t uses = s == DB_ROW ? db_col_i64(st, 1) : 0;
	db_reset(st);
	if (s < 0)
		return s;
	if (voucher && uses > 0) {
		st = db_stmt(db, &SQL_VOUCHER_TAKE);
		db_bind_i64(st, 1, voucher);
		db_bind_i64(st, 2, uses);
		s = faults_step(st);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE)
			return tickets_seats_free(db, &needs);   /* the code is used up meanwhile */
	}
	*out_ok = true;
	return DB_NONE;
}

/* ---- checkout: validation outside the transaction -------------------------------------------- */

struct co_type {
	int64_t id;
	const char *name, *currency, *visibility;
	int64_t price, sale_start, sale_end;
	int min, max, count;
	bool archived, voucher_applies;
};

struct co_date {
	int64_t id, starts_at, ends_at;
	bool cancelled;
};

struct co {
	const struct actor *who;
	const struct checkout_request *in;
	struct arena *a;
	struct field_errors *fe;
	int fe_base;
	const char *buyer_name, *buyer_email, *lang, *voucher_code;
	char req_hash[TOKEN_HASH_HEX_LEN + 1];
	int64_t now, hold;
	/* results of one attempt */
	enum kq_err err;
	bool replay, paid_now;
	int64_t order_id, payment_id;
};

static const char *field_of(struct arena *a, int i, const char *what)
{
	return arena_printf(a, "tickets.%d.%s", i, what);
}

/* What can be checked without the database; fills fe. */
static void check_shape(struct co *x)
{
	const struct checkout_request *in = x->in;
	struct field_errors *fe = x->fe;
	if (!in->idempotency_key || strlen(in->idempotency_key) < 8 ||
	    strlen(in->idempotency_key) > ORDERS_KEY_MAX || !str_text_ok(in->idempotency_key, SIZE_MAX, false))
		field_error_add(fe, "idempotency_key", "orders.field.key_invalid");
	if (in->n_tickets < 1 || in->n_tickets > TICKETS_PER_ORDER_MAX || !in->tickets)
		field_error_add(fe, "tickets", "orders.field.tickets_count");
	const char *name = in->buyer_name;
	const char *email = in->buyer_email;
	/* A box-office sale may have no address: no mail then, not the seller's. */
	bool no_email = in->box_office && str_empty(email);
	if (x->who && x->who->account_id) {
		if (str_empty(name))
			name = x->who->display_name;
		if (str_empty(email) && !in->box_office)
			email = x->who->email;
	}
	if (str_empty(name) || !str_text_ok(name, ORDERS_NAME_MAX, false))
		field_error_add(fe, "buyer_name", "orders.field.name_invalid");
	else
		x->buyer_name = str_trim(x->a, name);
	if (no_email)
		x->buyer_email = "";
	else if (!email || !str_email_valid(email))
		field_error_add(fe, "buyer_email", "orders.field.email_invalid");
	else
		x->buyer_email = str_trim(x->a, email);
	if (in->voucher_code && *in->voucher_code &&
	    (strlen(in->voucher_code) > TICKETS_VOUCHER_CODE_MAX ||
	     !str_text_ok(in->voucher_code, SIZE_MAX, false)))
		field_error_add(fe, "voucher", "err.vouchers.invalid");
	x->voucher_code = in->voucher_code && !str_empty(in->voucher_code) ? in->voucher_code : NULL;
	for (int i = 0; in->tickets && i < in->n_tickets && i < TICKETS_PER_ORDER_MAX; i++) {
		const struct checkout_ticket *t = &in->tickets[i];
		if (!str_text_ok(t->attendee_name, ORDERS_NAME_MAX, false))
			field_error_add(fe, field_of(x->a, i, "attendee_name"),
					"orders.field.name_invalid");
		if (t->n_answers < 0 || t->n_answers > 64 || (t->n_answers && !t->answers))
			field_error_add(fe, "tickets", "orders.field.answer_invalid");
		for (int j = 0; j < t->n_answers && t->answers; j++)
			if (!str_text_ok(t->answers[j].value, ORDERS_ANSWER_MAX, true))
				field_error_add(fe, field_of(x->a, i, arena_printf(x->a, "q%lld",
							(long long)t->answers[j].question_id)),
						"orders.field.answer_invalid");
	}
	x->lang = i18n_lang_or_fr(in->lang);
}

/* Length-prefixed fields: no two different requests share a text. */
static void hash_field(struct buf *b, const char *s)
{
	buf_printf(b, "%zu:%s|", s ? strlen(s) : (size_t)0, s ? s : "");
}

static void request_hash(struct co *x)
{
	const struct checkout_request *in = x->in;
	struct buf b = BUF_INIT;
	buf_printf(&b, "checkout-v1|%lld|%lld|%d|", (long long)in->event_id,
		   (long long)(x->who ? x->who->account_id : 0), in->box_office ? 1 : 0);
	hash_field(&b, x->buyer_name);
	hash_field(&b, x->buyer_email);
	hash_field(&b, x->voucher_code);
	hash_field(&b, in->waitlist_token);
	hash_field(&b, in->provider);
	for (int i = 0; i < in->n_tickets; i++) {
		const struct checkout_ticket *t = &in->tickets[i];
		buf_printf(&b, "t%lld,%lld,", (long long)t->ticket_type_id,
			   (long long)t->event_date_id);
		hash_field(&b, t->attendee_name);
		for (int j = 0; j < t->n_answers; j++) {
			buf_printf(&b, "q%lld=", (long long)t->answers[j].question_id);
			hash_field(&b, t->answers[j].value);
		}
	}
	crypto_sha256_hex(b.p, b.len, x->req_hash);
	buf_free(&b);
}

/* ---- checkout: the transaction ------------------------------------------------------------------ */

static const struct db_sql SQL_IDEM_INSERT = { "orders_idem_insert",
	"INSERT INTO idempotency_keys (scope, key, request_hash, created_at)"
	" VALUES ('checkout', $1, $2, $3) ON CONFLICT (scope, key) DO NOTHING RETURNING key" };
static const struct db_sql SQL_IDEM_GET = { "orders_idem_get",
	"SELECT request_hash, COALESCE(order_id, 0) FROM idempotency_keys"
	" WHERE scope = 'checkout' AND key = $1" };
static const struct db_sql SQL_IDEM_SET = { "orders_idem_set",
	"UPDATE idempotency_keys SET order_id = $2 WHERE scope = 'checkout' AND key = $1" };
static const struct db_sql SQL_CO_TYPE = { "orders_co_type",
	"SELECT name, price_cents, currency, COALESCE(sale_starts_at, 0), COALESCE(sale_ends_at, 0),"
	" min_per_order, max_per_order, visibility, archived_at IS NOT NULL"
	" FROM ticket_types WHERE id = $1 AND event_id = $2" };
static const struct db_sql SQL_CO_DATE = { "orders_co_date",
	"SELECT starts_at, ends_at, cancelled FROM event_dates WHERE id = $1 AND event_id = $2" };
static const struct db_sql SQL_CO_OFFER = { "orders_co_offer",
	"SELECT ticket_type_id FROM waiting_list WHERE token = $1 AND event_id = $2" };
static const struct db_sql SQL_CO_OFFER_USE = { "orders_co_offer_use",
	"UPDATE waiting_list SET status = 'used' WHERE token = $1 AND event_id = $2"
	" AND status = 'offered' AND offer_expires_at > $3"
	" RETURNING id, ticket_type_id, event_date_id, quantity" };
static const struct db_sql SQL_CO_OFFER_ORDER = { "orders_co_offer_order",
	"UPDATE waiting_list SET order_id = $2 WHERE id = $1" };
static const struct db_sql SQL_ORDER_INSERT = { "orders_insert",
	"INSERT INTO orders (code, secret, event_id, org_id, account_id, buyer_name, buyer_email,"
	" lang, status, total_cents, currency, provider, voucher_id, voucher_uses, sold_by,"
	" hold_until, created_at, paid_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
	" RETURNING id" };
static const struct db_sql SQL_TICKET_INSERT = { "orders_ticket_insert",
	"INSERT INTO tickets (order_id, ticket_type_id, event_date_id, code, attendee_name,"
	" list_price_cents, discount_cents, price_cents) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
	" RETURNING id" };
static const struct db_sql SQL_ANSWER_INSERT = { "orders_answer_insert",
	"INSERT INTO ticket_answers (ticket_id, question_id, answer) VALUES ($1, $2, $3)" };
static const struct db_sql SQL_PAYMENT_INSERT = { "orders_payment_insert",
	"INSERT INTO payments (purpose, order_id, org_id, provider, amount_cents, currency, status,"
	" idempotency_key, created_at, updated_at) VALUES ('order', $1, $2, $3, $4, $5, 'created',"
	" $6, $7, $7) RETURNING id" };

static enum db_status fail(struct co *x, enum kq_err e)
{
	x->err = e;
	return DB_HARD;
}

/* A random code that collides is a unique violation: the runner retries
 * the whole transaction with new codes. */
static enum db_status unique_soft(struct db *db, enum db_status s)
{
	return s == DB_HARD && db_is_unique_violation(db) ? DB_SOFT : s;
}

static enum db_status co_txn(struct db *db, void *cls)
{
	struct co *x = cls;
	const struct checkout_request *in = x->in;
	struct arena *a = x->a;
	struct db_stmt *st;
	enum db_status s;
	x->err = KQ_OK;
	x->replay = x->paid_now = false;
	x->order_id = x->payment_id = 0;
	x->fe->n = x->fe_base;

	/* 1. The idempotency key first: a retry finds its order and writes nothing. */
	st = db_stmt(db, &SQL_IDEM_INSERT);
	db_bind_text(st, 1, in->idempotency_key);
	db_bind_text(st, 2, x->req_hash);
	db_bind_i64(st, 3, x->now);
	s = faults_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		st = db_stmt(db, &SQL_IDEM_GET);
		db_bind_text(st, 1, in->idempotency_key);
		s = faults_step(st);
		bool same = s == DB_ROW && crypto_streq(db_col_text(st, 0), x->req_hash);
		x->order_id = s == DB_ROW ? db_col_i64(st, 1) : 0;
		db_reset(st);
		if (s < 0)
			return s;
		if (!same) {
			field_error_add(x->fe, "idempotency_key", "err.idempotency.conflict");
			return fail(x, KQ_ERR_IDEMPOTENCY_CONFLICT);
		}
		if (!x->order_id)
			return DB_HARD;   /* the key is written with its order: our bug */
		x->replay = true;
		return DB_NONE;
	}

	/* 2. The event, the seller's right, the shop. */
	struct ticket_event ev;
	x->err = tickets_event_get(db, a, in->event_id, &ev);
	if (x->err != KQ_OK)
		return DB_HARD;
	if (strcmp(ev.status, "published") != 0 && strcmp(ev.status, "postponed") != 0)
		return fail(x, KQ_ERR_TICKETS_NOT_ON_SALE);
	if (in->box_office) {
		x->err = orgs_authorize(db, x->who, ev.org_id, ORG_ACT_BOX_OFFICE);
		if (x->err != KQ_OK)
			return DB_HARD;
	}
	struct ticket_shop shop;
	x->err = tickets_shop_get(db, a, in->event_id, &shop);
	if (x->err != KQ_OK)
		return DB_HARD;

	/* 3. Lock the types involved (the offer's too), then read them. */
	int n = in->n_tickets;
	int64_t *type_ids = arena_alloc(a, sizeof(int64_t) * (size_t)(n + 1));
	int n_lock = 0;
	for (int i = 0; i < n; i++)
		type_ids[n_lock++] = in->tickets[i].ticket_type_id;
	if (in->waitlist_token && *in->waitlist_token) {
		st = db_stmt(db, &SQL_CO_OFFER);
		db_bind_text(st, 1, in->waitlist_token);
		db_bind_i64(st, 2, in->event_id);
		s = faults_step(st);
		if (s == DB_ROW)
			type_ids[n_lock++] = db_col_i64(st, 0);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE)
			return fail(x, KQ_ERR_WAITLIST_OFFER_INVALID);
	}
	if ((s = tickets_lock_types(db, type_ids, n_lock)) < 0)
		return s;

	struct co_type *types = arena_alloc(a, sizeof(*types) * (size_t)n);
	struct co_date *dates = arena_alloc(a, sizeof(*dates) * (size_t)n);
	int *ti = arena_alloc(a, sizeof(int) * (size_t)n), *di = arena_alloc(a, sizeof(int) * (size_t)n);
	int ntypes = 0, ndates = 0;
	for (int i = 0; i < n; i++) {
		const struct checkout_ticket *t = &in->tickets[i];
		int k;
		for (k = 0; k < ntypes && types[k].id != t->ticket_type_id; k++)
			;
		if (k == ntypes) {
			struct co_type *ty = &types[ntypes];
			st = db_stmt(db, &SQL_CO_TYPE);
			db_bind_i64(st, 1, t->ticket_type_id);
			db_bind_i64(st, 2, in->event_id);
			s = faults_step(st);
			if (s == DB_ROW) {
				ty->id = t->ticket_type_id;
				ty->name = db_col_str(st, 0, a);
				ty->price = db_col_i64(st, 1);
				ty->currency = db_col_str(st, 2, a);
				ty->sale_start = db_col_i64(st, 3);
				ty->sale_end = db_col_i64(st, 4);
				ty->min = (int)db_col_i64(st, 5);
				ty->max = (int)db_col_i64(st, 6);
				ty->visibility = db_col_str(st, 7, a);
				ty->archived = db_col_i64(st, 8) != 0;
			}
			db_reset(st);
			if (s < 0)
				return s;
			if (s == DB_NONE || ty->archived)
				return fail(x, KQ_ERR_TICKETS_NOT_ON_SALE);
			ntypes++;
		}
		ti[i] = k;
		types[k].count++;
		for (k = 0; k < ndates && dates[k].id != t->event_date_id; k++)
			;
		if (k == ndates) {
			struct co_date *d = &dates[ndates];
			st = db_stmt(db, &SQL_CO_DATE);
			db_bind_i64(st, 1, t->event_date_id);
			db_bind_i64(st, 2, in->event_id);
			s = faults_step(st);
			if (s == DB_ROW) {
				d->id = t->event_date_id;
				d->starts_at = db_col_i64(st, 0);
				d->ends_at = db_col_i64(st, 1);
				d->cancelled = db_col_i64(st, 2) != 0;
			}
			db_reset(st);
			if (s < 0)
				return s;
			if (s == DB_NONE)
				return fail(x, KQ_ERR_TICKETS_NOT_ON_SALE);
			ndates++;
		}
		di[i] = k;
	}

	/* 4. Sale windows, then limits per order. */
	for (int i = 0; i < n; i++) {
		const struct co_type *ty = &types[ti[i]];
		const struct co_date *d = &dates[di[i]];
		int64_t start = in->box_office ? 0 : ty->sale_start;
		int64_t end = in->box_office ? d->ends_at : ty->sale_end ? ty->sale_end : d->starts_at;
		if (d->cancelled || x->now < start || x->now >= end)
			return fail(x, KQ_ERR_TICKETS_NOT_ON_SALE);
		if (strcmp(ty->currency, shop.currency) != 0)
			return fail(x, KQ_ERR_TICKETS_NOT_ON_SALE);
		if (in->tickets[i].price_seen && in->tickets[i].seen_price_cents != ty->price)
			return fail(x, KQ_ERR_TICKETS_PRICE_CHANGED);
	}
	for (int k = 0; k < ntypes; k++) {
		if (types[k].count < types[k].min || types[k].count > types[k].max) {
			field_error_add(x->fe, "tickets", "err.tickets.order_limit");
			return fail(x, KQ_ERR_TICKETS_ORDER_LIMIT);
		}
	}

	/* 5. The voucher, and who may buy what. */
	struct voucher v = { 0 };
	bool has_voucher = false;
	int64_t voucher_uses = 0;
	if (x->voucher_code) {
		x->err = tickets_voucher_find(db, a, in->event_id, x->voucher_code, x->now, &v);
		if (x->err != KQ_OK) {
			if (x->err == KQ_ERR_VOUCHER_INVALID)
				field_error_add(x->fe, "voucher", "err.vouchers.invalid");
			return DB_HARD;
		}
		has_voucher = true;
		for (int k = 0; k < ntypes; k++) {
			types[k].voucher_applies = !v.ticket_type_id || v.ticket_type_id == types[k].id;
			if (types[k].voucher_applies)
				voucher_uses += types[k].count;
		}
		if (!voucher_uses) {
			field_error_add(x->fe, "voucher", "err.vouchers.invalid");
			return fail(x, KQ_ERR_VOUCHER_INVALID);
		}
	}
	for (int k = 0; k < ntypes; k++) {
		if (in->box_office)
			break;
		if (strcmp(types[k].visibility, "hidden") == 0 &&
		    !(has_voucher && v.ticket_type_id == types[k].id))
			return fail(x, KQ_ERR_TICKETS_NOT_ON_SALE);
		if (strcmp(types[k].visibility, "voucher_only") == 0 && !types[k].voucher_applies) {
			field_error_add(x->fe, "voucher", "err.tickets.voucher_required");
			return fail(x, KQ_ERR_TICKETS_VOUCHER_REQUIRED);
		}
	}

	/* 6. Attendee names and answers. */
	struct ticket_question *qs;
	int nq;
	x->err = tickets_questions_list(db, a, in->event_id, &qs, &nq);
	if (x->err != KQ_OK)
		return DB_HARD;
	bool names_required = strcmp(shop.attendee_names, "required") == 0;
	bool names_off = strcmp(shop.attendee_names, "off") == 0;
	for (int i = 0; i < n; i++) {
		const struct checkout_ticket *t = &in->tickets[i];
		if (names_required && str_empty(t->attendee_name))
			field_error_add(x->fe, field_of(a, i, "attendee_name"), "orders.field.required");
		for (int j = 0; j < t->n_answers; j++) {
			const struct checkout_answer *ans = &t->answers[j];
			int q;
			for (q = 0; q < nq && qs[q].id != ans->question_id; q++)
				;
			bool dup = false;
			for (int k = 0; k < j; k++)
				dup = dup || t->answers[k].question_id == ans->question_id;
			const char *field = field_of(a, i, arena_printf(a, "q%lld",
							(long long)ans->question_id));
			if (q == nq || dup ||
			    (qs[q].ticket_type_id && qs[q].ticket_type_id != t->ticket_type_id)) {
				field_error_add(x->fe, field, "orders.field.answer_invalid");
				continue;
			}
			if (str_empty(ans->value))
				continue;
			bool ok = true;
			if (strcmp(qs[q].kind, "yesno") == 0)
				ok = strcmp(ans->value, "yes") == 0 || strcmp(ans->value, "no") == 0;
			else if (strcmp(qs[q].kind, "choice") == 0) {
				ok = false;
				for (int o = 0; o < qs[q].n_options; o++)
					ok = ok || strcmp(qs[q].options[o], ans->value) == 0;
			}
			if (!ok)
				field_error_add(x->fe, field, "orders.field.answer_invalid");
		}
		for (int q = 0; q < nq; q++) {
			if (!qs[q].required ||
			    (qs[q].ticket_type_id && qs[q].ticket_type_id != t->ticket_type_id))
				continue;
			bool answered = false;
			for (int j = 0; j < t->n_answers; j++)
				answered = answered || (t->answers[j].question_id == qs[q].id &&
							!str_empty(t->answers[j].value));
			if (!answered)
				field_error_add(x->fe, field_of(a, i, arena_printf(a, "q%lld",
								(long long)qs[q].id)),
						"orders.field.required");
		}
	}
	if (x->fe->n > x->fe_base)
		return fail(x, KQ_ERR_FORM_INVALID);

	/* 7. Prices, in integer cents; then how it will be paid. */
	int64_t *list = arena_alloc(a, sizeof(int64_t) * (size_t)n);
	int64_t *off = arena_alloc(a, sizeof(int64_t) * (size_t)n);
	int64_t total = 0;
	for (int i = 0; i < n; i++) {
		const struct co_type *ty = &types[ti[i]];
		list[i] = ty->price;
		off[i] = has_voucher && ty->voucher_applies ? tickets_voucher_discount(&v, ty->price) : 0;
		total += list[i] - off[i];
	}
	const char *provider = NULL;
	if (total > 0) {
		provider = in->provider;
		bool offered = in->box_office ? true : tickets_shop_offers(&shop, provider);
		if (!provider || !offered || !payments_provider_enabled(provider)) {
			field_error_add(x->fe, "provider", "err.payments.provider_unavailable");
			return fail(x, KQ_ERR_PAYMENT_PROVIDER_UNAVAILABLE);
		}
	}

	/* 8. A waiting-list offer: its held seats are handed over to this order. */
	int64_t offer_id = 0, offer_type = 0, offer_date = 0, offer_qty = 0;
	if (in->waitlist_token && *in->waitlist_token) {
		st = db_stmt(db, &SQL_CO_OFFER_USE);
		db_bind_text(st, 1, in->waitlist_token);
		db_bind_i64(st, 2, in->event_id);
		db_bind_i64(st, 3, x->now);
		s = faults_step(st);
		if (s == DB_ROW) {
			offer_id = db_col_i64(st, 0);
			offer_type = db_col_i64(st, 1);
			offer_date = db_col_i64(st, 2);
			offer_qty = db_col_i64(st, 3);
		}
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE)
			return fail(x, KQ_ERR_WAITLIST_OFFER_INVALID);
		struct seat_needs held = { 0 };
		int nq2;
		if ((s = tickets_seats_add(db, a, &held, offer_type, offer_date, offer_qty, &nq2)) < 0)
			return s;
		if ((s = tickets_seats_free(db, &held)) < 0)
			return s;
	}

	/* 9. INVARIANT(quota): take every seat in one go, or none. Freed seats
	 * go to the waiting list first: a pair with people waiting is sold out
	 * to everybody else. */
	struct seat_needs needs = { 0 };
	for (int k = 0; k < ntypes; k++) {
		for (int d = 0; d < ndates; d++) {
			int count = 0;
			for (int i = 0; i < n; i++)
				count += ti[i] == k && di[i] == d;
			if (!count)
				continue;
			int64_t beyond = count;
			if (types[k].id == offer_type && dates[d].id == offer_date)
				beyond = count - offer_qty;
			if (beyond > 0) {
				bool queue;
				s = waitlist_anyone_waiting(db, types[k].id, dates[d].id, &queue);
				if (s < 0)
					return s;
				if (queue)
					return fail(x, KQ_ERR_TICKETS_SOLD_OUT);
			}
			int nq2;
			s = tickets_seats_add(db, a, &needs, types[k].id, dates[d].id, count, &nq2);
			if (s < 0)
				return s;
			if (nq2 == 0)
				return fail(x, KQ_ERR_TICKETS_NOT_ON_SALE);
		}
	}
	bool seats_ok;
	if ((s = tickets_seats_take(db, &needs, &seats_ok)) < 0)
		return s;
	if (!seats_ok)
		return fail(x, KQ_ERR_TICKETS_SOLD_OUT);
	if (has_voucher) {
		st = db_stmt(db, &SQL_VOUCHER_TAKE);
		db_bind_i64(st, 1, v.id);
		db_bind_i64(st, 2, voucher_uses);
		s = faults_step(st);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE) {
			field_error_add(x->fe, "voucher", "err.vouchers.used_up");
			return fail(x, KQ_ERR_VOUCHER_USED_UP);
		}
	}

	/* 10. The order and its tickets. */
	char code[ORDER_CODE_LEN + 1], secret[TOKEN_HEX_LEN + 1];
	crypto_random_alnum(code, ORDER_CODE_LEN);
	str_upper_ascii_in_place(code);
	crypto_token(secret);
	bool box_paid = in->box_office && provider && strcmp(provider, "onsite") == 0;
	bool free_order = total == 0;
	st = db_stmt(db, &SQL_ORDER_INSERT);
	db_bind_text(st, 1, code);
	db_bind_text(st, 2, secret);
	db_bind_i64(st, 3, in->event_id);
	db_bind_i64(st, 4, ev.org_id);
	/* A sale at the desk is not the seller's own order ("my tickets"). */
	db_bind_i64_or_null(st, 5, x->who && !in->box_office ? x->who->account_id : 0);
	db_bind_text(st, 6, x->buyer_name);
	db_bind_text(st, 7, x->buyer_email);
	db_bind_text(st, 8, x->lang);
	db_bind_text(st, 9, free_order ? "paid" : "pending");
	db_bind_i64(st, 10, total);
	db_bind_text(st, 11, shop.currency);
	db_bind_text(st, 12, provider);
	db_bind_i64_or_null(st, 13, has_voucher ? v.id : 0);
	db_bind_i64(st, 14, voucher_uses);
	db_bind_i64_or_null(st, 15, in->box_office && x->who ? x->who->account_id : 0);
	db_bind_i64_or_null(st, 16, free_order ? 0 : x->now + x->hold);
	db_bind_i64(st, 17, x->now);
	db_bind_i64_or_null(st, 18, free_order ? x->now : 0);
	s = faults_step(st);
	x->order_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? unique_soft(db, s) : DB_HARD;
	for (int i = 0; i < n; i++) {
		const struct checkout_ticket *t = &in->tickets[i];
		char tcode[TICKET_CODE_LEN + 1];
		crypto_random_alnum(tcode, TICKET_CODE_LEN);
		str_upper_ascii_in_place(tcode);
		st = db_stmt(db, &SQL_TICKET_INSERT);
		db_bind_i64(st, 1, x->order_id);
		db_bind_i64(st, 2, t->ticket_type_id);
		db_bind_i64(st, 3, t->event_date_id);
		db_bind_text(st, 4, tcode);
		db_bind_text(st, 5, names_off || !t->attendee_name ? "" : str_trim(a, t->attendee_name));
		db_bind_i64(st, 6, list[i]);
		db_bind_i64(st, 7, off[i]);
		db_bind_i64(st, 8, list[i] - off[i]);
		s = faults_step(st);
		int64_t tid = s == DB_ROW ? db_col_i64(st, 0) : 0;
		db_reset(st);
		if (s != DB_ROW)
			return s < 0 ? unique_soft(db, s) : DB_HARD;
		for (int j = 0; j < t->n_answers; j++) {
			if (str_empty(t->answers[j].value))
				continue;
			st = db_stmt(db, &SQL_ANSWER_INSERT);
			db_bind_i64(st, 1, tid);
			db_bind_i64(st, 2, t->answers[j].question_id);
			db_bind_text(st, 3, t->answers[j].value);
			if ((s = faults_run(st)) < 0)
				return s;
		}
	}
	st = db_stmt(db, &SQL_IDEM_SET);
	db_bind_text(st, 1, in->idempotency_key);
	db_bind_i64(st, 2, x->order_id);
	if ((s = faults_run(st)) < 0)
		return s;
	if (offer_id) {
		st = db_stmt(db, &SQL_CO_OFFER_ORDER);
		db_bind_i64(st, 1, offer_id);
		db_bind_i64(st, 2, x->order_id);
		if ((s = faults_run(st)) < 0)
			return s;
	}

	/* 11. Money: a payment to start after commit, or taken now at the desk. */
	if (!free_order) {
		char key[TOKEN_HEX_LEN + 1];
		crypto_token(key);
		st = db_stmt(db, &SQL_PAYMENT_INSERT);
		db_bind_i64(st, 1, x->order_id);
		db_bind_i64(st, 2, ev.org_id);
		db_bind_text(st, 3, provider);
		db_bind_i64(st, 4, total);
		db_bind_text(st, 5, shop.currency);
		db_bind_text(st, 6, key);
		db_bind_i64(st, 7, x->now);
		s = faults_step(st);
		x->payment_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
		db_reset(st);
		if (s != DB_ROW)
			return s < 0 ? unique_soft(db, s) : DB_HARD;
		if (box_paid) {
			struct capture_result cr;
			s = payments_capture(db, x->payment_id, total, shop.currency, NULL, a, &cr);
			if (s < 0)
				return s;
			x->paid_now = true;
		}
		return DB_NONE;
	}
	x->paid_now = true;
	return order_mail(db, a, x->order_id, "confirmed");
}

/* ---- checkout: the provider, outside the transaction ------------------------------------------- */

static const struct db_sql SQL_START_LOAD = { "orders_start_load",
	"SELECT p.id, p.provider, p.status, p.idempotency_key, p.amount_cents, p.currency,"
	" o.code, o.secret, o.buyer_email, COALESCE(o.hold_until, 0), o.status, e.title, o.lang,"
	" COALESCE((SELECT MAX(d.ends_at) FROM tickets t JOIN event_dates d"
	"   ON d.id = t.event_date_id WHERE t.order_id = o.id), 0)"
	" FROM payments p JOIN orders o ON o.id = p.order_id JOIN events e ON e.id = o.event_id"
	" WHERE p.order_id = $1 ORDER BY p.id DESC LIMIT 1" };
static const struct db_sql SQL_PAYMENT_STARTED = { "orders_payment_started",
	"UPDATE payments SET status = 'started', provider_ref = $2, redirect_url = $3,"
	" updated_at = $4 WHERE id = $1 AND status = 'created' RETURNING id" };
static const struct db_sql SQL_ORDER_HOLD = { "orders_hold",
	"UPDATE orders SET hold_until = $2 WHERE id = $1 AND status = 'pending'" };
static const struct db_sql SQL_PAYMENT_FAILED = { "orders_payment_failed",
	"UPDATE payments SET status = 'failed', updated_at = $2 WHERE id = $1 AND status = 'created'" };
static const struct db_sql SQL_IDEM_FORGET = { "orders_idem_forget",
	"DELETE FROM idempotency_keys WHERE scope = 'checkout' AND order_id = $1" };
static const struct db_sql SQL_ORDER_CANCEL_PENDING = { "orders_cancel_pending",
	"UPDATE orders SET status = 'cancelled', cancelled_at = $2, hold_until = NULL"
	" WHERE id = $1 AND status = 'pending' RETURNING id" };

struct start_record {
	int64_t order_id, payment_id;
	const char *provider;
	const struct payment_start_out *out;
	struct arena *a;
};

static enum db_status start_record_txn(struct db *db, void *cls)
{
	struct start_record *x = cls;
	struct db_stmt *st = db_stmt(db, &SQL_PAYMENT_STARTED);
	db_bind_i64(st, 1, x->payment_id);
	db_bind_text(st, 2, x->out->provider_ref);
	db_bind_text(st, 3, x->out->redirect_url);
	db_bind_i64(st, 4, time_now());
	enum db_status s = faults_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE)
		return DB_NONE;   /* a concurrent retry recorded it, or it is paid */
	if (x->out->hold_until) {
		st = db_stmt(db, &SQL_ORDER_HOLD);
		db_bind_i64(st, 1, x->order_id);
		db_bind_i64(st, 2, x->out->hold_until);
		if ((s = faults_run(st)) < 0)
			return s;
	}
	if (strcmp(x->provider, "transfer") == 0)
		return order_mail(db, x->a, x->order_id, "pending_transfer");
	if (strcmp(x->provider, "onsite") == 0)
		return order_mail(db, x->a, x->order_id, "pending_onsite");
	return DB_NONE;
}

struct start_failed {
	int64_t order_id, payment_id;
	struct arena *a;
};

/* The buyer never saw the provider's page, so nothing can be paid: the
 * order goes, with its seats, and the key is forgotten so that trying
 * again makes a new order. */
static enum db_status start_failed_txn(struct db *db, void *cls)
{
	struct start_failed *x = cls;
	struct db_stmt *st = db_stmt(db, &SQL_ORDER_CANCEL_PENDING);
	db_bind_i64(st, 1, x->order_id);
	db_bind_i64(st, 2, time_now());
	enum db_status s = faults_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_ROW && (s = release_order(db, x->a, x->order_id)) < 0)
		return s;
	st = db_stmt(db, &SQL_PAYMENT_FAILED);
	db_bind_i64(st, 1, x->payment_id);
	db_bind_i64(st, 2, time_now());
	if ((s = faults_run(st)) < 0)
		return s;
	st = db_stmt(db, &SQL_IDEM_FORGET);
	db_bind_i64(st, 1, x->order_id);
	return faults_run(st);
}

/* Steps 2 and 3 of checkout for order_id, when its payment is still
 * 'created'; nothing otherwise. */
static enum kq_err start_payment(struct db *db, struct arena *a, int64_t order_id)
{
	struct db_stmt *st = db_stmt(db, &SQL_START_LOAD);
	db_bind_i64(st, 1, order_id);
	enum db_status s = db_step(st);
	if (s != DB_ROW) {
		db_reset(st);
		return s == DB_NONE ? KQ_OK : KQ_ERR_INTERNAL;   /* free order: nothing to pay */
	}
	struct payment_start_in in = { 0 };
	in.payment_id = db_col_i64(st, 0);
	const char *provider = db_col_str(st, 1, a);
	const char *pstatus = db_col_str(st, 2, a);
	in.idempotency_key = db_col_str(st, 3, a);
	in.amount_cents = db_col_i64(st, 4);
	in.currency = db_col_str(st, 5, a);
	in.reference = db_col_str(st, 6, a);
	const char *secret = db_col_str(st, 7, a);
	in.buyer_email = db_col_str(st, 8, a);
	in.hold_until = db_col_i64(st, 9);
	const char *ostatus = db_col_str(st, 10, a);
	const char *title = db_col_str(st, 11, a);
	const char *lang = i18n_lang_or_fr(db_col_text(st, 12));
	in.last_date_end = db_col_i64(st, 13);
	db_reset(st);
	if (strcmp(pstatus, "created") != 0 || strcmp(ostatus, "pending") != 0)
		return KQ_OK;
	in.now = time_now();
	in.return_url = order_link(a, secret);
	in.description = arena_printf(a, "%s %s (%s)", i18n_get(lang, "orders.payment_label"), title,
				      in.reference);
	const struct payment_provider *p = payments_provider(provider);
	struct payment_start_out out = { 0 };
	enum kq_err e = p && p->is_enabled() ? p->start(&in, a, &out) : KQ_ERR_PAYMENT_FAILED;
	if (e != KQ_OK) {
		struct start_failed f = { order_id, in.payment_id, a };
		if (db_txn_run(db, "orders_start_failed", DB_WRITE, start_failed_txn, &f) < 0)
			return KQ_ERR_INTERNAL;
		return KQ_ERR_PAYMENT_FAILED;
	}
	struct start_record r = { order_id, in.payment_id, provider, &out, a };
	if (db_txn_run(db, "orders_start_record", DB_WRITE, start_record_txn, &r) < 0)
		return KQ_ERR_INTERNAL;
	return KQ_OK;
}

static enum kq_err load_order(struct db *db, struct arena *a, int64_t id, const char *secret,
			      struct order *out);

enum kq_err orders_checkout(struct db *db, const struct actor *who,
			    const struct checkout_request *in, struct arena *a,
			    struct field_errors *fe, struct order *out)
{
	memset(out, 0, sizeof(*out));
	struct co x = { 0 };
	x.who = who;
	x.in = in;
	x.a = a;
	x.fe = fe;
	check_shape(&x);
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	x.fe_base = fe->n;
	request_hash(&x);
	x.now = time_now();
	x.hold = (int64_t)payments_settings()->order_hold_minutes * 60;
	enum db_status s = db_txn_run(db, "orders_checkout", DB_WRITE, co_txn, &x);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	if (x.replay || (x.payment_id && !x.paid_now)) {
		enum kq_err e = start_payment(db, a, x.order_id);
		if (e != KQ_OK)
			return e;
	}
	return load_order(db, a, x.order_id, NULL, out);
}

/* ---- what a captured payment does to its order ------------------------------------------------- */

static const struct db_sql SQL_CAP_ORDER = { "orders_cap_order",
	"SELECT status, total_cents, currency FROM orders WHERE id = $1" };
static const struct db_sql SQL_CAP_PAID = { "orders_cap_paid",
	"UPDATE orders SET status = 'paid', paid_at = $2, hold_until = NULL"
	" WHERE id = $1 AND status = $3 RETURNING id" };
static const struct db_sql SQL_CAP_REFUNDED = { "orders_cap_refunded",
	"UPDATE orders SET status = 'refunded', refunded_at = $2, hold_until = NULL"
	" WHERE id = $1 AND status IN ('expired', 'cancelled') RETURNING id" };

static const struct db_sql SQL_ORDER_STILL_ON = { "orders_still_on",
	"SELECT COUNT(*) FROM orders o JOIN events e ON e.id = o.event_id"
	" JOIN tickets t ON t.order_id = o.id JOIN event_dates d ON d.id = t.event_date_id"
	" WHERE o.id = $1 AND (e.status NOT IN ('published', 'postponed') OR d.cancelled <> 0"
	" OR d.ends_at <= $2)" };

/* The order's event is still on and none of its dates is cancelled or over. */
static enum db_status order_still_on(struct db *db, int64_t order_id, bool *out)
{
	struct db_stmt *st = db_stmt(db, &SQL_ORDER_STILL_ON);
	db_bind_i64(st, 1, order_id);
	db_bind_i64(st, 2, time_now());
	enum db_status s = faults_step(st);
	*out = s == DB_ROW && db_col_i64(st, 0) == 0;
	db_reset(st);
	return s == DB_ROW ? DB_NONE : s < 0 ? s : DB_HARD;
}

static enum db_status order_captured(struct db *db, const struct payment_captured *p,
				     struct arena *a, const char **out_reason)
{
	*out_reason = NULL;
	for (int attempt = 0; attempt < 3; attempt++) {
		struct db_stmt *st = db_stmt(db, &SQL_CAP_ORDER);
		db_bind_i64(st, 1, p->order_id);
		enum db_status s = faults_step(st);
		char status[16] = "", currency[8] = "";
		int64_t total = 0;
		if (s == DB_ROW) {
			snprintf(status, sizeof(status), "%s", db_col_text(st, 0));
			total = db_col_i64(st, 1);
			snprintf(currency, sizeof(currency), "%s", db_col_text(st, 2));
		}
		db_reset(st);
		if (s != DB_ROW)
			return s < 0 ? s : DB_HARD;
		if (p->amount_cents != total || p->amount_cents != p->expected_cents ||
		    strcasecmp(p->currency, currency) != 0) {
			/* Never sell for another amount than the order's: keep the
			 * order as it is and send the money back. */
			log_warn("orders: payment %lld of order %lld: %lld %s received, %lld %s due",
				 (long long)p->payment_id, (long long)p->order_id,
				 (long long)p->amount_cents, p->currency, (long long)total, currency);
			*out_reason = "amount_mismatch";
			return DB_NONE;
		}
		if (strcmp(status, "paid") == 0 || strcmp(status, "refunded") == 0) {
			*out_reason = "duplicate_payment";
			return DB_NONE;
		}
		if (strcmp(status, "expired") == 0) {
			/* A late payment: the seats may have been sold meanwhile, or
			 * the event cancelled or over. */
			bool ok = false, live;
			if ((s = order_still_on(db, p->order_id, &live)) < 0)
				return s;
			if (live && (s = retake_order(db, a, p->order_id, &ok)) < 0)
				return s;
			if (!ok) {
				*out_reason = "late_payment";
				st = db_stmt(db, &SQL_CAP_REFUNDED);
				db_bind_i64(st, 1, p->order_id);
				db_bind_i64(st, 2, time_now());
				s = faults_step(st);
				db_reset(st);
				if (s < 0)
					return s;
				return order_mail(db, a, p->order_id, "late_refund");
			}
		} else if (strcmp(status, "cancelled") == 0) {
			*out_reason = "late_payment";
			st = db_stmt(db, &SQL_CAP_REFUNDED);
			db_bind_i64(st, 1, p->order_id);
			db_bind_i64(st, 2, time_now());
			s = faults_step(st);
			db_reset(st);
			if (s < 0)
				return s;
			return order_mail(db, a, p->order_id, "late_refund");
		}
		st = db_stmt(db, &SQL_CAP_PAID);
		db_bind_i64(st, 1, p->order_id);
		db_bind_i64(st, 2, time_now());
		db_bind_text(st, 3, status);
		s = faults_step(st);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_ROW)
			return order_mail(db, a, p->order_id, "confirmed");
		if (strcmp(status, "expired") == 0) {
			/* Cannot happen under the locks held, but never keep seats
			 * taken for an order that did not become paid. */
			struct seat_needs needs;
			if ((s = order_needs(db, a, p->order_id, &needs)) < 0)
				return s;
			if ((s = tickets_seats_free(db, &needs)) < 0)
				return s;
		}
		/* The state changed under us (PostgreSQL, another transaction
		 * committed first): read it again. */
	}
	return DB_SOFT;
}

const struct payment_purpose orders_purpose = {
	.name = "order",
	.captured = order_captured,
};

/* ---- reading orders ---------------------------------------------------------------------------- */

#define ORDER_COLS                                                                              \
	"o.id, o.code, o.secret, o.event_id, o.org_id, COALESCE(o.account_id, 0), e.title, e.slug," \
	" o.buyer_name, o.buyer_email, o.lang, o.status, o.total_cents, o.currency,"              \
	" COALESCE(o.provider, ''), COALESCE(o.hold_until, 0), o.created_at, COALESCE(o.paid_at, 0)," \
	" COALESCE(o.cancelled_at, 0), COALESCE(o.expired_at, 0), COALESCE(o.refunded_at, 0)"

static const struct db_sql SQL_ORDER_BY_ID = { "orders_by_id",
	"SELECT " ORDER_COLS " FROM orders o JOIN events e ON e.id = o.event_id WHERE o.id = $1" };
static const struct db_sql SQL_ORDER_BY_SECRET = { "orders_by_secret",
	"SELECT " ORDER_COLS " FROM orders o JOIN events e ON e.id = o.event_id WHERE o.secret = $1" };
static const struct db_sql SQL_ORDER_PAYMENT = { "orders_payment",
	"SELECT status, COALESCE(provider_ref, ''), COALESCE(redirect_url, '') FROM payments"
	" WHERE order_id = $1 ORDER BY id DESC LIMIT 1" };
static const struct db_sql SQL_ORDER_REFUND = { "orders_refund",
	"SELECT status FROM refunds WHERE order_id = $1 ORDER BY id DESC LIMIT 1" };
static const struct db_sql SQL_ORDER_TICKETS = { "orders_tickets",
	"SELECT t.id, t.ticket_type_id, t.event_date_id, tt.name, t.code, t.attendee_name,"
	" t.list_price_cents, t.discount_cents, t.price_cents, d.starts_at, d.ends_at,"
	" COALESCE(t.checked_in_at, 0) FROM tickets t JOIN ticket_types tt ON tt.id = t.ticket_type_id"
	" JOIN event_dates d ON d.id = t.event_date_id WHERE t.order_id = $1 ORDER BY t.id" };
static const struct db_sql SQL_ORDER_ANSWERS = { "orders_answers",
	"SELECT a.ticket_id, a.question_id, q.label, a.answer FROM ticket_answers a"
	" JOIN ticket_questions q ON q.id = a.question_id JOIN tickets t ON t.id = a.ticket_id"
	" WHERE t.order_id = $1 ORDER BY a.ticket_id, q.position, q.id" };
static const struct db_sql SQL_ORDER_SHOP_CANCEL = { "orders_shop_cancel",
	"SELECT buyer_can_cancel, cancel_deadline FROM ticket_shops WHERE event_id = $1" };
static const struct db_sql SQL_ORDER_FIRST_START = { "orders_first_start",
	"SELECT COALESCE(MIN(d.starts_at), 0) FROM tickets t JOIN event_dates d"
	" ON d.id = t.event_date_id WHERE t.order_id = $1" };

static void read_order(struct db_stmt *st, struct arena *a, struct order *o)
{
	o->id = db_col_i64(st, 0);
	o->code = db_col_str(st, 1, a);
	o->secret = db_col_str(st, 2, a);
	o->event_id = db_col_i64(st, 3);
	o->org_id = db_col_i64(st, 4);
	o->account_id = db_col_i64(st, 5);
	o->event_title = db_col_str(st, 6, a);
	o->event_slug = db_col_str(st, 7, a);
	o->buyer_name = db_col_str(st, 8, a);
	o->buyer_email = db_col_str(st, 9, a);
	o->lang = db_col_str(st, 10, a);
	o->status = db_col_str(st, 11, a);
	o->total_cents = db_col_i64(st, 12);
	o->currency = db_col_str(st, 13, a);
	o->provider = db_col_str(st, 14, a);
	o->hold_until = db_col_i64(st, 15);
	o->created_at = db_col_i64(st, 16);
	o->paid_at = db_col_i64(st, 17);
	o->cancelled_at = db_col_i64(st, 18);
	o->expired_at = db_col_i64(st, 19);
	o->refunded_at = db_col_i64(st, 20);
	o->payment_status = "";
	o->payment_reference = "";
	o->redirect_url = "";
	o->refund_status = "";
}

/* May the buyer cancel o now? [out] *out. */
static enum db_status buyer_may_cancel(struct db *db, const struct order *o, int64_t now, bool *out)
{
	*out = false;
	if (strcmp(o->status, "pending") != 0 && strcmp(o->status, "paid") != 0)
		return DB_NONE;
	struct db_stmt *st = db_stmt(db, &SQL_ORDER_SHOP_CANCEL);
	db_bind_i64(st, 1, o->event_id);
	enum db_status s = faults_step(st);
	bool allowed = s == DB_ROW && db_col_i64(st, 0) != 0;
	int64_t deadline = s == DB_ROW ? db_col_i64(st, 1) : 0;
	db_reset(st);
	if (s < 0 || !allowed)
		return s < 0 ? s : DB_NONE;
	st = db_stmt(db, &SQL_ORDER_FIRST_START);
	db_bind_i64(st, 1, o->id);
	s = faults_step(st);
	int64_t first = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return s;
	*out = first && now < first - deadline;
	return DB_NONE;
}

static enum kq_err load_order(struct db *db, struct arena *a, int64_t id, const char *secret,
			      struct order *out)
{
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, secret ? &SQL_ORDER_BY_SECRET : &SQL_ORDER_BY_ID);
	if (secret)
		db_bind_text(st, 1, secret);
	else
		db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_order(st, a, out);
	db_reset(st);
	if (s != DB_ROW)
		return s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
	st = db_stmt(db, &SQL_ORDER_PAYMENT);
	db_bind_i64(st, 1, out->id);
	s = db_step(st);
	if (s == DB_ROW) {
		out->payment_status = db_col_str(st, 0, a);
		out->payment_reference = db_col_str(st, 1, a);
		if (strcmp(out->status, "pending") == 0 && strcmp(out->payment_status, "started") == 0)
			out->redirect_url = db_col_str(st, 2, a);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	st = db_stmt(db, &SQL_ORDER_REFUND);
	db_bind_i64(st, 1, out->id);
	s = db_step(st);
	if (s == DB_ROW)
		out->refund_status = db_col_str(st, 0, a);
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;

	int cap = 4, n = 0;
	struct order_ticket *t = arena_alloc(a, sizeof(*t) * (size_t)cap);
	st = db_stmt(db, &SQL_ORDER_TICKETS);
	db_bind_i64(st, 1, out->id);
	while ((s = db_step(st)) == DB_ROW) {
		t = arena_grow(a, t, n, &cap, sizeof(*t));
		struct order_ticket *k = &t[n++];
		k->id = db_col_i64(st, 0);
		k->ticket_type_id = db_col_i64(st, 1);
		k->event_date_id = db_col_i64(st, 2);
		k->type_name = db_col_str(st, 3, a);
		k->code = db_col_str(st, 4, a);
		k->attendee_name = db_col_str(st, 5, a);
		k->list_price_cents = db_col_i64(st, 6);
		k->discount_cents = db_col_i64(st, 7);
		k->price_cents = db_col_i64(st, 8);
		k->date_starts_at = db_col_i64(st, 9);
		k->date_ends_at = db_col_i64(st, 10);
		k->checked_in_at = db_col_i64(st, 11);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	out->tickets = t;
	out->n_tickets = n;
	st = db_stmt(db, &SQL_ORDER_ANSWERS);
	db_bind_i64(st, 1, out->id);
	while ((s = db_step(st)) == DB_ROW) {
		int64_t tid = db_col_i64(st, 0);
		for (int i = 0; i < n; i++) {
			if (t[i].id != tid)
				continue;
			if (!t[i].answers)
				t[i].answers = arena_alloc(a, sizeof(*t[i].answers) * 64);
			if (t[i].n_answers < 64) {
				struct order_answer *an = &t[i].answers[t[i].n_answers++];
				an->question_id = db_col_i64(st, 1);
				an->label = db_col_str(st, 2, a);
				an->value = db_col_str(st, 3, a);
			}
		}
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (buyer_may_cancel(db, out, time_now(), &out->can_buyer_cancel) < 0)
		return KQ_ERR_INTERNAL;
	return KQ_OK;
}

enum kq_err orders_get_by_secret(struct db *db, struct arena *a, const char *secret,
				 struct order *out)
{
	memset(out, 0, sizeof(*out));
	if (!secret || strlen(secret) != TOKEN_HEX_LEN)
		return KQ_ERR_NOT_FOUND;
	return load_order(db, a, 0, secret, out);
}

/* The box office or the treasurer of the order's organisation. */
static enum kq_err authorize_staff(struct db *db, const struct actor *who, int64_t org_id)
{
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_BOX_OFFICE);
	if (e == KQ_ERR_FORBIDDEN)
		e = orgs_authorize(db, who, org_id, ORG_ACT_MONEY);
	return e;
}

enum kq_err orders_get(struct db *db, const struct actor *who, int64_t order_id, struct arena *a,
		       struct order *out)
{
	memset(out, 0, sizeof(*out));
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	enum kq_err e = load_order(db, a, order_id, NULL, out);
	if (e != KQ_OK)
		return e;
	if (out->account_id == who->account_id)
		return KQ_OK;
	e = authorize_staff(db, who, out->org_id);
	if (e != KQ_OK)
		memset(out, 0, sizeof(*out));
	return e == KQ_ERR_NOT_FOUND ? KQ_ERR_FORBIDDEN : e;
}

static const struct db_sql SQL_ORDERS_LIST = { "orders_list",
	"SELECT " ORDER_COLS " FROM orders o JOIN events e ON e.id = o.event_id"
	" WHERE o.event_id = $1 AND (CAST($2 AS TEXT) = '' OR o.status = CAST($2 AS TEXT))"
	" AND (CAST($5 AS TEXT) = '' OR lower(o.buyer_name) LIKE $5 ESCAPE '!'"
	"   OR lower(o.buyer_email) LIKE $5 ESCAPE '!' OR lower(o.code) LIKE $5 ESCAPE '!')"
	" ORDER BY o.id DESC LIMIT $3 OFFSET $4" };
static const struct db_sql SQL_ORDERS_COUNT = { "orders_count",
	"SELECT COUNT(*) FROM orders o WHERE o.event_id = $1"
	" AND (CAST($2 AS TEXT) = '' OR o.status = CAST($2 AS TEXT))"
	" AND (CAST($3 AS TEXT) = '' OR lower(o.buyer_name) LIKE $3 ESCAPE '!'"
	"   OR lower(o.buyer_email) LIKE $3 ESCAPE '!' OR lower(o.code) LIKE $3 ESCAPE '!')" };
static const struct db_sql SQL_ORDERS_OF_ACCOUNT = { "orders_of_account",
	"SELECT " ORDER_COLS " FROM orders o JOIN events e ON e.id = o.event_id"
	" WHERE o.account_id = $1 ORDER BY o.id DESC LIMIT 200" };

static enum kq_err list_orders(struct db_stmt *st, struct arena *a, int limit, struct order **out,
			       int *out_n)
{
	int cap = 8, n = 0;
	struct order *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	enum db_status s;
	while (n < limit && (s = db_step(st)) == DB_ROW) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		read_order(st, a, &v[n++]);
	}
	db_reset(st);
	if (n < limit && s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

/* "%<q lower-cased>%" with LIKE's wildcards escaped by '!'; "" for no search. */
static const char *like_pattern(struct arena *a, const char *q)
{
	q = str_trim(a, q);
	if (!*q)
		return "";
	char *p = arena_alloc(a, strlen(q) * 2 + 3);
	char *w = p;
	*w++ = '%';
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '!')
			*w++ = '!';
		*w++ = (char)tolower((unsigned char)*q);
	}
	*w++ = '%';
	*w = 0;
	return p;
}

enum kq_err orders_list(struct db *db, const struct actor *who, int64_t event_id,
			const struct order_filter *f, struct arena *a, struct order **out,
			int *out_n, int64_t *out_total)
{
	*out = NULL;
	*out_n = 0;
	*out_total = 0;
	struct ticket_event ev;
	enum kq_err e = tickets_event_get(db, a, event_id, &ev);
	if (e != KQ_OK)
		return e;
	if ((e = authorize_staff(db, who, ev.org_id)) != KQ_OK)
		return e;
	int limit = f && f->limit > 0 ? f->limit : 50;
	if (limit > 200)
		limit = 200;
	int offset = f && f->offset > 0 ? f->offset : 0;
	const char *status = f && f->status ? f->status : "";
	const char *like = like_pattern(a, f ? f->q : NULL);
	struct db_stmt *st = db_stmt(db, &SQL_ORDERS_COUNT);
	db_bind_i64(st, 1, event_id);
	db_bind_text(st, 2, status);
	db_bind_text(st, 3, like);
	enum db_status s = db_step(st);
	*out_total = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW)
		return KQ_ERR_INTERNAL;
	st = db_stmt(db, &SQL_ORDERS_LIST);
	db_bind_i64(st, 1, event_id);
	db_bind_text(st, 2, status);
	db_bind_i64(st, 3, limit);
	db_bind_i64(st, 4, offset);
	db_bind_text(st, 5, like);
	e = list_orders(st, a, limit, out, out_n);
	if (e != KQ_OK)
		*out_total = 0;
	return e;
}

struct list_full {
	struct arena *a;
	struct order *list;
	int n;
	enum kq_err err;
};

static enum db_status list_full_txn(struct db *db, void *cls)
{
	struct list_full *x = cls;
	for (int i = 0; i < x->n && x->err == KQ_OK; i++) {
		struct order full;
		x->err = load_order(db, x->a, x->list[i].id, NULL, &full);
		if (x->err == KQ_OK)
			x->list[i] = full;
	}
	return DB_NONE;
}

enum kq_err orders_list_full(struct db *db, const struct actor *who, int64_t event_id,
			     const struct order_filter *f, struct arena *a, struct order **out,
			     int *out_n, int64_t *out_total)
{
	enum kq_err e = orders_list(db, who, event_id, f, a, out, out_n, out_total);
	if (e != KQ_OK || !*out_n)
		return e;
	/* orders_list checked the rights once for the whole page. */
	struct list_full x = { a, *out, *out_n, KQ_OK };
	if (db_read_run(db, "orders_list_full", list_full_txn, &x) < 0)
		return KQ_ERR_INTERNAL;
	return x.err;
}

enum kq_err orders_of_account(struct db *db, const struct actor *who, struct arena *a,
			      struct order **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct db_stmt *st = db_stmt(db, &SQL_ORDERS_OF_ACCOUNT);
	db_bind_i64(st, 1, who->account_id);
	return list_orders(st, a, 200, out, out_n);
}

static const struct db_sql SQL_ACCOUNT_TICKETS = { "orders_account_tickets",
	"SELECT o.event_id, t.event_date_id, e.title, e.slug, d.starts_at, d.ends_at, COUNT(*),"
	" o.secret, o.status FROM tickets t JOIN orders o ON o.id = t.order_id"
	" JOIN events e ON e.id = o.event_id JOIN event_dates d ON d.id = t.event_date_id"
	" WHERE o.account_id = $1 AND o.status IN ('pending', 'paid')"
	" AND d.starts_at >= $2 AND d.starts_at < $3"
	" GROUP BY o.id, o.event_id, t.event_date_id, e.title, e.slug, d.starts_at, d.ends_at,"
	" o.secret, o.status ORDER BY d.starts_at, o.id LIMIT 500" };

enum kq_err orders_account_tickets(struct db *db, int64_t account_id, int64_t from, int64_t to,
				   struct arena *a, struct account_ticket_date **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	int cap = 8, n = 0;
	struct account_ticket_date *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_ACCOUNT_TICKETS);
	db_bind_i64(st, 1, account_id);
	db_bind_i64(st, 2, from);
	db_bind_i64(st, 3, to);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		struct account_ticket_date *r = &v[n++];
		r->event_id = db_col_i64(st, 0);
		r->event_date_id = db_col_i64(st, 1);
		r->event_title = db_col_str(st, 2, a);
		r->event_slug = db_col_str(st, 3, a);
		r->starts_at = db_col_i64(st, 4);
		r->ends_at = db_col_i64(st, 5);
		r->n_tickets = (int)db_col_i64(st, 6);
		r->order_secret = db_col_str(st, 7, a);
		r->order_status = db_col_str(st, 8, a);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

static const struct db_sql SQL_ACCOUNT_DATE_IDS = { "orders_account_date_ids",
	"SELECT DISTINCT t.event_date_id FROM tickets t JOIN orders o ON o.id = t.order_id"
	" WHERE o.account_id = $1 AND o.status IN ('pending', 'paid')"
	" ORDER BY t.event_date_id LIMIT 1000" };
static const struct db_sql SQL_DATE_HAS_TICKETS = { "orders_date_has_tickets",
	"SELECT 1 FROM tickets WHERE event_date_id = $1 LIMIT 1" };

enum kq_err orders_account_date_ids(struct db *db, struct arena *a, int64_t account_id,
				    int64_t **out_ids, int *out_n)
{
	*out_ids = NULL;
	*out_n = 0;
	int cap = 16, n = 0;
	int64_t *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_ACCOUNT_DATE_IDS);
	db_bind_i64(st, 1, account_id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		v[n++] = db_col_i64(st, 0);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out_ids = v;
	*out_n = n;
	return KQ_OK;
}

bool orders_date_has_tickets(struct db *db, int64_t event_date_id)
{
	struct db_stmt *st = db_stmt(db, &SQL_DATE_HAS_TICKETS);
	db_bind_i64(st, 1, event_date_id);
	enum db_status s = db_step(st);
	db_reset(st);
	/* A failure says "has tickets": refusing a deletion is the safe side. */
	return s != DB_NONE;
}

/* ---- payment ------------------------------------------------------------------------------------ */

static const struct db_sql SQL_ORDER_ID_BY_SECRET = { "orders_id_by_secret",
	"SELECT id FROM orders WHERE secret = $1" };
static const struct db_sql SQL_LAST_PAYMENT = { "orders_last_payment",
	"SELECT p.id, p.provider, p.status, p.amount_cents, p.currency, o.org_id, o.status"
	" FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.order_id = $1"
	" ORDER BY p.id DESC LIMIT 1" };

static enum kq_err order_id_by_secret(struct db *db, const char *secret, int64_t *out)
{
	*out = 0;
	if (!secret || strlen(secret) != TOKEN_HEX_LEN)
		return KQ_ERR_NOT_FOUND;
	struct db_stmt *st = db_stmt(db, &SQL_ORDER_ID_BY_SECRET);
	db_bind_text(st, 1, secret);
	enum db_status s = db_step(st);
	*out = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

struct last_payment {
	int64_t id, amount, org_id;
	char provider[32], status[16], currency[8], order_status[16];
};

static enum db_status last_payment(struct db *db, int64_t order_id, struct last_payment *out)
{
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, &SQL_LAST_PAYMENT);
	db_bind_i64(st, 1, order_id);
	enum db_status s = faults_step(st);
	if (s == DB_ROW) {
		out->id = db_col_i64(st, 0);
		snprintf(out->provider, sizeof(out->provider), "%s", db_col_text(st, 1));
		snprintf(out->status, sizeof(out->status), "%s", db_col_text(st, 2));
		out->amount = db_col_i64(st, 3);
		snprintf(out->currency, sizeof(out->currency), "%s", db_col_text(st, 4));
		out->org_id = db_col_i64(st, 5);
		snprintf(out->order_status, sizeof(out->order_status), "%s", db_col_text(st, 6));
	}
	db_reset(st);
	return s;
}

enum kq_err orders_sync_payment(struct db *db, const char *secret, bool *out_paid)
{
	if (out_paid)
		*out_paid = false;
	int64_t order_id;
	enum kq_err e = order_id_by_secret(db, secret, &order_id);
	if (e != KQ_OK)
		return e;
	struct last_payment lp;
	enum db_status s = last_payment(db, order_id, &lp);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (s == DB_NONE)
		return KQ_OK;
	return payments_sync(db, lp.id, out_paid);
}

struct mark_paid {
	const struct actor *who;      /* NULL: the demo */
	int64_t order_id;
	struct arena *a;
	enum kq_err err;
	int64_t refund_id;
};

static enum db_status mark_paid_txn(struct db *db, void *cls)
{
	struct mark_paid *x = cls;
	struct last_payment lp;
	x->err = KQ_OK;
	x->refund_id = 0;
	enum db_status s = last_payment(db, x->order_id, &lp);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		/* No such order, or a free one: for staff, say which. */
		struct order o;
		x->err = load_order(db, x->a, x->order_id, NULL, &o) == KQ_OK ? KQ_ERR_ORDER_STATE
									       : KQ_ERR_NOT_FOUND;
		return DB_HARD;
	}
	if (x->who) {
		enum org_action act = strcmp(lp.provider, "transfer") == 0 ? ORG_ACT_MONEY
									   : ORG_ACT_BOX_OFFICE;
		x->err = orgs_authorize(db, x->who, lp.org_id, act);
		if (x->err == KQ_ERR_FORBIDDEN && act == ORG_ACT_BOX_OFFICE)
			x->err = orgs_authorize(db, x->who, lp.org_id, ORG_ACT_MONEY);
		if (x->err != KQ_OK)
			return DB_HARD;
		if (strcmp(lp.provider, "transfer") != 0 && strcmp(lp.provider, "onsite") != 0) {
			x->err = KQ_ERR_ORDER_STATE;   /* online payments confirm themselves */
			return DB_HARD;
		}
	} else if (strcmp(lp.provider, "demo") != 0 || !payments_provider_enabled("demo")) {
		x->err = KQ_ERR_PAYMENT_PROVIDER_UNAVAILABLE;
		return DB_HARD;
	}
	if (strcmp(lp.status, "captured") == 0) {
		x->err = KQ_ERR_ORDER_STATE;
		return DB_HARD;
	}
	struct capture_result cr;
	/* The demo's pretend money has a reference, so it refunds "online" too. */
	const char *ref = x->who ? NULL : arena_printf(x->a, "demo_pi_%lld", (long long)lp.id);
	s = payments_capture(db, lp.id, lp.amount, lp.currency, ref, x->a, &cr);
	if (s < 0)
		return s;
	if (cr.is_duplicate) {
		x->err = KQ_ERR_ORDER_STATE;
		return DB_HARD;
	}
	x->refund_id = cr.refund_id;
	return DB_NONE;
}

static enum kq_err mark_paid(struct db *db, const struct actor *who, int64_t order_id)
{
	struct arena *a = arena_new();
	struct mark_paid x = { who, order_id, a, KQ_OK, 0 };
	enum db_status s = db_txn_run(db, "orders_mark_paid", DB_WRITE, mark_paid_txn, &x);
	arena_free(a);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	if (x.refund_id)
		(void)payments_refunds_run(db, x.refund_id, 1, NULL);
	return KQ_OK;
}

enum kq_err orders_mark_paid(struct db *db, const struct actor *who, int64_t order_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	return mark_paid(db, who, order_id);
}

enum kq_err orders_demo_pay(struct db *db, const char *secret)
{
	if (!payments_provider_enabled("demo"))
		return KQ_ERR_PAYMENT_PROVIDER_UNAVAILABLE;
	int64_t order_id;
	enum kq_err e = order_id_by_secret(db, secret, &order_id);
	if (e != KQ_OK)
		return e;
	return mark_paid(db, NULL, order_id);
}

/* ---- cancellation and refunds ------------------------------------------------------------------ */

static const struct db_sql SQL_CANCEL_LOAD = { "orders_cancel_load",
	"SELECT org_id, status, total_cents, event_id FROM orders WHERE id = $1" };
static const struct db_sql SQL_TO_CANCELLED = { "orders_to_cancelled",
	"UPDATE orders SET status = 'cancelled', cancelled_at = $2, hold_until = NULL"
	" WHERE id = $1 AND status = $3 RETURNING id" };
static const struct db_sql SQL_TO_REFUNDED = { "orders_to_refunded",
	"UPDATE orders SET status = 'refunded', refunded_at = $2, cancelled_at = $2"
	" WHERE id = $1 AND status = 'paid' RETURNING id" };
static const struct db_sql SQL_CAPTURED = { "orders_captured",
	"SELECT id, amount_cents FROM payments WHERE order_id = $1 AND status = 'captured'"
	" ORDER BY id" };

#define CANCEL_REFUNDS_MAX 8

enum cancel_by { BY_STAFF, BY_BUYER, BY_SYSTEM };

struct cancel {
	const struct actor *who;
	enum cancel_by by;
	int64_t order_id;
	const char *reason;           /* refunds.reason */
	struct arena *a;
	enum kq_err err;
	bool changed;
	int64_t refunds[CANCEL_REFUNDS_MAX];
	int n_refunds;
};

static enum db_status cancel_txn(struct db *db, void *cls)
{
	struct cancel *x = cls;
	x->err = KQ_OK;
	x->changed = false;
	x->n_refunds = 0;
	struct db_stmt *st = db_stmt(db, &SQL_CANCEL_LOAD);
	db_bind_i64(st, 1, x->order_id);
	enum db_status s = faults_step(st);
	int64_t org_id = 0, total = 0;
	char status[16] = "";
	struct order o = { 0 };
	if (s == DB_ROW) {
		org_id = db_col_i64(st, 0);
		snprintf(status, sizeof(status), "%s", db_col_text(st, 1));
		total = db_col_i64(st, 2);
		o.event_id = db_col_i64(st, 3);
	}
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		x->err = KQ_ERR_NOT_FOUND;
		return DB_HARD;
	}
	bool pending = strcmp(status, "pending") == 0, paid = strcmp(status, "paid") == 0;
	if (x->by == BY_STAFF) {
		/* Money going back needs the treasurer; the rest, the box office. */
		x->err = paid ? orgs_authorize(db, x->who, org_id, ORG_ACT_MONEY)
			      : authorize_staff(db, x->who, org_id);
		if (x->err != KQ_OK)
			return DB_HARD;
	}
	if (!pending && !paid) {
		if (x->by == BY_SYSTEM)
			return DB_NONE;   /* cancelling an event skips what is over */
		x->err = KQ_ERR_ORDER_STATE;
		return DB_HARD;
	}
	if (x->by == BY_BUYER) {
		bool may;
		o.id = x->order_id;
		o.status = status;
		if ((s = buyer_may_cancel(db, &o, time_now(), &may)) < 0)
			return s;
		if (!may) {
			x->err = KQ_ERR_ORDER_NOT_CANCELLABLE;
			return DB_HARD;
		}
	}
	int64_t now = time_now();
	bool refund = paid && total > 0;
	st = db_stmt(db, refund ? &SQL_TO_REFUNDED : &SQL_TO_CANCELLED);
	db_bind_i64(st, 1, x->order_id);
	db_bind_i64(st, 2, now);
	if (!refund)
		db_bind_text(st, 3, status);
	s = faults_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE)
		return DB_SOFT;   /* it changed since it was read: read again */
	x->changed = true;
	/* The seats come back with the cancellation, not when the money does. */
	if ((s = release_order(db, x->a, x->order_id)) < 0)
		return s;
	if (refund) {
		int64_t pay[CANCEL_REFUNDS_MAX][2];
		int np = 0;
		st = db_stmt(db, &SQL_CAPTURED);
		db_bind_i64(st, 1, x->order_id);
		while ((s = faults_step(st)) == DB_ROW && np < CANCEL_REFUNDS_MAX) {
			pay[np][0] = db_col_i64(st, 0);
			pay[np][1] = db_col_i64(st, 1);
			np++;
		}
		db_reset(st);
		if (s < 0)
			return s;
		for (int i = 0; i < np; i++) {
			int64_t rid;
			if ((s = payments_refund_create(db, pay[i][0], pay[i][1], x->reason, &rid)) < 0)
				return s;
			if (rid)
				x->refunds[x->n_refunds++] = rid;
		}
	}
	return order_mail(db, x->a, x->order_id, refund ? "refunded" : "cancelled");
}

static enum kq_err run_cancel(struct db *db, struct cancel *x)
{
	enum db_status s = db_txn_run(db, "orders_cancel", DB_WRITE, cancel_txn, x);
	if (s < 0)
		return x->err != KQ_OK ? x->err : KQ_ERR_INTERNAL;
	for (int i = 0; i < x->n_refunds; i++)
		(void)payments_refunds_run(db, x->refunds[i], 1, NULL);
	return KQ_OK;
}

enum kq_err orders_cancel(struct db *db, const struct actor *who, int64_t order_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct cancel x = { .who = who, .by = BY_STAFF, .order_id = order_id, .reason = "cancelled",
			    .a = a };
	enum kq_err e = run_cancel(db, &x);
	arena_free(a);
	return e;
}

enum kq_err orders_cancel_by_buyer(struct db *db, const char *secret)
{
	int64_t order_id;
	enum kq_err e = order_id_by_secret(db, secret, &order_id);
	if (e != KQ_OK)
		return e;
	struct arena *a = arena_new();
	struct cancel x = { .by = BY_BUYER, .order_id = order_id, .reason = "buyer_cancelled",
			    .a = a };
	e = run_cancel(db, &x);
	arena_free(a);
	return e;
}

static const struct db_sql SQL_EVENT_LIVE_ORDERS = { "orders_event_live",
	"SELECT id FROM orders WHERE event_id = $1 AND status IN ('pending', 'paid') AND id > $2"
	" ORDER BY id LIMIT 100" };
enum kq_err orders_cancel_event(struct db *db, const struct actor *who, int64_t event_id,
				int *out_orders)
{
	if (out_orders)
		*out_orders = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct ticket_event ev;
	enum kq_err e = tickets_event_get(db, a, event_id, &ev);
	if (e == KQ_OK)
		e = orgs_authorize(db, who, ev.org_id, ORG_ACT_MONEY);
	int changed = 0;
	int64_t after = 0;
	while (e == KQ_OK) {
		int64_t ids[100];
		int n = 0;
		struct db_stmt *st = db_stmt(db, &SQL_EVENT_LIVE_ORDERS);
		db_bind_i64(st, 1, event_id);
		db_bind_i64(st, 2, after);
		enum db_status s;
		while ((s = db_step(st)) == DB_ROW && n < 100)
			ids[n++] = db_col_i64(st, 0);
		db_reset(st);
		if (s < 0) {
			e = KQ_ERR_INTERNAL;
			break;
		}
		if (!n)
			break;
		for (int i = 0; i < n && e == KQ_OK; i++) {
			struct cancel x = { .by = BY_SYSTEM, .order_id = ids[i],
					    .reason = "event_cancelled", .a = a };
			e = run_cancel(db, &x);
			changed += x.changed;
			after = ids[i];
		}
	}
	if (e == KQ_OK)
		e = waitlist_close_event(db, event_id);
	arena_free(a);
	if (e == KQ_OK)
		e = payments_refunds_run(db, 0, 1000, NULL);
	if (out_orders)
		*out_orders = changed;
	return e;
}

/* ---- expiry ------------------------------------------------------------------------------------- */

static const struct db_sql SQL_DUE = { "orders_due",
	"SELECT o.id, COALESCE(p.id, 0), COALESCE(p.provider, ''), COALESCE(p.status, '')"
	" FROM orders o LEFT JOIN payments p ON p.id ="
	"   (SELECT MAX(p2.id) FROM payments p2 WHERE p2.order_id = o.id)"
	" WHERE o.status = 'pending' AND o.hold_until < $1 ORDER BY o.hold_until, o.id LIMIT $2" };
static const struct db_sql SQL_EXPIRE = { "orders_expire",
	"UPDATE orders SET status = 'expired', expired_at = $2, hold_until = NULL"
	" WHERE id = $1 AND status = 'pending' AND hold_until < $2 RETURNING id" };

struct expire {
	int64_t order_id, now;
	struct arena *a;
	bool changed;
};

static enum db_status expire_txn(struct db *db, void *cls)
{
	struct expire *x = cls;
	x->changed = false;
	struct db_stmt *st = db_stmt(db, &SQL_EXPIRE);
	db_bind_i64(st, 1, x->order_id);
	db_bind_i64(st, 2, x->now);
	enum db_status s = faults_step(st);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;   /* paid or cancelled meanwhile */
	x->changed = true;
	if ((s = release_order(db, x->a, x->order_id)) < 0)
		return s;
	return order_mail(db, x->a, x->order_id, "expired");
}

enum kq_err orders_expire_due(struct db *db, int64_t now, int max, int *out_n)
{
	if (out_n)
		*out_n = 0;
	if (max <= 0)
		return KQ_OK;
	if (max > 500)
		max = 500;
	struct arena *a = arena_new();
	struct due { int64_t order_id, payment_id; char provider[32], status[16]; } *due;
	due = arena_alloc(a, sizeof(*due) * (size_t)max);
	int n = 0;
	struct db_stmt *st = db_stmt(db, &SQL_DUE);
	db_bind_i64(st, 1, now);
	db_bind_i64(st, 2, max);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW && n < max) {
		due[n].order_id = db_col_i64(st, 0);
		due[n].payment_id = db_col_i64(st, 1);
		snprintf(due[n].provider, sizeof(due[n].provider), "%s", db_col_text(st, 2));
		snprintf(due[n].status, sizeof(due[n].status), "%s", db_col_text(st, 3));
		n++;
	}
	db_reset(st);
	enum kq_err e = s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
	int expired = 0;
	for (int i = 0; i < n && e == KQ_OK; i++) {
		const struct payment_provider *p = payments_provider(due[i].provider);
		if (p && p->fetch && strcmp(due[i].status, "started") == 0) {
			/* Maybe paid, with the webhook late or lost: ask first. A
			 * provider that does not answer does not keep seats. */
			bool paid = false;
			if (payments_sync(db, due[i].payment_id, &paid) == KQ_OK && paid)
				continue;
		}
		struct expire x = { due[i].order_id, now, a, false };
		if (db_txn_run(db, "orders_expire", DB_WRITE, expire_txn, &x) < 0)
			e = KQ_ERR_INTERNAL;
		expired += x.changed;
	}
	arena_free(a);
	if (out_n)
		*out_n = expired;
	return e;
}

/* ---- the organiser's back office: resend, rename, history ------------------------------------- */

static const struct db_sql SQL_BO_LOAD = { "orders_bo_load",
	"SELECT org_id, status, buyer_email FROM orders WHERE id = $1" };
/* INVARIANT(resend-rate): one resend per order per ORDERS_RESEND_EVERY,
 * decided by this conditional UPDATE, so two clicks racing send one mail. */
static const struct db_sql SQL_RESEND_MARK = { "orders_resend_mark",
	"UPDATE orders SET tickets_resent_at = $2 WHERE id = $1 AND status = 'paid'"
	" AND (tickets_resent_at IS NULL OR tickets_resent_at <= $3) RETURNING id" };
static const struct db_sql SQL_RENAME_LOAD = { "orders_rename_load",
	"SELECT o.org_id, o.status FROM tickets t JOIN orders o ON o.id = t.order_id"
	" WHERE t.id = $1 AND t.order_id = $2 AND o.event_id = $3" };
static const struct db_sql SQL_RENAME = { "orders_rename",
	"UPDATE tickets SET attendee_name = $3 WHERE id = $1 AND order_id = $2"
	" AND EXISTS (SELECT 1 FROM orders o WHERE o.id = $2 AND o.status IN ('pending', 'paid'))"
	" RETURNING id" };
static const struct db_sql SQL_HISTORY_ORDER = { "orders_history_order",
	"SELECT org_id, created_at, COALESCE(paid_at, 0), COALESCE(expired_at, 0),"
	" COALESCE(cancelled_at, 0), COALESCE(refunded_at, 0), COALESCE(tickets_resent_at, 0),"
	" currency, COALESCE(provider, ''), status FROM orders WHERE id = $1" };
static const struct db_sql SQL_HISTORY_REFUNDS = { "orders_history_refunds",
	"SELECT r.status, r.amount_cents, r.currency, r.created_at, p.provider FROM refunds r"
	" JOIN payments p ON p.id = r.payment_id WHERE r.order_id = $1 ORDER BY r.id LIMIT 32" };

struct resend {
	const struct actor *who;
	int64_t order_id;
	struct arena *a;
	enum kq_err err;
};

static enum db_status resend_txn(struct db *db, void *cls)
{
	struct resend *x = cls;
	x->err = KQ_OK;
	struct db_stmt *st = db_stmt(db, &SQL_BO_LOAD);
	db_bind_i64(st, 1, x->order_id);
	enum db_status s = db_step(st);
	int64_t org_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	bool paid = s == DB_ROW && strcmp(db_col_text(st, 1), "paid") == 0;
	bool has_email = s == DB_ROW && *db_col_text(st, 2);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE)
		x->err = KQ_ERR_NOT_FOUND;
	else if ((x->err = authorize_staff(db, x->who, org_id)) != KQ_OK)
		;
	else if (!paid)
		x->err = KQ_ERR_ORDER_STATE;
	else if (!has_email)
		x->err = KQ_ERR_ORDERS_NO_EMAIL;
	if (x->err != KQ_OK)
		return DB_HARD;
	int64_t now = time_now();
	st = db_stmt(db, &SQL_RESEND_MARK);
	db_bind_i64(st, 1, x->order_id);
	db_bind_i64(st, 2, now);
	db_bind_i64(st, 3, now - ORDERS_RESEND_EVERY);
	s = db_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		x->err = KQ_ERR_ORDERS_RESEND_TOO_SOON;
		return DB_HARD;
	}
	return order_mail(db, x->a, x->order_id, "confirmed");
}

enum kq_err orders_resend(struct db *db, const struct actor *who, int64_t order_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct resend x = { who, order_id, a, KQ_OK };
	enum db_status s = db_txn_run(db, "orders_resend", DB_WRITE, resend_txn, &x);
	arena_free(a);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	return KQ_OK;
}

struct rename_ctx {
	const struct actor *who;
	int64_t event_id, order_id, ticket_id;
	const char *name;
	struct field_errors *fe;
	enum kq_err err;
};

static enum db_status rename_txn(struct db *db, void *cls)
{
	struct rename_ctx *x = cls;
	x->err = KQ_OK;
	struct db_stmt *st = db_stmt(db, &SQL_RENAME_LOAD);
	db_bind_i64(st, 1, x->ticket_id);
	db_bind_i64(st, 2, x->order_id);
	db_bind_i64(st, 3, x->event_id);
	enum db_status s = db_step(st);
	int64_t org_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	bool live = s == DB_ROW && (strcmp(db_col_text(st, 1), "paid") == 0 ||
				    strcmp(db_col_text(st, 1), "pending") == 0);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		x->err = KQ_ERR_NOT_FOUND;
		return DB_HARD;
	}
	/* The box office fixes names at the desk, from the order's page (which an
	 * editor, who writes the event's texts, does not see). */
	x->err = orgs_authorize(db, x->who, org_id, ORG_ACT_BOX_OFFICE);
	if (x->err == KQ_OK && !live)
		x->err = KQ_ERR_ORDER_STATE;
	if (x->err == KQ_OK && (str_empty(x->name) || !str_text_ok(x->name, ORDERS_NAME_MAX, false))) {
		field_error_add(x->fe, "attendee_name", "orders.field.name_invalid");
		x->err = KQ_ERR_FORM_INVALID;
	}
	if (x->err != KQ_OK)
		return DB_HARD;
	st = db_stmt(db, &SQL_RENAME);
	db_bind_i64(st, 1, x->ticket_id);
	db_bind_i64(st, 2, x->order_id);
	db_bind_text(st, 3, x->name);
	s = db_step(st);
	db_reset(st);
	if (s == DB_NONE) {
		x->err = KQ_ERR_ORDER_STATE;   /* cancelled since it was read */
		return DB_HARD;
	}
	return s < 0 ? s : DB_NONE;
}

enum kq_err orders_ticket_rename(struct db *db, const struct actor *who, int64_t event_id,
				 int64_t order_id, int64_t ticket_id, const char *name,
				 struct field_errors *fe)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct rename_ctx x = { who, event_id, order_id, ticket_id, str_trim(a, name), fe, KQ_OK };
	int base = fe->n;
	enum db_status s = db_txn_run(db, "orders_ticket_rename", DB_WRITE, rename_txn, &x);
	arena_free(a);
	if (s < 0) {
		if (x.err != KQ_ERR_FORM_INVALID)
			fe->n = base;
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}

static void history_add(struct order_event *v, int *n, int cap, int64_t at, const char *kind,
			int64_t amount, const char *currency, const char *provider)
{
	if (!at || *n >= cap)
		return;
	v[*n] = (struct order_event){ at, kind, amount, currency, provider };
	(*n)++;
}

enum kq_err orders_history(struct db *db, const struct actor *who, int64_t order_id,
			   struct arena *a, struct order_event **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct db_stmt *st = db_stmt(db, &SQL_HISTORY_ORDER);
	db_bind_i64(st, 1, order_id);
	enum db_status s = db_step(st);
	int64_t t[6] = { 0 }, org_id = 0;
	const char *currency = "", *provider = "", *status = "";
	if (s == DB_ROW) {
		org_id = db_col_i64(st, 0);
		for (int i = 0; i < 6; i++)
			t[i] = db_col_i64(st, 1 + i);
		currency = db_col_str(st, 7, a);
		provider = db_col_str(st, 8, a);
		status = db_col_str(st, 9, a);
	}
	db_reset(st);
	if (s != DB_ROW)
		return s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
	enum kq_err e = authorize_staff(db, who, org_id);
	if (e != KQ_OK)
		return e;
	bool money = orgs_authorize(db, who, org_id, ORG_ACT_MONEY) == KQ_OK;
	enum { CAP = 32 + 64 + 8 };
	struct order_event *v = arena_alloc(a, sizeof(*v) * CAP);
	int n = 0;
	history_add(v, &n, CAP, t[0], "created", 0, currency, provider);
	history_add(v, &n, CAP, t[1], "paid", 0, currency, provider);
	history_add(v, &n, CAP, t[2], "expired", 0, currency, provider);
	/* A refund sets both times: say it once, as refunded. */
	if (strcmp(status, "refunded") != 0 || t[3] != t[4])
		history_add(v, &n, CAP, t[3], "cancelled", 0, currency, provider);
	history_add(v, &n, CAP, t[4], "refunded", 0, currency, provider);
	history_add(v, &n, CAP, t[5], "resent", 0, currency, provider);
	st = db_stmt(db, &SQL_HISTORY_REFUNDS);
	db_bind_i64(st, 1, order_id);
	while ((s = db_step(st)) == DB_ROW)
		history_add(v, &n, CAP, db_col_i64(st, 3),
			    arena_printf(a, "refund_%s", db_col_text(st, 0)),
			    money ? db_col_i64(st, 1) : 0, db_col_str(st, 2, a), db_col_str(st, 4, a));
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (money) {
		struct ledger_entry *rows;
		int nr;
		if (ledger_of_order(db, order_id, a, &rows, &nr) < 0)
			return KQ_ERR_INTERNAL;
		for (int i = 0; i < nr; i++)
			history_add(v, &n, CAP, rows[i].created_at,
				    arena_printf(a, "ledger_%s", rows[i].kind), rows[i].amount_cents,
				    rows[i].currency, rows[i].provider);
	}
	/* Oldest first; a stable insertion sort keeps "created" before what
	 * happened in the same second. */
	for (int i = 1; i < n; i++) {
		struct order_event k = v[i];
		int j = i - 1;
		while (j >= 0 && v[j].at > k.at) {
			v[j + 1] = v[j];
			j--;
		}
		v[j + 1] = k;
	}
	*out = v;
	*out_n = n;
	return KQ_OK;
}
