/* router.c: matches (method, path) against a route table of literal and {name} segments */
#include "http.h"
#include <string.h>

/* Compares one pattern with the path, segment by segment. Parameters are
 * captured into req only when the whole pattern matches. */
static bool match(const char *pat, const char *path, struct request *req)
{
	const char *names[HTTP_MAX_ROUTE_PARAMS], *vals[HTTP_MAX_ROUTE_PARAMS];
	size_t lens[HTTP_MAX_ROUTE_PARAMS], vlens[HTTP_MAX_ROUTE_PARAMS];
	int n = 0;

	while (*pat && *path) {
		if (*pat != '/' || *path != '/')
			return false;
		pat++;
		path++;
		const char *pe = strchr(pat, '/');
		const char *se = strchr(path, '/');
		size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
		size_t sl = se ? (size_t)(se - path) : strlen(path);
		if (pl >= 2 && pat[0] == '{' && pat[pl - 1] == '}') {
			if (sl == 0 || n == HTTP_MAX_ROUTE_PARAMS)
				return false;
			names[n] = pat + 1;
			lens[n] = pl - 2;
			vals[n] = path;
			vlens[n] = sl;
			n++;
		} else if (pl != sl || strncmp(pat, path, pl) != 0) {
			return false;
		}
		pat += pl;
		path += sl;
	}
	if (*pat || *path)
		return false;
	for (int i = 0; i < n; i++) {
		req->params[i].name = arena_strndup(req->arena, names[i], lens[i]);
		req->params[i].value = arena_strndup(req->arena, vals[i], vlens[i]);
	}
	req->nparams = n;
	return true;
}

enum route_match router_match(const struct route *routes, size_t n, struct request *req,
			      const struct route **out)
{
	bool path_known = false;
	const char *m = req->method;
	bool head = strcmp(m, "HEAD") == 0;

	for (size_t i = 0; i < n; i++) {
		if (!match(routes[i].pattern, req->path, req))
			continue;
		if (strcmp(routes[i].method, m) == 0 ||
		    (head && strcmp(routes[i].method, "GET") == 0)) {
			*out = &routes[i];
			return ROUTE_FOUND;
		}
		path_known = true;
	}
	req->nparams = 0;
	return path_known ? ROUTE_WRONG_METHOD : ROUTE_NO_PATH;
}
