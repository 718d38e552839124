-- 0010: what a payment provider keeps of each payment (Stripe's fee), so the
-- organisation's book shows what it really receives. The fee is also a ledger
-- row of kind 'fee' (negative), written in the capture's transaction; for a
-- captured payment, SUM(ledger) per organisation = payments - refunds - fees.
-- 0 when the provider takes nothing (on site, transfer) or did not say yet.
ALTER TABLE payments ADD COLUMN fee_cents BIGINT NOT NULL DEFAULT 0 CHECK (fee_cents >= 0);
