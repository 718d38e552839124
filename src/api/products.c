/* products.c (api): "Made in terroir": /api/v1/products, /api/v1/labels, /api/v1/markets; products written by their organisation's members */
#include "api/api.h"
#include "core/orgs.h"
#include "core/products.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

#define API_PRODUCTS_LIMIT_DEFAULT 20

/* ---- encoding --------------------------------------------------------------------------- */

static const char *hhmm(struct arena *a, int min)
{
	return arena_printf(a, "%02d:%02d", min / 60, min % 60);
}

static json_t *market_json(struct request *req, const struct market *m)
{
	const char *base = core_settings()->base_url;
	json_t *j = json_object();
	json_object_set_new(j, "slug", json_string(m->slug));
	json_object_set_new(j, "name", json_string(m->name));
	json_object_set_new(j, "commune",
			    *m->commune_insee ? json_pack("{s:s, s:s}", "insee", m->commune_insee,
							  "name", m->commune_name)
					      : json_null());
	json_object_set_new(j, "place", json_string(m->place));
	json_object_set_new(j, "weekday", json_integer(m->weekday));
	json_object_set_new(j, "opens", json_string(hhmm(req->arena, m->opens_min)));
	json_object_set_new(j, "closes", json_string(hhmm(req->arena, m->closes_min)));
	json_object_set_new(j, "season_notes", json_string(m->season_notes));
	json_object_set_new(j, "url", json_string(arena_printf(req->arena, "%s/marches/%s", base,
								m->slug)));
	return j;
}

static json_t *label_json(struct request *req, const struct label *l, bool with_count)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "slug", l->slug, "name", l->name,
			      "description", l->description, "kind", l->kind, "url",
			      arena_printf(req->arena, "%s/labels/%s", core_settings()->base_url,
					   l->slug));
	if (with_count)
		json_object_set_new(j, "products_count", json_integer(l->nproducts));
	return j;
}

static json_t *product_json(struct request *req, const struct product *p)
{
	struct arena *a = req->arena;
	const char *base = core_settings()->base_url;
	json_t *j = json_object();
	json_object_set_new(j, "slug", json_string(p->slug));
	json_object_set_new(j, "name", json_string(p->name));
	json_object_set_new(j, "summary", json_string(p->summary));
	json_object_set_new(j, "description", json_string(p->description));
	json_object_set_new(j, "organisation",
			    json_pack("{s:s, s:s, s:s, s:s}", "slug", p->org_slug, "name",
				      p->org_name, "kind", p->org_kind, "url",
				      arena_printf(a, "%s/organisations/%s", base, p->org_slug)));
	json_object_set_new(j, "commune",
			    *p->commune_insee ? json_pack("{s:s, s:s}", "insee", p->commune_insee,
							  "name", p->commune_name)
					      : json_null());
	json_object_set_new(j, "season",
			    p->season_start ? json_pack("{s:i, s:i}", "start_month", p->season_start,
							"end_month", p->season_end)
					    : json_null());
	json_object_set_new(j, "in_season_now",
			    json_boolean(products_in_season(p->season_start, p->season_end,
							    products_month_now())));
	json_t *ls = json_array();
	for (int i = 0; i < p->nlabels; i++)
		json_array_append_new(ls, label_json(req, &p->labels[i], false));
	json_object_set_new(j, "labels", ls);
	json_object_set_new(j, "url", json_string(arena_printf(a, "%s/produits/%s", base, p->slug)));
	json_object_set_new(j, "created_at", json_string(time_format_iso(a, p->created_at)));
	json_object_set_new(j, "updated_at", json_string(time_format_iso(a, p->updated_at)));
	return j;
}

/* The single product adds every place to buy it. */
static json_t *product_full_json(struct request *req, const struct product *p)
{
	json_t *j = product_json(req, p);
	json_t *arr = json_array();
	for (int i = 0; i < p->nplaces; i++) {
		const struct product_place *pl = &p->places[i];
		json_t *o = json_pack("{s:s, s:s}", "kind", pl->kind, "notes", pl->notes);
		if (strcmp(pl->kind, "market") == 0)
			json_object_set_new(o, "market", market_json(req, &pl->market));
		else
			json_object_set_new(o, "organisation",
					    json_pack("{s:s, s:s, s:s, s:s}", "slug", pl->org_slug,
						      "name", pl->org_name, "address", pl->org_address,
						      "commune", pl->commune_name));
		json_array_append_new(arr, o);
	}
	json_object_set_new(j, "places", arr);
	return j;
}

static json_t *orgs_json(struct request *req, const struct product_org *o, int n)
{
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "slug", o[i].slug, "name",
				       o[i].name, "kind", o[i].kind, "commune", o[i].commune_name,
				       "products_count", o[i].nproducts, "url",
				       arena_printf(req->arena, "%s/organisations/%s",
						    core_settings()->base_url, o[i].slug)));
	return arr;
}

/* ---- reading input ------------------------------------------------------------------------ */

/* An array of slugs, in a; NULL when absent; an error in fe when not an array of strings. */
static const char *const *slugs_of(struct arena *a, json_t *o, const char *key, const char *field,
				   struct field_errors *fe, int *out_n)
{
	*out_n = 0;
	json_t *v = json_object_get(o, key);
	if (!v)
		return NULL;
	if (!json_is_array(v) || json_array_size(v) > PRODUCTS_PLACES_MAX) {
		field_error_add(fe, field, arena_printf(a, "err.products.%s_invalid", field));
		return NULL;
	}
	size_t n = json_array_size(v);
	const char **out = arena_alloc(a, sizeof(char *) * (n + 1));
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(v, i);
		if (!json_is_string(s)) {
			field_error_add(fe, field, arena_printf(a, "err.products.%s_invalid", field));
			return NULL;
		}
		out[i] = arena_strdup(a, json_string_value(s));
	}
	*out_n = (int)n;
	return out;
}

/* A month member: absent -> NULL (keep), null -> "" (all year), 1..12 -> "n". */
static const char *month_of(struct arena *a, json_t *o, const char *key, struct field_errors *fe)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return NULL;
	if (json_is_null(v))
		return "";
	if (!json_is_integer(v)) {
		field_error_add(fe, key, "err.products.month_invalid");
		return NULL;
	}
	return arena_printf(a, "%lld", (long long)json_integer_value(v));
}

/* The product body. Strings are copied to the arena, so body may go. */
static void body_input(struct request *req, json_t *body, struct product_input *in,
		       struct field_errors *fe)
{
	struct arena *a = req->arena;
	memset(in, 0, sizeof(*in));
	static const char *const keys[] = { "name", "summary", "description" };
	const char **slots[] = { &in->name, &in->summary, &in->description };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		bool bad = false;
		const char *s = api_str(body, keys[i], &bad);
		if (bad)
			field_error_add(fe, keys[i], "err.api.not_a_string");
		*slots[i] = s ? arena_strdup(a, s) : NULL;
	}
	/* The API names the season's months as the table does. */
	in->season_start = month_of(a, body, "season_start_month", fe);
	in->season_end = month_of(a, body, "season_end_month", fe);
	if (json_object_get(body, "labels")) {
		in->set_labels = true;
		in->labels = slugs_of(a, body, "labels", "labels", fe, &in->nlabels);
	}
	json_t *pl = json_object_get(body, "places");
	if (pl) {
		if (!json_is_object(pl)) {
			field_error_add(fe, "places", "err.products.places_invalid");
			return;
		}
		in->set_places = true;
		json_t *shop = json_object_get(pl, "shop");
		if (shop && !json_is_boolean(shop))
			field_error_add(fe, "shop", "err.products.not_a_boolean");
		in->shop = shop && json_is_true(shop);
		bool bad = false;
		const char *notes = api_str(pl, "shop_notes", &bad);
		if (bad)
			field_error_add(fe, "shop_notes", "err.api.not_a_string");
		in->shop_notes = notes ? arena_strdup(a, notes) : "";
		in->markets = slugs_of(a, pl, "markets", "markets", fe, &in->nmarkets);
		in->partners = slugs_of(a, pl, "partners", "partners", fe, &in->npartners);
	}
}

/* The product of the route's {slug}, as who may see it; answers 404 itself. */
static bool load(struct request *req, struct response *res, struct product *out)
{
	enum kq_err e = products_get(api_db(req), api_actor(req), req->arena,
				     http_param(req, "slug"), out);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return false;
	}
	return true;
}

/* ---- handlers --------------------------------------------------------------------------------- */

void api_products_list(struct request *req, struct response *res)
{
	struct field_errors fe = { 0 };
	struct product_filter f = { 0 };
	int64_t limit = 0, offset = 0, month = 0;
	f.label = http_query(req, "label");
	f.commune = http_query(req, "commune");
	const char *season = http_query(req, "in_season");
	if (season && strcmp(season, "true") != 0 && strcmp(season, "false") != 0)
		field_error_add(&fe, "in_season", "err.products.not_a_boolean");
	if (!api_query_int(req, "month", 0, 1, 12, &month))
		field_error_add(&fe, "month", "err.products.month_invalid");
	f.in_season_month = month ? (int)month
				  : str_eq(season, "true") ? products_month_now() : 0;
	const char *org = http_query(req, "organisation");
	const char *market = http_query(req, "market");
	if (!api_query_int(req, "limit", API_PRODUCTS_LIMIT_DEFAULT, 1, PRODUCTS_PAGE_MAX, &limit))
		field_error_add(&fe, "limit", "err.api.limit_invalid");
	if (!api_query_int(req, "offset", 0, 0, INT32_MAX, &offset))
		field_error_add(&fe, "offset", "err.api.offset_invalid");
	if (fe.n) {
		api_error(req, res, KQ_ERR_BAD_REQUEST, &fe);
		return;
	}
	/* An unknown organisation or market matches nothing, as an unknown label does. */
	json_t *arr = json_array();
	int64_t total = 0;
	bool none = false;
	if (org && *org) {
		struct org o;
		enum kq_err e = orgs_get(api_db(req), req->arena, org, &o);
		if (e == KQ_OK)
			f.org_id = o.id;
		else if (e == KQ_ERR_NOT_FOUND)
			none = true;
		else {
			json_decref(arr);
			api_error(req, res, e, NULL);
			return;
		}
	}
	if (market && *market) {
		struct market m;
		enum kq_err e = markets_get(api_db(req), req->arena, market, &m);
		if (e == KQ_OK)
			f.market_id = m.id;
		else if (e == KQ_ERR_NOT_FOUND)
			none = true;
		else {
			json_decref(arr);
			api_error(req, res, e, NULL);
			return;
		}
	}
	if (!none) {
		f.limit = (int)limit;
		f.offset = (int)offset;
		struct product *items;
		int n = 0;
		enum kq_err e = products_list(api_db(req), req->arena, &f, &items, &n, &total);
		if (e != KQ_OK) {
			json_decref(arr);
			api_error(req, res, e, NULL);
			return;
		}
		for (int i = 0; i < n; i++)
			json_array_append_new(arr, product_json(req, &items[i]));
	}
	api_json_take(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", arr, "total",
					  (json_int_t)total, "limit", (json_int_t)limit, "offset",
					  (json_int_t)offset));
}

void api_products_get(struct request *req, struct response *res)
{
	struct product p;
	if (!load(req, res, &p))
		return;
	api_json_take(res, 200, product_full_json(req, &p));
}

void api_products_create(struct request *req, struct response *res)
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
	struct product_input in;
	struct field_errors fe = { 0 };
	body_input(req, body, &in, &fe);
	json_decref(body);   /* in's strings were copied to the arena */
	/* A new product states its places and labels: none given is none. */
	in.set_labels = in.set_places = true;
	struct product p;
	if (fe.n)
		e = KQ_ERR_FORM_INVALID;
	else
		e = products_create(api_db(req), api_actor(req), o.id, &in, req->arena, &fe, &p);
	if (e != KQ_OK) {
		api_error(req, res, e, &fe);
		return;
	}
	http_set_header(res, req->arena, "Location",
			arena_printf(req->arena, "/api/v1/products/%s", p.slug));
	api_json_take(res, 201, product_full_json(req, &p));
}

void api_products_update(struct request *req, struct response *res)
{
	struct product p, after;
	if (!load(req, res, &p))
		return;
	json_t *body = api_body_object(req, res);
	if (!body)
		return;
	struct product_input in;
	struct field_errors fe = { 0 };
	body_input(req, body, &in, &fe);
	json_decref(body);
	enum kq_err e = fe.n ? KQ_ERR_FORM_INVALID
			     : products_update(api_db(req), api_actor(req), p.id, &in, req->arena,
					       &fe, &after);
	if (e != KQ_OK) {
		api_error(req, res, e, &fe);
		return;
	}
	api_json_take(res, 200, product_full_json(req, &after));
}

void api_products_delete(struct request *req, struct response *res)
{
	struct product p;
	if (!load(req, res, &p))
		return;
	enum kq_err e = products_delete(api_db(req), api_actor(req), p.id);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	res->status = 204;
	buf_reset(&res->body);
}

void api_labels_list(struct request *req, struct response *res)
{
	struct label *items;
	int n = 0;
	enum kq_err e = labels_list(api_db(req), req->arena, &items, &n);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, label_json(req, &items[i], true));
	api_json_take(res, 200, json_pack("{s:o, s:i}", "items", arr, "total", n));
}

void api_labels_get(struct request *req, struct response *res)
{
	struct label l;
	struct product *items;
	struct product_org *orgs;
	int n = 0, no = 0;
	enum kq_err e = labels_page(api_db(req), req->arena, http_param(req, "slug"), &l, &items, &n,
				    &orgs, &no);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *j = label_json(req, &l, true);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, product_json(req, &items[i]));
	json_object_set_new(j, "products", arr);
	json_object_set_new(j, "organisations", orgs_json(req, orgs, no));
	api_json_take(res, 200, j);
}

void api_markets_list(struct request *req, struct response *res)
{
	struct market *items;
	int n = 0;
	enum kq_err e = markets_list(api_db(req), req->arena, &items, &n);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		json_t *m = market_json(req, &items[i]);
		struct product_org *orgs;
		int no = 0;
		if (markets_producers(api_db(req), req->arena, items[i].id, &orgs, &no) != KQ_OK) {
			json_decref(m);
			json_decref(arr);
			api_error(req, res, KQ_ERR_INTERNAL, NULL);
			return;
		}
		json_object_set_new(m, "organisations", orgs_json(req, orgs, no));
		json_array_append_new(arr, m);
	}
	api_json_take(res, 200, json_pack("{s:o, s:i}", "items", arr, "total", n));
}
