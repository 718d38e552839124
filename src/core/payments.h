/* payments.h: the payment layer shared by tickets (and, in issue #5, donations and memberships).
 *
 * A provider is a struct of function pointers (struct payment_provider): on
 * site (pay at the door), bank transfer, card through Stripe Checkout, and a
 * demo card provider that exists only in demo mode. Providers never touch the
 * database: their calls may go over the network, and no network call ever
 * happens inside a transaction. The pattern for every call is:
 *
 *   1. a transaction writes the intent (payments row 'created' with its
 *      idempotency key, or refunds row 'pending'), and commits;
 *   2. the provider is called with that key, outside any transaction;
 *   3. a second transaction records the answer.
 *
 * A crash between 1 and 3 leaves a row that says what to do again, with the
 * same key, so the provider never creates a second session or refund (Stripe
 * replays the first answer for a key it has seen).
 *
 * Incoming money: payments_webhook() checks a provider's signed event, asks
 * the provider for the state of the payment it names (the event is a trigger
 * only: its body is never trusted for amounts), then in one transaction
 * records the event id first (INVARIANT(once): a replay changes nothing),
 * captures the payment, writes the ledger row and hands the payment to its
 * purpose (orders_purpose confirms the order, or reconciles a late payment:
 * seats taken again, or a refund due; donations_purpose makes the donation
 * paid and issues its tax receipt). Other ways money arrives (a treasurer
 * marks a transfer received, the box office takes cash, the demo) go through
 * payments_capture() inside their own transaction.
 *
 * Outgoing money: a refund row 'pending' is sent by payments_refunds_run()
 * (the job thread, and right after the change that made it due); its ledger
 * row is written when the provider confirms. Offline providers' refunds are
 * 'manual': listed for the treasurer, who marks them done. */
#ifndef KQ_PAYMENTS_H
#define KQ_PAYMENTS_H
#include "core.h"
#include "base/config.h"

/* ---- settings ------------------------------------------------------------------------ */

struct payments_settings {
	const char *stripe_secret_key;      /* "" or NULL: card payment is off */
	const char *stripe_webhook_secret;
	const char *stripe_api_base;        /* "https://api.stripe.com"; tests: a local fake */
	bool demo;                          /* the demo provider is on */
	unsigned order_hold_minutes;        /* seats held by a pending order; 0 gives 30 */
};

/* From the process configuration; main calls it once at start, after
 * core_init. Copies what it keeps. */
void payments_init(const struct config *c);
/* The same from explicit values (tests). Copies what it keeps. Not
 * thread-safe: call before any other thread uses payments. */
void payments_configure(const struct payments_settings *s);
const struct payments_settings *payments_settings(void);

/* ---- providers ----------------------------------------------------------------------- */

/* What a provider needs to open a payment. */
struct payment_start_in {
	int64_t payment_id;
	const char *idempotency_key;  /* payments.idempotency_key: the same on every retry */
	int64_t amount_cents;         /* > 0 */
	const char *currency;         /* "EUR" */
	const char *description;      /* one line shown on the provider's page */
	const char *reference;        /* the order's code; a transfer's reference */
	const char *buyer_email;
	const char *return_url;       /* absolute: the buyer comes back there, paid or not */
	int64_t now;
	int64_t hold_until;           /* the order's hold: no payment should start after it */
	int64_t last_date_end;        /* end of the order's last date (pay at the door until then) */
	bool save_for_later;          /* monthly donations: keep the card for off-session renewals */
};

/* What the provider answered. Strings in the caller's arena. */
struct payment_start_out {
	const char *provider_ref;     /* session id, transfer reference, or NULL */
	const char *redirect_url;     /* where the buyer goes now; NULL: the order page shows instructions */
	int64_t hold_until;           /* the order's new hold; 0: unchanged */
};

/* The state of a payment at the provider (fetched, never read from a webhook body). */
struct payment_state {
	bool is_paid;
	bool is_closed;               /* expired or abandoned at the provider: never to be paid */
	int64_t amount_cents;
	const char *currency;         /* upper-case */
	const char *payment_ref;      /* what a refund needs (Stripe's payment_intent); may be NULL */
	int64_t payment_id;           /* our payments.id as the provider echoes it (metadata); 0: none */
	int64_t fee_cents;            /* what the provider kept, in currency; 0: nothing or not known yet */
	const char *customer;         /* the saved customer (save_for_later), or NULL */
	const char *payment_method;   /* its saved payment method, or NULL */
};

/* A webhook delivery, once its signature is checked. */
struct payment_event {
	const char *event_id;         /* unique per provider */
	const char *type;             /* "checkout.session.completed", ... */
	const char *provider_ref;     /* the payment session it is about; NULL: nothing to do */
};

struct payment_provider {
	const char *name;             /* stored in payments.provider and ticket_shops.providers */
	const char *label_key;        /* catalog key of its name for buyers */
	bool is_online;               /* the provider confirms payments itself and can refund */
	bool (*is_enabled)(void);
	/* Opens a payment (no database). Errors: PAYMENT_FAILED. */
	enum kq_err (*start)(const struct payment_start_in *in, struct arena *a,
			     struct payment_start_out *out);
	/* Checks a webhook's signature (header value sig) over the raw body
	 * and its age against now, then parses it. NULL: the provider has no
	 * webhooks. Errors: PAYMENT_BAD_SIGNATURE, BAD_REQUEST. */
	enum kq_err (*webhook_parse)(const char *sig, const char *body, size_t len, int64_t now,
				     struct arena *a, struct payment_event *out);
	/* Asks the provider about the payment provider_ref. NULL: cannot.
	 * Errors: PAYMENT_FAILED, NOT_FOUND. */
	enum kq_err (*fetch)(const char *provider_ref, struct arena *a, struct payment_state *out);
	/* Sends money back; the same key never refunds twice. NULL: refunds are
	 * made by hand. [out] *out_ref the provider's refund id. Errors:
	 * PAYMENT_FAILED. */
	enum kq_err (*refund)(const char *payment_ref, int64_t amount_cents, const char *currency,
			      const char *idempotency_key, struct arena *a, const char **out_ref);
	/* Charges a payment method saved by an earlier start with
	 * save_for_later, without the payer (monthly renewals). The same
	 * in->idempotency_key never charges twice. customer, payment_method:
	 * from the first payment's fetch (NULL for the demo). [out] *out:
	 * is_paid, amount, payment_ref. NULL: cannot. Errors: PAYMENT_FAILED
	 * (declined, or no answer: try again later with a new key only when
	 * the provider answered). */
	enum kq_err (*charge_saved)(const struct payment_start_in *in, const char *customer,
				    const char *payment_method, struct arena *a,
				    struct payment_state *out);
};

/* The provider called name, or NULL. */
const struct payment_provider *payments_provider(const char *name);
/* Every provider, NULL-terminated (enabled or not). */
const struct payment_provider *const *payments_providers(void);
/* name is a provider that is enabled in this process. */
bool payments_provider_enabled(const char *name);

extern const struct payment_provider payments_onsite;
extern const struct payment_provider payments_transfer;
extern const struct payment_provider payments_stripe;
extern const struct payment_provider payments_demo;

/* ---- what is paid for ---------------------------------------------------------------- */

/* A captured payment, as handed to its purpose. */
struct payment_captured {
	int64_t payment_id, org_id, order_id;
	int64_t donation_id;          /* payments.donation_id, 0 when none */
	const char *provider;
	int64_t amount_cents;         /* what the provider says was received */
	const char *currency;
	int64_t expected_cents;       /* what the payment row asked for */
	const char *expected_currency;
};

/* A kind of thing paid for ("order"; issue #5: "donation", "membership"). */
struct payment_purpose {
	const char *name;             /* payments.purpose */
	/* Inside the capturing transaction: apply the money. Set *out_refund_reason
	 * (a refunds.reason) when the money cannot be kept and must go back in
	 * full; payments_capture then writes the refund. */
	enum db_status (*captured)(struct db *db, const struct payment_captured *p, struct arena *a,
				   const char **out_refund_reason);
};

/* ---- starting a payment (every purpose) --------------------------------------------------- */

/* A payment to write before its provider is called (step 1 of the pattern). */
struct payment_new {
	const char *purpose;          /* "order" | "donation" */
	int64_t org_id;
	int64_t order_id;             /* set for "order", else 0 */
	int64_t donation_id;          /* set for "donation", else 0 */
	const char *provider;
	int64_t amount_cents;         /* > 0 */
	const char *currency;
};

/* Writes a payment 'created' with a fresh idempotency key (sent to the
 * provider on every call about it). Must run inside a write transaction.
 * [out] *out_id. */
__attribute__((warn_unused_result))
enum db_status payments_insert(struct db *db, const struct payment_new *in, int64_t now,
			       int64_t *out_id);
/* Records the provider's answer to start (step 3): 'created' becomes
 * 'started' with its session or reference. DB_ROW when this call made the
 * change, DB_NONE when the payment was no longer 'created' (a concurrent
 * retry recorded it, or it is paid). Inside a write transaction. */
__attribute__((warn_unused_result))
enum db_status payments_mark_started(struct db *db, int64_t payment_id, const char *provider_ref,
				     const char *redirect_url, int64_t now);
/* The provider refused to start: 'created' becomes 'failed' (nothing can be
 * paid on it). Inside a write transaction. */
__attribute__((warn_unused_result))
enum db_status payments_mark_failed(struct db *db, int64_t payment_id, int64_t now);

/* ---- the flow of a purpose's payment (payments_flow.c) -------------------------------------------- */

/* Donations, campaign contributions and memberships pay the same way: the
 * purpose's transaction writes its subject 'pending' and a payment
 * 'created' (payments_insert); payments_flow_start calls the provider
 * outside any transaction and records its answer; the demo button or a
 * treasurer captures with payments_flow_capture; the return page asks the
 * provider with payments_flow_sync. A purpose describes itself with a
 * struct payment_flow. */

/* The last payment of a subject, as the purpose's load reads it. Strings in a. */
struct payment_flow_payment {
	int64_t payment_id, org_id, amount_cents;
	const char *provider, *status, *idempotency_key, *currency;
	const char *subject_status;   /* the subject's state: payable only when "pending" */
	/* For payments_flow_start only (else may stay NULL/0): */
	const char *buyer_email, *reference, *return_url, *description;
	int64_t hold_until;
	bool save_for_later;
};

struct payment_flow {
	const char *start_txn, *capture_txn;   /* transaction names (logs) */
	enum kq_err no_payment_err;   /* capture of a subject without a payment */
	/* The subject's last payment: DB_ROW, DB_NONE when it has none. Runs
	 * inside or outside a transaction. */
	enum db_status (*load)(struct db *db, struct arena *a, int64_t subject_id,
			       struct payment_flow_payment *out);
	/* In the transaction recording a refused start, before the payment is
	 * marked failed: the subject stops being payable (places given back). */
	enum db_status (*start_failed)(struct db *db, int64_t subject_id, int64_t now);
	/* In the transaction recording a start, when it made the change. NULL: nothing. */
	enum db_status (*started)(struct db *db, int64_t subject_id, const char *provider,
				  const struct payment_start_out *out);
};

/* Reads a purpose's load row whose first nine columns are p.id, p.provider,
 * p.status, p.idempotency_key, p.amount_cents, p.currency, then the
 * subject's secret, payer's email and status. Returns the secret. Strings in a. */
const char *payments_flow_read(struct db_stmt *st, struct arena *a,
			       struct payment_flow_payment *out);

/* Steps 2 and 3 for the subject's last payment when it is still 'created'
 * and its subject 'pending' (a replay whose first request started it does
 * nothing). Not inside a transaction. Errors: PAYMENT_FAILED (the provider
 * refused: start_failed ran), INTERNAL. */
enum kq_err payments_flow_start(struct db *db, const struct payment_flow *f, struct arena *a,
				int64_t subject_id);
/* Captures the subject's pending last payment in full: who NULL is the demo
 * card's button (provider "demo", on); else a treasurer of the payment's
 * organisation (ORG_ACT_MONEY) says a transfer was received. Runs a refund
 * made due at once. Errors: f->no_payment_err, PAYMENT_PROVIDER_UNAVAILABLE,
 * AUTH_REQUIRED, FORBIDDEN, ORDER_STATE (paid already, or not payable that
 * way), INTERNAL. */
enum kq_err payments_flow_capture(struct db *db, const struct payment_flow *f,
				  const struct actor *who, int64_t subject_id);
/* Asks the provider about the subject's last payment (payments_sync).
 * Nothing when it has none. [out] *out_paid (may be NULL). Errors:
 * NOT_FOUND, PAYMENT_FAILED, INTERNAL. */
enum kq_err payments_flow_sync(struct db *db, const struct payment_flow *f, int64_t subject_id,
			       bool *out_paid);

/* ---- money in --------------------------------------------------------------------------- */

struct capture_result {
	bool is_duplicate;            /* the payment was captured before: nothing changed */
	int64_t refund_id;            /* a refund made due by this capture, or 0 */
};

/* Inside the transaction of a capture that was not a duplicate: records the
 * provider's fee on the payment and as a 'fee' row of the ledger (nothing when
 * fee_cents is 0 or not in the payment's currency). */
__attribute__((warn_unused_result))
enum db_status payments_record_fee(struct db *db, int64_t payment_id, int64_t fee_cents,
				   const char *currency);

/* Captures payment_id: amount_cents received in currency, payment_ref the
 * provider's id of the money (may be NULL). Conditional on the payment still
 * being 'created' or 'started', so a second capture is a no-op
 * (out->is_duplicate). Writes the ledger row and calls the purpose's handler,
 * then the refund if one is due. Must run inside a write transaction; never
 * calls a provider. */
__attribute__((warn_unused_result))
enum db_status payments_capture(struct db *db, int64_t payment_id, int64_t amount_cents,
				const char *currency, const char *payment_ref, struct arena *a,
				struct capture_result *out);

/* What payments_webhook did. */
enum webhook_result {
	WEBHOOK_APPLIED,          /* a payment was captured */
	WEBHOOK_DUPLICATE,        /* this event was processed before */
	WEBHOOK_IGNORED,          /* an event type we do not act on, or nothing paid yet */
	WEBHOOK_UNKNOWN_PAYMENT,  /* about a session that is not ours */
	WEBHOOK_ALREADY_CAPTURED, /* another event captured this payment before */
};

/* Handles one webhook delivery of provider (raw body, the signature header's
 * value). Not inside a transaction: it calls the provider. Runs refunds made
 * due (a late payment) before returning. [out] *out_result (may be NULL).
 * Errors: NOT_FOUND (no such provider or no webhooks), PAYMENT_BAD_SIGNATURE
 * (answer 400), BAD_REQUEST (unparsable), PAYMENT_FAILED (the provider could
 * not be asked: answer 5xx so it delivers again), INTERNAL. */
enum kq_err payments_webhook(struct db *db, const char *provider, const char *signature,
			     const char *body, size_t len, struct arena *a,
			     enum webhook_result *out_result);

/* Asks the provider about payment_id and captures it if it was paid: what
 * the expiry job and the order page do when no webhook came. Not inside a
 * transaction. [out] *out_paid (may be NULL): it is captured now.
 * Errors: NOT_FOUND, PAYMENT_FAILED, INTERNAL. */
enum kq_err payments_sync(struct db *db, int64_t payment_id, bool *out_paid);

/* ---- money out ----------------------------------------------------------------------------- */

/* Decides to give amount_cents of payment_id back, for reason (a
 * refunds.reason): a 'pending' refund when the provider refunds online,
 * 'manual' otherwise. Must run inside a write transaction. [out] *out_id. */
__attribute__((warn_unused_result))
enum db_status payments_refund_create(struct db *db, int64_t payment_id, int64_t amount_cents,
				      const char *reason, int64_t *out_id);

/* Sends due 'pending' refunds to their providers (at most max), each under a
 * lease so two processes never send the same one, and records each answer:
 * 'done' and its ledger row, or another try later with backoff, 'failed'
 * after the last. Not inside a transaction. only_id: 0 for any due refund,
 * else that one only. [out] *out_done (may be NULL). Errors: INTERNAL. */
enum kq_err payments_refunds_run(struct db *db, int64_t only_id, int max, int *out_done);

struct refund_row {
	int64_t id, order_id, payment_id, org_id;
	int64_t amount_cents;
	const char *currency, *status, *reason, *provider, *order_code, *buyer_name, *buyer_email;
	int64_t created_at, done_at;
};

/* Refunds of an organisation a treasurer must make by hand ('manual' and
 * 'failed'), oldest first. Needs ORG_ACT_MONEY. [out] list in a.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err payments_refunds_to_do(struct db *db, const struct actor *who, int64_t org_id,
				   struct arena *a, struct refund_row **out, int *out_n);

/* A treasurer of the payment's organisation says a 'manual' or 'failed'
 * refund was made by hand: 'done' and its ledger row. Needs ORG_ACT_MONEY.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, ORDER_STATE (already done or
 * still pending at the provider), INTERNAL. */
enum kq_err payments_refund_mark_done(struct db *db, const struct actor *who, int64_t refund_id);

/* ---- Stripe specifics, exported for tests -------------------------------------------- */

/* Checks a Stripe-Signature header ("t=...,v1=...[,v1=...]") over body with
 * the endpoint secret: HMAC-SHA256 of "t.body", hex, constant-time compare,
 * |now - t| <= tolerance seconds. */
bool payments_stripe_signature_ok(const char *header, const char *body, size_t len,
				  const char *secret, int64_t now, int64_t tolerance);
/* The header value Stripe would send for body at time t (tests, and the fake). */
char *payments_stripe_sign(struct arena *a, const char *body, size_t len, const char *secret,
			   int64_t t);
#define PAYMENTS_STRIPE_TOLERANCE 300

#endif
