/* slugs.h: a free slug for a new row from its title: "fete-du-pain", then "fete-du-pain-2"...
 *
 * One rule for every table whose pages are named by a slug (events, posts,
 * products, practical pages): the title slugified (base/str.h), cut at a
 * word's end near the longest length, a fallback word when the title gives
 * fewer than two characters, words a route already uses skipped, then
 * "-2" to "-99", then a random tail. Runs inside the caller's transaction,
 * so a slug taken between the look and the insert shows as a unique
 * violation there (callers run again). */
#ifndef KQ_SLUGS_H
#define KQ_SLUGS_H
#include "core.h"

struct slug_rule {
	const struct db_sql *used;        /* "SELECT 1 FROM <table> WHERE slug = $1" */
	const char *fallback;             /* "evenement", "actualite"... */
	size_t max;                       /* longest stem, in bytes (cut at a word's end after max - 10) */
	const char *const *reserved;      /* NULL-terminated slugs of literal routes, or NULL */
};

/* [out] *out in a. Returns DB_NONE, or the failed statement's status. */
enum db_status slug_free(struct db *db, struct arena *a, const char *title, const struct slug_rule *r,
			 const char **out);

#endif
