/* test_accounts.c: core/accounts.c and core/apitokens.c on both backends: sign-up, links, log-in, throttling, reset, changes, API tokens.
 *
 * Each group gets one migrated database (a SQLite file, or a private
 * PostgreSQL schema); every test starts from empty account tables and the
 * real clock. Mails are read back from the outbox table. */
#include "testlib.h"

#include "base/arena.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/str.h"
#include "base/timefmt.h"
#include "core/accounts.h"
#include "core/apitokens.h"
#include "core/sessions.h"
#include "db/db.h"
#include "web/views/accounts.h"

#include <pthread.h>

#define BASE_URL "https://kiosque.test"
#define PW "correct horse battery"
#define PW2 "another long secret 42"

struct env {
	char url[1200];
	char schema[128];
	struct db *db;
	struct arena *a;
};

TL_MIGRATED_DB_SETUPS(struct env, "accounts")

static int clean(void **state)
{
	struct env *e = *state;
	tl_set_clock(0);
	e->a = arena_new();
	return db_exec(e->db, "DELETE FROM outbox; DELETE FROM login_failures;"
			      " DELETE FROM api_tokens; DELETE FROM account_tokens;"
			      " DELETE FROM sessions; DELETE FROM accounts") == DB_NONE ? 0 : -1;
}

static int done(void **state)
{
	struct env *e = *state;
	arena_free(e->a);
	e->a = NULL;
	tl_set_clock(0);
	return 0;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static int64_t scalar(struct db *db, const struct db_sql *q, const char *arg)
{
	struct db_stmt *st = db_stmt(db, q);
	if (arg)
		db_bind_text(st, 1, arg);
	enum db_status s = db_step(st);
	assert_int_equal(s, DB_ROW);
	int64_t v = db_col_i64(st, 0);
	db_reset(st);
	return v;
}

static const struct db_sql Q_MAILS = { "ut_acc_mails", "SELECT COUNT(*) FROM outbox" };
static const struct db_sql Q_ACCOUNTS = { "ut_acc_accounts", "SELECT COUNT(*) FROM accounts" };
static const struct db_sql Q_VERIFIED = { "ut_acc_verified",
	"SELECT COUNT(*) FROM accounts WHERE email_lower = $1 AND email_verified_at IS NOT NULL" };
static const struct db_sql Q_SESSIONS = { "ut_acc_sessions", "SELECT COUNT(*) FROM sessions" };
static const struct db_sql Q_FAILURES = { "ut_acc_failures",
	"SELECT COUNT(*) FROM login_failures WHERE key = $1" };
static const struct db_sql Q_ROLE_ADMIN = { "ut_acc_role",
	"SELECT COUNT(*) FROM accounts WHERE email_lower = $1 AND platform_role = 'admin'"
	" AND email_verified_at IS NOT NULL" };
static const struct db_sql Q_TOKEN_USED_AT = { "ut_acc_api_used",
	"SELECT COALESCE(MAX(last_used_at), 0) FROM api_tokens" };

static int64_t mails(struct env *e)
{
	return scalar(e->db, &Q_MAILS, NULL);
}

struct mail {
	const char *to, *subject, *body;
};

/* The n-th mail queued (0 = first), strings in e->a. */
static struct mail mail_at(struct env *e, int n)
{
	static const struct db_sql q = { "ut_acc_mail_at",
		"SELECT to_addr, subject, body_text FROM outbox ORDER BY id" };
	struct mail m = { 0 };
	struct db_stmt *st = db_stmt(e->db, &q);
	for (int i = 0; i <= n; i++)
		assert_int_equal(db_step(st), DB_ROW);
	m.to = arena_strdup(e->a, db_col_text(st, 0));
	m.subject = arena_strdup(e->a, db_col_text(st, 1));
	m.body = arena_strdup(e->a, db_col_text(st, 2));
	db_reset(st);
	return m;
}

static struct mail last_mail(struct env *e)
{
	return mail_at(e, (int)mails(e) - 1);
}

/* The token of the first link to path in body. */
static const char *link_token(struct env *e, const char *body, const char *path)
{
	const char *prefix = arena_printf(e->a, "%s%s?jeton=", BASE_URL, path);
	const char *p = strstr(body, prefix);
	if (!p)
		fail_msg("no link to %s in mail:\n%s", path, body);
	return arena_strndup(e->a, p + strlen(prefix), TOKEN_HEX_LEN);
}

static void signup(struct env *e, const char *email, const char *name, const char *lang)
{
	struct field_errors fe = { 0 };
	struct signup_request in = { email, name, PW, lang };
	assert_int_equal(accounts_signup(e->db, &in, &fe), KQ_OK);
	assert_int_equal(fe.n, 0);
}

/* A verified account made through the real sign-up and link. */
static void verified(struct env *e, const char *email, const char *name)
{
	signup(e, email, name, "fr");
	const char *t = link_token(e, last_mail(e).body, "/compte/verifier");
	assert_int_equal(accounts_verify(e->db, t, NULL), KQ_OK);
}

static enum kq_err login(struct env *e, const char *email, const char *pw, const char *addr,
			 struct actor *who, char *token)
{
	struct field_errors fe = { 0 };
	struct login_request in = { email, pw, addr, "test" };
	return accounts_login(e->db, &in, e->a, &fe, who, token);
}

static bool session_alive(struct env *e, const char *token)
{
	struct actor who;
	return sessions_lookup(e->db, e->a, token, &who) == KQ_OK;
}

/* ---- sign-up and verification -------------------------------------------------------------- */

static void test_signup_creates_unverified_account_and_one_verification_mail(void **state)
{
	struct env *e = *state;
	signup(e, "  Marie.Dupont@Example.org ", "Marie D.", "fr");
	assert_int_equal(scalar(e->db, &Q_ACCOUNTS, NULL), 1);
	assert_int_equal(scalar(e->db, &Q_VERIFIED, "marie.dupont@example.org"), 0);
	assert_int_equal(mails(e), 1);
	struct mail m = last_mail(e);
	assert_string_equal(m.to, "Marie.Dupont@Example.org");
	assert_string_equal(m.subject, i18n_get("fr", "mail.accounts.verify.subject"));
	assert_non_null(strstr(m.body, "Bonjour Marie D.,"));
	(void)link_token(e, m.body, "/compte/verifier");
	/* Unverified: cannot log in yet. */
	struct actor who;
	char tok[TOKEN_HEX_LEN + 1];
	assert_int_equal(login(e, "marie.dupont@example.org", PW, NULL, &who, tok),
			 KQ_ERR_AUTH_UNVERIFIED);
}

static void test_signup_with_taken_email_answers_the_same_and_mails_the_owner_instead(void **state)
{
	struct env *e = *state;
	signup(e, "paul@example.org", "Paul", "en");
	int64_t before = mails(e);
	/* Same result for the second sign-up, whatever the case of the address. */
	struct field_errors fe = { 0 };
	struct signup_request in = { "PAUL@example.org", "Intruder", "some other password", "fr" };
	assert_int_equal(accounts_signup(e->db, &in, &fe), KQ_OK);
	assert_int_equal(fe.n, 0);
	assert_int_equal(scalar(e->db, &Q_ACCOUNTS, NULL), 1);
	assert_int_equal(mails(e), before + 1);
	struct mail m = last_mail(e);
	assert_string_equal(m.to, "paul@example.org");
	/* In the owner's language, with no link that verifies anything. */
	assert_string_equal(m.subject, i18n_get("en", "mail.accounts.signup_taken.subject"));
	assert_null(strstr(m.body, "jeton="));
	assert_non_null(strstr(m.body, BASE_URL "/connexion"));
	assert_non_null(strstr(m.body, BASE_URL "/mot-de-passe-oublie"));
}

static void test_signup_refuses_bad_fields_with_field_errors_and_writes_nothing(void **state)
{
	struct env *e = *state;
	struct field_errors fe = { 0 };
	struct signup_request in = { "not-an-address", "", "short", "fr" };
	assert_int_equal(accounts_signup(e->db, &in, &fe), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "email"), "accounts.field.email_invalid");
	assert_string_equal(field_error_get(&fe, "display_name"), "accounts.field.name_invalid");
	assert_string_equal(field_error_get(&fe, "password"), "accounts.field.password_short");

	char long_name[100];
	memset(long_name, 'n', 81);
	long_name[81] = 0;
	memset(&fe, 0, sizeof(fe));
	struct signup_request in2 = { "a@example.org", long_name, "azertyuiop", "fr" };
	assert_int_equal(accounts_signup(e->db, &in2, &fe), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "display_name"), "accounts.field.name_invalid");
	assert_string_equal(field_error_get(&fe, "password"), "accounts.field.password_common");
	assert_null(field_error_get(&fe, "email"));
	assert_int_equal(scalar(e->db, &Q_ACCOUNTS, NULL), 0);
	assert_int_equal(mails(e), 0);
}

static void test_password_rules_length_bytes_and_common_passwords(void **state)
{
	(void)state;
	char p129[130];
	memset(p129, 'x', 129);
	p129[128] = 'y';
	p129[129] = 0;
	assert_string_equal(accounts_password_problem(p129, NULL), "accounts.field.password_long");
	assert_string_equal(accounts_password_problem("123456789", NULL),
			    "accounts.field.password_short");
	/* Ten characters, though more bytes: accents count once. */
	assert_null(accounts_password_problem("éléphant b", NULL));
	assert_string_equal(accounts_password_problem("éléphant", NULL),
			    "accounts.field.password_short");
	const char *common[] = { "1234567890", "AZERTYUIOP", "motdepasse123", "aaaaaaaaaaaa",
				 "abcdefghijkl", "9876543210", "abcabcabcabc", NULL };
	for (int i = 0; common[i]; i++)
		assert_string_equal(accounts_password_problem(common[i], NULL),
				    "accounts.field.password_common");
	assert_string_equal(accounts_password_problem("jean.martin@example.org",
						      "Jean.Martin@example.org"),
			    "accounts.field.password_common");
	assert_null(accounts_password_problem(PW, "jean@example.org"));
	assert_string_equal(accounts_password_problem("", NULL), "accounts.field.required");
}

/* INVARIANT(single-use-link) */
static void test_verify_link_works_once_then_is_invalid(void **state)
{
	struct env *e = *state;
	signup(e, "lea@example.org", "Léa", "fr");
	const char *t = link_token(e, last_mail(e).body, "/compte/verifier");
	/* Checking the link (the GET page) does not use it up. */
	assert_int_equal(accounts_link_check(e->db, e->a, LINK_VERIFY, t, NULL), KQ_OK);
	assert_int_equal(accounts_link_check(e->db, e->a, LINK_VERIFY, t, NULL), KQ_OK);
	/* A verification token is not a reset token. */
	assert_int_equal(accounts_link_check(e->db, e->a, LINK_RESET, t, NULL),
			 KQ_ERR_AUTH_LINK_INVALID);
	int64_t id = 0;
	assert_int_equal(accounts_verify(e->db, t, &id), KQ_OK);
	assert_true(id > 0);
	assert_int_equal(scalar(e->db, &Q_VERIFIED, "lea@example.org"), 1);
	assert_int_equal(accounts_verify(e->db, t, NULL), KQ_ERR_AUTH_LINK_INVALID);
	assert_int_equal(accounts_link_check(e->db, e->a, LINK_VERIFY, t, NULL),
			 KQ_ERR_AUTH_LINK_INVALID);
	assert_int_equal(accounts_verify(e->db, "nonsense", NULL), KQ_ERR_AUTH_LINK_INVALID);
	assert_int_equal(accounts_verify(e->db, NULL, NULL), KQ_ERR_AUTH_LINK_INVALID);
}

static void test_verify_link_expires_after_48_hours(void **state)
{
	struct env *e = *state;
	signup(e, "old@example.org", "Old", "fr");
	const char *t = link_token(e, last_mail(e).body, "/compte/verifier");
	tl_set_clock(ACCOUNTS_VERIFY_TTL - 60);
	assert_int_equal(accounts_link_check(e->db, e->a, LINK_VERIFY, t, NULL), KQ_OK);
	tl_set_clock(ACCOUNTS_VERIFY_TTL + 1);
	assert_int_equal(accounts_verify(e->db, t, NULL), KQ_ERR_AUTH_LINK_INVALID);
	assert_int_equal(scalar(e->db, &Q_VERIFIED, "old@example.org"), 0);
}

static void test_resend_verification_sends_at_most_every_ten_minutes(void **state)
{
	struct env *e = *state;
	struct field_errors fe = { 0 };
	signup(e, "slow@example.org", "Slow", "fr");
	assert_int_equal(mails(e), 1);
	assert_int_equal(accounts_verify_resend(e->db, "slow@example.org", &fe), KQ_OK);
	assert_int_equal(mails(e), 1);
	tl_set_clock(ACCOUNTS_RESEND_INTERVAL + 1);
	assert_int_equal(accounts_verify_resend(e->db, "SLOW@example.org", &fe), KQ_OK);
	assert_int_equal(mails(e), 2);
	/* Unknown address: same answer, no mail. */
	assert_int_equal(accounts_verify_resend(e->db, "nobody@example.org", &fe), KQ_OK);
	assert_int_equal(mails(e), 2);
	assert_int_equal(accounts_verify_resend(e->db, "bad", &fe), KQ_ERR_FORM_INVALID);
	/* Both links work (each once). */
	assert_int_equal(accounts_verify(e->db, link_token(e, mail_at(e, 1).body, "/compte/verifier"),
					 NULL), KQ_OK);
}

/* ---- log-in and throttling ------------------------------------------------------------------ */

static void test_login_wrong_password_and_unknown_email_give_the_same_refusal(void **state)
{
	struct env *e = *state;
	struct actor who;
	char tok[TOKEN_HEX_LEN + 1];
	verified(e, "anne@example.org", "Anne");
	assert_int_equal(login(e, "anne@example.org", "wrong password!", NULL, &who, tok),
			 KQ_ERR_AUTH_BAD_CREDENTIALS);
	assert_int_equal(login(e, "ghost@example.org", "wrong password!", NULL, &who, tok),
			 KQ_ERR_AUTH_BAD_CREDENTIALS);
	assert_int_equal(who.account_id, 0);
	assert_int_equal(tok[0], 0);
	assert_int_equal(scalar(e->db, &Q_SESSIONS, NULL), 0);
	/* Empty fields are field errors, not a credential check. */
	struct field_errors fe = { 0 };
	struct login_request in = { "", "", NULL, NULL };
	assert_int_equal(accounts_login(e->db, &in, e->a, &fe, &who, tok), KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "email"));
	assert_non_null(field_error_get(&fe, "password"));
}

static void test_login_success_opens_a_new_session_each_time(void **state)
{
	struct env *e = *state;
	struct actor who;
	char t1[TOKEN_HEX_LEN + 1], t2[TOKEN_HEX_LEN + 1];
	verified(e, "Bob@Example.org", "Bob");
	assert_int_equal(login(e, " bob@example.ORG ", PW, "10.0.0.1", &who, t1), KQ_OK);
	assert_true(who.account_id > 0);
	assert_string_equal(who.email, "Bob@Example.org");
	assert_string_equal(who.display_name, "Bob");
	assert_true(who.is_verified);
	assert_int_equal(login(e, "bob@example.org", PW, "10.0.0.1", &who, t2), KQ_OK);
	assert_string_not_equal(t1, t2);
	assert_true(session_alive(e, t1));
	assert_true(session_alive(e, t2));
}

/* INVARIANT(login-throttle) */
static void test_login_throttles_after_five_failures_even_with_right_password(void **state)
{
	struct env *e = *state;
	struct actor who;
	char tok[TOKEN_HEX_LEN + 1];
	verified(e, "carl@example.org", "Carl");
	for (int i = 0; i < ACCOUNTS_THROTTLE_ACCOUNT; i++)
		assert_int_equal(login(e, "carl@example.org", "not the password", NULL, &who, tok),
				 KQ_ERR_AUTH_BAD_CREDENTIALS);
	assert_int_equal(login(e, "CARL@example.org", PW, NULL, &who, tok), KQ_ERR_AUTH_THROTTLED);
	assert_int_equal(scalar(e->db, &Q_SESSIONS, NULL), 0);
	/* The window is 15 minutes. */
	tl_set_clock(ACCOUNTS_THROTTLE_WINDOW + 1);
	assert_int_equal(login(e, "carl@example.org", PW, NULL, &who, tok), KQ_OK);
}

static void test_login_success_clears_the_account_failures(void **state)
{
	struct env *e = *state;
	struct actor who;
	char tok[TOKEN_HEX_LEN + 1];
	verified(e, "dina@example.org", "Dina");
	for (int i = 0; i < ACCOUNTS_THROTTLE_ACCOUNT - 1; i++)
		assert_int_equal(login(e, "dina@example.org", "not the password", NULL, &who, tok),
				 KQ_ERR_AUTH_BAD_CREDENTIALS);
	assert_int_equal(scalar(e->db, &Q_FAILURES, "acct:dina@example.org"),
			 ACCOUNTS_THROTTLE_ACCOUNT - 1);
	assert_int_equal(login(e, "dina@example.org", PW, NULL, &who, tok), KQ_OK);
	assert_int_equal(scalar(e->db, &Q_FAILURES, "acct:dina@example.org"), 0);
	/* So four more failures do not lock the owner out. */
	for (int i = 0; i < ACCOUNTS_THROTTLE_ACCOUNT - 1; i++)
		assert_int_equal(login(e, "dina@example.org", "not the password", NULL, &who, tok),
				 KQ_ERR_AUTH_BAD_CREDENTIALS);
	assert_int_equal(login(e, "dina@example.org", PW, NULL, &who, tok), KQ_OK);
}

/* INVARIANT(login-throttle) */
static void test_login_throttles_an_address_after_thirty_failures(void **state)
{
	struct env *e = *state;
	struct actor who;
	char tok[TOKEN_HEX_LEN + 1];
	verified(e, "eve@example.org", "Eve");
	/* Many accounts tried from one address: each account stays under its limit. */
	for (int i = 0; i < ACCOUNTS_THROTTLE_ADDR; i++) {
		const char *email = arena_printf(e->a, "guess%d@example.org", i);
		assert_int_equal(login(e, email, "not the password", "192.0.2.7", &who, tok),
				 KQ_ERR_AUTH_BAD_CREDENTIALS);
	}
	assert_int_equal(login(e, "eve@example.org", PW, "192.0.2.7", &who, tok),
			 KQ_ERR_AUTH_THROTTLED);
	/* Another address is not affected. */
	assert_int_equal(login(e, "eve@example.org", PW, "192.0.2.8", &who, tok), KQ_OK);
}

static void test_login_unverified_is_refused_and_resends_at_most_every_ten_minutes(void **state)
{
	struct env *e = *state;
	struct actor who;
	char tok[TOKEN_HEX_LEN + 1];
	signup(e, "fred@example.org", "Fred", "fr");
	assert_int_equal(mails(e), 1);
	assert_int_equal(login(e, "fred@example.org", PW, NULL, &who, tok), KQ_ERR_AUTH_UNVERIFIED);
	assert_int_equal(mails(e), 1);   /* the sign-up link is less than 10 minutes old */
	tl_set_clock(ACCOUNTS_RESEND_INTERVAL + 5);
	assert_int_equal(login(e, "fred@example.org", PW, NULL, &who, tok), KQ_ERR_AUTH_UNVERIFIED);
	assert_int_equal(mails(e), 2);
	assert_int_equal(login(e, "fred@example.org", PW, NULL, &who, tok), KQ_ERR_AUTH_UNVERIFIED);
	assert_int_equal(mails(e), 2);
	/* A wrong password says nothing about verification. */
	assert_int_equal(login(e, "fred@example.org", "not the password", NULL, &who, tok),
			 KQ_ERR_AUTH_BAD_CREDENTIALS);
	assert_int_equal(accounts_verify(e->db, link_token(e, last_mail(e).body, "/compte/verifier"),
					 NULL), KQ_OK);
	assert_int_equal(login(e, "fred@example.org", PW, NULL, &who, tok), KQ_OK);
}

static void test_login_suspended_account_is_refused(void **state)
{
	struct env *e = *state;
	struct actor who;
	char tok[TOKEN_HEX_LEN + 1];
	verified(e, "gus@example.org", "Gus");
	assert_int_equal(db_exec(e->db, "UPDATE accounts SET suspended_at = 1"), DB_NONE);
	assert_int_equal(login(e, "gus@example.org", PW, NULL, &who, tok), KQ_ERR_AUTH_SUSPENDED);
	assert_int_equal(login(e, "gus@example.org", "not the password", NULL, &who, tok),
			 KQ_ERR_AUTH_BAD_CREDENTIALS);
	assert_int_equal(scalar(e->db, &Q_SESSIONS, NULL), 0);
}

/* ---- password reset ------------------------------------------------------------------------- */

/* INVARIANT(single-use-link), INVARIANT(reset-ends-sessions) */
static void test_reset_link_is_single_use_and_ends_every_session(void **state)
{
	struct env *e = *state;
	struct actor who;
	char s1[TOKEN_HEX_LEN + 1], s2[TOKEN_HEX_LEN + 1];
	struct field_errors fe = { 0 };
	verified(e, "hugo@example.org", "Hugo");
	assert_int_equal(login(e, "hugo@example.org", PW, NULL, &who, s1), KQ_OK);
	assert_int_equal(login(e, "hugo@example.org", PW, NULL, &who, s2), KQ_OK);
	/* Throttled by a stranger: the reset lets the owner in again. */
	for (int i = 0; i < ACCOUNTS_THROTTLE_ACCOUNT; i++)
		assert_int_equal(login(e, "hugo@example.org", "not the password", NULL, &who, s1),
				 KQ_ERR_AUTH_BAD_CREDENTIALS);

	assert_int_equal(accounts_reset_request(e->db, "Hugo@example.org", &fe), KQ_OK);
	struct mail m = last_mail(e);
	assert_string_equal(m.to, "hugo@example.org");
	assert_string_equal(m.subject, i18n_get("fr", "mail.accounts.reset.subject"));
	const char *t = link_token(e, m.body, "/mot-de-passe/nouveau");
	assert_int_equal(accounts_link_check(e->db, e->a, LINK_RESET, t, NULL), KQ_OK);

	/* A refused new password leaves the link usable. */
	assert_int_equal(accounts_reset(e->db, t, "short", &fe, NULL), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "new_password"), "accounts.field.password_short");
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(accounts_reset(e->db, t, PW2, &fe, NULL), KQ_OK);
	assert_int_equal(scalar(e->db, &Q_SESSIONS, NULL), 0);
	assert_false(session_alive(e, s2));
	assert_int_equal(accounts_reset(e->db, t, "yet another password", &fe, NULL),
			 KQ_ERR_AUTH_LINK_INVALID);
	assert_int_equal(login(e, "hugo@example.org", PW, NULL, &who, s1),
			 KQ_ERR_AUTH_BAD_CREDENTIALS);
	assert_int_equal(login(e, "hugo@example.org", PW2, NULL, &who, s1), KQ_OK);
}

static void test_reset_link_expires_after_one_hour(void **state)
{
	struct env *e = *state;
	struct field_errors fe = { 0 };
	verified(e, "ines@example.org", "Inès");
	assert_int_equal(accounts_reset_request(e->db, "ines@example.org", &fe), KQ_OK);
	const char *t = link_token(e, last_mail(e).body, "/mot-de-passe/nouveau");
	tl_set_clock(ACCOUNTS_RESET_TTL + 1);
	assert_int_equal(accounts_link_check(e->db, e->a, LINK_RESET, t, NULL),
			 KQ_ERR_AUTH_LINK_INVALID);
	assert_int_equal(accounts_reset(e->db, t, PW2, &fe, NULL), KQ_ERR_AUTH_LINK_INVALID);
	struct actor who;
	char tok[TOKEN_HEX_LEN + 1];
	assert_int_equal(login(e, "ines@example.org", PW, NULL, &who, tok), KQ_OK);
}

static void test_reset_request_answers_the_same_for_unknown_address_and_sends_nothing(void **state)
{
	struct env *e = *state;
	struct field_errors fe = { 0 };
	assert_int_equal(accounts_reset_request(e->db, "nobody@example.org", &fe), KQ_OK);
	assert_int_equal(mails(e), 0);
	assert_int_equal(accounts_reset_request(e->db, "not an address", &fe), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "email"), "accounts.field.email_invalid");
	/* A second request right after sends no second mail (mailbox flooding). */
	verified(e, "jo@example.org", "Jo");
	int64_t before = mails(e);
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(accounts_reset_request(e->db, "jo@example.org", &fe), KQ_OK);
	assert_int_equal(accounts_reset_request(e->db, "jo@example.org", &fe), KQ_OK);
	assert_int_equal(mails(e), before + 1);
}


struct racer {
	const char *url, *token;
	enum kq_err result;
	pthread_barrier_t *start;
};

static void *race_reset(void *arg)
{
	struct racer *r = arg;
	char err[256];
	struct field_errors fe = { 0 };
	struct db *db = db_open(r->url, err, sizeof(err));
	pthread_barrier_wait(r->start);
	r->result = db ? accounts_reset(db, r->token, PW2, &fe, NULL) : KQ_ERR_INTERNAL;
	db_close(db);
	return NULL;
}

/* INVARIANT(single-use-link): under contention too. */
static void test_reset_link_used_by_many_at_once_works_exactly_once(void **state)
{
	struct env *e = *state;
	enum { N = 6 };
	struct field_errors fe = { 0 };
	verified(e, "race.reset@example.org", "Racer");
	assert_int_equal(accounts_reset_request(e->db, "race.reset@example.org", &fe), KQ_OK);
	const char *t = link_token(e, last_mail(e).body, "/mot-de-passe/nouveau");
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, N);
	pthread_t th[N];
	struct racer r[N];
	for (int i = 0; i < N; i++) {
		r[i] = (struct racer){ e->url, t, KQ_ERR__COUNT, &start };
		assert_int_equal(pthread_create(&th[i], NULL, race_reset, &r[i]), 0);
	}
	int ok = 0, invalid = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		ok += r[i].result == KQ_OK;
		invalid += r[i].result == KQ_ERR_AUTH_LINK_INVALID;
	}
	pthread_barrier_destroy(&start);
	assert_int_equal(ok, 1);
	assert_int_equal(invalid, N - 1);
}

/* ---- changes by the owner ------------------------------------------------------------------- */

static void test_password_change_needs_the_current_password_and_keeps_only_this_session(void **state)
{
	struct env *e = *state;
	struct actor who, other;
	char mine[TOKEN_HEX_LEN + 1], theirs[TOKEN_HEX_LEN + 1];
	struct field_errors fe = { 0 };
	verified(e, "kim@example.org", "Kim");
	assert_int_equal(login(e, "kim@example.org", PW, NULL, &who, mine), KQ_OK);
	assert_int_equal(login(e, "kim@example.org", PW, NULL, &other, theirs), KQ_OK);
	int64_t before = mails(e);

	assert_int_equal(accounts_password_change(e->db, &who, mine, "wrong current pw", PW2, &fe),
			 KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "current_password"),
			    "accounts.field.password_wrong");
	assert_true(session_alive(e, theirs));
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(accounts_password_change(e->db, &who, mine, PW, "1234567890", &fe),
			 KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "new_password"), "accounts.field.password_common");
	assert_int_equal(mails(e), before);

	memset(&fe, 0, sizeof(fe));
	assert_int_equal(accounts_password_change(e->db, &who, mine, PW, PW2, &fe), KQ_OK);
	assert_true(session_alive(e, mine));
	assert_false(session_alive(e, theirs));
	assert_int_equal(mails(e), before + 1);
	assert_string_equal(last_mail(e).subject,
			    i18n_get("fr", "mail.accounts.password_changed.subject"));
	assert_int_equal(login(e, "kim@example.org", PW, NULL, &other, theirs),
			 KQ_ERR_AUTH_BAD_CREDENTIALS);
	assert_int_equal(login(e, "kim@example.org", PW2, NULL, &other, theirs), KQ_OK);
	struct actor nobody = { 0 };
	assert_int_equal(accounts_password_change(e->db, &nobody, NULL, PW, PW2, &fe),
			 KQ_ERR_AUTH_REQUIRED);
}

static void test_password_change_kills_reset_links_sent_before(void **state)
{
	struct env *e = *state;
	struct actor who;
	char s[TOKEN_HEX_LEN + 1];
	struct field_errors fe = { 0 };
	verified(e, "lou@example.org", "Lou");
	assert_int_equal(accounts_reset_request(e->db, "lou@example.org", &fe), KQ_OK);
	const char *t = link_token(e, last_mail(e).body, "/mot-de-passe/nouveau");
	assert_int_equal(login(e, "lou@example.org", PW, NULL, &who, s), KQ_OK);
	assert_int_equal(accounts_password_change(e->db, &who, s, PW, PW2, &fe), KQ_OK);
	assert_int_equal(accounts_reset(e->db, t, "a third good password", &fe, NULL),
			 KQ_ERR_AUTH_LINK_INVALID);
}

static void test_email_change_mails_a_link_to_the_new_address_and_a_notice_to_the_old(void **state)
{
	struct env *e = *state;
	struct actor who;
	char s[TOKEN_HEX_LEN + 1];
	struct field_errors fe = { 0 };
	verified(e, "max@example.org", "Max");
	assert_int_equal(login(e, "max@example.org", PW, NULL, &who, s), KQ_OK);
	int64_t before = mails(e);

	assert_int_equal(accounts_email_change_request(e->db, &who, "wrong password!",
						       "max@new.example", &fe),
			 KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "password"), "accounts.field.password_wrong");
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(accounts_email_change_request(e->db, &who, PW, "MAX@example.org", &fe),
			 KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "new_email"), "accounts.field.email_same");
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(accounts_email_change_request(e->db, &who, PW, "bad", &fe),
			 KQ_ERR_FORM_INVALID);
	assert_int_equal(mails(e), before);

	memset(&fe, 0, sizeof(fe));
	assert_int_equal(accounts_email_change_request(e->db, &who, PW, " Max@New.example ", &fe),
			 KQ_OK);
	assert_int_equal(mails(e), before + 2);
	struct mail link_mail = mail_at(e, (int)before);
	struct mail notice = mail_at(e, (int)before + 1);
	assert_string_equal(link_mail.to, "Max@New.example");
	assert_string_equal(notice.to, "max@example.org");
	assert_non_null(strstr(notice.body, "Max@New.example"));
	assert_null(strstr(notice.body, "jeton="));
	const char *t = link_token(e, link_mail.body, "/compte/email/confirmer");
	const char *shown = NULL;
	assert_int_equal(accounts_link_check(e->db, e->a, LINK_EMAIL_CHANGE, t, &shown), KQ_OK);
	assert_string_equal(shown, "Max@New.example");
	/* Nothing changed until the link is used. */
	assert_int_equal(login(e, "max@example.org", PW, NULL, &who, s), KQ_OK);

	int64_t id = 0;
	assert_int_equal(accounts_email_change_confirm(e->db, t, &id), KQ_OK);
	assert_int_equal(id, who.account_id);
	assert_int_equal(accounts_email_change_confirm(e->db, t, NULL), KQ_ERR_AUTH_LINK_INVALID);
	assert_int_equal(login(e, "max@example.org", PW, NULL, &who, s),
			 KQ_ERR_AUTH_BAD_CREDENTIALS);
	assert_int_equal(login(e, "max@new.example", PW, NULL, &who, s), KQ_OK);
	assert_string_equal(who.email, "Max@New.example");
	assert_int_equal(scalar(e->db, &Q_VERIFIED, "max@new.example"), 1);
}

static void test_email_change_link_expires_after_24_hours(void **state)
{
	struct env *e = *state;
	struct actor who;
	char s[TOKEN_HEX_LEN + 1];
	struct field_errors fe = { 0 };
	verified(e, "nat@example.org", "Nat");
	assert_int_equal(login(e, "nat@example.org", PW, NULL, &who, s), KQ_OK);
	assert_int_equal(accounts_email_change_request(e->db, &who, PW, "nat@new.example", &fe),
			 KQ_OK);
	const char *t = link_token(e, mail_at(e, (int)mails(e) - 2).body, "/compte/email/confirmer");
	tl_set_clock(ACCOUNTS_EMAIL_CHANGE_TTL + 1);
	assert_int_equal(accounts_email_change_confirm(e->db, t, NULL), KQ_ERR_AUTH_LINK_INVALID);
}

static void test_email_change_to_a_taken_address_sends_no_link_and_tells_its_owner(void **state)
{
	struct env *e = *state;
	struct actor who;
	char s[TOKEN_HEX_LEN + 1];
	struct field_errors fe = { 0 };
	verified(e, "olga@example.org", "Olga");
	verified(e, "taken@example.org", "Taken");
	assert_int_equal(login(e, "olga@example.org", PW, NULL, &who, s), KQ_OK);
	int64_t before = mails(e);
	assert_int_equal(accounts_email_change_request(e->db, &who, PW, "Taken@example.org", &fe),
			 KQ_OK);
	assert_int_equal(mails(e), before + 2);
	struct mail to_owner = mail_at(e, (int)before);
	assert_string_equal(to_owner.to, "taken@example.org");
	assert_null(strstr(to_owner.body, "jeton="));
	assert_string_equal(mail_at(e, (int)before + 1).to, "olga@example.org");
}

static void test_email_change_link_fails_when_the_address_was_taken_meanwhile(void **state)
{
	struct env *e = *state;
	struct actor who;
	char s[TOKEN_HEX_LEN + 1];
	struct field_errors fe = { 0 };
	verified(e, "pia@example.org", "Pia");
	assert_int_equal(login(e, "pia@example.org", PW, NULL, &who, s), KQ_OK);
	assert_int_equal(accounts_email_change_request(e->db, &who, PW, "race@example.org", &fe),
			 KQ_OK);
	const char *t = link_token(e, mail_at(e, (int)mails(e) - 2).body, "/compte/email/confirmer");
	verified(e, "race@example.org", "Racer");
	assert_int_equal(accounts_email_change_confirm(e->db, t, NULL), KQ_ERR_AUTH_LINK_INVALID);
	assert_int_equal(login(e, "pia@example.org", PW, NULL, &who, s), KQ_OK);
}

static void test_language_is_kept_and_used_for_mails(void **state)
{
	struct env *e = *state;
	struct actor who;
	char s[TOKEN_HEX_LEN + 1];
	struct field_errors fe = { 0 };
	signup(e, "quinn@example.org", "Quinn", "en");
	assert_string_equal(last_mail(e).subject, i18n_get("en", "mail.accounts.verify.subject"));
	assert_non_null(strstr(last_mail(e).body, "Hello Quinn,"));
	assert_int_equal(accounts_verify(e->db, link_token(e, last_mail(e).body, "/compte/verifier"),
					 NULL), KQ_OK);
	assert_int_equal(login(e, "quinn@example.org", PW, NULL, &who, s), KQ_OK);
	assert_string_equal(who.lang, "en");
	assert_int_equal(accounts_set_lang(e->db, &who, "de"), KQ_ERR_FORM_INVALID);
	assert_int_equal(accounts_set_lang(e->db, &who, "fr"), KQ_OK);
	assert_int_equal(accounts_reset_request(e->db, "quinn@example.org", &fe), KQ_OK);
	assert_string_equal(last_mail(e).subject, i18n_get("fr", "mail.accounts.reset.subject"));
}

/* ---- administration and loading ------------------------------------------------------------- */

static void test_admin_create_makes_a_verified_admin_with_a_day_long_reset_link(void **state)
{
	struct env *e = *state;
	const char *link = NULL;
	struct field_errors fe = { 0 };
	assert_int_equal(accounts_admin_create(e->db, e->a, "Mairie.Admin@example.org", &link),
			 KQ_OK);
	assert_non_null(link);
	assert_true(str_starts(link, BASE_URL "/mot-de-passe/nouveau?jeton="));
	assert_int_equal(scalar(e->db, &Q_ROLE_ADMIN, "mairie.admin@example.org"), 1);
	assert_int_equal(mails(e), 0);
	const char *t = link + strlen(BASE_URL "/mot-de-passe/nouveau?jeton=");
	tl_set_clock(ACCOUNTS_ADMIN_RESET_TTL - 60);
	assert_int_equal(accounts_reset(e->db, t, PW2, &fe, NULL), KQ_OK);
	struct actor who;
	char s[TOKEN_HEX_LEN + 1];
	assert_int_equal(login(e, "mairie.admin@example.org", PW2, NULL, &who, s), KQ_OK);
	assert_string_equal(who.display_name, "Mairie.Admin");
	assert_true(actor_is_admin(&who));

	/* An existing account is promoted, not duplicated, and keeps its password. */
	tl_set_clock(0);
	verified(e, "citizen@example.org", "Citizen");
	assert_int_equal(accounts_admin_create(e->db, e->a, "citizen@example.org", &link), KQ_OK);
	assert_int_equal(scalar(e->db, &Q_ACCOUNTS, NULL), 2);
	assert_int_equal(scalar(e->db, &Q_ROLE_ADMIN, "citizen@example.org"), 1);
	assert_int_equal(login(e, "citizen@example.org", PW, NULL, &who, s), KQ_OK);
	assert_int_equal(accounts_admin_create(e->db, e->a, "not-an-address", &link),
			 KQ_ERR_FORM_INVALID);
}

struct two_accounts {
	int64_t ids[2];
	enum kq_err errs[2];
	const char *hash;
};

static enum db_status two_accounts_txn(struct db *db, void *cls)
{
	struct two_accounts *c = cls;
	assert_true(db_in_txn(db));
	c->errs[0] = accounts_create_verified(db, "demo1@example.org", "Demo One", c->hash, "",
					      &c->ids[0]);
	c->errs[1] = accounts_create_verified(db, "demo2@example.org", "Demo Two", c->hash,
					      "moderator", &c->ids[1]);
	return DB_HARD;   /* roll back: both must disappear with the caller's transaction */
}

static void test_create_verified_joins_the_callers_transaction(void **state)
{
	struct env *e = *state;
	char hash[PASSWORD_HASH_MAX];
	assert_true(crypto_password_hash(PW, hash));
	struct two_accounts c = { { 0, 0 }, { KQ_OK, KQ_OK }, hash };
	assert_int_equal(db_txn_run(e->db, "ut_two", DB_WRITE, two_accounts_txn, &c), DB_HARD);
	assert_int_equal(c.errs[0], KQ_OK);
	assert_int_equal(c.errs[1], KQ_OK);
	assert_true(c.ids[0] > 0 && c.ids[1] > c.ids[0]);
	assert_int_equal(scalar(e->db, &Q_ACCOUNTS, NULL), 0);

	/* On its own it commits, and refuses a taken address or a bad role. */
	int64_t id;
	assert_int_equal(accounts_create_verified(e->db, "demo1@example.org", "Demo", hash, NULL, &id),
			 KQ_OK);
	assert_int_equal(accounts_create_verified(e->db, "DEMO1@example.org", "Demo", hash, "", &id),
			 KQ_ERR_ACCOUNTS_EMAIL_TAKEN);
	assert_int_equal(accounts_create_verified(e->db, "x@example.org", "X", hash, "king", &id),
			 KQ_ERR_FORM_INVALID);
	struct actor who;
	char s[TOKEN_HEX_LEN + 1];
	assert_int_equal(login(e, "demo1@example.org", PW, NULL, &who, s), KQ_OK);
}

/* ---- API tokens ------------------------------------------------------------------------------- */

static void test_apitokens_create_list_authenticate_and_revoke(void **state)
{
	struct env *e = *state;
	struct actor who, via;
	char s[TOKEN_HEX_LEN + 1];
	struct field_errors fe = { 0 };
	verified(e, "rita@example.org", "Rita");
	assert_int_equal(login(e, "rita@example.org", PW, NULL, &who, s), KQ_OK);

	const char *tok = NULL;
	assert_int_equal(apitokens_create(e->db, &who, "   ", e->a, &fe, &tok), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "name"), "apitokens.field.name_invalid");
	assert_null(tok);
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(apitokens_create(e->db, &who, "agenda app", e->a, &fe, &tok), KQ_OK);
	assert_int_equal(strlen(tok), 3 + TOKEN_HEX_LEN);
	assert_true(str_starts(tok, "kq_"));
	const char *tok2 = NULL;
	assert_int_equal(apitokens_create(e->db, &who, "second", e->a, &fe, &tok2), KQ_OK);

	struct api_token *list;
	int n;
	assert_int_equal(apitokens_list(e->db, &who, e->a, &list, &n), KQ_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "second");   /* newest first */
	assert_string_equal(list[1].name, "agenda app");
	assert_memory_equal(list[1].prefix, tok + 3, 8);
	assert_int_equal(strlen(list[1].prefix), 8);
	assert_int_equal(list[1].last_used_at, 0);

	assert_int_equal(apitokens_authenticate(e->db, e->a, tok, &via), KQ_OK);
	assert_int_equal(via.account_id, who.account_id);
	assert_string_equal(via.email, "rita@example.org");
	int64_t used = scalar(e->db, &Q_TOKEN_USED_AT, NULL);
	assert_true(used > 0);
	/* A second use within 10 minutes writes nothing. */
	tl_set_clock(60);
	assert_int_equal(apitokens_authenticate(e->db, e->a, tok, &via), KQ_OK);
	assert_int_equal(scalar(e->db, &Q_TOKEN_USED_AT, NULL), used);
	tl_set_clock(0);

	assert_int_equal(apitokens_authenticate(e->db, e->a, "kq_nonsense", &via),
			 KQ_ERR_AUTH_TOKEN_INVALID);
	assert_int_equal(apitokens_authenticate(e->db, e->a, tok + 3, &via),
			 KQ_ERR_AUTH_TOKEN_INVALID);
	assert_int_equal(apitokens_authenticate(e->db, e->a, s, &via), KQ_ERR_AUTH_TOKEN_INVALID);

	assert_int_equal(apitokens_revoke(e->db, &who, list[1].id), KQ_OK);
	assert_int_equal(apitokens_authenticate(e->db, e->a, tok, &via), KQ_ERR_AUTH_TOKEN_INVALID);
	assert_int_equal(apitokens_authenticate(e->db, e->a, tok2, &via), KQ_OK);
	assert_int_equal(apitokens_revoke(e->db, &who, list[1].id), KQ_ERR_NOT_FOUND);
	assert_int_equal(apitokens_list(e->db, &who, e->a, &list, &n), KQ_OK);
	assert_int_equal(n, 1);

	/* A suspended account's tokens stop working. */
	assert_int_equal(db_exec(e->db, "UPDATE accounts SET suspended_at = 1"), DB_NONE);
	assert_int_equal(apitokens_authenticate(e->db, e->a, tok2, &via), KQ_ERR_AUTH_SUSPENDED);
}

/* INVARIANT(token-owner) */
static void test_apitokens_someone_elses_token_cannot_be_revoked(void **state)
{
	struct env *e = *state;
	struct actor sam, tom, via;
	char s[TOKEN_HEX_LEN + 1];
	struct field_errors fe = { 0 };
	verified(e, "sam@example.org", "Sam");
	verified(e, "tom@example.org", "Tom");
	assert_int_equal(login(e, "sam@example.org", PW, NULL, &sam, s), KQ_OK);
	assert_int_equal(login(e, "tom@example.org", PW, NULL, &tom, s), KQ_OK);
	const char *tok;
	assert_int_equal(apitokens_create(e->db, &sam, "sam's", e->a, &fe, &tok), KQ_OK);
	struct api_token *list;
	int n;
	assert_int_equal(apitokens_list(e->db, &sam, e->a, &list, &n), KQ_OK);
	assert_int_equal(n, 1);
	/* Tom sees none of Sam's tokens and gets "not found" for one. */
	struct api_token *tl;
	int tn;
	assert_int_equal(apitokens_list(e->db, &tom, e->a, &tl, &tn), KQ_OK);
	assert_int_equal(tn, 0);
	assert_int_equal(apitokens_revoke(e->db, &tom, list[0].id), KQ_ERR_NOT_FOUND);
	assert_int_equal(apitokens_revoke(e->db, &tom, 999999), KQ_ERR_NOT_FOUND);
	assert_int_equal(apitokens_authenticate(e->db, e->a, tok, &via), KQ_OK);
	assert_int_equal(via.account_id, sam.account_id);
	struct actor nobody = { 0 };
	assert_int_equal(apitokens_revoke(e->db, &nobody, list[0].id), KQ_ERR_AUTH_REQUIRED);
}


/* ---- views -------------------------------------------------------------------------------- */

#define EVIL "<script>\"'&"

/* A request as the dispatcher leaves it for a view, with hostile actor data. */
struct fake {
	struct request req;
	struct web w;
};

static void fake_init(struct fake *f, struct arena *a)
{
	memset(f, 0, sizeof(*f));
	f->req.arena = a;
	f->req.method = "GET";
	f->req.path = "/compte";
	f->req.app = &f->w;
	f->w.lang = "fr";
	f->w.csrf = "c0ffee";
	f->w.actor.account_id = 7;
	f->w.actor.email = EVIL "@example.org";
	f->w.actor.display_name = EVIL;
	f->w.actor.lang = "fr";
}

static void assert_escaped(const char *html)
{
	if (strstr(html, "<script>") || strstr(html, "\"'&"))
		fail_msg("unescaped data in:\n%s", html);
	assert_non_null(strstr(html, "&lt;script&gt;&quot;&#39;&amp;"));
	/* One h1 per page. */
	const char *h = strstr(html, "<h1");
	assert_non_null(h);
	assert_null(strstr(h + 1, "<h1"));
}

static void test_views_escape_every_field_they_render(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct fake f;
	fake_init(&f, a);
	struct field_errors fe = { 0 };
	field_error_add(&fe, "email", "accounts.field.email_invalid");
	struct api_token tokens[] = { { 1, EVIL, EVIL, 1700000000, 0 },
				      { 2, "ok", "abcdefgh", 1700000000, 1700000600 } };
	struct accounts_settings_page pages[] = {
		{ tokens, 2, "kq_" EVIL, NULL, NULL, NULL, NULL },
		{ tokens, 2, NULL, "email", &fe, EVIL, EVIL },
		{ NULL, 0, NULL, "token", &fe, NULL, EVIL },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(pages) + 8; i++) {
		struct buf b = BUF_INIT;
		switch (i) {
		case 0: view_accounts_signup(&b, &f.req, EVIL, EVIL, &fe); break;
		case 1: view_accounts_login(&b, &f.req, EVIL, "/" EVIL, KQ_ERR_AUTH_BAD_CREDENTIALS,
					    NULL); break;
		case 2: view_accounts_reset_request(&b, &f.req, EVIL, &fe); break;
		case 3: view_accounts_reset(&b, &f.req, EVIL, &fe); break;
		case 4: view_accounts_verify(&b, &f.req, EVIL); break;
		case 5: view_accounts_resend(&b, &f.req, EVIL, &fe); break;
		case 6: view_accounts_email_confirm(&b, &f.req, EVIL, EVIL); break;
		case 7: view_accounts_link_invalid(&b, &f.req, LINK_VERIFY); break;
		default: view_accounts_settings(&b, &f.req, &pages[i - 8]); break;
		}
		assert_escaped(buf_str(&b));
		buf_free(&b);
	}
	arena_free(a);
}

static void test_views_never_echo_passwords_and_tie_errors_to_fields(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct fake f;
	fake_init(&f, a);
	struct field_errors fe = { 0 };
	field_error_add(&fe, "password", "accounts.field.password_short");
	struct buf b = BUF_INIT;
	view_accounts_signup(&b, &f.req, "Marie", "marie@example.org", &fe);
	const char *html = buf_str(&b);
	assert_non_null(strstr(html, "name=\"_csrf\" value=\"c0ffee\""));
	assert_non_null(strstr(html, "aria-describedby=\"h-password e-password\""));
	assert_non_null(strstr(html, "id=\"e-password\""));
	assert_non_null(strstr(html, "autocomplete=\"new-password\""));
	assert_non_null(strstr(html, "value=\"marie@example.org\""));
	assert_non_null(strstr(html, "href=\"#f-password\""));
	buf_free(&b);
	/* The account page puts the errors of one form next to that form only. */
	struct field_errors fe2 = { 0 };
	field_error_add(&fe2, "password", "accounts.field.password_wrong");
	struct accounts_settings_page p = { NULL, 0, NULL, "email", &fe2, "new@example.org", NULL };
	view_accounts_settings(&b, &f.req, &p);
	html = buf_str(&b);
	assert_non_null(strstr(html, "id=\"e-password\""));
	assert_null(strstr(html, "id=\"e-current_password\""));
	assert_non_null(strstr(html, "autocomplete=\"current-password\""));
	buf_free(&b);
	arena_free(a);
}

#define T(f) cmocka_unit_test_setup_teardown(f, clean, done)

int main(void)
{
	setenv("KIOSQUE_FAST_HASH", "1", 1);
	if (!crypto_init()) {
		fprintf(stderr, "test_accounts: libsodium failed\n");
		return 1;
	}
	i18n_init();
	time_init();
	struct core_settings cs = { BASE_URL, "Kiosque <no-reply@kiosque.test>" };
	core_init(&cs);

	const struct CMUnitTest rules[] = {
		cmocka_unit_test(test_password_rules_length_bytes_and_common_passwords),
		cmocka_unit_test(test_views_escape_every_field_they_render),
		cmocka_unit_test(test_views_never_echo_passwords_and_tie_errors_to_fields),
	};
	const struct CMUnitTest tests[] = {
		T(test_signup_creates_unverified_account_and_one_verification_mail),
		T(test_signup_with_taken_email_answers_the_same_and_mails_the_owner_instead),
		T(test_signup_refuses_bad_fields_with_field_errors_and_writes_nothing),
		T(test_verify_link_works_once_then_is_invalid),
		T(test_verify_link_expires_after_48_hours),
		T(test_resend_verification_sends_at_most_every_ten_minutes),
		T(test_login_wrong_password_and_unknown_email_give_the_same_refusal),
		T(test_login_success_opens_a_new_session_each_time),
		T(test_login_throttles_after_five_failures_even_with_right_password),
		T(test_login_success_clears_the_account_failures),
		T(test_login_throttles_an_address_after_thirty_failures),
		T(test_login_unverified_is_refused_and_resends_at_most_every_ten_minutes),
		T(test_login_suspended_account_is_refused),
		T(test_reset_link_is_single_use_and_ends_every_session),
		T(test_reset_link_expires_after_one_hour),
		T(test_reset_request_answers_the_same_for_unknown_address_and_sends_nothing),
		T(test_reset_link_used_by_many_at_once_works_exactly_once),
		T(test_password_change_needs_the_current_password_and_keeps_only_this_session),
		T(test_password_change_kills_reset_links_sent_before),
		T(test_email_change_mails_a_link_to_the_new_address_and_a_notice_to_the_old),
		T(test_email_change_link_expires_after_24_hours),
		T(test_email_change_to_a_taken_address_sends_no_link_and_tells_its_owner),
		T(test_email_change_link_fails_when_the_address_was_taken_meanwhile),
		T(test_language_is_kept_and_used_for_mails),
		T(test_admin_create_makes_a_verified_admin_with_a_day_long_reset_link),
		T(test_create_verified_joins_the_callers_transaction),
		T(test_apitokens_create_list_authenticate_and_revoke),
		T(test_apitokens_someone_elses_token_cannot_be_revoked),
	};
	int failed = 0;
	TL_RUN_GROUP(failed, "accounts/nodb", rules, NULL, NULL);
	TL_RUN_GROUP_BOTH(failed, "accounts", tests, setup_sqlite, setup_pg, teardown);
	return TL_EXIT(failed);
}
