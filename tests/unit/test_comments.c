/* test_comments.c: comments and "J'aime": threading, paging, edit and delete rules, rights, hidden comments, rate limit, likes and their race (core/comments.c) */
#include "testlib.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/str.h"
#include "core/comments.h"
#include "core/orgs.h"

#include <pthread.h>
#include <string.h>

struct env {
	char url[1024];
	char schema[128];
	struct db *db;
	struct arena *a;
	int64_t owner, editor, box, fatou, lucie, moderator, suspended;
	int64_t org_id, hidden_org_id;
	int64_t post, draft_post, hidden_post, event, draft_event, hidden_event, campaign,
		draft_campaign, hidden_org_post;
};

TL_MIGRATED_DB_SETUPS(struct env, "comments")

/* ---- fixtures ------------------------------------------------------------------------------- */

static const struct db_sql SQL_ACCOUNT = { "ut_comments_account",
	"INSERT INTO accounts (email, email_lower, display_name, password_hash, email_verified_at,"
	" platform_role, lang, created_at, suspended_at) VALUES ($1, $2, $3, 'x', 1, $4, 'fr', 1, $5)"
	" RETURNING id" };
static const struct db_sql SQL_POST = { "ut_comments_post",
	"INSERT INTO posts (org_id, slug, title, body, body_html, status, published_at, created_at,"
	" updated_at, hidden_at) VALUES ($1, $2, $3, '', '', $4, 1, 1, 1, $5) RETURNING id" };
static const struct db_sql SQL_EVENT = { "ut_comments_event",
	"INSERT INTO events (org_id, slug, title, category, status, created_at, updated_at, hidden_at)"
	" VALUES ($1, $2, $3, 'concert', $4, 1, 1, $5) RETURNING id" };
static const struct db_sql SQL_CAMPAIGN = { "ut_comments_campaign",
	"INSERT INTO campaigns (org_id, slug, title, goal_cents, starts_at, ends_at, model, status,"
	" created_at, updated_at) VALUES ($1, $2, $3, 100000, 1, 2000000000, 'keep_it', $4, 1, 1)"
	" RETURNING id" };
static const struct db_sql SQL_COUNT_COMMENTS = { "ut_comments_count",
	"SELECT COUNT(*) FROM comments" };
static const struct db_sql SQL_COUNT_REACTIONS = { "ut_comments_count_reactions",
	"SELECT COUNT(*) FROM reactions" };
static const struct db_sql SQL_HIDE = { "ut_comments_hide",
	"UPDATE comments SET hidden_at = 5 WHERE id = $1" };
static const struct db_sql SQL_BODY = { "ut_comments_body",
	"SELECT body, COALESCE(edited_at, 0), COALESCE(deleted_at, 0) FROM comments WHERE id = $1" };

static int64_t insert_id(struct db_stmt *st)
{
	assert_int_equal(db_step(st), DB_ROW);
	int64_t id = db_col_i64(st, 0);
	db_reset(st);
	return id;
}

static int64_t account(struct env *e, const char *email, const char *name, const char *role,
		       bool suspended)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_ACCOUNT);
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, str_lower_ascii(e->a, email));
	db_bind_text(st, 3, name);
	db_bind_text(st, 4, role);
	db_bind_i64_or_null(st, 5, suspended ? 7 : 0);
	return insert_id(st);
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

static int64_t post(struct env *e, int64_t org, const char *slug, const char *status, bool hidden)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_POST);
	db_bind_i64(st, 1, org);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, slug);
	db_bind_text(st, 4, status);
	db_bind_i64_or_null(st, 5, hidden ? 9 : 0);
	return insert_id(st);
}

static int64_t event(struct env *e, const char *slug, const char *status, bool hidden)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_EVENT);
	db_bind_i64(st, 1, e->org_id);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, slug);
	db_bind_text(st, 4, status);
	db_bind_i64_or_null(st, 5, hidden ? 9 : 0);
	return insert_id(st);
}

static int64_t campaign(struct env *e, const char *slug, const char *status)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_CAMPAIGN);
	db_bind_i64(st, 1, e->org_id);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, slug);
	db_bind_text(st, 4, status);
	return insert_id(st);
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

/* Every test starts from the same people, the comité (owner, editor, box
 * office) and its subjects: open ones and closed ones (draft, hidden). */
static int fresh(void **state)
{
	struct env *e = *state;
	tl_set_clock(0);
	if (db_exec(e->db, "DELETE FROM reactions; DELETE FROM comments; DELETE FROM posts;"
			   " DELETE FROM events; DELETE FROM campaigns; DELETE FROM org_invitations;"
			   " DELETE FROM org_members; DELETE FROM organisations; DELETE FROM sessions;"
			   " DELETE FROM api_tokens; DELETE FROM outbox; DELETE FROM accounts") != DB_NONE)
		return -1;
	if (e->a)
		arena_free(e->a);
	e->a = arena_new();
	e->owner = account(e, "olga@example.org", "Olga", "", false);
	e->editor = account(e, "eddy@example.org", "Eddy", "", false);
	e->box = account(e, "bob@example.org", "Bob", "", false);
	e->fatou = account(e, "fatou@example.org", "Fatou <b>Diallo</b>", "", false);
	e->lucie = account(e, "lucie@example.org", "Lucie", "", false);
	e->moderator = account(e, "mona@example.org", "Mona", "moderator", false);
	e->suspended = account(e, "sid@example.org", "Sid", "", true);
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct org o;
	struct org_input in = { .kind = "association", .name = "Comité des fêtes",
				.category = "comite-des-fetes", .email = "fetes@example.org" };
	assert_int_equal(orgs_create(e->db, &owner, &in, e->a, &fe, &o), KQ_OK);
	e->org_id = o.id;
	struct members m = { o.id, { e->editor, e->box }, { "editor", "box_office" } };
	assert_true(db_txn_run(e->db, "ut_members", DB_WRITE, members_txn, &m) >= 0);
	struct org_input in2 = { .kind = "association", .name = "Chorale cachée", .category = "culture" };
	assert_int_equal(orgs_create(e->db, &owner, &in2, e->a, &fe, &o), KQ_OK);
	e->hidden_org_id = o.id;
	assert_int_equal(db_exec(e->db, "UPDATE organisations SET hidden_at = 3 WHERE name = 'Chorale cachée'"),
			 DB_NONE);
	e->post = post(e, e->org_id, "marche-de-noel", "published", false);
	e->draft_post = post(e, e->org_id, "brouillon", "draft", false);
	e->hidden_post = post(e, e->org_id, "cache", "published", true);
	e->hidden_org_post = post(e, e->hidden_org_id, "chorale", "published", false);
	e->event = event(e, "loto", "published", false);
	e->draft_event = event(e, "loto-brouillon", "draft", false);
	e->hidden_event = event(e, "loto-cache", "cancelled", true);
	e->campaign = campaign(e, "toiture", "live");
	e->draft_campaign = campaign(e, "toiture-brouillon", "draft");
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

static struct comment say(struct env *e, int64_t who_id, const char *kind, int64_t subject,
			  int64_t parent, const char *body)
{
	struct actor who = actor_of(e, who_id);
	struct field_errors fe = { 0 };
	struct comment c;
	enum kq_err r = comments_create(e->db, &who, kind, subject, parent, body, e->a, &fe, &c);
	if (r != KQ_OK)
		fail_msg("comments_create %s: %d (%s)", body, r, fe.n ? fe.e[0].key : "");
	return c;
}

static struct comment_page page(struct env *e, int64_t who_id, const char *kind, int64_t subject,
				int64_t after)
{
	struct actor who = who_id ? actor_of(e, who_id) : (struct actor){ 0 };
	struct comment_page pg;
	assert_int_equal(comments_list(e->db, &who, e->a, kind, subject, after, &pg), KQ_OK);
	return pg;
}

static int64_t live(struct env *e, const char *kind, int64_t subject)
{
	int64_t n = -1;
	assert_int_equal(comments_count(e->db, kind, subject, &n), KQ_OK);
	return n;
}

/* ---- tests ------------------------------------------------------------------------------------ */

static void test_threads_are_oldest_first_with_one_level_of_replies(void **state)
{
	struct env *e = *state;
	struct comment a = say(e, e->fatou, "post", e->post, 0, "  Je tiens la buvette.\r\nSamedi.  ");
	struct comment b = say(e, e->lucie, "post", e->post, 0, "Et le montage ?");
	struct comment r1 = say(e, e->owner, "post", e->post, a.id, "Merci !");
	/* A reply to a reply joins the thread of its top-level comment. */
	struct comment r2 = say(e, e->lucie, "post", e->post, r1.id, "Moi aussi.");
	struct comment r3 = say(e, e->fatou, "post", e->post, b.id, "18 h.");
	assert_string_equal(a.body, "Je tiens la buvette.\nSamedi.");
	assert_int_equal(a.parent_id, 0);
	assert_int_equal(r2.parent_id, a.id);
	assert_int_equal(r1.parent_id, a.id);
	struct comment_page pg = page(e, 0, "post", e->post, 0);
	assert_int_equal(pg.total, 5);
	assert_int_equal(pg.n, 2);
	assert_int_equal(pg.next_after, 0);
	assert_false(pg.has_prev);
	assert_int_equal(pg.items[0].id, a.id);
	assert_string_equal(pg.items[0].author_name, "Fatou <b>Diallo</b>");
	assert_int_equal(pg.items[0].nreplies, 2);
	assert_int_equal(pg.items[0].replies[0].id, r1.id);
	assert_string_equal(pg.items[0].replies[0].author_name, "Olga");
	assert_int_equal(pg.items[0].replies[1].id, r2.id);
	assert_int_equal(pg.items[1].id, b.id);
	assert_int_equal(pg.items[1].nreplies, 1);
	assert_int_equal(pg.items[1].replies[0].id, r3.id);
	/* A visitor may do nothing; the author may edit and delete their own. */
	assert_false(pg.items[0].can_edit);
	assert_false(pg.items[0].can_delete);
	pg = page(e, e->fatou, "post", e->post, 0);
	assert_true(pg.items[0].can_edit);
	assert_true(pg.items[0].can_delete);
	assert_false(pg.items[1].can_edit);
	assert_true(pg.items[1].replies[0].can_edit);
	/* Each subject has its own conversation. */
	say(e, e->fatou, "event", e->event, 0, "Accessible en poussette ?");
	say(e, e->fatou, "campaign", e->campaign, 0, "Bravo pour le projet.");
	assert_int_equal(live(e, "post", e->post), 5);
	assert_int_equal(live(e, "event", e->event), 1);
	assert_int_equal(page(e, 0, "campaign", e->campaign, 0).n, 1);
	/* A parent of another subject is refused. */
	struct actor fatou = actor_of(e, e->fatou);
	struct field_errors fe = { 0 };
	struct comment c;
	assert_int_equal(comments_create(e->db, &fatou, "event", e->event, a.id, "Hors sujet", e->a,
					 &fe, &c),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(count(e->db, &SQL_COUNT_COMMENTS), 7);
}

static void test_pages_hold_fifty_threads_and_tell_the_next(void **state)
{
	struct env *e = *state;
	int64_t ids[55];
	for (int i = 0; i < 55; i++) {
		/* Beyond the rate limit: every comment a minute after the last. */
		tl_set_clock(i * 61);
		ids[i] = say(e, i % 2 ? e->fatou : e->lucie, "post", e->post, 0, "Un mot.").id;
	}
	say(e, e->owner, "post", e->post, ids[52], "Réponse sur la page 2.");
	struct comment_page pg = page(e, 0, "post", e->post, 0);
	assert_int_equal(pg.n, COMMENTS_PAGE);
	assert_int_equal(pg.total, 56);
	assert_int_equal(pg.items[49].id, ids[49]);
	assert_int_equal(pg.next_after, ids[49]);
	pg = page(e, 0, "post", e->post, pg.next_after);
	assert_true(pg.has_prev);
	assert_int_equal(pg.n, 5);
	assert_int_equal(pg.next_after, 0);
	assert_int_equal(pg.items[0].id, ids[50]);
	assert_int_equal(pg.items[2].nreplies, 1);
	/* A thread of the first page is found there; a later one on a page that starts with it. */
	int64_t after = -1;
	assert_int_equal(comments_page_of(e->db, "post", e->post, ids[49], &after), KQ_OK);
	assert_int_equal(after, 0);
	assert_int_equal(comments_page_of(e->db, "post", e->post, ids[52], &after), KQ_OK);
	assert_int_equal(after, ids[52] - 1);
	pg = page(e, 0, "post", e->post, after);
	assert_int_equal(pg.items[0].id, ids[52]);
	assert_int_equal(pg.items[0].nreplies, 1);
}

static void test_only_visible_subjects_take_comments(void **state)
{
	struct env *e = *state;
	struct actor fatou = actor_of(e, e->fatou), visitor = { 0 };
	struct actor sid = actor_of(e, e->suspended);
	struct field_errors fe = { 0 };
	struct comment c;
	struct {
		const char *kind;
		int64_t id;
	} closed[] = { { "post", e->draft_post }, { "post", e->hidden_post },
		       { "post", e->hidden_org_post }, { "event", e->draft_event },
		       { "event", e->hidden_event }, { "campaign", e->draft_campaign },
		       { "post", e->post + 1000 }, { "comment", e->post }, { "org", e->org_id },
		       { NULL, e->post } };
	for (size_t i = 0; i < TL_ARRAY_LEN(closed); i++) {
		assert_int_equal(comments_create(e->db, &fatou, closed[i].kind, closed[i].id, 0, "Bonjour",
						 e->a, &fe, &c),
				 KQ_ERR_NOT_FOUND);
		struct comment_page pg;
		assert_int_equal(comments_list(e->db, &fatou, e->a, closed[i].kind, closed[i].id, 0, &pg),
				 KQ_ERR_NOT_FOUND);
	}
	assert_int_equal(comments_create(e->db, &visitor, "post", e->post, 0, "Bonjour", e->a, &fe, &c),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(comments_create(e->db, &sid, "post", e->post, 0, "Bonjour", e->a, &fe, &c),
			 KQ_ERR_AUTH_SUSPENDED);
	assert_int_equal(reactions_set(e->db, &sid, "post", e->post, true, NULL), KQ_ERR_AUTH_SUSPENDED);
	/* A cancelled event still takes comments; a live campaign too. */
	assert_int_equal(db_exec(e->db, "UPDATE events SET status = 'cancelled' WHERE slug = 'loto'"),
			 DB_NONE);
	say(e, e->fatou, "event", e->event, 0, "Dommage.");
	say(e, e->fatou, "campaign", e->campaign, 0, "Allez !");
	assert_int_equal(count(e->db, &SQL_COUNT_COMMENTS), 2);
}

static void test_the_text_is_checked_next_to_its_field(void **state)
{
	struct env *e = *state;
	struct actor fatou = actor_of(e, e->fatou);
	struct field_errors fe = { 0 };
	struct comment c;
	char *big = arena_alloc(e->a, 2 * COMMENTS_BODY_MAX + 2);
	/* 2000 code points of two bytes each are fine; one more is not. */
	for (int i = 0; i < COMMENTS_BODY_MAX; i++)
		memcpy(big + 2 * i, "\xc3\xa9", 2);
	assert_int_equal(comments_create(e->db, &fatou, "post", e->post, 0, big, e->a, &fe, &c), KQ_OK);
	assert_int_equal(str_utf8_len(c.body), COMMENTS_BODY_MAX);
	const char *longer = arena_printf(e->a, "%sé", big);
	const char *bad[] = { "", "   \n  ", longer, "Bip\x07", "\xff\xfe" };
	const char *keys[] = { "err.comments.body_missing", "err.comments.body_missing",
			       "err.comments.body_invalid", "err.comments.body_invalid",
			       "err.comments.body_invalid" };
	for (size_t i = 0; i < TL_ARRAY_LEN(bad); i++) {
		assert_int_equal(comments_create(e->db, &fatou, "post", e->post, 0, bad[i], e->a, &fe, &c),
				 KQ_ERR_FORM_INVALID);
		assert_int_equal(fe.n, 1);
		assert_string_equal(fe.e[0].field, "body");
		assert_string_equal(fe.e[0].key, keys[i]);
	}
	assert_int_equal(count(e->db, &SQL_COUNT_COMMENTS), 1);
}

static void test_only_the_author_edits_and_edited_at_tells_it(void **state)
{
	struct env *e = *state;
	struct comment c = say(e, e->fatou, "post", e->post, 0, "Premier jet");
	assert_int_equal(c.edited_at, 0);
	struct actor fatou = actor_of(e, e->fatou), lucie = actor_of(e, e->lucie);
	struct actor mod = actor_of(e, e->moderator), owner = actor_of(e, e->owner);
	struct actor visitor = { 0 };
	struct field_errors fe = { 0 };
	struct comment after;
	/* The same text again is no edit. */
	assert_int_equal(comments_update(e->db, &fatou, c.id, " Premier jet ", e->a, &fe, &after), KQ_OK);
	assert_int_equal(after.edited_at, 0);
	tl_set_clock(120);
	assert_int_equal(comments_update(e->db, &fatou, c.id, "Texte revu", e->a, &fe, &after), KQ_OK);
	assert_string_equal(after.body, "Texte revu");
	assert_true(after.edited_at >= after.created_at + 100);
	assert_int_equal(page(e, 0, "post", e->post, 0).items[0].edited_at, after.edited_at);
	/* Nobody else, not even the organisation or a moderator, writes in its name. */
	assert_int_equal(comments_update(e->db, &lucie, c.id, "Volé", e->a, &fe, &after), KQ_ERR_FORBIDDEN);
	assert_int_equal(comments_update(e->db, &owner, c.id, "Volé", e->a, &fe, &after), KQ_ERR_FORBIDDEN);
	assert_int_equal(comments_update(e->db, &mod, c.id, "Volé", e->a, &fe, &after), KQ_ERR_FORBIDDEN);
	assert_int_equal(comments_update(e->db, &visitor, c.id, "Volé", e->a, &fe, &after),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(comments_update(e->db, &fatou, c.id + 99, "Perdu", e->a, &fe, &after),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(comments_update(e->db, &fatou, c.id, "", e->a, &fe, &after), KQ_ERR_FORM_INVALID);
	assert_string_equal(fe.e[0].field, "body");
	struct db_stmt *st = db_stmt(e->db, &SQL_BODY);
	db_bind_i64(st, 1, c.id);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "Texte revu");
	db_reset(st);
	/* A suspended author no longer writes, edits included. */
	assert_int_equal(db_exec(e->db, "UPDATE accounts SET suspended_at = 1 WHERE email = 'fatou@example.org'"),
			 DB_NONE);
	assert_int_equal(comments_update(e->db, &fatou, c.id, "Après suspension", e->a, &fe, &after),
			 KQ_ERR_AUTH_SUSPENDED);
	assert_int_equal(comments_create(e->db, &fatou, "post", e->post, 0, "Après suspension", e->a, &fe,
					 &after),
			 KQ_ERR_AUTH_SUSPENDED);
}

static void test_delete_by_author_publisher_or_moderator_and_what_remains(void **state)
{
	struct env *e = *state;
	struct comment a = say(e, e->fatou, "post", e->post, 0, "Fil A");
	struct comment r = say(e, e->lucie, "post", e->post, a.id, "Réponse");
	struct comment b = say(e, e->fatou, "post", e->post, 0, "Fil B");
	struct comment c = say(e, e->lucie, "post", e->post, 0, "Fil C");
	struct comment d = say(e, e->lucie, "post", e->post, 0, "Fil D");
	struct actor fatou = actor_of(e, e->fatou), lucie = actor_of(e, e->lucie);
	struct actor box = actor_of(e, e->box), editor = actor_of(e, e->editor);
	struct actor mod = actor_of(e, e->moderator), visitor = { 0 };
	/* Another citizen, or a member who may not publish, may not. */
	assert_int_equal(comments_delete(e->db, &lucie, a.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(comments_delete(e->db, &box, a.id), KQ_ERR_FORBIDDEN);
	assert_int_equal(comments_delete(e->db, &visitor, a.id), KQ_ERR_AUTH_REQUIRED);
	struct comment_page pg = page(e, e->editor, "post", e->post, 0);
	assert_true(pg.items[0].can_delete);
	assert_false(pg.items[0].can_edit);
	assert_false(page(e, e->box, "post", e->post, 0).items[0].can_delete);
	assert_true(page(e, e->moderator, "post", e->post, 0).items[0].can_delete);
	/* The author: with replies, the thread stays under "deleted". */
	assert_int_equal(comments_delete(e->db, &fatou, a.id), KQ_OK);
	assert_int_equal(comments_delete(e->db, &fatou, a.id), KQ_ERR_NOT_FOUND);
	/* A publisher of the organisation, a moderator: without replies, gone. */
	assert_int_equal(comments_delete(e->db, &editor, b.id), KQ_OK);
	assert_int_equal(comments_delete(e->db, &mod, c.id), KQ_OK);
	pg = page(e, e->fatou, "post", e->post, 0);
	assert_int_equal(pg.total, 2);      /* the reply and D */
	assert_int_equal(pg.n, 2);
	assert_int_equal(pg.items[0].id, a.id);
	assert_true(pg.items[0].is_deleted);
	assert_string_equal(pg.items[0].body, "");
	assert_false(pg.items[0].can_edit);
	assert_false(pg.items[0].can_delete);
	assert_int_equal(pg.items[0].nreplies, 1);
	assert_int_equal(pg.items[0].replies[0].id, r.id);
	assert_int_equal(pg.items[1].id, d.id);
	/* The text is erased from the row. */
	struct db_stmt *st = db_stmt(e->db, &SQL_BODY);
	db_bind_i64(st, 1, a.id);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "");
	assert_true(db_col_i64(st, 2) > 0);
	db_reset(st);
	/* The last reply gone, the deleted thread goes too. */
	assert_int_equal(comments_delete(e->db, &lucie, r.id), KQ_OK);
	pg = page(e, 0, "post", e->post, 0);
	assert_int_equal(pg.n, 1);
	assert_int_equal(pg.items[0].id, d.id);
	assert_int_equal(live(e, "post", e->post), 1);
	/* A reply to a deleted comment is refused. */
	struct field_errors fe = { 0 };
	struct comment x;
	assert_int_equal(comments_create(e->db, &lucie, "post", e->post, b.id, "Trop tard", e->a, &fe, &x),
			 KQ_ERR_NOT_FOUND);
}

static void test_hidden_comments_vanish_from_every_read(void **state)
{
	struct env *e = *state;
	struct comment a = say(e, e->fatou, "post", e->post, 0, "Fil caché");
	say(e, e->lucie, "post", e->post, a.id, "Réponse dans le fil caché");
	struct comment b = say(e, e->fatou, "post", e->post, 0, "Fil visible");
	struct comment rb = say(e, e->lucie, "post", e->post, b.id, "Réponse cachée");
	struct comment rb2 = say(e, e->owner, "post", e->post, b.id, "Réponse visible");
	assert_int_equal(live(e, "post", e->post), 5);
	struct db_stmt *st = db_stmt(e->db, &SQL_HIDE);
	db_bind_i64(st, 1, a.id);
	assert_int_equal(db_run(st), DB_NONE);
	st = db_stmt(e->db, &SQL_HIDE);
	db_bind_i64(st, 1, rb.id);
	assert_int_equal(db_run(st), DB_NONE);
	struct comment_page pg = page(e, e->moderator, "post", e->post, 0);
	assert_int_equal(pg.total, 2);
	assert_int_equal(pg.n, 1);
	assert_int_equal(pg.items[0].id, b.id);
	assert_int_equal(pg.items[0].nreplies, 1);
	assert_int_equal(pg.items[0].replies[0].id, rb2.id);
	struct actor fatou = actor_of(e, e->fatou), lucie = actor_of(e, e->lucie);
	struct comment c;
	struct comment_subject s;
	assert_int_equal(comments_get(e->db, &fatou, e->a, a.id, &c, &s), KQ_ERR_NOT_FOUND);
	assert_int_equal(comments_get(e->db, &fatou, e->a, rb.id, &c, &s), KQ_ERR_NOT_FOUND);
	assert_int_equal(comments_get(e->db, &fatou, e->a, b.id, &c, &s), KQ_OK);
	assert_string_equal(s.slug, "marche-de-noel");
	struct field_errors fe = { 0 };
	assert_int_equal(comments_create(e->db, &lucie, "post", e->post, a.id, "Ici ?", e->a, &fe, &c),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(comments_update(e->db, &fatou, a.id, "Autre", e->a, &fe, &c), KQ_ERR_NOT_FOUND);
	assert_int_equal(reactions_set(e->db, &fatou, "comment", rb.id, true, NULL), KQ_ERR_NOT_FOUND);
	/* A subject hidden later takes its conversation with it. */
	assert_int_equal(db_exec(e->db, "UPDATE posts SET hidden_at = 8 WHERE slug = 'marche-de-noel'"),
			 DB_NONE);
	assert_int_equal(comments_list(e->db, &fatou, e->a, "post", e->post, 0, &pg), KQ_ERR_NOT_FOUND);
	assert_int_equal(comments_get(e->db, &fatou, e->a, b.id, &c, &s), KQ_ERR_NOT_FOUND);
}

/* INVARIANT(comments-rate) */
static void test_ten_comments_a_minute_then_a_clear_refusal(void **state)
{
	struct env *e = *state;
	struct actor fatou = actor_of(e, e->fatou);
	struct field_errors fe = { 0 };
	struct comment c;
	for (int i = 0; i < COMMENTS_RATE_MAX; i++)
		say(e, e->fatou, i % 2 ? "event" : "post", i % 2 ? e->event : e->post, 0, "Encore un mot");
	assert_int_equal(comments_create(e->db, &fatou, "post", e->post, 0, "Un de trop", e->a, &fe, &c),
			 KQ_ERR_COMMENTS_RATE_LIMITED);
	assert_int_equal(err_http_status(KQ_ERR_COMMENTS_RATE_LIMITED), 429);
	assert_non_null(strstr(i18n_get("fr", err_msg_key(KQ_ERR_COMMENTS_RATE_LIMITED)), "minute"));
	/* Someone else is not held back. */
	say(e, e->lucie, "post", e->post, 0, "Moi je peux");
	assert_int_equal(count(e->db, &SQL_COUNT_COMMENTS), COMMENTS_RATE_MAX + 1);
	tl_set_clock(COMMENTS_RATE_WINDOW + 1);
	assert_int_equal(comments_create(e->db, &fatou, "post", e->post, 0, "Une minute après", e->a, &fe,
					 &c),
			 KQ_OK);
}

static void test_likes_are_set_counted_and_told_per_reader(void **state)
{
	struct env *e = *state;
	struct comment a = say(e, e->fatou, "post", e->post, 0, "J'aime ce marché");
	struct comment r = say(e, e->owner, "post", e->post, a.id, "Merci");
	struct actor fatou = actor_of(e, e->fatou), lucie = actor_of(e, e->lucie);
	struct actor visitor = { 0 };
	int64_t n = -1;
	assert_int_equal(reactions_set(e->db, &lucie, "comment", a.id, true, &n), KQ_OK);
	assert_int_equal(n, 1);
	/* Liking twice is one like. */
	assert_int_equal(reactions_set(e->db, &lucie, "comment", a.id, true, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(reactions_set(e->db, &fatou, "comment", a.id, true, &n), KQ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(reactions_set(e->db, &fatou, "comment", r.id, true, &n), KQ_OK);
	assert_int_equal(reactions_set(e->db, &lucie, "post", e->post, true, &n), KQ_OK);
	assert_int_equal(reactions_set(e->db, &lucie, "event", e->event, true, &n), KQ_OK);
	assert_int_equal(reactions_set(e->db, &lucie, "campaign", e->campaign, true, &n), KQ_OK);
	struct comment_page pg = page(e, e->lucie, "post", e->post, 0);
	assert_int_equal(pg.items[0].likes, 2);
	assert_true(pg.items[0].liked);
	assert_int_equal(pg.items[0].replies[0].likes, 1);
	assert_false(pg.items[0].replies[0].liked);
	pg = page(e, 0, "post", e->post, 0);
	assert_false(pg.items[0].liked);
	/* Unliking. */
	assert_int_equal(reactions_set(e->db, &lucie, "comment", a.id, false, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(reactions_set(e->db, &lucie, "comment", a.id, false, &n), KQ_OK);
	assert_int_equal(n, 1);
	/* Refusals write nothing. */
	int64_t before = count(e->db, &SQL_COUNT_REACTIONS);
	assert_int_equal(reactions_set(e->db, &visitor, "post", e->post, true, &n), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(reactions_set(e->db, &lucie, "post", e->draft_post, true, &n), KQ_ERR_NOT_FOUND);
	assert_int_equal(reactions_set(e->db, &lucie, "event", e->hidden_event, true, &n), KQ_ERR_NOT_FOUND);
	assert_int_equal(reactions_set(e->db, &lucie, "campaign", e->draft_campaign, true, &n),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(reactions_set(e->db, &lucie, "org", e->org_id, true, &n), KQ_ERR_NOT_FOUND);
	assert_int_equal(count(e->db, &SQL_COUNT_REACTIONS), before);
	/* Counts of many subjects at once, across batches. */
	int64_t ids[25];
	for (int i = 0; i < 25; i++) {
		char slug[32];
		snprintf(slug, sizeof(slug), "nouvelle-%d", i);
		ids[i] = post(e, e->org_id, slug, "published", false);
		if (i % 3 == 0)
			assert_int_equal(reactions_set(e->db, &fatou, "post", ids[i], true, NULL), KQ_OK);
		if (i % 2 == 0)
			assert_int_equal(reactions_set(e->db, &lucie, "post", ids[i], true, NULL), KQ_OK);
	}
	int64_t counts[25];
	bool mine[25];
	assert_int_equal(reactions_counts(e->db, &fatou, "post", ids, 25, counts, mine), KQ_OK);
	for (int i = 0; i < 25; i++) {
		assert_int_equal(counts[i], (i % 3 == 0) + (i % 2 == 0));
		assert_int_equal(mine[i], i % 3 == 0);
	}
}

struct liker {
	const char *url;
	int64_t account, post;
	pthread_barrier_t *go;
	enum kq_err result;
};

static void *liker_main(void *arg)
{
	struct liker *l = arg;
	char err[256];
	struct db *db = db_open(l->url, err, sizeof(err));
	pthread_barrier_wait(l->go);
	if (!db) {
		l->result = KQ_ERR_INTERNAL;
		return NULL;
	}
	struct actor who = { .account_id = l->account, .platform_role = "", .lang = "fr" };
	l->result = reactions_set(db, &who, "post", l->post, true, NULL);
	db_close(db);
	return NULL;
}

/* INVARIANT(one-like) */
static void test_two_likes_at_once_by_one_person_give_one(void **state)
{
	struct env *e = *state;
	enum { ROUNDS = 5, N = 2 };
	for (int round = 0; round < ROUNDS; round++) {
		char slug[32];
		snprintf(slug, sizeof(slug), "course-%d", round);
		int64_t p = post(e, e->org_id, slug, "published", false);
		struct liker l[N];
		pthread_t th[N];
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, N);
		for (int i = 0; i < N; i++) {
			l[i] = (struct liker){ e->url, e->fatou, p, &go, KQ_ERR_INTERNAL };
			assert_int_equal(pthread_create(&th[i], NULL, liker_main, &l[i]), 0);
		}
		for (int i = 0; i < N; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&go);
		for (int i = 0; i < N; i++)
			assert_int_equal(l[i].result, KQ_OK);
		int64_t n = -1;
		bool mine = false;
		assert_int_equal(reactions_counts(e->db, &(struct actor){ .account_id = e->fatou }, "post", &p,
						  1, &n, &mine),
				 KQ_OK);
		assert_int_equal(n, 1);
		assert_true(mine);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, fresh, done)

int main(void)
{
	if (!crypto_init())
		return 1;
	time_init();
	i18n_init();
	const struct CMUnitTest db_tests[] = {
		T(test_threads_are_oldest_first_with_one_level_of_replies),
		T(test_pages_hold_fifty_threads_and_tell_the_next),
		T(test_only_visible_subjects_take_comments),
		T(test_the_text_is_checked_next_to_its_field),
		T(test_only_the_author_edits_and_edited_at_tells_it),
		T(test_delete_by_author_publisher_or_moderator_and_what_remains),
		T(test_hidden_comments_vanish_from_every_read),
		T(test_ten_comments_a_minute_then_a_clear_refusal),
		T(test_likes_are_set_counted_and_told_per_reader),
		T(test_two_likes_at_once_by_one_person_give_one),
	};
	int failed = 0;
	TL_RUN_GROUP_BOTH(failed, "comments", db_tests, setup_sqlite, setup_pg, teardown);
	return TL_EXIT(failed);
}
