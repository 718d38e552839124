/* territory.h: the instance's territory (one row) and its communes */
#ifndef KQ_TERRITORY_H
#define KQ_TERRITORY_H
#include "core.h"

struct territory {
	const char *name, *short_name, *description, *timezone, *default_lang;
};

struct commune {
	int64_t id;
	const char *insee, *name, *postcode;
};

/* The territory; a fresh database has a placeholder row written by territory_ensure. */
enum kq_err territory_get(struct db *db, struct arena *a, struct territory *out);
/* Writes the placeholder row when there is none (called at start). */
enum kq_err territory_ensure(struct db *db);
/* Every commune, by name. */
enum kq_err territory_communes(struct db *db, struct arena *a, struct commune **out, int *out_n);
/* One commune by id; NOT_FOUND. */
enum kq_err territory_commune(struct db *db, struct arena *a, int64_t id, struct commune *out);

/* Sets the centre of the commune insee (loaders; inside a transaction). */
__attribute__((warn_unused_result))
enum db_status territory_commune_centre_raw(struct db *db, const char *insee, int64_t lat_e6,
					    int64_t lon_e6);

/* Loads the demo territory (data/demo/territory.json, compiled in) when the
 * database holds no organisation yet. *out_loaded tells whether it did. */
enum kq_err territory_load_demo(struct db *db, bool *out_loaded);

#endif
