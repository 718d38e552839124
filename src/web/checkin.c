/* checkin.c: the door scanner of an event (/evenements/{slug}/controle): scan
 * a code, take the money of an unpaid ticket and let it in, undo a scan, sell
 * at the door, and the counts the phones poll.
 *
 * core/checkin.c decides who may do it (the organisation's box office). The
 * door's date and gate travel in the address (?date=&porte=) and in every
 * form, so a phone keeps them across reloads and bookmarks. A scan posted by
 * scanner.js (Accept: application/json) gets the same result as JSON with
 * the same words as the page. */
#include "web/pages.h"
#include "web/views/checkin.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define CHECKIN_RECENT_SHOWN 10

struct door {
	struct event ev;
	int64_t date_id;
	const char *gate;
};

static const char *input(struct request *req, const char *name)
{
	const char *v = strcmp(req->method, "POST") == 0 ? http_form(req, name) : http_query(req, name);
	return v ? v : "";
}

/* The date when none was chosen: the first one not over yet (a series
 * scanned day after day), else the last; 0 for an event without dates. */
static int64_t default_date(const struct event *ev)
{
	int64_t now = time_now();
	for (int i = 0; i < ev->ndates; i++)
		if (!ev->dates[i].cancelled && ev->dates[i].ends_at >= now)
			return ev->dates[i].id;
	return ev->ndates ? ev->dates[ev->ndates - 1].id : 0;
}

/* The event of {slug}, the door's date and gate. false: the error page is sent.
 * A date that is not one of the event's is refused by core (404). */
static bool load_door(struct request *req, struct response *res, struct door *d)
{
	struct web *w = web_of(req);
	enum kq_err e = events_get(w->db, &w->actor, req->arena, http_param(req, "slug"), &d->ev);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	const char *date = input(req, "date");
	int64_t id = 0;
	if (!*date)
		d->date_id = default_date(&d->ev);
	else if (str_to_i64(date, &id) && id >= 0)
		d->date_id = id;
	else {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return false;
	}
	d->gate = str_trim(req->arena, input(req, "porte"));
	return true;
}

static const char *door_url(struct request *req, const struct door *d)
{
	return arena_printf(req->arena, "/evenements/%s/controle?date=%" PRId64 "&porte=%s",
			    url_arg(req->arena, d->ev.slug), d->date_id, url_arg(req->arena, d->gate));
}

static bool wants_json(struct request *req)
{
	const char *accept = http_header(req, "Accept");
	return accept && strstr(accept, "application/json") != NULL;
}

/* Renders the page; v's outcome, sale and form fields are the caller's. */
static void render(struct request *req, struct response *res, const struct door *d,
		   struct checkin_view *v, int status)
{
	struct web *w = web_of(req);
	struct checkin_counts k;
	enum kq_err e = checkin_counts(w->db, &w->actor, d->ev.id, d->date_id, req->arena, &k);
	struct checkin_scan_row *rows = NULL;
	int nrows = 0;
	struct ticket_type *types = NULL;
	int ntypes = 0;
	if (e == KQ_OK)
		e = checkin_recent(w->db, &w->actor, d->ev.id, d->gate, CHECKIN_RECENT_SHOWN,
				   req->arena, &rows, &nrows);
	if (e == KQ_OK)
		e = tickets_types_list(w->db, &w->actor, d->ev.id, req->arena, &types, &ntypes);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v->ev = &d->ev;
	v->date_id = d->date_id;
	v->gate = d->gate;
	v->counts = &k;
	v->recent = rows;
	v->nrecent = nrows;
	v->types = types;
	v->ntypes = ntypes;
	res->status = status;
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_checkin(&res->body, req, v);
}

void web_checkin_page(struct request *req, struct response *res)
{
	struct door d;
	if (!load_door(req, res, &d))
		return;
	struct checkin_view v = { 0 };
	v.sale.enter_now = true;
	render(req, res, &d, &v, 200);
}

/* ---- JSON for scanner.js ------------------------------------------------------------------- */

static json_t *counts_json(const struct checkin_counts *k)
{
	json_t *gates = json_array();
	for (int i = 0; i < k->ngates; i++)
		json_array_append_new(gates, json_pack("{s:s, s:I}", "gate", k->gates[i].gate, "arrived",
						       (json_int_t)k->gates[i].arrived));
	return json_pack("{s:I, s:I, s:o}", "arrived", (json_int_t)k->arrived, "expected",
			 (json_int_t)k->expected, "gates", gates);
}

/* Takes ownership of j. */
static void send_json(struct response *res, int status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	http_text(res, status, "application/json", s ? s : "{}");
	free(s);
}

static void json_fail(struct request *req, struct response *res, enum kq_err e)
{
	send_json(res, err_http_status(e),
		  json_pack("{s:{s:s, s:s}}", "error", "code", err_api_code(e), "message",
			    web_t(req, err_msg_key(e))));
}

static void scan_json(struct request *req, struct response *res, const struct door *d,
		      const struct checkin_outcome *o, const char *code)
{
	struct web *w = web_of(req);
	struct checkin_counts k;
	enum kq_err e = checkin_counts(w->db, &w->actor, d->ev.id, d->date_id, req->arena, &k);
	if (e != KQ_OK) {
		json_fail(req, res, e);
		return;
	}
	const char *title, *detail, *icon;
	view_checkin_outcome_words(req, o, &title, &detail, &icon);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:b, s:b, s:s, s:o}", "result",
			      checkin_result_name(o->result), "title", title, "detail", detail, "icon",
			      icon, "scan_id", (json_int_t)o->scan_id, "can_undo",
			      o->result == CHECKIN_VALID, "can_pay",
			      o->result == CHECKIN_UNPAID && o->can_pay_at_door, "code", code,
			      "counts", counts_json(&k));
	send_json(res, 200, j);
}

void web_checkin_counts(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct door d;
	if (!load_door(req, res, &d))
		return;
	struct checkin_counts k;
	enum kq_err e = checkin_counts(w->db, &w->actor, d.ev.id, d.date_id, req->arena, &k);
	if (e != KQ_OK) {
		json_fail(req, res, e);
		return;
	}
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	send_json(res, 200, counts_json(&k));
}

/* ---- scan, pay, undo ------------------------------------------------------------------------ */

typedef enum kq_err (*scan_fn)(struct db *db, const struct actor *who,
			       const struct checkin_scan_input *in, struct arena *a,
			       struct checkin_outcome *out);

static void scan_with(struct request *req, struct response *res, scan_fn fn)
{
	struct web *w = web_of(req);
	struct door d;
	if (!load_door(req, res, &d))
		return;
	const char *code = str_trim(req->arena, input(req, "code"));
	/* scanner.js sends a nonce with each scan, and the same again when it
	 * retries after a lost answer: the retry gets the first answer. */
	const char *nonce = input(req, "nonce");
	struct checkin_scan_input in = { d.ev.id, d.date_id, code, d.gate, *nonce ? nonce : NULL };
	struct checkin_outcome o;
	enum kq_err e = fn(w->db, &w->actor, &in, req->arena, &o);
	if (e != KQ_OK) {
		if (wants_json(req))
			json_fail(req, res, e);
		else
			web_error(req, res, e);
		return;
	}
	if (wants_json(req)) {
		scan_json(req, res, &d, &o, code);
		return;
	}
	struct checkin_view v = { 0 };
	v.outcome = &o;
	v.scanned_code = code;
	v.sale.enter_now = true;
	render(req, res, &d, &v, 200);
}

void web_checkin_scan(struct request *req, struct response *res)
{
	scan_with(req, res, checkin_scan);
}

void web_checkin_pay(struct request *req, struct response *res)
{
	scan_with(req, res, checkin_pay_and_scan);
}

void web_checkin_undo(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct door d;
	if (!load_door(req, res, &d))
		return;
	int64_t id = 0;
	if (!str_to_i64(input(req, "scan"), &id) || id <= 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	enum kq_err e = checkin_undo(w->db, &w->actor, d.ev.id, id, d.gate);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, door_url(req, &d), "success", "flash.checkin.undone");
}

/* ---- sale at the door ------------------------------------------------------------------------ */

void web_checkin_sell(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct door d;
	if (!load_door(req, res, &d))
		return;
	struct checkin_view v = { 0 };
	v.sale.type = input(req, "type");
	v.sale.quantity = input(req, "quantity");
	v.sale.buyer_name = input(req, "buyer_name");
	v.sale.enter_now = *input(req, "enter_now") != '\0';
	struct field_errors fe = { 0 };
	int64_t type = 0, qty = 0;
	if (!str_to_i64(v.sale.type, &type) || type <= 0)
		type = 0;
	if (!str_to_i64(v.sale.quantity, &qty) || qty < 1 || qty > TICKETS_PER_ORDER_MAX)
		qty = 0;
	struct checkin_sale s = { d.ev.id, d.date_id, type, (int)qty, v.sale.buyer_name,
				  input(req, "idem"), v.sale.enter_now, d.gate, w->lang };
	struct order o;
	enum kq_err e = d.date_id ? checkin_sell(w->db, &w->actor, &s, req->arena, &fe, &o)
				  : KQ_ERR_NOT_FOUND;
	switch (e) {
	case KQ_OK:
		v.sold = &o;
		/* A fresh form for the next customer. */
		memset(&v.sale, 0, sizeof(v.sale));
		v.sale.enter_now = true;
		render(req, res, &d, &v, 200);
		return;
	case KQ_ERR_AUTH_REQUIRED:
	case KQ_ERR_FORBIDDEN:
	case KQ_ERR_NOT_FOUND:
	case KQ_ERR_INTERNAL:
		web_error(req, res, e);
		return;
	default:
		/* Sold out, not on sale, limits: said next to the quantity. */
		if (fe.n == 0)
			field_error_add(&fe, "quantity", err_msg_key(e));
		v.sale_fe = &fe;
		render(req, res, &d, &v, err_http_status(e));
		return;
	}
}
