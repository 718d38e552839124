/* waitlist.c (views): joining the waiting list of a sold-out type, and the
 * page behind an entry's link. Works without JavaScript. */
#include "web/views/waitlist.h"
#include "web/html.h"
#include "base/i18n.h"
#include "base/timefmt.h"
#include <string.h>

static const char *event_url(struct request *req, const char *slug)
{
	return arena_printf(req->arena, "/evenements/%s", url_arg(req->arena, slug));
}

static const char *entry_url(struct request *req, const struct waitlist_entry *w, const char *tail)
{
	return arena_printf(req->arena, "/liste-attente/%s%s", url_arg(req->arena, w->token), tail);
}

/* A type on a date people may queue for: on sale, nothing left to buy. */
static bool can_wait(const struct ticket_offer *of)
{
	return of->is_on_sale && of->left <= 0;
}

static const char *offer_value(struct request *req, const struct ticket_offer *of)
{
	return arena_printf(req->arena, "%lld-%lld", (long long)of->ticket_type_id,
			    (long long)of->event_date_id);
}

static const char *offer_label(struct request *req, const struct ticket_offer *of)
{
	return arena_printf(req->arena, "%s — %s", of->name,
			    time_format_long(req->arena, of->date_starts_at, web_of(req)->lang));
}

void view_waitlist_join_form(struct buf *b, struct request *req, const struct orders_form_view *v,
			     const struct field_errors *fe)
{
	struct arena *a = req->arena;
	if (!v->shop || !v->shop->waiting_list || v->offer)
		return;
	int n = 0;
	const struct ticket_offer *only = NULL;
	for (int i = 0; i < v->n_offers; i++)
		if (can_wait(&v->offers[i])) {
			n++;
			only = &v->offers[i];
		}
	if (n == 0)
		return;
	bool refill = fe != NULL;
#define WV(name, dflt) (refill && http_form(req, name) ? http_form(req, name) : (dflt))
	html_fmt(b, "<section class=\"waitlist card\" id=\"liste-attente\" aria-labelledby=\"waitlist-title\">"
		    "<h2 id=\"waitlist-title\">%s</h2><p>%s</p>",
		 web_t(req, "waitlist.join.title"), web_t(req, "waitlist.join.explain"));
	html_fmt(b, "<p class=\"hint\">%s %s %s.</p>", web_t(req, "waitlist.join.held_for"),
		 arena_printf(a, "%lld", (long long)((v->shop->offer_ttl + 1800) / 3600)),
		 web_t(req, "waitlist.join.hours"));
	struct form_ctx f = { .b = b, .req = req, .fe = fe };
	form_start(&f, arena_printf(a, "/evenements/%s/liste-attente", url_arg(a, v->event_slug)), false);
	static const char *const labels[] = {
		"wl_offer", "waitlist.join.offer", "wl_quantity", "waitlist.join.quantity",
		"wl_name", "waitlist.join.name", "wl_email", "waitlist.join.email", NULL,
	};
	form_errors_summary(&f, labels);
	if (n == 1) {
		form_hidden(&f, "wl_offer", offer_value(req, only));
		html_fmt(b, "<p id=\"f-wl_offer\"><strong>%s</strong></p>", offer_label(req, only));
		const char *err = field_error_get(fe, "wl_offer");
		if (err)
			html_fmt(b, "<p class=\"field-error\" id=\"e-wl_offer\">%s</p>", web_t(req, err));
	} else {
		const char **opts = arena_alloc(a, sizeof(*opts) * (size_t)(2 * n + 1));
		int k = 0;
		for (int i = 0; i < v->n_offers; i++)
			if (can_wait(&v->offers[i])) {
				opts[k++] = offer_value(req, &v->offers[i]);
				opts[k++] = offer_label(req, &v->offers[i]);
			}
		opts[k] = NULL;
		struct field_spec os = { .name = "wl_offer", .type = "select", .required = true,
					 .label_key = "waitlist.join.offer", .labels_are_text = true,
					 .value = WV("wl_offer", "") };
		form_select(&f, &os, opts);
	}
	static const char *const qty[] = { "1", "1", "2", "2", "3", "3", "4", "4", "5", "5", "6", "6",
		"7", "7", "8", "8", "9", "9", "10", "10", NULL };
	_Static_assert(ORDERS_WAITLIST_MAX == 10, "the quantity choices go up to ORDERS_WAITLIST_MAX");
	struct field_spec qs = { .name = "wl_quantity", .type = "select", .required = true,
				 .label_key = "waitlist.join.quantity", .labels_are_text = true,
				 .value = WV("wl_quantity", "1") };
	form_select(&f, &qs, qty);
	if (!web_of(req)->actor.account_id) {
		struct field_spec nm = { .name = "wl_name", .label_key = "waitlist.join.name", .type = "text",
					 .value = WV("wl_name", ""), .autocomplete = "name",
					 .required = true, .maxlength = ORDERS_NAME_MAX };
		form_field(&f, &nm);
		struct field_spec em = { .name = "wl_email", .label_key = "waitlist.join.email",
					 .type = "email", .value = WV("wl_email", ""),
					 .hint_key = "waitlist.join.email_hint", .autocomplete = "email",
					 .required = true };
		form_field(&f, &em);
	}
#undef WV
	form_end(&f, "waitlist.join.submit");
	HTML("</section>");
}

void view_waitlist_join_page(struct buf *b, struct request *req, const char *event_title,
			     const struct orders_form_view *v, const struct field_errors *fe,
			     const char *error_key)
{
	const char *title = arena_printf(req->arena, "%s — %s", web_t(req, "waitlist.join.title"),
					 event_title);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1>", title);
	if (error_key)
		html_fmt(b, "<div class=\"form-errors\" role=\"alert\" tabindex=\"-1\" id=\"form-errors\">"
			    "<p>%s</p></div>", web_t(req, error_key));
	view_waitlist_join_form(b, req, v, fe ? fe : &(const struct field_errors){ 0 });
	HTML("<p><a");
	html_href(b, event_url(req, v->event_slug));
	html_fmt(b, ">%s</a></p>", web_t(req, "orders.back_to_event"));
	view_layout_end(b, req);
}

void view_waitlist_already(struct buf *b, struct request *req, const char *event_title,
			   const char *event_slug)
{
	const char *title = arena_printf(req->arena, "%s — %s", web_t(req, "waitlist.join.title"),
					 event_title);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p class=\"lead\" role=\"status\">%s</p>", title,
		 web_t(req, "waitlist.join.already"));
	HTML("<p><a");
	html_href(b, event_url(req, event_slug));
	html_fmt(b, ">%s</a></p>", web_t(req, "orders.back_to_event"));
	view_layout_end(b, req);
}

/* What, for when, how many: the entry's facts. */
static void facts(struct buf *b, struct request *req, const struct waitlist_view *v)
{
	const struct waitlist_entry *w = v->w;
	html_fmt(b, "<dl><dt>%s</dt><dd>%s</dd>", web_t(req, "waitlist.show.type"), v->type_name);
	if (v->date_starts_at)
		html_fmt(b, "<dt>%s</dt><dd>%s</dd>", web_t(req, "waitlist.show.date"),
			 time_format_long(req->arena, v->date_starts_at, web_of(req)->lang));
	html_fmt(b, "<dt>%s</dt><dd>%d</dd><dt>%s</dt><dd>%s</dd></dl>",
		 web_t(req, "waitlist.show.quantity"), w->quantity, web_t(req, "waitlist.show.email"),
		 w->email);
}

static void leave_link(struct buf *b, struct request *req, const struct waitlist_entry *w)
{
	HTML("<p><a class=\"button secondary\"");
	html_href(b, entry_url(req, w, "/quitter"));
	html_fmt(b, ">%s</a></p>", web_t(req, "waitlist.leave.link"));
}

void view_waitlist_show(struct buf *b, struct request *req, const struct waitlist_view *v)
{
	const struct waitlist_entry *w = v->w;
	struct web *web = web_of(req);
	view_layout_start(b, req, arena_printf(req->arena, "%s — %s", web_t(req, "waitlist.show.title"),
					       v->event_title));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\"><a", web_t(req, "waitlist.show.title"));
	html_href(b, event_url(req, v->event_slug));
	html_fmt(b, ">%s</a></p>", v->event_title);
	facts(b, req, v);
	if (strcmp(w->status, "waiting") == 0) {
		html_fmt(b, "<p class=\"waitlist-state\" role=\"status\">%s <strong>%lld</strong></p><p>%s</p>",
			 web_t(req, "waitlist.show.position"), (long long)w->position,
			 web_t(req, "waitlist.show.waiting"));
		leave_link(b, req, w);
	} else if (strcmp(w->status, "offered") == 0) {
		html_fmt(b, "<p class=\"waitlist-state\" role=\"status\"><strong>%s %s.</strong></p>",
			 web_t(req, "waitlist.show.offered"),
			 time_format_long(req->arena, w->offer_expires_at, web->lang));
		if (v->checkout)
			view_orders_checkout_form(b, req, v->checkout);
		else
			html_fmt(b, "<p>%s</p>", web_t(req, "waitlist.show.not_for_sale"));
		leave_link(b, req, w);
	} else {
		const char *key = arena_printf(req->arena, "waitlist.show.closed.%s", w->status);
		html_fmt(b, "<p class=\"waitlist-state\" role=\"status\">%s</p>",
			 web_t(req, i18n_has(key) ? key : "waitlist.show.closed.cancelled"));
	}
	html_fmt(b, "<p class=\"hint\">%s</p>", web_t(req, "waitlist.show.private_hint"));
	view_layout_end(b, req);
}

void view_waitlist_leave(struct buf *b, struct request *req, const struct waitlist_view *v)
{
	const struct waitlist_entry *w = v->w;
	view_layout_start(b, req, web_t(req, "waitlist.leave.title"));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", web_t(req, "waitlist.leave.title"),
		 v->event_title);
	facts(b, req, v);
	html_fmt(b, "<p>%s</p>", web_t(req, strcmp(w->status, "offered") == 0
					      ? "waitlist.leave.explain_offered"
					      : "waitlist.leave.explain_waiting"));
	HTML("<div class=\"actions\">");
	form_button(b, req, entry_url(req, w, "/quitter"), "waitlist.leave.submit", "danger");
	HTML("<a");
	html_href(b, entry_url(req, w, ""));
	html_fmt(b, ">%s</a></div>", web_t(req, "waitlist.leave.stay"));
	view_layout_end(b, req);
}
