/* recurring.h: monthly donations: the schedule, the renewals by the job runner, the one-click stop, the annual summary receipts.
 *
 * A monthly donation (recurring_donations, migration 0025) is started by
 * donations_give with monthly set: its first month is a normal donation
 * paid through the provider's page (demo card or Stripe Checkout, which
 * saves the card for later); when that payment is captured the monthly
 * donation becomes 'active' and its next charge is due on the same day of
 * the next month (Europe/Paris; the last day of a shorter month).
 *
 * recurring_run_due (the job runner) charges each due one in three steps,
 * like every payment here (payments.h):
 *   1. claim: one transaction writes the period's row of recurring_charges
 *      (primary key (recurring_id, period): INVARIANT(once-a-month)), its
 *      donation 'pending' and a payment 'created' whose idempotency key is
 *      "rec-<id>-<period>-<try>"; a crash after it leaves a row the next
 *      pass resumes with the same key;
 *   2. begin: the payment becomes 'started' only if the monthly donation is
 *      still 'active' (INVARIANT(stop): a stop that commits first cancels
 *      the payment, and the card is never charged); a 'started' one is
 *      asked again, with the same key, only after RECURRING_LEASE;
 *   3. the provider charges the saved card off-session with that key
 *      (outside any transaction), and one transaction records the answer:
 *      the capture (ledger row, donation paid, next month scheduled, thanks
 *      mail with the stop link), or a failure: retried after 2 then 4 days,
 *      and after RECURRING_MAX_TRIES tries the monthly donation is 'failed'
 *      and the donor is told by mail.
 * Transfer and on-site payments cannot be monthly.
 *
 * Receipts: a monthly gift gets no receipt of its own; the donor gets one
 * annual summary receipt per association and civil year (receipts.h),
 * issued by the job runner in January for the past year, or on request
 * from "Mes dons" once the year is over. */
#ifndef KQ_RECURRING_H
#define KQ_RECURRING_H
#include "core.h"

#define RECURRING_MAX_TRIES 3
/* A charge under way ('started') is asked again by another pass only after
 * this many seconds (the pass that began it died): never two at once. */
#define RECURRING_LEASE 600
/* ... and never once Stripe may have forgotten the key (it keeps keys 24
 * hours): past this, a charge left 'started' waits for a human rather than
 * risk a second charge. */
#define RECURRING_REPLAY_MAX (20 * 3600)

struct recurring_donation {
	int64_t id, org_id, account_id, amount_cents;
	const char *org_slug, *org_name, *currency, *provider, *status, *stop_token;
	const char *next_period;
	int day_of_month, failures;
	int64_t next_charge_at, created_at, stopped_at;
};

/* ---- inside donations.c's transactions ------------------------------------------------------ */

/* What a monthly donation starts with (the first donation's fields). */
struct recurring_new {
	int64_t org_id, account_id, amount_cents;
	const char *currency, *provider, *name, *address, *postcode, *city, *email, *lang;
};

/* Inside donations_give's transaction: writes the monthly donation
 * 'pending' from now. [out] *out_id, *out_period: the first period
 * ("2026-11", in a). */
__attribute__((warn_unused_result))
enum db_status recurring_create(struct db *db, const struct recurring_new *in, int64_t now,
				struct arena *a, int64_t *out_id, const char **out_period);
/* Inside the same transaction, once the first donation is written. */
__attribute__((warn_unused_result))
enum db_status recurring_link(struct db *db, int64_t recurring_id, const char *period,
			      int64_t donation_id, int64_t now);
/* Inside the capture of a monthly donation's payment (donations_purpose):
 * the first one activates it, every one schedules the next month (months
 * missed by more than three weeks at now are skipped, never charged in a
 * burst) and queues the thanks mail with the stop link. */
__attribute__((warn_unused_result))
enum db_status recurring_charge_paid(struct db *db, int64_t donation_id, int64_t now);
/* Inside the transaction recording a first payment that could not start:
 * the monthly donation never begins ('failed'). Nothing for a one-off gift. */
__attribute__((warn_unused_result))
enum db_status recurring_first_failed(struct db *db, int64_t donation_id, int64_t now);

/* ---- the job --------------------------------------------------------------------------------- */

/* Charges the active monthly donations due at now (at most max), each in
 * its own transactions. Not inside a transaction: it calls providers.
 * [out] *out_charged (may be NULL): renewals captured by this pass.
 * Errors: INTERNAL (the rest waits for the next pass). */
enum kq_err recurring_run_due(struct db *db, int64_t now, int max, int *out_charged);

/* ---- stopping -------------------------------------------------------------------------------- */

/* The monthly donation behind a stop link's token. Errors: NOT_FOUND, INTERNAL. */
enum kq_err recurring_get_by_token(struct db *db, struct arena *a, const char *token,
				   struct recurring_donation *out);
/* Stops it (the link in the mails). Stopping a stopped one is KQ_OK.
 * Errors: NOT_FOUND, INTERNAL. */
enum kq_err recurring_stop_by_token(struct db *db, const char *token);
/* Its donor stops it from "Mes dons". Errors: AUTH_REQUIRED, NOT_FOUND
 * (not theirs), INTERNAL. */
enum kq_err recurring_stop(struct db *db, const struct actor *who, int64_t recurring_id);

#define RECURRING_OF_ACCOUNT_MAX 50
/* The monthly donations of who, newest first. [out] list in a.
 * Errors: AUTH_REQUIRED, INTERNAL. */
enum kq_err recurring_of_account(struct db *db, const struct actor *who, struct arena *a,
				 struct recurring_donation **out, int *out_n);

/* ---- annual summary receipts ---------------------------------------------------------------- */

/* The donor asks for the summary of their monthly gifts to org_id in
 * fiscal_year (over: before the current year), issued now or found.
 * [out] *out_id the annual receipt. Errors: AUTH_REQUIRED, NOT_FOUND
 * (no paid monthly gift that year, or the association issues no
 * receipts), FORM_INVALID (the year is not over), INTERNAL. */
enum kq_err recurring_annual_request(struct db *db, const struct actor *who, int64_t org_id,
				     int fiscal_year, int64_t *out_id);
struct annual_receipt;
/* The summary id, for its donor only. [out] *out (receipts.h) in a.
 * Errors: AUTH_REQUIRED, NOT_FOUND (none, or another donor's), INTERNAL. */
enum kq_err recurring_annual_get(struct db *db, const struct actor *who, struct arena *a,
				 int64_t id, struct annual_receipt *out);
/* The job in January: issues the missing summaries of the past year
 * (at most max). [out] *out_n (may be NULL). Errors: INTERNAL. */
enum kq_err recurring_annual_issue_due(struct db *db, int64_t now, int max, int *out_n);

/* A summary the donor may ask for or download, on "Mes dons". */
struct recurring_year {
	int64_t org_id;
	const char *org_name;
	int fiscal_year;
	int64_t total_cents;
	const char *currency;
	int64_t receipt_id;           /* 0: not issued yet */
	const char *number_text;      /* "" when not issued */
};

#define RECURRING_YEARS_MAX 50
/* Per association and civil year, the paid monthly gifts of who and their
 * summary, newest first. Errors: AUTH_REQUIRED, INTERNAL. */
enum kq_err recurring_years_of_account(struct db *db, const struct actor *who, struct arena *a,
				       struct recurring_year **out, int *out_n);

/* ---- demo ------------------------------------------------------------------------------------ */

/* One monthly donation of a demo citizen (lucie.fabre), with its first
 * month paid (nothing when she has one already). Inside the demo
 * transaction. Errors: INTERNAL. */
enum kq_err recurring_load_demo(struct db *db);

/* "2026-11": the period (month in the territory's zone) of t, in a. */
char *recurring_period_of(struct arena *a, int64_t t);

#endif
