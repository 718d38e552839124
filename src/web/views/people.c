/* people.c (views): a person's public profile: the name they chose, the organisations they belong to, their posts */
#include "web/views/people.h"
#include "web/views/posts.h"
#include "base/i18n.h"
#include "base/timefmt.h"
#include <string.h>

static const char *page_url(struct request *req, const struct person *p, const char *cursor)
{
	if (!cursor)
		return arena_printf(req->arena, "/personnes/%lld", (long long)p->id);
	return arena_printf(req->arena, "/personnes/%lld?avant=%s", (long long)p->id,
			    url_arg(req->arena, cursor));
}

void view_people_show(struct buf *b, struct request *req, const struct people_show_view *v)
{
	const struct person *p = v->person;
	struct arena *a = req->arena;
	view_layout_start(b, req, p->display_name);
	html_fmt(b, "<div class=\"person-page\"><h1>%s</h1>", p->display_name);
	html_fmt(b, "<p class=\"lead\">%s %s</p>", web_t(req, "people.since"),
		 time_format_long(a, p->since, web_of(req)->lang));
	if (v->slot_follow.p)
		html_safe(b, v->slot_follow);
	if (p->norgs) {
		html_fmt(b, "<section aria-labelledby=\"h-person-orgs\"><h2 id=\"h-person-orgs\">%s</h2>"
			    "<ul class=\"person-orgs\">", web_t(req, "people.orgs"));
		for (int i = 0; i < p->norgs; i++) {
			const struct person_org *o = &p->orgs[i];
			HTML("<li><a");
			html_href(b, arena_printf(a, "/organisations/%s", url_arg(a, o->slug)));
			html_fmt(b, ">%s</a>", o->name);
			const char *key = arena_printf(a, "orgs.kind.%s", o->kind);
			if (i18n_has(key))
				html_fmt(b, " <span class=\"badge\">%s</span>", web_t(req, key));
			HTML("</li>");
		}
		HTML("</ul></section>");
	}
	html_fmt(b, "<section aria-labelledby=\"h-person-posts\"><h2 id=\"h-person-posts\">%s</h2>",
		 web_t(req, "people.posts"));
	if (!v->nposts) {
		html_fmt(b, "<p class=\"empty\">%s</p>", web_t(req, "people.no_posts"));
	} else {
		HTML("<ul class=\"post-list\">");
		for (int i = 0; i < v->nposts; i++)
			view_posts_card(b, req, &v->posts[i], 3);
		HTML("</ul>");
	}
	if (v->more || v->from_cursor) {
		html_fmt(b, "<nav class=\"pagination\" aria-label=\"%s\"><p class=\"actions\">",
			 web_t(req, "events.pagination.label"));
		if (v->from_cursor) {
			HTML("<a");
			html_href(b, page_url(req, p, NULL));
			html_fmt(b, ">%s</a>", web_t(req, "posts.wall.newest"));
		}
		if (v->more && v->nposts) {
			HTML("<a rel=\"next\"");
			html_href(b, page_url(req, p, posts_cursor(a, &v->posts[v->nposts - 1])));
			html_fmt(b, ">%s</a>", web_t(req, "posts.wall.older"));
		}
		HTML("</p></nav>");
	}
	HTML("</section></div>");
	view_layout_end(b, req);
}
