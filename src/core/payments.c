/* payments.c: the provider registry, money in (capture, webhooks, sync) and money out (refunds)
 *
 * See payments.h for the three-step pattern (intent, provider call, record).
 * Everything here that changes a row does it with an UPDATE conditional on
 * the row's current state, so two processes (a webhook and the expiry job,
 * two deliveries of one event, two refund workers) make a change once. */
#include "payments.h"
#include "faults.h"
#include "ledger.h"
#include "campaigns.h"
#include "donations.h"
#include "memberships.h"
#include "orders.h"
#include "orgs.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/timefmt.h"
#include <stdio.h>
#include <string.h>

/* ---- settings ------------------------------------------------------------------------- */

/* Written once at start (payments_init), read by every thread after. */
static struct {
	char stripe_secret_key[256];
	char stripe_webhook_secret[256];
	char stripe_api_base[512];
	struct payments_settings pub;
} conf = {
	.stripe_api_base = "https://api.stripe.com",
	.pub = { "", "", "https://api.stripe.com", false, 30 },
};

void payments_configure(const struct payments_settings *s)
{
	snprintf(conf.stripe_secret_key, sizeof(conf.stripe_secret_key), "%s",
		 s->stripe_secret_key ? s->stripe_secret_key : "");
	snprintf(conf.stripe_webhook_secret, sizeof(conf.stripe_webhook_secret), "%s",
		 s->stripe_webhook_secret ? s->stripe_webhook_secret : "");
	snprintf(conf.stripe_api_base, sizeof(conf.stripe_api_base), "%s",
		 s->stripe_api_base && *s->stripe_api_base ? s->stripe_api_base
							   : "https://api.stripe.com");
	size_t n = strlen(conf.stripe_api_base);
	while (n && conf.stripe_api_base[n - 1] == '/')
		conf.stripe_api_base[--n] = 0;
	conf.pub.stripe_secret_key = conf.stripe_secret_key;
	conf.pub.stripe_webhook_secret = conf.stripe_webhook_secret;
	conf.pub.stripe_api_base = conf.stripe_api_base;
	conf.pub.demo = s->demo;
	conf.pub.order_hold_minutes = s->order_hold_minutes ? s->order_hold_minutes : 30;
}

void payments_init(const struct config *c)
{
	struct payments_settings s = {
		c->stripe_secret_key, c->stripe_webhook_secret, c->stripe_api_base, c->demo,
		c->order_hold_minutes,
	};
	payments_configure(&s);
}

const struct payments_settings *payments_settings(void)
{
	return &conf.pub;
}

/* ---- registry ---------------------------------------------------------------------------- */

static const struct payment_provider *const providers[] = {
	&payments_onsite, &payments_transfer, &payments_stripe, &payments_demo, NULL,
};

/* Issue #5 adds its purposes here. */
static const struct payment_purpose *const purposes[] = {
	&orders_purpose,
	&donations_purpose,
	&campaigns_purpose,
	&memberships_purpose,
	NULL,
};

const struct payment_provider *payments_provider(const char *name)
{
	for (int i = 0; name && providers[i]; i++)
		if (strcmp(providers[i]->name, name) == 0)
			return providers[i];
	return NULL;
}

const struct payment_provider *const *payments_providers(void)
{
	return providers;
}

bool payments_provider_enabled(const char *name)
{
	const struct payment_provider *p = payments_provider(name);
	return p && p->is_enabled();
}

static const struct payment_purpose *purpose_of(const char *name)
{
	for (int i = 0; name && purposes[i]; i++)
		if (strcmp(purposes[i]->name, name) == 0)
			return purposes[i];
	return NULL;
}

/* ---- starting a payment ------------------------------------------------------------------- */

static const struct db_sql SQL_INSERT = { "payments_insert",
	"INSERT INTO payments (purpose, order_id, donation_id, org_id, provider, amount_cents,"
	" currency, status, idempotency_key, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, 'created', $8, $9, $9) RETURNING id" };
static const struct db_sql SQL_STARTED = { "payments_started",
	"UPDATE payments SET status = 'started', provider_ref = $2, redirect_url = $3,"
	" updated_at = $4 WHERE id = $1 AND status = 'created' RETURNING id" };
static const struct db_sql SQL_FAILED = { "payments_failed",
	"UPDATE payments SET status = 'failed', updated_at = $2 WHERE id = $1 AND status = 'created'" };

enum db_status payments_insert(struct db *db, const struct payment_new *in, int64_t now,
			       int64_t *out_id)
{
	*out_id = 0;
	if (!db_in_txn(db) || in->amount_cents <= 0) {
		KQ_BUG("payments_insert outside a transaction or for nothing");
		return DB_HARD;
	}
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct db_stmt *st = db_stmt(db, &SQL_INSERT);
	db_bind_text(st, 1, in->purpose);
	db_bind_i64_or_null(st, 2, in->order_id);
	db_bind_i64_or_null(st, 3, in->donation_id);
	db_bind_i64(st, 4, in->org_id);
	db_bind_text(st, 5, in->provider);
	db_bind_i64(st, 6, in->amount_cents);
	db_bind_text(st, 7, in->currency);
	db_bind_text(st, 8, key);
	db_bind_i64(st, 9, now);
	enum db_status s = faults_step(st);
	if (s == DB_ROW)
		*out_id = db_col_i64(st, 0);
	db_reset(st);
	return s == DB_ROW ? DB_NONE : s < 0 ? s : DB_HARD;
}

enum db_status payments_mark_started(struct db *db, int64_t payment_id, const char *provider_ref,
				     const char *redirect_url, int64_t now)
{
	struct db_stmt *st = db_stmt(db, &SQL_STARTED);
	db_bind_i64(st, 1, payment_id);
	db_bind_text(st, 2, provider_ref);
	db_bind_text(st, 3, redirect_url);
	db_bind_i64(st, 4, now);
	enum db_status s = faults_step(st);
	db_reset(st);
	return s;
}

enum db_status payments_mark_failed(struct db *db, int64_t payment_id, int64_t now)
{
	struct db_stmt *st = db_stmt(db, &SQL_FAILED);
	db_bind_i64(st, 1, payment_id);
	db_bind_i64(st, 2, now);
	return faults_run(st);
}

/* ---- money in ------------------------------------------------------------------------------ */

/* Any state but 'captured': a payment of an order cancelled meanwhile is
 * still money received, which must be recorded and sent back. */
static const struct db_sql SQL_CAPTURE = { "payments_capture",
	"UPDATE payments SET status = 'captured', captured_at = $2, updated_at = $2,"
	" payment_ref = COALESCE($3, payment_ref) WHERE id = $1 AND status <> 'captured'"
	" RETURNING purpose, COALESCE(order_id, 0), org_id, provider, amount_cents, currency,"
	" COALESCE(donation_id, 0)" };

enum db_status payments_capture(struct db *db, int64_t payment_id, int64_t amount_cents,
				const char *currency, const char *payment_ref, struct arena *a,
				struct capture_result *out)
{
	memset(out, 0, sizeof(*out));
	if (!db_in_txn(db)) {
		KQ_BUG("payments_capture outside a transaction");
		return DB_HARD;
	}
	struct db_stmt *st = db_stmt(db, &SQL_CAPTURE);
	db_bind_i64(st, 1, payment_id);
	db_bind_i64(st, 2, time_now());
	db_bind_text(st, 3, payment_ref && *payment_ref ? payment_ref : NULL);
	enum db_status s = faults_step(st);
	struct payment_captured p = { 0 };
	const char *purpose = NULL;
	if (s == DB_ROW) {
		purpose = arena_strdup(a, db_col_text(st, 0));
		p.payment_id = payment_id;
		p.order_id = db_col_i64(st, 1);
		p.org_id = db_col_i64(st, 2);
		p.provider = arena_strdup(a, db_col_text(st, 3));
		p.expected_cents = db_col_i64(st, 4);
		p.expected_currency = arena_strdup(a, db_col_text(st, 5));
		p.donation_id = db_col_i64(st, 6);
	}
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		out->is_duplicate = true;
		return DB_NONE;
	}
	p.amount_cents = amount_cents;
	p.currency = currency && *currency ? currency : p.expected_currency;
	if (amount_cents > 0) {
		/* INVARIANT(ledger): the money is in the book with the capture. */
		s = ledger_add(db, p.org_id, LEDGER_PAYMENT, amount_cents, p.currency, p.provider,
			       p.order_id, payment_id, 0, "");
		if (s < 0)
			return s;
	}
	const struct payment_purpose *pp = purpose_of(purpose);
	if (!pp) {
		KQ_BUG("a payment has an unknown purpose");
		return DB_HARD;
	}
	const char *reason = NULL;
	s = pp->captured(db, &p, a, &reason);
	if (s < 0)
		return s;
	if (reason && amount_cents > 0) {
		s = payments_refund_create(db, payment_id, amount_cents, reason, &out->refund_id);
		if (s < 0)
			return s;
	}
	return DB_NONE;
}

static const struct db_sql SQL_FEE = { "payments_fee",
	"UPDATE payments SET fee_cents = $2 WHERE id = $1 AND status = 'captured' AND fee_cents = 0"
	" AND currency = $3 RETURNING org_id, COALESCE(order_id, 0), provider" };

enum db_status payments_record_fee(struct db *db, int64_t payment_id, int64_t fee_cents,
				   const char *currency)
{
	if (fee_cents <= 0 || !currency)
		return DB_NONE;
	struct db_stmt *st = db_stmt(db, &SQL_FEE);
	db_bind_i64(st, 1, payment_id);
	db_bind_i64(st, 2, fee_cents);
	db_bind_text(st, 3, currency);
	enum db_status s = faults_step(st);
	int64_t org_id = 0, order_id = 0;
	char provider[32] = "";
	if (s == DB_ROW) {
		org_id = db_col_i64(st, 0);
		order_id = db_col_i64(st, 1);
		snprintf(provider, sizeof(provider), "%s", db_col_text(st, 2));
	}
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;   /* another currency, or recorded before */
	return ledger_add(db, org_id, LEDGER_FEE, -fee_cents, currency, provider, order_id, payment_id,
			  0, "");
}

static const struct db_sql SQL_EVENT_SEEN = { "payments_event_seen",
	"SELECT 1 FROM payment_events WHERE provider = $1 AND event_id = $2" };
/* INVARIANT(once): the first statement of the transaction that applies an
 * event; a second delivery finds the row (or waits for it on PostgreSQL,
 * then finds it) and changes nothing. */
static const struct db_sql SQL_EVENT_INSERT = { "payments_event_insert",
	"INSERT INTO payment_events (provider, event_id, event_type, payment_id, result, received_at)"
	" VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider, event_id) DO NOTHING"
	" RETURNING event_id" };
static const struct db_sql SQL_EVENT_RESULT = { "payments_event_result",
	"UPDATE payment_events SET result = $3 WHERE provider = $1 AND event_id = $2" };
static const struct db_sql SQL_PAYMENT_BY_REF = { "payments_by_ref",
	"SELECT id FROM payments WHERE provider = $1 AND provider_ref = $2" };
/* A session the provider made for us but whose answer we never recorded (a
 * crash between the provider call and the second transaction): its
 * payment row is found by the id we put in the session's metadata, read
 * back from the provider itself, never from the webhook body. */
static const struct db_sql SQL_PAYMENT_ADOPT = { "payments_adopt",
	"UPDATE payments SET provider_ref = $2, updated_at = $4,"
	" status = CASE WHEN status = 'created' THEN 'started' ELSE status END"
	" WHERE id = $1 AND provider = $3 AND provider_ref IS NULL RETURNING id" };
static const struct db_sql SQL_PAYMENT_GET = { "payments_get",
	"SELECT provider, COALESCE(provider_ref, ''), status FROM payments WHERE id = $1" };

struct apply_event {
	const char *provider;
	const struct payment_event *ev;
	int64_t payment_id;               /* 0: not ours */
	int64_t adopt_id;                 /* a payment whose session was never recorded */
	const struct payment_state *state; /* NULL: not fetched */
	struct arena *a;
	enum webhook_result result;
	int64_t refund_id;
};

static const char *result_name(enum webhook_result r)
{
	switch (r) {
	case WEBHOOK_APPLIED: return "applied";
	case WEBHOOK_DUPLICATE: return "duplicate";
	case WEBHOOK_IGNORED: return "ignored";
	case WEBHOOK_UNKNOWN_PAYMENT: return "unknown_payment";
	case WEBHOOK_ALREADY_CAPTURED: return "duplicate_payment";
	}
	return "ignored";
}

static enum db_status apply_event_txn(struct db *db, void *cls)
{
	struct apply_event *x = cls;
	x->refund_id = 0;
	struct db_stmt *st = db_stmt(db, &SQL_EVENT_INSERT);
	db_bind_text(st, 1, x->provider);
	db_bind_text(st, 2, x->ev->event_id);
	db_bind_text(st, 3, x->ev->type ? x->ev->type : "");
	if (x->payment_id)
		db_bind_i64(st, 4, x->payment_id);
	else
		db_bind_null(st, 4);
	db_bind_text(st, 5, "received");
	db_bind_i64(st, 6, time_now());
	enum db_status s = faults_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		x->result = WEBHOOK_DUPLICATE;
		return DB_NONE;
	}
	int64_t payment_id = x->payment_id;
	if (!payment_id && x->adopt_id) {
		st = db_stmt(db, &SQL_PAYMENT_ADOPT);
		db_bind_i64(st, 1, x->adopt_id);
		db_bind_text(st, 2, x->ev->provider_ref);
		db_bind_text(st, 3, x->provider);
		db_bind_i64(st, 4, time_now());
		s = faults_step(st);
		if (s == DB_ROW)
			payment_id = db_col_i64(st, 0);
		db_reset(st);
		if (s < 0)
			return s;
	}
	if (!x->ev->provider_ref || !*x->ev->provider_ref)
		x->result = WEBHOOK_IGNORED;   /* not about a payment session */
	else if (!payment_id)
		x->result = WEBHOOK_UNKNOWN_PAYMENT;
	else if (!x->state || !x->state->is_paid)
		x->result = WEBHOOK_IGNORED;
	else {
		struct capture_result cr;
		s = payments_capture(db, payment_id, x->state->amount_cents, x->state->currency,
				     x->state->payment_ref, x->a, &cr);
		if (s >= 0 && !cr.is_duplicate)
			s = payments_record_fee(db, payment_id, x->state->fee_cents, x->state->currency);
		if (s < 0)
			return s;
		x->result = cr.is_duplicate ? WEBHOOK_ALREADY_CAPTURED : WEBHOOK_APPLIED;
		x->refund_id = cr.refund_id;
	}
	st = db_stmt(db, &SQL_EVENT_RESULT);
	db_bind_text(st, 1, x->provider);
	db_bind_text(st, 2, x->ev->event_id);
	db_bind_text(st, 3, result_name(x->result));
	return faults_run(st);
}

enum kq_err payments_webhook(struct db *db, const char *provider, const char *signature,
			     const char *body, size_t len, struct arena *a,
			     enum webhook_result *out_result)
{
	enum webhook_result dummy;
	if (!out_result)
		out_result = &dummy;
	*out_result = WEBHOOK_IGNORED;
	const struct payment_provider *p = payments_provider(provider);
	if (!p || !p->webhook_parse || !p->is_enabled())
		return KQ_ERR_NOT_FOUND;
	struct payment_event ev = { 0 };
	enum kq_err e = p->webhook_parse(signature, body, len, time_now(), a, &ev);
	if (e != KQ_OK)
		return e;
	if (!ev.event_id || !*ev.event_id)
		return KQ_ERR_BAD_REQUEST;

	/* A delivery seen before is answered without asking the provider again. */
	struct db_stmt *st = db_stmt(db, &SQL_EVENT_SEEN);
	db_bind_text(st, 1, p->name);
	db_bind_text(st, 2, ev.event_id);
	enum db_status s = db_step(st);
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (s == DB_ROW) {
		*out_result = WEBHOOK_DUPLICATE;
		return KQ_OK;
	}

	struct apply_event x = { p->name, &ev, 0, 0, NULL, a, WEBHOOK_IGNORED, 0 };
	struct payment_state state = { 0 };
	if (ev.provider_ref && *ev.provider_ref) {
		st = db_stmt(db, &SQL_PAYMENT_BY_REF);
		db_bind_text(st, 1, p->name);
		db_bind_text(st, 2, ev.provider_ref);
		s = db_step(st);
		x.payment_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
		db_reset(st);
		if (s < 0)
			return KQ_ERR_INTERNAL;
		if (p->fetch) {
			/* The event is a trigger: what was paid is asked from the provider. */
			e = p->fetch(ev.provider_ref, a, &state);
			if (e == KQ_OK)
				x.state = &state;
			else if (e != KQ_ERR_NOT_FOUND)
				return KQ_ERR_PAYMENT_FAILED;   /* answer 5xx: it will come again */
			if (e == KQ_OK && !x.payment_id)
				x.adopt_id = state.payment_id;
		}
		if (!x.payment_id && !x.adopt_id) {
			/* Not a session of ours: a forged event with a valid
			 * signature would mean a leaked secret. */
			log_warn("payments: %s event %s names session %s, which is not ours", p->name,
				 ev.event_id, ev.provider_ref);
		}
	}
	s = db_txn_run(db, "payments_webhook", DB_WRITE, apply_event_txn, &x);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out_result = x.result;
	if (x.result == WEBHOOK_APPLIED)
		log_info("payments: %s event %s captured payment %lld", p->name, ev.event_id,
			 (long long)x.payment_id);
	if (x.refund_id)
		(void)payments_refunds_run(db, x.refund_id, 1, NULL);
	return KQ_OK;
}

struct sync_capture {
	int64_t payment_id;
	const struct payment_state *state;
	struct arena *a;
	struct capture_result cr;
};

static enum db_status sync_capture_txn(struct db *db, void *cls)
{
	struct sync_capture *x = cls;
	enum db_status s = payments_capture(db, x->payment_id, x->state->amount_cents,
					    x->state->currency, x->state->payment_ref, x->a, &x->cr);
	if (s >= 0 && !x->cr.is_duplicate)
		s = payments_record_fee(db, x->payment_id, x->state->fee_cents, x->state->currency);
	return s;
}

enum kq_err payments_sync(struct db *db, int64_t payment_id, bool *out_paid)
{
	bool dummy;
	if (!out_paid)
		out_paid = &dummy;
	*out_paid = false;
	struct arena *a = arena_new();
	enum kq_err e = KQ_OK;
	struct db_stmt *st = db_stmt(db, &SQL_PAYMENT_GET);
	db_bind_i64(st, 1, payment_id);
	enum db_status s = db_step(st);
	const char *prov = NULL, *ref = NULL, *status = NULL;
	if (s == DB_ROW) {
		prov = arena_strdup(a, db_col_text(st, 0));
		ref = arena_strdup(a, db_col_text(st, 1));
		status = arena_strdup(a, db_col_text(st, 2));
	}
	db_reset(st);
	if (s != DB_ROW) {
		e = s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
		goto out;
	}
	if (strcmp(status, "captured") == 0) {
		*out_paid = true;
		goto out;
	}
	const struct payment_provider *p = payments_provider(prov);
	if (!p || !p->fetch || !p->is_enabled() || !*ref)
		goto out;
	struct payment_state state = { 0 };
	e = p->fetch(ref, a, &state);
	if (e != KQ_OK) {
		e = KQ_ERR_PAYMENT_FAILED;
		goto out;
	}
	if (!state.is_paid)
		goto out;
	struct sync_capture x = { payment_id, &state, a, { 0 } };
	if (db_txn_run(db, "payments_sync", DB_WRITE, sync_capture_txn, &x) < 0) {
		e = KQ_ERR_INTERNAL;
		goto out;
	}
	*out_paid = true;
	if (x.cr.refund_id)
		(void)payments_refunds_run(db, x.cr.refund_id, 1, NULL);
out:
	arena_free(a);
	return e;
}

/* ---- money out ------------------------------------------------------------------------------ */

static const struct db_sql SQL_PAYMENT_FOR_REFUND = { "payments_for_refund",
	"SELECT org_id, COALESCE(order_id, 0), provider, currency, status, COALESCE(payment_ref, ''),"
	" amount_cents FROM payments WHERE id = $1" };
static const struct db_sql SQL_REFUNDED_SO_FAR = { "payments_refunded_so_far",
	"SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE payment_id = $1" };
static const struct db_sql SQL_REFUND_INSERT = { "payments_refund_insert",
	"INSERT INTO refunds (order_id, payment_id, org_id, amount_cents, currency, status, reason,"
	" idempotency_key, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
	" RETURNING id" };

enum db_status payments_refund_create(struct db *db, int64_t payment_id, int64_t amount_cents,
				      const char *reason, int64_t *out_id)
{
	*out_id = 0;
	if (!db_in_txn(db)) {
		KQ_BUG("payments_refund_create outside a transaction");
		return DB_HARD;
	}
	struct db_stmt *st = db_stmt(db, &SQL_PAYMENT_FOR_REFUND);
	db_bind_i64(st, 1, payment_id);
	enum db_status s = faults_step(st);
	int64_t org_id = 0, order_id = 0, captured = 0;
	char provider[32] = "", currency[8] = "", status[16] = "";
	bool has_ref = false;
	if (s == DB_ROW) {
		org_id = db_col_i64(st, 0);
		order_id = db_col_i64(st, 1);
		snprintf(provider, sizeof(provider), "%s", db_col_text(st, 2));
		snprintf(currency, sizeof(currency), "%s", db_col_text(st, 3));
		snprintf(status, sizeof(status), "%s", db_col_text(st, 4));
		has_ref = *db_col_text(st, 5) != 0;
		captured = db_col_i64(st, 6);
	}
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	if (strcmp(status, "captured") != 0) {
		KQ_BUG("a refund of a payment that was not captured");
		return DB_HARD;
	}
	st = db_stmt(db, &SQL_REFUNDED_SO_FAR);
	db_bind_i64(st, 1, payment_id);
	s = faults_step(st);
	int64_t already = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	/* Never more back than came in: a second cancellation refunds nothing. */
	if (amount_cents > captured - already)
		amount_cents = captured - already;
	if (amount_cents <= 0)
		return DB_NONE;
	const struct payment_provider *p = payments_provider(provider);
	bool online = p && p->is_online && p->refund && p->is_enabled() && has_ref;
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	st = db_stmt(db, &SQL_REFUND_INSERT);
	if (order_id)
		db_bind_i64(st, 1, order_id);
	else
		db_bind_null(st, 1);
	db_bind_i64(st, 2, payment_id);
	db_bind_i64(st, 3, org_id);
	db_bind_i64(st, 4, amount_cents);
	db_bind_text(st, 5, currency);
	db_bind_text(st, 6, online ? "pending" : "manual");
	db_bind_text(st, 7, reason);
	db_bind_text(st, 8, key);
	db_bind_i64(st, 9, time_now());
	s = faults_step(st);
	if (s == DB_ROW)
		*out_id = db_col_i64(st, 0);
	db_reset(st);
	return s == DB_ROW ? DB_NONE : s < 0 ? s : DB_HARD;
}

#define REFUND_ATTEMPTS 8

static const struct db_sql SQL_REFUND_CLAIM = { "payments_refund_claim",
	/* A lease of 120 s keeps a second process off a refund being sent. */
	"UPDATE refunds SET lease_until = $1 + 120, attempts = attempts + 1"
	" WHERE id = (SELECT id FROM refunds WHERE status = 'pending' AND next_attempt_at <= $1"
	"   AND lease_until < $1 AND (CAST($2 AS BIGINT) = 0 OR id = CAST($2 AS BIGINT))"
	"   ORDER BY id LIMIT 1)"
	" AND status = 'pending' AND lease_until < $1"
	" RETURNING id, payment_id, amount_cents, currency, idempotency_key, attempts" };
static const struct db_sql SQL_REFUND_RETRY = { "payments_refund_retry",
	"UPDATE refunds SET next_attempt_at = $2, lease_until = 0, last_error = $3,"
	" status = CASE WHEN attempts >= $4 THEN 'failed' ELSE status END"
	" WHERE id = $1 AND status = 'pending'" };

struct refund_claim {
	int64_t only_id;
	struct arena *a;
	bool found;
	int64_t id, payment_id, amount;
	const char *currency, *key;
	int attempts;
};

static enum db_status refund_claim_txn(struct db *db, void *cls)
{
	struct refund_claim *x = cls;
	struct db_stmt *st = db_stmt(db, &SQL_REFUND_CLAIM);
	db_bind_i64(st, 1, time_now());
	db_bind_i64(st, 2, x->only_id);
	enum db_status s = faults_step(st);
	x->found = s == DB_ROW;
	if (s == DB_ROW) {
		x->id = db_col_i64(st, 0);
		x->payment_id = db_col_i64(st, 1);
		x->amount = db_col_i64(st, 2);
		x->currency = arena_strdup(x->a, db_col_text(st, 3));
		x->key = arena_strdup(x->a, db_col_text(st, 4));
		x->attempts = (int)db_col_i64(st, 5);
	}
	db_reset(st);
	return s < 0 ? s : DB_NONE;
}

struct refund_done {
	int64_t id;
	const char *provider_ref;
	const char *provider;
	int64_t done_by;            /* 0: the provider confirmed a 'pending' one; else who did it by hand */
	bool changed;
};

static const struct db_sql SQL_REFUND_DONE_PENDING = { "payments_refund_done_pending",
	"UPDATE refunds SET status = 'done', provider_ref = $2, done_at = $3, done_by = $4,"
	" lease_until = 0 WHERE id = $1 AND status = 'pending'"
	" RETURNING org_id, amount_cents, currency, COALESCE(order_id, 0), payment_id" };
static const struct db_sql SQL_REFUND_DONE_MANUAL = { "payments_refund_done_manual",
	"UPDATE refunds SET status = 'done', provider_ref = $2, done_at = $3, done_by = $4,"
	" lease_until = 0 WHERE id = $1 AND status IN ('manual', 'failed')"
	" RETURNING org_id, amount_cents, currency, COALESCE(order_id, 0), payment_id" };

static enum db_status refund_done_txn(struct db *db, void *cls)
{
	struct refund_done *x = cls;
	x->changed = false;
	struct db_stmt *st = db_stmt(db, x->done_by ? &SQL_REFUND_DONE_MANUAL
						    : &SQL_REFUND_DONE_PENDING);
	db_bind_i64(st, 1, x->id);
	db_bind_text(st, 2, x->provider_ref);
	db_bind_i64(st, 3, time_now());
	if (x->done_by)
		db_bind_i64(st, 4, x->done_by);
	else
		db_bind_null(st, 4);
	enum db_status s = faults_step(st);
	int64_t org_id = 0, amount = 0, order_id = 0, payment_id = 0;
	char currency[8] = "";
	if (s == DB_ROW) {
		org_id = db_col_i64(st, 0);
		amount = db_col_i64(st, 1);
		snprintf(currency, sizeof(currency), "%s", db_col_text(st, 2));
		order_id = db_col_i64(st, 3);
		payment_id = db_col_i64(st, 4);
	}
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;
	x->changed = true;
	/* INVARIANT(ledger): the money leaves the book when the refund is done. */
	return ledger_add(db, org_id, LEDGER_REFUND, -amount, currency, x->provider, order_id,
			  payment_id, x->id, x->done_by ? "by hand" : "");
}

struct refund_retry {
	int64_t id;
	int attempts;
	const char *error;
};

static enum db_status refund_retry_txn(struct db *db, void *cls)
{
	struct refund_retry *x = cls;
	struct db_stmt *st = db_stmt(db, &SQL_REFUND_RETRY);
	int64_t wait = 60LL << (x->attempts < 10 ? x->attempts : 10);
	db_bind_i64(st, 1, x->id);
	db_bind_i64(st, 2, time_now() + wait);
	db_bind_text(st, 3, x->error);
	db_bind_i64(st, 4, REFUND_ATTEMPTS);
	return db_run(st);
}

static const struct db_sql SQL_REFUND_ANY_DUE = { "payments_refund_any_due",
	"SELECT 1 FROM refunds WHERE status = 'pending' AND next_attempt_at <= $1 LIMIT 1" };

enum kq_err payments_refunds_run(struct db *db, int64_t only_id, int max, int *out_done)
{
	int done = 0;
	enum kq_err e = KQ_OK;
	if (out_done)
		*out_done = 0;
	if (!only_id) {
		/* The job asks every second: a read when there is nothing to send. */
		struct db_stmt *st = db_stmt(db, &SQL_REFUND_ANY_DUE);
		db_bind_i64(st, 1, time_now());
		enum db_status s = db_step(st);
		db_reset(st);
		if (s != DB_ROW)
			return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
	}
	for (int i = 0; i < max; i++) {
		struct arena *a = arena_new();
		struct refund_claim c = { only_id, a, false, 0, 0, 0, NULL, NULL, 0 };
		if (db_txn_run(db, "payments_refund_claim", DB_WRITE, refund_claim_txn, &c) < 0) {
			arena_free(a);
			e = KQ_ERR_INTERNAL;
			break;
		}
		if (!c.found) {
			arena_free(a);
			break;
		}
		struct db_stmt *st = db_stmt(db, &SQL_PAYMENT_FOR_REFUND);
		db_bind_i64(st, 1, c.payment_id);
		enum db_status s = db_step(st);
		const char *provider = s == DB_ROW ? arena_strdup(a, db_col_text(st, 2)) : "";
		const char *payment_ref = s == DB_ROW ? arena_strdup(a, db_col_text(st, 5)) : "";
		db_reset(st);
		const struct payment_provider *p = payments_provider(provider);
		const char *ref = NULL;
		enum kq_err pe = KQ_ERR_PAYMENT_FAILED;
		if (p && p->refund && p->is_enabled() && *payment_ref)
			pe = p->refund(payment_ref, c.amount, c.currency, c.key, a, &ref);
		if (pe == KQ_OK) {
			struct refund_done d = { c.id, ref, provider, 0, false };
			if (db_txn_run(db, "payments_refund_done", DB_WRITE, refund_done_txn, &d) < 0) {
				/* The provider refunded; the lease runs out and the next
				 * try sends the same key, which the provider answers with
				 * this same refund: then it is recorded. */
				e = KQ_ERR_INTERNAL;
				arena_free(a);
				break;
			}
			if (d.changed)
				done++;
		} else {
			log_warn("payments: refund %lld through %s failed (attempt %d)", (long long)c.id,
				 provider, c.attempts);
			struct refund_retry r = { c.id, c.attempts, "the provider refused or did not answer" };
			if (db_txn_run(db, "payments_refund_retry", DB_WRITE, refund_retry_txn, &r) < 0)
				e = KQ_ERR_INTERNAL;
		}
		arena_free(a);
		if (only_id)
			break;
	}
	if (out_done)
		*out_done = done;
	return e;
}

static const struct db_sql SQL_REFUNDS_TODO = { "payments_refunds_todo",
	"SELECT r.id, COALESCE(r.order_id, 0), r.payment_id, r.org_id, r.amount_cents, r.currency,"
	" r.status, r.reason, p.provider, COALESCE(o.code, ''), COALESCE(o.buyer_name, ''),"
	" COALESCE(o.buyer_email, ''), r.created_at, COALESCE(r.done_at, 0)"
	" FROM refunds r JOIN payments p ON p.id = r.payment_id LEFT JOIN orders o ON o.id = r.order_id"
	" WHERE r.org_id = $1 AND r.status IN ('manual', 'failed') ORDER BY r.id LIMIT 500" };
static const struct db_sql SQL_REFUND_ORG = { "payments_refund_org",
	"SELECT r.org_id, p.provider FROM refunds r JOIN payments p ON p.id = r.payment_id"
	" WHERE r.id = $1" };

enum kq_err payments_refunds_to_do(struct db *db, const struct actor *who, int64_t org_id,
				   struct arena *a, struct refund_row **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_MONEY);
	if (e != KQ_OK)
		return e;
	int cap = 8, n = 0;
	struct refund_row *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_REFUNDS_TODO);
	db_bind_i64(st, 1, org_id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		struct refund_row *r = &v[n++];
		r->id = db_col_i64(st, 0);
		r->order_id = db_col_i64(st, 1);
		r->payment_id = db_col_i64(st, 2);
		r->org_id = db_col_i64(st, 3);
		r->amount_cents = db_col_i64(st, 4);
		r->currency = arena_strdup(a, db_col_text(st, 5));
		r->status = arena_strdup(a, db_col_text(st, 6));
		r->reason = arena_strdup(a, db_col_text(st, 7));
		r->provider = arena_strdup(a, db_col_text(st, 8));
		r->order_code = arena_strdup(a, db_col_text(st, 9));
		r->buyer_name = arena_strdup(a, db_col_text(st, 10));
		r->buyer_email = arena_strdup(a, db_col_text(st, 11));
		r->created_at = db_col_i64(st, 12);
		r->done_at = db_col_i64(st, 13);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

struct mark_done {
	const struct actor *who;
	int64_t refund_id;
	enum kq_err err;
	char provider[32];
	struct refund_done d;
};

static enum db_status mark_done_txn(struct db *db, void *cls)
{
	struct mark_done *x = cls;
	struct db_stmt *st = db_stmt(db, &SQL_REFUND_ORG);
	db_bind_i64(st, 1, x->refund_id);
	enum db_status s = db_step(st);
	int64_t org_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	if (s == DB_ROW)
		snprintf(x->provider, sizeof(x->provider), "%s", db_col_text(st, 1));
	db_reset(st);
	if (s != DB_ROW) {
		x->err = s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
		return DB_HARD;
	}
	x->err = orgs_authorize(db, x->who, org_id, ORG_ACT_MONEY);
	if (x->err != KQ_OK)
		return DB_HARD;
	x->d = (struct refund_done){ x->refund_id, NULL, x->provider, x->who->account_id, false };
	s = refund_done_txn(db, &x->d);
	if (s < 0)
		return s;
	if (!x->d.changed) {
		x->err = KQ_ERR_ORDER_STATE;
		return DB_HARD;
	}
	return DB_NONE;
}

enum kq_err payments_refund_mark_done(struct db *db, const struct actor *who, int64_t refund_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct mark_done x = { who, refund_id, KQ_OK, "", { 0 } };
	enum db_status s = db_txn_run(db, "payments_refund_mark_done", DB_WRITE, mark_done_txn, &x);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	return KQ_OK;
}
