/* events.c: the agenda's pages (list, past, calendar, map), an event's page, its form, and the iCalendar and Atom feeds.
 *
 * Handlers read the request, call core/events.c (which decides who may see
 * and change what) and pick a view; after a change they redirect with a
 * flash message, so a reload never posts twice. Filters come from the query
 * string: every agenda page is a plain GET form that works without
 * JavaScript and can be bookmarked; the map is a script on top of a list.
 *
 * The map's tiles come from the tile server named by KIOSQUE_MAP_TILES (a
 * Leaflet URL template; default OpenStreetMap's, "none" for no map) with the
 * credit line KIOSQUE_MAP_ATTRIBUTION. The Content-Security-Policy must
 * allow that server in img-src, or the map shows its "no background" notice
 * over the list, which stays complete either way. */
#include "web/pages.h"
#include "web/fragments.h"
#include "web/views/events.h"
#include "web/views/feeds.h"
#include "web/views/orders.h"
#include "base/i18n.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAP_TILES_DEFAULT "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#define MAP_ATTRIBUTION_DEFAULT "© OpenStreetMap contributors"
#define EVENTS_MAP_MAX 100
#define EVENTS_ATOM_MAX 100
#define EVENTS_FEED_PAST (30 * 86400)   /* feeds keep a month of past dates for subscribers */

static void events_nav(struct request *req)
{
	web_of(req)->nav = "events";
}

static void load_communes(struct request *req, const struct commune **out, int *out_n)
{
	struct commune *c = NULL;
	int n = 0;
	if (territory_communes(web_of(req)->db, req->arena, &c, &n) != KQ_OK)
		n = 0;
	*out = c;
	*out_n = n;
}

static bool flag(struct request *req, const char *name)
{
	const char *v = http_query(req, name);
	return v && (strcmp(v, "1") == 0 || strcmp(v, "on") == 0);
}

/* The filters of the query string into q (as typed) and f (as understood).
 * A bad date range is said next to its field and the agenda falls back to
 * everything upcoming. */
static void read_filters(struct request *req, bool with_dates, struct events_query *q,
			 struct event_filter *f, struct field_errors *fe)
{
	struct arena *a = req->arena;
	memset(q, 0, sizeof(*q));
	memset(f, 0, sizeof(*f));
	q->q = str_trim(a, http_query(req, "q"));
	q->category = str_trim(a, http_query(req, "category"));
	if (!events_category_valid(q->category))
		q->category = "";
	q->commune = str_trim(a, http_query(req, "commune"));
	q->free_only = flag(req, "free");
	q->tickets_left = flag(req, "tickets");
	f->q = q->q;
	f->category = q->category;
	f->commune = q->commune;
	f->free_only = q->free_only;
	f->tickets_left = q->tickets_left;
	f->from = time_now();
	if (!with_dates)
		return;
	q->when = str_trim(a, http_query(req, "when"));
	q->from = str_trim(a, http_query(req, "from"));
	q->to = str_trim(a, http_query(req, "to"));
	if (events_range(q->when, q->from, q->to, time_now(), fe, &f->from, &f->to) != KQ_OK) {
		f->from = time_now();
		f->to = 0;
	}
}

static int page_of(struct request *req)
{
	int64_t page = 1;
	if (!str_to_i64(http_query(req, "page"), &page) || page < 1 || page > 100000)
		page = 1;
	return (int)page;
}

/* ---- the agenda ---------------------------------------------------------------------------- */

#define AGENDA_RESULTS_TTL 5   /* seconds a page of results is reused: a new event shows within them */

static void agenda(struct request *req, struct response *res, enum events_agenda_mode mode)
{
	struct web *w = web_of(req);
	events_nav(req);
	struct events_query q;
	struct event_filter f;
	struct field_errors fe = { 0 };
	read_filters(req, mode == AGENDA_UPCOMING, &q, &f, &fe);
	f.past = mode == AGENDA_PAST;
	int page = page_of(req);
	f.limit = EVENTS_AGENDA_PAGE;
	f.offset = (page - 1) * EVENTS_AGENDA_PAGE;
	struct events_agenda_view v = { .query = &q, .fe = &fe, .mode = mode, .page = page };
	/* The results depend on the language and the query only (the agenda
	 * shows no drafts): kept a few seconds, they are computed once per
	 * period for everyone instead of once per visit. */
	const char *key = arena_printf(req->arena, "agenda|%llu|%s|%d|%d|%s|%s|%s|%s|%s|%s|%d|%d",
				       (unsigned long long)events_generation(), w->lang, mode, page, q.q, q.category, q.commune,
				       q.when ? q.when : "", q.from ? q.from : "", q.to ? q.to : "",
				       q.free_only, q.tickets_left);
	struct buf results = BUF_INIT;
	if (!fragment_get(key, &results)) {
		struct event *items;
		if (events_list(w->db, &w->actor, req->arena, &f, &items, &v.n, &v.total) != KQ_OK) {
			web_error(req, res, KQ_ERR_INTERNAL);
			return;
		}
		v.items = items;
		v.pages = (int)((v.total + EVENTS_AGENDA_PAGE - 1) / EVENTS_AGENDA_PAGE);
		view_events_agenda_results(&results, req, &v);
		fragment_put(key, results.p, results.len, AGENDA_RESULTS_TTL);
	}
	v.results = (struct safe_html){ results.p, results.len };
	load_communes(req, &v.communes, &v.ncommunes);
	view_events_agenda(&res->body, req, &v);
	buf_free(&results);
}

void web_events_agenda(struct request *req, struct response *res)
{
	agenda(req, res, AGENDA_UPCOMING);
}

void web_events_past(struct request *req, struct response *res)
{
	agenda(req, res, AGENDA_PAST);
}

void web_events_calendar(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	events_nav(req);
	struct events_query q;
	struct event_filter f;
	struct field_errors fe = { 0 };
	read_filters(req, false, &q, &f, &fe);
	struct events_calendar_view v = { .query = &q };
	int d, wd;
	events_local_date(time_now(), &v.year, &v.month, &d, &wd);
	const char *month = http_query(req, "month");
	int y, m;
	char tail;
	if (month && sscanf(month, "%4d-%2d%c", &y, &m, &tail) == 2 && y >= EVENTS_YEAR_MIN &&
	    y <= EVENTS_YEAR_MAX && m >= 1 && m <= 12) {
		v.year = y;
		v.month = m;
	}
	q.month = arena_printf(req->arena, "%04d-%02d", v.year, v.month);
	f.from = events_day_start(v.year, v.month, 1);
	f.to = events_day_start(v.year, v.month + 1, 1);
	f.limit = EVENTS_LIST_MAX;
	struct event *items;
	int64_t total;
	if (events_list(w->db, &w->actor, req->arena, &f, &items, &v.n, &total) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	v.items = items;
	load_communes(req, &v.communes, &v.ncommunes);
	view_events_calendar(&res->body, req, &v);
}

void web_events_map(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	events_nav(req);
	struct events_query q;
	struct event_filter f;
	struct field_errors fe = { 0 };
	read_filters(req, true, &q, &f, &fe);
	f.limit = EVENTS_MAP_MAX;
	struct events_map_view v = { .query = &q, .fe = &fe };
	struct event *items;
	if (events_list(w->db, &w->actor, req->arena, &f, &items, &v.n, &v.total) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	v.items = items;
	/* Read at each request: the environment does not change once threads run. */
	const char *tiles = getenv("KIOSQUE_MAP_TILES");
	const char *credit = getenv("KIOSQUE_MAP_ATTRIBUTION");
	v.tiles = !tiles || !*tiles ? MAP_TILES_DEFAULT : strcmp(tiles, "none") == 0 ? NULL : tiles;
	v.attribution = credit && *credit ? credit : MAP_ATTRIBUTION_DEFAULT;
	load_communes(req, &v.communes, &v.ncommunes);
	view_events_map(&res->body, req, &v);
}

/* ---- an event ------------------------------------------------------------------------------ */

/* The event named by the route's {slug}, as who may see it; answers 404 itself. */
static bool load_event(struct request *req, struct response *res, struct event *out)
{
	struct web *w = web_of(req);
	enum kq_err e = events_get(w->db, &w->actor, req->arena, http_param(req, "slug"), out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

static void show_event(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	events_nav(req);
	struct event ev;
	if (!load_event(req, res, &ev))
		return;
	struct events_show_view v = { .ev = &ev, .now = time_now() };
	v.can_edit = w->actor.account_id && events_authorize(w->db, &w->actor, &ev) == KQ_OK;
	struct event_offer *offers = arena_alloc(req->arena, sizeof(*offers) * (size_t)(ev.ndates + 1));
	for (int i = 0; i < ev.ndates; i++)
		events_offer(w->db, &ev, &ev.dates[i], &offers[i]);
	v.offers = offers;
	/* Tickets are sold for a published event that has a date to come. */
	struct orders_form_view checkout;
	bool upcoming = false;
	for (int i = 0; i < ev.ndates; i++)
		upcoming |= !ev.dates[i].cancelled && ev.dates[i].ends_at > v.now;
	if (ev.is_ticketed && upcoming && strcmp(ev.status, "published") == 0 &&
	    web_orders_form_load(req, ev.id, ev.slug, 0, &checkout))
		v.checkout = &checkout;
	if (strcmp(ev.status, "draft") == 0)
		http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	/* ---- page sections of other areas: one line each fills a slot of the view ---- */
	v.slot_tools = web_follows_event_tools(req, &ev);
	v.slot_sponsors = web_sponsors_section(req, "event", ev.id, ev.slug);
	v.slot_comments = web_comments_section(req, "event", ev.id);
	/* ---- end page sections ---- */
	view_events_show(&res->body, req, &v);
}

struct show_call {
	struct request *req;
	struct response *res;
};

static enum kq_err show_in_one_read(struct db *db, void *cls)
{
	(void)db;
	struct show_call *x = cls;
	show_event(x->req, x->res);
	return KQ_OK;
}

/* The event's page reads a dozen things of five areas (the event, its offer, the checkout
 * form, the owner's tools, sponsors, comments): all in one read, so SQLite takes its file
 * lock once for the page instead of once per area (core_read_together). */
void web_events_show(struct request *req, struct response *res)
{
	struct show_call x = { req, res };
	if (core_read_together(web_of(req)->db, show_in_one_read, &x) != KQ_OK)
		web_error(req, res, KQ_ERR_INTERNAL);
}

void web_events_image(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct upload u;
	enum kq_err e = events_image_get(w->db, &w->actor, req->arena, http_param(req, "slug"), &u);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_send_upload(req, res, &u);
}

/* ---- create and edit ---------------------------------------------------------------------- */

/* The posted form as core input. Rows after the last filled one are left out. */
static void form_input(struct request *req, struct event_input *in)
{
	struct arena *a = req->arena;
	memset(in, 0, sizeof(*in));
	in->title = http_form(req, "title");
	in->summary = http_form(req, "summary");
	in->description = http_form(req, "description");
	in->category = http_form(req, "category");
	in->status = http_form(req, "status");
	in->commune = http_form(req, "commune");
	in->venue_name = http_form(req, "venue_name");
	in->venue_address = http_form(req, "venue_address");
	in->latitude = http_form(req, "latitude");
	in->longitude = http_form(req, "longitude");
	in->ticketing = http_form(req, "ticketing");
	in->capacity = http_form(req, "capacity");
	in->access_notes = http_form(req, "access_notes");
	in->repeat = http_form(req, "repeat");
	in->repeat_until = http_form(req, "repeat_until");
	char *access = arena_strdup(a, "");
	for (const char *const *f = events_access_flags(); *f; f++)
		if (http_form(req, arena_printf(a, "access_%s", *f)))
			access = arena_printf(a, "%s%s%s", access, *access ? "," : "", *f);
	in->accessibility = access;

	int64_t rows = 0;
	if (!str_to_i64(http_form(req, "rows"), &rows) || rows < 1)
		rows = 1;
	if (rows > EVENTS_FORM_ROWS_MAX)
		rows = EVENTS_FORM_ROWS_MAX;
	struct event_date_input *d = arena_alloc(a, sizeof(*d) * (size_t)rows);
	int n = 0;
	for (int i = 0; i < rows; i++) {
		struct event_date_input *r = &d[i];
		int64_t id = 0;
		if (str_to_i64(http_form(req, arena_printf(a, "date_id_%d", i)), &id) && id > 0)
			r->id = id;
		r->start_date = http_form(req, arena_printf(a, "start_date_%d", i));
		r->start_time = http_form(req, arena_printf(a, "start_time_%d", i));
		r->end_date = http_form(req, arena_printf(a, "end_date_%d", i));
		r->end_time = http_form(req, arena_printf(a, "end_time_%d", i));
		r->cancelled = http_form(req, arena_printf(a, "cancel_%d", i)) != NULL;
		r->remove = http_form(req, arena_printf(a, "remove_%d", i)) != NULL;
		if (r->id || !str_empty(r->start_date) || !str_empty(r->start_time) ||
		    !str_empty(r->end_date) || !str_empty(r->end_time))
			n = i + 1;
	}
	in->has_dates = true;
	in->dates = d;
	in->ndates = n;
	const struct form_field *file = http_file(req, "image");
	if (file && file->len) {
		in->image = file->value;
		in->image_len = file->len;
	}
	in->remove_image = http_form(req, "remove_image") != NULL;
}

static const char *local_date(struct arena *a, int64_t t)
{
	return time_format_date(a, t);
}

static const char *local_hm(struct arena *a, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	return arena_printf(a, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

/* What the edit form shows for an event as stored. */
static struct event_input input_of(struct request *req, const struct event *ev)
{
	struct arena *a = req->arena;
	struct event_input in = { 0 };
	in.title = ev->title;
	in.summary = ev->summary;
	in.description = ev->description;
	in.category = ev->category;
	in.status = ev->status;
	in.commune = ev->commune_insee;
	in.venue_name = ev->venue_name;
	in.venue_address = ev->venue_address;
	if (ev->has_geo) {
		int64_t la = ev->lat_e6 < 0 ? -ev->lat_e6 : ev->lat_e6;
		int64_t lo = ev->lon_e6 < 0 ? -ev->lon_e6 : ev->lon_e6;
		in.latitude = arena_printf(a, "%s%lld.%06lld", ev->lat_e6 < 0 ? "-" : "",
					   (long long)(la / 1000000), (long long)(la % 1000000));
		in.longitude = arena_printf(a, "%s%lld.%06lld", ev->lon_e6 < 0 ? "-" : "",
					    (long long)(lo / 1000000), (long long)(lo % 1000000));
	}
	in.ticketing = ev->is_ticketed ? "ticketed" : "free";
	in.capacity = ev->capacity ? arena_printf(a, "%lld", (long long)ev->capacity) : "";
	in.accessibility = ev->accessibility;
	in.access_notes = ev->access_notes;
	struct event_date_input *d = arena_alloc(a, sizeof(*d) * (size_t)(ev->ndates + 1));
	for (int i = 0; i < ev->ndates; i++) {
		const struct event_date *s = &ev->dates[i];
		d[i].id = s->id;
		d[i].start_date = local_date(a, s->starts_at);
		d[i].start_time = local_hm(a, s->starts_at);
		if (s->ends_at > s->starts_at) {
			d[i].end_date = local_date(a, s->ends_at);
			d[i].end_time = local_hm(a, s->ends_at);
		}
		d[i].cancelled = s->cancelled;
	}
	in.has_dates = true;
	in.dates = d;
	in.ndates = ev->ndates;
	return in;
}

static void show_form(struct request *req, struct response *res, int status,
		      struct events_form_view *v)
{
	load_communes(req, &v->communes, &v->ncommunes);
	res->status = status;
	buf_reset(&res->body);
	view_events_form(&res->body, req, v);
}

/* The organisation of the route's {slug}; answers 404 itself. */
static bool load_org(struct request *req, struct response *res, struct org *out)
{
	enum kq_err e = orgs_get(web_of(req)->db, req->arena, http_param(req, "slug"), out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

void web_events_new_form(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	events_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	enum kq_err e = orgs_authorize(w->db, &w->actor, o.id, ORG_ACT_PUBLISH);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	struct event_input in = { .status = "published", .ticketing = "free", .commune = o.commune_insee };
	struct events_form_view v = { .org = &o, .values = &in };
	show_form(req, res, 200, &v);
}

void web_events_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	events_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	struct event_input in;
	form_input(req, &in);
	struct field_errors fe = { 0 };
	struct event ev;
	enum kq_err e = events_create(w->db, &w->actor, o.id, &in, req->arena, &fe, &ev);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, arena_printf(req->arena, "/evenements/%s", ev.slug),
				   "success", "flash.events.created");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	struct events_form_view v = { .org = &o, .values = &in, .fe = &fe };
	show_form(req, res, err_http_status(e), &v);
}

void web_events_edit_form(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	events_nav(req);
	struct event ev;
	if (!load_event(req, res, &ev))
		return;
	enum kq_err e = events_authorize(w->db, &w->actor, &ev);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	struct event_input in = input_of(req, &ev);
	struct events_form_view v = { .ev = &ev, .values = &in };
	show_form(req, res, 200, &v);
}

void web_events_update(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	events_nav(req);
	struct event ev, after;
	if (!load_event(req, res, &ev))
		return;
	struct event_input in;
	form_input(req, &in);
	struct field_errors fe = { 0 };
	enum kq_err e = events_update(w->db, &w->actor, ev.id, &in, req->arena, &fe, &after);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, arena_printf(req->arena, "/evenements/%s", ev.slug),
				   "success", "flash.events.updated");
		return;
	}
	if (e == KQ_ERR_EVENTS_DATE_HAS_TICKETS)
		field_error_add(&fe, "dates", err_msg_key(e));
	else if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	struct events_form_view v = { .ev = &ev, .values = &in, .fe = &fe };
	show_form(req, res, err_http_status(e), &v);
}

/* ---- an organisation's events ----------------------------------------------------------------- */

void web_events_org(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	web_of(req)->nav = "directory";
	struct org o;
	if (!load_org(req, res, &o))
		return;
	struct events_org_view v = { .org = &o };
	v.can_publish = w->actor.account_id &&
			orgs_authorize(w->db, &w->actor, o.id, ORG_ACT_PUBLISH) == KQ_OK;
	struct event_filter f = { 0 };
	f.org_id = o.id;
	f.include_drafts = true;
	f.limit = EVENTS_PAGE_MAX;
	struct event *up, *past;
	int64_t total;
	if (events_list(w->db, &w->actor, req->arena, &f, &up, &v.nupcoming, &total) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	f.past = true;
	f.limit = 50;
	if (events_list(w->db, &w->actor, req->arena, &f, &past, &v.npast, &v.past_total) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	v.upcoming = up;
	v.past = past;
	view_events_org(&res->body, req, &v);
}

/* ---- feeds ------------------------------------------------------------------------------------------ */

static struct feed_info feed_info(struct request *req, const char *title, const char *self_path,
				  const char *page_path)
{
	struct web *w = web_of(req);
	const char *base = core_settings()->base_url;
	struct feed_info fi = { w->lang, title, arena_printf(req->arena, "%s%s", base, self_path),
				arena_printf(req->arena, "%s%s", base, page_path), base,
				w->territory_name ? w->territory_name : "Kiosque" };
	return fi;
}

static void send_ical(struct request *req, struct response *res, const struct feed_info *fi,
		      const struct event *items, int n, const char *filename, bool private)
{
	res->status = 200;
	res->content_type = "text/calendar; charset=utf-8";
	http_set_header(res, req->arena, "Cache-Control",
			private ? "private, no-store" : "public, max-age=300");
	if (private)
		http_set_header(res, req->arena, "X-Robots-Tag", "noindex");
	if (filename)
		http_set_header(res, req->arena, "Content-Disposition",
				arena_printf(req->arena, "attachment; filename=\"%s\"", filename));
	feeds_ical(&res->body, req->arena, fi, items, n);
}

/* A feed's list: dates from a month ago on (subscribers keep recent history). */
static bool feed_list(struct request *req, struct response *res, struct event_filter *f,
		      struct event **out, int *out_n)
{
	struct web *w = web_of(req);
	int64_t total;
	f->from = time_now() - EVENTS_FEED_PAST;
	f->limit = EVENTS_LIST_MAX;
	if (events_list(w->db, &w->actor, req->arena, f, out, out_n, &total) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return false;
	}
	return true;
}

void web_events_ics(struct request *req, struct response *res)
{
	struct events_query q;
	struct event_filter f;
	struct field_errors fe = { 0 };
	read_filters(req, false, &q, &f, &fe);
	struct event *items;
	int n;
	if (!feed_list(req, res, &f, &items, &n))
		return;
	const char *title = web_t(req, "events.feed.agenda_title");
	if (*q.category)
		title = arena_printf(req->arena, "%s · %s", title,
				     web_t(req, arena_printf(req->arena, "events.category.%s", q.category)));
	struct feed_info fi = feed_info(req, arena_printf(req->arena, "%s · %s", title,
							  web_of(req)->territory_name),
					"/agenda.ics", "/evenements");
	send_ical(req, res, &fi, items, n, NULL, false);
}

void web_events_org_ics(struct request *req, struct response *res)
{
	struct org o;
	if (!load_org(req, res, &o))
		return;
	struct event_filter f = { 0 };
	f.org_id = o.id;
	struct event *items;
	int n;
	if (!feed_list(req, res, &f, &items, &n))
		return;
	struct feed_info fi = feed_info(req, o.name,
					arena_printf(req->arena, "/organisations/%s/agenda.ics", o.slug),
					arena_printf(req->arena, "/organisations/%s/evenements", o.slug));
	send_ical(req, res, &fi, items, n, NULL, false);
}

void web_events_show_ics(struct request *req, struct response *res)
{
	struct event ev;
	if (!load_event(req, res, &ev))
		return;
	const char *page = arena_printf(req->arena, "/evenements/%s", ev.slug);
	struct feed_info fi = feed_info(req, ev.title,
					arena_printf(req->arena, "%s/calendrier.ics", page), page);
	send_ical(req, res, &fi, &ev, 1, arena_printf(req->arena, "%s.ics", ev.slug),
		  strcmp(ev.status, "draft") == 0);
}

void web_events_atom(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event_filter f = { 0 };
	f.limit = EVENTS_ATOM_MAX;
	struct event *items;
	int n;
	int64_t total;
	if (events_list(w->db, &w->actor, req->arena, &f, &items, &n, &total) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	struct feed_info fi = feed_info(req, arena_printf(req->arena, "%s · %s",
							  web_t(req, "events.feed.agenda_title"),
							  w->territory_name),
					"/agenda.atom", "/evenements");
	res->status = 200;
	res->content_type = "application/atom+xml; charset=utf-8";
	http_set_header(res, req->arena, "Cache-Control", "public, max-age=300");
	feeds_atom(&res->body, req->arena, &fi, items, n);
}

/* ---- "my tickets" feed ------------------------------------------------------------------------------- */

static void my_feed_page(struct request *req, struct response *res, const char *token)
{
	struct web *w = web_of(req);
	struct events_my_feed_view v = { 0 };
	if (events_feed_token_info(w->db, &w->actor, &v.created) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	if (token)
		v.new_url = arena_printf(req->arena, "%s/agenda/mes-billets/%s.ics",
					 core_settings()->base_url, token);
	/* The page may show a secret: never cached. */
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_events_my_feed(&res->body, req, &v);
}

void web_events_my_feed(struct request *req, struct response *res)
{
	events_nav(req);
	my_feed_page(req, res, NULL);
}

void web_events_my_feed_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	events_nav(req);
	const char *token;
	enum kq_err e = events_feed_token_create(w->db, &w->actor, req->arena, &token);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	/* Shown once, in this very answer: the database only has its hash. */
	my_feed_page(req, res, token);
}

void web_events_my_feed_revoke(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	enum kq_err e = events_feed_token_revoke(w->db, &w->actor);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, "/agenda/mes-billets", "success", "flash.events.feed_revoked");
}

void web_events_my_feed_ics(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	const char *file = http_param(req, "file");
	size_t n = strlen(file);
	if (n < 5 || strcmp(file + n - 4, ".ics") != 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	const char *token = arena_strndup(req->arena, file, n - 4);
	struct event *items;
	int count;
	enum kq_err e = events_feed_my_tickets(w->db, req->arena, token, &items, &count);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	/* The feed does not repeat its own secret address. */
	struct feed_info fi = feed_info(req, web_t(req, "events.feed.tickets_title"),
					"/agenda/mes-billets", "/evenements");
	send_ical(req, res, &fi, items, count, NULL, true);
}
