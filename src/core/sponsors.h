/* sponsors.h: sponsorship ("parrainage"): businesses offer associations money or goods for an event or a campaign.
 *
 * A member (owner or editor) of a business or a producer offers to sponsor a
 * published event or a live campaign of an association: an amount, or goods
 * in kind with their estimated value, and a message. The association's owner
 * or treasurer accepts or declines it (with an optional note); the sponsor
 * may withdraw it while it waits. Accepted sponsors show on the event or
 * campaign page with their logo, name and link.
 *
 * The money of a sponsorship is paid outside the platform (transfer or
 * cheque between the two): nothing here writes a payment or a ledger row.
 * Mails: the association's owners and treasurers are told when an offer
 * arrives; the business's owners and editors when it is decided; each mail
 * is queued in the transaction that makes the change (core/notify.h).
 *
 * Invariants (migration 0026): INVARIANT(one-open-offer), one offer
 * 'offered' or 'accepted' per sponsor and target, held by a partial unique
 * index; INVARIANT(decide-once), an offer leaves 'offered' by one
 * conditional UPDATE, so a concurrent accept and decline make one decision. */
#ifndef KQ_SPONSORS_H
#define KQ_SPONSORS_H
#include "core.h"
#include "orgs.h"

#define SPONSORS_MIN_CENTS 1000              /* 10 EUR */
#define SPONSORS_MAX_CENTS 10000000          /* 100 000 EUR */
#define SPONSORS_MESSAGE_MAX 1000
#define SPONSORS_GOODS_MAX 300
#define SPONSORS_NOTE_MAX 500
#define SPONSORS_LINK_MAX 300
#define SPONSORS_LIST_MAX 200

/* What may be sponsored: an event or a campaign, as the public sees it. */
struct sponsor_target {
	const char *kind;             /* "event" | "campaign" */
	int64_t id, org_id;
	const char *slug, *title, *status;
	const char *org_slug, *org_name, *org_kind;
	bool is_open;                 /* offers are taken: a published event or a live campaign
				       * of an association */
};

/* One offer, with the names around it. Strings never NULL. */
struct sponsorship {
	int64_t id;
	int64_t sponsor_org_id;
	const char *sponsor_slug, *sponsor_name, *sponsor_logo_sha256;   /* "" when no logo */
	int64_t org_id;
	const char *org_slug, *org_name;
	const char *target_kind;      /* event | campaign */
	int64_t target_id;
	const char *target_slug, *target_title;
	const char *kind;             /* money | in_kind */
	int64_t amount_cents;         /* money; 0 in kind */
	const char *currency;
	const char *goods;            /* in kind; "" for money */
	int64_t goods_value_cents;    /* in kind, estimated; 0: not given */
	const char *message, *link_url, *status, *decision_note;
	const char *created_by_name;  /* "" when the account is gone */
	int64_t created_at, decided_at;
};

struct sponsorship_input {
	int64_t sponsor_org_id;       /* which of the actor's businesses offers */
	const char *target_kind;      /* event | campaign */
	const char *target_slug;
	const char *kind;             /* money | in_kind */
	int64_t amount_cents;         /* money */
	const char *goods;            /* in kind */
	int64_t goods_value_cents;    /* in kind, 0: not given */
	const char *message;
	const char *link_url;         /* NULL or "": the sponsor's website */
};

/* The event or campaign slug (target_kind "event" | "campaign") as the
 * public sees it: drafts and hidden ones are not found. Errors: NOT_FOUND,
 * INTERNAL. */
enum kq_err sponsors_target_get(struct db *db, struct arena *a, const char *target_kind,
				const char *slug, struct sponsor_target *out);

/* The businesses and producers where who is owner or editor (those it may
 * offer for), by name. [out] list in a (strings of struct org filled: id,
 * slug, name, kind, website, logo_sha256). Errors: INTERNAL. A visitor has none. */
enum kq_err sponsors_my_businesses(struct db *db, const struct actor *who, struct arena *a,
				   struct org **out, int *out_n);

/* who offers. Field errors in fe: sponsor (not a business or producer),
 * kind, amount (money: SPONSORS_MIN_CENTS..SPONSORS_MAX_CENTS), goods (in
 * kind: 1..SPONSORS_GOODS_MAX characters, one line), goods_value (0..MAX),
 * message (SPONSORS_MESSAGE_MAX), link (http(s) URL). The association's
 * owners and treasurers get a mail. [out] *out_id. Errors: AUTH_REQUIRED,
 * FORBIDDEN (not owner or editor of the sponsor), NOT_FOUND (no sponsor or
 * target), FORM_INVALID, SPONSORS_TARGET_CLOSED (not a published event or live
 * campaign of an association), SPONSORS_ALREADY_OFFERED (an offer of this
 * sponsor for this target is offered or accepted), INTERNAL. */
enum kq_err sponsors_offer(struct db *db, const struct actor *who,
			   const struct sponsorship_input *in, struct arena *a,
			   struct field_errors *fe, int64_t *out_id);

/* The sponsor sponsor_org_id withdraws its offer id while it is 'offered'
 * (owner or editor of the sponsor). Errors: AUTH_REQUIRED, FORBIDDEN,
 * NOT_FOUND (no such offer of that sponsor), SPONSORS_DECIDED, INTERNAL. */
enum kq_err sponsors_withdraw(struct db *db, const struct actor *who, int64_t sponsor_org_id,
			      int64_t id);

/* The association org_id accepts (accept true) or declines its offer id
 * (ORG_ACT_MONEY: owner or treasurer), with an optional note (fe "note":
 * SPONSORS_NOTE_MAX). The sponsor's owners and editors get a mail. Errors:
 * AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, FORM_INVALID, SPONSORS_DECIDED
 * (already accepted, declined or withdrawn: INVARIANT(decide-once)), INTERNAL. */
enum kq_err sponsors_decide(struct db *db, const struct actor *who, int64_t org_id, int64_t id,
			    bool accept, const char *note, struct field_errors *fe);

/* The accepted sponsors of a target (public), oldest first, sponsors hidden
 * by moderation left out. [out] list in a. Errors: INTERNAL. */
enum kq_err sponsors_of_target(struct db *db, struct arena *a, const char *target_kind,
			       int64_t target_id, struct sponsorship **out, int *out_n);

/* Offers received by the association org_id (any member may read them),
 * offers 'offered' first, then newest first. [out] list in a. Errors:
 * AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err sponsors_received(struct db *db, const struct actor *who, int64_t org_id,
			      struct arena *a, struct sponsorship **out, int *out_n);
/* Offers made by the business org_id (any member), newest first. Errors as
 * sponsors_received. */
enum kq_err sponsors_made(struct db *db, const struct actor *who, int64_t org_id,
			  struct arena *a, struct sponsorship **out, int *out_n);

/* An amount typed in euros ("250", "12,50"), as donations_parse_amount. */
bool sponsors_parse_amount(const char *s, int64_t *out);

/* Demo: an accepted money sponsor on the demo campaign "restaurer-le-lavoir"
 * and an accepted in-kind one on the first published event of the
 * comité des fêtes. Runs inside the demo transaction, after campaigns and
 * events. Errors: INTERNAL. */
enum kq_err sponsors_load_demo(struct db *db);

#endif
