/* memberships.c (jobs): mails the reminder before a membership ends (once per membership, with the renewal link), and gives back the places of abandoned payments */
#include "jobs.h"
#include "core/memberships.h"
#include "base/log.h"
#include "base/timefmt.h"

int jobs_memberships_run(struct db *db)
{
	int sent = 0, expired = 0;
	if (memberships_expire_due(db, time_now(), 50, &expired) != KQ_OK)
		log_warn("memberships: expiry failed: %s", db_errmsg(db));
	/* Each reminder is its own transaction (memberships_remind_due): a
	 * failure leaves the rest to the next pass, and none goes twice. */
	if (memberships_remind_due(db, time_now(), 50, &sent) != KQ_OK)
		log_warn("memberships: reminders failed: %s", db_errmsg(db));
	if (sent || expired)
		log_info("memberships: %d reminders queued, %d unpaid memberships cancelled", sent, expired);
	return sent + expired;
}
