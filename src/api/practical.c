/* practical.c (api): GET /api/v1/practical-pages and /api/v1/practical-pages/{slug}: the practical information as JSON, read-only */
#include "api/api.h"
#include "core/practical.h"

static json_t *page_json(struct request *req, const struct practical_page *p, bool full)
{
	struct arena *a = req->arena;
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "slug", p->slug,
			      "title", p->title, "section", p->section_slug, "section_title",
			      p->section_title, "organisation", "slug", p->org_slug, "name",
			      p->org_name, "updated_at", api_time(a, p->updated_at), "url",
			      arena_printf(a, "%s/infos-pratiques/%s", core_settings()->base_url,
					   p->slug));
	if (full) {
		json_object_set_new(j, "body", json_string(p->body));
		json_object_set_new(j, "body_html", json_string(p->body_html));
	}
	return j;
}

void api_practical_list(struct request *req, struct response *res)
{
	struct practical_section *s = NULL;
	int n = 0;
	enum kq_err e = practical_index(api_db(req), req->arena, &s, &n);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *sections = json_array();
	for (int i = 0; i < n; i++) {
		json_t *pages = json_array();
		for (int k = 0; k < s[i].npages; k++)
			json_array_append_new(pages, page_json(req, &s[i].pages[k], false));
		json_array_append_new(sections, json_pack("{s:s, s:s, s:o}", "slug", s[i].slug,
							  "title", s[i].title, "pages", pages));
	}
	api_json_take(res, 200, json_pack("{s:o}", "sections", sections));
}

void api_practical_get(struct request *req, struct response *res)
{
	struct practical_page p;
	enum kq_err e = practical_get(api_db(req), req->arena, http_param(req, "slug"), &p);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	api_json_take(res, 200, page_json(req, &p, true));
}
