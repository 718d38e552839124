# t0510-ticket-setup.py: the organiser's ticketing page (/evenements/{slug}/billetterie) through the real
# binary: an owner publishes a ticketed event with the form, adds a type at "12,50" and a quota of 2 seats,
# keeps "on site" payment; guests buy the 2 seats from the event page's form and a third is told it is sold
# out. Also: a non-member gets 403, "12,505" is refused next to the price field (422), the event page links
# to the setup page, and the demo's ticketed events carry a ticket form. Both backends (run.sh).
import re
import secrets
import unittest

from kiosque_test import Server, csrf, forms
from agenda_test import ENV, ORG, Agenda, text_of


class TicketSetupTest(Agenda, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.owner = cls.login(cls, "pierre.vignal@example.org")

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def setup_page(self, c, slug, status=200):
        r = c.get("/evenements/%s/billetterie" % slug)
        self.assertEqual(r.status, status, r.body[:3000])
        return r

    def post(self, c, slug, tail, fields):
        page = self.setup_page(c, slug)
        action = "/evenements/%s/billetterie%s" % (slug, tail)
        data = {"_csrf": csrf(page.body, action)}
        data.update(fields)
        return c.post_form(action, data)

    def buy(self, slug, qty, qty_name=None, provider="onsite"):
        """A guest posts the event page's checkout form; qty_name: the quantity select (read from the
        page when None). Returns (response, qty_name)."""
        c = self.srv.client()
        page = c.get("/evenements/" + slug)
        self.assertEqual(page.status, 200)
        action = "/evenements/%s/commander" % slug
        fields = [f for a, f in forms(page.body) if a.get("action") == action]
        self.assertTrue(fields, "no checkout form on the event page")
        if qty_name is None:
            qty_name = re.search(r'<select id="f-(qty-[0-9-]+)"', page.body).group(1)
        data = dict(fields[0])
        data.update({qty_name: str(qty), "provider": provider, "buyer_name": "Zoé Lefèvre",
                     "buyer_email": "zoe.%s@example.org" % secrets.token_hex(3)})
        return c.post_form(action, data), qty_name

    def test_owner_sets_up_ticketing_and_guests_buy_until_sold_out(self):
        c = self.owner
        slug = self.publish(c, ticketing="ticketed", capacity="")
        event = c.get("/evenements/" + slug)
        self.assertIn('href="/evenements/%s/billetterie"' % slug, event.body)
        page = self.setup_page(c, slug)
        self.assertOneH1(page.body)
        self.assertIn('for="f-price"', page.body)

        r = self.post(c, slug, "/types", {"name": "Plein tarif", "price": "12,50", "description": "",
                                          "min_per_order": "1", "max_per_order": "10",
                                          "visibility": "public"})
        self.assertEqual(r.status, 303, r.body[:3000])
        page = self.setup_page(c, slug)
        self.assertIn("Plein tarif", page.body)
        self.assertIn("12,50", text_of(page.body))
        type_id = re.search(r'name="type_(\d+)"', page.body).group(1)
        date_id = re.search(r'<select[^>]*name="date".*?<option value="(\d+)"', page.body, re.S).group(1)

        r = self.post(c, slug, "/jauges", {"date": date_id, "name": "Salle", "size": "2",
                                           "type_" + type_id: "1"})
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertIn("0 / 2", self.setup_page(c, slug).body)

        r = self.post(c, slug, "/boutique", {"provider_onsite": "1", "attendee_names": "off",
                                             "waiting_list": "1", "transfer_details": ""})
        self.assertEqual(r.status, 303, r.body[:3000])

        r, qty_name = self.buy(slug, 2)
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertIn("/commandes/", r.header("Location"))
        self.assertIn("2 / 2", self.setup_page(c, slug).body)
        # The third buyer: the page says it is sold out, and a post anyway is refused.
        event = self.srv.client().get("/evenements/" + slug)
        self.assertIn("Complet", event.body)
        r, _ = self.buy(slug, 1, qty_name)
        self.assertEqual(r.status, 409, r.body[:3000])
        self.assertIn("complet", text_of(r.body).lower())

    def test_price_with_three_decimals_is_refused_next_to_the_field(self):
        c = self.owner
        slug = self.publish(c, ticketing="ticketed")
        for bad in ("12,505", "-3", "abc"):
            r = self.post(c, slug, "/types", {"name": "Plein tarif", "price": bad, "visibility": "public"})
            self.assertEqual(r.status, 422, bad)
            self.assertIn('id="e-price"', r.body)
            self.assertIn("deux décimales", r.body)
            self.assertIn('value="%s"' % bad, r.body)
            self.assertOneH1(r.body)
        self.assertIn("Aucun tarif", self.setup_page(c, slug).body)

    def test_non_member_gets_403(self):
        slug = self.publish(self.owner, ticketing="ticketed")
        other = self.login("karim.haddad@example.org")
        self.setup_page(other, slug, 403)
        event = other.get("/evenements/" + slug)
        self.assertNotIn("/billetterie", event.body)
        r = self.srv.client().get("/evenements/%s/billetterie" % slug)
        self.assertIn(r.status, (302, 303, 401))
        # A forged post from the non-member is refused by core too.
        token = csrf(other.get("/").body)
        r = other.post_form("/evenements/%s/billetterie/types" % slug,
                            {"_csrf": token, "name": "X", "price": "1"})
        self.assertEqual(r.status, 403)

    def test_vouchers_questions_and_payment_settings(self):
        c = self.owner
        slug = self.publish(c, ticketing="ticketed")
        page = self.setup_page(c, slug)
        # --demo: the demo provider is offered beside on site and transfer.
        for name in ("provider_onsite", "provider_transfer", "provider_demo"):
            self.assertIn('name="%s"' % name, page.body)
        r = self.post(c, slug, "/codes", {"code": "benevole-" + secrets.token_hex(2), "kind": "percent",
                                          "amount": "20", "max_uses": "5", "valid_until": ""})
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertIn("BENEVOLE-", self.setup_page(c, slug).body)
        r = self.post(c, slug, "/codes", {"code": "", "kind": "percent", "amount": "120"})
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-voucher-amount"', r.body)
        r = self.post(c, slug, "/questions", {"label": "Régime alimentaire ?", "kind": "text", "required": "1"})
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertIn("Régime alimentaire", self.setup_page(c, slug).body)
        r = self.post(c, slug, "/questions", {"label": "Taille du t-shirt", "kind": "choice", "options": "M"})
        self.assertEqual(r.status, 422, r.body[:3000])
        self.assertIn('id="e-options"', r.body)
        r = self.post(c, slug, "/boutique", {"attendee_names": "off"})
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-providers"', r.body)
        r = self.post(c, slug, "/boutique", {"provider_onsite": "1", "provider_demo": "1",
                                             "attendee_names": "required", "buyer_can_cancel": "1"})
        self.assertEqual(r.status, 303, r.body[:3000])
        page = self.setup_page(c, slug)
        self.assertRegex(page.body, r'name="provider_demo"[^>]* checked')
        self.assertNotRegex(page.body, r'name="provider_transfer"[^>]* checked')
        # The editor builds the shop but does not see the payment form; the treasurer sees only it.
        editor = self.login("camille.arnaud@example.org")
        page = self.setup_page(editor, slug)
        self.assertNotIn('name="provider_onsite"', page.body)
        self.assertIn('action="/evenements/%s/billetterie/types"' % slug, page.body)
        treasurer = self.login("gerard.faure@example.org")
        page = self.setup_page(treasurer, slug)
        self.assertIn('name="provider_onsite"', page.body)
        self.assertNotIn('action="/evenements/%s/billetterie/types"' % slug, page.body)

    def test_demo_ticketed_event_has_a_ticket_form(self):
        body = self.srv.client().get("/organisations/%s/evenements" % ORG).body
        m = re.search(r'href="/evenements/(les-nuits-de-la-vesque[a-z0-9-]*)"', body)
        self.assertTrue(m, body[:3000])
        page = self.srv.client().get("/evenements/" + m.group(1))
        self.assertEqual(page.status, 200)
        self.assertIn('action="/evenements/%s/commander"' % m.group(1), page.body)
        self.assertIn("Plein tarif", page.body)
        setup = self.setup_page(self.owner, m.group(1))
        self.assertIn("Tarif réduit", setup.body)


if __name__ == "__main__":
    unittest.main()
