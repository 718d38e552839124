/* test_events.c: events and the agenda: local time and DST, validation, permissions, drafts, filters, series, feeds (core/events.c, web/views/events.c, web/views/feeds.c) */
#include "testlib.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/str.h"
#include "core/events.h"
#include "core/orgs.h"
#include "core/territory.h"
#include "web/views/events.h"
#include "web/views/feeds.h"

#include <jansson.h>
#include <time.h>

struct env {
	char url[1024];
	char schema[128];
	struct db *db;
	struct arena *a;
	int64_t owner, editor, box, treasurer, stranger, admin;
	int64_t org_id, other_org_id;
};

TL_MIGRATED_DB_SETUPS(struct env, "events")

/* ---- fixtures ------------------------------------------------------------------------------- */

static const struct db_sql SQL_COMMUNE = { "ut_events_commune",
	"INSERT INTO communes (insee, name, postcode) VALUES ($1, $2, '26470')" };
static const struct db_sql SQL_COUNT_DATES = { "ut_events_count_dates",
	"SELECT COUNT(*) FROM event_dates WHERE event_id = $1" };
static const struct db_sql SQL_COUNT_EVENTS = { "ut_events_count_events",
	"SELECT COUNT(*) FROM events" };
static const struct db_sql SQL_COUNT_UPLOADS = { "ut_events_count_uploads",
	"SELECT COUNT(*) FROM uploads" };
static const struct db_sql SQL_FEED_HASH = { "ut_events_feed_hash",
	"SELECT token_hash FROM event_feed_tokens WHERE account_id = $1" };

static int64_t account(struct db *db, const char *email, const char *name, const char *role)
{
	return tl_account(db, email, name, role);
}

static struct actor actor_of(struct env *e, int64_t id)
{
	struct actor who = { 0 };
	static const struct db_sql q = { "ut_events_actor",
		"SELECT email, display_name, platform_role FROM accounts WHERE id = $1" };
	struct db_stmt *st = db_stmt(e->db, &q);
	db_bind_i64(st, 1, id);
	assert_int_equal(db_step(st), DB_ROW);
	who.account_id = id;
	who.email = arena_strdup(e->a, db_col_text(st, 0));
	who.display_name = arena_strdup(e->a, db_col_text(st, 1));
	who.platform_role = arena_strdup(e->a, db_col_text(st, 2));
	who.is_verified = true;
	who.lang = "fr";
	db_reset(st);
	return who;
}

static int64_t scalar(struct db *db, const struct db_sql *q, int64_t arg, bool has_arg)
{
	struct db_stmt *st = db_stmt(db, q);
	if (has_arg)
		db_bind_i64(st, 1, arg);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t v = db_col_i64(st, 0);
	db_reset(st);
	return v;
}

struct members {
	int64_t org_id;
	int64_t ids[3];
	const char *roles[3];
};

static enum db_status members_txn(struct db *db, void *cls)
{
	struct members *m = cls;
	for (int i = 0; i < 3; i++) {
		enum db_status s = orgs_member_insert_raw(db, m->org_id, m->ids[i], m->roles[i]);
		if (s < 0)
			return s;
	}
	return DB_NONE;
}

/* Every test starts from the same people and two organisations: "fetes"
 * (owner, editor, box office, treasurer) and "chorale" (owner only). */
static int fresh(void **state)
{
	struct env *e = *state;
	events_set_ticket_hooks(NULL);
	tl_set_clock(0);
	if (db_exec(e->db, "DELETE FROM event_feed_tokens; DELETE FROM event_dates; DELETE FROM events;"
			   " DELETE FROM org_invitations; DELETE FROM org_members;"
			   " DELETE FROM organisations; DELETE FROM uploads; DELETE FROM outbox;"
			   " DELETE FROM sessions; DELETE FROM api_tokens; DELETE FROM accounts;"
			   " DELETE FROM communes") != DB_NONE)
		return -1;
	const char *communes[][2] = { { "26391", "Vesqueval" }, { "26392", "Aigueclaire" } };
	for (int i = 0; i < 2; i++) {
		struct db_stmt *st = db_stmt(e->db, &SQL_COMMUNE);
		db_bind_text(st, 1, communes[i][0]);
		db_bind_text(st, 2, communes[i][1]);
		if (db_run(st) != DB_NONE)
			return -1;
	}
	if (e->a)
		arena_free(e->a);
	e->a = arena_new();
	e->owner = account(e->db, "olga@example.org", "Olga", "");
	e->editor = account(e->db, "eddy@example.org", "Eddy", "");
	e->box = account(e->db, "bob@example.org", "Bob", "");
	e->treasurer = account(e->db, "tess@example.org", "Tess", "");
	e->stranger = account(e->db, "sam@example.org", "Sam", "");
	e->admin = account(e->db, "ada@example.org", "Ada", "admin");
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct org o;
	struct org_input in = { .kind = "association", .name = "Comité des fêtes",
				.category = "comite-des-fetes", .commune = "26391",
				.email = "fetes@example.org" };
	assert_int_equal(orgs_create(e->db, &owner, &in, e->a, &fe, &o), KQ_OK);
	e->org_id = o.id;
	struct members m = { o.id, { e->editor, e->box, e->treasurer },
			     { "editor", "box_office", "treasurer" } };
	assert_true(db_txn_run(e->db, "ut_members", DB_WRITE, members_txn, &m) >= 0);
	struct org_input in2 = { .kind = "association", .name = "Chorale", .category = "culture" };
	assert_int_equal(orgs_create(e->db, &owner, &in2, e->a, &fe, &o), KQ_OK);
	e->other_org_id = o.id;
	return 0;
}

static int done(void **state)
{
	struct env *e = *state;
	events_set_ticket_hooks(NULL);
	tl_set_clock(0);
	arena_free(e->a);
	e->a = NULL;
	return 0;
}

/* A valid event with one date (local day and times). */
static struct event_input basic(struct env *e, const char *title, const char *day,
				const char *start, const char *end)
{
	struct event_input in = { 0 };
	struct event_date_input *d = arena_alloc(e->a, sizeof(*d));
	d->start_date = day;
	d->start_time = start;
	d->end_time = end;
	in.title = title;
	in.summary = "Une soirée au village.";
	in.description = "Avec **la fanfare**.";
	in.category = "concert";
	in.commune = "26391";
	in.venue_name = "Salle des fêtes";
	in.venue_address = "Place de la Mairie";
	in.latitude = "44.4912";
	in.longitude = "5.3871";
	in.ticketing = "free";
	in.status = "published";
	in.has_dates = true;
	in.dates = d;
	in.ndates = 1;
	return in;
}

static struct event make_event(struct env *e, int64_t org_id, const char *title, const char *day,
			       const char *start, const char *end)
{
	struct actor owner = actor_of(e, e->owner);
	struct event_input in = basic(e, title, day, start, end);
	struct field_errors fe = { 0 };
	struct event ev;
	enum kq_err r = events_create(e->db, &owner, org_id, &in, e->a, &fe, &ev);
	if (r != KQ_OK)
		fail_msg("events_create %s: %d (%s: %s)", title, r, fe.n ? fe.e[0].field : "",
			 fe.n ? fe.e[0].key : "");
	return ev;
}

/* UTC seconds of a UTC civil time. */
static int64_t utc(int y, int m, int d, int h, int mi)
{
	struct tm tm = { 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm);
}

static bool has_field_error(const struct field_errors *fe, const char *field, const char *key)
{
	const char *k = field_error_get(fe, field);
	return k && (!key || strcmp(k, key) == 0);
}

/* ---- local time and ranges (no database) ------------------------------------------------------- */

static void test_local_time_reads_both_date_forms_and_refuses_bad_ones(void **state)
{
	(void)state;
	int64_t t, t2;
	assert_int_equal(events_local_time("2026-07-14", "21:00", &t), EVENTS_TIME_OK);
	assert_int_equal(t, utc(2026, 7, 14, 19, 0));   /* summer: UTC+2 */
	assert_int_equal(events_local_time("14/07/2026", "21h", &t2), EVENTS_TIME_OK);
	assert_int_equal(t2, t);
	assert_int_equal(events_local_time("14/7/2026", "21 h 00", &t2), EVENTS_TIME_OK);
	assert_int_equal(t2, t);
	assert_int_equal(events_local_time("2026-12-24", "18:30", &t), EVENTS_TIME_OK);
	assert_int_equal(t, utc(2026, 12, 24, 17, 30)); /* winter: UTC+1 */
	assert_int_equal(events_local_time("2026-12-24", "", &t), EVENTS_TIME_OK);
	assert_int_equal(t, utc(2026, 12, 23, 23, 0));  /* midnight */
	const char *bad_dates[] = { "2026-02-29", "2028-02-30", "2026-13-01", "2026-00-10", "1999-12-31",
				    "2101-01-01", "26-07-14", "2026/07/14", "14-07-2026", "", "demain" };
	for (size_t i = 0; i < TL_ARRAY_LEN(bad_dates); i++)
		assert_int_equal(events_local_time(bad_dates[i], "10:00", &t), EVENTS_TIME_INVALID);
	assert_int_equal(events_local_time("2028-02-29", "10:00", &t), EVENTS_TIME_OK);
	const char *bad_times[] = { "24:00", "12:60", "7", "12:5", "midi", "12:00pm", "-1:00" };
	for (size_t i = 0; i < TL_ARRAY_LEN(bad_times); i++)
		assert_int_equal(events_local_time("2026-07-14", bad_times[i], &t), EVENTS_TIME_INVALID);
}

static void test_local_time_in_the_spring_gap_does_not_exist(void **state)
{
	(void)state;
	int64_t t;
	/* 29 March 2026: 02:00 CET becomes 03:00 CEST. */
	assert_int_equal(events_local_time("2026-03-29", "02:00", &t), EVENTS_TIME_NONEXISTENT);
	assert_int_equal(events_local_time("2026-03-29", "02:30", &t), EVENTS_TIME_NONEXISTENT);
	assert_int_equal(events_local_time("2026-03-29", "02:59", &t), EVENTS_TIME_NONEXISTENT);
	assert_int_equal(events_local_time("2026-03-29", "01:59", &t), EVENTS_TIME_OK);
	assert_int_equal(t, utc(2026, 3, 29, 0, 59));
	assert_int_equal(events_local_time("2026-03-29", "03:00", &t), EVENTS_TIME_OK);
	assert_int_equal(t, utc(2026, 3, 29, 1, 0));
	/* The same wall-clock time a week earlier exists. */
	assert_int_equal(events_local_time("2026-03-22", "02:30", &t), EVENTS_TIME_OK);
}

static void test_local_time_in_the_autumn_overlap_is_the_first_occurrence(void **state)
{
	(void)state;
	int64_t t;
	/* 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:30 happens twice. */
	assert_int_equal(events_local_time("2026-10-25", "02:30", &t), EVENTS_TIME_OK);
	assert_int_equal(t, utc(2026, 10, 25, 0, 30));   /* the summer-time one, RFC 5545 3.3.5 */
	assert_int_equal(events_local_time("2026-10-25", "03:00", &t), EVENTS_TIME_OK);
	assert_int_equal(t, utc(2026, 10, 25, 2, 0));
	assert_int_equal(events_local_time("2026-10-25", "01:59", &t), EVENTS_TIME_OK);
	assert_int_equal(t, utc(2026, 10, 24, 23, 59));
}

static void test_range_of_today_tomorrow_weekend_week_and_dates(void **state)
{
	(void)state;
	struct field_errors fe = { 0 };
	int64_t from, to;
	/* Wednesday 15 July 2026, 12:00 in Paris. */
	int64_t wed = utc(2026, 7, 15, 10, 0);
	assert_int_equal(events_range("today", NULL, NULL, wed, &fe, &from, &to), KQ_OK);
	assert_int_equal(from, wed);
	assert_int_equal(to, utc(2026, 7, 15, 22, 0));          /* 16 July 00:00 CEST */
	assert_int_equal(events_range("tomorrow", NULL, NULL, wed, &fe, &from, &to), KQ_OK);
	assert_int_equal(from, utc(2026, 7, 15, 22, 0));
	assert_int_equal(to, utc(2026, 7, 16, 22, 0));
	assert_int_equal(events_range("weekend", NULL, NULL, wed, &fe, &from, &to), KQ_OK);
	assert_int_equal(from, utc(2026, 7, 17, 22, 0));        /* Saturday 18 July 00:00 */
	assert_int_equal(to, utc(2026, 7, 19, 22, 0));          /* Monday 20 July 00:00 */
	assert_int_equal(events_range("week", NULL, NULL, wed, &fe, &from, &to), KQ_OK);
	assert_int_equal(to, utc(2026, 7, 19, 22, 0));
	assert_int_equal(events_range("month", NULL, NULL, wed, &fe, &from, &to), KQ_OK);
	assert_int_equal(to, utc(2026, 7, 31, 22, 0));
	/* On Saturday afternoon the weekend is this one, from now. */
	int64_t sat = utc(2026, 7, 18, 13, 0);
	assert_int_equal(events_range("weekend", NULL, NULL, sat, &fe, &from, &to), KQ_OK);
	assert_int_equal(from, sat);
	assert_int_equal(to, utc(2026, 7, 19, 22, 0));
	/* On Sunday too; on Monday it is the next one. */
	int64_t sun = utc(2026, 7, 19, 8, 0);
	assert_int_equal(events_range("weekend", NULL, NULL, sun, &fe, &from, &to), KQ_OK);
	assert_int_equal(from, sun);
	assert_int_equal(to, utc(2026, 7, 19, 22, 0));
	int64_t mon = utc(2026, 7, 20, 8, 0);
	assert_int_equal(events_range("weekend", NULL, NULL, mon, &fe, &from, &to), KQ_OK);
	assert_int_equal(from, utc(2026, 7, 24, 22, 0));
	/* A weekend across the change to winter time: Saturday 24 to Monday 26 October. */
	int64_t oct = utc(2026, 10, 21, 10, 0);
	assert_int_equal(events_range("weekend", NULL, NULL, oct, &fe, &from, &to), KQ_OK);
	assert_int_equal(from, utc(2026, 10, 23, 22, 0));
	assert_int_equal(to, utc(2026, 10, 25, 23, 0));
	/* Dates: the end day is included; open ends. */
	assert_int_equal(events_range("", "2026-08-01", "2026-08-02", wed, &fe, &from, &to), KQ_OK);
	assert_int_equal(from, utc(2026, 7, 31, 22, 0));
	assert_int_equal(to, utc(2026, 8, 2, 22, 0));
	assert_int_equal(events_range(NULL, "", "01/08/2026", wed, &fe, &from, &to), KQ_OK);
	assert_int_equal(from, wed);
	assert_int_equal(to, utc(2026, 8, 1, 22, 0));
	assert_int_equal(events_range(NULL, NULL, NULL, wed, &fe, &from, &to), KQ_OK);
	assert_int_equal(from, wed);
	assert_int_equal(to, 0);
	assert_int_equal(fe.n, 0);
	/* Refusals, next to their field. */
	assert_int_equal(events_range(NULL, "2026-08-05", "2026-08-01", wed, &fe, &from, &to),
			 KQ_ERR_FORM_INVALID);
	assert_true(has_field_error(&fe, "to", "err.events.range_reversed"));
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(events_range(NULL, "32/08/2026", "x", wed, &fe, &from, &to), KQ_ERR_FORM_INVALID);
	assert_true(has_field_error(&fe, "from", "err.events.date_invalid"));
	assert_true(has_field_error(&fe, "to", "err.events.date_invalid"));
}

static void test_vocabularies_have_labels_in_both_languages(void **state)
{
	(void)state;
	char key[96];
	const char *const *lists[] = { events_categories(), events_access_flags(), events_statuses() };
	const char *prefixes[] = { "events.category.", "events.access.", "events.status." };
	for (int l = 0; l < 3; l++)
		for (const char *const *c = lists[l]; *c; c++) {
			snprintf(key, sizeof(key), "%s%s", prefixes[l], *c);
			assert_true(i18n_has(key));
			assert_string_not_equal(i18n_get("en", key), key);
		}
	const char *more[] = { "events.when.today", "events.when.tomorrow", "events.when.weekend",
			       "events.when.week", "events.when.month", "events.repeat.weekly",
			       "events.repeat.biweekly", "events.repeat.monthly",
			       "events.ticketing.free", "events.ticketing.ticketed",
			       "err.events.date_has_tickets", "err.events.feed_invalid" };
	for (size_t i = 0; i < TL_ARRAY_LEN(more); i++)
		assert_true(i18n_has(more[i]));
	for (int i = 1; i <= 7; i++) {
		snprintf(key, sizeof(key), "events.wday.%d", i);
		assert_true(i18n_has(key));
		snprintf(key, sizeof(key), "events.wday_short.%d", i);
		assert_true(i18n_has(key));
	}
	for (int i = 1; i <= 12; i++) {
		snprintf(key, sizeof(key), "events.month.%d", i);
		assert_true(i18n_has(key));
	}
	assert_true(events_category_valid("flea_market"));
	assert_false(events_category_valid("Concert"));
	assert_false(events_category_valid(NULL));
	assert_true(events_has_access("wheelchair, hearing_loop", "hearing_loop"));
	assert_true(events_has_access("wheelchair,hearing_loop", "wheelchair"));
	assert_false(events_has_access("wheelchair_x", "wheelchair"));
	assert_false(events_has_access("", "wheelchair"));
}

/* ---- iCalendar and Atom (no database) ------------------------------------------------------------ */

/* Every physical line is at most 75 octets and valid UTF-8 on its own,
 * continuation lines start with one space, and unfolding gives back line. */
static void check_folded(const char *out, const char *line)
{
	struct buf unfolded = BUF_INIT;
	const char *p = out;
	bool first = true;
	while (*p) {
		const char *eol = strstr(p, "\r\n");
		assert_non_null(eol);
		size_t n = (size_t)(eol - p);
		assert_true(n <= 75);
		assert_true(str_utf8_valid(p, n));
		if (!first) {
			assert_int_equal(p[0], ' ');
			buf_append(&unfolded, p + 1, n - 1);
		} else {
			buf_append(&unfolded, p, n);
		}
		first = false;
		p = eol + 2;
	}
	assert_string_equal(buf_str(&unfolded), line);
	buf_free(&unfolded);
}

static void test_ical_text_is_escaped_and_lines_fold_at_75_octets_between_characters(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	assert_string_equal(feeds_ical_text(a, "a,b;c\\d\ne\r\nf\x01g\th"), "a\\,b\\;c\\\\d\\ne\\nfg h");
	/* Two-, three- and four-byte characters straddling every possible fold point. */
	const char *samples[] = { "é", "€", "😀", "aé", "a€", "ab😀" };
	for (size_t s = 0; s < TL_ARRAY_LEN(samples); s++) {
		struct buf v = BUF_INIT;
		for (int i = 0; i < 60; i++)
			buf_puts(&v, samples[s]);
		struct buf out = BUF_INIT;
		feeds_ical_line(&out, "SUMMARY", buf_str(&v));
		check_folded(buf_str(&out), arena_printf(a, "SUMMARY:%s", buf_str(&v)));
		buf_free(&out);
		buf_free(&v);
	}
	struct buf out = BUF_INIT;
	feeds_ical_line(&out, "UID", "short");
	assert_string_equal(buf_str(&out), "UID:short\r\n");
	buf_free(&out);
	/* A line of exactly 75 octets is not folded; 76 are. */
	char s75[80];
	memset(s75, 'x', 71);
	s75[71] = 0;
	out = (struct buf)BUF_INIT;
	feeds_ical_line(&out, "URL", s75);   /* "URL:" + 71 = 75 */
	assert_int_equal(out.len, 77);
	buf_free(&out);
	s75[71] = 'x';
	s75[72] = 0;
	out = (struct buf)BUF_INIT;
	feeds_ical_line(&out, "URL", s75);
	assert_non_null(strstr(buf_str(&out), "\r\n x\r\n"));
	buf_free(&out);
	arena_free(a);
}

#define EVIL "<script>\"'&"

static struct event fake_event(struct arena *a, const char *text, int64_t start, int64_t end)
{
	struct event ev = { 0 };
	ev.id = 7;
	ev.org_id = 3;
	ev.slug = "fete";
	ev.title = text;
	ev.summary = text;
	ev.description = text;
	ev.description_html = "<p>ok</p>";
	ev.category = "concert";
	ev.status = "published";
	ev.org_slug = "fetes";
	ev.org_name = text;
	ev.org_email = "fetes@example.org";
	ev.commune_id = 1;
	ev.commune_insee = "26391";
	ev.commune_name = text;
	ev.commune_postcode = "26470";
	ev.venue_name = text;
	ev.venue_address = text;
	ev.has_geo = true;
	ev.lat_e6 = 44491200;
	ev.lon_e6 = -1553000;
	ev.image_sha256 = "";
	ev.accessibility = "wheelchair";
	ev.access_notes = text;
	ev.created_at = 1700000000;
	ev.updated_at = 1700000100;
	ev.sequence = 2;
	struct event_date *d = arena_alloc(a, sizeof(*d) * 2);
	d[0] = (struct event_date){ 11, start, end, false, EVENTS_TICKETS_UNKNOWN };
	d[1] = (struct event_date){ 12, start + 180 * 86400, end + 180 * 86400, true,
				    EVENTS_TICKETS_UNKNOWN };
	ev.dates = d;
	ev.ndates = 2;
	return ev;
}

static void test_ical_calendar_has_the_paris_vtimezone_crlf_lines_and_one_uid_per_date(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	/* 14 July 2026 21:00-23:00 Paris (summer), and 180 days later (winter). */
	struct event ev = fake_event(a, "Fête, bal; \\ soirée\nà Vesqueval", utc(2026, 7, 14, 19, 0),
				     utc(2026, 7, 14, 21, 0));
	struct feed_info fi = { "fr", "Agenda", "https://k.example.org/agenda.ics",
				"https://k.example.org/evenements", "https://k.example.org:8443", "T" };
	struct buf b = BUF_INIT;
	feeds_ical(&b, a, &fi, &ev, 1);
	const char *s = buf_str(&b);
	/* CRLF everywhere, no bare LF, every line at most 75 octets. */
	for (const char *p = s; *p; p++)
		if (*p == '\n')
			assert_int_equal(p[-1], '\r');
	for (const char *p = s; *p;) {
		const char *eol = strstr(p, "\r\n");
		assert_non_null(eol);
		assert_true(eol - p <= 75);
		p = eol + 2;
	}
	assert_true(str_starts(s, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
	assert_non_null(strstr(s, "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"));
	assert_non_null(strstr(s, "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"));
	assert_non_null(strstr(s, "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"));
	assert_non_null(strstr(s, "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"));
	assert_non_null(strstr(s, "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"));
	assert_non_null(strstr(s, "UID:event-7-11@k.example.org\r\n"));
	assert_non_null(strstr(s, "UID:event-7-12@k.example.org\r\n"));
	assert_non_null(strstr(s, "DTSTART;TZID=Europe/Paris:20260714T210000\r\n"));
	assert_non_null(strstr(s, "DTEND;TZID=Europe/Paris:20260714T230000\r\n"));
	/* 180 days later is 10 January 2027, in winter: the same UTC hour is 20:00 there. */
	assert_non_null(strstr(s, "DTSTART;TZID=Europe/Paris:20270110T200000\r\n"));
	assert_non_null(strstr(s, "DTSTAMP:20231114T221500Z\r\n"));
	assert_non_null(strstr(s, "SEQUENCE:2\r\n"));
	assert_non_null(strstr(s, "SUMMARY:Fête\\, bal\\; \\\\ soirée\\nà Vesqueval\r\n"));
	assert_non_null(strstr(s, "SUMMARY:[Annulé] Fête"));
	assert_non_null(strstr(s, "STATUS:CANCELLED\r\n"));
	assert_non_null(strstr(s, "STATUS:CONFIRMED\r\n"));
	assert_non_null(strstr(s, "GEO:44.491200;-1.553000\r\n"));
	assert_true(str_starts(strstr(s, "END:VCALENDAR"), "END:VCALENDAR\r\n"));
	buf_free(&b);
	arena_free(a);
}

static void test_atom_is_escaped_and_lists_each_event_once(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct event ev = fake_event(a, EVIL, utc(2026, 7, 14, 19, 0), utc(2026, 7, 14, 21, 0));
	struct event items[2] = { ev, ev };
	items[1].dates = &ev.dates[1];
	items[1].ndates = 1;
	items[0].ndates = 1;
	struct feed_info fi = { "en", EVIL, "https://k.example.org/agenda.atom",
				"https://k.example.org/evenements", "https://k.example.org", EVIL };
	struct buf b = BUF_INIT;
	feeds_atom(&b, a, &fi, items, 2);
	const char *s = buf_str(&b);
	assert_null(strstr(s, "<script>"));
	assert_null(strstr(s, "\"'&"));
	assert_non_null(strstr(s, "<title>&lt;script&gt;&quot;&#39;&amp;</title>"));
	assert_non_null(strstr(s, "<feed xmlns=\"http://www.w3.org/2005/Atom\""));
	/* Two occurrences of one event: one entry. */
	assert_non_null(strstr(s, "<entry>"));
	assert_null(strstr(strstr(s, "<entry>") + 1, "<entry>"));
	assert_non_null(strstr(s, "<updated>2023-11-14T22:15:00Z</updated>"));
	buf_free(&b);
	arena_free(a);
}

/* ---- views (no database) ----------------------------------------------------------------------- */

struct fake {
	struct request req;
	struct web w;
};

static void fake_init(struct fake *f, struct arena *a, int64_t account_id)
{
	memset(f, 0, sizeof(*f));
	f->req.arena = a;
	f->req.method = "GET";
	f->req.path = "/evenements";
	f->req.app = &f->w;
	f->w.lang = "fr";
	f->w.csrf = "c0ffee";
	f->w.territory_name = EVIL;
	f->w.actor.account_id = account_id;
	f->w.actor.email = "x@example.org";
	f->w.actor.display_name = EVIL;
	f->w.actor.lang = "fr";
}

static void assert_escaped(const char *html)
{
	if (strstr(html, "<script>") || strstr(html, "\"'&") || strstr(html, "href=\"javascript:"))
		fail_msg("unescaped data in:\n%s", html);
	assert_non_null(strstr(html, "&lt;script&gt;&quot;&#39;&amp;"));
	const char *h = strstr(html, "<h1");
	assert_non_null(h);
	assert_null(strstr(h + 1, "<h1"));
}

static void test_views_escape_every_field_they_render(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct fake f;
	fake_init(&f, a, 7);
	struct core_settings cs = { "https://k.example.org", "x@example.org" };
	core_init(&cs);
	struct event ev = fake_event(a, EVIL "\n\n<script>alert(1)</script> [x](javascript:alert(1))",
				     time_now() + 86400, time_now() + 90000);
	ev.title = EVIL;
	ev.slug = EVIL;
	ev.org_slug = EVIL;
	ev.category = EVIL;
	ev.image_sha256 = "abcdef0123456789";
	struct event items[1] = { ev };
	items[0].ndates = 1;
	struct commune communes[] = { { 1, EVIL, EVIL, EVIL } };
	struct events_query q = { EVIL, EVIL, EVIL, EVIL, EVIL, EVIL, true, true, EVIL };
	struct field_errors fe = { 0 };
	field_error_add(&fe, "title", "err.events.title_invalid");
	field_error_add(&fe, "start_time_0", "err.events.time_nonexistent");
	struct event_date_input rows[1] = { { 11, EVIL, EVIL, EVIL, EVIL, false, 0, 0, false, false } };
	struct event_input in = { .title = EVIL, .summary = EVIL, .description = EVIL,
				  .category = EVIL, .commune = EVIL, .venue_name = EVIL,
				  .venue_address = EVIL, .latitude = EVIL, .longitude = EVIL,
				  .ticketing = EVIL, .capacity = EVIL, .accessibility = EVIL,
				  .access_notes = EVIL, .status = EVIL, .has_dates = true,
				  .dates = rows, .ndates = 1, .repeat = EVIL, .repeat_until = EVIL };
	struct org o = { 0 };
	o.slug = EVIL;
	o.name = EVIL;
	for (int i = 0; i < 10; i++) {
		struct buf b = BUF_INIT;
		switch (i) {
		case 0: {
			struct events_agenda_view v = { &q, &fe, AGENDA_UPCOMING, items, 1, 40, 1, 2,
							communes, 1 };
			view_events_agenda(&b, &f.req, &v);
			break;
		}
		case 1: {
			struct events_agenda_view v = { &q, NULL, AGENDA_PAST, items, 1, 1, 1, 1, communes, 1 };
			view_events_agenda(&b, &f.req, &v);
			break;
		}
		case 2: {
			int y, m, d, wd;
			events_local_date(ev.dates[0].starts_at, &y, &m, &d, &wd);
			struct events_calendar_view v = { &q, y, m, items, 1, communes, 1 };
			view_events_calendar(&b, &f.req, &v);
			break;
		}
		case 3: {
			struct events_map_view v = { &q, &fe, items, 1, 1, communes, 1, EVIL, EVIL };
			view_events_map(&b, &f.req, &v);
			break;
		}
		case 4: {
			struct events_show_view v = { &ev, true, time_now(), NULL };
			view_events_show(&b, &f.req, &v);
			break;
		}
		case 5: {
			struct events_form_view v = { &o, NULL, &in, &fe, communes, 1 };
			view_events_form(&b, &f.req, &v);
			break;
		}
		case 6: {
			struct events_form_view v = { NULL, &ev, &in, &fe, communes, 1 };
			view_events_form(&b, &f.req, &v);
			break;
		}
		case 7: {
			struct events_org_view v = { &o, items, 1, items, 1, 1, true };
			view_events_org(&b, &f.req, &v);
			break;
		}
		case 8: {
			struct events_my_feed_view v = { 1700000000, EVIL };
			view_events_my_feed(&b, &f.req, &v);
			break;
		}
		default:
			/* A block inside the organisation's page: it has no h1 of its own. */
			html_lit(&b, "<h1>x</h1>");
			view_events_upcoming_block(&b, &f.req, EVIL, items, 1, true);
			break;
		}
		assert_escaped(buf_str(&b));
		buf_free(&b);
	}
	arena_free(a);
}

/* The block of an organisation's page says when there is nothing upcoming,
 * and offers to publish only to who may. */
static void test_upcoming_block_says_when_there_is_none(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct fake f;
	fake_init(&f, a, 0);
	struct buf b = BUF_INIT;
	view_events_upcoming_block(&b, &f.req, "fetes", NULL, 0, false);
	assert_non_null(strstr(buf_str(&b), "Aucun événement à venir"));
	assert_non_null(strstr(buf_str(&b), "href=\"/organisations/fetes/evenements\""));
	assert_null(strstr(buf_str(&b), "/evenements/nouveau"));
	assert_non_null(strstr(buf_str(&b), "<h2 id=\"h-events\">Prochains événements</h2>"));
	buf_reset(&b);
	view_events_upcoming_block(&b, &f.req, "fetes", NULL, 0, true);
	assert_non_null(strstr(buf_str(&b), "href=\"/organisations/fetes/evenements/nouveau\""));
	buf_free(&b);
	arena_free(a);
}

/* The event page's JSON-LD parses as JSON, says what schema.org wants, and
 * no data can end the script element early. */
static void test_event_page_json_ld_parses_and_cannot_close_its_script(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct fake f;
	fake_init(&f, a, 0);
	struct core_settings cs = { "https://k.example.org", "x@example.org" };
	core_init(&cs);
	const char *title = "</script><script>alert(1)</script><!-- &amp;";
	struct event ev = fake_event(a, title, time_now() + 86400, time_now() + 90000);
	ev.title = title;
	ev.is_ticketed = true;
	ev.dates[0].tickets_left = 0;
	ev.ndates = 1;
	struct event_offer offer = { true, 1250, 2000, "EUR" };
	struct events_show_view v = { &ev, false, time_now(), &offer };
	struct buf b = BUF_INIT;
	view_events_show(&b, &f.req, &v);
	const char *html = buf_str(&b);
	const char *open = strstr(html, "<script type=\"application/ld+json\">");
	assert_non_null(open);
	open += strlen("<script type=\"application/ld+json\">");
	const char *close = strstr(open, "</script");
	assert_non_null(close);
	assert_null(strstr(open, "<!--"));
	json_error_t err;
	json_t *j = json_loadb(open, (size_t)(close - open), 0, &err);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "@type")), "Event");
	assert_string_equal(json_string_value(json_object_get(j, "name")), title);
	assert_non_null(json_string_value(json_object_get(j, "startDate")));
	json_t *offers = json_object_get(j, "offers");
	assert_string_equal(json_string_value(json_object_get(offers, "price")), "12.50");
	assert_string_equal(json_string_value(json_object_get(offers, "availability")),
			    "https://schema.org/SoldOut");
	json_t *place = json_object_get(j, "location");
	assert_string_equal(json_string_value(json_object_get(place, "@type")), "Place");
	json_decref(j);
	/* Open Graph in the head. */
	const char *head_end = strstr(html, "</head>");
	const char *og = strstr(html, "<meta property=\"og:title\"");
	assert_non_null(og);
	assert_true(og < head_end);
	buf_free(&b);
	arena_free(a);
}

/* ---- create and validate --------------------------------------------------------------------------- */

static void test_create_is_allowed_to_owner_editor_and_admin_only(void **state)
{
	struct env *e = *state;
	const int64_t allowed[] = { e->owner, e->editor, e->admin };
	for (size_t i = 0; i < TL_ARRAY_LEN(allowed); i++) {
		struct actor who = actor_of(e, allowed[i]);
		struct event_input in = basic(e, "Bal du 14 juillet", "2026-07-14", "21:00", "23:30");
		struct field_errors fe = { 0 };
		struct event ev;
		assert_int_equal(events_create(e->db, &who, e->org_id, &in, e->a, &fe, &ev), KQ_OK);
		assert_string_equal(ev.org_name, "Comité des fêtes");
		assert_int_equal(ev.ndates, 1);
	}
	const struct { int64_t id; enum kq_err want; } refused[] = {
		{ e->box, KQ_ERR_FORBIDDEN }, { e->treasurer, KQ_ERR_FORBIDDEN },
		{ e->stranger, KQ_ERR_FORBIDDEN }, { 0, KQ_ERR_AUTH_REQUIRED },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(refused); i++) {
		struct actor who = refused[i].id ? actor_of(e, refused[i].id) : (struct actor){ 0 };
		struct event_input in = basic(e, "Bal refusé", "2026-07-14", "21:00", "23:30");
		struct field_errors fe = { 0 };
		struct event ev;
		assert_int_equal(events_create(e->db, &who, e->org_id, &in, e->a, &fe, &ev),
				 refused[i].want);
	}
	struct actor owner = actor_of(e, e->owner);
	struct event_input in = basic(e, "Nulle part", "2026-07-14", "21:00", "23:30");
	struct field_errors fe = { 0 };
	struct event ev;
	assert_int_equal(events_create(e->db, &owner, 999999, &in, e->a, &fe, &ev), KQ_ERR_NOT_FOUND);
	/* Three made; the refusals wrote nothing. */
	assert_int_equal(scalar(e->db, &SQL_COUNT_EVENTS, 0, false), 3);
}

static void test_create_stores_every_field_and_the_rendered_description(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct event_input in = basic(e, "  Concert d'été  ", "2026-07-14", "21:00", "23:30");
	in.description = "**Fort** <script>alert(1)</script> [x](javascript:alert(1))";
	in.accessibility = "hearing_loop, wheelchair";
	in.access_notes = "Rampe côté cour.";
	in.ticketing = "ticketed";
	in.capacity = "120";
	in.latitude = "44,491234";
	in.longitude = "-1.5";
	struct field_errors fe = { 0 };
	struct event ev;
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev), KQ_OK);
	assert_string_equal(ev.title, "Concert d'été");
	assert_string_equal(ev.slug, "concert-d-ete");
	assert_string_equal(ev.accessibility, "wheelchair,hearing_loop");
	assert_true(ev.is_ticketed);
	assert_int_equal(ev.capacity, 120);
	assert_true(ev.has_geo);
	assert_int_equal(ev.lat_e6, 44491234);
	assert_int_equal(ev.lon_e6, -1500000);
	assert_string_equal(ev.commune_name, "Vesqueval");
	assert_string_equal(ev.status, "published");
	assert_int_equal(ev.sequence, 0);
	assert_non_null(strstr(ev.description_html, "<strong>Fort</strong>"));
	assert_null(strstr(ev.description_html, "<script"));
	assert_null(strstr(ev.description_html, "javascript:"));
	/* Ticketed with a capacity: the default figure of tickets left is the capacity. */
	assert_int_equal(ev.dates[0].tickets_left, 120);
	/* Default status of the API: a draft. */
	struct event_input d = basic(e, "Sans état", "2026-07-15", "10:00", "");
	d.status = NULL;
	assert_int_equal(events_create(e->db, &owner, e->org_id, &d, e->a, &fe, &ev), KQ_OK);
	assert_string_equal(ev.status, "draft");
	assert_int_equal(ev.dates[0].ends_at, ev.dates[0].starts_at);   /* no end given */
}

static void test_create_validates_every_field_next_to_it(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct event_input in = basic(e, "x", "2026-07-14", "21:00", "23:30");
	char long_summary[260];
	memset(long_summary, 'a', 250);
	long_summary[250] = 0;
	in.summary = long_summary;
	in.category = "rave";
	in.commune = "99999";
	in.venue_name = "Salle\ndes fêtes";
	in.latitude = "91";
	in.longitude = "";
	in.ticketing = "maybe";
	in.capacity = "0";
	in.accessibility = "wheelchair,teleportation";
	in.status = "secret";
	static const unsigned char GIF[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00";
	in.image = GIF;
	in.image_len = sizeof(GIF) - 1;
	struct field_errors fe = { 0 };
	struct event ev;
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev),
			 KQ_ERR_FORM_INVALID);
	assert_true(has_field_error(&fe, "title", "err.events.title_invalid"));
	assert_true(has_field_error(&fe, "summary", "err.events.summary_invalid"));
	assert_true(has_field_error(&fe, "category", "err.events.category_invalid"));
	assert_true(has_field_error(&fe, "commune", "err.events.commune_invalid"));
	assert_true(has_field_error(&fe, "venue_name", "err.events.line_invalid"));
	assert_true(has_field_error(&fe, "latitude", "err.events.latitude_invalid"));
	assert_true(has_field_error(&fe, "longitude", "err.events.longitude_invalid"));
	assert_true(has_field_error(&fe, "ticketing", "err.events.ticketing_invalid"));
	assert_true(has_field_error(&fe, "capacity", "err.events.capacity_invalid"));
	assert_true(has_field_error(&fe, "accessibility", "err.events.access_invalid"));
	assert_true(has_field_error(&fe, "status", "err.events.status_invalid"));
	assert_true(has_field_error(&fe, "image", "err.upload.bad_type"));
	assert_int_equal(fe.n, 12);
	assert_int_equal(scalar(e->db, &SQL_COUNT_EVENTS, 0, false), 0);
	assert_int_equal(scalar(e->db, &SQL_COUNT_UPLOADS, 0, false), 0);

	/* No date at all, and dates that are wrong, each next to its own field. */
	struct event_input nodate = basic(e, "Sans date", "2026-07-14", "21:00", "");
	nodate.ndates = 0;
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(events_create(e->db, &owner, e->org_id, &nodate, e->a, &fe, &ev),
			 KQ_ERR_FORM_INVALID);
	assert_true(has_field_error(&fe, "dates", "err.events.dates_required"));
	struct event_date_input rows[4] = {
		{ .start_date = "", .start_time = "20:00" },
		{ .start_date = "2026-07-14", .start_time = "25:00" },
		{ .start_date = "2026-07-14", .start_time = "20:00", .end_date = "2026-07-13", .end_time = "10:00" },
		{ .start_date = "2026-07-01", .start_time = "20:00", .end_date = "2026-08-05", .end_time = "10:00" },
	};
	struct event_input bad = basic(e, "Mauvaises dates", "2026-07-14", "21:00", "");
	bad.dates = rows;
	bad.ndates = 4;
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(events_create(e->db, &owner, e->org_id, &bad, e->a, &fe, &ev),
			 KQ_ERR_FORM_INVALID);
	assert_true(has_field_error(&fe, "start_date_0", "err.events.date_required"));
	assert_true(has_field_error(&fe, "start_time_1", "err.events.time_invalid"));
	assert_true(has_field_error(&fe, "end_time_2", "err.events.end_before_start"));
	assert_true(has_field_error(&fe, "end_date_3", "err.events.too_long"));
}

static void test_create_refuses_a_time_in_the_spring_gap_next_to_its_field(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct event_input in = basic(e, "Nuit blanche", "2026-03-29", "02:30", "05:00");
	struct field_errors fe = { 0 };
	struct event ev;
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev),
			 KQ_ERR_FORM_INVALID);
	assert_true(has_field_error(&fe, "start_time_0", "err.events.time_nonexistent"));
	assert_int_equal(fe.n, 1);
	/* The end may not fall in it either. */
	in = basic(e, "Nuit blanche", "2026-03-28", "22:00", "02:15");
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev),
			 KQ_ERR_FORM_INVALID);
	assert_true(has_field_error(&fe, "end_time_0", "err.events.time_nonexistent"));
	/* 22 h to 4 h across the change lasts five hours of real time. */
	in = basic(e, "Nuit blanche", "2026-03-28", "22:00", "04:00");
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev), KQ_OK);
	assert_int_equal(ev.dates[0].starts_at, utc(2026, 3, 28, 21, 0));
	assert_int_equal(ev.dates[0].ends_at - ev.dates[0].starts_at, 5 * 3600);
	/* The autumn overlap is taken as its first occurrence. */
	in = basic(e, "Bal de la Toussaint", "2026-10-25", "02:30", "03:30");
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev), KQ_OK);
	assert_int_equal(ev.dates[0].starts_at, utc(2026, 10, 25, 0, 30));
	assert_int_equal(ev.dates[0].ends_at, utc(2026, 10, 25, 2, 30));
}

static void test_slug_comes_from_the_title_and_avoids_taken_and_reserved_ones(void **state)
{
	struct env *e = *state;
	struct event a1 = make_event(e, e->org_id, "Fête du Pain", "2026-07-14", "10:00", "");
	struct event a2 = make_event(e, e->org_id, "Fête du pain", "2027-07-14", "10:00", "");
	struct event a3 = make_event(e, e->other_org_id, "Carte", "2026-07-14", "10:00", "");
	struct event a4 = make_event(e, e->other_org_id, "!!", "2026-07-14", "10:00", "");
	assert_string_equal(a1.slug, "fete-du-pain");
	assert_string_equal(a2.slug, "fete-du-pain-2");
	assert_string_equal(a3.slug, "carte-2");       /* /evenements/carte is the map */
	assert_string_equal(a4.slug, "evenement");
}

/* ---- reading: drafts and permissions -------------------------------------------------------------------- */

static void test_drafts_are_seen_only_by_those_who_may_publish(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct event_input in = basic(e, "Réunion préparatoire", "2026-07-01", "18:00", "20:00");
	in.status = "draft";
	struct field_errors fe = { 0 };
	struct event ev, got;
	int64_t now = utc(2026, 6, 1, 10, 0);
	tl_set_clock(now - time(NULL));
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev), KQ_OK);
	const struct { int64_t id; enum kq_err want; } who[] = {
		{ e->owner, KQ_OK }, { e->editor, KQ_OK }, { e->admin, KQ_OK },
		{ e->box, KQ_ERR_NOT_FOUND }, { e->treasurer, KQ_ERR_NOT_FOUND },
		{ e->stranger, KQ_ERR_NOT_FOUND }, { 0, KQ_ERR_NOT_FOUND },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(who); i++) {
		struct actor a = who[i].id ? actor_of(e, who[i].id) : (struct actor){ 0 };
		assert_int_equal(events_get(e->db, &a, e->a, ev.slug, &got), who[i].want);
		struct upload u;
		assert_int_equal(events_image_get(e->db, &a, e->a, ev.slug, &u), KQ_ERR_NOT_FOUND);
	}
	/* Never in the agenda, even for the owner; in the organisation's list for publishers. */
	struct event_filter f = { .limit = 10 };
	struct event *items;
	int n;
	int64_t total;
	assert_int_equal(events_list(e->db, &owner, e->a, &f, &items, &n, &total), KQ_OK);
	assert_int_equal(total, 0);
	f.org_id = e->org_id;
	f.include_drafts = true;
	assert_int_equal(events_list(e->db, &owner, e->a, &f, &items, &n, &total), KQ_OK);
	assert_int_equal(n, 1);
	struct actor box = actor_of(e, e->box);
	assert_int_equal(events_list(e->db, &box, e->a, &f, &items, &n, &total), KQ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(events_list(e->db, NULL, e->a, &f, &items, &n, &total), KQ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(events_upcoming_of_org(e->db, e->a, e->org_id, 5, &items, &n), KQ_OK);
	assert_int_equal(n, 0);
}

static void test_update_is_partial_raises_the_sequence_and_checks_who(void **state)
{
	struct env *e = *state;
	struct event ev = make_event(e, e->org_id, "Loto", "2026-11-08", "14:00", "18:00");
	struct event_input in = { .title = "Grand loto" };
	struct field_errors fe = { 0 };
	struct event after;
	const struct { int64_t id; enum kq_err want; } refused[] = {
		{ e->box, KQ_ERR_FORBIDDEN }, { e->treasurer, KQ_ERR_FORBIDDEN },
		{ e->stranger, KQ_ERR_FORBIDDEN }, { 0, KQ_ERR_AUTH_REQUIRED },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(refused); i++) {
		struct actor who = refused[i].id ? actor_of(e, refused[i].id) : (struct actor){ 0 };
		assert_int_equal(events_update(e->db, &who, ev.id, &in, e->a, &fe, &after),
				 refused[i].want);
	}
	struct actor editor = actor_of(e, e->editor);
	assert_int_equal(events_update(e->db, &editor, 424242, &in, e->a, &fe, &after), KQ_ERR_NOT_FOUND);
	assert_int_equal(events_update(e->db, &editor, ev.id, &in, e->a, &fe, &after), KQ_OK);
	assert_string_equal(after.title, "Grand loto");
	assert_string_equal(after.slug, "loto");                /* the address never changes */
	assert_string_equal(after.venue_name, ev.venue_name);
	assert_string_equal(after.description_html, ev.description_html);
	assert_int_equal(after.ndates, 1);
	assert_int_equal(after.dates[0].id, ev.dates[0].id);
	assert_int_equal(after.sequence, 1);
	struct actor admin = actor_of(e, e->admin);
	struct event_input cancel = { .status = "cancelled" };
	assert_int_equal(events_update(e->db, &admin, ev.id, &cancel, e->a, &fe, &after), KQ_OK);
	assert_string_equal(after.status, "cancelled");
	assert_int_equal(after.sequence, 2);
	/* A cancelled event stays listed, marked so. */
	struct event_filter f = { .from = utc(2026, 11, 1, 0, 0), .limit = 10 };
	struct event *items;
	int n;
	int64_t total;
	assert_int_equal(events_list(e->db, NULL, e->a, &f, &items, &n, &total), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].status, "cancelled");
}

static void test_update_changes_cancels_removes_and_adds_dates(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct event_input in = basic(e, "Théâtre", "2026-05-01", "20:30", "22:30");
	in.repeat = "weekly";
	in.repeat_until = "2026-05-15";
	struct field_errors fe = { 0 };
	struct event ev;
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev), KQ_OK);
	assert_int_equal(ev.ndates, 3);
	struct event_date_input d[3] = {
		{ .id = ev.dates[0].id, .start_date = "2026-05-01", .start_time = "21:00", .end_time = "23:00" },
		{ .id = ev.dates[1].id, .remove = true },
		{ .start_date = "2026-05-22", .start_time = "20:30", .end_time = "22:30" },
	};
	struct event_input up = { .has_dates = true, .dates = d, .ndates = 3 };
	struct event after;
	assert_int_equal(events_update(e->db, &owner, ev.id, &up, e->a, &fe, &after), KQ_OK);
	assert_int_equal(after.ndates, 3);
	assert_int_equal(after.dates[0].id, ev.dates[0].id);
	assert_int_equal(after.dates[0].starts_at, utc(2026, 5, 1, 19, 0));
	assert_int_equal(after.dates[1].id, ev.dates[2].id);     /* the third is kept as it was */
	assert_int_equal(after.dates[1].starts_at, ev.dates[2].starts_at);
	assert_int_equal(after.dates[2].starts_at, utc(2026, 5, 22, 18, 30));
	/* Cancel one date: it stays, marked. */
	struct event_date_input c[1] = { { .id = after.dates[1].id, .start_date = "2026-05-15",
					   .start_time = "20:30", .end_time = "22:30", .cancelled = true } };
	struct event_input up2 = { .has_dates = true, .dates = c, .ndates = 1 };
	assert_int_equal(events_update(e->db, &owner, ev.id, &up2, e->a, &fe, &after), KQ_OK);
	assert_int_equal(after.ndates, 3);
	assert_true(after.dates[1].cancelled);
	/* A date of another event is not this one's. */
	struct event other = make_event(e, e->org_id, "Autre", "2026-06-01", "10:00", "");
	struct event_date_input x[1] = { { .id = other.dates[0].id, .remove = true } };
	struct event_input up3 = { .has_dates = true, .dates = x, .ndates = 1 };
	assert_int_equal(events_update(e->db, &owner, ev.id, &up3, e->a, &fe, &after), KQ_ERR_NOT_FOUND);
	assert_int_equal(scalar(e->db, &SQL_COUNT_DATES, other.id, true), 1);
	/* Removing every date is refused. */
	struct event_date_input all[3] = { { .id = after.dates[0].id, .remove = true },
					   { .id = after.dates[1].id, .remove = true },
					   { .id = after.dates[2].id, .remove = true } };
	struct event_input up4 = { .has_dates = true, .dates = all, .ndates = 3 };
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(events_update(e->db, &owner, ev.id, &up4, e->a, &fe, &after), KQ_ERR_FORM_INVALID);
	assert_true(has_field_error(&fe, "dates", "err.events.dates_required"));
	assert_int_equal(scalar(e->db, &SQL_COUNT_DATES, ev.id, true), 3);
}

static int64_t sold_date;

static bool fake_has_orders(struct db *db, int64_t date_id)
{
	(void)db;
	return date_id == sold_date;
}

/* INVARIANT(sold-dates-stay): a date with orders is never deleted. */
static void test_a_date_with_orders_cannot_be_removed_only_cancelled(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct event_input in = basic(e, "Spectacle", "2026-05-01", "20:30", "22:30");
	in.repeat = "weekly";
	in.repeat_until = "2026-05-08";
	struct field_errors fe = { 0 };
	struct event ev, after;
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev), KQ_OK);
	sold_date = ev.dates[1].id;
	struct events_ticket_hooks h = { .date_has_orders = fake_has_orders };
	events_set_ticket_hooks(&h);
	struct event_date_input d[2] = { { .id = ev.dates[1].id, .remove = true },
					 { .start_date = "2026-05-15", .start_time = "20:30" } };
	struct event_input up = { .title = "Spectacle modifié", .has_dates = true, .dates = d, .ndates = 2 };
	assert_int_equal(events_update(e->db, &owner, ev.id, &up, e->a, &fe, &after),
			 KQ_ERR_EVENTS_DATE_HAS_TICKETS);
	/* Nothing was kept: not the title, not the new date. */
	assert_int_equal(events_get(e->db, &owner, e->a, ev.slug, &after), KQ_OK);
	assert_string_equal(after.title, "Spectacle");
	assert_int_equal(after.ndates, 2);
	struct event_date_input c[1] = { { .id = ev.dates[1].id, .start_date = "2026-05-08",
					   .start_time = "20:30", .end_time = "22:30", .cancelled = true } };
	struct event_input up2 = { .has_dates = true, .dates = c, .ndates = 1 };
	assert_int_equal(events_update(e->db, &owner, ev.id, &up2, e->a, &fe, &after), KQ_OK);
	assert_true(after.dates[1].cancelled);
}

/* ---- series ----------------------------------------------------------------------------------------- */

static void test_weekly_series_keeps_the_wall_clock_time_across_the_change_of_time(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct event_input in = basic(e, "Marché du jeudi", "2026-03-19", "08:00", "12:30");
	in.category = "market";
	in.repeat = "weekly";
	in.repeat_until = "2026-04-09";
	struct field_errors fe = { 0 };
	struct event ev;
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev), KQ_OK);
	assert_int_equal(ev.ndates, 4);
	assert_int_equal(ev.dates[0].starts_at, utc(2026, 3, 19, 7, 0));   /* CET */
	assert_int_equal(ev.dates[1].starts_at, utc(2026, 3, 26, 7, 0));
	assert_int_equal(ev.dates[2].starts_at, utc(2026, 4, 2, 6, 0));    /* CEST: still 8 h in Paris */
	assert_int_equal(ev.dates[3].starts_at, utc(2026, 4, 9, 6, 0));
	for (int i = 0; i < 4; i++)
		assert_int_equal(ev.dates[i].ends_at - ev.dates[i].starts_at, 4 * 3600 + 1800);

	/* Every two weeks, and every month on the same weekday (the 2nd Thursday). */
	in = basic(e, "Conseil", "2026-01-08", "18:00", "20:00");
	in.repeat = "biweekly";
	in.repeat_until = "2026-02-19";
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev), KQ_OK);
	assert_int_equal(ev.ndates, 4);   /* 8 Jan, 22 Jan, 5 Feb, 19 Feb */
	in = basic(e, "Repair café", "2026-01-08", "09:30", "12:00");
	in.repeat = "monthly";
	in.repeat_until = "2026-04-30";
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev), KQ_OK);
	assert_int_equal(ev.ndates, 4);
	const int days[] = { 8, 12, 12, 9 };   /* 2nd Thursdays of January to April 2026 */
	for (int i = 0; i < 4; i++) {
		int y, m, d, wd;
		events_local_date(ev.dates[i].starts_at, &y, &m, &d, &wd);
		assert_int_equal(m, i + 1);
		assert_int_equal(d, days[i]);
		assert_int_equal(wd, 4);
	}
	/* A fifth Friday exists only in some months. */
	in = basic(e, "Bal du 5e vendredi", "2026-01-30", "21:00", "");
	in.repeat = "monthly";
	in.repeat_until = "2026-06-30";
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev), KQ_OK);
	assert_int_equal(ev.ndates, 2);   /* 30 January, 29 May */
}

static void test_series_refusals_too_many_dates_missing_end_and_gap(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct event ev;
	struct event_input in = basic(e, "Marché", "2026-01-01", "08:00", "12:00");
	in.repeat = "weekly";
	in.repeat_until = "2027-06-30";
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev),
			 KQ_ERR_FORM_INVALID);
	assert_true(has_field_error(&fe, "repeat_until", "err.events.too_many_dates"));
	in.repeat_until = "";
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev),
			 KQ_ERR_FORM_INVALID);
	assert_true(has_field_error(&fe, "repeat_until", "err.events.repeat_until_required"));
	in.repeat = "daily";
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev),
			 KQ_ERR_FORM_INVALID);
	assert_true(has_field_error(&fe, "repeat", "err.events.repeat_invalid"));
	/* A weekly 2:30 that lands on the spring-forward Sunday. */
	in = basic(e, "Veillée", "2026-03-22", "02:30", "");
	in.repeat = "weekly";
	in.repeat_until = "2026-04-05";
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev),
			 KQ_ERR_FORM_INVALID);
	assert_true(has_field_error(&fe, "repeat", "err.events.repeat_nonexistent"));
	assert_int_equal(scalar(e->db, &SQL_COUNT_EVENTS, 0, false), 0);
}

/* ---- the agenda's filters ---------------------------------------------------------------------------- */

static const char *titles_of(struct env *e, const struct event_filter *f)
{
	struct event *items;
	int n;
	int64_t total;
	assert_int_equal(events_list(e->db, NULL, e->a, f, &items, &n, &total), KQ_OK);
	assert_int_equal(total, n);
	char *s = arena_strdup(e->a, "");
	for (int i = 0; i < n; i++)
		s = arena_printf(e->a, "%s%s%s", s, i ? "|" : "", items[i].title);
	return s;
}

static void test_list_filters_by_range_weekend_category_commune_free_text_and_org(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct event ev;
	/* Wednesday 15 July 2026 at noon. */
	int64_t now = utc(2026, 7, 15, 10, 0);
	tl_set_clock(now - time(NULL));
	make_event(e, e->org_id, "Passé", "2026-07-14", "21:00", "23:00");
	make_event(e, e->org_id, "En cours", "2026-07-15", "09:00", "18:00");
	make_event(e, e->org_id, "Ce soir", "2026-07-15", "21:00", "23:00");
	struct event_input in = basic(e, "Marché samedi", "2026-07-18", "08:00", "12:00");
	in.category = "market";
	in.commune = "26392";
	in.venue_name = "Halle aux grains";
	assert_int_equal(events_create(e->db, &owner, e->other_org_id, &in, e->a, &fe, &ev), KQ_OK);
	in = basic(e, "Concert dimanche", "2026-07-19", "20:00", "22:00");
	in.ticketing = "ticketed";
	in.capacity = "50";
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev), KQ_OK);
	make_event(e, e->org_id, "Lundi", "2026-07-20", "10:00", "");
	in = basic(e, "Festival d'août", "2026-08-07", "18:00", "");
	struct event_date_input fest = { .start_date = "2026-08-07", .start_time = "18:00",
					 .end_date = "2026-08-09", .end_time = "23:00" };
	in.dates = &fest;
	in.category = "festival";
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev), KQ_OK);

	struct event_filter f = { .limit = 50 };
	assert_string_equal(titles_of(e, &f), "En cours|Ce soir|Marché samedi|Concert dimanche|Lundi|Festival d'août");
	assert_int_equal(events_range("today", NULL, NULL, now, &fe, &f.from, &f.to), KQ_OK);
	assert_string_equal(titles_of(e, &f), "En cours|Ce soir");
	assert_int_equal(events_range("weekend", NULL, NULL, now, &fe, &f.from, &f.to), KQ_OK);
	assert_string_equal(titles_of(e, &f), "Marché samedi|Concert dimanche");
	/* A range that starts inside a multi-day date finds it. */
	assert_int_equal(events_range("", "2026-08-08", "2026-08-08", now, &fe, &f.from, &f.to), KQ_OK);
	assert_string_equal(titles_of(e, &f), "Festival d'août");
	f = (struct event_filter){ .limit = 50, .category = "market" };
	assert_string_equal(titles_of(e, &f), "Marché samedi");
	f = (struct event_filter){ .limit = 50, .commune = "26392" };
	assert_string_equal(titles_of(e, &f), "Marché samedi");
	f = (struct event_filter){ .limit = 50, .commune = "00000" };
	assert_string_equal(titles_of(e, &f), "");
	f = (struct event_filter){ .limit = 50, .free_only = true, .category = "concert" };
	assert_string_equal(titles_of(e, &f), "En cours|Ce soir|Lundi");
	f = (struct event_filter){ .limit = 50, .q = "HALLE" };
	assert_string_equal(titles_of(e, &f), "Marché samedi");
	f = (struct event_filter){ .limit = 50, .q = "100%" };
	assert_string_equal(titles_of(e, &f), "");
	f = (struct event_filter){ .limit = 50, .org_id = e->other_org_id };
	assert_string_equal(titles_of(e, &f), "Marché samedi");
	f = (struct event_filter){ .limit = 50, .past = true };
	assert_string_equal(titles_of(e, &f), "Passé");
	/* Pages. */
	struct event *items;
	int n;
	int64_t total;
	f = (struct event_filter){ .limit = 2, .offset = 2 };
	assert_int_equal(events_list(e->db, NULL, e->a, &f, &items, &n, &total), KQ_OK);
	assert_int_equal(total, 6);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].title, "Marché samedi");
	f.offset = 6;
	assert_int_equal(events_list(e->db, NULL, e->a, &f, &items, &n, &total), KQ_OK);
	assert_int_equal(n, 0);
	/* The organisation's page block: its next ones. */
	assert_int_equal(events_upcoming_of_org(e->db, e->a, e->org_id, 2, &items, &n), KQ_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].title, "En cours");
}

static int64_t left_for(struct db *db, int64_t event_id, int64_t date_id)
{
	(void)db;
	(void)event_id;
	return date_id == sold_date ? 0 : date_id % 2 ? 5 : EVENTS_TICKETS_UNKNOWN;
}

static void fake_offer(struct db *db, int64_t event_id, int64_t date_id, struct event_offer *out)
{
	(void)db;
	(void)event_id;
	(void)date_id;
	out->known = true;
	out->min_cents = 800;
	out->max_cents = 1500;
	memcpy(out->currency, "EUR", 4);
}

static void test_tickets_left_filter_and_figures_come_from_the_ticketing_hook(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct event ev, full, got;
	make_event(e, e->org_id, "Gratuit", "2026-07-15", "21:00", "23:00");
	struct event_input in = basic(e, "Complet", "2026-07-16", "21:00", "23:00");
	in.ticketing = "ticketed";
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &full), KQ_OK);
	in = basic(e, "Places", "2026-07-17", "21:00", "23:00");
	in.ticketing = "ticketed";
	in.repeat = "weekly";
	in.repeat_until = "2026-07-24";
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev), KQ_OK);
	in = basic(e, "Annulé", "2026-07-18", "21:00", "23:00");
	in.ticketing = "ticketed";
	in.status = "cancelled";
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &got), KQ_OK);
	tl_set_clock(utc(2026, 7, 1, 10, 0) - time(NULL));

	sold_date = full.dates[0].id;
	struct events_ticket_hooks h = { .tickets_left = left_for, .offer = fake_offer };
	events_set_ticket_hooks(&h);
	/* Sold out (0) is left out, unknown and 5 are kept; free and cancelled events never count. */
	struct event_filter f = { .limit = 50, .tickets_left = true };
	assert_string_equal(titles_of(e, &f), "Places|Places");
	struct event *items;
	int n;
	int64_t total;
	f.limit = 1;
	f.offset = 1;
	assert_int_equal(events_list(e->db, NULL, e->a, &f, &items, &n, &total), KQ_OK);
	assert_int_equal(total, 2);
	assert_int_equal(n, 1);
	assert_int_equal(events_get(e->db, NULL, e->a, full.slug, &got), KQ_OK);
	assert_int_equal(got.dates[0].tickets_left, 0);
	struct event_offer o;
	events_offer(e->db, &got, &got.dates[0], &o);
	assert_true(o.known);
	assert_int_equal(o.min_cents, 800);
	/* Free events get no offer from the hook. */
	struct event_filter g = { .limit = 1 };
	assert_int_equal(events_list(e->db, NULL, e->a, &g, &items, &n, &total), KQ_OK);
	assert_string_equal(items[0].title, "Gratuit");
	events_offer(e->db, &items[0], &items[0].dates[0], &o);
	assert_false(o.known);
	assert_int_equal(items[0].dates[0].tickets_left, EVENTS_TICKETS_UNKNOWN);
}

static void test_image_is_sniffed_stored_replaced_and_removed(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	static const unsigned char PNG[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
					     'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0 };
	static const unsigned char JPEG[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0 };
	struct event_input in = basic(e, "Affiche", "2026-07-14", "21:00", "");
	in.image = PNG;
	in.image_len = sizeof(PNG);
	struct field_errors fe = { 0 };
	struct event ev, after;
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev), KQ_OK);
	assert_int_equal(strlen(ev.image_sha256), 64);
	struct upload u;
	assert_int_equal(events_image_get(e->db, NULL, e->a, ev.slug, &u), KQ_OK);
	assert_string_equal(u.content_type, "image/png");
	struct event_input up = { .image = JPEG, .image_len = sizeof(JPEG) };
	assert_int_equal(events_update(e->db, &owner, ev.id, &up, e->a, &fe, &after), KQ_OK);
	assert_int_equal(events_image_get(e->db, NULL, e->a, ev.slug, &u), KQ_OK);
	assert_string_equal(u.content_type, "image/jpeg");
	assert_int_equal(scalar(e->db, &SQL_COUNT_UPLOADS, 0, false), 1);   /* the PNG went */
	struct event_input rm = { .remove_image = true };
	assert_int_equal(events_update(e->db, &owner, ev.id, &rm, e->a, &fe, &after), KQ_OK);
	assert_string_equal(after.image_sha256, "");
	assert_int_equal(events_image_get(e->db, NULL, e->a, ev.slug, &u), KQ_ERR_NOT_FOUND);
	assert_int_equal(scalar(e->db, &SQL_COUNT_UPLOADS, 0, false), 0);
}

/* ---- the private feed ------------------------------------------------------------------------------------ */

static int64_t *held_ids;
static int nheld;

static enum kq_err fake_account_dates(struct db *db, struct arena *a, int64_t account_id,
				      int64_t **out_ids, int *out_n)
{
	(void)db;
	(void)account_id;
	*out_ids = arena_alloc(a, sizeof(*held_ids) * (size_t)nheld);
	memcpy(*out_ids, held_ids, sizeof(*held_ids) * (size_t)nheld);
	*out_n = nheld;
	return KQ_OK;
}

static void test_feed_token_is_kept_hashed_replaced_and_revoked(void **state)
{
	struct env *e = *state;
	struct actor who = actor_of(e, e->stranger);
	struct actor nobody = { 0 };
	const char *t1, *t2;
	struct event *items;
	int n;
	int64_t created;
	assert_int_equal(events_feed_token_create(e->db, &nobody, e->a, &t1), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(events_feed_token_info(e->db, &who, &created), KQ_OK);
	assert_int_equal(created, 0);
	assert_int_equal(events_feed_token_create(e->db, &who, e->a, &t1), KQ_OK);
	assert_int_equal(strlen(t1), 64);
	assert_int_equal(events_feed_token_info(e->db, &who, &created), KQ_OK);
	assert_true(created > 0);
	/* Only the hash is stored. */
	struct db_stmt *st = db_stmt(e->db, &SQL_FEED_HASH);
	db_bind_i64(st, 1, who.account_id);
	assert_int_equal(db_step(st), DB_ROW);
	char hash[65];
	crypto_token_hash(t1, hash);
	assert_string_equal(db_col_text(st, 0), hash);
	db_reset(st);

	/* What the feed lists comes from the ticketing hook, by start, drafts left out. */
	struct event late = make_event(e, e->org_id, "Tard", "2099-07-20", "21:00", "");
	struct event early = make_event(e, e->org_id, "Tôt", "2099-07-10", "21:00", "");
	struct actor owner = actor_of(e, e->owner);
	struct event_input in = basic(e, "Brouillon", "2099-07-15", "21:00", "");
	in.status = "draft";
	struct field_errors fe = { 0 };
	struct event draft;
	assert_int_equal(events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &draft), KQ_OK);
	int64_t ids[] = { late.dates[0].id, early.dates[0].id, draft.dates[0].id, 987654 };
	held_ids = ids;
	nheld = 4;
	assert_int_equal(events_feed_my_tickets(e->db, e->a, t1, &items, &n), KQ_OK);
	assert_int_equal(n, 0);   /* no hook yet: nothing */
	struct events_ticket_hooks h = { .account_date_ids = fake_account_dates };
	events_set_ticket_hooks(&h);
	assert_int_equal(events_feed_my_tickets(e->db, e->a, t1, &items, &n), KQ_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].title, "Tôt");
	assert_string_equal(items[1].title, "Tard");

	/* A new address revokes the old one; revoking ends the new one. */
	assert_int_equal(events_feed_token_create(e->db, &who, e->a, &t2), KQ_OK);
	assert_string_not_equal(t1, t2);
	assert_int_equal(events_feed_my_tickets(e->db, e->a, t1, &items, &n), KQ_ERR_EVENTS_FEED_INVALID);
	assert_int_equal(events_feed_my_tickets(e->db, e->a, t2, &items, &n), KQ_OK);
	assert_int_equal(events_feed_token_revoke(e->db, &who), KQ_OK);
	assert_int_equal(events_feed_my_tickets(e->db, e->a, t2, &items, &n), KQ_ERR_EVENTS_FEED_INVALID);
	assert_int_equal(events_feed_token_revoke(e->db, &nobody), KQ_ERR_AUTH_REQUIRED);
	const char *bad[] = { "", "abc", "../etc", NULL };
	for (int i = 0; bad[i]; i++)
		assert_int_equal(events_feed_my_tickets(e->db, e->a, bad[i], &items, &n),
				 KQ_ERR_EVENTS_FEED_INVALID);
}

/* ---- demo ------------------------------------------------------------------------------------------------ */

static enum db_status demo_txn(struct db *db, void *cls)
{
	(void)cls;
	return events_load_demo(db) == KQ_OK ? DB_NONE : DB_HARD;
}

static void test_demo_loads_published_events_over_the_next_three_months(void **state)
{
	struct env *e = *state;
	assert_int_equal(db_exec(e->db, "DELETE FROM org_members; DELETE FROM organisations;"
					" DELETE FROM accounts; DELETE FROM communes"), DB_NONE);
	bool loaded;
	assert_int_equal(territory_load_demo(e->db, &loaded), KQ_OK);
	assert_true(loaded);
	assert_true(db_txn_run(e->db, "ut_demo", DB_WRITE, demo_txn, NULL) >= 0);
	assert_true(scalar(e->db, &SQL_COUNT_EVENTS, 0, false) >= 12);
	struct event_filter f = { .limit = EVENTS_LIST_MAX };
	struct event *items;
	int n;
	int64_t total;
	assert_int_equal(events_list(e->db, NULL, e->a, &f, &items, &n, &total), KQ_OK);
	assert_true(n >= 40);
	int64_t now = time_now();
	bool market = false, concert = false, flea = false, festival = false;
	for (int i = 0; i < n; i++) {
		assert_string_equal(items[i].status, "published");
		assert_true(items[i].dates[0].starts_at < now + 100 * 86400);
		market |= strcmp(items[i].category, "market") == 0;
		concert |= strcmp(items[i].category, "concert") == 0;
		flea |= strcmp(items[i].category, "flea_market") == 0;
		festival |= strcmp(items[i].category, "festival") == 0;
	}
	assert_true(market && concert && flea && festival);
	/* The Thursday market is a series of Thursdays at 8 h. */
	struct event m;
	assert_int_equal(events_get(e->db, NULL, e->a, "marche-du-jeudi", &m), KQ_OK);
	assert_int_equal(m.ndates, 13);
	for (int i = 0; i < m.ndates; i++) {
		int y, mo, d, wd;
		events_local_date(m.dates[i].starts_at, &y, &mo, &d, &wd);
		assert_int_equal(wd, 4);
		struct tm tm;
		time_t t = (time_t)m.dates[i].starts_at;
		localtime_r(&t, &tm);
		assert_int_equal(tm.tm_hour, 8);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, fresh, done)

int main(void)
{
	if (!crypto_init())
		return 1;
	time_init();
	i18n_init();
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_local_time_reads_both_date_forms_and_refuses_bad_ones),
		cmocka_unit_test(test_local_time_in_the_spring_gap_does_not_exist),
		cmocka_unit_test(test_local_time_in_the_autumn_overlap_is_the_first_occurrence),
		cmocka_unit_test(test_range_of_today_tomorrow_weekend_week_and_dates),
		cmocka_unit_test(test_vocabularies_have_labels_in_both_languages),
		cmocka_unit_test(test_ical_text_is_escaped_and_lines_fold_at_75_octets_between_characters),
		cmocka_unit_test(test_ical_calendar_has_the_paris_vtimezone_crlf_lines_and_one_uid_per_date),
		cmocka_unit_test(test_atom_is_escaped_and_lists_each_event_once),
		cmocka_unit_test(test_views_escape_every_field_they_render),
		cmocka_unit_test(test_event_page_json_ld_parses_and_cannot_close_its_script),
		cmocka_unit_test(test_upcoming_block_says_when_there_is_none),
	};
	const struct CMUnitTest db_tests[] = {
		T(test_create_is_allowed_to_owner_editor_and_admin_only),
		T(test_create_stores_every_field_and_the_rendered_description),
		T(test_create_validates_every_field_next_to_it),
		T(test_create_refuses_a_time_in_the_spring_gap_next_to_its_field),
		T(test_slug_comes_from_the_title_and_avoids_taken_and_reserved_ones),
		T(test_drafts_are_seen_only_by_those_who_may_publish),
		T(test_update_is_partial_raises_the_sequence_and_checks_who),
		T(test_update_changes_cancels_removes_and_adds_dates),
		T(test_a_date_with_orders_cannot_be_removed_only_cancelled),
		T(test_weekly_series_keeps_the_wall_clock_time_across_the_change_of_time),
		T(test_series_refusals_too_many_dates_missing_end_and_gap),
		T(test_list_filters_by_range_weekend_category_commune_free_text_and_org),
		T(test_tickets_left_filter_and_figures_come_from_the_ticketing_hook),
		T(test_image_is_sniffed_stored_replaced_and_removed),
		T(test_feed_token_is_kept_hashed_replaced_and_revoked),
		T(test_demo_loads_published_events_over_the_next_three_months),
	};
	int failed = 0;
	failed += cmocka_run_group_tests_name("events/pure", pure, NULL, NULL);
	TL_RUN_GROUP_BOTH(failed, "events", db_tests, setup_sqlite, setup_pg, teardown);
	return TL_EXIT(failed);
}
