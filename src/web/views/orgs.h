/* orgs.h (views): what the organisation pages render; handlers in web/orgs.c load the structs */
#ifndef KQ_VIEWS_ORGS_H
#define KQ_VIEWS_ORGS_H
#include "web/views/views.h"
#include "core/events.h"
#include "core/orgs.h"
#include "core/posts.h"
#include "core/territory.h"

#define ORGS_DIRECTORY_PAGE 24

struct orgs_directory_view {
	const struct org_filter *filter;   /* what the visitor asked for */
	const struct org *items;
	int n;
	int64_t total;
	int page, pages;                   /* page counts from 1 */
	const struct commune *communes;
	int ncommunes;
	const struct org_label *labels;    /* the label filter's choices */
	int nlabels;
	bool order_near;                   /* "près de chez moi" was asked */
	const char *tiles, *attribution;   /* the map page: tile server (NULL: no map) */
};
void view_orgs_directory(struct buf *b, struct request *req, const struct orgs_directory_view *v);
/* /annuaire/carte: the same filters, a map of the matches, and their list for those without the map. */
void view_orgs_map(struct buf *b, struct request *req, const struct orgs_directory_view *v);

/* The create form (org == NULL) or the edit page (logo and profile forms).
 * values: what the form shows (the submitted values after an error).
 * fe: errors of the profile form; logo_fe: errors of the logo form.
 * slug_suggestion: a free slug, shown when the chosen one is taken. */
struct orgs_form_view {
	const struct org *org;
	const struct org_input *values;
	const struct field_errors *fe;
	const struct field_errors *logo_fe;
	const char *slug_suggestion;
	const struct commune *communes;
	int ncommunes;
	bool unverified;                   /* create: the account cannot create yet */
};
void view_orgs_form(struct buf *b, struct request *req, const struct orgs_form_view *v);

struct orgs_show_view {
	const struct org *org;
	const char *viewer_role;           /* NULL: not a member */
	bool can_edit, can_see_members, can_publish;
	bool can_money;                    /* treasurer or owner: donations and receipts settings */
	bool takes_donations;              /* an association with a payment method for donations */
	bool takes_members;                /* an association with a plan open to online joining */
	const struct event *events;        /* the next ones, from events_upcoming_of_org */
	int nevents;
	const struct post *posts;          /* the latest ones, from posts_of_org (drafts too for publishers) */
	int nposts;
	/* Sections other areas render whole (HTML, already escaped), set by the page's handler in its
	 * marked block; NULL: nothing. */
	struct safe_html slot_follow; /* follows: follow button and followers count, in the header */
	struct safe_html slot_directory; /* directory: opening hours, labels, map, after the contacts */
	struct safe_html slot_products; /* terroir: the products it sells or makes */
	struct safe_html slot_contact_form; /* directory: "Nous contacter" form, at the end */
};
void view_orgs_show(struct buf *b, struct request *req, const struct orgs_show_view *v);

struct orgs_members_view {
	const struct org *org;
	const struct org_member *members;
	int n;
	const struct org_invitation *pending;
	int npending;
	bool can_manage;
	const char *invite_email, *invite_role;   /* values after an error */
	const struct field_errors *fe;            /* invite form errors */
};
void view_orgs_members(struct buf *b, struct request *req, const struct orgs_members_view *v);

enum orgs_invitation_state { INV_LOGIN_NEEDED, INV_CAN_ACCEPT, INV_WRONG_ACCOUNT };
void view_orgs_invitation(struct buf *b, struct request *req, const struct org_invitation *inv,
			  const char *token, enum orgs_invitation_state state);

/* "/organisations/<slug>/logo?v=<sha>" or the placeholder, for <img src>. */
const char *view_orgs_logo_url(struct request *req, const struct org *o);

#endif
