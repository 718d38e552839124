/* views.h: views render loaded structs into a buffer; they never see the database */
#ifndef KQ_VIEWS_H
#define KQ_VIEWS_H
#include "base/err.h"
#include "web/web.h"

/* layout.c: every page is wrapped by these two. title is plain text. */
void view_layout_start(struct buf *b, struct request *req, const char *title);
/* The same, with more elements in <head> (Open Graph, JSON-LD, feed links). */
void view_layout_start_head(struct buf *b, struct request *req, const char *title,
			    struct safe_html head);
void view_layout_end(struct buf *b, struct request *req);

/* forms.c: form parts with labels, hints and errors next to their field.
 * form_start writes the CSRF field, so no state-changing form can forget it. */
struct form_ctx {
	struct buf *b;
	struct request *req;
	const struct field_errors *fe;   /* may be NULL */
	/* Put before the field names in element ids ("f-<prefix><name>") when
	 * several forms of one page have fields of the same name; NULL: none. */
	const char *id_prefix;
};
void form_start(struct form_ctx *f, const char *action, bool multipart);
void form_end(struct form_ctx *f, const char *submit_key);
/* Lists every error at the top of the form, each linking to its field. */
void form_errors_summary(struct form_ctx *f, const char *const *labels_by_field);
struct field_spec {
	const char *name;
	const char *label_key;
	const char *type;          /* "text", "email", "password", "url", "tel", "textarea", "file" */
	const char *value;
	const char *hint_key;      /* may be NULL */
	const char *autocomplete;  /* may be NULL */
	bool required;
	int maxlength;             /* 0: none */
	bool labels_are_text;      /* form_select: option labels are data (commune names), not catalog keys */
};
void form_field(struct form_ctx *f, const struct field_spec *s);
/* A <select>; options are pairs of value and catalog key (or plain text when
 * s->labels_are_text), NULL-terminated. An empty label key shows a dash. */
void form_select(struct form_ctx *f, const struct field_spec *s, const char *const *options);
void form_hidden(struct form_ctx *f, const char *name, const char *value);
/* A small form that is only a button (log out, remove...). */
void form_button(struct buf *b, struct request *req, const char *action, const char *label_key,
		 const char *css_class);

/* errors.c */
void view_error_page(struct buf *b, struct request *req, int status, const char *msg_key);

#endif
