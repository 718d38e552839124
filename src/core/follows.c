/* follows.c: follows, announcements to opted-in followers, one-click unsubscribe links, pinned highlights.
 *
 * Each write runs in one transaction through db_txn_run; a refusal is set
 * in the context (x->err) and returned as DB_HARD so nothing is kept, and
 * every callback starts by clearing it because DB_SOFT runs it again. */
#include "follows.h"
#include "feed.h"
#include "notify.h"
#include "orgs.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <stdatomic.h>
#include <string.h>

bool follows_kind_valid(const char *kind)
{
	return kind && (strcmp(kind, FOLLOW_ORG) == 0 || strcmp(kind, FOLLOW_ACCOUNT) == 0);
}

/* ---- statements ------------------------------------------------------------------------------ */

static const struct db_sql SQL_SUSPENDED = { "follows_suspended",
	"SELECT suspended_at IS NOT NULL FROM accounts WHERE id = $1" };
/* A followable organisation: exists and is not hidden. */
static const struct db_sql SQL_ORG_OK = { "follows_org_ok",
	"SELECT 1 FROM organisations WHERE id = $1 AND hidden_at IS NULL" };
static const struct db_sql SQL_ACCOUNT_OK = { "follows_account_ok",
	"SELECT 1 FROM accounts WHERE id = $1 AND suspended_at IS NULL" };
static const struct db_sql SQL_UPSERT = { "follows_upsert",
	"INSERT INTO follows (follower_id, target_kind, target_id, notify_by_mail, created_at)"
	" VALUES ($1, $2, $3, $4, $5)"
	" ON CONFLICT (follower_id, target_kind, target_id)"
	" DO UPDATE SET notify_by_mail = excluded.notify_by_mail" };
static const struct db_sql SQL_DELETE = { "follows_delete",
	"DELETE FROM follows WHERE follower_id = $1 AND target_kind = $2 AND target_id = $3" };
static const struct db_sql SQL_SET_MAIL = { "follows_set_mail",
	"UPDATE follows SET notify_by_mail = $4"
	" WHERE follower_id = $1 AND target_kind = $2 AND target_id = $3" };
static const struct db_sql SQL_MINE_STATE = { "follows_mine_state",
	"SELECT notify_by_mail FROM follows"
	" WHERE follower_id = $1 AND target_kind = $2 AND target_id = $3" };
static const struct db_sql SQL_COUNTS = { "follows_counts",
	"SELECT COUNT(*), COALESCE(SUM(CASE WHEN notify_by_mail THEN 1 ELSE 0 END), 0)"
	" FROM follows WHERE target_kind = $1 AND target_id = $2" };
static const struct db_sql SQL_MINE = { "follows_mine",
	"SELECT f.id, f.target_kind, f.target_id, COALESCE(o.slug, ''),"
	" COALESCE(o.name, a.display_name, ''), f.notify_by_mail, f.created_at"
	" FROM follows f"
	" LEFT JOIN organisations o ON f.target_kind = 'org' AND o.id = f.target_id"
	" LEFT JOIN accounts a ON f.target_kind = 'account' AND a.id = f.target_id"
	" WHERE f.follower_id = $1 AND (o.id IS NOT NULL OR a.id IS NOT NULL)"
	" ORDER BY CASE WHEN f.target_kind = 'org' THEN 0 ELSE 1 END,"
	" lower(COALESCE(o.name, a.display_name, '')), f.id LIMIT $2" };

static enum db_status one_row(struct db *db, const struct db_sql *q, int64_t id, bool *out)
{
	struct db_stmt *st = db_stmt(db, q);
	db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	*out = s == DB_ROW;
	db_reset(st);
	return s < 0 ? s : DB_NONE;
}

/* ---- follow, unfollow, mail opt-in --------------------------------------------------------------- */

struct follow_ctx {
	const struct actor *who;
	const char *kind;
	int64_t target_id;
	bool notify;
	enum kq_err err;
};

static enum db_status refuse(enum kq_err *err, enum kq_err e)
{
	*err = e;
	return DB_HARD;
}

/* INVARIANT(suspended): a suspended account cannot follow, nor opt in. */
static enum db_status check_not_suspended(struct db *db, int64_t account_id, enum kq_err *err)
{
	struct db_stmt *st = db_stmt(db, &SQL_SUSPENDED);
	db_bind_i64(st, 1, account_id);
	enum db_status s = db_step(st);
	bool suspended = s == DB_ROW && db_col_bool(st, 0);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE)
		return refuse(err, KQ_ERR_AUTH_REQUIRED);
	if (suspended)
		return refuse(err, KQ_ERR_AUTH_SUSPENDED);
	return DB_NONE;
}

static enum db_status follow_txn(struct db *db, void *cls)
{
	struct follow_ctx *x = cls;
	x->err = KQ_OK;
	enum db_status s = check_not_suspended(db, x->who->account_id, &x->err);
	if (s < 0)
		return s;
	bool ok = false;
	bool org = strcmp(x->kind, FOLLOW_ORG) == 0;
	if ((s = one_row(db, org ? &SQL_ORG_OK : &SQL_ACCOUNT_OK, x->target_id, &ok)) < 0)
		return s;
	if (!ok)
		return refuse(&x->err, KQ_ERR_NOT_FOUND);
	struct db_stmt *st = db_stmt(db, &SQL_UPSERT);
	db_bind_i64(st, 1, x->who->account_id);
	db_bind_text(st, 2, x->kind);
	db_bind_i64(st, 3, x->target_id);
	db_bind_bool(st, 4, x->notify);
	db_bind_i64(st, 5, time_now());
	if ((s = db_run(st)) < 0)
		return s;
	return feed_timeline_follow(db, x->who->account_id, x->kind, x->target_id);
}

static enum kq_err run_write(struct db *db, const char *name, db_txn_fn fn, void *cls,
			     enum kq_err *err)
{
	enum db_status s = db_txn_run(db, name, DB_WRITE, fn, cls);
	if (*err != KQ_OK)
		return *err;
	if (s < 0) {
		log_error("%s: %s", name, db_errmsg(db));
		return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}

static _Atomic uint64_t follows_gen;

uint64_t follows_generation(void)
{
	return atomic_load(&follows_gen);
}

enum kq_err follows_follow(struct db *db, const struct actor *who, const char *kind,
			   int64_t target_id, bool notify_by_mail)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!follows_kind_valid(kind))
		return KQ_ERR_BAD_REQUEST;
	if (strcmp(kind, FOLLOW_ACCOUNT) == 0 && target_id == who->account_id)
		return KQ_ERR_FOLLOWS_SELF;
	struct follow_ctx x = { who, kind, target_id, notify_by_mail, KQ_OK };
	enum kq_err e = run_write(db, "follows_follow", follow_txn, &x, &x.err);
	if (e == KQ_OK)
		atomic_fetch_add(&follows_gen, 1);
	return e;
}

static enum db_status unfollow_txn(struct db *db, void *cls)
{
	struct follow_ctx *x = cls;
	x->err = KQ_OK;
	struct db_stmt *st = db_stmt(db, &SQL_DELETE);
	db_bind_i64(st, 1, x->who->account_id);
	db_bind_text(st, 2, x->kind);
	db_bind_i64(st, 3, x->target_id);
	enum db_status s = db_run(st);
	if (s < 0)
		return s;
	return feed_timeline_unfollow(db, x->who->account_id, x->kind, x->target_id);
}

enum kq_err follows_unfollow(struct db *db, const struct actor *who, const char *kind,
			     int64_t target_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!follows_kind_valid(kind))
		return KQ_ERR_BAD_REQUEST;
	struct follow_ctx x = { who, kind, target_id, false, KQ_OK };
	enum kq_err e = run_write(db, "follows_unfollow", unfollow_txn, &x, &x.err);
	if (e == KQ_OK)
		atomic_fetch_add(&follows_gen, 1);
	return e;
}

static enum db_status set_mail_txn(struct db *db, void *cls)
{
	struct follow_ctx *x = cls;
	x->err = KQ_OK;
	enum db_status s = DB_NONE;
	if (x->notify && (s = check_not_suspended(db, x->who->account_id, &x->err)) < 0)
		return s;
	struct db_stmt *st = db_stmt(db, &SQL_SET_MAIL);
	db_bind_i64(st, 1, x->who->account_id);
	db_bind_text(st, 2, x->kind);
	db_bind_i64(st, 3, x->target_id);
	db_bind_bool(st, 4, x->notify);
	if ((s = db_run(st)) < 0)
		return s;
	if (db_changes(st) == 0)
		return refuse(&x->err, KQ_ERR_NOT_FOUND);
	return DB_NONE;
}

enum kq_err follows_set_mail(struct db *db, const struct actor *who, const char *kind,
			     int64_t target_id, bool on)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!follows_kind_valid(kind))
		return KQ_ERR_BAD_REQUEST;
	struct follow_ctx x = { who, kind, target_id, on, KQ_OK };
	return run_write(db, "follows_set_mail", set_mail_txn, &x, &x.err);
}

/* ---- reading ---------------------------------------------------------------------------------------- */

static enum kq_err counts(struct db *db, const char *kind, int64_t target_id,
			  struct follow_state *out)
{
	struct db_stmt *st = db_stmt(db, &SQL_COUNTS);
	db_bind_text(st, 1, kind);
	db_bind_i64(st, 2, target_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->followers = db_col_i64(st, 0);
		out->opted_in = db_col_i64(st, 1);
	}
	db_reset(st);
	return s == DB_ROW ? KQ_OK : KQ_ERR_INTERNAL;
}

enum kq_err follows_state(struct db *db, const struct actor *who, const char *kind,
			  int64_t target_id, struct follow_state *out)
{
	memset(out, 0, sizeof(*out));
	if (!follows_kind_valid(kind))
		return KQ_OK;
	if (counts(db, kind, target_id, out) != KQ_OK)
		return KQ_ERR_INTERNAL;
	if (!who || !who->account_id)
		return KQ_OK;
	struct db_stmt *st = db_stmt(db, &SQL_MINE_STATE);
	db_bind_i64(st, 1, who->account_id);
	db_bind_text(st, 2, kind);
	db_bind_i64(st, 3, target_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->following = true;
		out->notify_by_mail = db_col_bool(st, 0);
	}
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

static void read_follow(struct db_stmt *st, struct arena *a, struct follow *f)
{
	f->id = db_col_i64(st, 0);
	f->target_kind = db_col_str(st, 1, a);
	f->target_id = db_col_i64(st, 2);
	f->target_slug = db_col_str(st, 3, a);
	f->target_name = db_col_str(st, 4, a);
	f->notify_by_mail = db_col_bool(st, 5);
	f->created_at = db_col_i64(st, 6);
}

enum kq_err follows_mine(struct db *db, const struct actor *who, struct arena *a,
			 struct follow **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct db_stmt *st = db_stmt(db, &SQL_MINE);
	db_bind_i64(st, 1, who->account_id);
	db_bind_i64(st, 2, FOLLOWS_MINE_MAX);
	int n = 0, cap = 8;
	struct follow *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	enum db_status s = DB_NONE;
	while ((s = db_step(st)) == DB_ROW) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		read_follow(st, a, &v[n++]);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

/* ---- announcements ----------------------------------------------------------------------------------- */

/* What can be announced, with the facts that decide whether it may be. */
static const struct db_sql SQL_POST_TARGET = { "follows_post_target",
	"SELECT p.org_id, p.slug, p.title, p.status = 'published' AND p.hidden_at IS NULL"
	" AND o.hidden_at IS NULL, o.name"
	" FROM posts p JOIN organisations o ON o.id = p.org_id WHERE p.id = $1" };
static const struct db_sql SQL_EVENT_TARGET = { "follows_event_target",
	"SELECT e.org_id, e.slug, e.title, e.status IN ('published', 'postponed')"
	" AND e.hidden_at IS NULL AND o.hidden_at IS NULL"
	" AND EXISTS (SELECT 1 FROM event_dates d WHERE d.event_id = e.id"
	"   AND d.cancelled = 0 AND d.starts_at > $2), o.name"
	" FROM events e JOIN organisations o ON o.id = e.org_id WHERE e.id = $1" };
static const struct db_sql SQL_ANNOUNCED = { "follows_announced",
	"SELECT created_at FROM follow_announcements WHERE target_kind = $1 AND target_id = $2" };
/* Opted-in followers whose address was confirmed and who are not suspended:
 * a mail goes only to an address its owner proved. */
static const struct db_sql SQL_RECIPIENTS = { "follows_recipients",
	"SELECT f.id, a.email, a.display_name, a.lang FROM follows f"
	" JOIN accounts a ON a.id = f.follower_id"
	" WHERE f.target_kind = 'org' AND f.target_id = $1 AND f.notify_by_mail"
	" AND a.suspended_at IS NULL AND a.email_verified_at IS NOT NULL ORDER BY f.id" };
static const struct db_sql SQL_TOKEN_INSERT = { "follows_token_insert",
	"INSERT INTO follow_unsubscribe_tokens (token_hash, follow_id, created_at) VALUES ($1, $2, $3)" };
static const struct db_sql SQL_ANNOUNCE_INSERT = { "follows_announce_insert",
	"INSERT INTO follow_announcements (org_id, target_kind, target_id, title, recipients,"
	" sent_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)" };

struct announce_ctx {
	const struct actor *who;
	const char *kind;          /* post | event */
	int64_t target_id;
	struct arena *a;
	int64_t recipients;
	enum kq_err err;
};

struct recipient {
	int64_t follow_id;
	const char *email, *name, *lang;
};

static enum db_status queue_one(struct db *db, struct arena *a, const struct recipient *r,
				const char *org_name, const char *title, const char *link,
				int64_t now)
{
	char token[TOKEN_HEX_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1];
	crypto_token(token);
	crypto_token_hash(token, hash);
	struct db_stmt *st = db_stmt(db, &SQL_TOKEN_INSERT);
	db_bind_text(st, 1, hash);
	db_bind_i64(st, 2, r->follow_id);
	db_bind_i64(st, 3, now);
	enum db_status s = db_run(st);
	if (s < 0) {
		crypto_wipe(token, sizeof(token));
		return s;
	}
	const char *unsub = arena_printf(a, "%s/desabonnement/%s", core_settings()->base_url, token);
	crypto_wipe(token, sizeof(token));
	const char *lang = i18n_lang_or_fr(r->lang);
	const char *vars[] = { "name", r->name, "org", org_name, "title", title, "link", link,
			       "unsubscribe", unsub, "site", core_settings()->base_url, NULL };
	const char *subject = i18n_fill(a, i18n_get(lang, "mail.follows.announce.subject"), vars);
	const char *body = i18n_fill(a, i18n_get(lang, "mail.follows.announce.body"), vars);
	const char *footer = i18n_fill(a, i18n_get(lang, "mail.follows.announce.footer"), vars);
	/* RFC 8058: the URL of the header takes a POST with no cookie. The organisation writes
	 * (its name in From, notify.h). */
	const char *headers = arena_printf(a, "%s: %s\r\nList-Unsubscribe: <%s>\r\n"
					      "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
					   NOTIFY_SENDER_HEADER, org_name, unsub);
	return notify_enqueue(db, r->email, subject, arena_printf(a, "%s\n\n-- \n%s\n", body, footer),
			      headers);
}

static enum db_status announce_txn(struct db *db, void *cls)
{
	struct announce_ctx *x = cls;
	x->err = KQ_OK;
	x->recipients = 0;
	bool is_post = strcmp(x->kind, "post") == 0;
	int64_t now = time_now();
	struct db_stmt *st = db_stmt(db, is_post ? &SQL_POST_TARGET : &SQL_EVENT_TARGET);
	db_bind_i64(st, 1, x->target_id);
	if (!is_post)
		db_bind_i64(st, 2, now);
	enum db_status s = db_step(st);
	int64_t org_id = 0;
	const char *slug = "", *title = "", *org_name = "";
	bool ok = false;
	if (s == DB_ROW) {
		org_id = db_col_i64(st, 0);
		slug = db_col_str(st, 1, x->a);
		title = db_col_str(st, 2, x->a);
		ok = db_col_bool(st, 3);
		org_name = db_col_str(st, 4, x->a);
	}
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE)
		return refuse(&x->err, KQ_ERR_NOT_FOUND);
	enum kq_err e = orgs_authorize(db, x->who, org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK)
		return refuse(&x->err, e);
	if (!ok)
		return refuse(&x->err, KQ_ERR_FOLLOWS_NOT_ANNOUNCEABLE);
	st = db_stmt(db, &SQL_ANNOUNCED);
	db_bind_text(st, 1, x->kind);
	db_bind_i64(st, 2, x->target_id);
	s = db_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_ROW)
		return refuse(&x->err, KQ_ERR_FOLLOWS_ALREADY_ANNOUNCED);

	/* Read every recipient before writing: one statement at a time. */
	int n = 0, cap = 16;
	struct recipient *v = arena_alloc(x->a, sizeof(*v) * (size_t)cap);
	st = db_stmt(db, &SQL_RECIPIENTS);
	db_bind_i64(st, 1, org_id);
	while ((s = db_step(st)) == DB_ROW) {
		v = arena_grow(x->a, v, n, &cap, sizeof(*v));
		v[n].follow_id = db_col_i64(st, 0);
		v[n].email = db_col_str(st, 1, x->a);
		v[n].name = db_col_str(st, 2, x->a);
		v[n].lang = db_col_str(st, 3, x->a);
		n++;
	}
	db_reset(st);
	if (s < 0)
		return s;
	const char *link = arena_printf(x->a, "%s/%s/%s", core_settings()->base_url,
					is_post ? "actualites" : "evenements", slug);
	for (int i = 0; i < n; i++)
		if ((s = queue_one(db, x->a, &v[i], org_name, title, link, now)) < 0)
			return s;
	st = db_stmt(db, &SQL_ANNOUNCE_INSERT);
	db_bind_i64(st, 1, org_id);
	db_bind_text(st, 2, x->kind);
	db_bind_i64(st, 3, x->target_id);
	db_bind_text(st, 4, title);
	db_bind_i64(st, 5, n);
	db_bind_i64_or_null(st, 6, x->who->account_id);
	db_bind_i64(st, 7, now);
	s = db_run(st);
	/* Two announcements of the same thing at once: the second finds the first. */
	if (s == DB_HARD && db_is_unique_violation(db))
		return DB_SOFT;
	if (s < 0)
		return s;
	x->recipients = n;
	return DB_NONE;
}

static enum kq_err announce(struct db *db, const struct actor *who, const char *kind,
			    int64_t target_id, int64_t *out_recipients)
{
	if (out_recipients)
		*out_recipients = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct announce_ctx x = { who, kind, target_id, a, 0, KQ_OK };
	enum kq_err e = run_write(db, "follows_announce", announce_txn, &x, &x.err);
	arena_free(a);
	if (e == KQ_OK && out_recipients)
		*out_recipients = x.recipients;
	return e;
}

enum kq_err follows_announce_post(struct db *db, const struct actor *who, int64_t post_id,
				  int64_t *out_recipients)
{
	return announce(db, who, "post", post_id, out_recipients);
}

enum kq_err follows_announce_event(struct db *db, const struct actor *who, int64_t event_id,
				   int64_t *out_recipients)
{
	return announce(db, who, "event", event_id, out_recipients);
}

enum kq_err follows_announced_at(struct db *db, const char *target_kind, int64_t target_id,
				 int64_t *out_at)
{
	*out_at = 0;
	struct db_stmt *st = db_stmt(db, &SQL_ANNOUNCED);
	db_bind_text(st, 1, target_kind);
	db_bind_i64(st, 2, target_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		*out_at = db_col_i64(st, 0);
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

static const struct db_sql SQL_ANNOUNCEMENTS = { "follows_announcements",
	"SELECT id, target_kind, target_id, title, recipients, created_at FROM follow_announcements"
	" WHERE org_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2" };

enum kq_err follows_supporters(struct db *db, const struct actor *who, int64_t org_id,
			       struct arena *a, struct follow_state *out_state,
			       struct follow_announcement **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	memset(out_state, 0, sizeof(*out_state));
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK)
		return e;
	if ((e = follows_state(db, who, FOLLOW_ORG, org_id, out_state)) != KQ_OK)
		return e;
	struct db_stmt *st = db_stmt(db, &SQL_ANNOUNCEMENTS);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, FOLLOWS_ANNOUNCEMENTS_MAX);
	int n = 0, cap = 8;
	struct follow_announcement *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	enum db_status s = DB_NONE;
	while ((s = db_step(st)) == DB_ROW) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		v[n].id = db_col_i64(st, 0);
		v[n].target_kind = db_col_str(st, 1, a);
		v[n].target_id = db_col_i64(st, 2);
		v[n].title = db_col_str(st, 3, a);
		v[n].recipients = db_col_i64(st, 4);
		v[n].created_at = db_col_i64(st, 5);
		n++;
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

/* ---- unsubscribe links ------------------------------------------------------------------------------- */

static const struct db_sql SQL_TOKEN_FOLLOW = { "follows_token_follow",
	"SELECT f.id, f.target_kind, f.target_id, COALESCE(o.slug, ''),"
	" COALESCE(o.name, a.display_name, ''), f.notify_by_mail, f.created_at"
	" FROM follow_unsubscribe_tokens t JOIN follows f ON f.id = t.follow_id"
	" LEFT JOIN organisations o ON f.target_kind = 'org' AND o.id = f.target_id"
	" LEFT JOIN accounts a ON f.target_kind = 'account' AND a.id = f.target_id"
	" WHERE t.token_hash = $1" };
static const struct db_sql SQL_UNSUB = { "follows_unsub",
	"UPDATE follows SET notify_by_mail = FALSE WHERE id = $1" };

static bool token_shape_ok(const char *token)
{
	if (!token || strlen(token) != TOKEN_HEX_LEN)
		return false;
	for (const char *p = token; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static enum db_status token_follow(struct db *db, struct arena *a, const char *token,
				   struct follow *out)
{
	char hash[TOKEN_HASH_HEX_LEN + 1];
	crypto_token_hash(token, hash);
	struct db_stmt *st = db_stmt(db, &SQL_TOKEN_FOLLOW);
	db_bind_text(st, 1, hash);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_follow(st, a, out);
	db_reset(st);
	return s;
}

enum kq_err follows_unsubscribe_info(struct db *db, struct arena *a, const char *token,
				     struct follow *out)
{
	memset(out, 0, sizeof(*out));
	if (!token_shape_ok(token))
		return KQ_ERR_FOLLOWS_LINK_INVALID;
	enum db_status s = token_follow(db, a, token, out);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	return s == DB_ROW ? KQ_OK : KQ_ERR_FOLLOWS_LINK_INVALID;
}

struct unsub_ctx {
	struct arena *a;
	const char *token;
	struct follow f;
	enum kq_err err;
};

static enum db_status unsub_txn(struct db *db, void *cls)
{
	struct unsub_ctx *x = cls;
	x->err = KQ_OK;
	enum db_status s = token_follow(db, x->a, x->token, &x->f);
	if (s < 0)
		return s;
	if (s == DB_NONE)
		return refuse(&x->err, KQ_ERR_FOLLOWS_LINK_INVALID);
	struct db_stmt *st = db_stmt(db, &SQL_UNSUB);
	db_bind_i64(st, 1, x->f.id);
	if ((s = db_run(st)) < 0)
		return s;
	x->f.notify_by_mail = false;
	return DB_NONE;
}

enum kq_err follows_unsubscribe(struct db *db, struct arena *a, const char *token,
				struct follow *out)
{
	if (out)
		memset(out, 0, sizeof(*out));
	if (!token_shape_ok(token))
		return KQ_ERR_FOLLOWS_LINK_INVALID;
	struct unsub_ctx x = { a, token, { 0 }, KQ_OK };
	enum kq_err e = run_write(db, "follows_unsubscribe", unsub_txn, &x, &x.err);
	if (e == KQ_OK && out)
		*out = x.f;
	return e;
}

/* ---- pinned highlights ---------------------------------------------------------------------------------- */

static const struct db_sql SQL_ORG_KIND = { "follows_org_kind",
	"SELECT kind FROM organisations WHERE id = $1" };
static const struct db_sql SQL_PIN_POST = { "follows_pin_post",
	"SELECT org_id, status = 'published' AND hidden_at IS NULL FROM posts WHERE id = $1" };
static const struct db_sql SQL_PIN = { "follows_pin",
	"UPDATE posts SET pinned_at = $2 WHERE id = $1" };

enum kq_err follows_may_pin(struct db *db, const struct actor *who, int64_t org_id)
{
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK)
		return e;
	struct db_stmt *st = db_stmt(db, &SQL_ORG_KIND);
	db_bind_i64(st, 1, org_id);
	enum db_status s = db_step(st);
	bool public_body = s == DB_ROW && str_eq(db_col_text(st, 0), "public_body");
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (s == DB_NONE)
		return KQ_ERR_NOT_FOUND;
	return public_body ? KQ_OK : KQ_ERR_FOLLOWS_PIN_PUBLIC_BODY;
}

struct pin_ctx {
	const struct actor *who;
	int64_t post_id;
	bool pin;
	enum kq_err err;
};

static enum db_status pin_txn(struct db *db, void *cls)
{
	struct pin_ctx *x = cls;
	x->err = KQ_OK;
	struct db_stmt *st = db_stmt(db, &SQL_PIN_POST);
	db_bind_i64(st, 1, x->post_id);
	enum db_status s = db_step(st);
	int64_t org_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	bool visible = s == DB_ROW && db_col_bool(st, 1);
	db_reset(st);
	if (s < 0)
		return s;
	/* A person's post (no organisation) is never a public body's. */
	if (s == DB_NONE)
		return refuse(&x->err, KQ_ERR_NOT_FOUND);
	if (!org_id)
		return refuse(&x->err, x->who ? KQ_ERR_FORBIDDEN : KQ_ERR_AUTH_REQUIRED);
	enum kq_err e = follows_may_pin(db, x->who, org_id);
	if (e != KQ_OK)
		return refuse(&x->err, e);
	if (x->pin && !visible)
		return refuse(&x->err, KQ_ERR_FOLLOWS_NOT_ANNOUNCEABLE);
	st = db_stmt(db, &SQL_PIN);
	db_bind_i64(st, 1, x->post_id);
	db_bind_i64_or_null(st, 2, x->pin ? time_now() : 0);
	return db_run(st);
}

static const struct db_sql SQL_PINNED_AT = { "follows_pinned_at",
	"SELECT COALESCE(pinned_at, 0) FROM posts WHERE id = $1" };

enum kq_err follows_pinned_at(struct db *db, int64_t post_id, int64_t *out_at)
{
	*out_at = 0;
	struct db_stmt *st = db_stmt(db, &SQL_PINNED_AT);
	db_bind_i64(st, 1, post_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		*out_at = db_col_i64(st, 0);
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

static _Atomic uint64_t pins_generation;

uint64_t follows_pins_generation(void)
{
	return atomic_load(&pins_generation);
}

enum kq_err follows_pin(struct db *db, const struct actor *who, int64_t post_id, bool pin)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct pin_ctx x = { who, post_id, pin, KQ_OK };
	enum kq_err e = run_write(db, "follows_pin", pin_txn, &x, &x.err);
	if (e == KQ_OK)
		atomic_fetch_add(&pins_generation, 1);
	return e;
}

/* ---- the demo territory ------------------------------------------------------------------------------------ */

static const struct db_sql SQL_DEMO_ACCOUNT = { "follows_demo_account",
	"SELECT id FROM accounts WHERE email_lower = $1" };
static const struct db_sql SQL_DEMO_ORG = { "follows_demo_org",
	"SELECT id FROM organisations WHERE slug = $1" };
static const struct db_sql SQL_DEMO_FOLLOW = { "follows_demo_follow",
	"INSERT INTO follows (follower_id, target_kind, target_id, notify_by_mail, created_at)"
	" VALUES ($1, 'org', $2, $3, $4) ON CONFLICT (follower_id, target_kind, target_id) DO NOTHING" };
static const struct db_sql SQL_DEMO_PIN = { "follows_demo_pin",
	"UPDATE posts SET pinned_at = $2 WHERE id = (SELECT p.id FROM posts p"
	" JOIN organisations o ON o.id = p.org_id WHERE o.slug = $1 AND o.kind = 'public_body'"
	" AND p.status = 'published' ORDER BY p.published_at DESC, p.id DESC LIMIT 1)" };

static const struct {
	const char *email, *org;
	bool mail;
} demo_follows[] = {
	{ "fatou.diallo@example.org", "comite-des-fetes-vesqueval", true },
	{ "fatou.diallo@example.org", "repare-et-partage", false },
	{ "fatou.diallo@example.org", "mairie-vesqueval", true },
	{ "lucie.fabre@example.org", "boulangerie-chabert", false },
	{ "lucie.fabre@example.org", "chevrerie-des-granges", true },
	{ "lucie.fabre@example.org", "comite-des-fetes-vesqueval", false },
	{ "camille.arnaud@example.org", "mairie-vesqueval", false },
};

static int64_t demo_id(struct db *db, const struct db_sql *q, const char *key, bool *failed)
{
	struct db_stmt *st = db_stmt(db, q);
	db_bind_text(st, 1, key);
	enum db_status s = db_step(st);
	int64_t id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		*failed = true;
	return id;
}

enum kq_err follows_load_demo(struct db *db)
{
	if (!db_in_txn(db))
		KQ_BUG("follows_load_demo outside a transaction");
	bool failed = false;
	int64_t now = time_now();
	for (size_t i = 0; !failed && i < sizeof(demo_follows) / sizeof(demo_follows[0]); i++) {
		int64_t who = demo_id(db, &SQL_DEMO_ACCOUNT, demo_follows[i].email, &failed);
		int64_t org = demo_id(db, &SQL_DEMO_ORG, demo_follows[i].org, &failed);
		if (!who || !org)
			continue;   /* a demo without that person or organisation */
		struct db_stmt *st = db_stmt(db, &SQL_DEMO_FOLLOW);
		db_bind_i64(st, 1, who);
		db_bind_i64(st, 2, org);
		db_bind_bool(st, 3, demo_follows[i].mail);
		db_bind_i64(st, 4, now - 86400 * (int64_t)(i + 1));
		if (db_run(st) < 0 || feed_timeline_follow(db, who, FOLLOW_ORG, org) < 0)
			failed = true;
	}
	if (!failed) {
		struct db_stmt *st = db_stmt(db, &SQL_DEMO_PIN);
		db_bind_text(st, 1, "mairie-vesqueval");
		db_bind_i64(st, 2, now - 3600);
		if (db_run(st) < 0)
			failed = true;
	}
	return failed ? KQ_ERR_INTERNAL : KQ_OK;
}
