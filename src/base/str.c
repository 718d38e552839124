/* str.c: string helpers; UTF-8 aware where user text is concerned */
#include "str.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

bool str_empty(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

bool str_starts(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

char *str_trim(struct arena *a, const char *s)
{
	if (!s)
		return arena_strdup(a, "");
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return arena_memdup(a, s, n);
}

char *str_lower_ascii(struct arena *a, const char *s)
{
	char *d = arena_strdup(a, s ? s : "");
	for (char *p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

bool str_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			k = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3;
			cp = c & 0x07;
		} else
			return false;
		if (i + k >= n)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) ||
		    (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

size_t str_utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

bool str_email_valid(const char *s)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	const char *at = strchr(s, '@');
	if (n < 3 || n > 254 || !at || at == s || strchr(at + 1, '@'))
		return false;
	const char *dot = strrchr(at, '.');
	if (!dot || dot == at + 1 || dot[1] == 0)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == ',' ||
		    *p == ';' || *p == '"' || *p == '\\')
			return false;
	return true;
}

bool str_slug_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || n > 60 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-'))
			return false;
	return true;
}

/* Latin-1 supplement and Œ/œ folded to ASCII, enough for French names. */
static const char *fold(unsigned cp)
{
	static const struct { unsigned cp; const char *to; } map[] = {
		{ 0xc0, "a" }, { 0xc1, "a" }, { 0xc2, "a" }, { 0xc3, "a" }, { 0xc4, "a" },
		{ 0xc5, "a" }, { 0xc6, "ae" }, { 0xc7, "c" }, { 0xc8, "e" }, { 0xc9, "e" },
		{ 0xca, "e" }, { 0xcb, "e" }, { 0xcc, "i" }, { 0xcd, "i" }, { 0xce, "i" },
		{ 0xcf, "i" }, { 0xd1, "n" }, { 0xd2, "o" }, { 0xd3, "o" }, { 0xd4, "o" },
		{ 0xd5, "o" }, { 0xd6, "o" }, { 0xd9, "u" }, { 0xda, "u" }, { 0xdb, "u" },
		{ 0xdc, "u" }, { 0xdd, "y" }, { 0xdf, "ss" }, { 0xe0, "a" }, { 0xe1, "a" },
		{ 0xe2, "a" }, { 0xe3, "a" }, { 0xe4, "a" }, { 0xe5, "a" }, { 0xe6, "ae" },
		{ 0xe7, "c" }, { 0xe8, "e" }, { 0xe9, "e" }, { 0xea, "e" }, { 0xeb, "e" },
		{ 0xec, "i" }, { 0xed, "i" }, { 0xee, "i" }, { 0xef, "i" }, { 0xf1, "n" },
		{ 0xf2, "o" }, { 0xf3, "o" }, { 0xf4, "o" }, { 0xf5, "o" }, { 0xf6, "o" },
		{ 0xf9, "u" }, { 0xfa, "u" }, { 0xfb, "u" }, { 0xfc, "u" }, { 0xfd, "y" },
		{ 0xff, "y" }, { 0x152, "oe" }, { 0x153, "oe" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].cp == cp)
			return map[i].to;
	return NULL;
}

char *str_slugify(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, n * 2 + 1);
	size_t o = 0;
	bool dash = false;
	const unsigned char *p = (const unsigned char *)s;

	while (*p && o < 60) {
		unsigned cp = *p;
		size_t k = 1;
		if (cp >= 0xc0 && cp < 0xe0 && (p[1] & 0xc0) == 0x80) {
			cp = ((cp & 0x1f) << 6) | (p[1] & 0x3f);
			k = 2;
		} else if (cp >= 0x80) {
			/* Beyond two bytes (or a stray byte): not a letter we fold.
			 * Without this, fold() would see the lead byte 0xE2 of "’"
			 * or "€" as U+00E2 "â". */
			while (p[k] && (p[k] & 0xc0) == 0x80)
				k++;
			cp = 0xfffd;
		}
		const char *f = cp < 0x80 ? NULL : fold(cp);
		char c = cp < 0x80 ? (char)tolower((int)cp) : 0;
		if (f) {
			for (; *f && o < 60; f++)
				out[o++] = *f;
			dash = false;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			out[o++] = c;
			dash = false;
		} else if (!dash && o > 0) {
			out[o++] = '-';
			dash = true;
		}
		p += k;
	}
	while (o > 0 && out[o - 1] == '-')
		o--;
	out[o] = 0;
	return out;
}

bool str_to_i64(const char *s, int64_t *out)
{
	char *end;
	if (!s || !*s)
		return false;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool str_text_ok(const char *s, size_t max_chars, bool multiline)
{
	if (!s)
		return true;
	if (!str_utf8_valid(s, strlen(s)))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (multiline && (*p == '\n' || *p == '\r' || *p == '\t'))
			continue;
		if (*p < 0x20 || *p == 0x7f)
			return false;
	}
	return max_chars == SIZE_MAX || str_utf8_len(s) <= max_chars;
}

void str_upper_ascii_in_place(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}
