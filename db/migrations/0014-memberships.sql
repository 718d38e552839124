-- 0014: memberships of associations (adhésions): plans, memberships, reminders.
--
-- Money is integer cents with a currency code; times are UTC seconds; the
-- periods are computed in C in the territory's zone (core/memberships.c).
-- Rules the code keeps:
--   INVARIANT(member-cap) membership_plans.taken never passes cap: a place is
--                         taken by a conditional UPDATE (taken < cap) in the
--                         transaction that writes the membership, and given
--                         back in the transaction that cancels it.
--   INVARIANT(ledger)     membership money goes through payments (purpose
--                         'membership', membership_id set); payments_capture
--                         writes its ledger row, also for cash and cheques
--                         recorded by a treasurer (provider 'cash'/'cheque').

-- A plan an association offers. pricing: 'fixed' (price_cents) | 'free' |
-- 'pwyw' (pay what you want, at least price_cents). period: 'civil' (January
-- to December) | 'season' (September to August) | 'rolling' (12 months from
-- the day of joining). cap: at most that many memberships of the plan that
-- are pending or active (NULL: no cap); taken counts them. A plan is for one
-- season in practice: a capped plan counts its renewals too. is_open: new
-- members may join. Extra questions are not here yet (a later session).
CREATE TABLE membership_plans (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	pricing TEXT NOT NULL,
	price_cents BIGINT NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
	currency TEXT NOT NULL DEFAULT 'EUR',
	period TEXT NOT NULL,
	cap INTEGER CHECK (cap IS NULL OR cap >= 0),
	taken INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0),
	is_open BOOLEAN NOT NULL DEFAULT TRUE,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	CHECK (pricing IN ('fixed', 'free', 'pwyw')),
	CHECK (period IN ('civil', 'season', 'rolling')),
	CHECK (cap IS NULL OR taken <= cap)
);
CREATE INDEX membership_plans_org ON membership_plans(org_id);

-- One membership: a member of a plan from valid_from (included) to
-- valid_until (excluded). status: 'pending' (a payment is started) |
-- 'active' (paid, or free) | 'cancelled' (the payment could not start) |
-- 'refunded'. provider: 'demo' | 'stripe' (online), 'cash' | 'cheque'
-- (recorded by a treasurer, recorded_by) or 'free'. secret: the capability in
-- the membership page's link /adhesions/m/<secret>. card_code: what the QR
-- code of the member card holds (random, unguessable). idempotency_key: from
-- the form, so a double click returns this membership; request_hash says the
-- retry is the same request. renews_id: the membership this one follows.
-- reminded_at: when the reminder before the end was queued (once).
CREATE TABLE memberships (
	id @ID@,
	plan_id BIGINT NOT NULL REFERENCES membership_plans(id),
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	member_name TEXT NOT NULL,
	member_email TEXT NOT NULL,
	account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	lang TEXT NOT NULL DEFAULT 'fr',
	amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
	currency TEXT NOT NULL,
	valid_from BIGINT NOT NULL,
	valid_until BIGINT NOT NULL,
	status TEXT NOT NULL,
	provider TEXT NOT NULL,
	recorded_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	renews_id BIGINT REFERENCES memberships(id),
	secret TEXT NOT NULL UNIQUE,
	card_code TEXT NOT NULL UNIQUE,
	idempotency_key TEXT NOT NULL UNIQUE,
	request_hash TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	paid_at BIGINT,
	cancelled_at BIGINT,
	refunded_at BIGINT,
	reminded_at BIGINT,
	CHECK (valid_until > valid_from),
	CHECK (status IN ('pending', 'active', 'cancelled', 'refunded'))
);
CREATE INDEX memberships_org ON memberships(org_id, valid_until);
CREATE INDEX memberships_plan ON memberships(plan_id);
CREATE INDEX memberships_account ON memberships(account_id);
CREATE INDEX memberships_reminder ON memberships(status, valid_until);

ALTER TABLE payments ADD COLUMN membership_id BIGINT REFERENCES memberships(id);
CREATE INDEX payments_membership ON payments(membership_id);
