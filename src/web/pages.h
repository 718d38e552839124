/* pages.h: every page handler, one block per area (same names as the files in src/web/) */
#ifndef KQ_PAGES_H
#define KQ_PAGES_H
#include "web/web.h"

/* home.c, sections.c, prefs.c */
void web_home(struct request *req, struct response *res);
void web_section_news(struct request *req, struct response *res);
void web_section_events(struct request *req, struct response *res);
void web_section_support(struct request *req, struct response *res);
void web_section_memberships(struct request *req, struct response *res);
/* contact.c */
void web_contact(struct request *req, struct response *res);
void web_prefs_set(struct request *req, struct response *res);

/* accounts.c */
void web_accounts_signup_form(struct request *req, struct response *res);
void web_accounts_signup(struct request *req, struct response *res);
void web_accounts_verify_form(struct request *req, struct response *res);
void web_accounts_verify(struct request *req, struct response *res);
void web_accounts_login_form(struct request *req, struct response *res);
void web_accounts_login(struct request *req, struct response *res);
void web_accounts_logout(struct request *req, struct response *res);
void web_accounts_reset_request_form(struct request *req, struct response *res);
void web_accounts_reset_request(struct request *req, struct response *res);
void web_accounts_reset_form(struct request *req, struct response *res);
void web_accounts_reset(struct request *req, struct response *res);
void web_accounts_settings(struct request *req, struct response *res);
void web_accounts_password_change(struct request *req, struct response *res);
void web_accounts_email_change(struct request *req, struct response *res);
void web_accounts_email_confirm_form(struct request *req, struct response *res);
void web_accounts_email_confirm(struct request *req, struct response *res);
void web_accounts_tokens_create(struct request *req, struct response *res);
void web_accounts_tokens_revoke(struct request *req, struct response *res);

/* orgs.c */
void web_orgs_directory(struct request *req, struct response *res);
void web_orgs_new_form(struct request *req, struct response *res);
void web_orgs_create(struct request *req, struct response *res);
void web_orgs_show(struct request *req, struct response *res);
void web_orgs_edit_form(struct request *req, struct response *res);
void web_orgs_update(struct request *req, struct response *res);
void web_orgs_logo(struct request *req, struct response *res);
void web_orgs_logo_upload(struct request *req, struct response *res);
void web_orgs_members(struct request *req, struct response *res);
void web_orgs_invite(struct request *req, struct response *res);
void web_orgs_member_role(struct request *req, struct response *res);
void web_orgs_member_remove(struct request *req, struct response *res);
void web_orgs_invitation_revoke(struct request *req, struct response *res);
void web_orgs_invitation_show(struct request *req, struct response *res);
void web_orgs_invitation_accept(struct request *req, struct response *res);

#endif
