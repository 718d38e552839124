/* posts.c: news posts of organisations and citizens: validation, images, permissions, Markdown at save, the wall, an organisation's latest.
 *
 * Each write runs in one transaction through db_txn_run, and the callback
 * does everything from reading the current row to the image: the check of
 * who may publish, the validation, the slug, the row. A refusal is reported
 * in the context (x->err, x->fe) and returned as DB_HARD so nothing is kept;
 * a soft failure runs the whole callback again, so every callback starts by
 * clearing them. */
#include "posts.h"
#include "slugs.h"
#include "markdown.h"
#include "orgs.h"
#include "moderation.h"
#include "feed.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static const char *const statuses[] = { "draft", "published", NULL };
/* Path words under /actualites that a slug must not take. */
static const char *const reserved_slugs[] = { "nouvelle", "flux", NULL };

static bool in_list(const char *const *list, const char *s)
{
	if (!s)
		return false;
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

bool posts_status_valid(const char *status)
{
	return in_list(statuses, status);
}

/* ---- reading ------------------------------------------------------------------------------------ */

/* A post with its organisation (none for a citizen's post), its author's
 * public name and its first image; the count of its images. */
#define POST_COLS                                                                                \
	"p.id, COALESCE(p.org_id, 0), p.slug, p.title, p.body, p.body_html, p.status,"           \
	" COALESCE(p.published_at, 0), COALESCE(o.slug, ''), COALESCE(o.name, ''),"              \
	" COALESCE(o.kind, ''), COALESCE(o.logo_upload_id, 0), COALESCE(lu.sha256, ''),"         \
	" COALESCE(c.name, ''), COALESCE(p.author_id, 0), COALESCE(ac.display_name, ''),"        \
	" CASE WHEN ac.id IS NOT NULL AND ac.suspended_at IS NULL THEN 1 ELSE 0 END,"            \
	" p.created_at, p.updated_at, COALESCE(p.hidden_at, 0),"                                 \
	" (SELECT COUNT(*) FROM post_images x WHERE x.post_id = p.id),"                          \
	" COALESCE(pi.id, 0), COALESCE(pi.alt, ''), COALESCE(pi.upload_id, 0),"                  \
	" COALESCE(pi.thumb_upload_id, 0), COALESCE(u.sha256, ''), COALESCE(tu.sha256, ''),"     \
	" COALESCE(pi.width, 0), COALESCE(pi.height, 0), COALESCE(pi.thumb_width, 0),"           \
	" COALESCE(pi.thumb_height, 0)"
#define POST_JOINS                                                                               \
	" LEFT JOIN organisations o ON o.id = p.org_id"                                          \
	" LEFT JOIN communes c ON c.id = o.commune_id"                                           \
	" LEFT JOIN accounts ac ON ac.id = p.author_id"                                          \
	" LEFT JOIN post_images pi ON pi.post_id = p.id AND pi.position = 1"                     \
	" LEFT JOIN uploads u ON u.id = pi.upload_id"                                            \
	" LEFT JOIN uploads tu ON tu.id = pi.thumb_upload_id"                                    \
	" LEFT JOIN uploads lu ON lu.id = o.logo_upload_id"

static const struct db_sql SQL_GET_SLUG = { "posts_get_slug",
	"SELECT " POST_COLS " FROM posts p" POST_JOINS " WHERE p.slug = $1" };
static const struct db_sql SQL_GET_ID = { "posts_get_id",
	"SELECT " POST_COLS " FROM posts p" POST_JOINS " WHERE p.id = $1" };
static const struct db_sql SQL_IMAGES = { "posts_images",
	"SELECT pi.id, pi.position, pi.alt, pi.upload_id, pi.thumb_upload_id, u.sha256, tu.sha256,"
	" pi.width, pi.height, pi.thumb_width, pi.thumb_height FROM post_images pi"
	" JOIN uploads u ON u.id = pi.upload_id JOIN uploads tu ON tu.id = pi.thumb_upload_id"
	" WHERE pi.post_id = $1 ORDER BY pi.position" };

/* The wall. $1 INSEE code of the organisation's commune (''), $2 kind of
 * organisation or 'citizen' (''), $3 one organisation (0), $4 one
 * citizen's own posts (0); pages add the cursor $5, $6 and the limit $7.
 * Public: published, not hidden, of no hidden organisation. An unknown code
 * or kind matches nothing. */
#define WALL_WHERE                                                                               \
	" WHERE p.status = 'published' AND p.hidden_at IS NULL"                                  \
	" AND (o.id IS NULL OR o.hidden_at IS NULL)"                                             \
	" AND ($1 = '' OR c.insee = $1)"                                                         \
	" AND ($2 = '' OR o.kind = $2 OR ($2 = 'citizen' AND p.org_id IS NULL))"                 \
	" AND (CAST($3 AS BIGINT) = 0 OR p.org_id = CAST($3 AS BIGINT))"                         \
	" AND (CAST($4 AS BIGINT) = 0 OR (p.author_id = CAST($4 AS BIGINT) AND p.org_id IS NULL))"
/* The count stops at POSTS_WALL_COUNT_MAX + 1: counting a territory's 200,000
 * posts took half a second a page; walking the wall's index from the newest
 * post to the thousand-and-first takes a millisecond. */
#define STR_(x) #x
#define STR(x) STR_(x)
static const struct db_sql SQL_WALL_COUNT = { "posts_wall_count",
	"SELECT COUNT(*) FROM (SELECT 1 FROM posts p LEFT JOIN organisations o ON o.id = p.org_id"
	" LEFT JOIN communes c ON c.id = o.commune_id" WALL_WHERE
	" ORDER BY p.published_at DESC, p.id DESC LIMIT " STR(POSTS_WALL_COUNT_MAX) " + 1) x" };
/* INVARIANT(cursor): a page is what comes strictly after (published_at, id)
 * in the wall's order, so posts published meanwhile (newer, or the same
 * second with a larger id) land before the cursor and move nothing. */
static const struct db_sql SQL_WALL_PAGE = { "posts_wall_page",
	"SELECT " POST_COLS " FROM posts p" POST_JOINS WALL_WHERE
	" AND (CAST($5 AS BIGINT) = 0 OR p.published_at < CAST($5 AS BIGINT)"
	"  OR (p.published_at = CAST($5 AS BIGINT) AND p.id < CAST($6 AS BIGINT)))"
	" ORDER BY p.published_at DESC, p.id DESC LIMIT $7" };
/* One organisation's latest ($1 the organisation, $2 the limit): what
 * everyone sees walks posts_org backwards and stops at the limit; its
 * publishers' list puts the drafts first, and sorts (they are few). */
static const struct db_sql SQL_ORG_LATEST = { "posts_org_latest",
	"SELECT " POST_COLS " FROM posts p" POST_JOINS
	" WHERE p.org_id = $1 AND p.status = 'published' AND p.hidden_at IS NULL"
	" ORDER BY p.published_at DESC, p.id DESC LIMIT $2" };
static const struct db_sql SQL_ORG_LATEST_DRAFTS = { "posts_org_latest_drafts",
	"SELECT " POST_COLS " FROM posts p" POST_JOINS
	" WHERE p.org_id = $1 AND p.hidden_at IS NULL"
	" ORDER BY CASE WHEN p.status = 'draft' THEN 0 ELSE 1 END,"
	" COALESCE(p.published_at, p.updated_at) DESC, p.id DESC LIMIT $2" };

static void read_post(struct db_stmt *st, struct arena *a, struct post *p)
{
	memset(p, 0, sizeof(*p));
	p->id = db_col_i64(st, 0);
	p->org_id = db_col_i64(st, 1);
	p->slug = db_col_str(st, 2, a);
	p->title = db_col_str(st, 3, a);
	p->body = db_col_str(st, 4, a);
	p->body_html = db_col_str(st, 5, a);
	p->status = db_col_str(st, 6, a);
	p->published_at = db_col_i64(st, 7);
	p->org_slug = db_col_str(st, 8, a);
	p->org_name = db_col_str(st, 9, a);
	p->org_kind = db_col_str(st, 10, a);
	p->org_logo_upload_id = db_col_i64(st, 11);
	p->org_logo_sha256 = db_col_str(st, 12, a);
	p->commune_name = db_col_str(st, 13, a);
	p->author_id = db_col_i64(st, 14);
	p->author_name = db_col_str(st, 15, a);
	p->author_public = db_col_i64(st, 16) != 0;
	p->created_at = db_col_i64(st, 17);
	p->updated_at = db_col_i64(st, 18);
	p->hidden_at = db_col_i64(st, 19);
	p->image_count = (int)db_col_i64(st, 20);
	struct post_image *c = &p->cover;
	c->id = db_col_i64(st, 21);
	c->position = c->id ? 1 : 0;
	c->alt = db_col_str(st, 22, a);
	c->upload_id = db_col_i64(st, 23);
	c->thumb_upload_id = db_col_i64(st, 24);
	c->sha256 = db_col_str(st, 25, a);
	c->thumb_sha256 = db_col_str(st, 26, a);
	c->width = (int)db_col_i64(st, 27);
	c->height = (int)db_col_i64(st, 28);
	c->thumb_width = (int)db_col_i64(st, 29);
	c->thumb_height = (int)db_col_i64(st, 30);
}

static enum db_status load_images(struct db *db, struct arena *a, struct post *p)
{
	struct db_stmt *st = db_stmt(db, &SQL_IMAGES);
	db_bind_i64(st, 1, p->id);
	struct post_image *v = arena_alloc(a, sizeof(*v) * POSTS_IMAGES_MAX);
	int n = 0;
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW && n < POSTS_IMAGES_MAX) {
		struct post_image *im = &v[n++];
		im->id = db_col_i64(st, 0);
		im->position = (int)db_col_i64(st, 1);
		im->alt = db_col_str(st, 2, a);
		im->upload_id = db_col_i64(st, 3);
		im->thumb_upload_id = db_col_i64(st, 4);
		im->sha256 = db_col_str(st, 5, a);
		im->thumb_sha256 = db_col_str(st, 6, a);
		im->width = (int)db_col_i64(st, 7);
		im->height = (int)db_col_i64(st, 8);
		im->thumb_width = (int)db_col_i64(st, 9);
		im->thumb_height = (int)db_col_i64(st, 10);
	}
	db_reset(st);
	p->images = v;
	p->nimages = n;
	return s < 0 ? s : DB_NONE;
}

static enum kq_err get_now(struct db *db, struct arena *a, const char *slug, int64_t id,
			   struct post *out)
{
	struct db_stmt *st = db_stmt(db, slug ? &SQL_GET_SLUG : &SQL_GET_ID);
	if (slug)
		db_bind_text(st, 1, slug);
	else
		db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_post(st, a, out);
	db_reset(st);
	if (s == DB_ROW)
		s = load_images(db, a, out) < 0 ? DB_HARD : DB_ROW;
	if (s == DB_ROW)
		return KQ_OK;
	return s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

enum kq_err posts_authorize(struct db *db, const struct actor *who, const struct post *p)
{
	if (p->org_id)
		return orgs_authorize(db, who, p->org_id, ORG_ACT_PUBLISH);
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (who->account_id == p->author_id || actor_is_admin(who))
		return KQ_OK;
	return KQ_ERR_FORBIDDEN;
}

/* A hidden post exists only for moderators; a draft only for those who may change it. */
static enum kq_err visible(struct db *db, const struct actor *who, const struct post *p)
{
	if (p->hidden_at && !actor_is_moderator(who))
		return KQ_ERR_NOT_FOUND;
	if (strcmp(p->status, "draft") != 0)
		return KQ_OK;
	enum kq_err e = posts_authorize(db, who, p);
	return e == KQ_ERR_INTERNAL ? e : e == KQ_OK ? KQ_OK : KQ_ERR_NOT_FOUND;
}

enum kq_err posts_get(struct db *db, const struct actor *who, struct arena *a, const char *slug,
		      struct post *out)
{
	if (!str_slug_valid(slug))
		return KQ_ERR_NOT_FOUND;
	enum kq_err e = get_now(db, a, slug, 0, out);
	return e != KQ_OK ? e : visible(db, who, out);
}

enum kq_err posts_get_id(struct db *db, const struct actor *who, struct arena *a, int64_t id,
			 struct post *out)
{
	enum kq_err e = get_now(db, a, NULL, id, out);
	return e != KQ_OK ? e : visible(db, who, out);
}

enum kq_err posts_image_get(struct db *db, const struct actor *who, struct arena *a,
			    const char *slug, int position, bool thumb, struct upload *out)
{
	struct post p;
	enum kq_err e = posts_get(db, who, a, slug, &p);
	if (e != KQ_OK)
		return e;
	for (int i = 0; i < p.nimages; i++)
		if (p.images[i].position == position)
			return uploads_get(db, a, thumb ? p.images[i].thumb_upload_id
							: p.images[i].upload_id, out);
	return KQ_ERR_NOT_FOUND;
}

const char *posts_cursor(struct arena *a, const struct post *p)
{
	return arena_printf(a, "%lld-%lld", (long long)p->published_at, (long long)p->id);
}

bool posts_cursor_parse(const char *s, int64_t *out_published_at, int64_t *out_id)
{
	*out_published_at = *out_id = 0;
	if (!s)
		return false;
	const char *dash = strchr(s, '-');
	if (!dash || dash == s || dash - s > 19)
		return false;
	char t[20];
	memcpy(t, s, (size_t)(dash - s));
	t[dash - s] = 0;
	int64_t when = 0, id = 0;
	if (!str_to_i64(t, &when) || !str_to_i64(dash + 1, &id) || when <= 0 || id <= 0)
		return false;
	*out_published_at = when;
	*out_id = id;
	return true;
}

struct wall_call {
	struct arena *a;
	const struct post_filter *f;
	struct post **out;
	int *out_n;
	int64_t *out_total;
	bool *out_more;
};

/* Reads up to cap rows; *out_more tells whether one more was there. */
static enum db_status collect(struct db_stmt *st, struct arena *a, int cap, struct post **out,
			      int *out_n, bool *out_more)
{
	struct post *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	int n = 0;
	bool more = false;
	enum db_status s = DB_NONE;
	while ((s = db_step(st)) == DB_ROW) {
		if (n == cap) {
			more = true;
			s = DB_NONE;
			break;
		}
		read_post(st, a, &v[n++]);
	}
	db_reset(st);
	*out = v;
	*out_n = n;
	if (out_more)
		*out_more = more;
	return s < 0 ? s : DB_NONE;
}

/* The wall's count, kept COUNT_TTL seconds per filter: counting walks up to a thousand posts
 * (2 ms on the benchmark's 200,000), the page itself twenty. A write of this process and a
 * moderation act drop it at once; posts of another process show within COUNT_TTL. */
#define COUNT_SLOTS 32
#define COUNT_TTL 5
static _Atomic uint64_t posts_gen;
static pthread_mutex_t count_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char key[256];
	int64_t n, expires;
} count_cache[COUNT_SLOTS];
static unsigned count_next;

static void count_key(char *key, size_t n, const struct post_filter *f)
{
	snprintf(key, n, "%llu|%llu|%s|%s|%lld|%lld", (unsigned long long)atomic_load(&posts_gen),
		 (unsigned long long)moderation_generation(), f->commune ? f->commune : "",
		 f->kind ? f->kind : "", (long long)f->org_id, (long long)f->author_id);
}

static bool count_get(const char *key, int64_t *out)
{
	int64_t now = time_now();
	bool hit = false;
	pthread_mutex_lock(&count_mu);
	for (int i = 0; i < COUNT_SLOTS && !hit; i++)
		if (count_cache[i].expires > now && strcmp(count_cache[i].key, key) == 0) {
			*out = count_cache[i].n;
			hit = true;
		}
	pthread_mutex_unlock(&count_mu);
	return hit;
}

static void count_put(const char *key, int64_t n)
{
	pthread_mutex_lock(&count_mu);
	unsigned i = count_next++ % COUNT_SLOTS;
	snprintf(count_cache[i].key, sizeof(count_cache[i].key), "%s", key);
	count_cache[i].n = n;
	count_cache[i].expires = time_now() + COUNT_TTL;
	pthread_mutex_unlock(&count_mu);
}

static void bind_wall(struct db_stmt *st, const struct post_filter *f)
{
	db_bind_text(st, 1, f->commune ? f->commune : "");
	db_bind_text(st, 2, f->kind ? f->kind : "");
	db_bind_i64(st, 3, f->org_id > 0 ? f->org_id : 0);
	db_bind_i64(st, 4, f->author_id > 0 ? f->author_id : 0);
}

static enum db_status wall_txn(struct db *db, void *cls)
{
	struct wall_call *c = cls;
	int limit = c->f->limit < 1 ? 1 : c->f->limit > POSTS_PAGE_MAX ? POSTS_PAGE_MAX : c->f->limit;

	char key[256];
	count_key(key, sizeof(key), c->f);
	if (!count_get(key, c->out_total)) {
		struct db_stmt *cst = db_stmt(db, &SQL_WALL_COUNT);
		bind_wall(cst, c->f);
		enum db_status cs = db_step(cst);
		if (cs == DB_ROW)
			*c->out_total = db_col_i64(cst, 0);
		db_reset(cst);
		if (cs != DB_ROW)
			return cs < 0 ? cs : DB_HARD;
		count_put(key, *c->out_total);
	}
	struct db_stmt *st = db_stmt(db, &SQL_WALL_PAGE);
	bind_wall(st, c->f);
	bool cursor = c->f->before_published_at > 0 && c->f->before_id > 0;
	db_bind_i64(st, 5, cursor ? c->f->before_published_at : 0);
	db_bind_i64(st, 6, cursor ? c->f->before_id : 0);
	db_bind_i64(st, 7, limit + 1);   /* one more tells whether older posts follow */
	return collect(st, c->a, limit, c->out, c->out_n, c->out_more);
}

enum kq_err posts_wall(struct db *db, struct arena *a, const struct post_filter *f,
		       struct post **out, int *out_n, int64_t *out_total, bool *out_more)
{
	*out = NULL;
	*out_n = 0;
	*out_total = 0;
	*out_more = false;
	struct wall_call c = { a, f, out, out_n, out_total, out_more };
	if (db_read_run(db, "posts_wall", wall_txn, &c) < 0)
		return KQ_ERR_INTERNAL;
	return KQ_OK;
}

enum kq_err posts_of_org(struct db *db, const struct actor *who, struct arena *a, int64_t org_id,
			 int limit, struct post **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	if (limit < 1)
		limit = 1;
	if (limit > POSTS_PAGE_MAX)
		limit = POSTS_PAGE_MAX;
	bool drafts = false;
	if (who && who->account_id) {
		enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_PUBLISH);
		if (e == KQ_ERR_INTERNAL)
			return e;
		drafts = e == KQ_OK;
	}
	struct db_stmt *st = db_stmt(db, drafts ? &SQL_ORG_LATEST_DRAFTS : &SQL_ORG_LATEST);
	db_bind_i64(st, 1, org_id);
	db_bind_i64(st, 2, limit);
	return collect(st, a, limit, out, out_n, NULL) < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

/* ---- people ------------------------------------------------------------------------------------ */

static const struct db_sql SQL_PERSON = { "posts_person",
	"SELECT id, display_name, created_at FROM accounts WHERE id = $1 AND suspended_at IS NULL" };
static const struct db_sql SQL_PERSON_ORGS = { "posts_person_orgs",
	"SELECT o.slug, o.name, o.kind FROM org_members m JOIN organisations o ON o.id = m.org_id"
	" WHERE m.account_id = $1 AND o.hidden_at IS NULL ORDER BY o.name, o.id LIMIT 50" };

struct person_call {
	struct arena *a;
	int64_t id;
	struct person *out;
	bool found;
};

static enum db_status person_txn(struct db *db, void *cls)
{
	struct person_call *c = cls;
	struct db_stmt *st = db_stmt(db, &SQL_PERSON);
	db_bind_i64(st, 1, c->id);
	enum db_status s = db_step(st);
	c->found = s == DB_ROW;
	if (s == DB_ROW) {
		c->out->id = db_col_i64(st, 0);
		c->out->display_name = db_col_str(st, 1, c->a);
		c->out->since = db_col_i64(st, 2);
	}
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;
	st = db_stmt(db, &SQL_PERSON_ORGS);
	db_bind_i64(st, 1, c->id);
	struct person_org *v = arena_alloc(c->a, sizeof(*v) * 50);
	int n = 0;
	while ((s = db_step(st)) == DB_ROW && n < 50) {
		v[n].slug = db_col_str(st, 0, c->a);
		v[n].name = db_col_str(st, 1, c->a);
		v[n].kind = db_col_str(st, 2, c->a);
		n++;
	}
	db_reset(st);
	c->out->orgs = v;
	c->out->norgs = n;
	return s < 0 ? s : DB_NONE;
}

enum kq_err posts_person_get(struct db *db, struct arena *a, int64_t account_id,
			     struct person *out)
{
	memset(out, 0, sizeof(*out));
	if (account_id <= 0)
		return KQ_ERR_NOT_FOUND;
	struct person_call c = { a, account_id, out, false };
	if (db_read_run(db, "posts_person", person_txn, &c) < 0)
		return KQ_ERR_INTERNAL;
	return c.found ? KQ_OK : KQ_ERR_NOT_FOUND;
}

/* ---- writing ------------------------------------------------------------------------------------- */

static const struct db_sql SQL_SLUG_USED = { "posts_slug_used",
	"SELECT 1 FROM posts WHERE slug = $1" };
static const struct db_sql SQL_INSERT = { "posts_insert",
	"INSERT INTO posts (org_id, slug, title, body, body_html, status,"
	" published_at, author_id, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id" };
static const struct db_sql SQL_UPDATE = { "posts_update",
	"UPDATE posts SET title = $2, body = $3, body_html = $4,"
	" status = $5, published_at = $6, updated_at = $7 WHERE id = $1" };
static const struct db_sql SQL_DELETE = { "posts_delete",
	"DELETE FROM posts WHERE id = $1" };
static const struct db_sql SQL_SUSPENDED = { "posts_suspended",
	"SELECT CASE WHEN suspended_at IS NULL THEN 0 ELSE 1 END FROM accounts WHERE id = $1" };
static const struct db_sql SQL_IMAGE_INSERT = { "posts_image_insert",
	"INSERT INTO post_images (post_id, position, upload_id, thumb_upload_id, alt, width, height,"
	" thumb_width, thumb_height, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)" };
static const struct db_sql SQL_IMAGE_DELETE = { "posts_image_delete",
	"DELETE FROM post_images WHERE id = $1" };
static const struct db_sql SQL_IMAGE_MOVE = { "posts_image_move",
	"UPDATE post_images SET position = $2 WHERE id = $1" };
static const struct db_sql SQL_IMAGE_ALT = { "posts_image_alt",
	"UPDATE post_images SET alt = $2 WHERE id = $1" };

/* A free slug from the title: "marche-de-noel", then "marche-de-noel-2"... */
static enum db_status free_slug(struct db *db, struct arena *a, const char *title,
				const char **out)
{
	static const struct slug_rule rule = { &SQL_SLUG_USED, "actualite", 50, reserved_slugs };
	return slug_free(db, a, title, &rule, out);
}

/* A new image, checked and re-encoded before any transaction (the slow part). */
struct prepared_image {
	const char *alt;
	struct upload_image v[2];   /* [0] for the post's page, [1] the wall's thumbnail */
};

struct write_ctx {
	const struct actor *who;
	const struct post_input *in;
	struct arena *a;
	struct field_errors *fe;
	const struct field_errors *image_fe;   /* found while preparing the images */
	const struct prepared_image *images;
	int nimages;
	int64_t org_id;
	int64_t post_id;      /* update, delete: given; create: [out] */
	enum kq_err err;
};

/* The values to store: what was given, else the current ones (update), else empty. */
struct norm {
	const char *title, *body, *status;
};

static const char *pick(struct arena *a, const char *given, const char *current, bool trim)
{
	if (given)
		return trim ? str_trim(a, given) : given;
	return current ? current : "";
}

static bool alt_ok(struct arena *a, const char *alt)
{
	if (!alt)
		return false;
	const char *t = str_trim(a, alt);
	size_t len = str_utf8_len(t);
	return str_text_ok(t, SIZE_MAX, false) && len >= 1 && len <= POSTS_ALT_MAX;
}

/* Checks and re-encodes the new images of in (two versions each); errors go to fe. */
static void prepare_images(struct arena *a, const struct post_input *in, struct field_errors *fe,
			   struct prepared_image **out, int *out_n)
{
	static const int widths[2] = { POSTS_IMAGE_WIDTH, POSTS_THUMB_WIDTH };
	int given = 0;
	for (int i = 0; i < in->nimages; i++)
		given += in->images[i].len > 0;
	*out = arena_alloc(a, sizeof(**out) * (size_t)(given ? given : 1));
	*out_n = 0;
	if (given > POSTS_IMAGES_MAX) {   /* refused before any decoding */
		field_error_add(fe, "images", "err.posts.too_many_images");
		return;
	}
	for (int i = 0; i < in->nimages; i++) {
		const struct post_image_input *im = &in->images[i];
		if (!im->len)
			continue;
		const char *field = arena_printf(a, "image_%d", i + 1);
		bool alt_good = alt_ok(a, im->alt);
		if (!alt_good)
			field_error_add(fe, arena_printf(a, "alt_%d", i + 1), "err.posts.alt_invalid");
		enum kq_err e = KQ_OK;
		if (im->len > POSTS_IMAGE_BYTES_MAX)
			e = KQ_ERR_POSTS_IMAGE_TOO_LARGE;
		else if (!uploads_sniff_image(im->bytes, im->len))
			e = KQ_ERR_UPLOAD_BAD_TYPE;
		struct prepared_image *p = &(*out)[*out_n];
		if (e == KQ_OK && alt_good)
			e = uploads_image_versions(a, im->bytes, im->len, widths, 2, p->v);
		if (e != KQ_OK) {
			field_error_add(fe, field, err_msg_key(e));
			continue;
		}
		if (!alt_good)
			continue;
		p->alt = str_trim(a, im->alt);
		(*out_n)++;
	}
}

static void validate(const struct norm *n, struct field_errors *fe)
{
	size_t len = str_utf8_len(n->title);
	if (!str_text_ok(n->title, SIZE_MAX, false) || len < POSTS_TITLE_MIN || len > POSTS_TITLE_MAX)
		field_error_add(fe, "title", "err.posts.title_invalid");
	if (!str_text_ok(n->body, POSTS_BODY_MAX, true))
		field_error_add(fe, "body", "err.posts.body_invalid");
	if (!posts_status_valid(n->status))
		field_error_add(fe, "status", "err.posts.status_invalid");
}

static void merge_errors(struct field_errors *fe, const struct field_errors *from)
{
	for (int i = 0; from && i < from->n; i++)
		field_error_add(fe, from->e[i].field, from->e[i].key);
}

static enum db_status refuse(struct write_ctx *x, enum kq_err e)
{
	x->err = e;
	return DB_HARD;
}

/* May who write at all? A suspended account may not (AUTH_SUSPENDED). */
static enum kq_err may_write(struct db *db, const struct actor *who)
{
	struct db_stmt *st = db_stmt(db, &SQL_SUSPENDED);
	db_bind_i64(st, 1, who->account_id);
	enum db_status s = db_step(st);
	bool suspended = s == DB_ROW && db_col_i64(st, 0) != 0;
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (s == DB_NONE)
		return KQ_ERR_AUTH_REQUIRED;   /* the account is gone */
	return suspended ? KQ_ERR_AUTH_SUSPENDED : KQ_OK;
}

/* The rights to create: a citizen's post needs only an account in good standing. */
static enum kq_err may_create(struct db *db, const struct actor *who, int64_t org_id)
{
	enum kq_err e = may_write(db, who);
	if (e == KQ_OK && org_id)
		e = orgs_authorize(db, who, org_id, ORG_ACT_PUBLISH);
	return e;
}

/* Stores the prepared images after position `after`. Inside the transaction. */
static enum db_status store_images(struct db *db, struct write_ctx *x, int64_t post_id, int after)
{
	int64_t now = time_now();
	for (int i = 0; i < x->nimages; i++) {
		const struct prepared_image *p = &x->images[i];
		int64_t big = 0, small = 0;
		enum db_status s = uploads_insert(db, p->v[0].bytes, p->v[0].len, p->v[0].content_type,
						  x->who->account_id, &big);
		if (s < 0)
			return s;
		if ((s = uploads_insert(db, p->v[1].bytes, p->v[1].len, p->v[1].content_type,
					x->who->account_id, &small)) < 0)
			return s;
		struct db_stmt *st = db_stmt(db, &SQL_IMAGE_INSERT);
		db_bind_i64(st, 1, post_id);
		db_bind_i64(st, 2, after + i + 1);
		db_bind_i64(st, 3, big);
		db_bind_i64(st, 4, small);
		db_bind_text(st, 5, p->alt);
		db_bind_i64(st, 6, p->v[0].width);
		db_bind_i64(st, 7, p->v[0].height);
		db_bind_i64(st, 8, p->v[1].width);
		db_bind_i64(st, 9, p->v[1].height);
		db_bind_i64(st, 10, now);
		if ((s = db_run(st)) < 0)
			return s;
	}
	return DB_NONE;
}

/* Deletes one image row and its uploads (one upload for images of before 0020). */
static enum db_status drop_image(struct db *db, const struct post_image *im)
{
	struct db_stmt *st = db_stmt(db, &SQL_IMAGE_DELETE);
	db_bind_i64(st, 1, im->id);
	enum db_status s = db_run(st);
	if (s >= 0)
		s = uploads_delete(db, im->upload_id);
	if (s >= 0 && im->thumb_upload_id != im->upload_id)
		s = uploads_delete(db, im->thumb_upload_id);
	return s;
}

static enum db_status create_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	memset(x->fe, 0, sizeof(*x->fe));
	enum kq_err e = may_create(db, x->who, x->org_id);
	if (e != KQ_OK)
		return refuse(x, e);
	struct norm n = { pick(x->a, x->in->title, NULL, true), pick(x->a, x->in->body, NULL, false),
			  x->in->status ? x->in->status : "draft" };
	validate(&n, x->fe);
	merge_errors(x->fe, x->image_fe);
	if (x->fe->n)
		return refuse(x, KQ_ERR_FORM_INVALID);
	enum db_status s;
	const char *slug;
	if ((s = free_slug(db, x->a, n.title, &slug)) < 0)
		return s;
	int64_t now = time_now();
	struct db_stmt *st = db_stmt(db, &SQL_INSERT);
	db_bind_i64_or_null(st, 1, x->org_id);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, n.title);
	db_bind_text(st, 4, n.body);
	db_bind_text(st, 5, markdown_to_html(x->a, n.body));
	db_bind_text(st, 6, n.status);
	db_bind_i64_or_null(st, 7, strcmp(n.status, "published") == 0 ? now : 0);
	db_bind_i64_or_null(st, 8, x->who->account_id);
	db_bind_i64(st, 9, now);
	s = db_step(st);
	if (s == DB_ROW)
		x->post_id = db_col_i64(st, 0);
	db_reset(st);
	/* Someone took the slug between our look and our insert: run again. */
	if (s == DB_HARD && db_is_unique_violation(db))
		return DB_SOFT;
	if (s == DB_NONE)
		return DB_HARD;
	if (s < 0)
		return s;
	if ((s = store_images(db, x, x->post_id, 0)) < 0)
		return s;
	return feed_timeline_add_post(db, x->post_id);   /* into its followers' home feeds */
}

static bool in_ids(const int64_t *ids, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static enum db_status update_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	memset(x->fe, 0, sizeof(*x->fe));
	struct post cur;
	enum kq_err e = get_now(db, x->a, NULL, x->post_id, &cur);
	if (e == KQ_OK)
		e = posts_authorize(db, x->who, &cur);
	if (e == KQ_OK)
		e = may_write(db, x->who);
	if (e != KQ_OK)
		return refuse(x, e);
	struct norm n = { pick(x->a, x->in->title, cur.title, true),
			  pick(x->a, x->in->body, cur.body, false),
			  x->in->status ? x->in->status : cur.status };
	validate(&n, x->fe);
	merge_errors(x->fe, x->image_fe);
	/* The images kept, then the new ones: at most POSTS_IMAGES_MAX in all. */
	int kept = 0;
	for (int i = 0; i < cur.nimages; i++)
		kept += !in_ids(x->in->remove_image_ids, x->in->nremove, cur.images[i].id);
	if (kept + x->nimages > POSTS_IMAGES_MAX && !field_error_get(x->fe, "images"))
		field_error_add(x->fe, "images", "err.posts.too_many_images");
	for (int i = 0; i < x->in->nalts; i++) {
		const struct post_image_alt *al = &x->in->alts[i];
		bool mine = false;
		for (int k = 0; k < cur.nimages; k++)
			mine = mine || cur.images[k].id == al->image_id;
		/* An alt for an image of another post is not ours to change: NOT_FOUND. */
		if (!mine)
			return refuse(x, KQ_ERR_NOT_FOUND);
		if (!alt_ok(x->a, al->alt))
			field_error_add(x->fe, arena_printf(x->a, "alt_image_%lld", (long long)al->image_id),
					"err.posts.alt_invalid");
	}
	if (x->fe->n)
		return refuse(x, KQ_ERR_FORM_INVALID);
	int64_t now = time_now();
	/* The first publication dates the post; later edits keep that date. */
	int64_t published_at = cur.published_at;
	if (!published_at && strcmp(n.status, "published") == 0)
		published_at = now;
	struct db_stmt *st = db_stmt(db, &SQL_UPDATE);
	db_bind_i64(st, 1, cur.id);
	db_bind_text(st, 2, n.title);
	db_bind_text(st, 3, n.body);
	db_bind_text(st, 4, x->in->body || !*cur.body_html ? markdown_to_html(x->a, n.body)
							   : cur.body_html);
	db_bind_text(st, 5, n.status);
	db_bind_i64_or_null(st, 6, published_at);
	db_bind_i64(st, 7, now);
	enum db_status s = db_run(st);
	if (s < 0)
		return s;
	for (int i = 0; i < x->in->nalts; i++) {
		st = db_stmt(db, &SQL_IMAGE_ALT);
		db_bind_i64(st, 1, x->in->alts[i].image_id);
		db_bind_text(st, 2, str_trim(x->a, x->in->alts[i].alt));
		if ((s = db_run(st)) < 0)
			return s;
	}
	/* Removed images go with their uploads; the others close ranks in
	 * order, each moving only down into a freed place (no clash with
	 * UNIQUE (post_id, position)). */
	int pos = 0;
	for (int i = 0; i < cur.nimages; i++) {
		const struct post_image *im = &cur.images[i];
		if (in_ids(x->in->remove_image_ids, x->in->nremove, im->id)) {
			if ((s = drop_image(db, im)) < 0)
				return s;
			continue;
		}
		if (++pos != im->position) {
			st = db_stmt(db, &SQL_IMAGE_MOVE);
			db_bind_i64(st, 1, im->id);
			db_bind_i64(st, 2, pos);
			if ((s = db_run(st)) < 0)
				return s;
		}
	}
	if ((s = store_images(db, x, cur.id, pos)) < 0)
		return s;
	return feed_timeline_add_post(db, cur.id);   /* a draft published now reaches the feeds */
}

static enum db_status delete_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	struct post cur;
	enum kq_err e = get_now(db, x->a, NULL, x->post_id, &cur);
	if (e == KQ_OK)
		e = posts_authorize(db, x->who, &cur);
	if (e != KQ_OK)
		return refuse(x, e);
	enum db_status s;
	for (int i = 0; i < cur.nimages; i++)
		if ((s = drop_image(db, &cur.images[i])) < 0)
			return s;
	struct db_stmt *st = db_stmt(db, &SQL_DELETE);
	db_bind_i64(st, 1, cur.id);
	s = db_run(st);
	return s < 0 ? s : DB_NONE;
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
	atomic_fetch_add(&posts_gen, 1);
	return KQ_OK;
}

enum kq_err posts_create(struct db *db, const struct actor *who, int64_t org_id,
			 const struct post_input *in, struct arena *a, struct field_errors *fe,
			 struct post *out)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (org_id < 0)
		return KQ_ERR_NOT_FOUND;
	/* Rights first, so that nobody makes us decode images for nothing. */
	enum kq_err e = may_create(db, who, org_id);
	if (e != KQ_OK)
		return e;
	struct field_errors image_fe = { 0 };
	struct prepared_image *images;
	int nimages;
	prepare_images(a, in, &image_fe, &images, &nimages);
	struct write_ctx x = { who, in, a, fe, &image_fe, images, nimages, org_id, 0, KQ_OK };
	e = run(db, "posts_create", create_txn, &x);
	if (e != KQ_OK)
		return e;
	return get_now(db, a, NULL, x.post_id, out);
}

enum kq_err posts_update(struct db *db, const struct actor *who, int64_t post_id,
			 const struct post_input *in, struct arena *a, struct field_errors *fe,
			 struct post *out)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct post cur;
	enum kq_err e = get_now(db, a, NULL, post_id, &cur);
	if (e == KQ_OK)
		e = posts_authorize(db, who, &cur);
	if (e != KQ_OK)
		return e;
	struct field_errors image_fe = { 0 };
	struct prepared_image *images;
	int nimages;
	prepare_images(a, in, &image_fe, &images, &nimages);
	struct write_ctx x = { who, in, a, fe, &image_fe, images, nimages, 0, post_id, KQ_OK };
	e = run(db, "posts_update", update_txn, &x);
	if (e != KQ_OK)
		return e;
	return get_now(db, a, NULL, post_id, out);
}

enum kq_err posts_delete(struct db *db, const struct actor *who, int64_t post_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct field_errors fe = { 0 };
	struct post_input none = { 0 };
	struct write_ctx x = { who, &none, a, &fe, NULL, NULL, 0, 0, post_id, KQ_OK };
	enum kq_err e = run(db, "posts_delete", delete_txn, &x);
	arena_free(a);
	return e;
}

/* ---- the demo territory's news ------------------------------------------------------------ */

static const struct db_sql SQL_DEMO_DATE = { "posts_demo_date",
	"UPDATE posts SET published_at = $2, created_at = $2, updated_at = $2 WHERE id = $1" };

static const struct {
	const char *org, *title, *body;
	int days_ago;
} demo_posts[] = {
	{ "comite-des-fetes-vesqueval", "Le marché de Noël cherche des bénévoles",
	  "Le marché de Noël revient sur la place de la Mairie. Il nous faut des bras pour monter les "
	  "chalets le vendredi soir et tenir la **buvette** le samedi.\n\nÉcrivez-nous ou passez à la "
	  "permanence du mercredi, de 18 h à 19 h.", 2 },
	{ "mairie-vesqueval", "Travaux rue des Tilleuls du 1er au 12 décembre",
	  "La rue des Tilleuls sera fermée à la circulation pendant le remplacement de la conduite "
	  "d'eau. Les riverains garderont l'accès à pied ; un **parking provisoire** est ouvert derrière "
	  "l'école.", 4 },
	{ "boulangerie-chabert", "Les galettes des rois sont de retour",
	  "Frangipane, pomme ou briochée aux fruits confits : commandez la vôtre au comptoir ou par "
	  "téléphone, au plus tard la veille.", 6 },
	{ "repare-et-partage", "Repair café samedi à la salle des fêtes",
	  "Apportez votre grille-pain, votre vélo ou votre pull troué : nos bénévoles réparent avec vous, "
	  "de 14 h à 17 h. Café et gâteaux offerts.", 9 },
	{ "chevrerie-des-granges", "Les chèvres sont au repos : reprise des fromages en février",
	  "Comme chaque hiver, le troupeau se repose avant les mises bas. On se retrouve au marché du "
	  "jeudi dès février pour les premiers **picodons**.", 14 },
};

static const struct db_sql SQL_DEMO_ACCOUNT = { "posts_demo_account",
	"SELECT id FROM accounts WHERE email_lower = $1" };

/* Citizens' posts: in their own name, one with a drawn picture. */
static const struct {
	const char *email, *title, *body, *alt;
	int days_ago;
	unsigned colour;   /* 0: no image */
} demo_citizen_posts[] = {
	{ "lucie.fabre@example.org", "Chat perdu vers le lavoir : Pistache, tigré roux",
	  "Notre chat **Pistache** n'est pas rentré depuis mardi soir. Il est tigré roux, porte un "
	  "collier vert et il est un peu craintif.\n\nSi vous le voyez du côté du lavoir ou des "
	  "jardins familiaux, écrivez-moi ou regardez dans vos abris de jardin. Merci !",
	  "Dessin d'un chat roux assis, vu de face", 1, 0xd9822bu },
	{ "fatou.diallo@example.org", "Covoiturage pour le marché du jeudi",
	  "Je descends au marché de Vesqueval chaque jeudi vers 8 h 30, depuis le hameau des "
	  "Granges. **Trois places libres**, retour vers 11 h.\n\n- départ : place du four\n"
	  "- participation : rien, juste la bonne humeur", NULL, 3, 0 },
	{ "lucie.fabre@example.org", "Donne plants de tomates",
	  "Trop de semis cette année : une vingtaine de plants de tomates (cœur de bœuf et cerise) "
	  "à donner. Passez les prendre le week-end, rue des Tilleuls.", NULL, 8, 0 },
};

static enum kq_err demo_date(struct db *db, int64_t id, int64_t when)
{
	struct db_stmt *st = db_stmt(db, &SQL_DEMO_DATE);
	db_bind_i64(st, 1, id);
	db_bind_i64(st, 2, when);
	return db_run(st) < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

enum kq_err posts_load_demo(struct db *db)
{
	if (!db_in_txn(db))
		KQ_BUG("posts_load_demo outside a transaction");
	struct arena *a = arena_new();
	enum kq_err e = KQ_OK;
	int64_t now = time_now();
	for (size_t i = 0; e == KQ_OK && i < sizeof(demo_posts) / sizeof(demo_posts[0]); i++) {
		int64_t org_id = 0;
		struct actor who;
		if ((e = orgs_demo_owner(db, demo_posts[i].org, &org_id, &who)) != KQ_OK)
			break;
		if (!org_id)
			continue;   /* a demo without that organisation */
		/* Written by the organisation's owner, through the same rules as a page. */
		struct post_input in = { .title = demo_posts[i].title, .body = demo_posts[i].body,
					 .status = "published" };
		struct field_errors fe = { 0 };
		struct post p;
		if ((e = posts_create(db, &who, org_id, &in, a, &fe, &p)) != KQ_OK)
			break;
		e = demo_date(db, p.id, now - (int64_t)demo_posts[i].days_ago * 86400);
	}
	for (size_t i = 0; e == KQ_OK && i < sizeof(demo_citizen_posts) / sizeof(demo_citizen_posts[0]);
	     i++) {
		struct db_stmt *st = db_stmt(db, &SQL_DEMO_ACCOUNT);
		db_bind_text(st, 1, demo_citizen_posts[i].email);
		enum db_status s = db_step(st);
		int64_t account = s == DB_ROW ? db_col_i64(st, 0) : 0;
		db_reset(st);
		if (s < 0) {
			e = KQ_ERR_INTERNAL;
			break;
		}
		if (!account)
			continue;
		struct actor who = { .account_id = account, .platform_role = "", .lang = "fr",
				     .is_verified = true };
		struct post_image_input img = { 0 };
		if (demo_citizen_posts[i].colour) {
			img.bytes = uploads_demo_picture(a, demo_citizen_posts[i].colour, &img.len);
			img.alt = demo_citizen_posts[i].alt;
		}
		struct post_input in = { .title = demo_citizen_posts[i].title,
					 .body = demo_citizen_posts[i].body, .status = "published",
					 .images = &img, .nimages = img.len ? 1 : 0 };
		struct field_errors fe = { 0 };
		struct post p;
		if ((e = posts_create(db, &who, 0, &in, a, &fe, &p)) != KQ_OK)
			break;
		e = demo_date(db, p.id, now - (int64_t)demo_citizen_posts[i].days_ago * 86400 - 3600);
	}
	arena_free(a);
	return e;
}
