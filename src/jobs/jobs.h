/* jobs.h: background work in the server process (mail delivery, purges), on its own thread */
#ifndef KQ_JOBS_H
#define KQ_JOBS_H
#include <stdbool.h>
#include "db/db.h"

struct jobs_config {
	const char *smtp_url;    /* "" or NULL: mail is written to the log */
	const char *mail_from;
};

/* Starts the job thread; false if it cannot. */
bool jobs_start(const struct jobs_config *cfg);
/* Asks the thread to stop after its current step and waits for it. */
void jobs_stop(void);

/* One pass of each job, also callable from tests. Returns how many mails were handled. */
int jobs_mail_run(struct db *db, const struct jobs_config *cfg);
void jobs_purge_run(struct db *db);
/* Ticketing (expiry.c): expire holds, waiting-list offers, due refunds. Returns how many things changed. */
int jobs_expiry_run(struct db *db);

/* ---- campaigns ---- */
/* Campaigns (campaigns.c): free reward holds that ran out, settle campaigns past their end date and
 * refund the failed ones. Returns how many things changed. */
int jobs_campaigns_run(struct db *db);
/* ---- end campaigns ---- */
/* ---- memberships ---- */
/* Memberships (memberships.c): queue the reminders of memberships ending within 30 days, cancel unpaid ones
 * past the hold (their places go back). Returns how many things changed. */
int jobs_memberships_run(struct db *db);
/* ---- end memberships ---- */
/* ---- follows ---- */
/* ---- end follows ---- */
/* ---- recurring donations ---- */
/* Monthly donations (recurring.c): charge the due ones, and in January issue the annual summary
 * receipts of the past year. Returns how many things changed. */
int jobs_recurring_run(struct db *db);
/* ---- end recurring donations ---- */

#endif
