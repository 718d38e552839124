/* memberships.c: membership plans, joining and its payment, cash and cheques, member cards, reminders
 *
 * See memberships.h for the three steps and the periods. As in donations.c:
 * a state change is an UPDATE conditional on the current state; no provider
 * is called inside a transaction; the money path steps through
 * faults_step/faults_run. The payment row is linked to its membership by
 * payments.membership_id, set right after payments_insert in the same
 * transaction, so payments.c needs nothing but the purpose. */
#include "memberships.h"
#include "donations.h"
#include "etickets.h"
#include "faults.h"
#include "notify.h"
#include "pdf.h"
#include "tickets.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The providers a member may pay through online, in the order the form
 * offers them (the demo card exists only in demo mode). */
static const char *const online_providers[] = { "demo", "stripe", NULL };

void memberships_providers(const char **out, int max)
{
	int n = 0;
	for (int i = 0; online_providers[i] && n < max - 1; i++)
		if (payments_provider_enabled(online_providers[i]))
			out[n++] = online_providers[i];
	out[n] = NULL;
}

static bool provider_choosable(const char *name)
{
	const char *p[4];
	memberships_providers(p, 4);
	for (int i = 0; name && p[i]; i++)
		if (strcmp(p[i], name) == 0)
			return true;
	return false;
}

/* ---- periods -------------------------------------------------------------------------------- */

/* Local midnight of y-m-d (m 0-based; mktime normalises 29 February of a
 * common year to 1 March). Paris changes its clocks at 2 or 3 h, never at
 * midnight, so a midnight always exists and is unique. */
static int64_t local_midnight(int y, int m, int d)
{
	struct tm tm = { 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = m;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

bool memberships_period(const char *period, int64_t start, int64_t *out_from,
			int64_t *out_until)
{
	*out_from = *out_until = 0;
	struct tm tm;
	time_t t = (time_t)start;
	localtime_r(&t, &tm);
	int y = tm.tm_year + 1900, m = tm.tm_mon;
	int64_t from = local_midnight(y, m, tm.tm_mday), until;
	if (str_eq(period, "civil")) {
		/* A late join (from 1 September) covers the next year too. */
		until = local_midnight(m >= 8 ? y + 2 : y + 1, 0, 1);
	} else if (str_eq(period, "season")) {
		/* The season of September Y to August Y+1; a late join (May to
		 * August) covers the next season too. */
		int end = m >= 8 ? y + 1 : y;
		if (m >= 4 && m <= 7)
			end++;
		until = local_midnight(end, 8, 1);
	} else if (str_eq(period, "rolling")) {
		until = local_midnight(y + 1, m, tm.tm_mday);
	} else {
		return false;
	}
	*out_from = from;
	*out_until = until;
	return true;
}

const char *memberships_state(const struct membership *m, int64_t now)
{
	if (!str_eq(m->status, "active"))
		return m->status;
	if (now < m->valid_from)
		return "upcoming";
	return now < m->valid_until ? "current" : "lapsed";
}

/* ---- plans ----------------------------------------------------------------------------------- */

#define PLAN_COLS                                                                              \
	"SELECT id, org_id, name, description, pricing, price_cents, currency, period,"         \
	" COALESCE(cap, 0), taken, is_open FROM membership_plans"
static const struct db_sql SQL_PLANS = { "memberships_plans",
	PLAN_COLS " WHERE org_id = $1 AND (is_open OR $2 = 0) ORDER BY name, id LIMIT 50" };
static const struct db_sql SQL_PLAN = { "memberships_plan", PLAN_COLS " WHERE id = $1" };
static const struct db_sql SQL_PLAN_INSERT = { "memberships_plan_insert",
	"INSERT INTO membership_plans (org_id, name, description, pricing, price_cents, period,"
	" cap, is_open, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
	" RETURNING id" };
/* INVARIANT(member-cap): a cap below the places taken is not written. */
static const struct db_sql SQL_PLAN_UPDATE = { "memberships_plan_update",
	"UPDATE membership_plans SET name = $3, description = $4, pricing = $5, price_cents = $6,"
	" period = $7, cap = $8, is_open = $9, updated_at = $10"
	" WHERE id = $1 AND org_id = $2 AND (CAST($8 AS BIGINT) IS NULL OR taken <= $8)"
	" RETURNING id" };
static const struct db_sql SQL_ORG_KIND = { "memberships_org_kind",
	"SELECT kind FROM organisations WHERE id = $1" };

static void read_plan(struct db_stmt *st, struct arena *a, struct membership_plan *p)
{
	p->id = db_col_i64(st, 0);
	p->org_id = db_col_i64(st, 1);
	p->name = db_col_str(st, 2, a);
	p->description = db_col_str(st, 3, a);
	p->pricing = db_col_str(st, 4, a);
	p->price_cents = db_col_i64(st, 5);
	p->currency = db_col_str(st, 6, a);
	p->period = db_col_str(st, 7, a);
	p->cap = db_col_i64(st, 8);
	p->taken = db_col_i64(st, 9);
	p->is_open = db_col_bool(st, 10);
}

static enum db_status plan_load(struct db *db, struct arena *a, int64_t id,
				struct membership_plan *out)
{
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, &SQL_PLAN);
	db_bind_i64(st, 1, id);
	enum db_status s = faults_step(st);
	if (s == DB_ROW)
		read_plan(st, a, out);
	db_reset(st);
	return s;
}

enum kq_err memberships_plans(struct db *db, struct arena *a, int64_t org_id, bool only_open,
			      struct membership_plan **out, int *out_n)
{
	*out = arena_alloc(a, sizeof(**out) * MEMBERSHIPS_PLANS_MAX);
	*out_n = 0;
	struct db_stmt *st = db_stmt(db, &SQL_PLANS);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, only_open ? 1 : 0);
	enum db_status s = DB_NONE;
	while (*out_n < MEMBERSHIPS_PLANS_MAX && (s = db_step(st)) == DB_ROW)
		read_plan(st, a, &(*out)[(*out_n)++]);
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

static bool pricing_valid(const char *p)
{
	return str_eq(p, "fixed") || str_eq(p, "free") || str_eq(p, "pwyw");
}

static bool period_valid(const char *p)
{
	return str_eq(p, "civil") || str_eq(p, "season") || str_eq(p, "rolling");
}

struct plan_save {
	int64_t org_id, plan_id;
	const char *name, *description, *pricing, *period;
	int64_t price, cap;           /* cap 0: none */
	bool is_open;
	int64_t id;
	bool below_taken;
};

static enum db_status plan_save_txn(struct db *db, void *cls)
{
	struct plan_save *x = cls;
	x->below_taken = false;
	int64_t now = time_now();
	struct db_stmt *st;
	if (x->plan_id) {
		st = db_stmt(db, &SQL_PLAN_UPDATE);
		db_bind_i64(st, 1, x->plan_id);
		db_bind_i64(st, 2, x->org_id);
		db_bind_text(st, 3, x->name);
		db_bind_text(st, 4, x->description);
		db_bind_text(st, 5, x->pricing);
		db_bind_i64(st, 6, x->price);
		db_bind_text(st, 7, x->period);
		db_bind_i64_or_null(st, 8, x->cap);
		db_bind_bool(st, 9, x->is_open);
		db_bind_i64(st, 10, now);
	} else {
		st = db_stmt(db, &SQL_PLAN_INSERT);
		db_bind_i64(st, 1, x->org_id);
		db_bind_text(st, 2, x->name);
		db_bind_text(st, 3, x->description);
		db_bind_text(st, 4, x->pricing);
		db_bind_i64(st, 5, x->price);
		db_bind_text(st, 6, x->period);
		db_bind_i64_or_null(st, 7, x->cap);
		db_bind_bool(st, 8, x->is_open);
		db_bind_i64(st, 9, now);
	}
	enum db_status s = db_step(st);
	x->id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s == DB_NONE) {
		x->below_taken = true;   /* or not this association's plan: told apart below */
		return DB_HARD;
	}
	return s < 0 ? s : DB_NONE;
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

enum kq_err memberships_plan_save(struct db *db, const struct actor *who, int64_t org_id,
				  int64_t plan_id, const struct membership_plan_input *in,
				  struct field_errors *fe, int64_t *out_id)
{
	*out_id = 0;
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_MONEY);
	if (e != KQ_OK)
		return e;
	if ((e = org_is_association(db, org_id)) != KQ_OK)
		return e;
	struct arena *a = arena_new();
	struct plan_save x = { 0 };
	x.org_id = org_id;
	x.plan_id = plan_id;
	if (plan_id) {
		struct membership_plan old;
		enum db_status s = plan_load(db, a, plan_id, &old);
		if (s != DB_ROW || old.org_id != org_id) {
			arena_free(a);
			return s < 0 ? KQ_ERR_INTERNAL : KQ_ERR_NOT_FOUND;
		}
	}
	x.name = str_trim(a, in->name);
	x.description = str_trim(a, in->description);
	if (str_empty(x.name) || !str_text_ok(x.name, MEMBERSHIPS_NAME_MAX, false))
		field_error_add(fe, "name", "memberships.field.name");
	if (!str_text_ok(x.description, MEMBERSHIPS_DESC_MAX, true))
		field_error_add(fe, "description", "memberships.field.description");
	if (!pricing_valid(in->pricing))
		field_error_add(fe, "pricing", "memberships.field.pricing");
	else
		x.pricing = in->pricing;
	if (!period_valid(in->period))
		field_error_add(fe, "period", "memberships.field.period");
	else
		x.period = in->period;
	if (str_eq(in->pricing, "free")) {
		x.price = 0;
	} else if (!donations_parse_amount(in->price, &x.price) || x.price > MEMBERSHIPS_MAX_CENTS ||
		   (str_eq(in->pricing, "fixed") && x.price <= 0)) {
		field_error_add(fe, "price", "memberships.field.price");
	}
	if (!str_empty(in->cap)) {
		if (!str_to_i64(str_trim(a, in->cap), &x.cap) || x.cap < 1 ||
		    x.cap > MEMBERSHIPS_CAP_MAX)
			field_error_add(fe, "cap", "memberships.field.cap");
	}
	x.is_open = in->is_open;
	if (fe->n) {
		arena_free(a);
		return KQ_ERR_FORM_INVALID;
	}
	enum db_status s = db_txn_run(db, "memberships_plan_save", DB_WRITE, plan_save_txn, &x);
	arena_free(a);
	if (s < 0 && x.below_taken) {
		field_error_add(fe, "cap", "memberships.field.cap_below_taken");
		return KQ_ERR_FORM_INVALID;
	}
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out_id = x.id;
	return KQ_OK;
}

static const struct db_sql SQL_ORGS = { "memberships_orgs",
	"SELECT o.slug, o.name, o.summary, COALESCE(c.name, ''), COUNT(p.id), MIN(p.price_cents)"
	" FROM organisations o JOIN membership_plans p ON p.org_id = o.id AND p.is_open"
	" LEFT JOIN communes c ON c.id = o.commune_id"
	" WHERE o.kind = 'association' GROUP BY o.id, o.slug, o.name, o.summary, c.name"
	" ORDER BY o.name LIMIT 200" };

enum kq_err memberships_orgs(struct db *db, struct arena *a, struct membership_org **out,
			     int *out_n)
{
	*out = arena_alloc(a, sizeof(**out) * 200);
	*out_n = 0;
	struct db_stmt *st = db_stmt(db, &SQL_ORGS);
	enum db_status s = DB_NONE;
	while (*out_n < 200 && (s = db_step(st)) == DB_ROW) {
		struct membership_org *o = &(*out)[(*out_n)++];
		o->slug = db_col_str(st, 0, a);
		o->name = db_col_str(st, 1, a);
		o->summary = db_col_str(st, 2, a);
		o->commune_name = db_col_str(st, 3, a);
		o->n_plans = (int)db_col_i64(st, 4);
		o->min_cents = db_col_i64(st, 5);
	}
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

enum kq_err memberships_page(struct db *db, struct arena *a, const char *slug, struct org *out_org,
			     struct membership_plan **out_plans, int *out_n)
{
	*out_plans = NULL;
	*out_n = 0;
	enum kq_err e = orgs_get(db, a, slug, out_org);
	if (e != KQ_OK)
		return e;
	if (!str_eq(out_org->kind, "association"))
		return KQ_ERR_NOT_FOUND;
	return memberships_plans(db, a, out_org->id, true, out_plans, out_n);
}

/* ---- reading a membership ------------------------------------------------------------------- */

#define MEMBERSHIP_COLS                                                                          \
	"SELECT m.id, m.plan_id, m.org_id, p.name, o.slug, o.name, p.period, m.member_name,"      \
	" m.member_email, COALESCE(m.account_id, 0), m.amount_cents, m.currency, m.valid_from,"   \
	" m.valid_until, m.status, m.provider, m.secret, m.card_code, m.lang, m.created_at,"      \
	" COALESCE(m.paid_at, 0), COALESCE(m.recorded_by, 0), COALESCE(pay.status, ''),"          \
	" COALESCE(pay.redirect_url, '')"                                                         \
	" FROM memberships m JOIN membership_plans p ON p.id = m.plan_id"                         \
	" JOIN organisations o ON o.id = m.org_id"                                                \
	" LEFT JOIN payments pay ON pay.id ="                                                     \
	"  (SELECT MAX(id) FROM payments WHERE membership_id = m.id)"
static const struct db_sql SQL_BY_ID = { "memberships_by_id", MEMBERSHIP_COLS " WHERE m.id = $1" };
static const struct db_sql SQL_BY_SECRET = { "memberships_by_secret",
	MEMBERSHIP_COLS " WHERE m.secret = $1" };
static const struct db_sql SQL_OF_ORG = { "memberships_of_org",
	MEMBERSHIP_COLS " WHERE m.org_id = $1 ORDER BY m.id DESC LIMIT $2" };

static const struct db_sql SQL_BY_CODE = { "memberships_by_code",
	MEMBERSHIP_COLS " WHERE m.card_code = $1 AND m.org_id = $2" };

static void read_membership(struct db_stmt *st, struct arena *a, struct membership *out)
{
	out->id = db_col_i64(st, 0);
	out->plan_id = db_col_i64(st, 1);
	out->org_id = db_col_i64(st, 2);
	out->plan_name = db_col_str(st, 3, a);
	out->org_slug = db_col_str(st, 4, a);
	out->org_name = db_col_str(st, 5, a);
	out->period = db_col_str(st, 6, a);
	out->member_name = db_col_str(st, 7, a);
	out->member_email = db_col_str(st, 8, a);
	out->account_id = db_col_i64(st, 9);
	out->amount_cents = db_col_i64(st, 10);
	out->currency = db_col_str(st, 11, a);
	out->valid_from = db_col_i64(st, 12);
	out->valid_until = db_col_i64(st, 13);
	out->status = db_col_str(st, 14, a);
	out->provider = db_col_str(st, 15, a);
	out->secret = db_col_str(st, 16, a);
	out->card_code = db_col_str(st, 17, a);
	out->lang = db_col_str(st, 18, a);
	out->created_at = db_col_i64(st, 19);
	out->paid_at = db_col_i64(st, 20);
	out->recorded_by = db_col_i64(st, 21);
	out->payment_status = db_col_str(st, 22, a);
	out->redirect_url = db_col_str(st, 23, a);
	out->reference = arena_printf(a, "ADH-%lld", (long long)out->id);
}

static enum kq_err load_membership(struct db *db, struct arena *a, int64_t id, const char *secret,
				   struct membership *out)
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
		read_membership(st, a, out);
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

enum kq_err memberships_get_by_secret(struct db *db, struct arena *a, const char *secret,
				      struct membership *out)
{
	if (!secret)
		return KQ_ERR_NOT_FOUND;
	return load_membership(db, a, 0, secret, out);
}

enum kq_err memberships_check_card(struct db *db, const struct actor *who, int64_t org_id,
				   const char *code, struct arena *a, struct membership *out)
{
	memset(out, 0, sizeof(*out));
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_VIEW_MEMBERS);
	if (e != KQ_OK)
		return e;
	if (!code || strlen(code) != MEMBERSHIPS_CODE_LEN)
		return KQ_ERR_NOT_FOUND;
	char up[MEMBERSHIPS_CODE_LEN + 1];
	snprintf(up, sizeof(up), "%s", code);
	str_upper_ascii_in_place(up);
	struct db_stmt *st = db_stmt(db, &SQL_BY_CODE);
	db_bind_text(st, 1, up);
	db_bind_i64(st, 2, org_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_membership(st, a, out);
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

enum kq_err memberships_list(struct db *db, const struct actor *who, int64_t org_id,
			     struct arena *a, struct membership **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_MONEY);
	if (e != KQ_OK)
		return e;
	struct membership *v = arena_alloc(a, sizeof(*v) * MEMBERSHIPS_LIST_MAX);
	struct db_stmt *st = db_stmt(db, &SQL_OF_ORG);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, MEMBERSHIPS_LIST_MAX);
	enum db_status s = DB_NONE;
	int n = 0;
	while (n < MEMBERSHIPS_LIST_MAX && (s = db_step(st)) == DB_ROW) {
		memset(&v[n], 0, sizeof(v[n]));
		read_membership(st, a, &v[n++]);
	}
	db_reset(st);
	if (n < MEMBERSHIPS_LIST_MAX && s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

/* ---- mails ---------------------------------------------------------------------------------- */

static const char *membership_link(struct arena *a, const char *secret)
{
	return arena_printf(a, "%s/adhesion/%s", core_settings()->base_url, secret);
}

/* The mail of a membership, queued in the caller's transaction. what:
 * "welcome" (active) or "reminder" (ends soon). Nothing for a member
 * recorded without an e-mail address. */
static enum db_status membership_mail(struct db *db, int64_t membership_id, const char *what)
{
	struct arena *a = arena_new();
	struct membership m;
	enum kq_err e = load_membership(db, a, membership_id, NULL, &m);
	if (e != KQ_OK) {
		arena_free(a);
		return e == KQ_ERR_NOT_FOUND ? DB_NONE : DB_HARD;
	}
	if (str_empty(m.member_email)) {
		arena_free(a);
		return DB_NONE;
	}
	const char *lang = i18n_lang_or_fr(m.lang);
	const char *vars[] = { "name", m.member_name, "org", m.org_name, "plan", m.plan_name,
			       "from", time_format_date(a, m.valid_from),
			       "until", time_format_date(a, m.valid_until - 1),
			       "link", arena_printf(a, "%s%s", membership_link(a, m.secret),
						    str_eq(what, "reminder") ? "#renouveler" : ""),
			       NULL };
	const char *subject = i18n_fill(a, i18n_get(lang, arena_printf(a, "memberships.mail.%s.subject",
									     what)), vars);
	const char *body = i18n_fill(a, i18n_get(lang, arena_printf(a, "memberships.mail.%s.body",
								      what)), vars);
	enum db_status s = notify_enqueue(db, m.member_email, subject, body, NULL);
	arena_free(a);
	return s;
}

/* ---- joining -------------------------------------------------------------------------------- */

/* INVARIANT(member-cap): the place is taken before the membership row is
 * written, in the same transaction, so a lost race writes nothing. */
static const struct db_sql SQL_TAKE = { "memberships_take",
	"UPDATE membership_plans SET taken = taken + 1"
	" WHERE id = $1 AND is_open AND (cap IS NULL OR taken < cap) RETURNING id" };
static const struct db_sql SQL_TAKE_ANY = { "memberships_take_any",
	"UPDATE membership_plans SET taken = taken + 1"
	" WHERE id = $1 AND (cap IS NULL OR taken < cap) RETURNING id" };
static const struct db_sql SQL_RELEASE = { "memberships_release",
	"UPDATE membership_plans SET taken = taken - 1 WHERE id = $1 AND taken > 0" };
static const struct db_sql SQL_INSERT = { "memberships_insert",
	"INSERT INTO memberships (plan_id, org_id, member_name, member_email, account_id, lang,"
	" amount_cents, currency, valid_from, valid_until, status, provider, recorded_by,"
	" renews_id, secret, card_code, idempotency_key, request_hash, created_at, paid_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,"
	" $19, $20) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id" };
static const struct db_sql SQL_REPLAY = { "memberships_replay",
	"SELECT id, request_hash FROM memberships WHERE idempotency_key = $1" };
static const struct db_sql SQL_RENEWED = { "memberships_renewed",
	"SELECT id, org_id, status, valid_until FROM memberships WHERE secret = $1" };
static const struct db_sql SQL_LINK_PAYMENT = { "memberships_link_payment",
	"UPDATE payments SET membership_id = $2 WHERE id = $1" };

struct join {
	const struct actor *who;
	const struct membership_request *in;
	struct field_errors *fe;
	struct membership_plan plan;
	const char *name, *email, *lang, *provider;
	int64_t amount;
	bool at_desk;                 /* a treasurer records cash or a cheque */
	char hash[TOKEN_HASH_HEX_LEN + 1];
	enum kq_err err;
	bool replay;
	int64_t membership_id, payment_id;
	struct arena *a;
};

static void hash_field(struct buf *b, const char *s)
{
	buf_printf(b, "%zu:%s|", s ? strlen(s) : (size_t)0, s ? s : "");
}

static enum db_status join_fail(struct join *x, enum kq_err e)
{
	x->err = e;
	return DB_HARD;
}

static enum db_status join_txn(struct db *db, void *cls)
{
	struct join *x = cls;
	const struct membership_request *in = x->in;
	x->err = KQ_OK;
	x->replay = false;
	x->membership_id = x->payment_id = 0;
	int64_t now = time_now();

	/* 1. A replay of the same key gets its membership back and takes nothing. */
	struct db_stmt *st = db_stmt(db, &SQL_REPLAY);
	db_bind_text(st, 1, in->idempotency_key);
	enum db_status s = faults_step(st);
	if (s == DB_ROW) {
		bool same = crypto_streq(db_col_text(st, 1), x->hash);
		x->membership_id = db_col_i64(st, 0);
		db_reset(st);
		if (!same) {
			field_error_add(x->fe, "idempotency_key", "err.idempotency.conflict");
			return join_fail(x, KQ_ERR_IDEMPOTENCY_CONFLICT);
		}
		x->replay = true;
		return DB_NONE;
	}
	db_reset(st);
	if (s < 0)
		return s;

	/* 2. The period: a renewal starts when the membership it follows ends. */
	int64_t start = now, renews = 0;
	if (!str_empty(in->renew_secret)) {
		st = db_stmt(db, &SQL_RENEWED);
		db_bind_text(st, 1, in->renew_secret);
		s = faults_step(st);
		if (s == DB_ROW && db_col_i64(st, 1) == x->plan.org_id &&
		    str_eq(db_col_text(st, 2), "active")) {
			renews = db_col_i64(st, 0);
			if (db_col_i64(st, 3) > start)
				start = db_col_i64(st, 3);
		}
		db_reset(st);
		if (s < 0)
			return s;
		if (!renews)
			return join_fail(x, KQ_ERR_NOT_FOUND);
	}
	int64_t from, until;
	if (!memberships_period(x->plan.period, start, &from, &until)) {
		KQ_BUG("a plan with an unknown period");
		return DB_HARD;
	}
	if (renews && start > now)
		from = start;   /* the day the renewed membership ends, at its exact instant */

	/* 3. INVARIANT(member-cap): a place, then the row. A treasurer may
	 * record a member on a plan closed to online joins. */
	st = db_stmt(db, x->at_desk ? &SQL_TAKE_ANY : &SQL_TAKE);
	db_bind_i64(st, 1, x->plan.id);
	s = faults_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE)
		return join_fail(x, KQ_ERR_MEMBERSHIPS_FULL);

	bool paid_now = x->amount == 0;
	char secret[TOKEN_HEX_LEN + 1], code[MEMBERSHIPS_CODE_LEN + 1];
	crypto_token(secret);
	crypto_random_alnum(code, MEMBERSHIPS_CODE_LEN);
	str_upper_ascii_in_place(code);
	st = db_stmt(db, &SQL_INSERT);
	db_bind_i64(st, 1, x->plan.id);
	db_bind_i64(st, 2, x->plan.org_id);
	db_bind_text(st, 3, x->name);
	db_bind_text(st, 4, x->email);
	db_bind_i64_or_null(st, 5, x->who && !x->at_desk ? x->who->account_id : 0);
	db_bind_text(st, 6, x->lang);
	db_bind_i64(st, 7, x->amount);
	db_bind_text(st, 8, x->plan.currency);
	db_bind_i64(st, 9, from);
	db_bind_i64(st, 10, until);
	db_bind_text(st, 11, paid_now ? "active" : "pending");
	db_bind_text(st, 12, x->provider);
	db_bind_i64_or_null(st, 13, x->at_desk ? x->who->account_id : 0);
	db_bind_i64_or_null(st, 14, renews);
	db_bind_text(st, 15, secret);
	db_bind_text(st, 16, code);
	db_bind_text(st, 17, in->idempotency_key);
	db_bind_text(st, 18, x->hash);
	db_bind_i64(st, 19, now);
	db_bind_i64_or_null(st, 20, paid_now ? now : 0);
	s = faults_step(st);
	x->membership_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)   /* a secret or code that collides: draw again */
		return s == DB_HARD && db_is_unique_violation(db) ? DB_SOFT : s;
	if (s == DB_NONE)
		return DB_SOFT;   /* the key was taken meanwhile: the retry finds it in step 1 */
	if (paid_now)
		return membership_mail(db, x->membership_id, "welcome");

	/* 4. The payment, linked to its membership. */
	struct payment_new p = { "membership", x->plan.org_id, 0, 0, x->provider, x->amount,
				 x->plan.currency };
	if ((s = payments_insert(db, &p, now, &x->payment_id)) < 0)
		return s;
	st = db_stmt(db, &SQL_LINK_PAYMENT);
	db_bind_i64(st, 1, x->payment_id);
	db_bind_i64(st, 2, x->membership_id);
	if ((s = faults_run(st)) < 0)
		return s;
	if (!x->at_desk)
		return DB_NONE;
	/* 5. Cash or a cheque in the treasurer's hands: captured now, so the
	 * ledger row (provider 'cash' or 'cheque') lands with the membership. */
	struct capture_result cr;
	if ((s = payments_capture(db, x->payment_id, x->amount, x->plan.currency, NULL, x->a,
				  &cr)) < 0)
		return s;
	if (cr.is_duplicate || cr.refund_id) {
		KQ_BUG("a membership recorded at the desk was not captured once");
		return DB_HARD;
	}
	return DB_NONE;
}

/* Steps 2 and 3 for the membership's last payment, when it is still 'created'. */
static const struct db_sql SQL_START_LOAD = { "memberships_start_load",
	"SELECT p.id, p.provider, p.status, p.idempotency_key, p.amount_cents, p.currency,"
	" m.secret, m.member_email, m.status, o.name, m.lang, m.org_id"
	" FROM payments p JOIN memberships m ON m.id = p.membership_id"
	" JOIN organisations o ON o.id = m.org_id"
	" WHERE p.membership_id = $1 ORDER BY p.id DESC LIMIT 1" };
static const struct db_sql SQL_CANCEL_PENDING = { "memberships_cancel_pending",
	"UPDATE memberships SET status = 'cancelled', cancelled_at = $2 WHERE id = $1"
	" AND status = 'pending' RETURNING plan_id" };

/* The membership's last payment, for the shared flow (payments_flow.c). */
static enum db_status flow_load(struct db *db, struct arena *a, int64_t membership_id,
				struct payment_flow_payment *out)
{
	struct db_stmt *st = db_stmt(db, &SQL_START_LOAD);
	db_bind_i64(st, 1, membership_id);
	enum db_status s = faults_step(st);
	if (s == DB_ROW) {
		const char *secret = payments_flow_read(st, a, out);
		const char *org_name = db_col_str(st, 9, a);
		const char *lang = i18n_lang_or_fr(db_col_text(st, 10));
		out->org_id = db_col_i64(st, 11);
		out->reference = arena_printf(a, "ADH-%lld", (long long)membership_id);
		out->return_url = membership_link(a, secret);
		out->description = arena_printf(a, "%s %s (%s)",
						i18n_get(lang, "memberships.payment_label"), org_name,
						out->reference);
	}
	db_reset(st);
	return s;
}

static enum db_status flow_start_failed(struct db *db, int64_t membership_id, int64_t now)
{
	/* The member never saw the provider's page: the place goes back. */
	struct db_stmt *st = db_stmt(db, &SQL_CANCEL_PENDING);
	db_bind_i64(st, 1, membership_id);
	db_bind_i64(st, 2, now);
	enum db_status s = faults_step(st);
	int64_t plan = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return s;
	if (plan) {
		st = db_stmt(db, &SQL_RELEASE);
		db_bind_i64(st, 1, plan);
		if ((s = faults_run(st)) < 0)
			return s;
	}
	return DB_NONE;
}

static const struct payment_flow membership_flow = {
	.start_txn = "memberships_start_record",
	.capture_txn = "memberships_demo_pay",
	.no_payment_err = KQ_ERR_ORDER_STATE,   /* a free membership: nothing to pay */
	.load = flow_load,
	.start_failed = flow_start_failed,
	.started = NULL,
};

static enum kq_err start_payment(struct db *db, struct arena *a, int64_t membership_id)
{
	return payments_flow_start(db, &membership_flow, a, membership_id);
}

/* Checks the request and the plan; fills x. Field errors in x->fe. */
static enum kq_err join_prepare(struct db *db, struct join *x, struct arena *a)
{
	const struct membership_request *in = x->in;
	struct field_errors *fe = x->fe;
	if (!in->idempotency_key || strlen(in->idempotency_key) < 8 ||
	    strlen(in->idempotency_key) > MEMBERSHIPS_KEY_MAX ||
	    !str_text_ok(in->idempotency_key, SIZE_MAX, false))
		field_error_add(fe, "idempotency_key", "orders.field.key_invalid");
	enum db_status s = plan_load(db, a, in->plan_id, &x->plan);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (s == DB_NONE || (!x->plan.is_open && !x->at_desk))
		return KQ_ERR_NOT_FOUND;
	const char *name = in->member_name, *email = in->member_email;
	if (x->who && x->who->account_id && !x->at_desk) {
		if (str_empty(name))
			name = x->who->display_name;
		if (str_empty(email))
			email = x->who->email;
	}
	if (str_empty(name) || !str_text_ok(name, MEMBERSHIPS_NAME_MAX, false))
		field_error_add(fe, "member_name", "orders.field.name_invalid");
	bool email_optional = x->at_desk && str_empty(email);
	if (!email_optional && (!email || !str_email_valid(str_trim(a, email))))
		field_error_add(fe, "member_email", "orders.field.email_invalid");
	if (str_eq(x->plan.pricing, "fixed")) {
		x->amount = x->plan.price_cents;
	} else if (str_eq(x->plan.pricing, "free")) {
		x->amount = 0;
	} else {
		x->amount = in->amount_cents;
		if (x->amount < x->plan.price_cents || x->amount < 0)
			field_error_add(fe, "amount", "memberships.field.amount_min");
		else if (x->amount > MEMBERSHIPS_MAX_CENTS)
			field_error_add(fe, "amount", "memberships.field.amount_max");
	}
	if (x->amount == 0) {
		x->provider = "free";
	} else if (x->at_desk) {
		if (!str_eq(in->provider, "cash") && !str_eq(in->provider, "cheque"))
			field_error_add(fe, "provider", "memberships.field.provider");
		x->provider = in->provider;
	} else {
		if (!provider_choosable(in->provider))
			field_error_add(fe, "provider", "memberships.field.provider");
		x->provider = in->provider;
	}
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	x->name = str_trim(a, name);
	x->email = email_optional ? "" : str_trim(a, email);
	x->lang = i18n_lang_or_fr(in->lang);
	struct buf b = BUF_INIT;
	buf_printf(&b, "join-v1|%lld|%lld|%lld|%d|", (long long)in->plan_id,
		   (long long)(x->who ? x->who->account_id : 0), (long long)x->amount, x->at_desk);
	hash_field(&b, x->name);
	hash_field(&b, x->email);
	hash_field(&b, x->provider);
	hash_field(&b, in->renew_secret);
	crypto_sha256_hex(b.p, b.len, x->hash);
	buf_free(&b);
	return KQ_OK;
}

static enum kq_err join_run(struct db *db, struct join *x, struct arena *a,
			    struct membership *out)
{
	memset(out, 0, sizeof(*out));
	enum kq_err e = join_prepare(db, x, a);
	if (e != KQ_OK)
		return e;
	if (x->at_desk && (e = orgs_authorize(db, x->who, x->plan.org_id, ORG_ACT_MONEY)) != KQ_OK)
		return e;
	if (!x->at_desk && (e = org_is_association(db, x->plan.org_id)) != KQ_OK)
		return e;
	x->a = arena_new();
	enum db_status s = db_txn_run(db, x->at_desk ? "memberships_record" : "memberships_join",
				      DB_WRITE, join_txn, x);
	arena_free(x->a);
	x->a = NULL;
	if (s < 0)
		return x->err != KQ_OK ? x->err : KQ_ERR_INTERNAL;
	/* A replay starts the payment only if the first request could not. */
	if (!x->at_desk && (e = start_payment(db, a, x->membership_id)) != KQ_OK)
		return e;
	return load_membership(db, a, x->membership_id, NULL, out);
}

enum kq_err memberships_join(struct db *db, const struct actor *who,
			     const struct membership_request *in, struct arena *a,
			     struct field_errors *fe, struct membership *out)
{
	struct join x = { 0 };
	x.who = who;
	x.in = in;
	x.fe = fe;
	return join_run(db, &x, a, out);
}

enum kq_err memberships_record(struct db *db, const struct actor *who,
			       const struct membership_request *in, struct arena *a,
			       struct field_errors *fe, struct membership *out)
{
	memset(out, 0, sizeof(*out));
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct join x = { 0 };
	x.who = who;
	x.in = in;
	x.fe = fe;
	x.at_desk = true;
	return join_run(db, &x, a, out);
}

/* ---- what a captured payment does to its membership --------------------------------------- */

static const struct db_sql SQL_CAP_LOAD = { "memberships_cap_load",
	"SELECT m.id, m.status, m.amount_cents, m.currency, m.plan_id FROM payments p"
	" JOIN memberships m ON m.id = p.membership_id WHERE p.id = $1" };
static const struct db_sql SQL_CAP_ACTIVE = { "memberships_cap_active",
	"UPDATE memberships SET status = 'active', paid_at = $2, cancelled_at = NULL"
	" WHERE id = $1 AND status = $3 RETURNING id" };

static enum db_status membership_captured(struct db *db, const struct payment_captured *p,
					  struct arena *a, const char **out_reason)
{
	(void)a;
	*out_reason = NULL;
	struct db_stmt *st = db_stmt(db, &SQL_CAP_LOAD);
	db_bind_i64(st, 1, p->payment_id);
	enum db_status s = faults_step(st);
	char status[16] = "", currency[8] = "";
	int64_t id = 0, amount = 0, plan = 0;
	if (s == DB_ROW) {
		id = db_col_i64(st, 0);
		snprintf(status, sizeof(status), "%s", db_col_text(st, 1));
		amount = db_col_i64(st, 2);
		snprintf(currency, sizeof(currency), "%s", db_col_text(st, 3));
		plan = db_col_i64(st, 4);
	}
	db_reset(st);
	if (s != DB_ROW) {
		if (s == DB_NONE)
			KQ_BUG("a membership payment without its membership");
		return s < 0 ? s : DB_HARD;
	}
	if (p->amount_cents != amount || p->amount_cents != p->expected_cents ||
	    strcasecmp(p->currency, currency) != 0) {
		log_warn("memberships: payment %lld of membership %lld: %lld %s received, %lld %s due",
			 (long long)p->payment_id, (long long)id, (long long)p->amount_cents,
			 p->currency, (long long)amount, currency);
		*out_reason = "amount_mismatch";
		return DB_NONE;
	}
	if (strcmp(status, "cancelled") == 0) {
		/* Paid after all although its start failed: its place was given
		 * back, so it must be taken again; a full plan sends the money back. */
		st = db_stmt(db, &SQL_TAKE_ANY);
		db_bind_i64(st, 1, plan);
		s = faults_step(st);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE) {
			*out_reason = "late_payment";
			return DB_NONE;
		}
	} else if (strcmp(status, "pending") != 0) {
		/* Active through another payment: one membership, this money goes back. */
		*out_reason = "duplicate_payment";
		return DB_NONE;
	}
	st = db_stmt(db, &SQL_CAP_ACTIVE);
	db_bind_i64(st, 1, id);
	db_bind_i64(st, 2, time_now());
	db_bind_text(st, 3, status);
	s = faults_step(st);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	return membership_mail(db, id, "welcome");
}

const struct payment_purpose memberships_purpose = {
	.name = "membership",
	.captured = membership_captured,
};

/* ---- paying: the return page and the demo ------------------------------------------------- */

static const struct db_sql SQL_LAST_PAYMENT = { "memberships_last_payment",
	"SELECT p.id, p.provider, p.status, p.amount_cents, p.currency, m.status"
	" FROM payments p JOIN memberships m ON m.id = p.membership_id WHERE p.membership_id = $1"
	" ORDER BY p.id DESC LIMIT 1" };

struct last_payment {
	int64_t id, amount;
	char provider[32], status[16], currency[8], mstatus[16];
};

static enum db_status last_payment(struct db *db, int64_t membership_id, struct last_payment *out)
{
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, &SQL_LAST_PAYMENT);
	db_bind_i64(st, 1, membership_id);
	enum db_status s = faults_step(st);
	if (s == DB_ROW) {
		out->id = db_col_i64(st, 0);
		snprintf(out->provider, sizeof(out->provider), "%s", db_col_text(st, 1));
		snprintf(out->status, sizeof(out->status), "%s", db_col_text(st, 2));
		out->amount = db_col_i64(st, 3);
		snprintf(out->currency, sizeof(out->currency), "%s", db_col_text(st, 4));
		snprintf(out->mstatus, sizeof(out->mstatus), "%s", db_col_text(st, 5));
	}
	db_reset(st);
	return s;
}

enum kq_err memberships_sync_payment(struct db *db, const char *secret, bool *out_paid)
{
	if (out_paid)
		*out_paid = false;
	struct arena *a = arena_new();
	struct membership m;
	enum kq_err e = memberships_get_by_secret(db, a, secret, &m);
	int64_t id = m.id;
	arena_free(a);
	if (e != KQ_OK)
		return e;
	struct last_payment lp;
	enum db_status s = last_payment(db, id, &lp);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (s == DB_NONE || !str_eq(lp.mstatus, "pending"))
		return KQ_OK;
	return payments_sync(db, lp.id, out_paid);
}

enum kq_err memberships_demo_pay(struct db *db, const char *secret)
{
	if (!payments_provider_enabled("demo"))
		return KQ_ERR_PAYMENT_PROVIDER_UNAVAILABLE;
	struct arena *a = arena_new();
	struct membership m;
	enum kq_err e = memberships_get_by_secret(db, a, secret, &m);
	int64_t id = m.id;
	arena_free(a);
	if (e != KQ_OK)
		return e;
	return payments_flow_capture(db, &membership_flow, NULL, id);
}

/* ---- the member card -------------------------------------------------------------------------- */

static const char *t(const char *lang, const char *fr, const char *en)
{
	return str_eq(lang, "en") ? en : fr;
}

static void text_at(struct pdf_doc *d, HPDF_Page page, HPDF_Font font, float size, float x,
		    float y, struct arena *a, const char *utf8)
{
	HPDF_Page_BeginText(page);
	HPDF_Page_SetFontAndSize(page, font, size);
	HPDF_Page_TextOut(page, x, y, pdf_text(a, utf8));
	HPDF_Page_EndText(page);
	(void)d;
}

enum kq_err memberships_card_pdf(struct buf *b, struct arena *a, const struct membership *m)
{
	if (!str_eq(m->status, "active"))
		return KQ_ERR_ORDER_STATE;
	const char *lang = i18n_lang_or_fr(m->lang);
	struct pdf_doc doc;
	if (!pdf_doc_open(&doc, "memberships", a,
			  arena_printf(a, "%s %s", t(lang, "Carte de membre", "Member card"),
				       m->org_name)))
		return KQ_ERR_INTERNAL;
	HPDF_Page page = HPDF_AddPage(doc.doc);
	if (page) {
		HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
		float h = HPDF_Page_GetHeight(page);
		float y = h - 70;
		text_at(&doc, page, doc.regular, 11, 56, y, a, t(lang, "Carte de membre", "Member card"));
		text_at(&doc, page, doc.bold, 22, 56, y - 30, a, m->org_name);
		y -= 80;
		const struct { const char *label, *value; } rows[] = {
			{ t(lang, "Membre", "Member"), m->member_name },
			{ t(lang, "Formule", "Plan"), m->plan_name },
			{ t(lang, "Valable du", "Valid from"), time_format_date(a, m->valid_from) },
			{ t(lang, "au", "to"), time_format_date(a, m->valid_until - 1) },
			{ t(lang, "Référence", "Reference"), m->reference },
		};
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			text_at(&doc, page, doc.regular, 10, 56, y, a, rows[i].label);
			text_at(&doc, page, doc.bold, 13, 56, y - 15, a, rows[i].value);
			y -= 40;
		}
		etickets_pdf_qr(doc.doc, page, a, m->card_code, 56, y - 180, 180);
		text_at(&doc, page, doc.regular, 9, 56, y - 194, a, m->card_code);
		text_at(&doc, page, doc.regular, 9, 56, 50, a,
			t(lang, "Présentez cette carte (imprimée ou sur votre téléphone) si on vous la demande.",
			  "Show this card (printed or on your phone) when asked."));
	}
	return pdf_doc_finish(&doc, b);
}

/* ---- reminders -------------------------------------------------------------------------------- */

/* Active, ending within the window, not reminded, and not followed by a
 * renewal that is active or on its way. */
static const struct db_sql SQL_DUE = { "memberships_due",
	"SELECT m.id FROM memberships m WHERE m.status = 'active' AND m.reminded_at IS NULL"
	" AND m.valid_until > $1 AND m.valid_until <= $2 AND NOT EXISTS (SELECT 1 FROM memberships r"
	" WHERE r.renews_id = m.id AND r.status IN ('pending', 'active')) ORDER BY m.id LIMIT $3" };
static const struct db_sql SQL_REMINDED = { "memberships_reminded",
	"UPDATE memberships SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL RETURNING id" };

struct remind {
	int64_t id, now;
	bool sent;
};

static enum db_status remind_txn(struct db *db, void *cls)
{
	struct remind *x = cls;
	x->sent = false;
	struct db_stmt *st = db_stmt(db, &SQL_REMINDED);
	db_bind_i64(st, 1, x->id);
	db_bind_i64(st, 2, x->now);
	enum db_status s = faults_step(st);
	db_reset(st);
	if (s != DB_ROW)
		return s;   /* another process reminded it first */
	x->sent = true;
	return membership_mail(db, x->id, "reminder");
}

enum kq_err memberships_remind_due(struct db *db, int64_t now, int max, int *out_sent)
{
	*out_sent = 0;
	if (max < 1)
		return KQ_OK;
	if (max > 100)
		max = 100;
	int64_t ids[100];
	int n = 0;
	struct db_stmt *st = db_stmt(db, &SQL_DUE);
	db_bind_i64(st, 1, now);
	db_bind_i64(st, 2, now + (int64_t)MEMBERSHIPS_REMIND_DAYS * 86400);
	db_bind_i64(st, 3, max);
	enum db_status s;
	while (n < max && (s = db_step(st)) == DB_ROW)
		ids[n++] = db_col_i64(st, 0);
	db_reset(st);
	if (n < max && s < 0)
		return KQ_ERR_INTERNAL;
	for (int i = 0; i < n; i++) {
		struct remind x = { ids[i], now, false };
		if (db_txn_run(db, "memberships_remind", DB_WRITE, remind_txn, &x) < 0)
			return KQ_ERR_INTERNAL;
		*out_sent += x.sent;
	}
	return KQ_OK;
}

/* ---- expiry ---------------------------------------------------------------------------------- */

static const struct db_sql SQL_EXPIRE_DUE = { "memberships_expire_due",
	"SELECT m.id, COALESCE(p.id, 0), COALESCE(p.provider, ''), COALESCE(p.status, '')"
	" FROM memberships m LEFT JOIN payments p ON p.id ="
	"  (SELECT MAX(id) FROM payments WHERE membership_id = m.id)"
	" WHERE m.status = 'pending' AND m.created_at < $1 ORDER BY m.id LIMIT $2" };

struct expire {
	int64_t id, now;
	bool changed;
};

static enum db_status expire_txn(struct db *db, void *cls)
{
	struct expire *x = cls;
	x->changed = false;
	struct db_stmt *st = db_stmt(db, &SQL_CANCEL_PENDING);
	db_bind_i64(st, 1, x->id);
	db_bind_i64(st, 2, x->now);
	enum db_status s = faults_step(st);
	int64_t plan = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW)
		return s;   /* paid or cancelled meanwhile */
	/* INVARIANT(member-cap): the place goes back with the cancellation. */
	st = db_stmt(db, &SQL_RELEASE);
	db_bind_i64(st, 1, plan);
	if ((s = faults_run(st)) < 0)
		return s;
	x->changed = true;
	return DB_NONE;
}

enum kq_err memberships_expire_due(struct db *db, int64_t now, int max, int *out_n)
{
	if (out_n)
		*out_n = 0;
	if (max < 1)
		return KQ_OK;
	if (max > 100)
		max = 100;
	struct due { int64_t id, payment_id; char provider[32], status[16]; } due[100];
	int n = 0;
	unsigned hold = payments_settings()->order_hold_minutes;
	struct db_stmt *st = db_stmt(db, &SQL_EXPIRE_DUE);
	db_bind_i64(st, 1, now - (int64_t)(hold ? hold : 30) * 60);
	db_bind_i64(st, 2, max);
	enum db_status s = DB_NONE;
	while (n < max && (s = db_step(st)) == DB_ROW) {
		due[n].id = db_col_i64(st, 0);
		due[n].payment_id = db_col_i64(st, 1);
		snprintf(due[n].provider, sizeof(due[n].provider), "%s", db_col_text(st, 2));
		snprintf(due[n].status, sizeof(due[n].status), "%s", db_col_text(st, 3));
		n++;
	}
	db_reset(st);
	if (n < max && s < 0)
		return KQ_ERR_INTERNAL;
	for (int i = 0; i < n; i++) {
		const struct payment_provider *p = payments_provider(due[i].provider);
		if (p && p->fetch && due[i].payment_id && str_eq(due[i].status, "started")) {
			/* Maybe paid, with the webhook late or lost: ask first. */
			bool paid = false;
			if (payments_sync(db, due[i].payment_id, &paid) == KQ_OK && paid)
				continue;
		}
		struct expire x = { due[i].id, now, false };
		if (db_txn_run(db, "memberships_expire", DB_WRITE, expire_txn, &x) < 0)
			return KQ_ERR_INTERNAL;
		if (out_n)
			*out_n += x.changed;
	}
	return KQ_OK;
}

/* ---- writing to the members ------------------------------------------------------------------ */

/* One row per address of the audience. $4: 1 current, 2 lapsed, 3 both.
 * is_current: some active membership of that address has not ended (an
 * upcoming renewal counts); only memberships ended after $3 are looked at,
 * so a lapsed member is one whose last membership ended within the window. */
#define MAILING_IS_CURRENT "MAX(CASE WHEN m.valid_until > $2 THEN 1 ELSE 0 END)"
static const struct db_sql SQL_MAILING_AUDIENCE = { "memberships_mailing_audience",
	"SELECT lower(m.member_email), MIN(m.member_name), MIN(m.lang), " MAILING_IS_CURRENT ","
	" MAX(m.valid_until) FROM memberships m"
	" WHERE m.org_id = $1 AND m.status = 'active' AND m.member_email <> ''"
	" AND m.valid_until > $3 GROUP BY lower(m.member_email)"
	" HAVING $4 = 3 OR ($4 = 1 AND " MAILING_IS_CURRENT " = 1)"
	" OR ($4 = 2 AND " MAILING_IS_CURRENT " = 0)"
	" ORDER BY lower(m.member_email)" };
/* PostgreSQL: one sender of an association at a time (a lock held to the
 * end of the transaction), so that the key and the day's count are read
 * after any concurrent mailing of the association has committed (READ
 * COMMITTED). SQLite's writers are serialised already (BEGIN IMMEDIATE). */
static const struct db_sql SQL_MAILING_LOCK = { "memberships_mailing_lock",
	"SELECT CAST($1 AS BIGINT)",
	"SELECT 1 FROM (SELECT pg_advisory_xact_lock(28, CAST(CAST($1 AS BIGINT) % 2000000000 AS INTEGER))"
	" AS locked) l" };
static const struct db_sql SQL_MAILING_ORG = { "memberships_mailing_org",
	"SELECT name, slug, email, phone, website FROM organisations"
	" WHERE id = $1 AND kind = 'association'" };
static const struct db_sql SQL_MAILING_BY_KEY = { "memberships_mailing_by_key",
	"SELECT id, subject, body, audience, recipients, created_at FROM member_mailings"
	" WHERE org_id = $1 AND idempotency_key = $2" };
static const struct db_sql SQL_MAILING_RECENT = { "memberships_mailing_recent",
	"SELECT COUNT(*) FROM member_mailings WHERE org_id = $1 AND created_at > $2" };
static const struct db_sql SQL_MAILING_INSERT = { "memberships_mailing_insert",
	"INSERT INTO member_mailings (org_id, subject, body, audience, recipients, created_by,"
	" idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
	" ON CONFLICT (org_id, idempotency_key) DO NOTHING RETURNING id" };
static const struct db_sql SQL_MAILINGS = { "memberships_mailings",
	"SELECT mm.id, mm.subject, mm.body, mm.audience, mm.recipients, mm.created_at,"
	" COALESCE(a.display_name, '') FROM member_mailings mm"
	" LEFT JOIN accounts a ON a.id = mm.created_by"
	" WHERE mm.org_id = $1 ORDER BY mm.created_at DESC, mm.id DESC LIMIT $2" };

static int audience_code(const char *audience)
{
	return str_eq(audience, "current") ? 1 : str_eq(audience, "lapsed") ? 2 :
	       str_eq(audience, "both") ? 3 : 0;
}

struct mailing_ctx {
	const struct actor *who;
	int64_t org_id;
	const char *subject, *body, *audience, *key;
	bool send;                    /* false: count only */
	struct arena *a;
	int64_t now;
	/* results */
	enum kq_err err;
	int64_t n;
	bool replayed;
	struct membership_mailing out;
};

/* The message as it is stored and sent: trimmed; the body's CRLF (as
 * browsers post a textarea) made LF. Field errors in fe. */
static void mailing_check(struct mailing_ctx *x, const struct membership_mailing_input *in,
			  struct field_errors *fe)
{
	struct arena *a = x->a;
	x->subject = str_trim(a, in->subject);
	const char *raw = str_trim(a, in->body);
	char *body = arena_alloc(a, strlen(raw) + 1), *o = body;
	for (const char *p = raw; *p; p++)
		if (!(*p == '\r' && p[1] == '\n'))
			*o++ = *p;
	*o = '\0';
	x->body = body;
	x->audience = in->audience ? in->audience : "";
	if (!*x->subject || !str_text_ok(x->subject, MEMBERSHIPS_MAIL_SUBJECT_MAX, false))
		field_error_add(fe, "subject", "err.memberships.mailing_subject");
	if (!*x->body || !str_text_ok(x->body, MEMBERSHIPS_MAIL_BODY_MAX, true))
		field_error_add(fe, "body", "err.memberships.mailing_body");
	if (!audience_code(x->audience))
		field_error_add(fe, "audience", "err.memberships.mailing_audience");
}

struct mail_row {
	const char *to, *name, *lang;
	bool is_current;
	int64_t until;
};

/* The audience's addresses, read whole before any outbox insert (same
 * connection). [out] rows in x->a. */
static enum db_status mailing_audience(struct db *db, struct mailing_ctx *x, struct mail_row **out)
{
	struct db_stmt *st = db_stmt(db, &SQL_MAILING_AUDIENCE);
	db_bind_i64(st, 1, x->org_id);
	db_bind_i64(st, 2, x->now);
	db_bind_i64(st, 3, x->now - (int64_t)MEMBERSHIPS_LAPSED_DAYS * 86400);
	db_bind_i64(st, 4, audience_code(x->audience));
	struct mail_row *v = NULL;
	size_t n = 0, cap = 0;
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct mail_row *nv = arena_alloc(x->a, sizeof(*nv) * ncap);
			if (n)
				memcpy(nv, v, sizeof(*nv) * n);
			v = nv;
			cap = ncap;
		}
		v[n].to = db_col_str(st, 0, x->a);
		v[n].name = db_col_str(st, 1, x->a);
		v[n].lang = i18n_lang_or_fr(db_col_text(st, 2));
		v[n].is_current = db_col_i64(st, 3) != 0;
		v[n].until = db_col_i64(st, 4);
		n++;
	}
	db_reset(st);
	*out = v;
	x->n = (int64_t)n;
	return s;
}

static enum db_status mailing_queue(struct db *db, struct mailing_ctx *x,
				    const struct mail_row *v)
{
	struct arena *a = x->a;
	struct db_stmt *st = db_stmt(db, &SQL_MAILING_ORG);
	db_bind_i64(st, 1, x->org_id);
	enum db_status s = db_step(st);
	const char *name = "", *slug = "", *email = "", *phone = "", *website = "";
	if (s == DB_ROW) {
		name = db_col_str(st, 0, a);
		slug = db_col_str(st, 1, a);
		email = db_col_str(st, 2, a);
		phone = db_col_str(st, 3, a);
		website = db_col_str(st, 4, a);
	}
	db_reset(st);
	if (s != DB_ROW)
		return s;
	const char *page = arena_printf(a, "%s/organisations/%s", core_settings()->base_url, slug);
	struct buf contact = BUF_INIT;
	if (str_email_valid(email))
		buf_printf(&contact, "%s\n", email);
	if (*phone)
		buf_printf(&contact, "%s\n", phone);
	if (*website)
		buf_printf(&contact, "%s\n", website);
	buf_printf(&contact, "%s", page);
	const char *contact_text = arena_strdup(a, buf_str(&contact));
	buf_free(&contact);
	/* The association answers: its address, when it has a valid one. */
	/* The association writes (its name in From, notify.h) and answers: its address, when it
	 * has a valid one. */
	const char *headers = arena_printf(a, "%s: %s\r\n%s", NOTIFY_SENDER_HEADER, name,
					   str_email_valid(email) ? arena_printf(a, "Reply-To: %s\r\n", email)
								  : "");
	for (int64_t i = 0; s >= 0 && i < x->n; i++) {
		const struct mail_row *r = &v[i];
		const char *vars[] = { "name", r->name, "org", name, "subject", x->subject,
				       "text", x->body, "until", time_format_date(a, r->until - 1),
				       "contact", contact_text, "site", core_settings()->base_url,
				       NULL };
		const char *why = r->is_current ? "memberships.mail.members.why_current"
						: "memberships.mail.members.why_lapsed";
		const char *subject = i18n_fill(a, i18n_get(r->lang, "memberships.mail.members.subject"),
						vars);
		const char *body = arena_printf(a, "%s\n\n-- \n%s\n%s\n",
			i18n_fill(a, i18n_get(r->lang, "memberships.mail.members.body"), vars),
			i18n_fill(a, i18n_get(r->lang, why), vars),
			i18n_fill(a, i18n_get(r->lang, "memberships.mail.members.contact"), vars));
		s = notify_enqueue(db, r->to, subject, body, headers);
	}
	return s < 0 ? s : DB_NONE;
}

static enum db_status mailing_refuse(struct mailing_ctx *x, enum kq_err e)
{
	x->err = e;
	return DB_HARD;
}

static enum db_status mailing_txn(struct db *db, void *cls)
{
	struct mailing_ctx *x = cls;
	x->err = KQ_OK;
	x->n = 0;
	x->replayed = false;
	memset(&x->out, 0, sizeof(x->out));
	struct db_stmt *st;
	enum db_status s;
	if (x->send) {
		st = db_stmt(db, &SQL_MAILING_LOCK);
		db_bind_i64(st, 1, x->org_id);
		s = db_step(st);
		db_reset(st);
		if (s != DB_ROW)
			return s < 0 ? s : DB_HARD;
		/* INVARIANT(mailing-once): the same key finds the first mailing. */
		st = db_stmt(db, &SQL_MAILING_BY_KEY);
		db_bind_i64(st, 1, x->org_id);
		db_bind_text(st, 2, x->key);
		s = db_step(st);
		if (s == DB_ROW) {
			x->out.id = db_col_i64(st, 0);
			x->out.subject = db_col_str(st, 1, x->a);
			x->out.body = db_col_str(st, 2, x->a);
			x->out.audience = db_col_str(st, 3, x->a);
			x->out.recipients = db_col_i64(st, 4);
			x->out.created_at = db_col_i64(st, 5);
			x->out.sender_name = "";
		}
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_ROW) {
			if (!str_eq(x->out.subject, x->subject) || !str_eq(x->out.body, x->body) ||
			    !str_eq(x->out.audience, x->audience))
				return mailing_refuse(x, KQ_ERR_IDEMPOTENCY_CONFLICT);
			x->replayed = true;
			x->n = x->out.recipients;
			return DB_NONE;
		}
		/* INVARIANT(mailing-rate): counted where the row is written. */
		st = db_stmt(db, &SQL_MAILING_RECENT);
		db_bind_i64(st, 1, x->org_id);
		db_bind_i64(st, 2, x->now - 86400);
		s = db_step(st);
		int64_t recent = s == DB_ROW ? db_col_i64(st, 0) : 0;
		db_reset(st);
		if (s != DB_ROW)
			return s < 0 ? s : DB_HARD;
		if (recent >= MEMBERSHIPS_MAILINGS_PER_DAY)
			return mailing_refuse(x, KQ_ERR_MEMBERSHIPS_MAILING_LIMIT);
	}
	struct mail_row *rows = NULL;
	s = mailing_audience(db, x, &rows);
	if (s < 0)
		return s;
	if (x->n == 0)
		return mailing_refuse(x, KQ_ERR_FORM_INVALID);
	if (!x->send)
		return DB_NONE;
	st = db_stmt(db, &SQL_MAILING_INSERT);
	db_bind_i64(st, 1, x->org_id);
	db_bind_text(st, 2, x->subject);
	db_bind_text(st, 3, x->body);
	db_bind_text(st, 4, x->audience);
	db_bind_i64(st, 5, x->n);
	db_bind_i64(st, 6, x->who->account_id);
	db_bind_text(st, 7, x->key);
	db_bind_i64(st, 8, x->now);
	s = db_step(st);
	if (s == DB_ROW)
		x->out.id = db_col_i64(st, 0);
	db_reset(st);
	if (s == DB_NONE)
		return DB_SOFT;   /* a concurrent twin committed first: the retry finds it */
	if (s < 0)
		return s;
	x->out.subject = x->subject;
	x->out.body = x->body;
	x->out.audience = x->audience;
	x->out.recipients = x->n;
	x->out.created_at = x->now;
	x->out.sender_name = x->who->display_name ? x->who->display_name : "";
	return mailing_queue(db, x, rows);
}

static enum kq_err mailing_run(struct db *db, struct mailing_ctx *x,
			       const struct membership_mailing_input *in, struct field_errors *fe)
{
	enum kq_err e = orgs_authorize(db, x->who, x->org_id, ORG_ACT_MONEY);
	if (e != KQ_OK)
		return e;
	mailing_check(x, in, fe);
	if (x->send && (!x->key || strlen(x->key) < 8 || strlen(x->key) > MEMBERSHIPS_KEY_MAX ||
			!str_text_ok(x->key, MEMBERSHIPS_KEY_MAX, false)))
		field_error_add(fe, "idempotency_key", "err.form.invalid");
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	x->now = time_now();
	enum db_status s = db_txn_run(db, x->send ? "memberships_mailing_send" :
				      "memberships_mailing_preview", x->send ? DB_WRITE : DB_READ,
				      mailing_txn, x);
	if (x->err == KQ_ERR_FORM_INVALID) {
		field_error_add(fe, "audience", "err.memberships.mailing_nobody");
		return KQ_ERR_FORM_INVALID;
	}
	if (x->err != KQ_OK)
		return x->err;
	if (s < 0) {
		log_error("memberships mailing: %s", db_errmsg(db));
		return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}

enum kq_err memberships_mailing_preview(struct db *db, const struct actor *who, int64_t org_id,
					const struct membership_mailing_input *in,
					struct field_errors *fe, int64_t *out_n)
{
	*out_n = 0;
	struct arena *a = arena_new();
	struct mailing_ctx x = { .who = who, .org_id = org_id, .send = false, .a = a };
	enum kq_err e = mailing_run(db, &x, in, fe);
	if (e == KQ_OK)
		*out_n = x.n;
	arena_free(a);
	return e;
}

enum kq_err memberships_mailing_send(struct db *db, const struct actor *who, int64_t org_id,
				     const struct membership_mailing_input *in, struct arena *a,
				     struct field_errors *fe, struct membership_mailing *out,
				     bool *out_replayed)
{
	memset(out, 0, sizeof(*out));
	if (out_replayed)
		*out_replayed = false;
	struct mailing_ctx x = { .who = who, .org_id = org_id, .key = in->idempotency_key,
				 .send = true, .a = a };
	enum kq_err e = mailing_run(db, &x, in, fe);
	if (e != KQ_OK)
		return e;
	*out = x.out;
	if (out_replayed)
		*out_replayed = x.replayed;
	return KQ_OK;
}

enum kq_err memberships_mailings(struct db *db, const struct actor *who, int64_t org_id,
				 struct arena *a, struct membership_mailing **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_MONEY);
	if (e != KQ_OK)
		return e;
	struct membership_mailing *v = arena_alloc(a, sizeof(*v) * MEMBERSHIPS_MAILINGS_SHOWN);
	struct db_stmt *st = db_stmt(db, &SQL_MAILINGS);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, MEMBERSHIPS_MAILINGS_SHOWN);
	enum db_status s = DB_NONE;
	int n = 0;
	while (n < MEMBERSHIPS_MAILINGS_SHOWN && (s = db_step(st)) == DB_ROW) {
		struct membership_mailing *m = &v[n++];
		m->id = db_col_i64(st, 0);
		m->subject = db_col_str(st, 1, a);
		m->body = db_col_str(st, 2, a);
		m->audience = db_col_str(st, 3, a);
		m->recipients = db_col_i64(st, 4);
		m->created_at = db_col_i64(st, 5);
		m->sender_name = db_col_str(st, 6, a);
	}
	db_reset(st);
	if (n < MEMBERSHIPS_MAILINGS_SHOWN && s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

/* ---- the demo ------------------------------------------------------------------------------- */

static const struct db_sql SQL_DEMO_PLANS = { "memberships_demo_plans",
	"INSERT INTO membership_plans (org_id, name, description, pricing, price_cents, period,"
	" created_at, updated_at)"
	" SELECT o.id, $2, $3, $4, $5, $6, $1, $1 FROM organisations o WHERE o.kind = 'association'"
	" AND NOT EXISTS (SELECT 1 FROM membership_plans p WHERE p.org_id = o.id AND p.name = $2)" };

enum kq_err memberships_load_demo(struct db *db)
{
	static const struct { const char *name, *desc, *pricing; int64_t cents; const char *period; }
	plans[] = {
		{ "Adhésion annuelle", "Pour l'année civile : vote à l'assemblée générale et tarifs"
		  " réduits aux activités.", "fixed", 1500, "civil" },
		{ "Membre bienfaiteur", "Pour la saison, de septembre à août : donnez ce que vous"
		  " voulez, à partir de 30 euros.", "pwyw", 3000, "season" },
	};
	int64_t now = time_now();
	for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
		struct db_stmt *st = db_stmt(db, &SQL_DEMO_PLANS);
		db_bind_i64(st, 1, now);
		db_bind_text(st, 2, plans[i].name);
		db_bind_text(st, 3, plans[i].desc);
		db_bind_text(st, 4, plans[i].pricing);
		db_bind_i64(st, 5, plans[i].cents);
		db_bind_text(st, 6, plans[i].period);
		if (db_run(st) < 0)
			return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}
