# t0520-attendees.py: the organiser's participants page (/evenements/{slug}/participants), its CSV export and
# cancelling a whole event (/evenements/{slug}/annuler), through the real binary. An owner sets up a ticketed
# event with a text question (t0510's helpers); a guest buys 2 tickets on site, answering with a spreadsheet
# formula holding ';' and '"'. The owner sees the buyer and the escaped answer, the CSV parses with ';' and
# the formula is neutralised; a member of another organisation gets 403 on both; "Marquer payée" turns the
# pending order paid; cancelling the event marks it cancelled and its orders cancelled or refunded. States are
# matched as table cells: the page's status filter lists every state name.
# Both backends (run.sh).
import csv
import importlib
import io
import re
import secrets
import unittest

from kiosque_test import Server, csrf, forms
from agenda_test import ENV, Agenda, text_of

# t0510's helpers; its module (not its TestCase class) is kept, so its tests do not run here again.
_t0510 = importlib.import_module("t0510-ticket-setup")

DANGER = "=cmd|' /C calc'!A0 ; \"x\""


class AttendeesTest(Agenda, unittest.TestCase):
    setup_page = _t0510.TicketSetupTest.setup_page
    post = _t0510.TicketSetupTest.post

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.owner = cls.login(cls, "pierre.vignal@example.org")

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def ticketed_event(self):
        """A published ticketed event with one type (12,50), 10 seats, on-site payment and a text question."""
        c = self.owner
        slug = self.publish(c, ticketing="ticketed", capacity="")
        r = self.post(c, slug, "/types", {"name": "Plein tarif", "price": "12,50", "description": "",
                                          "min_per_order": "1", "max_per_order": "10",
                                          "visibility": "public"})
        self.assertEqual(r.status, 303, r.body[:3000])
        page = self.setup_page(c, slug)
        type_id = re.search(r'name="type_(\d+)"', page.body).group(1)
        date_id = re.search(r'<select[^>]*name="date".*?<option value="(\d+)"', page.body, re.S).group(1)
        r = self.post(c, slug, "/jauges", {"date": date_id, "name": "Salle", "size": "10",
                                           "type_" + type_id: "1"})
        self.assertEqual(r.status, 303, r.body[:3000])
        r = self.post(c, slug, "/boutique", {"provider_onsite": "1", "attendee_names": "off",
                                             "transfer_details": ""})
        self.assertEqual(r.status, 303, r.body[:3000])
        r = self.post(c, slug, "/questions", {"label": "Régime alimentaire", "kind": "text"})
        self.assertEqual(r.status, 303, r.body[:3000])
        return slug

    def buy(self, slug, answers):
        """A guest buys len(answers) tickets on site, answering the question of ticket i with answers[i]."""
        c = self.srv.client()
        page = c.get("/evenements/" + slug)
        self.assertEqual(page.status, 200)
        action = "/evenements/%s/commander" % slug
        fields = [f for a, f in forms(page.body) if a.get("action") == action]
        self.assertTrue(fields, "no checkout form on the event page")
        qty_name = re.search(r'<select id="f-(qty-[0-9-]+)"', page.body).group(1)
        data = dict(fields[0])
        data.update({qty_name: str(len(answers)), "provider": "onsite", "buyer_name": "Zoé Lefèvre",
                     "buyer_email": "zoe.%s@example.org" % secrets.token_hex(3)})
        for i, ans in enumerate(answers):
            name = re.search(r'name="(q-%d-\d+)"' % i, page.body).group(1)
            data[name] = ans
        r = c.post_form(action, data)
        self.assertEqual(r.status, 303, r.body[:3000])
        return data["buyer_email"]

    def participants(self, c, slug, status=200):
        r = c.get("/evenements/%s/participants" % slug)
        self.assertEqual(r.status, status, r.body[:3000])
        return r

    def button(self, c, slug, label):
        """Posts the first one-button form of the participants page whose button says label."""
        page = self.participants(c, slug)
        m = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(?:(?!</form>).)*?%s' % re.escape(label), page.body, re.S)
        self.assertTrue(m, page.body[:5000])
        return c.post_form(m.group(1), {"_csrf": csrf(page.body, m.group(1))})

    def test_owner_sees_buyer_answers_and_csv_stranger_does_not(self):
        slug = self.ticketed_event()
        email = self.buy(slug, [DANGER, "Végétarien"])
        page = self.participants(self.owner, slug)
        self.assertOneH1(page.body)
        self.assertIn("Zoé Lefèvre", page.body)
        self.assertIn(email, page.body)
        self.assertIn("=cmd|&#39; /C calc&#39;!A0 ; &quot;x&quot;", page.body.replace("&#x27;", "&#39;"))
        self.assertNotIn(DANGER, page.body)
        self.assertIn('class="table-wrap"', page.body)
        self.assertIn('role="region"', page.body)
        self.assertIn('<table class="data"', page.body)
        self.assertIn("<td>En attente de paiement</td>", page.body)
        text = text_of(page.body)
        self.assertRegex(text, r"Billets vendus\s*2")
        self.assertRegex(text, r"Billets payés\s*0")
        self.assertIn("Marquer payée", page.body)
        # The ticketing page links here.
        setup = self.setup_page(self.owner, slug)
        self.assertIn('href="/evenements/%s/participants"' % slug, setup.body)
        self.assertIn('href="/evenements/%s/annuler"' % slug, setup.body)

        r = self.owner.get("/evenements/%s/participants.csv" % slug)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "text/csv; charset=utf-8")
        self.assertRegex(r.header("Content-Disposition"), r'^attachment; filename="participants-[a-z0-9-]+\.csv"$')
        self.assertTrue(r.raw.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.reader(io.StringIO(r.raw.decode("utf-8-sig"), newline=""), delimiter=";"))
        self.assertEqual(len(rows), 3, rows)
        self.assertEqual(rows[0][0], "Participant")
        answers = [row[-1] for row in rows[1:]]
        self.assertIn("Régime alimentaire : Végétarien", answers)
        danger = [row for row in rows[1:] if "calc" in row[-1]]
        self.assertEqual(len(danger), 1)
        self.assertEqual(danger[0][-1], "Régime alimentaire : " + DANGER)
        self.assertEqual(danger[0][4], "Zoé Lefèvre")
        self.assertEqual(danger[0][5], email)
        # No field may start a formula.
        for row in rows:
            for field in row:
                self.assertFalse(field[:1] in ("=", "+", "-", "@", "\t"), field)

        stranger = self.login("karim.haddad@example.org")
        self.participants(stranger, slug, 403)
        self.assertEqual(stranger.get("/evenements/%s/participants.csv" % slug).status, 403)
        self.assertEqual(stranger.get("/evenements/%s/annuler" % slug).status, 403)
        anon = self.srv.client().get("/evenements/%s/participants.csv" % slug)
        self.assertIn(anon.status, (302, 303, 401))

    def test_formula_field_gets_an_apostrophe(self):
        slug = self.ticketed_event()
        self.buy(slug, ["Aucun"])
        # The answer field holds a label first; check the neutralisation on a field that starts with '='.
        c = self.srv.client()
        page = c.get("/evenements/" + slug)
        action = "/evenements/%s/commander" % slug
        data = dict([f for a, f in forms(page.body) if a.get("action") == action][0])
        qty_name = re.search(r'<select id="f-(qty-[0-9-]+)"', page.body).group(1)
        data.update({qty_name: "1", "provider": "onsite", "buyer_name": "=HYPERLINK(\"x\";\"y\")",
                     "buyer_email": "eve.%s@example.org" % secrets.token_hex(3)})
        self.assertEqual(c.post_form(action, data).status, 303)
        r = self.owner.get("/evenements/%s/participants.csv" % slug)
        rows = list(csv.reader(io.StringIO(r.raw.decode("utf-8-sig"), newline=""), delimiter=";"))
        names = [row[0] for row in rows[1:]]
        self.assertIn("'=HYPERLINK(\"x\";\"y\")", names)
        self.assertIn(b'"\'=HYPERLINK(""x"";""y"")"', r.raw)

    def test_mark_paid_then_cancel_event(self):
        slug = self.ticketed_event()
        self.buy(slug, ["Aucun", "Aucun"])
        r = self.button(self.owner, slug, "Marquer payée")
        self.assertEqual(r.status, 303, r.body[:3000])
        page = self.participants(self.owner, slug)
        self.assertIn("<td>Payée</td>", page.body)
        self.assertNotIn("<td>En attente de paiement</td>", page.body)
        text = text_of(page.body)
        self.assertRegex(text, r"Billets payés\s*2")
        self.assertIn("25,00", text)
        self.buy(slug, ["Aucun"])

        confirm = self.owner.get("/evenements/%s/annuler" % slug)
        self.assertEqual(confirm.status, 200, confirm.body[:3000])
        self.assertOneH1(confirm.body)
        self.assertIn("rembours", confirm.body)
        action = "/evenements/%s/annuler" % slug
        r = self.owner.post_form(action, {"_csrf": csrf(confirm.body, action)})
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertEqual(r.location, "/evenements/" + slug)
        event = self.srv.client().get("/evenements/" + slug)
        self.assertEqual(event.status, 200)
        self.assertIn("badge-cancelled", event.body)
        self.assertIn("Annulé", event.body)
        page = self.participants(self.owner, slug)
        self.assertNotIn("<td>En attente de paiement</td>", page.body)
        self.assertNotIn("<td>Payée</td>", page.body)
        self.assertIn("Remboursée (à rembourser à la main)", page.body)
        self.assertIn("Annulée", page.body)
        self.assertNotIn("Marquer payée", page.body)

    def test_stranger_cannot_mark_paid_nor_cancel(self):
        slug = self.ticketed_event()
        self.buy(slug, ["Aucun"])
        page = self.participants(self.owner, slug)
        action = re.search(r'action="(/evenements/[^"]+/payee)"', page.body).group(1)
        stranger = self.login("karim.haddad@example.org")
        token = csrf(stranger.get("/").body)
        self.assertEqual(stranger.post_form(action, {"_csrf": token}).status, 403)
        self.assertEqual(stranger.post_form("/evenements/%s/annuler" % slug, {"_csrf": token}).status, 403)
        self.assertIn("<td>En attente de paiement</td>", self.participants(self.owner, slug).body)


if __name__ == "__main__":
    unittest.main()
