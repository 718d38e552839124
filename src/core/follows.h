/* follows.h: following organisations and people, announcing to opted-in followers by mail, one-click unsubscribe, pinned highlights.
 *
 * Who may do what (checked here, not by pages or the API):
 *   - following: a signed-in account that is not suspended; an organisation
 *     hidden by a moderator cannot be followed, nor can oneself;
 *   - announcing a published post or an upcoming event to the followers of
 *     its organisation: ORG_ACT_PUBLISH on it (owner, editor; platform
 *     admins as orgs_authorize says);
 *   - pinning a post among the territory's highlights: ORG_ACT_PUBLISH on
 *     its organisation, which must be a public body.
 *
 * Mail is opt-in per follow (notify_by_mail). An announcement queues one
 * mail per opted-in follower with a verified address, in one transaction
 * with the row that records it, so announcing twice sends nothing new. Each
 * mail carries its own unsubscribe link (a 256-bit token whose SHA-256 only
 * is stored) in the body and in the List-Unsubscribe and
 * List-Unsubscribe-Post headers of RFC 8058: a POST to that link, with no
 * session and no CSRF token, turns off the mail of that one follow. */
#ifndef KQ_FOLLOWS_H
#define KQ_FOLLOWS_H
#include "core.h"

#define FOLLOWS_MINE_MAX 500        /* what one page lists of someone's follows */
#define FOLLOWS_ANNOUNCEMENTS_MAX 50

/* target kinds of a follow */
#define FOLLOW_ORG "org"
#define FOLLOW_ACCOUNT "account"

/* One follow, as listed ("Mes abonnements") or behind an unsubscribe link.
 * Strings are never NULL. */
struct follow {
	int64_t id;
	const char *target_kind;      /* org | account */
	int64_t target_id;
	const char *target_slug;      /* organisation's slug; "" for a person */
	const char *target_name;      /* organisation's name or person's display name */
	bool notify_by_mail;
	int64_t created_at;
};

/* What a page shows next to the follow button. */
struct follow_state {
	bool following;               /* who follows the target (false for a visitor) */
	bool notify_by_mail;          /* ...and opted in to its mails */
	int64_t followers;            /* everyone following the target */
	int64_t opted_in;             /* of them, those who agreed to mails */
};

struct follow_announcement {
	int64_t id;
	const char *target_kind;      /* post | event */
	int64_t target_id;
	const char *title;            /* as when it was sent */
	int64_t recipients;
	int64_t created_at;
};

bool follows_kind_valid(const char *kind);

/* Follows the target, or changes notify_by_mail when already following (one
 * row per follower and target, whatever the number of calls).
 * Errors: AUTH_REQUIRED, AUTH_SUSPENDED, NOT_FOUND (no such target, a hidden
 * organisation, a suspended person), FOLLOWS_SELF, BAD_REQUEST (kind), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err follows_follow(struct db *db, const struct actor *who, const char *kind,
			   int64_t target_id, bool notify_by_mail);
/* Stops following (KQ_OK when there was nothing to stop).
 * Errors: AUTH_REQUIRED, BAD_REQUEST (kind), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err follows_unfollow(struct db *db, const struct actor *who, const char *kind,
			     int64_t target_id);
/* Turns mail on or off for an existing follow.
 * Errors: AUTH_REQUIRED, AUTH_SUSPENDED (turning on), NOT_FOUND (not following), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err follows_set_mail(struct db *db, const struct actor *who, const char *kind,
			     int64_t target_id, bool on);
/* Counts of the target and whether who (may be a visitor) follows it.
 * [out] *out. Errors: INTERNAL. */
enum kq_err follows_state(struct db *db, const struct actor *who, const char *kind,
			  int64_t target_id, struct follow_state *out);
/* What who follows, organisations first then people, by name. [out] *out
 * (in a), *out_n. Errors: AUTH_REQUIRED, INTERNAL. */
enum kq_err follows_mine(struct db *db, const struct actor *who, struct arena *a,
			 struct follow **out, int *out_n);

/* Announces a published, visible post of an organisation (announce_post) or
 * a visible event with a date to come (announce_event) to the opted-in
 * followers of that organisation. Needs ORG_ACT_PUBLISH. [out]
 * *out_recipients (may be NULL): the mails queued.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, FOLLOWS_NOT_ANNOUNCEABLE
 * (draft, hidden, past, a person's post), FOLLOWS_ALREADY_ANNOUNCED, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err follows_announce_post(struct db *db, const struct actor *who, int64_t post_id,
				  int64_t *out_recipients);
__attribute__((warn_unused_result))
enum kq_err follows_announce_event(struct db *db, const struct actor *who, int64_t event_id,
				   int64_t *out_recipients);
/* Has the post or event ("post" | "event") been announced? [out] *out_at: when, 0: never. */
enum kq_err follows_announced_at(struct db *db, const char *target_kind, int64_t target_id,
				 int64_t *out_at);
/* The supporters page: counts and the announcements sent, newest first.
 * Needs ORG_ACT_PUBLISH. [out] *out_state, *out (in a), *out_n.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND, INTERNAL. */
enum kq_err follows_supporters(struct db *db, const struct actor *who, int64_t org_id,
			       struct arena *a, struct follow_state *out_state,
			       struct follow_announcement **out, int *out_n);

/* What an unsubscribe link turns off. [out] *out (in a).
 * Errors: FOLLOWS_LINK_INVALID (malformed, unknown, or its follow is gone), INTERNAL. */
enum kq_err follows_unsubscribe_info(struct db *db, struct arena *a, const char *token,
				     struct follow *out);
/* Turns off the mail of the link's follow (again: no change). [out] *out
 * (may be NULL; in a). Errors: as follows_unsubscribe_info. */
__attribute__((warn_unused_result))
enum kq_err follows_unsubscribe(struct db *db, struct arena *a, const char *token,
				struct follow *out);

/* May who pin posts of org_id (a public body, ORG_ACT_PUBLISH)? KQ_OK,
 * AUTH_REQUIRED, FORBIDDEN, FOLLOWS_PIN_PUBLIC_BODY, NOT_FOUND, INTERNAL. */
enum kq_err follows_may_pin(struct db *db, const struct actor *who, int64_t org_id);
/* Pins (pin) or unpins a published post among the territory's highlights.
 * Errors: as follows_may_pin, FOLLOWS_NOT_ANNOUNCEABLE (a draft or hidden post). */
__attribute__((warn_unused_result))
enum kq_err follows_pin(struct db *db, const struct actor *who, int64_t post_id, bool pin);

/* Raised by every follow and unfollow in this process: a person's home feed, kept a few
 * seconds (web/home.c), folds it into its key. */
uint64_t follows_generation(void);
/* Raised by every pin and unpin in this process: the visitors' home feed,
 * kept a few seconds (web/fragments.h), folds it into its key. */
uint64_t follows_pins_generation(void);
/* When post_id was pinned; [out] *out_at 0: not pinned. Errors: INTERNAL. */
enum kq_err follows_pinned_at(struct db *db, int64_t post_id, int64_t *out_at);

/* Demo citizens follow a few organisations; the town hall pins a post.
 * Inside the demo's loading transaction. */
enum kq_err follows_load_demo(struct db *db);

#endif
