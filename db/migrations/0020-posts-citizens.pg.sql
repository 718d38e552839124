-- 0020 (PostgreSQL): citizens post news in their own name (posts.org_id NULL,
-- author_id set), and a post carries up to four images with alt text
-- (post_images), each stored resized by core/uploads.c. (SQLite rebuilds the
-- table for the same change: see the twin file.)
ALTER TABLE posts ALTER COLUMN org_id DROP NOT NULL;
COMMENT ON COLUMN posts.org_id IS
	'The organisation that publishes it; NULL: a citizen''s post, in the name of author_id.';
COMMENT ON COLUMN posts.image_upload_id IS
	'Before 0020: the one image. Moved to post_images by 0020; no longer written.';

-- One person's posts, newest first (their profile page).
CREATE INDEX posts_author ON posts(author_id, status, published_at, id);

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
COMMENT ON TABLE post_images IS 'The images of a post (core/posts.c), at most four, in order.';
COMMENT ON COLUMN post_images.post_id IS 'The post; the rows go with it.';
COMMENT ON COLUMN post_images.position IS '1..4, no gaps: the order shown.';
COMMENT ON COLUMN post_images.upload_id IS
	'The version shown on the post''s page: at most 1200 pixels wide, re-encoded (no metadata kept).';
COMMENT ON COLUMN post_images.thumb_upload_id IS 'The small version of the wall: at most 400 pixels wide.';
COMMENT ON COLUMN post_images.alt IS 'Text alternative of the image, read by screen readers.';
COMMENT ON COLUMN post_images.width IS 'Pixels of upload_id; 0: unknown (an image of before 0020).';
COMMENT ON COLUMN post_images.height IS 'Pixels of upload_id; 0: unknown.';
COMMENT ON COLUMN post_images.thumb_width IS 'Pixels of thumb_upload_id; 0: unknown.';
COMMENT ON COLUMN post_images.thumb_height IS 'Pixels of thumb_upload_id; 0: unknown.';
COMMENT ON COLUMN post_images.created_at IS 'UTC seconds.';

-- The one image a post could have before 0020 becomes its first image.
INSERT INTO post_images (post_id, position, upload_id, thumb_upload_id, alt, created_at)
	SELECT id, 1, image_upload_id, image_upload_id, '', updated_at FROM posts
	WHERE image_upload_id IS NOT NULL;
UPDATE posts SET image_upload_id = NULL WHERE image_upload_id IS NOT NULL;
