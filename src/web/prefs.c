/* prefs.c: language and large-text choices, remembered in cookies (and on the account for language) */
#include "web/pages.h"
#include "base/i18n.h"
#include "base/log.h"
#include "core/accounts.h"
#include <string.h>

#define PREF_TTL (365 * 86400)

void web_prefs_set(struct request *req, struct response *res)
{
	const char *lang = http_form(req, "lang");
	const char *large = http_form(req, "large_text");
	struct web *w = web_of(req);
	if (lang && i18n_lang_supported(lang)) {
		web_cookie(req, res, "kq_lang", lang, PREF_TTL, false);
		/* The account's language is the one its mails are written in. */
		if (w->actor.account_id && accounts_set_lang(w->db, &w->actor, lang) != KQ_OK)
			log_warn("prefs: cannot save the account's language");
	}
	if (large)
		web_cookie(req, res, "kq_text", strcmp(large, "1") == 0 ? "large" : "normal",
			   PREF_TTL, false);
	http_redirect(res, req->arena, web_safe_next(http_form(req, "next"), "/"));
}
