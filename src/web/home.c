/* home.c: the home page (Accueil): the feed of what one follows (core/feed.c), and the sections whose content other modules bring */
#include "web/pages.h"
#include "web/fragments.h"
#include "web/views/views.h"
#include "web/views/follows.h"
#include "core/events.h"
#include "core/feed.h"
#include "core/follows.h"
#include "core/moderation.h"
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

/* The visitors' feed is the same for every visitor of a language: kept a
 * few seconds, under a key that changes at once with a new post (the
 * newest one), a hide or restore (moderation), a pin, or an event change.
 * A signed-in person's feed is theirs and never kept. */
#define HOME_FEED_TTL 5

/* A part everyone sees (the highlights, or the territory's next events),
 * kept HOME_FEED_TTL seconds under key; a failure leaves it out. */
static void shared_part(struct buf *b, struct request *req, const char *key, unsigned part)
{
	if (fragment_get(key, b))
		return;
	struct feed_page f;
	/* The stream comes along (one post: the cheapest page); it is not shown. */
	if (feed_home_parts(web_of(req)->db, NULL, req->arena, NULL, 1, part, &f) != KQ_OK)
		return;
	size_t start = b->len;
	if (part == FEED_HIGHLIGHTS_PART)
		view_follows_highlights(b, req, &f);
	else
		view_follows_events_list(b, req, f.events, f.nevents, "follows.feed.events_territory");
	fragment_put(key, b->p ? b->p + start : "", b->len - start, HOME_FEED_TTL);
}

/* A signed-in person's first page: their stream and their organisations'
 * events are read for them; the highlights and the territory's events are
 * the same for everyone and come from the fragment cache (about half the
 * page's queries on the benchmark's 200,000 posts). */
static bool signed_in_feed_read(struct buf *b, struct request *req, const char *cursor, bool first)
{
	struct web *w = web_of(req);
	struct feed_page f;
	if (first)
		shared_part(b, req,
			    arena_printf(req->arena, "home-highlights|%llu|%llu|%s",
					 (unsigned long long)moderation_generation(),
					 (unsigned long long)follows_pins_generation(), w->lang),
			    FEED_HIGHLIGHTS_PART);
	if (feed_home_parts(w->db, &w->actor, req->arena, cursor, FEED_PAGE, FEED_EVENTS_FOLLOWED,
			    &f) != KQ_OK)
		return false;
	view_follows_stream(b, req, &f, true, first);
	if (!first)
		return true;
	view_follows_events_start(b, req);
	size_t before = b->len;
	view_follows_events_list(b, req, f.events, f.nevents, "follows.feed.events_mine");
	if (f.nevents < FEED_EVENTS)
		shared_part(b, req,
			    arena_printf(req->arena, "home-events|%llu|%llu|%s",
					 (unsigned long long)moderation_generation(),
					 (unsigned long long)events_generation(), w->lang),
			    FEED_EVENTS_TERRITORY);
	view_follows_events_end(b, req, b->len > before);
	return true;
}

/* A person's first page is kept a few seconds under a key naming the account and every change
 * that can alter it: the newest published post (a new post anywhere, in any process), a follow,
 * a pin, an event, a moderation act in this process. A person reloading their home page, or
 * coming back to it within seconds, costs one fragment lookup instead of the stream's
 * per-organisation seeks (about 0.7 ms of SQLite on the benchmark's 200,000 posts). Edits of
 * posts made by another process show within HOME_FEED_TTL. Later pages are read each time. */
static bool signed_in_feed(struct buf *b, struct request *req, const char *cursor, bool first)
{
	struct web *w = web_of(req);
	if (!first)
		return signed_in_feed_read(b, req, cursor, first);
	int64_t vt, vid;
	if (feed_public_version(w->db, &vt, &vid) != KQ_OK)
		return false;
	const char *key = arena_printf(req->arena, "home-mine|%lld|%s|%llu|%llu|%llu|%llu|%lld-%lld",
				       (long long)w->actor.account_id, w->lang,
				       (unsigned long long)moderation_generation(),
				       (unsigned long long)events_generation(),
				       (unsigned long long)follows_pins_generation(),
				       (unsigned long long)follows_generation(), (long long)vt, (long long)vid);
	if (fragment_get(key, b))
		return true;
	size_t start = b->len;
	if (!signed_in_feed_read(b, req, cursor, first))
		return false;
	fragment_put(key, b->p ? b->p + start : "", b->len - start, HOME_FEED_TTL);
	return true;
}

/* A visitor's page of the feed, kept whole. */
static bool feed_section(struct buf *b, struct request *req, const char *cursor, bool first)
{
	struct web *w = web_of(req);
	if (w->actor.account_id)
		return signed_in_feed(b, req, cursor, first);
	int64_t vt, vid;
	if (feed_public_version(w->db, &vt, &vid) != KQ_OK)
		return false;
	const char *key = arena_printf(req->arena, "home-feed|%llu|%llu|%llu|%lld-%lld|%s|%s",
				       (unsigned long long)moderation_generation(),
				       (unsigned long long)events_generation(),
				       (unsigned long long)follows_pins_generation(), (long long)vt,
				       (long long)vid, w->lang, cursor ? cursor : "");
	if (fragment_get(key, b))
		return true;
	struct feed_page f;
	if (feed_home(w->db, &w->actor, req->arena, cursor, FEED_PAGE, &f) != KQ_OK)
		return false;
	size_t start = b->len;
	view_follows_feed(b, req, &f, false, first);
	fragment_put(key, b->p ? b->p + start : "", b->len - start, HOME_FEED_TTL);
	return true;
}

/* The feed: what the person follows (or the territory's public feed for a
 * visitor), then campaigns and the directory. "?apres=CURSOR" is a later
 * page of the feed alone. */
void web_home(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct territory t = { 0 };
	struct buf *b = &res->body;
	w->nav = "home";
	const char *cursor = http_query(req, "apres");
	bool first = !cursor || !*cursor;
	if (!feed_cursor_valid(cursor)) {
		web_error(req, res, KQ_ERR_BAD_REQUEST);
		return;
	}
	if (territory_get(w->db, req->arena, &t) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	if (w->actor.account_id)
		http_set_header(res, req->arena, "Cache-Control", "private, no-cache");
	view_layout_start(b, req, web_t(req, "nav.home"));
	html_fmt(b, "<h1>%s</h1>", t.name);
	if (first && t.description && *t.description) {
		HTML("<div class=\"lead\">");
		html_safe(b, markdown_render(req->arena, t.description));
		HTML("</div>");
	}
	if (!feed_section(b, req, cursor, first)) {
		buf_reset(b);
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	if (!first) {
		view_layout_end(b, req);
		return;
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
