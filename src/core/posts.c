/* posts.c: news posts of organisations: validation, permissions, Markdown at save, the wall, an organisation's latest.
 *
 * Each write runs in one transaction through db_txn_run, and the callback
 * does everything from reading the current row to the image: the check of
 * who may publish, the validation, the slug, the row. A refusal is reported
 * in the context (x->err, x->fe) and returned as DB_HARD so nothing is kept;
 * a soft failure runs the whole callback again, so every callback starts by
 * clearing them. */
#include "posts.h"
#include "markdown.h"
#include "orgs.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <ctype.h>
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

#define POST_COLS                                                                                \
	"p.id, p.org_id, p.slug, p.title, p.body, p.body_html, p.status,"                        \
	" COALESCE(p.published_at, 0), COALESCE(p.image_upload_id, 0), COALESCE(u.sha256, ''),"  \
	" o.slug, o.name, o.kind, COALESCE(o.logo_upload_id, 0), COALESCE(lu.sha256, ''),"       \
	" COALESCE(c.name, ''), COALESCE(p.author_id, 0), p.created_at, p.updated_at"
#define POST_JOINS                                                                               \
	" JOIN organisations o ON o.id = p.org_id"                                               \
	" LEFT JOIN communes c ON c.id = o.commune_id"                                           \
	" LEFT JOIN uploads u ON u.id = p.image_upload_id"                                       \
	" LEFT JOIN uploads lu ON lu.id = o.logo_upload_id"

static const struct db_sql SQL_GET_SLUG = { "posts_get_slug",
	"SELECT " POST_COLS " FROM posts p" POST_JOINS " WHERE p.slug = $1" };
static const struct db_sql SQL_GET_ID = { "posts_get_id",
	"SELECT " POST_COLS " FROM posts p" POST_JOINS " WHERE p.id = $1" };

/* The wall. $1 INSEE code of the organisation's commune (''), $2 kind of
 * organisation (''); pages add $3 limit, $4 offset. An unknown code or kind
 * matches nothing. */
#define WALL_WHERE                                                                               \
	" WHERE p.status = 'published'"                                                          \
	" AND ($1 = '' OR c.insee = $1)"                                                         \
	" AND ($2 = '' OR o.kind = $2)"
static const struct db_sql SQL_WALL_COUNT = { "posts_wall_count",
	"SELECT COUNT(*) FROM posts p JOIN organisations o ON o.id = p.org_id"
	" LEFT JOIN communes c ON c.id = o.commune_id" WALL_WHERE };
static const struct db_sql SQL_WALL_PAGE = { "posts_wall_page",
	"SELECT " POST_COLS " FROM posts p" POST_JOINS WALL_WHERE
	" ORDER BY p.published_at DESC, p.id DESC LIMIT $3 OFFSET $4" };
/* One organisation's latest ($1 the organisation, $2 the limit): what
 * everyone sees walks posts_org backwards and stops at the limit; its
 * publishers' list puts the drafts first, and sorts (they are few). */
static const struct db_sql SQL_ORG_LATEST = { "posts_org_latest",
	"SELECT " POST_COLS " FROM posts p" POST_JOINS
	" WHERE p.org_id = $1 AND p.status = 'published'"
	" ORDER BY p.published_at DESC, p.id DESC LIMIT $2" };
static const struct db_sql SQL_ORG_LATEST_DRAFTS = { "posts_org_latest_drafts",
	"SELECT " POST_COLS " FROM posts p" POST_JOINS
	" WHERE p.org_id = $1"
	" ORDER BY CASE WHEN p.status = 'draft' THEN 0 ELSE 1 END,"
	" COALESCE(p.published_at, p.updated_at) DESC, p.id DESC LIMIT $2" };

static void read_post(struct db_stmt *st, struct arena *a, struct post *p)
{
	p->id = db_col_i64(st, 0);
	p->org_id = db_col_i64(st, 1);
	p->slug = db_col_str(st, 2, a);
	p->title = db_col_str(st, 3, a);
	p->body = db_col_str(st, 4, a);
	p->body_html = db_col_str(st, 5, a);
	p->status = db_col_str(st, 6, a);
	p->published_at = db_col_i64(st, 7);
	p->image_upload_id = db_col_i64(st, 8);
	p->image_sha256 = db_col_str(st, 9, a);
	p->org_slug = db_col_str(st, 10, a);
	p->org_name = db_col_str(st, 11, a);
	p->org_kind = db_col_str(st, 12, a);
	p->org_logo_upload_id = db_col_i64(st, 13);
	p->org_logo_sha256 = db_col_str(st, 14, a);
	p->commune_name = db_col_str(st, 15, a);
	p->author_id = db_col_i64(st, 16);
	p->created_at = db_col_i64(st, 17);
	p->updated_at = db_col_i64(st, 18);
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
		return KQ_OK;
	return s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

enum kq_err posts_authorize(struct db *db, const struct actor *who, const struct post *p)
{
	return orgs_authorize(db, who, p->org_id, ORG_ACT_PUBLISH);
}

/* A draft exists only for those who may publish for its organisation. */
static enum kq_err visible(struct db *db, const struct actor *who, const struct post *p)
{
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
			    const char *slug, struct upload *out)
{
	struct post p;
	enum kq_err e = posts_get(db, who, a, slug, &p);
	if (e != KQ_OK)
		return e;
	if (!p.image_upload_id)
		return KQ_ERR_NOT_FOUND;
	return uploads_get(db, a, p.image_upload_id, out);
}

struct wall_call {
	struct arena *a;
	const struct post_filter *f;
	struct post **out;
	int *out_n;
	int64_t *out_total;
};

static enum db_status collect(struct db_stmt *st, struct arena *a, int cap, struct post **out,
			      int *out_n)
{
	struct post *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	int n = 0;
	enum db_status s = DB_NONE;
	while (n < cap && (s = db_step(st)) == DB_ROW)
		read_post(st, a, &v[n++]);
	if (n == cap)
		s = DB_NONE;
	db_reset(st);
	*out = v;
	*out_n = n;
	return s < 0 ? s : DB_NONE;
}

static enum db_status wall_txn(struct db *db, void *cls)
{
	struct wall_call *c = cls;
	const char *commune = c->f->commune ? c->f->commune : "";
	const char *kind = c->f->kind ? c->f->kind : "";
	int limit = c->f->limit < 1 ? 1 : c->f->limit > POSTS_PAGE_MAX ? POSTS_PAGE_MAX : c->f->limit;
	int offset = c->f->offset < 0 ? 0 : c->f->offset;

	struct db_stmt *st = db_stmt(db, &SQL_WALL_COUNT);
	db_bind_text(st, 1, commune);
	db_bind_text(st, 2, kind);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		*c->out_total = db_col_i64(st, 0);
	db_reset(st);
	if (s != DB_ROW)
		return s < 0 ? s : DB_HARD;
	st = db_stmt(db, &SQL_WALL_PAGE);
	db_bind_text(st, 1, commune);
	db_bind_text(st, 2, kind);
	db_bind_i64(st, 3, limit);
	db_bind_i64(st, 4, offset);
	return collect(st, c->a, limit, c->out, c->out_n);
}

enum kq_err posts_wall(struct db *db, struct arena *a, const struct post_filter *f,
		       struct post **out, int *out_n, int64_t *out_total)
{
	*out = NULL;
	*out_n = 0;
	*out_total = 0;
	struct wall_call c = { a, f, out, out_n, out_total };
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
	return collect(st, a, limit, out, out_n) < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

/* ---- writing ------------------------------------------------------------------------------------- */

static const struct db_sql SQL_SLUG_USED = { "posts_slug_used",
	"SELECT 1 FROM posts WHERE slug = $1" };
static const struct db_sql SQL_INSERT = { "posts_insert",
	"INSERT INTO posts (org_id, slug, title, body, body_html, image_upload_id, status,"
	" published_at, author_id, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id" };
static const struct db_sql SQL_UPDATE = { "posts_update",
	"UPDATE posts SET title = $2, body = $3, body_html = $4, image_upload_id = $5,"
	" status = $6, published_at = $7, updated_at = $8 WHERE id = $1" };
static const struct db_sql SQL_DELETE = { "posts_delete",
	"DELETE FROM posts WHERE id = $1" };

static enum db_status slug_used(struct db *db, const char *slug, bool *out_used)
{
	struct db_stmt *st = db_stmt(db, &SQL_SLUG_USED);
	db_bind_text(st, 1, slug);
	enum db_status s = db_step(st);
	db_reset(st);
	*out_used = s == DB_ROW || in_list(reserved_slugs, slug);
	return s < 0 ? s : DB_NONE;
}

/* A free slug from the title: "marche-de-noel", then "marche-de-noel-2"... */
static enum db_status free_slug(struct db *db, struct arena *a, const char *title,
				const char **out)
{
	char *stem = str_slugify(a, title);
	size_t n = strlen(stem);
	if (n > 50) {
		n = 50;
		/* Cut at a word's end when there is one in the last few characters. */
		for (size_t k = n; k > 40; k--)
			if (stem[k] == '-') {
				n = k;
				break;
			}
	}
	while (n > 0 && stem[n - 1] == '-')
		n--;
	stem[n] = 0;
	if (n < 2)
		stem = arena_strdup(a, "actualite");
	for (int i = 1; i < 100; i++) {
		const char *cand = i == 1 ? stem : arena_printf(a, "%s-%d", stem, i);
		bool used;
		enum db_status s = slug_used(db, cand, &used);
		if (s < 0)
			return s;
		if (!used) {
			*out = cand;
			return DB_NONE;
		}
	}
	char tail[7];
	crypto_random_alnum(tail, 6);
	for (char *p = tail; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	*out = arena_printf(a, "%s-%s", stem, tail);
	return DB_NONE;
}

struct write_ctx {
	const struct actor *who;
	const struct post_input *in;
	struct arena *a;
	struct field_errors *fe;
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

static void validate(const struct norm *n, const struct post_input *in, struct field_errors *fe,
		     const char **out_image_type)
{
	size_t len = str_utf8_len(n->title);
	if (!str_text_ok(n->title, SIZE_MAX, false) || len < POSTS_TITLE_MIN || len > POSTS_TITLE_MAX)
		field_error_add(fe, "title", "err.posts.title_invalid");
	if (!str_text_ok(n->body, POSTS_BODY_MAX, true))
		field_error_add(fe, "body", "err.posts.body_invalid");
	if (!posts_status_valid(n->status))
		field_error_add(fe, "status", "err.posts.status_invalid");
	*out_image_type = NULL;
	if (in->image) {
		enum kq_err e = uploads_check_image(in->image, in->image_len, out_image_type);
		if (e != KQ_OK)
			field_error_add(fe, "image", err_msg_key(e));
	}
}

static enum db_status refuse(struct write_ctx *x, enum kq_err e)
{
	x->err = e;
	return DB_HARD;
}

static enum db_status create_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	memset(x->fe, 0, sizeof(*x->fe));
	enum kq_err e = orgs_authorize(db, x->who, x->org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK)
		return refuse(x, e);
	struct norm n = { pick(x->a, x->in->title, NULL, true), pick(x->a, x->in->body, NULL, false),
			  x->in->status ? x->in->status : "draft" };
	const char *image_type;
	validate(&n, x->in, x->fe, &image_type);
	if (x->fe->n)
		return refuse(x, KQ_ERR_FORM_INVALID);
	enum db_status s;
	int64_t image_id = 0;
	if (x->in->image && (s = uploads_insert(db, x->in->image, x->in->image_len, image_type,
						x->who->account_id, &image_id)) < 0)
		return s;
	const char *slug;
	if ((s = free_slug(db, x->a, n.title, &slug)) < 0)
		return s;
	int64_t now = time_now();
	struct db_stmt *st = db_stmt(db, &SQL_INSERT);
	db_bind_i64(st, 1, x->org_id);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, n.title);
	db_bind_text(st, 4, n.body);
	db_bind_text(st, 5, markdown_to_html(x->a, n.body));
	db_bind_i64_or_null(st, 6, image_id);
	db_bind_text(st, 7, n.status);
	db_bind_i64_or_null(st, 8, strcmp(n.status, "published") == 0 ? now : 0);
	db_bind_i64_or_null(st, 9, x->who->account_id);
	db_bind_i64(st, 10, now);
	s = db_step(st);
	if (s == DB_ROW)
		x->post_id = db_col_i64(st, 0);
	db_reset(st);
	/* Someone took the slug between our look and our insert: run again. */
	if (s == DB_HARD && db_is_unique_violation(db))
		return DB_SOFT;
	if (s == DB_NONE)
		return DB_HARD;
	return s < 0 ? s : DB_NONE;
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
	if (e != KQ_OK)
		return refuse(x, e);
	struct norm n = { pick(x->a, x->in->title, cur.title, true),
			  pick(x->a, x->in->body, cur.body, false),
			  x->in->status ? x->in->status : cur.status };
	const char *image_type;
	validate(&n, x->in, x->fe, &image_type);
	if (x->fe->n)
		return refuse(x, KQ_ERR_FORM_INVALID);
	enum db_status s;
	int64_t image_id = cur.image_upload_id;
	if (x->in->image) {
		if ((s = uploads_insert(db, x->in->image, x->in->image_len, image_type,
					x->who->account_id, &image_id)) < 0)
			return s;
	} else if (x->in->remove_image) {
		image_id = 0;
	}
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
	db_bind_i64_or_null(st, 5, image_id);
	db_bind_text(st, 6, n.status);
	db_bind_i64_or_null(st, 7, published_at);
	db_bind_i64(st, 8, now);
	if ((s = db_run(st)) < 0)
		return s;
	/* The replaced image goes once nothing points to it any more. */
	if (cur.image_upload_id && image_id != cur.image_upload_id &&
	    (s = uploads_delete(db, cur.image_upload_id)) < 0)
		return s;
	return DB_NONE;
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
	struct db_stmt *st = db_stmt(db, &SQL_DELETE);
	db_bind_i64(st, 1, cur.id);
	enum db_status s = db_run(st);
	if (s < 0)
		return s;
	if (cur.image_upload_id && (s = uploads_delete(db, cur.image_upload_id)) < 0)
		return s;
	return DB_NONE;
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

enum kq_err posts_create(struct db *db, const struct actor *who, int64_t org_id,
			 const struct post_input *in, struct arena *a, struct field_errors *fe,
			 struct post *out)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct write_ctx x = { who, in, a, fe, org_id, 0, KQ_OK };
	enum kq_err e = run(db, "posts_create", create_txn, &x);
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
	struct write_ctx x = { who, in, a, fe, 0, post_id, KQ_OK };
	enum kq_err e = run(db, "posts_update", update_txn, &x);
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
	struct write_ctx x = { who, &none, a, &fe, 0, post_id, KQ_OK };
	enum kq_err e = run(db, "posts_delete", delete_txn, &x);
	arena_free(a);
	return e;
}

/* ---- the demo territory's news ------------------------------------------------------------ */

static const struct db_sql SQL_DEMO_OWNER = { "posts_demo_owner",
	"SELECT o.id, m.account_id FROM organisations o JOIN org_members m ON m.org_id = o.id"
	" WHERE o.slug = $1 AND m.role = 'owner' ORDER BY m.account_id LIMIT 1" };
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

enum kq_err posts_load_demo(struct db *db)
{
	if (!db_in_txn(db))
		KQ_BUG("posts_load_demo outside a transaction");
	struct arena *a = arena_new();
	enum kq_err e = KQ_OK;
	int64_t now = time_now();
	for (size_t i = 0; e == KQ_OK && i < sizeof(demo_posts) / sizeof(demo_posts[0]); i++) {
		struct db_stmt *st = db_stmt(db, &SQL_DEMO_OWNER);
		db_bind_text(st, 1, demo_posts[i].org);
		enum db_status s = db_step(st);
		int64_t org_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
		int64_t owner = s == DB_ROW ? db_col_i64(st, 1) : 0;
		db_reset(st);
		if (s < 0) {
			e = KQ_ERR_INTERNAL;
			break;
		}
		if (!org_id)
			continue;   /* a demo without that organisation */
		/* Written by the organisation's owner, through the same rules as a page. */
		struct actor who = { .account_id = owner, .platform_role = "", .lang = "fr",
				     .is_verified = true };
		struct post_input in = { .title = demo_posts[i].title, .body = demo_posts[i].body,
					 .status = "published" };
		struct field_errors fe = { 0 };
		struct post p;
		if ((e = posts_create(db, &who, org_id, &in, a, &fe, &p)) != KQ_OK)
			break;
		st = db_stmt(db, &SQL_DEMO_DATE);
		db_bind_i64(st, 1, p.id);
		db_bind_i64(st, 2, now - (int64_t)demo_posts[i].days_ago * 86400);
		if (db_run(st) < 0)
			e = KQ_ERR_INTERNAL;
	}
	arena_free(a);
	return e;
}
