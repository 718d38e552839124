/* attendees.c (views): the participants page of an event (sales report,
 * manual order, orders by pages, tickets), its CSV export, the page of one
 * order, and the confirmation pages of cancelling an order or the whole
 * event. Works without JavaScript; the sales chart is SVG written here,
 * styled by classes (the CSP allows no inline style). */
#include "web/views/attendees.h"
#include "web/html.h"
#include "base/crypto.h"
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
	const struct sales_report *r = v->report;
	html_fmt(b, "<dl class=\"stats\"><div><dt>%s</dt><dd>%lld</dd></div>"
		    "<div><dt>%s</dt><dd>%lld</dd></div>",
		 web_t(req, "attendees.count.sold"), (long long)(r->paid + r->pending),
		 web_t(req, "attendees.count.paid"), (long long)r->paid);
	if (r->has_money)
		html_fmt(b, "<div><dt>%s</dt><dd>%s</dd></div>", web_t(req, "attendees.count.revenue"),
			 money(req, r->revenue_cents, r->currency));
	html_fmt(b, "<div><dt>%s</dt><dd>%lld / %lld</dd></div></dl>",
		 web_t(req, "attendees.count.checked_in"), (long long)r->checked_in, (long long)r->paid);
}

static void td_num(struct buf *b, int64_t n)
{
	html_fmt(b, "<td class=\"num\">%lld</td>", (long long)n);
}

static void td_money(struct buf *b, struct request *req, int64_t cents, const char *currency)
{
	html_fmt(b, "<td class=\"num\">%s</td>", money(req, cents, currency));
}

static void types_table(struct buf *b, struct request *req, const struct sales_report *r)
{
	if (r->ntypes == 0) {
		html_fmt(b, "<p>%s</p>", web_t(req, "sales.types_none"));
		return;
	}
	table_start(b, req, "sales.by_type");
	th(b, req, "attendees.col.type");
	th(b, req, "sales.col.paid");
	th(b, req, "sales.col.pending");
	th(b, req, "sales.col.cancelled");
	th(b, req, "sales.col.left");
	if (r->has_money)
		th(b, req, "sales.col.revenue");
	th(b, req, "sales.col.checked_in");
	HTML("</tr></thead><tbody>");
	for (int i = 0; i < r->ntypes; i++) {
		const struct sales_type *t = &r->types[i];
		html_fmt(b, "<tr><th scope=\"row\">%s", t->name);
		if (strcmp(t->visibility, "public") != 0)
			html_fmt(b, " <span class=\"badge\">%s</span>",
				 web_t(req, arena_printf(req->arena, "sales.visibility.%s", t->visibility)));
		if (t->is_archived)
			html_fmt(b, " <span class=\"badge\">%s</span>", web_t(req, "sales.archived"));
		HTML("</th>");
		td_num(b, t->paid);
		td_num(b, t->pending);
		td_num(b, t->cancelled);
		if (t->seats_left < 0)
			HTML("<td class=\"num\">—</td>");
		else
			td_num(b, t->seats_left);
		if (r->has_money)
			td_money(b, req, t->revenue_cents, r->currency);
		td_num(b, t->checked_in);
		HTML("</tr>");
	}
	html_fmt(b, "</tbody><tfoot><tr><th scope=\"row\">%s</th>", web_t(req, "sales.total"));
	td_num(b, r->paid);
	td_num(b, r->pending);
	td_num(b, r->cancelled);
	HTML("<td></td>");
	if (r->has_money)
		td_money(b, req, r->revenue_cents, r->currency);
	td_num(b, r->checked_in);
	HTML("</tr></tfoot></table></div>");
}

/* Tickets per day as bars: an SVG the view writes, heights in its own
 * coordinates, colours from the style sheet. The table below has the numbers. */
static void days_chart(struct buf *b, struct request *req, const struct sales_report *r)
{
	const int bar = 12, height = 100;
	int64_t max = r->day_max_tickets > 0 ? r->day_max_tickets : 1;
	html_fmt(b, "<svg class=\"sales-chart\" viewBox=\"0 0 %d %d\" preserveAspectRatio=\"none\""
		    " role=\"img\" aria-label=\"%s\" focusable=\"false\">",
		 r->ndays * bar, height + 1, web_t(req, "sales.chart"));
	for (int i = 0; i < r->ndays; i++) {
		const struct sales_day *d = &r->days[i];
		int h = (int)(d->tickets * height / max);
		if (d->tickets > 0 && h < 1)
			h = 1;
		html_fmt(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"><title>%s : %lld</title></rect>",
			 i * bar + 1, height - h, bar - 2, h, d->date, (long long)d->tickets);
	}
	html_fmt(b, "<line class=\"axis\" x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\"></line></svg>",
		 height, r->ndays * bar, height);
}

static void days_table(struct buf *b, struct request *req, const struct sales_report *r)
{
	html_fmt(b, "<h3 id=\"h-days\">%s</h3>", web_t(req, "sales.by_day"));
	if (r->ndays == 0) {
		html_fmt(b, "<p>%s</p>", web_t(req, "sales.days_none"));
		return;
	}
	days_chart(b, req, r);
	table_start(b, req, "sales.by_day");
	th(b, req, "sales.col.day");
	th(b, req, "sales.col.orders");
	th(b, req, "sales.col.tickets");
	if (r->has_money)
		th(b, req, "sales.col.revenue");
	HTML("</tr></thead><tbody>");
	for (int i = r->ndays - 1; i >= 0; i--) {
		const struct sales_day *d = &r->days[i];
		html_fmt(b, "<tr><th scope=\"row\"><time datetime=\"%s\">%s</time></th>", d->date, d->date);
		td_num(b, d->orders);
		td_num(b, d->tickets);
		if (r->has_money)
			td_money(b, req, d->revenue_cents, r->currency);
		HTML("</tr>");
	}
	HTML("</tbody></table></div>");
}

static void provider_name(struct buf *b, struct request *req, const char *provider)
{
	html_fmt(b, "%s", web_t(req, arena_printf(req->arena, "payments.provider.%s", provider)));
}

static void money_table(struct buf *b, struct request *req, const struct sales_report *r)
{
	html_fmt(b, "<h3>%s</h3><p class=\"hint\">%s</p>", web_t(req, "sales.money"),
		 web_t(req, "sales.money_hint"));
	table_start(b, req, "sales.money");
	th(b, req, "sales.col.provider");
	th(b, req, "sales.col.gross");
	th(b, req, "sales.col.refunded");
	th(b, req, "sales.col.fees");
	th(b, req, "sales.col.net");
	HTML("</tr></thead><tbody>");
	for (int i = 0; i < r->nproviders; i++) {
		const struct sales_provider *p = &r->providers[i];
		HTML("<tr><th scope=\"row\">");
		provider_name(b, req, p->provider);
		HTML("</th>");
		td_money(b, req, p->gross_cents, r->currency);
		td_money(b, req, p->refunded_cents, r->currency);
		td_money(b, req, p->fees_cents, r->currency);
		td_money(b, req, p->net_cents, r->currency);
		HTML("</tr>");
	}
	html_fmt(b, "</tbody><tfoot><tr><th scope=\"row\">%s</th>", web_t(req, "sales.total"));
	td_money(b, req, r->gross_cents, r->currency);
	td_money(b, req, r->refunded_cents, r->currency);
	td_money(b, req, r->fees_cents, r->currency);
	td_money(b, req, r->net_cents, r->currency);
	HTML("</tr></tfoot></table></div>");
	if (r->refunds_open)
		html_fmt(b, "<p>%s : %lld (%s)</p>", web_t(req, "sales.refunds_open"),
			 (long long)r->refunds_open, money(req, r->refunds_open_cents, r->currency));
}

static void sales_section(struct buf *b, struct request *req, const struct attendees_view *v)
{
	html_fmt(b, "<section aria-labelledby=\"h-sales\"><h2 id=\"h-sales\">%s</h2>",
		 web_t(req, "sales.title"));
	types_table(b, req, v->report);
	days_table(b, req, v->report);
	if (v->report->has_money)
		money_table(b, req, v->report);
	HTML("</section>");
}

/* ---- manual order (box office) ---- */

static const char *refill(struct request *req, const struct attendees_view *v, const char *name)
{
	const char *s = v->refill ? http_form(req, name) : NULL;
	return s ? s : "";
}

static void manual_form(struct buf *b, struct request *req, const struct attendees_view *v)
{
	struct arena *a = req->arena;
	const char *lang = web_of(req)->lang;
	html_fmt(b, "<section aria-labelledby=\"h-manual\"><h2 id=\"h-manual\">%s</h2><p class=\"hint\">%s</p>",
		 web_t(req, "attendees.manual.title"), web_t(req, "attendees.manual.explain"));
	struct form_ctx f = { .b = b, .req = req, .fe = v->fe };
	form_start(&f, event_path(req, v->ev, "/participants/commande"), false);
	if (v->error_key)
		html_fmt(b, "<div class=\"form-errors\" role=\"alert\" tabindex=\"-1\" id=\"form-errors\">"
			    "<p>%s</p></div>", web_t(req, v->error_key));
	static const char *const labels[] = {
		"date", "attendees.manual.date", "tickets", "attendees.manual.tickets",
		"buyer_name", "attendees.manual.buyer_name", "buyer_email", "attendees.manual.buyer_email",
		"payment", "attendees.manual.payment", "provider", "attendees.manual.payment",
		"idempotency_key", "attendees.manual.tickets", NULL,
	};
	form_errors_summary(&f, labels);
	char idem[TOKEN_HEX_LEN + 1];
	crypto_token(idem);
	form_hidden(&f, "idem", idem);

	const char **dates = arena_alloc(a, sizeof(*dates) * (size_t)(v->ev->ndates * 2 + 1));
	int k = 0;
	for (int i = 0; i < v->ev->ndates; i++) {
		if (v->ev->dates[i].cancelled)
			continue;
		dates[k++] = arena_printf(a, "%lld", (long long)v->ev->dates[i].id);
		dates[k++] = time_format_long(a, v->ev->dates[i].starts_at, lang);
	}
	dates[k] = NULL;
	struct field_spec date = { .name = "date", .label_key = "attendees.manual.date", .type = "select",
				   .value = refill(req, v, "date"), .required = true,
				   .labels_are_text = true };
	form_select(&f, &date, dates);

	const char *terr = field_error_get(v->fe, "tickets");
	if (terr)
		HTML("<fieldset id=\"f-tickets\" class=\"has-error\">");
	else
		HTML("<fieldset id=\"f-tickets\">");
	html_fmt(b, "<legend>%s</legend>", web_t(req, "attendees.manual.tickets"));
	if (terr)
		html_fmt(b, "<p class=\"field-error\">%s</p>", web_t(req, terr));
	for (int i = 0; i < v->ntypes; i++) {
		const struct ticket_type *t = &v->types[i];
		if (t->is_archived)
			continue;
		const char *name = arena_printf(a, "qty-%lld", (long long)t->id);
		html_fmt(b, "<div class=\"field\"><label for=\"f-%s\">%s — %s", name, t->name,
			 money(req, t->price_cents, t->currency));
		if (strcmp(t->visibility, "public") != 0)
			html_fmt(b, " (%s)", web_t(req, arena_printf(a, "sales.visibility.%s", t->visibility)));
		html_fmt(b, "</label><input type=\"number\" inputmode=\"numeric\" min=\"0\" max=\"%d\""
			    " id=\"f-%s\" name=\"%s\"", TICKETS_PER_ORDER_MAX, name, name);
		html_attr(b, "value", refill(req, v, name));
		HTML("></div>");
	}
	HTML("</fieldset>");
	struct field_spec buyer = { .name = "buyer_name", .label_key = "attendees.manual.buyer_name",
				    .type = "text", .value = refill(req, v, "buyer_name"),
				    .hint_key = "attendees.manual.buyer_name_hint", .autocomplete = "off",
				    .maxlength = ORDERS_NAME_MAX };
	form_field(&f, &buyer);
	struct field_spec email = { .name = "buyer_email", .label_key = "attendees.manual.buyer_email",
				    .type = "email", .value = refill(req, v, "buyer_email"),
				    .hint_key = "attendees.manual.buyer_email_hint", .autocomplete = "off" };
	form_field(&f, &email);
	static const char *const pays[] = { "onsite", "attendees.manual.pay_onsite",
					    "transfer", "attendees.manual.pay_transfer", NULL };
	struct field_spec pay = { .name = "payment", .label_key = "attendees.manual.payment",
				  .type = "select", .value = refill(req, v, "payment"), .required = true };
	form_select(&f, &pay, pays);
	form_end(&f, "attendees.manual.submit");
	HTML("</section>");
}

/* ---- orders: filter, pages ---- */

static const char *list_url(struct request *req, const struct attendees_view *v, int page)
{
	struct arena *a = req->arena;
	const char *u = event_path(req, v->ev, "/participants");
	const char *sep = "?";
	if (*v->status) {
		u = arena_printf(a, "%s%sstatut=%s", u, sep, url_arg(a, v->status));
		sep = "&";
	}
	if (*v->q) {
		u = arena_printf(a, "%s%sq=%s", u, sep, url_arg(a, v->q));
		sep = "&";
	}
	if (page > 1)
		u = arena_printf(a, "%s%spage=%d", u, sep, page);
	return u;
}

static void filter_form(struct buf *b, struct request *req, const struct attendees_view *v)
{
	HTML("<form class=\"filters\" method=\"get\"");
	html_attr(b, "action", event_path(req, v->ev, "/participants"));
	html_fmt(b, "><div class=\"field\"><label for=\"f-statut\">%s</label><select id=\"f-statut\" name=\"statut\">"
		    "<option value=\"\">%s</option>",
		 web_t(req, "attendees.filter.status"), web_t(req, "attendees.filter.any"));
	static const char *const states[] = { "pending", "paid", "cancelled", "refunded", "expired" };
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		HTML("<option");
		html_attr(b, "value", states[i]);
		if (strcmp(v->status, states[i]) == 0)
			HTML(" selected");
		html_fmt(b, ">%s</option>", status_words(req, states[i]));
	}
	html_fmt(b, "</select></div><div class=\"field\"><label for=\"f-q\">%s</label>"
		    "<input type=\"search\" id=\"f-q\" name=\"q\" maxlength=\"120\"",
		 web_t(req, "attendees.filter.q"));
	html_attr(b, "value", v->q);
	html_fmt(b, "></div><div class=\"actions\"><button type=\"submit\">%s</button></div></form>",
		 web_t(req, "attendees.filter.submit"));
}

static void pager(struct buf *b, struct request *req, const struct attendees_view *v)
{
	if (v->npages <= 1)
		return;
	html_fmt(b, "<nav class=\"pager\" aria-label=\"%s\"><ul class=\"plain\">",
		 web_t(req, "attendees.pages"));
	if (v->page > 1) {
		HTML("<li><a rel=\"prev\"");
		html_href(b, list_url(req, v, v->page - 1));
		html_fmt(b, ">%s</a></li>", web_t(req, "attendees.page_prev"));
	}
	html_fmt(b, "<li aria-current=\"page\">%s %d / %d</li>", web_t(req, "attendees.page"), v->page,
		 v->npages);
	if (v->page < v->npages) {
		HTML("<li><a rel=\"next\"");
		html_href(b, list_url(req, v, v->page + 1));
		html_fmt(b, ">%s</a></li>", web_t(req, "attendees.page_next"));
	}
	HTML("</ul></nav>");
}

static void orders_table(struct buf *b, struct request *req, const struct attendees_view *v)
{
	html_fmt(b, "<section aria-labelledby=\"h-orders\"><h2 id=\"h-orders\">%s</h2>",
		 web_t(req, "attendees.orders"));
	filter_form(b, req, v);
	html_fmt(b, "<p role=\"status\">%s : %lld</p>", web_t(req, "attendees.orders_count"),
		 (long long)v->total_orders);
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
		HTML("<tr><td><a");
		html_href(b, event_path(req, v->ev, arena_printf(req->arena, "/participants/%lld",
								  (long long)o->id)));
		html_fmt(b, "><code>%s</code></a></td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
			    "<td>%s</td><td>",
			 o->code, o->buyer_name, o->buyer_email, state_words(req, o),
			 money(req, o->total_cents, o->currency),
			 time_format_long(req->arena, o->created_at, web_of(req)->lang));
		if (can_mark_paid(o))
			form_button(b, req,
				    event_path(req, v->ev,
					       arena_printf(req->arena, "/participants/%" PRId64 "/payee", o->id)),
				    "attendees.mark_paid", "button");
		if (can_cancel(o)) {
			HTML(" <a class=\"button button-danger\"");
			html_href(b, event_path(req, v->ev,
						arena_printf(req->arena, "/participants/%" PRId64 "/annuler", o->id)));
			html_fmt(b, ">%s</a>", web_t(req, "attendees.cancel_order"));
		}
		HTML("</td></tr>");
	}
	HTML("</tbody></table></div>");
	pager(b, req, v);
	HTML("</section>");
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
	html_fmt(b, "<h1>%s</h1><ul class=\"plain actions\"><li><a", title);
	html_href(b, event_path(req, v->ev, "/billetterie"));
	html_fmt(b, ">%s</a></li><li><a", web_t(req, "attendees.back"));
	html_href(b, event_path(req, v->ev, "/controle"));
	html_fmt(b, ">%s</a></li></ul>", web_t(req, "attendees.scanner"));
	counts(b, req, v);
	sales_section(b, req, v);
	if (v->can_sell)
		manual_form(b, req, v);
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

void view_csv_field(struct buf *b, const char *s, bool last)
{
	csv_field(b, s, last);
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

/* ---- one order ------------------------------------------------------------------------------ */

static const char *order_path(struct request *req, const struct event *ev, const struct order *o,
			      const char *tail)
{
	return event_path(req, ev, arena_printf(req->arena, "/participants/%lld%s", (long long)o->id,
						tail));
}

static void dl_row(struct buf *b, struct request *req, const char *key, const char *value)
{
	html_fmt(b, "<div><dt>%s</dt><dd>%s</dd></div>", web_t(req, key), value);
}

static void order_summary(struct buf *b, struct request *req, const struct order *o)
{
	const char *lang = web_of(req)->lang;
	HTML("<dl class=\"order-facts\">");
	dl_row(b, req, "attendees.col.buyer", o->buyer_name);
	dl_row(b, req, "attendees.col.email",
	       *o->buyer_email ? o->buyer_email : web_t(req, "attendees.order.no_email"));
	dl_row(b, req, "attendees.col.status", state_words(req, o));
	dl_row(b, req, "attendees.col.total", money(req, o->total_cents, o->currency));
	if (*o->provider)
		dl_row(b, req, "orders.show.provider",
		       web_t(req, arena_printf(req->arena, "payments.provider.%s", o->provider)));
	if (*o->payment_reference && strcmp(o->provider, "transfer") == 0)
		dl_row(b, req, "attendees.order.reference", o->payment_reference);
	dl_row(b, req, "attendees.col.date", time_format_long(req->arena, o->created_at, lang));
	HTML("</dl>");
}

static void order_actions(struct buf *b, struct request *req, const struct attendees_order_view *v)
{
	const struct order *o = v->o;
	HTML("<div class=\"actions\">");
	if (can_mark_paid(o)) {
		/* form_button's form, with back=order: the answer comes back here. */
		HTML("<form class=\"inline\" method=\"post\"");
		html_attr(b, "action", order_path(req, v->ev, o, "/payee"));
		HTML("><input type=\"hidden\" name=\"_csrf\"");
		html_attr(b, "value", web_of(req)->csrf);
		html_fmt(b, "><input type=\"hidden\" name=\"back\" value=\"order\">"
			    "<button type=\"submit\" class=\"button\">%s</button></form>",
			 web_t(req, "attendees.mark_paid"));
	}
	if (strcmp(o->status, "paid") == 0 && *o->buyer_email)
		form_button(b, req, order_path(req, v->ev, o, "/renvoyer"), "attendees.order.resend",
			    "button");
	if (can_cancel(o)) {
		HTML("<a class=\"button button-danger\"");
		html_href(b, order_path(req, v->ev, o, "/annuler"));
		html_fmt(b, ">%s</a>", web_t(req, "attendees.order.cancel"));
	}
	if (strcmp(o->status, "paid") == 0 || strcmp(o->status, "pending") == 0) {
		HTML("<a");
		html_href(b, arena_printf(req->arena, "/commandes/%s", url_arg(req->arena, o->secret)));
		html_fmt(b, ">%s</a>", web_t(req, "attendees.order.buyer_page"));
	}
	HTML("</div>");
}

/* The attendee's name, as a small form for those who may change it. */
static void name_cell(struct buf *b, struct request *req, const struct attendees_order_view *v,
		      const struct order_ticket *t)
{
	const struct order *o = v->o;
	bool live = strcmp(o->status, "paid") == 0 || strcmp(o->status, "pending") == 0;
	const char *name = t->attendee_name && *t->attendee_name ? t->attendee_name : "";
	if (!v->can_rename || !live) {
		html_fmt(b, "%s", *name ? name : o->buyer_name);
		return;
	}
	bool refused = v->rename_ticket_id == t->id && v->fe;
	const char *err = refused ? field_error_get(v->fe, "attendee_name") : NULL;
	const char *value = refused ? http_form(req, "attendee_name") : name;
	HTML("<form class=\"rename\" method=\"post\"");
	html_attr(b, "action", order_path(req, v->ev, o, arena_printf(req->arena, "/billets/%lld/nom",
								       (long long)t->id)));
	HTML("><input type=\"hidden\" name=\"_csrf\"");
	html_attr(b, "value", web_of(req)->csrf);
	html_fmt(b, "><label class=\"visually-hidden\" for=\"f-name-%lld\">%s</label>", (long long)t->id,
		 web_t(req, "attendees.order.attendee_name"));
	if (err)
		html_fmt(b, "<p class=\"field-error\" id=\"e-name-%lld\">%s</p>", (long long)t->id,
			 web_t(req, err));
	html_fmt(b, "<input type=\"text\" id=\"f-name-%lld\" name=\"attendee_name\" maxlength=\"%d\""
		    " required aria-required=\"true\" autocomplete=\"off\"",
		 (long long)t->id, ORDERS_NAME_MAX);
	if (err)
		html_fmt(b, " aria-invalid=\"true\" aria-describedby=\"e-name-%lld\"", (long long)t->id);
	html_attr(b, "value", value ? value : "");
	html_attr(b, "placeholder", o->buyer_name);
	html_fmt(b, "><button type=\"submit\">%s</button></form>", web_t(req, "attendees.order.rename"));
}

static void order_tickets(struct buf *b, struct request *req, const struct attendees_order_view *v)
{
	const struct order *o = v->o;
	const char *lang = web_of(req)->lang;
	html_fmt(b, "<section aria-labelledby=\"h-tickets\"><h2 id=\"h-tickets\">%s</h2>",
		 web_t(req, "attendees.tickets"));
	table_start(b, req, "attendees.tickets");
	th(b, req, "attendees.col.attendee");
	th(b, req, "attendees.col.type");
	th(b, req, "attendees.order.date");
	th(b, req, "attendees.order.price");
	th(b, req, "attendees.order.checkin");
	th(b, req, "attendees.col.answers");
	HTML("</tr></thead><tbody>");
	for (int j = 0; j < o->n_tickets; j++) {
		const struct order_ticket *t = &o->tickets[j];
		HTML("<tr><td>");
		name_cell(b, req, v, t);
		html_fmt(b, "</td><td>%s</td><td>%s</td><td>%s</td><td>", t->type_name,
			 time_format_long(req->arena, t->date_starts_at, lang),
			 money(req, t->price_cents, o->currency));
		if (t->checked_in_at)
			html_fmt(b, "%s — %s", web_t(req, "attendees.checked_in"),
				 time_format_long(req->arena, t->checked_in_at, lang));
		else
			html_fmt(b, "%s", web_t(req, "attendees.order.not_in"));
		HTML("</td><td>");
		answers_cell(b, t);
		HTML("</td></tr>");
	}
	HTML("</tbody></table></div></section>");
}

static void order_history(struct buf *b, struct request *req, const struct attendees_order_view *v)
{
	const char *lang = web_of(req)->lang;
	html_fmt(b, "<section aria-labelledby=\"h-history\"><h2 id=\"h-history\">%s</h2>",
		 web_t(req, "attendees.history"));
	table_start(b, req, "attendees.history");
	th(b, req, "attendees.col.date");
	th(b, req, "attendees.history.what");
	if (v->can_money)
		th(b, req, "attendees.history.amount");
	HTML("</tr></thead><tbody>");
	for (int i = 0; i < v->nhistory; i++) {
		const struct order_event *h = &v->history[i];
		html_fmt(b, "<tr><td>%s</td><td>%s", time_format_long(req->arena, h->at, lang),
			 web_t(req, arena_printf(req->arena, "attendees.history.%s", h->kind)));
		if (h->provider && *h->provider && strncmp(h->kind, "ledger_", 7) == 0)
			html_fmt(b, " (%s)", web_t(req, arena_printf(req->arena, "payments.provider.%s",
								      h->provider)));
		HTML("</td>");
		if (v->can_money) {
			if (h->amount_cents)
				td_money(b, req, h->amount_cents, h->currency);
			else
				HTML("<td></td>");
		}
		HTML("</tr>");
	}
	HTML("</tbody></table></div></section>");
}

void view_attendees_order(struct buf *b, struct request *req, const struct attendees_order_view *v)
{
	const struct order *o = v->o;
	const char *title = arena_printf(req->arena, "%s %s — %s", web_t(req, "attendees.order.title"),
					 o->code, v->ev->title);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p><a", title);
	html_href(b, event_path(req, v->ev, "/participants"));
	html_fmt(b, ">%s</a></p>", web_t(req, "attendees.order.back"));
	order_summary(b, req, o);
	order_actions(b, req, v);
	order_tickets(b, req, v);
	order_history(b, req, v);
	view_layout_end(b, req);
}

void view_attendees_cancel_order(struct buf *b, struct request *req, const struct event *ev,
				 const struct order *o, const char *what_key)
{
	const char *title = arena_printf(req->arena, "%s %s — %s",
					 web_t(req, "attendees.cancel_order.title"), o->code, ev->title);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1>", title);
	order_summary(b, req, o);
	if (!what_key) {
		html_fmt(b, "<p>%s</p>", web_t(req, "err.orders.state"));
	} else {
		html_fmt(b, "<p>%s</p><p>%s : %d</p>", web_t(req, what_key),
			 web_t(req, "attendees.cancel_order.seats"), o->n_tickets);
		struct form_ctx f = { .b = b, .req = req };
		form_start(&f, order_path(req, ev, o, "/annuler"), false);
		form_hidden(&f, "back", "order");
		form_end(&f, "attendees.cancel_order.submit");
	}
	HTML("<p><a");
	html_href(b, order_path(req, ev, o, ""));
	html_fmt(b, ">%s</a></p>", web_t(req, "attendees.cancel_order.back"));
	view_layout_end(b, req);
}
