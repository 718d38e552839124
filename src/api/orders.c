/* orders.c (api): checkout (POST /api/v1/events/{slug}/orders, Idempotency-Key required), the
 * order behind its secret (/api/v1/orders/{secret}), and the organiser's orders of an event:
 * list, one by id, cancel, mark paid (/api/v1/events/{slug}/orders[/{id}[/cancel|/mark-paid]]).
 *
 * Two views of an order: the buyer's (checkout and secret: the order page's
 * link, no e-mail, no answers) and the organiser's (e-mail and answers, never
 * the secret link, which would let staff act as the buyer). Ticket codes are
 * in both only once the order is paid, as on the order page. */
#include "api/api.h"
#include "core/events.h"
#include "core/orders.h"
#include "base/str.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define API_ORDERS_LIMIT_DEFAULT 50
#define API_ORDERS_LIMIT_MAX 200        /* orders_list clamps there too */
#define API_ORDERS_ANSWERS_MAX 64       /* per ticket; core refuses more */

/* ---- encoding --------------------------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *ticket_json(struct request *req, const struct order *o, const struct order_ticket *t,
			   bool organiser)
{
	struct arena *a = req->arena;
	const char *base = core_settings()->base_url;
	bool paid = strcmp(o->status, "paid") == 0;
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(t->id));
	json_object_set_new(j, "ticket_type_id", json_integer(t->ticket_type_id));
	json_object_set_new(j, "type_name", json_string(t->type_name));
	json_object_set_new(j, "event_date_id", json_integer(t->event_date_id));
	json_object_set_new(j, "starts_at", api_time_or_null(a, t->date_starts_at));
	json_object_set_new(j, "ends_at",
			    t->date_ends_at > t->date_starts_at ? api_time_or_null(a, t->date_ends_at)
								 : json_null());
	json_object_set_new(j, "attendee_name", str_or_null(t->attendee_name));
	json_object_set_new(j, "list_price_cents", json_integer(t->list_price_cents));
	json_object_set_new(j, "discount_cents", json_integer(t->discount_cents));
	json_object_set_new(j, "price_cents", json_integer(t->price_cents));
	json_object_set_new(j, "code", paid ? json_string(t->code) : json_null());
	if (!organiser)
		json_object_set_new(j, "qr_url",
				    paid ? json_string(arena_printf(a, "%s/commandes/%s/billets/%s.svg",
								    base, o->secret, t->code))
					 : json_null());
	json_object_set_new(j, "checked_in_at", api_time_or_null(a, t->checked_in_at));
	if (organiser) {
		json_t *ans = json_array();
		for (int i = 0; i < t->n_answers; i++)
			json_array_append_new(ans, json_pack("{s:I, s:s, s:s}", "question_id",
							     (json_int_t)t->answers[i].question_id,
							     "label", t->answers[i].label, "value",
							     t->answers[i].value));
		json_object_set_new(j, "answers", ans);
	}
	return j;
}

/* with_tickets: false for the list, whose orders come without them. */
static json_t *order_json(struct request *req, const struct order *o, bool organiser,
			  bool with_tickets)
{
	struct arena *a = req->arena;
	const char *base = core_settings()->base_url;
	bool paid = strcmp(o->status, "paid") == 0;
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(o->id));
	json_object_set_new(j, "code", json_string(o->code));
	json_object_set_new(j, "status", json_string(o->status));
	json_object_set_new(j, "event", json_pack("{s:s, s:s, s:s}", "slug", o->event_slug, "title",
						  o->event_title, "url",
						  arena_printf(a, "%s/evenements/%s", base, o->event_slug)));
	json_t *buyer = json_pack("{s:s}", "name", o->buyer_name);
	if (organiser) {
		json_object_set_new(buyer, "email", json_string(o->buyer_email));
		json_object_set_new(buyer, "account", json_boolean(o->account_id != 0));
	}
	json_object_set_new(j, "buyer", buyer);
	json_object_set_new(j, "total_cents", json_integer(o->total_cents));
	json_object_set_new(j, "currency", json_string(o->currency));
	json_object_set_new(j, "provider", str_or_null(o->provider));
	json_object_set_new(j, "payment", json_pack("{s:o, s:o}", "status",
						    str_or_null(o->payment_status), "reference",
						    str_or_null(o->payment_reference)));
	json_object_set_new(j, "redirect_url", str_or_null(o->redirect_url));
	json_object_set_new(j, "refund_status", str_or_null(o->refund_status));
	json_object_set_new(j, "hold_until", api_time_or_null(a, o->hold_until));
	json_object_set_new(j, "created_at", api_time_or_null(a, o->created_at));
	json_object_set_new(j, "paid_at", api_time_or_null(a, o->paid_at));
	json_object_set_new(j, "cancelled_at", api_time_or_null(a, o->cancelled_at));
	json_object_set_new(j, "expired_at", api_time_or_null(a, o->expired_at));
	json_object_set_new(j, "refunded_at", api_time_or_null(a, o->refunded_at));
	if (!organiser) {
		json_object_set_new(j, "can_buyer_cancel", json_boolean(o->can_buyer_cancel));
		json_object_set_new(j, "url", json_string(arena_printf(a, "%s/commandes/%s", base,
								       o->secret)));
		json_object_set_new(j, "pdf_url",
				    paid && o->n_tickets
					    ? json_string(arena_printf(a, "%s/commandes/%s/billets.pdf",
								       base, o->secret))
					    : json_null());
	}
	if (with_tickets) {
		json_t *tickets = json_array();
		for (int i = 0; i < o->n_tickets; i++)
			json_array_append_new(tickets, ticket_json(req, o, &o->tickets[i], organiser));
		json_object_set_new(j, "tickets", tickets);
	}
	return j;
}

/* The buyer's view of o, with what the order page adds: the organiser's bank
 * details while a transfer is awaited. */
static json_t *buyer_json(struct request *req, const struct order *o)
{
	json_t *j = order_json(req, o, false, true);
	struct ticket_shop shop;
	if (strcmp(o->status, "pending") == 0 && str_eq(o->provider, "transfer") &&
	    tickets_shop_get(api_db(req), req->arena, o->event_id, &shop) == KQ_OK)
		json_object_set_new(j, "transfer_details", str_or_null(shop.transfer_details));
	return j;
}

/* The order's secret link is in the answer: kept out of caches and referrers. */
static void secret_headers(struct request *req, struct response *res)
{
	http_set_header(res, req->arena, "Referrer-Policy", "no-referrer");
}

/* ---- checkout: reading the body ------------------------------------------------------------ */

/* A positive integer member. false (and a field error) when present and
 * wrong, or absent and required. */
static bool body_id(json_t *o, const char *key, const char *field, bool required, int64_t *out,
		    struct field_errors *fe)
{
	json_t *v = json_object_get(o, key);
	*out = 0;
	if (!v || json_is_null(v)) {
		if (required)
			field_error_add(fe, field, "orders.field.required");
		return !required;
	}
	if (!json_is_integer(v) || json_integer_value(v) <= 0) {
		field_error_add(fe, field, "err.api.orders.not_an_id");
		return false;
	}
	*out = json_integer_value(v);
	return true;
}

/* A string member copied into the arena (the body is freed before core runs). */
static const char *body_str(struct request *req, json_t *o, const char *key, const char *field,
			    struct field_errors *fe)
{
	bool bad = false;
	const char *s = api_str(o, key, &bad);
	if (bad)
		field_error_add(fe, field, "err.api.not_a_string");
	return s ? arena_strdup(req->arena, s) : NULL;
}

static void body_answers(struct request *req, json_t *arr, int i, struct checkout_ticket *t,
			 struct field_errors *fe)
{
	struct arena *a = req->arena;
	const char *field = arena_printf(a, "tickets.%d.answers", i);
	if (!json_is_array(arr) || json_array_size(arr) > API_ORDERS_ANSWERS_MAX) {
		field_error_add(fe, field, json_is_array(arr) ? "orders.field.answer_invalid"
							      : "err.events.api.not_a_list");
		return;
	}
	size_t n = json_array_size(arr);
	struct checkout_answer *ans = arena_alloc(a, sizeof(*ans) * (n ? n : 1));
	for (size_t j = 0; j < n; j++) {
		json_t *o = json_array_get(arr, j);
		const char *f = arena_printf(a, "%s.%zu", field, j);
		if (!json_is_object(o)) {
			field_error_add(fe, f, "err.api.orders.not_an_object");
			continue;
		}
		body_id(o, "question_id", arena_printf(a, "%s.question_id", f), true,
			&ans[j].question_id, fe);
		json_t *v = json_object_get(o, "value");
		/* yes/no questions take "yes"/"no", or a JSON boolean. */
		if (json_is_boolean(v))
			ans[j].value = json_is_true(v) ? "yes" : "no";
		else if (json_is_string(v))
			ans[j].value = arena_strdup(a, json_string_value(v));
		else if (!v || json_is_null(v))
			ans[j].value = "";
		else
			field_error_add(fe, arena_printf(a, "%s.value", f), "err.api.not_a_string");
	}
	t->answers = ans;
	t->n_answers = (int)n;
}

/* The tickets of the body: [{"ticket_type_id", "event_date_id", "attendee_name",
 * "answers", "seen_price_cents"}]. An event with one date may leave out event_date_id. */
static void body_tickets(struct request *req, json_t *arr, const struct event *ev,
			 struct checkout_request *in, struct field_errors *fe)
{
	struct arena *a = req->arena;
	size_t n = json_array_size(arr);
	if (!json_is_array(arr) || n < 1 || n > TICKETS_PER_ORDER_MAX) {
		field_error_add(fe, "tickets", json_is_array(arr) ? "orders.field.tickets_count"
								  : "err.events.api.not_a_list");
		return;
	}
	struct checkout_ticket *t = arena_alloc(a, sizeof(*t) * n);
	memset(t, 0, sizeof(*t) * n);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		const char *f = arena_printf(a, "tickets.%zu", i);
		if (!json_is_object(o)) {
			field_error_add(fe, f, "err.api.orders.not_an_object");
			continue;
		}
		body_id(o, "ticket_type_id", arena_printf(a, "%s.ticket_type_id", f), true,
			&t[i].ticket_type_id, fe);
		bool one_date = ev->ndates == 1;
		body_id(o, "event_date_id", arena_printf(a, "%s.event_date_id", f), !one_date,
			&t[i].event_date_id, fe);
		if (!t[i].event_date_id && one_date)
			t[i].event_date_id = ev->dates[0].id;
		t[i].attendee_name = body_str(req, o, "attendee_name",
					      arena_printf(a, "%s.attendee_name", f), fe);
		json_t *ans = json_object_get(o, "answers");
		if (ans && !json_is_null(ans))
			body_answers(req, ans, (int)i, &t[i], fe);
		json_t *seen = json_object_get(o, "seen_price_cents");
		if (seen && !json_is_null(seen)) {
			if (!json_is_integer(seen) || json_integer_value(seen) < 0)
				field_error_add(fe, arena_printf(a, "%s.seen_price_cents", f),
						"err.api.orders.not_cents");
			else {
				t[i].price_seen = true;
				t[i].seen_price_cents = json_integer_value(seen);
			}
		}
	}
	in->tickets = t;
	in->n_tickets = (int)n;
}

static void body_checkout(struct request *req, json_t *body, const struct event *ev,
			  struct checkout_request *in, struct field_errors *fe)
{
	json_t *tickets = json_object_get(body, "tickets");
	if (!tickets)
		field_error_add(fe, "tickets", "orders.field.tickets_count");
	else
		body_tickets(req, tickets, ev, in, fe);
	in->voucher_code = body_str(req, body, "voucher", "voucher", fe);
	in->provider = body_str(req, body, "provider", "provider", fe);
	in->lang = body_str(req, body, "lang", "lang", fe);
	if (in->lang && strcmp(in->lang, "fr") != 0 && strcmp(in->lang, "en") != 0)
		field_error_add(fe, "lang", "err.api.orders.lang_invalid");
	json_t *buyer = json_object_get(body, "buyer");
	if (buyer && !json_is_null(buyer)) {
		if (!json_is_object(buyer)) {
			field_error_add(fe, "buyer", "err.api.orders.not_an_object");
		} else {
			in->buyer_name = body_str(req, buyer, "name", "buyer.name", fe);
			in->buyer_email = body_str(req, buyer, "email", "buyer.email", fe);
		}
	}
}

/* Core names fields after the web form; the API answers with the body's names. */
static void rename_fields(struct request *req, const struct checkout_request *in,
			  const struct field_errors *core, struct field_errors *out)
{
	struct arena *a = req->arena;
	out->n = 0;
	for (int k = 0; k < core->n; k++) {
		const char *f = core->e[k].field;
		int i, used = 0;
		long long qid;
		if (strcmp(f, "buyer_name") == 0)
			f = "buyer.name";
		else if (strcmp(f, "buyer_email") == 0)
			f = "buyer.email";
		else if (strcmp(f, "idempotency_key") == 0)
			f = "Idempotency-Key";
		else if (sscanf(f, "tickets.%d.q%lld%n", &i, &qid, &used) == 2 && !f[used] &&
			 i >= 0 && i < in->n_tickets) {
			/* tickets.<i>.q<question id>: the answer's place in the body, if given */
			const struct checkout_ticket *t = &in->tickets[i];
			int j;
			for (j = 0; j < t->n_answers && t->answers[j].question_id != qid; j++)
				;
			f = j < t->n_answers ? arena_printf(a, "tickets.%d.answers.%d.value", i, j)
					     : arena_printf(a, "tickets.%d.answers", i);
		}
		field_error_add(out, f, core->e[k].key);
	}
}

/* The Idempotency-Key header: 8..128 printable ASCII bytes. */
static bool idempotency_key_ok(const char *k)
{
	size_t n = k ? strlen(k) : 0;
	if (n < 8 || n > ORDERS_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)k[i] < 0x21 || (unsigned char)k[i] > 0x7e)
			return false;
	return true;
}

/* ---- handlers -------------------------------------------------------------------------------- */

void api_orders_checkout(struct request *req, struct response *res)
{
	struct db *db = api_db(req);
	const struct actor *who = api_actor(req);
	struct event ev;
	enum kq_err e = events_get(db, who, req->arena, http_param(req, "slug"), &ev);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	const char *key = http_header(req, "Idempotency-Key");
	if (!idempotency_key_ok(key)) {
		api_error(req, res, KQ_ERR_API_IDEMPOTENCY_KEY_INVALID, NULL);
		return;
	}
	json_t *body = api_body_object(req, res);
	if (!body)
		return;
	struct checkout_request in = { .event_id = ev.id, .idempotency_key = key };
	struct field_errors fe = { 0 };
	body_checkout(req, body, &ev, &in, &fe);
	json_decref(body);
	if (fe.n) {
		api_error(req, res, KQ_ERR_FORM_INVALID, &fe);
		return;
	}
	if (!in.lang)
		in.lang = who->lang;
	struct field_errors core_fe = { 0 };
	struct order o;
	e = orders_checkout(db, who, &in, req->arena, &core_fe, &o);
	if (e == KQ_ERR_IDEMPOTENCY_CONFLICT) {
		/* The key names another request: a client bug, not a field to fix. */
		api_error(req, res, KQ_ERR_API_IDEMPOTENCY_KEY_REUSED, NULL);
		return;
	}
	if (e != KQ_OK) {
		rename_fields(req, &in, &core_fe, &fe);
		api_error(req, res, e, fe.n ? &fe : NULL);
		return;
	}
	/* A retry with the same key answers the same order, with the same status. */
	secret_headers(req, res);
	http_set_header(res, req->arena, "Location",
			arena_printf(req->arena, "/api/v1/orders/%s", o.secret));
	api_json_take(res, 201, buyer_json(req, &o));
}

void api_orders_show(struct request *req, struct response *res)
{
	struct order o;
	secret_headers(req, res);
	enum kq_err e = orders_get_by_secret(api_db(req), req->arena, http_param(req, "secret"), &o);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	api_json_take(res, 200, buyer_json(req, &o));
}

void api_orders_list(struct request *req, struct response *res)
{
	struct db *db = api_db(req);
	const struct actor *who = api_actor(req);
	struct field_errors fe = { 0 };
	int64_t limit, offset;
	const char *status = http_query(req, "status");
	static const char *const states[] = { "pending", "paid", "cancelled", "refunded", "expired" };
	bool known = !status || !*status;
	for (size_t i = 0; !known && i < sizeof(states) / sizeof(states[0]); i++)
		known = strcmp(status, states[i]) == 0;
	if (!known)
		field_error_add(&fe, "status", "err.api.orders.status_invalid");
	if (!api_query_int(req, "limit", API_ORDERS_LIMIT_DEFAULT, 1, API_ORDERS_LIMIT_MAX, &limit))
		field_error_add(&fe, "limit", "err.api.orders.limit_invalid");
	if (!api_query_int(req, "offset", 0, 0, INT32_MAX, &offset))
		field_error_add(&fe, "offset", "err.api.offset_invalid");
	struct event ev;
	enum kq_err e = events_get(db, who, req->arena, http_param(req, "slug"), &ev);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	if (fe.n) {
		api_error(req, res, KQ_ERR_BAD_REQUEST, &fe);
		return;
	}
	struct order_filter f = { .status = status, .q = http_query(req, "q"), .limit = (int)limit,
				  .offset = (int)offset };
	struct order *items;
	int n;
	int64_t total;
	e = orders_list(db, who, ev.id, &f, req->arena, &items, &n, &total);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, order_json(req, &items[i], true, false));
	api_json_take(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", arr, "total",
					  (json_int_t)total, "limit", (json_int_t)limit, "offset",
					  (json_int_t)offset));
}

/* The order {id} of the event {slug}, for who (core decides: box office,
 * treasurer, or its buyer). An order of another event is not found. Answers
 * the error itself. */
static bool load_event_order(struct request *req, struct response *res, struct order *out)
{
	int64_t id;
	const char *s = http_param(req, "id");
	enum kq_err e = KQ_ERR_NOT_FOUND;
	if (s && str_to_i64(s, &id) && id > 0) {
		e = orders_get(api_db(req), api_actor(req), id, req->arena, out);
		if (e == KQ_OK && strcmp(out->event_slug, http_param(req, "slug")) != 0)
			e = KQ_ERR_NOT_FOUND;
	}
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return false;
	}
	return true;
}

void api_orders_get(struct request *req, struct response *res)
{
	struct order o;
	if (load_event_order(req, res, &o))
		api_json_take(res, 200, order_json(req, &o, true, true));
}

/* cancel and mark-paid: the change, then the order as it is now. */
static void act(struct request *req, struct response *res,
		enum kq_err (*change)(struct db *, const struct actor *, int64_t))
{
	struct order o;
	if (!load_event_order(req, res, &o))
		return;
	enum kq_err e = change(api_db(req), api_actor(req), o.id);
	if (e == KQ_OK)
		e = orders_get(api_db(req), api_actor(req), o.id, req->arena, &o);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	api_json_take(res, 200, order_json(req, &o, true, true));
}

void api_orders_cancel(struct request *req, struct response *res)
{
	act(req, res, orders_cancel);
}

void api_orders_mark_paid(struct request *req, struct response *res)
{
	act(req, res, orders_mark_paid);
}
