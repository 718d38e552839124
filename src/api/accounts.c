/* accounts.c (api): STUB */
#include "api/api.h"

void api_accounts_me(struct request *req, struct response *res)
{
	api_error(req, res, KQ_ERR_NOT_FOUND, NULL);
}
