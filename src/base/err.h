/* err.h: enum kq_err from the registry errors.def, and field-level error lists for forms */
#ifndef KQ_ERR_H
#define KQ_ERR_H

enum kq_err {
	KQ_OK = 0,
#define ERR(name, http, code, key) KQ_ERR_##name,
#include "errors.def"
#undef ERR
	KQ_ERR__COUNT
};

int err_http_status(enum kq_err e);
const char *err_api_code(enum kq_err e);
const char *err_msg_key(enum kq_err e);
/* The registry as a table, for the test that checks it. */
int err_count(void);

/* Validation errors of a form: which field, which message key. Core fills
 * it and returns KQ_ERR_FORM_INVALID; pages show each message next to its
 * field, the API lists them under error.fields. */
#define FIELD_ERRORS_MAX 16
struct field_errors {
	int n;
	struct {
		const char *field;
		const char *key;
	} e[FIELD_ERRORS_MAX];
};

void field_error_add(struct field_errors *fe, const char *field, const char *key);
const char *field_error_get(const struct field_errors *fe, const char *field);

#endif
