/* test_practical.c: practical information pages: who may keep them (public bodies only), validation, Markdown at save, the index by section, dates of update (core/practical.c, migration 0023) */
#include "testlib.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/str.h"
#include "core/orgs.h"
#include "core/practical.h"

struct env {
	char url[1024];
	char schema[128];
	struct db *db;
	struct arena *a;
	int64_t owner, editor, box, stranger, admin;
	int64_t mairie, cc, asso;
};

TL_MIGRATED_DB_SETUPS(struct env, "practical")

static const struct db_sql SQL_ACCOUNT = { "ut_practical_account",
	"INSERT INTO accounts (email, email_lower, display_name, password_hash, email_verified_at,"
	" platform_role, lang, created_at) VALUES ($1, $1, $2, 'x', 1, $3, 'fr', 1) RETURNING id" };
static const struct db_sql SQL_COMMUNE = { "ut_practical_commune",
	"INSERT INTO communes (insee, name, postcode) VALUES ('26391', 'Vesqueval', '26470')" };
static const struct db_sql SQL_MEMBER = { "ut_practical_member",
	"INSERT INTO org_members (org_id, account_id, role, created_at) VALUES ($1, $2, $3, 1)" };
static const struct db_sql SQL_COUNT = { "ut_practical_count",
	"SELECT COUNT(*) FROM practical_pages" };
static const struct db_sql SQL_HIDE_ORG = { "ut_practical_hide_org",
	"UPDATE organisations SET hidden_at = $2 WHERE id = $1" };

static int64_t account(struct env *e, const char *email, const char *name, const char *role)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_ACCOUNT);
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, name);
	db_bind_text(st, 3, role);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t id = db_col_i64(st, 0);
	db_reset(st);
	return id;
}

static struct actor actor(int64_t id, const char *role)
{
	struct actor who = { .account_id = id, .email = "x@example.org", .display_name = "X",
			     .platform_role = role, .lang = "fr", .is_verified = true };
	return who;
}

static int64_t org(struct env *e, const char *kind, const char *name, const char *category)
{
	struct actor who = actor(e->owner, "");
	struct field_errors fe = { 0 };
	struct org o;
	struct org_input in = { .kind = kind, .name = name, .summary = "", .description = "",
				.category = category, .commune = "26391" };
	if (orgs_create(e->db, &who, &in, e->a, &fe, &o) != KQ_OK)
		fail_msg("orgs_create %s (%s)", name, fe.n ? fe.e[0].field : "");
	return o.id;
}

static void member(struct env *e, int64_t org_id, int64_t account_id, const char *role)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_MEMBER);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, account_id);
	db_bind_text(st, 3, role);
	assert_int_equal(db_run(st), DB_NONE);
}

static int64_t pages(struct env *e)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_COUNT);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_col_i64(st, 0);
	db_reset(st);
	return n;
}

static int fresh(void **state)
{
	struct env *e = *state;
	tl_set_clock(0);
	if (db_exec(e->db, "DELETE FROM practical_pages; DELETE FROM org_members;"
			   " DELETE FROM organisations; DELETE FROM accounts; DELETE FROM communes") !=
	    DB_NONE)
		return -1;
	if (db_run(db_stmt(e->db, &SQL_COMMUNE)) != DB_NONE)
		return -1;
	if (e->a)
		arena_free(e->a);
	e->a = arena_new();
	e->owner = account(e, "owner@example.org", "Hugo", "");
	e->editor = account(e, "editor@example.org", "Pierre", "");
	e->box = account(e, "box@example.org", "Bea", "");
	e->stranger = account(e, "stranger@example.org", "Sam", "");
	e->admin = account(e, "admin@example.org", "Élise", "admin");
	e->mairie = org(e, "public_body", "Mairie de Vesqueval", "mairie");
	e->cc = org(e, "public_body", "Communauté de communes", "intercommunalite");
	e->asso = org(e, "association", "Comité des fêtes", "comite-des-fetes");
	member(e, e->mairie, e->editor, "editor");
	member(e, e->mairie, e->box, "box_office");
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

static enum kq_err create(struct env *e, int64_t who_id, const char *role, int64_t org_id,
			  const struct practical_input *in, struct field_errors *fe,
			  struct practical_page *out)
{
	struct actor who = actor(who_id, role);
	memset(fe, 0, sizeof(*fe));
	return practical_create(e->db, &who, org_id, in, e->a, fe, out);
}

static void test_publishers_of_a_public_body_keep_pages(void **state)
{
	struct env *e = *state;
	struct field_errors fe;
	struct practical_page p;
	struct practical_input in = { .section = "mairie", .title = "  Horaires de la mairie ",
				      .body = "Du **lundi** au vendredi.\n\n<script>x</script>",
				      .position = "5" };
	tl_set_clock(-1000);
	assert_int_equal(create(e, e->editor, "", e->mairie, &in, &fe, &p), KQ_OK);
	assert_string_equal(p.title, "Horaires de la mairie");
	assert_string_equal(p.slug, "horaires-de-la-mairie");
	assert_string_equal(p.section_slug, "mairie");
	assert_string_equal(p.section_title, "Mairie et démarches");
	assert_string_equal(p.org_name, "Mairie de Vesqueval");
	assert_string_equal(p.commune_name, "Vesqueval");
	assert_int_equal(p.position, 5);
	assert_int_equal(p.updated_by, e->editor);
	assert_non_null(strstr(p.body_html, "<strong>lundi</strong>"));
	assert_null(strstr(p.body_html, "<script>"));   /* cmark safe mode */
	int64_t first = p.updated_at;

	/* the owner edits: date and author of the last change move */
	tl_set_clock(0);
	struct practical_input up = { .title = "Horaires d'ouverture", .section = "vie-pratique" };
	struct practical_page out;
	struct actor owner = actor(e->owner, "");
	assert_int_equal(practical_update(e->db, &owner, p.id, &up, e->a, &fe, &out), KQ_OK);
	assert_string_equal(out.title, "Horaires d'ouverture");
	assert_string_equal(out.slug, "horaires-de-la-mairie");   /* never changes */
	assert_string_equal(out.section_slug, "vie-pratique");
	assert_string_equal(out.body, in.body);                    /* kept */
	assert_int_equal(out.position, 5);
	assert_true(out.updated_at >= first + 900);
	assert_int_equal(out.updated_by, e->owner);

	/* a second page of the same title gets its own slug */
	struct practical_input again = { .section = "mairie", .title = "Horaires de la mairie" };
	assert_int_equal(create(e, e->admin, "admin", e->cc, &again, &fe, &p), KQ_OK);
	assert_string_equal(p.slug, "horaires-de-la-mairie-2");
	/* a reserved path word is never a slug */
	struct practical_input nouvelle = { .section = "mairie", .title = "Nouvelle" };
	assert_int_equal(create(e, e->owner, "", e->mairie, &nouvelle, &fe, &p), KQ_OK);
	assert_string_equal(p.slug, "nouvelle-2");
	assert_int_equal(pages(e), 3);
}

static void test_others_may_not_write(void **state)
{
	struct env *e = *state;
	struct field_errors fe;
	struct practical_page p;
	struct practical_input in = { .section = "mairie", .title = "Horaires", .body = "" };
	assert_int_equal(create(e, 0, "", e->mairie, &in, &fe, &p), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(create(e, e->stranger, "", e->mairie, &in, &fe, &p), KQ_ERR_FORBIDDEN);
	assert_int_equal(create(e, e->box, "", e->mairie, &in, &fe, &p), KQ_ERR_FORBIDDEN);
	assert_int_equal(create(e, e->editor, "", e->cc, &in, &fe, &p), KQ_ERR_FORBIDDEN);
	/* an association keeps no practical page, even its owner */
	assert_int_equal(create(e, e->owner, "", e->asso, &in, &fe, &p),
			 KQ_ERR_PRACTICAL_NOT_PUBLIC_BODY);
	assert_int_equal(create(e, e->owner, "", 999999, &in, &fe, &p), KQ_ERR_NOT_FOUND);
	assert_int_equal(pages(e), 0);

	assert_int_equal(create(e, e->editor, "", e->mairie, &in, &fe, &p), KQ_OK);
	struct actor stranger = actor(e->stranger, "");
	struct practical_input up = { .title = "Piraté" };
	struct practical_page out;
	assert_int_equal(practical_update(e->db, &stranger, p.id, &up, e->a, &fe, &out),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(practical_delete(e->db, &stranger, p.id), KQ_ERR_FORBIDDEN);
	struct actor box = actor(e->box, "");
	assert_int_equal(practical_delete(e->db, &box, p.id), KQ_ERR_FORBIDDEN);
	struct practical_page now;
	assert_int_equal(practical_get_id(e->db, e->a, p.id, &now), KQ_OK);
	assert_string_equal(now.title, "Horaires");
	struct actor admin = actor(e->admin, "admin");
	assert_int_equal(practical_delete(e->db, &admin, p.id), KQ_OK);
	assert_int_equal(pages(e), 0);
	assert_int_equal(practical_delete(e->db, &admin, p.id), KQ_ERR_NOT_FOUND);
}

static void test_bad_input_is_refused_field_by_field(void **state)
{
	struct env *e = *state;
	struct field_errors fe;
	struct practical_page p;
	struct practical_input in = { .section = "nulle-part", .title = "ab",
				      .body = "ok", .position = "mille" };
	assert_int_equal(create(e, e->editor, "", e->mairie, &in, &fe, &p), KQ_ERR_FORM_INVALID);
	assert_int_equal(fe.n, 3);
	const char *fields = "";
	for (int i = 0; i < fe.n; i++)
		fields = arena_printf(e->a, "%s%s,", fields, fe.e[i].field);
	assert_string_equal(fields, "title,section,position,");
	assert_int_equal(pages(e), 0);
	struct practical_input bad[] = {
		{ .section = "mairie", .title = "Une\nligne" },
		{ .section = "mairie", .title = "Horaires", .body = "a\x01" "b" },
		{ .section = "mairie", .title = "Horaires", .position = "-1" },
		{ .section = "mairie", .title = "Horaires", .position = "1000" },
		{ .section = NULL, .title = "Horaires" },
	};
	const char *want[] = { "title", "body", "position", "position", "section" };
	for (size_t i = 0; i < TL_ARRAY_LEN(bad); i++) {
		assert_int_equal(create(e, e->editor, "", e->mairie, &bad[i], &fe, &p),
				 KQ_ERR_FORM_INVALID);
		assert_int_equal(fe.n, 1);
		assert_string_equal(fe.e[0].field, want[i]);
	}
	char *long_title = arena_alloc(e->a, 142);
	memset(long_title, 'a', 141);
	long_title[141] = 0;
	struct practical_input lt = { .section = "mairie", .title = long_title };
	assert_int_equal(create(e, e->editor, "", e->mairie, &lt, &fe, &p), KQ_ERR_FORM_INVALID);
	assert_int_equal(pages(e), 0);
	/* an edit refused changes nothing */
	struct practical_input good = { .section = "mairie", .title = "Horaires", .body = "Avant." };
	assert_int_equal(create(e, e->editor, "", e->mairie, &good, &fe, &p), KQ_OK);
	struct actor editor = actor(e->editor, "");
	struct practical_input up = { .title = "x", .body = "Après." };
	struct practical_page out;
	assert_int_equal(practical_update(e->db, &editor, p.id, &up, e->a, &fe, &out),
			 KQ_ERR_FORM_INVALID);
	assert_int_equal(practical_get_id(e->db, e->a, p.id, &out), KQ_OK);
	assert_string_equal(out.body, "Avant.");
}

static void test_the_index_lists_sections_in_order_with_their_pages(void **state)
{
	struct env *e = *state;
	struct field_errors fe;
	struct practical_page p;
	struct practical_input a = { .section = "urgences", .title = "Numéros d'urgence" };
	struct practical_input b = { .section = "mairie", .title = "Horaires", .position = "20" };
	struct practical_input c = { .section = "mairie", .title = "État civil", .position = "10" };
	struct practical_input d = { .section = "dechets", .title = "Collecte", .position = "" };
	assert_int_equal(create(e, e->editor, "", e->mairie, &a, &fe, &p), KQ_OK);
	assert_int_equal(create(e, e->editor, "", e->mairie, &b, &fe, &p), KQ_OK);
	assert_int_equal(create(e, e->editor, "", e->mairie, &c, &fe, &p), KQ_OK);
	assert_int_equal(create(e, e->admin, "admin", e->cc, &d, &fe, &p), KQ_OK);
	struct practical_section *s;
	int n;
	assert_int_equal(practical_index(e->db, e->a, &s, &n), KQ_OK);
	assert_int_equal(n, 6);
	assert_string_equal(s[0].slug, "mairie");
	assert_int_equal(s[0].npages, 2);
	assert_string_equal(s[0].pages[0].title, "État civil");
	assert_string_equal(s[0].pages[1].title, "Horaires");
	assert_string_equal(s[1].slug, "dechets");
	assert_int_equal(s[1].npages, 1);
	assert_string_equal(s[1].pages[0].org_name, "Communauté de communes");
	assert_int_equal(s[2].npages, 0);
	assert_string_equal(s[4].slug, "urgences");
	assert_int_equal(s[4].npages, 1);
	/* a hidden public body's pages leave the index and their page */
	struct db_stmt *st = db_stmt(e->db, &SQL_HIDE_ORG);
	db_bind_i64(st, 1, e->cc);
	db_bind_i64(st, 2, 1);
	assert_int_equal(db_run(st), DB_NONE);
	assert_int_equal(practical_index(e->db, e->a, &s, &n), KQ_OK);
	assert_int_equal(s[1].npages, 0);
	assert_int_equal(s[0].npages, 2);
	assert_int_equal(practical_get(e->db, e->a, "collecte", &p), KQ_ERR_NOT_FOUND);
	assert_int_equal(practical_get(e->db, e->a, "horaires", &p), KQ_OK);
	assert_int_equal(practical_get(e->db, e->a, "../etc", &p), KQ_ERR_NOT_FOUND);
	assert_int_equal(practical_get(e->db, e->a, "", &p), KQ_ERR_NOT_FOUND);
}

static void test_the_public_bodies_one_may_keep_pages_for(void **state)
{
	struct env *e = *state;
	struct practical_org *o;
	int n;
	struct actor editor = actor(e->editor, "");
	assert_int_equal(practical_orgs_of(e->db, &editor, e->a, &o, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(o[0].name, "Mairie de Vesqueval");
	struct actor box = actor(e->box, "");
	assert_int_equal(practical_orgs_of(e->db, &box, e->a, &o, &n), KQ_OK);
	assert_int_equal(n, 0);
	struct actor owner = actor(e->owner, "");   /* owns both public bodies and the association */
	assert_int_equal(practical_orgs_of(e->db, &owner, e->a, &o, &n), KQ_OK);
	assert_int_equal(n, 2);
	struct actor admin = actor(e->admin, "admin");
	assert_int_equal(practical_orgs_of(e->db, &admin, e->a, &o, &n), KQ_OK);
	assert_int_equal(n, 2);
	struct actor visitor = { 0 };
	assert_int_equal(practical_orgs_of(e->db, &visitor, e->a, &o, &n), KQ_OK);
	assert_int_equal(n, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fresh, done)

int main(void)
{
	if (!crypto_init())
		return 1;
	time_init();
	i18n_init();
	int failed = 0;
	const struct CMUnitTest db_tests[] = {
		T(test_publishers_of_a_public_body_keep_pages),
		T(test_others_may_not_write),
		T(test_bad_input_is_refused_field_by_field),
		T(test_the_index_lists_sections_in_order_with_their_pages),
		T(test_the_public_bodies_one_may_keep_pages_for),
	};
	TL_RUN_GROUP_BOTH(failed, "practical", db_tests, setup_sqlite, setup_pg, teardown);
	return TL_EXIT(failed);
}
