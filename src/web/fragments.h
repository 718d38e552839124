/* fragments.h: pieces of pages that are the same for every visitor, kept a few seconds per process.
 *
 * A busy public page (the agenda's results) costs its queries and its HTML
 * once per TTL instead of once per request. Only what depends on nothing but
 * the key may be kept: never a CSRF token, nor what one account sees unless the
 * key names the account (a person's home feed, web/home.c). */
#ifndef KQ_WEB_FRAGMENTS_H
#define KQ_WEB_FRAGMENTS_H
#include "web/html.h"
#include <stdbool.h>

#define FRAGMENT_KEY_MAX 512

/* Appends the fragment kept under key to b when it is still fresh. */
bool fragment_get(const char *key, struct buf *b);
/* Keeps a copy of html[0..len) under key for ttl seconds (replacing the oldest). */
void fragment_put(const char *key, const char *html, size_t len, int ttl);

#endif
