/* feed.c: the home feed: followed posts by cursor, pinned highlights, upcoming events, suggestions.
 *
 * Designed for a busy home page (a person following 50 organisations among
 * 200,000 posts, bench/seed-social.sql): walking the whole wall backwards
 * and keeping the followed posts reads thousands of index entries per page
 * when one follows 50 organisations of 10,000 (8 ms measured on SQLite);
 * the stream instead seeks each followed organisation's posts in posts_org
 * (and each followed person's in posts_author), index only, and lets the
 * sorter keep the newest page (about 80 us measured). A page costs four or
 * five statements, all inside one read (db_read_run). */
#include "feed.h"
#include "follows.h"
#include "base/log.h"
#include "base/timefmt.h"
#include <stdio.h>
#include <string.h>

#define POST_COLS                                                                                \
	"p.id, p.slug, p.title, substr(p.body, 1, 400), p.published_at,"                         \
	" COALESCE(p.pinned_at, 0), COALESCE(p.org_id, 0), COALESCE(o.slug, ''),"                \
	" COALESCE(o.name, ''), COALESCE(o.kind, ''), COALESCE(p.author_id, 0),"                 \
	" COALESCE(au.display_name, '')"
#define POST_JOINS                                                                               \
	" LEFT JOIN organisations o ON o.id = p.org_id"                                          \
	" LEFT JOIN accounts au ON au.id = p.author_id AND p.org_id IS NULL"
/* $2, $3: the cursor (published_at, id) of the last post shown. */
#define STREAM_WHERE                                                                             \
	" WHERE p.status = 'published' AND p.hidden_at IS NULL AND p.pinned_at IS NULL"          \
	" AND (p.published_at < $2 OR (p.published_at = $2 AND p.id < $3))"                     \
	" AND o.hidden_at IS NULL"

/* The next $4 candidates after the cursor, from the person's home timeline
 * (migration 0029: one index range, whatever they follow). Each candidate
 * comes back with its row and whether it may be shown (published, not hidden,
 * not pinned, of no hidden organisation): the few refused ones are skipped in
 * C and the walk goes on from the last candidate. (Before the timeline, the
 * stream sought each followed organisation's posts: about a thousand index
 * entries a page for 50 organisations, 0.3 ms on the benchmark.) */
static const struct db_sql SQL_STREAM_FOLLOWED = { "feed_stream_followed",
	"SELECT c.t, c.id, p.status = 'published' AND p.hidden_at IS NULL AND p.pinned_at IS NULL"
	" AND (o.id IS NULL OR o.hidden_at IS NULL), "
	POST_COLS " FROM (SELECT t.published_at AS t, t.post_id AS id FROM home_timeline t"
	"  WHERE t.account_id = $1"
	"  AND (t.published_at < $2 OR (t.published_at = $2 AND t.post_id < $3))"
	"  ORDER BY t.published_at DESC, t.post_id DESC LIMIT $4) c"
	" JOIN posts p ON p.id = c.id" POST_JOINS
	" ORDER BY c.t DESC, c.id DESC" };
/* $1 is unused here but kept so both streams bind alike. */
static const struct db_sql SQL_STREAM_PUBLIC = { "feed_stream_public",
	"SELECT " POST_COLS " FROM posts p" POST_JOINS STREAM_WHERE
	" AND CAST($1 AS BIGINT) >= 0"
	" ORDER BY p.published_at DESC, p.id DESC LIMIT $4" };
/* Walks posts_pinned (few rows) newest pin first; CROSS JOIN and "|| ''"
 * keep SQLite from starting at the public bodies or at posts_feed, each
 * 30 ms on the bench's 200,000 posts. */
static const struct db_sql SQL_HIGHLIGHTS = { "feed_highlights",
	"SELECT " POST_COLS " FROM posts p CROSS JOIN organisations o"
	" LEFT JOIN accounts au ON au.id = p.author_id"
	" WHERE o.id = p.org_id AND p.pinned_at IS NOT NULL AND p.status || '' = 'published'"
	" AND p.hidden_at IS NULL AND o.kind = 'public_body' AND o.hidden_at IS NULL"
	" ORDER BY p.pinned_at DESC, p.id DESC LIMIT $1" };
static const struct db_sql SQL_NEWEST = { "feed_newest",
	"SELECT published_at, id FROM posts WHERE status = 'published'"
	" ORDER BY published_at DESC, id DESC LIMIT 1" };
static const struct db_sql SQL_FOLLOWS_ANY = { "feed_follows_any",
	"SELECT 1 FROM follows WHERE follower_id = $1 LIMIT 1" };

/* The territory's next dates walk event_dates_agenda from now and stop at
 * the limit; CROSS JOIN keeps SQLite from starting at events_status (every
 * published event, 70 ms on the bench's 20,000). The followed ones start
 * at the followed organisations instead (events_org_status). */
#define EVENT_COLS                                                                               \
	"SELECT e.id, e.slug, e.title, o.slug, o.name, COALESCE(c.name, ''), d.starts_at"        \
	" FROM event_dates d CROSS JOIN events e CROSS JOIN organisations o"                     \
	" LEFT JOIN communes c ON c.id = e.commune_id"                                           \
	" WHERE e.id = d.event_id AND o.id = e.org_id"                                           \
	" AND d.starts_at >= $2 AND d.cancelled = 0 AND e.status IN ('published', 'postponed')" \
	" AND e.hidden_at IS NULL AND o.hidden_at IS NULL"
static const struct db_sql SQL_EVENTS_FOLLOWED = { "feed_events_followed",
	"SELECT e.id, e.slug, e.title, o.slug, o.name, COALESCE(c.name, ''), d.starts_at"
	" FROM follows f CROSS JOIN events e CROSS JOIN organisations o CROSS JOIN event_dates d"
	" LEFT JOIN communes c ON c.id = e.commune_id"
	" WHERE f.follower_id = $1 AND f.target_kind = 'org' AND e.org_id = f.target_id"
	" AND o.id = e.org_id AND d.event_id = e.id"
	" AND d.starts_at >= $2 AND d.cancelled = 0 AND e.status IN ('published', 'postponed')"
	" AND e.hidden_at IS NULL AND o.hidden_at IS NULL"
	" ORDER BY d.starts_at, d.id LIMIT $3" };
static const struct db_sql SQL_EVENTS_TERRITORY = { "feed_events_territory",
	EVENT_COLS " AND CAST($1 AS BIGINT) >= 0 ORDER BY d.starts_at, d.id LIMIT $3" };

static const struct db_sql SQL_SUGGESTIONS = { "feed_suggestions",
	"SELECT o.id, o.slug, o.name, o.kind, o.summary,"
	" (SELECT COUNT(*) FROM follows c WHERE c.target_kind = 'org' AND c.target_id = o.id)"
	" AS n FROM organisations o WHERE o.hidden_at IS NULL"
	" AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1"
	"   AND f.target_kind = 'org' AND f.target_id = o.id)"
	" ORDER BY CASE WHEN o.kind = 'public_body' THEN 0 ELSE 1 END, n DESC, lower(o.name), o.id"
	" LIMIT $2" };

static bool parse_cursor(const char *c, int64_t *out_t, int64_t *out_id)
{
	*out_t = INT64_MAX;
	*out_id = INT64_MAX;
	if (!c || !*c)
		return true;
	if (strlen(c) > FEED_CURSOR_MAX)
		return false;
	int64_t v[2] = { 0, 0 };
	int k = 0, digits = 0;
	for (const char *p = c;; p++) {
		if (*p >= '0' && *p <= '9') {
			if (++digits > 18)
				return false;
			v[k] = v[k] * 10 + (*p - '0');
		} else if ((*p == '-' && k == 0) || *p == 0) {
			if (!digits)
				return false;
			if (*p == 0)
				break;
			k++;
			digits = 0;
		} else {
			return false;
		}
	}
	if (k != 1)
		return false;
	*out_t = v[0];
	*out_id = v[1];
	return true;
}

bool feed_cursor_valid(const char *cursor)
{
	int64_t t, id;
	return parse_cursor(cursor, &t, &id);
}

/* POST_COLS from column k on. */
static void read_post_at(struct db_stmt *st, int k, struct arena *a, struct feed_post *p)
{
	p->id = db_col_i64(st, k + 0);
	p->slug = db_col_str(st, k + 1, a);
	p->title = db_col_str(st, k + 2, a);
	p->excerpt = db_col_str(st, k + 3, a);
	p->published_at = db_col_i64(st, k + 4);
	p->pinned_at = db_col_i64(st, k + 5);
	p->org_id = db_col_i64(st, k + 6);
	p->org_slug = db_col_str(st, k + 7, a);
	p->org_name = db_col_str(st, k + 8, a);
	p->org_kind = db_col_str(st, k + 9, a);
	p->author_id = db_col_i64(st, k + 10);
	p->author_name = db_col_str(st, k + 11, a);
}

static void read_post(struct db_stmt *st, struct arena *a, struct feed_post *p)
{
	read_post_at(st, 0, a, p);
}

/* The followed stream: rounds of candidates until need posts may be shown
 * or the candidates run out (a round is short only when a candidate was
 * hidden or pinned, which is rare). */
#define STREAM_SLACK 2
#define STREAM_ROUNDS 16

/* [out] *out_more: when the rounds ran out before need posts and before the
 * end, the cursor of the last candidate read, so that the page still links
 * to what follows (a short page, never a feed that stops early). */
static enum db_status followed_stream(struct db *db, struct arena *a, int64_t me, int64_t t,
				      int64_t id, int need, struct feed_post **out, int *out_n,
				      const char **out_more)
{
	struct feed_post *v = arena_alloc(a, sizeof(*v) * (size_t)need);
	int n = 0;
	bool ended = false;
	*out = v;
	*out_n = 0;
	*out_more = NULL;
	for (int round = 0; round < STREAM_ROUNDS && n < need && !ended; round++) {
		int batch = need - n + STREAM_SLACK;
		struct db_stmt *st = db_stmt(db, &SQL_STREAM_FOLLOWED);
		db_bind_i64(st, 1, me);
		db_bind_i64(st, 2, t);
		db_bind_i64(st, 3, id);
		db_bind_i64(st, 4, batch);
		int got = 0;
		enum db_status s = DB_NONE;
		while ((s = db_step(st)) == DB_ROW) {
			got++;
			t = db_col_i64(st, 0);
			id = db_col_i64(st, 1);
			if (n < need && db_col_bool(st, 2))
				read_post_at(st, 3, a, &v[n++]);
		}
		db_reset(st);
		if (s < 0)
			return s;
		ended = got < batch;   /* nothing older */
	}
	*out_n = n;
	if (n < need && !ended)
		*out_more = arena_printf(a, "%lld-%lld", (long long)t, (long long)id);
	return DB_NONE;
}

static enum db_status collect_posts(struct db_stmt *st, struct arena *a, int cap,
				    struct feed_post **out, int *out_n)
{
	struct feed_post *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	int n = 0;
	enum db_status s = DB_NONE;
	while (n < cap && (s = db_step(st)) == DB_ROW)
		read_post(st, a, &v[n++]);
	if (n == cap)
		s = DB_NONE;
	db_reset(st);
	*out = v;
	*out_n = n;
	return s < 0 ? s : DB_NONE;
}

/* Appends the event dates of st to out, one per event (a series shows its
 * next date only), up to FEED_EVENTS. */
static enum db_status collect_events(struct db_stmt *st, struct arena *a, bool followed,
				     struct feed_event *out, int *n)
{
	enum db_status s = DB_NONE;
	while (*n < FEED_EVENTS && (s = db_step(st)) == DB_ROW) {
		int64_t id = db_col_i64(st, 0);
		bool seen = false;
		for (int i = 0; i < *n; i++)
			seen = seen || out[i].id == id;
		if (seen)
			continue;
		struct feed_event *e = &out[(*n)++];
		e->id = id;
		e->slug = db_col_str(st, 1, a);
		e->title = db_col_str(st, 2, a);
		e->org_slug = db_col_str(st, 3, a);
		e->org_name = db_col_str(st, 4, a);
		e->commune_name = db_col_str(st, 5, a);
		e->starts_at = db_col_i64(st, 6);
		e->followed = followed;
	}
	if (*n >= FEED_EVENTS)
		s = DB_NONE;
	db_reset(st);
	return s < 0 ? s : DB_NONE;
}

struct feed_call {
	const struct actor *who;
	struct arena *a;
	int64_t after_t, after_id;
	bool first;
	int limit;
	unsigned parts;
	struct feed_page *out;
};

static enum db_status events_txn(struct db *db, struct feed_call *c, int64_t me)
{
	struct feed_page *out = c->out;
	int64_t now = time_now();
	out->events = arena_alloc(c->a, sizeof(*out->events) * FEED_EVENTS);
	enum db_status s = DB_NONE;
	struct db_stmt *st;
	if (me && (c->parts & FEED_EVENTS_FOLLOWED)) {
		st = db_stmt(db, &SQL_EVENTS_FOLLOWED);
		db_bind_i64(st, 1, me);
		db_bind_i64(st, 2, now);
		db_bind_i64(st, 3, FEED_EVENTS * 3);
		if ((s = collect_events(st, c->a, true, out->events, &out->nevents)) < 0)
			return s;
	}
	if (out->nevents < FEED_EVENTS && (c->parts & FEED_EVENTS_TERRITORY)) {
		/* Nearby: the territory's next dates (accounts have no commune yet). */
		st = db_stmt(db, &SQL_EVENTS_TERRITORY);
		db_bind_i64(st, 1, me);
		db_bind_i64(st, 2, now);
		db_bind_i64(st, 3, FEED_EVENTS * 4);
		if ((s = collect_events(st, c->a, false, out->events, &out->nevents)) < 0)
			return s;
	}
	return DB_NONE;
}

static enum db_status suggestions_txn(struct db *db, struct feed_call *c, int64_t me)
{
	struct feed_page *out = c->out;
	struct db_stmt *st = db_stmt(db, &SQL_SUGGESTIONS);
	db_bind_i64(st, 1, me);
	db_bind_i64(st, 2, FEED_SUGGESTIONS);
	out->suggestions = arena_alloc(c->a, sizeof(*out->suggestions) * FEED_SUGGESTIONS);
	enum db_status s = DB_NONE;
	while (out->nsuggestions < FEED_SUGGESTIONS && (s = db_step(st)) == DB_ROW) {
		struct feed_suggestion *g = &out->suggestions[out->nsuggestions++];
		g->id = db_col_i64(st, 0);
		g->slug = db_col_str(st, 1, c->a);
		g->name = db_col_str(st, 2, c->a);
		g->kind = db_col_str(st, 3, c->a);
		g->summary = db_col_str(st, 4, c->a);
		g->followers = db_col_i64(st, 5);
	}
	if (out->nsuggestions >= FEED_SUGGESTIONS)
		s = DB_NONE;
	db_reset(st);
	return s < 0 ? s : DB_NONE;
}

static enum db_status feed_txn(struct db *db, void *cls)
{
	struct feed_call *c = cls;
	struct feed_page *out = c->out;
	int64_t me = c->who && c->who->account_id ? c->who->account_id : 0;
	const char *more = NULL;
	enum db_status s = DB_NONE;
	memset(out, 0, sizeof(*out));

	struct db_stmt *st;
	if (me) {
		s = followed_stream(db, c->a, me, c->after_t, c->after_id, c->limit + 1, &out->items,
				    &out->n, &more);
	} else {
		st = db_stmt(db, &SQL_STREAM_PUBLIC);
		db_bind_i64(st, 1, me);
		db_bind_i64(st, 2, c->after_t);
		db_bind_i64(st, 3, c->after_id);
		db_bind_i64(st, 4, c->limit + 1);
		s = collect_posts(st, c->a, c->limit + 1, &out->items, &out->n);
	}
	if (s < 0)
		return s;
	if (out->n > c->limit) {
		out->n = c->limit;
		const struct feed_post *last = &out->items[out->n - 1];
		out->next = arena_printf(c->a, "%lld-%lld", (long long)last->published_at,
					 (long long)last->id);
	} else {
		out->next = more;
	}
	if (!c->first)
		return DB_NONE;

	if (c->parts & FEED_HIGHLIGHTS_PART) {
		st = db_stmt(db, &SQL_HIGHLIGHTS);
		db_bind_i64(st, 1, FEED_HIGHLIGHTS);
		if ((s = collect_posts(st, c->a, FEED_HIGHLIGHTS, &out->highlights,
				       &out->nhighlights)) < 0)
			return s;
	}
	if ((s = events_txn(db, c, me)) < 0)
		return s;
	if (me && out->n == 0) {
		st = db_stmt(db, &SQL_FOLLOWS_ANY);
		db_bind_i64(st, 1, me);
		s = db_step(st);
		db_reset(st);
		if (s < 0)
			return s;
		out->follows_nothing = s == DB_NONE;
		if (out->follows_nothing && (s = suggestions_txn(db, c, me)) < 0)
			return s;
	}
	return DB_NONE;
}

enum kq_err feed_home(struct db *db, const struct actor *who, struct arena *a,
		      const char *cursor, int limit, struct feed_page *out)
{
	return feed_home_parts(db, who, a, cursor, limit, FEED_ALL, out);
}

enum kq_err feed_home_parts(struct db *db, const struct actor *who, struct arena *a,
			    const char *cursor, int limit, unsigned parts, struct feed_page *out)
{
	memset(out, 0, sizeof(*out));
	struct feed_call c = { .who = who, .a = a, .out = out, .parts = parts };
	if (!parse_cursor(cursor, &c.after_t, &c.after_id))
		return KQ_ERR_BAD_REQUEST;
	c.first = !cursor || !*cursor;
	c.limit = limit <= 0 ? FEED_PAGE : limit > FEED_PAGE * 5 ? FEED_PAGE * 5 : limit;
	if (db_read_run(db, "feed_home", feed_txn, &c) < 0) {
		log_error("feed_home: %s", db_errmsg(db));
		return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}

enum kq_err feed_public_version(struct db *db, int64_t *out_t, int64_t *out_id)
{
	*out_t = 0;
	*out_id = 0;
	struct db_stmt *st = db_stmt(db, &SQL_NEWEST);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		*out_t = db_col_i64(st, 0);
		*out_id = db_col_i64(st, 1);
	}
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

/* ---- the home timeline: fan-out on write ------------------------------------------------------ */

static const struct db_sql SQL_TL_POST_ORG = { "feed_tl_post_org",
	"INSERT INTO home_timeline (account_id, published_at, post_id)"
	" SELECT f.follower_id, p.published_at, p.id FROM posts p JOIN follows f"
	" ON f.target_kind = 'org' AND f.target_id = p.org_id"
	" WHERE p.id = $1 AND p.status = 'published' AND p.published_at IS NOT NULL"
	" ON CONFLICT DO NOTHING" };
static const struct db_sql SQL_TL_POST_AUTHOR = { "feed_tl_post_author",
	"INSERT INTO home_timeline (account_id, published_at, post_id)"
	" SELECT f.follower_id, p.published_at, p.id FROM posts p JOIN follows f"
	" ON f.target_kind = 'account' AND f.target_id = p.author_id"
	" WHERE p.id = $1 AND p.org_id IS NULL AND p.status = 'published'"
	" AND p.published_at IS NOT NULL ON CONFLICT DO NOTHING" };
static const struct db_sql SQL_TL_FOLLOW_ORG = { "feed_tl_follow_org",
	"INSERT INTO home_timeline (account_id, published_at, post_id)"
	" SELECT $1, p.published_at, p.id FROM posts p WHERE p.org_id = $2"
	" AND p.status = 'published' AND p.published_at IS NOT NULL"
	" ORDER BY p.published_at DESC, p.id DESC LIMIT $3 ON CONFLICT DO NOTHING" };
static const struct db_sql SQL_TL_FOLLOW_ACCOUNT = { "feed_tl_follow_account",
	"INSERT INTO home_timeline (account_id, published_at, post_id)"
	" SELECT $1, p.published_at, p.id FROM posts p WHERE p.author_id = $2 AND p.org_id IS NULL"
	" AND p.status = 'published' AND p.published_at IS NOT NULL"
	" ORDER BY p.published_at DESC, p.id DESC LIMIT $3 ON CONFLICT DO NOTHING" };
static const struct db_sql SQL_TL_UNFOLLOW_ORG = { "feed_tl_unfollow_org",
	"DELETE FROM home_timeline WHERE account_id = $1"
	" AND post_id IN (SELECT id FROM posts WHERE org_id = $2)" };
static const struct db_sql SQL_TL_UNFOLLOW_ACCOUNT = { "feed_tl_unfollow_account",
	"DELETE FROM home_timeline WHERE account_id = $1"
	" AND post_id IN (SELECT id FROM posts WHERE author_id = $2 AND org_id IS NULL)" };

enum db_status feed_timeline_add_post(struct db *db, int64_t post_id)
{
	struct db_stmt *st = db_stmt(db, &SQL_TL_POST_ORG);
	db_bind_i64(st, 1, post_id);
	enum db_status s = db_run(st);
	if (s < 0)
		return s;
	st = db_stmt(db, &SQL_TL_POST_AUTHOR);
	db_bind_i64(st, 1, post_id);
	return db_run(st);
}

static bool is_org(const char *kind)
{
	return strcmp(kind, "org") == 0;
}

enum db_status feed_timeline_follow(struct db *db, int64_t account_id, const char *kind,
				    int64_t target_id)
{
	struct db_stmt *st = db_stmt(db, is_org(kind) ? &SQL_TL_FOLLOW_ORG : &SQL_TL_FOLLOW_ACCOUNT);
	db_bind_i64(st, 1, account_id);
	db_bind_i64(st, 2, target_id);
	db_bind_i64(st, 3, FEED_TIMELINE_BACKFILL);
	return db_run(st);
}

enum db_status feed_timeline_unfollow(struct db *db, int64_t account_id, const char *kind,
				      int64_t target_id)
{
	struct db_stmt *st = db_stmt(db, is_org(kind) ? &SQL_TL_UNFOLLOW_ORG : &SQL_TL_UNFOLLOW_ACCOUNT);
	db_bind_i64(st, 1, account_id);
	db_bind_i64(st, 2, target_id);
	return db_run(st);
}
