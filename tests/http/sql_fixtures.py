# sql_fixtures.py: the ticketing fixture the HTTP tests share: SQL run on the server's own database (sqlite3 CLI
# on SQLite, psql on PostgreSQL, the same SQL) and a ticketed event of a demo organisation.
#
# Written as SQL because a test must be able to set up states no page reaches quickly (a price changed under
# the buyer, 200 orders at once); the pages that create the same things have tests of their own.
import secrets
import subprocess
import time

TITLE = "Fête de la Vesque à l'Éclair"


def run_sql(srv, sql):
    """Runs sql on the server's database; returns stdout (rows as a|b, one per line)."""
    if srv.backend == "sqlite":
        path = srv.db_url[len("sqlite:"):]
        argv = ["sqlite3", "-bail", "-cmd", ".timeout 10000", path, sql]
    else:
        argv = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", srv.db_url, "-c", sql]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError("fixture SQL failed (%s): %s" % (argv[0], r.stderr))
    return r.stdout.strip()


def make_event(srv, price_cents=1500, providers="demo,stripe", seats=50, title=TITLE):
    """An event of a demo organisation, one date in 30 days, one ticket type, one quota of `seats`.
    Returns (slug, date_id, type_id)."""
    slug = "fete-vesque-" + secrets.token_hex(4)
    now = int(time.time())
    start = now + 30 * 86400
    org = "(SELECT id FROM organisations WHERE slug = 'comite-des-fetes-vesqueval')"
    ev = "(SELECT id FROM events WHERE slug = '%s')" % slug
    run_sql(srv, (
        "INSERT INTO events (org_id, slug, title, category, venue_name, venue_address, is_ticketed, capacity,"
        " status, created_at, updated_at) SELECT %(org)s, '%(slug)s', '%(title)s', 'concert',"
        " 'Salle des fêtes', '1 place de l''Église', 1, %(seats)d, 'published', %(now)d, %(now)d;"
        "INSERT INTO event_dates (event_id, starts_at, ends_at) SELECT %(ev)s, %(start)d, %(end)d;"
        "INSERT INTO ticket_shops (event_id, providers, buyer_can_cancel, attendee_names, updated_at)"
        " SELECT %(ev)s, '%(providers)s', 1, 'optional', %(now)d;"
        "INSERT INTO ticket_types (event_id, name, price_cents, created_at, updated_at)"
        " SELECT %(ev)s, 'Plein tarif', %(price)d, %(now)d, %(now)d;"
        "INSERT INTO ticket_quotas (event_date_id, name, size, created_at)"
        " SELECT d.id, 'Salle', %(seats)d, %(now)d FROM event_dates d WHERE d.event_id = %(ev)s;"
        "INSERT INTO ticket_quota_types (quota_id, ticket_type_id)"
        " SELECT q.id, t.id FROM ticket_quotas q JOIN event_dates d ON d.id = q.event_date_id"
        " JOIN ticket_types t ON t.event_id = d.event_id WHERE d.event_id = %(ev)s;"
    ) % {"org": org, "ev": ev, "slug": slug, "title": title.replace("'", "''"), "now": now, "start": start,
         "end": start + 3 * 3600, "providers": providers, "price": price_cents, "seats": seats})
    row = run_sql(srv, "SELECT d.id, t.id FROM event_dates d JOIN ticket_types t ON t.event_id = d.event_id"
                       " WHERE d.event_id = %s" % ev)
    date_id, type_id = row.split("|")
    return slug, int(date_id), int(type_id)
