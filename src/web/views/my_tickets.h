/* my_tickets.h (views): an account holder's tickets and orders. */
#ifndef KQ_VIEWS_MY_TICKETS_H
#define KQ_VIEWS_MY_TICKETS_H
#include "web/views/views.h"
#include "core/orders.h"

struct my_tickets_view {
	const struct account_ticket_date *upcoming;   /* dates to come, by start */
	int n_upcoming;
	const struct order *orders;                    /* every order, newest first */
	int n_orders;
};

void view_my_tickets(struct buf *b, struct request *req, const struct my_tickets_view *v);

#endif
