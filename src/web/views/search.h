/* search.h (views): the results page of the search box; the handler in web/search.c runs the search */
#ifndef KQ_VIEWS_SEARCH_H
#define KQ_VIEWS_SEARCH_H
#include "web/views/views.h"
#include "core/search.h"
#include "core/territory.h"

struct search_view {
	const struct search_results *results;   /* q, and what was found when searched */
	enum kq_err err;                         /* KQ_OK or SEARCH_QUERY_TOO_LONG (shown at the field) */
	enum kq_err type_err;                    /* KQ_OK or SEARCH_TYPE_INVALID (shown at the filter) */
	enum search_kind kind;                   /* the type filter; SEARCH_KINDS: all */
	const char *commune;                     /* the commune filter (INSEE code), "" for all */
	const struct commune *communes;          /* the choices of the commune filter */
	int ncommunes;
	int page;                                /* 1-based, when one kind is shown */
	int per_page;                            /* results of that kind a page */
};
void view_search(struct buf *b, struct request *req, const struct search_view *v);

#endif
