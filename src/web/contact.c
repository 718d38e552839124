/* contact.c: "Nous contacter": the territory's public services and how to reach them */
#include "web/pages.h"
#include "web/views/views.h"
#include "core/orgs.h"
#include <string.h>

/* "04 75 53 20 00" -> "tel:0475532000": phones dial digits and a leading +. */
static const char *tel_uri(struct arena *a, const char *phone)
{
	char *t = arena_alloc(a, strlen(phone) + 5), *o = t + 4;
	memcpy(t, "tel:", 4);
	for (const char *p = phone; *p; p++)
		if ((*p >= '0' && *p <= '9') || (*p == '+' && o == t + 4))
			*o++ = *p;
	*o = 0;
	return t;
}

void web_contact(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct buf *b = &res->body;
	struct org_filter f = { .kind = "public_body", .limit = ORGS_PAGE_MAX };
	struct org *list;
	int n;
	int64_t total;

	w->nav = "contact";
	if (orgs_list(w->db, req->arena, &f, &list, &n, &total) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	view_layout_start(b, req, web_t(req, "nav.contact"));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", web_t(req, "nav.contact"),
		 web_t(req, "section.contact.lead"));
	if (n == 0)
		html_fmt(b, "<p class=\"empty\">%s</p>", web_t(req, "contact.none"));
	else
		HTML("<ul class=\"card-list\">");
	for (int i = 0; i < n; i++) {
		const struct org *o = &list[i];
		char *href = arena_printf(req->arena, "/organisations/%s", url_arg(req->arena, o->slug));
		html_fmt(b, "<li class=\"card\"><h2>%s</h2>", o->name);
		if (*o->summary)
			html_fmt(b, "<p>%s</p>", o->summary);
		if (*o->address)
			html_fmt(b, "<p>%s</p>", o->address);
		HTML("<ul>");
		if (*o->phone) {
			html_fmt(b, "<li>%s <a", web_t(req, "contact.phone"));
			html_href(b, tel_uri(req->arena, o->phone));
			html_fmt(b, ">%s</a></li>", o->phone);
		}
		if (*o->email) {
			html_fmt(b, "<li>%s <a", web_t(req, "contact.email"));
			html_href(b, arena_printf(req->arena, "mailto:%s", o->email));
			html_fmt(b, ">%s</a></li>", o->email);
		}
		HTML("<li><a");
		html_href(b, href);
		html_fmt(b, ">%s<span class=\"visually-hidden\"> : %s</span></a></li></ul></li>",
			 web_t(req, "contact.page"), o->name);
	}
	if (n)
		HTML("</ul>");
	view_layout_end(b, req);
}
