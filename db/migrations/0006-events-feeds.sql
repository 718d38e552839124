-- 0006: what the agenda adds to 0004: an iCalendar revision number per event,
-- the private "my tickets" calendar feeds, and an index for the agenda's range.

-- iCalendar SEQUENCE (RFC 5545 3.8.7.4): raised by one each time the event or
-- one of its dates is changed, so that calendar clients that subscribed to a
-- feed replace their copy instead of keeping the old one.
ALTER TABLE events ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0;

-- One secret calendar-feed address per account (/agenda/mes-billets/<token>.ics),
-- listing the dates it holds tickets for. Only the SHA-256 of the token is kept,
-- as for sessions and API tokens: the address is shown once, when it is made,
-- and making a new one revokes the old. Personal data: tied to the account,
-- deleted with it (ON DELETE CASCADE) or when the holder revokes it.
CREATE TABLE event_feed_tokens (
	id @ID@,
	account_id BIGINT NOT NULL UNIQUE REFERENCES accounts(id) ON DELETE CASCADE,
	token_hash TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	last_used_at BIGINT
);

-- The agenda asks for dates that end after a moment, in start order
-- (events_list): the bound on starts_at it adds (a date lasts at most
-- EVENTS_DURATION_MAX) is served by event_dates_start; this one serves the
-- past events, newest first, and the feeds' lower bound.
CREATE INDEX event_dates_end ON event_dates(ends_at);
CREATE INDEX events_org_status ON events(org_id, status);
