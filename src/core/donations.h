/* donations.h: one-off donations to associations, and the fiscal details that let them issue tax receipts.
 *
 * Giving follows the checkout's three steps (payments.h): one transaction
 * writes the donation 'pending' and its payment 'created' (the form's
 * idempotency key makes a double click or a retry return the same
 * donation); the provider is called outside any transaction; a second
 * transaction records its answer. The money arrives through
 * payments_capture (webhook, return page, demo button, treasurer), which
 * calls donations_purpose in its transaction: the donation becomes 'paid'
 * and, when the association's fiscal details are checked by a platform
 * admin, its tax receipt is issued there too (receipts.h), numbered from
 * the association's counter of the year (INVARIANT(receipt-seq), migration
 * 0011). So money, donation and receipt are all there or none is.
 *
 * Only organisations of kind 'association' take donations.
 *
 * Monthly donations (recurring.h): donations_give with monthly set also
 * writes the monthly donation; each month's charge is a donations row
 * with recurring_id set, so the ledger and "Mes dons" see it. Receipts:
 * one receipt per donation for one-off gifts; monthly gifts get no
 * receipt each, only the annual summary receipt (one per donor,
 * association and civil year, same numbering: receipts.h), issued by the
 * job runner in January or on request from "Mes dons". */
#ifndef KQ_DONATIONS_H
#define KQ_DONATIONS_H
#include "core.h"
#include "orgs.h"
#include "payments.h"

#define DONATIONS_MIN_CENTS 100             /* 1 EUR */
#define DONATIONS_MAX_CENTS 10000000        /* 100 000 EUR: above, a human talks to the donor */
#define DONATIONS_SUGGESTED_MAX 6
#define DONATIONS_NAME_MAX 120
#define DONATIONS_LINE_MAX 200              /* address, legal name */
#define DONATIONS_POSTCODE_MAX 10
#define DONATIONS_CITY_MAX 100
#define DONATIONS_OBJECT_MAX 500
#define DONATIONS_TRANSFER_MAX 500
#define DONATIONS_KEY_MAX 64

/* The fiscal details of an association (org_fiscal). Strings never NULL. */
struct org_fiscal {
	bool is_declared;             /* a row exists */
	bool is_checked;              /* checked by a platform admin: receipts are issued */
	const char *quality;          /* interet_general | utilite_publique | cultuelle */
	const char *legal_name, *object, *address, *postcode, *city, *rna, *siren, *signatory;
	int64_t declared_at, checked_at;
};

/* How an association takes donations. */
struct donation_settings {
	const char *providers;        /* comma-separated provider names */
	int64_t suggested[DONATIONS_SUGGESTED_MAX];   /* cents */
	int n_suggested;
	const char *currency;
	const char *transfer_details;
};

/* What the donation form needs of one association. */
struct donation_page {
	struct org org;
	struct donation_settings settings;
	struct org_fiscal fiscal;
	const char *providers[8];     /* the providers a donor may choose now, NULL-terminated */
};

/* The association slug, if it takes donations. Errors: NOT_FOUND (no such
 * organisation, or not an association), INTERNAL. */
enum kq_err donations_page(struct db *db, struct arena *a, const char *slug,
			   struct donation_page *out);
/* An association's page asks whether to show "Faire un don": a donor could
 * choose a payment method now (one query). No authorisation. [out] *out.
 * Errors: INTERNAL. */
enum kq_err donations_offered(struct db *db, struct arena *a, int64_t org_id, bool *out);

/* ---- giving ----------------------------------------------------------------------------- */

struct donation_request {
	int64_t org_id;
	int64_t amount_cents;
	const char *donor_name, *donor_address, *donor_postcode, *donor_city, *donor_email;
	const char *provider;
	const char *idempotency_key;  /* 8..64 characters, from the form */
	const char *lang;
	bool monthly;                 /* "Tous les mois": needs an account, the demo card or Stripe */
};

struct donation {
	int64_t id, org_id;
	const char *org_slug, *org_name;
	int64_t amount_cents;
	const char *currency;
	const char *donor_name, *donor_address, *donor_postcode, *donor_city, *donor_email;
	int64_t account_id;
	const char *provider, *status, *secret, *lang;
	int64_t created_at, paid_at;
	const char *reference;        /* "DON-<id>": the transfer's reference */
	const char *payment_status;   /* of the last payment, "" when none */
	const char *redirect_url;     /* the provider's page to go to, "" when none */
	const char *transfer_details; /* the association's, for a pending transfer */
	const char *receipt_number;   /* "2026-0001", "" when no receipt */
	bool has_receipt;
	int64_t recurring_id;         /* the monthly donation it is a month of, 0 when one-off */
};

/* who (visitor or account) gives in->amount_cents to in->org_id through
 * in->provider. Field errors in fe: amount (below 1 EUR or above the cap),
 * donor_* (name, address, postcode, city, email), provider, idempotency_key,
 * frequency (monthly without an account; monthly through transfer).
 * The same key with the same request returns the first donation and starts
 * nothing new; with another request: IDEMPOTENCY_CONFLICT. [out] *out, with
 * redirect_url set when the donor must go to the provider's page.
 * Errors: FORM_INVALID, NOT_FOUND, IDEMPOTENCY_CONFLICT, PAYMENT_FAILED (the
 * provider refused to start: the donation is 'cancelled'), INTERNAL. */
enum kq_err donations_give(struct db *db, const struct actor *who,
			   const struct donation_request *in, struct arena *a,
			   struct field_errors *fe, struct donation *out);

/* The donation behind secret (its link). Errors: NOT_FOUND, INTERNAL. */
enum kq_err donations_get_by_secret(struct db *db, struct arena *a, const char *secret,
				    struct donation *out);

/* Asks the provider of a pending donation's last payment whether it is
 * paid, and captures it then (the donor's return from the provider's page).
 * [out] *out_paid (may be NULL). Errors: NOT_FOUND, PAYMENT_FAILED, INTERNAL. */
enum kq_err donations_sync_payment(struct db *db, const char *secret, bool *out_paid);

/* The demo card's button: captures the pending demo payment of the
 * donation. Errors: PAYMENT_PROVIDER_UNAVAILABLE (not demo), NOT_FOUND,
 * ORDER_STATE (already paid), INTERNAL. */
enum kq_err donations_demo_pay(struct db *db, const char *secret);

/* A treasurer of the association says the transfer of donation_id was
 * received. Needs ORG_ACT_MONEY. Errors: AUTH_REQUIRED, FORBIDDEN,
 * NOT_FOUND, ORDER_STATE (not a pending transfer), INTERNAL. */
enum kq_err donations_mark_paid(struct db *db, const struct actor *who, int64_t donation_id);

#define DONATIONS_LIST_MAX 200

/* The donations of org_id, newest first (at most DONATIONS_LIST_MAX), for
 * its treasurer. Needs ORG_ACT_MONEY. [out] list in a.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err donations_list(struct db *db, const struct actor *who, int64_t org_id,
			   struct arena *a, struct donation **out, int *out_n);

/* The purpose "donation" of payments.c. */
extern const struct payment_purpose donations_purpose;

/* ---- the association's settings and fiscal details --------------------------------------- */

struct donation_settings_input {
	const char *providers[4];     /* chosen provider names, NULL-terminated */
	const char *suggested;        /* "10, 20, 50" euros, up to 6 amounts */
	const char *transfer_details;
	/* The fiscal declaration: all empty leaves it as it is; else every
	 * field but rna/siren (one of them) and signatory is required. A change
	 * clears the admin's check. */
	const char *quality, *legal_name, *object, *address, *postcode, *city, *rna, *siren,
		*signatory;
};

/* Settings and fiscal details of org_id (defaults when none). No
 * authorisation: they are shown on the donation form. Errors: INTERNAL. */
enum kq_err donations_settings_get(struct db *db, struct arena *a, int64_t org_id,
				   struct donation_settings *out_settings,
				   struct org_fiscal *out_fiscal);

/* Saves both in one transaction. Needs ORG_ACT_MONEY (owner, treasurer).
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND (not an association),
 * FORM_INVALID (fe), INTERNAL. */
enum kq_err donations_settings_save(struct db *db, const struct actor *who, int64_t org_id,
				    const struct donation_settings_input *in,
				    struct field_errors *fe);

/* A platform admin checked the declaration of org_id: receipts are issued
 * from now on. Errors: AUTH_REQUIRED, FORBIDDEN (not a platform admin),
 * NOT_FOUND (nothing declared), INTERNAL. */
enum kq_err donations_fiscal_check(struct db *db, const struct actor *who, int64_t org_id);

/* An amount as a donor types it, in euros: "25", "12,50", "12.5", "1 000".
 * [out] *out cents. false when it is not one (letters, 3 decimals, empty). */
bool donations_parse_amount(const char *s, int64_t *out);

/* The demo's donations: every association of the (fresh) demo declares
 * itself of general interest, checked, so a demo visitor can give with the
 * demo card and download a receipt. Runs inside the demo transaction
 * (core/demo.c, after the organisations are loaded); writes its rows itself.
 * Errors: INTERNAL. */
enum kq_err donations_load_demo(struct db *db);

/* "interet_general"... valid; and the CERFA label of a quality (French). */
bool donations_quality_valid(const char *quality);

/* ---- a donor's donations ("Mes dons") ---------------------------------------------------------- */

#define DONATIONS_OF_ACCOUNT_MAX 200

/* The donations given while logged in as who, newest first (at most
 * DONATIONS_OF_ACCOUNT_MAX), each with its state and its receipt
 * (has_receipt). [out] list in a. Errors: AUTH_REQUIRED, INTERNAL. */
enum kq_err donations_of_account(struct db *db, const struct actor *who, struct arena *a,
				 struct donation **out, int *out_n);

#endif
