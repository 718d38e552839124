-- 0017: moderation (core/moderation.c).
--
-- Content a moderator hides keeps its row (the author and the audit log still
-- refer to it) and gets hidden_at: every public read (pages, feeds, search,
-- API) leaves out rows whose hidden_at is set; restoring sets it back to NULL.
-- Comments carry the same column in their own table.
ALTER TABLE posts ADD COLUMN hidden_at BIGINT;
ALTER TABLE events ADD COLUMN hidden_at BIGINT;
ALTER TABLE organisations ADD COLUMN hidden_at BIGINT;

-- A post a public body pins among the territory's highlights (home feed), from
-- when; NULL: not pinned (core/follows.c and the home feed).
ALTER TABLE posts ADD COLUMN pinned_at BIGINT;

-- A report by a signed-in person on a piece of content. target_kind:
-- 'post' | 'comment' | 'event' | 'organisation'. reason: 'spam' | 'abuse' |
-- 'illegal' | 'false' | 'other'. status: 'open' until a moderator acts
-- ('actioned': the content was hidden; 'dismissed': nothing to do). One open
-- report per person and target: reporting twice changes nothing.
CREATE TABLE reports (
	id @ID@,
	target_kind TEXT NOT NULL,
	target_id BIGINT NOT NULL,
	reporter_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	reason TEXT NOT NULL,
	details TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'open',
	created_at BIGINT NOT NULL,
	closed_at BIGINT,
	closed_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX reports_once ON reports(target_kind, target_id, reporter_id) WHERE status = 'open';
-- The moderators' queue: open reports, oldest first.
CREATE INDEX reports_queue ON reports(status, created_at, id);

-- Every moderation act, never updated nor deleted. action: 'hide' | 'restore' |
-- 'dismiss' | 'suspend' | 'unsuspend'. target_kind adds 'account'.
CREATE TABLE moderation_log (
	id @ID@,
	moderator_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	action TEXT NOT NULL,
	target_kind TEXT NOT NULL,
	target_id BIGINT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL
);
CREATE INDEX moderation_log_target ON moderation_log(target_kind, target_id, id);
