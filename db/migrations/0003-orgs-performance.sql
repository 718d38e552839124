-- 0003: the directory served from indexes, and the description's HTML stored at save time.

-- The description rendered to HTML by core/orgs.c (cmark in safe mode) whenever
-- the organisation is written, so that its page prints it instead of running
-- cmark on every view. NULL: not rendered yet (rows from before this migration,
-- or written by plain SQL such as bench/seed.sql); the page then renders the
-- Markdown itself, and orgs_render_pending() fills the column in. SQL cannot
-- run cmark, so this migration leaves existing rows NULL.
ALTER TABLE organisations ADD COLUMN description_html TEXT;

-- Rows whose HTML is still to be rendered: empty once orgs_render_pending has
-- run, so finding none costs one index probe.
CREATE INDEX organisations_html_pending ON organisations (id) WHERE description_html IS NULL;

-- The directory lists by lower(name), then id (orgs_list). Each index below
-- serves one filter as an equality on its first column and hands the rows
-- over already in that order, so LIMIT/OFFSET walks the index instead of
-- sorting the whole table. The trailing id and name make the index cover the
-- page's inner query (ids in that order): SQLite then reads the index alone,
-- and PostgreSQL can use an index-only scan, which it never does for an
-- expression unless the column under it is in the index too. Without name,
-- PostgreSQL sorted the table for any page past the first few hundred rows.
CREATE INDEX organisations_name_ci ON organisations (lower(name), id, name);
CREATE INDEX organisations_kind_name_ci ON organisations (kind, lower(name), id, name);
CREATE INDEX organisations_category_name_ci ON organisations (category, lower(name), id, name);
CREATE INDEX organisations_commune_name_ci ON organisations (commune_id, lower(name), id, name);

-- Superseded: nothing orders or searches by name as written, and
-- organisations_commune_name_ci starts with commune_id (which still serves
-- the foreign key from communes).
DROP INDEX organisations_name;
DROP INDEX organisations_commune;
