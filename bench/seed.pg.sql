-- seed.pg.sql: what PostgreSQL needs after bench/seed.sql: identity sequences moved past the
-- explicit ids that seed.sql inserted (or the next INSERT would collide with row 1), then fresh
-- planner statistics, as autovacuum would gather them a minute later in production.
SELECT setval(pg_get_serial_sequence('communes', 'id'), (SELECT max(id) FROM communes));
SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT max(id) FROM accounts));
SELECT setval(pg_get_serial_sequence('organisations', 'id'), (SELECT max(id) FROM organisations));
ANALYZE;
