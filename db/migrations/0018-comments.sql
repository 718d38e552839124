-- 0018: comments and reactions (core/comments.c).
--
-- A comment belongs to a subject: subject_kind 'post' | 'event' | 'campaign'
-- and subject_id, the row's id in posts, events or campaigns (no foreign key,
-- as the subject may be any of three tables; deleting a subject leaves its
-- comments unreachable, and core never lists them without their subject).
-- parent_id is NULL for a top-level comment; replies are one level deep: a
-- reply to a reply is stored under the top-level comment. body is plain text
-- (1..2000 characters, line breaks kept), checked in core. edited_at: the
-- last edit by its author (NULL: never edited). deleted_at: deleted by its
-- author, a publisher of the subject or a moderator; its body is emptied,
-- and the row is shown as "Commentaire supprimé" only while it has live
-- replies. hidden_at: hidden by a moderator (0017); a hidden comment, and a
-- hidden top-level comment's replies, vanish from every public read.
CREATE TABLE comments (
	id @ID@,
	subject_kind TEXT NOT NULL,
	subject_id BIGINT NOT NULL,
	parent_id BIGINT REFERENCES comments(id) ON DELETE CASCADE,
	author_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	body TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	edited_at BIGINT,
	deleted_at BIGINT,
	hidden_at BIGINT,
	CHECK (subject_kind IN ('post', 'event', 'campaign'))
);
-- The comments of a subject in order: its top-level comments (parent_id IS
-- NULL) oldest first, a page at a time after an id; the count per subject.
CREATE INDEX comments_subject ON comments(subject_kind, subject_id, parent_id, id);
-- The replies of a top-level comment, oldest first.
CREATE INDEX comments_parent ON comments(parent_id, id);
-- One person's comments: the rate limit (the last minute) and their data.
CREATE INDEX comments_author ON comments(author_id, created_at);

-- "J'aime": one kind of reaction, at most one per person and subject.
-- subject_kind: 'post' | 'comment' | 'event' | 'campaign'. Liking twice
-- changes nothing (the primary key); unliking deletes the row.
CREATE TABLE reactions (
	subject_kind TEXT NOT NULL,
	subject_id BIGINT NOT NULL,
	account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (subject_kind, subject_id, account_id),
	CHECK (subject_kind IN ('post', 'comment', 'event', 'campaign'))
);
-- One person's reactions (their data, erasure).
CREATE INDEX reactions_account ON reactions(account_id);
