/* people.h (views): a person's public profile page: their name, their organisations, their posts */
#ifndef KQ_VIEWS_PEOPLE_H
#define KQ_VIEWS_PEOPLE_H
#include "web/views/views.h"
#include "core/posts.h"

struct people_show_view {
	const struct person *person;
	const struct post *posts;          /* their own published posts, newest first */
	int nposts;
	bool more;                         /* older posts follow */
	bool from_cursor;                  /* this page came after a cursor */
	/* Sections other areas render whole (HTML, already escaped), set by the page's handler in its
	 * marked block; NULL: nothing. */
	struct safe_html slot_follow;      /* follows: the follow button and the count of followers */
};
void view_people_show(struct buf *b, struct request *req, const struct people_show_view *v);
#endif
