/* campaigns.c: the crowdfunding pages: the list at /soutenir, a campaign's page and its contribute form, a
 * contribution's page behind its secret link with the demo card, and the organiser's forms (campaign, tiers,
 * updates).
 *
 * As for orders and donations, every page carrying a contribution's secret
 * answers with Cache-Control: no-store and Referrer-Policy: no-referrer. */
#include "web/pages.h"
#include "web/views/campaigns.h"
#include "core/campaigns.h"
#include "core/events.h"
#include "core/orgs.h"
#include "core/payments.h"
#include "core/territory.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

static void secret_headers(struct request *req, struct response *res)
{
	http_set_header(res, req->arena, "Cache-Control", "no-store");
	http_set_header(res, req->arena, "Referrer-Policy", "no-referrer");
}

static const char *new_key(struct request *req)
{
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	return arena_strdup(req->arena, key);
}

/* ---- the list ---------------------------------------------------------------------------- */

void web_campaigns_list(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	w->nav = "support";
	struct campaigns_list_view v = { 0 };
	const char *sort = http_query(req, "tri");
	v.sort = str_eq(sort, "newest") || str_eq(sort, "funded") ? sort : "ending";
	const char *cat = http_query(req, "categorie");
	v.category = cat && events_category_valid(cat) ? cat : "";
	const char *commune = http_query(req, "commune");
	int64_t commune_id = 0;
	if (!commune || !str_to_i64(commune, &commune_id) || commune_id < 0)
		commune_id = 0;
	v.commune = commune_id ? commune : "";
	struct campaigns_filter f = {
		strcmp(v.sort, "newest") == 0 ? CAMPAIGNS_NEWEST
		: strcmp(v.sort, "funded") == 0 ? CAMPAIGNS_MOST_FUNDED : CAMPAIGNS_ENDING_SOON,
		commune_id, v.category, 60,
	};
	struct campaign *list;
	enum kq_err e = campaigns_list(w->db, req->arena, &f, &list, &v.n);
	struct commune *communes;
	if (e == KQ_OK)
		e = territory_communes(w->db, req->arena, &communes, &v.n_communes);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v.campaigns = list;
	v.communes = communes;
	view_campaigns_list(&res->body, req, &v);
}

/* ---- a campaign's page and contributing ---------------------------------------------------- */

/* Loads what the page shows; false after answering an error. */
static bool load_show(struct request *req, struct response *res, struct campaign *c,
		      struct campaigns_show_view *v)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	w->nav = "support";
	memset(v, 0, sizeof(*v));
	enum kq_err e = campaigns_get(w->db, &w->actor, a, http_param(req, "slug"), c);
	struct campaign_tier *tiers = NULL;
	struct campaign_backer *backers = NULL;
	struct campaign_update *updates = NULL;
	if (e == KQ_OK)
		e = campaigns_tiers(w->db, a, c->id, &tiers, &v->n_tiers);
	if (e == KQ_OK)
		e = campaigns_backers(w->db, a, c->id, &backers, &v->n_backers);
	if (e == KQ_OK)
		e = campaigns_updates(w->db, a, c->id, &updates, &v->n_updates);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	v->c = c;
	v->tiers = tiers;
	v->backers = backers;
	v->updates = updates;
	campaigns_providers(v->providers);
	v->idem = new_key(req);
	return true;
}

void web_campaigns_show(struct request *req, struct response *res)
{
	struct campaign c;
	struct campaigns_show_view v;
	if (!load_show(req, res, &c, &v))
		return;
	/* ---- page sections of other areas: one line each fills a slot of the view ---- */
	v.slot_sponsors = web_sponsors_section(req, "campaign", c.id, c.slug);
	v.slot_comments = web_comments_section(req, "campaign", c.id);
	/* ---- end page sections ---- */
	view_campaigns_show(&res->body, req, &v);
}

void web_campaigns_contribute(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	struct campaign c;
	struct campaigns_show_view v;
	/* Only the campaign: its tiers, backers and updates are read again for the page only when
	 * the contribution is refused (a contribution under load must not pay for the whole page). */
	w->nav = "support";
	enum kq_err got = campaigns_get(w->db, &w->actor, a, http_param(req, "slug"), &c);
	if (got != KQ_OK) {
		web_error(req, res, got);
		return;
	}
	struct field_errors fe = { 0 };
	int64_t amount = 0, tier = 0;
	const char *typed = str_trim(a, http_form(req, "amount"));
	if (!*typed)
		field_error_add(&fe, "amount", "donations.field.amount_missing");
	else if (!campaigns_parse_amount(typed, &amount))
		field_error_add(&fe, "amount", "campaigns.field.amount_invalid");
	const char *t = http_form(req, "tier");
	if (t && *t && (!str_to_i64(t, &tier) || tier < 0))
		field_error_add(&fe, "tier", "campaigns.field.tier");
	enum kq_err e = KQ_ERR_FORM_INVALID;
	if (fe.n == 0) {
		struct contribution_request in = {
			.campaign_id = c.id,
			.tier_id = tier,
			.amount_cents = amount,
			.backer_name = str_trim(a, http_form(req, "backer_name")),
			.backer_email = str_trim(a, http_form(req, "backer_email")),
			.is_public = http_form(req, "public") != NULL,
			.message = http_form(req, "message"),
			.provider = http_form(req, "provider"),
			.idempotency_key = http_form(req, "idem"),
			.lang = w->lang,
		};
		struct contribution k;
		e = campaigns_contribute(w->db, &w->actor, &in, a, &fe, &k);
		if (e == KQ_OK) {
			secret_headers(req, res);
			bool go = strcmp(k.status, "pending") == 0 && *k.redirect_url;
			http_redirect(res, a, go ? k.redirect_url : view_contribution_url(req, &k, ""));
			return;
		}
	}
	if (e == KQ_ERR_NOT_FOUND || e == KQ_ERR_INTERNAL) {
		web_error(req, res, e);
		return;
	}
	/* Refused: the page again with what was typed, the reasons next to their fields (read now,
	 * so the tier counts are those after the refusal). */
	struct field_errors keep = fe;
	if (!load_show(req, res, &c, &v))
		return;
	fe = keep;
	v.fe = &fe;
	v.refill = true;
	if (fe.n == 0)
		v.error_key = err_msg_key(e);
	res->status = err_http_status(e);
	buf_reset(&res->body);
	/* ---- page sections of other areas: one line each fills a slot of the view ---- */
	v.slot_sponsors = web_sponsors_section(req, "campaign", c.id, c.slug);
	v.slot_comments = web_comments_section(req, "campaign", c.id);
	/* ---- end page sections ---- */
	view_campaigns_show(&res->body, req, &v);
}

/* The cover picture; versioned URLs (?v=<sha256 prefix>) are cached for good. */
void web_campaigns_image(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct upload u;
	enum kq_err e = campaigns_image_get(w->db, &w->actor, req->arena, http_param(req, "slug"), &u);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_send_upload(req, res, &u);
}

/* ---- a contribution, the demo card ----------------------------------------------------------- */

static bool load_contribution(struct request *req, struct response *res, struct contribution *out)
{
	secret_headers(req, res);
	web_of(req)->nav = "support";
	enum kq_err e = campaigns_contribution_get(web_of(req)->db, req->arena,
						   http_param(req, "secret"), out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

void web_campaigns_contribution(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct contribution k;
	if (!load_contribution(req, res, &k))
		return;
	/* Back from a card payment page: ask the provider rather than wait for its webhook. */
	if (strcmp(k.status, "pending") == 0 && strcmp(k.provider, "stripe") == 0) {
		bool paid = false;
		enum kq_err e = campaigns_sync_payment(w->db, k.secret, &paid);
		if (e != KQ_OK)
			log_info("campaigns: payment sync: %s", err_api_code(e));
		if (paid && !load_contribution(req, res, &k))
			return;
	}
	view_campaigns_contribution(&res->body, req, &k);
}

void web_campaigns_demo_form(struct request *req, struct response *res)
{
	struct contribution k;
	if (!load_contribution(req, res, &k))
		return;
	if (strcmp(k.provider, "demo") != 0 || !payments_provider_enabled("demo")) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	if (strcmp(k.status, "pending") != 0) {
		http_redirect(res, req->arena, view_contribution_url(req, &k, ""));
		return;
	}
	view_campaigns_demo_pay(&res->body, req, &k);
}

void web_campaigns_demo_pay(struct request *req, struct response *res)
{
	struct contribution k;
	if (!load_contribution(req, res, &k))
		return;
	enum kq_err e = campaigns_demo_pay(web_of(req)->db, k.secret);
	if (e == KQ_OK || e == KQ_ERR_ORDER_STATE)
		web_redirect_flash(req, res, view_contribution_url(req, &k, ""),
				   e == KQ_OK ? "success" : "info",
				   e == KQ_OK ? "flash.campaigns.paid" : "flash.campaigns.already");
	else
		web_error(req, res, e);
}

/* ---- the organiser ------------------------------------------------------------------------- */

/* The campaign form's fields; date and amount errors go in fe. */
static void read_campaign_form(struct request *req, struct campaign_input *in,
			       struct field_errors *fe, bool terms)
{
	struct arena *a = req->arena;
	memset(in, 0, sizeof(*in));
	in->title = http_form(req, "title");
	in->summary = http_form(req, "summary");
	in->story = http_form(req, "story");
	in->category = http_form(req, "category");
	in->publish = http_form(req, "publish") != NULL;
	const struct form_field *file = http_file(req, "image");
	if (file && file->len) {
		in->image = file->value;
		in->image_len = file->len;
	}
	if (!terms)
		return;
	in->model = http_form(req, "model");
	const char *goal = str_trim(a, http_form(req, "goal"));
	if (!campaigns_parse_amount(goal, &in->goal_cents))
		field_error_add(fe, "goal", "campaigns.field.goal");
	const char *start = str_trim(a, http_form(req, "starts_at"));
	if (!*start)
		in->starts_at = time_now();
	else if (!campaigns_parse_date(start, false, &in->starts_at))
		field_error_add(fe, "starts_at", "campaigns.field.date");
	if (!campaigns_parse_date(str_trim(a, http_form(req, "ends_at")), true, &in->ends_at))
		field_error_add(fe, "ends_at", "campaigns.field.date");
}

static bool load_org(struct request *req, struct response *res, struct org *org)
{
	struct web *w = web_of(req);
	enum kq_err e = orgs_get(w->db, req->arena, http_param(req, "slug"), org);
	if (e == KQ_OK)
		e = orgs_authorize(w->db, &w->actor, org->id, ORG_ACT_PUBLISH);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

void web_campaigns_of_org(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct org org;
	w->nav = "support";
	if (!load_org(req, res, &org))
		return;
	struct campaign *list;
	int n = 0;
	enum kq_err e = campaigns_of_org(w->db, &w->actor, org.id, req->arena, &list, &n);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	view_campaigns_of_org(&res->body, req, &org, list, n);
}

void web_campaigns_new(struct request *req, struct response *res)
{
	struct org org;
	web_of(req)->nav = "support";
	if (!load_org(req, res, &org))
		return;
	struct campaigns_edit_view v = { .org = &org };
	view_campaigns_edit(&res->body, req, &v);
}

void web_campaigns_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct org org;
	w->nav = "support";
	if (!load_org(req, res, &org))
		return;
	struct field_errors fe = { 0 };
	struct campaign_input in;
	read_campaign_form(req, &in, &fe, true);
	int64_t id = 0;
	const char *slug = NULL;
	enum kq_err e = KQ_ERR_FORM_INVALID;
	if (fe.n == 0)
		e = campaigns_create(w->db, &w->actor, org.id, &in, req->arena, &fe, &id, &slug);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, view_campaigns_url(req, slug, "/modifier"), "success",
				   "flash.campaigns.created");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	res->status = err_http_status(e);
	struct campaigns_edit_view v = { .org = &org, .fe = &fe, .form = "campaign", .refill = true };
	view_campaigns_edit(&res->body, req, &v);
}

/* The campaign of the route, for who may edit it; false after answering. */
static bool load_editable(struct request *req, struct response *res, struct campaign *c,
			  struct org *org, struct campaign_tier **tiers, int *n_tiers)
{
	struct web *w = web_of(req);
	w->nav = "support";
	enum kq_err e = campaigns_get(w->db, &w->actor, req->arena, http_param(req, "slug"), c);
	if (e == KQ_OK && !c->can_edit)
		e = w->actor.account_id ? KQ_ERR_FORBIDDEN : KQ_ERR_AUTH_REQUIRED;
	if (e == KQ_OK)
		e = orgs_get_by_id(w->db, req->arena, c->org_id, org);
	if (e == KQ_OK)
		e = campaigns_tiers(w->db, req->arena, c->id, tiers, n_tiers);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

static void edit_page(struct request *req, struct response *res, enum kq_err e, const char *form,
		      const struct field_errors *fe)
{
	struct campaign c;
	struct org org;
	struct campaigns_edit_view v = { 0 };
	struct campaign_tier *tiers;
	if (!load_editable(req, res, &c, &org, &tiers, &v.n_tiers))
		return;
	struct campaign_backing *backings;
	enum kq_err be = campaigns_backings(web_of(req)->db, &web_of(req)->actor, c.id, req->arena,
					    &backings, &v.n_backings);
	if (be != KQ_OK) {
		web_error(req, res, be);
		return;
	}
	v.backings = backings;
	v.org = &org;
	v.c = &c;
	v.tiers = tiers;
	v.fe = fe;
	v.form = form;
	v.refill = form != NULL;
	if (e != KQ_OK)
		res->status = err_http_status(e);
	buf_reset(&res->body);
	view_campaigns_edit(&res->body, req, &v);
}

void web_campaigns_edit(struct request *req, struct response *res)
{
	edit_page(req, res, KQ_OK, NULL, NULL);
}

void web_campaigns_update(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct campaign c;
	struct org org;
	struct campaign_tier *tiers;
	int n;
	if (!load_editable(req, res, &c, &org, &tiers, &n))
		return;
	struct field_errors fe = { 0 };
	struct campaign_input in;
	read_campaign_form(req, &in, &fe, strcmp(c.status, "draft") == 0);
	enum kq_err e = KQ_ERR_FORM_INVALID;
	if (fe.n == 0)
		e = campaigns_update(w->db, &w->actor, c.id, &in, &fe);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, view_campaigns_url(req, c.slug, "/modifier"), "success",
				   "flash.campaigns.saved");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	edit_page(req, res, e, "campaign", &fe);
}

void web_campaigns_tier_add(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	struct campaign c;
	struct org org;
	struct campaign_tier *tiers;
	int n;
	if (!load_editable(req, res, &c, &org, &tiers, &n))
		return;
	struct field_errors fe = { 0 };
	struct campaign_tier_input in = { 0 };
	if (!campaigns_parse_amount(str_trim(a, http_form(req, "amount")), &in.amount_cents))
		field_error_add(&fe, "amount", "campaigns.field.amount");
	const char *q = str_trim(a, http_form(req, "quantity"));
	if (*q && (!str_to_i64(q, &in.quantity) || in.quantity < 1))
		field_error_add(&fe, "quantity", "campaigns.field.quantity");
	in.title = http_form(req, "title");
	in.description = http_form(req, "description");
	in.delivery = http_form(req, "delivery");
	enum kq_err e = KQ_ERR_FORM_INVALID;
	int64_t id = 0;
	if (fe.n == 0)
		e = campaigns_tier_add(w->db, &w->actor, c.id, &in, &fe, &id);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, view_campaigns_url(req, c.slug, "/modifier"), "success",
				   "flash.campaigns.tier_added");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	edit_page(req, res, e, "tier", &fe);
}

void web_campaigns_post_update(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct campaign c;
	struct org org;
	struct campaign_tier *tiers;
	int n;
	if (!load_editable(req, res, &c, &org, &tiers, &n))
		return;
	struct field_errors fe = { 0 };
	enum kq_err e = campaigns_update_post(w->db, &w->actor, c.id, http_form(req, "title"),
					      http_form(req, "body"), &fe);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, view_campaigns_url(req, c.slug, ""), "success",
				   "flash.campaigns.update_posted");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	edit_page(req, res, e, "update", &fe);
}
