/* pdf.c: libhpdf set up once for every document, its text encoding, and the file written to a buffer. */
#include "pdf.h"
#include "base/log.h"
#include <string.h>

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

char *pdf_text(struct arena *a, const char *utf8)
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
static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	int *failed = user_data;
	if (error_no == HPDF_STREAM_EOF)   /* the end of HPDF_ReadFromStream, not a failure */
		return;
	if (!*failed)
		log_error("pdf: libhpdf error 0x%04X (detail %u)", (unsigned)error_no, (unsigned)detail_no);
	*failed = 1;
}

bool pdf_doc_open(struct pdf_doc *p, const char *who, struct arena *a, const char *title)
{
	memset(p, 0, sizeof(*p));
	p->doc = HPDF_New(on_error, &p->failed);
	if (!p->doc) {
		log_error("%s: HPDF_New failed", who);
		return false;
	}
	HPDF_SetCompressionMode(p->doc, HPDF_COMP_ALL);
	p->regular = HPDF_GetFont(p->doc, "Helvetica", "WinAnsiEncoding");
	p->bold = HPDF_GetFont(p->doc, "Helvetica-Bold", "WinAnsiEncoding");
	HPDF_SetInfoAttr(p->doc, HPDF_INFO_TITLE, pdf_text(a, title));
	HPDF_SetInfoAttr(p->doc, HPDF_INFO_CREATOR, "Kiosque");
	return true;
}

enum kq_err pdf_doc_finish(struct pdf_doc *p, struct buf *b)
{
	int failed = p->failed;
	if (!failed && HPDF_SaveToStream(p->doc) == HPDF_OK) {
		HPDF_ResetStream(p->doc);
		size_t start = b->len;
		for (;;) {
			HPDF_BYTE chunk[8192];
			HPDF_UINT32 n = sizeof(chunk);
			HPDF_STATUS st = HPDF_ReadFromStream(p->doc, chunk, &n);
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
	HPDF_Free(p->doc);
	p->doc = NULL;
	return failed ? KQ_ERR_INTERNAL : KQ_OK;
}
