/* search.h: one search box over the territory's organisations and events (FTS5 on SQLite, tsvector on PostgreSQL).
 *
 * What is searched: organisations (name, summary, description, commune,
 * category) and events (title, summary, venue, description, commune) that
 * are published, postponed or cancelled, never drafts. Accents and case do
 * not matter ("fete" finds "Fête"); every word of two characters or more is
 * a prefix ("vesq" finds "Vesqueval", "calisson" finds "calissons"); all the
 * words must be found (AND). A word is a run of letters and digits: other
 * characters separate words ("vide-grenier" is "vide" and "grenier"), so a
 * query is data and never FTS5 or tsquery syntax: quotes, *, -, ':', '&',
 * '|' only separate words, and NEAR, OR or NOT are words to find.
 *
 * The results are two lists, one per kind, each with its total:
 * organisations by relevance (name before summary before commune and category
 * before description); events with a date still to come first (by
 * relevance, then the soonest), then the others (by relevance). Totals count
 * every match. Relevance is bm25 with column weights on SQLite and ts_rank
 * with A/B/C/D weights on PostgreSQL (see db/migrations/0015-search.*.sql). */
#ifndef KQ_SEARCH_H
#define KQ_SEARCH_H
#include "core.h"

#define SEARCH_QUERY_MIN 2       /* characters (code points), after trimming */
#define SEARCH_QUERY_MAX 100
#define SEARCH_WORDS_MAX 8
#define SEARCH_LIMIT_MAX 50      /* largest list of one kind */
#define SEARCH_SNIPPET_MAX 200   /* characters of a result's text */

enum search_kind { SEARCH_ORG, SEARCH_EVENT, SEARCH_POST };

/* One result. Strings are never NULL ("" when empty). */
struct search_hit {
	enum search_kind kind;
	const char *slug;           /* /organisations/<slug>, /evenements/<slug> or /actualites/<slug> */
	const char *title;          /* organisation name, event or post title */
	const char *snippet;        /* the summary, else the start of the description, plain text */
	const char *commune;        /* commune name, "" when none */
	const char *category;       /* organisation or event category slug */
	const char *org_kind;       /* organisations: association | business | producer | public_body */
	const char *status;         /* events: published | postponed | cancelled */
	const char *org_name;       /* events and posts: the organisation that publishes it */
	int64_t starts_at;          /* events: next date still running, else the last one; 0: no date;
				     * posts: when it was published */
	bool is_past;               /* events: no date still to come */
};

struct search_results {
	const char *q;              /* the query, trimmed ("" when nothing was searched) */
	bool searched;              /* false: empty or too short, nothing was looked up */
	struct search_hit *orgs;
	int norgs;
	int64_t orgs_total;         /* all the organisations found (norgs <= it) */
	struct search_hit *events;
	int nevents;
	int64_t events_total;
	/* Published posts (title, body), by relevance then newest: migration
	 * 0016-posts.*.sql. */
	struct search_hit *posts;
	int nposts;
	int64_t posts_total;
};

/* Searches q (trimmed) and fills [out] *out with at most limit results of
 * each kind (clamped to 1..SEARCH_LIMIT_MAX), strings in a. "Now" for the
 * upcoming events is time_now(). An empty query, one shorter than
 * SEARCH_QUERY_MIN characters or with no letter or digit gives no result
 * and no error (out->searched false).
 * Errors: SEARCH_QUERY_TOO_LONG (more than SEARCH_QUERY_MAX characters or
 * SEARCH_WORDS_MAX words; out->q is still set), BAD_REQUEST (not UTF-8),
 * INTERNAL. Control characters count as spaces. Reads only; runs in one read transaction
 * on SQLite. */
__attribute__((warn_unused_result))
enum kq_err search_run(struct db *db, struct arena *a, const char *q, int limit,
		       struct search_results *out);

/* The words of q as search_run reads them, as typed (the databases fold
 * case and accents). [out] *out_words, *out_n (none when q is NULL or not
 * UTF-8). Returns false when q has more than SEARCH_WORDS_MAX words. */
bool search_words(struct arena *a, const char *q, const char ***out_words, int *out_n);

#endif
