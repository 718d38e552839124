/* contact.c: "Nous contacter": the territory's public services, how to reach them, and a form to the platform's team
 *
 * The form goes to the platform admins (the territory's staff who run the
 * site): the public bodies listed above have their own form on their page. */
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

static void contact_page(struct request *req, struct response *res,
			 const struct directory_contact *cf)
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
	html_safe(b, web_directory_contact_form(req, NULL, cf));
	view_layout_end(b, req);
}

void web_contact(struct request *req, struct response *res)
{
	contact_page(req, res, NULL);
}

void web_contact_send(struct request *req, struct response *res)
{
	struct directory_contact cf;
	struct field_errors fe = { 0 };
	enum kq_err e = web_directory_contact_send(req, 0, &cf, &fe);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, "/nous-contacter#contact", "success",
				   "flash.directory.contact_sent");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID && !cf.error_key) {
		web_error(req, res, e);
		return;
	}
	res->status = err_http_status(e);
	contact_page(req, res, &cf);
}
