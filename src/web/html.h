/* html.h: escape-by-default HTML writers; raw markup exists only as struct safe_html.
 *
 * There is no function that writes a caller's string unescaped: markup
 * enters a page only through these builders or markdown_render(), so a
 * forgotten escape fails to compile instead of opening a hole. */
#ifndef KQ_HTML_H
#define KQ_HTML_H
#include <stddef.h>
#include "base/arena.h"
#include "base/buf.h"

struct safe_html {
	const char *p;
	size_t len;
};

/* Escapes & < > " ' so one escaper serves text and quoted attributes. */
void html_text(struct buf *b, const char *s);
/* Writes  name="value"  with a leading space. */
void html_attr(struct buf *b, const char *name, const char *value);
/* Writes  href="url"  when url is relative, http(s), mailto: or tel:; else href="#". */
void html_href(struct buf *b, const char *url);
void html_safe(struct buf *b, struct safe_html h);
/* printf where every %s argument is escaped; other conversions are numbers. */
__attribute__((format(printf, 2, 3)))
void html_fmt(struct buf *b, const char *fmt, ...);
/* Markup literal from our own source code (tags, never data). */
#define HTML(lit) html_lit((b), "" lit "")
/* The same into another buffer (a page's <head> extras). */
#define HTML_TO(buf, lit) html_lit((buf), "" lit "")
void html_lit(struct buf *b, const char *literal);
/* Percent-encodes a query argument or path segment into the arena. */
char *url_arg(struct arena *a, const char *s);
/* Markdown (cmark, safe mode: no raw HTML, no javascript: links) to safe HTML in a. */
struct safe_html markdown_render(struct arena *a, const char *md);
/* HTML that core stored at save time from markdown_to_html (a column such
 * as description_html), or md rendered now when nothing was stored yet. */
struct safe_html html_stored_markdown(struct arena *a, const char *stored_html, const char *md);
/* A section a handler rendered into its own buffer, for a view's slot: copied into a, b freed.
 * Empty b gives {NULL, 0}: the view then shows nothing. */
struct safe_html html_section_take(struct arena *a, struct buf *b);
/* Plain text becomes safe HTML with escaped content and <br> for newlines. */
struct safe_html html_from_text(struct arena *a, const char *text);

#endif
