/* memberships.h (views): the associations taking members, an association's plans and join form, the
 * membership page behind its secret link, the demo card page, and the treasurer's plans and members. */
#ifndef KQ_VIEWS_MEMBERSHIPS_H
#define KQ_VIEWS_MEMBERSHIPS_H
#include "web/views/views.h"
#include "core/memberships.h"

/* The link of a membership's page, plus tail ("", "/carte.pdf"...). */
const char *view_memberships_url(struct request *req, const struct membership *m, const char *tail);

void view_memberships_index(struct buf *b, struct request *req, const struct membership_org *orgs,
			    int n);

struct memberships_join_view {
	const struct org *org;
	const struct membership_plan *plans;
	int n_plans;
	const char *providers[4];          /* online providers, NULL-terminated */
	const char *idem;                  /* the form's idempotency key */
	const struct field_errors *fe;     /* may be NULL */
	const char *error_key;             /* a refusal not tied to a field, or NULL */
	bool refill;                       /* fields from the posted form */
};
void view_memberships_join(struct buf *b, struct request *req, const struct memberships_join_view *v);

struct memberships_show_view {
	const struct membership *m;
	const char *providers[4];          /* for the renewal */
	const char *idem;                  /* the renewal form's key */
	bool may_renew;
};
void view_memberships_show(struct buf *b, struct request *req, const struct memberships_show_view *v);
void view_memberships_demo_pay(struct buf *b, struct request *req, const struct membership *m);

struct memberships_manage_view {
	const struct org *org;
	const struct membership_plan *plans;
	int n_plans;
	const struct membership *members;  /* newest first */
	int n_members;
	int64_t now;
	const char *idem;                  /* the record form's key */
	const struct field_errors *fe;     /* may be NULL */
	const char *fe_form;               /* "plan-<id>", "plan-new", "record" or "mailing": where fe belongs */
	bool refill;
	const struct membership_mailing *mailings;  /* newest first */
	int n_mailings;
	const char *mailing_error_key;     /* a refusal of the mailing not tied to a field, or NULL */
};
void view_memberships_manage(struct buf *b, struct request *req,
			     const struct memberships_manage_view *v);

/* "Écrire aux adhérents", second step: the message as it will go, how many
 * will receive it, and the button that sends it (its idempotency key in
 * the form). */
struct memberships_mailing_confirm_view {
	const struct org *org;
	const char *subject, *body, *audience;
	int64_t n;
	const char *idem;
};
void view_memberships_mailing_confirm(struct buf *b, struct request *req,
				      const struct memberships_mailing_confirm_view *v);

/* The card check page of org: a code field and, when code was asked, m
 * (NULL: no membership of org has this card). */
void view_memberships_check(struct buf *b, struct request *req, const struct org *org,
			    const char *code, const struct membership *m, int64_t now);

/* The members as CSV (UTF-8 BOM, ';', RFC 4180 quoting, formulas neutralised). */
void view_memberships_csv(struct buf *b, struct request *req, const struct membership *list, int n,
			  int64_t now);

#endif
