/* request.c: read access to a request: headers, query, cookies (parsed by MHD), form fields, route params */
#include "http.h"
#include <microhttpd.h>
#include <string.h>

const char *http_header(struct request *req, const char *name)
{
	return req->conn ? MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name) : NULL;
}

const char *http_query(struct request *req, const char *name)
{
	return req->conn ? MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name)
			 : NULL;
}

const char *http_cookie(struct request *req, const char *name)
{
	return req->conn ? MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name) : NULL;
}

struct query_all {
	const char *name;
	const char **out;
	int max, n;
};

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct query_all *q = cls;
	(void)kind;
	if (key && strcmp(key, q->name) == 0 && q->n < q->max)
		q->out[q->n++] = value ? value : "";
	return MHD_YES;
}

int http_query_all(struct request *req, const char *name, const char **out, int max)
{
	struct query_all q = { name, out, max, 0 };
	if (req->conn)
		MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect, &q);
	return q.n;
}

const char *http_form(struct request *req, const char *name)
{
	for (int i = 0; i < req->nfields; i++)
		if (!req->fields[i].filename && strcmp(req->fields[i].name, name) == 0)
			return req->fields[i].value;
	return NULL;
}

const struct form_field *http_file(struct request *req, const char *name)
{
	for (int i = 0; i < req->nfields; i++)
		if (req->fields[i].filename && strcmp(req->fields[i].name, name) == 0)
			return &req->fields[i];
	return NULL;
}

const char *http_param(struct request *req, const char *name)
{
	for (int i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return req->params[i].value;
	return NULL;
}
