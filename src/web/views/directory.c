/* directory.c (views): opening hours, place and links on an organisation's page, the contact forms, and their edit pages */
#include "web/views/directory.h"
#include "base/str.h"
#include <string.h>

static const char *org_path(struct request *req, const struct org *o, const char *tail)
{
	return arena_printf(req->arena, "/organisations/%s%s", url_arg(req->arena, o->slug), tail);
}

static const char *const day_keys[8] = { "", "directory.day.1", "directory.day.2",
					  "directory.day.3", "directory.day.4", "directory.day.5",
					  "directory.day.6", "directory.day.7" };

static const char *day_name(struct request *req, int weekday)
{
	return web_t(req, day_keys[weekday >= 1 && weekday <= 7 ? weekday : 1]);
}

/* Writes "9 h", "9 h 30" in French, "9:30" in English; 1440 is "24 h" / "24:00"
 * (the end of a range) unless midnight is meant (wrap). Straight into b: the
 * page is the most viewed one. */
static void clock(struct buf *b, struct request *req, int min, bool wrap)
{
	int h = min / 60, m = min % 60;
	if (wrap)
		h %= 24;
	if (web_of(req)->lang[0] == 'e')
		html_fmt(b, "%d:%s%d", h, m < 10 ? "0" : "", m);
	else if (m)
		html_fmt(b, "%d h %s%d", h, m < 10 ? "0" : "", m);
	else
		html_fmt(b, "%d h", h);
}

/* ---- maps ------------------------------------------------------------------------------------ */

void view_directory_map_head(struct buf *b)
{
	HTML("<link rel=\"stylesheet\"");
	html_attr(b, "href", static_url("vendor/leaflet/leaflet.css"));
	HTML(">");
}

void view_directory_map_scripts(struct buf *b)
{
	HTML("<script");
	html_attr(b, "src", static_url("vendor/leaflet/leaflet.js"));
	HTML("></script><script");
	html_attr(b, "src", static_url("js/directory-map.js"));
	HTML("></script>");
}

void view_directory_map_box(struct buf *b, struct request *req, const struct directory_tiles *t,
			    const char *list_id, const char *label_key)
{
	/* Hidden until the script shows it: without JavaScript the list is the content. */
	html_fmt(b, "<div id=\"directory-map\" class=\"directory-map\" hidden role=\"region\" aria-label=\"%s\"",
		 web_t(req, label_key));
	html_attr(b, "data-tiles", t->tiles);
	html_attr(b, "data-attribution", t->attribution ? t->attribution : "");
	html_attr(b, "data-failed", web_t(req, "events.map.tiles_failed"));
	html_attr(b, "data-list", list_id);
	HTML("></div><p id=\"directory-map-status\" class=\"map-status\" role=\"status\"></p>");
}

/* ---- an organisation's page ---------------------------------------------------------------------- */

static void open_state(struct buf *b, struct request *req, const struct hours_state *s)
{
	if (s->open) {
		const char *when = s->closes_in_days == 0 ? web_t(req, "directory.closes_at")
			: s->closes_in_days == 1 ? web_t(req, "directory.closes_tomorrow_at")
						 : web_t(req, "directory.closes_later_at");
		html_fmt(b, "<p class=\"open-state is-open\"><strong>%s</strong> · %s ",
			 web_t(req, "directory.open_now"), when);
		clock(b, req, s->closes_min, true);
		HTML("</p>");
		return;
	}
	html_fmt(b, "<p class=\"open-state is-closed\"><strong>%s</strong>", web_t(req, "directory.closed_now"));
	if (s->opens_later) {
		if (s->opens_in_days == 0)
			html_fmt(b, " · %s ", web_t(req, "directory.opens_at"));
		else if (s->opens_in_days == 1)
			html_fmt(b, " · %s ", web_t(req, "directory.opens_tomorrow_at"));
		else
			html_fmt(b, " · %s %s %s ", web_t(req, "directory.opens_on"),
				 day_name(req, s->opens_weekday), web_t(req, "directory.at"));
		clock(b, req, s->opens_min, false);
	}
	HTML("</p>");
}

static void hours_table(struct buf *b, struct request *req, const struct org_hours *h)
{
	html_fmt(b, "<table class=\"hours\"><caption class=\"visually-hidden\">%s</caption><tbody>",
		 web_t(req, "directory.hours_title"));
	for (int d = 1; d <= 7; d++) {
		html_fmt(b, "<tr><th scope=\"row\">%s</th><td>", day_name(req, d));
		int k = 0;
		for (int i = 0; i < h->n; i++) {
			const struct hours_range *r = &h->ranges[i];
			if (r->weekday != d)
				continue;
			if (k++)
				HTML(", ");
			clock(b, req, r->opens_min, false);
			HTML(" – ");
			clock(b, req, r->closes_min, false);
		}
		if (!k)
			html_fmt(b, "<span class=\"muted\">%s</span>", web_t(req, "directory.closed"));
		HTML("</td></tr>");
	}
	HTML("</tbody></table>");
}

void view_directory_org_section(struct buf *b, struct request *req, const struct directory_org_view *v)
{
	const struct org *o = v->org;
	struct arena *a = req->arena;
	if (v->hours->n || *v->hours->note) {
		html_fmt(b, "<section class=\"org-hours\" aria-labelledby=\"h-hours\"><h2 id=\"h-hours\">%s</h2>",
			 web_t(req, "directory.hours_title"));
		if (v->hours->n) {
			open_state(b, req, &v->state);
			hours_table(b, req, v->hours);
		}
		if (*v->hours->note)
			html_fmt(b, "<p class=\"hours-note\">%s</p>", v->hours->note);
		HTML("</section>");
	}
	if (o->on_map) {
		const char *lat = orgs_degrees_format(a, o->map_lat_e6), *lon = orgs_degrees_format(a, o->map_lon_e6);
		html_fmt(b, "<section class=\"org-place\" aria-labelledby=\"h-place\"><h2 id=\"h-place\">%s</h2>",
			 web_t(req, "directory.place_title"));
		if (v->map.tiles)
			view_directory_map_head(b);
		HTML("<p id=\"org-place\"");
		html_attr(b, "data-lat", arena_printf(a, "%lld", (long long)o->map_lat_e6));
		html_attr(b, "data-lon", arena_printf(a, "%lld", (long long)o->map_lon_e6));
		html_attr(b, "data-title", o->name);
		html_attr(b, "data-url", org_path(req, o, ""));
		HTML(">");
		if (*o->address)
			html_fmt(b, "%s, ", o->address);
		html_fmt(b, "%s", o->commune_name);
		if (!o->has_position)
			html_fmt(b, " <span class=\"muted\">(%s)</span>", web_t(req, "directory.approximate"));
		HTML("</p><p><a rel=\"nofollow noopener\"");
		html_href(b, arena_printf(a, "https://www.openstreetmap.org/?mlat=%s&mlon=%s#map=%d/%s/%s",
					  lat, lon, o->has_position ? 17 : 14, lat, lon));
		html_fmt(b, ">%s</a></p>", web_t(req, "directory.osm_link"));
		if (v->map.tiles) {
			view_directory_map_box(b, req, &v->map, "org-place", "directory.place_map");
			view_directory_map_scripts(b);
		}
		HTML("</section>");
	}
	if (v->nlinks) {
		html_fmt(b, "<section class=\"org-links\" aria-labelledby=\"h-links\"><h2 id=\"h-links\">%s</h2><ul>",
			 web_t(req, "directory.links_title"));
		for (int i = 0; i < v->nlinks; i++) {
			HTML("<li><a rel=\"nofollow noopener\"");
			html_href(b, v->links[i].url);
			html_fmt(b, ">%s</a></li>", v->links[i].label);
		}
		HTML("</ul></section>");
	}
}

/* ---- contact forms ----------------------------------------------------------------------------- */

void view_directory_contact_form(struct buf *b, struct request *req,
				 const struct directory_contact_view *v)
{
	html_fmt(b, "<section class=\"contact-form card\" id=\"contact\" aria-labelledby=\"h-contact-form\">"
		    "<h2 id=\"h-contact-form\">%s</h2>",
		 web_t(req, v->org ? "directory.contact.title_org" : "directory.contact.title"));
	html_fmt(b, "<p>%s</p>", web_t(req, v->org ? "directory.contact.lead_org" : "directory.contact.lead"));
	if (v->error_key)
		html_fmt(b, "<p class=\"form-errors\" role=\"alert\" id=\"contact-refused\">%s</p>",
			 web_t(req, v->error_key));
	static const char *const labels[] = { "name", "directory.contact.name", "email",
					      "directory.contact.email", "subject",
					      "directory.contact.subject", "message",
					      "directory.contact.message", NULL };
	struct form_ctx fc = { b, req, v->fe, "contact-" };
	form_start(&fc, v->action, false);
	form_errors_summary(&fc, labels);
	struct field_spec name = { "name", "directory.contact.name", "text", v->name, NULL, "name",
				   true, 100 };
	form_field(&fc, &name);
	struct field_spec email = { "email", "directory.contact.email", "email", v->email,
				    "directory.contact.email_hint", "email", true, 254 };
	form_field(&fc, &email);
	struct field_spec subject = { "subject", "directory.contact.subject", "text", v->subject,
				      NULL, "off", true, 150 };
	form_field(&fc, &subject);
	struct field_spec message = { "message", "directory.contact.message", "textarea", v->message,
				      "directory.contact.message_hint", NULL, true, 5000 };
	form_field(&fc, &message);
	/* The trap: off screen, out of the tab order and hidden from screen readers;
	 * people never fill it, form-filling robots do. */
	html_fmt(b, "<div class=\"hp-field\" aria-hidden=\"true\"><label for=\"f-contact-url\">%s</label>"
		    "<input type=\"text\" id=\"f-contact-url\" name=\"url\" value=\"\" tabindex=\"-1\" autocomplete=\"off\"></div>",
		 web_t(req, "directory.contact.honeypot"));
	html_fmt(b, "<p class=\"hint\">%s</p>", web_t(req, "directory.contact.consent"));
	form_end(&fc, "directory.contact.submit");
	HTML("</section>");
}

/* ---- edit pages ---------------------------------------------------------------------------------- */

static void edit_head(struct buf *b, struct request *req, const struct org *o, const char *title_key)
{
	view_layout_start(b, req, arena_printf(req->arena, "%s · %s", web_t(req, title_key), o->name));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\"><a", web_t(req, title_key));
	html_href(b, org_path(req, o, ""));
	html_fmt(b, ">%s</a></p>", o->name);
}

void view_directory_hours_page(struct buf *b, struct request *req, const struct org *o,
			       const char *const days[7], const char *note,
			       const struct field_errors *fe)
{
	struct arena *a = req->arena;
	edit_head(b, req, o, "directory.hours.title");
	html_fmt(b, "<p>%s</p>", web_t(req, "directory.hours.lead"));
	const char *labels[17];
	int k = 0;
	for (int d = 1; d <= 7; d++) {
		labels[k++] = arena_printf(a, "d%d", d);
		labels[k++] = arena_printf(a, "directory.day.%d", d);
	}
	labels[k++] = "note";
	labels[k++] = "directory.hours.note";
	labels[k] = NULL;
	struct form_ctx fc = { b, req, fe, NULL };
	form_start(&fc, org_path(req, o, "/horaires"), false);
	form_errors_summary(&fc, labels);
	html_fmt(b, "<fieldset class=\"stack\"><legend>%s</legend><p class=\"hint\">%s</p>",
		 web_t(req, "directory.hours.week"), web_t(req, "directory.hours.hint"));
	for (int d = 1; d <= 7; d++) {
		struct field_spec day = { labels[2 * (d - 1)], labels[2 * (d - 1) + 1], "text",
					  days[d - 1], NULL, "off", false, HOURS_DAY_TEXT_MAX };
		form_field(&fc, &day);
	}
	HTML("</fieldset>");
	struct field_spec nf = { "note", "directory.hours.note", "text", note,
				 "directory.hours.note_hint", "off", false, HOURS_NOTE_MAX };
	form_field(&fc, &nf);
	form_end(&fc, "common.save");
	view_layout_end(b, req);
}

void view_directory_place_page(struct buf *b, struct request *req, const struct directory_place_view *v)
{
	const struct org *o = v->org;
	struct arena *a = req->arena;
	edit_head(b, req, o, "directory.place.title");

	html_fmt(b, "<section aria-labelledby=\"h-position\"><h2 id=\"h-position\">%s</h2><p>%s</p>",
		 web_t(req, "directory.place.position_title"), web_t(req, "directory.place.position_lead"));
	static const char *const pos_labels[] = { "lat", "directory.place.lat", "lon",
						  "directory.place.lon", NULL };
	struct form_ctx pf = { b, req, v->pos_fe, NULL };
	form_start(&pf, org_path(req, o, "/position"), false);
	form_errors_summary(&pf, pos_labels);
	struct field_spec lat = { "lat", "directory.place.lat", "text", v->lat,
				  "directory.place.lat_hint", "off", false, 12 };
	form_field(&pf, &lat);
	struct field_spec lon = { "lon", "directory.place.lon", "text", v->lon,
				  "directory.place.lon_hint", "off", false, 12 };
	form_field(&pf, &lon);
	form_end(&pf, "directory.place.position_submit");
	HTML("</section>");

	html_fmt(b, "<section aria-labelledby=\"h-links-edit\"><h2 id=\"h-links-edit\">%s</h2><p>%s</p>",
		 web_t(req, "directory.place.links_title"), web_t(req, "directory.place.links_lead"));
	struct form_ctx lf = { b, req, v->links_fe, NULL };
	form_start(&lf, org_path(req, o, "/liens"), false);
	const char *labels[4 * ORGS_LINKS_MAX + 1];
	for (int i = 0; i < ORGS_LINKS_MAX; i++) {
		labels[4 * i] = arena_printf(a, "link_label_%d", i + 1);
		labels[4 * i + 1] = "directory.place.link_label";
		labels[4 * i + 2] = arena_printf(a, "link_url_%d", i + 1);
		labels[4 * i + 3] = "directory.place.link_url";
	}
	labels[4 * ORGS_LINKS_MAX] = NULL;
	form_errors_summary(&lf, labels);
	for (int i = 0; i < ORGS_LINKS_MAX; i++) {
		html_fmt(b, "<fieldset class=\"stack\"><legend>%s %d</legend>",
			 web_t(req, "directory.place.link"), i + 1);
		struct field_spec lab = { labels[4 * i], "directory.place.link_label", "text",
					  v->labels[i], NULL, "off", false, ORGS_LINK_LABEL_MAX };
		form_field(&lf, &lab);
		struct field_spec url = { labels[4 * i + 2], "directory.place.link_url", "url",
					  v->urls[i], NULL, "url", false, ORGS_WEBSITE_MAX };
		form_field(&lf, &url);
		HTML("</fieldset>");
	}
	form_end(&lf, "directory.place.links_submit");
	HTML("</section>");
	view_layout_end(b, req);
}
