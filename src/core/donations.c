/* donations.c: giving to an association, the capture of its payment, and the association's fiscal details
 *
 * See donations.h for the three steps and what a capture does. As in
 * orders.c: a state change is an UPDATE conditional on the current state;
 * no provider is called inside a transaction; the money path steps through
 * faults_step/faults_run. */
#include "donations.h"
#include "faults.h"
#include "notify.h"
#include "receipts.h"
#include "recurring.h"
#include "tickets.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The providers a donation may go through, in the order the form offers
 * them (on site has no place here; the demo card only exists in demo mode). */
static const char *const donation_providers[] = { "demo", "stripe", "transfer", NULL };

static bool is_donation_provider(const char *name)
{
	for (int i = 0; name && donation_providers[i]; i++)
		if (strcmp(donation_providers[i], name) == 0)
			return true;
	return false;
}

static bool list_has(const char *csv, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = csv; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

/* Card payments of the demo: what is on the way the donor pays. */
static const char *mode_of(const char *provider)
{
	return strcmp(provider, "transfer") == 0 ? "transfer"
	       : strcmp(provider, "onsite") == 0 ? "cash" : "card";
}

/* ---- settings and fiscal details ----------------------------------------------------------- */

static const struct db_sql SQL_SETTINGS = { "donations_settings",
	"SELECT providers, suggested, currency, transfer_details FROM donation_settings"
	" WHERE org_id = $1" };
static const struct db_sql SQL_FISCAL = { "donations_fiscal",
	"SELECT quality, legal_name, object, address, postcode, city, rna, siren, signatory,"
	" declared_at, COALESCE(checked_at, 0) FROM org_fiscal WHERE org_id = $1" };
static const struct db_sql SQL_SETTINGS_SAVE = { "donations_settings_save",
	"INSERT INTO donation_settings (org_id, providers, suggested, transfer_details, updated_at)"
	" VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id) DO UPDATE SET providers = excluded.providers,"
	" suggested = excluded.suggested, transfer_details = excluded.transfer_details,"
	" updated_at = excluded.updated_at" };
/* A changed declaration must be checked again: the check is kept only
 * when every declared field stays the same. */
static const struct db_sql SQL_FISCAL_SAVE = { "donations_fiscal_save",
	"INSERT INTO org_fiscal (org_id, quality, legal_name, object, address, postcode, city, rna,"
	" siren, signatory, declared_by, declared_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
	" ON CONFLICT (org_id) DO UPDATE SET"
	" checked_at = CASE WHEN org_fiscal.quality = excluded.quality"
	"   AND org_fiscal.legal_name = excluded.legal_name AND org_fiscal.object = excluded.object"
	"   AND org_fiscal.address = excluded.address AND org_fiscal.postcode = excluded.postcode"
	"   AND org_fiscal.city = excluded.city AND org_fiscal.rna = excluded.rna"
	"   AND org_fiscal.siren = excluded.siren AND org_fiscal.signatory = excluded.signatory"
	"   THEN org_fiscal.checked_at ELSE NULL END,"
	" checked_by = CASE WHEN org_fiscal.quality = excluded.quality"
	"   AND org_fiscal.legal_name = excluded.legal_name AND org_fiscal.object = excluded.object"
	"   AND org_fiscal.address = excluded.address AND org_fiscal.postcode = excluded.postcode"
	"   AND org_fiscal.city = excluded.city AND org_fiscal.rna = excluded.rna"
	"   AND org_fiscal.siren = excluded.siren AND org_fiscal.signatory = excluded.signatory"
	"   THEN org_fiscal.checked_by ELSE NULL END,"
	" quality = excluded.quality, legal_name = excluded.legal_name, object = excluded.object,"
	" address = excluded.address, postcode = excluded.postcode, city = excluded.city,"
	" rna = excluded.rna, siren = excluded.siren, signatory = excluded.signatory,"
	" declared_by = excluded.declared_by, declared_at = excluded.declared_at" };
static const struct db_sql SQL_FISCAL_CHECK = { "donations_fiscal_check",
	"UPDATE org_fiscal SET checked_at = $2, checked_by = $3 WHERE org_id = $1 RETURNING org_id" };
static const struct db_sql SQL_ORG_KIND = { "donations_org_kind",
	"SELECT kind FROM organisations WHERE id = $1" };

static void parse_suggested(const char *csv, struct donation_settings *out)
{
	out->n_suggested = 0;
	for (const char *p = csv; p && *p && out->n_suggested < DONATIONS_SUGGESTED_MAX;) {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p)
			break;
		if (v >= DONATIONS_MIN_CENTS && v <= DONATIONS_MAX_CENTS)
			out->suggested[out->n_suggested++] = v;
		p = *end == ',' ? end + 1 : NULL;
	}
}

/* The settings row of org_id, or the defaults. */
static enum db_status settings_load(struct db *db, struct arena *a, int64_t org_id,
				    struct donation_settings *out)
{
	memset(out, 0, sizeof(*out));
	out->providers = "transfer";
	out->currency = "EUR";
	out->transfer_details = "";
	parse_suggested("1000,2000,5000", out);
	struct db_stmt *st = db_stmt(db, &SQL_SETTINGS);
	db_bind_i64(st, 1, org_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->providers = db_col_str(st, 0, a);
		parse_suggested(db_col_text(st, 1), out);
		out->currency = db_col_str(st, 2, a);
		out->transfer_details = db_col_str(st, 3, a);
	}
	db_reset(st);
	return s;
}

enum kq_err donations_settings_get(struct db *db, struct arena *a, int64_t org_id,
				   struct donation_settings *out_settings,
				   struct org_fiscal *out_fiscal)
{
	enum db_status s = settings_load(db, a, org_id, out_settings);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	struct db_stmt *st;

	struct org_fiscal *f = out_fiscal;
	memset(f, 0, sizeof(*f));
	f->quality = f->legal_name = f->object = f->address = f->postcode = f->city = f->rna =
		f->siren = f->signatory = "";
	st = db_stmt(db, &SQL_FISCAL);
	db_bind_i64(st, 1, org_id);
	s = db_step(st);
	if (s == DB_ROW) {
		f->is_declared = true;
		f->quality = db_col_str(st, 0, a);
		f->legal_name = db_col_str(st, 1, a);
		f->object = db_col_str(st, 2, a);
		f->address = db_col_str(st, 3, a);
		f->postcode = db_col_str(st, 4, a);
		f->city = db_col_str(st, 5, a);
		f->rna = db_col_str(st, 6, a);
		f->siren = db_col_str(st, 7, a);
		f->signatory = db_col_str(st, 8, a);
		f->declared_at = db_col_i64(st, 9);
		f->checked_at = db_col_i64(st, 10);
		f->is_checked = f->checked_at != 0;
	}
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

bool donations_parse_amount(const char *s, int64_t *out)
{
	*out = 0;
	if (!s)
		return false;
	int64_t euros = 0, cents = 0;
	int nd = 0, nc = -1;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= '0' && c <= '9') {
			if (nc >= 0) {
				if (++nc > 2)
					return false;
				cents = cents * 10 + (c - '0');
			} else {
				if (euros > DONATIONS_MAX_CENTS)   /* far past any cap: no overflow */
					return false;
				euros = euros * 10 + (c - '0');
				nd++;
			}
		} else if ((c == ',' || c == '.') && nc < 0 && nd > 0) {
			nc = 0;
		} else if (c == ' ' && nc < 0) {
			continue;   /* "1 000" */
		} else if (c == 0xC2 && (unsigned char)p[1] == 0xA0 && nc < 0) {
			p++;        /* a no-break space */
		} else if (strncmp(p, "€", strlen("€")) == 0 && !p[strlen("€")]) {
			break;      /* "25 €" */
		} else {
			return false;
		}
	}
	if (nd == 0 || nc == 0)
		return false;
	if (nc == 1)
		cents *= 10;
	*out = euros * 100 + cents;
	return true;
}

bool donations_quality_valid(const char *q)
{
	return q && (strcmp(q, "interet_general") == 0 || strcmp(q, "utilite_publique") == 0 ||
		     strcmp(q, "cultuelle") == 0);
}

static bool digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* "10, 20, 50" or "12,50 ; 30" (euros, a comma or a dot for cents) to "1000,2000,5000";
 * false when it is not such a list. */
static bool parse_euros_list(struct arena *a, const char *in, const char **out)
{
	struct buf b = BUF_INIT;
	int n = 0;
	bool ok = true;
	const char *p = in ? in : "";
	while (*p && ok) {
		while (*p == ' ' || *p == ';' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (*p < '0' || *p > '9') {
			ok = false;
			break;
		}
		int64_t euros = 0, cents = 0;
		while (*p >= '0' && *p <= '9' && euros < DONATIONS_MAX_CENTS)
			euros = euros * 10 + (*p++ - '0');
		/* A comma or a dot followed by a digit starts one or two decimals;
		 * followed by a space it separates amounts ("10, 20"). "10,20,50" is
		 * refused rather than guessed. */
		if ((*p == ',' || *p == '.') && p[1] >= '0' && p[1] <= '9') {
			int k = (p[2] >= '0' && p[2] <= '9') ? 2 : 1;
			cents = (p[1] - '0') * 10 + (k == 2 ? p[2] - '0' : 0);
			p += 1 + k;
			if ((*p >= '0' && *p <= '9') || ((*p == ',' || *p == '.') && p[1] >= '0' && p[1] <= '9')) {
				ok = false;
				break;
			}
		}
		int64_t v = euros * 100 + cents;
		if (v < DONATIONS_MIN_CENTS || v > DONATIONS_MAX_CENTS || ++n > DONATIONS_SUGGESTED_MAX) {
			ok = false;
			break;
		}
		buf_printf(&b, "%s%lld", b.len ? "," : "", (long long)v);
		while (*p == ' ')
			p++;
		if (*p == ',' || *p == ';')
			p++;
		else if (*p) {
			ok = false;
		}
	}
	*out = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return ok;
}

struct save {
	const struct actor *who;
	int64_t org_id;
	const struct donation_settings_input *in;
	const char *providers, *suggested;
	bool fiscal;
	enum kq_err err;
};

static enum db_status save_txn(struct db *db, void *cls)
{
	struct save *x = cls;
	const struct donation_settings_input *in = x->in;
	int64_t now = time_now();
	struct db_stmt *st = db_stmt(db, &SQL_SETTINGS_SAVE);
	db_bind_i64(st, 1, x->org_id);
	db_bind_text(st, 2, x->providers);
	db_bind_text(st, 3, x->suggested);
	db_bind_text(st, 4, in->transfer_details ? in->transfer_details : "");
	db_bind_i64(st, 5, now);
	enum db_status s = db_run(st);
	if (s < 0 || !x->fiscal)
		return s;
	st = db_stmt(db, &SQL_FISCAL_SAVE);
	db_bind_i64(st, 1, x->org_id);
	db_bind_text(st, 2, in->quality);
	db_bind_text(st, 3, in->legal_name);
	db_bind_text(st, 4, in->object);
	db_bind_text(st, 5, in->address);
	db_bind_text(st, 6, in->postcode);
	db_bind_text(st, 7, in->city);
	db_bind_text(st, 8, in->rna ? in->rna : "");
	db_bind_text(st, 9, in->siren ? in->siren : "");
	db_bind_text(st, 10, in->signatory ? in->signatory : "");
	db_bind_i64(st, 11, x->who->account_id);
	db_bind_i64(st, 12, now);
	return db_run(st);
}

static enum kq_err org_is_association(struct db *db, int64_t org_id)
{
	struct db_stmt *st = db_stmt(db, &SQL_ORG_KIND);
	db_bind_i64(st, 1, org_id);
	enum db_status s = db_step(st);
	bool ok = s == DB_ROW && str_eq(db_col_text(st, 0), "association");
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	return ok ? KQ_OK : KQ_ERR_NOT_FOUND;
}

static bool line_ok(const char *s, size_t max, bool required)
{
	if (str_empty(s))
		return !required;
	return str_text_ok(s, max, false);
}

enum kq_err donations_settings_save(struct db *db, const struct actor *who, int64_t org_id,
				    const struct donation_settings_input *in,
				    struct field_errors *fe)
{
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_MONEY);
	if (e != KQ_OK)
		return e;
	if ((e = org_is_association(db, org_id)) != KQ_OK)
		return e;
	struct arena *a = arena_new();
	struct buf prov = BUF_INIT;
	for (int i = 0; i < 4 && in->providers[i]; i++) {
		if (!is_donation_provider(in->providers[i])) {
			field_error_add(fe, "providers", "donations.field.providers");
			break;
		}
		if (!list_has(buf_str(&prov), in->providers[i]))
			buf_printf(&prov, "%s%s", prov.len ? "," : "", in->providers[i]);
	}
	if (prov.len == 0)
		field_error_add(fe, "providers", "donations.field.providers");
	const char *suggested = "";
	if (!parse_euros_list(a, in->suggested, &suggested))
		field_error_add(fe, "suggested", "donations.field.suggested");
	if (!str_text_ok(in->transfer_details ? in->transfer_details : "", DONATIONS_TRANSFER_MAX, true))
		field_error_add(fe, "transfer_details", "donations.field.text");
	bool any = !str_empty(in->quality) || !str_empty(in->legal_name) || !str_empty(in->object) ||
		   !str_empty(in->address) || !str_empty(in->postcode) || !str_empty(in->city) ||
		   !str_empty(in->rna) || !str_empty(in->siren) || !str_empty(in->signatory);
	if (any) {
		if (!donations_quality_valid(in->quality))
			field_error_add(fe, "quality", "donations.field.quality");
		if (!line_ok(in->legal_name, DONATIONS_LINE_MAX, true))
			field_error_add(fe, "legal_name", "donations.field.required");
		if (!line_ok(in->object, DONATIONS_OBJECT_MAX, true))
			field_error_add(fe, "object", "donations.field.required");
		if (!line_ok(in->address, DONATIONS_LINE_MAX, true))
			field_error_add(fe, "address", "donations.field.required");
		if (!line_ok(in->postcode, DONATIONS_POSTCODE_MAX, true))
			field_error_add(fe, "postcode", "donations.field.required");
		if (!line_ok(in->city, DONATIONS_CITY_MAX, true))
			field_error_add(fe, "city", "donations.field.required");
		if (!line_ok(in->signatory, DONATIONS_NAME_MAX, false))
			field_error_add(fe, "signatory", "donations.field.text");
		bool rna = !str_empty(in->rna), siren = !str_empty(in->siren);
		/* RNA: "W" and 9 digits; SIREN: 9 digits. */
		if (rna && !((in->rna[0] == 'W' || in->rna[0] == 'w') && digits(in->rna + 1, 9)))
			field_error_add(fe, "rna", "donations.field.rna");
		if (siren && !digits(in->siren, 9))
			field_error_add(fe, "siren", "donations.field.siren");
		if (!rna && !siren)
			field_error_add(fe, "rna", "donations.field.rna_or_siren");
	}
	if (fe->n) {
		buf_free(&prov);
		arena_free(a);
		return KQ_ERR_FORM_INVALID;
	}
	struct donation_settings_input clean = *in;
	if (any) {
		clean.quality = in->quality;
		clean.legal_name = str_trim(a, in->legal_name);
		clean.object = str_trim(a, in->object);
		clean.address = str_trim(a, in->address);
		clean.postcode = str_trim(a, in->postcode);
		clean.city = str_trim(a, in->city);
		char *rna = str_trim(a, in->rna);
		str_upper_ascii_in_place(rna);
		clean.rna = rna;
		clean.siren = str_trim(a, in->siren);
		clean.signatory = str_trim(a, in->signatory);
	}
	clean.transfer_details = str_trim(a, in->transfer_details);
	struct save x = { who, org_id, &clean, arena_strdup(a, buf_str(&prov)), suggested, any, KQ_OK };
	buf_free(&prov);
	enum db_status s = db_txn_run(db, "donations_settings_save", DB_WRITE, save_txn, &x);
	arena_free(a);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

struct check {
	const struct actor *who;
	int64_t org_id;
	bool found;
};

static enum db_status check_txn(struct db *db, void *cls)
{
	struct check *x = cls;
	struct db_stmt *st = db_stmt(db, &SQL_FISCAL_CHECK);
	db_bind_i64(st, 1, x->org_id);
	db_bind_i64(st, 2, time_now());
	db_bind_i64(st, 3, x->who->account_id);
	enum db_status s = db_step(st);
	x->found = s == DB_ROW;
	db_reset(st);
	return s < 0 ? s : DB_NONE;
}

enum kq_err donations_fiscal_check(struct db *db, const struct actor *who, int64_t org_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!actor_is_admin(who))
		return KQ_ERR_FORBIDDEN;
	struct check x = { who, org_id, false };
	if (db_txn_run(db, "donations_fiscal_check", DB_WRITE, check_txn, &x) < 0)
		return KQ_ERR_INTERNAL;
	if (x.found)
		log_info("donations: fiscal details of organisation %lld checked by account %lld",
			 (long long)org_id, (long long)who->account_id);
	return x.found ? KQ_OK : KQ_ERR_NOT_FOUND;
}

/* The providers a donor may choose now: the association's that are on (a
 * transfer only with bank details to send to), and the demo card whenever
 * the demo is on (a demo visitor can always give). */
static void choosable(const struct donation_settings *s, const char **out, int max)
{
	int n = 0;
	for (int i = 0; donation_providers[i] && n < max - 1; i++) {
		const char *p = donation_providers[i];
		bool demo = strcmp(p, "demo") == 0;
		/* A transfer needs the association's bank details to be made at all. */
		if (strcmp(p, "transfer") == 0 && str_empty(s->transfer_details))
			continue;
		if ((list_has(s->providers, p) || demo) && payments_provider_enabled(p))
			out[n++] = p;
	}
	out[n] = NULL;
}

enum kq_err donations_page(struct db *db, struct arena *a, const char *slug,
			   struct donation_page *out)
{
	memset(out, 0, sizeof(*out));
	enum kq_err e = orgs_get(db, a, slug, &out->org);
	if (e != KQ_OK)
		return e;
	if (strcmp(out->org.kind, "association") != 0)
		return KQ_ERR_NOT_FOUND;
	if ((e = donations_settings_get(db, a, out->org.id, &out->settings, &out->fiscal)) != KQ_OK)
		return e;
	choosable(&out->settings, out->providers, 8);
	return KQ_OK;
}

enum kq_err donations_offered(struct db *db, struct arena *a, int64_t org_id, bool *out)
{
	struct donation_settings settings;
	if (settings_load(db, a, org_id, &settings) < 0)
		return KQ_ERR_INTERNAL;
	const char *providers[8];
	choosable(&settings, providers, 8);
	*out = providers[0] != NULL;
	return KQ_OK;
}

static const struct db_sql SQL_DEMO_FISCAL = { "donations_demo_fiscal",
	"INSERT INTO org_fiscal (org_id, quality, legal_name, object, address, postcode, city, rna,"
	" signatory, declared_at, checked_at)"
	" SELECT o.id, 'interet_general', o.name, CASE WHEN o.summary = '' THEN o.name ELSE o.summary END,"
	" CASE WHEN o.address = '' THEN 'Mairie' ELSE o.address END, c.postcode, c.name,"
	" 'W' || CAST(260000000 + o.id AS TEXT), 'Le bureau de l''association', $1, $1"
	" FROM organisations o JOIN communes c ON c.id = o.commune_id"
	" WHERE o.kind = 'association' AND o.id NOT IN (SELECT org_id FROM org_fiscal)" };
static const struct db_sql SQL_DEMO_SETTINGS = { "donations_demo_settings",
	"INSERT INTO donation_settings (org_id, providers, suggested, transfer_details, updated_at)"
	" SELECT id, 'transfer', '1000,2500,5000', 'IBAN FR76 0000 0000 0000 0000 0000 000 (démonstration)', $1"
	" FROM organisations WHERE kind = 'association'"
	" AND id NOT IN (SELECT org_id FROM donation_settings)" };

enum kq_err donations_load_demo(struct db *db)
{
	int64_t now = time_now();
	struct db_stmt *st = db_stmt(db, &SQL_DEMO_FISCAL);
	db_bind_i64(st, 1, now);
	if (db_run(st) < 0)
		return KQ_ERR_INTERNAL;
	st = db_stmt(db, &SQL_DEMO_SETTINGS);
	db_bind_i64(st, 1, now);
	return db_run(st) < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

/* ---- giving ---------------------------------------------------------------------------------- */

static const struct db_sql SQL_GIVE_INSERT = { "donations_give_insert",
	"INSERT INTO donations (org_id, kind, amount_cents, currency, donor_name, donor_address,"
	" donor_postcode, donor_city, donor_email, account_id, lang, provider, status, secret,"
	" idempotency_key, request_hash, created_at, recurring_id)"
	" VALUES ($1, 'once', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, $13, $14, $15,"
	" $16) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id" };
static const struct db_sql SQL_KEY_USED = { "donations_key_used",
	"SELECT 1 FROM donations WHERE idempotency_key = $1" };
static const struct db_sql SQL_GIVE_REPLAY = { "donations_give_replay",
	"SELECT id, request_hash FROM donations WHERE idempotency_key = $1" };

struct give {
	const struct actor *who;
	const struct donation_request *in;
	struct field_errors *fe;
	const char *name, *address, *postcode, *city, *email, *lang, *currency;
	char hash[TOKEN_HASH_HEX_LEN + 1];
	enum kq_err err;
	bool replay;
	int64_t donation_id, payment_id;
	struct arena *a;
};

static void hash_field(struct buf *b, const char *s)
{
	buf_printf(b, "%zu:%s|", s ? strlen(s) : (size_t)0, s ? s : "");
}

static enum db_status give_txn(struct db *db, void *cls)
{
	struct give *x = cls;
	const struct donation_request *in = x->in;
	x->err = KQ_OK;
	x->replay = false;
	x->donation_id = x->payment_id = 0;
	int64_t now = time_now();
	char secret[TOKEN_HEX_LEN + 1];
	crypto_token(secret);
	struct db_stmt *st;
	enum db_status s;
	int64_t recurring_id = 0;
	const char *period = NULL;
	if (in->monthly) {
		/* A replay must not write a second monthly donation: the key first. */
		st = db_stmt(db, &SQL_KEY_USED);
		db_bind_text(st, 1, in->idempotency_key);
		s = faults_step(st);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE) {
			struct recurring_new rn = { in->org_id, x->who->account_id, in->amount_cents,
						    x->currency, in->provider, x->name, x->address,
						    x->postcode, x->city, x->email, x->lang };
			if ((s = recurring_create(db, &rn, now, x->a, &recurring_id, &period)) < 0)
				return s;
		}
	}
	st = db_stmt(db, &SQL_GIVE_INSERT);
	db_bind_i64(st, 1, in->org_id);
	db_bind_i64(st, 2, in->amount_cents);
	db_bind_text(st, 3, x->currency);
	db_bind_text(st, 4, x->name);
	db_bind_text(st, 5, x->address);
	db_bind_text(st, 6, x->postcode);
	db_bind_text(st, 7, x->city);
	db_bind_text(st, 8, x->email);
	db_bind_i64_or_null(st, 9, x->who ? x->who->account_id : 0);
	db_bind_text(st, 10, x->lang);
	db_bind_text(st, 11, in->provider);
	db_bind_text(st, 12, secret);
	db_bind_text(st, 13, in->idempotency_key);
	db_bind_text(st, 14, x->hash);
	db_bind_i64(st, 15, now);
	db_bind_i64_or_null(st, 16, recurring_id);
	s = faults_step(st);
	x->donation_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return s == DB_HARD && db_is_unique_violation(db) ? DB_SOFT : s;   /* a secret that collides */
	if (s == DB_NONE && recurring_id)
		return DB_SOFT;   /* the same key just committed by a concurrent request: replay */
	if (s == DB_NONE) {
		/* The key was used: the same request gets its donation back. */
		st = db_stmt(db, &SQL_GIVE_REPLAY);
		db_bind_text(st, 1, in->idempotency_key);
		s = faults_step(st);
		bool same = s == DB_ROW && crypto_streq(db_col_text(st, 1), x->hash);
		x->donation_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
		db_reset(st);
		if (s < 0)
			return s;
		if (!same) {
			field_error_add(x->fe, "idempotency_key", "err.idempotency.conflict");
			x->err = KQ_ERR_IDEMPOTENCY_CONFLICT;
			return DB_HARD;
		}
		x->replay = true;
		return DB_NONE;
	}
	if (recurring_id && (s = recurring_link(db, recurring_id, period, x->donation_id, now)) < 0)
		return s;
	struct payment_new p = { "donation", in->org_id, 0, x->donation_id, in->provider,
				 in->amount_cents, x->currency };
	return payments_insert(db, &p, now, &x->payment_id);
}

static enum kq_err load_donation(struct db *db, struct arena *a, int64_t id, const char *secret,
				 struct donation *out);

static const char *donation_link(struct arena *a, const char *secret)
{
	return arena_printf(a, "%s/dons/%s", core_settings()->base_url, secret);
}

/* ---- starting the payment, outside any transaction ---------------------------------------- */

static const struct db_sql SQL_START_LOAD = { "donations_start_load",
	"SELECT p.id, p.provider, p.status, p.idempotency_key, p.amount_cents, p.currency,"
	" d.secret, d.donor_email, d.status, o.name, d.lang, d.org_id,"
	" CASE WHEN d.recurring_id IS NULL THEN 0 ELSE 1 END"
	" FROM payments p JOIN donations d ON d.id = p.donation_id"
	" JOIN organisations o ON o.id = d.org_id"
	" WHERE p.donation_id = $1 ORDER BY p.id DESC LIMIT 1" };
static const struct db_sql SQL_CANCEL_PENDING = { "donations_cancel_pending",
	"UPDATE donations SET status = 'cancelled', cancelled_at = $2 WHERE id = $1"
	" AND status = 'pending'" };
static const struct db_sql SQL_MAIL_LOAD = { "donations_mail_load",
	"SELECT d.donor_email, d.donor_name, d.secret, d.amount_cents, d.currency, d.lang, o.name,"
	" COALESCE(s.transfer_details, '')"
	" FROM donations d JOIN organisations o ON o.id = d.org_id"
	" LEFT JOIN donation_settings s ON s.org_id = d.org_id WHERE d.id = $1" };

/* The mail of a donation, queued in the caller's transaction. what:
 * "thanks" (paid) or "pending_transfer". */
static enum db_status donation_mail(struct db *db, int64_t donation_id, const char *what)
{
	struct arena *a = arena_new();
	struct db_stmt *st = db_stmt(db, &SQL_MAIL_LOAD);
	db_bind_i64(st, 1, donation_id);
	enum db_status s = faults_step(st);
	if (s != DB_ROW) {
		db_reset(st);
		arena_free(a);
		return s < 0 ? s : DB_NONE;
	}
	const char *to = db_col_str(st, 0, a), *name = db_col_str(st, 1, a);
	const char *secret = db_col_str(st, 2, a);
	int64_t amount = db_col_i64(st, 3);
	const char *currency = db_col_str(st, 4, a);
	const char *lang = i18n_lang_or_fr(db_col_text(st, 5));
	const char *org = db_col_str(st, 6, a), *details = db_col_str(st, 7, a);
	db_reset(st);
	const char *money = tickets_money_format(a, amount, currency, lang);
	const char *link = donation_link(a, secret);
	const char *ref = arena_printf(a, "DON-%lld", (long long)donation_id);
	const char *vars[] = { "name", name, "org", org, "amount", money, "link", link,
			       "reference", ref, "details", details, NULL };
	const char *subject = i18n_fill(a, i18n_get(lang, arena_printf(a, "donations.mail.%s.subject",
									     what)), vars);
	const char *body = i18n_fill(a, i18n_get(lang, arena_printf(a, "donations.mail.%s.body", what)),
				     vars);
	s = notify_enqueue(db, to, subject, body, NULL);
	arena_free(a);
	return s;
}

/* The donation's last payment, for the shared flow (payments_flow.c). */
static enum db_status flow_load(struct db *db, struct arena *a, int64_t donation_id,
				struct payment_flow_payment *out)
{
	struct db_stmt *st = db_stmt(db, &SQL_START_LOAD);
	db_bind_i64(st, 1, donation_id);
	enum db_status s = faults_step(st);
	if (s == DB_ROW) {
		const char *secret = payments_flow_read(st, a, out);
		const char *org_name = db_col_str(st, 9, a);
		const char *lang = i18n_lang_or_fr(db_col_text(st, 10));
		out->org_id = db_col_i64(st, 11);
		out->save_for_later = db_col_i64(st, 12) != 0;
		out->reference = arena_printf(a, "DON-%lld", (long long)donation_id);
		out->return_url = donation_link(a, secret);
		out->description = arena_printf(a, "%s %s (%s)",
						i18n_get(lang, out->save_for_later
								       ? "donations.payment_label_monthly"
								       : "donations.payment_label"),
						org_name, out->reference);
	}
	db_reset(st);
	return s;
}

static enum db_status flow_start_failed(struct db *db, int64_t donation_id, int64_t now)
{
	/* The donor never saw the provider's page: nothing can be paid. */
	struct db_stmt *st = db_stmt(db, &SQL_CANCEL_PENDING);
	db_bind_i64(st, 1, donation_id);
	db_bind_i64(st, 2, now);
	enum db_status s = faults_run(st);
	if (s < 0)
		return s;
	/* A monthly donation whose first payment could not start never begins. */
	return recurring_first_failed(db, donation_id, now);
}

static enum db_status flow_started(struct db *db, int64_t donation_id, const char *provider,
				   const struct payment_start_out *out)
{
	(void)out;
	if (strcmp(provider, "transfer") == 0)
		return donation_mail(db, donation_id, "pending_transfer");
	return DB_NONE;
}

static const struct payment_flow donation_flow = {
	.start_txn = "donations_start_record",
	.capture_txn = "donations_mark_paid",
	.no_payment_err = KQ_ERR_NOT_FOUND,
	.load = flow_load,
	.start_failed = flow_start_failed,
	.started = flow_started,
};

/* Steps 2 and 3 for the donation's last payment, when it is still 'created'. */
static enum kq_err start_payment(struct db *db, struct arena *a, int64_t donation_id)
{
	return payments_flow_start(db, &donation_flow, a, donation_id);
}

static void check_shape(struct give *x, struct arena *a)
{
	const struct donation_request *in = x->in;
	struct field_errors *fe = x->fe;
	if (!in->idempotency_key || strlen(in->idempotency_key) < 8 ||
	    strlen(in->idempotency_key) > DONATIONS_KEY_MAX ||
	    !str_text_ok(in->idempotency_key, SIZE_MAX, false))
		field_error_add(fe, "idempotency_key", "orders.field.key_invalid");
	if (in->amount_cents < DONATIONS_MIN_CENTS)
		field_error_add(fe, "amount", "donations.field.amount_min");
	else if (in->amount_cents > DONATIONS_MAX_CENTS)
		field_error_add(fe, "amount", "donations.field.amount_max");
	const char *name = in->donor_name, *email = in->donor_email;
	if (x->who && x->who->account_id) {
		if (str_empty(name))
			name = x->who->display_name;
		if (str_empty(email))
			email = x->who->email;
	}
	if (str_empty(name) || !str_text_ok(name, DONATIONS_NAME_MAX, false))
		field_error_add(fe, "donor_name", "orders.field.name_invalid");
	if (!line_ok(in->donor_address, DONATIONS_LINE_MAX, true))
		field_error_add(fe, "donor_address", "donations.field.address");
	if (!line_ok(in->donor_postcode, DONATIONS_POSTCODE_MAX, true))
		field_error_add(fe, "donor_postcode", "donations.field.postcode");
	if (!line_ok(in->donor_city, DONATIONS_CITY_MAX, true))
		field_error_add(fe, "donor_city", "donations.field.city");
	if (!email || !str_email_valid(email))
		field_error_add(fe, "donor_email", "orders.field.email_invalid");
	if (fe->n)
		return;
	x->name = str_trim(a, name);
	x->address = str_trim(a, in->donor_address);
	x->postcode = str_trim(a, in->donor_postcode);
	x->city = str_trim(a, in->donor_city);
	x->email = str_trim(a, email);
	x->lang = i18n_lang_or_fr(in->lang);
}

enum kq_err donations_give(struct db *db, const struct actor *who,
			   const struct donation_request *in, struct arena *a,
			   struct field_errors *fe, struct donation *out)
{
	memset(out, 0, sizeof(*out));
	struct give x = { 0 };
	x.who = who;
	x.in = in;
	x.fe = fe;
	check_shape(&x, a);
	/* The association, and a provider it takes now. */
	struct org org;
	enum kq_err e = orgs_get_by_id(db, a, in->org_id, &org);
	if (e != KQ_OK)
		return e;
	if (strcmp(org.kind, "association") != 0)
		return KQ_ERR_NOT_FOUND;
	struct donation_settings settings;
	struct org_fiscal fiscal;
	if ((e = donations_settings_get(db, a, org.id, &settings, &fiscal)) != KQ_OK)
		return e;
	const char *allowed[8];
	choosable(&settings, allowed, 8);
	bool ok = false;
	for (int i = 0; allowed[i] && in->provider; i++)
		ok = ok || strcmp(allowed[i], in->provider) == 0;
	if (!ok)
		field_error_add(fe, "provider", "donations.field.provider");
	if (in->monthly) {
		if (!who || !who->account_id)
			field_error_add(fe, "frequency", "donations.field.monthly_account");
		else if (in->provider && strcmp(in->provider, "demo") != 0 &&
			 strcmp(in->provider, "stripe") != 0)
			field_error_add(fe, "provider", "donations.field.monthly_provider");
	}
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	x.currency = settings.currency;
	x.a = a;
	struct buf b = BUF_INIT;
	buf_printf(&b, "donate-v1|%lld|%lld|%lld|", (long long)in->org_id,
		   (long long)(who ? who->account_id : 0), (long long)in->amount_cents);
	hash_field(&b, x.name);
	hash_field(&b, x.address);
	hash_field(&b, x.postcode);
	hash_field(&b, x.city);
	hash_field(&b, x.email);
	hash_field(&b, in->provider);
	if (in->monthly)
		buf_puts(&b, "monthly|");
	crypto_sha256_hex(b.p, b.len, x.hash);
	buf_free(&b);
	enum db_status s = db_txn_run(db, "donations_give", DB_WRITE, give_txn, &x);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	/* A replay starts the payment only if the first request could not. */
	if ((e = start_payment(db, a, x.donation_id)) != KQ_OK)
		return e;
	return load_donation(db, a, x.donation_id, NULL, out);
}

/* ---- reading a donation --------------------------------------------------------------------- */

#define DONATION_COLS                                                                          \
	"SELECT d.id, d.org_id, o.slug, o.name, d.amount_cents, d.currency, d.donor_name,"      \
	" d.donor_address, d.donor_postcode, d.donor_city, d.donor_email,"                      \
	" COALESCE(d.account_id, 0), d.provider, d.status, d.secret, d.lang, d.created_at,"     \
	" COALESCE(d.paid_at, 0), COALESCE(p.status, ''), COALESCE(p.redirect_url, ''),"        \
	" COALESCE(s.transfer_details, ''), r.year, COALESCE(r.number, 0),"                     \
	" COALESCE(d.recurring_id, 0)"                                                           \
	" FROM donations d JOIN organisations o ON o.id = d.org_id"                             \
	" LEFT JOIN payments p ON p.id = (SELECT MAX(id) FROM payments WHERE donation_id = d.id)" \
	" LEFT JOIN donation_settings s ON s.org_id = d.org_id"                                 \
	" LEFT JOIN tax_receipts r ON r.donation_id = d.id"
static const struct db_sql SQL_BY_ID = { "donations_by_id", DONATION_COLS " WHERE d.id = $1" };
static const struct db_sql SQL_BY_SECRET = { "donations_by_secret",
	DONATION_COLS " WHERE d.secret = $1" };

static void read_donation(struct db_stmt *st, struct arena *a, struct donation *out)
{
	out->id = db_col_i64(st, 0);
	out->org_id = db_col_i64(st, 1);
	out->org_slug = db_col_str(st, 2, a);
	out->org_name = db_col_str(st, 3, a);
	out->amount_cents = db_col_i64(st, 4);
	out->currency = db_col_str(st, 5, a);
	out->donor_name = db_col_str(st, 6, a);
	out->donor_address = db_col_str(st, 7, a);
	out->donor_postcode = db_col_str(st, 8, a);
	out->donor_city = db_col_str(st, 9, a);
	out->donor_email = db_col_str(st, 10, a);
	out->account_id = db_col_i64(st, 11);
	out->provider = db_col_str(st, 12, a);
	out->status = db_col_str(st, 13, a);
	out->secret = db_col_str(st, 14, a);
	out->lang = db_col_str(st, 15, a);
	out->created_at = db_col_i64(st, 16);
	out->paid_at = db_col_i64(st, 17);
	out->payment_status = db_col_str(st, 18, a);
	out->redirect_url = db_col_str(st, 19, a);
	out->transfer_details = db_col_str(st, 20, a);
	out->has_receipt = db_col_text(st, 21) != NULL;
	out->receipt_number = out->has_receipt
		? receipts_number_text(a, (int)db_col_i64(st, 21), db_col_i64(st, 22)) : "";
	out->reference = arena_printf(a, "DON-%lld", (long long)out->id);
	out->recurring_id = db_col_i64(st, 23);
}

static enum kq_err load_donation(struct db *db, struct arena *a, int64_t id, const char *secret,
				 struct donation *out)
{
	memset(out, 0, sizeof(*out));
	if (secret && strlen(secret) != TOKEN_HEX_LEN)
		return KQ_ERR_NOT_FOUND;
	struct db_stmt *st = db_stmt(db, secret ? &SQL_BY_SECRET : &SQL_BY_ID);
	if (secret)
		db_bind_text(st, 1, secret);
	else
		db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_donation(st, a, out);
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

enum kq_err donations_get_by_secret(struct db *db, struct arena *a, const char *secret,
				    struct donation *out)
{
	if (!secret)
		return KQ_ERR_NOT_FOUND;
	return load_donation(db, a, 0, secret, out);
}

static const struct db_sql SQL_OF_ORG = { "donations_of_org",
	DONATION_COLS " WHERE d.org_id = $1 ORDER BY d.id DESC LIMIT $2" };

enum kq_err donations_list(struct db *db, const struct actor *who, int64_t org_id,
			   struct arena *a, struct donation **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_MONEY);
	if (e != KQ_OK)
		return e;
	struct donation *v = arena_alloc(a, sizeof(*v) * DONATIONS_LIST_MAX);
	struct db_stmt *st = db_stmt(db, &SQL_OF_ORG);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, DONATIONS_LIST_MAX);
	enum db_status s = DB_NONE;
	int n = 0;
	while (n < DONATIONS_LIST_MAX && (s = db_step(st)) == DB_ROW) {
		memset(&v[n], 0, sizeof(v[n]));
		read_donation(st, a, &v[n++]);
	}
	db_reset(st);
	if (n < DONATIONS_LIST_MAX && s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

/* ---- what a captured payment does to its donation ----------------------------------------- */

static const struct db_sql SQL_CAP_LOAD = { "donations_cap_load",
	"SELECT status, amount_cents, currency, COALESCE(recurring_id, 0) FROM donations WHERE id = $1" };
/* A donation whose payment could not start ('cancelled') and is paid after
 * all is still a gift: it becomes paid like a pending one. */
static const struct db_sql SQL_CAP_PAID = { "donations_cap_paid",
	"UPDATE donations SET status = 'paid', paid_at = $2, cancelled_at = NULL"
	" WHERE id = $1 AND status IN ('pending', 'cancelled') RETURNING id" };

static enum db_status donation_captured(struct db *db, const struct payment_captured *p,
					struct arena *a, const char **out_reason)
{
	(void)a;
	*out_reason = NULL;
	if (!p->donation_id) {
		KQ_BUG("a donation payment without its donation");
		return DB_HARD;
	}
	struct db_stmt *st = db_stmt(db, &SQL_CAP_LOAD);
	db_bind_i64(st, 1, p->donation_id);
	enum db_status s = faults_step(st);
	char status[16] = "", currency[8] = "";
	int64_t amount = 0, recurring_id = 0;
	if (s == DB_ROW) {
		snprintf(status, sizeof(status), "%s", db_col_text(st, 0));
		amount = db_col_i64(st, 1);
		snprintf(currency, sizeof(currency), "%s", db_col_text(st, 2));
		recurring_id = db_col_i64(st, 3);
	}
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	if (p->amount_cents != amount || p->amount_cents != p->expected_cents ||
	    strcasecmp(p->currency, currency) != 0) {
		/* A receipt says what was given: another amount is sent back. */
		log_warn("donations: payment %lld of donation %lld: %lld %s received, %lld %s due",
			 (long long)p->payment_id, (long long)p->donation_id,
			 (long long)p->amount_cents, p->currency, (long long)amount, currency);
		*out_reason = "amount_mismatch";
		return DB_NONE;
	}
	int64_t now = time_now();
	st = db_stmt(db, &SQL_CAP_PAID);
	db_bind_i64(st, 1, p->donation_id);
	db_bind_i64(st, 2, now);
	s = faults_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		/* Paid before through another payment (a second card session):
		 * one gift, one receipt; this money goes back. */
		*out_reason = "duplicate_payment";
		return DB_NONE;
	}
	if (recurring_id)   /* a month of a monthly gift: the annual summary is its receipt */
		return recurring_charge_paid(db, p->donation_id, now);
	int64_t receipt_id = 0;
	if ((s = receipts_issue(db, p->donation_id, now, mode_of(p->provider), &receipt_id)) < 0)
		return s;
	return donation_mail(db, p->donation_id, "thanks");
}

const struct payment_purpose donations_purpose = {
	.name = "donation",
	.captured = donation_captured,
};

/* ---- paying: the return page, the demo, the treasurer ------------------------------------- */

enum kq_err donations_sync_payment(struct db *db, const char *secret, bool *out_paid)
{
	if (out_paid)
		*out_paid = false;
	struct arena *a = arena_new();
	struct donation d;
	enum kq_err e = donations_get_by_secret(db, a, secret, &d);
	int64_t id = d.id;
	arena_free(a);
	if (e != KQ_OK)
		return e;
	return payments_flow_sync(db, &donation_flow, id, out_paid);
}

enum kq_err donations_mark_paid(struct db *db, const struct actor *who, int64_t donation_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	return payments_flow_capture(db, &donation_flow, who, donation_id);
}

enum kq_err donations_demo_pay(struct db *db, const char *secret)
{
	if (!payments_provider_enabled("demo"))
		return KQ_ERR_PAYMENT_PROVIDER_UNAVAILABLE;
	struct arena *a = arena_new();
	struct donation d;
	enum kq_err e = donations_get_by_secret(db, a, secret, &d);
	int64_t id = d.id;
	arena_free(a);
	if (e != KQ_OK)
		return e;
	return payments_flow_capture(db, &donation_flow, NULL, id);
}

/* ---- a donor's donations ("Mes dons") ---------------------------------------------------------- */

static const struct db_sql SQL_OF_ACCOUNT = { "donations_of_account",
	DONATION_COLS " WHERE d.account_id = $1 ORDER BY d.created_at DESC, d.id DESC LIMIT $2" };

enum kq_err donations_of_account(struct db *db, const struct actor *who, struct arena *a,
				 struct donation **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct donation *v = arena_alloc(a, sizeof(*v) * DONATIONS_OF_ACCOUNT_MAX);
	struct db_stmt *st = db_stmt(db, &SQL_OF_ACCOUNT);
	db_bind_i64(st, 1, who->account_id);
	db_bind_i64(st, 2, DONATIONS_OF_ACCOUNT_MAX);
	enum db_status s = DB_NONE;
	int n = 0;
	while (n < DONATIONS_OF_ACCOUNT_MAX && (s = db_step(st)) == DB_ROW) {
		memset(&v[n], 0, sizeof(v[n]));
		read_donation(st, a, &v[n++]);
	}
	db_reset(st);
	if (n < DONATIONS_OF_ACCOUNT_MAX && s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}
