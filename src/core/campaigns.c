/* campaigns.c: crowdfunding campaigns: the organiser's edits, contributions, their capture, expiry and settlement
 *
 * See campaigns.h for the three steps of a contribution and for what the
 * settlement does. As in orders.c and donations.c: every state change is an
 * UPDATE conditional on the current state (that is what makes a replay, a
 * second job pass or a concurrent process harmless); no provider is called
 * inside a transaction; the money path steps through faults_step/faults_run. */
#include "campaigns.h"
#include "donations.h"
#include "events.h"
#include "faults.h"
#include "markdown.h"
#include "notify.h"
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
#include <time.h>

/* Online providers only: a failed campaign refunds without a treasurer. */
static const char *const campaign_providers[] = { "demo", "stripe", NULL };

void campaigns_providers(const char **out)
{
	int n = 0;
	for (int i = 0; campaign_providers[i]; i++)
		if (payments_provider_enabled(campaign_providers[i]))
			out[n++] = campaign_providers[i];
	out[n] = NULL;
}

static bool provider_ok(const char *name)
{
	const char *v[4];
	campaigns_providers(v);
	for (int i = 0; name && v[i]; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}

bool campaigns_parse_amount(const char *s, int64_t *out)
{
	return donations_parse_amount(s, out);
}

bool campaigns_parse_date(const char *s, bool end_of_day, int64_t *out)
{
	*out = 0;
	int y, m, d;
	char tail;
	if (!s || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 2000 || y > 2100 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	/* mktime in the territory's zone (time_init); tm_isdst -1 lets it find
	 * summer time; day 32 rolls into the next month as it should. */
	struct tm tm = { 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d + (end_of_day ? 1 : 0);
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return false;
	*out = (int64_t)t;
	return true;
}

static const char *contribution_link(struct arena *a, const char *secret)
{
	return arena_printf(a, "%s/contributions/%s", core_settings()->base_url, secret);
}

/* ---- reading a campaign ------------------------------------------------------------------- */

#define CAMPAIGN_COLS                                                                           \
	"SELECT c.id, c.org_id, o.slug, o.name, COALESCE(cm.name, ''), c.slug, c.title, c.summary,"  \
	" c.story, c.story_html, c.category, c.goal_cents, c.currency, c.starts_at, c.ends_at,"     \
	" COALESCE(c.settled_at, 0), c.created_at, c.model, c.status,"                              \
	" (SELECT COALESCE(SUM(k.amount_cents), 0) FROM contributions k"                            \
	"   WHERE k.campaign_id = c.id AND k.status = 'paid') AS raised,"                          \
	" (SELECT COUNT(*) FROM contributions k WHERE k.campaign_id = c.id AND k.status = 'paid'),"\
	" COALESCE(im.sha256, ''), COALESCE(c.image_upload_id, 0)"                                  \
	" FROM campaigns c JOIN organisations o ON o.id = c.org_id"                                 \
	" LEFT JOIN communes cm ON cm.id = o.commune_id"                                            \
	" LEFT JOIN uploads im ON im.id = c.image_upload_id"
static const struct db_sql SQL_GET_SLUG = { "campaigns_get_slug", CAMPAIGN_COLS " WHERE c.slug = $1" };
static const struct db_sql SQL_GET_ID = { "campaigns_get_id", CAMPAIGN_COLS " WHERE c.id = $1" };
#define LIST_WHERE                                                                              \
	" WHERE c.status = 'live' AND c.starts_at <= $1 AND c.ends_at > $1"                         \
	" AND (CAST($2 AS BIGINT) = 0 OR o.commune_id = CAST($2 AS BIGINT))"                        \
	" AND (CAST($3 AS TEXT) = '' OR c.category = CAST($3 AS TEXT))"
static const struct db_sql SQL_LIST_ENDING = { "campaigns_list_ending",
	CAMPAIGN_COLS LIST_WHERE " ORDER BY c.ends_at, c.id LIMIT $4" };
static const struct db_sql SQL_LIST_NEWEST = { "campaigns_list_newest",
	CAMPAIGN_COLS LIST_WHERE " ORDER BY c.starts_at DESC, c.id DESC LIMIT $4" };
static const struct db_sql SQL_LIST_FUNDED = { "campaigns_list_funded",
	CAMPAIGN_COLS LIST_WHERE " ORDER BY raised DESC, c.id LIMIT $4" };
static const struct db_sql SQL_OF_ORG = { "campaigns_of_org",
	CAMPAIGN_COLS " WHERE c.org_id = $1 ORDER BY c.id DESC LIMIT 100" };

static void read_campaign(struct db_stmt *st, struct arena *a, struct campaign *c)
{
	memset(c, 0, sizeof(*c));
	c->id = db_col_i64(st, 0);
	c->org_id = db_col_i64(st, 1);
	c->org_slug = db_col_str(st, 2, a);
	c->org_name = db_col_str(st, 3, a);
	c->commune_name = db_col_str(st, 4, a);
	c->slug = db_col_str(st, 5, a);
	c->title = db_col_str(st, 6, a);
	c->summary = db_col_str(st, 7, a);
	c->story = db_col_str(st, 8, a);
	c->story_html = db_col_str(st, 9, a);
	c->category = db_col_str(st, 10, a);
	c->goal_cents = db_col_i64(st, 11);
	c->currency = db_col_str(st, 12, a);
	c->starts_at = db_col_i64(st, 13);
	c->ends_at = db_col_i64(st, 14);
	c->settled_at = db_col_i64(st, 15);
	c->created_at = db_col_i64(st, 16);
	c->model = db_col_str(st, 17, a);
	c->status = db_col_str(st, 18, a);
	c->raised_cents = db_col_i64(st, 19);
	c->backers = db_col_i64(st, 20);
	c->image_sha256 = db_col_str(st, 21, a);
	c->percent = c->goal_cents > 0 ? (int)(c->raised_cents * 100 / c->goal_cents) : 0;
	int64_t now = time_now();
	c->days_left = c->ends_at > now ? (int)((c->ends_at - now + 86399) / 86400) : 0;
	c->is_open = strcmp(c->status, "live") == 0 && c->starts_at <= now && now < c->ends_at;
}

static enum kq_err get_one(struct db *db, struct arena *a, const char *slug, int64_t id,
			   struct campaign *out)
{
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, slug ? &SQL_GET_SLUG : &SQL_GET_ID);
	if (slug)
		db_bind_text(st, 1, slug);
	else
		db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_campaign(st, a, out);
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

static _Atomic uint64_t generation;

uint64_t campaigns_generation(void)
{
	return generation;
}

void campaigns_changed(void)
{
	generation++;
}

enum kq_err campaigns_get(struct db *db, const struct actor *who, struct arena *a, const char *slug,
			  struct campaign *out)
{
	if (!str_slug_valid(slug))
		return KQ_ERR_NOT_FOUND;
	enum kq_err e = get_one(db, a, slug, 0, out);
	if (e != KQ_OK)
		return e;
	out->can_edit = who && who->account_id &&
			orgs_authorize(db, who, out->org_id, ORG_ACT_PUBLISH) == KQ_OK;
	if (strcmp(out->status, "draft") == 0 && !out->can_edit)
		return KQ_ERR_NOT_FOUND;
	return KQ_OK;
}

static const struct db_sql SQL_IMAGE_ID = { "campaigns_image_id",
	"SELECT COALESCE(image_upload_id, 0) FROM campaigns WHERE id = $1" };

enum kq_err campaigns_image_get(struct db *db, const struct actor *who, struct arena *a,
				const char *slug, struct upload *out)
{
	struct campaign c;
	enum kq_err e = campaigns_get(db, who, a, slug, &c);
	if (e != KQ_OK)
		return e;
	struct db_stmt *st = db_stmt(db, &SQL_IMAGE_ID);
	db_bind_i64(st, 1, c.id);
	enum db_status s = db_step(st);
	int64_t id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (!id)
		return KQ_ERR_NOT_FOUND;
	return uploads_get(db, a, id, out);
}

enum kq_err campaigns_get_by_id(struct db *db, struct arena *a, int64_t id, struct campaign *out)
{
	return get_one(db, a, NULL, id, out);
}

static enum kq_err read_list(struct db_stmt *st, struct arena *a, int max, struct campaign **out,
			     int *out_n)
{
	struct campaign *v = arena_alloc(a, sizeof(*v) * (size_t)max);
	int n = 0;
	enum db_status s = DB_NONE;
	while (n < max && (s = db_step(st)) == DB_ROW)
		read_campaign(st, a, &v[n++]);
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

enum kq_err campaigns_list(struct db *db, struct arena *a, const struct campaigns_filter *f,
			   struct campaign **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	int limit = f->limit < 1 ? 1 : f->limit > 100 ? 100 : f->limit;
	const struct db_sql *sql = f->sort == CAMPAIGNS_NEWEST ? &SQL_LIST_NEWEST
				   : f->sort == CAMPAIGNS_MOST_FUNDED ? &SQL_LIST_FUNDED : &SQL_LIST_ENDING;
	struct db_stmt *st = db_stmt(db, sql);
	db_bind_i64(st, 1, time_now());
	db_bind_i64(st, 2, f->commune_id);
	db_bind_text(st, 3, f->category ? f->category : "");
	db_bind_i64(st, 4, limit);
	return read_list(st, a, limit, out, out_n);
}

enum kq_err campaigns_of_org(struct db *db, const struct actor *who, int64_t org_id,
			     struct arena *a, struct campaign **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK)
		return e;
	struct db_stmt *st = db_stmt(db, &SQL_OF_ORG);
	db_bind_i64(st, 1, org_id);
	return read_list(st, a, 100, out, out_n);
}

static const struct db_sql SQL_TIERS = { "campaigns_tiers",
	"SELECT id, campaign_id, amount_cents, title, description, delivery, COALESCE(quantity, 0),"
	" taken FROM campaign_tiers WHERE campaign_id = $1 ORDER BY amount_cents, id" };

enum kq_err campaigns_tiers(struct db *db, struct arena *a, int64_t campaign_id,
			    struct campaign_tier **out, int *out_n)
{
	struct campaign_tier *v = arena_alloc(a, sizeof(*v) * CAMPAIGNS_TIERS_MAX);
	struct db_stmt *st = db_stmt(db, &SQL_TIERS);
	db_bind_i64(st, 1, campaign_id);
	int n = 0;
	enum db_status s = DB_NONE;
	while (n < CAMPAIGNS_TIERS_MAX && (s = db_step(st)) == DB_ROW) {
		struct campaign_tier *t = &v[n++];
		t->id = db_col_i64(st, 0);
		t->campaign_id = db_col_i64(st, 1);
		t->amount_cents = db_col_i64(st, 2);
		t->title = db_col_str(st, 3, a);
		t->description = db_col_str(st, 4, a);
		t->delivery = db_col_str(st, 5, a);
		t->quantity = db_col_i64(st, 6);
		t->taken = db_col_i64(st, 7);
		t->remaining = t->quantity ? t->quantity - t->taken : -1;
	}
	db_reset(st);
	*out = v;
	*out_n = n;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

static const struct db_sql SQL_BACKERS = { "campaigns_backers",
	"SELECT backer_name, is_public, amount_cents, message, COALESCE(paid_at, 0)"
	" FROM contributions WHERE campaign_id = $1 AND status = 'paid'"
	" ORDER BY paid_at DESC, id DESC LIMIT $2" };

enum kq_err campaigns_backers(struct db *db, struct arena *a, int64_t campaign_id,
			      struct campaign_backer **out, int *out_n)
{
	struct campaign_backer *v = arena_alloc(a, sizeof(*v) * CAMPAIGNS_BACKERS_MAX);
	struct db_stmt *st = db_stmt(db, &SQL_BACKERS);
	db_bind_i64(st, 1, campaign_id);
	db_bind_i64(st, 2, CAMPAIGNS_BACKERS_MAX);
	int n = 0;
	enum db_status s = DB_NONE;
	while (n < CAMPAIGNS_BACKERS_MAX && (s = db_step(st)) == DB_ROW) {
		struct campaign_backer *b = &v[n++];
		b->is_public = db_col_bool(st, 1);
		/* An anonymous backer's name and message never leave this function. */
		b->name = b->is_public ? db_col_str(st, 0, a) : "";
		b->amount_cents = db_col_i64(st, 2);
		b->message = b->is_public ? db_col_str(st, 3, a) : "";
		b->paid_at = db_col_i64(st, 4);
	}
	db_reset(st);
	*out = v;
	*out_n = n;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

static const struct db_sql SQL_BACKINGS = { "campaigns_backings",
	"SELECT k.id, k.amount_cents, COALESCE(k.paid_at, 0), k.backer_name, k.backer_email, k.message,"
	" k.status, COALESCE(t.title, ''), COALESCE(t.delivery, ''), k.is_public"
	" FROM contributions k LEFT JOIN campaign_tiers t ON t.id = k.tier_id"
	" WHERE k.campaign_id = $1 AND k.status IN ('paid', 'refunded')"
	" ORDER BY CASE WHEN k.tier_id IS NULL THEN 1 ELSE 0 END, t.amount_cents, k.id DESC LIMIT $2" };

enum kq_err campaigns_backings(struct db *db, const struct actor *who, int64_t campaign_id,
			       struct arena *a, struct campaign_backing **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	struct campaign c;
	enum kq_err e = get_one(db, a, NULL, campaign_id, &c);
	if (e == KQ_OK)
		e = orgs_authorize(db, who, c.org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK)
		return e;
	struct campaign_backing *v = arena_alloc(a, sizeof(*v) * CAMPAIGNS_BACKINGS_MAX);
	struct db_stmt *st = db_stmt(db, &SQL_BACKINGS);
	db_bind_i64(st, 1, campaign_id);
	db_bind_i64(st, 2, CAMPAIGNS_BACKINGS_MAX);
	int n = 0;
	enum db_status s = DB_NONE;
	while (n < CAMPAIGNS_BACKINGS_MAX && (s = db_step(st)) == DB_ROW) {
		struct campaign_backing *k = &v[n++];
		k->id = db_col_i64(st, 0);
		k->amount_cents = db_col_i64(st, 1);
		k->paid_at = db_col_i64(st, 2);
		k->backer_name = db_col_str(st, 3, a);
		k->backer_email = db_col_str(st, 4, a);
		k->message = db_col_str(st, 5, a);
		k->status = db_col_str(st, 6, a);
		k->tier_title = db_col_str(st, 7, a);
		k->delivery = db_col_str(st, 8, a);
		k->is_public = db_col_bool(st, 9);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	*out = v;
	*out_n = n;
	return KQ_OK;
}

static const struct db_sql SQL_UPDATES = { "campaigns_updates",
	"SELECT id, title, body_html, created_at FROM campaign_updates WHERE campaign_id = $1"
	" ORDER BY created_at DESC, id DESC LIMIT $2" };

enum kq_err campaigns_updates(struct db *db, struct arena *a, int64_t campaign_id,
			      struct campaign_update **out, int *out_n)
{
	struct campaign_update *v = arena_alloc(a, sizeof(*v) * CAMPAIGNS_UPDATES_MAX);
	struct db_stmt *st = db_stmt(db, &SQL_UPDATES);
	db_bind_i64(st, 1, campaign_id);
	db_bind_i64(st, 2, CAMPAIGNS_UPDATES_MAX);
	int n = 0;
	enum db_status s = DB_NONE;
	while (n < CAMPAIGNS_UPDATES_MAX && (s = db_step(st)) == DB_ROW) {
		v[n].id = db_col_i64(st, 0);
		v[n].title = db_col_str(st, 1, a);
		v[n].body_html = db_col_str(st, 2, a);
		v[n].created_at = db_col_i64(st, 3);
		n++;
	}
	db_reset(st);
	*out = v;
	*out_n = n;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

/* ---- the organiser's edits -------------------------------------------------------------- */

static const struct db_sql SQL_SLUG_USED = { "campaigns_slug_used",
	"SELECT 1 FROM campaigns WHERE slug = $1" };
static const struct db_sql SQL_INSERT = { "campaigns_insert",
	"INSERT INTO campaigns (org_id, slug, title, summary, story, story_html, category, goal_cents,"
	" currency, starts_at, ends_at, model, status, created_by, created_at, updated_at,"
	" image_upload_id)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'EUR', $9, $10, $11, $12, $13, $14, $14, $15)"
	" RETURNING id" };
/* A new picture replaces the old one, which is deleted in the same transaction. */
static const struct db_sql SQL_IMAGE_SET = { "campaigns_image_set",
	"UPDATE campaigns SET image_upload_id = $2 WHERE id = $1" };
/* Goal, model and dates are the terms backers gave on: fixed once live. */
static const struct db_sql SQL_UPDATE = { "campaigns_update",
	"UPDATE campaigns SET title = $2, summary = $3, story = $4, story_html = $5, category = $6,"
	" goal_cents = CASE WHEN status = 'draft' THEN $7 ELSE goal_cents END,"
	" starts_at = CASE WHEN status = 'draft' THEN $8 ELSE starts_at END,"
	" ends_at = CASE WHEN status = 'draft' THEN $9 ELSE ends_at END,"
	" model = CASE WHEN status = 'draft' THEN $10 ELSE model END,"
	" status = CASE WHEN status = 'draft' AND CAST($11 AS BIGINT) = 1 THEN 'live' ELSE status END,"
	" updated_at = $12 WHERE id = $1 AND status IN ('draft', 'live') RETURNING id" };

struct edit {
	const struct actor *who;
	int64_t org_id, campaign_id;
	const struct campaign_input *in;
	const char *image_type;       /* sniffed, when in->image */
	const char *title, *summary, *story, *story_html, *category;
	struct arena *a;
	const char *slug;
	enum kq_err err;
};

static enum db_status free_slug(struct db *db, struct arena *a, const char *title, const char **out)
{
	char *stem = str_slugify(a, title);
	size_t n = strlen(stem);
	if (n > 50)
		n = 50;
	while (n > 0 && stem[n - 1] == '-')
		n--;
	stem[n] = 0;
	if (n < 2)
		stem = arena_strdup(a, "campagne");
	for (int i = 1; i < 100; i++) {
		const char *cand = i == 1 ? stem : arena_printf(a, "%s-%d", stem, i);
		struct db_stmt *st = db_stmt(db, &SQL_SLUG_USED);
		db_bind_text(st, 1, cand);
		enum db_status s = db_step(st);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE) {
			*out = cand;
			return DB_NONE;
		}
	}
	*out = arena_printf(a, "%s-%lld", stem, (long long)time_now());
	return DB_NONE;
}

static enum db_status create_txn(struct db *db, void *cls)
{
	struct edit *x = cls;
	const struct campaign_input *in = x->in;
	enum db_status s = free_slug(db, x->a, x->title, &x->slug);
	if (s < 0)
		return s;
	int64_t now = time_now();
	int64_t image_id = 0;
	if (in->image && (s = uploads_insert(db, in->image, in->image_len, x->image_type,
					     x->who->account_id, &image_id)) < 0)
		return s;
	struct db_stmt *st = db_stmt(db, &SQL_INSERT);
	db_bind_i64(st, 1, x->org_id);
	db_bind_text(st, 2, x->slug);
	db_bind_text(st, 3, x->title);
	db_bind_text(st, 4, x->summary);
	db_bind_text(st, 5, x->story);
	db_bind_text(st, 6, x->story_html);
	db_bind_text(st, 7, x->category);
	db_bind_i64(st, 8, in->goal_cents);
	db_bind_i64(st, 9, in->starts_at);
	db_bind_i64(st, 10, in->ends_at);
	db_bind_text(st, 11, in->model);
	db_bind_text(st, 12, in->publish ? "live" : "draft");
	db_bind_i64_or_null(st, 13, x->who->account_id);
	db_bind_i64(st, 14, now);
	db_bind_i64_or_null(st, 15, image_id);
	s = db_step(st);
	x->campaign_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	/* Someone took the slug between our look and our insert: run again. */
	if (s == DB_HARD && db_is_unique_violation(db))
		return DB_SOFT;
	return s == DB_ROW ? DB_NONE : s < 0 ? s : DB_HARD;
}

static enum db_status update_txn(struct db *db, void *cls)
{
	struct edit *x = cls;
	const struct campaign_input *in = x->in;
	struct db_stmt *st = db_stmt(db, &SQL_UPDATE);
	db_bind_i64(st, 1, x->campaign_id);
	db_bind_text(st, 2, x->title);
	db_bind_text(st, 3, x->summary);
	db_bind_text(st, 4, x->story);
	db_bind_text(st, 5, x->story_html);
	db_bind_text(st, 6, x->category);
	db_bind_i64(st, 7, in->goal_cents);
	db_bind_i64(st, 8, in->starts_at);
	db_bind_i64(st, 9, in->ends_at);
	db_bind_text(st, 10, in->model);
	db_bind_i64(st, 11, in->publish ? 1 : 0);
	db_bind_i64(st, 12, time_now());
	enum db_status s = db_step(st);
	db_reset(st);
	if (s == DB_NONE) {
		x->err = KQ_ERR_CAMPAIGNS_NOT_EDITABLE;
		return DB_HARD;
	}
	if (s < 0 || !in->image)
		return s < 0 ? s : DB_NONE;
	st = db_stmt(db, &SQL_IMAGE_ID);
	db_bind_i64(st, 1, x->campaign_id);
	s = db_step(st);
	int64_t old_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return s;
	int64_t image_id = 0;
	if ((s = uploads_insert(db, in->image, in->image_len, x->image_type, x->who->account_id,
				&image_id)) < 0)
		return s;
	st = db_stmt(db, &SQL_IMAGE_SET);
	db_bind_i64(st, 1, x->campaign_id);
	db_bind_i64(st, 2, image_id);
	if ((s = db_run(st)) < 0)
		return s;
	return old_id ? uploads_delete(db, old_id) : DB_NONE;
}

/* Field checks shared by create and update; the clean values go into x. */
static void check_input(struct edit *x, bool terms, struct field_errors *fe)
{
	const struct campaign_input *in = x->in;
	if (str_empty(in->title) || !str_text_ok(in->title, CAMPAIGNS_TITLE_MAX, false))
		field_error_add(fe, "title", "campaigns.field.title");
	if (!str_text_ok(in->summary ? in->summary : "", CAMPAIGNS_SUMMARY_MAX, false))
		field_error_add(fe, "summary", "campaigns.field.summary");
	if (!str_text_ok(in->story ? in->story : "", CAMPAIGNS_STORY_MAX, true))
		field_error_add(fe, "story", "campaigns.field.story");
	if (!str_empty(in->category) && !events_category_valid(in->category))
		field_error_add(fe, "category", "campaigns.field.category");
	if (in->image) {
		enum kq_err e = uploads_check_image(in->image, in->image_len, &x->image_type);
		if (e != KQ_OK)
			field_error_add(fe, "image", err_msg_key(e));
	}
	if (terms) {
		if (in->goal_cents < CAMPAIGNS_MIN_CENTS || in->goal_cents > CAMPAIGNS_GOAL_MAX_CENTS)
			field_error_add(fe, "goal", "campaigns.field.goal");
		if (!in->model || (strcmp(in->model, "all_or_nothing") != 0 &&
				   strcmp(in->model, "keep_it") != 0))
			field_error_add(fe, "model", "campaigns.field.model");
		if (in->starts_at <= 0)
			field_error_add(fe, "starts_at", "campaigns.field.date");
		if (in->ends_at <= in->starts_at || in->ends_at <= time_now())
			field_error_add(fe, "ends_at", "campaigns.field.ends_at");
		else if (in->ends_at - in->starts_at > (int64_t)CAMPAIGNS_MAX_DAYS * 86400)
			field_error_add(fe, "ends_at", "campaigns.field.too_long");
	}
	if (fe->n)
		return;
	x->title = str_trim(x->a, in->title);
	x->summary = str_trim(x->a, in->summary);
	x->story = in->story ? arena_strdup(x->a, in->story) : "";
	x->story_html = markdown_to_html(x->a, x->story);
	x->category = str_empty(in->category) ? "" : in->category;
}

enum kq_err campaigns_create(struct db *db, const struct actor *who, int64_t org_id,
			     const struct campaign_input *in, struct arena *a,
			     struct field_errors *fe, int64_t *out_id, const char **out_slug)
{
	campaigns_changed();   /* pages that keep campaign figures a few seconds */
	*out_id = 0;
	if (out_slug)
		*out_slug = NULL;
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK)
		return e;
	struct edit x = { .who = who, .org_id = org_id, .in = in, .a = a, .err = KQ_OK };
	check_input(&x, true, fe);
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	if (db_txn_run(db, "campaigns_create", DB_WRITE, create_txn, &x) < 0)
		return KQ_ERR_INTERNAL;
	*out_id = x.campaign_id;
	if (out_slug)
		*out_slug = x.slug;
	return KQ_OK;
}

enum kq_err campaigns_update(struct db *db, const struct actor *who, int64_t campaign_id,
			     const struct campaign_input *in, struct field_errors *fe)
{
	campaigns_changed();   /* pages that keep campaign figures a few seconds */
	struct arena *a = arena_new();
	struct campaign c;
	enum kq_err e = get_one(db, a, NULL, campaign_id, &c);
	if (e == KQ_OK)
		e = orgs_authorize(db, who, c.org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK) {
		arena_free(a);
		return e;
	}
	bool draft = strcmp(c.status, "draft") == 0;
	struct edit x = { .who = who, .org_id = c.org_id, .campaign_id = campaign_id, .in = in,
			  .a = a, .err = KQ_OK };
	check_input(&x, draft, fe);
	if (fe->n) {
		arena_free(a);
		return KQ_ERR_FORM_INVALID;
	}
	enum db_status s = db_txn_run(db, "campaigns_update", DB_WRITE, update_txn, &x);
	arena_free(a);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	return KQ_OK;
}

static const struct db_sql SQL_TIER_INSERT = { "campaigns_tier_insert",
	"INSERT INTO campaign_tiers (campaign_id, amount_cents, title, description, quantity, delivery,"
	" created_at) SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM campaigns"
	" WHERE id = $1 AND status IN ('draft', 'live'))"
	" AND (SELECT COUNT(*) FROM campaign_tiers WHERE campaign_id = $1) < $8 RETURNING id" };

struct tier_add {
	int64_t campaign_id;
	const struct campaign_tier_input *in;
	const char *title, *description, *delivery;
	int64_t id;
	enum kq_err err;
};

static enum db_status tier_txn(struct db *db, void *cls)
{
	struct tier_add *x = cls;
	struct db_stmt *st = db_stmt(db, &SQL_TIER_INSERT);
	db_bind_i64(st, 1, x->campaign_id);
	db_bind_i64(st, 2, x->in->amount_cents);
	db_bind_text(st, 3, x->title);
	db_bind_text(st, 4, x->description);
	db_bind_i64_or_null(st, 5, x->in->quantity);
	db_bind_text(st, 6, x->delivery);
	db_bind_i64(st, 7, time_now());
	db_bind_i64(st, 8, CAMPAIGNS_TIERS_MAX);
	enum db_status s = db_step(st);
	x->id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s == DB_NONE) {
		x->err = KQ_ERR_CAMPAIGNS_NOT_EDITABLE;
		return DB_HARD;
	}
	return s < 0 ? s : DB_NONE;
}

enum kq_err campaigns_tier_add(struct db *db, const struct actor *who, int64_t campaign_id,
			       const struct campaign_tier_input *in, struct field_errors *fe,
			       int64_t *out_id)
{
	campaigns_changed();   /* pages that keep campaign figures a few seconds */
	*out_id = 0;
	struct arena *a = arena_new();
	struct campaign c;
	enum kq_err e = get_one(db, a, NULL, campaign_id, &c);
	if (e == KQ_OK)
		e = orgs_authorize(db, who, c.org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK) {
		arena_free(a);
		return e;
	}
	if (in->amount_cents < CAMPAIGNS_MIN_CENTS || in->amount_cents > CAMPAIGNS_MAX_CENTS)
		field_error_add(fe, "amount", "campaigns.field.amount");
	if (str_empty(in->title) || !str_text_ok(in->title, CAMPAIGNS_TITLE_MAX, false))
		field_error_add(fe, "title", "campaigns.field.title");
	if (!str_text_ok(in->description ? in->description : "", CAMPAIGNS_SUMMARY_MAX * 2, true))
		field_error_add(fe, "description", "campaigns.field.summary");
	if (!str_text_ok(in->delivery ? in->delivery : "", CAMPAIGNS_TITLE_MAX, false))
		field_error_add(fe, "delivery", "campaigns.field.summary");
	if (in->quantity < 0 || in->quantity > 1000000)
		field_error_add(fe, "quantity", "campaigns.field.quantity");
	if (fe->n) {
		arena_free(a);
		return KQ_ERR_FORM_INVALID;
	}
	struct tier_add x = { campaign_id, in, str_trim(a, in->title), str_trim(a, in->description),
			      str_trim(a, in->delivery), 0, KQ_OK };
	enum db_status s = db_txn_run(db, "campaigns_tier_add", DB_WRITE, tier_txn, &x);
	arena_free(a);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	*out_id = x.id;
	return KQ_OK;
}

/* ---- mail to backers --------------------------------------------------------------------- */

/* One mail per backer: the paid contributions, one per address. */
static const struct db_sql SQL_BACKER_MAILS = { "campaigns_backer_mails",
	"SELECT k.backer_email, MIN(k.backer_name), MIN(k.lang), MIN(k.secret),"
	" SUM(k.amount_cents), MIN(k.currency) FROM contributions k"
	" WHERE k.campaign_id = $1 AND k.status = 'paid' GROUP BY k.backer_email"
	" ORDER BY k.backer_email" };

/* Queues the mail what ("succeeded", "failed", "update") to every paid
 * backer of campaign c, in the caller's transaction. extra: the update's
 * title and text, or NULL. */
static enum db_status mail_backers(struct db *db, const struct campaign *c, const char *what,
				   const char *extra_title, const char *extra_body)
{
	struct arena *a = arena_new();
	struct db_stmt *st = db_stmt(db, &SQL_BACKER_MAILS);
	db_bind_i64(st, 1, c->id);
	struct row { const char *to, *name, *lang, *secret, *currency; int64_t amount; } *v = NULL;
	size_t n = 0, cap = 0;
	enum db_status s;
	/* Read them all first: the outbox insert runs on the same connection. */
	while ((s = faults_step(st)) == DB_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct row *nv = arena_alloc(a, sizeof(*nv) * ncap);
			if (n)
				memcpy(nv, v, sizeof(*nv) * n);
			v = nv;
			cap = ncap;
		}
		v[n].to = db_col_str(st, 0, a);
		v[n].name = db_col_str(st, 1, a);
		v[n].lang = i18n_lang_or_fr(db_col_text(st, 2));
		v[n].secret = db_col_str(st, 3, a);
		v[n].amount = db_col_i64(st, 4);
		v[n].currency = db_col_str(st, 5, a);
		n++;
	}
	db_reset(st);
	for (size_t i = 0; s == DB_NONE && i < n; i++) {
		const char *money = tickets_money_format(a, v[i].amount, v[i].currency, v[i].lang);
		const char *vars[] = { "name", v[i].name, "campaign", c->title, "org", c->org_name,
				       "amount", money, "link", contribution_link(a, v[i].secret),
				       "title", extra_title ? extra_title : "",
				       "text", extra_body ? extra_body : "", NULL };
		const char *subject = i18n_fill(a, i18n_get(v[i].lang, arena_printf(
					a, "campaigns.mail.%s.subject", what)), vars);
		const char *body = i18n_fill(a, i18n_get(v[i].lang, arena_printf(
					a, "campaigns.mail.%s.body", what)), vars);
		s = notify_enqueue(db, v[i].to, subject, body, NULL);
		if (s > 0)
			s = DB_NONE;
	}
	arena_free(a);
	return s;
}

static const struct db_sql SQL_UPDATE_INSERT = { "campaigns_update_insert",
	"INSERT INTO campaign_updates (campaign_id, title, body, body_html, author_id, created_at)"
	" VALUES ($1, $2, $3, $4, $5, $6)" };

struct post {
	const struct campaign *c;
	const char *title, *body, *body_html;
	int64_t author;
};

static enum db_status post_txn(struct db *db, void *cls)
{
	struct post *x = cls;
	struct db_stmt *st = db_stmt(db, &SQL_UPDATE_INSERT);
	db_bind_i64(st, 1, x->c->id);
	db_bind_text(st, 2, x->title);
	db_bind_text(st, 3, x->body);
	db_bind_text(st, 4, x->body_html);
	db_bind_i64_or_null(st, 5, x->author);
	db_bind_i64(st, 6, time_now());
	enum db_status s = db_run(st);
	if (s < 0)
		return s;
	/* The news and its mails land together, or neither does. */
	return mail_backers(db, x->c, "update", x->title, x->body);
}

enum kq_err campaigns_update_post(struct db *db, const struct actor *who, int64_t campaign_id,
				  const char *title, const char *body, struct field_errors *fe)
{
	campaigns_changed();   /* pages that keep campaign figures a few seconds */
	struct arena *a = arena_new();
	struct campaign c;
	enum kq_err e = get_one(db, a, NULL, campaign_id, &c);
	if (e == KQ_OK)
		e = orgs_authorize(db, who, c.org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK) {
		arena_free(a);
		return e;
	}
	if (str_empty(title) || !str_text_ok(title, CAMPAIGNS_TITLE_MAX, false))
		field_error_add(fe, "title", "campaigns.field.title");
	if (str_empty(body) || !str_text_ok(body, CAMPAIGNS_STORY_MAX, true))
		field_error_add(fe, "body", "campaigns.field.body");
	if (fe->n) {
		arena_free(a);
		return KQ_ERR_FORM_INVALID;
	}
	struct post x = { &c, str_trim(a, title), body, markdown_to_html(a, body), who->account_id };
	enum db_status s = db_txn_run(db, "campaigns_update_post", DB_WRITE, post_txn, &x);
	arena_free(a);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

/* ---- contributing ----------------------------------------------------------------------- */

static const struct db_sql SQL_OPEN = { "campaigns_open",
	"SELECT org_id, currency, status, starts_at, ends_at FROM campaigns WHERE id = $1" };
static const struct db_sql SQL_TIER_OF = { "campaigns_tier_of",
	"SELECT campaign_id, amount_cents FROM campaign_tiers WHERE id = $1" };
static const struct db_sql SQL_REPLAY = { "campaigns_replay",
	"SELECT id, request_hash FROM contributions WHERE idempotency_key = $1" };
/* INVARIANT(tier): the reward is taken before the contribution is written,
 * so a lost race writes nothing. */
static const struct db_sql SQL_TAKE = { "campaigns_take",
	"UPDATE campaign_tiers SET taken = taken + 1 WHERE id = $1"
	" AND (quantity IS NULL OR taken + 1 <= quantity) RETURNING taken" };
static const struct db_sql SQL_GIVE_BACK = { "campaigns_give_back",
	"UPDATE campaign_tiers SET taken = taken - 1 WHERE id = $1 AND taken > 0" };
static const struct db_sql SQL_CONTRIB_INSERT = { "campaigns_contrib_insert",
	"INSERT INTO contributions (campaign_id, org_id, tier_id, amount_cents, currency, backer_name,"
	" backer_email, account_id, is_public, message, lang, provider, status, secret,"
	" idempotency_key, request_hash, hold_until, created_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', $13, $14, $15, $16, $17)"
	" ON CONFLICT (idempotency_key) DO NOTHING RETURNING id" };
static const struct db_sql SQL_PAYMENT_LINK = { "campaigns_payment_link",
	"UPDATE payments SET contribution_id = $2 WHERE id = $1" };

struct give {
	const struct actor *who;
	const struct contribution_request *in;
	struct field_errors *fe;
	const char *name, *email, *message, *lang;
	char hash[TOKEN_HASH_HEX_LEN + 1];
	enum kq_err err;
	int64_t contribution_id, payment_id;
};

static enum db_status replay(struct db *db, struct give *x, bool *out_found)
{
	struct db_stmt *st = db_stmt(db, &SQL_REPLAY);
	db_bind_text(st, 1, x->in->idempotency_key);
	enum db_status s = faults_step(st);
	*out_found = s == DB_ROW;
	bool same = s == DB_ROW && crypto_streq(db_col_text(st, 1), x->hash);
	x->contribution_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_ROW && !same) {
		field_error_add(x->fe, "idempotency_key", "err.idempotency.conflict");
		x->err = KQ_ERR_IDEMPOTENCY_CONFLICT;
		return DB_HARD;
	}
	return DB_NONE;
}

static enum db_status give_txn(struct db *db, void *cls)
{
	struct give *x = cls;
	const struct contribution_request *in = x->in;
	x->err = KQ_OK;
	x->contribution_id = x->payment_id = 0;
	int64_t now = time_now();
	/* The same key again: the first contribution, nothing new. */
	bool found;
	enum db_status s = replay(db, x, &found);
	if (s < 0 || found)
		return s;
	struct db_stmt *st = db_stmt(db, &SQL_OPEN);
	db_bind_i64(st, 1, in->campaign_id);
	s = faults_step(st);
	int64_t org_id = 0;
	char currency[8] = "";
	bool open = false;
	if (s == DB_ROW) {
		org_id = db_col_i64(st, 0);
		snprintf(currency, sizeof(currency), "%s", db_col_text(st, 1));
		open = str_eq(db_col_text(st, 2), "live") && db_col_i64(st, 3) <= now &&
		       now < db_col_i64(st, 4);
	}
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE || !open) {
		x->err = s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_CAMPAIGNS_NOT_LIVE;
		return DB_HARD;
	}
	if (in->tier_id) {
		st = db_stmt(db, &SQL_TIER_OF);
		db_bind_i64(st, 1, in->tier_id);
		s = faults_step(st);
		bool mine = s == DB_ROW && db_col_i64(st, 0) == in->campaign_id;
		int64_t min = s == DB_ROW ? db_col_i64(st, 1) : 0;
		db_reset(st);
		if (s < 0)
			return s;
		if (!mine) {
			field_error_add(x->fe, "tier", "campaigns.field.tier");
			x->err = KQ_ERR_FORM_INVALID;
			return DB_HARD;
		}
		if (in->amount_cents < min) {
			field_error_add(x->fe, "amount", "campaigns.field.below_tier");
			x->err = KQ_ERR_FORM_INVALID;
			return DB_HARD;
		}
		st = db_stmt(db, &SQL_TAKE);
		db_bind_i64(st, 1, in->tier_id);
		s = faults_step(st);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE) {
			field_error_add(x->fe, "tier", "err.campaigns.tier_full");
			x->err = KQ_ERR_CAMPAIGNS_TIER_FULL;
			return DB_HARD;
		}
	}
	char secret[TOKEN_HEX_LEN + 1];
	crypto_token(secret);
	st = db_stmt(db, &SQL_CONTRIB_INSERT);
	db_bind_i64(st, 1, in->campaign_id);
	db_bind_i64(st, 2, org_id);
	db_bind_i64_or_null(st, 3, in->tier_id);
	db_bind_i64(st, 4, in->amount_cents);
	db_bind_text(st, 5, currency);
	db_bind_text(st, 6, x->name);
	db_bind_text(st, 7, x->email);
	db_bind_i64_or_null(st, 8, x->who ? x->who->account_id : 0);
	db_bind_bool(st, 9, in->is_public);
	db_bind_text(st, 10, x->message);
	db_bind_text(st, 11, x->lang);
	db_bind_text(st, 12, in->provider);
	db_bind_text(st, 13, secret);
	db_bind_text(st, 14, in->idempotency_key);
	db_bind_text(st, 15, x->hash);
	db_bind_i64(st, 16, now + CAMPAIGNS_HOLD_SECONDS);
	db_bind_i64(st, 17, now);
	s = faults_step(st);
	x->contribution_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return s == DB_HARD && db_is_unique_violation(db) ? DB_SOFT : s;   /* a secret that collides */
	if (s == DB_NONE)
		return DB_SOFT;   /* a concurrent request with this key won: run again, it is a replay */
	struct payment_new p = { "contribution", org_id, 0, 0, in->provider, in->amount_cents,
				 currency };
	if ((s = payments_insert(db, &p, now, &x->payment_id)) < 0)
		return s;
	st = db_stmt(db, &SQL_PAYMENT_LINK);
	db_bind_i64(st, 1, x->payment_id);
	db_bind_i64(st, 2, x->contribution_id);
	return faults_run(st);
}

static enum kq_err load_contribution(struct db *db, struct arena *a, int64_t id, const char *secret,
				     struct contribution *out);

static const struct db_sql SQL_START_LOAD = { "campaigns_start_load",
	"SELECT p.id, p.provider, p.status, p.idempotency_key, p.amount_cents, p.currency,"
	" k.secret, k.backer_email, k.status, c.title, k.hold_until, p.org_id"
	" FROM payments p JOIN contributions k ON k.id = p.contribution_id"
	" JOIN campaigns c ON c.id = k.campaign_id"
	" WHERE p.contribution_id = $1 ORDER BY p.id DESC LIMIT 1" };
static const struct db_sql SQL_CANCEL = { "campaigns_cancel",
	"UPDATE contributions SET status = 'cancelled', cancelled_at = $2 WHERE id = $1"
	" AND status = 'pending' RETURNING COALESCE(tier_id, 0)" };
static const struct db_sql SQL_PAYMENTS_CANCEL = { "campaigns_payments_cancel",
	"UPDATE payments SET status = 'cancelled', updated_at = $2 WHERE contribution_id = $1"
	" AND status IN ('created', 'started')" };

/* A pending contribution is cancelled and its reward given back, in the
 * caller's transaction; nothing when it is no longer pending. */
static enum db_status cancel_pending(struct db *db, int64_t contribution_id, int64_t now)
{
	struct db_stmt *st = db_stmt(db, &SQL_CANCEL);
	db_bind_i64(st, 1, contribution_id);
	db_bind_i64(st, 2, now);
	enum db_status s = faults_step(st);
	int64_t tier = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW)
		return s;
	if (tier) {
		st = db_stmt(db, &SQL_GIVE_BACK);
		db_bind_i64(st, 1, tier);
		if ((s = faults_run(st)) < 0)
			return s;
	}
	return DB_ROW;
}

static const struct db_sql SQL_HOLD = { "campaigns_hold",
	"UPDATE contributions SET hold_until = $2 WHERE id = $1 AND status = 'pending'"
	" AND hold_until < $2" };

/* The contribution's last payment, for the shared flow (payments_flow.c). */
static enum db_status flow_load(struct db *db, struct arena *a, int64_t contribution_id,
				struct payment_flow_payment *out)
{
	struct db_stmt *st = db_stmt(db, &SQL_START_LOAD);
	db_bind_i64(st, 1, contribution_id);
	enum db_status s = faults_step(st);
	if (s == DB_ROW) {
		const char *secret = payments_flow_read(st, a, out);
		const char *title = db_col_str(st, 9, a);
		out->hold_until = db_col_i64(st, 10);
		out->org_id = db_col_i64(st, 11);
		out->reference = arena_printf(a, "SOU-%lld", (long long)contribution_id);
		out->return_url = contribution_link(a, secret);
		out->description = arena_printf(a, "%s (%s)", title, out->reference);
	}
	db_reset(st);
	return s;
}

static enum db_status flow_start_failed(struct db *db, int64_t contribution_id, int64_t now)
{
	/* The backer never saw the provider's page: the reward goes back. */
	enum db_status s = cancel_pending(db, contribution_id, now);
	return s < 0 ? s : DB_NONE;
}

static enum db_status flow_started(struct db *db, int64_t contribution_id, const char *provider,
				   const struct payment_start_out *out)
{
	(void)provider;
	if (out->hold_until <= 0)
		return DB_NONE;
	/* The provider's page stays open a little longer than asked (Stripe's
	 * 30 minutes at least): the reward is held as long as it can be paid. */
	struct db_stmt *st = db_stmt(db, &SQL_HOLD);
	db_bind_i64(st, 1, contribution_id);
	db_bind_i64(st, 2, out->hold_until);
	return faults_run(st);
}

static const struct payment_flow contribution_flow = {
	.start_txn = "campaigns_start_record",
	.capture_txn = "campaigns_demo_pay",
	.no_payment_err = KQ_ERR_NOT_FOUND,
	.load = flow_load,
	.start_failed = flow_start_failed,
	.started = flow_started,
};

/* Steps 2 and 3 for the contribution's last payment, when it is still 'created'. */
static enum kq_err start_payment(struct db *db, struct arena *a, int64_t contribution_id)
{
	return payments_flow_start(db, &contribution_flow, a, contribution_id);
}

static void hash_field(struct buf *b, const char *s)
{
	buf_printf(b, "%zu:%s|", s ? strlen(s) : (size_t)0, s ? s : "");
}

enum kq_err campaigns_contribute(struct db *db, const struct actor *who,
				 const struct contribution_request *in, struct arena *a,
				 struct field_errors *fe, struct contribution *out)
{
	campaigns_changed();   /* pages that keep campaign figures a few seconds */
	memset(out, 0, sizeof(*out));
	struct give x = { 0 };
	x.who = who;
	x.in = in;
	x.fe = fe;
	if (!in->idempotency_key || strlen(in->idempotency_key) < 8 ||
	    strlen(in->idempotency_key) > CAMPAIGNS_KEY_MAX ||
	    !str_text_ok(in->idempotency_key, SIZE_MAX, false))
		field_error_add(fe, "idempotency_key", "orders.field.key_invalid");
	if (in->amount_cents < CAMPAIGNS_MIN_CENTS)
		field_error_add(fe, "amount", "campaigns.field.amount_min");
	else if (in->amount_cents > CAMPAIGNS_MAX_CENTS)
		field_error_add(fe, "amount", "campaigns.field.amount_max");
	const char *name = in->backer_name, *email = in->backer_email;
	if (who && who->account_id) {
		if (str_empty(name))
			name = who->display_name;
		if (str_empty(email))
			email = who->email;
	}
	if (str_empty(name) || !str_text_ok(name, CAMPAIGNS_NAME_MAX, false))
		field_error_add(fe, "backer_name", "orders.field.name_invalid");
	if (!email || !str_email_valid(email))
		field_error_add(fe, "backer_email", "orders.field.email_invalid");
	if (!str_text_ok(in->message ? in->message : "", CAMPAIGNS_MESSAGE_MAX, true))
		field_error_add(fe, "message", "campaigns.field.message");
	if (!provider_ok(in->provider))
		field_error_add(fe, "provider", "campaigns.field.provider");
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	x.name = str_trim(a, name);
	x.email = str_trim(a, email);
	x.message = str_trim(a, in->message);
	x.lang = i18n_lang_or_fr(in->lang);
	struct buf b = BUF_INIT;
	buf_printf(&b, "contribute-v1|%lld|%lld|%lld|%lld|%d|", (long long)in->campaign_id,
		   (long long)in->tier_id, (long long)(who ? who->account_id : 0),
		   (long long)in->amount_cents, in->is_public ? 1 : 0);
	hash_field(&b, x.name);
	hash_field(&b, x.email);
	hash_field(&b, x.message);
	hash_field(&b, in->provider);
	crypto_sha256_hex(b.p, b.len, x.hash);
	buf_free(&b);
	enum db_status s = db_txn_run(db, "campaigns_contribute", DB_WRITE, give_txn, &x);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	/* A replay starts the payment only if the first request could not. */
	enum kq_err e = start_payment(db, a, x.contribution_id);
	if (e != KQ_OK)
		return e;
	return load_contribution(db, a, x.contribution_id, NULL, out);
}

/* ---- reading a contribution ------------------------------------------------------------- */

#define CONTRIB_COLS                                                                            \
	"SELECT k.id, k.campaign_id, COALESCE(k.tier_id, 0), c.slug, c.title, o.name,"              \
	" COALESCE(t.title, ''), k.amount_cents, k.currency, k.backer_name, k.backer_email,"        \
	" k.provider, k.status, k.secret, k.is_public, k.hold_until, k.created_at,"                 \
	" COALESCE(k.paid_at, 0), COALESCE(p.status, ''), COALESCE(p.redirect_url, '')"             \
	" FROM contributions k JOIN campaigns c ON c.id = k.campaign_id"                            \
	" JOIN organisations o ON o.id = k.org_id"                                                  \
	" LEFT JOIN campaign_tiers t ON t.id = k.tier_id"                                           \
	" LEFT JOIN payments p ON p.id = (SELECT MAX(id) FROM payments WHERE contribution_id = k.id)"
static const struct db_sql SQL_K_BY_ID = { "campaigns_k_by_id", CONTRIB_COLS " WHERE k.id = $1" };
static const struct db_sql SQL_K_BY_SECRET = { "campaigns_k_by_secret",
	CONTRIB_COLS " WHERE k.secret = $1" };

static enum kq_err load_contribution(struct db *db, struct arena *a, int64_t id, const char *secret,
				     struct contribution *out)
{
	memset(out, 0, sizeof(*out));
	if (secret && strlen(secret) != TOKEN_HEX_LEN)
		return KQ_ERR_NOT_FOUND;
	struct db_stmt *st = db_stmt(db, secret ? &SQL_K_BY_SECRET : &SQL_K_BY_ID);
	if (secret)
		db_bind_text(st, 1, secret);
	else
		db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->id = db_col_i64(st, 0);
		out->campaign_id = db_col_i64(st, 1);
		out->tier_id = db_col_i64(st, 2);
		out->campaign_slug = db_col_str(st, 3, a);
		out->campaign_title = db_col_str(st, 4, a);
		out->org_name = db_col_str(st, 5, a);
		out->tier_title = db_col_str(st, 6, a);
		out->amount_cents = db_col_i64(st, 7);
		out->currency = db_col_str(st, 8, a);
		out->backer_name = db_col_str(st, 9, a);
		out->backer_email = db_col_str(st, 10, a);
		out->provider = db_col_str(st, 11, a);
		out->status = db_col_str(st, 12, a);
		out->secret = db_col_str(st, 13, a);
		out->is_public = db_col_bool(st, 14);
		out->hold_until = db_col_i64(st, 15);
		out->created_at = db_col_i64(st, 16);
		out->paid_at = db_col_i64(st, 17);
		out->payment_status = db_col_str(st, 18, a);
		out->redirect_url = db_col_str(st, 19, a);
		out->reference = arena_printf(a, "SOU-%lld", (long long)out->id);
	}
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

enum kq_err campaigns_contribution_get(struct db *db, struct arena *a, const char *secret,
				       struct contribution *out)
{
	if (!secret)
		return KQ_ERR_NOT_FOUND;
	return load_contribution(db, a, 0, secret, out);
}

/* ---- what a captured payment does to its contribution ---------------------------------- */

static const struct db_sql SQL_CAP_LOAD = { "campaigns_cap_load",
	"SELECT k.id, k.status, k.amount_cents, k.currency, COALESCE(k.tier_id, 0), c.status"
	" FROM payments p JOIN contributions k ON k.id = p.contribution_id"
	" JOIN campaigns c ON c.id = k.campaign_id WHERE p.id = $1" };
static const struct db_sql SQL_CAP_PAID = { "campaigns_cap_paid",
	"UPDATE contributions SET status = 'paid', paid_at = $2, cancelled_at = NULL"
	" WHERE id = $1 AND status = $3 RETURNING id" };
static const struct db_sql SQL_CAP_REFUNDED = { "campaigns_cap_refunded",
	"UPDATE contributions SET status = 'refunded', refunded_at = $2"
	" WHERE id = $1 AND status IN ('pending', 'cancelled') RETURNING status" };
static const struct db_sql SQL_THANKS_LOAD = { "campaigns_thanks_load",
	"SELECT k.backer_email, k.backer_name, k.secret, k.amount_cents, k.currency, k.lang, c.title,"
	" o.name FROM contributions k JOIN campaigns c ON c.id = k.campaign_id"
	" JOIN organisations o ON o.id = k.org_id WHERE k.id = $1" };

static enum db_status thanks_mail(struct db *db, int64_t id)
{
	struct arena *a = arena_new();
	struct db_stmt *st = db_stmt(db, &SQL_THANKS_LOAD);
	db_bind_i64(st, 1, id);
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
	const char *title = db_col_str(st, 6, a), *org = db_col_str(st, 7, a);
	db_reset(st);
	const char *vars[] = { "name", name, "campaign", title, "org", org,
			       "amount", tickets_money_format(a, amount, currency, lang),
			       "link", contribution_link(a, secret), NULL };
	s = notify_enqueue(db, to, i18n_fill(a, i18n_get(lang, "campaigns.mail.thanks.subject"), vars),
			   i18n_fill(a, i18n_get(lang, "campaigns.mail.thanks.body"), vars), NULL);
	arena_free(a);
	return s < 0 ? s : DB_NONE;
}

static enum db_status contribution_captured(struct db *db, const struct payment_captured *p,
					    struct arena *a, const char **out_reason)
{
	campaigns_changed();
	(void)a;
	*out_reason = NULL;
	struct db_stmt *st = db_stmt(db, &SQL_CAP_LOAD);
	db_bind_i64(st, 1, p->payment_id);
	enum db_status s = faults_step(st);
	int64_t id = 0, amount = 0, tier = 0;
	char status[16] = "", currency[8] = "", cstatus[16] = "";
	if (s == DB_ROW) {
		id = db_col_i64(st, 0);
		snprintf(status, sizeof(status), "%s", db_col_text(st, 1));
		amount = db_col_i64(st, 2);
		snprintf(currency, sizeof(currency), "%s", db_col_text(st, 3));
		tier = db_col_i64(st, 4);
		snprintf(cstatus, sizeof(cstatus), "%s", db_col_text(st, 5));
	}
	db_reset(st);
	if (s != DB_ROW) {
		if (s == DB_NONE)
			KQ_BUG("a contribution payment without its contribution");
		return s < 0 ? s : DB_HARD;
	}
	int64_t now = time_now();
	if (p->amount_cents != amount || p->amount_cents != p->expected_cents ||
	    strcasecmp(p->currency, currency) != 0) {
		log_warn("campaigns: payment %lld of contribution %lld: %lld %s received, %lld %s due",
			 (long long)p->payment_id, (long long)id, (long long)p->amount_cents,
			 p->currency, (long long)amount, currency);
		*out_reason = "amount_mismatch";
		return DB_NONE;
	}
	if (strcmp(cstatus, "failed") == 0 || strcmp(cstatus, "cancelled") == 0) {
		/* Paid after an all-or-nothing campaign failed: the money goes back. */
		st = db_stmt(db, &SQL_CAP_REFUNDED);
		db_bind_i64(st, 1, id);
		db_bind_i64(st, 2, now);
		s = faults_step(st);
		bool was_pending = s == DB_ROW && str_eq(db_col_text(st, 0), "pending");
		db_reset(st);
		if (s < 0)
			return s;
		if (was_pending && tier) {
			st = db_stmt(db, &SQL_GIVE_BACK);
			db_bind_i64(st, 1, tier);
			if ((s = faults_run(st)) < 0)
				return s;
		}
		*out_reason = "campaign_failed";
		return DB_NONE;
	}
	if (strcmp(status, "cancelled") == 0 && tier) {
		/* Its hold ran out: the reward is taken again if one is left. */
		st = db_stmt(db, &SQL_TAKE);
		db_bind_i64(st, 1, tier);
		s = faults_step(st);
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE) {
			*out_reason = "late_payment";
			return DB_NONE;
		}
	}
	if (strcmp(status, "pending") != 0 && strcmp(status, "cancelled") != 0) {
		/* Paid before through another payment: one contribution, this money goes back. */
		*out_reason = "duplicate_payment";
		return DB_NONE;
	}
	st = db_stmt(db, &SQL_CAP_PAID);
	db_bind_i64(st, 1, id);
	db_bind_i64(st, 2, now);
	db_bind_text(st, 3, status);
	s = faults_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		KQ_BUG("a contribution changed under its capture");
		return DB_HARD;
	}
	return thanks_mail(db, id);
}

const struct payment_purpose campaigns_purpose = {
	.name = "contribution",
	.captured = contribution_captured,
};

/* ---- paying: the return page, the demo ---------------------------------------------------- */

static const struct db_sql SQL_LAST_PAYMENT = { "campaigns_last_payment",
	"SELECT p.id, p.provider, p.status, p.amount_cents, p.currency, k.status"
	" FROM payments p JOIN contributions k ON k.id = p.contribution_id"
	" WHERE k.secret = $1 ORDER BY p.id DESC LIMIT 1" };

struct last_payment {
	int64_t id, amount;
	char provider[32], status[16], currency[8], kstatus[16];
};

static enum db_status last_payment(struct db *db, const char *secret, struct last_payment *out)
{
	memset(out, 0, sizeof(*out));
	if (!secret || strlen(secret) != TOKEN_HEX_LEN)
		return DB_NONE;
	struct db_stmt *st = db_stmt(db, &SQL_LAST_PAYMENT);
	db_bind_text(st, 1, secret);
	enum db_status s = faults_step(st);
	if (s == DB_ROW) {
		out->id = db_col_i64(st, 0);
		snprintf(out->provider, sizeof(out->provider), "%s", db_col_text(st, 1));
		snprintf(out->status, sizeof(out->status), "%s", db_col_text(st, 2));
		out->amount = db_col_i64(st, 3);
		snprintf(out->currency, sizeof(out->currency), "%s", db_col_text(st, 4));
		snprintf(out->kstatus, sizeof(out->kstatus), "%s", db_col_text(st, 5));
	}
	db_reset(st);
	return s;
}

enum kq_err campaigns_sync_payment(struct db *db, const char *secret, bool *out_paid)
{
	campaigns_changed();   /* pages that keep campaign figures a few seconds */
	if (out_paid)
		*out_paid = false;
	struct last_payment lp;
	enum db_status s = last_payment(db, secret, &lp);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (s == DB_NONE)
		return KQ_ERR_NOT_FOUND;
	if (strcmp(lp.status, "started") != 0 || strcmp(lp.provider, "stripe") != 0)
		return KQ_OK;
	return payments_sync(db, lp.id, out_paid);
}

enum kq_err campaigns_demo_pay(struct db *db, const char *secret)
{
	campaigns_changed();   /* pages that keep campaign figures a few seconds */
	if (!payments_provider_enabled("demo"))
		return KQ_ERR_PAYMENT_PROVIDER_UNAVAILABLE;
	if (!secret || strlen(secret) != TOKEN_HEX_LEN)
		return KQ_ERR_NOT_FOUND;
	struct arena *a = arena_new();
	struct contribution k;
	enum kq_err e = load_contribution(db, a, 0, secret, &k);
	int64_t id = k.id;
	arena_free(a);
	if (e != KQ_OK)
		return e;
	return payments_flow_capture(db, &contribution_flow, NULL, id);
}

/* ---- the job: holds that ran out --------------------------------------------------------- */

#define JOB_BATCH 50

static const struct db_sql SQL_STALE = { "campaigns_stale",
	"SELECT k.id, COALESCE(p.id, 0), COALESCE(p.provider, ''), COALESCE(p.status, '')"
	" FROM contributions k"
	" LEFT JOIN payments p ON p.id = (SELECT MAX(id) FROM payments WHERE contribution_id = k.id)"
	" WHERE k.status = 'pending' AND k.hold_until < $1 ORDER BY k.id LIMIT $2" };

struct expire {
	int64_t id;
	bool changed;
};

static enum db_status expire_txn(struct db *db, void *cls)
{
	struct expire *x = cls;
	int64_t now = time_now();
	enum db_status s = cancel_pending(db, x->id, now);
	x->changed = s == DB_ROW;
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;
	/* A payment that comes after all is still captured (status <> 'captured'):
	 * the capture takes the reward again or sends the money back. */
	struct db_stmt *st = db_stmt(db, &SQL_PAYMENTS_CANCEL);
	db_bind_i64(st, 1, x->id);
	db_bind_i64(st, 2, now);
	return faults_run(st);
}

enum kq_err campaigns_expire_pending(struct db *db, int *out_n)
{
	campaigns_changed();   /* pages that keep campaign figures a few seconds */
	if (out_n)
		*out_n = 0;
	int64_t ids[JOB_BATCH], pay[JOB_BATCH];
	bool ask[JOB_BATCH];
	int n = 0;
	struct db_stmt *st = db_stmt(db, &SQL_STALE);
	db_bind_i64(st, 1, time_now());
	db_bind_i64(st, 2, JOB_BATCH);
	enum db_status s;
	while (n < JOB_BATCH && (s = db_step(st)) == DB_ROW) {
		ids[n] = db_col_i64(st, 0);
		pay[n] = db_col_i64(st, 1);
		ask[n] = str_eq(db_col_text(st, 2), "stripe") && str_eq(db_col_text(st, 3), "started");
		n++;
	}
	db_reset(st);
	if (n < JOB_BATCH && s < 0)
		return KQ_ERR_INTERNAL;
	int done = 0;
	for (int i = 0; i < n; i++) {
		bool paid = false;
		/* Outside any transaction: a lost webhook is not a lost payment. */
		if (ask[i] && payments_sync(db, pay[i], &paid) == KQ_OK && paid)
			continue;
		struct expire x = { ids[i], false };
		if (db_txn_run(db, "campaigns_expire", DB_WRITE, expire_txn, &x) < 0)
			return KQ_ERR_INTERNAL;
		done += x.changed;
	}
	if (out_n)
		*out_n = done;
	return KQ_OK;
}

/* ---- the job: settlement at the end date ------------------------------------------------- */

static const struct db_sql SQL_DUE = { "campaigns_due",
	"SELECT id FROM campaigns WHERE status = 'live' AND ends_at <= $1 ORDER BY ends_at, id"
	" LIMIT $2" };
/* INVARIANT(settle-once): one conditional change per campaign. */
static const struct db_sql SQL_SETTLE = { "campaigns_settle",
	"UPDATE campaigns SET status = $2, settled_at = $3, updated_at = $3"
	" WHERE id = $1 AND status = 'live' AND ends_at <= $3 RETURNING id" };
/* The job asks this twice a second: from the (few) failed campaigns to
 * their paid contributions, never through every paid contribution ever
 * (CROSS JOIN fixes that order on SQLite; PostgreSQL plans it the same). */
static const struct db_sql SQL_TO_REFUND = { "campaigns_to_refund",
	"SELECT k.id FROM campaigns c CROSS JOIN contributions k WHERE k.campaign_id = c.id"
	" AND c.status IN ('failed', 'cancelled') AND k.status = 'paid' ORDER BY k.id LIMIT $1" };
/* INVARIANT(settle-once): one conditional change per contribution, in the
 * transaction that writes its refund. */
static const struct db_sql SQL_MARK_REFUNDED = { "campaigns_mark_refunded",
	"UPDATE contributions SET status = 'refunded', refunded_at = $2 WHERE id = $1"
	" AND status = 'paid' RETURNING amount_cents, COALESCE(tier_id, 0)" };
static const struct db_sql SQL_CAPTURED_PAYMENT = { "campaigns_captured_payment",
	"SELECT id FROM payments WHERE contribution_id = $1 AND status = 'captured'"
	" ORDER BY id LIMIT 1" };

struct settle {
	int64_t id;
	struct arena *a;
	bool changed;
};

static enum db_status settle_txn(struct db *db, void *cls)
{
	struct settle *x = cls;
	x->changed = false;
	struct campaign c;
	/* Read inside the transaction: the raised sum is the one the decision uses. */
	struct db_stmt *st = db_stmt(db, &SQL_GET_ID);
	db_bind_i64(st, 1, x->id);
	enum db_status s = faults_step(st);
	if (s == DB_ROW)
		read_campaign(st, x->a, &c);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;
	bool ok = strcmp(c.model, "keep_it") == 0 || c.raised_cents >= c.goal_cents;
	const char *outcome = ok ? "succeeded" : "failed";
	st = db_stmt(db, &SQL_SETTLE);
	db_bind_i64(st, 1, x->id);
	db_bind_text(st, 2, outcome);
	db_bind_i64(st, 3, time_now());
	s = faults_step(st);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;   /* settled by another pass */
	x->changed = true;
	log_info("campaigns: campaign %lld %s (%lld of %lld cents)", (long long)x->id, outcome,
		 (long long)c.raised_cents, (long long)c.goal_cents);
	/* The backers hear of it with the change itself, so exactly once. */
	return mail_backers(db, &c, outcome, NULL, NULL);
}

struct refund_one {
	int64_t id;
	int64_t refund_id;
	bool changed;
};

static enum db_status refund_one_txn(struct db *db, void *cls)
{
	struct refund_one *x = cls;
	x->changed = false;
	x->refund_id = 0;
	struct db_stmt *st = db_stmt(db, &SQL_MARK_REFUNDED);
	db_bind_i64(st, 1, x->id);
	db_bind_i64(st, 2, time_now());
	enum db_status s = faults_step(st);
	int64_t amount = s == DB_ROW ? db_col_i64(st, 0) : 0;
	int64_t tier = s == DB_ROW ? db_col_i64(st, 1) : 0;
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;   /* refunded by another pass */
	if (tier) {
		/* INVARIANT(tier): a refunded contribution holds no reward. */
		st = db_stmt(db, &SQL_GIVE_BACK);
		db_bind_i64(st, 1, tier);
		if ((s = faults_run(st)) < 0)
			return s;
	}
	st = db_stmt(db, &SQL_CAPTURED_PAYMENT);
	db_bind_i64(st, 1, x->id);
	s = faults_step(st);
	int64_t payment_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW) {
		if (s == DB_NONE)
			KQ_BUG("a paid contribution without a captured payment");
		return s < 0 ? s : DB_HARD;
	}
	x->changed = true;
	return payments_refund_create(db, payment_id, amount, "campaign_failed", &x->refund_id);
}

enum kq_err campaigns_settle_due(struct db *db, int *out_n)
{
	campaigns_changed();   /* pages that keep campaign figures a few seconds */
	if (out_n)
		*out_n = 0;
	int64_t ids[JOB_BATCH];
	int n = 0, done = 0;
	enum db_status s = DB_NONE;
	struct db_stmt *st = db_stmt(db, &SQL_DUE);
	db_bind_i64(st, 1, time_now());
	db_bind_i64(st, 2, JOB_BATCH);
	while (n < JOB_BATCH && (s = db_step(st)) == DB_ROW)
		ids[n++] = db_col_i64(st, 0);
	db_reset(st);
	if (n < JOB_BATCH && s < 0)
		return KQ_ERR_INTERNAL;
	for (int i = 0; i < n; i++) {
		struct arena *a = arena_new();
		struct settle x = { ids[i], a, false };
		s = db_txn_run(db, "campaigns_settle", DB_WRITE, settle_txn, &x);
		arena_free(a);
		if (s < 0)
			return KQ_ERR_INTERNAL;
		done += x.changed;
	}
	/* Refunds: whatever a failed campaign still holds, including what a
	 * previous pass left when it was stopped, and payments that arrived
	 * while the campaign was being settled. */
	for (;;) {
		n = 0;
		st = db_stmt(db, &SQL_TO_REFUND);
		db_bind_i64(st, 1, JOB_BATCH);
		while (n < JOB_BATCH && (s = db_step(st)) == DB_ROW)
			ids[n++] = db_col_i64(st, 0);
		db_reset(st);
		if (n < JOB_BATCH && s < 0)
			return KQ_ERR_INTERNAL;
		for (int i = 0; i < n; i++) {
			struct refund_one r = { ids[i], 0, false };
			if (db_txn_run(db, "campaigns_refund", DB_WRITE, refund_one_txn, &r) < 0)
				return KQ_ERR_INTERNAL;
			done += r.changed;
			/* Sent now; a failure is retried by the refund job with the same key. */
			if (r.refund_id)
				(void)payments_refunds_run(db, r.refund_id, 1, NULL);
		}
		if (n < JOB_BATCH)
			break;
	}
	if (out_n)
		*out_n = done;
	return KQ_OK;
}

/* ---- the demo ---------------------------------------------------------------------------- */

static const struct db_sql SQL_DEMO_ORGS = { "campaigns_demo_orgs",
	"SELECT id FROM organisations WHERE kind = 'association' ORDER BY id LIMIT 2" };
static const struct db_sql SQL_DEMO_INSERT = { "campaigns_demo_insert",
	"INSERT INTO campaigns (org_id, slug, title, summary, story, story_html, category, goal_cents,"
	" currency, starts_at, ends_at, model, status, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'EUR', $9, $10, $11, 'live', $9, $9)"
	" ON CONFLICT (slug) DO NOTHING RETURNING id" };
static const struct db_sql SQL_DEMO_TIER = { "campaigns_demo_tier",
	"INSERT INTO campaign_tiers (campaign_id, amount_cents, title, description, quantity, delivery,"
	" created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)" };

struct demo_tier { int64_t amount; const char *title, *description; int64_t quantity;
		   const char *delivery; };
struct demo_campaign {
	const char *slug, *title, *summary, *story, *category, *model;
	int64_t goal;
	struct demo_tier tiers[3];
};

static const struct demo_campaign demo_campaigns[] = {
	{ "restaurer-le-lavoir", "Restaurer le lavoir du village",
	  "Le toit du lavoir fuit : aidez-nous à le refaire avant l'hiver.",
	  "Le lavoir de 1850 est le cœur du village. Sa **charpente** est à reprendre et ses tuiles "
	  "à remplacer.\n\nAvec 6 000 €, un charpentier du pays refait le toit ; au-delà, nous "
	  "restaurons aussi le bassin.",
	  "tour", "all_or_nothing", 600000,
	  { { 1500, "Carte postale du lavoir", "Une carte dessinée par une artiste du village.", 0,
	      "Décembre, par la poste" },
	    { 5000, "Visite guidée", "La visite du chantier avec le charpentier.", 20,
	      "Au printemps, sur place" },
	    { 20000, "Une tuile gravée à votre nom", "Posée sur le toit pour un siècle.", 10,
	      "À la fin du chantier" } } },
	{ "un-four-a-pain-partage", "Un four à pain partagé",
	  "Construire un four à pain au bois ouvert à toutes et tous sur la place.",
	  "Chaque premier samedi du mois, le four chauffera pour les habitants, l'école et les "
	  "associations. Tout ce qui est collecté sert au four.",
	  "party", "keep_it", 250000,
	  { { 1000, "Une fournée offerte", "Un pain de campagne à la première fournée.", 0,
	      "À l'inauguration" },
	    { 3000, "Atelier pain", "Un atelier de boulange pour deux.", 15, "Au printemps" },
	    { 0, NULL, NULL, 0, NULL } } },
};

enum kq_err campaigns_load_demo(struct db *db)
{
	int64_t orgs[2] = { 0, 0 };
	int n = 0;
	struct db_stmt *st = db_stmt(db, &SQL_DEMO_ORGS);
	enum db_status s;
	while (n < 2 && (s = db_step(st)) == DB_ROW)
		orgs[n++] = db_col_i64(st, 0);
	db_reset(st);
	if (n == 0)
		return KQ_OK;
	struct arena *a = arena_new();
	int64_t now = time_now();
	enum kq_err e = KQ_OK;
	for (size_t i = 0; i < sizeof(demo_campaigns) / sizeof(demo_campaigns[0]) && e == KQ_OK; i++) {
		const struct demo_campaign *d = &demo_campaigns[i];
		const char *category = events_category_valid(d->category) ? d->category : "";
		st = db_stmt(db, &SQL_DEMO_INSERT);
		db_bind_i64(st, 1, orgs[i % (size_t)n]);
		db_bind_text(st, 2, d->slug);
		db_bind_text(st, 3, d->title);
		db_bind_text(st, 4, d->summary);
		db_bind_text(st, 5, d->story);
		db_bind_text(st, 6, markdown_to_html(a, d->story));
		db_bind_text(st, 7, category);
		db_bind_i64(st, 8, d->goal);
		db_bind_i64(st, 9, now);
		db_bind_i64(st, 10, now + (int64_t)(i ? 21 : 30) * 86400);
		db_bind_text(st, 11, d->model);
		s = db_step(st);
		int64_t id = s == DB_ROW ? db_col_i64(st, 0) : 0;
		db_reset(st);
		if (s < 0) {
			e = KQ_ERR_INTERNAL;
			break;
		}
		for (int t = 0; id && t < 3 && d->tiers[t].title; t++) {
			st = db_stmt(db, &SQL_DEMO_TIER);
			db_bind_i64(st, 1, id);
			db_bind_i64(st, 2, d->tiers[t].amount);
			db_bind_text(st, 3, d->tiers[t].title);
			db_bind_text(st, 4, d->tiers[t].description);
			db_bind_i64_or_null(st, 5, d->tiers[t].quantity);
			db_bind_text(st, 6, d->tiers[t].delivery);
			db_bind_i64(st, 7, now);
			if (db_run(st) < 0)
				e = KQ_ERR_INTERNAL;
		}
	}
	arena_free(a);
	return e;
}
