/* test_orgs.c: organisations, members, invitations, logos and every permission refusal (core/orgs.c, core/uploads.c) */
#include "testlib.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/str.h"
#include "base/timefmt.h"
#include "core/orgs.h"
#include "core/contact.h"
#include "core/hours.h"
#include "core/uploads.h"
#include "web/views/orgs.h"
#include "web/views/directory.h"

#include <pthread.h>

struct env {
	char url[1024];
	char schema[128];
	struct db *db;
	struct arena *a;
	int64_t owner, editor, box, treasurer, stranger, unverified, admin, invitee;
};

/* ---- fixtures ----------------------------------------------------------------------------- */

static const struct db_sql SQL_ACCOUNT = { "ut_orgs_account",
	"INSERT INTO accounts (email, email_lower, display_name, password_hash, email_verified_at,"
	" platform_role, lang, created_at) VALUES ($1, $2, $3, 'x', $4, $5, 'fr', 1) RETURNING id" };
static const struct db_sql SQL_COMMUNE = { "ut_orgs_commune",
	"INSERT INTO communes (insee, name, postcode) VALUES ($1, $2, '26470')" };
static const struct db_sql SQL_COUNT_MEMBERS = { "ut_orgs_count_members",
	"SELECT COUNT(*) FROM org_members WHERE org_id = $1" };
static const struct db_sql SQL_OUTBOX = { "ut_orgs_outbox",
	"SELECT to_addr, subject, body_text FROM outbox ORDER BY id DESC LIMIT 1" };
static const struct db_sql SQL_COUNT_OUTBOX = { "ut_orgs_count_outbox",
	"SELECT COUNT(*) FROM outbox" };
static const struct db_sql SQL_INV_HASH = { "ut_orgs_inv_hash",
	"SELECT token_hash FROM org_invitations WHERE id = $1" };
static const struct db_sql SQL_EXPIRE = { "ut_orgs_expire",
	"UPDATE org_invitations SET expires_at = $1" };
static const struct db_sql SQL_COUNT_UPLOADS = { "ut_orgs_count_uploads",
	"SELECT COUNT(*) FROM uploads" };

static int64_t account(struct db *db, const char *email, const char *name, bool verified,
		       const char *role)
{
	struct arena *a = arena_new();
	struct db_stmt *st = db_stmt(db, &SQL_ACCOUNT);
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, str_lower_ascii(a, email));
	db_bind_text(st, 3, name);
	if (verified)
		db_bind_i64(st, 4, 1);
	else
		db_bind_null(st, 4);
	db_bind_text(st, 5, role);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t id = db_col_i64(st, 0);
	db_reset(st);
	arena_free(a);
	return id;
}

static struct actor actor_of(struct env *e, int64_t id)
{
	struct actor who = { 0 };
	static const struct db_sql q = { "ut_orgs_actor",
		"SELECT email, display_name, platform_role, email_verified_at IS NOT NULL"
		" FROM accounts WHERE id = $1" };
	struct db_stmt *st = db_stmt(e->db, &q);
	db_bind_i64(st, 1, id);
	assert_int_equal(db_step(st), DB_ROW);
	who.account_id = id;
	who.email = arena_strdup(e->a, db_col_text(st, 0));
	who.display_name = arena_strdup(e->a, db_col_text(st, 1));
	who.platform_role = arena_strdup(e->a, db_col_text(st, 2));
	who.is_verified = db_col_i64(st, 3) != 0;
	who.lang = "fr";
	db_reset(st);
	return who;
}

static int64_t scalar(struct db *db, const struct db_sql *q, int64_t arg, bool has_arg)
{
	struct db_stmt *st = db_stmt(db, q);
	if (has_arg)
		db_bind_i64(st, 1, arg);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t v = db_col_i64(st, 0);
	db_reset(st);
	return v;
}

static int open_env(struct env *e)
{
	char err[512];
	e->db = db_open(e->url, err, sizeof(err));
	if (!e->db) {
		fprintf(stderr, "test_orgs: %s\n", err);
		return -1;
	}
	return db_migrate(e->db) ? 0 : -1;
}

static int setup_sqlite(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	*state = e;
	tl_sqlite_url(e->url, sizeof(e->url), "orgs");
	return open_env(e);
}

static int setup_pg(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	*state = e;
	if (!tl_pg_schema_url(e->url, sizeof(e->url), "orgs", e->schema, sizeof(e->schema)))
		return -1;
	return open_env(e);
}

static int teardown(void **state)
{
	struct env *e = *state;
	if (e) {
		db_close(e->db);
		tl_pg_drop_schema(e->schema);
		free(e);
	}
	return 0;
}

/* Every test starts from the same people: one of each role in no organisation yet. */
static int fresh(void **state)
{
	struct env *e = *state;
	if (db_exec(e->db, "DELETE FROM contact_messages; DELETE FROM products;"
			   " DELETE FROM org_invitations; DELETE FROM org_members;"
			   " DELETE FROM organisations; DELETE FROM uploads; DELETE FROM outbox;"
			   " DELETE FROM sessions; DELETE FROM api_tokens; DELETE FROM accounts;"
			   " DELETE FROM communes") != DB_NONE)
		return -1;
	struct db_stmt *st = db_stmt(e->db, &SQL_COMMUNE);
	db_bind_text(st, 1, "26391");
	db_bind_text(st, 2, "Vesqueval");
	if (db_run(st) != DB_NONE)
		return -1;
	st = db_stmt(e->db, &SQL_COMMUNE);
	db_bind_text(st, 1, "26392");
	db_bind_text(st, 2, "Aigueclaire");
	if (db_run(st) != DB_NONE)
		return -1;
	e->owner = account(e->db, "Olga.Owner@example.org", "Olga", true, "");
	e->editor = account(e->db, "eddy@example.org", "Eddy", true, "");
	e->box = account(e->db, "bob@example.org", "Bob", true, "");
	e->treasurer = account(e->db, "tess@example.org", "Tess", true, "");
	e->stranger = account(e->db, "sam@example.org", "Sam", true, "");
	e->unverified = account(e->db, "ulla@example.org", "Ulla", false, "");
	e->admin = account(e->db, "admin@example.org", "Ada", true, "admin");
	e->invitee = account(e->db, "Ines@Example.org", "Inès", true, "");
	if (e->a)
		arena_free(e->a);
	e->a = arena_new();
	return 0;
}

static int done(void **state)
{
	struct env *e = *state;
	arena_free(e->a);
	e->a = NULL;
	return 0;
}

static struct org_input basic(const char *name)
{
	struct org_input in = { 0 };
	in.kind = "association";
	in.name = name;
	in.summary = "Le comité anime le village.";
	in.description = "Une **trentaine** de bénévoles.";
	in.category = "comite-des-fetes";
	in.commune = "26391";
	in.email = "contact@fetes.example.org";
	in.phone = "04 75 53 21 08";
	in.website = "https://fetes.example.org";
	in.address = "Place de la Halle";
	return in;
}

/* An organisation owned by e->owner with editor, box office and treasurer members. */
static struct org make_org(struct env *e, const char *name)
{
	struct actor owner = actor_of(e, e->owner);
	struct org_input in = basic(name);
	struct field_errors fe = { 0 };
	struct org o;
	assert_int_equal(orgs_create(e->db, &owner, &in, e->a, &fe, &o), KQ_OK);
	return o;
}

struct raw_members {
	int64_t org_id;
	int64_t ids[3];
	const char *roles[3];
};

static enum db_status raw_members_txn(struct db *db, void *cls)
{
	struct raw_members *r = cls;
	for (int i = 0; i < 3; i++) {
		enum db_status s = orgs_member_insert_raw(db, r->org_id, r->ids[i], r->roles[i]);
		if (s < 0)
			return s;
	}
	return DB_NONE;
}

static struct org make_team(struct env *e, const char *name)
{
	struct org o = make_org(e, name);
	struct raw_members r = { o.id, { e->editor, e->box, e->treasurer },
				 { "editor", "box_office", "treasurer" } };
	assert_true(db_txn_run(e->db, "ut_members", DB_WRITE, raw_members_txn, &r) >= 0);
	return o;
}

/* ---- images ---------------------------------------------------------------------------------- */

static const unsigned char PNG[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
				     'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0 };
static const unsigned char JPEG[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0 };
static const unsigned char WEBP[] = { 'R', 'I', 'F', 'F', 26, 0, 0, 0, 'W', 'E', 'B', 'P',
				      'V', 'P', '8', 'L', 13, 0, 0, 0, 0x2f, 0, 0, 0, 0 };
static const char SVG[] = "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\">"
			  "<script>alert(1)</script></svg>";
static const char GIF[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00";
static const char TEXT_AS_PNG[] = "This is plain text in a file called logo.png, sent as image/png.";

static void test_sniff_accepts_png_jpeg_and_webp_by_their_bytes(void **state)
{
	(void)state;
	assert_string_equal(uploads_sniff_image(PNG, sizeof(PNG)), "image/png");
	assert_string_equal(uploads_sniff_image(JPEG, sizeof(JPEG)), "image/jpeg");
	assert_string_equal(uploads_sniff_image(WEBP, sizeof(WEBP)), "image/webp");
	const char *t;
	assert_int_equal(uploads_check_image(PNG, sizeof(PNG), &t), KQ_OK);
	assert_string_equal(t, "image/png");
}

static void test_sniff_refuses_svg_gif_text_and_truncated_headers(void **state)
{
	(void)state;
	const char *t;
	assert_null(uploads_sniff_image(SVG, strlen(SVG)));
	assert_null(uploads_sniff_image(GIF, sizeof(GIF) - 1));
	assert_null(uploads_sniff_image(TEXT_AS_PNG, strlen(TEXT_AS_PNG)));
	assert_null(uploads_sniff_image(PNG, 8));        /* signature without IHDR */
	assert_null(uploads_sniff_image(JPEG, 2));
	assert_null(uploads_sniff_image(WEBP, 12));      /* RIFF/WEBP without a VP8 chunk */
	assert_null(uploads_sniff_image("", 0));
	assert_int_equal(uploads_check_image(SVG, strlen(SVG), &t), KQ_ERR_UPLOAD_BAD_TYPE);
	assert_int_equal(uploads_check_image(GIF, sizeof(GIF) - 1, &t), KQ_ERR_UPLOAD_BAD_TYPE);
	assert_int_equal(uploads_check_image(TEXT_AS_PNG, strlen(TEXT_AS_PNG), &t),
			 KQ_ERR_UPLOAD_BAD_TYPE);
	assert_null(t);
}

static void test_image_of_2mb_is_accepted_and_one_byte_more_refused(void **state)
{
	(void)state;
	const char *t;
	unsigned char *big = calloc(1, UPLOAD_IMAGE_MAX + 1);
	memcpy(big, PNG, sizeof(PNG));
	assert_int_equal(UPLOAD_IMAGE_MAX, 2 * 1024 * 1024);
	assert_int_equal(uploads_check_image(big, UPLOAD_IMAGE_MAX, &t), KQ_OK);
	assert_int_equal(uploads_check_image(big, UPLOAD_IMAGE_MAX + 1, &t),
			 KQ_ERR_UPLOAD_TOO_LARGE);
	free(big);
}

/* ---- permissions as a table -------------------------------------------------------------------- */

static void test_role_can_matrix(void **state)
{
	(void)state;
	static const struct {
		const char *role;
		bool view, edit, publish, manage, box, money;
	} m[] = {
		{ "owner", true, true, true, true, true, true },
		{ "editor", true, true, true, false, false, false },
		{ "box_office", true, false, false, false, true, false },
		{ "treasurer", true, false, false, false, false, true },
		{ "admin", false, false, false, false, false, false },
		{ "", false, false, false, false, false, false },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(m); i++) {
		assert_int_equal(orgs_role_can(m[i].role, ORG_ACT_VIEW_MEMBERS), m[i].view);
		assert_int_equal(orgs_role_can(m[i].role, ORG_ACT_EDIT_PROFILE), m[i].edit);
		assert_int_equal(orgs_role_can(m[i].role, ORG_ACT_PUBLISH), m[i].publish);
		assert_int_equal(orgs_role_can(m[i].role, ORG_ACT_MANAGE_MEMBERS), m[i].manage);
		assert_int_equal(orgs_role_can(m[i].role, ORG_ACT_BOX_OFFICE), m[i].box);
		assert_int_equal(orgs_role_can(m[i].role, ORG_ACT_MONEY), m[i].money);
	}
	assert_false(orgs_role_can(NULL, ORG_ACT_VIEW_MEMBERS));
}

static void test_vocabularies_have_labels_in_both_languages(void **state)
{
	(void)state;
	for (const char *const *k = orgs_kinds(); *k; k++) {
		char key[96];
		snprintf(key, sizeof(key), "orgs.kind.%s", *k);
		assert_true(i18n_has(key));
		for (const char *const *c = orgs_categories(*k); *c; c++) {
			snprintf(key, sizeof(key), "orgs.category.%s", *c);
			assert_true(i18n_has(key));
			assert_true(str_slug_valid(*c));
		}
	}
	for (const char *const *r = orgs_roles(); *r; r++) {
		char key[96];
		snprintf(key, sizeof(key), "orgs.role.%s", *r);
		assert_true(i18n_has(key));
	}
	/* The demo data's categories are in the lists. */
	assert_true(orgs_category_valid("association", "comite-des-fetes"));
	assert_true(orgs_category_valid("producer", "fromagerie"));
	assert_true(orgs_category_valid("public_body", "office-de-tourisme"));
	assert_false(orgs_category_valid("business", "fromagerie"));
	assert_null(orgs_categories("club"));
}

/* ---- creating ---------------------------------------------------------------------------------- */

static void test_create_makes_the_creator_owner_and_derives_the_slug(void **state)
{
	struct env *e = *state;
	struct org o = make_org(e, "Comité des fêtes de Vesqueval");
	assert_string_equal(o.slug, "comite-des-fetes-de-vesqueval");
	assert_string_equal(o.kind, "association");
	assert_string_equal(o.commune_insee, "26391");
	assert_string_equal(o.commune_name, "Vesqueval");
	assert_string_equal(o.logo_sha256, "");
	const char *role;
	assert_int_equal(orgs_member_role(e->db, e->a, o.id, e->owner, &role), KQ_OK);
	assert_string_equal(role, "owner");
	assert_int_equal(scalar(e->db, &SQL_COUNT_MEMBERS, o.id, true), 1);
	struct org again;
	assert_int_equal(orgs_get(e->db, e->a, o.slug, &again), KQ_OK);
	assert_int_equal(again.id, o.id);
	assert_string_equal(again.website, "https://fetes.example.org");
	assert_int_equal(orgs_get(e->db, e->a, "nope-nope", &again), KQ_ERR_NOT_FOUND);
	assert_int_equal(orgs_get(e->db, e->a, "../x", &again), KQ_ERR_NOT_FOUND);
}

static void test_create_refuses_visitors_and_unverified_accounts(void **state)
{
	struct env *e = *state;
	struct actor visitor = { 0 };
	struct actor unverified = actor_of(e, e->unverified);
	struct org_input in = basic("Les Amis du Lavoir");
	struct field_errors fe = { 0 };
	struct org o;
	assert_int_equal(orgs_create(e->db, &visitor, &in, e->a, &fe, &o), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(orgs_create(e->db, &unverified, &in, e->a, &fe, &o),
			 KQ_ERR_ORGS_UNVERIFIED);
	struct org_filter f = { .limit = 10 };
	struct org *list;
	int n;
	int64_t total;
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 0);
}

static void expect_field(struct env *e, struct org_input in, const char *field)
{
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct org o;
	assert_int_equal(orgs_create(e->db, &owner, &in, e->a, &fe, &o), KQ_ERR_FORM_INVALID);
	if (!field_error_get(&fe, field))
		fail_msg("expected an error on %s", field);
	assert_true(i18n_has(field_error_get(&fe, field)));
}

static void test_create_validates_every_field(void **state)
{
	struct env *e = *state;
	struct org_input in;
	in = basic("X");
	expect_field(e, in, "name");
	in = basic(NULL);
	expect_field(e, in, "name");
	char long_name[130];
	memset(long_name, 'a', 121);
	long_name[121] = 0;
	in = basic(long_name);
	expect_field(e, in, "name");
	in = basic("Deux\nlignes");
	expect_field(e, in, "name");
	in = basic("Club");
	in.kind = "club";
	expect_field(e, in, "kind");
	in = basic("Club");
	in.slug = "Pas Valide";
	expect_field(e, in, "slug");
	in = basic("Club");
	in.summary = "Une\nprésentation";
	expect_field(e, in, "summary");
	char *summary = calloc(1, 202);
	memset(summary, 's', 201);
	in = basic("Club");
	in.summary = summary;
	expect_field(e, in, "summary");
	free(summary);
	char *desc = calloc(1, ORGS_DESCRIPTION_MAX + 2);
	memset(desc, 'd', ORGS_DESCRIPTION_MAX + 1);
	in = basic("Club");
	in.description = desc;
	expect_field(e, in, "description");
	free(desc);
	in = basic("Club");
	in.category = "fromagerie";   /* a producer's category */
	expect_field(e, in, "category");
	in = basic("Club");
	in.commune = "99999";
	expect_field(e, in, "commune");
	in = basic("Club");
	in.email = "pas-une-adresse";
	expect_field(e, in, "email");
	in = basic("Club");
	in.phone = "appelez-nous";
	expect_field(e, in, "phone");
	const char *bad_sites[] = { "javascript:alert(1)", "ftp://x.example.org", "www.example.org",
				    "https://", "https://exa mple.org", "https://\"x\".org" };
	for (size_t i = 0; i < TL_ARRAY_LEN(bad_sites); i++) {
		in = basic("Club");
		in.website = bad_sites[i];
		expect_field(e, in, "website");
	}
	/* Several errors at once are all reported. */
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct org o;
	in = basic("X");
	in.email = "x";
	in.website = "data:text/html,x";
	assert_int_equal(orgs_create(e->db, &owner, &in, e->a, &fe, &o), KQ_ERR_FORM_INVALID);
	assert_int_equal(fe.n, 3);
	/* Optional fields may stay empty; accents in names are fine. */
	struct org_input min = { .kind = "producer", .name = "Ferme de l'Aubière" };
	fe.n = 0;
	assert_int_equal(orgs_create(e->db, &owner, &min, e->a, &fe, &o), KQ_OK);
	assert_string_equal(o.slug, "ferme-de-l-aubiere");
	assert_string_equal(o.category, "");
	assert_int_equal(o.commune_id, 0);
	assert_string_equal(o.commune_insee, "");
}

static void test_create_refuses_a_taken_slug_and_suggests_a_free_one(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct org first = make_org(e, "Les Amis du Lavoir");
	struct org_input in = basic("Les amis du lavoir");
	struct field_errors fe = { 0 };
	struct org o;
	/* Taken when derived from the name... */
	assert_int_equal(orgs_create(e->db, &owner, &in, e->a, &fe, &o), KQ_ERR_ORGS_SLUG_TAKEN);
	assert_string_equal(field_error_get(&fe, "slug"), "err.orgs.slug_taken");
	/* ...and when given. */
	in.slug = first.slug;
	fe.n = 0;
	assert_int_equal(orgs_create(e->db, &owner, &in, e->a, &fe, &o), KQ_ERR_ORGS_SLUG_TAKEN);
	const char *free_slug;
	assert_int_equal(orgs_slug_suggest(e->db, e->a, first.slug, &free_slug), KQ_OK);
	assert_string_equal(free_slug, "les-amis-du-lavoir-2");
	in.slug = free_slug;
	fe.n = 0;
	assert_int_equal(orgs_create(e->db, &owner, &in, e->a, &fe, &o), KQ_OK);
	assert_string_equal(o.slug, "les-amis-du-lavoir-2");
	assert_int_equal(orgs_slug_suggest(e->db, e->a, "Les Amis du Lavoir", &free_slug), KQ_OK);
	assert_string_equal(free_slug, "les-amis-du-lavoir-3");
	/* A long name still gives a valid slug with room for the number. */
	char long_name[121];
	memset(long_name, 'z', 120);
	long_name[120] = 0;
	assert_int_equal(orgs_slug_suggest(e->db, e->a, long_name, &free_slug), KQ_OK);
	assert_true(str_slug_valid(free_slug));
	/* Nothing half-written by the refusals: one member row per organisation. */
	assert_int_equal(scalar(e->db, &SQL_COUNT_MEMBERS, first.id, true), 1);
}

/* ---- updating ---------------------------------------------------------------------------------- */

static void test_update_is_partial_and_allowed_to_owner_editor_and_admin(void **state)
{
	struct env *e = *state;
	struct org o = make_team(e, "Chorale du Val");
	struct org_input ch = { .summary = "Nouvelle présentation." };
	struct field_errors fe = { 0 };
	struct org after;
	struct actor editor = actor_of(e, e->editor);
	assert_int_equal(orgs_update(e->db, &editor, o.id, &ch, e->a, &fe, &after), KQ_OK);
	assert_string_equal(after.summary, "Nouvelle présentation.");
	assert_string_equal(after.name, "Chorale du Val");            /* untouched */
	assert_string_equal(after.website, "https://fetes.example.org");
	assert_string_equal(after.slug, o.slug);
	struct actor admin = actor_of(e, e->admin);
	struct org_input ch2 = { .commune = "26392", .category = "culture" };
	assert_int_equal(orgs_update(e->db, &admin, o.id, &ch2, e->a, &fe, &after), KQ_OK);
	assert_string_equal(after.commune_name, "Aigueclaire");
	/* The merged record is validated: a new kind needs a category of that kind. */
	struct org_input ch3 = { .kind = "producer" };
	struct actor owner = actor_of(e, e->owner);
	assert_int_equal(orgs_update(e->db, &owner, o.id, &ch3, e->a, &fe, &after),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "category"));
	struct org_input ch4 = { .kind = "producer", .category = "", .commune = "" };
	fe.n = 0;
	assert_int_equal(orgs_update(e->db, &owner, o.id, &ch4, e->a, &fe, &after), KQ_OK);
	assert_string_equal(after.kind, "producer");
	assert_int_equal(after.commune_id, 0);
}

static void test_update_refused_to_non_members_box_office_and_treasurer(void **state)
{
	struct env *e = *state;
	struct org o = make_team(e, "Chorale du Val");
	struct org_input ch = { .name = "Piraté" };
	struct field_errors fe = { 0 };
	struct org after;
	struct actor stranger = actor_of(e, e->stranger), box = actor_of(e, e->box),
		     treasurer = actor_of(e, e->treasurer), visitor = { 0 };
	assert_int_equal(orgs_update(e->db, &stranger, o.id, &ch, e->a, &fe, &after),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_update(e->db, &box, o.id, &ch, e->a, &fe, &after), KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_update(e->db, &treasurer, o.id, &ch, e->a, &fe, &after),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_update(e->db, &visitor, o.id, &ch, e->a, &fe, &after),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(orgs_update(e->db, &stranger, o.id + 1000, &ch, e->a, &fe, &after),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(orgs_get_by_id(e->db, e->a, o.id, &after), KQ_OK);
	assert_string_equal(after.name, "Chorale du Val");
	/* The same answers from orgs_authorize, which later modules call. */
	assert_int_equal(orgs_authorize(e->db, &box, o.id, ORG_ACT_BOX_OFFICE), KQ_OK);
	assert_int_equal(orgs_authorize(e->db, &box, o.id, ORG_ACT_MONEY), KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_authorize(e->db, &treasurer, o.id, ORG_ACT_MONEY), KQ_OK);
	assert_int_equal(orgs_authorize(e->db, &treasurer, o.id, ORG_ACT_PUBLISH), KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_authorize(e->db, &stranger, o.id, ORG_ACT_VIEW_MEMBERS),
			 KQ_ERR_FORBIDDEN);
	struct actor admin = actor_of(e, e->admin);
	assert_int_equal(orgs_authorize(e->db, &admin, o.id, ORG_ACT_MONEY), KQ_OK);
	assert_int_equal(orgs_authorize(e->db, &admin, o.id + 1000, ORG_ACT_MONEY),
			 KQ_ERR_NOT_FOUND);
}

/* ---- listing ------------------------------------------------------------------------------------ */

static void test_list_filters_by_kind_commune_category_and_text(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct org o;
	make_org(e, "Comité des fêtes");
	struct org_input p = { .kind = "producer", .name = "Fromagerie du Col",
			       .summary = "Tommes 100% chèvre", .category = "fromagerie",
			       .commune = "26392" };
	assert_int_equal(orgs_create(e->db, &owner, &p, e->a, &fe, &o), KQ_OK);
	struct org_input b = { .kind = "business", .name = "Boulangerie Martin",
			       .summary = "Pain au levain", .category = "commerce",
			       .commune = "26392" };
	assert_int_equal(orgs_create(e->db, &owner, &b, e->a, &fe, &o), KQ_OK);

	struct org *list;
	int n;
	int64_t total;
	struct org_filter f = { .limit = 24 };
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 3);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].name, "Boulangerie Martin");   /* by name */
	f.kind = "producer";
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 1);
	assert_string_equal(list[0].slug, "fromagerie-du-col");
	f = (struct org_filter){ .commune = "26392", .limit = 24 };
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 2);
	f = (struct org_filter){ .category = "commerce", .limit = 24 };
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 1);
	/* Case-insensitive, in the name or the summary. */
	f = (struct org_filter){ .q = "LEVAIN", .limit = 24 };
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 1);
	f.q = "  boulangerie ";
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 1);
	/* LIKE wildcards typed by a visitor are plain characters. */
	f.q = "100%";
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 1);
	f.q = "%";
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 1);
	f.q = "_";
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 0);
	f = (struct org_filter){ .kind = "business", .commune = "26391", .limit = 24 };
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 0);
	assert_int_equal(n, 0);
}

static void test_list_pages_with_limit_and_offset(void **state)
{
	struct env *e = *state;
	for (int i = 0; i < 30; i++) {
		char name[32];
		snprintf(name, sizeof(name), "Association %02d", i);
		make_org(e, name);
	}
	struct org *list;
	int n;
	int64_t total;
	struct org_filter f = { .limit = 24, .offset = 24 };
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 30);
	assert_int_equal(n, 6);
	assert_string_equal(list[0].name, "Association 24");
	f = (struct org_filter){ .limit = 1000, .offset = -5 };
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(n, 30);
	f = (struct org_filter){ .limit = 0 };
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(n, 1);
}

/* ---- logos ---------------------------------------------------------------------------------------- */

static void test_logo_is_stored_with_its_sniffed_type_and_replaced(void **state)
{
	struct env *e = *state;
	struct org o = make_team(e, "Chorale du Val");
	struct actor owner = actor_of(e, e->owner), editor = actor_of(e, e->editor);
	struct upload u;
	assert_int_equal(orgs_logo_get(e->db, e->a, o.slug, &u), KQ_ERR_NOT_FOUND);
	assert_int_equal(orgs_logo_set(e->db, &owner, o.id, PNG, sizeof(PNG)), KQ_OK);
	assert_int_equal(orgs_logo_get(e->db, e->a, o.slug, &u), KQ_OK);
	assert_string_equal(u.content_type, "image/png");
	assert_int_equal(u.size, sizeof(PNG));
	assert_memory_equal(u.bytes, PNG, sizeof(PNG));
	char sha[65];
	crypto_sha256_hex(PNG, sizeof(PNG), sha);
	assert_string_equal(u.sha256, sha);
	struct org after;
	assert_int_equal(orgs_get(e->db, e->a, o.slug, &after), KQ_OK);
	assert_string_equal(after.logo_sha256, sha);
	/* Editors may change it; the old image goes. */
	assert_int_equal(orgs_logo_set(e->db, &editor, o.id, WEBP, sizeof(WEBP)), KQ_OK);
	assert_int_equal(orgs_logo_get(e->db, e->a, o.slug, &u), KQ_OK);
	assert_string_equal(u.content_type, "image/webp");
	assert_int_equal(orgs_logo_set(e->db, &editor, o.id, JPEG, sizeof(JPEG)), KQ_OK);
	assert_int_equal(orgs_logo_get(e->db, e->a, o.slug, &u), KQ_OK);
	assert_string_equal(u.content_type, "image/jpeg");
	assert_int_equal(scalar(e->db, &SQL_COUNT_UPLOADS, 0, false), 1);
}

static void test_logo_refuses_bad_types_big_files_and_non_editors(void **state)
{
	struct env *e = *state;
	struct org o = make_team(e, "Chorale du Val");
	struct actor owner = actor_of(e, e->owner), box = actor_of(e, e->box),
		     stranger = actor_of(e, e->stranger);
	assert_int_equal(orgs_logo_set(e->db, &owner, o.id, SVG, strlen(SVG)),
			 KQ_ERR_UPLOAD_BAD_TYPE);
	assert_int_equal(orgs_logo_set(e->db, &owner, o.id, GIF, sizeof(GIF) - 1),
			 KQ_ERR_UPLOAD_BAD_TYPE);
	assert_int_equal(orgs_logo_set(e->db, &owner, o.id, TEXT_AS_PNG, strlen(TEXT_AS_PNG)),
			 KQ_ERR_UPLOAD_BAD_TYPE);
	unsigned char *big = calloc(1, UPLOAD_IMAGE_MAX + 1);
	memcpy(big, PNG, sizeof(PNG));
	assert_int_equal(orgs_logo_set(e->db, &owner, o.id, big, UPLOAD_IMAGE_MAX + 1),
			 KQ_ERR_UPLOAD_TOO_LARGE);
	assert_int_equal(orgs_logo_set(e->db, &box, o.id, PNG, sizeof(PNG)), KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_logo_set(e->db, &stranger, o.id, PNG, sizeof(PNG)),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(scalar(e->db, &SQL_COUNT_UPLOADS, 0, false), 0);
	/* Exactly 2 MB is fine. */
	assert_int_equal(orgs_logo_set(e->db, &owner, o.id, big, UPLOAD_IMAGE_MAX), KQ_OK);
	struct upload u;
	assert_int_equal(orgs_logo_get(e->db, e->a, o.slug, &u), KQ_OK);
	assert_int_equal(u.size, UPLOAD_IMAGE_MAX);
	free(big);
}

/* ---- invitations ------------------------------------------------------------------------------------ */

static const char *invite(struct env *e, int64_t org_id, const char *email, const char *role)
{
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct org_invitation inv;
	const char *token = NULL;
	assert_int_equal(orgs_member_invite(e->db, &owner, org_id, email, role, e->a, &fe, &inv,
					    &token),
			 KQ_OK);
	assert_non_null(token);
	return token;
}

static void test_invite_queues_a_mail_and_keeps_only_the_token_hash(void **state)
{
	struct env *e = *state;
	struct org o = make_org(e, "Chorale du Val");
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct org_invitation inv;
	const char *token;
	assert_int_equal(orgs_member_invite(e->db, &owner, o.id, " Ines@Example.org ", "editor",
					    e->a, &fe, &inv, &token),
			 KQ_OK);
	assert_string_equal(inv.email, "ines@example.org");
	assert_int_equal(inv.expires_at - inv.created_at, 14 * 86400);
	char hash[65];
	crypto_token_hash(token, hash);
	struct db_stmt *st = db_stmt(e->db, &SQL_INV_HASH);
	db_bind_i64(st, 1, inv.id);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), hash);
	assert_string_not_equal(db_col_text(st, 0), token);
	db_reset(st);
	st = db_stmt(e->db, &SQL_OUTBOX);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "ines@example.org");
	assert_non_null(strstr(db_col_text(st, 1), "Chorale du Val"));
	char *link = arena_printf(e->a, "/invitations/%s", token);
	assert_non_null(strstr(db_col_text(st, 2), link));
	db_reset(st);
	/* Pending list for owners; a second invitation replaces the first link. */
	struct org_invitation *pending;
	int n;
	assert_int_equal(orgs_invitations_pending(e->db, &owner, o.id, e->a, &pending, &n), KQ_OK);
	assert_int_equal(n, 1);
	const char *token2 = invite(e, o.id, "ines@example.org", "treasurer");
	assert_int_equal(orgs_invitations_pending(e->db, &owner, o.id, e->a, &pending, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(pending[0].role, "treasurer");
	struct org_invitation found;
	assert_int_equal(orgs_invitation_find(e->db, e->a, token, &found),
			 KQ_ERR_ORGS_INVITE_INVALID);
	assert_int_equal(orgs_invitation_find(e->db, e->a, token2, &found), KQ_OK);
	assert_string_equal(found.org_slug, o.slug);
	assert_string_equal(found.invited_by_name, "Olga");
	assert_int_equal(scalar(e->db, &SQL_COUNT_OUTBOX, 0, false), 2);
}

static void test_invite_validates_and_refuses_editors_strangers_and_members(void **state)
{
	struct env *e = *state;
	struct org o = make_team(e, "Chorale du Val");
	struct actor owner = actor_of(e, e->owner), editor = actor_of(e, e->editor),
		     stranger = actor_of(e, e->stranger), box = actor_of(e, e->box);
	struct field_errors fe = { 0 };
	struct org_invitation inv;
	assert_int_equal(orgs_member_invite(e->db, &editor, o.id, "x@example.org", "editor", e->a,
					    &fe, &inv, NULL),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_member_invite(e->db, &box, o.id, "x@example.org", "editor", e->a,
					    &fe, &inv, NULL),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_member_invite(e->db, &stranger, o.id, "x@example.org", "owner",
					    e->a, &fe, &inv, NULL),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_member_invite(e->db, &owner, o.id, "pas-une-adresse", "chef", e->a,
					    &fe, &inv, NULL),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "email"));
	assert_non_null(field_error_get(&fe, "role"));
	fe.n = 0;
	assert_int_equal(orgs_member_invite(e->db, &owner, o.id, "EDDY@example.org", "editor",
					    e->a, &fe, &inv, NULL),
			 KQ_ERR_ORGS_ALREADY_MEMBER);
	assert_string_equal(field_error_get(&fe, "email"), "err.orgs.already_member");
	assert_int_equal(scalar(e->db, &SQL_COUNT_OUTBOX, 0, false), 0);
	struct org_invitation *pending;
	int n;
	assert_int_equal(orgs_invitations_pending(e->db, &editor, o.id, e->a, &pending, &n),
			 KQ_ERR_FORBIDDEN);
}

static void test_invitation_is_accepted_by_the_invited_account_only_and_once(void **state)
{
	struct env *e = *state;
	struct org o = make_org(e, "Chorale du Val");
	const char *token = invite(e, o.id, "ines@example.org", "editor");
	struct actor stranger = actor_of(e, e->stranger), invitee = actor_of(e, e->invitee),
		     visitor = { 0 };
	struct org_invitation inv;
	assert_int_equal(orgs_invitation_accept(e->db, &visitor, token, e->a, &inv),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(orgs_invitation_accept(e->db, &stranger, token, e->a, &inv),
			 KQ_ERR_ORGS_INVITE_WRONG_ACCOUNT);
	const char *role;
	assert_int_equal(orgs_member_role(e->db, e->a, o.id, e->stranger, &role), KQ_OK);
	assert_null(role);
	/* The account's address matches whatever its case ("Ines@Example.org"). */
	assert_int_equal(orgs_invitation_accept(e->db, &invitee, token, e->a, &inv), KQ_OK);
	assert_string_equal(inv.org_slug, o.slug);
	assert_int_equal(orgs_member_role(e->db, e->a, o.id, e->invitee, &role), KQ_OK);
	assert_string_equal(role, "editor");
	assert_int_equal(orgs_invitation_accept(e->db, &invitee, token, e->a, &inv),
			 KQ_ERR_ORGS_INVITE_INVALID);
	assert_int_equal(orgs_invitation_find(e->db, e->a, token, &inv),
			 KQ_ERR_ORGS_INVITE_INVALID);
	assert_int_equal(orgs_invitation_accept(e->db, &invitee, "zz", e->a, &inv),
			 KQ_ERR_ORGS_INVITE_INVALID);
	char other[TOKEN_HEX_LEN + 1];
	crypto_token(other);
	assert_int_equal(orgs_invitation_accept(e->db, &invitee, other, e->a, &inv),
			 KQ_ERR_ORGS_INVITE_INVALID);
}

static void test_invitation_is_refused_after_expiry_or_revocation(void **state)
{
	struct env *e = *state;
	struct org o = make_org(e, "Chorale du Val");
	struct actor owner = actor_of(e, e->owner), invitee = actor_of(e, e->invitee),
		     stranger = actor_of(e, e->stranger);
	struct org_invitation inv;
	const char *token = invite(e, o.id, "ines@example.org", "editor");
	struct db_stmt *st = db_stmt(e->db, &SQL_EXPIRE);
	db_bind_i64(st, 1, time_now() - 1);
	assert_int_equal(db_run(st), DB_NONE);
	assert_int_equal(orgs_invitation_find(e->db, e->a, token, &inv),
			 KQ_ERR_ORGS_INVITE_INVALID);
	assert_int_equal(orgs_invitation_accept(e->db, &invitee, token, e->a, &inv),
			 KQ_ERR_ORGS_INVITE_INVALID);

	token = invite(e, o.id, "ines@example.org", "editor");
	struct org_invitation *pending;
	int n;
	assert_int_equal(orgs_invitations_pending(e->db, &owner, o.id, e->a, &pending, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(orgs_invitation_revoke(e->db, &stranger, o.id, pending[0].id),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_invitation_revoke(e->db, &owner, o.id, pending[0].id), KQ_OK);
	assert_int_equal(orgs_invitation_revoke(e->db, &owner, o.id, pending[0].id),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(orgs_invitation_accept(e->db, &invitee, token, e->a, &inv),
			 KQ_ERR_ORGS_INVITE_INVALID);
	const char *role;
	assert_int_equal(orgs_member_role(e->db, e->a, o.id, e->invitee, &role), KQ_OK);
	assert_null(role);
}

/* ---- roles and removal -------------------------------------------------------------------------------- */

static void test_only_owners_and_admins_change_roles(void **state)
{
	struct env *e = *state;
	struct org o = make_team(e, "Chorale du Val");
	struct actor owner = actor_of(e, e->owner), editor = actor_of(e, e->editor),
		     box = actor_of(e, e->box), admin = actor_of(e, e->admin),
		     stranger = actor_of(e, e->stranger);
	assert_int_equal(orgs_member_set_role(e->db, &editor, o.id, e->box, "owner"),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_member_set_role(e->db, &box, o.id, e->box, "owner"),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_member_set_role(e->db, &stranger, o.id, e->box, "owner"),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_member_set_role(e->db, &owner, o.id, e->box, "chef"),
			 KQ_ERR_FORM_INVALID);
	assert_int_equal(orgs_member_set_role(e->db, &owner, o.id, e->stranger, "editor"),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(orgs_member_set_role(e->db, &owner, o.id, e->box, "editor"), KQ_OK);
	assert_int_equal(orgs_member_set_role(e->db, &admin, o.id, e->treasurer, "owner"), KQ_OK);
	const char *role;
	assert_int_equal(orgs_member_role(e->db, e->a, o.id, e->box, &role), KQ_OK);
	assert_string_equal(role, "editor");
	assert_int_equal(orgs_member_role(e->db, e->a, o.id, e->treasurer, &role), KQ_OK);
	assert_string_equal(role, "owner");
	struct org_member *members;
	int n;
	assert_int_equal(orgs_members_list(e->db, &box, o.id, e->a, &members, &n), KQ_OK);
	assert_int_equal(n, 4);
	assert_string_equal(members[0].role, "owner");
	assert_int_equal(orgs_members_list(e->db, &stranger, o.id, e->a, &members, &n),
			 KQ_ERR_FORBIDDEN);
}

static void test_last_owner_cannot_leave_be_removed_or_demoted(void **state)
{
	struct env *e = *state;
	struct org o = make_team(e, "Chorale du Val");
	struct actor owner = actor_of(e, e->owner), admin = actor_of(e, e->admin);
	/* INVARIANT(last-owner) */
	assert_int_equal(orgs_member_remove(e->db, &owner, o.id, e->owner),
			 KQ_ERR_ORGS_LAST_OWNER);
	assert_int_equal(orgs_member_set_role(e->db, &owner, o.id, e->owner, "editor"),
			 KQ_ERR_ORGS_LAST_OWNER);
	assert_int_equal(orgs_member_remove(e->db, &admin, o.id, e->owner),
			 KQ_ERR_ORGS_LAST_OWNER);
	assert_int_equal(orgs_member_set_role(e->db, &admin, o.id, e->owner, "treasurer"),
			 KQ_ERR_ORGS_LAST_OWNER);
	/* Re-affirming the role is no demotion. */
	assert_int_equal(orgs_member_set_role(e->db, &owner, o.id, e->owner, "owner"), KQ_OK);
	/* With a second owner, the first may step down, then leave. */
	assert_int_equal(orgs_member_set_role(e->db, &owner, o.id, e->editor, "owner"), KQ_OK);
	assert_int_equal(orgs_member_set_role(e->db, &owner, o.id, e->owner, "editor"), KQ_OK);
	assert_int_equal(orgs_member_remove(e->db, &owner, o.id, e->owner), KQ_OK);
	struct actor new_owner = actor_of(e, e->editor);
	assert_int_equal(orgs_member_remove(e->db, &new_owner, o.id, e->editor),
			 KQ_ERR_ORGS_LAST_OWNER);
	const char *role;
	assert_int_equal(orgs_member_role(e->db, e->a, o.id, e->editor, &role), KQ_OK);
	assert_string_equal(role, "owner");
}

static void test_members_leave_and_only_owners_remove_others(void **state)
{
	struct env *e = *state;
	struct org o = make_team(e, "Chorale du Val");
	struct actor owner = actor_of(e, e->owner), editor = actor_of(e, e->editor),
		     box = actor_of(e, e->box), visitor = { 0 };
	assert_int_equal(orgs_member_remove(e->db, &editor, o.id, e->box), KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_member_remove(e->db, &visitor, o.id, e->box), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(orgs_member_remove(e->db, &box, o.id, e->box), KQ_OK);   /* leaves */
	assert_int_equal(orgs_member_remove(e->db, &box, o.id, e->box), KQ_ERR_NOT_FOUND);
	assert_int_equal(orgs_member_remove(e->db, &owner, o.id, e->treasurer), KQ_OK);
	assert_int_equal(orgs_member_remove(e->db, &owner, o.id + 1000, e->treasurer),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(scalar(e->db, &SQL_COUNT_MEMBERS, o.id, true), 2);
	/* A former member has no rights left. */
	assert_int_equal(orgs_authorize(e->db, &box, o.id, ORG_ACT_BOX_OFFICE), KQ_ERR_FORBIDDEN);
}

/* Two owners act at the same moment on two connections. Leaving needs no
 * permission, so only the owner count (read after the organisation's row
 * lock) stops the second one: never may both succeed. INVARIANT(last-owner) */
struct racer {
	const char *url;
	struct actor who;
	int64_t org_id, target;
	bool leave;
	pthread_barrier_t *go;
	enum kq_err result;
};

static void *race(void *p)
{
	struct racer *r = p;
	char err[512];
	struct db *db = db_open(r->url, err, sizeof(err));
	r->result = KQ_ERR_INTERNAL;
	if (!db)
		return NULL;
	pthread_barrier_wait(r->go);
	r->result = r->leave ? orgs_member_remove(db, &r->who, r->org_id, r->target)
			     : orgs_member_set_role(db, &r->who, r->org_id, r->target, "editor");
	db_close(db);
	return NULL;
}

static void test_two_owners_leaving_or_demoting_each_other_leave_one_owner(void **state)
{
	struct env *e = *state;
	static const struct db_sql q = { "ut_orgs_owners",
		"SELECT COUNT(*) FROM org_members WHERE org_id = $1 AND role = 'owner'" };
	for (int round = 0; round < 60; round++) {
		bool leave = round % 2 == 0;
		char name[32];
		snprintf(name, sizeof(name), "Course %d", round);
		struct org o = make_team(e, name);
		struct actor owner = actor_of(e, e->owner);
		assert_int_equal(orgs_member_set_role(e->db, &owner, o.id, e->editor, "owner"),
				 KQ_OK);
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, 2);
		struct racer r[2] = {
			{ e->url, actor_of(e, e->owner), o.id, leave ? e->owner : e->editor, leave,
			  &go, KQ_OK },
			{ e->url, actor_of(e, e->editor), o.id, leave ? e->editor : e->owner, leave,
			  &go, KQ_OK },
		};
		pthread_t t[2];
		for (int i = 0; i < 2; i++)
			pthread_create(&t[i], NULL, race, &r[i]);
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&go);
		int ok = (r[0].result == KQ_OK) + (r[1].result == KQ_OK);
		assert_int_equal(ok, 1);
		enum kq_err loser = r[0].result == KQ_OK ? r[1].result : r[0].result;
		/* Demoted first, the loser is no owner any more: FORBIDDEN is right too. */
		if (leave)
			assert_int_equal(loser, KQ_ERR_ORGS_LAST_OWNER);
		else
			assert_true(loser == KQ_ERR_ORGS_LAST_OWNER || loser == KQ_ERR_FORBIDDEN);
		assert_int_equal(scalar(e->db, &q, o.id, true), 1);
	}
}

/* ---- loaders ----------------------------------------------------------------------------------------------- */

struct raw_ctx {
	struct org_input in;
	int64_t by, id;
};

static enum db_status raw_txn(struct db *db, void *cls)
{
	struct raw_ctx *r = cls;
	enum db_status s = orgs_insert_raw(db, &r->in, r->by, &r->id);
	if (s < 0)
		return s;
	return orgs_member_insert_raw(db, r->id, r->by, "owner");
}

static void test_insert_raw_writes_inside_the_callers_transaction(void **state)
{
	struct env *e = *state;
	struct raw_ctx r = { .in = { .kind = "public_body", .name = "Mairie de Vesqueval",
				     .slug = "mairie-vesqueval", .category = "mairie",
				     .commune = "26391" },
			     .by = e->admin };
	assert_true(db_txn_run(e->db, "ut_raw", DB_WRITE, raw_txn, &r) >= 0);
	struct org o;
	assert_int_equal(orgs_get(e->db, e->a, "mairie-vesqueval", &o), KQ_OK);
	assert_string_equal(o.commune_name, "Vesqueval");
	const char *role;
	assert_int_equal(orgs_member_role(e->db, e->a, o.id, e->admin, &role), KQ_OK);
	assert_string_equal(role, "owner");
	struct raw_ctx r3 = { .in = { .kind = "association", .name = "Sans Slug" }, .by = e->owner };
	assert_true(db_txn_run(e->db, "ut_raw", DB_WRITE, raw_txn, &r3) >= 0);
	assert_int_equal(orgs_get(e->db, e->a, "sans-slug", &o), KQ_OK);
}

/* INVARIANT(directory-order): orgs_list picks one of several statements by
 * which filters are set (0003 made each filter an index range). Whatever it
 * picks, the page and the total must be what the single statement of 0002
 * gave: the old text is kept here as the reference and run on the same rows,
 * for every combination of filters and a few pages. */
static const struct db_sql SQL_REF_COUNT = { "ut_orgs_ref_count",
	"SELECT COUNT(*) FROM organisations o LEFT JOIN communes c ON c.id = o.commune_id"
	" WHERE ($1 = '' OR o.kind = $1) AND ($2 = '' OR c.insee = $2)"
	" AND ($3 = '' OR o.category = $3)"
	" AND ($4 = '' OR lower(o.name) LIKE lower(CAST($4 AS TEXT)) ESCAPE '\\'"
	"      OR lower(o.summary) LIKE lower(CAST($4 AS TEXT)) ESCAPE '\\')" };
static const struct db_sql SQL_REF_PAGE = { "ut_orgs_ref_page",
	"SELECT o.id FROM organisations o LEFT JOIN communes c ON c.id = o.commune_id"
	" WHERE ($1 = '' OR o.kind = $1) AND ($2 = '' OR c.insee = $2)"
	" AND ($3 = '' OR o.category = $3)"
	" AND ($4 = '' OR lower(o.name) LIKE lower(CAST($4 AS TEXT)) ESCAPE '\\'"
	"      OR lower(o.summary) LIKE lower(CAST($4 AS TEXT)) ESCAPE '\\')"
	" ORDER BY lower(o.name), o.id LIMIT $5 OFFSET $6" };

/* The LIKE pattern orgs_list makes of q (trimmed, wildcards escaped). */
static const char *ref_pattern(struct arena *a, const char *q)
{
	char *t = str_trim(a, q);
	if (!*t)
		return t;
	char *out = arena_alloc(a, strlen(t) * 2 + 3), *o = out;
	*o++ = '%';
	for (const char *p = t; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '%';
	*o = 0;
	return out;
}

static void ref_bind(struct db_stmt *st, struct arena *a, const struct org_filter *f)
{
	db_bind_text(st, 1, f->kind ? f->kind : "");
	db_bind_text(st, 2, f->commune ? f->commune : "");
	db_bind_text(st, 3, f->category ? f->category : "");
	db_bind_text(st, 4, ref_pattern(a, f->q ? f->q : ""));
}

static void test_list_order_and_totals_match_the_0002_statement_for_every_filter_mix(void **state)
{
	struct env *e = *state;
	/* Names that tie once lowered (same name, other case), that differ only
	 * by case, non-ASCII and LIKE wildcards; every kind, both communes or
	 * none, and categories shared across kinds ("autre"). */
	static const char *const names[] = {
		"Alpha", "alpha", "ALPHA", "Alpha", "alphabet", "Beta", "bêta", "Bêta", "Émile",
		"emile", "Zèbre", "zebre", "100% bio", "100 pour cent", "_souligné", "a_b",
		"Chorale", "chorale", "Crèche", "CRÈCHE", "Ferme du Col", "ferme du col",
		"Mairie", "mairie", "Office", "office", "Yoga", "yoga doux", "Ânes", "ânes",
	};
	static const char *const kinds_used[] = { "association", "business", "producer", "public_body" };
	static const char *const cats[][3] = {
		{ "culture", "sport", "autre" }, { "commerce", "services", "autre" },
		{ "fromagerie", "maraichage", "autre" }, { "mairie", "mediatheque", "autre" },
	};
	static const char *const communes[] = { "26391", "26392", "" };
	int n_orgs = 0;
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < TL_ARRAY_LEN(names); i++, n_orgs++) {
			int k = (int)((i + (size_t)round) % 4);
			struct raw_ctx r = { .by = e->owner };
			r.in.kind = kinds_used[k];
			r.in.name = names[i];
			r.in.slug = arena_printf(e->a, "org-%d", n_orgs);
			r.in.summary = (i + (size_t)round) % 5 == 0 ? "Le 100% local, à l'Alpha" : "";
			r.in.category = cats[k][(i + (size_t)round) % 3];
			r.in.commune = communes[(i * 7 + (size_t)round) % 3];
			assert_true(db_txn_run(e->db, "ut_raw", DB_WRITE, raw_txn, &r) >= 0);
		}
	}

	static const char *const f_kinds[] = { "", "association", "business", "producer", "public_body", "bogus" };
	static const char *const f_communes[] = { "", "26391", "26392", "00000" };
	static const char *const f_cats[] = { "", "culture", "commerce", "autre", "mairie", "nope" };
	static const char *const f_qs[] = { "", "alpha", "ALPHA", "a", "%", "_", "é", " 100% ", "zz" };
	static const int pages[][2] = { { 24, 0 }, { 24, 24 }, { 5, 3 }, { 100, 0 }, { 1, 89 }, { 24, 1000 } };
	int checked = 0, nonempty = 0, combined = 0;   /* combined: kind, commune and category set */
	for (size_t ki = 0; ki < TL_ARRAY_LEN(f_kinds); ki++)
	for (size_t ci = 0; ci < TL_ARRAY_LEN(f_communes); ci++)
	for (size_t gi = 0; gi < TL_ARRAY_LEN(f_cats); gi++)
	for (size_t qi = 0; qi < TL_ARRAY_LEN(f_qs); qi++)
	for (size_t pi = 0; pi < TL_ARRAY_LEN(pages); pi++) {
		struct arena *a = arena_new();
		struct org_filter f = { f_kinds[ki], f_communes[ci], f_cats[gi], f_qs[qi],
					pages[pi][0], pages[pi][1] };
		struct org *list;
		int n;
		int64_t total;
		assert_int_equal(orgs_list(e->db, a, &f, &list, &n, &total), KQ_OK);

		struct db_stmt *st = db_stmt(e->db, &SQL_REF_COUNT);
		ref_bind(st, a, &f);
		assert_int_equal(db_step(st), DB_ROW);
		int64_t want_total = db_col_i64(st, 0);
		db_reset(st);
		if (total != want_total)
			fail_msg("total %lld, want %lld for kind=%s commune=%s category=%s q=%s",
				 (long long)total, (long long)want_total, f.kind, f.commune, f.category, f.q);

		st = db_stmt(e->db, &SQL_REF_PAGE);
		ref_bind(st, a, &f);
		db_bind_i64(st, 5, f.limit);
		db_bind_i64(st, 6, f.offset);
		int i = 0;
		enum db_status s;
		while ((s = db_step(st)) == DB_ROW) {
			if (i >= n || list[i].id != db_col_i64(st, 0))
				fail_msg("row %d differs (kind=%s commune=%s category=%s q=%s limit %d offset %d)",
					 i, f.kind, f.commune, f.category, f.q, f.limit, f.offset);
			i++;
		}
		db_reset(st);
		assert_int_equal(s, DB_NONE);
		assert_int_equal(i, n);
		checked++;
		nonempty += n > 0;
		combined += n > 0 && ki && ci && gi;
		arena_free(a);
	}
	/* The mix must have compared rows, not only empty pages (most
	 * combinations are empty: unknown values, a category of another kind). */
	assert_int_equal(checked, 6 * 4 * 6 * 9 * 6);
	assert_true(nonempty >= 400);
	assert_true(combined >= 20);
	assert_int_equal(n_orgs, 90);
}

/* ---- views ----------------------------------------------------------------------------------------------- */

#define EVIL "<script>\"'&"

struct fake {
	struct request req;
	struct web w;
};

static void fake_init(struct fake *f, struct arena *a, int64_t account_id)
{
	memset(f, 0, sizeof(*f));
	f->req.arena = a;
	f->req.method = "GET";
	f->req.path = "/annuaire";
	f->req.app = &f->w;
	f->w.lang = "fr";
	f->w.csrf = "c0ffee";
	f->w.actor.account_id = account_id;
	f->w.actor.email = "x@example.org";
	f->w.actor.display_name = EVIL;
	f->w.actor.lang = "fr";
}

static void assert_escaped(const char *html)
{
	if (strstr(html, "<script>") || strstr(html, "\"'&") || strstr(html, "href=\"javascript:"))
		fail_msg("unescaped data in:\n%s", html);
	assert_non_null(strstr(html, "&lt;script&gt;&quot;&#39;&amp;"));
	const char *h = strstr(html, "<h1");
	assert_non_null(h);
	assert_null(strstr(h + 1, "<h1"));
}

static struct org evil_org(void)
{
	struct org o = { 0 };
	o.id = 3;
	o.slug = EVIL;
	o.kind = EVIL;
	o.name = EVIL;
	o.summary = EVIL;
	o.description = EVIL "\n\n<script>alert(1)</script> [x](javascript:alert(1))";
	o.category = EVIL;
	o.commune_id = 1;
	o.commune_insee = EVIL;
	o.commune_name = EVIL;
	o.address = EVIL;
	o.email = EVIL;
	o.phone = EVIL;
	o.website = "javascript:" EVIL;
	o.logo_sha256 = EVIL EVIL EVIL;
	return o;
}

static void test_views_escape_every_field_they_render(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct fake f;
	fake_init(&f, a, 7);
	struct org o = evil_org();
	struct commune communes[] = { { 1, EVIL, EVIL, EVIL } };
	struct org_filter filter = { EVIL, EVIL, EVIL, EVIL, 24, 0 };
	struct org_input in = { EVIL, EVIL, EVIL, EVIL, EVIL, EVIL, EVIL, EVIL, EVIL, EVIL, EVIL };
	struct field_errors fe = { 0 };
	field_error_add(&fe, "name", "err.orgs.name_invalid");
	struct org_member members[] = { { 7, EVIL, EVIL, EVIL, 1700000000 },
					{ 8, EVIL, EVIL, "owner", 1700000000 } };
	struct org_invitation inv = { 4, 3, EVIL, EVIL, EVIL, EVIL, EVIL, 1700000000, 1700086400 };
	for (int i = 0; i < 9; i++) {
		struct buf b = BUF_INIT;
		switch (i) {
		case 0: {
			struct orgs_directory_view v = { &filter, &o, 1, 30, 2, 2, communes, 1 };
			view_orgs_directory(&b, &f.req, &v);
			break;
		}
		case 1: {
			struct orgs_form_view v = { NULL, &in, &fe, NULL, EVIL, communes, 1, false };
			view_orgs_form(&b, &f.req, &v);
			break;
		}
		case 2: {
			struct orgs_form_view v = { &o, &in, &fe, &fe, NULL, communes, 1, false };
			view_orgs_form(&b, &f.req, &v);
			break;
		}
		case 3: {
			struct orgs_show_view v = { &o, EVIL, true, true };
			view_orgs_show(&b, &f.req, &v);
			break;
		}
		case 4: {
			struct orgs_members_view v = { &o, members, 2, &inv, 1, true, EVIL, EVIL, &fe };
			view_orgs_members(&b, &f.req, &v);
			break;
		}
		case 5: {
			struct orgs_members_view v = { &o, members, 2, NULL, 0, false, NULL, NULL, NULL };
			view_orgs_members(&b, &f.req, &v);
			break;
		}
		default:
			view_orgs_invitation(&b, &f.req, &inv, EVIL, (enum orgs_invitation_state)(i - 6));
			break;
		}
		assert_escaped(buf_str(&b));
		buf_free(&b);
	}
	arena_free(a);
}

static void test_directory_views_escape_every_field_they_render(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct fake f;
	fake_init(&f, a, 7);
	struct org o = evil_org();
	o.on_map = true;
	o.map_lat_e6 = 44490500;
	o.map_lon_e6 = 5387700;
	struct commune communes[] = { { 1, EVIL, EVIL, EVIL } };
	struct org_label labels[] = { { EVIL, EVIL } };
	struct org_filter filter = { .kind = EVIL, .commune = EVIL, .category = EVIL, .q = EVIL,
				     .limit = 24, .label = EVIL, .order = ORGS_ORDER_NEAR, .near = EVIL };
	struct hours_range week[] = { { 2, 540, 720 }, { 2, 840, 1440 } };
	struct org_hours hours = { week, 2, EVIL };
	struct org_link links[] = { { EVIL, "https://example.org/" EVIL }, { EVIL, "javascript:" EVIL } };
	struct field_errors fe = { 0 };
	field_error_add(&fe, "d1", "err.hours.format");
	field_error_add(&fe, "email", "err.contact.email_invalid");
	field_error_add(&fe, "lat", "err.orgs.lat_invalid");
	field_error_add(&fe, "link_url_1", "err.orgs.website_invalid");
	const char *days[7] = { EVIL, EVIL, EVIL, EVIL, EVIL, EVIL, EVIL };
	for (int i = 0; i < 5; i++) {
		struct buf b = BUF_INIT;
		switch (i) {
		case 0: {
			struct orgs_directory_view v = { .filter = &filter, .items = &o, .n = 1, .total = 1,
							 .page = 1, .pages = 1, .communes = communes,
							 .ncommunes = 1, .labels = labels, .nlabels = 1,
							 .order_near = true };
			view_orgs_directory(&b, &f.req, &v);
			break;
		}
		case 1: {
			struct orgs_directory_view v = { .filter = &filter, .items = &o, .n = 1, .total = 1,
							 .communes = communes, .ncommunes = 1,
							 .labels = labels, .nlabels = 1,
							 .tiles = "https://t.example.org/" EVIL,
							 .attribution = EVIL };
			view_orgs_map(&b, &f.req, &v);
			break;
		}
		case 2: {
			/* The page with both sections in their slots. */
			struct buf s1 = BUF_INIT, s2 = BUF_INIT;
			struct directory_org_view dv = { .org = &o, .hours = &hours, .links = links,
							 .nlinks = 2,
							 .map = { "https://t.example.org/" EVIL, EVIL } };
			hours_state_at(&hours, 1795818600, &dv.state);
			view_directory_org_section(&s1, &f.req, &dv);
			struct directory_contact_view cv = { &o, EVIL, EVIL, EVIL, EVIL, EVIL, &fe,
							     "err.contact.rate_limited" };
			view_directory_contact_form(&s2, &f.req, &cv);
			struct orgs_show_view v = { .org = &o };
			v.slot_directory = html_section_take(a, &s1);
			v.slot_contact_form = html_section_take(a, &s2);
			view_orgs_show(&b, &f.req, &v);
			assert_non_null(strstr(buf_str(&b), "id=\"f-contact-url\""));
			assert_non_null(strstr(buf_str(&b), "9 h – 12 h, 14 h – 24 h"));
			assert_null(strstr(buf_str(&b), "href=\"javascript:"));
			break;
		}
		case 3:
			view_directory_hours_page(&b, &f.req, &o, days, EVIL, &fe);
			assert_non_null(strstr(buf_str(&b), "aria-describedby=\"e-d1\""));
			break;
		default: {
			struct directory_place_view v = { .org = &o, .lat = EVIL, .lon = EVIL, .pos_fe = &fe,
							  .labels = { EVIL, EVIL }, .urls = { EVIL },
							  .links_fe = &fe };
			view_directory_place_page(&b, &f.req, &v);
			break;
		}
		}
		assert_escaped(buf_str(&b));
		buf_free(&b);
	}
	arena_free(a);
}

static void test_views_tie_errors_to_fields_and_carry_the_csrf_token(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct fake f;
	fake_init(&f, a, 7);
	struct org_input in = { .kind = "association", .name = "X", .website = "ftp://x" };
	struct field_errors fe = { 0 };
	field_error_add(&fe, "website", "err.orgs.website_invalid");
	field_error_add(&fe, "commune", "err.orgs.commune_invalid");
	struct orgs_form_view v = { .values = &in, .fe = &fe };
	struct buf b = BUF_INIT;
	view_orgs_form(&b, &f.req, &v);
	const char *html = buf_str(&b);
	assert_non_null(strstr(html, "name=\"_csrf\" value=\"c0ffee\""));
	assert_non_null(strstr(html, "aria-describedby=\"h-website e-website\""));
	assert_non_null(strstr(html, "id=\"e-website\""));
	assert_non_null(strstr(html, "id=\"e-commune\""));
	assert_non_null(strstr(html, "aria-describedby=\"e-commune\""));
	assert_non_null(strstr(html, "href=\"#f-website\""));
	assert_non_null(strstr(html, "for=\"f-commune\""));
	buf_free(&b);
	/* Visitors are invited to log in, not shown an accept button. */
	struct org_invitation inv = { 4, 3, "club", "Club", "a@b.fr", "editor", "Olga", 1, 2 };
	view_orgs_invitation(&b, &f.req, &inv, "abc", INV_LOGIN_NEEDED);
	assert_non_null(strstr(buf_str(&b), "/connexion?suite=%2Finvitations%2Fabc"));
	assert_null(strstr(buf_str(&b), "action=\"/invitations/abc\""));
	buf_free(&b);
	view_orgs_invitation(&b, &f.req, &inv, "abc", INV_CAN_ACCEPT);
	assert_non_null(strstr(buf_str(&b), "action=\"/invitations/abc\""));
	buf_free(&b);
	arena_free(a);
}

/* ---- stored description HTML ------------------------------------------------------------------------------ */

#define DESC_EVIL                                                                                \
	"Nous **restaurons** le lavoir.\n\n<script>alert(1)</script>\n\n"                          \
	"<img src=x onerror=alert(2)> [piège](javascript:alert(3))"

static void assert_inert(const char *html)
{
	if (strstr(html, "<script") || strstr(html, "<img") || strstr(html, "javascript:") ||
	    strstr(html, "onerror"))
		fail_msg("live markup in:\n%s", html);
}

/* The "about" section (the description) of o's public page as a visitor
 * sees it; "" when the page has none. The layout around it has images of
 * its own, so only this section is searched for live markup. */
static char *about_section(struct env *e, const struct org *o)
{
	struct fake f;
	fake_init(&f, e->a, 0);
	struct orgs_show_view v = { o, NULL, false, false };
	struct buf b = BUF_INIT;
	view_orgs_show(&b, &f.req, &v);
	char *html = arena_strdup(e->a, buf_str(&b));
	buf_free(&b);
	char *start = strstr(html, "id=\"h-about\"");
	if (!start)
		return "";
	char *end = strstr(start, "</section>");
	assert_non_null(end);
	*end = 0;
	return start;
}

static void test_description_html_is_stored_at_save_and_a_script_stays_inert(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct org_input in = basic("Amis du Lavoir");
	in.description = DESC_EVIL;
	struct field_errors fe = { 0 };
	struct org o;
	assert_int_equal(orgs_create(e->db, &owner, &in, e->a, &fe, &o), KQ_OK);
	assert_non_null(strstr(o.description_html, "<strong>restaurons</strong>"));
	assert_inert(o.description_html);

	/* Read back and shown: the page prints the stored HTML, still inert. */
	struct org got;
	assert_int_equal(orgs_get(e->db, e->a, o.slug, &got), KQ_OK);
	assert_string_equal(got.description_html, o.description_html);
	char *about = about_section(e, &got);
	assert_non_null(strstr(about, o.description_html));
	assert_non_null(strstr(about, "<strong>restaurons</strong>"));
	assert_inert(about);

	/* An update renders again; one that keeps the description keeps its HTML. */
	struct org_input up = { .description = "Une _nouvelle_ page.\n\n<script>x()</script>" };
	assert_int_equal(orgs_update(e->db, &owner, o.id, &up, e->a, &fe, &got), KQ_OK);
	assert_non_null(strstr(got.description_html, "<em>nouvelle</em>"));
	assert_null(strstr(got.description_html, "restaurons"));
	assert_inert(got.description_html);
	struct org_input rename = { .name = "Amis du Grand Lavoir" };
	assert_int_equal(orgs_update(e->db, &owner, o.id, &rename, e->a, &fe, &got), KQ_OK);
	assert_non_null(strstr(got.description_html, "<em>nouvelle</em>"));
	struct org_input cleared = { .description = "" };
	assert_int_equal(orgs_update(e->db, &owner, o.id, &cleared, e->a, &fe, &got), KQ_OK);
	assert_string_equal(got.description_html, "");
	assert_string_equal(about_section(e, &got), "");

	/* Loaders write it too. */
	struct raw_ctx r = { .in = { .kind = "association", .name = "Chorale", .slug = "chorale",
				     .description = DESC_EVIL },
			     .by = e->owner };
	assert_true(db_txn_run(e->db, "ut_raw", DB_WRITE, raw_txn, &r) >= 0);
	assert_int_equal(orgs_get(e->db, e->a, "chorale", &got), KQ_OK);
	assert_non_null(strstr(got.description_html, "<strong>restaurons</strong>"));
	assert_inert(got.description_html);
}

static const struct db_sql SQL_HTML_FORGET = { "ut_orgs_html_forget",
	"UPDATE organisations SET description_html = NULL" };
static const struct db_sql SQL_HTML_PENDING_COUNT = { "ut_orgs_html_pending_count",
	"SELECT COUNT(*) FROM organisations WHERE description_html IS NULL" };

static void test_rows_without_stored_html_are_rendered_by_the_page_then_filled_in(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct org_input in = basic("Amis du Lavoir");
	in.description = DESC_EVIL;
	struct field_errors fe = { 0 };
	struct org o, got;
	assert_int_equal(orgs_create(e->db, &owner, &in, e->a, &fe, &o), KQ_OK);
	/* More than one batch of 200, as rows loaded by plain SQL would be. */
	for (int i = 0; i < 230; i++) {
		struct raw_ctx r = { .by = e->owner };
		r.in.kind = "business";
		r.in.name = arena_printf(e->a, "Commerce %03d", i);
		r.in.description = i % 10 ? arena_printf(e->a, "Ouvert le **%d**.", i) : "";
		assert_true(db_txn_run(e->db, "ut_raw", DB_WRITE, raw_txn, &r) >= 0);
	}
	assert_int_equal(db_run(db_stmt(e->db, &SQL_HTML_FORGET)), DB_NONE);
	assert_int_equal(scalar(e->db, &SQL_HTML_PENDING_COUNT, 0, false), 231);

	/* Not rendered yet: the page renders the Markdown itself, just as safely. */
	assert_int_equal(orgs_get(e->db, e->a, o.slug, &got), KQ_OK);
	assert_string_equal(got.description_html, "");
	char *about = about_section(e, &got);
	assert_non_null(strstr(about, o.description_html));
	assert_inert(about);

	int64_t n = 0;
	assert_int_equal(orgs_render_pending(e->db, &n), KQ_OK);
	assert_int_equal(n, 231);
	assert_int_equal(scalar(e->db, &SQL_HTML_PENDING_COUNT, 0, false), 0);
	assert_int_equal(orgs_get(e->db, e->a, o.slug, &got), KQ_OK);
	assert_string_equal(got.description_html, o.description_html);   /* as a save writes it */
	assert_int_equal(orgs_get(e->db, e->a, "commerce-007", &got), KQ_OK);
	assert_string_equal(got.description_html, "<p>Ouvert le <strong>7</strong>.</p>\n");
	assert_int_equal(orgs_get(e->db, e->a, "commerce-010", &got), KQ_OK);
	assert_string_equal(got.description_html, "");
	/* Nothing left: a second run (every start) writes nothing. */
	assert_int_equal(orgs_render_pending(e->db, &n), KQ_OK);
	assert_int_equal(n, 0);
}

/* ---- directory (0022): hours, open now, label filter, near me, hidden, position, links, contact ---- */

static const struct db_sql SQL_CENTRE = { "ut_orgs_centre",
	"UPDATE communes SET lat_e6 = $2, lon_e6 = $3 WHERE insee = $1" };
static const struct db_sql SQL_HIDE = { "ut_orgs_hide",
	"UPDATE organisations SET hidden_at = 1 WHERE id = $1" };
static const struct db_sql SQL_PRODUCT = { "ut_orgs_product",
	"INSERT INTO products (org_id, slug, name, created_at, updated_at, hidden_at)"
	" VALUES ($1, $2, $2, 1, 1, $3) RETURNING id" };
static const struct db_sql SQL_PRODUCT_LABEL = { "ut_orgs_product_label",
	"INSERT INTO product_labels (product_id, label_id) SELECT $1, id FROM labels WHERE slug = $2" };
static const struct db_sql SQL_COUNT_CONTACT = { "ut_orgs_count_contact",
	"SELECT COUNT(*) FROM contact_messages" };
static const struct db_sql SQL_OLD_CONTACT = { "ut_orgs_old_contact",
	"INSERT INTO contact_messages (org_id, sender_name, sender_email_lower, subject, ip_hash,"
	" created_at) VALUES (NULL, 'x', 'old@example.net', 'old', 'h', 5)" };
static const struct db_sql SQL_COUNT_OLD = { "ut_orgs_count_old",
	"SELECT COUNT(*) FROM contact_messages WHERE created_at = 5" };
static const struct db_sql SQL_OUTBOX_HEADERS = { "ut_orgs_outbox_headers",
	"SELECT to_addr, headers, body_text FROM outbox ORDER BY to_addr" };

static void test_hours_parse_accepts_ranges_and_refuses_the_rest(void **state)
{
	(void)state;
	struct hours_range r[HOURS_PER_DAY_MAX];
	int n = -1;
	const char *err = NULL;
	assert_true(hours_parse_day("9:00-12:00, 14h-18h30", 2, r, &n, &err));
	assert_int_equal(n, 2);
	assert_int_equal(r[0].weekday, 2);
	assert_int_equal(r[0].opens_min, 540);
	assert_int_equal(r[0].closes_min, 720);
	assert_int_equal(r[1].opens_min, 840);
	assert_int_equal(r[1].closes_min, 1110);
	assert_true(hours_parse_day("  ", 1, r, &n, &err));
	assert_int_equal(n, 0);
	assert_true(hours_parse_day(NULL, 1, r, &n, &err));
	assert_int_equal(n, 0);
	assert_true(hours_parse_day("0:00-24:00", 7, r, &n, &err));
	assert_int_equal(r[0].closes_min, 1440);
	assert_true(hours_parse_day("8 – 12 ; 13.30 à 17", 3, r, &n, &err));
	assert_int_equal(n, 2);
	assert_int_equal(r[1].opens_min, 810);
	/* INVARIANT(hours-order): each refusal says why. */
	assert_false(hours_parse_day("12:00-9:00", 1, r, &n, &err));
	assert_string_equal(err, "err.hours.order");
	assert_false(hours_parse_day("24:00-24:00", 1, r, &n, &err));
	assert_string_equal(err, "err.hours.order");
	assert_false(hours_parse_day("9:00-12:00, 11:00-13:00", 1, r, &n, &err));
	assert_string_equal(err, "err.hours.overlap");
	assert_false(hours_parse_day("14-18, 9-12", 1, r, &n, &err));
	assert_string_equal(err, "err.hours.overlap");
	assert_false(hours_parse_day("25:00-26:00", 1, r, &n, &err));
	assert_string_equal(err, "err.hours.format");
	assert_false(hours_parse_day("9:00-", 1, r, &n, &err));
	assert_string_equal(err, "err.hours.format");
	assert_false(hours_parse_day("9:3-10", 1, r, &n, &err));
	assert_string_equal(err, "err.hours.format");
	assert_false(hours_parse_day("9:00-12:00 et 14-18", 1, r, &n, &err));
	assert_string_equal(err, "err.hours.format");
	assert_false(hours_parse_day("8-9, 10-11, 12-13, 14-15, 16-17", 1, r, &n, &err));
	assert_string_equal(err, "err.hours.too_many");
	/* Back as typed: the edit form shows what is stored. */
	struct hours_range week[2] = { { 2, 540, 720 }, { 2, 840, 1440 } };
	struct org_hours h = { week, 2, "" };
	struct arena *a = arena_new();
	assert_string_equal(hours_format_day(a, &h, 2), "9:00-12:00, 14:00-24:00");
	assert_string_equal(hours_format_day(a, &h, 3), "");
	arena_free(a);
}

static void test_open_now_follows_paris_time_across_midnight(void **state)
{
	(void)state;
	/* Friday 18:00-24:00, Saturday 0:00-2:00 and 10:00-12:00, Monday 9:00-12:00. */
	struct hours_range week[] = { { 1, 540, 720 }, { 5, 1080, 1440 }, { 6, 0, 120 }, { 6, 600, 720 } };
	struct org_hours h = { week, 4, "" };
	struct hours_state s;
	/* Friday 2026-11-27 23:30 in Paris (22:30 UTC): open, until 2:00 tomorrow. */
	hours_state_at(&h, 1795818600, &s);
	assert_true(s.known);
	assert_true(s.open);
	assert_int_equal(s.closes_min, 120);
	assert_int_equal(s.closes_in_days, 1);
	/* Saturday 0:30 in Paris is still Friday 23:30 in UTC: Saturday's range counts. */
	hours_state_at(&h, 1795822200, &s);
	assert_true(s.open);
	assert_int_equal(s.closes_min, 120);
	assert_int_equal(s.closes_in_days, 0);
	/* Saturday 2:30: closed, opens at 10:00 the same day. */
	hours_state_at(&h, 1795829400, &s);
	assert_false(s.open);
	assert_true(s.opens_later);
	assert_int_equal(s.opens_weekday, 6);
	assert_int_equal(s.opens_min, 600);
	assert_int_equal(s.opens_in_days, 0);
	/* Saturday 13:00: next Monday 9:00, two days on. */
	hours_state_at(&h, 1795867200, &s);
	assert_false(s.open);
	assert_int_equal(s.opens_weekday, 1);
	assert_int_equal(s.opens_min, 540);
	assert_int_equal(s.opens_in_days, 2);
	/* Monday 0:30 in Paris is Sunday 23:30 UTC: it opens today at 9:00, not tomorrow. */
	hours_state_at(&h, 1795995000, &s);
	assert_false(s.open);
	assert_int_equal(s.opens_weekday, 1);
	assert_int_equal(s.opens_in_days, 0);
	/* Monday 9:30 in Paris is 8:30 UTC: open. */
	hours_state_at(&h, 1796027400, &s);
	assert_true(s.open);
	assert_int_equal(s.closes_min, 720);
	/* Summer time: Friday 2026-07-03 23:30 in Paris is 21:30 UTC. */
	hours_state_at(&h, 1783114200, &s);
	assert_true(s.open);
	/* No hours: nothing known. */
	struct org_hours none = { week, 0, "" };
	hours_state_at(&none, 1795818600, &s);
	assert_false(s.known);
	assert_false(s.open);
}

static void test_hours_set_validates_and_is_for_owners_and_editors(void **state)
{
	struct env *e = *state;
	struct org o = make_team(e, "Épicerie du Pont");
	struct actor owner = actor_of(e, e->owner), editor = actor_of(e, e->editor);
	struct actor box = actor_of(e, e->box), stranger = actor_of(e, e->stranger);
	const char *week[7] = { "", "9:00-12:00, 14:00-19:00", "9-12", "", "", "8:00-12:30", NULL };
	struct field_errors fe = { 0 };
	assert_int_equal(hours_set(e->db, &owner, o.id, week, " fermé en août ", &fe), KQ_OK);
	struct org_hours h;
	assert_int_equal(hours_get(e->db, e->a, o.id, &h), KQ_OK);
	assert_int_equal(h.n, 4);
	assert_string_equal(h.note, "fermé en août");
	assert_int_equal(h.ranges[0].weekday, 2);
	assert_int_equal(h.ranges[3].weekday, 6);
	/* A wrong day: its field says why, nothing is written. */
	const char *bad[7] = { "", "", "18:00-9:00", "", "9-12, 10-11", "", "" };
	fe = (struct field_errors){ 0 };
	assert_int_equal(hours_set(e->db, &editor, o.id, bad, "", &fe), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "d3"), "err.hours.order");
	assert_string_equal(field_error_get(&fe, "d5"), "err.hours.overlap");
	assert_null(field_error_get(&fe, "d1"));
	char longnote[300];
	memset(longnote, 'x', sizeof(longnote) - 1);
	longnote[sizeof(longnote) - 1] = 0;
	fe = (struct field_errors){ 0 };
	assert_int_equal(hours_set(e->db, &editor, o.id, week, longnote, &fe), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "note"), "err.hours.note_invalid");
	assert_int_equal(hours_get(e->db, e->a, o.id, &h), KQ_OK);
	assert_int_equal(h.n, 4);
	/* Editors may; box office and strangers may not (and learn nothing about the input). */
	fe = (struct field_errors){ 0 };
	const char *closed[7] = { 0 };
	assert_int_equal(hours_set(e->db, &box, o.id, bad, "", &fe), KQ_ERR_FORBIDDEN);
	assert_int_equal(fe.n, 0);
	assert_int_equal(hours_set(e->db, &stranger, o.id, closed, "", &fe), KQ_ERR_FORBIDDEN);
	assert_int_equal(hours_set(e->db, NULL, o.id, closed, "", &fe), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(hours_set(e->db, &editor, o.id, closed, "", &fe), KQ_OK);
	assert_int_equal(hours_get(e->db, e->a, o.id, &h), KQ_OK);
	assert_int_equal(h.n, 0);
	assert_string_equal(h.note, "");
}

static int64_t product(struct env *e, int64_t org_id, const char *slug, const char *label, bool hidden)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_PRODUCT);
	db_bind_i64(st, 1, org_id);
	db_bind_text(st, 2, slug);
	if (hidden)
		db_bind_i64(st, 3, 5);
	else
		db_bind_null(st, 3);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t id = db_col_i64(st, 0);
	db_reset(st);
	st = db_stmt(e->db, &SQL_PRODUCT_LABEL);
	db_bind_i64(st, 1, id);
	db_bind_text(st, 2, label);
	assert_int_equal(db_run(st), DB_NONE);
	return id;
}

static struct org make_kind(struct env *e, const char *kind, const char *name, const char *commune)
{
	struct actor owner = actor_of(e, e->owner);
	struct org_input in = { .kind = kind, .name = name, .commune = commune };
	struct field_errors fe = { 0 };
	struct org o;
	assert_int_equal(orgs_create(e->db, &owner, &in, e->a, &fe, &o), KQ_OK);
	return o;
}

static void hide(struct env *e, int64_t id)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_HIDE);
	db_bind_i64(st, 1, id);
	assert_int_equal(db_run(st), DB_NONE);
}

static void test_hours_of_many_reads_a_page_in_chunks(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	int64_t ids[40];
	for (int i = 0; i < 40; i++) {
		char name[32];
		snprintf(name, sizeof(name), "Boutique %02d", i);
		ids[i] = make_kind(e, "business", name, "26391").id;
	}
	const char *week[7] = { "9-12", NULL, NULL, NULL, NULL, NULL, "10-11, 15-16" };
	const char *other[7] = { NULL, "8-9", NULL, NULL, NULL, NULL, NULL };
	struct field_errors fe = { 0 };
	assert_int_equal(hours_set(e->db, &owner, ids[0], week, "", &fe), KQ_OK);
	assert_int_equal(hours_set(e->db, &owner, ids[35], week, "", &fe), KQ_OK);
	assert_int_equal(hours_set(e->db, &owner, ids[39], other, "", &fe), KQ_OK);
	struct org_hours h[40];
	assert_int_equal(hours_of_many(e->db, e->a, ids, 40, h), KQ_OK);
	assert_int_equal(h[0].n, 3);
	assert_int_equal(h[35].n, 3);
	assert_int_equal(h[35].ranges[2].weekday, 7);
	assert_int_equal(h[35].ranges[2].opens_min, 900);
	assert_int_equal(h[39].n, 1);
	assert_int_equal(h[39].ranges[0].weekday, 2);
	for (int i = 1; i < 35; i++)
		assert_int_equal(h[i].n, 0);
	assert_int_equal(hours_of_many(e->db, e->a, ids, 0, h), KQ_OK);
}

static void test_list_filters_by_label_of_visible_products(void **state)
{
	struct env *e = *state;
	struct org a = make_kind(e, "producer", "Chèvrerie des Granges", "26391");
	struct org b = make_kind(e, "producer", "Rucher de la Roche", "26391");
	struct org c = make_kind(e, "producer", "Ferme du Serre", "26392");
	struct org d = make_kind(e, "business", "Comptoir", "26392");
	product(e, a.id, "picodon", "aop", false);
	product(e, a.id, "tomme", "ab", false);
	product(e, b.id, "miel", "aop", true);      /* hidden product: does not count */
	product(e, c.id, "agneau", "aop", false);
	product(e, d.id, "caillette", "aop", false);
	hide(e, c.id);                               /* hidden organisation: never listed */
	struct org *list;
	int n;
	int64_t total;
	struct org_filter f = { .limit = 24, .label = "aop" };
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 2);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].slug, "chevrerie-des-granges");
	assert_string_equal(list[1].slug, "comptoir");
	f.kind = "producer";
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 1);
	f = (struct org_filter){ .limit = 24, .label = "aop", .commune = "26392" };
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 1);
	assert_string_equal(list[0].slug, "comptoir");
	f = (struct org_filter){ .limit = 24, .label = "no-such-label" };
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 0);
	struct org_label *labels;
	assert_int_equal(orgs_labels(e->db, e->a, &labels, &n), KQ_OK);
	assert_true(n >= 5);
}

static void centre(struct env *e, const char *insee, int64_t lat, int64_t lon)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_CENTRE);
	db_bind_text(st, 1, insee);
	db_bind_i64(st, 2, lat);
	db_bind_i64(st, 3, lon);
	assert_int_equal(db_run(st), DB_NONE);
}

static void test_near_me_orders_by_distance_then_name(void **state)
{
	struct env *e = *state;
	centre(e, "26391", 44490500, 5387700);   /* Vesqueval */
	centre(e, "26392", 44502800, 5364100);   /* Aigueclaire, ~2.4 km away */
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct org far = make_kind(e, "association", "Amis du Lavoir", "26391");
	struct org near2 = make_kind(e, "association", "Zèbres d'Aigueclaire", "26392");
	struct org near1 = make_kind(e, "association", "Belote d'Aigueclaire", "26392");
	struct org own = make_kind(e, "business", "Auberge", "26391");
	struct org nowhere = make_kind(e, "association", "Aaa sans commune", "");
	/* The inn sits by Aigueclaire although its commune is Vesqueval. */
	assert_int_equal(orgs_position_set(e->db, &owner, own.id, "44.5030", "5.3645", &fe), KQ_OK);
	struct org *list;
	int n;
	int64_t total;
	struct org_filter f = { .limit = 24, .order = ORGS_ORDER_NEAR, .near = "26392" };
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(n, 5);
	assert_int_equal(list[0].id, near1.id);   /* at the centre, by name */
	assert_int_equal(list[1].id, near2.id);
	assert_int_equal(list[2].id, own.id);     /* its own position, a few metres off */
	assert_int_equal(list[3].id, far.id);
	assert_int_equal(list[4].id, nowhere.id); /* cannot be placed: last */
	assert_false(list[4].on_map);
	assert_true(list[2].has_position);
	assert_true(list[0].on_map && !list[0].has_position);
	assert_int_equal(list[0].map_lat_e6, 44502800);
	/* Paging keeps the order. */
	f.limit = 2;
	f.offset = 2;
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(total, 5);
	assert_int_equal(list[0].id, own.id);
	/* No origin (unknown commune, or none): alphabetical. */
	f = (struct org_filter){ .limit = 24, .order = ORGS_ORDER_NEAR, .near = "99999" };
	assert_int_equal(orgs_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(list[0].id, nowhere.id);
	/* The map: only those it can place, with the same filters. */
	f = (struct org_filter){ .kind = "association" };
	assert_int_equal(orgs_map(e->db, e->a, &f, &list, &n), KQ_OK);
	assert_int_equal(n, 3);
}

static void test_list_leaves_hidden_out(void **state)
{
	struct env *e = *state;
	struct org a = make_kind(e, "association", "Visible", "26391");
	struct org b = make_kind(e, "association", "Cachée", "26391");
	centre(e, "26391", 44490500, 5387700);
	hide(e, b.id);
	struct org *list;
	int n;
	int64_t total;
	/* INVARIANT(hidden-org): every variant of the directory leaves it out. */
	struct org_filter filters[] = {
		{ .limit = 24 }, { .limit = 24, .kind = "association" }, { .limit = 24, .commune = "26391" },
		{ .limit = 24, .q = "e" }, { .limit = 24, .order = ORGS_ORDER_NEAR, .near = "26391" },
	};
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		assert_int_equal(orgs_list(e->db, e->a, &filters[i], &list, &n, &total), KQ_OK);
		assert_int_equal(total, 1);
		assert_int_equal(n, 1);
		assert_int_equal(list[0].id, a.id);
		assert_int_equal(orgs_map(e->db, e->a, &filters[i], &list, &n), KQ_OK);
		assert_int_equal(n, 1);
	}
	/* Its page is for moderators: orgs_get still reads it, and says it is hidden. */
	struct org got;
	assert_int_equal(orgs_get(e->db, e->a, b.slug, &got), KQ_OK);
	assert_true(got.hidden_at != 0);
	assert_int_equal(orgs_get(e->db, e->a, a.slug, &got), KQ_OK);
	assert_int_equal(got.hidden_at, 0);
}

static void test_position_and_links_are_checked(void **state)
{
	struct env *e = *state;
	struct org o = make_team(e, "Atelier");
	struct actor owner = actor_of(e, e->owner), box = actor_of(e, e->box);
	struct field_errors fe = { 0 };
	assert_int_equal(orgs_position_set(e->db, &owner, o.id, "95", "5.1", &fe), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "lat"), "err.orgs.lat_invalid");
	assert_null(field_error_get(&fe, "lon"));
	fe = (struct field_errors){ 0 };
	assert_int_equal(orgs_position_set(e->db, &owner, o.id, "44.1", "", &fe), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "lon"), "err.orgs.lon_invalid");
	fe = (struct field_errors){ 0 };
	assert_int_equal(orgs_position_set(e->db, &owner, o.id, "44.1234567", "5", &fe), KQ_ERR_FORM_INVALID);
	fe = (struct field_errors){ 0 };
	assert_int_equal(orgs_position_set(e->db, &box, o.id, "44", "5", &fe), KQ_ERR_FORBIDDEN);
	struct org got;
	assert_int_equal(orgs_get_by_id(e->db, e->a, o.id, &got), KQ_OK);
	assert_false(got.has_position);
	assert_int_equal(orgs_position_set(e->db, &owner, o.id, " 44,4781 ", "-0.5", &fe), KQ_OK);
	assert_int_equal(orgs_get_by_id(e->db, e->a, o.id, &got), KQ_OK);
	assert_true(got.has_position);
	assert_int_equal(got.lat_e6, 44478100);
	assert_int_equal(got.lon_e6, -500000);
	assert_string_equal(orgs_degrees_format(e->a, got.lon_e6), "-0.500000");
	assert_int_equal(orgs_position_set(e->db, &owner, o.id, "", "", &fe), KQ_OK);
	assert_int_equal(orgs_get_by_id(e->db, e->a, o.id, &got), KQ_OK);
	assert_false(got.has_position);

	const char *labels[ORGS_LINKS_MAX] = { "Boutique", "", "Sans lien", NULL, NULL };
	const char *urls[ORGS_LINKS_MAX] = { "javascript:alert(1)", "https://a.example.org/x", "", NULL, NULL };
	fe = (struct field_errors){ 0 };
	assert_int_equal(orgs_links_set(e->db, &owner, o.id, labels, urls, &fe), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "link_url_1"), "err.orgs.website_invalid");
	assert_string_equal(field_error_get(&fe, "link_url_3"), "err.orgs.link_url_missing");
	struct org_link *links;
	int n;
	assert_int_equal(orgs_links(e->db, e->a, o.id, &links, &n), KQ_OK);
	assert_int_equal(n, 0);
	labels[0] = "Boutique";
	urls[0] = "https://boutique.example.org";
	labels[2] = "";
	fe = (struct field_errors){ 0 };
	assert_int_equal(orgs_links_set(e->db, &box, o.id, labels, urls, &fe), KQ_ERR_FORBIDDEN);
	assert_int_equal(orgs_links_set(e->db, &owner, o.id, labels, urls, &fe), KQ_OK);
	assert_int_equal(orgs_links(e->db, e->a, o.id, &links, &n), KQ_OK);
	assert_int_equal(n, 2);
	assert_string_equal(links[0].label, "Boutique");
	assert_string_equal(links[1].label, "a.example.org");
}

static struct contact_input contact_in(int64_t org_id, const char *email, const char *ip)
{
	struct contact_input in = { .org_id = org_id, .name = "Louise", .email = email,
				    .subject = "Une question", .message = "Bonjour, êtes-vous ouverts ?",
				    .honeypot = "", .client_ip = ip };
	return in;
}

static void test_contact_mails_owners_editors_and_limits_senders(void **state)
{
	struct env *e = *state;
	struct org o = make_team(e, "Comité");
	struct field_errors fe = { 0 };
	bool dropped = true;
	struct contact_input in = contact_in(o.id, "Louise@Example.net", "192.0.2.1");
	assert_int_equal(contact_send(e->db, &in, &fe, &dropped), KQ_OK);
	assert_false(dropped);
	/* The owner and the editor, not the box office nor the treasurer. */
	assert_int_equal(scalar(e->db, &SQL_COUNT_OUTBOX, 0, false), 2);
	struct db_stmt *st = db_stmt(e->db, &SQL_OUTBOX_HEADERS);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "Olga.Owner@example.org");
	assert_string_equal(db_col_text(st, 1), "Reply-To: louise@example.net\r\n");
	assert_non_null(strstr(db_col_text(st, 2), "êtes-vous ouverts"));
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "eddy@example.org");
	db_reset(st);
	/* A robot fills the trap: success, nothing sent, nothing kept. */
	in = contact_in(o.id, "bot@example.net", "192.0.2.9");
	in.honeypot = "http://spam.example.com";
	assert_int_equal(contact_send(e->db, &in, &fe, &dropped), KQ_OK);
	assert_true(dropped);
	assert_int_equal(scalar(e->db, &SQL_COUNT_OUTBOX, 0, false), 2);
	assert_int_equal(scalar(e->db, &SQL_COUNT_CONTACT, 0, false), 1);
	/* Bad input: fields say why. */
	in = contact_in(o.id, "pas-une-adresse", "192.0.2.2");
	in.message = "court";
	in.name = "";
	fe = (struct field_errors){ 0 };
	assert_int_equal(contact_send(e->db, &in, &fe, &dropped), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "email"), "err.contact.email_invalid");
	assert_string_equal(field_error_get(&fe, "message"), "err.contact.message_invalid");
	assert_string_equal(field_error_get(&fe, "name"), "err.contact.name_invalid");
	/* INVARIANT(contact-limits): a sender's fourth message in ten minutes is refused. */
	fe = (struct field_errors){ 0 };
	in = contact_in(o.id, "louise@example.net", "192.0.2.3");
	assert_int_equal(contact_send(e->db, &in, &fe, &dropped), KQ_OK);
	in.client_ip = "192.0.2.4";
	assert_int_equal(contact_send(e->db, &in, &fe, &dropped), KQ_OK);
	in.client_ip = "192.0.2.5";
	assert_int_equal(contact_send(e->db, &in, &fe, &dropped), KQ_ERR_CONTACT_RATE_LIMITED);
	assert_int_equal(scalar(e->db, &SQL_COUNT_CONTACT, 0, false), 3);
	/* And a client address's fourth, whatever the sender. */
	for (int i = 0; i < 3; i++) {
		char addr[64];
		snprintf(addr, sizeof(addr), "voisin%d@example.net", i);
		in = contact_in(o.id, addr, "198.51.100.7");
		assert_int_equal(contact_send(e->db, &in, &fe, &dropped), KQ_OK);
	}
	in = contact_in(o.id, "voisin9@example.net", "198.51.100.7");
	assert_int_equal(contact_send(e->db, &in, &fe, &dropped), KQ_ERR_CONTACT_RATE_LIMITED);
	/* A day's cap per organisation. */
	for (int i = 6; i < CONTACT_PER_DAY; i++) {
		char addr[64], ip[64];
		snprintf(addr, sizeof(addr), "jour%d@example.net", i);
		snprintf(ip, sizeof(ip), "203.0.113.%d", i);
		in = contact_in(o.id, addr, ip);
		assert_int_equal(contact_send(e->db, &in, &fe, &dropped), KQ_OK);
	}
	in = contact_in(o.id, "dernier@example.net", "203.0.113.200");
	assert_int_equal(contact_send(e->db, &in, &fe, &dropped), KQ_ERR_CONTACT_RATE_LIMITED);
	/* Hidden or unknown organisations take no message; the territory's form goes to admins. */
	hide(e, o.id);
	in = contact_in(o.id, "autre@example.net", "203.0.113.201");
	assert_int_equal(contact_send(e->db, &in, &fe, &dropped), KQ_ERR_NOT_FOUND);
	in = contact_in(0, "autre@example.net", "203.0.113.201");
	/* A record older than a year goes with the next message. */
	assert_int_equal(db_run(db_stmt(e->db, &SQL_OLD_CONTACT)), DB_NONE);
	assert_int_equal(scalar(e->db, &SQL_COUNT_OLD, 0, false), 1);
	int64_t before = scalar(e->db, &SQL_COUNT_OUTBOX, 0, false);
	assert_int_equal(contact_send(e->db, &in, &fe, &dropped), KQ_OK);
	assert_int_equal(scalar(e->db, &SQL_COUNT_OUTBOX, 0, false), before + 1);
	st = db_stmt(e->db, &SQL_OUTBOX);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "admin@example.org");
	db_reset(st);
	assert_int_equal(scalar(e->db, &SQL_COUNT_OLD, 0, false), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fresh, done)

int main(void)
{
	if (!crypto_init())
		return 1;
	time_init();
	i18n_init();
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_sniff_accepts_png_jpeg_and_webp_by_their_bytes),
		cmocka_unit_test(test_sniff_refuses_svg_gif_text_and_truncated_headers),
		cmocka_unit_test(test_image_of_2mb_is_accepted_and_one_byte_more_refused),
		cmocka_unit_test(test_role_can_matrix),
		cmocka_unit_test(test_vocabularies_have_labels_in_both_languages),
		cmocka_unit_test(test_views_escape_every_field_they_render),
		cmocka_unit_test(test_views_tie_errors_to_fields_and_carry_the_csrf_token),
		cmocka_unit_test(test_hours_parse_accepts_ranges_and_refuses_the_rest),
		cmocka_unit_test(test_open_now_follows_paris_time_across_midnight),
		cmocka_unit_test(test_directory_views_escape_every_field_they_render),
	};
	const struct CMUnitTest db_tests[] = {
		T(test_create_makes_the_creator_owner_and_derives_the_slug),
		T(test_create_refuses_visitors_and_unverified_accounts),
		T(test_create_validates_every_field),
		T(test_create_refuses_a_taken_slug_and_suggests_a_free_one),
		T(test_update_is_partial_and_allowed_to_owner_editor_and_admin),
		T(test_update_refused_to_non_members_box_office_and_treasurer),
		T(test_list_filters_by_kind_commune_category_and_text),
		T(test_list_pages_with_limit_and_offset),
		T(test_logo_is_stored_with_its_sniffed_type_and_replaced),
		T(test_logo_refuses_bad_types_big_files_and_non_editors),
		T(test_invite_queues_a_mail_and_keeps_only_the_token_hash),
		T(test_invite_validates_and_refuses_editors_strangers_and_members),
		T(test_invitation_is_accepted_by_the_invited_account_only_and_once),
		T(test_invitation_is_refused_after_expiry_or_revocation),
		T(test_only_owners_and_admins_change_roles),
		T(test_last_owner_cannot_leave_be_removed_or_demoted),
		T(test_members_leave_and_only_owners_remove_others),
		T(test_two_owners_leaving_or_demoting_each_other_leave_one_owner),
		T(test_insert_raw_writes_inside_the_callers_transaction),
		T(test_list_order_and_totals_match_the_0002_statement_for_every_filter_mix),
		T(test_description_html_is_stored_at_save_and_a_script_stays_inert),
		T(test_rows_without_stored_html_are_rendered_by_the_page_then_filled_in),
		T(test_hours_set_validates_and_is_for_owners_and_editors),
		T(test_list_filters_by_label_of_visible_products),
		T(test_hours_of_many_reads_a_page_in_chunks),
		T(test_near_me_orders_by_distance_then_name),
		T(test_list_leaves_hidden_out),
		T(test_position_and_links_are_checked),
		T(test_contact_mails_owners_editors_and_limits_senders),
	};
	int failed = 0;
	failed += cmocka_run_group_tests_name("orgs/pure", pure, NULL, NULL);
	TL_RUN_GROUP_BOTH(failed, "orgs", db_tests, setup_sqlite, setup_pg, teardown);
	return TL_EXIT(failed);
}
