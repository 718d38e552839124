/* follows.c (views): the follow box, the home feed, "Mes abonnements", the supporters page, the unsubscribe page, owner tools.
 *
 * The feed shows a plain-text excerpt of each post (Markdown marks taken
 * out, cut at a space) rather than rendering Markdown: the home page is the
 * busiest page and twenty cmark renderings would cost more than its query. */
#include "follows.h"
#include "base/timefmt.h"
#include <string.h>

#define FEED_EXCERPT_CHARS 220

static void time_el(struct buf *b, struct request *req, int64_t t)
{
	HTML("<time");
	html_attr(b, "datetime", time_format_iso(req->arena, t));
	html_fmt(b, ">%s</time>", time_format_long(req->arena, t, web_of(req)->lang));
}

/* ---- the follow box --------------------------------------------------------------------------- */

void view_follows_box(struct buf *b, struct request *req, const char *action,
		      const struct follow_state *st, const char *supporters_url)
{
	struct web *w = web_of(req);
	HTML("<div class=\"follow-box\">");
	html_fmt(b, "<p class=\"follow-count\"><strong>%lld</strong> %s</p>", (long long)st->followers,
		 web_t(req, st->followers == 1 ? "follows.follower" : "follows.followers"));
	if (!w->actor.account_id) {
		HTML("<p><a class=\"button\"");
		html_href(b, arena_printf(req->arena, "/connexion?suite=%s",
					  url_arg(req->arena, req->path)));
		html_fmt(b, ">%s</a></p>", web_t(req, "follows.login_to_follow"));
	} else {
		HTML("<form class=\"follow-form\" method=\"post\"");
		html_attr(b, "action", action);
		HTML("><input type=\"hidden\" name=\"_csrf\"");
		html_attr(b, "value", w->csrf);
		HTML("><input type=\"hidden\" name=\"suite\"");
		html_attr(b, "value", req->path);
		HTML("><div class=\"field checkbox\"><input type=\"checkbox\" id=\"f-follow-mail\""
		     " name=\"mail\" value=\"1\"");
		if (st->notify_by_mail)
			HTML(" checked");
		html_fmt(b, "><label for=\"f-follow-mail\">%s</label></div><div class=\"actions\">",
			 web_t(req, "follows.mail_label"));
		html_fmt(b, "<button type=\"submit\" name=\"action\" value=\"follow\">%s</button>",
			 web_t(req, st->following ? "follows.save" : "follows.follow"));
		if (st->following)
			html_fmt(b, "<button type=\"submit\" class=\"secondary\" name=\"action\""
				    " value=\"unfollow\">%s</button>", web_t(req, "follows.unfollow"));
		HTML("</div></form>");
		if (st->following)
			html_fmt(b, "<p class=\"muted\">%s</p>", web_t(req, "follows.you_follow"));
	}
	if (supporters_url) {
		HTML("<p><a");
		html_href(b, supporters_url);
		html_fmt(b, ">%s</a></p>", web_t(req, "follows.supporters_link"));
	}
	HTML("</div>");
}

/* ---- the home feed ------------------------------------------------------------------------------- */

/* The body's first words as plain text: Markdown marks out, cut at a space. */
static const char *plain_excerpt(struct arena *a, const char *md)
{
	size_t n = strlen(md);
	char *out = arena_alloc(a, n + 4);
	size_t k = 0, cp = 0, last_space = 0;
	bool space = true, cut = false;
	for (const char *p = md; *p; p++) {
		char c = *p;
		if (c == '*' || c == '_' || c == '#' || c == '`' || c == '>' || c == '[' || c == ']')
			continue;
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (c == ' ') {
			if (space)
				continue;
			space = true;
			last_space = k;
		} else {
			space = false;
		}
		if (((unsigned char)c & 0xc0) != 0x80) {
			if (cp == FEED_EXCERPT_CHARS) {
				cut = true;
				break;
			}
			cp++;
		}
		out[k++] = c;
	}
	if (cut && last_space > 0)
		k = last_space;
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = 0;
	if (cut)
		return arena_printf(a, "%s …", out);
	return out;
}

static void feed_card(struct buf *b, struct request *req, const struct feed_post *p)
{
	HTML("<li><article class=\"card post-card feed-card\"");
	html_attr(b, "aria-labelledby", arena_printf(req->arena, "h-feed-%lld", (long long)p->id));
	HTML(">");
	html_fmt(b, "<h3 id=\"h-feed-%lld\"><a", (long long)p->id);
	html_href(b, arena_printf(req->arena, "/actualites/%s", url_arg(req->arena, p->slug)));
	html_fmt(b, ">%s</a></h3><p class=\"post-byline\">", p->title);
	if (p->org_id) {
		HTML("<a class=\"post-org\"");
		html_href(b, arena_printf(req->arena, "/organisations/%s", url_arg(req->arena, p->org_slug)));
		html_fmt(b, ">%s</a> ", p->org_name);
	} else if (p->author_id) {
		HTML("<a class=\"post-org\"");
		html_href(b, arena_printf(req->arena, "/personnes/%lld", (long long)p->author_id));
		html_fmt(b, ">%s</a> ", p->author_name);
	}
	time_el(b, req, p->published_at);
	HTML("</p>");
	const char *ex = plain_excerpt(req->arena, p->excerpt);
	if (*ex)
		html_fmt(b, "<p class=\"post-excerpt\">%s</p>", ex);
	HTML("</article></li>");
}

static void posts_list(struct buf *b, struct request *req, const struct feed_post *v, int n)
{
	HTML("<ul class=\"cards feed-list\">");
	for (int i = 0; i < n; i++)
		feed_card(b, req, &v[i]);
	HTML("</ul>");
}

void view_follows_events_list(struct buf *b, struct request *req, const struct feed_event *events,
			      int n, const char *heading_key)
{
	if (n == 0)
		return;
	if (heading_key)
		html_fmt(b, "<h3>%s</h3>", web_t(req, heading_key));
	HTML("<ul class=\"feed-events\">");
	for (int i = 0; i < n; i++) {
		const struct feed_event *e = &events[i];
		{
			HTML("<li><a");
			html_href(b, arena_printf(req->arena, "/evenements/%s", url_arg(req->arena, e->slug)));
			html_fmt(b, ">%s</a> <span class=\"muted\">", e->title);
			time_el(b, req, e->starts_at);
			html_fmt(b, " · %s", e->org_name);
			if (*e->commune_name)
				html_fmt(b, " · %s", e->commune_name);
			HTML("</span></li>");
		}
	}
	HTML("</ul>");
}

void view_follows_events_start(struct buf *b, struct request *req)
{
	html_fmt(b, "<section aria-labelledby=\"h-feed-events\"><h2 id=\"h-feed-events\">%s</h2>",
		 web_t(req, "follows.feed.events_title"));
}

void view_follows_events_end(struct buf *b, struct request *req, bool any)
{
	if (!any)
		html_fmt(b, "<p>%s</p>", web_t(req, "follows.feed.no_events"));
	html_fmt(b, "<p><a href=\"/evenements\">%s</a></p></section>", web_t(req, "follows.feed.agenda"));
}

static void events_section(struct buf *b, struct request *req, const struct feed_page *f)
{
	view_follows_events_start(b, req);
	view_follows_events_list(b, req, f->events, f->nevents, NULL);
	view_follows_events_end(b, req, f->nevents > 0);
}

static void suggestions(struct buf *b, struct request *req, const struct feed_page *f)
{
	html_fmt(b, "<div class=\"feed-empty\"><p>%s</p>", web_t(req, "follows.feed.empty"));
	if (f->nsuggestions) {
		html_fmt(b, "<p>%s</p><ul class=\"feed-suggestions\">", web_t(req, "follows.feed.suggest"));
		for (int i = 0; i < f->nsuggestions; i++) {
			const struct feed_suggestion *g = &f->suggestions[i];
			HTML("<li><a");
			html_href(b, arena_printf(req->arena, "/organisations/%s", url_arg(req->arena, g->slug)));
			html_fmt(b, ">%s</a>", g->name);
			if (*g->summary)
				html_fmt(b, " <span class=\"muted\">%s</span>", g->summary);
			HTML("</li>");
		}
		HTML("</ul>");
	}
	html_fmt(b, "<p><a href=\"/annuaire\">%s</a></p></div>", web_t(req, "follows.feed.directory"));
}

void view_follows_highlights(struct buf *b, struct request *req, const struct feed_page *f)
{
	if (!f->nhighlights)
		return;
	html_fmt(b, "<section class=\"feed-highlights\" aria-labelledby=\"h-feed-highlights\">"
		    "<h2 id=\"h-feed-highlights\">%s</h2>", web_t(req, "follows.feed.highlights"));
	posts_list(b, req, f->highlights, f->nhighlights);
	HTML("</section>");
}

void view_follows_feed(struct buf *b, struct request *req, const struct feed_page *f,
		       bool signed_in, bool first_page)
{
	if (first_page)
		view_follows_highlights(b, req, f);
	view_follows_stream(b, req, f, signed_in, first_page);
	if (first_page)
		events_section(b, req, f);
}

void view_follows_stream(struct buf *b, struct request *req, const struct feed_page *f,
			 bool signed_in, bool first_page)
{
	const char *title = signed_in ? "follows.feed.mine" : "follows.feed.public";
	html_fmt(b, "<section class=\"feed\" aria-labelledby=\"h-feed\"><h2 id=\"h-feed\">%s</h2>",
		 web_t(req, title));
	if (signed_in && first_page)
		html_fmt(b, "<p><a href=\"/compte/abonnements\">%s</a></p>", web_t(req, "follows.mine.link"));
	if (f->n)
		posts_list(b, req, f->items, f->n);
	else if (f->follows_nothing)
		suggestions(b, req, f);
	else
		html_fmt(b, "<p>%s</p>", web_t(req, first_page ? "follows.feed.nothing" : "follows.feed.end"));
	if (f->next) {
		html_fmt(b, "<nav class=\"pager\" aria-label=\"%s\"><a rel=\"next\"",
			 web_t(req, "follows.feed.pager"));
		html_href(b, arena_printf(req->arena, "/?apres=%s", url_arg(req->arena, f->next)));
		html_fmt(b, ">%s</a></nav>", web_t(req, "follows.feed.older"));
	}
	HTML("</section>");
}

/* ---- Mes abonnements ---------------------------------------------------------------------------- */

void view_follows_mine(struct buf *b, struct request *req, const struct follow *items, int n)
{
	struct web *w = web_of(req);
	html_fmt(b, "<h1>%s</h1>", web_t(req, "follows.mine.title"));
	if (n == 0) {
		html_fmt(b, "<p>%s</p><p><a href=\"/annuaire\">%s</a></p>", web_t(req, "follows.mine.none"),
			 web_t(req, "follows.feed.directory"));
		return;
	}
	html_fmt(b, "<p>%s</p><ul class=\"follows-mine\">", web_t(req, "follows.mine.intro"));
	for (int i = 0; i < n; i++) {
		const struct follow *f = &items[i];
		bool org = strcmp(f->target_kind, FOLLOW_ORG) == 0;
		HTML("<li class=\"card\"><h2 class=\"h3\"><a");
		html_href(b, org ? arena_printf(req->arena, "/organisations/%s",
						 url_arg(req->arena, f->target_slug))
				 : arena_printf(req->arena, "/personnes/%lld", (long long)f->target_id));
		html_fmt(b, ">%s</a></h2>", f->target_name);
		HTML("<form method=\"post\" action=\"/compte/abonnements\"><input type=\"hidden\" name=\"_csrf\"");
		html_attr(b, "value", w->csrf);
		HTML("><input type=\"hidden\" name=\"kind\"");
		html_attr(b, "value", f->target_kind);
		html_fmt(b, "><input type=\"hidden\" name=\"id\" value=\"%lld\">", (long long)f->target_id);
		if (org) {
			html_fmt(b, "<div class=\"field checkbox\"><input type=\"checkbox\" id=\"f-mail-%lld\""
				    " name=\"mail\" value=\"1\"%s><label for=\"f-mail-%lld\">%s</label></div>",
				 (long long)f->id, f->notify_by_mail ? " checked" : "", (long long)f->id,
				 web_t(req, "follows.mail_label"));
		}
		HTML("<div class=\"actions\">");
		if (org)
			html_fmt(b, "<button type=\"submit\" name=\"action\" value=\"mail\">%s"
				    "<span class=\"visually-hidden\"> : %s</span></button>",
				 web_t(req, "follows.save"), f->target_name);
		html_fmt(b, "<button type=\"submit\" class=\"secondary\" name=\"action\" value=\"unfollow\">%s"
			    "<span class=\"visually-hidden\"> : %s</span></button></div></form></li>",
			 web_t(req, "follows.unfollow"), f->target_name);
	}
	HTML("</ul>");
}

/* ---- the supporters page -------------------------------------------------------------------------- */

void view_follows_supporters(struct buf *b, struct request *req,
			     const struct follows_supporters_view *v)
{
	html_fmt(b, "<h1>%s</h1><p><a", web_t(req, "follows.supporters.title"));
	html_href(b, arena_printf(req->arena, "/organisations/%s", url_arg(req->arena, v->org_slug)));
	html_fmt(b, ">%s</a></p>", v->org_name);
	html_fmt(b, "<dl class=\"stats\"><div><dt>%s</dt><dd>%lld</dd></div>"
		    "<div><dt>%s</dt><dd>%lld</dd></div></dl>",
		 web_t(req, "follows.supporters.followers"), (long long)v->st.followers,
		 web_t(req, "follows.supporters.opted_in"), (long long)v->st.opted_in);
	html_fmt(b, "<p class=\"hint\">%s</p>", web_t(req, "follows.supporters.how"));
	html_fmt(b, "<h2>%s</h2>", web_t(req, "follows.supporters.sent"));
	if (v->n == 0) {
		html_fmt(b, "<p>%s</p>", web_t(req, "follows.supporters.none"));
		return;
	}
	html_fmt(b, "<table class=\"data\"><caption class=\"visually-hidden\">%s</caption><thead><tr>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
		 web_t(req, "follows.supporters.sent"), web_t(req, "follows.supporters.what"),
		 web_t(req, "follows.supporters.when"), web_t(req, "follows.supporters.recipients"));
	for (int i = 0; i < v->n; i++) {
		const struct follow_announcement *a = &v->items[i];
		html_fmt(b, "<tr><td>%s : %s</td><td>",
			 web_t(req, strcmp(a->target_kind, "post") == 0 ? "follows.kind.post"
									 : "follows.kind.event"),
			 a->title);
		time_el(b, req, a->created_at);
		html_fmt(b, "</td><td>%lld</td></tr>", (long long)a->recipients);
	}
	HTML("</tbody></table>");
}

/* ---- unsubscribe ------------------------------------------------------------------------------------ */

void view_follows_unsubscribe(struct buf *b, struct request *req, const struct follow *f,
			      const char *action, bool done)
{
	html_fmt(b, "<h1>%s</h1>", web_t(req, "follows.unsub.title"));
	if (done) {
		html_fmt(b, "<p role=\"status\">%s <strong>%s</strong>.</p><p>%s</p>",
			 web_t(req, "follows.unsub.done"), f->target_name, web_t(req, "follows.unsub.still"));
		html_fmt(b, "<p><a href=\"/compte/abonnements\">%s</a></p>", web_t(req, "follows.mine.link"));
		return;
	}
	html_fmt(b, "<p>%s <strong>%s</strong>.</p><p>%s</p>", web_t(req, "follows.unsub.what"),
		 f->target_name, web_t(req, "follows.unsub.still"));
	if (!f->notify_by_mail)
		html_fmt(b, "<p class=\"muted\">%s</p>", web_t(req, "follows.unsub.already"));
	HTML("<form method=\"post\"");
	html_attr(b, "action", action);
	html_fmt(b, "><button type=\"submit\">%s</button></form>", web_t(req, "follows.unsub.confirm"));
}

/* ---- owner tools ------------------------------------------------------------------------------------- */

void view_follows_tools(struct buf *b, struct request *req, const struct follows_tools_view *v)
{
	struct web *w = web_of(req);
	if (!v->announce_action && !v->pin_action)
		return;
	html_fmt(b, "<div class=\"follow-tools\" role=\"group\" aria-label=\"%s\">",
		 web_t(req, "follows.tools.label"));
	if (v->announce_action) {
		if (v->announced_at) {
			html_fmt(b, "<p class=\"muted\">%s ", web_t(req, "follows.tools.announced"));
			time_el(b, req, v->announced_at);
			HTML("</p>");
		} else {
			HTML("<form method=\"post\"");
			html_attr(b, "action", v->announce_action);
			HTML("><input type=\"hidden\" name=\"_csrf\"");
			html_attr(b, "value", w->csrf);
			html_fmt(b, "><button type=\"submit\">%s</button> <span class=\"muted\">%lld %s</span></form>",
				 web_t(req, "follows.tools.announce"), (long long)v->opted_in,
				 web_t(req, "follows.tools.opted_in"));
		}
	}
	if (v->pin_action) {
		HTML("<form method=\"post\"");
		html_attr(b, "action", v->pin_action);
		HTML("><input type=\"hidden\" name=\"_csrf\"");
		html_attr(b, "value", w->csrf);
		html_fmt(b, "><input type=\"hidden\" name=\"pin\" value=\"%s\"><button type=\"submit\""
			    " class=\"secondary\">%s</button></form>", v->pinned ? "0" : "1",
			 web_t(req, v->pinned ? "follows.tools.unpin" : "follows.tools.pin"));
	}
	HTML("</div>");
}
