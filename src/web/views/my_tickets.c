/* my_tickets.c (views): "Mes billets": the dates an account holder has tickets for, then all their orders,
 * each linking to its order page (QR codes, PDF, cancellation). */
#include "web/views/my_tickets.h"
#include "web/html.h"
#include "core/tickets.h"
#include "base/timefmt.h"
#include <string.h>

static const char *order_path(struct request *req, const char *secret)
{
	return arena_printf(req->arena, "/commandes/%s", secret);
}

static void upcoming(struct buf *b, struct request *req, const struct my_tickets_view *v)
{
	struct web *w = web_of(req);
	html_fmt(b, "<section aria-labelledby=\"h-upcoming\"><h2 id=\"h-upcoming\">%s</h2>",
		 web_t(req, "mytickets.upcoming"));
	if (!v->n_upcoming) {
		html_fmt(b, "<p>%s <a href=\"/evenements\">%s</a></p></section>", web_t(req, "mytickets.none"),
			 web_t(req, "mytickets.agenda"));
		return;
	}
	HTML("<ul class=\"cards\">");
	for (int i = 0; i < v->n_upcoming; i++) {
		const struct account_ticket_date *d = &v->upcoming[i];
		HTML("<li class=\"card\"><h3><a");
		html_href(b, arena_printf(req->arena, "/evenements/%s", url_arg(req->arena, d->event_slug)));
		html_fmt(b, ">%s</a></h3><p>%s</p><p>", d->event_title,
			 time_format_long(req->arena, d->starts_at, w->lang));
		html_fmt(b, "%d %s", d->n_tickets,
			 web_t(req, d->n_tickets > 1 ? "mytickets.tickets" : "mytickets.ticket"));
		if (strcmp(d->order_status, "pending") == 0)
			html_fmt(b, " — <strong>%s</strong>", web_t(req, "orders.status.pending"));
		HTML("</p><p><a class=\"button\"");
		html_href(b, order_path(req, d->order_secret));
		html_fmt(b, ">%s</a></p></li>", web_t(req, "mytickets.show"));
	}
	HTML("</ul></section>");
}

static void all_orders(struct buf *b, struct request *req, const struct my_tickets_view *v)
{
	struct web *w = web_of(req);
	if (!v->n_orders)
		return;
	const char *caption = web_t(req, "mytickets.orders");
	html_fmt(b, "<section aria-labelledby=\"h-orders\"><h2 id=\"h-orders\">%s</h2>", caption);
	html_fmt(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
		    "<table class=\"data\"><caption>%s</caption><thead><tr>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
		 caption, caption, web_t(req, "mytickets.col.order"), web_t(req, "mytickets.col.event"),
		 web_t(req, "mytickets.col.date"), web_t(req, "mytickets.col.status"),
		 web_t(req, "mytickets.col.total"));
	for (int i = 0; i < v->n_orders; i++) {
		const struct order *o = &v->orders[i];
		HTML("<tr><th scope=\"row\"><a");
		html_href(b, order_path(req, o->secret));
		html_fmt(b, ">%s</a></th><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", o->code,
			 o->event_title, time_format_long(req->arena, o->created_at, w->lang),
			 web_t(req, arena_printf(req->arena, "orders.status.%s", o->status)),
			 o->total_cents ? tickets_money_format(req->arena, o->total_cents, o->currency, w->lang)
					: web_t(req, "orders.free"));
	}
	HTML("</tbody></table></div></section>");
}

void view_my_tickets(struct buf *b, struct request *req, const struct my_tickets_view *v)
{
	view_layout_start(b, req, web_t(req, "mytickets.title"));
	html_fmt(b, "<h1>%s</h1>", web_t(req, "mytickets.title"));
	upcoming(b, req, v);
	all_orders(b, req, v);
	html_fmt(b, "<p><a href=\"/agenda/mes-billets\">%s</a></p>", web_t(req, "mytickets.feed"));
	view_layout_end(b, req);
}
