/* comments.h (views): the comments section of a post, event or campaign page, the "J'aime" button, the comment form page, the delete confirmation */
#ifndef KQ_VIEWS_COMMENTS_H
#define KQ_VIEWS_COMMENTS_H
#include "web/views/views.h"
#include "core/comments.h"

/* The page of a subject: "/actualites/<slug>", "/evenements/<slug>" or
 * "/soutenir/<slug>" (in the request's arena). */
const char *view_comments_subject_path(struct request *req, const struct comment_subject *s);

/* The section at the end of a subject's page: heading with the count, the
 * threads of this page, links to the other pages, the add form for who is
 * signed in, else a link to log in that comes back here. */
struct comments_section_view {
	const struct comment_subject *subject;
	const struct comment_page *page;
	bool signed_in;
};
void view_comments_section(struct buf *b, struct request *req, const struct comments_section_view *v);

/* The "J'aime" button of a subject (kind, id), with its count: a form that
 * works without JavaScript for who is signed in, the count alone for a
 * visitor (nothing when there is none). about: what is liked, for screen readers ("" when the button is
 * clear alone). anchor: the element id of the block (may be NULL). */
struct comments_like_view {
	const char *kind;
	int64_t id;
	int64_t count;
	bool liked, signed_in;
	const char *about;
	const char *anchor;
};
void view_comments_like(struct buf *b, struct request *req, const struct comments_like_view *v);

/* A page with one comment form: a new comment or reply refused (the text
 * again with the reason next to it), or the edit form (c != NULL). */
struct comments_form_view {
	const struct comment_subject *subject;
	const struct comment *c;          /* edit: the comment */
	int64_t parent_id;                /* new: the comment replied to (0: none) */
	const char *body;                 /* what the field shows */
	const struct field_errors *fe;
};
void view_comments_form(struct buf *b, struct request *req, const struct comments_form_view *v);
void view_comments_delete_confirm(struct buf *b, struct request *req,
				  const struct comment_subject *s, const struct comment *c);
#endif
