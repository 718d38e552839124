/* territory.c: reading the territory and its communes */
#include "territory.h"
#include "base/str.h"
#include <string.h>

static const struct db_sql SQL_GET = { "territory_get",
	"SELECT name, short_name, description, timezone, default_lang FROM territory WHERE id = 1" };
static const struct db_sql SQL_ENSURE = { "territory_ensure",
	"INSERT INTO territory (id, name, short_name) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING" };
static const struct db_sql SQL_COMMUNES = { "territory_communes",
	"SELECT id, insee, name, postcode"
	" FROM communes ORDER BY name" };
static const struct db_sql SQL_COMMUNE = { "territory_commune",
	"SELECT id, insee, name, postcode"
	" FROM communes WHERE id = $1" };
static const struct db_sql SQL_CENTRE = { "territory_commune_centre",
	"UPDATE communes SET lat_e6 = $2, lon_e6 = $3 WHERE insee = $1" };

enum kq_err territory_get(struct db *db, struct arena *a, struct territory *out)
{
	struct db_stmt *st = db_stmt(db, &SQL_GET);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->name = arena_strdup(a, db_col_text(st, 0));
		out->short_name = arena_strdup(a, db_col_text(st, 1));
		out->description = arena_strdup(a, db_col_text(st, 2));
		out->timezone = arena_strdup(a, db_col_text(st, 3));
		out->default_lang = arena_strdup(a, db_col_text(st, 4));
	}
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

static enum db_status ensure_txn(struct db *db, void *cls)
{
	(void)cls;
	struct db_stmt *st = db_stmt(db, &SQL_ENSURE);
	db_bind_text(st, 1, "Mon territoire");
	db_bind_text(st, 2, "Mon territoire");
	return db_run(st);
}

enum kq_err territory_ensure(struct db *db)
{
	return core_db_err(db_txn_run(db, "territory_ensure", DB_WRITE, ensure_txn, NULL));
}

static void read_commune(struct db_stmt *st, struct arena *a, struct commune *c)
{
	c->id = db_col_i64(st, 0);
	c->insee = arena_strdup(a, db_col_text(st, 1));
	c->name = arena_strdup(a, db_col_text(st, 2));
	c->postcode = arena_strdup(a, db_col_text(st, 3));
}

enum db_status territory_commune_centre_raw(struct db *db, const char *insee, int64_t lat_e6,
					    int64_t lon_e6)
{
	struct db_stmt *st = db_stmt(db, &SQL_CENTRE);
	db_bind_text(st, 1, insee);
	db_bind_i64(st, 2, lat_e6);
	db_bind_i64(st, 3, lon_e6);
	return db_run(st);
}

enum kq_err territory_communes(struct db *db, struct arena *a, struct commune **out, int *out_n)
{
	struct db_stmt *st = db_stmt(db, &SQL_COMMUNES);
	int n = 0, cap = 16;
	struct commune *list = arena_alloc(a, sizeof(*list) * (size_t)cap);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		list = arena_grow(a, list, n, &cap, sizeof(*list));
		read_commune(st, a, &list[n++]);
	}
	db_reset(st);
	*out = list;
	*out_n = n;
	return core_db_err(s);
}

enum kq_err territory_commune(struct db *db, struct arena *a, int64_t id, struct commune *out)
{
	struct db_stmt *st = db_stmt(db, &SQL_COMMUNE);
	db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_commune(st, a, out);
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}
