-- 0008: the organiser's back office (core/sales.c, orders_resend in core/orders.c).

-- When the box office last queued an order's confirmation mail again
-- (orders_resend): a conditional UPDATE on it lets one resend through per
-- order and per minute, however many clicks or servers race. NULL: never.
ALTER TABLE orders ADD COLUMN tickets_resent_at BIGINT;

-- The sales report sums an event's ledger rows through their orders, and the
-- organiser's order page lists the rows of one order: both by order_id.
CREATE INDEX ledger_order ON ledger(order_id);
