-- seed-social.sql: the local social network of `make bench` (issue #4), loaded after bench/seed.sql and
-- bench/seed-events.sql, in SQL that SQLite and PostgreSQL both run (same rules: no printf, no random(),
-- explicit ids, picks by multiplicative hashes of the row number, so two runs give the same rows).
--
-- It needs the row bench/run.sh writes before the seeds: TEMP TABLE bench_clock (now).
--
-- What it writes (schema of migrations 0016 to 0020):
-- * 200,000 published posts (ids 1..200,000), one every 5 minutes back from the run (about 694 days):
--   95 % by the 10,000 organisations (each about 19), 5 % by citizens in their own name (org_id NULL);
--   French titles and a Markdown body with its stored HTML; every 2,000th is pinned by a public body.
-- * 500,000 comments on them (ids 1..500,000): in runs of five on one post, the first three top-level,
--   the last two replies to the first; 50,000 authors; a quarter edited.
-- * 150,000 likes on posts.
-- * Follows: every account follows 2 organisations (100,000 rows), and the bench citizen, account
--   49,990, follows 50 organisations and 5 people (the home feed of the benchmark).
-- * The home timelines of every follower (migration 0029).
-- The search indexes of the posts are filled by the triggers of migration 0016 (FTS5) or by the
-- tsvector column (PostgreSQL) as the rows go in.

BEGIN;

CREATE TEMP TABLE bench_s AS
WITH RECURSIVE s(n) AS (
	SELECT CAST(1 AS BIGINT)
	UNION ALL
	SELECT n + 1 FROM s WHERE n < 500000
)
SELECT n FROM s;
CREATE UNIQUE INDEX bench_s_n ON bench_s(n);

CREATE TEMP TABLE bench_sw (
	list TEXT NOT NULL,
	i BIGINT NOT NULL,
	label TEXT NOT NULL,
	PRIMARY KEY (list, i)
);
INSERT INTO bench_sw (list, i, label) VALUES
	('what', 0, 'Vide-grenier'), ('what', 1, 'Marché de Noël'), ('what', 2, 'Assemblée générale'),
	('what', 3, 'Concert de la chorale'), ('what', 4, 'Collecte de jouets'), ('what', 5, 'Repas partagé'),
	('what', 6, 'Nettoyage de la rivière'), ('what', 7, 'Travaux de voirie'), ('what', 8, 'Fête de la musique'),
	('what', 9, 'Atelier couture'), ('what', 10, 'Nouveaux horaires'), ('what', 11, 'Vente de calissons'),
	('what', 12, 'Don du sang'), ('what', 13, 'Tournoi de pétanque'), ('what', 14, 'Bourse aux vélos'),
	('what', 15, 'Soirée jeux'), ('what', 16, 'Cueillette de châtaignes'), ('what', 17, 'Portes ouvertes'),
	('what', 18, 'Conseil municipal'), ('what', 19, 'Randonnée du dimanche');
INSERT INTO bench_sw (list, i, label) VALUES
	('when', 0, 'ce samedi'), ('when', 1, 'dimanche matin'), ('when', 2, 'la semaine prochaine'),
	('when', 3, 'en décembre'), ('when', 4, 'au printemps'), ('when', 5, 'mercredi soir'),
	('when', 6, 'pendant les vacances'), ('when', 7, 'le premier du mois');
INSERT INTO bench_sw (list, i, label) VALUES
	('say', 0, 'Merci pour l''information, on y sera !'), ('say', 1, 'Est-ce que les enfants sont bienvenus ?'),
	('say', 2, 'Super initiative, bravo à toute l''équipe.'), ('say', 3, 'À quelle heure cela commence-t-il ?'),
	('say', 4, 'Je peux apporter un gâteau si besoin.'), ('say', 5, 'Dommage, je ne serai pas là cette fois.'),
	('say', 6, 'Il reste des places pour le covoiturage ?'), ('say', 7, 'Quelle bonne nouvelle pour le village.');

-- Posts: author k of organisation n is its owner (member 1 of seed.sql).
CREATE TEMP TABLE bench_post AS
SELECT n,
	CASE WHEN n % 20 = 7 THEN NULL ELSE (n * 7919) % 10000 + 1 END AS org_id,
	(SELECT label FROM bench_sw WHERE list = 'what' AND i = (n * 13) % 20) AS what,
	(SELECT label FROM bench_sw WHERE list = 'when' AND i = (n * 5) % 8) AS wh,
	(SELECT now FROM bench_clock) - (200001 - n) * 300 AS at
FROM bench_s WHERE n <= 200000;

INSERT INTO posts (id, org_id, slug, title, body, body_html, status, published_at, author_id,
		   created_at, updated_at, pinned_at)
SELECT p.n, p.org_id, 'actu-' || p.n,
	p.what || ' ' || p.wh,
	p.what || ' **' || p.wh || '** : venez nombreux, tout le monde est bienvenu. '
		|| 'Renseignements auprès de l''accueil ou par courriel.',
	'<p>' || p.what || ' <strong>' || p.wh || '</strong> : venez nombreux, tout le monde est bienvenu. '
		|| 'Renseignements auprès de l&#39;accueil ou par courriel.</p>',
	'published', p.at,
	CASE WHEN p.org_id IS NULL THEN (p.n * 31) % 50000 + 1 ELSE ((p.org_id * 4) * 7919) % 50000 + 1 END,
	p.at, p.at,
	CASE WHEN p.n % 2000 = 0 AND p.org_id IS NOT NULL THEN p.at END
FROM bench_post p ORDER BY p.n;

-- Comments: runs of five on one post (the last 150,000 posts get them: the recent ones).
INSERT INTO comments (id, subject_kind, subject_id, parent_id, author_id, body, created_at, edited_at)
SELECT c.n, 'post', 50000 + ((c.n - 1) / 5 * 7919) % 150000 + 1,
	CASE WHEN (c.n - 1) % 5 >= 3 THEN c.n - (c.n - 1) % 5 END,
	(c.n * 17) % 50000 + 1,
	(SELECT label FROM bench_sw WHERE list = 'say' AND i = (c.n * 3) % 8),
	(SELECT now FROM bench_clock) - (500001 - c.n) * 60,
	CASE WHEN c.n % 4 = 0 THEN (SELECT now FROM bench_clock) - (500001 - c.n) * 60 + 120 END
FROM bench_s c ORDER BY c.n;

-- Likes: 150,000 on posts, by distinct (post, account) pairs.
INSERT INTO reactions (subject_kind, subject_id, account_id, created_at)
SELECT 'post', 50000 + (n * 7919) % 150000 + 1, (n * 104729) % 50000 + 1, (SELECT now FROM bench_clock) - n
FROM bench_s WHERE n <= 150000;

-- Follows: two organisations per account, and the bench citizen's 50 organisations and 5 people.
INSERT INTO follows (follower_id, target_kind, target_id, notify_by_mail, created_at)
SELECT n, 'org', (n * 31) % 10000 + 1, n % 3 = 0, 1700000000 + n
FROM bench_s WHERE n <= 50000 AND n <> 49990;
INSERT INTO follows (follower_id, target_kind, target_id, notify_by_mail, created_at)
SELECT n, 'org', (n * 61 + 5000) % 10000 + 1, FALSE, 1700000000 + n
FROM bench_s WHERE n <= 50000 AND n <> 49990 AND (n * 61 + 5000) % 10000 <> (n * 31) % 10000;
INSERT INTO follows (follower_id, target_kind, target_id, notify_by_mail, created_at)
SELECT 49990, 'org', (n * 197) % 10000 + 1, TRUE, 1700000000 + n FROM bench_s WHERE n <= 50;
INSERT INTO follows (follower_id, target_kind, target_id, notify_by_mail, created_at)
SELECT 49990, 'account', (n * 20 - 13) * 20 + 7, FALSE, 1700000000 + n FROM bench_s WHERE n <= 5;

-- The home timelines (migration 0029), as core/feed.c writes them on publication and on follow:
-- one row per follower and post of what they follow (about 1.9 million rows).
INSERT INTO home_timeline (account_id, published_at, post_id)
SELECT f.follower_id, p.published_at, p.id FROM follows f JOIN posts p ON p.org_id = f.target_id
WHERE f.target_kind = 'org' AND p.status = 'published';
INSERT INTO home_timeline (account_id, published_at, post_id)
SELECT f.follower_id, p.published_at, p.id FROM follows f JOIN posts p ON p.author_id = f.target_id
WHERE f.target_kind = 'account' AND p.org_id IS NULL AND p.status = 'published';

DROP TABLE bench_post;
DROP TABLE bench_sw;
DROP TABLE bench_s;

COMMIT;
