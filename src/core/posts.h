/* posts.h: news posts of organisations: writing them, the wall ("Actualités"), one post, an organisation's latest.
 *
 * Who may do what (checked here, not by pages or the API): members of the
 * organisation whose role allows ORG_ACT_PUBLISH (owner, editor) and
 * platform admins create, edit and delete its posts and see its drafts.
 * Everyone else sees published posts only; a draft is NOT_FOUND for them, so
 * its existence is not told.
 *
 * The body is Markdown, rendered once at save by core/markdown.c (cmark in
 * safe mode: no raw HTML, no javascript: links) into body_html, which pages
 * print as it is. A post is dated by published_at, set the first time it is
 * published and kept afterwards, so a correction does not move it up the wall.
 *
 * Later modules (comments, reactions, follows, moderation, the home feed)
 * hang off posts.id; the wall's filter (struct post_filter) is where a
 * "followed by" or "not hidden" condition would go. */
#ifndef KQ_POSTS_H
#define KQ_POSTS_H
#include "core.h"
#include "uploads.h"

#define POSTS_TITLE_MIN 3
#define POSTS_TITLE_MAX 140
#define POSTS_BODY_MAX 20000
#define POSTS_PAGE_MAX 100      /* largest page of the wall */

/* A post as read back. Strings are never NULL ("" when empty). */
struct post {
	int64_t id, org_id;
	const char *slug, *title, *body;
	const char *body_html;          /* made by core/markdown.c only; print as it is */
	const char *status;             /* draft | published */
	int64_t published_at;           /* UTC seconds; 0: never published */
	int64_t image_upload_id;        /* 0: no image */
	const char *image_sha256;       /* "" when no image; versions the image URL */
	const char *org_slug, *org_name, *org_kind;
	int64_t org_logo_upload_id;     /* 0: no logo */
	const char *org_logo_sha256;    /* "" when no logo */
	const char *commune_name;       /* the organisation's commune, "" when none */
	int64_t author_id;              /* 0: account deleted */
	int64_t created_at, updated_at;
};

/* Input of posts_create and posts_update. For create, NULL means empty;
 * for update, NULL keeps the current value. */
struct post_input {
	const char *title;       /* 3..140 characters, one line */
	const char *body;        /* Markdown, <= 20000 characters */
	const char *status;      /* draft | published; create: draft when NULL */
	/* Image bytes (PNG, JPEG or WebP, at most UPLOAD_IMAGE_MAX); NULL keeps
	 * the current one. remove_image drops it. */
	const void *image;
	size_t image_len;
	bool remove_image;
};

/* The wall's filter: published posts, newest first. */
struct post_filter {
	const char *commune;     /* INSEE code of the organisation's commune; NULL or "": any; unknown: nothing */
	const char *kind;        /* organisation kind (orgs_kinds()); NULL or "": any; unknown: nothing */
	int limit;               /* clamped to 1..POSTS_PAGE_MAX */
	int offset;              /* negative counts as 0 */
};

bool posts_status_valid(const char *status);

/* Creates a post of org_id. Needs ORG_ACT_PUBLISH. The slug comes from the
 * title ("-2", "-3"... when taken) and never changes. [out] *out (strings in
 * a), fe. Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND (organisation),
 * FORM_INVALID (fe: title, body, status, image), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err posts_create(struct db *db, const struct actor *who, int64_t org_id,
			 const struct post_input *in, struct arena *a, struct field_errors *fe,
			 struct post *out);
/* Updates post_id. Needs ORG_ACT_PUBLISH on its organisation. [out] *out.
 * Errors: as posts_create; NOT_FOUND (no such post). */
__attribute__((warn_unused_result))
enum kq_err posts_update(struct db *db, const struct actor *who, int64_t post_id,
			 const struct post_input *in, struct arena *a, struct field_errors *fe,
			 struct post *out);
/* Deletes post_id and its image. Needs ORG_ACT_PUBLISH.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err posts_delete(struct db *db, const struct actor *who, int64_t post_id);

/* May who publish for the post's organisation? KQ_OK, FORBIDDEN,
 * AUTH_REQUIRED or INTERNAL. */
enum kq_err posts_authorize(struct db *db, const struct actor *who, const struct post *p);

/* One post by slug or by id; a draft only for who may publish for it.
 * [out] *out (strings in a). Errors: NOT_FOUND, INTERNAL. */
enum kq_err posts_get(struct db *db, const struct actor *who, struct arena *a, const char *slug,
		      struct post *out);
enum kq_err posts_get_id(struct db *db, const struct actor *who, struct arena *a, int64_t id,
			 struct post *out);
/* The image of a visible post. Errors: NOT_FOUND, INTERNAL. */
enum kq_err posts_image_get(struct db *db, const struct actor *who, struct arena *a,
			    const char *slug, struct upload *out);

/* One page of the wall. [out] *out (array in a), *out_n, *out_total (all
 * posts matching the filter). Errors: INTERNAL. */
enum kq_err posts_wall(struct db *db, struct arena *a, const struct post_filter *f,
		       struct post **out, int *out_n, int64_t *out_total);
/* The latest posts of one organisation, newest first, at most limit
 * (1..POSTS_PAGE_MAX); with its drafts too (first) when who may publish for
 * it. [out] *out, *out_n. Errors: INTERNAL. */
enum kq_err posts_of_org(struct db *db, const struct actor *who, struct arena *a, int64_t org_id,
			 int limit, struct post **out, int *out_n);

/* The demo territory's news: a few published posts of demo organisations,
 * written by their owners. Inside the demo's loading transaction. */
enum kq_err posts_load_demo(struct db *db);

#endif
