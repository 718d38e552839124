/* events.c (views): the agenda (list, month calendar, map), an event's page with JSON-LD and Open Graph, its form, an organisation's events */
#include "web/views/events.h"
#include "web/views/orders.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <jansson.h>
#include <string.h>
#include <time.h>

/* Markup literal from this file into another buffer than b (the head). */

/* ---- labels and small texts ---------------------------------------------------------------- */

static const char *label_of(struct request *req, const char *prefix, const char *id)
{
	const char *key = arena_printf(req->arena, "%s%s", prefix, id);
	return i18n_has(key) ? web_t(req, key) : id;
}

static const char *cat_label(struct request *req, const char *c)
{
	return label_of(req, "events.category.", c);
}

/* "21 h", "21 h 30" (fr) or "21:00" (en). */
static const char *hm(struct arena *a, const char *lang, const struct tm *tm)
{
	if (lang && lang[0] == 'e')
		return arena_printf(a, "%02d:%02d", tm->tm_hour, tm->tm_min);
	if (tm->tm_min == 0)
		return arena_printf(a, "%d h", tm->tm_hour);
	return arena_printf(a, "%d h %02d", tm->tm_hour, tm->tm_min);
}

/* "samedi 14 juillet 2026" / "Saturday 14 July 2026". */
static const char *day_text(struct arena *a, const char *lang, const struct tm *tm)
{
	int wd = tm->tm_wday == 0 ? 7 : tm->tm_wday;
	return arena_printf(a, "%s %d %s %d",
			    i18n_get(lang, arena_printf(a, "events.wday.%d", wd)), tm->tm_mday,
			    i18n_get(lang, arena_printf(a, "events.month.%d", tm->tm_mon + 1)),
			    tm->tm_year + 1900);
}

const char *view_events_when(struct arena *a, const char *lang, int64_t starts, int64_t ends)
{
	struct tm s, e;
	time_t ts = (time_t)starts, te = (time_t)ends;
	localtime_r(&ts, &s);
	localtime_r(&te, &e);
	bool en = lang && lang[0] == 'e';
	const char *day = day_text(a, lang, &s);
	if (ends <= starts)
		return arena_printf(a, en ? "%s, %s" : "%s à %s", day, hm(a, lang, &s));
	bool same_day = s.tm_year == e.tm_year && s.tm_yday == e.tm_yday;
	/* Ending in the small hours of the next day still reads as one evening. */
	bool next_morning = !same_day && ends - starts < 86400 && e.tm_hour < 6;
	if (same_day || next_morning)
		return arena_printf(a, en ? "%s, %s–%s" : "%s de %s à %s", day, hm(a, lang, &s),
				    hm(a, lang, &e));
	return arena_printf(a, en ? "from %s, %s to %s, %s" : "du %s, %s, au %s, %s", day,
			    hm(a, lang, &s), day_text(a, lang, &e), hm(a, lang, &e));
}

const char *view_events_place_line(struct arena *a, const struct event *ev)
{
	const char *parts[3] = { ev->venue_name, ev->venue_address, "" };
	if (*ev->commune_name)
		parts[2] = *ev->commune_postcode
				   ? arena_printf(a, "%s %s", ev->commune_postcode, ev->commune_name)
				   : ev->commune_name;
	char *out = arena_strdup(a, "");
	for (int i = 0; i < 3; i++)
		if (*parts[i])
			out = arena_printf(a, "%s%s%s", out, *out ? ", " : "", parts[i]);
	return out;
}

const char *view_events_image_url(struct request *req, const struct event *ev)
{
	if (!*ev->image_sha256)
		return NULL;
	return arena_printf(req->arena, "/evenements/%s/image?v=%.16s", url_arg(req->arena, ev->slug),
			    ev->image_sha256);
}

static const char *event_path(struct request *req, const struct event *ev, const char *tail)
{
	return arena_printf(req->arena, "/evenements/%s%s", url_arg(req->arena, ev->slug), tail);
}

static const char *abs_url(struct request *req, const char *path)
{
	return arena_printf(req->arena, "%s%s", core_settings()->base_url, path);
}

/* The <time datetime> value: local date and time with its offset. */
static const char *iso_local(struct arena *a, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	long off = tm.tm_gmtoff;
	return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
			    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			    off < 0 ? '-' : '+', (off < 0 ? -off : off) / 3600,
			    ((off < 0 ? -off : off) % 3600) / 60);
}

static bool is_cancelled(const struct event *ev, const struct event_date *d)
{
	return strcmp(ev->status, "cancelled") == 0 || (d && d->cancelled);
}

/* Status badges: cancelled, postponed, draft; never by colour alone (the word says it). */
static void status_badges(struct buf *b, struct request *req, const struct event *ev,
			  const struct event_date *d)
{
	if (is_cancelled(ev, d))
		html_fmt(b, " <span class=\"badge badge-cancelled\">%s</span>",
			 web_t(req, strcmp(ev->status, "cancelled") == 0 ? "events.status.cancelled"
								       : "events.date.cancelled"));
	else if (strcmp(ev->status, "postponed") == 0)
		html_fmt(b, " <span class=\"badge badge-postponed\">%s</span>",
			 web_t(req, "events.status.postponed"));
	else if (strcmp(ev->status, "draft") == 0)
		html_fmt(b, " <span class=\"badge badge-draft\">%s</span>",
			 web_t(req, "events.status.draft"));
}

/* "Entrée libre", "Billetterie · 12 places", "Complet". */
static void entry_badge(struct buf *b, struct request *req, const struct event *ev,
			const struct event_date *d)
{
	if (!ev->is_ticketed) {
		html_fmt(b, " <span class=\"badge badge-free\">%s</span>", web_t(req, "events.free"));
		return;
	}
	if (d && d->tickets_left == 0)
		html_fmt(b, " <span class=\"badge badge-sold-out\">%s</span>",
			 web_t(req, "events.sold_out"));
	else
		html_fmt(b, " <span class=\"badge\">%s</span>", web_t(req, "events.ticketed"));
}

/* ---- the page head: Open Graph, JSON-LD, feeds, styles ------------------------------------ */

/* The page with extra <head> elements (meta tags, links, JSON-LD); head
 * holds markup built by this file's escaping writers only. */
static void layout_start_head(struct buf *b, struct request *req, const char *title,
			      const struct buf *head)
{
	view_layout_start_head(b, req, title, (struct safe_html){ buf_str(head), head->len });
}

static void meta_property(struct buf *b, const char *property, const char *content)
{
	HTML("<meta");
	html_attr(b, "property", property);
	html_attr(b, "content", content);
	HTML(">");
}

static void meta_name(struct buf *b, const char *name, const char *content)
{
	HTML("<meta");
	html_attr(b, "name", name);
	html_attr(b, "content", content);
	HTML(">");
}

static void link_alternate(struct buf *b, const char *type, const char *title, const char *href)
{
	HTML("<link rel=\"alternate\"");
	html_attr(b, "type", type);
	html_attr(b, "title", title);
	html_attr(b, "href", href);
	HTML(">");
}

/* JSON inside <script type="application/ld+json">: the script element ends
 * at the first "</script", and entities are not decoded there, so HTML
 * escaping cannot be used. Instead every <, > and & (which JSON only has
 * inside strings) becomes its \u escape, which JSON parsers read back as
 * the same character: no data can close the element or open a comment.
 * This is the only struct safe_html made in this file, from jansson's
 * output of values we built. */
static struct safe_html json_for_script(struct arena *a, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(9));
	struct buf out = BUF_INIT;
	for (const char *p = text ? text : "null"; *p; p++) {
		if (*p == '<')
			buf_puts(&out, "\\u003c");
		else if (*p == '>')
			buf_puts(&out, "\\u003e");
		else if (*p == '&')
			buf_puts(&out, "\\u0026");
		else
			buf_putc(&out, *p);
	}
	free(text);
	struct safe_html h = { arena_memdup(a, buf_str(&out), out.len), out.len };
	buf_free(&out);
	return h;
}

static const char *price_text(struct arena *a, int64_t cents)
{
	return arena_printf(a, "%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
}

/* One schema.org Event for one date. */
static json_t *jsonld_event(struct request *req, const struct event *ev, const struct event_date *d,
			    const struct event_offer *offer)
{
	struct arena *a = req->arena;
	const char *url = abs_url(req, event_path(req, ev, ""));
	json_t *j = json_object();
	json_object_set_new(j, "@context", json_string("https://schema.org"));
	json_object_set_new(j, "@type", json_string("Event"));
	json_object_set_new(j, "name", json_string(ev->title));
	json_object_set_new(j, "url", json_string(url));
	const char *desc = *ev->summary ? ev->summary : ev->description;
	if (*desc)
		json_object_set_new(j, "description", json_string(desc));
	json_object_set_new(j, "startDate", json_string(iso_local(a, d->starts_at)));
	if (d->ends_at > d->starts_at)
		json_object_set_new(j, "endDate", json_string(iso_local(a, d->ends_at)));
	const char *status = is_cancelled(ev, d) ? "EventCancelled"
			     : strcmp(ev->status, "postponed") == 0 ? "EventPostponed"
								    : "EventScheduled";
	json_object_set_new(j, "eventStatus",
			    json_string(arena_printf(a, "https://schema.org/%s", status)));
	json_object_set_new(j, "eventAttendanceMode",
			    json_string("https://schema.org/OfflineEventAttendanceMode"));

	json_t *place = json_object();
	json_object_set_new(place, "@type", json_string("Place"));
	json_object_set_new(place, "name", json_string(*ev->venue_name ? ev->venue_name
						      : *ev->commune_name ? ev->commune_name
									  : ev->org_name));
	json_t *addr = json_object();
	json_object_set_new(addr, "@type", json_string("PostalAddress"));
	if (*ev->venue_address)
		json_object_set_new(addr, "streetAddress", json_string(ev->venue_address));
	if (*ev->commune_name)
		json_object_set_new(addr, "addressLocality", json_string(ev->commune_name));
	if (*ev->commune_postcode)
		json_object_set_new(addr, "postalCode", json_string(ev->commune_postcode));
	json_object_set_new(addr, "addressCountry", json_string("FR"));
	json_object_set_new(place, "address", addr);
	if (ev->has_geo)
		json_object_set_new(place, "geo",
				    json_pack("{s:s, s:f, s:f}", "@type", "GeoCoordinates", "latitude",
					      (double)ev->lat_e6 / 1e6, "longitude",
					      (double)ev->lon_e6 / 1e6));
	json_object_set_new(j, "location", place);

	const char *img = view_events_image_url(req, ev);
	if (img)
		json_object_set_new(j, "image", json_pack("[s]", abs_url(req, img)));
	json_object_set_new(j, "organizer",
			    json_pack("{s:s, s:s, s:s}", "@type", "Organization", "name", ev->org_name,
				      "url", abs_url(req, arena_printf(a, "/organisations/%s",
								       url_arg(a, ev->org_slug)))));
	json_object_set_new(j, "isAccessibleForFree", json_boolean(!ev->is_ticketed));
	if (ev->capacity > 0)
		json_object_set_new(j, "maximumAttendeeCapacity", json_integer(ev->capacity));

	const char *availability = is_cancelled(ev, d) ? "Discontinued"
				   : d->tickets_left == 0 ? "SoldOut"
							  : "InStock";
	json_t *o = json_object();
	json_object_set_new(o, "@type", json_string("Offer"));
	json_object_set_new(o, "url", json_string(url));
	if (!ev->is_ticketed) {
		json_object_set_new(o, "price", json_string("0"));
		json_object_set_new(o, "priceCurrency", json_string("EUR"));
	} else if (offer && offer->known) {
		json_object_set_new(o, "price", json_string(price_text(a, offer->min_cents)));
		json_object_set_new(o, "priceCurrency", json_string(offer->currency));
	}
	json_object_set_new(o, "availability",
			    json_string(arena_printf(a, "https://schema.org/%s", availability)));
	json_object_set_new(o, "validFrom", json_string(iso_local(a, ev->created_at)));
	if (ev->is_ticketed && d->tickets_left > 0)
		json_object_set_new(o, "inventoryLevel",
				    json_pack("{s:s, s:I}", "@type", "QuantitativeValue", "value",
					      (json_int_t)d->tickets_left));
	json_object_set_new(j, "offers", o);
	return j;
}

/* The head of an event page: description, canonical URL, Open Graph and
 * Twitter cards, the .ics alternate and schema.org JSON-LD (one Event per
 * date: the upcoming ones, or all when none is upcoming; twenty at most). */
static void event_head(struct buf *h, struct request *req, const struct events_show_view *v)
{
	const struct event *ev = v->ev;
	struct arena *a = req->arena;
	struct web *w = web_of(req);
	const char *url = abs_url(req, event_path(req, ev, ""));
	const char *desc = *ev->summary ? ev->summary : ev->description;
	if (str_utf8_len(desc) > 200) {
		/* Cut on a character boundary: 200 code points are at most 800 bytes. */
		size_t k = 0, cp = 0;
		while (desc[k] && cp < 197) {
			k++;
			if (((unsigned char)desc[k] & 0xc0) != 0x80)
				cp++;
		}
		desc = arena_printf(a, "%.*s…", (int)k, desc);
	}
	const char *when = ev->ndates ? view_events_when(a, w->lang, ev->dates[0].starts_at,
							 ev->dates[0].ends_at)
				      : "";
	const char *og_desc = arena_printf(a, "%s%s%s", when, *desc ? " · " : "", desc);
	meta_name(h, "description", og_desc);
	HTML_TO(h, "<link rel=\"canonical\"");
	html_attr(h, "href", url);
	HTML_TO(h, ">");
	if (strcmp(ev->status, "draft") == 0)
		meta_name(h, "robots", "noindex");
	meta_property(h, "og:type", "website");
	meta_property(h, "og:site_name", w->territory_name ? w->territory_name : "Kiosque");
	meta_property(h, "og:title", ev->title);
	meta_property(h, "og:description", og_desc);
	meta_property(h, "og:url", url);
	meta_property(h, "og:locale", strcmp(w->lang, "en") == 0 ? "en_GB" : "fr_FR");
	const char *img = view_events_image_url(req, ev);
	if (img) {
		meta_property(h, "og:image", abs_url(req, img));
		meta_property(h, "og:image:alt", ev->title);
	}
	meta_name(h, "twitter:card", img ? "summary_large_image" : "summary");
	meta_name(h, "twitter:title", ev->title);
	meta_name(h, "twitter:description", og_desc);
	link_alternate(h, "text/calendar", web_t(req, "events.show.add_calendar"),
		       event_path(req, ev, "/calendrier.ics"));

	json_t *list = json_array();
	int upcoming = 0;
	for (int i = 0; i < ev->ndates; i++)
		upcoming += ev->dates[i].ends_at > v->now;
	for (int i = 0; i < ev->ndates && json_array_size(list) < 20; i++) {
		if (upcoming && ev->dates[i].ends_at <= v->now)
			continue;
		json_array_append_new(list, jsonld_event(req, ev, &ev->dates[i],
							 v->offers ? &v->offers[i] : NULL));
	}
	if (json_array_size(list)) {
		HTML_TO(h, "<script type=\"application/ld+json\">");
		if (json_array_size(list) == 1)
			html_safe(h, json_for_script(a, json_array_get(list, 0)));
		else
			html_safe(h, json_for_script(a, list));
		HTML_TO(h, "</script>");
	}
	json_decref(list);
}

/* ---- filters and links that keep them ------------------------------------------------------ */

/* path?<the filters of q>[&extra]; empty values are left out. */
static const char *query_url(struct request *req, const char *path, const struct events_query *q,
			     bool with_dates, const char *extra)
{
	struct arena *a = req->arena;
	char *u = arena_strdup(a, "");
	const char *keys[] = { "q", "category", "commune", "when", "from", "to" };
	const char *vals[] = { q->q, q->category, q->commune, with_dates ? q->when : NULL,
			       with_dates ? q->from : NULL, with_dates ? q->to : NULL };
	for (int i = 0; i < 6; i++)
		if (vals[i] && *vals[i])
			u = arena_printf(a, "%s%s%s=%s", u, *u ? "&" : "", keys[i], url_arg(a, vals[i]));
	if (q->free_only)
		u = arena_printf(a, "%s%sfree=1", u, *u ? "&" : "");
	if (q->tickets_left)
		u = arena_printf(a, "%s%stickets=1", u, *u ? "&" : "");
	if (extra && *extra)
		u = arena_printf(a, "%s%s%s", u, *u ? "&" : "", extra);
	return *u ? arena_printf(a, "%s?%s", path, u) : path;
}

static const char **commune_options(struct request *req, const struct commune *c, int n,
				    const char *empty_text)
{
	const char **o = arena_alloc(req->arena, sizeof(*o) * (size_t)(2 * n + 3));
	int k = 0;
	o[k++] = "";
	o[k++] = empty_text;
	for (int i = 0; i < n; i++) {
		o[k++] = c[i].insee;
		o[k++] = c[i].name;
	}
	o[k] = NULL;
	return o;
}

/* Option pairs (value, catalog key), NULL-terminated, in the arena. */
static const char **key_options(struct request *req, const char *empty_key, const char *prefix,
				const char *const *values)
{
	int n = 0;
	while (values[n])
		n++;
	const char **o = arena_alloc(req->arena, sizeof(*o) * (size_t)(2 * n + 3));
	int k = 0;
	if (empty_key) {
		o[k++] = "";
		o[k++] = empty_key;
	}
	for (int i = 0; i < n; i++) {
		o[k++] = values[i];
		o[k++] = arena_printf(req->arena, "%s%s", prefix, values[i]);
	}
	o[k] = NULL;
	return o;
}

/* <label><input type="checkbox"> text</label>, the markup kiosque.css
 * styles; form_field has no checked state, so checkboxes are written here. */
static void checkbox(struct buf *b, struct request *req, const char *name, const char *label_key,
		     bool checked, const char *hint_key)
{
	HTML("<div class=\"field\"><label");
	html_attr(b, "for", arena_printf(req->arena, "f-%s", name));
	HTML("><input type=\"checkbox\" value=\"1\"");
	html_attr(b, "id", arena_printf(req->arena, "f-%s", name));
	html_attr(b, "name", name);
	if (hint_key)
		html_attr(b, "aria-describedby", arena_printf(req->arena, "h-%s", name));
	if (checked)
		HTML(" checked");
	html_fmt(b, "> %s</label>", web_t(req, label_key));
	if (hint_key)
		html_fmt(b, "<p class=\"hint\" id=\"h-%s\">%s</p>", name, web_t(req, hint_key));
	HTML("</div>");
}

static const char *const when_values[] = { "today", "tomorrow", "weekend", "week", "month", NULL };

/* The agenda's filters: a GET form, so they live in the URL, work without
 * JavaScript and can be shared. with_dates: the "when" and date range
 * fields (the calendar chooses its month instead). */
static void filters_form(struct buf *b, struct request *req, const char *action,
			 const struct events_query *q, const struct field_errors *fe,
			 const struct commune *communes, int ncommunes, bool with_dates,
			 const char *hidden_name, const char *hidden_value)
{
	html_fmt(b, "<form class=\"stack filters event-filters\" method=\"get\" role=\"search\" aria-label=\"%s\"",
		 web_t(req, "events.agenda.filters"));
	html_attr(b, "action", action);
	HTML(">");
	if (hidden_name) {
		HTML("<input type=\"hidden\"");
		html_attr(b, "name", hidden_name);
		html_attr(b, "value", hidden_value);
		HTML(">");
	}
	struct form_ctx fc = { b, req, fe };
	struct field_spec qs = { "q", "events.filter.q", "search", q->q, NULL, NULL, false, 100 };
	form_field(&fc, &qs);
	if (with_dates) {
		struct field_spec when = { "when", "events.filter.when", "select", q->when, NULL,
					   NULL, false, 0 };
		form_select(&fc, &when, key_options(req, "events.when.any", "events.when.", when_values));
		HTML("<div class=\"field-pair\">");
		struct field_spec from = { "from", "events.filter.from", "date", q->from, NULL, NULL,
					   false, 10 };
		form_field(&fc, &from);
		struct field_spec to = { "to", "events.filter.to", "date", q->to, NULL, NULL, false, 10 };
		form_field(&fc, &to);
		HTML("</div>");
	}
	struct field_spec cat = { "category", "events.filter.category", "select", q->category, NULL,
				  NULL, false, 0 };
	form_select(&fc, &cat, key_options(req, "events.filter.all_categories", "events.category.",
					   events_categories()));
	struct field_spec com = { "commune", "events.filter.commune", "select", q->commune, NULL,
				  NULL, false, 0, true };
	form_select(&fc, &com, commune_options(req, communes, ncommunes,
					       web_t(req, "events.filter.all_communes")));
	checkbox(b, req, "free", "events.filter.free", q->free_only, NULL);
	checkbox(b, req, "tickets", "events.filter.tickets", q->tickets_left, NULL);
	html_fmt(b, "<div class=\"actions\"><button type=\"submit\">%s</button><a",
		 web_t(req, "events.filter.submit"));
	html_href(b, action);
	html_fmt(b, ">%s</a></div></form>", web_t(req, "events.filter.reset"));
}

/* Liste / Calendrier / Carte, keeping the filters. */
static void view_tabs(struct buf *b, struct request *req, const char *current,
		      const struct events_query *q)
{
	static const struct { const char *id, *path, *key; } tabs[] = {
		{ "list", "/evenements", "events.views.list" },
		{ "calendar", "/evenements/calendrier", "events.views.calendar" },
		{ "map", "/evenements/carte", "events.views.map" },
	};
	html_fmt(b, "<nav class=\"view-tabs\" aria-label=\"%s\"><ul>", web_t(req, "events.views.label"));
	for (size_t i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++) {
		HTML("<li><a");
		html_href(b, query_url(req, tabs[i].path, q, strcmp(tabs[i].id, "calendar") != 0, NULL));
		if (strcmp(tabs[i].id, current) == 0)
			HTML(" aria-current=\"page\"");
		html_fmt(b, ">%s</a></li>", web_t(req, tabs[i].key));
	}
	HTML("</ul></nav>");
}

static void feed_links(struct buf *b, struct request *req, const struct events_query *q)
{
	html_fmt(b, "<aside class=\"feeds card\" aria-labelledby=\"h-feeds\"><h2 id=\"h-feeds\">%s</h2><p>%s</p><ul>",
		 web_t(req, "events.feeds.title"), web_t(req, "events.feeds.hint"));
	HTML("<li><a");
	html_href(b, query_url(req, "/agenda.ics", q, false, NULL));
	html_fmt(b, ">%s</a></li><li><a", web_t(req, "events.feeds.ical"));
	html_href(b, "/agenda.atom");
	html_fmt(b, ">%s</a></li>", web_t(req, "events.feeds.atom"));
	if (web_of(req)->actor.account_id) {
		HTML("<li><a");
		html_href(b, "/agenda/mes-billets");
		html_fmt(b, ">%s</a></li>", web_t(req, "events.myfeed.title"));
	}
	HTML("</ul></aside>");
}

/* ---- an occurrence in a list ---------------------------------------------------------------- */

static const char *hours_of(struct arena *a, const char *lang, const struct event_date *d);

static void event_card(struct buf *b, struct request *req, const struct event *ev, int level,
		       bool with_day)
{
	struct arena *a = req->arena;
	const char *lang = web_of(req)->lang;
	const struct event_date *d = ev->ndates ? &ev->dates[0] : NULL;
	html_fmt(b, "<li class=\"card event-card%s\"", is_cancelled(ev, d) ? " is-cancelled" : "");
	if (ev->has_geo) {
		/* What the map script reads (progressive enhancement; the card is the content). */
		html_attr(b, "data-lat", arena_printf(a, "%lld", (long long)ev->lat_e6));
		html_attr(b, "data-lon", arena_printf(a, "%lld", (long long)ev->lon_e6));
		html_attr(b, "data-title", ev->title);
		html_attr(b, "data-url", event_path(req, ev, ""));
	}
	html_fmt(b, "><h%d><a", level);
	html_href(b, event_path(req, ev, ""));
	html_fmt(b, ">%s</a></h%d>", ev->title, level);
	if (d) {
		HTML("<p class=\"when\"><time");
		html_attr(b, "datetime", iso_local(a, d->starts_at));
		html_fmt(b, ">%s</time></p>",
			 with_day ? view_events_when(a, lang, d->starts_at, d->ends_at)
				  : hours_of(a, lang, d));
	}
	HTML("<p class=\"meta\">");
	html_fmt(b, "<span class=\"badge badge-category\">%s</span>", cat_label(req, ev->category));
	status_badges(b, req, ev, d);
	entry_badge(b, req, ev, d);
	HTML("</p>");
	const char *place = view_events_place_line(a, ev);
	if (*place)
		html_fmt(b, "<p class=\"place\">%s</p>", place);
	if (*ev->summary)
		html_fmt(b, "<p>%s</p>", ev->summary);
	html_fmt(b, "<p class=\"organiser meta\">%s %s</p></li>", web_t(req, "events.show.organiser"),
		 ev->org_name);
}

/* Under a day's heading: "21 h", "21 h – 23 h", or the whole span when it lasts several days. */
static const char *hours_of(struct arena *a, const char *lang, const struct event_date *d)
{
	struct tm s, e;
	time_t ts = (time_t)d->starts_at, te = (time_t)d->ends_at;
	localtime_r(&ts, &s);
	localtime_r(&te, &e);
	if (d->ends_at <= d->starts_at)
		return hm(a, lang, &s);
	if (d->ends_at - d->starts_at < 86400 && (e.tm_yday == s.tm_yday || e.tm_hour < 6))
		return arena_printf(a, "%s – %s", hm(a, lang, &s), hm(a, lang, &e));
	return view_events_when(a, lang, d->starts_at, d->ends_at);
}

/* Occurrences grouped under one heading per day (h2), each event an h3. */
static void day_grouped_list(struct buf *b, struct request *req, const struct event *items, int n)
{
	struct arena *a = req->arena;
	const char *lang = web_of(req)->lang;
	int last_y = -1, last_yday = -1;
	bool open = false;
	for (int i = 0; i < n; i++) {
		const struct event_date *d = &items[i].dates[0];
		struct tm tm;
		time_t t = (time_t)d->starts_at;
		localtime_r(&t, &tm);
		if (tm.tm_year != last_y || tm.tm_yday != last_yday) {
			if (open)
				HTML("</ul></section>");
			const char *day = day_text(a, lang, &tm);
			const char *id = arena_printf(a, "d-%04d-%02d-%02d-%d", tm.tm_year + 1900,
						      tm.tm_mon + 1, tm.tm_mday, i);
			html_fmt(b, "<section class=\"agenda-day\" aria-labelledby=\"%s\"><h2 id=\"%s\">", id, id);
			/* Capitalised at the start of a heading: "Samedi 14 juillet 2026". */
			char *cap = arena_strdup(a, day);
			if (cap[0] >= 'a' && cap[0] <= 'z')
				cap[0] = (char)(cap[0] - 'a' + 'A');
			html_fmt(b, "%s</h2><ul class=\"card-list event-list\">", cap);
			open = true;
			last_y = tm.tm_year;
			last_yday = tm.tm_yday;
		}
		event_card(b, req, &items[i], 3, false);
	}
	if (open)
		HTML("</ul></section>");
}

static void pagination(struct buf *b, struct request *req, const char *path,
		       const struct events_query *q, int page, int pages)
{
	if (pages <= 1)
		return;
	html_fmt(b, "<nav class=\"pagination\" aria-label=\"%s\"><p class=\"actions\">",
		 web_t(req, "events.pagination.label"));
	if (page > 1) {
		HTML("<a rel=\"prev\"");
		html_href(b, query_url(req, path, q, true, arena_printf(req->arena, "page=%d", page - 1)));
		html_fmt(b, ">%s</a>", web_t(req, "events.pagination.prev"));
	}
	html_fmt(b, "<span>%s %d / %d</span>", web_t(req, "events.pagination.page"), page, pages);
	if (page < pages) {
		HTML("<a rel=\"next\"");
		html_href(b, query_url(req, path, q, true, arena_printf(req->arena, "page=%d", page + 1)));
		html_fmt(b, ">%s</a>", web_t(req, "events.pagination.next"));
	}
	HTML("</p></nav>");
}

static void agenda_head(struct buf *h, struct request *req, const struct events_query *q)
{
	link_alternate(h, "text/calendar", web_t(req, "events.feeds.ical"),
		       query_url(req, "/agenda.ics", q, false, NULL));
	link_alternate(h, "application/atom+xml", web_t(req, "events.feeds.atom"), "/agenda.atom");
}

/* ---- the agenda ------------------------------------------------------------------------------ */

/* What the agenda found: the same for every visitor of a language and a
 * query, so the page may keep it a few seconds (web/fragments.h). */
void view_events_agenda_results(struct buf *b, struct request *req, const struct events_agenda_view *v)
{
	bool past = v->mode == AGENDA_PAST;
	const char *path = past ? "/evenements/passes" : "/evenements";
	html_fmt(b, "<section aria-labelledby=\"h-results\"><h2 id=\"h-results\" class=\"visually-hidden\">%s</h2>",
		 web_t(req, "events.agenda.results_title"));
	html_fmt(b, "<p role=\"status\">%s <strong>%lld</strong></p>", web_t(req, "events.agenda.results"),
		 (long long)v->total);
	HTML("</section>");
	if (v->n == 0) {
		html_fmt(b, "<div class=\"empty\"><p>%s</p><p><a", web_t(req, past ? "events.agenda.empty_past"
										: "events.agenda.empty"));
		html_href(b, path);
		html_fmt(b, ">%s</a></p></div>", web_t(req, "events.filter.reset"));
	} else {
		day_grouped_list(b, req, v->items, v->n);
	}
	pagination(b, req, path, v->query, v->page, v->pages);
}

void view_events_agenda(struct buf *b, struct request *req, const struct events_agenda_view *v)
{
	bool past = v->mode == AGENDA_PAST;
	const char *title = web_t(req, past ? "events.agenda.past_title" : "events.agenda.title");
	const char *path = past ? "/evenements/passes" : "/evenements";
	struct buf head = BUF_INIT;
	agenda_head(&head, req, v->query);
	layout_start_head(b, req, title, &head);
	buf_free(&head);
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", title,
		 web_t(req, past ? "events.agenda.past_lead" : "events.agenda.lead"));
	if (!past)
		view_tabs(b, req, "list", v->query);
	filters_form(b, req, path, v->query, v->fe, v->communes, v->ncommunes, !past, NULL, NULL);
	html_safe(b, v->results);
	HTML("<p class=\"actions\"><a");
	html_href(b, past ? "/evenements" : "/evenements/passes");
	html_fmt(b, ">%s</a></p>", web_t(req, past ? "events.agenda.upcoming_link"
						   : "events.agenda.past_link"));
	feed_links(b, req, v->query);
	view_layout_end(b, req);
}

/* ---- the month calendar --------------------------------------------------------------------- */

void view_events_calendar(struct buf *b, struct request *req, const struct events_calendar_view *v)
{
	struct arena *a = req->arena;
	const char *lang = web_of(req)->lang;
	const char *month_name = arena_printf(a, "%s %d",
					      web_t(req, arena_printf(a, "events.month.%d", v->month)),
					      v->year);
	const char *title = arena_printf(a, "%s · %s", web_t(req, "events.calendar.title"), month_name);
	struct buf head = BUF_INIT;
	agenda_head(&head, req, v->query);
	layout_start_head(b, req, title, &head);
	buf_free(&head);
	html_fmt(b, "<h1>%s</h1>", web_t(req, "events.calendar.title"));
	view_tabs(b, req, "calendar", v->query);
	filters_form(b, req, "/evenements/calendrier", v->query, NULL, v->communes, v->ncommunes,
		     false, "month", arena_printf(a, "%04d-%02d", v->year, v->month));

	int py = v->year, pm = v->month - 1, ny = v->year, nm = v->month + 1;
	if (pm == 0)
		pm = 12, py--;
	if (nm == 13)
		nm = 1, ny++;
	html_fmt(b, "<nav class=\"month-nav\" aria-label=\"%s\"><p class=\"actions\"><a rel=\"prev\"",
		 web_t(req, "events.calendar.nav"));
	html_href(b, query_url(req, "/evenements/calendrier", v->query, false,
			       arena_printf(a, "month=%04d-%02d", py, pm)));
	html_fmt(b, ">%s</a><a", web_t(req, "events.calendar.prev"));
	html_href(b, query_url(req, "/evenements/calendrier", v->query, false, NULL));
	html_fmt(b, ">%s</a><a rel=\"next\"", web_t(req, "events.calendar.this"));
	html_href(b, query_url(req, "/evenements/calendrier", v->query, false,
			       arena_printf(a, "month=%04d-%02d", ny, nm)));
	html_fmt(b, ">%s</a></p></nav>", web_t(req, "events.calendar.next"));

	/* The grid: weeks from Monday; each day lists the events running that day. */
	int y, m, d, wd;
	int64_t now = time_now();
	events_local_date(now, &y, &m, &d, &wd);
	int first_wd;
	{
		int y1, m1, d1;
		events_local_date(events_day_start(v->year, v->month, 1), &y1, &m1, &d1, &first_wd);
	}
	int ndays;
	{
		int y2, m2, d2, w2;
		events_local_date(events_day_start(v->year, v->month + 1, 0), &y2, &m2, &d2, &w2);
		ndays = d2;
	}
	HTML("<div class=\"table-wrap calendar-wrap\" tabindex=\"0\" role=\"region\"");
	html_attr(b, "aria-label", month_name);
	html_fmt(b, "><table class=\"calendar\"><caption>%s</caption><thead><tr>", month_name);
	for (int k = 1; k <= 7; k++)
		html_fmt(b, "<th scope=\"col\"><abbr title=\"%s\">%s</abbr></th>",
			 web_t(req, arena_printf(a, "events.wday.%d", k)),
			 web_t(req, arena_printf(a, "events.wday_short.%d", k)));
	HTML("</tr></thead><tbody>");
	int cell = 0;
	for (int day = 1 - (first_wd - 1); day <= ndays || cell % 7; day++, cell++) {
		if (cell % 7 == 0)
			HTML("<tr>");
		if (day < 1 || day > ndays) {
			HTML("<td class=\"outside\"></td>");
		} else {
			int64_t start = events_day_start(v->year, v->month, day);
			int64_t end = events_day_start(v->year, v->month, day + 1);
			bool today = y == v->year && m == v->month && d == day;
			HTML("<td");
			if (today)
				HTML(" class=\"today\" aria-current=\"date\"");
			html_fmt(b, "><span class=\"day-number\">%d</span>", day);
			bool any = false;
			for (int i = 0; i < v->n; i++) {
				const struct event_date *dd = &v->items[i].dates[0];
				if (dd->starts_at >= end || (dd->ends_at <= start && dd->starts_at < start))
					continue;
				/* An evening that ends in the small hours belongs to the day it began. */
				if (dd->starts_at < start && dd->ends_at <= start + 6 * 3600 &&
				    dd->ends_at - dd->starts_at < 86400)
					continue;
				if (!any)
					HTML("<ul>");
				any = true;
				struct tm tm;
				time_t t = (time_t)dd->starts_at;
				localtime_r(&t, &tm);
				HTML("<li><a");
				html_href(b, event_path(req, &v->items[i], ""));
				if (is_cancelled(&v->items[i], dd))
					HTML(" class=\"is-cancelled\"");
				/* A date that began before this day shows no start time here. */
				html_fmt(b, ">%s%s%s", dd->starts_at >= start ? hm(a, lang, &tm) : "",
					 dd->starts_at >= start ? " " : "", v->items[i].title);
				if (is_cancelled(&v->items[i], dd))
					html_fmt(b, " (%s)", web_t(req, "events.status.cancelled"));
				HTML("</a></li>");
			}
			if (any)
				HTML("</ul>");
			HTML("</td>");
		}
		if (cell % 7 == 6)
			HTML("</tr>");
	}
	HTML("</tbody></table></div>");

	/* The same month as a list: what phones and screen readers read best. */
	html_fmt(b, "<section class=\"calendar-list\" aria-labelledby=\"h-month-list\"><h2 id=\"h-month-list\">%s</h2>",
		 web_t(req, "events.calendar.list_title"));
	if (v->n == 0) {
		html_fmt(b, "<div class=\"empty\"><p>%s</p></div>", web_t(req, "events.calendar.empty"));
	} else {
		HTML("<ul class=\"plain-list\">");
		for (int i = 0; i < v->n; i++) {
			const struct event *ev = &v->items[i];
			const struct event_date *dd = &ev->dates[0];
			HTML("<li><a");
			html_href(b, event_path(req, ev, ""));
			html_fmt(b, ">%s</a> — <time", ev->title);
			html_attr(b, "datetime", iso_local(a, dd->starts_at));
			html_fmt(b, ">%s</time>", view_events_when(a, lang, dd->starts_at, dd->ends_at));
			status_badges(b, req, ev, dd);
			HTML("</li>");
		}
		HTML("</ul>");
	}
	HTML("</section>");
	feed_links(b, req, v->query);
	view_layout_end(b, req);
}

/* ---- the map -------------------------------------------------------------------------------------- */

void view_events_map(struct buf *b, struct request *req, const struct events_map_view *v)
{
	const char *title = web_t(req, "events.map.title");
	struct buf head = BUF_INIT;
	agenda_head(&head, req, v->query);
	bool map = v->tiles && *v->tiles;
	if (map) {
		struct buf *h = &head;
		HTML_TO(h, "<link rel=\"stylesheet\"");
		html_attr(h, "href", static_url("vendor/leaflet/leaflet.css"));
		HTML_TO(h, ">");
	}
	layout_start_head(b, req, title, &head);
	buf_free(&head);
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", title, web_t(req, "events.map.lead"));
	view_tabs(b, req, "map", v->query);
	filters_form(b, req, "/evenements/carte", v->query, v->fe, v->communes, v->ncommunes, true,
		     NULL, NULL);
	if (map) {
		/* Hidden until the script shows it: without JavaScript the list below is the page. */
		html_fmt(b, "<div id=\"agenda-map\" class=\"agenda-map\" hidden role=\"region\" aria-label=\"%s\"",
			 web_t(req, "events.map.label"));
		html_attr(b, "data-tiles", v->tiles);
		html_attr(b, "data-attribution", v->attribution ? v->attribution : "");
		html_attr(b, "data-failed", web_t(req, "events.map.tiles_failed"));
		HTML("></div><p id=\"agenda-map-status\" class=\"map-status\" role=\"status\"></p>");
		html_fmt(b, "<noscript><p class=\"hint\">%s</p></noscript>", web_t(req, "events.map.no_js"));
	}
	html_fmt(b, "<section aria-labelledby=\"h-map-list\"><h2 id=\"h-map-list\">%s</h2>",
		 web_t(req, "events.map.list_title"));
	html_fmt(b, "<p role=\"status\">%s <strong>%lld</strong></p>", web_t(req, "events.agenda.results"),
		 (long long)v->total);
	if (v->n == 0) {
		html_fmt(b, "<div class=\"empty\"><p>%s</p></div>", web_t(req, "events.agenda.empty"));
	} else {
		HTML("<ul class=\"card-list event-list\" id=\"agenda-map-list\">");
		for (int i = 0; i < v->n; i++)
			event_card(b, req, &v->items[i], 3, true);
		HTML("</ul>");
	}
	HTML("</section>");
	feed_links(b, req, v->query);
	if (map) {
		HTML("<script");
		html_attr(b, "src", static_url("vendor/leaflet/leaflet.js"));
		HTML("></script><script");
		html_attr(b, "src", static_url("js/agenda-map.js"));
		HTML("></script>");
	}
	view_layout_end(b, req);
}

/* ---- an event's page ---------------------------------------------------------------------------- */

static const char *osm_link(struct request *req, const struct event *ev)
{
	struct arena *a = req->arena;
	int64_t la = ev->lat_e6 < 0 ? -ev->lat_e6 : ev->lat_e6, lo = ev->lon_e6 < 0 ? -ev->lon_e6 : ev->lon_e6;
	const char *lat = arena_printf(a, "%s%lld.%06lld", ev->lat_e6 < 0 ? "-" : "",
				       (long long)(la / 1000000), (long long)(la % 1000000));
	const char *lon = arena_printf(a, "%s%lld.%06lld", ev->lon_e6 < 0 ? "-" : "",
				       (long long)(lo / 1000000), (long long)(lo % 1000000));
	return arena_printf(a, "https://www.openstreetmap.org/?mlat=%s&mlon=%s#map=17/%s/%s", lat, lon,
			    lat, lon);
}

void view_events_show(struct buf *b, struct request *req, const struct events_show_view *v)
{
	const struct event *ev = v->ev;
	struct arena *a = req->arena;
	const char *lang = web_of(req)->lang;
	struct buf head = BUF_INIT;
	event_head(&head, req, v);
	layout_start_head(b, req, ev->title, &head);
	buf_free(&head);

	html_fmt(b, "<article class=\"event-page%s\" aria-labelledby=\"h-event\">",
		 is_cancelled(ev, NULL) ? " is-cancelled" : "");
	const char *img = view_events_image_url(req, ev);
	if (img) {
		HTML("<img class=\"event-image\"");
		html_attr(b, "src", img);
		HTML(" alt=\"\">");
	}
	html_fmt(b, "<h1 id=\"h-event\">%s</h1><p class=\"meta\">", ev->title);
	html_fmt(b, "<span class=\"badge badge-category\">%s</span>", cat_label(req, ev->category));
	status_badges(b, req, ev, NULL);
	entry_badge(b, req, ev, NULL);
	HTML("</p>");
	if (strcmp(ev->status, "cancelled") == 0)
		html_fmt(b, "<div class=\"flash flash-error\" role=\"status\"><p>%s</p></div>",
			 web_t(req, "events.show.cancelled_notice"));
	else if (strcmp(ev->status, "postponed") == 0)
		html_fmt(b, "<div class=\"flash flash-info\" role=\"status\"><p>%s</p></div>",
			 web_t(req, "events.show.postponed_notice"));
	else if (strcmp(ev->status, "draft") == 0)
		html_fmt(b, "<div class=\"flash flash-info\" role=\"status\"><p>%s</p></div>",
			 web_t(req, "events.show.draft_notice"));
	if (*ev->summary)
		html_fmt(b, "<p class=\"lead\">%s</p>", ev->summary);
	html_fmt(b, "<p>%s <a", web_t(req, "events.show.organiser"));
	html_href(b, arena_printf(a, "/organisations/%s", url_arg(a, ev->org_slug)));
	html_fmt(b, ">%s</a></p>", ev->org_name);

	if (v->can_edit) {
		html_fmt(b, "<section class=\"card\" aria-labelledby=\"h-manage\"><h2 id=\"h-manage\">%s</h2><p class=\"actions\"><a class=\"button\"",
			 web_t(req, "events.show.manage"));
		html_href(b, event_path(req, ev, "/modifier"));
		html_fmt(b, ">%s</a><a class=\"button secondary\"", web_t(req, "events.show.edit"));
		if (ev->is_ticketed) {   /* ticket setup pages */
			html_href(b, event_path(req, ev, "/billetterie"));
			html_fmt(b, ">%s</a><a class=\"button secondary\"", web_t(req, "events.show.ticketing"));
		}
		html_href(b, arena_printf(a, "/organisations/%s/evenements", url_arg(a, ev->org_slug)));
		html_fmt(b, ">%s</a></p></section>", web_t(req, "events.org.all"));
	}

	/* Dates: upcoming first, then the past ones (a series keeps its history). */
	html_fmt(b, "<section aria-labelledby=\"h-when\"><h2 id=\"h-when\">%s</h2>",
		 web_t(req, ev->ndates > 1 ? "events.show.dates" : "events.show.when"));
	for (int pass = 0; pass < 2; pass++) {
		bool any = false;
		for (int i = 0; i < ev->ndates; i++) {
			const struct event_date *d = &ev->dates[i];
			bool past = d->ends_at <= v->now;
			if (past != (pass == 1))
				continue;
			if (!any) {
				if (pass == 1)
					html_fmt(b, "<h3>%s</h3>", web_t(req, "events.show.dates_past"));
				HTML("<ul class=\"dates\">");
			}
			any = true;
			html_fmt(b, "<li%s><time", d->cancelled ? " class=\"is-cancelled\"" : "");
			html_attr(b, "datetime", iso_local(a, d->starts_at));
			html_fmt(b, ">%s</time>", view_events_when(a, lang, d->starts_at, d->ends_at));
			if (d->cancelled)
				html_fmt(b, " <span class=\"badge badge-cancelled\">%s</span>",
					 web_t(req, "events.date.cancelled"));
			else if (ev->is_ticketed && !past && d->tickets_left == 0)
				html_fmt(b, " <span class=\"badge badge-sold-out\">%s</span>",
					 web_t(req, "events.sold_out"));
			else if (ev->is_ticketed && !past && d->tickets_left > 0)
				html_fmt(b, " <span class=\"muted\">%s %lld</span>",
					 web_t(req, "events.show.tickets_left"), (long long)d->tickets_left);
			HTML("</li>");
		}
		if (any)
			HTML("</ul>");
	}
	html_fmt(b, "<p><a class=\"button secondary\" download");
	html_href(b, event_path(req, ev, "/calendrier.ics"));
	html_fmt(b, ">%s</a></p></section>", web_t(req, "events.show.add_calendar"));

	const char *place = view_events_place_line(a, ev);
	if (*place || ev->has_geo) {
		html_fmt(b, "<section aria-labelledby=\"h-where\"><h2 id=\"h-where\">%s</h2>",
			 web_t(req, "events.show.where"));
		if (*place)
			html_fmt(b, "<p class=\"place\">%s</p>", place);
		if (ev->has_geo) {
			HTML("<p><a rel=\"noopener\"");
			html_href(b, osm_link(req, ev));
			html_fmt(b, ">%s</a></p>", web_t(req, "events.show.map_link"));
		}
		HTML("</section>");
	}

	html_fmt(b, "<section aria-labelledby=\"h-entry\"><h2 id=\"h-entry\">%s</h2><p>%s</p>",
		 web_t(req, "events.show.entry"),
		 web_t(req, ev->is_ticketed ? "events.show.ticketed" : "events.show.free"));
	if (ev->capacity > 0)
		html_fmt(b, "<p>%s %lld</p>", web_t(req, "events.show.capacity"), (long long)ev->capacity);
	HTML("</section>");
	/* The ticket form is ticketing's (a section with its own h2). */
	if (v->checkout)
		view_orders_checkout_form(b, req, v->checkout);

	html_fmt(b, "<section aria-labelledby=\"h-access\"><h2 id=\"h-access\">%s</h2>",
		 web_t(req, "events.show.accessibility"));
	bool any_access = false;
	for (const char *const *f = events_access_flags(); *f; f++) {
		if (!events_has_access(ev->accessibility, *f))
			continue;
		if (!any_access)
			HTML("<ul class=\"access-list\">");
		any_access = true;
		html_fmt(b, "<li>%s</li>", label_of(req, "events.access.", *f));
	}
	if (any_access)
		HTML("</ul>");
	if (*ev->access_notes)
		html_safe(b, html_from_text(a, ev->access_notes));
	if (!any_access && !*ev->access_notes)
		html_fmt(b, "<p class=\"muted\">%s</p>", web_t(req, "events.show.no_access_info"));
	HTML("</section>");

	if (*ev->description) {
		html_fmt(b, "<section aria-labelledby=\"h-about\"><h2 id=\"h-about\">%s</h2>",
			 web_t(req, "events.show.about"));
		html_safe(b, html_stored_markdown(req->arena, ev->description_html, ev->description));
		HTML("</section>");
	}
	if (v->slot_tools.p)
		html_safe(b, v->slot_tools);
	if (v->slot_sponsors.p)
		html_safe(b, v->slot_sponsors);
	if (v->slot_comments.p)
		html_safe(b, v->slot_comments);
	if (ev->hidden_at)
		html_fmt(b, "<p class=\"flash flash-info\" role=\"status\">%s</p>",
			 web_t(req, "moderation.state.hidden_notice"));
	else if (strcmp(ev->status, "draft") != 0) {
		HTML("<p class=\"report-link\"><a");
		html_href(b, arena_printf(req->arena, "/signaler?type=event&id=%lld", (long long)ev->id));
		html_fmt(b, " rel=\"nofollow\">%s</a></p>", web_t(req, "moderation.report.link_event"));
	}
	HTML("</article>");
	view_layout_end(b, req);
}

/* ---- the form ---------------------------------------------------------------------------------------- */

static const char *const form_labels_static[] = {
	"title", "events.field.title", "summary", "events.field.summary",
	"description", "events.field.description", "category", "events.field.category",
	"status", "events.field.status", "commune", "events.field.commune",
	"venue_name", "events.field.venue_name", "venue_address", "events.field.venue_address",
	"latitude", "events.field.latitude", "longitude", "events.field.longitude",
	"ticketing", "events.field.ticketing", "capacity", "events.field.capacity",
	"accessibility", "events.form.access", "access_notes", "events.field.access_notes",
	"dates", "events.form.dates", "repeat", "events.field.repeat",
	"repeat_until", "events.field.repeat_until", "image", "events.field.image", NULL
};

static const char *const repeat_values[] = { "weekly", "biweekly", "monthly", NULL };
static const char *const ticketing_values[] = { "free", "ticketed", NULL };

static void date_row(struct form_ctx *fc, struct request *req, int i,
		     const struct event_date_input *d, bool first)
{
	struct buf *b = fc->b;
	struct arena *a = req->arena;
	html_fmt(b, "<fieldset class=\"date-row\"><legend>%s %d</legend>", web_t(req, "events.form.date_n"),
		 i + 1);
	if (d && d->id) {
		HTML("<input type=\"hidden\"");
		html_attr(b, "name", arena_printf(a, "date_id_%d", i));
		html_attr(b, "value", arena_printf(a, "%lld", (long long)d->id));
		HTML(">");
	}
	HTML("<div class=\"field-pair\">");
	struct field_spec sd = { arena_printf(a, "start_date_%d", i), "events.field.start_date", "date",
				 d ? d->start_date : NULL, first ? "events.field.date_hint" : NULL,
				 NULL, first, 10 };
	form_field(fc, &sd);
	struct field_spec st = { arena_printf(a, "start_time_%d", i), "events.field.start_time", "time",
				 d ? d->start_time : NULL, NULL, NULL, first, 5 };
	form_field(fc, &st);
	HTML("</div><div class=\"field-pair\">");
	struct field_spec ed = { arena_printf(a, "end_date_%d", i), "events.field.end_date", "date",
				 d ? d->end_date : NULL, first ? "events.field.end_date_hint" : NULL,
				 NULL, false, 10 };
	form_field(fc, &ed);
	struct field_spec et = { arena_printf(a, "end_time_%d", i), "events.field.end_time", "time",
				 d ? d->end_time : NULL, NULL, NULL, false, 5 };
	form_field(fc, &et);
	HTML("</div>");
	if (d && d->id) {
		checkbox(b, req, arena_printf(a, "cancel_%d", i), "events.field.cancel_date", d->cancelled,
			 NULL);
		checkbox(b, req, arena_printf(a, "remove_%d", i), "events.field.remove_date", d->remove,
			 "events.field.remove_date_hint");
	}
	HTML("</fieldset>");
}

void view_events_form(struct buf *b, struct request *req, const struct events_form_view *v)
{
	struct arena *a = req->arena;
	const struct event_input *in = v->values;
	const char *title = v->ev ? web_t(req, "events.edit.title") : web_t(req, "events.new.title");
	const char *who = v->ev ? v->ev->org_name : v->org->name;
	view_layout_start(b, req, arena_printf(a, "%s · %s", title, who));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\"><a", title);
	if (v->ev)
		html_href(b, event_path(req, v->ev, ""));
	else
		html_href(b, arena_printf(a, "/organisations/%s", url_arg(a, v->org->slug)));
	html_fmt(b, ">%s</a></p>", v->ev ? v->ev->title : v->org->name);
	if (!v->ev)
		html_fmt(b, "<p>%s</p>", web_t(req, "events.new.lead"));

	/* Rows: the dates given, then a few empty ones for more. */
	int rows = in->ndates + (in->ndates ? EVENTS_FORM_BLANK_ROWS : 1);
	if (rows > EVENTS_FORM_ROWS_MAX)
		rows = EVENTS_FORM_ROWS_MAX;
	/* Error summary labels: the static fields, and every date row's four. */
	const char **labels = arena_alloc(a, sizeof(*labels) * (size_t)(64 + rows * 8 + 2));
	int k = 0;
	for (int i = 0; form_labels_static[i]; i++)
		labels[k++] = form_labels_static[i];
	static const char *const row_fields[][2] = {
		{ "start_date", "events.field.start_date" }, { "start_time", "events.field.start_time" },
		{ "end_date", "events.field.end_date" }, { "end_time", "events.field.end_time" },
	};
	for (int i = 0; i < rows; i++)
		for (int f = 0; f < 4; f++) {
			labels[k++] = arena_printf(a, "%s_%d", row_fields[f][0], i);
			labels[k++] = row_fields[f][1];
		}
	labels[k] = NULL;

	struct form_ctx fc = { b, req, v->fe };
	form_start(&fc, v->ev ? event_path(req, v->ev, "/modifier")
			      : arena_printf(a, "/organisations/%s/evenements", url_arg(a, v->org->slug)),
		   true);
	form_errors_summary(&fc, labels);

	html_fmt(b, "<fieldset><legend>%s</legend>", web_t(req, "events.form.essentials"));
	struct field_spec t = { "title", "events.field.title", "text", in->title, NULL, "off", true,
				EVENTS_TITLE_MAX };
	form_field(&fc, &t);
	struct field_spec s = { "summary", "events.field.summary", "text", in->summary,
				"events.field.summary_hint", NULL, false, EVENTS_SUMMARY_MAX };
	form_field(&fc, &s);
	struct field_spec c = { "category", "events.field.category", "select", in->category, NULL,
				NULL, true, 0 };
	form_select(&fc, &c, key_options(req, "", "events.category.", events_categories()));
	struct field_spec d = { "description", "events.field.description", "textarea",
				in->description, "events.field.description_hint", NULL, false,
				EVENTS_DESCRIPTION_MAX };
	form_field(&fc, &d);
	struct field_spec st = { "status", "events.field.status", "select", in->status,
				 "events.field.status_hint", NULL, true, 0 };
	form_select(&fc, &st, key_options(req, NULL, "events.status.", events_statuses()));
	HTML("</fieldset>");

	html_fmt(b, "<fieldset><legend>%s</legend><p class=\"hint\">%s</p>", web_t(req, "events.form.dates"),
		 web_t(req, "events.form.dates_hint"));
	const char *dates_err = field_error_get(v->fe, "dates");
	if (dates_err)
		html_fmt(b, "<p class=\"field-error\" id=\"f-dates\" tabindex=\"-1\">%s</p>", web_t(req, dates_err));
	form_hidden(&fc, "rows", arena_printf(a, "%d", rows));
	for (int i = 0; i < rows; i++)
		date_row(&fc, req, i, i < in->ndates ? &in->dates[i] : NULL, i == 0);
	struct field_spec rp = { "repeat", "events.field.repeat", "select", in->repeat,
				 "events.field.repeat_hint", NULL, false, 0 };
	form_select(&fc, &rp, key_options(req, "events.repeat.none", "events.repeat.", repeat_values));
	struct field_spec ru = { "repeat_until", "events.field.repeat_until", "date", in->repeat_until,
				 NULL, NULL, false, 10 };
	form_field(&fc, &ru);
	HTML("</fieldset>");

	html_fmt(b, "<fieldset><legend>%s</legend>", web_t(req, "events.form.place"));
	struct field_spec vn = { "venue_name", "events.field.venue_name", "text", in->venue_name, NULL,
				 NULL, false, EVENTS_LINE_MAX };
	form_field(&fc, &vn);
	struct field_spec va = { "venue_address", "events.field.venue_address", "text",
				 in->venue_address, NULL, "street-address", false, EVENTS_LINE_MAX };
	form_field(&fc, &va);
	struct field_spec cm = { "commune", "events.field.commune", "select", in->commune, NULL, NULL,
				 false, 0, true };
	form_select(&fc, &cm, commune_options(req, v->communes, v->ncommunes, "—"));
	HTML("<div class=\"field-pair\">");
	struct field_spec la = { "latitude", "events.field.latitude", "text", in->latitude,
				 "events.field.geo_hint", NULL, false, 20 };
	form_field(&fc, &la);
	struct field_spec lo = { "longitude", "events.field.longitude", "text", in->longitude, NULL,
				 NULL, false, 20 };
	form_field(&fc, &lo);
	HTML("</div></fieldset>");

	html_fmt(b, "<fieldset><legend>%s</legend>", web_t(req, "events.form.entry"));
	struct field_spec tk = { "ticketing", "events.field.ticketing", "select", in->ticketing,
				 "events.field.ticketing_hint", NULL, true, 0 };
	form_select(&fc, &tk, key_options(req, NULL, "events.ticketing.", ticketing_values));
	struct field_spec cp = { "capacity", "events.field.capacity", "number", in->capacity,
				 "events.field.capacity_hint", NULL, false, 7 };
	form_field(&fc, &cp);
	HTML("</fieldset>");

	html_fmt(b, "<fieldset><legend>%s</legend>", web_t(req, "events.form.access"));
	const char *aerr = field_error_get(v->fe, "accessibility");
	if (aerr)
		html_fmt(b, "<p class=\"field-error\" id=\"f-accessibility\" tabindex=\"-1\">%s</p>", web_t(req, aerr));
	for (const char *const *f = events_access_flags(); *f; f++)
		checkbox(b, req, arena_printf(a, "access_%s", *f),
			 arena_printf(a, "events.access.%s", *f),
			 events_has_access(in->accessibility, *f), NULL);
	struct field_spec an = { "access_notes", "events.field.access_notes", "textarea",
				 in->access_notes, "events.field.access_notes_hint", NULL, false,
				 EVENTS_NOTES_MAX };
	form_field(&fc, &an);
	HTML("</fieldset>");

	html_fmt(b, "<fieldset><legend>%s</legend>", web_t(req, "events.form.image"));
	if (v->ev && *v->ev->image_sha256) {
		HTML("<figure><img");
		html_attr(b, "src", view_events_image_url(req, v->ev));
		html_fmt(b, " alt=\"\" width=\"240\"><figcaption>%s</figcaption></figure>",
			 web_t(req, "events.field.image_current"));
		checkbox(b, req, "remove_image", "events.field.remove_image", in->remove_image, NULL);
	}
	struct field_spec im = { "image", "events.field.image", "file", NULL, "events.field.image_hint",
				 NULL, false, 0 };
	form_field(&fc, &im);
	HTML("</fieldset>");
	form_end(&fc, v->ev ? "common.save" : "events.new.submit");
	view_layout_end(b, req);
}

/* ---- an organisation's events --------------------------------------------------------------------- */

static void org_event_list(struct buf *b, struct request *req, const struct event *items, int n,
			   int level)
{
	HTML("<ul class=\"card-list event-list\">");
	for (int i = 0; i < n; i++)
		event_card(b, req, &items[i], level, true);
	HTML("</ul>");
}

void view_events_org(struct buf *b, struct request *req, const struct events_org_view *v)
{
	struct arena *a = req->arena;
	const struct org *o = v->org;
	const char *title = arena_printf(a, "%s · %s", web_t(req, "events.org.title"), o->name);
	struct buf head = BUF_INIT;
	link_alternate(&head, "text/calendar", web_t(req, "events.feeds.ical"),
		       arena_printf(a, "/organisations/%s/agenda.ics", url_arg(a, o->slug)));
	layout_start_head(b, req, title, &head);
	buf_free(&head);
	html_fmt(b, "<h1>%s</h1><p class=\"lead\"><a", web_t(req, "events.org.title"));
	html_href(b, arena_printf(a, "/organisations/%s", url_arg(a, o->slug)));
	html_fmt(b, ">%s</a></p>", o->name);
	if (v->can_publish) {
		HTML("<p><a class=\"button\"");
		html_href(b, arena_printf(a, "/organisations/%s/evenements/nouveau", url_arg(a, o->slug)));
		html_fmt(b, ">%s</a></p>", web_t(req, "events.org.publish"));
	}
	html_fmt(b, "<section aria-labelledby=\"h-up\"><h2 id=\"h-up\">%s</h2>", web_t(req, "events.org.upcoming"));
	if (v->nupcoming)
		org_event_list(b, req, v->upcoming, v->nupcoming, 3);
	else
		html_fmt(b, "<p class=\"empty\">%s</p>", web_t(req, "events.org.none_upcoming"));
	HTML("</section>");
	html_fmt(b, "<section aria-labelledby=\"h-past\"><h2 id=\"h-past\">%s</h2>", web_t(req, "events.org.past"));
	if (v->npast)
		org_event_list(b, req, v->past, v->npast, 3);
	else
		html_fmt(b, "<p class=\"muted\">%s</p>", web_t(req, "events.org.none_past"));
	HTML("</section><p><a");
	html_href(b, arena_printf(a, "/organisations/%s/agenda.ics", url_arg(a, o->slug)));
	html_fmt(b, ">%s</a></p>", web_t(req, "events.org.feed"));
	view_layout_end(b, req);
}

void view_events_upcoming_block(struct buf *b, struct request *req, const char *org_slug,
				const struct event *items, int n, bool can_publish)
{
	struct arena *a = req->arena;
	const char *base = arena_printf(a, "/organisations/%s", url_arg(a, org_slug));
	html_fmt(b, "<section class=\"org-events\" aria-labelledby=\"h-events\"><h2 id=\"h-events\">%s</h2>",
		 web_t(req, "events.org.block_title"));
	if (n == 0)
		html_fmt(b, "<p>%s</p>", web_t(req, "events.org.none_upcoming"));
	else
		org_event_list(b, req, items, n, 3);
	HTML("<p class=\"actions\"><a");
	html_href(b, arena_printf(a, "%s/evenements", base));
	html_fmt(b, ">%s</a>", web_t(req, "events.org.all"));
	if (can_publish) {
		HTML("<a class=\"button\"");
		html_href(b, arena_printf(a, "%s/evenements/nouveau", base));
		html_fmt(b, ">%s</a>", web_t(req, "events.org.publish"));
	}
	HTML("</p></section>");
}

/* ---- "my tickets" feed ------------------------------------------------------------------------------ */

void view_events_my_feed(struct buf *b, struct request *req, const struct events_my_feed_view *v)
{
	struct arena *a = req->arena;
	const char *title = web_t(req, "events.myfeed.title");
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", title, web_t(req, "events.myfeed.lead"));
	if (v->new_url) {
		html_fmt(b, "<div class=\"flash flash-success\" role=\"status\"><p>%s</p></div>",
			 web_t(req, "events.myfeed.new"));
		html_fmt(b, "<div class=\"field\"><label for=\"feed-url\">%s</label>"
			    "<input id=\"feed-url\" type=\"text\" readonly aria-describedby=\"feed-url-hint\"",
			 web_t(req, "events.myfeed.url_label"));
		html_attr(b, "value", v->new_url);
		html_fmt(b, "><p class=\"hint\" id=\"feed-url-hint\">%s</p></div>",
			 web_t(req, "events.myfeed.private_hint"));
	} else if (v->created) {
		html_fmt(b, "<p>%s %s</p>", web_t(req, "events.myfeed.since"),
			 time_format_long(a, v->created, web_of(req)->lang));
	} else {
		html_fmt(b, "<p>%s</p>", web_t(req, "events.myfeed.none"));
	}
	HTML("<div class=\"actions\">");
	form_button(b, req, "/agenda/mes-billets", v->created || v->new_url ? "events.myfeed.reset"
									    : "events.myfeed.create",
		    NULL);
	if (v->created || v->new_url)
		form_button(b, req, "/agenda/mes-billets/supprimer", "events.myfeed.revoke", "secondary");
	HTML("</div>");
	view_layout_end(b, req);
}
