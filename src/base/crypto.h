/* crypto.h: thin wrappers over libsodium for tokens, token hashes and passwords */
#ifndef KQ_CRYPTO_H
#define KQ_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>

#define TOKEN_HEX_LEN 64        /* 256 random bits, hex-encoded */
#define TOKEN_HASH_HEX_LEN 64   /* SHA-256, hex-encoded */
#define PASSWORD_HASH_MAX 128   /* crypto_pwhash_STRBYTES */

/* Must be called once before any other function here; false if libsodium fails. */
bool crypto_init(void);
/* out must hold TOKEN_HEX_LEN + 1 bytes. */
void crypto_token(char *out);
/* A short URL-safe random string of n chars (n < 64), e.g. for slugs. */
void crypto_random_alnum(char *out, size_t n);
/* SHA-256 of s as hex: what the database stores instead of a token. out: 65 bytes. */
void crypto_token_hash(const char *token, char *out);
/* Argon2id with libsodium's interactive limits; out: PASSWORD_HASH_MAX bytes. */
__attribute__((warn_unused_result))
bool crypto_password_hash(const char *password, char *out);
bool crypto_password_verify(const char *hash, const char *password);
/* Constant-time comparison of two strings of any length. */
bool crypto_streq(const char *a, const char *b);
void crypto_wipe(void *p, size_t n);
/* Hex SHA-256 of a byte range (ETags). out: 65 bytes. */
void crypto_sha256_hex(const void *p, size_t n, char *out);

#endif
