/* memberships.h: an association's membership plans, joining (online, or cash and cheques at the desk), member cards, reminders.
 *
 * Joining follows the checkout's three steps (payments.h): one transaction
 * takes a place of the plan's cap (INVARIANT(member-cap), migration 0014)
 * and writes the membership 'pending' with its payment 'created' (the form's
 * idempotency key makes a double click or a retry return the same
 * membership); the provider is called outside any transaction; a second
 * transaction records its answer. The money arrives through
 * payments_capture (webhook, return page, demo button), which calls
 * memberships_purpose in its transaction: the membership becomes 'active'.
 * A free plan (or a pay-what-you-want plan with nothing asked) is active at
 * once, with no payment. A treasurer records a membership paid in cash or by
 * cheque in one transaction: place, membership, payment (provider 'cash' or
 * 'cheque') and its capture, so its ledger row, all land together.
 *
 * Periods (memberships_period) are computed in the territory's zone: civil
 * year, season September-August, or 12 rolling months. Extra questions on
 * the join form are not here yet. */
#ifndef KQ_MEMBERSHIPS_H
#define KQ_MEMBERSHIPS_H
#include "core.h"
#include "orgs.h"
#include "payments.h"
#include "base/buf.h"

#define MEMBERSHIPS_NAME_MAX 120
#define MEMBERSHIPS_DESC_MAX 2000
#define MEMBERSHIPS_MAX_CENTS 10000000      /* 100 000 EUR */
#define MEMBERSHIPS_CAP_MAX 1000000
#define MEMBERSHIPS_KEY_MAX 64
#define MEMBERSHIPS_LIST_MAX 500
#define MEMBERSHIPS_PLANS_MAX 50
#define MEMBERSHIPS_CODE_LEN 20             /* card codes: 20 alphanumerics, about 119 bits */
#define MEMBERSHIPS_REMIND_DAYS 30

/* ---- periods ------------------------------------------------------------------------------ */

/* The period of a membership starting at start (UTC seconds) under period
 * ("civil" | "season" | "rolling"), in the territory's zone (TZ, set by
 * time_init): [*out_from, *out_until), both local midnights.
 *   civil:   1 January to 1 January next;
 *   season:  1 September to 1 September next;
 *   rolling: the day of start to the same day a year later (29 February to
 *            1 March).
 * A late join, as most French associations count it: joining in the last four
 * months of a civil year (from 1 September) or of a season (from 1 May)
 * starts now and runs to the end of the next year or season.
 * false when period is not one of these. */
bool memberships_period(const char *period, int64_t start, int64_t *out_from,
			int64_t *out_until);

/* ---- plans -------------------------------------------------------------------------------- */

struct membership_plan {
	int64_t id, org_id;
	const char *name, *description;
	const char *pricing;          /* fixed | free | pwyw */
	int64_t price_cents;          /* fixed: the price; pwyw: the minimum */
	const char *currency;
	const char *period;           /* civil | season | rolling */
	int64_t cap;                  /* 0: no cap */
	int64_t taken;
	bool is_open;
};

struct membership_plan_input {
	const char *name, *description;
	const char *pricing;
	const char *price;            /* euros as typed: "15", "12,50" */
	const char *period;
	const char *cap;              /* "" or a count */
	bool is_open;
};

/* Creates (plan_id 0) or updates a plan of org_id, an association. Needs
 * ORG_ACT_MONEY. A cap below the places taken is refused. [out] *out_id.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, FORM_INVALID (fe: name,
 * description, pricing, price, period, cap), INTERNAL. */
enum kq_err memberships_plan_save(struct db *db, const struct actor *who, int64_t org_id,
				  int64_t plan_id, const struct membership_plan_input *in,
				  struct field_errors *fe, int64_t *out_id);

/* The plans of org_id (only the open ones when only_open), by name. No
 * authorisation. [out] list in a. Errors: INTERNAL. */
enum kq_err memberships_plans(struct db *db, struct arena *a, int64_t org_id, bool only_open,
			      struct membership_plan **out, int *out_n);

/* An association with open plans, for /adhesions. */
struct membership_org {
	const char *slug, *name, *summary, *commune_name;
	int n_plans;
	int64_t min_cents;            /* cheapest price (0: a free plan) */
};

/* The associations with at least one open plan, by name (at most 200).
 * Errors: INTERNAL. */
enum kq_err memberships_orgs(struct db *db, struct arena *a, struct membership_org **out,
			     int *out_n);

/* The association slug and its open plans, for its membership page.
 * Errors: NOT_FOUND (no such association), INTERNAL. */
enum kq_err memberships_page(struct db *db, struct arena *a, const char *slug, struct org *out_org,
			     struct membership_plan **out_plans, int *out_n);

/* The providers a member may choose to pay online now, NULL-terminated. */
void memberships_providers(const char **out, int max);

/* ---- joining -------------------------------------------------------------------------------- */

struct membership_request {
	int64_t plan_id;
	int64_t amount_cents;         /* pwyw: what the member gives; else ignored */
	const char *member_name, *member_email;
	const char *provider;         /* online: demo | stripe; ignored when nothing is due */
	const char *idempotency_key;  /* 8..64 characters, from the form */
	const char *lang;
	const char *renew_secret;     /* the secret of the membership this renews, or NULL */
};

struct membership {
	int64_t id, plan_id, org_id;
	const char *plan_name, *org_slug, *org_name, *period;
	const char *member_name, *member_email;
	int64_t account_id;
	int64_t amount_cents;
	const char *currency;
	int64_t valid_from, valid_until;
	const char *status, *provider, *secret, *card_code, *lang;
	int64_t created_at, paid_at, recorded_by;
	const char *payment_status;   /* of the last payment, "" when none */
	const char *redirect_url;     /* the provider's page to go to, "" when none */
	const char *reference;        /* "ADH-<id>" */
};

/* The state of m at now, for lists and the card: "current" (active, now in
 * its period), "upcoming" (active, starts later), "lapsed" (active, ended),
 * or its status (pending, cancelled, refunded). */
const char *memberships_state(const struct membership *m, int64_t now);

/* who (visitor or account) joins plan in->plan_id. Renewing (renew_secret
 * names an active membership of the same association) starts when that one
 * ends, if it has not ended yet. Field errors in fe: amount, member_name,
 * member_email, provider, idempotency_key. The same key with the same request
 * returns the first membership; with another: IDEMPOTENCY_CONFLICT. [out]
 * *out, redirect_url set when the member must go to the provider's page.
 * Errors: FORM_INVALID, NOT_FOUND (no such open plan), MEMBERSHIPS_FULL,
 * IDEMPOTENCY_CONFLICT, PAYMENT_FAILED (the provider refused to start: the
 * membership is 'cancelled', its place given back), INTERNAL. */
enum kq_err memberships_join(struct db *db, const struct actor *who,
			     const struct membership_request *in, struct arena *a,
			     struct field_errors *fe, struct membership *out);

/* A treasurer records a membership paid by provider "cash" or "cheque"
 * (amount_cents for a pwyw plan; member_email may be empty). The membership is
 * active at once, its payment captured and in the ledger. Needs ORG_ACT_MONEY
 * on the plan's association. Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND,
 * FORM_INVALID, MEMBERSHIPS_FULL, IDEMPOTENCY_CONFLICT, INTERNAL. */
enum kq_err memberships_record(struct db *db, const struct actor *who,
			       const struct membership_request *in, struct arena *a,
			       struct field_errors *fe, struct membership *out);

/* The membership behind secret (its link). Errors: NOT_FOUND, INTERNAL. */
enum kq_err memberships_get_by_secret(struct db *db, struct arena *a, const char *secret,
				      struct membership *out);

/* Asks the provider of a pending membership's last payment whether it is
 * paid, and captures it then. [out] *out_paid (may be NULL).
 * Errors: NOT_FOUND, PAYMENT_FAILED, INTERNAL. */
enum kq_err memberships_sync_payment(struct db *db, const char *secret, bool *out_paid);

/* The demo card's button. Errors: PAYMENT_PROVIDER_UNAVAILABLE (not demo),
 * NOT_FOUND, ORDER_STATE (not pending), INTERNAL. */
enum kq_err memberships_demo_pay(struct db *db, const char *secret);

/* The memberships of org_id, newest first (at most MEMBERSHIPS_LIST_MAX),
 * for its treasurer. Needs ORG_ACT_MONEY. [out] list in a.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err memberships_list(struct db *db, const struct actor *who, int64_t org_id,
			     struct arena *a, struct membership **out, int *out_n);

/* The membership of org_id whose card holds code (what its QR code says),
 * for someone of the association checking a card at the door. Needs
 * ORG_ACT_VIEW_MEMBERS (any role in the association). [out] *out in a.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err memberships_check_card(struct db *db, const struct actor *who, int64_t org_id,
				   const char *code, struct arena *a, struct membership *out);

/* Appends to b the member card of m (one A4 page: association, member, plan,
 * period, and the QR code of m->card_code). Only for an active membership.
 * Errors: ORDER_STATE (not active), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err memberships_card_pdf(struct buf *b, struct arena *a, const struct membership *m);

/* The purpose "membership" of payments.c. */
extern const struct payment_purpose memberships_purpose;

/* ---- writing to the members ------------------------------------------------------------- */

/* "Écrire aux adhérents": the association's owner or treasurer
 * (ORG_ACT_MONEY, the same people who see the members and their addresses;
 * an editor publishes to the public, not to the member list) writes one
 * plain-text message to an audience:
 *   current  members now (an active membership not ended yet, an upcoming
 *            renewal included);
 *   lapsed   not members now, whose last membership ended within
 *            MEMBERSHIPS_LAPSED_DAYS;
 *   both     either.
 * One mail per address (compared in lower case; memberships recorded without
 * an address are skipped), in the member's language, saying which
 * association writes, why the person receives it (their membership, current
 * or ended) and how to reach the association (Reply-To: its address).
 * INVARIANT(mailing-once), INVARIANT(mailing-rate): migration 0028. */
#define MEMBERSHIPS_MAIL_SUBJECT_MAX 150
#define MEMBERSHIPS_MAIL_BODY_MAX 5000
#define MEMBERSHIPS_MAILINGS_PER_DAY 5      /* in any 24 hours, per association */
#define MEMBERSHIPS_LAPSED_DAYS 730         /* "within the last 2 years" */
#define MEMBERSHIPS_MAILINGS_SHOWN 50

struct membership_mailing_input {
	const char *subject;          /* 1..150 characters, one line */
	const char *body;             /* 1..5000 characters, plain text */
	const char *audience;         /* current | lapsed | both */
	const char *idempotency_key;  /* 8..64 characters, from the confirmation form */
};

struct membership_mailing {
	int64_t id;
	const char *subject, *body, *audience;
	int64_t recipients;
	const char *sender_name;      /* "" when the account was erased */
	int64_t created_at;
};

/* Checks in and counts who would receive it, writing nothing. Needs
 * ORG_ACT_MONEY. fe: subject, body, audience (no member of that audience
 * has an address: "err.memberships.mailing_nobody"). [out] *out_n.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, FORM_INVALID, INTERNAL. */
enum kq_err memberships_mailing_preview(struct db *db, const struct actor *who, int64_t org_id,
					const struct membership_mailing_input *in,
					struct field_errors *fe, int64_t *out_n);

/* Sends in: in one transaction, the member_mailings row and one outbox mail
 * per recipient. The same key again sends nothing and returns the first
 * mailing (*out_replayed true); the same key with another message:
 * IDEMPOTENCY_CONFLICT. More than MEMBERSHIPS_MAILINGS_PER_DAY in 24 hours:
 * MEMBERSHIPS_MAILING_LIMIT. Nothing is written on any error. [out] *out in
 * a, *out_replayed (may be NULL). Errors: AUTH_REQUIRED, FORBIDDEN,
 * NOT_FOUND, FORM_INVALID (fe as preview, and idempotency_key),
 * IDEMPOTENCY_CONFLICT, MEMBERSHIPS_MAILING_LIMIT, INTERNAL. */
enum kq_err memberships_mailing_send(struct db *db, const struct actor *who, int64_t org_id,
				     const struct membership_mailing_input *in, struct arena *a,
				     struct field_errors *fe, struct membership_mailing *out,
				     bool *out_replayed);

/* The last MEMBERSHIPS_MAILINGS_SHOWN mailings of org_id, newest first.
 * Needs ORG_ACT_MONEY. [out] list in a. Errors: AUTH_REQUIRED, FORBIDDEN,
 * NOT_FOUND, INTERNAL. */
enum kq_err memberships_mailings(struct db *db, const struct actor *who, int64_t org_id,
				 struct arena *a, struct membership_mailing **out, int *out_n);

/* ---- reminders and the demo ------------------------------------------------------------- */

/* Queues the reminder mail (with the renewal link) of each active membership
 * ending within MEMBERSHIPS_REMIND_DAYS of now that was not reminded yet and
 * is not renewed, at most max; each exactly once (a conditional UPDATE of
 * reminded_at in the transaction that queues the mail). [out] *out_sent.
 * Errors: INTERNAL. */
enum kq_err memberships_remind_due(struct db *db, int64_t now, int max, int *out_sent);

/* Cancels the memberships still pending (their payment not captured) that
 * were started more than the payments' hold (order_hold_minutes) before now,
 * at most max, and gives their places back: an abandoned card page does not
 * keep a place of a capped plan. A payment that started at an online
 * provider is asked about first (a late or lost webhook); one captured after
 * all takes its place again, or is refused and sent back if the plan is full
 * (memberships_purpose). [out] *out_n (may be NULL). Errors: INTERNAL. */
enum kq_err memberships_expire_due(struct db *db, int64_t now, int max, int *out_n);

/* Demo plans: every association of the (fresh) demo without plans offers an
 * "Adhésion annuelle" (civil year, 15 EUR) and a "Membre bienfaiteur" (season,
 * pay what you want from 30 EUR). Runs inside the demo transaction.
 * Errors: INTERNAL. */
enum kq_err memberships_load_demo(struct db *db);

#endif
