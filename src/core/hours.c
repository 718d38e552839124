/* hours.c: opening hours: read, checked and written per organisation; "open now" in local time
 *
 * Local time is the process's (time_init sets TZ=Europe/Paris), so the day
 * and minute of "now" follow summer time without any table of ours. */
#include "hours.h"
#include "orgs.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct db_sql SQL_HOURS = { "hours_of_org",
	"SELECT weekday, opens_min, closes_min FROM org_hours WHERE org_id = $1"
	" ORDER BY weekday, opens_min" };
/* The ranges of up to HOURS_CHUNK organisations (the db layer binds 32
 * parameters at most) in one statement; unused places are bound to 0, which
 * no organisation has. */
#define HOURS_CHUNK 32
static const struct db_sql SQL_HOURS_MANY = { "hours_of_orgs",
	"SELECT org_id, weekday, opens_min, closes_min FROM org_hours WHERE org_id IN ("
	"$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
	" $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30,"
	" $31, $32)"
	" ORDER BY org_id, weekday, opens_min" };
static const struct db_sql SQL_NOTE = { "hours_note_of_org",
	"SELECT hours_note FROM organisations WHERE id = $1" };
static const struct db_sql SQL_CLEAR = { "hours_clear",
	"DELETE FROM org_hours WHERE org_id = $1" };
static const struct db_sql SQL_INSERT = { "hours_insert",
	"INSERT INTO org_hours (org_id, weekday, opens_min, closes_min) VALUES ($1, $2, $3, $4)" };
static const struct db_sql SQL_SET_NOTE = { "hours_set_note",
	"UPDATE organisations SET hours_note = $2, updated_at = $3 WHERE id = $1" };

/* ---- reading what people type ---------------------------------------------------------- */

static void skip_spaces(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/* One time: 9 | 9h | 9h30 | 09:30 | 9.30 | 24:00. Advances *p. */
static bool parse_time(const char **p, int *out)
{
	const char *s = *p;
	int h = 0, m = 0, digits = 0;
	while (*s >= '0' && *s <= '9' && digits < 2) {
		h = h * 10 + (*s++ - '0');
		digits++;
	}
	if (!digits)
		return false;
	if (*s == 'h' || *s == 'H' || *s == ':' || *s == '.') {
		bool colon = *s != 'h' && *s != 'H';
		s++;
		if (*s >= '0' && *s <= '9' && s[1] >= '0' && s[1] <= '9') {
			m = (s[0] - '0') * 10 + (s[1] - '0');
			s += 2;
		} else if (colon) {
			return false;   /* "9:" or "9:3" */
		}
	}
	if (h > 24 || m > 59 || (h == 24 && m))
		return false;
	*out = h * 60 + m;
	*p = s;
	return true;
}

/* "-", "–" (en dash), or "à". */
static bool parse_dash(const char **p)
{
	skip_spaces(p);
	if (**p == '-') {
		(*p)++;
		return true;
	}
	if (strncmp(*p, "\xe2\x80\x93", 3) == 0 || strncmp(*p, "\xc3\xa0", 2) == 0) {
		*p += (*p)[0] == '\xe2' ? 3 : 2;
		return true;
	}
	return false;
}

bool hours_parse_day(const char *text, int weekday, struct hours_range out[HOURS_PER_DAY_MAX],
		     int *out_n, const char **out_err)
{
	*out_n = 0;
	*out_err = NULL;
	const char *p = text ? text : "";
	if (strlen(p) > HOURS_DAY_TEXT_MAX) {
		*out_err = "err.hours.format";
		return false;
	}
	skip_spaces(&p);
	while (*p) {
		int o, c;
		skip_spaces(&p);
		if (!parse_time(&p, &o) || !parse_dash(&p)) {
			*out_err = "err.hours.format";
			return false;
		}
		skip_spaces(&p);
		if (!parse_time(&p, &c)) {
			*out_err = "err.hours.format";
			return false;
		}
		skip_spaces(&p);
		if (*p && *p != ',' && *p != ';') {
			*out_err = "err.hours.format";
			return false;
		}
		if (*p)
			p++;
		skip_spaces(&p);
		if (o >= 1440 || c <= o) {
			*out_err = "err.hours.order";
			return false;
		}
		if (*out_n == HOURS_PER_DAY_MAX) {
			*out_err = "err.hours.too_many";
			return false;
		}
		/* INVARIANT(hours-order): each range starts after the last one ended. */
		if (*out_n && o < out[*out_n - 1].closes_min) {
			*out_err = "err.hours.overlap";
			return false;
		}
		out[*out_n] = (struct hours_range){ weekday, o, c };
		(*out_n)++;
	}
	return true;
}

const char *hours_format_min(struct arena *a, int min)
{
	return arena_printf(a, "%d:%02d", min / 60, min % 60);
}

const char *hours_format_day(struct arena *a, const struct org_hours *h, int weekday)
{
	char *s = arena_strdup(a, "");
	for (int i = 0; i < h->n; i++) {
		if (h->ranges[i].weekday != weekday)
			continue;
		s = arena_printf(a, "%s%s%s-%s", s, *s ? ", " : "",
				 hours_format_min(a, h->ranges[i].opens_min),
				 hours_format_min(a, h->ranges[i].closes_min));
	}
	return s;
}

/* ---- storage ------------------------------------------------------------------------------ */

enum kq_err hours_ranges(struct db *db, struct arena *a, int64_t org_id, struct org_hours *out)
{
	int n = 0, cap = 8;
	struct hours_range *list = arena_alloc(a, sizeof(*list) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_HOURS);
	db_bind_i64(st, 1, org_id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		list = arena_grow(a, list, n, &cap, sizeof(*list));
		list[n++] = (struct hours_range){ (int)db_col_i64(st, 0), (int)db_col_i64(st, 1),
						  (int)db_col_i64(st, 2) };
	}
	db_reset(st);
	out->ranges = list;
	out->n = n;
	out->note = "";
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

static enum kq_err hours_chunk(struct db *db, struct arena *a, const int64_t *ids, int n,
			       struct org_hours *out)
{
	struct hours_range *all[HOURS_CHUNK];
	int cap[HOURS_CHUNK];
	for (int i = 0; i < n; i++) {
		cap[i] = 0;
		all[i] = NULL;
	}
	struct db_stmt *st = db_stmt(db, &SQL_HOURS_MANY);
	for (int i = 0; i < HOURS_CHUNK; i++)
		db_bind_i64(st, i + 1, i < n ? ids[i] : 0);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		int64_t id = db_col_i64(st, 0);
		for (int i = 0; i < n; i++) {
			if (ids[i] != id)
				continue;
			if (!all[i]) {
				cap[i] = 8;
				all[i] = arena_alloc(a, sizeof(*all[i]) * (size_t)cap[i]);
			}
			all[i] = arena_grow(a, all[i], out[i].n, &cap[i], sizeof(*all[i]));
			all[i][out[i].n++] = (struct hours_range){ (int)db_col_i64(st, 1),
								   (int)db_col_i64(st, 2),
								   (int)db_col_i64(st, 3) };
			out[i].ranges = all[i];
		}
	}
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

enum kq_err hours_of_many(struct db *db, struct arena *a, const int64_t *ids, int n,
			  struct org_hours *out)
{
	for (int i = 0; i < n; i++)
		out[i] = (struct org_hours){ NULL, 0, "" };
	for (int k = 0; k < n; k += HOURS_CHUNK) {
		enum kq_err e = hours_chunk(db, a, ids + k, n - k < HOURS_CHUNK ? n - k : HOURS_CHUNK,
					    out + k);
		if (e != KQ_OK)
			return e;
	}
	return KQ_OK;
}

enum kq_err hours_get(struct db *db, struct arena *a, int64_t org_id, struct org_hours *out)
{
	enum kq_err e = hours_ranges(db, a, org_id, out);
	if (e != KQ_OK)
		return e;
	struct db_stmt *st = db_stmt(db, &SQL_NOTE);
	db_bind_i64(st, 1, org_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		out->note = db_col_str(st, 0, a);
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

enum db_status hours_insert_raw(struct db *db, int64_t org_id, const struct hours_range *r, int n)
{
	for (int i = 0; i < n; i++) {
		struct db_stmt *st = db_stmt(db, &SQL_INSERT);
		db_bind_i64(st, 1, org_id);
		db_bind_i64(st, 2, r[i].weekday);
		db_bind_i64(st, 3, r[i].opens_min);
		db_bind_i64(st, 4, r[i].closes_min);
		enum db_status s = db_run(st);
		if (s < 0)
			return s;
	}
	return DB_NONE;
}

static const char *const day_fields[7] = { "d1", "d2", "d3", "d4", "d5", "d6", "d7" };

struct set_ctx {
	const struct actor *who;
	int64_t org_id;
	const struct hours_range *r;
	int n;
	const char *note;
	enum kq_err err;
};

static enum db_status set_txn(struct db *db, void *cls)
{
	struct set_ctx *x = cls;
	x->err = orgs_authorize(db, x->who, x->org_id, ORG_ACT_EDIT_PROFILE);
	if (x->err != KQ_OK)
		return DB_HARD;
	struct db_stmt *st = db_stmt(db, &SQL_CLEAR);
	db_bind_i64(st, 1, x->org_id);
	enum db_status s = db_run(st);
	if (s < 0 || (s = hours_insert_raw(db, x->org_id, x->r, x->n)) < 0)
		return s;
	st = db_stmt(db, &SQL_SET_NOTE);
	db_bind_i64(st, 1, x->org_id);
	db_bind_text(st, 2, x->note);
	db_bind_i64(st, 3, time_now());
	return db_run(st);
}

enum kq_err hours_set(struct db *db, const struct actor *who, int64_t org_id,
		      const char *const days[7], const char *note, struct field_errors *fe)
{
	/* Who may edit is said before what is wrong with the input. */
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_EDIT_PROFILE);
	if (e != KQ_OK)
		return e;
	struct hours_range all[7 * HOURS_PER_DAY_MAX];
	int n = 0;
	for (int d = 0; d < 7; d++) {
		int k;
		const char *err;
		if (!hours_parse_day(days[d], d + 1, all + n, &k, &err)) {
			field_error_add(fe, day_fields[d], err);
			continue;
		}
		n += k;
	}
	const char *nt = note ? note : "";
	while (*nt == ' ')
		nt++;
	char trimmed[HOURS_NOTE_MAX * 4 + 1];
	size_t len = strlen(nt);
	if (!str_text_ok(nt, HOURS_NOTE_MAX, false) || len >= sizeof(trimmed)) {
		field_error_add(fe, "note", "err.hours.note_invalid");
		len = 0;
	}
	memcpy(trimmed, nt, len);
	while (len && trimmed[len - 1] == ' ')
		len--;
	trimmed[len] = 0;
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	struct set_ctx x = { who, org_id, all, n, trimmed, KQ_OK };
	enum db_status s = db_txn_run(db, "hours_set", DB_WRITE, set_txn, &x);
	if (x.err != KQ_OK)
		return x.err;
	if (s < 0) {
		log_error("hours_set: %s", db_errmsg(db));
		return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}

/* ---- open now ------------------------------------------------------------------------------ */

/* The range of weekday that starts at minute 0, or NULL. */
static const struct hours_range *from_midnight(const struct org_hours *h, int weekday)
{
	for (int i = 0; i < h->n; i++)
		if (h->ranges[i].weekday == weekday && h->ranges[i].opens_min == 0)
			return &h->ranges[i];
	return NULL;
}

void hours_state_at(const struct org_hours *h, int64_t now, struct hours_state *out)
{
	memset(out, 0, sizeof(*out));
	out->known = h->n > 0;
	if (!h->n)
		return;
	time_t t = (time_t)now;
	struct tm tm;
	localtime_r(&t, &tm);
	int today = tm.tm_wday == 0 ? 7 : tm.tm_wday;
	int m = tm.tm_hour * 60 + tm.tm_min;

	for (int i = 0; i < h->n; i++) {
		const struct hours_range *r = &h->ranges[i];
		if (r->weekday != today || m < r->opens_min || m >= r->closes_min)
			continue;
		out->open = true;
		out->closes_min = r->closes_min;
		out->closes_in_days = 0;
		/* A range to midnight goes on with the next day's range from midnight. */
		int day = today;
		for (int k = 1; k < 7 && out->closes_min == 1440; k++) {
			day = day % 7 + 1;
			const struct hours_range *next = from_midnight(h, day);
			if (!next)
				break;
			out->closes_min = next->closes_min;
			out->closes_in_days = k;
		}
		return;
	}
	/* Closed: the first range that starts later today, then on the next days. */
	for (int k = 0; k <= 7; k++) {
		int day = (today - 1 + k) % 7 + 1;
		for (int i = 0; i < h->n; i++) {
			const struct hours_range *r = &h->ranges[i];
			if (r->weekday != day || (k == 0 && r->opens_min <= m))
				continue;
			out->opens_later = true;
			out->opens_weekday = day;
			out->opens_min = r->opens_min;
			out->opens_in_days = k;
			return;
		}
	}
}
