/* orgs.c: STUB until the organisation pages land */
#include "web/pages.h"

void web_orgs_directory(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_orgs_new_form(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_orgs_create(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_orgs_show(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_orgs_edit_form(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_orgs_update(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_orgs_logo(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_orgs_logo_upload(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_orgs_members(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_orgs_invite(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_orgs_member_role(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_orgs_member_remove(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_orgs_invitation_show(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}

void web_orgs_invitation_accept(struct request *req, struct response *res)
{
	web_error(req, res, KQ_ERR_NOT_FOUND);
}
