-- 0022: the directory (core/orgs.c, core/hours.c, core/contact.c): opening
-- hours, positions on the map, extra links, and the "Nous contacter" messages.

-- Where a commune's centre is, in micro-degrees (WGS 84): the map places an
-- organisation without its own position there, and "près de chez moi" measures
-- distances from it. NULL: unknown.
ALTER TABLE communes ADD COLUMN lat_e6 BIGINT;
ALTER TABLE communes ADD COLUMN lon_e6 BIGINT;

-- An organisation's own position (micro-degrees, WGS 84), set by its owners
-- or editors; NULL: the map uses its commune's centre. hours_note: free text
-- next to the opening hours ("fermé en août"), one line.
ALTER TABLE organisations ADD COLUMN lat_e6 BIGINT;
ALTER TABLE organisations ADD COLUMN lon_e6 BIGINT;
ALTER TABLE organisations ADD COLUMN hours_note TEXT NOT NULL DEFAULT '';

-- Opening hours: one row per range, several ranges per day (9:00-12:00 and
-- 14:00-18:00). weekday: 1 = Monday .. 7 = Sunday (ISO 8601). Minutes after
-- midnight, local time (Europe/Paris); a range ends on its own day (24:00 at
-- the latest): a night past midnight is two ranges. core/hours.c keeps the
-- ranges of a day in order and without overlap.
CREATE TABLE org_hours (
	org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
	opens_min INTEGER NOT NULL CHECK (opens_min BETWEEN 0 AND 1439),
	closes_min INTEGER NOT NULL CHECK (closes_min BETWEEN 1 AND 1440),
	PRIMARY KEY (org_id, weekday, opens_min)
);
-- The organisation's page reads its ranges from this index alone (no seek
-- into the table for each range: measured, a third of the page's time when
-- an organisation's rows lie on different pages).
CREATE INDEX org_hours_page ON org_hours (org_id, weekday, opens_min, closes_min);

-- A few more links of an organisation (social networks, online shop...),
-- shown on its page in position order. label: one line, as typed.
CREATE TABLE org_links (
	org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	label TEXT NOT NULL,
	url TEXT NOT NULL,
	PRIMARY KEY (org_id, position)
);
CREATE INDEX org_links_page ON org_links (org_id, position, label, url);

-- Every message sent through a "Nous contacter" form, for the rate limits
-- and as a record of what was sent to whom. org_id NULL: the territory's form
-- (sent to the platform admins). ip_hash: SHA-256 of the client's address
-- with the site's address, never the address itself. The message itself is
-- not kept: it went out by mail. Personal data: core/contact.c deletes the rows
-- older than a year whenever a message is sent (contact_messages_created).
CREATE TABLE contact_messages (
	id @ID@,
	org_id BIGINT REFERENCES organisations(id) ON DELETE CASCADE,
	sender_name TEXT NOT NULL,
	sender_email_lower TEXT NOT NULL,
	subject TEXT NOT NULL,
	ip_hash TEXT NOT NULL,
	recipients INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE INDEX contact_messages_sender ON contact_messages(sender_email_lower, created_at);
CREATE INDEX contact_messages_ip ON contact_messages(ip_hash, created_at);
CREATE INDEX contact_messages_org ON contact_messages(org_id, created_at);
CREATE INDEX contact_messages_created ON contact_messages(created_at);

-- Hidden organisations (0017) leave the directory: its statements all say
-- "hidden_at IS NULL", and these partial indexes serve them as the indexes of
-- 0003 served the directory before (same columns, same order), holding only
-- the rows a visitor may see. Those of 0003 are superseded.
CREATE INDEX organisations_visible_name ON organisations (lower(name), id, name) WHERE hidden_at IS NULL;
CREATE INDEX organisations_visible_kind ON organisations (kind, lower(name), id, name) WHERE hidden_at IS NULL;
CREATE INDEX organisations_visible_category ON organisations (category, lower(name), id, name) WHERE hidden_at IS NULL;
CREATE INDEX organisations_visible_commune ON organisations (commune_id, lower(name), id, name) WHERE hidden_at IS NULL;
-- The directory's total without a filter is "every row minus the hidden ones":
-- a bare COUNT(*) (which SQLite answers from the b-tree's pages without
-- decoding rows) less a probe of this small index, instead of a walk of the
-- 10,000 entries of organisations_visible_name (measured: 5 times slower).
CREATE INDEX organisations_hidden ON organisations (hidden_at) WHERE hidden_at IS NOT NULL;
DROP INDEX organisations_kind_name_ci;
DROP INDEX organisations_category_name_ci;
-- organisations_name_ci stays for reads that list every organisation, hidden
-- ones too (moderators); organisations_commune_name_ci stays for the foreign key.
