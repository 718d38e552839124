/* products.h: "Made in terroir": products of producers and shops, their labels (AOP, IGP, AB...), season and where to buy them (shop, markets, partner shops).
 *
 * Who may do what (checked here, not by pages or the API): members of a
 * producer or business organisation whose role allows ORG_ACT_PUBLISH
 * (owner, editor), and platform admins, create, edit and delete its
 * products. Other kinds of organisation have no products
 * (PRODUCTS_ORG_KIND). Labels and markets are the territory's: platform
 * admins add them; producers pick from them.
 *
 * Public reads (lists, label and market pages, the API) leave out hidden
 * products and the products of hidden organisations (hidden_at set by a
 * moderator), and partner shops that are hidden. A hidden product is still
 * found by products_get for those who may edit it, and for moderators.
 *
 * Season: months 1..12, 0 and 0 = all year; the season may wrap over the
 * new year (11 -> 2: November to February). INVARIANT(season-wrap): a month
 * m is in season when start <= m <= end, or, when start > end, when m >=
 * start or m <= end (products_in_season, and the SQL of the "en saison"
 * filter, which must agree; test_products.c checks both). */
#ifndef KQ_PRODUCTS_H
#define KQ_PRODUCTS_H
#include "core.h"

#define PRODUCTS_NAME_MIN 2
#define PRODUCTS_NAME_MAX 120
#define PRODUCTS_SUMMARY_MAX 200
#define PRODUCTS_DESCRIPTION_MAX 10000
#define PRODUCTS_NOTES_MAX 200
#define PRODUCTS_PAGE_MAX 100
#define PRODUCTS_PLACES_MAX 40      /* markets + partners of one product */
#define LABELS_NAME_MAX 80
#define LABELS_DESCRIPTION_MAX 1000
#define MARKETS_NAME_MAX 120

struct label {
	int64_t id;
	const char *slug, *name, *description;
	const char *kind;            /* official | local */
	int64_t created_at;
	int64_t nproducts;           /* labels_list: visible products carrying it */
};

struct market {
	int64_t id;
	const char *slug, *name;
	const char *commune_insee, *commune_name;   /* "" when none */
	const char *place;
	int weekday;                 /* 1 Monday .. 7 Sunday */
	int opens_min, closes_min;   /* minutes after midnight, local time */
	const char *season_notes;
};

/* One place where a product is sold. */
struct product_place {
	const char *kind;            /* shop | market | partner */
	const char *notes;
	/* shop: the producer itself; partner: the partner shop. */
	const char *org_slug, *org_name, *org_address, *commune_name;
	struct market market;        /* kind market only; zeroed otherwise */
};

/* A product as read back. Strings are never NULL ("" when empty). */
struct product {
	int64_t id, org_id;
	const char *slug, *name, *summary, *description;
	const char *description_html;   /* made by core/markdown.c at save; print as it is */
	int season_start, season_end;   /* 1..12; both 0: all year */
	int64_t image_upload_id;        /* 0: none */
	int64_t created_at, updated_at;
	int64_t hidden_at;              /* 0: shown */
	const char *org_slug, *org_name, *org_kind, *org_address;
	const char *commune_insee, *commune_name;   /* the organisation's; "" when none */
	const struct label *labels;     /* by name */
	int nlabels;
	const struct product_place *places;   /* products_get only: shop, markets by day, partners */
	int nplaces;
};

/* Input of products_create and products_update. For create, NULL means
 * empty; for update, NULL keeps the current value. */
struct product_input {
	const char *name;            /* 2..120 characters, one line */
	const char *summary;         /* one line, <= 200 characters */
	const char *description;     /* Markdown, <= 10000 characters */
	/* "1".."12", or "" for all year (then both ""); NULL keeps (update). */
	const char *season_start, *season_end;
	/* Labels by slug: replaced when set_labels (create: always). */
	bool set_labels;
	const char *const *labels;
	int nlabels;
	/* Places: replaced when set_places (create: always). */
	bool set_places;
	bool shop;                   /* sold at the organisation's own shop or farm */
	const char *shop_notes;      /* "le vendredi de 17 h à 19 h"; <= 200 characters */
	const char *const *markets;  /* market slugs */
	int nmarkets;
	const char *const *partners; /* organisation slugs (business or producer, not itself) */
	int npartners;
};

struct product_filter {
	const char *label;           /* label slug; NULL or "": any; unknown: nothing */
	const char *commune;         /* INSEE code of the producer's commune; unknown: nothing */
	int in_season_month;         /* 1..12: only products in season that month; 0: any */
	int64_t org_id;              /* 0: any */
	int64_t market_id;           /* 0: any; else products sold at that market */
	int limit;                   /* clamped to 1..PRODUCTS_PAGE_MAX */
	int offset;                  /* negative counts as 0 */
};

/* An organisation carrying a label, or present at a market (distinct). */
struct product_org {
	const char *slug, *name, *kind, *commune_name;
	int nproducts;
};

struct label_input {
	const char *slug;            /* NULL or "": from the name */
	const char *name;            /* 2..80 characters */
	const char *description;     /* <= 1000 characters */
	const char *kind;            /* official | local; NULL or "": local */
};

struct market_input {
	const char *name;            /* 2..120 characters */
	const char *slug;            /* NULL or "": from the name */
	const char *commune;         /* INSEE code or "" */
	const char *place;           /* one line, <= 200 */
	const char *weekday;         /* "1".."7" */
	const char *opens, *closes;  /* "HH:MM", opens < closes */
	const char *season_notes;    /* one line, <= 200 */
};

/* ---- season -------------------------------------------------------------------- */

/* Is month (1..12) in the season start..end (0, 0: all year)? */
bool products_in_season(int start, int end, int month);
/* The current month (1..12) in the territory's zone. */
int products_month_now(void);

/* ---- products ------------------------------------------------------------------- */

/* Creates a product of org_id (producer or business). Needs ORG_ACT_PUBLISH.
 * The slug comes from the name ("-2"... when taken) and never changes.
 * [out] *out (strings in a), fe. Errors: AUTH_REQUIRED, FORBIDDEN,
 * NOT_FOUND (organisation), PRODUCTS_ORG_KIND, FORM_INVALID (fe: name,
 * summary, description, season_start, season_end, labels, markets,
 * partners, shop_notes), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err products_create(struct db *db, const struct actor *who, int64_t org_id,
			    const struct product_input *in, struct arena *a,
			    struct field_errors *fe, struct product *out);
/* Updates product_id. Needs ORG_ACT_PUBLISH on its organisation. Errors:
 * as products_create; NOT_FOUND (no such product). */
__attribute__((warn_unused_result))
enum kq_err products_update(struct db *db, const struct actor *who, int64_t product_id,
			    const struct product_input *in, struct arena *a,
			    struct field_errors *fe, struct product *out);
/* Deletes product_id with its labels and places. Needs ORG_ACT_PUBLISH.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err products_delete(struct db *db, const struct actor *who, int64_t product_id);

/* May who edit the product? KQ_OK, AUTH_REQUIRED, FORBIDDEN, INTERNAL. */
enum kq_err products_authorize(struct db *db, const struct actor *who, const struct product *p);

/* One product with its labels and every place to buy it. Hidden (itself or
 * its organisation): NOT_FOUND but for who may edit it and moderators.
 * [out] *out (in a). Errors: NOT_FOUND, INTERNAL. */
enum kq_err products_get(struct db *db, const struct actor *who, struct arena *a,
			 const char *slug, struct product *out);
enum kq_err products_get_id(struct db *db, const struct actor *who, struct arena *a, int64_t id,
			    struct product *out);
/* A page of visible products matching f, by name, each with its labels.
 * [out] *out, *out_n, *out_total. Errors: INTERNAL. */
enum kq_err products_list(struct db *db, struct arena *a, const struct product_filter *f,
			  struct product **out, int *out_n, int64_t *out_total);
/* Every product of org_id by name, with labels; hidden ones too (first
 * flagged by hidden_at) when who may edit them. Errors: INTERNAL. */
enum kq_err products_of_org(struct db *db, const struct actor *who, struct arena *a,
			    int64_t org_id, struct product **out, int *out_n);

/* ---- labels --------------------------------------------------------------------- */

/* Every label, official first then by name, with its count of visible products. */
enum kq_err labels_list(struct db *db, struct arena *a, struct label **out, int *out_n);
/* Errors: NOT_FOUND, INTERNAL. */
enum kq_err labels_get(struct db *db, struct arena *a, const char *slug, struct label *out);
/* The label page: the label, its visible products (by name, at most
 * PRODUCTS_PAGE_MAX) and the organisations that make or sell them.
 * Errors: NOT_FOUND, INTERNAL. */
enum kq_err labels_page(struct db *db, struct arena *a, const char *slug, struct label *out,
			struct product **out_products, int *out_np, struct product_org **out_orgs,
			int *out_no);
/* Adds a label. Platform admins only. Errors: AUTH_REQUIRED, FORBIDDEN,
 * FORM_INVALID (fe: name, slug (also when taken), description, kind), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err labels_create(struct db *db, const struct actor *who, const struct label_input *in,
			  struct arena *a, struct field_errors *fe, struct label *out);

/* ---- markets -------------------------------------------------------------------- */

/* Every market, by weekday then opening time. Errors: INTERNAL. */
enum kq_err markets_list(struct db *db, struct arena *a, struct market **out, int *out_n);
/* Errors: NOT_FOUND, INTERNAL. */
enum kq_err markets_get(struct db *db, struct arena *a, const char *slug, struct market *out);
/* The organisations with visible products sold at a market, by name. */
enum kq_err markets_producers(struct db *db, struct arena *a, int64_t market_id,
			      struct product_org **out, int *out_n);
/* Adds a market. Platform admins only. Errors: AUTH_REQUIRED, FORBIDDEN,
 * FORM_INVALID (fe: name, slug, commune, place, weekday, opens, closes,
 * season_notes), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err markets_create(struct db *db, const struct actor *who, const struct market_input *in,
			   struct arena *a, struct field_errors *fe, struct market *out);

/* The demo territory's markets and products. Inside the demo's transaction. */
enum kq_err products_load_demo(struct db *db);

#endif
