-- 0024 (PostgreSQL): the search box finds the products of 0021 (core/search.c):
-- a tsvector (kq_search, as 0015) of name (A), summary (B), label names (C)
-- and description (D), set by a trigger; a change of labels or a renamed
-- label computes the products' text again. Hidden products (hidden_at) are
-- left out by the queries.
ALTER TABLE products ADD COLUMN search_tsv tsvector;
COMMENT ON COLUMN products.search_tsv IS
	'Search text (kq_search): name A, summary B, label names C, description D. Set by trigger products_search.';

CREATE FUNCTION kq_search_product_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.search_tsv :=
		setweight(to_tsvector('kq_search', coalesce(NEW.name, '')), 'A') ||
		setweight(to_tsvector('kq_search', coalesce(NEW.summary, '')), 'B') ||
		setweight(to_tsvector('kq_search', coalesce((SELECT string_agg(l.name, ' ')
			FROM product_labels pl JOIN labels l ON l.id = pl.label_id
			WHERE pl.product_id = NEW.id), '')), 'C') ||
		setweight(to_tsvector('kq_search', coalesce(NEW.description, '')), 'D');
	RETURN NEW;
END
$$;
CREATE TRIGGER products_search BEFORE INSERT OR UPDATE OF name, summary, description ON products
	FOR EACH ROW EXECUTE FUNCTION kq_search_product_tsv();

-- Labels added to or taken from a product, or renamed: its text again (the
-- trigger above runs on an update of name, even to the same value).
CREATE FUNCTION kq_search_product_labels_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		UPDATE products SET name = name WHERE id = OLD.product_id;
	ELSE
		UPDATE products SET name = name WHERE id = NEW.product_id;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER product_labels_search AFTER INSERT OR DELETE ON product_labels
	FOR EACH ROW EXECUTE FUNCTION kq_search_product_labels_changed();
CREATE FUNCTION kq_search_label_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE products SET name = name
		WHERE id IN (SELECT product_id FROM product_labels WHERE label_id = NEW.id);
	RETURN NULL;
END
$$;
CREATE TRIGGER labels_search AFTER UPDATE OF name ON labels FOR EACH ROW
	WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION kq_search_label_renamed();

-- The products that exist already.
UPDATE products SET name = name;
CREATE INDEX products_search ON products USING gin (search_tsv);

-- The commune filter of the search box on events (core/search.c): the events
-- of one commune, read once per search as the list the matches must be in.
CREATE INDEX events_commune ON events(commune_id);
