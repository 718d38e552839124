-- 0025: monthly donations and the annual summary tax receipt.
--
-- Rules the code keeps (core/recurring.c, core/receipts.c):
--   INVARIANT(once-a-month) a monthly donation is charged at most once per
--                           period: the charge of a period is the row
--                           (recurring_id, period) of recurring_charges,
--                           written in the same transaction as the donation
--                           and payment it charges with; the provider gets an
--                           idempotency key derived from it
--                           ("rec-<charge_key>-<period>-<try>").
--   INVARIANT(stop)         a charge starts only through an UPDATE of its
--                           payment 'created' -> 'started' conditional on the
--                           monthly donation still being 'active'; stopping
--                           cancels the 'created' ones in its transaction.
--   INVARIANT(receipt-seq)  the annual summary takes its number from the same
--                           tax_receipt_counters row as single receipts
--                           (the association's counter of the year of issue).

-- A donor's monthly gift to an association. status: 'pending' (its first
-- payment is under way) | 'active' | 'stopped' (by the donor) | 'failed'
-- (renewals kept failing, or the first payment never came). day_of_month:
-- the day of the first gift; a shorter month charges on its last day.
-- next_charge_at: the next charge (or retry) in UTC seconds, computed in the
-- territory's time; next_period: the month it charges for ("2026-12"), kept
-- apart because a retry may fall in the next month. failures: failed tries of the current period.
-- stop_token: the capability of the one-click stop link in mails.
-- charge_key: random, not secret: the provider's idempotency keys of its
-- charges are "rec-<charge_key>-<period>-<try>", unique across databases
-- sharing one provider account.
-- provider_customer, provider_method: the card saved by the first payment
-- (Stripe's customer and payment method; empty for the demo card).
CREATE TABLE recurring_donations (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
	currency TEXT NOT NULL,
	provider TEXT NOT NULL,
	status TEXT NOT NULL,
	day_of_month INTEGER NOT NULL CHECK (day_of_month BETWEEN 1 AND 31),
	next_charge_at BIGINT NOT NULL,
	next_period TEXT NOT NULL,
	failures INTEGER NOT NULL DEFAULT 0,
	stop_token TEXT NOT NULL UNIQUE,
	charge_key TEXT NOT NULL UNIQUE,
	provider_customer TEXT NOT NULL DEFAULT '',
	provider_method TEXT NOT NULL DEFAULT '',
	donor_name TEXT NOT NULL,
	donor_address TEXT NOT NULL,
	donor_postcode TEXT NOT NULL,
	donor_city TEXT NOT NULL,
	donor_email TEXT NOT NULL,
	lang TEXT NOT NULL DEFAULT 'fr',
	created_at BIGINT NOT NULL,
	stopped_at BIGINT,
	CHECK (provider IN ('demo', 'stripe')),
	CHECK (status IN ('pending', 'active', 'stopped', 'failed'))
);
CREATE INDEX recurring_donations_due ON recurring_donations(status, next_charge_at);
CREATE INDEX recurring_donations_account ON recurring_donations(account_id);

-- One period's charge of a monthly donation: period "2026-11" (the month of
-- the charge in Europe/Paris). Its donation is a normal donations row
-- (recurring_id set), so the ledger, "Mes dons" and receipts see it.
-- attempts: tries made for the period (each a payment of that donation).
CREATE TABLE recurring_charges (
	recurring_id BIGINT NOT NULL REFERENCES recurring_donations(id),
	period TEXT NOT NULL,
	donation_id BIGINT NOT NULL UNIQUE REFERENCES donations(id),
	attempts INTEGER NOT NULL DEFAULT 1,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (recurring_id, period)
);

ALTER TABLE donations ADD COLUMN recurring_id BIGINT REFERENCES recurring_donations(id);
CREATE INDEX donations_recurring ON donations(recurring_id);

-- The annual summary receipt of a donor's monthly gifts to an association
-- for a civil year (fiscal_year). Numbered number within (org_id, year),
-- year being the year of issue, from tax_receipt_counters like single
-- receipts. Printed identities are frozen as in tax_receipts; its gifts are
-- frozen in annual_receipt_lines. One per donor, association and year.
CREATE TABLE annual_receipts (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	year INTEGER NOT NULL,
	number BIGINT NOT NULL CHECK (number >= 1),
	fiscal_year INTEGER NOT NULL,
	account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	donor_key TEXT NOT NULL,
	issued_at BIGINT NOT NULL,
	amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
	currency TEXT NOT NULL,
	org_name TEXT NOT NULL,
	org_address TEXT NOT NULL,
	org_object TEXT NOT NULL,
	org_quality TEXT NOT NULL,
	org_rna TEXT NOT NULL,
	org_siren TEXT NOT NULL,
	org_signatory TEXT NOT NULL,
	donor_name TEXT NOT NULL,
	donor_address TEXT NOT NULL,
	UNIQUE (org_id, year, number),
	UNIQUE (org_id, donor_key, fiscal_year)
);
CREATE INDEX annual_receipts_account ON annual_receipts(account_id);

CREATE TABLE annual_receipt_lines (
	receipt_id BIGINT NOT NULL REFERENCES annual_receipts(id),
	donation_id BIGINT NOT NULL UNIQUE REFERENCES donations(id),
	paid_at BIGINT NOT NULL,
	amount_cents BIGINT NOT NULL
);
CREATE INDEX annual_receipt_lines_receipt ON annual_receipt_lines(receipt_id);
