/* waitlist.c: the waiting list of a sold-out ticket type: joining, offers of freed seats by mail, leaving.
 *
 * An offer holds its seats (tickets_seats_take) for the shop's offer time;
 * the checkout spends them through the offer's token (orders.c). */
#include "waitlist.h"
#include "faults.h"
#include "notify.h"
#include "orgs.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- waiting list ------------------------------------------------------------------------------ */

#define WAITLIST_COLS                                                                      \
	"id, event_id, event_date_id, ticket_type_id, name, email, lang, quantity, status, token," \
	" COALESCE(offer_expires_at, 0)"

static const struct db_sql SQL_WL_BY_TOKEN = { "orders_wl_by_token",
	"SELECT " WAITLIST_COLS " FROM waiting_list WHERE token = $1" };
static const struct db_sql SQL_WL_BY_ID = { "orders_wl_by_id",
	"SELECT " WAITLIST_COLS " FROM waiting_list WHERE id = $1" };
static const struct db_sql SQL_WL_SAME = { "orders_wl_same",
	"SELECT " WAITLIST_COLS " FROM waiting_list WHERE event_date_id = $1 AND ticket_type_id = $2"
	" AND email_lower = $3 AND status IN ('waiting', 'offered') ORDER BY id LIMIT 1" };
static const struct db_sql SQL_WL_POSITION = { "orders_wl_position",
	"SELECT COUNT(*) FROM waiting_list WHERE event_date_id = $1 AND ticket_type_id = $2"
	" AND status = 'waiting' AND id <= $3" };
static const struct db_sql SQL_WL_INSERT = { "orders_wl_insert",
	"INSERT INTO waiting_list (event_id, event_date_id, ticket_type_id, account_id, name, email,"
	" email_lower, lang, quantity, status, token, created_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'waiting', $10, $11) RETURNING id" };
static const struct db_sql SQL_WL_PAIR_FREE = { "orders_wl_pair_free",
	"SELECT COUNT(*), COALESCE(MIN(q.size - q.sold), 0) FROM ticket_quota_types qt"
	" JOIN ticket_quotas q ON q.id = qt.quota_id"
	" WHERE qt.ticket_type_id = $1 AND q.event_date_id = $2" };
static const struct db_sql SQL_WL_CLOSE = { "orders_wl_close",
	"UPDATE waiting_list SET status = $2 WHERE id = $1 AND status IN ('waiting', 'offered')"
	" RETURNING status" };
static const struct db_sql SQL_WL_DUE_OFFERS = { "orders_wl_due_offers",
	"SELECT id FROM waiting_list WHERE status = 'offered' AND offer_expires_at <= $1"
	" ORDER BY offer_expires_at, id LIMIT 200" };
static const struct db_sql SQL_WL_EXPIRE = { "orders_wl_expire",
	"UPDATE waiting_list SET status = 'expired' WHERE id = $1 AND status = 'offered'"
	" AND offer_expires_at <= $2 RETURNING id" };
static const struct db_sql SQL_WL_PAIRS = { "orders_wl_pairs",
	"SELECT DISTINCT event_date_id, ticket_type_id FROM waiting_list WHERE status = 'waiting'"
	" ORDER BY event_date_id, ticket_type_id LIMIT 500" };
static const struct db_sql SQL_WL_QUEUE = { "orders_wl_queue",
	"SELECT id, quantity FROM waiting_list WHERE event_date_id = $1 AND ticket_type_id = $2"
	" AND status = 'waiting' ORDER BY id LIMIT 100" };
static const struct db_sql SQL_WL_OFFER = { "orders_wl_offer",
	"UPDATE waiting_list SET status = 'offered', offered_at = $2, offer_expires_at = $3"
	" WHERE id = $1 AND status = 'waiting' RETURNING id" };
static const struct db_sql SQL_WL_PAIR_INFO = { "orders_wl_pair_info",
	"SELECT d.starts_at, d.cancelled, t.archived_at IS NOT NULL, t.event_id, e.status,"
	" COALESCE(s.offer_ttl, 86400), COALESCE(s.waiting_list, 1)"
	" FROM event_dates d JOIN ticket_types t ON t.id = $2 JOIN events e ON e.id = t.event_id"
	" LEFT JOIN ticket_shops s ON s.event_id = t.event_id WHERE d.id = $1" };
static const struct db_sql SQL_WL_MAIL = { "orders_wl_mail",
	"SELECT w.name, w.email, w.lang, w.quantity, w.token, w.offer_expires_at, e.title, t.name,"
	" d.starts_at FROM waiting_list w JOIN events e ON e.id = w.event_id"
	" JOIN ticket_types t ON t.id = w.ticket_type_id JOIN event_dates d ON d.id = w.event_date_id"
	" WHERE w.id = $1" };

static const struct db_sql SQL_WL_ANYONE = { "waitlist_anyone",
	"SELECT 1 FROM waiting_list WHERE ticket_type_id = $1 AND event_date_id = $2"
	" AND status = 'waiting' LIMIT 1" };
enum db_status waitlist_anyone_waiting(struct db *db, int64_t ticket_type_id, int64_t event_date_id,
				      bool *out)
{
	struct db_stmt *st = db_stmt(db, &SQL_WL_ANYONE);
	db_bind_i64(st, 1, ticket_type_id);
	db_bind_i64(st, 2, event_date_id);
	enum db_status s = faults_step(st);
	db_reset(st);
	*out = s == DB_ROW;
	return s;
}

static enum db_status wl_mail(struct db *db, struct arena *a, int64_t id, const char *key,
			      int64_t position);

static void read_wl(struct db_stmt *st, struct arena *a, struct waitlist_entry *w)
{
	w->id = db_col_i64(st, 0);
	w->event_id = db_col_i64(st, 1);
	w->event_date_id = db_col_i64(st, 2);
	w->ticket_type_id = db_col_i64(st, 3);
	w->name = db_col_str(st, 4, a);
	w->email = db_col_str(st, 5, a);
	w->lang = db_col_str(st, 6, a);
	w->quantity = (int)db_col_i64(st, 7);
	w->status = db_col_str(st, 8, a);
	w->token = db_col_str(st, 9, a);
	w->offer_expires_at = db_col_i64(st, 10);
}

static enum db_status wl_position(struct db *db, struct waitlist_entry *w)
{
	w->position = 0;
	if (strcmp(w->status, "waiting") != 0)
		return DB_NONE;
	struct db_stmt *st = db_stmt(db, &SQL_WL_POSITION);
	db_bind_i64(st, 1, w->event_date_id);
	db_bind_i64(st, 2, w->ticket_type_id);
	db_bind_i64(st, 3, w->id);
	enum db_status s = db_step(st);
	w->position = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	return s < 0 ? s : DB_NONE;
}

/* Seats the pair (type, date) can still sell: min over its quotas. [out]
 * *out_quotas: how many quotas the pair has. */
static enum db_status pair_free(struct db *db, int64_t type_id, int64_t date_id, int64_t *out_free,
				int64_t *out_quotas)
{
	struct db_stmt *st = db_stmt(db, &SQL_WL_PAIR_FREE);
	db_bind_i64(st, 1, type_id);
	db_bind_i64(st, 2, date_id);
	enum db_status s = faults_step(st);
	*out_quotas = s == DB_ROW ? db_col_i64(st, 0) : 0;
	*out_free = s == DB_ROW ? db_col_i64(st, 1) : 0;
	db_reset(st);
	return s < 0 ? s : DB_NONE;
}

struct wl_join {
	const struct actor *who;
	const struct waitlist_request *in;
	const char *name, *email, *email_lower, *lang;
	struct arena *a;
	struct waitlist_entry *out;
	enum kq_err err;
};

static enum db_status wl_join_txn(struct db *db, void *cls)
{
	struct wl_join *x = cls;
	const struct waitlist_request *in = x->in;
	x->err = KQ_OK;
	x->out->is_existing = false;   /* a retried transaction starts afresh */
	struct db_stmt *st = db_stmt(db, &SQL_WL_PAIR_INFO);
	db_bind_i64(st, 1, in->event_date_id);
	db_bind_i64(st, 2, in->ticket_type_id);
	enum db_status s = db_step(st);
	int64_t starts = 0, event_id = 0;
	bool cancelled = false, archived = false, enabled = false, published = false;
	if (s == DB_ROW) {
		starts = db_col_i64(st, 0);
		cancelled = db_col_i64(st, 1) != 0;
		archived = db_col_i64(st, 2) != 0;
		event_id = db_col_i64(st, 3);
		published = str_eq(db_col_text(st, 4), "published") || str_eq(db_col_text(st, 4), "postponed");
		enabled = db_col_i64(st, 6) != 0;
	}
	db_reset(st);
	if (s < 0)
		return s;
	struct ticket_type ty;
	if (s == DB_NONE || tickets_type_get(db, x->a, in->ticket_type_id, &ty) != KQ_OK) {
		x->err = KQ_ERR_NOT_FOUND;
		return DB_HARD;
	}
	/* The date must be the type's event's. */
	static const struct db_sql date_of = { "orders_wl_date_of",
		"SELECT 1 FROM event_dates WHERE id = $1 AND event_id = $2" };
	st = db_stmt(db, &date_of);
	db_bind_i64(st, 1, in->event_date_id);
	db_bind_i64(st, 2, event_id);
	s = db_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		x->err = KQ_ERR_NOT_FOUND;
		return DB_HARD;
	}
	if (!published || cancelled || archived || starts <= time_now() ||
	    strcmp(ty.visibility, "hidden") == 0) {
		x->err = KQ_ERR_TICKETS_NOT_ON_SALE;
		return DB_HARD;
	}
	if (!enabled) {
		x->err = KQ_ERR_WAITLIST_CLOSED;
		return DB_HARD;
	}
	st = db_stmt(db, &SQL_WL_SAME);
	db_bind_i64(st, 1, in->event_date_id);
	db_bind_i64(st, 2, in->ticket_type_id);
	db_bind_text(st, 3, x->email_lower);
	s = db_step(st);
	if (s == DB_ROW)
		read_wl(st, x->a, x->out);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_ROW) {
		x->out->is_existing = true;
		return wl_position(db, x->out);
	}
	int64_t free_seats, nq;
	if ((s = pair_free(db, in->ticket_type_id, in->event_date_id, &free_seats, &nq)) < 0)
		return s;
	if (nq == 0) {
		x->err = KQ_ERR_TICKETS_NOT_ON_SALE;
		return DB_HARD;
	}
	bool queue;
	if ((s = waitlist_anyone_waiting(db, in->ticket_type_id, in->event_date_id, &queue)) < 0)
		return s;
	/* Nobody queues for seats anyone could buy now; behind others, anyone may. */
	if (!queue && free_seats >= in->quantity) {
		x->err = KQ_ERR_WAITLIST_NOT_SOLD_OUT;
		return DB_HARD;
	}
	char token[TOKEN_HEX_LEN + 1];
	crypto_token(token);
	st = db_stmt(db, &SQL_WL_INSERT);
	db_bind_i64(st, 1, event_id);
	db_bind_i64(st, 2, in->event_date_id);
	db_bind_i64(st, 3, in->ticket_type_id);
	db_bind_i64_or_null(st, 4, x->who ? x->who->account_id : 0);
	db_bind_text(st, 5, x->name);
	db_bind_text(st, 6, x->email);
	db_bind_text(st, 7, x->email_lower);
	db_bind_text(st, 8, x->lang);
	db_bind_i64(st, 9, in->quantity);
	db_bind_text(st, 10, token);
	db_bind_i64(st, 11, time_now());
	s = db_step(st);
	int64_t id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	st = db_stmt(db, &SQL_WL_BY_ID);
	db_bind_i64(st, 1, id);
	s = db_step(st);
	if (s == DB_ROW)
		read_wl(st, x->a, x->out);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	if ((s = wl_position(db, x->out)) < 0)
		return s;
	return wl_mail(db, x->a, id, "mail.waitlist.joined", x->out->position);
}

enum kq_err waitlist_join(struct db *db, const struct actor *who,
				 const struct waitlist_request *in, struct arena *a,
				 struct field_errors *fe, struct waitlist_entry *out)
{
	memset(out, 0, sizeof(*out));
	const char *name = in->name, *email = in->email;
	if (who && who->account_id) {
		if (str_empty(name))
			name = who->display_name;
		if (str_empty(email))
			email = who->email;
	}
	if (str_empty(name) || !str_text_ok(name, ORDERS_NAME_MAX, false))
		field_error_add(fe, "name", "orders.field.name_invalid");
	if (!email || !str_email_valid(email))
		field_error_add(fe, "email", "orders.field.email_invalid");
	if (in->quantity < 1 || in->quantity > ORDERS_WAITLIST_MAX)
		field_error_add(fe, "quantity", "orders.field.quantity_invalid");
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	struct wl_join x = { who, in, str_trim(a, name), str_trim(a, email), NULL,
			     i18n_lang_or_fr(in->lang), a, out, KQ_OK };
	x.email_lower = str_lower_ascii(a, x.email);
	enum db_status s = db_txn_run(db, "waitlist_join", DB_WRITE, wl_join_txn, &x);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	return KQ_OK;
}

enum kq_err waitlist_get(struct db *db, struct arena *a, const char *token,
				struct waitlist_entry *out)
{
	memset(out, 0, sizeof(*out));
	if (!token || strlen(token) != TOKEN_HEX_LEN)
		return KQ_ERR_WAITLIST_OFFER_INVALID;
	struct db_stmt *st = db_stmt(db, &SQL_WL_BY_TOKEN);
	db_bind_text(st, 1, token);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_wl(st, a, out);
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (s == DB_NONE)
		return KQ_ERR_WAITLIST_OFFER_INVALID;
	return wl_position(db, out) < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

struct wl_close {
	int64_t id;
	const char *status;
	struct arena *a;
	bool changed;
};

static enum db_status wl_close_txn(struct db *db, void *cls)
{
	struct wl_close *x = cls;
	x->changed = false;
	struct waitlist_entry w;
	struct db_stmt *st = db_stmt(db, &SQL_WL_BY_ID);
	db_bind_i64(st, 1, x->id);
	enum db_status s = faults_step(st);
	if (s == DB_ROW)
		read_wl(st, x->a, &w);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;
	bool offered = strcmp(w.status, "offered") == 0;
	if (offered && (s = tickets_lock_types(db, &w.ticket_type_id, 1)) < 0)
		return s;
	st = db_stmt(db, &SQL_WL_CLOSE);
	db_bind_i64(st, 1, x->id);
	db_bind_text(st, 2, x->status);
	s = faults_step(st);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;
	x->changed = true;
	if (!offered)
		return DB_NONE;
	/* An offer held seats: they come back (to the next person waiting). */
	struct seat_needs needs = { 0 };
	int nq;
	if ((s = tickets_seats_add(db, x->a, &needs, w.ticket_type_id, w.event_date_id, w.quantity,
				   &nq)) < 0)
		return s;
	return tickets_seats_free(db, &needs);
}

enum kq_err waitlist_close_entry(struct db *db, int64_t entry_id, const char *new_status)
{
	struct arena *a = arena_new();
	struct wl_close x = { entry_id, new_status, a, false };
	enum db_status s = db_txn_run(db, "waitlist_close", DB_WRITE, wl_close_txn, &x);
	arena_free(a);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

enum kq_err waitlist_leave(struct db *db, const char *token)
{
	struct arena *a = arena_new();
	struct waitlist_entry w;
	enum kq_err e = waitlist_get(db, a, token, &w);
	if (e == KQ_OK) {
		if (strcmp(w.status, "waiting") != 0 && strcmp(w.status, "offered") != 0)
			e = KQ_ERR_WAITLIST_OFFER_INVALID;
		else
			e = waitlist_close_entry(db, w.id, "left");
	}
	arena_free(a);
	return e;
}

struct wl_expire {
	int64_t id, now;
	struct arena *a;
};

static enum db_status wl_expire_txn(struct db *db, void *cls)
{
	struct wl_expire *x = cls;
	struct waitlist_entry w;
	struct db_stmt *st = db_stmt(db, &SQL_WL_BY_ID);
	db_bind_i64(st, 1, x->id);
	enum db_status s = faults_step(st);
	if (s == DB_ROW)
		read_wl(st, x->a, &w);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;
	if ((s = tickets_lock_types(db, &w.ticket_type_id, 1)) < 0)
		return s;
	st = db_stmt(db, &SQL_WL_EXPIRE);
	db_bind_i64(st, 1, x->id);
	db_bind_i64(st, 2, x->now);
	s = faults_step(st);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;   /* used or left meanwhile */
	struct seat_needs needs = { 0 };
	int nq;
	if ((s = tickets_seats_add(db, x->a, &needs, w.ticket_type_id, w.event_date_id, w.quantity,
				   &nq)) < 0)
		return s;
	return tickets_seats_free(db, &needs);
}

/* The mail of entry id: the offer of freed seats (key "mail.orders.waitlist_offer")
 * or the confirmation of joining ("mail.waitlist.joined", with its position).
 * Both carry the entry's link, /liste-attente/<token>. */
static enum db_status wl_mail(struct db *db, struct arena *a, int64_t id, const char *key,
			      int64_t position)
{
	struct db_stmt *st = db_stmt(db, &SQL_WL_MAIL);
	db_bind_i64(st, 1, id);
	enum db_status s = faults_step(st);
	if (s != DB_ROW) {
		db_reset(st);
		return s < 0 ? s : DB_HARD;
	}
	const char *name = db_col_str(st, 0, a), *email = db_col_str(st, 1, a);
	const char *lang = i18n_lang_or_fr(db_col_text(st, 2));
	const char *quantity = arena_printf(a, "%lld", (long long)db_col_i64(st, 3));
	const char *token = db_col_str(st, 4, a);
	int64_t until = db_col_i64(st, 5);
	const char *event = db_col_str(st, 6, a), *type = db_col_str(st, 7, a);
	int64_t starts = db_col_i64(st, 8);
	db_reset(st);
	const char *vars[] = {
		"name", name, "event", event, "type", type, "quantity", quantity,
		"date", time_format_long(a, starts, lang), "until", time_format_long(a, until, lang),
		"link", arena_printf(a, "%s/liste-attente/%s", core_settings()->base_url, token),
		"site", core_settings()->base_url, "position", arena_printf(a, "%lld", (long long)position),
		NULL,
	};
	const char *subject = i18n_fill(a, i18n_get(lang, arena_printf(a, "%s.subject", key)), vars);
	const char *body = i18n_fill(a, i18n_get(lang, arena_printf(a, "%s.body", key)), vars);
	const char *footer = i18n_fill(a, i18n_get(lang, "mail.orders.footer"), vars);
	return notify_enqueue(db, email, subject, arena_printf(a, "%s\n\n-- \n%s\n", body, footer),
			      NULL);
}

struct wl_offer {
	int64_t date_id, type_id, now;
	struct arena *a;
	int offered;
};

static enum db_status wl_offer_txn(struct db *db, void *cls)
{
	struct wl_offer *x = cls;
	x->offered = 0;
	enum db_status s = tickets_lock_types(db, &x->type_id, 1);
	if (s < 0)
		return s;
	struct db_stmt *st = db_stmt(db, &SQL_WL_PAIR_INFO);
	db_bind_i64(st, 1, x->date_id);
	db_bind_i64(st, 2, x->type_id);
	s = faults_step(st);
	int64_t starts = 0, ttl = 86400;
	bool open = false;
	if (s == DB_ROW) {
		starts = db_col_i64(st, 0);
		open = db_col_i64(st, 1) == 0 && db_col_i64(st, 2) == 0 &&
		       (str_eq(db_col_text(st, 4), "published") ||
			str_eq(db_col_text(st, 4), "postponed"));
		ttl = db_col_i64(st, 5);
	}
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;
	if (!open || starts <= x->now)
		return DB_NONE;
	int64_t free_seats, nq;
	if ((s = pair_free(db, x->type_id, x->date_id, &free_seats, &nq)) < 0)
		return s;
	if (nq == 0 || free_seats <= 0)
		return DB_NONE;
	int64_t queue[100][2];
	int n = 0;
	st = db_stmt(db, &SQL_WL_QUEUE);
	db_bind_i64(st, 1, x->date_id);
	db_bind_i64(st, 2, x->type_id);
	while ((s = faults_step(st)) == DB_ROW && n < 100) {
		queue[n][0] = db_col_i64(st, 0);
		queue[n][1] = db_col_i64(st, 1);
		n++;
	}
	db_reset(st);
	if (s < 0)
		return s;
	int64_t until = x->now + ttl;
	if (until > starts)
		until = starts;
	for (int i = 0; i < n && free_seats > 0; i++) {
		if (queue[i][1] > free_seats)
			continue;   /* keeps its place; a smaller request behind it fits */
		struct seat_needs needs = { 0 };
		int nq2;
		if ((s = tickets_seats_add(db, x->a, &needs, x->type_id, x->date_id, queue[i][1],
					   &nq2)) < 0)
			return s;
		bool ok;
		if ((s = tickets_seats_take(db, &needs, &ok)) < 0)
			return s;
		if (!ok)
			break;
		st = db_stmt(db, &SQL_WL_OFFER);
		db_bind_i64(st, 1, queue[i][0]);
		db_bind_i64(st, 2, x->now);
		db_bind_i64(st, 3, until);
		s = faults_step(st);
		db_reset(st);
		if (s != DB_ROW)
			return s < 0 ? s : DB_HARD;
		if ((s = wl_mail(db, x->a, queue[i][0], "mail.orders.waitlist_offer", 0)) < 0)
			return s;
		free_seats -= queue[i][1];
		x->offered++;
	}
	return DB_NONE;
}

enum kq_err waitlist_run(struct db *db, int64_t now, int *out_offered)
{
	if (out_offered)
		*out_offered = 0;
	struct arena *a = arena_new();
	enum kq_err e = KQ_OK;
	int64_t ids[200];
	int n = 0;
	struct db_stmt *st = db_stmt(db, &SQL_WL_DUE_OFFERS);
	db_bind_i64(st, 1, now);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW && n < 200)
		ids[n++] = db_col_i64(st, 0);
	db_reset(st);
	if (s < 0)
		e = KQ_ERR_INTERNAL;
	for (int i = 0; i < n && e == KQ_OK; i++) {
		struct wl_expire x = { ids[i], now, a };
		if (db_txn_run(db, "waitlist_expire", DB_WRITE, wl_expire_txn, &x) < 0)
			e = KQ_ERR_INTERNAL;
	}
	int64_t (*pairs)[2] = arena_alloc(a, sizeof(*pairs) * 500);
	int np = 0;
	if (e == KQ_OK) {
		st = db_stmt(db, &SQL_WL_PAIRS);
		while ((s = db_step(st)) == DB_ROW && np < 500) {
			pairs[np][0] = db_col_i64(st, 0);
			pairs[np][1] = db_col_i64(st, 1);
			np++;
		}
		db_reset(st);
		if (s < 0)
			e = KQ_ERR_INTERNAL;
	}
	int offered = 0;
	for (int i = 0; i < np && e == KQ_OK; i++) {
		/* A read first: a sold-out pair (the usual case) costs no write
		 * transaction and takes no lock from buyers. */
		int64_t free_seats, nq;
		if (pair_free(db, pairs[i][1], pairs[i][0], &free_seats, &nq) < 0) {
			e = KQ_ERR_INTERNAL;
			break;
		}
		if (nq == 0 || free_seats <= 0)
			continue;
		struct wl_offer x = { pairs[i][0], pairs[i][1], now, a, 0 };
		if (db_txn_run(db, "waitlist_offer", DB_WRITE, wl_offer_txn, &x) < 0)
			e = KQ_ERR_INTERNAL;
		offered += x.offered;
	}
	arena_free(a);
	if (out_offered)
		*out_offered = offered;
	return e;
}

static const struct db_sql SQL_EVENT_OFFERS = { "orders_event_offers",
	"SELECT id FROM waiting_list WHERE event_id = $1 AND status IN ('waiting', 'offered')"
	" ORDER BY id LIMIT 100" };

enum kq_err waitlist_close_event(struct db *db, int64_t event_id)
{
	enum kq_err e = KQ_OK;
	while (e == KQ_OK) {
		int64_t ids[100];
		int n = 0;
		struct db_stmt *st = db_stmt(db, &SQL_EVENT_OFFERS);
		db_bind_i64(st, 1, event_id);
		enum db_status s;
		while ((s = db_step(st)) == DB_ROW && n < 100)
			ids[n++] = db_col_i64(st, 0);
		db_reset(st);
		if (s < 0)
			e = KQ_ERR_INTERNAL;
		if (!n || e != KQ_OK)
			break;
		for (int i = 0; i < n && e == KQ_OK; i++)
			e = waitlist_close_entry(db, ids[i], "cancelled");
	}
	return e;
}
