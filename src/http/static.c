/* static.c: serves the files compiled into the binary under /static/, with ETag and Cache-Control.
 *
 * The table is built once at start (static_init) and only read afterwards,
 * so worker threads share it without locks. The body handed to MHD is a
 * copy: a response body must be a heap buffer MHD frees (server.c). */
#include "http.h"
#include "../base/crypto.h"
#include "../base/embed.h"
#include "../base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct asset {
	const struct embedded_file *f;
	char url[256];        /* /static/... */
	char versioned[300];  /* /static/...?v=etag */
	char etag[20];        /* quoted, 16 hex chars of SHA-256 */
	const char *type;
};

static struct asset *assets;
static size_t nassets;

static const char *type_of(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
		{ ".webp", "image/webp" },
		{ ".ico", "image/x-icon" },
		{ ".json", "application/json" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".woff2", "font/woff2" },
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

void static_init(const char *prefix)
{
	size_t plen = strlen(prefix), n = 0;
	free(assets);   /* called again (tests): start over */
	assets = NULL;
	nassets = 0;
	for (const struct embedded_file *f = embedded_files; f->path; f++)
		if (strncmp(f->path, prefix, plen) == 0)
			n++;
	assets = xcalloc(n ? n : 1, sizeof(*assets));
	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		if (strncmp(f->path, prefix, plen) != 0)
			continue;
		struct asset *a = &assets[nassets++];
		char hex[65];
		a->f = f;
		crypto_sha256_hex(f->data, f->len, hex);
		snprintf(a->url, sizeof(a->url), "/static/%s", f->path + plen);
		snprintf(a->etag, sizeof(a->etag), "\"%.16s\"", hex);
		snprintf(a->versioned, sizeof(a->versioned), "%s?v=%.16s", a->url, hex);
		a->type = type_of(f->path);
	}
}

static const struct asset *find(const char *url)
{
	for (size_t i = 0; i < nassets; i++)
		if (strcmp(assets[i].url, url) == 0)
			return &assets[i];
	return NULL;
}

const char *static_url(const char *path)
{
	char url[256];
	snprintf(url, sizeof(url), "/static/%s", path);
	const struct asset *a = find(url);
	return a ? a->versioned : "/static/missing";
}

bool static_serve(struct request *req, struct response *res)
{
	const struct asset *a = find(req->path);
	if (!a)
		return false;
	http_set_header(res, req->arena, "ETag", a->etag);
	/* A versioned URL never changes content; a bare one is revalidated hourly. */
	http_set_header(res, req->arena, "Cache-Control",
			http_query(req, "v") ? "public, max-age=31536000, immutable"
					     : "public, max-age=3600");
	const char *inm = http_header(req, "If-None-Match");
	if (inm && strstr(inm, a->etag)) {
		res->status = 304;
		return true;
	}
	res->status = 200;
	res->content_type = a->type;
	buf_append(&res->body, a->f->data, a->f->len);
	return true;
}
