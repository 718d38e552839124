/* accounts.c: STUB until the accounts pages land */
#include "web/pages.h"

void web_accounts_signup_form(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_signup(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_verify_form(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_verify(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_login_form(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_login(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_logout(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_reset_request_form(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_reset_request(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_reset_form(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_reset(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_settings(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_password_change(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_email_change(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_email_confirm_form(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_email_confirm(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_tokens_create(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_accounts_tokens_revoke(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}
