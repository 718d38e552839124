/* notify.h: mail to send goes into the outbox, inside the caller's transaction */
#ifndef KQ_NOTIFY_H
#define KQ_NOTIFY_H
#include "db/db.h"

/* Queues one mail. Must run inside a transaction (db_txn_run) so the mail
 * exists if and only if the change that causes it was committed.
 * extra_headers: "Name: value\r\n" lines or NULL. A line NOTIFY_SENDER_HEADER ": <name>"
 * names who writes (an association to its members): the mail job shows it in From,
 * "<name> via <the site's From>", and does not send that line. */
#define NOTIFY_SENDER_HEADER "X-Kiosque-Sender"
__attribute__((warn_unused_result))
enum db_status notify_enqueue(struct db *db, const char *to, const char *subject,
			      const char *body, const char *extra_headers);

/* For the mail job: claims the next due mail under a lease. [out] fields
 * are copied into the caller's buffers; DB_NONE when nothing is due. */
struct outbox_mail {
	int64_t id;
	int attempts;
	char *to, *subject, *body, *headers;   /* malloc'd; free with notify_mail_free */
};
enum db_status notify_claim(struct db *db, int64_t now, struct outbox_mail *out);
void notify_mail_free(struct outbox_mail *m);
enum db_status notify_mark_sent(struct db *db, int64_t id, int64_t now);
/* Schedules another try with backoff, or gives up after the last attempt. */
enum db_status notify_mark_failed(struct db *db, int64_t id, int attempts, const char *error,
				  int64_t now);

#endif
