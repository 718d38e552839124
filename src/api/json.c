/* json.c (api): JSON bodies in and out with jansson, and the one error shape */
#include "api/api.h"
#include "base/embed.h"
#include "base/i18n.h"
#include "base/str.h"
#include "web/web.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

void api_json_take(struct response *res, int status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(j);
	res->status = status;
	res->content_type = "application/json";
	buf_reset(&res->body);
	if (s) {
		buf_puts(&res->body, s);
		free(s);
	}
	buf_putc(&res->body, '\n');
}

void api_error(struct request *req, struct response *res, enum kq_err e,
	       const struct field_errors *fe)
{
	struct web *w = req->app;
	const char *lang = w && w->lang ? w->lang : "fr";
	json_t *err = json_pack("{s:s, s:s}", "code", err_api_code(e), "message",
				i18n_get(lang, err_msg_key(e)));
	if (fe && fe->n) {
		json_t *fields = json_object();
		for (int i = 0; i < fe->n; i++)
			json_object_set_new(fields, fe->e[i].field,
					    json_string(i18n_get(lang, fe->e[i].key)));
		json_object_set_new(err, "fields", fields);
	}
	api_json_take(res, err_http_status(e), json_pack("{s:o}", "error", err));
}

json_t *api_body_object(struct request *req, struct response *res)
{
	json_error_t jerr;
	json_t *j = req->body_len
		? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr)
		: NULL;
	if (!j || !json_is_object(j)) {
		json_decref(j);
		api_error(req, res, KQ_ERR_BAD_REQUEST, NULL);
		return NULL;
	}
	return j;
}

const char *api_str(json_t *o, const char *key, bool *bad)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

bool api_query_int(struct request *req, const char *name, int64_t def, int64_t min, int64_t max,
		   int64_t *out)
{
	const char *s = http_query(req, name);
	if (!s) {
		*out = def;
		return true;
	}
	return str_to_i64(s, out) && *out >= min && *out <= max;
}

const char *api_time(struct arena *a, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	long off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
	return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
			    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			    tm.tm_gmtoff < 0 ? '-' : '+', off / 3600, (off % 3600) / 60);
}

json_t *api_time_or_null(struct arena *a, int64_t t)
{
	return t ? json_string(api_time(a, t)) : json_null();
}

void api_openapi(struct request *req, struct response *res)
{
	(void)req;
	res->status = 200;
	res->content_type = "application/json";
	const struct embedded_file *f = embed_find("src/api/openapi.json");
	if (f)
		buf_append(&res->body, f->data, f->len);
}
