# t0580-my-tickets.py: "Mes billets": an account holder finds the tickets they bought (dates to come, every
# order, links to the order pages); nobody else sees them; the page asks a visitor to log in and is never cached.
import re
import secrets
import unittest

from kiosque_test import Server, csrf
from sql_fixtures import make_event


def log_in(c, email):
    page = c.get("/connexion")
    r = c.post_form("/connexion", {"_csrf": csrf(page.body), "email": email, "password": "kiosque-demo"})
    assert r.status == 303, r.body[:500]


class MyTickets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(args=["--demo"])

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def buy(self, c, slug, date_id, type_id, qty):
        page = c.get("/evenements/" + slug)
        r = c.post_form("/evenements/%s/commander" % slug, {
            "_csrf": csrf(page.body), "date": str(date_id), "qty-%d" % type_id: str(qty),
            "provider": "onsite", "idem": secrets.token_hex(16)})
        self.assertEqual(r.status, 303, r.body[:2000])
        return re.sub(r"^https?://[^/]+", "", r.header("Location"))

    def test_the_buyer_sees_their_tickets_and_orders(self):
        slug, date_id, type_id = make_event(self.srv, price_cents=0, title="Veillée contée <au moulin>")
        c = self.srv.client()
        log_in(c, "fatou.diallo@example.org")
        empty = c.get("/compte/billets")
        self.assertEqual(empty.status, 200)
        self.assertNotIn("Veillée contée", empty.body)
        order = self.buy(c, slug, date_id, type_id, 2)
        page = c.get("/compte/billets")
        self.assertEqual(page.status, 200)
        self.assertEqual(page.header("Cache-Control"), "private, no-store")
        self.assertEqual(page.body.count("<h1"), 1)
        self.assertIn("Veillée contée &lt;au moulin&gt;", page.body)
        self.assertIn("2 billets", page.body)
        self.assertIn('href="%s"' % order, page.body)
        self.assertIn('href="/evenements/%s"' % slug, page.body)
        self.assertIn('href="/compte/billets">Mes billets</a>', page.body)   # in the user menu
        self.assertIn("Payée", page.body)
        # Another account does not see them.
        other = self.srv.client()
        log_in(other, "camille.arnaud@example.org")
        self.assertNotIn("Veillée contée", other.get("/compte/billets").body)

    def test_a_visitor_is_asked_to_log_in(self):
        r = self.srv.client().get("/compte/billets")
        self.assertEqual(r.status, 303)
        self.assertIn("/connexion", r.header("Location"))


if __name__ == "__main__":
    unittest.main()
