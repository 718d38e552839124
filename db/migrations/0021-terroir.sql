-- 0021: "Made in terroir" (core/products.c): producers' and shops' products,
-- their quality labels, their season and the places where to buy them.
--
-- Labels: official signs of quality and origin (AOP, AOC, IGP, Label Rouge,
-- AB) and local ones a platform admin adds. kind: 'official' | 'local'.
-- slug is the address of the label page: /labels/<slug>.
CREATE TABLE labels (
	id @ID@,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL DEFAULT 'official' CHECK (kind IN ('official', 'local')),
	created_at BIGINT NOT NULL
);

INSERT INTO labels (slug, name, description, kind, created_at) VALUES
	('aop', 'AOP', 'Appellation d''origine protégée : un produit dont toutes les étapes de production sont réalisées dans une même aire géographique, selon un savoir-faire reconnu.', 'official', 1764547200),
	('aoc', 'AOC', 'Appellation d''origine contrôlée : la protection française d''un produit lié à son terroir, étape vers l''AOP européenne.', 'official', 1764547200),
	('igp', 'IGP', 'Indication géographique protégée : un produit dont au moins une étape de production a lieu dans une aire géographique définie.', 'official', 1764547200),
	('label-rouge', 'Label Rouge', 'Une qualité supérieure, contrôlée à chaque étape de la production.', 'official', 1764547200),
	('ab', 'AB (Agriculture biologique)', 'Un produit issu de l''agriculture biologique : sans pesticides ni engrais chimiques de synthèse, ni OGM.', 'official', 1764547200),
	('bienvenue-a-la-ferme', 'Bienvenue à la ferme', 'Le réseau des agriculteurs des Chambres d''agriculture qui vendent en direct et accueillent à la ferme.', 'local', 1764547200);

-- A product of a producer or a business (organisations.kind 'producer' or
-- 'business'). slug: /produits/<slug>, unique, never changed. description is
-- Markdown as typed; description_html its rendering by core/markdown.c (safe
-- mode), made at save. Season: months 1..12, both NULL = all year; the
-- season may wrap over the new year (11 -> 2 = November to February).
-- hidden_at: hidden by a moderator; public reads leave such products out, and
-- the products of hidden organisations too.
CREATE TABLE products (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	description_html TEXT NOT NULL DEFAULT '',
	season_start_month INTEGER CHECK (season_start_month BETWEEN 1 AND 12),
	season_end_month INTEGER CHECK (season_end_month BETWEEN 1 AND 12),
	image_upload_id BIGINT REFERENCES uploads(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	hidden_at BIGINT
);
CREATE INDEX products_org ON products(org_id, name);
CREATE INDEX products_name ON products(name);

CREATE TABLE product_labels (
	product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
	label_id BIGINT NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
	PRIMARY KEY (product_id, label_id)
);
-- The label page: products carrying a label.
CREATE INDEX product_labels_label ON product_labels(label_id, product_id);

-- Markets of the territory, one row per weekly market day (a town with a
-- market on Wednesday and on Saturday has two rows). weekday: 1 = Monday ..
-- 7 = Sunday (ISO 8601). opens_min and closes_min: minutes after midnight,
-- local time (Europe/Paris). season_notes: free text ("d'avril à octobre").
-- Markets are added by a platform admin; producers say which ones they attend.
CREATE TABLE markets (
	id @ID@,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	commune_id BIGINT REFERENCES communes(id),
	place TEXT NOT NULL DEFAULT '',
	weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
	opens_min INTEGER NOT NULL CHECK (opens_min BETWEEN 0 AND 1439),
	closes_min INTEGER NOT NULL CHECK (closes_min BETWEEN 1 AND 1440),
	season_notes TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL
);
CREATE INDEX markets_weekday ON markets(weekday, opens_min);

-- Where to buy a product. kind: 'shop' (the organisation's own shop or farm,
-- at its address; market_id and partner_org_id NULL) | 'market' (market_id
-- set) | 'partner' (partner_org_id set: a shop that is an organisation of
-- kind business or producer). notes: free text ("le vendredi de 17 h à 19 h",
-- "au rayon frais"). One row per product and place: core/products.c keeps
-- the pair unique.
CREATE TABLE product_places (
	id @ID@,
	product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('shop', 'market', 'partner')),
	market_id BIGINT REFERENCES markets(id) ON DELETE CASCADE,
	partner_org_id BIGINT REFERENCES organisations(id) ON DELETE CASCADE,
	notes TEXT NOT NULL DEFAULT '',
	CHECK ((kind = 'shop' AND market_id IS NULL AND partner_org_id IS NULL)
		OR (kind = 'market' AND market_id IS NOT NULL AND partner_org_id IS NULL)
		OR (kind = 'partner' AND partner_org_id IS NOT NULL AND market_id IS NULL))
);
CREATE INDEX product_places_product ON product_places(product_id, kind);
CREATE INDEX product_places_market ON product_places(market_id);
CREATE INDEX product_places_partner ON product_places(partner_org_id);
