/* orgs.h: organisations (associations, businesses, producers, public bodies), their members and invitations.
 *
 * Every rule about who may do what to an organisation lives here:
 * orgs_role_can() says what a role allows, orgs_authorize() applies it to an
 * actor (platform admins may do what owners do). Pages, the API and later
 * modules (events, tickets, money) call orgs_authorize() rather than looking
 * at roles themselves.
 *
 * Invariant (INVARIANT(last-owner)): an organisation always keeps at least
 * one owner. Member changes lock the organisation's row first, so two owners
 * demoting each other at once on PostgreSQL cannot both succeed. */
#ifndef KQ_ORGS_H
#define KQ_ORGS_H
#include "core.h"
#include "hours.h"
#include "uploads.h"

#define ORGS_NAME_MIN 2
#define ORGS_NAME_MAX 120
#define ORGS_SUMMARY_MAX 200
#define ORGS_DESCRIPTION_MAX 20000
#define ORGS_LINE_MAX 200           /* address */
#define ORGS_WEBSITE_MAX 300
#define ORGS_PAGE_MAX 100           /* largest page orgs_list returns */
#define ORGS_INVITE_TTL (14 * 86400)
#define ORGS_MAP_MAX 1000           /* markers orgs_map returns at most */
#define ORGS_LINKS_MAX 5            /* extra links of an organisation */
#define ORGS_LINK_LABEL_MAX 60

/* What an organisation is, as written by create/update and read back.
 * Strings are never NULL in a loaded struct ("" when empty). */
struct org {
	int64_t id;
	const char *slug, *kind, *name, *summary, *description, *category;
	int64_t commune_id;                         /* 0: none */
	const char *commune_insee, *commune_name;   /* "" when none */
	const char *address, *email, *phone, *website;
	int64_t logo_upload_id;                     /* 0: no logo */
	const char *logo_sha256;                    /* "" when no logo; versions the logo URL */
	int64_t created_at, updated_at;
	/* description rendered to HTML when the organisation was saved, by
	 * cmark in safe mode (the renderer of web/html.c markdown_render), and
	 * only by this module: pages print it as it is. "" when not rendered
	 * yet (saved before migration 0003 or by plain SQL) or when the
	 * description is empty: a page then renders description itself. */
	const char *description_html;
	/* Directory (0022): its own position, when set; where the map puts it
	 * (its own position, else its commune's centre; on_map false: nowhere). */
	bool has_position;
	int64_t lat_e6, lon_e6;
	bool on_map;
	int64_t map_lat_e6, map_lon_e6;
	const char *hours_note;                     /* "" when none */
	int64_t hidden_at;                          /* 0: visible; else hidden by a moderator */
};

/* Input of orgs_create and orgs_update. For create, NULL means empty; for
 * update, NULL means "keep the current value" (a partial update). */
struct org_input {
	const char *kind;          /* association | business | producer | public_body */
	const char *name;          /* 2..120 characters, one line */
	const char *slug;          /* create only: NULL or "" takes str_slugify(name) */
	const char *summary;       /* one line, <= 200 characters */
	const char *description;   /* Markdown, <= 20000 characters */
	const char *category;      /* one of orgs_categories(kind), or "" */
	const char *commune;       /* INSEE code of one of territory_communes, or "" */
	const char *address;       /* one line, <= 200 characters */
	const char *email;         /* "" or a plausible address */
	const char *phone;         /* "" or digits, spaces and + ( ) . - */
	const char *website;       /* "" or an http:// or https:// URL */
};

enum org_order {
	ORGS_ORDER_NAME = 0,       /* alphabetical (lower(name), then id) */
	ORGS_ORDER_NEAR,           /* by distance from the commune near, then name */
};

struct org_filter {
	const char *kind;          /* NULL or "": any */
	const char *commune;       /* INSEE code; NULL or "": any */
	const char *category;      /* NULL or "": any */
	const char *q;             /* words searched in name and summary, case-insensitive */
	int limit;                 /* clamped to 1..ORGS_PAGE_MAX */
	int offset;                /* negative counts as 0 */
	const char *label;         /* label slug: organisations with a visible product
				    * carrying it; NULL or "": any; unknown: none */
	enum org_order order;
	const char *near;          /* ORGS_ORDER_NEAR: INSEE code of the origin; a
				    * commune without a centre (or none) orders by name */
};

struct org_member {
	int64_t account_id;
	const char *display_name, *email, *role;
	int64_t since;
};

struct org_invitation {
	int64_t id;
	int64_t org_id;
	const char *org_slug, *org_name;
	const char *email;           /* lower-case */
	const char *role;
	const char *invited_by_name; /* "" when the inviter's account is gone */
	int64_t created_at, expires_at;
};

/* ---- vocabularies ---------------------------------------------------------------- */

/* NULL-terminated lists. Labels are catalog keys "orgs.kind.<kind>",
 * "orgs.category.<slug>" and "orgs.role.<role>". */
const char *const *orgs_kinds(void);
bool orgs_kind_valid(const char *kind);
#define ORGS_KIND_MAX 8
/* How many organisations of each kind, in the order of orgs_kinds(); counted
 * at most every 10 s per process (the home page shows them). Errors: INTERNAL. */
enum kq_err orgs_count_by_kind(struct db *db, int64_t out[ORGS_KIND_MAX]);
/* The categories of one kind (slugs as in data/demo/territory.json); NULL for an unknown kind. */
const char *const *orgs_categories(const char *kind);
bool orgs_category_valid(const char *kind, const char *category);
const char *const *orgs_roles(void);
bool orgs_role_valid(const char *role);

/* ---- permissions ------------------------------------------------------------------- */

enum org_action {
	ORG_ACT_VIEW_MEMBERS,     /* see the member list: every role */
	ORG_ACT_EDIT_PROFILE,     /* profile and logo: owner, editor */
	ORG_ACT_PUBLISH,          /* news and events (later modules): owner, editor */
	ORG_ACT_MANAGE_MEMBERS,   /* invite, change roles, remove: owner */
	ORG_ACT_BOX_OFFICE,       /* sell and scan tickets: owner, box_office */
	ORG_ACT_MONEY,            /* payments, receipts, exports: owner, treasurer */
};

/* What a role allows; false for an unknown role or NULL. */
bool orgs_role_can(const char *role, enum org_action act);
/* May who do act on organisation org_id? KQ_OK, or AUTH_REQUIRED (visitor),
 * NOT_FOUND (no such organisation), FORBIDDEN, INTERNAL. Platform admins
 * may do everything owners may. Usable inside or outside a transaction. */
__attribute__((warn_unused_result))
enum kq_err orgs_authorize(struct db *db, const struct actor *who, int64_t org_id,
			   enum org_action act);
/* The role of account_id in org_id, in a; [out] *out_role NULL when not a member. */
enum kq_err orgs_member_role(struct db *db, struct arena *a, int64_t org_id, int64_t account_id,
			     const char **out_role);

/* ---- organisations ------------------------------------------------------------------- */

/* Creates an organisation; who becomes its owner. who must be logged in
 * and verified. [out] *out (strings in a), fe (per-field message keys).
 * Errors: AUTH_REQUIRED, ORGS_UNVERIFIED, FORM_INVALID (fe), ORGS_SLUG_TAKEN
 * (fe "slug"; orgs_slug_suggest gives a free one), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err orgs_create(struct db *db, const struct actor *who, const struct org_input *in,
			struct arena *a, struct field_errors *fe, struct org *out);
/* Updates the fields of in that are not NULL (the slug never changes).
 * Needs ORG_ACT_EDIT_PROFILE. [out] *out is the updated organisation.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, FORM_INVALID (fe), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err orgs_update(struct db *db, const struct actor *who, int64_t org_id,
			const struct org_input *in, struct arena *a, struct field_errors *fe,
			struct org *out);
/* One organisation by slug or by id, hidden ones too (hidden_at says so:
 * public pages and the API answer 404 for them but to moderators). Errors:
 * NOT_FOUND, INTERNAL. */
enum kq_err orgs_get(struct db *db, struct arena *a, const char *slug, struct org *out);
enum kq_err orgs_get_by_id(struct db *db, struct arena *a, int64_t id, struct org *out);
/* A page of organisations matching f, in f's order (lower(name) then id by
 * default); [out] the page (in a), its length, and the number of matches in
 * all pages. Hidden organisations are never listed. An unknown commune or
 * label matches nothing. Every filter but q is served by an index (0022);
 * q is a LIKE scan of name and summary; the order "near" sorts the matches. */
enum kq_err orgs_list(struct db *db, struct arena *a, const struct org_filter *f,
		      struct org **out, int *out_n, int64_t *out_total);
/* Every organisation matching f (limit and offset ignored) that the map can
 * place (on_map), at most ORGS_MAP_MAX, in f's order; [out] list in a.
 * Hidden organisations are left out as in orgs_list. Errors: INTERNAL. */
enum kq_err orgs_map(struct db *db, struct arena *a, const struct org_filter *f,
		     struct org **out, int *out_n);

/* A label a directory filter may name (table labels of 0021-terroir). */
struct org_label {
	const char *slug, *name;
};
/* Every label, by name; [out] list in a. Errors: INTERNAL. */
enum kq_err orgs_labels(struct db *db, struct arena *a, struct org_label **out, int *out_n);

/* Sets (or clears, both "" or NULL) the organisation's own position from
 * decimal degrees as typed ("44.4889", "44,4889"; at most 6 decimals;
 * latitude -90..90, longitude -180..180; both or neither). Needs
 * ORG_ACT_EDIT_PROFILE. fe: "lat", "lon". Errors: AUTH_REQUIRED, FORBIDDEN,
 * NOT_FOUND, FORM_INVALID, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err orgs_position_set(struct db *db, const struct actor *who, int64_t org_id,
			      const char *lat, const char *lon, struct field_errors *fe);
/* Reads decimal degrees into micro-degrees; false when malformed or past max_deg. */
bool orgs_degrees_parse(const char *s, int max_deg, int64_t *out_e6);
/* "44.488900" from micro-degrees, in a. */
const char *orgs_degrees_format(struct arena *a, int64_t e6);

/* An extra link of an organisation. */
struct org_link {
	const char *label, *url;
};
/* The links of org_id in order; [out] list in a. Errors: INTERNAL. */
enum kq_err orgs_links(struct db *db, struct arena *a, int64_t org_id, struct org_link **out,
		       int *out_n);
/* What the organisation's page adds from the directory, read from covering
 * indexes (it is the most viewed page): the opening ranges (note "", the
 * page has org.hours_note) and the links. [out] in a. Errors: INTERNAL. */
enum kq_err orgs_page_extras(struct db *db, struct arena *a, int64_t org_id,
			     struct org_hours *out_hours, struct org_link **out_links,
			     int *out_nlinks);
/* Replaces the links of org_id with the pairs of labels[i], urls[i] (i <
 * ORGS_LINKS_MAX) whose url is not empty: url http(s), label one line of at
 * most ORGS_LINK_LABEL_MAX characters (empty: the url's host). Needs
 * ORG_ACT_EDIT_PROFILE. fe: "link_label_<i+1>", "link_url_<i+1>". Errors as
 * orgs_position_set. */
__attribute__((warn_unused_result))
enum kq_err orgs_links_set(struct db *db, const struct actor *who, int64_t org_id,
			   const char *const labels[ORGS_LINKS_MAX],
			   const char *const urls[ORGS_LINKS_MAX], struct field_errors *fe);

/* A slug close to base (slugified) that no organisation uses yet, in a:
 * "base", then "base-2", "base-3"... [out] *out. */
enum kq_err orgs_slug_suggest(struct db *db, struct arena *a, const char *base, const char **out);

/* Replaces the logo with an image (PNG, JPEG or WebP by its bytes, at most
 * UPLOAD_IMAGE_MAX). Needs ORG_ACT_EDIT_PROFILE. The old image is deleted.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, UPLOAD_TOO_LARGE, UPLOAD_BAD_TYPE, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err orgs_logo_set(struct db *db, const struct actor *who, int64_t org_id,
			  const void *bytes, size_t len);
/* The logo of the organisation slug, bytes in a. Errors: NOT_FOUND (no such
 * organisation or no logo), INTERNAL. */
enum kq_err orgs_logo_get(struct db *db, struct arena *a, const char *slug, struct upload *out);

/* ---- members and invitations ------------------------------------------------------------ */

/* Members by role then name. Needs ORG_ACT_VIEW_MEMBERS. [out] list in a.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err orgs_members_list(struct db *db, const struct actor *who, int64_t org_id,
			      struct arena *a, struct org_member **out, int *out_n);
/* Invites email to join org_id with role: writes an invitation valid 14
 * days (only the token's hash is kept), replaces a pending one to the same
 * address and queues the mail with the link /invitations/<token>, all in
 * one transaction. Needs ORG_ACT_MANAGE_MEMBERS. [out] *out_inv (may be
 * NULL), *out_token (may be NULL; for tests: pages and API never show it).
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, FORM_INVALID (fe "email",
 * "role"), ORGS_ALREADY_MEMBER (fe "email"), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err orgs_member_invite(struct db *db, const struct actor *who, int64_t org_id,
			       const char *email, const char *role, struct arena *a,
			       struct field_errors *fe, struct org_invitation *out_inv,
			       const char **out_token);
/* Invitations neither accepted, revoked nor expired, newest first. Needs
 * ORG_ACT_MANAGE_MEMBERS. Errors as orgs_members_list. */
enum kq_err orgs_invitations_pending(struct db *db, const struct actor *who, int64_t org_id,
				     struct arena *a, struct org_invitation **out, int *out_n);
/* Revokes a pending invitation of org_id. Needs ORG_ACT_MANAGE_MEMBERS.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err orgs_invitation_revoke(struct db *db, const struct actor *who, int64_t org_id,
				   int64_t invitation_id);
/* The live invitation behind a token (from the mail). Errors:
 * ORGS_INVITE_INVALID (unknown, used, revoked or expired), INTERNAL. */
enum kq_err orgs_invitation_find(struct db *db, struct arena *a, const char *token,
				 struct org_invitation *out);
/* who accepts the invitation behind token and becomes a member with its
 * role; only the account whose email the invitation was sent to may, and
 * only once. [out] *out_inv (may be NULL) describes what was accepted.
 * Errors: AUTH_REQUIRED, ORGS_INVITE_INVALID, ORGS_INVITE_WRONG_ACCOUNT,
 * ORGS_ALREADY_MEMBER, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err orgs_invitation_accept(struct db *db, const struct actor *who, const char *token,
				   struct arena *a, struct org_invitation *out_inv);
/* Gives account_id the role in org_id. Needs ORG_ACT_MANAGE_MEMBERS.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND (not a member), FORM_INVALID
 * (unknown role), ORGS_LAST_OWNER (would leave no owner), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err orgs_member_set_role(struct db *db, const struct actor *who, int64_t org_id,
				 int64_t account_id, const char *role);
/* Removes account_id from org_id. Anyone may remove themselves (leave);
 * removing someone else needs ORG_ACT_MANAGE_MEMBERS. Errors: AUTH_REQUIRED,
 * FORBIDDEN, NOT_FOUND, ORGS_LAST_OWNER, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err orgs_member_remove(struct db *db, const struct actor *who, int64_t org_id,
			       int64_t account_id);

/* Renders and stores description_html for every organisation that has none
 * (saved before migration 0003, or written by plain SQL), in batches of 200,
 * one write transaction each; a row saved meanwhile keeps its own HTML.
 * Meant to run once at start, after db_migrate: until it has, pages render
 * those descriptions on each view. [out] *out_n (may be NULL): rows
 * rendered. Errors: INTERNAL. Not inside a transaction. */
__attribute__((warn_unused_result))
enum kq_err orgs_render_pending(struct db *db, int64_t *out_n);

/* ---- for loaders and tests; no authorisation, no validation ---------------------------- */

/* Inserts an organisation as given (commune by INSEE code, slug from the
 * name when empty). Must run inside an open transaction. [out] *out_id. */
__attribute__((warn_unused_result))
enum db_status orgs_insert_raw(struct db *db, const struct org_input *in, int64_t created_by,
			       int64_t *out_id);
/* The demo loaders write through the same rules as pages, as the organisation's owner: the id of
 * the organisation slug and its first owner as an actor ([out] *out_org_id 0: no such
 * organisation in this demo, not an error). Errors: INTERNAL. */
enum kq_err orgs_demo_owner(struct db *db, const char *slug, int64_t *out_org_id,
			    struct actor *out_owner);
/* Sets the position and the links of an organisation as given (demo loader). */
__attribute__((warn_unused_result))
enum db_status orgs_position_set_raw(struct db *db, int64_t org_id, int64_t lat_e6, int64_t lon_e6);
__attribute__((warn_unused_result))
enum db_status orgs_link_insert_raw(struct db *db, int64_t org_id, int position, const char *label,
				    const char *url);
/* Adds (or re-roles) a member. Must run inside an open transaction. */
__attribute__((warn_unused_result))
enum db_status orgs_member_insert_raw(struct db *db, int64_t org_id, int64_t account_id,
				      const char *role);

#endif
