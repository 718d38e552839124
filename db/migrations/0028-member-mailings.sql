-- 0028: an association writes to its members ("Écrire aux adhérents").
--
-- Rules the code keeps (core/memberships.c memberships_mailing_send):
--   INVARIANT(mailing-once) a mailing row and its mails land in one
--                      transaction, and (org_id, idempotency_key) is unique:
--                      a double click or a retried POST carries the same key
--                      and sends nothing twice (INSERT ... ON CONFLICT DO
--                      NOTHING, so a concurrent twin on PostgreSQL waits and
--                      then finds the first).
--   INVARIANT(mailing-rate) at most MEMBERSHIPS_MAILINGS_PER_DAY rows of an
--                      association in any 24 hours, counted in that
--                      transaction.

-- One message an association sent to its members. audience: 'current'
-- (members now) | 'lapsed' (membership ended within the last 2 years, not
-- a member now) | 'both'. recipients: how many mails were queued (one per
-- address). created_by: the treasurer or owner who sent it (NULL once that
-- account is erased). idempotency_key: from the confirmation form.
CREATE TABLE member_mailings (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	audience TEXT NOT NULL,
	recipients INTEGER NOT NULL CHECK (recipients >= 0),
	created_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	idempotency_key TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	CHECK (audience IN ('current', 'lapsed', 'both')),
	UNIQUE (org_id, idempotency_key)
);
CREATE INDEX member_mailings_org ON member_mailings(org_id, created_at);
