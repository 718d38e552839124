/* my_tickets.c: "Mes billets", an account holder's tickets to come and every order they placed. */
#include "pages.h"
#include "web/views/my_tickets.h"
#include "core/orders.h"
#include "base/timefmt.h"

#define UPCOMING_SPAN (2 * 366 * 86400)   /* dates to come shown: two years ahead */
#define STARTED_GRACE (12 * 3600)          /* a date that began less than this ago is still "to come" */

void web_my_tickets(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct my_tickets_view v = { 0 };
	struct account_ticket_date *dates;
	struct order *orders;
	int64_t now = time_now();
	enum kq_err e = orders_account_tickets(w->db, w->actor.account_id, now - STARTED_GRACE,
					       now + UPCOMING_SPAN, req->arena, &dates, &v.n_upcoming);
	if (e == KQ_OK)
		e = orders_of_account(w->db, &w->actor, req->arena, &orders, &v.n_orders);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v.upcoming = dates;
	v.orders = orders;
	/* The links carry the orders' secrets: never cached. */
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_my_tickets(&res->body, req, &v);
}
