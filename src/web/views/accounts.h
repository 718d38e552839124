/* accounts.h (views): the account pages: sign-up, links from mails, log-in, reset, the account page */
#ifndef KQ_VIEWS_ACCOUNTS_H
#define KQ_VIEWS_ACCOUNTS_H
#include "web/views/views.h"
#include "core/accounts.h"
#include "core/apitokens.h"

/* Every view writes a whole page (layout included) into b. Values are what
 * the person typed, shown again after an error; passwords never are. fe may
 * be NULL. */
void view_accounts_signup(struct buf *b, struct request *req, const char *display_name,
			  const char *email, const struct field_errors *fe);
/* "Check your mailbox": text_key says what was sent; offer_resend adds the
 * link to ask for a new confirmation link. */
void view_accounts_check_mail(struct buf *b, struct request *req, const char *text_key,
			      bool offer_resend);
/* The page a verification link opens: one button that POSTs the token. */
void view_accounts_verify(struct buf *b, struct request *req, const char *token);
void view_accounts_resend(struct buf *b, struct request *req, const char *email,
			  const struct field_errors *fe);
/* A used or expired link of that kind, with the way to get a new one. */
void view_accounts_link_invalid(struct buf *b, struct request *req, enum account_link kind);
/* err: KQ_OK, or the refusal shown above the form (bad credentials,
 * throttled, unverified, suspended). next: where to go after (may be NULL). */
void view_accounts_login(struct buf *b, struct request *req, const char *email, const char *next,
			 enum kq_err err, const struct field_errors *fe);
void view_accounts_reset_request(struct buf *b, struct request *req, const char *email,
				 const struct field_errors *fe);
void view_accounts_reset(struct buf *b, struct request *req, const char *token,
			 const struct field_errors *fe);
void view_accounts_email_confirm(struct buf *b, struct request *req, const char *token,
				 const char *new_email);

/* The account page. form names which form fe belongs to ("password",
 * "email", "token" or NULL); new_token is shown once right after creation. */
struct accounts_settings_page {
	const struct api_token *tokens;
	int ntokens;
	const char *new_token;
	const char *form;
	const struct field_errors *fe;
	const char *new_email;      /* value kept after an error */
	const char *token_name;     /* value kept after an error */
};
void view_accounts_settings(struct buf *b, struct request *req,
			    const struct accounts_settings_page *p);

#endif
