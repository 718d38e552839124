/* test_products.c: "Made in terroir": rights, validation, season wrap, places to buy, label and market pages, hidden content left out (core/products.c) */
#include "testlib.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/str.h"
#include "core/orgs.h"
#include "core/products.h"

#include <string.h>

struct env {
	char url[1024];
	char schema[128];
	struct db *db;
	struct arena *a;
	int64_t owner, editor, box, stranger, admin, moderator, shopkeeper;
	int64_t farm_id, shop_id, asso_id;
};

TL_MIGRATED_DB_SETUPS(struct env, "products")

/* ---- fixtures ------------------------------------------------------------------------------- */

static const struct db_sql SQL_COMMUNE = { "ut_products_commune",
	"INSERT INTO communes (insee, name, postcode) VALUES ($1, $2, '26470')" };
static const struct db_sql SQL_COUNT_PRODUCTS = { "ut_products_count",
	"SELECT COUNT(*) FROM products" };
static const struct db_sql SQL_COUNT_PLACES = { "ut_products_count_places",
	"SELECT COUNT(*) FROM product_places" };
static const struct db_sql SQL_COUNT_PLABELS = { "ut_products_count_plabels",
	"SELECT COUNT(*) FROM product_labels" };
static const struct db_sql SQL_COUNT_LABELS = { "ut_products_count_labels",
	"SELECT COUNT(*) FROM labels" };
static const struct db_sql SQL_HIDE_PRODUCT = { "ut_products_hide",
	"UPDATE products SET hidden_at = $2 WHERE id = $1" };
static const struct db_sql SQL_HIDE_ORG = { "ut_products_hide_org",
	"UPDATE organisations SET hidden_at = $2 WHERE id = $1" };

static int64_t account(struct db *db, const char *email, const char *name, const char *role)
{
	return tl_account(db, email, name, role);
}

static struct actor actor_of(struct env *e, int64_t id)
{
	return tl_actor(e->db, e->a, id);
}

static int64_t count(struct db *db, const struct db_sql *q)
{
	struct db_stmt *st = db_stmt(db, q);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t v = db_col_i64(st, 0);
	db_reset(st);
	return v;
}

static void set_hidden(struct env *e, const struct db_sql *q, int64_t id, int64_t at)
{
	struct db_stmt *st = db_stmt(e->db, q);
	db_bind_i64(st, 1, id);
	db_bind_i64_or_null(st, 2, at);
	assert_int_equal(db_run(st), DB_NONE);
}

struct members {
	int64_t org_id;
	int64_t ids[2];
	const char *roles[2];
};

static enum db_status members_txn(struct db *db, void *cls)
{
	struct members *m = cls;
	for (int i = 0; i < 2; i++) {
		enum db_status s = orgs_member_insert_raw(db, m->org_id, m->ids[i], m->roles[i]);
		if (s < 0)
			return s;
	}
	return DB_NONE;
}

static int64_t make_org(struct env *e, int64_t owner, const char *kind, const char *name,
			const char *category, const char *commune)
{
	struct actor who = actor_of(e, owner);
	struct field_errors fe = { 0 };
	struct org o;
	struct org_input in = { .kind = kind, .name = name, .category = category,
				.commune = commune, .address = "Chemin des Granges" };
	enum kq_err r = orgs_create(e->db, &who, &in, e->a, &fe, &o);
	if (r != KQ_OK)
		fail_msg("orgs_create %s: %d (%s)", name, r, fe.n ? fe.e[0].field : "");
	return o.id;
}

static void make_market(struct env *e, const char *name, const char *weekday, const char *opens,
			const char *closes)
{
	struct actor admin = actor_of(e, e->admin);
	struct market_input in = { .name = name, .commune = "26391", .place = "Place de la Halle",
				   .weekday = weekday, .opens = opens, .closes = closes };
	struct field_errors fe = { 0 };
	struct market m;
	enum kq_err r = markets_create(e->db, &admin, &in, e->a, &fe, &m);
	if (r != KQ_OK)
		fail_msg("markets_create %s: %d (%s)", name, r, fe.n ? fe.e[0].field : "");
}

/* Every test starts from the same people: a goat farm (producer, in
 * Vesqueval: owner, editor, box office), a grocery (business, in
 * Aigueclaire, its own owner), an association, and two markets. */
static int fresh(void **state)
{
	struct env *e = *state;
	tl_set_clock(0);
	if (db_exec(e->db, "DELETE FROM product_places; DELETE FROM product_labels;"
			   " DELETE FROM products; DELETE FROM markets;"
			   " DELETE FROM labels WHERE slug NOT IN ('aop', 'aoc', 'igp', 'label-rouge',"
			   " 'ab', 'bienvenue-a-la-ferme');"
			   " DELETE FROM org_invitations; DELETE FROM org_members;"
			   " DELETE FROM organisations; DELETE FROM uploads; DELETE FROM outbox;"
			   " DELETE FROM sessions; DELETE FROM api_tokens; DELETE FROM accounts;"
			   " DELETE FROM communes") != DB_NONE)
		return -1;
	const char *communes[][2] = { { "26391", "Vesqueval" }, { "26392", "Aigueclaire" } };
	for (int i = 0; i < 2; i++) {
		struct db_stmt *st = db_stmt(e->db, &SQL_COMMUNE);
		db_bind_text(st, 1, communes[i][0]);
		db_bind_text(st, 2, communes[i][1]);
		if (db_run(st) != DB_NONE)
			return -1;
	}
	if (e->a)
		arena_free(e->a);
	e->a = arena_new();
	e->owner = account(e->db, "sophie@example.org", "Sophie", "");
	e->editor = account(e->db, "eddy@example.org", "Eddy", "");
	e->box = account(e->db, "bob@example.org", "Bob", "");
	e->stranger = account(e->db, "sam@example.org", "Sam", "");
	e->admin = account(e->db, "ada@example.org", "Ada", "admin");
	e->moderator = account(e->db, "max@example.org", "Max", "moderator");
	e->shopkeeper = account(e->db, "ines@example.org", "Inès", "");
	e->farm_id = make_org(e, e->owner, "producer", "Chèvrerie des Granges", "fromagerie", "26391");
	struct members m = { e->farm_id, { e->editor, e->box }, { "editor", "box_office" } };
	assert_true(db_txn_run(e->db, "ut_members", DB_WRITE, members_txn, &m) >= 0);
	e->shop_id = make_org(e, e->shopkeeper, "business", "Comptoir de Coustelle", "commerce",
			      "26392");
	e->asso_id = make_org(e, e->owner, "association", "Comité des fêtes", "comite-des-fetes",
			      "26391");
	make_market(e, "Marché de Vesqueval", "6", "08:00", "12:30");
	make_market(e, "Marché du soir", "3", "17h", "20 h 00");
	return 0;
}

static int done(void **state)
{
	struct env *e = *state;
	tl_set_clock(0);
	arena_free(e->a);
	e->a = NULL;
	return 0;
}

static struct product make_product(struct env *e, int64_t org_id, const char *name,
				   const char *start, const char *end, const char *label)
{
	struct actor owner = actor_of(e, org_id == e->shop_id ? e->shopkeeper : e->owner);
	const char *labels[] = { label };
	struct product_input in = { .name = name, .summary = "Au lait cru",
				    .description = "Affiné **trois semaines**.",
				    .season_start = start, .season_end = end,
				    .labels = labels, .nlabels = label ? 1 : 0, .shop = true };
	struct field_errors fe = { 0 };
	struct product p;
	enum kq_err r = products_create(e->db, &owner, org_id, &in, e->a, &fe, &p);
	if (r != KQ_OK)
		fail_msg("products_create %s: %d (%s: %s)", name, r, fe.n ? fe.e[0].field : "",
			 fe.n ? fe.e[0].key : "");
	return p;
}

/* ---- tests ------------------------------------------------------------------------------------ */

static void test_create_is_for_owner_editor_and_admin_of_producers_and_shops(void **state)
{
	struct env *e = *state;
	struct product_input in = { .name = "Picodon", .season_start = "", .season_end = "" };
	struct field_errors fe = { 0 };
	struct product p;
	int64_t allowed[] = { e->owner, e->editor, e->admin };
	for (size_t i = 0; i < TL_ARRAY_LEN(allowed); i++) {
		struct actor who = actor_of(e, allowed[i]);
		assert_int_equal(products_create(e->db, &who, e->farm_id, &in, e->a, &fe, &p), KQ_OK);
		assert_int_equal(p.org_id, e->farm_id);
		assert_string_equal(p.org_slug, "chevrerie-des-granges");
	}
	struct actor box = actor_of(e, e->box), stranger = actor_of(e, e->stranger);
	struct actor shopkeeper = actor_of(e, e->shopkeeper), visitor = { 0 };
	assert_int_equal(products_create(e->db, &box, e->farm_id, &in, e->a, &fe, &p),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(products_create(e->db, &stranger, e->farm_id, &in, e->a, &fe, &p),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(products_create(e->db, &shopkeeper, e->farm_id, &in, e->a, &fe, &p),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(products_create(e->db, &visitor, e->farm_id, &in, e->a, &fe, &p),
			 KQ_ERR_AUTH_REQUIRED);
	/* A business may sell products; an association has none. */
	assert_int_equal(products_create(e->db, &shopkeeper, e->shop_id, &in, e->a, &fe, &p), KQ_OK);
	struct actor owner = actor_of(e, e->owner);
	assert_int_equal(products_create(e->db, &owner, e->asso_id, &in, e->a, &fe, &p),
			 KQ_ERR_PRODUCTS_ORG_KIND);
	assert_int_equal(count(e->db, &SQL_COUNT_PRODUCTS), 4);
	/* Slugs come from the name and stay unique. */
	struct product *v;
	int n = 0;
	assert_int_equal(products_of_org(e->db, &owner, e->a, e->farm_id, &v, &n), KQ_OK);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].slug, "picodon");
	assert_string_equal(v[1].slug, "picodon-2");
	assert_string_equal(v[2].slug, "picodon-3");
}

static void test_create_validates_every_field_and_writes_nothing(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	const char *labels[] = { "aop", "pas-un-label" };
	const char *markets[] = { "marche-inconnu" };
	const char *partners[] = { "chevrerie-des-granges" };   /* itself */
	struct product_input in = { .name = "x", .summary = "une\nligne",
				    .season_start = "13", .season_end = "",
				    .labels = labels, .nlabels = 2, .markets = markets, .nmarkets = 1,
				    .partners = partners, .npartners = 1, .shop = true };
	struct field_errors fe = { 0 };
	struct product p;
	assert_int_equal(products_create(e->db, &owner, e->farm_id, &in, e->a, &fe, &p),
			 KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "name"), "err.products.name_invalid");
	assert_string_equal(field_error_get(&fe, "summary"), "err.products.summary_invalid");
	assert_string_equal(field_error_get(&fe, "season_start"), "err.products.month_invalid");
	assert_string_equal(field_error_get(&fe, "labels"), "err.products.labels_invalid");
	assert_string_equal(field_error_get(&fe, "markets"), "err.products.markets_invalid");
	assert_string_equal(field_error_get(&fe, "partners"), "err.products.partners_invalid");
	assert_null(field_error_get(&fe, "description"));
	/* One month alone is not a season. */
	struct product_input half = { .name = "Picodon", .season_start = "3", .season_end = "" };
	assert_int_equal(products_create(e->db, &owner, e->farm_id, &half, e->a, &fe, &p),
			 KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "season_end"), "err.products.season_half");
	/* An association is no partner shop. */
	const char *asso[] = { "comite-des-fetes" };
	struct product_input bad_partner = { .name = "Picodon", .partners = asso, .npartners = 1 };
	assert_int_equal(products_create(e->db, &owner, e->farm_id, &bad_partner, e->a, &fe, &p),
			 KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "partners"), "err.products.partners_invalid");
	assert_int_equal(count(e->db, &SQL_COUNT_PRODUCTS), 0);
	assert_int_equal(count(e->db, &SQL_COUNT_PLACES), 0);
	assert_int_equal(count(e->db, &SQL_COUNT_PLABELS), 0);
	/* An update that fails keeps what was there. */
	struct product ok = make_product(e, e->farm_id, "Picodon", "3", "11", "aop");
	struct product_input upd = { .name = "", .season_start = "0", .season_end = "5" };
	assert_int_equal(products_update(e->db, &owner, ok.id, &upd, e->a, &fe, &p),
			 KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "name"), "err.products.name_invalid");
	assert_string_equal(field_error_get(&fe, "season_start"), "err.products.month_invalid");
	struct actor visitor = { 0 };
	assert_int_equal(products_get(e->db, &visitor, e->a, "picodon", &p), KQ_OK);
	assert_string_equal(p.name, "Picodon");
	assert_int_equal(p.season_start, 3);
	assert_int_equal(p.season_end, 11);
	assert_int_equal(p.nlabels, 1);
}

/* INVARIANT(season-wrap) */
static void test_season_may_wrap_over_the_new_year(void **state)
{
	struct env *e = *state;
	assert_true(products_in_season(0, 0, 7));
	assert_true(products_in_season(3, 6, 3));
	assert_true(products_in_season(3, 6, 6));
	assert_false(products_in_season(3, 6, 7));
	assert_false(products_in_season(3, 6, 2));
	assert_true(products_in_season(11, 2, 11));
	assert_true(products_in_season(11, 2, 12));
	assert_true(products_in_season(11, 2, 1));
	assert_true(products_in_season(11, 2, 2));
	assert_false(products_in_season(11, 2, 3));
	assert_false(products_in_season(11, 2, 10));
	make_product(e, e->farm_id, "Châtaignes", "11", "2", NULL);
	make_product(e, e->farm_id, "Abricots", "6", "8", NULL);
	make_product(e, e->farm_id, "Miel", "", "", NULL);
	/* The SQL filter agrees with products_in_season for every month. */
	for (int m = 1; m <= 12; m++) {
		struct product_filter f = { .in_season_month = m, .limit = 50 };
		struct product *v;
		int n = 0;
		int64_t total = 0;
		assert_int_equal(products_list(e->db, e->a, &f, &v, &n, &total), KQ_OK);
		int expect = 1 + products_in_season(11, 2, m) + products_in_season(6, 8, m);
		assert_int_equal(n, expect);
		assert_int_equal(total, expect);
		for (int i = 0; i < n; i++)
			assert_true(products_in_season(v[i].season_start, v[i].season_end, m));
	}
	struct actor visitor = { 0 };
	struct product p;
	assert_int_equal(products_get(e->db, &visitor, e->a, "chataignes", &p), KQ_OK);
	assert_int_equal(p.season_start, 11);
	assert_int_equal(p.season_end, 2);
}

static void test_places_are_the_shop_markets_by_day_and_partners(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner), visitor = { 0 };
	const char *labels[] = { "aop", "bienvenue-a-la-ferme", "aop" };
	const char *markets[] = { "marche-de-vesqueval", "marche-du-soir" };
	const char *partners[] = { "comptoir-de-coustelle" };
	struct product_input in = { .name = "Picodon", .season_start = "3", .season_end = "11",
				    .labels = labels, .nlabels = 3, .shop = true,
				    .shop_notes = "Le vendredi de 17 h à 19 h", .markets = markets,
				    .nmarkets = 2, .partners = partners, .npartners = 1 };
	struct field_errors fe = { 0 };
	struct product p;
	assert_int_equal(products_create(e->db, &owner, e->farm_id, &in, e->a, &fe, &p), KQ_OK);
	assert_int_equal(p.nlabels, 2);
	assert_string_equal(p.labels[0].slug, "aop");
	assert_string_equal(p.labels[1].slug, "bienvenue-a-la-ferme");
	assert_int_equal(p.nplaces, 4);
	assert_string_equal(p.places[0].kind, "shop");
	assert_string_equal(p.places[0].org_name, "Chèvrerie des Granges");
	assert_string_equal(p.places[0].org_address, "Chemin des Granges");
	assert_string_equal(p.places[0].commune_name, "Vesqueval");
	assert_string_equal(p.places[0].notes, "Le vendredi de 17 h à 19 h");
	/* Markets by weekday: Wednesday before Saturday. */
	assert_string_equal(p.places[1].kind, "market");
	assert_string_equal(p.places[1].market.slug, "marche-du-soir");
	assert_int_equal(p.places[1].market.weekday, 3);
	assert_int_equal(p.places[1].market.opens_min, 17 * 60);
	assert_int_equal(p.places[1].market.closes_min, 20 * 60);
	assert_string_equal(p.places[2].market.slug, "marche-de-vesqueval");
	assert_int_equal(p.places[2].market.opens_min, 8 * 60);
	assert_int_equal(p.places[2].market.closes_min, 12 * 60 + 30);
	assert_string_equal(p.places[2].market.commune_name, "Vesqueval");
	assert_string_equal(p.places[3].kind, "partner");
	assert_string_equal(p.places[3].org_slug, "comptoir-de-coustelle");
	assert_string_equal(p.places[3].commune_name, "Aigueclaire");
	/* The market page lists the producer, the list filtered by market the product. */
	struct market m;
	assert_int_equal(markets_get(e->db, e->a, "marche-de-vesqueval", &m), KQ_OK);
	struct product_org *po;
	int npo = 0;
	assert_int_equal(markets_producers(e->db, e->a, m.id, &po, &npo), KQ_OK);
	assert_int_equal(npo, 1);
	assert_string_equal(po[0].slug, "chevrerie-des-granges");
	assert_int_equal(po[0].nproducts, 1);
	/* An update of places replaces them; one without keeps them. */
	struct product_input upd = { .set_places = true, .shop = false, .markets = markets,
				     .nmarkets = 1 };
	assert_int_equal(products_update(e->db, &owner, p.id, &upd, e->a, &fe, &p), KQ_OK);
	assert_int_equal(p.nplaces, 1);
	assert_string_equal(p.places[0].market.slug, "marche-de-vesqueval");
	assert_int_equal(p.nlabels, 2);
	struct product_input rename = { .name = "Picodon affiné" };
	assert_int_equal(products_update(e->db, &owner, p.id, &rename, e->a, &fe, &p), KQ_OK);
	assert_int_equal(p.nplaces, 1);
	assert_string_equal(p.slug, "picodon");
	/* A hidden partner shop is not shown as a place to buy. */
	struct product_input back = { .set_places = true, .partners = partners, .npartners = 1 };
	assert_int_equal(products_update(e->db, &owner, p.id, &back, e->a, &fe, &p), KQ_OK);
	assert_int_equal(p.nplaces, 1);
	set_hidden(e, &SQL_HIDE_ORG, e->shop_id, 1000);
	assert_int_equal(products_get(e->db, &visitor, e->a, "picodon", &p), KQ_OK);
	assert_int_equal(p.nplaces, 0);
}

static void test_label_page_lists_products_and_producers(void **state)
{
	struct env *e = *state;
	make_product(e, e->farm_id, "Picodon", "3", "11", "aop");
	make_product(e, e->farm_id, "Tomme", "", "", "bienvenue-a-la-ferme");
	make_product(e, e->shop_id, "Huile de noix", "", "", "aop");
	struct label l;
	struct product *v;
	struct product_org *o;
	int np = 0, no = 0;
	assert_int_equal(labels_page(e->db, e->a, "aop", &l, &v, &np, &o, &no), KQ_OK);
	assert_string_equal(l.name, "AOP");
	assert_string_equal(l.kind, "official");
	assert_int_equal(np, 2);
	assert_string_equal(v[0].name, "Huile de noix");
	assert_string_equal(v[1].name, "Picodon");
	assert_int_equal(no, 2);
	assert_int_equal(labels_page(e->db, e->a, "inconnu", &l, &v, &np, &o, &no),
			 KQ_ERR_NOT_FOUND);
	struct label *ls;
	int nl = 0;
	assert_int_equal(labels_list(e->db, e->a, &ls, &nl), KQ_OK);
	assert_int_equal(nl, 6);
	assert_string_equal(ls[0].slug, "aop");
	assert_int_equal(ls[0].nproducts, 2);
	assert_string_equal(ls[5].slug, "bienvenue-a-la-ferme");
	assert_string_equal(ls[5].kind, "local");
	assert_int_equal(ls[5].nproducts, 1);
	/* Filters: label, commune. */
	struct product_filter f = { .label = "aop", .commune = "26392", .limit = 10 };
	int64_t total = 0;
	int n = 0;
	assert_int_equal(products_list(e->db, e->a, &f, &v, &n, &total), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "Huile de noix");
	assert_int_equal(v[0].nlabels, 1);
	struct product_filter unknown = { .label = "nope", .limit = 10 };
	assert_int_equal(products_list(e->db, e->a, &unknown, &v, &n, &total), KQ_OK);
	assert_int_equal(n, 0);
}

static void test_hidden_products_and_organisations_are_left_out(void **state)
{
	struct env *e = *state;
	struct product pic = make_product(e, e->farm_id, "Picodon", "", "", "aop");
	make_product(e, e->shop_id, "Huile de noix", "", "", "aop");
	const char *markets[] = { "marche-de-vesqueval" };
	struct actor owner = actor_of(e, e->owner);
	struct product_input in = { .set_places = true, .markets = markets, .nmarkets = 1 };
	struct field_errors fe = { 0 };
	struct product p;
	assert_int_equal(products_update(e->db, &owner, pic.id, &in, e->a, &fe, &p), KQ_OK);
	set_hidden(e, &SQL_HIDE_PRODUCT, pic.id, 1000);
	struct product_filter f = { .limit = 10 };
	struct product *v;
	int n = 0;
	int64_t total = 0;
	assert_int_equal(products_list(e->db, e->a, &f, &v, &n, &total), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "Huile de noix");
	struct actor visitor = { 0 }, stranger = actor_of(e, e->stranger);
	struct actor moderator = actor_of(e, e->moderator);
	assert_int_equal(products_get(e->db, &visitor, e->a, "picodon", &p), KQ_ERR_NOT_FOUND);
	assert_int_equal(products_get(e->db, &stranger, e->a, "picodon", &p), KQ_ERR_NOT_FOUND);
	assert_int_equal(products_get(e->db, &owner, e->a, "picodon", &p), KQ_OK);
	assert_true(p.hidden_at > 0);
	assert_int_equal(products_get(e->db, &moderator, e->a, "picodon", &p), KQ_OK);
	struct product_org *po;
	int npo = 0;
	struct market m;
	assert_int_equal(markets_get(e->db, e->a, "marche-de-vesqueval", &m), KQ_OK);
	assert_int_equal(markets_producers(e->db, e->a, m.id, &po, &npo), KQ_OK);
	assert_int_equal(npo, 0);
	/* The organisation's page: visitors do not see it, its editors do. */
	assert_int_equal(products_of_org(e->db, &visitor, e->a, e->farm_id, &v, &n), KQ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(products_of_org(e->db, &owner, e->a, e->farm_id, &v, &n), KQ_OK);
	assert_int_equal(n, 1);
	/* A hidden organisation takes its products out of every list. */
	set_hidden(e, &SQL_HIDE_PRODUCT, pic.id, 0);
	set_hidden(e, &SQL_HIDE_ORG, e->shop_id, 1000);
	struct label l;
	struct product_org *o;
	int no = 0;
	assert_int_equal(labels_page(e->db, e->a, "aop", &l, &v, &n, &o, &no), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "Picodon");
	assert_int_equal(no, 1);
	assert_int_equal(products_get(e->db, &visitor, e->a, "huile-de-noix", &p), KQ_ERR_NOT_FOUND);
	struct label *ls;
	int nl = 0;
	assert_int_equal(labels_list(e->db, e->a, &ls, &nl), KQ_OK);
	assert_int_equal(ls[0].nproducts, 1);
}

static void test_edit_and_delete_check_who(void **state)
{
	struct env *e = *state;
	struct product p = make_product(e, e->farm_id, "Picodon", "", "", "aop");
	struct actor box = actor_of(e, e->box), stranger = actor_of(e, e->stranger);
	struct actor editor = actor_of(e, e->editor), visitor = { 0 };
	struct product_input in = { .name = "Picodon doux" };
	struct field_errors fe = { 0 };
	struct product out;
	assert_int_equal(products_update(e->db, &stranger, p.id, &in, e->a, &fe, &out),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(products_update(e->db, &box, p.id, &in, e->a, &fe, &out), KQ_ERR_FORBIDDEN);
	assert_int_equal(products_update(e->db, &visitor, p.id, &in, e->a, &fe, &out),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(products_update(e->db, &editor, p.id + 1000, &in, e->a, &fe, &out),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(products_delete(e->db, &stranger, p.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(products_delete(e->db, &box, p.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(count(e->db, &SQL_COUNT_PRODUCTS), 1);
	assert_int_equal(products_update(e->db, &editor, p.id, &in, e->a, &fe, &out), KQ_OK);
	assert_string_equal(out.name, "Picodon doux");
	assert_string_equal(out.description_html, "<p>Affiné <strong>trois semaines</strong>.</p>\n");
	assert_int_equal(products_delete(e->db, &editor, p.id), KQ_OK);
	assert_int_equal(count(e->db, &SQL_COUNT_PRODUCTS), 0);
	assert_int_equal(count(e->db, &SQL_COUNT_PLACES), 0);
	assert_int_equal(count(e->db, &SQL_COUNT_PLABELS), 0);
	assert_int_equal(products_delete(e->db, &editor, p.id), KQ_ERR_NOT_FOUND);
}

static void test_labels_and_markets_are_added_by_admins_with_checks(void **state)
{
	struct env *e = *state;
	struct actor admin = actor_of(e, e->admin), owner = actor_of(e, e->owner);
	struct actor moderator = actor_of(e, e->moderator);
	struct label_input in = { .name = "Marque Valeurs Parc", .description = "Parc naturel",
				  .kind = "local" };
	struct field_errors fe = { 0 };
	struct label l;
	assert_int_equal(labels_create(e->db, &owner, &in, e->a, &fe, &l), KQ_ERR_FORBIDDEN);
	assert_int_equal(labels_create(e->db, &moderator, &in, e->a, &fe, &l), KQ_ERR_FORBIDDEN);
	assert_int_equal(count(e->db, &SQL_COUNT_LABELS), 6);
	assert_int_equal(labels_create(e->db, &admin, &in, e->a, &fe, &l), KQ_OK);
	assert_string_equal(l.slug, "marque-valeurs-parc");
	assert_string_equal(l.kind, "local");
	/* The same slug again; bad fields. */
	assert_int_equal(labels_create(e->db, &admin, &in, e->a, &fe, &l), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "slug"), "err.labels.slug_taken");
	struct label_input bad = { .name = "A", .slug = "Pas Bon", .kind = "royal" };
	assert_int_equal(labels_create(e->db, &admin, &bad, e->a, &fe, &l), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "name"), "err.labels.name_invalid");
	assert_string_equal(field_error_get(&fe, "slug"), "err.labels.slug_invalid");
	assert_string_equal(field_error_get(&fe, "kind"), "err.labels.kind_invalid");
	assert_int_equal(count(e->db, &SQL_COUNT_LABELS), 7);
	/* Markets. */
	struct market_input mi = { .name = "Marché de nuit", .commune = "99999", .weekday = "8",
				   .opens = "19:00", .closes = "18:00" };
	struct market m;
	assert_int_equal(markets_create(e->db, &owner, &mi, e->a, &fe, &m), KQ_ERR_FORBIDDEN);
	assert_int_equal(markets_create(e->db, &admin, &mi, e->a, &fe, &m), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "commune"), "err.markets.commune_invalid");
	assert_string_equal(field_error_get(&fe, "weekday"), "err.markets.weekday_invalid");
	assert_string_equal(field_error_get(&fe, "closes"), "err.markets.closes_before");
	mi.commune = "26392";
	mi.weekday = "5";
	mi.opens = "25:00";
	mi.closes = "23:00";
	assert_int_equal(markets_create(e->db, &admin, &mi, e->a, &fe, &m), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "opens"), "err.markets.time_invalid");
	mi.opens = "18 h 30";
	assert_int_equal(markets_create(e->db, &admin, &mi, e->a, &fe, &m), KQ_OK);
	assert_int_equal(m.opens_min, 18 * 60 + 30);
	assert_string_equal(m.commune_name, "Aigueclaire");
	struct market *ms;
	int nm = 0;
	assert_int_equal(markets_list(e->db, e->a, &ms, &nm), KQ_OK);
	assert_int_equal(nm, 3);
	assert_string_equal(ms[0].slug, "marche-du-soir");
	assert_string_equal(ms[1].slug, "marche-de-nuit");
	assert_string_equal(ms[2].slug, "marche-de-vesqueval");
}

#define T(f) cmocka_unit_test_setup_teardown(f, fresh, done)

int main(void)
{
	if (!crypto_init())
		return 1;
	time_init();
	i18n_init();
	const struct CMUnitTest db_tests[] = {
		T(test_create_is_for_owner_editor_and_admin_of_producers_and_shops),
		T(test_create_validates_every_field_and_writes_nothing),
		T(test_season_may_wrap_over_the_new_year),
		T(test_places_are_the_shop_markets_by_day_and_partners),
		T(test_label_page_lists_products_and_producers),
		T(test_hidden_products_and_organisations_are_left_out),
		T(test_edit_and_delete_check_who),
		T(test_labels_and_markets_are_added_by_admins_with_checks),
	};
	int failed = 0;
	TL_RUN_GROUP_BOTH(failed, "products", db_tests, setup_sqlite, setup_pg, teardown);
	return TL_EXIT(failed);
}
