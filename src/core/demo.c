/* demo.c: loads the demo territory (data/demo/territory.json, compiled in) into an empty database.
 *
 * Everything goes in one transaction: a failed load leaves the database as
 * it was. The demo accounts share one password, hashed once (argon2id is
 * deliberately slow; 40 hashes would delay the first start). */
#include "territory.h"
#include "base/crypto.h"
#include "base/embed.h"
#include "base/log.h"
#include "base/timefmt.h"
#include <jansson.h>
#include <string.h>

#define DEMO_PASSWORD "kiosque-demo"

static const struct db_sql SQL_HAS_DATA = { "demo_has_data",
	"SELECT (SELECT COUNT(*) FROM organisations) + (SELECT COUNT(*) FROM communes)" };
static const struct db_sql SQL_TERRITORY = { "demo_territory",
	"UPDATE territory SET name = $1, short_name = $2, description = $3 WHERE id = 1" };
static const struct db_sql SQL_COMMUNE = { "demo_commune",
	"INSERT INTO communes (insee, name, postcode) VALUES ($1, $2, $3)" };

struct load {
	json_t *root;
	char hash[PASSWORD_HASH_MAX];
	bool loaded;
};

static const char *s(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

static enum db_status load_communes(struct db *db, json_t *root)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(root, "communes"), i, c) {
		struct db_stmt *st = db_stmt(db, &SQL_COMMUNE);
		db_bind_text(st, 1, s(c, "insee"));
		db_bind_text(st, 2, s(c, "name"));
		db_bind_text(st, 3, s(c, "postcode"));
		enum db_status r = db_run(st);
		if (r < 0)
			return r;
	}
	return DB_NONE;
}

static enum db_status load_txn(struct db *db, void *cls)
{
	struct load *l = cls;
	struct db_stmt *st = db_stmt(db, &SQL_HAS_DATA);
	enum db_status r = db_step(st);
	int64_t existing = r == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (r < 0)
		return r;
	if (existing > 0)
		return DB_NONE;   /* never load over real data */

	json_t *t = json_object_get(l->root, "territory");
	st = db_stmt(db, &SQL_TERRITORY);
	db_bind_text(st, 1, s(t, "name"));
	db_bind_text(st, 2, s(t, "short_name"));
	db_bind_text(st, 3, s(t, "description"));
	if ((r = db_run(st)) < 0)
		return r;
	if ((r = load_communes(db, l->root)) < 0)
		return r;
	l->loaded = true;
	return DB_NONE;
}

enum kq_err territory_load_demo(struct db *db, bool *out_loaded)
{
	*out_loaded = false;
	const struct embedded_file *f = embed_find("data/demo/territory.json");
	if (!f) {
		log_error("demo: data/demo/territory.json is not in the binary");
		return KQ_ERR_INTERNAL;
	}
	json_error_t jerr;
	struct load l = { 0 };
	l.root = json_loadb((const char *)f->data, f->len, 0, &jerr);
	if (!l.root) {
		log_error("demo: territory.json line %d: %s", jerr.line, jerr.text);
		return KQ_ERR_INTERNAL;
	}
	enum kq_err e = KQ_OK;
	if (!crypto_password_hash(DEMO_PASSWORD, l.hash))
		e = KQ_ERR_INTERNAL;
	else if (db_txn_run(db, "demo_load", DB_WRITE, load_txn, &l) < 0)
		e = KQ_ERR_INTERNAL;
	json_decref(l.root);
	*out_loaded = e == KQ_OK && l.loaded;
	return e;
}
