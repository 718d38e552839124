/* test_search.c: the search box on both backends: a fixed French corpus, accents, prefixes, ranking, filters, hidden content, drafts, triggers, hostile queries (core/search.c, migrations 0015, 0016, 0023) */
#include "testlib.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/str.h"
#include "core/events.h"
#include "core/orgs.h"
#include "core/practical.h"
#include "core/search.h"

#include <time.h>

struct env {
	char url[1024];
	char schema[128];
	struct db *db;
	struct arena *a;
	int64_t owner;
	int64_t fetes_id, fromagerie_id, chorale_id;
};

TL_MIGRATED_DB_SETUPS(struct env, "search")

/* ---- fixtures ------------------------------------------------------------------------------- */

static const struct db_sql SQL_ACCOUNT = { "ut_search_account",
	"INSERT INTO accounts (email, email_lower, display_name, password_hash, email_verified_at,"
	" platform_role, lang, created_at) VALUES ($1, $1, 'Olga', 'x', 1, '', 'fr', 1) RETURNING id" };
static const struct db_sql SQL_COMMUNE = { "ut_search_commune",
	"INSERT INTO communes (insee, name, postcode) VALUES ($1, $2, '26470')" };
static const struct db_sql SQL_RENAME_COMMUNE = { "ut_search_rename_commune",
	"UPDATE communes SET name = $2 WHERE insee = $1" };
static const struct db_sql SQL_DELETE_ORG = { "ut_search_delete_org",
	"DELETE FROM organisations WHERE id = $1" };
static const struct db_sql SQL_DELETE_EVENT = { "ut_search_delete_event",
	"DELETE FROM events WHERE id = $1" };

static struct actor owner_of(struct env *e)
{
	struct actor who = { .account_id = e->owner, .email = "olga@example.org",
			     .display_name = "Olga", .platform_role = "", .lang = "fr",
			     .is_verified = true };
	return who;
}

static int64_t make_org(struct env *e, const char *name, const char *summary,
			const char *description, const char *category, const char *commune)
{
	struct actor who = owner_of(e);
	struct field_errors fe = { 0 };
	struct org o;
	struct org_input in = { .kind = "association", .name = name, .summary = summary,
				.description = description, .category = category,
				.commune = commune };
	enum kq_err r = orgs_create(e->db, &who, &in, e->a, &fe, &o);
	if (r != KQ_OK)
		fail_msg("orgs_create %s: %d (%s)", name, r, fe.n ? fe.e[0].field : "");
	return o.id;
}

static struct event make_event(struct env *e, int64_t org_id, const char *title,
			       const char *description, const char *day, const char *status)
{
	struct actor who = owner_of(e);
	struct event_input in = { 0 };
	struct event_date_input *d = arena_alloc(e->a, sizeof(*d));
	d->start_date = day;
	d->start_time = "20:00";
	d->end_time = "23:00";
	in.title = title;
	in.summary = "";
	in.description = description;
	in.category = "concert";
	in.commune = "26391";
	in.venue_name = "Salle polyvalente";
	in.ticketing = "free";
	in.status = status;
	in.has_dates = true;
	in.dates = d;
	in.ndates = 1;
	struct field_errors fe = { 0 };
	struct event ev;
	enum kq_err r = events_create(e->db, &who, org_id, &in, e->a, &fe, &ev);
	if (r != KQ_OK)
		fail_msg("events_create %s: %d (%s)", title, r, fe.n ? fe.e[0].field : "");
	return ev;
}

/* Three organisations: one whose name says "fêtes", a cheese maker, and a
 * choir whose description speaks of cheese at length. */
static int fresh(void **state)
{
	struct env *e = *state;
	tl_set_clock(0);
	if (db_exec(e->db, "DELETE FROM practical_pages; DELETE FROM posts; DELETE FROM products;"
			   " DELETE FROM event_dates; DELETE FROM events; DELETE FROM org_members;"
			   " DELETE FROM organisations; DELETE FROM accounts; DELETE FROM communes") !=
	    DB_NONE)
		return -1;
	const char *communes[][2] = { { "26391", "Vesqueval" }, { "26392", "Aigueclaire" } };
	for (int i = 0; i < 2; i++) {
		struct db_stmt *st = db_stmt(e->db, &SQL_COMMUNE);
		db_bind_text(st, 1, communes[i][0]);
		db_bind_text(st, 2, communes[i][1]);
		if (db_run(st) != DB_NONE)
			return -1;
	}
	if (e->a)
		arena_free(e->a);
	e->a = arena_new();
	struct db_stmt *st = db_stmt(e->db, &SQL_ACCOUNT);
	db_bind_text(st, 1, "olga@example.org");
	if (db_step(st) != DB_ROW)
		return -1;
	e->owner = db_col_i64(st, 0);
	db_reset(st);
	e->fetes_id = make_org(e, "Comité des Fêtes", "Le bal du 14 juillet et la vogue.",
			       "Nous organisons la vogue, le bal et le vide-grenier d'automne.",
			       "comite-des-fetes", "26391");
	e->fromagerie_id = make_org(e, "Fromagerie du Plateau", "Chèvres et tommes.",
				    "Vente à la ferme le samedi.", "", "26392");
	e->chorale_id = make_org(e, "Chorale des Trois Vallées", "Chanter ensemble.",
				 "Après la répétition, fromagerie ouverte : la fromagerie du village"
				 " offre les fromages, fromagerie oblige, à chaque fromagerie visitée.",
				 "culture", "");
	return 0;
}

static int done(void **state)
{
	struct env *e = *state;
	tl_set_clock(0);
	arena_free(e->a);
	e->a = NULL;
	return 0;
}

static struct search_results run(struct env *e, const char *q)
{
	struct search_results r;
	enum kq_err err = search_run(e->db, e->a, q, 20, &r);
	if (err != KQ_OK)
		fail_msg("search_run \"%s\": error %d", q, err);
	return r;
}

static bool has_org(const struct search_results *r, const char *title)
{
	for (int i = 0; i < r->norgs; i++)
		if (strcmp(r->orgs[i].title, title) == 0)
			return true;
	return false;
}

static bool has_event(const struct search_results *r, const char *title)
{
	for (int i = 0; i < r->nevents; i++)
		if (strcmp(r->events[i].title, title) == 0)
			return true;
	return false;
}

static int64_t utc(int y, int m, int d)
{
	struct tm tm = { 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (int64_t)timegm(&tm);
}

/* ---- words (no database) ------------------------------------------------------------------ */

static void test_words_are_letters_and_digits_and_everything_else_separates(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	const char **w;
	int n;
	assert_true(search_words(a, "  Vide-grenier «Noël» l’église \"x\"* NEAR(a) ", &w, &n));
	assert_int_equal(n, 8);
	const char *want[] = { "Vide", "grenier", "Noël", "l", "église", "x", "NEAR", "a" };
	for (int i = 0; i < 8; i++)
		assert_string_equal(w[i], want[i]);
	assert_false(search_words(a, "un deux trois quatre cinq six sept huit neuf", &w, &n));
	assert_true(search_words(a, "*:& | ! <-> ' \" -", &w, &n));
	assert_int_equal(n, 0);
	arena_free(a);
}

/* ---- searching ------------------------------------------------------------------------------ */

static void test_accents_and_case_do_not_matter(void **state)
{
	struct env *e = *state;
	const char *queries[] = { "fete", "FÊTES", "fêtè", "comite des fetes", "Comité" };
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		struct search_results r = run(e, queries[i]);
		assert_true(r.searched);
		assert_true(has_org(&r, "Comité des Fêtes"));
	}
	/* and the other way: an accent typed finds a word written without */
	struct search_results r = run(e, "Vésqueval");
	assert_true(has_org(&r, "Comité des Fêtes"));
}

static void test_words_are_prefixes_and_all_must_be_found(void **state)
{
	struct env *e = *state;
	make_event(e, e->fetes_id, "Marché de Noël", "Calissons et vin chaud.", "2031-12-12",
		   "published");
	struct search_results r = run(e, "vesq");   /* the commune of the Comité */
	assert_true(has_org(&r, "Comité des Fêtes"));
	assert_false(has_org(&r, "Fromagerie du Plateau"));
	assert_true(has_event(&r, "Marché de Noël"));   /* the event is in Vesqueval too */
	r = run(e, "marche de noel");
	assert_int_equal(r.nevents, 1);
	assert_int_equal(r.norgs, 0);
	r = run(e, "calisson");
	assert_true(has_event(&r, "Marché de Noël"));
	r = run(e, "vide grenier");   /* written "vide-grenier" */
	assert_true(has_org(&r, "Comité des Fêtes"));
	r = run(e, "fromag vogue");   /* no row has both words */
	assert_int_equal(r.norgs, 0);
	r = run(e, "aigue");          /* commune of the cheese maker */
	assert_true(has_org(&r, "Fromagerie du Plateau"));
	assert_int_equal(r.norgs, 1);
	r = run(e, "comite des fetes");   /* the category slug is indexed too: the choir has none */
	assert_int_equal(r.norgs, 1);
}

static void test_a_name_match_ranks_before_description_matches(void **state)
{
	struct env *e = *state;
	struct search_results r = run(e, "fromagerie");
	assert_int_equal(r.norgs, 2);
	assert_int_equal(r.orgs_total, 2);
	assert_string_equal(r.orgs[0].title, "Fromagerie du Plateau");
	assert_string_equal(r.orgs[1].title, "Chorale des Trois Vallées");
	assert_int_equal(r.orgs[0].kind, SEARCH_ORG);
	assert_string_equal(r.orgs[0].commune, "Aigueclaire");
	assert_string_equal(r.orgs[0].snippet, "Chèvres et tommes.");

	/* events: a title match before one in the description, both to come */
	make_event(e, e->chorale_id, "Concert du soir", "Après le concert, la fromagerie régale.",
		   "2031-05-01", "published");
	make_event(e, e->fromagerie_id, "Fromagerie en fête", "Portes ouvertes.", "2031-06-01",
		   "published");
	r = run(e, "fromagerie");
	assert_int_equal(r.nevents, 2);
	assert_string_equal(r.events[0].title, "Fromagerie en fête");
	assert_string_equal(r.events[1].title, "Concert du soir");
	assert_false(r.events[0].is_past);
	/* no summary: the description, its Markdown signs dropped */
	assert_string_equal(r.events[0].snippet, "Portes ouvertes.");
	assert_string_equal(r.events[0].org_name, "Fromagerie du Plateau");
}

static void test_upcoming_events_come_before_past_ones(void **state)
{
	struct env *e = *state;
	/* the better match happens first, then the clock moves past it */
	make_event(e, e->fetes_id, "Grand bal", "Le **bal** de printemps.", "2030-04-10", "published");
	make_event(e, e->fetes_id, "Soirée dansante", "Un bal aussi.", "2030-09-10", "published");
	tl_set_clock(utc(2030, 6, 1) - time(NULL));
	struct search_results r = run(e, "bal");
	assert_int_equal(r.nevents, 2);
	assert_string_equal(r.events[0].title, "Soirée dansante");
	assert_false(r.events[0].is_past);
	assert_string_equal(r.events[1].title, "Grand bal");
	assert_true(r.events[1].is_past);
	assert_true(r.events[1].starts_at > utc(2030, 4, 10) && r.events[1].starts_at < utc(2030, 4, 11));
	tl_set_clock(0);
	r = run(e, "bal");
	assert_string_equal(r.events[0].title, "Grand bal");   /* both to come: relevance */
}

static void test_drafts_are_never_found_until_published(void **state)
{
	struct env *e = *state;
	struct event ev = make_event(e, e->fetes_id, "Zanzibar", "Soirée secrète.", "2031-03-03",
				     "draft");
	struct search_results r = run(e, "zanzibar");
	assert_int_equal(r.nevents, 0);
	assert_int_equal(r.events_total, 0);
	r = run(e, "secrete");
	assert_int_equal(r.nevents, 0);

	struct actor who = owner_of(e);
	struct field_errors fe = { 0 };
	struct event_input in = { .status = "published" };
	struct event out;
	assert_int_equal(events_update(e->db, &who, ev.id, &in, e->a, &fe, &out), KQ_OK);
	r = run(e, "zanzibar");
	assert_int_equal(r.nevents, 1);
	assert_string_equal(r.events[0].status, "published");

	in.status = "cancelled";   /* cancelled events stay findable, marked so */
	assert_int_equal(events_update(e->db, &who, ev.id, &in, e->a, &fe, &out), KQ_OK);
	r = run(e, "zanzibar");
	assert_int_equal(r.nevents, 1);
	assert_string_equal(r.events[0].status, "cancelled");

	in.status = "draft";
	assert_int_equal(events_update(e->db, &who, ev.id, &in, e->a, &fe, &out), KQ_OK);
	r = run(e, "zanzibar");
	assert_int_equal(r.nevents, 0);
}

static void test_updates_and_deletes_are_seen_at_once(void **state)
{
	struct env *e = *state;
	struct actor who = owner_of(e);
	struct field_errors fe = { 0 };
	struct org o;
	struct org_input in = { .name = "Les Amis du Four", .summary = "Pain au feu de bois." };
	assert_int_equal(orgs_update(e->db, &who, e->fromagerie_id, &in, e->a, &fe, &o), KQ_OK);
	struct search_results r = run(e, "plateau");
	assert_int_equal(r.norgs, 0);
	r = run(e, "tommes");
	assert_int_equal(r.norgs, 0);
	r = run(e, "four bois");
	assert_true(has_org(&r, "Les Amis du Four"));

	struct event ev = make_event(e, e->fetes_id, "Loto", "Beaux lots.", "2031-02-02",
				     "published");
	struct event_input ein = { .title = "Tournoi de belote" };
	struct event out;
	assert_int_equal(events_update(e->db, &who, ev.id, &ein, e->a, &fe, &out), KQ_OK);
	r = run(e, "loto");
	assert_int_equal(r.nevents, 0);
	r = run(e, "belote");
	assert_int_equal(r.nevents, 1);

	/* a commune renamed: its rows are found by the new name only */
	struct db_stmt *st = db_stmt(e->db, &SQL_RENAME_COMMUNE);
	db_bind_text(st, 1, "26391");
	db_bind_text(st, 2, "Vesqueval-le-Haut");
	assert_int_equal(db_run(st), DB_NONE);
	r = run(e, "haut");
	assert_true(has_org(&r, "Comité des Fêtes"));
	assert_true(has_event(&r, "Tournoi de belote"));
	assert_string_equal(r.orgs[0].commune, "Vesqueval-le-Haut");

	st = db_stmt(e->db, &SQL_DELETE_EVENT);
	db_bind_i64(st, 1, ev.id);
	assert_int_equal(db_run(st), DB_NONE);
	r = run(e, "belote");
	assert_int_equal(r.nevents, 0);

	/* an organisation deleted takes its events with it (ON DELETE CASCADE) */
	make_event(e, e->chorale_id, "Messe de minuit", "Chants de Noël.", "2031-12-24", "published");
	st = db_stmt(e->db, &SQL_DELETE_ORG);
	db_bind_i64(st, 1, e->chorale_id);
	assert_int_equal(db_run(st), DB_NONE);
	r = run(e, "chorale");
	assert_int_equal(r.norgs, 0);
	r = run(e, "messe");
	assert_int_equal(r.nevents, 0);
	r = run(e, "fromagerie");   /* the choir's description is gone from the index too */
	assert_int_equal(r.norgs, 0);

	if (db_backend(e->db) == DB_SQLITE) {   /* the index agrees with its content */
		assert_int_equal(db_exec(e->db, "INSERT INTO search_orgs (search_orgs, rank)"
						" VALUES ('integrity-check', 1)"), DB_NONE);
		assert_int_equal(db_exec(e->db, "INSERT INTO search_events (search_events, rank)"
						" VALUES ('integrity-check', 1)"), DB_NONE);
	}
}

/* Query syntax of FTS5 and to_tsquery is only text: each case finds what its
 * words find (all of them), never errs, and never widens the search. */
static void test_hostile_queries_are_words_and_never_err(void **state)
{
	struct env *e = *state;
	static const struct {
		const char *q;
		int orgs;   /* -1: not searched (no word) */
	} cases[] = {
		{ "\"fete\"", 1 },
		{ "fete\" OR \"chorale", 0 },   /* OR is a word no row has */
		{ "chorale OR fete", 0 },
		{ "chorale | fete", 0 },
		{ "'chorale':* | 'fete'", 0 },
		{ "-fete", 1 },
		{ "fete NOT comite", 0 },
		{ "NEAR(comite fete, 2)", 0 },
		{ "name: fete", 0 },
		{ "{name} : fromagerie", 0 },
		{ "^fromagerie", 2 },
		{ "fromag*", 2 },
		{ "plateau -fromagerie", 1 },   /* "-" does not exclude: both words are found */
		{ "fete\\", 1 },
		{ "comite <-> fete", 1 },
		{ "!fete", 1 },
		{ ") OR 1=1 --", 0 },
		{ "'; DROP TABLE organisations; --", 0 },
		{ "%", -1 },
		{ "*", -1 },
		{ "\"\"", -1 },
		{ ":* & !", -1 },
		{ "«»", -1 },
		{ "\xE2\x80\x99\xE2\x80\x99", -1 },   /* ’’ */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct search_results r;
		enum kq_err err = search_run(e->db, e->a, cases[i].q, 20, &r);
		if (err != KQ_OK)
			fail_msg("\"%s\": error %d", cases[i].q, err);
		if (cases[i].orgs < 0) {
			if (r.searched)
				fail_msg("\"%s\" was searched", cases[i].q);
		} else if (r.norgs != cases[i].orgs) {
			fail_msg("\"%s\": %d organisations, expected %d", cases[i].q, r.norgs,
				 cases[i].orgs);
		}
	}
	struct search_results r = run(e, "chorale");   /* the table is still there */
	assert_int_equal(r.norgs, 1);
}

static void test_length_limits_short_is_nothing_long_is_refused(void **state)
{
	struct env *e = *state;
	struct search_results r;
	assert_int_equal(search_run(e->db, e->a, NULL, 20, &r), KQ_OK);
	assert_false(r.searched);
	assert_int_equal(search_run(e->db, e->a, "   ", 20, &r), KQ_OK);
	assert_false(r.searched);
	assert_string_equal(r.q, "");
	assert_int_equal(search_run(e->db, e->a, " é ", 20, &r), KQ_OK);
	assert_false(r.searched);
	assert_string_equal(r.q, "é");
	assert_int_equal(search_run(e->db, e->a, "fê", 20, &r), KQ_OK);
	assert_true(r.searched);
	assert_true(has_org(&r, "Comité des Fêtes"));

	char q[160];
	memset(q, 'a', 101);
	q[101] = 0;
	assert_int_equal(search_run(e->db, e->a, q, 20, &r), KQ_ERR_SEARCH_QUERY_TOO_LONG);
	assert_int_equal(r.norgs, 0);
	/* 100 characters, two bytes each, are fine */
	q[0] = 0;
	for (int i = 0; i < 50; i++)
		strcat(q, "\xC3\xA9");
	strcat(q, " ");
	for (int i = 0; i < 49; i++)
		strcat(q, "e");
	assert_int_equal(str_utf8_len(q), 100);
	assert_int_equal(search_run(e->db, e->a, q, 20, &r), KQ_OK);
	assert_true(r.searched);
	assert_int_equal(search_run(e->db, e->a, "un deux trois quatre cinq six sept huit neuf",
				    20, &r), KQ_ERR_SEARCH_QUERY_TOO_LONG);
	assert_int_equal(search_run(e->db, e->a, "un deux trois quatre cinq six sept huit", 20, &r),
			 KQ_OK);
	assert_int_equal(search_run(e->db, e->a, "f\xC3", 20, &r), KQ_ERR_BAD_REQUEST);
	/* control characters are spaces */
	assert_int_equal(search_run(e->db, e->a, "comite\n\tfetes\x01", 20, &r), KQ_OK);
	assert_string_equal(r.q, "comite  fetes");
	assert_int_equal(r.norgs, 1);
}

static void test_the_limit_keeps_the_total(void **state)
{
	struct env *e = *state;
	struct search_results r;
	assert_int_equal(search_run(e->db, e->a, "des", 1, &r), KQ_OK);
	assert_int_equal(r.norgs, 1);
	assert_int_equal(r.orgs_total, 2);   /* Comité des Fêtes, Chorale des Trois Vallées */
	assert_int_equal(search_run(e->db, e->a, "des", 0, &r), KQ_OK);   /* clamped to 1 */
	assert_int_equal(r.norgs, 1);
}

static void test_snippets_are_plain_text_cut_between_words(void **state)
{
	struct env *e = *state;
	char desc[1200] = "# Le **four** banal\n\n> Restauré en _2024_. ";
	while (strlen(desc) < 1000)
		strcat(desc, "Pain cuit au feu de bois chaque samedi. ");
	make_org(e, "Four banal de Bourdeaux", "", desc, "patrimoine", "");
	struct search_results r = run(e, "bourdeaux");
	assert_int_equal(r.norgs, 1);
	const char *sn = r.orgs[0].snippet;
	assert_true(str_starts(sn, "Le four banal Restauré en 2024. Pain cuit"));
	assert_null(strpbrk(sn, "#*_>\n"));
	assert_true(str_utf8_len(sn) <= SEARCH_SNIPPET_MAX + 1);
	size_t n = strlen(sn);
	assert_true(n > 3 && strcmp(sn + n - 3, "\xE2\x80\xA6") == 0);   /* … */
	assert_true(sn[n - 4] != ' ');                                   /* cut after a word */
	/* a short description is whole, with no ellipsis */
	make_org(e, "Lavoir de Bourdeaux", "", "Le *lavoir* du bas.", "patrimoine", "");
	r = run(e, "lavoir");
	assert_string_equal(r.orgs[0].snippet, "Le lavoir du bas.");
}


/* ---- a fixed French corpus, the same on both backends --------------------------------------- */

static const struct db_sql SQL_POST = { "ut_search_post",
	"INSERT INTO posts (org_id, slug, title, body, body_html, status, published_at, author_id,"
	" created_at, updated_at) VALUES ($1, $2, $3, $4, '', 'published', $5, $6, $5, $5)"
	" RETURNING id" };
static const struct db_sql SQL_HIDE_POST = { "ut_search_hide_post",
	"UPDATE posts SET hidden_at = $2 WHERE id = $1" };
static const struct db_sql SQL_PRODUCT = { "ut_search_product",
	"INSERT INTO products (org_id, slug, name, summary, description, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, 1, 1) RETURNING id" };
static const struct db_sql SQL_PRODUCT_LABEL = { "ut_search_product_label",
	"INSERT INTO product_labels (product_id, label_id) SELECT $1, id FROM labels WHERE slug = $2" };
static const struct db_sql SQL_PRODUCT_UNLABEL = { "ut_search_product_unlabel",
	"DELETE FROM product_labels WHERE product_id = $1" };
static const struct db_sql SQL_HIDE_PRODUCT = { "ut_search_hide_product",
	"UPDATE products SET hidden_at = $2 WHERE id = $1" };
static const struct db_sql SQL_HIDE_ORG = { "ut_search_hide_org",
	"UPDATE organisations SET hidden_at = $2 WHERE id = $1" };

/* A published post of org_id (0: a citizen's, written by the owner account). */
static int64_t make_post(struct env *e, int64_t org_id, const char *title, const char *body,
			 int64_t published_at)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_POST);
	db_bind_i64_or_null(st, 1, org_id);
	db_bind_text(st, 2, str_slugify(e->a, title));
	db_bind_text(st, 3, title);
	db_bind_text(st, 4, body);
	db_bind_i64(st, 5, published_at);
	db_bind_i64(st, 6, e->owner);
	enum db_status s = db_step(st);
	int64_t id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (!id)
		fail_msg("insert post %s: %s", title, db_errmsg(e->db));
	return id;
}

static void set_hidden(struct env *e, const struct db_sql *sql, int64_t id, int64_t at)
{
	struct db_stmt *st = db_stmt(e->db, sql);
	db_bind_i64(st, 1, id);
	db_bind_i64_or_null(st, 2, at);
	assert_int_equal(db_run(st), DB_NONE);
}

static int64_t make_public_body(struct env *e, const char *name, const char *commune)
{
	struct actor who = owner_of(e);
	struct field_errors fe = { 0 };
	struct org o;
	struct org_input in = { .kind = "public_body", .name = name, .summary = "",
				.description = "", .category = "mairie", .commune = commune };
	if (orgs_create(e->db, &who, &in, e->a, &fe, &o) != KQ_OK)
		fail_msg("orgs_create %s (%s)", name, fe.n ? fe.e[0].field : "");
	return o.id;
}

static int64_t make_page(struct env *e, int64_t org_id, const char *section, const char *title,
			 const char *body)
{
	struct actor who = owner_of(e);
	struct field_errors fe = { 0 };
	struct practical_input in = { .section = section, .title = title, .body = body };
	struct practical_page p;
	if (practical_create(e->db, &who, org_id, &in, e->a, &fe, &p) != KQ_OK)
		fail_msg("practical_create %s (%s)", title, fe.n ? fe.e[0].field : "");
	return p.id;
}

static int64_t make_product(struct env *e, int64_t org_id, const char *name, const char *summary,
			    const char *description, const char *label)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_PRODUCT);
	db_bind_i64(st, 1, org_id);
	db_bind_text(st, 2, str_slugify(e->a, name));
	db_bind_text(st, 3, name);
	db_bind_text(st, 4, summary);
	db_bind_text(st, 5, description);
	enum db_status s = db_step(st);
	int64_t id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (!id)
		fail_msg("insert product %s: %s", name, db_errmsg(e->db));
	if (label) {
		st = db_stmt(e->db, &SQL_PRODUCT_LABEL);
		db_bind_i64(st, 1, id);
		db_bind_text(st, 2, label);
		assert_int_equal(db_run(st), DB_NONE);
	}
	return id;
}

struct corpus_ids {
	int64_t mairie, oeufs_post, ecole_post, calissons;
};

static struct corpus_ids corpus(struct env *e)
{
	struct corpus_ids ids;
	int64_t now = time_now();
	make_event(e, e->fetes_id, "Marché de Noël", "Calissons, nougats et vin chaud.",
		   "2031-12-12", "published");
	make_event(e, e->fetes_id, "Marché de Pâques", "Chasse aux œufs pour les enfants.",
		   "2031-04-05", "published");
	make_event(e, e->fetes_id, "Grand vide-grenier de printemps", "Plus de cent exposants.",
		   "2031-05-10", "published");
	make_event(e, e->chorale_id, "Fête de l'été", "Bal et feu d'artifice au bord de l'eau.",
		   "2031-06-21", "published");
	make_event(e, e->chorale_id, "Concert au Grenier à sel", "Chants de marins.", "2031-09-12",
		   "published");
	ids.oeufs_post = make_post(e, e->fromagerie_id, "Les Œufs frais de la ferme",
				   "Vente le samedi matin, six ou douze.", now - 86400);
	ids.ecole_post = make_post(e, e->fetes_id, "Rentrée scolaire, école Jean-Moulin",
				   "Les inscriptions sont ouvertes en mairie.", now - 2 * 86400);
	make_post(e, e->chorale_id, "Jeux de société à la médiathèque",
		  "Tous les mercredis, pour petits et grands.", now - 3 * 86400);
	ids.mairie = make_public_body(e, "Mairie de Vesqueval", "26391");
	make_page(e, ids.mairie, "mairie", "Horaires de la mairie",
		  "Ouverte du lundi au vendredi, de 9 h à 12 h.");
	make_page(e, ids.mairie, "urgences", "Numéros d'urgence",
		  "SAMU 15, police 17, pompiers 18, urgence européenne 112, SMS 114.");
	make_page(e, ids.mairie, "dechets", "Collecte des déchets",
		  "Les encombrants sont ramassés le premier lundi du mois.");
	ids.calissons = make_product(e, e->fromagerie_id, "Calissons d'Aigueclaire",
				     "Amande et melon confit.", "Faits main, en boîte de douze.", "ab");
	make_product(e, e->fromagerie_id, "Tomme de chèvre", "Affinée trois mois.", "", NULL);
	return ids;
}

/* Every title found for q, of every kind, joined by "|". */
static const char *titles(struct env *e, const char *q)
{
	struct search_results r = run(e, q);
	const char *out = "|";
	for (int k = 0; k < SEARCH_KINDS; k++) {
		const struct search_hit *h;
		int n;
		int64_t total;
		search_list(&r, (enum search_kind)k, &h, &n, &total);
		for (int i = 0; i < n; i++)
			out = arena_printf(e->a, "%s%s|", out, h[i].title);
	}
	return out;
}

static void test_french_as_typed_finds_what_it_means(void **state)
{
	struct env *e = *state;
	corpus(e);
	/* query, a title it must find, a title it must not find (NULL: none) */
	static const char *const cases[][3] = {
		{ "noel", "Marché de Noël", "Marché de Pâques" },
		{ "Noël", "Marché de Noël", NULL },
		{ "NOEL", "Marché de Noël", NULL },
		{ "marche de noel", "Marché de Noël", "Marché de Pâques" },
		{ "Marché noël", "Marché de Noël", "Comité des Fêtes" },
		{ "marché du noël", "Marché de Noël", NULL },
		{ "le marche de la noel", "Marché de Noël", NULL },
		{ "marches", "Marché de Pâques", NULL },
		{ "calisson", "Marché de Noël", "Fromagerie du Plateau" },
		{ "calissons", "Marché de Noël", NULL },
		{ "vide grenier", "Grand vide-grenier de printemps", "Concert au Grenier à sel" },
		{ "vide-grenier", "Grand vide-grenier de printemps", "Concert au Grenier à sel" },
		{ "vide grenier", "Comité des Fêtes", NULL },
		{ "oeuf", "Les Œufs frais de la ferme", NULL },
		{ "oeufs", "Marché de Pâques", NULL },
		{ "œufs", "Les Œufs frais de la ferme", "Marché de Noël" },
		{ "OEUFS frais", "Les Œufs frais de la ferme", "Marché de Pâques" },
		{ "ete", "Fête de l'été", NULL },
		{ "été", "Fête de l'été", "Marché de Noël" },
		{ "fete de l'ete", "Fête de l'été", "Comité des Fêtes" },
		{ "l'ecole", "Rentrée scolaire, école Jean-Moulin", NULL },
		{ "l\xE2\x80\x99\xC3\xA9" "cole", "Rentrée scolaire, école Jean-Moulin", NULL },
		{ "ecoles", "Rentrée scolaire, école Jean-Moulin", NULL },
		{ "rentree ecole", "Rentrée scolaire, école Jean-Moulin", "Jeux de société à la médiathèque" },
		{ "jeux", "Jeux de société à la médiathèque", NULL },
		{ "jeu societe", "Jeux de société à la médiathèque", NULL },
		{ "mediatheque", "Jeux de société à la médiathèque", NULL },
		{ "horaires mairie", "Horaires de la mairie", "Numéros d'urgence" },
		{ "horaire", "Horaires de la mairie", NULL },
		{ "urgences", "Numéros d'urgence", NULL },
		{ "112", "Numéros d'urgence", "Horaires de la mairie" },
		{ "déchet", "Collecte des déchets", NULL },
		{ "DECHETS", "Collecte des déchets", NULL },
		{ "encombrants", "Collecte des déchets", NULL },
		{ "fete", "Comité des Fêtes", NULL },
		{ "fetes", "Fête de l'été", NULL },
		{ "FROMAGERIE", "Fromagerie du Plateau", NULL },
		{ "grenier a sel", "Concert au Grenier à sel", "Grand vide-grenier de printemps" },
		{ "paques", "Marché de Pâques", "Marché de Noël" },
		{ "calisson", "Calissons d'Aigueclaire", "Tomme de chèvre" },
		{ "agriculture biologique", "Calissons d'Aigueclaire", "Tomme de chèvre" },
		{ "tommes chevre", "Tomme de chèvre", NULL },
		{ "chèvres", "Tomme de chèvre", NULL },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(cases); i++) {
		const char *found = titles(e, cases[i][0]);
		const char *want = arena_printf(e->a, "|%s|", cases[i][1]);
		if (!strstr(found, want))
			fail_msg("\"%s\" should find \"%s\"; found %s", cases[i][0], cases[i][1], found);
		if (cases[i][2] && strstr(found, arena_printf(e->a, "|%s|", cases[i][2])))
			fail_msg("\"%s\" should not find \"%s\"; found %s", cases[i][0], cases[i][2],
				 found);
	}
	/* All the words must be found, and none matches an unrelated row. */
	static const char *const nothing[] = { "noel paques", "calisson fromage", "zzyzx",
					       "ecole noel", "vide grenier sel" };
	for (size_t i = 0; i < TL_ARRAY_LEN(nothing); i++)
		if (strcmp(titles(e, nothing[i]), "|") != 0)
			fail_msg("\"%s\" should find nothing; found %s", nothing[i],
				 titles(e, nothing[i]));
}

static void test_kinds_and_paths_of_hits(void **state)
{
	struct env *e = *state;
	corpus(e);
	struct search_results r = run(e, "urgence");
	assert_int_equal(r.npages, 1);
	assert_int_equal(r.pages[0].kind, SEARCH_PRACTICAL);
	assert_string_equal(r.pages[0].category, "Urgences");
	assert_string_equal(r.pages[0].org_name, "Mairie de Vesqueval");
	assert_string_equal(r.pages[0].commune, "Vesqueval");
	assert_true(r.pages[0].starts_at > 0);
	assert_string_equal(search_hit_path(e->a, &r.pages[0]), "/infos-pratiques/numeros-d-urgence");
	r = run(e, "oeufs frais");
	assert_int_equal(r.nposts, 1);
	assert_string_equal(search_hit_path(e->a, &r.posts[0]), "/actualites/les-oeufs-frais-de-la-ferme");
	assert_string_equal(r.posts[0].org_name, "Fromagerie du Plateau");
	enum search_kind k;
	assert_true(search_kind_parse("practical", &k));
	assert_int_equal(k, SEARCH_PRACTICAL);
	assert_true(search_kind_parse("", &k));
	assert_int_equal(k, SEARCH_KINDS);
	assert_true(search_kind_parse("all", &k));
	assert_int_equal(k, SEARCH_KINDS);
	assert_false(search_kind_parse("pages", &k));
	assert_string_equal(search_kind_name(SEARCH_ORG), "organisations");
}

static void test_type_and_commune_filters(void **state)
{
	struct env *e = *state;
	corpus(e);
	/* "fete": the Comité (organisation), the summer party (event) */
	struct search_query in = { .q = "fete", .kind = SEARCH_EVENT, .limit = 20 };
	struct search_results r;
	assert_int_equal(search_find(e->db, e->a, &in, &r), KQ_OK);
	assert_int_equal(r.norgs, 0);
	assert_int_equal(r.orgs_total, 0);
	assert_true(r.nevents >= 1);
	assert_int_equal(r.nposts + r.npages + r.nproducts, 0);
	in.kind = SEARCH_ORG;
	assert_int_equal(search_find(e->db, e->a, &in, &r), KQ_OK);
	assert_int_equal(r.norgs, 1);
	assert_int_equal(r.nevents, 0);

	/* commune: "fromagerie" matches the cheese maker (Aigueclaire) and the
	 * choir (no commune); only the first is in Aigueclaire. */
	struct search_query c = { .q = "fromagerie", .kind = SEARCH_KINDS, .commune = "26392",
				  .limit = 20 };
	assert_int_equal(search_find(e->db, e->a, &c, &r), KQ_OK);
	assert_int_equal(r.norgs, 1);
	assert_int_equal(r.orgs_total, 1);
	assert_string_equal(r.orgs[0].title, "Fromagerie du Plateau");
	c.commune = "26391";
	assert_int_equal(search_find(e->db, e->a, &c, &r), KQ_OK);
	assert_int_equal(r.norgs, 0);
	c.commune = "99999";   /* unknown: nothing */
	c.q = "fete";
	assert_int_equal(search_find(e->db, e->a, &c, &r), KQ_OK);
	assert_true(r.searched);
	assert_int_equal(r.norgs + r.nevents + r.nposts + r.npages, 0);
	/* events are filtered by their own commune (the fixtures' 26391), posts
	 * and practical pages by their organisation's */
	c.commune = "26391";
	c.q = "marche";
	assert_int_equal(search_find(e->db, e->a, &c, &r), KQ_OK);
	assert_int_equal(r.nevents, 2);
	c.q = "oeufs";
	assert_int_equal(search_find(e->db, e->a, &c, &r), KQ_OK);
	assert_int_equal(r.nposts, 0);      /* the cheese maker is in Aigueclaire */
	assert_int_equal(r.nevents, 1);     /* Pâques, in Vesqueval */
	c.q = "mairie";
	assert_int_equal(search_find(e->db, e->a, &c, &r), KQ_OK);
	assert_true(r.npages >= 1);
	c.commune = "26392";
	assert_int_equal(search_find(e->db, e->a, &c, &r), KQ_OK);
	assert_int_equal(r.npages, 0);
}

static void test_pages_of_one_kind_and_totals(void **state)
{
	struct env *e = *state;
	for (int i = 0; i < 7; i++)
		make_post(e, e->fetes_id, arena_printf(e->a, "Tombola numéro %d", i), "Des lots.",
			  time_now() - i * 3600);
	struct search_query in = { .q = "tombola", .kind = SEARCH_POST, .limit = 3 };
	struct search_results r;
	const char *seen = "|";
	for (int page = 0; page < 3; page++) {
		in.offset = page * 3;
		assert_int_equal(search_find(e->db, e->a, &in, &r), KQ_OK);
		assert_int_equal(r.posts_total, 7);
		assert_int_equal(r.nposts, page < 2 ? 3 : 1);
		for (int i = 0; i < r.nposts; i++) {
			const char *t = arena_printf(e->a, "|%s|", r.posts[i].title);
			assert_null(strstr(seen, t));   /* no post twice */
			seen = arena_printf(e->a, "%s%s|", seen, r.posts[i].title);
		}
	}
	/* same relevance: the newest first */
	in.offset = 0;
	assert_int_equal(search_find(e->db, e->a, &in, &r), KQ_OK);
	assert_string_equal(r.posts[0].title, "Tombola numéro 0");
}

static const struct db_sql SQL_MANY_POSTS = { "ut_search_many_posts",
	"INSERT INTO posts (org_id, slug, title, body, body_html, status, published_at, created_at,"
	" updated_at) WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < $2)"
	" SELECT $1, 'kermesse-' || CAST(n AS TEXT), 'Kermesse numéro ' || CAST(n AS TEXT),"
	" 'Stands et jeux.', '', 'published', $3 - ($2 - n) * 60, 1, 1 FROM s" };

/* Past SEARCH_SCORE_MAX matches a kind is not scored: its newest come
 * first, and its total says "more than SEARCH_SCORE_MAX", on both backends alike. */
static void test_a_very_broad_query_lists_the_newest_and_counts_all(void **state)
{
	struct env *e = *state;
	int many = SEARCH_SCORE_MAX + 50;
	struct db_stmt *st = db_stmt(e->db, &SQL_MANY_POSTS);
	db_bind_i64(st, 1, e->fetes_id);
	db_bind_i64(st, 2, many);
	db_bind_i64(st, 3, time_now());
	assert_int_equal(db_run(st), DB_NONE);
	/* one older post with the word in its title twice: it would win on relevance */
	make_post(e, e->fetes_id, "Kermesse paroissiale, la kermesse des kermesses",
		  "Kermesse.", time_now() - 400 * 86400);
	make_post(e, e->chorale_id, "Concert du soir", "Après la kermesse paroissiale.",
		  time_now() - 60);
	struct search_query in = { .q = "kermesse", .kind = SEARCH_POST, .limit = 10 };
	struct search_results r;
	assert_int_equal(search_find(e->db, e->a, &in, &r), KQ_OK);
	assert_int_equal(r.posts_total, SEARCH_TOTAL_MORE);
	assert_int_equal(r.nposts, 10);
	const char *newest = arena_printf(e->a, "Kermesse numéro %d", many);
	assert_string_equal(r.posts[0].title, newest);   /* the newest */
	const char *first_page = "|";
	for (int i = 0; i < r.nposts; i++)
		first_page = arena_printf(e->a, "%s%s|", first_page, r.posts[i].title);
	in.offset = 10;
	assert_int_equal(search_find(e->db, e->a, &in, &r), KQ_OK);
	assert_int_equal(r.nposts, 10);
	assert_int_equal(r.posts_total, SEARCH_TOTAL_MORE);
	for (int i = 0; i < r.nposts; i++)
		assert_null(strstr(first_page, arena_printf(e->a, "|%s|", r.posts[i].title)));
	in.offset = SEARCH_OFFSET_MAX + 500;   /* the deepest page, no deeper */
	assert_int_equal(search_find(e->db, e->a, &in, &r), KQ_OK);
	assert_int_equal(r.nposts, 10);
	/* the suggestions: no total, bounded work, still the newest */
	struct search_hit *h;
	int n;
	assert_int_equal(search_suggest(e->db, e->a, "kermes", &h, &n), KQ_OK);
	assert_int_equal(n, 3);
	assert_string_equal(h[0].title, newest);
	/* a narrower query is scored again: the title match wins over recency */
	assert_int_equal(search_find(e->db, e->a, &(struct search_query){ .q = "kermesse paroissiale",
				     .kind = SEARCH_POST, .limit = 5 }, &r), KQ_OK);
	assert_int_equal(r.posts_total, 2);
	assert_string_equal(r.posts[0].title, "Kermesse paroissiale, la kermesse des kermesses");
}

static void test_recent_posts_rank_higher_at_equal_relevance(void **state)
{
	struct env *e = *state;
	int64_t now = time_now();
	/* The newer is written first (smaller id): only the boost puts it first. */
	make_post(e, e->fetes_id, "Concours de belote", "Inscriptions au bar.", now - 3600);
	make_post(e, e->chorale_id, "Belote du jeudi", "Inscriptions au bar.", now - 400 * 86400);
	struct search_results r = run(e, "belote");
	assert_int_equal(r.nposts, 2);
	assert_string_equal(r.posts[0].title, "Concours de belote");
}

/* INVARIANT(hidden-search): hidden content leaves the results at once. */
static void test_hidden_content_vanishes_at_once_and_comes_back(void **state)
{
	struct env *e = *state;
	struct corpus_ids ids = corpus(e);
	assert_int_equal(run(e, "oeufs frais").nposts, 1);
	set_hidden(e, &SQL_HIDE_POST, ids.oeufs_post, time_now());
	struct search_results r = run(e, "oeufs frais");
	assert_int_equal(r.nposts, 0);
	assert_int_equal(r.posts_total, 0);
	struct search_query in = { .q = "oeufs frais", .kind = SEARCH_POST, .limit = 1, .offset = 1 };
	assert_int_equal(search_find(e->db, e->a, &in, &r), KQ_OK);
	assert_int_equal(r.posts_total, 0);
	set_hidden(e, &SQL_HIDE_POST, ids.oeufs_post, 0);
	assert_int_equal(run(e, "oeufs frais").nposts, 1);

	/* a hidden organisation: itself, its events, its posts, its pages */
	set_hidden(e, &SQL_HIDE_ORG, e->fetes_id, time_now());
	r = run(e, "noel");
	assert_int_equal(r.nevents, 0);
	r = run(e, "comite");
	assert_int_equal(r.norgs, 0);
	r = run(e, "rentree ecole");
	assert_int_equal(r.nposts, 0);
	set_hidden(e, &SQL_HIDE_ORG, e->fetes_id, 0);
	assert_int_equal(run(e, "noel").nevents, 1);
	assert_int_equal(run(e, "comite").norgs, 1);
	set_hidden(e, &SQL_HIDE_ORG, ids.mairie, time_now());
	assert_int_equal(run(e, "urgence").npages, 0);
	set_hidden(e, &SQL_HIDE_ORG, ids.mairie, 0);
	assert_int_equal(run(e, "urgence").npages, 1);

	/* hidden, then edited, then restored: found with its new words only */
	set_hidden(e, &SQL_HIDE_POST, ids.ecole_post, time_now());
	assert_int_equal(db_exec(e->db, "UPDATE posts SET title = 'Rentrée au collège'"
					" WHERE slug = 'rentree-scolaire-ecole-jean-moulin'"), DB_NONE);
	set_hidden(e, &SQL_HIDE_POST, ids.ecole_post, 0);
	assert_int_equal(run(e, "college").nposts, 1);
	assert_int_equal(run(e, "jean moulin").nposts, 0);
}

static void test_products_follow_their_labels_and_hiding(void **state)
{
	struct env *e = *state;
	struct corpus_ids ids = corpus(e);
	struct search_results r = run(e, "biologique");
	assert_int_equal(r.nproducts, 1);
	assert_string_equal(r.products[0].title, "Calissons d'Aigueclaire");
	assert_string_equal(r.products[0].org_name, "Fromagerie du Plateau");
	assert_string_equal(r.products[0].commune, "Aigueclaire");
	assert_string_equal(r.products[0].snippet, "Amande et melon confit.");
	assert_string_equal(search_hit_path(e->a, &r.products[0]), "/produits/calissons-d-aigueclaire");
	struct db_stmt *st = db_stmt(e->db, &SQL_PRODUCT_UNLABEL);
	db_bind_i64(st, 1, ids.calissons);
	assert_int_equal(db_run(st), DB_NONE);
	assert_int_equal(run(e, "biologique").nproducts, 0);
	assert_int_equal(run(e, "calissons").nproducts, 1);
	st = db_stmt(e->db, &SQL_PRODUCT_LABEL);
	db_bind_i64(st, 1, ids.calissons);
	db_bind_text(st, 2, "label-rouge");
	assert_int_equal(db_run(st), DB_NONE);
	assert_int_equal(run(e, "label rouge calisson").nproducts, 1);
	set_hidden(e, &SQL_HIDE_PRODUCT, ids.calissons, time_now());
	assert_int_equal(run(e, "calissons").nproducts, 0);
	assert_int_equal(run(e, "calissons").products_total, 0);
	set_hidden(e, &SQL_HIDE_PRODUCT, ids.calissons, 0);
	assert_int_equal(run(e, "label rouge calisson").nproducts, 1);
	set_hidden(e, &SQL_HIDE_ORG, e->fromagerie_id, time_now());
	assert_int_equal(run(e, "calissons").nproducts, 0);
	set_hidden(e, &SQL_HIDE_ORG, e->fromagerie_id, 0);
	struct search_query in = { .q = "calissons", .kind = SEARCH_PRODUCT, .commune = "26391",
				   .limit = 5 };
	assert_int_equal(search_find(e->db, e->a, &in, &r), KQ_OK);
	assert_int_equal(r.nproducts, 0);
	in.commune = "26392";
	assert_int_equal(search_find(e->db, e->a, &in, &r), KQ_OK);
	assert_int_equal(r.nproducts, 1);
	assert_int_equal(r.nevents + r.norgs + r.nposts + r.npages, 0);
}

static void test_citizen_posts_show_their_author(void **state)
{
	struct env *e = *state;
	make_post(e, 0, "Chaton trouvé rue des Tilleuls", "Tigré, très câlin.", time_now());
	struct search_results r = run(e, "chaton");
	assert_int_equal(r.nposts, 1);
	assert_string_equal(r.posts[0].org_name, "Olga");
	assert_string_equal(r.posts[0].commune, "");
	struct search_query in = { .q = "chaton", .kind = SEARCH_POST, .commune = "26391",
				   .limit = 5 };
	assert_int_equal(search_find(e->db, e->a, &in, &r), KQ_OK);
	assert_int_equal(r.nposts, 0);   /* no organisation, no commune */
}

static void test_practical_pages_follow_their_edits(void **state)
{
	struct env *e = *state;
	struct corpus_ids ids = corpus(e);
	(void)ids;
	struct search_results r = run(e, "encombrants");
	assert_int_equal(r.npages, 1);
	struct practical_page p;
	assert_int_equal(practical_get(e->db, e->a, r.pages[0].slug, &p), KQ_OK);
	struct actor who = owner_of(e);
	struct field_errors fe = { 0 };
	struct practical_input in = { .body = "Les gros objets partent à la déchetterie." };
	struct practical_page out;
	assert_int_equal(practical_update(e->db, &who, p.id, &in, e->a, &fe, &out), KQ_OK);
	assert_int_equal(run(e, "encombrants").npages, 0);
	assert_int_equal(run(e, "dechetterie").npages, 1);
	assert_int_equal(practical_delete(e->db, &who, p.id), KQ_OK);
	assert_int_equal(run(e, "dechetterie").npages, 0);
}

static void test_suggestions_take_the_best_of_each_kind(void **state)
{
	struct env *e = *state;
	corpus(e);
	struct search_hit *h;
	int n;
	assert_int_equal(search_suggest(e->db, e->a, "mar", &h, &n), KQ_OK);
	assert_true(n >= 2 && n <= SEARCH_SUGGEST_MAX);
	bool noel = false;
	for (int i = 0; i < n; i++)
		if (strcmp(h[i].title, "Marché de Noël") == 0 && h[i].kind == SEARCH_EVENT)
			noel = true;
	assert_true(noel);
	assert_int_equal(search_suggest(e->db, e->a, "horai", &h, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].kind, SEARCH_PRACTICAL);
	assert_int_equal(search_suggest(e->db, e->a, "m", &h, &n), KQ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(search_suggest(e->db, e->a, NULL, &h, &n), KQ_OK);
	assert_int_equal(n, 0);
	/* eight of one word: never more than the list holds */
	for (int i = 0; i < 5; i++)
		make_post(e, e->fetes_id, arena_printf(e->a, "Marelle %d", i), "", time_now());
	assert_int_equal(search_suggest(e->db, e->a, "mar", &h, &n), KQ_OK);
	assert_true(n <= SEARCH_SUGGEST_MAX);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fresh, done)

int main(void)
{
	if (!crypto_init())
		return 1;
	time_init();
	i18n_init();
	int failed = 0;
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_words_are_letters_and_digits_and_everything_else_separates),
	};
	const struct CMUnitTest db_tests[] = {
		T(test_accents_and_case_do_not_matter),
		T(test_words_are_prefixes_and_all_must_be_found),
		T(test_a_name_match_ranks_before_description_matches),
		T(test_upcoming_events_come_before_past_ones),
		T(test_drafts_are_never_found_until_published),
		T(test_updates_and_deletes_are_seen_at_once),
		T(test_hostile_queries_are_words_and_never_err),
		T(test_length_limits_short_is_nothing_long_is_refused),
		T(test_the_limit_keeps_the_total),
		T(test_snippets_are_plain_text_cut_between_words),
		T(test_french_as_typed_finds_what_it_means),
		T(test_kinds_and_paths_of_hits),
		T(test_type_and_commune_filters),
		T(test_pages_of_one_kind_and_totals),
		T(test_recent_posts_rank_higher_at_equal_relevance),
		T(test_a_very_broad_query_lists_the_newest_and_counts_all),
		T(test_hidden_content_vanishes_at_once_and_comes_back),
		T(test_products_follow_their_labels_and_hiding),
		T(test_citizen_posts_show_their_author),
		T(test_practical_pages_follow_their_edits),
		T(test_suggestions_take_the_best_of_each_kind),
	};
	TL_RUN_GROUP(failed, "search/words", pure, NULL, NULL);
	TL_RUN_GROUP_BOTH(failed, "search", db_tests, setup_sqlite, setup_pg, teardown);
	return TL_EXIT(failed);
}
