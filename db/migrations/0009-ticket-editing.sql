-- 0009: what editing the ticket setup adds to 0005: an index for the waiting
-- list of one event.

-- The organiser's ticketing page counts each type's waiting list
-- (tickets_types_list: entries waiting, seats asked, seats offered), and
-- cancelling an event closes its open entries (waitlist_close_event): both
-- select by event and status. The queue index of 0005 starts with the date.
CREATE INDEX waiting_list_event ON waiting_list(event_id, status);
