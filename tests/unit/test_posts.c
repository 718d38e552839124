/* test_posts.c: news posts: rights (organisations and citizens), validation, drafts and hidden posts, the wall's order, cursor and filters, safe Markdown, images (resized, at most four), the migration 0020 (core/posts.c) */
#include "testlib.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/str.h"
#include "core/orgs.h"
#include "core/posts.h"
#include "core/search.h"
#include "core/uploads.h"
#include "base/buf.h"
#include "base/embed.h"

#include <gd.h>
#include <stdio.h>
#include <stdlib.h>
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

static const struct db_sql SQL_COMMUNE = { "ut_posts_commune",
	"INSERT INTO communes (insee, name, postcode) VALUES ($1, $2, '26470')" };
static const struct db_sql SQL_COUNT_POSTS = { "ut_posts_count",
	"SELECT COUNT(*) FROM posts" };
static const struct db_sql SQL_COUNT_UPLOADS = { "ut_posts_count_uploads",
	"SELECT COUNT(*) FROM uploads" };

static int64_t account(struct db *db, const char *email, const char *name, const char *role)
{
	return tl_account(db, email, name, role);
}

static struct actor actor_of(struct env *e, int64_t id)
{
	return tl_actor(e->db, e->a, id);
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
	if (db_exec(e->db, "DELETE FROM post_images; DELETE FROM posts; DELETE FROM org_invitations; DELETE FROM org_members;"
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
	struct post_image_input gif = { GIF, sizeof(GIF), "Un carré" };
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
		{ { .title = "Bon titre", .images = &gif, .nimages = 1 }, "image_1", "err.upload.bad_type" },
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
	bool more;
	struct post_filter f = { .limit = 10 };
	assert_int_equal(posts_wall(e->db, e->a, &f, &list, &n, &total, &more), KQ_OK);
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
	bool more;
	struct post_filter f = { .limit = 3 };
	assert_int_equal(posts_wall(e->db, e->a, &f, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(total, 7);
	assert_int_equal(n, 3);
	assert_true(more);
	assert_string_equal(list[0].title, "Publié plus tard");
	assert_string_equal(list[1].slug, tie.slug);
	assert_string_equal(list[2].title, "Post quatre");
	assert_true(posts_cursor_parse(posts_cursor(e->a, &list[2]), &f.before_published_at,
				       &f.before_id));
	assert_int_equal(posts_wall(e->db, e->a, &f, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(n, 3);
	assert_true(more);
	assert_string_equal(list[0].title, "Post trois");
	assert_string_equal(list[2].title, "Post un");
	f.before_published_at = list[2].published_at;
	f.before_id = list[2].id;
	assert_int_equal(posts_wall(e->db, e->a, &f, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(n, 1);
	assert_false(more);
	assert_string_equal(list[0].title, "Post zéro");
	f.before_published_at = list[0].published_at;
	f.before_id = list[0].id;
	assert_int_equal(posts_wall(e->db, e->a, &f, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(total, 7);

	/* Filters: the organisation's commune, its kind; unknown ones give nothing. */
	struct post_filter byc = { .commune = "26391", .limit = 100 };
	assert_int_equal(posts_wall(e->db, e->a, &byc, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(total, 5);
	for (int i = 0; i < n; i++)
		assert_int_equal(list[i].org_id, e->org_id);
	byc.commune = "26392";
	assert_int_equal(posts_wall(e->db, e->a, &byc, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(total, 0);
	struct post_filter byk = { .kind = "association", .limit = 100 };
	assert_int_equal(posts_wall(e->db, e->a, &byk, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(total, 7);
	byk.kind = "business";
	assert_int_equal(posts_wall(e->db, e->a, &byk, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(total, 0);
	byk.kind = "x' OR '1'='1";
	assert_int_equal(posts_wall(e->db, e->a, &byk, &list, &n, &total, &more), KQ_OK);
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

/* A real image of w x h pixels, made with libgd: "png", "jpeg" or "webp". In e->a. */
static struct post_image_input picture(struct env *e, const char *type, int w, int h,
				       const char *alt)
{
	gdImagePtr im = gdImageCreateTrueColor(w, h);
	assert_non_null(im);
	gdImageFilledRectangle(im, 0, 0, w - 1, h - 1, gdTrueColor(0x20, 0x80, 0xc0));
	gdImageFilledEllipse(im, w / 2, h / 2, w / 2, h / 2, gdTrueColor(0xf0, 0xa0, 0x10));
	int size = 0;
	void *bytes = strcmp(type, "png") == 0    ? gdImagePngPtr(im, &size)
		      : strcmp(type, "jpeg") == 0 ? gdImageJpegPtr(im, &size, 90)
						  : gdImageWebpPtr(im, &size);
	gdImageDestroy(im);
	assert_non_null(bytes);
	struct post_image_input out = { arena_memdup(e->a, bytes, (size_t)size), (size_t)size, alt };
	gdFree(bytes);
	return out;
}

static void test_images_are_resized_kept_in_order_and_at_most_four(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner), editor = actor_of(e, e->editor);
	struct actor visitor = { 0 };
	struct post_image_input imgs[5] = {
		picture(e, "png", 2400, 1200, "Une affiche bleue"),
		picture(e, "jpeg", 800, 600, "Une photo"),
		picture(e, "webp", 1600, 1600, "Un carré"),
		picture(e, "png", 300, 100, "Un bandeau"),
		picture(e, "png", 10, 10, "Un de trop"),
	};
	struct field_errors fe = { 0 };
	struct post p;
	/* Five are refused before anything is written. */
	struct post_input five = { .title = "Cinq images", .status = "published", .images = imgs,
				   .nimages = 5 };
	assert_int_equal(posts_create(e->db, &owner, e->org_id, &five, e->a, &fe, &p),
			 KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "images"), "err.posts.too_many_images");
	assert_int_equal(count(e->db, &SQL_COUNT_POSTS), 0);
	assert_int_equal(count(e->db, &SQL_COUNT_UPLOADS), 0);

	struct post_input four = { .title = "Quatre images", .status = "published", .images = imgs,
				   .nimages = 4 };
	assert_int_equal(posts_create(e->db, &owner, e->org_id, &four, e->a, &fe, &p), KQ_OK);
	assert_int_equal(p.nimages, 4);
	assert_int_equal(p.image_count, 4);
	assert_int_equal(count(e->db, &SQL_COUNT_UPLOADS), 8);   /* a display and a thumbnail each */
	/* Wide ones are scaled down to 1200 (page) and 400 (wall), keeping the proportions;
	 * small ones are never scaled up. */
	int want[4][4] = { { 1200, 600, 400, 200 }, { 800, 600, 400, 300 }, { 1200, 1200, 400, 400 },
			   { 300, 100, 300, 100 } };
	const char *types[4] = { "image/png", "image/jpeg", "image/webp", "image/png" };
	for (int i = 0; i < 4; i++) {
		const struct post_image *im = &p.images[i];
		assert_int_equal(im->position, i + 1);
		assert_string_equal(im->alt, imgs[i].alt);
		assert_int_equal(im->width, want[i][0]);
		assert_int_equal(im->height, want[i][1]);
		assert_int_equal(im->thumb_width, want[i][2]);
		assert_int_equal(im->thumb_height, want[i][3]);
		struct upload u;
		assert_int_equal(posts_image_get(e->db, &visitor, e->a, p.slug, i + 1, false, &u), KQ_OK);
		assert_string_equal(u.content_type, types[i]);
		int w = 0, h = 0;
		assert_true(uploads_image_dimensions(u.bytes, u.size, &w, &h));
		assert_int_equal(w, want[i][0]);
		assert_int_equal(h, want[i][1]);
		assert_int_equal(posts_image_get(e->db, &visitor, e->a, p.slug, i + 1, true, &u), KQ_OK);
		assert_true(uploads_image_dimensions(u.bytes, u.size, &w, &h));
		assert_int_equal(w, want[i][2]);
	}
	struct upload u;
	assert_int_equal(posts_image_get(e->db, &visitor, e->a, p.slug, 5, false, &u),
			 KQ_ERR_NOT_FOUND);
	/* The wall carries the first image and the count. */
	struct post *list;
	int n;
	int64_t total;
	bool more;
	struct post_filter f = { .limit = 5 };
	assert_int_equal(posts_wall(e->db, e->a, &f, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].image_count, 4);
	assert_int_equal(list[0].cover.id, p.images[0].id);
	assert_int_equal(list[0].cover.thumb_width, 400);

	/* A fifth one is refused while four are there; removing one makes room,
	 * and the others close ranks. */
	struct post_input add = { .images = &imgs[4], .nimages = 1 };
	assert_int_equal(posts_update(e->db, &editor, p.id, &add, e->a, &fe, &p), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "images"), "err.posts.too_many_images");
	assert_int_equal(count(e->db, &SQL_COUNT_UPLOADS), 8);
	int64_t second = p.images[1].id;
	struct post_image_alt alt = { p.images[0].id, "Une affiche bleue et orange" };
	struct post_input swap = { .images = &imgs[4], .nimages = 1, .remove_image_ids = &second,
				   .nremove = 1, .alts = &alt, .nalts = 1 };
	assert_int_equal(posts_update(e->db, &editor, p.id, &swap, e->a, &fe, &p), KQ_OK);
	assert_int_equal(p.nimages, 4);
	assert_string_equal(p.images[0].alt, "Une affiche bleue et orange");
	assert_string_equal(p.images[1].alt, "Un carré");
	assert_int_equal(p.images[1].position, 2);
	assert_string_equal(p.images[3].alt, "Un de trop");
	assert_int_equal(p.images[3].position, 4);
	assert_int_equal(count(e->db, &SQL_COUNT_UPLOADS), 8);
	/* An alt for an image of another post is refused. */
	struct post other = make_post(e, e->org_id, "Autre", "published");
	struct post_image_alt theirs = { p.images[0].id, "Volé" };
	struct post_input steal = { .alts = &theirs, .nalts = 1 };
	assert_int_equal(posts_update(e->db, &owner, other.id, &steal, e->a, &fe, &other),
			 KQ_ERR_NOT_FOUND);

	assert_int_equal(posts_delete(e->db, &visitor, p.id), KQ_ERR_AUTH_REQUIRED);
	struct actor stranger = actor_of(e, e->stranger);
	assert_int_equal(posts_delete(e->db, &stranger, p.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(posts_delete(e->db, &editor, p.id), KQ_OK);
	assert_int_equal(count(e->db, &SQL_COUNT_POSTS), 1);
	assert_int_equal(count(e->db, &SQL_COUNT_UPLOADS), 0);
	assert_int_equal(posts_delete(e->db, &editor, p.id), KQ_ERR_NOT_FOUND);
}

/* A photo taken with the phone held sideways: stored 800 x 400 with EXIF
 * orientation 6 ("turn 90 degrees clockwise to view"); shown 400 x 800,
 * its red top-left corner now at the top right. */
static void test_a_sideways_phone_photo_is_stored_upright(void **state)
{
	struct env *e = *state;
	gdImagePtr im = gdImageCreateTrueColor(800, 400);
	gdImageFilledRectangle(im, 0, 0, 799, 399, gdTrueColor(0, 0, 255));
	gdImageFilledRectangle(im, 0, 0, 99, 99, gdTrueColor(255, 0, 0));
	int size = 0;
	unsigned char *jpeg = gdImageJpegPtr(im, &size, 90);
	gdImageDestroy(im);
	static const unsigned char app1[] = {
		0xff, 0xe1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0,          /* APP1, 34 bytes */
		'M', 'M', 0, 42, 0, 0, 0, 8,                               /* TIFF, big-endian, IFD0 at 8 */
		0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0 /* orientation = 6; no next IFD */
	};
	size_t n = (size_t)size + sizeof(app1);
	unsigned char *photo = arena_alloc(e->a, n);
	memcpy(photo, jpeg, 2);                                        /* SOI */
	memcpy(photo + 2, app1, sizeof(app1));
	memcpy(photo + 2 + sizeof(app1), jpeg + 2, (size_t)size - 2);
	const void *plain = arena_memdup(e->a, jpeg, (size_t)size);
	gdFree(jpeg);
	static const int widths[1] = { 1200 };
	struct upload_image out[1];
	assert_int_equal(uploads_image_versions(e->a, photo, n, widths, 1, out), KQ_OK);
	assert_int_equal(out[0].width, 400);
	assert_int_equal(out[0].height, 800);
	gdImagePtr back = gdImageCreateFromJpegPtr((int)out[0].len, (void *)(uintptr_t)out[0].bytes);
	assert_non_null(back);
	assert_true(gdTrueColorGetRed(gdImageGetTrueColorPixel(back, 350, 50)) > 200);   /* top right */
	assert_true(gdTrueColorGetRed(gdImageGetTrueColorPixel(back, 50, 50)) < 60);     /* top left */
	gdImageDestroy(back);
	/* The same picture without the EXIF stays as it is. */
	assert_int_equal(uploads_image_versions(e->a, plain, (size_t)size, widths, 1, out), KQ_OK);
	assert_int_equal(out[0].width, 800);
	assert_int_equal(out[0].height, 400);
}

static void test_images_are_checked_each_next_to_its_field(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	/* A PNG signature on bytes that are no image; a PNG announcing 20000 x 20000
	 * pixels (refused from its header, never decoded); a GIF; too many bytes; no alt. */
	static const unsigned char FAKE[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
					      'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0 };
	unsigned char bomb[sizeof(FAKE)];
	memcpy(bomb, FAKE, sizeof(FAKE));
	bomb[18] = 0x4e, bomb[19] = 0x20, bomb[22] = 0x4e, bomb[23] = 0x20;   /* 20000 */
	static const unsigned char GIF[] = { 'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0 };
	size_t big_len = POSTS_IMAGE_BYTES_MAX + 1;
	unsigned char *big = arena_alloc(e->a, big_len);
	memset(big, 0, big_len);
	memcpy(big, FAKE, sizeof(FAKE));
	struct post_image_input good = picture(e, "png", 50, 50, "Un rond");
	struct post_image_input imgs[4] = {
		{ FAKE, sizeof(FAKE), "Faux" },
		{ bomb, sizeof(bomb), "Bombe" },
		{ GIF, sizeof(GIF), "Gif" },
		{ big, big_len, "Gros" },
	};
	struct field_errors fe = { 0 };
	struct post p;
	struct post_input in = { .title = "Images", .images = imgs, .nimages = 4 };
	assert_int_equal(posts_create(e->db, &owner, e->org_id, &in, e->a, &fe, &p),
			 KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "image_1"), "err.upload.unreadable");
	assert_string_equal(field_error_get(&fe, "image_2"), "err.upload.unreadable");
	assert_string_equal(field_error_get(&fe, "image_3"), "err.upload.bad_type");
	assert_string_equal(field_error_get(&fe, "image_4"), "err.posts.image_too_large");
	struct post_image_input noalt[2] = { good, { 0 } };
	noalt[0].alt = "  ";
	struct post_input in2 = { .title = "Sans description", .images = noalt, .nimages = 2 };
	assert_int_equal(posts_create(e->db, &owner, e->org_id, &in2, e->a, &fe, &p),
			 KQ_ERR_FORM_INVALID);
	assert_int_equal(fe.n, 1);
	assert_string_equal(field_error_get(&fe, "alt_1"), "err.posts.alt_invalid");
	assert_int_equal(count(e->db, &SQL_COUNT_POSTS), 0);
	assert_int_equal(count(e->db, &SQL_COUNT_UPLOADS), 0);
	/* An empty slot (the form's unused file inputs) is no image. */
	struct post_image_input slots[3] = { { 0 }, good, { 0 } };
	struct post_input in3 = { .title = "Un trou", .images = slots, .nimages = 3 };
	assert_int_equal(posts_create(e->db, &owner, e->org_id, &in3, e->a, &fe, &p), KQ_OK);
	assert_int_equal(p.nimages, 1);
	/* A decompression bomb's header says so before any decoding. */
	int w = 0, h = 0;
	assert_true(uploads_image_dimensions(bomb, sizeof(bomb), &w, &h));
	assert_int_equal(w, 20000);
	assert_false(uploads_image_dimensions(GIF, sizeof(GIF), &w, &h));
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

static const struct db_sql SQL_SUSPEND = { "ut_posts_suspend",
	"UPDATE accounts SET suspended_at = $2 WHERE id = $1" };
static const struct db_sql SQL_HIDE = { "ut_posts_hide",
	"UPDATE posts SET hidden_at = $2 WHERE id = $1" };
static const struct db_sql SQL_HIDE_ORG = { "ut_posts_hide_org",
	"UPDATE organisations SET hidden_at = $2 WHERE id = $1" };

static void set_i64(struct env *e, const struct db_sql *q, int64_t id, int64_t v)
{
	struct db_stmt *st = db_stmt(e->db, q);
	db_bind_i64(st, 1, id);
	db_bind_i64_or_null(st, 2, v);
	assert_int_equal(db_run(st), DB_NONE);
}

static void test_citizens_post_in_their_own_name(void **state)
{
	struct env *e = *state;
	struct actor sam = actor_of(e, e->stranger), bob = actor_of(e, e->box);
	struct actor admin = actor_of(e, e->admin), visitor = { 0 };
	struct post_image_input img = picture(e, "jpeg", 1600, 900, "Un chat roux");
	struct post_input in = { .title = "Chat perdu", .body = "Roux, **collier vert**.",
				 .status = "published", .images = &img, .nimages = 1 };
	struct field_errors fe = { 0 };
	struct post p;
	assert_int_equal(posts_create(e->db, &visitor, 0, &in, e->a, &fe, &p), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(posts_create(e->db, &sam, 0, &in, e->a, &fe, &p), KQ_OK);
	assert_int_equal(p.org_id, 0);
	assert_int_equal(p.author_id, e->stranger);
	assert_string_equal(p.author_name, "Sam");
	assert_true(p.author_public);
	assert_string_equal(p.org_name, "");
	assert_int_equal(p.images[0].width, 1200);
	/* On the wall, with the citizens' filter; not under an organisation's kind or commune. */
	struct post *list;
	int n;
	int64_t total;
	bool more;
	make_post(e, e->org_id, "Loto", "published");
	struct post_filter citizens = { .kind = "citizen", .limit = 10 };
	assert_int_equal(posts_wall(e->db, e->a, &citizens, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].slug, p.slug);
	assert_string_equal(list[0].author_name, "Sam");
	struct post_filter assoc = { .kind = "association", .limit = 10 };
	assert_int_equal(posts_wall(e->db, e->a, &assoc, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].title, "Loto");
	struct post_filter mine = { .author_id = e->stranger, .limit = 10 };
	assert_int_equal(posts_wall(e->db, e->a, &mine, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(n, 1);
	/* An organisation's post written by the owner is not the owner's own. */
	struct post_filter owners = { .author_id = e->owner, .limit = 10 };
	assert_int_equal(posts_wall(e->db, e->a, &owners, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(n, 0);
	/* Only the author (and admins) change it. */
	struct post_input edit = { .title = "Chat retrouvé" };
	assert_int_equal(posts_update(e->db, &bob, p.id, &edit, e->a, &fe, &p), KQ_ERR_FORBIDDEN);
	assert_int_equal(posts_update(e->db, &visitor, p.id, &edit, e->a, &fe, &p),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(posts_delete(e->db, &bob, p.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(posts_update(e->db, &sam, p.id, &edit, e->a, &fe, &p), KQ_OK);
	assert_string_equal(p.title, "Chat retrouvé");
	assert_int_equal(posts_update(e->db, &admin, p.id, &edit, e->a, &fe, &p), KQ_OK);
	/* A citizen's draft is theirs alone. */
	struct post_input dr = { .title = "Idée en cours" };
	struct post d;
	assert_int_equal(posts_create(e->db, &sam, 0, &dr, e->a, &fe, &d), KQ_OK);
	struct post got;
	assert_int_equal(posts_get(e->db, &bob, e->a, d.slug, &got), KQ_ERR_NOT_FOUND);
	assert_int_equal(posts_get(e->db, &sam, e->a, d.slug, &got), KQ_OK);
	/* A suspended account writes nothing more, and has no public page. */
	set_i64(e, &SQL_SUSPEND, e->stranger, 1000);
	assert_int_equal(posts_create(e->db, &sam, 0, &in, e->a, &fe, &got), KQ_ERR_AUTH_SUSPENDED);
	assert_int_equal(posts_update(e->db, &sam, p.id, &edit, e->a, &fe, &got),
			 KQ_ERR_AUTH_SUSPENDED);
	assert_int_equal(posts_get(e->db, &visitor, e->a, p.slug, &got), KQ_OK);
	assert_false(got.author_public);
	struct person who;
	assert_int_equal(posts_person_get(e->db, e->a, e->stranger, &who), KQ_ERR_NOT_FOUND);
	assert_int_equal(posts_delete(e->db, &sam, p.id), KQ_OK);   /* removing one's own stays possible */
	assert_int_equal(posts_person_get(e->db, e->a, e->owner, &who), KQ_OK);
	assert_string_equal(who.display_name, "Olga");
	assert_int_equal(who.norgs, 2);
	assert_string_equal(who.orgs[0].name, "Chorale");
	assert_int_equal(posts_person_get(e->db, e->a, 999999, &who), KQ_ERR_NOT_FOUND);
}

/* INVARIANT(cursor) */
static void test_cursor_pages_stay_put_when_new_posts_arrive(void **state)
{
	struct env *e = *state;
	for (int i = 0; i < 6; i++) {
		tl_set_clock(-600 + 60 * (i / 2));   /* two by two in the same second */
		make_post(e, e->org_id, arena_printf(e->a, "Ancienne %d", i), "published");
	}
	tl_set_clock(0);
	struct post *page1, *page2, *again;
	int n1, n2, n3;
	int64_t total;
	bool more;
	struct post_filter f = { .limit = 3 };
	assert_int_equal(posts_wall(e->db, e->a, &f, &page1, &n1, &total, &more), KQ_OK);
	assert_int_equal(n1, 3);
	const char *cursor = posts_cursor(e->a, &page1[2]);
	assert_true(posts_cursor_parse(cursor, &f.before_published_at, &f.before_id));
	assert_int_equal(posts_wall(e->db, e->a, &f, &page2, &n2, &total, &more), KQ_OK);
	assert_int_equal(n2, 3);
	assert_false(more);
	/* Three new posts, one of them in the same second as the cursor's post. */
	tl_set_clock(-600 + 60 * 1);
	make_post(e, e->org_id, "Même seconde", "published");
	tl_set_clock(0);
	make_post(e, e->org_id, "Nouvelle un", "published");
	make_post(e, e->other_org_id, "Nouvelle deux", "published");
	assert_int_equal(posts_wall(e->db, e->a, &f, &again, &n3, &total, &more), KQ_OK);
	assert_int_equal(total, 9);
	assert_int_equal(n3, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(again[i].id, page2[i].id);
	/* The pages never repeat nor skip a post: walking all from the start sees each once. */
	struct post_filter all = { .limit = 2 };
	int seen = 0;
	int64_t last_t = INT64_MAX, last_id = INT64_MAX;
	for (;;) {
		struct post *pg;
		int n;
		assert_int_equal(posts_wall(e->db, e->a, &all, &pg, &n, &total, &more), KQ_OK);
		for (int i = 0; i < n; i++) {
			assert_true(pg[i].published_at < last_t ||
				    (pg[i].published_at == last_t && pg[i].id < last_id));
			last_t = pg[i].published_at;
			last_id = pg[i].id;
			seen++;
		}
		if (!more)
			break;
		all.before_published_at = pg[n - 1].published_at;
		all.before_id = pg[n - 1].id;
	}
	assert_int_equal(seen, 9);
	int64_t t, id;
	assert_false(posts_cursor_parse("abc", &t, &id));
	assert_false(posts_cursor_parse("12-", &t, &id));
	assert_false(posts_cursor_parse("-5", &t, &id));
	assert_false(posts_cursor_parse("12-5' OR 1", &t, &id));
	assert_true(posts_cursor_parse("12-5", &t, &id));
	assert_int_equal(t, 12);
	assert_int_equal(id, 5);
}

static void test_hidden_posts_are_left_out_everywhere_but_for_moderators(void **state)
{
	struct env *e = *state;
	struct post hid = make_post(e, e->org_id, "Masquée", "published");
	struct post shown = make_post(e, e->org_id, "Visible", "published");
	struct actor sam = actor_of(e, e->stranger);
	struct post_input in = { .title = "Citoyen masqué", .status = "published" };
	struct field_errors fe = { 0 };
	struct post mine;
	assert_int_equal(posts_create(e->db, &sam, 0, &in, e->a, &fe, &mine), KQ_OK);
	set_i64(e, &SQL_HIDE, hid.id, 500);
	set_i64(e, &SQL_HIDE, mine.id, 500);
	struct actor visitor = { 0 }, editor = actor_of(e, e->editor), admin = actor_of(e, e->admin);
	struct actor moderator = { .account_id = e->box, .platform_role = "moderator", .lang = "fr" };
	struct post got;
	assert_int_equal(posts_get(e->db, &visitor, e->a, hid.slug, &got), KQ_ERR_NOT_FOUND);
	assert_int_equal(posts_get(e->db, &editor, e->a, hid.slug, &got), KQ_ERR_NOT_FOUND);
	assert_int_equal(posts_get(e->db, &sam, e->a, mine.slug, &got), KQ_ERR_NOT_FOUND);
	assert_int_equal(posts_get(e->db, &moderator, e->a, hid.slug, &got), KQ_OK);
	assert_true(got.hidden_at > 0);
	assert_int_equal(posts_get(e->db, &admin, e->a, hid.slug, &got), KQ_OK);
	struct upload u;
	assert_int_equal(posts_image_get(e->db, &visitor, e->a, hid.slug, 1, false, &u),
			 KQ_ERR_NOT_FOUND);
	struct post *list;
	int n;
	int64_t total;
	bool more;
	struct post_filter f = { .limit = 10 };
	assert_int_equal(posts_wall(e->db, e->a, &f, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	assert_string_equal(list[0].slug, shown.slug);
	struct post_filter of_sam = { .author_id = e->stranger, .limit = 10 };
	assert_int_equal(posts_wall(e->db, e->a, &of_sam, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(posts_of_org(e->db, &editor, e->a, e->org_id, 10, &list, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(posts_of_org(e->db, NULL, e->a, e->org_id, 10, &list, &n), KQ_OK);
	assert_int_equal(n, 1);
	/* A hidden organisation takes its posts off the wall too. */
	set_i64(e, &SQL_HIDE_ORG, e->org_id, 600);
	assert_int_equal(posts_wall(e->db, e->a, &f, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(n, 0);
	/* Restored, it is back. */
	set_i64(e, &SQL_HIDE_ORG, e->org_id, 0);
	set_i64(e, &SQL_HIDE, hid.id, 0);
	assert_int_equal(posts_wall(e->db, e->a, &f, &list, &n, &total, &more), KQ_OK);
	assert_int_equal(n, 2);
}

/* ---- the migration 0020 on a database that already holds posts ------------------------------ */

static const struct db_sql SQL_MIG_RECORD = { "ut_posts_mig_record",
	"INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, 1)" };
static const struct db_sql SQL_MIG_POST = { "ut_posts_mig_post",
	"SELECT org_id, title, status, hidden_at, pinned_at, published_at FROM posts WHERE id = $1" };
static const struct db_sql SQL_MIG_IMAGE = { "ut_posts_mig_image",
	"SELECT pi.position, pi.upload_id, pi.thumb_upload_id, COALESCE(p.image_upload_id, 0)"
	" FROM post_images pi JOIN posts p ON p.id = pi.post_id WHERE pi.post_id = $1" };
static const struct db_sql SQL_MIG_INDEXES = { "ut_posts_mig_indexes",
	"SELECT name FROM sqlite_schema WHERE tbl_name = 'posts' AND type IN ('index', 'trigger')"
	" AND name = $1",
	"SELECT indexname FROM pg_indexes WHERE tablename = 'posts' AND indexname = $1"
	" AND schemaname = current_schema()" };

/* The migrations before 0020 of db's backend, applied as db_migrate would. */
static void migrate_until(struct db *db, int before)
{
	const char *prefix = "db/migrations/";
	bool sqlite = db_backend(db) == DB_SQLITE;
	assert_int_equal(db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
				     " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
				     " applied_at BIGINT NOT NULL)"), DB_NONE);
	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		if (strncmp(f->path, prefix, strlen(prefix)) != 0)
			continue;
		const char *name = f->path + strlen(prefix);
		int version = atoi(name);
		if (version >= before || (strstr(name, ".pg.sql") && sqlite) ||
		    (strstr(name, ".sqlite.sql") && !sqlite))
			continue;
		struct buf sql = BUF_INIT;
		for (const char *p = (const char *)f->data; *p;) {
			if (strncmp(p, "@ID@", 4) == 0) {
				buf_puts(&sql, sqlite ? "INTEGER PRIMARY KEY"
						      : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
				p += 4;
			} else if (strncmp(p, "@BLOB@", 6) == 0) {
				buf_puts(&sql, sqlite ? "BLOB" : "BYTEA");
				p += 6;
			} else {
				buf_putc(&sql, *p++);
			}
		}
		assert_int_equal(db_exec(db, "BEGIN"), DB_NONE);
		if (db_exec(db, buf_str(&sql)) != DB_NONE)
			fail_msg("%s: %s", name, db_errmsg(db));
		struct db_stmt *st = db_stmt(db, &SQL_MIG_RECORD);
		db_bind_i64(st, 1, version);
		db_bind_text(st, 2, name);
		assert_int_equal(db_run(st), DB_NONE);
		assert_int_equal(db_exec(db, "COMMIT"), DB_NONE);
		buf_free(&sql);
	}
}

/* The names of the indexes the migrations before `before` make on posts ("CREATE [UNIQUE] INDEX x ON posts"). */
static int indexes_on_posts(struct db *db, struct arena *a, int before, const char **out, int cap)
{
	const char *prefix = "db/migrations/";
	bool sqlite = db_backend(db) == DB_SQLITE;
	int n = 0;
	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		if (strncmp(f->path, prefix, strlen(prefix)) != 0)
			continue;
		const char *name = f->path + strlen(prefix);
		if (atoi(name) >= before || (strstr(name, ".pg.sql") && sqlite) ||
		    (strstr(name, ".sqlite.sql") && !sqlite))
			continue;
		for (const char *p = (const char *)f->data; (p = strstr(p, "INDEX ")); p += 6) {
			char idx[64], on[16], table[64];
			if (sscanf(p, "INDEX %63s %15s %63[a-z_]", idx, on, table) == 3 &&
			    strcmp(on, "ON") == 0 && strcmp(table, "posts") == 0 && n < cap)
				out[n++] = arena_strdup(a, idx);
		}
	}
	return n;
}

static void test_migration_0020_keeps_posts_their_search_and_their_image(void **state)
{
	struct env *e = *state;
	char url[1024], schema[128] = "", err[512];
	if (db_backend(e->db) == DB_SQLITE)
		tl_sqlite_url(url, sizeof(url), "posts-mig");
	else
		assert_true(tl_pg_schema_url(url, sizeof(url), "posts_mig", schema, sizeof(schema)));
	struct db *db = db_open(url, err, sizeof(err));
	assert_non_null(db);
	migrate_until(db, 20);
	assert_int_equal(db_exec(db,
		"INSERT INTO accounts (id, email, email_lower, display_name, password_hash, created_at)"
		" VALUES (7, 'a@example.org', 'a@example.org', 'A', 'x', 1);"
		"INSERT INTO organisations (id, slug, kind, name, created_at, updated_at)"
		" VALUES (3, 'fetes', 'association', 'Fêtes', 1, 1);"
		"INSERT INTO uploads (id, sha256, content_type, bytes, size, created_at)"
		" VALUES (5, 'abc', 'image/png', 'x', 1, 1);"
		"INSERT INTO posts (id, org_id, slug, title, body, body_html, image_upload_id, status,"
		" published_at, author_id, created_at, updated_at, hidden_at, pinned_at) VALUES"
		" (11, 3, 'grand-loto', 'Grand loto', 'Des quines et des cartons', '<p>x</p>', 5,"
		"  'published', 100, 7, 90, 100, NULL, 150),"
		" (12, 3, 'masque', 'Masqué', 'Texte', '', NULL, 'published', 110, 7, 90, 110, 120, NULL),"
		" (13, 3, 'projet', 'Projet secret', 'Brouillon', '', NULL, 'draft', NULL, 7, 90, 90,"
		"  NULL, NULL)"), DB_NONE);
	assert_true(db_migrate(db));
	/* The rows, every column. */
	struct db_stmt *st = db_stmt(db, &SQL_MIG_POST);
	db_bind_i64(st, 1, 11);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_i64(st, 0), 3);
	assert_string_equal(db_col_text(st, 1), "Grand loto");
	assert_true(db_col_is_null(st, 3));
	assert_int_equal(db_col_i64(st, 4), 150);
	assert_int_equal(db_col_i64(st, 5), 100);
	db_reset(st);
	db_bind_i64(st, 1, 12);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_i64(st, 3), 120);
	db_reset(st);
	/* The single image became the first of post_images. */
	st = db_stmt(db, &SQL_MIG_IMAGE);
	db_bind_i64(st, 1, 11);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_i64(st, 0), 1);
	assert_int_equal(db_col_i64(st, 1), 5);
	assert_int_equal(db_col_i64(st, 2), 5);
	assert_int_equal(db_col_i64(st, 3), 0);
	db_reset(st);
	/* Search still finds the old post (never the draft), and follows new ones. */
	struct arena *a = arena_new();
	struct search_results r;
	assert_int_equal(search_run(db, a, "quines", 20, &r), KQ_OK);
	assert_int_equal(r.posts_total, 1);
	assert_string_equal(r.posts[0].slug, "grand-loto");
	assert_int_equal(search_run(db, a, "secret", 20, &r), KQ_OK);
	assert_int_equal(r.posts_total, 0);
	assert_int_equal(db_exec(db, "UPDATE posts SET status = 'published', published_at = 130"
				     " WHERE id = 13"), DB_NONE);
	assert_int_equal(search_run(db, a, "secret", 20, &r), KQ_OK);
	assert_int_equal(r.posts_total, 1);
	/* A citizen's post (no organisation) may now be stored. */
	assert_int_equal(db_exec(db, "INSERT INTO posts (slug, title, author_id, status, created_at,"
				     " updated_at) VALUES ('chat', 'Chat perdu', 7, 'draft', 1, 1)"),
			 DB_NONE);
	/* Every index made on posts before 0020 is there after it, and the one of 0020. */
	const char *names[32];
	int n = indexes_on_posts(db, a, 20, names, 32);
	assert_true(n >= 2);
	names[n++] = "posts_author";
	if (db_backend(db) == DB_SQLITE) {
		names[n++] = "search_posts_ai";
		names[n++] = "search_posts_ad";
		names[n++] = "search_posts_au";
	}
	for (int i = 0; i < n; i++) {
		st = db_stmt(db, &SQL_MIG_INDEXES);
		db_bind_text(st, 1, names[i]);
		if (db_step(st) != DB_ROW)
			fail_msg("%s is missing after 0020", names[i]);
		db_reset(st);
	}
	arena_free(a);
	db_close(db);
	tl_pg_drop_schema(schema);
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
		T(test_images_are_resized_kept_in_order_and_at_most_four),
		T(test_images_are_checked_each_next_to_its_field),
		T(test_a_sideways_phone_photo_is_stored_upright),
		T(test_citizens_post_in_their_own_name),
		T(test_cursor_pages_stay_put_when_new_posts_arrive),
		T(test_hidden_posts_are_left_out_everywhere_but_for_moderators),
		T(test_migration_0020_keeps_posts_their_search_and_their_image),
		T(test_markdown_is_rendered_safe),
		T(test_search_finds_published_posts_only_and_follows_their_changes),
	};
	int failed = 0;
	TL_RUN_GROUP_BOTH(failed, "posts", db_tests, setup_sqlite, setup_pg, teardown);
	return TL_EXIT(failed);
}
