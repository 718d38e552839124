-- seed-events.sql: the agenda and the ticketing of `make bench`, loaded after bench/seed.sql, in SQL that
-- SQLite and PostgreSQL both run (same rules as seed.sql: no printf, no random(), explicit ids, picks
-- by multiplicative hashes of the row number, so two runs give the same rows).
--
-- It needs one row that bench/run.sh writes just before it, in the same session:
--   CREATE TEMP TABLE bench_clock AS SELECT CAST(<unix time of the run> AS BIGINT) AS now;
-- so that the dates are spread around the moment of the run, as a living agenda is.
--
-- What it writes (schema of db/migrations 0004, 0005 and 0006; nothing of later migrations):
-- * 20,000 events (ids 1..20,000) of the 10,000 organisations, 16 categories, 8 communes, venues
--   and coordinates, Markdown descriptions with their stored HTML (what core/markdown.c would
--   store), 2 % cancelled, 2 % postponed, 1 % drafts; one date for most, 3 daily dates for 10 %,
--   a weekly series of 8 or 12 dates for 5 % (about 33,000 dates), starting from 365 days
--   before the run to 365 days after it.
-- * A quarter of them ticketed: a shop, 1 to 3 ticket types (full price, reduced, free for
--   children) and one shared quota of 50 to 499 seats per date (nothing sold).
-- * Organisation 10,001 "Festival du Val de Loue" (owner: account 49,991; box office: account
--   49,992) with three events for the load scenarios:
--   - 20,001 flash-sale-gratuit: one date 30 days ahead, one free type (id 20,001) with a
--     quota of 2,000 seats, on sale now (the flash sale, free registration);
--   - 20,002 flash-sale-payant: the same with a 15.00 EUR type (id 20,002) paid on site;
--   - 20,003 controle-entrees: one date that started an hour ago, one 15.00 EUR type (id 20,003),
--     5,000 paid orders of 2 tickets (10,000 tickets, codes as core/orders.c makes them: 26
--     characters of its alphabet, upper-case), with their payments and ledger rows.
--   The box office's API token is added by bench/run.sh (it hashes it as core/apitokens.c does).

BEGIN;

CREATE TEMP TABLE bench_n AS
WITH RECURSIVE s(n) AS (
	SELECT CAST(1 AS BIGINT)
	UNION ALL
	SELECT n + 1 FROM s WHERE n < 20000
)
SELECT n FROM s;
CREATE UNIQUE INDEX bench_n_n ON bench_n(n);

CREATE TEMP TABLE bench_ew (
	list TEXT NOT NULL,
	i BIGINT NOT NULL,
	label TEXT NOT NULL,
	slug TEXT NOT NULL,
	PRIMARY KEY (list, i)
);

-- Category i (the slug column holds the key of core/events.c) and the title's first words.
INSERT INTO bench_ew (list, i, label, slug) VALUES
	('cat', 0, 'Concert', 'concert'), ('cat', 1, 'Marché', 'market'),
	('cat', 2, 'Festival', 'festival'), ('cat', 3, 'Tournoi', 'sport'),
	('cat', 4, 'Exposition', 'exhibition'), ('cat', 5, 'Conférence', 'conference'),
	('cat', 6, 'Atelier', 'workshop'), ('cat', 7, 'Théâtre', 'theatre'),
	('cat', 8, 'Ciné-club', 'cinema'), ('cat', 9, 'Vide-greniers', 'flea_market'),
	('cat', 10, 'Bal', 'party'), ('cat', 11, 'Visite guidée', 'tour'),
	('cat', 12, 'Randonnée', 'hike'), ('cat', 13, 'Spectacle jeune public', 'kids'),
	('cat', 14, 'Réunion publique', 'meeting'), ('cat', 15, 'Rencontre', 'other');
INSERT INTO bench_ew (list, i, label, slug) VALUES
	('catslug', 0, '', 'concert'), ('catslug', 1, '', 'marche'), ('catslug', 2, '', 'festival'),
	('catslug', 3, '', 'tournoi'), ('catslug', 4, '', 'exposition'), ('catslug', 5, '', 'conference'),
	('catslug', 6, '', 'atelier'), ('catslug', 7, '', 'theatre'), ('catslug', 8, '', 'cine-club'),
	('catslug', 9, '', 'vide-greniers'), ('catslug', 10, '', 'bal'), ('catslug', 11, '', 'visite-guidee'),
	('catslug', 12, '', 'randonnee'), ('catslug', 13, '', 'spectacle'), ('catslug', 14, '', 'reunion'),
	('catslug', 15, '', 'rencontre');
INSERT INTO bench_ew (list, i, label, slug) VALUES
	('theme', 0, 'de printemps', 'printemps'), ('theme', 1, 'd''été', 'ete'),
	('theme', 2, 'd''automne', 'automne'), ('theme', 3, 'd''hiver', 'hiver'),
	('theme', 4, 'des familles', 'familles'), ('theme', 5, 'du patrimoine', 'patrimoine'),
	('theme', 6, 'de la Loue', 'loue'), ('theme', 7, 'des producteurs', 'producteurs'),
	('theme', 8, 'solidaire', 'solidaire'), ('theme', 9, 'du terroir', 'terroir'),
	('theme', 10, 'des enfants', 'enfants'), ('theme', 11, 'au clair de lune', 'clair-de-lune');
INSERT INTO bench_ew (list, i, label, slug) VALUES
	('venue', 0, 'Salle des fêtes', ''), ('venue', 1, 'Église Saint-Martin', ''),
	('venue', 2, 'Place de la mairie', ''), ('venue', 3, 'Gymnase intercommunal', ''),
	('venue', 4, 'Médiathèque', ''), ('venue', 5, 'Foyer rural', ''),
	('venue', 6, 'Parc du château', ''), ('venue', 7, 'Moulin de la Loue', ''),
	('venue', 8, 'Cour de l''école', ''), ('venue', 9, 'Grange aux dîmes', '');
INSERT INTO bench_ew (list, i, label, slug) VALUES
	('street', 0, 'rue de l''Église', ''), ('street', 1, 'Grande Rue', ''), ('street', 2, 'rue des Écoles', ''),
	('street', 3, 'place de la Mairie', ''), ('street', 4, 'chemin des Vignes', ''), ('street', 5, 'rue du Stade', ''),
	('street', 6, 'route de Besançon', ''), ('street', 7, 'rue du Moulin', '');
-- Communes of seed.sql (ids 1..8), for the slugs; first names of the seeded buyers.
INSERT INTO bench_ew (list, i, label, slug) VALUES
	('commune', 1, '', 'villeneuve'), ('commune', 2, '', 'montfaucon'), ('commune', 3, '', 'beaulieu'),
	('commune', 4, '', 'champagney'), ('commune', 5, '', 'saint-aubin'), ('commune', 6, '', 'mouthier'),
	('commune', 7, '', 'vuillafans'), ('commune', 8, '', 'lods');
INSERT INTO bench_ew (list, i, label, slug) VALUES
	('buyer', 0, 'Camille Martin', ''), ('buyer', 1, 'Léa Bernard', ''), ('buyer', 2, 'Hugo Dubois', ''),
	('buyer', 3, 'Chloé Thomas', ''), ('buyer', 4, 'Louis Robert', ''), ('buyer', 5, 'Manon Petit', ''),
	('buyer', 6, 'Jules Durand', ''), ('buyer', 7, 'Inès Leroy', '');
-- What happens there, and practical notes (no Markdown or HTML special characters: the stored
-- HTML below is built by hand from the same words).
INSERT INTO bench_ew (list, i, label, slug) VALUES
	('what', 0, 'Venez nombreux, en famille ou entre amis.', ''),
	('what', 1, 'Une soirée pour se retrouver et faire vivre le village.', ''),
	('what', 2, 'Les bénévoles vous accueillent dès l''ouverture des portes.', ''),
	('what', 3, 'Un moment de partage ouvert à toutes les générations.', ''),
	('what', 4, 'Programme complet sur place et à la mairie.', ''),
	('what', 5, 'Buvette et petite restauration au profit de l''association.', ''),
	('what', 6, 'Les enfants de moins de douze ans sont accompagnés.', ''),
	('what', 7, 'En cas de pluie, repli dans la salle voisine.', ''),
	('note', 0, 'Parking gratuit à deux pas', ''),
	('note', 1, 'Accès en fauteuil roulant par l''entrée latérale', ''),
	('note', 2, 'Boucle magnétique à l''accueil', ''),
	('note', 3, 'Covoiturage depuis la place de la gare', ''),
	('note', 4, 'Paiement par carte et en espèces', ''),
	('note', 5, 'Vestiaire et toilettes sur place', ''),
	('note', 6, 'Chiens tenus en laisse acceptés', ''),
	('note', 7, 'Prévoir de bonnes chaussures', ''),
	('note', 8, 'Ouverture des portes trente minutes avant', ''),
	('note', 9, 'Billets en vente sur place dans la limite des places', '');

-- The run's clock: midnight UTC of the day of the run.
CREATE TEMP TABLE bench_day AS SELECT now, now - now % 86400 AS day0 FROM bench_clock;

-- One row per event with every pick made.
CREATE TEMP TABLE bench_ev0 AS
SELECT n,
	(n * 7) % 16 AS cat,
	((n * 7) % 10000) + 1 AS org_id,
	1 + (n * 3) % 8 AS commune_id,
	(n * 5) % 12 AS theme,
	(n * 11) % 10 AS venue,
	(n * 13) % 8 AS street,
	(n * 3) % 8 AS what,
	n % 10 AS note1,
	(n * 7 + 3) % 10 AS note2,
	-- day offset from the day of the run, -365..364, and local hour 9..21 (UTC = local - 1 h, near enough)
	((n * 7919) % 730) - 365 AS dayoff,
	9 + (n * 13) % 13 AS hour,
	CASE WHEN n % 20 = 0 THEN CASE WHEN n % 40 = 0 THEN 12 ELSE 8 END
	     WHEN n % 10 = 1 THEN 3 ELSE 1 END AS ndates,
	CASE WHEN n % 4 = 0 THEN 1 ELSE 0 END AS ticketed,
	CASE WHEN n % 50 = 7 THEN 'cancelled' WHEN n % 50 = 13 THEN 'postponed'
	     WHEN n % 100 = 29 THEN 'draft' ELSE 'published' END AS status
FROM bench_n;

CREATE TEMP TABLE bench_ev AS
SELECT b.*,
	(SELECT label FROM bench_ew WHERE list = 'cat' AND i = b.cat) || ' '
		|| (SELECT label FROM bench_ew WHERE list = 'theme' AND i = b.theme) AS title,
	(SELECT slug FROM bench_ew WHERE list = 'catslug' AND i = b.cat) || '-'
		|| (SELECT slug FROM bench_ew WHERE list = 'theme' AND i = b.theme) || '-'
		|| (SELECT slug FROM bench_ew WHERE list = 'commune' AND i = b.commune_id) || '-' || b.n AS slug,
	(SELECT slug FROM bench_ew WHERE list = 'cat' AND i = b.cat) AS category,
	(SELECT name FROM communes WHERE id = b.commune_id) AS commune,
	(SELECT postcode FROM communes WHERE id = b.commune_id) AS postcode,
	(SELECT label FROM bench_ew WHERE list = 'venue' AND i = b.venue) AS venue_name,
	(SELECT label FROM bench_ew WHERE list = 'street' AND i = b.street) AS street_name,
	(SELECT label FROM bench_ew WHERE list = 'what' AND i = b.what) AS what_text,
	(SELECT label FROM bench_ew WHERE list = 'note' AND i = b.note1) AS note1_text,
	(SELECT label FROM bench_ew WHERE list = 'note' AND i = b.note2) AS note2_text,
	(SELECT email FROM organisations WHERE id = b.org_id) AS org_email,
	(SELECT day0 FROM bench_day) + b.dayoff * 86400 + (b.hour - 1) * 3600 AS starts_at
FROM bench_ev0 b;

INSERT INTO events (id, org_id, slug, title, summary, description, description_html, category,
		    commune_id, venue_name, venue_address, lat_e6, lon_e6, is_ticketed, capacity,
		    accessibility, access_notes, status, created_by, created_at, updated_at)
SELECT e.n, e.org_id, e.slug, e.title,
	e.title || ' à ' || e.commune || ', ' || e.venue_name || '.',
	'**' || e.title || '** à ' || e.commune || ', ' || e.venue_name || '. ' || e.what_text || '

- ' || e.note1_text || '
- ' || e.note2_text || '

Renseignements : [' || e.org_email || '](mailto:' || e.org_email || ').',
	'<p><strong>' || e.title || '</strong> à ' || e.commune || ', ' || e.venue_name || '. '
		|| e.what_text || '</p>
<ul>
<li>' || e.note1_text || '</li>
<li>' || e.note2_text || '</li>
</ul>
<p>Renseignements : <a href="mailto:' || e.org_email || '">' || e.org_email || '</a>.</p>
',
	e.category, e.commune_id, e.venue_name,
	(1 + e.n % 40) || ', ' || e.street_name || ', ' || e.postcode || ' ' || e.commune,
	46950000 + (e.n * 7919) % 200000, 6050000 + (e.n * 104729) % 300000,
	e.ticketed,
	CASE WHEN e.ticketed = 1 THEN 50 + (e.n * 37) % 450 ELSE NULL END,
	CASE WHEN e.n % 5 = 0 THEN 'wheelchair,hearing_loop' WHEN e.n % 3 = 0 THEN 'wheelchair' ELSE '' END,
	CASE WHEN e.n % 5 = 0 THEN 'Places réservées au premier rang.' ELSE '' END,
	e.status,
	((e.org_id * 4) * 7919) % 50000 + 1,
	e.starts_at - 40 * 86400,
	e.starts_at - 30 * 86400
FROM bench_ev e ORDER BY e.n;

-- Dates: event n, occurrence k (1..ndates) has id (n - 1) * 12 + k. Series of 3 are daily, longer
-- ones weekly; a date lasts 2 to 4 hours, a festival 2 days, an exhibition 2 weeks.
INSERT INTO event_dates (id, event_id, starts_at, ends_at, cancelled)
SELECT (e.n - 1) * 12 + k.n, e.n,
	e.starts_at + (k.n - 1) * CASE WHEN e.ndates = 3 THEN 86400 ELSE 7 * 86400 END,
	e.starts_at + (k.n - 1) * CASE WHEN e.ndates = 3 THEN 86400 ELSE 7 * 86400 END
		+ CASE e.category WHEN 'festival' THEN 2 * 86400 WHEN 'exhibition' THEN 14 * 86400
			ELSE (2 + e.n % 3) * 3600 END,
	CASE WHEN e.ndates > 1 AND k.n = 2 AND e.n % 60 = 0 THEN 1 ELSE 0 END
FROM bench_ev e JOIN bench_n k ON k.n <= e.ndates
ORDER BY e.n, k.n;

-- Ticketing of one event in four: the shop, its types (full price always, reduced for one in
-- two, free for children one in four) and one quota per date shared by the types.
INSERT INTO ticket_shops (event_id, currency, providers, attendee_names, updated_at)
SELECT n, 'EUR', CASE WHEN n % 8 = 0 THEN 'onsite,transfer' ELSE 'onsite' END, 'optional',
	starts_at - 30 * 86400
FROM bench_ev WHERE ticketed = 1 ORDER BY n;

INSERT INTO ticket_types (id, event_id, name, description, price_cents, currency, min_per_order,
			  max_per_order, visibility, position, created_at, updated_at)
SELECT (n / 4) * 3 - 2, n, 'Plein tarif', '', 800 + (n * 3) % 5 * 200, 'EUR', 1, 10, 'public', 0,
	starts_at - 30 * 86400, starts_at - 30 * 86400
FROM bench_ev WHERE ticketed = 1
UNION ALL
SELECT (n / 4) * 3 - 1, n, 'Tarif réduit', 'Étudiants, demandeurs d''emploi', 500, 'EUR', 1, 10,
	'public', 1, starts_at - 30 * 86400, starts_at - 30 * 86400
FROM bench_ev WHERE ticketed = 1 AND n % 8 = 0
UNION ALL
SELECT (n / 4) * 3, n, 'Enfant', 'Moins de 12 ans', 0, 'EUR', 1, 10, 'public', 2,
	starts_at - 30 * 86400, starts_at - 30 * 86400
FROM bench_ev WHERE ticketed = 1 AND n % 16 = 0;

INSERT INTO ticket_quotas (id, event_date_id, name, size, sold, created_at)
SELECT d.id, d.id, 'Jauge', e.capacity, 0, e.created_at
FROM event_dates d JOIN events e ON e.id = d.event_id
WHERE e.is_ticketed = 1 AND e.id <= 20000 ORDER BY d.id;

INSERT INTO ticket_quota_types (quota_id, ticket_type_id)
SELECT q.id, t.id
FROM ticket_quotas q JOIN event_dates d ON d.id = q.event_date_id
JOIN ticket_types t ON t.event_id = d.event_id
ORDER BY q.id, t.id;

-- ---- the organisation and the three events of the load scenarios ----------------------------
INSERT INTO organisations (id, slug, kind, name, summary, description, category, commune_id, address,
			   email, phone, website, created_by, created_at, updated_at)
SELECT 10001, 'festival-du-val-de-loue', 'association', 'Festival du Val de Loue',
	'Le festival de musique du Val de Loue, chaque été à Lods.',
	'Le **festival de musique** du Val de Loue : trois jours de concerts chaque été.', 'vie-locale',
	8, '1, place de la Mairie, 25350 Lods', 'contact@festival-du-val-de-loue.example.org',
	'03 81 60 00 01', '', 49991, now - 400 * 86400, now - 400 * 86400
FROM bench_clock;

INSERT INTO org_members (org_id, account_id, role, created_at)
SELECT 10001, 49991, 'owner', now - 400 * 86400 FROM bench_clock
UNION ALL SELECT 10001, 49992, 'box_office', now - 300 * 86400 FROM bench_clock;

INSERT INTO events (id, org_id, slug, title, summary, description, description_html, category,
		    commune_id, venue_name, venue_address, lat_e6, lon_e6, is_ticketed, capacity,
		    accessibility, access_notes, status, created_by, created_at, updated_at)
SELECT 20000 + k.n, 10001,
	CASE k.n WHEN 1 THEN 'flash-sale-gratuit' WHEN 2 THEN 'flash-sale-payant' ELSE 'controle-entrees' END,
	CASE k.n WHEN 1 THEN 'Grand concert de la Saint-Jean (entrée libre sur inscription)'
		 WHEN 2 THEN 'Nuit du festival' ELSE 'Soirée d''ouverture du festival' END,
	'Trois mille personnes attendues au bord de la Loue.',
	'Le concert que tout le Val de Loue attend : **réservez vite**.',
	'<p>Le concert que tout le Val de Loue attend : <strong>réservez vite</strong>.</p>
',
	'concert', 8, 'Parc du château', '1, place de la Mairie, 25350 Lods', 47048000, 6231000, 1,
	CASE k.n WHEN 3 THEN 10000 ELSE 2000 END, 'wheelchair', '', 'published', 49991,
	c.now - 60 * 86400, c.now - 60 * 86400
FROM bench_n k, bench_clock c WHERE k.n <= 3 ORDER BY k.n;

INSERT INTO event_dates (id, event_id, starts_at, ends_at, cancelled)
SELECT 20000 * 12 + k.n, 20000 + k.n,
	CASE WHEN k.n = 3 THEN c.now - 3600 ELSE c.day0 + 30 * 86400 + 18 * 3600 END,
	CASE WHEN k.n = 3 THEN c.now + 5 * 3600 ELSE c.day0 + 30 * 86400 + 23 * 3600 END, 0
FROM bench_n k, bench_day c WHERE k.n <= 3 ORDER BY k.n;

INSERT INTO ticket_shops (event_id, currency, providers, attendee_names, updated_at)
SELECT 20000 + k.n, 'EUR', 'onsite', 'optional', c.now - 60 * 86400
FROM bench_n k, bench_clock c WHERE k.n <= 3 ORDER BY k.n;

INSERT INTO ticket_types (id, event_id, name, description, price_cents, currency, min_per_order,
			  max_per_order, visibility, position, created_at, updated_at)
SELECT 20000 + k.n, 20000 + k.n,
	CASE k.n WHEN 1 THEN 'Entrée libre' ELSE 'Plein tarif' END, '',
	CASE k.n WHEN 1 THEN 0 ELSE 1500 END, 'EUR', 1, 10, 'public', 0,
	c.now - 60 * 86400, c.now - 60 * 86400
FROM bench_n k, bench_clock c WHERE k.n <= 3 ORDER BY k.n;

INSERT INTO ticket_quotas (id, event_date_id, name, size, sold, created_at)
SELECT 20000 * 12 + k.n, 20000 * 12 + k.n, 'Jauge', CASE k.n WHEN 3 THEN 10000 ELSE 2000 END,
	CASE k.n WHEN 3 THEN 10000 ELSE 0 END, c.now - 60 * 86400
FROM bench_n k, bench_clock c WHERE k.n <= 3 ORDER BY k.n;

INSERT INTO ticket_quota_types (quota_id, ticket_type_id)
SELECT 20000 * 12 + n, 20000 + n FROM bench_n WHERE n <= 3 ORDER BY n;

-- 5,000 paid orders of two tickets for the check-in rush, paid on site a week before.
CREATE TEMP TABLE bench_alpha AS
SELECT 'ABCDEFGHIJKMNPQRSTUVWXYZ23456789' AS abc, '0123456789abcdef' AS hex;

INSERT INTO orders (id, code, secret, event_id, org_id, account_id, buyer_name, buyer_email, lang,
		    status, total_cents, currency, provider, voucher_uses, hold_until, created_at, paid_at)
SELECT n,
	substr(a.abc, CAST(1 + ((n * 2037873) / 1) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 7655195) / 32) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 1831971) / 1024) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 4709137) / 32768) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 1781527) / 1) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 3234303) / 32) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 5858837) / 1024) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + (n / 1024) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + (n / 32) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + (n / 1) % 32 AS INTEGER), 1),
	substr(a.hex, CAST(1 + ((n * 8031987) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 3420199) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 2976225) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 6175467) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 4032085) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 2728987) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 4151953) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 7247795) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 2634613) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 2053425) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 1999941) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 4455413) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 9328453) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 9920785) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 8173809) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 6270515) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 8811503) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 8603173) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 7066345) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 6029255) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 5167907) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 4015985) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 5095259) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 2373299) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 6037345) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 9811335) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 9306675) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 6762565) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 8530189) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 5830795) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 2228107) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 2980815) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 9588807) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 8014937) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 3767605) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 6738745) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 3549877) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 9203439) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 8074925) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 1657789) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 2302255) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 6263809) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 6706307) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 6875019) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 9332821) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 8653855) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 2153651) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 2570281) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 5528829) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 8954051) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 2090519) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 2017865) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 6194349) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 8476611) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 5774721) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 7472507) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 6821783) / 1) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 1378543) / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 8745961) / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + ((n * 6963699) / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + (n / 4096) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + (n / 256) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + (n / 16) % 16 AS INTEGER), 1) ||
		substr(a.hex, CAST(1 + (n / 1) % 16 AS INTEGER), 1),
	20003, 10001, NULL,
	(SELECT label FROM bench_ew WHERE list = 'buyer' AND i = n % 8) || ' ' || n,
	'spectateur.' || n || '@example.org', 'fr', 'paid', 3000, 'EUR', 'onsite', 0, NULL,
	c.now - 7 * 86400 + n * 60, c.now - 7 * 86400 + n * 60
FROM bench_n, bench_alpha a, bench_clock c WHERE n <= 5000 ORDER BY n;

INSERT INTO tickets (id, order_id, ticket_type_id, event_date_id, code, attendee_name,
		     list_price_cents, discount_cents, price_cents)
SELECT n, (n + 1) / 2, 20003, 20000 * 12 + 3,
	substr(a.abc, CAST(1 + ((n * 6433013) / 1) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 3530829) / 32) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 7624039) / 1024) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 1810111) / 32768) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 2215279) / 1) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 9990609) / 32) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 2579241) / 1024) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 7135241) / 32768) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 1973061) / 1) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 9513359) / 32) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 4602037) / 1024) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 1629073) / 32768) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 2441955) / 1) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 8275367) / 32) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 8015765) / 1024) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 2171979) / 32768) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 5037655) / 1) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 2521911) / 32) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 8122251) / 1024) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 1991709) / 32768) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 3077053) / 1) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + ((n * 4745329) / 32) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + (n / 32768) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + (n / 1024) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + (n / 32) % 32 AS INTEGER), 1) ||
		substr(a.abc, CAST(1 + (n / 1) % 32 AS INTEGER), 1),
	'', 1500, 0, 1500
FROM bench_n, bench_alpha a WHERE n <= 10000 ORDER BY n;

INSERT INTO payments (id, purpose, order_id, org_id, provider, amount_cents, currency, status,
		      idempotency_key, created_at, captured_at, updated_at)
SELECT o.id, 'order', o.id, 10001, 'onsite', 3000, 'EUR', 'captured', 'bench-payment-' || o.id,
	o.created_at, o.paid_at, o.paid_at
FROM orders o WHERE o.event_id = 20003 ORDER BY o.id;

INSERT INTO ledger (id, org_id, kind, amount_cents, currency, provider, order_id, payment_id, memo, created_at)
SELECT o.id, 10001, 'payment', 3000, 'EUR', 'onsite', o.id, o.id, '', o.paid_at
FROM orders o WHERE o.event_id = 20003 ORDER BY o.id;

DROP TABLE bench_alpha;
DROP TABLE bench_ev;
DROP TABLE bench_ev0;
DROP TABLE bench_day;
DROP TABLE bench_ew;
DROP TABLE bench_n;

COMMIT;
