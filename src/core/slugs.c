/* slugs.c: a free slug for a new row from its title (slugs.h) */
#include "slugs.h"
#include "base/crypto.h"
#include "base/str.h"
#include <ctype.h>
#include <string.h>

static bool reserved(const struct slug_rule *r, const char *slug)
{
	for (const char *const *p = r->reserved; p && *p; p++)
		if (strcmp(*p, slug) == 0)
			return true;
	return false;
}

enum db_status slug_free(struct db *db, struct arena *a, const char *title, const struct slug_rule *r,
			 const char **out)
{
	char *stem = str_slugify(a, title ? title : "");
	size_t n = strlen(stem);
	if (n > r->max) {
		n = r->max;
		/* Cut at a word's end when there is one in the last few characters. */
		for (size_t k = n; k > r->max - 10; k--)
			if (stem[k] == '-') {
				n = k;
				break;
			}
	}
	while (n > 0 && stem[n - 1] == '-')
		n--;
	stem[n] = 0;
	if (n < 2)
		stem = arena_strdup(a, r->fallback);
	for (int i = 1; i < 100; i++) {
		const char *cand = i == 1 ? stem : arena_printf(a, "%s-%d", stem, i);
		if (reserved(r, cand))
			continue;
		struct db_stmt *st = db_stmt(db, r->used);
		db_bind_text(st, 1, cand);
		enum db_status s = db_step(st);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE) {
			*out = cand;
			return DB_NONE;
		}
	}
	/* Ninety-nine namesakes: a random tail is free in practice. */
	char tail[7];
	crypto_random_alnum(tail, 6);
	for (char *p = tail; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	*out = arena_printf(a, "%s-%s", stem, tail);
	return DB_NONE;
}
