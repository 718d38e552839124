/* sales.c: the sales report of an event (sales.h): a few grouped statements folded in C */
#include "sales.h"
#include "orgs.h"
#include "tickets.h"
#include "base/timefmt.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Tickets of each type by the state of their order. LEFT JOINs keep the
 * types nothing was sold of; their sums are NULL, hence the COALESCEs. */
static const struct db_sql SQL_TYPES = { "sales_types",
	"SELECT tt.id, tt.name, tt.visibility, tt.archived_at IS NOT NULL, tt.price_cents,"
	" COALESCE(SUM(CASE WHEN o.status = 'paid' THEN 1 ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN o.status = 'pending' THEN 1 ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN o.status IN ('cancelled', 'refunded', 'expired') THEN 1 ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN o.status = 'paid' THEN t.price_cents ELSE 0 END), 0),"
	" COALESCE(SUM(CASE WHEN o.status = 'paid' AND t.checked_in_at IS NOT NULL THEN 1 ELSE 0 END), 0)"
	" FROM ticket_types tt LEFT JOIN tickets t ON t.ticket_type_id = tt.id"
	" LEFT JOIN orders o ON o.id = t.order_id"
	" WHERE tt.event_id = $1"
	" GROUP BY tt.id, tt.name, tt.visibility, tt.archived_at, tt.price_cents, tt.position"
	" ORDER BY tt.position, tt.id" };

/* What is left of each type: per date the tightest of its quotas (a type
 * may count in several), summed over the dates that are not cancelled. */
static const struct db_sql SQL_SEATS = { "sales_seats",
	"SELECT x.type_id, SUM(x.seats) FROM (SELECT qt.ticket_type_id AS type_id,"
	"   q.event_date_id AS date_id, MIN(q.size - q.sold) AS seats"
	"   FROM ticket_quota_types qt JOIN ticket_quotas q ON q.id = qt.quota_id"
	"   JOIN ticket_types tt ON tt.id = qt.ticket_type_id"
	"   JOIN event_dates d ON d.id = q.event_date_id"
	"   WHERE tt.event_id = $1 AND d.cancelled = 0"
	"   GROUP BY qt.ticket_type_id, q.event_date_id) x GROUP BY x.type_id" };

/* Paid sales by UTC hour: the territory's offset is a whole number of hours,
 * so every second of one hour falls in the same local day. */
static const struct db_sql SQL_HOURS = { "sales_hours",
	"SELECT o.created_at / 3600, COUNT(DISTINCT o.id), COUNT(t.id), COALESCE(SUM(t.price_cents), 0)"
	" FROM orders o JOIN tickets t ON t.order_id = o.id"
	" WHERE o.event_id = $1 AND o.status = 'paid'"
	" GROUP BY o.created_at / 3600 ORDER BY 1" };

static const struct db_sql SQL_ORDERS = { "sales_orders",
	"SELECT status, COUNT(*), MIN(currency) FROM orders WHERE event_id = $1 GROUP BY status" };

static const struct db_sql SQL_LEDGER = { "sales_ledger",
	"SELECT l.kind, l.provider, COALESCE(SUM(l.amount_cents), 0)"
	" FROM ledger l JOIN orders o ON o.id = l.order_id WHERE o.event_id = $1"
	" GROUP BY l.kind, l.provider ORDER BY l.provider, l.kind" };

static const struct db_sql SQL_REFUNDS_OPEN = { "sales_refunds_open",
	"SELECT COUNT(*), COALESCE(SUM(r.amount_cents), 0) FROM refunds r"
	" JOIN orders o ON o.id = r.order_id WHERE o.event_id = $1 AND r.status <> 'done'" };

static enum kq_err read_types(struct db *db, int64_t event_id, struct arena *a,
			      struct sales_report *r)
{
	int cap = 8, n = 0;
	struct sales_type *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_TYPES);
	db_bind_i64(st, 1, event_id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		struct sales_type *t = &v[n++];
		memset(t, 0, sizeof(*t));
		t->id = db_col_i64(st, 0);
		t->name = db_col_str(st, 1, a);
		t->visibility = db_col_str(st, 2, a);
		t->is_archived = db_col_i64(st, 3) != 0;
		t->price_cents = db_col_i64(st, 4);
		t->paid = db_col_i64(st, 5);
		t->pending = db_col_i64(st, 6);
		t->cancelled = db_col_i64(st, 7);
		t->revenue_cents = db_col_i64(st, 8);
		t->checked_in = db_col_i64(st, 9);
		t->seats_left = -1;
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	st = db_stmt(db, &SQL_SEATS);
	db_bind_i64(st, 1, event_id);
	while ((s = db_step(st)) == DB_ROW) {
		int64_t id = db_col_i64(st, 0);
		for (int i = 0; i < n; i++)
			if (v[i].id == id)
				v[i].seats_left = db_col_i64(st, 1);
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	for (int i = 0; i < n; i++) {
		r->paid += v[i].paid;
		r->pending += v[i].pending;
		r->cancelled += v[i].cancelled;
		r->revenue_cents += v[i].revenue_cents;
		r->checked_in += v[i].checked_in;
	}
	r->types = v;
	r->ntypes = n;
	return KQ_OK;
}

/* Local noon of the day of t: adding one calendar day to it and
 * normalising with mktime steps over DST changes (23- and 25-hour days). */
static time_t local_noon(time_t t, int add_days)
{
	struct tm tm;
	localtime_r(&t, &tm);
	tm.tm_hour = 12;
	tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday += add_days;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

struct hour_row {
	int64_t hour, orders, tickets, cents;
};

static enum kq_err read_days(struct db *db, int64_t event_id, struct arena *a,
			     struct sales_report *r)
{
	int cap = 64, n = 0;
	struct hour_row *h = arena_alloc(a, sizeof(*h) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_HOURS);
	db_bind_i64(st, 1, event_id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		h = arena_grow(a, h, n, &cap, sizeof(*h));
		h[n].hour = db_col_i64(st, 0);
		h[n].orders = db_col_i64(st, 1);
		h[n].tickets = db_col_i64(st, 2);
		h[n].cents = db_col_i64(st, 3);
		n++;
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	r->days = NULL;
	r->ndays = 0;
	if (n == 0)
		return KQ_OK;
	/* Every day from the first sale to the last, the quiet ones too (a gap
	 * in the chart is information); the last SALES_DAYS_MAX of them. */
	time_t first = local_noon((time_t)(h[0].hour * 3600), 0);
	const char *last_day = time_format_date(a, h[n - 1].hour * 3600);
	int total = 0;
	while (total < 3660) {   /* ten years of sales: a bad clock, not a shop */
		const char *day = time_format_date(a, (int64_t)local_noon(first, total));
		total++;
		if (strcmp(day, last_day) >= 0)
			break;
	}
	int skip = total > SALES_DAYS_MAX ? total - SALES_DAYS_MAX : 0;
	int nd = total - skip;
	struct sales_day *d = arena_alloc(a, sizeof(*d) * (size_t)nd);
	int k = 0;
	for (int i = 0; i < nd; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		d[i].date = time_format_date(a, (int64_t)local_noon(first, skip + i));
		for (; k < n; k++) {
			const char *day = time_format_date(a, h[k].hour * 3600);
			int c = strcmp(day, d[i].date);
			if (c > 0)
				break;
			if (c < 0)
				continue;   /* before the days kept */
			d[i].orders += h[k].orders;
			d[i].tickets += h[k].tickets;
			d[i].revenue_cents += h[k].cents;
		}
		if (d[i].tickets > r->day_max_tickets)
			r->day_max_tickets = d[i].tickets;
	}
	r->days = d;
	r->ndays = nd;
	return KQ_OK;
}

static enum kq_err read_orders(struct db *db, int64_t event_id, struct arena *a,
			       struct sales_report *r)
{
	struct db_stmt *st = db_stmt(db, &SQL_ORDERS);
	db_bind_i64(st, 1, event_id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		const char *status = db_col_text(st, 0);
		if (strcmp(status, "paid") == 0)
			r->orders_paid = db_col_i64(st, 1);
		else if (strcmp(status, "pending") == 0)
			r->orders_pending = db_col_i64(st, 1);
		const char *cur = db_col_text(st, 2);
		if (cur && *cur)
			r->currency = arena_strdup(a, cur);
	}
	db_reset(st);
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

static struct sales_provider *provider_row(struct sales_report *r, struct arena *a, const char *name)
{
	for (int i = 0; i < r->nproviders; i++)
		if (strcmp(r->providers[i].provider, name) == 0)
			return &r->providers[i];
	if (r->nproviders == SALES_PROVIDERS_MAX)
		return NULL;
	struct sales_provider *p = &r->providers[r->nproviders++];
	memset(p, 0, sizeof(*p));
	p->provider = arena_strdup(a, name);
	return p;
}

/* The money as the ledger has it (INVARIANT(ledger): one row per move), not
 * recomputed from the orders: a refund to make by hand is not money out
 * until it is done. */
static enum kq_err read_ledger(struct db *db, int64_t event_id, struct arena *a,
			       struct sales_report *r)
{
	struct db_stmt *st = db_stmt(db, &SQL_LEDGER);
	db_bind_i64(st, 1, event_id);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		const char *kind = db_col_text(st, 0);
		int64_t sum = db_col_i64(st, 2);
		struct sales_provider *p = provider_row(r, a, db_col_text(st, 1));
		if (strcmp(kind, "payment") == 0) {
			r->gross_cents += sum;
			if (p)
				p->gross_cents += sum;
		} else if (strcmp(kind, "refund") == 0) {
			r->refunded_cents -= sum;
			if (p)
				p->refunded_cents -= sum;
		} else {
			r->fees_cents -= sum;
			if (p)
				p->fees_cents -= sum;
		}
		r->net_cents += sum;
		if (p)
			p->net_cents += sum;
	}
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	st = db_stmt(db, &SQL_REFUNDS_OPEN);
	db_bind_i64(st, 1, event_id);
	s = db_step(st);
	if (s == DB_ROW) {
		r->refunds_open = db_col_i64(st, 0);
		r->refunds_open_cents = db_col_i64(st, 1);
	}
	db_reset(st);
	return s == DB_ROW ? KQ_OK : KQ_ERR_INTERNAL;
}

enum kq_err sales_report(struct db *db, const struct actor *who, int64_t event_id, struct arena *a,
			 struct sales_report *out)
{
	memset(out, 0, sizeof(*out));
	out->currency = "EUR";
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct ticket_event ev;
	enum kq_err e = tickets_event_get(db, a, event_id, &ev);
	if (e != KQ_OK)
		return e;
	e = orgs_authorize(db, who, ev.org_id, ORG_ACT_MONEY);
	out->has_money = e == KQ_OK;
	if (e == KQ_ERR_FORBIDDEN)
		e = orgs_authorize(db, who, ev.org_id, ORG_ACT_BOX_OFFICE);
	if (e != KQ_OK)
		return e;
	if ((e = read_types(db, event_id, a, out)) != KQ_OK ||
	    (e = read_days(db, event_id, a, out)) != KQ_OK ||
	    (e = read_orders(db, event_id, a, out)) != KQ_OK)
		goto fail;
	if (out->has_money) {
		if ((e = read_ledger(db, event_id, a, out)) != KQ_OK)
			goto fail;
	} else {
		/* Counts only: no amount leaves this module for the box office. */
		out->revenue_cents = 0;
		for (int i = 0; i < out->ntypes; i++)
			out->types[i].revenue_cents = 0;
		for (int i = 0; i < out->ndays; i++)
			out->days[i].revenue_cents = 0;
	}
	return KQ_OK;
fail:
	memset(out, 0, sizeof(*out));
	out->currency = "EUR";
	return e;
}
