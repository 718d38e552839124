/* donations.h (views): the donation form of an association, the donation page behind its
 * secret link, the demo card page, and the association's donation settings and fiscal details. */
#ifndef KQ_VIEWS_DONATIONS_H
#define KQ_VIEWS_DONATIONS_H
#include "web/views/views.h"
#include "core/donations.h"
#include "core/recurring.h"

/* The link of a donation's page, plus tail ("", "/recu.pdf"...). */
const char *view_donations_url(struct request *req, const struct donation *d, const char *tail);

struct donations_form_view {
	const struct donation_page *page;
	const char *idem;                  /* the form's idempotency key */
	const struct field_errors *fe;     /* may be NULL */
	const char *error_key;             /* a refusal not tied to a field, or NULL */
	bool refill;                       /* fields from the posted form */
};
void view_donations_form(struct buf *b, struct request *req, const struct donations_form_view *v);

void view_donations_show(struct buf *b, struct request *req, const struct donation *d);
void view_donations_demo_pay(struct buf *b, struct request *req, const struct donation *d);

struct donations_settings_view {
	const struct donation_page *page;
	const struct field_errors *fe;     /* may be NULL */
	bool refill;                       /* fields from the posted form, else from page */
	bool may_check;                    /* a platform admin, and something to check */
	const struct donation *donations;  /* the association's, newest first */
	int n_donations;
};
void view_donations_settings(struct buf *b, struct request *req,
			     const struct donations_settings_view *v);

/* The page of a monthly donation's stop link (/dons/mensuel/{token}): what
 * it is, and a button that stops it (POST), or its state when stopped. */
void view_recurring_stop(struct buf *b, struct request *req, const struct recurring_donation *r);

#endif
