/* practical.c (views): "Infos pratiques": sections with their pages and dates of update, one page with its keeper, the management forms */
#include "practical.h"
#include "base/timefmt.h"
#include <string.h>

static const char *page_path(struct request *req, const struct practical_page *p,
			     const char *tail)
{
	return arena_printf(req->arena, "/infos-pratiques/%s%s", url_arg(req->arena, p->slug), tail);
}

/* "mis à jour le 25 novembre 2026 à 19 h 04", with a machine-readable date. */
static void updated(struct buf *b, struct request *req, int64_t t)
{
	struct arena *a = req->arena;
	html_fmt(b, "<span class=\"updated\">%s <time", web_t(req, "practical.updated_on"));
	html_attr(b, "datetime", time_format_iso(a, t));
	html_fmt(b, ">%s</time></span>", time_format_long(a, t, web_of(req)->lang));
}

/* A search restricted to the practical pages: the results page with type=practical. */
static void search_box(struct buf *b, struct request *req)
{
	html_fmt(b, "<form class=\"practical-search\" method=\"get\" action=\"/recherche\" role=\"search\""
		    " aria-label=\"%s\"><input type=\"hidden\" name=\"type\" value=\"practical\">"
		    "<label for=\"practical-q\">%s</label><div class=\"row\">"
		    "<input type=\"search\" id=\"practical-q\" name=\"q\" maxlength=\"100\">"
		    "<button type=\"submit\">%s</button></div></form>",
		 web_t(req, "practical.search_label"), web_t(req, "practical.search_label"),
		 web_t(req, "search.submit"));
}

void view_practical_index(struct buf *b, struct request *req, const struct practical_index_view *v)
{
	const char *title = web_t(req, "practical.title");
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", title, web_t(req, "practical.lead"));
	search_box(b, req);
	if (v->can_manage)
		html_fmt(b, "<p class=\"actions\"><a class=\"button\" href=\"/infos-pratiques/nouvelle\">%s</a></p>",
			 web_t(req, "practical.new"));
	int shown = 0;
	for (int i = 0; i < v->nsections; i++) {
		const struct practical_section *s = &v->sections[i];
		if (!s->npages)
			continue;
		shown++;
		html_fmt(b, "<section class=\"practical-section\" aria-labelledby=\"ps-%s\">"
			    "<h2 id=\"ps-%s\">%s</h2><ul class=\"card-list practical-list\">",
			 s->slug, s->slug, s->title);
		for (int k = 0; k < s->npages; k++) {
			const struct practical_page *p = &s->pages[k];
			HTML("<li class=\"card\"><h3><a");
			html_href(b, page_path(req, p, ""));
			html_fmt(b, ">%s</a></h3><p class=\"meta\">", p->title);
			html_fmt(b, "<span class=\"organiser\">%s</span> · ", p->org_name);
			updated(b, req, p->updated_at);
			HTML("</p></li>");
		}
		HTML("</ul></section>");
	}
	if (!shown)
		html_fmt(b, "<p class=\"empty\">%s</p>", web_t(req, "practical.empty"));
	view_layout_end(b, req);
}

void view_practical_show(struct buf *b, struct request *req, const struct practical_show_view *v)
{
	const struct practical_page *p = v->p;
	view_layout_start(b, req, arena_printf(req->arena, "%s · %s", p->title,
					       web_t(req, "practical.title")));
	html_fmt(b, "<nav class=\"breadcrumb\" aria-label=\"%s\"><a href=\"/infos-pratiques\">%s</a>"
		    " › %s</nav>", web_t(req, "practical.back"), web_t(req, "practical.title"),
		 p->section_title);
	html_fmt(b, "<article class=\"practical-page\"><h1>%s</h1><p class=\"meta\">", p->title);
	updated(b, req, p->updated_at);
	HTML("</p><div class=\"prose\">");
	html_safe(b, html_stored_markdown(req->arena, p->body_html, p->body));
	html_fmt(b, "</div><p class=\"practical-keeper\">%s <a", web_t(req, "practical.kept_by"));
	html_href(b, arena_printf(req->arena, "/organisations/%s", url_arg(req->arena, p->org_slug)));
	html_fmt(b, ">%s</a>", p->org_name);
	if (*p->commune_name)
		html_fmt(b, " (%s)", p->commune_name);
	HTML(".</p>");
	if (v->can_edit) {
		HTML("<p class=\"actions\"><a class=\"button\"");
		html_href(b, page_path(req, p, "/modifier"));
		html_fmt(b, ">%s</a> <a class=\"button danger\"", web_t(req, "practical.edit"));
		html_href(b, page_path(req, p, "/supprimer"));
		html_fmt(b, ">%s</a></p>", web_t(req, "practical.delete"));
	}
	html_fmt(b, "</article><p><a href=\"/infos-pratiques\">%s</a></p>", web_t(req, "practical.back"));
	view_layout_end(b, req);
}

static const char *const form_labels[] = {
	"org", "practical.field.org", "section", "practical.field.section",
	"title", "practical.field.title", "body", "practical.field.body",
	"position", "practical.field.position", NULL
};

void view_practical_form(struct buf *b, struct request *req, const struct practical_form_view *v)
{
	struct arena *a = req->arena;
	const struct practical_input *in = v->values;
	const char *title = web_t(req, v->p ? "practical.edit" : "practical.new");
	view_layout_start(b, req, v->p ? arena_printf(a, "%s · %s", title, v->p->title) : title);
	html_fmt(b, "<h1>%s</h1>", title);
	if (v->p) {
		HTML("<p class=\"lead\"><a");
		html_href(b, page_path(req, v->p, ""));
		html_fmt(b, ">%s</a> · %s</p>", v->p->title, v->p->org_name);
	}
	struct form_ctx fc = { b, req, v->fe, NULL };
	form_start(&fc, v->p ? page_path(req, v->p, "/modifier") : "/infos-pratiques/nouvelle", false);
	form_errors_summary(&fc, form_labels);
	if (!v->p) {
		const char **orgs = arena_alloc(a, sizeof(*orgs) * (size_t)(2 * v->norgs + 1));
		int k = 0;
		for (int i = 0; i < v->norgs; i++) {
			orgs[k++] = v->orgs[i].slug;
			orgs[k++] = v->orgs[i].name;
		}
		orgs[k] = NULL;
		struct field_spec o = { "org", "practical.field.org", "select", v->org_slug, NULL, NULL,
					true, 0, true };
		form_select(&fc, &o, orgs);
	}
	const char **sections = arena_alloc(a, sizeof(*sections) * (size_t)(2 * v->nsections + 1));
	int k = 0;
	for (int i = 0; i < v->nsections; i++) {
		sections[k++] = v->sections[i].slug;
		sections[k++] = v->sections[i].title;
	}
	sections[k] = NULL;
	struct field_spec s = { "section", "practical.field.section", "select", in->section, NULL,
				NULL, true, 0, true };
	form_select(&fc, &s, sections);
	struct field_spec t = { "title", "practical.field.title", "text", in->title, NULL, "off", true,
				PRACTICAL_TITLE_MAX, false };
	form_field(&fc, &t);
	struct field_spec bd = { "body", "practical.field.body", "textarea", in->body,
				 "practical.hint.body", NULL, false, PRACTICAL_BODY_MAX, false };
	form_field(&fc, &bd);
	struct field_spec pos = { "position", "practical.field.position", "text", in->position,
				  "practical.hint.position", "off", false, 3, false };
	form_field(&fc, &pos);
	form_end(&fc, "practical.save");
	view_layout_end(b, req);
}

void view_practical_delete_confirm(struct buf *b, struct request *req,
				   const struct practical_page *p)
{
	const char *title = web_t(req, "practical.delete");
	view_layout_start(b, req, arena_printf(req->arena, "%s · %s", title, p->title));
	html_fmt(b, "<h1>%s</h1><p>%s</p><p class=\"lead\"><a", title,
		 web_t(req, "practical.delete_confirm"));
	html_href(b, page_path(req, p, ""));
	html_fmt(b, ">%s</a></p><div class=\"actions\">", p->title);
	form_button(b, req, page_path(req, p, "/supprimer"), "practical.delete_yes", "button danger");
	HTML("<p><a");
	html_href(b, page_path(req, p, ""));
	html_fmt(b, ">%s</a></p></div>", web_t(req, "practical.cancel"));
	view_layout_end(b, req);
}
