/* search.c (api): GET /api/v1/search: the search box as JSON, organisations, events, news, products and practical pages in ranked lists, with type and commune filters */
#include "api/api.h"
#include "core/search.h"
#include "base/timefmt.h"

#define API_SEARCH_LIMIT_DEFAULT 10

static json_t *hit_json(struct request *req, const struct search_hit *h)
{
	struct arena *a = req->arena;
	const char *base = core_settings()->base_url;
	json_t *j = json_object();
	json_object_set_new(j, "slug", json_string(h->slug));
	json_object_set_new(j, "commune", *h->commune ? json_string(h->commune) : json_null());
	if (h->kind != SEARCH_PRACTICAL)
		json_object_set_new(j, "category",
				    *h->category ? json_string(h->category) : json_null());
	json_object_set_new(j, "snippet", json_string(h->snippet));
	if (h->kind == SEARCH_ORG) {
		json_object_set_new(j, "name", json_string(h->title));
		json_object_set_new(j, "kind", json_string(h->org_kind));
		json_object_set_new(j, "url", json_string(arena_printf(a, "%s/organisations/%s", base,
									h->slug)));
	} else if (h->kind == SEARCH_PRODUCT) {
		json_object_set_new(j, "name", json_string(h->title));
		json_object_set_new(j, "organisation", json_string(h->org_name));
		json_object_set_new(j, "url", json_string(arena_printf(a, "%s%s", base,
									search_hit_path(a, h))));
	} else if (h->kind == SEARCH_PRACTICAL) {
		json_object_set_new(j, "title", json_string(h->title));
		json_object_set_new(j, "section", json_string(h->category));
		json_object_set_new(j, "organisation", json_string(h->org_name));
		json_object_set_new(j, "updated_at", h->starts_at
				    ? json_string(api_time(a, h->starts_at)) : json_null());
		json_object_set_new(j, "url", json_string(arena_printf(a, "%s%s", base,
									search_hit_path(a, h))));
	} else if (h->kind == SEARCH_POST) {
		json_object_set_new(j, "title", json_string(h->title));
		json_object_set_new(j, "organisation", json_string(h->org_name));
		json_object_set_new(j, "published_at", h->starts_at
				    ? json_string(api_time(a, h->starts_at)) : json_null());
		json_object_set_new(j, "url", json_string(arena_printf(a, "%s/actualites/%s", base,
									h->slug)));
	} else {
		json_object_set_new(j, "title", json_string(h->title));
		json_object_set_new(j, "status", json_string(h->status));
		json_object_set_new(j, "organisation", json_string(h->org_name));
		json_object_set_new(j, "starts_at", h->starts_at
				    ? json_string(time_format_iso(a, h->starts_at)) : json_null());
		json_object_set_new(j, "past", json_boolean(h->is_past));
		json_object_set_new(j, "url", json_string(arena_printf(a, "%s/evenements/%s", base,
									h->slug)));
	}
	return j;
}

static json_t *list_json(struct request *req, const struct search_hit *hits, int n, int64_t total)
{
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, hit_json(req, &hits[i]));
	return json_pack("{s:o, s:I}", "items", arr, "total", (json_int_t)total);
}

void api_search(struct request *req, struct response *res)
{
	struct field_errors fe = { 0 };
	int64_t limit, offset;
	struct search_query in = { .q = http_query(req, "q"), .commune = http_query(req, "commune") };
	if (!api_query_int(req, "limit", API_SEARCH_LIMIT_DEFAULT, 1, SEARCH_LIMIT_MAX, &limit))
		field_error_add(&fe, "limit", "err.api.limit_invalid");
	if (!api_query_int(req, "offset", 0, 0, SEARCH_OFFSET_MAX, &offset))
		field_error_add(&fe, "offset", "err.api.offset_invalid");
	if (!search_kind_parse(http_query(req, "type"), &in.kind))
		field_error_add(&fe, "type", "err.search.type_invalid");
	if (fe.n) {
		api_error(req, res, KQ_ERR_BAD_REQUEST, &fe);
		return;
	}
	in.limit = (int)limit;
	in.offset = (int)offset;
	struct search_results r;
	enum kq_err e = search_find(api_db(req), req->arena, &in, &r);
	if (e != KQ_OK) {
		if (e == KQ_ERR_SEARCH_QUERY_TOO_LONG)
			field_error_add(&fe, "q", err_msg_key(e));
		api_error(req, res, e, fe.n ? &fe : NULL);
		return;
	}
	api_json_take(res, 200, json_pack("{s:s, s:b, s:s, s:o, s:o, s:o, s:o, s:o}", "q", r.q,
					  "searched", r.searched, "type",
					  search_kind_name(in.kind), "organisations",
					  list_json(req, r.orgs, r.norgs, r.orgs_total), "events",
					  list_json(req, r.events, r.nevents, r.events_total), "posts",
					  list_json(req, r.posts, r.nposts, r.posts_total), "products",
					  list_json(req, r.products, r.nproducts, r.products_total),
					  "practical",
					  list_json(req, r.pages, r.npages, r.pages_total)));
}
