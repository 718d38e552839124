/* moderation.h: reports by members, the moderators' queue, hiding and restoring content,
 * suspending accounts, and the audit log of every act (migration 0017-moderation.sql).
 *
 * Anyone signed in reports a post, a comment, an event, an organisation or a product
 * with a reason. Moderators (platform_role moderator or admin) see the open
 * reports grouped by content, hide or restore it with a note, dismiss the
 * reports, and suspend or reactivate an account. Hiding keeps the row and
 * sets its hidden_at: every public read (pages, feeds, search, API) leaves it
 * out at once, since they all filter on that column. The author (for an
 * event or an organisation: its owners) is told by mail in the same
 * transaction as the act, and every act is a row of moderation_log that is
 * never changed. Rights are checked here, not in the pages. */
#ifndef KQ_MODERATION_H
#define KQ_MODERATION_H
#include "core.h"

#define MODERATION_DETAILS_MAX 1000     /* characters of a report's details */
#define MODERATION_NOTE_MAX 1000        /* characters of a moderator's note */
#define MODERATION_REPORTS_PER_HOUR 20  /* reports one account may file in an hour */
#define MODERATION_QUEUE_MAX 100        /* contents listed in the queue */
#define MODERATION_LOG_PAGE 50

/* What may be reported and hidden; as stored in reports.target_kind. */
bool moderation_kind_valid(const char *kind);
/* The reasons one may give; as stored in reports.reason. NULL-terminated. */
extern const char *const moderation_reasons[];

/* A piece of content as the moderators see it. Strings never NULL. */
struct moderation_target {
	const char *kind;              /* post | comment | event | organisation | product */
	int64_t id;
	const char *title;             /* title, name, or the start of a comment */
	const char *path;              /* its public page ("/actualites/x"; a comment: "/commentaires/12",
					* which sends to the comment on its page) */
	int64_t author_id;             /* 0: none or deleted (events, organisations, products: 0) */
	const char *author_name;
	int64_t org_id;                /* the organisation it belongs to, 0: none */
	const char *org_name;
	int64_t hidden_at;             /* 0: shown */
};

/* The content kind/id; NOT_FOUND when it does not exist (a deleted comment, a
 * draft post or event counts as not found). Anyone may call it: it reveals
 * nothing a page does not show, except hidden_at. */
enum kq_err moderation_target_get(struct db *db, struct arena *a, const char *kind, int64_t id,
				  struct moderation_target *out);

struct moderation_report_input {
	const char *kind;
	int64_t id;
	const char *reason;
	const char *details;           /* may be NULL or "" */
};
/* who reports a shown piece of content. [out] *out_already: who had already
 * an open report on it (nothing new written). Errors: AUTH_REQUIRED,
 * NOT_FOUND (no such content, or hidden already), FORM_INVALID (fe: reason,
 * details), MODERATION_TOO_MANY (rate limit), INTERNAL. */
enum kq_err moderation_report(struct db *db, const struct actor *who,
			      const struct moderation_report_input *in, struct field_errors *fe,
			      bool *out_already);

struct moderation_report {
	int64_t id;
	const char *reason, *details, *status;   /* status: open | actioned | dismissed */
	const char *reporter_name;               /* "" when the account was deleted */
	int64_t created_at, closed_at;
};

/* One line of the queue: a content with open reports. */
struct moderation_queue_item {
	struct moderation_target target;
	int64_t open_reports;
	int64_t first_at, last_at;
	const char *reasons;           /* the distinct reasons, comma-separated */
};
/* The open reports, grouped by content, oldest first (at most
 * MODERATION_QUEUE_MAX). Moderators only (FORBIDDEN, AUTH_REQUIRED). A
 * content deleted since is left out. */
enum kq_err moderation_queue(struct db *db, const struct actor *who, struct arena *a,
			     struct moderation_queue_item **out, int *out_n);

struct moderation_act {
	int64_t id;
	const char *action;            /* hide | restore | dismiss | suspend | unsuspend */
	const char *target_kind;       /* as in moderation_target, or account */
	int64_t target_id;
	const char *note;
	const char *moderator_name;    /* "" when the account was deleted */
	int64_t created_at;
};

/* Everything about one content for the moderators: the content, every
 * report (open first, newest first) and the acts on it. Moderators only. */
enum kq_err moderation_target_history(struct db *db, const struct actor *who, struct arena *a,
				      const char *kind, int64_t id, struct moderation_target *out,
				      struct moderation_report **out_reports, int *out_nreports,
				      struct moderation_act **out_acts, int *out_nacts);

/* Hides the content (hidden_at = now), closes its open reports as actioned,
 * logs the act with note and mails the author. Hiding a hidden content
 * changes nothing and returns MODERATION_STATE. Moderators only; note
 * required (FORM_INVALID, fe "note"). */
enum kq_err moderation_hide(struct db *db, const struct actor *who, const char *kind, int64_t id,
			    const char *note, struct field_errors *fe);
/* Shows it again (hidden_at = NULL), logs, mails the author. MODERATION_STATE
 * when it is not hidden. */
enum kq_err moderation_restore(struct db *db, const struct actor *who, const char *kind, int64_t id,
			       const char *note, struct field_errors *fe);
/* Closes the open reports of a content as dismissed, logs. MODERATION_STATE
 * when there is none open. The note may be empty. */
enum kq_err moderation_dismiss(struct db *db, const struct actor *who, const char *kind, int64_t id,
			       const char *note, struct field_errors *fe);

struct moderation_account {
	int64_t id;
	const char *display_name, *email, *platform_role;
	int64_t created_at, suspended_at;     /* 0: active */
};
/* One account and the acts on it. Moderators only. */
enum kq_err moderation_account_get(struct db *db, const struct actor *who, struct arena *a,
				   int64_t account_id, struct moderation_account *out,
				   struct moderation_act **out_acts, int *out_nacts);
/* Suspends an account: it can no longer log in, its sessions end, it is
 * mailed the note. A moderator cannot suspend themself, an admin, or
 * (unless admin) another moderator: FORBIDDEN. MODERATION_STATE when
 * suspended already. */
enum kq_err moderation_suspend(struct db *db, const struct actor *who, int64_t account_id,
			       const char *note, struct field_errors *fe);
enum kq_err moderation_unsuspend(struct db *db, const struct actor *who, int64_t account_id,
				 const char *note, struct field_errors *fe);

/* The audit log, newest first, MODERATION_LOG_PAGE at most, acts with id <
 * before (0: from the newest). Moderators only. */
enum kq_err moderation_log(struct db *db, const struct actor *who, struct arena *a, int64_t before,
			   struct moderation_act **out, int *out_n);

/* Raised by every hide and restore: caches of public pages fold it into their key. */
uint64_t moderation_generation(void);

#endif
