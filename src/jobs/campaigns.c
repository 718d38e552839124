/* campaigns.c: the campaigns' deadline job: settles campaigns whose end date passed and frees stale reward holds */
#include "jobs.h"
#include "core/campaigns.h"
#include "base/log.h"

int jobs_campaigns_run(struct db *db)
{
	int expired = 0, settled = 0;
	if (campaigns_expire_pending(db, &expired) != KQ_OK)
		log_warn("campaigns: expiring holds failed: %s", db_errmsg(db));
	if (campaigns_settle_due(db, &settled) != KQ_OK)
		log_warn("campaigns: settlement failed: %s", db_errmsg(db));
	if (expired || settled)
		log_info("campaigns: %d holds expired, %d settlements and refunds", expired, settled);
	return expired + settled;
}
