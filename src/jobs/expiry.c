/* expiry.c: the ticketing job: expire holds, serve the waiting list, send due refunds, forget old idempotency keys */
#include "jobs.h"
#include "core/orders.h"
#include "core/waitlist.h"
#include "core/payments.h"
#include "base/log.h"
#include "base/timefmt.h"

static const struct db_sql SQL_IDEM_PURGE = { "expiry_idem_purge",
	"DELETE FROM idempotency_keys WHERE created_at < $1" };

static const struct db_sql SQL_IDEM_ANY_OLD = { "expiry_idem_any_old",
	"SELECT 1 FROM idempotency_keys WHERE created_at < $1 LIMIT 1" };

static enum db_status idem_purge_txn(struct db *db, void *cls)
{
	const int64_t *before = cls;
	struct db_stmt *st = db_stmt(db, &SQL_IDEM_PURGE);
	db_bind_i64(st, 1, *before);
	return db_run(st);
}

/* One pass. Order matters: expiry frees seats, which the waiting list then
 * offers in the same pass; refunds made due anywhere are sent last. Each
 * step runs its own short transactions, so a failure of one leaves the
 * others to the next pass (every second). */
int jobs_expiry_run(struct db *db)
{
	int64_t now = time_now();
	int expired = 0, offered = 0, refunded = 0;
	if (orders_expire_due(db, now, 200, &expired) != KQ_OK)
		log_warn("expiry: expiring holds failed: %s", db_errmsg(db));
	if (waitlist_run(db, now, &offered) != KQ_OK)
		log_warn("expiry: waiting list failed: %s", db_errmsg(db));
	if (payments_refunds_run(db, 0, 50, &refunded) != KQ_OK)
		log_warn("expiry: refunds failed: %s", db_errmsg(db));
	/* Clients retry within minutes; a week is far beyond any retry. */
	int64_t before = now - 7 * 86400;
	struct db_stmt *st = db_stmt(db, &SQL_IDEM_ANY_OLD);
	db_bind_i64(st, 1, before);
	enum db_status s = db_step(st);
	db_reset(st);
	if (s == DB_ROW &&
	    db_txn_run(db, "expiry_idem_purge", DB_WRITE, idem_purge_txn, &before) < 0)
		log_warn("expiry: purging idempotency keys failed: %s", db_errmsg(db));
	if (expired || offered || refunded)
		log_info("expiry: %d orders expired, %d waiting-list offers, %d refunds sent", expired,
			 offered, refunded);
	return expired + offered + refunded;
}
