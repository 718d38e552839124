/* follows.c (api): /api/v1/me/follows (list, follow or change mail opt-in, unfollow) and /api/v1/me/feed (the home feed by cursor) */
#include "api/api.h"
#include "core/feed.h"
#include "core/follows.h"
#include "core/orgs.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

static json_t *follow_json(struct arena *a, const struct follow *f)
{
	json_t *j = json_object();
	json_object_set_new(j, "kind", json_string(f->target_kind));
	json_object_set_new(j, "id", json_integer(f->target_id));
	json_object_set_new(j, "slug", *f->target_slug ? json_string(f->target_slug) : json_null());
	json_object_set_new(j, "name", json_string(f->target_name));
	json_object_set_new(j, "notify_by_mail", json_boolean(f->notify_by_mail));
	json_object_set_new(j, "created_at", json_string(time_format_iso(a, f->created_at)));
	return j;
}

void api_follows_list(struct request *req, struct response *res)
{
	struct follow *items;
	int n;
	enum kq_err e = follows_mine(api_db(req), api_actor(req), req->arena, &items, &n);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, follow_json(req->arena, &items[i]));
	api_json_take(res, 200, json_pack("{s:o}", "items", arr));
}

static void state_reply(struct request *req, struct response *res, int status, const char *kind,
			int64_t id)
{
	struct follow_state st;
	enum kq_err e = follows_state(api_db(req), api_actor(req), kind, id, &st);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	api_json_take(res, status,
		      json_pack("{s:s, s:I, s:b, s:b, s:I}", "kind", kind, "id", (json_int_t)id,
				"following", st.following, "notify_by_mail", st.notify_by_mail,
				"followers", (json_int_t)st.followers));
}

/* {"kind": "org" | "account", "id": 12, "notify_by_mail": true} (an organisation
 * may be named by "slug" instead of "id"): follows, or
 * changes the mail opt-in of an existing follow (200 then, 201 when new). */
void api_follows_create(struct request *req, struct response *res)
{
	json_t *body = api_body_object(req, res);
	if (!body)
		return;
	bool bad = false;
	const char *kind = api_str(body, "kind", &bad);
	json_t *jid = json_object_get(body, "id");
	json_t *jmail = json_object_get(body, "notify_by_mail");
	const char *slug = api_str(body, "slug", &bad);
	struct field_errors fe = { 0 };
	if (bad || !follows_kind_valid(kind))
		field_error_add(&fe, "kind", "err.follows.kind_invalid");
	int64_t id = 0;
	struct org o;
	if (json_is_integer(jid) && json_integer_value(jid) > 0)
		id = (int64_t)json_integer_value(jid);
	else if (!jid && slug && str_eq(kind, FOLLOW_ORG) &&
		 orgs_get(api_db(req), req->arena, slug, &o) == KQ_OK)
		id = o.id;
	if (!id)
		field_error_add(&fe, "id", "err.follows.id_invalid");
	if (jmail && !json_is_boolean(jmail))
		field_error_add(&fe, "notify_by_mail", "err.follows.mail_invalid");
	if (fe.n) {
		json_decref(body);
		api_error(req, res, KQ_ERR_FORM_INVALID, &fe);
		return;
	}
	kind = arena_strdup(req->arena, kind);
	bool mail = jmail && json_is_true(jmail);
	json_decref(body);
	struct follow_state before;
	enum kq_err e = follows_state(api_db(req), api_actor(req), kind, id, &before);
	if (e == KQ_OK)
		e = follows_follow(api_db(req), api_actor(req), kind, id, mail);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	state_reply(req, res, before.following ? 200 : 201, kind, id);
}

void api_follows_delete(struct request *req, struct response *res)
{
	const char *kind = http_param(req, "kind");
	int64_t id = 0;
	if (!follows_kind_valid(kind) || !str_to_i64(http_param(req, "id"), &id) || id <= 0) {
		api_error(req, res, KQ_ERR_NOT_FOUND, NULL);
		return;
	}
	enum kq_err e = follows_unfollow(api_db(req), api_actor(req), kind, id);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	state_reply(req, res, 200, kind, id);
}

static json_t *post_json(struct arena *a, const struct feed_post *p)
{
	const char *base = core_settings()->base_url;
	json_t *j = json_object();
	json_object_set_new(j, "slug", json_string(p->slug));
	json_object_set_new(j, "title", json_string(p->title));
	json_object_set_new(j, "excerpt", json_string(p->excerpt));
	json_object_set_new(j, "url", json_string(arena_printf(a, "%s/actualites/%s", base, p->slug)));
	json_object_set_new(j, "published_at", json_string(time_format_iso(a, p->published_at)));
	json_object_set_new(j, "pinned", json_boolean(p->pinned_at != 0));
	json_object_set_new(j, "org", p->org_id ? json_pack("{s:s, s:s, s:s}", "slug", p->org_slug,
							     "name", p->org_name, "kind", p->org_kind)
						: json_null());
	json_object_set_new(j, "author", p->org_id || !p->author_id
						 ? json_null()
						 : json_pack("{s:I, s:s}", "id", (json_int_t)p->author_id,
							     "name", p->author_name));
	return j;
}

void api_follows_feed(struct request *req, struct response *res)
{
	int64_t limit = FEED_PAGE;
	if (!api_query_int(req, "limit", FEED_PAGE, 1, FEED_PAGE * 5, &limit)) {
		api_error(req, res, KQ_ERR_BAD_REQUEST, NULL);
		return;
	}
	const char *after = http_query(req, "after");
	struct feed_page f;
	enum kq_err e = feed_home(api_db(req), api_actor(req), req->arena, after, (int)limit, &f);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *hl = json_array(), *items = json_array(), *events = json_array();
	for (int i = 0; i < f.nhighlights; i++)
		json_array_append_new(hl, post_json(req->arena, &f.highlights[i]));
	for (int i = 0; i < f.n; i++)
		json_array_append_new(items, post_json(req->arena, &f.items[i]));
	for (int i = 0; i < f.nevents; i++) {
		const struct feed_event *ev = &f.events[i];
		json_array_append_new(events, json_pack("{s:s, s:s, s:s, s:s, s:b}", "slug", ev->slug,
							"title", ev->title, "org", ev->org_name,
							"starts_at", api_time(req->arena, ev->starts_at),
							"followed", ev->followed));
	}
	api_json_take(res, 200, json_pack("{s:o, s:o, s:o, s:o}", "highlights", hl, "items", items,
					  "events", events, "next",
					  f.next ? json_string(f.next) : json_null()));
}
