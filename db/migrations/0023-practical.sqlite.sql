-- 0023 (SQLite): practical information ("Infos pratiques", core/practical.c),
-- its search index, and the search indexes of 0015/0016 made to leave out
-- hidden content (moderation, 0017).
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

-- The search box (core/search.c): practical pages, title and body, as 0016
-- does for posts (external content, only the page's own columns).
CREATE VIEW search_practical_src AS
	SELECT p.id AS id, p.title AS title, p.body AS body FROM practical_pages p;

CREATE VIRTUAL TABLE search_practical USING fts5(
	title, body,
	content='search_practical_src', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2', prefix='2 3 4');

CREATE TRIGGER search_practical_ai AFTER INSERT ON practical_pages BEGIN
	INSERT INTO search_practical (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER search_practical_ad AFTER DELETE ON practical_pages BEGIN
	INSERT INTO search_practical (search_practical, rowid, title, body)
		VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER search_practical_au AFTER UPDATE OF title, body ON practical_pages BEGIN
	INSERT INTO search_practical (search_practical, rowid, title, body)
		VALUES ('delete', old.id, old.title, old.body);
	INSERT INTO search_practical (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

-- Hidden content leaves the indexes at once: the sources of 0015 and 0016
-- leave out rows whose hidden_at is set, and the triggers remove a row when
-- it is hidden and add it back when it is restored. A row is removed with
-- exactly the values it was indexed with, so only rows that were indexed
-- (not hidden, not a draft) are removed.
DROP TRIGGER IF EXISTS search_orgs_ad;
DROP TRIGGER IF EXISTS search_orgs_au;
DROP TRIGGER IF EXISTS search_events_ad;
DROP TRIGGER IF EXISTS search_events_au;
DROP TRIGGER IF EXISTS search_communes_au;
DROP TRIGGER IF EXISTS search_posts_ai;
DROP TRIGGER IF EXISTS search_posts_ad;
DROP TRIGGER IF EXISTS search_posts_au;
DROP VIEW search_orgs_src;
DROP VIEW search_events_src;
DROP VIEW search_posts_src;

CREATE VIEW search_orgs_src AS
	SELECT o.id AS id, o.name AS name, o.summary AS summary, o.description AS description,
	       COALESCE(c.name, '') AS commune, o.category AS category
	FROM organisations o LEFT JOIN communes c ON c.id = o.commune_id
	WHERE o.hidden_at IS NULL;

CREATE VIEW search_events_src AS
	SELECT e.id AS id, e.title AS title, e.summary AS summary,
	       e.venue_name || ' ' || e.venue_address AS venue, e.description AS description,
	       COALESCE(c.name, '') AS commune
	FROM events e LEFT JOIN communes c ON c.id = e.commune_id
	WHERE e.status <> 'draft' AND e.hidden_at IS NULL;

CREATE VIEW search_posts_src AS
	SELECT p.id AS id, p.title AS title, p.body AS body FROM posts p
	WHERE p.status = 'published' AND p.hidden_at IS NULL;

CREATE TRIGGER search_orgs_ad AFTER DELETE ON organisations WHEN old.hidden_at IS NULL BEGIN
	INSERT INTO search_orgs (search_orgs, rowid, name, summary, description, commune, category)
		VALUES ('delete', old.id, old.name, old.summary, old.description,
			COALESCE((SELECT name FROM communes WHERE id = old.commune_id), ''), old.category);
END;

CREATE TRIGGER search_orgs_au AFTER UPDATE OF name, summary, description, commune_id, category,
	hidden_at ON organisations BEGIN
	INSERT INTO search_orgs (search_orgs, rowid, name, summary, description, commune, category)
		SELECT 'delete', old.id, old.name, old.summary, old.description,
		       COALESCE((SELECT name FROM communes WHERE id = old.commune_id), ''), old.category
		WHERE old.hidden_at IS NULL;
	INSERT INTO search_orgs (rowid, name, summary, description, commune, category)
		SELECT id, name, summary, description, commune, category
		FROM search_orgs_src WHERE id = new.id;
END;

CREATE TRIGGER search_events_ad AFTER DELETE ON events
	WHEN old.status <> 'draft' AND old.hidden_at IS NULL BEGIN
	INSERT INTO search_events (search_events, rowid, title, summary, venue, description, commune)
		VALUES ('delete', old.id, old.title, old.summary,
			old.venue_name || ' ' || old.venue_address, old.description,
			COALESCE((SELECT name FROM communes WHERE id = old.commune_id), ''));
END;

CREATE TRIGGER search_events_au AFTER UPDATE OF title, summary, venue_name, venue_address,
	description, commune_id, status, hidden_at ON events BEGIN
	INSERT INTO search_events (search_events, rowid, title, summary, venue, description, commune)
		SELECT 'delete', old.id, old.title, old.summary,
		       old.venue_name || ' ' || old.venue_address, old.description,
		       COALESCE((SELECT name FROM communes WHERE id = old.commune_id), '')
		WHERE old.status <> 'draft' AND old.hidden_at IS NULL;
	INSERT INTO search_events (rowid, title, summary, venue, description, commune)
		SELECT id, title, summary, venue, description, commune
		FROM search_events_src WHERE id = new.id;
END;

CREATE TRIGGER search_communes_au AFTER UPDATE OF name ON communes
	WHEN old.name IS NOT new.name BEGIN
	INSERT INTO search_orgs (search_orgs, rowid, name, summary, description, commune, category)
		SELECT 'delete', o.id, o.name, o.summary, o.description, old.name, o.category
		FROM organisations o WHERE o.commune_id = old.id AND o.hidden_at IS NULL;
	INSERT INTO search_orgs (rowid, name, summary, description, commune, category)
		SELECT s.id, s.name, s.summary, s.description, s.commune, s.category
		FROM organisations o JOIN search_orgs_src s ON s.id = o.id WHERE o.commune_id = new.id;
	INSERT INTO search_events (search_events, rowid, title, summary, venue, description, commune)
		SELECT 'delete', e.id, e.title, e.summary, e.venue_name || ' ' || e.venue_address,
		       e.description, old.name
		FROM events e WHERE e.commune_id = old.id AND e.status <> 'draft' AND e.hidden_at IS NULL;
	INSERT INTO search_events (rowid, title, summary, venue, description, commune)
		SELECT s.id, s.title, s.summary, s.venue, s.description, s.commune
		FROM events e JOIN search_events_src s ON s.id = e.id WHERE e.commune_id = new.id;
END;

CREATE TRIGGER search_posts_ai AFTER INSERT ON posts
	WHEN new.status = 'published' AND new.hidden_at IS NULL BEGIN
	INSERT INTO search_posts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TRIGGER search_posts_ad AFTER DELETE ON posts
	WHEN old.status = 'published' AND old.hidden_at IS NULL BEGIN
	INSERT INTO search_posts (search_posts, rowid, title, body)
		VALUES ('delete', old.id, old.title, old.body);
END;

CREATE TRIGGER search_posts_au AFTER UPDATE OF title, body, status, hidden_at ON posts BEGIN
	INSERT INTO search_posts (search_posts, rowid, title, body)
		SELECT 'delete', old.id, old.title, old.body
		WHERE old.status = 'published' AND old.hidden_at IS NULL;
	INSERT INTO search_posts (rowid, title, body)
		SELECT new.id, new.title, new.body
		WHERE new.status = 'published' AND new.hidden_at IS NULL;
END;

-- The indexes again, from the sources as they are now.
INSERT INTO search_orgs (search_orgs) VALUES ('rebuild');
INSERT INTO search_events (search_events) VALUES ('rebuild');
INSERT INTO search_posts (search_posts) VALUES ('rebuild');
