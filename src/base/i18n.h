/* i18n.h: the message catalog (messages.def), French first, English available */
#ifndef KQ_I18N_H
#define KQ_I18N_H
#include <stdbool.h>
#include "arena.h"

/* Builds the lookup index; call once at start. */
void i18n_init(void);
/* "fr" or "en": the best match for an Accept-Language header (default fr). */
const char *i18n_pick_lang(const char *accept_language);
bool i18n_lang_supported(const char *lang);
/* lang when it is a supported language, else "fr"; always a string literal,
 * so it outlives the column text it may be given. */
const char *i18n_lang_or_fr(const char *lang);
/* The text of key in lang; falls back to French, then to the key itself (and
 * logs it once), so a missing translation is visible but never a crash. */
const char *i18n_get(const char *lang, const char *key);
bool i18n_has(const char *key);
/* tpl (a catalog text) with its {name} variables replaced, in a. vars: name,
 * value pairs, NULL-terminated; unknown variables stay as written. Catalog
 * texts are never printf formats: a translator's "%" stays a "%". */
char *i18n_fill(struct arena *a, const char *tpl, const char *const *vars);
/* Catalog walk, for the test that checks coverage: returns false past the end. */
bool i18n_entry(int i, const char **key, const char **fr, const char **en);

#endif
