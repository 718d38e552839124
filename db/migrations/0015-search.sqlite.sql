-- 0015 (SQLite): one search box over organisations and events (core/search.c).
--
-- Two FTS5 tables with external content: the text lives once, in the base
-- tables; each index keeps only its terms. Their content is a view, because a
-- row's indexed text includes its commune's name, read from another table.
-- Tokenizer unicode61 with remove_diacritics 2 folds case and accents on both
-- sides ("fete" finds "Fête"); prefix indexes of 2, 3 and 4 characters serve
-- the prefix queries typed as one types ("vesq" finds "Vesqueval").
--
-- External content is not kept in sync by SQLite: the triggers below do it on
-- insert, update and delete. A row is removed from an index with the 'delete'
-- command and exactly the values it was indexed with (old.*), else the index
-- is corrupted; hence the commune trigger, which re-indexes the rows of a
-- commune whose name changes. Drafts are never in the events index (the view
-- leaves them out, and the triggers add or remove an event as its status
-- leaves or enters 'draft').

-- The indexed text of an organisation: name, summary, description, the
-- name of its commune ('' when none) and its category slug (French words).
CREATE VIEW search_orgs_src AS
	SELECT o.id AS id, o.name AS name, o.summary AS summary, o.description AS description,
	       COALESCE(c.name, '') AS commune, o.category AS category
	FROM organisations o LEFT JOIN communes c ON c.id = o.commune_id;

-- The indexed text of a published, postponed or cancelled event (never a
-- draft): title, summary, venue (name and address), description, commune.
CREATE VIEW search_events_src AS
	SELECT e.id AS id, e.title AS title, e.summary AS summary,
	       e.venue_name || ' ' || e.venue_address AS venue, e.description AS description,
	       COALESCE(c.name, '') AS commune
	FROM events e LEFT JOIN communes c ON c.id = e.commune_id
	WHERE e.status <> 'draft';

CREATE VIRTUAL TABLE search_orgs USING fts5(
	name, summary, description, commune, category,
	content='search_orgs_src', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2', prefix='2 3 4');

CREATE VIRTUAL TABLE search_events USING fts5(
	title, summary, venue, description, commune,
	content='search_events_src', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2', prefix='2 3 4');

CREATE TRIGGER search_orgs_ai AFTER INSERT ON organisations BEGIN
	INSERT INTO search_orgs (rowid, name, summary, description, commune, category)
		SELECT id, name, summary, description, commune, category
		FROM search_orgs_src WHERE id = new.id;
END;

CREATE TRIGGER search_orgs_ad AFTER DELETE ON organisations BEGIN
	INSERT INTO search_orgs (search_orgs, rowid, name, summary, description, commune, category)
		VALUES ('delete', old.id, old.name, old.summary, old.description,
			COALESCE((SELECT name FROM communes WHERE id = old.commune_id), ''), old.category);
END;

CREATE TRIGGER search_orgs_au AFTER UPDATE OF name, summary, description, commune_id, category
	ON organisations BEGIN
	INSERT INTO search_orgs (search_orgs, rowid, name, summary, description, commune, category)
		VALUES ('delete', old.id, old.name, old.summary, old.description,
			COALESCE((SELECT name FROM communes WHERE id = old.commune_id), ''), old.category);
	INSERT INTO search_orgs (rowid, name, summary, description, commune, category)
		SELECT id, name, summary, description, commune, category
		FROM search_orgs_src WHERE id = new.id;
END;

CREATE TRIGGER search_events_ai AFTER INSERT ON events WHEN new.status <> 'draft' BEGIN
	INSERT INTO search_events (rowid, title, summary, venue, description, commune)
		SELECT id, title, summary, venue, description, commune
		FROM search_events_src WHERE id = new.id;
END;

-- Also fires for the events deleted with their organisation (ON DELETE CASCADE).
CREATE TRIGGER search_events_ad AFTER DELETE ON events WHEN old.status <> 'draft' BEGIN
	INSERT INTO search_events (search_events, rowid, title, summary, venue, description, commune)
		VALUES ('delete', old.id, old.title, old.summary,
			old.venue_name || ' ' || old.venue_address, old.description,
			COALESCE((SELECT name FROM communes WHERE id = old.commune_id), ''));
END;

CREATE TRIGGER search_events_au AFTER UPDATE OF title, summary, venue_name, venue_address,
	description, commune_id, status ON events BEGIN
	INSERT INTO search_events (search_events, rowid, title, summary, venue, description, commune)
		SELECT 'delete', old.id, old.title, old.summary,
		       old.venue_name || ' ' || old.venue_address, old.description,
		       COALESCE((SELECT name FROM communes WHERE id = old.commune_id), '')
		WHERE old.status <> 'draft';
	INSERT INTO search_events (rowid, title, summary, venue, description, commune)
		SELECT id, title, summary, venue, description, commune
		FROM search_events_src WHERE id = new.id;
END;

-- A commune renamed: its organisations and events are indexed again with the
-- new name (removed with the old one first).
CREATE TRIGGER search_communes_au AFTER UPDATE OF name ON communes
	WHEN old.name IS NOT new.name BEGIN
	INSERT INTO search_orgs (search_orgs, rowid, name, summary, description, commune, category)
		SELECT 'delete', o.id, o.name, o.summary, o.description, old.name, o.category
		FROM organisations o WHERE o.commune_id = old.id;
	INSERT INTO search_orgs (rowid, name, summary, description, commune, category)
		SELECT s.id, s.name, s.summary, s.description, s.commune, s.category
		FROM organisations o JOIN search_orgs_src s ON s.id = o.id WHERE o.commune_id = new.id;
	INSERT INTO search_events (search_events, rowid, title, summary, venue, description, commune)
		SELECT 'delete', e.id, e.title, e.summary, e.venue_name || ' ' || e.venue_address,
		       e.description, old.name
		FROM events e WHERE e.commune_id = old.id AND e.status <> 'draft';
	INSERT INTO search_events (rowid, title, summary, venue, description, commune)
		SELECT s.id, s.title, s.summary, s.venue, s.description, s.commune
		FROM events e JOIN search_events_src s ON s.id = e.id WHERE e.commune_id = new.id;
END;

-- The rows that exist already.
INSERT INTO search_orgs (search_orgs) VALUES ('rebuild');
INSERT INTO search_events (search_events) VALUES ('rebuild');
