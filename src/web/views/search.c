/* search.c (views): the search results page: the box with the query kept, type and commune filters, the five kinds in groups with counts and pages */
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
	html_href(b, search_hit_path(a, h));
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
	html_href(b, search_hit_path(a, h));
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
	html_href(b, search_hit_path(a, h));
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

static void product_hit(struct buf *b, struct request *req, const struct search_hit *h)
{
	struct arena *a = req->arena;
	HTML("<li class=\"card search-hit\"><h3><a");
	html_href(b, search_hit_path(a, h));
	html_fmt(b, ">%s</a></h3><p class=\"meta\">", h->title);
	if (*h->org_name)
		html_fmt(b, "<span class=\"organiser\">%s</span>", h->org_name);
	if (*h->commune)
		html_fmt(b, " <span class=\"commune\">%s</span>", h->commune);
	HTML("</p>");
	if (*h->snippet)
		html_fmt(b, "<p>%s</p>", h->snippet);
	HTML("</li>");
}

static void practical_hit(struct buf *b, struct request *req, const struct search_hit *h)
{
	struct arena *a = req->arena;
	HTML("<li class=\"card search-hit\"><h3><a");
	html_href(b, search_hit_path(a, h));
	html_fmt(b, ">%s</a></h3><p class=\"meta\">", h->title);
	if (*h->category)
		html_fmt(b, "<span class=\"badge badge-category\">%s</span> ", h->category);
	if (*h->org_name)
		html_fmt(b, "<span class=\"organiser\">%s</span> ", h->org_name);
	if (h->starts_at) {
		html_fmt(b, "<span class=\"updated\">%s <time", web_t(req, "practical.updated_on"));
		html_attr(b, "datetime", time_format_iso(a, h->starts_at));
		html_fmt(b, ">%s</time></span>", time_format_long(a, h->starts_at, web_of(req)->lang));
	}
	HTML("</p>");
	if (*h->snippet)
		html_fmt(b, "<p>%s</p>", h->snippet);
	HTML("</li>");
}

static const char *const group_ids[SEARCH_KINDS] = { "h-search-orgs", "h-search-events",
						     "h-search-posts", "h-search-products",
						     "h-search-practical" };
static const char *const group_keys[SEARCH_KINDS] = { "search.orgs", "search.events",
						      "search.posts", "search.products",
						      "search.practical" };
/* The order of the groups on the page. */
static const enum search_kind group_order[] = { SEARCH_PRACTICAL, SEARCH_ORG, SEARCH_EVENT,
						SEARCH_POST, SEARCH_PRODUCT };

/* /recherche with the query and filters of the page, kind and page changed. */
static const char *search_url(struct request *req, const struct search_view *v,
			      enum search_kind kind, int page)
{
	struct arena *a = req->arena;
	const char *u = arena_printf(a, "/recherche?q=%s", url_arg(a, v->results->q));
	if (kind != SEARCH_KINDS)
		u = arena_printf(a, "%s&type=%s", u, search_kind_name(kind));
	if (*v->commune)
		u = arena_printf(a, "%s&commune=%s", u, url_arg(a, v->commune));
	if (page > 1)
		u = arena_printf(a, "%s&page=%d", u, page);
	return u;
}

/* A kind's total as shown: "12", or "plus de 2 000" past what search counts (search.h). */
static const char *total_text(struct request *req, int64_t total)
{
	if (total >= SEARCH_TOTAL_MORE)
		return web_t(req, "search.more_than_max");
	return arena_printf(req->arena, "%lld", (long long)total);
}

/* "Organisations (12)", the list, and a link to all of them or the pages. */
static void group(struct buf *b, struct request *req, const struct search_view *v,
		  enum search_kind k)
{
	const struct search_hit *hits;
	int n;
	int64_t total;
	search_list(v->results, k, &hits, &n, &total);
	html_fmt(b, "<section class=\"search-group\" aria-labelledby=\"%s\"><h2 id=\"%s\">%s"
		    " <span class=\"count\">(%s)</span></h2>",
		 group_ids[k], group_ids[k], web_t(req, group_keys[k]), total_text(req, total));
	HTML("<ul class=\"card-list search-results\">");
	for (int i = 0; i < n; i++) {
		switch (hits[i].kind) {
		case SEARCH_ORG:
			org_hit(b, req, &hits[i]);
			break;
		case SEARCH_POST:
			post_hit(b, req, &hits[i]);
			break;
		case SEARCH_PRODUCT:
			product_hit(b, req, &hits[i]);
			break;
		case SEARCH_PRACTICAL:
			practical_hit(b, req, &hits[i]);
			break;
		default:
			event_hit(b, req, &hits[i]);
		}
	}
	HTML("</ul>");
	if (v->kind == SEARCH_KINDS && total > n) {
		HTML("<p class=\"search-more\"><a");
		html_href(b, search_url(req, v, k, 1));
		html_fmt(b, ">%s %s (%s)</a></p>", web_t(req, "search.see_all"),
			 web_t(req, group_keys[k]), total_text(req, total));
	} else if (v->kind != SEARCH_KINDS && v->per_page > 0 &&
		   (v->page > 1 || total > (int64_t)v->page * v->per_page)) {
		int64_t pages = (total + v->per_page - 1) / v->per_page;
		if (total >= SEARCH_TOTAL_MORE)   /* not counted further: as deep as one may go */
			pages = SEARCH_OFFSET_MAX / v->per_page + 1;
		html_fmt(b, "<nav class=\"pager\" aria-label=\"%s\"><ul>", web_t(req, "search.pages"));
		if (v->page > 1) {
			HTML("<li><a rel=\"prev\"");
			html_href(b, search_url(req, v, k, v->page - 1));
			html_fmt(b, ">%s</a></li>", web_t(req, "search.prev"));
		}
		html_fmt(b, "<li aria-current=\"page\">%s %d / %lld</li>", web_t(req, "search.page"),
			 v->page, (long long)(pages < v->page ? v->page : pages));
		if (v->page < pages) {
			HTML("<li><a rel=\"next\"");
			html_href(b, search_url(req, v, k, v->page + 1));
			html_fmt(b, ">%s</a></li>", web_t(req, "search.next"));
		}
		HTML("</ul></nav>");
	}
	HTML("</section>");
}

/* The type filter as links, each with its count (all the kinds were searched). */
static void type_counts(struct buf *b, struct request *req, const struct search_view *v)
{
	html_fmt(b, "<nav class=\"search-types\" aria-label=\"%s\"><ul>",
		 web_t(req, "search.by_type"));
	for (size_t i = 0; i < sizeof(group_order) / sizeof(group_order[0]); i++) {
		enum search_kind k = group_order[i];
		const struct search_hit *hits;
		int n;
		int64_t total;
		search_list(v->results, k, &hits, &n, &total);
		if (!total)
			continue;
		HTML("<li><a");
		html_href(b, search_url(req, v, k, 1));
		html_fmt(b, "><span class=\"badge badge-kind\">%s</span> <span class=\"count\">%s</span></a></li>",
			 web_t(req, group_keys[k]), total_text(req, total));
	}
	HTML("</ul></nav>");
}

static void filters(struct buf *b, struct request *req, const struct search_view *v)
{
	struct arena *a = req->arena;
	const struct search_results *r = v->results;
	/* A GET form: the query lives in the URL, works without JavaScript and can be shared. */
	html_fmt(b, "<form class=\"stack search-form\" method=\"get\" action=\"/recherche\" role=\"search\" aria-label=\"%s\">",
		 web_t(req, "search.title"));
	struct field_errors fe = { 0 };
	if (v->err != KQ_OK)
		field_error_add(&fe, "q", err_msg_key(v->err));
	if (v->type_err != KQ_OK)
		field_error_add(&fe, "type", err_msg_key(v->type_err));
	struct form_ctx fc = { b, req, &fe, NULL };
	struct field_spec q = { "q", "search.field", "search", r->q, "search.hint", "off", false,
				SEARCH_QUERY_MAX, false };
	form_field(&fc, &q);
	HTML("<div class=\"search-filters\">");
	const char *types[2 * (SEARCH_KINDS + 1) + 1];
	int t = 0;
	types[t++] = "all";
	types[t++] = "search.all_types";
	for (size_t i = 0; i < sizeof(group_order) / sizeof(group_order[0]); i++) {
		types[t++] = search_kind_name(group_order[i]);
		types[t++] = group_keys[group_order[i]];
	}
	types[t] = NULL;
	struct field_spec type = { "type", "search.type", "select", search_kind_name(v->kind), NULL,
				   NULL, true, 0, false };
	form_select(&fc, &type, types);
	const char **communes = arena_alloc(a, sizeof(*communes) * (size_t)(2 * v->ncommunes + 3));
	int c = 0;
	communes[c++] = "";
	communes[c++] = web_t(req, "search.all_communes");
	for (int i = 0; i < v->ncommunes; i++) {
		communes[c++] = v->communes[i].insee;
		communes[c++] = v->communes[i].name;
	}
	communes[c] = NULL;
	/* Not required: its first choice, every commune, is the empty value. */
	struct field_spec commune = { "commune", "search.commune", "select", v->commune, NULL, NULL,
				      false, 0, true };
	form_select(&fc, &commune, communes);
	html_fmt(b, "</div><div class=\"actions\"><button type=\"submit\">%s</button></div></form>",
		 web_t(req, "search.submit"));
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
	filters(b, req, v);

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
	int64_t all = r->orgs_total + r->events_total + r->posts_total + r->products_total +
		      r->pages_total;
	bool more = r->orgs_total >= SEARCH_TOTAL_MORE || r->events_total >= SEARCH_TOTAL_MORE ||
		    r->posts_total >= SEARCH_TOTAL_MORE || r->products_total >= SEARCH_TOTAL_MORE ||
		    r->pages_total >= SEARCH_TOTAL_MORE;
	/* <q>: the browser puts the quotation marks of the page's language. */
	html_fmt(b, "<p role=\"status\"><strong>%s</strong> %s %s <q>%s</q></p>",
		 more ? web_t(req, "search.more_than_max") : arena_printf(req->arena, "%lld", (long long)all),
		 web_t(req, "search.count_results"), web_t(req, "search.for"), r->q);
	if (all == 0) {
		html_fmt(b, "<div class=\"empty\"><p>%s</p><p>%s <a href=\"/evenements\">%s</a>,"
			    " <a href=\"/annuaire\">%s</a>, <a href=\"/infos-pratiques\">%s</a>.</p></div>",
			 web_t(req, "search.none"), web_t(req, "search.help"),
			 web_t(req, "search.browse_agenda"), web_t(req, "search.browse_directory"),
			 web_t(req, "search.browse_practical"));
		view_layout_end(b, req);
		return;
	}
	if (v->kind == SEARCH_KINDS) {
		type_counts(b, req, v);
	} else {
		HTML("<p class=\"search-more\"><a");
		html_href(b, search_url(req, v, SEARCH_KINDS, 1));
		html_fmt(b, ">%s</a></p>", web_t(req, "search.every_type"));
	}
	for (size_t i = 0; i < sizeof(group_order) / sizeof(group_order[0]); i++) {
		enum search_kind k = group_order[i];
		const struct search_hit *hits;
		int n;
		int64_t total;
		search_list(r, k, &hits, &n, &total);
		if (n || (v->kind == k && total))
			group(b, req, v, k);
	}
	view_layout_end(b, req);
}
