/* follows.h (views): the follow box, the home feed, "Mes abonnements", the supporters page, the unsubscribe page, owner tools */
#ifndef KQ_VIEWS_FOLLOWS_H
#define KQ_VIEWS_FOLLOWS_H
#include "web/views/views.h"
#include "core/feed.h"
#include "core/follows.h"

/* The follow form of an organisation or a person. action: where it posts;
 * supporters_url: the supporters page, or NULL when who may not see it. */
void view_follows_box(struct buf *b, struct request *req, const char *action,
		      const struct follow_state *st, const char *supporters_url);

/* The feed's sections on the home page (after the territory's lead).
 * signed_in: the stream is what the person follows. */
void view_follows_feed(struct buf *b, struct request *req, const struct feed_page *f,
		       bool signed_in, bool first_page);

/* Its parts, for a page that keeps the parts everyone sees a few seconds:
 * the highlights (nothing when none), the stream, the events section's
 * start and end (any: some event was listed; otherwise it says there is
 * none) and one list of events (nothing when n is 0; under an h3 of
 * heading_key unless NULL). */
void view_follows_highlights(struct buf *b, struct request *req, const struct feed_page *f);
void view_follows_stream(struct buf *b, struct request *req, const struct feed_page *f,
			 bool signed_in, bool first_page);
void view_follows_events_start(struct buf *b, struct request *req);
void view_follows_events_list(struct buf *b, struct request *req, const struct feed_event *events,
			      int n, const char *heading_key);
void view_follows_events_end(struct buf *b, struct request *req, bool any);

void view_follows_mine(struct buf *b, struct request *req, const struct follow *items, int n);

struct follows_supporters_view {
	const char *org_name, *org_slug;
	struct follow_state st;
	const struct follow_announcement *items;
	int n;
};
void view_follows_supporters(struct buf *b, struct request *req,
			     const struct follows_supporters_view *v);

/* done: after the POST; else the confirmation form (action = its own URL). */
void view_follows_unsubscribe(struct buf *b, struct request *req, const struct follow *f,
			      const char *action, bool done);

/* Owner tools under a post or event: announce (when not announced yet),
 * pin/unpin (may_pin). Writes nothing when there is nothing to offer. */
struct follows_tools_view {
	const char *announce_action;      /* NULL: may not announce */
	int64_t announced_at;             /* 0: not yet */
	int64_t opted_in;
	const char *pin_action;           /* NULL: may not pin */
	bool pinned;
};
void view_follows_tools(struct buf *b, struct request *req, const struct follows_tools_view *v);

#endif
