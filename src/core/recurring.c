/* recurring.c: monthly donations: schedule, renewals (claim, begin, charge, record), stop, annual summaries
 *
 * See recurring.h for the three steps of a renewal and the invariants they
 * keep (migration 0025). The money path steps through faults_step and
 * faults_run, so tests can kill it after any statement. */
#include "recurring.h"
#include "donations.h"
#include "faults.h"
#include "notify.h"
#include "payments.h"
#include "receipts.h"
#include "tickets.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- the calendar (Europe/Paris, the process's TZ: time_init) ------------------------------- */

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* 08:00 local on day (clamped to the month) of month m (1..12, may be 13) of y. */
static int64_t charge_time(int y, int m, int day)
{
	if (m > 12) {
		y++;
		m -= 12;
	}
	int dim = days_in_month(y, m);
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = day < dim ? day : dim;
	tm.tm_hour = 8;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static void local_ym(int64_t t, int *y, int *m, int *d)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	if (d)
		*d = tm.tm_mday;
}

char *recurring_period_of(struct arena *a, int64_t t)
{
	int y = 0, m = 0;
	local_ym(t, &y, &m, NULL);
	return arena_printf(a, "%04d-%02d", y, m);
}

/* The period after "YYYY-MM" and when it is charged. */
static bool period_next(struct arena *a, const char *period, int day, const char **out_period,
			int64_t *out_at)
{
	int y = 0, m = 0;
	if (!period || sscanf(period, "%d-%d", &y, &m) != 2 || m < 1 || m > 12)
		return false;
	*out_at = charge_time(y, m + 1, day);
	if (++m > 12) {
		m = 1;
		y++;
	}
	*out_period = arena_printf(a, "%04d-%02d", y, m);
	return true;
}

/* Retries of a failed renewal: 2 days after the first try, 4 after the second. */
static int64_t retry_delay(int failures)
{
	return failures <= 1 ? 2 * 86400 : 4 * 86400;
}

/* ---- creation, inside donations_give's transaction ------------------------------------------- */

static const struct db_sql SQL_CREATE = { "recurring_create",
	"INSERT INTO recurring_donations (org_id, account_id, amount_cents, currency, provider,"
	" status, day_of_month, next_charge_at, next_period, stop_token, donor_name, donor_address,"
	" donor_postcode, donor_city, donor_email, lang, created_at, charge_key)"
	" VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
	" $17)"
	" RETURNING id" };
static const struct db_sql SQL_LINK = { "recurring_link",
	"INSERT INTO recurring_charges (recurring_id, period, donation_id, attempts, created_at)"
	" VALUES ($1, $2, $3, 1, $4)" };

enum db_status recurring_create(struct db *db, const struct recurring_new *in, int64_t now,
				struct arena *a, int64_t *out_id, const char **out_period)
{
	*out_id = 0;
	*out_period = NULL;
	int y = 0, m = 0, d = 0;
	local_ym(now, &y, &m, &d);
	const char *period = arena_printf(a, "%04d-%02d", y, m), *next = NULL;
	int64_t at = 0;
	if (!period_next(a, period, d, &next, &at))
		return DB_HARD;
	char token[TOKEN_HEX_LEN + 1];
	crypto_token(token);
	struct db_stmt *st = db_stmt(db, &SQL_CREATE);
	db_bind_i64(st, 1, in->org_id);
	db_bind_i64(st, 2, in->account_id);
	db_bind_i64(st, 3, in->amount_cents);
	db_bind_text(st, 4, in->currency);
	db_bind_text(st, 5, in->provider);
	db_bind_i64(st, 6, d);
	db_bind_i64(st, 7, at);
	db_bind_text(st, 8, next);
	db_bind_text(st, 9, token);
	db_bind_text(st, 10, in->name);
	db_bind_text(st, 11, in->address);
	db_bind_text(st, 12, in->postcode);
	db_bind_text(st, 13, in->city);
	db_bind_text(st, 14, in->email);
	db_bind_text(st, 15, in->lang);
	db_bind_i64(st, 16, now);
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	key[24] = 0;
	db_bind_text(st, 17, key);
	enum db_status s = faults_step(st);
	if (s == DB_ROW)
		*out_id = db_col_i64(st, 0);
	db_reset(st);
	*out_period = period;
	return s == DB_ROW ? DB_NONE : s < 0 ? s : DB_HARD;
}

enum db_status recurring_link(struct db *db, int64_t recurring_id, const char *period,
			      int64_t donation_id, int64_t now)
{
	struct db_stmt *st = db_stmt(db, &SQL_LINK);
	db_bind_i64(st, 1, recurring_id);
	db_bind_text(st, 2, period);
	db_bind_i64(st, 3, donation_id);
	db_bind_i64(st, 4, now);
	return faults_run(st);
}

/* ---- what a capture or a failed start does ---------------------------------------------------- */

static const struct db_sql SQL_CHARGE_OF = { "recurring_charge_of",
	"SELECT r.id, c.period, r.day_of_month, r.stop_token, r.donor_email, r.donor_name, r.lang,"
	" r.amount_cents, r.currency, o.name, d.secret"
	" FROM recurring_charges c JOIN recurring_donations r ON r.id = c.recurring_id"
	" JOIN organisations o ON o.id = r.org_id JOIN donations d ON d.id = c.donation_id"
	" WHERE c.donation_id = $1" };
/* The next month is scheduled only from the period just paid, never
 * backwards (a late capture of an old period leaves a later schedule). */
static const struct db_sql SQL_ADVANCE = { "recurring_advance",
	"UPDATE recurring_donations SET status = CASE WHEN status = 'pending' THEN 'active'"
	" ELSE status END, next_charge_at = $2, next_period = $3, failures = 0"
	" WHERE id = $1 AND next_period <= $3 AND status IN ('pending', 'active')" };
static const struct db_sql SQL_FIRST_FAILED = { "recurring_first_failed",
	"UPDATE recurring_donations SET status = 'failed', stopped_at = $2"
	" WHERE id = (SELECT recurring_id FROM donations WHERE id = $1) AND status = 'pending'" };

static const char *stop_link(struct arena *a, const char *token)
{
	return arena_printf(a, "%s/dons/mensuel/%s", core_settings()->base_url, token);
}

/* A mail about a monthly donation, queued in the caller's transaction. */
static enum db_status mail(struct db *db, struct arena *a, const char *what, const char *to,
			   const char *name, const char *lang, int64_t amount, const char *currency,
			   const char *org, const char *token, const char *donation_secret)
{
	lang = i18n_lang_or_fr(lang);
	const char *vars[] = {
		"name", name, "org", org,
		"amount", tickets_money_format(a, amount, currency, lang),
		"stop", stop_link(a, token),
		"link", donation_secret ? arena_printf(a, "%s/dons/%s", core_settings()->base_url,
						       donation_secret) : "",
		"account", arena_printf(a, "%s/compte/dons", core_settings()->base_url),
		NULL,
	};
	const char *subject = i18n_fill(a, i18n_get(lang, arena_printf(a, "recurring.mail.%s.subject",
									     what)), vars);
	const char *body = i18n_fill(a, i18n_get(lang, arena_printf(a, "recurring.mail.%s.body", what)),
				     vars);
	return notify_enqueue(db, to, subject, body, NULL);
}

enum db_status recurring_charge_paid(struct db *db, int64_t donation_id, int64_t now)
{
	struct arena *a = arena_new();
	struct db_stmt *st = db_stmt(db, &SQL_CHARGE_OF);
	db_bind_i64(st, 1, donation_id);
	enum db_status s = faults_step(st);
	if (s != DB_ROW) {
		db_reset(st);
		arena_free(a);
		return s < 0 ? s : DB_NONE;   /* a one-off gift */
	}
	int64_t rid = db_col_i64(st, 0);
	const char *period = db_col_str(st, 1, a);
	int day = (int)db_col_i64(st, 2);
	const char *token = db_col_str(st, 3, a), *to = db_col_str(st, 4, a);
	const char *name = db_col_str(st, 5, a), *lang = db_col_str(st, 6, a);
	int64_t amount = db_col_i64(st, 7);
	const char *currency = db_col_str(st, 8, a), *org = db_col_str(st, 9, a);
	const char *secret = db_col_str(st, 10, a);
	db_reset(st);
	const char *next = NULL;
	int64_t at = 0;
	if (!period_next(a, period, day, &next, &at)) {
		arena_free(a);
		return DB_HARD;
	}
	/* Months missed while nothing ran (a server down for weeks) are not
	 * charged all at once: the next charge is the first one still ahead
	 * of now, or less than three weeks behind it. */
	for (int i = 0; i < 24 && at < now - 21 * 86400; i++)
		if (!period_next(a, next, day, &next, &at)) {
			arena_free(a);
			return DB_HARD;
		}
	st = db_stmt(db, &SQL_ADVANCE);
	db_bind_i64(st, 1, rid);
	db_bind_i64(st, 2, at);
	db_bind_text(st, 3, next);
	s = faults_run(st);
	if (s >= 0)
		s = mail(db, a, "thanks", to, name, lang, amount, currency, org, token, secret);
	arena_free(a);
	return s < 0 ? s : DB_NONE;
}

enum db_status recurring_first_failed(struct db *db, int64_t donation_id, int64_t now)
{
	struct db_stmt *st = db_stmt(db, &SQL_FIRST_FAILED);
	db_bind_i64(st, 1, donation_id);
	db_bind_i64(st, 2, now);
	enum db_status s = faults_run(st);
	return s < 0 ? s : DB_NONE;
}

/* ---- the job: claim, begin, charge, record ------------------------------------------------------ */

static const struct db_sql SQL_DUE = { "recurring_due",
	"SELECT id FROM recurring_donations WHERE status = 'active' AND next_charge_at <= $1"
	" ORDER BY next_charge_at, id LIMIT $2" };
static const struct db_sql SQL_LOAD = { "recurring_load",
	"SELECT r.org_id, COALESCE(r.account_id, 0), r.amount_cents, r.currency, r.provider, r.status,"
	" r.next_charge_at, r.next_period, r.provider_customer, r.provider_method, r.donor_name,"
	" r.donor_address, r.donor_postcode, r.donor_city, r.donor_email, r.lang, r.charge_key"
	" FROM recurring_donations r WHERE r.id = $1" };
static const struct db_sql SQL_PERIOD_GET = { "recurring_period_get",
	"SELECT donation_id, attempts FROM recurring_charges WHERE recurring_id = $1 AND period = $2" };
/* The period's key: a second runner's insert of the same key finds it
 * (or, on PostgreSQL, waits for the first to commit, then finds it). */
static const struct db_sql SQL_DONATION_INSERT = { "recurring_donation_insert",
	"INSERT INTO donations (org_id, kind, amount_cents, currency, donor_name, donor_address,"
	" donor_postcode, donor_city, donor_email, account_id, lang, provider, status, secret,"
	" idempotency_key, request_hash, created_at, recurring_id)"
	" VALUES ($1, 'once', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, $13, '',"
	" $14, $15) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id" };
static const struct db_sql SQL_LAST_PAYMENT = { "recurring_last_payment",
	"SELECT id, status, idempotency_key, updated_at FROM payments WHERE donation_id = $1"
	" ORDER BY id DESC LIMIT 1" };
static const struct db_sql SQL_ATTEMPT = { "recurring_attempt",
	"UPDATE recurring_charges SET attempts = attempts + 1 WHERE recurring_id = $1 AND period = $2"
	" RETURNING attempts" };
static const struct db_sql SQL_SET_KEY = { "recurring_set_key",
	"UPDATE payments SET idempotency_key = $2 WHERE id = $1" };
/* INVARIANT(stop): the last word before the card is charged. */
static const struct db_sql SQL_BEGIN = { "recurring_begin",
	"UPDATE payments SET status = 'started', updated_at = $2 WHERE id = $1 AND status = 'created'"
	" AND EXISTS (SELECT 1 FROM recurring_donations WHERE id = $3 AND status = 'active')"
	" RETURNING id" };
static const struct db_sql SQL_PAYMENT_STATUS = { "recurring_payment_status",
	"SELECT status, updated_at FROM payments WHERE id = $1" };
static const struct db_sql SQL_CHARGE_FAILED = { "recurring_charge_failed",
	"UPDATE payments SET status = 'failed', updated_at = $2 WHERE id = $1 AND status = 'started'"
	" RETURNING id" };
static const struct db_sql SQL_FAILURE = { "recurring_failure",
	"UPDATE recurring_donations SET failures = failures + 1,"
	" status = CASE WHEN failures + 1 >= $3 THEN 'failed' ELSE status END,"
	" stopped_at = CASE WHEN failures + 1 >= $3 THEN $2 ELSE stopped_at END,"
	" next_charge_at = CASE WHEN failures + 1 >= $3 THEN next_charge_at ELSE $4 END"
	" WHERE id = $1 AND status = 'active'"
	" RETURNING status, donor_email, donor_name, lang, amount_cents, currency, stop_token,"
	" (SELECT name FROM organisations WHERE id = org_id)" };
static const struct db_sql SQL_FAILURE_COUNT = { "recurring_failure_count",
	"SELECT failures FROM recurring_donations WHERE id = $1" };
static const struct db_sql SQL_DONATION_CANCEL = { "recurring_donation_cancel",
	"UPDATE donations SET status = 'cancelled', cancelled_at = $2 WHERE id = $1"
	" AND status = 'pending'" };
static const struct db_sql SQL_LATER = { "recurring_later",
	"UPDATE recurring_donations SET next_charge_at = $2 WHERE id = $1" };
static const struct db_sql SQL_SAVE_METHOD = { "recurring_save_method",
	"UPDATE recurring_donations SET provider_customer = $2, provider_method = $3 WHERE id = $1" };
static const struct db_sql SQL_FIRST_REF = { "recurring_first_ref",
	"SELECT p.provider_ref FROM payments p JOIN donations d ON d.id = p.donation_id"
	" WHERE d.recurring_id = $1 AND p.status = 'captured' AND p.provider_ref IS NOT NULL"
	" ORDER BY p.id LIMIT 1" };

struct renewal {
	int64_t id, now;
	struct arena *a;
	/* loaded */
	int64_t org_id, account_id, amount, next_charge_at;
	const char *currency, *provider, *status, *period, *customer, *method;
	const char *name, *address, *postcode, *city, *email, *lang, *charge_key;
	/* claimed */
	bool go;
	int64_t donation_id, payment_id;
	const char *key;
	/* recorded */
	const struct payment_state *state;
	bool paid;                    /* the provider says paid (input of the record) */
	bool captured;                /* this pass captured it */
	int64_t refund_id;
};

static enum db_status load(struct db *db, struct renewal *x)
{
	struct db_stmt *st = db_stmt(db, &SQL_LOAD);
	db_bind_i64(st, 1, x->id);
	enum db_status s = faults_step(st);
	if (s == DB_ROW) {
		struct arena *a = x->a;
		x->org_id = db_col_i64(st, 0);
		x->account_id = db_col_i64(st, 1);
		x->amount = db_col_i64(st, 2);
		x->currency = db_col_str(st, 3, a);
		x->provider = db_col_str(st, 4, a);
		x->status = db_col_str(st, 5, a);
		x->next_charge_at = db_col_i64(st, 6);
		x->period = db_col_str(st, 7, a);
		x->customer = db_col_str(st, 8, a);
		x->method = db_col_str(st, 9, a);
		x->name = db_col_str(st, 10, a);
		x->address = db_col_str(st, 11, a);
		x->postcode = db_col_str(st, 12, a);
		x->city = db_col_str(st, 13, a);
		x->email = db_col_str(st, 14, a);
		x->lang = db_col_str(st, 15, a);
		x->charge_key = db_col_str(st, 16, a);
	}
	db_reset(st);
	return s;
}

/* A new payment 'created' for the period's donation, try number attempt. */
static enum db_status new_payment(struct db *db, struct renewal *x, int64_t attempt)
{
	struct payment_new p = { "donation", x->org_id, 0, x->donation_id, x->provider, x->amount,
				 x->currency };
	enum db_status s = payments_insert(db, &p, x->now, &x->payment_id);
	if (s < 0)
		return s;
	x->key = arena_printf(x->a, "rec-%s-%s-%lld", x->charge_key, x->period, (long long)attempt);
	struct db_stmt *st = db_stmt(db, &SQL_SET_KEY);
	db_bind_i64(st, 1, x->payment_id);
	db_bind_text(st, 2, x->key);
	return faults_run(st);
}

/* Step 1. x->go: there is a payment of this period to charge. */
static enum db_status claim_txn(struct db *db, void *cls)
{
	struct renewal *x = cls;
	x->go = false;
	x->donation_id = x->payment_id = 0;
	enum db_status s = load(db, x);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;
	if (!str_eq(x->status, "active") || x->next_charge_at > x->now || !x->account_id)
		return DB_NONE;   /* stopped, or charged by another runner meanwhile */
	struct db_stmt *st = db_stmt(db, &SQL_PERIOD_GET);
	db_bind_i64(st, 1, x->id);
	db_bind_text(st, 2, x->period);
	s = faults_step(st);
	if (s == DB_ROW)
		x->donation_id = db_col_i64(st, 0);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		char secret[TOKEN_HEX_LEN + 1];
		crypto_token(secret);
		st = db_stmt(db, &SQL_DONATION_INSERT);
		db_bind_i64(st, 1, x->org_id);
		db_bind_i64(st, 2, x->amount);
		db_bind_text(st, 3, x->currency);
		db_bind_text(st, 4, x->name);
		db_bind_text(st, 5, x->address);
		db_bind_text(st, 6, x->postcode);
		db_bind_text(st, 7, x->city);
		db_bind_text(st, 8, x->email);
		db_bind_i64(st, 9, x->account_id);
		db_bind_text(st, 10, x->lang);
		db_bind_text(st, 11, x->provider);
		db_bind_text(st, 12, secret);
		db_bind_text(st, 13, arena_printf(x->a, "rec-%lld-%s", (long long)x->id, x->period));
		db_bind_i64(st, 14, x->now);
		db_bind_i64(st, 15, x->id);
		s = faults_step(st);
		x->donation_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE)
			return DB_NONE;   /* another runner claimed the period just now */
		if ((s = recurring_link(db, x->id, x->period, x->donation_id, x->now)) < 0)
			return s;
		if ((s = new_payment(db, x, 1)) < 0)
			return s;
		x->go = true;
		return DB_NONE;
	}
	/* The period was claimed before: resume its last payment, or try again. */
	st = db_stmt(db, &SQL_LAST_PAYMENT);
	db_bind_i64(st, 1, x->donation_id);
	s = faults_step(st);
	char status[16] = "";
	int64_t touched = 0;
	if (s == DB_ROW) {
		x->payment_id = db_col_i64(st, 0);
		snprintf(status, sizeof(status), "%s", db_col_text(st, 1));
		x->key = db_col_str(st, 2, x->a);
		touched = db_col_i64(st, 3);
	}
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_ROW && str_eq(status, "started")) {
		/* A pass is charging it now, or died doing so: only after its
		 * lease does another one ask again, with the same key. */
		x->go = touched <= x->now - RECURRING_LEASE && touched > x->now - RECURRING_REPLAY_MAX;
		if (touched > x->now - RECURRING_REPLAY_MAX)
			return DB_NONE;
		/* Said once a day, not at every pass. */
		log_warn("recurring: %lld: the charge of %s was left under way: check it by hand",
			 (long long)x->id, x->period);
		st = db_stmt(db, &SQL_LATER);
		db_bind_i64(st, 1, x->id);
		db_bind_i64(st, 2, x->now + 86400);
		return faults_run(st);
	}
	if (s == DB_ROW && str_eq(status, "created")) {
		x->go = true;   /* claimed by a pass killed before the charge: the same key */
		return DB_NONE;
	}
	if (s == DB_ROW && str_eq(status, "captured")) {
		/* Paid, but the schedule did not move (cannot happen: the
		 * capture moves it in its transaction); leave it to be seen. */
		log_warn("recurring: %lld: period %s paid but still due", (long long)x->id, x->period);
		return DB_NONE;
	}
	/* The last try failed and a retry is due. */
	st = db_stmt(db, &SQL_ATTEMPT);
	db_bind_i64(st, 1, x->id);
	db_bind_text(st, 2, x->period);
	s = faults_step(st);
	int64_t attempt = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	if ((s = new_payment(db, x, attempt)) < 0)
		return s;
	x->go = true;
	return DB_NONE;
}

/* Step 2. x->go stays true when the card may be charged now. */
static enum db_status begin_txn(struct db *db, void *cls)
{
	struct renewal *x = cls;
	struct db_stmt *st = db_stmt(db, &SQL_BEGIN);
	db_bind_i64(st, 1, x->payment_id);
	db_bind_i64(st, 2, x->now);
	db_bind_i64(st, 3, x->id);
	enum db_status s = faults_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_ROW)
		return DB_NONE;
	/* Not 'created' any more: 'started' by a pass that died before it
	 * recorded the answer (the same key again), else stopped or done. */
	st = db_stmt(db, &SQL_PAYMENT_STATUS);
	db_bind_i64(st, 1, x->payment_id);
	s = faults_step(st);
	x->go = s == DB_ROW && str_eq(db_col_text(st, 0), "started") &&
		db_col_i64(st, 1) <= x->now - RECURRING_LEASE &&
		db_col_i64(st, 1) > x->now - RECURRING_REPLAY_MAX;
	db_reset(st);
	return s < 0 ? s : DB_NONE;
}

/* Step 3, the answer. */
static enum db_status record_txn(struct db *db, void *cls)
{
	struct renewal *x = cls;
	x->refund_id = 0;
	x->captured = false;
	enum db_status s;
	if (x->paid) {
		struct capture_result cr;
		s = payments_capture(db, x->payment_id, x->state->amount_cents, x->state->currency,
				     x->state->payment_ref, x->a, &cr);
		if (s >= 0 && !cr.is_duplicate)
			s = payments_record_fee(db, x->payment_id, x->state->fee_cents,
						x->state->currency);
		if (s < 0)
			return s;
		x->refund_id = cr.refund_id;
		x->captured = !cr.is_duplicate;   /* counted by the pass that captured it */
		return DB_NONE;
	}
	struct db_stmt *st = db_stmt(db, &SQL_CHARGE_FAILED);
	db_bind_i64(st, 1, x->payment_id);
	db_bind_i64(st, 2, x->now);
	s = faults_step(st);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;   /* recorded by another pass */
	st = db_stmt(db, &SQL_FAILURE_COUNT);
	db_bind_i64(st, 1, x->id);
	s = faults_step(st);
	int failures = s == DB_ROW ? (int)db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return s;
	st = db_stmt(db, &SQL_FAILURE);
	db_bind_i64(st, 1, x->id);
	db_bind_i64(st, 2, x->now);
	db_bind_i64(st, 3, RECURRING_MAX_TRIES);
	db_bind_i64(st, 4, x->now + retry_delay(failures + 1));
	s = faults_step(st);
	if (s != DB_ROW) {
		db_reset(st);
		return s < 0 ? s : DB_NONE;   /* stopped meanwhile */
	}
	bool gave_up = str_eq(db_col_text(st, 0), "failed");
	const char *to = db_col_str(st, 1, x->a), *name = db_col_str(st, 2, x->a);
	const char *lang = db_col_str(st, 3, x->a);
	int64_t amount = db_col_i64(st, 4);
	const char *currency = db_col_str(st, 5, x->a), *token = db_col_str(st, 6, x->a);
	const char *org = db_col_str(st, 7, x->a);
	db_reset(st);
	if (!gave_up)
		return DB_NONE;
	st = db_stmt(db, &SQL_DONATION_CANCEL);
	db_bind_i64(st, 1, x->donation_id);
	db_bind_i64(st, 2, x->now);
	if ((s = faults_run(st)) < 0)
		return s;
	return mail(db, x->a, "failed", to, name, lang, amount, currency, org, token, NULL);
}

static enum db_status save_method_txn(struct db *db, void *cls)
{
	struct renewal *x = cls;
	struct db_stmt *st = db_stmt(db, &SQL_SAVE_METHOD);
	db_bind_i64(st, 1, x->id);
	db_bind_text(st, 2, x->customer);
	db_bind_text(st, 3, x->method);
	return faults_run(st);
}

/* Stripe: the card saved by the first payment, asked once from the
 * provider (its session names the customer and the payment method). */
static void find_saved_method(struct db *db, struct renewal *x, const struct payment_provider *p)
{
	if (*x->customer || !p->fetch)
		return;
	struct db_stmt *st = db_stmt(db, &SQL_FIRST_REF);
	db_bind_i64(st, 1, x->id);
	enum db_status s = db_step(st);
	const char *ref = s == DB_ROW ? db_col_str(st, 0, x->a) : NULL;
	db_reset(st);
	if (!ref)
		return;
	struct payment_state ps;
	if (p->fetch(ref, x->a, &ps) != KQ_OK || !ps.customer || !ps.payment_method)
		return;
	x->customer = ps.customer;
	x->method = ps.payment_method;
	if (db_txn_run(db, "recurring_save_method", DB_WRITE, save_method_txn, x) < 0)
		log_warn("recurring: %lld: the saved card could not be recorded", (long long)x->id);
}

/* One due monthly donation, through the three steps. [out] *out_paid. */
static enum kq_err renew(struct db *db, int64_t id, int64_t now, bool *out_paid)
{
	*out_paid = false;
	struct arena *a = arena_new();
	struct renewal x;
	memset(&x, 0, sizeof(x));
	x.id = id;
	x.now = now;
	x.a = a;
	enum kq_err e = KQ_OK;
	if (db_txn_run(db, "recurring_claim", DB_WRITE, claim_txn, &x) < 0) {
		e = KQ_ERR_INTERNAL;
		goto out;
	}
	if (!x.go)
		goto out;
	if (db_txn_run(db, "recurring_begin", DB_WRITE, begin_txn, &x) < 0) {
		e = KQ_ERR_INTERNAL;
		goto out;
	}
	if (!x.go)
		goto out;
	const struct payment_provider *p = payments_provider(x.provider);
	struct payment_state ps;
	memset(&ps, 0, sizeof(ps));
	enum kq_err pe = KQ_ERR_PAYMENT_FAILED;
	if (p && p->charge_saved && p->is_enabled()) {
		find_saved_method(db, &x, p);
		struct payment_start_in in = { 0 };
		in.payment_id = x.payment_id;
		in.idempotency_key = x.key;
		in.amount_cents = x.amount;
		in.currency = x.currency;
		in.reference = arena_printf(a, "DON-%lld", (long long)x.donation_id);
		in.description = in.reference;
		in.buyer_email = x.email;
		in.now = now;
		pe = p->charge_saved(&in, x.customer, x.method, a, &ps);
	}
	if (pe != KQ_OK)
		log_info("recurring: %lld: the renewal of %s was refused", (long long)id, x.period);
	x.paid = pe == KQ_OK && ps.is_paid;
	x.state = &ps;
	if (pe != KQ_OK && (!p || !p->is_enabled())) {
		/* The provider is off in this process: try later, count nothing. */
		e = KQ_ERR_PAYMENT_FAILED;
		goto out;
	}
	if (db_txn_run(db, "recurring_record", DB_WRITE, record_txn, &x) < 0) {
		e = KQ_ERR_INTERNAL;
		goto out;
	}
	if (x.refund_id)
		(void)payments_refunds_run(db, x.refund_id, 1, NULL);
	*out_paid = x.captured;
out:
	arena_free(a);
	return e;
}

enum kq_err recurring_run_due(struct db *db, int64_t now, int max, int *out_charged)
{
	if (out_charged)
		*out_charged = 0;
	if (max <= 0)
		max = 50;
	int64_t *ids = NULL;
	int n = 0;
	struct arena *a = arena_new();
	ids = arena_alloc(a, sizeof(*ids) * (size_t)max);
	struct db_stmt *st = db_stmt(db, &SQL_DUE);
	db_bind_i64(st, 1, now);
	db_bind_i64(st, 2, max);
	enum db_status s = DB_NONE;
	while (n < max && (s = db_step(st)) == DB_ROW)
		ids[n++] = db_col_i64(st, 0);
	db_reset(st);
	enum kq_err e = s < 0 && n < max ? KQ_ERR_INTERNAL : KQ_OK;
	for (int i = 0; i < n; i++) {
		bool paid = false;
		enum kq_err r = renew(db, ids[i], now, &paid);
		if (r == KQ_ERR_INTERNAL)
			e = r;
		if (paid && out_charged)
			(*out_charged)++;
	}
	arena_free(a);
	return e;
}

/* ---- stopping ------------------------------------------------------------------------------------ */

#define RECURRING_COLS                                                                         \
	"SELECT r.id, r.org_id, COALESCE(r.account_id, 0), r.amount_cents, o.slug, o.name,"    \
	" r.currency, r.provider, r.status, r.stop_token, r.next_period, r.day_of_month,"      \
	" r.failures, r.next_charge_at, r.created_at, COALESCE(r.stopped_at, 0)"               \
	" FROM recurring_donations r JOIN organisations o ON o.id = r.org_id"
static const struct db_sql SQL_BY_TOKEN = { "recurring_by_token",
	RECURRING_COLS " WHERE r.stop_token = $1" };
static const struct db_sql SQL_OF_ACCOUNT = { "recurring_of_account",
	RECURRING_COLS " WHERE r.account_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT $2" };
static const struct db_sql SQL_STOP = { "recurring_stop",
	"UPDATE recurring_donations SET status = 'stopped', stopped_at = $2"
	" WHERE id = $1 AND status IN ('pending', 'active') RETURNING id" };
/* A claimed charge not begun yet is never sent to the provider. */
static const struct db_sql SQL_STOP_PAYMENTS = { "recurring_stop_payments",
	"UPDATE payments SET status = 'cancelled', updated_at = $2 WHERE status = 'created'"
	" AND donation_id IN (SELECT donation_id FROM recurring_charges WHERE recurring_id = $1)" };
static const struct db_sql SQL_STOP_DONATIONS = { "recurring_stop_donations",
	"UPDATE donations SET status = 'cancelled', cancelled_at = $2 WHERE recurring_id = $1"
	" AND status = 'pending' AND NOT EXISTS (SELECT 1 FROM payments p"
	" WHERE p.donation_id = donations.id AND p.status IN ('started', 'captured'))" };

static void read_recurring(struct db_stmt *st, struct arena *a, struct recurring_donation *r)
{
	r->id = db_col_i64(st, 0);
	r->org_id = db_col_i64(st, 1);
	r->account_id = db_col_i64(st, 2);
	r->amount_cents = db_col_i64(st, 3);
	r->org_slug = db_col_str(st, 4, a);
	r->org_name = db_col_str(st, 5, a);
	r->currency = db_col_str(st, 6, a);
	r->provider = db_col_str(st, 7, a);
	r->status = db_col_str(st, 8, a);
	r->stop_token = db_col_str(st, 9, a);
	r->next_period = db_col_str(st, 10, a);
	r->day_of_month = (int)db_col_i64(st, 11);
	r->failures = (int)db_col_i64(st, 12);
	r->next_charge_at = db_col_i64(st, 13);
	r->created_at = db_col_i64(st, 14);
	r->stopped_at = db_col_i64(st, 15);
}

enum kq_err recurring_get_by_token(struct db *db, struct arena *a, const char *token,
				   struct recurring_donation *out)
{
	memset(out, 0, sizeof(*out));
	if (!token || strlen(token) != TOKEN_HEX_LEN)
		return KQ_ERR_NOT_FOUND;
	struct db_stmt *st = db_stmt(db, &SQL_BY_TOKEN);
	db_bind_text(st, 1, token);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_recurring(st, a, out);
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

struct stop {
	int64_t id;
};

static enum db_status stop_txn(struct db *db, void *cls)
{
	struct stop *x = cls;
	int64_t now = time_now();
	struct db_stmt *st = db_stmt(db, &SQL_STOP);
	db_bind_i64(st, 1, x->id);
	db_bind_i64(st, 2, now);
	enum db_status s = faults_step(st);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;   /* stopped before: nothing to do */
	st = db_stmt(db, &SQL_STOP_PAYMENTS);
	db_bind_i64(st, 1, x->id);
	db_bind_i64(st, 2, now);
	if ((s = faults_run(st)) < 0)
		return s;
	st = db_stmt(db, &SQL_STOP_DONATIONS);
	db_bind_i64(st, 1, x->id);
	db_bind_i64(st, 2, now);
	return faults_run(st);
}

static enum kq_err stop_id(struct db *db, int64_t id)
{
	struct stop x = { id };
	if (db_txn_run(db, "recurring_stop", DB_WRITE, stop_txn, &x) < 0)
		return KQ_ERR_INTERNAL;
	log_info("recurring: monthly donation %lld stopped", (long long)id);
	return KQ_OK;
}

enum kq_err recurring_stop_by_token(struct db *db, const char *token)
{
	struct arena *a = arena_new();
	struct recurring_donation r;
	enum kq_err e = recurring_get_by_token(db, a, token, &r);
	arena_free(a);
	if (e != KQ_OK)
		return e;
	return stop_id(db, r.id);
}

enum kq_err recurring_of_account(struct db *db, const struct actor *who, struct arena *a,
				 struct recurring_donation **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct recurring_donation *v = arena_alloc(a, sizeof(*v) * RECURRING_OF_ACCOUNT_MAX);
	struct db_stmt *st = db_stmt(db, &SQL_OF_ACCOUNT);
	db_bind_i64(st, 1, who->account_id);
	db_bind_i64(st, 2, RECURRING_OF_ACCOUNT_MAX);
	enum db_status s = DB_NONE;
	int n = 0;
	while (n < RECURRING_OF_ACCOUNT_MAX && (s = db_step(st)) == DB_ROW) {
		memset(&v[n], 0, sizeof(v[n]));
		read_recurring(st, a, &v[n++]);
	}
	db_reset(st);
	if (n < RECURRING_OF_ACCOUNT_MAX && s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

static const struct db_sql SQL_OWNER = { "recurring_owner",
	"SELECT COALESCE(account_id, 0) FROM recurring_donations WHERE id = $1" };

enum kq_err recurring_stop(struct db *db, const struct actor *who, int64_t recurring_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct db_stmt *st = db_stmt(db, &SQL_OWNER);
	db_bind_i64(st, 1, recurring_id);
	enum db_status s = db_step(st);
	int64_t owner = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (owner == 0 || owner != who->account_id)
		return KQ_ERR_NOT_FOUND;
	return stop_id(db, recurring_id);
}

/* ---- annual summaries ----------------------------------------------------------------------- */

struct annual {
	int64_t org_id, account_id, id;
	int fiscal_year;
	int64_t now;
};

static enum db_status annual_txn(struct db *db, void *cls)
{
	struct annual *x = cls;
	return receipts_annual_issue(db, x->org_id, x->account_id, x->fiscal_year, x->now, &x->id);
}

enum kq_err recurring_annual_request(struct db *db, const struct actor *who, int64_t org_id,
				     int fiscal_year, int64_t *out_id)
{
	*out_id = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	int64_t now = time_now();
	if (fiscal_year < 2000 || fiscal_year >= receipts_year_of(now))
		return KQ_ERR_FORM_INVALID;
	struct annual x = { org_id, who->account_id, 0, fiscal_year, now };
	if (db_txn_run(db, "recurring_annual", DB_WRITE, annual_txn, &x) < 0)
		return KQ_ERR_INTERNAL;
	if (!x.id)
		return KQ_ERR_NOT_FOUND;
	*out_id = x.id;
	return KQ_OK;
}

enum kq_err recurring_annual_get(struct db *db, const struct actor *who, struct arena *a,
				 int64_t id, struct annual_receipt *out)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	enum kq_err e = receipts_annual_get(db, a, id, out);
	if (e == KQ_OK && out->account_id != who->account_id)
		e = KQ_ERR_NOT_FOUND;   /* another donor's: as if it did not exist */
	return e;
}

/* The donors and associations of fiscal year y with monthly gifts paid and no summary. */
static const struct db_sql SQL_ANNUAL_DUE = { "recurring_annual_due",
	"SELECT DISTINCT d.org_id, d.account_id FROM donations d"
	" JOIN org_fiscal f ON f.org_id = d.org_id AND f.checked_at IS NOT NULL"
	" WHERE d.recurring_id IS NOT NULL AND d.status = 'paid' AND d.account_id IS NOT NULL"
	" AND d.paid_at >= $1 AND d.paid_at < $2"
	" AND NOT EXISTS (SELECT 1 FROM annual_receipts r WHERE r.org_id = d.org_id"
	" AND r.account_id = d.account_id AND r.fiscal_year = $3)"
	" ORDER BY d.org_id, d.account_id LIMIT $4" };

enum kq_err recurring_annual_issue_due(struct db *db, int64_t now, int max, int *out_n)
{
	if (out_n)
		*out_n = 0;
	int y = 0, m = 0;
	local_ym(now, &y, &m, NULL);
	if (m != 1)
		return KQ_OK;   /* summaries are issued in January */
	int fy = y - 1;
	if (max <= 0)
		max = 50;
	struct arena *a = arena_new();
	int64_t *pairs = arena_alloc(a, sizeof(*pairs) * 2 * (size_t)max);
	int n = 0;
	struct db_stmt *st = db_stmt(db, &SQL_ANNUAL_DUE);
	db_bind_i64(st, 1, charge_time(fy, 1, 1) - 8 * 3600);
	db_bind_i64(st, 2, charge_time(fy, 13, 1) - 8 * 3600);
	db_bind_i64(st, 3, fy);
	db_bind_i64(st, 4, max);
	enum db_status s = DB_NONE;
	while (n < max && (s = db_step(st)) == DB_ROW) {
		pairs[2 * n] = db_col_i64(st, 0);
		pairs[2 * n + 1] = db_col_i64(st, 1);
		n++;
	}
	db_reset(st);
	enum kq_err e = s < 0 && n < max ? KQ_ERR_INTERNAL : KQ_OK;
	for (int i = 0; i < n; i++) {
		struct annual x = { pairs[2 * i], pairs[2 * i + 1], 0, fy, now };
		if (db_txn_run(db, "recurring_annual", DB_WRITE, annual_txn, &x) < 0)
			e = KQ_ERR_INTERNAL;
		else if (x.id && out_n)
			(*out_n)++;
	}
	arena_free(a);
	return e;
}

static const struct db_sql SQL_YEARS = { "recurring_years",
	"SELECT d.org_id, o.name, d.currency, SUM(d.amount_cents), MIN(d.paid_at)"
	" FROM donations d JOIN organisations o ON o.id = d.org_id"
	" WHERE d.account_id = $1 AND d.recurring_id IS NOT NULL AND d.status = 'paid'"
	" GROUP BY d.org_id, o.name, d.currency ORDER BY d.org_id LIMIT 200" };
static const struct db_sql SQL_YEAR_PAID = { "recurring_year_paid",
	"SELECT paid_at, amount_cents FROM donations WHERE account_id = $1 AND org_id = $2"
	" AND recurring_id IS NOT NULL AND status = 'paid' ORDER BY paid_at" };
static const struct db_sql SQL_ANNUALS_OF = { "recurring_annuals_of",
	"SELECT id, org_id, fiscal_year, year, number FROM annual_receipts WHERE account_id = $1" };

enum kq_err recurring_years_of_account(struct db *db, const struct actor *who, struct arena *a,
				       struct recurring_year **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct recurring_year *v = arena_alloc(a, sizeof(*v) * RECURRING_YEARS_MAX);
	int n = 0;
	/* The associations first, then each one's gifts split by civil year. */
	int64_t orgs[RECURRING_YEARS_MAX];
	const char *names[RECURRING_YEARS_MAX], *cur[RECURRING_YEARS_MAX];
	int n_orgs = 0;
	struct db_stmt *st = db_stmt(db, &SQL_YEARS);
	db_bind_i64(st, 1, who->account_id);
	enum db_status s = DB_NONE;
	while (n_orgs < RECURRING_YEARS_MAX && (s = db_step(st)) == DB_ROW) {
		orgs[n_orgs] = db_col_i64(st, 0);
		names[n_orgs] = db_col_str(st, 1, a);
		cur[n_orgs] = db_col_str(st, 2, a);
		n_orgs++;
	}
	db_reset(st);
	if (s < 0 && n_orgs < RECURRING_YEARS_MAX)
		return KQ_ERR_INTERNAL;
	for (int i = 0; i < n_orgs; i++) {
		st = db_stmt(db, &SQL_YEAR_PAID);
		db_bind_i64(st, 1, who->account_id);
		db_bind_i64(st, 2, orgs[i]);
		while ((s = db_step(st)) == DB_ROW) {
			int y = receipts_year_of(db_col_i64(st, 0));
			int k = 0;
			for (k = 0; k < n; k++)
				if (v[k].org_id == orgs[i] && v[k].fiscal_year == y)
					break;
			if (k == n) {
				if (n == RECURRING_YEARS_MAX)
					continue;
				memset(&v[n], 0, sizeof(v[n]));
				v[n].org_id = orgs[i];
				v[n].org_name = names[i];
				v[n].currency = cur[i];
				v[n].fiscal_year = y;
				v[n].number_text = "";
				n++;
			}
			v[k].total_cents += db_col_i64(st, 1);
		}
		db_reset(st);
		if (s < 0)
			return KQ_ERR_INTERNAL;
	}
	st = db_stmt(db, &SQL_ANNUALS_OF);
	db_bind_i64(st, 1, who->account_id);
	while ((s = db_step(st)) == DB_ROW) {
		for (int k = 0; k < n; k++)
			if (v[k].org_id == db_col_i64(st, 1) && v[k].fiscal_year == (int)db_col_i64(st, 2)) {
				v[k].receipt_id = db_col_i64(st, 0);
				v[k].number_text = receipts_number_text(a, (int)db_col_i64(st, 3),
									db_col_i64(st, 4));
			}
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	/* Newest year first. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j].fiscal_year > v[j - 1].fiscal_year; j--) {
			struct recurring_year t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*out = v;
	*out_n = n;
	return KQ_OK;
}

/* ---- demo ------------------------------------------------------------------------------------ */

static const struct db_sql SQL_DEMO_DONOR = { "recurring_demo_donor",
	"SELECT a.id, a.display_name, o.id, o.name FROM accounts a, organisations o"
	" WHERE a.email = 'lucie.fabre@example.org' AND o.kind = 'association'"
	" AND NOT EXISTS (SELECT 1 FROM recurring_donations r WHERE r.account_id = a.id)"
	" ORDER BY o.id LIMIT 1" };
static const struct db_sql SQL_DEMO_DONATION = { "recurring_demo_donation",
	"INSERT INTO donations (org_id, kind, amount_cents, currency, donor_name, donor_address,"
	" donor_postcode, donor_city, donor_email, account_id, lang, provider, status, secret,"
	" idempotency_key, request_hash, created_at, recurring_id)"
	" VALUES ($1, 'once', 1500, 'EUR', $2, '4 rue des Tilleuls', '26150', 'Die',"
	" 'lucie.fabre@example.org', $3, 'fr', 'demo', 'pending', $4, $5, '', $6, $7) RETURNING id" };

enum kq_err recurring_load_demo(struct db *db)
{
	struct arena *a = arena_new();
	enum kq_err e = KQ_ERR_INTERNAL;
	struct db_stmt *st = db_stmt(db, &SQL_DEMO_DONOR);
	enum db_status s = db_step(st);
	int64_t account = 0, org = 0;
	const char *name = "";
	if (s == DB_ROW) {
		account = db_col_i64(st, 0);
		name = db_col_str(st, 1, a);
		org = db_col_i64(st, 2);
	}
	db_reset(st);
	if (s != DB_ROW) {
		arena_free(a);
		return s == DB_NONE ? KQ_OK : KQ_ERR_INTERNAL;
	}
	int64_t now = time_now(), rid = 0, did = 0, pid = 0;
	const char *period = NULL;
	struct recurring_new in = { org, account, 1500, "EUR", "demo", name, "4 rue des Tilleuls",
				    "26150", "Die", "lucie.fabre@example.org", "fr" };
	if (recurring_create(db, &in, now, a, &rid, &period) < 0)
		goto out;
	char secret[TOKEN_HEX_LEN + 1];
	crypto_token(secret);
	st = db_stmt(db, &SQL_DEMO_DONATION);
	db_bind_i64(st, 1, org);
	db_bind_text(st, 2, name);
	db_bind_i64(st, 3, account);
	db_bind_text(st, 4, secret);
	db_bind_text(st, 5, arena_printf(a, "rec-%lld-%s", (long long)rid, period));
	db_bind_i64(st, 6, now);
	db_bind_i64(st, 7, rid);
	s = db_step(st);
	did = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW || recurring_link(db, rid, period, did, now) < 0)
		goto out;
	/* The first month paid with the demo card, captured as the button
	 * would: ledger row, donation paid, monthly donation active. */
	struct payment_new p = { "donation", org, 0, did, "demo", 1500, "EUR" };
	if (payments_insert(db, &p, now, &pid) < 0)
		goto out;
	struct capture_result cr;
	if (payments_capture(db, pid, 1500, "EUR", arena_printf(a, "demo_pi_%lld", (long long)pid), a,
			     &cr) < 0)
		goto out;
	e = KQ_OK;
out:
	arena_free(a);
	return e;
}
