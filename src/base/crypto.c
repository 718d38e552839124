/* crypto.c: libsodium wrappers; no hand-written cryptography lives here */
#include "crypto.h"
#include <sodium.h>
#include <string.h>

/* Tests set KIOSQUE_FAST_HASH=1 to use libsodium's minimum argon2id cost, so
 * suites that create hundreds of accounts stay fast; production never does. */
static unsigned long long ops_limit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t mem_limit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

bool crypto_init(void)
{
	const char *fast = getenv("KIOSQUE_FAST_HASH");
	if (sodium_init() < 0)
		return false;
	if (fast && strcmp(fast, "1") == 0) {
		ops_limit = crypto_pwhash_OPSLIMIT_MIN;
		mem_limit = 64 * 1024;
	}
	return true;
}

static void to_hex(const unsigned char *bin, size_t n, char *out)
{
	sodium_bin2hex(out, n * 2 + 1, bin, n);
}

void crypto_token(char *out)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	to_hex(raw, sizeof(raw), out);
	sodium_memzero(raw, sizeof(raw));
}

void crypto_random_alnum(char *out, size_t n)
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[n] = 0;
}

void crypto_sha256_hex(const void *p, size_t n, char *out)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, p, n);
	to_hex(h, sizeof(h), out);
}

void crypto_token_hash(const char *token, char *out)
{
	crypto_sha256_hex(token, strlen(token), out);
}

bool crypto_password_hash(const char *password, char *out)
{
	return crypto_pwhash_str_alg(out, password, strlen(password), ops_limit,
				     mem_limit, crypto_pwhash_ALG_ARGON2ID13) == 0;
}

bool crypto_password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

bool crypto_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return false;
	return sodium_memcmp(a, b, la) == 0;
}

void crypto_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}
