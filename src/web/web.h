/* web.h: the pages' per-request context and the helpers every page handler uses */
#ifndef KQ_WEB_H
#define KQ_WEB_H
#include <stdbool.h>
#include "core/core.h"
#include "http/http.h"
#include "web/html.h"

/* Route flags, checked once by the dispatcher (routes.c). */
enum {
	R_AUTH = 1 << 0,    /* must be logged in: otherwise redirect to the log-in page */
	R_CSRF = 1 << 1,    /* state-changing form: the _csrf field must match the cookie */
};

struct web {
	struct db *db;              /* this thread's connection */
	struct actor actor;         /* account_id 0 for a visitor */
	const char *session_token;  /* NULL for a visitor */
	const char *csrf;           /* the token every form carries */
	const char *lang;           /* "fr" | "en" */
	bool large_text;
	const char *flash_kind;     /* "success" | "error" | "info", or NULL */
	const char *flash_key;      /* catalog key of the message */
	const char *nav;            /* current section: "home", "directory", ... */
	bool https;
	const char *territory_name;  /* for the header */
};

static inline struct web *web_of(struct request *req)
{
	return req->app;
}

/* Translation in the request's language. */
const char *web_t(struct request *req, const char *key);
/* Shows the error page for e (status from the registry). */
void web_error(struct request *req, struct response *res, enum kq_err e);
/* Redirects with a message shown once on the next page (key from the catalog). */
void web_redirect_flash(struct request *req, struct response *res, const char *location,
			const char *kind, const char *key);
/* Sets a cookie with the site's defaults (Secure behind https). */
void web_cookie(struct request *req, struct response *res, const char *name, const char *value,
		int64_t max_age, bool http_only);
/* A local path to go back to after an action ("/..." only), else fallback. */
const char *web_safe_next(const char *next, const char *fallback);

/* The one table of page routes, and the dispatcher the server calls. */
/* territory_name is copied; shown in every page's header. */
void web_init(bool https, const char *territory_name);
void web_handle(struct request *req, struct response *res);
void web_complete(struct request *req, int status);
/* The page (or JSON error under /api/) for a refusal of the transport layer. */
void web_refuse(struct request *req, struct response *res, int status);

/* Sends an uploaded image (logo, event or campaign picture, post image):
 * ETag from its hash, cached for good when the URL names that hash
 * (?v=<hash prefix>), else rechecked after five minutes; 304 when the
 * browser has it. The type was sniffed from the bytes at upload. */
struct upload;
void web_send_upload(struct request *req, struct response *res, const struct upload *u);

#endif
