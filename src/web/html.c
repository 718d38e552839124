/* html.c: the escapers (text and attribute in one, URL argument apart) and markdown via cmark */
#include "html.h"
#include "base/str.h"
#include "core/markdown.h"
#include <stdlib.h>
#include <string.h>

void html_text(struct buf *b, const char *s)
{
	if (!s)
		return;
	const char *start = s;
	for (; *s; s++) {
		const char *rep;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_append(b, start, (size_t)(s - start));
		buf_puts(b, rep);
		start = s + 1;
	}
	buf_append(b, start, (size_t)(s - start));
}

void html_lit(struct buf *b, const char *literal)
{
	buf_puts(b, literal);
}

void html_attr(struct buf *b, const char *name, const char *value)
{
	buf_putc(b, ' ');
	buf_puts(b, name);
	buf_puts(b, "=\"");
	html_text(b, value ? value : "");
	buf_putc(b, '"');
}

static int url_ok(const char *u)
{
	if (!u)
		return 0;
	if (u[0] == '/' && u[1] != '/')
		return 1;
	if (u[0] == '#' || u[0] == '?')
		return 1;
	return str_starts(u, "https://") || str_starts(u, "http://") ||
	       str_starts(u, "mailto:") || str_starts(u, "tel:");
}

void html_href(struct buf *b, const char *url)
{
	html_attr(b, "href", url_ok(url) ? url : "#");
}

void html_safe(struct buf *b, struct safe_html h)
{
	buf_append(b, h.p, h.len);
}

void html_fmt(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			/* Copy the literal run up to the next conversion in one go. */
			const char *q = strchr(p, '%');
			size_t n = q ? (size_t)(q - p) : strlen(p);
			buf_append(b, p, n);
			p += n - 1;
			continue;
		}
		p++;
		char spec[8] = "%";
		size_t k = 1;
		while (*p == 'l' || *p == 'z' || *p == 'j') {
			if (k < 5)
				spec[k++] = *p;
			p++;
		}
		spec[k++] = *p;
		spec[k] = 0;
		switch (*p) {
		case 's':
			html_text(b, va_arg(ap, const char *));
			break;
		case '%':
			buf_putc(b, '%');
			break;
		case 'd':
		case 'u':
			if (spec[1] == 'l' && spec[2] == 'l')
				buf_printf(b, spec, va_arg(ap, long long));
			else if (spec[1] == 'l')
				buf_printf(b, spec, va_arg(ap, long));
			else if (spec[1] == 'z')
				buf_printf(b, spec, va_arg(ap, size_t));
			else
				buf_printf(b, spec, va_arg(ap, int));
			break;
		default:
			/* Only numbers and %s belong here; anything else is our bug. */
			abort();
		}
		if (!*p)
			break;
	}
	va_end(ap);
}

char *url_arg(struct arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s ? s : "");
	char *out = arena_alloc(a, n * 3 + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = 0;
	return out;
}

struct safe_html markdown_render(struct arena *a, const char *md)
{
	const char *html = markdown_to_html(a, md);
	return (struct safe_html){ html, strlen(html) };
}

struct safe_html html_stored_markdown(struct arena *a, const char *stored_html, const char *md)
{
	if (stored_html && *stored_html)
		return (struct safe_html){ stored_html, strlen(stored_html) };
	return markdown_render(a, md);
}

struct safe_html html_from_text(struct arena *a, const char *text)
{
	struct buf b = BUF_INIT;
	for (const char *p = text ? text : ""; *p; p++) {
		if (*p == '\n') {
			buf_puts(&b, "<br>");
		} else {
			char s[2] = { *p, 0 };
			html_text(&b, s);
		}
	}
	struct safe_html h = { arena_memdup(a, buf_str(&b), b.len), b.len };
	buf_free(&b);
	return h;
}

struct safe_html html_section_take(struct arena *a, struct buf *b)
{
	struct safe_html h = { NULL, 0 };
	if (b->len) {
		char *p = arena_alloc(a, b->len + 1);
		memcpy(p, b->p, b->len);
		p[b->len] = 0;
		h.p = p;
		h.len = b->len;
	}
	buf_free(b);
	return h;
}
