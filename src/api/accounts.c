/* accounts.c (api): GET /api/v1/me, who the Bearer token belongs to */
#include "api/api.h"

void api_accounts_me(struct request *req, struct response *res)
{
	const struct actor *who = api_actor(req);
	if (!who->account_id) {
		api_error(req, res, KQ_ERR_AUTH_REQUIRED, NULL);
		return;
	}
	api_json_take(res, 200,
		      json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)who->account_id,
				"email", who->email ? who->email : "", "display_name",
				who->display_name ? who->display_name : "", "platform_role",
				who->platform_role ? who->platform_role : "", "lang",
				who->lang ? who->lang : "fr", "email_verified", who->is_verified));
}
