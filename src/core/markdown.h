/* markdown.h: the one Markdown renderer (cmark in safe mode); pages and stored HTML both come from it */
#ifndef KQ_MARKDOWN_H
#define KQ_MARKDOWN_H
#include "base/arena.h"

/* HTML of md in a ("" for NULL or empty). cmark >= 0.29 is safe by default:
 * raw HTML and javascript: links are dropped. Never CMARK_OPT_UNSAFE: what
 * this returns reaches pages unescaped (as struct safe_html, web/html.h). */
const char *markdown_to_html(struct arena *a, const char *md);

#endif
