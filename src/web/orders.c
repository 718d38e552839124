/* orders.c: the buyer's ticket pages: checkout (posted from the event page),
 * the order page behind its secret link, its tickets as PDF and QR codes,
 * cancellation, the demo card page, the return from a hosted payment page,
 * and the Stripe webhook.
 *
 * Every page that carries the order's secret in its address answers with
 * Cache-Control: no-store and Referrer-Policy: no-referrer, so the link
 * stays out of caches and of other sites' logs. An unknown secret is the
 * normal 404 page. */
#include "web/pages.h"
#include "web/views/orders.h"
#include "core/etickets.h"
#include "core/events.h"
#include "core/payments.h"
#include "core/waitlist.h"
#include "base/log.h"
#include "base/str.h"
#include <string.h>

static void secret_headers(struct request *req, struct response *res)
{
	http_set_header(res, req->arena, "Cache-Control", "no-store");
	http_set_header(res, req->arena, "Referrer-Policy", "no-referrer");
}

/* The order of the {secret} of the route; answers the error page itself. */
static bool load_order(struct request *req, struct response *res, struct order *out)
{
	secret_headers(req, res);
	enum kq_err e = orders_get_by_secret(web_of(req)->db, req->arena, http_param(req, "secret"), out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

static const char *order_path(struct request *req, const struct order *o, const char *tail)
{
	return view_orders_url(req, o, tail);
}

/* ---- checkout ------------------------------------------------------------------------------ */

static int form_int(struct request *req, const char *name)
{
	int64_t v;
	const char *s = http_form(req, name);
	if (!s || !*s || !str_to_i64(s, &v) || v < 0 || v > TICKETS_PER_ORDER_MAX)
		return s && *s ? -1 : 0;
	return (int)v;
}

/* The answers of slot n to the questions that apply to type_id. */
static void read_answers(struct request *req, const struct ticket_question *qs, int nq, int slot,
			 int64_t type_id, struct checkout_ticket *t)
{
	struct checkout_answer *ans = arena_alloc(req->arena, sizeof(*ans) * (size_t)(nq + 1));
	int n = 0;
	for (int q = 0; q < nq; q++) {
		if (qs[q].ticket_type_id && qs[q].ticket_type_id != type_id)
			continue;
		const char *v = http_form(req, arena_printf(req->arena, "q-%d-%lld", slot,
							    (long long)qs[q].id));
		ans[n].question_id = qs[q].id;
		ans[n].value = str_trim(req->arena, v);
		n++;
	}
	t->answers = ans;
	t->n_answers = n;
}

/* Keeps of offers only the pair of a waiting-list offer; returns how many remain (0 or 1). */
static int keep_offered(struct ticket_offer *offers, int n, const struct waitlist_entry *offer)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		if (offers[i].ticket_type_id == offer->ticket_type_id &&
		    offers[i].event_date_id == offer->event_date_id)
			offers[k++] = offers[i];
	return k;
}

/* The waiting-list offer of the posted token, when it is one of ev's and still offered. */
static const struct waitlist_entry *posted_offer(struct request *req, int64_t event_id,
						 const char *token)
{
	if (!token || !*token)
		return NULL;
	struct waitlist_entry *we = arena_alloc(req->arena, sizeof(*we));
	if (waitlist_get(web_of(req)->db, req->arena, token, we) != KQ_OK ||
	    strcmp(we->status, "offered") != 0 || we->event_id != event_id)
		return NULL;
	return we;
}

void web_orders_checkout(struct request *req, struct response *res)
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
	int64_t date_id = 0;
	const char *ds = http_form(req, "date");
	if (ds && *ds && (!str_to_i64(ds, &date_id) || date_id <= 0)) {
		web_error(req, res, KQ_ERR_BAD_REQUEST);
		return;
	}
	const char *code = str_trim(a, http_form(req, "code"));
	/* Buying the seats of a waiting-list offer: its link's token. */
	const char *wl_token = str_trim(a, http_form(req, "waitlist"));
	struct ticket_offer *offers = NULL;
	int n_offers = 0;
	struct ticket_question *qs = NULL;
	int nq = 0;
	struct ticket_shop shop;
	if ((e = tickets_offers(w->db, a, ev.id, date_id, code, &offers, &n_offers)) != KQ_OK ||
	    (e = tickets_questions_list(w->db, a, ev.id, &qs, &nq)) != KQ_OK ||
	    (e = tickets_shop_get(w->db, a, ev.id, &shop)) != KQ_OK) {
		web_error(req, res, e);
		return;
	}

	/* One ticket per seat chosen; slot n carries name-n and q-n-<question>. */
	struct checkout_ticket *tickets =
		arena_alloc(a, sizeof(*tickets) * (size_t)(TICKETS_PER_ORDER_MAX + 1));
	int n = 0;
	struct field_errors fe = { 0 };
	for (int i = 0; i < n_offers; i++) {
		const struct ticket_offer *of = &offers[i];
		const char *name = date_id ? arena_printf(a, "qty-%lld", (long long)of->ticket_type_id)
					   : arena_printf(a, "qty-%lld-%lld", (long long)of->ticket_type_id,
							  (long long)of->event_date_id);
		int q = form_int(req, name);
		if (q < 0 || n + q > TICKETS_PER_ORDER_MAX) {
			field_error_add(&fe, "tickets", "orders.field.tickets_count");
			break;
		}
		int64_t seen = 0;
		const char *ps = http_form(req, arena_printf(a, "price-%lld", (long long)of->ticket_type_id));
		bool price_seen = ps && str_to_i64(ps, &seen) && seen >= 0;
		for (int k = 0; k < q; k++, n++) {
			tickets[n].price_seen = price_seen;
			tickets[n].seen_price_cents = seen;
			tickets[n].ticket_type_id = of->ticket_type_id;
			tickets[n].event_date_id = of->event_date_id;
			tickets[n].attendee_name =
				str_trim(a, http_form(req, arena_printf(a, "name-%d", n)));
			read_answers(req, qs, nq, n, of->ticket_type_id, &tickets[n]);
		}
	}
	struct order o;
	if (fe.n == 0) {
		struct checkout_request in = {
			.event_id = ev.id,
			.tickets = tickets,
			.n_tickets = n,
			.buyer_name = w->actor.account_id ? NULL : str_trim(a, http_form(req, "buyer_name")),
			.buyer_email = w->actor.account_id ? NULL : str_trim(a, http_form(req, "buyer_email")),
			.voucher_code = code,
			.waitlist_token = wl_token && *wl_token ? wl_token : NULL,
			.provider = http_form(req, "provider"),
			.idempotency_key = http_form(req, "idem"),
			.lang = w->lang,
		};
		e = orders_checkout(w->db, &w->actor, &in, a, &fe, &o);
		if (e == KQ_OK) {
			secret_headers(req, res);
			http_redirect(res, a, o.redirect_url && *o.redirect_url ? o.redirect_url
										 : order_path(req, &o, ""));
			return;
		}
	} else {
		e = KQ_ERR_FORM_INVALID;
	}
	if (e == KQ_ERR_NOT_FOUND || e == KQ_ERR_INTERNAL || e == KQ_ERR_FORBIDDEN) {
		web_error(req, res, e);
		return;
	}
	/* Refused: the form again, with what the buyer typed and the reason
	 * (an offer still held: the form of its seats only). */
	const struct waitlist_entry *offer = posted_offer(req, ev.id, wl_token);
	if (offer)
		n_offers = keep_offered(offers, n_offers, offer);
	struct orders_form_view v = {
		.offer = offer,
		.event_slug = ev.slug, .event_date_id = date_id, .offers = offers,
		.n_offers = n_offers, .questions = qs, .n_questions = nq, .shop = &shop,
		.voucher_code = code, .fe = &fe, .refill = true,
	};
	if (fe.n == 0)
		v.error_key = err_msg_key(e);
	res->status = err_http_status(e);
	buf_reset(&res->body);
	view_orders_checkout_page(&res->body, req, ev.title, &v);
}

bool web_orders_form_load(struct request *req, int64_t event_id, const char *event_slug,
			  int64_t event_date_id, struct orders_form_view *out)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	const char *code = str_trim(a, http_query(req, "code"));
	struct ticket_offer *offers = NULL;
	struct ticket_question *qs = NULL;
	struct ticket_shop *shop = arena_alloc(a, sizeof(*shop));
	int n_offers = 0, nq = 0;
	if (tickets_offers(w->db, a, event_id, event_date_id, code, &offers, &n_offers) != KQ_OK ||
	    tickets_questions_list(w->db, a, event_id, &qs, &nq) != KQ_OK ||
	    tickets_shop_get(w->db, a, event_id, shop) != KQ_OK)
		return false;
	*out = (struct orders_form_view){
		.event_slug = event_slug, .event_date_id = event_date_id, .offers = offers,
		.n_offers = n_offers, .questions = qs, .n_questions = nq, .shop = shop,
		.voucher_code = *code ? code : NULL,
	};
	return true;
}

bool web_orders_offer_form_load(struct request *req, const struct waitlist_entry *offer,
				const char *event_slug, struct orders_form_view *out)
{
	struct web *w = web_of(req);
	struct arena *a = req->arena;
	struct ticket_offer *offers = NULL;
	struct ticket_question *qs = NULL;
	struct ticket_shop *shop = arena_alloc(a, sizeof(*shop));
	int n_offers = 0, nq = 0;
	if (tickets_offers(w->db, a, offer->event_id, offer->event_date_id, NULL, &offers,
			   &n_offers) != KQ_OK ||
	    tickets_questions_list(w->db, a, offer->event_id, &qs, &nq) != KQ_OK ||
	    tickets_shop_get(w->db, a, offer->event_id, shop) != KQ_OK)
		return false;
	n_offers = keep_offered(offers, n_offers, offer);
	if (n_offers == 0)   /* archived meanwhile, or the event no longer sells */
		return false;
	*out = (struct orders_form_view){
		.event_slug = event_slug, .event_date_id = offer->event_date_id, .offers = offers,
		.n_offers = n_offers, .questions = qs, .n_questions = nq, .shop = shop, .offer = offer,
	};
	return true;
}

/* ---- the order page ---------------------------------------------------------------------- */

static void show(struct request *req, struct response *res, const struct order *o, bool confirming)
{
	struct web *w = web_of(req);
	struct orders_show_view v = { .o = o, .confirming = confirming };
	struct ticket_shop shop;
	if (strcmp(o->status, "pending") == 0 && strcmp(o->provider, "transfer") == 0 &&
	    tickets_shop_get(w->db, req->arena, o->event_id, &shop) == KQ_OK)
		v.transfer_details = shop.transfer_details;
	view_orders_show(&res->body, req, &v);
}

void web_orders_show(struct request *req, struct response *res)
{
	struct order o;
	web_of(req)->nav = "events";
	if (load_order(req, res, &o))
		show(req, res, &o, false);
}

void web_orders_return(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	w->nav = "events";
	bool paid = false;
	enum kq_err e = orders_sync_payment(w->db, http_param(req, "secret"), &paid);
	if (e == KQ_ERR_NOT_FOUND) {
		secret_headers(req, res);
		web_error(req, res, e);
		return;
	}
	if (e != KQ_OK)   /* the provider could not be asked now: the webhook will tell */
		log_info("orders: payment sync on return: %s", err_api_code(e));
	struct order o;
	if (!load_order(req, res, &o))
		return;
	if (strcmp(o.status, "paid") == 0) {
		web_redirect_flash(req, res, order_path(req, &o, ""), "success", "flash.orders.paid");
		return;
	}
	show(req, res, &o, true);
}

/* ---- tickets: PDF and QR codes ------------------------------------------------------------------- */

void web_orders_pdf(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct order o;
	if (!load_order(req, res, &o))
		return;
	if (strcmp(o.status, "paid") != 0 || o.n_tickets == 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	struct eticket_event ev = { .title = o.event_title, .lang = w->lang };
	struct event full;
	/* The venue is a nicety: a failure to read it still gives the tickets. */
	struct actor nobody = { 0 };
	if (events_get(w->db, &nobody, req->arena, o.event_slug, &full) == KQ_OK) {
		ev.venue_name = full.venue_name;
		ev.venue_address = full.venue_address;
		ev.commune_name = full.commune_name;
	}
	buf_reset(&res->body);
	if (etickets_pdf(&res->body, req->arena, &ev, &o) != KQ_OK) {
		buf_reset(&res->body);
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	res->content_type = "application/pdf";
	http_set_header(res, req->arena, "Content-Disposition",
			arena_printf(req->arena, "attachment; filename=\"billets-%s.pdf\"", o.code));
}

void web_orders_qr(struct request *req, struct response *res)
{
	struct order o;
	if (!load_order(req, res, &o))
		return;
	/* {file} is "<code>.svg": the router matches whole segments only. */
	const char *file = http_param(req, "file");
	size_t fl = file ? strlen(file) : 0;
	const char *code = fl > 4 && strcmp(file + fl - 4, ".svg") == 0
				   ? arena_strndup(req->arena, file, fl - 4) : NULL;
	const struct order_ticket *t = NULL;
	for (int i = 0; i < o.n_tickets && code; i++)
		if (strcmp(o.tickets[i].code, code) == 0)
			t = &o.tickets[i];
	if (!t || strcmp(o.status, "paid") != 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	buf_reset(&res->body);
	if (!etickets_qr_svg(&res->body, t->code)) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	res->content_type = "image/svg+xml";
}

/* ---- cancellation and the demo payment ------------------------------------------------------- */

void web_orders_cancel(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct order o;
	if (!load_order(req, res, &o))
		return;
	enum kq_err e = orders_cancel_by_buyer(w->db, o.secret);
	if (e == KQ_OK)
		web_redirect_flash(req, res, order_path(req, &o, ""), "success", "flash.orders.cancelled");
	else if (e == KQ_ERR_ORDER_NOT_CANCELLABLE || e == KQ_ERR_ORDER_STATE)
		web_redirect_flash(req, res, order_path(req, &o, ""), "error",
				   "flash.orders.not_cancelled");
	else
		web_error(req, res, e);
}

void web_orders_demo_form(struct request *req, struct response *res)
{
	struct order o;
	if (!load_order(req, res, &o))
		return;
	if (strcmp(o.provider, "demo") != 0 || !payments_provider_enabled("demo")) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	if (strcmp(o.status, "pending") != 0) {
		http_redirect(res, req->arena, order_path(req, &o, ""));
		return;
	}
	view_orders_demo_pay(&res->body, req, &o);
}

void web_orders_demo_pay(struct request *req, struct response *res)
{
	struct order o;
	if (!load_order(req, res, &o))
		return;
	enum kq_err e = orders_demo_pay(web_of(req)->db, o.secret);
	if (e == KQ_OK)
		web_redirect_flash(req, res, order_path(req, &o, ""), "success", "flash.orders.paid");
	else if (e == KQ_ERR_ORDER_STATE)
		web_redirect_flash(req, res, order_path(req, &o, ""), "error", "flash.orders.not_paid");
	else
		web_error(req, res, e == KQ_ERR_PAYMENT_PROVIDER_UNAVAILABLE ? KQ_ERR_NOT_FOUND : e);
}

/* ---- Stripe webhook ------------------------------------------------------------------------------ */

/* Authenticated by its signature, not by a session: no CSRF check (route
 * flags 0). 400 for a bad signature, 503 when Stripe must deliver again,
 * 200 otherwise (duplicates and events we ignore included). */
void web_orders_stripe_webhook(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	enum webhook_result r = WEBHOOK_IGNORED;
	const char *sig = http_header(req, "Stripe-Signature");
	enum kq_err e = payments_webhook(w->db, "stripe", sig ? sig : "", req->body ? req->body : "",
					 req->body_len, req->arena, &r);
	int status = 200;
	if (e == KQ_ERR_PAYMENT_BAD_SIGNATURE || e == KQ_ERR_BAD_REQUEST)
		status = 400;
	else if (e == KQ_ERR_PAYMENT_FAILED || e == KQ_ERR_INTERNAL)
		status = 503;
	else if (e == KQ_ERR_NOT_FOUND)
		status = 404;   /* card payments are off in this process */
	if (e != KQ_OK)
		log_info("stripe webhook: %s", err_api_code(e));
	http_text(res, status, "application/json",
		  status == 200 ? "{\"received\":true}\n"
				: arena_printf(req->arena, "{\"error\":{\"code\":\"%s\"}}\n", err_api_code(e)));
}
