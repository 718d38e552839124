/* orders.c (views): the checkout form, the order page and the demo payment page */
#include "web/views/orders.h"
#include "web/views/waitlist.h"
#include "core/payments.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/timefmt.h"
#include <string.h>

const char *view_orders_url(struct request *req, const struct order *o, const char *tail)
{
	return arena_printf(req->arena, "/commandes/%s%s", url_arg(req->arena, o->secret), tail);
}

static const char *money(struct request *req, int64_t cents, const char *currency)
{
	return tickets_money_format(req->arena, cents, currency && *currency ? currency : "EUR",
				    web_of(req)->lang);
}

static const char *refill(struct request *req, const struct orders_form_view *v, const char *name)
{
	const char *s = v->refill ? http_form(req, name) : NULL;
	if (!s && strcmp(name, "code") == 0 && v->voucher_code)   /* the code of ?code= */
		s = v->voucher_code;
	if (!s && v->offer && strcmp(name, "buyer_name") == 0)   /* who joined the list */
		s = v->offer->name;
	if (!s && v->offer && strcmp(name, "buyer_email") == 0)
		s = v->offer->email;
	return s ? s : "";
}

/* An offer's seats are held for its buyer: they are what this form may sell of its type. */
static bool is_offered(const struct orders_form_view *v, const struct ticket_offer *of)
{
	return v->offer && v->offer->ticket_type_id == of->ticket_type_id &&
	       v->offer->event_date_id == of->event_date_id;
}

static int64_t seats_left(const struct orders_form_view *v, const struct ticket_offer *of)
{
	return is_offered(v, of) ? v->offer->quantity : of->left;
}

static void field_error(struct buf *b, struct request *req, const struct orders_form_view *v,
			const char *field)
{
	const char *err = field_error_get(v->fe, field);
	if (err)
		html_fmt(b, "<p class=\"field-error\" id=\"e-%s\">%s</p>", field, web_t(req, err));
}

/* ---- checkout form ---------------------------------------------------------------------- */

static void offer_row(struct buf *b, struct request *req, const struct orders_form_view *v,
		      const struct ticket_offer *of)
{
	struct arena *a = req->arena;
	const char *id = arena_printf(a, "qty-%lld", (long long)of->ticket_type_id);
	if (v->event_date_id == 0)   /* several dates: the field names the date too */
		id = arena_printf(a, "qty-%lld-%lld", (long long)of->ticket_type_id,
				  (long long)of->event_date_id);
	html_fmt(b, "<div class=\"field\"><label for=\"f-%s\">%s", id, of->name);
	if (v->event_date_id == 0)
		html_fmt(b, " — %s", time_format_long(a, of->date_starts_at, web_of(req)->lang));
	html_fmt(b, " — %s</label>",
		 of->price_cents ? money(req, of->price_cents, of->currency) : web_t(req, "orders.free"));
	if (of->description && *of->description)
		html_fmt(b, "<p class=\"hint\" id=\"h-%s\">%s</p>", id, of->description);
	int64_t left = seats_left(v, of);
	if (!of->is_on_sale || left <= 0) {
		html_fmt(b, "<p class=\"muted\">%s</p>",
			 web_t(req, left <= 0 ? "orders.sold_out" : "orders.not_on_sale"));
		/* Sold out, and the shop keeps a waiting list: its form follows. */
		if (of->is_on_sale && !v->offer && v->shop && v->shop->waiting_list)
			html_fmt(b, "<p><a href=\"#liste-attente\">%s</a></p>",
				 web_t(req, "waitlist.join.link"));
		HTML("</div>");
		return;
	}
	int max = of->max_per_order > 0 ? of->max_per_order : 10;
	if (left < max)
		max = (int)left;
	/* The price shown: the checkout refuses if it changed in the meantime. */
	html_fmt(b, "<input type=\"hidden\" name=\"price-%lld\" value=\"%lld\">",
		 (long long)of->ticket_type_id, (long long)of->price_cents);
	html_fmt(b, "<select id=\"f-%s\" name=\"%s\"", id, id);
	if (of->description && *of->description)
		html_fmt(b, " aria-describedby=\"h-%s\"", id);
	HTML(">");
	const char *cur = refill(req, v, id);
	if (!*cur && is_offered(v, of))   /* the seats held: all of them, unless changed */
		cur = arena_printf(a, "%d", max);
	html_fmt(b, "<option value=\"0\">0</option>");
	int min = of->min_per_order > 0 ? of->min_per_order : 1;
	for (int n = min; n <= max; n++) {
		const char *val = arena_printf(a, "%d", n);
		html_fmt(b, "<option value=\"%d\"%s>%d</option>", n,
			 strcmp(cur, val) == 0 ? " selected" : "", n);
	}
	HTML("</select>");
	if (is_offered(v, of))
		html_fmt(b, "<p class=\"hint\">%s %lld</p>", web_t(req, "waitlist.offer.held"),
			 (long long)left);
	else if (left <= 10)
		html_fmt(b, "<p class=\"hint\">%s %lld</p>", web_t(req, "orders.left"), (long long)left);
	HTML("</div>");
}

static void text_input(struct buf *b, struct request *req, const struct orders_form_view *v,
		       const char *name, const char *field, const char *label, const char *type,
		       const char *autocomplete, bool required)
{
	const char *err = field_error_get(v->fe, field);
	html_fmt(b, "<div class=\"field%s\"><label for=\"f-%s\">%s", err ? " has-error" : "", name,
		 label);
	if (!required)
		html_fmt(b, " <span class=\"optional\">(%s)</span>", web_t(req, "common.optional"));
	HTML("</label>");
	field_error(b, req, v, field);
	html_fmt(b, "<input id=\"f-%s\" name=\"%s\" type=\"%s\"", name, name, type);
	html_attr(b, "value", refill(req, v, name));
	if (autocomplete)
		html_attr(b, "autocomplete", autocomplete);
	if (required)
		HTML(" required");
	if (err)
		html_fmt(b, " aria-invalid=\"true\" aria-describedby=\"e-%s\"", field);
	HTML("></div>");
}

/* Seats for which names and answers can be given: one per ticket chosen,
 * at most the largest order this form allows (without JavaScript the form
 * cannot grow with the quantities). */
static int ticket_slots(const struct orders_form_view *v)
{
	int n = 0;
	for (int i = 0; i < v->n_offers; i++)
		if (v->offers[i].is_on_sale && seats_left(v, &v->offers[i]) > 0)
			n += v->offers[i].max_per_order > 0 ? v->offers[i].max_per_order : 10;
	return n > 10 ? 10 : n;
}

static void question_input(struct buf *b, struct request *req, const struct orders_form_view *v,
			   int slot, const struct ticket_question *q)
{
	struct arena *a = req->arena;
	const char *name = arena_printf(a, "q-%d-%lld", slot, (long long)q->id);
	const char *field = arena_printf(a, "tickets.%d.q%lld", slot, (long long)q->id);
	const char *err = field_error_get(v->fe, field);
	const char *cur = refill(req, v, name);
	html_fmt(b, "<div class=\"field%s\"><label for=\"f-%s\">%s", err ? " has-error" : "", name,
		 q->label);
	if (!q->required)
		html_fmt(b, " <span class=\"optional\">(%s)</span>", web_t(req, "common.optional"));
	HTML("</label>");
	field_error(b, req, v, field);
	if (strcmp(q->kind, "choice") == 0 || strcmp(q->kind, "yesno") == 0) {
		html_fmt(b, "<select id=\"f-%s\" name=\"%s\"><option value=\"\">—</option>", name, name);
		if (strcmp(q->kind, "yesno") == 0) {
			html_fmt(b, "<option value=\"yes\"%s>%s</option>",
				 strcmp(cur, "yes") == 0 ? " selected" : "", web_t(req, "orders.answer.yes"));
			html_fmt(b, "<option value=\"no\"%s>%s</option>",
				 strcmp(cur, "no") == 0 ? " selected" : "", web_t(req, "orders.answer.no"));
		}
		for (int k = 0; strcmp(q->kind, "choice") == 0 && k < q->n_options; k++) {
			HTML("<option");
			html_attr(b, "value", q->options[k]);
			if (strcmp(cur, q->options[k]) == 0)
				HTML(" selected");
			html_fmt(b, ">%s</option>", q->options[k]);
		}
		HTML("</select></div>");
		return;
	}
	html_fmt(b, "<input id=\"f-%s\" name=\"%s\" type=\"text\" maxlength=\"%d\"", name, name,
		 ORDERS_ANSWER_MAX);
	html_attr(b, "value", cur);
	HTML("></div>");
}

void view_orders_checkout_form(struct buf *b, struct request *req, const struct orders_form_view *v)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	html_fmt(b, "<section class=\"checkout\" aria-labelledby=\"checkout-title\">"
		    "<h2 id=\"checkout-title\">%s</h2>", web_t(req, "orders.checkout.title"));
	int on_sale = 0;
	for (int i = 0; i < v->n_offers; i++)
		on_sale += v->offers[i].is_on_sale && seats_left(v, &v->offers[i]) > 0;
	if (v->n_offers == 0) {
		html_fmt(b, "<p class=\"empty\">%s</p></section>", web_t(req, "orders.checkout.none"));
		return;
	}
	struct form_ctx f = { .b = b, .req = req, .fe = v->fe };
	form_start(&f, arena_printf(a, "/evenements/%s/commander", url_arg(a, v->event_slug)), false);
	if (v->error_key)
		html_fmt(b, "<div class=\"form-errors\" role=\"alert\" tabindex=\"-1\" id=\"form-errors\">"
			    "<p>%s</p></div>", web_t(req, v->error_key));
	static const char *const labels[] = {
		"tickets", "orders.checkout.tickets", "buyer_name", "orders.checkout.buyer_name",
		"buyer_email", "orders.checkout.buyer_email", "voucher", "orders.checkout.voucher",
		"provider", "orders.checkout.provider", "idempotency_key", "orders.checkout.tickets",
		NULL,
	};
	form_errors_summary(&f, labels);
	char idem[TOKEN_HEX_LEN + 1];
	crypto_token(idem);
	form_hidden(&f, "idem", idem);
	if (v->event_date_id)
		form_hidden(&f, "date", arena_printf(a, "%lld", (long long)v->event_date_id));
	if (v->offer)
		form_hidden(&f, "waitlist", v->offer->token);

	html_fmt(b, "<fieldset id=\"f-tickets\"><legend>%s</legend>", web_t(req, "orders.checkout.tickets"));
	field_error(b, req, v, "tickets");
	for (int i = 0; i < v->n_offers; i++)
		offer_row(b, req, v, &v->offers[i]);
	HTML("</fieldset>");
	if (!on_sale) {
		html_fmt(b, "<p class=\"empty\">%s</p></form></section>", web_t(req, "orders.checkout.none"));
		if (!v->offer)
			view_waitlist_join_form(b, req, v, NULL);
		return;
	}

	text_input(b, req, v, "code", "voucher", web_t(req, "orders.checkout.voucher"), "text", "off",
		   false);

	const char *names = v->shop && v->shop->attendee_names ? v->shop->attendee_names : "optional";
	int slots = ticket_slots(v);
	bool any_required = strcmp(names, "required") == 0;
	for (int q = 0; q < v->n_questions; q++)
		any_required = any_required || v->questions[q].required;
	/* Nothing required there: folded (a <details> opens without JavaScript),
	 * unless the buyer's answers came back with an error. */
	bool folded = !any_required && !(v->fe && v->fe->n > 0 && v->refill);
	if (strcmp(names, "off") != 0 || v->n_questions > 0) {
		if (folded)
			html_fmt(b, "<details><summary>%s (%s)</summary>", web_t(req, "orders.checkout.attendees"),
				 web_t(req, "common.optional"));
		html_fmt(b, "<fieldset><legend>%s</legend><p class=\"hint\">%s</p>",
			 web_t(req, "orders.checkout.attendees"), web_t(req, "orders.checkout.attendees_hint"));
		for (int s = 0; s < slots; s++) {
			html_fmt(b, "<fieldset><legend>%s %d</legend>", web_t(req, "orders.checkout.ticket_n"),
				 s + 1);
			if (strcmp(names, "off") != 0)
				text_input(b, req, v, arena_printf(a, "name-%d", s),
					   arena_printf(a, "tickets.%d.attendee_name", s),
					   web_t(req, "orders.checkout.attendee_name"), "text", "off",
					   strcmp(names, "required") == 0 && s == 0);
			for (int q = 0; q < v->n_questions; q++)
				question_input(b, req, v, s, &v->questions[q]);
			HTML("</fieldset>");
		}
		HTML("</fieldset>");
		if (folded)
			HTML("</details>");
	}

	if (!w->actor.account_id) {
		html_fmt(b, "<fieldset><legend>%s</legend>", web_t(req, "orders.checkout.buyer"));
		text_input(b, req, v, "buyer_name", "buyer_name", web_t(req, "orders.checkout.buyer_name"),
			   "text", "name", true);
		text_input(b, req, v, "buyer_email", "buyer_email",
			   web_t(req, "orders.checkout.buyer_email"), "email", "email", true);
		HTML("</fieldset>");
	}

	/* Payment methods: those of the shop that are on in this process. */
	const char *cur = refill(req, v, "provider");
	html_fmt(b, "<fieldset id=\"f-provider\"><legend>%s</legend>", web_t(req, "orders.checkout.provider"));
	field_error(b, req, v, "provider");
	bool first = true;
	for (const struct payment_provider *const *p = payments_providers(); *p; p++) {
		if (!payments_provider_enabled((*p)->name) ||
		    (v->shop && !tickets_shop_offers(v->shop, (*p)->name)))
			continue;
		bool checked = *cur ? strcmp(cur, (*p)->name) == 0 : first;
		html_fmt(b, "<div class=\"field\"><input type=\"radio\" name=\"provider\" id=\"f-provider-%s\""
			    " value=\"%s\"%s> <label for=\"f-provider-%s\">%s</label></div>",
			 (*p)->name, (*p)->name, checked ? " checked" : "", (*p)->name,
			 web_t(req, (*p)->label_key));
		first = false;
	}
	html_fmt(b, "<p class=\"hint\">%s</p></fieldset>", web_t(req, "orders.checkout.provider_hint"));
	form_end(&f, "orders.checkout.submit");
	HTML("</section>");
	if (!v->offer)   /* its own form: forms do not nest */
		view_waitlist_join_form(b, req, v, NULL);
}

void view_orders_checkout_page(struct buf *b, struct request *req, const char *event_title,
			       const struct orders_form_view *v)
{
	view_layout_start(b, req, web_t(req, "orders.checkout.title"));
	html_fmt(b, "<h1>%s</h1><p><a", event_title);
	html_href(b, arena_printf(req->arena, "/evenements/%s", url_arg(req->arena, v->event_slug)));
	html_fmt(b, ">%s</a></p>", web_t(req, "orders.back_to_event"));
	view_orders_checkout_form(b, req, v);
	view_layout_end(b, req);
}

/* ---- the order page ------------------------------------------------------------------------- */

static const char *status_label(struct request *req, const char *status)
{
	const char *key = arena_printf(req->arena, "orders.status.%s", status);
	return i18n_has(key) ? web_t(req, key) : status;
}

static void instructions(struct buf *b, struct request *req, const struct orders_show_view *v)
{
	const struct order *o = v->o;
	struct web *w = web_of(req);
	if (strcmp(o->status, "pending") != 0)
		return;
	HTML("<section aria-labelledby=\"pay-title\" class=\"card\">");
	html_fmt(b, "<h2 id=\"pay-title\">%s</h2>", web_t(req, "orders.show.payment"));
	if (o->hold_until)
		html_fmt(b, "<p>%s %s.</p>", web_t(req, "orders.show.held_until"),
			 time_format_long(req->arena, o->hold_until, w->lang));
	if (strcmp(o->provider, "transfer") == 0) {
		html_fmt(b, "<p>%s <strong>%s</strong></p><p>%s <strong>%s</strong></p>",
			 web_t(req, "orders.show.transfer_amount"), money(req, o->total_cents, o->currency),
			 web_t(req, "orders.show.transfer_reference"), o->payment_reference);
		if (v->transfer_details && *v->transfer_details) {
			HTML("<p>");
			html_safe(b, html_from_text(req->arena, v->transfer_details));
			HTML("</p>");
		}
	} else if (strcmp(o->provider, "onsite") == 0) {
		html_fmt(b, "<p>%s %s.</p>", web_t(req, "orders.show.onsite"),
			 money(req, o->total_cents, o->currency));
	} else if (strcmp(o->provider, "demo") == 0) {
		html_fmt(b, "<p><a class=\"button\"");
		html_href(b, view_orders_url(req, o, "/paiement-demo"));
		html_fmt(b, ">%s</a></p>", web_t(req, "orders.show.pay"));
	} else if (o->redirect_url && *o->redirect_url) {
		html_fmt(b, "<p><a class=\"button\"");
		html_href(b, o->redirect_url);
		html_fmt(b, ">%s</a></p>", web_t(req, "orders.show.pay"));
		html_fmt(b, "<p><a");
		html_href(b, view_orders_url(req, o, "/retour"));
		html_fmt(b, ">%s</a></p>", web_t(req, "orders.show.check_payment"));
	}
	HTML("</section>");
}

void view_orders_show(struct buf *b, struct request *req, const struct orders_show_view *v)
{
	const struct order *o = v->o;
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	view_layout_start(b, req, arena_printf(a, "%s %s", web_t(req, "orders.show.title"), o->code));
	html_fmt(b, "<h1>%s %s</h1>", web_t(req, "orders.show.title"), o->code);
	html_fmt(b, "<p class=\"lead\"><a");
	html_href(b, arena_printf(a, "/evenements/%s", url_arg(a, o->event_slug)));
	html_fmt(b, ">%s</a></p>", o->event_title);
	if (v->confirming && strcmp(o->status, "pending") == 0)
		html_fmt(b, "<p class=\"flash flash-info\" role=\"status\">%s <a href=\"\">%s</a></p>",
			 web_t(req, "orders.show.confirming"), web_t(req, "orders.show.reload"));
	html_fmt(b, "<dl><dt>%s</dt><dd><strong class=\"order-status order-%s\">%s</strong></dd>",
		 web_t(req, "orders.show.status"), o->status, status_label(req, o->status));
	html_fmt(b, "<dt>%s</dt><dd>%s</dd>", web_t(req, "orders.show.buyer"), o->buyer_name);
	html_fmt(b, "<dt>%s</dt><dd>%s</dd>", web_t(req, "orders.show.total"),
		 money(req, o->total_cents, o->currency));
	if (o->provider && *o->provider) {
		const struct payment_provider *p = payments_provider(o->provider);
		html_fmt(b, "<dt>%s</dt><dd>%s</dd>", web_t(req, "orders.show.provider"),
			 p ? web_t(req, p->label_key) : o->provider);
	}
	if (o->refund_status && *o->refund_status)
		html_fmt(b, "<dt>%s</dt><dd>%s</dd>", web_t(req, "orders.show.refund"),
			 web_t(req, strcmp(o->refund_status, "done") == 0 ? "orders.refund.done"
											: "orders.refund.pending"));
	HTML("</dl>");
	instructions(b, req, v);

	/* Lines: one per ticket. */
	html_fmt(b, "<div class=\"table-wrap\"><table><caption>%s</caption><thead><tr>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th></tr></thead><tbody>",
		 web_t(req, "orders.show.lines"), web_t(req, "orders.show.type"),
		 web_t(req, "orders.show.date"), web_t(req, "orders.show.attendee"),
		 web_t(req, "orders.show.price"));
	for (int i = 0; i < o->n_tickets; i++) {
		const struct order_ticket *t = &o->tickets[i];
		html_fmt(b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", t->type_name,
			 time_format_long(a, t->date_starts_at, w->lang),
			 t->attendee_name && *t->attendee_name ? t->attendee_name : o->buyer_name,
			 money(req, t->price_cents, o->currency));
	}
	html_fmt(b, "</tbody><tfoot><tr><th scope=\"row\" colspan=\"3\">%s</th><td>%s</td></tr></tfoot>"
		    "</table></div>",
		 web_t(req, "orders.show.total"), money(req, o->total_cents, o->currency));

	if (strcmp(o->status, "paid") == 0 && o->n_tickets > 0) {
		html_fmt(b, "<section aria-labelledby=\"tickets-title\"><h2 id=\"tickets-title\">%s</h2>",
			 web_t(req, "orders.show.tickets"));
		html_fmt(b, "<p><a class=\"button\" download");
		html_href(b, view_orders_url(req, o, "/billets.pdf"));
		html_fmt(b, ">%s</a></p><p class=\"hint\">%s</p><ul class=\"card-list tickets\">",
			 web_t(req, "orders.show.pdf"), web_t(req, "orders.show.tickets_hint"));
		for (int i = 0; i < o->n_tickets; i++) {
			const struct order_ticket *t = &o->tickets[i];
			const char *who = t->attendee_name && *t->attendee_name ? t->attendee_name
										  : o->buyer_name;
			html_fmt(b, "<li class=\"card ticket\"><p><strong>%s</strong> — %s</p>", t->type_name,
				 who);
			HTML("<img width=\"240\" height=\"240\"");
			html_attr(b, "src", view_orders_url(req, o,
							    arena_printf(a, "/billets/%s.svg",
									 url_arg(a, t->code))));
			html_attr(b, "alt", arena_printf(a, "%s %s", web_t(req, "orders.show.qr_alt"), t->code));
			html_fmt(b, "><p class=\"muted\"><code>%s</code></p>", t->code);
			if (t->checked_in_at)
				html_fmt(b, "<p>%s</p>", web_t(req, "orders.show.checked_in"));
			HTML("</li>");
		}
		HTML("</ul></section>");
	}

	if (o->can_buyer_cancel) {
		html_fmt(b, "<section aria-labelledby=\"cancel-title\"><h2 id=\"cancel-title\">%s</h2><p>%s</p>",
			 web_t(req, "orders.show.cancel_title"),
			 web_t(req, strcmp(o->status, "paid") == 0 && o->total_cents > 0
					    ? "orders.show.cancel_refund_hint"
					    : "orders.show.cancel_hint"));
		form_button(b, req, view_orders_url(req, o, "/annuler"), "orders.show.cancel", NULL);
		HTML("</section>");
	}
	html_fmt(b, "<p class=\"hint\">%s</p>", web_t(req, "orders.show.private_hint"));
	view_layout_end(b, req);
}

void view_orders_demo_pay(struct buf *b, struct request *req, const struct order *o)
{
	view_layout_start(b, req, web_t(req, "orders.demo.title"));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", web_t(req, "orders.demo.title"),
		 web_t(req, "orders.demo.lead"));
	html_fmt(b, "<dl><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd></dl>",
		 web_t(req, "orders.show.title"), o->code, web_t(req, "orders.show.total"),
		 money(req, o->total_cents, o->currency));
	form_button(b, req, view_orders_url(req, o, "/paiement-demo"), "orders.demo.pay", "button");
	html_fmt(b, "<p><a");
	html_href(b, view_orders_url(req, o, ""));
	html_fmt(b, ">%s</a></p>", web_t(req, "orders.demo.back"));
	view_layout_end(b, req);
}
