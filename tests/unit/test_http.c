/* test_http.c: src/http: the router, static URLs, response builders, and a real server
 * (http_start on 127.0.0.1, port 0) driven with libcurl: forms, multipart uploads, limits,
 * security headers and a graceful stop. No database is involved. */
#include "testlib.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "http/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>
#include <time.h>

/* ---- router ------------------------------------------------------------------------------ */

static void h_dummy(struct request *req, struct response *res)
{
	(void)req;
	(void)res;
}

static const struct route ROUTES[] = {
	{ "GET", "/", h_dummy, 1 },
	{ "GET", "/orgs", h_dummy, 2 },
	{ "GET", "/orgs/{slug}", h_dummy, 3 },
	{ "POST", "/orgs/{slug}", h_dummy, 4 },
	{ "POST", "/orgs/{slug}/members/{id}/role", h_dummy, 5 },
	{ "GET", "/orgs/new", h_dummy, 6 },   /* after {slug}: the first match wins */
	{ "GET", "/a/{p1}/{p2}/{p3}/{p4}/{p5}/{p6}/{p7}/{p8}/{p9}", h_dummy, 7 },
};

static enum route_match route(struct arena *a, struct request *req, const char *method,
			      const char *path, const struct route **out)
{
	memset(req, 0, sizeof(*req));
	req->arena = a;
	req->method = method;
	req->path = path;
	*out = NULL;
	return router_match(ROUTES, TL_ARRAY_LEN(ROUTES), req, out);
}

static void test_router_matches_literal_paths(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct request req;
	const struct route *r;
	assert_int_equal(route(a, &req, "GET", "/", &r), ROUTE_FOUND);
	assert_int_equal(r->flags, 1);
	assert_int_equal(req.nparams, 0);
	assert_int_equal(route(a, &req, "GET", "/orgs", &r), ROUTE_FOUND);
	assert_int_equal(r->flags, 2);
	assert_int_equal(route(a, &req, "GET", "/nowhere", &r), ROUTE_NO_PATH);
	assert_null(r);
	assert_int_equal(route(a, &req, "GET", "/org", &r), ROUTE_NO_PATH);
	assert_int_equal(route(a, &req, "GET", "/orgsx", &r), ROUTE_NO_PATH);
	assert_int_equal(route(a, &req, "GET", "", &r), ROUTE_NO_PATH);
	arena_free(a);
}

static void test_router_captures_params(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct request req;
	const struct route *r;
	assert_int_equal(route(a, &req, "GET", "/orgs/comite-des-fetes", &r), ROUTE_FOUND);
	assert_int_equal(r->flags, 3);
	assert_int_equal(req.nparams, 1);
	assert_string_equal(http_param(&req, "slug"), "comite-des-fetes");
	assert_null(http_param(&req, "id"));

	assert_int_equal(route(a, &req, "POST", "/orgs/club/members/42/role", &r), ROUTE_FOUND);
	assert_int_equal(r->flags, 5);
	assert_int_equal(req.nparams, 2);
	assert_string_equal(http_param(&req, "slug"), "club");
	assert_string_equal(http_param(&req, "id"), "42");

	/* The table's order decides: /orgs/new is taken by {slug} first. */
	assert_int_equal(route(a, &req, "GET", "/orgs/new", &r), ROUTE_FOUND);
	assert_int_equal(r->flags, 3);
	assert_string_equal(http_param(&req, "slug"), "new");
	/* A parameter never matches an empty segment. */
	assert_int_equal(route(a, &req, "GET", "/orgs/", &r), ROUTE_NO_PATH);
	assert_int_equal(req.nparams, 0);
	arena_free(a);
}

static void test_router_trailing_slash_does_not_match(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct request req;
	const struct route *r;
	assert_int_equal(route(a, &req, "GET", "/orgs/", &r), ROUTE_NO_PATH);
	assert_int_equal(route(a, &req, "GET", "/orgs/club/", &r), ROUTE_NO_PATH);
	assert_int_equal(route(a, &req, "GET", "//", &r), ROUTE_NO_PATH);
	assert_int_equal(route(a, &req, "GET", "/orgs//club", &r), ROUTE_NO_PATH);
	arena_free(a);
}

static void test_router_wrong_method_and_head(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct request req;
	const struct route *r;
	assert_int_equal(route(a, &req, "DELETE", "/orgs/club", &r), ROUTE_WRONG_METHOD);
	assert_null(r);
	assert_int_equal(req.nparams, 0);   /* nothing captured on a miss */
	assert_int_equal(route(a, &req, "POST", "/orgs", &r), ROUTE_WRONG_METHOD);
	assert_int_equal(route(a, &req, "GET", "/orgs/club/members/1/role", &r),
			 ROUTE_WRONG_METHOD);
	/* POST and GET on one path: each finds its own route. */
	assert_int_equal(route(a, &req, "POST", "/orgs/club", &r), ROUTE_FOUND);
	assert_int_equal(r->flags, 4);
	/* HEAD is answered by the GET route, never by a POST one. */
	assert_int_equal(route(a, &req, "HEAD", "/orgs/club", &r), ROUTE_FOUND);
	assert_int_equal(r->flags, 3);
	assert_string_equal(http_param(&req, "slug"), "club");
	assert_int_equal(route(a, &req, "HEAD", "/orgs/club/members/1/role", &r),
			 ROUTE_WRONG_METHOD);
	/* Methods are case-sensitive (RFC 9110). */
	assert_int_equal(route(a, &req, "get", "/orgs", &r), ROUTE_WRONG_METHOD);
	arena_free(a);
}

static void test_router_refuses_extra_segments_and_too_many_params(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct request req;
	const struct route *r;
	assert_int_equal(route(a, &req, "GET", "/orgs/club/extra", &r), ROUTE_NO_PATH);
	assert_int_equal(route(a, &req, "POST", "/orgs/club/members/42/role/x", &r),
			 ROUTE_NO_PATH);
	assert_int_equal(route(a, &req, "POST", "/orgs/club/members/42", &r), ROUTE_NO_PATH);
	/* Nine {params} exceed HTTP_MAX_ROUTE_PARAMS: such a route never matches. */
	assert_int_equal(route(a, &req, "GET", "/a/1/2/3/4/5/6/7/8/9", &r), ROUTE_NO_PATH);
	assert_int_equal(req.nparams, 0);
	arena_free(a);
}

/* ---- static files, response builders ------------------------------------------------------ */

static void test_static_url_is_versioned(void **state)
{
	(void)state;
	const char *u = static_url("css/kiosque.css");
	assert_true(strncmp(u, "/static/", 8) == 0);
	assert_non_null(strstr(u, "/static/css/kiosque.css?v="));
	const char *v = strstr(u, "?v=") + 3;
	assert_true(strlen(v) >= 8);
	for (const char *p = v; *p; p++)
		assert_non_null(strchr("0123456789abcdef", *p));
	/* Stable: the same content gives the same URL. */
	assert_string_equal(static_url("css/kiosque.css"), u);
	assert_string_not_equal(static_url("img/favicon.svg"), u);
	assert_string_equal(static_url("css/nope.css"), "/static/missing");
}

static void test_static_serve_sends_content_and_etag(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct request req = { 0 };
	struct response res = { 0 };
	req.arena = a;
	req.method = "GET";
	req.path = "/static/css/kiosque.css";
	assert_true(static_serve(&req, &res));
	assert_int_equal(res.status, 200);
	assert_string_equal(res.content_type, "text/css; charset=utf-8");
	assert_true(res.body.len > 0);
	bool etag = false, cache = false;
	for (int i = 0; i < res.nheaders; i++) {
		if (strcmp(res.headers[i].name, "ETag") == 0)
			etag = res.headers[i].value[0] == '"';
		if (strcmp(res.headers[i].name, "Cache-Control") == 0)
			cache = true;
	}
	assert_true(etag);
	assert_true(cache);
	buf_free(&res.body);

	struct response none = { 0 };
	req.path = "/static/css/../css/kiosque.css";
	assert_false(static_serve(&req, &none));
	req.path = "/static/";
	assert_false(static_serve(&req, &none));
	assert_int_equal(none.nheaders, 0);
	arena_free(a);
}

static const char *res_header(const struct response *res, const char *name, int nth)
{
	for (int i = 0; i < res->nheaders; i++)
		if (strcmp(res->headers[i].name, name) == 0 && nth-- == 0)
			return res->headers[i].value;
	return NULL;
}

static void test_set_header_refuses_cr_lf(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct response res = { 0 };
	http_set_header(&res, a, "X-Ok", "fine value");
	assert_int_equal(res.nheaders, 1);
	http_set_header(&res, a, "Location", "/x\r\nSet-Cookie: evil=1");
	http_set_header(&res, a, "Location", "/x\nSet-Cookie: evil=1");
	http_set_header(&res, a, "Location", "/x\rfoo");
	http_set_header(&res, a, "X-Bad\r\nInjected", "v");
	http_set_header(&res, a, "X-Null", NULL);
	assert_int_equal(res.nheaders, 1);
	assert_string_equal(res_header(&res, "X-Ok", 0), "fine value");
	assert_null(res_header(&res, "Location", 0));

	/* A redirect to a location with a line break is dropped, not sent. */
	struct response r2 = { 0 };
	http_redirect(&r2, a, "/ok?next=1");
	assert_int_equal(r2.status, 303);
	assert_string_equal(res_header(&r2, "Location", 0), "/ok?next=1");
	assert_int_equal(r2.body.len, 0);
	struct response r3 = { 0 };
	http_redirect(&r3, a, "/ok\r\nX: y");
	assert_null(res_header(&r3, "Location", 0));
	arena_free(a);
}

static void test_set_cookie_attributes(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct response res = { 0 };
	struct cookie_opts session = { .max_age = 0, .http_only = true, .secure = true };
	struct cookie_opts lasting = { .max_age = 86400 * 30, .http_only = true, .secure = false };
	struct cookie_opts del = { .max_age = -1, .http_only = false, .secure = false };
	http_set_cookie(&res, a, "sid", "abc123", &session);
	http_set_cookie(&res, a, "lang", "fr", &lasting);
	http_set_cookie(&res, a, "old", "", &del);
	assert_int_equal(res.nheaders, 3);

	const char *c = res_header(&res, "Set-Cookie", 0);
	assert_non_null(c);
	assert_true(strncmp(c, "sid=abc123;", 11) == 0);
	assert_non_null(strstr(c, "; HttpOnly"));
	assert_non_null(strstr(c, "; Secure"));
	assert_non_null(strstr(c, "; SameSite=Lax"));
	assert_non_null(strstr(c, "; Path=/"));
	assert_null(strstr(c, "Max-Age"));   /* a session cookie */

	c = res_header(&res, "Set-Cookie", 1);
	assert_true(strncmp(c, "lang=fr;", 8) == 0);
	assert_non_null(strstr(c, "; Max-Age=2592000"));
	assert_non_null(strstr(c, "; HttpOnly"));
	assert_null(strstr(c, "Secure"));
	assert_non_null(strstr(c, "; SameSite=Lax"));

	c = res_header(&res, "Set-Cookie", 2);
	assert_true(strncmp(c, "old=;", 5) == 0);
	assert_non_null(strstr(c, "; Max-Age=0"));
	assert_null(strstr(c, "HttpOnly"));
	arena_free(a);
}

static void test_text_sets_status_type_and_body(void **state)
{
	(void)state;
	struct response res = { 0 };
	buf_puts(&res.body, "previous content");
	http_text(&res, 404, "text/plain; charset=utf-8", "Introuvable.\n");
	assert_int_equal(res.status, 404);
	assert_string_equal(res.content_type, "text/plain; charset=utf-8");
	assert_string_equal(buf_str(&res.body), "Introuvable.\n");
	buf_free(&res.body);

	/* Without MHD behind it, a request has no headers, query or cookies. */
	struct request req = { 0 };
	const char *out[2];
	assert_null(http_header(&req, "Host"));
	assert_null(http_query(&req, "q"));
	assert_null(http_cookie(&req, "sid"));
	assert_int_equal(http_query_all(&req, "q", out, 2), 0);
	assert_null(http_form(&req, "x"));
	assert_null(http_file(&req, "x"));
}

/* ---- the in-process server ---------------------------------------------------------------- */

#define MAX_BODY (64 * 1024)
#define MAX_URL 512
#define MAX_FIELDS 100

static atomic_int slow_entered;

static void sha16(const void *p, size_t n, char out[17])
{
	char hex[65];
	crypto_sha256_hex(p, n, hex);
	memcpy(out, hex, 16);
	out[16] = 0;
}

/* Writes bytes so that every test can read them back on one line. */
static void put_escaped(struct buf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\\')
			buf_puts(b, "\\\\");
		else if (c == '\n')
			buf_puts(b, "\\n");
		else if (c == '\r')
			buf_puts(b, "\\r");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_putc(b, (char)c);
	}
}

static void h_echo(struct request *req, struct response *res)
{
	struct buf *b = &res->body;
	char sha[17];
	const char *tags[8];
	buf_printf(b, "method=%s\npath=%s\nct=%s\nremote=%s\n", req->method, req->path,
		   req->content_type, req->remote_addr);
	for (int i = 0; i < req->nparams; i++)
		buf_printf(b, "param %s=%s\n", req->params[i].name, req->params[i].value);
	const char *q = http_query(req, "q");
	buf_printf(b, "query q=%s\n", q ? q : "(null)");
	int ntags = http_query_all(req, "tag", tags, 8);
	buf_printf(b, "tags=%d", ntags);
	for (int i = 0; i < ntags; i++)
		buf_printf(b, " [%s]", tags[i]);
	buf_putc(b, '\n');
	const char *c = http_cookie(req, "sid"), *l = http_cookie(req, "lang");
	buf_printf(b, "cookie sid=%s lang=%s\n", c ? c : "(null)", l ? l : "(null)");
	const char *x = http_header(req, "X-Test");
	buf_printf(b, "header x-test=%s\n", x ? x : "(null)");
	for (int i = 0; i < req->nfields; i++) {
		const struct form_field *f = &req->fields[i];
		sha16(f->value, f->len, sha);
		if (f->filename) {
			buf_printf(b, "file %s filename=%s ct=%s len=%zu sha=%s\n", f->name,
				   f->filename, f->content_type ? f->content_type : "(null)", f->len,
				   sha);
		} else {
			buf_printf(b, "field %s len=%zu sha=%s value=", f->name, f->len, sha);
			put_escaped(b, f->value, f->len < 200 ? f->len : 200);
			buf_putc(b, '\n');
		}
	}
	/* The accessors agree with the list. */
	const char *title = http_form(req, "title");
	const struct form_field *photo = http_file(req, "photo");
	buf_printf(b, "lookup title=%s photo=%s photo-as-form=%s\n", title ? title : "(null)",
		   photo ? photo->filename : "(null)", http_form(req, "photo") ? "yes" : "no");
	if (req->body) {
		sha16(req->body, req->body_len, sha);
		buf_printf(b, "body len=%zu sha=%s\n", req->body_len, sha);
	}
	res->status = 200;
	res->content_type = "text/plain; charset=utf-8";
}

static void h_slow(struct request *req, struct response *res)
{
	(void)req;
	atomic_store(&slow_entered, 1);
	struct timespec ts = { 0, 300 * 1000000L };
	nanosleep(&ts, NULL);
	http_text(res, 200, "text/plain; charset=utf-8", "slow done\n");
}

static const struct route APP_ROUTES[] = {
	{ "GET", "/echo/{id}", h_echo, 0 },
	{ "POST", "/echo/{id}", h_echo, 0 },
	{ "GET", "/slow", h_slow, 0 },
};

static void app(struct request *req, struct response *res)
{
	const struct route *r;
	switch (router_match(APP_ROUTES, TL_ARRAY_LEN(APP_ROUTES), req, &r)) {
	case ROUTE_FOUND:
		r->handler(req, res);
		break;
	case ROUTE_WRONG_METHOD:
		http_text(res, 405, "text/plain; charset=utf-8", "Method not allowed.\n");
		break;
	default:
		http_text(res, 404, "text/plain; charset=utf-8", "Not found.\n");
		break;
	}
}

static struct http_config test_config(void)
{
	struct http_config cfg = { 0 };
	cfg.listen_addr = "127.0.0.1";
	cfg.port = 0;
	cfg.threads = 2;
	cfg.max_body = MAX_BODY;
	cfg.max_url = MAX_URL;
	cfg.max_fields = MAX_FIELDS;
	cfg.https = false;
	cfg.handler = app;
	return cfg;
}

struct srv {
	struct http_server *s;
	char base[64];
};

static int setup_server(void **state)
{
	struct srv *v = calloc(1, sizeof(*v));
	char err[256];
	struct http_config cfg = test_config();
	*state = v;
	v->s = http_start(&cfg, err, sizeof(err));
	if (!v->s) {
		fprintf(stderr, "http_start: %s\n", err);
		return -1;
	}
	snprintf(v->base, sizeof(v->base), "http://127.0.0.1:%u", (unsigned)http_port(v->s));
	return 0;
}

static int teardown_server(void **state)
{
	struct srv *v = *state;
	if (v) {
		http_stop(v->s);
		free(v);
	}
	return 0;
}

/* ---- a small libcurl client ---- */

struct reply {
	long status;
	struct buf body;
	struct buf headers;
	CURLcode rc;
};

static size_t on_body(char *p, size_t size, size_t n, void *cls)
{
	buf_append(cls, p, size * n);
	return size * n;
}

static CURL *client(struct srv *v, const char *path, struct reply *r)
{
	char url[4096];
	CURL *c = curl_easy_init();
	assert_non_null(c);
	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s%s", v->base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	return c;
}

static void perform(CURL *c, struct reply *r)
{
	r->rc = curl_easy_perform(c);
	if (r->rc != CURLE_OK)
		fail_msg("curl: %s", curl_easy_strerror(r->rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(c);
}

static void reply_free(struct reply *r)
{
	buf_free(&r->body);
	buf_free(&r->headers);
}

/* Value of the last response header `name` (case-insensitive), in a static buffer. */
static const char *header_of(const struct reply *r, const char *name)
{
	static char val[2048];
	const char *p = buf_str(&r->headers), *found = NULL;
	size_t n = strlen(name);
	while (*p) {
		const char *eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			found = p + n + 1;
		p = *eol ? eol + 1 : eol;
	}
	if (!found)
		return NULL;
	while (*found == ' ')
		found++;
	size_t len = strcspn(found, "\r\n");
	if (len >= sizeof(val))
		len = sizeof(val) - 1;
	memcpy(val, found, len);
	val[len] = 0;
	return val;
}

static bool has_line(const struct reply *r, const char *line)
{
	const char *body = buf_str(&r->body);
	size_t n = strlen(line);
	for (const char *p = body; (p = strstr(p, line)); p++)
		if ((p == body || p[-1] == '\n') && (p[n] == '\n' || p[n] == 0))
			return true;
	return false;
}

#define assert_line(r, line)                                                               \
	do {                                                                               \
		if (!has_line((r), (line)))                                                \
			fail_msg("line \"%s\" not in the reply:\n%s", (line), buf_str(&(r)->body)); \
	} while (0)

static void assert_security_headers(const struct reply *r)
{
	const char *csp = header_of(r, "Content-Security-Policy");
	if (!csp)
		fail_msg("no Content-Security-Policy on a %ld response", r->status);
	assert_null(strstr(csp, "unsafe-inline"));
	assert_null(strstr(csp, "unsafe-eval"));
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_non_null(strstr(csp, "default-src 'self'"));
	const char *nosniff = header_of(r, "X-Content-Type-Options");
	assert_non_null(nosniff);
	assert_string_equal(nosniff, "nosniff");
	assert_non_null(header_of(r, "Referrer-Policy"));
	/* Plain http: no HSTS. */
	assert_null(header_of(r, "Strict-Transport-Security"));
}

/* Bytes 0..255 over and over, so NULs and every other value appear. */
static unsigned char *pattern(size_t n, unsigned seed)
{
	unsigned char *p = malloc(n ? n : 1);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)((i * 31 + seed) % 256);
	return p;
}

static char *text_pattern(size_t n)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char *p = malloc(n + 1);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = alnum[(i * 7 + i / 62) % 62];
	p[n] = 0;
	return p;
}

/* ---- server tests ---- */

static void test_get_echoes_params_query_cookies_and_headers(void **state)
{
	struct srv *v = *state;
	struct reply r;
	CURL *c = client(v, "/echo/abc%20d?q=caf%C3%A9+au+lait&tag=a&tag=b%26c&tag=&other=1",
			 &r);
	struct curl_slist *h = curl_slist_append(NULL, "X-Test: bonjour");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_COOKIE, "sid=tok123; lang=fr");
	perform(c, &r);
	curl_slist_free_all(h);
	assert_int_equal(r.status, 200);
	assert_line(&r, "method=GET");
	assert_line(&r, "path=/echo/abc d");
	assert_line(&r, "param id=abc d");
	assert_line(&r, "remote=127.0.0.1");
	assert_line(&r, "ct=");
	assert_line(&r, "query q=café au lait");
	assert_line(&r, "tags=3 [a] [b&c] []");
	assert_line(&r, "cookie sid=tok123 lang=fr");
	assert_line(&r, "header x-test=bonjour");
	assert_string_equal(header_of(&r, "Content-Type"), "text/plain; charset=utf-8");
	assert_security_headers(&r);
	reply_free(&r);
}

static void test_urlencoded_body_decodes_utf8_escapes_and_plus(void **state)
{
	struct srv *v = *state;
	struct reply r;
	CURL *c = client(v, "/echo/form", &r);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS,
			 "name=Comit%C3%A9+des+f%C3%AAtes&note=a%26b%3Dc%2B1&raw=\xc3\xa9t\xc3\xa9"
			 "&title=Titre&multi=1&multi=2&last=fin");
	perform(c, &r);
	assert_int_equal(r.status, 200);
	assert_line(&r, "method=POST");
	assert_line(&r, "ct=application/x-www-form-urlencoded");
	assert_non_null(strstr(buf_str(&r.body), "field name len=18 "));
	assert_non_null(strstr(buf_str(&r.body), "value=Comité des fêtes\n"));
	assert_non_null(strstr(buf_str(&r.body), "value=a&b=c+1\n"));
	assert_non_null(strstr(buf_str(&r.body), "field raw len=5 "));
	assert_non_null(strstr(buf_str(&r.body), "field last len=3 "));
	assert_line(&r, "lookup title=Titre photo=(null) photo-as-form=no");
	/* A repeated key gives one field per value, in order. */
	const char *m1 = strstr(buf_str(&r.body), "field multi len=1 ");
	assert_non_null(m1);
	assert_non_null(strstr(m1, "value=1\n"));
	assert_non_null(strstr(m1 + 1, "field multi len=1 "));
	assert_null(strstr(buf_str(&r.body), "body len="));   /* a form is not a raw body */
	assert_security_headers(&r);
	reply_free(&r);
}

static void test_urlencoded_empty_value_is_a_field(void **state)
{
	struct srv *v = *state;
	struct reply r;
	CURL *c = client(v, "/echo/form", &r);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "title=&after=x");
	perform(c, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(buf_str(&r.body), "field after len=1 "));
	/* A field emptied by the user must reach the handler as "" (to clear a value). */
	assert_non_null(strstr(buf_str(&r.body), "field title len=0 "));
	assert_line(&r, "lookup title= photo=(null) photo-as-form=no");
	reply_free(&r);
}

static void test_multipart_text_fields_and_binary_file(void **state)
{
	struct srv *v = *state;
	struct reply r;
	char sha[17], line[256];
	const size_t flen = 3000;
	unsigned char *file = pattern(flen, 0);   /* starts with a NUL, has many */
	CURL *c = client(v, "/echo/upload", &r);
	curl_mime *mime = curl_mime_init(c);
	curl_mimepart *part = curl_mime_addpart(mime);
	curl_mime_name(part, "title");
	curl_mime_data(part, "Fête de la musique", CURL_ZERO_TERMINATED);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "body");
	curl_mime_data(part, "ligne 1\r\nligne 2", CURL_ZERO_TERMINATED);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "photo");
	curl_mime_filename(part, "photo été.png");
	curl_mime_type(part, "image/png");
	curl_mime_data(part, (const char *)file, flen);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	perform(c, &r);
	curl_mime_free(mime);
	assert_int_equal(r.status, 200);
	assert_line(&r, "ct=multipart/form-data");
	assert_non_null(strstr(buf_str(&r.body), "value=Fête de la musique\n"));
	assert_non_null(strstr(buf_str(&r.body), "field body len=16 "));
	assert_non_null(strstr(buf_str(&r.body), "value=ligne 1\\r\\nligne 2\n"));
	sha16(file, flen, sha);
	snprintf(line, sizeof(line), "file photo filename=photo été.png ct=image/png len=%zu sha=%s",
		 flen, sha);
	assert_line(&r, line);
	assert_line(&r, "lookup title=Fête de la musique photo=photo été.png photo-as-form=no");
	free(file);
	reply_free(&r);
}

static void test_urlencoded_field_over_16k_arrives_whole(void **state)
{
	struct srv *v = *state;
	struct reply r;
	char sha[17], line[128];
	const size_t n = 40000;
	char *big = text_pattern(n);
	struct buf body = BUF_INIT;
	buf_puts(&body, "before=1&big=");
	buf_puts(&body, big);
	buf_puts(&body, "&after=2");
	CURL *c = client(v, "/echo/big", &r);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, buf_str(&body));
	perform(c, &r);
	assert_int_equal(r.status, 200);
	sha16(big, n, sha);
	snprintf(line, sizeof(line), "field big len=%zu sha=%s value=", n, sha);
	assert_non_null(strstr(buf_str(&r.body), line));
	assert_non_null(strstr(buf_str(&r.body), "field before len=1 "));
	assert_non_null(strstr(buf_str(&r.body), "field after len=1 "));
	/* Exactly three fields: no piece of the big one became a field of its own. */
	int fields = 0;
	for (const char *p = buf_str(&r.body); (p = strstr(p, "\nfield ")); p++)
		fields++;
	assert_int_equal(fields, 3);
	free(big);
	buf_free(&body);
	reply_free(&r);
}

static void test_multipart_field_and_file_over_16k_arrive_whole(void **state)
{
	struct srv *v = *state;
	struct reply r;
	char sha[17], line[256];
	const size_t tn = 20000, fn = 40000;
	char *text = text_pattern(tn);
	unsigned char *file = pattern(fn, 7);
	CURL *c = client(v, "/echo/bigupload", &r);
	curl_mime *mime = curl_mime_init(c);
	curl_mimepart *part = curl_mime_addpart(mime);
	curl_mime_name(part, "text");
	curl_mime_data(part, text, tn);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "photo");
	curl_mime_filename(part, "big.bin");
	curl_mime_type(part, "application/octet-stream");
	curl_mime_data(part, (const char *)file, fn);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "title");
	curl_mime_data(part, "after the file", CURL_ZERO_TERMINATED);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	perform(c, &r);
	curl_mime_free(mime);
	assert_int_equal(r.status, 200);
	sha16(text, tn, sha);
	snprintf(line, sizeof(line), "field text len=%zu sha=%s value=", tn, sha);
	assert_non_null(strstr(buf_str(&r.body), line));
	sha16(file, fn, sha);
	snprintf(line, sizeof(line), "file photo filename=big.bin ct=application/octet-stream"
		 " len=%zu sha=%s", fn, sha);
	assert_line(&r, line);
	assert_line(&r, "lookup title=after the file photo=big.bin photo-as-form=no");
	free(text);
	free(file);
	reply_free(&r);
}

static void test_json_body_arrives_raw(void **state)
{
	struct srv *v = *state;
	struct reply r;
	char sha[17], line[128];
	const size_t n = 30000;
	char *json = malloc(n + 1);
	assert_non_null(json);
	memset(json, ' ', n);
	memcpy(json, "{\"a\":\"\\u0000é\",", 16);
	memcpy(json + n - 2, "}\n", 2);
	json[n] = 0;
	CURL *c = client(v, "/echo/api", &r);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: Application/JSON; charset=utf-8");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
	perform(c, &r);
	curl_slist_free_all(h);
	assert_int_equal(r.status, 200);
	assert_line(&r, "ct=application/json");
	sha16(json, n, sha);
	snprintf(line, sizeof(line), "body len=%zu sha=%s", n, sha);
	assert_line(&r, line);
	free(json);
	reply_free(&r);
}

static void test_body_over_max_body_with_content_length_gets_413(void **state)
{
	struct srv *v = *state;
	struct reply r;
	const size_t n = MAX_BODY + 1;
	char *big = text_pattern(n);
	memcpy(big, "big=", 4);
	CURL *c = client(v, "/echo/too-big", &r);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, big);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
	perform(c, &r);
	assert_int_equal(r.status, 413);
	assert_null(strstr(buf_str(&r.body), "method="));   /* the handler never ran */
	assert_security_headers(&r);
	reply_free(&r);

	/* Exactly max_body is still accepted. */
	c = client(v, "/echo/at-limit", &r);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, big);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)(n - 1));
	perform(c, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);

	/* A raw (JSON) body too. */
	c = client(v, "/echo/too-big-json", &r);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, big);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
	perform(c, &r);
	curl_slist_free_all(h);
	assert_int_equal(r.status, 413);
	reply_free(&r);
	free(big);
}

struct chunked_src {
	size_t left, sent;
};

static size_t chunked_read(char *p, size_t size, size_t n, void *cls)
{
	struct chunked_src *s = cls;
	size_t k = size * n;
	if (k > 4000)
		k = 4000;   /* many small chunks */
	if (k > s->left)
		k = s->left;
	for (size_t i = 0; i < k; i++)
		p[i] = (s->sent + i) == 0 ? 'x' : (s->sent + i == 1 ? '=' : 'a');
	s->left -= k;
	s->sent += k;
	return k;
}

static void chunked_post(struct srv *v, const char *path, size_t n, struct reply *r)
{
	struct chunked_src src = { n, 0 };
	CURL *c = client(v, path, r);
	struct curl_slist *h = curl_slist_append(NULL, "Transfer-Encoding: chunked");
	h = curl_slist_append(h, "Content-Type: application/x-www-form-urlencoded");
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, chunked_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &src);
	perform(c, r);
	curl_slist_free_all(h);
}

static void test_chunked_body_over_max_body_gets_413(void **state)
{
	struct srv *v = *state;
	struct reply r;
	chunked_post(v, "/echo/chunked-small", 10000, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(buf_str(&r.body), "field x len=9998 "));
	reply_free(&r);

	chunked_post(v, "/echo/chunked-big", 3 * MAX_BODY, &r);
	assert_int_equal(r.status, 413);
	assert_null(strstr(buf_str(&r.body), "method="));
	assert_security_headers(&r);
	reply_free(&r);
}

static void test_too_many_fields_gets_413(void **state)
{
	struct srv *v = *state;
	struct reply r;
	struct buf body = BUF_INIT;
	for (int i = 0; i < MAX_FIELDS + 20; i++)
		buf_printf(&body, "%sf%d=%d", i ? "&" : "", i, i);
	CURL *c = client(v, "/echo/fields", &r);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, buf_str(&body));
	perform(c, &r);
	assert_int_equal(r.status, 413);
	reply_free(&r);
	buf_free(&body);
}

static void test_security_headers_on_every_response(void **state)
{
	struct srv *v = *state;
	struct reply r;
	perform(client(v, "/echo/x", &r), &r);
	assert_int_equal(r.status, 200);
	assert_security_headers(&r);
	reply_free(&r);

	perform(client(v, "/nowhere", &r), &r);
	assert_int_equal(r.status, 404);
	assert_security_headers(&r);
	reply_free(&r);

	CURL *c = client(v, "/echo/x", &r);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
	perform(c, &r);
	assert_int_equal(r.status, 405);
	assert_security_headers(&r);
	reply_free(&r);
}

static void test_head_is_answered_by_the_get_route(void **state)
{
	struct srv *v = *state;
	struct reply r;
	CURL *c = client(v, "/echo/x", &r);
	curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	perform(c, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body.len, 0);
	assert_security_headers(&r);
	reply_free(&r);
}

static void test_url_over_max_url_gets_414(void **state)
{
	struct srv *v = *state;
	struct reply r;
	char path[MAX_URL + 200];
	memcpy(path, "/echo/", 6);
	memset(path + 6, 'p', sizeof(path) - 7);
	path[sizeof(path) - 1] = 0;
	perform(client(v, path, &r), &r);
	assert_int_equal(r.status, 414);
	assert_null(strstr(buf_str(&r.body), "method="));
	assert_security_headers(&r);
	reply_free(&r);

	/* Just under the limit is served. */
	path[MAX_URL - 10] = 0;
	perform(client(v, path, &r), &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

static void test_query_over_max_url_gets_414(void **state)
{
	struct srv *v = *state;
	struct reply r;
	char path[MAX_URL + 200];
	memcpy(path, "/echo/q?q=", 10);
	memset(path + 10, 'q', sizeof(path) - 11);
	path[sizeof(path) - 1] = 0;
	perform(client(v, path, &r), &r);
	assert_int_equal(r.status, 414);
	assert_security_headers(&r);
	reply_free(&r);
}

static void test_start_refuses_a_bad_address(void **state)
{
	(void)state;
	char err[256] = "";
	struct http_config cfg = test_config();
	cfg.listen_addr = "not-an-address";
	assert_null(http_start(&cfg, err, sizeof(err)));
	assert_true(strlen(err) > 10);
	http_stop(NULL);   /* accepted */
}

static void test_start_refuses_a_port_in_use(void **state)
{
	struct srv *v = *state;
	char err[256] = "";
	struct http_config cfg = test_config();
	cfg.port = http_port(v->s);
	struct http_server *second = http_start(&cfg, err, sizeof(err));
	if (second)
		http_stop(second);
	assert_null(second);
	assert_true(strlen(err) > 10);
}

struct slow_client {
	struct srv *v;
	struct reply r;
};

static void *slow_main(void *arg)
{
	struct slow_client *s = arg;
	CURL *c = client(s->v, "/slow", &s->r);
	s->r.rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &s->r.status);
	curl_easy_cleanup(c);
	return NULL;
}

static void test_stop_lets_a_request_in_flight_finish(void **state)
{
	(void)state;
	char err[256];
	struct http_config cfg = test_config();
	struct srv v = { 0 };
	v.s = http_start(&cfg, err, sizeof(err));
	assert_non_null(v.s);
	snprintf(v.base, sizeof(v.base), "http://127.0.0.1:%u", (unsigned)http_port(v.s));

	atomic_store(&slow_entered, 0);
	struct slow_client sc = { .v = &v };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, slow_main, &sc), 0);
	/* Wait until the handler runs (a bound, not a timing assertion). */
	for (int i = 0; i < 2000 && !atomic_load(&slow_entered); i++) {
		struct timespec ts = { 0, 5 * 1000000L };
		nanosleep(&ts, NULL);
	}
	assert_true(atomic_load(&slow_entered));
	http_stop(v.s);   /* the handler is still sleeping */
	pthread_join(th, NULL);
	if (sc.r.rc != CURLE_OK)
		fail_msg("the request in flight was cut: %s", curl_easy_strerror(sc.r.rc));
	assert_int_equal(sc.r.status, 200);
	assert_string_equal(buf_str(&sc.r.body), "slow done\n");
	reply_free(&sc.r);
}

int main(void)
{
	if (!crypto_init() || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "init failed\n");
		return 1;
	}
	static_init("assets/");
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_router_matches_literal_paths),
		cmocka_unit_test(test_router_captures_params),
		cmocka_unit_test(test_router_trailing_slash_does_not_match),
		cmocka_unit_test(test_router_wrong_method_and_head),
		cmocka_unit_test(test_router_refuses_extra_segments_and_too_many_params),
		cmocka_unit_test(test_static_url_is_versioned),
		cmocka_unit_test(test_static_serve_sends_content_and_etag),
		cmocka_unit_test(test_set_header_refuses_cr_lf),
		cmocka_unit_test(test_set_cookie_attributes),
		cmocka_unit_test(test_text_sets_status_type_and_body),
		cmocka_unit_test(test_start_refuses_a_bad_address),
		cmocka_unit_test(test_stop_lets_a_request_in_flight_finish),
	};
	const struct CMUnitTest server[] = {
		cmocka_unit_test(test_get_echoes_params_query_cookies_and_headers),
		cmocka_unit_test(test_urlencoded_body_decodes_utf8_escapes_and_plus),
		cmocka_unit_test(test_urlencoded_empty_value_is_a_field),
		cmocka_unit_test(test_multipart_text_fields_and_binary_file),
		cmocka_unit_test(test_urlencoded_field_over_16k_arrives_whole),
		cmocka_unit_test(test_multipart_field_and_file_over_16k_arrive_whole),
		cmocka_unit_test(test_json_body_arrives_raw),
		cmocka_unit_test(test_body_over_max_body_with_content_length_gets_413),
		cmocka_unit_test(test_chunked_body_over_max_body_gets_413),
		cmocka_unit_test(test_too_many_fields_gets_413),
		cmocka_unit_test(test_security_headers_on_every_response),
		cmocka_unit_test(test_head_is_answered_by_the_get_route),
		cmocka_unit_test(test_url_over_max_url_gets_414),
		cmocka_unit_test(test_query_over_max_url_gets_414),
		cmocka_unit_test(test_start_refuses_a_port_in_use),
	};
	int failed = 0;
	TL_RUN_GROUP(failed, "http/unit", unit, NULL, NULL);
	TL_RUN_GROUP(failed, "http/server", server, setup_server, teardown_server);
	curl_global_cleanup();
	return TL_EXIT(failed);
}
