/* events.c (api): /api/v1/events: the agenda with its filters, one event, create (under an organisation), partial update */
#include "api/api.h"
#include "core/events.h"
#include "core/orgs.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>
#include <time.h>

#define API_EVENTS_LIMIT_DEFAULT 20

/* ---- encoding --------------------------------------------------------------------------- */

static json_t *degrees(int64_t e6)
{
	return json_real((double)e6 / 1e6);
}

static json_t *date_json(struct arena *a, const struct event *ev, const struct event_date *d)
{
	bool has_end = d->ends_at > d->starts_at;
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(d->id));
	json_object_set_new(j, "start", json_string(api_time(a, d->starts_at)));
	json_object_set_new(j, "end", has_end ? json_string(api_time(a, d->ends_at)) : json_null());
	json_object_set_new(j, "start_utc", json_string(time_format_iso(a, d->starts_at)));
	json_object_set_new(j, "end_utc",
			    has_end ? json_string(time_format_iso(a, d->ends_at)) : json_null());
	json_object_set_new(j, "cancelled", json_boolean(d->cancelled));
	json_object_set_new(j, "tickets_left",
			    ev->is_ticketed && d->tickets_left >= 0 ? json_integer(d->tickets_left)
								     : json_null());
	return j;
}

/* An event; with all_dates its "dates", else the list's one occurrence as "date". */
static json_t *event_json(struct request *req, const struct event *ev, bool all_dates)
{
	struct arena *a = req->arena;
	const char *base = core_settings()->base_url;
	json_t *j = json_object();
	json_object_set_new(j, "slug", json_string(ev->slug));
	json_object_set_new(j, "title", json_string(ev->title));
	json_object_set_new(j, "summary", json_string(ev->summary));
	json_object_set_new(j, "description", json_string(ev->description));
	json_object_set_new(j, "category", json_string(ev->category));
	json_object_set_new(j, "status", json_string(ev->status));
	json_object_set_new(j, "organisation",
			    json_pack("{s:s, s:s, s:s}", "slug", ev->org_slug, "name", ev->org_name,
				      "url", arena_printf(a, "%s/organisations/%s", base, ev->org_slug)));
	json_object_set_new(j, "commune",
			    ev->commune_id ? json_pack("{s:s, s:s, s:s}", "insee", ev->commune_insee,
						       "name", ev->commune_name, "postcode",
						       ev->commune_postcode)
					   : json_null());
	json_t *venue = json_object();
	json_object_set_new(venue, "name", json_string(ev->venue_name));
	json_object_set_new(venue, "address", json_string(ev->venue_address));
	json_object_set_new(venue, "latitude", ev->has_geo ? degrees(ev->lat_e6) : json_null());
	json_object_set_new(venue, "longitude", ev->has_geo ? degrees(ev->lon_e6) : json_null());
	json_object_set_new(j, "venue", venue);
	json_object_set_new(j, "ticketing", json_string(ev->is_ticketed ? "ticketed" : "free"));
	json_object_set_new(j, "capacity", ev->capacity ? json_integer(ev->capacity) : json_null());
	json_t *access = json_array();
	for (const char *const *f = events_access_flags(); *f; f++)
		if (events_has_access(ev->accessibility, *f))
			json_array_append_new(access, json_string(*f));
	json_object_set_new(j, "accessibility", access);
	json_object_set_new(j, "access_notes", json_string(ev->access_notes));
	json_object_set_new(j, "url", json_string(arena_printf(a, "%s/evenements/%s", base, ev->slug)));
	json_object_set_new(j, "ics_url", json_string(arena_printf(a, "%s/evenements/%s/calendrier.ics",
								   base, ev->slug)));
	json_object_set_new(j, "image_url",
			    *ev->image_sha256
				    ? json_string(arena_printf(a, "%s/evenements/%s/image?v=%.16s", base,
							       ev->slug, ev->image_sha256))
				    : json_null());
	json_object_set_new(j, "sequence", json_integer(ev->sequence));
	json_object_set_new(j, "created_at", json_string(time_format_iso(a, ev->created_at)));
	json_object_set_new(j, "updated_at", json_string(time_format_iso(a, ev->updated_at)));
	if (all_dates) {
		json_t *dates = json_array();
		for (int i = 0; i < ev->ndates; i++)
			json_array_append_new(dates, date_json(a, ev, &ev->dates[i]));
		json_object_set_new(j, "dates", dates);
	} else if (ev->ndates) {
		json_object_set_new(j, "date", date_json(a, ev, &ev->dates[0]));
	}
	return j;
}

/* ---- reading input ------------------------------------------------------------------------ */

/* "true"/"1" or "false"/"0"; absent: false. */
static bool query_bool(struct request *req, const char *name, bool *out)
{
	const char *s = http_query(req, name);
	*out = s && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0);
	return !s || *out || strcmp(s, "false") == 0 || strcmp(s, "0") == 0;
}

/* A date-time of the body. "2026-07-14T21:00" (or with seconds) is local
 * time in Europe/Paris, handed to core as a date and a time so that the DST
 * gap is refused there; with "Z" or "+02:00" it is an exact instant. */
static bool parse_when(struct arena *a, const char *s, struct event_date_input *d, bool end)
{
	int y, mo, da, h, mi, sec = 0, n = 0;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &da, &h, &mi, &n) != 5 || n != 16)
		return false;
	const char *rest = s + n;
	if (rest[0] == ':') {
		int k = 0;
		if (sscanf(rest, ":%2d%n", &sec, &k) != 1 || k != 3)
			return false;
		rest += k;
	}
	const char *date = arena_printf(a, "%04d-%02d-%02d", y, mo, da);
	const char *hm = arena_printf(a, "%02d:%02d", h, mi);
	if (!*rest) {
		if (end) {
			d->end_date = date;
			d->end_time = hm;
		} else {
			d->start_date = date;
			d->start_time = hm;
		}
		return true;
	}
	int off = 0;
	if (strcmp(rest, "Z") == 0) {
		off = 0;
	} else {
		int oh, om, k = 0;
		if ((rest[0] != '+' && rest[0] != '-') ||
		    sscanf(rest + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5 || rest[1 + k] ||
		    oh > 14 || om > 59)
			return false;
		off = (rest[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	}
	if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || sec > 59)
		return false;
	struct tm tm = { 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = da;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	int64_t t = (int64_t)timegm(&tm) - off;
	d->is_exact = true;
	if (end)
		d->ends_at = t;
	else
		d->starts_at = t;
	return true;
}

/* The dates of a body: [{"id", "start", "end", "cancelled", "remove"}]. */
static void body_dates(struct request *req, json_t *arr, struct event_input *in,
		       struct field_errors *fe)
{
	struct arena *a = req->arena;
	size_t n = json_array_size(arr);
	if (!json_is_array(arr) || n > EVENTS_DATES_MAX) {
		field_error_add(fe, "dates", json_is_array(arr) ? "err.events.too_many_dates"
								: "err.events.api.not_a_list");
		return;
	}
	struct event_date_input *d = arena_alloc(a, sizeof(*d) * (n ? n : 1));
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		const char *field = arena_printf(a, "dates[%zu]", i);
		if (!json_is_object(o)) {
			field_error_add(fe, field, "err.events.api.not_an_object");
			continue;
		}
		json_t *id = json_object_get(o, "id");
		if (id && !json_is_null(id)) {
			if (!json_is_integer(id) || json_integer_value(id) <= 0) {
				field_error_add(fe, field, "err.events.api.not_an_id");
				continue;
			}
			d[i].id = json_integer_value(id);
		}
		d[i].cancelled = json_is_true(json_object_get(o, "cancelled"));
		d[i].remove = json_is_true(json_object_get(o, "remove"));
		if (d[i].remove)
			continue;
		const char *start = json_string_value(json_object_get(o, "start"));
		json_t *endj = json_object_get(o, "end");
		const char *end = json_string_value(endj);
		if (!parse_when(a, start, &d[i], false) ||
		    (endj && !json_is_null(endj) && !parse_when(a, end, &d[i], true))) {
			field_error_add(fe, field, "err.events.api.date_time_invalid");
			continue;
		}
		/* A local start with an exact end (or the reverse) cannot be compared: ask for one kind. */
		if (d[i].is_exact && (d[i].start_date || d[i].end_date || !d[i].starts_at))
			field_error_add(fe, field, "err.events.api.date_time_invalid");
	}
	in->has_dates = true;
	in->dates = d;
	in->ndates = (int)n;
}

/* The members of an event body. Members of the wrong type are field errors;
 * unknown members are ignored. */
static void body_input(struct request *req, json_t *o, struct event_input *in,
		       struct field_errors *fe)
{
	struct arena *a = req->arena;
	static const char *const keys[] = { "title", "summary", "description", "category", "status",
					    "commune", "venue_name", "venue_address", "ticketing",
					    "access_notes", "repeat", "repeat_until" };
	const char **slots[] = { &in->title, &in->summary, &in->description, &in->category,
				 &in->status, &in->commune, &in->venue_name, &in->venue_address,
				 &in->ticketing, &in->access_notes, &in->repeat, &in->repeat_until };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		bool bad = false;
		*slots[i] = api_str(o, keys[i], &bad);
		if (bad)
			field_error_add(fe, keys[i], "err.api.not_a_string");
	}
	/* Numbers may come as JSON numbers or strings. */
	const char *const num_keys[] = { "latitude", "longitude", "capacity" };
	const char **num_slots[] = { &in->latitude, &in->longitude, &in->capacity };
	for (int i = 0; i < 3; i++) {
		json_t *v = json_object_get(o, num_keys[i]);
		if (!v)
			continue;
		if (json_is_null(v))
			*num_slots[i] = "";
		else if (json_is_string(v))
			*num_slots[i] = json_string_value(v);
		else if (json_is_integer(v))
			*num_slots[i] = arena_printf(a, "%lld", (long long)json_integer_value(v));
		else if (json_is_real(v) && i < 2)
			*num_slots[i] = arena_printf(a, "%.7f", json_real_value(v));
		else
			field_error_add(fe, num_keys[i], "err.events.api.not_a_number");
	}
	json_t *acc = json_object_get(o, "accessibility");
	if (acc && !json_is_null(acc)) {
		if (!json_is_array(acc)) {
			field_error_add(fe, "accessibility", "err.events.api.not_a_list");
		} else {
			char *list = arena_strdup(a, "");
			size_t i;
			json_t *f;
			json_array_foreach(acc, i, f) {
				if (!json_is_string(f)) {
					field_error_add(fe, "accessibility", "err.api.not_a_string");
					break;
				}
				list = arena_printf(a, "%s%s%s", list, *list ? "," : "", json_string_value(f));
			}
			in->accessibility = list;
		}
	}
	json_t *dates = json_object_get(o, "dates");
	if (dates)
		body_dates(req, dates, in, fe);
}

/* Copies the strings of in into the arena, so that the body can be freed. */
static void own_input(struct arena *a, struct event_input *in)
{
	const char **slots[] = { &in->title, &in->summary, &in->description, &in->category,
				 &in->status, &in->commune, &in->venue_name, &in->venue_address,
				 &in->ticketing, &in->access_notes, &in->repeat, &in->repeat_until,
				 &in->latitude, &in->longitude, &in->capacity, &in->accessibility };
	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		*slots[i] = arena_strdup(a, *slots[i]);
}

/* ---- handlers --------------------------------------------------------------------------------- */

void api_events_list(struct request *req, struct response *res)
{
	struct field_errors fe = { 0 };
	struct event_filter f = { 0 };
	int64_t limit, offset;
	const struct actor *who = api_actor(req);
	f.category = http_query(req, "category");
	f.commune = http_query(req, "commune");
	f.q = http_query(req, "q");
	if (f.category && *f.category && !events_category_valid(f.category))
		field_error_add(&fe, "category", "err.events.category_invalid");
	if (!query_bool(req, "free", &f.free_only))
		field_error_add(&fe, "free", "err.events.api.not_a_boolean");
	if (!query_bool(req, "tickets_left", &f.tickets_left))
		field_error_add(&fe, "tickets_left", "err.events.api.not_a_boolean");
	if (!query_bool(req, "past", &f.past))
		field_error_add(&fe, "past", "err.events.api.not_a_boolean");
	if (!api_query_int(req, "limit", API_EVENTS_LIMIT_DEFAULT, 1, EVENTS_PAGE_MAX, &limit))
		field_error_add(&fe, "limit", "err.api.limit_invalid");
	if (!api_query_int(req, "offset", 0, 0, INT32_MAX, &offset))
		field_error_add(&fe, "offset", "err.api.offset_invalid");
	const char *when = http_query(req, "when");
	if (when && *when && strcmp(when, "today") != 0 && strcmp(when, "tomorrow") != 0 &&
	    strcmp(when, "weekend") != 0 && strcmp(when, "week") != 0 && strcmp(when, "month") != 0)
		field_error_add(&fe, "when", "err.events.api.when_invalid");
	else if (events_range(when, http_query(req, "from"), http_query(req, "to"), time_now(), &fe,
			      &f.from, &f.to) != KQ_OK && !fe.n)
		field_error_add(&fe, "from", "err.events.date_invalid");
	const char *org = http_query(req, "org");
	if (org && *org) {
		struct org o;
		enum kq_err e = orgs_get(api_db(req), req->arena, org, &o);
		if (e == KQ_ERR_NOT_FOUND)
			field_error_add(&fe, "org", "err.events.api.org_unknown");
		else if (e != KQ_OK) {
			api_error(req, res, e, NULL);
			return;
		} else {
			f.org_id = o.id;
			f.include_drafts = true;   /* core shows them only to who may publish */
		}
	}
	if (fe.n) {
		api_error(req, res, KQ_ERR_BAD_REQUEST, &fe);
		return;
	}
	f.limit = (int)limit;
	f.offset = (int)offset;
	struct event *items;
	int n;
	int64_t total;
	enum kq_err e = events_list(api_db(req), who, req->arena, &f, &items, &n, &total);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, event_json(req, &items[i], false));
	api_json_take(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", arr, "total",
					  (json_int_t)total, "limit", (json_int_t)limit, "offset",
					  (json_int_t)offset));
}

void api_events_get(struct request *req, struct response *res)
{
	struct event ev;
	enum kq_err e = events_get(api_db(req), api_actor(req), req->arena, http_param(req, "slug"),
				   &ev);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	api_json_take(res, 200, event_json(req, &ev, true));
}

void api_events_create(struct request *req, struct response *res)
{
	struct org o;
	enum kq_err e = orgs_get(api_db(req), req->arena, http_param(req, "slug"), &o);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *body = api_body_object(req, res);
	if (!body)
		return;
	struct event_input in = { 0 };
	struct field_errors fe = { 0 };
	body_input(req, body, &in, &fe);
	own_input(req->arena, &in);
	json_decref(body);
	/* Who may publish is said before what is wrong with the body. */
	e = orgs_authorize(api_db(req), api_actor(req), o.id, ORG_ACT_PUBLISH);
	struct event ev;
	if (e == KQ_OK)
		e = fe.n ? KQ_ERR_FORM_INVALID
			 : events_create(api_db(req), api_actor(req), o.id, &in, req->arena, &fe, &ev);
	if (e != KQ_OK) {
		api_error(req, res, e, e == KQ_ERR_FORM_INVALID ? &fe : NULL);
		return;
	}
	http_set_header(res, req->arena, "Location",
			arena_printf(req->arena, "/api/v1/events/%s", ev.slug));
	api_json_take(res, 201, event_json(req, &ev, true));
}

void api_events_update(struct request *req, struct response *res)
{
	struct event ev, after;
	enum kq_err e = events_get(api_db(req), api_actor(req), req->arena, http_param(req, "slug"),
				   &ev);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *body = api_body_object(req, res);
	if (!body)
		return;
	struct event_input in = { 0 };
	struct field_errors fe = { 0 };
	body_input(req, body, &in, &fe);
	own_input(req->arena, &in);
	json_decref(body);
	e = events_authorize(api_db(req), api_actor(req), &ev);
	if (e == KQ_OK)
		e = fe.n ? KQ_ERR_FORM_INVALID
			 : events_update(api_db(req), api_actor(req), ev.id, &in, req->arena, &fe,
					 &after);
	if (e != KQ_OK) {
		api_error(req, res, e, e == KQ_ERR_FORM_INVALID ? &fe : NULL);
		return;
	}
	api_json_take(res, 200, event_json(req, &after, true));
}
