/* forms.c: accessible form parts: every input has a label, hints and errors are tied by aria-describedby */
#include "views.h"
#include <string.h>

/* The id stem of a field: its name, after the form's prefix. */
static const char *stem(const struct form_ctx *f, const char *name)
{
	return f->id_prefix ? arena_printf(f->req->arena, "%s%s", f->id_prefix, name) : name;
}

void form_start(struct form_ctx *f, const char *action, bool multipart)
{
	struct buf *b = f->b;
	HTML("<form class=\"stack\" method=\"post\"");
	html_attr(b, "action", action);
	if (multipart)
		html_attr(b, "enctype", "multipart/form-data");
	HTML(" novalidate><input type=\"hidden\" name=\"_csrf\"");
	html_attr(b, "value", web_of(f->req)->csrf);
	HTML(">");
}

void form_end(struct form_ctx *f, const char *submit_key)
{
	struct buf *b = f->b;
	html_fmt(b, "<div class=\"actions\"><button type=\"submit\">%s</button></div></form>",
		 web_t(f->req, submit_key));
}

void form_hidden(struct form_ctx *f, const char *name, const char *value)
{
	struct buf *b = f->b;
	HTML("<input type=\"hidden\"");
	html_attr(b, "name", name);
	html_attr(b, "value", value ? value : "");
	HTML(">");
}

void form_errors_summary(struct form_ctx *f, const char *const *labels)
{
	struct buf *b = f->b;
	if (!f->fe || f->fe->n == 0)
		return;
	html_fmt(b, "<div class=\"form-errors\" role=\"alert\" tabindex=\"-1\" id=\"form-errors\"><p>%s</p><ul>",
		 web_t(f->req, "form.errors_title"));
	for (int i = 0; i < f->fe->n; i++) {
		const char *label = NULL;
		for (int k = 0; labels && labels[k]; k += 2)
			if (strcmp(labels[k], f->fe->e[i].field) == 0)
				label = web_t(f->req, labels[k + 1]);
		HTML("<li><a");
		html_href(b, arena_printf(f->req->arena, "#f-%s", stem(f, f->fe->e[i].field)));
		HTML(">");
		if (label)
			html_fmt(b, "%s : ", label);
		html_fmt(b, "%s</a></li>", web_t(f->req, f->fe->e[i].key));
	}
	HTML("</ul></div>");
}

static void label_and_describers(struct form_ctx *f, const struct field_spec *s,
				 const char **out_err, char **out_describedby)
{
	struct buf *b = f->b;
	struct arena *a = f->req->arena;
	const char *err = field_error_get(f->fe, s->name);
	const char *id = stem(f, s->name);
	html_fmt(b, "<div class=\"field%s\"><label for=\"f-%s\">%s", err ? " has-error" : "", id,
		 web_t(f->req, s->label_key));
	if (!s->required && strcmp(s->type, "checkbox") != 0)
		html_fmt(b, " <span class=\"optional\">(%s)</span>", web_t(f->req, "common.optional"));
	HTML("</label>");
	char *ids = arena_strdup(a, "");
	if (s->hint_key) {
		html_fmt(b, "<p class=\"hint\" id=\"h-%s\">%s</p>", id, web_t(f->req, s->hint_key));
		ids = arena_printf(a, "h-%s", id);
	}
	if (err) {
		html_fmt(b, "<p class=\"field-error\" id=\"e-%s\">%s</p>", id, web_t(f->req, err));
		ids = arena_printf(a, "%s%se-%s", ids, *ids ? " " : "", id);
	}
	*out_err = err;
	*out_describedby = ids;
}

static void common_attrs(struct form_ctx *f, const struct field_spec *s, const char *err,
			 const char *ids)
{
	struct buf *b = f->b;
	html_attr(b, "id", arena_printf(f->req->arena, "f-%s", stem(f, s->name)));
	html_attr(b, "name", s->name);
	if (s->required)
		HTML(" required aria-required=\"true\"");
	if (err)
		HTML(" aria-invalid=\"true\"");
	if (*ids)
		html_attr(b, "aria-describedby", ids);
	if (s->autocomplete)
		html_attr(b, "autocomplete", s->autocomplete);
	if (s->maxlength > 0)
		html_fmt(b, " maxlength=\"%d\"", s->maxlength);
}

void form_field(struct form_ctx *f, const struct field_spec *s)
{
	struct buf *b = f->b;
	const char *err;
	char *ids;
	label_and_describers(f, s, &err, &ids);
	if (strcmp(s->type, "textarea") == 0) {
		HTML("<textarea rows=\"6\"");
		common_attrs(f, s, err, ids);
		HTML(">");
		html_text(b, s->value);
		HTML("</textarea>");
	} else {
		HTML("<input");
		html_attr(b, "type", s->type);
		common_attrs(f, s, err, ids);
		/* A password is never sent back to the browser. */
		if (s->value && strcmp(s->type, "password") != 0 && strcmp(s->type, "file") != 0)
			html_attr(b, "value", s->value);
		if (strcmp(s->type, "file") == 0)
			html_attr(b, "accept", "image/png,image/jpeg,image/webp");
		HTML(">");
	}
	HTML("</div>");
}

void form_select(struct form_ctx *f, const struct field_spec *s, const char *const *options)
{
	struct buf *b = f->b;
	const char *err;
	char *ids;
	label_and_describers(f, s, &err, &ids);
	HTML("<select");
	common_attrs(f, s, err, ids);
	HTML(">");
	for (int i = 0; options[i]; i += 2) {
		HTML("<option");
		html_attr(b, "value", options[i]);
		if (s->value && strcmp(s->value, options[i]) == 0)
			HTML(" selected");
		const char *label = options[i + 1];
		if (!s->labels_are_text)
			label = label[0] ? web_t(f->req, label) : "—";
		html_fmt(b, ">%s</option>", label);
	}
	HTML("</select></div>");
}

void form_button(struct buf *b, struct request *req, const char *action, const char *label_key,
		 const char *css_class)
{
	HTML("<form class=\"inline\" method=\"post\"");
	html_attr(b, "action", action);
	HTML("><input type=\"hidden\" name=\"_csrf\"");
	html_attr(b, "value", web_of(req)->csrf);
	HTML("><button type=\"submit\"");
	if (css_class)
		html_attr(b, "class", css_class);
	html_fmt(b, ">%s</button></form>", web_t(req, label_key));
}
