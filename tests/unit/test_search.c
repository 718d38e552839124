/* test_search.c: the search box on both backends: accents, prefixes, ranking, drafts, triggers, hostile queries (core/search.c, migration 0015) */
#include "testlib.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/str.h"
#include "core/events.h"
#include "core/orgs.h"
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
	if (db_exec(e->db, "DELETE FROM event_dates; DELETE FROM events; DELETE FROM org_members;"
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
	};
	TL_RUN_GROUP(failed, "search/words", pure, NULL, NULL);
	TL_RUN_GROUP_BOTH(failed, "search", db_tests, setup_sqlite, setup_pg, teardown);
	return TL_EXIT(failed);
}
