/* orgs.c (api): STUB */
#include "api/api.h"

void api_orgs_list(struct request *req, struct response *res)
{
	api_error(req, res, KQ_ERR_NOT_FOUND, NULL);
}

void api_orgs_get(struct request *req, struct response *res)
{
	api_error(req, res, KQ_ERR_NOT_FOUND, NULL);
}

void api_orgs_create(struct request *req, struct response *res)
{
	api_error(req, res, KQ_ERR_NOT_FOUND, NULL);
}

void api_orgs_update(struct request *req, struct response *res)
{
	api_error(req, res, KQ_ERR_NOT_FOUND, NULL);
}

void api_orgs_members(struct request *req, struct response *res)
{
	api_error(req, res, KQ_ERR_NOT_FOUND, NULL);
}

void api_orgs_invite(struct request *req, struct response *res)
{
	api_error(req, res, KQ_ERR_NOT_FOUND, NULL);
}
