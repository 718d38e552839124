/* http.h: the transport layer's request and response, built on libmicrohttpd.
 *
 * A request owns an arena: every string reachable from it (path, form
 * fields, route parameters) lives there and dies in MHD's completion
 * callback. A response body is a heap buffer handed to MHD, which frees it;
 * nothing MHD keeps points into the arena. This layer knows nothing of
 * accounts, pages or the database: the application plugs in a handler. */
#ifndef KQ_HTTP_H
#define KQ_HTTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../base/arena.h"
#include "../base/buf.h"

#define HTTP_MAX_ROUTE_PARAMS 8
#define HTTP_MAX_HEADERS 24

/* One form field, from an urlencoded or multipart body. Files carry a
 * filename and the content type the client claimed (never trusted). */
struct form_field {
	const char *name;
	char *value;          /* NUL-terminated; may contain NULs for files (use len) */
	size_t len;
	const char *filename; /* NULL for plain fields */
	const char *content_type;
};

struct request {
	struct arena *arena;
	const char *method;
	const char *path;          /* percent-decoded by MHD */
	const char *remote_addr;
	const char *content_type;  /* without parameters, lower-case; "" when absent */
	struct form_field *fields;
	int nfields;
	char *body;                /* raw body when it is not a form (JSON API) */
	size_t body_len;
	struct {
		const char *name, *value;
	} params[HTTP_MAX_ROUTE_PARAMS];
	int nparams;
	void *conn;                /* struct MHD_Connection *, for header and query lookups */
	void *app;                 /* the application's per-request state */
	int64_t started_us;
};

struct response {
	int status;
	const char *content_type;  /* default "text/html; charset=utf-8" */
	struct buf body;
	struct {
		const char *name, *value;
	} headers[HTTP_MAX_HEADERS];
	int nheaders;
};

typedef void (*http_handler)(struct request *req, struct response *res);

/* Request accessors: NULL when absent. Strings live in req's arena or MHD's
 * connection memory, both valid for the request's life. */
const char *http_header(struct request *req, const char *name);
const char *http_query(struct request *req, const char *name);
const char *http_cookie(struct request *req, const char *name);
const char *http_form(struct request *req, const char *name);  /* plain fields only */
const struct form_field *http_file(struct request *req, const char *name);
const char *http_param(struct request *req, const char *name);  /* route {name} */
/* Collects every value of a repeated query key, in order; returns how many. */
int http_query_all(struct request *req, const char *name, const char **out, int max);

/* Response builders. Header values with CR or LF are refused (logged, dropped). */
void http_set_header(struct response *res, struct arena *a, const char *name, const char *value);
struct cookie_opts {
	int64_t max_age;     /* seconds; 0 = session cookie; <0 = delete */
	bool http_only;
	bool secure;
};
void http_set_cookie(struct response *res, struct arena *a, const char *name, const char *value,
		     const struct cookie_opts *o);
/* 303 See Other to a local path (or absolute URL built by us). */
void http_redirect(struct response *res, struct arena *a, const char *location);
void http_text(struct response *res, int status, const char *content_type, const char *text);

/* Routing: patterns are literal segments and {name} segments. */
struct route {
	const char *method;    /* "GET" also answers HEAD */
	const char *pattern;
	http_handler handler;
	unsigned flags;        /* the application's meaning (session, CSRF...) */
};
enum route_match { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_WRONG_METHOD };
/* On ROUTE_FOUND fills req->params and *out. */
enum route_match router_match(const struct route *routes, size_t n, struct request *req,
			      const struct route **out);

/* Static files compiled into the binary, under prefix (e.g. "assets/"),
 * served at /static/... with a strong ETag and Cache-Control. */
void static_init(const char *embedded_prefix);
bool static_serve(struct request *req, struct response *res);
/* "/static/css/kiosque.css?v=<etag>" for a path under the prefix; the version
 * makes the URL immutable, so browsers may cache it for a year. */
const char *static_url(const char *path);

struct http_config {
	const char *listen_addr;   /* "127.0.0.1" */
	uint16_t port;
	unsigned threads;
	size_t max_body;           /* bytes; past it: 413 */
	size_t max_url;            /* bytes; past it: 414 */
	size_t max_fields;
	bool https;                /* base URL is https: HSTS, Secure cookies */
	const char *img_src_extra; /* one more origin allowed for images (map tiles); "" or NULL: none */
	http_handler handler;
	/* Called with the status when a request completes (access log, checks). */
	void (*complete)(struct request *req, int status);
	/* Dresses a refusal made before any handler ran (400 malformed, 413 too
	 * large, 414 address too long); NULL: a line of plain text. */
	void (*refuse)(struct request *req, struct response *res, int status);
};

struct http_server;
/* Starts listening; NULL with one sentence in err on failure. */
struct http_server *http_start(const struct http_config *cfg, char *err, size_t errlen);
/* Stops accepting, lets requests in flight finish, then returns. */
void http_stop(struct http_server *s);
/* The port actually bound (useful with port 0). */
uint16_t http_port(const struct http_server *s);

#endif
