/* purge.c: deletes what has outlived its purpose: expired sessions and links, old log-in failures */
#include "jobs.h"
#include "base/log.h"
#include "base/timefmt.h"

static const struct db_sql SQL_SESSIONS = { "purge_sessions",
	"DELETE FROM sessions WHERE expires_at < $1" };
static const struct db_sql SQL_TOKENS = { "purge_tokens",
	"DELETE FROM account_tokens WHERE expires_at < $1" };
static const struct db_sql SQL_FAILURES = { "purge_failures",
	"DELETE FROM login_failures WHERE at < $1" };
/* Sent mail is kept 30 days for support questions, then dropped (personal data). */
static const struct db_sql SQL_OUTBOX = { "purge_outbox",
	"DELETE FROM outbox WHERE (sent_at IS NOT NULL OR failed_at IS NOT NULL) AND created_at < $1" };

static enum db_status purge_txn(struct db *db, void *cls)
{
	int64_t now = time_now();
	(void)cls;
	const struct { const struct db_sql *sql; int64_t before; } steps[] = {
		{ &SQL_SESSIONS, now },
		{ &SQL_TOKENS, now - 86400 },
		{ &SQL_FAILURES, now - 86400 },
		{ &SQL_OUTBOX, now - 30 * 86400 },
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct db_stmt *st = db_stmt(db, steps[i].sql);
		db_bind_i64(st, 1, steps[i].before);
		enum db_status s = db_run(st);
		if (s < 0)
			return s;
	}
	return DB_NONE;
}

void jobs_purge_run(struct db *db)
{
	if (db_txn_run(db, "purge", DB_WRITE, purge_txn, NULL) < 0)
		log_warn("purge failed: %s", db_errmsg(db));
}
