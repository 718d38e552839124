/* sessions.c: database sessions: 256-bit tokens stored as SHA-256, sliding expiry */
#include "sessions.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/timefmt.h"
#include <stdio.h>
#include <string.h>

static const struct db_sql SQL_INSERT = { "sessions_insert",
	"INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, expires_at,"
	" user_agent) VALUES ($1, $2, $3, $3, $4, $5)" };

static const struct db_sql SQL_LOOKUP = { "sessions_lookup",
	"SELECT a.id, a.email, a.display_name, a.platform_role, a.lang,"
	" a.email_verified_at IS NOT NULL, a.suspended_at IS NOT NULL, s.last_seen_at"
	" FROM sessions s JOIN accounts a ON a.id = s.account_id"
	" WHERE s.token_hash = $1 AND s.expires_at > $2" };

static const struct db_sql SQL_TOUCH = { "sessions_touch",
	"UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1" };

static const struct db_sql SQL_DELETE = { "sessions_delete",
	"DELETE FROM sessions WHERE token_hash = $1" };

static const struct db_sql SQL_DELETE_ALL = { "sessions_delete_all",
	"DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2" };

static const struct db_sql SQL_ACTOR = { "sessions_actor",
	"SELECT id, email, display_name, platform_role, lang, email_verified_at IS NOT NULL,"
	" suspended_at IS NOT NULL FROM accounts WHERE id = $1" };

struct create {
	int64_t account_id;
	const char *ua;
	char hash[TOKEN_HASH_HEX_LEN + 1];
};

static enum db_status create_txn(struct db *db, void *cls)
{
	struct create *c = cls;
	int64_t now = time_now();
	struct db_stmt *st = db_stmt(db, &SQL_INSERT);
	db_bind_text(st, 1, c->hash);
	db_bind_i64(st, 2, c->account_id);
	db_bind_i64(st, 3, now);
	db_bind_i64(st, 4, now + SESSION_TTL);
	db_bind_text(st, 5, c->ua);
	return db_run(st);
}

enum kq_err sessions_create(struct db *db, int64_t account_id, const char *user_agent,
			    char *out_token)
{
	char ua[200];
	struct create c = { account_id, ua, "" };
	snprintf(ua, sizeof(ua), "%s", user_agent ? user_agent : "");
	crypto_token(out_token);
	crypto_token_hash(out_token, c.hash);
	return core_db_err(db_txn_run(db, "sessions_create", DB_WRITE, create_txn, &c));
}

static void read_actor(struct db_stmt *st, struct arena *a, struct actor *out)
{
	out->account_id = db_col_i64(st, 0);
	out->email = arena_strdup(a, db_col_text(st, 1));
	out->display_name = arena_strdup(a, db_col_text(st, 2));
	out->platform_role = arena_strdup(a, db_col_text(st, 3));
	out->lang = arena_strdup(a, db_col_text(st, 4));
	out->is_verified = db_col_bool(st, 5);
}

struct touch {
	const char *hash;
	int64_t now;
};

static enum db_status touch_txn(struct db *db, void *cls)
{
	struct touch *t = cls;
	struct db_stmt *st = db_stmt(db, &SQL_TOUCH);
	db_bind_text(st, 1, t->hash);
	db_bind_i64(st, 2, t->now);
	db_bind_i64(st, 3, t->now + SESSION_TTL);
	return db_run(st);
}

enum kq_err sessions_lookup(struct db *db, struct arena *a, const char *token, struct actor *out)
{
	char hash[TOKEN_HASH_HEX_LEN + 1];
	int64_t now = time_now();
	memset(out, 0, sizeof(*out));
	if (!token || strlen(token) != TOKEN_HEX_LEN)
		return KQ_ERR_AUTH_REQUIRED;
	crypto_token_hash(token, hash);
	struct db_stmt *st = db_stmt(db, &SQL_LOOKUP);
	db_bind_text(st, 1, hash);
	db_bind_i64(st, 2, now);
	enum db_status s = db_step(st);
	if (s != DB_ROW) {
		db_reset(st);
		return s == DB_NONE ? KQ_ERR_AUTH_REQUIRED : KQ_ERR_INTERNAL;
	}
	read_actor(st, a, out);
	bool suspended = db_col_bool(st, 6);
	int64_t last_seen = db_col_i64(st, 7);
	db_reset(st);
	if (suspended) {
		memset(out, 0, sizeof(*out));
		return KQ_ERR_AUTH_SUSPENDED;
	}
	/* Slide the expiry at most every 10 minutes: a page view is a read, not a write. */
	if (now - last_seen > 600) {
		struct touch t = { hash, now };
		if (db_txn_run(db, "sessions_touch", DB_WRITE, touch_txn, &t) < 0)
			log_warn("sessions: cannot extend a session");
	}
	return KQ_OK;
}

static enum db_status delete_txn(struct db *db, void *cls)
{
	struct db_stmt *st = db_stmt(db, &SQL_DELETE);
	db_bind_text(st, 1, cls);
	return db_run(st);
}

enum kq_err sessions_delete(struct db *db, const char *token)
{
	char hash[TOKEN_HASH_HEX_LEN + 1];
	if (!token || strlen(token) != TOKEN_HEX_LEN)
		return KQ_OK;
	crypto_token_hash(token, hash);
	return core_db_err(db_txn_run(db, "sessions_delete", DB_WRITE, delete_txn, hash));
}

enum db_status sessions_delete_all(struct db *db, int64_t account_id, const char *keep_token)
{
	char hash[TOKEN_HASH_HEX_LEN + 1] = "";
	if (keep_token && strlen(keep_token) == TOKEN_HEX_LEN)
		crypto_token_hash(keep_token, hash);
	struct db_stmt *st = db_stmt(db, &SQL_DELETE_ALL);
	db_bind_i64(st, 1, account_id);
	db_bind_text(st, 2, hash);
	return db_run(st);
}

enum kq_err sessions_actor_of(struct db *db, struct arena *a, int64_t account_id,
			      struct actor *out)
{
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, &SQL_ACTOR);
	db_bind_i64(st, 1, account_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		read_actor(st, a, out);
		if (db_col_bool(st, 6)) {
			db_reset(st);
			memset(out, 0, sizeof(*out));
			return KQ_ERR_AUTH_SUSPENDED;
		}
	}
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}
