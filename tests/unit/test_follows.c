/* test_follows.c: follows, mail opt-in, announcements and their unsubscribe links, pinning, the home feed and its cursor (core/follows.c, core/feed.c) */
#include "testlib.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/str.h"
#include "core/feed.h"
#include "core/follows.h"
#include "core/orgs.h"

#include <string.h>

struct env {
	char url[1024];
	char schema[128];
	struct db *db;
	struct arena *a;
	int64_t owner, editor, box, fan, quiet, stranger, unverified;
	int64_t org_id, mairie_id, hidden_org_id;
};

TL_MIGRATED_DB_SETUPS(struct env, "follows")

/* ---- fixtures ------------------------------------------------------------------------------- */

static const struct db_sql SQL_ACCOUNT = { "ut_follows_account",
	"INSERT INTO accounts (email, email_lower, display_name, password_hash, email_verified_at,"
	" platform_role, lang, created_at) VALUES ($1, $1, $2, 'x', $3, '', 'fr', 1) RETURNING id" };
static const struct db_sql SQL_POST = { "ut_follows_post",
	"INSERT INTO posts (org_id, slug, title, body, body_html, status, published_at, author_id,"
	" created_at, updated_at) VALUES ($1, $2, $2, 'Texte **gras**.', '', $3, $4, $5, 1, 1)"
	" RETURNING id" };
static const struct db_sql SQL_EVENT = { "ut_follows_event",
	"INSERT INTO events (org_id, slug, title, category, status, created_at, updated_at)"
	" VALUES ($1, $2, $2, 'concert', $3, 1, 1) RETURNING id" };
static const struct db_sql SQL_EVENT_DATE = { "ut_follows_event_date",
	"INSERT INTO event_dates (event_id, starts_at, ends_at) VALUES ($1, $2, $3)" };
static const struct db_sql SQL_COUNT = { "ut_follows_count",
	"SELECT COUNT(*) FROM follows" };
static const struct db_sql SQL_OUTBOX = { "ut_follows_outbox",
	"SELECT COUNT(*) FROM outbox" };
static const struct db_sql SQL_OUTBOX_TO = { "ut_follows_outbox_to",
	"SELECT COUNT(*) FROM outbox WHERE to_addr = $1" };
static const struct db_sql SQL_LAST_MAIL = { "ut_follows_last_mail",
	"SELECT body_text, headers FROM outbox WHERE to_addr = $1 ORDER BY id DESC LIMIT 1" };

static int64_t account(struct db *db, const char *email, const char *name, bool verified)
{
	struct db_stmt *st = db_stmt(db, &SQL_ACCOUNT);
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, name);
	db_bind_i64_or_null(st, 3, verified ? 1 : 0);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t id = db_col_i64(st, 0);
	db_reset(st);
	return id;
}

static struct actor actor_of(struct env *e, int64_t id)
{
	return tl_actor(e->db, e->a, id);
}

static int64_t count_of(struct db *db, const struct db_sql *q, const char *arg)
{
	struct db_stmt *st = db_stmt(db, q);
	if (arg)
		db_bind_text(st, 1, arg);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t v = db_col_i64(st, 0);
	db_reset(st);
	return v;
}

static int64_t post(struct env *e, int64_t org_id, const char *slug, const char *status, int64_t at,
		    int64_t author)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_POST);
	db_bind_i64_or_null(st, 1, org_id);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, status);
	db_bind_i64_or_null(st, 4, at);
	db_bind_i64_or_null(st, 5, author);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t id = db_col_i64(st, 0);
	db_reset(st);
	/* As core/posts.c does on publication: into its followers' home timelines. */
	assert_true(feed_timeline_add_post(e->db, id) >= 0);
	return id;
}

static int64_t event(struct env *e, int64_t org_id, const char *slug, const char *status,
		     int64_t starts_at)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_EVENT);
	db_bind_i64(st, 1, org_id);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, status);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t id = db_col_i64(st, 0);
	db_reset(st);
	st = db_stmt(e->db, &SQL_EVENT_DATE);
	db_bind_i64(st, 1, id);
	db_bind_i64(st, 2, starts_at);
	db_bind_i64(st, 3, starts_at + 3600);
	assert_int_equal(db_run(st), DB_NONE);
	return id;
}

struct members {
	int64_t org_id[3];
	int64_t ids[3];
	const char *roles[3];
};

static enum db_status members_txn(struct db *db, void *cls)
{
	struct members *m = cls;
	for (int i = 0; i < 3; i++) {
		enum db_status s = orgs_member_insert_raw(db, m->org_id[i], m->ids[i], m->roles[i]);
		if (s < 0)
			return s;
	}
	return DB_NONE;
}

static int64_t make_org(struct env *e, const char *kind, const char *name)
{
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct org o;
	struct org_input in = { .kind = kind, .name = name, .category = "" };
	enum kq_err r = orgs_create(e->db, &owner, &in, e->a, &fe, &o);
	if (r != KQ_OK)
		fail_msg("orgs_create %s: %d (%s)", name, r, fe.n ? fe.e[0].key : "");
	return o.id;
}

/* The comité (association; owner, editor, box office), the mairie (a public
 * body; owner) and a hidden organisation; fan and quiet follow no one yet. */
static int fresh(void **state)
{
	struct env *e = *state;
	tl_set_clock(0);
	if (db_exec(e->db, "DELETE FROM follow_unsubscribe_tokens; DELETE FROM follow_announcements;"
			   " DELETE FROM follows; DELETE FROM event_dates; DELETE FROM events;"
			   " DELETE FROM posts; DELETE FROM org_members; DELETE FROM organisations;"
			   " DELETE FROM outbox; DELETE FROM accounts") != DB_NONE)
		return -1;
	if (e->a)
		arena_free(e->a);
	e->a = arena_new();
	e->owner = account(e->db, "olga@example.org", "Olga", true);
	e->editor = account(e->db, "eddy@example.org", "Eddy", true);
	e->box = account(e->db, "bob@example.org", "Bob", true);
	e->fan = account(e->db, "fanny@example.org", "Fanny", true);
	e->quiet = account(e->db, "quentin@example.org", "Quentin", true);
	e->stranger = account(e->db, "sam@example.org", "Sam", true);
	e->unverified = account(e->db, "ursule@example.org", "Ursule", false);
	e->org_id = make_org(e, "association", "Comité des fêtes");
	e->mairie_id = make_org(e, "public_body", "Mairie");
	e->hidden_org_id = make_org(e, "association", "Cachée");
	struct members m = { { e->org_id, e->org_id, e->mairie_id }, { e->editor, e->box, e->editor },
			     { "editor", "box_office", "editor" } };
	assert_true(db_txn_run(e->db, "ut_members", DB_WRITE, members_txn, &m) >= 0);
	char sql[128];
	snprintf(sql, sizeof(sql), "UPDATE organisations SET hidden_at = 5 WHERE id = %lld",
		 (long long)e->hidden_org_id);
	if (db_exec(e->db, sql) != DB_NONE)
		return -1;
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

/* ---- follows ---------------------------------------------------------------------------------- */

static void test_follow_twice_is_one_row_and_counts_follow(void **state)
{
	struct env *e = *state;
	struct actor fan = actor_of(e, e->fan), quiet = actor_of(e, e->quiet);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ORG, e->org_id, false), KQ_OK);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ORG, e->org_id, true), KQ_OK);
	assert_int_equal(count_of(e->db, &SQL_COUNT, NULL), 1);
	assert_int_equal(follows_follow(e->db, &quiet, FOLLOW_ORG, e->org_id, false), KQ_OK);
	struct follow_state st;
	assert_int_equal(follows_state(e->db, &fan, FOLLOW_ORG, e->org_id, &st), KQ_OK);
	assert_true(st.following);
	assert_true(st.notify_by_mail);
	assert_int_equal(st.followers, 2);
	assert_int_equal(st.opted_in, 1);
	/* A visitor sees the counts, and follows nothing. */
	assert_int_equal(follows_state(e->db, NULL, FOLLOW_ORG, e->org_id, &st), KQ_OK);
	assert_false(st.following);
	assert_int_equal(st.followers, 2);
	/* Opting out, then unfollowing (twice: still fine). */
	assert_int_equal(follows_set_mail(e->db, &fan, FOLLOW_ORG, e->org_id, false), KQ_OK);
	assert_int_equal(follows_state(e->db, &fan, FOLLOW_ORG, e->org_id, &st), KQ_OK);
	assert_int_equal(st.opted_in, 0);
	assert_int_equal(follows_unfollow(e->db, &fan, FOLLOW_ORG, e->org_id), KQ_OK);
	assert_int_equal(follows_unfollow(e->db, &fan, FOLLOW_ORG, e->org_id), KQ_OK);
	assert_int_equal(follows_set_mail(e->db, &fan, FOLLOW_ORG, e->org_id, true), KQ_ERR_NOT_FOUND);
	assert_int_equal(count_of(e->db, &SQL_COUNT, NULL), 1);
	/* Following a person; what I follow, organisations first. */
	assert_int_equal(follows_follow(e->db, &quiet, FOLLOW_ACCOUNT, e->fan, false), KQ_OK);
	struct follow *mine;
	int n;
	assert_int_equal(follows_mine(e->db, &quiet, e->a, &mine, &n), KQ_OK);
	assert_int_equal(n, 2);
	assert_string_equal(mine[0].target_kind, "org");
	assert_string_equal(mine[0].target_name, "Comité des fêtes");
	assert_string_equal(mine[1].target_kind, "account");
	assert_string_equal(mine[1].target_name, "Fanny");
}

static void test_follow_refuses_bad_targets_visitors_and_suspended(void **state)
{
	struct env *e = *state;
	struct actor fan = actor_of(e, e->fan), visitor = { 0 };
	assert_int_equal(follows_follow(e->db, &visitor, FOLLOW_ORG, e->org_id, false),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ORG, e->hidden_org_id, false),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ORG, e->org_id + 1000, false),
			 KQ_ERR_NOT_FOUND);
	assert_int_equal(follows_follow(e->db, &fan, "planet", e->org_id, false), KQ_ERR_BAD_REQUEST);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ACCOUNT, e->fan, false), KQ_ERR_FOLLOWS_SELF);
	/* INVARIANT(suspended): a suspended account follows nothing. */
	char sql[128];
	snprintf(sql, sizeof(sql), "UPDATE accounts SET suspended_at = 7 WHERE id = %lld",
		 (long long)e->fan);
	assert_int_equal(db_exec(e->db, sql), DB_NONE);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ORG, e->org_id, true),
			 KQ_ERR_AUTH_SUSPENDED);
	/* Nor can a suspended person be followed. */
	struct actor quiet = actor_of(e, e->quiet);
	assert_int_equal(follows_follow(e->db, &quiet, FOLLOW_ACCOUNT, e->fan, false), KQ_ERR_NOT_FOUND);
	assert_int_equal(count_of(e->db, &SQL_COUNT, NULL), 0);
}

/* ---- announcements -------------------------------------------------------------------------------- */

/* The unsubscribe link of the last mail to `to`, and checks its headers. */
static const char *unsubscribe_token(struct env *e, const char *to)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_LAST_MAIL);
	db_bind_text(st, 1, to);
	assert_int_equal(db_step(st), DB_ROW);
	const char *body = arena_strdup(e->a, db_col_text(st, 0));
	const char *headers = arena_strdup(e->a, db_col_text(st, 1));
	db_reset(st);
	const char *p = strstr(body, "/desabonnement/");
	assert_non_null(p);
	const char *token = arena_strndup(e->a, p + strlen("/desabonnement/"), TOKEN_HEX_LEN);
	assert_non_null(strstr(headers, arena_printf(e->a, "List-Unsubscribe: <%s/desabonnement/%s>\r\n",
						      core_settings()->base_url, token)));
	assert_non_null(strstr(headers, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
	return token;
}

static void test_announce_reaches_opted_in_once_and_checks_who(void **state)
{
	struct env *e = *state;
	int64_t now = time_now();
	struct actor fan = actor_of(e, e->fan), quiet = actor_of(e, e->quiet);
	struct actor unverified = actor_of(e, e->unverified);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ORG, e->org_id, true), KQ_OK);
	assert_int_equal(follows_follow(e->db, &quiet, FOLLOW_ORG, e->org_id, false), KQ_OK);
	assert_int_equal(follows_follow(e->db, &unverified, FOLLOW_ORG, e->org_id, true), KQ_OK);
	int64_t p = post(e, e->org_id, "loto-d-hiver", "published", now - 60, e->owner);
	int64_t draft = post(e, e->org_id, "brouillon", "draft", 0, e->owner);
	int64_t ev = event(e, e->org_id, "bal-du-printemps", "published", now + 86400);
	int64_t past = event(e, e->org_id, "bal-passe", "published", now - 86400);

	struct actor box = actor_of(e, e->box), stranger = actor_of(e, e->stranger), visitor = { 0 };
	int64_t n = -1;
	assert_int_equal(follows_announce_post(e->db, &box, p, &n), KQ_ERR_FORBIDDEN);
	assert_int_equal(follows_announce_post(e->db, &stranger, p, &n), KQ_ERR_FORBIDDEN);
	assert_int_equal(follows_announce_post(e->db, &visitor, p, &n), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(follows_announce_post(e->db, &fan, p + 1000, &n), KQ_ERR_NOT_FOUND);
	struct actor editor = actor_of(e, e->editor);
	assert_int_equal(follows_announce_post(e->db, &editor, draft, &n),
			 KQ_ERR_FOLLOWS_NOT_ANNOUNCEABLE);
	assert_int_equal(follows_announce_event(e->db, &editor, past, &n),
			 KQ_ERR_FOLLOWS_NOT_ANNOUNCEABLE);
	assert_int_equal(count_of(e->db, &SQL_OUTBOX, NULL), 0);

	/* One mail, to the opted-in follower with a confirmed address. */
	assert_int_equal(follows_announce_post(e->db, &editor, p, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(count_of(e->db, &SQL_OUTBOX, NULL), 1);
	assert_int_equal(count_of(e->db, &SQL_OUTBOX_TO, "fanny@example.org"), 1);
	(void)unsubscribe_token(e, "fanny@example.org");
	/* Announcing twice sends nothing new. */
	struct actor owner = actor_of(e, e->owner);
	assert_int_equal(follows_announce_post(e->db, &owner, p, &n), KQ_ERR_FOLLOWS_ALREADY_ANNOUNCED);
	assert_int_equal(count_of(e->db, &SQL_OUTBOX, NULL), 1);
	/* The event, by the owner. */
	assert_int_equal(follows_announce_event(e->db, &owner, ev, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(count_of(e->db, &SQL_OUTBOX, NULL), 2);
	int64_t at = 0;
	assert_int_equal(follows_announced_at(e->db, "event", ev, &at), KQ_OK);
	assert_true(at > 0);
	/* The supporters page: owner and editor only. */
	struct follow_state st;
	struct follow_announcement *list;
	int k;
	assert_int_equal(follows_supporters(e->db, &box, e->org_id, e->a, &st, &list, &k),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(follows_supporters(e->db, &editor, e->org_id, e->a, &st, &list, &k), KQ_OK);
	assert_int_equal(st.followers, 3);
	assert_int_equal(st.opted_in, 2);
	assert_int_equal(k, 2);
	assert_int_equal(list[0].recipients + list[1].recipients, 2);
}

static void test_unsubscribe_token_turns_off_that_follow_only(void **state)
{
	struct env *e = *state;
	int64_t now = time_now();
	struct actor fan = actor_of(e, e->fan), editor = actor_of(e, e->editor);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ORG, e->org_id, true), KQ_OK);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ORG, e->mairie_id, true), KQ_OK);
	int64_t p = post(e, e->org_id, "vide-grenier", "published", now - 60, e->owner);
	assert_int_equal(follows_announce_post(e->db, &editor, p, NULL), KQ_OK);
	const char *token = unsubscribe_token(e, "fanny@example.org");

	/* Bad links: malformed, unknown (the hash of a token is not a token). */
	struct follow f;
	assert_int_equal(follows_unsubscribe_info(e->db, e->a, "abc", &f), KQ_ERR_FOLLOWS_LINK_INVALID);
	char other[TOKEN_HEX_LEN + 1];
	crypto_token(other);
	assert_int_equal(follows_unsubscribe(e->db, e->a, other, &f), KQ_ERR_FOLLOWS_LINK_INVALID);
	char hash[TOKEN_HASH_HEX_LEN + 1];
	crypto_token_hash(token, hash);
	assert_int_equal(follows_unsubscribe(e->db, e->a, hash, &f), KQ_ERR_FOLLOWS_LINK_INVALID);

	assert_int_equal(follows_unsubscribe_info(e->db, e->a, token, &f), KQ_OK);
	assert_string_equal(f.target_name, "Comité des fêtes");
	assert_true(f.notify_by_mail);
	assert_int_equal(follows_unsubscribe(e->db, e->a, token, &f), KQ_OK);
	assert_false(f.notify_by_mail);
	assert_int_equal(follows_unsubscribe(e->db, e->a, token, &f), KQ_OK);   /* again: no change */
	struct follow_state st;
	assert_int_equal(follows_state(e->db, &fan, FOLLOW_ORG, e->org_id, &st), KQ_OK);
	assert_true(st.following);
	assert_false(st.notify_by_mail);
	/* The mairie's mails are still on. */
	assert_int_equal(follows_state(e->db, &fan, FOLLOW_ORG, e->mairie_id, &st), KQ_OK);
	assert_true(st.notify_by_mail);
	/* The next announcement of the comité does not reach her. */
	int64_t q = post(e, e->org_id, "fete-de-la-musique", "published", now - 30, e->owner);
	int64_t n = -1;
	assert_int_equal(follows_announce_post(e->db, &editor, q, &n), KQ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(count_of(e->db, &SQL_OUTBOX_TO, "fanny@example.org"), 1);
	/* Unfollowing makes the link invalid. */
	assert_int_equal(follows_unfollow(e->db, &fan, FOLLOW_ORG, e->org_id), KQ_OK);
	assert_int_equal(follows_unsubscribe_info(e->db, e->a, token, &f), KQ_ERR_FOLLOWS_LINK_INVALID);
}

static void test_pin_is_for_public_bodies_publishers_and_visible_posts(void **state)
{
	struct env *e = *state;
	int64_t now = time_now();
	int64_t m = post(e, e->mairie_id, "travaux", "published", now - 100, e->owner);
	int64_t md = post(e, e->mairie_id, "brouillon-mairie", "draft", 0, e->owner);
	int64_t c = post(e, e->org_id, "loto", "published", now - 50, e->owner);
	struct actor editor = actor_of(e, e->editor), box = actor_of(e, e->box);
	struct actor stranger = actor_of(e, e->stranger), visitor = { 0 };
	assert_int_equal(follows_pin(e->db, &visitor, m, true), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(follows_pin(e->db, &stranger, m, true), KQ_ERR_FORBIDDEN);
	assert_int_equal(follows_pin(e->db, &box, m, true), KQ_ERR_FORBIDDEN);
	assert_int_equal(follows_pin(e->db, &editor, c, true), KQ_ERR_FOLLOWS_PIN_PUBLIC_BODY);
	assert_int_equal(follows_pin(e->db, &editor, md, true), KQ_ERR_FOLLOWS_NOT_ANNOUNCEABLE);
	assert_int_equal(follows_pin(e->db, &editor, m, true), KQ_OK);
	int64_t at = 0;
	assert_int_equal(follows_pinned_at(e->db, m, &at), KQ_OK);
	assert_true(at > 0);
	/* The highlight tops the feed of a visitor and of someone who follows nothing. */
	struct feed_page f;
	assert_int_equal(feed_home(e->db, NULL, e->a, NULL, 10, &f), KQ_OK);
	assert_int_equal(f.nhighlights, 1);
	assert_int_equal(f.highlights[0].id, m);
	assert_int_equal(f.n, 1);                 /* the loto; the highlight is not shown twice */
	assert_int_equal(f.items[0].id, c);
	struct actor fan = actor_of(e, e->fan);
	assert_int_equal(feed_home(e->db, &fan, e->a, NULL, 10, &f), KQ_OK);
	assert_int_equal(f.nhighlights, 1);
	assert_int_equal(f.n, 0);
	assert_true(f.follows_nothing);
	assert_true(f.nsuggestions >= 2);
	assert_int_equal(f.suggestions[0].id, e->mairie_id);   /* public bodies first */
	for (int i = 0; i < f.nsuggestions; i++)
		assert_true(f.suggestions[i].id != e->hidden_org_id);
	assert_int_equal(follows_pin(e->db, &editor, m, false), KQ_OK);
	assert_int_equal(feed_home(e->db, NULL, e->a, NULL, 10, &f), KQ_OK);
	assert_int_equal(f.nhighlights, 0);
	assert_int_equal(f.n, 2);
}

/* ---- the feed ---------------------------------------------------------------------------------------- */

/* The home timeline (migration 0029): a follow brings the target's posts in, a new post reaches
 * the followers, unfollowing takes them out, deleting a post deletes its rows. */
static void test_timeline_follows_unfollows_and_deletes(void **state)
{
	struct env *e = *state;
	int64_t now = time_now();
	struct actor fan = actor_of(e, e->fan);
	int64_t p1 = post(e, e->org_id, "avant-1", "published", now - 300, e->owner);
	int64_t p2 = post(e, e->org_id, "avant-2", "published", now - 200, e->owner);
	struct feed_page f;
	assert_int_equal(feed_home(e->db, &fan, e->a, NULL, 10, &f), KQ_OK);
	assert_int_equal(f.n, 0);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ORG, e->org_id, false), KQ_OK);
	assert_int_equal(feed_home(e->db, &fan, e->a, NULL, 10, &f), KQ_OK);
	assert_int_equal(f.n, 2);   /* what was published before the follow */
	assert_int_equal(f.items[0].id, p2);
	assert_int_equal(f.items[1].id, p1);
	int64_t p3 = post(e, e->org_id, "apres", "published", now - 100, e->owner);
	assert_int_equal(feed_home(e->db, &fan, e->a, NULL, 10, &f), KQ_OK);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.items[0].id, p3);
	assert_int_equal(follows_unfollow(e->db, &fan, FOLLOW_ORG, e->org_id), KQ_OK);
	assert_int_equal(feed_home(e->db, &fan, e->a, NULL, 10, &f), KQ_OK);
	assert_int_equal(f.n, 0);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ORG, e->org_id, false), KQ_OK);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ORG, e->org_id, false), KQ_OK);   /* twice */
	char sql[96];
	snprintf(sql, sizeof(sql), "DELETE FROM posts WHERE id = %lld", (long long)p3);
	assert_int_equal(db_exec(e->db, sql), DB_NONE);
	assert_int_equal(feed_home(e->db, &fan, e->a, NULL, 10, &f), KQ_OK);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.items[0].id, p2);
}

static void test_feed_is_what_i_follow_newest_first_without_hidden(void **state)
{
	struct env *e = *state;
	int64_t now = time_now();
	struct actor fan = actor_of(e, e->fan);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ORG, e->org_id, false), KQ_OK);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ACCOUNT, e->quiet, false), KQ_OK);
	int64_t a = post(e, e->org_id, "a", "published", now - 300, e->owner);
	int64_t b = post(e, e->org_id, "b", "published", now - 100, e->owner);
	int64_t hidden = post(e, e->org_id, "cachee", "published", now - 50, e->owner);
	(void)post(e, e->org_id, "brouillon", "draft", 0, e->owner);
	(void)post(e, e->mairie_id, "pas-suivie", "published", now - 10, e->owner);
	/* A citizen's own post (no organisation), from someone she follows, and
	 * from someone she does not. */
	int64_t mine = post(e, 0, "quentin-dit", "published", now - 200, e->quiet);
	(void)post(e, 0, "sam-dit", "published", now - 20, e->stranger);
	char sql[160];
	snprintf(sql, sizeof(sql), "UPDATE posts SET hidden_at = 9 WHERE id = %lld", (long long)hidden);
	assert_int_equal(db_exec(e->db, sql), DB_NONE);
	int64_t ev = event(e, e->org_id, "kermesse", "published", now + 3600);
	int64_t other_ev = event(e, e->mairie_id, "voeux", "published", now + 7200);
	int64_t hidden_ev = event(e, e->org_id, "cache", "published", now + 1800);
	snprintf(sql, sizeof(sql), "UPDATE events SET hidden_at = 9 WHERE id = %lld", (long long)hidden_ev);
	assert_int_equal(db_exec(e->db, sql), DB_NONE);

	struct feed_page f;
	assert_int_equal(feed_home(e->db, &fan, e->a, NULL, 10, &f), KQ_OK);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.items[0].id, b);
	assert_int_equal(f.items[1].id, mine);
	assert_string_equal(f.items[1].author_name, "Quentin");
	assert_int_equal(f.items[1].org_id, 0);
	assert_int_equal(f.items[2].id, a);
	assert_string_equal(f.items[0].org_name, "Comité des fêtes");
	assert_null(f.next);
	assert_false(f.follows_nothing);
	/* Events: the followed one first, then the territory's; never the hidden one. */
	assert_int_equal(f.nevents, 2);
	assert_int_equal(f.events[0].id, ev);
	assert_true(f.events[0].followed);
	assert_int_equal(f.events[1].id, other_ev);
	assert_false(f.events[1].followed);
	/* Only the person's own parts (the page keeps the shared ones). */
	assert_int_equal(feed_home_parts(e->db, &fan, e->a, NULL, 10, FEED_EVENTS_FOLLOWED, &f), KQ_OK);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.nevents, 1);
	assert_int_equal(f.events[0].id, ev);
	assert_int_equal(feed_home_parts(e->db, NULL, e->a, NULL, 1, FEED_EVENTS_TERRITORY, &f), KQ_OK);
	assert_int_equal(f.nevents, 2);
	assert_int_equal(f.events[0].id, ev);
	assert_false(f.events[0].followed);
	/* A visitor: every published, visible post. */
	assert_int_equal(feed_home(e->db, NULL, e->a, NULL, 10, &f), KQ_OK);
	assert_int_equal(f.n, 5);
	for (int i = 0; i < f.n; i++)
		assert_true(f.items[i].id != hidden);
	/* A post of an organisation hidden since leaves every feed. */
	snprintf(sql, sizeof(sql), "UPDATE organisations SET hidden_at = 9 WHERE id = %lld",
		 (long long)e->org_id);
	assert_int_equal(db_exec(e->db, sql), DB_NONE);
	assert_int_equal(feed_home(e->db, &fan, e->a, NULL, 10, &f), KQ_OK);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.items[0].id, mine);
	assert_int_equal(f.nevents, 1);
	assert_int_equal(f.events[0].id, other_ev);
}

/* INVARIANT(feed-cursor): a post published between two pages never shifts the next page. */
static void test_feed_cursor_is_stable_when_a_post_arrives(void **state)
{
	struct env *e = *state;
	int64_t now = time_now();
	struct actor fan = actor_of(e, e->fan);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ORG, e->org_id, false), KQ_OK);
	int64_t ids[7];
	/* Two posts share a second: the id breaks the tie. */
	for (int i = 0; i < 7; i++)
		ids[i] = post(e, e->org_id, arena_printf(e->a, "p%d", i), "published",
			      now - 1000 + (i == 4 ? 3 : i) * 10, e->owner);
	/* newest first: 6, 5, 4 (t=-970), 3 (t=-970), 2, 1, 0 */
	struct feed_page f1, f2, f3;
	assert_int_equal(feed_home(e->db, &fan, e->a, NULL, 3, &f1), KQ_OK);
	assert_int_equal(f1.n, 3);
	assert_int_equal(f1.items[0].id, ids[6]);
	assert_int_equal(f1.items[1].id, ids[5]);
	assert_int_equal(f1.items[2].id, ids[4]);
	assert_non_null(f1.next);
	assert_true(feed_cursor_valid(f1.next));
	/* A new post arrives between the two pages. */
	(void)post(e, e->org_id, "nouvelle", "published", now, e->owner);
	assert_int_equal(feed_home(e->db, &fan, e->a, f1.next, 3, &f2), KQ_OK);
	assert_int_equal(f2.n, 3);
	assert_int_equal(f2.items[0].id, ids[3]);
	assert_int_equal(f2.items[1].id, ids[2]);
	assert_int_equal(f2.items[2].id, ids[1]);
	assert_int_equal(f2.nhighlights, 0);      /* later pages: the stream only */
	assert_int_equal(f2.nevents, 0);
	assert_int_equal(feed_home(e->db, &fan, e->a, f2.next, 3, &f3), KQ_OK);
	assert_int_equal(f3.n, 1);
	assert_int_equal(f3.items[0].id, ids[0]);
	assert_null(f3.next);
	/* Malformed cursors are refused. */
	const char *bad[] = { "abc", "12", "-5", "1-", "1-2-3", "99999999999999999999-1", "1;2" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(feed_cursor_valid(bad[i]));
		assert_int_equal(feed_home(e->db, &fan, e->a, bad[i], 3, &f3), KQ_ERR_BAD_REQUEST);
	}
}

/* Hidden posts fill a whole batch of candidates: the walk goes on past them. */
static void test_feed_walks_past_a_run_of_hidden_posts(void **state)
{
	struct env *e = *state;
	int64_t now = time_now();
	struct actor fan = actor_of(e, e->fan);
	assert_int_equal(follows_follow(e->db, &fan, FOLLOW_ORG, e->org_id, false), KQ_OK);
	int64_t old[3];
	for (int i = 0; i < 3; i++)
		old[i] = post(e, e->org_id, arena_printf(e->a, "ancienne-%d", i), "published",
			      now - 5000 + i, e->owner);
	for (int i = 0; i < 12; i++)
		(void)post(e, e->org_id, arena_printf(e->a, "cachee-%d", i), "published", now - 100 + i,
			   e->owner);
	assert_int_equal(db_exec(e->db, "UPDATE posts SET hidden_at = 3 WHERE slug LIKE 'cachee-%'"),
			 DB_NONE);
	struct feed_page f;
	assert_int_equal(feed_home(e->db, &fan, e->a, NULL, 2, &f), KQ_OK);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.items[0].id, old[2]);
	assert_int_equal(f.items[1].id, old[1]);
	assert_non_null(f.next);
	assert_int_equal(feed_home(e->db, &fan, e->a, f.next, 2, &f), KQ_OK);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.items[0].id, old[0]);
	assert_null(f.next);
	/* A run longer than a page's rounds: a short page that links on, never
	 * a feed that stops early. */
	for (int i = 0; i < 90; i++)
		(void)post(e, e->org_id, arena_printf(e->a, "masquee-%d", i), "published", now - 50 + i,
			   e->owner);
	assert_int_equal(db_exec(e->db, "UPDATE posts SET hidden_at = 3 WHERE slug LIKE 'masquee-%'"),
			 DB_NONE);
	assert_int_equal(feed_home(e->db, &fan, e->a, NULL, 1, &f), KQ_OK);
	int pages = 1;
	while (f.n == 0 && f.next && pages < 10) {
		assert_int_equal(feed_home(e->db, &fan, e->a, f.next, 1, &f), KQ_OK);
		pages++;
	}
	assert_true(pages > 1);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.items[0].id, old[2]);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fresh, done)

int main(void)
{
	if (!crypto_init())
		return 1;
	time_init();
	i18n_init();
	const struct CMUnitTest db_tests[] = {
		T(test_follow_twice_is_one_row_and_counts_follow),
		T(test_follow_refuses_bad_targets_visitors_and_suspended),
		T(test_announce_reaches_opted_in_once_and_checks_who),
		T(test_unsubscribe_token_turns_off_that_follow_only),
		T(test_pin_is_for_public_bodies_publishers_and_visible_posts),
		T(test_feed_is_what_i_follow_newest_first_without_hidden),
		T(test_feed_cursor_is_stable_when_a_post_arrives),
		T(test_feed_walks_past_a_run_of_hidden_posts),
		T(test_timeline_follows_unfollows_and_deletes),
	};
	int failed = 0;
	TL_RUN_GROUP_BOTH(failed, "follows", db_tests, setup_sqlite, setup_pg, teardown);
	return TL_EXIT(failed);
}
