/* campaigns.c (views): the campaigns list, a campaign's page and contribute form, a contribution's page, the organiser's forms */
#include "web/views/campaigns.h"
#include "core/events.h"
#include "core/payments.h"
#include "core/tickets.h"
#include "base/timefmt.h"
#include <string.h>

const char *view_campaigns_url(struct request *req, const char *slug, const char *tail)
{
	return arena_printf(req->arena, "/soutenir/%s%s", url_arg(req->arena, slug), tail);
}

const char *view_contribution_url(struct request *req, const struct contribution *k,
				  const char *tail)
{
	return arena_printf(req->arena, "/contributions/%s%s", url_arg(req->arena, k->secret), tail);
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

/* 1000 -> "10", 1250 -> "12,50": what an organiser types. */
static const char *euros_text(struct request *req, int64_t cents)
{
	if (cents <= 0)
		return "";
	if (cents % 100 == 0)
		return arena_printf(req->arena, "%lld", (long long)(cents / 100));
	return arena_printf(req->arena, "%lld,%02lld", (long long)(cents / 100),
			    (long long)(cents % 100));
}

/* The cover picture's URL, or NULL when there is none. */
static const char *image_url(struct request *req, const struct campaign *c)
{
	if (!*c->image_sha256)
		return NULL;
	return arena_printf(req->arena, "/soutenir/%s/image?v=%.16s", url_arg(req->arena, c->slug),
			    c->image_sha256);
}

/* The progress: a <progress> element (capped at 100) and the same in words. */
static void progress(struct buf *b, struct request *req, const struct campaign *c)
{
	int shown = c->percent > 100 ? 100 : c->percent;
	html_fmt(b, "<div class=\"campaign-progress\"><progress max=\"100\" value=\"%d\" aria-label=\"%s\">"
		    "%d %%</progress>", shown, web_t(req, "campaigns.progress"), c->percent);
	html_fmt(b, "<p class=\"campaign-figures\"><strong>%s</strong> %s %s (%d %%) · ",
		 money(req, c->raised_cents, c->currency), web_t(req, "campaigns.raised_of"),
		 money(req, c->goal_cents, c->currency), c->percent);
	html_fmt(b, "<span class=\"campaign-backers\">%lld %s</span> · ", (long long)c->backers,
		 web_t(req, c->backers == 1 ? "campaigns.backer" : "campaigns.backers"));
	if (c->is_open)
		html_fmt(b, "<span class=\"campaign-days\">%d %s</span>", c->days_left,
			 web_t(req, c->days_left == 1 ? "campaigns.day_left" : "campaigns.days_left"));
	else
		html_fmt(b, "<span class=\"campaign-days\">%s</span>",
			 web_t(req, arena_printf(req->arena, "campaigns.status.%s", c->status)));
	HTML("</p></div>");
}

/* ---- the list ------------------------------------------------------------------------------- */

void view_campaigns_list(struct buf *b, struct request *req, const struct campaigns_list_view *v)
{
	struct arena *a = req->arena;
	view_layout_start(b, req, web_t(req, "nav.support"));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", web_t(req, "nav.support"),
		 web_t(req, "section.support.lead"));
	/* Filters: a GET form, so the choice is a shareable link. */
	html_fmt(b, "<form class=\"filters\" method=\"get\" action=\"/soutenir\">");
	struct form_ctx f = { b, req, NULL, NULL };
	static const char *const sorts[] = { "ending", "campaigns.sort.ending", "newest",
					     "campaigns.sort.newest", "funded", "campaigns.sort.funded",
					     NULL };
	form_select(&f, &(struct field_spec){ .name = "tri", .label_key = "campaigns.sort",
			      .type = "select", .value = v->sort }, sorts);
	const char *const *cats = events_categories();
	int nc = 0;
	while (cats[nc])
		nc++;
	const char **opts = arena_alloc(a, sizeof(*opts) * (size_t)(2 * nc + 3));
	int k = 0;
	opts[k++] = "";
	opts[k++] = "campaigns.filter.all_categories";
	for (int i = 0; i < nc; i++) {
		opts[k++] = cats[i];
		opts[k++] = arena_printf(a, "events.category.%s", cats[i]);
	}
	opts[k] = NULL;
	form_select(&f, &(struct field_spec){ .name = "categorie", .label_key = "campaigns.category",
			      .type = "select", .value = v->category }, opts);
	const char **copts = arena_alloc(a, sizeof(*copts) * (size_t)(2 * v->n_communes + 3));
	k = 0;
	copts[k++] = "";
	copts[k++] = web_t(req, "campaigns.filter.all_communes");
	for (int i = 0; i < v->n_communes; i++) {
		copts[k++] = arena_printf(a, "%lld", (long long)v->communes[i].id);
		copts[k++] = v->communes[i].name;
	}
	copts[k] = NULL;
	form_select(&f, &(struct field_spec){ .name = "commune", .label_key = "campaigns.commune",
			      .type = "select", .value = v->commune, .labels_are_text = true }, copts);
	html_fmt(b, "<button type=\"submit\">%s</button></form>", web_t(req, "campaigns.filter.apply"));
	if (v->n == 0) {
		html_fmt(b, "<p>%s</p>", web_t(req, "campaigns.list.none"));
		view_layout_end(b, req);
		return;
	}
	HTML("<ul class=\"campaign-list\">");
	for (int i = 0; i < v->n; i++) {
		const struct campaign *c = &v->campaigns[i];
		HTML("<li class=\"campaign-card\">");
		const char *img = image_url(req, c);
		if (img) {
			HTML("<img class=\"campaign-image\" alt=\"\" loading=\"lazy\"");
			html_attr(b, "src", img);
			HTML(">");
		}
		HTML("<h2><a");
		html_href(b, view_campaigns_url(req, c->slug, ""));
		html_fmt(b, ">%s</a></h2><p class=\"muted\">%s", c->title, c->org_name);
		if (*c->commune_name)
			html_fmt(b, " · %s", c->commune_name);
		HTML("</p>");
		if (*c->summary)
			html_fmt(b, "<p>%s</p>", c->summary);
		progress(b, req, c);
		HTML("</li>");
	}
	HTML("</ul>");
	view_layout_end(b, req);
}

/* ---- a campaign's page ---------------------------------------------------------------------- */

static const char *const contribute_labels[] = {
	"tier", "campaigns.form.tier", "amount", "campaigns.form.amount",
	"backer_name", "campaigns.form.name", "backer_email", "campaigns.form.email",
	"message", "campaigns.form.message", "provider", "campaigns.form.provider",
	"idempotency_key", "campaigns.form.title", NULL,
};

static void tiers_list(struct buf *b, struct request *req, const struct campaigns_show_view *v)
{
	const struct campaign *c = v->c;
	html_fmt(b, "<h2>%s</h2>", web_t(req, "campaigns.tiers"));
	if (v->n_tiers == 0) {
		html_fmt(b, "<p>%s</p>", web_t(req, "campaigns.tiers.none"));
		return;
	}
	HTML("<ul class=\"campaign-tiers\">");
	for (int i = 0; i < v->n_tiers; i++) {
		const struct campaign_tier *t = &v->tiers[i];
		html_fmt(b, "<li><h3>%s — %s %s</h3>", t->title, web_t(req, "campaigns.tier.from"),
			 money(req, t->amount_cents, c->currency));
		if (*t->description)
			html_fmt(b, "<p>%s</p>", t->description);
		if (*t->delivery)
			html_fmt(b, "<p class=\"muted\">%s %s</p>", web_t(req, "campaigns.tier.delivery"),
				 t->delivery);
		if (t->remaining < 0)
			html_fmt(b, "<p>%s</p>", web_t(req, "campaigns.tier.unlimited"));
		else if (t->remaining == 0)
			html_fmt(b, "<p><strong>%s</strong></p>", web_t(req, "campaigns.tier.gone"));
		else
			html_fmt(b, "<p>%lld / %lld %s</p>", (long long)t->remaining,
				 (long long)t->quantity, web_t(req, "campaigns.tier.left"));
		HTML("</li>");
	}
	HTML("</ul>");
}

static void contribute_form(struct buf *b, struct request *req, const struct campaigns_show_view *v)
{
	const struct campaign *c = v->c;
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	html_fmt(b, "<h2 id=\"contribuer\">%s</h2>", web_t(req, "campaigns.form.title"));
	if (v->error_key)
		html_fmt(b, "<div class=\"form-errors\" role=\"alert\"><p>%s</p></div>",
			 web_t(req, v->error_key));
	if (!c->is_open) {
		html_fmt(b, "<p>%s</p>", web_t(req, "campaigns.form.closed"));
		return;
	}
	if (!v->providers[0]) {
		html_fmt(b, "<p>%s</p>", web_t(req, "campaigns.form.no_provider"));
		return;
	}
	struct form_ctx f = { b, req, v->fe, NULL };
	form_start(&f, view_campaigns_url(req, c->slug, "/contribuer"), false);
	form_errors_summary(&f, contribute_labels);
	form_hidden(&f, "idem", v->idem);
	const char *chosen = posted(req, v->refill, "tier", "0");
	const char *err = field_error_get(v->fe, "tier");
	html_fmt(b, "<fieldset class=\"field%s\" id=\"f-tier\"><legend>%s</legend>",
		 err ? " has-error" : "", web_t(req, "campaigns.form.tier"));
	if (err)
		html_fmt(b, "<p class=\"field-error\" id=\"e-tier\">%s</p>", web_t(req, err));
	html_fmt(b, "<div class=\"field\"><input type=\"radio\" name=\"tier\" id=\"f-tier-0\" value=\"0\"%s>"
		    "<label for=\"f-tier-0\">%s</label></div>",
		 strcmp(chosen, "0") == 0 ? " checked" : "", web_t(req, "campaigns.form.no_tier"));
	for (int i = 0; i < v->n_tiers; i++) {
		const struct campaign_tier *t = &v->tiers[i];
		const char *val = arena_printf(a, "%lld", (long long)t->id);
		html_fmt(b, "<div class=\"field\"><input type=\"radio\" name=\"tier\" id=\"f-tier-%d\"", i + 1);
		html_attr(b, "value", val);
		if (strcmp(chosen, val) == 0)
			HTML(" checked");
		if (t->remaining == 0)
			HTML(" disabled");
		html_fmt(b, "><label for=\"f-tier-%d\">%s (%s)%s</label></div>", i + 1, t->title,
			 money(req, t->amount_cents, c->currency),
			 t->remaining == 0 ? arena_printf(a, " — %s", web_t(req, "campaigns.tier.gone")) : "");
	}
	HTML("</fieldset>");
	form_field(&f, &(struct field_spec){ .name = "amount", .label_key = "campaigns.form.amount",
			     .type = "text", .required = true, .value = posted(req, v->refill, "amount", ""),
			     .hint_key = "campaigns.form.amount_hint", .maxlength = 12 });
	bool logged = w->actor.account_id != 0;
	form_field(&f, &(struct field_spec){ .name = "backer_name", .label_key = "campaigns.form.name",
			     .type = "text", .required = true, .autocomplete = "name",
			     .value = posted(req, v->refill, "backer_name",
					     logged ? w->actor.display_name : ""),
			     .maxlength = CAMPAIGNS_NAME_MAX });
	form_field(&f, &(struct field_spec){ .name = "backer_email", .label_key = "campaigns.form.email",
			     .type = "email", .required = true, .autocomplete = "email",
			     .value = posted(req, v->refill, "backer_email", logged ? w->actor.email : ""),
			     .maxlength = 254 });
	form_field(&f, &(struct field_spec){ .name = "message", .label_key = "campaigns.form.message",
			     .type = "textarea", .value = posted(req, v->refill, "message", ""),
			     .maxlength = CAMPAIGNS_MESSAGE_MAX });
	bool pub = v->refill ? http_form(req, "public") != NULL : true;
	html_fmt(b, "<div class=\"field\"><input type=\"checkbox\" name=\"public\" id=\"f-public\" value=\"1\"%s>"
		    "<label for=\"f-public\">%s</label></div>", pub ? " checked" : "",
		 web_t(req, "campaigns.form.public"));
	const char *prov = posted(req, v->refill, "provider", v->providers[0]);
	err = field_error_get(v->fe, "provider");
	html_fmt(b, "<fieldset class=\"field%s\" id=\"f-provider\"><legend>%s</legend>",
		 err ? " has-error" : "", web_t(req, "campaigns.form.provider"));
	if (err)
		html_fmt(b, "<p class=\"field-error\" id=\"e-provider\">%s</p>", web_t(req, err));
	for (int i = 0; v->providers[i]; i++) {
		const struct payment_provider *p = payments_provider(v->providers[i]);
		html_fmt(b, "<div class=\"field\"><input type=\"radio\" name=\"provider\" id=\"f-provider-%d\"", i);
		html_attr(b, "value", v->providers[i]);
		if (strcmp(prov, v->providers[i]) == 0)
			HTML(" checked");
		html_fmt(b, "><label for=\"f-provider-%d\">%s</label></div>", i,
			 web_t(req, p ? p->label_key : v->providers[i]));
	}
	HTML("</fieldset>");
	form_end(&f, "campaigns.form.submit");
}

void view_campaigns_show(struct buf *b, struct request *req, const struct campaigns_show_view *v)
{
	const struct campaign *c = v->c;
	struct arena *a = req->arena;
	const char *lang = web_of(req)->lang;
	view_layout_start(b, req, c->title);
	html_fmt(b, "<article class=\"campaign\"><h1>%s</h1><p class=\"muted\">%s <a", c->title,
		 web_t(req, "campaigns.by"));
	html_href(b, arena_printf(a, "/organisations/%s", url_arg(a, c->org_slug)));
	html_fmt(b, ">%s</a></p>", c->org_name);
	if (strcmp(c->status, "draft") == 0)
		html_fmt(b, "<p class=\"badge\">%s</p>", web_t(req, "campaigns.status.draft"));
	if (*c->summary)
		html_fmt(b, "<p class=\"lead\">%s</p>", c->summary);
	const char *img = image_url(req, c);
	if (img) {
		HTML("<img class=\"campaign-image\"");
		html_attr(b, "src", img);
		html_attr(b, "alt", c->title);
		HTML(">");
	}
	progress(b, req, c);
	html_fmt(b, "<p class=\"muted\">%s · %s %s</p>",
		 web_t(req, arena_printf(a, "campaigns.model.%s", c->model)),
		 web_t(req, "campaigns.ends"), time_format_long(a, c->ends_at, lang));
	if (c->can_edit) {
		HTML("<p><a class=\"button\"");
		html_href(b, view_campaigns_url(req, c->slug, "/modifier"));
		html_fmt(b, ">%s</a></p>", web_t(req, "campaigns.edit"));
	}
	HTML("<div class=\"campaign-story\">");
	html_safe(b, html_stored_markdown(a, c->story_html, c->story));
	HTML("</div>");
	if (v->slot_sponsors.p)
		html_safe(b, v->slot_sponsors);
	tiers_list(b, req, v);
	contribute_form(b, req, v);
	html_fmt(b, "<h2>%s</h2>", web_t(req, "campaigns.updates"));
	if (v->n_updates == 0)
		html_fmt(b, "<p>%s</p>", web_t(req, "campaigns.updates.none"));
	for (int i = 0; i < v->n_updates; i++) {
		const struct campaign_update *u = &v->updates[i];
		html_fmt(b, "<section class=\"campaign-update\"><h3>%s</h3><p class=\"muted\">%s</p>",
			 u->title, time_format_long(a, u->created_at, lang));
		html_safe(b, html_stored_markdown(a, u->body_html, ""));
		HTML("</section>");
	}
	html_fmt(b, "<h2>%s</h2>", web_t(req, "campaigns.backers_list"));
	if (v->n_backers == 0)
		html_fmt(b, "<p>%s</p>", web_t(req, "campaigns.backers.none"));
	else
		HTML("<ul class=\"campaign-backers-list\">");
	for (int i = 0; i < v->n_backers; i++) {
		const struct campaign_backer *bk = &v->backers[i];
		if (bk->is_public)
			html_fmt(b, "<li><strong>%s</strong> — %s", bk->name,
				 money(req, bk->amount_cents, c->currency));
		else
			html_fmt(b, "<li><em>%s</em>", web_t(req, "campaigns.anonymous"));
		if (*bk->message)
			html_fmt(b, "<br><q>%s</q>", bk->message);
		HTML("</li>");
	}
	if (v->n_backers)
		HTML("</ul>");
	if (v->slot_comments.p)
		html_safe(b, v->slot_comments);
	HTML("</article>");
	view_layout_end(b, req);
}

/* ---- a contribution ------------------------------------------------------------------------ */

void view_campaigns_contribution(struct buf *b, struct request *req, const struct contribution *k)
{
	struct arena *a = req->arena;
	view_layout_start(b, req, web_t(req, "campaigns.contribution.title"));
	html_fmt(b, "<h1>%s</h1>", web_t(req, "campaigns.contribution.title"));
	html_fmt(b, "<p class=\"lead\">%s</p>",
		 web_t(req, arena_printf(a, "campaigns.contribution.status.%s", k->status)));
	HTML("<dl><dt>");
	html_fmt(b, "%s</dt><dd><a", web_t(req, "campaigns.contribution.campaign"));
	html_href(b, view_campaigns_url(req, k->campaign_slug, ""));
	html_fmt(b, ">%s</a> (%s)</dd>", k->campaign_title, k->org_name);
	html_fmt(b, "<dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd>",
		 web_t(req, "campaigns.form.amount"), money(req, k->amount_cents, k->currency),
		 web_t(req, "campaigns.contribution.reference"), k->reference);
	if (*k->tier_title)
		html_fmt(b, "<dt>%s</dt><dd>%s</dd>", web_t(req, "campaigns.form.tier"), k->tier_title);
	html_fmt(b, "<dt>%s</dt><dd>%s</dd></dl>", web_t(req, "campaigns.form.name"), k->backer_name);
	if (strcmp(k->status, "pending") == 0 && *k->redirect_url) {
		HTML("<p><a class=\"button\"");
		html_href(b, k->redirect_url);
		html_fmt(b, ">%s</a></p>", web_t(req, "campaigns.contribution.pay"));
	}
	html_fmt(b, "<p class=\"muted\">%s</p>", web_t(req, "donations.show.keep_link"));
	view_layout_end(b, req);
}

void view_campaigns_demo_pay(struct buf *b, struct request *req, const struct contribution *k)
{
	view_layout_start(b, req, web_t(req, "orders.demo.title"));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", web_t(req, "orders.demo.title"),
		 web_t(req, "orders.demo.lead"));
	html_fmt(b, "<dl><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd></dl>",
		 web_t(req, "campaigns.contribution.campaign"), k->campaign_title,
		 web_t(req, "campaigns.form.amount"), money(req, k->amount_cents, k->currency));
	form_button(b, req, view_contribution_url(req, k, "/paiement-demo"), "orders.demo.pay", "button");
	HTML("<p><a");
	html_href(b, view_contribution_url(req, k, ""));
	html_fmt(b, ">%s</a></p>", web_t(req, "donations.demo.back"));
	view_layout_end(b, req);
}

/* ---- the organiser's list ----------------------------------------------------------------- */

void view_campaigns_of_org(struct buf *b, struct request *req, const struct org *org,
			   const struct campaign *list, int n)
{
	struct arena *a = req->arena;
	const char *title = arena_printf(a, "%s — %s", web_t(req, "campaigns.of_org"), org->name);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p><a class=\"button\"", title);
	html_href(b, arena_printf(a, "/organisations/%s/campagnes/nouvelle", url_arg(a, org->slug)));
	html_fmt(b, ">%s</a></p>", web_t(req, "campaigns.new"));
	if (n == 0)
		html_fmt(b, "<p>%s</p>", web_t(req, "campaigns.of_org.none"));
	else
		HTML("<ul class=\"campaign-list\">");
	for (int i = 0; i < n; i++) {
		const struct campaign *c = &list[i];
		HTML("<li class=\"campaign-card\"><h2><a");
		html_href(b, view_campaigns_url(req, c->slug, ""));
		html_fmt(b, ">%s</a></h2><p class=\"badge\">%s</p>", c->title,
			 web_t(req, arena_printf(a, "campaigns.status.%s", c->status)));
		progress(b, req, c);
		HTML("<p><a");
		html_href(b, view_campaigns_url(req, c->slug, "/modifier"));
		html_fmt(b, ">%s</a></p></li>", web_t(req, "campaigns.edit"));
	}
	if (n)
		HTML("</ul>");
	view_layout_end(b, req);
}

/* ---- the organiser's forms ---------------------------------------------------------------- */

static const char *const campaign_labels[] = {
	"title", "campaigns.field.l.title", "summary", "campaigns.field.l.summary",
	"story", "campaigns.field.l.story", "category", "campaigns.category",
	"image", "campaigns.field.l.image",
	"goal", "campaigns.field.l.goal", "model", "campaigns.field.l.model",
	"starts_at", "campaigns.field.l.starts_at", "ends_at", "campaigns.field.l.ends_at", NULL,
};
static const char *const tier_labels[] = {
	"amount", "campaigns.field.l.tier_amount", "title", "campaigns.field.l.tier_title",
	"description", "campaigns.field.l.tier_description", "delivery", "campaigns.field.l.delivery",
	"quantity", "campaigns.field.l.quantity", NULL,
};
static const char *const update_labels[] = {
	"title", "campaigns.field.l.update_title", "body", "campaigns.field.l.update_body", NULL,
};

/* The contributions, rewards first: what the organiser has to deliver, and to whom. */
static void backings_table(struct buf *b, struct request *req, const struct campaigns_edit_view *v)
{
	html_fmt(b, "<h2 id=\"contributions\">%s</h2>", web_t(req, "campaigns.backings"));
	if (v->n_backings == 0) {
		html_fmt(b, "<p>%s</p>", web_t(req, "campaigns.backers.none"));
		return;
	}
	html_fmt(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
		    "<table class=\"data\"><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "</tr></thead><tbody>",
		 web_t(req, "campaigns.backings"), web_t(req, "campaigns.form.tier"),
		 web_t(req, "campaigns.form.name"), web_t(req, "campaigns.form.email"),
		 web_t(req, "campaigns.form.amount"), web_t(req, "campaigns.form.message"));
	for (int i = 0; i < v->n_backings; i++) {
		const struct campaign_backing *k = &v->backings[i];
		html_fmt(b, "<tr><td>%s", *k->tier_title ? k->tier_title : web_t(req, "campaigns.form.no_tier"));
		if (*k->delivery)
			html_fmt(b, "<br><span class=\"muted\">%s</span>", k->delivery);
		html_fmt(b, "</td><td>%s</td><td>%s</td><td>%s", k->backer_name, k->backer_email,
			 money(req, k->amount_cents, v->c->currency));
		if (strcmp(k->status, "refunded") == 0)
			html_fmt(b, "<br><span class=\"muted\">%s</span>",
				 web_t(req, "campaigns.contribution.status.refunded"));
		html_fmt(b, "</td><td>%s</td></tr>", k->message);
	}
	HTML("</tbody></table></div>");
}

void view_campaigns_edit(struct buf *b, struct request *req, const struct campaigns_edit_view *v)
{
	struct arena *a = req->arena;
	const struct campaign *c = v->c;
	const char *title = c ? arena_printf(a, "%s — %s", web_t(req, "campaigns.edit"), c->title)
			      : arena_printf(a, "%s — %s", web_t(req, "campaigns.new"), v->org->name);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1>", title);
	bool mine = v->form && strcmp(v->form, "campaign") == 0;
	struct form_ctx f = { b, req, mine ? v->fe : NULL, "c-" };
	bool refill = mine && v->refill;
	form_start(&f, c ? view_campaigns_url(req, c->slug, "/modifier")
			 : arena_printf(a, "/organisations/%s/campagnes", url_arg(a, v->org->slug)),
		   true);
	form_errors_summary(&f, campaign_labels);
	form_field(&f, &(struct field_spec){ .name = "title", .label_key = "campaigns.field.l.title",
			     .type = "text", .required = true,
			     .value = posted(req, refill, "title", c ? c->title : ""),
			     .maxlength = CAMPAIGNS_TITLE_MAX });
	form_field(&f, &(struct field_spec){ .name = "summary", .label_key = "campaigns.field.l.summary",
			     .type = "text", .value = posted(req, refill, "summary", c ? c->summary : ""),
			     .maxlength = CAMPAIGNS_SUMMARY_MAX });
	form_field(&f, &(struct field_spec){ .name = "story", .label_key = "campaigns.field.l.story",
			     .type = "textarea", .hint_key = "campaigns.field.story_hint",
			     .value = posted(req, refill, "story", c ? c->story : ""),
			     .maxlength = CAMPAIGNS_STORY_MAX });
	const char *const *cats = events_categories();
	int nc = 0;
	while (cats[nc])
		nc++;
	const char **opts = arena_alloc(a, sizeof(*opts) * (size_t)(2 * nc + 3));
	int k = 0;
	opts[k++] = "";
	opts[k++] = "";
	for (int i = 0; i < nc; i++) {
		opts[k++] = cats[i];
		opts[k++] = arena_printf(a, "events.category.%s", cats[i]);
	}
	opts[k] = NULL;
	form_select(&f, &(struct field_spec){ .name = "category", .label_key = "campaigns.category",
			      .type = "select",
			      .value = posted(req, refill, "category", c ? c->category : "") }, opts);
	const char *img = c ? image_url(req, c) : NULL;
	if (img) {
		HTML("<p><img class=\"campaign-image-thumb\"");
		html_attr(b, "src", img);
		html_fmt(b, " alt=\"%s\"></p>", web_t(req, "campaigns.field.image_current"));
	}
	form_field(&f, &(struct field_spec){ .name = "image", .label_key = "campaigns.field.l.image",
			     .type = "file", .hint_key = "campaigns.field.image_hint" });
	bool terms = !c || strcmp(c->status, "draft") == 0;
	if (terms) {
		form_field(&f, &(struct field_spec){ .name = "goal", .label_key = "campaigns.field.l.goal",
				     .type = "text", .required = true, .hint_key = "campaigns.form.amount_hint",
				     .value = posted(req, refill, "goal", c ? euros_text(req, c->goal_cents) : ""),
				     .maxlength = 12 });
		static const char *const models[] = { "all_or_nothing", "campaigns.model.all_or_nothing",
						      "keep_it", "campaigns.model.keep_it", NULL };
		form_select(&f, &(struct field_spec){ .name = "model", .label_key = "campaigns.field.l.model",
				      .type = "select",
				      .value = posted(req, refill, "model", c ? c->model : "all_or_nothing") },
			    models);
		form_field(&f, &(struct field_spec){ .name = "starts_at",
				     .label_key = "campaigns.field.l.starts_at", .type = "date",
				     .hint_key = "campaigns.field.starts_hint",
				     .value = posted(req, refill, "starts_at",
						     c ? time_format_date(a, c->starts_at) : "") });
		form_field(&f, &(struct field_spec){ .name = "ends_at",
				     .label_key = "campaigns.field.l.ends_at", .type = "date", .required = true,
				     .value = posted(req, refill, "ends_at",
						     c ? time_format_date(a, c->ends_at - 1) : "") });
		bool pub = refill ? http_form(req, "publish") != NULL : false;
		html_fmt(b, "<div class=\"field\"><input type=\"checkbox\" name=\"publish\" id=\"c-f-publish\" value=\"1\"%s>"
			    "<label for=\"c-f-publish\">%s</label></div>", pub ? " checked" : "",
			 web_t(req, "campaigns.field.l.publish"));
	} else {
		html_fmt(b, "<p class=\"hint\">%s</p>", web_t(req, "campaigns.field.terms_fixed"));
	}
	form_end(&f, "campaigns.save");
	if (!c) {
		view_layout_end(b, req);
		return;
	}
	HTML("<p><a");
	html_href(b, view_campaigns_url(req, c->slug, ""));
	html_fmt(b, ">%s</a></p>", web_t(req, "campaigns.see_page"));

	html_fmt(b, "<h2>%s</h2>", web_t(req, "campaigns.tiers"));
	if (v->n_tiers) {
		HTML("<ul>");
		for (int i = 0; i < v->n_tiers; i++) {
			const struct campaign_tier *t = &v->tiers[i];
			html_fmt(b, "<li>%s — %s — ", t->title, money(req, t->amount_cents, c->currency));
			if (t->quantity)
				html_fmt(b, "%lld / %lld", (long long)t->taken, (long long)t->quantity);
			else
				html_fmt(b, "%lld", (long long)t->taken);
			HTML("</li>");
		}
		HTML("</ul>");
	}
	mine = v->form && strcmp(v->form, "tier") == 0;
	refill = mine && v->refill;
	struct form_ctx ft = { b, req, mine ? v->fe : NULL, "t-" };
	form_start(&ft, view_campaigns_url(req, c->slug, "/contreparties"), false);
	form_errors_summary(&ft, tier_labels);
	form_field(&ft, &(struct field_spec){ .name = "amount", .label_key = "campaigns.field.l.tier_amount",
			      .type = "text", .required = true, .value = posted(req, refill, "amount", ""),
			      .maxlength = 12 });
	form_field(&ft, &(struct field_spec){ .name = "title", .label_key = "campaigns.field.l.tier_title",
			      .type = "text", .required = true, .value = posted(req, refill, "title", ""),
			      .maxlength = CAMPAIGNS_TITLE_MAX });
	form_field(&ft, &(struct field_spec){ .name = "description",
			      .label_key = "campaigns.field.l.tier_description", .type = "textarea",
			      .value = posted(req, refill, "description", ""), .maxlength = 600 });
	form_field(&ft, &(struct field_spec){ .name = "delivery", .label_key = "campaigns.field.l.delivery",
			      .type = "text", .value = posted(req, refill, "delivery", ""),
			      .maxlength = CAMPAIGNS_TITLE_MAX });
	form_field(&ft, &(struct field_spec){ .name = "quantity", .label_key = "campaigns.field.l.quantity",
			      .type = "text", .hint_key = "campaigns.field.quantity_hint",
			      .value = posted(req, refill, "quantity", ""), .maxlength = 8 });
	form_end(&ft, "campaigns.tier.add");

	backings_table(b, req, v);

	html_fmt(b, "<h2>%s</h2><p class=\"hint\">%s</p>", web_t(req, "campaigns.update.new"),
		 web_t(req, "campaigns.update.hint"));
	mine = v->form && strcmp(v->form, "update") == 0;
	refill = mine && v->refill;
	struct form_ctx fu = { b, req, mine ? v->fe : NULL, "u-" };
	form_start(&fu, view_campaigns_url(req, c->slug, "/actualites"), false);
	form_errors_summary(&fu, update_labels);
	form_field(&fu, &(struct field_spec){ .name = "title", .label_key = "campaigns.field.l.update_title",
			      .type = "text", .required = true, .value = posted(req, refill, "title", ""),
			      .maxlength = CAMPAIGNS_TITLE_MAX });
	form_field(&fu, &(struct field_spec){ .name = "body", .label_key = "campaigns.field.l.update_body",
			      .type = "textarea", .required = true, .value = posted(req, refill, "body", ""),
			      .maxlength = CAMPAIGNS_STORY_MAX });
	form_end(&fu, "campaigns.update.post");
	view_layout_end(b, req);
}
