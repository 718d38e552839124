/* attendees.c: the organiser's participants page of an event
 * (/evenements/{slug}/participants), its CSV export, the box office's
 * "mark paid" and "cancel" buttons per order, and cancelling the whole
 * event (/evenements/{slug}/annuler).
 *
 * core/orders.c decides who may do what: orders_list and orders_get need
 * ORG_ACT_BOX_OFFICE or ORG_ACT_MONEY, orders_mark_paid and orders_cancel
 * check the right of the transition, orders_cancel_event needs
 * ORG_ACT_MONEY; events_update (the status) needs ORG_ACT_PUBLISH. */
#include "web/pages.h"
#include "web/views/attendees.h"
#include "core/orgs.h"
#include "base/str.h"
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define ATTENDEES_ORDERS_MAX 200   /* orders shown (orders_list's ceiling) */

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

/* The orders of ev with their tickets, and the counts. false: the error page is sent. */
static bool load_view(struct request *req, struct response *res, const struct event *ev,
		      struct attendees_view *v)
{
	struct web *w = web_of(req);
	memset(v, 0, sizeof(*v));
	v->ev = ev;
	v->currency = "EUR";
	struct order_filter f = { .status = NULL, .limit = ATTENDEES_ORDERS_MAX, .offset = 0 };
	struct order *list;
	int n;
	enum kq_err e = orders_list(w->db, &w->actor, ev->id, &f, req->arena, &list, &n,
				    &v->total_orders);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	for (int i = 0; i < n; i++) {
		struct order full;
		e = orders_get(w->db, &w->actor, list[i].id, req->arena, &full);
		if (e != KQ_OK) {
			web_error(req, res, e);
			return false;
		}
		list[i] = full;
		bool paid = strcmp(full.status, "paid") == 0;
		if (paid || strcmp(full.status, "pending") == 0)
			v->tickets_sold += full.n_tickets;
		if (paid) {
			v->tickets_paid += full.n_tickets;
			v->revenue_cents += full.total_cents;
			if (full.currency && *full.currency)
				v->currency = full.currency;
		}
	}
	v->orders = list;
	v->norders = n;
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
	struct event ev;
	struct attendees_view v;
	if (!load_event(req, res, &ev) || !load_view(req, res, &ev, &v))
		return;
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
		       int64_t *out_id)
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
	return true;
}

static void back_to_list(struct request *req, struct response *res, const struct event *ev,
			 enum kq_err e, const char *flash_key)
{
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res,
			   arena_printf(req->arena, "/evenements/%s/participants",
					url_arg(req->arena, ev->slug)),
			   "success", flash_key);
}

void web_attendees_mark_paid(struct request *req, struct response *res)
{
	struct event ev;
	int64_t id;
	if (!load_event(req, res, &ev) || !load_order(req, res, &ev, &id))
		return;
	struct web *w = web_of(req);
	back_to_list(req, res, &ev, orders_mark_paid(w->db, &w->actor, id), "flash.attendees.paid");
}

void web_attendees_cancel_order(struct request *req, struct response *res)
{
	struct event ev;
	int64_t id;
	if (!load_event(req, res, &ev) || !load_order(req, res, &ev, &id))
		return;
	struct web *w = web_of(req);
	back_to_list(req, res, &ev, orders_cancel(w->db, &w->actor, id), "flash.attendees.cancelled");
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
