/* home.c: the home page (Accueil) and the sections whose content other modules bring */
#include "web/pages.h"
#include "web/fragments.h"
#include "web/views/views.h"
#include "core/campaigns.h"
#include "core/orgs.h"
#include "core/territory.h"
#include "core/tickets.h"
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

#define HOME_CAMPAIGNS 3

/* A few live campaigns, ending soonest first (issue #5: "the home page shows
 * a few"), each with its progress in words; nothing at all when none is live.
 * One query (campaigns_list); a failure hides the section rather than the page. */
/* The same for every visitor of a language: kept a few seconds (the list
 * query reads every campaign's contributions). */
#define HOME_CAMPAIGNS_TTL 10

static void live_campaigns_now(struct buf *b, struct request *req)
{
	struct web *w = web_of(req);
	struct campaign *list;
	int n;
	const struct campaigns_filter f = { .sort = CAMPAIGNS_ENDING_SOON, .limit = HOME_CAMPAIGNS };
	if (campaigns_list(w->db, req->arena, &f, &list, &n) != KQ_OK || n == 0)
		return;
	html_fmt(b, "<section aria-labelledby=\"h-campaigns\"><h2 id=\"h-campaigns\">%s</h2>"
		    "<ul class=\"home-campaigns\">", web_t(req, "home.campaigns_title"));
	for (int i = 0; i < n; i++) {
		const struct campaign *c = &list[i];
		const char *cur = *c->currency ? c->currency : "EUR";
		HTML("<li><h3><a");
		html_href(b, arena_printf(req->arena, "/soutenir/%s", url_arg(req->arena, c->slug)));
		html_fmt(b, ">%s</a></h3><p class=\"muted\">%s</p>", c->title, c->org_name);
		html_fmt(b, "<progress max=\"100\" value=\"%d\" aria-label=\"%s\">%d %%</progress>",
			 c->percent > 100 ? 100 : c->percent, web_t(req, "campaigns.progress"), c->percent);
		html_fmt(b, "<p><strong>%s</strong> %s %s (%d %%) · %lld %s · %d %s</p></li>",
			 tickets_money_format(req->arena, c->raised_cents, cur, w->lang),
			 web_t(req, "campaigns.raised_of"),
			 tickets_money_format(req->arena, c->goal_cents, cur, w->lang), c->percent,
			 (long long)c->backers,
			 web_t(req, c->backers == 1 ? "campaigns.backer" : "campaigns.backers"),
			 c->days_left,
			 web_t(req, c->days_left == 1 ? "campaigns.day_left" : "campaigns.days_left"));
	}
	html_fmt(b, "</ul><p><a href=\"/soutenir\">%s</a></p></section>", web_t(req, "home.campaigns_more"));
}

static void live_campaigns(struct buf *b, struct request *req)
{
	const char *key = arena_printf(req->arena, "home-campaigns|%llu|%s",
				       (unsigned long long)campaigns_generation(), web_of(req)->lang);
	if (fragment_get(key, b))
		return;
	size_t start = b->len;
	live_campaigns_now(b, req);
	fragment_put(key, b->p ? b->p + start : "", b->len - start, HOME_CAMPAIGNS_TTL);
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
	live_campaigns(b, req);
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
