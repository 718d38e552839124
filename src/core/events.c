/* events.c: events and their dates: validation, permissions, local time (DST), the agenda's filters, feed tokens.
 *
 * Each write runs in one transaction through db_txn_run, and the callback
 * does everything from reading the current row to the last date: the check
 * of who may publish, the validation (which reads communes), the slug, the
 * event row, its dates and its image. A refusal is reported in the context
 * (x->err, x->fe) and returned as DB_HARD so nothing is kept; a soft failure
 * runs the whole callback again, so every callback starts by clearing them.
 *
 * Local time: every date is entered as a local date and time in
 * Europe/Paris and stored as UTC seconds. local_instant() asks mktime for
 * both readings of the wall-clock time (summer and winter offset) and keeps
 * only those that read back as the same wall-clock time: none means the time
 * falls in the spring-forward gap (refused), two mean the autumn overlap
 * (the earlier is taken, as RFC 5545 3.3.5 reads a TZID time). */
#include "events.h"
#include "slugs.h"
#include "markdown.h"
#include "orgs.h"
#include "base/crypto.h"
#include "base/embed.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- vocabularies ------------------------------------------------------------------------- */

static const char *const categories[] = {
	"concert", "market", "festival", "sport", "exhibition", "conference", "workshop",
	"theatre", "cinema", "flea_market", "party", "tour", "hike", "kids", "meeting", "other",
	NULL
};

static const char *const access_flags[] = {
	"wheelchair", "hearing_loop", "sign_language", "audio_description", "easy_read",
	"quiet_space", NULL
};

static const char *const statuses[] = { "draft", "published", "postponed", "cancelled", NULL };

/* Slugs a route of the agenda already uses (/evenements/calendrier...). */
static const char *const reserved_slugs[] = { "calendrier", "carte", "nouveau", "passes", NULL };

static bool in_list(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

const char *const *events_categories(void)
{
	return categories;
}

bool events_category_valid(const char *category)
{
	return in_list(categories, category);
}

const char *const *events_access_flags(void)
{
	return access_flags;
}

const char *const *events_statuses(void)
{
	return statuses;
}

bool events_status_valid(const char *status)
{
	return in_list(statuses, status);
}

bool events_has_access(const char *list, const char *flag)
{
	size_t n = strlen(flag);
	for (const char *p = list ? list : ""; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		size_t trimmed = len;
		while (trimmed && p[trimmed - 1] == ' ')
			trimmed--;
		if (trimmed == n && strncmp(p, flag, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* ---- local time ---------------------------------------------------------------------------- */

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads 1..maxd digits; false when there are none. */
static bool digits(const char **p, int maxd, int *out)
{
	int v = 0, n = 0;
	while (n < maxd && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*out = v;
	return n > 0;
}

/* "YYYY-MM-DD" or "DD/MM/YYYY" (one-digit day and month allowed there). */
static bool parse_date(const char *s, int *y, int *m, int *d)
{
	const char *p = s ? s : "";
	while (*p == ' ')
		p++;
	const char *start = p;
	int a, b, c;
	if (!digits(&p, 4, &a))
		return false;
	if (*p == '-' && p - start == 4) {
		p++;
		if (!digits(&p, 2, &b) || *p++ != '-' || !digits(&p, 2, &c))
			return false;
		*y = a, *m = b, *d = c;
	} else if (*p == '/' && p - start <= 2) {
		p++;
		if (!digits(&p, 2, &b) || *p++ != '/')
			return false;
		const char *ys = p;
		if (!digits(&p, 4, &c) || p - ys != 4)
			return false;
		*y = c, *m = b, *d = a;
	} else {
		return false;
	}
	while (*p == ' ')
		p++;
	if (*p)
		return false;
	return *y >= EVENTS_YEAR_MIN && *y <= EVENTS_YEAR_MAX && *m >= 1 && *m <= 12 && *d >= 1 &&
	       *d <= days_in_month(*y, *m);
}

/* "HH:MM", "H:MM", "HH:MM:SS" (seconds dropped), "HHhMM", "HHh", "HH h MM". */
static bool parse_time(const char *s, int *h, int *mi)
{
	const char *p = s ? s : "";
	while (*p == ' ')
		p++;
	if (!digits(&p, 2, h))
		return false;
	while (*p == ' ')
		p++;
	*mi = 0;
	if (*p == ':' || *p == 'h' || *p == 'H') {
		char sep = *p++;
		while (*p == ' ')
			p++;
		const char *ms = p;
		if (digits(&p, 2, mi)) {
			if (p - ms != 2)
				return false;
			int sec;
			if (*p == ':' && (p++, !digits(&p, 2, &sec)))
				return false;
		} else if (sep == ':') {
			return false;
		}
	} else {
		return false;
	}
	while (*p == ' ')
		p++;
	return !*p && *h >= 0 && *h <= 23 && *mi >= 0 && *mi <= 59;
}

/* One reading of a wall-clock time with a given DST flag; true when it reads
 * back as that same wall-clock time with that flag. */
static bool try_reading(int y, int m, int d, int h, int mi, int isdst, time_t *out)
{
	struct tm tm = { 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = isdst;
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return false;
	struct tm back;
	localtime_r(&t, &back);
	*out = t;
	return back.tm_year == y - 1900 && back.tm_mon == m - 1 && back.tm_mday == d &&
	       back.tm_hour == h && back.tm_min == mi && back.tm_isdst == isdst;
}

static enum events_time local_instant(int y, int m, int d, int h, int mi, int64_t *out)
{
	time_t summer, winter;
	bool has_summer = try_reading(y, m, d, h, mi, 1, &summer);
	bool has_winter = try_reading(y, m, d, h, mi, 0, &winter);
	if (!has_summer && !has_winter)
		return EVENTS_TIME_NONEXISTENT;
	/* Both: the autumn overlap; the first occurrence is the summer one. */
	if (has_summer && has_winter)
		*out = summer < winter ? summer : winter;
	else
		*out = has_summer ? summer : winter;
	return EVENTS_TIME_OK;
}

enum events_time events_local_time(const char *date, const char *time, int64_t *out)
{
	int y, m, d, h = 0, mi = 0;
	if (!parse_date(date, &y, &m, &d))
		return EVENTS_TIME_INVALID;
	if (time && !str_empty(time) && !parse_time(time, &h, &mi))
		return EVENTS_TIME_INVALID;
	return local_instant(y, m, d, h, mi, out);
}

void events_local_date(int64_t t, int *out_y, int *out_m, int *out_d, int *out_wday)
{
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	*out_y = tm.tm_year + 1900;
	*out_m = tm.tm_mon + 1;
	*out_d = tm.tm_mday;
	*out_wday = tm.tm_wday == 0 ? 7 : tm.tm_wday;
}

/* Civil-date arithmetic on the proleptic Gregorian calendar, through UTC
 * noon, so that adding days never meets a DST change. */
static void add_days(int *y, int *m, int *d, int n)
{
	struct tm tm = { 0 };
	tm.tm_year = *y - 1900;
	tm.tm_mon = *m - 1;
	tm.tm_mday = *d + n;
	tm.tm_hour = 12;
	time_t t = timegm(&tm);
	gmtime_r(&t, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
}

/* 1 (Monday) .. 7 (Sunday) of a civil date. */
static int weekday_of(int y, int m, int d)
{
	struct tm tm = { 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	time_t t = timegm(&tm);
	gmtime_r(&t, &tm);
	return tm.tm_wday == 0 ? 7 : tm.tm_wday;
}

int64_t events_day_start(int y, int m, int d)
{
	add_days(&y, &m, &d, 0);   /* normalise day 32, month 0... */
	int64_t t;
	/* Midnight exists every day in Europe/Paris (the changes happen at 2 h and 3 h). */
	if (local_instant(y, m, d, 0, 0, &t) != EVENTS_TIME_OK) {
		struct tm tm = { 0 };
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = d;
		tm.tm_isdst = -1;
		t = (int64_t)mktime(&tm);
	}
	return t;
}

enum kq_err events_range(const char *when, const char *from_date, const char *to_date,
			 int64_t now, struct field_errors *fe, int64_t *out_from, int64_t *out_to)
{
	int y, m, d, wd;
	events_local_date(now, &y, &m, &d, &wd);
	*out_from = now;
	*out_to = 0;
	if (str_eq(when, "today")) {
		*out_to = events_day_start(y, m, d + 1);
		return KQ_OK;
	}
	if (str_eq(when, "tomorrow")) {
		*out_from = events_day_start(y, m, d + 1);
		*out_to = events_day_start(y, m, d + 2);
		return KQ_OK;
	}
	if (str_eq(when, "weekend")) {
		/* Saturday 0 h to Monday 0 h: this weekend while it lasts, else the coming one. */
		int to_sat = wd <= 6 ? 6 - wd : -1;
		int64_t sat = events_day_start(y, m, d + to_sat);
		*out_from = sat > now ? sat : now;
		*out_to = events_day_start(y, m, d + to_sat + 2);
		return KQ_OK;
	}
	if (str_eq(when, "week")) {
		*out_to = events_day_start(y, m, d + 8 - wd);
		return KQ_OK;
	}
	if (str_eq(when, "month")) {
		*out_to = events_day_start(y, m + 1, 1);
		return KQ_OK;
	}
	int fy, fm, fd, ty, tm, td;
	bool has_from = from_date && !str_empty(from_date);
	bool has_to = to_date && !str_empty(to_date);
	if (has_from && !parse_date(from_date, &fy, &fm, &fd))
		field_error_add(fe, "from", "err.events.date_invalid");
	if (has_to && !parse_date(to_date, &ty, &tm, &td))
		field_error_add(fe, "to", "err.events.date_invalid");
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	if (has_from)
		*out_from = events_day_start(fy, fm, fd);
	if (has_to) {
		*out_to = events_day_start(ty, tm, td + 1);
		if (*out_to <= *out_from) {
			field_error_add(fe, "to", "err.events.range_reversed");
			return KQ_ERR_FORM_INVALID;
		}
	}
	return KQ_OK;
}

/* ---- ticketing hooks --------------------------------------------------------------------------- */

static struct events_ticket_hooks hooks;

void events_set_ticket_hooks(const struct events_ticket_hooks *h)
{
	if (h)
		hooks = *h;
	else
		memset(&hooks, 0, sizeof(hooks));
}

static int64_t tickets_left_of(struct db *db, const struct event *ev, int64_t date_id)
{
	if (!ev->is_ticketed)
		return EVENTS_TICKETS_UNKNOWN;
	if (hooks.tickets_left)
		return hooks.tickets_left(db, ev->id, date_id);
	return ev->capacity > 0 ? ev->capacity : EVENTS_TICKETS_UNKNOWN;
}

void events_offer(struct db *db, const struct event *ev, const struct event_date *d,
		  struct event_offer *out)
{
	memset(out, 0, sizeof(*out));
	if (ev->is_ticketed && hooks.offer)
		hooks.offer(db, ev->id, d->id, out);
}

/* ---- reading ------------------------------------------------------------------------------------ */

#define EV_COLS                                                                                  \
	"e.id, e.org_id, e.slug, e.title, e.summary, e.description, e.description_html,"         \
	" e.category, e.status, o.slug, o.name, o.email, COALESCE(e.commune_id, 0),"             \
	" COALESCE(c.insee, ''), COALESCE(c.name, ''), COALESCE(c.postcode, ''),"                \
	" e.venue_name, e.venue_address, e.lat_e6, e.lon_e6, COALESCE(e.image_upload_id, 0),"   \
	" COALESCE(u.sha256, ''), e.is_ticketed, COALESCE(e.capacity, 0), e.accessibility,"      \
	" e.access_notes, e.sequence, e.created_at, e.updated_at, COALESCE(e.hidden_at, 0)"
#define EV_NCOLS 30
#define EV_JOINS                                                                                 \
	" JOIN organisations o ON o.id = e.org_id"                                               \
	" LEFT JOIN communes c ON c.id = e.commune_id"                                           \
	" LEFT JOIN uploads u ON u.id = e.image_upload_id"
#define DATE_COLS ", d.id, d.starts_at, d.ends_at, d.cancelled"

static const struct db_sql SQL_GET_SLUG = { "events_get_slug",
	"SELECT " EV_COLS " FROM events e" EV_JOINS " WHERE e.slug = $1" };
static const struct db_sql SQL_GET_ID = { "events_get_id",
	"SELECT " EV_COLS " FROM events e" EV_JOINS " WHERE e.id = $1" };
static const struct db_sql SQL_DATES = { "events_dates",
	"SELECT id, starts_at, ends_at, cancelled FROM event_dates WHERE event_id = $1"
	" ORDER BY starts_at, id" };
static const struct db_sql SQL_OCC_BY_DATE = { "events_occ_by_date",
	"SELECT " EV_COLS DATE_COLS " FROM event_dates d JOIN events e ON e.id = d.event_id" EV_JOINS
	" WHERE d.id = $1" };
static const struct db_sql SQL_COMMUNE_BY_INSEE = { "events_commune_by_insee",
	"SELECT id FROM communes WHERE insee = $1" };

/* The agenda (events_list).
 *
 * Occurrences are rows of event_dates joined with their event. Upcoming
 * ones are those still running at $1 (ends_at > $1), by start. A date lasts
 * at most EVENTS_DURATION_MAX (validated), so those dates started after
 * $1 - EVENTS_DURATION_MAX: that bound lets event_dates_start serve the
 * range instead of reading every past date. Past ones ended at or before $1
 * (and after $2 when set), newest first.
 *
 * Parameters: $1 from, $2 to (0: none), $3 category (''), $4 commune id (0),
 * $5 free only (0/1), $6 LIKE pattern (''), $7 organisation id (0), $8 drafts
 * too (0/1), $9 ticketed and not cancelled only (0/1); pages add $10 limit,
 * $11 offset. Every filter is a fixed text whose value is bound. */
#define OCC_FILTERS                                                                              \
	" AND ($3 = '' OR e.category = $3)"                                                      \
	" AND (CAST($4 AS BIGINT) = 0 OR e.commune_id = CAST($4 AS BIGINT))"                     \
	" AND (CAST($5 AS BIGINT) = 0 OR e.is_ticketed = 0)"                                     \
	" AND ($6 = '' OR lower(e.title) LIKE lower(CAST($6 AS TEXT)) ESCAPE '\\'"               \
	"      OR lower(e.summary) LIKE lower(CAST($6 AS TEXT)) ESCAPE '\\'"                     \
	"      OR lower(e.venue_name) LIKE lower(CAST($6 AS TEXT)) ESCAPE '\\')"                 \
	" AND (CAST($7 AS BIGINT) = 0 OR e.org_id = CAST($7 AS BIGINT))"                         \
	" AND ((e.status <> 'draft' AND e.hidden_at IS NULL) OR CAST($8 AS BIGINT) = 1)"         \
	" AND (CAST($9 AS BIGINT) = 0 OR (e.is_ticketed = 1 AND e.status <> 'cancelled'"        \
	"      AND d.cancelled = 0))"
#define STR_(x) #x
#define STR(x) STR_(x)
#define UPCOMING_WHERE                                                                           \
	" d.ends_at > CAST($1 AS BIGINT)"                                                        \
	" AND d.starts_at >= CAST($1 AS BIGINT) - " STR(EVENTS_DURATION_MAX)                     \
	" AND (CAST($2 AS BIGINT) = 0 OR d.starts_at < CAST($2 AS BIGINT))" OCC_FILTERS
#define PAST_WHERE                                                                               \
	" d.ends_at <= CAST($1 AS BIGINT)"                                                       \
	" AND (CAST($2 AS BIGINT) = 0 OR d.ends_at > CAST($2 AS BIGINT))" OCC_FILTERS
/* The whole agenda walks the dates in time order (event_dates_start) and
 * stops at the page's end. One organisation's agenda starts from its own
 * events instead (events_org), else it would walk every date of the
 * territory to find its few: CROSS JOIN keeps that order on SQLite. */
#define FROM_DATES " FROM event_dates d JOIN events e ON e.id = d.event_id"
#define FROM_ORG                                                                                 \
	" FROM events e CROSS JOIN event_dates d"
#define ORG_WHERE " d.event_id = e.id AND e.org_id = CAST($7 AS BIGINT) AND"
#define PAGE_UPCOMING " ORDER BY d.starts_at, d.id LIMIT $10 OFFSET $11"
#define PAGE_PAST " ORDER BY d.starts_at DESC, d.id DESC LIMIT $10 OFFSET $11"

/* Counts need no display joins. */
static const struct db_sql SQL_COUNT_UPCOMING = { "events_count_upcoming",
	"SELECT COUNT(*)" FROM_DATES " WHERE" UPCOMING_WHERE };
static const struct db_sql SQL_PAGE_UPCOMING = { "events_page_upcoming",
	"SELECT " EV_COLS DATE_COLS FROM_DATES EV_JOINS " WHERE" UPCOMING_WHERE PAGE_UPCOMING };
static const struct db_sql SQL_COUNT_PAST = { "events_count_past",
	"SELECT COUNT(*)" FROM_DATES " WHERE" PAST_WHERE };
static const struct db_sql SQL_PAGE_PAST = { "events_page_past",
	"SELECT " EV_COLS DATE_COLS FROM_DATES EV_JOINS " WHERE" PAST_WHERE PAGE_PAST };
static const struct db_sql SQL_ORG_COUNT_UPCOMING = { "events_org_count_upcoming",
	"SELECT COUNT(*)" FROM_ORG " WHERE" ORG_WHERE UPCOMING_WHERE };
static const struct db_sql SQL_ORG_PAGE_UPCOMING = { "events_org_page_upcoming",
	"SELECT " EV_COLS DATE_COLS FROM_ORG EV_JOINS " WHERE" ORG_WHERE UPCOMING_WHERE PAGE_UPCOMING };
static const struct db_sql SQL_ORG_COUNT_PAST = { "events_org_count_past",
	"SELECT COUNT(*)" FROM_ORG " WHERE" ORG_WHERE PAST_WHERE };
static const struct db_sql SQL_ORG_PAGE_PAST = { "events_org_page_past",
	"SELECT " EV_COLS DATE_COLS FROM_ORG EV_JOINS " WHERE" ORG_WHERE PAST_WHERE PAGE_PAST };

static void read_event(struct db_stmt *st, struct arena *a, struct event *e)
{
	memset(e, 0, sizeof(*e));
	e->id = db_col_i64(st, 0);
	e->org_id = db_col_i64(st, 1);
	e->slug = db_col_str(st, 2, a);
	e->title = db_col_str(st, 3, a);
	e->summary = db_col_str(st, 4, a);
	e->description = db_col_str(st, 5, a);
	e->description_html = db_col_str(st, 6, a);
	e->category = db_col_str(st, 7, a);
	e->status = db_col_str(st, 8, a);
	e->org_slug = db_col_str(st, 9, a);
	e->org_name = db_col_str(st, 10, a);
	e->org_email = db_col_str(st, 11, a);
	e->commune_id = db_col_i64(st, 12);
	e->commune_insee = db_col_str(st, 13, a);
	e->commune_name = db_col_str(st, 14, a);
	e->commune_postcode = db_col_str(st, 15, a);
	e->venue_name = db_col_str(st, 16, a);
	e->venue_address = db_col_str(st, 17, a);
	e->has_geo = !db_col_is_null(st, 18) && !db_col_is_null(st, 19);
	e->lat_e6 = e->has_geo ? db_col_i64(st, 18) : 0;
	e->lon_e6 = e->has_geo ? db_col_i64(st, 19) : 0;
	e->image_upload_id = db_col_i64(st, 20);
	e->image_sha256 = db_col_str(st, 21, a);
	e->is_ticketed = db_col_i64(st, 22) != 0;
	e->capacity = db_col_i64(st, 23);
	e->accessibility = db_col_str(st, 24, a);
	e->access_notes = db_col_str(st, 25, a);
	e->sequence = db_col_i64(st, 26);
	e->created_at = db_col_i64(st, 27);
	e->updated_at = db_col_i64(st, 28);
	e->hidden_at = db_col_i64(st, 29);
}

/* An event row followed by one date (the occurrence queries). */
static void read_occurrence(struct db_stmt *st, struct arena *a, struct event *e)
{
	read_event(st, a, e);
	struct event_date *d = arena_alloc(a, sizeof(*d));
	d->id = db_col_i64(st, EV_NCOLS);
	d->starts_at = db_col_i64(st, EV_NCOLS + 1);
	d->ends_at = db_col_i64(st, EV_NCOLS + 2);
	d->cancelled = db_col_i64(st, EV_NCOLS + 3) != 0;
	d->tickets_left = EVENTS_TICKETS_UNKNOWN;
	e->dates = d;
	e->ndates = 1;
}

static enum kq_err load_dates(struct db *db, struct arena *a, struct event *e)
{
	int cap = 8, n = 0;
	struct event_date *d = arena_alloc(a, sizeof(*d) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_DATES);
	db_bind_i64(st, 1, e->id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		d = arena_grow(a, d, n, &cap, sizeof(*d));
		d[n].id = db_col_i64(st, 0);
		d[n].starts_at = db_col_i64(st, 1);
		d[n].ends_at = db_col_i64(st, 2);
		d[n].cancelled = db_col_i64(st, 3) != 0;
		d[n].tickets_left = EVENTS_TICKETS_UNKNOWN;
		n++;
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	/* The hooks run after the loop: they may use the connection themselves. */
	for (int i = 0; i < n; i++)
		d[i].tickets_left = tickets_left_of(db, e, d[i].id);
	e->dates = d;
	e->ndates = n;
	return KQ_OK;
}

/* A page reads a few dozen statements (the page, the tickets left of each
 * date, the count): db_read_run lets SQLite lock and check the file once
 * instead of once per statement. */
struct read_call {
	const struct actor *who;
	struct arena *a;
	const struct event_filter *f;
	struct event **out;
	int *out_n;
	int64_t *out_total;
	const struct db_sql *sql;
	const char *slug;
	int64_t id;
	struct event *one;
	enum kq_err err;
};

static enum kq_err get_one_now(struct db *db, struct arena *a, const struct db_sql *sql,
			       const char *slug, int64_t id, struct event *out)
{
	struct db_stmt *st = db_stmt(db, sql);
	if (slug)
		db_bind_text(st, 1, slug);
	else
		db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_event(st, a, out);
	db_reset(st);
	if (s != DB_ROW)
		return s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
	return load_dates(db, a, out);
}

static enum db_status get_txn(struct db *db, void *cls)
{
	struct read_call *c = cls;
	c->err = get_one_now(db, c->a, c->sql, c->slug, c->id, c->one);
	return DB_NONE;
}

/* One event and its dates, in one read transaction (see events_list). */
static enum kq_err get_one(struct db *db, struct arena *a, const struct db_sql *sql,
			   const char *slug, int64_t id, struct event *out)
{
	struct read_call c = { .a = a, .sql = sql, .slug = slug, .id = id, .one = out, .err = KQ_OK };
	if (db_read_run(db, "events_get", get_txn, &c) < 0)
		return KQ_ERR_INTERNAL;
	return c.err;
}

enum kq_err events_authorize(struct db *db, const struct actor *who, const struct event *ev)
{
	return orgs_authorize(db, who, ev->org_id, ORG_ACT_PUBLISH);
}

/* A draft exists only for those who may publish for its organisation; an event a
 * moderator hid, for them and for moderators. */
static enum kq_err visible(struct db *db, const struct actor *who, const struct event *ev)
{
	if (ev->hidden_at && actor_is_moderator(who))
		return KQ_OK;
	if (strcmp(ev->status, "draft") != 0 && !ev->hidden_at)
		return KQ_OK;
	enum kq_err e = events_authorize(db, who, ev);
	return e == KQ_ERR_INTERNAL ? e : e == KQ_OK ? KQ_OK : KQ_ERR_NOT_FOUND;
}

enum kq_err events_get(struct db *db, const struct actor *who, struct arena *a, const char *slug,
		       struct event *out)
{
	if (!str_slug_valid(slug))
		return KQ_ERR_NOT_FOUND;
	enum kq_err e = get_one(db, a, &SQL_GET_SLUG, slug, 0, out);
	return e != KQ_OK ? e : visible(db, who, out);
}

enum kq_err events_image_get(struct db *db, const struct actor *who, struct arena *a,
			     const char *slug, struct upload *out)
{
	struct event ev;
	enum kq_err e = events_get(db, who, a, slug, &ev);
	if (e != KQ_OK)
		return e;
	if (!ev.image_upload_id)
		return KQ_ERR_NOT_FOUND;
	return uploads_get(db, a, ev.image_upload_id, out);
}

/* "%word%" with LIKE's own wildcards escaped, so "100%" finds "100%". */
static char *like_pattern(struct arena *a, const char *q)
{
	char *t = str_trim(a, q);
	if (!*t)
		return t;
	size_t n = strlen(t);
	char *out = arena_alloc(a, n * 2 + 3), *o = out;
	*o++ = '%';
	for (const char *p = t; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '%';
	*o = 0;
	return out;
}

struct list_args {
	int64_t from, to, commune_id, org_id;
	const char *category, *pattern;
	bool free_only, drafts, ticketed_only;
};

static void bind_filters(struct db_stmt *st, const struct list_args *l)
{
	db_bind_i64(st, 1, l->from);
	db_bind_i64(st, 2, l->to);
	db_bind_text(st, 3, l->category);
	db_bind_i64(st, 4, l->commune_id);
	db_bind_i64(st, 5, l->free_only);
	db_bind_text(st, 6, l->pattern);
	db_bind_i64(st, 7, l->org_id);
	db_bind_i64(st, 8, l->drafts);
	db_bind_i64(st, 9, l->ticketed_only);
}

/* Scans a whole page statement (ticketed candidates) and keeps the
 * occurrences the ticketing hook says have tickets left: the figure lives in
 * another module, so this filter cannot be SQL. At most EVENTS_LIST_MAX * 4
 * candidates are looked at. */
static enum kq_err list_with_tickets_left(struct db *db, struct arena *a,
					  const struct db_sql *page, const struct list_args *l,
					  int limit, int offset, struct event *out, int *out_n,
					  int64_t *out_total)
{
	int cap = EVENTS_LIST_MAX * 4, n = 0;
	struct event *cand = arena_alloc(a, sizeof(*cand) * 64);
	int ccap = 64;
	struct db_stmt *st = db_stmt(db, page);
	bind_filters(st, l);
	db_bind_i64(st, 10, cap);
	db_bind_i64(st, 11, 0);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		cand = arena_grow(a, cand, n, &ccap, sizeof(*cand));
		read_occurrence(st, a, &cand[n++]);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	for (int i = 0; i < n; i++) {
		struct event_date *d = cand[i].dates;
		d->tickets_left = tickets_left_of(db, &cand[i], d->id);
		if (d->tickets_left == 0)
			continue;
		if (*out_total >= offset && *out_n < limit)
			out[(*out_n)++] = cand[i];
		(*out_total)++;
	}
	return KQ_OK;
}

/* ---- the agenda's counts, kept a few seconds per process ---------------------------------------- */

#define COUNT_KEY_MAX 256
#define COUNT_SLOTS 64
#define COUNT_TTL 10                /* seconds a count is reused */

static struct {
	char key[COUNT_KEY_MAX];
	int64_t total, expires;
} counts[COUNT_SLOTS];
static unsigned counts_next;
static pthread_mutex_t counts_lock = PTHREAD_MUTEX_INITIALIZER;

/* The filter as a key; "now" (from_now) counts as the same instant within a
 * TTL. False when it does not fit (a long search text): not cached. */
static bool count_key(char *key, size_t size, bool past, bool from_now, const struct list_args *l)
{
	int64_t from = from_now ? l->from / COUNT_TTL : l->from;
	int n = snprintf(key, size, "%d|%d|%lld|%lld|%s|%lld|%d|%lld|%d|%s", past, from_now,
			 (long long)from, (long long)l->to, l->category, (long long)l->commune_id,
			 l->free_only, (long long)l->org_id, l->drafts, l->pattern);
	return n > 0 && (size_t)n < size;
}

static bool count_cached(const char *key, int64_t *out)
{
	int64_t now = time_now();
	bool hit = false;
	pthread_mutex_lock(&counts_lock);
	for (int i = 0; i < COUNT_SLOTS && !hit; i++)
		if (counts[i].expires > now && strcmp(counts[i].key, key) == 0) {
			*out = counts[i].total;
			hit = true;
		}
	pthread_mutex_unlock(&counts_lock);
	return hit;
}

static void count_keep(const char *key, int64_t total)
{
	pthread_mutex_lock(&counts_lock);
	unsigned i = counts_next++ % COUNT_SLOTS;
	snprintf(counts[i].key, sizeof(counts[i].key), "%s", key);
	counts[i].total = total;
	counts[i].expires = time_now() + COUNT_TTL;
	pthread_mutex_unlock(&counts_lock);
}

static enum kq_err list_now(struct db *db, const struct actor *who, struct arena *a,
			    const struct event_filter *f, struct event **out, int *out_n,
			    int64_t *out_total)
{
	int limit = f->limit < 1 ? 1 : f->limit > EVENTS_LIST_MAX ? EVENTS_LIST_MAX : f->limit;
	int offset = f->offset < 0 ? 0 : f->offset;
	*out = arena_alloc(a, sizeof(**out) * (size_t)limit);
	*out_n = 0;
	*out_total = 0;

	struct list_args l = { 0 };
	l.from = f->from ? f->from : time_now();
	l.to = f->to;
	l.category = f->category ? f->category : "";
	l.pattern = like_pattern(a, f->q ? f->q : "");
	l.free_only = f->free_only;
	l.ticketed_only = f->tickets_left;
	l.org_id = f->org_id;
	if (f->org_id && f->include_drafts) {
		enum kq_err e = orgs_authorize(db, who, f->org_id, ORG_ACT_PUBLISH);
		if (e == KQ_ERR_INTERNAL)
			return e;
		l.drafts = e == KQ_OK;
	}
	if (f->commune && *f->commune) {
		struct db_stmt *st = db_stmt(db, &SQL_COMMUNE_BY_INSEE);
		db_bind_text(st, 1, f->commune);
		enum db_status s = db_step(st);
		if (s == DB_ROW)
			l.commune_id = db_col_i64(st, 0);
		db_reset(st);
		if (s < 0)
			return KQ_ERR_INTERNAL;
		if (s == DB_NONE)
			return KQ_OK;   /* an unknown commune matches nothing */
	}
	const struct db_sql *count, *page;
	if (l.org_id) {
		count = f->past ? &SQL_ORG_COUNT_PAST : &SQL_ORG_COUNT_UPCOMING;
		page = f->past ? &SQL_ORG_PAGE_PAST : &SQL_ORG_PAGE_UPCOMING;
	} else {
		count = f->past ? &SQL_COUNT_PAST : &SQL_COUNT_UPCOMING;
		page = f->past ? &SQL_PAGE_PAST : &SQL_PAGE_UPCOMING;
	}
	if (f->tickets_left)
		return list_with_tickets_left(db, a, page, &l, limit, offset, *out, out_n,
					      out_total);

	struct db_stmt *st = db_stmt(db, page);
	bind_filters(st, &l);
	db_bind_i64(st, 10, limit);
	db_bind_i64(st, 11, offset);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW && *out_n < limit)
		read_occurrence(st, a, &(*out)[(*out_n)++]);
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	for (int i = 0; i < *out_n; i++) {
		struct event_date *d = (*out)[i].dates;
		d->tickets_left = tickets_left_of(db, &(*out)[i], d->id);
	}
	/* A page that is not full is the last one: the total is known. Else
	 * it is counted, and kept a few seconds (counting thousands of dates
	 * costs more than the page itself). */
	if (*out_n < limit && (*out_n > 0 || offset == 0)) {
		*out_total = offset + *out_n;
		return KQ_OK;
	}
	char key[COUNT_KEY_MAX];
	bool cacheable = count_key(key, sizeof(key), f->past, !f->from, &l);
	if (cacheable && count_cached(key, out_total))
		return KQ_OK;
	st = db_stmt(db, count);
	bind_filters(st, &l);
	s = db_step(st);
	if (s == DB_ROW)
		*out_total = db_col_i64(st, 0);
	db_reset(st);
	if (s != DB_ROW)
		return KQ_ERR_INTERNAL;
	if (*out_total < offset + *out_n)   /* an event added since the page was read */
		*out_total = offset + *out_n;
	if (cacheable)
		count_keep(key, *out_total);
	return KQ_OK;
}

static enum db_status list_txn(struct db *db, void *cls)
{
	struct read_call *c = cls;
	c->err = list_now(db, c->who, c->a, c->f, c->out, c->out_n, c->out_total);
	return DB_NONE;
}

enum kq_err events_list(struct db *db, const struct actor *who, struct arena *a,
			const struct event_filter *f, struct event **out, int *out_n,
			int64_t *out_total)
{
	struct read_call c = { .who = who, .a = a, .f = f, .out = out, .out_n = out_n,
			       .out_total = out_total, .err = KQ_OK };
	*out_n = 0;
	*out_total = 0;
	if (db_read_run(db, "events_list", list_txn, &c) < 0)
		return KQ_ERR_INTERNAL;
	return c.err;
}

enum kq_err events_upcoming_of_org(struct db *db, struct arena *a, int64_t org_id, int limit,
				   struct event **out, int *out_n)
{
	struct event_filter f = { 0 };
	int64_t total;
	f.org_id = org_id;
	f.limit = limit;
	return events_list(db, NULL, a, &f, out, out_n, &total);
}

/* ---- validation ------------------------------------------------------------------------------------ */


/* Decimal degrees ("44.7312", "-1,55", "5") into micro-degrees, rounded;
 * false when malformed or beyond limit degrees. No floating point: the
 * stored figure is exactly what was typed, to the sixth decimal. */
static bool parse_degrees(const char *s, int64_t limit, int64_t *out)
{
	const char *p = s;
	bool neg = false;
	while (*p == ' ')
		p++;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!(*p >= '0' && *p <= '9'))
		return false;
	int64_t whole = 0, frac = 0;
	int nd = 0;
	while (*p >= '0' && *p <= '9') {
		whole = whole * 10 + (*p++ - '0');
		if (whole > 1000)
			return false;
	}
	if (*p == '.' || *p == ',') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		int round = 0;
		while (*p >= '0' && *p <= '9') {
			if (nd < 6)
				frac = frac * 10 + (*p - '0');
			else if (nd == 6)
				round = *p >= '5';
			nd++;
			p++;
			if (nd > 15)
				return false;
		}
		for (int i = nd; i < 6; i++)
			frac *= 10;
		frac += round;
	}
	while (*p == ' ')
		p++;
	if (*p)
		return false;
	int64_t v = whole * 1000000 + frac;
	if (v > limit * 1000000)
		return false;
	*out = neg ? -v : v;
	return true;
}

/* The event as it will be written, every string trimmed and never NULL. */
struct norm {
	const char *title, *summary, *description, *description_html, *category, *commune;
	const char *venue_name, *venue_address, *accessibility, *access_notes, *status;
	int64_t commune_id, capacity, lat_e6, lon_e6;
	bool has_geo, is_ticketed;
};

/* A date as it will be written. */
struct date_plan {
	int64_t id;          /* 0: new */
	int64_t starts_at, ends_at;
	bool cancelled, remove, changed;
};

static const char *pick(struct arena *a, const char *given, const char *current)
{
	return given ? str_trim(a, given) : current ? current : "";
}

/* Checks the accessibility flags ("wheelchair, hearing_loop") and writes
 * them once each, in the order of the list. */
static bool normalise_access(struct arena *a, const char *in, const char **out)
{
	char *copy = arena_strdup(a, in);
	for (char *tok = copy; tok;) {
		char *comma = strchr(tok, ',');
		if (comma)
			*comma = 0;
		char *t = str_trim(a, tok);
		if (*t && !in_list(access_flags, t))
			return false;
		tok = comma ? comma + 1 : NULL;
	}
	char *res = arena_strdup(a, "");
	for (const char *const *f = access_flags; *f; f++)
		if (events_has_access(in, *f))
			res = arena_printf(a, "%s%s%s", res, *res ? "," : "", *f);
	*out = res;
	return true;
}

static void normalise(struct arena *a, const struct event_input *in, const struct event *cur,
		      struct norm *n)
{
	memset(n, 0, sizeof(*n));
	n->title = pick(a, in->title, cur ? cur->title : NULL);
	n->summary = pick(a, in->summary, cur ? cur->summary : NULL);
	/* Markdown keeps its leading spaces (indented code) but not trailing blank lines. */
	n->description = in->description ? arena_strdup(a, in->description)
					 : cur ? cur->description : "";
	n->category = pick(a, in->category, cur ? cur->category : NULL);
	n->commune = pick(a, in->commune, cur ? cur->commune_insee : NULL);
	n->venue_name = pick(a, in->venue_name, cur ? cur->venue_name : NULL);
	n->venue_address = pick(a, in->venue_address, cur ? cur->venue_address : NULL);
	n->access_notes = in->access_notes ? str_trim(a, in->access_notes)
					   : cur ? cur->access_notes : "";
	n->status = pick(a, in->status, cur ? cur->status : "draft");
	n->accessibility = pick(a, in->accessibility, cur ? cur->accessibility : NULL);
}

/* Validates n and the fields of in that are not plain strings; fills the
 * numbers of n. Reads the communes table. */
static enum db_status validate(struct db *db, struct arena *a, const struct event_input *in,
			       const struct event *cur, struct norm *n, struct field_errors *fe)
{
	size_t len = str_utf8_len(n->title);
	if (!str_text_ok(n->title, SIZE_MAX, false) || len < EVENTS_TITLE_MIN || len > EVENTS_TITLE_MAX)
		field_error_add(fe, "title", "err.events.title_invalid");
	if (!str_text_ok(n->summary, EVENTS_SUMMARY_MAX, false))
		field_error_add(fe, "summary", "err.events.summary_invalid");
	if (!str_text_ok(n->description, EVENTS_DESCRIPTION_MAX, true))
		field_error_add(fe, "description", "err.events.description_invalid");
	if (!events_category_valid(n->category))
		field_error_add(fe, "category", "err.events.category_invalid");
	if (!str_text_ok(n->venue_name, EVENTS_LINE_MAX, false))
		field_error_add(fe, "venue_name", "err.events.line_invalid");
	if (!str_text_ok(n->venue_address, EVENTS_LINE_MAX, false))
		field_error_add(fe, "venue_address", "err.events.line_invalid");
	if (!str_text_ok(n->access_notes, EVENTS_NOTES_MAX, true))
		field_error_add(fe, "access_notes", "err.events.notes_invalid");
	if (!events_status_valid(n->status))
		field_error_add(fe, "status", "err.events.status_invalid");
	const char *access;
	if (!str_text_ok(n->accessibility, SIZE_MAX, false) || !normalise_access(a, n->accessibility, &access))
		field_error_add(fe, "accessibility", "err.events.access_invalid");
	else
		n->accessibility = access;

	/* Ticketing and capacity. */
	n->is_ticketed = cur ? cur->is_ticketed : false;
	if (in->ticketing) {
		const char *t = str_trim(a, in->ticketing);
		if (strcmp(t, "free") == 0)
			n->is_ticketed = false;
		else if (strcmp(t, "ticketed") == 0)
			n->is_ticketed = true;
		else
			field_error_add(fe, "ticketing", "err.events.ticketing_invalid");
	}
	n->capacity = cur ? cur->capacity : 0;
	if (in->capacity) {
		const char *c = str_trim(a, in->capacity);
		int64_t v = 0;
		if (*c && (!str_to_i64(c, &v) || v < 1 || v > EVENTS_CAPACITY_MAX))
			field_error_add(fe, "capacity", "err.events.capacity_invalid");
		else
			n->capacity = v;
	}

	/* Coordinates: both or neither. */
	n->has_geo = cur ? cur->has_geo : false;
	n->lat_e6 = cur ? cur->lat_e6 : 0;
	n->lon_e6 = cur ? cur->lon_e6 : 0;
	if (in->latitude || in->longitude) {
		const char *la = str_trim(a, in->latitude ? in->latitude : "");
		const char *lo = str_trim(a, in->longitude ? in->longitude : "");
		if (!*la && !*lo) {
			n->has_geo = false;
		} else {
			bool ok = true;
			if (!parse_degrees(la, 90, &n->lat_e6)) {
				field_error_add(fe, "latitude", "err.events.latitude_invalid");
				ok = false;
			}
			if (!parse_degrees(lo, 180, &n->lon_e6)) {
				field_error_add(fe, "longitude", "err.events.longitude_invalid");
				ok = false;
			}
			n->has_geo = ok;
		}
	}

	n->commune_id = 0;
	if (*n->commune) {
		struct db_stmt *st = db_stmt(db, &SQL_COMMUNE_BY_INSEE);
		db_bind_text(st, 1, n->commune);
		enum db_status s = db_step(st);
		if (s == DB_ROW)
			n->commune_id = db_col_i64(st, 0);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE)
			field_error_add(fe, "commune", "err.events.commune_invalid");
	}
	return DB_NONE;
}

static const char *row_field(struct arena *a, const char *name, int i)
{
	return arena_printf(a, "%s_%d", name, i);
}

/* The local wall-clock parts of one date row. */
struct local_row {
	int y, m, d, h, mi;         /* start */
	int ey, em, ed, eh, emi;    /* end */
	bool has_end_time;
};

static const char *time_err_key(enum events_time t)
{
	return t == EVENTS_TIME_NONEXISTENT ? "err.events.time_nonexistent"
					    : "err.events.time_invalid";
}

/* Turns one entered date into instants. false with field errors when wrong. */
static bool plan_row(struct arena *a, const struct event_date_input *in, int i,
		     struct field_errors *fe, struct date_plan *out, struct local_row *lr)
{
	memset(lr, 0, sizeof(*lr));
	if (in->is_exact) {
		out->starts_at = in->starts_at;
		out->ends_at = in->ends_at ? in->ends_at : in->starts_at;
		int wd;
		events_local_date(out->starts_at, &lr->y, &lr->m, &lr->d, &wd);
		struct tm tm;
		time_t t = (time_t)out->starts_at;
		localtime_r(&t, &tm);
		lr->h = tm.tm_hour;
		lr->mi = tm.tm_min;
		t = (time_t)out->ends_at;
		localtime_r(&t, &tm);
		lr->ey = tm.tm_year + 1900, lr->em = tm.tm_mon + 1, lr->ed = tm.tm_mday;
		lr->eh = tm.tm_hour, lr->emi = tm.tm_min;
		lr->has_end_time = in->ends_at != 0;
		if (lr->y < EVENTS_YEAR_MIN || lr->y > EVENTS_YEAR_MAX) {
			field_error_add(fe, row_field(a, "start_date", i), "err.events.date_invalid");
			return false;
		}
	} else {
		bool ok = true;
		if (!parse_date(in->start_date, &lr->y, &lr->m, &lr->d)) {
			field_error_add(fe, row_field(a, "start_date", i),
					str_empty(in->start_date) ? "err.events.date_required"
								  : "err.events.date_invalid");
			ok = false;
		}
		if (!parse_time(in->start_time, &lr->h, &lr->mi)) {
			field_error_add(fe, row_field(a, "start_time", i),
					str_empty(in->start_time) ? "err.events.time_required"
								  : "err.events.time_invalid");
			ok = false;
		}
		bool has_end_date = in->end_date && !str_empty(in->end_date);
		lr->has_end_time = in->end_time && !str_empty(in->end_time);
		if (has_end_date && !parse_date(in->end_date, &lr->ey, &lr->em, &lr->ed)) {
			field_error_add(fe, row_field(a, "end_date", i), "err.events.date_invalid");
			ok = false;
		}
		if (lr->has_end_time && !parse_time(in->end_time, &lr->eh, &lr->emi)) {
			field_error_add(fe, row_field(a, "end_time", i), "err.events.time_invalid");
			ok = false;
		}
		if (has_end_date && !lr->has_end_time) {
			field_error_add(fe, row_field(a, "end_time", i), "err.events.time_required");
			ok = false;
		}
		if (!ok)
			return false;
		enum events_time t = local_instant(lr->y, lr->m, lr->d, lr->h, lr->mi, &out->starts_at);
		if (t != EVENTS_TIME_OK) {
			field_error_add(fe, row_field(a, "start_time", i), time_err_key(t));
			return false;
		}
		if (!lr->has_end_time) {
			/* No end given: the date has no known end; feeds then give no DTEND. */
			out->ends_at = out->starts_at;
			lr->ey = lr->y, lr->em = lr->m, lr->ed = lr->d, lr->eh = lr->h, lr->emi = lr->mi;
		} else {
			if (!has_end_date) {
				lr->ey = lr->y, lr->em = lr->m, lr->ed = lr->d;
				/* 21 h to 1 h: the end is on the next day. */
				if (lr->eh * 60 + lr->emi < lr->h * 60 + lr->mi)
					add_days(&lr->ey, &lr->em, &lr->ed, 1);
			}
			t = local_instant(lr->ey, lr->em, lr->ed, lr->eh, lr->emi, &out->ends_at);
			if (t != EVENTS_TIME_OK) {
				field_error_add(fe, row_field(a, "end_time", i), time_err_key(t));
				return false;
			}
		}
	}
	if (out->ends_at < out->starts_at) {
		field_error_add(fe, row_field(a, in->is_exact ? "start_date" : "end_time", i),
				"err.events.end_before_start");
		return false;
	}
	if (out->ends_at - out->starts_at > EVENTS_DURATION_MAX) {
		field_error_add(fe, row_field(a, in->is_exact ? "start_date" : "end_date", i),
				"err.events.too_long");
		return false;
	}
	return true;
}

static bool row_blank(const struct event_date_input *d)
{
	return !d->id && !d->is_exact && str_empty(d->start_date) && str_empty(d->start_time) &&
	       str_empty(d->end_date) && str_empty(d->end_time);
}

/* The nth (1..5) weekday wd of month (y, m), or false when the month has none. */
static bool nth_weekday(int y, int m, int wd, int nth, int *out_d)
{
	int first = weekday_of(y, m, 1);
	int d = 1 + (wd - first + 7) % 7 + (nth - 1) * 7;
	if (d > days_in_month(y, m))
		return false;
	*out_d = d;
	return true;
}

struct plan {
	struct date_plan *dates;
	int n, cap;
	int live;       /* dates the event will have */
};

static void plan_push(struct arena *a, struct plan *p, const struct date_plan *d)
{
	if (p->n == p->cap) {
		int cap = p->cap ? p->cap * 2 : 16;
		struct date_plan *bigger = arena_alloc(a, sizeof(*bigger) * (size_t)cap);
		if (p->n)
			memcpy(bigger, p->dates, sizeof(*bigger) * (size_t)p->n);
		p->dates = bigger;
		p->cap = cap;
	}
	p->dates[p->n++] = *d;
}

static bool plan_has_start(const struct plan *p, int64_t starts_at)
{
	for (int i = 0; i < p->n; i++)
		if (!p->dates[i].remove && p->dates[i].starts_at == starts_at)
			return true;
	return false;
}

/* Adds the occurrences of a repetition of the pattern row. Each one keeps
 * the wall-clock times of the pattern (a market from 8 h to 13 h stays so
 * across the change to summer time). */
static void plan_repeat(struct arena *a, const struct event_input *in, const struct local_row *lr,
			struct plan *p, struct field_errors *fe)
{
	const char *repeat = in->repeat ? in->repeat : "";
	if (!*repeat)
		return;
	int step;
	if (strcmp(repeat, "weekly") == 0)
		step = 7;
	else if (strcmp(repeat, "biweekly") == 0)
		step = 14;
	else if (strcmp(repeat, "monthly") == 0)
		step = 0;
	else {
		field_error_add(fe, "repeat", "err.events.repeat_invalid");
		return;
	}
	int uy, um, ud;
	if (!parse_date(in->repeat_until, &uy, &um, &ud)) {
		field_error_add(fe, "repeat_until",
				str_empty(in->repeat_until) ? "err.events.repeat_until_required"
							    : "err.events.date_invalid");
		return;
	}
	long until = (long)uy * 10000 + um * 100 + ud;
	int span = 0;   /* days from the start to the end of the pattern */
	for (int y = lr->y, m = lr->m, d = lr->d; (long)y * 10000 + m * 100 + d <
						   (long)lr->ey * 10000 + lr->em * 100 + lr->ed;
	     span++)
		add_days(&y, &m, &d, 1);
	int wd = weekday_of(lr->y, lr->m, lr->d), nth = (lr->d - 1) / 7 + 1;
	int y = lr->y, m = lr->m, d = lr->d;
	for (int k = 1; k <= 400; k++) {
		if (step) {
			add_days(&y, &m, &d, step);
		} else {
			bool found = false;
			while (!found && (long)y * 10000 + m * 100 <= until) {
				if (++m == 13)
					m = 1, y++;
				found = nth_weekday(y, m, wd, nth, &d);
			}
			if (!found)
				break;
		}
		if ((long)y * 10000 + m * 100 + d > until)
			break;
		struct date_plan dp = { 0 };
		int ey = y, em = m, ed = d;
		add_days(&ey, &em, &ed, span);
		if (local_instant(y, m, d, lr->h, lr->mi, &dp.starts_at) != EVENTS_TIME_OK ||
		    local_instant(ey, em, ed, lr->eh, lr->emi, &dp.ends_at) != EVENTS_TIME_OK) {
			field_error_add(fe, "repeat", "err.events.repeat_nonexistent");
			return;
		}
		if (!lr->has_end_time)
			dp.ends_at = dp.starts_at;
		if (plan_has_start(p, dp.starts_at))
			continue;
		if (p->live >= EVENTS_DATES_MAX) {
			field_error_add(fe, "repeat_until", "err.events.too_many_dates");
			return;
		}
		dp.changed = true;
		plan_push(a, p, &dp);
		p->live++;
	}
}

/* The dates the event will have: cur's dates changed, removed or kept as
 * given, the new ones, and the repetition. Field errors in fe; a date id
 * that is not the event's gives NOT_FOUND. */
static enum kq_err plan_dates(struct arena *a, const struct event_input *in,
			      const struct event *cur, struct plan *p, struct field_errors *fe)
{
	memset(p, 0, sizeof(*p));
	if (cur)
		for (int i = 0; i < cur->ndates; i++) {
			struct date_plan d = { cur->dates[i].id, cur->dates[i].starts_at,
					       cur->dates[i].ends_at, cur->dates[i].cancelled, false,
					       false };
			plan_push(a, p, &d);
			p->live++;
		}
	if (cur && !in->has_dates) {
		/* A repetition needs the date it repeats. */
		if (in->repeat && *in->repeat)
			field_error_add(fe, "repeat", "err.events.repeat_needs_date");
		return KQ_OK;
	}
	struct local_row pattern = { 0 };
	bool has_pattern = false;
	for (int i = 0; i < in->ndates; i++) {
		const struct event_date_input *di = &in->dates[i];
		if (row_blank(di))
			continue;
		struct date_plan *target = NULL;
		if (di->id) {
			for (int k = 0; k < p->n; k++)
				if (p->dates[k].id == di->id)
					target = &p->dates[k];
			if (!target)
				return KQ_ERR_NOT_FOUND;
			if (di->remove) {
				if (!target->remove)
					p->live--;
				target->remove = true;
				continue;
			}
		} else if (di->remove) {
			continue;
		}
		struct date_plan dp = { 0 };
		struct local_row lr;
		if (!plan_row(a, di, i, fe, &dp, &lr))
			continue;
		if (!has_pattern) {
			pattern = lr;
			has_pattern = true;
		}
		if (target) {
			target->changed = target->starts_at != dp.starts_at ||
					  target->ends_at != dp.ends_at || target->cancelled != di->cancelled;
			target->starts_at = dp.starts_at;
			target->ends_at = dp.ends_at;
			target->cancelled = di->cancelled;
		} else {
			dp.cancelled = di->cancelled;
			dp.changed = true;
			plan_push(a, p, &dp);
			p->live++;
		}
	}
	if (has_pattern && !fe->n)
		plan_repeat(a, in, &pattern, p, fe);
	else if (in->repeat && *in->repeat && !has_pattern && !fe->n)
		field_error_add(fe, "repeat", "err.events.repeat_needs_date");
	if (p->live <= 0 && !fe->n)
		field_error_add(fe, "dates", "err.events.dates_required");
	if (p->live > EVENTS_DATES_MAX && !field_error_get(fe, "repeat_until"))
		field_error_add(fe, "dates", "err.events.too_many_dates");
	return KQ_OK;
}

/* ---- writing ------------------------------------------------------------------------------------- */

static const struct db_sql SQL_SLUG_USED = { "events_slug_used",
	"SELECT 1 FROM events WHERE slug = $1" };
static const struct db_sql SQL_INSERT = { "events_insert",
	"INSERT INTO events (org_id, slug, title, summary, description, description_html, category,"
	" commune_id, venue_name, venue_address, lat_e6, lon_e6, image_upload_id, is_ticketed,"
	" capacity, accessibility, access_notes, status, created_by, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,"
	" $19, $20, $20) RETURNING id" };
static const struct db_sql SQL_UPDATE = { "events_update",
	"UPDATE events SET title = $2, summary = $3, description = $4, description_html = $5,"
	" category = $6, commune_id = $7, venue_name = $8, venue_address = $9, lat_e6 = $10,"
	" lon_e6 = $11, image_upload_id = $12, is_ticketed = $13, capacity = $14,"
	" accessibility = $15, access_notes = $16, status = $17, updated_at = $18,"
	" sequence = sequence + 1 WHERE id = $1" };
static const struct db_sql SQL_DATE_INSERT = { "events_date_insert",
	"INSERT INTO event_dates (event_id, starts_at, ends_at, cancelled) VALUES ($1, $2, $3, $4)" };
static const struct db_sql SQL_DATE_UPDATE = { "events_date_update",
	"UPDATE event_dates SET starts_at = $2, ends_at = $3, cancelled = $4"
	" WHERE id = $1 AND event_id = $5" };
static const struct db_sql SQL_DATE_DELETE = { "events_date_delete",
	"DELETE FROM event_dates WHERE id = $1 AND event_id = $2" };

static void bind_opt_i64(struct db_stmt *st, int n, bool has, int64_t v)
{
	if (has)
		db_bind_i64(st, n, v);
	else
		db_bind_null(st, n);
}

/* A free slug from the title: "fete-du-pain", then "fete-du-pain-2"... */
static enum db_status free_slug(struct db *db, struct arena *a, const char *title,
				const char **out)
{
	static const struct slug_rule rule = { &SQL_SLUG_USED, "evenement", 50, reserved_slugs };
	return slug_free(db, a, title, &rule, out);
}

static enum db_status insert_event(struct db *db, int64_t org_id, const char *slug,
				   const struct norm *n, int64_t image_id, int64_t created_by,
				   int64_t *out_id)
{
	struct db_stmt *st = db_stmt(db, &SQL_INSERT);
	db_bind_i64(st, 1, org_id);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, n->title);
	db_bind_text(st, 4, n->summary);
	db_bind_text(st, 5, n->description);
	db_bind_text(st, 6, n->description_html);
	db_bind_text(st, 7, n->category);
	bind_opt_i64(st, 8, n->commune_id != 0, n->commune_id);
	db_bind_text(st, 9, n->venue_name);
	db_bind_text(st, 10, n->venue_address);
	bind_opt_i64(st, 11, n->has_geo, n->lat_e6);
	bind_opt_i64(st, 12, n->has_geo, n->lon_e6);
	bind_opt_i64(st, 13, image_id != 0, image_id);
	db_bind_i64(st, 14, n->is_ticketed);
	bind_opt_i64(st, 15, n->capacity > 0, n->capacity);
	db_bind_text(st, 16, n->accessibility);
	db_bind_text(st, 17, n->access_notes);
	db_bind_text(st, 18, n->status);
	bind_opt_i64(st, 19, created_by != 0, created_by);
	db_bind_i64(st, 20, time_now());
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		*out_id = db_col_i64(st, 0);
	db_reset(st);
	return s == DB_ROW ? DB_NONE : s == DB_NONE ? DB_HARD : s;
}

static enum db_status insert_date(struct db *db, int64_t event_id, const struct date_plan *d)
{
	struct db_stmt *st = db_stmt(db, &SQL_DATE_INSERT);
	db_bind_i64(st, 1, event_id);
	db_bind_i64(st, 2, d->starts_at);
	db_bind_i64(st, 3, d->ends_at);
	db_bind_i64(st, 4, d->cancelled);
	return db_run(st);
}

/* Writes the plan: removals first (a removed date's place may be taken by a
 * new one), then changes, then new dates. */
static enum db_status write_dates(struct db *db, int64_t event_id, const struct plan *p,
				  enum kq_err *err)
{
	enum db_status s;
	for (int i = 0; i < p->n; i++) {
		const struct date_plan *d = &p->dates[i];
		if (!d->id || !d->remove)
			continue;
		/* INVARIANT(sold-dates-stay): a date with orders is never deleted. */
		if (hooks.date_has_orders && hooks.date_has_orders(db, d->id)) {
			*err = KQ_ERR_EVENTS_DATE_HAS_TICKETS;
			return DB_HARD;
		}
		struct db_stmt *st = db_stmt(db, &SQL_DATE_DELETE);
		db_bind_i64(st, 1, d->id);
		db_bind_i64(st, 2, event_id);
		if ((s = db_run(st)) < 0)
			return s;
	}
	for (int i = 0; i < p->n; i++) {
		const struct date_plan *d = &p->dates[i];
		if (d->remove || !d->changed)
			continue;
		if (!d->id) {
			if ((s = insert_date(db, event_id, d)) < 0)
				return s;
			continue;
		}
		struct db_stmt *st = db_stmt(db, &SQL_DATE_UPDATE);
		db_bind_i64(st, 1, d->id);
		db_bind_i64(st, 2, d->starts_at);
		db_bind_i64(st, 3, d->ends_at);
		db_bind_i64(st, 4, d->cancelled);
		db_bind_i64(st, 5, event_id);
		if ((s = db_run(st)) < 0)
			return s;
	}
	return DB_NONE;
}

struct write_ctx {
	const struct actor *who;
	const struct event_input *in;
	struct arena *a;
	struct field_errors *fe;
	int64_t org_id;              /* create */
	int64_t event_id;            /* update; create: [out] */
	const char *image_type;      /* sniffed, when in->image */
	enum kq_err err;
};

/* Image bytes sniffed before the transaction (no database needed). */
static void check_image(const struct event_input *in, struct field_errors *fe,
			const char **out_type)
{
	*out_type = NULL;
	if (!in->image)
		return;
	enum kq_err e = uploads_check_image(in->image, in->image_len, out_type);
	if (e != KQ_OK)
		field_error_add(fe, "image", err_msg_key(e));
}

static enum db_status create_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	memset(x->fe, 0, sizeof(*x->fe));
	enum kq_err e = orgs_authorize(db, x->who, x->org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK) {
		x->err = e;
		return DB_HARD;
	}
	struct norm n;
	normalise(x->a, x->in, NULL, &n);
	enum db_status s = validate(db, x->a, x->in, NULL, &n, x->fe);
	if (s < 0)
		return s;
	struct plan p;
	plan_dates(x->a, x->in, NULL, &p, x->fe);
	const char *image_type;
	check_image(x->in, x->fe, &image_type);
	if (x->fe->n) {
		x->err = KQ_ERR_FORM_INVALID;
		return DB_HARD;
	}
	n.description_html = markdown_to_html(x->a, n.description);
	int64_t image_id = 0;
	if (x->in->image && (s = uploads_insert(db, x->in->image, x->in->image_len, image_type,
						x->who->account_id, &image_id)) < 0)
		return s;
	const char *slug;
	if ((s = free_slug(db, x->a, n.title, &slug)) < 0)
		return s;
	s = insert_event(db, x->org_id, slug, &n, image_id, x->who->account_id, &x->event_id);
	/* Someone took the slug between our look and our insert: run again. */
	if (s == DB_HARD && db_is_unique_violation(db))
		return DB_SOFT;
	if (s < 0)
		return s;
	return write_dates(db, x->event_id, &p, &x->err);
}

static _Atomic uint64_t generation;

uint64_t events_generation(void)
{
	return generation;
}

void events_changed(void)
{
	generation++;
}

static enum kq_err run(struct db *db, const char *name, db_txn_fn fn, struct write_ctx *x)
{
	enum db_status s = db_txn_run(db, name, DB_WRITE, fn, x);
	events_changed();   /* even after a refusal: a cache that misses once costs nothing */
	if (x->err != KQ_OK)
		return x->err;
	if (s < 0) {
		log_error("%s: %s", name, db_errmsg(db));
		return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}

enum kq_err events_create(struct db *db, const struct actor *who, int64_t org_id,
			  const struct event_input *in, struct arena *a, struct field_errors *fe,
			  struct event *out)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct write_ctx x = { who, in, a, fe, org_id, 0, NULL, KQ_OK };
	enum kq_err e = run(db, "events_create", create_txn, &x);
	if (e != KQ_OK)
		return e;
	return get_one(db, a, &SQL_GET_ID, NULL, x.event_id, out);
}

static enum db_status update_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	memset(x->fe, 0, sizeof(*x->fe));
	struct event cur;
	enum kq_err e = get_one(db, x->a, &SQL_GET_ID, NULL, x->event_id, &cur);
	if (e == KQ_OK)
		e = events_authorize(db, x->who, &cur);
	if (e != KQ_OK) {
		x->err = e;
		return DB_HARD;
	}
	struct norm n;
	normalise(x->a, x->in, &cur, &n);
	enum db_status s = validate(db, x->a, x->in, &cur, &n, x->fe);
	if (s < 0)
		return s;
	struct plan p;
	if ((e = plan_dates(x->a, x->in, &cur, &p, x->fe)) != KQ_OK) {
		x->err = e;
		return DB_HARD;
	}
	const char *image_type;
	check_image(x->in, x->fe, &image_type);
	if (x->fe->n) {
		x->err = KQ_ERR_FORM_INVALID;
		return DB_HARD;
	}
	n.description_html = x->in->description || !*cur.description_html
				     ? markdown_to_html(x->a, n.description)
				     : cur.description_html;
	int64_t image_id = cur.image_upload_id;
	if (x->in->image) {
		s = uploads_insert(db, x->in->image, x->in->image_len, image_type,
				   x->who->account_id, &image_id);
		if (s < 0)
			return s;
	} else if (x->in->remove_image) {
		image_id = 0;
	}
	struct db_stmt *st = db_stmt(db, &SQL_UPDATE);
	db_bind_i64(st, 1, cur.id);
	db_bind_text(st, 2, n.title);
	db_bind_text(st, 3, n.summary);
	db_bind_text(st, 4, n.description);
	db_bind_text(st, 5, n.description_html);
	db_bind_text(st, 6, n.category);
	bind_opt_i64(st, 7, n.commune_id != 0, n.commune_id);
	db_bind_text(st, 8, n.venue_name);
	db_bind_text(st, 9, n.venue_address);
	bind_opt_i64(st, 10, n.has_geo, n.lat_e6);
	bind_opt_i64(st, 11, n.has_geo, n.lon_e6);
	bind_opt_i64(st, 12, image_id != 0, image_id);
	db_bind_i64(st, 13, n.is_ticketed);
	bind_opt_i64(st, 14, n.capacity > 0, n.capacity);
	db_bind_text(st, 15, n.accessibility);
	db_bind_text(st, 16, n.access_notes);
	db_bind_text(st, 17, n.status);
	db_bind_i64(st, 18, time_now());
	if ((s = db_run(st)) < 0)
		return s;
	/* The replaced image goes once nothing points to it any more. */
	if (cur.image_upload_id && image_id != cur.image_upload_id &&
	    (s = uploads_delete(db, cur.image_upload_id)) < 0)
		return s;
	return write_dates(db, cur.id, &p, &x->err);
}

enum kq_err events_update(struct db *db, const struct actor *who, int64_t event_id,
			  const struct event_input *in, struct arena *a, struct field_errors *fe,
			  struct event *out)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct write_ctx x = { who, in, a, fe, 0, event_id, NULL, KQ_OK };
	enum kq_err e = run(db, "events_update", update_txn, &x);
	if (e != KQ_OK)
		return e;
	return get_one(db, a, &SQL_GET_ID, NULL, event_id, out);
}

/* ---- the private "my tickets" feed ---------------------------------------------------------------- */

static const struct db_sql SQL_FEED_UPSERT = { "events_feed_upsert",
	"INSERT INTO event_feed_tokens (account_id, token_hash, created_at) VALUES ($1, $2, $3)"
	" ON CONFLICT (account_id) DO UPDATE SET token_hash = excluded.token_hash,"
	" created_at = excluded.created_at, last_used_at = NULL" };
static const struct db_sql SQL_FEED_DELETE = { "events_feed_delete",
	"DELETE FROM event_feed_tokens WHERE account_id = $1" };
static const struct db_sql SQL_FEED_INFO = { "events_feed_info",
	"SELECT created_at FROM event_feed_tokens WHERE account_id = $1" };
static const struct db_sql SQL_FEED_LOOKUP = { "events_feed_lookup",
	"SELECT f.account_id FROM event_feed_tokens f JOIN accounts a ON a.id = f.account_id"
	" WHERE f.token_hash = $1 AND a.suspended_at IS NULL" };
static const struct db_sql SQL_FEED_TOUCH = { "events_feed_touch",
	"UPDATE event_feed_tokens SET last_used_at = $2 WHERE account_id = $1" };

enum kq_err events_feed_token_create(struct db *db, const struct actor *who, struct arena *a,
				     const char **out_token)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	char *token = arena_alloc(a, TOKEN_HEX_LEN + 1);
	char hash[TOKEN_HASH_HEX_LEN + 1];
	crypto_token(token);
	crypto_token_hash(token, hash);
	/* One statement: the upsert replaces the old hash atomically. */
	struct db_stmt *st = db_stmt(db, &SQL_FEED_UPSERT);
	db_bind_i64(st, 1, who->account_id);
	db_bind_text(st, 2, hash);
	db_bind_i64(st, 3, time_now());
	enum db_status s = db_run(st);
	crypto_wipe(hash, sizeof(hash));
	if (s < 0) {
		log_error("events_feed_token_create: %s", db_errmsg(db));
		return KQ_ERR_INTERNAL;
	}
	*out_token = token;
	return KQ_OK;
}

enum kq_err events_feed_token_revoke(struct db *db, const struct actor *who)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct db_stmt *st = db_stmt(db, &SQL_FEED_DELETE);
	db_bind_i64(st, 1, who->account_id);
	return db_run(st) < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

enum kq_err events_feed_token_info(struct db *db, const struct actor *who, int64_t *out_created)
{
	*out_created = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct db_stmt *st = db_stmt(db, &SQL_FEED_INFO);
	db_bind_i64(st, 1, who->account_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		*out_created = db_col_i64(st, 0);
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

static bool token_shape_ok(const char *t)
{
	if (!t || strlen(t) != TOKEN_HEX_LEN)
		return false;
	for (; *t; t++)
		if (!((*t >= '0' && *t <= '9') || (*t >= 'a' && *t <= 'f')))
			return false;
	return true;
}

static int by_start(const void *pa, const void *pb)
{
	const struct event *a = pa, *b = pb;
	int64_t x = a->dates[0].starts_at, y = b->dates[0].starts_at;
	return x < y ? -1 : x > y ? 1 : (a->dates[0].id > b->dates[0].id) - (a->dates[0].id < b->dates[0].id);
}

enum kq_err events_feed_my_tickets(struct db *db, struct arena *a, const char *token,
				   struct event **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	if (!token_shape_ok(token))
		return KQ_ERR_EVENTS_FEED_INVALID;
	char hash[TOKEN_HASH_HEX_LEN + 1];
	crypto_token_hash(token, hash);
	struct db_stmt *st = db_stmt(db, &SQL_FEED_LOOKUP);
	db_bind_text(st, 1, hash);
	enum db_status s = db_step(st);
	int64_t account_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (!account_id)
		return KQ_ERR_EVENTS_FEED_INVALID;
	st = db_stmt(db, &SQL_FEED_TOUCH);
	db_bind_i64(st, 1, account_id);
	db_bind_i64(st, 2, time_now());
	if (db_run(st) < 0)
		log_warn("events_feed_my_tickets: cannot note the use: %s", db_errmsg(db));

	int64_t *ids = NULL;
	int n = 0;
	if (hooks.account_date_ids) {
		enum kq_err e = hooks.account_date_ids(db, a, account_id, &ids, &n);
		if (e != KQ_OK)
			return e;
	}
	if (n > EVENTS_LIST_MAX)
		n = EVENTS_LIST_MAX;
	struct event *list = arena_alloc(a, sizeof(*list) * (size_t)(n ? n : 1));
	int64_t since = time_now() - 30 * 86400;
	int k = 0;
	for (int i = 0; i < n; i++) {
		st = db_stmt(db, &SQL_OCC_BY_DATE);
		db_bind_i64(st, 1, ids[i]);
		s = db_step(st);
		if (s == DB_ROW)
			read_occurrence(st, a, &list[k]);
		db_reset(st);
		if (s < 0)
			return KQ_ERR_INTERNAL;
		if (s == DB_ROW && list[k].dates[0].ends_at >= since &&
		    strcmp(list[k].status, "draft") != 0)
			k++;
	}
	qsort(list, (size_t)k, sizeof(*list), by_start);
	*out = list;
	*out_n = k;
	return KQ_OK;
}

/* ---- demo ------------------------------------------------------------------------------------------ */

static const char *js(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

static const struct db_sql SQL_ORG_BY_SLUG = { "events_demo_org",
	"SELECT id FROM organisations WHERE slug = $1" };
static const struct db_sql SQL_ORG_CREATOR = { "events_demo_creator",
	"SELECT account_id FROM org_members WHERE org_id = $1 ORDER BY created_at, account_id" };

static const char *const weekdays[] = { "monday", "tuesday", "wednesday", "thursday", "friday",
					"saturday", "sunday", NULL };

/* One demo event: its first day is now + offset_days, moved forward to the
 * next "weekday" when given; "repeat" weekly/biweekly/monthly for "count"
 * dates; "span_days" for a multi-day date. */
static enum db_status demo_event(struct db *db, struct arena *a, json_t *j, int64_t now)
{
	struct db_stmt *st = db_stmt(db, &SQL_ORG_BY_SLUG);
	db_bind_text(st, 1, js(j, "org"));
	enum db_status s = db_step(st);
	int64_t org_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return s;
	if (!org_id) {
		log_warn("demo: events of %s skipped (no such organisation)", js(j, "org"));
		return DB_NONE;
	}
	st = db_stmt(db, &SQL_ORG_CREATOR);
	db_bind_i64(st, 1, org_id);
	s = db_step(st);
	int64_t creator = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return s;

	struct event_input in = { 0 };
	in.title = js(j, "title");
	in.summary = js(j, "summary");
	in.description = js(j, "description");
	in.category = js(j, "category");
	in.commune = js(j, "commune");
	in.venue_name = js(j, "venue_name");
	in.venue_address = js(j, "venue_address");
	in.latitude = js(j, "lat");
	in.longitude = js(j, "lon");
	in.ticketing = json_is_true(json_object_get(j, "ticketed")) ? "ticketed" : "free";
	in.capacity = arena_printf(a, "%lld", (long long)json_integer_value(json_object_get(j, "capacity")));
	if (strcmp(in.capacity, "0") == 0)
		in.capacity = "";
	in.accessibility = js(j, "accessibility");
	in.access_notes = js(j, "access_notes");
	in.status = "published";

	int y, m, d, wd;
	events_local_date(now, &y, &m, &d, &wd);
	add_days(&y, &m, &d, (int)json_integer_value(json_object_get(j, "offset_days")));
	const char *want = js(j, "weekday");
	for (int k = 0; weekdays[k]; k++)
		if (strcmp(weekdays[k], want) == 0)
			add_days(&y, &m, &d, ((k + 1) - weekday_of(y, m, d) + 7) % 7);
	int ey = y, em = m, ed = d;
	add_days(&ey, &em, &ed, (int)json_integer_value(json_object_get(j, "span_days")));

	struct event_date_input di = { 0 };
	di.start_date = arena_printf(a, "%04d-%02d-%02d", y, m, d);
	di.start_time = js(j, "start");
	di.end_date = arena_printf(a, "%04d-%02d-%02d", ey, em, ed);
	di.end_time = js(j, "end");
	in.has_dates = true;
	in.dates = &di;
	in.ndates = 1;
	int count = (int)json_integer_value(json_object_get(j, "count"));
	if (*js(j, "repeat") && count > 1) {
		int step = strcmp(js(j, "repeat"), "weekly") == 0 ? 7 : strcmp(js(j, "repeat"), "biweekly") == 0 ? 14 : 35;
		int uy = y, um = m, ud = d;
		add_days(&uy, &um, &ud, step * (count - 1));
		in.repeat = js(j, "repeat");
		in.repeat_until = arena_printf(a, "%04d-%02d-%02d", uy, um, ud);
	}

	struct norm n;
	struct field_errors fe = { 0 };
	normalise(a, &in, NULL, &n);
	if ((s = validate(db, a, &in, NULL, &n, &fe)) < 0)
		return s;
	struct plan p;
	plan_dates(a, &in, NULL, &p, &fe);
	if (fe.n) {
		log_error("demo: event %s refused (%s: %s)", in.title, fe.e[0].field, fe.e[0].key);
		return DB_HARD;
	}
	n.description_html = markdown_to_html(a, n.description);
	const char *slug;
	int64_t id;
	if ((s = free_slug(db, a, n.title, &slug)) < 0)
		return s;
	if ((s = insert_event(db, org_id, slug, &n, 0, creator, &id)) < 0)
		return s;
	enum kq_err err = KQ_OK;
	return write_dates(db, id, &p, &err);
}

enum kq_err events_load_demo(struct db *db)
{
	if (!db_in_txn(db))
		KQ_BUG("events_load_demo outside a transaction");
	const struct embedded_file *f = embed_find("data/demo/events.json");
	if (!f) {
		log_error("demo: data/demo/events.json is not in the binary");
		return KQ_ERR_INTERNAL;
	}
	json_error_t jerr;
	json_t *root = json_loadb((const char *)f->data, f->len, 0, &jerr);
	if (!root) {
		log_error("demo: events.json line %d: %s", jerr.line, jerr.text);
		return KQ_ERR_INTERNAL;
	}
	struct arena *a = arena_new();
	int64_t now = time_now();
	size_t i;
	json_t *j;
	enum db_status s = DB_NONE;
	json_array_foreach(json_object_get(root, "events"), i, j) {
		if ((s = demo_event(db, a, j, now)) < 0)
			break;
	}
	arena_free(a);
	json_decref(root);
	if (s < 0) {
		log_error("demo: events not loaded: %s", db_errmsg(db));
		return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}
