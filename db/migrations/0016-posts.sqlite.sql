-- 0016 (SQLite): news posts of organisations, shown on the wall ("Actualités"), on
-- their own page and on the organisation's page (core/posts.c).
--
-- status: 'draft' | 'published'. A draft is seen only by those who may
-- publish for its organisation. published_at is set the first time a post is
-- published and kept afterwards (a correction does not move it up the wall);
-- it is NULL for a draft never published. body is Markdown as typed;
-- body_html is its rendering by core/markdown.c (cmark, safe mode), made once
-- at save so that pages print it without rendering it again.
CREATE TABLE posts (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	slug TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	body_html TEXT NOT NULL DEFAULT '',
	image_upload_id BIGINT REFERENCES uploads(id),
	status TEXT NOT NULL DEFAULT 'draft',
	published_at BIGINT,
	author_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
-- The wall: published posts, newest first (id breaks ties in the same second).
CREATE INDEX posts_wall ON posts(status, published_at, id);
-- One organisation's published posts, newest first (its page); its drafts too.
CREATE INDEX posts_org ON posts(org_id, status, published_at, id);

-- The search box (core/search.c, as 0015 does for organisations and events):
-- an FTS5 index of published posts, title and body, with external content.
-- Only columns of the post itself are indexed, so that the 'delete' command
-- of a trigger can always give back exactly the indexed values (old.*), even
-- while its organisation is being deleted (ON DELETE CASCADE). Drafts are
-- never in the index: the view leaves them out and the triggers add or remove
-- a post as its status enters or leaves 'published'.
CREATE VIEW search_posts_src AS
	SELECT p.id AS id, p.title AS title, p.body AS body FROM posts p
	WHERE p.status = 'published';

CREATE VIRTUAL TABLE search_posts USING fts5(
	title, body,
	content='search_posts_src', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2', prefix='2 3 4');

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
