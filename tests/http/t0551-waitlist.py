# t0551-waitlist.py: the waiting list through the real binary and its SMTP sink. The whole path: a type sells out,
# guests join from the event page (confirmation page with the place in line, and a mail with the link), a buyer
# cancels, the server's job offers the freed seat by mail, the offer's link shows a form that buys the held seat
# through the normal checkout (nobody else can take it meanwhile), the seat is taken; an offer left unused expires
# (the server restarted with KIOSQUE_TIME_OFFSET past the offer time) and the next person gets it; leaving (with a
# confirmation) gives the seats back. Also: refusals of the join form next to their field, an address already on
# the list does not reveal its link, a shop without a waiting list, the organiser's count, unknown tokens -> 404.
# Both backends (run.sh).
import re
import secrets
import unittest

from kiosque_test import Server, csrf, first_link, forms, mail_text
from agenda_test import ENV, Agenda, text_of

OFFER_SUBJECT = "Des places se sont libérées"
JOINED_SUBJECT = "Liste d'attente"


class WaitlistTest(Agenda, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    # -- helpers (self.srv may be a test's own server)

    def get(self, c, path, status=200):
        r = c.get(path)
        self.assertEqual(r.status, status, r.body[:3000])
        return r

    def post_setup(self, c, slug, tail, fields):
        page = self.get(c, "/evenements/%s/billetterie" % slug)
        action = "/evenements/%s/billetterie%s" % (slug, tail)
        return c.post_form(action, dict(fields, _csrf=csrf(page.body, action)))

    def sold_out_event(self, owner, seats=2, waiting_list=True, offer_hours="1"):
        """A ticketed event, one type at 10 EUR, `seats` seats, paid on site, buyers may cancel; every seat sold to
        its own guest. Returns (slug, type_id, [order paths])."""
        slug = self.publish(owner, ticketing="ticketed", capacity="")
        r = self.post_setup(owner, slug, "/types", {"name": "Plein tarif", "price": "10", "visibility": "public"})
        self.assertEqual(r.status, 303, r.body[:3000])
        page = self.get(owner, "/evenements/%s/billetterie" % slug)
        type_id = int(re.findall(r'href="/evenements/%s/billetterie/types/(\d+)"' % slug, page.body)[-1])
        date_id = re.search(r'<select[^>]*name="date".*?<option value="(\d+)"', page.body, re.S).group(1)
        r = self.post_setup(owner, slug, "/jauges", {"date": date_id, "name": "Salle", "size": str(seats),
                                                     "type_%d" % type_id: "1"})
        self.assertEqual(r.status, 303, r.body[:3000])
        shop = {"provider_onsite": "1", "attendee_names": "off", "transfer_details": "", "buyer_can_cancel": "1",
                "cancel_deadline": "24", "offer_ttl": offer_hours}
        if waiting_list:
            shop["waiting_list"] = "1"
        r = self.post_setup(owner, slug, "/boutique", shop)
        self.assertEqual(r.status, 303, r.body[:3000])
        orders = []
        for i in range(seats):
            r = self.buy(slug, type_id)
            self.assertEqual(r.status, 303, r.body[:3000])
            orders.append(r.location)
        return slug, type_id, orders

    def buy(self, slug, type_id, qty=1):
        c = self.srv.client()
        page = self.get(c, "/evenements/" + slug)
        action = "/evenements/%s/commander" % slug
        data = dict([f for a, f in forms(page.body) if a.get("action") == action][0])
        name = re.search(r'<label for="f-(qty-%d(?:-\d+)?)"' % type_id, page.body).group(1)  # sold out too
        data.update({name: str(qty), "provider": "onsite", "buyer_name": "Zoé Lefèvre",
                     "buyer_email": "zoe.%s@example.org" % secrets.token_hex(3)})
        return c.post_form(action, data)

    def join_form(self, c, slug):
        page = self.get(c, "/evenements/" + slug)
        action = "/evenements/%s/liste-attente" % slug
        fields = [f for a, f in forms(page.body) if a.get("action") == action]
        self.assertTrue(fields, "no waiting-list form on the event page")
        return page, action, dict(fields[0])

    def join(self, slug, email, qty=1, name="Bérénice Roux", client=None):
        c = client or self.srv.client()
        _, action, data = self.join_form(c, slug)
        data.update({"wl_quantity": str(qty), "wl_name": name, "wl_email": email})
        return c, c.post_form(action, data)

    def cancel_order(self, order_path):
        c = self.srv.client()
        page = self.get(c, order_path)
        r = c.post_form(order_path + "/annuler", {"_csrf": csrf(page.body, order_path + "/annuler")})
        self.assertEqual(r.status, 303, r.body[:3000])

    def offer_link(self, email, since=0):
        m = self.srv.wait_mail(to=email, subject_contains=OFFER_SUBJECT, timeout=20, since=since)
        return first_link(mail_text(m), self.srv.url + "/liste-attente/")[len(self.srv.url):]

    def buy_offer(self, c, link):
        """Posts the ticket form of an offer's page as it is (the held seats preselected)."""
        page = self.get(c, link)
        action = [a["action"] for a, f in forms(page.body) if "waitlist" in f][0]
        data = dict([f for a, f in forms(page.body) if "waitlist" in f][0])
        for name, value in re.findall(r'<select id="f-(qty-[0-9-]+)"[^>]*>.*?<option value="(\d+)" selected',
                                      page.body, re.S):
            data[name] = value
        data["provider"] = "onsite"
        return c.post_form(action, data), data

    def left_on_setup(self, owner, slug):
        return re.search(r"— (\d+) / (\d+) —", self.get(owner, "/evenements/%s/billetterie" % slug).body).groups()

    # -- the whole path

    def test_sold_out_join_cancel_offer_buy_expire_next_leave(self):
        # Its own server: it is restarted with the clock moved forward.
        own = Server(["--demo"], env=ENV)
        shared, self.srv = self.srv, own
        try:
            self._whole_path()
            own.stop()
        finally:
            self.srv = shared
            if own.proc is not None:
                own._kill()

    def _whole_path(self):
        owner = self.login("pierre.vignal@example.org")
        slug, type_id, orders = self.sold_out_event(owner, seats=2)
        event = self.get(self.srv.client(), "/evenements/" + slug)
        self.assertIn("Complet", event.body)
        self.assertIn('href="#liste-attente"', event.body)
        self.assertIn('id="liste-attente"', event.body)

        # Berenice joins: the page behind her link says she is first; a mail confirms it with the link.
        ber = "berenice.%s@example.org" % secrets.token_hex(3)
        c_ber, r = self.join(slug, ber)
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertRegex(r.location, r"^/liste-attente/[0-9a-f]{64}$")
        ber_link = r.location
        page = self.get(c_ber, ber_link)
        self.assertEqual(page.header("Cache-Control"), "no-store")
        self.assertEqual(page.header("Referrer-Policy"), "no-referrer")
        self.assertOneH1(page.body)
        self.assertIn("Vous êtes inscrit", page.body)
        self.assertRegex(text_of(page.body), r"Votre rang dans la liste d'attente :\s*1")
        m = self.srv.wait_mail(to=ber, subject_contains=JOINED_SUBJECT)
        self.assertEqual(first_link(mail_text(m), self.srv.url + "/liste-attente/"), self.srv.url + ber_link)
        # Charles is second; Berenice's address again (typed by anyone) does not give her link away.
        cha = "charles.%s@example.org" % secrets.token_hex(3)
        _, r = self.join(slug, cha, name="Charles Martin")
        self.assertEqual(r.status, 303)
        cha_link = r.location
        self.assertRegex(text_of(self.get(self.srv.client(), cha_link).body), r"rang dans la liste d'attente :\s*2")
        _, r = self.join(slug, ber.upper())
        self.assertEqual(r.status, 200, r.body[:3000])
        self.assertIn("déjà sur la liste d'attente", text_of(r.body))
        self.assertNotIn(ber_link, r.body + str(r.location))
        eve = "eve.%s@example.org" % secrets.token_hex(3)
        _, r = self.join(slug, eve, name="Ève Blanc")
        self.assertEqual(r.status, 303)
        eve_link = r.location
        setup = self.get(owner, "/evenements/%s/billetterie" % slug)
        self.assertRegex(text_of(setup.body), r"liste d'attente : 3 \(places demandées 3, places proposées 0\)")

        # A buyer cancels: the job offers the seat to Berenice, by mail, for one hour; nobody else can take it.
        self.cancel_order(orders[0])
        link = self.offer_link(ber)
        self.assertEqual(link, ber_link)
        page = self.get(c_ber, link)
        self.assertIn("elles vous sont réservées jusqu'au", text_of(page.body))
        self.assertIn('name="waitlist"', page.body)
        self.assertIn('href="%s/quitter"' % link, page.body)
        self.assertEqual(self.left_on_setup(owner, slug), ("2", "2"))   # held for her
        self.assertEqual(self.buy(slug, type_id).status, 409)           # sold out to anyone else
        # She buys the held seat through the normal checkout.
        r, sent_form = self.buy_offer(c_ber, link)
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertIn("/commandes/", r.location)
        order = self.get(c_ber, r.location)
        self.assertIn("Plein tarif", order.body)
        self.assertEqual(self.left_on_setup(owner, slug), ("2", "2"))
        self.assertIn("Vous avez commandé les places proposées", self.get(c_ber, link).body)
        self.assertNotIn('name="waitlist"', self.get(c_ber, link).body)
        # The same offer cannot be spent twice.
        r = c_ber.post_form("/evenements/%s/commander" % slug, dict(sent_form, idem=secrets.token_hex(16)))
        self.assertEqual(r.status, 404, r.body[:3000])
        self.assertIn("plus valable", r.body)

        # Another cancellation: Charles is offered the seat and does not answer.
        self.cancel_order(orders[1])
        cha_offer = self.offer_link(cha)
        self.assertEqual(cha_offer, cha_link)
        # Two hours later (the offer held one), the job gives it to Eve.
        sent = len(self.srv.mails())
        self.srv.restart(env=dict(ENV, KIOSQUE_TIME_OFFSET="7200"))
        self.assertEqual(self.offer_link(eve, since=sent), eve_link)
        c = self.srv.client()
        self.assertIn("Le délai pour commander les places proposées est passé", self.get(c, cha_link).body)
        self.assertEqual(self.left_on_setup(owner, slug), ("2", "2"))

        # Eve leaves (after a confirmation): the seat is for anyone again.
        confirm = self.get(c, eve_link + "/quitter")
        self.assertOneH1(confirm.body)
        self.assertIn("seront proposées à la personne suivante", confirm.body)
        self.assertEqual(self.left_on_setup(owner, slug), ("2", "2"))   # a GET changes nothing
        r = c.post_form(eve_link + "/quitter", {"_csrf": csrf(confirm.body, eve_link + "/quitter")})
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertEqual(r.location, eve_link)
        self.assertIn("Vous avez quitté la liste d'attente", text_of(self.get(c, eve_link).body))
        self.assertEqual(self.left_on_setup(owner, slug), ("1", "2"))
        r = c.post_form(eve_link + "/quitter", {"_csrf": csrf(confirm.body, eve_link + "/quitter")})
        self.assertEqual(r.status, 303)   # a second click: the page says it is closed
        self.assertEqual(self.buy(slug, type_id).status, 303)
        self.assertEqual(self.left_on_setup(owner, slug), ("2", "2"))

    # -- refusals

    def test_join_form_refusals_are_shown_next_to_their_field(self):
        owner = self.login("pierre.vignal@example.org")
        slug, type_id, _ = self.sold_out_event(owner, seats=1)
        c = self.srv.client()
        _, action, data = self.join_form(c, slug)
        for over, field in (({"wl_email": "pas-une-adresse"}, "wl_email"), ({"wl_name": ""}, "wl_name"),
                            ({"wl_quantity": "0"}, "wl_quantity"), ({"wl_quantity": "11"}, "wl_quantity"),
                            ({"wl_offer": "999999-1"}, "wl_offer")):
            fields = dict(data, wl_quantity="1", wl_name="Bérénice Roux", wl_email="b@example.org")
            fields.update(over)
            r = c.post_form(action, fields)
            self.assertEqual(r.status, 422, (over, r.body[:3000]))
            self.assertIn('id="e-%s"' % field, r.body, over)
            self.assertOneH1(r.body)
        self.assertNotRegex(text_of(self.get(owner, "/evenements/%s/billetterie" % slug).body), "liste d'attente :")
        # An account holder joins without typing a name or address.
        karim = self.login("karim.haddad@example.org")
        page, action, data = self.join_form(karim, slug)
        self.assertNotIn('name="wl_email"', page.body)
        r = karim.post_form(action, dict(data, wl_quantity="2"))
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertIn("karim.haddad@example.org", self.get(karim, r.location).body)

    def test_no_join_while_seats_are_left_nor_without_a_waiting_list(self):
        owner = self.login("pierre.vignal@example.org")
        slug, type_id, orders = self.sold_out_event(owner, seats=1, waiting_list=False)
        c = self.srv.client()
        event = self.get(c, "/evenements/" + slug)
        self.assertIn("Complet", event.body)
        self.assertNotIn('id="liste-attente"', event.body)
        # A forged join, with the pair (type, date) read from the organiser's page.
        setup = self.get(owner, "/evenements/%s/billetterie" % slug)
        date_id = re.search(r'<select[^>]*name="date".*?<option value="(\d+)"', setup.body, re.S).group(1)
        fields = {"_csrf": csrf(event.body), "wl_offer": "%d-%s" % (type_id, date_id), "wl_quantity": "1",
                  "wl_name": "Bérénice Roux", "wl_email": "b@example.org"}
        r = c.post_form("/evenements/%s/liste-attente" % slug, fields)
        self.assertEqual(r.status, 409, r.body[:3000])
        self.assertIn("n'a pas de liste d'attente", text_of(r.body))
        # Seats left: nobody queues for them.
        self.cancel_order(orders[0])
        r = self.post_setup(owner, slug, "/boutique", {"provider_onsite": "1", "attendee_names": "off",
                                                       "waiting_list": "1", "buyer_can_cancel": "1"})
        self.assertEqual(r.status, 303)
        r = c.post_form("/evenements/%s/liste-attente" % slug, fields)
        self.assertEqual(r.status, 409, r.body[:3000])
        self.assertIn("Il reste des places", r.body)

    def test_unknown_or_malformed_tokens_get_a_clear_404(self):
        c = self.srv.client()
        for token in ("abc", "0" * 64, "<script>", "a" * 300):
            r = c.get("/liste-attente/" + token)
            self.assertEqual(r.status, 404, token)
            self.assertIn("Ce lien de liste d'attente n'est plus valable", text_of(r.body))
            self.assertNotIn("<script>", r.body.split("</head>", 1)[1])
        r = c.get("/liste-attente/%s/quitter" % ("0" * 64))
        self.assertEqual(r.status, 404)
        token = csrf(c.get("/").body)
        r = c.post_form("/liste-attente/%s/quitter" % ("0" * 64), {"_csrf": token})
        self.assertEqual(r.status, 404)
        r = c.post_form("/liste-attente/%s/quitter" % ("0" * 64), {})
        self.assertEqual(r.status, 403)


if __name__ == "__main__":
    unittest.main()
