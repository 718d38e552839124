/* sales.h: the organiser's sales report of an event: per ticket type, per day, and the money from the ledger.
 *
 * Who sees it: the box office (ORG_ACT_BOX_OFFICE) and the treasurer
 * (ORG_ACT_MONEY), as the participants page. Money figures (revenue per
 * type and per day, the ledger's totals) are filled only for those who may
 * see money (ORG_ACT_MONEY, orgs.h): for the others has_money is false and
 * every amount is 0.
 *
 * The figures come from a few grouped statements, not one per order:
 * tickets by type and order state, seats left by type from the quotas,
 * sales by hour (folded into local days here, so a day is the territory's
 * day whatever the DST offset), the ledger by kind and provider, and the
 * refunds still to make. Runs outside a transaction (each statement reads
 * a consistent state; the report is a snapshot, not an invariant). */
#ifndef KQ_SALES_H
#define KQ_SALES_H
#include "core.h"

#define SALES_DAYS_MAX 92          /* days of the per-day table: the last ones */
#define SALES_PROVIDERS_MAX 8

struct sales_type {
	int64_t id;
	const char *name;
	const char *visibility;        /* "public" | "voucher_only" | "hidden" */
	bool is_archived;
	int64_t price_cents;
	int64_t paid, pending, cancelled;   /* tickets; cancelled: cancelled, refunded or expired orders */
	int64_t seats_left;            /* sum over its dates of the tightest quota; -1: no quota */
	int64_t revenue_cents;         /* tickets of paid orders */
	int64_t checked_in;            /* tickets of paid orders let in */
};

struct sales_day {
	const char *date;              /* "2026-11-25", the territory's day */
	int64_t orders, tickets;       /* paid orders created that day */
	int64_t revenue_cents;
};

struct sales_provider {
	const char *provider;          /* "onsite" | "transfer" | "stripe" | "demo" | ... */
	int64_t gross_cents, refunded_cents, fees_cents, net_cents;   /* refunded, fees: >= 0 */
};

struct sales_report {
	bool has_money;
	const char *currency;
	struct sales_type *types;      /* every type, archived included, by position */
	int ntypes;
	struct sales_day *days;        /* consecutive days, oldest first, at most SALES_DAYS_MAX */
	int ndays;
	int64_t day_max_tickets;       /* the highest day, for the chart's scale */
	/* Totals of the types. */
	int64_t paid, pending, cancelled, revenue_cents, checked_in;
	int64_t orders_paid, orders_pending;
	/* From the ledger (rows whose order is of this event). */
	int64_t gross_cents, refunded_cents, fees_cents, net_cents;
	struct sales_provider providers[SALES_PROVIDERS_MAX];
	int nproviders;
	/* Refunds written but not done yet (to make by hand, or to retry). */
	int64_t refunds_open, refunds_open_cents;
};

/* The report of event_id. [out] *out, strings and lists in a.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err sales_report(struct db *db, const struct actor *who, int64_t event_id, struct arena *a,
			 struct sales_report *out);

#endif
