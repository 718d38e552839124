/* test_posts.c: news posts: rights, validation, drafts hidden, the wall's order, paging and filters, safe Markdown, images (core/posts.c) */
#include "testlib.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/str.h"
#include "core/orgs.h"
#include "core/posts.h"
#include "core/search.h"

#include <string.h>

struct env {
	char url[1024];
	char schema[128];
	struct db *db;
	struct arena *a;
	int64_t owner, editor, box, stranger, admin;
	int64_t org_id, other_org_id;
};

TL_MIGRATED_DB_SETUPS(struct env, "posts")

/* ---- fixtures ------------------------------------------------------------------------------- */

static const struct db_sql SQL_ACCOUNT = { "ut_posts_account",
	"INSERT INTO accounts (email, email_lower, display_name, password_hash, email_verified_at,"
	" platform_role, lang, created_at) VALUES ($1, $2, $3, 'x', 1, $4, 'fr', 1) RETURNING id" };
static const struct db_sql SQL_COMMUNE = { "ut_posts_commune",
	"INSERT INTO communes (insee, name, postcode) VALUES ($1, $2, '26470')" };
static const struct db_sql SQL_COUNT_POSTS = { "ut_posts_count",
	"SELECT COUNT(*) FROM posts" };
static const struct db_sql SQL_COUNT_UPLOADS = { "ut_posts_count_uploads",
	"SELECT COUNT(*) FROM uploads" };
static const struct db_sql SQL_ACTOR = { "ut_posts_actor",
	"SELECT email, display_name, platform_role FROM accounts WHERE id = $1" };

static int64_t account(struct db *db, const char *email, const char *name, const char *role)
{
	struct arena *a = arena_new();
	struct db_stmt *st = db_stmt(db, &SQL_ACCOUNT);
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, str_lower_ascii(a, email));
	db_bind_text(st, 3, name);
	db_bind_text(st, 4, role);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t id = db_col_i64(st, 0);
	db_reset(st);
	arena_free(a);
	return id;
}

static struct actor actor_of(struct env *e, int64_t id)
{
	struct actor who = { 0 };
	struct db_stmt *st = db_stmt(e->db, &SQL_ACTOR);
	db_bind_i64(st, 1, id);
	assert_int_equal(db_step(st), DB_ROW);
	who.account_id = id;
	who.email = arena_strdup(e->a, db_col_text(st, 0));
	who.display_name = arena_strdup(e->a, db_col_text(st, 1));
	who.platform_role = arena_strdup(e->a, db_col_text(st, 2));
	who.is_verified = true;
	who.lang = "fr";
	db_reset(st);
	return who;
}

static int64_t count(struct db *db, const struct db_sql *q)
{
	struct db_stmt *st = db_stmt(db, q);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t v = db_col_i64(st, 0);
	db_reset(st);
	return v;
}

struct members {
	int64_t org_id;
	int64_t ids[2];
	const char *roles[2];
};

static enum db_status members_txn(struct db *db, void *cls)
{
	struct members *m = cls;
	for (int i = 0; i < 2; i++) {
		enum db_status s = orgs_member_insert_raw(db, m->org_id, m->ids[i], m->roles[i]);
		if (s < 0)
			return s;
	}
	return DB_NONE;
}

/* Every test starts from the same people and two organisations: "fetes" in
 * Vesqueval (owner, editor, box office) and "chorale" (owner only, no commune). */
static int fresh(void **state)
{
	struct env *e = *state;
	tl_set_clock(0);
	if (db_exec(e->db, "DELETE FROM posts; DELETE FROM org_invitations; DELETE FROM org_members;"
			   " DELETE FROM organisations; DELETE FROM uploads; DELETE FROM outbox;"
			   " DELETE FROM sessions; DELETE FROM api_tokens; DELETE FROM accounts;"
			   " DELETE FROM communes") != DB_NONE)
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
	e->owner = account(e->db, "olga@example.org", "Olga", "");
	e->editor = account(e->db, "eddy@example.org", "Eddy", "");
	e->box = account(e->db, "bob@example.org", "Bob", "");
	e->stranger = account(e->db, "sam@example.org", "Sam", "");
	e->admin = account(e->db, "ada@example.org", "Ada", "admin");
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct org o;
	struct org_input in = { .kind = "association", .name = "Comité des fêtes",
				.category = "comite-des-fetes", .commune = "26391",
				.email = "fetes@example.org" };
	assert_int_equal(orgs_create(e->db, &owner, &in, e->a, &fe, &o), KQ_OK);
	e->org_id = o.id;
	struct members m = { o.id, { e->editor, e->box }, { "editor", "box_office" } };
	assert_true(db_txn_run(e->db, "ut_members", DB_WRITE, members_txn, &m) >= 0);
	struct org_input in2 = { .kind = "association", .name = "Chorale", .category = "culture" };
	assert_int_equal(orgs_create(e->db, &owner, &in2, e->a, &fe, &o), KQ_OK);
	e->other_org_id = o.id;
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

static struct post make_post(struct env *e, int64_t org_id, const char *title, const char *status)
{
	struct actor owner = actor_of(e, e->owner);
	struct post_input in = { .title = title, .body = "Avec **la fanfare**.", .status = status };
	struct field_errors fe = { 0 };
	struct post p;
	enum kq_err r = posts_create(e->db, &owner, org_id, &in, e->a, &fe, &p);
	if (r != KQ_OK)
		fail_msg("posts_create %s: %d (%s: %s)", title, r, fe.n ? fe.e[0].field : "",
			 fe.n ? fe.e[0].key : "");
	return p;
}

/* ---- tests ------------------------------------------------------------------------------------ */

static void test_create_is_allowed_to_owner_editor_and_admin_only(void **state)
{
	struct env *e = *state;
	struct post_input in = { .title = "Assemblée générale", .body = "Le 3 mars.",
				 .status = "published" };
	struct field_errors fe = { 0 };
	struct post p;
	int64_t allowed[] = { e->owner, e->editor, e->admin };
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		struct actor who = actor_of(e, allowed[i]);
		assert_int_equal(posts_create(e->db, &who, e->org_id, &in, e->a, &fe, &p), KQ_OK);
		assert_int_equal(p.org_id, e->org_id);
		assert_int_equal(p.author_id, allowed[i]);
	}
	struct actor box = actor_of(e, e->box), stranger = actor_of(e, e->stranger);
	struct actor visitor = { 0 };
	assert_int_equal(posts_create(e->db, &box, e->org_id, &in, e->a, &fe, &p), KQ_ERR_FORBIDDEN);
	assert_int_equal(posts_create(e->db, &stranger, e->org_id, &in, e->a, &fe, &p),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(posts_create(e->db, &visitor, e->org_id, &in, e->a, &fe, &p),
			 KQ_ERR_AUTH_REQUIRED);
	struct actor owner = actor_of(e, e->owner);
	assert_int_equal(posts_create(e->db, &owner, e->org_id + 1000, &in, e->a, &fe, &p),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(count(e->db, &SQL_COUNT_POSTS), 3);
}

static void test_create_stores_the_post_its_slug_and_rendered_body(void **state)
{
	struct env *e = *state;
	tl_set_clock(-3600);
	struct post p = make_post(e, e->org_id, "  Fête du pain  ", "published");
	assert_string_equal(p.title, "Fête du pain");
	assert_string_equal(p.slug, "fete-du-pain");
	assert_string_equal(p.status, "published");
	assert_string_equal(p.body, "Avec **la fanfare**.");
	assert_non_null(strstr(p.body_html, "<strong>la fanfare</strong>"));
	assert_string_equal(p.org_name, "Comité des fêtes");
	assert_string_equal(p.org_kind, "association");
	assert_string_equal(p.commune_name, "Vesqueval");
	assert_true(p.published_at > 0);
	assert_int_equal(p.published_at, p.created_at);
	struct post again = make_post(e, e->org_id, "Fête du pain", "published");
	assert_string_equal(again.slug, "fete-du-pain-2");
	/* A reserved path word is never a slug. */
	struct post reserved = make_post(e, e->org_id, "Nouvelle", "published");
	assert_string_equal(reserved.slug, "nouvelle-2");
	/* A draft has no publication date. */
	struct post draft = make_post(e, e->org_id, "Brouillon", NULL);
	assert_string_equal(draft.status, "draft");
	assert_int_equal(draft.published_at, 0);
}

static void test_create_validates_every_field_next_to_it(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct post p;
	char *long_title = arena_alloc(e->a, POSTS_TITLE_MAX + 2);
	memset(long_title, 'a', POSTS_TITLE_MAX + 1);
	long_title[POSTS_TITLE_MAX + 1] = 0;
	char *long_body = arena_alloc(e->a, POSTS_BODY_MAX + 2);
	memset(long_body, 'b', POSTS_BODY_MAX + 1);
	long_body[POSTS_BODY_MAX + 1] = 0;
	static const unsigned char GIF[] = { 'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0 };
	struct {
		struct post_input in;
		const char *field, *key;
	} cases[] = {
		{ { .title = "ab", .body = "" }, "title", "err.posts.title_invalid" },
		{ { .title = "   ", .body = "" }, "title", "err.posts.title_invalid" },
		{ { .title = long_title, .body = "" }, "title", "err.posts.title_invalid" },
		{ { .title = "Deux\nlignes", .body = "" }, "title", "err.posts.title_invalid" },
		{ { .title = "Bon titre", .body = long_body }, "body", "err.posts.body_invalid" },
		{ { .title = "Bon titre", .body = "bip\x07" }, "body", "err.posts.body_invalid" },
		{ { .title = "Bon titre", .body = "\xc3\x28" }, "body", "err.posts.body_invalid" },
		{ { .title = "Bon titre", .status = "archived" }, "status", "err.posts.status_invalid" },
		{ { .title = "Bon titre", .image = GIF, .image_len = sizeof(GIF) }, "image", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct field_errors fe = { 0 };
		assert_int_equal(posts_create(e->db, &owner, e->org_id, &cases[i].in, e->a, &fe, &p),
				 KQ_ERR_FORM_INVALID);
		assert_int_equal(fe.n, 1);
		assert_string_equal(fe.e[0].field, cases[i].field);
		if (cases[i].key)
			assert_string_equal(fe.e[0].key, cases[i].key);
	}
	/* The limits themselves are fine: 3 and 140 characters (not bytes), 20,000 of body. */
	struct field_errors fe = { 0 };
	long_title[POSTS_TITLE_MAX] = 0;
	long_body[POSTS_BODY_MAX] = 0;
	struct post_input ok = { .title = long_title, .body = long_body };
	assert_int_equal(posts_create(e->db, &owner, e->org_id, &ok, e->a, &fe, &p), KQ_OK);
	struct post_input three = { .title = "Été", .body = "Multi\nligne\tok" };
	assert_int_equal(posts_create(e->db, &owner, e->org_id, &three, e->a, &fe, &p), KQ_OK);
	assert_int_equal(count(e->db, &SQL_COUNT_POSTS), 2);
	assert_int_equal(count(e->db, &SQL_COUNT_UPLOADS), 0);
}

static void test_drafts_are_seen_only_by_those_who_may_publish(void **state)
{
	struct env *e = *state;
	struct post d = make_post(e, e->org_id, "Projet de programme", "draft");
	make_post(e, e->org_id, "Programme", "published");
	struct actor visitor = { 0 };
	struct actor stranger = actor_of(e, e->stranger), box = actor_of(e, e->box);
	struct actor editor = actor_of(e, e->editor), admin = actor_of(e, e->admin);
	struct post got;
	assert_int_equal(posts_get(e->db, &visitor, e->a, d.slug, &got), KQ_ERR_NOT_FOUND);
	assert_int_equal(posts_get(e->db, &stranger, e->a, d.slug, &got), KQ_ERR_NOT_FOUND);
	assert_int_equal(posts_get(e->db, &box, e->a, d.slug, &got), KQ_ERR_NOT_FOUND);
	assert_int_equal(posts_get_id(e->db, &stranger, e->a, d.id, &got), KQ_ERR_NOT_FOUND);
	assert_int_equal(posts_get(e->db, &editor, e->a, d.slug, &got), KQ_OK);
	assert_string_equal(got.title, "Projet de programme");
	assert_int_equal(posts_get(e->db, &admin, e->a, d.slug, &got), KQ_OK);
	assert_int_equal(posts_get(e->db, &visitor, e->a, "programme", &got), KQ_OK);
	assert_int_equal(posts_get(e->db, &visitor, e->a, "../etc", &got), KQ_ERR_NOT_FOUND);

	struct post *list;
	int n;
	int64_t total;
	struct post_filter f = { .limit = 10 };
	assert_int_equal(posts_wall(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	assert_string_equal(list[0].slug, "programme");

	assert_int_equal(posts_of_org(e->db, &stranger, e->a, e->org_id, 10, &list, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].slug, "programme");
	assert_int_equal(posts_of_org(e->db, &visitor, e->a, e->org_id, 10, &list, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(posts_of_org(e->db, &editor, e->a, e->org_id, 10, &list, &n), KQ_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].slug, d.slug);   /* drafts first, for its publishers */
	assert_int_equal(posts_of_org(e->db, &editor, e->a, e->other_org_id, 10, &list, &n), KQ_OK);
	assert_int_equal(n, 0);
}

static void test_wall_is_newest_first_paged_and_filtered(void **state)
{
	struct env *e = *state;
	/* Five posts a minute apart: p0 oldest. Two in the same second as p4 to
	 * check that ties keep a stable order (the later id first). */
	const char *titles[] = { "Post zéro", "Post un", "Post deux", "Post trois", "Post quatre" };
	for (int i = 0; i < 5; i++) {
		tl_set_clock(-3600 + 60 * i);
		make_post(e, i % 2 ? e->other_org_id : e->org_id, titles[i], "published");
	}
	struct post tie = make_post(e, e->org_id, "Post cinq", "published");
	tl_set_clock(0);
	/* A draft published later is dated from its publication, not its creation. */
	tl_set_clock(-7200);
	struct post late = make_post(e, e->org_id, "Publié plus tard", "draft");
	tl_set_clock(-60);
	struct actor owner = actor_of(e, e->owner);
	struct post_input pub = { .status = "published" };
	struct field_errors fe = { 0 };
	assert_int_equal(posts_update(e->db, &owner, late.id, &pub, e->a, &fe, &late), KQ_OK);
	tl_set_clock(0);

	struct post *list;
	int n;
	int64_t total;
	struct post_filter f = { .limit = 3 };
	assert_int_equal(posts_wall(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 7);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].title, "Publié plus tard");
	assert_string_equal(list[1].slug, tie.slug);
	assert_string_equal(list[2].title, "Post quatre");
	f.offset = 3;
	assert_int_equal(posts_wall(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].title, "Post trois");
	assert_string_equal(list[2].title, "Post un");
	f.offset = 6;
	assert_int_equal(posts_wall(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].title, "Post zéro");
	f.offset = 70;
	assert_int_equal(posts_wall(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(total, 7);

	/* Filters: the organisation's commune, its kind; unknown ones give nothing. */
	struct post_filter byc = { .commune = "26391", .limit = 100 };
	assert_int_equal(posts_wall(e->db, e->a, &byc, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 5);
	for (int i = 0; i < n; i++)
		assert_int_equal(list[i].org_id, e->org_id);
	byc.commune = "26392";
	assert_int_equal(posts_wall(e->db, e->a, &byc, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 0);
	struct post_filter byk = { .kind = "association", .limit = 100 };
	assert_int_equal(posts_wall(e->db, e->a, &byk, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 7);
	byk.kind = "business";
	assert_int_equal(posts_wall(e->db, e->a, &byk, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 0);
	byk.kind = "x' OR '1'='1";
	assert_int_equal(posts_wall(e->db, e->a, &byk, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 0);

	/* An organisation's latest, limited. */
	assert_int_equal(posts_of_org(e->db, NULL, e->a, e->other_org_id, 1, &list, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].title, "Post trois");
}

static void test_edit_keeps_the_publication_date_and_checks_who(void **state)
{
	struct env *e = *state;
	tl_set_clock(-600);
	struct post p = make_post(e, e->org_id, "Horaires d'été", "published");
	tl_set_clock(0);
	struct actor editor = actor_of(e, e->editor), stranger = actor_of(e, e->stranger);
	struct actor box = actor_of(e, e->box);
	struct field_errors fe = { 0 };
	struct post out;
	struct post_input in = { .title = "Horaires d'été (corrigés)" };
	assert_int_equal(posts_update(e->db, &stranger, p.id, &in, e->a, &fe, &out), KQ_ERR_FORBIDDEN);
	assert_int_equal(posts_update(e->db, &box, p.id, &in, e->a, &fe, &out), KQ_ERR_FORBIDDEN);
	assert_int_equal(posts_update(e->db, &editor, p.id + 1000, &in, e->a, &fe, &out),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(posts_update(e->db, &editor, p.id, &in, e->a, &fe, &out), KQ_OK);
	assert_string_equal(out.title, "Horaires d'été (corrigés)");
	assert_string_equal(out.slug, p.slug);               /* the slug never changes */
	assert_string_equal(out.body, p.body);               /* NULL kept the body */
	assert_string_equal(out.body_html, p.body_html);
	assert_int_equal(out.published_at, p.published_at);  /* not moved up the wall */
	assert_true(out.updated_at > p.updated_at);
	/* Back to draft: hidden, yet keeps its date for when it comes back. */
	struct post_input draft = { .status = "draft", .body = "Nouveau *texte*" };
	assert_int_equal(posts_update(e->db, &editor, p.id, &draft, e->a, &fe, &out), KQ_OK);
	assert_non_null(strstr(out.body_html, "<em>texte</em>"));
	assert_int_equal(out.published_at, p.published_at);
	struct post got;
	assert_int_equal(posts_get(e->db, &stranger, e->a, p.slug, &got), KQ_ERR_NOT_FOUND);
	/* A bad edit changes nothing. */
	struct post_input bad = { .title = "no", .body = "changé" };
	assert_int_equal(posts_update(e->db, &editor, p.id, &bad, e->a, &fe, &out),
			 KQ_ERR_FORM_INVALID);
	assert_string_equal(fe.e[0].field, "title");
	assert_int_equal(posts_get(e->db, &editor, e->a, p.slug, &got), KQ_OK);
	assert_string_equal(got.body, "Nouveau *texte*");
}

static void test_delete_checks_who_and_takes_the_image(void **state)
{
	struct env *e = *state;
	static const unsigned char PNG[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
					     'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0 };
	struct actor owner = actor_of(e, e->owner), stranger = actor_of(e, e->stranger);
	struct actor editor = actor_of(e, e->editor), visitor = { 0 };
	struct post_input in = { .title = "Avec affiche", .status = "published", .image = PNG,
				 .image_len = sizeof(PNG) };
	struct field_errors fe = { 0 };
	struct post p;
	assert_int_equal(posts_create(e->db, &owner, e->org_id, &in, e->a, &fe, &p), KQ_OK);
	assert_true(p.image_upload_id > 0);
	assert_true(strlen(p.image_sha256) == 64);
	struct upload u;
	assert_int_equal(posts_image_get(e->db, &visitor, e->a, p.slug, &u), KQ_OK);
	assert_string_equal(u.content_type, "image/png");
	assert_int_equal(count(e->db, &SQL_COUNT_UPLOADS), 1);
	/* Removing the image drops its upload. */
	struct post_input rm = { .remove_image = true };
	assert_int_equal(posts_update(e->db, &editor, p.id, &rm, e->a, &fe, &p), KQ_OK);
	assert_int_equal(p.image_upload_id, 0);
	assert_int_equal(count(e->db, &SQL_COUNT_UPLOADS), 0);
	assert_int_equal(posts_image_get(e->db, &visitor, e->a, p.slug, &u), KQ_ERR_NOT_FOUND);
	struct post_input put = { .image = PNG, .image_len = sizeof(PNG) };
	assert_int_equal(posts_update(e->db, &editor, p.id, &put, e->a, &fe, &p), KQ_OK);
	assert_int_equal(count(e->db, &SQL_COUNT_UPLOADS), 1);

	assert_int_equal(posts_delete(e->db, &visitor, p.id), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(posts_delete(e->db, &stranger, p.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(count(e->db, &SQL_COUNT_POSTS), 1);
	assert_int_equal(posts_delete(e->db, &editor, p.id), KQ_OK);
	assert_int_equal(count(e->db, &SQL_COUNT_POSTS), 0);
	assert_int_equal(count(e->db, &SQL_COUNT_UPLOADS), 0);
	assert_int_equal(posts_delete(e->db, &editor, p.id), KQ_ERR_NOT_FOUND);
}

static void test_markdown_is_rendered_safe(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct post_input in = {
		.title = "<script>alert(1)</script>",
		.body = "Salut <script>alert('x')</script> <img src=x onerror=alert(1)>\n\n"
			"[clic](javascript:alert(1)) [ok](https://example.org/a?b=1&c=2)\n\n"
			"<iframe src=\"https://evil.example\"></iframe>",
		.status = "published",
	};
	struct field_errors fe = { 0 };
	struct post p;
	assert_int_equal(posts_create(e->db, &owner, e->org_id, &in, e->a, &fe, &p), KQ_OK);
	/* The title is stored as typed: pages escape it. */
	assert_string_equal(p.title, "<script>alert(1)</script>");
	assert_null(strstr(p.body_html, "<script"));
	assert_null(strstr(p.body_html, "<img"));
	assert_null(strstr(p.body_html, "<iframe"));
	assert_null(strstr(p.body_html, "javascript:"));
	assert_non_null(strstr(p.body_html, "href=\"https://example.org/a?b=1&amp;c=2\""));
}

/* The titles search_run finds among the posts for q, joined by "|". */
static const char *found(struct env *e, const char *q)
{
	struct search_results r;
	assert_int_equal(search_run(e->db, e->a, q, 20, &r), KQ_OK);
	char *out = arena_strdup(e->a, "");
	for (int i = 0; i < r.nposts; i++) {
		assert_int_equal(r.posts[i].kind, SEARCH_POST);
		out = arena_printf(e->a, "%s%s%s", out, i ? "|" : "", r.posts[i].title);
	}
	assert_int_equal(r.posts_total, r.nposts);
	return out;
}

static void test_search_finds_published_posts_only_and_follows_their_changes(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct post p, d;
	struct post_input in = { .title = "Marché de Noël", .status = "published",
				 .body = "Des **calissons** et du vin chaud place de l'église." };
	assert_int_equal(posts_create(e->db, &owner, e->org_id, &in, e->a, &fe, &p), KQ_OK);
	struct post_input draft = { .title = "Noël secret", .body = "Pas encore." };
	assert_int_equal(posts_create(e->db, &owner, e->org_id, &draft, e->a, &fe, &d), KQ_OK);
	assert_string_equal(found(e, "marche de noel"), "Marché de Noël");
	assert_string_equal(found(e, "calisson"), "Marché de Noël");       /* body, as a prefix */
	assert_string_equal(found(e, "noel"), "Marché de Noël");           /* never the draft */
	assert_string_equal(found(e, "secret"), "");
	struct search_results r;
	assert_int_equal(search_run(e->db, e->a, "calisson", 20, &r), KQ_OK);
	assert_int_equal(r.nposts, 1);
	assert_string_equal(r.posts[0].slug, p.slug);
	assert_string_equal(r.posts[0].org_name, "Comité des fêtes");
	assert_string_equal(r.posts[0].commune, "Vesqueval");
	assert_int_equal(r.posts[0].starts_at, p.published_at);
	assert_null(strstr(r.posts[0].snippet, "**"));
	/* Published, the draft is found; edited, its old words are not. */
	struct post_input pub = { .status = "published", .title = "Noël dévoilé" };
	assert_int_equal(posts_update(e->db, &owner, d.id, &pub, e->a, &fe, &d), KQ_OK);
	assert_string_equal(found(e, "devoile"), "Noël dévoilé");
	assert_string_equal(found(e, "secret"), "");
	/* Back to draft, or deleted: gone from the search. */
	struct post_input back = { .status = "draft" };
	assert_int_equal(posts_update(e->db, &owner, d.id, &back, e->a, &fe, &d), KQ_OK);
	assert_string_equal(found(e, "devoile"), "");
	assert_int_equal(posts_delete(e->db, &owner, p.id), KQ_OK);
	assert_string_equal(found(e, "calisson"), "");
	/* Deleting the organisation takes its posts out of the index too. */
	struct post q = make_post(e, e->org_id, "Loto d'hiver", "published");
	assert_string_equal(found(e, "loto"), "Loto d'hiver");
	assert_int_equal(db_exec(e->db, "DELETE FROM organisations"), DB_NONE);
	assert_string_equal(found(e, "loto"), "");
	(void)q;
}

#define T(f) cmocka_unit_test_setup_teardown(f, fresh, done)

int main(void)
{
	if (!crypto_init())
		return 1;
	time_init();
	i18n_init();
	const struct CMUnitTest db_tests[] = {
		T(test_create_is_allowed_to_owner_editor_and_admin_only),
		T(test_create_stores_the_post_its_slug_and_rendered_body),
		T(test_create_validates_every_field_next_to_it),
		T(test_drafts_are_seen_only_by_those_who_may_publish),
		T(test_wall_is_newest_first_paged_and_filtered),
		T(test_edit_keeps_the_publication_date_and_checks_who),
		T(test_delete_checks_who_and_takes_the_image),
		T(test_markdown_is_rendered_safe),
		T(test_search_finds_published_posts_only_and_follows_their_changes),
	};
	int failed = 0;
	TL_RUN_GROUP_BOTH(failed, "posts", db_tests, setup_sqlite, setup_pg, teardown);
	return TL_EXIT(failed);
}
