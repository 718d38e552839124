/* accounts.c: accounts and their mailed links: sign-up, verification, log-in, reset, password and e-mail changes.
 *
 * Design. Every operation has the same shape: validate the input, do the
 * slow work (argon2id hashing or verifying) with no transaction open, then
 * run one short write transaction that makes the change and queues its mail
 * (notify_enqueue), so a mail exists if and only if its change committed.
 * A link token is 256 random bits shown once in the mail; account_tokens
 * keeps its SHA-256, the purpose, the expiry and when it was used. A link is
 * used by a conditional UPDATE ... WHERE used_at IS NULL AND expires_at > now
 * RETURNING, so two concurrent uses cannot both succeed: PostgreSQL's row
 * lock makes the second re-check and find it used, SQLite has one writer.
 *
 * Privacy: the answer to sign-up, reset and e-mail change requests never
 * depends on whether an address has an account; the mails differ, and only
 * the address's owner reads them. A log-in with an unknown address verifies
 * the password against a dummy hash so it costs as much as a real one. */
#include "accounts.h"
#include "notify.h"
#include "sessions.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- statements ------------------------------------------------------------------------- */

static const struct db_sql SQL_INSERT = { "accounts_insert",
	"INSERT INTO accounts (email, email_lower, display_name, password_hash, email_verified_at,"
	" platform_role, lang, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
	" ON CONFLICT (email_lower) DO NOTHING RETURNING id" };

static const struct db_sql SQL_BY_EMAIL = { "accounts_by_email",
	"SELECT id, email, display_name, password_hash, email_verified_at IS NOT NULL,"
	" suspended_at IS NOT NULL, lang FROM accounts WHERE email_lower = $1" };

static const struct db_sql SQL_BY_ID = { "accounts_by_id",
	"SELECT id, email, display_name, password_hash, email_verified_at IS NOT NULL,"
	" suspended_at IS NOT NULL, lang FROM accounts WHERE id = $1" };

static const struct db_sql SQL_SET_VERIFIED = { "accounts_set_verified",
	"UPDATE accounts SET email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $1" };

/* $3 NULL leaves email_verified_at as it is (a password change). */
static const struct db_sql SQL_SET_PASSWORD = { "accounts_set_password",
	"UPDATE accounts SET password_hash = $2, email_verified_at = COALESCE(email_verified_at, $3)"
	" WHERE id = $1 RETURNING email_lower" };

/* The NOT EXISTS keeps the address unique without relying on the
 * constraint error, which would abort a PostgreSQL transaction. */
static const struct db_sql SQL_SET_EMAIL = { "accounts_set_email",
	"UPDATE accounts SET email = $2, email_lower = $3, email_verified_at = $4 WHERE id = $1"
	" AND NOT EXISTS (SELECT 1 FROM accounts o WHERE o.email_lower = $3 AND o.id <> $1)" };

static const struct db_sql SQL_SET_LANG = { "accounts_set_lang",
	"UPDATE accounts SET lang = $2 WHERE id = $1" };

static const struct db_sql SQL_PROMOTE = { "accounts_promote_admin",
	"UPDATE accounts SET platform_role = 'admin',"
	" email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $1" };

static const struct db_sql SQL_TOKEN_INSERT = { "accounts_token_insert",
	"INSERT INTO account_tokens (token_hash, account_id, purpose, new_email, created_at,"
	" expires_at) VALUES ($1, $2, $3, $4, $5, $6)" };

/* INVARIANT(single-use-link): a link is used once, before it expires. */
static const struct db_sql SQL_TOKEN_USE = { "accounts_token_use",
	"UPDATE account_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2"
	" AND used_at IS NULL AND expires_at > $3 RETURNING account_id, new_email" };

static const struct db_sql SQL_TOKEN_PEEK = { "accounts_token_peek",
	"SELECT t.account_id, t.new_email, a.email FROM account_tokens t"
	" JOIN accounts a ON a.id = t.account_id"
	" WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > $3" };

static const struct db_sql SQL_TOKENS_BURN = { "accounts_tokens_burn",
	"UPDATE account_tokens SET used_at = $3 WHERE account_id = $1 AND purpose = $2"
	" AND used_at IS NULL" };

static const struct db_sql SQL_TOKEN_LAST = { "accounts_token_last",
	"SELECT COALESCE(MAX(created_at), 0) FROM account_tokens"
	" WHERE account_id = $1 AND purpose = $2" };

static const struct db_sql SQL_FAIL_COUNT = { "accounts_fail_count",
	"SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at > $2" };

static const struct db_sql SQL_FAIL_INSERT = { "accounts_fail_insert",
	"INSERT INTO login_failures (key, at) VALUES ($1, $2)" };

/* Rows past the window are dead weight; the purge job also drops them. */
static const struct db_sql SQL_FAIL_TRIM = { "accounts_fail_trim",
	"DELETE FROM login_failures WHERE key = $1 AND at <= $2" };

static const struct db_sql SQL_FAIL_CLEAR = { "accounts_fail_clear",
	"DELETE FROM login_failures WHERE key = $1" };

/* ---- small helpers ---------------------------------------------------------------------- */

static const char *purpose_of(enum account_link k)
{
	switch (k) {
	case LINK_VERIFY:
		return "verify";
	case LINK_RESET:
		return "reset";
	case LINK_EMAIL_CHANGE:
		return "email_change";
	}
	return "?";
}

static const char *lang_or_fr(const char *lang)
{
	return lang && strcmp(lang, "en") == 0 ? "en" : "fr";
}

static bool token_well_formed(const char *t)
{
	if (!t || strlen(t) != TOKEN_HEX_LEN)
		return false;
	for (; *t; t++)
		if (!((*t >= '0' && *t <= '9') || (*t >= 'a' && *t <= 'f')))
			return false;
	return true;
}

/* Trimmed, valid address in a; NULL when malformed. */
static const char *clean_email(struct arena *a, const char *email)
{
	char *e = str_trim(a, email);
	return str_email_valid(e) ? e : NULL;
}

/* Accounts row as read by SQL_BY_EMAIL / SQL_BY_ID. */
struct account_row {
	int64_t id;
	const char *email, *display_name, *password_hash, *lang;
	bool verified, suspended;
};

static enum db_status read_account(struct db *db, const struct db_sql *sql, const char *email_lower,
				   int64_t id, struct arena *a, struct account_row *out)
{
	struct db_stmt *st = db_stmt(db, sql);
	if (sql == &SQL_BY_EMAIL)
		db_bind_text(st, 1, email_lower);
	else
		db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		out->id = db_col_i64(st, 0);
		out->email = arena_strdup(a, db_col_text(st, 1));
		out->display_name = arena_strdup(a, db_col_text(st, 2));
		out->password_hash = arena_strdup(a, db_col_text(st, 3));
		out->verified = db_col_bool(st, 4);
		out->suspended = db_col_bool(st, 5);
		out->lang = arena_strdup(a, db_col_text(st, 6));
	}
	db_reset(st);
	return s;
}

/* ---- passwords -------------------------------------------------------------------------- */

/* Passwords of 10+ characters that top the leaked-password lists (French and
 * English). Compared lower-cased; the checks below catch runs and repeats. */
static const char *const common_passwords[] = {
	"0123456789", "1234567890", "12345678910", "123456789a", "1234567890a", "a123456789",
	"0987654321", "9876543210", "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4t5", "1qaz2wsx3edc",
	"qwertyuiop", "azertyuiop", "qwerty1234", "azerty1234", "azerty123456", "qwerty123456",
	"qwertyuiop1", "azertyuiop1", "password12", "password123", "password1234", "passw0rd123",
	"motdepasse", "motdepasse1", "motdepasse12", "motdepasse123", "mot2passe123",
	"iloveyou12", "iloveyou123", "jetaime1234", "jetaime123456", "bonjour123",
	"bonjour1234", "soleil1234", "soleil123456", "doudou1234", "chouchou12", "chouchou123",
	"marseille13", "football123", "football1234", "princesse12", "princesse123",
	"nicolas1234", "baseball123", "superman123", "starwars123", "welcome123",
	"welcome1234", "letmein123", "administrator", "admin12345", "admin123456",
	"abc1234567", "abcd123456", "abcdef1234", "abcdefghij", "abcdefghijk",
	"1234qwerty", "1234azerty", "123456qwerty", "123456azerty", "qazwsxedc123",
	"zaq12wsxcde", "changeme123", "kiosque123", "kiosque1234", "trustno1234",
	"sunshine123", "dragon12345", "monkey12345", "computer123", "internet123",
	"qwertzuiop", "asdfghjkl1", "asdfghjkl123", "zxcvbnm123", "wxcvbn1234",
	NULL,
};

/* A run like "abcdefghij", "9876543210" or "aaaaaaaaaa": each byte one more,
 * one less or the same as the one before. */
static bool is_run(const char *s)
{
	size_t n = strlen(s);
	if (n < 2)
		return true;
	int step = (unsigned char)s[1] - (unsigned char)s[0];
	if (step < -1 || step > 1)
		return false;
	for (size_t i = 2; i < n; i++)
		if ((unsigned char)s[i] - (unsigned char)s[i - 1] != step)
			return false;
	return true;
}

/* The same short pattern over and over: "abcabcabca", "12121212121". */
static bool is_repetition(const char *s)
{
	size_t n = strlen(s);
	for (size_t p = 1; p <= 4 && p < n; p++) {
		size_t i = p;
		while (i < n && s[i] == s[i - p])
			i++;
		if (i == n)
			return true;
	}
	return false;
}

const char *accounts_password_problem(const char *password, const char *email)
{
	if (!password || !*password)
		return "accounts.field.required";
	size_t bytes = strlen(password);
	if (bytes > ACCOUNTS_PASSWORD_MAX)
		return "accounts.field.password_long";
	if (!str_utf8_valid(password, bytes))
		return "accounts.field.password_short";
	if (str_utf8_len(password) < ACCOUNTS_PASSWORD_MIN)
		return "accounts.field.password_short";
	char lower[ACCOUNTS_PASSWORD_MAX + 1];
	for (size_t i = 0; i <= bytes; i++)
		lower[i] = (password[i] >= 'A' && password[i] <= 'Z') ? (char)(password[i] + 32)
								   : password[i];
	bool common = is_run(lower) || is_repetition(lower);
	for (int i = 0; !common && common_passwords[i]; i++)
		common = strcmp(lower, common_passwords[i]) == 0;
	if (!common && email && *email) {
		size_t at = strcspn(email, "@");
		common = strncasecmp(lower, email, bytes) == 0 && email[bytes] == 0;
		common = common || (at == bytes && strncasecmp(lower, email, at) == 0);
	}
	crypto_wipe(lower, sizeof(lower));
	return common ? "accounts.field.password_common" : NULL;
}

/* The hash an unknown address is checked against, so that a log-in costs
 * the same whether the account exists or not. Computed once, with the
 * process's argon2 cost (tests run with KIOSQUE_FAST_HASH). */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[PASSWORD_HASH_MAX];

static void dummy_init(void)
{
	char pw[TOKEN_HEX_LEN + 1];
	crypto_token(pw);
	if (!crypto_password_hash(pw, dummy_hash))
		dummy_hash[0] = 0;
	crypto_wipe(pw, sizeof(pw));
}

static bool password_matches(const char *hash, const char *password)
{
	pthread_once(&dummy_once, dummy_init);
	if (!password || strlen(password) > ACCOUNTS_PASSWORD_MAX) {
		/* Still spend the time: the answer must not say which case it was. */
		(void)crypto_password_verify(dummy_hash, "x");
		return false;
	}
	if (!hash || !*hash) {
		(void)crypto_password_verify(dummy_hash, password);
		return false;
	}
	return crypto_password_verify(hash, password);
}

static const char *name_problem(const char *name)
{
	if (!*name || !str_text_ok(name, ACCOUNTS_NAME_MAX, false))
		return "accounts.field.name_invalid";
	return NULL;
}

/* ---- mails ------------------------------------------------------------------------------ */

/* Queues the mail "mail.accounts.<what>" (subject and body keys) in lang.
 * Must run inside the transaction of the change it tells about. */
static enum db_status queue_mail(struct db *db, struct arena *a, const char *lang, const char *to,
				 const char *what, const char *name, const char *link,
				 const char *email)
{
	lang = lang_or_fr(lang);
	const char *vars[] = { "name", name, "link", link, "email", email, "site",
			       core_settings()->base_url, NULL };
	const char *subject = i18n_fill(a, i18n_get(lang, arena_printf(a, "mail.accounts.%s.subject", what)),
				  vars);
	const char *body = i18n_fill(a, i18n_get(lang, arena_printf(a, "mail.accounts.%s.body", what)),
			       vars);
	const char *footer = i18n_fill(a, i18n_get(lang, "mail.accounts.footer"), vars);
	return notify_enqueue(db, to, subject, arena_printf(a, "%s\n\n-- \n%s\n", body, footer), NULL);
}

/* Stores a new link for account_id and writes its absolute URL into a. */
static enum db_status new_link(struct db *db, struct arena *a, int64_t account_id,
			       enum account_link kind, const char *new_email, int64_t ttl,
			       const char **out_link)
{
	static const char *const paths[] = { "/compte/verifier", "/mot-de-passe/nouveau",
					     "/compte/email/confirmer" };
	char token[TOKEN_HEX_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1];
	int64_t now = time_now();
	crypto_token(token);
	crypto_token_hash(token, hash);
	struct db_stmt *st = db_stmt(db, &SQL_TOKEN_INSERT);
	db_bind_text(st, 1, hash);
	db_bind_i64(st, 2, account_id);
	db_bind_text(st, 3, purpose_of(kind));
	db_bind_text(st, 4, new_email);
	db_bind_i64(st, 5, now);
	db_bind_i64(st, 6, now + ttl);
	enum db_status s = db_run(st);
	*out_link = arena_printf(a, "%s%s?jeton=%s", core_settings()->base_url, paths[kind], token);
	crypto_wipe(token, sizeof(token));
	return s;
}

static enum db_status burn_links(struct db *db, int64_t account_id, enum account_link kind)
{
	struct db_stmt *st = db_stmt(db, &SQL_TOKENS_BURN);
	db_bind_i64(st, 1, account_id);
	db_bind_text(st, 2, purpose_of(kind));
	db_bind_i64(st, 3, time_now());
	return db_run(st);
}

/* When the last link of that kind was made for the account (0: never). */
static enum db_status last_link_at(struct db *db, int64_t account_id, enum account_link kind,
				   int64_t *out)
{
	struct db_stmt *st = db_stmt(db, &SQL_TOKEN_LAST);
	db_bind_i64(st, 1, account_id);
	db_bind_text(st, 2, purpose_of(kind));
	enum db_status s = db_step(st);
	*out = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	return s < 0 ? s : DB_NONE;
}

/* Sends a verification link unless one went out less than
 * ACCOUNTS_RESEND_INTERVAL ago. Inside a transaction. */
static enum db_status send_verification(struct db *db, struct arena *a,
					const struct account_row *acc, bool rate_limited)
{
	const char *link;
	int64_t last;
	enum db_status s;
	if (rate_limited) {
		s = last_link_at(db, acc->id, LINK_VERIFY, &last);
		if (s < 0)
			return s;
		if (last && time_now() - last < ACCOUNTS_RESEND_INTERVAL)
			return DB_NONE;
	}
	s = new_link(db, a, acc->id, LINK_VERIFY, NULL, ACCOUNTS_VERIFY_TTL, &link);
	if (s < 0)
		return s;
	return queue_mail(db, a, acc->lang, acc->email, "verify", acc->display_name, link, acc->email);
}

/* ---- sign-up and verification ----------------------------------------------------------- */

struct signup {
	struct arena *a;
	const char *email, *email_lower, *name, *lang, *hash;
};

static enum db_status signup_txn(struct db *db, void *cls)
{
	struct signup *c = cls;
	struct db_stmt *st = db_stmt(db, &SQL_INSERT);
	db_bind_text(st, 1, c->email);
	db_bind_text(st, 2, c->email_lower);
	db_bind_text(st, 3, c->name);
	db_bind_text(st, 4, c->hash);
	db_bind_null(st, 5);
	db_bind_text(st, 6, "");
	db_bind_text(st, 7, c->lang);
	db_bind_i64(st, 8, time_now());
	enum db_status s = db_step(st);
	if (s < 0)
		return s;
	if (s == DB_ROW) {
		struct account_row acc = { db_col_i64(st, 0), c->email, c->name, NULL, c->lang,
					   false, false };
		db_reset(st);
		return send_verification(db, c->a, &acc, false);
	}
	/* The address has an account: tell its owner, in the owner's language,
	 * and answer exactly as for a new account. */
	struct account_row old;
	s = read_account(db, &SQL_BY_EMAIL, c->email_lower, 0, c->a, &old);
	if (s != DB_ROW)
		return s == DB_NONE ? DB_SOFT : s;   /* deleted meanwhile: run again */
	return queue_mail(db, c->a, old.lang, old.email, "signup_taken", old.display_name,
			  arena_printf(c->a, "%s/connexion", core_settings()->base_url), old.email);
}

enum kq_err accounts_signup(struct db *db, const struct signup_request *in,
			    struct field_errors *fe)
{
	struct arena *a = arena_new();
	char hash[PASSWORD_HASH_MAX];
	enum kq_err e = KQ_OK;
	const char *email = clean_email(a, in->email);
	const char *name = str_trim(a, in->display_name);
	const char *pw_problem = accounts_password_problem(in->password, email);
	const char *name_bad = name_problem(name);

	if (!email)
		field_error_add(fe, "email", "accounts.field.email_invalid");
	if (name_bad)
		field_error_add(fe, "display_name", name_bad);
	if (pw_problem)
		field_error_add(fe, "password", pw_problem);
	if (fe->n) {
		e = KQ_ERR_FORM_INVALID;
		goto out;
	}
	/* Hashed for a taken address too: both answers take as long. */
	if (!crypto_password_hash(in->password, hash)) {
		log_error("accounts: password hashing failed");
		e = KQ_ERR_INTERNAL;
		goto out;
	}
	struct signup c = { a, email, str_lower_ascii(a, email), name, lang_or_fr(in->lang), hash };
	e = core_db_err(db_txn_run(db, "accounts_signup", DB_WRITE, signup_txn, &c));
	crypto_wipe(hash, sizeof(hash));
out:
	arena_free(a);
	return e;
}

struct resend {
	struct arena *a;
	const char *email_lower;
};

static enum db_status resend_txn(struct db *db, void *cls)
{
	struct resend *c = cls;
	struct account_row acc;
	enum db_status s = read_account(db, &SQL_BY_EMAIL, c->email_lower, 0, c->a, &acc);
	if (s != DB_ROW)
		return s;
	if (acc.verified || acc.suspended)
		return DB_NONE;
	return send_verification(db, c->a, &acc, true);
}

enum kq_err accounts_verify_resend(struct db *db, const char *email, struct field_errors *fe)
{
	struct arena *a = arena_new();
	enum kq_err e = KQ_OK;
	const char *clean = clean_email(a, email);
	if (!clean) {
		field_error_add(fe, "email", "accounts.field.email_invalid");
		e = KQ_ERR_FORM_INVALID;
	} else {
		struct resend c = { a, str_lower_ascii(a, clean) };
		e = core_db_err(db_txn_run(db, "accounts_verify_resend", DB_WRITE, resend_txn, &c));
	}
	arena_free(a);
	return e;
}

enum kq_err accounts_link_check(struct db *db, struct arena *a, enum account_link kind,
				const char *token, const char **out_new_email)
{
	char hash[TOKEN_HASH_HEX_LEN + 1];
	if (out_new_email)
		*out_new_email = NULL;
	if (!token_well_formed(token))
		return KQ_ERR_AUTH_LINK_INVALID;
	crypto_token_hash(token, hash);
	struct db_stmt *st = db_stmt(db, &SQL_TOKEN_PEEK);
	db_bind_text(st, 1, hash);
	db_bind_text(st, 2, purpose_of(kind));
	db_bind_i64(st, 3, time_now());
	enum db_status s = db_step(st);
	if (s == DB_ROW && out_new_email)
		*out_new_email = arena_strdup(a, db_col_text(st, 1));
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	return s == DB_ROW ? KQ_OK : KQ_ERR_AUTH_LINK_INVALID;
}

/* Uses token; *used is false when it was not a live link of that kind. */
struct use {
	const char *hash;
	enum account_link kind;
	int64_t now;
	int64_t account_id;
	char new_email[256];
	bool used;
};

static enum db_status use_link(struct db *db, struct use *u)
{
	struct db_stmt *st = db_stmt(db, &SQL_TOKEN_USE);
	db_bind_text(st, 1, u->hash);
	db_bind_text(st, 2, purpose_of(u->kind));
	db_bind_i64(st, 3, u->now);
	enum db_status s = db_step(st);
	u->used = s == DB_ROW;
	if (s == DB_ROW) {
		const char *ne = db_col_text(st, 1);
		u->account_id = db_col_i64(st, 0);
		snprintf(u->new_email, sizeof(u->new_email), "%s", ne ? ne : "");
	}
	db_reset(st);
	return s < 0 ? s : DB_NONE;
}

static enum db_status verify_txn(struct db *db, void *cls)
{
	struct use *u = cls;
	enum db_status s = use_link(db, u);
	if (s < 0 || !u->used)
		return s;
	struct db_stmt *st = db_stmt(db, &SQL_SET_VERIFIED);
	db_bind_i64(st, 1, u->account_id);
	db_bind_i64(st, 2, u->now);
	s = db_run(st);
	if (s < 0)
		return s;
	return burn_links(db, u->account_id, LINK_VERIFY);
}

enum kq_err accounts_verify(struct db *db, const char *token, int64_t *out_account_id)
{
	struct use u = { .kind = LINK_VERIFY, .now = time_now() };
	char hash[TOKEN_HASH_HEX_LEN + 1];
	if (out_account_id)
		*out_account_id = 0;
	if (!token_well_formed(token))
		return KQ_ERR_AUTH_LINK_INVALID;
	crypto_token_hash(token, hash);
	u.hash = hash;
	enum kq_err e = core_db_err(db_txn_run(db, "accounts_verify", DB_WRITE, verify_txn, &u));
	if (e != KQ_OK)
		return e;
	if (!u.used)
		return KQ_ERR_AUTH_LINK_INVALID;
	if (out_account_id)
		*out_account_id = u.account_id;
	return KQ_OK;
}

/* ---- log-in and throttling -------------------------------------------------------------- */

static enum db_status failures_since(struct db *db, const char *key, int64_t since, int64_t *out)
{
	struct db_stmt *st = db_stmt(db, &SQL_FAIL_COUNT);
	db_bind_text(st, 1, key);
	db_bind_i64(st, 2, since);
	enum db_status s = db_step(st);
	*out = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	return s < 0 ? s : DB_NONE;
}

/* INVARIANT(login-throttle): past ACCOUNTS_THROTTLE_ACCOUNT failures for the
 * account or ACCOUNTS_THROTTLE_ADDR for the address within the window, no
 * password is even checked. ip_key may be NULL. */
static enum kq_err check_throttle(struct db *db, const char *acct_key, const char *ip_key)
{
	int64_t since = time_now() - ACCOUNTS_THROTTLE_WINDOW, n = 0;
	if (failures_since(db, acct_key, since, &n) < 0)
		return KQ_ERR_INTERNAL;
	if (n >= ACCOUNTS_THROTTLE_ACCOUNT)
		return KQ_ERR_AUTH_THROTTLED;
	if (ip_key) {
		if (failures_since(db, ip_key, since, &n) < 0)
			return KQ_ERR_INTERNAL;
		if (n >= ACCOUNTS_THROTTLE_ADDR)
			return KQ_ERR_AUTH_THROTTLED;
	}
	return KQ_OK;
}

struct failure {
	const char *keys[2];
};

static enum db_status failure_txn(struct db *db, void *cls)
{
	struct failure *f = cls;
	int64_t now = time_now();
	for (int i = 0; i < 2; i++) {
		if (!f->keys[i])
			continue;
		struct db_stmt *st = db_stmt(db, &SQL_FAIL_TRIM);
		db_bind_text(st, 1, f->keys[i]);
		db_bind_i64(st, 2, now - ACCOUNTS_THROTTLE_WINDOW);
		enum db_status s = db_run(st);
		if (s < 0)
			return s;
		st = db_stmt(db, &SQL_FAIL_INSERT);
		db_bind_text(st, 1, f->keys[i]);
		db_bind_i64(st, 2, now);
		s = db_run(st);
		if (s < 0)
			return s;
	}
	return DB_NONE;
}

static enum kq_err record_failure(struct db *db, const char *acct_key, const char *ip_key)
{
	struct failure f = { { acct_key, ip_key } };
	return core_db_err(db_txn_run(db, "accounts_login_failure", DB_WRITE, failure_txn, &f));
}

static enum db_status clear_failures(struct db *db, const char *acct_key)
{
	struct db_stmt *st = db_stmt(db, &SQL_FAIL_CLEAR);
	db_bind_text(st, 1, acct_key);
	return db_run(st);
}

struct login {
	struct arena *a;
	const struct account_row *acc;
	const char *acct_key, *ua;
	char *token;
};

static enum db_status login_ok_txn(struct db *db, void *cls)
{
	struct login *c = cls;
	enum db_status s = clear_failures(db, c->acct_key);
	if (s < 0)
		return s;
	/* Joins this transaction: the failures are cleared only with a session. */
	return sessions_create(db, c->acc->id, c->ua, c->token) == KQ_OK ? DB_NONE : DB_HARD;
}

static enum db_status unverified_txn(struct db *db, void *cls)
{
	struct login *c = cls;
	return send_verification(db, c->a, c->acc, true);
}

enum kq_err accounts_login(struct db *db, const struct login_request *in, struct arena *a,
			   struct field_errors *fe, struct actor *out, char *out_token)
{
	memset(out, 0, sizeof(*out));
	out_token[0] = 0;
	if (str_empty(in->email))
		field_error_add(fe, "email", "accounts.field.required");
	if (!in->password || !*in->password)
		field_error_add(fe, "password", "accounts.field.required");
	if (fe->n)
		return KQ_ERR_FORM_INVALID;

	const char *lower = str_lower_ascii(a, str_trim(a, in->email));
	const char *acct_key = arena_printf(a, "acct:%s", lower);
	const char *ip_key = in->remote_addr && *in->remote_addr
		? arena_printf(a, "ip:%s", in->remote_addr) : NULL;
	enum kq_err e = check_throttle(db, acct_key, ip_key);
	if (e != KQ_OK) {
		if (e == KQ_ERR_AUTH_THROTTLED)
			log_info("accounts: log-in throttled");
		return e;
	}

	struct account_row acc = { 0 };
	enum db_status s = read_account(db, &SQL_BY_EMAIL, lower, 0, a, &acc);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	/* Unknown address and wrong password take the same path and time. */
	if (!password_matches(s == DB_ROW ? acc.password_hash : NULL, in->password)) {
		e = record_failure(db, acct_key, ip_key);
		return e != KQ_OK ? e : KQ_ERR_AUTH_BAD_CREDENTIALS;
	}
	if (acc.suspended)
		return KQ_ERR_AUTH_SUSPENDED;
	struct login c = { a, &acc, acct_key, in->user_agent, out_token };
	if (!acc.verified) {
		e = core_db_err(db_txn_run(db, "accounts_login_unverified", DB_WRITE,
					   unverified_txn, &c));
		return e != KQ_OK ? e : KQ_ERR_AUTH_UNVERIFIED;
	}
	e = core_db_err(db_txn_run(db, "accounts_login", DB_WRITE, login_ok_txn, &c));
	if (e != KQ_OK) {
		out_token[0] = 0;
		return e;
	}
	e = sessions_actor_of(db, a, acc.id, out);
	if (e != KQ_OK) {
		(void)sessions_delete(db, out_token);
		out_token[0] = 0;
		return e == KQ_ERR_NOT_FOUND ? KQ_ERR_AUTH_BAD_CREDENTIALS : e;
	}
	return KQ_OK;
}

/* ---- password reset ------------------------------------------------------------------- */

struct reset_request {
	struct arena *a;
	const char *email_lower;
};

static enum db_status reset_request_txn(struct db *db, void *cls)
{
	struct reset_request *c = cls;
	struct account_row acc;
	const char *link;
	int64_t last;
	enum db_status s = read_account(db, &SQL_BY_EMAIL, c->email_lower, 0, c->a, &acc);
	if (s != DB_ROW)
		return s;
	/* A reset link stays valid an hour: a second request soon after would
	 * only let a stranger fill the owner's mailbox. */
	s = last_link_at(db, acc.id, LINK_RESET, &last);
	if (s < 0)
		return s;
	if (last && time_now() - last < ACCOUNTS_RESET_INTERVAL)
		return DB_NONE;
	s = new_link(db, c->a, acc.id, LINK_RESET, NULL, ACCOUNTS_RESET_TTL, &link);
	if (s < 0)
		return s;
	return queue_mail(db, c->a, acc.lang, acc.email, "reset", acc.display_name, link, acc.email);
}

enum kq_err accounts_reset_request(struct db *db, const char *email, struct field_errors *fe)
{
	struct arena *a = arena_new();
	enum kq_err e;
	const char *clean = clean_email(a, email);
	if (!clean) {
		field_error_add(fe, "email", "accounts.field.email_invalid");
		e = KQ_ERR_FORM_INVALID;
	} else {
		struct reset_request c = { a, str_lower_ascii(a, clean) };
		e = core_db_err(db_txn_run(db, "accounts_reset_request", DB_WRITE,
					   reset_request_txn, &c));
	}
	arena_free(a);
	return e;
}

struct reset {
	struct use u;
	const char *hash_pw;
	struct arena *a;
};

static enum db_status reset_txn(struct db *db, void *cls)
{
	struct reset *c = cls;
	enum db_status s = use_link(db, &c->u);
	if (s < 0 || !c->u.used)
		return s;
	struct db_stmt *st = db_stmt(db, &SQL_SET_PASSWORD);
	db_bind_i64(st, 1, c->u.account_id);
	db_bind_text(st, 2, c->hash_pw);
	db_bind_i64(st, 3, c->u.now);
	s = db_step(st);
	if (s != DB_ROW) {
		db_reset(st);
		return s == DB_NONE ? DB_HARD : s;
	}
	const char *acct_key = arena_printf(c->a, "acct:%s", db_col_text(st, 0));
	db_reset(st);
	if ((s = burn_links(db, c->u.account_id, LINK_RESET)) < 0)
		return s;
	/* INVARIANT(reset-ends-sessions): whoever held a session loses it. */
	if ((s = sessions_delete_all(db, c->u.account_id, NULL)) < 0)
		return s;
	/* The owner proved the address: let them in at once, even if throttled. */
	return clear_failures(db, acct_key);
}

enum kq_err accounts_reset(struct db *db, const char *token, const char *new_password,
			   struct field_errors *fe, int64_t *out_account_id)
{
	struct arena *a = arena_new();
	char hash_pw[PASSWORD_HASH_MAX] = "";
	char thash[TOKEN_HASH_HEX_LEN + 1];
	enum kq_err e = KQ_OK;
	const char *email = NULL;
	if (out_account_id)
		*out_account_id = 0;
	if (!token_well_formed(token)) {
		e = KQ_ERR_AUTH_LINK_INVALID;
		goto out;
	}
	/* Peek first: a dead link should not cost an argon2 hash. */
	crypto_token_hash(token, thash);
	struct db_stmt *st = db_stmt(db, &SQL_TOKEN_PEEK);
	db_bind_text(st, 1, thash);
	db_bind_text(st, 2, purpose_of(LINK_RESET));
	db_bind_i64(st, 3, time_now());
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		email = arena_strdup(a, db_col_text(st, 2));
	db_reset(st);
	if (s != DB_ROW) {
		e = s < 0 ? KQ_ERR_INTERNAL : KQ_ERR_AUTH_LINK_INVALID;
		goto out;
	}
	const char *problem = accounts_password_problem(new_password, email);
	if (problem) {
		field_error_add(fe, "new_password", problem);
		e = KQ_ERR_FORM_INVALID;
		goto out;
	}
	if (!crypto_password_hash(new_password, hash_pw)) {
		e = KQ_ERR_INTERNAL;
		goto out;
	}
	struct reset c = { .u = { .hash = thash, .kind = LINK_RESET, .now = time_now() },
			   .hash_pw = hash_pw, .a = a };
	e = core_db_err(db_txn_run(db, "accounts_reset", DB_WRITE, reset_txn, &c));
	if (e == KQ_OK && !c.u.used)
		e = KQ_ERR_AUTH_LINK_INVALID;
	if (e == KQ_OK && out_account_id)
		*out_account_id = c.u.account_id;
out:
	crypto_wipe(hash_pw, sizeof(hash_pw));
	arena_free(a);
	return e;
}

/* ---- changes by the logged-in owner ------------------------------------------------------- */

/* Checks who's password, counting a wrong one as a failed log-in of the
 * account (a stolen session must not become a password oracle).
 * On a wrong password adds fe field/key and returns FORM_INVALID. */
static enum kq_err confirm_password(struct db *db, struct arena *a, const struct actor *who,
				    const char *password, const char *field,
				    struct field_errors *fe, struct account_row *out_acc)
{
	const char *acct_key = arena_printf(a, "acct:%s", str_lower_ascii(a, who->email));
	enum kq_err e = check_throttle(db, acct_key, NULL);
	if (e != KQ_OK)
		return e;
	enum db_status s = read_account(db, &SQL_BY_ID, NULL, who->account_id, a, out_acc);
	if (s != DB_ROW)
		return s == DB_NONE ? KQ_ERR_AUTH_REQUIRED : KQ_ERR_INTERNAL;
	if (out_acc->suspended)
		return KQ_ERR_AUTH_SUSPENDED;
	if (!password_matches(out_acc->password_hash, password)) {
		e = record_failure(db, acct_key, NULL);
		if (e != KQ_OK)
			return e;
		field_error_add(fe, field, "accounts.field.password_wrong");
		return KQ_ERR_FORM_INVALID;
	}
	return KQ_OK;
}

struct pw_change {
	struct arena *a;
	const struct account_row *acc;
	const char *hash, *keep;
};

static enum db_status pw_change_txn(struct db *db, void *cls)
{
	struct pw_change *c = cls;
	struct db_stmt *st = db_stmt(db, &SQL_SET_PASSWORD);
	db_bind_i64(st, 1, c->acc->id);
	db_bind_text(st, 2, c->hash);
	db_bind_null(st, 3);
	enum db_status s = db_run(st);
	if (s < 0)
		return s;
	/* Reset links mailed before the change must not undo it. */
	if ((s = burn_links(db, c->acc->id, LINK_RESET)) < 0)
		return s;
	if ((s = sessions_delete_all(db, c->acc->id, c->keep)) < 0)
		return s;
	return queue_mail(db, c->a, c->acc->lang, c->acc->email, "password_changed",
			  c->acc->display_name,
			  arena_printf(c->a, "%s/mot-de-passe-oublie", core_settings()->base_url),
			  c->acc->email);
}

enum kq_err accounts_password_change(struct db *db, const struct actor *who,
				     const char *keep_session, const char *current_password,
				     const char *new_password, struct field_errors *fe)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	char hash[PASSWORD_HASH_MAX] = "";
	struct account_row acc;
	enum kq_err e = KQ_OK;
	const char *problem = accounts_password_problem(new_password, who->email);
	if (!current_password || !*current_password)
		field_error_add(fe, "current_password", "accounts.field.required");
	if (problem)
		field_error_add(fe, "new_password", problem);
	if (fe->n) {
		e = KQ_ERR_FORM_INVALID;
		goto out;
	}
	e = confirm_password(db, a, who, current_password, "current_password", fe, &acc);
	if (e != KQ_OK)
		goto out;
	if (!crypto_password_hash(new_password, hash)) {
		e = KQ_ERR_INTERNAL;
		goto out;
	}
	struct pw_change c = { a, &acc, hash, keep_session };
	e = core_db_err(db_txn_run(db, "accounts_password_change", DB_WRITE, pw_change_txn, &c));
out:
	crypto_wipe(hash, sizeof(hash));
	arena_free(a);
	return e;
}

struct email_change {
	struct arena *a;
	const struct account_row *acc;
	const char *new_email, *new_lower;
};

static enum db_status email_change_txn(struct db *db, void *cls)
{
	struct email_change *c = cls;
	struct account_row other;
	const char *link;
	enum db_status s = read_account(db, &SQL_BY_EMAIL, c->new_lower, 0, c->a, &other);
	if (s < 0)
		return s;
	if (s == DB_ROW) {
		/* Taken: no link; its owner learns someone tried, the requester
		 * sees the same answer as for a free address. */
		s = queue_mail(db, c->a, other.lang, other.email, "email_taken", other.display_name,
			       arena_printf(c->a, "%s/connexion", core_settings()->base_url),
			       other.email);
	} else {
		s = new_link(db, c->a, c->acc->id, LINK_EMAIL_CHANGE, c->new_email,
			     ACCOUNTS_EMAIL_CHANGE_TTL, &link);
		if (s < 0)
			return s;
		s = queue_mail(db, c->a, c->acc->lang, c->new_email, "email_change",
			       c->acc->display_name, link, c->new_email);
	}
	if (s < 0)
		return s;
	return queue_mail(db, c->a, c->acc->lang, c->acc->email, "email_change_notice",
			  c->acc->display_name,
			  arena_printf(c->a, "%s/mot-de-passe-oublie", core_settings()->base_url),
			  c->new_email);
}

enum kq_err accounts_email_change_request(struct db *db, const struct actor *who,
					  const char *password, const char *new_email,
					  struct field_errors *fe)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct account_row acc;
	enum kq_err e = KQ_OK;
	const char *clean = clean_email(a, new_email);
	const char *lower = clean ? str_lower_ascii(a, clean) : NULL;
	if (!clean)
		field_error_add(fe, "new_email", "accounts.field.email_invalid");
	else if (strcmp(lower, str_lower_ascii(a, who->email)) == 0)
		field_error_add(fe, "new_email", "accounts.field.email_same");
	if (!password || !*password)
		field_error_add(fe, "password", "accounts.field.required");
	if (fe->n) {
		e = KQ_ERR_FORM_INVALID;
		goto out;
	}
	e = confirm_password(db, a, who, password, "password", fe, &acc);
	if (e != KQ_OK)
		goto out;
	struct email_change c = { a, &acc, clean, lower };
	e = core_db_err(db_txn_run(db, "accounts_email_change", DB_WRITE, email_change_txn, &c));
out:
	arena_free(a);
	return e;
}

struct email_confirm {
	struct use u;
	struct arena *a;
	bool taken;
};

static enum db_status email_confirm_txn(struct db *db, void *cls)
{
	struct email_confirm *c = cls;
	c->taken = false;
	enum db_status s = use_link(db, &c->u);
	if (s < 0 || !c->u.used)
		return s;
	struct db_stmt *st = db_stmt(db, &SQL_SET_EMAIL);
	db_bind_i64(st, 1, c->u.account_id);
	db_bind_text(st, 2, c->u.new_email);
	db_bind_text(st, 3, str_lower_ascii(c->a, c->u.new_email));
	db_bind_i64(st, 4, c->u.now);
	s = db_run(st);
	if (s < 0)
		return s;
	if (db_changes(st) != 1) {
		c->taken = true;   /* someone took the address since the link was sent */
		return DB_HARD;
	}
	/* Links mailed to the old address die with it. */
	static const enum account_link kinds[] = { LINK_EMAIL_CHANGE, LINK_RESET, LINK_VERIFY };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if ((s = burn_links(db, c->u.account_id, kinds[i])) < 0)
			return s;
	return DB_NONE;
}

enum kq_err accounts_email_change_confirm(struct db *db, const char *token,
					  int64_t *out_account_id)
{
	char hash[TOKEN_HASH_HEX_LEN + 1];
	if (out_account_id)
		*out_account_id = 0;
	if (!token_well_formed(token))
		return KQ_ERR_AUTH_LINK_INVALID;
	crypto_token_hash(token, hash);
	struct arena *a = arena_new();
	struct email_confirm c = { .u = { .hash = hash, .kind = LINK_EMAIL_CHANGE,
					  .now = time_now() }, .a = a };
	enum db_status s = db_txn_run(db, "accounts_email_confirm", DB_WRITE, email_confirm_txn, &c);
	enum kq_err e = core_db_err(s);
	/* A concurrent sign-up with the address can still win the unique index. */
	if (c.taken || (s < 0 && db_is_unique_violation(db)))
		e = KQ_ERR_AUTH_LINK_INVALID;
	else if (e == KQ_OK && !c.u.used)
		e = KQ_ERR_AUTH_LINK_INVALID;
	if (e == KQ_OK && out_account_id)
		*out_account_id = c.u.account_id;
	arena_free(a);
	return e;
}

struct set_lang {
	int64_t id;
	const char *lang;
};

static enum db_status set_lang_txn(struct db *db, void *cls)
{
	struct set_lang *c = cls;
	struct db_stmt *st = db_stmt(db, &SQL_SET_LANG);
	db_bind_i64(st, 1, c->id);
	db_bind_text(st, 2, c->lang);
	return db_run(st);
}

enum kq_err accounts_set_lang(struct db *db, const struct actor *who, const char *lang)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!i18n_lang_supported(lang))
		return KQ_ERR_FORM_INVALID;
	struct set_lang c = { who->account_id, lang };
	return core_db_err(db_txn_run(db, "accounts_set_lang", DB_WRITE, set_lang_txn, &c));
}

/* ---- administration and loading --------------------------------------------------------- */

struct create_verified {
	const char *email, *lower, *name, *hash, *role;
	int64_t id;
	bool taken;
};

static enum db_status create_verified_txn(struct db *db, void *cls)
{
	struct create_verified *c = cls;
	int64_t now = time_now();
	struct db_stmt *st = db_stmt(db, &SQL_INSERT);
	db_bind_text(st, 1, c->email);
	db_bind_text(st, 2, c->lower);
	db_bind_text(st, 3, c->name);
	db_bind_text(st, 4, c->hash);
	db_bind_i64(st, 5, now);
	db_bind_text(st, 6, c->role);
	db_bind_text(st, 7, "fr");
	db_bind_i64(st, 8, now);
	enum db_status s = db_step(st);
	c->taken = s == DB_NONE;
	c->id = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	/* Taken writes nothing (DO NOTHING), so a caller's transaction may go on. */
	return s < 0 ? s : DB_NONE;
}

enum kq_err accounts_create_verified(struct db *db, const char *email, const char *name,
				     const char *password_hash, const char *platform_role,
				     int64_t *out_id)
{
	struct arena *a = arena_new();
	enum kq_err e = KQ_OK;
	const char *role = platform_role ? platform_role : "";
	const char *clean = clean_email(a, email);
	const char *tname = str_trim(a, name);
	if (out_id)
		*out_id = 0;
	if (!clean || name_problem(tname) || !password_hash || !*password_hash ||
	    (*role && strcmp(role, "moderator") != 0 && strcmp(role, "admin") != 0)) {
		e = KQ_ERR_FORM_INVALID;
		goto out;
	}
	struct create_verified c = { clean, str_lower_ascii(a, clean), tname, password_hash, role,
				     0, false };
	e = core_db_err(db_txn_run(db, "accounts_create_verified", DB_WRITE,
				   create_verified_txn, &c));
	if (e == KQ_OK && c.taken)
		e = KQ_ERR_ACCOUNTS_EMAIL_TAKEN;
	if (e == KQ_OK && out_id)
		*out_id = c.id;
out:
	arena_free(a);
	return e;
}

struct admin_create {
	struct arena *a;       /* the caller's: the link is returned in it */
	const char *email, *lower, *name, *hash;
	const char *link;
};

static enum db_status admin_create_txn(struct db *db, void *cls)
{
	struct admin_create *c = cls;
	struct account_row acc;
	enum db_status s = read_account(db, &SQL_BY_EMAIL, c->lower, 0, c->a, &acc);
	if (s < 0)
		return s;
	if (s == DB_ROW) {
		struct db_stmt *st = db_stmt(db, &SQL_PROMOTE);
		db_bind_i64(st, 1, acc.id);
		db_bind_i64(st, 2, time_now());
		if ((s = db_run(st)) < 0)
			return s;
	} else {
		struct create_verified cv = { c->email, c->lower, c->name, c->hash, "admin", 0,
					      false };
		if ((s = create_verified_txn(db, &cv)) < 0)
			return s;
		if (cv.taken)
			return DB_SOFT;   /* created meanwhile: run again, it will promote */
		acc.id = cv.id;
	}
	return new_link(db, c->a, acc.id, LINK_RESET, NULL, ACCOUNTS_ADMIN_RESET_TTL, &c->link);
}

/* The local part of an address as a display name, cut to the allowed length
 * on a character boundary. */
static const char *name_from_email(struct arena *a, const char *email)
{
	size_t at = strcspn(email, "@"), n = 0, chars = 0;
	while (n < at && chars < ACCOUNTS_NAME_MAX) {
		n++;
		while (n < at && ((unsigned char)email[n] & 0xc0) == 0x80)
			n++;
		chars++;
	}
	char *name = arena_strndup(a, email, n);
	return name_problem(name) ? "admin" : name;
}

enum kq_err accounts_admin_create(struct db *db, struct arena *a, const char *email,
				  const char **out_reset_link)
{
	char pw[TOKEN_HEX_LEN + 1], hash[PASSWORD_HASH_MAX];
	*out_reset_link = NULL;
	const char *clean = clean_email(a, email);
	if (!clean)
		return KQ_ERR_FORM_INVALID;
	/* Nobody ever knows this password: the operator sets one through the link. */
	crypto_token(pw);
	bool ok = crypto_password_hash(pw, hash);
	crypto_wipe(pw, sizeof(pw));
	if (!ok)
		return KQ_ERR_INTERNAL;
	struct admin_create c = { a, clean, str_lower_ascii(a, clean), name_from_email(a, clean),
				  hash, NULL };
	enum kq_err e = core_db_err(db_txn_run(db, "accounts_admin_create", DB_WRITE,
					       admin_create_txn, &c));
	crypto_wipe(hash, sizeof(hash));
	if (e == KQ_OK)
		*out_reset_link = c.link;
	return e;
}
