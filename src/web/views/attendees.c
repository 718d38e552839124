/* attendees.c (views): the participants page of an event (orders and
 * tickets, with counts), its CSV export, and the confirmation page of
 * cancelling the whole event. Works without JavaScript. */
#include "web/views/attendees.h"
#include "web/html.h"
#include "base/i18n.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <inttypes.h>
#include <string.h>

static const char *event_path(struct request *req, const struct event *ev, const char *tail)
{
	return arena_printf(req->arena, "/evenements/%s%s", url_arg(req->arena, ev->slug), tail);
}

static const char *money(struct request *req, int64_t cents, const char *currency)
{
	return tickets_money_format(req->arena, cents, currency && *currency ? currency : "EUR",
				    web_of(req)->lang);
}

static const char *status_words(struct request *req, const char *status)
{
	return web_t(req, arena_printf(req->arena, "orders.status.%s", status));
}

/* Offline payments the box office or the treasurer confirms by hand. */
/* The state in words, with the refund's progress ("to refund by hand"). */
static const char *state_words(struct request *req, const struct order *o)
{
	const char *r = o->refund_status ? o->refund_status : "";
	const char *key = strcmp(r, "manual") == 0	? "attendees.refund.manual"
			  : strcmp(r, "failed") == 0	? "attendees.refund.failed"
			  : strcmp(r, "pending") == 0	? "orders.refund.pending"
							: NULL;
	if (!key)
		return status_words(req, o->status);
	return arena_printf(req->arena, "%s (%s)", status_words(req, o->status), web_t(req, key));
}

static bool can_mark_paid(const struct order *o)
{
	return strcmp(o->status, "pending") == 0 &&
	       (strcmp(o->provider, "onsite") == 0 || strcmp(o->provider, "transfer") == 0);
}

static bool can_cancel(const struct order *o)
{
	return strcmp(o->status, "pending") == 0 || strcmp(o->status, "paid") == 0;
}

static void table_start(struct buf *b, struct request *req, const char *caption_key)
{
	const char *label = web_t(req, caption_key);
	html_fmt(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
		    "<table class=\"data\"><caption>%s</caption><thead><tr>",
		 label, label);
}

static void th(struct buf *b, struct request *req, const char *key)
{
	html_fmt(b, "<th scope=\"col\">%s</th>", web_t(req, key));
}

static void counts(struct buf *b, struct request *req, const struct attendees_view *v)
{
	html_fmt(b, "<dl class=\"stats\"><div><dt>%s</dt><dd>%d</dd></div>"
		    "<div><dt>%s</dt><dd>%d</dd></div><div><dt>%s</dt><dd>%s</dd></div></dl>",
		 web_t(req, "attendees.count.sold"), v->tickets_sold,
		 web_t(req, "attendees.count.paid"), v->tickets_paid,
		 web_t(req, "attendees.count.revenue"), money(req, v->revenue_cents, v->currency));
	if (v->total_orders > v->norders)
		html_fmt(b, "<p>%s</p>", web_t(req, "attendees.truncated"));
}

static void orders_table(struct buf *b, struct request *req, const struct attendees_view *v)
{
	html_fmt(b, "<section aria-labelledby=\"h-orders\"><h2 id=\"h-orders\">%s</h2>",
		 web_t(req, "attendees.orders"));
	if (v->norders == 0) {
		html_fmt(b, "<p>%s</p></section>", web_t(req, "attendees.orders_none"));
		return;
	}
	table_start(b, req, "attendees.orders");
	th(b, req, "attendees.col.code");
	th(b, req, "attendees.col.buyer");
	th(b, req, "attendees.col.email");
	th(b, req, "attendees.col.status");
	th(b, req, "attendees.col.total");
	th(b, req, "attendees.col.date");
	th(b, req, "attendees.col.actions");
	HTML("</tr></thead><tbody>");
	for (int i = 0; i < v->norders; i++) {
		const struct order *o = &v->orders[i];
		html_fmt(b, "<tr><td><code>%s</code></td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
			    "<td>%s</td><td>",
			 o->code, o->buyer_name, o->buyer_email, state_words(req, o),
			 money(req, o->total_cents, o->currency),
			 time_format_long(req->arena, o->created_at, web_of(req)->lang));
		if (can_mark_paid(o))
			form_button(b, req,
				    event_path(req, v->ev,
					       arena_printf(req->arena, "/participants/%" PRId64 "/payee", o->id)),
				    "attendees.mark_paid", "button");
		if (can_cancel(o))
			form_button(b, req,
				    event_path(req, v->ev,
					       arena_printf(req->arena, "/participants/%" PRId64 "/annuler", o->id)),
				    "attendees.cancel_order", "button button-danger");
		HTML("</td></tr>");
	}
	HTML("</tbody></table></div></section>");
}

static void answers_cell(struct buf *b, const struct order_ticket *t)
{
	if (t->n_answers == 0)
		return;
	HTML("<ul class=\"plain\">");
	for (int k = 0; k < t->n_answers; k++)
		html_fmt(b, "<li>%s : %s</li>", t->answers[k].label, t->answers[k].value);
	HTML("</ul>");
}

static void tickets_table(struct buf *b, struct request *req, const struct attendees_view *v)
{
	html_fmt(b, "<section aria-labelledby=\"h-tickets\"><h2 id=\"h-tickets\">%s</h2><p><a",
		 web_t(req, "attendees.tickets"));
	html_href(b, event_path(req, v->ev, "/participants.csv"));
	html_fmt(b, " download>%s</a></p>", web_t(req, "attendees.csv"));
	int n = 0;
	for (int i = 0; i < v->norders; i++)
		n += v->orders[i].n_tickets;
	if (n == 0) {
		html_fmt(b, "<p>%s</p></section>", web_t(req, "attendees.tickets_none"));
		return;
	}
	table_start(b, req, "attendees.tickets");
	th(b, req, "attendees.col.attendee");
	th(b, req, "attendees.col.type");
	th(b, req, "attendees.col.status");
	th(b, req, "attendees.col.code");
	th(b, req, "attendees.col.answers");
	HTML("</tr></thead><tbody>");
	for (int i = 0; i < v->norders; i++) {
		const struct order *o = &v->orders[i];
		for (int j = 0; j < o->n_tickets; j++) {
			const struct order_ticket *t = &o->tickets[j];
			const char *name = t->attendee_name && *t->attendee_name ? t->attendee_name
										 : o->buyer_name;
			html_fmt(b, "<tr><td>%s</td><td>%s</td><td>%s", name, t->type_name,
				 status_words(req, o->status));
			if (t->checked_in_at)
				html_fmt(b, " — %s", web_t(req, "attendees.checked_in"));
			html_fmt(b, "</td><td><code>%s</code></td><td>", o->code);
			answers_cell(b, t);
			HTML("</td></tr>");
		}
	}
	HTML("</tbody></table></div></section>");
}

void view_attendees(struct buf *b, struct request *req, const struct attendees_view *v)
{
	const char *title = arena_printf(req->arena, "%s — %s", web_t(req, "attendees.title"),
					 v->ev->title);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p><a", title);
	html_href(b, event_path(req, v->ev, "/billetterie"));
	html_fmt(b, ">%s</a></p>", web_t(req, "attendees.back"));
	counts(b, req, v);
	orders_table(b, req, v);
	tickets_table(b, req, v);
	view_layout_end(b, req);
}

/* ---- CSV ----------------------------------------------------------------------------------- */

/* One field: a leading = + - @ tab or CR gets an apostrophe (no formula in a
 * spreadsheet); quoted when it holds ; " CR or LF, quotes doubled. */
static void csv_field(struct buf *b, const char *s, bool last)
{
	if (!s)
		s = "";
	bool guard = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
		     s[0] == '\r';
	bool quote = strpbrk(s, ";\"\r\n") != NULL;
	if (quote)
		buf_putc(b, '"');
	if (guard)
		buf_putc(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	if (quote)
		buf_putc(b, '"');
	buf_puts(b, last ? "\r\n" : ";");
}

void view_attendees_csv(struct buf *b, struct request *req, const struct attendees_view *v)
{
	buf_puts(b, "\xEF\xBB\xBF");
	static const char *const cols[] = { "attendees.col.attendee", "attendees.col.type",
		"attendees.col.status", "attendees.col.code", "attendees.col.buyer",
		"attendees.col.email", "attendees.col.answers" };
	for (int i = 0; i < 7; i++)
		csv_field(b, web_t(req, cols[i]), i == 6);
	for (int i = 0; i < v->norders; i++) {
		const struct order *o = &v->orders[i];
		for (int j = 0; j < o->n_tickets; j++) {
			const struct order_ticket *t = &o->tickets[j];
			const char *answers = "";
			for (int k = 0; k < t->n_answers; k++)
				answers = arena_printf(req->arena, "%s%s%s : %s", answers, k ? " | " : "",
						       t->answers[k].label, t->answers[k].value);
			csv_field(b, t->attendee_name && *t->attendee_name ? t->attendee_name
									   : o->buyer_name, false);
			csv_field(b, t->type_name, false);
			csv_field(b, status_words(req, o->status), false);
			csv_field(b, o->code, false);
			csv_field(b, o->buyer_name, false);
			csv_field(b, o->buyer_email, false);
			csv_field(b, answers, true);
		}
	}
}

/* ---- cancelling the event ------------------------------------------------------------------ */

void view_attendees_cancel_event(struct buf *b, struct request *req, const struct event *ev)
{
	const char *title = arena_printf(req->arena, "%s — %s", web_t(req, "attendees.cancel.title"),
					 ev->title);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p>%s</p><p>%s</p>", title, web_t(req, "attendees.cancel.explain"),
		 web_t(req, "attendees.cancel.refunds"));
	struct form_ctx f = { .b = b, .req = req };
	form_start(&f, event_path(req, ev, "/annuler"), false);
	form_end(&f, "attendees.cancel.submit");
	HTML("<p><a");
	html_href(b, event_path(req, ev, "/billetterie"));
	html_fmt(b, ">%s</a></p>", web_t(req, "attendees.back"));
	view_layout_end(b, req);
}
