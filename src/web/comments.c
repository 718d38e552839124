/* comments.c: the comments section of post, event and campaign pages, the post's "J'aime", and the comment pages (write, edit, delete, like).
 *
 * Handlers read the request and call core/comments.c, which decides who may
 * see and change what. After a change they redirect to the subject's page at
 * the comment's anchor, with a flash message, so a reload never posts twice.
 * A refused comment (empty, too long, too many a minute) is shown again on a
 * page of its own with the reason next to the field: the subject's page
 * belongs to another area, and its own refusals to that area's handler. */
#include "web/pages.h"
#include "web/views/comments.h"
#include "base/str.h"
#include <string.h>

/* ---- page sections -------------------------------------------------------------------------- */

struct safe_html web_comments_section(struct request *req, const char *kind, int64_t subject_id)
{
	struct web *w = web_of(req);
	struct buf b = BUF_INIT;
	int64_t after = 0;
	if (!str_to_i64(http_query(req, "apres"), &after) || after < 0)
		after = 0;
	struct comment_subject subj;
	struct comment_page pg;
	/* A subject not open to comments (a draft...) gets no section. */
	if (comments_subject_get(w->db, req->arena, kind, subject_id, &subj) == KQ_OK &&
	    comments_list(w->db, &w->actor, req->arena, kind, subject_id, after, &pg) == KQ_OK) {
		struct comments_section_view v = { &subj, &pg, w->actor.account_id != 0 };
		view_comments_section(&b, req, &v);
	}
	return html_section_take(req->arena, &b);
}

struct safe_html web_comments_like_post(struct request *req, int64_t post_id)
{
	struct web *w = web_of(req);
	struct buf b = BUF_INIT;
	struct comment_subject subj;
	int64_t count = 0;
	bool mine = false;
	if (comments_subject_get(w->db, req->arena, "post", post_id, &subj) == KQ_OK &&
	    reactions_counts(w->db, &w->actor, "post", &post_id, 1, &count, &mine) == KQ_OK) {
		struct comments_like_view v = { "post", post_id, count, mine, w->actor.account_id != 0,
						"", "jaime" };
		view_comments_like(&b, req, &v);
	}
	return html_section_take(req->arena, &b);
}

/* ---- writing -------------------------------------------------------------------------------- */

static int64_t form_id(struct request *req, const char *name)
{
	int64_t v = 0;
	const char *s = http_form(req, name);
	if (!s || !*s || !str_to_i64(s, &v) || v < 0)
		return -1;
	return v;
}

/* The subject's page at comment c: the page of the conversation that shows its thread. */
static const char *comment_url(struct request *req, const struct comment_subject *s,
			       const struct comment *c)
{
	int64_t after = 0;
	if (comments_page_of(web_of(req)->db, s->kind, s->id, c->parent_id ? c->parent_id : c->id,
			     &after) != KQ_OK)
		after = 0;
	const char *path = view_comments_subject_path(req, s);
	if (after)
		path = arena_printf(req->arena, "%s?apres=%lld", path, (long long)after);
	return arena_printf(req->arena, "%s#c-%lld", path, (long long)c->id);
}

/* A refusal that belongs next to the text: the form again on its own page. */
static void show_form(struct request *req, struct response *res, enum kq_err e,
		      struct comments_form_view *v, struct field_errors *fe)
{
	if (e == KQ_ERR_COMMENTS_RATE_LIMITED)
		field_error_add(fe, "body", err_msg_key(e));
	v->fe = fe;
	res->status = err_http_status(e);
	buf_reset(&res->body);
	view_comments_form(&res->body, req, v);
}

void web_comments_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	const char *kind = http_form(req, "kind");
	int64_t subject = form_id(req, "subject");
	int64_t parent = http_form(req, "parent") ? form_id(req, "parent") : 0;
	const char *body = http_form(req, "body");
	if (!body)
		body = "";
	struct comment_subject subj;
	enum kq_err e = subject < 0 || parent < 0
		? KQ_ERR_NOT_FOUND
		: comments_subject_get(w->db, req->arena, kind, subject, &subj);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	struct field_errors fe = { 0 };
	struct comment c;
	e = comments_create(w->db, &w->actor, kind, subject, parent, body, req->arena, &fe, &c);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, comment_url(req, &subj, &c), "success",
				   "flash.comments.created");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID && e != KQ_ERR_COMMENTS_RATE_LIMITED) {
		web_error(req, res, e);
		return;
	}
	struct comments_form_view v = { .subject = &subj, .parent_id = parent, .body = body };
	show_form(req, res, e, &v, &fe);
}

/* The comment of the route's {id} that everyone may see; answers 404 itself. */
static bool load_comment(struct request *req, struct response *res, struct comment *c,
			 struct comment_subject *s)
{
	struct web *w = web_of(req);
	int64_t id = 0;
	enum kq_err e = KQ_ERR_NOT_FOUND;
	if (str_to_i64(http_param(req, "id"), &id) && id > 0)
		e = comments_get(w->db, &w->actor, req->arena, id, c, s);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

void web_comments_goto(struct request *req, struct response *res)
{
	struct comment c;
	struct comment_subject s;
	if (!load_comment(req, res, &c, &s))
		return;
	http_redirect(res, req->arena, comment_url(req, &s, &c));
}

void web_comments_edit_form(struct request *req, struct response *res)
{
	struct comment c;
	struct comment_subject s;
	if (!load_comment(req, res, &c, &s))
		return;
	if (!c.can_edit) {
		web_error(req, res, KQ_ERR_FORBIDDEN);
		return;
	}
	struct comments_form_view v = { .subject = &s, .c = &c, .body = c.body };
	view_comments_form(&res->body, req, &v);
}

void web_comments_update(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct comment c, after;
	struct comment_subject s;
	if (!load_comment(req, res, &c, &s))
		return;
	const char *body = http_form(req, "body");
	if (!body)
		body = "";
	struct field_errors fe = { 0 };
	enum kq_err e = comments_update(w->db, &w->actor, c.id, body, req->arena, &fe, &after);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, comment_url(req, &s, &c), "success",
				   "flash.comments.updated");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	struct comments_form_view v = { .subject = &s, .c = &c, .body = body };
	show_form(req, res, e, &v, &fe);
}

void web_comments_delete_form(struct request *req, struct response *res)
{
	struct comment c;
	struct comment_subject s;
	if (!load_comment(req, res, &c, &s))
		return;
	if (!c.can_delete) {
		web_error(req, res, KQ_ERR_FORBIDDEN);
		return;
	}
	view_comments_delete_confirm(&res->body, req, &s, &c);
}

void web_comments_delete(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct comment c;
	struct comment_subject s;
	if (!load_comment(req, res, &c, &s))
		return;
	enum kq_err e = comments_delete(w->db, &w->actor, c.id);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res,
			   arena_printf(req->arena, "%s#commentaires", view_comments_subject_path(req, &s)),
			   "success", "flash.comments.deleted");
}

/* "J'aime" on a post, a comment, an event or a campaign; back to where it was. */
void web_comments_react(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	const char *kind = http_form(req, "kind");
	int64_t id = form_id(req, "id");
	const char *on = http_form(req, "on");
	if (!reactions_kind_valid(kind) || id <= 0 || !on ||
	    (strcmp(on, "1") != 0 && strcmp(on, "0") != 0)) {
		web_error(req, res, KQ_ERR_BAD_REQUEST);
		return;
	}
	const char *back;
	struct comment_subject s;
	enum kq_err e;
	if (strcmp(kind, "comment") == 0) {
		struct comment c;
		e = comments_get(w->db, &w->actor, req->arena, id, &c, &s);
		back = e == KQ_OK ? comment_url(req, &s, &c) : NULL;
	} else {
		e = comments_subject_get(w->db, req->arena, kind, id, &s);
		back = e == KQ_OK ? arena_printf(req->arena, "%s#%s", view_comments_subject_path(req, &s),
						 strcmp(kind, "post") == 0 ? "jaime" : "commentaires")
				  : NULL;
	}
	if (e == KQ_OK)
		e = reactions_set(w->db, &w->actor, kind, id, on[0] == '1', NULL);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	http_redirect(res, req->arena, back);
}
