/* orgs.c: the organisation pages: directory, public page, create/edit, logo, members, invitations.
 *
 * Handlers read the request, call core/orgs.c (which decides who may do
 * what) and pick a view; after every change they redirect with a flash
 * message, so a reload never posts twice. */
#include "web/pages.h"
#include "web/views/orgs.h"
#include "web/views/posts.h"
#include "core/donations.h"
#include "core/memberships.h"
#include "base/str.h"
#include <string.h>

static void directory_nav(struct request *req)
{
	web_of(req)->nav = "directory";
}

/* The organisation named by the {slug} of the route; answers 404 itself. */
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

static const char *org_url(struct request *req, const struct org *o, const char *tail)
{
	return arena_printf(req->arena, "/organisations/%s%s", o->slug, tail);
}

static void load_communes(struct request *req, const struct commune **out, int *out_n)
{
	struct commune *c = NULL;
	int n = 0;
	if (territory_communes(web_of(req)->db, req->arena, &c, &n) != KQ_OK)
		n = 0;
	*out = c;
	*out_n = n;
}

/* ---- directory ----------------------------------------------------------------------------- */

/* The directory's filters from the query string, shared by the list and the map. */
static void read_filter(struct request *req, struct org_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->q = str_trim(req->arena, http_query(req, "q"));
	f->kind = http_query(req, "kind");
	if (!orgs_kind_valid(f->kind))
		f->kind = "";
	f->commune = str_trim(req->arena, http_query(req, "commune"));
	f->category = str_trim(req->arena, http_query(req, "category"));
	f->label = str_trim(req->arena, http_query(req, "label"));
	f->near = str_trim(req->arena, http_query(req, "near"));
	/* "Près de chez moi" needs a commune to measure from: the one chosen for it,
	 * else the commune filter. */
	if (!*f->near)
		f->near = f->commune;
	f->order = str_eq(http_query(req, "order"), "near") ? ORGS_ORDER_NEAR : ORGS_ORDER_NAME;
}

static void load_labels(struct request *req, const struct org_label **out, int *out_n)
{
	struct org_label *l = NULL;
	int n = 0;
	if (orgs_labels(web_of(req)->db, req->arena, &l, &n) != KQ_OK)
		n = 0;
	*out = l;
	*out_n = n;
}

void web_orgs_directory(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	directory_nav(req);
	struct org_filter f;
	read_filter(req, &f);
	int64_t page = 1;
	if (!str_to_i64(http_query(req, "page"), &page) || page < 1 || page > 100000)
		page = 1;
	f.limit = ORGS_DIRECTORY_PAGE;
	f.offset = (int)((page - 1) * ORGS_DIRECTORY_PAGE);

	struct orgs_directory_view v = { .filter = &f, .page = (int)page,
					 .order_near = http_query(req, "order") &&
						       str_eq(http_query(req, "order"), "near") };
	struct org *items;
	if (orgs_list(w->db, req->arena, &f, &items, &v.n, &v.total) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	v.items = items;
	v.pages = (int)((v.total + ORGS_DIRECTORY_PAGE - 1) / ORGS_DIRECTORY_PAGE);
	load_communes(req, &v.communes, &v.ncommunes);
	load_labels(req, &v.labels, &v.nlabels);
	view_orgs_directory(&res->body, req, &v);
}

void web_orgs_map(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	directory_nav(req);
	struct org_filter f;
	read_filter(req, &f);
	struct orgs_directory_view v = { .filter = &f, .page = 1,
					 .order_near = f.order == ORGS_ORDER_NEAR };
	struct org *items;
	if (orgs_map(w->db, req->arena, &f, &items, &v.n) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	v.items = items;
	v.total = v.n;
	load_communes(req, &v.communes, &v.ncommunes);
	load_labels(req, &v.labels, &v.nlabels);
	web_directory_tiles(&v.tiles, &v.attribution);
	view_orgs_map(&res->body, req, &v);
}

/* ---- create -------------------------------------------------------------------------------- */

static struct org_input form_input(struct request *req, bool with_slug)
{
	struct org_input in = { 0 };
	in.kind = http_form(req, "kind");
	in.name = http_form(req, "name");
	in.slug = with_slug ? http_form(req, "slug") : NULL;
	in.summary = http_form(req, "summary");
	in.description = http_form(req, "description");
	in.category = http_form(req, "category");
	in.commune = http_form(req, "commune");
	in.address = http_form(req, "address");
	in.email = http_form(req, "email");
	in.phone = http_form(req, "phone");
	in.website = http_form(req, "website");
	return in;
}

static void show_form(struct request *req, struct response *res, int status,
		      struct orgs_form_view *v)
{
	load_communes(req, &v->communes, &v->ncommunes);
	res->status = status;
	buf_reset(&res->body);
	view_orgs_form(&res->body, req, v);
}

void web_orgs_new_form(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	directory_nav(req);
	struct org_input empty = { 0 };
	struct orgs_form_view v = { .values = &empty, .unverified = !w->actor.is_verified };
	show_form(req, res, 200, &v);
}

void web_orgs_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	directory_nav(req);
	struct org_input in = form_input(req, true);
	struct field_errors fe = { 0 };
	struct org o;
	enum kq_err e = orgs_create(w->db, &w->actor, &in, req->arena, &fe, &o);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, org_url(req, &o, "/modifier"), "success",
				   "flash.orgs.created");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID && e != KQ_ERR_ORGS_SLUG_TAKEN) {
		web_error(req, res, e);
		return;
	}
	struct orgs_form_view v = { .values = &in, .fe = &fe };
	if (e == KQ_ERR_ORGS_SLUG_TAKEN) {
		const char *base = in.slug && *in.slug ? in.slug : in.name;
		if (orgs_slug_suggest(w->db, req->arena, base, &v.slug_suggestion) != KQ_OK)
			v.slug_suggestion = NULL;
	}
	show_form(req, res, err_http_status(e), &v);
}

/* ---- public page --------------------------------------------------------------------------------- */

struct show_load {
	struct request *req;
	struct org *o;
	struct orgs_show_view *v;
	struct directory_extras extras;   /* hours and links, for the directory's section */
};

/* Everything the organisation's page shows besides the organisation, read together. */
static enum kq_err show_load(struct db *db, void *cls)
{
	struct show_load *x = cls;
	struct web *w = web_of(x->req);
	struct arena *a = x->req->arena;
	struct org *o = x->o;
	struct orgs_show_view *v = x->v;
	enum kq_err e;
	if (w->actor.account_id) {
		if ((e = orgs_member_role(db, a, o->id, w->actor.account_id, &v->viewer_role)) != KQ_OK)
			return e;
		v->can_edit = orgs_authorize(db, &w->actor, o->id, ORG_ACT_EDIT_PROFILE) == KQ_OK;
		v->can_see_members = orgs_authorize(db, &w->actor, o->id, ORG_ACT_VIEW_MEMBERS) == KQ_OK;
		v->can_publish = orgs_authorize(db, &w->actor, o->id, ORG_ACT_PUBLISH) == KQ_OK;
		v->can_money = strcmp(o->kind, "association") == 0 &&
			       orgs_authorize(db, &w->actor, o->id, ORG_ACT_MONEY) == KQ_OK;
	}
	if (strcmp(o->kind, "association") == 0) {
		struct membership_plan *plans;
		int nplans;
		if ((e = donations_offered(db, a, o->id, &v->takes_donations)) != KQ_OK ||
		    (e = memberships_plans(db, a, o->id, true, &plans, &nplans)) != KQ_OK)
			return e;
		v->takes_members = nplans > 0;
	}
	struct event *events;
	if ((e = events_upcoming_of_org(db, a, o->id, 5, &events, &v->nevents)) != KQ_OK)
		return e;
	v->events = events;
	struct post *posts;
	if ((e = posts_of_org(db, v->can_publish ? &w->actor : NULL, a, o->id, POSTS_ORG_LATEST,
			      &posts, &v->nposts)) != KQ_OK)
		return e;
	v->posts = posts;
	/* Read here with the rest: one lock for the whole page (the page's slot renders them). */
	x->extras.loaded = orgs_page_extras(db, a, o->id, &x->extras.hours, &x->extras.links,
					    &x->extras.nlinks) == KQ_OK;
	return KQ_OK;
}

/* The public page; cf: the contact form coming back after a refusal (NULL: fresh). */
static void show_page(struct request *req, struct response *res, const struct directory_contact *cf)
{
	struct web *w = web_of(req);
	directory_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	/* INVARIANT(hidden-org): a hidden organisation is gone but for moderators. */
	if (o.hidden_at && !actor_is_moderator(&w->actor)) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	struct orgs_show_view v = { .org = &o };
	struct show_load x = { req, &o, &v, { 0 } };
	if (core_read_together(w->db, show_load, &x) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	/* ---- page sections of other areas: one line each fills a slot of the view ---- */
	v.slot_products = web_products_org_section(req, &o);
	v.slot_follow = web_follows_org_section(req, &o);
	v.slot_directory = web_directory_org_section(req, &o, &x.extras);
	v.slot_contact_form = web_directory_contact_form(req, &o, cf);
	/* ---- end page sections ---- */
	view_orgs_show(&res->body, req, &v);
}

struct page_call {
	struct request *req;
	struct response *res;
	const struct directory_contact *cf;
};

static enum kq_err page_in_one_read(struct db *db, void *cls)
{
	(void)db;
	struct page_call *x = cls;
	show_page(x->req, x->res, x->cf);
	return KQ_OK;
}

/* The page with its sections of four other areas (follows, products, hours, contact form),
 * all in one read: SQLite takes its file lock once for the page (core_read_together). */
static void show_page_read_once(struct request *req, struct response *res,
				const struct directory_contact *cf)
{
	struct page_call x = { req, res, cf };
	if (core_read_together(web_of(req)->db, page_in_one_read, &x) != KQ_OK)
		web_error(req, res, KQ_ERR_INTERNAL);
}

void web_orgs_show(struct request *req, struct response *res)
{
	show_page_read_once(req, res, NULL);
}

void web_orgs_contact(struct request *req, struct response *res)
{
	struct org o;
	if (!load_org(req, res, &o))
		return;
	if (o.hidden_at) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	struct directory_contact cf;
	struct field_errors fe = { 0 };
	enum kq_err e = web_directory_contact_send(req, o.id, &cf, &fe);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, org_url(req, &o, "#contact"), "success",
				   "flash.directory.contact_sent");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID && !cf.error_key) {
		web_error(req, res, e);
		return;
	}
	/* The page again, the form keeping what was typed, the reasons next to the fields. */
	res->status = err_http_status(e);
	show_page_read_once(req, res, &cf);
}

/* ---- edit and logo ---------------------------------------------------------------------------------- */

static struct org_input input_of(const struct org *o)
{
	struct org_input in = { o->kind, o->name, o->slug, o->summary, o->description, o->category,
				o->commune_insee, o->address, o->email, o->phone, o->website };
	return in;
}

void web_orgs_edit_form(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	directory_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	enum kq_err e = orgs_authorize(w->db, &w->actor, o.id, ORG_ACT_EDIT_PROFILE);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	struct org_input in = input_of(&o);
	struct orgs_form_view v = { .org = &o, .values = &in };
	show_form(req, res, 200, &v);
}

void web_orgs_update(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	directory_nav(req);
	struct org o, after;
	if (!load_org(req, res, &o))
		return;
	struct org_input in = form_input(req, false);
	struct field_errors fe = { 0 };
	enum kq_err e = orgs_update(w->db, &w->actor, o.id, &in, req->arena, &fe, &after);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, org_url(req, &o, ""), "success", "flash.orgs.updated");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	struct orgs_form_view v = { .org = &o, .values = &in, .fe = &fe };
	show_form(req, res, err_http_status(e), &v);
}

void web_orgs_logo(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct upload u;
	enum kq_err e = orgs_logo_get(w->db, req->arena, http_param(req, "slug"), &u);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_send_upload(req, res, &u);
}

void web_orgs_logo_upload(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	directory_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	const struct form_field *file = http_file(req, "logo");
	enum kq_err e = orgs_logo_set(w->db, &w->actor, o.id, file ? file->value : NULL,
				      file ? file->len : 0);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, org_url(req, &o, "/modifier"), "success",
				   "flash.orgs.logo_updated");
		return;
	}
	if (e != KQ_ERR_UPLOAD_BAD_TYPE && e != KQ_ERR_UPLOAD_TOO_LARGE) {
		web_error(req, res, e);
		return;
	}
	/* The edit page again, with the reason next to the file field. */
	struct field_errors logo_fe = { 0 };
	field_error_add(&logo_fe, "logo", file && file->len ? err_msg_key(e) : "err.orgs.logo_missing");
	struct org_input in = input_of(&o);
	struct orgs_form_view v = { .org = &o, .values = &in, .logo_fe = &logo_fe };
	show_form(req, res, file && file->len ? err_http_status(e) : 422, &v);
}

/* ---- members ------------------------------------------------------------------------------------------ */

static void show_members(struct request *req, struct response *res, const struct org *o,
			 int status, const char *email, const char *role,
			 const struct field_errors *fe)
{
	struct web *w = web_of(req);
	struct orgs_members_view v = { .org = o, .invite_email = email, .invite_role = role,
				       .fe = fe };
	struct org_member *members;
	enum kq_err e = orgs_members_list(w->db, &w->actor, o->id, req->arena, &members, &v.n);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v.members = members;
	v.can_manage = orgs_authorize(w->db, &w->actor, o->id, ORG_ACT_MANAGE_MEMBERS) == KQ_OK;
	if (v.can_manage) {
		struct org_invitation *pending;
		if (orgs_invitations_pending(w->db, &w->actor, o->id, req->arena, &pending,
					     &v.npending) != KQ_OK) {
			web_error(req, res, KQ_ERR_INTERNAL);
			return;
		}
		v.pending = pending;
	}
	res->status = status;
	buf_reset(&res->body);
	view_orgs_members(&res->body, req, &v);
}

void web_orgs_members(struct request *req, struct response *res)
{
	directory_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	show_members(req, res, &o, 200, NULL, NULL, NULL);
}

void web_orgs_invite(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	directory_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	const char *email = http_form(req, "email"), *role = http_form(req, "role");
	struct field_errors fe = { 0 };
	enum kq_err e = orgs_member_invite(w->db, &w->actor, o.id, email, role, req->arena, &fe,
					   NULL, NULL);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, org_url(req, &o, "/membres"), "success",
				   "flash.orgs.invited");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID && e != KQ_ERR_ORGS_ALREADY_MEMBER) {
		web_error(req, res, e);
		return;
	}
	show_members(req, res, &o, err_http_status(e), email, role, &fe);
}

/* The {id} of the route as an account or invitation id; 0 when malformed. */
static int64_t param_id(struct request *req)
{
	int64_t id;
	return str_to_i64(http_param(req, "id"), &id) && id > 0 ? id : 0;
}

/* Refusals a member can fix by doing something else first come back as a
 * flash on the members page; the rest are error pages. */
static void member_outcome(struct request *req, struct response *res, const struct org *o,
			   enum kq_err e, const char *ok_location, const char *ok_key)
{
	if (e == KQ_OK)
		web_redirect_flash(req, res, ok_location, "success", ok_key);
	else if (e == KQ_ERR_ORGS_LAST_OWNER)
		web_redirect_flash(req, res, org_url(req, o, "/membres"), "error",
				   "flash.orgs.last_owner");
	else
		web_error(req, res, e);
}

void web_orgs_member_role(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	directory_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	int64_t id = param_id(req);
	if (!id) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	/* The members page names the field role-<id> (unique ids on the page); plain "role" works too. */
	const char *role = http_form(req, "role");
	if (!role)
		role = http_form(req, arena_printf(req->arena, "role-%lld", (long long)id));
	enum kq_err e = orgs_member_set_role(w->db, &w->actor, o.id, id, role ? role : "");
	member_outcome(req, res, &o, e, org_url(req, &o, "/membres"), "flash.orgs.role_changed");
}

void web_orgs_member_remove(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	directory_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	int64_t id = param_id(req);
	if (!id) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	enum kq_err e = orgs_member_remove(w->db, &w->actor, o.id, id);
	if (id == w->actor.account_id)
		member_outcome(req, res, &o, e, org_url(req, &o, ""), "flash.orgs.left");
	else
		member_outcome(req, res, &o, e, org_url(req, &o, "/membres"),
			       "flash.orgs.member_removed");
}

void web_orgs_invitation_revoke(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	directory_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	int64_t id = param_id(req);
	enum kq_err e = id ? orgs_invitation_revoke(w->db, &w->actor, o.id, id) : KQ_ERR_NOT_FOUND;
	member_outcome(req, res, &o, e, org_url(req, &o, "/membres"), "flash.orgs.invitation_revoked");
}

/* ---- invitations ---------------------------------------------------------------------------------------- */

void web_orgs_invitation_show(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	const char *token = http_param(req, "token");
	struct org_invitation inv;
	enum kq_err e = orgs_invitation_find(w->db, req->arena, token, &inv);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	enum orgs_invitation_state st = INV_LOGIN_NEEDED;
	if (w->actor.account_id)
		st = str_eq(str_lower_ascii(req->arena, w->actor.email ? w->actor.email : ""),
			    inv.email)
			     ? INV_CAN_ACCEPT
			     : INV_WRONG_ACCOUNT;
	view_orgs_invitation(&res->body, req, &inv, token, st);
}

void web_orgs_invitation_accept(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct org_invitation inv;
	enum kq_err e = orgs_invitation_accept(w->db, &w->actor, http_param(req, "token"),
					       req->arena, &inv);
	if (e == KQ_OK) {
		web_redirect_flash(req, res,
				   arena_printf(req->arena, "/organisations/%s", inv.org_slug),
				   "success", "flash.orgs.invitation_accepted");
		return;
	}
	web_error(req, res, e);
}
