-- 0026: sponsorship ("parrainage"): a business or a producer offers an
-- association money or goods for one of its events or campaigns; the
-- association accepts or declines; accepted sponsors show on the page.
--
-- The money of a sponsorship is paid outside the platform (a transfer or a
-- cheque between the two): no payment and no ledger row is written for it.
-- Rules the code keeps (core/sponsors.c):
--   INVARIANT(one-open-offer) a sponsor has at most one offer 'offered' or
--                      'accepted' per target: the partial unique index
--                      sponsorships_open, so two concurrent offers on
--                      PostgreSQL cannot both land.
--   INVARIANT(decide-once) an offer leaves 'offered' by one conditional
--                      UPDATE (... WHERE status = 'offered'): a concurrent
--                      accept and decline make exactly one decision.

-- One offer. sponsor_org_id: the business or producer offering; org_id: the
-- association receiving (the target's organisation, copied so its list is
-- one index read). target_kind: 'event' | 'campaign', target_id: events.id
-- or campaigns.id. kind: 'money' (amount_cents, paid outside the platform) |
-- 'in_kind' (goods: what is given, goods_value_cents its estimated value).
-- message: the sponsor's words to the association. link_url: where the
-- sponsor's name links on the page (the sponsor's website by default, may be
-- ''). status: 'offered' | 'accepted' | 'declined' | 'withdrawn' (by the
-- sponsor, while offered). decision_note: the association's optional words
-- with its decision. created_by: the member who offered; decided_by: who
-- accepted, declined or withdrew.
CREATE TABLE sponsorships (
	id @ID@,
	sponsor_org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	target_kind TEXT NOT NULL,
	target_id BIGINT NOT NULL,
	kind TEXT NOT NULL,
	amount_cents BIGINT,
	currency TEXT NOT NULL DEFAULT 'EUR',
	goods TEXT NOT NULL DEFAULT '',
	goods_value_cents BIGINT,
	message TEXT NOT NULL DEFAULT '',
	link_url TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'offered',
	decision_note TEXT NOT NULL DEFAULT '',
	created_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	decided_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	decided_at BIGINT,
	CHECK (target_kind IN ('event', 'campaign')),
	CHECK (kind IN ('money', 'in_kind')),
	CHECK (kind <> 'money' OR (amount_cents IS NOT NULL AND amount_cents > 0)),
	CHECK (kind <> 'in_kind' OR (goods <> '' AND (goods_value_cents IS NULL OR goods_value_cents >= 0))),
	CHECK (status IN ('offered', 'accepted', 'declined', 'withdrawn')),
	CHECK (sponsor_org_id <> org_id)
);
-- INVARIANT(one-open-offer)
CREATE UNIQUE INDEX sponsorships_open ON sponsorships(sponsor_org_id, target_kind, target_id)
	WHERE status IN ('offered', 'accepted');
CREATE INDEX sponsorships_target ON sponsorships(target_kind, target_id, status);
CREATE INDEX sponsorships_org ON sponsorships(org_id, created_at);
CREATE INDEX sponsorships_sponsor ON sponsorships(sponsor_org_id, created_at);
