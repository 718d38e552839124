/* etickets.h: what a buyer holds: the QR code of a ticket (SVG for pages, a
 * bitmap drawn into the PDF) and the PDF of an order's tickets.
 *
 * No database here: callers load the order (orders_get_by_secret) and the
 * event's venue, and pass them in. */
#ifndef KQ_ETICKETS_H
#define KQ_ETICKETS_H
#include <stdbool.h>
#include <stdint.h>
#include "core.h"
#include "orders.h"
#include "base/buf.h"
#include <hpdf.h>

/* Appends to b a standalone SVG image (with its XML declaration) of the QR
 * code of text (error correction M, 4-module quiet zone). false when text
 * cannot be encoded (empty, too long): nothing is appended. */
__attribute__((warn_unused_result))
bool etickets_qr_svg(struct buf *b, const char *text);

/* Draws on page of pdf (a libhpdf document) the QR code of text as a
 * size x size points image whose lower-left corner is (x, y): what the
 * member card (memberships.c) shares with the tickets. Scratch memory in a.
 * Nothing is drawn when text cannot be encoded. */
void etickets_pdf_qr(HPDF_Doc pdf, HPDF_Page page, struct arena *a, const char *text, float x,
		     float y, float size);

/* What the PDF prints besides the order itself. Strings are UTF-8; NULL or
 * "" leaves the line out. */
struct eticket_event {
	const char *title;
	const char *venue_name, *venue_address, *commune_name;
	const char *lang;            /* "fr" | "en": labels and date format */
};

/* Appends to b the PDF of the order's tickets, one A4 page per ticket:
 * event title, date and time (Europe/Paris), venue, attendee name, ticket
 * type, order code, and the QR code of the ticket code (about 6 cm).
 * Text is converted from UTF-8 to CP1252 for the built-in Helvetica;
 * characters outside it print as '?'. Scratch memory in a.
 * Errors: INTERNAL (libhpdf failed; nothing is appended). */
__attribute__((warn_unused_result))
enum kq_err etickets_pdf(struct buf *b, struct arena *a, const struct eticket_event *ev,
			 const struct order *o);

#endif
