# t0550-ticket-editing.py: editing an event's ticket setup through the real binary (/evenements/{slug}/billetterie):
# a type's own edit page (prefilled, a new price makes a buyer with the old form confirm it, bad input refused next to
# its field and nothing changed), archiving with a confirmation (sold tickets stay on their order, the type stops
# selling), a quota's size and types (refused below the seats taken, with the reason next to the size), deleting an
# unused quota only, disabling a voucher (its uses shown, the code stops working), deleting a question (refused once
# answered), the shop's cancellation deadline and waiting-list offer time, and who may do any of it.
# Both backends (run.sh).
import re
import secrets
import unittest

from kiosque_test import Server, csrf, forms
from agenda_test import ENV, Agenda, text_of


class TicketEditingTest(Agenda, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.owner = cls.login(cls, "pierre.vignal@example.org")

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    # -- helpers

    def get(self, c, path, status=200):
        r = c.get(path)
        self.assertEqual(r.status, status, r.body[:3000])
        return r

    def setup_page(self, c, slug, status=200):
        return self.get(c, "/evenements/%s/billetterie" % slug, status)

    def post(self, c, page_path, action, fields):
        """Posts `fields` with the CSRF token of the form `action` found on page_path."""
        page = self.get(c, page_path)
        data = {"_csrf": csrf(page.body, action)}
        data.update(fields)
        return c.post_form(action, data)

    def post_setup(self, c, slug, tail, fields):
        return self.post(c, "/evenements/%s/billetterie" % slug, "/evenements/%s/billetterie%s" % (slug, tail), fields)

    def new_event(self, price="12,50", size="5", type_name="Plein tarif"):
        """A published ticketed event with one type and one quota; returns (slug, type_id, quota_id, date_id)."""
        c = self.owner
        slug = self.publish(c, ticketing="ticketed", capacity="")
        r = self.post_setup(c, slug, "/types", {"name": type_name, "price": price, "min_per_order": "1",
                                                "max_per_order": "10", "visibility": "public"})
        self.assertEqual(r.status, 303, r.body[:3000])
        page = self.setup_page(c, slug)
        type_id = re.findall(r'href="/evenements/%s/billetterie/types/(\d+)"' % slug, page.body)[-1]
        date_id = re.search(r'<select[^>]*name="date".*?<option value="(\d+)"', page.body, re.S).group(1)
        r = self.post_setup(c, slug, "/jauges", {"date": date_id, "name": "Salle", "size": size,
                                                 "type_" + type_id: "1"})
        self.assertEqual(r.status, 303, r.body[:3000])
        quota_id = re.findall(r'href="/evenements/%s/billetterie/jauges/(\d+)"' % slug,
                              self.setup_page(c, slug).body)[-1]
        return slug, int(type_id), int(quota_id), int(date_id)

    def checkout_form(self, slug, client=None):
        c = client or self.srv.client()
        page = self.get(c, "/evenements/" + slug)
        action = "/evenements/%s/commander" % slug
        fields = [f for a, f in forms(page.body) if a.get("action") == action]
        self.assertTrue(fields, "no checkout form on the event page")
        return c, page, dict(fields[0])

    def buy(self, slug, type_id, qty=1, extra=None, form=None):
        """A guest buys qty of type_id from the event page's form (or from `form`, a (client, page, fields) taken
        earlier). Returns the response."""
        c, page, data = form or self.checkout_form(slug)
        name = re.search(r'<select id="f-(qty-%d(?:-\d+)?)"' % type_id, page.body).group(1)
        data.update({name: str(qty), "provider": "onsite", "buyer_name": "Zoé Lefèvre",
                     "buyer_email": "zoe.%s@example.org" % secrets.token_hex(3)})
        data.update(extra or {})
        return c.post_form("/evenements/%s/commander" % slug, data)

    def type_path(self, slug, type_id, tail=""):
        return "/evenements/%s/billetterie/types/%d%s" % (slug, type_id, tail)

    def quota_path(self, slug, quota_id, tail=""):
        return "/evenements/%s/billetterie/jauges/%d%s" % (slug, quota_id, tail)

    def type_fields(self, **over):
        f = {"name": "Plein tarif", "price": "12,50", "description": "", "min_per_order": "1",
             "max_per_order": "10", "visibility": "public", "sale_starts_at": "", "sale_ends_at": ""}
        f.update(over)
        return f

    # -- ticket types

    def test_edit_a_type_on_its_prefilled_page_and_a_buyer_confirms_the_new_price(self):
        c = self.owner
        slug, type_id, _, _ = self.new_event()
        page = self.get(c, self.type_path(slug, type_id))
        self.assertOneH1(page.body)
        self.assertIn('value="Plein tarif"', page.body)
        self.assertIn('value="12,50"', page.body)
        self.assertIn("devront confirmer le nouveau prix", page.body)
        self.assertIn('for="f-price"', page.body)
        # A buyer loads the form at 12,50; the organiser changes the price; the old form is refused.
        stale = self.checkout_form(slug)
        r = self.post(c, self.type_path(slug, type_id), self.type_path(slug, type_id),
                      self.type_fields(name="Tarif plein", price="15", description="Placement libre",
                                       max_per_order="4", sale_ends_at=""))
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertEqual(r.location, "/evenements/%s/billetterie" % slug)
        setup = self.setup_page(c, slug)
        self.assertIn("Tarif plein", setup.body)
        self.assertIn("15,00", text_of(setup.body))
        self.assertIn("(1–4,", setup.body)
        r = self.buy(slug, type_id, 1, form=stale)
        self.assertEqual(r.status, 409, r.body[:3000])
        self.assertIn("Le prix d'un billet a changé", text_of(r.body))
        self.assertIn("0 / 5", self.setup_page(c, slug).body)   # nothing was taken
        r = self.buy(slug, type_id, 1)
        self.assertEqual(r.status, 303, r.body[:3000])
        order = self.get(self.srv.client(), r.location)
        self.assertIn("15,00", text_of(order.body))

    def test_bad_input_on_the_edit_page_is_refused_next_to_its_field_and_changes_nothing(self):
        c = self.owner
        slug, type_id, _, _ = self.new_event()
        cases = [({"price": "12,505"}, "price", "deux décimales"),
                 ({"name": ""}, "name", None),
                 ({"min_per_order": "5", "max_per_order": "2"}, "max_per_order", None),
                 ({"sale_starts_at": "pas une date"}, "sale_starts_at", None),
                 ({"visibility": "secret"}, "visibility", None)]
        for over, field, words in cases:
            r = self.post(c, self.type_path(slug, type_id), self.type_path(slug, type_id), self.type_fields(**over))
            self.assertEqual(r.status, 422, (over, r.body[:3000]))
            self.assertIn('id="e-%s"' % field, r.body, over)
            self.assertIn('aria-invalid="true"', r.body)
            self.assertOneH1(r.body)
            if words:
                self.assertIn(words, r.body)
            for k, v in over.items():
                if k != "visibility":
                    self.assertIn('value="%s"' % v, r.body, over)
        page = self.get(c, self.type_path(slug, type_id))
        self.assertIn('value="12,50"', page.body)
        self.assertIn('value="Plein tarif"', page.body)

    def test_archive_asks_first_keeps_sold_tickets_and_stops_selling(self):
        c = self.owner
        slug, type_id, _, _ = self.new_event()
        r = self.buy(slug, type_id, 2)
        self.assertEqual(r.status, 303, r.body[:3000])
        order_path = r.location
        confirm = self.get(c, self.type_path(slug, type_id, "/archiver"))
        self.assertOneH1(confirm.body)
        self.assertIn("Les billets déjà vendus restent valables", confirm.body)
        self.assertIn("2 / 5", self.setup_page(c, slug).body)   # nothing happened on GET
        r = self.post(c, self.type_path(slug, type_id, "/archiver"), self.type_path(slug, type_id, "/archiver"), {})
        self.assertEqual(r.status, 303, r.body[:3000])
        setup = self.setup_page(c, slug)
        self.assertIn("archivé", setup.body)
        self.assertNotIn('href="%s"' % self.type_path(slug, type_id), setup.body)
        event = self.get(self.srv.client(), "/evenements/" + slug)
        self.assertNotIn('name="qty-%d' % type_id, event.body)
        order = self.get(self.srv.client(), order_path)
        self.assertIn("Plein tarif", order.body)
        self.assertEqual(text_of(order.body).count("Plein tarif"), 2)
        # The archived type's edit page says so and offers no second archive.
        page = self.get(c, self.type_path(slug, type_id))
        self.assertIn("archivé", page.body)
        self.assertNotIn(self.type_path(slug, type_id, "/archiver"), page.body)

    def test_archiving_a_type_never_sold_deletes_it(self):
        c = self.owner
        slug, type_id, _, _ = self.new_event()
        r = self.post(c, self.type_path(slug, type_id, "/archiver"), self.type_path(slug, type_id, "/archiver"), {})
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertIn("Aucun tarif", self.setup_page(c, slug).body)
        self.get(c, self.type_path(slug, type_id), 404)

    def test_names_are_escaped_on_the_edit_pages(self):
        c = self.owner
        nasty = "Tarif <script>alert(1)</script> \"&'"
        slug, type_id, quota_id, _ = self.new_event(type_name=nasty)
        for path in (self.type_path(slug, type_id), self.type_path(slug, type_id, "/archiver"),
                     self.quota_path(slug, quota_id), "/evenements/%s/billetterie" % slug):
            body = self.get(c, path).body
            self.assertNotIn("<script>alert", body, path)
            self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", body, path)

    # -- quotas

    def test_quota_size_is_refused_below_the_seats_taken_with_the_reason_next_to_it(self):
        c = self.owner
        slug, type_id, quota_id, _ = self.new_event(size="5")
        self.assertEqual(self.buy(slug, type_id, 3).status, 303)
        page = self.get(c, self.quota_path(slug, quota_id))
        self.assertOneH1(page.body)
        self.assertIn('value="5"', page.body)
        self.assertRegex(page.body, r'name="type_%d"[^>]* checked' % type_id)
        # An unused quota is deleted from this page; this one holds seats: no button.
        self.assertNotIn(self.quota_path(slug, quota_id, "/supprimer"), page.body)
        self.assertIn("ne peut pas être supprimée", page.body)
        r = self.post(c, self.quota_path(slug, quota_id), self.quota_path(slug, quota_id),
                      {"name": "Salle", "size": "2", "type_%d" % type_id: "1"})
        self.assertEqual(r.status, 409, r.body[:3000])
        self.assertIn('id="e-size"', r.body)
        self.assertIn("Plus de places sont déjà prises que ce nombre", r.body)
        self.assertIn('value="2"', r.body)
        self.assertOneH1(r.body)
        self.assertIn("3 / 5", self.setup_page(c, slug).body)
        r = self.post(c, self.quota_path(slug, quota_id), self.quota_path(slug, quota_id),
                      {"name": "Salle", "size": "2"})
        self.assertEqual(r.status, 422, r.body[:3000])
        self.assertIn('id="e-types"', r.body)
        stale = self.checkout_form(slug)   # loaded while 2 seats are left
        r = self.post(c, self.quota_path(slug, quota_id), self.quota_path(slug, quota_id),
                      {"name": "Grande salle", "size": "3", "type_%d" % type_id: "1"})
        self.assertEqual(r.status, 303, r.body[:3000])
        setup = self.setup_page(c, slug)
        self.assertIn("Grande salle", setup.body)
        self.assertIn("3 / 3", setup.body)
        self.assertIn("Complet", self.get(self.srv.client(), "/evenements/" + slug).body)
        self.assertEqual(self.buy(slug, type_id, 1, form=stale).status, 409)   # the new size holds
        # A forged delete of the used quota is refused and changes nothing.
        token = csrf(self.get(c, self.quota_path(slug, quota_id)).body)
        r = c.post_form(self.quota_path(slug, quota_id, "/supprimer"), {"_csrf": token})
        self.assertEqual(r.status, 409, r.body[:3000])
        self.assertIn("ne peut plus être supprimée", r.body)
        self.assertIn("3 / 3", self.setup_page(c, slug).body)

    def test_an_unused_quota_is_deleted(self):
        c = self.owner
        slug, type_id, quota_id, date_id = self.new_event()
        r = self.post_setup(c, slug, "/jauges", {"date": str(date_id), "name": "Balcon", "size": "4",
                                                 "type_%d" % type_id: "1"})
        self.assertEqual(r.status, 303)
        ids = [int(i) for i in re.findall(r'href="/evenements/%s/billetterie/jauges/(\d+)"' % slug,
                                          self.setup_page(c, slug).body)]
        balcony = max(ids)
        self.assertNotEqual(balcony, quota_id)
        page = self.get(c, self.quota_path(slug, balcony))
        r = c.post_form(self.quota_path(slug, balcony, "/supprimer"),
                        {"_csrf": csrf(page.body, self.quota_path(slug, balcony, "/supprimer"))})
        self.assertEqual(r.status, 303, r.body[:3000])
        setup = self.setup_page(c, slug)
        self.assertNotIn("Balcon", setup.body)
        self.assertIn("Salle", setup.body)
        self.get(c, self.quota_path(slug, balcony), 404)

    # -- vouchers and questions

    def test_disable_a_voucher_shows_its_uses_and_the_code_stops_working(self):
        c = self.owner
        slug, type_id, _, _ = self.new_event()
        code = "AMIS-" + secrets.token_hex(2).upper()
        r = self.post_setup(c, slug, "/codes", {"code": code, "kind": "percent", "amount": "50", "max_uses": "5"})
        self.assertEqual(r.status, 303, r.body[:3000])
        r = self.buy(slug, type_id, 1, extra={"code": code})
        self.assertEqual(r.status, 303, r.body[:3000])
        setup = self.setup_page(c, slug)
        self.assertIn("utilisé 1/5", text_of(setup.body))
        vid = re.search(r'action="/evenements/%s/billetterie/codes/(\d+)/desactiver"' % slug, setup.body).group(1)
        action = "/evenements/%s/billetterie/codes/%s/desactiver" % (slug, vid)
        r = self.post_setup(c, slug, "/codes/%s/desactiver" % vid, {})
        self.assertEqual(r.status, 303, r.body[:3000])
        setup = self.setup_page(c, slug)
        self.assertIn("désactivé", setup.body)
        self.assertNotIn(action, setup.body)
        self.assertIn("utilisé 1/5", text_of(setup.body))
        r = self.buy(slug, type_id, 1, extra={"code": code})
        self.assertEqual(r.status, 422, r.body[:3000])
        self.assertIn('id="e-voucher"', r.body)

    def test_delete_a_question_unless_buyers_answered_it(self):
        c = self.owner
        slug, type_id, _, _ = self.new_event()
        for label in ("Régime alimentaire ?", "Venez-vous en vélo ?"):
            r = self.post_setup(c, slug, "/questions", {"label": label, "kind": "text"})
            self.assertEqual(r.status, 303, r.body[:3000])
        setup = self.setup_page(c, slug)
        qids = re.findall(r'action="/evenements/%s/billetterie/questions/(\d+)/supprimer"' % slug, setup.body)
        self.assertEqual(len(qids), 2)
        answered, unused = int(qids[0]), int(qids[1])
        r = self.buy(slug, type_id, 1, extra={"q-0-%d" % answered: "Végétarien"})
        self.assertEqual(r.status, 303, r.body[:3000])
        r = self.post_setup(c, slug, "/questions/%d/supprimer" % answered, {})
        self.assertEqual(r.status, 409, r.body[:3000])
        self.assertIn('id="e-question-%d"' % answered, r.body)
        self.assertIn("ne peut plus être supprimée", r.body)
        self.assertOneH1(r.body)
        r = self.post_setup(c, slug, "/questions/%d/supprimer" % unused, {})
        self.assertEqual(r.status, 303, r.body[:3000])
        setup = self.setup_page(c, slug)
        self.assertIn("Régime alimentaire", setup.body)
        self.assertNotIn("Venez-vous en vélo", setup.body)

    # -- shop settings

    def test_cancellation_deadline_and_offer_time_are_set_in_hours(self):
        c = self.owner
        slug, _, _, _ = self.new_event()
        page = self.setup_page(c, slug)
        self.assertRegex(page.body, r'name="cancel_deadline"[^>]*value="24"')
        self.assertRegex(page.body, r'name="offer_ttl"[^>]*value="24"')
        base = {"provider_onsite": "1", "attendee_names": "optional", "transfer_details": "",
                "buyer_can_cancel": "1", "waiting_list": "1"}
        for field, bad in (("cancel_deadline", "abc"), ("cancel_deadline", "-1"), ("offer_ttl", "0"),
                           ("offer_ttl", "200")):
            r = self.post_setup(c, slug, "/boutique", dict(base, **{field: bad}))
            self.assertEqual(r.status, 422, (field, bad))
            self.assertIn('id="e-%s"' % field, r.body)
            self.assertIn('value="%s"' % bad, r.body)
        page = self.setup_page(c, slug)
        self.assertRegex(page.body, r'name="cancel_deadline"[^>]*value="24"')
        r = self.post_setup(c, slug, "/boutique", dict(base, cancel_deadline="48", offer_ttl="2"))
        self.assertEqual(r.status, 303, r.body[:3000])
        page = self.setup_page(c, slug)
        self.assertRegex(page.body, r'name="cancel_deadline"[^>]*value="48"')
        self.assertRegex(page.body, r'name="offer_ttl"[^>]*value="2"')
        self.assertRegex(page.body, r'name="waiting_list"[^>]* checked')
        no_list = {k: v for k, v in base.items() if k != "waiting_list"}
        r = self.post_setup(c, slug, "/boutique", dict(no_list, cancel_deadline="48", offer_ttl="2"))
        self.assertEqual(r.status, 303)
        self.assertNotRegex(self.setup_page(c, slug).body, r'name="waiting_list"[^>]* checked')

    # -- rights

    def test_only_the_shops_editors_edit_it(self):
        slug, type_id, quota_id, _ = self.new_event()
        other = self.login("karim.haddad@example.org")
        self.get(other, self.type_path(slug, type_id), 403)
        self.get(other, self.quota_path(slug, quota_id), 403)
        token = csrf(other.get("/").body)
        for path, fields in ((self.type_path(slug, type_id), self.type_fields(price="0")),
                             (self.type_path(slug, type_id, "/archiver"), {}),
                             (self.quota_path(slug, quota_id), {"name": "x", "size": "100",
                                                                "type_%d" % type_id: "1"}),
                             (self.quota_path(slug, quota_id, "/supprimer"), {})):
            r = other.post_form(path, dict(fields, _csrf=token))
            self.assertEqual(r.status, 403, path)
        self.assertIn("0 / 5", self.setup_page(self.owner, slug).body)
        self.assertIn("12,50", text_of(self.setup_page(self.owner, slug).body))
        # The treasurer sets payments but not the types.
        treasurer = self.login("gerard.faure@example.org")
        self.get(treasurer, self.type_path(slug, type_id), 403)
        # The editor may; an id of another event through this event's address is not found.
        editor = self.login("camille.arnaud@example.org")
        self.get(editor, self.type_path(slug, type_id))
        other_slug, other_type, other_quota, _ = self.new_event()
        self.get(editor, self.type_path(slug, other_type), 404)
        self.get(editor, self.quota_path(slug, other_quota), 404)
        self.get(editor, "/evenements/%s/billetterie/types/abc" % slug, 404)
        # A visitor is sent to log in.
        r = self.srv.client().get(self.type_path(slug, type_id))
        self.assertIn(r.status, (302, 303))


if __name__ == "__main__":
    unittest.main()
