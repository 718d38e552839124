/* search.c: one search box over organisations, events, posts, products and practical pages; the user's words become FTS5 or tsquery text safely.
 *
 * The indexes are kept by the database itself (triggers of migrations 0015,
 * 0016, 0023 and 0024), so every write, and every hiding by a moderator, is
 * seen by the search at once and no code path can forget to re-index.
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

/* Splits valid UTF-8 q into its words; false past SEARCH_WORDS_MAX.
 * [out] out_apostrophe[i] (when not NULL): word i is followed by an apostrophe. */
static bool split_words(struct arena *a, const char *q, const char ***out_words, int *out_n,
			bool *out_apostrophe)
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
			if (out_apostrophe)   /* ' or U+2019 or U+02BC right after it */
				out_apostrophe[n] = *p == '\'' ||
						    (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0x99) ||
						    (p[0] == 0xCA && p[1] == 0xBC);
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
	return split_words(a, q, out_words, out_n, NULL);
}

/* ---- from words to the databases' query text ---------------------------------------------------- */

/* Lower-case ASCII copy (the other letters are folded by the databases). */
static char *lower_ascii(struct arena *a, const char *s)
{
	char *c = arena_strdup(a, s);
	for (char *p = c; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return c;
}

static bool in_words(const char *const *list, const char *w)
{
	for (; *list; list++)
		if (strcmp(*list, w) == 0)
			return true;
	return false;
}

/* Written before an apostrophe in French: "l'école", "qu'il", "jusqu'au". */
static const char *const elided[] = { "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu",
				      "lorsqu", "puisqu", "quoiqu", NULL };
/* Small words that every other text holds; dropped when others remain. */
static const char *const small_words[] = { "a", "\xC3\xA0", "au", "aux", "de", "des", "du", "en",
					   "et", "la", "le", "les", "un", "une", "ou", "d", "l",
					   NULL };

/* A final plural mark, dropped: "calissons" -> "calisson", "jeux" -> "jeu".
 * Only from words of four characters or more ("bus", "gras" stay long
 * enough to mean something); the word stays a prefix, so the singular and
 * the plural both match. */
static const char *singular(struct arena *a, const char *w)
{
	size_t len = strlen(w);
	if (str_utf8_len(w) < 4)
		return w;
	char last = w[len - 1];
	if (last == 's' || last == 'S' ||
	    ((last == 'x' || last == 'X') && (w[len - 2] == 'u' || w[len - 2] == 'U')))
		return arena_strndup(a, w, len - 1);
	return w;
}

/* The same word with "oe"/"ae" and "œ"/"æ" swapped, or NULL when it has
 * neither. unicode61 keeps the ligatures as letters of their own ("Œufs" is
 * "œufs"), so SQLite looks for both spellings; unaccent folds "œ" into "oe"
 * on both sides on PostgreSQL. */
static const char *ligature_variant(struct arena *a, const char *w)
{
	size_t n = strlen(w);
	char *out = arena_alloc(a, n * 2 + 1), *o = out;
	bool changed = false;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)w[i];
		unsigned char d = i + 1 < n ? (unsigned char)w[i + 1] : 0;
		if (c == 0xC5 && (d == 0x92 || d == 0x93)) {            /* Œ œ */
			o = stpcpy(o, "oe");
			i += 2;
			changed = true;
		} else if (c == 0xC3 && (d == 0x86 || d == 0xA6)) {     /* Æ æ */
			o = stpcpy(o, "ae");
			i += 2;
			changed = true;
		} else if ((c | 0x20) == 'o' && (d | 0x20) == 'e') {
			o = stpcpy(o, "\xC5\x93");
			i += 2;
			changed = true;
		} else if ((c | 0x20) == 'a' && (d | 0x20) == 'e') {
			o = stpcpy(o, "\xC3\xA6");
			i += 2;
			changed = true;
		} else {
			*o++ = (char)c;
			i++;
		}
	}
	*o = 0;
	return changed ? out : NULL;
}

/* The words to look for: elisions dropped, then the small words when
 * others remain, then plural marks. [out] words (in place), *n. */
static void normalise(struct arena *a, const char **words, const bool *before_apostrophe, int *n)
{
	const char *kept[SEARCH_WORDS_MAX];
	int k = 0;
	for (int i = 0; i < *n; i++)
		if (!(before_apostrophe[i] && i + 1 < *n && in_words(elided, lower_ascii(a, words[i]))))
			kept[k++] = words[i];
	int big = 0;
	for (int i = 0; i < k; i++)
		if (!in_words(small_words, lower_ascii(a, kept[i])))
			big++;
	int m = 0;
	for (int i = 0; i < k; i++)
		if (big == 0 || !in_words(small_words, lower_ascii(a, kept[i])))
			words[m++] = singular(a, kept[i]);
	*n = m;
}

static char *put_word(char *o, enum db_backend b, const char *w)
{
	*o++ = b == DB_SQLITE ? '"' : '\'';
	o = stpcpy(o, w);
	*o++ = b == DB_SQLITE ? '"' : '\'';
	if (str_utf8_len(w) >= 2)
		o = stpcpy(o, b == DB_SQLITE ? "*" : ":*");
	return o;
}

/* `"w1"* AND ("oeuf"* OR "œuf"*)` for FTS5, `'w1':* & 'w2':*`
 * for to_tsquery. A word of one character is exact: as a prefix it would
 * match half the vocabulary. Words hold only letters and digits, so no
 * quote can close ours. */
static const char *match_text(struct arena *a, enum db_backend b, const char **words, int n)
{
	size_t cap = 1;
	for (int i = 0; i < n; i++)
		cap += 3 * strlen(words[i]) + 24;
	char *out = arena_alloc(a, cap), *o = out;
	for (int i = 0; i < n; i++) {
		if (i)
			o = b == DB_SQLITE ? stpcpy(o, " AND ") : stpcpy(o, " & ");
		const char *v = b == DB_SQLITE ? ligature_variant(a, words[i]) : NULL;
		if (v) {
			o = stpcpy(o, "(");
			o = put_word(o, b, words[i]);
			o = stpcpy(o, " OR ");
			o = put_word(o, b, v);
			o = stpcpy(o, ")");
		} else {
			o = put_word(o, b, words[i]);
		}
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

/* Every list is ranked in two steps, the same way on both backends:
 *   1. the pool: the matches of the index (and of the commune filter), at
 *      most SEARCH_RANK_MAX of them, the newest first (highest ids), each
 *      with its relevance (bm25 on SQLite, ts_rank on PostgreSQL);
 *   2. the page: the pool ordered by relevance (and recency for events and
 *      posts, see search.h), cut at the offset and the limit, and only these
 *      rows joined for display.
 * So a kind with no more than SEARCH_RANK_MAX matches is ranked exactly, and
 * one with more is ranked among its newest matches: scoring every match of a
 * common word cost 11 ms per 10,000 rows on SQLite, over the budget of a
 * search (p50 5 ms, p99 20 ms over 200,000 posts). Past SEARCH_SCORE_MAX
 * matches (a prefix of two letters typed in the box: "co" matches all the
 * posts of the benchmark) nothing is scored at all and the newest come
 * first (events: those to come first, the soonest first): bm25 reads every
 * match once before it scores its first row (fts5's xQueryPhrase), 3 to 7
 * ms for such a prefix, and 1.7 ms for the 10,000 posts of a common phrase
 * ("marché de Noël" in the benchmark): hence a cut at 2,000 matches, where
 * scoring costs about 0.3 ms. The first count, of at most SEARCH_SCORE_MAX + 1
 * rows of the index, decides, and is the total: exact up to SEARCH_SCORE_MAX,
 * SEARCH_TOTAL_MORE past it (counting the 10,000 matches of a common word
 * exactly cost a millisecond on SQLite and 40 on PostgreSQL per search).
 *
 * Hidden rows: on SQLite the indexes leave them out (triggers of migration
 * 0023); on PostgreSQL the pool asks hidden_at IS NULL. Rows of a hidden
 * organisation are left out when the page is joined.
 *
 * The commune filter (a commune id; 0: any) is applied in the pool, so that
 * pages and totals agree.
 *
 * Lists: $1 the match text, $2 the limit, $3 the commune, $4 the offset,
 * $5 the size of the pool, $6 1 to score (0: all equal); events and posts:
 * $7 now. */
/* Counts of the matches: all of them ($1 the match text, $2 the commune), or
 * at most $3 (cheap however many there are: it decides whether a kind is
 * scored). */
#define COUNT_FEW(matches) "SELECT COUNT(*) FROM (SELECT 1 FROM " matches " LIMIT $3) c"
#define POOL_SQLITE(table, weights, where)                                                       \
	"SELECT rowid AS id, CASE WHEN CAST($6 AS BIGINT) = 1"                                    \
	" THEN bm25(" table ", " weights ") ELSE 0.0 END AS r FROM " table                        \
	" WHERE " table " MATCH $1" where " ORDER BY rowid DESC LIMIT $5"
/* weights {D, C, B, A} */
#define POOL_PG(table, where)                                                                    \
	"SELECT f.id, CASE WHEN CAST($6 AS BIGINT) = 1"                                           \
	" THEN ts_rank('{0.1, 0.2, 0.4, 1.0}', f.search_tsv, q) ELSE 0 END AS r"                 \
	" FROM " table " f CROSS JOIN to_tsquery('kq_search', $1) AS q"                          \
	" WHERE f.search_tsv @@ q" where " ORDER BY f.id DESC LIMIT $5"
/* The page of a pool by relevance alone (bm25: smaller is better). */
#define PAGE_SQLITE(pool) "SELECT p.id, p.r FROM (" pool ") p ORDER BY p.r, p.id LIMIT $2 OFFSET $4"
#define PAGE_PG(pool) "SELECT p.id, p.r FROM (" pool ") p ORDER BY p.r DESC, p.id LIMIT $2 OFFSET $4"

#define ORGS_PAGE(page, by_rank)                                                                 \
	"SELECT o.slug, o.name, o.summary, substr(o.description, 1, 400), COALESCE(c.name, ''),"  \
	" o.category, o.kind FROM (" page ") m"                                                  \
	" JOIN organisations o ON o.id = m.id LEFT JOIN communes c ON c.id = o.commune_id"       \
	" ORDER BY m.r" by_rank ", m.id"
static const struct db_sql SQL_ORGS = { "search_orgs",
	/* name, summary, description, commune, category */
	ORGS_PAGE(PAGE_SQLITE(POOL_SQLITE("search_orgs", "10.0, 4.0, 1.0, 2.0, 2.0",
		  " AND (CAST($3 AS BIGINT) = 0 OR rowid IN"
		  " (SELECT id FROM organisations WHERE commune_id = $3))")), ""),
	ORGS_PAGE(PAGE_PG(POOL_PG("organisations", " AND f.hidden_at IS NULL"
		  " AND (CAST($3 AS BIGINT) = 0 OR f.commune_id = $3)")), " DESC"), true };
#define ORGS_MATCHES_SQLITE \
	"search_orgs WHERE search_orgs MATCH $1" \
	" AND (CAST($2 AS BIGINT) = 0 OR rowid IN (SELECT id FROM organisations WHERE commune_id = $2))"
#define ORGS_MATCHES_PG \
	"organisations WHERE search_tsv @@ to_tsquery('kq_search', $1)" \
	" AND hidden_at IS NULL AND (CAST($2 AS BIGINT) = 0 OR commune_id = $2)"
static const struct db_sql SQL_ORGS_FEW = { "search_orgs_few",
	COUNT_FEW(ORGS_MATCHES_SQLITE), COUNT_FEW(ORGS_MATCHES_PG), true };

/* Events: nxt, the first date of the event still running at $7 (one probe
 * of event_dates_event per row of the pool); events that have one come
 * first, by relevance then the soonest. lst, the last date, only for the
 * page. g is MATERIALIZED (both backends know the word) so that nxt is
 * computed once per row: flattened, SQLite ran its subquery once per use. */
#define EV_PAGE(pool, by_rank)                                                                   \
	"WITH g AS MATERIALIZED (SELECT f.id, f.r,"                                              \
	"  (SELECT MIN(d.starts_at) FROM event_dates d WHERE d.event_id = f.id"                  \
	"   AND d.ends_at > CAST($7 AS BIGINT)) AS nxt"                                          \
	"  FROM (" pool ") f)"                                                                   \
	" SELECT e.slug, e.title, e.summary, substr(e.description, 1, 400),"                     \
	" COALESCE(c.name, ''), e.category, e.status, o.name, m.nxt,"                            \
	" (SELECT MAX(d.starts_at) FROM event_dates d WHERE d.event_id = e.id)"                  \
	" FROM (SELECT g.id, g.r, g.nxt FROM g"                                                  \
	"  ORDER BY (g.nxt IS NULL), g.r" by_rank ", COALESCE(g.nxt, 0), g.id"                   \
	"  LIMIT $2 OFFSET $4) m"                                                                \
	" JOIN events e ON e.id = m.id JOIN organisations o ON o.id = e.org_id"                   \
	" LEFT JOIN communes c ON c.id = e.commune_id"                                           \
	" WHERE e.status <> 'draft' AND o.hidden_at IS NULL"                                     \
	" ORDER BY (m.nxt IS NULL), m.r" by_rank ", COALESCE(m.nxt, 0), m.id"
static const struct db_sql SQL_EVENTS = { "search_events",
	/* title, summary, venue, description, commune; drafts are not in the index */
	EV_PAGE(POOL_SQLITE("search_events", "10.0, 4.0, 2.0, 1.0, 1.0",
		" AND (CAST($3 AS BIGINT) = 0 OR rowid IN (SELECT id FROM events WHERE commune_id = $3))"),
		""),
	EV_PAGE(POOL_PG("events", " AND f.status <> 'draft' AND f.hidden_at IS NULL"
		" AND (CAST($3 AS BIGINT) = 0 OR f.commune_id = $3)"), " DESC"), true };
#define EVENTS_MATCHES_SQLITE \
	"search_events WHERE search_events MATCH $1" \
	" AND (CAST($2 AS BIGINT) = 0 OR rowid IN (SELECT id FROM events WHERE commune_id = $2))"
#define EVENTS_MATCHES_PG \
	"events WHERE search_tsv @@ to_tsquery('kq_search', $1)" \
	" AND status <> 'draft' AND hidden_at IS NULL" \
	" AND (CAST($2 AS BIGINT) = 0 OR commune_id = $2)"
static const struct db_sql SQL_EVENTS_FEW = { "search_events_few",
	COUNT_FEW(EVENTS_MATCHES_SQLITE), COUNT_FEW(EVENTS_MATCHES_PG), true };

/* Published posts (title before body), the relevance boosted by recency
 * (search.h; $7 now); equal scores (all of them when not scored): the
 * newest first. A citizen's post has
 * no organisation: its author's name stands in, and it has no commune. */
#define POSTS_PAGE(pool, boost, by_score)                                                        \
	"SELECT p.slug, p.title, substr(p.body, 1, 400), COALESCE(c.name, ''),"                  \
	" COALESCE(o.name, a.display_name, ''), COALESCE(p.published_at, 0)"                     \
	" FROM (SELECT q.id, " boost " AS s, x.published_at AS at"                                \
	"  FROM (" pool ") q JOIN posts x ON x.id = q.id"                                        \
	"  ORDER BY s" by_score ", at DESC, q.id DESC LIMIT $2 OFFSET $4) m"                     \
	" JOIN posts p ON p.id = m.id LEFT JOIN organisations o ON o.id = p.org_id"              \
	" LEFT JOIN communes c ON c.id = o.commune_id LEFT JOIN accounts a ON a.id = p.author_id" \
	" WHERE p.status = 'published' AND p.hidden_at IS NULL AND o.hidden_at IS NULL"          \
	" ORDER BY m.s" by_score ", m.at DESC, m.id DESC"
/* Only the date of each post of the pool is read to score it (one probe of
 * the primary key); the display joins are for the rows of the page. */
static const struct db_sql SQL_POSTS = { "search_posts",
	POSTS_PAGE(POOL_SQLITE("search_posts", "10.0, 1.0",
		   " AND (CAST($3 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM posts x"
		   "  JOIN organisations xo ON xo.id = x.org_id"
		   "  WHERE x.id = search_posts.rowid AND xo.commune_id = $3))"),
		   /* bm25 is negative: the more negative, the better */
		   "q.r * (1.0 + 30.0 / (30.0 + MAX(0, CAST($7 AS BIGINT)"
		   " - COALESCE(x.published_at, 0)) / 86400.0))", ""),
	POSTS_PAGE(POOL_PG("posts", " AND f.status = 'published' AND f.hidden_at IS NULL"
		   " AND (CAST($3 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM organisations xo"
		   "  WHERE xo.id = f.org_id AND xo.commune_id = $3))"),
		   "CAST(q.r AS DOUBLE PRECISION) * (1.0 + 30.0 / (30.0 + CAST(GREATEST(0,"
		   " CAST($7 AS BIGINT) - COALESCE(x.published_at, 0)) AS DOUBLE PRECISION)"
		   " / 86400.0))", " DESC"), true };
#define POSTS_MATCHES_SQLITE \
	"search_posts WHERE search_posts MATCH $1" \
	" AND (CAST($2 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM posts x" \
	"  JOIN organisations xo ON xo.id = x.org_id" \
	"  WHERE x.id = search_posts.rowid AND xo.commune_id = $2))"
#define POSTS_MATCHES_PG \
	"posts f WHERE f.search_tsv @@ to_tsquery('kq_search', $1)" \
	" AND f.status = 'published' AND f.hidden_at IS NULL" \
	" AND (CAST($2 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM organisations xo" \
	"  WHERE xo.id = f.org_id AND xo.commune_id = $2))"
static const struct db_sql SQL_POSTS_FEW = { "search_posts_few",
	COUNT_FEW(POSTS_MATCHES_SQLITE), COUNT_FEW(POSTS_MATCHES_PG), true };

/* Practical pages (migration 0023): title before body; the commune is the
 * public body's. */
#define PRACTICAL_PAGE(page, by_rank)                                                            \
	"SELECT p.slug, p.title, substr(p.body, 1, 400), COALESCE(c.name, ''), o.name,"          \
	" p.updated_at, s.title"                                                                 \
	" FROM (" page ") m"                                                                     \
	" JOIN practical_pages p ON p.id = m.id JOIN organisations o ON o.id = p.org_id"          \
	" JOIN practical_sections s ON s.id = p.section_id"                                       \
	" LEFT JOIN communes c ON c.id = o.commune_id"                                           \
	" WHERE o.hidden_at IS NULL ORDER BY m.r" by_rank ", m.id"
#define PRACTICAL_IN_COMMUNE(id, n)                                                              \
	" AND (CAST($" n " AS BIGINT) = 0 OR " id " IN (SELECT x.id FROM practical_pages x"       \
	"  JOIN organisations xo ON xo.id = x.org_id WHERE xo.commune_id = $" n "))"
static const struct db_sql SQL_PRACTICAL = { "search_practical",
	PRACTICAL_PAGE(PAGE_SQLITE(POOL_SQLITE("search_practical", "10.0, 1.0",
		       PRACTICAL_IN_COMMUNE("rowid", "3"))), ""),
	PRACTICAL_PAGE(PAGE_PG(POOL_PG("practical_pages", PRACTICAL_IN_COMMUNE("f.id", "3"))),
		       " DESC"), true };
#define PRACTICAL_MATCHES_SQLITE \
	"search_practical WHERE search_practical MATCH $1" \
	PRACTICAL_IN_COMMUNE("rowid", "2")
#define PRACTICAL_MATCHES_PG \
	"practical_pages f WHERE f.search_tsv @@ to_tsquery('kq_search', $1)" \
	PRACTICAL_IN_COMMUNE("f.id", "2")
static const struct db_sql SQL_PRACTICAL_FEW = { "search_practical_few",
	COUNT_FEW(PRACTICAL_MATCHES_SQLITE), COUNT_FEW(PRACTICAL_MATCHES_PG), true };

/* Products (migration 0024): name, summary, labels, description; the
 * commune is the producer's. */
#define PRODUCTS_PAGE(page, by_rank)                                                             \
	"SELECT p.slug, p.name, p.summary, substr(p.description, 1, 400), COALESCE(c.name, ''),"  \
	" o.name FROM (" page ") m"                                                              \
	" JOIN products p ON p.id = m.id JOIN organisations o ON o.id = p.org_id"                 \
	" LEFT JOIN communes c ON c.id = o.commune_id"                                           \
	" WHERE o.hidden_at IS NULL ORDER BY m.r" by_rank ", m.id"
#define PRODUCTS_IN_COMMUNE(id, n)                                                               \
	" AND (CAST($" n " AS BIGINT) = 0 OR " id " IN (SELECT x.id FROM products x"              \
	"  JOIN organisations xo ON xo.id = x.org_id WHERE xo.commune_id = $" n "))"
static const struct db_sql SQL_PRODUCTS = { "search_products",
	/* name, summary, description, labels */
	PRODUCTS_PAGE(PAGE_SQLITE(POOL_SQLITE("search_products", "10.0, 4.0, 1.0, 3.0",
		      PRODUCTS_IN_COMMUNE("rowid", "3"))), ""),
	PRODUCTS_PAGE(PAGE_PG(POOL_PG("products", " AND f.hidden_at IS NULL"
		      PRODUCTS_IN_COMMUNE("f.id", "3"))), " DESC"), true };
#define PRODUCTS_MATCHES_SQLITE \
	"search_products WHERE search_products MATCH $1" \
	PRODUCTS_IN_COMMUNE("rowid", "2")
#define PRODUCTS_MATCHES_PG \
	"products f WHERE f.search_tsv @@ to_tsquery('kq_search', $1)" \
	" AND f.hidden_at IS NULL" PRODUCTS_IN_COMMUNE("f.id", "2")
static const struct db_sql SQL_PRODUCTS_FEW = { "search_products_few",
	COUNT_FEW(PRODUCTS_MATCHES_SQLITE), COUNT_FEW(PRODUCTS_MATCHES_PG), true };

static const struct db_sql SQL_COMMUNE = { "search_commune",
	"SELECT id FROM communes WHERE insee = $1" };

struct run {
	struct arena *a;
	const char *match;
	const struct search_query *in;
	int limit, offset;
	int64_t commune_id;        /* 0: any */
	int64_t now;
	struct search_results *out;
};

/* The matches of a kind ($1, $2), counted up to at most cap ($3). */
static enum db_status count_of(struct db *db, const struct run *r, const struct db_sql *count,
			       int64_t cap, int64_t *out)
{
	struct db_stmt *st = db_stmt(db, count);
	db_bind_text(st, 1, r->match);
	db_bind_i64(st, 2, r->commune_id);
	db_bind_i64(st, 3, cap);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		*out = db_col_i64(st, 0);
	db_reset(st);
	return s == DB_ROW ? DB_NONE : s < 0 ? s : DB_HARD;
}

static struct search_hit *new_hit(struct run *r, struct search_hit **v, int *n, int *cap,
				  enum search_kind k)
{
	*v = arena_grow(r->a, *v, *n, cap, sizeof(**v));
	struct search_hit *h = &(*v)[(*n)++];
	memset(h, 0, sizeof(*h));
	h->kind = k;
	h->slug = h->title = h->snippet = h->commune = h->category = "";
	h->org_kind = h->status = h->org_name = "";
	return h;
}

static void read_hit(struct run *r, struct db_stmt *st, enum search_kind k, struct search_hit *h)
{
	struct arena *a = r->a;
	h->slug = db_col_str(st, 0, a);
	h->title = db_col_str(st, 1, a);
	switch (k) {
	case SEARCH_ORG:
		h->snippet = snippet(a, db_col_text(st, 2), db_col_text(st, 3));
		h->commune = db_col_str(st, 4, a);
		h->category = db_col_str(st, 5, a);
		h->org_kind = db_col_str(st, 6, a);
		break;
	case SEARCH_EVENT:
		h->snippet = snippet(a, db_col_text(st, 2), db_col_text(st, 3));
		h->commune = db_col_str(st, 4, a);
		h->category = db_col_str(st, 5, a);
		h->status = db_col_str(st, 6, a);
		h->org_name = db_col_str(st, 7, a);
		h->is_past = db_col_is_null(st, 8);
		h->starts_at = !h->is_past ? db_col_i64(st, 8)
			       : db_col_is_null(st, 9) ? 0 : db_col_i64(st, 9);
		break;
	case SEARCH_POST:
		h->snippet = snippet(a, NULL, db_col_text(st, 2));
		h->commune = db_col_str(st, 3, a);
		h->org_name = db_col_str(st, 4, a);
		h->starts_at = db_col_i64(st, 5);
		break;
	case SEARCH_PRODUCT:
		h->snippet = snippet(a, db_col_text(st, 2), db_col_text(st, 3));
		h->commune = db_col_str(st, 4, a);
		h->org_name = db_col_str(st, 5, a);
		break;
	case SEARCH_PRACTICAL:
		h->snippet = snippet(a, NULL, db_col_text(st, 2));
		h->commune = db_col_str(st, 3, a);
		h->org_name = db_col_str(st, 4, a);
		h->starts_at = db_col_i64(st, 5);
		h->category = db_col_str(st, 6, a);
		break;
	case SEARCH_KINDS:
		break;
	}
}

static enum db_status one_kind(struct db *db, struct run *r, enum search_kind k,
			       const struct db_sql *page, const struct db_sql *few,
			       struct search_hit **out, int *out_n, int64_t *out_total)
{
	int cap = 8;
	enum db_status s;
	*out = NULL;
	*out_n = 0;
	*out_total = 0;
	if (r->in->kind != SEARCH_KINDS && r->in->kind != k)
		return DB_NONE;
	int64_t matches = 0;
	if ((s = count_of(db, r, few, SEARCH_SCORE_MAX + 1, &matches)) < 0)
		return s;
	if (matches == 0)
		return DB_NONE;
	bool scored = matches <= SEARCH_SCORE_MAX;
	*out = arena_alloc(r->a, sizeof(**out) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, page);
	db_bind_text(st, 1, r->match);
	db_bind_i64(st, 2, r->limit);
	db_bind_i64(st, 3, r->commune_id);
	db_bind_i64(st, 4, r->offset);
	db_bind_i64(st, 5, r->offset + r->limit > SEARCH_RANK_MAX ? r->offset + r->limit
								  : SEARCH_RANK_MAX);
	db_bind_i64(st, 6, scored ? 1 : 0);
	if (k == SEARCH_EVENT || k == SEARCH_POST)
		db_bind_i64(st, 7, r->now);
	while ((s = db_step(st)) == DB_ROW)
		read_hit(r, st, k, new_hit(r, out, out_n, &cap, k));
	db_reset(st);
	if (s < 0)
		return s;
	/* Rows of a hidden organisation leave the page after the count: the
	 * total follows what was found when the page was not full. */
	if (scored)
		*out_total = r->offset == 0 && *out_n < r->limit ? *out_n : matches;
	else if (r->in->no_totals)
		*out_total = r->offset + *out_n;
	else
		*out_total = matches;   /* SEARCH_TOTAL_MORE: more than SEARCH_SCORE_MAX (search.h) */
	return DB_NONE;
}

static enum db_status run_txn(struct db *db, void *cls)
{
	struct run *r = cls;
	struct search_results *o = r->out;
	enum db_status s;
	r->commune_id = 0;
	if (r->in->commune && *r->in->commune) {
		struct db_stmt *st = db_stmt(db, &SQL_COMMUNE);
		db_bind_text(st, 1, r->in->commune);
		s = db_step(st);
		if (s == DB_ROW)
			r->commune_id = db_col_i64(st, 0);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE)
			return DB_NONE;   /* an unknown commune: nothing found */
	}
	if ((s = one_kind(db, r, SEARCH_ORG, &SQL_ORGS, &SQL_ORGS_FEW, &o->orgs,
			  &o->norgs, &o->orgs_total)) < 0)
		return s;
	if ((s = one_kind(db, r, SEARCH_EVENT, &SQL_EVENTS, &SQL_EVENTS_FEW,
			  &o->events, &o->nevents, &o->events_total)) < 0)
		return s;
	if ((s = one_kind(db, r, SEARCH_POST, &SQL_POSTS, &SQL_POSTS_FEW,
			  &o->posts, &o->nposts, &o->posts_total)) < 0)
		return s;
	if ((s = one_kind(db, r, SEARCH_PRODUCT, &SQL_PRODUCTS, &SQL_PRODUCTS_FEW,
			  &o->products, &o->nproducts,
			  &o->products_total)) < 0)
		return s;
	return one_kind(db, r, SEARCH_PRACTICAL, &SQL_PRACTICAL, &SQL_PRACTICAL_FEW,
			&o->pages, &o->npages, &o->pages_total);
}

static void clear_lists(struct search_results *out)
{
	out->norgs = out->nevents = out->nposts = out->nproducts = out->npages = 0;
	out->orgs_total = out->events_total = out->posts_total = 0;
	out->products_total = out->pages_total = 0;
}

enum kq_err search_find(struct db *db, struct arena *a, const struct search_query *in,
			struct search_results *out)
{
	memset(out, 0, sizeof(*out));
	out->q = "";
	const char *q = in->q;
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
	bool apostrophe[SEARCH_WORDS_MAX] = { false };
	if (!split_words(a, t, &words, &n, apostrophe))
		return KQ_ERR_SEARCH_QUERY_TOO_LONG;
	if (chars < SEARCH_QUERY_MIN || n == 0)
		return KQ_OK;
	normalise(a, words, apostrophe, &n);
	int limit = in->limit < 1 ? 1 : in->limit > SEARCH_LIMIT_MAX ? SEARCH_LIMIT_MAX : in->limit;
	int offset = in->offset < 0 ? 0 : in->offset > SEARCH_OFFSET_MAX ? SEARCH_OFFSET_MAX
									 : in->offset;
	struct run r = { a, match_text(a, db_backend(db), words, n), in, limit, offset, 0,
			 time_now(), out };
	out->searched = true;
	if (db_read_run(db, "search_find", run_txn, &r) < 0) {
		clear_lists(out);
		return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}

enum kq_err search_run(struct db *db, struct arena *a, const char *q, int limit,
		       struct search_results *out)
{
	struct search_query in = { .q = q, .kind = SEARCH_KINDS, .limit = limit };
	return search_find(db, a, &in, out);
}

enum kq_err search_suggest(struct db *db, struct arena *a, const char *q,
			   struct search_hit **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	struct search_query in = { .q = q, .kind = SEARCH_KINDS, .limit = 3, .no_totals = true };
	struct search_results r;
	enum kq_err e = search_find(db, a, &in, &r);
	if (e != KQ_OK || !r.searched)
		return e;
	static const enum search_kind order[] = { SEARCH_PRACTICAL, SEARCH_ORG, SEARCH_EVENT,
						  SEARCH_POST, SEARCH_PRODUCT };
	struct search_hit *v = arena_alloc(a, sizeof(*v) * SEARCH_SUGGEST_MAX);
	int n = 0;
	/* The best of each kind in turn, then the second of each... */
	for (int rank = 0; rank < 3 && n < SEARCH_SUGGEST_MAX; rank++)
		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && n < SEARCH_SUGGEST_MAX; i++) {
			const struct search_hit *hits;
			int nh;
			int64_t total;
			search_list(&r, order[i], &hits, &nh, &total);
			if (rank < nh)
				v[n++] = hits[rank];
		}
	*out = v;
	*out_n = n;
	return KQ_OK;
}

/* ---- names and paths ------------------------------------------------------------------------- */

static const char *const kind_names[SEARCH_KINDS] = { "organisations", "events", "posts",
						      "products", "practical" };
static const char *const kind_paths[SEARCH_KINDS] = { "/organisations/", "/evenements/",
						      "/actualites/", "/produits/",
						      "/infos-pratiques/" };

const char *search_kind_name(enum search_kind k)
{
	return k < SEARCH_KINDS ? kind_names[k] : "all";
}

bool search_kind_parse(const char *s, enum search_kind *out)
{
	*out = SEARCH_KINDS;
	if (!s || !*s || strcmp(s, "all") == 0)
		return true;
	for (int k = 0; k < SEARCH_KINDS; k++)
		if (strcmp(s, kind_names[k]) == 0) {
			*out = (enum search_kind)k;
			return true;
		}
	return false;
}

/* Slugs are [a-z0-9-] (str_slug_valid): nothing to escape. */
const char *search_hit_path(struct arena *a, const struct search_hit *h)
{
	return arena_printf(a, "%s%s", kind_paths[h->kind < SEARCH_KINDS ? h->kind : 0], h->slug);
}

void search_list(const struct search_results *r, enum search_kind k,
		 const struct search_hit **out_hits, int *out_n, int64_t *out_total)
{
	switch (k) {
	case SEARCH_ORG:
		*out_hits = r->orgs, *out_n = r->norgs, *out_total = r->orgs_total;
		return;
	case SEARCH_EVENT:
		*out_hits = r->events, *out_n = r->nevents, *out_total = r->events_total;
		return;
	case SEARCH_POST:
		*out_hits = r->posts, *out_n = r->nposts, *out_total = r->posts_total;
		return;
	case SEARCH_PRODUCT:
		*out_hits = r->products, *out_n = r->nproducts, *out_total = r->products_total;
		return;
	case SEARCH_PRACTICAL:
		*out_hits = r->pages, *out_n = r->npages, *out_total = r->pages_total;
		return;
	case SEARCH_KINDS:
		break;
	}
	*out_hits = NULL;
	*out_n = 0;
	*out_total = 0;
}
