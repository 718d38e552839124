/* balance.h (views): an organisation's balance page for its treasurer, its CSV book for the accountant, and a donor's "Mes dons" */
#ifndef KQ_VIEWS_BALANCE_H
#define KQ_VIEWS_BALANCE_H
#include "web/views/views.h"
#include "core/balance.h"
#include "core/donations.h"
#include "core/recurring.h"
#include "core/orgs.h"

/* The payout form of a platform admin on the balance page. */
struct balance_payout_form {
	const struct field_errors *fe;   /* may be NULL */
	const char *idem;                /* a fresh idempotency key */
	const char *error_key;           /* a refusal of no field, or NULL */
	bool refill;                     /* show what was typed (http_form) */
};

/* The page /organisations/{slug}/comptes; pf: the payout form (NULL for
 * owners and treasurers, who see the payouts but do not record them). */
void view_balance(struct buf *b, struct request *req, const struct org *org,
		  const struct balance_report *r, const struct balance_payout_form *pf);

/* The CSV book: the BOM and the header line, then the rows of each chunk
 * (UTF-8, ';', RFC 4180 quoting, formulas neutralised: view_csv_field).
 * Dates in the territory's time zone, amounts as "-12,50". */
void view_balance_csv_start(struct buf *b, struct request *req);
void view_balance_csv_rows(struct buf *b, struct request *req, const struct balance_row *v, int n);

/* "Mes dons" (/compte/dons): the donations of the logged-in donor,
 * newest first, each with its state, its page and its receipt's PDF. */
void view_my_donations(struct buf *b, struct request *req, const struct donation *v, int n);
/* The same with the donor's monthly donations (a stop button each) and
 * their annual summary receipts (a link, or a button to ask for one once
 * the year is over). */
struct my_monthly_view {
	const struct recurring_donation *monthly;
	int n_monthly;
	const struct recurring_year *years;
	int n_years;
	int current_year;
};
void view_my_donations_all(struct buf *b, struct request *req, const struct donation *v, int n,
			   const struct my_monthly_view *m);

#endif
