/* search.c (views): the search results page: the box with the query kept, organisations, events and news in groups with counts */
#include "search.h"
#include "core/events.h"
#include "core/orgs.h"
#include "web/views/events.h"
#include "base/i18n.h"
#include "base/timefmt.h"
#include <string.h>

static const char *org_kind_key(struct request *req, const char *kind)
{
	return arena_printf(req->arena, "orgs.kind.%s",
			    orgs_kind_valid(kind) ? kind : "association");
}

static void org_hit(struct buf *b, struct request *req, const struct search_hit *h)
{
	struct arena *a = req->arena;
	HTML("<li class=\"card search-hit\"><h3><a");
	html_href(b, arena_printf(a, "/organisations/%s", url_arg(a, h->slug)));
	html_fmt(b, ">%s</a></h3><p class=\"meta\">", h->title);
	html_fmt(b, "<span class=\"badge badge-%s\">%s</span>",
		 orgs_kind_valid(h->org_kind) ? h->org_kind : "association",
		 web_t(req, org_kind_key(req, h->org_kind)));
	if (*h->category) {
		const char *key = arena_printf(a, "orgs.category.%s", h->category);
		html_fmt(b, " <span class=\"category\">%s</span>",
			 i18n_has(key) ? web_t(req, key) : h->category);
	}
	if (*h->commune)
		html_fmt(b, " <span class=\"commune\">%s</span>", h->commune);
	HTML("</p>");
	if (*h->snippet)
		html_fmt(b, "<p>%s</p>", h->snippet);
	HTML("</li>");
}

static void event_hit(struct buf *b, struct request *req, const struct search_hit *h)
{
	struct arena *a = req->arena;
	const char *lang = web_of(req)->lang;
	html_fmt(b, "<li class=\"card search-hit%s\"><h3><a", h->is_past ? " is-past" : "");
	html_href(b, arena_printf(a, "/evenements/%s", url_arg(a, h->slug)));
	html_fmt(b, ">%s</a></h3><p class=\"when\">", h->title);
	if (h->starts_at) {
		HTML("<time");
		html_attr(b, "datetime", time_format_iso(a, h->starts_at));
		html_fmt(b, ">%s</time>", view_events_when(a, lang, h->starts_at, h->starts_at));
	} else {
		html_fmt(b, "%s", web_t(req, "search.no_date"));
	}
	if (h->is_past && h->starts_at)
		html_fmt(b, " <span class=\"badge badge-past\">%s</span>", web_t(req, "search.past"));
	if (strcmp(h->status, "cancelled") == 0)
		html_fmt(b, " <span class=\"badge badge-cancelled\">%s</span>",
			 web_t(req, "events.status.cancelled"));
	else if (strcmp(h->status, "postponed") == 0)
		html_fmt(b, " <span class=\"badge badge-postponed\">%s</span>",
			 web_t(req, "events.status.postponed"));
	HTML("</p><p class=\"meta\">");
	if (events_category_valid(h->category))
		html_fmt(b, "<span class=\"badge badge-category\">%s</span>",
			 web_t(req, arena_printf(a, "events.category.%s", h->category)));
	if (*h->commune)
		html_fmt(b, " <span class=\"commune\">%s</span>", h->commune);
	if (*h->org_name)
		html_fmt(b, " <span class=\"organiser\">%s</span>", h->org_name);
	HTML("</p>");
	if (*h->snippet)
		html_fmt(b, "<p>%s</p>", h->snippet);
	HTML("</li>");
}

static void post_hit(struct buf *b, struct request *req, const struct search_hit *h)
{
	struct arena *a = req->arena;
	HTML("<li class=\"card search-hit\"><h3><a");
	html_href(b, arena_printf(a, "/actualites/%s", url_arg(a, h->slug)));
	html_fmt(b, ">%s</a></h3><p class=\"meta\">", h->title);
	if (h->starts_at) {
		HTML("<time");
		html_attr(b, "datetime", time_format_iso(a, h->starts_at));
		html_fmt(b, ">%s</time> ", time_format_long(a, h->starts_at, web_of(req)->lang));
	}
	if (*h->org_name)
		html_fmt(b, "<span class=\"organiser\">%s</span>", h->org_name);
	HTML("</p>");
	if (*h->snippet)
		html_fmt(b, "<p>%s</p>", h->snippet);
	HTML("</li>");
}

/* "Organisations (12)" and, when the list is cut, that the first are shown. */
static void group(struct buf *b, struct request *req, const char *id, const char *title_key,
		  const struct search_hit *hits, int n, int64_t total)
{
	html_fmt(b, "<section class=\"search-group\" aria-labelledby=\"%s\"><h2 id=\"%s\">%s"
		    " <span class=\"count\">(%lld)</span></h2>",
		 id, id, web_t(req, title_key), (long long)total);
	if (total > n)
		html_fmt(b, "<p class=\"meta\">%lld %s, %s.</p>", (long long)total,
			 web_t(req, "search.count_results"), web_t(req, "search.shown_first"));
	HTML("<ul class=\"card-list search-results\">");
	for (int i = 0; i < n; i++) {
		if (hits[i].kind == SEARCH_ORG)
			org_hit(b, req, &hits[i]);
		else if (hits[i].kind == SEARCH_POST)
			post_hit(b, req, &hits[i]);
		else
			event_hit(b, req, &hits[i]);
	}
	HTML("</ul></section>");
}

void view_search(struct buf *b, struct request *req, const struct search_view *v)
{
	const struct search_results *r = v->results;
	const char *title = web_t(req, "search.title");
	if (r->searched)
		title = arena_printf(req->arena, "%s – %s", r->q, web_t(req, "search.title"));
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", web_t(req, "search.title"),
		 web_t(req, "search.lead"));

	/* A GET form: the query lives in the URL, works without JavaScript and can be shared. */
	html_fmt(b, "<form class=\"stack search-form\" method=\"get\" action=\"/recherche\" role=\"search\" aria-label=\"%s\">",
		 web_t(req, "search.title"));
	struct field_errors fe = { 0 };
	if (v->err != KQ_OK) {
		fe.n = 1;
		fe.e[0].field = "q";
		fe.e[0].key = err_msg_key(v->err);
	}
	struct form_ctx fc = { b, req, &fe, NULL };
	struct field_spec q = { "q", "search.field", "search", r->q, "search.hint", "off", false,
				SEARCH_QUERY_MAX };
	form_field(&fc, &q);
	html_fmt(b, "<div class=\"actions\"><button type=\"submit\">%s</button></div></form>",
		 web_t(req, "search.submit"));

	if (v->err != KQ_OK) {
		view_layout_end(b, req);
		return;
	}
	if (!r->searched) {
		if (*r->q)
			html_fmt(b, "<p role=\"status\">%s</p>", web_t(req, "search.too_short"));
		view_layout_end(b, req);
		return;
	}
	/* <q>: the browser puts the quotation marks of the page's language. */
	html_fmt(b, "<p role=\"status\"><strong>%lld</strong> %s %s <q>%s</q></p>",
		 (long long)(r->orgs_total + r->events_total + r->posts_total),
		 web_t(req, "search.count_results"),
		 web_t(req, "search.for"), r->q);
	if (r->norgs == 0 && r->nevents == 0 && r->nposts == 0) {
		html_fmt(b, "<div class=\"empty\"><p>%s</p><p>%s <a href=\"/evenements\">%s</a>,"
			    " <a href=\"/annuaire\">%s</a>.</p></div>",
			 web_t(req, "search.none"), web_t(req, "search.help"),
			 web_t(req, "search.browse_agenda"), web_t(req, "search.browse_directory"));
		view_layout_end(b, req);
		return;
	}
	if (r->norgs)
		group(b, req, "h-search-orgs", "search.orgs", r->orgs, r->norgs, r->orgs_total);
	if (r->nevents)
		group(b, req, "h-search-events", "search.events", r->events, r->nevents,
		      r->events_total);
	if (r->nposts)
		group(b, req, "h-search-posts", "search.posts", r->posts, r->nposts, r->posts_total);
	view_layout_end(b, req);
}
