/* posts.c: the news wall ("Actualités"), a post's page and image, the organisation's post form, edit and delete.
 *
 * Handlers read the request, call core/posts.c (which decides who may see
 * and change what) and pick a view; after a change they redirect with a
 * flash message, so a reload never posts twice. The wall's filters live in
 * the query string: a plain GET form that works without JavaScript. */
#include "web/pages.h"
#include "web/views/posts.h"
#include "base/str.h"
#include <string.h>

static void news_nav(struct request *req)
{
	web_of(req)->nav = "news";
}

static const char *query_or_empty(struct request *req, const char *name)
{
	const char *v = http_query(req, name);
	return v && str_text_ok(v, 60, false) ? v : "";
}

void web_posts_wall(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	news_nav(req);
	struct posts_wall_view v = { .commune = query_or_empty(req, "commune"),
				     .kind = query_or_empty(req, "kind") };
	int64_t page = 1;
	if (!str_to_i64(http_query(req, "page"), &page) || page < 1 || page > 100000)
		page = 1;
	struct post_filter f = { .commune = v.commune, .kind = v.kind, .limit = POSTS_WALL_PAGE,
				 .offset = (int)(page - 1) * POSTS_WALL_PAGE };
	struct post *items;
	enum kq_err e = posts_wall(w->db, req->arena, &f, &items, &v.n, &v.total);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v.items = items;
	v.page = (int)page;
	v.pages = (int)((v.total + POSTS_WALL_PAGE - 1) / POSTS_WALL_PAGE);
	struct commune *c = NULL;
	if (territory_communes(w->db, req->arena, &c, &v.ncommunes) != KQ_OK)
		v.ncommunes = 0;
	v.communes = c;
	view_posts_wall(&res->body, req, &v);
}

/* The post named by the route's {slug}, as who may see it; answers 404 itself. */
static bool load_post(struct request *req, struct response *res, struct post *out)
{
	struct web *w = web_of(req);
	enum kq_err e = posts_get(w->db, &w->actor, req->arena, http_param(req, "slug"), out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

/* The post, when who may publish for it; answers the error itself. */
static bool load_own_post(struct request *req, struct response *res, struct post *out)
{
	struct web *w = web_of(req);
	if (!load_post(req, res, out))
		return false;
	enum kq_err e = posts_authorize(w->db, &w->actor, out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

void web_posts_show(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	news_nav(req);
	struct post p;
	if (!load_post(req, res, &p))
		return;
	struct posts_show_view v = { .p = &p };
	v.can_edit = w->actor.account_id && posts_authorize(w->db, &w->actor, &p) == KQ_OK;
	if (strcmp(p.status, "draft") == 0)
		http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	/* ---- page sections of other areas: one line each fills a slot of the view ---- */
	/* ---- end page sections ---- */
	view_posts_show(&res->body, req, &v);
}

void web_posts_image(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct upload u;
	enum kq_err e = posts_image_get(w->db, &w->actor, req->arena, http_param(req, "slug"), &u);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_send_upload(req, res, &u);
}

/* ---- create, edit, delete ------------------------------------------------------------------- */

static void form_input(struct request *req, struct post_input *in)
{
	memset(in, 0, sizeof(*in));
	in->title = http_form(req, "title");
	in->body = http_form(req, "body");
	in->status = http_form(req, "status");
	const struct form_field *file = http_file(req, "image");
	if (file && file->len) {
		in->image = file->value;
		in->image_len = file->len;
	}
	in->remove_image = http_form(req, "remove_image") != NULL;
	/* A form always sends these: an absent one is an empty one, not "keep". */
	if (!in->title)
		in->title = "";
	if (!in->body)
		in->body = "";
	if (!in->status)
		in->status = "";
}

static void show_form(struct request *req, struct response *res, int status,
		      const struct posts_form_view *v)
{
	res->status = status;
	buf_reset(&res->body);
	view_posts_form(&res->body, req, v);
}

/* The organisation of the route's {slug}; answers 404 itself. */
static bool load_org(struct request *req, struct response *res, struct org *out)
{
	enum kq_err e = orgs_get(web_of(req)->db, req->arena, http_param(req, "slug"), out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

void web_posts_new_form(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	news_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	enum kq_err e = orgs_authorize(w->db, &w->actor, o.id, ORG_ACT_PUBLISH);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	struct post_input in = { .status = "published" };
	struct posts_form_view v = { .org = &o, .values = &in };
	show_form(req, res, 200, &v);
}

void web_posts_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	news_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	struct post_input in;
	form_input(req, &in);
	struct field_errors fe = { 0 };
	struct post p;
	enum kq_err e = posts_create(w->db, &w->actor, o.id, &in, req->arena, &fe, &p);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, arena_printf(req->arena, "/actualites/%s", p.slug),
				   "success", "flash.posts.created");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	struct posts_form_view v = { .org = &o, .values = &in, .fe = &fe };
	show_form(req, res, err_http_status(e), &v);
}

void web_posts_edit_form(struct request *req, struct response *res)
{
	news_nav(req);
	struct post p;
	if (!load_own_post(req, res, &p))
		return;
	struct post_input in = { .title = p.title, .body = p.body, .status = p.status };
	struct posts_form_view v = { .p = &p, .values = &in };
	show_form(req, res, 200, &v);
}

void web_posts_update(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	news_nav(req);
	struct post p, after;
	if (!load_post(req, res, &p))
		return;
	struct post_input in;
	form_input(req, &in);
	struct field_errors fe = { 0 };
	enum kq_err e = posts_update(w->db, &w->actor, p.id, &in, req->arena, &fe, &after);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, arena_printf(req->arena, "/actualites/%s", p.slug),
				   "success", "flash.posts.updated");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	struct posts_form_view v = { .p = &p, .values = &in, .fe = &fe };
	show_form(req, res, err_http_status(e), &v);
}

void web_posts_delete_form(struct request *req, struct response *res)
{
	news_nav(req);
	struct post p;
	if (!load_own_post(req, res, &p))
		return;
	view_posts_delete_confirm(&res->body, req, &p);
}

void web_posts_delete(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	news_nav(req);
	struct post p;
	if (!load_post(req, res, &p))
		return;
	enum kq_err e = posts_delete(w->db, &w->actor, p.id);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, arena_printf(req->arena, "/organisations/%s",
						  url_arg(req->arena, p.org_slug)),
			   "success", "flash.posts.deleted");
}
