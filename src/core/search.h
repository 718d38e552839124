/* search.h: one search box over the territory: organisations, events, posts, products and practical pages (FTS5 on SQLite, tsvector on PostgreSQL).
 *
 * What is searched: organisations (name, summary, description, commune,
 * category); events (title, summary, venue, description, commune) that are
 * published, postponed or cancelled, never drafts; published posts (title,
 * body), also those of citizens (no organisation: the author's name is
 * shown); products of producers (name, summary, description, labels) once
 * migration 0024 indexes them; practical pages (title, body). Content a
 * moderator hid (hidden_at, migration 0017), and the events, posts and
 * pages of a hidden organisation, are never returned.
 *
 * Words: accents and case do not matter ("noel" finds "Noël", "oeuf" finds
 * "œuf"); every word of two characters or more is a prefix ("vesq" finds
 * "Vesqueval", "calisson" finds "calissons"), and a final plural s, or the x
 * after u, is dropped first ("calissons" finds "calisson", "jeux" "jeu");
 * an elided article or pronoun ("l'", "d'", "qu'"...) is dropped ("l'ecole"
 * finds "école"), and so are the small French words ("de", "la", "les",
 * "du", "des", "et"...) when other words remain ("marche de noel" finds
 * "Marché Noël"); all the remaining words must be found (AND). A word is a
 * run of letters and digits: other characters separate words ("vide-grenier"
 * is "vide" and "grenier", so "vide grenier" finds it), so a query is data
 * and never FTS5 or tsquery syntax.
 *
 * Ranking (one list per kind, each with its total): relevance first, from
 * bm25 with column weights on SQLite and ts_rank with A/B/C/D weights on
 * PostgreSQL (title or name far above the body). Recency then:
 *   - events: those with a date still to come first (by relevance, then the
 *     soonest), then the others (by relevance);
 *   - posts: the relevance is multiplied by 1 + 30 / (30 + age in days): a
 *     post of today counts double, one of a month 1.5 times, one of a year
 *     barely more;
 *   - organisations, products and practical pages: relevance only.
 * The ranking is exact when a kind has at most SEARCH_RANK_MAX matches;
 * past that, only its newest SEARCH_RANK_MAX matches are ranked, and past
 * SEARCH_SCORE_MAX matches (a prefix of two letters while typing) none is
 * scored: the newest come first. A search thus stays within its budget
 * (search.c says why). Totals count every match (of the filters) up to
 * SEARCH_SCORE_MAX; past it a total is SEARCH_TOTAL_MORE, "more than 2,000". */
#ifndef KQ_SEARCH_H
#define KQ_SEARCH_H
#include "core.h"

#define SEARCH_QUERY_MIN 2       /* characters (code points), after trimming */
#define SEARCH_QUERY_MAX 100
#define SEARCH_WORDS_MAX 8
#define SEARCH_LIMIT_MAX 50      /* largest list of one kind */
#define SEARCH_OFFSET_MAX 1000   /* deepest page */
#define SEARCH_RANK_MAX 400      /* matches of one kind ranked (see above) */
#define SEARCH_SCORE_MAX 2000    /* past this many matches of a kind, none is scored */
/* A kind's total past SEARCH_SCORE_MAX: "more than 2,000" (not counted further). */
#define SEARCH_TOTAL_MORE (SEARCH_SCORE_MAX + 1)
#define SEARCH_SNIPPET_MAX 200   /* characters of a result's text */
#define SEARCH_SUGGEST_MAX 8     /* suggestions of search_suggest */

enum search_kind {
	SEARCH_ORG, SEARCH_EVENT, SEARCH_POST, SEARCH_PRODUCT, SEARCH_PRACTICAL,
	SEARCH_KINDS                 /* how many kinds; as a filter: every kind */
};

/* One result. Strings are never NULL ("" when empty). */
struct search_hit {
	enum search_kind kind;
	const char *slug;           /* see search_hit_path */
	const char *title;          /* organisation or product name, event, post or page title */
	const char *snippet;        /* the summary, else the start of the description, plain text */
	const char *commune;        /* commune name, "" when none */
	const char *category;       /* organisation or event category slug; practical pages: the section's title */
	const char *org_kind;       /* organisations: association | business | producer | public_body */
	const char *status;         /* events: published | postponed | cancelled */
	const char *org_name;       /* events, posts, products, pages: the organisation that publishes
				     * it; citizen posts: the author's name */
	int64_t starts_at;          /* events: next date still running, else the last one; 0: no date;
				     * posts: when it was published; practical pages: last update */
	bool is_past;               /* events: no date still to come */
};

/* What to look for. */
struct search_query {
	const char *q;
	enum search_kind kind;      /* one kind, or SEARCH_KINDS for all */
	const char *commune;        /* INSEE code (the organisation's or event's commune);
				     * NULL or "": any; unknown: nothing found */
	int limit;                  /* results of each kind, clamped to 1..SEARCH_LIMIT_MAX */
	int offset;                 /* of each kind, clamped to 0..SEARCH_OFFSET_MAX */
	bool no_totals;             /* totals are only the counts shown (suggestions) */
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
	struct search_hit *posts;
	int nposts;
	int64_t posts_total;
	struct search_hit *products;
	int nproducts;
	int64_t products_total;
	struct search_hit *pages;   /* practical pages */
	int npages;
	int64_t pages_total;
};

/* Searches in->q (trimmed) and fills [out] *out, strings in a. "Now" for the
 * upcoming events and the age of posts is time_now(). An empty query, one
 * shorter than SEARCH_QUERY_MIN characters or with no letter or digit gives
 * no result and no error (out->searched false).
 * Errors: SEARCH_QUERY_TOO_LONG (more than SEARCH_QUERY_MAX characters or
 * SEARCH_WORDS_MAX words; out->q is still set), BAD_REQUEST (not UTF-8),
 * INTERNAL. Control characters count as spaces. Reads only, in one read
 * transaction on SQLite. */
__attribute__((warn_unused_result))
enum kq_err search_find(struct db *db, struct arena *a, const struct search_query *in,
			struct search_results *out);

/* search_find over every kind and commune, the first limit of each. */
__attribute__((warn_unused_result))
enum kq_err search_run(struct db *db, struct arena *a, const char *q, int limit,
		       struct search_results *out);

/* The autocomplete list: at most SEARCH_SUGGEST_MAX results of every kind,
 * the best of each kind taken in turn (practical pages, organisations,
 * events, posts, products). [out] *out (array in a), *out_n (0 when q is
 * too short). Errors as search_find. */
__attribute__((warn_unused_result))
enum kq_err search_suggest(struct db *db, struct arena *a, const char *q,
			   struct search_hit **out, int *out_n);

/* The words of q as typed (the databases fold case and accents), before
 * elisions, small words and plurals are dropped. [out] *out_words, *out_n
 * (none when q is NULL or not UTF-8). Returns false when q has more than
 * SEARCH_WORDS_MAX words. */
bool search_words(struct arena *a, const char *q, const char ***out_words, int *out_n);

/* "organisations" | "events" | "posts" | "products" | "practical" ("all"
 * for SEARCH_KINDS): the names of the type filter in pages and the API. */
const char *search_kind_name(enum search_kind k);
/* The kind of a name above; NULL or "" or "all" is SEARCH_KINDS. False for
 * anything else. */
bool search_kind_parse(const char *s, enum search_kind *out);

/* The page of a hit: /organisations/<slug>, /evenements/<slug>,
 * /actualites/<slug>, /produits/<slug>, /infos-pratiques/<slug> (slug
 * escaped for a URL path), in a. */
const char *search_hit_path(struct arena *a, const struct search_hit *h);

/* The list of one kind in r: [out] *out_hits, *out_n, *out_total. */
void search_list(const struct search_results *r, enum search_kind k,
		 const struct search_hit **out_hits, int *out_n, int64_t *out_total);

#endif
