/* donations.c: the donation pages: the form on an association's page, the
 * donation page behind its secret link, its tax receipt as PDF, the demo
 * card page, and the association's settings and fiscal details (owner,
 * treasurer) with the platform admin's check.
 *
 * As for orders, every page carrying the donation's secret answers with
 * Cache-Control: no-store and Referrer-Policy: no-referrer. */
#include "web/pages.h"
#include "web/views/donations.h"
#include "core/donations.h"
#include "core/payments.h"
#include "core/receipts.h"
#include "core/recurring.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/str.h"
#include <string.h>

static void secret_headers(struct request *req, struct response *res)
{
	http_set_header(res, req->arena, "Cache-Control", "no-store");
	http_set_header(res, req->arena, "Referrer-Policy", "no-referrer");
}

static bool load_page(struct request *req, struct response *res, struct donation_page *out)
{
	enum kq_err e = donations_page(web_of(req)->db, req->arena, http_param(req, "slug"), out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

static bool load_donation(struct request *req, struct response *res, struct donation *out)
{
	secret_headers(req, res);
	enum kq_err e = donations_get_by_secret(web_of(req)->db, req->arena, http_param(req, "secret"),
						out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

static const char *new_key(struct request *req)
{
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	return arena_strdup(req->arena, key);
}

/* ---- giving ---------------------------------------------------------------------------------- */

void web_donations_form(struct request *req, struct response *res)
{
	struct donation_page pg;
	web_of(req)->nav = "support";
	if (!load_page(req, res, &pg))
		return;
	struct donations_form_view v = { .page = &pg, .idem = new_key(req) };
	view_donations_form(&res->body, req, &v);
}

/* The amount chosen: a free amount typed wins over a suggested one. */
static int64_t posted_amount(struct request *req, struct field_errors *fe)
{
	const char *free_amount = str_trim(req->arena, http_form(req, "amount"));
	const char *sug = http_form(req, "suggested");
	int64_t v = 0;
	if (*free_amount) {
		if (!donations_parse_amount(free_amount, &v)) {
			field_error_add(fe, "amount", "donations.field.amount_invalid");
			return -1;
		}
		return v;
	}
	if (sug && strcmp(sug, "other") != 0 && str_to_i64(sug, &v))
		return v;
	field_error_add(fe, "amount", "donations.field.amount_missing");
	return -1;
}

void web_donations_give(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	w->nav = "support";
	struct donation_page pg;
	if (!load_page(req, res, &pg))
		return;
	struct field_errors fe = { 0 };
	int64_t amount = posted_amount(req, &fe);
	struct donation d;
	enum kq_err e = KQ_ERR_FORM_INVALID;
	if (fe.n == 0) {
		struct donation_request in = {
			.org_id = pg.org.id,
			.amount_cents = amount,
			.donor_name = str_trim(a, http_form(req, "donor_name")),
			.donor_address = str_trim(a, http_form(req, "donor_address")),
			.donor_postcode = str_trim(a, http_form(req, "donor_postcode")),
			.donor_city = str_trim(a, http_form(req, "donor_city")),
			.donor_email = str_trim(a, http_form(req, "donor_email")),
			.provider = http_form(req, "provider"),
			.idempotency_key = http_form(req, "idem"),
			.lang = w->lang,
			.monthly = str_eq(http_form(req, "frequency"), "monthly"),
		};
		e = donations_give(w->db, &w->actor, &in, a, &fe, &d);
		if (e == KQ_OK) {
			secret_headers(req, res);
			bool go = strcmp(d.status, "pending") == 0 && *d.redirect_url;
			http_redirect(res, a, go ? d.redirect_url : view_donations_url(req, &d, ""));
			return;
		}
	}
	if (e == KQ_ERR_NOT_FOUND || e == KQ_ERR_INTERNAL) {
		web_error(req, res, e);
		return;
	}
	/* Refused: the form again with what was typed, the reasons next to their fields. */
	struct donations_form_view v = { .page = &pg, .fe = &fe, .refill = true,
					 .idem = new_key(req) };
	if (fe.n == 0)
		v.error_key = err_msg_key(e);
	res->status = err_http_status(e);
	buf_reset(&res->body);
	view_donations_form(&res->body, req, &v);
}

/* ---- the donation page, its receipt, the demo card ----------------------------------------- */

void web_donations_show(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	w->nav = "support";
	struct donation d;
	if (!load_donation(req, res, &d))
		return;
	/* Back from a card payment page: ask the provider rather than wait for its webhook. */
	if (strcmp(d.status, "pending") == 0 && strcmp(d.provider, "stripe") == 0) {
		bool paid = false;
		enum kq_err e = donations_sync_payment(w->db, d.secret, &paid);
		if (e != KQ_OK)
			log_info("donations: payment sync: %s", err_api_code(e));
		if (paid && !load_donation(req, res, &d))
			return;
	}
	view_donations_show(&res->body, req, &d);
}

void web_donations_receipt_pdf(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct donation d;
	if (!load_donation(req, res, &d))
		return;
	struct tax_receipt r;
	enum kq_err e = d.has_receipt ? receipts_of_donation(w->db, req->arena, d.id, &r)
				      : KQ_ERR_NOT_FOUND;
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	buf_reset(&res->body);
	if (receipts_pdf(&res->body, req->arena, &r) != KQ_OK) {
		buf_reset(&res->body);
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	res->content_type = "application/pdf";
	http_set_header(res, req->arena, "Content-Disposition",
			arena_printf(req->arena, "attachment; filename=\"recu-fiscal-%s.pdf\"",
				     r.number_text));
}

void web_donations_demo_form(struct request *req, struct response *res)
{
	struct donation d;
	if (!load_donation(req, res, &d))
		return;
	if (strcmp(d.provider, "demo") != 0 || !payments_provider_enabled("demo")) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	if (strcmp(d.status, "pending") != 0) {
		http_redirect(res, req->arena, view_donations_url(req, &d, ""));
		return;
	}
	view_donations_demo_pay(&res->body, req, &d);
}

void web_donations_demo_pay(struct request *req, struct response *res)
{
	struct donation d;
	if (!load_donation(req, res, &d))
		return;
	enum kq_err e = donations_demo_pay(web_of(req)->db, d.secret);
	if (e == KQ_OK)
		web_redirect_flash(req, res, view_donations_url(req, &d, ""), "success",
				   "flash.donations.paid");
	else if (e == KQ_ERR_ORDER_STATE)
		web_redirect_flash(req, res, view_donations_url(req, &d, ""), "error",
				   "flash.donations.not_paid");
	else
		web_error(req, res, e == KQ_ERR_PAYMENT_PROVIDER_UNAVAILABLE ? KQ_ERR_NOT_FOUND : e);
}

/* ---- the association's settings and fiscal details ------------------------------------------ */

static bool may_check(struct request *req, const struct donation_page *pg)
{
	return actor_is_admin(&web_of(req)->actor) && pg->fiscal.is_declared && !pg->fiscal.is_checked;
}

void web_donations_settings_form(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	w->nav = "directory";
	struct donation_page pg;
	if (!load_page(req, res, &pg))
		return;
	/* Owner and treasurer edit; a platform admin (who may do what owners do) checks. */
	enum kq_err e = orgs_authorize(w->db, &w->actor, pg.org.id, ORG_ACT_MONEY);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	struct donations_settings_view v = { .page = &pg, .may_check = may_check(req, &pg) };
	struct donation *list = NULL;
	if ((e = donations_list(w->db, &w->actor, pg.org.id, req->arena, &list, &v.n_donations)) != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v.donations = list;
	view_donations_settings(&res->body, req, &v);
}

/* The treasurer says a transfer came in: the donation is paid (and its receipt issued). */
void web_donations_mark_paid(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	struct donation_page pg;
	if (!load_page(req, res, &pg))
		return;
	int64_t id = 0;
	if (!str_to_i64(http_param(req, "id"), &id) || id <= 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	enum kq_err e = donations_mark_paid(w->db, &w->actor, id);
	const char *url = arena_printf(a, "/organisations/%s/dons/reglages#dons", url_arg(a, pg.org.slug));
	if (e == KQ_OK)
		web_redirect_flash(req, res, url, "success", "flash.donations.marked_paid");
	else if (e == KQ_ERR_ORDER_STATE)
		web_redirect_flash(req, res, url, "error", "flash.donations.not_paid");
	else
		web_error(req, res, e);
}

void web_donations_settings_save(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	w->nav = "directory";
	struct donation_page pg;
	if (!load_page(req, res, &pg))
		return;
	struct donation_settings_input in = { 0 };
	int n = 0;
	if (http_form(req, "provider_transfer"))
		in.providers[n++] = "transfer";
	if (http_form(req, "provider_stripe"))
		in.providers[n++] = "stripe";
	in.providers[n] = NULL;
	in.suggested = http_form(req, "suggested");
	in.transfer_details = http_form(req, "transfer_details");
	in.quality = str_trim(a, http_form(req, "quality"));
	in.legal_name = http_form(req, "legal_name");
	in.object = http_form(req, "object");
	in.address = http_form(req, "address");
	in.postcode = http_form(req, "postcode");
	in.city = http_form(req, "city");
	in.rna = http_form(req, "rna");
	in.siren = http_form(req, "siren");
	in.signatory = http_form(req, "signatory");
	struct field_errors fe = { 0 };
	enum kq_err e = donations_settings_save(w->db, &w->actor, pg.org.id, &in, &fe);
	const char *url = arena_printf(a, "/organisations/%s/dons/reglages", url_arg(a, pg.org.slug));
	if (e == KQ_OK) {
		web_redirect_flash(req, res, url, "success", "flash.donations.settings_saved");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	struct donations_settings_view v = { .page = &pg, .fe = &fe, .refill = true,
					     .may_check = may_check(req, &pg) };
	res->status = err_http_status(e);
	view_donations_settings(&res->body, req, &v);
}

void web_donations_fiscal_check(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	struct donation_page pg;
	if (!load_page(req, res, &pg))
		return;
	enum kq_err e = donations_fiscal_check(w->db, &w->actor, pg.org.id);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res,
			   arena_printf(a, "/organisations/%s/dons/reglages", url_arg(a, pg.org.slug)),
			   "success", "flash.donations.checked");
}

/* ---- recurring donations: the stop link, "Mes dons" buttons, annual receipts --------------- */

static bool load_recurring(struct request *req, struct response *res, struct recurring_donation *out)
{
	secret_headers(req, res);
	enum kq_err e = recurring_get_by_token(web_of(req)->db, req->arena, http_param(req, "token"),
					       out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

/* GET shows what would stop and a button; a link followed by a mail
 * scanner changes nothing. */
void web_recurring_stop_form(struct request *req, struct response *res)
{
	web_of(req)->nav = "support";
	struct recurring_donation r;
	if (!load_recurring(req, res, &r))
		return;
	view_recurring_stop(&res->body, req, &r);
}

void web_recurring_stop_token(struct request *req, struct response *res)
{
	struct recurring_donation r;
	if (!load_recurring(req, res, &r))
		return;
	enum kq_err e = recurring_stop_by_token(web_of(req)->db, r.stop_token);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res,
			   arena_printf(req->arena, "/dons/mensuel/%s", url_arg(req->arena, r.stop_token)),
			   "success", "flash.recurring.stopped");
}

void web_recurring_stop(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	int64_t id = 0;
	if (!str_to_i64(http_param(req, "id"), &id) || id <= 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	enum kq_err e = recurring_stop(w->db, &w->actor, id);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, "/compte/dons#mensuels", "success", "flash.recurring.stopped");
}

void web_recurring_annual_request(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	int64_t org = 0, year = 0, id = 0;
	if (!str_to_i64(http_param(req, "org"), &org) || org <= 0 ||
	    !str_to_i64(http_param(req, "year"), &year) || year <= 0 || year > 9999) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	enum kq_err e = recurring_annual_request(w->db, &w->actor, org, (int)year, &id);
	if (e == KQ_ERR_FORM_INVALID) {
		web_redirect_flash(req, res, "/compte/dons#recus-annuels", "error",
				   "flash.recurring.year_not_over");
		return;
	}
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, "/compte/dons#recus-annuels", "success",
			   "flash.recurring.annual_issued");
}

void web_recurring_annual_pdf(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	int64_t id = 0;
	if (!str_to_i64(http_param(req, "id"), &id) || id <= 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	struct annual_receipt r;
	enum kq_err e = recurring_annual_get(w->db, &w->actor, req->arena, id, &r);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	buf_reset(&res->body);
	if (receipts_annual_pdf(&res->body, req->arena, &r) != KQ_OK) {
		buf_reset(&res->body);
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	res->content_type = "application/pdf";
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	http_set_header(res, req->arena, "Content-Disposition",
			arena_printf(req->arena, "attachment; filename=\"recu-fiscal-%s.pdf\"",
				     r.number_text));
}
