-- seed.sql: a large, deterministic territory for `make bench`, in SQL that SQLite and PostgreSQL both run.
--
-- Loaded into a database that `kiosque migrate` has just created (schema from db/migrations, territory
-- row 1 present, every other table empty): 8 communes, 50,000 accounts, 10,000 organisations of the
-- four kinds with French names, summaries and Markdown descriptions (400-700 bytes), 1-4 members
-- each (25,000 memberships). Everything is set-based: one numbers table, one word-list table, and an
-- INSERT ... SELECT per table, so it loads in about a second.
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

-- Accounts: prénom.nom.N@example.org; the hash is a well-formed argon2id string that matches no
-- password (bench accounts never log in).
INSERT INTO accounts (id, email, email_lower, display_name, password_hash, email_verified_at,
		      platform_role, lang, created_at)
SELECT a.n,
	f.slug || '.' || l.slug || '.' || a.n || '@example.org',
	f.slug || '.' || l.slug || '.' || a.n || '@example.org',
	f.label || ' ' || l.label,
	'$argon2id$v=19$m=65536,t=2,p=1$YmVuY2hiZW5jaGJlbmNoMTI$'
		|| 'Q0n0QmVuY2hCZW5jaEJlbmNoQmVuY2hCZW5jaEJlbmNoMDA',
	1700000000 + a.n * 300,
	CASE WHEN a.n <= 2 THEN 'admin' WHEN a.n <= 10 THEN 'moderator' ELSE '' END,
	CASE WHEN a.n % 10 = 0 THEN 'en' ELSE 'fr' END,
	1700000000 + a.n * 300
FROM bench_seq a
JOIN bench_words f ON f.list = 'first' AND f.i = (a.n * 7) % 24
JOIN bench_words l ON l.list = 'last' AND l.i = (a.n * 11) % 30;

-- Organisations. Kind by a hash of the id: 45 % associations, 30 % businesses, 15 % producers,
-- 10 % public bodies. The owner (created_by) is the first member below.
INSERT INTO organisations (id, slug, kind, name, summary, description, category, commune_id, address,
			   email, phone, website, created_by, created_at, updated_at)
SELECT o.id,
	o.slug,
	o.kind,
	o.name,
	o.name || ' ' || act.label || ', à ' || c.name || '.',
	'## Qui sommes-nous ?

**' || o.name || '** ' || act.label || ' à ' || c.name || ' depuis ' || (1950 + o.id % 74) || '. '
	|| 'Nous sommes ' || (2 + o.id % 40) || ' personnes, bénévoles ou salariées, '
	|| 'et nous tenons à ce que chacun trouve sa place.

### Ce que nous proposons

- ' || o1.label || '
- ' || o2.label || '
- ' || o3.label || '

Retrouvez-nous au ' || (1 + o.id % 60) || ', ' || st.label || ' à ' || c.name
	|| ', ou écrivez-nous à [' || o.email || '](mailto:' || o.email || '). *Tout le monde est bienvenu.*',
	CASE o.kind WHEN 'association' THEN 'vie-locale' WHEN 'business' THEN 'commerce'
		WHEN 'producer' THEN 'alimentation' ELSE 'services-publics' END,
	o.commune_id,
	(1 + o.id % 60) || ', ' || st.label || ', ' || c.postcode || ' ' || c.name,
	o.email,
	'03 81 ' || (10 + o.id % 90) || ' ' || (10 + (o.id * 7) % 90) || ' ' || (10 + (o.id * 13) % 90),
	CASE WHEN o.id % 3 = 0 THEN '' ELSE 'https://' || o.slug || '.example.org' END,
	o.owner,
	1700000000 + o.id * 1500,
	1700000000 + o.id * 1500 + (o.id % 100) * 86400
FROM (
	SELECT b.id, b.kind, b.commune_id, b.owner,
		CASE b.kind
			WHEN 'public_body' THEN pre.label || ' de ' || cw.label
			WHEN 'business' THEN pre.label || ' ' || ln.label
			WHEN 'producer' THEN pre.label || CASE WHEN b.id % 2 = 0 THEN ' ' || ln.label ELSE ' ' || pl.label END
			ELSE pre.label || ' ' || pl.label
		END AS name,
		CASE b.kind
			WHEN 'public_body' THEN pre.slug || '-' || cw.slug
			WHEN 'business' THEN pre.slug || '-' || ln.slug
			WHEN 'producer' THEN pre.slug || '-' || CASE WHEN b.id % 2 = 0 THEN ln.slug ELSE pl.slug END
			ELSE pre.slug || '-' || pl.slug
		END || '-' || b.id AS slug,
		'contact.' || b.id || '@' || pre.slug || '.example.org' AS email
	FROM (
		SELECT n AS id,
			CASE WHEN (n * 37) % 20 < 9 THEN 'association'
			     WHEN (n * 37) % 20 < 15 THEN 'business'
			     WHEN (n * 37) % 20 < 18 THEN 'producer'
			     ELSE 'public_body' END AS kind,
			1 + (n * 5) % 8 AS commune_id,
			((n * 4) * 7919) % 50000 + 1 AS owner
		FROM bench_seq WHERE n <= 10000
	) b
	JOIN bench_words pre ON pre.list = 'pre_' || b.kind AND pre.i = b.id % 10
	JOIN bench_words pl ON pl.list = 'place' AND pl.i = (b.id * 7) % 20
	JOIN bench_words ln ON ln.list = 'last' AND ln.i = (b.id * 13) % 30
	JOIN bench_words cw ON cw.list = 'commune' AND cw.i = b.commune_id
) o
JOIN communes c ON c.id = o.commune_id
JOIN bench_words act ON act.list = 'act_' || o.kind AND act.i = (o.id * 3) % 8
JOIN bench_words o1 ON o1.list = 'offer' AND o1.i = o.id % 24
JOIN bench_words o2 ON o2.list = 'offer' AND o2.i = (o.id + 7) % 24
JOIN bench_words o3 ON o3.list = 'offer' AND o3.i = (o.id + 15) % 24
JOIN bench_words st ON st.list = 'street' AND st.i = (o.id * 11) % 16;

-- 1-4 members per organisation. Member k of org n is account ((4n + k) * 7919) mod 50,000 + 1:
-- 7919 is prime to 50,000 and 4n + k < 50,000, so no account is picked twice.
INSERT INTO org_members (org_id, account_id, role, created_at)
SELECT o.n,
	((o.n * 4 + k.n - 1) * 7919) % 50000 + 1,
	CASE k.n WHEN 1 THEN 'owner' WHEN 2 THEN 'editor' WHEN 3 THEN 'box_office' ELSE 'treasurer' END,
	1700000000 + o.n * 1500 + k.n * 3600
FROM bench_seq o
JOIN bench_seq k ON k.n <= 1 + (o.n * 7) % 4
WHERE o.n <= 10000;

DROP TABLE bench_seq;
DROP TABLE bench_words;

COMMIT;
