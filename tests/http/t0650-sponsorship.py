# t0650-sponsorship.py: sponsorship through the real binary: a business owner finds "Proposer un parrainage" on a
# demo campaign, offers through the form (bad input refused next to its field, nothing written), the association's
# owner and treasurer get a mail, the treasurer accepts (an editor may not), the business gets a mail, and the
# sponsor shows under "Nos partenaires" on the campaign page and in the API; a second decision is refused; an offer
# in kind on an event is withdrawn by its sponsor; someone else gets 403; forms without CSRF are refused; what
# sponsors type is escaped; no money row is written (paid outside the platform).
#
# Fixture: `--demo` (accounts, organisations, the demo campaigns and events with their demo sponsors). Both
# backends are covered; nothing is skipped.
import html
import re
import unittest

from kiosque_test import Server, csrf, mail_text
from sql_fixtures import run_sql
from ticketing_fixtures import login

ASSOC = "comite-des-fetes-vesqueval"       # owner pierre.vignal, editor camille.arnaud, treasurer gerard.faure
OWNER = "pierre.vignal@example.org"
EDITOR = "camille.arnaud@example.org"
TREASURER = "gerard.faure@example.org"
GITE = "gite-mas-des-faysses"              # business, owner linh.nguyen
GITE_OWNER = "linh.nguyen@example.org"
GARAGE = "garage-brunel"                   # business, owner mathieu.brunel
GARAGE_OWNER = "mathieu.brunel@example.org"
OUTSIDER = "hugo.mercier@example.org"      # a town hall's owner: no business
CAMPAIGN = "restaurer-le-lavoir"


class SponsorshipTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(args=["--demo"], env={"KIOSQUE_FAST_HASH": "1"})
        try:
            cls.gite = login(cls.srv, GITE_OWNER)
            cls.owner = login(cls.srv, OWNER)
            cls.treasurer = login(cls.srv, TREASURER)
            cls.editor = login(cls.srv, EDITOR)
            cls.outsider = login(cls.srv, OUTSIDER)
            cls.garage = login(cls.srv, GARAGE_OWNER)
        except BaseException:
            cls.srv.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def sql(self, q):
        return run_sql(self.srv, q)

    def count(self, where):
        return int(self.sql("SELECT COUNT(*) FROM sponsorships s JOIN organisations o ON o.id = s.sponsor_org_id"
                            " WHERE " + where) or 0)

    def org_id(self, slug):
        return self.sql("SELECT id FROM organisations WHERE slug = '%s'" % slug)

    def demo_event(self):
        return self.sql("SELECT e.slug FROM sponsorships s JOIN events e ON e.id = s.target_id"
                        " WHERE s.target_kind = 'event' AND s.status = 'accepted' ORDER BY s.id LIMIT 1")

    def money_rows(self):
        return int(self.sql("SELECT (SELECT COUNT(*) FROM ledger) + (SELECT COUNT(*) FROM payments)") or 0)

    def offer_form(self, c, path):
        r = c.get(path)
        self.assertEqual(r.status, 200, r.body[:2000])
        return r

    def post_offer(self, c, path, **fields):
        r = self.offer_form(c, path)
        data = {"_csrf": csrf(r.body, path), "kind": "money", "amount": "", "goods": "", "goods_value": "",
                "message": "", "link": ""}
        data.update(fields)
        return c.post_form(path, data)

    # -- the public section and the demo data

    def test_demo_sponsors_show_on_their_campaign_and_event_pages_and_api(self):
        r = self.srv.client().get("/soutenir/%s" % CAMPAIGN)
        self.assertEqual(r.status, 200)
        self.assertIn("Nos partenaires", r.body)
        self.assertIn("La Page Buissonnière", r.body)
        self.assertIn('href="https://pagebuissonniere.example.org"', r.body)
        self.assertNotIn("Proposer un parrainage", r.body)   # a visitor has no business
        j = self.srv.client().get_json("/api/v1/campaigns/%s/sponsors" % CAMPAIGN).json()
        self.assertIn("la-page-buissonniere", [s["sponsor_slug"] for s in j["sponsors"]])
        self.assertEqual(j["target"]["org_slug"], ASSOC)
        self.assertNotIn("amount_cents", j["sponsors"][0])
        ev = self.demo_event()
        self.assertTrue(ev)
        r = self.srv.client().get("/evenements/%s" % ev)
        self.assertEqual(r.status, 200)
        self.assertIn("Nos partenaires", r.body)
        self.assertIn("L&#39;Auberge du Pont Vieux", r.body)
        j = self.srv.client().get_json("/api/v1/events/%s/sponsors" % ev).json()
        self.assertEqual([s["sponsor_slug"] for s in j["sponsors"]], ["auberge-du-pont-vieux"])
        self.assertEqual(j["sponsors"][0]["kind"], "in_kind")
        self.assertTrue(j["sponsors"][0]["goods"])
        r = self.srv.client().get_json("/api/v1/campaigns/pas-une-campagne/sponsors")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["error"]["code"], "not_found")

    # -- the whole path: offer, mails, decision, the page

    def test_offer_accept_and_the_sponsor_shows_on_the_campaign_page(self):
        path = "/parrainer/campagne/%s" % CAMPAIGN
        r = self.gite.get("/soutenir/%s" % CAMPAIGN)
        self.assertIn('href="%s"' % path, r.body)
        self.assertIn("Proposer un parrainage", r.body)
        money_before = self.money_rows()
        gite = self.org_id(GITE)
        mails = len(self.srv.mails())

        # Bad input: each refused next to its field, nothing written, no mail.
        for fields, field, text in [
            ({"sponsor": gite, "kind": "money", "amount": "beaucoup"}, "amount", "Écrivez un montant en euros"),
            ({"sponsor": gite, "kind": "money", "amount": "5"}, "amount", "entre 10 € et 100 000 €"),
            ({"sponsor": gite, "kind": "in_kind", "goods": ""}, "goods", "Décrivez en une ligne"),
            ({"sponsor": gite, "kind": "money", "amount": "200", "link": "javascript:alert(1)"}, "link",
             "https://"),
            ({"sponsor": gite, "kind": "cadeau"}, "kind", "Choisissez une somme"),
        ]:
            r = self.post_offer(self.gite, path, **fields)
            self.assertEqual(r.status, 422, (fields, r.body[:3000]))
            m = re.search(r'<p class="field-error" id="e-%s">([^<]*)</p>' % field, r.body)
            self.assertTrue(m, (field, r.body[:4000]))
            self.assertIn(text, html.unescape(m.group(1)))
            self.assertIn('aria-invalid="true"', r.body)
        self.assertEqual(self.count("o.slug = '%s'" % GITE), 0)

        # A good offer: to the business's offers page, the association's owner and treasurer are told.
        r = self.post_offer(self.gite, path, sponsor=gite, kind="money", amount="250",
                            message="Pour la charpente <b>du lavoir</b> !")
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertEqual(r.header("Location"), "/organisations/%s/parrainages" % GITE)
        page = self.gite.follow(r)
        self.assertEqual(page.status, 200)
        self.assertIn("Votre offre de parrainage est envoyée", page.body)
        self.assertIn("En attente", page.body)
        self.assertEqual(self.count("o.slug = '%s' AND s.status = 'offered' AND s.amount_cents = 25000" % GITE), 1)
        for to in (OWNER, TREASURER):
            m = self.srv.wait_mail(to=to, subject_contains="Gîte Le Mas des Faysses", since=mails)
            body = mail_text(m)
            self.assertIn("250,00", body)
            self.assertIn("/organisations/%s/parrainages" % ASSOC, body)
        self.assertFalse([m for m in self.srv.mails()[mails:] if EDITOR in m.get("X-Rcpt-To", "")])

        # One open offer per sponsor and target.
        r = self.post_offer(self.gite, path, sponsor=gite, kind="money", amount="300")
        self.assertEqual(r.status, 409, r.body[:2000])
        self.assertIn("déjà une offre de parrainage", r.body)
        self.assertEqual(self.count("o.slug = '%s'" % GITE), 1)

        # The association's page: the editor reads but may not decide; the treasurer decides.
        offers = "/organisations/%s/parrainages" % ASSOC
        oid = self.sql("SELECT s.id FROM sponsorships s JOIN organisations o ON o.id = s.sponsor_org_id"
                       " WHERE o.slug = '%s'" % GITE)
        action = "%s/%s/decision" % (offers, oid)
        r = self.editor.get(offers)
        self.assertEqual(r.status, 200)
        self.assertIn("Gîte Le Mas des Faysses", r.body)
        self.assertNotIn('action="%s"' % action, r.body)
        self.assertIn("&lt;b&gt;du lavoir&lt;/b&gt;", r.body)
        self.assertNotIn("<b>du lavoir</b>", r.body)
        r = self.editor.post_form(action, {"_csrf": csrf(r.body), "decision": "accept", "note": ""})
        self.assertEqual(r.status, 403)
        r = self.outsider.get(offers)
        self.assertEqual(r.status, 403)
        r = self.treasurer.get(offers)
        self.assertEqual(r.status, 200)
        self.assertIn('action="%s"' % action, r.body)
        token = csrf(r.body, action)
        r = self.treasurer.post_form(action, {"decision": "accept", "note": ""})   # no CSRF token
        self.assertEqual(r.status, 403)
        r = self.treasurer.post_form(action, {"_csrf": token, "decision": "accept", "note": "x" * 501})
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-o%s-note"' % oid, r.body)
        self.assertEqual(self.count("s.id = %s AND s.status = 'offered'" % oid), 1)
        mails = len(self.srv.mails())
        r = self.treasurer.post_form(action, {"_csrf": token, "decision": "accept", "note": "Merci beaucoup !"})
        self.assertEqual(r.status, 303, r.body[:2000])
        self.assertIn("Parrainage accepté", self.treasurer.follow(r).body)
        m = self.srv.wait_mail(to=GITE_OWNER, subject_contains="accepte votre parrainage", since=mails)
        self.assertIn("Merci beaucoup !", mail_text(m))
        # Decided once: a second decision is refused and changes nothing.
        r = self.owner.post_form(action, {"_csrf": csrf(self.owner.get(offers).body), "decision": "decline",
                                          "note": ""})
        self.assertEqual(r.status, 409)
        self.assertIn("déjà été acceptée, refusée ou retirée", r.body)
        self.assertEqual(self.count("s.id = %s AND s.status = 'accepted'" % oid), 1)

        # The sponsor shows on the campaign page and in the API, with its website.
        r = self.srv.client().get("/soutenir/%s" % CAMPAIGN)
        self.assertIn("Gîte Le Mas des Faysses", r.body)
        self.assertIn('href="https://masdesfaysses.example.org"', r.body)
        j = self.srv.client().get_json("/api/v1/campaigns/%s/sponsors" % CAMPAIGN).json()
        self.assertIn(GITE, [s["sponsor_slug"] for s in j["sponsors"]])
        # Paid outside the platform: no payment, no ledger row.
        self.assertEqual(self.money_rows(), money_before)

    def test_in_kind_offer_on_an_event_is_withdrawn_by_its_sponsor(self):
        ev = self.demo_event()
        path = "/parrainer/evenement/%s" % ev
        garage = self.org_id(GARAGE)
        r = self.post_offer(self.garage, path, sponsor=garage, kind="in_kind", goods="Le parking des voitures",
                            goods_value="abc")
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-goods_value"', r.body)
        r = self.post_offer(self.garage, path, sponsor=garage, kind="in_kind", goods="Le parking des voitures",
                            goods_value="150")
        self.assertEqual(r.status, 303, r.body[:3000])
        oid = self.sql("SELECT s.id FROM sponsorships s WHERE s.sponsor_org_id = %s" % garage)
        mine = "/organisations/%s/parrainages" % GARAGE
        r = self.garage.get(mine)
        self.assertIn("Le parking des voitures", r.body)
        self.assertIn("150,00", r.body)
        # Someone else may not withdraw it.
        r = self.outsider.post_form("%s/%s/retirer" % (mine, oid), {"_csrf": csrf(self.outsider.get("/").body)})
        self.assertEqual(r.status, 403)
        action = "%s/%s/retirer" % (mine, oid)
        r = self.garage.get(mine)
        self.assertIn('action="%s"' % action, r.body)
        r = self.garage.post_form(action, {"_csrf": csrf(r.body, action)})
        self.assertEqual(r.status, 303, r.body[:2000])
        self.assertEqual(self.count("s.id = %s AND s.status = 'withdrawn'" % oid), 1)
        # Withdrawn: the association can no longer accept it; it never shows on the event.
        r = self.owner.get("/organisations/%s/parrainages" % ASSOC)
        r = self.owner.post_form("/organisations/%s/parrainages/%s/decision" % (ASSOC, oid),
                                 {"_csrf": csrf(r.body), "decision": "accept", "note": ""})
        self.assertEqual(r.status, 409)
        self.assertNotIn("Garage Brunel", self.srv.client().get("/evenements/%s" % ev).body)

    def test_someone_without_a_business_cannot_offer(self):
        path = "/parrainer/campagne/%s" % CAMPAIGN
        r = self.outsider.get("/soutenir/%s" % CAMPAIGN)
        self.assertNotIn('href="%s"' % path, r.body)
        r = self.outsider.get(path)
        self.assertEqual(r.status, 200)
        self.assertIn("propriétaire ou éditeur d", html.unescape(r.body))
        self.assertNotIn('name="sponsor"', r.body)
        # Posting for someone else's business: 403, nothing written.
        r = self.outsider.post_form(path, {"_csrf": csrf(self.outsider.get("/").body), "sponsor": self.org_id(GITE),
                                           "kind": "money", "amount": "100"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.count("s.created_by = (SELECT id FROM accounts WHERE email = '%s')" % OUTSIDER), 0)
        # A visitor is sent to log in; unknown targets are 404.
        r = self.srv.client().get(path)
        self.assertEqual(r.status, 303)
        self.assertIn("/connexion", r.header("Location"))
        self.assertEqual(self.gite.get("/parrainer/campagne/pas-de-campagne").status, 404)
        self.assertEqual(self.gite.get("/parrainer/concert/%s" % CAMPAIGN).status, 404)
        # A business's own offers page is for its members.
        self.assertEqual(self.outsider.get("/organisations/%s/parrainages" % GITE).status, 403)


if __name__ == "__main__":
    unittest.main()
