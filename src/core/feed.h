/* feed.h: the home feed ("Accueil"): what a person follows, the territory's highlights, upcoming events; the public feed for visitors.
 *
 * A signed-in person's stream holds the published posts of the
 * organisations they follow (not hidden by a moderator) and the posts
 * people they follow wrote in their own name (posts with no organisation);
 * a visitor's stream holds every published post of the territory. Hidden
 * posts, and posts of hidden organisations, never appear.
 *
 * Pages run newest first by (published_at, id) and continue after a cursor
 * naming the last post shown, never with an OFFSET: a post published while
 * someone reads is newer than every cursor, so it never shifts the next
 * page (INVARIANT(feed-cursor), test_follows.c). The first page also
 * carries the highlights (published posts of public bodies pinned by them,
 * kept out of the stream so they are not shown twice) and the upcoming
 * events: of followed organisations first, then the territory's. */
#ifndef KQ_FEED_H
#define KQ_FEED_H
#include "core.h"

#define FEED_PAGE 20
#define FEED_HIGHLIGHTS 5
#define FEED_EVENTS 5
#define FEED_SUGGESTIONS 5
#define FEED_CURSOR_MAX 48

/* A post in the feed. Strings are never NULL. */
struct feed_post {
	int64_t id;
	const char *slug, *title;
	const char *excerpt;          /* the start of the body, Markdown as typed */
	int64_t published_at;
	int64_t pinned_at;            /* 0: not pinned */
	int64_t org_id;               /* 0: a person's own post */
	const char *org_slug, *org_name, *org_kind;   /* "" for a person's post */
	int64_t author_id;            /* 0: account deleted */
	const char *author_name;      /* for a person's own post (org_id 0); "" otherwise */
};

/* One coming date of an event. */
struct feed_event {
	int64_t id;
	const char *slug, *title, *org_slug, *org_name, *commune_name;
	int64_t starts_at;
	bool followed;                /* of an organisation the person follows */
};

/* An organisation to suggest to someone who follows nothing yet. */
struct feed_suggestion {
	int64_t id;
	const char *slug, *name, *kind, *summary;
	int64_t followers;
};

struct feed_page {
	struct feed_post *highlights; /* first page only */
	int nhighlights;
	struct feed_post *items;
	int n;
	const char *next;             /* cursor of the next page; NULL: this is the last */
	struct feed_event *events;    /* first page only */
	int nevents;
	bool follows_nothing;         /* signed in, and following nobody */
	struct feed_suggestion *suggestions;   /* first page, when follows_nothing */
	int nsuggestions;
};

/* The parts of a first page, for a page that keeps the parts everyone sees
 * (highlights, the territory's events) a few seconds and asks only for the
 * person's own. Later pages are the stream only. */
enum {
	FEED_HIGHLIGHTS_PART = 1 << 0,
	FEED_EVENTS_FOLLOWED = 1 << 1,    /* of followed organisations (signed in) */
	FEED_EVENTS_TERRITORY = 1 << 2,   /* the territory's, to fill up to FEED_EVENTS */
	FEED_ALL = FEED_HIGHLIGHTS_PART | FEED_EVENTS_FOLLOWED | FEED_EVENTS_TERRITORY,
};

/* Is cursor well formed ("<published_at>-<id>")? NULL or "" is the first page. */
bool feed_cursor_valid(const char *cursor);

/* The home feed of who (a visitor: the territory's public feed), page after
 * cursor (NULL or "": the first). limit: 1..FEED_PAGE*5 (0: FEED_PAGE).
 * [out] *out (in a). Errors: BAD_REQUEST (malformed cursor), INTERNAL. */
enum kq_err feed_home(struct db *db, const struct actor *who, struct arena *a,
		      const char *cursor, int limit, struct feed_page *out);

/* feed_home with only the given parts of the first page (the stream and the
 * suggestions always). */
enum kq_err feed_home_parts(struct db *db, const struct actor *who, struct arena *a,
			    const char *cursor, int limit, unsigned parts, struct feed_page *out);

/* The newest published post (published_at, id; 0, 0 when none): a new post
 * changes it, so a cache of the visitors' feed keyed by it shows a new post
 * at once. Errors: INTERNAL. */
enum kq_err feed_public_version(struct db *db, int64_t *out_t, int64_t *out_id);

/* ---- the home timeline (migration 0029): written in the caller's transaction ---- */
/* Adds post_id, when it is published, to the timeline of everyone who follows its organisation
 * (or, a citizen's post, its author). Idempotent. */
enum db_status feed_timeline_add_post(struct db *db, int64_t post_id);
/* account_id now follows (kind "org" | "account", target_id): that target's published posts join
 * its timeline (the newest FEED_TIMELINE_BACKFILL). Idempotent. */
enum db_status feed_timeline_follow(struct db *db, int64_t account_id, const char *kind,
				    int64_t target_id);
/* account_id no longer follows target: its posts leave the timeline. */
enum db_status feed_timeline_unfollow(struct db *db, int64_t account_id, const char *kind,
				      int64_t target_id);
#define FEED_TIMELINE_BACKFILL 500

#endif
