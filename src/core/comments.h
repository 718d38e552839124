/* comments.h: comments on posts, events and crowdfunding campaigns (one level of replies), and "J'aime" reactions.
 *
 * A subject is a (kind, id) pair: a post, an event or a campaign. It may be
 * commented on and liked while it is visible to everyone: a published post
 * that is not hidden, an event that is neither a draft nor hidden, a
 * campaign that is not a draft, whose organisation is not hidden. Otherwise
 * it is NOT_FOUND, so its existence is not told.
 *
 * Who may do what (checked here, not by pages or the API):
 *   - write a comment or a reply, like: a signed-in account that is not
 *     suspended, at most COMMENTS_RATE_MAX comments a minute;
 *   - edit a comment: its author only (edited_at is set);
 *   - delete a comment: its author, the members of the subject's
 *     organisation who may publish for it (ORG_ACT_PUBLISH), moderators.
 *     A deleted comment loses its text; while it has live replies it shows
 *     as "Commentaire supprimé", without replies it disappears.
 * Hidden comments (moderation, hidden_at) vanish from every read here, and
 * a hidden top-level comment takes its replies with it.
 *
 * Every read goes through an index of 0018 (comments_subject,
 * comments_parent, the reactions' primary key). */
#ifndef KQ_COMMENTS_H
#define KQ_COMMENTS_H
#include "core.h"

#define COMMENTS_BODY_MAX 2000      /* code points */
#define COMMENTS_PAGE 50            /* top-level comments per page */
#define COMMENTS_RATE_MAX 10        /* comments per account ... */
#define COMMENTS_RATE_WINDOW 60     /* ... per this many seconds */

/* Kinds of subjects: "post", "event", "campaign" for comments; reactions
 * also take "comment". */
bool comments_kind_valid(const char *kind);
bool reactions_kind_valid(const char *kind);

/* What a comment hangs on, as read back. */
struct comment_subject {
	const char *kind;             /* post | event | campaign */
	int64_t id, org_id;
	const char *slug;             /* the subject's slug, for its page's URL */
	const char *title;
};

/* One comment as shown. Strings are never NULL. */
struct comment {
	int64_t id, subject_id, parent_id;      /* parent_id 0: top-level */
	const char *subject_kind;
	int64_t author_id;                      /* 0: account deleted */
	const char *author_name;                /* "" when the account is gone */
	const char *body;                       /* plain text; "" when deleted */
	int64_t created_at, edited_at;          /* edited_at 0: never edited */
	bool is_deleted;
	int64_t likes;                          /* "J'aime" on this comment */
	bool liked;                             /* by the one who reads */
	bool can_edit, can_delete;              /* for the one who reads */
	struct comment *replies;                /* top-level only: oldest first */
	int nreplies;
};

/* One page of a subject's conversation. */
struct comment_page {
	struct comment *items;        /* top-level comments, oldest first, each with its replies */
	int n;
	int64_t total;                /* live comments of the subject, replies included */
	int64_t next_after;           /* 0: no next page; else pass as after for the next one */
	bool has_prev;                /* after was given (a page other than the first) */
};

/* The subject (kind, id) when everyone may see it. [out] *out (strings in a).
 * Errors: NOT_FOUND (unknown kind, no such subject, not visible), INTERNAL. */
enum kq_err comments_subject_get(struct db *db, struct arena *a, const char *kind, int64_t id,
				 struct comment_subject *out);
/* The same, by the subject's slug (the API's paths). */
enum kq_err comments_subject_find(struct db *db, struct arena *a, const char *kind, const char *slug,
				  struct comment_subject *out);

/* One page of the conversation of a visible subject: the top-level
 * comments whose id is above after (0: from the first), at most
 * COMMENTS_PAGE, with their replies, authors, likes and what who may do.
 * [out] *out (arrays in a). Errors: NOT_FOUND (subject), INTERNAL. */
enum kq_err comments_list(struct db *db, const struct actor *who, struct arena *a,
			  const char *kind, int64_t subject_id, int64_t after,
			  struct comment_page *out);

/* Where the thread of top-level comment thread_id shows: [out] *out_after,
 * 0 when on the first page, else the after of a page that starts with it
 * (a new comment of a long conversation is not on the first page).
 * Errors: INTERNAL. */
enum kq_err comments_page_of(struct db *db, const char *kind, int64_t subject_id, int64_t thread_id,
			     int64_t *out_after);

/* Live comments (not deleted, not hidden, in a visible thread) of one
 * subject. Errors: INTERNAL. */
enum kq_err comments_count(struct db *db, const char *kind, int64_t subject_id,
			   int64_t *out_count);

/* One comment that everyone may see (not hidden, not deleted, its subject
 * visible). [out] *out (strings in a; likes, can_* for who), *out_subject
 * (may be NULL). Errors: NOT_FOUND, INTERNAL. */
enum kq_err comments_get(struct db *db, const struct actor *who, struct arena *a, int64_t id,
			 struct comment *out, struct comment_subject *out_subject);

/* Writes a comment on (kind, subject_id), or a reply when parent_id is not
 * 0 (a reply to a reply goes under its top-level comment). body is trimmed.
 * [out] *out (the comment as stored), fe. Errors: AUTH_REQUIRED,
 * AUTH_SUSPENDED, NOT_FOUND (subject or parent), FORM_INVALID (fe: body),
 * COMMENTS_RATE_LIMITED, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err comments_create(struct db *db, const struct actor *who, const char *kind,
			    int64_t subject_id, int64_t parent_id, const char *body,
			    struct arena *a, struct field_errors *fe, struct comment *out);

/* Replaces the text of comment id; its author only. Sets edited_at (an
 * unchanged text changes nothing). [out] *out, fe. Errors: AUTH_REQUIRED,
 * AUTH_SUSPENDED, NOT_FOUND, FORBIDDEN, FORM_INVALID (fe: body), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err comments_update(struct db *db, const struct actor *who, int64_t id, const char *body,
			    struct arena *a, struct field_errors *fe, struct comment *out);

/* Deletes comment id: its author, a publisher of the subject's organisation
 * or a moderator. Errors: AUTH_REQUIRED, NOT_FOUND, FORBIDDEN, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err comments_delete(struct db *db, const struct actor *who, int64_t id);

/* ---- reactions ("J'aime") ---- */

/* Likes (on) or unlikes (!on) a visible subject of kind post, comment, event
 * or campaign. The request says the state wanted, so that two clicks that
 * cross (two tabs, a double submit) leave one like, not none. [out]
 * *out_count (may be NULL): its likes after. Errors: AUTH_REQUIRED,
 * AUTH_SUSPENDED, NOT_FOUND, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err reactions_set(struct db *db, const struct actor *who, const char *kind,
			  int64_t subject_id, bool on, int64_t *out_count);

/* Likes of n subjects of one kind, and whether who liked each, in a few
 * queries (REACTIONS_BATCH ids each). [out] out_counts[n], out_mine[n]
 * (may be NULL). Errors: INTERNAL. */
#define REACTIONS_BATCH 20
enum kq_err reactions_counts(struct db *db, const struct actor *who, const char *kind,
			     const int64_t *ids, int n, int64_t *out_counts, bool *out_mine);

/* The demo territory's conversation: comments, replies and likes on the
 * demo posts and on an event. Inside the demo's loading transaction. */
enum kq_err comments_load_demo(struct db *db);

#endif
