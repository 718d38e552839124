/* server.c: the libmicrohttpd daemon, request set-up, body collection and hand-off.
 *
 * MHD calls access_cb several times per request: the first call only sets up
 * the request context (queueing on the first call of a GET makes MHD close
 * every connection, see STYLE.md); further calls feed the body to MHD's
 * post processor (forms, multipart) or to a raw buffer (JSON); the last call
 * runs the application's handler and queues its response. completed_cb frees
 * the arena, also when the client went away mid-upload. */
#include "http.h"
#include "../base/log.h"
#include "../base/str.h"
#include "../base/xalloc.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

struct http_server {
	struct MHD_Daemon *d;
	struct http_config cfg;
	char csp[512];
	atomic_int in_flight;
};

struct ctx {
	struct request req;
	struct http_server *srv;
	struct MHD_PostProcessor *pp;
	size_t received;
	int capfields;
	bool too_large;
	bool bad_body;
	int status;
};

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *filename, const char *content_type,
				 const char *transfer_encoding, const char *data, uint64_t off,
				 size_t size)
{
	struct ctx *c = cls;
	struct request *r = &c->req;
	struct form_field *f;
	(void)kind;
	(void)transfer_encoding;

	/* A value longer than MHD's buffer arrives in pieces: off > 0 continues the last field. */
	if (off > 0 && r->nfields > 0 && strcmp(r->fields[r->nfields - 1].name, key) == 0) {
		f = &r->fields[r->nfields - 1];
		char *v = arena_alloc(r->arena, f->len + size + 1);
		memcpy(v, f->value, f->len);
		memcpy(v + f->len, data, size);
		f->value = v;
		f->len += size;
		return MHD_YES;
	}
	if ((size_t)r->nfields >= c->srv->cfg.max_fields) {
		c->too_large = true;
		return MHD_NO;
	}
	if (r->nfields == c->capfields) {
		int cap = c->capfields ? c->capfields * 2 : 16;
		struct form_field *nf = arena_alloc(r->arena, sizeof(*nf) * (size_t)cap);
		if (r->nfields)
			memcpy(nf, r->fields, sizeof(*nf) * (size_t)r->nfields);
		r->fields = nf;
		c->capfields = cap;
	}
	f = &r->fields[r->nfields++];
	f->name = arena_strdup(r->arena, key);
	f->value = arena_memdup(r->arena, data, size);
	f->len = size;
	f->filename = filename ? arena_strdup(r->arena, filename) : NULL;
	f->content_type = content_type ? arena_strdup(r->arena, content_type) : NULL;
	return MHD_YES;
}

static const char *client_addr(struct MHD_Connection *conn, struct arena *a)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char buf[INET6_ADDRSTRLEN] = "-";
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
				  buf, sizeof(buf));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
				  sizeof(buf));
	}
	return arena_strdup(a, buf);
}

static bool has_header(const struct response *res, const char *name)
{
	for (int i = 0; i < res->nheaders; i++)
		if (strcasecmp(res->headers[i].name, name) == 0)
			return true;
	return false;
}

/* On every response; a page may tighten one (e.g. Referrer-Policy: no-referrer
 * where the address holds a secret), and then its own value is the only one. */
static void security_headers(struct MHD_Response *r, const struct http_server *srv,
			     const struct response *res)
{
	const struct http_config *cfg = &srv->cfg;
	MHD_add_response_header(r, "Content-Security-Policy", srv->csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (!has_header(res, "Referrer-Policy"))
		MHD_add_response_header(r, "Referrer-Policy", "strict-origin-when-cross-origin");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Permissions-Policy",
				"geolocation=(), microphone=(), camera=(self)");
	if (cfg->https)
		MHD_add_response_header(r, "Strict-Transport-Security",
					"max-age=31536000; includeSubDomains");
}

static enum MHD_Result send_response(struct ctx *c, struct MHD_Connection *conn,
				     struct response *res)
{
	size_t len;
	char *body = buf_take(&res->body, &len);
	struct MHD_Response *r =
		MHD_create_response_from_buffer_with_free_callback(len, body, free);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type",
				res->content_type ? res->content_type : "text/html; charset=utf-8");
	security_headers(r, c->srv, res);
	for (int i = 0; i < res->nheaders; i++)
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
	c->status = res->status ? res->status : 200;
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)c->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* The transport refuses a request before any handler runs (body too large,
 * address too long or malformed): the application may dress the answer
 * (an HTML page, a JSON error); otherwise a line of text. */
static enum MHD_Result answer_refusal(struct ctx *c, struct MHD_Connection *conn, int status,
				      const char *text)
{
	struct response res = { 0 };
	if (c->srv->cfg.refuse)
		c->srv->cfg.refuse(&c->req, &res, status);
	else
		http_text(&res, status, "text/plain; charset=utf-8", text);
	res.status = status;
	return send_response(c, conn, &res);
}

/* Adds the length of one query argument ("&key=value") to *cls. */
static enum MHD_Result add_arg_len(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	size_t *n = cls;
	(void)kind;
	*n += 2 + strlen(key) + (value ? strlen(value) : 0);
	return MHD_YES;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version,
				 const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct ctx *c = *con_cls;
	(void)version;

	if (!c) {
		struct arena *a = arena_new();
		c = arena_alloc(a, sizeof(*c));
		c->srv = srv;
		c->req.arena = a;
		c->req.started_us = now_us();
		c->req.method = arena_strdup(a, method);
		c->req.path = arena_strdup(a, url);
		c->req.conn = conn;
		c->req.remote_addr = client_addr(conn, a);
		const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
		char *t = arena_strdup(a, ct ? ct : "");
		for (char *p = t; *p; p++) {
			if (*p == ';' || *p == ' ') {
				*p = 0;
				break;
			}
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
		}
		c->req.content_type = t;
		atomic_fetch_add(&srv->in_flight, 1);
		*con_cls = c;

		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > srv->cfg.max_body)
			c->too_large = true;
		/* MHD hands over the path without the query: count both. */
		size_t url_len = strlen(url);
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg_len, &url_len);
		if (url_len > srv->cfg.max_url) {
			return answer_refusal(c, conn, 414, "URI too long.\n");
		}
		if (!str_utf8_valid(url, strlen(url))) {
			return answer_refusal(c, conn, 400, "Malformed address.\n");
		}
		if (!c->too_large && (strcmp(t, "application/x-www-form-urlencoded") == 0 ||
				      strcmp(t, "multipart/form-data") == 0))
			c->pp = MHD_create_post_processor(conn, 16 * 1024, post_iter, c);
		return MHD_YES;
	}

	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (c->too_large || c->bad_body)
			return MHD_YES;   /* discard the rest, answer at the end */
		c->received += n;
		if (c->received > srv->cfg.max_body) {
			c->too_large = true;
			return MHD_YES;
		}
		if (c->pp) {
			if (MHD_post_process(c->pp, upload_data, n) != MHD_YES && !c->too_large)
				c->bad_body = true;
		} else {
			char *b = arena_alloc(c->req.arena, c->req.body_len + n + 1);
			if (c->req.body_len)
				memcpy(b, c->req.body, c->req.body_len);
			memcpy(b + c->req.body_len, upload_data, n);
			c->req.body = b;
			c->req.body_len += n;
		}
		return MHD_YES;
	}

	if (c->pp) {
		MHD_destroy_post_processor(c->pp);
		c->pp = NULL;
	}
	if (c->too_large)
		return answer_refusal(c, conn, 413, "Request too large.\n");
	struct response res = { 0 };
	res.status = 200;
	/* Most pages are 5-20 KB: one allocation up front instead of several regrowths. */
	buf_grow(&res.body, 16 * 1024);
	if (c->bad_body) {
		buf_free(&res.body);
		return answer_refusal(c, conn, 400, "Malformed request body.\n");
	}
	srv->cfg.handler(&c->req, &res);
	return send_response(c, conn, &res);
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct ctx *c = *con_cls;
	(void)conn;
	if (!c)
		return;
	if (c->pp)
		MHD_destroy_post_processor(c->pp);
	if (srv->cfg.complete)
		srv->cfg.complete(&c->req, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? c->status : 499);
	arena_free(c->req.arena);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

/* Percent-decoding for paths and query arguments, in place. It differs from
 * MHD's default in one way: "%00" stays as written, so no decoded string
 * can hide a NUL that would cut it short in C. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *r = s, *w = s;
	(void)cls;
	(void)conn;
	while (*r) {
		if (r[0] == '%' && isxdigit((unsigned char)r[1]) && isxdigit((unsigned char)r[2]) &&
		    !(r[1] == '0' && r[2] == '0')) {
			char hex[3] = { r[1], r[2], 0 };
			*w++ = (char)strtol(hex, NULL, 16);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = 0;
	return (size_t)(w - s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	size_t n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = 0;
	log_warn("http: %s", line);
}

struct http_server *http_start(const struct http_config *cfg, char *err, size_t errlen)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(cfg->port);
	if (inet_pton(AF_INET, cfg->listen_addr, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "cannot listen on \"%s\": not an IPv4 address",
			 cfg->listen_addr);
		return NULL;
	}
	struct http_server *s = xcalloc(1, sizeof(*s));
	s->cfg = *cfg;
	/* No 'unsafe-inline' anywhere: pages carry no inline script or style. */
	snprintf(s->csp, sizeof(s->csp),
		 "default-src 'self'; img-src 'self' data:%s%s; style-src 'self';"
		 " script-src 'self'; object-src 'none'; base-uri 'self';"
		 " form-action 'self'; frame-ancestors 'none'",
		 cfg->img_src_extra && *cfg->img_src_extra ? " " : "",
		 cfg->img_src_extra ? cfg->img_src_extra : "");
	/* epoll serves 15-25 % more pages than poll here (measured with wrk). Its
	 * one known cost in MHD 0.9.75: a FIN arriving with the last bytes of an
	 * incomplete upload can go unseen until the connection timeout (30 s). */
	s->d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG,
				cfg->port, NULL, NULL, access_cb, s,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
				MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_NOTIFY_COMPLETED, completed_cb, s,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
				MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errlen, "cannot listen on %s:%u (is the port in use?)",
			 cfg->listen_addr, (unsigned)cfg->port);
		free(s);
		return NULL;
	}
	return s;
}

uint16_t http_port(const struct http_server *s)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	return di ? di->port : 0;
}

void http_stop(struct http_server *s)
{
	if (!s)
		return;
	/* Stop accepting, then give requests in flight up to 10 s to finish. */
	MHD_socket fd = MHD_quiesce_daemon(s->d);
	for (int i = 0; i < 1000 && atomic_load(&s->in_flight) > 0; i++) {
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(s->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	free(s);
}
