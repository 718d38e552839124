/* apitokens.c: personal API tokens: "kq_" + 256 random bits, shown once, stored as SHA-256, revocable.
 *
 * The database keeps the hash of the whole string ("kq_" included) and the
 * first 8 characters after "kq_", so a person can tell tokens apart in a
 * list without the list being able to authenticate anything. Use is
 * recorded in last_used_at at most every 10 minutes: an API call is a read
 * and should not become a write each time. */
#include "apitokens.h"
#include "sessions.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

#define TOKEN_PREFIX "kq_"
#define TOKEN_PREFIX_LEN 3
#define API_TOKEN_LEN (TOKEN_PREFIX_LEN + TOKEN_HEX_LEN)
#define SHOWN_PREFIX_LEN 8
#define NAME_MAX_CHARS 80
#define TOUCH_INTERVAL 600

static const struct db_sql SQL_INSERT = { "apitokens_insert",
	"INSERT INTO api_tokens (account_id, name, prefix, token_hash, created_at)"
	" VALUES ($1, $2, $3, $4, $5)" };

static const struct db_sql SQL_LIST = { "apitokens_list",
	"SELECT id, name, prefix, created_at, COALESCE(last_used_at, 0) FROM api_tokens"
	" WHERE account_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC" };

/* INVARIANT(token-owner): the account is in the WHERE, so nobody revokes
 * someone else's token, and the answer is the same as for no token at all. */
static const struct db_sql SQL_REVOKE = { "apitokens_revoke",
	"UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND account_id = $2"
	" AND revoked_at IS NULL" };

static const struct db_sql SQL_FIND = { "apitokens_find",
	"SELECT id, account_id, COALESCE(last_used_at, 0) FROM api_tokens"
	" WHERE token_hash = $1 AND revoked_at IS NULL" };

static const struct db_sql SQL_TOUCH = { "apitokens_touch",
	"UPDATE api_tokens SET last_used_at = $2 WHERE id = $1" };

struct create {
	int64_t account_id;
	const char *name, *prefix, *hash;
};

static enum db_status create_txn(struct db *db, void *cls)
{
	struct create *c = cls;
	struct db_stmt *st = db_stmt(db, &SQL_INSERT);
	db_bind_i64(st, 1, c->account_id);
	db_bind_text(st, 2, c->name);
	db_bind_text(st, 3, c->prefix);
	db_bind_text(st, 4, c->hash);
	db_bind_i64(st, 5, time_now());
	return db_run(st);
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || !str_utf8_valid(name, n) || str_utf8_len(name) > NAME_MAX_CHARS)
		return false;
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

enum kq_err apitokens_create(struct db *db, const struct actor *who, const char *name,
			     struct arena *a, struct field_errors *fe, const char **out_token)
{
	char raw[TOKEN_HEX_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1];
	*out_token = NULL;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	const char *clean = str_trim(a, name);
	if (!name_ok(clean)) {
		field_error_add(fe, "name", "apitokens.field.name_invalid");
		return KQ_ERR_FORM_INVALID;
	}
	crypto_token(raw);
	char *token = arena_printf(a, TOKEN_PREFIX "%s", raw);
	crypto_wipe(raw, sizeof(raw));
	crypto_token_hash(token, hash);
	struct create c = { who->account_id, clean,
			    arena_strndup(a, token + TOKEN_PREFIX_LEN, SHOWN_PREFIX_LEN), hash };
	enum kq_err e = core_db_err(db_txn_run(db, "apitokens_create", DB_WRITE, create_txn, &c));
	if (e != KQ_OK) {
		crypto_wipe(token, strlen(token));
		return e;
	}
	*out_token = token;
	return KQ_OK;
}

enum kq_err apitokens_list(struct db *db, const struct actor *who, struct arena *a,
			   struct api_token **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct db_stmt *st = db_stmt(db, &SQL_LIST);
	db_bind_i64(st, 1, who->account_id);
	int cap = 0, n = 0;
	struct api_token *v = NULL;
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		if (n == cap) {
			int ncap = cap ? cap * 2 : 8;
			struct api_token *nv = arena_alloc(a, sizeof(*nv) * (size_t)ncap);
			if (n)
				memcpy(nv, v, sizeof(*v) * (size_t)n);
			v = nv;
			cap = ncap;
		}
		v[n].id = db_col_i64(st, 0);
		v[n].name = arena_strdup(a, db_col_text(st, 1));
		v[n].prefix = arena_strdup(a, db_col_text(st, 2));
		v[n].created_at = db_col_i64(st, 3);
		v[n].last_used_at = db_col_i64(st, 4);
		n++;
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

struct revoke {
	int64_t id, account_id;
	bool done;
};

static enum db_status revoke_txn(struct db *db, void *cls)
{
	struct revoke *r = cls;
	struct db_stmt *st = db_stmt(db, &SQL_REVOKE);
	db_bind_i64(st, 1, r->id);
	db_bind_i64(st, 2, r->account_id);
	db_bind_i64(st, 3, time_now());
	enum db_status s = db_run(st);
	r->done = s == DB_NONE && db_changes(st) == 1;
	return s;
}

enum kq_err apitokens_revoke(struct db *db, const struct actor *who, int64_t id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct revoke r = { id, who->account_id, false };
	enum kq_err e = core_db_err(db_txn_run(db, "apitokens_revoke", DB_WRITE, revoke_txn, &r));
	if (e != KQ_OK)
		return e;
	return r.done ? KQ_OK : KQ_ERR_NOT_FOUND;
}

struct touch {
	int64_t id, now;
};

static enum db_status touch_txn(struct db *db, void *cls)
{
	struct touch *t = cls;
	struct db_stmt *st = db_stmt(db, &SQL_TOUCH);
	db_bind_i64(st, 1, t->id);
	db_bind_i64(st, 2, t->now);
	return db_run(st);
}

static bool well_formed(const char *token)
{
	if (!token || strlen(token) != API_TOKEN_LEN || !str_starts(token, TOKEN_PREFIX))
		return false;
	for (const char *p = token + TOKEN_PREFIX_LEN; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

enum kq_err apitokens_authenticate(struct db *db, struct arena *a, const char *token,
				   struct actor *out)
{
	char hash[TOKEN_HASH_HEX_LEN + 1];
	memset(out, 0, sizeof(*out));
	if (!well_formed(token))
		return KQ_ERR_AUTH_TOKEN_INVALID;
	crypto_token_hash(token, hash);
	struct db_stmt *st = db_stmt(db, &SQL_FIND);
	db_bind_text(st, 1, hash);
	enum db_status s = db_step(st);
	struct touch t = { 0, time_now() };
	int64_t account_id = 0, last_used = 0;
	if (s == DB_ROW) {
		t.id = db_col_i64(st, 0);
		account_id = db_col_i64(st, 1);
		last_used = db_col_i64(st, 2);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (s == DB_NONE)
		return KQ_ERR_AUTH_TOKEN_INVALID;
	enum kq_err e = sessions_actor_of(db, a, account_id, out);
	if (e == KQ_ERR_NOT_FOUND)
		return KQ_ERR_AUTH_TOKEN_INVALID;
	if (e != KQ_OK)
		return e;
	if (t.now - last_used >= TOUCH_INTERVAL &&
	    db_txn_run(db, "apitokens_touch", DB_WRITE, touch_txn, &t) < 0)
		log_warn("apitokens: cannot record a token's use");
	return KQ_OK;
}
