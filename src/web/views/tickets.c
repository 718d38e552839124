/* tickets.c (views): the organiser's ticketing page of an event: shop
 * settings, ticket types, quotas per date, vouchers and questions, each
 * with its own form posting to its own route. Works without JavaScript. */
#include "web/views/tickets.h"
#include "web/html.h"
#include "base/i18n.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <inttypes.h>
#include <string.h>

static const char *setup_path(struct request *req, const struct event *ev, const char *tail)
{
	return arena_printf(req->arena, "/evenements/%s/billetterie%s", url_arg(req->arena, ev->slug),
			    tail);
}

/* The posted value of name when form is the one refused, else dflt. */
static const char *val(struct request *req, const struct tickets_setup_view *v, const char *form,
		       const char *name, const char *dflt)
{
	if (v->failed_form && strcmp(v->failed_form, form) == 0) {
		const char *s = http_form(req, name);
		return s ? s : "";
	}
	return dflt;
}

static const struct field_errors *errs(const struct tickets_setup_view *v, const char *form)
{
	return v->failed_form && strcmp(v->failed_form, form) == 0 ? v->fe : NULL;
}

static void checkbox(struct buf *b, struct request *req, const char *name, const char *label,
		     bool checked)
{
	HTML("<div class=\"field\"><label");
	html_attr(b, "for", arena_printf(req->arena, "f-%s", name));
	HTML("><input type=\"checkbox\" value=\"1\"");
	html_attr(b, "id", arena_printf(req->arena, "f-%s", name));
	html_attr(b, "name", name);
	if (checked)
		HTML(" checked");
	html_fmt(b, "> %s</label></div>", label);
}

static void group_error(struct buf *b, struct request *req, const struct field_errors *fe,
			const char *field)
{
	const char *k = fe ? field_error_get(fe, field) : NULL;
	if (k)
		html_fmt(b, "<p class=\"field-error\" id=\"e-%s\">%s</p>", field, web_t(req, k));
}

static void text_field(struct form_ctx *f, const char *name, const char *label_key, const char *type,
		       const char *value, const char *hint_key, bool required)
{
	struct field_spec s = { .name = name, .label_key = label_key, .type = type, .value = value,
				.hint_key = hint_key, .required = required };
	form_field(f, &s);
}

static const char *money(struct request *req, int64_t cents, const char *currency)
{
	return tickets_money_format(req->arena, cents, currency && *currency ? currency : "EUR",
				    web_of(req)->lang);
}

static const char *date_label(struct request *req, int64_t t)
{
	return time_format_long(req->arena, t, web_of(req)->lang);
}

/* ---- shop ---------------------------------------------------------------------------------- */

static void shop_section(struct buf *b, struct request *req, const struct tickets_setup_view *v)
{
	html_fmt(b, "<section class=\"card\" aria-labelledby=\"h-shop\"><h2 id=\"h-shop\">%s</h2>",
		 web_t(req, "tickets.setup.shop"));
	if (!v->shop) {
		html_fmt(b, "<p>%s</p></section>", web_t(req, "tickets.setup.shop_no_right"));
		return;
	}
	const struct ticket_shop *s = v->shop;
	bool failed = v->failed_form && strcmp(v->failed_form, "shop") == 0;
	struct form_ctx f = { .b = b, .req = req, .fe = errs(v, "shop") };
	form_start(&f, setup_path(req, v->ev, "/boutique"), false);
	html_fmt(b, "<fieldset><legend>%s</legend>", web_t(req, "tickets.setup.providers"));
	static const char *const providers[] = { "onsite", "transfer", "demo", "stripe" };
	for (int i = 0; i < 4; i++) {
		if (strcmp(providers[i], "demo") == 0 && !v->demo_on)
			continue;
		if (strcmp(providers[i], "stripe") == 0 && !v->stripe_on)
			continue;
		const char *name = arena_printf(req->arena, "provider_%s", providers[i]);
		bool on = failed ? http_form(req, name) != NULL : tickets_shop_offers(s, providers[i]);
		checkbox(b, req, name,
			 web_t(req, arena_printf(req->arena, "tickets.setup.provider.%s", providers[i])), on);
	}
	group_error(b, req, f.fe, "providers");
	HTML("</fieldset>");
	text_field(&f, "transfer_details", "tickets.setup.transfer_details", "textarea",
		   val(req, v, "shop", "transfer_details", s->transfer_details), NULL, false);
	checkbox(b, req, "buyer_can_cancel", web_t(req, "tickets.setup.buyer_can_cancel"),
		 failed ? http_form(req, "buyer_can_cancel") != NULL : s->buyer_can_cancel);
	static const char *const names_opts[] = { "off", "tickets.setup.names.off", "optional",
		"tickets.setup.names.optional", "required", "tickets.setup.names.required", NULL };
	struct field_spec an = { .name = "attendee_names", .type = "select", .required = true, .label_key = "tickets.setup.attendee_names",
				 .value = val(req, v, "shop", "attendee_names", s->attendee_names) };
	form_select(&f, &an, names_opts);
	checkbox(b, req, "waiting_list", web_t(req, "tickets.setup.waiting_list"),
		 failed ? http_form(req, "waiting_list") != NULL : s->waiting_list);
	form_end(&f, "tickets.setup.shop_save");
	HTML("</section>");
}

/* ---- types --------------------------------------------------------------------------------- */

static void types_section(struct buf *b, struct request *req, const struct tickets_setup_view *v)
{
	html_fmt(b, "<section class=\"card\" aria-labelledby=\"h-types\"><h2 id=\"h-types\">%s</h2>",
		 web_t(req, "tickets.setup.types"));
	if (v->ntypes == 0)
		html_fmt(b, "<p>%s</p>", web_t(req, "tickets.setup.types_none"));
	else
		HTML("<ul>");
	for (int i = 0; i < v->ntypes; i++) {
		const struct ticket_type *t = &v->types[i];
		html_fmt(b, "<li><strong>%s</strong> — %s", t->name, money(req, t->price_cents, t->currency));
		html_fmt(b, " (%d–%d, %s)", t->min_per_order, t->max_per_order,
			 web_t(req, arena_printf(req->arena, "tickets.setup.visibility.%s", t->visibility)));
		if (t->is_archived)
			html_fmt(b, " — %s", web_t(req, "tickets.setup.archived"));
		HTML("</li>");
	}
	if (v->ntypes)
		HTML("</ul>");
	html_fmt(b, "<h3>%s</h3>", web_t(req, "tickets.setup.type_new"));
	struct form_ctx f = { .b = b, .req = req, .fe = errs(v, "type") };
	form_start(&f, setup_path(req, v->ev, "/types"), false);
	struct field_spec name = { .name = "name", .label_key = "tickets.setup.type_name", .type = "text",
				   .value = val(req, v, "type", "name", ""), .required = true,
				   .maxlength = TICKETS_NAME_MAX };
	form_field(&f, &name);
	text_field(&f, "price", "tickets.setup.price", "text", val(req, v, "type", "price", ""),
		   "tickets.setup.price_hint", true);
	text_field(&f, "description", "tickets.setup.description", "textarea",
		   val(req, v, "type", "description", ""), NULL, false);
	text_field(&f, "min_per_order", "tickets.setup.min_per_order", "text",
		   val(req, v, "type", "min_per_order", "1"), NULL, false);
	text_field(&f, "max_per_order", "tickets.setup.max_per_order", "text",
		   val(req, v, "type", "max_per_order", "10"), NULL, false);
	static const char *const vis[] = { "public", "tickets.setup.visibility.public", "voucher_only",
		"tickets.setup.visibility.voucher_only", "hidden", "tickets.setup.visibility.hidden", NULL };
	struct field_spec vs = { .name = "visibility", .type = "select", .required = true, .label_key = "tickets.setup.visibility",
				 .value = val(req, v, "type", "visibility", "public") };
	form_select(&f, &vs, vis);
	text_field(&f, "sale_starts_at", "tickets.setup.sale_starts_at", "date",
		   val(req, v, "type", "sale_starts_at", ""), "tickets.setup.optional_date_hint", false);
	text_field(&f, "sale_ends_at", "tickets.setup.sale_ends_at", "date",
		   val(req, v, "type", "sale_ends_at", ""), "tickets.setup.optional_date_hint", false);
	form_end(&f, "tickets.setup.type_create");
	HTML("</section>");
}

/* ---- quotas -------------------------------------------------------------------------------- */

static const char *type_name(const struct tickets_setup_view *v, int64_t id)
{
	for (int i = 0; i < v->ntypes; i++)
		if (v->types[i].id == id)
			return v->types[i].name;
	return "?";
}

static void quotas_section(struct buf *b, struct request *req, const struct tickets_setup_view *v)
{
	const struct event *ev = v->ev;
	html_fmt(b, "<section class=\"card\" aria-labelledby=\"h-quotas\"><h2 id=\"h-quotas\">%s</h2>",
		 web_t(req, "tickets.setup.quotas"));
	if (v->nquotas == 0)
		html_fmt(b, "<p>%s</p>", web_t(req, "tickets.setup.quotas_none"));
	else
		HTML("<ul>");
	for (int i = 0; i < v->nquotas; i++) {
		const struct ticket_quota *q = &v->quotas[i];
		const char *when = "";
		for (int d = 0; d < ev->ndates; d++)
			if (ev->dates[d].id == q->event_date_id)
				when = date_label(req, ev->dates[d].starts_at);
		html_fmt(b, "<li><strong>%s</strong> — %s — %" PRId64 " / %" PRId64 " —", q->name, when,
			 q->sold, q->size);
		for (int k = 0; k < q->n_types; k++)
			html_fmt(b, "%s %s", k ? "," : "", type_name(v, q->type_ids[k]));
		HTML("</li>");
	}
	if (v->nquotas)
		HTML("</ul>");
	html_fmt(b, "<h3>%s</h3>", web_t(req, "tickets.setup.quota_new"));
	if (v->ntypes == 0 || ev->ndates == 0) {
		html_fmt(b, "<p>%s</p></section>", web_t(req, "tickets.setup.quota_needs_types"));
		return;
	}
	struct form_ctx f = { .b = b, .req = req, .fe = errs(v, "quota") };
	form_start(&f, setup_path(req, ev, "/jauges"), false);
	const char **opts = arena_alloc(req->arena, sizeof(*opts) * (size_t)(2 * ev->ndates + 1));
	int k = 0;
	for (int d = 0; d < ev->ndates; d++) {
		opts[k++] = arena_printf(req->arena, "%" PRId64, ev->dates[d].id);
		opts[k++] = date_label(req, ev->dates[d].starts_at);
	}
	opts[k] = NULL;
	struct field_spec ds = { .name = "date", .type = "select", .required = true, .label_key = "tickets.setup.quota_date",
				 .value = val(req, v, "quota", "date", ""), .labels_are_text = true };
	form_select(&f, &ds, opts);
	text_field(&f, "name", "tickets.setup.quota_name", "text",
		   val(req, v, "quota", "name", web_t(req, "tickets.setup.quota_default_name")), NULL, true);
	text_field(&f, "size", "tickets.setup.quota_size", "text", val(req, v, "quota", "size", ""),
		   NULL, true);
	bool failed = v->failed_form && strcmp(v->failed_form, "quota") == 0;
	html_fmt(b, "<fieldset><legend>%s</legend>", web_t(req, "tickets.setup.quota_types"));
	for (int i = 0; i < v->ntypes; i++) {
		if (v->types[i].is_archived)
			continue;
		const char *name = arena_printf(req->arena, "type_%" PRId64, v->types[i].id);
		checkbox(b, req, name, v->types[i].name, failed ? http_form(req, name) != NULL : true);
	}
	group_error(b, req, f.fe, "types");
	HTML("</fieldset>");
	form_end(&f, "tickets.setup.quota_create");
	HTML("</section>");
}

/* ---- vouchers ------------------------------------------------------------------------------ */

static void vouchers_section(struct buf *b, struct request *req, const struct tickets_setup_view *v)
{
	html_fmt(b, "<section class=\"card\" aria-labelledby=\"h-vouchers\"><h2 id=\"h-vouchers\">%s</h2>",
		 web_t(req, "tickets.setup.vouchers"));
	if (v->nvouchers)
		HTML("<ul>");
	for (int i = 0; i < v->nvouchers; i++) {
		const struct voucher *c = &v->vouchers[i];
		html_fmt(b, "<li><code>%s</code> — ", c->code);
		if (strcmp(c->kind, "percent") == 0)
			html_fmt(b, "%" PRId64 " %%", c->amount);
		else
			html_fmt(b, "%s", money(req, c->amount, "EUR"));
		html_fmt(b, " — %" PRId64 "/", c->used);
		if (c->max_uses)
			html_fmt(b, "%" PRId64, c->max_uses);
		else
			HTML("∞");
		if (c->is_disabled)
			html_fmt(b, " — %s", web_t(req, "tickets.setup.disabled"));
		HTML("</li>");
	}
	if (v->nvouchers)
		HTML("</ul>");
	html_fmt(b, "<h3>%s</h3>", web_t(req, "tickets.setup.voucher_new"));
	struct form_ctx f = { .b = b, .req = req, .fe = errs(v, "voucher") };
	form_start(&f, setup_path(req, v->ev, "/codes"), false);
	text_field(&f, "code", "tickets.setup.voucher_code", "text", val(req, v, "voucher", "code", ""),
		   "tickets.setup.voucher_code_hint", false);
	static const char *const kinds[] = { "fixed", "tickets.setup.kind.fixed", "percent",
		"tickets.setup.kind.percent", NULL };
	struct field_spec ks = { .name = "kind", .type = "select", .required = true, .label_key = "tickets.setup.voucher_kind",
				 .value = val(req, v, "voucher", "kind", "fixed") };
	form_select(&f, &ks, kinds);
	text_field(&f, "amount", "tickets.setup.voucher_amount", "text",
		   val(req, v, "voucher", "amount", ""), "tickets.setup.voucher_amount_hint", true);
	text_field(&f, "max_uses", "tickets.setup.voucher_max_uses", "text",
		   val(req, v, "voucher", "max_uses", ""), "tickets.setup.voucher_max_uses_hint", false);
	text_field(&f, "valid_until", "tickets.setup.voucher_valid_until", "date",
		   val(req, v, "voucher", "valid_until", ""), "tickets.setup.optional_date_hint", false);
	form_end(&f, "tickets.setup.voucher_create");
	HTML("</section>");
}

/* ---- questions ----------------------------------------------------------------------------- */

static void questions_section(struct buf *b, struct request *req, const struct tickets_setup_view *v)
{
	html_fmt(b, "<section class=\"card\" aria-labelledby=\"h-questions\"><h2 id=\"h-questions\">%s</h2>",
		 web_t(req, "tickets.setup.questions"));
	if (v->nquestions)
		HTML("<ul>");
	for (int i = 0; i < v->nquestions; i++) {
		const struct ticket_question *q = &v->questions[i];
		html_fmt(b, "<li>%s (%s%s)</li>", q->label,
			 web_t(req, arena_printf(req->arena, "tickets.setup.qkind.%s", q->kind)),
			 q->required ? web_t(req, "tickets.setup.required_suffix") : "");
	}
	if (v->nquestions)
		HTML("</ul>");
	html_fmt(b, "<h3>%s</h3>", web_t(req, "tickets.setup.question_new"));
	struct form_ctx f = { .b = b, .req = req, .fe = errs(v, "question") };
	form_start(&f, setup_path(req, v->ev, "/questions"), false);
	text_field(&f, "label", "tickets.setup.question_label", "text",
		   val(req, v, "question", "label", ""), NULL, true);
	static const char *const kinds[] = { "text", "tickets.setup.qkind.text", "choice",
		"tickets.setup.qkind.choice", "yesno", "tickets.setup.qkind.yesno", NULL };
	struct field_spec ks = { .name = "kind", .type = "select", .required = true, .label_key = "tickets.setup.question_kind",
				 .value = val(req, v, "question", "kind", "text") };
	form_select(&f, &ks, kinds);
	text_field(&f, "options", "tickets.setup.question_options", "textarea",
		   val(req, v, "question", "options", ""), "tickets.setup.question_options_hint", false);
	bool failed = v->failed_form && strcmp(v->failed_form, "question") == 0;
	checkbox(b, req, "required", web_t(req, "tickets.setup.question_required"),
		 failed && http_form(req, "required") != NULL);
	form_end(&f, "tickets.setup.question_create");
	HTML("</section>");
}

void view_tickets_setup(struct buf *b, struct request *req, const struct tickets_setup_view *v)
{
	const char *title = arena_printf(req->arena, "%s — %s", web_t(req, "tickets.setup.title"),
					 v->ev->title);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p><a", title);
	html_href(b, arena_printf(req->arena, "/evenements/%s", url_arg(req->arena, v->ev->slug)));
	html_fmt(b, ">%s</a></p>", web_t(req, "tickets.setup.back"));
	/* ---- attendees pages: links ---- */
	HTML("<p><a");
	html_href(b, arena_printf(req->arena, "/evenements/%s/participants", url_arg(req->arena, v->ev->slug)));
	html_fmt(b, ">%s</a> · <a", web_t(req, "attendees.link"));
	html_href(b, arena_printf(req->arena, "/evenements/%s/annuler", url_arg(req->arena, v->ev->slug)));
	html_fmt(b, ">%s</a></p>", web_t(req, "attendees.cancel.link"));
	/* ---- end attendees pages: links ---- */
	shop_section(b, req, v);
	if (v->can_publish) {
		types_section(b, req, v);
		quotas_section(b, req, v);
		vouchers_section(b, req, v);
		questions_section(b, req, v);
	}
	view_layout_end(b, req);
}
