/* orgs.c: organisations, members, invitations and the permission rules every module asks
 *
 * Each write runs in one transaction through db_txn_run. A callback reports a
 * domain refusal in its context (x->err) and returns DB_HARD so that nothing
 * is kept; db_txn_run retries the whole callback on a soft failure, so every
 * callback starts by clearing x->err. Authorisation is checked inside the
 * same transaction as the change it guards. */
#include "orgs.h"
#include "markdown.h"
#include "notify.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- vocabularies ------------------------------------------------------------------ */

static const char *const kinds[] = { "association", "business", "producer", "public_body", NULL };

/* Slugs as used by data/demo/territory.json; "autre" closes every list. */
static const char *const cat_association[] = {
	"comite-des-fetes", "culture", "sport", "loisirs", "education", "jeunesse",
	"solidarite", "sante", "environnement", "patrimoine", "autre", NULL
};
static const char *const cat_business[] = {
	"commerce", "restauration", "hebergement", "artisanat", "services", "autre", NULL
};
static const char *const cat_producer[] = {
	"maraichage", "arboriculture", "elevage", "fromagerie", "apiculture", "viticulture",
	"autre", NULL
};
static const char *const cat_public_body[] = {
	"mairie", "intercommunalite", "office-de-tourisme", "mediatheque", "autre", NULL
};

static const char *const roles[] = { "owner", "editor", "box_office", "treasurer", NULL };

static bool in_list(const char *const *list, const char *s)
{
	for (; s && list && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

const char *const *orgs_kinds(void)
{
	return kinds;
}

bool orgs_kind_valid(const char *kind)
{
	return in_list(kinds, kind);
}

static const struct db_sql SQL_COUNT_BY_KIND = { "orgs_count_by_kind",
	"SELECT kind, COUNT(*) FROM organisations WHERE hidden_at IS NULL GROUP BY kind" };

/* The home page is the most viewed page and counting every organisation on
 * each view cost nearly all of its time (BENCHMARKS.md): the counts are kept
 * per process for a few seconds; a new organisation shows up soon enough. */
#define COUNTS_TTL 10
static pthread_mutex_t counts_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t counts_at = -COUNTS_TTL - 1;
static int64_t counts[ORGS_KIND_MAX];

enum kq_err orgs_count_by_kind(struct db *db, int64_t out[ORGS_KIND_MAX])
{
	int64_t now = time_now();
	pthread_mutex_lock(&counts_lock);
	bool fresh = now - counts_at <= COUNTS_TTL && now >= counts_at;
	if (fresh)
		memcpy(out, counts, sizeof(counts));
	pthread_mutex_unlock(&counts_lock);
	if (fresh)
		return KQ_OK;

	int64_t got[ORGS_KIND_MAX] = { 0 };
	struct db_stmt *st = db_stmt(db, &SQL_COUNT_BY_KIND);
	enum db_status r;
	while ((r = db_step(st)) == DB_ROW) {
		const char *kind = db_col_text(st, 0);
		for (int i = 0; kinds[i] && i < ORGS_KIND_MAX; i++)
			if (str_eq(kinds[i], kind))
				got[i] = db_col_i64(st, 1);
	}
	db_reset(st);
	if (r != DB_NONE)
		return KQ_ERR_INTERNAL;
	pthread_mutex_lock(&counts_lock);
	memcpy(counts, got, sizeof(counts));
	counts_at = now;
	pthread_mutex_unlock(&counts_lock);
	memcpy(out, got, sizeof(got));
	return KQ_OK;
}

const char *const *orgs_categories(const char *kind)
{
	if (str_eq(kind, "association"))
		return cat_association;
	if (str_eq(kind, "business"))
		return cat_business;
	if (str_eq(kind, "producer"))
		return cat_producer;
	if (str_eq(kind, "public_body"))
		return cat_public_body;
	return NULL;
}

bool orgs_category_valid(const char *kind, const char *category)
{
	return in_list(orgs_categories(kind), category);
}

const char *const *orgs_roles(void)
{
	return roles;
}

bool orgs_role_valid(const char *role)
{
	return in_list(roles, role);
}

/* ---- permissions ------------------------------------------------------------------- */

bool orgs_role_can(const char *role, enum org_action act)
{
	if (!orgs_role_valid(role))
		return false;
	bool owner = strcmp(role, "owner") == 0;
	switch (act) {
	case ORG_ACT_VIEW_MEMBERS:
		return true;
	case ORG_ACT_EDIT_PROFILE:
	case ORG_ACT_PUBLISH:
		return owner || strcmp(role, "editor") == 0;
	case ORG_ACT_MANAGE_MEMBERS:
		return owner;
	case ORG_ACT_BOX_OFFICE:
		return owner || strcmp(role, "box_office") == 0;
	case ORG_ACT_MONEY:
		return owner || strcmp(role, "treasurer") == 0;
	}
	return false;
}

static const struct db_sql SQL_ORG_EXISTS = { "orgs_exists",
	"SELECT 1 FROM organisations WHERE id = $1" };

static const struct db_sql SQL_MEMBER_ROLE = { "orgs_member_role",
	"SELECT role FROM org_members WHERE org_id = $1 AND account_id = $2" };

static enum kq_err org_exists(struct db *db, int64_t org_id)
{
	struct db_stmt *st = db_stmt(db, &SQL_ORG_EXISTS);
	db_bind_i64(st, 1, org_id);
	enum db_status s = db_step(st);
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

enum kq_err orgs_authorize(struct db *db, const struct actor *who, int64_t org_id,
			   enum org_action act)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (actor_is_admin(who))
		return org_exists(db, org_id);
	struct db_stmt *st = db_stmt(db, &SQL_MEMBER_ROLE);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, who->account_id);
	enum db_status s = db_step(st);
	bool allowed = s == DB_ROW && orgs_role_can(db_col_text(st, 0), act);
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (s == DB_ROW)
		return allowed ? KQ_OK : KQ_ERR_FORBIDDEN;
	/* Not a member: say "forbidden" only about an organisation that exists. */
	enum kq_err e = org_exists(db, org_id);
	return e == KQ_OK ? KQ_ERR_FORBIDDEN : e;
}

enum kq_err orgs_member_role(struct db *db, struct arena *a, int64_t org_id, int64_t account_id,
			     const char **out_role)
{
	*out_role = NULL;
	if (!account_id)
		return KQ_OK;
	struct db_stmt *st = db_stmt(db, &SQL_MEMBER_ROLE);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, account_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		*out_role = arena_strdup(a, db_col_text(st, 0));
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

/* ---- reading organisations ------------------------------------------------------------- */

#define ORG_COLS                                                                           \
	"o.id, o.slug, o.kind, o.name, o.summary, o.description, o.category,"              \
	" COALESCE(o.commune_id, 0), COALESCE(c.insee, ''), COALESCE(c.name, ''),"         \
	" o.address, o.email, o.phone, o.website, COALESCE(o.logo_upload_id, 0),"          \
	" COALESCE(u.sha256, ''), o.created_at, o.updated_at, COALESCE(o.description_html, ''),"\
	" CASE WHEN o.lat_e6 IS NULL OR o.lon_e6 IS NULL THEN 0 ELSE 1 END,"               \
	" COALESCE(o.lat_e6, 0), COALESCE(o.lon_e6, 0),"                                   \
	" CASE WHEN c.lat_e6 IS NULL OR c.lon_e6 IS NULL THEN 0 ELSE 1 END,"               \
	" COALESCE(c.lat_e6, 0), COALESCE(c.lon_e6, 0), o.hours_note, COALESCE(o.hidden_at, 0)"
/* The same columns for the map, without the long texts it never shows
 * (summary, description and its HTML come back ""): read_org reads both. */
#define ORG_COLS_MAP                                                                       \
	"o.id, o.slug, o.kind, o.name, '', '', o.category,"                                \
	" COALESCE(o.commune_id, 0), COALESCE(c.insee, ''), COALESCE(c.name, ''),"         \
	" o.address, '', '', '', COALESCE(o.logo_upload_id, 0),"                           \
	" COALESCE(u.sha256, ''), o.created_at, o.updated_at, '',"                         \
	" CASE WHEN o.lat_e6 IS NULL OR o.lon_e6 IS NULL THEN 0 ELSE 1 END,"               \
	" COALESCE(o.lat_e6, 0), COALESCE(o.lon_e6, 0),"                                   \
	" CASE WHEN c.lat_e6 IS NULL OR c.lon_e6 IS NULL THEN 0 ELSE 1 END,"               \
	" COALESCE(c.lat_e6, 0), COALESCE(c.lon_e6, 0), '', COALESCE(o.hidden_at, 0)"
#define ORG_JOINS                                                                          \
	" LEFT JOIN communes c ON c.id = o.commune_id"                                     \
	" LEFT JOIN uploads u ON u.id = o.logo_upload_id"
#define ORG_FROM " FROM organisations o" ORG_JOINS

static const struct db_sql SQL_GET_SLUG = { "orgs_get_slug",
	"SELECT " ORG_COLS ORG_FROM " WHERE o.slug = $1" };
static const struct db_sql SQL_GET_ID = { "orgs_get_id",
	"SELECT " ORG_COLS ORG_FROM " WHERE o.id = $1" };

static const struct db_sql SQL_COMMUNE_BY_INSEE = { "orgs_commune_by_insee",
	"SELECT id FROM communes WHERE insee = $1" };
static const struct db_sql SQL_CENTRE_BY_INSEE = { "orgs_centre_by_insee",
	"SELECT lat_e6, lon_e6 FROM communes WHERE insee = $1"
	" AND lat_e6 IS NOT NULL AND lon_e6 IS NOT NULL" };

/* The directory (orgs_list).
 *
 * Order: lower(name), then id, on both backends (INVARIANT(directory-order)),
 * unless "near" is asked. Every variant below is a fixed text; which one runs
 * depends only on which filters are set, never on their values, which are
 * always bound. Hidden organisations (0017) are in none of them
 * (INVARIANT(hidden-org): test_list_leaves_hidden_out).
 *
 * Why variants: a filter written "($1 = '' OR kind = $1)" matches everything
 * when empty, but no index can serve it, so one statement for every case read
 * and sorted the whole table (BENCHMARKS.md, profile notes). Here the most
 * selective filter that is set (label, else category, else commune, else
 * kind) is also written as a plain condition, which an index serves: the
 * partial indexes of 0022-directory.sql (<column>, lower(name), id, name)
 * WHERE hidden_at IS NULL hand the rows over in the listed order, and a label
 * goes through labels.slug and product_labels(label_id) to a few ids. The
 * other filters stay as "empty or equal" terms, checked on the rows of that
 * index range only. No filter at all has its own two statements: a bare
 * COUNT(*) and a walk of (lower(name), id). The text filter q is a LIKE on
 * name and summary that no index serves (full-text search is search.c's):
 * alone it scans, and it never touches the unfiltered statements.
 *
 * Why a subquery: OFFSET pagination skips rows one by one. The inner query
 * walks the index and keeps only ids, so a skipped row costs one index entry;
 * the joins and the wide columns are read for the page's rows only.
 *
 * "Near" sorts every match by its squared distance to the origin (its own
 * position, else its commune's centre; a degree of longitude counts 0.71 of
 * a degree of latitude, as at 45° N), those the map cannot place last, then
 * by name: no index can serve a distance, so it is one statement that sorts.
 *
 * Parameters of the filtered variants: $1 kind, $2 commune id (0: any),
 * $3 category, $4 LIKE pattern ("": any), $5 label slug ("": any), $6 limit,
 * $7 offset, and for "near" $8, $9 the origin (micro-degrees); of the
 * unfiltered list: $1 limit, $2 offset. Every statement numbers its
 * parameters without gaps. */
#define LABEL_ORGS                                                                         \
	"SELECT p.org_id FROM labels l JOIN product_labels pl ON pl.label_id = l.id"      \
	" JOIN products p ON p.id = pl.product_id WHERE l.slug = $5 AND p.hidden_at IS NULL"
#define ORG_FILTERS                                                                        \
	" ($1 = '' OR o.kind = $1)"                                                        \
	" AND (CAST($2 AS BIGINT) = 0 OR o.commune_id = CAST($2 AS BIGINT))"               \
	" AND ($3 = '' OR o.category = $3)"                                                \
	" AND ($4 = '' OR lower(o.name) LIKE lower(CAST($4 AS TEXT)) ESCAPE '\\'"          \
	"      OR lower(o.summary) LIKE lower(CAST($4 AS TEXT)) ESCAPE '\\')"              \
	" AND ($5 = '' OR o.id IN (" LABEL_ORGS "))"
#define VISIBLE " o.hidden_at IS NULL AND"
#define LEAD_KIND " o.kind = $1 AND"
#define LEAD_COMMUNE " o.commune_id = CAST($2 AS BIGINT) AND"
#define LEAD_CATEGORY " o.category = $3 AND"
#define LEAD_LABEL " o.id IN (" LABEL_ORGS ") AND"
#define ORG_COUNT(lead) "SELECT COUNT(*) FROM organisations o WHERE" VISIBLE lead ORG_FILTERS
#define ORG_PAGE_COLS(cols, where, limit, offset)                                          \
	"SELECT " cols " FROM (SELECT o.id FROM organisations o" where                     \
	" ORDER BY lower(o.name), o.id LIMIT " limit " OFFSET " offset ") p"               \
	" JOIN organisations o ON o.id = p.id" ORG_JOINS " ORDER BY lower(o.name), o.id"
#define ORG_PAGE(where, limit, offset) ORG_PAGE_COLS(ORG_COLS, where, limit, offset)
#define ORG_MAP(where) ORG_PAGE_COLS(ORG_COLS_MAP, where, "$6", "$7")
#define NEAR_LAT "COALESCE(o.lat_e6, c.lat_e6)"
#define NEAR_LON "COALESCE(o.lon_e6, c.lon_e6)"
#define NEAR_DIST                                                                          \
	"((" NEAR_LAT " - CAST($8 AS BIGINT)) / 100) * ((" NEAR_LAT " - CAST($8 AS BIGINT)) / 100)" \
	" + ((" NEAR_LON " - CAST($9 AS BIGINT)) * 71 / 10000)"                            \
	" * ((" NEAR_LON " - CAST($9 AS BIGINT)) * 71 / 10000)"

struct list_sql {
	struct db_sql count, page;
	bool filtered;          /* binds $1..$7 as above; else only $1 limit, $2 offset */
	struct db_sql map;      /* page with the map's columns; binds as page */
};

static const struct list_sql LIST_ALL = {
	{ "orgs_count_all", "SELECT (SELECT COUNT(*) FROM organisations)"
			    " - (SELECT COUNT(*) FROM organisations WHERE hidden_at IS NOT NULL)" },
	{ "orgs_page_all", "SELECT " ORG_COLS " FROM (SELECT id FROM organisations"
			   " WHERE hidden_at IS NULL ORDER BY lower(name), id LIMIT $1 OFFSET $2) p"
			   " JOIN organisations o ON o.id = p.id" ORG_JOINS
			   " ORDER BY lower(o.name), o.id" }, false,
	{ "orgs_map_all", "SELECT " ORG_COLS_MAP " FROM (SELECT id FROM organisations"
			  " WHERE hidden_at IS NULL ORDER BY lower(name), id LIMIT $1 OFFSET $2) p"
			  " JOIN organisations o ON o.id = p.id" ORG_JOINS
			  " ORDER BY lower(o.name), o.id" } };
static const struct list_sql LIST_SCAN = {
	{ "orgs_count_scan", ORG_COUNT("") },
	{ "orgs_page_scan", ORG_PAGE(" WHERE" VISIBLE ORG_FILTERS, "$6", "$7") }, true,
	{ "orgs_map_scan", ORG_MAP(" WHERE" VISIBLE ORG_FILTERS) } };
static const struct list_sql LIST_KIND = {
	{ "orgs_count_kind", ORG_COUNT(LEAD_KIND) },
	{ "orgs_page_kind", ORG_PAGE(" WHERE" VISIBLE LEAD_KIND ORG_FILTERS, "$6", "$7") }, true,
	{ "orgs_map_kind", ORG_MAP(" WHERE" VISIBLE LEAD_KIND ORG_FILTERS) } };
static const struct list_sql LIST_COMMUNE = {
	{ "orgs_count_commune", ORG_COUNT(LEAD_COMMUNE) },
	{ "orgs_page_commune", ORG_PAGE(" WHERE" VISIBLE LEAD_COMMUNE ORG_FILTERS, "$6", "$7") },
	true,
	{ "orgs_map_commune", ORG_MAP(" WHERE" VISIBLE LEAD_COMMUNE ORG_FILTERS) } };
static const struct list_sql LIST_CATEGORY = {
	{ "orgs_count_category", ORG_COUNT(LEAD_CATEGORY) },
	{ "orgs_page_category", ORG_PAGE(" WHERE" VISIBLE LEAD_CATEGORY ORG_FILTERS, "$6", "$7") },
	true,
	{ "orgs_map_category", ORG_MAP(" WHERE" VISIBLE LEAD_CATEGORY ORG_FILTERS) } };
static const struct list_sql LIST_LABEL = {
	{ "orgs_count_label", ORG_COUNT(LEAD_LABEL) },
	{ "orgs_page_label", ORG_PAGE(" WHERE" VISIBLE LEAD_LABEL ORG_FILTERS, "$6", "$7") }, true,
	{ "orgs_map_label", ORG_MAP(" WHERE" VISIBLE LEAD_LABEL ORG_FILTERS) } };
#define NEAR_PAGE(cols)                                                                    \
	"SELECT " cols ORG_FROM " WHERE" VISIBLE ORG_FILTERS                               \
	" ORDER BY CASE WHEN " NEAR_LAT " IS NULL OR " NEAR_LON " IS NULL THEN 1 ELSE 0 END," \
	" " NEAR_DIST ", lower(o.name), o.id LIMIT $6 OFFSET $7"
static const struct db_sql SQL_PAGE_NEAR = { "orgs_page_near", NEAR_PAGE(ORG_COLS) };
static const struct db_sql SQL_MAP_NEAR = { "orgs_map_near", NEAR_PAGE(ORG_COLS_MAP) };

static void read_org(struct db_stmt *st, struct arena *a, struct org *o)
{
	o->id = db_col_i64(st, 0);
	o->slug = db_col_str(st, 1, a);
	o->kind = db_col_str(st, 2, a);
	o->name = db_col_str(st, 3, a);
	o->summary = db_col_str(st, 4, a);
	o->description = db_col_str(st, 5, a);
	o->category = db_col_str(st, 6, a);
	o->commune_id = db_col_i64(st, 7);
	o->commune_insee = db_col_str(st, 8, a);
	o->commune_name = db_col_str(st, 9, a);
	o->address = db_col_str(st, 10, a);
	o->email = db_col_str(st, 11, a);
	o->phone = db_col_str(st, 12, a);
	o->website = db_col_str(st, 13, a);
	o->logo_upload_id = db_col_i64(st, 14);
	o->logo_sha256 = db_col_str(st, 15, a);
	o->created_at = db_col_i64(st, 16);
	o->updated_at = db_col_i64(st, 17);
	o->description_html = db_col_str(st, 18, a);
	o->has_position = db_col_i64(st, 19) != 0;
	o->lat_e6 = db_col_i64(st, 20);
	o->lon_e6 = db_col_i64(st, 21);
	bool centre = db_col_i64(st, 22) != 0;
	o->on_map = o->has_position || centre;
	o->map_lat_e6 = o->has_position ? o->lat_e6 : centre ? db_col_i64(st, 23) : 0;
	o->map_lon_e6 = o->has_position ? o->lon_e6 : centre ? db_col_i64(st, 24) : 0;
	o->hours_note = db_col_str(st, 25, a);
	o->hidden_at = db_col_i64(st, 26);
}

static enum kq_err get_one(struct db *db, struct arena *a, const struct db_sql *sql,
			   const char *slug, int64_t id, struct org *out)
{
	struct db_stmt *st = db_stmt(db, sql);
	if (slug)
		db_bind_text(st, 1, slug);
	else
		db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_org(st, a, out);
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

enum kq_err orgs_get(struct db *db, struct arena *a, const char *slug, struct org *out)
{
	if (!str_slug_valid(slug))
		return KQ_ERR_NOT_FOUND;
	return get_one(db, a, &SQL_GET_SLUG, slug, 0, out);
}

enum kq_err orgs_get_by_id(struct db *db, struct arena *a, int64_t id, struct org *out)
{
	return get_one(db, a, &SQL_GET_ID, NULL, id, out);
}

/* "%word%" with LIKE's own wildcards escaped, so "100%" finds "100%". */
static char *like_pattern(struct arena *a, const char *q)
{
	char *t = str_trim(a, q);
	if (!*t)
		return t;
	size_t n = strlen(t);
	char *out = arena_alloc(a, n * 2 + 3), *o = out;
	*o++ = '%';
	for (const char *p = t; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '%';
	*o = 0;
	return out;
}

static void bind_filter(struct db_stmt *st, const struct org_filter *f, int64_t commune_id,
			const char *pattern)
{
	db_bind_text(st, 1, f->kind ? f->kind : "");
	db_bind_i64(st, 2, commune_id);
	db_bind_text(st, 3, f->category ? f->category : "");
	db_bind_text(st, 4, pattern);
	db_bind_text(st, 5, f->label ? f->label : "");
}

/* The statements for the filters that are set (see "The directory" above). */
static const struct list_sql *list_variant(const struct org_filter *f, bool has_commune,
					   const char *pattern)
{
	if (f->label && *f->label)
		return &LIST_LABEL;
	if (f->category && *f->category)
		return &LIST_CATEGORY;
	if (has_commune)
		return &LIST_COMMUNE;
	if (f->kind && *f->kind)
		return &LIST_KIND;
	return *pattern ? &LIST_SCAN : &LIST_ALL;
}

/* The origin of "near": the centre of the commune f->near. false: order by name. */
static enum kq_err near_origin(struct db *db, const struct org_filter *f, bool *out_near,
			       int64_t *out_lat, int64_t *out_lon)
{
	*out_near = false;
	*out_lat = *out_lon = 0;
	if (f->order != ORGS_ORDER_NEAR || !f->near || !*f->near)
		return KQ_OK;
	struct db_stmt *st = db_stmt(db, &SQL_CENTRE_BY_INSEE);
	db_bind_text(st, 1, f->near);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		*out_near = true;
		*out_lat = db_col_i64(st, 0);
		*out_lon = db_col_i64(st, 1);
	}
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

/* orgs_list with its own bounds: the map takes more than a page. */
static enum kq_err list_bounded(struct db *db, struct arena *a, const struct org_filter *f,
				int limit, int offset, bool map, struct org **out, int *out_n,
				int64_t *out_total)
{
	const char *pattern = like_pattern(a, f->q ? f->q : "");
	*out = arena_alloc(a, sizeof(**out) * (size_t)limit);
	*out_n = 0;
	*out_total = 0;

	/* The commune arrives as its INSEE code: looked up first, so that the
	 * organisations are filtered by their own commune_id (an index) instead of
	 * through a join. An unknown code matches nothing, as the join did. */
	int64_t commune_id = 0;
	bool has_commune = f->commune && *f->commune;
	if (has_commune) {
		struct db_stmt *st = db_stmt(db, &SQL_COMMUNE_BY_INSEE);
		db_bind_text(st, 1, f->commune);
		enum db_status s = db_step(st);
		if (s == DB_ROW)
			commune_id = db_col_i64(st, 0);
		db_reset(st);
		if (s < 0)
			return KQ_ERR_INTERNAL;
		if (s == DB_NONE)
			return KQ_OK;
	}
	bool near;
	int64_t lat, lon;
	if (near_origin(db, f, &near, &lat, &lon) != KQ_OK)
		return KQ_ERR_INTERNAL;
	const struct list_sql *v = list_variant(f, has_commune, pattern);

	struct db_stmt *st = db_stmt(db, &v->count);
	if (v->filtered)
		bind_filter(st, f, commune_id, pattern);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		*out_total = db_col_i64(st, 0);
	db_reset(st);
	if (s != DB_ROW)
		return KQ_ERR_INTERNAL;
	if (*out_total <= offset)
		return KQ_OK;   /* past the last page: nothing to list */

	if (near) {
		st = db_stmt(db, map ? &SQL_MAP_NEAR : &SQL_PAGE_NEAR);
		bind_filter(st, f, commune_id, pattern);
		db_bind_i64(st, 6, limit);
		db_bind_i64(st, 7, offset);
		db_bind_i64(st, 8, lat);
		db_bind_i64(st, 9, lon);
	} else {
		st = db_stmt(db, map ? &v->map : &v->page);
		if (v->filtered) {
			bind_filter(st, f, commune_id, pattern);
			db_bind_i64(st, 6, limit);
			db_bind_i64(st, 7, offset);
		} else {
			db_bind_i64(st, 1, limit);
			db_bind_i64(st, 2, offset);
		}
	}
	while ((s = db_step(st)) == DB_ROW && *out_n < limit)
		read_org(st, a, &(*out)[(*out_n)++]);
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

enum kq_err orgs_list(struct db *db, struct arena *a, const struct org_filter *f,
		      struct org **out, int *out_n, int64_t *out_total)
{
	int limit = f->limit < 1 ? 1 : f->limit > ORGS_PAGE_MAX ? ORGS_PAGE_MAX : f->limit;
	int offset = f->offset < 0 ? 0 : f->offset;
	return list_bounded(db, a, f, limit, offset, false, out, out_n, out_total);
}

enum kq_err orgs_map(struct db *db, struct arena *a, const struct org_filter *f,
		     struct org **out, int *out_n)
{
	struct org *all;
	int n;
	int64_t total;
	enum kq_err e = list_bounded(db, a, f, ORGS_MAP_MAX, 0, true, &all, &n, &total);
	*out = all;
	*out_n = 0;
	if (e != KQ_OK)
		return e;
	for (int i = 0; i < n; i++)
		if (all[i].on_map)
			all[(*out_n)++] = all[i];
	return KQ_OK;
}

static const struct db_sql SQL_LABELS = { "orgs_labels",
	"SELECT slug, name FROM labels ORDER BY lower(name), id" };

enum kq_err orgs_labels(struct db *db, struct arena *a, struct org_label **out, int *out_n)
{
	int n = 0, cap = 8;
	struct org_label *list = arena_alloc(a, sizeof(*list) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_LABELS);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		list = arena_grow(a, list, n, &cap, sizeof(*list));
		list[n].slug = db_col_str(st, 0, a);
		list[n].name = db_col_str(st, 1, a);
		n++;
	}
	db_reset(st);
	*out = list;
	*out_n = n;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

/* ---- slugs --------------------------------------------------------------------------- */

static const struct db_sql SQL_SLUG_USED = { "orgs_slug_used",
	"SELECT 1 FROM organisations WHERE slug = $1" };

static enum db_status slug_used(struct db *db, const char *slug, bool *out_used)
{
	struct db_stmt *st = db_stmt(db, &SQL_SLUG_USED);
	db_bind_text(st, 1, slug);
	enum db_status s = db_step(st);
	db_reset(st);
	*out_used = s == DB_ROW;
	return s < 0 ? s : DB_NONE;
}

enum kq_err orgs_slug_suggest(struct db *db, struct arena *a, const char *base, const char **out)
{
	char *stem = str_slugify(a, base ? base : "");
	/* Leave room for "-NN" within the 60 characters of a slug. */
	size_t n = strlen(stem);
	if (n > 56)
		n = 56;
	while (n > 0 && stem[n - 1] == '-')
		n--;
	stem[n] = 0;
	if (n < 2)
		stem = arena_strdup(a, "organisation");
	*out = NULL;
	for (int i = 1; i < 100; i++) {
		const char *cand = i == 1 ? stem : arena_printf(a, "%s-%d", stem, i);
		bool used;
		if (!str_slug_valid(cand))
			continue;
		if (slug_used(db, cand, &used) < 0)
			return KQ_ERR_INTERNAL;
		if (!used) {
			*out = cand;
			return KQ_OK;
		}
	}
	/* Ninety-nine namesakes: a random tail is free in practice. */
	char tail[7];
	crypto_random_alnum(tail, 6);
	for (char *p = tail; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	*out = arena_printf(a, "%s-%s", stem, tail);
	return KQ_OK;
}

/* ---- validation ------------------------------------------------------------------------ */

static bool phone_ok(const char *s)
{
	int digits = 0;
	if (strlen(s) > 30)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!strchr(" +().-", *p))
			return false;
	}
	return digits >= 2 && digits <= 20;
}

static bool website_ok(const char *s)
{
	size_t skip;
	if (strncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else
		return false;
	if (strlen(s) > ORGS_WEBSITE_MAX || !s[skip] || s[skip] == '/' || s[skip] == '.')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
			return false;
	return true;
}

/* The record as it will be written, every string trimmed and never NULL. */
struct norm {
	const char *slug, *kind, *name, *summary, *description, *category, *commune;
	const char *address, *email, *phone, *website;
	const char *description_html;   /* markdown_to_html(description), once valid */
	int64_t commune_id;
	bool slug_derived;
};

/* Checks n, fills fe and n->commune_id. KQ_OK, FORM_INVALID or INTERNAL. */
static enum kq_err validate(struct db *db, struct norm *n, bool check_slug,
			    struct field_errors *fe)
{
	if (!orgs_kind_valid(n->kind))
		field_error_add(fe, "kind", "err.orgs.kind_invalid");
	size_t len = str_utf8_len(n->name);
	if (!str_text_ok(n->name, SIZE_MAX, false) || len < ORGS_NAME_MIN || len > ORGS_NAME_MAX)
		field_error_add(fe, "name", "err.orgs.name_invalid");
	/* A slug made from an invalid name would only repeat the name's error. */
	if (check_slug && !(n->slug_derived && field_error_get(fe, "name")) &&
	    !str_slug_valid(n->slug))
		field_error_add(fe, "slug", "err.orgs.slug_invalid");
	if (!str_text_ok(n->summary, ORGS_SUMMARY_MAX, false))
		field_error_add(fe, "summary", "err.orgs.summary_invalid");
	if (!str_text_ok(n->description, ORGS_DESCRIPTION_MAX, true))
		field_error_add(fe, "description", "err.orgs.description_invalid");
	if (*n->category && orgs_kind_valid(n->kind) && !orgs_category_valid(n->kind, n->category))
		field_error_add(fe, "category", "err.orgs.category_invalid");
	if (!str_text_ok(n->address, ORGS_LINE_MAX, false))
		field_error_add(fe, "address", "err.orgs.address_invalid");
	if (*n->email && !str_email_valid(n->email))
		field_error_add(fe, "email", "err.orgs.email_invalid");
	if (*n->phone && !phone_ok(n->phone))
		field_error_add(fe, "phone", "err.orgs.phone_invalid");
	if (*n->website && !website_ok(n->website))
		field_error_add(fe, "website", "err.orgs.website_invalid");

	n->commune_id = 0;
	if (*n->commune) {
		struct db_stmt *st = db_stmt(db, &SQL_COMMUNE_BY_INSEE);
		db_bind_text(st, 1, n->commune);
		enum db_status s = db_step(st);
		if (s == DB_ROW)
			n->commune_id = db_col_i64(st, 0);
		db_reset(st);
		if (s < 0)
			return KQ_ERR_INTERNAL;
		if (s == DB_NONE)
			field_error_add(fe, "commune", "err.orgs.commune_invalid");
	}
	return fe->n ? KQ_ERR_FORM_INVALID : KQ_OK;
}

/* t if given, else the current value (update) or "" (create). */
static const char *pick(struct arena *a, const char *given, const char *current)
{
	return given ? str_trim(a, given) : current ? current : "";
}

static void normalise(struct arena *a, const struct org_input *in, const struct org *cur,
		      struct norm *n)
{
	n->kind = pick(a, in->kind, cur ? cur->kind : NULL);
	n->name = pick(a, in->name, cur ? cur->name : NULL);
	n->summary = pick(a, in->summary, cur ? cur->summary : NULL);
	/* Markdown keeps its inner layout: only the ends are trimmed. */
	n->description = pick(a, in->description, cur ? cur->description : NULL);
	n->category = pick(a, in->category, cur ? cur->category : NULL);
	n->commune = pick(a, in->commune, cur ? cur->commune_insee : NULL);
	n->address = pick(a, in->address, cur ? cur->address : NULL);
	n->email = pick(a, in->email, cur ? cur->email : NULL);
	n->phone = pick(a, in->phone, cur ? cur->phone : NULL);
	n->website = pick(a, in->website, cur ? cur->website : NULL);
	if (cur) {
		n->slug = cur->slug;
		n->slug_derived = false;
	} else {
		n->slug = pick(a, in->slug, NULL);
		n->slug_derived = !*n->slug;
		if (n->slug_derived)
			n->slug = str_slugify(a, n->name);
	}
}

/* ---- writing organisations ------------------------------------------------------------- */

static const struct db_sql SQL_INSERT = { "orgs_insert",
	"INSERT INTO organisations (slug, kind, name, summary, description, category, commune_id,"
	" address, email, phone, website, created_by, created_at, updated_at, description_html)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14) RETURNING id" };

static const struct db_sql SQL_UPDATE = { "orgs_update",
	"UPDATE organisations SET kind = $2, name = $3, summary = $4, description = $5,"
	" category = $6, commune_id = $7, address = $8, email = $9, phone = $10, website = $11,"
	" updated_at = $12, description_html = $13 WHERE id = $1" };

/* Taking the row lock of the organisation orders every member change on
 * PostgreSQL (SQLite has one writer anyway). INVARIANT(last-owner). */
static const struct db_sql SQL_LOCK = { "orgs_lock",
	"UPDATE organisations SET updated_at = updated_at WHERE id = $1" };

static const struct db_sql SQL_MEMBER_UPSERT = { "orgs_member_upsert",
	"INSERT INTO org_members (org_id, account_id, role, created_at) VALUES ($1, $2, $3, $4)"
	" ON CONFLICT (org_id, account_id) DO UPDATE SET role = excluded.role" };

static enum db_status insert_norm(struct db *db, const struct norm *n, int64_t created_by,
				  int64_t *out_id)
{
	struct db_stmt *st = db_stmt(db, &SQL_INSERT);
	db_bind_text(st, 1, n->slug);
	db_bind_text(st, 2, n->kind);
	db_bind_text(st, 3, n->name);
	db_bind_text(st, 4, n->summary);
	db_bind_text(st, 5, n->description);
	db_bind_text(st, 6, n->category);
	if (n->commune_id)
		db_bind_i64(st, 7, n->commune_id);
	else
		db_bind_null(st, 7);
	db_bind_text(st, 8, n->address);
	db_bind_text(st, 9, n->email);
	db_bind_text(st, 10, n->phone);
	db_bind_text(st, 11, n->website);
	if (created_by)
		db_bind_i64(st, 12, created_by);
	else
		db_bind_null(st, 12);
	db_bind_i64(st, 13, time_now());
	db_bind_text(st, 14, n->description_html);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		*out_id = db_col_i64(st, 0);
	db_reset(st);
	return s == DB_ROW ? DB_NONE : s == DB_NONE ? DB_HARD : s;
}

enum db_status orgs_member_insert_raw(struct db *db, int64_t org_id, int64_t account_id,
				      const char *role)
{
	if (!db_in_txn(db))
		KQ_BUG("orgs_member_insert_raw outside a transaction");
	struct db_stmt *st = db_stmt(db, &SQL_MEMBER_UPSERT);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, account_id);
	db_bind_text(st, 3, role);
	db_bind_i64(st, 4, time_now());
	return db_run(st);
}

enum db_status orgs_insert_raw(struct db *db, const struct org_input *in, int64_t created_by,
			       int64_t *out_id)
{
	if (!db_in_txn(db))
		KQ_BUG("orgs_insert_raw outside a transaction");
	struct arena *a = arena_new();
	struct norm n;
	normalise(a, in, NULL, &n);
	enum db_status s = DB_NONE;
	n.commune_id = 0;
	if (*n.commune) {
		struct db_stmt *st = db_stmt(db, &SQL_COMMUNE_BY_INSEE);
		db_bind_text(st, 1, n.commune);
		s = db_step(st);
		if (s == DB_ROW)
			n.commune_id = db_col_i64(st, 0);
		db_reset(st);
	}
	if (s >= 0) {
		n.description_html = markdown_to_html(a, n.description);
		s = insert_norm(db, &n, created_by, out_id);
	}
	arena_free(a);
	return s;
}

/* Runs fn in a write transaction; a refusal in *err wins over the status. */
static enum kq_err run(struct db *db, const char *name, db_txn_fn fn, void *cls,
		       const enum kq_err *err)
{
	enum db_status s = db_txn_run(db, name, DB_WRITE, fn, cls);
	if (*err != KQ_OK)
		return *err;
	if (s < 0) {
		log_error("%s: %s", name, db_errmsg(db));
		return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}

struct create_ctx {
	const struct actor *who;
	struct norm *n;
	struct field_errors *fe;
	int64_t id;
	enum kq_err err;
};

static enum db_status create_txn(struct db *db, void *cls)
{
	struct create_ctx *x = cls;
	bool used;
	x->err = KQ_OK;
	enum db_status s = slug_used(db, x->n->slug, &used);
	if (s < 0)
		return s;
	if (used)
		goto taken;
	s = insert_norm(db, x->n, x->who->account_id, &x->id);
	if (s == DB_HARD && db_is_unique_violation(db))
		goto taken;   /* someone took the slug between our look and our insert */
	if (s < 0)
		return s;
	return orgs_member_insert_raw(db, x->id, x->who->account_id, "owner");
taken:
	field_error_add(x->fe, "slug", "err.orgs.slug_taken");
	x->err = KQ_ERR_ORGS_SLUG_TAKEN;
	return DB_HARD;
}

enum kq_err orgs_create(struct db *db, const struct actor *who, const struct org_input *in,
			struct arena *a, struct field_errors *fe, struct org *out)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!who->is_verified)
		return KQ_ERR_ORGS_UNVERIFIED;
	struct norm n;
	normalise(a, in, NULL, &n);
	enum kq_err e = validate(db, &n, true, fe);
	if (e != KQ_OK)
		return e;
	n.description_html = markdown_to_html(a, n.description);
	struct create_ctx x = { who, &n, fe, 0, KQ_OK };
	e = run(db, "orgs_create", create_txn, &x, &x.err);
	if (e != KQ_OK)
		return e;
	return orgs_get_by_id(db, a, x.id, out);
}

struct update_ctx {
	const struct actor *who;
	int64_t org_id;
	const struct org_input *in;
	struct arena *a;
	struct field_errors *fe;
	enum kq_err err;
};

static enum db_status update_txn(struct db *db, void *cls)
{
	struct update_ctx *x = cls;
	struct org cur;
	struct norm n;
	x->fe->n = 0;
	x->err = orgs_authorize(db, x->who, x->org_id, ORG_ACT_EDIT_PROFILE);
	if (x->err == KQ_OK)
		x->err = orgs_get_by_id(db, x->a, x->org_id, &cur);
	if (x->err == KQ_OK) {
		normalise(x->a, x->in, &cur, &n);
		x->err = validate(db, &n, false, x->fe);
	}
	if (x->err != KQ_OK)
		return DB_HARD;
	/* Rendered on every save, even when the description is kept: it also
	 * replaces HTML made before the last change of renderer, or missing. */
	n.description_html = markdown_to_html(x->a, n.description);
	struct db_stmt *st = db_stmt(db, &SQL_UPDATE);
	db_bind_i64(st, 1, x->org_id);
	db_bind_text(st, 2, n.kind);
	db_bind_text(st, 3, n.name);
	db_bind_text(st, 4, n.summary);
	db_bind_text(st, 5, n.description);
	db_bind_text(st, 6, n.category);
	if (n.commune_id)
		db_bind_i64(st, 7, n.commune_id);
	else
		db_bind_null(st, 7);
	db_bind_text(st, 8, n.address);
	db_bind_text(st, 9, n.email);
	db_bind_text(st, 10, n.phone);
	db_bind_text(st, 11, n.website);
	db_bind_i64(st, 12, time_now());
	db_bind_text(st, 13, n.description_html);
	return db_run(st);
}

enum kq_err orgs_update(struct db *db, const struct actor *who, int64_t org_id,
			const struct org_input *in, struct arena *a, struct field_errors *fe,
			struct org *out)
{
	struct update_ctx x = { who, org_id, in, a, fe, KQ_OK };
	enum kq_err e = run(db, "orgs_update", update_txn, &x, &x.err);
	if (e != KQ_OK)
		return e;
	return orgs_get_by_id(db, a, org_id, out);
}

/* ---- HTML of descriptions saved before it was stored ------------------------------------- */

#define RENDER_BATCH 200

static const struct db_sql SQL_HTML_PENDING = { "orgs_html_pending",
	"SELECT id, description FROM organisations WHERE description_html IS NULL"
	" ORDER BY id LIMIT $1" };
/* Only a row still unrendered and still holding the text that was rendered:
 * a save in between has written its own HTML, which wins. */
static const struct db_sql SQL_HTML_SET = { "orgs_html_set",
	"UPDATE organisations SET description_html = $2"
	" WHERE id = $1 AND description_html IS NULL AND description = $3" };

struct pending_ctx {
	struct arena *a;
	int64_t rendered;   /* rows written by this batch */
	bool full;          /* the batch was full: there may be more */
};

static enum db_status render_pending_txn(struct db *db, void *cls)
{
	struct pending_ctx *x = cls;
	int64_t ids[RENDER_BATCH];
	const char *mds[RENDER_BATCH];
	int n = 0;
	x->rendered = 0;
	x->full = false;
	/* Read the whole batch before writing: the SELECT is reset before the
	 * first UPDATE, so no statement is mid-step at COMMIT (STYLE.md B6). */
	struct db_stmt *st = db_stmt(db, &SQL_HTML_PENDING);
	db_bind_i64(st, 1, RENDER_BATCH);
	enum db_status s = DB_NONE;
	while (n < RENDER_BATCH && (s = db_step(st)) == DB_ROW) {
		ids[n] = db_col_i64(st, 0);
		mds[n] = db_col_str(st, 1, x->a);
		n++;
	}
	db_reset(st);
	if (n < RENDER_BATCH && s < 0)
		return s;
	for (int i = 0; i < n; i++) {
		st = db_stmt(db, &SQL_HTML_SET);
		db_bind_i64(st, 1, ids[i]);
		db_bind_text(st, 2, markdown_to_html(x->a, mds[i]));
		db_bind_text(st, 3, mds[i]);
		s = db_run(st);
		if (s != DB_NONE)
			return s;
		x->rendered += db_changes(st);
	}
	x->full = n == RENDER_BATCH;
	return DB_NONE;
}

enum kq_err orgs_render_pending(struct db *db, int64_t *out_n)
{
	int64_t total = 0;
	enum kq_err e = KQ_OK;
	for (;;) {
		struct pending_ctx x = { arena_new(), 0, false };
		enum db_status s = db_txn_run(db, "orgs_render_pending", DB_WRITE, render_pending_txn, &x);
		arena_free(x.a);
		if (s < 0) {
			log_error("orgs_render_pending: %s", db_errmsg(db));
			e = KQ_ERR_INTERNAL;
			break;
		}
		total += x.rendered;
		/* A full batch of rows all changed under us wrote nothing: stop
		 * rather than loop; the pages render those rows meanwhile. */
		if (!x.full || x.rendered == 0)
			break;
	}
	if (out_n)
		*out_n = total;
	return e;
}

/* ---- position and links --------------------------------------------------------------- */

static const struct db_sql SQL_POSITION_SET = { "orgs_position_set",
	"UPDATE organisations SET lat_e6 = $2, lon_e6 = $3, updated_at = $4 WHERE id = $1" };
static const struct db_sql SQL_LINKS = { "orgs_links",
	"SELECT label, url FROM org_links WHERE org_id = $1 ORDER BY position" };
static const struct db_sql SQL_LINKS_CLEAR = { "orgs_links_clear",
	"DELETE FROM org_links WHERE org_id = $1" };
static const struct db_sql SQL_LINK_INSERT = { "orgs_link_insert",
	"INSERT INTO org_links (org_id, position, label, url) VALUES ($1, $2, $3, $4)" };

bool orgs_degrees_parse(const char *s, int max_deg, int64_t *out_e6)
{
	const char *p = s;
	while (*p == ' ')
		p++;
	bool neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	int64_t whole = 0, frac = 0;
	int digits = 0, decimals = 0;
	while (*p >= '0' && *p <= '9' && digits < 4) {
		whole = whole * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits)
		return false;
	if (*p == '.' || *p == ',') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (++decimals > 6)
				return false;
			frac = frac * 10 + (*p++ - '0');
		}
		if (!decimals)
			return false;
	}
	while (*p == ' ')
		p++;
	if (*p)
		return false;
	for (int i = decimals; i < 6; i++)
		frac *= 10;
	int64_t v = whole * 1000000 + frac;
	if (v > (int64_t)max_deg * 1000000)
		return false;
	*out_e6 = neg ? -v : v;
	return true;
}

const char *orgs_degrees_format(struct arena *a, int64_t e6)
{
	int64_t v = e6 < 0 ? -e6 : e6;
	return arena_printf(a, "%s%lld.%06lld", e6 < 0 ? "-" : "", (long long)(v / 1000000),
			    (long long)(v % 1000000));
}

enum db_status orgs_position_set_raw(struct db *db, int64_t org_id, int64_t lat_e6, int64_t lon_e6)
{
	struct db_stmt *st = db_stmt(db, &SQL_POSITION_SET);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, lat_e6);
	db_bind_i64(st, 3, lon_e6);
	db_bind_i64(st, 4, time_now());
	return db_run(st);
}

enum db_status orgs_link_insert_raw(struct db *db, int64_t org_id, int position, const char *label,
				    const char *url)
{
	struct db_stmt *st = db_stmt(db, &SQL_LINK_INSERT);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, position);
	db_bind_text(st, 3, label);
	db_bind_text(st, 4, url);
	return db_run(st);
}

struct position_ctx {
	const struct actor *who;
	int64_t org_id;
	bool clear;
	int64_t lat, lon;
	enum kq_err err;
};

static enum db_status position_txn(struct db *db, void *cls)
{
	struct position_ctx *x = cls;
	x->err = orgs_authorize(db, x->who, x->org_id, ORG_ACT_EDIT_PROFILE);
	if (x->err != KQ_OK)
		return DB_HARD;
	struct db_stmt *st = db_stmt(db, &SQL_POSITION_SET);
	db_bind_i64(st, 1, x->org_id);
	if (x->clear) {
		db_bind_null(st, 2);
		db_bind_null(st, 3);
	} else {
		db_bind_i64(st, 2, x->lat);
		db_bind_i64(st, 3, x->lon);
	}
	db_bind_i64(st, 4, time_now());
	return db_run(st);
}

enum kq_err orgs_position_set(struct db *db, const struct actor *who, int64_t org_id,
			      const char *lat, const char *lon, struct field_errors *fe)
{
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_EDIT_PROFILE);
	if (e != KQ_OK)
		return e;
	struct position_ctx x = { .who = who, .org_id = org_id };
	bool has_lat = !str_empty(lat), has_lon = !str_empty(lon);
	x.clear = !has_lat && !has_lon;
	if (!x.clear) {
		if (!has_lat || !orgs_degrees_parse(lat, 90, &x.lat))
			field_error_add(fe, "lat", "err.orgs.lat_invalid");
		if (!has_lon || !orgs_degrees_parse(lon, 180, &x.lon))
			field_error_add(fe, "lon", "err.orgs.lon_invalid");
		if (fe->n)
			return KQ_ERR_FORM_INVALID;
	}
	return run(db, "orgs_position_set", position_txn, &x, &x.err);
}

enum kq_err orgs_links(struct db *db, struct arena *a, int64_t org_id, struct org_link **out,
		       int *out_n)
{
	int n = 0, cap = ORGS_LINKS_MAX;
	struct org_link *list = arena_alloc(a, sizeof(*list) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_LINKS);
	db_bind_i64(st, 1, org_id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		list = arena_grow(a, list, n, &cap, sizeof(*list));
		list[n].label = db_col_str(st, 0, a);
		list[n].url = db_col_str(st, 1, a);
		n++;
	}
	db_reset(st);
	*out = list;
	*out_n = n;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

enum kq_err orgs_page_extras(struct db *db, struct arena *a, int64_t org_id,
			     struct org_hours *out_hours, struct org_link **out_links,
			     int *out_nlinks)
{
	/* Two statements, each walking a covering index of 0022 in its order:
	 * cheaper than one UNION, which SQLite sorts. */
	enum kq_err e = hours_ranges(db, a, org_id, out_hours);
	if (e == KQ_OK)
		e = orgs_links(db, a, org_id, out_links, out_nlinks);
	return e;
}

struct links_ctx {
	const struct actor *who;
	int64_t org_id;
	const char **labels, **urls;
	int n;
	enum kq_err err;
};

static enum db_status links_txn(struct db *db, void *cls)
{
	struct links_ctx *x = cls;
	x->err = orgs_authorize(db, x->who, x->org_id, ORG_ACT_EDIT_PROFILE);
	if (x->err != KQ_OK)
		return DB_HARD;
	struct db_stmt *st = db_stmt(db, &SQL_LINKS_CLEAR);
	db_bind_i64(st, 1, x->org_id);
	enum db_status s = db_run(st);
	for (int i = 0; s >= 0 && i < x->n; i++)
		s = orgs_link_insert_raw(db, x->org_id, i + 1, x->labels[i], x->urls[i]);
	return s;
}

static const char *const link_label_fields[ORGS_LINKS_MAX] = {
	"link_label_1", "link_label_2", "link_label_3", "link_label_4", "link_label_5"
};
static const char *const link_url_fields[ORGS_LINKS_MAX] = {
	"link_url_1", "link_url_2", "link_url_3", "link_url_4", "link_url_5"
};

/* "www.example.org" from "https://www.example.org/page": a label for a bare link. */
static const char *url_host(struct arena *a, const char *url)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	size_t n = strcspn(h, "/?#");
	return arena_strndup(a, h, n);
}

enum kq_err orgs_links_set(struct db *db, const struct actor *who, int64_t org_id,
			   const char *const labels[ORGS_LINKS_MAX],
			   const char *const urls[ORGS_LINKS_MAX], struct field_errors *fe)
{
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_EDIT_PROFILE);
	if (e != KQ_OK)
		return e;
	struct arena *a = arena_new();
	const char *ls[ORGS_LINKS_MAX], *us[ORGS_LINKS_MAX];
	int n = 0;
	for (int i = 0; i < ORGS_LINKS_MAX; i++) {
		const char *u = str_trim(a, urls[i]);
		const char *l = str_trim(a, labels[i]);
		if (!*u) {
			if (*l)
				field_error_add(fe, link_url_fields[i], "err.orgs.link_url_missing");
			continue;
		}
		if (!website_ok(u))
			field_error_add(fe, link_url_fields[i], "err.orgs.website_invalid");
		if (!str_text_ok(l, ORGS_LINK_LABEL_MAX, false))
			field_error_add(fe, link_label_fields[i], "err.orgs.link_label_invalid");
		ls[n] = *l ? l : url_host(a, u);
		us[n] = u;
		n++;
	}
	if (fe->n) {
		arena_free(a);
		return KQ_ERR_FORM_INVALID;
	}
	struct links_ctx x = { who, org_id, ls, us, n, KQ_OK };
	e = run(db, "orgs_links_set", links_txn, &x, &x.err);
	arena_free(a);
	return e;
}

/* ---- logos ----------------------------------------------------------------------------- */

static const struct db_sql SQL_LOGO_OF_ID = { "orgs_logo_of_id",
	"SELECT COALESCE(logo_upload_id, 0) FROM organisations WHERE id = $1" };
static const struct db_sql SQL_LOGO_OF_SLUG = { "orgs_logo_of_slug",
	"SELECT COALESCE(logo_upload_id, 0) FROM organisations WHERE slug = $1" };
static const struct db_sql SQL_LOGO_SET = { "orgs_logo_set",
	"UPDATE organisations SET logo_upload_id = $2, updated_at = $3 WHERE id = $1" };

struct logo_ctx {
	const struct actor *who;
	int64_t org_id;
	const void *bytes;
	size_t len;
	const char *type;
	enum kq_err err;
};

static enum db_status logo_txn(struct db *db, void *cls)
{
	struct logo_ctx *x = cls;
	x->err = orgs_authorize(db, x->who, x->org_id, ORG_ACT_EDIT_PROFILE);
	if (x->err != KQ_OK)
		return DB_HARD;
	struct db_stmt *st = db_stmt(db, &SQL_LOGO_OF_ID);
	db_bind_i64(st, 1, x->org_id);
	enum db_status s = db_step(st);
	int64_t old = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return s;
	int64_t id;
	s = uploads_insert(db, x->bytes, x->len, x->type, x->who->account_id, &id);
	if (s < 0)
		return s;
	st = db_stmt(db, &SQL_LOGO_SET);
	db_bind_i64(st, 1, x->org_id);
	db_bind_i64(st, 2, id);
	db_bind_i64(st, 3, time_now());
	s = db_run(st);
	if (s < 0 || !old)
		return s;
	return uploads_delete(db, old);
}

enum kq_err orgs_logo_set(struct db *db, const struct actor *who, int64_t org_id,
			  const void *bytes, size_t len)
{
	/* Permission first: a stranger learns nothing about what we accept. */
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_EDIT_PROFILE);
	if (e != KQ_OK)
		return e;
	const char *type;
	e = uploads_check_image(bytes, len, &type);
	if (e != KQ_OK)
		return e;
	struct logo_ctx x = { who, org_id, bytes, len, type, KQ_OK };
	return run(db, "orgs_logo_set", logo_txn, &x, &x.err);
}

enum kq_err orgs_logo_get(struct db *db, struct arena *a, const char *slug, struct upload *out)
{
	if (!str_slug_valid(slug))
		return KQ_ERR_NOT_FOUND;
	struct db_stmt *st = db_stmt(db, &SQL_LOGO_OF_SLUG);
	db_bind_text(st, 1, slug);
	enum db_status s = db_step(st);
	int64_t id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (!id)
		return KQ_ERR_NOT_FOUND;
	return uploads_get(db, a, id, out);
}

/* ---- members ----------------------------------------------------------------------------- */

static const struct db_sql SQL_MEMBERS = { "orgs_members",
	"SELECT m.account_id, a.display_name, a.email, m.role, m.created_at"
	" FROM org_members m JOIN accounts a ON a.id = m.account_id WHERE m.org_id = $1"
	" ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'editor' THEN 1"
	" WHEN 'box_office' THEN 2 ELSE 3 END, lower(a.display_name), m.account_id" };
static const struct db_sql SQL_OWNERS = { "orgs_owner_count",
	"SELECT COUNT(*) FROM org_members WHERE org_id = $1 AND role = 'owner'" };
static const struct db_sql SQL_SET_ROLE = { "orgs_member_set_role",
	"UPDATE org_members SET role = $3 WHERE org_id = $1 AND account_id = $2" };
static const struct db_sql SQL_REMOVE = { "orgs_member_remove",
	"DELETE FROM org_members WHERE org_id = $1 AND account_id = $2" };
static const struct db_sql SQL_MEMBER_ADD = { "orgs_member_add",
	"INSERT INTO org_members (org_id, account_id, role, created_at) VALUES ($1, $2, $3, $4)"
	" ON CONFLICT (org_id, account_id) DO NOTHING" };
static const struct db_sql SQL_IS_MEMBER_EMAIL = { "orgs_is_member_email",
	"SELECT 1 FROM org_members m JOIN accounts a ON a.id = m.account_id"
	" WHERE m.org_id = $1 AND a.email_lower = $2" };

enum kq_err orgs_members_list(struct db *db, const struct actor *who, int64_t org_id,
			      struct arena *a, struct org_member **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_VIEW_MEMBERS);
	if (e != KQ_OK)
		return e;
	int cap = 8;
	struct org_member *list = arena_alloc(a, sizeof(*list) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_MEMBERS);
	db_bind_i64(st, 1, org_id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		list = arena_grow(a, list, *out_n, &cap, sizeof(*list));
		struct org_member *m = &list[(*out_n)++];
		m->account_id = db_col_i64(st, 0);
		m->display_name = db_col_str(st, 1, a);
		m->email = db_col_str(st, 2, a);
		m->role = db_col_str(st, 3, a);
		m->since = db_col_i64(st, 4);
	}
	db_reset(st);
	*out = list;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

static enum db_status lock_org(struct db *db, int64_t org_id, bool *out_found)
{
	struct db_stmt *st = db_stmt(db, &SQL_LOCK);
	db_bind_i64(st, 1, org_id);
	enum db_status s = db_run(st);
	*out_found = s == DB_NONE && db_changes(st) > 0;
	return s;
}

static enum db_status owner_count(struct db *db, int64_t org_id, int64_t *out)
{
	struct db_stmt *st = db_stmt(db, &SQL_OWNERS);
	db_bind_i64(st, 1, org_id);
	enum db_status s = db_step(st);
	*out = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	return s == DB_ROW ? DB_NONE : s == DB_NONE ? DB_HARD : s;
}

struct member_ctx {
	const struct actor *who;
	int64_t org_id, account_id;
	const char *role;     /* NULL: remove */
	struct arena *a;
	enum kq_err err;
};

static enum db_status member_change_txn(struct db *db, void *cls)
{
	struct member_ctx *x = cls;
	bool found;
	enum db_status s = lock_org(db, x->org_id, &found);
	if (s < 0)
		return s;
	x->err = found ? KQ_OK : KQ_ERR_NOT_FOUND;
	/* Leaving is everyone's right; everything else is the owners'. */
	if (x->err == KQ_OK && !(x->role == NULL && x->who->account_id == x->account_id))
		x->err = orgs_authorize(db, x->who, x->org_id, ORG_ACT_MANAGE_MEMBERS);
	const char *current = NULL;
	if (x->err == KQ_OK)
		x->err = orgs_member_role(db, x->a, x->org_id, x->account_id, &current);
	if (x->err == KQ_OK && !current)
		x->err = KQ_ERR_NOT_FOUND;
	if (x->err != KQ_OK)
		return DB_HARD;
	/* INVARIANT(last-owner): the last owner can neither leave, be removed nor be demoted. */
	if (strcmp(current, "owner") == 0 && !(x->role && strcmp(x->role, "owner") == 0)) {
		int64_t owners;
		s = owner_count(db, x->org_id, &owners);
		if (s < 0)
			return s;
		if (owners <= 1) {
			x->err = KQ_ERR_ORGS_LAST_OWNER;
			return DB_HARD;
		}
	}
	struct db_stmt *st = db_stmt(db, x->role ? &SQL_SET_ROLE : &SQL_REMOVE);
	db_bind_i64(st, 1, x->org_id);
	db_bind_i64(st, 2, x->account_id);
	if (x->role)
		db_bind_text(st, 3, x->role);
	return db_run(st);
}

enum kq_err orgs_member_set_role(struct db *db, const struct actor *who, int64_t org_id,
				 int64_t account_id, const char *role)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct member_ctx x = { who, org_id, account_id, role, a, KQ_OK };
	enum kq_err e;
	/* An unknown role is bad input, but only worth saying to someone allowed to ask. */
	e = orgs_authorize(db, who, org_id, ORG_ACT_MANAGE_MEMBERS);
	if (e == KQ_OK && !orgs_role_valid(role))
		e = KQ_ERR_FORM_INVALID;
	if (e == KQ_OK)
		e = run(db, "orgs_member_set_role", member_change_txn, &x, &x.err);
	arena_free(a);
	return e;
}

enum kq_err orgs_member_remove(struct db *db, const struct actor *who, int64_t org_id,
			       int64_t account_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct member_ctx x = { who, org_id, account_id, NULL, a, KQ_OK };
	enum kq_err e = run(db, "orgs_member_remove", member_change_txn, &x, &x.err);
	arena_free(a);
	return e;
}

/* ---- invitations ------------------------------------------------------------------------- */

#define INV_COLS                                                                           \
	"i.id, i.org_id, o.slug, o.name, i.email_lower, i.role,"                           \
	" COALESCE(a.display_name, ''), i.created_at, i.expires_at"
#define INV_FROM                                                                           \
	" FROM org_invitations i JOIN organisations o ON o.id = i.org_id"                  \
	" LEFT JOIN accounts a ON a.id = i.invited_by"
#define INV_LIVE " i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2"

static const struct db_sql SQL_INV_PENDING = { "orgs_inv_pending",
	"SELECT " INV_COLS INV_FROM " WHERE i.org_id = $1 AND" INV_LIVE
	" ORDER BY i.created_at DESC, i.id DESC" };
static const struct db_sql SQL_INV_FIND = { "orgs_inv_find",
	"SELECT " INV_COLS INV_FROM " WHERE i.token_hash = $1 AND" INV_LIVE };
static const struct db_sql SQL_INV_INSERT = { "orgs_inv_insert",
	"INSERT INTO org_invitations (org_id, email_lower, role, token_hash, invited_by,"
	" created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id" };
static const struct db_sql SQL_INV_REPLACE = { "orgs_inv_replace",
	"UPDATE org_invitations SET revoked_at = $3 WHERE org_id = $1 AND email_lower = $2"
	" AND accepted_at IS NULL AND revoked_at IS NULL" };
static const struct db_sql SQL_INV_REVOKE = { "orgs_inv_revoke",
	"UPDATE org_invitations SET revoked_at = $3 WHERE id = $1 AND org_id = $2"
	" AND accepted_at IS NULL AND revoked_at IS NULL" };
/* The conditions again: of two accepts racing, only one changes the row. */
static const struct db_sql SQL_INV_CONSUME = { "orgs_inv_consume",
	"UPDATE org_invitations SET accepted_at = $2 WHERE id = $1"
	" AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2" };

static void read_inv(struct db_stmt *st, struct arena *a, struct org_invitation *v)
{
	v->id = db_col_i64(st, 0);
	v->org_id = db_col_i64(st, 1);
	v->org_slug = db_col_str(st, 2, a);
	v->org_name = db_col_str(st, 3, a);
	v->email = db_col_str(st, 4, a);
	v->role = db_col_str(st, 5, a);
	v->invited_by_name = db_col_str(st, 6, a);
	v->created_at = db_col_i64(st, 7);
	v->expires_at = db_col_i64(st, 8);
}

enum kq_err orgs_invitations_pending(struct db *db, const struct actor *who, int64_t org_id,
				     struct arena *a, struct org_invitation **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_MANAGE_MEMBERS);
	if (e != KQ_OK)
		return e;
	int cap = 8;
	struct org_invitation *list = arena_alloc(a, sizeof(*list) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_INV_PENDING);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, time_now());
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		list = arena_grow(a, list, *out_n, &cap, sizeof(*list));
		read_inv(st, a, &list[(*out_n)++]);
	}
	db_reset(st);
	*out = list;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

struct invite_ctx {
	const struct actor *who;
	int64_t org_id;
	const char *email, *role, *token_hash, *token;
	struct arena *a;
	struct field_errors *fe;
	struct org_invitation inv;
	enum kq_err err;
};

static char *invite_mail(struct invite_ctx *x, const struct org *o, const char *lang)
{
	struct arena *a = x->a;
	const char *who_name = x->who->display_name ? x->who->display_name : "";
	return arena_printf(a,
			    "%s\n\n%s\n\n%s %s\n%s %s\n%s %s\n\n%s\n%s/invitations/%s\n\n%s\n",
			    i18n_get(lang, "orgs.mail.invite_hello"),
			    i18n_get(lang, "orgs.mail.invite_intro"),
			    i18n_get(lang, "orgs.mail.invite_org"), o->name,
			    i18n_get(lang, "orgs.mail.invite_role"),
			    i18n_get(lang, arena_printf(a, "orgs.role.%s", x->role)),
			    i18n_get(lang, "orgs.mail.invite_by"), who_name,
			    i18n_get(lang, "orgs.mail.invite_link"),
			    core_settings()->base_url, x->token,
			    i18n_get(lang, "orgs.mail.invite_ignore"));
}

static enum db_status invite_txn(struct db *db, void *cls)
{
	struct invite_ctx *x = cls;
	struct org o;
	bool found, member;
	enum db_status s = lock_org(db, x->org_id, &found);
	if (s < 0)
		return s;
	x->err = found ? orgs_authorize(db, x->who, x->org_id, ORG_ACT_MANAGE_MEMBERS)
		       : KQ_ERR_NOT_FOUND;
	if (x->err == KQ_OK)
		x->err = orgs_get_by_id(db, x->a, x->org_id, &o);
	if (x->err != KQ_OK)
		return DB_HARD;

	struct db_stmt *st = db_stmt(db, &SQL_IS_MEMBER_EMAIL);
	db_bind_i64(st, 1, x->org_id);
	db_bind_text(st, 2, x->email);
	s = db_step(st);
	member = s == DB_ROW;
	db_reset(st);
	if (s < 0)
		return s;
	if (member) {
		x->fe->n = 0;
		field_error_add(x->fe, "email", "err.orgs.already_member");
		x->err = KQ_ERR_ORGS_ALREADY_MEMBER;
		return DB_HARD;
	}

	int64_t now = time_now();
	/* One live invitation per address: a new one replaces the old link. */
	st = db_stmt(db, &SQL_INV_REPLACE);
	db_bind_i64(st, 1, x->org_id);
	db_bind_text(st, 2, x->email);
	db_bind_i64(st, 3, now);
	if ((s = db_run(st)) < 0)
		return s;

	st = db_stmt(db, &SQL_INV_INSERT);
	db_bind_i64(st, 1, x->org_id);
	db_bind_text(st, 2, x->email);
	db_bind_text(st, 3, x->role);
	db_bind_text(st, 4, x->token_hash);
	db_bind_i64(st, 5, x->who->account_id);
	db_bind_i64(st, 6, now);
	db_bind_i64(st, 7, now + ORGS_INVITE_TTL);
	s = db_step(st);
	if (s == DB_ROW)
		x->inv.id = db_col_i64(st, 0);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	x->inv.org_id = x->org_id;
	x->inv.org_slug = o.slug;
	x->inv.org_name = o.name;
	x->inv.email = x->email;
	x->inv.role = x->role;
	x->inv.invited_by_name = x->who->display_name ? x->who->display_name : "";
	x->inv.created_at = now;
	x->inv.expires_at = now + ORGS_INVITE_TTL;

	const char *lang = x->who->lang && i18n_lang_supported(x->who->lang) ? x->who->lang : "fr";
	const char *subject = arena_printf(x->a, "%s %s", i18n_get(lang, "orgs.mail.invite_subject"),
					   o.name);
	return notify_enqueue(db, x->email, subject, invite_mail(x, &o, lang), NULL);
}

enum kq_err orgs_member_invite(struct db *db, const struct actor *who, int64_t org_id,
			       const char *email, const char *role, struct arena *a,
			       struct field_errors *fe, struct org_invitation *out_inv,
			       const char **out_token)
{
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_MANAGE_MEMBERS);
	if (e != KQ_OK)
		return e;
	char *addr = str_lower_ascii(a, str_trim(a, email));
	char *r = str_trim(a, role);
	if (!str_email_valid(addr))
		field_error_add(fe, "email", "err.orgs.invite_email_invalid");
	if (!orgs_role_valid(r))
		field_error_add(fe, "role", "err.orgs.role_invalid");
	if (fe->n)
		return KQ_ERR_FORM_INVALID;

	char token[TOKEN_HEX_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1];
	crypto_token(token);
	crypto_token_hash(token, hash);
	struct invite_ctx x = { .who = who, .org_id = org_id, .email = addr, .role = r,
				.token_hash = hash, .token = token, .a = a, .fe = fe };
	e = run(db, "orgs_member_invite", invite_txn, &x, &x.err);
	if (e == KQ_OK) {
		if (out_inv)
			*out_inv = x.inv;
		if (out_token)
			*out_token = arena_strdup(a, token);
	}
	crypto_wipe(token, sizeof(token));
	return e;
}

struct revoke_ctx {
	const struct actor *who;
	int64_t org_id, id;
	enum kq_err err;
};

static enum db_status revoke_txn(struct db *db, void *cls)
{
	struct revoke_ctx *x = cls;
	x->err = orgs_authorize(db, x->who, x->org_id, ORG_ACT_MANAGE_MEMBERS);
	if (x->err != KQ_OK)
		return DB_HARD;
	struct db_stmt *st = db_stmt(db, &SQL_INV_REVOKE);
	db_bind_i64(st, 1, x->id);
	db_bind_i64(st, 2, x->org_id);
	db_bind_i64(st, 3, time_now());
	enum db_status s = db_run(st);
	if (s == DB_NONE && db_changes(st) == 0) {
		x->err = KQ_ERR_NOT_FOUND;
		return DB_HARD;
	}
	return s;
}

enum kq_err orgs_invitation_revoke(struct db *db, const struct actor *who, int64_t org_id,
				   int64_t invitation_id)
{
	struct revoke_ctx x = { who, org_id, invitation_id, KQ_OK };
	return run(db, "orgs_invitation_revoke", revoke_txn, &x, &x.err);
}

static bool token_shape_ok(const char *t)
{
	if (!t || strlen(t) != TOKEN_HEX_LEN)
		return false;
	for (; *t; t++)
		if (!((*t >= '0' && *t <= '9') || (*t >= 'a' && *t <= 'f')))
			return false;
	return true;
}

static enum db_status find_live(struct db *db, struct arena *a, const char *token,
				struct org_invitation *out)
{
	char hash[TOKEN_HASH_HEX_LEN + 1];
	crypto_token_hash(token, hash);
	struct db_stmt *st = db_stmt(db, &SQL_INV_FIND);
	db_bind_text(st, 1, hash);
	db_bind_i64(st, 2, time_now());
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_inv(st, a, out);
	db_reset(st);
	return s;
}

enum kq_err orgs_invitation_find(struct db *db, struct arena *a, const char *token,
				 struct org_invitation *out)
{
	if (!token_shape_ok(token))
		return KQ_ERR_ORGS_INVITE_INVALID;
	enum db_status s = find_live(db, a, token, out);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_ORGS_INVITE_INVALID : KQ_ERR_INTERNAL;
}

struct accept_ctx {
	const struct actor *who;
	const char *token;
	struct arena *a;
	struct org_invitation inv;
	enum kq_err err;
};

static enum db_status accept_txn(struct db *db, void *cls)
{
	struct accept_ctx *x = cls;
	bool found;
	enum db_status s = find_live(db, x->a, x->token, &x->inv);
	if (s < 0)
		return s;
	x->err = s == DB_ROW ? KQ_OK : KQ_ERR_ORGS_INVITE_INVALID;
	/* The invitation names an address: only the account holding it may take it. */
	if (x->err == KQ_OK &&
	    !str_eq(str_lower_ascii(x->a, x->who->email ? x->who->email : ""), x->inv.email))
		x->err = KQ_ERR_ORGS_INVITE_WRONG_ACCOUNT;
	if (x->err != KQ_OK)
		return DB_HARD;
	if ((s = lock_org(db, x->inv.org_id, &found)) < 0)
		return s;
	int64_t now = time_now();
	struct db_stmt *st = db_stmt(db, &SQL_INV_CONSUME);
	db_bind_i64(st, 1, x->inv.id);
	db_bind_i64(st, 2, now);
	if ((s = db_run(st)) < 0)
		return s;
	if (!found || db_changes(st) == 0) {
		x->err = KQ_ERR_ORGS_INVITE_INVALID;
		return DB_HARD;
	}
	st = db_stmt(db, &SQL_MEMBER_ADD);
	db_bind_i64(st, 1, x->inv.org_id);
	db_bind_i64(st, 2, x->who->account_id);
	db_bind_text(st, 3, x->inv.role);
	db_bind_i64(st, 4, now);
	if ((s = db_run(st)) < 0)
		return s;
	if (db_changes(st) == 0) {
		/* Already in by another way: keep the invitation for nothing, change nothing. */
		x->err = KQ_ERR_ORGS_ALREADY_MEMBER;
		return DB_HARD;
	}
	return DB_NONE;
}

enum kq_err orgs_invitation_accept(struct db *db, const struct actor *who, const char *token,
				   struct arena *a, struct org_invitation *out_inv)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!token_shape_ok(token))
		return KQ_ERR_ORGS_INVITE_INVALID;
	struct accept_ctx x = { .who = who, .token = token, .a = a };
	enum kq_err e = run(db, "orgs_invitation_accept", accept_txn, &x, &x.err);
	if (e == KQ_OK && out_inv)
		*out_inv = x.inv;
	return e;
}

/* ---- the demo loaders' author ------------------------------------------------------------ */

static const struct db_sql SQL_DEMO_OWNER = { "orgs_demo_owner",
	"SELECT o.id, m.account_id FROM organisations o JOIN org_members m ON m.org_id = o.id"
	" WHERE o.slug = $1 AND m.role = 'owner' ORDER BY m.account_id LIMIT 1" };

enum kq_err orgs_demo_owner(struct db *db, const char *slug, int64_t *out_org_id,
			    struct actor *out_owner)
{
	struct db_stmt *st = db_stmt(db, &SQL_DEMO_OWNER);
	db_bind_text(st, 1, slug);
	enum db_status s = db_step(st);
	*out_org_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	struct actor who = { .account_id = s == DB_ROW ? db_col_i64(st, 1) : 0, .platform_role = "",
			     .lang = "fr", .is_verified = true };
	*out_owner = who;
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}
