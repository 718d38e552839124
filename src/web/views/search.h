/* search.h (views): the results page of the search box; the handler in web/search.c runs the search */
#ifndef KQ_VIEWS_SEARCH_H
#define KQ_VIEWS_SEARCH_H
#include "web/views/views.h"
#include "core/search.h"

struct search_view {
	const struct search_results *results;   /* q, and what was found when searched */
	enum kq_err err;                         /* KQ_OK or SEARCH_QUERY_TOO_LONG (shown at the field) */
};
void view_search(struct buf *b, struct request *req, const struct search_view *v);

#endif
