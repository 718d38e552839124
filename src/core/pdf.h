/* pdf.h: what every PDF of Kiosque needs from libhpdf (tickets, tax receipts): a document with its two
 * fonts, French text in the fonts' encoding, and the finished file in a buffer. */
#ifndef KQ_PDF_H
#define KQ_PDF_H
#include "core.h"
#include "base/buf.h"
#include <hpdf.h>

struct pdf_doc {
	HPDF_Doc doc;
	HPDF_Font regular, bold;      /* Helvetica, in WinAnsiEncoding (Windows-1252) */
	int failed;                   /* set by libhpdf's error handler: the calls then do nothing */
};

/* A new document titled title (UTF-8). who names the caller in the log.
 * False (logged) when libhpdf cannot start. */
bool pdf_doc_open(struct pdf_doc *p, const char *who, struct arena *a, const char *title);
/* Appends the document to b and frees it; on any earlier failure b is left
 * as it was. Errors: INTERNAL. */
enum kq_err pdf_doc_finish(struct pdf_doc *p, struct buf *b);
/* UTF-8 to Windows-1252 for the standard fonts: what has no place there
 * becomes '?', tabs and newlines spaces, narrow spaces no-break spaces. */
char *pdf_text(struct arena *a, const char *utf8);

#endif
