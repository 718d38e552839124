/* balance.c: an organisation's accounts for its treasurer (/organisations/{slug}/comptes), the accountant's CSV book (comptes.csv), and a donor's "Mes dons" (/compte/dons).
 *
 * core/balance.c decides who may see the money (ORG_ACT_MONEY: owner,
 * treasurer); everyone else gets its refusal (401 or 403). */
#include "web/pages.h"
#include "web/views/balance.h"
#include "core/balance.h"
#include "core/donations.h"
#include "core/receipts.h"
#include "core/recurring.h"
#include "base/timefmt.h"
#include "core/orgs.h"
#include "base/str.h"
#include "base/crypto.h"
#include <string.h>

static const char *new_key(struct request *req)
{
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	return arena_strdup(req->arena, key);
}

static bool load_org(struct request *req, struct response *res, struct org *out)
{
	struct web *w = web_of(req);
	enum kq_err e = orgs_get(w->db, req->arena, http_param(req, "slug"), out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

void web_balance_page(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct org org;
	struct balance_report r;
	if (!load_org(req, res, &org))
		return;
	enum kq_err e = balance_report(w->db, &w->actor, org.id, NULL, req->arena, &r);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	struct balance_payout_form pf = { .idem = new_key(req) };
	res->status = 200;
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_balance(&res->body, req, &org, &r, actor_is_admin(&w->actor) ? &pf : NULL);
}

/* A platform admin records a payout of the online money (core checks the
 * right, the amount against what is owed, and the form's key). */
void web_balance_payout(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct org org;
	if (!load_org(req, res, &org))
		return;
	struct balance_payout_input in = {
		.amount = str_trim(req->arena, http_form(req, "amount")),
		.paid_on = str_trim(req->arena, http_form(req, "paid_on")),
		.reference = str_trim(req->arena, http_form(req, "reference")),
		.note = str_trim(req->arena, http_form(req, "note")),
		.idempotency_key = http_form(req, "idem"),
	};
	struct field_errors fe = { 0 };
	enum kq_err e = balance_payout_record(w->db, &w->actor, org.id, &in, &fe, NULL);
	const char *page = arena_printf(req->arena, "/organisations/%s/comptes",
					url_arg(req->arena, org.slug));
	if (e == KQ_OK) {
		web_redirect_flash(req, res, arena_printf(req->arena, "%s#versements", page), "success",
				   "flash.balance.payout_recorded");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	/* Refused: the page again, what was typed kept, the reasons next to their fields. */
	struct balance_report r;
	if ((e = balance_report(w->db, &w->actor, org.id, NULL, req->arena, &r)) != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	struct balance_payout_form pf = { .fe = &fe, .idem = new_key(req), .refill = true };
	res->status = err_http_status(KQ_ERR_FORM_INVALID);
	buf_reset(&res->body);
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_balance(&res->body, req, &org, &r, &pf);
}

/* A file name from the slug: [a-z0-9-] only, at most 80 characters. */
static const char *csv_filename(struct request *req, const char *slug)
{
	char *s = arena_printf(req->arena, "comptes-%.80s", slug);
	for (char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			*p = '-';
	return arena_printf(req->arena, "%s.csv", s);
}

void web_balance_csv(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct org org;
	if (!load_org(req, res, &org))
		return;
	/* The whole book, oldest first, read by chunks of the core's ceiling
	 * and written as it comes; a refusal can only come with the first
	 * chunk, a failure later drops what was written. */
	struct buf *body = &res->body;
	int64_t after = 0;
	for (bool first = true;; first = false) {
		struct balance_row *v;
		int n;
		enum kq_err e = balance_rows(w->db, &w->actor, org.id, after, BALANCE_ROWS_MAX,
					     req->arena, &v, &n);
		if (e != KQ_OK) {
			body->len = 0;
			web_error(req, res, e);
			return;
		}
		if (first)
			view_balance_csv_start(body, req);
		view_balance_csv_rows(body, req, v, n);
		if (n < BALANCE_ROWS_MAX)
			break;
		after = v[n - 1].id;
	}
	res->status = 200;
	res->content_type = "text/csv; charset=utf-8";
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	http_set_header(res, req->arena, "X-Content-Type-Options", "nosniff");
	http_set_header(res, req->arena, "Content-Disposition",
			arena_printf(req->arena, "attachment; filename=\"%s\"",
				     csv_filename(req, org.slug)));
}

void web_my_donations(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct donation *v;
	int n;
	enum kq_err e = donations_of_account(w->db, &w->actor, req->arena, &v, &n);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	/* Monthly donations and their annual receipts (recurring.h). */
	struct my_monthly_view m = { 0 };
	struct recurring_donation *monthly = NULL;
	struct recurring_year *years = NULL;
	if ((e = recurring_of_account(w->db, &w->actor, req->arena, &monthly, &m.n_monthly)) != KQ_OK ||
	    (e = recurring_years_of_account(w->db, &w->actor, req->arena, &years, &m.n_years)) != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	m.monthly = monthly;
	m.years = years;
	m.current_year = receipts_year_of(time_now());
	res->status = 200;
	/* The links carry the donations' secrets: never cached. */
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_my_donations_all(&res->body, req, v, n, &m);
}

/* A refund listed to make by hand was made (a transfer, cash): core checks
 * the treasurer's right and writes its ledger row. */
void web_balance_refund_done(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct org org;
	int64_t id;
	if (!load_org(req, res, &org))
		return;
	if (!str_to_i64(http_param(req, "id"), &id) || id <= 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	enum kq_err e = balance_refund_done(w->db, &w->actor, org.id, id);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, arena_printf(req->arena, "/organisations/%s/comptes",
						  url_arg(req->arena, org.slug)),
			   "success", "flash.balance.refund_done");
}
