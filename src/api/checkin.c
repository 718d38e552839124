/* checkin.c (api): scans at the door for scanning apps and the benchmark
 * (POST /api/v1/events/{slug}/checkins) and the live counts
 * (GET /api/v1/events/{slug}/checkins/counts).
 *
 * A scan that was processed answers 200 whatever its result: a refused ticket
 * ("already_used", "unknown", ...) is a successful scan. Errors (401, 403,
 * 404, 422) mean no scan was made. core/checkin.c authorises (box office). */
#include "api/api.h"
#include "base/str.h"
#include "base/timefmt.h"
#include "core/checkin.h"
#include "core/events.h"
#include <string.h>

static json_t *counts_json(const struct checkin_counts *k, bool with_gates)
{
	json_t *j = json_pack("{s:I, s:I}", "arrived", (json_int_t)k->arrived, "expected",
			      (json_int_t)k->expected);
	if (with_gates) {
		json_t *gates = json_array();
		for (int i = 0; i < k->ngates; i++)
			json_array_append_new(gates, json_pack("{s:s, s:I}", "gate", k->gates[i].gate,
							       "arrived",
							       (json_int_t)k->gates[i].arrived));
		json_object_set_new(j, "gates", gates);
	}
	return j;
}

/* What the scan says, in the shape documented in openapi.json (ScanResult). */
static json_t *scan_json(struct request *req, const struct checkin_outcome *o,
			 const struct checkin_counts *k)
{
	struct arena *a = req->arena;
	bool ours = o->result != CHECKIN_UNKNOWN && o->result != CHECKIN_WRONG_EVENT;
	bool used = o->result == CHECKIN_VALID || o->result == CHECKIN_ALREADY_USED;
	json_t *j = json_object();
	json_object_set_new(j, "result", json_string(checkin_result_name(o->result)));
	json_object_set_new(j, "scan_id", json_integer(o->scan_id));
	json_object_set_new(
		j, "ticket",
		ours ? json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s}", "id", (json_int_t)o->ticket_id,
				 "type", o->type_name, "attendee_name", o->attendee_name, "buyer_name",
				 o->buyer_name, "event_date_id", (json_int_t)o->event_date_id,
				 "date_start", api_time(a, o->date_starts_at), "order_code",
				 o->order_code)
		     : json_null());
	json_object_set_new(j, "checked_in_at", used ? api_time_or_null(a, o->checked_in_at) : json_null());
	json_object_set_new(j, "gate", used ? json_string(o->checked_in_gate) : json_null());
	json_object_set_new(j, "checked_in_by", used ? json_string(o->checked_in_by) : json_null());
	if (o->result == CHECKIN_WRONG_EVENT)
		json_object_set_new(j, "other_event",
				    *o->other_event_title ? json_string(o->other_event_title)
							  : json_null());
	if (ours)
		json_object_set_new(j, "order",
				    json_pack("{s:s, s:s, s:I, s:s, s:b}", "code", o->order_code,
					      "status", o->order_status, "total_cents",
					      (json_int_t)o->order_total_cents, "currency", o->currency,
					      "can_pay_at_door", o->can_pay_at_door));
	json_object_set_new(j, "counts", counts_json(k, false));
	return j;
}

/* event_date_id of body or query: 0 when absent; false when not a positive integer. */
static bool date_member(json_t *v, int64_t *out)
{
	*out = 0;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return false;
	*out = json_integer_value(v);
	return true;
}

void api_checkin_scan(struct request *req, struct response *res)
{
	struct db *db = api_db(req);
	const struct actor *who = api_actor(req);
	struct event ev;
	enum kq_err e = events_get(db, who, req->arena, http_param(req, "slug"), &ev);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *body = api_body_object(req, res);
	if (!body)
		return;
	struct field_errors fe = { 0 };
	bool bad_code = false, bad_gate = false, bad_nonce = false;
	const char *code = api_str(body, "code", &bad_code);
	const char *gate = api_str(body, "gate", &bad_gate);
	const char *nonce = api_str(body, "nonce", &bad_nonce);
	struct checkin_scan_input in = { ev.id, 0, NULL, NULL, NULL };
	if (bad_code || !code)
		field_error_add(&fe, "code", "checkin.api.code_required");
	if (bad_gate || !checkin_gate_ok(gate))
		field_error_add(&fe, "gate", "checkin.gate_invalid");
	if (bad_nonce || !checkin_nonce_ok(nonce))
		field_error_add(&fe, "nonce", "checkin.api.nonce_invalid");
	if (!date_member(json_object_get(body, "event_date_id"), &in.event_date_id))
		field_error_add(&fe, "event_date_id", "checkin.api.date_invalid");
	in.code = arena_strdup(req->arena, code ? code : "");
	in.gate = arena_strdup(req->arena, gate ? gate : "");
	in.nonce = nonce ? arena_strdup(req->arena, nonce) : NULL;
	json_decref(body);
	if (fe.n) {
		api_error(req, res, KQ_ERR_FORM_INVALID, &fe);
		return;
	}
	struct checkin_outcome o;
	e = checkin_scan(db, who, &in, req->arena, &o);
	/* The counts of the door's date, else of the ticket's, else of the event. */
	struct checkin_counts k;
	if (e == KQ_OK) {
		int64_t date = in.event_date_id ? in.event_date_id
			       : o.result != CHECKIN_WRONG_EVENT ? o.event_date_id : 0;
		e = checkin_scan_counts(db, who, ev.id, date, req->arena, &k);
	}
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	api_json_take(res, 200, scan_json(req, &o, &k));
}

void api_checkin_counts(struct request *req, struct response *res)
{
	struct db *db = api_db(req);
	const struct actor *who = api_actor(req);
	struct event ev;
	enum kq_err e = events_get(db, who, req->arena, http_param(req, "slug"), &ev);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	const char *q = http_query(req, "event_date_id");
	int64_t date = 0;
	if (q && *q && (!str_to_i64(q, &date) || date <= 0)) {
		struct field_errors fe = { 0 };
		field_error_add(&fe, "event_date_id", "checkin.api.date_invalid");
		api_error(req, res, KQ_ERR_FORM_INVALID, &fe);
		return;
	}
	struct checkin_counts k;
	e = checkin_counts(db, who, ev.id, date, req->arena, &k);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *j = counts_json(&k, true);
	json_object_set_new(j, "event_date_id", date ? json_integer(date) : json_null());
	api_json_take(res, 200, j);
}
