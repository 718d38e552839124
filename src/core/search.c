/* search.c: one search box over organisations and events; the user's words become FTS5 or tsquery text safely.
 *
 * The indexes are kept by the database itself (triggers of migration 0015),
 * so every write to organisations, events and communes is searchable at once
 * and no code path can forget to re-index.
 *
 * Safety: the query language of FTS5 (quotes, *, NEAR, OR, NOT, column
 * filters, ^) and of to_tsquery (& | ! <-> : * quotes) never sees the
 * visitor's text as syntax. The text is cut into words made only of letters
 * and digits (split_words), and each word is written inside quotes (which
 * it cannot contain) with our own prefix marker: `"fete"*` for FTS5,
 * `'fete':*` for to_tsquery. The result is then bound as a parameter like any
 * other value. */
#include "search.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

/* ---- words ------------------------------------------------------------------------------------ */

/* Decodes one code point of valid UTF-8 at s; *len gets its bytes. */
static unsigned decode(const unsigned char *s, int *len)
{
	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xE0) == 0xC0) {
		*len = 2;
		return ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
	}
	if ((s[0] & 0xF0) == 0xE0) {
		*len = 3;
		return ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
	}
	*len = 4;
	return ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) |
	       (s[3] & 0x3Fu);
}

/* Letters and digits (and combining accents) belong to words; ASCII
 * punctuation, Latin-1 symbols (« » ° ×), modifier letters (ʼ), the
 * punctuation and symbol blocks (’ – … € arrows) and emoji separate them,
 * as both tokenizers would. A character this misses is harmless: inside our
 * quotes it can only become a separator, or an empty word that matches
 * nothing (unaccent folds accents after to_tsquery has parsed the quotes). */
static bool word_char(unsigned c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	if (c < 0xC0 || c == 0xD7 || c == 0xF7)
		return false;
	if (c >= 0x2B0 && c <= 0x2FF)      /* spacing modifier letters: ʼ ˈ ˜ */
		return false;
	if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x2E00 && c <= 0x2E7F) ||
	    (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE10 && c <= 0xFE6F) ||
	    (c >= 0xFF00 && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
	    (c >= 0xFF5B && c <= 0xFF65) || (c >= 0xFFF0 && c <= 0xFFFF))
		return false;
	return !(c >= 0x1F000 && c <= 0x1FAFF);
}

/* Splits valid UTF-8 q into its words; false past SEARCH_WORDS_MAX. */
static bool split_words(struct arena *a, const char *q, const char ***out_words, int *out_n)
{
	const char **words = arena_alloc(a, sizeof(*words) * SEARCH_WORDS_MAX);
	int n = 0;
	const unsigned char *p = (const unsigned char *)q, *start = NULL;
	*out_words = words;
	*out_n = 0;
	for (;;) {
		int len = 1;
		bool in_word = *p && word_char(decode(p, &len));
		if (in_word && !start)
			start = p;
		if (!in_word && start) {
			if (n == SEARCH_WORDS_MAX)
				return false;
			words[n++] = arena_strndup(a, (const char *)start, (size_t)(p - start));
			start = NULL;
		}
		if (!*p)
			break;
		p += len;
	}
	*out_n = n;
	return true;
}

bool search_words(struct arena *a, const char *q, const char ***out_words, int *out_n)
{
	*out_words = NULL;
	*out_n = 0;
	if (!q || !str_utf8_valid(q, strlen(q)))
		return true;
	return split_words(a, q, out_words, out_n);
}

/* `"w1"* "w2"*` for FTS5 (implicit AND), `'w1':* & 'w2':*` for to_tsquery.
 * A word of one character is exact: as a prefix it would match half the
 * vocabulary. Words hold only letters and digits, so no quote can close ours. */
static const char *match_text(struct arena *a, enum db_backend b, const char **words, int n)
{
	size_t cap = 1;
	for (int i = 0; i < n; i++)
		cap += strlen(words[i]) + 8;
	char *out = arena_alloc(a, cap), *o = out;
	for (int i = 0; i < n; i++) {
		bool prefix = str_utf8_len(words[i]) >= 2;
		size_t len = strlen(words[i]);
		if (i)
			o = b == DB_SQLITE ? stpcpy(o, " ") : stpcpy(o, " & ");
		*o++ = b == DB_SQLITE ? '"' : '\'';
		memcpy(o, words[i], len);
		o += len;
		*o++ = b == DB_SQLITE ? '"' : '\'';
		if (prefix)
			o = stpcpy(o, b == DB_SQLITE ? "*" : ":*");
	}
	*o = 0;
	return out;
}

/* ---- snippets --------------------------------------------------------------------------------- */

/* Plain text of at most SEARCH_SNIPPET_MAX characters from a summary, or
 * from the start of a Markdown description: its markup signs dropped, lines
 * joined, cut between words with an ellipsis. */
static const char *snippet(struct arena *a, const char *summary, const char *description)
{
	bool md = !summary || !*summary;
	const char *s = md ? (description ? description : "") : summary;
	size_t n = strlen(s);
	char *out = arena_alloc(a, n + 4), *o = out;
	size_t chars = 0;
	char *last_space = NULL;
	bool cut = false;
	for (const char *p = s; *p; p++) {
		char c = *p;
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (md && strchr("#*_`>[]|", c))
			continue;
		if (c == ' ' && (o == out || o[-1] == ' '))
			continue;
		if (((unsigned char)c & 0xC0) != 0x80) {
			if (chars == SEARCH_SNIPPET_MAX) {
				cut = true;
				break;
			}
			chars++;
		}
		if (c == ' ')
			last_space = o;
		*o++ = c;
	}
	/* substr() in SQL may have cut the description itself (400 characters). */
	if (md && str_utf8_len(s) >= 400)
		cut = true;
	if (cut) {
		if (last_space && last_space > out)
			o = last_space;
		while (o > out && o[-1] == ' ')
			o--;
		o = stpcpy(o, "\xE2\x80\xA6");   /* … */
	} else {
		while (o > out && o[-1] == ' ')
			o--;
	}
	*o = 0;
	return out;
}

/* ---- queries ---------------------------------------------------------------------------------- */

/* The ranking is done on the index alone (the innermost query, which alone
 * may call bm25 on SQLite), and only the rows of the page are joined for
 * display: a common word matches thousands of rows, and joining them all
 * cost ten times the ranking. The totals are counted on the index alone,
 * and only when a list is full.
 *
 * $1 the match text, $2 the limit. */
static const struct db_sql SQL_ORGS = { "search_orgs",
	"SELECT o.slug, o.name, o.summary, substr(o.description, 1, 400), COALESCE(c.name, ''),"
	" o.category, o.kind"
	" FROM (SELECT rowid AS id,"
	/* name, summary, description, commune, category */
	"  bm25(search_orgs, 10.0, 4.0, 1.0, 2.0, 2.0) AS r"
	"  FROM search_orgs WHERE search_orgs MATCH $1 ORDER BY r, rowid LIMIT $2) m"
	" JOIN organisations o ON o.id = m.id LEFT JOIN communes c ON c.id = o.commune_id"
	" ORDER BY m.r, m.id",
	"SELECT o.slug, o.name, o.summary, substr(o.description, 1, 400), COALESCE(c.name, ''),"
	" o.category, o.kind"
	" FROM (SELECT f.id,"
	/* weights {D, C, B, A}: description, commune and category, summary, name */
	"  ts_rank('{0.1, 0.2, 0.4, 1.0}', f.search_tsv, q) AS r"
	"  FROM organisations f CROSS JOIN to_tsquery('kq_search', $1) AS q"
	"  WHERE f.search_tsv @@ q ORDER BY r DESC, f.id LIMIT $2) m"
	" JOIN organisations o ON o.id = m.id LEFT JOIN communes c ON c.id = o.commune_id"
	" ORDER BY m.r DESC, m.id" };
static const struct db_sql SQL_ORGS_COUNT = { "search_orgs_count",
	"SELECT COUNT(*) FROM search_orgs WHERE search_orgs MATCH $1",
	"SELECT COUNT(*) FROM organisations WHERE search_tsv @@ to_tsquery('kq_search', $1)" };

/* $1 the match text, $2 now, $3 the limit. nxt: the first date of the
 * event still running at $2 (one probe of event_dates_event per match);
 * events that have one come first. lst, the last date, only for the page. */
/* g is MATERIALIZED (both backends know the word) so that nxt is computed
 * once per match: flattened, SQLite ran its subquery once per use. */
#define EV_PAGE(fts, by_rank)                                                                    \
	"WITH g AS MATERIALIZED (SELECT f.id, f.r,"                                              \
	"  (SELECT MIN(d.starts_at) FROM event_dates d WHERE d.event_id = f.id"                  \
	"   AND d.ends_at > CAST($2 AS BIGINT)) AS nxt"                                          \
	"  FROM (" fts ") f)"                                                                    \
	" SELECT e.slug, e.title, e.summary, substr(e.description, 1, 400),"                     \
	" COALESCE(c.name, ''), e.category, e.status, o.name, m.nxt,"                            \
	" (SELECT MAX(d.starts_at) FROM event_dates d WHERE d.event_id = e.id)"                  \
	" FROM (SELECT g.id, g.r, g.nxt FROM g"                                                  \
	"  ORDER BY (g.nxt IS NULL), g.r" by_rank ", COALESCE(g.nxt, 0), g.id LIMIT $3) m"      \
	" JOIN events e ON e.id = m.id JOIN organisations o ON o.id = e.org_id"                   \
	" LEFT JOIN communes c ON c.id = e.commune_id"                                           \
	" WHERE e.status <> 'draft'"                                                             \
	" ORDER BY (m.nxt IS NULL), m.r" by_rank ", COALESCE(m.nxt, 0), m.id"
static const struct db_sql SQL_EVENTS = { "search_events",
	/* title, summary, venue, description, commune; drafts are not in the index */
	EV_PAGE("SELECT rowid AS id, bm25(search_events, 10.0, 4.0, 2.0, 1.0, 1.0) AS r"
		" FROM search_events WHERE search_events MATCH $1", ""),
	EV_PAGE("SELECT x.id, ts_rank('{0.1, 0.2, 0.4, 1.0}', x.search_tsv, q) AS r"
		" FROM events x CROSS JOIN to_tsquery('kq_search', $1) AS q"
		" WHERE x.search_tsv @@ q AND x.status <> 'draft'", " DESC") };
static const struct db_sql SQL_EVENTS_COUNT = { "search_events_count",
	"SELECT COUNT(*) FROM search_events WHERE search_events MATCH $1",
	"SELECT COUNT(*) FROM events WHERE search_tsv @@ to_tsquery('kq_search', $1)"
	" AND status <> 'draft'" };

/* Published posts: $1 the match text, $2 the limit. Title before body;
 * equal ranks: the newest first. Drafts are not in the index. */
static const struct db_sql SQL_POSTS = { "search_posts",
	"SELECT p.slug, p.title, substr(p.body, 1, 400), COALESCE(c.name, ''), o.name,"
	" COALESCE(p.published_at, 0)"
	" FROM (SELECT rowid AS id, bm25(search_posts, 10.0, 1.0) AS r"
	"  FROM search_posts WHERE search_posts MATCH $1 ORDER BY r, rowid DESC LIMIT $2) m"
	" JOIN posts p ON p.id = m.id JOIN organisations o ON o.id = p.org_id"
	" LEFT JOIN communes c ON c.id = o.commune_id"
	" WHERE p.status = 'published' ORDER BY m.r, m.id DESC",
	"SELECT p.slug, p.title, substr(p.body, 1, 400), COALESCE(c.name, ''), o.name,"
	" COALESCE(p.published_at, 0)"
	" FROM (SELECT f.id, ts_rank('{0.1, 0.2, 0.4, 1.0}', f.search_tsv, q) AS r"
	"  FROM posts f CROSS JOIN to_tsquery('kq_search', $1) AS q"
	"  WHERE f.search_tsv @@ q AND f.status = 'published' ORDER BY r DESC, f.id DESC LIMIT $2) m"
	" JOIN posts p ON p.id = m.id JOIN organisations o ON o.id = p.org_id"
	" LEFT JOIN communes c ON c.id = o.commune_id"
	" ORDER BY m.r DESC, m.id DESC" };
static const struct db_sql SQL_POSTS_COUNT = { "search_posts_count",
	"SELECT COUNT(*) FROM search_posts WHERE search_posts MATCH $1",
	"SELECT COUNT(*) FROM posts WHERE search_tsv @@ to_tsquery('kq_search', $1)"
	" AND status = 'published'" };

struct run {
	struct arena *a;
	const char *match;
	int limit;
	int64_t now;
	struct search_results *out;
};

static struct search_hit *grow(struct arena *a, struct search_hit *v, int n, int *cap)
{
	if (n < *cap)
		return v;
	int bigger = *cap ? *cap * 2 : 8;
	struct search_hit *w = arena_alloc(a, sizeof(*w) * (size_t)bigger);
	if (n)
		memcpy(w, v, sizeof(*w) * (size_t)n);
	*cap = bigger;
	return w;
}

/* The total of a list: its length unless it is full, else counted. */
static enum db_status total_of(struct db *db, const struct db_sql *count, const char *match,
			       int n, int limit, int64_t *out)
{
	*out = n;
	if (n < limit)
		return DB_NONE;
	struct db_stmt *st = db_stmt(db, count);
	db_bind_text(st, 1, match);
	enum db_status s = db_step(st);
	if (s == DB_ROW && db_col_i64(st, 0) > n)
		*out = db_col_i64(st, 0);
	db_reset(st);
	return s == DB_ROW ? DB_NONE : s < 0 ? s : DB_HARD;
}

static enum db_status run_txn(struct db *db, void *cls)
{
	struct run *r = cls;
	struct search_results *out = r->out;
	int cap = 0;
	enum db_status s;

	out->norgs = out->nevents = 0;
	out->orgs_total = out->events_total = 0;
	struct db_stmt *st = db_stmt(db, &SQL_ORGS);
	db_bind_text(st, 1, r->match);
	db_bind_i64(st, 2, r->limit);
	while ((s = db_step(st)) == DB_ROW) {
		out->orgs = grow(r->a, out->orgs, out->norgs, &cap);
		struct search_hit *h = &out->orgs[out->norgs++];
		memset(h, 0, sizeof(*h));
		h->kind = SEARCH_ORG;
		h->slug = db_col_str(st, 0, r->a);
		h->title = db_col_str(st, 1, r->a);
		h->snippet = snippet(r->a, db_col_text(st, 2), db_col_text(st, 3));
		h->commune = db_col_str(st, 4, r->a);
		h->category = db_col_str(st, 5, r->a);
		h->org_kind = db_col_str(st, 6, r->a);
		h->status = "";
		h->org_name = "";
	}
	db_reset(st);
	if (s < 0)
		return s;
	s = total_of(db, &SQL_ORGS_COUNT, r->match, out->norgs, r->limit, &out->orgs_total);
	if (s < 0)
		return s;

	cap = 0;
	st = db_stmt(db, &SQL_EVENTS);
	db_bind_text(st, 1, r->match);
	db_bind_i64(st, 2, r->now);
	db_bind_i64(st, 3, r->limit);
	while ((s = db_step(st)) == DB_ROW) {
		out->events = grow(r->a, out->events, out->nevents, &cap);
		struct search_hit *h = &out->events[out->nevents++];
		memset(h, 0, sizeof(*h));
		h->kind = SEARCH_EVENT;
		h->slug = db_col_str(st, 0, r->a);
		h->title = db_col_str(st, 1, r->a);
		h->snippet = snippet(r->a, db_col_text(st, 2), db_col_text(st, 3));
		h->commune = db_col_str(st, 4, r->a);
		h->category = db_col_str(st, 5, r->a);
		h->status = db_col_str(st, 6, r->a);
		h->org_name = db_col_str(st, 7, r->a);
		h->org_kind = "";
		h->is_past = db_col_is_null(st, 8);
		h->starts_at = !h->is_past ? db_col_i64(st, 8)
			       : db_col_is_null(st, 9) ? 0 : db_col_i64(st, 9);
	}
	db_reset(st);
	if (s < 0)
		return s;
	s = total_of(db, &SQL_EVENTS_COUNT, r->match, out->nevents, r->limit, &out->events_total);
	if (s < 0)
		return s;

	cap = 0;
	out->nposts = 0;
	out->posts_total = 0;
	st = db_stmt(db, &SQL_POSTS);
	db_bind_text(st, 1, r->match);
	db_bind_i64(st, 2, r->limit);
	while ((s = db_step(st)) == DB_ROW) {
		out->posts = grow(r->a, out->posts, out->nposts, &cap);
		struct search_hit *h = &out->posts[out->nposts++];
		memset(h, 0, sizeof(*h));
		h->kind = SEARCH_POST;
		h->slug = db_col_str(st, 0, r->a);
		h->title = db_col_str(st, 1, r->a);
		h->snippet = snippet(r->a, NULL, db_col_text(st, 2));
		h->commune = db_col_str(st, 3, r->a);
		h->org_name = db_col_str(st, 4, r->a);
		h->starts_at = db_col_i64(st, 5);
		h->category = h->org_kind = h->status = "";
	}
	db_reset(st);
	if (s < 0)
		return s;
	return total_of(db, &SQL_POSTS_COUNT, r->match, out->nposts, r->limit, &out->posts_total);
}

enum kq_err search_run(struct db *db, struct arena *a, const char *q, int limit,
		       struct search_results *out)
{
	memset(out, 0, sizeof(*out));
	out->q = "";
	if (!q)
		return KQ_OK;
	if (!str_utf8_valid(q, strlen(q)))
		return KQ_ERR_BAD_REQUEST;
	/* Control characters are only separators (as in split_words), never shown. */
	char *c = arena_strdup(a, q);
	for (char *p = c; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F)
			*p = ' ';
	char *t = str_trim(a, c);
	out->q = t;
	size_t chars = str_utf8_len(t);
	if (chars > SEARCH_QUERY_MAX)
		return KQ_ERR_SEARCH_QUERY_TOO_LONG;
	const char **words;
	int n;
	if (!split_words(a, t, &words, &n))
		return KQ_ERR_SEARCH_QUERY_TOO_LONG;
	if (chars < SEARCH_QUERY_MIN || n == 0)
		return KQ_OK;
	if (limit < 1)
		limit = 1;
	if (limit > SEARCH_LIMIT_MAX)
		limit = SEARCH_LIMIT_MAX;
	struct run r = { a, match_text(a, db_backend(db), words, n), limit, time_now(), out };
	out->searched = true;
	if (db_read_run(db, "search_run", run_txn, &r) < 0) {
		out->norgs = out->nevents = out->nposts = 0;
		return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}
