-- 0013: crowdfunding campaigns ("Soutenir"): campaigns, reward tiers, contributions, updates.
--
-- Money is integer cents with a currency code; times are UTC seconds. Rules the
-- code keeps (core/campaigns.c):
--   INVARIANT(tier)    a tier's taken == its contributions 'pending' or 'paid',
--                      and taken <= quantity: a seat is taken by a conditional
--                      UPDATE (taken + 1 <= quantity) in the transaction that
--                      writes the contribution, and given back in the one that
--                      cancels it (its hold ran out, or its payment never started).
--   INVARIANT(ledger)  contribution money goes through payments (purpose
--                      'contribution', contribution_id set); payments_capture
--                      writes the ledger row, refunds write theirs when done.
--   INVARIANT(settle-once) a campaign is settled by one conditional change
--                      'live' -> 'succeeded' | 'failed'; each contribution of a
--                      failed campaign becomes 'refunded' by one conditional
--                      change in the transaction that writes its refund, so a
--                      settlement run twice, or stopped and run again, refunds
--                      each contribution exactly once.

-- A campaign of an organisation. story: Markdown as written; story_html: its
-- HTML, rendered once at save (core/markdown.c). model: 'all_or_nothing' (the
-- money is kept only if goal_cents is reached at ends_at, else every
-- contribution is refunded) | 'keep_it' (what is raised is kept). status:
-- 'draft' (only its organisation sees it) | 'live' | 'succeeded' | 'failed' |
-- 'cancelled'. settled_at: when the deadline job settled it. category: one of
-- the events' categories, or ''. image_upload_id: the cover picture, or NULL.
CREATE TABLE campaigns (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	slug TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	story TEXT NOT NULL DEFAULT '',
	story_html TEXT NOT NULL DEFAULT '',
	category TEXT NOT NULL DEFAULT '',
	image_upload_id BIGINT REFERENCES uploads(id),
	goal_cents BIGINT NOT NULL CHECK (goal_cents > 0),
	currency TEXT NOT NULL DEFAULT 'EUR',
	starts_at BIGINT NOT NULL,
	ends_at BIGINT NOT NULL,
	model TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'draft',
	created_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	settled_at BIGINT,
	CHECK (ends_at > starts_at),
	CHECK (model IN ('all_or_nothing', 'keep_it')),
	CHECK (status IN ('draft', 'live', 'succeeded', 'failed', 'cancelled'))
);
CREATE INDEX campaigns_status ON campaigns(status, ends_at);
CREATE INDEX campaigns_org ON campaigns(org_id);

-- A reward for contributions of at least amount_cents. quantity: how many
-- exist, NULL: unlimited; taken: held by pending contributions and given to
-- paid ones (INVARIANT(tier)). delivery: the estimated delivery or pick-up.
CREATE TABLE campaign_tiers (
	id @ID@,
	campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
	amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	quantity BIGINT,
	taken BIGINT NOT NULL DEFAULT 0,
	delivery TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	CHECK (quantity IS NULL OR quantity >= 1),
	CHECK (taken >= 0 AND (quantity IS NULL OR taken <= quantity))
);
CREATE INDEX campaign_tiers_campaign ON campaign_tiers(campaign_id);

-- One contribution. tier_id: the reward chosen, NULL: none; amount_cents is
-- at least the tier's. is_public: the backer's name shows in the public list
-- (else "anonymous"). status: 'pending' (a payment is started; a tier's
-- reward is held until hold_until) | 'paid' | 'cancelled' (the payment never
-- started or the hold ran out: the reward went back) | 'refunded'. secret:
-- the capability in the link /contributions/<secret>. idempotency_key: from
-- the form, unique, so a double click or a retry returns this contribution;
-- request_hash says the retry is the same request. Never deleted: money
-- points at it.
CREATE TABLE contributions (
	id @ID@,
	campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	tier_id BIGINT REFERENCES campaign_tiers(id),
	amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
	currency TEXT NOT NULL,
	backer_name TEXT NOT NULL,
	backer_email TEXT NOT NULL,
	account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	is_public BOOLEAN NOT NULL DEFAULT FALSE,
	message TEXT NOT NULL DEFAULT '',
	lang TEXT NOT NULL DEFAULT 'fr',
	provider TEXT NOT NULL,
	status TEXT NOT NULL,
	secret TEXT NOT NULL UNIQUE,
	idempotency_key TEXT NOT NULL UNIQUE,
	request_hash TEXT NOT NULL,
	hold_until BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	paid_at BIGINT,
	cancelled_at BIGINT,
	refunded_at BIGINT,
	CHECK (status IN ('pending', 'paid', 'cancelled', 'refunded'))
);
CREATE INDEX contributions_campaign ON contributions(campaign_id, status);
CREATE INDEX contributions_status ON contributions(status, hold_until);
CREATE INDEX contributions_account ON contributions(account_id);

ALTER TABLE payments ADD COLUMN contribution_id BIGINT REFERENCES contributions(id);
CREATE INDEX payments_contribution ON payments(contribution_id);

-- News of a campaign posted by its organisation (mailed to its backers).
-- body_html: rendered once at save (core/markdown.c).
CREATE TABLE campaign_updates (
	id @ID@,
	campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	body_html TEXT NOT NULL,
	author_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX campaign_updates_campaign ON campaign_updates(campaign_id, created_at);
