/* search.c: the search box's results page, GET /recherche?q=...&type=...&commune=...&page=... (works without JavaScript), and its suggestions as JSON */
#include "pages.h"
#include "web/views/search.h"
#include "core/territory.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_PAGE_ALL 10     /* results of each kind when every kind is shown */
#define SEARCH_PAGE_ONE 20     /* results of the one kind asked for, per page */

/* page=N (1-based), anything else is the first page. */
static int page_of(struct request *req)
{
	const char *p = http_query(req, "page");
	char *end = NULL;
	long n = p && *p ? strtol(p, &end, 10) : 1;
	if (!p || !*p || *end || n < 1)
		return 1;
	return n > SEARCH_OFFSET_MAX / SEARCH_PAGE_ONE ? SEARCH_OFFSET_MAX / SEARCH_PAGE_ONE + 1
						       : (int)n;
}

void web_search(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct search_results r;
	struct search_view v = { .results = &r, .err = KQ_OK };
	const char *type = http_query(req, "type");
	v.commune = http_query(req, "commune");
	if (!v.commune)
		v.commune = "";
	v.page = page_of(req);
	struct commune *communes = NULL;
	if (territory_communes(w->db, req->arena, &communes, &v.ncommunes) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	v.communes = communes;
	struct search_query in = { .q = http_query(req, "q"), .commune = v.commune };
	if (!search_kind_parse(type, &in.kind)) {
		/* The page again, the filter marked: the query is still looked up in every kind. */
		v.type_err = KQ_ERR_SEARCH_TYPE_INVALID;
		res->status = err_http_status(v.type_err);
		in.kind = SEARCH_KINDS;
	}
	v.kind = in.kind;
	v.per_page = SEARCH_PAGE_ONE;
	in.limit = in.kind == SEARCH_KINDS ? SEARCH_PAGE_ALL : SEARCH_PAGE_ONE;
	in.offset = in.kind == SEARCH_KINDS ? 0 : (v.page - 1) * SEARCH_PAGE_ONE;
	enum kq_err e = search_find(w->db, req->arena, &in, &r);
	if (e == KQ_ERR_SEARCH_QUERY_TOO_LONG) {
		/* The page again, the query in the box and the reason next to it. */
		res->status = err_http_status(e);
		v.err = e;
	} else if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	view_search(&res->body, req, &v);
}

/* GET /recherche/suggestions?q=: what the header box's list shows as one
 * types (assets/js/search-suggest.js). Always 200 with a list, empty for a
 * short or refused query: the box must never show an error while typing. */
void web_search_suggestions(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct search_hit *hits = NULL;
	int n = 0;
	enum kq_err e = search_suggest(w->db, req->arena, http_query(req, "q"), &hits, &n);
	if (e == KQ_ERR_INTERNAL) {
		http_text(res, 500, "application/json", "{\"items\":[]}");
		return;
	}
	json_t *items = json_array();
	for (int i = 0; e == KQ_OK && i < n; i++) {
		const char *kind = search_kind_name(hits[i].kind);
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s}", "title", hits[i].title,
						       "kind", kind, "kind_label",
						       web_t(req, arena_printf(req->arena,
									       "search.kind.%s", kind)),
						       "url", search_hit_path(req->arena, &hits[i])));
	}
	json_t *doc = json_pack("{s:o}", "items", items);
	char *s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	http_text(res, 200, "application/json", s ? s : "{\"items\":[]}");
	free(s);
	http_set_header(res, req->arena, "Cache-Control", "no-store");
}
