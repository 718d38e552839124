/* db.h: the one storage interface all domain code uses; SQLite and PostgreSQL behind it.
 *
 * SQL is written once, in PostgreSQL's $1..$n style, as a static struct db_sql
 * next to the code that uses it. A statement is prepared lazily, once per
 * connection, and cached by the descriptor's address. Both backends bind by
 * parameter number ($n), never by position, so "$2 ... $1" works on SQLite.
 * Values travel as text or int64; times are UTC seconds, money integer cents.
 *
 * A connection belongs to one thread at a time. */
#ifndef KQ_DB_H
#define KQ_DB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../base/arena.h"

struct db;
struct db_stmt;

enum db_status {
	DB_HARD = -2,   /* a real failure: constraint, syntax, connection lost */
	DB_SOFT = -1,   /* retrying may succeed: SQLITE_BUSY, PostgreSQL 40001/40P01 */
	DB_NONE = 0,    /* done, no (more) rows */
	DB_ROW = 1,     /* a row is ready to read */
};

enum db_backend { DB_SQLITE, DB_POSTGRES };

struct db_sql {
	const char *name;     /* unique; names the prepared statement on PostgreSQL */
	const char *sql;      /* both backends, unless sql_pg is set */
	const char *sql_pg;   /* PostgreSQL text where the dialects differ */
	/* PostgreSQL: plan with each execution's values instead of once for all. For a statement
	 * whose best plan depends on its values (a full-text query: a rare word wants the GIN
	 * index, and the generic plan of "search_tsv @@ to_tsquery($1)" read every row). */
	bool plan_each_time;
};

/* url: "sqlite:PATH" or "postgres://..." / "postgresql://...".
 * On failure returns NULL and writes one sentence into err. */
struct db *db_open(const char *url, char *err, size_t errlen);
void db_close(struct db *db);
enum db_backend db_backend(const struct db *db);
/* Text of the last error on this connection (for logs). */
const char *db_errmsg(const struct db *db);
/* The last error was a unique-constraint violation. */
bool db_is_unique_violation(const struct db *db);

/* Runs SQL with no parameters and no result (migrations, PRAGMA). */
__attribute__((warn_unused_result))
enum db_status db_exec(struct db *db, const char *sql);

/* The cached statement for sql, reset and with no bindings. Never NULL:
 * a statement that fails to prepare is a bug and is reported by db_step. */
struct db_stmt *db_stmt(struct db *db, const struct db_sql *sql);
/* n is the parameter number in the SQL ($n), starting at 1. */
void db_bind_i64(struct db_stmt *st, int n, int64_t v);
void db_bind_text(struct db_stmt *st, int n, const char *v);   /* NULL binds NULL */
void db_bind_null(struct db_stmt *st, int n);
void db_bind_i64_or_null(struct db_stmt *st, int n, int64_t v);   /* 0 binds NULL */
void db_bind_bool(struct db_stmt *st, int n, bool v);
void db_bind_blob(struct db_stmt *st, int n, const void *p, size_t len);
/* Executes on the first call, then moves row by row. */
__attribute__((warn_unused_result))
enum db_status db_step(struct db_stmt *st);
/* Column accessors, valid until the next db_step/db_reset of st. col from 0. */
int64_t db_col_i64(struct db_stmt *st, int col);
const char *db_col_text(struct db_stmt *st, int col);    /* NULL when NULL */
bool db_col_bool(struct db_stmt *st, int col);
bool db_col_is_null(struct db_stmt *st, int col);
/* The text of col copied into a; "" for NULL. */
const char *db_col_str(struct db_stmt *st, int col, struct arena *a);
const void *db_col_blob(struct db_stmt *st, int col, size_t *out_len);
void db_reset(struct db_stmt *st);
/* Steps a statement expected to change rows and return none; DB_NONE on success. */
__attribute__((warn_unused_result))
enum db_status db_run(struct db_stmt *st);
/* Rows changed by the last db_run/db_step of an INSERT/UPDATE/DELETE. */
int64_t db_changes(struct db_stmt *st);

enum db_txn_mode { DB_READ, DB_WRITE };
typedef enum db_status (*db_txn_fn)(struct db *db, void *cls);
/* Runs fn inside one transaction: BEGIN (IMMEDIATE for writes on SQLite),
 * fn, COMMIT. fn returning DB_SOFT (or a soft COMMIT failure) makes the whole
 * callback run again, up to a few times with a short backoff; DB_HARD rolls
 * back. fn may return DB_NONE or DB_ROW for success. A domain refusal is
 * reported through cls and returned as DB_HARD so nothing is kept.
 * Returns the final status: DB_NONE/DB_ROW on commit. */
__attribute__((warn_unused_result))
enum db_status db_txn_run(struct db *db, const char *name, enum db_txn_mode mode,
			  db_txn_fn fn, void *cls);
bool db_in_txn(const struct db *db);
/* Runs fn for a page's reads: in one read transaction on SQLite, where each
 * statement outside one takes and drops the file lock (a page of forty
 * statements spent more in fcntl than in SQL); as plain statements on
 * PostgreSQL, where BEGIN and COMMIT would cost two more round trips. So fn
 * must not rely on one snapshot. Inside a transaction fn joins it. */
__attribute__((warn_unused_result))
enum db_status db_read_run(struct db *db, const char *name, db_txn_fn fn, void *cls);

/* Applies pending migrations (see migrate.c). Returns false with a logged reason. */
bool db_migrate(struct db *db);

#endif
