/* accounts.c (views): sign-up, mailed-link pages, log-in, password reset and the account page */
#include "web/views/accounts.h"
#include "base/timefmt.h"
#include <string.h>

static const char *const labels[] = {
	"display_name", "accounts.label.display_name",
	"email", "accounts.label.email",
	"password", "accounts.label.password",
	"current_password", "accounts.label.current_password",
	"new_password", "accounts.label.new_password",
	"new_email", "accounts.label.new_email",
	"name", "accounts.label.token_name",
	"lang", "accounts.label.lang",
	NULL,
};

static void page_start(struct buf *b, struct request *req, const char *title_key)
{
	view_layout_start(b, req, web_t(req, title_key));
	html_fmt(b, "<div class=\"narrow\"><h1>%s</h1>", web_t(req, title_key));
}

static void page_end(struct buf *b, struct request *req)
{
	HTML("</div>");
	view_layout_end(b, req);
}

static void para(struct buf *b, struct request *req, const char *key)
{
	html_fmt(b, "<p>%s</p>", web_t(req, key));
}

static void link_para(struct buf *b, struct request *req, const char *lead_key, const char *href,
		      const char *link_key)
{
	HTML("<p>");
	if (lead_key)
		html_fmt(b, "%s ", web_t(req, lead_key));
	HTML("<a");
	html_href(b, href);
	html_fmt(b, ">%s</a></p>", web_t(req, link_key));
}

void view_accounts_signup(struct buf *b, struct request *req, const char *display_name,
			  const char *email, const struct field_errors *fe)
{
	struct form_ctx f = { b, req, fe };
	page_start(b, req, "accounts.signup.title");
	para(b, req, "accounts.signup.lead");
	form_start(&f, "/inscription", false);
	form_errors_summary(&f, labels);
	form_field(&f, &(struct field_spec){ "display_name", "accounts.label.display_name", "text",
					     display_name, "accounts.hint.display_name", "name",
					     true, ACCOUNTS_NAME_MAX });
	form_field(&f, &(struct field_spec){ "email", "accounts.label.email", "email", email, NULL,
					     "email", true, 254 });
	form_field(&f, &(struct field_spec){ "password", "accounts.label.password", "password",
					     NULL, "accounts.hint.password", "new-password", true,
					     0 });
	form_end(&f, "accounts.signup.submit");
	link_para(b, req, "accounts.signup.have_account", "/connexion", "accounts.login.title");
	page_end(b, req);
}

void view_accounts_check_mail(struct buf *b, struct request *req, const char *text_key,
			      bool offer_resend)
{
	page_start(b, req, "accounts.check_mail.title");
	html_fmt(b, "<div role=\"status\"><p>%s</p></div>", web_t(req, text_key));
	para(b, req, "accounts.check_mail.spam");
	if (offer_resend)
		link_para(b, req, NULL, "/compte/verifier", "accounts.check_mail.ask_again");
	page_end(b, req);
}

void view_accounts_verify(struct buf *b, struct request *req, const char *token)
{
	struct form_ctx f = { b, req, NULL };
	page_start(b, req, "accounts.verify.title");
	para(b, req, "accounts.verify.lead");
	form_start(&f, "/compte/verifier", false);
	form_hidden(&f, "jeton", token);
	form_end(&f, "accounts.verify.submit");
	page_end(b, req);
}

static void resend_form(struct buf *b, struct request *req, const char *email,
			const struct field_errors *fe)
{
	struct form_ctx f = { b, req, fe };
	form_start(&f, "/compte/verifier", false);
	form_errors_summary(&f, labels);
	form_field(&f, &(struct field_spec){ "email", "accounts.label.email", "email", email, NULL,
					     "email", true, 254 });
	form_end(&f, "accounts.resend.submit");
}

void view_accounts_resend(struct buf *b, struct request *req, const char *email,
			  const struct field_errors *fe)
{
	page_start(b, req, "accounts.resend.title");
	para(b, req, "accounts.resend.lead");
	resend_form(b, req, email, fe);
	page_end(b, req);
}

void view_accounts_link_invalid(struct buf *b, struct request *req, enum account_link kind)
{
	page_start(b, req, "accounts.link_invalid.title");
	html_fmt(b, "<div role=\"alert\"><p>%s</p></div>",
		 web_t(req, err_msg_key(KQ_ERR_AUTH_LINK_INVALID)));
	switch (kind) {
	case LINK_VERIFY:
		html_fmt(b, "<h2>%s</h2>", web_t(req, "accounts.resend.title"));
		para(b, req, "accounts.resend.lead");
		resend_form(b, req, NULL, NULL);
		break;
	case LINK_RESET:
		link_para(b, req, NULL, "/mot-de-passe-oublie", "accounts.reset.ask_again");
		break;
	case LINK_EMAIL_CHANGE:
		link_para(b, req, NULL, "/compte", "accounts.settings.title");
		break;
	}
	page_end(b, req);
}

void view_accounts_login(struct buf *b, struct request *req, const char *email, const char *next,
			 enum kq_err err, const struct field_errors *fe)
{
	struct form_ctx f = { b, req, fe };
	page_start(b, req, "accounts.login.title");
	form_start(&f, "/connexion", false);
	if (next)
		form_hidden(&f, "suite", next);
	/* A refusal that belongs to no single field: one message, announced. */
	if (err != KQ_OK && err != KQ_ERR_FORM_INVALID)
		html_fmt(b, "<div class=\"form-errors\" role=\"alert\" tabindex=\"-1\" id=\"form-errors\">"
			    "<p>%s</p></div>", web_t(req, err_msg_key(err)));
	form_errors_summary(&f, labels);
	form_field(&f, &(struct field_spec){ "email", "accounts.label.email", "email", email, NULL,
					     "email", true, 254 });
	form_field(&f, &(struct field_spec){ "password", "accounts.label.password", "password",
					     NULL, NULL, "current-password", true, 0 });
	form_end(&f, "accounts.login.submit");
	HTML("<ul class=\"links\"><li><a href=\"/mot-de-passe-oublie\">");
	html_fmt(b, "%s</a></li><li>%s <a href=\"/inscription\">%s</a></li>",
		 web_t(req, "accounts.login.forgot"), web_t(req, "accounts.login.no_account"),
		 web_t(req, "accounts.signup.title"));
	html_fmt(b, "<li>%s <a href=\"/compte/verifier\">%s</a></li></ul>",
		 web_t(req, "accounts.login.resend"), web_t(req, "accounts.check_mail.ask_again"));
	page_end(b, req);
}

void view_accounts_reset_request(struct buf *b, struct request *req, const char *email,
				 const struct field_errors *fe)
{
	struct form_ctx f = { b, req, fe };
	page_start(b, req, "accounts.reset_request.title");
	para(b, req, "accounts.reset_request.lead");
	form_start(&f, "/mot-de-passe-oublie", false);
	form_errors_summary(&f, labels);
	form_field(&f, &(struct field_spec){ "email", "accounts.label.email", "email", email, NULL,
					     "email", true, 254 });
	form_end(&f, "accounts.reset_request.submit");
	page_end(b, req);
}

void view_accounts_reset(struct buf *b, struct request *req, const char *token,
			 const struct field_errors *fe)
{
	struct form_ctx f = { b, req, fe };
	page_start(b, req, "accounts.reset.title");
	para(b, req, "accounts.reset.lead");
	form_start(&f, "/mot-de-passe/nouveau", false);
	form_hidden(&f, "jeton", token);
	form_errors_summary(&f, labels);
	form_field(&f, &(struct field_spec){ "new_password", "accounts.label.new_password",
					     "password", NULL, "accounts.hint.password",
					     "new-password", true, 0 });
	form_end(&f, "accounts.reset.submit");
	page_end(b, req);
}

void view_accounts_email_confirm(struct buf *b, struct request *req, const char *token,
				 const char *new_email)
{
	struct form_ctx f = { b, req, NULL };
	page_start(b, req, "accounts.email_confirm.title");
	html_fmt(b, "<p>%s <strong>%s</strong></p>", web_t(req, "accounts.email_confirm.lead"),
		 new_email ? new_email : "");
	form_start(&f, "/compte/email/confirmer", false);
	form_hidden(&f, "jeton", token);
	form_end(&f, "accounts.email_confirm.submit");
	page_end(b, req);
}

/* fe only for the form it belongs to, so errors land next to the right fields. */
static const struct field_errors *fe_for(const struct accounts_settings_page *p, const char *form)
{
	return p->form && strcmp(p->form, form) == 0 ? p->fe : NULL;
}

static void section_start(struct buf *b, struct request *req, const char *id, const char *key)
{
	html_fmt(b, "<section aria-labelledby=\"%s\"><h2 id=\"%s\">%s</h2>", id, id, web_t(req, key));
}

static void tokens_table(struct buf *b, struct request *req, const struct accounts_settings_page *p)
{
	struct web *w = web_of(req);
	if (p->ntokens == 0) {
		para(b, req, "accounts.settings.tokens_none");
		return;
	}
	html_fmt(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
		    "<table class=\"data\"><caption class=\"visually-hidden\">%s</caption><thead><tr>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
		 web_t(req, "accounts.settings.tokens_title"),
		 web_t(req, "accounts.settings.tokens_title"),
		 web_t(req, "accounts.settings.token_col_name"),
		 web_t(req, "accounts.settings.token_col_prefix"),
		 web_t(req, "accounts.settings.token_col_created"),
		 web_t(req, "accounts.settings.token_col_used"),
		 web_t(req, "accounts.settings.token_col_action"));
	for (int i = 0; i < p->ntokens; i++) {
		const struct api_token *t = &p->tokens[i];
		html_fmt(b, "<tr><td>%s</td><td><code>kq_%s…</code></td><td>%s</td><td>%s</td><td>",
			 t->name, t->prefix, time_format_long(req->arena, t->created_at, w->lang),
			 t->last_used_at ? time_format_long(req->arena, t->last_used_at, w->lang)
					 : web_t(req, "accounts.settings.token_never"));
		form_button(b, req, arena_printf(req->arena, "/compte/jetons/%lld/revoquer",
						 (long long)t->id),
			    "accounts.settings.token_revoke", "button danger");
		HTML("</td></tr>");
	}
	HTML("</tbody></table></div>");
}

void view_accounts_settings(struct buf *b, struct request *req,
			    const struct accounts_settings_page *p)
{
	struct web *w = web_of(req);
	static const char *const langs[] = { "fr", "accounts.lang.fr", "en", "accounts.lang.en",
					     NULL };
	view_layout_start(b, req, web_t(req, "accounts.settings.title"));
	html_fmt(b, "<h1>%s</h1>", web_t(req, "accounts.settings.title"));

	section_start(b, req, "s-identity", "accounts.settings.identity");
	html_fmt(b, "<dl><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd></dl></section>",
		 web_t(req, "accounts.settings.name"), w->actor.display_name,
		 web_t(req, "accounts.settings.email"), w->actor.email);

	if (p->new_token) {
		/* A read-only field: it wraps to the screen and selects whole for copying. */
		html_fmt(b, "<section class=\"flash flash-success\" role=\"status\" aria-labelledby=\"s-new-token\">"
			    "<h2 id=\"s-new-token\">%s</h2><div class=\"field\"><label for=\"f-new-token\">%s</label>"
			    "<input type=\"text\" id=\"f-new-token\" readonly autocomplete=\"off\""
			    " spellcheck=\"false\" value=\"%s\"></div></section>",
			 web_t(req, "accounts.settings.token_new_title"),
			 web_t(req, "accounts.settings.token_new_text"), p->new_token);
	}

	struct form_ctx f = { b, req, fe_for(p, "password") };
	section_start(b, req, "s-password", "accounts.settings.password_title");
	para(b, req, "accounts.settings.password_lead");
	form_start(&f, "/compte/mot-de-passe", false);
	form_errors_summary(&f, labels);
	form_field(&f, &(struct field_spec){ "current_password", "accounts.label.current_password",
					     "password", NULL, NULL, "current-password", true, 0 });
	form_field(&f, &(struct field_spec){ "new_password", "accounts.label.new_password",
					     "password", NULL, "accounts.hint.password",
					     "new-password", true, 0 });
	form_end(&f, "accounts.settings.password_submit");
	HTML("</section>");

	f.fe = fe_for(p, "email");
	section_start(b, req, "s-email", "accounts.settings.email_title");
	form_start(&f, "/compte/email", false);
	form_errors_summary(&f, labels);
	form_field(&f, &(struct field_spec){ "new_email", "accounts.label.new_email", "email",
					     p->new_email, "accounts.hint.new_email", "email", true,
					     254 });
	form_field(&f, &(struct field_spec){ "password", "accounts.label.confirm_password",
					     "password", NULL, NULL, "current-password", true, 0 });
	form_end(&f, "accounts.settings.email_submit");
	HTML("</section>");

	/* The language goes through /preferences like the header's buttons, so
	 * one choice sets both the pages' cookie and the account's mails. */
	f.fe = NULL;
	section_start(b, req, "s-lang", "accounts.settings.lang_title");
	form_start(&f, "/preferences", false);
	form_hidden(&f, "next", "/compte");
	form_select(&f, &(struct field_spec){ "lang", "accounts.label.lang", "select",
					      w->actor.lang ? w->actor.lang : w->lang, NULL, NULL,
					      true, 0 }, langs);
	form_end(&f, "common.save");
	HTML("</section>");

	/* The private calendar of the events one has tickets for (web/events.c). */
	section_start(b, req, "s-my-tickets", "accounts.settings.my_tickets_title");
	para(b, req, "accounts.settings.my_tickets_lead");
	html_fmt(b, "<p><a href=\"/agenda/mes-billets\">%s</a></p>",
		 web_t(req, "accounts.settings.my_tickets_link"));
	HTML("</section>");

	f.fe = fe_for(p, "token");
	section_start(b, req, "s-tokens", "accounts.settings.tokens_title");
	para(b, req, "accounts.settings.tokens_lead");
	tokens_table(b, req, p);
	html_fmt(b, "<h3>%s</h3>", web_t(req, "accounts.settings.token_create"));
	form_start(&f, "/compte/jetons", false);
	form_errors_summary(&f, labels);
	form_field(&f, &(struct field_spec){ "name", "accounts.label.token_name", "text",
					     p->token_name, "accounts.hint.token_name", "off", true,
					     80 });
	form_end(&f, "accounts.settings.token_create");
	HTML("</section>");
	view_layout_end(b, req);
}
