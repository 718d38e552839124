-- 0012: the agenda walks the dates in time order from a month before now (a
-- date lasts at most a month) to find those still running. With only
-- starts_at in the index, each date passed over cost a table lookup to read
-- its end; this index carries what the walk reads (end, event, cancelled), so
-- it stays in the index, and its (starts_at, id) order is the agenda's order.
-- It replaces event_dates_start, whose every use it serves.
CREATE INDEX event_dates_agenda ON event_dates(starts_at, id, ends_at, event_id, cancelled);
DROP INDEX event_dates_start;
