-- 0015 (PostgreSQL): one search box over organisations and events (core/search.c).
--
-- Each row carries a tsvector, kept up to date by a trigger (not a generated
-- column: the text includes the commune's name, from another table), with a
-- GIN index. Accents: the text search configuration kq_search is 'simple'
-- with the unaccent dictionary in front, so to_tsvector and to_tsquery fold
-- accents and case alike ("fete" finds "Fête"); both are immutable given
-- the configuration, so no wrapper around unaccent() is needed. 'simple', not
-- 'french': no stemming, so that a word typed in part ("vesq:*") matches as a
-- prefix the same way on both backends (SQLite's FTS5 has no French stemmer);
-- prefixes also find plurals ("calisson" finds "calissons").
-- Weights: A name or title, B summary, C commune, category or venue,
-- D description; search.c ranks with ts_rank and those weights.

-- unaccent is a trusted extension: the database owner may create it. It is
-- made once per database, in public when we may create there (schemas come
-- and go in the tests), else in our own schema, and used wherever it already is.
DO $$
DECLARE
	s text;
BEGIN
	SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
		WHERE e.extname = 'unaccent';
	IF s IS NULL THEN
		IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public')
		   AND has_schema_privilege('public', 'CREATE') THEN
			s := 'public';
		ELSE
			s := current_schema();
		END IF;
		EXECUTE format('CREATE EXTENSION unaccent SCHEMA %I', s);
	END IF;
	CREATE TEXT SEARCH CONFIGURATION kq_search (COPY = pg_catalog.simple);
	EXECUTE format('ALTER TEXT SEARCH CONFIGURATION kq_search ALTER MAPPING FOR'
		' asciiword, asciihword, hword_asciipart, word, hword, hword_part'
		' WITH %I.unaccent, pg_catalog.simple', s);
END
$$;
COMMENT ON TEXT SEARCH CONFIGURATION kq_search IS
	'The search box (core/search.c): simple, with accents folded by unaccent.';

ALTER TABLE organisations ADD COLUMN search_tsv tsvector;
COMMENT ON COLUMN organisations.search_tsv IS
	'Search text (kq_search): name A, summary B, commune and category C, description D. Set by trigger organisations_search.';
ALTER TABLE events ADD COLUMN search_tsv tsvector;
COMMENT ON COLUMN events.search_tsv IS
	'Search text (kq_search): title A, summary B, venue and commune C, description D. Set by trigger events_search.';

CREATE FUNCTION kq_search_org_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.search_tsv :=
		setweight(to_tsvector('kq_search', coalesce(NEW.name, '')), 'A') ||
		setweight(to_tsvector('kq_search', coalesce(NEW.summary, '')), 'B') ||
		setweight(to_tsvector('kq_search',
			coalesce((SELECT name FROM communes WHERE id = NEW.commune_id), '') || ' ' ||
			coalesce(NEW.category, '')), 'C') ||
		setweight(to_tsvector('kq_search', coalesce(NEW.description, '')), 'D');
	RETURN NEW;
END
$$;

CREATE FUNCTION kq_search_event_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.search_tsv :=
		setweight(to_tsvector('kq_search', coalesce(NEW.title, '')), 'A') ||
		setweight(to_tsvector('kq_search', coalesce(NEW.summary, '')), 'B') ||
		setweight(to_tsvector('kq_search',
			coalesce(NEW.venue_name, '') || ' ' || coalesce(NEW.venue_address, '') || ' ' ||
			coalesce((SELECT name FROM communes WHERE id = NEW.commune_id), '')), 'C') ||
		setweight(to_tsvector('kq_search', coalesce(NEW.description, '')), 'D');
	RETURN NEW;
END
$$;

-- A renamed commune: its rows are computed again (the triggers above run on
-- an update of commune_id, even to the same value).
CREATE FUNCTION kq_search_commune_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE organisations SET commune_id = commune_id WHERE commune_id = NEW.id;
	UPDATE events SET commune_id = commune_id WHERE commune_id = NEW.id;
	RETURN NULL;
END
$$;

CREATE TRIGGER organisations_search BEFORE INSERT OR UPDATE OF name, summary, description,
	category, commune_id ON organisations FOR EACH ROW EXECUTE FUNCTION kq_search_org_tsv();
CREATE TRIGGER events_search BEFORE INSERT OR UPDATE OF title, summary, venue_name,
	venue_address, description, commune_id ON events FOR EACH ROW EXECUTE FUNCTION kq_search_event_tsv();
CREATE TRIGGER communes_search AFTER UPDATE OF name ON communes FOR EACH ROW
	WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION kq_search_commune_renamed();

-- The rows that exist already.
UPDATE organisations SET name = name;
UPDATE events SET title = title;

CREATE INDEX organisations_search ON organisations USING gin (search_tsv);
-- Drafts are never searched: the index leaves them out (search.c asks
-- status <> 'draft', which this predicate serves).
CREATE INDEX events_search ON events USING gin (search_tsv) WHERE status <> 'draft';
