/* campaigns.h: crowdfunding campaigns ("Soutenir"): campaigns, reward tiers, contributions, settlement.
 *
 * Contributing follows the checkout's three steps (payments.h): one
 * transaction takes the tier's reward (a conditional UPDATE, as tickets take
 * seats: INVARIANT(tier), migration 0013) and writes the contribution
 * 'pending' and its payment 'created' (the form's idempotency key makes a
 * double click or a retry return the same contribution); the provider is
 * called outside any transaction; a second transaction records its answer
 * (a refusal cancels the contribution and gives the reward back). The money
 * arrives through payments_capture (webhook, return page, demo button),
 * which calls campaigns_purpose in its transaction: the contribution becomes
 * 'paid'. A pending contribution holds its reward CAMPAIGNS_HOLD_SECONDS;
 * the job gives it back after that (campaigns_expire_pending).
 *
 * At the end date the job settles a campaign (campaigns_settle_due): one
 * conditional change 'live' -> 'succeeded' | 'failed' with the backers'
 * mails in the same transaction; then each paid contribution of a failed
 * campaign is refunded in a transaction of its own (INVARIANT(settle-once)).
 * Only online providers (demo card, Stripe) are offered: a refund must be
 * possible without a treasurer. */
#ifndef KQ_CAMPAIGNS_H
#define KQ_CAMPAIGNS_H
#include "core.h"
#include "orgs.h"
#include "payments.h"
#include "uploads.h"

#define CAMPAIGNS_MIN_CENTS 100              /* 1 EUR */
#define CAMPAIGNS_MAX_CENTS 10000000         /* 100 000 EUR per contribution */
#define CAMPAIGNS_GOAL_MAX_CENTS 100000000   /* 1 000 000 EUR */
#define CAMPAIGNS_TITLE_MAX 120
#define CAMPAIGNS_SUMMARY_MAX 300
#define CAMPAIGNS_STORY_MAX 20000
#define CAMPAIGNS_NAME_MAX 120
#define CAMPAIGNS_MESSAGE_MAX 500
#define CAMPAIGNS_KEY_MAX 64
#define CAMPAIGNS_HOLD_SECONDS (30 * 60)
#define CAMPAIGNS_MAX_DAYS 120               /* the longest a campaign may run */
#define CAMPAIGNS_TIERS_MAX 20

/* One campaign with its progress. Strings never NULL. */
struct campaign {
	int64_t id, org_id;
	const char *org_slug, *org_name, *commune_name;
	const char *slug, *title, *summary, *story, *story_html, *category;
	const char *image_sha256;     /* the cover picture's, "" when none */
	int64_t goal_cents;
	const char *currency;
	int64_t starts_at, ends_at, settled_at, created_at;
	const char *model;            /* all_or_nothing | keep_it */
	const char *status;           /* draft | live | succeeded | failed | cancelled */
	/* Progress: raised = the sum of paid contributions. */
	int64_t raised_cents;
	int64_t backers;              /* paid contributions */
	int percent;                  /* raised * 100 / goal, may pass 100 */
	int days_left;                /* whole days until ends_at, rounded up; 0 once ended */
	bool is_open;                 /* live, started and not ended: contributions are taken */
	bool can_edit;                /* the actor may edit it (set by campaigns_get) */
};

struct campaign_tier {
	int64_t id, campaign_id, amount_cents;
	const char *title, *description, *delivery;
	int64_t quantity;             /* 0: unlimited */
	int64_t taken;
	int64_t remaining;            /* -1: unlimited */
};

struct campaign_backer {
	const char *name;             /* "" when anonymous */
	bool is_public;
	int64_t amount_cents;
	const char *message;          /* "" unless public */
	int64_t paid_at;
};

struct campaign_update {
	int64_t id;
	const char *title, *body_html;
	int64_t created_at;
};

/* ---- the organiser's side ------------------------------------------------------------------ */

struct campaign_input {
	const char *title, *summary, *story, *category;
	int64_t goal_cents;
	int64_t starts_at, ends_at;
	const char *model;            /* all_or_nothing | keep_it */
	bool publish;                 /* create/update: a draft becomes live */
	const void *image;            /* a new cover picture (PNG, JPEG, WebP), or NULL: unchanged */
	size_t image_len;
};

/* who (ORG_ACT_PUBLISH on org_id: owner, editor) starts a campaign, 'draft'
 * or, with in->publish, 'live'. Field errors in fe: title, summary, story,
 * category, image (too large, not an image), goal, starts_at, ends_at (after starts_at, at most
 * CAMPAIGNS_MAX_DAYS later, in the future), model. [out] *out_id, *out_slug
 * (in a). Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, FORM_INVALID, INTERNAL. */
enum kq_err campaigns_create(struct db *db, const struct actor *who, int64_t org_id,
			     const struct campaign_input *in, struct arena *a,
			     struct field_errors *fe, int64_t *out_id, const char **out_slug);

/* Edits campaign_id (ORG_ACT_PUBLISH). Goal, model and dates change only
 * while it is a draft; a live one keeps them (backers gave on those terms).
 * Errors: as campaigns_create, CAMPAIGNS_NOT_EDITABLE (settled or cancelled). */
enum kq_err campaigns_update(struct db *db, const struct actor *who, int64_t campaign_id,
			     const struct campaign_input *in, struct field_errors *fe);

struct campaign_tier_input {
	int64_t amount_cents;
	const char *title, *description, *delivery;
	int64_t quantity;             /* 0: unlimited */
};

/* Adds a reward tier (ORG_ACT_PUBLISH), while the campaign is draft or live.
 * Field errors: amount, title, description, delivery, quantity. [out] *out_id.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, FORM_INVALID,
 * CAMPAIGNS_NOT_EDITABLE, INTERNAL. */
enum kq_err campaigns_tier_add(struct db *db, const struct actor *who, int64_t campaign_id,
			       const struct campaign_tier_input *in, struct field_errors *fe,
			       int64_t *out_id);

/* Posts news (ORG_ACT_PUBLISH) and, in the same transaction, mails every
 * paid backer once. Field errors: title, body. Errors: AUTH_REQUIRED,
 * FORBIDDEN, NOT_FOUND, FORM_INVALID, INTERNAL. */
enum kq_err campaigns_update_post(struct db *db, const struct actor *who, int64_t campaign_id,
				  const char *title, const char *body, struct field_errors *fe);

/* ---- reading -------------------------------------------------------------------------------- */

/* The campaign slug with its progress. A draft is found only by who may
 * edit it. Errors: NOT_FOUND, INTERNAL. */
enum kq_err campaigns_get(struct db *db, const struct actor *who, struct arena *a, const char *slug,
			  struct campaign *out);
enum kq_err campaigns_get_by_id(struct db *db, struct arena *a, int64_t id, struct campaign *out);

/* The cover picture of the campaign slug (as campaigns_get sees it), bytes
 * in a. Errors: NOT_FOUND (no campaign, or no picture), INTERNAL. */
enum kq_err campaigns_image_get(struct db *db, const struct actor *who, struct arena *a,
				const char *slug, struct upload *out);

/* Tiers by amount. [out] list in a. Errors: INTERNAL. */
enum kq_err campaigns_tiers(struct db *db, struct arena *a, int64_t campaign_id,
			    struct campaign_tier **out, int *out_n);
#define CAMPAIGNS_BACKERS_MAX 200
/* Paid contributions, newest first (at most CAMPAIGNS_BACKERS_MAX); an
 * anonymous one has no name nor message. Errors: INTERNAL. */
enum kq_err campaigns_backers(struct db *db, struct arena *a, int64_t campaign_id,
			      struct campaign_backer **out, int *out_n);
#define CAMPAIGNS_UPDATES_MAX 50
enum kq_err campaigns_updates(struct db *db, struct arena *a, int64_t campaign_id,
			      struct campaign_update **out, int *out_n);

enum campaigns_sort { CAMPAIGNS_ENDING_SOON, CAMPAIGNS_NEWEST, CAMPAIGNS_MOST_FUNDED };
struct campaigns_filter {
	enum campaigns_sort sort;
	int64_t commune_id;           /* 0: any (the organisation's commune) */
	const char *category;         /* NULL or "": any */
	int limit;                    /* clamped to 1..100 */
};
/* Live campaigns that are open now. [out] list in a. Errors: INTERNAL. */
enum kq_err campaigns_list(struct db *db, struct arena *a, const struct campaigns_filter *f,
			   struct campaign **out, int *out_n);
/* Campaigns of org_id, every status, newest first (ORG_ACT_PUBLISH).
 * Errors: AUTH_REQUIRED, FORBIDDEN, INTERNAL. */
enum kq_err campaigns_of_org(struct db *db, const struct actor *who, int64_t org_id,
			     struct arena *a, struct campaign **out, int *out_n);

/* A contribution as its organiser sees it: who, how much, which reward to give. */
struct campaign_backing {
	int64_t id, amount_cents, paid_at;
	const char *backer_name, *backer_email, *message, *status;
	const char *tier_title, *delivery;   /* "" without a reward */
	bool is_public;
};
#define CAMPAIGNS_BACKINGS_MAX 1000
/* The paid and refunded contributions of campaign_id, rewards first, then
 * newest first (at most CAMPAIGNS_BACKINGS_MAX): the list of rewards to
 * deliver. Needs ORG_ACT_PUBLISH. [out] list in a. Errors: AUTH_REQUIRED,
 * FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err campaigns_backings(struct db *db, const struct actor *who, int64_t campaign_id,
			       struct arena *a, struct campaign_backing **out, int *out_n);

/* The providers a backer may choose now, NULL-terminated (at most 4). */
void campaigns_providers(const char **out);

/* ---- contributing ------------------------------------------------------------------------- */

struct contribution_request {
	int64_t campaign_id;
	int64_t tier_id;              /* 0: no reward */
	int64_t amount_cents;
	const char *backer_name, *backer_email;   /* guests; an account's own by default */
	bool is_public;
	const char *message;
	const char *provider;
	const char *idempotency_key;  /* 8..64 characters, from the form */
	const char *lang;
};

struct contribution {
	int64_t id, campaign_id, tier_id;
	const char *campaign_slug, *campaign_title, *org_name, *tier_title;
	int64_t amount_cents;
	const char *currency, *backer_name, *backer_email, *provider, *status, *secret;
	bool is_public;
	int64_t hold_until, created_at, paid_at;
	const char *payment_status;   /* of the last payment, "" when none */
	const char *redirect_url;     /* the provider's page to go to, "" when none */
	const char *reference;        /* "SOU-<id>" */
};

/* who (visitor or account) backs in->campaign_id. Field errors in fe:
 * amount (below the tier's or 1 EUR, above the cap), tier, backer_name,
 * backer_email, message, provider, idempotency_key. The same key with the
 * same request returns the first contribution; with another:
 * IDEMPOTENCY_CONFLICT. A full tier: CAMPAIGNS_TIER_FULL (fe "tier"); a
 * campaign not open: CAMPAIGNS_NOT_LIVE. [out] *out, with redirect_url
 * set when the backer must go to the provider's page. Errors:
 * FORM_INVALID, NOT_FOUND, CAMPAIGNS_NOT_LIVE, CAMPAIGNS_TIER_FULL,
 * IDEMPOTENCY_CONFLICT, PAYMENT_FAILED (the provider refused to start: the
 * contribution is 'cancelled' and its reward given back), INTERNAL. */
enum kq_err campaigns_contribute(struct db *db, const struct actor *who,
				 const struct contribution_request *in, struct arena *a,
				 struct field_errors *fe, struct contribution *out);

/* The contribution behind secret (its link). Errors: NOT_FOUND, INTERNAL. */
enum kq_err campaigns_contribution_get(struct db *db, struct arena *a, const char *secret,
				       struct contribution *out);
/* Asks the provider of a pending contribution whether it is paid, and
 * captures it then (the return from the provider's page). [out] *out_paid
 * (may be NULL). Errors: NOT_FOUND, PAYMENT_FAILED, INTERNAL. */
enum kq_err campaigns_sync_payment(struct db *db, const char *secret, bool *out_paid);
/* The demo card's button. Errors: PAYMENT_PROVIDER_UNAVAILABLE (not demo),
 * NOT_FOUND, ORDER_STATE (not pending), INTERNAL. */
enum kq_err campaigns_demo_pay(struct db *db, const char *secret);

/* The purpose "contribution" of payments.c. */
extern const struct payment_purpose campaigns_purpose;

/* ---- the job ------------------------------------------------------------------------------ */

/* Cancels pending contributions whose hold ran out (a card payment is asked
 * about first: a lost webhook is not a lost payment), giving their rewards
 * back. Not inside a transaction. [out] *out_n (may be NULL) how many.
 * Errors: INTERNAL. */
enum kq_err campaigns_expire_pending(struct db *db, int *out_n);

/* Settles every live campaign whose end date passed, then refunds the paid
 * contributions of failed campaigns that are not refunded yet, each in its
 * own transaction, sending each refund to its provider right away (a
 * failure is retried by payments_refunds_run). Safe to run twice, or again
 * after a stop in the middle: nothing is settled, mailed nor refunded twice.
 * Not inside a transaction. [out] *out_n (may be NULL) campaigns settled +
 * contributions refunded. Errors: INTERNAL. */
enum kq_err campaigns_settle_due(struct db *db, int *out_n);

/* Two demo campaigns of the demo's first associations (one all or nothing
 * with limited rewards, one keep what is raised), live for 30 days. Runs
 * inside the demo transaction (core/demo.c, after organisations). Errors:
 * INTERNAL. */
enum kq_err campaigns_load_demo(struct db *db);

/* "2026-12-24" to the instant that day begins in the territory's zone, or,
 * with end_of_day, the instant it ends (the next midnight). false: not a date. */
bool campaigns_parse_date(const char *s, bool end_of_day, int64_t *out);

/* An amount typed in euros ("25", "12,50"): as donations_parse_amount. */
bool campaigns_parse_amount(const char *s, int64_t *out);

/* Changes whenever this process changes a campaign or its money, so a page
 * that keeps campaign figures a few seconds (the home page) shows this
 * process's own changes at once; another process's within that time. */
uint64_t campaigns_generation(void);
void campaigns_changed(void);

#endif
