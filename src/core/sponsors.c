/* sponsors.c: sponsorship offers of businesses to associations: offer, withdraw, accept or decline, the lists
 *
 * See sponsors.h for the rules. As elsewhere in core, every state change is an
 * UPDATE conditional on the current state ('offered'), so a double click, a
 * replay or two people deciding at once make one change; the mail of a change
 * is queued in its transaction. No money moves here: it is paid outside. */
#include "sponsors.h"
#include "donations.h"
#include "notify.h"
#include "tickets.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool sponsors_parse_amount(const char *s, int64_t *out)
{
	return donations_parse_amount(s, out);
}

static bool target_kind_ok(const char *k)
{
	return str_eq(k, "event") || str_eq(k, "campaign");
}

/* ---- the target ------------------------------------------------------------------------------ */

/* Drafts and hidden content are not found: the public may not sponsor what it cannot see. */
static const struct db_sql SQL_TARGET_EVENT = { "sponsors_target_event",
	"SELECT e.id, e.org_id, e.slug, e.title, e.status, o.slug, o.name, o.kind, 0"
	" FROM events e JOIN organisations o ON o.id = e.org_id"
	" WHERE e.slug = $1 AND e.status <> 'draft' AND e.hidden_at IS NULL AND o.hidden_at IS NULL" };
static const struct db_sql SQL_TARGET_CAMPAIGN = { "sponsors_target_campaign",
	"SELECT c.id, c.org_id, c.slug, c.title, c.status, o.slug, o.name, o.kind, c.ends_at"
	" FROM campaigns c JOIN organisations o ON o.id = c.org_id"
	" WHERE c.slug = $1 AND c.status <> 'draft' AND o.hidden_at IS NULL" };
static const struct db_sql SQL_TARGET_EVENT_ID = { "sponsors_target_event_id",
	"SELECT e.id, e.org_id, e.slug, e.title, e.status, o.slug, o.name, o.kind, 0"
	" FROM events e JOIN organisations o ON o.id = e.org_id WHERE e.id = $1" };
static const struct db_sql SQL_TARGET_CAMPAIGN_ID = { "sponsors_target_campaign_id",
	"SELECT c.id, c.org_id, c.slug, c.title, c.status, o.slug, o.name, o.kind, c.ends_at"
	" FROM campaigns c JOIN organisations o ON o.id = c.org_id WHERE c.id = $1" };

static enum kq_err target_load(struct db *db, struct arena *a, const char *kind, const char *slug,
			       int64_t id, struct sponsor_target *out)
{
	memset(out, 0, sizeof(*out));
	if (!target_kind_ok(kind) || (slug && !str_slug_valid(slug)))
		return KQ_ERR_NOT_FOUND;
	bool ev = strcmp(kind, "event") == 0;
	const struct db_sql *q = slug ? (ev ? &SQL_TARGET_EVENT : &SQL_TARGET_CAMPAIGN)
				      : (ev ? &SQL_TARGET_EVENT_ID : &SQL_TARGET_CAMPAIGN_ID);
	struct db_stmt *st = db_stmt(db, q);
	if (slug)
		db_bind_text(st, 1, slug);
	else
		db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->kind = ev ? "event" : "campaign";
		out->id = db_col_i64(st, 0);
		out->org_id = db_col_i64(st, 1);
		out->slug = db_col_str(st, 2, a);
		out->title = db_col_str(st, 3, a);
		out->status = db_col_str(st, 4, a);
		out->org_slug = db_col_str(st, 5, a);
		out->org_name = db_col_str(st, 6, a);
		out->org_kind = db_col_str(st, 7, a);
		int64_t ends_at = db_col_i64(st, 8);
		bool published = ev ? (strcmp(out->status, "published") == 0 ||
				       strcmp(out->status, "postponed") == 0)
				    : (strcmp(out->status, "live") == 0 && ends_at > time_now());
		out->is_open = published && strcmp(out->org_kind, "association") == 0;
	}
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

enum kq_err sponsors_target_get(struct db *db, struct arena *a, const char *target_kind,
				const char *slug, struct sponsor_target *out)
{
	if (!slug) {
		memset(out, 0, sizeof(*out));
		return KQ_ERR_NOT_FOUND;
	}
	return target_load(db, a, target_kind, slug, 0, out);
}

/* ---- the actor's businesses ----------------------------------------------------------------- */

static const struct db_sql SQL_MY_BUSINESSES = { "sponsors_my_businesses",
	"SELECT o.id, o.slug, o.name, o.kind, o.website, COALESCE(u.sha256, '')"
	" FROM org_members m JOIN organisations o ON o.id = m.org_id"
	" LEFT JOIN uploads u ON u.id = o.logo_upload_id"
	" WHERE m.account_id = $1 AND m.role IN ('owner', 'editor')"
	" AND o.kind IN ('business', 'producer') AND o.hidden_at IS NULL"
	" ORDER BY lower(o.name), o.id LIMIT 50" };

enum kq_err sponsors_my_businesses(struct db *db, const struct actor *who, struct arena *a,
				   struct org **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	if (!who || !who->account_id)
		return KQ_OK;
	struct org *v = arena_alloc(a, sizeof(*v) * 50);
	struct db_stmt *st = db_stmt(db, &SQL_MY_BUSINESSES);
	db_bind_i64(st, 1, who->account_id);
	int n = 0;
	enum db_status s = DB_NONE;
	while (n < 50 && (s = db_step(st)) == DB_ROW) {
		struct org *o = &v[n++];
		memset(o, 0, sizeof(*o));
		o->id = db_col_i64(st, 0);
		o->slug = db_col_str(st, 1, a);
		o->name = db_col_str(st, 2, a);
		o->kind = db_col_str(st, 3, a);
		o->website = db_col_str(st, 4, a);
		o->logo_sha256 = db_col_str(st, 5, a);
		o->summary = o->description = o->category = o->commune_insee = o->commune_name = "";
		o->address = o->email = o->phone = o->description_html = "";
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

/* ---- mails ------------------------------------------------------------------------------------- */

/* What an offer is, for its mails. */
struct offer_what {
	const char *kind;             /* money | in_kind */
	int64_t amount_cents;
	const char *goods;
	int64_t value_cents;
};

/* "250,00 €", or the goods with their estimated value, in lang. */
static const char *what_text(struct arena *a, const struct offer_what *w, const char *lang)
{
	if (strcmp(w->kind, "money") == 0)
		return tickets_money_format(a, w->amount_cents, "EUR", lang);
	if (w->value_cents > 0)
		return arena_printf(a, "%s (%s)", w->goods,
				    tickets_money_format(a, w->value_cents, "EUR", lang));
	return w->goods;
}

static const struct db_sql SQL_MAIL_ROLES = { "sponsors_mail_roles",
	"SELECT a.email, a.display_name, a.lang FROM org_members m JOIN accounts a ON a.id = m.account_id"
	" WHERE m.org_id = $1 AND m.role IN ($2, $3) ORDER BY a.id LIMIT 20" };

/* Queues mail `what` ("offered" | "accepted" | "declined") to the members of
 * org_id with role r1 or r2, in the caller's transaction. vars: as i18n_fill;
 * the values at name_slot and what_slot are set for each recipient (their
 * name, the offer in their language). */
static enum db_status mail_members(struct db *db, int64_t org_id, const char *r1, const char *r2,
				   const char *what, const char **vars, int name_slot,
				   const struct offer_what *w, int what_slot)
{
	struct arena *a = arena_new();
	struct db_stmt *st = db_stmt(db, &SQL_MAIL_ROLES);
	db_bind_i64(st, 1, org_id);
	db_bind_text(st, 2, r1);
	db_bind_text(st, 3, r2);
	struct { const char *to, *name, *lang; } v[20];
	int n = 0;
	enum db_status s;
	/* Read them all first: the outbox insert runs on the same connection. */
	while (n < 20 && (s = db_step(st)) == DB_ROW) {
		v[n].to = db_col_str(st, 0, a);
		v[n].name = db_col_str(st, 1, a);
		v[n].lang = i18n_lang_or_fr(db_col_text(st, 2));
		n++;
	}
	db_reset(st);
	if (s > 0)
		s = DB_NONE;
	for (int i = 0; s == DB_NONE && i < n; i++) {
		vars[name_slot] = v[i].name;
		vars[what_slot] = what_text(a, w, v[i].lang);
		const char *subject = i18n_fill(a, i18n_get(v[i].lang,
					arena_printf(a, "sponsors.mail.%s.subject", what)), vars);
		const char *body = i18n_fill(a, i18n_get(v[i].lang,
					arena_printf(a, "sponsors.mail.%s.body", what)), vars);
		s = notify_enqueue(db, v[i].to, subject, body, NULL);
		if (s > 0)
			s = DB_NONE;
	}
	arena_free(a);
	return s;
}

static const char *offers_link(struct arena *a, const char *org_slug)
{
	return arena_printf(a, "%s/organisations/%s/parrainages", core_settings()->base_url, org_slug);
}


/* ---- offering ---------------------------------------------------------------------------------- */

static bool link_ok(const char *s)
{
	size_t skip;
	if (strncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else
		return false;
	if (strlen(s) > SPONSORS_LINK_MAX || !s[skip] || s[skip] == '/' || s[skip] == '.')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
			return false;
	return true;
}

static const struct db_sql SQL_OPEN_EXISTS = { "sponsors_open_exists",
	"SELECT 1 FROM sponsorships WHERE sponsor_org_id = $1 AND target_kind = $2 AND target_id = $3"
	" AND status IN ('offered', 'accepted')" };
static const struct db_sql SQL_INSERT = { "sponsors_insert",
	"INSERT INTO sponsorships (sponsor_org_id, org_id, target_kind, target_id, kind, amount_cents,"
	" goods, goods_value_cents, message, link_url, status, created_by, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'offered', $11, $12, $12) RETURNING id" };

struct offer {
	const struct actor *who;
	const struct sponsorship_input *in;
	const struct org *sponsor;
	const struct sponsor_target *t;
	const char *goods, *message, *link;
	int64_t id;
	enum kq_err err;
};

static enum db_status offer_txn(struct db *db, void *cls)
{
	struct offer *o = cls;
	bool money = strcmp(o->in->kind, "money") == 0;
	struct db_stmt *st = db_stmt(db, &SQL_OPEN_EXISTS);
	db_bind_i64(st, 1, o->sponsor->id);
	db_bind_text(st, 2, o->t->kind);
	db_bind_i64(st, 3, o->t->id);
	enum db_status s = db_step(st);
	db_reset(st);
	if (s == DB_ROW) {
		o->err = KQ_ERR_SPONSORS_ALREADY_OFFERED;
		return DB_HARD;
	}
	if (s < 0)
		return s;
	st = db_stmt(db, &SQL_INSERT);
	db_bind_i64(st, 1, o->sponsor->id);
	db_bind_i64(st, 2, o->t->org_id);
	db_bind_text(st, 3, o->t->kind);
	db_bind_i64(st, 4, o->t->id);
	db_bind_text(st, 5, money ? "money" : "in_kind");
	db_bind_i64_or_null(st, 6, money ? o->in->amount_cents : 0);
	db_bind_text(st, 7, money ? "" : o->goods);
	db_bind_i64_or_null(st, 8, money ? 0 : o->in->goods_value_cents);
	db_bind_text(st, 9, o->message);
	db_bind_text(st, 10, o->link);
	db_bind_i64(st, 11, o->who->account_id);
	db_bind_i64(st, 12, time_now());
	s = db_step(st);
	if (s == DB_ROW)
		o->id = db_col_i64(st, 0);
	db_reset(st);
	if (s == DB_HARD && db_is_unique_violation(db)) {
		/* INVARIANT(one-open-offer): another request of this sponsor won the race. */
		o->err = KQ_ERR_SPONSORS_ALREADY_OFFERED;
		return DB_HARD;
	}
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	struct arena *a = arena_new();
	struct offer_what w = { money ? "money" : "in_kind", o->in->amount_cents, o->goods,
				o->in->goods_value_cents };
	const char *vars[] = { "name", "", "sponsor", o->sponsor->name, "org", o->t->org_name,
			       "target", o->t->title, "what", "",
			       "message", o->message, "link", offers_link(a, o->t->org_slug), NULL };
	s = mail_members(db, o->t->org_id, "owner", "treasurer", "offered", vars, 1, &w, 9);
	arena_free(a);
	return s;
}

enum kq_err sponsors_offer(struct db *db, const struct actor *who,
			   const struct sponsorship_input *in, struct arena *a,
			   struct field_errors *fe, int64_t *out_id)
{
	*out_id = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct sponsor_target t;
	enum kq_err e = sponsors_target_get(db, a, in->target_kind, in->target_slug, &t);
	if (e != KQ_OK)
		return e;
	if (!in->sponsor_org_id) {
		field_error_add(fe, "sponsor", "sponsors.field.sponsor_missing");
		return KQ_ERR_FORM_INVALID;
	}
	/* Rights first: a stranger learns nothing of the fields' rules. */
	e = orgs_authorize(db, who, in->sponsor_org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK)
		return e;
	struct org sponsor;
	e = orgs_get_by_id(db, a, in->sponsor_org_id, &sponsor);
	if (e != KQ_OK)
		return e;
	if (!t.is_open)
		return KQ_ERR_SPONSORS_TARGET_CLOSED;
	if (strcmp(sponsor.kind, "business") != 0 && strcmp(sponsor.kind, "producer") != 0)
		field_error_add(fe, "sponsor", "sponsors.field.sponsor_kind");
	bool money = str_eq(in->kind, "money"), goods = str_eq(in->kind, "in_kind");
	const char *g = str_trim(a, in->goods);
	if (!money && !goods)
		field_error_add(fe, "kind", "sponsors.field.kind_invalid");
	if (money && (in->amount_cents < SPONSORS_MIN_CENTS || in->amount_cents > SPONSORS_MAX_CENTS))
		field_error_add(fe, "amount", "sponsors.field.amount_range");
	if (goods && (!*g || !str_text_ok(g, SPONSORS_GOODS_MAX, false)))
		field_error_add(fe, "goods", "sponsors.field.goods_invalid");
	if (goods && (in->goods_value_cents < 0 || in->goods_value_cents > SPONSORS_MAX_CENTS))
		field_error_add(fe, "goods_value", "sponsors.field.goods_value_invalid");
	const char *msg = str_trim(a, in->message);
	if (!str_text_ok(msg, SPONSORS_MESSAGE_MAX, true))
		field_error_add(fe, "message", "sponsors.field.message_invalid");
	const char *link = str_trim(a, in->link_url);
	if (!*link)
		link = sponsor.website;
	else if (!link_ok(link))
		field_error_add(fe, "link", "sponsors.field.link_invalid");
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	struct offer o = { who, in, &sponsor, &t, g, msg, link, 0, KQ_OK };
	enum db_status s = db_txn_run(db, "sponsors_offer", DB_WRITE, offer_txn, &o);
	if (o.err != KQ_OK)
		return o.err;
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out_id = o.id;
	return KQ_OK;
}

/* ---- deciding ------------------------------------------------------------------------------------ */

/* INVARIANT(decide-once): only an offer still 'offered' changes. */
static const struct db_sql SQL_DECIDE = { "sponsors_decide",
	"UPDATE sponsorships SET status = $3, decision_note = $4, decided_by = $5, decided_at = $6,"
	" updated_at = $6 WHERE id = $1 AND org_id = $2 AND status = 'offered'"
	" RETURNING sponsor_org_id, target_kind, target_id, kind, COALESCE(amount_cents, 0), goods,"
	" COALESCE(goods_value_cents, 0)" };
static const struct db_sql SQL_WITHDRAW = { "sponsors_withdraw",
	"UPDATE sponsorships SET status = 'withdrawn', decided_by = $3, decided_at = $4, updated_at = $4"
	" WHERE id = $1 AND sponsor_org_id = $2 AND status = 'offered' RETURNING id" };
static const struct db_sql SQL_EXISTS_RECEIVED = { "sponsors_exists_received",
	"SELECT 1 FROM sponsorships WHERE id = $1 AND org_id = $2" };
static const struct db_sql SQL_EXISTS_MADE = { "sponsors_exists_made",
	"SELECT 1 FROM sponsorships WHERE id = $1 AND sponsor_org_id = $2" };
static const struct db_sql SQL_ORG_NAMES = { "sponsors_org_names",
	"SELECT s.name, o.name, o.slug FROM organisations s, organisations o WHERE s.id = $1 AND o.id = $2" };

struct decide {
	const struct actor *who;
	int64_t org_id, id;
	bool accept;
	const char *note;
	enum kq_err err;
};

/* The offer exists (received by, or made by, org_id) but is no longer
 * 'offered': SPONSORS_DECIDED; else NOT_FOUND. */
static enum db_status refused(struct db *db, const struct db_sql *q, int64_t id, int64_t org_id,
			      enum kq_err *err)
{
	struct db_stmt *st = db_stmt(db, q);
	db_bind_i64(st, 1, id);
	db_bind_i64(st, 2, org_id);
	enum db_status s = db_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	*err = s == DB_ROW ? KQ_ERR_SPONSORS_DECIDED : KQ_ERR_NOT_FOUND;
	return DB_HARD;
}

static enum db_status decide_txn(struct db *db, void *cls)
{
	struct decide *d = cls;
	struct arena *a = arena_new();
	int64_t now = time_now();
	struct db_stmt *st = db_stmt(db, &SQL_DECIDE);
	db_bind_i64(st, 1, d->id);
	db_bind_i64(st, 2, d->org_id);
	db_bind_text(st, 3, d->accept ? "accepted" : "declined");
	db_bind_text(st, 4, d->note);
	db_bind_i64(st, 5, d->who->account_id);
	db_bind_i64(st, 6, now);
	enum db_status s = db_step(st);
	int64_t sponsor = 0, target_id = 0, amount = 0, value = 0;
	const char *target_kind = "", *kind = "", *goods = "";
	if (s == DB_ROW) {
		sponsor = db_col_i64(st, 0);
		target_kind = db_col_str(st, 1, a);
		target_id = db_col_i64(st, 2);
		kind = db_col_str(st, 3, a);
		amount = db_col_i64(st, 4);
		goods = db_col_str(st, 5, a);
		value = db_col_i64(st, 6);
	}
	db_reset(st);
	if (s == DB_NONE)
		s = refused(db, &SQL_EXISTS_RECEIVED, d->id, d->org_id, &d->err);
	if (s != DB_ROW) {
		arena_free(a);
		return s;
	}
	struct sponsor_target t;
	enum kq_err e = target_load(db, a, target_kind, NULL, target_id, &t);
	st = db_stmt(db, &SQL_ORG_NAMES);
	db_bind_i64(st, 1, sponsor);
	db_bind_i64(st, 2, d->org_id);
	s = db_step(st);
	const char *sponsor_name = s == DB_ROW ? db_col_str(st, 0, a) : "";
	const char *org_name = s == DB_ROW ? db_col_str(st, 1, a) : "";
	db_reset(st);
	if (s < 0 || e == KQ_ERR_INTERNAL) {
		arena_free(a);
		return s < 0 ? s : DB_HARD;
	}
	const char *sponsor_slug = "";
	struct org so;
	if (orgs_get_by_id(db, a, sponsor, &so) == KQ_OK)
		sponsor_slug = so.slug;
	const char *vars[] = { "name", "", "sponsor", sponsor_name, "org", org_name,
			       "target", e == KQ_OK ? t.title : "",
			       "what", "", "note", d->note, "link", offers_link(a, sponsor_slug), NULL };
	struct offer_what w = { kind, amount, goods, value };
	s = mail_members(db, sponsor, "owner", "editor", d->accept ? "accepted" : "declined", vars, 1,
			 &w, 9);
	arena_free(a);
	return s;
}

enum kq_err sponsors_decide(struct db *db, const struct actor *who, int64_t org_id, int64_t id,
			    bool accept, const char *note, struct field_errors *fe)
{
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_MONEY);
	if (e != KQ_OK)
		return e;
	struct arena *a = arena_new();
	const char *n = str_trim(a, note);
	if (!str_text_ok(n, SPONSORS_NOTE_MAX, true)) {
		field_error_add(fe, "note", "sponsors.field.note_invalid");
		arena_free(a);
		return KQ_ERR_FORM_INVALID;
	}
	struct decide d = { who, org_id, id, accept, n, KQ_OK };
	enum db_status s = db_txn_run(db, "sponsors_decide", DB_WRITE, decide_txn, &d);
	arena_free(a);
	if (d.err != KQ_OK)
		return d.err;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

static enum db_status withdraw_txn(struct db *db, void *cls)
{
	struct decide *d = cls;
	struct db_stmt *st = db_stmt(db, &SQL_WITHDRAW);
	db_bind_i64(st, 1, d->id);
	db_bind_i64(st, 2, d->org_id);
	db_bind_i64(st, 3, d->who->account_id);
	db_bind_i64(st, 4, time_now());
	enum db_status s = db_step(st);
	db_reset(st);
	if (s == DB_NONE)
		return refused(db, &SQL_EXISTS_MADE, d->id, d->org_id, &d->err);
	return s;
}

enum kq_err sponsors_withdraw(struct db *db, const struct actor *who, int64_t sponsor_org_id,
			      int64_t id)
{
	enum kq_err e = orgs_authorize(db, who, sponsor_org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK)
		return e;
	struct decide d = { who, sponsor_org_id, id, false, "", KQ_OK };
	enum db_status s = db_txn_run(db, "sponsors_withdraw", DB_WRITE, withdraw_txn, &d);
	if (d.err != KQ_OK)
		return d.err;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

/* ---- lists --------------------------------------------------------------------------------------- */

#define SPONSOR_COLS                                                                              \
	"SELECT s.id, s.sponsor_org_id, so.slug, so.name, COALESCE(u.sha256, ''), s.org_id, o.slug,"  \
	" o.name, s.target_kind, s.target_id, COALESCE(e.slug, c.slug, ''),"                         \
	" COALESCE(e.title, c.title, ''), s.kind, COALESCE(s.amount_cents, 0), s.currency, s.goods," \
	" COALESCE(s.goods_value_cents, 0), s.message, s.link_url, s.status, s.decision_note,"       \
	" COALESCE(ac.display_name, ''), s.created_at, COALESCE(s.decided_at, 0)"                   \
	" FROM sponsorships s JOIN organisations so ON so.id = s.sponsor_org_id"                     \
	" JOIN organisations o ON o.id = s.org_id"                                                   \
	" LEFT JOIN uploads u ON u.id = so.logo_upload_id"                                           \
	" LEFT JOIN events e ON s.target_kind = 'event' AND e.id = s.target_id"                      \
	" LEFT JOIN campaigns c ON s.target_kind = 'campaign' AND c.id = s.target_id"                \
	" LEFT JOIN accounts ac ON ac.id = s.created_by"

static const struct db_sql SQL_OF_TARGET = { "sponsors_of_target",
	SPONSOR_COLS " WHERE s.target_kind = $1 AND s.target_id = $2 AND s.status = 'accepted'"
	" AND so.hidden_at IS NULL ORDER BY s.decided_at, s.id LIMIT $3" };
static const struct db_sql SQL_RECEIVED = { "sponsors_received",
	SPONSOR_COLS " WHERE s.org_id = $1"
	" ORDER BY CASE WHEN s.status = 'offered' THEN 0 ELSE 1 END, s.created_at DESC, s.id DESC"
	" LIMIT $2" };
static const struct db_sql SQL_MADE = { "sponsors_made",
	SPONSOR_COLS " WHERE s.sponsor_org_id = $1 ORDER BY s.created_at DESC, s.id DESC LIMIT $2" };

static enum kq_err read_list(struct db_stmt *st, struct arena *a, struct sponsorship **out,
			     int *out_n)
{
	struct sponsorship *v = arena_alloc(a, sizeof(*v) * SPONSORS_LIST_MAX);
	int n = 0;
	enum db_status s = DB_NONE;
	while (n < SPONSORS_LIST_MAX && (s = db_step(st)) == DB_ROW) {
		struct sponsorship *x = &v[n++];
		x->id = db_col_i64(st, 0);
		x->sponsor_org_id = db_col_i64(st, 1);
		x->sponsor_slug = db_col_str(st, 2, a);
		x->sponsor_name = db_col_str(st, 3, a);
		x->sponsor_logo_sha256 = db_col_str(st, 4, a);
		x->org_id = db_col_i64(st, 5);
		x->org_slug = db_col_str(st, 6, a);
		x->org_name = db_col_str(st, 7, a);
		x->target_kind = db_col_str(st, 8, a);
		x->target_id = db_col_i64(st, 9);
		x->target_slug = db_col_str(st, 10, a);
		x->target_title = db_col_str(st, 11, a);
		x->kind = db_col_str(st, 12, a);
		x->amount_cents = db_col_i64(st, 13);
		x->currency = db_col_str(st, 14, a);
		x->goods = db_col_str(st, 15, a);
		x->goods_value_cents = db_col_i64(st, 16);
		x->message = db_col_str(st, 17, a);
		x->link_url = db_col_str(st, 18, a);
		x->status = db_col_str(st, 19, a);
		x->decision_note = db_col_str(st, 20, a);
		x->created_by_name = db_col_str(st, 21, a);
		x->created_at = db_col_i64(st, 22);
		x->decided_at = db_col_i64(st, 23);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

enum kq_err sponsors_of_target(struct db *db, struct arena *a, const char *target_kind,
			       int64_t target_id, struct sponsorship **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	if (!target_kind_ok(target_kind))
		return KQ_OK;
	struct db_stmt *st = db_stmt(db, &SQL_OF_TARGET);
	db_bind_text(st, 1, target_kind);
	db_bind_i64(st, 2, target_id);
	db_bind_i64(st, 3, SPONSORS_LIST_MAX);
	return read_list(st, a, out, out_n);
}

static enum kq_err org_list(struct db *db, const struct actor *who, int64_t org_id,
			    const struct db_sql *q, struct arena *a, struct sponsorship **out,
			    int *out_n)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_VIEW_MEMBERS);
	if (e != KQ_OK)
		return e;
	struct db_stmt *st = db_stmt(db, q);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, SPONSORS_LIST_MAX);
	return read_list(st, a, out, out_n);
}

enum kq_err sponsors_received(struct db *db, const struct actor *who, int64_t org_id,
			      struct arena *a, struct sponsorship **out, int *out_n)
{
	return org_list(db, who, org_id, &SQL_RECEIVED, a, out, out_n);
}

enum kq_err sponsors_made(struct db *db, const struct actor *who, int64_t org_id,
			  struct arena *a, struct sponsorship **out, int *out_n)
{
	return org_list(db, who, org_id, &SQL_MADE, a, out, out_n);
}

/* ---- the demo ------------------------------------------------------------------------------------ */

static const struct db_sql SQL_DEMO_ORG = { "sponsors_demo_org",
	"SELECT id, website FROM organisations WHERE slug = $1" };
static const struct db_sql SQL_DEMO_CAMPAIGN = { "sponsors_demo_campaign",
	"SELECT id, org_id FROM campaigns WHERE slug = $1" };
static const struct db_sql SQL_DEMO_EVENT = { "sponsors_demo_event",
	"SELECT e.id, e.org_id FROM events e JOIN organisations o ON o.id = e.org_id"
	" WHERE o.slug = $1 AND e.status = 'published' ORDER BY e.id LIMIT 1" };
static const struct db_sql SQL_DEMO_INSERT = { "sponsors_demo_insert",
	"INSERT INTO sponsorships (sponsor_org_id, org_id, target_kind, target_id, kind, amount_cents,"
	" goods, goods_value_cents, message, link_url, status, decision_note, created_at, updated_at,"
	" decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'accepted', $11, $12, $12, $12)"
	" ON CONFLICT DO NOTHING" };

static enum db_status demo_pair(struct db *db, const struct db_sql *q, const char *slug,
				int64_t *out_a, int64_t *out_b, char *text, size_t text_len)
{
	*out_a = *out_b = 0;
	struct db_stmt *st = db_stmt(db, q);
	db_bind_text(st, 1, slug);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		*out_a = db_col_i64(st, 0);
		if (text)
			snprintf(text, text_len, "%s", db_col_text(st, 1) ? db_col_text(st, 1) : "");
		else
			*out_b = db_col_i64(st, 1);
	}
	db_reset(st);
	return s;
}

struct demo_offer {
	const char *sponsor, *target_kind, *target, *kind;
	int64_t amount;
	const char *goods;
	int64_t value;
	const char *message, *note;
};

static const struct demo_offer demo_offers[] = {
	{ "la-page-buissonniere", "campaign", "restaurer-le-lavoir", "money", 30000, "", 0,
	  "Nous tenons à ce que le lavoir reste le cœur du village : voici notre part pour la charpente.",
	  "Merci à toute l'équipe de la librairie !" },
	{ "auberge-du-pont-vieux", "event", "comite-des-fetes-vesqueval", "in_kind", 0,
	  "Le repas des bénévoles (40 couverts)", 48000,
	  "L'auberge régale les bénévoles le soir de la fête.", "Avec plaisir, merci !" },
};

enum kq_err sponsors_load_demo(struct db *db)
{
	int64_t now = time_now();
	for (size_t i = 0; i < sizeof(demo_offers) / sizeof(demo_offers[0]); i++) {
		const struct demo_offer *d = &demo_offers[i];
		int64_t sponsor = 0, unused = 0, target = 0, org = 0;
		char website[ORGS_WEBSITE_MAX + 1] = "";
		enum db_status s = demo_pair(db, &SQL_DEMO_ORG, d->sponsor, &sponsor, &unused, website,
					     sizeof(website));
		if (s == DB_ROW)
			s = demo_pair(db, strcmp(d->target_kind, "event") == 0 ? &SQL_DEMO_EVENT
										: &SQL_DEMO_CAMPAIGN,
				      d->target, &target, &org, NULL, 0);
		if (s < 0)
			return KQ_ERR_INTERNAL;
		if (s != DB_ROW)
			continue;   /* a demo without that organisation or target */
		struct db_stmt *st = db_stmt(db, &SQL_DEMO_INSERT);
		db_bind_i64(st, 1, sponsor);
		db_bind_i64(st, 2, org);
		db_bind_text(st, 3, d->target_kind);
		db_bind_i64(st, 4, target);
		db_bind_text(st, 5, d->kind);
		db_bind_i64_or_null(st, 6, d->amount);
		db_bind_text(st, 7, d->goods);
		db_bind_i64_or_null(st, 8, d->value);
		db_bind_text(st, 9, d->message);
		db_bind_text(st, 10, website);
		db_bind_text(st, 11, d->note);
		db_bind_i64(st, 12, now);
		if (db_run(st) < 0)
			return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}
