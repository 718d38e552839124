/* test_web.c: the HTML escapers, Markdown safe mode, the message catalog against the error registry */
#include "testlib.h"
#include "base/err.h"
#include "base/i18n.h"
#include "web/html.h"

static void test_html_text_escapes_every_special_character(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	html_text(&b, "<script>\"'&x</script>");
	assert_string_equal(buf_str(&b), "&lt;script&gt;&quot;&#39;&amp;x&lt;/script&gt;");
	buf_free(&b);
}

static void test_html_fmt_escapes_strings_not_numbers(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	html_fmt(&b, "<p>%s %d %lld %zu</p>", "<b>\"x\"</b>", -3, (long long)1 << 40, (size_t)7);
	assert_string_equal(buf_str(&b),
			    "<p>&lt;b&gt;&quot;x&quot;&lt;/b&gt; -3 1099511627776 7</p>");
	buf_free(&b);
}

static void test_html_attr_cannot_break_out_of_the_quotes(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	html_attr(&b, "value", "\" onmouseover=\"alert(1)");
	assert_string_equal(buf_str(&b), " value=\"&quot; onmouseover=&quot;alert(1)\"");
	buf_free(&b);
}

static void test_html_href_refuses_javascript_and_protocol_relative_urls(void **state)
{
	(void)state;
	const char *bad[] = { "javascript:alert(1)", "JAVASCRIPT:alert(1)", "//evil.example/x",
			      "data:text/html,<script>", "vbscript:x", NULL };
	for (int i = 0; bad[i]; i++) {
		struct buf b = BUF_INIT;
		html_href(&b, bad[i]);
		assert_string_equal(buf_str(&b), " href=\"#\"");
		buf_free(&b);
	}
	const char *good[] = { "/annuaire", "https://example.org/a?b=c", "mailto:a@b.fr",
			       "tel:+33475000000", NULL };
	for (int i = 0; good[i]; i++) {
		struct buf b = BUF_INIT;
		html_href(&b, good[i]);
		assert_non_null(strstr(buf_str(&b), "href=\""));
		assert_null(strstr(buf_str(&b), "\"#\""));
		buf_free(&b);
	}
}

static void test_url_arg_percent_encodes_reserved_and_utf8(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	assert_string_equal(url_arg(a, "a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
	assert_string_equal(url_arg(a, "Safe-_.~09"), "Safe-_.~09");
	arena_free(a);
}

static void test_markdown_drops_raw_html_and_dangerous_links(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct safe_html h = markdown_render(a, "**gras** <script>alert(1)</script>\n\n"
						"[x](javascript:alert(1)) <img src=x onerror=alert(1)>");
	assert_non_null(strstr(h.p, "<strong>gras</strong>"));
	assert_null(strstr(h.p, "<script"));
	assert_null(strstr(h.p, "javascript:"));
	assert_null(strstr(h.p, "onerror"));
	arena_free(a);
}

static void test_every_error_has_a_translated_message(void **state)
{
	(void)state;
	for (int e = 1; e < err_count(); e++) {
		const char *key = err_msg_key((enum kq_err)e);
		if (!i18n_has(key))
			fail_msg("error %s has no message %s in messages.def", err_api_code((enum kq_err)e), key);
	}
}

static void test_every_message_has_french_and_english(void **state)
{
	(void)state;
	const char *key, *fr, *en;
	for (int i = 0; i18n_entry(i, &key, &fr, &en); i++) {
		if (!fr || !*fr)
			fail_msg("message %s has no French text", key);
		if (!en || !*en)
			fail_msg("message %s has no English text", key);
	}
}

static void test_language_follows_accept_language(void **state)
{
	(void)state;
	assert_string_equal(i18n_pick_lang("en-GB,en;q=0.9,fr;q=0.8"), "en");
	assert_string_equal(i18n_pick_lang("fr-FR,fr;q=0.9,en;q=0.8"), "fr");
	assert_string_equal(i18n_pick_lang("de-DE,de;q=0.9"), "fr");
	assert_string_equal(i18n_pick_lang(NULL), "fr");
	assert_string_equal(i18n_get("en", "nav.home"), "Home");
	assert_string_equal(i18n_get("fr", "nav.home"), "Accueil");
}

static void test_catalog_variables_are_filled_and_percent_stays(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	const char *vars[] = { "name", "Zoé", "link", "https://k.test/x?a=1", NULL };
	assert_string_equal(i18n_fill(a, "Bonjour {name}, 100 % : {link} {unknown} {", vars),
			    "Bonjour Zoé, 100 % : https://k.test/x?a=1 {unknown} {");
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_text_escapes_every_special_character),
		cmocka_unit_test(test_html_fmt_escapes_strings_not_numbers),
		cmocka_unit_test(test_html_attr_cannot_break_out_of_the_quotes),
		cmocka_unit_test(test_html_href_refuses_javascript_and_protocol_relative_urls),
		cmocka_unit_test(test_url_arg_percent_encodes_reserved_and_utf8),
		cmocka_unit_test(test_markdown_drops_raw_html_and_dangerous_links),
		cmocka_unit_test(test_every_error_has_a_translated_message),
		cmocka_unit_test(test_every_message_has_french_and_english),
		cmocka_unit_test(test_language_follows_accept_language),
		cmocka_unit_test(test_catalog_variables_are_filled_and_percent_stays),
	};
	i18n_init();
	return TL_EXIT(cmocka_run_group_tests_name("web", tests, NULL, NULL));
}
