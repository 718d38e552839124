/* orgs.c (views): the directory, an organisation's page, its create/edit forms, members and invitations */
#include "web/views/orgs.h"
#include "web/views/events.h"
#include "web/views/posts.h"
#include "web/views/directory.h"
#include "base/i18n.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

/* ---- small parts ---------------------------------------------------------------------- */

static const char *kind_key(struct request *req, const char *kind)
{
	return arena_printf(req->arena, "orgs.kind.%s", orgs_kind_valid(kind) ? kind : "association");
}

/* Categories written by a loader may be outside our lists: show the slug then. */
static const char *category_label(struct request *req, const char *slug)
{
	const char *key = arena_printf(req->arena, "orgs.category.%s", slug);
	return i18n_has(key) ? web_t(req, key) : slug;
}

static const char *role_label(struct request *req, const char *role)
{
	const char *key = arena_printf(req->arena, "orgs.role.%s", role);
	return i18n_has(key) ? web_t(req, key) : role;
}

const char *view_orgs_logo_url(struct request *req, const struct org *o)
{
	if (!o->logo_sha256 || !*o->logo_sha256)
		return static_url("img/org-placeholder.svg");
	/* The hash in the URL changes with the image, so browsers may keep each version. */
	return arena_printf(req->arena, "/organisations/%s/logo?v=%.16s", url_arg(req->arena, o->slug),
			    o->logo_sha256);
}

static const char *org_path(struct request *req, const struct org *o, const char *tail)
{
	return arena_printf(req->arena, "/organisations/%s%s", url_arg(req->arena, o->slug), tail);
}

/* Option pairs (value, catalog key) for form_select, NULL-terminated, in the arena. */
static const char **options(struct request *req, const char *empty_key, const char *key_prefix,
			    const char *const *values)
{
	int n = 0;
	while (values && values[n])
		n++;
	const char **o = arena_alloc(req->arena, sizeof(*o) * (size_t)(2 * n + 4));
	int k = 0;
	if (empty_key) {
		o[k++] = "";
		o[k++] = empty_key;
	}
	for (int i = 0; i < n; i++) {
		o[k++] = values[i];
		o[k++] = arena_printf(req->arena, "%s%s", key_prefix, values[i]);
	}
	o[k] = NULL;
	return o;
}

/* Every category of every kind, once each, in list order. */
static const char *const *all_categories(struct request *req)
{
	const char **out = arena_alloc(req->arena, sizeof(*out) * 64);
	int n = 0;
	for (const char *const *k = orgs_kinds(); *k; k++)
		for (const char *const *c = orgs_categories(*k); *c; c++) {
			bool seen = strcmp(*c, "autre") == 0;   /* added last, once */
			for (int i = 0; i < n; i++)
				seen |= strcmp(out[i], *c) == 0;
			if (!seen && n < 63)
				out[n++] = *c;
		}
	out[n++] = "autre";
	out[n] = NULL;
	return out;
}

/* form_select takes catalog keys as option labels; commune names are data,
 * so this writes the same markup (label, hint and error tied to the control
 * by aria-describedby) with escaped literal labels. */
static void commune_select(struct form_ctx *f, const char *name, const char *label_key,
			   const char *empty_key, const char *value, const struct commune *c, int n)
{
	struct buf *b = f->b;
	const char *err = field_error_get(f->fe, name);
	html_fmt(b, "<div class=\"field%s\"><label for=\"f-%s\">%s <span class=\"optional\">(%s)</span></label>",
		 err ? " has-error" : "", name, web_t(f->req, label_key), web_t(f->req, "common.optional"));
	if (err)
		html_fmt(b, "<p class=\"field-error\" id=\"e-%s\">%s</p>", name, web_t(f->req, err));
	HTML("<select");
	html_attr(b, "id", arena_printf(f->req->arena, "f-%s", name));
	html_attr(b, "name", name);
	if (err)
		html_fmt(b, " aria-invalid=\"true\" aria-describedby=\"e-%s\"", name);
	html_fmt(b, "><option value=\"\">%s</option>", web_t(f->req, empty_key));
	for (int i = 0; i < n; i++) {
		HTML("<option");
		html_attr(b, "value", c[i].insee);
		if (value && strcmp(value, c[i].insee) == 0)
			HTML(" selected");
		html_fmt(b, ">%s</option>", c[i].name);
	}
	HTML("</select></div>");
}

static void org_card(struct buf *b, struct request *req, const struct org *o)
{
	HTML("<li class=\"card org-card\"><img");
	html_attr(b, "src", view_orgs_logo_url(req, o));
	HTML(" alt=\"\" width=\"64\" height=\"64\" loading=\"lazy\"><div><h2><a");
	html_href(b, org_path(req, o, ""));
	html_fmt(b, ">%s</a></h2><p class=\"meta\">", o->name);
	html_fmt(b, "<span class=\"badge badge-%s\">%s</span>",
		 orgs_kind_valid(o->kind) ? o->kind : "association", web_t(req, kind_key(req, o->kind)));
	if (*o->category)
		html_fmt(b, "<span class=\"category\">%s</span>", category_label(req, o->category));
	if (*o->commune_name)
		html_fmt(b, "<span class=\"commune\">%s</span>", o->commune_name);
	HTML("</p>");
	if (*o->summary)
		html_fmt(b, "<p>%s</p>", o->summary);
	HTML("</div></li>");
}

/* ---- directory ---------------------------------------------------------------------------- */

static const char *directory_url(struct request *req, const struct org_filter *f, int page)
{
	struct arena *a = req->arena;
	char *u = arena_strdup(a, "/annuaire?");
	const char *keys[] = { "q", "kind", "commune", "category", "label", "near" };
	const char *vals[] = { f->q, f->kind, f->commune, f->category, f->label,
			       f->near && !str_eq(f->near, f->commune) ? f->near : "" };
	for (int i = 0; i < 6; i++)
		if (vals[i] && *vals[i])
			u = arena_printf(a, "%s%s=%s&", u, keys[i], url_arg(a, vals[i]));
	if (f->order == ORGS_ORDER_NEAR)
		u = arena_printf(a, "%sorder=near&", u);
	return arena_printf(a, "%spage=%d", u, page);
}

/* The same filters as a query string for the other view (list <-> map). */
static const char *filter_query(struct request *req, const struct org_filter *f)
{
	const char *u = directory_url(req, f, 1);
	const char *q = strchr(u, '?');
	size_t n = strlen(q);
	/* Drop the trailing "page=1". */
	return arena_strndup(req->arena, q, n - strlen("page=1"));
}

static void pagination(struct buf *b, struct request *req, const struct orgs_directory_view *v)
{
	if (v->pages <= 1)
		return;
	html_fmt(b, "<nav class=\"pagination\" aria-label=\"%s\"><p class=\"actions\">",
		 web_t(req, "orgs.pagination.label"));
	if (v->page > 1) {
		HTML("<a rel=\"prev\"");
		html_href(b, directory_url(req, v->filter, v->page - 1));
		html_fmt(b, ">%s</a>", web_t(req, "orgs.pagination.prev"));
	}
	for (int p = 1; p <= v->pages; p++) {
		/* First, last, and two either side of the current page. */
		if (p != 1 && p != v->pages && (p < v->page - 2 || p > v->page + 2)) {
			if (p == v->page - 3 || p == v->page + 3)
				HTML("<span aria-hidden=\"true\">…</span>");
			continue;
		}
		if (p == v->page) {
			html_fmt(b, "<a aria-current=\"page\"");
			html_href(b, directory_url(req, v->filter, p));
			html_fmt(b, "><span class=\"visually-hidden\">%s </span>%d</a>",
				 web_t(req, "orgs.pagination.page"), p);
		} else {
			HTML("<a");
			html_href(b, directory_url(req, v->filter, p));
			html_fmt(b, "><span class=\"visually-hidden\">%s </span>%d</a>",
				 web_t(req, "orgs.pagination.page"), p);
		}
	}
	if (v->page < v->pages) {
		HTML("<a rel=\"next\"");
		html_href(b, directory_url(req, v->filter, v->page + 1));
		html_fmt(b, ">%s</a>", web_t(req, "orgs.pagination.next"));
	}
	HTML("</p></nav>");
}

/* A GET form: the filters live in the URL, work without JavaScript and can be shared. */
static void filters_form(struct buf *b, struct request *req, const struct orgs_directory_view *v,
			 const char *action)
{
	const struct org_filter *f = v->filter;
	html_fmt(b, "<form class=\"stack filters\" method=\"get\" role=\"search\" aria-label=\"%s\"",
		 web_t(req, "orgs.directory.filters"));
	html_attr(b, "action", action);
	HTML(">");
	struct form_ctx fc = { b, req, NULL, NULL };
	struct field_spec q = { "q", "orgs.directory.q", "search", f->q, NULL, NULL, false, 100 };
	form_field(&fc, &q);
	struct field_spec kind = { "kind", "orgs.field.kind", "select", f->kind, NULL, NULL, false, 0 };
	form_select(&fc, &kind, options(req, "orgs.directory.all_kinds", "orgs.kind.", orgs_kinds()));
	commune_select(&fc, "commune", "orgs.field.commune", "orgs.directory.all_communes", f->commune,
		       v->communes, v->ncommunes);
	const char *const *cats = orgs_kind_valid(f->kind) ? orgs_categories(f->kind)
							   : all_categories(req);
	struct field_spec cat = { "category", "orgs.field.category", "select", f->category, NULL,
				  NULL, false, 0 };
	form_select(&fc, &cat, options(req, "orgs.directory.all_categories", "orgs.category.", cats));
	if (v->nlabels) {
		const char **lo = arena_alloc(req->arena, sizeof(*lo) * (size_t)(2 * v->nlabels + 3));
		int k = 0;
		lo[k++] = "";
		lo[k++] = web_t(req, "directory.all_labels");
		for (int i = 0; i < v->nlabels; i++) {
			lo[k++] = v->labels[i].slug;
			lo[k++] = v->labels[i].name;
		}
		lo[k] = NULL;
		struct field_spec label = { "label", "directory.label", "select", f->label,
					    "directory.label_hint", NULL, false, 0, true };
		form_select(&fc, &label, lo);
	}
	static const char *const orders[] = { "name", "directory.order.name", "near",
					      "directory.order.near", NULL };
	struct field_spec order = { "order", "directory.order", "select",
				    v->order_near ? "near" : "name", NULL, NULL, false, 0 };
	form_select(&fc, &order, orders);
	commune_select(&fc, "near", "directory.near", "directory.near_same", 
		       f->near && !str_eq(f->near, f->commune) ? f->near : "", v->communes,
		       v->ncommunes);
	if (v->order_near && (!f->near || !*f->near))
		html_fmt(b, "<p class=\"hint\" role=\"status\">%s</p>", web_t(req, "directory.near_missing"));
	html_fmt(b, "<div class=\"actions\"><button type=\"submit\">%s</button><a", web_t(req, "orgs.directory.submit"));
	html_href(b, action);
	html_fmt(b, ">%s</a></div></form>", web_t(req, "orgs.directory.reset"));
}

void view_orgs_directory(struct buf *b, struct request *req, const struct orgs_directory_view *v)
{
	const struct org_filter *f = v->filter;
	view_layout_start(b, req, web_t(req, "orgs.directory.title"));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", web_t(req, "orgs.directory.title"),
		 web_t(req, "orgs.directory.lead"));
	if (web_of(req)->actor.account_id)
		html_fmt(b, "<p><a class=\"button secondary\" href=\"/organisations/nouvelle\">%s</a></p>",
			 web_t(req, "orgs.directory.create"));

	filters_form(b, req, v, "/annuaire");
	HTML("<p class=\"actions\"><a class=\"button secondary\"");
	html_href(b, arena_printf(req->arena, "/annuaire/carte%s", filter_query(req, f)));
	html_fmt(b, ">%s</a></p>", web_t(req, "directory.map.link"));

	html_fmt(b, "<section aria-labelledby=\"h-results\"><h2 id=\"h-results\" class=\"visually-hidden\">%s</h2>",
		 web_t(req, "orgs.directory.results"));
	html_fmt(b, "<p role=\"status\">%s <strong>%lld</strong></p>", web_t(req, "orgs.directory.results"),
		 (long long)v->total);
	if (v->n == 0) {
		html_fmt(b, "<div class=\"empty\"><p>%s</p><p><a href=\"/annuaire\">%s</a></p></div>",
			 web_t(req, "orgs.directory.empty"), web_t(req, "orgs.directory.reset"));
	} else {
		HTML("<ul class=\"card-list\">");
		for (int i = 0; i < v->n; i++)
			org_card(b, req, &v->items[i]);
		HTML("</ul>");
	}
	pagination(b, req, v);
	HTML("</section>");
	view_layout_end(b, req);
}

/* ---- the map ------------------------------------------------------------------------------- */

void view_orgs_map(struct buf *b, struct request *req, const struct orgs_directory_view *v)
{
	struct arena *a = req->arena;
	const char *title = web_t(req, "directory.map.title");
	struct buf head = BUF_INIT;
	if (v->tiles)
		view_directory_map_head(&head);
	view_layout_start_head(b, req, title, (struct safe_html){ buf_str(&head), head.len });
	buf_free(&head);
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", title, web_t(req, "directory.map.lead"));
	filters_form(b, req, v, "/annuaire/carte");
	HTML("<p class=\"actions\"><a class=\"button secondary\"");
	html_href(b, arena_printf(a, "/annuaire%s", filter_query(req, v->filter)));
	html_fmt(b, ">%s</a></p>", web_t(req, "directory.map.list_link"));
	if (v->tiles) {
		struct directory_tiles t = { v->tiles, v->attribution };
		view_directory_map_box(b, req, &t, "directory-map-list", "directory.map.label");
		html_fmt(b, "<noscript><p class=\"hint\">%s</p></noscript>", web_t(req, "directory.map.no_js"));
	}
	html_fmt(b, "<section aria-labelledby=\"h-map-list\"><h2 id=\"h-map-list\">%s</h2>",
		 web_t(req, "directory.map.list_title"));
	html_fmt(b, "<p role=\"status\">%s <strong>%lld</strong></p>", web_t(req, "directory.map.count"),
		 (long long)v->total);
	if (v->n == 0) {
		html_fmt(b, "<div class=\"empty\"><p>%s</p></div>", web_t(req, "orgs.directory.empty"));
	} else {
		HTML("<ul class=\"map-list\" id=\"directory-map-list\">");
		for (int i = 0; i < v->n; i++) {
			const struct org *o = &v->items[i];
			HTML("<li");
			html_attr(b, "data-lat", arena_printf(a, "%lld", (long long)o->map_lat_e6));
			html_attr(b, "data-lon", arena_printf(a, "%lld", (long long)o->map_lon_e6));
			html_attr(b, "data-title", o->name);
			html_attr(b, "data-url", org_path(req, o, ""));
			html_attr(b, "data-kind", orgs_kind_valid(o->kind) ? o->kind : "association");
			HTML("><a");
			html_href(b, org_path(req, o, ""));
			html_fmt(b, ">%s</a> <span class=\"badge badge-%s\">%s</span>", o->name,
				 orgs_kind_valid(o->kind) ? o->kind : "association",
				 web_t(req, kind_key(req, o->kind)));
			if (*o->commune_name)
				html_fmt(b, " <span class=\"commune\">%s</span>", o->commune_name);
			HTML("</li>");
		}
		HTML("</ul>");
	}
	HTML("</section>");
	if (v->tiles)
		view_directory_map_scripts(b);
	view_layout_end(b, req);
}

/* ---- create and edit ------------------------------------------------------------------------- */

static const char *const form_labels[] = {
	"kind", "orgs.field.kind", "name", "orgs.field.name", "slug", "orgs.field.slug",
	"summary", "orgs.field.summary", "description", "orgs.field.description",
	"category", "orgs.field.category", "commune", "orgs.field.commune",
	"address", "orgs.field.address", "email", "orgs.field.email", "phone", "orgs.field.phone",
	"website", "orgs.field.website", "logo", "orgs.field.logo", NULL
};

static void profile_form(struct buf *b, struct request *req, const struct orgs_form_view *v,
			 const char *action, const char *submit_key)
{
	const struct org_input *in = v->values;
	struct form_ctx fc = { b, req, v->fe };
	form_start(&fc, action, false);
	form_errors_summary(&fc, form_labels);
	struct field_spec kind = { "kind", "orgs.field.kind", "select", in->kind, NULL, NULL, true, 0 };
	form_select(&fc, &kind, options(req, "", "orgs.kind.", orgs_kinds()));
	struct field_spec name = { "name", "orgs.field.name", "text", in->name, NULL,
				   "organization", true, ORGS_NAME_MAX };
	form_field(&fc, &name);
	if (!v->org) {
		const char *slug = v->slug_suggestion ? v->slug_suggestion : in->slug;
		struct field_spec sf = { "slug", "orgs.field.slug", "text", slug,
					 v->slug_suggestion ? "orgs.field.slug_suggestion"
							    : "orgs.field.slug_hint",
					 "off", false, 60 };
		form_field(&fc, &sf);
	}
	struct field_spec summary = { "summary", "orgs.field.summary", "text", in->summary,
				      "orgs.field.summary_hint", NULL, false, ORGS_SUMMARY_MAX };
	form_field(&fc, &summary);
	struct field_spec desc = { "description", "orgs.field.description", "textarea",
				   in->description, "orgs.field.description_hint", NULL, false,
				   ORGS_DESCRIPTION_MAX };
	form_field(&fc, &desc);
	const char *const *cats = orgs_kind_valid(in->kind) ? orgs_categories(in->kind)
							    : all_categories(req);
	struct field_spec cat = { "category", "orgs.field.category", "select", in->category, NULL,
				  NULL, false, 0 };
	form_select(&fc, &cat, options(req, "orgs.field.none", "orgs.category.", cats));
	commune_select(&fc, "commune", "orgs.field.commune", "orgs.field.none", in->commune,
		       v->communes, v->ncommunes);
	struct field_spec addr = { "address", "orgs.field.address", "text", in->address, NULL,
				   "street-address", false, ORGS_LINE_MAX };
	form_field(&fc, &addr);
	struct field_spec email = { "email", "orgs.field.email", "email", in->email, NULL, "email",
				    false, 254 };
	form_field(&fc, &email);
	struct field_spec phone = { "phone", "orgs.field.phone", "tel", in->phone, NULL, "tel",
				    false, 30 };
	form_field(&fc, &phone);
	struct field_spec web = { "website", "orgs.field.website", "url", in->website,
				  "orgs.field.website_hint", "url", false, ORGS_WEBSITE_MAX };
	form_field(&fc, &web);
	form_end(&fc, submit_key);
}

void view_orgs_form(struct buf *b, struct request *req, const struct orgs_form_view *v)
{
	if (!v->org) {
		view_layout_start(b, req, web_t(req, "orgs.new.title"));
		html_fmt(b, "<h1>%s</h1>", web_t(req, "orgs.new.title"));
		if (v->unverified) {
			html_fmt(b, "<div class=\"empty\" role=\"status\"><p>%s</p></div>",
				 web_t(req, "err.orgs.unverified"));
		} else {
			html_fmt(b, "<p class=\"lead\">%s</p>", web_t(req, "orgs.new.lead"));
			profile_form(b, req, v, "/organisations", "orgs.new.submit");
		}
		view_layout_end(b, req);
		return;
	}
	const struct org *o = v->org;
	view_layout_start(b, req, arena_printf(req->arena, "%s · %s", web_t(req, "orgs.edit.title"),
					       o->name));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\"><a", web_t(req, "orgs.edit.title"));
	html_href(b, org_path(req, o, ""));
	html_fmt(b, ">%s</a></p>", o->name);

	html_fmt(b, "<section aria-labelledby=\"h-logo-section\"><h2 id=\"h-logo-section\">%s</h2>",
		 web_t(req, "orgs.edit.logo_title"));
	if (*o->logo_sha256) {
		html_fmt(b, "<figure><img");
		html_attr(b, "src", view_orgs_logo_url(req, o));
		html_fmt(b, " alt=\"\" width=\"96\" height=\"96\"><figcaption>%s</figcaption></figure>",
			 web_t(req, "orgs.edit.logo_current"));
	} else {
		html_fmt(b, "<p>%s</p>", web_t(req, "orgs.edit.logo_none"));
	}
	struct form_ctx lf = { b, req, v->logo_fe };
	form_start(&lf, org_path(req, o, "/logo"), true);
	form_errors_summary(&lf, form_labels);
	struct field_spec logo = { "logo", "orgs.field.logo", "file", NULL, "orgs.field.logo_hint",
				   NULL, true, 0 };
	form_field(&lf, &logo);
	form_end(&lf, "orgs.edit.logo_submit");
	HTML("</section>");

	html_fmt(b, "<section aria-labelledby=\"h-profile\"><h2 id=\"h-profile\">%s</h2>",
		 web_t(req, "orgs.edit.profile_title"));
	profile_form(b, req, v, org_path(req, o, "/modifier"), "common.save");
	HTML("</section>");
	view_layout_end(b, req);
}

/* ---- public page -------------------------------------------------------------------------------- */

/* "tel:" wants the number without its spaces and dots. */
static const char *tel_url(struct request *req, const char *phone)
{
	char *out = arena_alloc(req->arena, strlen(phone) + 5), *o = out;
	memcpy(o, "tel:", 4);
	o += 4;
	for (const char *p = phone; *p; p++)
		if ((*p >= '0' && *p <= '9') || (*p == '+' && o == out + 4))
			*o++ = *p;
	*o = 0;
	return out;
}

void view_orgs_show(struct buf *b, struct request *req, const struct orgs_show_view *v)
{
	const struct org *o = v->org;
	/* Its news as an Atom feed, for feed readers. */
	struct buf head = BUF_INIT;
	HTML_TO(&head, "<link rel=\"alternate\" type=\"application/atom+xml\"");
	html_attr(&head, "title", arena_printf(req->arena, "%s · %s", web_t(req, "posts.feed.link"), o->name));
	html_attr(&head, "href", org_path(req, o, "/actualites.atom"));
	HTML_TO(&head, ">");
	view_layout_start_head(b, req, o->name, html_section_take(req->arena, &head));
	if (o->hidden_at)
		html_fmt(b, "<div class=\"flash flash-info\" role=\"status\"><p>%s</p></div>",
			 web_t(req, "moderation.state.hidden_notice"));
	HTML("<article class=\"org-page\" aria-labelledby=\"h-org\"><header class=\"org-card\"><img");
	html_attr(b, "src", view_orgs_logo_url(req, o));
	html_fmt(b, " alt=\"\" width=\"96\" height=\"96\"><div><h1 id=\"h-org\">%s</h1><p class=\"meta\">",
		 o->name);
	html_fmt(b, "<span class=\"badge badge-%s\">%s</span>",
		 orgs_kind_valid(o->kind) ? o->kind : "association", web_t(req, kind_key(req, o->kind)));
	if (*o->category)
		html_fmt(b, " <span class=\"category\">%s</span>", category_label(req, o->category));
	if (*o->commune_name)
		html_fmt(b, " <span class=\"commune\">%s</span>", o->commune_name);
	HTML("</p>");
	if (*o->summary)
		html_fmt(b, "<p class=\"lead\">%s</p>", o->summary);
	if (v->takes_donations || v->takes_members) {
		HTML("<p class=\"actions\">");
		if (v->takes_members) {
			HTML("<a class=\"button\"");
			html_href(b, org_path(req, o, "/adhesion"));
			html_fmt(b, ">%s</a> ", web_t(req, "memberships.form.title"));
		}
		if (v->takes_donations) {
			HTML("<a class=\"button\"");
			html_href(b, org_path(req, o, "/don"));
			html_fmt(b, ">%s</a>", web_t(req, "donations.form.title"));
		}
		HTML("</p>");
	}
	if (v->slot_follow.p)
		html_safe(b, v->slot_follow);
	HTML("</div></header>");

	if (v->can_edit || v->can_see_members) {
		html_fmt(b, "<section class=\"card\" aria-labelledby=\"h-manage\"><h2 id=\"h-manage\">%s</h2>",
			 web_t(req, "orgs.show.manage"));
		if (v->viewer_role)
			html_fmt(b, "<p>%s %s</p>", web_t(req, "orgs.show.your_role"),
				 role_label(req, v->viewer_role));
		HTML("<p class=\"actions\">");
		if (v->can_edit) {
			HTML("<a class=\"button\"");
			html_href(b, org_path(req, o, "/modifier"));
			html_fmt(b, ">%s</a>", web_t(req, "orgs.show.edit"));
		}
		if (v->can_edit) {
			HTML("<a class=\"button secondary\"");
			html_href(b, org_path(req, o, "/horaires"));
			html_fmt(b, ">%s</a>", web_t(req, "directory.hours.title"));
			HTML("<a class=\"button secondary\"");
			html_href(b, org_path(req, o, "/position"));
			html_fmt(b, ">%s</a>", web_t(req, "directory.place.title"));
		}
		if (v->can_see_members) {
			HTML("<a class=\"button secondary\"");
			html_href(b, org_path(req, o, "/membres"));
			html_fmt(b, ">%s</a>", web_t(req, "orgs.show.members"));
		}
		if (v->can_publish) {
			HTML("<a class=\"button secondary\"");
			html_href(b, org_path(req, o, "/campagnes"));
			html_fmt(b, ">%s</a>", web_t(req, "campaigns.of_org"));
		}
		if (v->can_publish || v->can_money) {
			HTML("<a class=\"button secondary\"");
			html_href(b, org_path(req, o, "/parrainages"));
			html_fmt(b, ">%s</a>", web_t(req, "orgs.show.sponsorships"));
		}
		if (v->can_money) {
			HTML("<a class=\"button secondary\"");
			html_href(b, org_path(req, o, "/dons/reglages"));
			html_fmt(b, ">%s</a>", web_t(req, "donations.settings.title"));
		}
		if (v->can_money) {
			HTML("<a class=\"button secondary\"");
			html_href(b, org_path(req, o, "/adhesions/gestion"));
			html_fmt(b, ">%s</a>", web_t(req, "memberships.manage.title"));
			HTML("<a class=\"button secondary\""); html_href(b, org_path(req, o, "/comptes")); html_fmt(b, ">%s</a>", web_t(req, "balance.link"));
		}
		HTML("</p></section>");
	}

	if (*o->description) {
		html_fmt(b, "<section aria-labelledby=\"h-about\"><h2 id=\"h-about\">%s</h2>",
			 web_t(req, "orgs.show.about"));
		html_safe(b, html_stored_markdown(req->arena, o->description_html, o->description));
		HTML("</section>");
	}

	bool any = *o->address || *o->commune_name || *o->email || *o->phone || *o->website;
	if (any) {
		html_fmt(b, "<section aria-labelledby=\"h-contact\"><h2 id=\"h-contact\">%s</h2><dl>",
			 web_t(req, "orgs.show.contact"));
		if (*o->address || *o->commune_name) {
			html_fmt(b, "<dt>%s</dt><dd>%s", web_t(req, "orgs.field.address"), o->address);
			if (*o->address && *o->commune_name)
				HTML(", ");
			html_fmt(b, "%s</dd>", o->commune_name);
		}
		if (*o->email) {
			html_fmt(b, "<dt>%s</dt><dd><a", web_t(req, "orgs.field.email"));
			html_href(b, arena_printf(req->arena, "mailto:%s", o->email));
			html_fmt(b, ">%s</a></dd>", o->email);
		}
		if (*o->phone) {
			html_fmt(b, "<dt>%s</dt><dd><a", web_t(req, "orgs.field.phone"));
			html_href(b, tel_url(req, o->phone));
			html_fmt(b, ">%s</a></dd>", o->phone);
		}
		if (*o->website) {
			html_fmt(b, "<dt>%s</dt><dd><a rel=\"nofollow noopener\"", web_t(req, "orgs.field.website"));
			html_href(b, o->website);
			html_fmt(b, ">%s</a></dd>", o->website);
		}
		HTML("</dl></section>");
	}
	if (v->slot_directory.p)
		html_safe(b, v->slot_directory);

	view_posts_org_latest(b, req, o, v->posts, v->nposts, v->can_publish);
	view_events_upcoming_block(b, req, o->slug, v->events, v->nevents, v->can_publish);
	if (v->slot_products.p)
		html_safe(b, v->slot_products);
	if (v->slot_contact_form.p)
		html_safe(b, v->slot_contact_form);
	if (!o->hidden_at) {
		HTML("<p class=\"report-link\"><a rel=\"nofollow\"");
		html_href(b, arena_printf(req->arena, "/signaler?type=organisation&id=%lld", (long long)o->id));
		html_fmt(b, ">%s</a></p>", web_t(req, "moderation.report.link_org"));
	}
	HTML("</article>");
	view_layout_end(b, req);
}

/* ---- members ------------------------------------------------------------------------------------- */

void view_orgs_members(struct buf *b, struct request *req, const struct orgs_members_view *v)
{
	const struct org *o = v->org;
	struct arena *a = req->arena;
	int64_t me = web_of(req)->actor.account_id;
	view_layout_start(b, req, arena_printf(a, "%s · %s", web_t(req, "orgs.members.title"), o->name));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\"><a", web_t(req, "orgs.members.title"));
	html_href(b, org_path(req, o, ""));
	html_fmt(b, ">%s</a></p><p>%s</p>", o->name, web_t(req, "orgs.members.lead"));

	HTML("<ul class=\"card-list\">");
	for (int i = 0; i < v->n; i++) {
		const struct org_member *m = &v->members[i];
		bool self = m->account_id == me;
		html_fmt(b, "<li class=\"card\"><h2>%s", m->display_name);
		if (self)
			html_fmt(b, " <span class=\"muted\">(%s)</span>", web_t(req, "orgs.members.you"));
		html_fmt(b, "</h2><p><span class=\"badge\">%s</span></p><p class=\"meta\">%s <time",
			 role_label(req, m->role), web_t(req, "orgs.members.since"));
		html_attr(b, "datetime", time_format_date(a, m->since));
		html_fmt(b, ">%s</time></p>", time_format_long(a, m->since, web_of(req)->lang));
		const char *base = org_path(req, o, arena_printf(a, "/membres/%lld", (long long)m->account_id));
		if (v->can_manage) {
			/* One form per member: the field name carries the id so that ids stay unique on the page. */
			struct form_ctx fc = { b, req, NULL };
			form_start(&fc, arena_printf(a, "%s/role", base), false);
			struct field_spec role = { arena_printf(a, "role-%lld", (long long)m->account_id),
						   "orgs.members.new_role", "select", m->role, NULL,
						   NULL, true, 0 };
			form_select(&fc, &role, options(req, NULL, "orgs.role.", orgs_roles()));
			form_end(&fc, "orgs.members.change_role");
		}
		if (self)
			form_button(b, req, arena_printf(a, "%s/retirer", base), "orgs.members.leave",
				    "secondary");
		else if (v->can_manage)
			form_button(b, req, arena_printf(a, "%s/retirer", base), "orgs.members.remove",
				    "danger");
		HTML("</li>");
	}
	HTML("</ul>");

	if (!v->can_manage) {
		view_layout_end(b, req);
		return;
	}
	html_fmt(b, "<section aria-labelledby=\"h-invite\"><h2 id=\"h-invite\">%s</h2><p>%s</p>",
		 web_t(req, "orgs.members.invite_title"), web_t(req, "orgs.members.invite_lead"));
	HTML("<dl>");
	for (const char *const *r = orgs_roles(); *r; r++)
		html_fmt(b, "<dt>%s</dt><dd>%s</dd>", role_label(req, *r),
			 web_t(req, arena_printf(a, "orgs.role_help.%s", *r)));
	HTML("</dl>");
	static const char *const labels[] = { "email", "orgs.members.invite_email", "role",
					      "orgs.members.invite_role", NULL };
	struct form_ctx fc = { b, req, v->fe };
	form_start(&fc, org_path(req, o, "/membres/inviter"), false);
	form_errors_summary(&fc, labels);
	struct field_spec email = { "email", "orgs.members.invite_email", "email", v->invite_email,
				    NULL, "off", true, 254 };
	form_field(&fc, &email);
	struct field_spec role = { "role", "orgs.members.invite_role", "select",
				   v->invite_role ? v->invite_role : "editor", NULL, NULL, true, 0 };
	form_select(&fc, &role, options(req, NULL, "orgs.role.", orgs_roles()));
	form_end(&fc, "orgs.members.invite_submit");
	HTML("</section>");

	html_fmt(b, "<section aria-labelledby=\"h-pending\"><h2 id=\"h-pending\">%s</h2>",
		 web_t(req, "orgs.members.pending_title"));
	if (v->npending == 0) {
		html_fmt(b, "<p>%s</p>", web_t(req, "orgs.members.pending_none"));
	} else {
		HTML("<ul class=\"card-list\">");
		for (int i = 0; i < v->npending; i++) {
			const struct org_invitation *inv = &v->pending[i];
			html_fmt(b, "<li class=\"card\"><h3>%s</h3><p><span class=\"badge\">%s</span></p>"
				    "<p class=\"meta\">%s %s</p>",
				 inv->email, role_label(req, inv->role), web_t(req, "orgs.members.expires"),
				 time_format_long(a, inv->expires_at, web_of(req)->lang));
			form_button(b, req,
				    org_path(req, o, arena_printf(a, "/invitations/%lld/revoquer",
								  (long long)inv->id)),
				    "orgs.members.revoke", "secondary");
			HTML("</li>");
		}
		HTML("</ul>");
	}
	HTML("</section>");
	view_layout_end(b, req);
}

/* ---- invitation ------------------------------------------------------------------------------------ */

void view_orgs_invitation(struct buf *b, struct request *req, const struct org_invitation *inv,
			  const char *token, enum orgs_invitation_state state)
{
	struct arena *a = req->arena;
	const char *self = arena_printf(a, "/invitations/%s", url_arg(a, token));
	view_layout_start(b, req, web_t(req, "orgs.invitation.title"));
	html_fmt(b, "<h1>%s</h1><dl>", web_t(req, "orgs.invitation.title"));
	html_fmt(b, "<dt>%s</dt><dd><a", web_t(req, "orgs.invitation.org"));
	html_href(b, arena_printf(a, "/organisations/%s", url_arg(a, inv->org_slug)));
	html_fmt(b, ">%s</a></dd>", inv->org_name);
	html_fmt(b, "<dt>%s</dt><dd>%s</dd>", web_t(req, "orgs.invitation.role"),
		 role_label(req, inv->role));
	if (*inv->invited_by_name)
		html_fmt(b, "<dt>%s</dt><dd>%s</dd>", web_t(req, "orgs.invitation.by"),
			 inv->invited_by_name);
	html_fmt(b, "<dt>%s</dt><dd>%s</dd>", web_t(req, "orgs.invitation.sent_to"), inv->email);
	html_fmt(b, "<dt>%s</dt><dd>%s</dd></dl>", web_t(req, "orgs.invitation.expires"),
		 time_format_long(a, inv->expires_at, web_of(req)->lang));
	switch (state) {
	case INV_CAN_ACCEPT: {
		struct form_ctx fc = { b, req, NULL };
		form_start(&fc, self, false);
		form_end(&fc, "orgs.invitation.accept");
		break;
	}
	case INV_LOGIN_NEEDED:
		html_fmt(b, "<p>%s</p><p class=\"actions\"><a class=\"button\"",
			 web_t(req, "orgs.invitation.login_needed"));
		html_href(b, arena_printf(a, "/connexion?suite=%s", url_arg(a, self)));
		html_fmt(b, ">%s</a><a", web_t(req, "user.login"));
		html_href(b, "/inscription");
		html_fmt(b, ">%s</a></p>", web_t(req, "user.signup"));
		break;
	case INV_WRONG_ACCOUNT:
		html_fmt(b, "<div class=\"empty\" role=\"status\"><p>%s</p></div>",
			 web_t(req, "orgs.invitation.wrong_account"));
		break;
	}
	view_layout_end(b, req);
}
