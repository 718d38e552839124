/* memberships.c (views): the associations taking members, the join form, the membership page, the demo card
 * page, the treasurer's plans and members, the members' CSV, writing to the members */
#include "web/views/memberships.h"
#include "web/views/attendees.h"
#include "core/payments.h"
#include "core/tickets.h"
#include "base/i18n.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

const char *view_memberships_url(struct request *req, const struct membership *m, const char *tail)
{
	return arena_printf(req->arena, "/adhesion/%s%s", url_arg(req->arena, m->secret), tail);
}

static const char *org_url(struct request *req, const char *slug, const char *tail)
{
	return arena_printf(req->arena, "/organisations/%s%s", url_arg(req->arena, slug), tail);
}

static const char *money(struct request *req, int64_t cents, const char *currency)
{
	return tickets_money_format(req->arena, cents, currency && *currency ? currency : "EUR",
				    web_of(req)->lang);
}

static const char *posted(struct request *req, bool refill, const char *name, const char *dflt)
{
	const char *s = refill ? http_form(req, name) : NULL;
	return s ? s : dflt ? dflt : "";
}

/* 1500 -> "15", 1250 -> "12,50": what a treasurer types. */
static const char *euros_text(struct request *req, int64_t cents)
{
	if (cents % 100 == 0)
		return arena_printf(req->arena, "%lld", (long long)(cents / 100));
	return arena_printf(req->arena, "%lld,%02lld", (long long)(cents / 100),
			    (long long)(cents % 100));
}

/* "15,00 € · année civile", "libre, à partir de 30,00 €", "gratuit". */
static const char *price_text(struct request *req, const struct membership_plan *p)
{
	const char *period = web_t(req, arena_printf(req->arena, "memberships.period.%s", p->period));
	const char *price;
	if (str_eq(p->pricing, "free"))
		price = web_t(req, "memberships.pricing.free_text");
	else if (str_eq(p->pricing, "pwyw"))
		price = arena_printf(req->arena, "%s %s", web_t(req, "memberships.pricing.pwyw_from"),
				     money(req, p->price_cents, p->currency));
	else
		price = money(req, p->price_cents, p->currency);
	return arena_printf(req->arena, "%s · %s", price, period);
}

static void provider_radios(struct buf *b, struct request *req, const char *const *providers,
			    const char *chosen, const struct field_errors *fe, const char *prefix)
{
	const char *err = field_error_get(fe, "provider");
	html_fmt(b, "<fieldset class=\"field%s\" id=\"f-%sprovider\"><legend>%s</legend>",
		 err ? " has-error" : "", prefix, web_t(req, "memberships.form.provider"));
	if (err)
		html_fmt(b, "<p class=\"field-error\" id=\"e-%sprovider\">%s</p>", prefix, web_t(req, err));
	for (int i = 0; providers[i]; i++) {
		const struct payment_provider *p = payments_provider(providers[i]);
		const char *label = p ? web_t(req, p->label_key)
				      : web_t(req, arena_printf(req->arena, "memberships.provider.%s",
								providers[i]));
		html_fmt(b, "<div class=\"field\"><input type=\"radio\" name=\"provider\" id=\"f-%sprovider-%d\"",
			 prefix, i);
		html_attr(b, "value", providers[i]);
		if (str_eq(chosen, providers[i]))
			HTML(" checked");
		html_fmt(b, "><label for=\"f-%sprovider-%d\">%s</label></div>", prefix, i, label);
	}
	HTML("</fieldset>");
}

/* ---- the associations taking members --------------------------------------------------------- */

void view_memberships_index(struct buf *b, struct request *req, const struct membership_org *orgs,
			    int n)
{
	const char *title = web_t(req, "nav.memberships");
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", title,
		 web_t(req, "section.memberships.lead"));
	if (n == 0) {
		html_fmt(b, "<p>%s</p>", web_t(req, "memberships.index.none"));
		view_layout_end(b, req);
		return;
	}
	HTML("<ul class=\"membership-orgs\">");
	for (int i = 0; i < n; i++) {
		const struct membership_org *o = &orgs[i];
		HTML("<li><h2><a");
		html_href(b, org_url(req, o->slug, "/adhesion"));
		html_fmt(b, ">%s</a></h2>", o->name);
		if (*o->summary)
			html_fmt(b, "<p>%s</p>", o->summary);
		html_fmt(b, "<p class=\"muted\">%s%s%s</p></li>", o->commune_name,
			 *o->commune_name ? " · " : "",
			 o->min_cents == 0 ? web_t(req, "memberships.index.free")
					   : arena_printf(req->arena, "%s %s",
							  web_t(req, "memberships.index.from"),
							  money(req, o->min_cents, "EUR")));
	}
	HTML("</ul>");
	view_layout_end(b, req);
}

/* ---- the join form ---------------------------------------------------------------------------- */

static const char *const join_labels[] = {
	"plan_id", "memberships.form.plan", "amount", "memberships.form.amount",
	"member_name", "memberships.form.name", "member_email", "memberships.form.email",
	"provider", "memberships.form.provider", "idempotency_key", "memberships.form.title", NULL,
};

void view_memberships_join(struct buf *b, struct request *req, const struct memberships_join_view *v)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	const char *title = arena_printf(a, "%s — %s", web_t(req, "memberships.form.title"),
					 v->org->name);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1>", title);
	if (v->error_key)
		html_fmt(b, "<div class=\"form-errors\" role=\"alert\"><p>%s</p></div>",
			 web_t(req, v->error_key));
	if (v->n_plans == 0) {
		html_fmt(b, "<p>%s</p>", web_t(req, "memberships.form.closed"));
		view_layout_end(b, req);
		return;
	}
	struct form_ctx f = { b, req, v->fe, NULL };
	form_start(&f, org_url(req, v->org->slug, "/adhesion"), false);
	form_errors_summary(&f, join_labels);
	form_hidden(&f, "idem", v->idem);
	const char *chosen = posted(req, v->refill, "plan_id",
				    arena_printf(a, "%lld", (long long)v->plans[0].id));
	html_fmt(b, "<fieldset class=\"field membership-plans\" id=\"f-plan_id\"><legend>%s</legend>",
		 web_t(req, "memberships.form.plan"));
	for (int i = 0; i < v->n_plans; i++) {
		const struct membership_plan *p = &v->plans[i];
		const char *val = arena_printf(a, "%lld", (long long)p->id);
		bool full = p->cap && p->taken >= p->cap;
		html_fmt(b, "<div class=\"field membership-plan\"><input type=\"radio\" name=\"plan_id\""
			    " id=\"f-plan-%d\"", i);
		html_attr(b, "value", val);
		if (str_eq(chosen, val))
			HTML(" checked");
		if (full)
			HTML(" disabled");
		html_fmt(b, "><label for=\"f-plan-%d\"><strong>%s</strong> — %s%s</label>", i, p->name,
			 price_text(req, p), full ? web_t(req, "memberships.form.full") : "");
		if (*p->description)
			html_fmt(b, "<p class=\"hint\">%s</p>", p->description);
		HTML("</div>");
	}
	HTML("</fieldset>");
	form_field(&f, &(struct field_spec){ .name = "amount", .label_key = "memberships.form.amount",
			     .type = "text", .value = posted(req, v->refill, "amount", ""),
			     .hint_key = "memberships.form.amount_hint", .maxlength = 12 });
	bool logged = w->actor.account_id != 0;
	form_field(&f, &(struct field_spec){ .name = "member_name", .label_key = "memberships.form.name",
			     .type = "text", .required = true, .autocomplete = "name",
			     .value = posted(req, v->refill, "member_name",
					     logged ? w->actor.display_name : ""),
			     .maxlength = MEMBERSHIPS_NAME_MAX });
	form_field(&f, &(struct field_spec){ .name = "member_email",
			     .label_key = "memberships.form.email", .type = "email", .required = true,
			     .autocomplete = "email",
			     .value = posted(req, v->refill, "member_email", logged ? w->actor.email : ""),
			     .maxlength = 254 });
	if (v->providers[0])
		provider_radios(b, req, v->providers,
				posted(req, v->refill, "provider", v->providers[0]), v->fe, "");
	form_end(&f, "memberships.form.submit");
	html_fmt(b, "<p><a");
	html_href(b, org_url(req, v->org->slug, ""));
	html_fmt(b, ">%s</a></p>", web_t(req, "memberships.back_to_org"));
	view_layout_end(b, req);
}

/* ---- the membership page -------------------------------------------------------------------- */

void view_memberships_show(struct buf *b, struct request *req, const struct memberships_show_view *v)
{
	const struct membership *m = v->m;
	struct arena *a = req->arena;
	const char *state = memberships_state(m, time_now());
	view_layout_start(b, req, web_t(req, "memberships.show.title"));
	html_fmt(b, "<h1>%s</h1>", web_t(req, "memberships.show.title"));
	html_fmt(b, "<p class=\"lead membership-state membership-%s\">%s</p>", state,
		 web_t(req, arena_printf(a, "memberships.state.%s", state)));
	html_fmt(b, "<dl><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd>",
		 web_t(req, "memberships.show.org"), m->org_name, web_t(req, "memberships.form.plan"),
		 m->plan_name, web_t(req, "memberships.show.member"), m->member_name);
	html_fmt(b, "<dt>%s</dt><dd>%s – %s</dd><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd></dl>",
		 web_t(req, "memberships.show.period"), time_format_date(a, m->valid_from),
		 time_format_date(a, m->valid_until - 1), web_t(req, "memberships.show.amount"),
		 money(req, m->amount_cents, m->currency), web_t(req, "memberships.show.reference"),
		 m->reference);
	if (str_eq(m->status, "active") && *m->card_code)
		html_fmt(b, "<p>%s : <strong class=\"card-code\">%s</strong></p>",
			 web_t(req, "memberships.show.card_code"), m->card_code);
	if (str_eq(m->status, "pending") && *m->redirect_url) {
		html_fmt(b, "<p><a class=\"button\"");
		html_href(b, m->redirect_url);
		html_fmt(b, ">%s</a></p>", web_t(req, "memberships.show.pay"));
	}
	if (str_eq(m->status, "active")) {
		html_fmt(b, "<p><a class=\"button\"");
		html_href(b, view_memberships_url(req, m, "/carte.pdf"));
		html_fmt(b, ">%s</a></p>", web_t(req, "memberships.show.card"));
	}
	if (v->may_renew) {
		html_fmt(b, "<h2 id=\"renouveler\">%s</h2><p>%s</p>", web_t(req, "memberships.renew.title"),
			 web_t(req, "memberships.renew.lead"));
		struct form_ctx f = { b, req, NULL, "renew-" };
		form_start(&f, view_memberships_url(req, m, "/renouveler"), false);
		form_hidden(&f, "idem", v->idem);
		if (m->amount_cents > 0 && v->providers[0])
			provider_radios(b, req, v->providers, v->providers[0], NULL, "renew-");
		form_end(&f, "memberships.renew.submit");
	}
	html_fmt(b, "<p class=\"muted\">%s</p>", web_t(req, "memberships.show.keep_link"));
	view_layout_end(b, req);
}

void view_memberships_demo_pay(struct buf *b, struct request *req, const struct membership *m)
{
	view_layout_start(b, req, web_t(req, "orders.demo.title"));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", web_t(req, "orders.demo.title"),
		 web_t(req, "orders.demo.lead"));
	html_fmt(b, "<dl><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd></dl>",
		 web_t(req, "memberships.show.org"), m->org_name, web_t(req, "memberships.show.amount"),
		 money(req, m->amount_cents, m->currency));
	form_button(b, req, view_memberships_url(req, m, "/paiement-demo"), "orders.demo.pay", "button");
	html_fmt(b, "<p><a");
	html_href(b, view_memberships_url(req, m, ""));
	html_fmt(b, ">%s</a></p>", web_t(req, "memberships.demo.back"));
	view_layout_end(b, req);
}

/* ---- the treasurer's page ------------------------------------------------------------------- */

static const char *const plan_labels[] = {
	"name", "memberships.plan.name", "description", "memberships.plan.description",
	"pricing", "memberships.plan.pricing", "price", "memberships.plan.price",
	"period", "memberships.plan.period", "cap", "memberships.plan.cap", NULL,
};

static const char *const record_labels[] = {
	"plan_id", "memberships.form.plan", "amount", "memberships.form.amount",
	"member_name", "memberships.form.name", "member_email", "memberships.form.email",
	"provider", "memberships.form.provider", "idempotency_key", "memberships.record.title", NULL,
};

static void plan_form(struct buf *b, struct request *req, const struct memberships_manage_view *v,
		      const struct membership_plan *p)
{
	struct arena *a = req->arena;
	const char *key = p ? arena_printf(a, "plan-%lld", (long long)p->id) : "plan-new";
	bool mine = v->fe_form && str_eq(v->fe_form, key);
	bool refill = mine && v->refill;
	struct form_ctx f = { b, req, mine ? v->fe : NULL, arena_printf(a, "%s-", key) };
	form_start(&f, org_url(req, v->org->slug,
			       p ? arena_printf(a, "/adhesions/formules/%lld", (long long)p->id)
				 : "/adhesions/formules"), false);
	form_errors_summary(&f, plan_labels);
	form_field(&f, &(struct field_spec){ .name = "name", .label_key = "memberships.plan.name",
			     .type = "text", .required = true,
			     .value = posted(req, refill, "name", p ? p->name : ""),
			     .maxlength = MEMBERSHIPS_NAME_MAX });
	form_field(&f, &(struct field_spec){ .name = "description",
			     .label_key = "memberships.plan.description", .type = "textarea",
			     .value = posted(req, refill, "description", p ? p->description : ""),
			     .maxlength = MEMBERSHIPS_DESC_MAX });
	static const char *const pricings[] = { "fixed", "memberships.pricing.fixed", "free",
		"memberships.pricing.free", "pwyw", "memberships.pricing.pwyw", NULL };
	form_select(&f, &(struct field_spec){ .name = "pricing", .type = "select", .label_key = "memberships.plan.pricing",
			      .value = posted(req, refill, "pricing", p ? p->pricing : "fixed") },
		    pricings);
	form_field(&f, &(struct field_spec){ .name = "price", .label_key = "memberships.plan.price",
			     .type = "text", .hint_key = "memberships.plan.price_hint",
			     .value = posted(req, refill, "price",
					     p ? euros_text(req, p->price_cents) : ""),
			     .maxlength = 12 });
	static const char *const periods[] = { "civil", "memberships.period.civil", "season",
		"memberships.period.season", "rolling", "memberships.period.rolling", NULL };
	form_select(&f, &(struct field_spec){ .name = "period", .type = "select", .label_key = "memberships.plan.period",
			      .hint_key = "memberships.plan.period_hint",
			      .value = posted(req, refill, "period", p ? p->period : "civil") },
		    periods);
	form_field(&f, &(struct field_spec){ .name = "cap", .label_key = "memberships.plan.cap",
			     .type = "text", .hint_key = "memberships.plan.cap_hint",
			     .value = posted(req, refill, "cap",
					     p && p->cap ? arena_printf(a, "%lld", (long long)p->cap) : ""),
			     .maxlength = 8 });
	bool open = refill ? http_form(req, "is_open") != NULL : (p ? p->is_open : true);
	html_fmt(b, "<div class=\"field\"><input type=\"checkbox\" name=\"is_open\" value=\"1\" id=\"f-%s-is_open\"%s>"
		    "<label for=\"f-%s-is_open\">%s</label></div>",
		 key, open ? " checked" : "", key, web_t(req, "memberships.plan.is_open"));
	form_end(&f, p ? "memberships.plan.save" : "memberships.plan.create");
}

static void record_form(struct buf *b, struct request *req, const struct memberships_manage_view *v)
{
	bool mine = v->fe_form && str_eq(v->fe_form, "record");
	bool refill = mine && v->refill;
	struct form_ctx f = { b, req, mine ? v->fe : NULL, "record-" };
	html_fmt(b, "<h2 id=\"enregistrer\">%s</h2><p>%s</p>", web_t(req, "memberships.record.title"),
		 web_t(req, "memberships.record.lead"));
	form_start(&f, org_url(req, v->org->slug, "/adhesions/enregistrer"), false);
	form_errors_summary(&f, record_labels);
	form_hidden(&f, "idem", v->idem);
	const char **opts = arena_alloc(req->arena, sizeof(*opts) * (size_t)(2 * v->n_plans + 1));
	for (int i = 0; i < v->n_plans; i++) {
		opts[2 * i] = arena_printf(req->arena, "%lld", (long long)v->plans[i].id);
		opts[2 * i + 1] = arena_printf(req->arena, "%s — %s", v->plans[i].name,
					       price_text(req, &v->plans[i]));
	}
	opts[2 * v->n_plans] = NULL;
	form_select(&f, &(struct field_spec){ .name = "plan_id", .type = "select", .label_key = "memberships.form.plan",
			      .labels_are_text = true, .value = posted(req, refill, "plan_id", "") },
		    opts);
	form_field(&f, &(struct field_spec){ .name = "amount", .label_key = "memberships.form.amount",
			     .type = "text", .value = posted(req, refill, "amount", ""),
			     .hint_key = "memberships.form.amount_hint", .maxlength = 12 });
	form_field(&f, &(struct field_spec){ .name = "member_name", .label_key = "memberships.form.name",
			     .type = "text", .required = true,
			     .value = posted(req, refill, "member_name", ""),
			     .maxlength = MEMBERSHIPS_NAME_MAX });
	form_field(&f, &(struct field_spec){ .name = "member_email",
			     .label_key = "memberships.form.email", .type = "email",
			     .hint_key = "memberships.record.email_hint",
			     .value = posted(req, refill, "member_email", ""), .maxlength = 254 });
	static const char *const desk[] = { "cash", "cheque", NULL };
	provider_radios(b, req, desk, posted(req, refill, "provider", "cash"), mine ? v->fe : NULL,
			"record-");
	form_end(&f, "memberships.record.submit");
}

static void members_table(struct buf *b, struct request *req, const struct memberships_manage_view *v)
{
	struct arena *a = req->arena;
	html_fmt(b, "<h2 id=\"membres\">%s</h2>", web_t(req, "memberships.members.title"));
	html_fmt(b, "<p><a");
	html_href(b, org_url(req, v->org->slug, "/adhesions.csv"));
	html_fmt(b, " download>%s</a></p>", web_t(req, "memberships.members.csv"));
	if (v->n_members == 0) {
		html_fmt(b, "<p>%s</p>", web_t(req, "memberships.members.none"));
		return;
	}
	html_fmt(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
		    "<table class=\"data\"><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th></tr></thead><tbody>",
		 web_t(req, "memberships.members.title"), web_t(req, "memberships.show.member"),
		 web_t(req, "memberships.form.plan"), web_t(req, "memberships.show.period"),
		 web_t(req, "memberships.show.amount"), web_t(req, "memberships.form.provider"),
		 web_t(req, "memberships.members.state"));
	for (int i = 0; i < v->n_members; i++) {
		const struct membership *m = &v->members[i];
		const char *state = memberships_state(m, v->now);
		html_fmt(b, "<tr><td>%s<br><span class=\"muted\">%s</span></td><td>%s</td><td>%s – %s</td>"
			    "<td>%s</td><td>%s</td><td><span class=\"membership-%s\">%s</span></td></tr>",
			 m->member_name, m->member_email, m->plan_name,
			 time_format_date(a, m->valid_from), time_format_date(a, m->valid_until - 1),
			 money(req, m->amount_cents, m->currency),
			 web_t(req, arena_printf(a, "memberships.provider.%s", m->provider)), state,
			 web_t(req, arena_printf(a, "memberships.state.%s", state)));
	}
	HTML("</tbody></table></div>");
}

/* ---- writing to the members --------------------------------------------------------------- */

static const char *const mailing_labels[] = {
	"audience", "memberships.mailing.audience", "subject", "memberships.mailing.subject",
	"body", "memberships.mailing.body", "idempotency_key", "memberships.mailing.title", NULL,
};

static const char *const mailing_audiences[] = { "current", "lapsed", "both", NULL };

static const char *audience_label(struct request *req, const char *audience)
{
	return web_t(req, arena_printf(req->arena, "memberships.mailing.audience.%s", audience));
}

static const char *count_text(struct request *req, const char *one, const char *many, int64_t n)
{
	if (n == 1)
		return web_t(req, one);
	const char *num = arena_printf(req->arena, "%lld", (long long)n);
	const char *vars[] = { "n", num, NULL };
	return i18n_fill(req->arena, web_t(req, many), vars);
}

static void mailing_form(struct buf *b, struct request *req, const struct memberships_manage_view *v)
{
	bool mine = v->fe_form && str_eq(v->fe_form, "mailing");
	bool refill = mine && v->refill;
	const struct field_errors *fe = mine ? v->fe : NULL;
	struct form_ctx f = { b, req, fe, "mailing-" };
	html_fmt(b, "<h2 id=\"ecrire\">%s</h2><p>%s</p>", web_t(req, "memberships.mailing.title"),
		 web_t(req, "memberships.mailing.lead"));
	if (mine && v->mailing_error_key)
		html_fmt(b, "<div class=\"form-errors\" role=\"alert\"><p>%s</p></div>",
			 web_t(req, v->mailing_error_key));
	/* The fragment brings a page shown again with its errors back here. */
	form_start(&f, org_url(req, v->org->slug, "/adhesions/ecrire#ecrire"), false);
	form_errors_summary(&f, mailing_labels);
	const char *chosen = posted(req, refill, "audience", "current");
	const char *err = field_error_get(fe, "audience");
	html_fmt(b, "<fieldset class=\"field%s\" id=\"f-mailing-audience\"", err ? " has-error" : "");
	if (err)
		HTML(" aria-describedby=\"e-mailing-audience\"");
	html_fmt(b, "><legend>%s</legend>", web_t(req, "memberships.mailing.audience"));
	if (err)
		html_fmt(b, "<p class=\"field-error\" id=\"e-mailing-audience\">%s</p>", web_t(req, err));
	for (int i = 0; mailing_audiences[i]; i++) {
		html_fmt(b, "<div class=\"field\"><input type=\"radio\" name=\"audience\""
			    " id=\"f-mailing-audience-%s\"", mailing_audiences[i]);
		html_attr(b, "value", mailing_audiences[i]);
		if (str_eq(chosen, mailing_audiences[i]))
			HTML(" checked");
		html_fmt(b, "><label for=\"f-mailing-audience-%s\">%s</label></div>", mailing_audiences[i],
			 audience_label(req, mailing_audiences[i]));
	}
	HTML("</fieldset>");
	form_field(&f, &(struct field_spec){ .name = "subject", .label_key = "memberships.mailing.subject",
			     .type = "text", .required = true,
			     .value = posted(req, refill, "subject", ""),
			     .maxlength = MEMBERSHIPS_MAIL_SUBJECT_MAX });
	form_field(&f, &(struct field_spec){ .name = "body", .label_key = "memberships.mailing.body",
			     .type = "textarea", .required = true,
			     .hint_key = "memberships.mailing.body_hint",
			     .value = posted(req, refill, "body", ""),
			     .maxlength = MEMBERSHIPS_MAIL_BODY_MAX });
	form_end(&f, "memberships.mailing.preview");
}

static void mailing_history(struct buf *b, struct request *req, const struct memberships_manage_view *v)
{
	struct arena *a = req->arena;
	html_fmt(b, "<h3 id=\"envois\">%s</h3>", web_t(req, "memberships.mailing.history"));
	if (v->n_mailings == 0) {
		html_fmt(b, "<p>%s</p>", web_t(req, "memberships.mailing.none"));
		return;
	}
	html_fmt(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
		    "<table class=\"data member-mailings\"><thead><tr><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th></tr></thead><tbody>",
		 web_t(req, "memberships.mailing.history"), web_t(req, "memberships.mailing.date"),
		 web_t(req, "memberships.mailing.subject"), web_t(req, "memberships.mailing.audience"),
		 web_t(req, "memberships.mailing.recipients"), web_t(req, "memberships.mailing.sender"));
	for (int i = 0; i < v->n_mailings; i++) {
		const struct membership_mailing *m = &v->mailings[i];
		html_fmt(b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%lld</td><td>%s</td></tr>",
			 time_format_long(a, m->created_at, web_of(req)->lang), m->subject,
			 audience_label(req, m->audience), (long long)m->recipients,
			 *m->sender_name ? m->sender_name : web_t(req, "memberships.mailing.sender_gone"));
	}
	HTML("</tbody></table></div>");
}

void view_memberships_mailing_confirm(struct buf *b, struct request *req,
				      const struct memberships_mailing_confirm_view *v)
{
	struct arena *a = req->arena;
	const char *title = arena_printf(a, "%s — %s", web_t(req, "memberships.mailing.confirm_title"),
					 v->org->name);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1>", title);
	html_fmt(b, "<p class=\"lead\" role=\"status\">%s</p>",
		 count_text(req, "memberships.mailing.count_one", "memberships.mailing.count_many", v->n));
	html_fmt(b, "<dl class=\"member-mailing\"><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd>"
		    "<dt>%s</dt><dd><div class=\"member-mailing-body\">%s</div></dd></dl>",
		 web_t(req, "memberships.mailing.audience"), audience_label(req, v->audience),
		 web_t(req, "memberships.mailing.subject"), v->subject,
		 web_t(req, "memberships.mailing.body"), v->body);
	struct form_ctx f = { b, req, NULL, "confirm-" };
	form_start(&f, org_url(req, v->org->slug, "/adhesions/ecrire/envoyer"), false);
	form_hidden(&f, "audience", v->audience);
	form_hidden(&f, "subject", v->subject);
	form_hidden(&f, "body", v->body);
	form_hidden(&f, "idem", v->idem);
	html_fmt(b, "<div class=\"actions\"><button type=\"submit\">%s</button>"
		    " <button type=\"submit\" class=\"secondary\" name=\"edit\" value=\"1\">%s</button>"
		    "</div></form>",
		 count_text(req, "memberships.mailing.send_one", "memberships.mailing.send_many", v->n),
		 web_t(req, "memberships.mailing.edit"));
	view_layout_end(b, req);
}

void view_memberships_manage(struct buf *b, struct request *req,
			     const struct memberships_manage_view *v)
{
	struct arena *a = req->arena;
	const char *title = arena_printf(a, "%s — %s", web_t(req, "memberships.manage.title"),
					 v->org->name);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1>", title);
	html_fmt(b, "<p><a");
	html_href(b, org_url(req, v->org->slug, "/adhesion"));
	html_fmt(b, ">%s</a> · <a", web_t(req, "memberships.manage.see_form"));
	html_href(b, org_url(req, v->org->slug, "/adhesions/verifier"));
	html_fmt(b, ">%s</a></p>", web_t(req, "memberships.check.title"));
	html_fmt(b, "<h2>%s</h2>", web_t(req, "memberships.plans.title"));
	for (int i = 0; i < v->n_plans; i++) {
		const struct membership_plan *p = &v->plans[i];
		html_fmt(b, "<details class=\"membership-plan-edit\"><summary>%s — %s (%lld", p->name,
			 price_text(req, p), (long long)p->taken);
		if (p->cap)
			html_fmt(b, " / %lld", (long long)p->cap);
		html_fmt(b, " %s)</summary>", web_t(req, "memberships.plans.taken"));
		plan_form(b, req, v, p);
		HTML("</details>");
	}
	html_fmt(b, "<h3>%s</h3>", web_t(req, "memberships.plans.new"));
	plan_form(b, req, v, NULL);
	if (v->n_plans)
		record_form(b, req, v);
	members_table(b, req, v);
	mailing_form(b, req, v);
	mailing_history(b, req, v);
	view_layout_end(b, req);
}

void view_memberships_check(struct buf *b, struct request *req, const struct org *org,
			    const char *code, const struct membership *m, int64_t now)
{
	struct arena *a = req->arena;
	const char *title = arena_printf(a, "%s — %s", web_t(req, "memberships.check.title"), org->name);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1>", title);
	HTML("<form class=\"stack\" method=\"get\"");
	html_attr(b, "action", org_url(req, org->slug, "/adhesions/verifier"));
	html_fmt(b, "><div class=\"field\"><label for=\"f-code\">%s</label>"
		    "<input type=\"text\" name=\"code\" id=\"f-code\" maxlength=\"40\" autocomplete=\"off\"",
		 web_t(req, "memberships.check.code"));
	html_attr(b, "value", code);
	html_fmt(b, "></div><div class=\"actions\"><button type=\"submit\">%s</button></div></form>",
		 web_t(req, "memberships.check.submit"));
	if (*code && !m)
		html_fmt(b, "<p class=\"lead\" role=\"status\">%s</p>", web_t(req, "memberships.check.unknown"));
	if (m) {
		const char *state = memberships_state(m, now);
		html_fmt(b, "<p class=\"lead membership-state membership-%s\" role=\"status\">%s</p>", state,
			 web_t(req, arena_printf(a, "memberships.state.%s", state)));
		html_fmt(b, "<dl><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s – %s</dd></dl>",
			 web_t(req, "memberships.show.member"), m->member_name,
			 web_t(req, "memberships.form.plan"), m->plan_name,
			 web_t(req, "memberships.show.period"), time_format_date(a, m->valid_from),
			 time_format_date(a, m->valid_until - 1));
	}
	view_layout_end(b, req);
}

void view_memberships_csv(struct buf *b, struct request *req, const struct membership *list, int n,
			  int64_t now)
{
	struct arena *a = req->arena;
	buf_puts(b, "\xEF\xBB\xBF");
	static const char *const cols[] = { "memberships.show.member", "memberships.form.email",
		"memberships.form.plan", "memberships.csv.from", "memberships.csv.until",
		"memberships.show.amount", "memberships.form.provider", "memberships.members.state",
		"memberships.show.reference" };
	const int nc = (int)(sizeof(cols) / sizeof(cols[0]));
	for (int i = 0; i < nc; i++)
		view_csv_field(b, web_t(req, cols[i]), i == nc - 1);
	for (int i = 0; i < n; i++) {
		const struct membership *m = &list[i];
		view_csv_field(b, m->member_name, false);
		view_csv_field(b, m->member_email, false);
		view_csv_field(b, m->plan_name, false);
		view_csv_field(b, time_format_date(a, m->valid_from), false);
		view_csv_field(b, time_format_date(a, m->valid_until - 1), false);
		view_csv_field(b, arena_printf(a, "%lld,%02lld", (long long)(m->amount_cents / 100),
					       (long long)(m->amount_cents % 100)), false);
		view_csv_field(b, web_t(req, arena_printf(a, "memberships.provider.%s", m->provider)),
			       false);
		view_csv_field(b, web_t(req, arena_printf(a, "memberships.state.%s",
							   memberships_state(m, now))), false);
		view_csv_field(b, m->reference, true);
	}
}
