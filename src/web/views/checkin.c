/* checkin.c (views): the door scanner page: date and gate, the result banner,
 * the code field, "encaisser et valider", counts, the gate's last scans with
 * undo, and the sale at the door. Everything works without JavaScript;
 * assets/js/scanner.js adds the camera and live answers on top of the same
 * forms (it finds them by the ids written here). */
#include "web/views/checkin.h"
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

static const char *fill(struct request *req, const char *key, const char *const *vars)
{
	return i18n_fill(req->arena, web_t(req, key), vars);
}

const char *view_checkin_gate_name(struct request *req, const char *gate)
{
	return gate && *gate ? gate : web_t(req, "checkin.gate.none");
}

static const char *holder(const struct checkin_outcome *o)
{
	return o->attendee_name && *o->attendee_name ? o->attendee_name : o->buyer_name;
}

void view_checkin_outcome_words(struct request *req, const struct checkin_outcome *o,
				const char **out_title, const char **out_detail,
				const char **out_icon)
{
	struct arena *a = req->arena;
	const char *lang = web_of(req)->lang;
	const char *name = checkin_result_name(o->result);
	*out_title = web_t(req, arena_printf(a, "checkin.result.%s", name));
	*out_detail = "";
	*out_icon = "✗";
	switch (o->result) {
	case CHECKIN_VALID: {
		*out_icon = "✓";
		const char *vars[] = { "type", o->type_name, "name", holder(o), NULL };
		*out_detail = fill(req, "checkin.detail.valid", vars);
		break;
	}
	case CHECKIN_ALREADY_USED: {
		*out_icon = "⚠";
		const char *vars[] = { "when", time_format_long(a, o->checked_in_at, lang), "gate",
				       view_checkin_gate_name(req, o->checked_in_gate), "by",
				       o->checked_in_by, "type", o->type_name, "name", holder(o), NULL };
		*out_detail = fill(req, "checkin.detail.already_used", vars);
		break;
	}
	case CHECKIN_UNKNOWN:
		*out_icon = "?";
		*out_detail = web_t(req, "checkin.detail.unknown");
		break;
	case CHECKIN_WRONG_EVENT:
		if (o->other_event_title && *o->other_event_title) {
			const char *vars[] = { "event", o->other_event_title, NULL };
			*out_detail = fill(req, "checkin.detail.wrong_event", vars);
		} else {
			*out_detail = web_t(req, "checkin.detail.wrong_event_private");
		}
		break;
	case CHECKIN_WRONG_DATE: {
		const char *vars[] = { "date", time_format_long(a, o->date_starts_at, lang), NULL };
		*out_detail = fill(req, "checkin.detail.wrong_date", vars);
		break;
	}
	case CHECKIN_CANCELLED: {
		const char *vars[] = { "order", o->order_code, "status",
				       web_t(req, arena_printf(a, "orders.status.%s", o->order_status)),
				       NULL };
		*out_detail = fill(req, "checkin.detail.cancelled", vars);
		break;
	}
	case CHECKIN_UNPAID: {
		*out_icon = "€";
		const char *vars[] = { "order", o->order_code, "total",
				       money(req, o->order_total_cents, o->currency), "name", holder(o),
				       NULL };
		*out_detail = fill(req, o->can_pay_at_door ? "checkin.detail.unpaid_pay"
							   : "checkin.detail.unpaid",
				   vars);
		break;
	}
	}
}

/* Fields that keep the door's date and gate across every form of the page. */
static void door_hidden(struct form_ctx *f, const struct checkin_view *v)
{
	form_hidden(f, "date", arena_printf(f->req->arena, "%" PRId64, v->date_id));
	form_hidden(f, "porte", v->gate);
}

/* GET form: the date (a series) and the gate's name, kept in the address. */
static void setup_form(struct buf *b, struct request *req, const struct checkin_view *v)
{
	struct arena *a = req->arena;
	struct form_ctx f = { b, req, NULL };
	HTML("<form class=\"checkin-setup\" method=\"get\"");
	html_attr(b, "action", event_path(req, v->ev, "/controle"));
	HTML(">");
	if (v->ev->ndates > 1) {
		const char **opts = arena_alloc(a, sizeof(char *) * (size_t)(2 * v->ev->ndates + 3));
		int k = 0;
		for (int i = 0; i < v->ev->ndates; i++) {
			opts[k++] = arena_printf(a, "%" PRId64, v->ev->dates[i].id);
			opts[k++] = time_format_long(a, v->ev->dates[i].starts_at, web_of(req)->lang);
		}
		opts[k++] = "0";
		opts[k++] = web_t(req, "checkin.date.any");
		opts[k] = NULL;
		struct field_spec s = { "date", "checkin.date", "select",
					arena_printf(a, "%" PRId64, v->date_id), NULL, NULL, true, 0,
					true };
		form_select(&f, &s, opts);
	} else {
		form_hidden(&f, "date", arena_printf(a, "%" PRId64, v->date_id));
	}
	struct field_spec g = { "porte", "checkin.gate", "text", v->gate, "checkin.gate.hint", "off",
				false, CHECKIN_GATE_MAX };
	form_field(&f, &g);
	html_fmt(b, "<div class=\"actions\"><button type=\"submit\" class=\"secondary\">%s"
		    "</button></div></form>",
		 web_t(req, "checkin.setup.submit"));
}

static void banner(struct buf *b, struct request *req, const struct checkin_view *v)
{
	const char *kind = "idle", *title = web_t(req, "checkin.ready"), *detail = "", *icon = "▢";
	if (v->outcome) {
		kind = checkin_result_name(v->outcome->result);
		view_checkin_outcome_words(req, v->outcome, &title, &detail, &icon);
	}
	/* role=status + aria-live: a screen reader says each answer, also when
	 * scanner.js replaces it without reloading. */
	HTML("<div id=\"scan-result\" role=\"status\" aria-live=\"assertive\" aria-atomic=\"true\"");
	html_attr(b, "class", arena_printf(req->arena, "scan-result scan-%s", kind));
	html_fmt(b, "><span class=\"scan-icon\" aria-hidden=\"true\">%s</span>"
		    "<p class=\"scan-title\">%s</p><p class=\"scan-detail\">%s</p></div>",
		 icon, title, detail);
}

static void pay_form(struct buf *b, struct request *req, const struct checkin_view *v,
		     const char *code, bool hidden)
{
	struct form_ctx f = { b, req, NULL };
	html_fmt(b, "<div id=\"pay-at-door\" class=\"pay-at-door\"%s>", hidden ? " hidden" : "");
	form_start(&f, event_path(req, v->ev, "/controle/encaisser"), false);
	door_hidden(&f, v);
	form_hidden(&f, "code", code);
	/* A double click or a reload of this form pays once (core replays it). */
	char nonce[TOKEN_HEX_LEN + 1];
	crypto_token(nonce);
	form_hidden(&f, "nonce", nonce);
	form_end(&f, "checkin.pay.submit");
	HTML("</div>");
}

static void scan_form(struct buf *b, struct request *req, const struct checkin_view *v)
{
	struct form_ctx f = { b, req, NULL };
	HTML("<section class=\"checkin-scan\" aria-labelledby=\"h-scan\">");
	html_fmt(b, "<h2 id=\"h-scan\" class=\"visually-hidden\">%s</h2>",
		 web_t(req, "checkin.scan.title"));
	banner(b, req, v);
	const struct checkin_outcome *o = v->outcome;
	bool can_pay = o && o->result == CHECKIN_UNPAID && o->can_pay_at_door;
	/* Always written, hidden unless needed, so scanner.js can show it. */
	pay_form(b, req, v, can_pay ? v->scanned_code : "", !can_pay);
	/* scanner.js puts the camera here; without JavaScript it stays empty. */
	html_fmt(b, "<div id=\"scanner-camera\" class=\"scanner-camera\" hidden"
		    " data-start=\"%s\" data-stop=\"%s\" data-unsupported=\"%s\" data-denied=\"%s\""
		    " data-error=\"%s\" data-unnamed=\"%s\"",
		 web_t(req, "checkin.camera.start"), web_t(req, "checkin.camera.stop"),
		 web_t(req, "checkin.camera.unsupported"), web_t(req, "checkin.camera.denied"),
		 web_t(req, "checkin.camera.error"), web_t(req, "checkin.gate.none"));
	html_attr(b, "data-jsqr", static_url("vendor/jsqr/jsQR.js"));
	HTML("></div><div id=\"scan-form\">");
	form_start(&f, event_path(req, v->ev, "/controle"), false);
	door_hidden(&f, v);
	struct field_spec c = { "code", "checkin.code", "text", "", "checkin.code.hint", "off", true,
				CHECKIN_CODE_MAX };
	form_field(&f, &c);
	form_end(&f, "checkin.scan.submit");
	HTML("</div></section>");
}

static void counts(struct buf *b, struct request *req, const struct checkin_view *v)
{
	const struct checkin_counts *k = v->counts;
	HTML("<section class=\"checkin-counts\" aria-labelledby=\"h-counts\"");
	html_attr(b, "data-url",
		  arena_printf(req->arena, "%s?date=%" PRId64, event_path(req, v->ev, "/controle/compteurs"),
			       v->date_id));
	html_fmt(b, "><h2 id=\"h-counts\">%s</h2><p class=\"checkin-count\"><span id=\"count-arrived\">"
		    "%lld</span> / <span id=\"count-expected\">%lld</span> <span>%s</span></p>"
		    "<ul id=\"count-gates\" class=\"plain\">",
		 web_t(req, "checkin.counts.title"), (long long)k->arrived, (long long)k->expected,
		 web_t(req, "checkin.counts.legend"));
	for (int i = 0; i < k->ngates; i++)
		html_fmt(b, "<li>%s : %lld</li>", view_checkin_gate_name(req, k->gates[i].gate),
			 (long long)k->gates[i].arrived);
	HTML("</ul></section>");
}

/* The undo button of one scan; with id 0 it is the template scanner.js fills. */
static void undo_form(struct buf *b, struct request *req, const struct checkin_view *v, int64_t id)
{
	struct form_ctx f = { b, req, NULL };
	form_start(&f, event_path(req, v->ev, "/controle/annuler"), false);
	door_hidden(&f, v);
	form_hidden(&f, "scan", arena_printf(req->arena, "%" PRId64, id));
	form_end(&f, "checkin.undo");
}

static const char *result_words(struct request *req, const char *result)
{
	return web_t(req, arena_printf(req->arena, "checkin.result.%s", result));
}

static void recent(struct buf *b, struct request *req, const struct checkin_view *v)
{
	const char *lang = web_of(req)->lang;
	const char *vars[] = { "gate", view_checkin_gate_name(req, v->gate), NULL };
	html_fmt(b, "<section class=\"checkin-recent\" aria-labelledby=\"h-recent\">"
		    "<h2 id=\"h-recent\">%s</h2><p id=\"recent-none\"%s>%s</p>"
		    "<ol id=\"recent-list\" class=\"plain scan-list\">",
		 fill(req, "checkin.recent.title", vars), v->nrecent ? " hidden" : "",
		 web_t(req, "checkin.recent.none"));
	for (int i = 0; i < v->nrecent; i++) {
		const struct checkin_scan_row *r = &v->recent[i];
		const char *who = *r->attendee_name ? r->attendee_name : r->buyer_name;
		HTML("<li");
		html_attr(b, "class", arena_printf(req->arena, "scan-row scan-%s", r->result));
		html_fmt(b, "><span class=\"scan-when\">%s</span> <strong>%s</strong>",
			 time_format_long(req->arena, r->scanned_at, lang), result_words(req, r->result));
		if (*r->type_name)
			html_fmt(b, " — %s", r->type_name);
		if (*who)
			html_fmt(b, " — %s", who);
		html_fmt(b, " <code>%s</code>", r->code);
		if (r->can_undo)
			undo_form(b, req, v, r->id);
		HTML("</li>");
	}
	HTML("</ol>");
	/* scanner.js clones this for a scan it just made (no undo without it). */
	HTML("<template id=\"undo-template\">");
	undo_form(b, req, v, 0);
	HTML("</template></section>");
}

static void sale_done(struct buf *b, struct request *req, const struct order *o)
{
	int entered = 0;
	for (int i = 0; i < o->n_tickets; i++)
		entered += o->tickets[i].checked_in_at != 0;
	const char *vars[] = { "order", o->code, "n", arena_printf(req->arena, "%d", o->n_tickets),
			       NULL };
	html_fmt(b, "<div class=\"sale-done\" role=\"status\" tabindex=\"-1\" id=\"sale-done\">"
		    "<p>%s</p><p class=\"sale-total\">%s <strong>%s</strong></p>",
		 fill(req, "checkin.sale.done", vars), web_t(req, "checkin.sale.to_take"),
		 money(req, o->total_cents, o->currency));
	if (entered)
		html_fmt(b, "<p>%s</p>", web_t(req, "checkin.sale.entered"));
	HTML("<ul class=\"plain\">");
	for (int i = 0; i < o->n_tickets; i++)
		html_fmt(b, "<li>%s <code>%s</code></li>", o->tickets[i].type_name, o->tickets[i].code);
	HTML("</ul></div>");
}

static void sale(struct buf *b, struct request *req, const struct checkin_view *v)
{
	struct arena *a = req->arena;
	html_fmt(b, "<section class=\"checkin-sale\" aria-labelledby=\"h-sale\"><h2 id=\"h-sale\">%s</h2>",
		 web_t(req, "checkin.sale.title"));
	if (v->sold)
		sale_done(b, req, v->sold);
	if (!v->date_id) {
		html_fmt(b, "<p>%s</p></section>", web_t(req, "checkin.sale.pick_date"));
		return;
	}
	int n = 0;
	const char **opts = arena_alloc(a, sizeof(char *) * (size_t)(2 * v->ntypes + 1));
	for (int i = 0; i < v->ntypes; i++) {
		if (v->types[i].is_archived)
			continue;
		opts[2 * n] = arena_printf(a, "%" PRId64, v->types[i].id);
		opts[2 * n + 1] = arena_printf(a, "%s — %s", v->types[i].name,
					       money(req, v->types[i].price_cents, v->types[i].currency));
		n++;
	}
	opts[2 * n] = NULL;
	if (n == 0) {
		html_fmt(b, "<p>%s</p></section>", web_t(req, "checkin.sale.no_types"));
		return;
	}
	struct form_ctx f = { b, req, v->sale_fe };
	form_start(&f, event_path(req, v->ev, "/controle/vente"), false);
	static const char *const labels[] = { "type", "checkin.sale.type", "quantity",
					      "checkin.sale.quantity", "buyer_name",
					      "checkin.sale.buyer_name", "tickets", "checkin.sale.quantity",
					      "gate", "checkin.gate", NULL };
	form_errors_summary(&f, labels);
	door_hidden(&f, v);
	char idem[TOKEN_HEX_LEN + 1];
	crypto_token(idem);
	form_hidden(&f, "idem", idem);
	struct field_spec t = { "type", "checkin.sale.type", "select", v->sale.type, NULL, NULL, true,
				0, true };
	form_select(&f, &t, opts);
	struct field_spec q = { "quantity", "checkin.sale.quantity", "number",
				v->sale.quantity ? v->sale.quantity : "1", NULL, "off", true, 0 };
	form_field(&f, &q);
	struct field_spec nm = { "buyer_name", "checkin.sale.buyer_name", "text", v->sale.buyer_name,
				 "checkin.sale.buyer_name.hint", "off", false, ORDERS_NAME_MAX };
	form_field(&f, &nm);
	/* form_field has no checked state: this one box is written here. */
	HTML("<div class=\"field\"><label for=\"f-enter_now\"><input type=\"checkbox\" value=\"1\""
	     " id=\"f-enter_now\" name=\"enter_now\"");
	if (v->sale.enter_now)
		HTML(" checked");
	html_fmt(b, "> %s</label></div>", web_t(req, "checkin.sale.enter_now"));
	html_fmt(b, "<p class=\"hint\">%s</p>", web_t(req, "checkin.sale.onsite"));
	form_end(&f, "checkin.sale.submit");
	HTML("</section>");
}

void view_checkin(struct buf *b, struct request *req, const struct checkin_view *v)
{
	const char *title = arena_printf(req->arena, "%s — %s", web_t(req, "checkin.title"),
					 v->ev->title);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p class=\"checkin-links\"><a", title);
	html_href(b, event_path(req, v->ev, "/participants"));
	html_fmt(b, ">%s</a> · <a", web_t(req, "attendees.link"));
	html_href(b, event_path(req, v->ev, "/billetterie"));
	html_fmt(b, ">%s</a></p><div class=\"checkin\">", web_t(req, "checkin.back_to_setup"));
	setup_form(b, req, v);
	scan_form(b, req, v);
	counts(b, req, v);
	recent(b, req, v);
	sale(b, req, v);
	HTML("</div><script");
	html_attr(b, "src", static_url("js/scanner.js"));
	HTML("></script>");
	view_layout_end(b, req);
}
