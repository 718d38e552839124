-- 0016 (PostgreSQL): news posts of organisations, shown on the wall ("Actualités"), on
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
-- a tsvector (kq_search: accents and case folded) of title (weight A) and
-- body (D), set by a trigger, with a GIN index of the published posts only.
ALTER TABLE posts ADD COLUMN search_tsv tsvector;
COMMENT ON TABLE posts IS
	'News posts of organisations (core/posts.c): the wall, the post page, the organisation page.';
COMMENT ON COLUMN posts.org_id IS 'The organisation that publishes it.';
COMMENT ON COLUMN posts.slug IS 'From the title, unique, never changed: /actualites/<slug>.';
COMMENT ON COLUMN posts.title IS 'One line, 3 to 140 characters.';
COMMENT ON COLUMN posts.body IS 'Markdown as typed, at most 20,000 characters.';
COMMENT ON COLUMN posts.image_upload_id IS 'Optional image (uploads), deleted with the post.';
COMMENT ON COLUMN posts.status IS 'draft | published.';
COMMENT ON COLUMN posts.author_id IS 'The account that wrote it (personal data: kept while the account lives).';
COMMENT ON COLUMN posts.created_at IS 'UTC seconds.';
COMMENT ON COLUMN posts.updated_at IS 'UTC seconds of the last change.';
COMMENT ON COLUMN posts.body_html IS
	'body rendered by core/markdown.c (cmark, safe mode) at save; printed as it is.';
COMMENT ON COLUMN posts.published_at IS
	'First publication (UTC seconds), kept on later edits; NULL for a draft never published.';
COMMENT ON COLUMN posts.search_tsv IS
	'Search text (kq_search): title A, body D. Set by trigger posts_search.';

CREATE FUNCTION kq_search_post_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.search_tsv :=
		setweight(to_tsvector('kq_search', coalesce(NEW.title, '')), 'A') ||
		setweight(to_tsvector('kq_search', coalesce(NEW.body, '')), 'D');
	RETURN NEW;
END
$$;
CREATE TRIGGER posts_search BEFORE INSERT OR UPDATE OF title, body ON posts
	FOR EACH ROW EXECUTE FUNCTION kq_search_post_tsv();
CREATE INDEX posts_search ON posts USING gin (search_tsv) WHERE status = 'published';
