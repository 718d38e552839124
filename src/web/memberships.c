/* memberships.c: the membership pages: the associations taking members, an association's join form, the
 * membership page behind its secret link (card PDF, renewal in one click), the demo card page, and the
 * treasurer's page (plans, members, CSV, a membership paid in cash or by cheque, writing to the members:
 * a form, a confirmation page with the count and the idempotency key, then the mailing).
 *
 * As for donations, every page carrying a membership's secret answers with
 * Cache-Control: no-store and Referrer-Policy: no-referrer. */
#include "web/pages.h"
#include "web/views/memberships.h"
#include "core/donations.h"
#include "core/memberships.h"
#include "core/payments.h"
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

static bool load_membership(struct request *req, struct response *res, struct membership *out)
{
	secret_headers(req, res);
	enum kq_err e = memberships_get_by_secret(web_of(req)->db, req->arena,
						  http_param(req, "secret"), out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

/* The amount typed for a pay-what-you-want plan; 0 when empty (the plan's
 * minimum then decides). -1 and a field error when it is not an amount. */
static int64_t posted_amount(struct request *req, struct field_errors *fe)
{
	const char *s = str_trim(req->arena, http_form(req, "amount"));
	int64_t v = 0;
	if (!*s)
		return 0;
	if (!donations_parse_amount(s, &v)) {
		field_error_add(fe, "amount", "memberships.field.price");
		return -1;
	}
	return v;
}

static int64_t posted_id(struct request *req, const char *name)
{
	int64_t v = 0;
	if (!str_to_i64(str_trim(req->arena, http_form(req, name)), &v) || v <= 0)
		return 0;
	return v;
}

/* ---- the associations taking members ---------------------------------------------------------- */

void web_memberships_index(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	w->nav = "memberships";
	struct membership_org *orgs;
	int n;
	enum kq_err e = memberships_orgs(w->db, req->arena, &orgs, &n);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	view_memberships_index(&res->body, req, orgs, n);
}

/* ---- joining ------------------------------------------------------------------------------------ */

static bool load_join(struct request *req, struct response *res, struct memberships_join_view *v,
		      struct org *org)
{
	struct membership_plan *plans;
	enum kq_err e = memberships_page(web_of(req)->db, req->arena, http_param(req, "slug"), org,
					 &plans, &v->n_plans);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	v->org = org;
	v->plans = plans;
	memberships_providers(v->providers, 4);
	return true;
}

void web_memberships_join_form(struct request *req, struct response *res)
{
	web_of(req)->nav = "memberships";
	struct org org;
	struct memberships_join_view v = { 0 };
	if (!load_join(req, res, &v, &org))
		return;
	v.idem = new_key(req);
	view_memberships_join(&res->body, req, &v);
}

void web_memberships_join(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	w->nav = "memberships";
	struct org org;
	struct memberships_join_view v = { 0 };
	if (!load_join(req, res, &v, &org))
		return;
	struct field_errors fe = { 0 };
	int64_t amount = posted_amount(req, &fe);
	int64_t plan_id = posted_id(req, "plan_id");
	bool ours = false;
	for (int i = 0; i < v.n_plans; i++)
		ours = ours || v.plans[i].id == plan_id;
	if (!ours)
		field_error_add(&fe, "plan_id", "memberships.field.plan");
	enum kq_err e = KQ_ERR_FORM_INVALID;
	struct membership m;
	if (fe.n == 0) {
		struct membership_request in = {
			.plan_id = plan_id,
			.amount_cents = amount,
			.member_name = str_trim(a, http_form(req, "member_name")),
			.member_email = str_trim(a, http_form(req, "member_email")),
			.provider = http_form(req, "provider"),
			.idempotency_key = http_form(req, "idem"),
			.lang = w->lang,
		};
		e = memberships_join(w->db, &w->actor, &in, a, &fe, &m);
		if (e == KQ_OK) {
			secret_headers(req, res);
			bool go = str_eq(m.status, "pending") && *m.redirect_url;
			http_redirect(res, a, go ? m.redirect_url : view_memberships_url(req, &m, ""));
			return;
		}
	}
	if (e == KQ_ERR_NOT_FOUND || e == KQ_ERR_INTERNAL) {
		web_error(req, res, e);
		return;
	}
	v.fe = &fe;
	v.refill = true;
	v.idem = new_key(req);
	if (fe.n == 0)
		v.error_key = err_msg_key(e);
	res->status = err_http_status(e);
	buf_reset(&res->body);
	view_memberships_join(&res->body, req, &v);
}

/* ---- the membership page, its card, renewal, the demo card ---------------------------------- */

static void show(struct request *req, struct response *res, const struct membership *m)
{
	struct memberships_show_view v = { .m = m, .idem = new_key(req) };
	memberships_providers(v.providers, 4);
	/* Renewal: an active membership that is current or lapsed, with a way to pay. */
	const char *state = memberships_state(m, time_now());
	v.may_renew = str_eq(m->status, "active") && !str_eq(state, "upcoming") &&
		      (m->amount_cents == 0 || v.providers[0]);
	view_memberships_show(&res->body, req, &v);
}

void web_memberships_show(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	w->nav = "memberships";
	struct membership m;
	if (!load_membership(req, res, &m))
		return;
	/* Back from a card payment page: ask the provider rather than wait for its webhook. */
	if (str_eq(m.status, "pending") && str_eq(m.provider, "stripe")) {
		bool paid = false;
		enum kq_err e = memberships_sync_payment(w->db, m.secret, &paid);
		if (e != KQ_OK)
			log_info("memberships: payment sync: %s", err_api_code(e));
		if (paid && !load_membership(req, res, &m))
			return;
	}
	show(req, res, &m);
}

void web_memberships_card_pdf(struct request *req, struct response *res)
{
	struct membership m;
	if (!load_membership(req, res, &m))
		return;
	if (!str_eq(m.status, "active")) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	buf_reset(&res->body);
	if (memberships_card_pdf(&res->body, req->arena, &m) != KQ_OK) {
		buf_reset(&res->body);
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	res->content_type = "application/pdf";
	http_set_header(res, req->arena, "Content-Disposition",
			arena_printf(req->arena, "attachment; filename=\"carte-membre-%s.pdf\"",
				     m.reference));
}

/* Renewal in one click: the same plan, the same member, the same amount. */
void web_memberships_renew(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	struct membership m;
	if (!load_membership(req, res, &m))
		return;
	struct membership_request in = {
		.plan_id = m.plan_id,
		.amount_cents = m.amount_cents,
		.member_name = m.member_name,
		.member_email = m.member_email,
		.provider = http_form(req, "provider"),
		.idempotency_key = http_form(req, "idem"),
		.lang = w->lang,
		.renew_secret = m.secret,
	};
	struct field_errors fe = { 0 };
	struct membership r;
	enum kq_err e = memberships_join(w->db, &w->actor, &in, a, &fe, &r);
	if (e == KQ_OK) {
		bool go = str_eq(r.status, "pending") && *r.redirect_url;
		http_redirect(res, a, go ? r.redirect_url : view_memberships_url(req, &r, ""));
		return;
	}
	if (e == KQ_ERR_INTERNAL) {
		web_error(req, res, e);
		return;
	}
	const char *key = e == KQ_ERR_FORM_INVALID && fe.n ? fe.e[0].key : err_msg_key(e);
	web_redirect_flash(req, res, view_memberships_url(req, &m, ""), "error", key);
}

void web_memberships_demo_form(struct request *req, struct response *res)
{
	struct membership m;
	if (!load_membership(req, res, &m))
		return;
	if (!str_eq(m.provider, "demo") || !payments_provider_enabled("demo")) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	if (!str_eq(m.status, "pending")) {
		http_redirect(res, req->arena, view_memberships_url(req, &m, ""));
		return;
	}
	view_memberships_demo_pay(&res->body, req, &m);
}

void web_memberships_demo_pay(struct request *req, struct response *res)
{
	struct membership m;
	if (!load_membership(req, res, &m))
		return;
	enum kq_err e = memberships_demo_pay(web_of(req)->db, m.secret);
	if (e == KQ_OK)
		web_redirect_flash(req, res, view_memberships_url(req, &m, ""), "success",
				   "flash.memberships.paid");
	else if (e == KQ_ERR_ORDER_STATE)
		web_redirect_flash(req, res, view_memberships_url(req, &m, ""), "error",
				   "flash.memberships.not_paid");
	else
		web_error(req, res, e == KQ_ERR_PAYMENT_PROVIDER_UNAVAILABLE ? KQ_ERR_NOT_FOUND : e);
}

/* ---- checking a card at the door ------------------------------------------------------------ */

/* Someone of the association types or scans the code a card's QR holds;
 * the page says whose membership it is and whether it is current. */
void web_memberships_check(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	w->nav = "directory";
	struct org org;
	enum kq_err e = orgs_get(w->db, req->arena, http_param(req, "slug"), &org);
	if (e == KQ_OK)
		e = orgs_authorize(w->db, &w->actor, org.id, ORG_ACT_VIEW_MEMBERS);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	const char *code = str_trim(req->arena, http_query(req, "code"));
	struct membership m;
	bool asked = *code != 0, found = false;
	if (asked) {
		e = memberships_check_card(w->db, &w->actor, org.id, code, req->arena, &m);
		if (e != KQ_OK && e != KQ_ERR_NOT_FOUND) {
			web_error(req, res, e);
			return;
		}
		found = e == KQ_OK;
		if (!found)
			res->status = 404;
	}
	http_set_header(res, req->arena, "Cache-Control", "no-store");
	view_memberships_check(&res->body, req, &org, code, found ? &m : NULL, time_now());
}

/* ---- the treasurer's page --------------------------------------------------------------------- */

/* The association and its plans, for a treasurer (or owner) of it. */
static bool load_manage(struct request *req, struct response *res,
			struct memberships_manage_view *v, struct org *org)
{
	struct web *w = web_of(req);
	w->nav = "directory";
	enum kq_err e = orgs_get(w->db, req->arena, http_param(req, "slug"), org);
	if (e == KQ_OK && !str_eq(org->kind, "association"))
		e = KQ_ERR_NOT_FOUND;
	if (e == KQ_OK)
		e = orgs_authorize(w->db, &w->actor, org->id, ORG_ACT_MONEY);
	struct membership_plan *plans = NULL;
	struct membership *members = NULL;
	if (e == KQ_OK)
		e = memberships_plans(w->db, req->arena, org->id, false, &plans, &v->n_plans);
	if (e == KQ_OK)
		e = memberships_list(w->db, &w->actor, org->id, req->arena, &members, &v->n_members);
	struct membership_mailing *mailings = NULL;
	if (e == KQ_OK)
		e = memberships_mailings(w->db, &w->actor, org->id, req->arena, &mailings,
					 &v->n_mailings);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	v->org = org;
	v->plans = plans;
	v->members = members;
	v->mailings = mailings;
	v->now = time_now();
	v->idem = new_key(req);
	return true;
}

static const char *manage_url(struct request *req, const struct org *org, const char *anchor)
{
	return arena_printf(req->arena, "/organisations/%s/adhesions/gestion%s",
			    url_arg(req->arena, org->slug), anchor);
}

void web_memberships_manage(struct request *req, struct response *res)
{
	struct org org;
	struct memberships_manage_view v = { 0 };
	if (!load_manage(req, res, &v, &org))
		return;
	view_memberships_manage(&res->body, req, &v);
}

void web_memberships_csv(struct request *req, struct response *res)
{
	struct org org;
	struct memberships_manage_view v = { 0 };
	if (!load_manage(req, res, &v, &org))
		return;
	res->content_type = "text/csv; charset=utf-8";
	http_set_header(res, req->arena, "Cache-Control", "no-store");
	http_set_header(res, req->arena, "Content-Disposition",
			arena_printf(req->arena, "attachment; filename=\"adherents-%s.csv\"", org.slug));
	view_memberships_csv(&res->body, req, v.members, v.n_members, v.now);
}

static void plan_save(struct request *req, struct response *res, int64_t plan_id)
{
	struct web *w = web_of(req);
	struct org org;
	struct memberships_manage_view v = { 0 };
	if (!load_manage(req, res, &v, &org))
		return;
	struct membership_plan_input in = {
		.name = http_form(req, "name"),
		.description = http_form(req, "description"),
		.pricing = str_trim(req->arena, http_form(req, "pricing")),
		.price = http_form(req, "price"),
		.period = str_trim(req->arena, http_form(req, "period")),
		.cap = http_form(req, "cap"),
		.is_open = http_form(req, "is_open") != NULL,
	};
	struct field_errors fe = { 0 };
	int64_t id = 0;
	enum kq_err e = memberships_plan_save(w->db, &w->actor, org.id, plan_id, &in, &fe, &id);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, manage_url(req, &org, ""), "success",
				   "flash.memberships.plan_saved");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	v.fe = &fe;
	v.refill = true;
	v.fe_form = plan_id ? arena_printf(req->arena, "plan-%lld", (long long)plan_id) : "plan-new";
	res->status = err_http_status(e);
	view_memberships_manage(&res->body, req, &v);
}

void web_memberships_plan_create(struct request *req, struct response *res)
{
	plan_save(req, res, 0);
}

void web_memberships_plan_update(struct request *req, struct response *res)
{
	int64_t id = 0;
	if (!str_to_i64(http_param(req, "id"), &id) || id <= 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	plan_save(req, res, id);
}

/* A membership paid in cash or by cheque, at the desk. */
void web_memberships_record(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	struct org org;
	struct memberships_manage_view v = { 0 };
	if (!load_manage(req, res, &v, &org))
		return;
	struct field_errors fe = { 0 };
	int64_t amount = posted_amount(req, &fe);
	int64_t plan_id = posted_id(req, "plan_id");
	bool ours = false;
	for (int i = 0; i < v.n_plans; i++)
		ours = ours || v.plans[i].id == plan_id;
	if (!ours)
		field_error_add(&fe, "plan_id", "memberships.field.plan");
	enum kq_err e = KQ_ERR_FORM_INVALID;
	if (fe.n == 0) {
		struct membership_request in = {
			.plan_id = plan_id,
			.amount_cents = amount,
			.member_name = str_trim(a, http_form(req, "member_name")),
			.member_email = str_trim(a, http_form(req, "member_email")),
			.provider = str_trim(a, http_form(req, "provider")),
			.idempotency_key = http_form(req, "idem"),
			.lang = w->lang,
		};
		struct membership m;
		e = memberships_record(w->db, &w->actor, &in, a, &fe, &m);
		if (e == KQ_OK) {
			web_redirect_flash(req, res, manage_url(req, &org, "#membres"), "success",
					   "flash.memberships.recorded");
			return;
		}
	}
	if (e != KQ_ERR_FORM_INVALID && e != KQ_ERR_MEMBERSHIPS_FULL &&
	    e != KQ_ERR_IDEMPOTENCY_CONFLICT) {
		web_error(req, res, e);
		return;
	}
	if (fe.n == 0)
		field_error_add(&fe, "plan_id", err_msg_key(e));
	v.fe = &fe;
	v.refill = true;
	v.fe_form = "record";
	res->status = err_http_status(e);
	view_memberships_manage(&res->body, req, &v);
}

/* ---- writing to the members ------------------------------------------------------------------- */

static struct membership_mailing_input mailing_input(struct request *req)
{
	struct membership_mailing_input in = {
		.subject = http_form(req, "subject"),
		.body = http_form(req, "body"),
		.audience = str_trim(req->arena, http_form(req, "audience")),
		.idempotency_key = http_form(req, "idem"),
	};
	return in;
}

/* The management page again with the mailing form filled as posted and
 * its errors (fe, or error_key for a refusal of the whole message). */
static void mailing_again(struct request *req, struct response *res,
			  struct memberships_manage_view *v, const struct field_errors *fe,
			  const char *error_key, enum kq_err e)
{
	v->fe = fe;
	v->refill = true;
	v->fe_form = "mailing";
	v->mailing_error_key = error_key;
	res->status = e == KQ_OK ? 200 : err_http_status(e);
	view_memberships_manage(&res->body, req, v);
}

/* First step: check the message and count its recipients; nothing is sent. */
void web_memberships_mailing_preview(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct org org;
	struct memberships_manage_view v = { 0 };
	if (!load_manage(req, res, &v, &org))
		return;
	struct membership_mailing_input in = mailing_input(req);
	struct field_errors fe = { 0 };
	int64_t n = 0;
	enum kq_err e = memberships_mailing_preview(w->db, &w->actor, org.id, &in, &fe, &n);
	if (e == KQ_ERR_FORM_INVALID) {
		mailing_again(req, res, &v, &fe, NULL, e);
		return;
	}
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	/* What is shown is what will be sent: the checked, trimmed text. */
	struct memberships_mailing_confirm_view c = {
		.org = &org,
		.subject = str_trim(req->arena, in.subject),
		.body = str_trim(req->arena, in.body),
		.audience = in.audience,
		.n = n,
		.idem = new_key(req),
	};
	http_set_header(res, req->arena, "Cache-Control", "no-store");
	view_memberships_mailing_confirm(&res->body, req, &c);
}

/* Second step: send (or, with "edit", back to the form as it was). */
void web_memberships_mailing_send(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct org org;
	struct memberships_manage_view v = { 0 };
	if (!load_manage(req, res, &v, &org))
		return;
	if (http_form(req, "edit")) {
		mailing_again(req, res, &v, NULL, NULL, KQ_OK);
		return;
	}
	struct membership_mailing_input in = mailing_input(req);
	struct field_errors fe = { 0 };
	struct membership_mailing m;
	bool replayed = false;
	enum kq_err e = memberships_mailing_send(w->db, &w->actor, org.id, &in, req->arena, &fe, &m,
						 &replayed);
	if (e == KQ_OK) {
		/* A replay lands where the first send did: nothing went twice. */
		web_redirect_flash(req, res, manage_url(req, &org, "#envois"), "success",
				   "flash.memberships.mailing_sent");
		return;
	}
	if (e == KQ_ERR_FORM_INVALID) {
		mailing_again(req, res, &v, &fe, NULL, e);
		return;
	}
	if (e == KQ_ERR_MEMBERSHIPS_MAILING_LIMIT || e == KQ_ERR_IDEMPOTENCY_CONFLICT) {
		mailing_again(req, res, &v, NULL, err_msg_key(e), e);
		return;
	}
	web_error(req, res, e);
}
