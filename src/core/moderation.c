/* moderation.c: reports, the moderators' queue, hide/restore, suspensions, the audit log */
#include "moderation.h"
#include "events.h"
#include "notify.h"
#include "sessions.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

const char *const moderation_reasons[] = { "spam", "abuse", "illegal", "false", "other", NULL };

static const char *const kinds[] = { "post", "comment", "event", "organisation", "product", NULL };

bool moderation_kind_valid(const char *kind)
{
	for (int i = 0; kind && kinds[i]; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return true;
	return false;
}

static bool reason_valid(const char *reason)
{
	for (int i = 0; reason && moderation_reasons[i]; i++)
		if (strcmp(reason, moderation_reasons[i]) == 0)
			return true;
	return false;
}

static _Atomic uint64_t generation;

uint64_t moderation_generation(void)
{
	return generation;
}

/* ---- the content, whatever its kind ------------------------------------------------------------ */

/* Each kind answers the same columns: title, path, author id, author name,
 * organisation id, organisation name, hidden_at (0: shown). A draft post or
 * event, and a deleted comment, are not content one can report or hide. */
static const struct db_sql SQL_TARGET_POST = { "moderation_target_post",
	"SELECT p.title, '/actualites/' || p.slug, COALESCE(p.author_id, 0),"
	" COALESCE(a.display_name, ''), COALESCE(p.org_id, 0), COALESCE(o.name, ''),"
	" COALESCE(p.hidden_at, 0)"
	" FROM posts p LEFT JOIN accounts a ON a.id = p.author_id"
	" LEFT JOIN organisations o ON o.id = p.org_id"
	" WHERE p.id = $1 AND p.status = 'published'" };
static const struct db_sql SQL_TARGET_COMMENT = { "moderation_target_comment",
	"SELECT substr(c.body, 1, 120), '/commentaires/' || CAST(c.id AS TEXT),"
	" COALESCE(c.author_id, 0), COALESCE(a.display_name, ''), 0, '', COALESCE(c.hidden_at, 0)"
	" FROM comments c LEFT JOIN accounts a ON a.id = c.author_id"
	" WHERE c.id = $1 AND c.deleted_at IS NULL" };
static const struct db_sql SQL_TARGET_EVENT = { "moderation_target_event",
	"SELECT e.title, '/evenements/' || e.slug, 0, '', e.org_id, o.name, COALESCE(e.hidden_at, 0)"
	" FROM events e JOIN organisations o ON o.id = e.org_id"
	" WHERE e.id = $1 AND e.status <> 'draft'" };
static const struct db_sql SQL_TARGET_PRODUCT = { "moderation_target_product",
	"SELECT p.name, '/produits/' || p.slug, 0, '', p.org_id, o.name, COALESCE(p.hidden_at, 0)"
	" FROM products p JOIN organisations o ON o.id = p.org_id WHERE p.id = $1" };
static const struct db_sql SQL_TARGET_ORG = { "moderation_target_org",
	"SELECT o.name, '/organisations/' || o.slug, 0, '', o.id, o.name, COALESCE(o.hidden_at, 0)"
	" FROM organisations o WHERE o.id = $1" };

static const struct db_sql *target_sql(const char *kind)
{
	if (strcmp(kind, "product") == 0)
		return &SQL_TARGET_PRODUCT;
	switch (kind[0]) {
	case 'p': return &SQL_TARGET_POST;
	case 'c': return &SQL_TARGET_COMMENT;
	case 'e': return &SQL_TARGET_EVENT;
	default: return &SQL_TARGET_ORG;
	}
}

static enum kq_err target_load(struct db *db, struct arena *a, const char *kind, int64_t id,
			       struct moderation_target *out)
{
	memset(out, 0, sizeof(*out));
	if (!moderation_kind_valid(kind) || id <= 0)
		return KQ_ERR_NOT_FOUND;
	struct db_stmt *st = db_stmt(db, target_sql(kind));
	db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->kind = kind;
		out->id = id;
		out->title = db_col_str(st, 0, a);
		out->path = db_col_str(st, 1, a);
		out->author_id = db_col_i64(st, 2);
		out->author_name = db_col_str(st, 3, a);
		out->org_id = db_col_i64(st, 4);
		out->org_name = db_col_str(st, 5, a);
		out->hidden_at = db_col_i64(st, 6);
	}
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

struct target_call {
	struct arena *a;
	const char *kind;
	int64_t id;
	struct moderation_target *out;
	enum kq_err err;
};

static enum db_status target_txn(struct db *db, void *cls)
{
	struct target_call *c = cls;
	c->err = target_load(db, c->a, c->kind, c->id, c->out);
	return DB_NONE;
}

enum kq_err moderation_target_get(struct db *db, struct arena *a, const char *kind, int64_t id,
				  struct moderation_target *out)
{
	struct target_call c = { a, kind, id, out, KQ_OK };
	if (db_read_run(db, "moderation_target", target_txn, &c) < 0)
		return KQ_ERR_INTERNAL;
	return c.err;
}

static enum kq_err moderator_only(const struct actor *who)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	return actor_is_moderator(who) ? KQ_OK : KQ_ERR_FORBIDDEN;
}

/* ---- reporting ----------------------------------------------------------------------------------- */

static const struct db_sql SQL_RECENT_REPORTS = { "moderation_recent_reports",
	"SELECT COUNT(*) FROM reports WHERE reporter_id = $1 AND created_at > $2" };
static const struct db_sql SQL_OPEN_BY_ME = { "moderation_open_by_me",
	"SELECT id FROM reports WHERE target_kind = $1 AND target_id = $2 AND reporter_id = $3"
	" AND status = 'open'" };
static const struct db_sql SQL_REPORT_INSERT = { "moderation_report_insert",
	"INSERT INTO reports (target_kind, target_id, reporter_id, reason, details, created_at)"
	" VALUES ($1, $2, $3, $4, $5, $6)" };

struct report_call {
	const struct actor *who;
	const struct moderation_report_input *in;
	const char *details;
	struct arena *a;
	bool already;
	enum kq_err err;
};

static enum db_status report_txn(struct db *db, void *cls)
{
	struct report_call *x = cls;
	int64_t now = time_now();
	x->already = false;
	struct moderation_target t;
	x->err = target_load(db, x->a, x->in->kind, x->in->id, &t);
	if (x->err == KQ_OK && t.hidden_at)
		x->err = KQ_ERR_NOT_FOUND;
	if (x->err != KQ_OK)
		return DB_HARD;
	struct db_stmt *st = db_stmt(db, &SQL_OPEN_BY_ME);
	db_bind_text(st, 1, x->in->kind);
	db_bind_i64(st, 2, x->in->id);
	db_bind_i64(st, 3, x->who->account_id);
	enum db_status s = db_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_ROW) {
		x->already = true;
		return DB_NONE;
	}
	st = db_stmt(db, &SQL_RECENT_REPORTS);
	db_bind_i64(st, 1, x->who->account_id);
	db_bind_i64(st, 2, now - 3600);
	s = db_step(st);
	int64_t recent = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return s;
	if (recent >= MODERATION_REPORTS_PER_HOUR) {
		x->err = KQ_ERR_MODERATION_TOO_MANY;
		return DB_HARD;
	}
	st = db_stmt(db, &SQL_REPORT_INSERT);
	db_bind_text(st, 1, x->in->kind);
	db_bind_i64(st, 2, x->in->id);
	db_bind_i64(st, 3, x->who->account_id);
	db_bind_text(st, 4, x->in->reason);
	db_bind_text(st, 5, x->details);
	db_bind_i64(st, 6, now);
	s = db_run(st);
	/* Two reports by one person at once: the partial unique index keeps one,
	 * and the other run finds it. */
	if (s == DB_HARD && db_is_unique_violation(db))
		return DB_SOFT;
	return s;
}

enum kq_err moderation_report(struct db *db, const struct actor *who,
			      const struct moderation_report_input *in, struct field_errors *fe,
			      bool *out_already)
{
	*out_already = false;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!moderation_kind_valid(in->kind) || in->id <= 0)
		return KQ_ERR_NOT_FOUND;
	if (!reason_valid(in->reason))
		field_error_add(fe, "reason", "moderation.field.reason");
	if (in->details && !str_text_ok(in->details, MODERATION_DETAILS_MAX, true))
		field_error_add(fe, "details", "moderation.field.details");
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	struct arena *a = arena_new();
	struct report_call x = { who, in, str_trim(a, in->details), a, false, KQ_OK };
	enum db_status s = db_txn_run(db, "moderation_report", DB_WRITE, report_txn, &x);
	arena_free(a);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	*out_already = x.already;
	return KQ_OK;
}

/* ---- the queue ---------------------------------------------------------------------------------- */

static const struct db_sql SQL_QUEUE = { "moderation_queue",
	"SELECT target_kind, target_id, COUNT(*), MIN(created_at), MAX(created_at)"
	" FROM reports WHERE status = 'open' GROUP BY target_kind, target_id"
	" ORDER BY MIN(id) LIMIT $1" };
static const struct db_sql SQL_QUEUE_REASONS = { "moderation_queue_reasons",
	"SELECT DISTINCT reason FROM reports WHERE target_kind = $1 AND target_id = $2"
	" AND status = 'open' ORDER BY reason" };

struct queue_call {
	struct arena *a;
	struct moderation_queue_item *v;
	int n;
};

static enum db_status queue_txn(struct db *db, void *cls)
{
	struct queue_call *c = cls;
	struct arena *a = c->a;
	struct moderation_queue_item *raw = arena_alloc(a, sizeof(*raw) * MODERATION_QUEUE_MAX);
	struct db_stmt *st = db_stmt(db, &SQL_QUEUE);
	db_bind_i64(st, 1, MODERATION_QUEUE_MAX);
	enum db_status s = DB_NONE;
	int n = 0;
	while (n < MODERATION_QUEUE_MAX && (s = db_step(st)) == DB_ROW) {
		memset(&raw[n], 0, sizeof(raw[n]));
		raw[n].target.kind = db_col_str(st, 0, a);
		raw[n].target.id = db_col_i64(st, 1);
		raw[n].open_reports = db_col_i64(st, 2);
		raw[n].first_at = db_col_i64(st, 3);
		raw[n].last_at = db_col_i64(st, 4);
		n++;
	}
	db_reset(st);
	if (s < 0)
		return s;
	c->v = raw;
	c->n = 0;
	for (int i = 0; i < n; i++) {
		struct moderation_queue_item it = raw[i];
		enum kq_err e = target_load(db, a, it.target.kind, it.target.id, &it.target);
		if (e == KQ_ERR_NOT_FOUND)
			continue;   /* deleted since it was reported */
		if (e != KQ_OK)
			return DB_HARD;
		struct buf b = BUF_INIT;
		st = db_stmt(db, &SQL_QUEUE_REASONS);
		db_bind_text(st, 1, it.target.kind);
		db_bind_i64(st, 2, it.target.id);
		while ((s = db_step(st)) == DB_ROW)
			buf_printf(&b, "%s%s", b.len ? "," : "", db_col_text(st, 0));
		db_reset(st);
		it.reasons = arena_strdup(a, buf_str(&b));
		buf_free(&b);
		if (s < 0)
			return s;
		raw[c->n++] = it;
	}
	return DB_NONE;
}

enum kq_err moderation_queue(struct db *db, const struct actor *who, struct arena *a,
			     struct moderation_queue_item **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = moderator_only(who);
	if (e != KQ_OK)
		return e;
	struct queue_call c = { a, NULL, 0 };
	if (db_read_run(db, "moderation_queue", queue_txn, &c) < 0)
		return KQ_ERR_INTERNAL;
	*out = c.v;
	*out_n = c.n;
	return KQ_OK;
}

/* ---- history of a content or an account ------------------------------------------------------------ */

static const struct db_sql SQL_REPORTS_OF = { "moderation_reports_of",
	"SELECT r.id, r.reason, r.details, r.status, COALESCE(a.display_name, ''), r.created_at,"
	" COALESCE(r.closed_at, 0)"
	" FROM reports r LEFT JOIN accounts a ON a.id = r.reporter_id"
	" WHERE r.target_kind = $1 AND r.target_id = $2"
	" ORDER BY CASE WHEN r.status = 'open' THEN 0 ELSE 1 END, r.id DESC LIMIT 200" };
#define ACT_COLS                                                                                 \
	"SELECT l.id, l.action, l.target_kind, l.target_id, l.note,"                             \
	" COALESCE(a.display_name, ''), l.created_at"                                            \
	" FROM moderation_log l LEFT JOIN accounts a ON a.id = l.moderator_id"
static const struct db_sql SQL_ACTS_OF = { "moderation_acts_of",
	ACT_COLS " WHERE l.target_kind = $1 AND l.target_id = $2 ORDER BY l.id DESC LIMIT 200" };
static const struct db_sql SQL_LOG_PAGE = { "moderation_log_page",
	ACT_COLS " WHERE (CAST($1 AS BIGINT) = 0 OR l.id < CAST($1 AS BIGINT))"
	" ORDER BY l.id DESC LIMIT $2" };

static enum db_status read_acts(struct db_stmt *st, struct arena *a, struct moderation_act **out,
				int *out_n)
{
	int cap = 16, n = 0;
	struct moderation_act *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		struct moderation_act *x = &v[n++];
		x->id = db_col_i64(st, 0);
		x->action = db_col_str(st, 1, a);
		x->target_kind = db_col_str(st, 2, a);
		x->target_id = db_col_i64(st, 3);
		x->note = db_col_str(st, 4, a);
		x->moderator_name = db_col_str(st, 5, a);
		x->created_at = db_col_i64(st, 6);
	}
	db_reset(st);
	*out = v;
	*out_n = n;
	return s;
}

struct history_call {
	struct arena *a;
	const char *kind;
	int64_t id;
	struct moderation_target *t;
	struct moderation_report *reports;
	int nreports;
	struct moderation_act *acts;
	int nacts;
	enum kq_err err;
};

static enum db_status history_txn(struct db *db, void *cls)
{
	struct history_call *c = cls;
	struct arena *a = c->a;
	c->err = target_load(db, a, c->kind, c->id, c->t);
	if (c->err != KQ_OK)
		return DB_NONE;
	struct db_stmt *st = db_stmt(db, &SQL_REPORTS_OF);
	db_bind_text(st, 1, c->kind);
	db_bind_i64(st, 2, c->id);
	int cap = 16;
	c->reports = arena_alloc(a, sizeof(*c->reports) * (size_t)cap);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		c->reports = arena_grow(a, c->reports, c->nreports, &cap, sizeof(*c->reports));
		struct moderation_report *r = &c->reports[c->nreports++];
		r->id = db_col_i64(st, 0);
		r->reason = db_col_str(st, 1, a);
		r->details = db_col_str(st, 2, a);
		r->status = db_col_str(st, 3, a);
		r->reporter_name = db_col_str(st, 4, a);
		r->created_at = db_col_i64(st, 5);
		r->closed_at = db_col_i64(st, 6);
	}
	db_reset(st);
	if (s < 0)
		return s;
	st = db_stmt(db, &SQL_ACTS_OF);
	db_bind_text(st, 1, c->kind);
	db_bind_i64(st, 2, c->id);
	return read_acts(st, a, &c->acts, &c->nacts);
}

enum kq_err moderation_target_history(struct db *db, const struct actor *who, struct arena *a,
				      const char *kind, int64_t id, struct moderation_target *out,
				      struct moderation_report **out_reports, int *out_nreports,
				      struct moderation_act **out_acts, int *out_nacts)
{
	*out_reports = NULL;
	*out_acts = NULL;
	*out_nreports = *out_nacts = 0;
	enum kq_err e = moderator_only(who);
	if (e != KQ_OK)
		return e;
	if (!moderation_kind_valid(kind))
		return KQ_ERR_NOT_FOUND;
	struct history_call c = { a, kind, id, out, NULL, 0, NULL, 0, KQ_OK };
	if (db_read_run(db, "moderation_history", history_txn, &c) < 0)
		return KQ_ERR_INTERNAL;
	if (c.err != KQ_OK)
		return c.err;
	*out_reports = c.reports;
	*out_nreports = c.nreports;
	*out_acts = c.acts;
	*out_nacts = c.nacts;
	return KQ_OK;
}

struct log_call {
	struct arena *a;
	int64_t before;
	struct moderation_act *v;
	int n;
};

static enum db_status log_txn(struct db *db, void *cls)
{
	struct log_call *c = cls;
	struct db_stmt *st = db_stmt(db, &SQL_LOG_PAGE);
	db_bind_i64(st, 1, c->before > 0 ? c->before : 0);
	db_bind_i64(st, 2, MODERATION_LOG_PAGE);
	return read_acts(st, c->a, &c->v, &c->n);
}

enum kq_err moderation_log(struct db *db, const struct actor *who, struct arena *a, int64_t before,
			   struct moderation_act **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	enum kq_err e = moderator_only(who);
	if (e != KQ_OK)
		return e;
	struct log_call c = { a, before, NULL, 0 };
	if (db_read_run(db, "moderation_log", log_txn, &c) < 0)
		return KQ_ERR_INTERNAL;
	*out = c.v;
	*out_n = c.n;
	return KQ_OK;
}

/* ---- acts: hide, restore, dismiss ------------------------------------------------------------------ */

static const struct db_sql SQL_LOG_INSERT = { "moderation_log_insert",
	"INSERT INTO moderation_log (moderator_id, action, target_kind, target_id, note, created_at)"
	" VALUES ($1, $2, $3, $4, $5, $6)" };
static const struct db_sql SQL_CLOSE_REPORTS = { "moderation_close_reports",
	"UPDATE reports SET status = $3, closed_at = $4, closed_by = $5"
	" WHERE target_kind = $1 AND target_id = $2 AND status = 'open'" };

/* Hide ($2 = now) or restore ($2 = NULL): each statement changes a row only
 * when it is in the other state, so two moderators acting at once make one act. */
#define HIDE_SQL(table)                                                                          \
	"UPDATE " table " SET hidden_at = CAST($2 AS BIGINT) WHERE id = $1 AND"                  \
	" ((CAST($2 AS BIGINT) IS NOT NULL AND hidden_at IS NULL)"                               \
	"  OR (CAST($2 AS BIGINT) IS NULL AND hidden_at IS NOT NULL))"
static const struct db_sql SQL_HIDE_POST = { "moderation_hide_post", HIDE_SQL("posts") };
static const struct db_sql SQL_HIDE_COMMENT = { "moderation_hide_comment", HIDE_SQL("comments") };
static const struct db_sql SQL_HIDE_EVENT = { "moderation_hide_event", HIDE_SQL("events") };
static const struct db_sql SQL_HIDE_ORG = { "moderation_hide_org", HIDE_SQL("organisations") };
static const struct db_sql SQL_HIDE_PRODUCT = { "moderation_hide_product", HIDE_SQL("products") };

static const struct db_sql *hide_sql(const char *kind)
{
	if (strcmp(kind, "product") == 0)
		return &SQL_HIDE_PRODUCT;
	switch (kind[0]) {
	case 'p': return &SQL_HIDE_POST;
	case 'c': return &SQL_HIDE_COMMENT;
	case 'e': return &SQL_HIDE_EVENT;
	default: return &SQL_HIDE_ORG;
	}
}

/* Who is told: the author of a post or comment; the owners of the
 * organisation of an event, of an organisation, and of a post without author. */
static const struct db_sql SQL_ACCOUNT_MAIL = { "moderation_account_mail",
	"SELECT email, lang FROM accounts WHERE id = $1" };
static const struct db_sql SQL_OWNERS_MAIL = { "moderation_owners_mail",
	"SELECT a.email, a.lang FROM org_members m JOIN accounts a ON a.id = m.account_id"
	" WHERE m.org_id = $1 AND m.role = 'owner' ORDER BY a.id LIMIT 20" };

static enum db_status mail_one(struct db *db, struct arena *a, const char *to, const char *lang,
			       const char *what, const char *const *vars)
{
	lang = i18n_lang_or_fr(lang);
	const char *subject = i18n_fill(a, i18n_get(lang, arena_printf(a, "moderation.mail.%s.subject",
									     what)), vars);
	const char *body = i18n_fill(a, i18n_get(lang, arena_printf(a, "moderation.mail.%s.body", what)),
				     vars);
	return notify_enqueue(db, to, subject, body, NULL);
}

static enum db_status tell_author(struct db *db, struct arena *a, const struct moderation_target *t,
				  const char *what, const char *note)
{
	const char *link = arena_printf(a, "%s%s", core_settings()->base_url, t->path);
	const char *vars[] = { "title", t->title, "note", note, "link", link, NULL };
	struct db_stmt *st;
	if (t->author_id) {
		st = db_stmt(db, &SQL_ACCOUNT_MAIL);
		db_bind_i64(st, 1, t->author_id);
	} else if (t->org_id) {
		st = db_stmt(db, &SQL_OWNERS_MAIL);
		db_bind_i64(st, 1, t->org_id);
	} else {
		return DB_NONE;
	}
	/* Read every address first: a statement stays open across no other. */
	const char *to[20], *lang[20];
	int n = 0;
	enum db_status s;
	while (n < 20 && (s = db_step(st)) == DB_ROW) {
		to[n] = db_col_str(st, 0, a);
		lang[n] = db_col_str(st, 1, a);
		n++;
	}
	db_reset(st);
	if (n < 20 && s < 0)
		return s;
	for (int i = 0; i < n; i++)
		if ((s = mail_one(db, a, to[i], lang[i], what, vars)) < 0)
			return s;
	return DB_NONE;
}

static enum db_status log_act(struct db *db, int64_t moderator, const char *action, const char *kind,
			      int64_t id, const char *note, int64_t now)
{
	struct db_stmt *st = db_stmt(db, &SQL_LOG_INSERT);
	db_bind_i64(st, 1, moderator);
	db_bind_text(st, 2, action);
	db_bind_text(st, 3, kind);
	db_bind_i64(st, 4, id);
	db_bind_text(st, 5, note);
	db_bind_i64(st, 6, now);
	return db_run(st);
}

static enum db_status close_reports(struct db *db, const char *kind, int64_t id, const char *status,
				    int64_t moderator, int64_t now, int64_t *out_n)
{
	struct db_stmt *st = db_stmt(db, &SQL_CLOSE_REPORTS);
	db_bind_text(st, 1, kind);
	db_bind_i64(st, 2, id);
	db_bind_text(st, 3, status);
	db_bind_i64(st, 4, now);
	db_bind_i64(st, 5, moderator);
	enum db_status s = db_run(st);
	*out_n = s < 0 ? 0 : db_changes(st);
	return s;
}

enum act { ACT_HIDE, ACT_RESTORE, ACT_DISMISS };

struct act_call {
	const struct actor *who;
	enum act act;
	const char *kind;
	int64_t id;
	const char *note;
	struct arena *a;
	enum kq_err err;
};

static enum db_status act_txn(struct db *db, void *cls)
{
	struct act_call *x = cls;
	int64_t now = time_now(), closed = 0, me = x->who->account_id;
	struct moderation_target t;
	x->err = target_load(db, x->a, x->kind, x->id, &t);
	if (x->err != KQ_OK)
		return DB_HARD;
	enum db_status s;
	if (x->act == ACT_DISMISS) {
		if ((s = close_reports(db, x->kind, x->id, "dismissed", me, now, &closed)) < 0)
			return s;
		if (!closed) {
			x->err = KQ_ERR_MODERATION_STATE;
			return DB_HARD;
		}
		return log_act(db, me, "dismiss", x->kind, x->id, x->note, now);
	}
	struct db_stmt *st = db_stmt(db, hide_sql(x->kind));
	db_bind_i64(st, 1, x->id);
	if (x->act == ACT_HIDE)
		db_bind_i64(st, 2, now);
	else
		db_bind_null(st, 2);
	if ((s = db_run(st)) < 0)
		return s;
	if (db_changes(st) != 1) {
		x->err = KQ_ERR_MODERATION_STATE;
		return DB_HARD;
	}
	if (x->act == ACT_HIDE &&
	    (s = close_reports(db, x->kind, x->id, "actioned", me, now, &closed)) < 0)
		return s;
	const char *action = x->act == ACT_HIDE ? "hide" : "restore";
	if ((s = log_act(db, me, action, x->kind, x->id, x->note, now)) < 0)
		return s;
	return tell_author(db, x->a, &t, action, x->note);
}

static enum kq_err act(struct db *db, const struct actor *who, enum act what, const char *kind,
		       int64_t id, const char *note, struct field_errors *fe)
{
	enum kq_err e = moderator_only(who);
	if (e != KQ_OK)
		return e;
	if (!moderation_kind_valid(kind) || id <= 0)
		return KQ_ERR_NOT_FOUND;
	bool need_note = what != ACT_DISMISS;
	if ((need_note && str_empty(note)) ||
	    (note && !str_text_ok(note, MODERATION_NOTE_MAX, true)))
		field_error_add(fe, "note", "moderation.field.note");
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	struct arena *a = arena_new();
	struct act_call x = { who, what, kind, id, str_trim(a, note), a, KQ_OK };
	enum db_status s = db_txn_run(db, "moderation_act", DB_WRITE, act_txn, &x);
	arena_free(a);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	if (what != ACT_DISMISS) {
		generation++;
		if (kind[0] == 'e')
			events_changed();   /* the agenda's short cache */
	}
	return KQ_OK;
}

enum kq_err moderation_hide(struct db *db, const struct actor *who, const char *kind, int64_t id,
			    const char *note, struct field_errors *fe)
{
	return act(db, who, ACT_HIDE, kind, id, note, fe);
}

enum kq_err moderation_restore(struct db *db, const struct actor *who, const char *kind, int64_t id,
			       const char *note, struct field_errors *fe)
{
	return act(db, who, ACT_RESTORE, kind, id, note, fe);
}

enum kq_err moderation_dismiss(struct db *db, const struct actor *who, const char *kind, int64_t id,
			       const char *note, struct field_errors *fe)
{
	return act(db, who, ACT_DISMISS, kind, id, note, fe);
}

/* ---- accounts -------------------------------------------------------------------------------------- */

static const struct db_sql SQL_ACCOUNT = { "moderation_account",
	"SELECT id, display_name, email, platform_role, created_at, COALESCE(suspended_at, 0), lang"
	" FROM accounts WHERE id = $1" };
static const struct db_sql SQL_SUSPEND = { "moderation_suspend",
	"UPDATE accounts SET suspended_at = CAST($2 AS BIGINT) WHERE id = $1 AND"
	" ((CAST($2 AS BIGINT) IS NOT NULL AND suspended_at IS NULL)"
	"  OR (CAST($2 AS BIGINT) IS NULL AND suspended_at IS NOT NULL))" };

static enum db_status account_load(struct db *db, struct arena *a, int64_t id,
				   struct moderation_account *out, const char **out_lang)
{
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, &SQL_ACCOUNT);
	db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->id = db_col_i64(st, 0);
		out->display_name = db_col_str(st, 1, a);
		out->email = db_col_str(st, 2, a);
		out->platform_role = db_col_str(st, 3, a);
		out->created_at = db_col_i64(st, 4);
		out->suspended_at = db_col_i64(st, 5);
		if (out_lang)
			*out_lang = db_col_str(st, 6, a);
	}
	db_reset(st);
	return s;
}

struct account_call {
	struct arena *a;
	int64_t id;
	struct moderation_account *out;
	struct moderation_act *acts;
	int nacts;
	enum kq_err err;
};

static enum db_status account_txn(struct db *db, void *cls)
{
	struct account_call *c = cls;
	enum db_status s = account_load(db, c->a, c->id, c->out, NULL);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		c->err = KQ_ERR_NOT_FOUND;
		return DB_NONE;
	}
	struct db_stmt *st = db_stmt(db, &SQL_ACTS_OF);
	db_bind_text(st, 1, "account");
	db_bind_i64(st, 2, c->id);
	return read_acts(st, c->a, &c->acts, &c->nacts);
}

enum kq_err moderation_account_get(struct db *db, const struct actor *who, struct arena *a,
				   int64_t account_id, struct moderation_account *out,
				   struct moderation_act **out_acts, int *out_nacts)
{
	*out_acts = NULL;
	*out_nacts = 0;
	memset(out, 0, sizeof(*out));
	enum kq_err e = moderator_only(who);
	if (e != KQ_OK)
		return e;
	struct account_call c = { a, account_id, out, NULL, 0, KQ_OK };
	if (db_read_run(db, "moderation_account", account_txn, &c) < 0)
		return KQ_ERR_INTERNAL;
	if (c.err != KQ_OK)
		return c.err;
	*out_acts = c.acts;
	*out_nacts = c.nacts;
	return KQ_OK;
}

struct suspend_call {
	const struct actor *who;
	int64_t id;
	bool suspend;
	const char *note;
	struct arena *a;
	enum kq_err err;
};

static enum db_status suspend_txn(struct db *db, void *cls)
{
	struct suspend_call *x = cls;
	int64_t now = time_now();
	struct moderation_account acc;
	const char *lang = "fr";
	enum db_status s = account_load(db, x->a, x->id, &acc, &lang);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		x->err = KQ_ERR_NOT_FOUND;
		return DB_HARD;
	}
	/* Nobody suspends themself or an admin; only an admin suspends a moderator. */
	bool target_staff = acc.platform_role[0] != 0;
	if (acc.id == x->who->account_id || acc.platform_role[0] == 'a' ||
	    (target_staff && !actor_is_admin(x->who))) {
		x->err = KQ_ERR_FORBIDDEN;
		return DB_HARD;
	}
	struct db_stmt *st = db_stmt(db, &SQL_SUSPEND);
	db_bind_i64(st, 1, x->id);
	if (x->suspend)
		db_bind_i64(st, 2, now);
	else
		db_bind_null(st, 2);
	if ((s = db_run(st)) < 0)
		return s;
	if (db_changes(st) != 1) {
		x->err = KQ_ERR_MODERATION_STATE;
		return DB_HARD;
	}
	if (x->suspend && (s = sessions_delete_all(db, x->id, NULL)) < 0)
		return s;
	const char *action = x->suspend ? "suspend" : "unsuspend";
	if ((s = log_act(db, x->who->account_id, action, "account", x->id, x->note, now)) < 0)
		return s;
	const char *vars[] = { "name", acc.display_name, "note", x->note, "link",
			       core_settings()->base_url, NULL };
	return mail_one(db, x->a, acc.email, lang, action, vars);
}

static enum kq_err suspend(struct db *db, const struct actor *who, int64_t account_id, bool on,
			   const char *note, struct field_errors *fe)
{
	enum kq_err e = moderator_only(who);
	if (e != KQ_OK)
		return e;
	if (account_id <= 0)
		return KQ_ERR_NOT_FOUND;
	if (str_empty(note) || !str_text_ok(note, MODERATION_NOTE_MAX, true))
		field_error_add(fe, "note", "moderation.field.note");
	if (fe->n)
		return KQ_ERR_FORM_INVALID;
	struct arena *a = arena_new();
	struct suspend_call x = { who, account_id, on, str_trim(a, note), a, KQ_OK };
	enum db_status s = db_txn_run(db, "moderation_suspend", DB_WRITE, suspend_txn, &x);
	arena_free(a);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	return KQ_OK;
}

enum kq_err moderation_suspend(struct db *db, const struct actor *who, int64_t account_id,
			       const char *note, struct field_errors *fe)
{
	return suspend(db, who, account_id, true, note, fe);
}

enum kq_err moderation_unsuspend(struct db *db, const struct actor *who, int64_t account_id,
				 const char *note, struct field_errors *fe)
{
	return suspend(db, who, account_id, false, note, fe);
}
