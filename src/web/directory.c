/* directory.c: the directory's parts of an organisation's page (hours, map, links, contact form) and the pages that edit them
 *
 * The page sections load through core and render into their own buffer
 * (web/orgs.c fills its slots with them). The edit pages follow the
 * organisation pages: core decides who may change what; after a change they
 * redirect with a flash message. Map tiles come from KIOSQUE_MAP_TILES and
 * KIOSQUE_MAP_ATTRIBUTION, as the agenda's map (web/events.c). */
#include "web/pages.h"
#include "web/views/directory.h"
#include "core/contact.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <stdlib.h>
#include <string.h>

#define MAP_TILES_DEFAULT "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#define MAP_ATTRIBUTION_DEFAULT "© OpenStreetMap contributors"

void web_directory_tiles(const char **out_tiles, const char **out_attribution)
{
	/* Read at each request: the environment does not change once threads run. */
	const char *tiles = getenv("KIOSQUE_MAP_TILES");
	const char *credit = getenv("KIOSQUE_MAP_ATTRIBUTION");
	*out_tiles = !tiles || !*tiles ? MAP_TILES_DEFAULT : strcmp(tiles, "none") == 0 ? NULL : tiles;
	*out_attribution = credit && *credit ? credit : MAP_ATTRIBUTION_DEFAULT;
}

/* ---- sections of an organisation's page ------------------------------------------------------- */

struct safe_html web_directory_org_section(struct request *req, const struct org *o,
					   const struct directory_extras *pre)
{
	struct buf b = BUF_INIT;
	struct directory_extras x = { 0 };
	if (pre && pre->loaded)
		x = *pre;
	else if (orgs_page_extras(web_of(req)->db, req->arena, o->id, &x.hours, &x.links,
				  &x.nlinks) != KQ_OK)
		return html_section_take(req->arena, &b);   /* the page stands without it */
	x.hours.note = o->hours_note;
	struct directory_org_view v = { .org = o, .hours = &x.hours, .links = x.links,
					.nlinks = x.nlinks };
	hours_state_at(&x.hours, time_now(), &v.state);
	web_directory_tiles(&v.map.tiles, &v.map.attribution);
	view_directory_org_section(&b, req, &v);
	return html_section_take(req->arena, &b);
}

struct safe_html web_directory_contact_form(struct request *req, const struct org *o,
					    const struct directory_contact *cf)
{
	struct buf b = BUF_INIT;
	struct directory_contact_view v = { .org = o };
	v.action = o ? arena_printf(req->arena, "/organisations/%s/contact", url_arg(req->arena, o->slug))
		     : "/nous-contacter";
	if (cf) {
		v.name = cf->name;
		v.email = cf->email;
		v.subject = cf->subject;
		v.message = cf->message;
		v.fe = cf->fe;
		v.error_key = cf->error_key;
	} else if (web_of(req)->actor.account_id) {
		v.name = web_of(req)->actor.display_name;
		v.email = web_of(req)->actor.email;
	}
	view_directory_contact_form(&b, req, &v);
	return html_section_take(req->arena, &b);
}

enum kq_err web_directory_contact_send(struct request *req, int64_t org_id,
				       struct directory_contact *out, struct field_errors *fe)
{
	memset(out, 0, sizeof(*out));
	out->name = http_form(req, "name");
	out->email = http_form(req, "email");
	out->subject = http_form(req, "subject");
	out->message = http_form(req, "message");
	out->fe = fe;
	struct contact_input in = { .org_id = org_id, .name = out->name, .email = out->email,
				    .subject = out->subject, .message = out->message,
				    .honeypot = http_form(req, "url"),
				    .client_ip = req->remote_addr };
	bool dropped = false;
	enum kq_err e = contact_send(web_of(req)->db, &in, fe, &dropped);
	if (e == KQ_ERR_CONTACT_RATE_LIMITED || e == KQ_ERR_CONTACT_NO_RECIPIENT)
		out->error_key = err_msg_key(e);
	return e;
}

/* ---- edit pages ------------------------------------------------------------------------------------ */

/* The organisation of the route, which who may edit; answers itself otherwise. */
static bool load_editable(struct request *req, struct response *res, struct org *out)
{
	struct web *w = web_of(req);
	w->nav = "directory";
	enum kq_err e = orgs_get(w->db, req->arena, http_param(req, "slug"), out);
	if (e == KQ_OK)
		e = orgs_authorize(w->db, &w->actor, out->id, ORG_ACT_EDIT_PROFILE);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

static const char *org_url(struct request *req, const struct org *o, const char *tail)
{
	return arena_printf(req->arena, "/organisations/%s%s", o->slug, tail);
}

void web_directory_hours_form(struct request *req, struct response *res)
{
	struct org o;
	if (!load_editable(req, res, &o))
		return;
	struct org_hours h;
	if (hours_get(web_of(req)->db, req->arena, o.id, &h) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	const char *days[7];
	for (int d = 0; d < 7; d++)
		days[d] = hours_format_day(req->arena, &h, d + 1);
	view_directory_hours_page(&res->body, req, &o, days, h.note, NULL);
}

void web_directory_hours_save(struct request *req, struct response *res)
{
	struct org o;
	if (!load_editable(req, res, &o))
		return;
	static const char *const names[7] = { "d1", "d2", "d3", "d4", "d5", "d6", "d7" };
	const char *days[7];
	for (int d = 0; d < 7; d++)
		days[d] = http_form(req, names[d]);
	const char *note = http_form(req, "note");
	struct field_errors fe = { 0 };
	enum kq_err e = hours_set(web_of(req)->db, &web_of(req)->actor, o.id, days, note, &fe);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, org_url(req, &o, ""), "success", "flash.directory.hours_saved");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	res->status = err_http_status(e);
	buf_reset(&res->body);
	view_directory_hours_page(&res->body, req, &o, days, note, &fe);
}

static void show_place(struct request *req, struct response *res, int status,
		       struct directory_place_view *v)
{
	res->status = status;
	buf_reset(&res->body);
	view_directory_place_page(&res->body, req, v);
}

/* The page as stored: position and links. */
static bool place_from_store(struct request *req, struct response *res, const struct org *o,
			     struct directory_place_view *v)
{
	struct org_link *links;
	int n;
	if (orgs_links(web_of(req)->db, req->arena, o->id, &links, &n) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return false;
	}
	v->org = o;
	v->lat = o->has_position ? orgs_degrees_format(req->arena, o->lat_e6) : "";
	v->lon = o->has_position ? orgs_degrees_format(req->arena, o->lon_e6) : "";
	for (int i = 0; i < ORGS_LINKS_MAX; i++) {
		v->labels[i] = i < n ? links[i].label : "";
		v->urls[i] = i < n ? links[i].url : "";
	}
	return true;
}

void web_directory_place_form(struct request *req, struct response *res)
{
	struct org o;
	struct directory_place_view v = { 0 };
	if (load_editable(req, res, &o) && place_from_store(req, res, &o, &v))
		show_place(req, res, 200, &v);
}

void web_directory_position_save(struct request *req, struct response *res)
{
	struct org o;
	struct directory_place_view v = { 0 };
	if (!load_editable(req, res, &o))
		return;
	const char *lat = http_form(req, "lat"), *lon = http_form(req, "lon");
	struct field_errors fe = { 0 };
	enum kq_err e = orgs_position_set(web_of(req)->db, &web_of(req)->actor, o.id, lat, lon, &fe);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, org_url(req, &o, "/position"), "success",
				   "flash.directory.position_saved");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	if (!place_from_store(req, res, &o, &v))
		return;
	v.lat = lat;
	v.lon = lon;
	v.pos_fe = &fe;
	show_place(req, res, err_http_status(e), &v);
}

void web_directory_links_save(struct request *req, struct response *res)
{
	struct org o;
	struct directory_place_view v = { 0 };
	if (!load_editable(req, res, &o))
		return;
	const char *labels[ORGS_LINKS_MAX], *urls[ORGS_LINKS_MAX];
	for (int i = 0; i < ORGS_LINKS_MAX; i++) {
		labels[i] = http_form(req, arena_printf(req->arena, "link_label_%d", i + 1));
		urls[i] = http_form(req, arena_printf(req->arena, "link_url_%d", i + 1));
	}
	struct field_errors fe = { 0 };
	enum kq_err e = orgs_links_set(web_of(req)->db, &web_of(req)->actor, o.id, labels, urls, &fe);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, org_url(req, &o, "/position"), "success",
				   "flash.directory.links_saved");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	if (!place_from_store(req, res, &o, &v))
		return;
	for (int i = 0; i < ORGS_LINKS_MAX; i++) {
		v.labels[i] = labels[i];
		v.urls[i] = urls[i];
	}
	v.links_fe = &fe;
	show_place(req, res, err_http_status(e), &v);
}
