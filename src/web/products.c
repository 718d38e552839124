/* products.c: "Made in terroir" pages: products list and page, label and market pages, an organisation's product forms, the labels admin page.
 *
 * Handlers read the request, call core/products.c (which decides who may
 * see and change what) and pick a view; after a change they redirect with a
 * flash message, so a reload never posts twice. The product form names its
 * checkboxes after what they choose (label_<slug>, market_<slug>,
 * partner_<slug>), so the handler reads them against the same lists it
 * shows: no repeated field name to parse. */
#include "web/pages.h"
#include "web/views/products.h"
#include "base/str.h"
#include <string.h>

static void terroir_nav(struct request *req)
{
	web_of(req)->nav = "directory";
}

static const char *query_or_empty(struct request *req, const char *name)
{
	const char *v = http_query(req, name);
	return v && str_text_ok(v, 60, false) ? v : "";
}

/* ---- public pages ------------------------------------------------------------------------------ */

struct list_load {
	struct request *req;
	struct products_list_view *v;
	struct product_filter *f;
};

static enum kq_err list_load(struct db *db, void *cls)
{
	struct list_load *x = cls;
	struct arena *a = x->req->arena;
	struct products_list_view *v = x->v;
	struct product *items;
	enum kq_err e = products_list(db, a, x->f, &items, &v->n, &v->total);
	if (e != KQ_OK)
		return e;
	v->items = items;
	struct label *labels;
	if ((e = labels_list(db, a, &labels, &v->nlabels)) != KQ_OK)
		return e;
	v->labels = labels;
	struct commune *c = NULL;
	if (territory_communes(db, a, &c, &v->ncommunes) != KQ_OK)
		v->ncommunes = 0;
	v->communes = c;
	return KQ_OK;
}

void web_products_list(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	terroir_nav(req);
	struct products_list_view v = { .label = query_or_empty(req, "label"),
					.commune = query_or_empty(req, "commune"),
					.in_season = str_eq(http_query(req, "saison"), "1"),
					.month = products_month_now() };
	int64_t page = 1;
	if (!str_to_i64(http_query(req, "page"), &page) || page < 1 || page > 100000)
		page = 1;
	struct product_filter f = { .label = v.label, .commune = v.commune,
				    .in_season_month = v.in_season ? v.month : 0,
				    .limit = PRODUCTS_LIST_PAGE,
				    .offset = (int)(page - 1) * PRODUCTS_LIST_PAGE };
	struct list_load x = { req, &v, &f };
	enum kq_err e = core_read_together(w->db, list_load, &x);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v.page = (int)page;
	v.pages = (int)((v.total + PRODUCTS_LIST_PAGE - 1) / PRODUCTS_LIST_PAGE);
	view_products_list(&res->body, req, &v);
}

/* The product named by the route's {slug}, as who may see it; answers 404 itself. */
static bool load_product(struct request *req, struct response *res, struct product *out)
{
	struct web *w = web_of(req);
	enum kq_err e = products_get(w->db, &w->actor, req->arena, http_param(req, "slug"), out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

/* The product, when who may edit it; answers the error itself. */
static bool load_own_product(struct request *req, struct response *res, struct product *out)
{
	struct web *w = web_of(req);
	if (!load_product(req, res, out))
		return false;
	enum kq_err e = products_authorize(w->db, &w->actor, out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

void web_products_show(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	terroir_nav(req);
	struct product p;
	if (!load_product(req, res, &p))
		return;
	struct products_show_view v = { .p = &p, .month = products_month_now() };
	v.can_edit = w->actor.account_id && products_authorize(w->db, &w->actor, &p) == KQ_OK;
	if (p.hidden_at)
		http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_products_show(&res->body, req, &v);
}

void web_labels_index(struct request *req, struct response *res)
{
	terroir_nav(req);
	struct label *labels;
	int n = 0;
	enum kq_err e = labels_list(web_of(req)->db, req->arena, &labels, &n);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	view_labels_index(&res->body, req, labels, n);
}

void web_labels_show(struct request *req, struct response *res)
{
	terroir_nav(req);
	struct label l;
	struct product *items;
	struct product_org *orgs;
	struct labels_show_view v = { .l = &l };
	enum kq_err e = labels_page(web_of(req)->db, req->arena, http_param(req, "slug"), &l, &items,
				    &v.n, &orgs, &v.norgs);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v.items = items;
	v.orgs = orgs;
	view_labels_show(&res->body, req, &v);
}

void web_markets_list(struct request *req, struct response *res)
{
	terroir_nav(req);
	struct market *items;
	int n = 0;
	enum kq_err e = markets_list(web_of(req)->db, req->arena, &items, &n);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	view_markets_list(&res->body, req, items, n);
}

struct market_load {
	struct request *req;
	struct markets_show_view *v;
	const char *slug;
	struct market *m;
};

static enum kq_err market_load(struct db *db, void *cls)
{
	struct market_load *x = cls;
	struct arena *a = x->req->arena;
	enum kq_err e = markets_get(db, a, x->slug, x->m);
	if (e != KQ_OK)
		return e;
	struct product_org *orgs;
	if ((e = markets_producers(db, a, x->m->id, &orgs, &x->v->norgs)) != KQ_OK)
		return e;
	x->v->orgs = orgs;
	struct product_filter f = { .market_id = x->m->id, .limit = PRODUCTS_PAGE_MAX };
	struct product *items;
	int64_t total = 0;
	if ((e = products_list(db, a, &f, &items, &x->v->n, &total)) != KQ_OK)
		return e;
	x->v->items = items;
	return KQ_OK;
}

void web_markets_show(struct request *req, struct response *res)
{
	terroir_nav(req);
	struct market m;
	struct markets_show_view v = { .m = &m };
	struct market_load x = { req, &v, http_param(req, "slug"), &m };
	enum kq_err e = core_read_together(web_of(req)->db, market_load, &x);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	view_markets_show(&res->body, req, &v);
}

/* The organisation page's section (slot_products of orgs_show_view). */
struct safe_html web_products_org_section(struct request *req, const struct org *o)
{
	struct web *w = web_of(req);
	struct buf b = BUF_INIT;
	if (strcmp(o->kind, "producer") != 0 && strcmp(o->kind, "business") != 0)
		return html_section_take(req->arena, &b);
	struct product *items;
	int n = 0;
	bool can_publish = w->actor.account_id &&
			   orgs_authorize(w->db, &w->actor, o->id, ORG_ACT_PUBLISH) == KQ_OK;
	if (products_of_org(w->db, &w->actor, req->arena, o->id, &items, &n) != KQ_OK)
		n = 0;
	view_products_org_section(&b, req, o, items, n, can_publish);
	return html_section_take(req->arena, &b);
}

/* ---- create, edit, delete ------------------------------------------------------------------- */

/* The organisation of the route's {slug}; answers 404 itself. */
static bool load_org(struct request *req, struct response *res, struct org *out)
{
	enum kq_err e = orgs_get(web_of(req)->db, req->arena, http_param(req, "slug"), out);
	if (e == KQ_OK && out->hidden_at && !actor_is_moderator(&web_of(req)->actor))
		e = KQ_ERR_NOT_FOUND;
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

/* What the form offers: every label, market, and partner shop but org. */
static void form_choices(struct request *req, const struct org *org, struct products_form_view *v)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	struct label *labels = NULL;
	struct market *markets = NULL;
	if (labels_list(w->db, a, &labels, &v->nlabels) != KQ_OK)
		v->nlabels = 0;
	if (markets_list(w->db, a, &markets, &v->nmarkets) != KQ_OK)
		v->nmarkets = 0;
	v->labels = labels;
	v->markets = markets;
	struct org *all = arena_alloc(a, sizeof(*all) * 2 * ORGS_PAGE_MAX);
	int n = 0;
	static const char *const kinds[] = { "business", "producer" };
	for (int k = 0; k < 2; k++) {
		struct org_filter f = { .kind = kinds[k], .limit = ORGS_PAGE_MAX };
		struct org *page;
		int np = 0;
		int64_t total = 0;
		if (orgs_list(w->db, a, &f, &page, &np, &total) != KQ_OK)
			continue;
		for (int i = 0; i < np; i++)
			if (page[i].id != org->id && !page[i].hidden_at)
				all[n++] = page[i];
	}
	v->partners = all;
	v->npartners = n;
}

/* The form's values: text fields, and the checked boxes among v's choices. */
static void form_input(struct request *req, const struct products_form_view *v,
		       struct product_input *in)
{
	struct arena *a = req->arena;
	memset(in, 0, sizeof(*in));
	in->name = http_form(req, "name");
	in->summary = http_form(req, "summary");
	in->description = http_form(req, "description");
	in->season_start = http_form(req, "season_start");
	in->season_end = http_form(req, "season_end");
	in->shop_notes = http_form(req, "shop_notes");
	in->shop = http_form(req, "shop") != NULL;
	/* A form always sends these: an absent one is an empty one, not "keep". */
	const char **fields[] = { &in->name, &in->summary, &in->description, &in->season_start,
				  &in->season_end, &in->shop_notes };
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!*fields[i])
			*fields[i] = "";
	in->set_labels = true;
	in->set_places = true;
	const char **labels = arena_alloc(a, sizeof(char *) * (size_t)(v->nlabels + 1));
	for (int i = 0; i < v->nlabels; i++)
		if (http_form(req, arena_printf(a, "label_%s", v->labels[i].slug)))
			labels[in->nlabels++] = v->labels[i].slug;
	in->labels = labels;
	const char **markets = arena_alloc(a, sizeof(char *) * (size_t)(v->nmarkets + 1));
	for (int i = 0; i < v->nmarkets; i++)
		if (http_form(req, arena_printf(a, "market_%s", v->markets[i].slug)))
			markets[in->nmarkets++] = v->markets[i].slug;
	in->markets = markets;
	const char **partners = arena_alloc(a, sizeof(char *) * (size_t)(v->npartners + 1));
	for (int i = 0; i < v->npartners; i++)
		if (http_form(req, arena_printf(a, "partner_%s", v->partners[i].slug)))
			partners[in->npartners++] = v->partners[i].slug;
	in->partners = partners;
}

/* The form's values from a saved product. */
static void input_of(struct request *req, const struct product *p, struct product_input *in)
{
	struct arena *a = req->arena;
	memset(in, 0, sizeof(*in));
	in->name = p->name;
	in->summary = p->summary;
	in->description = p->description;
	in->season_start = p->season_start ? arena_printf(a, "%d", p->season_start) : "";
	in->season_end = p->season_end ? arena_printf(a, "%d", p->season_end) : "";
	const char **labels = arena_alloc(a, sizeof(char *) * (size_t)(p->nlabels + 1));
	for (int i = 0; i < p->nlabels; i++)
		labels[in->nlabels++] = p->labels[i].slug;
	in->labels = labels;
	const char **markets = arena_alloc(a, sizeof(char *) * (size_t)(p->nplaces + 1));
	const char **partners = arena_alloc(a, sizeof(char *) * (size_t)(p->nplaces + 1));
	in->shop_notes = "";
	for (int i = 0; i < p->nplaces; i++) {
		const struct product_place *pl = &p->places[i];
		if (strcmp(pl->kind, "shop") == 0) {
			in->shop = true;
			in->shop_notes = pl->notes;
		} else if (strcmp(pl->kind, "market") == 0) {
			markets[in->nmarkets++] = pl->market.slug;
		} else {
			partners[in->npartners++] = pl->org_slug;
		}
	}
	in->markets = markets;
	in->partners = partners;
}

static void show_form(struct request *req, struct response *res, int status,
		      const struct products_form_view *v)
{
	res->status = status;
	buf_reset(&res->body);
	view_products_form(&res->body, req, v);
}

void web_products_manage(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	terroir_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	enum kq_err e = orgs_authorize(w->db, &w->actor, o.id, ORG_ACT_PUBLISH);
	if (e == KQ_OK && strcmp(o.kind, "producer") != 0 && strcmp(o.kind, "business") != 0)
		e = KQ_ERR_PRODUCTS_ORG_KIND;
	struct product *items = NULL;
	int n = 0;
	if (e == KQ_OK)
		e = products_of_org(w->db, &w->actor, req->arena, o.id, &items, &n);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	view_products_manage(&res->body, req, &o, items, n);
}

void web_products_new_form(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	terroir_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	enum kq_err e = orgs_authorize(w->db, &w->actor, o.id, ORG_ACT_PUBLISH);
	if (e == KQ_OK && strcmp(o.kind, "producer") != 0 && strcmp(o.kind, "business") != 0)
		e = KQ_ERR_PRODUCTS_ORG_KIND;
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	struct product_input in = { .name = "", .shop = true };
	struct products_form_view v = { .org = &o, .values = &in };
	form_choices(req, &o, &v);
	show_form(req, res, 200, &v);
}

void web_products_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	terroir_nav(req);
	struct org o;
	if (!load_org(req, res, &o))
		return;
	struct products_form_view v = { .org = &o };
	form_choices(req, &o, &v);
	struct product_input in;
	form_input(req, &v, &in);
	struct field_errors fe = { 0 };
	struct product p;
	enum kq_err e = products_create(w->db, &w->actor, o.id, &in, req->arena, &fe, &p);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, arena_printf(req->arena, "/produits/%s", p.slug),
				   "success", "flash.products.created");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	v.values = &in;
	v.fe = &fe;
	show_form(req, res, err_http_status(e), &v);
}

void web_products_edit_form(struct request *req, struct response *res)
{
	terroir_nav(req);
	struct product p;
	if (!load_own_product(req, res, &p))
		return;
	struct org o;
	if (orgs_get_by_id(web_of(req)->db, req->arena, p.org_id, &o) != KQ_OK) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	struct product_input in;
	input_of(req, &p, &in);
	struct products_form_view v = { .org = &o, .p = &p, .values = &in };
	form_choices(req, &o, &v);
	show_form(req, res, 200, &v);
}

void web_products_update(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	terroir_nav(req);
	struct product p, after;
	if (!load_own_product(req, res, &p))
		return;
	struct org o;
	if (orgs_get_by_id(w->db, req->arena, p.org_id, &o) != KQ_OK) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	struct products_form_view v = { .org = &o, .p = &p };
	form_choices(req, &o, &v);
	struct product_input in;
	form_input(req, &v, &in);
	struct field_errors fe = { 0 };
	enum kq_err e = products_update(w->db, &w->actor, p.id, &in, req->arena, &fe, &after);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, arena_printf(req->arena, "/produits/%s", p.slug),
				   "success", "flash.products.updated");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	v.values = &in;
	v.fe = &fe;
	show_form(req, res, err_http_status(e), &v);
}

void web_products_delete_form(struct request *req, struct response *res)
{
	terroir_nav(req);
	struct product p;
	if (!load_own_product(req, res, &p))
		return;
	view_products_delete_confirm(&res->body, req, &p);
}

void web_products_delete(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	terroir_nav(req);
	struct product p;
	if (!load_product(req, res, &p))
		return;
	enum kq_err e = products_delete(w->db, &w->actor, p.id);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, arena_printf(req->arena, "/organisations/%s/produits",
						  url_arg(req->arena, p.org_slug)),
			   "success", "flash.products.deleted");
}

/* ---- labels and markets admin ------------------------------------------------------------------ */

static void show_admin(struct request *req, struct response *res, int status,
		       struct labels_admin_view *v)
{
	struct web *w = web_of(req);
	struct label *labels = NULL;
	struct market *markets = NULL;
	struct commune *c = NULL;
	if (labels_list(w->db, req->arena, &labels, &v->nlabels) != KQ_OK)
		v->nlabels = 0;
	if (markets_list(w->db, req->arena, &markets, &v->nmarkets) != KQ_OK)
		v->nmarkets = 0;
	if (territory_communes(w->db, req->arena, &c, &v->ncommunes) != KQ_OK)
		v->ncommunes = 0;
	v->labels = labels;
	v->markets = markets;
	v->communes = c;
	static const struct label_input no_label = { "", "", "", "local" };
	static const struct market_input no_market = { "", "", "", "", "6", "", "", "" };
	if (!v->label_values)
		v->label_values = &no_label;
	if (!v->market_values)
		v->market_values = &no_market;
	res->status = status;
	buf_reset(&res->body);
	view_labels_admin(&res->body, req, v);
}

void web_labels_admin(struct request *req, struct response *res)
{
	terroir_nav(req);
	if (!actor_is_admin(&web_of(req)->actor)) {
		web_error(req, res, KQ_ERR_FORBIDDEN);
		return;
	}
	struct labels_admin_view v = { 0 };
	show_admin(req, res, 200, &v);
}

static const char *form_or_empty(struct request *req, const char *name)
{
	const char *v = http_form(req, name);
	return v ? v : "";
}

void web_labels_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	terroir_nav(req);
	struct label_input in = { form_or_empty(req, "slug"), form_or_empty(req, "name"),
				  form_or_empty(req, "description"), form_or_empty(req, "kind") };
	struct field_errors fe = { 0 };
	struct label l;
	enum kq_err e = labels_create(w->db, &w->actor, &in, req->arena, &fe, &l);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, "/admin/labels", "success", "flash.labels.created");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	struct labels_admin_view v = { .label_values = &in, .label_fe = &fe };
	show_admin(req, res, err_http_status(e), &v);
}

void web_markets_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	terroir_nav(req);
	struct market_input in = { form_or_empty(req, "name"), form_or_empty(req, "slug"),
				   form_or_empty(req, "commune"), form_or_empty(req, "place"),
				   form_or_empty(req, "weekday"), form_or_empty(req, "opens"),
				   form_or_empty(req, "closes"), form_or_empty(req, "season_notes") };
	struct field_errors fe = { 0 };
	struct market m;
	enum kq_err e = markets_create(w->db, &w->actor, &in, req->arena, &fe, &m);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, "/admin/labels", "success", "flash.markets.created");
		return;
	}
	if (e != KQ_ERR_FORM_INVALID) {
		web_error(req, res, e);
		return;
	}
	struct labels_admin_view v = { .market_values = &in, .market_fe = &fe };
	show_admin(req, res, err_http_status(e), &v);
}
