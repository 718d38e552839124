/* test_etickets.c: the QR SVG of a ticket code and the PDF of an order's tickets */
#include "testlib.h"
#include "core/etickets.h"
#include "core/pdf.h"
#include "base/timefmt.h"
#include <sys/stat.h>

static void qr_svg_well_formed(void **state)
{
	(void)state;
	struct buf b = { 0 };
	assert_true(etickets_qr_svg(&b, "ABCDEFGHJKMNPQRSTVWXYZ0123"));
	const char *s = buf_str(&b);
	assert_non_null(strstr(s, "<?xml version=\"1.0\""));
	assert_non_null(strstr(s, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(s, "<path fill=\"#000\" d=\"M"));
	assert_non_null(strstr(s, "</svg>\n"));
	/* Every opened tag is closed: one svg, one self-closed rect and path. */
	assert_null(strstr(strstr(s, "</svg>") + 6, "<"));
	assert_int_equal(s[b.len - 1], '\n');
	buf_free(&b);
	struct buf e = { 0 };
	assert_false(etickets_qr_svg(&e, ""));
	assert_int_equal(e.len, 0);
	buf_free(&e);
}

static void cp1252_conversion(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	assert_string_equal(pdf_text(a, "F\xc3\xaate \xe2\x82\xac"), "F\xeate \x80");
	/* Missing glyph (a CJK character, an emoji) and broken UTF-8 become '?'. */
	assert_string_equal(pdf_text(a, "\xe6\x9d\xb1\xf0\x9f\x8e\xb5\xc3"), "???");
	arena_free(a);
}

static void pdf_has_title(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct order_ticket tk[2] = {
		{ .type_name = "Plein tarif", .code = "ABCDEFGHJKMNPQRSTVWXYZ0123",
		  .attendee_name = "Zoé Lefèvre", .date_starts_at = 1790000000 },
		{ .type_name = "Réduit \xf0\x9f\x8e\xb5", .code = "ZYXWVTSRQPNMKJHGFEDCBA9876",
		  .attendee_name = "", .date_starts_at = 1790000000 },
	};
	struct order o = { .code = "K7QX2M9PAB", .buyer_name = "Élodie Garçon", .tickets = tk,
			   .n_tickets = 2 };
	struct eticket_event ev = { .title = "Fête de la Vesque à Éclair", .venue_name = "Salle des fêtes",
				    .venue_address = "1 place de l'Église", .commune_name = "Vesqueval",
				    .lang = "fr" };
	struct buf b = { 0 };
	assert_int_equal(etickets_pdf(&b, a, &ev, &o), KQ_OK);
	assert_true(b.len > 1000);
	assert_memory_equal(b.p, "%PDF", 4);

	char path[400];
	snprintf(path, sizeof(path), "%s/t.pdf", tl_tmpdir());
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b.p, 1, b.len, f), b.len);
	fclose(f);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 '%s' - 2>&1", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);   /* poppler-utils (pdftotext) is required by this test */
	struct buf out = { 0 };
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_append(&out, chunk, n);
	int rc = pclose(p);
	if (rc != 0)
		fail_msg("pdftotext failed (is poppler-utils installed?): %s", buf_str(&out));
	assert_non_null(strstr(buf_str(&out), "Fête de la Vesque à Éclair"));
	assert_non_null(strstr(buf_str(&out), "Zoé Lefèvre"));
	assert_non_null(strstr(buf_str(&out), "K7QX2M9PAB"));
	assert_non_null(strstr(buf_str(&out), "Réduit ?"));
	buf_free(&out);
	buf_free(&b);
	arena_free(a);
}

int main(void)
{
	time_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qr_svg_well_formed),
		cmocka_unit_test(cp1252_conversion),
		cmocka_unit_test(pdf_has_title),
	};
	return cmocka_run_group_tests_name("etickets", tests, NULL, NULL);
}
