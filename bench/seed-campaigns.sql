-- seed-campaigns.sql: the crowdfunding campaigns of `make bench` (after bench/seed.sql and bench/seed-events.sql,
-- in the same session: it reads the temp table bench_clock), both of organisation 10,001, the festival
-- association of seed-events.sql. Written in the SQL both backends accept; no explicit ids (the
-- identity sequences stay right on PostgreSQL).
-- * bench-campagne-page: the campaign page measured under wrk: live for 20 more days, 5 reward tiers
--   (one unlimited, four of limited quantity), 50 paid public backers with a message (10 per tier,
--   each tier's taken counter matching its contributions as INVARIANT(tier) wants), two news.
-- * bench-campagne-ruee: the contribution rush: live, a tier "Le t-shirt du festival" of 25.00 EUR
--   limited to 500, and an unlimited tier of 10.00 EUR; nothing raised yet. bench/contribute.lua
--   backs it through the real form and the demo card, and bench/run.sh checks the tier and the
--   ledger afterwards.

BEGIN;

CREATE TEMP TABLE bench_cn AS
WITH RECURSIVE s(n) AS (
	SELECT CAST(1 AS BIGINT)
	UNION ALL
	SELECT n + 1 FROM s WHERE n < 50
)
SELECT n FROM s;

INSERT INTO campaigns (org_id, slug, title, summary, story, story_html, category, goal_cents, currency,
		       starts_at, ends_at, model, status, created_by, created_at, updated_at)
SELECT 10001, 'bench-campagne-page', 'Une scène couverte pour le festival',
	'Couvrir la grande scène du parc pour que le festival ne craigne plus la pluie.',
	'Chaque été, trois mille personnes viennent au bord de la Loue. Deux soirs sur dix, la pluie '
	|| 'arrête les concerts.

Avec **15 000 €**, un charpentier du pays couvre la scène d''une '
	|| 'toile tendue sur une charpente en mélèze ; au-delà, nous couvrons aussi la buvette.',
	'<p>Chaque été, trois mille personnes viennent au bord de la Loue. Deux soirs sur dix, la pluie '
	|| 'arrête les concerts.</p>
<p>Avec <strong>15 000 €</strong>, un charpentier du pays couvre la scène d''une toile tendue sur '
	|| 'une charpente en mélèze ; au-delà, nous couvrons aussi la buvette.</p>
',
	'festival', 1500000, 'EUR', now - 10 * 86400, now + 20 * 86400, 'all_or_nothing', 'live', 49991,
	now - 12 * 86400, now - 12 * 86400
FROM bench_clock
UNION ALL
SELECT 10001, 'bench-campagne-ruee', 'Les t-shirts du festival',
	'Cinq cents t-shirts sérigraphiés au village : le premier arrivé est le premier servi.',
	'Les t-shirts financent la navette gratuite depuis la gare.',
	'<p>Les t-shirts financent la navette gratuite depuis la gare.</p>
',
	'festival', 2000000, 'EUR', now - 86400, now + 30 * 86400, 'keep_it', 'live', 49991,
	now - 2 * 86400, now - 2 * 86400
FROM bench_clock;

INSERT INTO campaign_tiers (campaign_id, amount_cents, title, description, quantity, taken, delivery, created_at)
SELECT c.id, t.amount, t.title, t.description, t.quantity, t.taken, t.delivery, c.created_at
FROM campaigns c, (
	SELECT 'bench-campagne-page' AS slug, 1000 AS amount, 'Votre nom sur le site' AS title,
		'Merci en ligne, pour toujours.' AS description, CAST(NULL AS BIGINT) AS quantity,
		10 AS taken, 'Dès le paiement' AS delivery
	UNION ALL SELECT 'bench-campagne-page', 2500, 'L''affiche du festival',
		'Sérigraphiée à 300 exemplaires.', 300, 10, 'En juin, par la poste'
	UNION ALL SELECT 'bench-campagne-page', 5000, 'Deux places pour la soirée d''ouverture',
		'Au premier rang, sous la toile.', 200, 10, 'Au festival'
	UNION ALL SELECT 'bench-campagne-page', 10000, 'Un dîner avec les artistes',
		'Le soir de la clôture, à la buvette.', 40, 10, 'Au festival'
	UNION ALL SELECT 'bench-campagne-page', 50000, 'Un poteau à votre nom',
		'Gravé dans le mélèze de la charpente.', 10, 10, 'À la fin du chantier'
	UNION ALL SELECT 'bench-campagne-ruee', 1000, 'Merci !',
		'Votre nom sur la navette.', CAST(NULL AS BIGINT), 0, 'Au festival'
	UNION ALL SELECT 'bench-campagne-ruee', 2500, 'Le t-shirt du festival',
		'Coton bio, sérigraphié au village. Cinq cents exemplaires.', 500, 0, 'Au festival'
) t
WHERE c.slug = t.slug;

-- 50 paid backers of the page campaign: backer n gives to tier n % 5 at least its amount.
INSERT INTO contributions (campaign_id, org_id, tier_id, amount_cents, currency, backer_name, backer_email,
			   is_public, message, lang, provider, status, secret, idempotency_key, request_hash,
			   hold_until, created_at, paid_at)
SELECT c.id, c.org_id, t.id, t.amount_cents + (k.n % 7) * 500, 'EUR',
	CASE k.n % 10 WHEN 0 THEN 'Camille' WHEN 1 THEN 'Louis' WHEN 2 THEN 'Inès' WHEN 3 THEN 'Gérard'
		WHEN 4 THEN 'Fatou' WHEN 5 THEN 'Hugo' WHEN 6 THEN 'Chloé' WHEN 7 THEN 'Karim'
		WHEN 8 THEN 'Jeanne' ELSE 'Yannick' END || ' ' ||
	CASE k.n % 7 WHEN 0 THEN 'B.' WHEN 1 THEN 'R.' WHEN 2 THEN 'M.' WHEN 3 THEN 'F.'
		WHEN 4 THEN 'D.' WHEN 5 THEN 'L.' ELSE 'V.' END,
	'soutien' || CAST(k.n AS TEXT) || '@example.org', TRUE,
	CASE k.n % 3 WHEN 0 THEN 'Vivement l''été sous la toile !' WHEN 1 THEN 'Bravo aux bénévoles.'
		ELSE '' END,
	'fr', 'demo', 'paid', 'benchpagesecret' || CAST(k.n AS TEXT), 'bench-page-key-' || CAST(k.n AS TEXT),
	'bench', 0, c.starts_at + k.n * 3600, c.starts_at + k.n * 3600 + 60
FROM bench_cn k
JOIN campaigns c ON c.slug = 'bench-campagne-page'
JOIN campaign_tiers t ON t.campaign_id = c.id
	AND t.amount_cents = CASE k.n % 5 WHEN 0 THEN 1000 WHEN 1 THEN 2500 WHEN 2 THEN 5000
		WHEN 3 THEN 10000 ELSE 50000 END
ORDER BY k.n;

INSERT INTO campaign_updates (campaign_id, title, body, body_html, author_id, created_at)
SELECT c.id, u.title, u.body, u.body_html, 49991, c.starts_at + u.off * 86400
FROM campaigns c, (
	SELECT 'Le charpentier a choisi son mélèze' AS title, 'Les poutres sèchent à la scierie.' AS body,
		'<p>Les poutres sèchent à la scierie.</p>
' AS body_html, 3 AS off
	UNION ALL SELECT 'La moitié du chemin !', 'Merci aux cinquante premiers soutiens.',
		'<p>Merci aux cinquante premiers soutiens.</p>
', 8
) u
WHERE c.slug = 'bench-campagne-page';

DROP TABLE bench_cn;

COMMIT;
