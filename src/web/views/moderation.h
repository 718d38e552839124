/* moderation.h (views): the report form, the moderators' queue, a content's and an account's
 * moderation page, the audit log */
#ifndef KQ_VIEWS_MODERATION_H
#define KQ_VIEWS_MODERATION_H
#include "views.h"
#include "core/moderation.h"

struct moderation_report_view {
	const struct moderation_target *t;
	const char *reason, *details;      /* the posted values after an error */
	const struct field_errors *fe;
	const char *error_key;             /* a refusal not tied to a field, or NULL */
};
void view_moderation_report_form(struct buf *b, struct request *req,
				 const struct moderation_report_view *v);

void view_moderation_queue(struct buf *b, struct request *req, const struct moderation_queue_item *v,
			   int n);

struct moderation_target_view {
	const struct moderation_target *t;
	const struct moderation_report *reports;
	int nreports;
	const struct moderation_act *acts;
	int nacts;
	const char *form;                  /* the form that failed ("hide", "restore", "dismiss"), or NULL */
	const char *note;                  /* its posted note */
	const struct field_errors *fe;
};
void view_moderation_target(struct buf *b, struct request *req, const struct moderation_target_view *v);

struct moderation_account_view {
	const struct moderation_account *acc;
	const struct moderation_act *acts;
	int nacts;
	const char *note;
	const struct field_errors *fe;
	bool can_act;                      /* who may suspend this account */
};
void view_moderation_account(struct buf *b, struct request *req,
			     const struct moderation_account_view *v);

void view_moderation_log(struct buf *b, struct request *req, const struct moderation_act *v, int n,
			 int64_t next_before);

#endif
