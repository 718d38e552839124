/* products.c (views): "Made in terroir": products list and page, label and market pages, the product forms, the organisation's section, the labels admin page */
#include "web/views/products.h"
#include "base/i18n.h"
#include "base/str.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Markup literal from this file into another buffer than b (the head). */
#define HTML_TO(buf, lit) html_lit((buf), "" lit "")

static bool is_en(struct request *req)
{
	return strcmp(web_of(req)->lang, "en") == 0;
}

static const char *path1(struct request *req, const char *prefix, const char *slug,
			 const char *tail)
{
	return arena_printf(req->arena, "%s/%s%s", prefix, url_arg(req->arena, slug), tail);
}

static const char *month_name(struct request *req, int m)
{
	return web_t(req, arena_printf(req->arena, "events.month.%d", m));
}

const char *view_products_season(struct request *req, int start, int end)
{
	struct arena *a = req->arena;
	if (!start || !end)
		return web_t(req, "products.season.all_year");
	const char *m1 = month_name(req, start), *m2 = month_name(req, end);
	if (start == end)
		return arena_printf(a, "%s%s", web_t(req, "products.season.in"), m1);
	/* French elides "de" before a vowel: "d'avril", "d'août", "d'octobre". */
	bool vowel = strchr("aeiouAEIOU", m1[0]) != NULL;
	return arena_printf(a, "%s%s%s%s",
			    web_t(req, vowel ? "products.season.from_vowel" : "products.season.from"),
			    m1, web_t(req, "products.season.to"), m2);
}

static const char *hour(struct request *req, int min)
{
	if (is_en(req))
		return arena_printf(req->arena, "%d:%02d", min / 60, min % 60);
	if (min % 60)
		return arena_printf(req->arena, "%d h %02d", min / 60, min % 60);
	return arena_printf(req->arena, "%d h", min / 60);
}

const char *view_markets_when(struct request *req, const struct market *m)
{
	const char *day = web_t(req, arena_printf(req->arena, "events.wday.%d", m->weekday));
	return arena_printf(req->arena, "%s%s%s%s%s%s", web_t(req, "markets.when.on"), day,
			    web_t(req, "markets.when.from"), hour(req, m->opens_min),
			    web_t(req, "markets.when.to"), hour(req, m->closes_min));
}

/* The label badges of a product, each a link to its label page. */
static void label_badges(struct buf *b, struct request *req, const struct product *p)
{
	if (!p->nlabels)
		return;
	html_fmt(b, "<ul class=\"label-badges\" aria-label=\"%s\">", web_t(req, "products.labels"));
	for (int i = 0; i < p->nlabels; i++) {
		HTML("<li><a class=\"badge badge-label\"");
		html_href(b, path1(req, "/labels", p->labels[i].slug, ""));
		html_fmt(b, ">%s</a></li>", p->labels[i].name);
	}
	HTML("</ul>");
}

static void in_season_badge(struct buf *b, struct request *req, const struct product *p, int month)
{
	if (p->season_start && products_in_season(p->season_start, p->season_end, month))
		html_fmt(b, " <span class=\"badge badge-season\">%s</span>",
			 web_t(req, "products.in_season"));
}

/* A product in a list: name, producer, labels, season. hl is the heading level. */
static void product_card(struct buf *b, struct request *req, const struct product *p, int hl,
			 int month, bool show_org)
{
	HTML("<li><article class=\"card product-card\"");
	html_attr(b, "aria-labelledby", arena_printf(req->arena, "h-product-%lld", (long long)p->id));
	html_fmt(b, "><h%d id=\"h-product-%lld\"><a", hl, (long long)p->id);
	html_href(b, path1(req, "/produits", p->slug, ""));
	html_fmt(b, ">%s</a></h%d>", p->name, hl);
	if (show_org) {
		HTML("<p class=\"product-org\"><a");
		html_href(b, path1(req, "/organisations", p->org_slug, ""));
		html_fmt(b, ">%s</a>", p->org_name);
		if (*p->commune_name)
			html_fmt(b, " · %s", p->commune_name);
		HTML("</p>");
	}
	if (*p->summary)
		html_fmt(b, "<p>%s</p>", p->summary);
	html_fmt(b, "<p class=\"product-season\">%s",
		 view_products_season(req, p->season_start, p->season_end));
	in_season_badge(b, req, p, month);
	HTML("</p>");
	label_badges(b, req, p);
	HTML("</article></li>");
}

/* ---- the list -------------------------------------------------------------------------------- */

static const char *list_url(struct request *req, const struct products_list_view *v, int page)
{
	struct arena *a = req->arena;
	char *u = arena_strdup(a, "");
	if (*v->label)
		u = arena_printf(a, "label=%s", url_arg(a, v->label));
	if (*v->commune)
		u = arena_printf(a, "%s%scommune=%s", u, *u ? "&" : "", url_arg(a, v->commune));
	if (v->in_season)
		u = arena_printf(a, "%s%ssaison=1", u, *u ? "&" : "");
	if (page > 1)
		u = arena_printf(a, "%s%spage=%d", u, *u ? "&" : "", page);
	return *u ? arena_printf(a, "/produits?%s", u) : "/produits";
}

static void list_filters(struct buf *b, struct request *req, const struct products_list_view *v)
{
	struct arena *a = req->arena;
	html_fmt(b, "<form class=\"stack filters product-filters\" method=\"get\" action=\"/produits\""
		    " role=\"search\" aria-label=\"%s\">", web_t(req, "products.list.filters"));
	struct form_ctx fc = { b, req, NULL, NULL };
	const char **lo = arena_alloc(a, sizeof(*lo) * (size_t)(2 * v->nlabels + 3));
	int k = 0;
	lo[k++] = "";
	lo[k++] = web_t(req, "products.list.any_label");
	for (int i = 0; i < v->nlabels; i++) {
		lo[k++] = v->labels[i].slug;
		lo[k++] = v->labels[i].name;
	}
	lo[k] = NULL;
	struct field_spec l = { "label", "products.list.label", "select", v->label, NULL, NULL,
				false, 0, true };
	form_select(&fc, &l, lo);
	const char **co = arena_alloc(a, sizeof(*co) * (size_t)(2 * v->ncommunes + 3));
	k = 0;
	co[k++] = "";
	co[k++] = web_t(req, "products.list.any_commune");
	for (int i = 0; i < v->ncommunes; i++) {
		co[k++] = v->communes[i].insee;
		co[k++] = v->communes[i].name;
	}
	co[k] = NULL;
	struct field_spec c = { "commune", "products.list.commune", "select", v->commune, NULL, NULL,
				false, 0, true };
	form_select(&fc, &c, co);
	HTML("<div class=\"field\"><label for=\"f-saison\"><input type=\"checkbox\" id=\"f-saison\""
	     " name=\"saison\" value=\"1\"");
	if (v->in_season)
		HTML(" checked");
	html_fmt(b, "> %s</label></div>", web_t(req, "products.list.in_season"));
	html_fmt(b, "<p class=\"actions\"><button type=\"submit\">%s</button></p></form>",
		 web_t(req, "products.list.filter"));
}

static void terroir_links(struct buf *b, struct request *req)
{
	html_fmt(b, "<p class=\"actions terroir-links\"><a href=\"/labels\">%s</a> <a href=\"/marches\">%s</a></p>",
		 web_t(req, "labels.index.title"), web_t(req, "markets.list.title"));
}

void view_products_list(struct buf *b, struct request *req, const struct products_list_view *v)
{
	web_of(req)->nav = "directory";
	view_layout_start(b, req, web_t(req, "products.list.title"));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", web_t(req, "products.list.title"),
		 web_t(req, "products.list.lead"));
	terroir_links(b, req);
	list_filters(b, req, v);
	if (!v->n) {
		html_fmt(b, "<p class=\"empty\">%s</p>", web_t(req, "products.list.empty"));
	} else {
		html_fmt(b, "<p class=\"count\" role=\"status\">%s %lld</p><ul class=\"product-list\">",
			 web_t(req, "products.list.count"), (long long)v->total);
		for (int i = 0; i < v->n; i++)
			product_card(b, req, &v->items[i], 2, v->month, true);
		HTML("</ul>");
	}
	if (v->pages > 1) {
		html_fmt(b, "<nav class=\"pagination\" aria-label=\"%s\"><p class=\"actions\">",
			 web_t(req, "events.pagination.label"));
		if (v->page > 1) {
			HTML("<a rel=\"prev\"");
			html_href(b, list_url(req, v, v->page - 1));
			html_fmt(b, ">%s</a>", web_t(req, "events.pagination.prev"));
		}
		html_fmt(b, "<span>%s %d / %d</span>", web_t(req, "events.pagination.page"), v->page,
			 v->pages);
		if (v->page < v->pages) {
			HTML("<a rel=\"next\"");
			html_href(b, list_url(req, v, v->page + 1));
			html_fmt(b, ">%s</a>", web_t(req, "events.pagination.next"));
		}
		HTML("</p></nav>");
	}
	view_layout_end(b, req);
}

/* ---- a product ------------------------------------------------------------------------------- */

static void market_line(struct buf *b, struct request *req, const struct market *m)
{
	HTML("<a");
	html_href(b, path1(req, "/marches", m->slug, ""));
	html_fmt(b, ">%s</a>, %s", m->name, view_markets_when(req, m));
	if (*m->place || *m->commune_name) {
		HTML(" — ");
		if (*m->place)
			html_fmt(b, "%s", m->place);
		if (*m->place && *m->commune_name)
			HTML(", ");
		if (*m->commune_name)
			html_fmt(b, "%s", m->commune_name);
	}
	if (*m->season_notes)
		html_fmt(b, " <span class=\"hint\">(%s)</span>", m->season_notes);
}

static void where_to_buy(struct buf *b, struct request *req, const struct product *p)
{
	html_fmt(b, "<section class=\"product-places\" aria-labelledby=\"h-places\"><h2 id=\"h-places\">%s</h2>",
		 web_t(req, "products.places.title"));
	if (!p->nplaces) {
		html_fmt(b, "<p class=\"empty\">%s</p></section>", web_t(req, "products.places.none"));
		return;
	}
	HTML("<ul class=\"place-list\">");
	for (int i = 0; i < p->nplaces; i++) {
		const struct product_place *pl = &p->places[i];
		html_fmt(b, "<li class=\"place place-%s\"><span class=\"place-kind\">%s</span> ", pl->kind,
			 web_t(req, arena_printf(req->arena, "products.place.%s", pl->kind)));
		if (strcmp(pl->kind, "market") == 0) {
			market_line(b, req, &pl->market);
		} else {
			HTML("<a");
			html_href(b, path1(req, "/organisations", pl->org_slug, ""));
			html_fmt(b, ">%s</a>", pl->org_name);
			if (*pl->org_address || *pl->commune_name) {
				HTML(" — ");
				if (*pl->org_address)
					html_fmt(b, "%s", pl->org_address);
				if (*pl->org_address && *pl->commune_name)
					HTML(", ");
				if (*pl->commune_name)
					html_fmt(b, "%s", pl->commune_name);
			}
		}
		if (*pl->notes)
			html_fmt(b, "<br><span class=\"place-notes\">%s</span>", pl->notes);
		HTML("</li>");
	}
	HTML("</ul></section>");
}

/* JSON inside <script type="application/ld+json"> (as views/events.c does):
 * the element ends at the first "</script" and entities are not decoded
 * there, so every <, > and & (only ever inside JSON strings) becomes its \u
 * escape, which JSON parsers read back as the same character. The only
 * struct safe_html made in this file, from jansson's output of values we built. */
static struct safe_html json_for_script(struct arena *a, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	struct buf out = BUF_INIT;
	for (const char *p = text ? text : "null"; *p; p++) {
		if (*p == '<')
			buf_puts(&out, "\\u003c");
		else if (*p == '>')
			buf_puts(&out, "\\u003e");
		else if (*p == '&')
			buf_puts(&out, "\\u0026");
		else
			buf_putc(&out, *p);
	}
	free(text);
	struct safe_html h = { arena_memdup(a, buf_str(&out), out.len), out.len };
	buf_free(&out);
	return h;
}

static void meta(struct buf *b, const char *attr, const char *name, const char *content)
{
	HTML("<meta");
	html_attr(b, attr, name);
	html_attr(b, "content", content);
	HTML(">");
}

/* The head of a product's page: description, canonical URL, Open Graph, and
 * a schema.org Product naming its maker, for search engines. */
static void product_head(struct buf *h, struct request *req, const struct product *p)
{
	struct arena *a = req->arena;
	const char *base = core_settings()->base_url;
	const char *url = arena_printf(a, "%s%s", base, path1(req, "/produits", p->slug, ""));
	const char *desc = arena_printf(a, "%s%s%s", p->org_name, *p->summary ? " · " : "", p->summary);
	meta(h, "name", "description", desc);
	HTML_TO(h, "<link rel=\"canonical\"");
	html_attr(h, "href", url);
	HTML_TO(h, ">");
	if (p->hidden_at)
		meta(h, "name", "robots", "noindex");
	meta(h, "property", "og:type", "product");
	meta(h, "property", "og:title", p->name);
	meta(h, "property", "og:description", desc);
	meta(h, "property", "og:url", url);
	json_t *brand = json_pack("{s:s, s:s, s:s}", "@type", "Organization", "name", p->org_name,
				  "url", arena_printf(a, "%s%s", base,
						      path1(req, "/organisations", p->org_slug, "")));
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o}", "@context", "https://schema.org",
			      "@type", "Product", "name", p->name, "url", url, "brand", brand);
	if (*p->summary)
		json_object_set_new(j, "description", json_string(p->summary));
	if (p->nlabels) {
		json_t *award = json_array();
		for (int i = 0; i < p->nlabels; i++)
			json_array_append_new(award, json_string(p->labels[i].name));
		json_object_set_new(j, "award", award);
	}
	HTML_TO(h, "<script type=\"application/ld+json\">");
	html_safe(h, json_for_script(a, j));
	HTML_TO(h, "</script>");
	json_decref(j);
}

void view_products_show(struct buf *b, struct request *req, const struct products_show_view *v)
{
	const struct product *p = v->p;
	web_of(req)->nav = "directory";
	struct buf head = BUF_INIT;
	product_head(&head, req, p);
	view_layout_start_head(b, req, arena_printf(req->arena, "%s · %s", p->name, p->org_name),
			       (struct safe_html){ buf_str(&head), head.len });
	buf_free(&head);
	HTML("<article class=\"product-page\" aria-labelledby=\"h-product\">");
	html_fmt(b, "<p class=\"breadcrumb\"><a href=\"/produits\">%s</a></p>",
		 web_t(req, "products.list.title"));
	html_fmt(b, "<h1 id=\"h-product\">%s</h1>", p->name);
	html_fmt(b, "<p class=\"product-org\">%s <a", web_t(req, "products.show.by"));
	html_href(b, path1(req, "/organisations", p->org_slug, ""));
	html_fmt(b, ">%s</a>", p->org_name);
	if (*p->commune_name)
		html_fmt(b, " · %s", p->commune_name);
	HTML("</p>");
	if (p->hidden_at)
		html_fmt(b, "<div class=\"flash flash-info\" role=\"status\"><p>%s</p></div>",
			 web_t(req, "products.show.hidden_notice"));
	if (v->can_edit) {
		HTML("<p class=\"actions\"><a class=\"button\"");
		html_href(b, path1(req, "/produits", p->slug, "/modifier"));
		html_fmt(b, ">%s</a><a class=\"button secondary\"", web_t(req, "products.show.edit"));
		html_href(b, path1(req, "/produits", p->slug, "/supprimer"));
		html_fmt(b, ">%s</a></p>", web_t(req, "products.show.delete"));
	}
	if (*p->summary)
		html_fmt(b, "<p class=\"lead\">%s</p>", p->summary);
	html_fmt(b, "<dl class=\"product-facts\"><dt>%s</dt><dd>%s",
		 web_t(req, "products.show.season"),
		 view_products_season(req, p->season_start, p->season_end));
	in_season_badge(b, req, p, v->month);
	HTML("</dd>");
	if (p->nlabels) {
		html_fmt(b, "<dt>%s</dt><dd>", web_t(req, "products.labels"));
		label_badges(b, req, p);
		HTML("</dd>");
	}
	HTML("</dl>");
	if (*p->description) {
		HTML("<div class=\"product-description prose\">");
		html_safe(b, html_stored_markdown(req->arena, p->description_html, p->description));
		HTML("</div>");
	}
	where_to_buy(b, req, p);
	if (!p->hidden_at) {
		HTML("<p class=\"report-link\"><a rel=\"nofollow\"");
		html_href(b, arena_printf(req->arena, "/signaler?type=product&id=%lld", (long long)p->id));
		html_fmt(b, ">%s</a></p>", web_t(req, "moderation.report.link_product"));
	}
	HTML("</article>");
	view_layout_end(b, req);
}

/* ---- labels ------------------------------------------------------------------------------------ */

static void org_list(struct buf *b, struct request *req, const struct product_org *o, int n)
{
	HTML("<ul class=\"producer-list\">");
	for (int i = 0; i < n; i++) {
		HTML("<li><a");
		html_href(b, path1(req, "/organisations", o[i].slug, ""));
		html_fmt(b, ">%s</a>", o[i].name);
		if (*o[i].commune_name)
			html_fmt(b, " · %s", o[i].commune_name);
		html_fmt(b, " <span class=\"hint\">(%d %s)</span></li>", o[i].nproducts,
			 web_t(req, o[i].nproducts > 1 ? "products.count.many" : "products.count.one"));
	}
	HTML("</ul>");
}

void view_labels_show(struct buf *b, struct request *req, const struct labels_show_view *v)
{
	const struct label *l = v->l;
	web_of(req)->nav = "directory";
	view_layout_start(b, req, arena_printf(req->arena, "%s · %s", l->name,
					       web_t(req, "labels.show.suffix")));
	html_fmt(b, "<p class=\"breadcrumb\"><a href=\"/labels\">%s</a></p>",
		 web_t(req, "labels.index.title"));
	html_fmt(b, "<h1>%s</h1><p><span class=\"badge badge-label\">%s</span></p>", l->name,
		 web_t(req, arena_printf(req->arena, "labels.kind.%s", l->kind)));
	if (*l->description)
		html_fmt(b, "<p class=\"lead\">%s</p>", l->description);
	html_fmt(b, "<section aria-labelledby=\"h-label-products\"><h2 id=\"h-label-products\">%s</h2>",
		 web_t(req, "labels.show.products"));
	if (!v->n) {
		html_fmt(b, "<p class=\"empty\">%s</p>", web_t(req, "labels.show.empty"));
	} else {
		HTML("<ul class=\"product-list\">");
		for (int i = 0; i < v->n; i++)
			product_card(b, req, &v->items[i], 3, products_month_now(), true);
		HTML("</ul>");
	}
	HTML("</section>");
	if (v->norgs) {
		html_fmt(b, "<section aria-labelledby=\"h-label-orgs\"><h2 id=\"h-label-orgs\">%s</h2>",
			 web_t(req, "labels.show.producers"));
		org_list(b, req, v->orgs, v->norgs);
		HTML("</section>");
	}
	view_layout_end(b, req);
}

void view_labels_index(struct buf *b, struct request *req, const struct label *labels, int n)
{
	web_of(req)->nav = "directory";
	view_layout_start(b, req, web_t(req, "labels.index.title"));
	html_fmt(b, "<p class=\"breadcrumb\"><a href=\"/produits\">%s</a></p>",
		 web_t(req, "products.list.title"));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p><ul class=\"label-list\">",
		 web_t(req, "labels.index.title"), web_t(req, "labels.index.lead"));
	for (int i = 0; i < n; i++) {
		HTML("<li><a");
		html_href(b, path1(req, "/labels", labels[i].slug, ""));
		html_fmt(b, ">%s</a> <span class=\"hint\">(%lld %s)</span>", labels[i].name,
			 (long long)labels[i].nproducts,
			 web_t(req, labels[i].nproducts > 1 ? "products.count.many"
							    : "products.count.one"));
		if (*labels[i].description)
			html_fmt(b, "<br>%s", labels[i].description);
		HTML("</li>");
	}
	HTML("</ul>");
	view_layout_end(b, req);
}

/* ---- markets ----------------------------------------------------------------------------------- */

void view_markets_list(struct buf *b, struct request *req, const struct market *items, int n)
{
	web_of(req)->nav = "directory";
	view_layout_start(b, req, web_t(req, "markets.list.title"));
	html_fmt(b, "<p class=\"breadcrumb\"><a href=\"/produits\">%s</a></p>",
		 web_t(req, "products.list.title"));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", web_t(req, "markets.list.title"),
		 web_t(req, "markets.list.lead"));
	if (!n) {
		html_fmt(b, "<p class=\"empty\">%s</p>", web_t(req, "markets.list.empty"));
	} else {
		HTML("<ul class=\"market-list\">");
		for (int i = 0; i < n; i++) {
			HTML("<li>");
			market_line(b, req, &items[i]);
			HTML("</li>");
		}
		HTML("</ul>");
	}
	view_layout_end(b, req);
}

void view_markets_show(struct buf *b, struct request *req, const struct markets_show_view *v)
{
	const struct market *m = v->m;
	web_of(req)->nav = "directory";
	view_layout_start(b, req, m->name);
	html_fmt(b, "<p class=\"breadcrumb\"><a href=\"/marches\">%s</a></p>",
		 web_t(req, "markets.list.title"));
	html_fmt(b, "<h1>%s</h1><dl class=\"product-facts\"><dt>%s</dt><dd>%s</dd>", m->name,
		 web_t(req, "markets.show.when"), view_markets_when(req, m));
	if (*m->place || *m->commune_name) {
		html_fmt(b, "<dt>%s</dt><dd>%s", web_t(req, "markets.show.where"), m->place);
		if (*m->place && *m->commune_name)
			HTML(", ");
		html_fmt(b, "%s</dd>", m->commune_name);
	}
	if (*m->season_notes)
		html_fmt(b, "<dt>%s</dt><dd>%s</dd>", web_t(req, "markets.show.season"),
			 m->season_notes);
	HTML("</dl>");
	html_fmt(b, "<section aria-labelledby=\"h-market-orgs\"><h2 id=\"h-market-orgs\">%s</h2>",
		 web_t(req, "markets.show.producers"));
	if (!v->norgs)
		html_fmt(b, "<p class=\"empty\">%s</p>", web_t(req, "markets.show.empty"));
	else
		org_list(b, req, v->orgs, v->norgs);
	HTML("</section>");
	if (v->n) {
		html_fmt(b, "<section aria-labelledby=\"h-market-products\"><h2 id=\"h-market-products\">%s</h2><ul class=\"product-list\">",
			 web_t(req, "markets.show.products"));
		for (int i = 0; i < v->n; i++)
			product_card(b, req, &v->items[i], 3, products_month_now(), true);
		HTML("</ul></section>");
	}
	view_layout_end(b, req);
}

/* ---- forms ----------------------------------------------------------------------------------- */

static const char *const form_labels[] = {
	"name", "products.field.name", "summary", "products.field.summary",
	"description", "products.field.description", "season_start", "products.field.season_start",
	"season_end", "products.field.season_end", "labels", "products.field.labels",
	"shop_notes", "products.field.shop_notes", "markets", "products.field.markets",
	"partners", "products.field.partners", NULL
};

static bool has(const char *const *v, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (v[i] && strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* A group of checkboxes named <prefix><slug>, with its error under the legend. */
static void fieldset_start(struct buf *b, struct request *req, const struct field_errors *fe,
			   const char *field, const char *legend_key, const char *hint_key)
{
	const char *err = field_error_get(fe, field);
	html_fmt(b, "<fieldset class=\"field checkbox-group%s\" id=\"f-%s\"", err ? " has-error" : "",
		 field);
	if (err || hint_key)
		html_fmt(b, " aria-describedby=\"%s%s%s\"", hint_key ? "h-" : "", hint_key ? field : "",
			 err ? arena_printf(req->arena, "%se-%s", hint_key ? " " : "", field) : "");
	html_fmt(b, "><legend>%s <span class=\"optional\">(%s)</span></legend>", web_t(req, legend_key),
		 web_t(req, "common.optional"));
	if (hint_key)
		html_fmt(b, "<p class=\"hint\" id=\"h-%s\">%s</p>", field, web_t(req, hint_key));
	if (err)
		html_fmt(b, "<p class=\"field-error\" id=\"e-%s\">%s</p>", field, web_t(req, err));
}

static void check(struct buf *b, struct request *req, const char *name, const char *label,
		  bool checked)
{
	const char *id = arena_printf(req->arena, "f-%s", name);
	HTML("<div class=\"check\"><input type=\"checkbox\" value=\"1\"");
	html_attr(b, "id", id);
	html_attr(b, "name", name);
	if (checked)
		HTML(" checked");
	HTML("><label");
	html_attr(b, "for", id);
	html_fmt(b, ">%s</label></div>", label);
}

void view_products_form(struct buf *b, struct request *req, const struct products_form_view *v)
{
	struct arena *a = req->arena;
	const struct product_input *in = v->values;
	const char *title = web_t(req, v->p ? "products.edit.title" : "products.new.title");
	web_of(req)->nav = "directory";
	view_layout_start(b, req, arena_printf(a, "%s · %s", title, v->org->name));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\"><a", title);
	html_href(b, v->p ? path1(req, "/produits", v->p->slug, "")
			  : path1(req, "/organisations", v->org->slug, "/produits"));
	html_fmt(b, ">%s</a></p>", v->p ? v->p->name : v->org->name);

	struct form_ctx fc = { b, req, v->fe, NULL };
	form_start(&fc, v->p ? path1(req, "/produits", v->p->slug, "/modifier")
			     : path1(req, "/organisations", v->org->slug, "/produits"), false);
	form_errors_summary(&fc, form_labels);
	struct field_spec nm = { "name", "products.field.name", "text", in->name, NULL, "off", true,
				 PRODUCTS_NAME_MAX };
	form_field(&fc, &nm);
	struct field_spec sm = { "summary", "products.field.summary", "text", in->summary,
				 "products.field.summary_hint", "off", false, PRODUCTS_SUMMARY_MAX };
	form_field(&fc, &sm);
	struct field_spec ds = { "description", "products.field.description", "textarea",
				 in->description, "products.field.description_hint", NULL, false,
				 PRODUCTS_DESCRIPTION_MAX };
	form_field(&fc, &ds);

	/* The season: two month selects, both empty for all year. */
	const char **months = arena_alloc(a, sizeof(*months) * 27);
	int k = 0;
	months[k++] = "";
	months[k++] = web_t(req, "products.field.all_year");
	for (int m = 1; m <= 12; m++) {
		months[k++] = arena_printf(a, "%d", m);
		months[k++] = month_name(req, m);
	}
	months[k] = NULL;
	html_fmt(b, "<fieldset class=\"field season\"><legend>%s</legend><p class=\"hint\">%s</p>",
		 web_t(req, "products.field.season"), web_t(req, "products.field.season_hint"));
	struct field_spec ss = { "season_start", "products.field.season_start", "select",
				 in->season_start, NULL, NULL, false, 0, true };
	form_select(&fc, &ss, months);
	struct field_spec se = { "season_end", "products.field.season_end", "select",
				 in->season_end, NULL, NULL, false, 0, true };
	form_select(&fc, &se, months);
	HTML("</fieldset>");

	fieldset_start(b, req, v->fe, "labels", "products.field.labels", NULL);
	for (int i = 0; i < v->nlabels; i++)
		check(b, req, arena_printf(a, "label_%s", v->labels[i].slug), v->labels[i].name,
		      has(in->labels, in->nlabels, v->labels[i].slug));
	HTML("</fieldset>");

	html_fmt(b, "<h2>%s</h2>", web_t(req, "products.places.title"));
	check(b, req, "shop", web_t(req, "products.field.shop"), in->shop);
	struct field_spec sn = { "shop_notes", "products.field.shop_notes", "text", in->shop_notes,
				 "products.field.shop_notes_hint", "off", false, PRODUCTS_NOTES_MAX };
	form_field(&fc, &sn);
	fieldset_start(b, req, v->fe, "markets", "products.field.markets", NULL);
	if (!v->nmarkets)
		html_fmt(b, "<p class=\"hint\">%s</p>", web_t(req, "markets.list.empty"));
	for (int i = 0; i < v->nmarkets; i++)
		check(b, req, arena_printf(a, "market_%s", v->markets[i].slug),
		      arena_printf(a, "%s (%s)", v->markets[i].name,
				   view_markets_when(req, &v->markets[i])),
		      has(in->markets, in->nmarkets, v->markets[i].slug));
	HTML("</fieldset>");
	fieldset_start(b, req, v->fe, "partners", "products.field.partners",
		       "products.field.partners_hint");
	for (int i = 0; i < v->npartners; i++)
		check(b, req, arena_printf(a, "partner_%s", v->partners[i].slug),
		      *v->partners[i].commune_name
			      ? arena_printf(a, "%s · %s", v->partners[i].name,
					     v->partners[i].commune_name)
			      : v->partners[i].name,
		      has(in->partners, in->npartners, v->partners[i].slug));
	HTML("</fieldset>");
	form_end(&fc, v->p ? "products.edit.submit" : "products.new.submit");
	view_layout_end(b, req);
}

void view_products_delete_confirm(struct buf *b, struct request *req, const struct product *p)
{
	web_of(req)->nav = "directory";
	const char *title = web_t(req, "products.delete.title");
	view_layout_start(b, req, arena_printf(req->arena, "%s · %s", title, p->name));
	html_fmt(b, "<h1>%s</h1><p>%s</p><p class=\"lead\"><a", title,
		 web_t(req, "products.delete.lead"));
	html_href(b, path1(req, "/produits", p->slug, ""));
	html_fmt(b, ">%s</a></p>", p->name);
	HTML("<div class=\"actions\">");
	form_button(b, req, path1(req, "/produits", p->slug, "/supprimer"), "products.delete.confirm",
		    "button danger");
	HTML("<p><a");
	html_href(b, path1(req, "/produits", p->slug, ""));
	html_fmt(b, ">%s</a></p></div>", web_t(req, "products.delete.cancel"));
	view_layout_end(b, req);
}

void view_products_manage(struct buf *b, struct request *req, const struct org *o,
			  const struct product *items, int n)
{
	web_of(req)->nav = "directory";
	const char *title = web_t(req, "products.manage.title");
	view_layout_start(b, req, arena_printf(req->arena, "%s · %s", title, o->name));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\"><a", title);
	html_href(b, path1(req, "/organisations", o->slug, ""));
	html_fmt(b, ">%s</a></p><p class=\"actions\"><a class=\"button\"", o->name);
	html_href(b, path1(req, "/organisations", o->slug, "/produits/nouveau"));
	html_fmt(b, ">%s</a></p>", web_t(req, "products.org.new"));
	if (!n) {
		html_fmt(b, "<p class=\"empty\">%s</p>", web_t(req, "products.manage.empty"));
	} else {
		HTML("<ul class=\"product-manage\">");
		for (int i = 0; i < n; i++) {
			const struct product *p = &items[i];
			HTML("<li><a");
			html_href(b, path1(req, "/produits", p->slug, ""));
			html_fmt(b, ">%s</a>", p->name);
			if (p->hidden_at)
				html_fmt(b, " <span class=\"badge\">%s</span>",
					 web_t(req, "products.manage.hidden"));
			HTML(" <a");
			html_href(b, path1(req, "/produits", p->slug, "/modifier"));
			html_fmt(b, ">%s<span class=\"visually-hidden\"> : %s</span></a> <a",
				 web_t(req, "products.show.edit"), p->name);
			html_href(b, path1(req, "/produits", p->slug, "/supprimer"));
			html_fmt(b, ">%s<span class=\"visually-hidden\"> : %s</span></a></li>",
				 web_t(req, "products.show.delete"), p->name);
		}
		HTML("</ul>");
	}
	view_layout_end(b, req);
}

void view_products_org_section(struct buf *b, struct request *req, const struct org *o,
			       const struct product *items, int n, bool can_publish)
{
	if (!n && !can_publish)
		return;
	html_fmt(b, "<section class=\"org-products\" aria-labelledby=\"h-org-products\"><h2 id=\"h-org-products\">%s</h2>",
		 web_t(req, "products.org.title"));
	if (n) {
		HTML("<ul class=\"product-list compact\">");
		for (int i = 0; i < n; i++) {
			const struct product *p = &items[i];
			HTML("<li><a");
			html_href(b, path1(req, "/produits", p->slug, ""));
			html_fmt(b, ">%s</a> <span class=\"product-season\">%s</span>", p->name,
				 view_products_season(req, p->season_start, p->season_end));
			if (p->hidden_at)
				html_fmt(b, " <span class=\"badge\">%s</span>",
					 web_t(req, "products.manage.hidden"));
			label_badges(b, req, p);
			HTML("</li>");
		}
		HTML("</ul>");
	} else {
		html_fmt(b, "<p class=\"empty\">%s</p>", web_t(req, "products.manage.empty"));
	}
	if (can_publish) {
		HTML("<p class=\"actions\"><a class=\"button\"");
		html_href(b, path1(req, "/organisations", o->slug, "/produits/nouveau"));
		html_fmt(b, ">%s</a> <a", web_t(req, "products.org.new"));
		html_href(b, path1(req, "/organisations", o->slug, "/produits"));
		html_fmt(b, ">%s</a></p>", web_t(req, "products.manage.title"));
	}
	HTML("</section>");
}

/* ---- labels admin ------------------------------------------------------------------------------ */

static const char *const label_form_labels[] = {
	"name", "labels.field.name", "slug", "labels.field.slug", "description",
	"labels.field.description", "kind", "labels.field.kind", NULL
};
static const char *const market_form_labels[] = {
	"name", "markets.field.name", "slug", "labels.field.slug", "commune", "markets.field.commune",
	"place", "markets.field.place", "weekday", "markets.field.weekday", "opens",
	"markets.field.opens", "closes", "markets.field.closes", "season_notes",
	"markets.field.season_notes", NULL
};

void view_labels_admin(struct buf *b, struct request *req, const struct labels_admin_view *v)
{
	struct arena *a = req->arena;
	web_of(req)->nav = "directory";
	view_layout_start(b, req, web_t(req, "labels.admin.title"));
	html_fmt(b, "<h1>%s</h1>", web_t(req, "labels.admin.title"));

	html_fmt(b, "<section aria-labelledby=\"h-admin-labels\"><h2 id=\"h-admin-labels\">%s</h2><ul class=\"label-list\">",
		 web_t(req, "labels.index.title"));
	for (int i = 0; i < v->nlabels; i++) {
		HTML("<li><a");
		html_href(b, path1(req, "/labels", v->labels[i].slug, ""));
		html_fmt(b, ">%s</a> <span class=\"hint\">%s · %lld %s</span></li>", v->labels[i].name,
			 web_t(req, arena_printf(a, "labels.kind.%s", v->labels[i].kind)),
			 (long long)v->labels[i].nproducts,
			 web_t(req, v->labels[i].nproducts > 1 ? "products.count.many"
							       : "products.count.one"));
	}
	HTML("</ul>");
	html_fmt(b, "<h3>%s</h3>", web_t(req, "labels.admin.new"));
	const struct label_input *li = v->label_values;
	struct form_ctx fc = { b, req, v->label_fe, "label-" };
	form_start(&fc, "/admin/labels", false);
	form_errors_summary(&fc, label_form_labels);
	struct field_spec ln = { "name", "labels.field.name", "text", li->name, NULL, "off", true,
				 LABELS_NAME_MAX };
	form_field(&fc, &ln);
	struct field_spec ls = { "slug", "labels.field.slug", "text", li->slug,
				 "labels.field.slug_hint", "off", false, 60 };
	form_field(&fc, &ls);
	struct field_spec ld = { "description", "labels.field.description", "textarea",
				 li->description, NULL, NULL, false, LABELS_DESCRIPTION_MAX };
	form_field(&fc, &ld);
	static const char *const kinds[] = { "local", "labels.kind.local", "official",
					     "labels.kind.official", NULL };
	struct field_spec lk = { "kind", "labels.field.kind", "select", li->kind, NULL, NULL, true, 0 };
	form_select(&fc, &lk, kinds);
	form_end(&fc, "labels.admin.submit");
	HTML("</section>");

	html_fmt(b, "<section aria-labelledby=\"h-admin-markets\"><h2 id=\"h-admin-markets\">%s</h2><ul class=\"market-list\">",
		 web_t(req, "markets.list.title"));
	for (int i = 0; i < v->nmarkets; i++) {
		HTML("<li>");
		market_line(b, req, &v->markets[i]);
		HTML("</li>");
	}
	HTML("</ul>");
	html_fmt(b, "<h3>%s</h3>", web_t(req, "markets.admin.new"));
	const struct market_input *mi = v->market_values;
	struct form_ctx mc = { b, req, v->market_fe, "market-" };
	form_start(&mc, "/admin/marches", false);
	form_errors_summary(&mc, market_form_labels);
	struct field_spec mn = { "name", "markets.field.name", "text", mi->name, NULL, "off", true,
				 MARKETS_NAME_MAX };
	form_field(&mc, &mn);
	struct field_spec ms = { "slug", "labels.field.slug", "text", mi->slug,
				 "labels.field.slug_hint", "off", false, 60 };
	form_field(&mc, &ms);
	const char **co = arena_alloc(a, sizeof(*co) * (size_t)(2 * v->ncommunes + 3));
	int k = 0;
	co[k++] = "";
	co[k++] = "—";
	for (int i = 0; i < v->ncommunes; i++) {
		co[k++] = v->communes[i].insee;
		co[k++] = v->communes[i].name;
	}
	co[k] = NULL;
	struct field_spec mco = { "commune", "markets.field.commune", "select", mi->commune, NULL,
				  NULL, false, 0, true };
	form_select(&mc, &mco, co);
	struct field_spec mp = { "place", "markets.field.place", "text", mi->place, NULL, "off",
				 false, 200 };
	form_field(&mc, &mp);
	const char **days = arena_alloc(a, sizeof(*days) * 17);
	k = 0;
	for (int d = 1; d <= 7; d++) {
		days[k++] = arena_printf(a, "%d", d);
		days[k++] = arena_printf(a, "events.wday.%d", d);
	}
	days[k] = NULL;
	struct field_spec mw = { "weekday", "markets.field.weekday", "select", mi->weekday, NULL,
				 NULL, true, 0 };
	form_select(&mc, &mw, days);
	struct field_spec mo = { "opens", "markets.field.opens", "time", mi->opens, NULL, NULL, true,
				 0 };
	form_field(&mc, &mo);
	struct field_spec mcl = { "closes", "markets.field.closes", "time", mi->closes, NULL, NULL,
				  true, 0 };
	form_field(&mc, &mcl);
	struct field_spec mn2 = { "season_notes", "markets.field.season_notes", "text",
				  mi->season_notes, "markets.field.season_notes_hint", "off", false,
				  200 };
	form_field(&mc, &mn2);
	form_end(&mc, "markets.admin.submit");
	HTML("</section>");
	view_layout_end(b, req);
}
