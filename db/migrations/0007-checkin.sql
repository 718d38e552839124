-- 0007: check-in at the door (core/checkin.c): every scan is recorded, and a
-- ticket remembers the gate of its valid scan, so that "already used" can say
-- when, at which gate and by whom.
--
--   INVARIANT(once-in) a ticket is let in once: tickets.checked_in_at only goes
--                      from NULL to a time through a conditional UPDATE ... WHERE
--                      checked_in_at IS NULL, so two doors scanning it at the same
--                      moment get one 'valid' and one 'already_used'.

-- The gate (door name typed on the scanner page) of the valid scan that let
-- the ticket in; NULL while the ticket has not been used (or after an undo).
ALTER TABLE tickets ADD COLUMN checked_in_gate TEXT;

-- One row per scan at the door, whatever its outcome, and one per undo.
-- ticket_id: NULL for a code that matches no ticket (code keeps what was read,
-- printable ASCII, at most 64 characters). event_date_id: the date the door
-- was letting in (NULL: any date of the event). result: 'valid' |
-- 'already_used' | 'unknown' | 'wrong_event' | 'wrong_date' | 'cancelled' |
-- 'unpaid' | 'undone' (a 'valid' scan taken back: undo_of is that scan).
-- scanned_by: the box-office member's account. Personal data: none beyond
-- the staff account, which is set to NULL when the account goes.
-- nonce: the scanning app's random id of this scan (API), so that a scan sent
-- again after a lost answer is answered as the first time and recorded once
-- (pretix's nonce); NULL for the page's scans.
CREATE TABLE checkins (
	id @ID@,
	event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	event_date_id BIGINT REFERENCES event_dates(id) ON DELETE SET NULL,
	ticket_id BIGINT REFERENCES tickets(id),
	code TEXT NOT NULL,
	gate TEXT NOT NULL DEFAULT '',
	result TEXT NOT NULL,
	undo_of BIGINT REFERENCES checkins(id),
	scanned_at BIGINT NOT NULL,
	scanned_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	nonce TEXT,
	CHECK (result IN ('valid', 'already_used', 'unknown', 'wrong_event', 'wrong_date',
			  'cancelled', 'unpaid', 'undone'))
);
-- The scanner page lists the last scans of its gate.
CREATE INDEX checkins_event_gate ON checkins(event_id, gate, id);
-- A nonce is used once per event (NULLs do not collide, on both backends).
CREATE UNIQUE INDEX checkins_nonce ON checkins(event_id, nonce);
-- Undo looks for the ticket's latest valid scan.
CREATE INDEX checkins_ticket ON checkins(ticket_id, id);

-- The counters the door phones poll (checkin_counts): per date, the tickets
-- of paid orders and those let in, by gate, read from this index alone plus
-- the order's primary key.
CREATE INDEX tickets_date_checkin ON tickets(event_date_id, checked_in_gate, order_id);
