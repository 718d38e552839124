/* campaigns.h (views): the list of live campaigns, a campaign's page with its contribute form, a
 * contribution's page behind its secret link, the demo card page, and the organiser's forms. */
#ifndef KQ_VIEWS_CAMPAIGNS_H
#define KQ_VIEWS_CAMPAIGNS_H
#include "web/views/views.h"
#include "core/campaigns.h"
#include "core/territory.h"

/* "/soutenir/<slug><tail>" and "/contributions/<secret><tail>". */
const char *view_campaigns_url(struct request *req, const char *slug, const char *tail);
const char *view_contribution_url(struct request *req, const struct contribution *k,
				  const char *tail);

struct campaigns_list_view {
	const struct campaign *campaigns;
	int n;
	const char *sort;              /* "ending" | "newest" | "funded" */
	const char *category;          /* "" for any */
	const char *commune;           /* commune id as typed, "" for any */
	const struct commune *communes;
	int n_communes;
};
void view_campaigns_list(struct buf *b, struct request *req, const struct campaigns_list_view *v);

struct campaigns_show_view {
	const struct campaign *c;
	const struct campaign_tier *tiers;
	int n_tiers;
	const struct campaign_backer *backers;
	int n_backers;
	const struct campaign_update *updates;
	int n_updates;
	const char *providers[4];      /* what a backer may choose now, NULL-terminated */
	const char *idem;              /* the contribute form's idempotency key */
	const struct field_errors *fe; /* of the contribute form, may be NULL */
	const char *error_key;         /* a refusal not tied to a field, or NULL */
	bool refill;                   /* the contribute form's fields from the posted form */
	/* Sections other areas render whole (HTML, already escaped), set by the page's handler in its
	 * marked block; NULL: nothing. */
	struct safe_html slot_sponsors; /* sponsorship: accepted sponsors */
	struct safe_html slot_comments; /* comments: the conversation, at the end */
};
void view_campaigns_show(struct buf *b, struct request *req, const struct campaigns_show_view *v);

void view_campaigns_contribution(struct buf *b, struct request *req, const struct contribution *k);
void view_campaigns_demo_pay(struct buf *b, struct request *req, const struct contribution *k);

/* An organisation's campaigns, every status, for its owner and editors. */
void view_campaigns_of_org(struct buf *b, struct request *req, const struct org *org,
			   const struct campaign *list, int n);

/* The organiser's page: the campaign's form (c NULL: a new one of org), and
 * for an existing campaign its tiers, a tier form and an update form. */
struct campaigns_edit_view {
	const struct org *org;
	const struct campaign *c;      /* NULL: new */
	const struct campaign_tier *tiers;
	int n_tiers;
	const struct campaign_backing *backings;   /* rewards to deliver */
	int n_backings;
	const struct field_errors *fe; /* may be NULL */
	const char *form;              /* which form fe and refill belong to: "campaign" | "tier" | "update" */
	bool refill;
};
void view_campaigns_edit(struct buf *b, struct request *req, const struct campaigns_edit_view *v);

#endif
