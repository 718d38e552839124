-- 0029: the home timeline (core/feed.c): one row per follower and post of what they follow, written
-- when the post is published or the follow is made (fan-out on write, as Mastodon does), so that a
-- person's home feed reads its page from one index instead of seeking every followed organisation's
-- posts. The row carries the post's published_at, the feed's order. Rows of a post that was hidden,
-- unpublished or pinned stay and are filtered when read; deleting the post or the account deletes them.
CREATE TABLE home_timeline (
	account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	published_at BIGINT NOT NULL,
	post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
	PRIMARY KEY (account_id, published_at, post_id)
);
-- Unfollowing and deleting a post find their rows.
CREATE INDEX home_timeline_post ON home_timeline(post_id);

-- What the follows of the database already give.
INSERT INTO home_timeline (account_id, published_at, post_id)
SELECT f.follower_id, p.published_at, p.id FROM follows f JOIN posts p ON p.org_id = f.target_id
WHERE f.target_kind = 'org' AND p.status = 'published' AND p.published_at IS NOT NULL;
INSERT INTO home_timeline (account_id, published_at, post_id)
SELECT f.follower_id, p.published_at, p.id FROM follows f JOIN posts p ON p.author_id = f.target_id
WHERE f.target_kind = 'account' AND p.org_id IS NULL AND p.status = 'published'
AND p.published_at IS NOT NULL;
