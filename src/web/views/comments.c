/* comments.c (views): the conversation under a post, an event or a campaign, the "J'aime" button, the comment form page, the delete confirmation.
 *
 * Everything works without JavaScript: a reply form sits in a <details>
 * under its comment, "J'aime" is a form with one button that says the state
 * wanted (aria-pressed tells the current one), edit and delete are pages. */
#include "web/views/comments.h"
#include "base/timefmt.h"
#include <string.h>

const char *view_comments_subject_path(struct request *req, const struct comment_subject *s)
{
	const char *base = strcmp(s->kind, "event") == 0      ? "/evenements/"
			   : strcmp(s->kind, "campaign") == 0 ? "/soutenir/"
							      : "/actualites/";
	return arena_printf(req->arena, "%s%s", base, url_arg(req->arena, s->slug));
}

static const char *author_of(struct request *req, const struct comment *c)
{
	return *c->author_name ? c->author_name : web_t(req, "comments.account_gone");
}

static void time_el(struct buf *b, struct request *req, int64_t t)
{
	HTML("<time");
	html_attr(b, "datetime", time_format_iso(req->arena, t));
	html_fmt(b, ">%s</time>", time_format_long(req->arena, t, web_of(req)->lang));
}

void view_comments_like(struct buf *b, struct request *req, const struct comments_like_view *v)
{
	/* A visitor sees likes once there are some, as Discourse does. */
	if (!v->signed_in && v->count == 0)
		return;
	HTML("<div class=\"like\"");
	if (v->anchor)
		html_attr(b, "id", v->anchor);
	HTML(">");
	if (!v->signed_in) {
		html_fmt(b, "<span class=\"like-count\">%lld %s", (long long)v->count,
			 web_t(req, "comments.likes"));
		if (*v->about)
			html_fmt(b, "<span class=\"visually-hidden\"> (%s)</span>", v->about);
		HTML("</span></div>");
		return;
	}
	HTML("<form class=\"inline\" method=\"post\" action=\"/reactions\"><input type=\"hidden\""
	     " name=\"_csrf\"");
	html_attr(b, "value", web_of(req)->csrf);
	HTML("><input type=\"hidden\" name=\"kind\"");
	html_attr(b, "value", v->kind);
	html_fmt(b, "><input type=\"hidden\" name=\"id\" value=\"%lld\">", (long long)v->id);
	/* The button asks for the other state; two crossing clicks agree. */
	html_fmt(b, "<input type=\"hidden\" name=\"on\" value=\"%d\">", v->liked ? 0 : 1);
	html_fmt(b, "<button type=\"submit\" class=\"like-button%s\" aria-pressed=\"%s\">%s",
		 v->liked ? " liked" : "", v->liked ? "true" : "false", web_t(req, "comments.like"));
	if (*v->about)
		html_fmt(b, "<span class=\"visually-hidden\"> %s</span>", v->about);
	html_fmt(b, " <span class=\"like-count\">%lld</span></button></form></div>", (long long)v->count);
}

static void reply_form(struct buf *b, struct request *req, const struct comment_subject *s,
		       const struct comment *c)
{
	struct arena *a = req->arena;
	html_fmt(b, "<details class=\"comment-reply\"><summary>%s<span class=\"visually-hidden\"> %s %s</span>"
		    "</summary>",
		 web_t(req, "comments.reply"), web_t(req, "comments.reply_to"), author_of(req, c));
	struct form_ctx fc = { b, req, NULL, arena_printf(a, "r%lld-", (long long)c->id) };
	form_start(&fc, "/commentaires", false);
	form_hidden(&fc, "kind", s->kind);
	form_hidden(&fc, "subject", arena_printf(a, "%lld", (long long)s->id));
	form_hidden(&fc, "parent", arena_printf(a, "%lld", (long long)c->id));
	struct field_spec f = { "body", "comments.reply_label", "textarea", "", NULL, NULL, true,
				COMMENTS_BODY_MAX };
	form_field(&fc, &f);
	form_end(&fc, "comments.reply_submit");
	HTML("</details>");
}

static void one_comment(struct buf *b, struct request *req, const struct comments_section_view *v,
			const struct comment *c)
{
	struct arena *a = req->arena;
	const char *about = arena_printf(a, "%s %s", web_t(req, "comments.the_comment_of"),
					 author_of(req, c));
	html_fmt(b, "<li class=\"comment%s\" id=\"c-%lld\">", c->parent_id ? " comment-reply-item" : "",
		 (long long)c->id);
	if (c->is_deleted) {
		html_fmt(b, "<p class=\"comment-deleted\">%s</p>", web_t(req, "comments.deleted"));
	} else {
		html_fmt(b, "<p class=\"comment-meta\"><span class=\"comment-author\">%s</span> ",
			 author_of(req, c));
		time_el(b, req, c->created_at);
		if (c->edited_at) {
			html_fmt(b, " <span class=\"comment-edited\">(%s ", web_t(req, "comments.edited"));
			time_el(b, req, c->edited_at);
			HTML(")</span>");
		}
		HTML("</p><div class=\"comment-body\"><p>");
		html_safe(b, html_from_text(a, c->body));
		HTML("</p></div><div class=\"comment-actions\">");
		struct comments_like_view lv = { "comment", c->id, c->likes, c->liked, v->signed_in,
						 about, NULL };
		view_comments_like(b, req, &lv);
		if (c->can_edit) {
			HTML("<a");
			html_href(b, arena_printf(a, "/commentaires/%lld/modifier", (long long)c->id));
			html_fmt(b, ">%s<span class=\"visually-hidden\"> %s</span></a>",
				 web_t(req, "comments.edit"), about);
		}
		if (c->can_delete) {
			HTML("<a");
			html_href(b, arena_printf(a, "/commentaires/%lld/supprimer", (long long)c->id));
			html_fmt(b, ">%s<span class=\"visually-hidden\"> %s</span></a>",
				 web_t(req, "comments.delete"), about);
		}
		HTML("<a");
		html_href(b, arena_printf(a, "/signaler?type=comment&id=%lld", (long long)c->id));
		html_fmt(b, " rel=\"nofollow\">%s<span class=\"visually-hidden\"> %s</span></a></div>",
			 web_t(req, "comments.report"), about);
		if (v->signed_in)
			reply_form(b, req, v->subject, c);
	}
	if (c->nreplies) {
		html_fmt(b, "<ol class=\"comment-replies\" aria-label=\"%s\">", web_t(req, "comments.replies"));
		for (int i = 0; i < c->nreplies; i++)
			one_comment(b, req, v, &c->replies[i]);
		HTML("</ol>");
	}
	HTML("</li>");
}

void view_comments_section(struct buf *b, struct request *req, const struct comments_section_view *v)
{
	struct arena *a = req->arena;
	const struct comment_page *pg = v->page;
	const char *path = view_comments_subject_path(req, v->subject);
	HTML("<section class=\"comments\" id=\"commentaires\" aria-labelledby=\"h-comments\">");
	html_fmt(b, "<h2 id=\"h-comments\">%s <span class=\"comments-count\">(%lld)</span></h2>",
		 web_t(req, "comments.heading"), (long long)pg->total);
	if (pg->n == 0 && !pg->has_prev)
		html_fmt(b, "<p class=\"empty\">%s</p>", web_t(req, "comments.empty"));
	if (pg->n) {
		HTML("<ol class=\"comment-list\">");
		for (int i = 0; i < pg->n; i++)
			one_comment(b, req, v, &pg->items[i]);
		HTML("</ol>");
	}
	if (pg->has_prev || pg->next_after) {
		html_fmt(b, "<nav class=\"pagination\" aria-label=\"%s\"><p class=\"actions\">",
			 web_t(req, "comments.pagination"));
		if (pg->has_prev) {
			HTML("<a");
			html_href(b, arena_printf(a, "%s#commentaires", path));
			html_fmt(b, ">%s</a>", web_t(req, "comments.first"));
		}
		if (pg->next_after) {
			HTML("<a rel=\"next\"");
			html_href(b, arena_printf(a, "%s?apres=%lld#commentaires", path,
						  (long long)pg->next_after));
			html_fmt(b, ">%s</a>", web_t(req, "comments.next"));
		}
		HTML("</p></nav>");
	}
	html_fmt(b, "<h3 id=\"h-comment-add\">%s</h3>", web_t(req, "comments.add"));
	if (!v->signed_in) {
		HTML("<p><a class=\"button\"");
		html_href(b, arena_printf(a, "/connexion?suite=%s",
					  url_arg(a, arena_printf(a, "%s#commentaires", path))));
		html_fmt(b, ">%s</a></p></section>", web_t(req, "comments.login"));
		return;
	}
	struct form_ctx fc = { b, req, NULL, "comment-" };
	form_start(&fc, "/commentaires", false);
	form_hidden(&fc, "kind", v->subject->kind);
	form_hidden(&fc, "subject", arena_printf(a, "%lld", (long long)v->subject->id));
	struct field_spec f = { "body", "comments.field.body", "textarea", "", "comments.field.body_hint",
				NULL, true, COMMENTS_BODY_MAX };
	form_field(&fc, &f);
	form_end(&fc, "comments.submit");
	HTML("</section>");
}

/* ---- pages of their own ------------------------------------------------------------------------ */

static void back_link(struct buf *b, struct request *req, const struct comment_subject *s,
		      const char *anchor)
{
	HTML("<p class=\"lead\"><a");
	html_href(b, arena_printf(req->arena, "%s%s", view_comments_subject_path(req, s), anchor));
	html_fmt(b, ">%s</a></p>", s->title);
}

void view_comments_form(struct buf *b, struct request *req, const struct comments_form_view *v)
{
	struct arena *a = req->arena;
	const char *title = web_t(req, v->c ? "comments.edit.title" : "comments.new.title");
	view_layout_start(b, req, arena_printf(a, "%s · %s", title, v->subject->title));
	html_fmt(b, "<h1>%s</h1>", title);
	back_link(b, req, v->subject,
		  v->c ? arena_printf(a, "#c-%lld", (long long)v->c->id) : "#commentaires");
	struct form_ctx fc = { b, req, v->fe, NULL };
	static const char *const labels[] = { "body", "comments.field.body", NULL };
	form_start(&fc, v->c ? arena_printf(a, "/commentaires/%lld/modifier", (long long)v->c->id)
			     : "/commentaires",
		   false);
	form_errors_summary(&fc, labels);
	if (!v->c) {
		form_hidden(&fc, "kind", v->subject->kind);
		form_hidden(&fc, "subject", arena_printf(a, "%lld", (long long)v->subject->id));
		if (v->parent_id)
			form_hidden(&fc, "parent", arena_printf(a, "%lld", (long long)v->parent_id));
	}
	struct field_spec f = { "body", "comments.field.body", "textarea", v->body,
				"comments.field.body_hint", NULL, true, COMMENTS_BODY_MAX };
	form_field(&fc, &f);
	form_end(&fc, v->c ? "comments.edit.submit" : "comments.submit");
	view_layout_end(b, req);
}

void view_comments_delete_confirm(struct buf *b, struct request *req,
				  const struct comment_subject *s, const struct comment *c)
{
	struct arena *a = req->arena;
	const char *title = web_t(req, "comments.delete.title");
	view_layout_start(b, req, arena_printf(a, "%s · %s", title, s->title));
	html_fmt(b, "<h1>%s</h1>", title);
	back_link(b, req, s, arena_printf(a, "#c-%lld", (long long)c->id));
	html_fmt(b, "<blockquote class=\"comment-quote\"><p><span class=\"comment-author\">%s</span></p><p>",
		 author_of(req, c));
	html_safe(b, html_from_text(a, c->body));
	html_fmt(b, "</p></blockquote><p>%s</p>", web_t(req, "comments.delete.lead"));
	struct form_ctx fc = { b, req, NULL, NULL };
	form_start(&fc, arena_printf(a, "/commentaires/%lld/supprimer", (long long)c->id), false);
	html_fmt(b, "<div class=\"actions\"><button type=\"submit\" class=\"danger\">%s</button><a",
		 web_t(req, "comments.delete.submit"));
	html_href(b, arena_printf(a, "%s#c-%lld", view_comments_subject_path(req, s), (long long)c->id));
	html_fmt(b, ">%s</a></div></form>", web_t(req, "common.cancel"));
	view_layout_end(b, req);
}
