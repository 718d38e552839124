-- 0001: the territory, its communes, accounts, sessions, one-time links, throttling, mail outbox.
-- Times are UTC seconds (BIGINT); booleans are 0/1 integers on both backends.

-- One row: the instance's territory (name, language, time zone).
CREATE TABLE territory (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	name TEXT NOT NULL,
	short_name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	timezone TEXT NOT NULL DEFAULT 'Europe/Paris',
	default_lang TEXT NOT NULL DEFAULT 'fr'
);

-- The communes of the territory; organisations and events point to one.
CREATE TABLE communes (
	id @ID@,
	insee TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	postcode TEXT NOT NULL
);

-- People with an account. email_lower is the identity (case-insensitive).
-- platform_role: '' | 'moderator' | 'admin'.
CREATE TABLE accounts (
	id @ID@,
	email TEXT NOT NULL,
	email_lower TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	email_verified_at BIGINT,
	platform_role TEXT NOT NULL DEFAULT '',
	lang TEXT NOT NULL DEFAULT 'fr',
	suspended_at BIGINT,
	created_at BIGINT NOT NULL
);

-- Log-in sessions: only the SHA-256 of the 256-bit cookie token is kept.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions(account_id);

-- Single-use links sent by mail: purpose 'verify' | 'reset' | 'email_change'.
-- new_email carries the address an email change will set.
CREATE TABLE account_tokens (
	token_hash TEXT PRIMARY KEY,
	account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	purpose TEXT NOT NULL,
	new_email TEXT,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at BIGINT
);
CREATE INDEX account_tokens_account ON account_tokens(account_id, purpose);

-- Personal API tokens for apps (Bearer), stored hashed; prefix shown to recognise one.
CREATE TABLE api_tokens (
	id @ID@,
	account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	prefix TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	last_used_at BIGINT,
	revoked_at BIGINT
);
CREATE INDEX api_tokens_account ON api_tokens(account_id);

-- Failed log-ins, by key ('acct:<email>' or 'ip:<address>'), kept for the throttling window.
CREATE TABLE login_failures (
	id @ID@,
	key TEXT NOT NULL,
	at BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);

-- Mail to send, written in the same transaction as the change that causes it;
-- the mail job delivers it with retries. A lease keeps two processes apart.
CREATE TABLE outbox (
	id @ID@,
	to_addr TEXT NOT NULL,
	subject TEXT NOT NULL,
	body_text TEXT NOT NULL,
	headers TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	next_attempt_at BIGINT NOT NULL,
	lease_until BIGINT NOT NULL DEFAULT 0,
	attempts INTEGER NOT NULL DEFAULT 0,
	sent_at BIGINT,
	failed_at BIGINT,
	last_error TEXT
);
CREATE INDEX outbox_pending ON outbox(sent_at, next_attempt_at);
