/* sessions.h: log-in sessions kept in the database; the cookie holds a token, the table its hash */
#ifndef KQ_SESSIONS_H
#define KQ_SESSIONS_H
#include "core.h"

#define SESSION_TTL (30 * 86400)   /* idle sessions end after 30 days */

/* Creates a session for account_id. [out] token (TOKEN_HEX_LEN+1 bytes) is
 * what goes in the cookie; only its hash is stored. Runs its own
 * transaction unless called inside one. */
enum kq_err sessions_create(struct db *db, int64_t account_id, const char *user_agent,
			    char *out_token);
/* The actor behind a cookie token; KQ_ERR_AUTH_REQUIRED when unknown,
 * expired or the account is suspended. Strings of *out live in a. */
enum kq_err sessions_lookup(struct db *db, struct arena *a, const char *token,
			    struct actor *out);
/* Ends one session (log out). Unknown tokens are fine. */
enum kq_err sessions_delete(struct db *db, const char *token);
/* Ends every session of an account (password reset or change); keep_token
 * (may be NULL) survives, so the person who changed it stays logged in.
 * Must run inside a transaction. */
enum db_status sessions_delete_all(struct db *db, int64_t account_id, const char *keep_token);

/* Reads the actor for an account id (API tokens, tests). */
enum kq_err sessions_actor_of(struct db *db, struct arena *a, int64_t account_id,
			      struct actor *out);

#endif
