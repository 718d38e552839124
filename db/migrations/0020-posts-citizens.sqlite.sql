-- 0020 (SQLite): citizens post news in their own name (posts.org_id NULL,
-- author_id set), and a post carries up to four images with alt text
-- (post_images), each stored resized by core/uploads.c.
--
-- SQLite cannot drop a NOT NULL constraint in place, so posts is rebuilt with
-- the documented 12-step procedure (https://sqlite.org/lang_altertable.html
-- section 7), inside this migration's transaction. Two facts of that
-- procedure shape the order below:
-- * PRAGMA foreign_keys cannot be turned off inside a transaction, so with
--   foreign keys on, DROP TABLE posts runs an implicit DELETE whose ON DELETE
--   actions would reach any table holding a foreign key to posts. No table
--   has one when this runs (comments and reactions of 0018 name their
--   subject without a foreign key; post_images is created after the rebuild).
--   A later table that refers to posts must not be added before 0020.
-- * Renaming new_posts to posts re-checks every view and trigger of the
--   schema; the search view is dropped first and made again after, and
--   legacy_alter_table keeps the rename from rewriting other objects.
-- Every column (hidden_at and pinned_at of 0017 included), the rows and their
-- ids (the search index's rowids), the indexes of 0016 and 0019 and the
-- search view and triggers of 0016 are made again exactly.
PRAGMA legacy_alter_table = ON;
DROP VIEW search_posts_src;

CREATE TABLE new_posts (
	id @ID@,
	org_id BIGINT REFERENCES organisations(id) ON DELETE CASCADE,
	slug TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	body_html TEXT NOT NULL DEFAULT '',
	image_upload_id BIGINT REFERENCES uploads(id),
	status TEXT NOT NULL DEFAULT 'draft',
	published_at BIGINT,
	author_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	hidden_at BIGINT,
	pinned_at BIGINT
);
INSERT INTO new_posts (id, org_id, slug, title, body, body_html, image_upload_id, status,
		       published_at, author_id, created_at, updated_at, hidden_at, pinned_at)
	SELECT id, org_id, slug, title, body, body_html, image_upload_id, status,
	       published_at, author_id, created_at, updated_at, hidden_at, pinned_at
	FROM posts;
DROP TABLE posts;
ALTER TABLE new_posts RENAME TO posts;
PRAGMA legacy_alter_table = OFF;

-- 0016
CREATE INDEX posts_wall ON posts(status, published_at, id);
CREATE INDEX posts_org ON posts(org_id, status, published_at, id);
-- 0019
CREATE INDEX posts_feed ON posts(status, published_at, id, org_id, author_id, hidden_at, pinned_at);
CREATE INDEX posts_pinned ON posts(pinned_at) WHERE pinned_at IS NOT NULL;
-- 0020: one person's posts, newest first (their profile page).
CREATE INDEX posts_author ON posts(author_id, status, published_at, id);

-- 0016: the search view and the triggers that keep search_posts (FTS5,
-- external content, untouched by the rebuild) in step with posts.
CREATE VIEW search_posts_src AS
	SELECT p.id AS id, p.title AS title, p.body AS body FROM posts p
	WHERE p.status = 'published';

CREATE TRIGGER search_posts_ai AFTER INSERT ON posts WHEN new.status = 'published' BEGIN
	INSERT INTO search_posts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TRIGGER search_posts_ad AFTER DELETE ON posts WHEN old.status = 'published' BEGIN
	INSERT INTO search_posts (search_posts, rowid, title, body)
		VALUES ('delete', old.id, old.title, old.body);
END;

CREATE TRIGGER search_posts_au AFTER UPDATE OF title, body, status ON posts BEGIN
	INSERT INTO search_posts (search_posts, rowid, title, body)
		SELECT 'delete', old.id, old.title, old.body WHERE old.status = 'published';
	INSERT INTO search_posts (rowid, title, body)
		SELECT new.id, new.title, new.body WHERE new.status = 'published';
END;

-- The images of a post, in order (position 1..4, no gaps). upload_id is the
-- version shown on the post's page (at most 1200 pixels wide), thumb_upload_id
-- the small one of the wall (at most 400); both re-encoded from what was
-- sent, so no metadata of the original (place, camera) is kept. width and
-- height are those of upload_id (0: unknown, for images of before 0020).
-- alt: the text alternative, read by screen readers.
CREATE TABLE post_images (
	id @ID@,
	post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	upload_id BIGINT NOT NULL REFERENCES uploads(id),
	thumb_upload_id BIGINT NOT NULL REFERENCES uploads(id),
	alt TEXT NOT NULL DEFAULT '',
	width INTEGER NOT NULL DEFAULT 0,
	height INTEGER NOT NULL DEFAULT 0,
	thumb_width INTEGER NOT NULL DEFAULT 0,
	thumb_height INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	UNIQUE (post_id, position)
);

-- The one image a post could have before 0020 becomes its first image (the
-- same upload serves as both versions); posts.image_upload_id is kept, empty,
-- so that nothing else reads two places.
INSERT INTO post_images (post_id, position, upload_id, thumb_upload_id, alt, created_at)
	SELECT id, 1, image_upload_id, image_upload_id, '', updated_at FROM posts
	WHERE image_upload_id IS NOT NULL;
UPDATE posts SET image_upload_id = NULL WHERE image_upload_id IS NOT NULL;
