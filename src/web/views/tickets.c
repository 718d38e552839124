/* tickets.c (views): the organiser's ticketing page of an event: shop
 * settings, ticket types, quotas per date, vouchers and questions, each
 * with its own form posting to its own route; and the edit pages of one
 * type (with its archive confirmation) and of one quota. Works without
 * JavaScript. */
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

const char *view_tickets_hours(struct request *req, int64_t seconds)
{
	return arena_printf(req->arena, "%lld", (long long)((seconds + 1800) / 3600));
}

const char *view_tickets_euros(struct request *req, int64_t cents)
{
	bool en = strcmp(web_of(req)->lang, "en") == 0;
	return arena_printf(req->arena, "%lld%s%02lld", (long long)(cents / 100), en ? "." : ",",
			    (long long)(cents % 100));
}

/* A one-button form (delete, disable...) whose button names its object for
 * screen readers: "Supprimer" is followed by a hidden "Taille du t-shirt". */
static void action_button(struct buf *b, struct request *req, const char *action,
			  const char *label_key, const char *object, const char *css_class,
			  const char *describedby)
{
	HTML("<form class=\"inline\" method=\"post\"");
	html_attr(b, "action", action);
	HTML("><input type=\"hidden\" name=\"_csrf\"");
	html_attr(b, "value", web_of(req)->csrf);
	HTML("><button type=\"submit\"");
	if (css_class)
		html_attr(b, "class", css_class);
	if (describedby)
		html_attr(b, "aria-describedby", describedby);
	html_fmt(b, ">%s<span class=\"visually-hidden\"> %s</span></button></form>",
		 web_t(req, label_key), object);
}

/* A link "Modifier" whose text names its object for screen readers. */
static void edit_link(struct buf *b, struct request *req, const char *href, const char *object)
{
	HTML(" <a");
	html_href(b, href);
	html_fmt(b, ">%s<span class=\"visually-hidden\"> %s</span></a>",
		 web_t(req, "tickets.edit.edit"), object);
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
	text_field(&f, "cancel_deadline", "tickets.edit.cancel_deadline", "text",
		   val(req, v, "shop", "cancel_deadline", view_tickets_hours(req, s->cancel_deadline)),
		   "tickets.edit.cancel_deadline_hint", false);
	checkbox(b, req, "waiting_list", web_t(req, "tickets.setup.waiting_list"),
		 failed ? http_form(req, "waiting_list") != NULL : s->waiting_list);
	text_field(&f, "offer_ttl", "tickets.edit.offer_ttl", "text",
		   val(req, v, "shop", "offer_ttl", view_tickets_hours(req, s->offer_ttl)),
		   "tickets.edit.offer_ttl_hint", false);
	form_end(&f, "tickets.setup.shop_save");
	HTML("</section>");
}

/* ---- types --------------------------------------------------------------------------------- */

/* The fields of a type, for the new-type form and the edit page: the posted
 * values when refill, else t's (NULL: a new type's defaults). */
static void type_fields(struct form_ctx *f, struct request *req, bool refill,
			const struct ticket_type *t, bool editing)
{
	struct arena *a = req->arena;
#define TV(name, dflt) (refill ? (http_form(req, name) ? http_form(req, name) : "") : (dflt))
	struct field_spec name = { .name = "name", .label_key = "tickets.setup.type_name", .type = "text",
				   .value = TV("name", t ? t->name : ""), .required = true,
				   .maxlength = TICKETS_NAME_MAX };
	form_field(f, &name);
	text_field(f, "price", "tickets.setup.price", "text",
		   TV("price", t ? view_tickets_euros(req, t->price_cents) : ""),
		   editing ? "tickets.edit.price_hint" : "tickets.setup.price_hint", true);
	text_field(f, "description", "tickets.setup.description", "textarea",
		   TV("description", t ? t->description : ""), NULL, false);
	text_field(f, "min_per_order", "tickets.setup.min_per_order", "text",
		   TV("min_per_order", t ? arena_printf(a, "%d", t->min_per_order) : "1"), NULL, false);
	text_field(f, "max_per_order", "tickets.setup.max_per_order", "text",
		   TV("max_per_order", t ? arena_printf(a, "%d", t->max_per_order) : "10"), NULL, false);
	static const char *const vis[] = { "public", "tickets.setup.visibility.public", "voucher_only",
		"tickets.setup.visibility.voucher_only", "hidden", "tickets.setup.visibility.hidden", NULL };
	struct field_spec vs = { .name = "visibility", .type = "select", .required = true,
				 .label_key = "tickets.setup.visibility",
				 .value = TV("visibility", t ? t->visibility : "public") };
	form_select(f, &vs, vis);
	text_field(f, "sale_starts_at", "tickets.setup.sale_starts_at", "date",
		   TV("sale_starts_at", t && t->sale_starts_at ? time_format_date(a, t->sale_starts_at) : ""),
		   "tickets.setup.optional_date_hint", false);
	text_field(f, "sale_ends_at", "tickets.setup.sale_ends_at", "date",
		   TV("sale_ends_at", t && t->sale_ends_at ? time_format_date(a, t->sale_ends_at) : ""),
		   "tickets.setup.optional_date_hint", false);
#undef TV
}

static const char *type_path(struct request *req, const struct event *ev, int64_t id,
			     const char *tail)
{
	return setup_path(req, ev, arena_printf(req->arena, "/types/%lld%s", (long long)id, tail));
}

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
		if (t->waiting || t->offered_seats)
			html_fmt(b, " — <span class=\"waitlist-count\">%s %lld (%s %lld, %s %lld)</span>",
				 web_t(req, "tickets.edit.waiting"), (long long)t->waiting,
				 web_t(req, "tickets.edit.waiting_seats"), (long long)t->waiting_seats,
				 web_t(req, "tickets.edit.offered_seats"), (long long)t->offered_seats);
		if (!t->is_archived)
			edit_link(b, req, type_path(req, v->ev, t->id, ""), t->name);
		HTML("</li>");
	}
	if (v->ntypes)
		HTML("</ul>");
	html_fmt(b, "<h3>%s</h3>", web_t(req, "tickets.setup.type_new"));
	struct form_ctx f = { .b = b, .req = req, .fe = errs(v, "type") };
	form_start(&f, setup_path(req, v->ev, "/types"), false);
	type_fields(&f, req, v->failed_form && strcmp(v->failed_form, "type") == 0, NULL, false);
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
		edit_link(b, req, setup_path(req, ev, arena_printf(req->arena, "/jauges/%lld",
								    (long long)q->id)),
			  arena_printf(req->arena, "%s — %s", q->name, when));
		HTML("</li>");
	}
	if (v->nquotas)
		HTML("</ul>");
	html_fmt(b, "<h3>%s</h3>", web_t(req, "tickets.setup.quota_new"));
	if (v->ntypes == 0 || ev->ndates == 0) {
		html_fmt(b, "<p>%s</p></section>", web_t(req, "tickets.setup.quota_needs_types"));
		return;
	}
	/* Its field names are those of another form of the page: own ids. */
	struct form_ctx f = { .b = b, .req = req, .fe = errs(v, "quota"), .id_prefix = "quota-" };
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
		html_fmt(b, " — %s %" PRId64 "/", web_t(req, "tickets.edit.voucher_uses"), c->used);
		if (c->max_uses)
			html_fmt(b, "%" PRId64, c->max_uses);
		else
			HTML("∞");
		if (c->ticket_type_id)
			html_fmt(b, " — %s", type_name(v, c->ticket_type_id));
		if (c->valid_until)
			html_fmt(b, " — %s %s", web_t(req, "tickets.edit.voucher_until"),
				 date_label(req, c->valid_until));
		if (c->is_disabled) {
			html_fmt(b, " — %s", web_t(req, "tickets.setup.disabled"));
		} else {
			HTML(" ");
			action_button(b, req, setup_path(req, v->ev, arena_printf(req->arena,
					"/codes/%lld/desactiver", (long long)c->id)),
				      "tickets.edit.voucher_disable", c->code, "secondary", NULL);
		}
		HTML("</li>");
	}
	if (v->nvouchers)
		HTML("</ul>");
	html_fmt(b, "<h3>%s</h3>", web_t(req, "tickets.setup.voucher_new"));
	/* Its field names are those of another form of the page: own ids. */
	struct form_ctx f = { .b = b, .req = req, .fe = errs(v, "voucher"), .id_prefix = "voucher-" };
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
	const struct field_errors *dfe = errs(v, "question_delete");
	for (int i = 0; i < v->nquestions; i++) {
		const struct ticket_question *q = &v->questions[i];
		const char *field = arena_printf(req->arena, "question-%lld", (long long)q->id);
		const char *err = dfe ? field_error_get(dfe, field) : NULL;
		html_fmt(b, "<li>%s (%s%s) ", q->label,
			 web_t(req, arena_printf(req->arena, "tickets.setup.qkind.%s", q->kind)),
			 q->required ? web_t(req, "tickets.setup.required_suffix") : "");
		action_button(b, req, setup_path(req, v->ev, arena_printf(req->arena,
				"/questions/%lld/supprimer", (long long)q->id)),
			      "tickets.edit.question_delete", q->label, "secondary",
			      err ? arena_printf(req->arena, "e-%s", field) : NULL);
		group_error(b, req, dfe, field);
		HTML("</li>");
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
	html_href(b, arena_printf(req->arena, "/evenements/%s/controle", url_arg(req->arena, v->ev->slug)));
	html_fmt(b, ">%s</a> · <a", web_t(req, "checkin.link"));
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

/* ---- editing one type or one quota ------------------------------------------------------------ */

static void back_link(struct buf *b, struct request *req, const struct event *ev)
{
	HTML("<p><a");
	html_href(b, setup_path(req, ev, ""));
	html_fmt(b, ">%s</a></p>", web_t(req, "tickets.edit.back"));
}

void view_tickets_type_edit(struct buf *b, struct request *req, const struct tickets_type_edit_view *v)
{
	const struct ticket_type *t = v->t;
	const char *title = arena_printf(req->arena, "%s « %s »", web_t(req, "tickets.edit.type_title"),
					 t->name);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", title, v->ev->title);
	back_link(b, req, v->ev);
	if (t->is_archived)
		html_fmt(b, "<p class=\"flash flash-info\">%s</p>", web_t(req, "tickets.edit.type_archived"));
	struct form_ctx f = { .b = b, .req = req, .fe = v->fe };
	form_start(&f, type_path(req, v->ev, t->id, ""), false);
	static const char *const labels[] = {
		"name", "tickets.setup.type_name", "price", "tickets.setup.price",
		"description", "tickets.setup.description", "min_per_order", "tickets.setup.min_per_order",
		"max_per_order", "tickets.setup.max_per_order", "visibility", "tickets.setup.visibility",
		"sale_starts_at", "tickets.setup.sale_starts_at", "sale_ends_at", "tickets.setup.sale_ends_at",
		NULL,
	};
	form_errors_summary(&f, labels);
	type_fields(&f, req, v->refill, t, true);
	form_end(&f, "tickets.edit.type_save");
	if (!t->is_archived) {
		html_fmt(b, "<section class=\"card\" aria-labelledby=\"h-archive\"><h2 id=\"h-archive\">%s</h2>"
			    "<p>%s</p><p><a class=\"button secondary\"",
			 web_t(req, "tickets.edit.archive_title"), web_t(req, "tickets.edit.archive_explain"));
		html_href(b, type_path(req, v->ev, t->id, "/archiver"));
		html_fmt(b, ">%s</a></p></section>", web_t(req, "tickets.edit.archive"));
	}
	view_layout_end(b, req);
}

void view_tickets_type_archive(struct buf *b, struct request *req, const struct event *ev,
			       const struct ticket_type *t)
{
	const char *title = arena_printf(req->arena, "%s « %s » ?",
					 web_t(req, "tickets.edit.archive_confirm_title"), t->name);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p><p>%s</p><p>%s</p>", title, ev->title,
		 web_t(req, "tickets.edit.archive_explain"), web_t(req, "tickets.edit.archive_waitlist"));
	HTML("<div class=\"actions\">");
	action_button(b, req, type_path(req, ev, t->id, "/archiver"), "tickets.edit.archive", t->name,
		      "danger", NULL);
	HTML("<a");
	html_href(b, type_path(req, ev, t->id, ""));
	html_fmt(b, ">%s</a></div>", web_t(req, "tickets.edit.cancel"));
	view_layout_end(b, req);
}

void view_tickets_quota_edit(struct buf *b, struct request *req,
			     const struct tickets_quota_edit_view *v)
{
	const struct ticket_quota *q = v->q;
	const struct event *ev = v->ev;
	struct arena *a = req->arena;
	const char *when = "";
	for (int d = 0; d < ev->ndates; d++)
		if (ev->dates[d].id == q->event_date_id)
			when = date_label(req, ev->dates[d].starts_at);
	const char *title = arena_printf(a, "%s « %s »", web_t(req, "tickets.edit.quota_title"), q->name);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s — %s</p>", title, ev->title, when);
	back_link(b, req, ev);
	html_fmt(b, "<p>%s %lld / %lld</p>", web_t(req, "tickets.edit.quota_taken"), (long long)q->sold,
		 (long long)q->size);
	struct form_ctx f = { .b = b, .req = req, .fe = v->fe };
	const char *path = setup_path(req, ev, arena_printf(a, "/jauges/%lld", (long long)q->id));
	form_start(&f, path, false);
	static const char *const labels[] = {
		"name", "tickets.setup.quota_name", "size", "tickets.setup.quota_size",
		"types", "tickets.setup.quota_types", NULL,
	};
	form_errors_summary(&f, labels);
#define QV(name, dflt) (v->refill ? (http_form(req, name) ? http_form(req, name) : "") : (dflt))
	text_field(&f, "name", "tickets.setup.quota_name", "text", QV("name", q->name), NULL, true);
	text_field(&f, "size", "tickets.setup.quota_size", "text",
		   QV("size", arena_printf(a, "%lld", (long long)q->size)), "tickets.edit.quota_size_hint",
		   true);
#undef QV
	html_fmt(b, "<fieldset id=\"f-types\"><legend>%s</legend>", web_t(req, "tickets.setup.quota_types"));
	for (int i = 0; i < v->ntypes; i++) {
		const struct ticket_type *t = &v->types[i];
		bool linked = false;
		for (int k = 0; k < q->n_types; k++)
			linked = linked || q->type_ids[k] == t->id;
		if (t->is_archived && !linked)
			continue;
		const char *name = arena_printf(a, "type_%lld", (long long)t->id);
		const char *label = t->is_archived ? arena_printf(a, "%s (%s)", t->name,
								  web_t(req, "tickets.setup.archived"))
						   : t->name;
		checkbox(b, req, name, label, v->refill ? http_form(req, name) != NULL : linked);
	}
	group_error(b, req, f.fe, "types");
	HTML("</fieldset>");
	form_end(&f, "tickets.edit.quota_save");

	html_fmt(b, "<section class=\"card\" aria-labelledby=\"h-delete\"><h2 id=\"h-delete\">%s</h2>",
		 web_t(req, "tickets.edit.quota_delete_title"));
	if (v->delete_error_key)
		html_fmt(b, "<p class=\"field-error\" id=\"e-delete\" role=\"alert\">%s</p>",
			 web_t(req, v->delete_error_key));
	if (q->sold == 0) {
		html_fmt(b, "<p>%s</p>", web_t(req, "tickets.edit.quota_delete_explain"));
		action_button(b, req, arena_printf(a, "%s/supprimer", path), "tickets.edit.quota_delete",
			      q->name, "danger", v->delete_error_key ? "e-delete" : NULL);
	} else {
		html_fmt(b, "<p>%s</p>", web_t(req, "tickets.edit.quota_in_use"));
	}
	HTML("</section>");
	view_layout_end(b, req);
}
