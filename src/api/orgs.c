/* orgs.c (api): /api/v1/orgs: list, read, create, partial update, members, invitations */
#include "api/api.h"
#include "core/orgs.h"
#include "core/hours.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

#define API_ORGS_LIMIT_DEFAULT 20

/* ---- encoding --------------------------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *org_json(struct request *req, const struct org *o)
{
	struct arena *a = req->arena;
	const char *base = core_settings()->base_url;
	json_t *j = json_object();
	json_object_set_new(j, "slug", json_string(o->slug));
	json_object_set_new(j, "kind", json_string(o->kind));
	json_object_set_new(j, "name", json_string(o->name));
	json_object_set_new(j, "summary", json_string(o->summary));
	json_object_set_new(j, "description", json_string(o->description));
	json_object_set_new(j, "category", str_or_null(o->category));
	json_object_set_new(j, "commune",
			    o->commune_id ? json_pack("{s:s, s:s}", "insee", o->commune_insee,
						      "name", o->commune_name)
					  : json_null());
	json_object_set_new(j, "address", json_string(o->address));
	json_object_set_new(j, "email", json_string(o->email));
	json_object_set_new(j, "phone", json_string(o->phone));
	json_object_set_new(j, "website", json_string(o->website));
	json_object_set_new(j, "url", json_string(arena_printf(a, "%s/organisations/%s", base,
								o->slug)));
	json_object_set_new(j, "logo_url",
			    *o->logo_sha256
				    ? json_string(arena_printf(a, "%s/organisations/%s/logo?v=%.16s",
							       base, o->slug, o->logo_sha256))
				    : json_null());
	json_object_set_new(j, "created_at", json_string(time_format_iso(a, o->created_at)));
	json_object_set_new(j, "updated_at", json_string(time_format_iso(a, o->updated_at)));
	/* Degrees as numbers with six decimals: micro-degrees divided exactly. */
	json_object_set_new(j, "position",
			    o->has_position ? json_pack("{s:f, s:f}", "lat", (double)o->lat_e6 / 1e6,
							"lon", (double)o->lon_e6 / 1e6)
					    : json_null());
	json_object_set_new(j, "map_position",
			    o->on_map ? json_pack("{s:f, s:f, s:b}", "lat", (double)o->map_lat_e6 / 1e6,
						  "lon", (double)o->map_lon_e6 / 1e6, "approximate",
						  !o->has_position)
				      : json_null());
	json_object_set_new(j, "hours_note", json_string(o->hours_note));
	return j;
}

/* "hours" and "open_now" of an organisation's object. */
static void set_hours(struct request *req, json_t *j, const struct org_hours *h)
{
	json_t *arr = json_array();
	for (int i = 0; i < h->n; i++)
		json_array_append_new(arr, json_pack("{s:i, s:s, s:s}", "weekday", h->ranges[i].weekday,
						     "opens", hours_format_min(req->arena, h->ranges[i].opens_min),
						     "closes", hours_format_min(req->arena, h->ranges[i].closes_min)));
	json_object_set_new(j, "hours", arr);
	struct hours_state st;
	hours_state_at(h, time_now(), &st);
	json_object_set_new(j, "open_now", st.known ? json_boolean(st.open) : json_null());
}

/* The single organisation's object adds its hours and links (two indexed reads). */
static json_t *org_full_json(struct request *req, const struct org *o)
{
	json_t *j = org_json(req, o);
	struct org_hours h;
	struct org_link *links;
	int n;
	if (hours_get(api_db(req), req->arena, o->id, &h) != KQ_OK ||
	    orgs_links(api_db(req), req->arena, o->id, &links, &n) != KQ_OK) {
		json_decref(j);
		return NULL;
	}
	set_hours(req, j, &h);
	json_t *ls = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(ls, json_pack("{s:s, s:s}", "label", links[i].label, "url",
						    links[i].url));
	json_object_set_new(j, "links", ls);
	return j;
}

/* ---- reading input ------------------------------------------------------------------------ */

/* The string members of an organisation body. Members that are present but
 * not strings are field errors; unknown members are ignored. */
static void body_input(json_t *o, struct org_input *in, struct field_errors *fe)
{
	static const char *const keys[] = { "kind", "name", "slug", "summary", "description",
					    "category", "commune", "address", "email", "phone",
					    "website" };
	const char **slots[] = { &in->kind, &in->name, &in->slug, &in->summary, &in->description,
				 &in->category, &in->commune, &in->address, &in->email,
				 &in->phone, &in->website };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		bool bad = false;
		*slots[i] = api_str(o, keys[i], &bad);
		if (bad)
			field_error_add(fe, keys[i], "err.api.not_a_string");
	}
}

/* The organisation of the route's {slug}; answers 404 itself. */
static bool load(struct request *req, struct response *res, struct org *out)
{
	enum kq_err e = orgs_get(api_db(req), req->arena, http_param(req, "slug"), out);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return false;
	}
	return true;
}

/* label, order and near of /api/v1/orgs and /api/v1/directory/map; bad values go to fe. */
static void read_directory_query(struct request *req, struct org_filter *f, struct field_errors *fe)
{
	const char *order = http_query(req, "order");
	f->label = http_query(req, "label");
	f->near = http_query(req, "near");
	if (!order || !*order || strcmp(order, "name") == 0) {
		f->order = ORGS_ORDER_NAME;
	} else if (strcmp(order, "near") == 0) {
		f->order = ORGS_ORDER_NEAR;
		if (!f->near || !*f->near)
			f->near = f->commune;
		if (!f->near || !*f->near)
			field_error_add(fe, "near", "err.directory.near_missing");
	} else {
		field_error_add(fe, "order", "err.directory.order_invalid");
	}
}

/* ---- handlers --------------------------------------------------------------------------------- */

void api_orgs_list(struct request *req, struct response *res)
{
	struct field_errors fe = { 0 };
	struct org_filter f = { 0 };
	int64_t limit, offset;
	f.kind = http_query(req, "kind");
	f.commune = http_query(req, "commune");
	f.category = http_query(req, "category");
	f.q = http_query(req, "q");
	if (f.kind && *f.kind && !orgs_kind_valid(f.kind))
		field_error_add(&fe, "kind", "err.orgs.kind_invalid");
	read_directory_query(req, &f, &fe);   /* errors go to fe */
	if (!api_query_int(req, "limit", API_ORGS_LIMIT_DEFAULT, 1, ORGS_PAGE_MAX, &limit))
		field_error_add(&fe, "limit", "err.api.limit_invalid");
	if (!api_query_int(req, "offset", 0, 0, INT32_MAX, &offset))
		field_error_add(&fe, "offset", "err.api.offset_invalid");
	if (fe.n) {
		api_error(req, res, KQ_ERR_BAD_REQUEST, &fe);
		return;
	}
	f.limit = (int)limit;
	f.offset = (int)offset;
	struct org *items;
	int n;
	int64_t total;
	enum kq_err e = orgs_list(api_db(req), req->arena, &f, &items, &n, &total);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	/* The hours of the whole page in a few statements, never one per organisation. */
	int64_t *ids = arena_alloc(req->arena, sizeof(*ids) * (size_t)(n ? n : 1));
	struct org_hours *hours = arena_alloc(req->arena, sizeof(*hours) * (size_t)(n ? n : 1));
	for (int i = 0; i < n; i++)
		ids[i] = items[i].id;
	if (hours_of_many(api_db(req), req->arena, ids, n, hours) != KQ_OK) {
		api_error(req, res, KQ_ERR_INTERNAL, NULL);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		json_t *j = org_json(req, &items[i]);
		set_hours(req, j, &hours[i]);
		json_array_append_new(arr, j);
	}
	api_json_take(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", arr, "total",
					  (json_int_t)total, "limit", (json_int_t)limit, "offset",
					  (json_int_t)offset));
}

void api_orgs_get(struct request *req, struct response *res)
{
	struct org o;
	if (!load(req, res, &o))
		return;
	/* INVARIANT(hidden-org): gone for all but moderators. */
	if (o.hidden_at && !actor_is_moderator(api_actor(req))) {
		api_error(req, res, KQ_ERR_NOT_FOUND, NULL);
		return;
	}
	json_t *j = org_full_json(req, &o);
	if (!j) {
		api_error(req, res, KQ_ERR_INTERNAL, NULL);
		return;
	}
	api_json_take(res, 200, j);
}

void api_orgs_map(struct request *req, struct response *res)
{
	struct field_errors fe = { 0 };
	struct org_filter f = { 0 };
	f.kind = http_query(req, "kind");
	f.commune = http_query(req, "commune");
	f.category = http_query(req, "category");
	f.q = http_query(req, "q");
	if (f.kind && *f.kind && !orgs_kind_valid(f.kind))
		field_error_add(&fe, "kind", "err.orgs.kind_invalid");
	read_directory_query(req, &f, &fe);
	if (fe.n) {
		api_error(req, res, KQ_ERR_BAD_REQUEST, &fe);
		return;
	}
	struct org *items;
	int n;
	enum kq_err e = orgs_map(api_db(req), req->arena, &f, &items, &n);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	const char *base = core_settings()->base_url;
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		const struct org *o = &items[i];
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:b}", "slug", o->slug, "name",
				       o->name, "kind", o->kind, "url",
				       arena_printf(req->arena, "%s/organisations/%s", base, o->slug),
				       "lat", (double)o->map_lat_e6 / 1e6, "lon",
				       (double)o->map_lon_e6 / 1e6, "approximate", !o->has_position));
	}
	api_json_take(res, 200, json_pack("{s:o, s:i}", "items", arr, "total", n));
}

void api_orgs_create(struct request *req, struct response *res)
{
	json_t *body = api_body_object(req, res);
	if (!body)
		return;
	struct org_input in = { 0 };
	struct field_errors fe = { 0 };
	struct org o;
	body_input(body, &in, &fe);
	enum kq_err e = fe.n ? KQ_ERR_FORM_INVALID
			     : orgs_create(api_db(req), api_actor(req), &in, req->arena, &fe, &o);
	json_decref(body);   /* in's strings pointed into it: done with them above */
	if (e != KQ_OK) {
		api_error(req, res, e, &fe);
		return;
	}
	http_set_header(res, req->arena, "Location",
			arena_printf(req->arena, "/api/v1/orgs/%s", o.slug));
	api_json_take(res, 201, org_json(req, &o));
}

void api_orgs_update(struct request *req, struct response *res)
{
	struct org o, after;
	if (!load(req, res, &o))
		return;
	json_t *body = api_body_object(req, res);
	if (!body)
		return;
	struct org_input in = { 0 };
	struct field_errors fe = { 0 };
	body_input(body, &in, &fe);
	/* Links to the page must keep working: the slug is fixed at creation. */
	if (in.slug && strcmp(in.slug, o.slug) != 0)
		field_error_add(&fe, "slug", "err.orgs.slug_immutable");
	in.slug = NULL;
	enum kq_err e = KQ_ERR_FORM_INVALID;
	if (!fe.n) {
		/* Who may edit is decided before what is wrong with the body is said. */
		e = orgs_update(api_db(req), api_actor(req), o.id, &in, req->arena, &fe, &after);
	} else {
		enum kq_err auth = orgs_authorize(api_db(req), api_actor(req), o.id,
						  ORG_ACT_EDIT_PROFILE);
		if (auth != KQ_OK) {
			e = auth;
			fe.n = 0;
		}
	}
	json_decref(body);
	if (e != KQ_OK) {
		api_error(req, res, e, &fe);
		return;
	}
	api_json_take(res, 200, org_json(req, &after));
}

void api_orgs_members(struct request *req, struct response *res)
{
	struct org o;
	if (!load(req, res, &o))
		return;
	const struct actor *who = api_actor(req);
	struct org_member *m;
	int n;
	enum kq_err e = orgs_members_list(api_db(req), who, o.id, req->arena, &m, &n);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	/* Addresses are for those who manage the team; the others see names and roles. */
	bool show_email = orgs_authorize(api_db(req), who, o.id, ORG_ACT_MANAGE_MEMBERS) == KQ_OK;
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		json_t *j = json_pack("{s:I, s:s, s:s, s:s}", "account_id",
				      (json_int_t)m[i].account_id, "display_name", m[i].display_name,
				      "role", m[i].role, "since",
				      time_format_iso(req->arena, m[i].since));
		if (j && show_email)
			json_object_set_new(j, "email", json_string(m[i].email));
		json_array_append_new(arr, j);
	}
	api_json_take(res, 200, json_pack("{s:o}", "items", arr));
}

void api_orgs_invite(struct request *req, struct response *res)
{
	struct org o;
	if (!load(req, res, &o))
		return;
	json_t *body = api_body_object(req, res);
	if (!body)
		return;
	struct field_errors fe = { 0 };
	bool bad_email = false, bad_role = false;
	const char *email = api_str(body, "email", &bad_email);
	const char *role = api_str(body, "role", &bad_role);
	enum kq_err e = orgs_authorize(api_db(req), api_actor(req), o.id, ORG_ACT_MANAGE_MEMBERS);
	struct org_invitation inv;
	if (e == KQ_OK) {
		if (bad_email)
			field_error_add(&fe, "email", "err.api.not_a_string");
		if (bad_role)
			field_error_add(&fe, "role", "err.api.not_a_string");
		e = fe.n ? KQ_ERR_FORM_INVALID
			 : orgs_member_invite(api_db(req), api_actor(req), o.id,
					      email ? email : "", role ? role : "editor",
					      req->arena, &fe, &inv, NULL);
	}
	json_decref(body);
	if (e != KQ_OK) {
		api_error(req, res, e, &fe);
		return;
	}
	api_json_take(res, 201,
		      json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)inv.id, "email",
				inv.email, "role", inv.role, "created_at",
				time_format_iso(req->arena, inv.created_at), "expires_at",
				time_format_iso(req->arena, inv.expires_at)));
}
