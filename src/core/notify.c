/* notify.c: the mail outbox: written with the change that causes the mail, delivered by jobs/mail.c */
#include "notify.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <stdlib.h>

static const struct db_sql SQL_ENQUEUE = { "notify_enqueue",
	"INSERT INTO outbox (to_addr, subject, body_text, headers, created_at, next_attempt_at)"
	" VALUES ($1, $2, $3, $4, $5, $5)" };

/* The lease makes a second process skip a mail the first is sending; the
 * outer WHERE is re-checked on PostgreSQL after a concurrent update. */
static const struct db_sql SQL_CLAIM = { "notify_claim",
	"UPDATE outbox SET lease_until = $1 + 120, attempts = attempts + 1"
	" WHERE id = (SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
	"   AND next_attempt_at <= $1 AND lease_until < $1 ORDER BY id LIMIT 1)"
	" AND lease_until < $1"
	" RETURNING id, attempts, to_addr, subject, body_text, headers" };

static const struct db_sql SQL_SENT = { "notify_sent",
	"UPDATE outbox SET sent_at = $2, lease_until = 0 WHERE id = $1" };

static const struct db_sql SQL_RETRY = { "notify_retry",
	"UPDATE outbox SET next_attempt_at = $2, lease_until = 0, last_error = $3,"
	" failed_at = $4 WHERE id = $1" };

#define MAX_ATTEMPTS 8

enum db_status notify_enqueue(struct db *db, const char *to, const char *subject,
			      const char *body, const char *extra_headers)
{
	if (!db_in_txn(db))
		KQ_BUG("notify_enqueue outside a transaction");
	struct db_stmt *st = db_stmt(db, &SQL_ENQUEUE);
	db_bind_text(st, 1, to);
	db_bind_text(st, 2, subject);
	db_bind_text(st, 3, body);
	db_bind_text(st, 4, extra_headers ? extra_headers : "");
	db_bind_i64(st, 5, time_now());
	return db_run(st);
}

static char *dup_col(struct db_stmt *st, int col)
{
	const char *t = db_col_text(st, col);
	return xstrdup(t ? t : "");
}

enum db_status notify_claim(struct db *db, int64_t now, struct outbox_mail *out)
{
	struct db_stmt *st = db_stmt(db, &SQL_CLAIM);
	db_bind_i64(st, 1, now);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->id = db_col_i64(st, 0);
		out->attempts = (int)db_col_i64(st, 1);
		out->to = dup_col(st, 2);
		out->subject = dup_col(st, 3);
		out->body = dup_col(st, 4);
		out->headers = dup_col(st, 5);
	}
	db_reset(st);
	return s;
}

void notify_mail_free(struct outbox_mail *m)
{
	free(m->to);
	free(m->subject);
	free(m->body);
	free(m->headers);
}

enum db_status notify_mark_sent(struct db *db, int64_t id, int64_t now)
{
	struct db_stmt *st = db_stmt(db, &SQL_SENT);
	db_bind_i64(st, 1, id);
	db_bind_i64(st, 2, now);
	return db_run(st);
}

enum db_status notify_mark_failed(struct db *db, int64_t id, int attempts, const char *error,
				  int64_t now)
{
	/* 30 s, 2 min, 8 min, ... about 8 h between the last tries. */
	int64_t delay = 30;
	for (int i = 1; i < attempts && delay < 8 * 3600; i++)
		delay *= 4;
	struct db_stmt *st = db_stmt(db, &SQL_RETRY);
	db_bind_i64(st, 1, id);
	db_bind_i64(st, 2, now + delay);
	db_bind_text(st, 3, error);
	if (attempts >= MAX_ATTEMPTS)
		db_bind_i64(st, 4, now);
	else
		db_bind_null(st, 4);
	return db_run(st);
}
