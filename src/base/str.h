/* str.h: small string helpers shared by every layer (validation, trimming, slugs) */
#ifndef KQ_STR_H
#define KQ_STR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arena.h"

bool str_eq(const char *a, const char *b);            /* NULL-safe */
bool str_empty(const char *s);                        /* NULL or only spaces */
bool str_starts(const char *s, const char *prefix);
char *str_trim(struct arena *a, const char *s);       /* NULL -> "" */
char *str_lower_ascii(struct arena *a, const char *s);
bool str_utf8_valid(const char *s, size_t n);
size_t str_utf8_len(const char *s);                   /* code points */
/* Plausible e-mail address: one @, a dot in the domain, no spaces, <= 254 bytes. */
bool str_email_valid(const char *s);
/* a-z0-9 and dashes, 2..60 chars, no leading/trailing dash. */
bool str_slug_valid(const char *s);
/* Slug from a French name: accents folded (é -> e), other chars -> dash. */
char *str_slugify(struct arena *a, const char *s);
bool str_to_i64(const char *s, int64_t *out);
/* A text a person typed, fit to store: valid UTF-8, no control characters
 * (newlines and tabs allowed when multiline), at most max_chars code points.
 * NULL is fine (nothing typed). */
bool str_text_ok(const char *s, size_t max_chars, bool multiline);
void str_upper_ascii_in_place(char *s);

#endif
