/* products.h (views): "Made in terroir": products list and page, label and market pages, product forms, the organisation's section and the labels admin page */
#ifndef KQ_VIEWS_PRODUCTS_H
#define KQ_VIEWS_PRODUCTS_H
#include "web/views/views.h"
#include "core/orgs.h"
#include "core/products.h"
#include "core/territory.h"

#define PRODUCTS_LIST_PAGE 24

struct products_list_view {
	const struct product *items;
	int n;
	int64_t total;
	int page, pages;
	const char *label, *commune;       /* the filters as typed ("" when none) */
	bool in_season;
	int month;                         /* the current month, for "en saison" */
	const struct label *labels;
	int nlabels;
	const struct commune *communes;
	int ncommunes;
};
void view_products_list(struct buf *b, struct request *req, const struct products_list_view *v);

struct products_show_view {
	const struct product *p;
	bool can_edit;
	int month;
};
void view_products_show(struct buf *b, struct request *req, const struct products_show_view *v);

struct labels_show_view {
	const struct label *l;
	const struct product *items;
	int n;
	const struct product_org *orgs;
	int norgs;
};
void view_labels_show(struct buf *b, struct request *req, const struct labels_show_view *v);
void view_labels_index(struct buf *b, struct request *req, const struct label *labels, int n);

void view_markets_list(struct buf *b, struct request *req, const struct market *items, int n);
struct markets_show_view {
	const struct market *m;
	const struct product_org *orgs;
	int norgs;
	const struct product *items;
	int n;
};
void view_markets_show(struct buf *b, struct request *req, const struct markets_show_view *v);

/* The new form (p == NULL) or the edit form of p, for org. values: what
 * the fields show (checked labels, markets, partners by slug); fe: errors. */
struct products_form_view {
	const struct org *org;
	const struct product *p;
	const struct product_input *values;
	const struct field_errors *fe;
	const struct label *labels;        /* every label */
	int nlabels;
	const struct market *markets;      /* every market */
	int nmarkets;
	const struct org *partners;        /* every business and producer but org */
	int npartners;
};
void view_products_form(struct buf *b, struct request *req, const struct products_form_view *v);
void view_products_delete_confirm(struct buf *b, struct request *req, const struct product *p);
/* The organisation's products, for its members: edit and delete links. */
void view_products_manage(struct buf *b, struct request *req, const struct org *o,
			  const struct product *items, int n);
/* The organisation page's section; nothing when there is no product and !can_publish. */
void view_products_org_section(struct buf *b, struct request *req, const struct org *o,
			       const struct product *items, int n, bool can_publish);

struct labels_admin_view {
	const struct label *labels;
	int nlabels;
	const struct market *markets;
	int nmarkets;
	const struct commune *communes;
	int ncommunes;
	const struct label_input *label_values;
	const struct field_errors *label_fe;
	const struct market_input *market_values;
	const struct field_errors *market_fe;
};
void view_labels_admin(struct buf *b, struct request *req, const struct labels_admin_view *v);

/* "de novembre à février", "toute l'année", "en juin", in the request's language, in a. */
const char *view_products_season(struct request *req, int start, int end);
/* "le samedi de 8 h à 12 h 30", in a. */
const char *view_markets_when(struct request *req, const struct market *m);
#endif
