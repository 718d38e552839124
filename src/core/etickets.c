/* etickets.c: QR codes (libqrencode) and the PDF of an order's tickets (libhpdf) */
#include "etickets.h"
#include "base/log.h"
#include "base/timefmt.h"
#include <hpdf.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define QR_QUIET 4           /* modules of white around the code (ISO 18004) */
#define PDF_QR_SCALE 8       /* bitmap pixels per module: no smoothing blurs it */
#define PDF_QR_SIZE 180.0f   /* points on the page: about 6.3 cm */

static QRcode *qr_encode(const char *text)
{
	if (!text || !*text || strlen(text) > 1000)
		return NULL;
	return QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
}

bool etickets_qr_svg(struct buf *b, const char *text)
{
	QRcode *q = qr_encode(text);
	if (!q)
		return false;
	int w = q->width, side = w + 2 * QR_QUIET;
	buf_printf(b,
		   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		   "height=\"%d\" shape-rendering=\"crispEdges\" role=\"img\">"
		   "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
		   side, side, side * 6, side * 6, side, side);
	/* One horizontal run of dark modules per subpath. */
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w;) {
			if (!(q->data[y * w + x] & 1)) {
				x++;
				continue;
			}
			int run = 1;
			while (x + run < w && (q->data[y * w + x + run] & 1))
				run++;
			buf_printf(b, "M%d %dh%dv1h-%dz", x + QR_QUIET, y + QR_QUIET, run, run);
			x += run;
		}
	}
	buf_puts(b, "\"/></svg>\n");
	QRcode_free(q);
	return true;
}

/* Unicode of the bytes 0x80..0x9F in Windows-1252; 0: undefined there. */
static const unsigned short cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
	0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static unsigned char cp1252_of(unsigned cp)
{
	if (cp == '\t' || cp == '\n')
		return ' ';
	if (cp < 0x20 || cp == 0x7F)
		return '?';
	if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
		return (unsigned char)cp;
	if (cp == 0x202F || cp == 0x00A0 || cp == 0x2009)   /* narrow and thin spaces */
		return 0xA0;
	for (int i = 0; i < 32; i++)
		if (cp1252_high[i] && cp1252_high[i] == cp)
			return (unsigned char)(0x80 + i);
	return '?';
}

char *etickets_to_cp1252(struct arena *a, const char *utf8)
{
	const unsigned char *s = (const unsigned char *)(utf8 ? utf8 : "");
	size_t n = strlen((const char *)s);
	char *out = arena_alloc(a, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], cp = 0;
		int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		bool ok = len > 0 && i + (size_t)len <= n;
		if (ok) {
			cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
			for (int j = 1; j < len; j++) {
				if ((s[i + (size_t)j] & 0xC0) != 0x80) {
					ok = false;
					break;
				}
				cp = (cp << 6) | (s[i + (size_t)j] & 0x3F);
			}
		}
		out[k++] = ok ? (char)cp1252_of(cp) : '?';
		i += ok ? (size_t)len : 1;
	}
	out[k] = '\0';
	return out;
}

/* libhpdf reports errors here; the calls then fail softly and we check at the end. */
static void pdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	int *failed = user_data;
	if (error_no == HPDF_STREAM_EOF)   /* the end of HPDF_ReadFromStream, not a failure */
		return;
	if (!*failed)
		log_error("etickets: libhpdf error 0x%04X (detail %u)", (unsigned)error_no,
			  (unsigned)detail_no);
	*failed = 1;
}

struct pdf_ctx {
	HPDF_Doc pdf;
	HPDF_Font regular, bold;
	struct arena *a;
};

static void text_at(struct pdf_ctx *c, HPDF_Page page, HPDF_Font font, float size, float x,
		    float y, const char *utf8)
{
	HPDF_Page_BeginText(page);
	HPDF_Page_SetFontAndSize(page, font, size);
	HPDF_Page_TextOut(page, x, y, etickets_to_cp1252(c->a, utf8));
	HPDF_Page_EndText(page);
}

/* A label and its value on one line; returns the next line's y. */
static float line(struct pdf_ctx *c, HPDF_Page page, float y, const char *label, const char *value)
{
	if (!value || !*value)
		return y;
	text_at(c, page, c->regular, 10, 56, y, label);
	text_at(c, page, c->bold, 13, 56, y - 15, value);
	return y - 40;
}

static void draw_qr(struct pdf_ctx *c, HPDF_Page page, const char *code, float x, float y)
{
	QRcode *q = qr_encode(code);
	if (!q)
		return;
	unsigned side = (unsigned)(q->width + 2 * QR_QUIET) * PDF_QR_SCALE;
	unsigned char *px = arena_alloc(c->a, (size_t)side * side);
	memset(px, 0xFF, (size_t)side * side);
	for (int my = 0; my < q->width; my++)
		for (int mx = 0; mx < q->width; mx++) {
			if (!(q->data[my * q->width + mx] & 1))
				continue;
			for (unsigned dy = 0; dy < PDF_QR_SCALE; dy++)
				memset(px + ((size_t)(my + QR_QUIET) * PDF_QR_SCALE + dy) * side +
					       (size_t)(mx + QR_QUIET) * PDF_QR_SCALE,
				       0, PDF_QR_SCALE);
		}
	QRcode_free(q);
	HPDF_Image img = HPDF_LoadRawImageFromMem(c->pdf, px, side, side, HPDF_CS_DEVICE_GRAY, 8);
	if (img)
		HPDF_Page_DrawImage(page, img, x, y, PDF_QR_SIZE, PDF_QR_SIZE);
}

static const char *t(const char *lang, const char *fr, const char *en)
{
	return lang && strcmp(lang, "en") == 0 ? en : fr;
}

enum kq_err etickets_pdf(struct buf *b, struct arena *a, const struct eticket_event *ev,
			 const struct order *o)
{
	int failed = 0;
	struct pdf_ctx c = { .a = a };
	const char *lang = ev->lang;
	c.pdf = HPDF_New(pdf_error, &failed);
	if (!c.pdf) {
		log_error("etickets: HPDF_New failed");
		return KQ_ERR_INTERNAL;
	}
	HPDF_SetCompressionMode(c.pdf, HPDF_COMP_ALL);
	c.regular = HPDF_GetFont(c.pdf, "Helvetica", "WinAnsiEncoding");
	c.bold = HPDF_GetFont(c.pdf, "Helvetica-Bold", "WinAnsiEncoding");
	HPDF_SetInfoAttr(c.pdf, HPDF_INFO_TITLE, etickets_to_cp1252(a, ev->title));
	HPDF_SetInfoAttr(c.pdf, HPDF_INFO_CREATOR, "Kiosque");

	for (int i = 0; i < o->n_tickets && !failed; i++) {
		const struct order_ticket *tk = &o->tickets[i];
		HPDF_Page page = HPDF_AddPage(c.pdf);
		if (!page)
			break;
		HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
		float h = HPDF_Page_GetHeight(page), w = HPDF_Page_GetWidth(page);
		text_at(&c, page, c.regular, 10, 56, h - 60,
			arena_printf(a, "%s %d / %d", t(lang, "Billet", "Ticket"), i + 1, o->n_tickets));
		/* The title wraps inside its box (at most three lines at 20 pt). */
		HPDF_Page_BeginText(page);
		HPDF_Page_SetFontAndSize(page, c.bold, 20);
		HPDF_Page_SetTextLeading(page, 24);
		HPDF_Page_TextRect(page, 56, h - 76, w - 56, h - 76 - 76,
				   etickets_to_cp1252(a, ev->title), HPDF_TALIGN_LEFT, NULL);
		HPDF_Page_EndText(page);
		float y = h - 180;
		y = line(&c, page, y, t(lang, "Date", "Date"),
			 time_format_long(a, tk->date_starts_at, lang));
		const char *venue = ev->venue_name && *ev->venue_name ? ev->venue_name : NULL;
		if (venue && ev->commune_name && *ev->commune_name)
			venue = arena_printf(a, "%s, %s", venue, ev->commune_name);
		y = line(&c, page, y, t(lang, "Lieu", "Venue"), venue);
		if (ev->venue_address && *ev->venue_address) {
			text_at(&c, page, c.regular, 11, 56, y + 22, ev->venue_address);
			y -= 10;
		}
		y = line(&c, page, y, t(lang, "Nom", "Name"),
			 tk->attendee_name && *tk->attendee_name ? tk->attendee_name : o->buyer_name);
		y = line(&c, page, y, t(lang, "Tarif", "Ticket type"), tk->type_name);
		y = line(&c, page, y, t(lang, "Commande", "Order"), o->code);
		draw_qr(&c, page, tk->code, 56, y - PDF_QR_SIZE);
		text_at(&c, page, c.regular, 9, 56, y - PDF_QR_SIZE - 14, tk->code);
		text_at(&c, page, c.regular, 9, 56, 50,
			t(lang, "Présentez ce billet (imprimé ou sur votre téléphone) à l'entrée.",
			  "Show this ticket (printed or on your phone) at the entrance."));
	}

	if (!failed && HPDF_SaveToStream(c.pdf) == HPDF_OK) {
		HPDF_ResetStream(c.pdf);
		size_t start = b->len;
		for (;;) {
			HPDF_BYTE chunk[8192];
			HPDF_UINT32 n = sizeof(chunk);
			HPDF_STATUS st = HPDF_ReadFromStream(c.pdf, chunk, &n);
			if (n)
				buf_append(b, chunk, n);
			if (st == HPDF_STREAM_EOF)
				break;
			if (st != HPDF_OK) {
				failed = 1;
				b->len = start;
				if (b->p)
					b->p[start] = '\0';
				break;
			}
		}
	} else {
		failed = 1;
	}
	HPDF_Free(c.pdf);
	return failed ? KQ_ERR_INTERNAL : KQ_OK;
}
