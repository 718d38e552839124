-- seed.sql: a large, deterministic territory for `make bench`, in SQL that SQLite and PostgreSQL both run.
--
-- Loaded into a database that `kiosque migrate` has just created (schema from db/migrations, territory
-- row 1 present, every other table empty): 8 communes, 50,000 accounts, 10,000 organisations of the
-- four kinds with French names, summaries and Markdown descriptions (400-700 bytes), 1-4 members
-- each (25,000 memberships). Everything is set-based: one numbers table, one word-list table, and an
-- INSERT ... SELECT per table, so it loads in a few seconds.
--
-- Portable on purpose (one file to keep right): no printf/format/lpad, no negative substr, no
-- `AS t(col)` aliases, no random(); ids are explicit, so on PostgreSQL bench/seed.pg.sql must run
-- after this file to move the identity sequences past them. Picks from the word lists are
-- multiplicative hashes of the row number, so two runs produce the same data.

BEGIN;

-- 1..50,000: the only row source.
CREATE TEMP TABLE bench_seq AS
WITH RECURSIVE s(n) AS (
	SELECT CAST(1 AS BIGINT)
	UNION ALL
	SELECT n + 1 FROM s WHERE n < 50000
)
SELECT n FROM s;
CREATE UNIQUE INDEX bench_seq_n ON bench_seq(n);

-- Word lists: (list, i) -> label (as shown) and slug (ASCII, for slugs and e-mail addresses).
CREATE TEMP TABLE bench_words (
	list TEXT NOT NULL,
	i BIGINT NOT NULL,
	label TEXT NOT NULL,
	slug TEXT NOT NULL,
	PRIMARY KEY (list, i)
);

INSERT INTO bench_words (list, i, label, slug) VALUES
	('commune', 1, 'Villeneuve-sur-Loue', 'villeneuve-sur-loue'),
	('commune', 2, 'Montfaucon', 'montfaucon'),
	('commune', 3, 'Beaulieu-sur-Doubs', 'beaulieu-sur-doubs'),
	('commune', 4, 'Champagney', 'champagney'),
	('commune', 5, 'Saint-Aubin-des-Prés', 'saint-aubin-des-pres'),
	('commune', 6, 'Mouthier-Haute-Pierre', 'mouthier-haute-pierre'),
	('commune', 7, 'Vuillafans', 'vuillafans'),
	('commune', 8, 'Lods', 'lods');

INSERT INTO bench_words (list, i, label, slug) VALUES
	('first', 0, 'Camille', 'camille'), ('first', 1, 'Léa', 'lea'), ('first', 2, 'Hugo', 'hugo'),
	('first', 3, 'Chloé', 'chloe'), ('first', 4, 'Louis', 'louis'), ('first', 5, 'Manon', 'manon'),
	('first', 6, 'Gabriel', 'gabriel'), ('first', 7, 'Inès', 'ines'), ('first', 8, 'Jules', 'jules'),
	('first', 9, 'Zoé', 'zoe'), ('first', 10, 'Théo', 'theo'), ('first', 11, 'Anaïs', 'anais'),
	('first', 12, 'Mathis', 'mathis'), ('first', 13, 'Élodie', 'elodie'), ('first', 14, 'Nicolas', 'nicolas'),
	('first', 15, 'Sophie', 'sophie'), ('first', 16, 'Antoine', 'antoine'), ('first', 17, 'Margaux', 'margaux'),
	('first', 18, 'Rémi', 'remi'), ('first', 19, 'Céline', 'celine'), ('first', 20, 'Bastien', 'bastien'),
	('first', 21, 'Juliette', 'juliette'), ('first', 22, 'François', 'francois'), ('first', 23, 'Nathalie', 'nathalie');

INSERT INTO bench_words (list, i, label, slug) VALUES
	('last', 0, 'Martin', 'martin'), ('last', 1, 'Bernard', 'bernard'), ('last', 2, 'Dubois', 'dubois'),
	('last', 3, 'Thomas', 'thomas'), ('last', 4, 'Robert', 'robert'), ('last', 5, 'Richard', 'richard'),
	('last', 6, 'Petit', 'petit'), ('last', 7, 'Durand', 'durand'), ('last', 8, 'Leroy', 'leroy'),
	('last', 9, 'Moreau', 'moreau'), ('last', 10, 'Simon', 'simon'), ('last', 11, 'Laurent', 'laurent'),
	('last', 12, 'Lefèvre', 'lefevre'), ('last', 13, 'Michel', 'michel'), ('last', 14, 'Garnier', 'garnier'),
	('last', 15, 'Faure', 'faure'), ('last', 16, 'Girard', 'girard'), ('last', 17, 'Bonnet', 'bonnet'),
	('last', 18, 'Mercier', 'mercier'), ('last', 19, 'Chevalier', 'chevalier'), ('last', 20, 'Perrin', 'perrin'),
	('last', 21, 'Grosjean', 'grosjean'), ('last', 22, 'Cuenot', 'cuenot'), ('last', 23, 'Vuillemin', 'vuillemin'),
	('last', 24, 'Jeannin', 'jeannin'), ('last', 25, 'Bourgeois', 'bourgeois'), ('last', 26, 'Roussel', 'roussel'),
	('last', 27, 'Boillot', 'boillot'), ('last', 28, 'Tissot', 'tissot'), ('last', 29, 'Marguet', 'marguet');

INSERT INTO bench_words (list, i, label, slug) VALUES
	('place', 0, 'du Vieux Moulin', 'vieux-moulin'), ('place', 1, 'des Tilleuls', 'tilleuls'),
	('place', 2, 'de la Source', 'source'), ('place', 3, 'du Val de Loue', 'val-de-loue'),
	('place', 4, 'des Quatre Vents', 'quatre-vents'), ('place', 5, 'de la Roche', 'roche'),
	('place', 6, 'du Pont Neuf', 'pont-neuf'), ('place', 7, 'des Prés Fleuris', 'pres-fleuris'),
	('place', 8, 'de la Combe', 'combe'), ('place', 9, 'du Lavoir', 'lavoir'),
	('place', 10, 'des Sapins', 'sapins'), ('place', 11, 'de la Fontaine', 'fontaine'),
	('place', 12, 'du Belvédère', 'belvedere'), ('place', 13, 'des Vergers', 'vergers'),
	('place', 14, 'de la Forge', 'forge'), ('place', 15, 'du Clocher', 'clocher'),
	('place', 16, 'des Hauts Plateaux', 'hauts-plateaux'), ('place', 17, 'de la Vallée', 'vallee'),
	('place', 18, 'du Grand Pré', 'grand-pre'), ('place', 19, 'des Marronniers', 'marronniers');

INSERT INTO bench_words (list, i, label, slug) VALUES
	('pre_association', 0, 'Association', 'association'), ('pre_association', 1, 'Les Amis', 'les-amis'),
	('pre_association', 2, 'Club sportif', 'club-sportif'), ('pre_association', 3, 'Comité des fêtes', 'comite-des-fetes'),
	('pre_association', 4, 'Chorale', 'chorale'), ('pre_association', 5, 'Compagnie théâtrale', 'compagnie-theatrale'),
	('pre_association', 6, 'Cercle de lecture', 'cercle-de-lecture'), ('pre_association', 7, 'Union cycliste', 'union-cycliste'),
	('pre_association', 8, 'Foyer rural', 'foyer-rural'), ('pre_association', 9, 'Jardins partagés', 'jardins-partages'),
	('pre_business', 0, 'Boulangerie', 'boulangerie'), ('pre_business', 1, 'Garage', 'garage'),
	('pre_business', 2, 'Librairie', 'librairie'), ('pre_business', 3, 'Café', 'cafe'),
	('pre_business', 4, 'Épicerie', 'epicerie'), ('pre_business', 5, 'Salon de coiffure', 'salon-de-coiffure'),
	('pre_business', 6, 'Menuiserie', 'menuiserie'), ('pre_business', 7, 'Pharmacie', 'pharmacie'),
	('pre_business', 8, 'Restaurant', 'restaurant'), ('pre_business', 9, 'Quincaillerie', 'quincaillerie'),
	('pre_producer', 0, 'Ferme', 'ferme'), ('pre_producer', 1, 'GAEC', 'gaec'),
	('pre_producer', 2, 'Fromagerie', 'fromagerie'), ('pre_producer', 3, 'Miellerie', 'miellerie'),
	('pre_producer', 4, 'Vergers', 'vergers'), ('pre_producer', 5, 'Domaine', 'domaine'),
	('pre_producer', 6, 'Chèvrerie', 'chevrerie'), ('pre_producer', 7, 'Maraîchage', 'maraichage'),
	('pre_producer', 8, 'Brasserie artisanale', 'brasserie-artisanale'), ('pre_producer', 9, 'Moulin', 'moulin'),
	('pre_public_body', 0, 'Mairie', 'mairie'), ('pre_public_body', 1, 'Médiathèque', 'mediatheque'),
	('pre_public_body', 2, 'École publique', 'ecole-publique'), ('pre_public_body', 3, 'Piscine municipale', 'piscine-municipale'),
	('pre_public_body', 4, 'Centre social', 'centre-social'), ('pre_public_body', 5, 'Office de tourisme', 'office-de-tourisme'),
	('pre_public_body', 6, 'Maison de santé', 'maison-de-sante'), ('pre_public_body', 7, 'Collège', 'college'),
	('pre_public_body', 8, 'Salle des fêtes', 'salle-des-fetes'), ('pre_public_body', 9, 'Crèche', 'creche');

-- What each kind does (summaries, first paragraph of the description).
INSERT INTO bench_words (list, i, label, slug) VALUES
	('act_association', 0, 'organise chaque mois des sorties ouvertes à tous', ''),
	('act_association', 1, 'fait vivre le patrimoine du village et ses fêtes', ''),
	('act_association', 2, 'propose des ateliers pour les enfants et les familles', ''),
	('act_association', 3, 'accueille les nouveaux habitants et les aide à s''installer', ''),
	('act_association', 4, 'répète le jeudi soir et donne deux concerts par an', ''),
	('act_association', 5, 'entretient les sentiers et balise les randonnées', ''),
	('act_association', 6, 'prête des livres et anime des lectures publiques', ''),
	('act_association', 7, 'cultive des parcelles partagées et échange des semences', ''),
	('act_business', 0, 'vous accueille du mardi au samedi, de 7 h à 19 h', ''),
	('act_business', 1, 'travaille avec des fournisseurs du territoire', ''),
	('act_business', 2, 'répare, conseille et livre à domicile', ''),
	('act_business', 3, 'propose une carte de saison faite maison', ''),
	('act_business', 4, 'commande en 48 heures ce qui n''est pas en rayon', ''),
	('act_business', 5, 'forme chaque année un ou deux apprentis', ''),
	('act_business', 6, 'tient un point relais et un dépôt de pain', ''),
	('act_business', 7, 'accepte la monnaie locale et les chèques-cadeaux du territoire', ''),
	('act_producer', 0, 'élève un troupeau de montbéliardes nourries à l''herbe', ''),
	('act_producer', 1, 'produit du comté affiné dix-huit mois en cave', ''),
	('act_producer', 2, 'récolte un miel de sapin et de fleurs de montagne', ''),
	('act_producer', 3, 'cultive des légumes de saison sans pesticides de synthèse', ''),
	('act_producer', 4, 'presse ses pommes et ses poires pour des jus et du cidre', ''),
	('act_producer', 5, 'vend à la ferme le vendredi et au marché le samedi', ''),
	('act_producer', 6, 'accueille les classes pour des visites pédagogiques', ''),
	('act_producer', 7, 'livre des paniers chaque semaine dans les communes voisines', ''),
	('act_public_body', 0, 'est ouvert au public du lundi au vendredi', ''),
	('act_public_body', 1, 'accompagne les habitants dans leurs démarches', ''),
	('act_public_body', 2, 'propose des animations gratuites toute l''année', ''),
	('act_public_body', 3, 'met ses salles à la disposition des associations', ''),
	('act_public_body', 4, 'publie ici ses horaires et ses fermetures exceptionnelles', ''),
	('act_public_body', 5, 'organise des permanences le samedi matin', ''),
	('act_public_body', 6, 'est accessible aux personnes à mobilité réduite', ''),
	('act_public_body', 7, 'informe sur les travaux et la vie de la commune', '');

-- Bullet points of the descriptions, and streets of the addresses.
INSERT INTO bench_words (list, i, label, slug) VALUES
	('offer', 0, 'Permanence le **mercredi** de 14 h à 18 h', ''),
	('offer', 1, 'Adhésion annuelle : 15 € (gratuit pour les moins de 18 ans)', ''),
	('offer', 2, 'Marché de producteurs le premier dimanche du mois', ''),
	('offer', 3, 'Ateliers découverte pendant les vacances scolaires', ''),
	('offer', 4, 'Vente directe et *paniers sur commande*', ''),
	('offer', 5, 'Prêt de matériel aux habitants', ''),
	('offer', 6, 'Visites guidées sur rendez-vous', ''),
	('offer', 7, 'Bénévoles bienvenus, même une heure par mois', ''),
	('offer', 8, 'Paiement par carte, espèces et monnaie locale', ''),
	('offer', 9, 'Livraison dans les huit communes du territoire', ''),
	('offer', 10, 'Salle accessible en fauteuil roulant', ''),
	('offer', 11, 'Goûter partagé après chaque rencontre', ''),
	('offer', 12, 'Sortie annuelle au lac de Saint-Point', ''),
	('offer', 13, 'Soirées jeux le vendredi soir', ''),
	('offer', 14, 'Conseils personnalisés et devis gratuits', ''),
	('offer', 15, 'Produits **bio** et de saison', ''),
	('offer', 16, 'Fête de l''été le dernier samedi de juin', ''),
	('offer', 17, 'Cours pour débutants et confirmés', ''),
	('offer', 18, 'Bourse aux vêtements au printemps et à l''automne', ''),
	('offer', 19, 'Accueil des groupes et des scolaires', ''),
	('offer', 20, 'Horaires élargis pendant l''été', ''),
	('offer', 21, 'Parking gratuit à deux pas', ''),
	('offer', 22, 'Lettre d''information chaque trimestre', ''),
	('offer', 23, 'Tarif réduit pour les familles nombreuses', ''),
	('street', 0, 'rue de l''Église', ''), ('street', 1, 'Grande Rue', ''), ('street', 2, 'rue des Écoles', ''),
	('street', 3, 'place de la Mairie', ''), ('street', 4, 'chemin des Vignes', ''), ('street', 5, 'rue du Stade', ''),
	('street', 6, 'route de Besançon', ''), ('street', 7, 'rue du Moulin', ''), ('street', 8, 'impasse des Lilas', ''),
	('street', 9, 'rue de la Gare', ''), ('street', 10, 'chemin de la Croix', ''), ('street', 11, 'rue Pasteur', ''),
	('street', 12, 'allée des Peupliers', ''), ('street', 13, 'rue Victor-Hugo', ''), ('street', 14, 'route de Pontarlier', ''),
	('street', 15, 'rue du Lavoir', '');

UPDATE territory SET
	name = 'Pays du Val de Loue',
	short_name = 'Val de Loue',
	description = 'Huit communes, cinquante mille habitants et des milliers d''associations, de commerces, '
		|| 'de producteurs et de services publics : **tout ce qui fait vivre le Val de Loue**, au même endroit.'
WHERE id = 1;

INSERT INTO communes (id, insee, name, postcode)
SELECT i, CAST(25600 + i * 7 AS TEXT), label, CAST(25280 + i * 10 AS TEXT)
FROM bench_words WHERE list = 'commune';

-- Picks from the word lists are scalar subqueries, not joins: without statistics on the temp
-- tables SQLite's planner put five word lists in the outer loops (16 x 20 x 30 x 24 x 24 rows) and
-- the insert ran for minutes; a keyed lookup per row is the same plan on both backends.

-- Accounts: prénom.nom.N@example.org; the hash is a well-formed argon2id string that matches no
-- password (bench accounts never log in).
CREATE TEMP TABLE bench_acct AS
SELECT n,
	(SELECT slug FROM bench_words WHERE list = 'first' AND i = (n * 7) % 24) AS fslug,
	(SELECT label FROM bench_words WHERE list = 'first' AND i = (n * 7) % 24) AS flabel,
	(SELECT slug FROM bench_words WHERE list = 'last' AND i = (n * 11) % 30) AS lslug,
	(SELECT label FROM bench_words WHERE list = 'last' AND i = (n * 11) % 30) AS llabel
FROM bench_seq;

INSERT INTO accounts (id, email, email_lower, display_name, password_hash, email_verified_at,
		      platform_role, lang, created_at)
SELECT n,
	fslug || '.' || lslug || '.' || n || '@example.org',
	fslug || '.' || lslug || '.' || n || '@example.org',
	flabel || ' ' || llabel,
	'$argon2id$v=19$m=65536,t=2,p=1$YmVuY2hiZW5jaGJlbmNoMTI$'
		|| 'Q0n0QmVuY2hCZW5jaEJlbmNoQmVuY2hCZW5jaEJlbmNoMDA',
	1700000000 + n * 300,
	CASE WHEN n <= 2 THEN 'admin' WHEN n <= 10 THEN 'moderator' ELSE '' END,
	CASE WHEN n % 10 = 0 THEN 'en' ELSE 'fr' END,
	1700000000 + n * 300
FROM bench_acct ORDER BY n;

-- Organisations, in two steps: first the row number, kind, commune, owner and the words each
-- one uses; then the rows themselves. Kind by a hash of the id: 45 % associations, 30 %
-- businesses, 15 % producers, 10 % public bodies. The owner (created_by) is the first member below.
CREATE TEMP TABLE bench_org0 AS
SELECT n AS id,
	CASE WHEN (n * 37) % 20 < 9 THEN 'association'
	     WHEN (n * 37) % 20 < 15 THEN 'business'
	     WHEN (n * 37) % 20 < 18 THEN 'producer'
	     ELSE 'public_body' END AS kind,
	1 + (n * 5) % 8 AS commune_id,
	((n * 4) * 7919) % 50000 + 1 AS owner
FROM bench_seq WHERE n <= 10000;

CREATE TEMP TABLE bench_org1 AS
SELECT b.id, b.kind, b.commune_id, b.owner,
	(SELECT label FROM bench_words WHERE list = 'pre_' || b.kind AND i = b.id % 10) AS pre,
	(SELECT slug FROM bench_words WHERE list = 'pre_' || b.kind AND i = b.id % 10) AS pre_slug,
	(SELECT label FROM bench_words WHERE list = 'place' AND i = (b.id * 7) % 20) AS place,
	(SELECT slug FROM bench_words WHERE list = 'place' AND i = (b.id * 7) % 20) AS place_slug,
	(SELECT label FROM bench_words WHERE list = 'last' AND i = (b.id * 13) % 30) AS last,
	(SELECT slug FROM bench_words WHERE list = 'last' AND i = (b.id * 13) % 30) AS last_slug,
	(SELECT label FROM bench_words WHERE list = 'commune' AND i = b.commune_id) AS commune,
	(SELECT slug FROM bench_words WHERE list = 'commune' AND i = b.commune_id) AS commune_slug,
	(SELECT postcode FROM communes WHERE id = b.commune_id) AS postcode,
	(SELECT label FROM bench_words WHERE list = 'act_' || b.kind AND i = (b.id * 3) % 8) AS act,
	(SELECT label FROM bench_words WHERE list = 'offer' AND i = b.id % 24) AS o1,
	(SELECT label FROM bench_words WHERE list = 'offer' AND i = (b.id + 7) % 24) AS o2,
	(SELECT label FROM bench_words WHERE list = 'offer' AND i = (b.id + 15) % 24) AS o3,
	(SELECT label FROM bench_words WHERE list = 'street' AND i = (b.id * 11) % 16) AS street
FROM bench_org0 b;

CREATE TEMP TABLE bench_org AS
SELECT o.*,
	CASE o.kind
		WHEN 'public_body' THEN o.pre || ' de ' || o.commune
		WHEN 'business' THEN o.pre || ' ' || o.last
		WHEN 'producer' THEN o.pre || ' ' || CASE WHEN o.id % 2 = 0 THEN o.last ELSE o.place END
		ELSE o.pre || ' ' || o.place
	END AS name,
	CASE o.kind
		WHEN 'public_body' THEN o.pre_slug || '-' || o.commune_slug
		WHEN 'business' THEN o.pre_slug || '-' || o.last_slug
		WHEN 'producer' THEN o.pre_slug || '-' || CASE WHEN o.id % 2 = 0 THEN o.last_slug ELSE o.place_slug END
		ELSE o.pre_slug || '-' || o.place_slug
	END || '-' || o.id AS slug,
	'contact.' || o.id || '@' || o.pre_slug || '.example.org' AS email
FROM bench_org1 o;

INSERT INTO organisations (id, slug, kind, name, summary, description, category, commune_id, address,
			   email, phone, website, created_by, created_at, updated_at)
SELECT o.id,
	o.slug,
	o.kind,
	o.name,
	o.name || ' ' || o.act || ', à ' || o.commune || '.',
	'## Qui sommes-nous ?

**' || o.name || '** ' || o.act || ' à ' || o.commune || ' depuis ' || (1950 + o.id % 74) || '. '
	|| 'Nous sommes ' || (2 + o.id % 40) || ' personnes, bénévoles ou salariées, '
	|| 'et nous tenons à ce que chacun trouve sa place.

### Ce que nous proposons

- ' || o.o1 || '
- ' || o.o2 || '
- ' || o.o3 || '

Retrouvez-nous au ' || (1 + o.id % 60) || ', ' || o.street || ' à ' || o.commune
	|| ', ou écrivez-nous à [' || o.email || '](mailto:' || o.email || '). *Tout le monde est bienvenu.*',
	CASE o.kind WHEN 'association' THEN 'vie-locale' WHEN 'business' THEN 'commerce'
		WHEN 'producer' THEN 'alimentation' ELSE 'services-publics' END,
	o.commune_id,
	(1 + o.id % 60) || ', ' || o.street || ', ' || o.postcode || ' ' || o.commune,
	o.email,
	'03 81 ' || (10 + o.id % 90) || ' ' || (10 + (o.id * 7) % 90) || ' ' || (10 + (o.id * 13) % 90),
	CASE WHEN o.id % 3 = 0 THEN '' ELSE 'https://' || o.slug || '.example.org' END,
	o.owner,
	1700000000 + o.id * 1500,
	1700000000 + o.id * 1500 + (o.id % 100) * 86400
FROM bench_org o ORDER BY o.id;

-- 1-4 members per organisation. Member k of org n is account ((4n + k) * 7919) mod 50,000 + 1:
-- 7919 is prime to 50,000 and 4n + k < 50,000, so no account is picked twice.
INSERT INTO org_members (org_id, account_id, role, created_at)
SELECT id, ((id * 4 + k - 1) * 7919) % 50000 + 1,
	CASE k WHEN 1 THEN 'owner' WHEN 2 THEN 'editor' WHEN 3 THEN 'box_office' ELSE 'treasurer' END,
	1700000000 + id * 1500 + k * 3600
FROM (
	SELECT id, 1 AS k FROM bench_org0
	UNION ALL SELECT id, 2 FROM bench_org0 WHERE 1 + (id * 7) % 4 >= 2
	UNION ALL SELECT id, 3 FROM bench_org0 WHERE 1 + (id * 7) % 4 >= 3
	UNION ALL SELECT id, 4 FROM bench_org0 WHERE 1 + (id * 7) % 4 >= 4
) m
ORDER BY id, k;

DROP TABLE bench_org;
DROP TABLE bench_org1;
DROP TABLE bench_org0;
DROP TABLE bench_acct;
DROP TABLE bench_seq;
DROP TABLE bench_words;

COMMIT;
