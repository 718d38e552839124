/* practical.h: practical information ("Infos pratiques"): pages of useful information kept by the territory's public bodies, in sections.
 *
 * Who may do what (checked here, not by pages or the API): a page belongs to
 * an organisation of kind public_body; members whose role allows
 * ORG_ACT_PUBLISH on it (owner, editor) and platform admins create, edit and
 * delete its pages. Everyone reads every page (there are no drafts); the
 * pages of a hidden organisation (moderation) are hidden with it.
 *
 * The body is Markdown, rendered once at save by core/markdown.c (cmark in
 * safe mode) into body_html, which pages print as it is. updated_at and
 * updated_by record the last change, shown as "mis à jour le ...". The
 * sections are fixed by migration 0023. Pages are found by the search box
 * (core/search.c, kind SEARCH_PRACTICAL). */
#ifndef KQ_PRACTICAL_H
#define KQ_PRACTICAL_H
#include "core.h"

#define PRACTICAL_TITLE_MIN 3
#define PRACTICAL_TITLE_MAX 140
#define PRACTICAL_BODY_MAX 20000
#define PRACTICAL_POSITION_MAX 999

/* A page as read back. Strings are never NULL ("" when empty). */
struct practical_page {
	int64_t id, org_id, section_id;
	const char *slug, *title, *body;
	const char *body_html;          /* made by core/markdown.c only; print as it is */
	int position;
	const char *section_slug, *section_title;
	const char *org_slug, *org_name;
	const char *commune_name;       /* the public body's commune, "" when none */
	int64_t created_at, updated_at; /* UTC seconds */
	int64_t updated_by;             /* account; 0: unknown or deleted */
};

/* A section and, for practical_index, its pages in order. */
struct practical_section {
	int64_t id;
	const char *slug, *title;
	int position;
	struct practical_page *pages;
	int npages;
};

/* Input of practical_create and practical_update. For create, NULL means
 * empty; for update, NULL keeps the current value. */
struct practical_input {
	const char *section;     /* section slug */
	const char *title;       /* 3..140 characters, one line */
	const char *body;        /* Markdown, <= 20000 characters */
	const char *position;    /* whole number 0..999 as typed; "" or NULL: 0 (create) */
};

/* A public body who may keep pages (for the form's choice). */
struct practical_org {
	int64_t id;
	const char *slug, *name;
};

/* Every section in order, each with its pages in order (position, then
 * title). [out] *out, *out_n (arrays in a). Errors: INTERNAL. */
enum kq_err practical_index(struct db *db, struct arena *a, struct practical_section **out,
			    int *out_n);
/* The sections only. [out] *out, *out_n. Errors: INTERNAL. */
enum kq_err practical_sections(struct db *db, struct arena *a, struct practical_section **out,
			       int *out_n);
/* One page by slug or id. [out] *out (strings in a). Errors: NOT_FOUND
 * (also for a hidden organisation's page), INTERNAL. */
enum kq_err practical_get(struct db *db, struct arena *a, const char *slug,
			  struct practical_page *out);
enum kq_err practical_get_id(struct db *db, struct arena *a, int64_t id,
			     struct practical_page *out);

/* The public bodies who may keep pages: those where who's role allows
 * ORG_ACT_PUBLISH, every one for a platform admin. [out] *out, *out_n (in
 * a; none for a visitor). Errors: INTERNAL. */
enum kq_err practical_orgs_of(struct db *db, const struct actor *who, struct arena *a,
			      struct practical_org **out, int *out_n);
/* May who keep pages for org_id? KQ_OK, AUTH_REQUIRED, NOT_FOUND,
 * FORBIDDEN, PRACTICAL_NOT_PUBLIC_BODY, INTERNAL. */
enum kq_err practical_authorize(struct db *db, const struct actor *who, int64_t org_id);

/* Creates a page of org_id. Needs practical_authorize. The slug comes from
 * the title ("-2"... when taken) and never changes. [out] *out, fe (field
 * keys: section, title, body, position). Errors: AUTH_REQUIRED, FORBIDDEN,
 * NOT_FOUND, PRACTICAL_NOT_PUBLIC_BODY, FORM_INVALID, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err practical_create(struct db *db, const struct actor *who, int64_t org_id,
			     const struct practical_input *in, struct arena *a,
			     struct field_errors *fe, struct practical_page *out);
/* Updates page_id (its organisation stays). Errors: as practical_create. */
__attribute__((warn_unused_result))
enum kq_err practical_update(struct db *db, const struct actor *who, int64_t page_id,
			     const struct practical_input *in, struct arena *a,
			     struct field_errors *fe, struct practical_page *out);
/* Deletes page_id. Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err practical_delete(struct db *db, const struct actor *who, int64_t page_id);

/* The demo territory's practical pages (town hall hours, waste collection,
 * school buses, health, emergency numbers, recycling centre), written by the
 * owners of the demo public bodies. Inside the demo's loading transaction. */
enum kq_err practical_load_demo(struct db *db);

#endif
