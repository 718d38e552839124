/* response.c: headers, cookies, redirects; nothing that reaches a header may carry CR or LF */
#include "http.h"
#include "../base/log.h"
#include <inttypes.h>
#include <string.h>

static bool header_safe(const char *s)
{
	return s && !strpbrk(s, "\r\n");
}

void http_set_header(struct response *res, struct arena *a, const char *name, const char *value)
{
	if (!header_safe(name) || !header_safe(value)) {
		/* The name is not logged: it could carry the line break itself. */
		log_warn("http: dropped a response header with a line break");
		return;
	}
	if (res->nheaders >= HTTP_MAX_HEADERS) {
		KQ_BUG("too many response headers");
		return;
	}
	res->headers[res->nheaders].name = arena_strdup(a, name);
	res->headers[res->nheaders].value = arena_strdup(a, value);
	res->nheaders++;
}

void http_set_cookie(struct response *res, struct arena *a, const char *name, const char *value,
		     const struct cookie_opts *o)
{
	/* Cookie values we set are our own tokens and short preferences; refuse
	 * anything that could break out of the header. */
	if (strpbrk(value, ";,\r\n \"\\")) {
		KQ_BUG("cookie value with a separator");
		return;
	}
	char *h = arena_printf(a, "%s=%s; Path=/; SameSite=Lax%s%s", name, value,
			       o->http_only ? "; HttpOnly" : "", o->secure ? "; Secure" : "");
	if (o->max_age > 0)
		h = arena_printf(a, "%s; Max-Age=%" PRId64, h, o->max_age);
	else if (o->max_age < 0)
		h = arena_printf(a, "%s; Max-Age=0", h);
	http_set_header(res, a, "Set-Cookie", h);
}

void http_redirect(struct response *res, struct arena *a, const char *location)
{
	res->status = 303;
	http_set_header(res, a, "Location", location);
	buf_reset(&res->body);
}

void http_text(struct response *res, int status, const char *content_type, const char *text)
{
	res->status = status;
	res->content_type = content_type;
	buf_reset(&res->body);
	buf_puts(&res->body, text);
}
