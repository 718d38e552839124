/* markdown.c: Markdown to HTML with cmark's safe defaults, for pages and for HTML stored at save time */
#include "markdown.h"
#include "base/log.h"
#include <cmark.h>
#include <stdlib.h>
#include <string.h>

const char *markdown_to_html(struct arena *a, const char *md)
{
	if (!md || !*md)
		return "";
	char *html = cmark_markdown_to_html(md, strlen(md),
					    CMARK_OPT_DEFAULT | CMARK_OPT_SMART | CMARK_OPT_VALIDATE_UTF8);
	if (!html) {   /* cmark's allocator aborts on OOM: not expected */
		KQ_BUG("cmark_markdown_to_html returned NULL");
		return "";
	}
	const char *out = arena_strdup(a, html);
	free(html);
	return out;
}
