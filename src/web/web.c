/* web.c: helpers shared by page handlers: translation, error pages, flash redirects, cookies */
#include "web/web.h"
#include "web/views/views.h"
#include "core/uploads.h"
#include "base/i18n.h"
#include "base/str.h"
#include <string.h>

const char *web_t(struct request *req, const char *key)
{
	struct web *w = req->app;
	return i18n_get(w ? w->lang : "fr", key);
}

void web_error(struct request *req, struct response *res, enum kq_err e)
{
	int status = err_http_status(e);
	buf_reset(&res->body);
	res->status = status;
	res->content_type = "text/html; charset=utf-8";
	view_error_page(&res->body, req, status, err_msg_key(e));
}

void web_cookie(struct request *req, struct response *res, const char *name, const char *value,
		int64_t max_age, bool http_only)
{
	struct web *w = req->app;
	struct cookie_opts o = { max_age, http_only, w && w->https };
	http_set_cookie(res, req->arena, name, value, &o);
}

void web_redirect_flash(struct request *req, struct response *res, const char *location,
			const char *kind, const char *key)
{
	if (kind && key)
		web_cookie(req, res, "kq_flash", arena_printf(req->arena, "%s.%s", kind, key), 300,
			   true);
	http_redirect(res, req->arena, location);
}

const char *web_safe_next(const char *next, const char *fallback)
{
	/* Only a local path: "//evil.example" and "/\evil" would leave the site. */
	if (next && next[0] == '/' && next[1] != '/' && next[1] != '\\' && !strpbrk(next, "\r\n"))
		return next;
	return fallback;
}

void web_send_upload(struct request *req, struct response *res, const struct upload *u)
{
	const char *etag = arena_printf(req->arena, "\"%s\"", u->sha256);
	const char *v = http_query(req, "v");
	/* A URL that names this version's hash never changes; a bare one is rechecked. */
	bool versioned = v && strlen(v) >= 8 && strncmp(u->sha256, v, strlen(v)) == 0;
	http_set_header(res, req->arena, "ETag", etag);
	http_set_header(res, req->arena, "Cache-Control",
			versioned ? "public, max-age=31536000, immutable" : "public, max-age=300");
	const char *inm = http_header(req, "If-None-Match");
	if (inm && (strcmp(inm, etag) == 0 || strcmp(inm, "*") == 0)) {
		res->status = 304;
		return;
	}
	res->status = 200;
	res->content_type = u->content_type;
	buf_append(&res->body, u->bytes, u->size);
}
