/* i18n.c: message lookup by binary search over a sorted index of messages.def */
#include "i18n.h"
#include "buf.h"
#include "log.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct msg {
	const char *key, *fr, *en;
} catalog[] = {
#define MSG(key, fr, en) { key, fr, en },
#include "messages.def"
#undef MSG
};
#define NMSG (sizeof(catalog) / sizeof(catalog[0]))

static const struct msg *sorted[NMSG];

static int by_key(const void *a, const void *b)
{
	return strcmp((*(const struct msg *const *)a)->key, (*(const struct msg *const *)b)->key);
}

void i18n_init(void)
{
	for (size_t i = 0; i < NMSG; i++)
		sorted[i] = &catalog[i];
	qsort(sorted, NMSG, sizeof(sorted[0]), by_key);
	for (size_t i = 1; i < NMSG; i++)
		if (strcmp(sorted[i - 1]->key, sorted[i]->key) == 0)
			log_error("i18n: duplicate key %s", sorted[i]->key);
}

static const struct msg *find(const char *key)
{
	size_t lo = 0, hi = NMSG;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(sorted[mid]->key, key);
		if (c == 0)
			return sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool i18n_has(const char *key)
{
	return find(key) != NULL;
}

const char *i18n_get(const char *lang, const char *key)
{
	const struct msg *m = find(key);
	if (!m) {
		log_warn("i18n: missing key %s", key);
		return key;
	}
	if (lang && lang[0] == 'e' && m->en && m->en[0])
		return m->en;
	return m->fr;
}

bool i18n_lang_supported(const char *lang)
{
	return lang && (strcmp(lang, "fr") == 0 || strcmp(lang, "en") == 0);
}

const char *i18n_pick_lang(const char *al)
{
	/* The first of fr/en to appear wins: browsers list languages by preference. */
	for (const char *p = al; p && *p; p++) {
		if ((p == al || p[-1] == ',' || p[-1] == ' ') && strncasecmp(p, "en", 2) == 0)
			return "en";
		if ((p == al || p[-1] == ',' || p[-1] == ' ') && strncasecmp(p, "fr", 2) == 0)
			return "fr";
	}
	return "fr";
}

bool i18n_entry(int i, const char **key, const char **fr, const char **en)
{
	if (i < 0 || (size_t)i >= NMSG)
		return false;
	*key = catalog[i].key;
	*fr = catalog[i].fr;
	*en = catalog[i].en;
	return true;
}

char *i18n_fill(struct arena *a, const char *tpl, const char *const *vars)
{
	struct buf b = BUF_INIT;
	for (const char *p = tpl; *p; p++) {
		if (*p == '{') {
			const char *end = strchr(p, '}');
			bool done = false;
			for (int i = 0; end && vars[i]; i += 2) {
				size_t k = strlen(vars[i]);
				if ((size_t)(end - p - 1) == k && strncmp(p + 1, vars[i], k) == 0) {
					buf_puts(&b, vars[i + 1] ? vars[i + 1] : "");
					p = end;
					done = true;
					break;
				}
			}
			if (done)
				continue;
		}
		buf_putc(&b, *p);
	}
	char *s = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return s;
}

const char *i18n_lang_or_fr(const char *lang)
{
	return lang && strcmp(lang, "en") == 0 && i18n_lang_supported("en") ? "en" : "fr";
}
