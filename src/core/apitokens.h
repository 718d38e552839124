/* apitokens.h: personal API tokens for apps: shown once, stored hashed, revocable */
#ifndef KQ_APITOKENS_H
#define KQ_APITOKENS_H
#include "core.h"

struct api_token {
	int64_t id;
	const char *name;
	const char *prefix;        /* first 8 characters, to recognise a token in a list */
	int64_t created_at, last_used_at;  /* last_used_at 0: never */
};

/* Creates a token named name (1..80 chars) for the actor. [out] token is
 * the secret, "kq_" + 64 hex, returned once (in a). Errors: AUTH_REQUIRED,
 * FORM_INVALID (fe: "name"). */
enum kq_err apitokens_create(struct db *db, const struct actor *who, const char *name,
			     struct arena *a, struct field_errors *fe, const char **out_token);
/* The actor's live tokens, newest first. */
enum kq_err apitokens_list(struct db *db, const struct actor *who, struct arena *a,
			   struct api_token **out, int *out_n);
/* Revokes one of the actor's tokens. Errors: NOT_FOUND (also for someone else's). */
enum kq_err apitokens_revoke(struct db *db, const struct actor *who, int64_t id);
/* The actor behind a Bearer token. Errors: AUTH_TOKEN_INVALID, AUTH_SUSPENDED. */
enum kq_err apitokens_authenticate(struct db *db, struct arena *a, const char *token,
				   struct actor *out);

#endif
