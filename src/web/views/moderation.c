/* moderation.c (views): the report form, the queue, the content and account pages, the audit log */
#include "moderation.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

static const char *label(struct request *req, const char *prefix, const char *value)
{
	return web_t(req, arena_printf(req->arena, "%s%s", prefix, value));
}

static const char *when(struct request *req, int64_t t)
{
	return time_format_long(req->arena, t, web_of(req)->lang);
}

static void time_el(struct buf *b, struct request *req, int64_t t)
{
	HTML("<time");
	html_attr(b, "datetime", time_format_date(req->arena, t));
	html_fmt(b, ">%s</time>", when(req, t));
}

static const char *target_path(struct request *req, const struct moderation_target *t, const char *tail)
{
	return arena_printf(req->arena, "/moderation/contenu/%s/%lld%s", t->kind, (long long)t->id, tail);
}

static void staff_nav(struct buf *b, struct request *req)
{
	html_fmt(b, "<nav class=\"subnav\" aria-label=\"%s\"><ul><li><a href=\"/moderation\">%s</a></li>"
		    "<li><a href=\"/moderation/journal\">%s</a></li></ul></nav>",
		 web_t(req, "moderation.nav"), web_t(req, "moderation.queue.title"),
		 web_t(req, "moderation.log.title"));
}

/* ---- the report form ------------------------------------------------------------------------------ */

static const char *const report_labels[] = {
	"reason", "moderation.field.reason_label", "details", "moderation.field.details_label", NULL
};

void view_moderation_report_form(struct buf *b, struct request *req,
				 const struct moderation_report_view *v)
{
	const struct moderation_target *t = v->t;
	const char *title = web_t(req, "moderation.report.title");
	view_layout_start(b, req, arena_printf(req->arena, "%s · %s", title, t->title));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s <a", title, label(req, "moderation.kind.", t->kind));
	html_href(b, t->path);
	html_fmt(b, ">%s</a></p><p>%s</p>", t->title, web_t(req, "moderation.report.lead"));
	if (v->error_key)
		html_fmt(b, "<div class=\"flash flash-error\" role=\"alert\"><p>%s</p></div>",
			 web_t(req, v->error_key));
	struct form_ctx fc = { b, req, v->fe, NULL };
	form_start(&fc, "/signaler", false);
	form_errors_summary(&fc, report_labels);
	form_hidden(&fc, "type", t->kind);
	form_hidden(&fc, "id", arena_printf(req->arena, "%lld", (long long)t->id));
	static const char *const reasons[] = {
		"", "", "spam", "moderation.reason.spam", "abuse", "moderation.reason.abuse",
		"illegal", "moderation.reason.illegal", "false", "moderation.reason.false",
		"other", "moderation.reason.other", NULL
	};
	struct field_spec r = { "reason", "moderation.field.reason_label", "select", v->reason, NULL, NULL,
				true, 0 };
	form_select(&fc, &r, reasons);
	struct field_spec d = { "details", "moderation.field.details_label", "textarea", v->details,
				"moderation.field.details_hint", NULL, false, MODERATION_DETAILS_MAX };
	form_field(&fc, &d);
	form_end(&fc, "moderation.report.submit");
	HTML("<p><a");
	html_href(b, t->path);
	html_fmt(b, ">%s</a></p>", web_t(req, "moderation.report.cancel"));
	view_layout_end(b, req);
}

/* ---- the queue ------------------------------------------------------------------------------------ */

static void reasons_text(struct buf *b, struct request *req, const char *csv)
{
	char *copy = arena_strdup(req->arena, csv), *save = NULL;
	bool first = true;
	for (char *r = strtok_r(copy, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
		html_fmt(b, "%s%s", first ? "" : ", ", label(req, "moderation.reason.", r));
		first = false;
	}
}

void view_moderation_queue(struct buf *b, struct request *req, const struct moderation_queue_item *v,
			   int n)
{
	web_of(req)->nav = "moderation";
	const char *title = web_t(req, "moderation.queue.title");
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1>", title);
	staff_nav(b, req);
	if (!n) {
		html_fmt(b, "<p class=\"empty\">%s</p>", web_t(req, "moderation.queue.empty"));
		view_layout_end(b, req);
		return;
	}
	html_fmt(b, "<p>%s</p><ul class=\"card-list moderation-queue\">", web_t(req, "moderation.queue.lead"));
	for (int i = 0; i < n; i++) {
		const struct moderation_queue_item *it = &v[i];
		const struct moderation_target *t = &it->target;
		html_fmt(b, "<li class=\"card\"><h2><span class=\"badge\">%s</span> <a",
			 label(req, "moderation.kind.", t->kind));
		html_href(b, target_path(req, t, ""));
		html_fmt(b, ">%s</a></h2><p class=\"meta\">", *t->title ? t->title : "—");
		html_fmt(b, "%s : %lld · ", web_t(req, "moderation.queue.reports"), (long long)it->open_reports);
		reasons_text(b, req, it->reasons);
		html_fmt(b, " · %s ", web_t(req, "moderation.queue.since"));
		time_el(b, req, it->first_at);
		HTML("</p>");
		if (t->hidden_at)
			html_fmt(b, "<p><span class=\"badge badge-hidden\">%s</span></p>",
				 web_t(req, "moderation.state.hidden"));
		HTML("</li>");
	}
	HTML("</ul>");
	view_layout_end(b, req);
}

/* ---- one content ---------------------------------------------------------------------------------- */

static void acts_list(struct buf *b, struct request *req, const struct moderation_act *acts, int n,
		      bool with_target)
{
	if (!n) {
		html_fmt(b, "<p class=\"muted\">%s</p>", web_t(req, "moderation.acts.none"));
		return;
	}
	HTML("<ol class=\"moderation-acts\" reversed>");
	for (int i = 0; i < n; i++) {
		const struct moderation_act *x = &acts[i];
		HTML("<li>");
		time_el(b, req, x->created_at);
		html_fmt(b, " — <strong>%s</strong>", label(req, "moderation.action.", x->action));
		if (with_target) {
			html_fmt(b, " · %s ", label(req, "moderation.kind.", x->target_kind));
			HTML("<a");
			if (strcmp(x->target_kind, "account") == 0)
				html_href(b, arena_printf(req->arena, "/moderation/comptes/%lld",
							  (long long)x->target_id));
			else
				html_href(b, arena_printf(req->arena, "/moderation/contenu/%s/%lld",
							  x->target_kind, (long long)x->target_id));
			html_fmt(b, ">n° %lld</a>", (long long)x->target_id);
		}
		html_fmt(b, " · %s %s", web_t(req, "moderation.acts.by"),
			 *x->moderator_name ? x->moderator_name : "—");
		if (*x->note)
			html_fmt(b, "<br><q>%s</q>", x->note);
		HTML("</li>");
	}
	HTML("</ol>");
}

static void note_form(struct buf *b, struct request *req, const struct moderation_target_view *v,
		      const char *what, const char *segment, const char *css, bool required)
{
	bool failed = v->form && strcmp(v->form, what) == 0;
	struct form_ctx fc = { b, req, failed ? v->fe : NULL, arena_printf(req->arena, "%s-", what) };
	html_fmt(b, "<section class=\"card\" aria-labelledby=\"h-%s\"><h2 id=\"h-%s\">%s</h2>", what, what,
		 web_t(req, arena_printf(req->arena, "moderation.form.%s.title", what)));
	html_fmt(b, "<p>%s</p>", web_t(req, arena_printf(req->arena, "moderation.form.%s.lead", what)));
	form_start(&fc, target_path(req, v->t, segment), false);
	struct field_spec n = { "note", required ? "moderation.field.note_label" : "moderation.field.note_optional",
				"textarea", failed ? v->note : "", "moderation.field.note_hint", NULL,
				required, MODERATION_NOTE_MAX };
	form_field(&fc, &n);
	html_fmt(b, "<div class=\"actions\"><button type=\"submit\" class=\"%s\">%s</button></div></form>",
		 css, web_t(req, arena_printf(req->arena, "moderation.form.%s.submit", what)));
	HTML("</section>");
}

void view_moderation_target(struct buf *b, struct request *req, const struct moderation_target_view *v)
{
	const struct moderation_target *t = v->t;
	web_of(req)->nav = "moderation";
	view_layout_start(b, req, arena_printf(req->arena, "%s · %s", web_t(req, "moderation.target.title"),
					       t->title));
	html_fmt(b, "<h1>%s</h1>", web_t(req, "moderation.target.title"));
	staff_nav(b, req);
	html_fmt(b, "<dl class=\"moderation-target\"><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd><a",
		 web_t(req, "moderation.target.kind"), label(req, "moderation.kind.", t->kind),
		 web_t(req, "moderation.target.content"));
	html_href(b, t->path);
	html_fmt(b, ">%s</a></dd>", *t->title ? t->title : "—");
	if (t->author_id) {
		html_fmt(b, "<dt>%s</dt><dd><a", web_t(req, "moderation.target.author"));
		html_href(b, arena_printf(req->arena, "/moderation/comptes/%lld", (long long)t->author_id));
		html_fmt(b, ">%s</a></dd>", *t->author_name ? t->author_name : "—");
	}
	if (t->org_id && *t->org_name)
		html_fmt(b, "<dt>%s</dt><dd>%s</dd>", web_t(req, "moderation.target.org"), t->org_name);
	html_fmt(b, "<dt>%s</dt><dd>", web_t(req, "moderation.target.state"));
	if (t->hidden_at) {
		html_fmt(b, "<span class=\"badge badge-hidden\">%s</span> ", web_t(req, "moderation.state.hidden"));
		time_el(b, req, t->hidden_at);
	} else {
		html_fmt(b, "%s", web_t(req, "moderation.state.shown"));
	}
	HTML("</dd></dl>");

	int open = 0;
	for (int i = 0; i < v->nreports; i++)
		open += strcmp(v->reports[i].status, "open") == 0;
	if (t->hidden_at) {
		note_form(b, req, v, "restore", "/retablir", "button", true);
	} else {
		note_form(b, req, v, "hide", "/masquer", "button danger", true);
	}
	if (open)
		note_form(b, req, v, "dismiss", "/classer", "button secondary", false);

	html_fmt(b, "<section aria-labelledby=\"h-reports\"><h2 id=\"h-reports\">%s</h2>",
		 web_t(req, "moderation.target.reports"));
	if (!v->nreports)
		html_fmt(b, "<p class=\"muted\">%s</p>", web_t(req, "moderation.target.no_reports"));
	else
		html_fmt(b, "<table><caption class=\"visually-hidden\">%s</caption><thead><tr><th scope=\"col\">%s"
			    "</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "</tr></thead><tbody>",
			 web_t(req, "moderation.target.reports"), web_t(req, "moderation.col.when"),
			 web_t(req, "moderation.col.reason"), web_t(req, "moderation.col.by"),
			 web_t(req, "moderation.col.status"));
	for (int i = 0; i < v->nreports; i++) {
		const struct moderation_report *r = &v->reports[i];
		HTML("<tr><td>");
		time_el(b, req, r->created_at);
		html_fmt(b, "</td><td>%s", label(req, "moderation.reason.", r->reason));
		if (*r->details)
			html_fmt(b, "<br><q>%s</q>", r->details);
		html_fmt(b, "</td><td>%s</td><td>%s</td></tr>", *r->reporter_name ? r->reporter_name : "—",
			 label(req, "moderation.report_status.", r->status));
	}
	if (v->nreports)
		HTML("</tbody></table>");
	html_fmt(b, "</section><section aria-labelledby=\"h-acts\"><h2 id=\"h-acts\">%s</h2>",
		 web_t(req, "moderation.target.acts"));
	acts_list(b, req, v->acts, v->nacts, false);
	HTML("</section>");
	view_layout_end(b, req);
}

/* ---- one account ---------------------------------------------------------------------------------- */

void view_moderation_account(struct buf *b, struct request *req, const struct moderation_account_view *v)
{
	const struct moderation_account *acc = v->acc;
	struct arena *a = req->arena;
	web_of(req)->nav = "moderation";
	view_layout_start(b, req, arena_printf(a, "%s · %s", web_t(req, "moderation.account.title"),
					       acc->display_name));
	html_fmt(b, "<h1>%s</h1>", web_t(req, "moderation.account.title"));
	staff_nav(b, req);
	html_fmt(b, "<dl><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>",
		 web_t(req, "moderation.account.name"), acc->display_name,
		 web_t(req, "moderation.account.email"), acc->email, web_t(req, "moderation.account.since"));
	time_el(b, req, acc->created_at);
	html_fmt(b, "</dd><dt>%s</dt><dd>", web_t(req, "moderation.target.state"));
	if (acc->suspended_at) {
		html_fmt(b, "<span class=\"badge badge-hidden\">%s</span> ", web_t(req, "moderation.account.suspended"));
		time_el(b, req, acc->suspended_at);
	} else {
		html_fmt(b, "%s", web_t(req, "moderation.account.active"));
	}
	HTML("</dd></dl>");
	if (v->can_act) {
		const char *what = acc->suspended_at ? "unsuspend" : "suspend";
		struct form_ctx fc = { b, req, v->fe, NULL };
		html_fmt(b, "<section class=\"card\" aria-labelledby=\"h-act\"><h2 id=\"h-act\">%s</h2><p>%s</p>",
			 web_t(req, arena_printf(a, "moderation.form.%s.title", what)),
			 web_t(req, arena_printf(a, "moderation.form.%s.lead", what)));
		form_start(&fc, arena_printf(a, "/moderation/comptes/%lld/%s", (long long)acc->id,
					     acc->suspended_at ? "reactiver" : "suspendre"), false);
		struct field_spec n = { "note", "moderation.field.note_label", "textarea", v->note ? v->note : "",
					"moderation.field.note_hint", NULL, true, MODERATION_NOTE_MAX };
		form_field(&fc, &n);
		html_fmt(b, "<div class=\"actions\"><button type=\"submit\" class=\"%s\">%s</button></div></form>"
			    "</section>", acc->suspended_at ? "button" : "button danger",
			 web_t(req, arena_printf(a, "moderation.form.%s.submit", what)));
	}
	html_fmt(b, "<section aria-labelledby=\"h-acts\"><h2 id=\"h-acts\">%s</h2>",
		 web_t(req, "moderation.target.acts"));
	acts_list(b, req, v->acts, v->nacts, false);
	HTML("</section>");
	view_layout_end(b, req);
}

/* ---- the audit log -------------------------------------------------------------------------------- */

void view_moderation_log(struct buf *b, struct request *req, const struct moderation_act *v, int n,
			 int64_t next_before)
{
	web_of(req)->nav = "moderation";
	const char *title = web_t(req, "moderation.log.title");
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1>", title);
	staff_nav(b, req);
	html_fmt(b, "<p>%s</p>", web_t(req, "moderation.log.lead"));
	acts_list(b, req, v, n, true);
	if (next_before) {
		HTML("<p><a");
		html_href(b, arena_printf(req->arena, "/moderation/journal?avant=%lld", (long long)next_before));
		html_fmt(b, " rel=\"next\">%s</a></p>", web_t(req, "moderation.log.older"));
	}
	view_layout_end(b, req);
}
