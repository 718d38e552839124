/* practical.c: "Infos pratiques": the index, one page, and the forms public bodies keep them with (new, edit, delete with confirmation) */
#include "pages.h"
#include "web/views/practical.h"
#include <string.h>

static void nav(struct request *req)
{
	web_of(req)->nav = "practical";
}

void web_practical_index(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	nav(req);
	struct practical_index_view v = { 0 };
	struct practical_section *s = NULL;
	enum kq_err e = practical_index(w->db, req->arena, &s, &v.nsections);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v.sections = s;
	if (w->actor.account_id) {
		struct practical_org *orgs = NULL;
		int n = 0;
		if (practical_orgs_of(w->db, &w->actor, req->arena, &orgs, &n) == KQ_OK)
			v.can_manage = n > 0;
	}
	view_practical_index(&res->body, req, &v);
}

/* The page of the route's {slug}; answers 404 itself. */
static bool load_page(struct request *req, struct response *res, struct practical_page *out)
{
	enum kq_err e = practical_get(web_of(req)->db, req->arena, http_param(req, "slug"), out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

/* The page, when who may keep it; answers the error itself. */
static bool load_own_page(struct request *req, struct response *res, struct practical_page *out)
{
	struct web *w = web_of(req);
	if (!load_page(req, res, out))
		return false;
	enum kq_err e = practical_authorize(w->db, &w->actor, out->org_id);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

void web_practical_show(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	nav(req);
	struct practical_page p;
	if (!load_page(req, res, &p))
		return;
	struct practical_show_view v = { .p = &p };
	v.can_edit = w->actor.account_id && practical_authorize(w->db, &w->actor, p.org_id) == KQ_OK;
	view_practical_show(&res->body, req, &v);
}

/* The form's fields: a form always sends them, so an absent one is empty. */
static void form_input(struct request *req, struct practical_input *in)
{
	const char *f;
	memset(in, 0, sizeof(*in));
	in->section = (f = http_form(req, "section")) ? f : "";
	in->title = (f = http_form(req, "title")) ? f : "";
	in->body = (f = http_form(req, "body")) ? f : "";
	in->position = (f = http_form(req, "position")) ? f : "";
}

/* Shows the form (status 200 or the error's); loads what its selects list. */
static void show_form(struct request *req, struct response *res, int status,
		      struct practical_form_view *v)
{
	struct web *w = web_of(req);
	struct practical_section *s = NULL;
	if (practical_sections(w->db, req->arena, &s, &v->nsections) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	v->sections = s;
	res->status = status;
	buf_reset(&res->body);
	view_practical_form(&res->body, req, v);
}

/* The public bodies who may keep pages; none: 403 (answered here). */
static bool load_orgs(struct request *req, struct response *res, struct practical_form_view *v)
{
	struct web *w = web_of(req);
	struct practical_org *orgs = NULL;
	enum kq_err e = practical_orgs_of(w->db, &w->actor, req->arena, &orgs, &v->norgs);
	if (e == KQ_OK && v->norgs == 0)
		e = KQ_ERR_PRACTICAL_NOT_PUBLIC_BODY;
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	v->orgs = orgs;
	return true;
}

void web_practical_new_form(struct request *req, struct response *res)
{
	nav(req);
	struct practical_form_view v = { 0 };
	if (!load_orgs(req, res, &v))
		return;
	struct practical_input in = { .section = "", .title = "", .body = "", .position = "" };
	v.values = &in;
	v.org_slug = http_query(req, "org");
	show_form(req, res, 200, &v);
}

void web_practical_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	nav(req);
	struct practical_form_view v = { 0 };
	if (!load_orgs(req, res, &v))
		return;
	struct practical_input in;
	form_input(req, &in);
	v.values = &in;
	v.org_slug = http_form(req, "org");
	struct field_errors fe = { 0 };
	v.fe = &fe;
	int64_t org_id = 0;
	for (int i = 0; v.org_slug && i < v.norgs; i++)
		if (strcmp(v.orgs[i].slug, v.org_slug) == 0)
			org_id = v.orgs[i].id;
	if (!org_id) {
		field_error_add(&fe, "org", "err.practical.org_invalid");
		show_form(req, res, err_http_status(KQ_ERR_FORM_INVALID), &v);
		return;
	}
	struct practical_page p;
	enum kq_err e = practical_create(w->db, &w->actor, org_id, &in, req->arena, &fe, &p);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, arena_printf(req->arena, "/infos-pratiques/%s", p.slug),
				   "success", "flash.practical.created");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	show_form(req, res, err_http_status(e), &v);
}

void web_practical_edit_form(struct request *req, struct response *res)
{
	nav(req);
	struct practical_page p;
	if (!load_own_page(req, res, &p))
		return;
	struct practical_input in = { .section = p.section_slug, .title = p.title, .body = p.body,
				      .position = arena_printf(req->arena, "%d", p.position) };
	struct practical_form_view v = { .p = &p, .values = &in };
	show_form(req, res, 200, &v);
}

void web_practical_update(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	nav(req);
	struct practical_page p;
	if (!load_own_page(req, res, &p))
		return;
	struct practical_input in;
	form_input(req, &in);
	struct field_errors fe = { 0 };
	struct practical_page out;
	enum kq_err e = practical_update(w->db, &w->actor, p.id, &in, req->arena, &fe, &out);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, arena_printf(req->arena, "/infos-pratiques/%s", out.slug),
				   "success", "flash.practical.saved");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	struct practical_form_view v = { .p = &p, .values = &in, .fe = &fe };
	show_form(req, res, err_http_status(e), &v);
}

void web_practical_delete_form(struct request *req, struct response *res)
{
	nav(req);
	struct practical_page p;
	if (!load_own_page(req, res, &p))
		return;
	view_practical_delete_confirm(&res->body, req, &p);
}

void web_practical_delete(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	nav(req);
	struct practical_page p;
	if (!load_own_page(req, res, &p))
		return;
	enum kq_err e = practical_delete(w->db, &w->actor, p.id);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, "/infos-pratiques", "success", "flash.practical.deleted");
}
