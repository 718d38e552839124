-- 0023 (PostgreSQL): practical information ("Infos pratiques", core/practical.c)
-- and its search text. Hidden content (0017) is left out by the queries of
-- core/search.c (hidden_at IS NULL), so the indexes of 0015/0016 stay.
--
-- Sections of the practical information, in the order of the page. Fixed
-- by this migration (titles are French content, like the demo territory);
-- a later one may add a section.
CREATE TABLE practical_sections (
	id @ID@,
	slug TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	position INTEGER NOT NULL DEFAULT 0
);

-- A page of practical information kept by a public body (organisations of
-- kind 'public_body'; core/practical.c checks it). body is Markdown as
-- typed; body_html its rendering by core/markdown.c at save. updated_at and
-- updated_by: the last change, shown on the page ("mis à jour le ...").
CREATE TABLE practical_pages (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	section_id BIGINT NOT NULL REFERENCES practical_sections(id),
	slug TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	body_html TEXT NOT NULL DEFAULT '',
	position INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL
);
-- The index page: sections in order, their pages in order.
CREATE INDEX practical_pages_section ON practical_pages(section_id, position, id);
CREATE INDEX practical_pages_org ON practical_pages(org_id);

INSERT INTO practical_sections (slug, title, position) VALUES
	('mairie', 'Mairie et démarches', 10),
	('dechets', 'Déchets et propreté', 20),
	('transports', 'Transports', 30),
	('sante', 'Santé', 40),
	('urgences', 'Urgences', 50),
	('vie-pratique', 'Vie pratique', 60);

COMMENT ON TABLE practical_sections IS 'Sections of the practical information page, in order (position).';
COMMENT ON COLUMN practical_sections.slug IS 'Stable name of the section.';
COMMENT ON COLUMN practical_sections.title IS 'Title shown (French).';
COMMENT ON COLUMN practical_sections.position IS 'Order on the page, smallest first.';
COMMENT ON TABLE practical_pages IS 'Practical information pages kept by public bodies (core/practical.c).';
COMMENT ON COLUMN practical_pages.org_id IS 'The public body that keeps the page.';
COMMENT ON COLUMN practical_pages.section_id IS 'Its section.';
COMMENT ON COLUMN practical_pages.slug IS 'From the title, unique, never changed: /infos-pratiques/<slug>.';
COMMENT ON COLUMN practical_pages.title IS 'One line, 3 to 140 characters.';
COMMENT ON COLUMN practical_pages.body IS 'Markdown as typed, at most 20,000 characters.';
COMMENT ON COLUMN practical_pages.body_html IS 'body rendered by core/markdown.c (cmark, safe mode) at save.';
COMMENT ON COLUMN practical_pages.position IS 'Order within the section, smallest first.';
COMMENT ON COLUMN practical_pages.created_at IS 'UTC seconds.';
COMMENT ON COLUMN practical_pages.updated_at IS 'UTC seconds of the last change, shown on the page.';
COMMENT ON COLUMN practical_pages.updated_by IS 'The account that made the last change (personal data: kept while the account lives).';

ALTER TABLE practical_pages ADD COLUMN search_tsv tsvector;
COMMENT ON COLUMN practical_pages.search_tsv IS
	'Search text (kq_search): title A, body D. Set by trigger practical_pages_search.';
CREATE FUNCTION kq_search_practical_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.search_tsv :=
		setweight(to_tsvector('kq_search', coalesce(NEW.title, '')), 'A') ||
		setweight(to_tsvector('kq_search', coalesce(NEW.body, '')), 'D');
	RETURN NEW;
END
$$;
CREATE TRIGGER practical_pages_search BEFORE INSERT OR UPDATE OF title, body ON practical_pages
	FOR EACH ROW EXECUTE FUNCTION kq_search_practical_tsv();
CREATE INDEX practical_pages_search ON practical_pages USING gin (search_tsv);
