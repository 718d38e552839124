/* recurring.c (jobs): renews the monthly donations that are due, and in January issues the annual summary receipts of the past year */
#include "jobs.h"
#include "core/recurring.h"
#include "base/log.h"
#include "base/timefmt.h"

int jobs_recurring_run(struct db *db)
{
	int charged = 0, summaries = 0;
	int64_t now = time_now();
	/* Each renewal is its own transactions (recurring_run_due): a pass
	 * killed mid-way is resumed by the next one, and a period is charged once. */
	if (recurring_run_due(db, now, 50, &charged) != KQ_OK)
		log_warn("recurring: renewals failed: %s", db_errmsg(db));
	if (recurring_annual_issue_due(db, now, 50, &summaries) != KQ_OK)
		log_warn("recurring: annual receipts failed: %s", db_errmsg(db));
	if (charged || summaries)
		log_info("recurring: %d monthly donations renewed, %d annual receipts issued", charged,
			 summaries);
	return charged + summaries;
}
