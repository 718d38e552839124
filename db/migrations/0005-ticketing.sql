-- 0005: ticketing (types, quotas, vouchers, questions, orders, tickets, waiting list)
-- and the payment layer shared with donations and memberships (payments, refunds,
-- the ledger, provider webhook events, idempotency keys).
--
-- Money is integer cents with a currency code ('EUR'); times are UTC seconds;
-- booleans are 0/1 integers. Rules the code keeps (core/orders.c, core/payments.c):
--   INVARIANT(quota)  ticket_quotas.sold counts the seats held by live orders
--                     (pending or paid) and by live waiting-list offers; it only
--                     grows through a conditional UPDATE ... WHERE sold + n <= size,
--                     and the CHECK below stops any write that would pass the size.
--   INVARIANT(ledger) every money move is one ledger row written in the
--                     transaction of the state change; rows are only ever inserted
--                     (no UPDATE or DELETE statement on ledger exists in src/, a unit
--                     test checks it); a balance is a SUM.
--   INVARIANT(once)   a provider event is processed once: payment_events has a
--                     primary key on (provider, event_id), inserted first.

-- Settings of one event's ticket shop; an event without a row has the defaults.
-- providers: comma-separated names of core/payments.c ('onsite', 'transfer',
-- 'stripe', 'demo'); attendee_names: 'off' | 'optional' | 'required';
-- cancel_deadline: seconds before the date starts after which a buyer may no
-- longer cancel; offer_ttl: how long a waiting-list offer holds its seats.
CREATE TABLE ticket_shops (
	event_id BIGINT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
	currency TEXT NOT NULL DEFAULT 'EUR',
	providers TEXT NOT NULL DEFAULT 'onsite',
	buyer_can_cancel INTEGER NOT NULL DEFAULT 0,
	cancel_deadline BIGINT NOT NULL DEFAULT 86400,
	attendee_names TEXT NOT NULL DEFAULT 'optional',
	waiting_list INTEGER NOT NULL DEFAULT 1,
	offer_ttl BIGINT NOT NULL DEFAULT 86400,
	transfer_details TEXT NOT NULL DEFAULT '',
	updated_at BIGINT NOT NULL
);

-- What a buyer can choose: "Plein tarif", "Tarif réduit", "Enfant".
-- visibility: 'public' (listed, sold to anyone) | 'voucher_only' (listed, sold
-- only with a voucher that applies to it) | 'hidden' (not listed; sold by the
-- box office or with a voucher naming this very type). Sale window: NULL bounds
-- are open (the end defaults to the start of the chosen date).
-- A type that was sold is archived (archived_at), never deleted.
CREATE TABLE ticket_types (
	id @ID@,
	event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
	currency TEXT NOT NULL DEFAULT 'EUR',
	sale_starts_at BIGINT,
	sale_ends_at BIGINT,
	min_per_order INTEGER NOT NULL DEFAULT 1,
	max_per_order INTEGER NOT NULL DEFAULT 10,
	visibility TEXT NOT NULL DEFAULT 'public',
	position INTEGER NOT NULL DEFAULT 0,
	archived_at BIGINT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	CHECK (min_per_order >= 1 AND max_per_order >= min_per_order)
);
CREATE INDEX ticket_types_event ON ticket_types(event_id, position);

-- Seats of one date of an event, shared by the types linked to it (300 seats over
-- "full", "reduced" and "child"). A type may count in several quotas of a date
-- (a total and a sub-quota): a sale takes a seat in each. A type with no quota
-- on a date is not for sale on that date.
CREATE TABLE ticket_quotas (
	id @ID@,
	event_date_id BIGINT NOT NULL REFERENCES event_dates(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	size BIGINT NOT NULL,
	sold BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	CHECK (size >= 0 AND sold >= 0 AND sold <= size)
);
CREATE INDEX ticket_quotas_date ON ticket_quotas(event_date_id);

CREATE TABLE ticket_quota_types (
	quota_id BIGINT NOT NULL REFERENCES ticket_quotas(id) ON DELETE CASCADE,
	ticket_type_id BIGINT NOT NULL REFERENCES ticket_types(id) ON DELETE CASCADE,
	PRIMARY KEY (quota_id, ticket_type_id)
);
CREATE INDEX ticket_quota_types_type ON ticket_quota_types(ticket_type_id);

-- Promo and voucher codes of an event. code is stored upper-case, unique per
-- event. kind: 'fixed' (amount = cents off each ticket) | 'percent' (amount =
-- 0..100 percent off each ticket). A voucher applies to every ticket of its type
-- in an order (any type when ticket_type_id is NULL) and each such ticket is one
-- use; max_uses NULL is unlimited. Uses are taken like seats (used + n <= max_uses).
CREATE TABLE vouchers (
	id @ID@,
	event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	code TEXT NOT NULL,
	ticket_type_id BIGINT REFERENCES ticket_types(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	amount BIGINT NOT NULL DEFAULT 0,
	max_uses BIGINT,
	used BIGINT NOT NULL DEFAULT 0,
	valid_from BIGINT,
	valid_until BIGINT,
	disabled_at BIGINT,
	created_at BIGINT NOT NULL,
	UNIQUE (event_id, code),
	CHECK (amount >= 0 AND used >= 0 AND (max_uses IS NULL OR used <= max_uses))
);

-- Extra questions asked for each ticket. kind: 'text' | 'choice' | 'yesno';
-- options: the choices of a 'choice' question, one per line.
-- ticket_type_id NULL: asked for every type.
CREATE TABLE ticket_questions (
	id @ID@,
	event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	ticket_type_id BIGINT REFERENCES ticket_types(id) ON DELETE CASCADE,
	label TEXT NOT NULL,
	kind TEXT NOT NULL,
	options TEXT NOT NULL DEFAULT '',
	required INTEGER NOT NULL DEFAULT 0,
	position INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE INDEX ticket_questions_event ON ticket_questions(event_id, position);

-- An order: the buyer (an account, or a guest's name and e-mail), its state and
-- its total. status: 'pending' (seats held until hold_until) | 'paid' |
-- 'cancelled' | 'refunded' | 'expired'. code: the short reference shown to people
-- and used for bank transfers; secret: the capability in the order page's link
-- /commandes/<secret>, kept in clear because later mails (payment, refund) carry
-- it, as the ticket codes are. Orders are never deleted: money points at them.
CREATE TABLE orders (
	id @ID@,
	code TEXT NOT NULL UNIQUE,
	secret TEXT NOT NULL UNIQUE,
	event_id BIGINT NOT NULL REFERENCES events(id),
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	buyer_name TEXT NOT NULL,
	buyer_email TEXT NOT NULL,
	lang TEXT NOT NULL DEFAULT 'fr',
	status TEXT NOT NULL,
	total_cents BIGINT NOT NULL CHECK (total_cents >= 0),
	currency TEXT NOT NULL,
	provider TEXT,
	voucher_id BIGINT REFERENCES vouchers(id) ON DELETE SET NULL,
	voucher_uses BIGINT NOT NULL DEFAULT 0,
	sold_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	hold_until BIGINT,
	created_at BIGINT NOT NULL,
	paid_at BIGINT,
	cancelled_at BIGINT,
	expired_at BIGINT,
	refunded_at BIGINT,
	CHECK (status IN ('pending', 'paid', 'cancelled', 'refunded', 'expired'))
);
CREATE INDEX orders_hold ON orders(status, hold_until);
CREATE INDEX orders_event ON orders(event_id, created_at);
CREATE INDEX orders_account ON orders(account_id);
CREATE INDEX orders_org ON orders(org_id);

-- One row per ticket of an order: its type, its date, the attendee, what it
-- cost after the voucher, and the unguessable code printed in its QR
-- (26 characters of 32: 130 random bits).
CREATE TABLE tickets (
	id @ID@,
	order_id BIGINT NOT NULL REFERENCES orders(id),
	ticket_type_id BIGINT NOT NULL REFERENCES ticket_types(id),
	event_date_id BIGINT NOT NULL REFERENCES event_dates(id),
	code TEXT NOT NULL UNIQUE,
	attendee_name TEXT NOT NULL DEFAULT '',
	list_price_cents BIGINT NOT NULL,
	discount_cents BIGINT NOT NULL DEFAULT 0,
	price_cents BIGINT NOT NULL,
	checked_in_at BIGINT,
	checked_in_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	CHECK (price_cents >= 0 AND discount_cents >= 0 AND price_cents = list_price_cents - discount_cents)
);
CREATE INDEX tickets_order ON tickets(order_id);
CREATE INDEX tickets_date_type ON tickets(event_date_id, ticket_type_id);

-- Answers to the extra questions, per ticket.
CREATE TABLE ticket_answers (
	ticket_id BIGINT NOT NULL REFERENCES tickets(id),
	question_id BIGINT NOT NULL REFERENCES ticket_questions(id),
	answer TEXT NOT NULL,
	PRIMARY KEY (ticket_id, question_id)
);

-- An attempt to pay through a provider. purpose: what is paid for, 'order' here
-- (issue #5 adds 'donation' and 'membership' with their own reference column);
-- order_id is set for 'order'. status: 'created' (written
-- with the order, before the provider is called) | 'started' (the provider
-- answered: provider_ref holds its session id or the transfer reference) |
-- 'captured' (money received) | 'failed' | 'cancelled'. idempotency_key is sent
-- to the provider with every call about this payment, so a retry after a crash
-- never creates a second session. payment_ref: the provider's id of the money
-- itself (Stripe's payment_intent), needed to refund.
CREATE TABLE payments (
	id @ID@,
	purpose TEXT NOT NULL DEFAULT 'order',
	order_id BIGINT REFERENCES orders(id),
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	provider TEXT NOT NULL,
	amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
	currency TEXT NOT NULL,
	status TEXT NOT NULL,
	idempotency_key TEXT NOT NULL UNIQUE,
	provider_ref TEXT,
	payment_ref TEXT,
	redirect_url TEXT,
	created_at BIGINT NOT NULL,
	captured_at BIGINT,
	updated_at BIGINT NOT NULL
);
CREATE INDEX payments_order ON payments(order_id);
CREATE UNIQUE INDEX payments_provider_ref ON payments(provider, provider_ref);

-- Money to give back. status: 'pending' (the refund job sends it to the
-- provider, with idempotency_key) | 'manual' (a treasurer refunds by hand, then
-- marks it done) | 'done' | 'failed' (the provider refused it repeatedly: by hand).
-- reason: 'cancelled' | 'buyer_cancelled' | 'event_cancelled' | 'late_payment' |
-- 'amount_mismatch' | 'duplicate_payment'.
CREATE TABLE refunds (
	id @ID@,
	order_id BIGINT REFERENCES orders(id),
	payment_id BIGINT NOT NULL REFERENCES payments(id),
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
	currency TEXT NOT NULL,
	status TEXT NOT NULL,
	reason TEXT NOT NULL,
	idempotency_key TEXT NOT NULL UNIQUE,
	provider_ref TEXT,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at BIGINT NOT NULL DEFAULT 0,
	lease_until BIGINT NOT NULL DEFAULT 0,
	last_error TEXT,
	created_at BIGINT NOT NULL,
	done_at BIGINT,
	done_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL
);
CREATE INDEX refunds_status ON refunds(status, next_attempt_at);
CREATE INDEX refunds_order ON refunds(order_id);

-- The ledger: one row per money move of an organisation (append-only).
-- kind: 'payment' (amount > 0) | 'refund' (amount < 0) | 'fee' (amount < 0).
-- order_id is set for ticket money; donations and memberships (issue #5) will
-- add their own reference columns.
CREATE TABLE ledger (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	kind TEXT NOT NULL,
	amount_cents BIGINT NOT NULL,
	currency TEXT NOT NULL,
	provider TEXT NOT NULL,
	order_id BIGINT REFERENCES orders(id),
	payment_id BIGINT REFERENCES payments(id),
	refund_id BIGINT REFERENCES refunds(id),
	memo TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL
);
CREATE INDEX ledger_org ON ledger(org_id, created_at);

-- Provider events already processed (webhooks), inserted first in the
-- transaction that applies one, so a replayed or concurrent delivery of the
-- same event changes nothing. result: 'applied' | 'duplicate_payment' | 'ignored'
-- | 'unknown_payment' | 'late_refund' | 'mismatch'.
CREATE TABLE payment_events (
	provider TEXT NOT NULL,
	event_id TEXT NOT NULL,
	event_type TEXT NOT NULL,
	payment_id BIGINT REFERENCES payments(id),
	result TEXT NOT NULL,
	received_at BIGINT NOT NULL,
	PRIMARY KEY (provider, event_id)
);

-- Keys sent by clients with a checkout, so a retried request returns the same
-- order instead of a second one. request_hash: SHA-256 of the request; the same
-- key with another request is refused. Purged after 7 days.
CREATE TABLE idempotency_keys (
	scope TEXT NOT NULL,
	key TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	order_id BIGINT REFERENCES orders(id),
	created_at BIGINT NOT NULL,
	PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys(created_at);

-- The waiting list of a sold-out type on a date. status: 'waiting' | 'offered'
-- (seats are held for this person until offer_expires_at; offer_token is the
-- secret of the link in the mail) | 'used' | 'expired' | 'left' | 'cancelled'.
-- Offered seats count in ticket_quotas.sold.
CREATE TABLE waiting_list (
	id @ID@,
	event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	event_date_id BIGINT NOT NULL REFERENCES event_dates(id) ON DELETE CASCADE,
	ticket_type_id BIGINT NOT NULL REFERENCES ticket_types(id) ON DELETE CASCADE,
	account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	name TEXT NOT NULL,
	email TEXT NOT NULL,
	email_lower TEXT NOT NULL,
	lang TEXT NOT NULL DEFAULT 'fr',
	quantity INTEGER NOT NULL CHECK (quantity >= 1),
	status TEXT NOT NULL,
	token TEXT NOT NULL UNIQUE,
	offered_at BIGINT,
	offer_expires_at BIGINT,
	order_id BIGINT REFERENCES orders(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX waiting_list_queue ON waiting_list(event_date_id, ticket_type_id, status, id);
CREATE INDEX waiting_list_offers ON waiting_list(status, offer_expires_at);
