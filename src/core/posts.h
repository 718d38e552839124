/* posts.h: news posts of organisations and citizens: writing them, the wall ("Actualités"), one post, an organisation's latest.
 *
 * Who may do what (checked here, not by pages or the API): members of the
 * organisation whose role allows ORG_ACT_PUBLISH (owner, editor) and
 * platform admins create, edit and delete its posts and see its drafts. A
 * citizen (any signed-in account that is not suspended) posts in their own
 * name (org_id 0); they and platform admins change those. Everyone else
 * sees published posts only; a draft is NOT_FOUND for them, so its
 * existence is not told. A post a moderator hid (hidden_at) is NOT_FOUND
 * for everyone but moderators, and left out of every list.
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
#define POSTS_WALL_COUNT_MAX 1000 /* the wall counts up to this; past it, *out_total is this + 1 */
#define POSTS_IMAGES_MAX 4      /* images of one post */
#define POSTS_IMAGE_BYTES_MAX (5u * 1000u * 1000u)   /* one image as sent: "5 Mo" */
#define POSTS_IMAGE_WIDTH 1200  /* pixels: the version shown on the post's page */
#define POSTS_THUMB_WIDTH 400   /* pixels: the small version of the wall */
#define POSTS_ALT_MAX 300       /* characters of an image's text alternative */

/* One image of a post, as stored (re-encoded by uploads_image_versions). */
struct post_image {
	int64_t id;                     /* 0: none (struct post.cover of a post without image) */
	int position;                   /* 1..POSTS_IMAGES_MAX, no gaps */
	const char *alt;                /* text alternative; "" only for images of before 0020 */
	int64_t upload_id, thumb_upload_id;
	const char *sha256, *thumb_sha256;   /* version the URLs */
	int width, height;              /* of upload_id; 0: unknown */
	int thumb_width, thumb_height;  /* of thumb_upload_id; 0: unknown */
};

/* A post as read back. Strings are never NULL ("" when empty). */
struct post {
	int64_t id;
	int64_t org_id;                 /* 0: a citizen's post, in the name of author_id */
	const char *slug, *title, *body;
	const char *body_html;          /* made by core/markdown.c only; print as it is */
	const char *status;             /* draft | published */
	int64_t published_at;           /* UTC seconds; 0: never published */
	const char *org_slug, *org_name, *org_kind;   /* "" for a citizen's post */
	int64_t org_logo_upload_id;     /* 0: no logo */
	const char *org_logo_sha256;    /* "" when no logo */
	const char *commune_name;       /* the organisation's commune, "" when none */
	int64_t author_id;              /* 0: account deleted */
	const char *author_name;        /* display name; "" when the account is gone */
	bool author_public;             /* the author's profile page exists (not suspended) */
	int64_t created_at, updated_at;
	int64_t hidden_at;              /* 0: visible; else hidden by a moderator */
	struct post_image cover;        /* the first image (cover.id 0: none) */
	int image_count;                /* images of the post */
	const struct post_image *images;   /* all of them, in order: posts_get* only; NULL in lists */
	int nimages;
};

/* A new image of post_input: the bytes as sent (PNG, JPEG or WebP, at most
 * POSTS_IMAGE_BYTES_MAX) and their text alternative (required, 1..300
 * characters). An entry with len 0 is an empty slot of the form: skipped. */
struct post_image_input {
	const void *bytes;
	size_t len;
	const char *alt;
};

/* A new text alternative for an image the post already has. */
struct post_image_alt {
	int64_t image_id;
	const char *alt;
};

/* Input of posts_create and posts_update. For create, NULL means empty;
 * for update, NULL keeps the current value. Field errors name the form's
 * fields: "title", "body", "status", "images" (too many), "image_<k>" and
 * "alt_<k>" for images[k-1], "alt_image_<id>" for an alts entry. */
struct post_input {
	const char *title;       /* 3..140 characters, one line */
	const char *body;        /* Markdown, <= 20000 characters */
	const char *status;      /* draft | published; create: draft when NULL */
	const struct post_image_input *images;   /* added after the current ones */
	int nimages;
	const int64_t *remove_image_ids;          /* update: images to drop */
	int nremove;
	const struct post_image_alt *alts;        /* update: new alt texts */
	int nalts;
};

/* The wall's filter: published, visible posts, newest first, a page after
 * a cursor. The cursor is the (published_at, id) of the last post of the
 * page before, so a page stays the same when newer posts arrive. */
struct post_filter {
	const char *commune;     /* INSEE code of the organisation's commune; NULL or "": any; unknown: nothing */
	const char *kind;        /* organisation kind (orgs_kinds()), or "citizen" for citizens'
				  * posts; NULL or "": any; unknown: nothing */
	int64_t org_id;          /* 0: any; else that organisation's posts only */
	int64_t author_id;       /* 0: any; else that citizen's own posts only (org_id NULL) */
	int limit;               /* clamped to 1..POSTS_PAGE_MAX */
	int64_t before_published_at, before_id;   /* the cursor; 0, 0: from the newest */
};

bool posts_status_valid(const char *status);

/* "<published_at>-<id>" of p, the cursor of the page that ends with p. In a. */
const char *posts_cursor(struct arena *a, const struct post *p);
/* Reads a cursor made by posts_cursor; false when malformed. */
bool posts_cursor_parse(const char *s, int64_t *out_published_at, int64_t *out_id);

/* Creates a post. org_id > 0: for that organisation, which needs
 * ORG_ACT_PUBLISH; org_id 0: a citizen's post, in who's own name. Either
 * way who must not be suspended. The slug comes from the title ("-2",
 * "-3"... when taken) and never changes. Images are re-encoded before the
 * transaction (uploads_image_versions). [out] *out (strings in a), fe.
 * Errors: AUTH_REQUIRED, AUTH_SUSPENDED, FORBIDDEN, NOT_FOUND
 * (organisation), FORM_INVALID (fe), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err posts_create(struct db *db, const struct actor *who, int64_t org_id,
			 const struct post_input *in, struct arena *a, struct field_errors *fe,
			 struct post *out);
/* Updates post_id; who as posts_authorize allows. [out] *out.
 * Errors: as posts_create; NOT_FOUND (no such post). */
__attribute__((warn_unused_result))
enum kq_err posts_update(struct db *db, const struct actor *who, int64_t post_id,
			 const struct post_input *in, struct arena *a, struct field_errors *fe,
			 struct post *out);
/* Deletes post_id and its images. Needs posts_authorize.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err posts_delete(struct db *db, const struct actor *who, int64_t post_id);

/* May who change p? An organisation's post: ORG_ACT_PUBLISH on it. A
 * citizen's post: its author, or a platform admin. KQ_OK, FORBIDDEN,
 * AUTH_REQUIRED or INTERNAL. */
enum kq_err posts_authorize(struct db *db, const struct actor *who, const struct post *p);

/* One post by slug or by id, with all its images; a draft only for who
 * may change it, a hidden post only for moderators. [out] *out (strings
 * in a). Errors: NOT_FOUND, INTERNAL. */
enum kq_err posts_get(struct db *db, const struct actor *who, struct arena *a, const char *slug,
		      struct post *out);
enum kq_err posts_get_id(struct db *db, const struct actor *who, struct arena *a, int64_t id,
			 struct post *out);
/* Image number position (1..) of a visible post: its display version, or
 * with thumb its small one. Errors: NOT_FOUND, INTERNAL. */
enum kq_err posts_image_get(struct db *db, const struct actor *who, struct arena *a,
			    const char *slug, int position, bool thumb, struct upload *out);

/* One page of the wall (see struct post_filter). [out] *out (array in a),
 * *out_n, *out_total (the posts matching the filter, whatever the cursor, counted up to
 * POSTS_WALL_COUNT_MAX + 1: more than POSTS_WALL_COUNT_MAX when it says so),
 * *out_more (older posts follow: posts_cursor of the last one asks for
 * them). Errors: INTERNAL. */
enum kq_err posts_wall(struct db *db, struct arena *a, const struct post_filter *f,
		       struct post **out, int *out_n, int64_t *out_total, bool *out_more);
/* The latest posts of one organisation, newest first, at most limit
 * (1..POSTS_PAGE_MAX), hidden ones left out; with its drafts too (first)
 * when who may publish for it. [out] *out, *out_n. Errors: INTERNAL. */
enum kq_err posts_of_org(struct db *db, const struct actor *who, struct arena *a, int64_t org_id,
			 int limit, struct post **out, int *out_n);

/* A person as everyone may see them: the name they chose and the visible
 * organisations they belong to. Nothing else (no email, no role). */
struct person_org {
	const char *slug, *name, *kind;
};
struct person {
	int64_t id;
	const char *display_name;
	int64_t since;               /* account created (UTC seconds) */
	const struct person_org *orgs;
	int norgs;
};
/* The public profile of account_id. [out] *out (in a). Errors: NOT_FOUND
 * (no such account, or suspended), INTERNAL. */
enum kq_err posts_person_get(struct db *db, struct arena *a, int64_t account_id,
			     struct person *out);

/* The demo territory's news: a few published posts of demo organisations,
 * written by their owners, and a few of demo citizens in their own name
 * (one with a picture drawn by uploads_demo_picture). Inside the demo's
 * loading transaction. */
enum kq_err posts_load_demo(struct db *db);

#endif
