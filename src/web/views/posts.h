/* posts.h (views): the news wall with its cursor, the Atom feeds of posts, a post's page with Open Graph, the post form, the delete confirmation, an organisation's latest posts */
#ifndef KQ_VIEWS_POSTS_H
#define KQ_VIEWS_POSTS_H
#include "web/views/views.h"
#include "core/orgs.h"
#include "core/posts.h"
#include "core/territory.h"
#include "web/views/feeds.h"

#define POSTS_WALL_PAGE 20
#define POSTS_EXCERPT_CHARS 300     /* code points of the body shown on the wall */
#define POSTS_ORG_LATEST 3          /* posts on the organisation's page */

struct posts_wall_view {
	const struct post *items;
	int n;
	int64_t total;
	bool more;                         /* older posts follow: "Plus anciennes" */
	bool from_cursor;                  /* this page came after a cursor: link to the newest */
	const char *commune, *kind;        /* the filters as typed ("" when none) */
	const struct commune *communes;
	int ncommunes;
	bool can_write;                    /* signed in: a link to write a post */
};
void view_posts_wall(struct buf *b, struct request *req, const struct posts_wall_view *v);

struct posts_show_view {
	const struct post *p;
	bool can_edit;
	/* Sections other areas render whole (HTML, already escaped), set by the page's handler in its
	 * marked block; NULL: nothing. */
	struct safe_html slot_tools;     /* follows: pin and announce-to-followers buttons, for those who may */
	struct safe_html slot_reactions; /* comments: the like button and count, under the post */
	struct safe_html slot_comments; /* comments: the conversation, at the end */
};
void view_posts_show(struct buf *b, struct request *req, const struct posts_show_view *v);

/* The new form (p == NULL: for org, or with org NULL a citizen's post in
 * their own name) or the edit form of p. values: what the fields show; fe:
 * errors next to them (may be NULL). */
struct posts_form_view {
	const struct org *org;
	const struct post *p;
	const struct post_input *values;
	const struct field_errors *fe;
};
void view_posts_form(struct buf *b, struct request *req, const struct posts_form_view *v);
void view_posts_delete_confirm(struct buf *b, struct request *req, const struct post *p);

/* "/actualites/<slug>/images/<n>[/vignette]?v=<sha>" of image im of p. */
const char *view_posts_image_url(struct request *req, const struct post *p,
				 const struct post_image *im, bool thumb);
/* One post as a card of a list (the wall, a person's page), its title a
 * heading of the level given (2 or 3). */
void view_posts_card(struct buf *b, struct request *req, const struct post *p, int level);
/* The organisation page's section: its latest posts, with a link to write
 * one when can_publish. Writes nothing when there is none and !can_publish. */
void view_posts_org_latest(struct buf *b, struct request *req, const struct org *o,
			   const struct post *items, int n, bool can_publish);

/* An Atom 1.0 feed of posts (web/views/feeds.c): one entry per post in
 * list order, id the post's URL, updated its last change, content its
 * rendered body (escaped, type="html") with its images. */
void feeds_atom_posts(struct buf *b, struct arena *a, const struct feed_info *fi,
		      const struct post *items, int n);
#endif
