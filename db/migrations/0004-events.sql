-- 0004: events of the territory's agenda and their dates (a series has several).
-- Coordinates are integer micro-degrees (no floating point in storage).

-- status: 'draft' | 'published' | 'postponed' | 'cancelled'. A cancelled event stays visible.
-- accessibility: comma-separated flags (wheelchair, hearing_loop, sign_language,
-- audio_description, easy_read, quiet_space); access_notes: free text for the rest.
CREATE TABLE events (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	slug TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	description_html TEXT NOT NULL DEFAULT '',
	category TEXT NOT NULL,
	commune_id BIGINT REFERENCES communes(id),
	venue_name TEXT NOT NULL DEFAULT '',
	venue_address TEXT NOT NULL DEFAULT '',
	lat_e6 BIGINT,
	lon_e6 BIGINT,
	image_upload_id BIGINT REFERENCES uploads(id),
	is_ticketed INTEGER NOT NULL DEFAULT 0,
	capacity BIGINT,
	accessibility TEXT NOT NULL DEFAULT '',
	access_notes TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'draft',
	created_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX events_org ON events(org_id);
CREATE INDEX events_status ON events(status);

-- One row per date of an event (a series has several). Ticket quotas and
-- check-in lists hang off a date. Times are UTC seconds; shown in Europe/Paris.
CREATE TABLE event_dates (
	id @ID@,
	event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	starts_at BIGINT NOT NULL,
	ends_at BIGINT NOT NULL,
	cancelled INTEGER NOT NULL DEFAULT 0,
	CHECK (ends_at >= starts_at)
);
CREATE INDEX event_dates_start ON event_dates(starts_at);
CREATE INDEX event_dates_event ON event_dates(event_id, starts_at);
