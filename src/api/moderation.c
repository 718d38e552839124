/* moderation.c (api): POST /api/v1/reports — a member reports a post, comment, event or organisation */
#include "api/api.h"
#include "core/moderation.h"
#include <string.h>

void api_moderation_report(struct request *req, struct response *res)
{
	json_t *body = api_body_object(req, res);
	if (!body)
		return;
	bool bad = false;
	struct moderation_report_input in = { api_str(body, "kind", &bad), 0, api_str(body, "reason", &bad),
					      api_str(body, "details", &bad) };
	json_t *id = json_object_get(body, "id");
	if (id && !json_is_integer(id))
		bad = true;
	in.id = json_is_integer(id) ? (int64_t)json_integer_value(id) : 0;
	if (bad || !in.kind) {
		json_decref(body);
		api_error(req, res, KQ_ERR_BAD_REQUEST, NULL);
		return;
	}
	struct field_errors fe = { 0 };
	bool already = false;
	enum kq_err e = moderation_report(api_db(req), api_actor(req), &in, &fe, &already);
	if (e != KQ_OK) {
		json_decref(body);
		api_error(req, res, e, &fe);
		return;
	}
	json_t *out = json_pack("{s:s, s:I, s:b}", "kind", in.kind, "id", (json_int_t)in.id,
				"already_reported", already);
	json_decref(body);
	api_json_take(res, already ? 200 : 201, out);
}
