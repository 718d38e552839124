/* attendees.c: the organiser's back office of an event: the participants
 * page (/evenements/{slug}/participants: sales report, manual box-office
 * order, orders by pages of 50 with a state filter and a search, tickets),
 * its CSV export (every order), the page of one order
 * (/participants/{id}: history, tickets, rename, resend), "mark paid",
 * cancelling an order after a confirmation page, and cancelling the whole
 * event (/evenements/{slug}/annuler).
 *
 * core/ decides who may do what: orders_list, orders_get, sales_report and
 * orders_history need ORG_ACT_BOX_OFFICE or ORG_ACT_MONEY (money figures
 * for ORG_ACT_MONEY only), orders_mark_paid and orders_cancel check the
 * right of the transition, orders_checkout(box_office) needs
 * ORG_ACT_BOX_OFFICE, orders_ticket_rename ORG_ACT_BOX_OFFICE,
 * orders_cancel_event ORG_ACT_MONEY; events_update (the
 * status) needs ORG_ACT_PUBLISH. */
#include "web/pages.h"
#include "web/views/attendees.h"
#include "core/orgs.h"
#include "core/payments.h"
#include "core/sales.h"
#include "base/str.h"
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define ATTENDEES_PAGE_SIZE 50     /* orders per page of the participants page */
#define ATTENDEES_CSV_CHUNK 200    /* orders_list's ceiling: the CSV reads all, by chunks */

static bool load_event(struct request *req, struct response *res, struct event *out)
{
	struct web *w = web_of(req);
	enum kq_err e = events_get(w->db, &w->actor, req->arena, http_param(req, "slug"), out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

/* The filter of the query string: a known state or "" (any). */
static const char *query_status(struct request *req)
{
	static const char *const known[] = { "pending", "paid", "cancelled", "refunded", "expired" };
	const char *s = http_query(req, "statut");
	for (size_t i = 0; s && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(s, known[i]) == 0)
			return known[i];
	return "";
}

static int query_page(struct request *req)
{
	int64_t p;
	const char *s = http_query(req, "page");
	if (!s || !str_to_i64(s, &p) || p < 1 || p > 1000000)
		return 1;
	return (int)p;
}

/* One page of the orders of ev (the query's filter and page) with their
 * tickets, the sales report, and what the manual-order form needs. false:
 * the error page is sent. */
static bool load_view(struct request *req, struct response *res, const struct event *ev,
		      struct attendees_view *v)
{
	struct web *w = web_of(req);
	memset(v, 0, sizeof(*v));
	v->ev = ev;
	v->status = query_status(req);
	v->q = str_trim(req->arena, http_query(req, "q"));
	v->page = query_page(req);
	struct order_filter f = { .status = v->status, .q = v->q, .limit = ATTENDEES_PAGE_SIZE,
				  .offset = (v->page - 1) * ATTENDEES_PAGE_SIZE };
	struct order *list;
	int n;
	struct sales_report *r = arena_alloc(req->arena, sizeof(*r));
	enum kq_err e = orders_list_full(w->db, &w->actor, ev->id, &f, req->arena, &list, &n,
					 &v->total_orders);
	if (e == KQ_OK)
		e = sales_report(w->db, &w->actor, ev->id, req->arena, r);
	v->can_sell = e == KQ_OK &&
		      orgs_authorize(w->db, &w->actor, ev->org_id, ORG_ACT_BOX_OFFICE) == KQ_OK;
	if (v->can_sell) {
		struct ticket_type *types;
		e = tickets_types_list(w->db, &w->actor, ev->id, req->arena, &types, &v->ntypes);
		v->types = types;
	}
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	v->report = r;
	v->orders = list;
	v->norders = n;
	v->npages = (int)((v->total_orders + ATTENDEES_PAGE_SIZE - 1) / ATTENDEES_PAGE_SIZE);
	if (v->npages < 1)
		v->npages = 1;
	return true;
}

void web_attendees_page(struct request *req, struct response *res)
{
	struct event ev;
	struct attendees_view v;
	if (!load_event(req, res, &ev) || !load_view(req, res, &ev, &v))
		return;
	res->status = 200;
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_attendees(&res->body, req, &v);
}

/* A file name from the slug: [a-z0-9-] only, at most 80 characters. */
static const char *csv_filename(struct request *req, const char *slug)
{
	char *s = arena_printf(req->arena, "participants-%.80s", slug);
	for (char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			*p = '-';
	return arena_printf(req->arena, "%s.csv", s);
}

void web_attendees_csv(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	if (!load_event(req, res, &ev))
		return;
	/* Every order, newest first, read by chunks of orders_list's ceiling. */
	struct attendees_view v = { .ev = &ev };
	struct order *all = NULL;
	int nall = 0, cap = 0;
	for (;;) {
		struct order_filter f = { .limit = ATTENDEES_CSV_CHUNK, .offset = nall };
		struct order *list;
		int n;
		enum kq_err e = orders_list_full(w->db, &w->actor, ev.id, &f, req->arena, &list, &n,
						 &v.total_orders);
		if (e != KQ_OK) {
			web_error(req, res, e);
			return;
		}
		if (nall + n > cap) {
			while (nall + n > cap)
				cap = cap ? cap * 2 : ATTENDEES_CSV_CHUNK;
			struct order *grown = arena_alloc(req->arena, sizeof(*grown) * (size_t)cap);
			if (nall)
				memcpy(grown, all, sizeof(*grown) * (size_t)nall);
			all = grown;
		}
		if (n)
			memcpy(all + nall, list, sizeof(*all) * (size_t)n);
		nall += n;
		if (n < ATTENDEES_CSV_CHUNK || nall >= v.total_orders)
			break;
	}
	v.orders = all;
	v.norders = nall;
	res->status = 200;
	res->content_type = "text/csv; charset=utf-8";
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	http_set_header(res, req->arena, "X-Content-Type-Options", "nosniff");
	http_set_header(res, req->arena, "Content-Disposition",
			arena_printf(req->arena, "attachment; filename=\"%s\"",
				     csv_filename(req, ev.slug)));
	view_attendees_csv(&res->body, req, &v);
}

/* The order of the route's {id}, when it belongs to ev. false: the error page is sent. */
static bool load_order(struct request *req, struct response *res, const struct event *ev,
		       int64_t *out_id, struct order *out_order)
{
	struct web *w = web_of(req);
	const char *s = http_param(req, "id");
	char *end;
	errno = 0;
	long long id = s ? strtoll(s, &end, 10) : 0;
	if (!s || errno || *end || id <= 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return false;
	}
	struct order o;
	enum kq_err e = orders_get(w->db, &w->actor, id, req->arena, &o);
	if (e == KQ_OK && o.event_id != ev->id)
		e = KQ_ERR_NOT_FOUND;
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	*out_id = id;
	if (out_order)
		*out_order = o;
	return true;
}

/* Back to the list, or to the order's page when the form came from there
 * (its field back=order; nothing else is read from it). */
static void back_to_list(struct request *req, struct response *res, const struct event *ev,
			 int64_t id, enum kq_err e, const char *flash_key)
{
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	const char *back = http_form(req, "back");
	const char *tail = back && strcmp(back, "order") == 0
				   ? arena_printf(req->arena, "/%" PRId64, id) : "";
	web_redirect_flash(req, res,
			   arena_printf(req->arena, "/evenements/%s/participants%s",
					url_arg(req->arena, ev->slug), tail),
			   "success", flash_key);
}

void web_attendees_mark_paid(struct request *req, struct response *res)
{
	struct event ev;
	int64_t id;
	if (!load_event(req, res, &ev) || !load_order(req, res, &ev, &id, NULL))
		return;
	struct web *w = web_of(req);
	back_to_list(req, res, &ev, id, orders_mark_paid(w->db, &w->actor, id), "flash.attendees.paid");
}

void web_attendees_cancel_order(struct request *req, struct response *res)
{
	struct event ev;
	int64_t id;
	if (!load_event(req, res, &ev) || !load_order(req, res, &ev, &id, NULL))
		return;
	struct web *w = web_of(req);
	back_to_list(req, res, &ev, id, orders_cancel(w->db, &w->actor, id), "flash.attendees.cancelled");
}

/* Cancelling the event needs both rights: the status (ORG_ACT_PUBLISH) and
 * the refunds (ORG_ACT_MONEY); asked first so nothing is half done. */
static bool may_cancel_event(struct request *req, struct response *res, const struct event *ev)
{
	struct web *w = web_of(req);
	enum kq_err e = orgs_authorize(w->db, &w->actor, ev->org_id, ORG_ACT_PUBLISH);
	if (e == KQ_OK)
		e = orgs_authorize(w->db, &w->actor, ev->org_id, ORG_ACT_MONEY);
	if (e != KQ_OK)
		web_error(req, res, e);
	return e == KQ_OK;
}

void web_attendees_cancel_event_form(struct request *req, struct response *res)
{
	struct event ev;
	if (!load_event(req, res, &ev) || !may_cancel_event(req, res, &ev))
		return;
	res->status = 200;
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_attendees_cancel_event(&res->body, req, &ev);
}

void web_attendees_cancel_event(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	if (!load_event(req, res, &ev) || !may_cancel_event(req, res, &ev))
		return;
	enum kq_err e = KQ_OK;
	if (strcmp(ev.status, "cancelled") != 0) {
		struct event_input in = { .status = "cancelled" };
		struct field_errors fe = { 0 };
		struct event upd;
		e = events_update(w->db, &w->actor, ev.id, &in, req->arena, &fe, &upd);
	}
	/* Called again after a crash half way, it finishes the refunds. */
	if (e == KQ_OK)
		e = orders_cancel_event(w->db, &w->actor, ev.id, NULL);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res,
			   arena_printf(req->arena, "/evenements/%s", url_arg(req->arena, ev.slug)),
			   "success", "flash.attendees.event_cancelled");
}

/* ---- back office: one order, its actions, manual orders ------------------------------------ */

static const char *order_page_path(struct request *req, const struct event *ev, int64_t id,
				   const char *tail)
{
	return arena_printf(req->arena, "/evenements/%s/participants/%" PRId64 "%s",
			    url_arg(req->arena, ev->slug), id, tail);
}

/* The organiser's page of one order; rename_ticket_id and fe after a refused rename. */
static void order_page(struct request *req, struct response *res, const struct event *ev,
		       const struct order *o, int status, int64_t rename_ticket_id,
		       const struct field_errors *fe)
{
	struct web *w = web_of(req);
	struct attendees_order_view v = { .ev = ev, .o = o, .rename_ticket_id = rename_ticket_id,
					  .fe = fe };
	struct order_event *hist;
	enum kq_err e = orders_history(w->db, &w->actor, o->id, req->arena, &hist, &v.nhistory);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v.history = hist;
	v.can_money = orgs_authorize(w->db, &w->actor, ev->org_id, ORG_ACT_MONEY) == KQ_OK;
	v.can_rename = orgs_authorize(w->db, &w->actor, ev->org_id, ORG_ACT_BOX_OFFICE) == KQ_OK;
	res->status = status;
	buf_reset(&res->body);
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_attendees_order(&res->body, req, &v);
}

void web_attendees_order(struct request *req, struct response *res)
{
	struct event ev;
	struct order o;
	int64_t id;
	if (!load_event(req, res, &ev) || !load_order(req, res, &ev, &id, &o))
		return;
	order_page(req, res, &ev, &o, 200, 0, NULL);
}

void web_attendees_cancel_order_form(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	struct order o;
	int64_t id;
	if (!load_event(req, res, &ev) || !load_order(req, res, &ev, &id, &o))
		return;
	/* What the POST will do, said before it is done (orders_cancel's rules:
	 * the box office or the treasurer; a paid order, the treasurer). The
	 * buyer may read their own order through load_order, not here. */
	enum kq_err staff = orgs_authorize(w->db, &w->actor, ev.org_id, ORG_ACT_BOX_OFFICE);
	if (staff == KQ_ERR_FORBIDDEN)
		staff = orgs_authorize(w->db, &w->actor, ev.org_id, ORG_ACT_MONEY);
	if (staff != KQ_OK) {
		web_error(req, res, staff);
		return;
	}
	const char *what = NULL;
	bool paid = strcmp(o.status, "paid") == 0;
	if (strcmp(o.status, "pending") == 0) {
		what = "attendees.cancel_order.pending";
	} else if (paid) {
		enum kq_err e = orgs_authorize(w->db, &w->actor, ev.org_id, ORG_ACT_MONEY);
		if (e != KQ_OK) {
			web_error(req, res, e);
			return;
		}
		const struct payment_provider *p = payments_provider(o.provider);
		what = o.total_cents == 0	 ? "attendees.cancel_order.free"
		       : p && p->is_online && p->refund ? "attendees.cancel_order.refund_online"
							 : "attendees.cancel_order.refund_manual";
	}
	res->status = 200;
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_attendees_cancel_order(&res->body, req, &ev, &o, what);
}

void web_attendees_resend(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	int64_t id;
	if (!load_event(req, res, &ev) || !load_order(req, res, &ev, &id, NULL))
		return;
	enum kq_err e = orders_resend(w->db, &w->actor, id);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, order_page_path(req, &ev, id, ""), "success",
			   "flash.attendees.resent");
}

/* From the order's page; core decides who may (the box office). */
void web_attendees_rename(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	int64_t id, ticket_id;
	if (!load_event(req, res, &ev))
		return;
	const char *os = http_param(req, "id"), *ts = http_param(req, "ticket");
	if (!os || !str_to_i64(os, &id) || id <= 0 || !ts || !str_to_i64(ts, &ticket_id) ||
	    ticket_id <= 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	struct field_errors fe = { 0 };
	enum kq_err e = orders_ticket_rename(w->db, &w->actor, ev.id, id, ticket_id,
					     http_form(req, "attendee_name"), &fe);
	struct order o;
	bool readable = orders_get(w->db, &w->actor, id, req->arena, &o) == KQ_OK &&
			o.event_id == ev.id;
	if (e == KQ_ERR_FORM_INVALID && readable) {
		order_page(req, res, &ev, &o, err_http_status(e), ticket_id, &fe);
		return;
	}
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, order_page_path(req, &ev, id, ""), "success",
			   "flash.attendees.renamed");
}

/* A box-office order typed in by the organiser: one date, quantities of
 * any types (hidden ones too), paid on site now or by transfer later.
 * Through orders_checkout(box_office), so quotas, limits and the seller's
 * right hold exactly as for any sale. */
void web_attendees_manual_order(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	struct event ev;
	if (!load_event(req, res, &ev))
		return;
	struct field_errors fe = { 0 };
	int64_t date_id = 0;
	const char *ds = http_form(req, "date");
	bool date_ok = false;
	if (ds && str_to_i64(ds, &date_id))
		for (int i = 0; i < ev.ndates; i++)
			date_ok |= ev.dates[i].id == date_id;
	if (!date_ok)
		field_error_add(&fe, "date", "attendees.manual.date_invalid");
	struct ticket_type *types;
	int ntypes;
	enum kq_err e = tickets_types_list(w->db, &w->actor, ev.id, a, &types, &ntypes);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	struct checkout_ticket *tickets =
		arena_alloc(a, sizeof(*tickets) * (size_t)(TICKETS_PER_ORDER_MAX + 1));
	int n = 0;
	bool qty_bad = false;
	for (int i = 0; i < ntypes; i++) {
		if (types[i].is_archived)
			continue;
		const char *s = http_form(req, arena_printf(a, "qty-%" PRId64, types[i].id));
		int64_t q = 0;
		if (s && *s && (!str_to_i64(s, &q) || q < 0 || n + q > TICKETS_PER_ORDER_MAX)) {
			qty_bad = true;
			continue;
		}
		for (int k = 0; k < q; k++, n++)
			tickets[n] = (struct checkout_ticket){ .ticket_type_id = types[i].id,
							       .event_date_id = date_id };
	}
	if (qty_bad || n == 0)
		field_error_add(&fe, "tickets", "orders.field.tickets_count");
	const char *pay = http_form(req, "payment");
	if (!pay || (strcmp(pay, "onsite") != 0 && strcmp(pay, "transfer") != 0))
		field_error_add(&fe, "payment", "attendees.manual.payment_invalid");
	struct order o;
	if (fe.n == 0) {
		const char *name = str_trim(a, http_form(req, "buyer_name"));
		struct checkout_request in = {
			.event_id = ev.id,
			.tickets = tickets,
			.n_tickets = n,
			.buyer_name = *name ? name : NULL,
			.buyer_email = str_trim(a, http_form(req, "buyer_email")),
			.provider = pay,
			.idempotency_key = http_form(req, "idem"),
			.lang = w->lang,
			.box_office = true,
		};
		e = orders_checkout(w->db, &w->actor, &in, a, &fe, &o);
		if (e == KQ_OK) {
			web_redirect_flash(req, res, order_page_path(req, &ev, o.id, ""), "success",
					   "flash.attendees.manual_created");
			return;
		}
	} else {
		e = KQ_ERR_FORM_INVALID;
	}
	if (e == KQ_ERR_NOT_FOUND || e == KQ_ERR_INTERNAL || e == KQ_ERR_FORBIDDEN ||
	    e == KQ_ERR_AUTH_REQUIRED) {
		web_error(req, res, e);
		return;
	}
	/* Refused: the participants page again, the form as typed, the reason on top. */
	struct attendees_view v;
	if (!load_view(req, res, &ev, &v))
		return;
	v.fe = &fe;
	v.refill = true;
	if (e != KQ_ERR_FORM_INVALID || fe.n == 0)
		v.error_key = err_msg_key(e);
	res->status = err_http_status(e);
	buf_reset(&res->body);
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_attendees(&res->body, req, &v);
}
