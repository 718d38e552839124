/* etickets.c: QR codes (libqrencode) and the PDF of an order's tickets (libhpdf) */
#include "etickets.h"
#include "pdf.h"
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
	HPDF_Page_TextOut(page, x, y, pdf_text(c->a, utf8));
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

void etickets_pdf_qr(HPDF_Doc pdf, HPDF_Page page, struct arena *a, const char *text, float x,
		     float y, float size)
{
	QRcode *q = qr_encode(text);
	if (!q)
		return;
	unsigned side = (unsigned)(q->width + 2 * QR_QUIET) * PDF_QR_SCALE;
	unsigned char *px = arena_alloc(a, (size_t)side * side);
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
	HPDF_Image img = HPDF_LoadRawImageFromMem(pdf, px, side, side, HPDF_CS_DEVICE_GRAY, 8);
	if (img)
		HPDF_Page_DrawImage(page, img, x, y, size, size);
}

static void draw_qr(struct pdf_ctx *c, HPDF_Page page, const char *code, float x, float y)
{
	etickets_pdf_qr(c->pdf, page, c->a, code, x, y, PDF_QR_SIZE);
}

static const char *t(const char *lang, const char *fr, const char *en)
{
	return lang && strcmp(lang, "en") == 0 ? en : fr;
}

enum kq_err etickets_pdf(struct buf *b, struct arena *a, const struct eticket_event *ev,
			 const struct order *o)
{
	struct pdf_doc doc;
	if (!pdf_doc_open(&doc, "etickets", a, ev->title))
		return KQ_ERR_INTERNAL;
	struct pdf_ctx c = { .pdf = doc.doc, .regular = doc.regular, .bold = doc.bold, .a = a };
	const char *lang = ev->lang;

	for (int i = 0; i < o->n_tickets && !doc.failed; i++) {
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
				   pdf_text(a, ev->title), HPDF_TALIGN_LEFT, NULL);
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

return pdf_doc_finish(&doc, b);
}
