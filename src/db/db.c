/* db.c: backend-neutral part of the storage layer: statement cache and the transaction runner.
 *
 * Design: every statement is a static struct db_sql; db_stmt() finds the
 * connection's prepared copy by the descriptor's address (open addressing,
 * grown at half load), so a hot page prepares nothing. db_txn_run() is the
 * only way to run a transaction: it retries the whole callback on a soft
 * failure (SQLite busy, PostgreSQL serialisation or deadlock) and resets
 * every statement before COMMIT, because a RETURNING statement left
 * mid-step makes SQLite's COMMIT fail with SQLITE_BUSY forever. */
#include "db_impl.h"
#include "../base/log.h"
#include "../base/xalloc.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct db *db_open(const char *url, char *err, size_t errlen)
{
	if (strncmp(url, "sqlite:", 7) == 0)
		return db_sqlite_open(url + 7, err, errlen);
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
		return db_pg_open(url, err, errlen);
	snprintf(err, errlen, "unknown database URL \"%s\": use sqlite:PATH or postgres://...", url);
	return NULL;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->capstmts; i++) {
		struct db_stmt *st = db->stmts[i];
		if (st) {
			if (st->impl)   /* prepared, even if a bad bind broke it later */
				db->ops->finalize(st);
			free(st);
		}
	}
	free(db->stmts);
	db->ops->close(db);
}

enum db_backend db_backend(const struct db *db)
{
	return db->backend;
}

const char *db_errmsg(const struct db *db)
{
	return db->errmsg;
}

bool db_is_unique_violation(const struct db *db)
{
	return db->unique_violation;
}

void db_set_error(struct db *db, const char *msg, bool unique_violation)
{
	snprintf(db->errmsg, sizeof(db->errmsg), "%s", msg ? msg : "");
	size_t n = strlen(db->errmsg);
	while (n && (db->errmsg[n - 1] == '\n' || db->errmsg[n - 1] == ' '))
		db->errmsg[--n] = 0;
	/* PostgreSQL adds "LINE 1: ..." and DETAIL lines: keep log records on one line. */
	for (char *p = db->errmsg; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	db->unique_violation = unique_violation;
}

enum db_status db_exec(struct db *db, const char *sql)
{
	return db->ops->exec(db, sql);
}

int db_count_params(const char *sql)
{
	int max = 0;
	char quote = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			quote = *p;
			continue;
		}
		if (*p != '$')
			continue;
		if (p[1] < '0' || p[1] > '9')
			return -1;
		int n = 0;
		while (p[1] >= '0' && p[1] <= '9')
			n = n * 10 + (*++p - '0');
		if (n > max)
			max = n;
	}
	return max;
}

static size_t slot_of(const void *key, size_t cap)
{
	uintptr_t h = (uintptr_t)key;
	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 7) & (cap - 1);
}

static void cache_put(struct db *db, struct db_stmt *st)
{
	if ((db->nstmts + 1) * 2 > db->capstmts) {
		size_t cap = db->capstmts ? db->capstmts * 2 : 64;
		struct db_stmt **old = db->stmts;
		size_t oldcap = db->capstmts;
		db->stmts = xcalloc(cap, sizeof(*db->stmts));
		db->capstmts = cap;
		for (size_t i = 0; i < oldcap; i++) {
			if (!old[i])
				continue;
			size_t s = slot_of(old[i]->sql, cap);
			while (db->stmts[s])
				s = (s + 1) & (cap - 1);
			db->stmts[s] = old[i];
		}
		free(old);
	}
	size_t s = slot_of(st->sql, db->capstmts);
	while (db->stmts[s])
		s = (s + 1) & (db->capstmts - 1);
	db->stmts[s] = st;
	db->nstmts++;
}

struct db_stmt *db_stmt(struct db *db, const struct db_sql *sql)
{
	if (db->capstmts) {
		size_t s = slot_of(sql, db->capstmts);
		while (db->stmts[s]) {
			if (db->stmts[s]->sql == sql) {
				struct db_stmt *st = db->stmts[s];
				if (st->impl)
					db->ops->reset(st);
				return st;
			}
			s = (s + 1) & (db->capstmts - 1);
		}
	}
	struct db_stmt *st = xcalloc(1, sizeof(*st));
	st->db = db;
	st->sql = sql;
	const char *text = (db->backend == DB_POSTGRES && sql->sql_pg) ? sql->sql_pg : sql->sql;
	st->nparams = db_count_params(text);
	if (st->nparams < 0 || st->nparams > DB_MAX_PARAMS) {
		log_error("db: statement %s has a malformed parameter", sql->name);
		st->broken = true;
	} else if (!db->ops->prepare(db, st)) {
		log_error("db: cannot prepare %s: %s", sql->name, db->errmsg);
		st->broken = true;
	}
	cache_put(db, st);
	return st;
}

static bool param_ok(struct db_stmt *st, int n)
{
	if (st->broken)
		return false;
	if (n < 1 || n > st->nparams) {
		log_error("db: %s has no parameter $%d", st->sql->name, n);
		st->broken = true;
		return false;
	}
	return true;
}

void db_bind_i64(struct db_stmt *st, int n, int64_t v)
{
	if (param_ok(st, n))
		st->db->ops->bind_i64(st, n, v);
}

void db_bind_text(struct db_stmt *st, int n, const char *v)
{
	if (!param_ok(st, n))
		return;
	if (v)
		st->db->ops->bind_text(st, n, v, strlen(v));
	else
		st->db->ops->bind_null(st, n);
}

void db_bind_null(struct db_stmt *st, int n)
{
	if (param_ok(st, n))
		st->db->ops->bind_null(st, n);
}

void db_bind_i64_or_null(struct db_stmt *st, int n, int64_t v)
{
	if (v)
		db_bind_i64(st, n, v);
	else
		db_bind_null(st, n);
}

void db_bind_bool(struct db_stmt *st, int n, bool v)
{
	db_bind_i64(st, n, v ? 1 : 0);
}

void db_bind_blob(struct db_stmt *st, int n, const void *p, size_t len)
{
	if (param_ok(st, n))
		st->db->ops->bind_blob(st, n, p, len);
}

enum db_status db_step(struct db_stmt *st)
{
	if (st->broken) {
		db_set_error(st->db, "statement is broken (see earlier log)", false);
		return DB_HARD;
	}
	st->db->unique_violation = false;
	enum db_status s = st->db->ops->step(st);
	if (s == DB_HARD && !st->db->unique_violation)
		log_error("db: %s: %s", st->sql->name, st->db->errmsg);
	return s;
}

enum db_status db_run(struct db_stmt *st)
{
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		/* A statement with RETURNING used for its effect: drain it. */
		while ((s = db_step(st)) == DB_ROW)
			;
	}
	return s;
}

int64_t db_col_i64(struct db_stmt *st, int col)
{
	return st->db->ops->col_i64(st, col);
}

const char *db_col_text(struct db_stmt *st, int col)
{
	return st->db->ops->col_text(st, col);
}

bool db_col_bool(struct db_stmt *st, int col)
{
	const char *t = st->db->ops->col_text(st, col);
	return t && (t[0] == 't' || t[0] == '1');
}

const char *db_col_str(struct db_stmt *st, int col, struct arena *a)
{
	const char *t = st->db->ops->col_text(st, col);
	return arena_strdup(a, t ? t : "");
}

bool db_col_is_null(struct db_stmt *st, int col)
{
	return st->db->ops->col_is_null(st, col);
}

const void *db_col_blob(struct db_stmt *st, int col, size_t *out_len)
{
	return st->db->ops->col_blob(st, col, out_len);
}

void db_reset(struct db_stmt *st)
{
	if (st->impl)
		st->db->ops->reset(st);
}

int64_t db_changes(struct db_stmt *st)
{
	return st->broken ? 0 : st->db->ops->changes(st);
}

bool db_in_txn(const struct db *db)
{
	return db->txn_depth > 0;
}

static void reset_all(struct db *db)
{
	for (size_t i = 0; i < db->capstmts; i++) {
		struct db_stmt *st = db->stmts[i];
		if (st && st->impl && db->ops->busy(st))
			db->ops->reset(st);
	}
}

static void backoff(int attempt)
{
	struct timespec ts = { 0, (long)(1000000L * (1 << (attempt < 6 ? attempt : 6))) };
	nanosleep(&ts, NULL);
}

enum db_status db_read_run(struct db *db, const char *name, db_txn_fn fn, void *cls)
{
	if (db->backend == DB_SQLITE)
		return db_txn_run(db, name, DB_READ, fn, cls);
	enum db_status s = fn(db, cls);
	return s == DB_SOFT ? DB_HARD : s;
}

enum db_status db_txn_run(struct db *db, const char *name, enum db_txn_mode mode,
			  db_txn_fn fn, void *cls)
{
	enum db_status s = DB_HARD;

	/* A transaction inside a transaction joins it: the outer runner retries. */
	if (db->txn_depth > 0)
		return fn(db, cls);

	for (int attempt = 0; attempt < 12; attempt++) {
		const char *begin = mode == DB_WRITE && db->backend == DB_SQLITE
			? "BEGIN IMMEDIATE" : "BEGIN";
		s = db->ops->exec(db, begin);
		if (s == DB_SOFT) {
			backoff(attempt);
			continue;
		}
		if (s == DB_HARD) {
			log_error("db: %s: cannot begin: %s", name, db->errmsg);
			return DB_HARD;
		}
		db->txn_depth = 1;
		s = fn(db, cls);
		reset_all(db);
		if (s == DB_HARD || s == DB_SOFT) {
			char saved[sizeof(db->errmsg)];
			bool uv = db->unique_violation;
			memcpy(saved, db->errmsg, sizeof(saved));
			(void)db->ops->exec(db, "ROLLBACK");
			memcpy(db->errmsg, saved, sizeof(saved));
			db->unique_violation = uv;
			db->txn_depth = 0;
			if (s == DB_SOFT) {
				backoff(attempt);
				continue;
			}
			return DB_HARD;
		}
		enum db_status c = db->ops->exec(db, "COMMIT");
		if (c == DB_NONE) {
			db->txn_depth = 0;
			return s;
		}
		(void)db->ops->exec(db, "ROLLBACK");
		db->txn_depth = 0;
		if (c == DB_HARD) {
			log_error("db: %s: commit failed: %s", name, db->errmsg);
			return DB_HARD;
		}
		backoff(attempt);
		s = DB_SOFT;
	}
	log_warn("db: %s: gave up after repeated conflicts", name);
	return s;
}
