-- 0011: donations to associations and French tax receipts (reçus fiscaux, CERFA 11580).
--
-- Money is integer cents with a currency code; times are UTC seconds. Rules the
-- code keeps (core/donations.c):
--   INVARIANT(receipt-seq) receipt numbers of one association and one year run
--                          1, 2, 3... with no gap and no repeat: a number is
--                          taken from tax_receipt_counters by one upsert
--                          (next = next + 1 RETURNING) in the transaction that
--                          captures the payment and writes the receipt, so a
--                          rolled-back capture gives its number back, and two
--                          concurrent captures queue on the counter's row.
--   INVARIANT(ledger)      donation money goes through payments (purpose
--                          'donation', donation_id set) and payments_capture
--                          writes its ledger row; the ledger row's payment_id
--                          leads to the donation.

-- What an association declares to issue tax receipts, and the platform's
-- check of it. quality: the box of CERFA 11580 it ticks: 'interet_general'
-- (oeuvre ou organisme d'intérêt général) | 'utilite_publique' (association
-- ou fondation reconnue d'utilité publique) | 'cultuelle' (association
-- cultuelle ou de bienfaisance). rna: "W" and 9 digits; siren: 9 digits (one
-- of them at least). declared_by: an owner or treasurer. checked_at: when a
-- platform admin checked the declaration; NULL: not checked (any change of
-- the declaration clears it): only a checked association issues receipts.
CREATE TABLE org_fiscal (
	org_id BIGINT PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
	quality TEXT NOT NULL,
	legal_name TEXT NOT NULL,
	object TEXT NOT NULL,
	address TEXT NOT NULL,
	postcode TEXT NOT NULL,
	city TEXT NOT NULL,
	rna TEXT NOT NULL DEFAULT '',
	siren TEXT NOT NULL DEFAULT '',
	signatory TEXT NOT NULL DEFAULT '',
	declared_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	declared_at BIGINT NOT NULL,
	checked_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	checked_at BIGINT,
	CHECK (quality IN ('interet_general', 'utilite_publique', 'cultuelle'))
);

-- How an association takes donations; an association without a row takes
-- bank transfers with the suggested amounts 10, 20 and 50 EUR.
-- providers: comma-separated names of core/payments.c; suggested: amounts
-- in cents, comma-separated, at most 6.
CREATE TABLE donation_settings (
	org_id BIGINT PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
	providers TEXT NOT NULL DEFAULT 'transfer',
	suggested TEXT NOT NULL DEFAULT '1000,2000,5000',
	currency TEXT NOT NULL DEFAULT 'EUR',
	transfer_details TEXT NOT NULL DEFAULT '',
	updated_at BIGINT NOT NULL
);

-- One donation. kind: 'once' (monthly donations will add 'monthly' with a
-- schedule of their own). The donor's postal address is asked because a tax
-- receipt must carry it. status: 'pending' (a payment is started) | 'paid' |
-- 'cancelled' (the payment could not start) | 'refunded'. secret: the
-- capability in the donation page's link /dons/<secret>. idempotency_key:
-- from the form, unique, so a double click or a retry returns this donation;
-- request_hash says the retry is the same request. Never deleted: money
-- points at it.
CREATE TABLE donations (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	kind TEXT NOT NULL DEFAULT 'once',
	amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
	currency TEXT NOT NULL,
	donor_name TEXT NOT NULL,
	donor_address TEXT NOT NULL,
	donor_postcode TEXT NOT NULL,
	donor_city TEXT NOT NULL,
	donor_email TEXT NOT NULL,
	account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	lang TEXT NOT NULL DEFAULT 'fr',
	provider TEXT NOT NULL,
	status TEXT NOT NULL,
	secret TEXT NOT NULL UNIQUE,
	idempotency_key TEXT NOT NULL UNIQUE,
	request_hash TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	paid_at BIGINT,
	cancelled_at BIGINT,
	refunded_at BIGINT,
	CHECK (kind IN ('once')),
	CHECK (status IN ('pending', 'paid', 'cancelled', 'refunded'))
);
CREATE INDEX donations_org ON donations(org_id, created_at);
CREATE INDEX donations_account ON donations(account_id);

ALTER TABLE payments ADD COLUMN donation_id BIGINT REFERENCES donations(id);
CREATE INDEX payments_donation ON payments(donation_id);

-- The next receipt number of an association for a civil year (Europe/Paris).
CREATE TABLE tax_receipt_counters (
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	year INTEGER NOT NULL,
	next BIGINT NOT NULL CHECK (next >= 1),
	PRIMARY KEY (org_id, year)
);

-- A tax receipt, numbered number within (org_id, year), shown "2026-0001".
-- Everything printed is frozen here when it is issued (the association's
-- and the donor's identities, the amount, the date and mode of payment), so a
-- later change of a profile never changes a receipt already given. A receipt
-- is never deleted nor renumbered; cancelled_at marks one whose donation was
-- refunded (its number stays used).
CREATE TABLE tax_receipts (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	year INTEGER NOT NULL,
	number BIGINT NOT NULL CHECK (number >= 1),
	donation_id BIGINT NOT NULL UNIQUE REFERENCES donations(id),
	issued_at BIGINT NOT NULL,
	paid_at BIGINT NOT NULL,
	amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
	currency TEXT NOT NULL,
	payment_mode TEXT NOT NULL,
	org_name TEXT NOT NULL,
	org_address TEXT NOT NULL,
	org_object TEXT NOT NULL,
	org_quality TEXT NOT NULL,
	org_rna TEXT NOT NULL,
	org_siren TEXT NOT NULL,
	org_signatory TEXT NOT NULL,
	donor_name TEXT NOT NULL,
	donor_address TEXT NOT NULL,
	cancelled_at BIGINT,
	UNIQUE (org_id, year, number)
);
