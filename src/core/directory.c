/* directory.c: loads the directory's part of the demo territory (commune centres, positions, hours, links) */
#include "directory.h"
#include "hours.h"
#include "orgs.h"
#include "territory.h"
#include "base/embed.h"
#include "base/log.h"
#include <jansson.h>
#include <string.h>

static const struct db_sql SQL_NOTE = { "directory_demo_note",
	"UPDATE organisations SET hours_note = $2 WHERE id = $1" };

static const char *str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

static enum kq_err load_org(struct db *db, struct arena *a, const char *slug, json_t *d)
{
	struct org o;
	if (orgs_get(db, a, slug, &o) != KQ_OK)
		return KQ_ERR_INTERNAL;
	int64_t lat, lon;
	if (*str(d, "lat")) {
		if (!orgs_degrees_parse(str(d, "lat"), 90, &lat) ||
		    !orgs_degrees_parse(str(d, "lon"), 180, &lon) ||
		    orgs_position_set_raw(db, o.id, lat, lon) < 0)
			return KQ_ERR_INTERNAL;
	}
	json_t *hours = json_object_get(d, "hours");
	for (int day = 1; day <= 7 && hours; day++) {
		struct hours_range r[HOURS_PER_DAY_MAX];
		int n;
		const char *err;
		if (!hours_parse_day(json_string_value(json_array_get(hours, (size_t)day - 1)), day, r,
				     &n, &err) ||
		    hours_insert_raw(db, o.id, r, n) < 0) {
			log_error("demo: hours of %s, day %d", slug, day);
			return KQ_ERR_INTERNAL;
		}
	}
	if (*str(d, "note")) {
		struct db_stmt *st = db_stmt(db, &SQL_NOTE);
		db_bind_i64(st, 1, o.id);
		db_bind_text(st, 2, str(d, "note"));
		if (db_run(st) < 0)
			return KQ_ERR_INTERNAL;
	}
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(d, "links"), i, l) {
		if (orgs_link_insert_raw(db, o.id, (int)i + 1, str(l, "label"), str(l, "url")) < 0)
			return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}

enum kq_err directory_load_demo(struct db *db)
{
	const struct embedded_file *f = embed_find("data/demo/territory.json");
	json_error_t jerr;
	json_t *root = f ? json_loadb((const char *)f->data, f->len, 0, &jerr) : NULL;
	if (!root)
		return KQ_ERR_INTERNAL;
	struct arena *a = arena_new();
	enum kq_err e = KQ_OK;
	size_t i;
	json_t *c, *o;
	json_array_foreach(json_object_get(root, "communes"), i, c) {
		int64_t lat, lon;
		if (!*str(c, "lat"))
			continue;
		if (!orgs_degrees_parse(str(c, "lat"), 90, &lat) ||
		    !orgs_degrees_parse(str(c, "lon"), 180, &lon) ||
		    territory_commune_centre_raw(db, str(c, "insee"), lat, lon) < 0) {
			e = KQ_ERR_INTERNAL;
			goto out;
		}
	}
	json_array_foreach(json_object_get(root, "organisations"), i, o) {
		json_t *d = json_object_get(o, "directory");
		if (d && (e = load_org(db, a, str(o, "slug"), d)) != KQ_OK)
			goto out;
	}
out:
	arena_free(a);
	json_decref(root);
	return e;
}
