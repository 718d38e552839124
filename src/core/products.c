/* products.c: "Made in terroir": products, labels, markets and places to buy: validation, permissions, the public lists.
 *
 * Each write runs in one transaction through db_txn_run, and the callback
 * does everything from the permission check to the last place row; a
 * refusal is reported in the context (x->err, x->fe) and returned as
 * DB_HARD so nothing is kept. A soft failure runs the whole callback again,
 * so every callback starts by clearing them. Labels and places are replaced
 * whole on each save: they are few, and a form shows them all. */
#include "products.h"
#include "slugs.h"
#include "markdown.h"
#include "orgs.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define LABELS_PER_PRODUCT_MAX 20

/* ---- season ------------------------------------------------------------------------------------ */

/* INVARIANT(season-wrap): the same rule as SEASON_WHERE below. */
bool products_in_season(int start, int end, int month)
{
	if (!start || !end)
		return true;
	if (start <= end)
		return month >= start && month <= end;
	return month >= start || month <= end;
}

int products_month_now(void)
{
	struct tm tm;
	time_t t = (time_t)time_now();
	localtime_r(&t, &tm);
	return tm.tm_mon + 1;
}

/* ---- reading ------------------------------------------------------------------------------------ */

#define PRODUCT_COLS                                                                             \
	"p.id, p.org_id, p.slug, p.name, p.summary, p.description, p.description_html,"          \
	" COALESCE(p.season_start_month, 0), COALESCE(p.season_end_month, 0),"                   \
	" COALESCE(p.image_upload_id, 0), p.created_at, p.updated_at,"                           \
	" COALESCE(p.hidden_at, o.hidden_at, 0), o.slug, o.name, o.kind, o.address,"             \
	" COALESCE(c.insee, ''), COALESCE(c.name, '')"
#define PRODUCT_JOINS                                                                            \
	" JOIN organisations o ON o.id = p.org_id"                                               \
	" LEFT JOIN communes c ON c.id = o.commune_id"

static const struct db_sql SQL_GET_SLUG = { "products_get_slug",
	"SELECT " PRODUCT_COLS " FROM products p" PRODUCT_JOINS " WHERE p.slug = $1" };
static const struct db_sql SQL_GET_ID = { "products_get_id",
	"SELECT " PRODUCT_COLS " FROM products p" PRODUCT_JOINS " WHERE p.id = $1" };

/* The public list. $1 label slug (''), $2 INSEE code (''), $3 month (0),
 * $4 organisation (0), $5 market (0); pages add $6 limit, $7 offset. */
#define SEASON_WHERE(m)                                                                          \
	" AND (CAST(" m " AS BIGINT) = 0 OR p.season_start_month IS NULL"                        \
	" OR p.season_end_month IS NULL"                                                         \
	" OR (p.season_start_month <= p.season_end_month"                                        \
	"  AND CAST(" m " AS BIGINT) BETWEEN p.season_start_month AND p.season_end_month)"       \
	" OR (p.season_start_month > p.season_end_month"                                         \
	"  AND (CAST(" m " AS BIGINT) >= p.season_start_month"                                   \
	"   OR CAST(" m " AS BIGINT) <= p.season_end_month)))"
#define LIST_WHERE                                                                               \
	" WHERE p.hidden_at IS NULL AND o.hidden_at IS NULL"                                     \
	" AND (CAST($1 AS TEXT) = '' OR EXISTS (SELECT 1 FROM product_labels pl"                 \
	"  JOIN labels l ON l.id = pl.label_id WHERE pl.product_id = p.id"                       \
	"  AND l.slug = CAST($1 AS TEXT)))"                                                      \
	" AND (CAST($2 AS TEXT) = '' OR c.insee = CAST($2 AS TEXT))"                             \
	SEASON_WHERE("$3")                                                                       \
	" AND (CAST($4 AS BIGINT) = 0 OR p.org_id = CAST($4 AS BIGINT))"                         \
	" AND (CAST($5 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM product_places pp"                \
	"  WHERE pp.product_id = p.id AND pp.market_id = CAST($5 AS BIGINT)))"
static const struct db_sql SQL_LIST_COUNT = { "products_list_count",
	"SELECT COUNT(*) FROM products p" PRODUCT_JOINS LIST_WHERE };
static const struct db_sql SQL_LIST_PAGE = { "products_list_page",
	"SELECT " PRODUCT_COLS " FROM products p" PRODUCT_JOINS LIST_WHERE
	" ORDER BY lower(p.name), p.id LIMIT $6 OFFSET $7" };
/* One organisation's products for its members: hidden ones too. */
static const struct db_sql SQL_OF_ORG_ALL = { "products_of_org_all",
	"SELECT " PRODUCT_COLS " FROM products p" PRODUCT_JOINS
	" WHERE p.org_id = $1 ORDER BY lower(p.name), p.id LIMIT $2" };
static const struct db_sql SQL_OF_ORG_PUBLIC = { "products_of_org_public",
	"SELECT " PRODUCT_COLS " FROM products p" PRODUCT_JOINS
	" WHERE p.org_id = $1 AND p.hidden_at IS NULL AND o.hidden_at IS NULL"
	" ORDER BY lower(p.name), p.id LIMIT $2" };

#define LABEL_COLS "l.id, l.slug, l.name, l.description, l.kind, l.created_at"
static const struct db_sql SQL_PRODUCT_LABELS = { "products_labels_of",
	"SELECT " LABEL_COLS " FROM product_labels pl JOIN labels l ON l.id = pl.label_id"
	" WHERE pl.product_id = $1"
	" ORDER BY CASE l.kind WHEN 'official' THEN 0 ELSE 1 END, l.id" };

/* Where to buy: the shop first, then markets by day and hour, then
 * partner shops by name; a hidden partner is left out. */
static const struct db_sql SQL_PRODUCT_PLACES = { "products_places_of",
	"SELECT pp.kind, pp.notes, COALESCE(po.slug, ''), COALESCE(po.name, ''),"
	" COALESCE(po.address, ''), COALESCE(pc.name, ''),"
	" COALESCE(m.id, 0), COALESCE(m.slug, ''), COALESCE(m.name, ''), COALESCE(mc.insee, ''),"
	" COALESCE(mc.name, ''), COALESCE(m.place, ''), COALESCE(m.weekday, 0),"
	" COALESCE(m.opens_min, 0), COALESCE(m.closes_min, 0), COALESCE(m.season_notes, '')"
	" FROM product_places pp"
	" LEFT JOIN organisations po ON po.id = pp.partner_org_id"
	" LEFT JOIN communes pc ON pc.id = po.commune_id"
	" LEFT JOIN markets m ON m.id = pp.market_id"
	" LEFT JOIN communes mc ON mc.id = m.commune_id"
	" WHERE pp.product_id = $1 AND (po.id IS NULL OR po.hidden_at IS NULL)"
	" ORDER BY CASE pp.kind WHEN 'shop' THEN 0 WHEN 'market' THEN 1 ELSE 2 END,"
	" COALESCE(m.weekday, 0), COALESCE(m.opens_min, 0), lower(COALESCE(po.name, '')), pp.id" };

static void read_product(struct db_stmt *st, struct arena *a, struct product *p)
{
	memset(p, 0, sizeof(*p));
	p->id = db_col_i64(st, 0);
	p->org_id = db_col_i64(st, 1);
	p->slug = db_col_str(st, 2, a);
	p->name = db_col_str(st, 3, a);
	p->summary = db_col_str(st, 4, a);
	p->description = db_col_str(st, 5, a);
	p->description_html = db_col_str(st, 6, a);
	p->season_start = (int)db_col_i64(st, 7);
	p->season_end = (int)db_col_i64(st, 8);
	p->image_upload_id = db_col_i64(st, 9);
	p->created_at = db_col_i64(st, 10);
	p->updated_at = db_col_i64(st, 11);
	p->hidden_at = db_col_i64(st, 12);
	p->org_slug = db_col_str(st, 13, a);
	p->org_name = db_col_str(st, 14, a);
	p->org_kind = db_col_str(st, 15, a);
	p->org_address = db_col_str(st, 16, a);
	p->commune_insee = db_col_str(st, 17, a);
	p->commune_name = db_col_str(st, 18, a);
	p->labels = NULL;
	p->places = NULL;
}

static void read_label(struct db_stmt *st, struct arena *a, struct label *l)
{
	l->id = db_col_i64(st, 0);
	l->slug = db_col_str(st, 1, a);
	l->name = db_col_str(st, 2, a);
	l->description = db_col_str(st, 3, a);
	l->kind = db_col_str(st, 4, a);
	l->created_at = db_col_i64(st, 5);
	l->nproducts = 0;
}

/* Steps st to the end into a growing array of size elements, read by fn. */
typedef void (*read_fn)(struct db_stmt *st, struct arena *a, void *item);

static enum db_status collect_all(struct db_stmt *st, struct arena *a, size_t size, read_fn fn,
				  int cap, void **out, int *out_n)
{
	int n = 0, room = 8;
	char *v = arena_alloc(a, size * (size_t)room);
	enum db_status s = DB_NONE;
	while (n < cap && (s = db_step(st)) == DB_ROW) {
		if (n == room) {
			char *w = arena_alloc(a, size * (size_t)room * 2);
			memcpy(w, v, size * (size_t)room);
			v = w;
			room *= 2;
		}
		fn(st, a, v + size * (size_t)n);
		n++;
	}
	if (n == cap)
		s = DB_NONE;
	db_reset(st);
	*out = v;
	*out_n = n;
	return s < 0 ? s : DB_NONE;
}

static void read_product_v(struct db_stmt *st, struct arena *a, void *item)
{
	read_product(st, a, item);
}

static void read_label_v(struct db_stmt *st, struct arena *a, void *item)
{
	read_label(st, a, item);
}

static enum db_status load_labels(struct db *db, struct arena *a, struct product *p)
{
	struct db_stmt *st = db_stmt(db, &SQL_PRODUCT_LABELS);
	db_bind_i64(st, 1, p->id);
	void *v = NULL;
	enum db_status s = collect_all(st, a, sizeof(struct label), read_label_v,
				       LABELS_PER_PRODUCT_MAX * 2, &v, &p->nlabels);
	p->labels = v;
	return s;
}

static enum db_status load_places(struct db *db, struct arena *a, struct product *p)
{
	struct db_stmt *st = db_stmt(db, &SQL_PRODUCT_PLACES);
	db_bind_i64(st, 1, p->id);
	int room = 8, n = 0;
	struct product_place *v = arena_alloc(a, sizeof(*v) * (size_t)room);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		if (n == room) {
			struct product_place *w = arena_alloc(a, sizeof(*v) * (size_t)room * 2);
			memcpy(w, v, sizeof(*v) * (size_t)room);
			v = w;
			room *= 2;
		}
		struct product_place *pl = &v[n++];
		memset(pl, 0, sizeof(*pl));
		pl->kind = db_col_str(st, 0, a);
		pl->notes = db_col_str(st, 1, a);
		pl->org_slug = db_col_str(st, 2, a);
		pl->org_name = db_col_str(st, 3, a);
		pl->org_address = db_col_str(st, 4, a);
		pl->commune_name = db_col_str(st, 5, a);
		pl->market.id = db_col_i64(st, 6);
		pl->market.slug = db_col_str(st, 7, a);
		pl->market.name = db_col_str(st, 8, a);
		pl->market.commune_insee = db_col_str(st, 9, a);
		pl->market.commune_name = db_col_str(st, 10, a);
		pl->market.place = db_col_str(st, 11, a);
		pl->market.weekday = (int)db_col_i64(st, 12);
		pl->market.opens_min = (int)db_col_i64(st, 13);
		pl->market.closes_min = (int)db_col_i64(st, 14);
		pl->market.season_notes = db_col_str(st, 15, a);
		/* The shop is the producer's own: its name and address. */
		if (strcmp(pl->kind, "shop") == 0) {
			pl->org_slug = p->org_slug;
			pl->org_name = p->org_name;
			pl->org_address = p->org_address;
			pl->commune_name = p->commune_name;
		}
	}
	db_reset(st);
	p->places = v;
	p->nplaces = n;
	return s < 0 ? s : DB_NONE;
}

struct get_call {
	struct arena *a;
	const char *slug;
	int64_t id;
	struct product *out;
	bool found;
};

static enum db_status get_txn(struct db *db, void *cls)
{
	struct get_call *c = cls;
	struct db_stmt *st = db_stmt(db, c->slug ? &SQL_GET_SLUG : &SQL_GET_ID);
	if (c->slug)
		db_bind_text(st, 1, c->slug);
	else
		db_bind_i64(st, 1, c->id);
	enum db_status s = db_step(st);
	c->found = s == DB_ROW;
	if (s == DB_ROW)
		read_product(st, c->a, c->out);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;
	if ((s = load_labels(db, c->a, c->out)) < 0)
		return s;
	return load_places(db, c->a, c->out);
}

/* The product with labels and places, whoever may see it. */
static enum kq_err get_now(struct db *db, struct arena *a, const char *slug, int64_t id,
			   struct product *out)
{
	struct get_call c = { a, slug, id, out, false };
	if (db_read_run(db, "products_get", get_txn, &c) < 0)
		return KQ_ERR_INTERNAL;
	return c.found ? KQ_OK : KQ_ERR_NOT_FOUND;
}

enum kq_err products_authorize(struct db *db, const struct actor *who, const struct product *p)
{
	return orgs_authorize(db, who, p->org_id, ORG_ACT_PUBLISH);
}

/* A hidden product exists only for who may edit it and for moderators. */
static enum kq_err visible(struct db *db, const struct actor *who, const struct product *p)
{
	if (!p->hidden_at || actor_is_moderator(who))
		return KQ_OK;
	enum kq_err e = products_authorize(db, who, p);
	return e == KQ_ERR_INTERNAL ? e : e == KQ_OK ? KQ_OK : KQ_ERR_NOT_FOUND;
}

enum kq_err products_get(struct db *db, const struct actor *who, struct arena *a,
			 const char *slug, struct product *out)
{
	if (!str_slug_valid(slug))
		return KQ_ERR_NOT_FOUND;
	enum kq_err e = get_now(db, a, slug, 0, out);
	return e != KQ_OK ? e : visible(db, who, out);
}

enum kq_err products_get_id(struct db *db, const struct actor *who, struct arena *a, int64_t id,
			    struct product *out)
{
	enum kq_err e = get_now(db, a, NULL, id, out);
	return e != KQ_OK ? e : visible(db, who, out);
}

struct list_call {
	struct arena *a;
	const struct product_filter *f;
	int64_t org_id;
	bool all;             /* products_of_org for its editors */
	struct product **out;
	int *out_n;
	int64_t *out_total;
};

static enum db_status labels_of_all(struct db *db, struct arena *a, struct product *v, int n)
{
	for (int i = 0; i < n; i++) {
		enum db_status s = load_labels(db, a, &v[i]);
		if (s < 0)
			return s;
	}
	return DB_NONE;
}

static enum db_status list_txn(struct db *db, void *cls)
{
	struct list_call *c = cls;
	const struct product_filter *f = c->f;
	const char *label = f->label ? f->label : "";
	const char *commune = f->commune ? f->commune : "";
	int month = f->in_season_month >= 1 && f->in_season_month <= 12 ? f->in_season_month : 0;
	int limit = f->limit < 1 ? 1 : f->limit > PRODUCTS_PAGE_MAX ? PRODUCTS_PAGE_MAX : f->limit;
	int offset = f->offset < 0 ? 0 : f->offset;

	struct db_stmt *st = db_stmt(db, &SQL_LIST_COUNT);
	db_bind_text(st, 1, label);
	db_bind_text(st, 2, commune);
	db_bind_i64(st, 3, month);
	db_bind_i64(st, 4, f->org_id);
	db_bind_i64(st, 5, f->market_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		*c->out_total = db_col_i64(st, 0);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	st = db_stmt(db, &SQL_LIST_PAGE);
	db_bind_text(st, 1, label);
	db_bind_text(st, 2, commune);
	db_bind_i64(st, 3, month);
	db_bind_i64(st, 4, f->org_id);
	db_bind_i64(st, 5, f->market_id);
	db_bind_i64(st, 6, limit);
	db_bind_i64(st, 7, offset);
	void *v = NULL;
	if ((s = collect_all(st, c->a, sizeof(struct product), read_product_v, limit, &v,
			     c->out_n)) < 0)
		return s;
	*c->out = v;
	return labels_of_all(db, c->a, *c->out, *c->out_n);
}

enum kq_err products_list(struct db *db, struct arena *a, const struct product_filter *f,
			  struct product **out, int *out_n, int64_t *out_total)
{
	*out = NULL;
	*out_n = 0;
	*out_total = 0;
	struct list_call c = { a, f, 0, false, out, out_n, out_total };
	if (db_read_run(db, "products_list", list_txn, &c) < 0)
		return KQ_ERR_INTERNAL;
	return KQ_OK;
}

static enum db_status of_org_txn(struct db *db, void *cls)
{
	struct list_call *c = cls;
	struct db_stmt *st = db_stmt(db, c->all ? &SQL_OF_ORG_ALL : &SQL_OF_ORG_PUBLIC);
	db_bind_i64(st, 1, c->org_id);
	db_bind_i64(st, 2, PRODUCTS_PAGE_MAX);
	void *v = NULL;
	enum db_status s = collect_all(st, c->a, sizeof(struct product), read_product_v,
				       PRODUCTS_PAGE_MAX, &v, c->out_n);
	if (s < 0)
		return s;
	*c->out = v;
	return labels_of_all(db, c->a, *c->out, *c->out_n);
}

enum kq_err products_of_org(struct db *db, const struct actor *who, struct arena *a,
			    int64_t org_id, struct product **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	bool all = false;
	if (who && who->account_id) {
		enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_PUBLISH);
		if (e == KQ_ERR_INTERNAL)
			return e;
		all = e == KQ_OK;
	}
	int64_t total = 0;
	struct list_call c = { a, NULL, org_id, all, out, out_n, &total };
	if (db_read_run(db, "products_of_org", of_org_txn, &c) < 0)
		return KQ_ERR_INTERNAL;
	return KQ_OK;
}

/* ---- writing ------------------------------------------------------------------------------------- */

static const struct db_sql SQL_SLUG_USED = { "products_slug_used",
	"SELECT 1 FROM products WHERE slug = $1" };
static const struct db_sql SQL_ORG_KIND = { "products_org_kind",
	"SELECT kind FROM organisations WHERE id = $1" };
static const struct db_sql SQL_INSERT = { "products_insert",
	"INSERT INTO products (org_id, slug, name, summary, description, description_html,"
	" season_start_month, season_end_month, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id" };
static const struct db_sql SQL_UPDATE = { "products_update",
	"UPDATE products SET name = $2, summary = $3, description = $4, description_html = $5,"
	" season_start_month = $6, season_end_month = $7, updated_at = $8 WHERE id = $1" };
static const struct db_sql SQL_DELETE = { "products_delete",
	"DELETE FROM products WHERE id = $1" };
static const struct db_sql SQL_LABELS_CLEAR = { "products_labels_clear",
	"DELETE FROM product_labels WHERE product_id = $1" };
static const struct db_sql SQL_LABEL_ADD = { "products_label_add",
	"INSERT INTO product_labels (product_id, label_id) VALUES ($1, $2)" };
static const struct db_sql SQL_PLACES_CLEAR = { "products_places_clear",
	"DELETE FROM product_places WHERE product_id = $1" };
static const struct db_sql SQL_PLACE_ADD = { "products_place_add",
	"INSERT INTO product_places (product_id, kind, market_id, partner_org_id, notes)"
	" VALUES ($1, $2, $3, $4, $5)" };
static const struct db_sql SQL_LABEL_ID = { "products_label_id",
	"SELECT id FROM labels WHERE slug = $1" };
static const struct db_sql SQL_MARKET_ID = { "products_market_id",
	"SELECT id FROM markets WHERE slug = $1" };
/* A partner shop: a visible business or producer. */
static const struct db_sql SQL_PARTNER_ID = { "products_partner_id",
	"SELECT id FROM organisations WHERE slug = $1 AND kind IN ('business', 'producer')"
	" AND hidden_at IS NULL" };

static bool in_ids(const int64_t *ids, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* A slug free in table (products, labels or markets) from a name. */
static enum db_status free_slug(struct db *db, const struct db_sql *used_sql, struct arena *a,
				const char *name, const char *fallback, const char **out)
{
	const struct slug_rule rule = { used_sql, fallback, 50, NULL };
	return slug_free(db, a, name, &rule, out);
}

/* "" -> 0 (all year); "1".."12" -> the month; else -1. */
static int month_of(const char *s)
{
	if (!s || !*s)
		return 0;
	int64_t m = 0;
	if (!str_to_i64(s, &m) || m < 1 || m > 12)
		return -1;
	return (int)m;
}

struct write_ctx {
	const struct actor *who;
	const struct product_input *in;
	struct arena *a;
	struct field_errors *fe;
	int64_t org_id;
	int64_t product_id;     /* update, delete: given; create: [out] */
	enum kq_err err;
};

static enum db_status refuse(struct write_ctx *x, enum kq_err e)
{
	x->err = e;
	return DB_HARD;
}

static const char *pick(struct arena *a, const char *given, const char *current, bool trim)
{
	if (given)
		return trim ? str_trim(a, given) : given;
	return current ? current : "";
}

/* The values to store, validated. */
struct norm {
	const char *name, *summary, *description, *shop_notes;
	int start, end;
	int64_t *label_ids;
	int nlabel_ids;
	int64_t *market_ids;
	int nmarket_ids;
	int64_t *partner_ids;
	int npartner_ids;
};

/* Looks up each slug with sql; unknown ones add an error to field.
 * Duplicates are kept once; skip is never taken (the organisation itself). */
static enum db_status resolve(struct db *db, struct write_ctx *x, const struct db_sql *sql,
			      const char *const *slugs, int n, int max, int64_t skip,
			      const char *field, const char *err_key, int64_t **out, int *out_n)
{
	*out = arena_alloc(x->a, sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
	*out_n = 0;
	if (n > max) {
		field_error_add(x->fe, field, err_key);
		return DB_NONE;
	}
	bool bad = false;
	for (int i = 0; i < n; i++) {
		if (!slugs[i] || !*slugs[i])
			continue;
		if (!str_slug_valid(slugs[i])) {
			bad = true;
			continue;
		}
		struct db_stmt *st = db_stmt(db, sql);
		db_bind_text(st, 1, slugs[i]);
		enum db_status s = db_step(st);
		int64_t id = s == DB_ROW ? db_col_i64(st, 0) : 0;
		db_reset(st);
		if (s < 0)
			return s;
		if (!id || id == skip) {
			bad = true;
			continue;
		}
		if (!in_ids(*out, *out_n, id))
			(*out)[(*out_n)++] = id;
	}
	if (bad)
		field_error_add(x->fe, field, err_key);
	return DB_NONE;
}

/* Fills n from the input and cur (update; NULL on create), adding errors to x->fe. */
static enum db_status normalise(struct db *db, struct write_ctx *x, const struct product *cur,
				struct norm *n)
{
	const struct product_input *in = x->in;
	memset(n, 0, sizeof(*n));
	n->name = pick(x->a, in->name, cur ? cur->name : NULL, true);
	n->summary = pick(x->a, in->summary, cur ? cur->summary : NULL, true);
	n->description = pick(x->a, in->description, cur ? cur->description : NULL, false);
	n->shop_notes = str_trim(x->a, in->shop_notes ? in->shop_notes : "");
	size_t len = str_utf8_len(n->name);
	if (!str_text_ok(n->name, SIZE_MAX, false) || len < PRODUCTS_NAME_MIN ||
	    len > PRODUCTS_NAME_MAX)
		field_error_add(x->fe, "name", "err.products.name_invalid");
	if (!str_text_ok(n->summary, PRODUCTS_SUMMARY_MAX, false))
		field_error_add(x->fe, "summary", "err.products.summary_invalid");
	if (!str_text_ok(n->description, PRODUCTS_DESCRIPTION_MAX, true))
		field_error_add(x->fe, "description", "err.products.description_invalid");
	if (!str_text_ok(n->shop_notes, PRODUCTS_NOTES_MAX, false))
		field_error_add(x->fe, "shop_notes", "err.products.notes_invalid");
	n->start = cur ? cur->season_start : 0;
	n->end = cur ? cur->season_end : 0;
	if (in->season_start || in->season_end || !cur) {
		/* A partial update may change one end of the season only. */
		int s = in->season_start || !cur ? month_of(in->season_start) : cur->season_start;
		int e = in->season_end || !cur ? month_of(in->season_end) : cur->season_end;
		if (s < 0)
			field_error_add(x->fe, "season_start", "err.products.month_invalid");
		if (e < 0)
			field_error_add(x->fe, "season_end", "err.products.month_invalid");
		if (s >= 0 && e >= 0 && (s == 0) != (e == 0))
			/* A season is both months or none: one alone says nothing. */
			field_error_add(x->fe, s ? "season_end" : "season_start",
					"err.products.season_half");
		n->start = s > 0 ? s : 0;
		n->end = e > 0 ? e : 0;
	}
	enum db_status st;
	if ((in->set_labels || !cur) &&
	    (st = resolve(db, x, &SQL_LABEL_ID, in->labels, in->nlabels, LABELS_PER_PRODUCT_MAX, 0,
			  "labels", "err.products.labels_invalid", &n->label_ids,
			  &n->nlabel_ids)) < 0)
		return st;
	if (in->set_places || !cur) {
		int64_t org_id = cur ? cur->org_id : x->org_id;
		if ((st = resolve(db, x, &SQL_MARKET_ID, in->markets, in->nmarkets,
				  PRODUCTS_PLACES_MAX, 0, "markets", "err.products.markets_invalid",
				  &n->market_ids, &n->nmarket_ids)) < 0)
			return st;
		if ((st = resolve(db, x, &SQL_PARTNER_ID, in->partners, in->npartners,
				  PRODUCTS_PLACES_MAX, org_id, "partners",
				  "err.products.partners_invalid", &n->partner_ids,
				  &n->npartner_ids)) < 0)
			return st;
	}
	return DB_NONE;
}

static enum db_status write_labels(struct db *db, int64_t product_id, const struct norm *n)
{
	struct db_stmt *st = db_stmt(db, &SQL_LABELS_CLEAR);
	db_bind_i64(st, 1, product_id);
	enum db_status s = db_run(st);
	for (int i = 0; s >= 0 && i < n->nlabel_ids; i++) {
		st = db_stmt(db, &SQL_LABEL_ADD);
		db_bind_i64(st, 1, product_id);
		db_bind_i64(st, 2, n->label_ids[i]);
		s = db_run(st);
	}
	return s < 0 ? s : DB_NONE;
}

static enum db_status add_place(struct db *db, int64_t product_id, const char *kind,
				int64_t market_id, int64_t partner_id, const char *notes)
{
	struct db_stmt *st = db_stmt(db, &SQL_PLACE_ADD);
	db_bind_i64(st, 1, product_id);
	db_bind_text(st, 2, kind);
	db_bind_i64_or_null(st, 3, market_id);
	db_bind_i64_or_null(st, 4, partner_id);
	db_bind_text(st, 5, notes);
	return db_run(st);
}

static enum db_status write_places(struct db *db, int64_t product_id, bool shop,
				   const struct norm *n)
{
	struct db_stmt *st = db_stmt(db, &SQL_PLACES_CLEAR);
	db_bind_i64(st, 1, product_id);
	enum db_status s = db_run(st);
	if (s >= 0 && shop)
		s = add_place(db, product_id, "shop", 0, 0, n->shop_notes);
	for (int i = 0; s >= 0 && i < n->nmarket_ids; i++)
		s = add_place(db, product_id, "market", n->market_ids[i], 0, "");
	for (int i = 0; s >= 0 && i < n->npartner_ids; i++)
		s = add_place(db, product_id, "partner", 0, n->partner_ids[i], "");
	return s < 0 ? s : DB_NONE;
}

/* Only producers and businesses have products. */
static enum db_status check_kind(struct db *db, struct write_ctx *x, int64_t org_id, bool *out_ok)
{
	struct db_stmt *st = db_stmt(db, &SQL_ORG_KIND);
	db_bind_i64(st, 1, org_id);
	enum db_status s = db_step(st);
	const char *kind = s == DB_ROW ? db_col_str(st, 0, x->a) : "";
	db_reset(st);
	*out_ok = strcmp(kind, "producer") == 0 || strcmp(kind, "business") == 0;
	return s < 0 ? s : DB_NONE;
}

static enum db_status create_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	memset(x->fe, 0, sizeof(*x->fe));
	enum kq_err e = orgs_authorize(db, x->who, x->org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK)
		return refuse(x, e);
	bool kind_ok = false;
	enum db_status s = check_kind(db, x, x->org_id, &kind_ok);
	if (s < 0)
		return s;
	if (!kind_ok)
		return refuse(x, KQ_ERR_PRODUCTS_ORG_KIND);
	struct norm n;
	if ((s = normalise(db, x, NULL, &n)) < 0)
		return s;
	if (x->fe->n)
		return refuse(x, KQ_ERR_FORM_INVALID);
	const char *slug;
	if ((s = free_slug(db, &SQL_SLUG_USED, x->a, n.name, "produit", &slug)) < 0)
		return s;
	int64_t now = time_now();
	struct db_stmt *st = db_stmt(db, &SQL_INSERT);
	db_bind_i64(st, 1, x->org_id);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, n.name);
	db_bind_text(st, 4, n.summary);
	db_bind_text(st, 5, n.description);
	db_bind_text(st, 6, markdown_to_html(x->a, n.description));
	db_bind_i64_or_null(st, 7, n.start);
	db_bind_i64_or_null(st, 8, n.end);
	db_bind_i64(st, 9, now);
	s = db_step(st);
	if (s == DB_ROW)
		x->product_id = db_col_i64(st, 0);
	db_reset(st);
	/* Someone took the slug between our look and our insert: run again. */
	if (s == DB_HARD && db_is_unique_violation(db))
		return DB_SOFT;
	if (s == DB_NONE)
		return DB_HARD;
	if (s < 0)
		return s;
	if ((s = write_labels(db, x->product_id, &n)) < 0)
		return s;
	return write_places(db, x->product_id, x->in->shop, &n);
}

static enum db_status update_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	memset(x->fe, 0, sizeof(*x->fe));
	struct product cur;
	enum kq_err e = get_now(db, x->a, NULL, x->product_id, &cur);
	if (e == KQ_OK)
		e = products_authorize(db, x->who, &cur);
	if (e != KQ_OK)
		return refuse(x, e);
	struct norm n;
	enum db_status s = normalise(db, x, &cur, &n);
	if (s < 0)
		return s;
	if (x->fe->n)
		return refuse(x, KQ_ERR_FORM_INVALID);
	struct db_stmt *st = db_stmt(db, &SQL_UPDATE);
	db_bind_i64(st, 1, cur.id);
	db_bind_text(st, 2, n.name);
	db_bind_text(st, 3, n.summary);
	db_bind_text(st, 4, n.description);
	db_bind_text(st, 5, x->in->description || !*cur.description_html
				    ? markdown_to_html(x->a, n.description)
				    : cur.description_html);
	db_bind_i64_or_null(st, 6, n.start);
	db_bind_i64_or_null(st, 7, n.end);
	db_bind_i64(st, 8, time_now());
	if ((s = db_run(st)) < 0)
		return s;
	if (x->in->set_labels && (s = write_labels(db, cur.id, &n)) < 0)
		return s;
	if (x->in->set_places && (s = write_places(db, cur.id, x->in->shop, &n)) < 0)
		return s;
	return DB_NONE;
}

static enum db_status delete_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	struct product cur;
	enum kq_err e = get_now(db, x->a, NULL, x->product_id, &cur);
	if (e == KQ_OK)
		e = products_authorize(db, x->who, &cur);
	if (e != KQ_OK)
		return refuse(x, e);
	struct db_stmt *st = db_stmt(db, &SQL_DELETE);
	db_bind_i64(st, 1, cur.id);
	enum db_status s = db_run(st);
	return s < 0 ? s : DB_NONE;
}

static enum kq_err run(struct db *db, const char *name, db_txn_fn fn, void *x, enum kq_err *err)
{
	enum db_status s = db_txn_run(db, name, DB_WRITE, fn, x);
	if (*err != KQ_OK)
		return *err;
	if (s < 0) {
		log_error("%s: %s", name, db_errmsg(db));
		return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}

enum kq_err products_create(struct db *db, const struct actor *who, int64_t org_id,
			    const struct product_input *in, struct arena *a,
			    struct field_errors *fe, struct product *out)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct write_ctx x = { who, in, a, fe, org_id, 0, KQ_OK };
	enum kq_err e = run(db, "products_create", create_txn, &x, &x.err);
	if (e != KQ_OK)
		return e;
	return get_now(db, a, NULL, x.product_id, out);
}

enum kq_err products_update(struct db *db, const struct actor *who, int64_t product_id,
			    const struct product_input *in, struct arena *a,
			    struct field_errors *fe, struct product *out)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct write_ctx x = { who, in, a, fe, 0, product_id, KQ_OK };
	enum kq_err e = run(db, "products_update", update_txn, &x, &x.err);
	if (e != KQ_OK)
		return e;
	return get_now(db, a, NULL, product_id, out);
}

enum kq_err products_delete(struct db *db, const struct actor *who, int64_t product_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct field_errors fe = { 0 };
	struct product_input none = { 0 };
	struct write_ctx x = { who, &none, a, &fe, 0, product_id, KQ_OK };
	enum kq_err e = run(db, "products_delete", delete_txn, &x, &x.err);
	arena_free(a);
	return e;
}

/* ---- labels ------------------------------------------------------------------------------------ */

static const struct db_sql SQL_LABELS_LIST = { "labels_list",
	"SELECT " LABEL_COLS ", (SELECT COUNT(*) FROM product_labels pl"
	" JOIN products p ON p.id = pl.product_id JOIN organisations o ON o.id = p.org_id"
	" WHERE pl.label_id = l.id AND p.hidden_at IS NULL AND o.hidden_at IS NULL)"
	" FROM labels l ORDER BY CASE l.kind WHEN 'official' THEN 0 ELSE 1 END, l.id" };
static const struct db_sql SQL_LABEL_GET = { "labels_get",
	"SELECT " LABEL_COLS " FROM labels l WHERE l.slug = $1" };
static const struct db_sql SQL_LABEL_SLUG_USED = { "labels_slug_used",
	"SELECT 1 FROM labels WHERE slug = $1" };
static const struct db_sql SQL_LABEL_INSERT = { "labels_insert",
	"INSERT INTO labels (slug, name, description, kind, created_at) VALUES ($1, $2, $3, $4, $5)"
	" RETURNING id" };

static void read_label_counted(struct db_stmt *st, struct arena *a, void *item)
{
	struct label *l = item;
	read_label(st, a, l);
	l->nproducts = db_col_i64(st, 6);
}

enum kq_err labels_list(struct db *db, struct arena *a, struct label **out, int *out_n)
{
	void *v = NULL;
	enum db_status s = collect_all(db_stmt(db, &SQL_LABELS_LIST), a, sizeof(struct label),
				       read_label_counted, 1000, &v, out_n);
	*out = v;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

enum kq_err labels_get(struct db *db, struct arena *a, const char *slug, struct label *out)
{
	if (!str_slug_valid(slug))
		return KQ_ERR_NOT_FOUND;
	struct db_stmt *st = db_stmt(db, &SQL_LABEL_GET);
	db_bind_text(st, 1, slug);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_label(st, a, out);
	db_reset(st);
	if (s == DB_ROW)
		return KQ_OK;
	return s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

/* The distinct organisations of a list of products, in order of first appearance. */
static void orgs_of(struct arena *a, const struct product *v, int n, struct product_org **out,
		    int *out_n)
{
	struct product_org *o = arena_alloc(a, sizeof(*o) * (size_t)(n > 0 ? n : 1));
	int k = 0;
	for (int i = 0; i < n; i++) {
		int j = 0;
		while (j < k && strcmp(o[j].slug, v[i].org_slug) != 0)
			j++;
		if (j == k) {
			o[k] = (struct product_org){ v[i].org_slug, v[i].org_name, v[i].org_kind,
						     v[i].commune_name, 0 };
			k++;
		}
		o[j].nproducts++;
	}
	*out = o;
	*out_n = k;
}

enum kq_err labels_page(struct db *db, struct arena *a, const char *slug, struct label *out,
			struct product **out_products, int *out_np, struct product_org **out_orgs,
			int *out_no)
{
	*out_products = NULL;
	*out_np = 0;
	*out_orgs = NULL;
	*out_no = 0;
	enum kq_err e = labels_get(db, a, slug, out);
	if (e != KQ_OK)
		return e;
	struct product_filter f = { .label = out->slug, .limit = PRODUCTS_PAGE_MAX };
	int64_t total = 0;
	if ((e = products_list(db, a, &f, out_products, out_np, &total)) != KQ_OK)
		return e;
	out->nproducts = total;
	orgs_of(a, *out_products, *out_np, out_orgs, out_no);
	return KQ_OK;
}

enum kq_err labels_create(struct db *db, const struct actor *who, const struct label_input *in,
			  struct arena *a, struct field_errors *fe, struct label *out)
{
	memset(fe, 0, sizeof(*fe));
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!actor_is_admin(who))
		return KQ_ERR_FORBIDDEN;
	const char *name = str_trim(a, in->name);
	const char *slug = str_trim(a, in->slug);
	const char *desc = str_trim(a, in->description);
	const char *kind = in->kind && *in->kind ? in->kind : "local";
	size_t len = str_utf8_len(name);
	if (!str_text_ok(name, SIZE_MAX, false) || len < 2 || len > LABELS_NAME_MAX)
		field_error_add(fe, "name", "err.labels.name_invalid");
	if (!*slug && len >= 2)
		slug = str_slugify(a, name);
	if (!str_slug_valid(slug))
		field_error_add(fe, "slug", "err.labels.slug_invalid");
	if (!str_text_ok(desc, LABELS_DESCRIPTION_MAX, true))
		field_error_add(fe, "description", "err.labels.description_invalid");
	if (strcmp(kind, "official") != 0 && strcmp(kind, "local") != 0)
		field_error_add(fe, "kind", "err.labels.kind_invalid");
	/* A taken slug is said with the other errors, not after they are fixed. */
	enum db_status s = DB_NONE;
	if (str_slug_valid(slug)) {
		struct db_stmt *st = db_stmt(db, &SQL_LABEL_SLUG_USED);
		db_bind_text(st, 1, slug);
		s = db_step(st);
		db_reset(st);
		if (s < 0)
			return KQ_ERR_INTERNAL;
		if (s == DB_ROW)
			field_error_add(fe, "slug", "err.labels.slug_taken");
	}
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	struct db_stmt *st = db_stmt(db, &SQL_LABEL_INSERT);
	db_bind_text(st, 1, slug);
	db_bind_text(st, 2, name);
	db_bind_text(st, 3, desc);
	db_bind_text(st, 4, kind);
	db_bind_i64(st, 5, time_now());
	s = db_step(st);
	db_reset(st);
	if (s != DB_ROW) {
		/* Taken between our look and our insert. */
		if (db_is_unique_violation(db)) {
			field_error_add(fe, "slug", "err.labels.slug_taken");
			return KQ_ERR_FORM_INVALID;
		}
		return KQ_ERR_INTERNAL;
	}
	return labels_get(db, a, slug, out);
}

/* ---- markets ------------------------------------------------------------------------------------ */

#define MARKET_COLS                                                                              \
	"m.id, m.slug, m.name, COALESCE(c.insee, ''), COALESCE(c.name, ''), m.place, m.weekday," \
	" m.opens_min, m.closes_min, m.season_notes"
static const struct db_sql SQL_MARKETS_LIST = { "markets_list",
	"SELECT " MARKET_COLS " FROM markets m LEFT JOIN communes c ON c.id = m.commune_id"
	" ORDER BY m.weekday, m.opens_min, m.id" };
static const struct db_sql SQL_MARKET_GET = { "markets_get",
	"SELECT " MARKET_COLS " FROM markets m LEFT JOIN communes c ON c.id = m.commune_id"
	" WHERE m.slug = $1" };
static const struct db_sql SQL_MARKET_SLUG_USED = { "markets_slug_used",
	"SELECT 1 FROM markets WHERE slug = $1" };
static const struct db_sql SQL_MARKET_COMMUNE = { "markets_commune",
	"SELECT id FROM communes WHERE insee = $1" };
static const struct db_sql SQL_MARKET_INSERT = { "markets_insert",
	"INSERT INTO markets (slug, name, commune_id, place, weekday, opens_min, closes_min,"
	" season_notes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id" };
static const struct db_sql SQL_MARKET_PRODUCERS = { "markets_producers",
	"SELECT o.slug, o.name, o.kind, COALESCE(c.name, ''), COUNT(DISTINCT p.id)"
	" FROM product_places pp JOIN products p ON p.id = pp.product_id"
	" JOIN organisations o ON o.id = p.org_id LEFT JOIN communes c ON c.id = o.commune_id"
	" WHERE pp.market_id = $1 AND p.hidden_at IS NULL AND o.hidden_at IS NULL"
	" GROUP BY o.id, o.slug, o.name, o.kind, c.name ORDER BY lower(o.name), o.id" };

static void read_market(struct db_stmt *st, struct arena *a, void *item)
{
	struct market *m = item;
	m->id = db_col_i64(st, 0);
	m->slug = db_col_str(st, 1, a);
	m->name = db_col_str(st, 2, a);
	m->commune_insee = db_col_str(st, 3, a);
	m->commune_name = db_col_str(st, 4, a);
	m->place = db_col_str(st, 5, a);
	m->weekday = (int)db_col_i64(st, 6);
	m->opens_min = (int)db_col_i64(st, 7);
	m->closes_min = (int)db_col_i64(st, 8);
	m->season_notes = db_col_str(st, 9, a);
}

static void read_product_org(struct db_stmt *st, struct arena *a, void *item)
{
	struct product_org *o = item;
	o->slug = db_col_str(st, 0, a);
	o->name = db_col_str(st, 1, a);
	o->kind = db_col_str(st, 2, a);
	o->commune_name = db_col_str(st, 3, a);
	o->nproducts = (int)db_col_i64(st, 4);
}

enum kq_err markets_list(struct db *db, struct arena *a, struct market **out, int *out_n)
{
	void *v = NULL;
	enum db_status s = collect_all(db_stmt(db, &SQL_MARKETS_LIST), a, sizeof(struct market),
				       read_market, 1000, &v, out_n);
	*out = v;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

enum kq_err markets_get(struct db *db, struct arena *a, const char *slug, struct market *out)
{
	if (!str_slug_valid(slug))
		return KQ_ERR_NOT_FOUND;
	struct db_stmt *st = db_stmt(db, &SQL_MARKET_GET);
	db_bind_text(st, 1, slug);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_market(st, a, out);
	db_reset(st);
	if (s == DB_ROW)
		return KQ_OK;
	return s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

enum kq_err markets_producers(struct db *db, struct arena *a, int64_t market_id,
			      struct product_org **out, int *out_n)
{
	struct db_stmt *st = db_stmt(db, &SQL_MARKET_PRODUCERS);
	db_bind_i64(st, 1, market_id);
	void *v = NULL;
	enum db_status s = collect_all(st, a, sizeof(struct product_org), read_product_org, 1000,
				       &v, out_n);
	*out = v;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

/* "08:30", "8:30", "8h30", "8 h 30" or "8h" -> minutes after midnight; -1 when not a time. */
static int minutes_of(const char *s)
{
	if (!s)
		return -1;
	int h = 0, m = 0, k = 0;
	while (*s == ' ')
		s++;
	while (isdigit((unsigned char)*s) && k < 2) {
		h = h * 10 + (*s++ - '0');
		k++;
	}
	if (!k)
		return -1;
	while (*s == ' ')
		s++;
	if (*s == ':' || *s == 'h' || *s == 'H')
		s++;
	else if (*s)
		return -1;
	while (*s == ' ')
		s++;
	k = 0;
	while (isdigit((unsigned char)*s) && k < 2) {
		m = m * 10 + (*s++ - '0');
		k++;
	}
	if (k == 1)
		return -1;
	while (*s == ' ')
		s++;
	if (*s || h > 24 || m > 59 || (h == 24 && m))
		return -1;
	return h * 60 + m;
}

enum kq_err markets_create(struct db *db, const struct actor *who, const struct market_input *in,
			   struct arena *a, struct field_errors *fe, struct market *out)
{
	memset(fe, 0, sizeof(*fe));
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!actor_is_admin(who))
		return KQ_ERR_FORBIDDEN;
	const char *name = str_trim(a, in->name);
	const char *slug = str_trim(a, in->slug);
	const char *place = str_trim(a, in->place);
	const char *notes = str_trim(a, in->season_notes);
	const char *commune = str_trim(a, in->commune);
	size_t len = str_utf8_len(name);
	if (!str_text_ok(name, SIZE_MAX, false) || len < 2 || len > MARKETS_NAME_MAX)
		field_error_add(fe, "name", "err.markets.name_invalid");
	if (!*slug && len >= 2)
		slug = str_slugify(a, name);
	if (!str_slug_valid(slug))
		field_error_add(fe, "slug", "err.labels.slug_invalid");
	if (!str_text_ok(place, 200, false))
		field_error_add(fe, "place", "err.markets.place_invalid");
	if (!str_text_ok(notes, 200, false))
		field_error_add(fe, "season_notes", "err.markets.notes_invalid");
	int64_t wd = 0;
	if (!str_to_i64(in->weekday, &wd) || wd < 1 || wd > 7)
		field_error_add(fe, "weekday", "err.markets.weekday_invalid");
	int opens = minutes_of(in->opens), closes = minutes_of(in->closes);
	if (opens < 0 || opens > 1439)
		field_error_add(fe, "opens", "err.markets.time_invalid");
	if (closes < 0)
		field_error_add(fe, "closes", "err.markets.time_invalid");
	else if (opens >= 0 && closes <= opens)
		field_error_add(fe, "closes", "err.markets.closes_before");
	int64_t commune_id = 0;
	if (*commune) {
		struct db_stmt *st = db_stmt(db, &SQL_MARKET_COMMUNE);
		db_bind_text(st, 1, commune);
		enum db_status s = db_step(st);
		commune_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
		db_reset(st);
		if (s < 0)
			return KQ_ERR_INTERNAL;
		if (!commune_id)
			field_error_add(fe, "commune", "err.markets.commune_invalid");
	}
	enum db_status s = DB_NONE;
	if (str_slug_valid(slug)) {
		struct db_stmt *st = db_stmt(db, &SQL_MARKET_SLUG_USED);
		db_bind_text(st, 1, slug);
		s = db_step(st);
		db_reset(st);
		if (s < 0)
			return KQ_ERR_INTERNAL;
		if (s == DB_ROW)
			field_error_add(fe, "slug", "err.labels.slug_taken");
	}
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	struct db_stmt *st = db_stmt(db, &SQL_MARKET_INSERT);
	db_bind_text(st, 1, slug);
	db_bind_text(st, 2, name);
	db_bind_i64_or_null(st, 3, commune_id);
	db_bind_text(st, 4, place);
	db_bind_i64(st, 5, wd);
	db_bind_i64(st, 6, opens);
	db_bind_i64(st, 7, closes);
	db_bind_text(st, 8, notes);
	db_bind_i64(st, 9, time_now());
	s = db_step(st);
	db_reset(st);
	if (s != DB_ROW) {
		if (db_is_unique_violation(db)) {
			field_error_add(fe, "slug", "err.labels.slug_taken");
			return KQ_ERR_FORM_INVALID;
		}
		return KQ_ERR_INTERNAL;
	}
	return markets_get(db, a, slug, out);
}

/* ---- the demo territory's terroir ---------------------------------------------------------- */


static const struct {
	const char *slug, *name, *commune, *place, *notes;
	int weekday, opens, closes;
} demo_markets[] = {
	{ "marche-de-vesqueval", "Marché de Vesqueval", "26391", "Place de la Halle",
	  "Toute l'année", 6, 8 * 60, 12 * 60 + 30 },
	{ "marche-de-montgenet", "Marché de Montgenêt", "26393", "Place de l'Église",
	  "D'avril à octobre", 4, 16 * 60, 19 * 60 },
	{ "marche-de-coustelle", "Marché de Coustelle", "26398", "Place de la Fontaine",
	  "Toute l'année", 3, 8 * 60, 12 * 60 },
};

struct demo_product {
	const char *org, *name, *summary, *description, *start, *end;
	const char *labels[3];
	bool shop;
	const char *shop_notes;
	const char *markets[3];
	const char *partners[3];
};

static const struct demo_product demo_products[] = {
	{ "chevrerie-des-granges", "Picodon AOP",
	  "Petit fromage de chèvre au lait cru, affiné trois semaines au moins.",
	  "Nos chèvres alpines pâturent sur les coteaux de Montgenêt. Le **picodon** est moulé à la "
	  "louche, puis affiné en cave : doux à quinze jours, plus piquant à deux mois.",
	  "3", "11", { "aop", "bienvenue-a-la-ferme" }, true, "À la ferme, le vendredi de 17 h à 19 h",
	  { "marche-de-montgenet", "marche-de-vesqueval" }, { "comptoir-de-coustelle" } },
	{ "chevrerie-des-granges", "Tomme de chèvre",
	  "Tomme à croûte fleurie, de 1,2 kg environ, vendue à la coupe.",
	  "Une pâte souple au goût de noisette, affinée deux mois.", "4", "12",
	  { "bienvenue-a-la-ferme" }, true, "À la ferme, le vendredi de 17 h à 19 h",
	  { "marche-de-montgenet" }, { NULL } },
	{ "rucher-de-la-roche", "Miel de lavande",
	  "Miel crémeux récolté sur les plateaux, pot de 500 g.",
	  "Récolté en juillet sur les lavandes des plateaux, extrait à froid.", "", "",
	  { "igp", "ab" }, true, "Au rucher, sur rendez-vous", { "marche-de-vesqueval" },
	  { "la-page-buissonniere", "comptoir-de-coustelle" } },
	{ "rucher-de-la-roche", "Miel de châtaignier",
	  "Miel ambré au goût puissant, pot de 500 g.",
	  "Un miel corsé, légèrement amer, qui cristallise lentement.", "", "", { "ab" }, true,
	  "Au rucher, sur rendez-vous", { "marche-de-vesqueval" }, { NULL } },
	{ "rucher-de-la-roche", "Pain d'épices au miel",
	  "Pain d'épices au miel de châtaignier et à la farine de seigle.",
	  "Cuit chaque semaine, de novembre à février.", "11", "2", { "ab" }, false, "",
	  { "marche-de-vesqueval" }, { "boulangerie-chabert" } },
	{ "domaine-coteaux-de-vesque", "Côtes-du-Rhône rouge",
	  "Grenache et syrah, élevé douze mois en cuve.",
	  "Un vin fruité et épicé, à boire sur une daube ou des fromages de chèvre.", "", "",
	  { "aoc", "ab" }, true, "Caveau ouvert du mardi au samedi, de 10 h à 12 h et de 15 h à 19 h",
	  { "marche-de-coustelle" }, { "auberge-du-pont-vieux", "comptoir-de-coustelle" } },
	{ "domaine-coteaux-de-vesque", "Clairette de Die",
	  "Vin effervescent, méthode ancestrale, muscat et clairette.",
	  "Bulles fines et arômes de raisin frais : l'apéritif de la vallée.", "", "", { "aoc" },
	  true, "Caveau ouvert du mardi au samedi", { NULL }, { "comptoir-de-coustelle" } },
	{ "domaine-coteaux-de-vesque", "Jus de raisin",
	  "Pur jus de raisin de nos vignes, sans sucre ajouté.", "", "", "", { "ab" }, true, "",
	  { NULL }, { NULL } },
	{ "vergers-de-montgenet", "Noix fraîches",
	  "Noix de la variété franquette, vendues fraîches puis sèches.",
	  "Gaulées à la main fin septembre, séchées au soleil.", "9", "12", { "aop" }, true,
	  "Au verger, le samedi après-midi", { "marche-de-montgenet" }, { "comptoir-de-coustelle" } },
	{ "vergers-de-montgenet", "Châtaignes",
	  "Châtaignes de pays, triées et calibrées.",
	  "Ramassées sous nos vieux châtaigniers, à griller ou à cuire en soupe.", "10", "12",
	  { "bienvenue-a-la-ferme" }, true, "Au verger, le samedi après-midi",
	  { "marche-de-montgenet", "marche-de-vesqueval" }, { NULL } },
	{ "vergers-de-montgenet", "Abricots",
	  "Abricots bergeron cueillis à maturité.", "", "6", "8", { "label-rouge" }, true,
	  "Au verger, le samedi après-midi", { "marche-de-montgenet" }, { NULL } },
	{ "jardins-de-la-vesque", "Panier de légumes de saison",
	  "Un panier de légumes bio cueillis la veille, à réserver.",
	  "Courges, poireaux et choux l'hiver ; tomates, courgettes et haricots l'été.", "", "",
	  { "ab" }, true, "Aux Iscles, le mercredi de 17 h à 19 h", { "marche-de-vesqueval" },
	  { NULL } },
	{ "ferme-du-serre", "Agneau de la Drôme",
	  "Colis d'agneau élevé en plein air, sur commande.",
	  "Nos brebis passent l'été en estive sur les crêtes.", "3", "6", { "igp", "label-rouge" },
	  true, "Sur commande, retrait à la ferme", { "marche-de-coustelle" }, { NULL } },
	{ "boulangerie-chabert", "Calissons",
	  "Calissons à l'amande et au melon confit, faits maison.",
	  "Une pâte d'amande fine sur une feuille d'hostie, glacée au sucre.", "", "", { NULL },
	  true, "À la boutique, du mardi au dimanche", { NULL }, { "comptoir-de-coustelle" } },
	{ "boulangerie-chabert", "Pogne de Romans",
	  "Brioche parfumée à la fleur d'oranger.", "", "", "", { "igp" }, true,
	  "À la boutique, du mardi au dimanche", { "marche-de-vesqueval" }, { NULL } },
	{ "comptoir-de-coustelle", "Huile de noix",
	  "Huile vierge de noix pressée au moulin de la vallée.", "", "", "", { "aop" }, true, "",
	  { NULL }, { NULL } },
};

static int count3(const char *const v[3])
{
	int n = 0;
	while (n < 3 && v[n])
		n++;
	return n;
}

enum kq_err products_load_demo(struct db *db)
{
	if (!db_in_txn(db))
		KQ_BUG("products_load_demo outside a transaction");
	struct arena *a = arena_new();
	enum kq_err e = KQ_OK;
	struct actor admin = { .account_id = -1, .platform_role = "admin", .lang = "fr",
			       .is_verified = true };
	for (size_t i = 0; e == KQ_OK && i < sizeof(demo_markets) / sizeof(demo_markets[0]); i++) {
		struct market_input in = {
			.name = demo_markets[i].name, .slug = demo_markets[i].slug,
			.commune = demo_markets[i].commune, .place = demo_markets[i].place,
			.weekday = arena_printf(a, "%d", demo_markets[i].weekday),
			.opens = arena_printf(a, "%d:%02d", demo_markets[i].opens / 60,
					      demo_markets[i].opens % 60),
			.closes = arena_printf(a, "%d:%02d", demo_markets[i].closes / 60,
					       demo_markets[i].closes % 60),
			.season_notes = demo_markets[i].notes };
		struct field_errors fe = { 0 };
		struct market m;
		e = markets_create(db, &admin, &in, a, &fe, &m);
		if (e == KQ_ERR_FORM_INVALID && fe.n && strcmp(fe.e[0].field, "commune") == 0) {
			/* A demo territory without that commune: the market without one. */
			in.commune = "";
			e = markets_create(db, &admin, &in, a, &fe, &m);
		}
	}
	for (size_t i = 0; e == KQ_OK && i < sizeof(demo_products) / sizeof(demo_products[0]); i++) {
		const struct demo_product *d = &demo_products[i];
		int64_t org_id = 0;
		struct actor who;
		if ((e = orgs_demo_owner(db, d->org, &org_id, &who)) != KQ_OK)
			break;
		if (!org_id)
			continue;   /* a demo without that organisation */
		/* Written by the organisation's owner, through the same rules as a page. */
		struct product_input in = { .name = d->name, .summary = d->summary,
					    .description = d->description,
					    .season_start = d->start, .season_end = d->end,
					    .set_labels = true, .labels = d->labels,
					    .nlabels = count3(d->labels), .set_places = true,
					    .shop = d->shop, .shop_notes = d->shop_notes,
					    .markets = d->markets, .nmarkets = count3(d->markets),
					    .partners = d->partners,
					    .npartners = count3(d->partners) };
		struct field_errors fe = { 0 };
		struct product p;
		e = products_create(db, &who, org_id, &in, a, &fe, &p);
		if (e == KQ_ERR_FORM_INVALID) {
			/* A partner missing from this demo: the product without partners. */
			in.npartners = 0;
			e = products_create(db, &who, org_id, &in, a, &fe, &p);
		}
	}
	arena_free(a);
	return e;
}
