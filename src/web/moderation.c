/* moderation.c: "Signaler" for members; the queue, content and account pages, and the audit log
 * for moderators. core/moderation.c checks every right; these handlers read the form, call it and
 * redirect with a flash message after a change, so a reload never acts twice. */
#include "web/pages.h"
#include "web/views/moderation.h"
#include "base/str.h"
#include <string.h>

static int64_t id_of(const char *s)
{
	int64_t id = 0;
	return str_to_i64(s, &id) && id > 0 ? id : 0;
}

/* ---- reporting ------------------------------------------------------------------------------------- */

static void report_form(struct request *req, struct response *res, const char *kind, int64_t id,
			struct moderation_report_view *v)
{
	struct web *w = web_of(req);
	struct moderation_target t;
	enum kq_err e = moderation_target_get(w->db, req->arena, kind, id, &t);
	if (e == KQ_OK && t.hidden_at)
		e = KQ_ERR_NOT_FOUND;
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v->t = &t;
	view_moderation_report_form(&res->body, req, v);
}

void web_moderation_report_form(struct request *req, struct response *res)
{
	struct moderation_report_view v = { .reason = "", .details = "" };
	report_form(req, res, http_query(req, "type"), id_of(http_query(req, "id")), &v);
}

void web_moderation_report(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct moderation_report_input in = { http_form(req, "type"), id_of(http_form(req, "id")),
					      http_form(req, "reason"), http_form(req, "details") };
	struct field_errors fe = { 0 };
	bool already = false;
	enum kq_err e = moderation_report(w->db, &w->actor, &in, &fe, &already);
	if (e == KQ_OK) {
		struct moderation_target t;
		const char *back = moderation_target_get(w->db, req->arena, in.kind, in.id, &t) == KQ_OK
			? t.path : "/";
		web_redirect_flash(req, res, back, "success",
				   already ? "flash.moderation.already" : "flash.moderation.reported");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID && e != KQ_ERR_MODERATION_TOO_MANY) {
		web_error(req, res, e);
		return;
	}
	res->status = err_http_status(e);
	struct moderation_report_view v = { .reason = in.reason ? in.reason : "",
					    .details = in.details ? in.details : "", .fe = &fe,
					    .error_key = e == KQ_ERR_MODERATION_TOO_MANY
						? "err.moderation.too_many" : NULL };
	report_form(req, res, in.kind, in.id, &v);
}

/* ---- the queue and the log ------------------------------------------------------------------------- */

void web_moderation_queue(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct moderation_queue_item *items;
	int n;
	enum kq_err e = moderation_queue(w->db, &w->actor, req->arena, &items, &n);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_moderation_queue(&res->body, req, items, n);
}

void web_moderation_log(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct moderation_act *acts;
	int n;
	enum kq_err e = moderation_log(w->db, &w->actor, req->arena, id_of(http_query(req, "avant")),
				       &acts, &n);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_moderation_log(&res->body, req, acts, n,
			    n == MODERATION_LOG_PAGE ? acts[n - 1].id : 0);
}

/* ---- one content ----------------------------------------------------------------------------------- */

static void target_page(struct request *req, struct response *res, const char *form, const char *note,
			const struct field_errors *fe)
{
	struct web *w = web_of(req);
	struct moderation_target t;
	struct moderation_target_view v = { .t = &t, .form = form, .note = note, .fe = fe };
	struct moderation_report *reports;
	struct moderation_act *acts;
	enum kq_err e = moderation_target_history(w->db, &w->actor, req->arena, http_param(req, "kind"),
						  id_of(http_param(req, "id")), &t, &reports,
						  &v.nreports, &acts, &v.nacts);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v.reports = reports;
	v.acts = acts;
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_moderation_target(&res->body, req, &v);
}

void web_moderation_target(struct request *req, struct response *res)
{
	target_page(req, res, NULL, NULL, NULL);
}

typedef enum kq_err (*act_fn)(struct db *db, const struct actor *who, const char *kind, int64_t id,
			      const char *note, struct field_errors *fe);

static void act(struct request *req, struct response *res, act_fn fn, const char *form,
		const char *done_key)
{
	struct web *w = web_of(req);
	const char *kind = http_param(req, "kind");
	int64_t id = id_of(http_param(req, "id"));
	const char *note = http_form(req, "note");
	struct field_errors fe = { 0 };
	enum kq_err e = fn(w->db, &w->actor, kind, id, note, &fe);
	const char *back = arena_printf(req->arena, "/moderation/contenu/%s/%lld", kind, (long long)id);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, back, "success", done_key);
		return;
	}
	if (e == KQ_ERR_MODERATION_STATE) {
		web_redirect_flash(req, res, back, "info", "flash.moderation.state");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	res->status = err_http_status(e);
	target_page(req, res, form, note ? note : "", &fe);
}

void web_moderation_hide(struct request *req, struct response *res)
{
	act(req, res, moderation_hide, "hide", "flash.moderation.hidden");
}

void web_moderation_restore(struct request *req, struct response *res)
{
	act(req, res, moderation_restore, "restore", "flash.moderation.restored");
}

void web_moderation_dismiss(struct request *req, struct response *res)
{
	act(req, res, moderation_dismiss, "dismiss", "flash.moderation.dismissed");
}

/* ---- accounts -------------------------------------------------------------------------------------- */

static void account_page(struct request *req, struct response *res, const char *note,
			 const struct field_errors *fe)
{
	struct web *w = web_of(req);
	struct moderation_account acc;
	struct moderation_act *acts;
	struct moderation_account_view v = { .acc = &acc, .note = note, .fe = fe };
	enum kq_err e = moderation_account_get(w->db, &w->actor, req->arena, id_of(http_param(req, "id")),
					       &acc, &acts, &v.nacts);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v.acts = acts;
	/* The same rule as core's, to offer only a form that can work. */
	v.can_act = acc.id != w->actor.account_id && acc.platform_role[0] != 'a' &&
		    (acc.platform_role[0] == 0 || actor_is_admin(&w->actor));
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_moderation_account(&res->body, req, &v);
}

void web_moderation_account(struct request *req, struct response *res)
{
	account_page(req, res, NULL, NULL);
}

static void suspend_act(struct request *req, struct response *res, bool on)
{
	struct web *w = web_of(req);
	int64_t id = id_of(http_param(req, "id"));
	const char *note = http_form(req, "note");
	struct field_errors fe = { 0 };
	enum kq_err e = on ? moderation_suspend(w->db, &w->actor, id, note, &fe)
			   : moderation_unsuspend(w->db, &w->actor, id, note, &fe);
	const char *back = arena_printf(req->arena, "/moderation/comptes/%lld", (long long)id);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, back, "success",
				   on ? "flash.moderation.suspended" : "flash.moderation.unsuspended");
		return;
	}
	if (e == KQ_ERR_MODERATION_STATE) {
		web_redirect_flash(req, res, back, "info", "flash.moderation.state");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	res->status = err_http_status(e);
	account_page(req, res, note ? note : "", &fe);
}

void web_moderation_suspend(struct request *req, struct response *res)
{
	suspend_act(req, res, true);
}

void web_moderation_unsuspend(struct request *req, struct response *res)
{
	suspend_act(req, res, false);
}
