/* apitokens.c: STUB */
#include "core/apitokens.h"

enum kq_err apitokens_authenticate(struct db *db, struct arena *a, const char *token,
				   struct actor *out)
{
	(void)db; (void)a; (void)token; (void)out;
	return KQ_ERR_AUTH_TOKEN_INVALID;
}
