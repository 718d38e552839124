/* tickets_hooks.c: what ticketing tells the agenda (core/events.h): seats left, prices, dates with tickets, "my tickets" */
#include "tickets.h"
#include "events.h"
#include "orders.h"
#include <string.h>

static const struct db_sql SQL_CAPACITY = { "tickets_hooks_capacity",
	"SELECT COALESCE(capacity, 0) FROM events WHERE id = $1" };

/* The quotas' figure once the organiser has set quotas on the date; until
 * then the event's announced capacity, as the agenda says without us. */
static int64_t hook_tickets_left(struct db *db, int64_t event_id, int64_t date_id)
{
	int64_t left;
	bool ticketed;
	if (tickets_date_left(db, date_id, &left, &ticketed) != KQ_OK)
		return EVENTS_TICKETS_UNKNOWN;
	if (ticketed)
		return left;
	struct db_stmt *st = db_stmt(db, &SQL_CAPACITY);
	db_bind_i64(st, 1, event_id);
	enum db_status s = db_step(st);
	int64_t capacity = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	return capacity > 0 ? capacity : EVENTS_TICKETS_UNKNOWN;
}

static void hook_offer(struct db *db, int64_t event_id, int64_t date_id, struct event_offer *out)
{
	int64_t min, max;
	int n;
	memset(out, 0, sizeof(*out));
	if (tickets_date_prices(db, event_id, date_id, &min, &max, &n) != KQ_OK || n == 0)
		return;
	out->known = true;
	out->min_cents = min;
	out->max_cents = max;
	memcpy(out->currency, TICKETS_CURRENCY, sizeof(TICKETS_CURRENCY));
}

static bool hook_date_has_orders(struct db *db, int64_t date_id)
{
	return orders_date_has_tickets(db, date_id);
}

static enum kq_err hook_account_date_ids(struct db *db, struct arena *a, int64_t account_id,
					 int64_t **out_ids, int *out_n)
{
	return orders_account_date_ids(db, a, account_id, out_ids, out_n);
}

void tickets_hooks_install(void)
{
	static const struct events_ticket_hooks h = {
		.tickets_left = hook_tickets_left,
		.offer = hook_offer,
		.date_has_orders = hook_date_has_orders,
		.account_date_ids = hook_account_date_ids,
	};
	events_set_ticket_hooks(&h);
}
