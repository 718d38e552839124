/* err.c: lookups into the error registry (errors.def) */
#include "err.h"
#include <string.h>

static const struct {
	int http;
	const char *code, *key;
} registry[] = {
	[KQ_OK] = { 200, "ok", "ok" },
#define ERR(name, http, code, key) [KQ_ERR_##name] = { http, code, key },
#include "errors.def"
#undef ERR
};

static int valid(enum kq_err e)
{
	return (int)e >= 0 && e < KQ_ERR__COUNT;
}

int err_http_status(enum kq_err e)
{
	return valid(e) ? registry[e].http : 500;
}

const char *err_api_code(enum kq_err e)
{
	return valid(e) ? registry[e].code : "internal";
}

const char *err_msg_key(enum kq_err e)
{
	return valid(e) ? registry[e].key : "err.internal";
}

int err_count(void)
{
	return KQ_ERR__COUNT;
}

void field_error_add(struct field_errors *fe, const char *field, const char *key)
{
	if (fe->n < FIELD_ERRORS_MAX) {
		fe->e[fe->n].field = field;
		fe->e[fe->n].key = key;
		fe->n++;
	}
}

const char *field_error_get(const struct field_errors *fe, const char *field)
{
	for (int i = 0; fe && i < fe->n; i++)
		if (strcmp(fe->e[i].field, field) == 0)
			return fe->e[i].key;
	return NULL;
}
