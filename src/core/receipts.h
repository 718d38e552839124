/* receipts.h: French tax receipts (reçus fiscaux, the content of CERFA 11580): issuing, numbering, the PDF.
 *
 * A receipt is issued inside the transaction that captures a donation's
 * payment (donations_purpose), only when the association's fiscal details
 * were checked by a platform admin. Its number is taken from the
 * association's counter of the year of payment (Europe/Paris) by one upsert
 * that increments and returns (INVARIANT(receipt-seq), migration 0011): on
 * both backends two concurrent captures queue on the counter's row, and a
 * rolled-back capture gives its number back, so numbers never repeat and
 * never skip. Everything printed is frozen in the receipt's row when issued. */
#ifndef KQ_RECEIPTS_H
#define KQ_RECEIPTS_H
#include "core.h"
#include "base/buf.h"

struct tax_receipt {
	int64_t id, org_id, donation_id;
	int year;
	int64_t number;
	const char *number_text;          /* "2026-0001" */
	int64_t issued_at, paid_at, amount_cents;
	const char *currency;
	const char *payment_mode;         /* card | transfer | cash | cheque */
	const char *org_name, *org_address, *org_object, *org_quality, *org_rna, *org_siren,
		*org_signatory;
	const char *donor_name, *donor_address;
	bool is_cancelled;
};

/* Inside the write transaction that makes donation_id paid at paid_at:
 * issues its receipt when its association's fiscal details are checked.
 * payment_mode as in struct tax_receipt. [out] *out_id: the receipt, or 0
 * when none is due (not checked) or one exists already. */
__attribute__((warn_unused_result))
enum db_status receipts_issue(struct db *db, int64_t donation_id, int64_t paid_at,
			      const char *payment_mode, int64_t *out_id);

/* The receipt of donation_id. No authorisation: the caller holds the
 * donation's secret (or, later, is its donor or treasurer).
 * Errors: NOT_FOUND, INTERNAL. */
enum kq_err receipts_of_donation(struct db *db, struct arena *a, int64_t donation_id,
				 struct tax_receipt *out);

/* "2026-0001": the year, a dash and the number on at least four digits. */
char *receipts_number_text(struct arena *a, int year, int64_t number);

/* The civil year of t in the territory's zone (Europe/Paris). */
int receipts_year_of(int64_t t);

/* An amount in French words, as a receipt writes it: "cent vingt-cinq
 * euros et cinquante centimes", "un centime", "quatre-vingts euros",
 * "un million d'euros". Traditional spelling (hyphens below one hundred
 * except around "et"; "et un", "et onze"; "vingt" and "cent" plural only
 * when multiplied and last, not before "mille"). cents >= 0, in a. */
char *receipts_amount_words(struct arena *a, int64_t cents);
/* The words of a whole number 0..999 999 999 999 ("deux cents", "mille un"). */
char *receipts_number_words(struct arena *a, int64_t n);

/* The French label of a CERFA quality ("Œuvre ou organisme d'intérêt général"). */
const char *receipts_quality_label(const char *quality);
/* The French label of a payment mode ("Carte bancaire"). */
const char *receipts_mode_label(const char *mode);

/* Appends to b the PDF of the receipt (one A4 page, in French, as the law
 * wants it). Scratch memory in a. Errors: INTERNAL (nothing appended). */
__attribute__((warn_unused_result))
enum kq_err receipts_pdf(struct buf *b, struct arena *a, const struct tax_receipt *r);

/* ---- annual summary receipts (monthly donations) ---------------------------------------------- */

/* One receipt per donation for one-off gifts; monthly gifts get no
 * receipt of their own but one annual summary per donor, association and
 * civil year (fiscal_year), numbered in the same sequence as single
 * receipts (the association's counter of the year of issue). */
struct annual_receipt_line {
	int64_t donation_id, paid_at, amount_cents;
};

struct annual_receipt {
	int64_t id, org_id, account_id;
	int year, fiscal_year;
	int64_t number;
	const char *number_text;          /* "2027-0003" */
	int64_t issued_at, amount_cents;
	const char *currency;
	const char *org_name, *org_address, *org_object, *org_quality, *org_rna, *org_siren,
		*org_signatory;
	const char *donor_name, *donor_address;
	struct annual_receipt_line *lines;
	int n_lines;
};

/* Inside a write transaction: the summary of the paid monthly gifts of
 * account_id to org_id in fiscal_year, issued now when there is none (its
 * number taken from the counter of the year of now); the existing one
 * otherwise. Nothing when the association's fiscal details are not checked
 * or nothing was given. A concurrent issue of the same summary makes this
 * one give its number back (the transaction is retried and finds it).
 * [out] *out_id: the summary, or 0. */
__attribute__((warn_unused_result))
enum db_status receipts_annual_issue(struct db *db, int64_t org_id, int64_t account_id,
				     int fiscal_year, int64_t now, int64_t *out_id);

/* The summary id with its lines. No authorisation: the caller checks
 * account_id. Errors: NOT_FOUND, INTERNAL. */
enum kq_err receipts_annual_get(struct db *db, struct arena *a, int64_t id,
				struct annual_receipt *out);

/* Appends to b the PDF of the summary. Errors: INTERNAL (nothing appended). */
__attribute__((warn_unused_result))
enum kq_err receipts_annual_pdf(struct buf *b, struct arena *a, const struct annual_receipt *r);

#endif
