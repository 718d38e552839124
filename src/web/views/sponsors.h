/* sponsors.h (views): the "Nos partenaires" section of event and campaign pages, the offer form, an organisation's offers. */
#ifndef KQ_VIEWS_SPONSORS_H
#define KQ_VIEWS_SPONSORS_H
#include "web/views/views.h"
#include "core/sponsors.h"

/* "/parrainer/evenement/<slug>" or "/parrainer/campagne/<slug>". */
const char *view_sponsors_offer_url(struct request *req, const char *target_kind, const char *slug);
/* The page of a target: "/evenements/<slug>" or "/soutenir/<slug>". */
const char *view_sponsors_target_url(struct request *req, const char *target_kind, const char *slug);

/* The public section: accepted sponsors with logo, name and link, and the
 * "Proposer un parrainage" link when show_offer (a signed-in member of a
 * business, on a target open to offers). Writes nothing when both are empty. */
void view_sponsors_section(struct buf *b, struct request *req, const struct sponsor_target *t,
			   const struct sponsorship *list, int n, bool show_offer);

struct sponsors_offer_view {
	const struct sponsor_target *t;
	const struct org *businesses;  /* the actor's, may be empty */
	int n_businesses;
	const struct field_errors *fe; /* may be NULL */
	const char *error_key;         /* a refusal not tied to a field, or NULL */
	/* What was typed, to fill the form again. */
	const char *sponsor, *kind, *amount, *goods, *goods_value, *message, *link;
};
void view_sponsors_offer_form(struct buf *b, struct request *req, const struct sponsors_offer_view *v);

struct sponsors_org_view {
	const struct org *org;
	const struct sponsorship *received;   /* an association's */
	int n_received;
	const struct sponsorship *made;       /* a business's or producer's */
	int n_made;
	bool is_receiver, is_sponsor;
	bool can_decide;               /* owner or treasurer of the association */
	bool can_withdraw;             /* owner or editor of the sponsor */
	int64_t fe_id;                 /* the offer whose form fe belongs to, 0: none */
	const struct field_errors *fe;
	const char *note;              /* typed in that form */
};
void view_sponsors_org(struct buf *b, struct request *req, const struct sponsors_org_view *v);

#endif
