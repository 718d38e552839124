/* test_base.c: src/base: arena, buf, str, crypto, the error registry, timefmt, config, embed */
#include "testlib.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/crypto.h"
#include "base/embed.h"
#include "base/err.h"
#include "base/str.h"
#include "base/timefmt.h"

#include <time.h>

/* ---- arena ----------------------------------------------------------------------------- */

static void test_arena_many_small_allocations_stay_distinct_and_zeroed(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	enum { N = 20000 };
	unsigned char **ptrs = calloc(N, sizeof(*ptrs));
	assert_non_null(ptrs);
	for (size_t i = 0; i < N; i++) {
		size_t n = 1 + i % 97;
		ptrs[i] = arena_alloc(a, n);
		for (size_t j = 0; j < n; j++)
			assert_int_equal(ptrs[i][j], 0);
		memset(ptrs[i], (int)(i & 0xff), n);
	}
	/* Nothing written later overlapped anything written earlier. */
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < 1 + i % 97; j++)
			assert_int_equal(ptrs[i][j], i & 0xff);
	free(ptrs);
	arena_free(a);
}

static void test_arena_large_allocations_work_beside_small_ones(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	char *small1 = arena_strdup(a, "before");
	size_t big = 3u << 20;   /* far more than a chunk */
	unsigned char *p = arena_alloc(a, big);
	for (size_t i = 0; i < big; i += 4096)
		assert_int_equal(p[i], 0);
	memset(p, 0xab, big);
	char *small2 = arena_strdup(a, "after");
	unsigned char *p2 = arena_alloc(a, 100000);
	memset(p2, 0xcd, 100000);
	assert_string_equal(small1, "before");
	assert_string_equal(small2, "after");
	assert_int_equal(p[0], 0xab);
	assert_int_equal(p[big - 1], 0xab);
	assert_int_equal(p2[99999], 0xcd);
	arena_free(a);
	arena_free(NULL);   /* accepted, like free(NULL) */
}

static void test_arena_allocations_are_16_byte_aligned(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	for (size_t n = 0; n < 300; n++) {
		void *p = arena_alloc(a, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
	}
	assert_int_equal((uintptr_t)arena_alloc(a, 20000) % 16, 0);
	assert_int_equal((uintptr_t)arena_alloc(a, 3) % 16, 0);
	arena_free(a);
}

static void test_arena_printf_and_dups(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	assert_string_equal(arena_printf(a, "%s-%d-%05.1f", "x", 42, 3.14159), "x-42-003.1");
	assert_string_equal(arena_printf(a, "%s", ""), "");

	/* A result far longer than any first guess. */
	char *long_s = malloc(30001);
	assert_non_null(long_s);
	memset(long_s, 'z', 30000);
	long_s[30000] = 0;
	char *r = arena_printf(a, "<%s>", long_s);
	assert_int_equal(strlen(r), 30002);
	assert_int_equal(r[0], '<');
	assert_int_equal(r[30001], '>');
	free(long_s);

	assert_null(arena_strdup(a, NULL));
	assert_string_equal(arena_strdup(a, "Comité"), "Comité");
	assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
	assert_string_equal(arena_strndup(a, "ab", 10), "ab");   /* stops at the NUL */
	char *m = arena_memdup(a, "a\0b", 3);
	assert_memory_equal(m, "a\0b", 3);
	assert_int_equal(m[3], 0);   /* adds a NUL */
	arena_free(a);
}

/* ---- buf ------------------------------------------------------------------------------- */

static void test_buf_grows_and_stays_nul_terminated(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_string_equal(buf_str(&b), "");
	for (int i = 0; i < 100000; i++) {
		buf_putc(&b, (char)('a' + i % 26));
		assert_int_equal(b.p[b.len], 0);
	}
	assert_int_equal(b.len, 100000);
	assert_true(b.cap > b.len);
	assert_int_equal(b.p[99999], 'a' + 99999 % 26);
	buf_append(&b, "\0xyz", 4);   /* binary bytes, NUL included */
	assert_int_equal(b.len, 100004);
	assert_memory_equal(b.p + 100000, "\0xyz", 4);
	assert_int_equal(b.p[b.len], 0);
	buf_append(&b, NULL, 0);
	assert_int_equal(b.len, 100004);
	buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
}

static void test_buf_printf_appends_long_output(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	buf_puts(&b, "n=");
	buf_printf(&b, "%d;%s", 12, "é");
	assert_string_equal(buf_str(&b), "n=12;é");
	char big[5000];
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	buf_printf(&b, "[%s]", big);
	assert_int_equal(b.len, strlen("n=12;é") + 2 + sizeof(big) - 1);
	assert_int_equal(b.p[b.len - 1], ']');
	buf_printf(&b, "%s", "");   /* nothing appended */
	assert_int_equal(b.p[b.len - 1], ']');
	buf_free(&b);
}

static void test_buf_reset_keeps_memory_and_take_hands_over(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	buf_puts(&b, "hello world");
	size_t cap = b.cap;
	char *before = b.p;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_ptr_equal(b.p, before);
	assert_int_equal(b.cap, cap);
	assert_string_equal(buf_str(&b), "");

	buf_puts(&b, "body");
	size_t len = 0;
	char *p = buf_take(&b, &len);
	assert_int_equal(len, 4);
	assert_string_equal(p, "body");
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	free(p);

	/* Taking an empty buffer still gives a heap string the caller frees. */
	p = buf_take(&b, &len);
	assert_non_null(p);
	assert_int_equal(len, 0);
	assert_string_equal(p, "");
	free(p);
	buf_free(&b);
}

/* ---- str: UTF-8 ------------------------------------------------------------------------ */

static bool utf8(const char *s)
{
	return str_utf8_valid(s, strlen(s));
}

static void test_utf8_accepts_valid_text(void **state)
{
	(void)state;
	assert_true(utf8(""));
	assert_true(utf8("plain ASCII"));
	assert_true(utf8("Comité des fêtes, Œuvre, ß"));
	assert_true(utf8("\xe2\x82\xac"));           /* € U+20AC */
	assert_true(utf8("\xf0\x9f\x98\x80"));       /* 😀 U+1F600 */
	assert_true(utf8("\xc2\x80"));               /* U+0080, smallest 2-byte */
	assert_true(utf8("\xe0\xa0\x80"));           /* U+0800, smallest 3-byte */
	assert_true(utf8("\xf0\x90\x80\x80"));       /* U+10000, smallest 4-byte */
	assert_true(utf8("\xef\xbf\xbf"));           /* U+FFFF */
	assert_true(utf8("\xed\x9f\xbf"));           /* U+D7FF, just below the surrogates */
	assert_true(utf8("\xee\x80\x80"));           /* U+E000, just above them */
	assert_true(utf8("\xf4\x8f\xbf\xbf"));       /* U+10FFFF, the last code point */
	/* n bounds the check: an invalid byte past n is not looked at. */
	assert_true(str_utf8_valid("ab\xff", 2));
}

static void test_utf8_refuses_overlong_forms(void **state)
{
	(void)state;
	assert_false(utf8("\xc0\x80"));              /* overlong NUL */
	assert_false(utf8("\xc0\xaf"));              /* overlong '/' */
	assert_false(utf8("\xc1\xbf"));
	assert_false(utf8("\xe0\x80\x80"));
	assert_false(utf8("\xe0\x80\xaf"));
	assert_false(utf8("\xe0\x9f\xbf"));          /* U+07FF in 3 bytes */
	assert_false(utf8("\xf0\x80\x80\x80"));
	assert_false(utf8("\xf0\x8f\xbf\xbf"));      /* U+FFFF in 4 bytes */
}

static void test_utf8_refuses_surrogates_and_out_of_range(void **state)
{
	(void)state;
	assert_false(utf8("\xed\xa0\x80"));          /* U+D800 */
	assert_false(utf8("\xed\xbf\xbf"));          /* U+DFFF */
	assert_false(utf8("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair */
	assert_false(utf8("\xf4\x90\x80\x80"));      /* U+110000 */
	assert_false(utf8("\xf5\x80\x80\x80"));
	assert_false(utf8("\xf8\x88\x80\x80\x80"));  /* 5-byte form */
	assert_false(utf8("\xfe"));
	assert_false(utf8("\xff"));
}

static void test_utf8_refuses_truncated_and_stray_bytes(void **state)
{
	(void)state;
	assert_false(utf8("\xc3"));                  /* lead byte at the end */
	assert_false(utf8("abc\xc3"));
	assert_false(utf8("\xe2\x82"));
	assert_false(utf8("\xf0\x9f\x98"));
	assert_false(utf8("\x80"));                  /* continuation without a lead */
	assert_false(utf8("a\xbfz"));
	assert_false(utf8("\xc3\x28"));              /* lead followed by ASCII */
	assert_false(utf8("\xe2\x28\xa1"));
	assert_false(utf8("\xe9t\xe9"));             /* Latin-1 "été" */
	/* The length given is authoritative: a sequence cut by n is truncated. */
	assert_false(str_utf8_valid("\xc3\xa9", 1));
	assert_false(str_utf8_valid("\xf0\x9f\x98\x80", 3));
}

static void test_utf8_len_counts_code_points(void **state)
{
	(void)state;
	assert_int_equal(str_utf8_len(""), 0);
	assert_int_equal(str_utf8_len("abc"), 3);
	assert_int_equal(str_utf8_len("été"), 3);
	assert_int_equal(str_utf8_len("\xe2\x82\xac\xf0\x9f\x98\x80"), 2);
}

/* ---- str: validation, slugs, misc ------------------------------------------------------ */

static void test_email_validation(void **state)
{
	(void)state;
	assert_true(str_email_valid("a@b.fr"));
	assert_true(str_email_valid("marie.dupont+kiosque@mairie-saint-etienne.fr"));
	assert_true(str_email_valid("X_Y@sub.example.org"));

	assert_false(str_email_valid(NULL));
	assert_false(str_email_valid(""));
	assert_false(str_email_valid("plainaddress"));
	assert_false(str_email_valid("@b.fr"));
	assert_false(str_email_valid("a@"));
	assert_false(str_email_valid("a@b"));          /* no dot in the domain */
	assert_false(str_email_valid("a@b."));
	assert_false(str_email_valid("a@.fr"));
	assert_false(str_email_valid("a@b@c.fr"));
	assert_false(str_email_valid("a b@c.fr"));
	assert_false(str_email_valid("a@c.fr "));
	assert_false(str_email_valid("a\t@c.fr"));
	assert_false(str_email_valid("<a@c.fr>"));
	assert_false(str_email_valid("a@c.fr,b@c.fr"));
	assert_false(str_email_valid("a@c.fr\r\nBcc: x@y.fr"));
	assert_false(str_email_valid("\"a\"@c.fr"));

	/* 254 bytes is the limit. */
	char addr[300];
	memset(addr, 'a', sizeof(addr));
	memcpy(addr + 254 - 5, "@b.fr", 6);   /* 249 a's + "@b.fr" = 254 */
	assert_int_equal(strlen(addr), 254);
	assert_true(str_email_valid(addr));
	memset(addr, 'a', sizeof(addr));
	memcpy(addr + 255 - 5, "@b.fr", 6);
	assert_int_equal(strlen(addr), 255);
	assert_false(str_email_valid(addr));
}

static void test_slug_validation(void **state)
{
	(void)state;
	assert_true(str_slug_valid("ab"));
	assert_true(str_slug_valid("comite-des-fetes"));
	assert_true(str_slug_valid("a1-2b"));
	char s[64];
	memset(s, 'x', 60);
	s[60] = 0;
	assert_true(str_slug_valid(s));
	s[60] = 'x';
	s[61] = 0;
	assert_false(str_slug_valid(s));   /* 61 chars */

	assert_false(str_slug_valid(NULL));
	assert_false(str_slug_valid(""));
	assert_false(str_slug_valid("a"));
	assert_false(str_slug_valid("-ab"));
	assert_false(str_slug_valid("ab-"));
	assert_false(str_slug_valid("Ab"));
	assert_false(str_slug_valid("a_b"));
	assert_false(str_slug_valid("a b"));
	assert_false(str_slug_valid("a/b"));
	assert_false(str_slug_valid("été"));
}

static void test_slugify_folds_french_accents(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	assert_string_equal(str_slugify(a, "Comité des fêtes de Saint-Étienne"),
			    "comite-des-fetes-de-saint-etienne");
	assert_string_equal(str_slugify(a, "Œuvre"), "oeuvre");
	assert_string_equal(str_slugify(a, "Cœur d'Ânes"), "coeur-d-anes");
	assert_string_equal(str_slugify(a, "  Hello,   World!  "), "hello-world");
	assert_string_equal(str_slugify(a, "ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜàâäçéèêëîïôöùûüÿ"),
			    "aaaceeeeiioouuuaaaceeeeiioouuuy");
	assert_string_equal(str_slugify(a, "Straße 12"), "strasse-12");
	assert_string_equal(str_slugify(a, "---"), "");

	/* Capped at 60 characters, never ending with a dash, and valid. */
	char *s = str_slugify(a, "Association sportive et culturelle des anciens élèves du "
				 "lycée Claude-Fauriel de Saint-Étienne");
	assert_true(strlen(s) <= 60);
	assert_true(str_slug_valid(s));
	arena_free(a);
}

static void test_slugify_turns_other_characters_into_dashes(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	/* Characters outside Latin-1 and Œ (three- and four-byte UTF-8) are not
	 * letters of the slug: the typographic apostrophe of French text, the
	 * en dash, the euro sign, emoji. */
	char *apos = str_slugify(a, "L\xe2\x80\x99" "Atelier");      /* L’Atelier */
	char *dash = str_slugify(a, "Concert \xe2\x80\x93 Jazz");      /* Concert – Jazz */
	char *euro = str_slugify(a, "Prix 5 \xe2\x82\xac");            /* Prix 5 € */
	char *emoji = str_slugify(a, "F\xc3\xaate \xf0\x9f\x8e\x89 2026"); /* Fête 🎉 2026 */
	assert_string_equal(apos, "l-atelier");
	assert_string_equal(dash, "concert-jazz");
	assert_string_equal(euro, "prix-5");
	assert_string_equal(emoji, "fete-2026");
	arena_free(a);
}

static void test_str_helpers(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	assert_true(str_eq("a", "a"));
	assert_false(str_eq("a", "b"));
	assert_false(str_eq(NULL, "a"));
	assert_false(str_eq(NULL, NULL));
	assert_true(str_empty(NULL));
	assert_true(str_empty(" \t\n"));
	assert_false(str_empty(" x "));
	assert_true(str_starts("/static/x", "/static/"));
	assert_false(str_starts(NULL, "/"));
	assert_string_equal(str_trim(a, "  a b \n"), "a b");
	assert_string_equal(str_trim(a, NULL), "");
	assert_string_equal(str_lower_ascii(a, "AbC-É"), "abc-É");

	int64_t v = 0;
	assert_true(str_to_i64("42", &v));
	assert_int_equal(v, 42);
	assert_true(str_to_i64("-9223372036854775808", &v));
	assert_true(v == INT64_MIN);
	assert_false(str_to_i64("9223372036854775808", &v));   /* overflow */
	assert_false(str_to_i64("12abc", &v));
	assert_false(str_to_i64("", &v));
	assert_false(str_to_i64(NULL, &v));
	arena_free(a);
}

/* ---- crypto ---------------------------------------------------------------------------- */

static bool is_lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp((const char *)x, (const char *)y);
}

static void test_token_is_64_hex_chars_and_unique(void **state)
{
	(void)state;
	enum { N = 2000 };
	char (*t)[TOKEN_HEX_LEN + 1] = calloc(N, sizeof(*t));
	assert_non_null(t);
	for (int i = 0; i < N; i++) {
		crypto_token(t[i]);
		assert_true(is_lower_hex(t[i], TOKEN_HEX_LEN));
	}
	qsort(t, N, sizeof(*t), cmp_str);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(t[i - 1], t[i]);
	free(t);

	char s[64];
	crypto_random_alnum(s, 12);
	assert_int_equal(strlen(s), 12);
	for (int i = 0; i < 12; i++)
		assert_non_null(strchr("abcdefghijkmnpqrstuvwxyz23456789", s[i]));
}

static void test_token_hash_is_stable_sha256(void **state)
{
	(void)state;
	char h1[TOKEN_HASH_HEX_LEN + 1], h2[TOKEN_HASH_HEX_LEN + 1], tok[TOKEN_HEX_LEN + 1];
	crypto_token_hash("abc", h1);
	assert_string_equal(h1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	crypto_token(tok);
	crypto_token_hash(tok, h1);
	crypto_token_hash(tok, h2);
	assert_string_equal(h1, h2);
	assert_true(is_lower_hex(h1, TOKEN_HASH_HEX_LEN));
	assert_string_not_equal(h1, tok);
	crypto_sha256_hex("abc", 3, h2);
	assert_string_equal(h2, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_password_hash_is_argon2id_and_verifies(void **state)
{
	(void)state;
	char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];
	assert_true(crypto_password_hash("correct horse battery staple", h1));
	assert_true(strncmp(h1, "$argon2id$", 10) == 0);
	assert_true(strlen(h1) < PASSWORD_HASH_MAX);
	assert_true(crypto_password_verify(h1, "correct horse battery staple"));
	/* Salted: the same password never gives the same string. */
	assert_true(crypto_password_hash("correct horse battery staple", h2));
	assert_string_not_equal(h1, h2);
	assert_true(crypto_password_verify(h2, "correct horse battery staple"));
	/* UTF-8 passwords are bytes like any other. */
	assert_true(crypto_password_hash("mot de passe été", h2));
	assert_true(crypto_password_verify(h2, "mot de passe été"));
	assert_false(crypto_password_verify(h2, "mot de passe ete"));
}

static void test_password_verify_refuses_wrong_password(void **state)
{
	(void)state;
	char h[PASSWORD_HASH_MAX];
	assert_true(crypto_password_hash("s3cret-password", h));
	assert_false(crypto_password_verify(h, "s3cret-passwore"));
	assert_false(crypto_password_verify(h, "s3cret-password "));
	assert_false(crypto_password_verify(h, ""));
	assert_false(crypto_password_verify("not a hash", "s3cret-password"));
	assert_false(crypto_password_verify("", ""));
}

static void test_streq_compares_whole_strings(void **state)
{
	(void)state;
	assert_true(crypto_streq("abc", "abc"));
	assert_true(crypto_streq("", ""));
	assert_false(crypto_streq("abc", "abd"));
	assert_false(crypto_streq("abc", "abcd"));
	assert_false(crypto_streq("abcd", "abc"));
	char secret[8] = "1234567";
	crypto_wipe(secret, sizeof(secret));
	for (size_t i = 0; i < sizeof(secret); i++)
		assert_int_equal(secret[i], 0);
}

/* ---- error registry -------------------------------------------------------------------- */

static void test_err_registry_codes_unique_and_statuses_4xx_5xx(void **state)
{
	(void)state;
	int n = err_count();
	assert_true(n > 1);
	assert_int_equal(n, KQ_ERR__COUNT);
	for (int i = 1; i < n; i++) {
		enum kq_err e = (enum kq_err)i;
		int st = err_http_status(e);
		const char *code = err_api_code(e), *key = err_msg_key(e);
		if (st < 400 || st > 599)
			fail_msg("error #%d (%s) has HTTP status %d", i, code, st);
		assert_non_null(code);
		assert_non_null(key);
		if (!code[0] || !key[0])
			fail_msg("error #%d has an empty code or message key", i);
		if (strncmp(key, "err.", 4) != 0)
			fail_msg("message key %s of %s does not start with err.", key, code);
		for (const char *p = code; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || *p == '_' || *p == '.'))
				fail_msg("API code %s is not lower-case dotted", code);
		for (int j = 1; j < i; j++) {
			if (strcmp(code, err_api_code((enum kq_err)j)) == 0)
				fail_msg("API code %s used twice (#%d and #%d)", code, j, i);
			if (strcmp(key, err_msg_key((enum kq_err)j)) == 0)
				fail_msg("message key %s used twice (#%d and #%d)", key, j, i);
		}
	}
	assert_int_equal(KQ_OK, 0);
	assert_int_equal(err_http_status(KQ_ERR_INTERNAL), 500);
	assert_int_equal(err_http_status(KQ_ERR_FORM_INVALID), 422);
	assert_string_equal(err_api_code(KQ_ERR_NOT_FOUND), "not_found");
	/* Out of range falls back to the internal error, never reads past the table. */
	assert_int_equal(err_http_status((enum kq_err)(KQ_ERR__COUNT + 5)), 500);
	assert_string_equal(err_api_code((enum kq_err)-1), "internal");
	assert_string_equal(err_msg_key((enum kq_err)KQ_ERR__COUNT), "err.internal");
}

static void test_field_errors_keep_the_first_sixteen(void **state)
{
	(void)state;
	struct field_errors fe = { 0 };
	assert_null(field_error_get(&fe, "email"));
	field_error_add(&fe, "email", "err.email.invalid");
	field_error_add(&fe, "name", "err.name.required");
	assert_string_equal(field_error_get(&fe, "email"), "err.email.invalid");
	assert_string_equal(field_error_get(&fe, "name"), "err.name.required");
	assert_null(field_error_get(&fe, "other"));
	assert_null(field_error_get(NULL, "email"));
	for (int i = 0; i < 40; i++)
		field_error_add(&fe, "x", "err.x");
	assert_int_equal(fe.n, FIELD_ERRORS_MAX);
}

/* ---- timefmt --------------------------------------------------------------------------- */

static void test_time_july_is_utc_plus_2_in_paris(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	/* 2026-07-01 12:00:00 UTC */
	assert_string_equal(time_format_long(a, 1782907200, "fr"), "1 juillet 2026 à 14 h 00");
	assert_string_equal(time_format_long(a, 1782907200, "en"), "1 July 2026, 14:00");
	assert_string_equal(time_format_date(a, 1782907200), "2026-07-01");
	assert_string_equal(time_format_iso(a, 1782907200), "2026-07-01T12:00:00Z");
	/* 22:30 UTC is already the next day in Paris. */
	assert_string_equal(time_format_date(a, 1782945000), "2026-07-02");
	assert_string_equal(time_format_iso(a, 1782945000), "2026-07-01T22:30:00Z");
	arena_free(a);
}

static void test_time_january_is_utc_plus_1_in_paris(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	/* 2027-01-15 12:00:00 UTC */
	assert_string_equal(time_format_long(a, 1800014400, "fr"), "15 janvier 2027 à 13 h 00");
	assert_string_equal(time_format_long(a, 1800014400, "en"), "15 January 2027, 13:00");
	assert_string_equal(time_format_iso(a, 1800014400), "2027-01-15T12:00:00Z");
	/* The example of timefmt.h: 2026-11-25 18:04 UTC. */
	assert_string_equal(time_format_long(a, 1795629840, "fr"), "25 novembre 2026 à 19 h 04");
	assert_string_equal(time_format_long(a, 1795629840, "en"), "25 November 2026, 19:04");
	assert_string_equal(time_format_long(a, 1795629840, NULL), "25 novembre 2026 à 19 h 04");
	arena_free(a);
}

static void test_time_dst_change_days(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	/* Spring forward, 2026-03-29: 01:00 UTC is 02:00 CET -> 03:00 CEST. */
	assert_string_equal(time_format_long(a, 1774745999, "en"), "29 March 2026, 01:59");
	assert_string_equal(time_format_long(a, 1774746000, "en"), "29 March 2026, 03:00");
	/* Fall back, 2026-10-25: 01:00 UTC is 03:00 CEST -> 02:00 CET. */
	assert_string_equal(time_format_long(a, 1792889999, "en"), "25 October 2026, 02:59");
	assert_string_equal(time_format_long(a, 1792890000, "en"), "25 October 2026, 02:00");
	assert_string_equal(time_format_long(a, 1792890000, "fr"), "25 octobre 2026 à 2 h 00");
	assert_string_equal(time_format_date(a, 1792890000), "2026-10-25");
	arena_free(a);
}

static void test_time_now_applies_the_test_offset(void **state)
{
	(void)state;
	setenv("KIOSQUE_TIME_OFFSET", "86400", 1);
	time_init();
	int64_t d = time_now() - (int64_t)time(NULL);
	assert_true(d >= 86399 && d <= 86401);
	setenv("KIOSQUE_TIME_OFFSET", "0", 1);
	time_init();
	d = time_now() - (int64_t)time(NULL);
	assert_true(d >= -1 && d <= 1);
	unsetenv("KIOSQUE_TIME_OFFSET");
}

/* ---- config, embed --------------------------------------------------------------------- */

static void clear_kiosque_env(void)
{
	static const char *vars[] = { "KIOSQUE_LISTEN", "KIOSQUE_DB", "KIOSQUE_SMTP",
		"KIOSQUE_MAIL_FROM", "KIOSQUE_BASE_URL", "KIOSQUE_DEMO", "KIOSQUE_THREADS",
		"KIOSQUE_MAX_BODY" };
	for (size_t i = 0; i < TL_ARRAY_LEN(vars); i++)
		unsetenv(vars[i]);
}

static void test_config_defaults_environment_and_listen(void **state)
{
	(void)state;
	struct config c;
	clear_kiosque_env();
	config_defaults(&c);
	assert_string_equal(c.listen_addr, "127.0.0.1");
	assert_int_equal(c.port, 8080);
	assert_string_equal(c.db_url, "sqlite:kiosque.db");
	assert_int_equal(c.max_body, 24u << 20);
	assert_true(c.threads >= 1);
	assert_false(c.demo);
	config_finish(&c);
	assert_string_equal(c.base_url, "http://127.0.0.1:8080");
	assert_false(config_is_https(&c));

	setenv("KIOSQUE_LISTEN", "0.0.0.0:9090", 1);
	setenv("KIOSQUE_BASE_URL", "https://agenda.example.fr///", 1);
	setenv("KIOSQUE_MAX_BODY", "1000", 1);
	setenv("KIOSQUE_DEMO", "1", 1);
	setenv("KIOSQUE_THREADS", "3", 1);
	config_defaults(&c);
	config_finish(&c);
	assert_string_equal(c.listen_addr, "0.0.0.0");
	assert_int_equal(c.port, 9090);
	assert_string_equal(c.base_url, "https://agenda.example.fr");
	assert_true(config_is_https(&c));
	assert_int_equal(c.max_body, 1000);
	assert_true(c.demo);
	assert_int_equal(c.threads, 3);
	clear_kiosque_env();

	assert_true(config_set_listen(&c, "127.0.0.1:0"));
	assert_int_equal(c.port, 0);
	assert_true(config_set_listen(&c, "[::1]:8443"));
	assert_string_equal(c.listen_addr, "[::1]");
	assert_false(config_set_listen(&c, "127.0.0.1"));
	assert_false(config_set_listen(&c, ":80"));
	assert_false(config_set_listen(&c, "host:"));
	assert_false(config_set_listen(&c, "host:70000"));
	assert_false(config_set_listen(&c, "host:-1"));
	assert_false(config_set_listen(&c, "host:80x"));
}

static void test_embed_finds_migrations_nul_terminated(void **state)
{
	(void)state;
	const struct embedded_file *f = embed_find("db/migrations/0001-territory-accounts.sql");
	assert_non_null(f);
	assert_true(f->len > 0);
	assert_int_equal(f->data[f->len], 0);
	assert_int_equal(strlen((const char *)f->data), f->len);
	assert_null(embed_find("db/migrations/nope.sql"));
	assert_null(embed_find(""));
}

int main(void)
{
	/* Before crypto_init: libsodium's minimum argon2id cost keeps this fast. */
	setenv("KIOSQUE_FAST_HASH", "1", 1);
	if (!crypto_init()) {
		fprintf(stderr, "crypto_init failed\n");
		return 1;
	}
	time_init();

	const struct CMUnitTest arena_buf[] = {
		cmocka_unit_test(test_arena_many_small_allocations_stay_distinct_and_zeroed),
		cmocka_unit_test(test_arena_large_allocations_work_beside_small_ones),
		cmocka_unit_test(test_arena_allocations_are_16_byte_aligned),
		cmocka_unit_test(test_arena_printf_and_dups),
		cmocka_unit_test(test_buf_grows_and_stays_nul_terminated),
		cmocka_unit_test(test_buf_printf_appends_long_output),
		cmocka_unit_test(test_buf_reset_keeps_memory_and_take_hands_over),
	};
	const struct CMUnitTest str[] = {
		cmocka_unit_test(test_utf8_accepts_valid_text),
		cmocka_unit_test(test_utf8_refuses_overlong_forms),
		cmocka_unit_test(test_utf8_refuses_surrogates_and_out_of_range),
		cmocka_unit_test(test_utf8_refuses_truncated_and_stray_bytes),
		cmocka_unit_test(test_utf8_len_counts_code_points),
		cmocka_unit_test(test_email_validation),
		cmocka_unit_test(test_slug_validation),
		cmocka_unit_test(test_slugify_folds_french_accents),
		cmocka_unit_test(test_slugify_turns_other_characters_into_dashes),
		cmocka_unit_test(test_str_helpers),
	};
	const struct CMUnitTest crypto[] = {
		cmocka_unit_test(test_token_is_64_hex_chars_and_unique),
		cmocka_unit_test(test_token_hash_is_stable_sha256),
		cmocka_unit_test(test_password_hash_is_argon2id_and_verifies),
		cmocka_unit_test(test_password_verify_refuses_wrong_password),
		cmocka_unit_test(test_streq_compares_whole_strings),
	};
	const struct CMUnitTest errs[] = {
		cmocka_unit_test(test_err_registry_codes_unique_and_statuses_4xx_5xx),
		cmocka_unit_test(test_field_errors_keep_the_first_sixteen),
	};
	const struct CMUnitTest times[] = {
		cmocka_unit_test(test_time_july_is_utc_plus_2_in_paris),
		cmocka_unit_test(test_time_january_is_utc_plus_1_in_paris),
		cmocka_unit_test(test_time_dst_change_days),
		cmocka_unit_test(test_time_now_applies_the_test_offset),
	};
	const struct CMUnitTest misc[] = {
		cmocka_unit_test(test_config_defaults_environment_and_listen),
		cmocka_unit_test(test_embed_finds_migrations_nul_terminated),
	};
	int failed = 0;
	TL_RUN_GROUP(failed, "base/arena+buf", arena_buf, NULL, NULL);
	TL_RUN_GROUP(failed, "base/str", str, NULL, NULL);
	TL_RUN_GROUP(failed, "base/crypto", crypto, NULL, NULL);
	TL_RUN_GROUP(failed, "base/err", errs, NULL, NULL);
	TL_RUN_GROUP(failed, "base/timefmt", times, NULL, NULL);
	TL_RUN_GROUP(failed, "base/config+embed", misc, NULL, NULL);
	return TL_EXIT(failed);
}
