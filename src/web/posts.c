/* posts.c: the news wall ("Actualités") with its cursor, the Atom feeds, a post's page and images, the post forms (organisation or citizen), edit and delete.
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
				     .kind = query_or_empty(req, "kind"),
				     .can_write = w->actor.account_id != 0 };
	struct post_filter f = { .commune = v.commune, .kind = v.kind, .limit = POSTS_WALL_PAGE };
	const char *cursor = http_query(req, "avant");
	if (cursor && *cursor) {
		/* A cursor that does not read is a stale or mangled link: start from the newest. */
		v.from_cursor = posts_cursor_parse(cursor, &f.before_published_at, &f.before_id);
	}
	struct post *items;
	enum kq_err e = posts_wall(w->db, req->arena, &f, &items, &v.n, &v.total, &v.more);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v.items = items;
	struct commune *c = NULL;
	if (territory_communes(w->db, req->arena, &c, &v.ncommunes) != KQ_OK)
		v.ncommunes = 0;
	v.communes = c;
	view_posts_wall(&res->body, req, &v);
}

/* ---- Atom feeds ---------------------------------------------------------------------------------- */

#define POSTS_FEED_MAX 50

static void send_feed(struct request *req, struct response *res, const char *title,
		      const char *self_path, const char *page_path, const struct post_filter *f)
{
	struct web *w = web_of(req);
	struct post *items;
	int n;
	int64_t total;
	bool more;
	enum kq_err e = posts_wall(w->db, req->arena, f, &items, &n, &total, &more);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	const char *base = core_settings()->base_url;
	struct feed_info fi = { w->lang, title, arena_printf(req->arena, "%s%s", base, self_path),
				arena_printf(req->arena, "%s%s", base, page_path), base,
				w->territory_name ? w->territory_name : "Kiosque" };
	res->status = 200;
	res->content_type = "application/atom+xml; charset=utf-8";
	http_set_header(res, req->arena, "Cache-Control", "public, max-age=300");
	feeds_atom_posts(&res->body, req->arena, &fi, items, n);
}

void web_posts_feed(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct post_filter f = { .limit = POSTS_FEED_MAX };
	send_feed(req, res,
		  arena_printf(req->arena, "%s · %s", web_t(req, "posts.feed.title"),
			       w->territory_name ? w->territory_name : "Kiosque"),
		  "/actualites.atom", "/actualites", &f);
}

void web_posts_org_feed(struct request *req, struct response *res)
{
	struct org o;
	enum kq_err e = orgs_get(web_of(req)->db, req->arena, http_param(req, "slug"), &o);
	if (e == KQ_OK && o.hidden_at)
		e = KQ_ERR_NOT_FOUND;
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	struct post_filter f = { .org_id = o.id, .limit = POSTS_FEED_MAX };
	const char *page = arena_printf(req->arena, "/organisations/%s", url_arg(req->arena, o.slug));
	send_feed(req, res, arena_printf(req->arena, "%s · %s", web_t(req, "posts.feed.title"), o.name),
		  arena_printf(req->arena, "%s/actualites.atom", page), page, &f);
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
	/* A draft, or a post hidden by moderators (seen by them only): never kept by a cache. */
	if (strcmp(p.status, "draft") == 0 || p.hidden_at)
		http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	/* ---- page sections of other areas: one line each fills a slot of the view ---- */
	v.slot_tools = web_follows_post_tools(req, &p);
	v.slot_reactions = web_comments_like_post(req, p.id);
	v.slot_comments = web_comments_section(req, "post", p.id);
	/* ---- end page sections ---- */
	view_posts_show(&res->body, req, &v);
}

static void send_image(struct request *req, struct response *res, int position, bool thumb)
{
	struct web *w = web_of(req);
	struct upload u;
	enum kq_err e = posts_image_get(w->db, &w->actor, req->arena, http_param(req, "slug"),
					position, thumb, &u);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_send_upload(req, res, &u);
}

/* The address of the single image posts had before 0020: their first one. */
void web_posts_image(struct request *req, struct response *res)
{
	send_image(req, res, 1, false);
}

static int route_position(struct request *req)
{
	int64_t n = 0;
	if (!str_to_i64(http_param(req, "n"), &n) || n < 1 || n > POSTS_IMAGES_MAX)
		return 0;
	return (int)n;
}

void web_posts_image_n(struct request *req, struct response *res)
{
	send_image(req, res, route_position(req), false);
}

void web_posts_thumb_n(struct request *req, struct response *res)
{
	send_image(req, res, route_position(req), true);
}

/* ---- create, edit, delete ------------------------------------------------------------------- */

/* The post form's fields. cur: the post being edited (its images' alt
 * and remove fields), NULL for a new one. */
static void form_input(struct request *req, const struct post *cur, struct post_input *in)
{
	struct arena *a = req->arena;
	memset(in, 0, sizeof(*in));
	in->title = http_form(req, "title");
	in->body = http_form(req, "body");
	in->status = http_form(req, "status");
	/* The slots image_1..4 keep their numbers, so errors land next to the right one. */
	struct post_image_input *im = arena_alloc(a, sizeof(*im) * POSTS_IMAGES_MAX);
	int last = 0;
	for (int k = 0; k < POSTS_IMAGES_MAX; k++) {
		const struct form_field *file = http_file(req, arena_printf(a, "image_%d", k + 1));
		im[k].alt = http_form(req, arena_printf(a, "alt_%d", k + 1));
		if (file && file->len) {
			im[k].bytes = file->value;
			im[k].len = file->len;
		}
		if (im[k].len || (im[k].alt && *im[k].alt))
			last = k + 1;
	}
	in->images = im;
	in->nimages = last;
	if (cur && cur->nimages) {
		int64_t *rm = arena_alloc(a, sizeof(*rm) * (size_t)cur->nimages);
		struct post_image_alt *alts = arena_alloc(a, sizeof(*alts) * (size_t)cur->nimages);
		for (int i = 0; i < cur->nimages; i++) {
			int64_t id = cur->images[i].id;
			if (http_form(req, arena_printf(a, "remove_image_%lld", (long long)id)))
				rm[in->nremove++] = id;
			const char *alt = http_form(req, arena_printf(a, "alt_image_%lld", (long long)id));
			if (alt && strcmp(alt, cur->images[i].alt) != 0 && !(*alt == 0 && !*cur->images[i].alt))
				alts[in->nalts++] = (struct post_image_alt){ id, alt };
		}
		in->remove_image_ids = rm;
		in->alts = alts;
	}
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
	form_input(req, NULL, &in);
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

void web_posts_citizen_form(struct request *req, struct response *res)
{
	news_nav(req);
	struct post_input in = { .status = "published" };
	struct posts_form_view v = { .values = &in };
	show_form(req, res, 200, &v);
}

void web_posts_citizen_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	news_nav(req);
	struct post_input in;
	form_input(req, NULL, &in);
	struct field_errors fe = { 0 };
	struct post p;
	enum kq_err e = posts_create(w->db, &w->actor, 0, &in, req->arena, &fe, &p);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, arena_printf(req->arena, "/actualites/%s", p.slug),
				   "success", "flash.posts.created");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	struct posts_form_view v = { .values = &in, .fe = &fe };
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
	form_input(req, &p, &in);
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
	web_redirect_flash(req, res, p.org_id ? arena_printf(req->arena, "/organisations/%s",
							     url_arg(req->arena, p.org_slug))
					      : "/actualites",
			   "success", "flash.posts.deleted");
}
