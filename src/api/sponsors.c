/* sponsors.c (api): the accepted sponsors of an event or a campaign, public */
#include "api/api.h"
#include "core/sponsors.h"
#include "base/str.h"
#include <string.h>

/* {"target": {...}, "sponsors": [...]} for the target_kind of the route's {slug}. */
static void sponsors_of(struct request *req, struct response *res, const char *target_kind)
{
	struct sponsor_target t;
	struct sponsorship *list = NULL;
	int n = 0;
	enum kq_err e = sponsors_target_get(api_db(req), req->arena, target_kind,
					    http_param(req, "slug"), &t);
	if (e == KQ_OK)
		e = sponsors_of_target(api_db(req), req->arena, target_kind, t.id, &list, &n);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		const struct sponsorship *s = &list[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "sponsor_slug", s->sponsor_slug,
				      "sponsor_name", s->sponsor_name, "kind", s->kind, "link_url",
				      s->link_url);
		json_object_set_new(o, "logo_url",
				    *s->sponsor_logo_sha256
					    ? json_string(arena_printf(req->arena,
								       "/organisations/%s/logo?v=%.16s",
								       s->sponsor_slug,
								       s->sponsor_logo_sha256))
					    : json_null());
		/* Goods are public thanks; amounts stay between the two parties. */
		json_object_set_new(o, "goods", strcmp(s->kind, "in_kind") == 0
							? json_string(s->goods) : json_null());
		json_object_set_new(o, "accepted_at", json_string(api_time(req->arena, s->decided_at)));
		json_array_append_new(arr, o);
	}
	json_t *j = json_pack("{s:{s:s, s:s, s:s, s:s, s:b}, s:o}", "target", "kind", t.kind, "slug",
			      t.slug, "title", t.title, "org_slug", t.org_slug, "open_to_offers",
			      t.is_open, "sponsors", arr);
	api_json_take(res, 200, j);
}

void api_sponsors_event(struct request *req, struct response *res)
{
	sponsors_of(req, res, "event");
}

void api_sponsors_campaign(struct request *req, struct response *res)
{
	sponsors_of(req, res, "campaign");
}
