/* tickets.c: the organiser's side of ticketing: shop settings, types, quotas, vouchers, questions
 *
 * Each change runs in one write transaction that checks the organiser's
 * right first (orgs_authorize inside the transaction). Callbacks report a
 * refusal in x->err and return DB_HARD so nothing is kept; they clear x->err
 * first because db_txn_run may run them again. The seat helpers at the end
 * are shared with orders.c: they are the only code that changes
 * ticket_quotas.sold, apart from the recount of a quota edit below. */
#include "tickets.h"
#include "events.h"
#include "faults.h"
#include "orgs.h"
#include "payments.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A text of 1..max characters (min 0 when optional). */
static bool text_ok(const char *s, size_t min, size_t max, bool multiline)
{
	if (!s)
		return min == 0;
	if (!str_text_ok(s, max, multiline) || str_utf8_len(s) < min)
		return false;
	return min == 0 || !str_empty(s);
}

static bool one_of(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

const char *tickets_money_format(struct arena *a, int64_t cents, const char *currency,
				 const char *lang)
{
	bool neg = cents < 0;
	uint64_t v = neg ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	bool eur = !currency || strcmp(currency, "EUR") == 0;
	const char *sym = eur ? "€" : currency;
	/* Thousands grouped with a narrow no-break space in French, as
	 * typographers write 1 250,00 €; English writes €1,250.00. */
	bool en = lang && strcmp(lang, "en") == 0;
	char units[32];
	snprintf(units, sizeof(units), "%llu", (unsigned long long)(v / 100));
	char grouped[64];
	size_t len = strlen(units), o = 0;
	for (size_t i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0) {
			const char *sep = en ? "," : "\u202f";
			size_t sl = strlen(sep);
			memcpy(grouped + o, sep, sl);
			o += sl;
		}
		grouped[o++] = units[i];
	}
	grouped[o] = 0;
	unsigned frac = (unsigned)(v % 100);
	if (en)
		return arena_printf(a, "%s%s%s.%02u", neg ? "-" : "", sym, grouped, frac);
	return arena_printf(a, "%s%s,%02u\u00a0%s", neg ? "-" : "", grouped, frac, sym);
}

/* ---- events ---------------------------------------------------------------------------- */

static const struct db_sql SQL_EVENT = { "tickets_event",
	"SELECT org_id, status, title, slug FROM events WHERE id = $1" };
static const struct db_sql SQL_DATE_EVENT = { "tickets_date_event",
	"SELECT event_id FROM event_dates WHERE id = $1" };

enum kq_err tickets_event_get(struct db *db, struct arena *a, int64_t event_id,
			      struct ticket_event *out)
{
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, &SQL_EVENT);
	db_bind_i64(st, 1, event_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->id = event_id;
		out->org_id = db_col_i64(st, 0);
		out->status = db_col_str(st, 1, a);
		out->title = db_col_str(st, 2, a);
		out->slug = db_col_str(st, 3, a);
	}
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

static enum kq_err date_event(struct db *db, int64_t date_id, int64_t *out_event_id)
{
	struct db_stmt *st = db_stmt(db, &SQL_DATE_EVENT);
	db_bind_i64(st, 1, date_id);
	enum db_status s = db_step(st);
	*out_event_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

/* The organiser's right on the event: NOT_FOUND when the event does not exist. */
static enum kq_err authorize_event(struct db *db, const struct actor *who, int64_t event_id,
				   enum org_action act, struct arena *a)
{
	struct ticket_event ev;
	enum kq_err e = tickets_event_get(db, a, event_id, &ev);
	if (e != KQ_OK)
		return e;
	return orgs_authorize(db, who, ev.org_id, act);
}

/* PUBLISH or BOX_OFFICE: who may look at the shop's inside. */
static enum kq_err authorize_view(struct db *db, const struct actor *who, int64_t event_id,
				  struct arena *a)
{
	enum kq_err e = authorize_event(db, who, event_id, ORG_ACT_PUBLISH, a);
	if (e == KQ_ERR_FORBIDDEN)
		e = authorize_event(db, who, event_id, ORG_ACT_BOX_OFFICE, a);
	return e;
}

/* ---- shop settings --------------------------------------------------------------------- */

static const struct db_sql SQL_SHOP_GET = { "tickets_shop_get",
	"SELECT currency, providers, buyer_can_cancel, cancel_deadline, attendee_names,"
	" waiting_list, offer_ttl, transfer_details FROM ticket_shops WHERE event_id = $1" };
static const struct db_sql SQL_SHOP_SET = { "tickets_shop_set",
	"INSERT INTO ticket_shops (event_id, currency, providers, buyer_can_cancel,"
	" cancel_deadline, attendee_names, waiting_list, offer_ttl, transfer_details, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
	" ON CONFLICT (event_id) DO UPDATE SET currency = excluded.currency,"
	" providers = excluded.providers, buyer_can_cancel = excluded.buyer_can_cancel,"
	" cancel_deadline = excluded.cancel_deadline, attendee_names = excluded.attendee_names,"
	" waiting_list = excluded.waiting_list, offer_ttl = excluded.offer_ttl,"
	" transfer_details = excluded.transfer_details, updated_at = excluded.updated_at" };

static void shop_defaults(struct ticket_shop *s, int64_t event_id)
{
	memset(s, 0, sizeof(*s));
	s->event_id = event_id;
	s->currency = TICKETS_CURRENCY;
	s->providers = "onsite";
	s->cancel_deadline = 86400;
	s->attendee_names = "optional";
	s->waiting_list = true;
	s->offer_ttl = 86400;
	s->transfer_details = "";
}

enum kq_err tickets_shop_get(struct db *db, struct arena *a, int64_t event_id,
			     struct ticket_shop *out)
{
	struct ticket_event ev;
	enum kq_err e = tickets_event_get(db, a, event_id, &ev);
	if (e != KQ_OK)
		return e;
	shop_defaults(out, event_id);
	struct db_stmt *st = db_stmt(db, &SQL_SHOP_GET);
	db_bind_i64(st, 1, event_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->currency = db_col_str(st, 0, a);
		out->providers = db_col_str(st, 1, a);
		out->buyer_can_cancel = db_col_i64(st, 2) != 0;
		out->cancel_deadline = db_col_i64(st, 3);
		out->attendee_names = db_col_str(st, 4, a);
		out->waiting_list = db_col_i64(st, 5) != 0;
		out->offer_ttl = db_col_i64(st, 6);
		out->transfer_details = db_col_str(st, 7, a);
	}
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

bool tickets_shop_offers(const struct ticket_shop *shop, const char *provider)
{
	if (!shop || !shop->providers || !provider || !*provider)
		return false;
	size_t n = strlen(provider);
	for (const char *p = shop->providers; *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && strncmp(p, provider, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

struct shop_set {
	const struct actor *who;
	int64_t event_id;
	const struct ticket_shop *in;
	const char *providers;
	struct arena *a;
	enum kq_err err;
};

static enum db_status shop_set_txn(struct db *db, void *cls)
{
	struct shop_set *x = cls;
	x->err = authorize_event(db, x->who, x->event_id, ORG_ACT_MONEY, x->a);
	if (x->err != KQ_OK)
		return DB_HARD;
	struct db_stmt *st = db_stmt(db, &SQL_SHOP_SET);
	db_bind_i64(st, 1, x->event_id);
	db_bind_text(st, 2, TICKETS_CURRENCY);
	db_bind_text(st, 3, x->providers);
	db_bind_bool(st, 4, x->in->buyer_can_cancel);
	db_bind_i64(st, 5, x->in->cancel_deadline);
	db_bind_text(st, 6, x->in->attendee_names);
	db_bind_bool(st, 7, x->in->waiting_list);
	db_bind_i64(st, 8, x->in->offer_ttl);
	db_bind_text(st, 9, x->in->transfer_details ? x->in->transfer_details : "");
	db_bind_i64(st, 10, time_now());
	return db_run(st);
}

enum kq_err tickets_shop_set(struct db *db, const struct actor *who, int64_t event_id,
			     const struct ticket_shop *in, struct field_errors *fe)
{
	static const char *const names_modes[] = { "off", "optional", "required", NULL };
	struct arena *a = arena_new();
	struct buf providers = BUF_INIT;
	enum kq_err e = KQ_OK;
	if (!who || !who->account_id) {
		e = KQ_ERR_AUTH_REQUIRED;
		goto out;
	}
	/* Providers: a comma list of known names, each once, in a stable order. */
	const struct payment_provider *const *all = payments_providers();
	struct buf asked = BUF_INIT;
	for (const char *p = in->providers ? in->providers : ""; *p;) {
		size_t len = strcspn(p, ",");
		char *name = str_trim(a, arena_strndup(a, p, len));
		if (*name && !payments_provider(name))
			field_error_add(fe, "providers", "tickets.field.provider_unknown");
		buf_printf(&asked, "%s,", name);
		p += len;
		if (*p == ',')
			p++;
	}
	struct ticket_shop probe = { .providers = arena_strdup(a, buf_str(&asked)) };
	buf_free(&asked);
	for (int i = 0; all[i]; i++) {
		if (tickets_shop_offers(&probe, all[i]->name)) {
			if (providers.len)
				buf_putc(&providers, ',');
			buf_puts(&providers, all[i]->name);
		}
	}
	if (!one_of(in->attendee_names, names_modes))
		field_error_add(fe, "attendee_names", "tickets.field.invalid");
	if (in->cancel_deadline < 0 || in->cancel_deadline > 365 * 86400)
		field_error_add(fe, "cancel_deadline", "tickets.field.invalid");
	if (in->offer_ttl < 600 || in->offer_ttl > 7 * 86400)
		field_error_add(fe, "offer_ttl", "tickets.field.invalid");
	if (!text_ok(in->transfer_details, 0, 1000, true))
		field_error_add(fe, "transfer_details", "tickets.field.too_long");
	if (fe->n) {
		e = KQ_ERR_FORM_INVALID;
		goto out;
	}
	struct shop_set x = { who, event_id, in, buf_str(&providers), a, KQ_OK };
	enum db_status s = db_txn_run(db, "tickets_shop_set", DB_WRITE, shop_set_txn, &x);
	e = s < 0 ? (x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL) : KQ_OK;
out:
	buf_free(&providers);
	arena_free(a);
	return e;
}

/* ---- ticket types ------------------------------------------------------------------------ */

#define TYPE_COLS                                                                            \
	"id, event_id, name, description, price_cents, currency, COALESCE(sale_starts_at, 0),"  \
	" COALESCE(sale_ends_at, 0), min_per_order, max_per_order, visibility, position,"       \
	" archived_at IS NOT NULL"

static const struct db_sql SQL_TYPE_INSERT = { "tickets_type_insert",
	"INSERT INTO ticket_types (event_id, name, description, price_cents, currency,"
	" sale_starts_at, sale_ends_at, min_per_order, max_per_order, visibility, position,"
	" created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)"
	" RETURNING " TYPE_COLS };
static const struct db_sql SQL_TYPE_UPDATE = { "tickets_type_update",
	"UPDATE ticket_types SET name = $2, description = $3, price_cents = $4,"
	" sale_starts_at = $5, sale_ends_at = $6, min_per_order = $7, max_per_order = $8,"
	" visibility = $9, position = $10, updated_at = $11 WHERE id = $1 RETURNING " TYPE_COLS };
static const struct db_sql SQL_TYPE_GET = { "tickets_type_get",
	"SELECT " TYPE_COLS " FROM ticket_types WHERE id = $1" };
static const struct db_sql SQL_TYPES_LIST = { "tickets_types_list",
	"SELECT " TYPE_COLS " FROM ticket_types WHERE event_id = $1 ORDER BY position, id" };
static const struct db_sql SQL_TYPE_SOLD_ANY = { "tickets_type_sold_any",
	"SELECT 1 FROM tickets WHERE ticket_type_id = $1 LIMIT 1" };
static const struct db_sql SQL_TYPE_DELETE = { "tickets_type_delete",
	"DELETE FROM ticket_types WHERE id = $1" };
static const struct db_sql SQL_TYPE_ARCHIVE = { "tickets_type_archive",
	"UPDATE ticket_types SET archived_at = $2, updated_at = $2 WHERE id = $1" };
/* The organiser's figures of each type's waiting list (tickets_types_list). */
static const struct db_sql SQL_TYPES_WAITING = { "tickets_types_waiting",
	"SELECT ticket_type_id,"
	" CAST(SUM(CASE WHEN status = 'waiting' THEN 1 ELSE 0 END) AS BIGINT),"
	" CAST(SUM(CASE WHEN status = 'waiting' THEN quantity ELSE 0 END) AS BIGINT),"
	" CAST(SUM(CASE WHEN status = 'offered' THEN quantity ELSE 0 END) AS BIGINT)"
	" FROM waiting_list WHERE event_id = $1 AND status IN ('waiting', 'offered')"
	" GROUP BY ticket_type_id" };
static const struct db_sql SQL_TYPE_WAITLIST_CLOSE = { "tickets_type_waitlist_close",
	"UPDATE waiting_list SET status = 'cancelled' WHERE ticket_type_id = $1"
	" AND status = 'waiting'" };

static void read_type(struct db_stmt *st, struct arena *a, struct ticket_type *t)
{
	t->id = db_col_i64(st, 0);
	t->event_id = db_col_i64(st, 1);
	t->name = db_col_str(st, 2, a);
	t->description = db_col_str(st, 3, a);
	t->price_cents = db_col_i64(st, 4);
	t->currency = db_col_str(st, 5, a);
	t->sale_starts_at = db_col_i64(st, 6);
	t->sale_ends_at = db_col_i64(st, 7);
	t->min_per_order = (int)db_col_i64(st, 8);
	t->max_per_order = (int)db_col_i64(st, 9);
	t->visibility = db_col_str(st, 10, a);
	t->position = (int)db_col_i64(st, 11);
	t->is_archived = db_col_i64(st, 12) != 0;
	t->waiting = t->waiting_seats = t->offered_seats = 0;
}

static const char *const visibilities[] = { "public", "voucher_only", "hidden", NULL };

static void check_type_input(const struct ticket_type_input *in, struct field_errors *fe,
			     struct ticket_type_input *norm)
{
	*norm = *in;
	if (!norm->description)
		norm->description = "";
	if (!norm->visibility)
		norm->visibility = "public";
	if (!norm->min_per_order)
		norm->min_per_order = 1;
	if (!norm->max_per_order)
		norm->max_per_order = 10;
	if (!text_ok(in->name, 1, TICKETS_NAME_MAX, false))
		field_error_add(fe, "name", "tickets.field.name_invalid");
	if (!text_ok(norm->description, 0, TICKETS_DESCRIPTION_MAX, true))
		field_error_add(fe, "description", "tickets.field.too_long");
	if (in->price_cents < 0 || in->price_cents > TICKETS_PRICE_MAX)
		field_error_add(fe, "price", "tickets.field.price_invalid");
	if (in->sale_starts_at < 0)
		field_error_add(fe, "sale_starts_at", "tickets.field.invalid");
	if (in->sale_ends_at < 0 ||
	    (in->sale_ends_at && in->sale_starts_at && in->sale_ends_at <= in->sale_starts_at))
		field_error_add(fe, "sale_ends_at", "tickets.field.sale_window_invalid");
	if (norm->min_per_order < 1 || norm->min_per_order > TICKETS_PER_ORDER_MAX)
		field_error_add(fe, "min_per_order", "tickets.field.invalid");
	if (norm->max_per_order < norm->min_per_order ||
	    norm->max_per_order > TICKETS_PER_ORDER_MAX)
		field_error_add(fe, "max_per_order", "tickets.field.max_invalid");
	if (!one_of(norm->visibility, visibilities))
		field_error_add(fe, "visibility", "tickets.field.invalid");
}

struct type_write {
	const struct actor *who;
	int64_t event_id, type_id;
	const struct ticket_type_input *in;
	struct arena *a;
	struct ticket_type *out;
	enum kq_err err;
};

static enum db_status type_write_txn(struct db *db, void *cls)
{
	struct type_write *x = cls;
	const struct ticket_type_input *in = x->in;
	struct db_stmt *st;
	x->err = KQ_OK;
	if (x->type_id) {
		struct ticket_type cur;
		st = db_stmt(db, &SQL_TYPE_GET);
		db_bind_i64(st, 1, x->type_id);
		enum db_status s = db_step(st);
		if (s == DB_ROW)
			read_type(st, x->a, &cur);
		db_reset(st);
		if (s != DB_ROW) {
			x->err = s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
			return DB_HARD;
		}
		x->event_id = cur.event_id;
	}
	x->err = authorize_event(db, x->who, x->event_id, ORG_ACT_PUBLISH, x->a);
	if (x->err != KQ_OK)
		return DB_HARD;
	if (x->type_id) {
		/* The type's row lock also orders this change after checkouts in flight. */
		st = db_stmt(db, &SQL_TYPE_UPDATE);
		db_bind_i64(st, 1, x->type_id);
		db_bind_text(st, 2, in->name);
		db_bind_text(st, 3, in->description);
		db_bind_i64(st, 4, in->price_cents);
		db_bind_i64_or_null(st, 5, in->sale_starts_at);
		db_bind_i64_or_null(st, 6, in->sale_ends_at);
		db_bind_i64(st, 7, in->min_per_order);
		db_bind_i64(st, 8, in->max_per_order);
		db_bind_text(st, 9, in->visibility);
		db_bind_i64(st, 10, in->position);
		db_bind_i64(st, 11, time_now());
	} else {
		st = db_stmt(db, &SQL_TYPE_INSERT);
		db_bind_i64(st, 1, x->event_id);
		db_bind_text(st, 2, in->name);
		db_bind_text(st, 3, in->description);
		db_bind_i64(st, 4, in->price_cents);
		db_bind_text(st, 5, TICKETS_CURRENCY);
		db_bind_i64_or_null(st, 6, in->sale_starts_at);
		db_bind_i64_or_null(st, 7, in->sale_ends_at);
		db_bind_i64(st, 8, in->min_per_order);
		db_bind_i64(st, 9, in->max_per_order);
		db_bind_text(st, 10, in->visibility);
		db_bind_i64(st, 11, in->position);
		db_bind_i64(st, 12, time_now());
	}
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_type(st, x->a, x->out);
	db_reset(st);
	if (s == DB_NONE) {
		x->err = KQ_ERR_NOT_FOUND;
		return DB_HARD;
	}
	return s;
}

static enum kq_err type_write(struct db *db, const struct actor *who, int64_t event_id,
			      int64_t type_id, const struct ticket_type_input *in,
			      struct arena *a, struct field_errors *fe, struct ticket_type *out)
{
	struct ticket_type_input norm;
	memset(out, 0, sizeof(*out));
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	check_type_input(in, fe, &norm);
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	norm.name = str_trim(a, norm.name);
	struct type_write x = { who, event_id, type_id, &norm, a, out, KQ_OK };
	enum db_status s = db_txn_run(db, "tickets_type_write", DB_WRITE, type_write_txn, &x);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	return KQ_OK;
}

enum kq_err tickets_type_create(struct db *db, const struct actor *who, int64_t event_id,
				const struct ticket_type_input *in, struct arena *a,
				struct field_errors *fe, struct ticket_type *out)
{
	events_changed();   /* the agenda shows prices and seats left */
	return type_write(db, who, event_id, 0, in, a, fe, out);
}

enum kq_err tickets_type_update(struct db *db, const struct actor *who, int64_t type_id,
				const struct ticket_type_input *in, struct arena *a,
				struct field_errors *fe, struct ticket_type *out)
{
	events_changed();   /* the agenda shows prices and seats left */
	if (type_id <= 0)
		return KQ_ERR_NOT_FOUND;
	return type_write(db, who, 0, type_id, in, a, fe, out);
}

enum kq_err tickets_type_get(struct db *db, struct arena *a, int64_t type_id,
			     struct ticket_type *out)
{
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, &SQL_TYPE_GET);
	db_bind_i64(st, 1, type_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_type(st, a, out);
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

struct type_archive {
	const struct actor *who;
	int64_t type_id;
	struct arena *a;
	enum kq_err err;
};

static enum db_status type_archive_txn(struct db *db, void *cls)
{
	struct type_archive *x = cls;
	struct ticket_type t;
	x->err = tickets_type_get(db, x->a, x->type_id, &t);
	if (x->err != KQ_OK)
		return DB_HARD;
	x->err = authorize_event(db, x->who, t.event_id, ORG_ACT_PUBLISH, x->a);
	if (x->err != KQ_OK)
		return DB_HARD;
	enum db_status s = tickets_lock_types(db, &x->type_id, 1);
	if (s < 0)
		return s;
	struct db_stmt *st = db_stmt(db, &SQL_TYPE_SOLD_ANY);
	db_bind_i64(st, 1, x->type_id);
	s = db_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		/* Never sold: nothing points at it but its own links, offers and
		 * questions, which go with it (ON DELETE CASCADE). Offers hold
		 * seats, so they are given back first. */
		static const struct db_sql offered = { "tickets_type_offers",
			"SELECT event_date_id, quantity FROM waiting_list WHERE ticket_type_id = $1"
			" AND status = 'offered'" };
		struct seat_needs needs = { 0 };
		st = db_stmt(db, &offered);
		db_bind_i64(st, 1, x->type_id);
		int64_t pairs[64][2];
		int np = 0;
		while ((s = db_step(st)) == DB_ROW && np < 64) {
			pairs[np][0] = db_col_i64(st, 0);
			pairs[np][1] = db_col_i64(st, 1);
			np++;
		}
		db_reset(st);
		if (s < 0)
			return s;
		for (int i = 0; i < np; i++) {
			int nq;
			s = tickets_seats_add(db, x->a, &needs, x->type_id, pairs[i][0], pairs[i][1],
					      &nq);
			if (s < 0)
				return s;
		}
		if ((s = tickets_seats_free(db, &needs)) < 0)
			return s;
		st = db_stmt(db, &SQL_TYPE_DELETE);
		db_bind_i64(st, 1, x->type_id);
		return db_run(st);
	}
	st = db_stmt(db, &SQL_TYPE_ARCHIVE);
	db_bind_i64(st, 1, x->type_id);
	db_bind_i64(st, 2, time_now());
	if ((s = db_run(st)) < 0)
		return s;
	/* Nobody will be offered seats of a type that is no longer sold. */
	st = db_stmt(db, &SQL_TYPE_WAITLIST_CLOSE);
	db_bind_i64(st, 1, x->type_id);
	return db_run(st);
}

enum kq_err tickets_type_archive(struct db *db, const struct actor *who, int64_t type_id)
{
	events_changed();   /* the agenda shows prices and seats left */
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct type_archive x = { who, type_id, a, KQ_OK };
	enum db_status s = db_txn_run(db, "tickets_type_archive", DB_WRITE, type_archive_txn, &x);
	arena_free(a);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	return KQ_OK;
}

enum kq_err tickets_types_list(struct db *db, const struct actor *who, int64_t event_id,
			       struct arena *a, struct ticket_type **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = authorize_view(db, who, event_id, a);
	if (e != KQ_OK)
		return e;
	int cap = 8, n = 0;
	struct ticket_type *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_TYPES_LIST);
	db_bind_i64(st, 1, event_id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		read_type(st, a, &v[n++]);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	st = db_stmt(db, &SQL_TYPES_WAITING);
	db_bind_i64(st, 1, event_id);
	while ((s = db_step(st)) == DB_ROW) {
		int64_t id = db_col_i64(st, 0);
		for (int i = 0; i < n; i++) {
			if (v[i].id != id)
				continue;
			v[i].waiting = db_col_i64(st, 1);
			v[i].waiting_seats = db_col_i64(st, 2);
			v[i].offered_seats = db_col_i64(st, 3);
		}
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

/* ---- seats --------------------------------------------------------------------------------- */

static const struct db_sql SQL_LOCK_TYPE = { "tickets_lock_type",
	"UPDATE ticket_types SET updated_at = updated_at WHERE id = $1" };
static const struct db_sql SQL_TYPE_DATE_QUOTAS = { "tickets_type_date_quotas",
	"SELECT q.id FROM ticket_quota_types qt JOIN ticket_quotas q ON q.id = qt.quota_id"
	" WHERE qt.ticket_type_id = $1 AND q.event_date_id = $2 ORDER BY q.id" };
/* INVARIANT(quota): a seat is taken only if it exists, in one statement, so
 * two buyers can never both take the last one (the row lock queues them on
 * PostgreSQL, BEGIN IMMEDIATE on SQLite). */
static const struct db_sql SQL_TAKE = { "tickets_seats_take",
	"UPDATE ticket_quotas SET sold = sold + $2 WHERE id = $1 AND sold + $2 <= size"
	" RETURNING sold" };
static const struct db_sql SQL_FREE = { "tickets_seats_free",
	"UPDATE ticket_quotas SET sold = sold - $2 WHERE id = $1 AND sold >= $2 RETURNING sold" };

enum db_status tickets_lock_types(struct db *db, const int64_t *ids, int n)
{
	if (n <= 0)
		return DB_NONE;
	int64_t sorted[TICKETS_PER_ORDER_MAX * 2];
	int64_t *v = n <= (int)(sizeof(sorted) / sizeof(sorted[0])) ? sorted
								     : malloc(sizeof(*v) * (size_t)n);
	if (!v)
		return DB_HARD;
	memcpy(v, ids, sizeof(*v) * (size_t)n);
	qsort(v, (size_t)n, sizeof(*v), cmp_i64);
	enum db_status s = DB_NONE;
	for (int i = 0; i < n && s >= 0; i++) {
		if (i && v[i] == v[i - 1])
			continue;
		struct db_stmt *st = db_stmt(db, &SQL_LOCK_TYPE);
		db_bind_i64(st, 1, v[i]);
		s = faults_run(st);
	}
	if (v != sorted)
		free(v);
	return s < 0 ? s : DB_NONE;
}

enum db_status tickets_seats_add(struct db *db, struct arena *a, struct seat_needs *needs,
				 int64_t type_id, int64_t date_id, int64_t n, int *out_n_quotas)
{
	*out_n_quotas = 0;
	struct db_stmt *st = db_stmt(db, &SQL_TYPE_DATE_QUOTAS);
	db_bind_i64(st, 1, type_id);
	db_bind_i64(st, 2, date_id);
	enum db_status s;
	while ((s = faults_step(st)) == DB_ROW) {
		int64_t q = db_col_i64(st, 0);
		(*out_n_quotas)++;
		int i;
		for (i = 0; i < needs->n; i++)
			if (needs->v[i].quota_id == q)
				break;
		if (i == needs->n) {
			if (needs->n == needs->cap) {
				int cap = needs->cap ? needs->cap * 2 : 8;
				struct seat_need *w = arena_alloc(a, sizeof(*w) * (size_t)cap);
				if (needs->n)
					memcpy(w, needs->v, sizeof(*w) * (size_t)needs->n);
				needs->v = w;
				needs->cap = cap;
			}
			needs->v[needs->n].quota_id = q;
			needs->v[needs->n].n = 0;
			needs->n++;
		}
		needs->v[i].n += n;
	}
	db_reset(st);
	return s < 0 ? s : DB_NONE;
}

static int cmp_need(const void *a, const void *b)
{
	return cmp_i64(&((const struct seat_need *)a)->quota_id,
		       &((const struct seat_need *)b)->quota_id);
}

enum db_status tickets_seats_take(struct db *db, struct seat_needs *needs, bool *out_ok)
{
	*out_ok = true;
	if (needs->n > 1)
		qsort(needs->v, (size_t)needs->n, sizeof(*needs->v), cmp_need);
	/* Quotas in id order: two buyers of overlapping quotas lock them in the
	 * same order and never wait on each other in a cycle. */
	for (int i = 0; i < needs->n; i++) {
		if (needs->v[i].n <= 0)
			continue;
		struct db_stmt *st = db_stmt(db, &SQL_TAKE);
		db_bind_i64(st, 1, needs->v[i].quota_id);
		db_bind_i64(st, 2, needs->v[i].n);
		enum db_status s = faults_step(st);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE) {
			*out_ok = false;
			/* Give back what this call took, so a caller that goes on
			 * (late payment) leaves the counters as they were. */
			struct seat_needs taken = { needs->v, i, i };
			return tickets_seats_free(db, &taken);
		}
	}
	return DB_NONE;
}

enum db_status tickets_seats_free(struct db *db, struct seat_needs *needs)
{
	for (int i = 0; i < needs->n; i++) {
		if (needs->v[i].n <= 0)
			continue;
		struct db_stmt *st = db_stmt(db, &SQL_FREE);
		db_bind_i64(st, 1, needs->v[i].quota_id);
		db_bind_i64(st, 2, needs->v[i].n);
		enum db_status s = faults_step(st);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE) {
			KQ_BUG("a quota gives back more seats than it has sold");
			return DB_HARD;
		}
	}
	return DB_NONE;
}

/* ---- quotas ------------------------------------------------------------------------------- */

static const struct db_sql SQL_QUOTA_INSERT = { "tickets_quota_insert",
	"INSERT INTO ticket_quotas (event_date_id, name, size, sold, created_at)"
	" VALUES ($1, $2, $3, 0, $4) RETURNING id" };
static const struct db_sql SQL_QUOTA_GET = { "tickets_quota_get",
	"SELECT q.event_date_id, d.event_id FROM ticket_quotas q"
	" JOIN event_dates d ON d.id = q.event_date_id WHERE q.id = $1" };
static const struct db_sql SQL_QUOTA_LOCK = { "tickets_quota_lock",
	"UPDATE ticket_quotas SET sold = sold WHERE id = $1" };
static const struct db_sql SQL_QUOTA_TYPES = { "tickets_quota_types",
	"SELECT ticket_type_id FROM ticket_quota_types WHERE quota_id = $1 ORDER BY ticket_type_id" };
static const struct db_sql SQL_QUOTA_UNLINK = { "tickets_quota_unlink",
	"DELETE FROM ticket_quota_types WHERE quota_id = $1" };
static const struct db_sql SQL_QUOTA_LINK = { "tickets_quota_link",
	"INSERT INTO ticket_quota_types (quota_id, ticket_type_id) VALUES ($1, $2)" };
static const struct db_sql SQL_TYPE_EVENT = { "tickets_type_event",
	"SELECT event_id FROM ticket_types WHERE id = $1" };
/* What a quota holds by definition: the live tickets of its types on its date,
 * and the seats offered to its types' waiting lists. Run after the types'
 * locks are held, in a statement of its own, so on PostgreSQL it sees every
 * checkout that committed while this transaction waited for those locks. */
static const struct db_sql SQL_QUOTA_COUNT = { "tickets_quota_count",
	"SELECT (SELECT COUNT(*) FROM tickets t JOIN orders o ON o.id = t.order_id"
	"   JOIN ticket_quota_types qt ON qt.ticket_type_id = t.ticket_type_id"
	"   WHERE qt.quota_id = $1 AND t.event_date_id = $2 AND o.status IN ('pending', 'paid'))"
	" + (SELECT COALESCE(SUM(w.quantity), 0) FROM waiting_list w"
	"   JOIN ticket_quota_types qt ON qt.ticket_type_id = w.ticket_type_id"
	"   WHERE qt.quota_id = $1 AND w.event_date_id = $2 AND w.status = 'offered')" };
static const struct db_sql SQL_QUOTA_SET = { "tickets_quota_set",
	"UPDATE ticket_quotas SET name = $2, size = $3, sold = $4 WHERE id = $1" };
static const struct db_sql SQL_QUOTA_DELETE = { "tickets_quota_delete",
	"DELETE FROM ticket_quotas WHERE id = $1" };
static const struct db_sql SQL_QUOTAS_LIST = { "tickets_quotas_list",
	"SELECT q.id, q.event_date_id, q.name, q.size, q.sold FROM ticket_quotas q"
	" JOIN event_dates d ON d.id = q.event_date_id WHERE d.event_id = $1"
	" ORDER BY d.starts_at, q.id" };

/* What quota_write does: create or update (by quota_id), delete, or delete when unused. */
enum quota_op { QUOTA_WRITE, QUOTA_DELETE, QUOTA_DELETE_UNUSED };

struct quota_write {
	const struct actor *who;
	int64_t date_id, quota_id;     /* quota_id 0: create */
	bool is_delete, only_unused;
	const struct ticket_quota_input *in;
	struct arena *a;
	struct field_errors *fe;
	int64_t out_id;
	enum kq_err err;
};

static enum db_status quota_write_txn(struct db *db, void *cls)
{
	struct quota_write *x = cls;
	struct db_stmt *st;
	enum db_status s;
	int64_t event_id = 0;
	x->err = KQ_OK;
	x->out_id = 0;

	if (x->quota_id) {
		st = db_stmt(db, &SQL_QUOTA_GET);
		db_bind_i64(st, 1, x->quota_id);
		s = db_step(st);
		if (s == DB_ROW) {
			x->date_id = db_col_i64(st, 0);
			event_id = db_col_i64(st, 1);
		}
		db_reset(st);
		if (s != DB_ROW) {
			x->err = s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
			return DB_HARD;
		}
	} else {
		x->err = date_event(db, x->date_id, &event_id);
		if (x->err != KQ_OK)
			return DB_HARD;
	}
	x->err = authorize_event(db, x->who, event_id, ORG_ACT_PUBLISH, x->a);
	if (x->err != KQ_OK)
		return DB_HARD;

	/* Every type whose sales this change touches: the old links and the new. */
	int n_in = x->in ? x->in->n_types : 0;
	int64_t *types = arena_alloc(x->a, sizeof(int64_t) * (size_t)(n_in + TICKETS_QUOTA_TYPES_MAX + 1));
	int nt = 0;
	for (int i = 0; i < n_in; i++) {
		st = db_stmt(db, &SQL_TYPE_EVENT);
		db_bind_i64(st, 1, x->in->type_ids[i]);
		s = db_step(st);
		int64_t ev = s == DB_ROW ? db_col_i64(st, 0) : 0;
		db_reset(st);
		if (s < 0)
			return s;
		if (ev != event_id) {
			field_error_add(x->fe, "types", "tickets.field.types_invalid");
			x->err = KQ_ERR_FORM_INVALID;
			return DB_HARD;
		}
		types[nt++] = x->in->type_ids[i];
	}
	if (x->quota_id) {
		st = db_stmt(db, &SQL_QUOTA_TYPES);
		db_bind_i64(st, 1, x->quota_id);
		while ((s = db_step(st)) == DB_ROW && nt < n_in + TICKETS_QUOTA_TYPES_MAX + 1)
			types[nt++] = db_col_i64(st, 0);
		db_reset(st);
		if (s < 0)
			return s;
	}
	if ((s = tickets_lock_types(db, types, nt)) < 0)
		return s;

	if (x->is_delete) {
		if (x->only_unused) {
			/* Counted under the types' locks: no sale can slip in between. */
			st = db_stmt(db, &SQL_QUOTA_COUNT);
			db_bind_i64(st, 1, x->quota_id);
			db_bind_i64(st, 2, x->date_id);
			s = db_step(st);
			int64_t held = s == DB_ROW ? db_col_i64(st, 0) : 0;
			db_reset(st);
			if (s != DB_ROW)
				return s < 0 ? s : DB_HARD;
			if (held > 0) {
				x->err = KQ_ERR_TICKETS_IN_USE;
				return DB_HARD;
			}
		}
		/* Freeing a constraint needs no recount: the other quotas of the
		 * types keep counting their own seats. */
		st = db_stmt(db, &SQL_QUOTA_DELETE);
		db_bind_i64(st, 1, x->quota_id);
		return db_run(st);
	}

	int64_t id = x->quota_id;
	if (!id) {
		st = db_stmt(db, &SQL_QUOTA_INSERT);
		db_bind_i64(st, 1, x->date_id);
		db_bind_text(st, 2, x->in->name);
		db_bind_i64(st, 3, x->in->size);
		db_bind_i64(st, 4, time_now());
		s = db_step(st);
		if (s == DB_ROW)
			id = db_col_i64(st, 0);
		db_reset(st);
		if (s != DB_ROW)
			return s < 0 ? s : DB_HARD;
	} else {
		st = db_stmt(db, &SQL_QUOTA_LOCK);
		db_bind_i64(st, 1, id);
		if ((s = db_run(st)) < 0)
			return s;
		st = db_stmt(db, &SQL_QUOTA_UNLINK);
		db_bind_i64(st, 1, id);
		if ((s = db_run(st)) < 0)
			return s;
	}
	for (int i = 0; i < n_in; i++) {
		bool dup = false;
		for (int j = 0; j < i; j++)
			dup = dup || x->in->type_ids[j] == x->in->type_ids[i];
		if (dup)
			continue;
		st = db_stmt(db, &SQL_QUOTA_LINK);
		db_bind_i64(st, 1, id);
		db_bind_i64(st, 2, x->in->type_ids[i]);
		if ((s = db_run(st)) < 0)
			return s;
	}
	st = db_stmt(db, &SQL_QUOTA_COUNT);
	db_bind_i64(st, 1, id);
	db_bind_i64(st, 2, x->date_id);
	s = db_step(st);
	int64_t held = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	if (held > x->in->size) {
		field_error_add(x->fe, "size", "tickets.field.size_below_sold");
		x->err = KQ_ERR_TICKETS_QUOTA_BELOW_SOLD;
		return DB_HARD;
	}
	st = db_stmt(db, &SQL_QUOTA_SET);
	db_bind_i64(st, 1, id);
	db_bind_text(st, 2, x->in->name);
	db_bind_i64(st, 3, x->in->size);
	db_bind_i64(st, 4, held);
	if ((s = db_run(st)) < 0)
		return s;
	x->out_id = id;
	return DB_NONE;
}

static enum kq_err quota_write(struct db *db, const struct actor *who, int64_t date_id,
			       int64_t quota_id, enum quota_op op, const struct ticket_quota_input *in,
			       struct field_errors *fe, int64_t *out_id)
{
	struct field_errors none = { 0 };
	if (!fe)
		fe = &none;
	if (out_id)
		*out_id = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct ticket_quota_input norm;
	bool is_delete = op != QUOTA_WRITE;
	if (!is_delete) {
		norm = *in;
		if (!text_ok(in->name, 1, TICKETS_NAME_MAX, false))
			field_error_add(fe, "name", "tickets.field.name_invalid");
		else
			norm.name = str_trim(a, in->name);
		if (in->size < 0 || in->size > TICKETS_QUOTA_MAX)
			field_error_add(fe, "size", "tickets.field.size_invalid");
		if (in->n_types < 1 || in->n_types > TICKETS_QUOTA_TYPES_MAX || !in->type_ids)
			field_error_add(fe, "types", "tickets.field.types_invalid");
		if (fe->n) {
			arena_free(a);
			return KQ_ERR_FORM_INVALID;
		}
	}
	struct quota_write x = { who, date_id, quota_id, is_delete, op == QUOTA_DELETE_UNUSED,
				 is_delete ? NULL : &norm, a, fe, 0, KQ_OK };
	enum db_status s = db_txn_run(db, "tickets_quota_write", DB_WRITE, quota_write_txn, &x);
	arena_free(a);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	if (out_id)
		*out_id = x.out_id;
	return KQ_OK;
}

enum kq_err tickets_quota_create(struct db *db, const struct actor *who, int64_t event_date_id,
				 const struct ticket_quota_input *in, struct field_errors *fe,
				 int64_t *out_id)
{
	events_changed();   /* the agenda shows prices and seats left */
	return quota_write(db, who, event_date_id, 0, QUOTA_WRITE, in, fe, out_id);
}

enum kq_err tickets_quota_update(struct db *db, const struct actor *who, int64_t quota_id,
				 const struct ticket_quota_input *in, struct field_errors *fe)
{
	events_changed();   /* the agenda shows prices and seats left */
	if (quota_id <= 0)
		return KQ_ERR_NOT_FOUND;
	return quota_write(db, who, 0, quota_id, QUOTA_WRITE, in, fe, NULL);
}

enum kq_err tickets_quota_delete(struct db *db, const struct actor *who, int64_t quota_id)
{
	events_changed();   /* the agenda shows prices and seats left */
	if (quota_id <= 0)
		return KQ_ERR_NOT_FOUND;
	return quota_write(db, who, 0, quota_id, QUOTA_DELETE, NULL, NULL, NULL);
}

enum kq_err tickets_quota_delete_unused(struct db *db, const struct actor *who, int64_t quota_id)
{
	events_changed();   /* the agenda shows prices and seats left */
	if (quota_id <= 0)
		return KQ_ERR_NOT_FOUND;
	return quota_write(db, who, 0, quota_id, QUOTA_DELETE_UNUSED, NULL, NULL, NULL);
}

enum kq_err tickets_quotas_list(struct db *db, const struct actor *who, int64_t event_id,
				struct arena *a, struct ticket_quota **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = authorize_view(db, who, event_id, a);
	if (e != KQ_OK)
		return e;
	int cap = 8, n = 0;
	struct ticket_quota *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_QUOTAS_LIST);
	db_bind_i64(st, 1, event_id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		struct ticket_quota *q = &v[n++];
		q->id = db_col_i64(st, 0);
		q->event_date_id = db_col_i64(st, 1);
		q->name = db_col_str(st, 2, a);
		q->size = db_col_i64(st, 3);
		q->sold = db_col_i64(st, 4);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	for (int i = 0; i < n; i++) {
		v[i].type_ids = arena_alloc(a, sizeof(int64_t) * TICKETS_QUOTA_TYPES_MAX);
		st = db_stmt(db, &SQL_QUOTA_TYPES);
		db_bind_i64(st, 1, v[i].id);
		while ((s = db_step(st)) == DB_ROW && v[i].n_types < TICKETS_QUOTA_TYPES_MAX)
			v[i].type_ids[v[i].n_types++] = db_col_i64(st, 0);
		db_reset(st);
		if (s < 0)
			return KQ_ERR_INTERNAL;
	}
	*out = v;
	*out_n = n;
	return KQ_OK;
}

/* ---- what is on sale ------------------------------------------------------------------------ */

static const struct db_sql SQL_OFFER_TYPES = { "tickets_offer_types",
	"SELECT " TYPE_COLS " FROM ticket_types WHERE event_id = $1 AND archived_at IS NULL"
	" ORDER BY position, id" };
static const struct db_sql SQL_OFFER_DATES = { "tickets_offer_dates",
	"SELECT id, starts_at, ends_at, cancelled FROM event_dates WHERE event_id = $1"
	" AND (CAST($2 AS BIGINT) = 0 OR id = CAST($2 AS BIGINT)) ORDER BY starts_at, id" };
static const struct db_sql SQL_PAIR_LEFT = { "tickets_pair_left",
	"SELECT COUNT(*), COALESCE(MIN(q.size - q.sold), 0) FROM ticket_quota_types qt"
	" JOIN ticket_quotas q ON q.id = qt.quota_id"
	" WHERE qt.ticket_type_id = $1 AND q.event_date_id = $2" };
static const struct db_sql SQL_PAIR_WAITING = { "tickets_pair_waiting",
	"SELECT COUNT(*) FROM waiting_list WHERE ticket_type_id = $1 AND event_date_id = $2"
	" AND status = 'waiting'" };
static const struct db_sql SQL_VOUCHER_BY_CODE = { "tickets_voucher_by_code",
	"SELECT id, event_id, code, COALESCE(ticket_type_id, 0), kind, amount,"
	" COALESCE(max_uses, 0), used, COALESCE(valid_from, 0), COALESCE(valid_until, 0),"
	" disabled_at IS NOT NULL FROM vouchers WHERE event_id = $1 AND code = $2" };

static void read_voucher(struct db_stmt *st, struct arena *a, struct voucher *v)
{
	v->id = db_col_i64(st, 0);
	v->event_id = db_col_i64(st, 1);
	v->code = db_col_str(st, 2, a);
	v->ticket_type_id = db_col_i64(st, 3);
	v->kind = db_col_str(st, 4, a);
	v->amount = db_col_i64(st, 5);
	v->max_uses = db_col_i64(st, 6);
	v->used = db_col_i64(st, 7);
	v->valid_from = db_col_i64(st, 8);
	v->valid_until = db_col_i64(st, 9);
	v->is_disabled = db_col_i64(st, 10) != 0;
}

/* Shared with orders.c through tickets_voucher_find below. */
static enum kq_err voucher_find(struct db *db, struct arena *a, int64_t event_id,
				const char *code, int64_t now, struct voucher *out)
{
	memset(out, 0, sizeof(*out));
	if (!code || !*code || strlen(code) > TICKETS_VOUCHER_CODE_MAX)
		return KQ_ERR_VOUCHER_INVALID;
	char *upper = arena_strdup(a, code);
	for (char *p = upper; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	upper = str_trim(a, upper);
	struct db_stmt *st = db_stmt(db, &SQL_VOUCHER_BY_CODE);
	db_bind_i64(st, 1, event_id);
	db_bind_text(st, 2, upper);
	enum db_status s = faults_step(st);
	if (s == DB_ROW)
		read_voucher(st, a, out);
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (s == DB_NONE || out->is_disabled || (out->valid_from && now < out->valid_from) ||
	    (out->valid_until && now >= out->valid_until))
		return KQ_ERR_VOUCHER_INVALID;
	return KQ_OK;
}

enum kq_err tickets_voucher_find(struct db *db, struct arena *a, int64_t event_id,
				 const char *code, int64_t now, struct voucher *out)
{
	return voucher_find(db, a, event_id, code, now, out);
}

enum kq_err tickets_offers(struct db *db, struct arena *a, int64_t event_id, int64_t event_date_id,
			   const char *voucher_code, struct ticket_offer **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	int64_t now = time_now();
	struct ticket_event ev;
	enum kq_err e = tickets_event_get(db, a, event_id, &ev);
	if (e != KQ_OK)
		return e;
	if (strcmp(ev.status, "published") != 0 && strcmp(ev.status, "postponed") != 0)
		return KQ_OK;
	struct voucher v = { 0 };
	bool has_voucher = voucher_code && *voucher_code &&
			   voucher_find(db, a, event_id, voucher_code, now, &v) == KQ_OK;

	/* Types first, then dates: both lists are small for one event. */
	int ntypes = 0, ndates = 0, cap = 8;
	struct ticket_type *types = arena_alloc(a, sizeof(*types) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_OFFER_TYPES);
	db_bind_i64(st, 1, event_id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		types = arena_grow(a, types, ntypes, &cap, sizeof(*types));
		read_type(st, a, &types[ntypes++]);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	struct date_row { int64_t id, starts_at, ends_at; bool cancelled; } *dates;
	int dcap = 8;
	dates = arena_alloc(a, sizeof(*dates) * (size_t)dcap);
	st = db_stmt(db, &SQL_OFFER_DATES);
	db_bind_i64(st, 1, event_id);
	db_bind_i64(st, 2, event_date_id);
	while ((s = db_step(st)) == DB_ROW) {
		dates = arena_grow(a, dates, ndates, &dcap, sizeof(*dates));
		dates[ndates].id = db_col_i64(st, 0);
		dates[ndates].starts_at = db_col_i64(st, 1);
		dates[ndates].ends_at = db_col_i64(st, 2);
		dates[ndates].cancelled = db_col_i64(st, 3) != 0;
		ndates++;
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;

	struct ticket_offer *offers = arena_alloc(a, sizeof(*offers) * (size_t)(ntypes * ndates + 1));
	int n = 0;
	for (int d = 0; d < ndates; d++) {
		for (int t = 0; t < ntypes; t++) {
			const struct ticket_type *ty = &types[t];
			bool unlocked = has_voucher &&
					(v.ticket_type_id == 0 || v.ticket_type_id == ty->id);
			if (strcmp(ty->visibility, "hidden") == 0 &&
			    !(has_voucher && v.ticket_type_id == ty->id))
				continue;
			st = db_stmt(db, &SQL_PAIR_LEFT);
			db_bind_i64(st, 1, ty->id);
			db_bind_i64(st, 2, dates[d].id);
			s = db_step(st);
			int64_t nq = s == DB_ROW ? db_col_i64(st, 0) : 0;
			int64_t left = s == DB_ROW ? db_col_i64(st, 1) : 0;
			db_reset(st);
			if (s < 0)
				return KQ_ERR_INTERNAL;
			if (nq == 0)
				continue;   /* not sold on this date */
			st = db_stmt(db, &SQL_PAIR_WAITING);
			db_bind_i64(st, 1, ty->id);
			db_bind_i64(st, 2, dates[d].id);
			s = db_step(st);
			int64_t waiting = s == DB_ROW ? db_col_i64(st, 0) : 0;
			db_reset(st);
			if (s < 0)
				return KQ_ERR_INTERNAL;
			struct ticket_offer *o = &offers[n++];
			o->ticket_type_id = ty->id;
			o->event_date_id = dates[d].id;
			o->date_starts_at = dates[d].starts_at;
			o->date_ends_at = dates[d].ends_at;
			o->name = ty->name;
			o->description = ty->description;
			o->price_cents = ty->price_cents;
			o->currency = ty->currency;
			o->min_per_order = ty->min_per_order;
			o->max_per_order = ty->max_per_order;
			o->needs_voucher = strcmp(ty->visibility, "public") != 0;
			int64_t end = ty->sale_ends_at ? ty->sale_ends_at : dates[d].starts_at;
			o->is_on_sale = !dates[d].cancelled && now < end &&
					(!ty->sale_starts_at || now >= ty->sale_starts_at) &&
					(!o->needs_voucher || unlocked);
			o->waiting = waiting;
			/* Seats freed while people wait go to them first (orders.c). */
			o->left = waiting > 0 || left < 0 ? 0 : left;
		}
	}
	*out = offers;
	*out_n = n;
	return KQ_OK;
}

static const struct db_sql SQL_DATE_QUOTAS = { "tickets_date_quotas",
	"SELECT id, size - sold FROM ticket_quotas WHERE event_date_id = $1 ORDER BY id" };
static const struct db_sql SQL_DATE_LINKS = { "tickets_date_links",
	"SELECT qt.quota_id, qt.ticket_type_id FROM ticket_quota_types qt"
	" JOIN ticket_quotas q ON q.id = qt.quota_id WHERE q.event_date_id = $1"
	" ORDER BY qt.quota_id, qt.ticket_type_id" };

enum kq_err tickets_date_left(struct db *db, int64_t event_date_id, int64_t *out_left,
			      bool *out_is_ticketed)
{
	*out_left = 0;
	*out_is_ticketed = false;
	struct arena *a = arena_new();
	enum kq_err e = KQ_ERR_INTERNAL;
	int nq = 0, qcap = 8, nl = 0, lcap = 32;
	struct qrow { int64_t id, free; } *q = arena_alloc(a, sizeof(*q) * (size_t)qcap);
	struct lrow { int64_t quota, type; } *l = arena_alloc(a, sizeof(*l) * (size_t)lcap);
	struct db_stmt *st = db_stmt(db, &SQL_DATE_QUOTAS);
	db_bind_i64(st, 1, event_date_id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		q = arena_grow(a, q, nq, &qcap, sizeof(*q));
		q[nq].id = db_col_i64(st, 0);
		q[nq].free = db_col_i64(st, 1);
		nq++;
	}
	db_reset(st);
	if (s < 0)
		goto out;
	st = db_stmt(db, &SQL_DATE_LINKS);
	db_bind_i64(st, 1, event_date_id);
	while ((s = db_step(st)) == DB_ROW) {
		l = arena_grow(a, l, nl, &lcap, sizeof(*l));
		l[nl].quota = db_col_i64(st, 0);
		l[nl].type = db_col_i64(st, 1);
		nl++;
	}
	db_reset(st);
	if (s < 0)
		goto out;
	/* A quota is nested in another when every type of it is also a type of
	 * the other (equal sets: the lower id counts). Nested quotas only cap
	 * seats already counted in the outer one. */
	int64_t left = 0;
	for (int i = 0; i < nq; i++) {
		bool nested = false;
		for (int j = 0; j < nq && !nested; j++) {
			if (i == j)
				continue;
			bool subset = true, equal = true;
			for (int x = 0; x < nl && subset; x++) {
				if (l[x].quota != q[i].id)
					continue;
				bool found = false;
				for (int y = 0; y < nl && !found; y++)
					found = l[y].quota == q[j].id && l[y].type == l[x].type;
				subset = found;
			}
			for (int y = 0; y < nl && equal; y++) {
				if (l[y].quota != q[j].id)
					continue;
				bool found = false;
				for (int x = 0; x < nl && !found; x++)
					found = l[x].quota == q[i].id && l[x].type == l[y].type;
				equal = found;
			}
			nested = subset && (!equal || q[j].id < q[i].id);
		}
		if (!nested && q[i].free > 0)
			left += q[i].free;
	}
	*out_left = left;
	*out_is_ticketed = nq > 0;
	e = KQ_OK;
out:
	arena_free(a);
	return e;
}

static const struct db_sql SQL_DATE_PRICES = { "tickets_date_prices",
	"SELECT COUNT(*), COALESCE(MIN(t.price_cents), 0), COALESCE(MAX(t.price_cents), 0)"
	" FROM ticket_types t WHERE t.event_id = $1 AND t.archived_at IS NULL"
	" AND t.visibility = 'public' AND EXISTS (SELECT 1 FROM ticket_quota_types qt"
	"   JOIN ticket_quotas q ON q.id = qt.quota_id"
	"   WHERE qt.ticket_type_id = t.id AND q.event_date_id = $2)" };

enum kq_err tickets_date_prices(struct db *db, int64_t event_id, int64_t event_date_id,
				int64_t *out_min, int64_t *out_max, int *out_n)
{
	*out_min = *out_max = 0;
	*out_n = 0;
	struct db_stmt *st = db_stmt(db, &SQL_DATE_PRICES);
	db_bind_i64(st, 1, event_id);
	db_bind_i64(st, 2, event_date_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		*out_n = (int)db_col_i64(st, 0);
		*out_min = db_col_i64(st, 1);
		*out_max = db_col_i64(st, 2);
	}
	db_reset(st);
	return s == DB_ROW ? KQ_OK : KQ_ERR_INTERNAL;
}

/* ---- vouchers ----------------------------------------------------------------------------- */

static const struct db_sql SQL_VOUCHER_INSERT = { "tickets_voucher_insert",
	"INSERT INTO vouchers (event_id, code, ticket_type_id, kind, amount, max_uses, valid_from,"
	" valid_until, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
	" ON CONFLICT (event_id, code) DO NOTHING RETURNING id" };
static const struct db_sql SQL_VOUCHER_GET = { "tickets_voucher_get",
	"SELECT id, event_id, code, COALESCE(ticket_type_id, 0), kind, amount,"
	" COALESCE(max_uses, 0), used, COALESCE(valid_from, 0), COALESCE(valid_until, 0),"
	" disabled_at IS NOT NULL FROM vouchers WHERE id = $1" };
static const struct db_sql SQL_VOUCHERS_LIST = { "tickets_vouchers_list",
	"SELECT id, event_id, code, COALESCE(ticket_type_id, 0), kind, amount,"
	" COALESCE(max_uses, 0), used, COALESCE(valid_from, 0), COALESCE(valid_until, 0),"
	" disabled_at IS NOT NULL FROM vouchers WHERE event_id = $1 ORDER BY id" };
static const struct db_sql SQL_VOUCHER_DISABLE = { "tickets_voucher_disable",
	"UPDATE vouchers SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL" };

int64_t tickets_voucher_discount(const struct voucher *v, int64_t price_cents)
{
	if (!v || price_cents <= 0)
		return 0;
	int64_t off = 0;
	if (strcmp(v->kind, "fixed") == 0)
		off = v->amount;
	else if (strcmp(v->kind, "percent") == 0)
		/* Rounded half up to the cent, per ticket, computed in integers. */
		off = (price_cents * v->amount + 50) / 100;
	if (off > price_cents)
		off = price_cents;
	return off < 0 ? 0 : off;
}

static bool code_ok(const char *c)
{
	size_t n = strlen(c);
	if (n < 3 || n > TICKETS_VOUCHER_CODE_MAX)
		return false;
	for (const char *p = c; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

/* A voucher or question limited to one ticket type: that type must belong to
 * the same event. type_id 0 means "every type" and always fits. On a refusal
 * sets fe "types", *err and returns DB_HARD so the transaction keeps nothing. */
static enum db_status type_of_event(struct db *db, int64_t type_id, int64_t event_id,
				    struct field_errors *fe, enum kq_err *err)
{
	if (!type_id)
		return DB_NONE;
	struct db_stmt *st = db_stmt(db, &SQL_TYPE_EVENT);
	db_bind_i64(st, 1, type_id);
	enum db_status s = db_step(st);
	int64_t ev = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return s;
	if (ev != event_id) {
		field_error_add(fe, "types", "tickets.field.types_invalid");
		*err = KQ_ERR_FORM_INVALID;
		return DB_HARD;
	}
	return DB_NONE;
}

struct voucher_write {
	const struct actor *who;
	int64_t event_id;
	const struct voucher_input *in;
	const char *code;
	struct arena *a;
	struct field_errors *fe;
	struct voucher *out;
	enum kq_err err;
};

static enum db_status voucher_write_txn(struct db *db, void *cls)
{
	struct voucher_write *x = cls;
	x->err = authorize_event(db, x->who, x->event_id, ORG_ACT_PUBLISH, x->a);
	if (x->err != KQ_OK)
		return DB_HARD;
	struct db_stmt *st;
	enum db_status s = type_of_event(db, x->in->ticket_type_id, x->event_id, x->fe, &x->err);
	if (s < 0)
		return s;
	st = db_stmt(db, &SQL_VOUCHER_INSERT);
	db_bind_i64(st, 1, x->event_id);
	db_bind_text(st, 2, x->code);
	db_bind_i64_or_null(st, 3, x->in->ticket_type_id);
	db_bind_text(st, 4, x->in->kind);
	db_bind_i64(st, 5, x->in->amount);
	db_bind_i64_or_null(st, 6, x->in->max_uses);
	db_bind_i64_or_null(st, 7, x->in->valid_from);
	db_bind_i64_or_null(st, 8, x->in->valid_until);
	db_bind_i64(st, 9, time_now());
	s = db_step(st);
	int64_t id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		field_error_add(x->fe, "code", "err.vouchers.code_taken");
		x->err = KQ_ERR_VOUCHER_CODE_TAKEN;
		return DB_HARD;
	}
	st = db_stmt(db, &SQL_VOUCHER_GET);
	db_bind_i64(st, 1, id);
	s = db_step(st);
	if (s == DB_ROW)
		read_voucher(st, x->a, x->out);
	db_reset(st);
	return s == DB_ROW ? DB_NONE : s < 0 ? s : DB_HARD;
}

enum kq_err tickets_voucher_create(struct db *db, const struct actor *who, int64_t event_id,
				   const struct voucher_input *in, struct arena *a,
				   struct field_errors *fe, struct voucher *out)
{
	memset(out, 0, sizeof(*out));
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	char generated[16];
	const char *code = in->code;
	if (!code || !*code) {
		crypto_random_alnum(generated, 10);
		code = generated;
	}
	char *upper = str_trim(a, code);
	for (char *p = upper; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (!code_ok(upper))
		field_error_add(fe, "code", "tickets.field.code_invalid");
	bool percent = str_eq(in->kind, "percent");
	if (!percent && !str_eq(in->kind, "fixed"))
		field_error_add(fe, "kind", "tickets.field.invalid");
	else if (in->amount < 0 || (percent && in->amount > 100) ||
		 (!percent && in->amount > TICKETS_PRICE_MAX))
		field_error_add(fe, "amount", "tickets.field.amount_invalid");
	if (in->max_uses < 0 || in->max_uses > TICKETS_QUOTA_MAX)
		field_error_add(fe, "max_uses", "tickets.field.invalid");
	if (in->valid_from < 0 || in->valid_until < 0 ||
	    (in->valid_until && in->valid_from && in->valid_until <= in->valid_from))
		field_error_add(fe, "valid_until", "tickets.field.sale_window_invalid");
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	struct voucher_write x = { who, event_id, in, upper, a, fe, out, KQ_OK };
	enum db_status s = db_txn_run(db, "tickets_voucher_create", DB_WRITE, voucher_write_txn, &x);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	return KQ_OK;
}

struct voucher_disable {
	const struct actor *who;
	int64_t voucher_id;
	struct arena *a;
	enum kq_err err;
};

static enum db_status voucher_disable_txn(struct db *db, void *cls)
{
	struct voucher_disable *x = cls;
	struct voucher v;
	struct db_stmt *st = db_stmt(db, &SQL_VOUCHER_GET);
	db_bind_i64(st, 1, x->voucher_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_voucher(st, x->a, &v);
	db_reset(st);
	if (s != DB_ROW) {
		x->err = s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
		return DB_HARD;
	}
	x->err = authorize_event(db, x->who, v.event_id, ORG_ACT_PUBLISH, x->a);
	if (x->err != KQ_OK)
		return DB_HARD;
	st = db_stmt(db, &SQL_VOUCHER_DISABLE);
	db_bind_i64(st, 1, x->voucher_id);
	db_bind_i64(st, 2, time_now());
	return db_run(st);
}

enum kq_err tickets_voucher_disable(struct db *db, const struct actor *who, int64_t voucher_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct voucher_disable x = { who, voucher_id, a, KQ_OK };
	enum db_status s = db_txn_run(db, "tickets_voucher_disable", DB_WRITE, voucher_disable_txn,
				      &x);
	arena_free(a);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	return KQ_OK;
}

enum kq_err tickets_vouchers_list(struct db *db, const struct actor *who, int64_t event_id,
				  struct arena *a, struct voucher **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = authorize_view(db, who, event_id, a);
	if (e != KQ_OK)
		return e;
	int cap = 8, n = 0;
	struct voucher *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_VOUCHERS_LIST);
	db_bind_i64(st, 1, event_id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		read_voucher(st, a, &v[n++]);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

/* ---- questions ------------------------------------------------------------------------------ */

static const struct db_sql SQL_QUESTION_INSERT = { "tickets_question_insert",
	"INSERT INTO ticket_questions (event_id, ticket_type_id, label, kind, options, required,"
	" position, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id" };
static const struct db_sql SQL_QUESTION_GET = { "tickets_question_get",
	"SELECT event_id FROM ticket_questions WHERE id = $1" };
static const struct db_sql SQL_QUESTION_ANSWERED = { "tickets_question_answered",
	"SELECT 1 FROM ticket_answers WHERE question_id = $1 LIMIT 1" };
static const struct db_sql SQL_QUESTION_DELETE = { "tickets_question_delete",
	"DELETE FROM ticket_questions WHERE id = $1" };
static const struct db_sql SQL_QUESTIONS_LIST = { "tickets_questions_list",
	"SELECT id, event_id, COALESCE(ticket_type_id, 0), label, kind, options, required, position"
	" FROM ticket_questions WHERE event_id = $1 ORDER BY position, id" };

static const char *const question_kinds[] = { "text", "choice", "yesno", NULL };

/* "a\nb\n\nc" -> {"a", "b", "c"}: trimmed, empty lines dropped. */
static int split_options(struct arena *a, const char *text, const char ***out)
{
	int cap = 8, n = 0;
	const char **v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	for (const char *p = text ? text : ""; *p;) {
		size_t len = strcspn(p, "\n");
		char *line = str_trim(a, arena_strndup(a, p, len));
		size_t ll = strlen(line);
		if (ll && line[ll - 1] == '\r')
			line[ll - 1] = 0;
		if (*line) {
			v = arena_grow(a, v, n, &cap, sizeof(*v));
			v[n++] = line;
		}
		p += len;
		if (*p)
			p++;
	}
	*out = v;
	return n;
}

struct question_write {
	const struct actor *who;
	int64_t event_id;
	const struct ticket_question_input *in;
	const char *options;
	struct arena *a;
	struct field_errors *fe;
	int64_t id;
	enum kq_err err;
};

static enum db_status question_write_txn(struct db *db, void *cls)
{
	struct question_write *x = cls;
	x->err = authorize_event(db, x->who, x->event_id, ORG_ACT_PUBLISH, x->a);
	if (x->err != KQ_OK)
		return DB_HARD;
	struct db_stmt *st;
	enum db_status s = type_of_event(db, x->in->ticket_type_id, x->event_id, x->fe, &x->err);
	if (s < 0)
		return s;
	st = db_stmt(db, &SQL_QUESTION_INSERT);
	db_bind_i64(st, 1, x->event_id);
	db_bind_i64_or_null(st, 2, x->in->ticket_type_id);
	db_bind_text(st, 3, x->in->label);
	db_bind_text(st, 4, x->in->kind);
	db_bind_text(st, 5, x->options);
	db_bind_bool(st, 6, x->in->required);
	db_bind_i64(st, 7, x->in->position);
	db_bind_i64(st, 8, time_now());
	s = db_step(st);
	x->id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	return s == DB_ROW ? DB_NONE : s < 0 ? s : DB_HARD;
}

enum kq_err tickets_question_create(struct db *db, const struct actor *who, int64_t event_id,
				    const struct ticket_question_input *in, struct arena *a,
				    struct field_errors *fe, struct ticket_question *out)
{
	memset(out, 0, sizeof(*out));
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!text_ok(in->label, 1, 300, false))
		field_error_add(fe, "label", "tickets.field.name_invalid");
	if (!one_of(in->kind, question_kinds))
		field_error_add(fe, "kind", "tickets.field.invalid");
	const char **opts = NULL;
	int nopts = 0;
	struct buf joined = BUF_INIT;
	if (str_eq(in->kind, "choice")) {
		nopts = split_options(a, in->options, &opts);
		bool ok = nopts >= 2 && nopts <= TICKETS_QUESTION_OPTIONS_MAX;
		for (int i = 0; ok && i < nopts; i++)
			ok = text_ok(opts[i], 1, 200, false);
		if (!ok)
			field_error_add(fe, "options", "tickets.field.options_invalid");
		for (int i = 0; i < nopts; i++) {
			if (i)
				buf_putc(&joined, '\n');
			buf_puts(&joined, opts[i]);
		}
	}
	if (fe->n) {
		buf_free(&joined);
		return KQ_ERR_FORM_INVALID;
	}
	struct ticket_question_input norm = *in;
	norm.label = str_trim(a, in->label);
	const char *options = arena_strdup(a, buf_str(&joined));
	buf_free(&joined);
	struct question_write x = { who, event_id, &norm, options, a, fe, 0, KQ_OK };
	enum db_status s = db_txn_run(db, "tickets_question_create", DB_WRITE, question_write_txn,
				      &x);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	out->id = x.id;
	out->event_id = event_id;
	out->ticket_type_id = in->ticket_type_id;
	out->label = norm.label;
	out->kind = arena_strdup(a, in->kind);
	out->options = opts;
	out->n_options = nopts;
	out->required = in->required;
	out->position = in->position;
	return KQ_OK;
}

struct question_delete {
	const struct actor *who;
	int64_t id;
	struct arena *a;
	enum kq_err err;
};

static enum db_status question_delete_txn(struct db *db, void *cls)
{
	struct question_delete *x = cls;
	struct db_stmt *st = db_stmt(db, &SQL_QUESTION_GET);
	db_bind_i64(st, 1, x->id);
	enum db_status s = db_step(st);
	int64_t event_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW) {
		x->err = s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
		return DB_HARD;
	}
	x->err = authorize_event(db, x->who, event_id, ORG_ACT_PUBLISH, x->a);
	if (x->err != KQ_OK)
		return DB_HARD;
	st = db_stmt(db, &SQL_QUESTION_ANSWERED);
	db_bind_i64(st, 1, x->id);
	s = db_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_ROW) {
		/* Buyers' answers are theirs: a question with answers stays. */
		x->err = KQ_ERR_TICKETS_IN_USE;
		return DB_HARD;
	}
	st = db_stmt(db, &SQL_QUESTION_DELETE);
	db_bind_i64(st, 1, x->id);
	return db_run(st);
}

enum kq_err tickets_question_delete(struct db *db, const struct actor *who, int64_t question_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct question_delete x = { who, question_id, a, KQ_OK };
	enum db_status s = db_txn_run(db, "tickets_question_delete", DB_WRITE, question_delete_txn,
				      &x);
	arena_free(a);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	return KQ_OK;
}

enum kq_err tickets_questions_list(struct db *db, struct arena *a, int64_t event_id,
				   struct ticket_question **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	int cap = 8, n = 0;
	struct ticket_question *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_QUESTIONS_LIST);
	db_bind_i64(st, 1, event_id);
	enum db_status s;
	while ((s = faults_step(st)) == DB_ROW) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		struct ticket_question *q = &v[n++];
		q->id = db_col_i64(st, 0);
		q->event_id = db_col_i64(st, 1);
		q->ticket_type_id = db_col_i64(st, 2);
		q->label = db_col_str(st, 3, a);
		q->kind = db_col_str(st, 4, a);
		q->n_options = split_options(a, db_col_text(st, 5), &q->options);
		q->required = db_col_i64(st, 6) != 0;
		q->position = (int)db_col_i64(st, 7);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}
