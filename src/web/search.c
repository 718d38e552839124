/* search.c: the search box's results page, GET /recherche?q=... (works without JavaScript) */
#include "pages.h"
#include "web/views/search.h"

#define SEARCH_PAGE_LIMIT 20   /* results of each kind on the page */

void web_search(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct search_results r;
	struct search_view v = { &r, KQ_OK };
	enum kq_err e = search_run(w->db, req->arena, http_query(req, "q"), SEARCH_PAGE_LIMIT, &r);
	if (e == KQ_ERR_SEARCH_QUERY_TOO_LONG) {
		/* The page again, the query in the box and the reason next to it. */
		res->status = err_http_status(e);
		v.err = e;
	} else if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	view_search(&res->body, req, &v);
}
