/* comments.c: comments on posts, events and campaigns, one level of replies, "J'aime": validation, rights, threading, rate limit.
 *
 * Each write runs in one transaction through db_txn_run, and the callback
 * does everything from the check of the account and of the subject to the
 * row, so a subject hidden or a comment deleted meanwhile is seen. A refusal
 * is reported in the context (x->err, x->fe) and returned as DB_HARD so
 * nothing is kept; a soft failure runs the whole callback again, so every
 * callback starts by clearing them.
 *
 * A page of the conversation is three statements, each through an index:
 * the count, the top-level comments after an id (comments_subject) and the
 * replies of those (comments_parent); likes and "did I like it" ride along
 * as correlated subqueries on the reactions' primary key, so a page of 50
 * threads costs the same three round trips whatever its replies. */
#include "comments.h"
#include "orgs.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <stdio.h>
#include <string.h>

static const char *const comment_kinds[] = { "post", "event", "campaign", NULL };
static const char *const reaction_kinds[] = { "post", "comment", "event", "campaign", NULL };

static bool in_list(const char *const *list, const char *s)
{
	if (!s)
		return false;
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

bool comments_kind_valid(const char *kind)
{
	return in_list(comment_kinds, kind);
}

bool reactions_kind_valid(const char *kind)
{
	return in_list(reaction_kinds, kind);
}

/* ---- subjects ------------------------------------------------------------------------------------ */

/* A subject everyone may see, with its organisation (not hidden either; a citizen's post has none). */
static const struct db_sql SQL_SUBJECT_POST = { "comments_subject_post",
	"SELECT p.id, COALESCE(p.org_id, 0), p.slug, p.title FROM posts p"
	" LEFT JOIN organisations o ON o.id = p.org_id"
	" WHERE p.id = $1 AND p.status = 'published' AND p.hidden_at IS NULL AND o.hidden_at IS NULL" };
static const struct db_sql SQL_SUBJECT_EVENT = { "comments_subject_event",
	"SELECT e.id, e.org_id, e.slug, e.title FROM events e JOIN organisations o ON o.id = e.org_id"
	" WHERE e.id = $1 AND e.status <> 'draft' AND e.hidden_at IS NULL AND o.hidden_at IS NULL" };
static const struct db_sql SQL_SUBJECT_CAMPAIGN = { "comments_subject_campaign",
	"SELECT c.id, c.org_id, c.slug, c.title FROM campaigns c JOIN organisations o ON o.id = c.org_id"
	" WHERE c.id = $1 AND c.status <> 'draft' AND o.hidden_at IS NULL" };

static enum db_status subject_read(struct db *db, struct arena *a, const char *kind, int64_t id,
				   struct comment_subject *out)
{
	const struct db_sql *q = NULL;
	if (kind && strcmp(kind, "post") == 0)
		q = &SQL_SUBJECT_POST;
	else if (kind && strcmp(kind, "event") == 0)
		q = &SQL_SUBJECT_EVENT;
	else if (kind && strcmp(kind, "campaign") == 0)
		q = &SQL_SUBJECT_CAMPAIGN;
	if (!q || id <= 0)
		return DB_NONE;
	struct db_stmt *st = db_stmt(db, q);
	db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->kind = q == &SQL_SUBJECT_POST ? "post" : q == &SQL_SUBJECT_EVENT ? "event" : "campaign";
		out->id = db_col_i64(st, 0);
		out->org_id = db_col_i64(st, 1);
		out->slug = db_col_str(st, 2, a);
		out->title = db_col_str(st, 3, a);
	}
	db_reset(st);
	return s;
}

enum kq_err comments_subject_get(struct db *db, struct arena *a, const char *kind, int64_t id,
				 struct comment_subject *out)
{
	memset(out, 0, sizeof(*out));
	enum db_status s = subject_read(db, a, kind, id, out);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

static const struct db_sql SQL_SLUG_POST = { "comments_slug_post",
	"SELECT id FROM posts WHERE slug = $1" };
static const struct db_sql SQL_SLUG_EVENT = { "comments_slug_event",
	"SELECT id FROM events WHERE slug = $1" };
static const struct db_sql SQL_SLUG_CAMPAIGN = { "comments_slug_campaign",
	"SELECT id FROM campaigns WHERE slug = $1" };

enum kq_err comments_subject_find(struct db *db, struct arena *a, const char *kind, const char *slug,
				  struct comment_subject *out)
{
	memset(out, 0, sizeof(*out));
	const struct db_sql *q = NULL;
	if (kind && strcmp(kind, "post") == 0)
		q = &SQL_SLUG_POST;
	else if (kind && strcmp(kind, "event") == 0)
		q = &SQL_SLUG_EVENT;
	else if (kind && strcmp(kind, "campaign") == 0)
		q = &SQL_SLUG_CAMPAIGN;
	if (!q || !slug || !*slug)
		return KQ_ERR_NOT_FOUND;
	struct db_stmt *st = db_stmt(db, q);
	db_bind_text(st, 1, slug);
	enum db_status s = db_step(st);
	int64_t id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	/* The visibility rules are those of comments_subject_get. */
	return id ? comments_subject_get(db, a, kind, id, out) : KQ_ERR_NOT_FOUND;
}

/* ---- reading ------------------------------------------------------------------------------------ */

/* The columns of a comment; $me is the reader's account (0: a visitor). */
#define C_COLS(me)                                                                               \
	"c.id, c.subject_kind, c.subject_id, COALESCE(c.parent_id, 0), COALESCE(c.author_id, 0),"  \
	" COALESCE(a.display_name, ''), c.body, c.created_at, COALESCE(c.edited_at, 0),"         \
	" c.deleted_at IS NOT NULL,"                                                             \
	" (SELECT COUNT(*) FROM reactions r WHERE r.subject_kind = 'comment'"                    \
	" AND r.subject_id = c.id),"                                                             \
	" EXISTS (SELECT 1 FROM reactions r WHERE r.subject_kind = 'comment'"                    \
	" AND r.subject_id = c.id AND r.account_id = " me ")"
#define C_NCOLS 12

static const struct db_sql SQL_TOP = { "comments_top",
	"SELECT " C_COLS("$4") " FROM comments c LEFT JOIN accounts a ON a.id = c.author_id"
	" WHERE c.subject_kind = $1 AND c.subject_id = $2 AND c.parent_id IS NULL AND c.id > $3"
	" AND c.hidden_at IS NULL AND (c.deleted_at IS NULL OR EXISTS (SELECT 1 FROM comments k"
	" WHERE k.parent_id = c.id AND k.deleted_at IS NULL AND k.hidden_at IS NULL))"
	" ORDER BY c.id LIMIT $5" };
/* The replies of the top-level comments whose ids are in ($3, $4]. */
static const struct db_sql SQL_REPLIES = { "comments_replies",
	"SELECT " C_COLS("$5") " FROM comments t JOIN comments c ON c.parent_id = t.id"
	" LEFT JOIN accounts a ON a.id = c.author_id"
	" WHERE t.subject_kind = $1 AND t.subject_id = $2 AND t.parent_id IS NULL"
	" AND t.id > $3 AND t.id <= $4 AND t.hidden_at IS NULL"
	" AND c.hidden_at IS NULL AND c.deleted_at IS NULL ORDER BY c.parent_id, c.id" };
static const struct db_sql SQL_COUNT = { "comments_count",
	"SELECT COUNT(*) FROM comments c WHERE c.subject_kind = $1 AND c.subject_id = $2"
	" AND c.deleted_at IS NULL AND c.hidden_at IS NULL AND (c.parent_id IS NULL OR NOT EXISTS"
	" (SELECT 1 FROM comments t WHERE t.id = c.parent_id AND t.hidden_at IS NOT NULL))" };
/* One comment with what decides whether it may be shown: hidden itself or
 * in a hidden thread. */
static const struct db_sql SQL_ONE = { "comments_one",
	"SELECT " C_COLS("$2") ", c.hidden_at IS NOT NULL OR EXISTS (SELECT 1 FROM comments t"
	" WHERE t.id = c.parent_id AND t.hidden_at IS NOT NULL)"
	" FROM comments c LEFT JOIN accounts a ON a.id = c.author_id WHERE c.id = $1" };

static void read_comment(struct db_stmt *st, struct arena *a, struct comment *c)
{
	memset(c, 0, sizeof(*c));
	c->id = db_col_i64(st, 0);
	c->subject_kind = db_col_str(st, 1, a);
	c->subject_id = db_col_i64(st, 2);
	c->parent_id = db_col_i64(st, 3);
	c->author_id = db_col_i64(st, 4);
	c->author_name = db_col_str(st, 5, a);
	c->body = db_col_str(st, 6, a);
	c->created_at = db_col_i64(st, 7);
	c->edited_at = db_col_i64(st, 8);
	c->is_deleted = db_col_bool(st, 9);
	c->likes = db_col_i64(st, 10);
	c->liked = db_col_bool(st, 11);
	if (c->is_deleted)
		c->body = "";
}

/* The comment id as stored, whatever its state. [out] *out, *out_hidden. */
static enum db_status one_read(struct db *db, const struct actor *who, struct arena *a, int64_t id,
			       struct comment *out, bool *out_hidden)
{
	struct db_stmt *st = db_stmt(db, &SQL_ONE);
	db_bind_i64(st, 1, id);
	db_bind_i64(st, 2, who ? who->account_id : 0);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		read_comment(st, a, out);
		*out_hidden = db_col_bool(st, C_NCOLS);
	}
	db_reset(st);
	return s;
}

/* May who publish for the organisation of the subject (or moderate)? */
static enum kq_err may_moderate(struct db *db, const struct actor *who, int64_t org_id,
				bool *out)
{
	*out = false;
	if (!who || !who->account_id)
		return KQ_OK;
	if (actor_is_moderator(who)) {
		*out = true;
		return KQ_OK;
	}
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_PUBLISH);
	if (e == KQ_ERR_INTERNAL)
		return e;
	*out = e == KQ_OK;
	return KQ_OK;
}

static void set_rights(struct comment *c, const struct actor *who, bool moderates)
{
	bool mine = who && who->account_id && c->author_id == who->account_id;
	c->can_edit = mine && !c->is_deleted;
	c->can_delete = !c->is_deleted && (mine || moderates);
}

struct list_call {
	const struct actor *who;
	struct arena *a;
	const char *kind;
	int64_t subject_id, after;
	struct comment_page *out;
	enum kq_err err;
};

static enum db_status list_txn(struct db *db, void *cls)
{
	struct list_call *c = cls;
	struct comment_page *pg = c->out;
	memset(pg, 0, sizeof(*pg));
	c->err = KQ_OK;
	struct comment_subject subj;
	enum db_status s = subject_read(db, c->a, c->kind, c->subject_id, &subj);
	if (s == DB_NONE)
		c->err = KQ_ERR_NOT_FOUND;
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	bool moderates = false;
	if ((c->err = may_moderate(db, c->who, subj.org_id, &moderates)) != KQ_OK)
		return DB_HARD;
	int64_t me = c->who ? c->who->account_id : 0;

	struct db_stmt *st = db_stmt(db, &SQL_COUNT);
	db_bind_text(st, 1, subj.kind);
	db_bind_i64(st, 2, subj.id);
	s = db_step(st);
	if (s == DB_ROW)
		pg->total = db_col_i64(st, 0);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;

	/* One more than a page tells whether there is a next one. */
	st = db_stmt(db, &SQL_TOP);
	db_bind_text(st, 1, subj.kind);
	db_bind_i64(st, 2, subj.id);
	db_bind_i64(st, 3, c->after);
	db_bind_i64(st, 4, me);
	db_bind_i64(st, 5, COMMENTS_PAGE + 1);
	struct comment *items = arena_alloc(c->a, sizeof(*items) * (COMMENTS_PAGE + 1));
	int n = 0;
	while ((s = db_step(st)) == DB_ROW && n < COMMENTS_PAGE + 1)
		read_comment(st, c->a, &items[n++]);
	db_reset(st);
	if (s < 0)
		return s;
	if (n > COMMENTS_PAGE) {
		n = COMMENTS_PAGE;
		pg->next_after = items[n - 1].id;
	}
	pg->items = items;
	pg->n = n;
	pg->has_prev = c->after > 0;
	if (n == 0)
		return DB_NONE;

	st = db_stmt(db, &SQL_REPLIES);
	db_bind_text(st, 1, subj.kind);
	db_bind_i64(st, 2, subj.id);
	db_bind_i64(st, 3, c->after);
	db_bind_i64(st, 4, items[n - 1].id);
	db_bind_i64(st, 5, me);
	int cap = 16, nr = 0;
	struct comment *replies = arena_alloc(c->a, sizeof(*replies) * (size_t)cap);
	while ((s = db_step(st)) == DB_ROW) {
		replies = arena_grow(c->a, replies, nr, &cap, sizeof(*replies));
		read_comment(st, c->a, &replies[nr++]);
	}
	db_reset(st);
	if (s < 0)
		return s;
	/* Both lists are in id order of the top-level comment: one merge. */
	int k = 0;
	for (int i = 0; i < n; i++) {
		set_rights(&items[i], c->who, moderates);
		while (k < nr && replies[k].parent_id < items[i].id)
			k++;
		items[i].replies = &replies[k];
		while (k < nr && replies[k].parent_id == items[i].id) {
			set_rights(&replies[k], c->who, moderates);
			items[i].nreplies++;
			k++;
		}
	}
	return DB_NONE;
}

enum kq_err comments_list(struct db *db, const struct actor *who, struct arena *a,
			  const char *kind, int64_t subject_id, int64_t after,
			  struct comment_page *out)
{
	struct list_call c = { who, a, kind, subject_id, after < 0 ? 0 : after, out, KQ_OK };
	enum db_status s = db_read_run(db, "comments_list", list_txn, &c);
	if (c.err != KQ_OK)
		return c.err;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

/* Counts at most a page of the threads before: enough to tell the first page. */
static const struct db_sql SQL_BEFORE = { "comments_before",
	"SELECT COUNT(*) FROM (SELECT 1 FROM comments c WHERE c.subject_kind = $1 AND c.subject_id = $2"
	" AND c.parent_id IS NULL AND c.id < $3 AND c.hidden_at IS NULL LIMIT $4) AS k" };

enum kq_err comments_page_of(struct db *db, const char *kind, int64_t subject_id, int64_t thread_id,
			     int64_t *out_after)
{
	*out_after = 0;
	struct db_stmt *st = db_stmt(db, &SQL_BEFORE);
	db_bind_text(st, 1, kind);
	db_bind_i64(st, 2, subject_id);
	db_bind_i64(st, 3, thread_id);
	db_bind_i64(st, 4, COMMENTS_PAGE);
	enum db_status s = db_step(st);
	int64_t before = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW)
		return KQ_ERR_INTERNAL;
	/* Deleted threads without replies are counted: the page may start a
	 * little earlier than needed, never later. */
	if (before >= COMMENTS_PAGE)
		*out_after = thread_id - 1;
	return KQ_OK;
}

enum kq_err comments_count(struct db *db, const char *kind, int64_t subject_id, int64_t *out_count)
{
	*out_count = 0;
	struct db_stmt *st = db_stmt(db, &SQL_COUNT);
	db_bind_text(st, 1, kind);
	db_bind_i64(st, 2, subject_id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		*out_count = db_col_i64(st, 0);
	db_reset(st);
	return s == DB_ROW ? KQ_OK : KQ_ERR_INTERNAL;
}

/* A comment everyone may see, and its subject. */
static enum kq_err get_visible(struct db *db, const struct actor *who, struct arena *a, int64_t id,
			       struct comment *out, struct comment_subject *out_subject)
{
	bool hidden = false;
	enum db_status s = one_read(db, who, a, id, out, &hidden);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (s == DB_NONE || hidden || out->is_deleted)
		return KQ_ERR_NOT_FOUND;
	s = subject_read(db, a, out->subject_kind, out->subject_id, out_subject);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	return s == DB_ROW ? KQ_OK : KQ_ERR_NOT_FOUND;
}

enum kq_err comments_get(struct db *db, const struct actor *who, struct arena *a, int64_t id,
			 struct comment *out, struct comment_subject *out_subject)
{
	struct comment_subject subj;
	enum kq_err e = get_visible(db, who, a, id, out, &subj);
	if (e != KQ_OK)
		return e;
	bool moderates = false;
	if ((e = may_moderate(db, who, subj.org_id, &moderates)) != KQ_OK)
		return e;
	set_rights(out, who, moderates);
	if (out_subject)
		*out_subject = subj;
	return KQ_OK;
}

/* ---- writing ------------------------------------------------------------------------------------- */

static const struct db_sql SQL_ACCOUNT = { "comments_account",
	"SELECT suspended_at IS NOT NULL FROM accounts WHERE id = $1" };
static const struct db_sql SQL_RECENT = { "comments_recent",
	"SELECT COUNT(*) FROM comments WHERE author_id = $1 AND created_at > $2" };
static const struct db_sql SQL_INSERT = { "comments_insert",
	"INSERT INTO comments (subject_kind, subject_id, parent_id, author_id, body, created_at)"
	" VALUES ($1, $2, $3, $4, $5, $6) RETURNING id" };
static const struct db_sql SQL_UPDATE = { "comments_update",
	"UPDATE comments SET body = $2, edited_at = $3 WHERE id = $1" };
static const struct db_sql SQL_DELETE = { "comments_delete",
	"UPDATE comments SET body = '', deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL" };

struct write_ctx {
	const struct actor *who;
	struct arena *a;
	struct field_errors *fe;
	const char *kind;
	int64_t subject_id, parent_id;
	const char *body;
	int64_t id;           /* update, delete: given; create: [out] */
	enum kq_err err;
};

static enum db_status refuse(struct write_ctx *x, enum kq_err e)
{
	x->err = e;
	return DB_HARD;
}

/* The account may write: it exists and is not suspended. */
static enum db_status check_account(struct db *db, struct write_ctx *x)
{
	struct db_stmt *st = db_stmt(db, &SQL_ACCOUNT);
	db_bind_i64(st, 1, x->who->account_id);
	enum db_status s = db_step(st);
	bool suspended = s == DB_ROW && db_col_bool(st, 0);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE)
		return refuse(x, KQ_ERR_AUTH_REQUIRED);
	if (suspended)
		return refuse(x, KQ_ERR_AUTH_SUSPENDED);
	return DB_NONE;
}

/* The text as stored: trimmed, CR LF made LF (a browser's textarea sends
 * CR LF; the limit counts what people see). */
static const char *normalise(struct arena *a, const char *body)
{
	char *t = str_trim(a, body);
	char *w = t;
	for (const char *r = t; *r; r++)
		if (!(r[0] == '\r' && r[1] == '\n'))
			*w++ = *r == '\r' ? '\n' : *r;
	*w = 0;
	return t;
}

static bool body_ok(const char *body, struct field_errors *fe)
{
	if (!*body) {
		field_error_add(fe, "body", "err.comments.body_missing");
		return false;
	}
	if (!str_text_ok(body, COMMENTS_BODY_MAX, true)) {
		field_error_add(fe, "body", "err.comments.body_invalid");
		return false;
	}
	return true;
}

static enum db_status create_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	memset(x->fe, 0, sizeof(*x->fe));
	enum db_status s = check_account(db, x);
	if (s < 0)
		return s;
	struct comment_subject subj;
	if ((s = subject_read(db, x->a, x->kind, x->subject_id, &subj)) < 0)
		return s;
	if (s == DB_NONE)
		return refuse(x, KQ_ERR_NOT_FOUND);
	int64_t parent = 0;
	if (x->parent_id) {
		struct comment p;
		bool hidden = false;
		if ((s = one_read(db, x->who, x->a, x->parent_id, &p, &hidden)) < 0)
			return s;
		/* A parent of another subject is refused as absent: the form's
		 * hidden fields are the caller's to change. */
		if (s == DB_NONE || hidden || p.is_deleted || p.subject_id != subj.id ||
		    strcmp(p.subject_kind, subj.kind) != 0)
			return refuse(x, KQ_ERR_NOT_FOUND);
		/* One level of replies: a reply to a reply joins its thread. */
		parent = p.parent_id ? p.parent_id : p.id;
	}
	if (!body_ok(x->body, x->fe))
		return refuse(x, KQ_ERR_FORM_INVALID);
	int64_t now = time_now();
	/* INVARIANT(comments-rate): at most COMMENTS_RATE_MAX comments a
	 * minute per account, deleted ones included (delete and post again
	 * is still posting). */
	struct db_stmt *st = db_stmt(db, &SQL_RECENT);
	db_bind_i64(st, 1, x->who->account_id);
	db_bind_i64(st, 2, now - COMMENTS_RATE_WINDOW);
	s = db_step(st);
	int64_t recent = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	if (recent >= COMMENTS_RATE_MAX)
		return refuse(x, KQ_ERR_COMMENTS_RATE_LIMITED);
	st = db_stmt(db, &SQL_INSERT);
	db_bind_text(st, 1, subj.kind);
	db_bind_i64(st, 2, subj.id);
	db_bind_i64_or_null(st, 3, parent);
	db_bind_i64(st, 4, x->who->account_id);
	db_bind_text(st, 5, x->body);
	db_bind_i64(st, 6, now);
	s = db_step(st);
	if (s == DB_ROW)
		x->id = db_col_i64(st, 0);
	db_reset(st);
	if (s == DB_NONE)
		return DB_HARD;
	return s < 0 ? s : DB_NONE;
}

static enum db_status update_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	memset(x->fe, 0, sizeof(*x->fe));
	enum db_status s = check_account(db, x);
	if (s < 0)
		return s;
	struct comment cur;
	struct comment_subject subj;
	enum kq_err e = get_visible(db, x->who, x->a, x->id, &cur, &subj);
	if (e != KQ_OK)
		return refuse(x, e);
	if (cur.author_id != x->who->account_id)
		return refuse(x, KQ_ERR_FORBIDDEN);
	if (!body_ok(x->body, x->fe))
		return refuse(x, KQ_ERR_FORM_INVALID);
	if (strcmp(cur.body, x->body) == 0)
		return DB_NONE;   /* "modifié" would tell of a change that was not made */
	struct db_stmt *st = db_stmt(db, &SQL_UPDATE);
	db_bind_i64(st, 1, cur.id);
	db_bind_text(st, 2, x->body);
	db_bind_i64(st, 3, time_now());
	return db_run(st);
}

static enum db_status delete_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	struct comment cur;
	struct comment_subject subj;
	enum kq_err e = get_visible(db, x->who, x->a, x->id, &cur, &subj);
	if (e != KQ_OK)
		return refuse(x, e);
	bool moderates = false;
	if ((e = may_moderate(db, x->who, subj.org_id, &moderates)) != KQ_OK)
		return refuse(x, e);
	if (cur.author_id != x->who->account_id && !moderates)
		return refuse(x, KQ_ERR_FORBIDDEN);
	struct db_stmt *st = db_stmt(db, &SQL_DELETE);
	db_bind_i64(st, 1, cur.id);
	db_bind_i64(st, 2, time_now());
	return db_run(st);
}

static enum kq_err run(struct db *db, const char *name, db_txn_fn fn, struct write_ctx *x)
{
	enum db_status s = db_txn_run(db, name, DB_WRITE, fn, x);
	if (x->err != KQ_OK)
		return x->err;
	if (s < 0) {
		log_error("%s: %s", name, db_errmsg(db));
		return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}

/* The comment just written, as its author sees it. */
static enum kq_err reread(struct db *db, const struct actor *who, struct arena *a, int64_t id,
			  struct comment *out)
{
	bool hidden = false;
	enum db_status s = one_read(db, who, a, id, out, &hidden);
	if (s != DB_ROW)
		return s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
	set_rights(out, who, false);
	return KQ_OK;
}

enum kq_err comments_create(struct db *db, const struct actor *who, const char *kind,
			    int64_t subject_id, int64_t parent_id, const char *body,
			    struct arena *a, struct field_errors *fe, struct comment *out)
{
	memset(fe, 0, sizeof(*fe));
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!comments_kind_valid(kind) || parent_id < 0)
		return KQ_ERR_NOT_FOUND;
	struct write_ctx x = { who, a, fe, kind, subject_id, parent_id, normalise(a, body),
			       0, KQ_OK };
	enum kq_err e = run(db, "comments_create", create_txn, &x);
	if (e != KQ_OK)
		return e;
	return reread(db, who, a, x.id, out);
}

enum kq_err comments_update(struct db *db, const struct actor *who, int64_t id, const char *body,
			    struct arena *a, struct field_errors *fe, struct comment *out)
{
	memset(fe, 0, sizeof(*fe));
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct write_ctx x = { who, a, fe, NULL, 0, 0, normalise(a, body), id, KQ_OK };
	enum kq_err e = run(db, "comments_update", update_txn, &x);
	if (e != KQ_OK)
		return e;
	return reread(db, who, a, id, out);
}

enum kq_err comments_delete(struct db *db, const struct actor *who, int64_t id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct field_errors fe = { 0 };
	struct write_ctx x = { who, a, &fe, NULL, 0, 0, "", id, KQ_OK };
	enum kq_err e = run(db, "comments_delete", delete_txn, &x);
	arena_free(a);
	return e;
}

/* ---- reactions ----------------------------------------------------------------------------------- */

static const struct db_sql SQL_LIKE = { "reactions_like",
	"INSERT INTO reactions (subject_kind, subject_id, account_id, created_at)"
	" VALUES ($1, $2, $3, $4) ON CONFLICT (subject_kind, subject_id, account_id) DO NOTHING" };
static const struct db_sql SQL_UNLIKE = { "reactions_unlike",
	"DELETE FROM reactions WHERE subject_kind = $1 AND subject_id = $2 AND account_id = $3" };
static const struct db_sql SQL_LIKES = { "reactions_likes",
	"SELECT COUNT(*) FROM reactions WHERE subject_kind = $1 AND subject_id = $2" };
static const struct db_sql SQL_LIKES_MANY = { "reactions_likes_many",
	"SELECT subject_id, COUNT(*), SUM(CASE WHEN account_id = $2 THEN 1 ELSE 0 END)"
	" FROM reactions WHERE subject_kind = $1 AND subject_id IN ($3, $4, $5, $6, $7, $8, $9,"
	" $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) GROUP BY subject_id" };

struct react_ctx {
	struct write_ctx x;
	bool on;
	int64_t count;
};

static enum db_status react_txn(struct db *db, void *cls)
{
	struct react_ctx *r = cls;
	struct write_ctx *x = &r->x;
	x->err = KQ_OK;
	enum db_status s = check_account(db, x);
	if (s < 0)
		return s;
	if (strcmp(x->kind, "comment") == 0) {
		struct comment c;
		struct comment_subject subj;
		enum kq_err e = get_visible(db, x->who, x->a, x->subject_id, &c, &subj);
		if (e != KQ_OK)
			return refuse(x, e);
	} else {
		struct comment_subject subj;
		if ((s = subject_read(db, x->a, x->kind, x->subject_id, &subj)) < 0)
			return s;
		if (s == DB_NONE)
			return refuse(x, KQ_ERR_NOT_FOUND);
	}
	/* INVARIANT(one-like): the primary key keeps one row per person and
	 * subject; a like that crosses another of the same person does nothing. */
	struct db_stmt *st = db_stmt(db, r->on ? &SQL_LIKE : &SQL_UNLIKE);
	db_bind_text(st, 1, x->kind);
	db_bind_i64(st, 2, x->subject_id);
	db_bind_i64(st, 3, x->who->account_id);
	if (r->on)
		db_bind_i64(st, 4, time_now());
	if ((s = db_run(st)) < 0)
		return s;
	st = db_stmt(db, &SQL_LIKES);
	db_bind_text(st, 1, x->kind);
	db_bind_i64(st, 2, x->subject_id);
	s = db_step(st);
	if (s == DB_ROW)
		r->count = db_col_i64(st, 0);
	db_reset(st);
	return s == DB_ROW ? DB_NONE : s < 0 ? s : DB_HARD;
}

enum kq_err reactions_set(struct db *db, const struct actor *who, const char *kind,
			  int64_t subject_id, bool on, int64_t *out_count)
{
	if (out_count)
		*out_count = 0;
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!reactions_kind_valid(kind) || subject_id <= 0)
		return KQ_ERR_NOT_FOUND;
	struct arena *a = arena_new();
	struct field_errors fe = { 0 };
	struct react_ctx r = { { who, a, &fe, kind, subject_id, 0, "", 0, KQ_OK }, on, 0 };
	enum kq_err e = run(db, "reactions_set", react_txn, &r.x);
	arena_free(a);
	if (e == KQ_OK && out_count)
		*out_count = r.count;
	return e;
}

enum kq_err reactions_counts(struct db *db, const struct actor *who, const char *kind,
			     const int64_t *ids, int n, int64_t *out_counts, bool *out_mine)
{
	for (int i = 0; i < n; i++) {
		out_counts[i] = 0;
		if (out_mine)
			out_mine[i] = false;
	}
	for (int base = 0; base < n; base += REACTIONS_BATCH) {
		struct db_stmt *st = db_stmt(db, &SQL_LIKES_MANY);
		db_bind_text(st, 1, kind);
		db_bind_i64(st, 2, who ? who->account_id : 0);
		/* Unused places get 0, which no row has. */
		for (int k = 0; k < REACTIONS_BATCH; k++)
			db_bind_i64(st, 3 + k, base + k < n ? ids[base + k] : 0);
		enum db_status s;
		while ((s = db_step(st)) == DB_ROW) {
			int64_t id = db_col_i64(st, 0);
			for (int i = base; i < n && i < base + REACTIONS_BATCH; i++)
				if (ids[i] == id) {
					out_counts[i] = db_col_i64(st, 1);
					if (out_mine)
						out_mine[i] = db_col_i64(st, 2) > 0;
				}
		}
		db_reset(st);
		if (s < 0)
			return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}

/* ---- the demo territory's conversation --------------------------------------------------------- */

static const struct db_sql SQL_DEMO_ACCOUNT = { "comments_demo_account",
	"SELECT id, display_name, platform_role FROM accounts WHERE email_lower = $1" };
static const struct db_sql SQL_DEMO_POST = { "comments_demo_post",
	"SELECT p.id FROM posts p JOIN organisations o ON o.id = p.org_id"
	" WHERE o.slug = $1 AND p.status = 'published' ORDER BY p.id LIMIT 1" };
static const struct db_sql SQL_DEMO_EVENT = { "comments_demo_event",
	"SELECT id FROM events WHERE status = 'published' ORDER BY id LIMIT 1" };
static const struct db_sql SQL_DEMO_DATE = { "comments_demo_date",
	"UPDATE comments SET created_at = $2 WHERE id = $1" };

/* reply: -1 a top-level comment; k >= 0 a reply to line k of this table. */
static const struct {
	const char *on;       /* post: the organisation's slug; "event": the first published event */
	const char *email, *body;
	int reply;
	int hours_ago;
} demo_comments[] = {
	{ "comite-des-fetes-vesqueval", "fatou.diallo@example.org",
	  "Je peux tenir la buvette le samedi après-midi, de 14 h à 18 h.\nÇa vous va ?", -1, 40 },
	{ "comite-des-fetes-vesqueval", "pierre.vignal@example.org",
	  "Parfait, merci Fatou ! Je vous inscris sur le planning.", 0, 38 },
	{ "comite-des-fetes-vesqueval", "lucie.fabre@example.org",
	  "Et pour le montage des chalets, il faut venir à quelle heure ?", -1, 30 },
	{ "comite-des-fetes-vesqueval", "camille.arnaud@example.org",
	  "Rendez-vous à 18 h devant la mairie, avec des gants si possible.", 2, 29 },
	{ "mairie-vesqueval", "thomas.chabert@example.org",
	  "Est-ce que le ramassage des poubelles est maintenu pendant les travaux ?", -1, 70 },
	{ "repare-et-partage", "ines.moreira@example.org",
	  "Super initiative ! Je viendrai avec ma vieille machine à coudre.", -1, 50 },
	{ "event", "lucie.fabre@example.org",
	  "Est-ce que c'est accessible en poussette ?", -1, 20 },
	{ "event", "antoine.reynaud@example.org",
	  "Oui, l'entrée est de plain-pied, on y est allés l'an dernier.", 6, 18 },
};

/* Likes: the demo line liked (-1: the post of comite-des-fetes), by whom. */
static const struct {
	int line;
	const char *email;
} demo_likes[] = {
	{ -1, "fatou.diallo@example.org" }, { -1, "lucie.fabre@example.org" },
	{ -1, "thomas.chabert@example.org" }, { 0, "pierre.vignal@example.org" },
	{ 0, "lucie.fabre@example.org" }, { 3, "lucie.fabre@example.org" },
	{ 5, "antoine.reynaud@example.org" }, { 7, "lucie.fabre@example.org" },
};

static enum kq_err demo_actor(struct db *db, struct arena *a, const char *email, struct actor *out)
{
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, &SQL_DEMO_ACCOUNT);
	db_bind_text(st, 1, email);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->account_id = db_col_i64(st, 0);
		out->display_name = db_col_str(st, 1, a);
		out->platform_role = db_col_str(st, 2, a);
		out->lang = "fr";
		out->is_verified = true;
	}
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

static enum kq_err demo_subject(struct db *db, const char *on, const char **out_kind,
				int64_t *out_id)
{
	bool ev = strcmp(on, "event") == 0;
	struct db_stmt *st = db_stmt(db, ev ? &SQL_DEMO_EVENT : &SQL_DEMO_POST);
	if (!ev)
		db_bind_text(st, 1, on);
	enum db_status s = db_step(st);
	*out_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	*out_kind = ev ? "event" : "post";
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

enum kq_err comments_load_demo(struct db *db)
{
	if (!db_in_txn(db))
		KQ_BUG("comments_load_demo outside a transaction");
	enum { N = sizeof(demo_comments) / sizeof(demo_comments[0]) };
	struct arena *a = arena_new();
	enum kq_err e = KQ_OK;
	int64_t ids[N] = { 0 };
	int64_t now = time_now();
	/* The demo is loaded in one go: the rate limit is for people, so the
	 * rows get their dates in the past as they are written. */
	for (size_t i = 0; e == KQ_OK && i < N; i++) {
		const char *kind;
		int64_t subject = 0;
		struct actor who;
		if ((e = demo_subject(db, demo_comments[i].on, &kind, &subject)) != KQ_OK ||
		    (e = demo_actor(db, a, demo_comments[i].email, &who)) != KQ_OK)
			break;
		if (!subject || !who.account_id)
			continue;   /* a demo without that post, event or person */
		int r = demo_comments[i].reply;
		int64_t parent = r >= 0 && (size_t)r < i ? ids[r] : 0;
		if (r >= 0 && !parent)
			continue;
		struct field_errors fe = { 0 };
		struct comment c;
		if ((e = comments_create(db, &who, kind, subject, parent, demo_comments[i].body, a, &fe,
					 &c)) != KQ_OK) {
			log_error("demo: comment %zu refused: %s", i, err_api_code(e));
			break;
		}
		ids[i] = c.id;
		struct db_stmt *st = db_stmt(db, &SQL_DEMO_DATE);
		db_bind_i64(st, 1, c.id);
		db_bind_i64(st, 2, now - (int64_t)demo_comments[i].hours_ago * 3600);
		if (db_run(st) < 0)
			e = KQ_ERR_INTERNAL;
	}
	for (size_t i = 0; e == KQ_OK && i < sizeof(demo_likes) / sizeof(demo_likes[0]); i++) {
		struct actor who;
		if ((e = demo_actor(db, a, demo_likes[i].email, &who)) != KQ_OK)
			break;
		int line = demo_likes[i].line;
		const char *kind = "comment";
		int64_t id = line >= 0 ? ids[line] : 0;
		if (line < 0 && (e = demo_subject(db, "comite-des-fetes-vesqueval", &kind, &id)) != KQ_OK)
			break;
		if (!id || !who.account_id)
			continue;
		if ((e = reactions_set(db, &who, kind, id, true, NULL)) != KQ_OK)
			log_error("demo: like %zu refused: %s", i, err_api_code(e));
	}
	arena_free(a);
	return e;
}
