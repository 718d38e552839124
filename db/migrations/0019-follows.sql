-- 0019: follows, announcements to followers by mail, one-click unsubscribe
-- (core/follows.c), and the indexes of the home feed (core/feed.c).
--
-- A follow: one account follows an organisation (target_kind 'org') or a
-- person (target_kind 'account'); target_id is organisations.id or
-- accounts.id. notify_by_mail: the follower agreed to get the
-- organisation's announcements by mail (opt-in, per follow; FALSE until
-- they tick it). Following twice keeps one row (follows_once).
CREATE TABLE follows (
	id @ID@,
	follower_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	target_kind TEXT NOT NULL,
	target_id BIGINT NOT NULL,
	notify_by_mail BOOLEAN NOT NULL DEFAULT FALSE,
	created_at BIGINT NOT NULL,
	CHECK (target_kind IN ('org', 'account'))
);
CREATE UNIQUE INDEX follows_once ON follows(follower_id, target_kind, target_id);
-- An organisation's supporters: how many, who opted in (announcements).
CREATE INDEX follows_target ON follows(target_kind, target_id, notify_by_mail);

-- One row per post or event announced to the followers of its organisation
-- (target_kind 'post' | 'event'): announcing the same thing twice finds
-- this row and sends nothing new. recipients: how many mails were queued.
-- title is kept as it was when sent (the supporters page lists them).
CREATE TABLE follow_announcements (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	target_kind TEXT NOT NULL,
	target_id BIGINT NOT NULL,
	title TEXT NOT NULL,
	recipients BIGINT NOT NULL,
	sent_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	created_at BIGINT NOT NULL,
	CHECK (target_kind IN ('post', 'event'))
);
CREATE UNIQUE INDEX follow_announcements_once ON follow_announcements(target_kind, target_id);
CREATE INDEX follow_announcements_org ON follow_announcements(org_id, created_at, id);

-- One-click unsubscribe links (RFC 8058): each announcement mail carries a
-- fresh 256-bit token; only its SHA-256 is kept, so the table does not let
-- anyone build a link. A token turns off notify_by_mail of its one follow;
-- it stays valid (a second click changes nothing) until the follow goes.
CREATE TABLE follow_unsubscribe_tokens (
	token_hash TEXT PRIMARY KEY,
	follow_id BIGINT NOT NULL REFERENCES follows(id) ON DELETE CASCADE,
	created_at BIGINT NOT NULL
);
CREATE INDEX follow_unsubscribe_tokens_follow ON follow_unsubscribe_tokens(follow_id);

-- The territory's public feed walks published posts newest first and skips
-- hidden and pinned ones: with them in the index, a skipped post costs no
-- table read. (A follower's feed seeks posts_org per followed organisation.)
CREATE INDEX posts_feed ON posts(status, published_at, id, org_id, author_id, hidden_at, pinned_at);
-- The territory's highlights: pinned posts, most recently pinned first.
CREATE INDEX posts_pinned ON posts(pinned_at) WHERE pinned_at IS NOT NULL;
