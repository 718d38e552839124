/* comments.c (api): comments of posts, events and campaigns, edit and delete of one's own, "J'aime" on posts and comments.
 *
 * The conversation of a subject is read by everyone (pages of 50 threads,
 * after=<next_after> for the next one); writing needs a Bearer token. Core
 * decides who may do what, so the answers are those of the pages. */
#include "api/api.h"
#include "base/str.h"
#include "base/timefmt.h"
#include "core/comments.h"
#include <string.h>

static json_t *comment_json(struct request *req, const struct comment *c)
{
	struct arena *a = req->arena;
	json_t *author = c->author_id
		? json_pack("{s:I, s:s}", "id", (json_int_t)c->author_id, "name", c->author_name)
		: json_null();
	json_t *j = json_pack("{s:I, s:o, s:o, s:s, s:b, s:s, s:o, s:I, s:b, s:b, s:b}",
			      "id", (json_int_t)c->id,
			      "parent_id", c->parent_id ? json_integer(c->parent_id) : json_null(),
			      "author", author,
			      "body", c->body,
			      "deleted", c->is_deleted,
			      "created_at", time_format_iso(a, c->created_at),
			      "edited_at", c->edited_at ? json_string(time_format_iso(a, c->edited_at))
							: json_null(),
			      "likes", (json_int_t)c->likes,
			      "liked", c->liked,
			      "can_edit", c->can_edit,
			      "can_delete", c->can_delete);
	if (!c->parent_id) {
		json_t *replies = json_array();
		for (int i = 0; i < c->nreplies; i++)
			json_array_append_new(replies, comment_json(req, &c->replies[i]));
		json_object_set_new(j, "replies", replies);
	}
	return j;
}

/* The subject of the route: kind from the path, {slug} from the route. */
static const char *kind_of_path(struct request *req)
{
	if (str_starts(req->path, "/api/v1/posts/"))
		return "post";
	if (str_starts(req->path, "/api/v1/events/"))
		return "event";
	if (str_starts(req->path, "/api/v1/campaigns/"))
		return "campaign";
	return NULL;
}

static bool load_subject(struct request *req, struct response *res, struct comment_subject *out)
{
	enum kq_err e = comments_subject_find(api_db(req), req->arena, kind_of_path(req),
					      http_param(req, "slug"), out);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return false;
	}
	return true;
}

void api_comments_list(struct request *req, struct response *res)
{
	struct comment_subject s;
	if (!load_subject(req, res, &s))
		return;
	int64_t after = 0;
	if (!api_query_int(req, "after", 0, 0, INT64_MAX, &after)) {
		struct field_errors fe = { 0 };
		field_error_add(&fe, "after", "err.bad_request");
		api_error(req, res, KQ_ERR_BAD_REQUEST, &fe);
		return;
	}
	struct comment_page pg;
	enum kq_err e = comments_list(api_db(req), api_actor(req), req->arena, s.kind, s.id, after, &pg);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *items = json_array();
	for (int i = 0; i < pg.n; i++)
		json_array_append_new(items, comment_json(req, &pg.items[i]));
	api_json_take(res, 200, json_pack("{s:o, s:I, s:o}", "items", items, "total", (json_int_t)pg.total,
					  "next_after", pg.next_after ? json_integer(pg.next_after)
								      : json_null()));
}

/* {"body": "...", "parent_id": 12}: parent_id absent or null for a top-level comment. */
void api_comments_create(struct request *req, struct response *res)
{
	struct comment_subject s;
	if (!load_subject(req, res, &s))
		return;
	json_t *body = api_body_object(req, res);
	if (!body)
		return;
	struct field_errors fe = { 0 };
	bool bad = false;
	const char *text = api_str(body, "body", &bad);
	if (bad)
		field_error_add(&fe, "body", "err.comments.body_invalid");
	int64_t parent = 0;
	json_t *p = json_object_get(body, "parent_id");
	if (p && !json_is_null(p)) {
		if (!json_is_integer(p) || json_integer_value(p) <= 0)
			field_error_add(&fe, "parent_id", "err.bad_request");
		else
			parent = json_integer_value(p);
	}
	text = arena_strdup(req->arena, text ? text : "");
	json_decref(body);
	if (fe.n) {
		api_error(req, res, KQ_ERR_FORM_INVALID, &fe);
		return;
	}
	struct comment c;
	enum kq_err e = comments_create(api_db(req), api_actor(req), s.kind, s.id, parent, text,
					req->arena, &fe, &c);
	if (e != KQ_OK) {
		api_error(req, res, e, &fe);
		return;
	}
	api_json_take(res, 201, comment_json(req, &c));
}

static bool comment_id(struct request *req, struct response *res, int64_t *out)
{
	if (!str_to_i64(http_param(req, "id"), out) || *out <= 0) {
		api_error(req, res, KQ_ERR_NOT_FOUND, NULL);
		return false;
	}
	return true;
}

void api_comments_update(struct request *req, struct response *res)
{
	int64_t id;
	if (!comment_id(req, res, &id))
		return;
	json_t *body = api_body_object(req, res);
	if (!body)
		return;
	struct field_errors fe = { 0 };
	bool bad = false;
	const char *text = api_str(body, "body", &bad);
	if (bad || !text)
		field_error_add(&fe, "body", bad ? "err.comments.body_invalid" : "err.comments.body_missing");
	text = arena_strdup(req->arena, text ? text : "");
	json_decref(body);
	if (fe.n) {
		api_error(req, res, KQ_ERR_FORM_INVALID, &fe);
		return;
	}
	struct comment c;
	enum kq_err e = comments_update(api_db(req), api_actor(req), id, text, req->arena, &fe, &c);
	if (e != KQ_OK) {
		api_error(req, res, e, &fe);
		return;
	}
	api_json_take(res, 200, comment_json(req, &c));
}

void api_comments_delete(struct request *req, struct response *res)
{
	int64_t id;
	if (!comment_id(req, res, &id))
		return;
	enum kq_err e = comments_delete(api_db(req), api_actor(req), id);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	res->status = 204;
	buf_reset(&res->body);
}

/* POST likes, DELETE takes the like back; both answer the count after. */
static void react(struct request *req, struct response *res, const char *kind, int64_t id)
{
	bool on = strcmp(req->method, "POST") == 0;
	int64_t count = 0;
	enum kq_err e = reactions_set(api_db(req), api_actor(req), kind, id, on, &count);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	api_json_take(res, 200, json_pack("{s:I, s:b}", "likes", (json_int_t)count, "liked", on));
}

void api_comments_react_subject(struct request *req, struct response *res)
{
	struct comment_subject s;
	if (!load_subject(req, res, &s))
		return;
	react(req, res, s.kind, s.id);
}

void api_comments_react_comment(struct request *req, struct response *res)
{
	int64_t id;
	if (!comment_id(req, res, &id))
		return;
	react(req, res, "comment", id);
}
