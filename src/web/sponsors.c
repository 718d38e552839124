/* sponsors.c: sponsorship pages: the "Nos partenaires" section of event and campaign pages, the offer form
 * at /parrainer/{evenement|campagne}/{slug}, and an organisation's offers at /organisations/{slug}/parrainages
 * (received: accept or decline; made: withdraw).
 *
 * Core (core/sponsors.c) decides who may do what; these handlers read the
 * form, call it, and after a change redirect with a flash message, so a
 * reload never sends twice. */
#include "web/pages.h"
#include "web/views/sponsors.h"
#include "core/orgs.h"
#include "core/sponsors.h"
#include "base/str.h"
#include <string.h>

/* ---- the section of event and campaign pages --------------------------------------------------- */

struct safe_html web_sponsors_section(struct request *req, const char *target_kind, int64_t target_id,
				      const char *slug)
{
	struct web *w = web_of(req);
	struct buf b = BUF_INIT;
	struct sponsor_target t;
	struct sponsorship *list = NULL;
	int n = 0;
	/* The page already checked the target may be seen; this asks what it is
	 * (open to offers?) and leaves drafts and hidden ones without a section. */
	if (sponsors_target_get(w->db, req->arena, target_kind, slug, &t) != KQ_OK || t.id != target_id)
		return html_section_take(req->arena, &b);
	if (sponsors_of_target(w->db, req->arena, target_kind, target_id, &list, &n) != KQ_OK)
		n = 0;
	bool show_offer = false;
	if (t.is_open && w->actor.account_id) {
		struct org *mine = NULL;
		int n_mine = 0;
		show_offer = sponsors_my_businesses(w->db, &w->actor, req->arena, &mine, &n_mine) == KQ_OK &&
			     n_mine > 0;
	}
	view_sponsors_section(&b, req, &t, list, n, show_offer);
	return html_section_take(req->arena, &b);
}

/* ---- the offer form ------------------------------------------------------------------------------ */

/* "evenement" | "campagne" of the route to the core's "event" | "campaign"; NULL: neither. */
static const char *route_kind(struct request *req)
{
	const char *k = http_param(req, "kind");
	if (str_eq(k, "evenement"))
		return "event";
	if (str_eq(k, "campagne"))
		return "campaign";
	return NULL;
}

/* Loads the target and the actor's businesses into v; false after answering an error. */
static bool load_offer(struct request *req, struct response *res, struct sponsor_target *t,
		       struct sponsors_offer_view *v)
{
	struct web *w = web_of(req);
	memset(v, 0, sizeof(*v));
	const char *kind = route_kind(req);
	enum kq_err e = kind ? sponsors_target_get(w->db, req->arena, kind, http_param(req, "slug"), t)
			     : KQ_ERR_NOT_FOUND;
	struct org *mine = NULL;
	if (e == KQ_OK)
		e = sponsors_my_businesses(w->db, &w->actor, req->arena, &mine, &v->n_businesses);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	w->nav = strcmp(t->kind, "event") == 0 ? "agenda" : "support";
	v->t = t;
	v->businesses = mine;
	return true;
}

void web_sponsors_offer_form(struct request *req, struct response *res)
{
	struct sponsor_target t;
	struct sponsors_offer_view v;
	if (!load_offer(req, res, &t, &v))
		return;
	view_sponsors_offer_form(&res->body, req, &v);
}

void web_sponsors_offer(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	struct sponsor_target t;
	struct sponsors_offer_view v;
	if (!load_offer(req, res, &t, &v))
		return;
	v.sponsor = http_form(req, "sponsor");
	v.kind = http_form(req, "kind");
	v.amount = str_trim(a, http_form(req, "amount"));
	v.goods = http_form(req, "goods");
	v.goods_value = str_trim(a, http_form(req, "goods_value"));
	v.message = http_form(req, "message");
	v.link = http_form(req, "link");
	struct field_errors fe = { 0 };
	struct sponsorship_input in = {
		.target_kind = t.kind, .target_slug = t.slug, .kind = v.kind ? v.kind : "",
		.goods = v.goods, .message = v.message, .link_url = v.link,
	};
	if (!str_to_i64(v.sponsor, &in.sponsor_org_id) || in.sponsor_org_id < 0)
		in.sponsor_org_id = 0;
	bool money = str_eq(v.kind, "money");
	if (money && !*v.amount)
		field_error_add(&fe, "amount", "sponsors.field.amount_range");
	else if (money && !sponsors_parse_amount(v.amount, &in.amount_cents))
		field_error_add(&fe, "amount", "sponsors.field.amount_invalid");
	if (!money && *v.goods_value && !sponsors_parse_amount(v.goods_value, &in.goods_value_cents))
		field_error_add(&fe, "goods_value", "sponsors.field.goods_value_invalid");
	enum kq_err e = KQ_ERR_FORM_INVALID;
	int64_t id = 0;
	if (fe.n == 0)
		e = sponsors_offer(w->db, &w->actor, &in, a, &fe, &id);
	if (e == KQ_OK) {
		const char *slug = t.org_slug;
		for (int i = 0; i < v.n_businesses; i++)
			if (v.businesses[i].id == in.sponsor_org_id)
				slug = v.businesses[i].slug;
		web_redirect_flash(req, res, arena_printf(a, "/organisations/%s/parrainages",
							  url_arg(a, slug)),
				   "success", "flash.sponsors.sent");
		return;
	}
	if (e == KQ_ERR_FORBIDDEN || e == KQ_ERR_NOT_FOUND || e == KQ_ERR_INTERNAL ||
	    e == KQ_ERR_AUTH_REQUIRED) {
		web_error(req, res, e);
		return;
	}
	/* Refused: the form again with what was typed, the reasons next to their fields. */
	v.fe = &fe;
	if (fe.n == 0)
		v.error_key = err_msg_key(e);
	res->status = err_http_status(e);
	buf_reset(&res->body);
	view_sponsors_offer_form(&res->body, req, &v);
}

/* ---- an organisation's offers --------------------------------------------------------------------- */

static bool load_org(struct request *req, struct response *res, struct org *out)
{
	enum kq_err e = orgs_get(web_of(req)->db, req->arena, http_param(req, "slug"), out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

/* Renders the page of org; fe (may be NULL) belongs to the form of offer fe_id. */
static void show_org(struct request *req, struct response *res, const struct org *o, int64_t fe_id,
		     const struct field_errors *fe, const char *note)
{
	struct web *w = web_of(req);
	struct sponsors_org_view v = { .org = o, .fe_id = fe_id, .fe = fe, .note = note };
	v.is_receiver = strcmp(o->kind, "association") == 0;
	v.is_sponsor = strcmp(o->kind, "business") == 0 || strcmp(o->kind, "producer") == 0;
	struct sponsorship *list = NULL;
	int n = 0;
	/* Any member reads; core answers FORBIDDEN to others. */
	enum kq_err e = v.is_sponsor ? sponsors_made(w->db, &w->actor, o->id, req->arena, &list, &n)
				     : sponsors_received(w->db, &w->actor, o->id, req->arena, &list, &n);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	if (v.is_sponsor) {
		v.made = list;
		v.n_made = n;
		v.can_withdraw = orgs_authorize(w->db, &w->actor, o->id, ORG_ACT_PUBLISH) == KQ_OK;
	} else {
		v.received = list;
		v.n_received = n;
		v.can_decide = orgs_authorize(w->db, &w->actor, o->id, ORG_ACT_MONEY) == KQ_OK;
	}
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	buf_reset(&res->body);
	view_sponsors_org(&res->body, req, &v);
}

void web_sponsors_org(struct request *req, struct response *res)
{
	struct org o;
	if (!load_org(req, res, &o))
		return;
	show_org(req, res, &o, 0, NULL, NULL);
}

static bool route_id(struct request *req, struct response *res, int64_t *out)
{
	if (!str_to_i64(http_param(req, "id"), out) || *out <= 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return false;
	}
	return true;
}

/* A decision came too late (decided or withdrawn meanwhile): the page as it
 * is now, with the reason on top and the status of the refusal. */
static void refused(struct request *req, struct response *res, const struct org *o, enum kq_err e)
{
	struct web *w = web_of(req);
	w->flash_kind = "error";
	w->flash_key = err_msg_key(e);
	res->status = err_http_status(e);
	show_org(req, res, o, 0, NULL, NULL);
}

void web_sponsors_decide(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct org o;
	int64_t id = 0;
	if (!load_org(req, res, &o) || !route_id(req, res, &id))
		return;
	const char *decision = http_form(req, "decision");
	if (!str_eq(decision, "accept") && !str_eq(decision, "decline")) {
		web_error(req, res, KQ_ERR_BAD_REQUEST);
		return;
	}
	bool accept = strcmp(decision, "accept") == 0;
	const char *note = http_form(req, "note");
	struct field_errors fe = { 0 };
	enum kq_err e = sponsors_decide(w->db, &w->actor, o.id, id, accept, note, &fe);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, arena_printf(req->arena, "/organisations/%s/parrainages",
							  url_arg(req->arena, o.slug)),
				   "success", accept ? "flash.sponsors.accepted" : "flash.sponsors.declined");
		return;
	}
	if (e == KQ_ERR_FORM_INVALID) {
		res->status = err_http_status(e);
		show_org(req, res, &o, id, &fe, note);
		return;
	}
	if (e == KQ_ERR_SPONSORS_DECIDED) {
		refused(req, res, &o, e);
		return;
	}
	web_error(req, res, e);
}

void web_sponsors_withdraw(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct org o;
	int64_t id = 0;
	if (!load_org(req, res, &o) || !route_id(req, res, &id))
		return;
	enum kq_err e = sponsors_withdraw(w->db, &w->actor, o.id, id);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, arena_printf(req->arena, "/organisations/%s/parrainages",
							  url_arg(req->arena, o.slug)),
				   "success", "flash.sponsors.withdrawn");
		return;
	}
	if (e == KQ_ERR_SPONSORS_DECIDED) {
		refused(req, res, &o, e);
		return;
	}
	web_error(req, res, e);
}
