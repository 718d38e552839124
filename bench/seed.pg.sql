-- seed.pg.sql: what PostgreSQL needs after bench/seed.sql and bench/seed-events.sql: identity
-- sequences moved past the explicit ids that the seeds inserted (or the next INSERT would collide
-- with row 1: the flash sale inserts orders and tickets), then fresh planner statistics, as
-- autovacuum would gather them a minute later in production.
SELECT setval(pg_get_serial_sequence('communes', 'id'), (SELECT max(id) FROM communes));
SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT max(id) FROM accounts));
SELECT setval(pg_get_serial_sequence('organisations', 'id'), (SELECT max(id) FROM organisations));
SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT max(id) FROM events));
SELECT setval(pg_get_serial_sequence('event_dates', 'id'), (SELECT max(id) FROM event_dates));
SELECT setval(pg_get_serial_sequence('ticket_types', 'id'), (SELECT max(id) FROM ticket_types));
SELECT setval(pg_get_serial_sequence('ticket_quotas', 'id'), (SELECT max(id) FROM ticket_quotas));
SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM orders));
SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT max(id) FROM tickets));
SELECT setval(pg_get_serial_sequence('payments', 'id'), (SELECT max(id) FROM payments));
SELECT setval(pg_get_serial_sequence('ledger', 'id'), (SELECT max(id) FROM ledger));
SELECT setval(pg_get_serial_sequence('posts', 'id'), (SELECT max(id) FROM posts));
SELECT setval(pg_get_serial_sequence('comments', 'id'), (SELECT max(id) FROM comments));
ANALYZE;
