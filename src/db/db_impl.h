/* db_impl.h: what db.c shares with its two backends (sqlite.c, pg.c); not for domain code */
#ifndef KQ_DB_IMPL_H
#define KQ_DB_IMPL_H
#include "db.h"

#define DB_MAX_PARAMS 32

struct db_ops {
	void (*close)(struct db *db);
	enum db_status (*exec)(struct db *db, const char *sql);
	bool (*prepare)(struct db *db, struct db_stmt *st);
	void (*finalize)(struct db_stmt *st);
	void (*bind_i64)(struct db_stmt *st, int n, int64_t v);
	void (*bind_text)(struct db_stmt *st, int n, const char *v, size_t len);
	void (*bind_null)(struct db_stmt *st, int n);
	void (*bind_blob)(struct db_stmt *st, int n, const void *p, size_t len);
	enum db_status (*step)(struct db_stmt *st);
	int64_t (*col_i64)(struct db_stmt *st, int col);
	const char *(*col_text)(struct db_stmt *st, int col);
	bool (*col_is_null)(struct db_stmt *st, int col);
	const void *(*col_blob)(struct db_stmt *st, int col, size_t *len);
	void (*reset)(struct db_stmt *st);
	int64_t (*changes)(struct db_stmt *st);
	bool (*busy)(struct db_stmt *st);   /* stepped but not finished */
};

struct db_stmt {
	struct db *db;
	const struct db_sql *sql;
	void *impl;
	bool broken;      /* failed to prepare: every step is DB_HARD */
	int nparams;      /* highest $n in the SQL */
};

struct db {
	const struct db_ops *ops;
	enum db_backend backend;
	void *impl;
	int txn_depth;
	bool unique_violation;
	char errmsg[512];
	/* statement cache: open addressing on the descriptor's address */
	struct db_stmt **stmts;
	size_t nstmts, capstmts;
};

void db_set_error(struct db *db, const char *msg, bool unique_violation);
/* Highest $n in sql, ignoring quoted text; -1 when $ is followed by a non-number. */
int db_count_params(const char *sql);

struct db *db_sqlite_open(const char *path, char *err, size_t errlen);
struct db *db_pg_open(const char *url, char *err, size_t errlen);

#endif
