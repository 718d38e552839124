-- 0027: payouts ("versements"): money paid online (providers 'stripe' and
-- 'demo') is collected on the platform's account; a platform admin pays it
-- on to the organisation by bank transfer and records it here.
-- Rules the code keeps (core/balance.c):
--   INVARIANT(ledger)   a payout is one row here and ONE ledger row of kind
--                       'payout' (amount < 0, payout_id set), written in the
--                       same transaction; rows are never updated nor deleted.
--   INVARIANT(payout-owed) a payout is never more than what is owed at that
--                       moment (online net - payouts): checked inside the
--                       transaction after the organisation's row lock, so two
--                       admins recording at once queue on PostgreSQL (SQLite
--                       has one writer) and the second sees the first.
--   INVARIANT(payout-once) idempotency_key is unique: a double click records
--                       one payout.

-- One payout. amount_cents > 0, in currency. paid_on: the date of the bank
-- transfer as the admin typed it ('YYYY-MM-DD', a calendar date, no time
-- zone). reference: the bank's reference of the transfer; note: free words.
-- created_by: the admin who recorded it.
CREATE TABLE payouts (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
	currency TEXT NOT NULL DEFAULT 'EUR',
	paid_on TEXT NOT NULL,
	reference TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	idempotency_key TEXT NOT NULL UNIQUE,
	created_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX payouts_org ON payouts(org_id, id);

-- The ledger row of a payout points at it (NULL for every other kind).
ALTER TABLE ledger ADD COLUMN payout_id BIGINT REFERENCES payouts(id);
