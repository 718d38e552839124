/* pg.c: the PostgreSQL backend over libpq (server-side prepared statements, text results) */
#include "db_impl.h"
#include "../base/xalloc.h"
#include <libpq-fe.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_stmt {
	char name[64];
	char *values[DB_MAX_PARAMS + 1];
	int lengths[DB_MAX_PARAMS + 1];
	int formats[DB_MAX_PARAMS + 1];
	PGresult *res;
	int row, nrows;
	bool executed;
	unsigned char *unescaped;     /* last bytea column read */
	int64_t changes;
};

static PGconn *conn(struct db *db)
{
	return db->impl;
}

static enum db_status status_of_result(struct db *db, PGresult *res)
{
	ExecStatusType t = PQresultStatus(res);
	if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK || t == PGRES_EMPTY_QUERY)
		return DB_NONE;
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorMessage(res);
	bool soft = state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0);
	db_set_error(db, msg && *msg ? msg : PQerrorMessage(conn(db)),
		     state && strcmp(state, "23505") == 0);
	return soft ? DB_SOFT : DB_HARD;
}

static void pg_close(struct db *db)
{
	PQfinish(conn(db));
	free(db);
}

static enum db_status pg_exec(struct db *db, const char *sql)
{
	PGresult *res = PQexec(conn(db), sql);
	enum db_status s = status_of_result(db, res);
	PQclear(res);
	return s;
}

static bool pg_prepare(struct db *db, struct db_stmt *st)
{
	struct pg_stmt *p = xcalloc(1, sizeof(*p));
	const char *sql = st->sql->sql_pg ? st->sql->sql_pg : st->sql->sql;
	/* The descriptor name keeps server logs readable; the cache size keeps it
	 * unique on this connection. */
	snprintf(p->name, sizeof(p->name), "%.48s_%zu", st->sql->name, db->nstmts + 1);
	PGresult *res = PQprepare(conn(db), p->name, sql, 0, NULL);
	enum db_status s = status_of_result(db, res);
	PQclear(res);
	if (s != DB_NONE) {
		free(p);
		return false;
	}
	st->impl = p;
	return true;
}

static void clear_values(struct pg_stmt *p)
{
	for (int i = 0; i <= DB_MAX_PARAMS; i++) {
		free(p->values[i]);
		p->values[i] = NULL;
		p->lengths[i] = 0;
		p->formats[i] = 0;
	}
}

static void pg_reset(struct db_stmt *st)
{
	struct pg_stmt *p = st->impl;
	if (p->res)
		PQclear(p->res);
	p->res = NULL;
	PQfreemem(p->unescaped);
	p->unescaped = NULL;
	p->executed = false;
	p->row = -1;
	p->nrows = 0;
	clear_values(p);
}

static void pg_finalize(struct db_stmt *st)
{
	pg_reset(st);
	free(st->impl);
}

static void set_value(struct db_stmt *st, int n, char *v, int len, int format)
{
	struct pg_stmt *p = st->impl;
	free(p->values[n]);
	p->values[n] = v;
	p->lengths[n] = len;
	p->formats[n] = format;
}

static void pg_bind_i64(struct db_stmt *st, int n, int64_t v)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%" PRId64, v);
	set_value(st, n, xstrdup(tmp), 0, 0);
}

static void pg_bind_text(struct db_stmt *st, int n, const char *v, size_t len)
{
	char *c = xmalloc(len + 1);
	memcpy(c, v, len);
	c[len] = 0;
	set_value(st, n, c, 0, 0);
}

static void pg_bind_null(struct db_stmt *st, int n)
{
	set_value(st, n, NULL, 0, 0);
}

static void pg_bind_blob(struct db_stmt *st, int n, const void *v, size_t len)
{
	char *c = xmalloc(len ? len : 1);
	if (len)
		memcpy(c, v, len);
	set_value(st, n, c, (int)len, 1);
}

static enum db_status pg_step(struct db_stmt *st)
{
	struct pg_stmt *p = st->impl;
	if (!p->executed) {
		p->executed = true;
		if (st->sql->plan_each_time)
			p->res = PQexecParams(conn(st->db),
					      st->sql->sql_pg ? st->sql->sql_pg : st->sql->sql,
					      st->nparams, NULL, (const char *const *)p->values + 1,
					      p->lengths + 1, p->formats + 1, 0);
		else
			p->res = PQexecPrepared(conn(st->db), p->name, st->nparams,
						(const char *const *)p->values + 1, p->lengths + 1,
						p->formats + 1, 0);
		enum db_status s = status_of_result(st->db, p->res);
		if (s != DB_NONE)
			return s;
		p->nrows = PQntuples(p->res);
		const char *ct = PQcmdTuples(p->res);
		p->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
		p->row = -1;
	}
	PQfreemem(p->unescaped);
	p->unescaped = NULL;
	if (p->row + 1 < p->nrows) {
		p->row++;
		return DB_ROW;
	}
	p->row = p->nrows;
	return DB_NONE;
}

static int64_t pg_col_i64(struct db_stmt *st, int col)
{
	struct pg_stmt *p = st->impl;
	const char *v = PQgetvalue(p->res, p->row, col);
	if (v[0] == 't')
		return 1;
	return strtoll(v, NULL, 10);
}

static const char *pg_col_text(struct db_stmt *st, int col)
{
	struct pg_stmt *p = st->impl;
	if (PQgetisnull(p->res, p->row, col))
		return NULL;
	return PQgetvalue(p->res, p->row, col);
}

static bool pg_col_is_null(struct db_stmt *st, int col)
{
	struct pg_stmt *p = st->impl;
	return PQgetisnull(p->res, p->row, col);
}

static const void *pg_col_blob(struct db_stmt *st, int col, size_t *len)
{
	struct pg_stmt *p = st->impl;
	*len = 0;
	if (PQgetisnull(p->res, p->row, col))
		return NULL;
	PQfreemem(p->unescaped);
	p->unescaped = PQunescapeBytea((const unsigned char *)PQgetvalue(p->res, p->row, col), len);
	return p->unescaped;
}

static int64_t pg_changes(struct db_stmt *st)
{
	return ((struct pg_stmt *)st->impl)->changes;
}

static bool pg_busy(struct db_stmt *st)
{
	(void)st;
	return false;   /* results are fetched whole: nothing holds the connection */
}

static const struct db_ops pg_ops = {
	pg_close, pg_exec, pg_prepare, pg_finalize, pg_bind_i64, pg_bind_text, pg_bind_null,
	pg_bind_blob, pg_step, pg_col_i64, pg_col_text, pg_col_is_null, pg_col_blob, pg_reset,
	pg_changes, pg_busy,
};

static void quiet_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

struct db *db_pg_open(const char *url, char *err, size_t errlen)
{
	PGconn *c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		/* libpq's message spans lines and tabs: fold it into one sentence. */
		char msg[300];
		size_t k = 0;
		for (const char *q = PQerrorMessage(c); *q && k + 1 < sizeof(msg); q++) {
			bool space = *q == '\n' || *q == '\t' || *q == ' ';
			if (space && (k == 0 || msg[k - 1] == ' '))
				continue;
			msg[k++] = space ? ' ' : *q;
		}
		while (k && msg[k - 1] == ' ')
			k--;
		msg[k] = 0;
		snprintf(err, errlen, "cannot connect to the PostgreSQL database: %s", msg);
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, quiet_notice, NULL);
	struct db *db = xcalloc(1, sizeof(*db));
	db->ops = &pg_ops;
	db->backend = DB_POSTGRES;
	db->impl = c;
	if (pg_exec(db, "SET TIME ZONE 'UTC'; SET client_encoding = 'UTF8'") != DB_NONE) {
		snprintf(err, errlen, "cannot set up the PostgreSQL session: %s", db->errmsg);
		pg_close(db);
		return NULL;
	}
	return db;
}
