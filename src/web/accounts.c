/* accounts.c: the account pages: sign-up, links from mails, log-in and out, password reset, the account page.
 *
 * Handlers read the form, call core/accounts.c and pick a view. A refused
 * form is rendered again at once with the registry's status (422 for field
 * errors) and the typed values, passwords excepted. A link from a mail is
 * only checked on GET and used on POST: mail scanners fetch every link, and
 * a GET must not use a token up. */
#include "web/pages.h"
#include "web/views/accounts.h"
#include "core/accounts.h"
#include "core/apitokens.h"
#include "core/sessions.h"
#include "base/crypto.h"
#include "base/str.h"
#include <string.h>

/* Pages showing personal data or secrets are not kept by caches. */
static void no_store(struct request *req, struct response *res)
{
	http_set_header(res, req->arena, "Cache-Control", "no-store");
}

static void page_status(struct response *res, enum kq_err e)
{
	res->status = e == KQ_OK ? 200 : err_http_status(e);
}

static void link_invalid(struct request *req, struct response *res, enum account_link kind)
{
	page_status(res, KQ_ERR_AUTH_LINK_INVALID);
	view_accounts_link_invalid(&res->body, req, kind);
}

/* ---- sign-up and verification ------------------------------------------------------------- */

void web_accounts_signup_form(struct request *req, struct response *res)
{
	if (web_of(req)->actor.account_id) {
		http_redirect(res, req->arena, "/compte");
		return;
	}
	view_accounts_signup(&res->body, req, NULL, NULL, NULL);
}

void web_accounts_signup(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct field_errors fe = { 0 };
	struct signup_request in = { http_form(req, "email"), http_form(req, "display_name"),
				     http_form(req, "password"), w->lang };
	enum kq_err e = accounts_signup(w->db, &in, &fe);
	if (e == KQ_ERR_FORM_INVALID) {
		page_status(res, e);
		view_accounts_signup(&res->body, req, in.display_name, in.email, &fe);
		return;
	}
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	/* The same page whether the address was free or taken. */
	view_accounts_check_mail(&res->body, req, "accounts.check_mail.signup", true);
}

void web_accounts_verify_form(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	const char *token = http_query(req, "jeton");
	no_store(req, res);
	if (!token) {
		view_accounts_resend(&res->body, req, NULL, NULL);
		return;
	}
	enum kq_err e = accounts_link_check(w->db, req->arena, LINK_VERIFY, token, NULL);
	if (e == KQ_ERR_AUTH_LINK_INVALID) {
		link_invalid(req, res, LINK_VERIFY);
		return;
	}
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	view_accounts_verify(&res->body, req, token);
}

/* With a token: uses the verification link. Without: asks for a new link. */
void web_accounts_verify(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	const char *token = http_form(req, "jeton");
	struct field_errors fe = { 0 };
	enum kq_err e;
	if (!token) {
		const char *email = http_form(req, "email");
		e = accounts_verify_resend(w->db, email, &fe);
		if (e == KQ_ERR_FORM_INVALID) {
			page_status(res, e);
			view_accounts_resend(&res->body, req, email, &fe);
		} else if (e != KQ_OK) {
			web_error(req, res, e);
		} else {
			view_accounts_check_mail(&res->body, req, "accounts.check_mail.resend", false);
		}
		return;
	}
	e = accounts_verify(w->db, token, NULL);
	if (e == KQ_ERR_AUTH_LINK_INVALID) {
		link_invalid(req, res, LINK_VERIFY);
		return;
	}
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, w->actor.account_id ? "/compte" : "/connexion", "success",
			   "flash.accounts.verified");
}

/* ---- log-in and log-out --------------------------------------------------------------------- */

static const char *next_of(struct request *req)
{
	const char *next = http_form(req, "suite");
	if (!next)
		next = http_query(req, "suite");
	return web_safe_next(next, NULL);
}

void web_accounts_login_form(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	const char *next = next_of(req);
	if (w->actor.account_id) {
		http_redirect(res, req->arena, next ? next : "/compte");
		return;
	}
	view_accounts_login(&res->body, req, NULL, next, KQ_OK, NULL);
}

void web_accounts_login(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct field_errors fe = { 0 };
	struct actor who;
	char token[TOKEN_HEX_LEN + 1];
	const char *next = next_of(req);
	struct login_request in = { http_form(req, "email"), http_form(req, "password"),
				    req->remote_addr, http_header(req, "User-Agent") };
	enum kq_err e = accounts_login(w->db, &in, req->arena, &fe, &who, token);
	if (e == KQ_ERR_INTERNAL) {
		web_error(req, res, e);
		return;
	}
	if (e != KQ_OK) {
		page_status(res, e);
		view_accounts_login(&res->body, req, in.email, next, e, &fe);
		return;
	}
	/* INVARIANT(no-fixation): the session the browser had before is ended,
	 * and the cookie gets the new token made by this log-in. */
	if (w->session_token)
		(void)sessions_delete(w->db, w->session_token);
	web_cookie(req, res, "kq_session", token, SESSION_TTL, true);
	crypto_wipe(token, sizeof(token));
	web_redirect_flash(req, res, next ? next : "/compte", "success", "flash.accounts.logged_in");
}

void web_accounts_logout(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	if (w->session_token && sessions_delete(w->db, w->session_token) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	web_cookie(req, res, "kq_session", "", -1, true);
	web_redirect_flash(req, res, "/", "info", "flash.accounts.logged_out");
}

/* ---- password reset ------------------------------------------------------------------------- */

void web_accounts_reset_request_form(struct request *req, struct response *res)
{
	view_accounts_reset_request(&res->body, req, NULL, NULL);
}

void web_accounts_reset_request(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct field_errors fe = { 0 };
	const char *email = http_form(req, "email");
	enum kq_err e = accounts_reset_request(w->db, email, &fe);
	if (e == KQ_ERR_FORM_INVALID) {
		page_status(res, e);
		view_accounts_reset_request(&res->body, req, email, &fe);
		return;
	}
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	view_accounts_check_mail(&res->body, req, "accounts.check_mail.reset", false);
}

void web_accounts_reset_form(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	const char *token = http_query(req, "jeton");
	no_store(req, res);
	enum kq_err e = accounts_link_check(w->db, req->arena, LINK_RESET, token, NULL);
	if (e == KQ_ERR_AUTH_LINK_INVALID) {
		link_invalid(req, res, LINK_RESET);
		return;
	}
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	view_accounts_reset(&res->body, req, token, NULL);
}

void web_accounts_reset(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct field_errors fe = { 0 };
	const char *token = http_form(req, "jeton");
	no_store(req, res);
	enum kq_err e = accounts_reset(w->db, token, http_form(req, "new_password"), &fe, NULL);
	if (e == KQ_ERR_FORM_INVALID) {
		page_status(res, e);
		view_accounts_reset(&res->body, req, token, &fe);
		return;
	}
	if (e == KQ_ERR_AUTH_LINK_INVALID) {
		link_invalid(req, res, LINK_RESET);
		return;
	}
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	/* Every session ended, this browser's too: log in with the new password. */
	if (w->session_token)
		web_cookie(req, res, "kq_session", "", -1, true);
	web_redirect_flash(req, res, "/connexion", "success", "flash.accounts.password_reset");
}

/* ---- the account page ----------------------------------------------------------------------- */

static void settings_page(struct request *req, struct response *res, enum kq_err status,
			  struct accounts_settings_page *p)
{
	struct web *w = web_of(req);
	struct api_token *tokens;
	no_store(req, res);
	enum kq_err e = apitokens_list(w->db, &w->actor, req->arena, &tokens, &p->ntokens);
	p->tokens = tokens;
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	page_status(res, status);
	view_accounts_settings(&res->body, req, p);
}

void web_accounts_settings(struct request *req, struct response *res)
{
	struct accounts_settings_page p = { 0 };
	settings_page(req, res, KQ_OK, &p);
}

/* Refusals of the account page's forms: field errors go back to the page,
 * anything else is an error page. */
static void settings_refused(struct request *req, struct response *res, enum kq_err e,
			     const char *form, const struct field_errors *fe,
			     struct accounts_settings_page *p)
{
	if (e == KQ_ERR_FORM_INVALID || e == KQ_ERR_AUTH_THROTTLED) {
		struct field_errors *copy = arena_alloc(req->arena, sizeof(*copy));
		*copy = *fe;
		/* Throttled has no field: show it on the password of that form. */
		if (e == KQ_ERR_AUTH_THROTTLED)
			field_error_add(copy, strcmp(form, "password") == 0 ? "current_password"
									     : "password",
					err_msg_key(e));
		p->form = form;
		p->fe = copy;
		settings_page(req, res, e, p);
		return;
	}
	web_error(req, res, e);
}

void web_accounts_password_change(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct field_errors fe = { 0 };
	struct accounts_settings_page p = { 0 };
	enum kq_err e = accounts_password_change(w->db, &w->actor, w->session_token,
						 http_form(req, "current_password"),
						 http_form(req, "new_password"), &fe);
	if (e != KQ_OK) {
		settings_refused(req, res, e, "password", &fe, &p);
		return;
	}
	web_redirect_flash(req, res, "/compte", "success", "flash.accounts.password_changed");
}

void web_accounts_email_change(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct field_errors fe = { 0 };
	struct accounts_settings_page p = { 0 };
	const char *new_email = http_form(req, "new_email");
	enum kq_err e = accounts_email_change_request(w->db, &w->actor, http_form(req, "password"),
						      new_email, &fe);
	if (e != KQ_OK) {
		p.new_email = new_email;
		settings_refused(req, res, e, "email", &fe, &p);
		return;
	}
	web_redirect_flash(req, res, "/compte", "success", "flash.accounts.email_change_sent");
}

void web_accounts_email_confirm_form(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	const char *token = http_query(req, "jeton");
	const char *new_email = NULL;
	no_store(req, res);
	enum kq_err e = accounts_link_check(w->db, req->arena, LINK_EMAIL_CHANGE, token, &new_email);
	if (e == KQ_ERR_AUTH_LINK_INVALID) {
		link_invalid(req, res, LINK_EMAIL_CHANGE);
		return;
	}
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	view_accounts_email_confirm(&res->body, req, token, new_email);
}

void web_accounts_email_confirm(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	enum kq_err e = accounts_email_change_confirm(w->db, http_form(req, "jeton"), NULL);
	if (e == KQ_ERR_AUTH_LINK_INVALID) {
		link_invalid(req, res, LINK_EMAIL_CHANGE);
		return;
	}
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, w->actor.account_id ? "/compte" : "/connexion", "success",
			   "flash.accounts.email_changed");
}

void web_accounts_tokens_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct field_errors fe = { 0 };
	struct accounts_settings_page p = { 0 };
	const char *name = http_form(req, "name");
	const char *token = NULL;
	enum kq_err e = apitokens_create(w->db, &w->actor, name, req->arena, &fe, &token);
	if (e != KQ_OK) {
		p.token_name = name;
		settings_refused(req, res, e, "token", &fe, &p);
		return;
	}
	/* Shown once, in this very answer: the database only has its hash. */
	p.new_token = token;
	settings_page(req, res, KQ_OK, &p);
}

void web_accounts_tokens_revoke(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	int64_t id;
	if (!str_to_i64(http_param(req, "id"), &id)) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	enum kq_err e = apitokens_revoke(w->db, &w->actor, id);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, "/compte", "success", "flash.accounts.token_revoked");
}
