-- 0024 (SQLite): the search box finds the products of 0021 (core/search.c):
-- name, summary, description and the names of their labels.
--
-- Unlike the other indexes this one keeps its own copy of the text (not
-- external content): a product's indexed text includes its labels, from
-- other tables, and an external-content index must be given back exactly the
-- old text to remove a row, which a change of labels would have lost. With
-- its own content, a row is removed by rowid and written again from the
-- view. Products are few (hundreds), so the copy is cheap. Hidden products
-- (hidden_at) are not in the index.
CREATE VIEW search_products_src AS
	SELECT p.id AS id, p.name AS name, p.summary AS summary, p.description AS description,
	       COALESCE((SELECT group_concat(l.name, ' ') FROM product_labels pl
			 JOIN labels l ON l.id = pl.label_id WHERE pl.product_id = p.id), '') AS labels
	FROM products p WHERE p.hidden_at IS NULL;

CREATE VIRTUAL TABLE search_products USING fts5(
	name, summary, description, labels,
	tokenize='unicode61 remove_diacritics 2', prefix='2 3 4');

CREATE TRIGGER search_products_ai AFTER INSERT ON products BEGIN
	INSERT INTO search_products (rowid, name, summary, description, labels)
		SELECT id, name, summary, description, labels FROM search_products_src WHERE id = new.id;
END;
CREATE TRIGGER search_products_au AFTER UPDATE OF name, summary, description, hidden_at
	ON products BEGIN
	DELETE FROM search_products WHERE rowid = old.id;
	INSERT INTO search_products (rowid, name, summary, description, labels)
		SELECT id, name, summary, description, labels FROM search_products_src WHERE id = new.id;
END;
CREATE TRIGGER search_products_ad AFTER DELETE ON products BEGIN
	DELETE FROM search_products WHERE rowid = old.id;
END;
CREATE TRIGGER search_product_labels_ai AFTER INSERT ON product_labels BEGIN
	DELETE FROM search_products WHERE rowid = new.product_id;
	INSERT INTO search_products (rowid, name, summary, description, labels)
		SELECT id, name, summary, description, labels FROM search_products_src
		WHERE id = new.product_id;
END;
CREATE TRIGGER search_product_labels_ad AFTER DELETE ON product_labels BEGIN
	DELETE FROM search_products WHERE rowid = old.product_id;
	INSERT INTO search_products (rowid, name, summary, description, labels)
		SELECT id, name, summary, description, labels FROM search_products_src
		WHERE id = old.product_id;
END;
CREATE TRIGGER search_labels_au AFTER UPDATE OF name ON labels BEGIN
	DELETE FROM search_products WHERE rowid IN
		(SELECT product_id FROM product_labels WHERE label_id = new.id);
	INSERT INTO search_products (rowid, name, summary, description, labels)
		SELECT s.id, s.name, s.summary, s.description, s.labels FROM search_products_src s
		WHERE s.id IN (SELECT product_id FROM product_labels WHERE label_id = new.id);
END;

-- The products that exist already.
INSERT INTO search_products (rowid, name, summary, description, labels)
	SELECT id, name, summary, description, labels FROM search_products_src;

-- The commune filter of the search box on events (core/search.c): the events
-- of one commune, read once per search as the list the matches must be in.
CREATE INDEX events_commune ON events(commune_id);
