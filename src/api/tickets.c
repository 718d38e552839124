/* tickets.c (api): /api/v1/events/{slug}/ticket-types: what an event sells, per date, as its page shows it */
#include "api/api.h"
#include "core/events.h"
#include "core/payments.h"
#include "core/tickets.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

/* The event page names the seats left of a type only when few are (views/orders.c). */
#define API_TICKETS_FEW_LEFT 10

/* "available" | "sold_out" | "not_on_sale", in the order the event page decides it. */
static const char *availability(const struct ticket_offer *of)
{
	if (of->left <= 0)
		return "sold_out";
	return of->is_on_sale ? "available" : "not_on_sale";
}

static json_t *offer_json(struct request *req, const struct ticket_offer *of,
			  const struct ticket_type *ty, const struct voucher *v)
{
	struct arena *a = req->arena;
	const char *avail = availability(of);
	bool few = strcmp(avail, "available") == 0 && of->left <= API_TICKETS_FEW_LEFT;
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(of->ticket_type_id));
	json_object_set_new(j, "name", json_string(of->name));
	json_object_set_new(j, "description", json_string(of->description ? of->description : ""));
	json_object_set_new(j, "price_cents", json_integer(of->price_cents));
	json_object_set_new(j, "currency", json_string(of->currency));
	if (v && (!v->ticket_type_id || v->ticket_type_id == of->ticket_type_id))
		json_object_set_new(j, "voucher_price_cents",
				    json_integer(of->price_cents -
						 tickets_voucher_discount(v, of->price_cents)));
	/* An open end means "until the date starts" (core/tickets.h). */
	json_object_set_new(j, "sale_starts_at", api_time_or_null(a, ty ? ty->sale_starts_at : 0));
	json_object_set_new(j, "sale_ends_at",
			    api_time_or_null(a, ty && ty->sale_ends_at ? ty->sale_ends_at
								    : of->date_starts_at));
	json_object_set_new(j, "min_per_order",
			    json_integer(of->min_per_order > 0 ? of->min_per_order : 1));
	json_object_set_new(j, "max_per_order",
			    json_integer(of->max_per_order > 0 ? of->max_per_order : 10));
	json_object_set_new(j, "needs_voucher", json_boolean(of->needs_voucher));
	json_object_set_new(j, "availability", json_string(avail));
	json_object_set_new(j, "seats_left", few ? json_integer(of->left) : json_null());
	return j;
}

static json_t *question_json(const struct ticket_question *q)
{
	json_t *opts = json_array();
	for (int i = 0; i < q->n_options; i++)
		json_array_append_new(opts, json_string(q->options[i]));
	return json_pack("{s:I, s:s, s:s, s:o, s:b, s:o}", "id", (json_int_t)q->id, "label", q->label,
			 "kind", q->kind, "options", opts, "required", q->required, "ticket_type_id",
			 q->ticket_type_id ? json_integer(q->ticket_type_id) : json_null());
}

void api_tickets_offers(struct request *req, struct response *res)
{
	struct db *db = api_db(req);
	struct arena *a = req->arena;
	struct event ev;
	enum kq_err e = events_get(db, api_actor(req), a, http_param(req, "slug"), &ev);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	/* A voucher reveals the types it opens; an unknown one is said, not ignored. */
	const char *code = str_trim(a, http_query(req, "voucher"));
	struct voucher v;
	bool has_voucher = false;
	if (*code) {
		e = tickets_voucher_find(db, a, ev.id, code, time_now(), &v);
		if (e == KQ_ERR_VOUCHER_INVALID) {
			struct field_errors fe = { 0 };
			field_error_add(&fe, "voucher", "err.vouchers.invalid");
			api_error(req, res, e, &fe);
			return;
		}
		if (e != KQ_OK) {
			api_error(req, res, e, NULL);
			return;
		}
		has_voucher = true;
	}
	struct ticket_offer *offers = NULL;
	struct ticket_question *qs = NULL;
	struct ticket_shop shop;
	int n_offers = 0, nq = 0;
	if ((e = tickets_offers(db, a, ev.id, 0, has_voucher ? code : NULL, &offers, &n_offers)) !=
		    KQ_OK ||
	    (e = tickets_questions_list(db, a, ev.id, &qs, &nq)) != KQ_OK ||
	    (e = tickets_shop_get(db, a, ev.id, &shop)) != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	int64_t now = time_now();
	json_t *dates = json_array();
	for (int i = 0; i < ev.ndates; i++) {
		const struct event_date *d = &ev.dates[i];
		json_t *types = json_array();
		for (int k = 0; k < n_offers; k++) {
			const struct ticket_offer *of = &offers[k];
			if (of->event_date_id != d->id)
				continue;
			/* Voucher-only and hidden types stay out of the public list,
			 * unless the voucher given opens them. */
			if (of->needs_voucher &&
			    !(has_voucher && (!v.ticket_type_id || v.ticket_type_id == of->ticket_type_id)))
				continue;
			struct ticket_type ty;
			bool has_type = tickets_type_get(db, a, of->ticket_type_id, &ty) == KQ_OK;
			json_array_append_new(types, offer_json(req, of, has_type ? &ty : NULL,
								has_voucher ? &v : NULL));
		}
		if (json_array_size(types) == 0) {
			json_decref(types);
			continue;
		}
		/* Seats left of the date: shown by the event page for dates to come. */
		bool show_left = ev.is_ticketed && !d->cancelled && d->ends_at > now &&
				 d->tickets_left >= 0;
		json_array_append_new(
			dates, json_pack("{s:I, s:s, s:o, s:b, s:o, s:o}", "id", (json_int_t)d->id,
					 "starts_at", api_time(a, d->starts_at), "ends_at",
					 d->ends_at > d->starts_at ? api_time_or_null(a, d->ends_at) : json_null(),
					 "cancelled", d->cancelled, "tickets_left",
					 show_left ? json_integer(d->tickets_left) : json_null(),
					 "ticket_types", types));
	}
	/* Payment methods: those of the shop that are on in this process. */
	json_t *providers = json_array();
	for (const struct payment_provider *const *p = payments_providers(); *p; p++)
		if (payments_provider_enabled((*p)->name) && tickets_shop_offers(&shop, (*p)->name))
			json_array_append_new(providers, json_string((*p)->name));
	json_t *questions = json_array();
	for (int i = 0; i < nq; i++)
		json_array_append_new(questions, question_json(&qs[i]));
	api_json_take(res, 200,
		      json_pack("{s:{s:s, s:s}, s:s, s:o, s:s, s:b, s:o, s:o}", "event", "slug", ev.slug,
				"title", ev.title, "currency", shop.currency, "providers", providers,
				"attendee_names", shop.attendee_names, "buyer_can_cancel",
				shop.buyer_can_cancel, "questions", questions, "dates", dates));
}
