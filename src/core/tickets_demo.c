/* tickets_demo.c: the demo's shops, ticket types and quotas.
 *
 * Runs inside the demo transaction (core/demo.c), right after
 * events_load_demo: the tickets_* functions open their own transactions, so
 * this loader writes the rows itself, set-based, for every ticketed event
 * of the (fresh) demo: a shop taking "demo,onsite", three types ("Plein
 * tarif" 12 EUR, "Tarif réduit" 8 EUR, "Enfant" free) and, on each date, one
 * quota sized by the event's capacity (100 when none) covering the three. */
#include "tickets.h"
#include "base/log.h"
#include "base/timefmt.h"

static const struct db_sql SQL_SHOPS = { "tickets_demo_shops",
	"INSERT INTO ticket_shops (event_id, providers, updated_at) "
	"SELECT id, 'demo,onsite', $1 FROM events WHERE is_ticketed = 1 "
	"AND id NOT IN (SELECT event_id FROM ticket_shops)" };
static const struct db_sql SQL_TYPE = { "tickets_demo_type",
	"INSERT INTO ticket_types (event_id, name, description, price_cents, position, created_at, updated_at) "
	"SELECT id, $2, $3, $4, $5, $1, $1 FROM events WHERE is_ticketed = 1 "
	"AND id NOT IN (SELECT event_id FROM ticket_types)" };
static const struct db_sql SQL_QUOTAS = { "tickets_demo_quotas",
	"INSERT INTO ticket_quotas (event_date_id, name, size, created_at) "
	"SELECT d.id, 'Jauge', COALESCE(NULLIF(e.capacity, 0), 100), $1 "
	"FROM event_dates d JOIN events e ON e.id = d.event_id WHERE e.is_ticketed = 1 "
	"AND d.id NOT IN (SELECT event_date_id FROM ticket_quotas)" };
static const struct db_sql SQL_LINKS = { "tickets_demo_links",
	"INSERT INTO ticket_quota_types (quota_id, ticket_type_id) "
	"SELECT q.id, t.id FROM ticket_quotas q JOIN event_dates d ON d.id = q.event_date_id "
	"JOIN ticket_types t ON t.event_id = d.event_id JOIN events e ON e.id = d.event_id "
	"WHERE e.is_ticketed = 1 AND q.created_at = $1 "
	"AND NOT EXISTS (SELECT 1 FROM ticket_quota_types x WHERE x.quota_id = q.id)" };

static const struct {
	const char *name, *description;
	int64_t price_cents;
} demo_types[] = {
	{ "Plein tarif", "", 1200 },
	{ "Tarif réduit", "Étudiants, demandeurs d'emploi, moins de 26 ans.", 800 },
	{ "Enfant", "Moins de 12 ans.", 0 },
};

enum kq_err tickets_load_demo(struct db *db)
{
	int64_t now = time_now();
	struct db_stmt *st = db_stmt(db, &SQL_SHOPS);
	db_bind_i64(st, 1, now);
	if (db_run(st) != DB_NONE)
		goto fail;
	/* Every type in one statement per type: the NOT IN guard must see
	 * the events without types only before the first one. */
	for (int i = 0; i < (int)(sizeof(demo_types) / sizeof(demo_types[0])); i++) {
		static const struct db_sql SQL_TYPE_MORE = { "tickets_demo_type_more",
			"INSERT INTO ticket_types (event_id, name, description, price_cents, position, created_at, updated_at) "
			"SELECT id, $2, $3, $4, $5, $1, $1 FROM events WHERE is_ticketed = 1 "
			"AND id IN (SELECT event_id FROM ticket_types WHERE created_at = $1 AND position = 0)" };
		st = db_stmt(db, i == 0 ? &SQL_TYPE : &SQL_TYPE_MORE);
		db_bind_i64(st, 1, now);
		db_bind_text(st, 2, demo_types[i].name);
		db_bind_text(st, 3, demo_types[i].description);
		db_bind_i64(st, 4, demo_types[i].price_cents);
		db_bind_i64(st, 5, i);
		if (db_run(st) != DB_NONE)
			goto fail;
	}
	st = db_stmt(db, &SQL_QUOTAS);
	db_bind_i64(st, 1, now);
	if (db_run(st) != DB_NONE)
		goto fail;
	st = db_stmt(db, &SQL_LINKS);
	db_bind_i64(st, 1, now);
	if (db_run(st) != DB_NONE)
		goto fail;
	return KQ_OK;
fail:
	log_error("demo: tickets: %s", db_errmsg(db));
	return KQ_ERR_INTERNAL;
}
