/* waitlist.c: the waiting list of sold-out ticket types: joining it from the
 * event page (POST /evenements/{slug}/liste-attente), and the page behind an
 * entry's link (/liste-attente/{token}, the link of the mails that
 * core/waitlist.c sends): the place in line, an offer of freed seats with
 * the form that buys them, or why the entry is closed; and leaving it.
 *
 * The token is the only key: those pages answer with Cache-Control:
 * no-store and Referrer-Policy: no-referrer, and an unknown token gets the
 * 404 page. Joining twice with the same address does not reveal the first
 * entry's link to whoever typed it: the link went to that address. */
#include "web/pages.h"
#include "web/views/waitlist.h"
#include "core/events.h"
#include "core/waitlist.h"
#include "base/str.h"
#include <string.h>

static void secret_headers(struct request *req, struct response *res)
{
	http_set_header(res, req->arena, "Cache-Control", "no-store");
	http_set_header(res, req->arena, "Referrer-Policy", "no-referrer");
}

static const char *entry_url(struct request *req, const struct waitlist_entry *w)
{
	return arena_printf(req->arena, "/liste-attente/%s", url_arg(req->arena, w->token));
}

/* "12-34" -> type 12, date 34. */
static bool parse_pair(const char *s, int64_t *type_id, int64_t *date_id)
{
	const char *dash = s ? strchr(s, '-') : NULL;
	if (!dash)
		return false;
	char head[24];
	size_t n = (size_t)(dash - s);
	if (n == 0 || n >= sizeof(head))
		return false;
	memcpy(head, s, n);
	head[n] = 0;
	return str_to_i64(head, type_id) && str_to_i64(dash + 1, date_id) && *type_id > 0 &&
	       *date_id > 0;
}

void web_waitlist_join(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	w->nav = "events";
	struct event ev;
	enum kq_err e = events_get(w->db, &w->actor, a, http_param(req, "slug"), &ev);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	struct orders_form_view v;
	if (!ev.is_ticketed || !web_orders_form_load(req, ev.id, ev.slug, 0, &v)) {
		web_error(req, res, ev.is_ticketed ? KQ_ERR_INTERNAL : KQ_ERR_NOT_FOUND);
		return;
	}
	struct field_errors fe = { 0 };
	struct waitlist_request in = { .lang = w->lang };
	/* The pair must be one this event sells: a forged type of another event is refused here. */
	bool known = false;
	if (parse_pair(http_form(req, "wl_offer"), &in.ticket_type_id, &in.event_date_id))
		for (int i = 0; i < v.n_offers; i++)
			known = known || (v.offers[i].ticket_type_id == in.ticket_type_id &&
					  v.offers[i].event_date_id == in.event_date_id);
	if (!known)
		field_error_add(&fe, "wl_offer", "waitlist.join.err.offer");
	int64_t qty = 0;
	const char *qs = http_form(req, "wl_quantity");
	if (!qs || !str_to_i64(qs, &qty) || qty < 1 || qty > ORDERS_WAITLIST_MAX)
		field_error_add(&fe, "wl_quantity", "orders.field.quantity_invalid");
	in.quantity = (int)qty;
	if (!w->actor.account_id) {
		in.name = str_trim(a, http_form(req, "wl_name"));
		in.email = str_trim(a, http_form(req, "wl_email"));
	}
	struct waitlist_entry entry;
	if (fe.n == 0) {
		struct field_errors core_fe = { 0 };
		e = waitlist_join(w->db, &w->actor, &in, a, &core_fe, &entry);
		/* The form's fields carry a prefix: the ticket form shares the page. */
		for (int i = 0; i < core_fe.n; i++)
			field_error_add(&fe, arena_printf(a, "wl_%s", core_fe.e[i].field), core_fe.e[i].key);
	} else {
		e = KQ_ERR_FORM_INVALID;
	}
	if (e == KQ_OK && entry.is_existing && !w->actor.account_id) {
		res->status = 200;
		view_waitlist_already(&res->body, req, ev.title, ev.slug);
		return;
	}
	if (e == KQ_OK) {
		secret_headers(req, res);
		web_redirect_flash(req, res, entry_url(req, &entry), "success",
				   entry.is_existing ? "flash.waitlist.already" : "flash.waitlist.joined");
		return;
	}
	if (e == KQ_ERR_NOT_FOUND || e == KQ_ERR_INTERNAL) {
		web_error(req, res, e);
		return;
	}
	res->status = e == KQ_ERR_FORM_INVALID ? 422 : err_http_status(e);
	buf_reset(&res->body);
	view_waitlist_join_page(&res->body, req, ev.title, &v, &fe,
				fe.n ? NULL : err_msg_key(e));
}

/* The entry of {token} and what its pages show of it; the 404 page when unknown. */
static bool load_entry(struct request *req, struct response *res, struct waitlist_entry *w,
		       struct waitlist_view *v)
{
	struct web *web = web_of(req);
	struct arena *a = req->arena;
	web->nav = "events";
	secret_headers(req, res);
	enum kq_err e = waitlist_get(web->db, a, http_param(req, "token"), w);
	struct ticket_event tev;
	struct ticket_type ty;
	if (e == KQ_OK)
		e = tickets_event_get(web->db, a, w->event_id, &tev);
	if (e == KQ_OK)
		e = tickets_type_get(web->db, a, w->ticket_type_id, &ty);
	if (e != KQ_OK) {
		web_error(req, res, e == KQ_ERR_NOT_FOUND ? KQ_ERR_WAITLIST_OFFER_INVALID : e);
		return false;
	}
	*v = (struct waitlist_view){ .w = w, .event_title = tev.title, .event_slug = tev.slug,
				     .type_name = ty.name };
	/* The date is a nicety: an event no longer public still shows the entry. */
	struct event ev;
	if (events_get(web->db, &web->actor, a, tev.slug, &ev) == KQ_OK)
		for (int i = 0; i < ev.ndates; i++)
			if (ev.dates[i].id == w->event_date_id)
				v->date_starts_at = ev.dates[i].starts_at;
	return true;
}

static bool is_open(const struct waitlist_entry *w)
{
	return strcmp(w->status, "waiting") == 0 || strcmp(w->status, "offered") == 0;
}

void web_waitlist_show(struct request *req, struct response *res)
{
	struct waitlist_entry w;
	struct waitlist_view v;
	if (!load_entry(req, res, &w, &v))
		return;
	struct orders_form_view checkout;
	if (strcmp(w.status, "offered") == 0 &&
	    web_orders_offer_form_load(req, &w, v.event_slug, &checkout))
		v.checkout = &checkout;
	res->status = 200;
	view_waitlist_show(&res->body, req, &v);
}

void web_waitlist_leave_form(struct request *req, struct response *res)
{
	struct waitlist_entry w;
	struct waitlist_view v;
	if (!load_entry(req, res, &w, &v))
		return;
	if (!is_open(&w)) {   /* nothing to leave: the page says why */
		http_redirect(res, req->arena, entry_url(req, &w));
		return;
	}
	res->status = 200;
	view_waitlist_leave(&res->body, req, &v);
}

void web_waitlist_leave(struct request *req, struct response *res)
{
	struct waitlist_entry w;
	struct waitlist_view v;
	if (!load_entry(req, res, &w, &v))
		return;
	if (!is_open(&w)) {   /* a second click, or the offer expired meanwhile */
		http_redirect(res, req->arena, entry_url(req, &w));
		return;
	}
	enum kq_err e = waitlist_leave(web_of(req)->db, w.token);
	if (e == KQ_OK || e == KQ_ERR_WAITLIST_OFFER_INVALID)
		web_redirect_flash(req, res, entry_url(req, &w), e == KQ_OK ? "success" : NULL,
				   e == KQ_OK ? "flash.waitlist.left" : NULL);
	else
		web_error(req, res, e);
}
