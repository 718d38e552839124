# t0570-ticketing-invariants.py: the ticketing invariants through the real binary, as buyers meet them:
#   - never sell past a quota: 200 buyers at once for 50 seats, spread over TWO kiosque processes serving one
#     database (PostgreSQL, or one SQLite file in WAL mode), get exactly 50 tickets; every other buyer gets the
#     form again with a clear "sold out" message (409), and the database agrees;
#   - never lose an order: the server is killed (SIGKILL) while buyers are checking out; after the restart every
#     order a buyer was sent to is there, paid, with its tickets; nothing is half-written; a buyer whose request
#     died retries with the same form (same one-time key) and gets one order, never two.
# The orders are free registrations: they are complete ("paid") as soon as the checkout transaction commits, so
# a 303 to the order page is the buyer's proof. The paid paths (card, webhook replays) are in t0500 and in the
# unit tests' fault injection.
import http.client
import re
import secrets
import sys
import threading
import unittest

from kiosque_test import Server, csrf
from sql_fixtures import make_event, run_sql

BUYERS = 200
SEATS = 50


def checkout(url, slug, date_id, type_id, email, idem, token=None):
    """One guest buying one ticket on a fresh connection. Returns (status, location, body) or (None, None,
    error) when the connection failed (the server died under it)."""
    host, port = url[len("http://"):].split(":")
    token = token or secrets.token_hex(32)   # the double-submit cookie is 64 hex digits
    body = "&".join("%s=%s" % kv for kv in [
        ("_csrf", token), ("date", date_id), ("qty-%d" % type_id, 1), ("provider", "onsite"),
        ("buyer_name", "Acheteur"), ("buyer_email", email.replace("@", "%40")), ("idem", idem)])
    try:
        c = http.client.HTTPConnection(host, int(port), timeout=60)
        c.request("POST", "/evenements/%s/commander" % slug, body=body.encode(),
                  headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": url,
                           "Cookie": "kq_csrf=" + token})
        r = c.getresponse()
        out = (r.status, r.getheader("Location"), r.read().decode("utf-8", "replace"))
        c.close()
        return out
    except (OSError, http.client.HTTPException) as e:
        return (None, None, repr(e))


def live_tickets(srv, date_id):
    return int(run_sql(srv, "SELECT COUNT(*) FROM tickets t JOIN orders o ON o.id = t.order_id"
                            " WHERE t.event_date_id = %d AND o.status IN ('pending', 'paid')" % date_id))


def quota_sold(srv, date_id):
    return int(run_sql(srv, "SELECT SUM(sold) FROM ticket_quotas WHERE event_date_id = %d" % date_id))


class QuotaUnderContention(unittest.TestCase):
    def test_200_buyers_over_two_processes_get_exactly_50_seats(self):
        with Server(args=["--demo"]) as a:
            slug, date_id, type_id = make_event(a, price_cents=0, seats=SEATS)
            # The second process serves the same database: PostgreSQL, or the same SQLite file.
            with Server(db_url=a.db_url) as b:
                urls = [a.url, b.url]
                results = [None] * BUYERS
                gate = threading.Barrier(BUYERS)

                def buyer(i):
                    gate.wait()
                    results[i] = checkout(urls[i % 2], slug, date_id, type_id,
                                          "buyer%03d@example.org" % i, secrets.token_hex(16))

                threads = [threading.Thread(target=buyer, args=(i,)) for i in range(BUYERS)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(120)
                self.assertFalse(any(t.is_alive() for t in threads), "a buyer never got an answer")

                won = [r for r in results if r[0] == 303]
                sold_out = [r for r in results if r[0] == 409]
                others = [r[:2] + (r[2][:300],) for r in results if r[0] not in (303, 409)]
                self.assertEqual(others, [], "answers that were neither a sale nor a clear sold-out")
                self.assertEqual(len(won), SEATS)
                self.assertEqual(len(sold_out), BUYERS - SEATS)
                for status, _, body in sold_out:
                    self.assertIn("c&#39;est complet", body)
                    self.assertIn('role="alert"', body)
                # Both processes sold some: the race really ran across two servers.
                by_server = {u: 0 for u in urls}
                for i, r in enumerate(results):
                    if r[0] == 303:
                        by_server[urls[i % 2]] += 1
                self.assertTrue(all(n > 0 for n in by_server.values()), by_server)
                self.assertEqual(live_tickets(a, date_id), SEATS)
                self.assertEqual(quota_sold(a, date_id), SEATS)
                self.assertEqual(run_sql(a, "SELECT COUNT(*) FROM orders o JOIN events e ON e.id = o.event_id"
                                            " WHERE e.slug = '%s' AND o.status = 'paid'" % slug), str(SEATS))
                # Every winner's order page is there, paid.
                c = a.client()
                for _, loc, _ in won[:10]:
                    page = c.get(re.sub(r"^https?://[^/]+", "", loc))
                    self.assertEqual(page.status, 200)
                    self.assertIn("Payée", page.body)


class KilledMidCheckout(unittest.TestCase):
    def test_sigkill_during_checkouts_loses_no_order_and_retries_make_one(self):
        with Server(args=["--demo"]) as srv:
            slug, date_id, type_id = make_event(srv, price_cents=0, seats=5000)
            attempts = []              # (email, key, token, result), appended under lock
            lock = threading.Lock()
            stop = threading.Event()
            enough = threading.Event()

            def buyer(t):
                k = 0
                while not stop.is_set():
                    email, key, token = "b%02d-%04d@example.org" % (t, k), secrets.token_hex(16), \
                        secrets.token_hex(32)
                    r = checkout(srv.url, slug, date_id, type_id, email, key, token)
                    with lock:
                        attempts.append((email, key, token, r))
                        if sum(1 for a in attempts if a[3][0] == 303) >= 60:
                            enough.set()
                    if r[0] is None:
                        return
                    k += 1

            # 16 buyers keep checking out, so requests are in flight when the server dies.
            threads = [threading.Thread(target=buyer, args=(t,)) for t in range(16)]
            for t in threads:
                t.start()
            self.assertTrue(enough.wait(60), "the buyers got no orders")
            srv.proc.kill()
            srv.proc.wait(10)
            stop.set()
            for t in threads:
                t.join(90)
            self.assertFalse(any(t.is_alive() for t in threads))
            confirmed = [a for a in attempts if a[3][0] == 303]
            died = [a for a in attempts if a[3][0] is None]
            self.assertEqual([a[3][:2] for a in attempts if a[3][0] not in (303, None)], [])
            sys.stderr.write("t0570: %d orders confirmed before SIGKILL, %d requests cut by it\n"
                             % (len(confirmed), len(died)))

            srv.proc = None
            srv.start()
            # Every order a buyer was sent to survived, paid, with its ticket.
            c = srv.client()
            for a in confirmed:
                page = c.get(re.sub(r"^https?://[^/]+", "", a[3][1]))
                self.assertEqual(page.status, 200, a[3][1])
                self.assertIn("Payée", page.body)
            # Nothing half-written: no order without tickets, seats taken = live tickets.
            self.assertEqual(run_sql(srv, "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS"
                                          " (SELECT 1 FROM tickets t WHERE t.order_id = o.id)"), "0")
            self.assertEqual(quota_sold(srv, date_id), live_tickets(srv, date_id))
            # The buyers whose request died press "retry" (the same form, the same one-time key): each gets
            # exactly one order, whether or not the first attempt had committed.
            for email, key, token, _ in died:
                st, loc, body = checkout(srv.url, slug, date_id, type_id, email, key, token)
                self.assertEqual(st, 303, body[:500])
            per_buyer = run_sql(srv, "SELECT o.buyer_email, COUNT(*) FROM orders o JOIN events e"
                                     " ON e.id = o.event_id WHERE e.slug = '%s' GROUP BY o.buyer_email"
                                     " HAVING COUNT(*) > 1" % slug)
            self.assertEqual(per_buyer, "")
            self.assertEqual(int(run_sql(srv, "SELECT COUNT(*) FROM orders o JOIN events e ON e.id = o.event_id"
                                              " WHERE e.slug = '%s' AND o.status = 'paid'" % slug)),
                             len(confirmed) + len(died))
            self.assertEqual(quota_sold(srv, date_id), live_tickets(srv, date_id))


if __name__ == "__main__":
    unittest.main()
