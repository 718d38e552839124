/* people.c: a person's public profile page (/personnes/{id}): only what they chose to show by posting.
 *
 * The page shows the display name, the visible organisations the person
 * belongs to and the posts they published in their own name, a page at a
 * time after a cursor. Never the email, nor anything of their account. A
 * suspended or deleted account has no page (404). */
#include "web/pages.h"
#include "web/views/people.h"
#include "base/str.h"
#include <string.h>

#define PEOPLE_POSTS_PAGE 10

void web_people_show(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	int64_t id = 0;
	if (!str_to_i64(http_param(req, "id"), &id) || id <= 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	struct person person;
	enum kq_err e = posts_person_get(w->db, req->arena, id, &person);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	struct people_show_view v = { .person = &person };
	struct post_filter f = { .author_id = id, .limit = PEOPLE_POSTS_PAGE };
	const char *cursor = http_query(req, "avant");
	if (cursor && *cursor)
		v.from_cursor = posts_cursor_parse(cursor, &f.before_published_at, &f.before_id);
	struct post *items;
	int64_t total;
	e = posts_wall(w->db, req->arena, &f, &items, &v.nposts, &total, &v.more);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v.posts = items;
	/* ---- page sections of other areas: one line each fills a slot of the view ---- */
	v.slot_follow = web_follows_person_section(req, id);
	/* ---- end page sections ---- */
	view_people_show(&res->body, req, &v);
}
