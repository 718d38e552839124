/* posts.c (views): the news wall ("Actualités"), a post's page with Open Graph, its form, the delete confirmation, an organisation's latest posts */
#include "web/views/posts.h"
#include "web/views/orgs.h"
#include "base/i18n.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

/* Markup literal from this file into another buffer than b (the head). */

const char *view_posts_image_url(struct request *req, const struct post *p,
				 const struct post_image *im, bool thumb)
{
	/* The hash in the URL changes with the image, so browsers may keep each version. */
	return arena_printf(req->arena, "/actualites/%s/images/%d%s?v=%.16s",
			    url_arg(req->arena, p->slug), im->position, thumb ? "/vignette" : "",
			    thumb ? im->thumb_sha256 : im->sha256);
}

/* width="" height="" when known, so that the page does not jump as images arrive. */
static void image_size_attrs(struct buf *b, int w, int h)
{
	if (w > 0 && h > 0)
		html_fmt(b, " width=\"%d\" height=\"%d\"", w, h);
}

static const char *post_path(struct request *req, const struct post *p, const char *tail)
{
	return arena_printf(req->arena, "/actualites/%s%s", url_arg(req->arena, p->slug), tail);
}

static const char *org_path(struct request *req, const char *slug, const char *tail)
{
	return arena_printf(req->arena, "/organisations/%s%s", url_arg(req->arena, slug), tail);
}

static const char *logo_url(struct request *req, const struct post *p)
{
	struct org o = { .slug = p->org_slug, .logo_sha256 = p->org_logo_sha256 };
	return view_orgs_logo_url(req, &o);
}

static const char *kind_label(struct request *req, const char *kind)
{
	const char *key = arena_printf(req->arena, "orgs.kind.%s", kind);
	return i18n_has(key) ? web_t(req, key) : kind;
}

/* <time> of the post's publication (its last change for a draft), in the territory's zone. */
static void post_time(struct buf *b, struct request *req, const struct post *p)
{
	int64_t t = p->published_at ? p->published_at : p->updated_at;
	HTML("<time");
	html_attr(b, "datetime", time_format_iso(req->arena, t));
	html_fmt(b, ">%s</time>", time_format_long(req->arena, t, web_of(req)->lang));
}

/* The first POSTS_EXCERPT_CHARS code points of the body, cut at a space,
 * rendered by cmark in safe mode (a cut emphasis shows its asterisks, no more). */
static struct safe_html excerpt(struct arena *a, const char *body, bool *out_cut)
{
	size_t k = 0, cp = 0, last_space = 0;
	while (body[k] && cp < POSTS_EXCERPT_CHARS) {
		if (body[k] == ' ' || body[k] == '\n')
			last_space = k;
		k++;
		if (((unsigned char)body[k] & 0xc0) != 0x80)
			cp++;
	}
	*out_cut = body[k] != 0;
	if (!*out_cut)
		return markdown_render(a, body);
	if (last_space > 0)
		k = last_space;
	return markdown_render(a, arena_printf(a, "%.*s …", (int)k, body));
}

static const char *person_path(struct request *req, int64_t id)
{
	return arena_printf(req->arena, "/personnes/%lld", (long long)id);
}

/* Who published: the organisation's logo and name linked to its page, or
 * the citizen's name linked to their profile; then the date. */
static void byline(struct buf *b, struct request *req, const struct post *p)
{
	HTML("<p class=\"post-byline\">");
	if (p->org_id) {
		HTML("<a class=\"post-org\"");
		html_href(b, org_path(req, p->org_slug, ""));
		HTML("><img class=\"post-logo\" width=\"40\" height=\"40\" alt=\"\"");
		html_attr(b, "src", logo_url(req, p));
		html_fmt(b, "><span>%s</span></a> ", p->org_name);
		if (*p->commune_name)
			html_fmt(b, "<span class=\"post-commune\">%s</span> ", p->commune_name);
	} else if (*p->author_name) {
		html_fmt(b, "<span class=\"post-person\">%s ", web_t(req, "posts.show.by_citizen"));
		if (p->author_public) {
			HTML("<a");
			html_href(b, person_path(req, p->author_id));
			html_fmt(b, ">%s</a>", p->author_name);
		} else {
			html_text(b, p->author_name);
		}
		HTML("</span> ");
	}
	post_time(b, req, p);
	HTML("</p>");
}

/* ---- the wall -------------------------------------------------------------------------------- */

/* The wall with the filters of v and, when given, a cursor. */
static const char *wall_url(struct request *req, const struct posts_wall_view *v,
			    const char *cursor)
{
	struct arena *a = req->arena;
	char *u = arena_strdup(a, "");
	if (*v->commune)
		u = arena_printf(a, "commune=%s", url_arg(a, v->commune));
	if (*v->kind)
		u = arena_printf(a, "%s%skind=%s", u, *u ? "&" : "", url_arg(a, v->kind));
	if (cursor)
		u = arena_printf(a, "%s%savant=%s", u, *u ? "&" : "", url_arg(a, cursor));
	return *u ? arena_printf(a, "/actualites?%s", u) : "/actualites";
}

static void wall_filters(struct buf *b, struct request *req, const struct posts_wall_view *v)
{
	struct arena *a = req->arena;
	html_fmt(b, "<form class=\"stack filters post-filters\" method=\"get\" action=\"/actualites\""
		    " role=\"search\" aria-label=\"%s\">", web_t(req, "posts.wall.filters"));
	struct form_ctx fc = { b, req, NULL };
	const char **co = arena_alloc(a, sizeof(*co) * (size_t)(2 * v->ncommunes + 3));
	int k = 0;
	co[k++] = "";
	co[k++] = web_t(req, "posts.wall.any_commune");
	for (int i = 0; i < v->ncommunes; i++) {
		co[k++] = v->communes[i].insee;
		co[k++] = v->communes[i].name;
	}
	co[k] = NULL;
	struct field_spec c = { "commune", "posts.wall.commune", "select", v->commune, NULL, NULL,
				false, 0, true };
	form_select(&fc, &c, co);
	const char *const *kinds = orgs_kinds();
	int nk = 0;
	while (kinds[nk])
		nk++;
	const char **ko = arena_alloc(a, sizeof(*ko) * (size_t)(2 * nk + 5));
	k = 0;
	ko[k++] = "";
	ko[k++] = "posts.wall.any_kind";
	for (int i = 0; i < nk; i++) {
		ko[k++] = kinds[i];
		ko[k++] = arena_printf(a, "orgs.kind.%s", kinds[i]);
	}
	ko[k++] = "citizen";
	ko[k++] = "posts.wall.kind_citizen";
	ko[k] = NULL;
	struct field_spec kd = { "kind", "posts.wall.kind", "select", v->kind, NULL, NULL, false, 0 };
	form_select(&fc, &kd, ko);
	html_fmt(b, "<p class=\"actions\"><button type=\"submit\">%s</button></p></form>",
		 web_t(req, "posts.wall.filter"));
}

void view_posts_card(struct buf *b, struct request *req, const struct post *p, int level)
{
	HTML("<li><article class=\"card post-card\"");
	html_attr(b, "aria-labelledby", arena_printf(req->arena, "h-post-%lld", (long long)p->id));
	HTML(">");
	html_fmt(b, "<h%d id=\"h-post-%lld\"><a", level, (long long)p->id);
	html_href(b, post_path(req, p, ""));
	html_fmt(b, ">%s</a></h%d>", p->title, level);
	byline(b, req, p);
	if (p->cover.id) {
		HTML("<p class=\"post-thumbs\"><img class=\"post-thumb\" loading=\"lazy\"");
		html_attr(b, "src", view_posts_image_url(req, p, &p->cover, true));
		html_attr(b, "alt", p->cover.alt);
		image_size_attrs(b, p->cover.thumb_width, p->cover.thumb_height);
		HTML(">");
		if (p->image_count > 1)
			html_fmt(b, "<span class=\"badge\">+%d %s</span>", p->image_count - 1,
				 web_t(req, "posts.wall.photos"));
		HTML("</p>");
	}
	bool cut;
	HTML("<div class=\"post-excerpt\">");
	html_safe(b, excerpt(req->arena, p->body, &cut));
	HTML("</div>");
	if (cut) {
		HTML("<p><a");
		html_href(b, post_path(req, p, ""));
		html_fmt(b, ">%s<span class=\"visually-hidden\"> : %s</span></a></p>",
			 web_t(req, "posts.wall.read_more"), p->title);
	}
	HTML("</article></li>");
}

static void link_alternate(struct buf *h, const char *title, const char *href)
{
	HTML_TO(h, "<link rel=\"alternate\" type=\"application/atom+xml\"");
	html_attr(h, "title", title);
	html_attr(h, "href", href);
	HTML_TO(h, ">");
}

void view_posts_wall(struct buf *b, struct request *req, const struct posts_wall_view *v)
{
	web_of(req)->nav = "news";
	struct buf head = BUF_INIT;
	link_alternate(&head, web_t(req, "posts.feed.link"), "/actualites.atom");
	view_layout_start_head(b, req, web_t(req, "nav.news"),
			       (struct safe_html){ buf_str(&head), head.len });
	buf_free(&head);
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", web_t(req, "nav.news"),
		 web_t(req, "posts.wall.lead"));
	HTML("<p class=\"actions\">");
	if (v->can_write) {
		HTML("<a class=\"button\" href=\"/actualites/nouvelle\">");
		html_fmt(b, "%s</a> ", web_t(req, "posts.wall.write"));
	}
	html_fmt(b, "<a href=\"/actualites.atom\" type=\"application/atom+xml\">%s</a></p>",
		 web_t(req, "posts.feed.link"));
	wall_filters(b, req, v);
	if (!v->n) {
		html_fmt(b, "<p class=\"empty\">%s</p>", web_t(req, "posts.wall.empty"));
	} else {
		if (v->total > POSTS_WALL_COUNT_MAX)
			html_fmt(b, "<p class=\"count\" role=\"status\">%s %s</p><ul class=\"post-list\">",
				 web_t(req, "posts.wall.count"), web_t(req, "posts.wall.count_many"));
		else
			html_fmt(b, "<p class=\"count\" role=\"status\">%s %lld</p><ul class=\"post-list\">",
				 web_t(req, "posts.wall.count"), (long long)v->total);
		for (int i = 0; i < v->n; i++)
			view_posts_card(b, req, &v->items[i], 2);
		HTML("</ul>");
	}
	if (v->more || v->from_cursor) {
		html_fmt(b, "<nav class=\"pagination\" aria-label=\"%s\"><p class=\"actions\">",
			 web_t(req, "events.pagination.label"));
		if (v->from_cursor) {
			HTML("<a");
			html_href(b, wall_url(req, v, NULL));
			html_fmt(b, ">%s</a>", web_t(req, "posts.wall.newest"));
		}
		if (v->more && v->n) {
			HTML("<a rel=\"next\"");
			html_href(b, wall_url(req, v, posts_cursor(req->arena, &v->items[v->n - 1])));
			html_fmt(b, ">%s</a>", web_t(req, "posts.wall.older"));
		}
		HTML("</p></nav>");
	}
	view_layout_end(b, req);
}

/* ---- a post ------------------------------------------------------------------------------------ */

static void meta(struct buf *b, const char *attr, const char *name, const char *content)
{
	HTML("<meta");
	html_attr(b, attr, name);
	html_attr(b, "content", content);
	HTML(">");
}

/* The text of the rendered body for a description: tags dropped, the
 * entities cmark writes decoded (the result is escaped again where it goes),
 * runs of white space made one space. */
static const char *plain_text(struct arena *a, const char *html)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&#39;", '\'' },
	};
	char *out = arena_alloc(a, strlen(html) + 1);
	size_t n = 0;
	bool space = false;
	for (const char *s = html; *s;) {
		if (*s == '<') {
			while (*s && *s != '>')
				s++;
			if (*s)
				s++;
			space = n > 0;
			continue;
		}
		char c = *s;
		size_t adv = 1;
		if (c == '&')
			for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
				if (strncmp(s, ents[i].ent, strlen(ents[i].ent)) == 0) {
					c = ents[i].c;
					adv = strlen(ents[i].ent);
					break;
				}
		s += adv;
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
			space = n > 0;
			continue;
		}
		if (space)
			out[n++] = ' ';
		space = false;
		out[n++] = c;
	}
	out[n] = 0;
	return out;
}

/* The head of a post's page: description, canonical URL, Open Graph and Twitter cards. */
static void post_head(struct buf *h, struct request *req, const struct post *p)
{
	struct arena *a = req->arena;
	struct web *w = web_of(req);
	const char *url = arena_printf(a, "%s%s", core_settings()->base_url, post_path(req, p, ""));
	const char *desc = plain_text(a, html_stored_markdown(a, p->body_html, p->body).p);
	if (str_utf8_len(desc) > 200) {
		/* Cut on a character boundary: 200 code points are at most 800 bytes. */
		size_t k = 0, cp = 0;
		while (desc[k] && cp < 197) {
			k++;
			if (((unsigned char)desc[k] & 0xc0) != 0x80)
				cp++;
		}
		desc = arena_printf(a, "%.*s…", (int)k, desc);
	}
	desc = arena_printf(a, "%s · %s", p->org_id ? p->org_name : p->author_name, desc);
	meta(h, "name", "description", desc);
	HTML_TO(h, "<link rel=\"canonical\"");
	html_attr(h, "href", url);
	HTML_TO(h, ">");
	if (strcmp(p->status, "draft") == 0 || p->hidden_at)
		meta(h, "name", "robots", "noindex");
	meta(h, "property", "og:type", "article");
	meta(h, "property", "og:site_name", w->territory_name ? w->territory_name : "Kiosque");
	meta(h, "property", "og:title", p->title);
	meta(h, "property", "og:description", desc);
	meta(h, "property", "og:url", url);
	meta(h, "property", "og:locale", strcmp(w->lang, "en") == 0 ? "en_GB" : "fr_FR");
	if (p->published_at)
		meta(h, "property", "article:published_time", time_format_iso(a, p->published_at));
	const char *img = p->cover.id ? view_posts_image_url(req, p, &p->cover, false) : NULL;
	if (img) {
		meta(h, "property", "og:image",
		     arena_printf(a, "%s%s", core_settings()->base_url, img));
		meta(h, "property", "og:image:alt", *p->cover.alt ? p->cover.alt : p->title);
	}
	meta(h, "name", "twitter:card", img ? "summary_large_image" : "summary");
	meta(h, "name", "twitter:title", p->title);
	meta(h, "name", "twitter:description", desc);
}

void view_posts_show(struct buf *b, struct request *req, const struct posts_show_view *v)
{
	const struct post *p = v->p;
	web_of(req)->nav = "news";
	struct buf head = BUF_INIT;
	post_head(&head, req, p);
	if (p->org_id)
		link_alternate(&head, web_t(req, "posts.feed.org_link"),
			       org_path(req, p->org_slug, "/actualites.atom"));
	else
		link_alternate(&head, web_t(req, "posts.feed.link"), "/actualites.atom");
	view_layout_start_head(b, req, p->title, (struct safe_html){ buf_str(&head), head.len });
	buf_free(&head);
	HTML("<article class=\"post-page\" aria-labelledby=\"h-post\">");
	html_fmt(b, "<p class=\"breadcrumb\"><a href=\"/actualites\">%s</a></p>", web_t(req, "nav.news"));
	html_fmt(b, "<h1 id=\"h-post\">%s</h1>", p->title);
	byline(b, req, p);
	if (p->hidden_at)
		html_fmt(b, "<div class=\"flash flash-info\" role=\"status\"><p>%s</p></div>",
			 web_t(req, "posts.show.hidden_notice"));
	if (strcmp(p->status, "draft") == 0)
		html_fmt(b, "<div class=\"flash flash-info\" role=\"status\"><p>%s</p></div>",
			 web_t(req, "posts.show.draft_notice"));
	if (v->can_edit) {
		html_fmt(b, "<p class=\"actions\"><a class=\"button\"");
		html_href(b, post_path(req, p, "/modifier"));
		html_fmt(b, ">%s</a><a class=\"button secondary\"", web_t(req, "posts.show.edit"));
		html_href(b, post_path(req, p, "/supprimer"));
		html_fmt(b, ">%s</a></p>", web_t(req, "posts.show.delete"));
	}
	if (v->slot_tools.p)
		html_safe(b, v->slot_tools);
	if (p->nimages) {
		html_fmt(b, "<div class=\"post-images post-images-%d\">", p->nimages);
		for (int i = 0; i < p->nimages; i++) {
			const struct post_image *im = &p->images[i];
			HTML("<figure class=\"post-figure\"><img class=\"post-image\"");
			html_attr(b, "src", view_posts_image_url(req, p, im, false));
			html_attr(b, "alt", im->alt);
			image_size_attrs(b, im->width, im->height);
			if (i > 0)
				HTML(" loading=\"lazy\"");
			HTML("></figure>");
		}
		HTML("</div>");
	}
	HTML("<div class=\"post-body prose\">");
	html_safe(b, html_stored_markdown(req->arena, p->body_html, p->body));
	HTML("</div>");
	if (v->slot_reactions.p)
		html_safe(b, v->slot_reactions);
	if (p->org_id) {
		html_fmt(b, "<p class=\"post-kind\">%s · <a", kind_label(req, p->org_kind));
		html_href(b, org_path(req, p->org_slug, ""));
		html_fmt(b, ">%s</a></p>", web_t(req, "posts.show.org_page"));
	}
	HTML("<p class=\"post-report\"><a");
	html_href(b, arena_printf(req->arena, "/signaler?type=post&id=%lld", (long long)p->id));
	html_fmt(b, ">%s<span class=\"visually-hidden\"> %s</span></a></p>",
		 web_t(req, "posts.show.report"), web_t(req, "posts.show.report_hint"));
	if (v->slot_comments.p)
		html_safe(b, v->slot_comments);
	HTML("</article>");
	view_layout_end(b, req);
}

/* ---- the form ------------------------------------------------------------------------------- */

static const char *const form_labels[] = {
	"title", "posts.field.title", "body", "posts.field.body", "status", "posts.field.status",
	"images", "posts.field.images", NULL
};

/* A field the form helpers cannot write: its label is text of ours plus a
 * number ("Image 2"). Same markup as form_field: label, hint, error, and
 * aria-describedby tying them to the input. */
static void numbered_field(struct form_ctx *fc, const char *name, const char *label, int num,
			   const char *type, const char *value, const char *hint_key, int maxlength)
{
	struct buf *b = fc->b;
	struct request *req = fc->req;
	const char *err = field_error_get(fc->fe, name);
	html_fmt(b, "<div class=\"field%s\"><label for=\"f-%s\">", err ? " has-error" : "", name);
	if (num > 0)
		html_fmt(b, "%s %d", label, num);
	else
		html_text(b, label);
	html_fmt(b, " <span class=\"optional\">(%s)</span></label>", web_t(req, "common.optional"));
	char *ids = arena_strdup(req->arena, "");
	if (hint_key) {
		html_fmt(b, "<p class=\"hint\" id=\"h-%s\">%s</p>", name, web_t(req, hint_key));
		ids = arena_printf(req->arena, "h-%s", name);
	}
	if (err) {
		html_fmt(b, "<p class=\"field-error\" id=\"e-%s\">%s</p>", name, web_t(req, err));
		ids = arena_printf(req->arena, "%s%se-%s", ids, *ids ? " " : "", name);
	}
	HTML("<input");
	html_attr(b, "type", type);
	html_attr(b, "id", arena_printf(req->arena, "f-%s", name));
	html_attr(b, "name", name);
	if (err)
		HTML(" aria-invalid=\"true\"");
	if (*ids)
		html_attr(b, "aria-describedby", ids);
	if (strcmp(type, "file") == 0)
		html_attr(b, "accept", "image/png,image/jpeg,image/webp");
	else
		html_attr(b, "value", value ? value : "");
	if (maxlength > 0)
		html_fmt(b, " maxlength=\"%d\"", maxlength);
	HTML("></div>");
}

/* The alt text typed for images[k] (when the form comes back with errors). */
static const char *typed_alt(const struct post_input *in, int k)
{
	return k < in->nimages && in->images[k].alt ? in->images[k].alt : "";
}

static bool removing(const struct post_input *in, int64_t id)
{
	for (int i = 0; i < in->nremove; i++)
		if (in->remove_image_ids[i] == id)
			return true;
	return false;
}

static const char *alt_value(const struct post_input *in, const struct post_image *im)
{
	for (int i = 0; i < in->nalts; i++)
		if (in->alts[i].image_id == im->id && in->alts[i].alt)
			return in->alts[i].alt;
	return im->alt;
}

static void images_fieldset(struct form_ctx *fc, const struct posts_form_view *v)
{
	struct buf *b = fc->b;
	struct request *req = fc->req;
	struct arena *a = req->arena;
	const char *err = field_error_get(fc->fe, "images");
	html_fmt(b, "<fieldset class=\"post-images-fields\" id=\"f-images\"><legend>%s</legend>"
		    "<p class=\"hint\">%s</p>", web_t(req, "posts.field.images"),
		 web_t(req, "posts.field.images_hint"));
	if (err)
		html_fmt(b, "<p class=\"field-error\">%s</p>", web_t(req, err));
	int have = v->p ? v->p->nimages : 0;
	if (have) {
		html_fmt(b, "<p>%s</p><ul class=\"post-current-images\">",
			 web_t(req, "posts.field.current_images"));
		for (int i = 0; i < have; i++) {
			const struct post_image *im = &v->p->images[i];
			HTML("<li><img class=\"post-thumb\"");
			html_attr(b, "src", view_posts_image_url(req, v->p, im, true));
			html_attr(b, "alt", im->alt);
			image_size_attrs(b, im->thumb_width, im->thumb_height);
			HTML(">");
			const char *name = arena_printf(a, "alt_image_%lld", (long long)im->id);
			numbered_field(fc, name, web_t(req, "posts.field.alt"), i + 1, "text",
				       alt_value(v->values, im), NULL, POSTS_ALT_MAX);
			const char *rid = arena_printf(a, "f-remove_image_%lld", (long long)im->id);
			HTML("<div class=\"field\"><input type=\"checkbox\" value=\"1\"");
			html_attr(b, "id", rid);
			html_attr(b, "name", arena_printf(a, "remove_image_%lld", (long long)im->id));
			if (removing(v->values, im->id))
				HTML(" checked");
			HTML("> <label");
			html_attr(b, "for", rid);
			html_fmt(b, ">%s %d</label></div></li>", web_t(req, "posts.field.remove_this_image"),
				 i + 1);
		}
		HTML("</ul>");
	}
	/* A slot per image that may still be added (all four when some are being removed). */
	int slots = POSTS_IMAGES_MAX - have + v->values->nremove;
	if (slots > POSTS_IMAGES_MAX)
		slots = POSTS_IMAGES_MAX;
	for (int k = 0; k < slots; k++) {
		HTML("<div class=\"post-image-slot\">");
		numbered_field(fc, arena_printf(a, "image_%d", k + 1), web_t(req, "posts.field.image_n"),
			       k + 1, "file", NULL, k == 0 ? "posts.field.image_hint" : NULL, 0);
		numbered_field(fc, arena_printf(a, "alt_%d", k + 1), web_t(req, "posts.field.alt"), k + 1,
			       "text", typed_alt(v->values, k), k == 0 ? "posts.field.alt_hint" : NULL,
			       POSTS_ALT_MAX);
		HTML("</div>");
	}
	HTML("</fieldset>");
}

void view_posts_form(struct buf *b, struct request *req, const struct posts_form_view *v)
{
	struct arena *a = req->arena;
	const struct post_input *in = v->values;
	bool citizen = v->p ? !v->p->org_id : !v->org;
	const char *title = web_t(req, v->p ? "posts.edit.title"
					    : citizen ? "posts.new.citizen_title" : "posts.new.title");
	const char *who = v->p ? (citizen ? v->p->author_name : v->p->org_name)
			       : citizen ? "" : v->org->name;
	web_of(req)->nav = "news";
	view_layout_start(b, req, *who ? arena_printf(a, "%s · %s", title, who) : title);
	html_fmt(b, "<h1>%s</h1>", title);
	if (v->p) {
		HTML("<p class=\"lead\"><a");
		html_href(b, post_path(req, v->p, ""));
		html_fmt(b, ">%s</a></p>", v->p->title);
	} else if (citizen) {
		html_fmt(b, "<p class=\"lead\">%s</p>", web_t(req, "posts.new.citizen_lead"));
	} else {
		HTML("<p class=\"lead\"><a");
		html_href(b, org_path(req, v->org->slug, ""));
		html_fmt(b, ">%s</a></p>", v->org->name);
	}

	struct form_ctx fc = { b, req, v->fe };
	const char *action = v->p ? post_path(req, v->p, "/modifier")
			   : citizen ? "/actualites" : org_path(req, v->org->slug, "/actualites");
	form_start(&fc, action, true);
	form_errors_summary(&fc, form_labels);
	struct field_spec t = { "title", "posts.field.title", "text", in->title, NULL, "off", true,
				POSTS_TITLE_MAX };
	form_field(&fc, &t);
	struct field_spec bd = { "body", "posts.field.body", "textarea", in->body,
				 "posts.field.body_hint", NULL, false, POSTS_BODY_MAX };
	form_field(&fc, &bd);
	static const char *const status_options[] = { "published", "posts.status.published", "draft",
						      "posts.status.draft", NULL };
	struct field_spec st = { "status", "posts.field.status", "select", in->status,
				 "posts.field.status_hint", NULL, true, 0 };
	form_select(&fc, &st, status_options);
	images_fieldset(&fc, v);
	form_end(&fc, v->p ? "posts.edit.submit" : "posts.new.submit");
	view_layout_end(b, req);
}

void view_posts_delete_confirm(struct buf *b, struct request *req, const struct post *p)
{
	web_of(req)->nav = "news";
	const char *title = web_t(req, "posts.delete.title");
	view_layout_start(b, req, arena_printf(req->arena, "%s · %s", title, p->title));
	html_fmt(b, "<h1>%s</h1><p>%s</p><p class=\"lead\"><a", title, web_t(req, "posts.delete.lead"));
	html_href(b, post_path(req, p, ""));
	html_fmt(b, ">%s</a></p>", p->title);
	HTML("<div class=\"actions\">");
	form_button(b, req, post_path(req, p, "/supprimer"), "posts.delete.confirm", "button danger");
	HTML("<p><a");
	html_href(b, post_path(req, p, ""));
	html_fmt(b, ">%s</a></p></div>", web_t(req, "posts.delete.cancel"));
	view_layout_end(b, req);
}

/* ---- an organisation's latest ---------------------------------------------------------------- */

void view_posts_org_latest(struct buf *b, struct request *req, const struct org *o,
			   const struct post *items, int n, bool can_publish)
{
	if (!n && !can_publish)
		return;
	html_fmt(b, "<section class=\"org-posts\" aria-labelledby=\"h-org-posts\"><h2 id=\"h-org-posts\">%s</h2>",
		 web_t(req, "posts.org.title"));
	if (n) {
		HTML("<ul class=\"post-list compact\">");
		for (int i = 0; i < n; i++) {
			const struct post *p = &items[i];
			HTML("<li><a");
			html_href(b, post_path(req, p, ""));
			html_fmt(b, ">%s</a> ", p->title);
			if (strcmp(p->status, "draft") == 0)
				html_fmt(b, "<span class=\"badge\">%s</span> ", web_t(req, "posts.status.draft"));
			post_time(b, req, p);
			HTML("</li>");
		}
		HTML("</ul>");
	}
	HTML("<p class=\"actions\">");
	if (n) {
		HTML("<a");
		html_href(b, "/actualites");
		html_fmt(b, ">%s</a> ", web_t(req, "posts.org.wall"));
	}
	if (can_publish) {
		HTML("<a class=\"button\"");
		html_href(b, org_path(req, o->slug, "/actualites/nouvelle"));
		html_fmt(b, ">%s</a>", web_t(req, "posts.org.new"));
	}
	HTML("</p></section>");
}
