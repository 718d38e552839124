/* receipts.c: tax receipts: the per-year numbering, the amount in French words, the PDF (libhpdf) */
#include "receipts.h"
#include "pdf.h"
#include "faults.h"
#include "tickets.h"
#include "base/log.h"
#include "base/timefmt.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- issuing ----------------------------------------------------------------------------- */

/* Only a checked declaration issues receipts; the identities are read here
 * to be frozen in the receipt. */
static const struct db_sql SQL_SOURCE = { "receipts_source",
	"SELECT d.org_id, d.amount_cents, d.currency, d.donor_name,"
	" d.donor_address || ', ' || d.donor_postcode || ' ' || d.donor_city,"
	" f.legal_name, f.address || ', ' || f.postcode || ' ' || f.city, f.object, f.quality,"
	" f.rna, f.siren, f.signatory,"
	" (SELECT COUNT(*) FROM tax_receipts r WHERE r.donation_id = d.id)"
	" FROM donations d JOIN org_fiscal f ON f.org_id = d.org_id AND f.checked_at IS NOT NULL"
	" WHERE d.id = $1" };
/* INVARIANT(receipt-seq): the one statement that hands out numbers. The
 * row lock it takes on PostgreSQL queues concurrent captures (the second
 * upsert sees the first one's committed value); SQLite has one writer. */
static const struct db_sql SQL_NEXT_NUMBER = { "receipts_next_number",
	"INSERT INTO tax_receipt_counters (org_id, year, next) VALUES ($1, $2, 2)"
	" ON CONFLICT (org_id, year) DO UPDATE SET next = tax_receipt_counters.next + 1"
	" RETURNING next - 1" };
static const struct db_sql SQL_INSERT = { "receipts_insert",
	"INSERT INTO tax_receipts (org_id, year, number, donation_id, issued_at, paid_at,"
	" amount_cents, currency, payment_mode, org_name, org_address, org_object, org_quality,"
	" org_rna, org_siren, org_signatory, donor_name, donor_address)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
	" RETURNING id" };

int receipts_year_of(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);   /* TZ is Europe/Paris (time_init) */
	return tm.tm_year + 1900;
}

enum db_status receipts_issue(struct db *db, int64_t donation_id, int64_t paid_at,
			      const char *payment_mode, int64_t *out_id)
{
	*out_id = 0;
	if (!db_in_txn(db)) {
		KQ_BUG("receipts_issue outside a transaction");
		return DB_HARD;
	}
	struct arena *a = arena_new();
	struct db_stmt *st = db_stmt(db, &SQL_SOURCE);
	db_bind_i64(st, 1, donation_id);
	enum db_status s = faults_step(st);
	int64_t org_id = 0, amount = 0, existing = 0;
	const char *txt[10] = { 0 };
	if (s == DB_ROW) {
		org_id = db_col_i64(st, 0);
		amount = db_col_i64(st, 1);
		for (int i = 0; i < 10; i++)
			txt[i] = db_col_str(st, 2 + i, a);
		existing = db_col_i64(st, 12);
	}
	db_reset(st);
	if (s != DB_ROW || existing) {
		arena_free(a);
		return s < 0 ? s : DB_NONE;   /* not checked: no receipt; or issued before */
	}
	int year = receipts_year_of(paid_at);
	st = db_stmt(db, &SQL_NEXT_NUMBER);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, year);
	s = faults_step(st);
	int64_t number = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW) {
		arena_free(a);
		return s < 0 ? s : DB_HARD;
	}
	st = db_stmt(db, &SQL_INSERT);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, year);
	db_bind_i64(st, 3, number);
	db_bind_i64(st, 4, donation_id);
	db_bind_i64(st, 5, time_now());
	db_bind_i64(st, 6, paid_at);
	db_bind_i64(st, 7, amount);
	db_bind_text(st, 8, txt[0]);            /* currency */
	db_bind_text(st, 9, payment_mode);
	db_bind_text(st, 10, txt[3]);           /* legal name */
	db_bind_text(st, 11, txt[4]);
	db_bind_text(st, 12, txt[5]);
	db_bind_text(st, 13, txt[6]);
	db_bind_text(st, 14, txt[7]);
	db_bind_text(st, 15, txt[8]);
	db_bind_text(st, 16, txt[9]);
	db_bind_text(st, 17, txt[1]);           /* donor name */
	db_bind_text(st, 18, txt[2]);
	s = faults_step(st);
	if (s == DB_ROW)
		*out_id = db_col_i64(st, 0);
	db_reset(st);
	arena_free(a);
	return s == DB_ROW ? DB_NONE : s < 0 ? s : DB_HARD;
}

static const struct db_sql SQL_OF_DONATION = { "receipts_of_donation",
	"SELECT id, org_id, donation_id, year, number, issued_at, paid_at, amount_cents, currency,"
	" payment_mode, org_name, org_address, org_object, org_quality, org_rna, org_siren,"
	" org_signatory, donor_name, donor_address, cancelled_at IS NOT NULL"
	" FROM tax_receipts WHERE donation_id = $1" };

enum kq_err receipts_of_donation(struct db *db, struct arena *a, int64_t donation_id,
				 struct tax_receipt *out)
{
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, &SQL_OF_DONATION);
	db_bind_i64(st, 1, donation_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->id = db_col_i64(st, 0);
		out->org_id = db_col_i64(st, 1);
		out->donation_id = db_col_i64(st, 2);
		out->year = (int)db_col_i64(st, 3);
		out->number = db_col_i64(st, 4);
		out->issued_at = db_col_i64(st, 5);
		out->paid_at = db_col_i64(st, 6);
		out->amount_cents = db_col_i64(st, 7);
		out->currency = db_col_str(st, 8, a);
		out->payment_mode = db_col_str(st, 9, a);
		out->org_name = db_col_str(st, 10, a);
		out->org_address = db_col_str(st, 11, a);
		out->org_object = db_col_str(st, 12, a);
		out->org_quality = db_col_str(st, 13, a);
		out->org_rna = db_col_str(st, 14, a);
		out->org_siren = db_col_str(st, 15, a);
		out->org_signatory = db_col_str(st, 16, a);
		out->donor_name = db_col_str(st, 17, a);
		out->donor_address = db_col_str(st, 18, a);
		out->is_cancelled = db_col_i64(st, 19) != 0;
		out->number_text = receipts_number_text(a, out->year, out->number);
	}
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

/* "25/11/2026" in the territory's zone, as French forms write dates. */
static char *fr_date(struct arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	return arena_printf(a, "%02d/%02d/%04d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
}

char *receipts_number_text(struct arena *a, int year, int64_t number)
{
	return arena_printf(a, "%d-%04lld", year, (long long)number);
}

/* ---- the amount in words ------------------------------------------------------------------- */

static const char *const units[20] = {
	"zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
	"onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf",
};
static const char *const tens[7] = {
	"", "dix", "vingt", "trente", "quarante", "cinquante", "soixante",
};

/* 0 < n < 100. is_last: nothing follows but a noun (euros, millions), so
 * "quatre-vingts" takes its s; before "mille" it does not. */
static void below_100(struct buf *b, int n, bool is_last)
{
	if (n < 20) {
		buf_puts(b, units[n]);
	} else if (n < 70) {
		buf_puts(b, tens[n / 10]);
		if (n % 10 == 1)
			buf_puts(b, " et un");
		else if (n % 10)
			buf_printf(b, "-%s", units[n % 10]);
	} else if (n < 80) {
		/* soixante-dix, soixante et onze, soixante-douze... */
		buf_puts(b, n == 71 ? "soixante et onze" : "soixante-");
		if (n != 71)
			buf_puts(b, units[n - 60]);
	} else {
		/* quatre-vingts, quatre-vingt-un (no "et"), quatre-vingt-onze */
		buf_puts(b, "quatre-vingt");
		if (n == 80)
			buf_puts(b, is_last ? "s" : "");
		else
			buf_printf(b, "-%s", units[n - 80]);
	}
}

/* 0 < n < 1000. */
static void below_1000(struct buf *b, int n, bool is_last)
{
	int h = n / 100, r = n % 100;
	if (h) {
		if (h > 1)
			buf_printf(b, "%s ", units[h]);
		buf_puts(b, "cent");
		if (h > 1 && r == 0 && is_last)
			buf_puts(b, "s");   /* deux cents, but deux cent un, deux cent mille */
		if (r)
			buf_puts(b, " ");
	}
	if (r)
		below_100(b, r, is_last);
}

static void number_words(struct buf *b, int64_t n)
{
	if (n <= 0) {
		buf_puts(b, units[0]);
		return;
	}
	static const struct { int64_t scale; const char *name; } big[] = {
		{ 1000000000LL, "milliard" }, { 1000000LL, "million" },
	};
	bool first = true;
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		int64_t k = n / big[i].scale;
		n %= big[i].scale;
		if (!k)
			continue;
		if (!first)
			buf_puts(b, " ");
		/* million and milliard are nouns: "deux cents millions", "un million" */
		below_1000(b, (int)(k % 1000), true);
		buf_printf(b, " %s%s", big[i].name, k > 1 ? "s" : "");
		first = false;
	}
	int th = (int)(n / 1000), r = (int)(n % 1000);
	if (th) {
		if (!first)
			buf_puts(b, " ");
		if (th > 1) {
			below_1000(b, th, false);   /* mille is invariable and stops the plurals */
			buf_puts(b, " ");
		}
		buf_puts(b, "mille");
		first = false;
	}
	if (r) {
		if (!first)
			buf_puts(b, " ");
		below_1000(b, r, true);
	}
}

char *receipts_number_words(struct arena *a, int64_t n)
{
	struct buf b = BUF_INIT;
	number_words(&b, n);
	char *s = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return s;
}

char *receipts_amount_words(struct arena *a, int64_t cents)
{
	if (cents < 0)
		cents = 0;
	int64_t e = cents / 100, c = cents % 100;
	struct buf b = BUF_INIT;
	if (e > 0 || c == 0) {
		number_words(&b, e);
		/* "un million d'euros": a million(s)/milliard(s) with nothing after takes "de" */
		if (e >= 1000000 && e % 1000000 == 0)
			buf_puts(&b, " d'euros");
		else
			buf_puts(&b, e > 1 ? " euros" : " euro");
		if (c)
			buf_puts(&b, " et ");
	}
	if (c) {
		number_words(&b, c);
		buf_puts(&b, c > 1 ? " centimes" : " centime");
	}
	char *s = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return s;
}

const char *receipts_quality_label(const char *q)
{
	if (q && strcmp(q, "utilite_publique") == 0)
		return "Association ou fondation reconnue d'utilité publique";
	if (q && strcmp(q, "cultuelle") == 0)
		return "Association cultuelle ou de bienfaisance";
	return "Œuvre ou organisme d'intérêt général";
}

const char *receipts_mode_label(const char *mode)
{
	if (mode && strcmp(mode, "transfer") == 0)
		return "Virement, prélèvement";
	if (mode && strcmp(mode, "cash") == 0)
		return "Remise d'espèces";
	if (mode && strcmp(mode, "cheque") == 0)
		return "Chèque";
	return "Carte bancaire";
}

/* ---- the PDF --------------------------------------------------------------------------------- */

struct pdf {
	HPDF_Doc doc;
	HPDF_Page page;
	HPDF_Font regular, bold;
	struct arena *a;
	float y, left, width;
};

/* Writes utf8 from the left margin, wrapped at words to the width; moves y down. */
static void para(struct pdf *p, HPDF_Font font, float size, const char *utf8)
{
	const char *s = pdf_text(p->a, utf8);
	HPDF_Page_SetFontAndSize(p->page, font, size);
	size_t left = strlen(s);
	while (left > 0) {
		HPDF_UINT n = HPDF_Page_MeasureText(p->page, s, p->width, HPDF_TRUE, NULL);
		if (n == 0)   /* one word wider than the line: cut it */
			n = HPDF_Page_MeasureText(p->page, s, p->width, HPDF_FALSE, NULL);
		if (n == 0 || n > left)
			n = (HPDF_UINT)left;
		char *line = arena_strndup(p->a, s, n);
		HPDF_Page_BeginText(p->page);
		HPDF_Page_TextOut(p->page, p->left, p->y, line);
		HPDF_Page_EndText(p->page);
		p->y -= size * 1.35f;
		s += n;
		left -= n;
		while (*s == ' ') {
			s++;
			left--;
		}
	}
}

/* "Label : value" on one paragraph, the label in regular, the value after it. */
static void field(struct pdf *p, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	para(p, p->regular, 10.5f, arena_printf(p->a, "%s : %s", label, value));
}

static void heading(struct pdf *p, const char *title)
{
	p->y -= 8;
	para(p, p->bold, 12, title);
	HPDF_Page_SetLineWidth(p->page, 0.5f);
	HPDF_Page_MoveTo(p->page, p->left, p->y + 9);
	HPDF_Page_LineTo(p->page, p->left + p->width, p->y + 9);
	HPDF_Page_Stroke(p->page);
	p->y -= 4;
}

/* The parts a single receipt and an annual summary share: the title and
 * number, the two parties, the sum in figures and words, the certification
 * and signature. */
static void part_head(struct pdf *p, const struct tax_receipt *r)
{
	HPDF_Page_SetSize(p->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	p->left = 56;
	p->width = HPDF_Page_GetWidth(p->page) - 2 * 56;
	p->y = HPDF_Page_GetHeight(p->page) - 60;
	para(p, p->bold, 15, "Reçu au titre des dons à certains organismes d'intérêt général");
	para(p, p->regular, 10, "Articles 200, 238 bis et 978 du code général des impôts "
				"(modèle CERFA n° 11580)");
	p->y -= 4;
	para(p, p->bold, 12, arena_printf(p->a, "Numéro d'ordre du reçu : %s", r->number_text));
}

static void part_parties(struct pdf *p, const struct tax_receipt *r)
{
	heading(p, "Bénéficiaire des versements");
	field(p, "Nom ou dénomination", r->org_name);
	field(p, "Adresse", r->org_address);
	field(p, "Objet", r->org_object);
	field(p, "N° RNA", r->org_rna);
	field(p, "N° SIREN", r->org_siren);
	field(p, "Qualité de l'organisme", receipts_quality_label(r->org_quality));

	heading(p, "Donateur");
	field(p, "Nom", r->donor_name);
	field(p, "Adresse", r->donor_address);
}

static void part_sum(struct pdf *p, const struct tax_receipt *r, const char *title)
{
	heading(p, title);
	para(p, p->regular, 10.5f,
	     "Le bénéficiaire reconnaît avoir reçu au titre des dons et versements ouvrant "
	     "droit à réduction d'impôt la somme de :");
	para(p, p->bold, 13, arena_printf(p->a, "*** %s ***",
					   tickets_money_format(p->a, r->amount_cents, r->currency,
								"fr")));
	field(p, "Somme en toutes lettres", receipts_amount_words(p->a, r->amount_cents));
}

static void part_sign(struct pdf *p, const struct tax_receipt *r)
{
	p->y -= 4;
	para(p, p->regular, 10.5f,
	     "Le bénéficiaire certifie sur l'honneur que les dons et versements qu'il reçoit "
	     "ouvrent droit à la réduction d'impôt prévue aux articles 200, 238 bis et 978 du "
	     "code général des impôts (CGI).");

	heading(p, "Date et signature");
	field(p, "Reçu établi le", fr_date(p->a, r->issued_at));
	field(p, "Pour l'organisme", *r->org_signatory ? r->org_signatory : r->org_name);
	para(p, p->regular, 9,
	     "Reçu établi par voie électronique. Conservez-le : il justifie la réduction "
	     "d'impôt de votre déclaration de revenus.");
}

enum kq_err receipts_pdf(struct buf *b, struct arena *a, const struct tax_receipt *r)
{
	struct pdf_doc doc;
	if (!pdf_doc_open(&doc, "receipts", a, arena_printf(a, "Reçu fiscal %s", r->number_text)))
		return KQ_ERR_INTERNAL;
	struct pdf p = { .doc = doc.doc, .regular = doc.regular, .bold = doc.bold, .a = a };
	p.page = HPDF_AddPage(p.doc);
	if (p.page) {
		part_head(&p, r);
		if (r->is_cancelled)
			para(&p, p.bold, 12, "REÇU ANNULÉ : le don a été remboursé.");
		part_parties(&p, r);
		part_sum(&p, r, "Don");
		field(&p, "Date du versement ou du don", fr_date(a, r->paid_at));
		field(&p, "Forme du don", "Déclaration de don manuel");
		field(&p, "Nature du don", "Numéraire");
		field(&p, "Mode de versement", receipts_mode_label(r->payment_mode));
		part_sign(&p, r);
	}
	return pdf_doc_finish(&doc, b);
}

/* ---- annual summaries ------------------------------------------------------------------------ */

static const struct db_sql SQL_ANNUAL_EXISTING = { "receipts_annual_existing",
	"SELECT id FROM annual_receipts WHERE org_id = $1 AND donor_key = $2 AND fiscal_year = $3" };
static const struct db_sql SQL_ANNUAL_FISCAL = { "receipts_annual_fiscal",
	"SELECT legal_name, address || ', ' || postcode || ' ' || city, object, quality, rna, siren,"
	" signatory FROM org_fiscal WHERE org_id = $1 AND checked_at IS NOT NULL" };
/* The year's monthly gifts, the latest identity of the donor last. */
static const struct db_sql SQL_ANNUAL_GIFTS = { "receipts_annual_gifts",
	"SELECT id, paid_at, amount_cents, currency, donor_name,"
	" donor_address || ', ' || donor_postcode || ' ' || donor_city"
	" FROM donations WHERE org_id = $1 AND account_id = $2 AND recurring_id IS NOT NULL"
	" AND status = 'paid' AND paid_at >= $3 AND paid_at < $4 ORDER BY paid_at, id" };
static const struct db_sql SQL_ANNUAL_INSERT = { "receipts_annual_insert",
	"INSERT INTO annual_receipts (org_id, year, number, fiscal_year, account_id, donor_key,"
	" issued_at, amount_cents, currency, org_name, org_address, org_object, org_quality,"
	" org_rna, org_siren, org_signatory, donor_name, donor_address)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
	" ON CONFLICT (org_id, donor_key, fiscal_year) DO NOTHING RETURNING id" };
static const struct db_sql SQL_ANNUAL_LINE = { "receipts_annual_line",
	"INSERT INTO annual_receipt_lines (receipt_id, donation_id, paid_at, amount_cents)"
	" VALUES ($1, $2, $3, $4)" };

/* 00:00 on 1 January of y, local. */
static int64_t year_start(int y)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mday = 1;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

enum db_status receipts_annual_issue(struct db *db, int64_t org_id, int64_t account_id,
				     int fiscal_year, int64_t now, int64_t *out_id)
{
	*out_id = 0;
	if (!db_in_txn(db)) {
		KQ_BUG("receipts_annual_issue outside a transaction");
		return DB_HARD;
	}
	struct arena *a = arena_new();
	const char *key = arena_printf(a, "a%lld", (long long)account_id);
	struct db_stmt *st = db_stmt(db, &SQL_ANNUAL_EXISTING);
	db_bind_i64(st, 1, org_id);
	db_bind_text(st, 2, key);
	db_bind_i64(st, 3, fiscal_year);
	enum db_status s = faults_step(st);
	if (s == DB_ROW)
		*out_id = db_col_i64(st, 0);
	db_reset(st);
	if (s != DB_NONE)
		goto out;   /* found, or failed */
	const char *org[7] = { 0 };
	st = db_stmt(db, &SQL_ANNUAL_FISCAL);
	db_bind_i64(st, 1, org_id);
	s = faults_step(st);
	if (s == DB_ROW)
		for (int i = 0; i < 7; i++)
			org[i] = db_col_str(st, i, a);
	db_reset(st);
	if (s != DB_ROW)
		goto out;   /* no receipts from this association */
	int cap = 16, n = 0;
	struct annual_receipt_line *lines = arena_alloc(a, sizeof(*lines) * (size_t)cap);
	int64_t total = 0;
	const char *currency = "EUR", *donor = "", *address = "";
	st = db_stmt(db, &SQL_ANNUAL_GIFTS);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, account_id);
	db_bind_i64(st, 3, year_start(fiscal_year));
	db_bind_i64(st, 4, year_start(fiscal_year + 1));
	while ((s = faults_step(st)) == DB_ROW) {
		if (n == cap)
			lines = arena_grow(a, lines, n, &cap, sizeof(*lines));
		lines[n].donation_id = db_col_i64(st, 0);
		lines[n].paid_at = db_col_i64(st, 1);
		lines[n].amount_cents = db_col_i64(st, 2);
		total += lines[n].amount_cents;
		currency = db_col_str(st, 3, a);
		donor = db_col_str(st, 4, a);
		address = db_col_str(st, 5, a);
		n++;
	}
	db_reset(st);
	if (s < 0 || n == 0)
		goto out;
	int year = receipts_year_of(now);
	st = db_stmt(db, &SQL_NEXT_NUMBER);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, year);
	s = faults_step(st);
	int64_t number = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW) {
		s = s < 0 ? s : DB_HARD;
		goto out;
	}
	st = db_stmt(db, &SQL_ANNUAL_INSERT);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, year);
	db_bind_i64(st, 3, number);
	db_bind_i64(st, 4, fiscal_year);
	db_bind_i64(st, 5, account_id);
	db_bind_text(st, 6, key);
	db_bind_i64(st, 7, now);
	db_bind_i64(st, 8, total);
	db_bind_text(st, 9, currency);
	for (int i = 0; i < 7; i++)
		db_bind_text(st, 10 + i, org[i]);
	db_bind_text(st, 17, donor);
	db_bind_text(st, 18, address);
	s = faults_step(st);
	int64_t id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s == DB_NONE) {
		/* Issued by a concurrent request just now: this transaction gives
		 * its number back by rolling back, and its retry finds that one. */
		s = DB_SOFT;
		goto out;
	}
	if (s != DB_ROW)
		goto out;
	for (int i = 0; i < n; i++) {
		st = db_stmt(db, &SQL_ANNUAL_LINE);
		db_bind_i64(st, 1, id);
		db_bind_i64(st, 2, lines[i].donation_id);
		db_bind_i64(st, 3, lines[i].paid_at);
		db_bind_i64(st, 4, lines[i].amount_cents);
		if ((s = faults_run(st)) < 0)
			goto out;
	}
	*out_id = id;
	s = DB_NONE;
out:
	arena_free(a);
	if (s < 0)
		*out_id = 0;
	return s < 0 ? s : DB_NONE;
}

static const struct db_sql SQL_ANNUAL_GET = { "receipts_annual_get",
	"SELECT id, org_id, COALESCE(account_id, 0), year, number, fiscal_year, issued_at,"
	" amount_cents, currency, org_name, org_address, org_object, org_quality, org_rna,"
	" org_siren, org_signatory, donor_name, donor_address FROM annual_receipts WHERE id = $1" };
static const struct db_sql SQL_ANNUAL_LINES = { "receipts_annual_lines",
	"SELECT donation_id, paid_at, amount_cents FROM annual_receipt_lines WHERE receipt_id = $1"
	" ORDER BY paid_at, donation_id" };

enum kq_err receipts_annual_get(struct db *db, struct arena *a, int64_t id,
				struct annual_receipt *out)
{
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, &SQL_ANNUAL_GET);
	db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->id = db_col_i64(st, 0);
		out->org_id = db_col_i64(st, 1);
		out->account_id = db_col_i64(st, 2);
		out->year = (int)db_col_i64(st, 3);
		out->number = db_col_i64(st, 4);
		out->fiscal_year = (int)db_col_i64(st, 5);
		out->issued_at = db_col_i64(st, 6);
		out->amount_cents = db_col_i64(st, 7);
		out->currency = db_col_str(st, 8, a);
		out->org_name = db_col_str(st, 9, a);
		out->org_address = db_col_str(st, 10, a);
		out->org_object = db_col_str(st, 11, a);
		out->org_quality = db_col_str(st, 12, a);
		out->org_rna = db_col_str(st, 13, a);
		out->org_siren = db_col_str(st, 14, a);
		out->org_signatory = db_col_str(st, 15, a);
		out->donor_name = db_col_str(st, 16, a);
		out->donor_address = db_col_str(st, 17, a);
		out->number_text = receipts_number_text(a, out->year, out->number);
	}
	db_reset(st);
	if (s != DB_ROW)
		return s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
	int cap = 16;
	out->lines = arena_alloc(a, sizeof(*out->lines) * (size_t)cap);
	st = db_stmt(db, &SQL_ANNUAL_LINES);
	db_bind_i64(st, 1, id);
	while ((s = db_step(st)) == DB_ROW) {
		if (out->n_lines == cap)
			out->lines = arena_grow(a, out->lines, out->n_lines, &cap, sizeof(*out->lines));
		struct annual_receipt_line *l = &out->lines[out->n_lines++];
		l->donation_id = db_col_i64(st, 0);
		l->paid_at = db_col_i64(st, 1);
		l->amount_cents = db_col_i64(st, 2);
	}
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

enum kq_err receipts_annual_pdf(struct buf *b, struct arena *a, const struct annual_receipt *r)
{
	struct pdf_doc doc;
	if (!pdf_doc_open(&doc, "receipts", a,
			  arena_printf(a, "Reçu fiscal récapitulatif %s", r->number_text)))
		return KQ_ERR_INTERNAL;
	/* The shared parts read a single receipt's fields. */
	struct tax_receipt t = {
		.number_text = r->number_text, .issued_at = r->issued_at,
		.amount_cents = r->amount_cents, .currency = r->currency, .payment_mode = "card",
		.org_name = r->org_name, .org_address = r->org_address, .org_object = r->org_object,
		.org_quality = r->org_quality, .org_rna = r->org_rna, .org_siren = r->org_siren,
		.org_signatory = r->org_signatory, .donor_name = r->donor_name,
		.donor_address = r->donor_address,
	};
	struct pdf p = { .doc = doc.doc, .regular = doc.regular, .bold = doc.bold, .a = a };
	p.page = HPDF_AddPage(p.doc);
	if (p.page) {
		part_head(&p, &t);
		para(&p, p.bold, 12, arena_printf(a, "Reçu récapitulatif des dons de l'année %d",
						   r->fiscal_year));
		part_parties(&p, &t);
		part_sum(&p, &t, "Dons");
		field(&p, "Période des versements",
		      arena_printf(a, "du 01/01/%d au 31/12/%d", r->fiscal_year, r->fiscal_year));
		field(&p, "Forme du don", "Déclaration de don manuel");
		field(&p, "Nature du don", "Numéraire");
		field(&p, "Mode de versement", receipts_mode_label("card"));
		para(&p, p.regular, 10.5f, "Détail des versements mensuels :");
		/* Twelve months fit on the page with room to spare. */
		for (int i = 0; i < r->n_lines && p.y > 170; i++)
			para(&p, p.regular, 10,
			     arena_printf(a, "  %s : %s", fr_date(a, r->lines[i].paid_at),
					  tickets_money_format(a, r->lines[i].amount_cents, r->currency,
							       "fr")));
		part_sign(&p, &t);
	}
	return pdf_doc_finish(&doc, b);
}
