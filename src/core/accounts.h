/* accounts.h: sign-up, e-mail verification, log-in with throttling, password reset and change, e-mail change.
 *
 * Rules every function here keeps (ARCHITECTURE.md, "Security and privacy"):
 *   - No answer tells whether an address has an account: sign-up with a
 *     taken address and a reset request for an unknown one return KQ_OK like
 *     the real thing; only the mail that goes out differs.
 *   - Passwords are hashed with argon2id *before* any transaction opens
 *     (argon2 takes tens of milliseconds and SQLite has one writer).
 *   - Links sent by mail carry a 256-bit token; only its SHA-256 is stored
 *     (account_tokens), each is single-use and expires. Checking a link
 *     (accounts_link_check) never consumes it: mail scanners fetch links.
 *   - Mail is queued with notify_enqueue in the transaction of the change,
 *     in the account's language, as plain text with absolute links built
 *     from core_settings()->base_url.
 *
 * Field names used in struct field_errors: "email", "display_name",
 * "password", "current_password", "new_password", "new_email", "lang".
 * Unless a comment says otherwise, a function runs its own transactions and
 * must be called outside one. */
#ifndef KQ_ACCOUNTS_H
#define KQ_ACCOUNTS_H
#include "core.h"

#define ACCOUNTS_PASSWORD_MIN 10        /* characters (code points) */
#define ACCOUNTS_PASSWORD_MAX 128       /* bytes */
#define ACCOUNTS_NAME_MAX 80            /* characters */
#define ACCOUNTS_VERIFY_TTL (48 * 3600)
#define ACCOUNTS_RESET_TTL 3600
#define ACCOUNTS_EMAIL_CHANGE_TTL (24 * 3600)
#define ACCOUNTS_ADMIN_RESET_TTL (24 * 3600)
#define ACCOUNTS_RESEND_INTERVAL 600    /* at most one verification mail per 10 minutes */
#define ACCOUNTS_RESET_INTERVAL 120     /* at most one reset mail per 2 minutes */
#define ACCOUNTS_THROTTLE_WINDOW 900    /* failed log-ins count for 15 minutes */
#define ACCOUNTS_THROTTLE_ACCOUNT 5     /* failures per account ("acct:<lower email>") */
#define ACCOUNTS_THROTTLE_ADDR 30       /* failures per client address ("ip:<addr>") */

/* The three kinds of link sent by mail (account_tokens.purpose). */
enum account_link { LINK_VERIFY, LINK_RESET, LINK_EMAIL_CHANGE };

struct signup_request {
	const char *email;
	const char *display_name;
	const char *password;
	const char *lang;          /* "fr" | "en": the page's language; anything else gives "fr" */
};

/* Creates an unverified account and mails a verification link (48 h).
 * When the address already has an account, nothing is created, the owner
 * gets a mail saying someone tried to sign up with it, and the result is
 * the same KQ_OK. Errors: FORM_INVALID (fe: email, display_name, password),
 * INTERNAL. */
enum kq_err accounts_signup(struct db *db, const struct signup_request *in,
			    struct field_errors *fe);

/* Mails a new verification link if email has an unverified account and no
 * link was sent in the last ACCOUNTS_RESEND_INTERVAL seconds. Always KQ_OK
 * for a well-formed address (FORM_INVALID, fe "email", otherwise). */
enum kq_err accounts_verify_resend(struct db *db, const char *email, struct field_errors *fe);

/* Whether token is a live link of that kind, without using it. For an
 * e-mail change, [out] out_new_email (in a, may be NULL) is the address it
 * sets. Errors: AUTH_LINK_INVALID (unknown, used or expired), INTERNAL. */
enum kq_err accounts_link_check(struct db *db, struct arena *a, enum account_link kind,
				const char *token, const char **out_new_email);

/* Uses a verification link: the account's address is verified.
 * [out] out_account_id may be NULL. Errors: AUTH_LINK_INVALID, INTERNAL. */
enum kq_err accounts_verify(struct db *db, const char *token, int64_t *out_account_id);

struct login_request {
	const char *email;
	const char *password;
	const char *remote_addr;   /* throttling key "ip:<addr>"; NULL: none */
	const char *user_agent;    /* kept on the session; may be NULL */
};

/* Checks the password and opens a new session: [out] out_token
 * (TOKEN_HEX_LEN + 1 bytes) goes in the cookie, [out] out (strings in a)
 * is who logged in. A success clears the account's failed attempts.
 * Errors: FORM_INVALID (fe: email, password: empty),
 * AUTH_BAD_CREDENTIALS (unknown address or wrong password: one answer),
 * AUTH_THROTTLED (too many failures for the account or the address, even
 * with the right password), AUTH_UNVERIFIED (right password, address not
 * confirmed: the verification mail is sent again, at most every 10 min),
 * AUTH_SUSPENDED, INTERNAL. */
enum kq_err accounts_login(struct db *db, const struct login_request *in, struct arena *a,
			   struct field_errors *fe, struct actor *out, char *out_token);

/* Mails a reset link (1 h) when email has an account; KQ_OK either way.
 * Errors: FORM_INVALID (fe "email": malformed), INTERNAL. */
enum kq_err accounts_reset_request(struct db *db, const char *email, struct field_errors *fe);

/* Uses a reset link: sets the new password, ends every session of the
 * account, forgets its failed log-ins, burns its other reset links and
 * marks the address verified (the link proved it). [out] out_account_id
 * may be NULL. Errors: FORM_INVALID (fe "new_password"),
 * AUTH_LINK_INVALID, INTERNAL. */
enum kq_err accounts_reset(struct db *db, const char *token, const char *new_password,
			   struct field_errors *fe, int64_t *out_account_id);

/* Changes who's password; needs the current one. Every other session ends
 * (keep_session, the caller's cookie token, survives; may be NULL) and a
 * notice is mailed. Errors: AUTH_REQUIRED, FORM_INVALID (fe
 * "current_password": wrong; "new_password"), AUTH_THROTTLED (too many
 * wrong current passwords), INTERNAL. */
enum kq_err accounts_password_change(struct db *db, const struct actor *who,
				     const char *keep_session, const char *current_password,
				     const char *new_password, struct field_errors *fe);

/* Starts a change of who's address to new_email; needs the password. A
 * link valid 24 h goes to the new address and a notice to the old one.
 * When new_email belongs to another account nothing is linked, its owner
 * is told, and the answer is the same KQ_OK. Errors: AUTH_REQUIRED,
 * FORM_INVALID (fe "new_email", "password"), AUTH_THROTTLED, INTERNAL. */
enum kq_err accounts_email_change_request(struct db *db, const struct actor *who,
					  const char *password, const char *new_email,
					  struct field_errors *fe);

/* Uses an e-mail change link: the account's address becomes the new one,
 * verified; reset links sent to the old address stop working.
 * [out] out_account_id may be NULL. Errors: AUTH_LINK_INVALID (also when
 * the address was taken meanwhile), INTERNAL. */
enum kq_err accounts_email_change_confirm(struct db *db, const char *token,
					  int64_t *out_account_id);

/* Remembers who's language for pages and mails. Errors: AUTH_REQUIRED,
 * FORM_INVALID (fe "lang": not "fr" or "en"), INTERNAL. */
enum kq_err accounts_set_lang(struct db *db, const struct actor *who, const char *lang);

/* For `kiosque admin create EMAIL`: creates a verified admin account (name
 * from the address's local part, an unusable random password), or makes an
 * existing account admin and verified, then creates a reset link valid
 * ACCOUNTS_ADMIN_RESET_TTL. [out] out_reset_link, in a, is the absolute link
 * to print for the operator; no mail is sent. Errors: FORM_INVALID
 * (malformed address), INTERNAL. */
enum kq_err accounts_admin_create(struct db *db, struct arena *a, const char *email,
				  const char **out_reset_link);

/* For the demo loader and tests: inserts a verified account with an
 * already computed password hash (crypto_password_hash). platform_role: ""
 * (or NULL), "moderator" or "admin". Joins the caller's transaction when one
 * is open, otherwise runs its own. [out] out_id may be NULL.
 * Errors: FORM_INVALID (malformed address or name, unknown role),
 * ACCOUNTS_EMAIL_TAKEN, INTERNAL. */
enum kq_err accounts_create_verified(struct db *db, const char *email, const char *name,
				     const char *password_hash, const char *platform_role,
				     int64_t *out_id);

/* Password rules alone (length in characters and bytes, not a common
 * password, not the address), for forms that check before sending.
 * Returns NULL when fine, else the message key for the field. */
const char *accounts_password_problem(const char *password, const char *email);

#endif
