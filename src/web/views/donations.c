/* donations.c (views): the donation form, the donation page, the demo card page, the settings form */
#include "web/views/donations.h"
#include "core/payments.h"
#include "core/receipts.h"
#include "core/tickets.h"
#include "base/timefmt.h"
#include <string.h>

const char *view_donations_url(struct request *req, const struct donation *d, const char *tail)
{
	return arena_printf(req->arena, "/dons/%s%s", url_arg(req->arena, d->secret), tail);
}

static const char *org_url(struct request *req, const struct org *o, const char *tail)
{
	return arena_printf(req->arena, "/organisations/%s%s", url_arg(req->arena, o->slug), tail);
}

static const char *money(struct request *req, int64_t cents, const char *currency)
{
	return tickets_money_format(req->arena, cents, currency && *currency ? currency : "EUR",
				    web_of(req)->lang);
}

/* 1000 -> "10", 1250 -> "12,50": what a donor types. */
static const char *euros_text(struct request *req, int64_t cents)
{
	if (cents % 100 == 0)
		return arena_printf(req->arena, "%lld", (long long)(cents / 100));
	return arena_printf(req->arena, "%lld,%02lld", (long long)(cents / 100),
			    (long long)(cents % 100));
}

static const char *posted(struct request *req, bool refill, const char *name, const char *dflt)
{
	const char *s = refill ? http_form(req, name) : NULL;
	return s ? s : dflt ? dflt : "";
}

/* ---- the donation form ---------------------------------------------------------------------- */

static const char *const form_labels[] = {
	"amount", "donations.form.amount", "suggested", "donations.form.suggested",
	"donor_name", "donations.form.name", "donor_address", "donations.form.address",
	"donor_postcode", "donations.form.postcode", "donor_city", "donations.form.city",
	"donor_email", "donations.form.email", "provider", "donations.form.provider",
	"frequency", "recurring.form.frequency", "idempotency_key", "donations.form.title", NULL,
};

void view_donations_form(struct buf *b, struct request *req, const struct donations_form_view *v)
{
	const struct donation_page *pg = v->page;
	struct web *w = web_of(req);
	const char *title = arena_printf(req->arena, "%s — %s", web_t(req, "donations.form.title"),
					 pg->org.name);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1>", title);
	html_fmt(b, "<p class=\"lead\">%s</p>", web_t(req, "donations.form.lead"));
	if (pg->fiscal.is_checked)
		html_fmt(b, "<p>%s</p>", web_t(req, "donations.form.receipt_yes"));
	else
		html_fmt(b, "<p class=\"muted\">%s</p>", web_t(req, "donations.form.receipt_no"));
	if (v->error_key)
		html_fmt(b, "<div class=\"form-errors\" role=\"alert\"><p>%s</p></div>",
			 web_t(req, v->error_key));
	if (!pg->providers[0]) {
		html_fmt(b, "<p>%s</p>", web_t(req, "donations.form.closed"));
		view_layout_end(b, req);
		return;
	}
	struct form_ctx f = { b, req, v->fe };
	form_start(&f, org_url(req, &pg->org, "/don"), false);
	form_errors_summary(&f, form_labels);
	form_hidden(&f, "idem", v->idem);

	/* Once or every month; monthly needs an account (the donor stops it from "Mes dons"). */
	const char *freq = posted(req, v->refill, "frequency", "once");
	const char *ferr = field_error_get(v->fe, "frequency");
	html_fmt(b, "<fieldset class=\"field frequency%s\" id=\"f-frequency\"><legend>%s</legend>",
		 ferr ? " has-error" : "", web_t(req, "recurring.form.frequency"));
	if (ferr)
		html_fmt(b, "<p class=\"field-error\" id=\"e-frequency\">%s</p>", web_t(req, ferr));
	html_fmt(b, "<div class=\"field\"><input type=\"radio\" name=\"frequency\" id=\"f-frequency-once\""
		    " value=\"once\"%s><label for=\"f-frequency-once\">%s</label></div>",
		 strcmp(freq, "monthly") != 0 ? " checked" : "", web_t(req, "recurring.form.once"));
	html_fmt(b, "<div class=\"field\"><input type=\"radio\" name=\"frequency\" id=\"f-frequency-monthly\""
		    " value=\"monthly\" aria-describedby=\"h-frequency\"%s><label for=\"f-frequency-monthly\">%s</label></div>",
		 strcmp(freq, "monthly") == 0 ? " checked" : "", web_t(req, "recurring.form.monthly"));
	html_fmt(b, "<p class=\"hint\" id=\"h-frequency\">%s</p></fieldset>",
		 web_t(req, w->actor.account_id ? "recurring.form.monthly_hint"
						: "recurring.form.monthly_login"));

	/* Suggested amounts, or a free one typed below. */
	const char *chosen = posted(req, v->refill, "suggested", "");
	html_fmt(b, "<fieldset class=\"field\"><legend>%s</legend>",
		 web_t(req, "donations.form.suggested"));
	for (int i = 0; i < pg->settings.n_suggested; i++) {
		const char *val = arena_printf(req->arena, "%lld", (long long)pg->settings.suggested[i]);
		html_fmt(b, "<div class=\"field\"><input type=\"radio\" name=\"suggested\" id=\"f-suggested-%d\"", i);
		html_attr(b, "value", val);
		if (strcmp(chosen, val) == 0)
			HTML(" checked");
		html_fmt(b, "><label for=\"f-suggested-%d\">%s</label></div>", i,
			 money(req, pg->settings.suggested[i], pg->settings.currency));
	}
	html_fmt(b, "<div class=\"field\"><input type=\"radio\" name=\"suggested\" id=\"f-suggested-other\" value=\"other\"%s>"
		    "<label for=\"f-suggested-other\">%s</label></div></fieldset>",
		 strcmp(chosen, "other") == 0 ? " checked" : "", web_t(req, "donations.form.other"));
	form_field(&f, &(struct field_spec){ .name = "amount", .label_key = "donations.form.amount",
			     .type = "text", .value = posted(req, v->refill, "amount", ""),
			     .hint_key = "donations.form.amount_hint", .maxlength = 12 });

	bool logged = w->actor.account_id != 0;
	form_field(&f, &(struct field_spec){ .name = "donor_name", .label_key = "donations.form.name",
			     .type = "text", .required = true, .autocomplete = "name",
			     .value = posted(req, v->refill, "donor_name",
					     logged ? w->actor.display_name : ""),
			     .maxlength = DONATIONS_NAME_MAX });
	form_field(&f, &(struct field_spec){ .name = "donor_address",
			     .label_key = "donations.form.address", .type = "text", .required = true,
			     .autocomplete = "street-address", .hint_key = "donations.form.address_hint",
			     .value = posted(req, v->refill, "donor_address", ""),
			     .maxlength = DONATIONS_LINE_MAX });
	form_field(&f, &(struct field_spec){ .name = "donor_postcode",
			     .label_key = "donations.form.postcode", .type = "text", .required = true,
			     .autocomplete = "postal-code",
			     .value = posted(req, v->refill, "donor_postcode", ""),
			     .maxlength = DONATIONS_POSTCODE_MAX });
	form_field(&f, &(struct field_spec){ .name = "donor_city", .label_key = "donations.form.city",
			     .type = "text", .required = true, .autocomplete = "address-level2",
			     .value = posted(req, v->refill, "donor_city", ""),
			     .maxlength = DONATIONS_CITY_MAX });
	form_field(&f, &(struct field_spec){ .name = "donor_email", .label_key = "donations.form.email",
			     .type = "email", .required = true, .autocomplete = "email",
			     .value = posted(req, v->refill, "donor_email", logged ? w->actor.email : ""),
			     .maxlength = 254 });

	const char *prov = posted(req, v->refill, "provider", pg->providers[0]);
	const char *err = field_error_get(v->fe, "provider");
	html_fmt(b, "<fieldset class=\"field%s\" id=\"f-provider\"><legend>%s</legend>",
		 err ? " has-error" : "", web_t(req, "donations.form.provider"));
	if (err)
		html_fmt(b, "<p class=\"field-error\" id=\"e-provider\">%s</p>", web_t(req, err));
	for (int i = 0; pg->providers[i]; i++) {
		const struct payment_provider *p = payments_provider(pg->providers[i]);
		html_fmt(b, "<div class=\"field\"><input type=\"radio\" name=\"provider\" id=\"f-provider-%d\"", i);
		html_attr(b, "value", pg->providers[i]);
		if (strcmp(prov, pg->providers[i]) == 0)
			HTML(" checked");
		html_fmt(b, "><label for=\"f-provider-%d\">%s</label></div>", i,
			 web_t(req, p ? p->label_key : pg->providers[i]));
	}
	HTML("</fieldset>");
	form_end(&f, "donations.form.submit");
	html_fmt(b, "<p><a");
	html_href(b, org_url(req, &pg->org, ""));
	html_fmt(b, ">%s</a></p>", web_t(req, "donations.back_to_org"));
	view_layout_end(b, req);
}

/* ---- the donation page ---------------------------------------------------------------------- */

void view_donations_show(struct buf *b, struct request *req, const struct donation *d)
{
	view_layout_start(b, req, web_t(req, "donations.show.title"));
	html_fmt(b, "<h1>%s</h1>", web_t(req, "donations.show.title"));
	html_fmt(b, "<p class=\"lead\">%s</p>",
		 web_t(req, arena_printf(req->arena, "donations.status.%s", d->status)));
	html_fmt(b, "<dl><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd>",
		 web_t(req, "donations.show.org"), d->org_name, web_t(req, "donations.show.amount"),
		 money(req, d->amount_cents, d->currency), web_t(req, "donations.show.reference"),
		 d->reference);
	html_fmt(b, "<dt>%s</dt><dd>%s<br>%s<br>%s %s</dd>", web_t(req, "donations.show.donor"),
		 d->donor_name, d->donor_address, d->donor_postcode, d->donor_city);
	if (d->paid_at)
		html_fmt(b, "<dt>%s</dt><dd>%s</dd>", web_t(req, "donations.show.paid_at"),
			 time_format_long(req->arena, d->paid_at, web_of(req)->lang));
	HTML("</dl>");
	bool pending = strcmp(d->status, "pending") == 0;
	if (pending && strcmp(d->provider, "transfer") == 0) {
		html_fmt(b, "<h2>%s</h2><p>%s</p>", web_t(req, "donations.show.transfer_title"),
			 web_t(req, "donations.show.transfer_lead"));
		html_fmt(b, "<p><strong>%s</strong></p>", d->reference);
		if (*d->transfer_details)
			html_safe(b, html_from_text(req->arena, d->transfer_details));
	}
	if (pending && *d->redirect_url) {
		html_fmt(b, "<p><a class=\"button\"");
		html_href(b, d->redirect_url);
		html_fmt(b, ">%s</a></p>", web_t(req, "donations.show.pay"));
	}
	if (d->recurring_id) {
		html_fmt(b, "<p>%s <a", web_t(req, "recurring.show.monthly"));
		html_href(b, "/compte/dons");
		html_fmt(b, ">%s</a></p>", web_t(req, "recurring.show.manage"));
	}
	if (strcmp(d->status, "paid") == 0 && d->recurring_id) {
		html_fmt(b, "<p class=\"muted\">%s</p>", web_t(req, "recurring.show.annual_receipt"));
	} else if (strcmp(d->status, "paid") == 0) {
		if (d->has_receipt) {
			html_fmt(b, "<p>%s <strong>%s</strong></p><p><a class=\"button\"",
				 web_t(req, "donations.show.receipt_number"), d->receipt_number);
			html_href(b, view_donations_url(req, d, "/recu.pdf"));
			html_fmt(b, ">%s</a></p>", web_t(req, "donations.show.receipt_pdf"));
		} else {
			html_fmt(b, "<p class=\"muted\">%s</p>", web_t(req, "donations.show.no_receipt"));
		}
	}
	html_fmt(b, "<p class=\"muted\">%s</p>", web_t(req, "donations.show.keep_link"));
	view_layout_end(b, req);
}

void view_donations_demo_pay(struct buf *b, struct request *req, const struct donation *d)
{
	view_layout_start(b, req, web_t(req, "orders.demo.title"));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", web_t(req, "orders.demo.title"),
		 web_t(req, "orders.demo.lead"));
	html_fmt(b, "<dl><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd></dl>",
		 web_t(req, "donations.show.org"), d->org_name, web_t(req, "donations.show.amount"),
		 money(req, d->amount_cents, d->currency));
	form_button(b, req, view_donations_url(req, d, "/paiement-demo"), "orders.demo.pay", "button");
	html_fmt(b, "<p><a");
	html_href(b, view_donations_url(req, d, ""));
	html_fmt(b, ">%s</a></p>", web_t(req, "donations.demo.back"));
	view_layout_end(b, req);
}

/* ---- the association's settings --------------------------------------------------------------- */

static const char *const settings_labels[] = {
	"providers", "donations.settings.providers", "suggested", "donations.settings.suggested",
	"transfer_details", "donations.settings.transfer_details",
	"quality", "donations.fiscal.quality", "legal_name", "donations.fiscal.legal_name",
	"object", "donations.fiscal.object", "address", "donations.fiscal.address",
	"postcode", "donations.fiscal.postcode", "city", "donations.fiscal.city",
	"rna", "donations.fiscal.rna", "siren", "donations.fiscal.siren",
	"signatory", "donations.fiscal.signatory", NULL,
};

/* The association's donations, with a button on each transfer still awaited. */
static void donations_table(struct buf *b, struct request *req,
			    const struct donations_settings_view *v)
{
	struct arena *a = req->arena;
	html_fmt(b, "<h2 id=\"dons\">%s</h2>", web_t(req, "donations.list.title"));
	if (v->n_donations == 0) {
		html_fmt(b, "<p>%s</p>", web_t(req, "donations.list.none"));
		return;
	}
	html_fmt(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
		    "<table class=\"data\"><thead><tr><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
		 web_t(req, "donations.list.title"), web_t(req, "donations.show.reference"), web_t(req, "donations.show.donor"),
		 web_t(req, "donations.show.amount"), web_t(req, "donations.form.provider"),
		 web_t(req, "donations.list.status"), web_t(req, "donations.show.receipt_number"));
	for (int i = 0; i < v->n_donations; i++) {
		const struct donation *d = &v->donations[i];
		const struct payment_provider *p = payments_provider(d->provider);
		html_fmt(b, "<tr><td>%s<br><span class=\"muted\">%s</span></td><td>%s<br>%s</td><td>%s</td>"
			    "<td>%s</td><td>%s",
			 d->reference, time_format_long(a, d->created_at, web_of(req)->lang),
			 d->donor_name, d->donor_email, money(req, d->amount_cents, d->currency),
			 web_t(req, p ? p->label_key : d->provider),
			 web_t(req, arena_printf(a, "donations.list.status.%s", d->status)));
		if (strcmp(d->status, "pending") == 0 && strcmp(d->provider, "transfer") == 0)
			form_button(b, req, org_url(req, &v->page->org,
						    arena_printf(a, "/dons/%lld/virement-recu",
								 (long long)d->id)),
				    "donations.list.mark_paid", "button");
		html_fmt(b, "</td><td>%s</td></tr>", d->receipt_number);
	}
	HTML("</tbody></table></div>");
}

void view_donations_settings(struct buf *b, struct request *req,
			     const struct donations_settings_view *v)
{
	const struct donation_page *pg = v->page;
	const struct org_fiscal *fi = &pg->fiscal;
	struct arena *a = req->arena;
	const char *title = arena_printf(a, "%s — %s", web_t(req, "donations.settings.title"),
					 pg->org.name);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1>", title);
	html_fmt(b, "<p class=\"lead\">%s</p>",
		 web_t(req, !fi->is_declared ? "donations.fiscal.state_none"
			    : fi->is_checked ? "donations.fiscal.state_checked"
					     : "donations.fiscal.state_declared"));
	if (v->may_check)
		form_button(b, req, org_url(req, &pg->org, "/dons/verifier"),
			    "donations.fiscal.check", "button");

	struct form_ctx f = { b, req, v->fe };
	form_start(&f, org_url(req, &pg->org, "/dons/reglages"), false);
	form_errors_summary(&f, settings_labels);
	html_fmt(b, "<h2>%s</h2>", web_t(req, "donations.settings.heading"));
	const char *err = field_error_get(v->fe, "providers");
	html_fmt(b, "<fieldset class=\"field%s\" id=\"f-providers\"><legend>%s</legend>",
		 err ? " has-error" : "", web_t(req, "donations.settings.providers"));
	if (err)
		html_fmt(b, "<p class=\"field-error\" id=\"e-providers\">%s</p>", web_t(req, err));
	static const char *const names[] = { "transfer", "stripe", NULL };
	for (int i = 0; names[i]; i++) {
		/* One checkbox per provider, named provider_<name>: no repeated field to read. */
		const char *field = arena_printf(a, "provider_%s", names[i]);
		bool on;
		if (v->refill) {
			on = http_form(req, field) != NULL;
		} else {
			on = false;
			size_t len = strlen(names[i]);
			for (const char *p = pg->settings.providers; p && *p;) {
				if (strncmp(p, names[i], len) == 0 && (p[len] == ',' || p[len] == 0))
					on = true;
				p = strchr(p, ',');
				p = p ? p + 1 : NULL;
			}
		}
		const struct payment_provider *pp = payments_provider(names[i]);
		html_fmt(b, "<div class=\"field\"><input type=\"checkbox\" value=\"1\"");
		html_attr(b, "name", field);
		html_attr(b, "id", arena_printf(a, "f-%s", field));
		if (on)
			HTML(" checked");
		HTML("><label");
		html_attr(b, "for", arena_printf(a, "f-%s", field));
		html_fmt(b, ">%s</label></div>", web_t(req, pp->label_key));
	}
	HTML("</fieldset>");
	struct buf sug = BUF_INIT;
	for (int i = 0; i < pg->settings.n_suggested; i++)
		buf_printf(&sug, "%s%s", i ? " ; " : "", euros_text(req, pg->settings.suggested[i]));
	form_field(&f, &(struct field_spec){ .name = "suggested",
			     .label_key = "donations.settings.suggested", .type = "text",
			     .hint_key = "donations.settings.suggested_hint",
			     .value = posted(req, v->refill, "suggested", buf_str(&sug)),
			     .maxlength = 100 });
	buf_free(&sug);
	form_field(&f, &(struct field_spec){ .name = "transfer_details",
			     .label_key = "donations.settings.transfer_details", .type = "textarea",
			     .value = posted(req, v->refill, "transfer_details",
					     pg->settings.transfer_details),
			     .maxlength = DONATIONS_TRANSFER_MAX });

	html_fmt(b, "<h2>%s</h2><p class=\"hint\">%s</p>", web_t(req, "donations.fiscal.heading"),
		 web_t(req, "donations.fiscal.lead"));
	static const char *const qualities[] = {
		"", "", "interet_general", "donations.quality.interet_general",
		"utilite_publique", "donations.quality.utilite_publique",
		"cultuelle", "donations.quality.cultuelle", NULL,
	};
	form_select(&f, &(struct field_spec){ .name = "quality", .label_key = "donations.fiscal.quality", .type = "select",
			      .value = posted(req, v->refill, "quality", fi->quality) }, qualities);
	form_field(&f, &(struct field_spec){ .name = "legal_name",
			     .label_key = "donations.fiscal.legal_name", .type = "text",
			     .value = posted(req, v->refill, "legal_name", fi->legal_name),
			     .maxlength = DONATIONS_LINE_MAX });
	form_field(&f, &(struct field_spec){ .name = "object", .label_key = "donations.fiscal.object",
			     .type = "textarea", .value = posted(req, v->refill, "object", fi->object),
			     .maxlength = DONATIONS_OBJECT_MAX });
	form_field(&f, &(struct field_spec){ .name = "address", .label_key = "donations.fiscal.address",
			     .type = "text", .value = posted(req, v->refill, "address", fi->address),
			     .maxlength = DONATIONS_LINE_MAX });
	form_field(&f, &(struct field_spec){ .name = "postcode",
			     .label_key = "donations.fiscal.postcode", .type = "text",
			     .value = posted(req, v->refill, "postcode", fi->postcode),
			     .maxlength = DONATIONS_POSTCODE_MAX });
	form_field(&f, &(struct field_spec){ .name = "city", .label_key = "donations.fiscal.city",
			     .type = "text", .value = posted(req, v->refill, "city", fi->city),
			     .maxlength = DONATIONS_CITY_MAX });
	form_field(&f, &(struct field_spec){ .name = "rna", .label_key = "donations.fiscal.rna",
			     .type = "text", .hint_key = "donations.fiscal.rna_hint",
			     .value = posted(req, v->refill, "rna", fi->rna), .maxlength = 10 });
	form_field(&f, &(struct field_spec){ .name = "siren", .label_key = "donations.fiscal.siren",
			     .type = "text", .value = posted(req, v->refill, "siren", fi->siren),
			     .maxlength = 9 });
	form_field(&f, &(struct field_spec){ .name = "signatory",
			     .label_key = "donations.fiscal.signatory", .type = "text",
			     .hint_key = "donations.fiscal.signatory_hint",
			     .value = posted(req, v->refill, "signatory", fi->signatory),
			     .maxlength = DONATIONS_NAME_MAX });
	form_end(&f, "donations.settings.save");
	html_fmt(b, "<p><a");
	html_href(b, org_url(req, &pg->org, "/don"));
	html_fmt(b, ">%s</a></p>", web_t(req, "donations.settings.see_form"));
	donations_table(b, req, v);
	view_layout_end(b, req);
}

/* ---- recurring donations: the stop link's page ---------------------------------------------- */

void view_recurring_stop(struct buf *b, struct request *req, const struct recurring_donation *r)
{
	const char *title = web_t(req, "recurring.stop.title");
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1>", title);
	html_fmt(b, "<dl><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd></dl>",
		 web_t(req, "donations.show.org"), r->org_name, web_t(req, "recurring.col.monthly"),
		 money(req, r->amount_cents, r->currency));
	bool running = strcmp(r->status, "active") == 0 || strcmp(r->status, "pending") == 0;
	if (running) {
		html_fmt(b, "<p>%s</p>", web_t(req, "recurring.stop.lead"));
		form_button(b, req, arena_printf(req->arena, "/dons/mensuel/%s",
						 url_arg(req->arena, r->stop_token)),
			    "recurring.stop.button", "button");
	} else {
		html_fmt(b, "<p class=\"lead\">%s</p>",
			 web_t(req, arena_printf(req->arena, "recurring.status.%s", r->status)));
	}
	view_layout_end(b, req);
}
