/* home.c: the home page (Accueil) and the sections whose content other modules bring */
#include "web/pages.h"
#include "web/views/views.h"
#include "core/orgs.h"
#include "core/territory.h"
#include <string.h>

/* One tile per kind of organisation, with how many there are: the shortest
 * way into the directory for someone who does not know what to search. */
static void directory_tiles(struct buf *b, struct request *req)
{
	struct web *w = web_of(req);
	const char *const *kinds = orgs_kinds();
	int64_t counts[ORGS_KIND_MAX];
	if (orgs_count_by_kind(w->db, counts) != KQ_OK)
		return;   /* the link to the whole directory still follows */
	HTML("<ul class=\"tiles\">");
	for (int i = 0; kinds[i] && i < ORGS_KIND_MAX; i++) {
		HTML("<li><a");
		html_href(b, arena_printf(req->arena, "/annuaire?kind=%s", url_arg(req->arena, kinds[i])));
		html_fmt(b, "><span class=\"tile-count\">%lld</span> <span class=\"tile-label\">%s</span></a></li>",
			 (long long)counts[i],
			 web_t(req, arena_printf(req->arena, "home.kind_plural.%s", kinds[i])));
	}
	HTML("</ul>");
}

void web_home(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct territory t = { 0 };
	struct buf *b = &res->body;
	w->nav = "home";
	if (territory_get(w->db, req->arena, &t) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	view_layout_start(b, req, web_t(req, "nav.home"));
	html_fmt(b, "<h1>%s</h1>", t.name);
	if (t.description && *t.description) {
		HTML("<div class=\"lead\">");
		html_safe(b, markdown_render(req->arena, t.description));
		HTML("</div>");
	}
	html_fmt(b, "<section aria-labelledby=\"h-directory\"><h2 id=\"h-directory\">%s</h2>",
		 web_t(req, "home.directory_title"));
	directory_tiles(b, req);
	html_fmt(b, "<p><a href=\"/annuaire\">%s</a></p></section>", web_t(req, "home.directory_more"));
	html_fmt(b, "<section aria-labelledby=\"h-join\"><h2 id=\"h-join\">%s</h2><p>%s</p>",
		 web_t(req, "home.join_title"), web_t(req, "home.join_text"));
	if (w->actor.account_id)
		html_fmt(b, "<p><a class=\"button\" href=\"/organisations/nouvelle\">%s</a></p>",
			 web_t(req, "home.create_org"));
	else
		html_fmt(b, "<p><a class=\"button\" href=\"/inscription\">%s</a></p>",
			 web_t(req, "user.signup"));
	HTML("</section>");
	view_layout_end(b, req);
}
