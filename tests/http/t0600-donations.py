# t0600-donations.py: one-off donations through the real binary: the treasurer declares the association's fiscal
# details, a platform admin checks them, a guest gives with the demo card and downloads a tax receipt whose text
# (pdftotext) holds what CERFA 11580 asks; bad amounts are refused next to their field with nothing written;
# forms without their CSRF token are refused; an association that is not checked gives no receipt.
#
# Fixture: `--demo` loads the organisations and accounts (data/demo/territory.json); everything else goes through
# the pages. Both backends are covered; nothing is skipped.
import datetime
import re
import secrets
import subprocess
import tempfile
import unittest
import zoneinfo

from agenda_test import ORG
from kiosque_test import Server, csrf, mail_text
from sql_fixtures import run_sql
from ticketing_fixtures import OUTSIDER, TREASURER, login


def paris_now():
    return datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Paris"))

ADMIN = "admin@example.org"
OTHER_ORG = "chorale-voix-de-la-vesque"     # an association whose declaration is never checked
BUSINESS = "boulangerie-chabert"             # not an association: no donations

FISCAL = {
    "quality": "interet_general",
    "legal_name": "Comité des fêtes de Vesqueval",
    "object": "Animer la vie du village : fêtes, bals et marchés",
    "address": "2 place de la Mairie",
    "postcode": "26400",
    "city": "Vesqueval",
    "rna": "W261234567",
    "siren": "",
    "signatory": "Gérard Faure, trésorier",
}


def pdf_text(data):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        r = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, timeout=30)
    if r.returncode != 0:
        raise AssertionError("pdftotext failed: %r" % r.stderr)
    return r.stdout.decode("utf-8")


class DonationsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(args=["--demo"], env={"KIOSQUE_FAST_HASH": "1"})
        try:
            cls.treasurer = login(cls.srv, TREASURER)
            cls.admin = login(cls.srv, ADMIN)
        except BaseException:
            cls.srv.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def count(self, sql):
        return int(run_sql(self.srv, sql) or 0)

    def declare_and_check(self):
        """The treasurer declares (demo card and transfer accepted), the admin checks; idempotent."""
        url = "/organisations/%s/dons/reglages" % ORG
        r = self.treasurer.get(url)
        self.assertEqual(r.status, 200)
        fields = dict(FISCAL, _csrf=csrf(r.body), provider_transfer="1", suggested="10 ; 25 ; 125,50",
                      transfer_details="IBAN FR76 3000 4000 0500 0012 3456 789")
        r = self.treasurer.post_form(url, fields)
        self.assertEqual(r.status, 303, r.body[:3000])
        r = self.admin.get(url)
        self.assertEqual(r.status, 200)
        if "/dons/verifier" in r.body:
            r = self.admin.post_form("/organisations/%s/dons/verifier" % ORG, {"_csrf": csrf(r.body)})
            self.assertEqual(r.status, 303, r.body[:2000])
        self.assertIn("Déclaration vérifiée", self.treasurer.get(url).body)

    def give(self, c, org, amount="", suggested="", provider="demo", name="Zoé Lefèvre", idem=None, email=None):
        r = c.get("/organisations/%s/don" % org)
        self.assertEqual(r.status, 200, r.body[:2000])
        fields = {"_csrf": csrf(r.body), "amount": amount, "suggested": suggested, "provider": provider,
                  "donor_name": name, "donor_address": "14 rue des Tilleuls", "donor_postcode": "26400",
                  "donor_city": "Crest", "donor_email": email or "zoe.%s@example.org" % secrets.token_hex(3),
                  "idem": idem or re.search(r'name="idem" value="([0-9a-f]+)"', r.body).group(1)}
        return c.post_form("/organisations/%s/don" % org, fields)

    def test_guest_gives_with_the_demo_card_and_downloads_the_receipt(self):
        self.declare_and_check()
        c = self.srv.client()
        self.assertIn('href="/organisations/%s/don"' % ORG, c.get("/organisations/%s" % ORG).body)
        form = c.get("/organisations/%s/don" % ORG)
        self.assertIn("125,50", form.body)            # the suggested amounts of the association
        self.assertIn("délivre des reçus fiscaux", form.body)
        before = self.count("SELECT COUNT(*) FROM tax_receipts")
        r = self.give(c, ORG, amount="125,50")
        self.assertEqual(r.status, 303, r.body[:3000])
        pay = r.header("Location")
        m = re.match(r"^(?:https?://[^/]+)?(/dons/([0-9a-f]{64}))/paiement-demo$", pay)
        self.assertTrue(m, pay)
        page, secret = m.group(1), m.group(2)
        r = c.get(page)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
        self.assertIn("en attente", r.body)
        self.assertEqual(c.get(page + "/recu.pdf").status, 404)   # nothing to show before the money
        r = c.get(page + "/paiement-demo")
        self.assertEqual(r.status, 200)
        r = c.post_form(page + "/paiement-demo", {"_csrf": csrf(r.body)})
        self.assertEqual(r.status, 303)
        r = c.get(page)
        self.assertIn("Merci", r.body)
        year = paris_now().year   # the receipt is dated in the territory's time zone
        number = re.search(r"(%d-\d{4})" % year, r.body).group(1)
        self.assertEqual(self.count("SELECT COUNT(*) FROM tax_receipts"), before + 1)
        # Paying twice changes nothing: one payment, one receipt.
        r = c.post_form(page + "/paiement-demo", {"_csrf": csrf(c.get(page).body)})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.count("SELECT COUNT(*) FROM tax_receipts"), before + 1)
        self.assertEqual(self.count("SELECT COUNT(*) FROM payments p JOIN donations d ON d.id = p.donation_id"
                                    " WHERE d.secret = '%s' AND p.status = 'captured'" % secret), 1)

        r = c.get(page + "/recu.pdf")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type").split(";")[0], "application/pdf")
        self.assertEqual(r.header("Cache-Control"), "no-store")
        text = pdf_text(r.raw)
        flat = " ".join(text.split())
        for want in ("Reçu au titre des dons à certains organismes d'intérêt général",
                     "Numéro d'ordre du reçu : %s" % number,
                     "Comité des fêtes de Vesqueval", "2 place de la Mairie, 26400 Vesqueval",
                     "Animer la vie du village", "W261234567", "Œuvre ou organisme d'intérêt général",
                     "Zoé Lefèvre", "14 rue des Tilleuls, 26400 Crest",
                     "125,50", "cent vingt-cinq euros et cinquante centimes",
                     "Déclaration de don manuel", "Numéraire", "Carte bancaire",
                     "200, 238 bis et 978", paris_now().strftime("%d/%m/%Y"), "Gérard Faure, trésorier"):
            self.assertIn(want, flat, "the receipt lacks %r:\n%s" % (want, text))

    def test_a_transfer_is_marked_received_by_the_treasurer_and_then_gets_its_receipt(self):
        self.declare_and_check()
        c = self.srv.client()
        r = self.give(c, ORG, suggested="2500", provider="transfer", name="Marc Blanc",
                      email="marc.blanc@example.org")
        self.assertEqual(r.status, 303, r.body[:3000])
        page = re.sub(r"^https?://[^/]+", "", r.header("Location"))
        self.assertRegex(page, r"^/dons/[0-9a-f]{64}$")
        r = c.get(page)
        ref = re.search(r"(DON-\d+)", r.body).group(1)
        self.assertIn("IBAN FR76 3000 4000 0500 0012 3456 789", r.body)
        m = self.srv.wait_mail(to="marc.blanc@example.org", subject_contains="virement")
        self.assertIn(ref, mail_text(m))
        self.assertIn(self.srv.url + page, mail_text(m))
        donation_id = int(ref[4:])
        action = "/organisations/%s/dons/%d/virement-recu" % (ORG, donation_id)
        # Someone who is not its treasurer cannot say the money came in.
        outsider = login(self.srv, OUTSIDER)
        r = outsider.post_form(action, {"_csrf": csrf(outsider.get("/").body)})
        self.assertEqual(r.status, 403)
        self.assertIn("en attente", c.get(page).body)
        r = self.treasurer.get("/organisations/%s/dons/reglages" % ORG)
        self.assertIn(ref, r.body)
        self.assertIn(action, r.body)
        r = self.treasurer.post_form(action, {"_csrf": csrf(r.body, action)})
        self.assertEqual(r.status, 303)
        r = self.treasurer.post_form(action, {"_csrf": csrf(self.treasurer.get("/").body)})
        self.assertEqual(r.status, 303)   # told it is no longer waiting; nothing changes
        self.assertEqual(self.count("SELECT COUNT(*) FROM tax_receipts WHERE donation_id = %d" % donation_id), 1)
        self.assertEqual(self.count("SELECT COUNT(*) FROM ledger l JOIN payments p ON p.id = l.payment_id"
                                    " WHERE p.donation_id = %d" % donation_id), 1)
        r = c.get(page)
        self.assertIn("Merci", r.body)
        text = " ".join(pdf_text(c.get(page + "/recu.pdf").raw).split())
        self.assertIn("Virement", text)
        self.assertIn("vingt-cinq euros", text)
        self.assertIn("Marc Blanc", text)
        self.srv.wait_mail(to="marc.blanc@example.org", subject_contains="Merci")

    def test_what_the_donor_typed_is_escaped_on_every_page(self):
        evil = "Zoé <script>alert('x')</script> \"&amp; Cie"
        c = self.srv.client()
        r = self.give(c, ORG, amount="abc", name=evil)          # refused: the form comes back with it
        self.assertEqual(r.status, 422)
        self.assertNotIn("<script>alert", r.body)
        self.assertIn("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;&amp;amp; Cie", r.body)
        r = self.give(c, ORG, amount="15", name=evil, provider="transfer")
        self.assertEqual(r.status, 303)
        page = re.sub(r"^https?://[^/]+", "", r.header("Location"))
        r = c.get(page)
        self.assertNotIn("<script>alert", r.body)
        self.assertIn("&lt;script&gt;", r.body)
        r = self.treasurer.get("/organisations/%s/dons/reglages" % ORG)
        self.assertNotIn("<script>alert", r.body)
        self.assertIn("&lt;script&gt;", r.body)

    def test_bad_amounts_are_refused_next_to_the_field_and_nothing_is_written(self):
        c = self.srv.client()
        before = self.count("SELECT COUNT(*) FROM donations")
        for amount, message in (("0,50", "Le don minimum est de 1"), ("0", "Le don minimum est de 1"),
                                ("abc", "Écrivez un montant en euros"),
                                ("12,505", "Écrivez un montant en euros"),
                                ("-5", "Écrivez un montant en euros"),
                                ("100000,01", "Au-delà de 100"),
                                ("99999999999999999999", "Écrivez un montant en euros"),
                                ("", "Choisissez un montant")):
            r = self.give(c, ORG, amount=amount)
            self.assertEqual(r.status, 422, (amount, r.body[:2000]))
            m = re.search(r'<p class="field-error" id="e-amount">([^<]*)</p>', r.body)
            self.assertTrue(m, (amount, r.body[:4000]))
            self.assertIn(message, m.group(1), amount)
            self.assertIn('aria-invalid="true"', r.body)
            self.assertIn('value="Zoé Lefèvre"', r.body)    # what was typed stays
        # A provider the association does not take is refused too.
        r = self.give(c, ORG, amount="20", provider="onsite")
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-provider"', r.body)
        self.assertEqual(self.count("SELECT COUNT(*) FROM donations"), before)

    def test_a_retried_form_makes_one_donation(self):
        c = self.srv.client()
        idem = secrets.token_hex(16)
        before = self.count("SELECT COUNT(*) FROM donations")
        r1 = self.give(c, ORG, amount="30", idem=idem, name="Paul Martin", email="paul@example.org")
        r2 = self.give(c, ORG, amount="30", idem=idem, name="Paul Martin", email="paul@example.org")
        self.assertEqual(r1.status, 303)
        self.assertEqual(r2.status, 303)
        self.assertEqual(self.count("SELECT COUNT(*) FROM donations"), before + 1)

    def test_forms_without_their_csrf_token_are_refused(self):
        c = self.srv.client()
        c.get("/organisations/%s/don" % ORG)
        before = self.count("SELECT COUNT(*) FROM donations")
        r = c.post_form("/organisations/%s/don" % ORG, {
            "amount": "20", "provider": "demo", "donor_name": "Eve", "donor_address": "1 rue A",
            "donor_postcode": "26400", "donor_city": "Crest", "donor_email": "eve@example.org",
            "idem": secrets.token_hex(16)})
        self.assertEqual(r.status, 403)
        r = c.post_form("/organisations/%s/don" % ORG, {
            "_csrf": "0" * 64, "amount": "20", "provider": "demo", "donor_name": "Eve",
            "donor_address": "1 rue A", "donor_postcode": "26400", "donor_city": "Crest",
            "donor_email": "eve@example.org", "idem": secrets.token_hex(16)})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.count("SELECT COUNT(*) FROM donations"), before)
        r = self.treasurer.post_form("/organisations/%s/dons/reglages" % ORG, dict(FISCAL, provider_transfer="1"))
        self.assertEqual(r.status, 403)
        r = self.admin.post_form("/organisations/%s/dons/verifier" % OTHER_ORG, {})
        self.assertEqual(r.status, 403)

    def test_only_owners_treasurers_edit_and_only_admins_check(self):
        outsider = login(self.srv, OUTSIDER)
        self.assertEqual(outsider.get("/organisations/%s/dons/reglages" % ORG).status, 403)
        r = self.treasurer.get("/organisations/%s/dons/reglages" % ORG)
        self.assertNotIn("/dons/verifier", r.body)
        r = self.treasurer.post_form("/organisations/%s/dons/verifier" % ORG, {"_csrf": csrf(r.body)})
        self.assertEqual(r.status, 403)
        # A bad RNA is refused next to its field.
        r = self.treasurer.get("/organisations/%s/dons/reglages" % ORG)
        r = self.treasurer.post_form("/organisations/%s/dons/reglages" % ORG,
                                     dict(FISCAL, _csrf=csrf(r.body), provider_transfer="1", suggested="10",
                                          rna="X12"))
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-rna"', r.body)

    def test_an_unchecked_association_gives_no_receipt_and_a_business_takes_no_donation(self):
        self.assertEqual(self.srv.client().get("/organisations/%s/don" % BUSINESS).status, 404)
        # Whatever the demo declared for it: this association has no declaration.
        run_sql(self.srv, "DELETE FROM org_fiscal WHERE org_id = (SELECT id FROM organisations WHERE slug = '%s')"
                % OTHER_ORG)
        c = self.srv.client()
        r = self.give(c, OTHER_ORG, suggested="2000")
        self.assertEqual(r.status, 303, r.body[:3000])
        page = re.sub(r"^https?://[^/]+", "", r.header("Location")).replace("/paiement-demo", "")
        r = c.get(page + "/paiement-demo")
        r = c.post_form(page + "/paiement-demo", {"_csrf": csrf(r.body)})
        self.assertEqual(r.status, 303)
        r = c.get(page)
        self.assertIn("Merci", r.body)
        self.assertIn("ne délivre pas de reçu fiscal", r.body)
        self.assertEqual(c.get(page + "/recu.pdf").status, 404)
        self.assertEqual(c.get("/dons/" + "0" * 64).status, 404)
        self.assertEqual(c.get("/dons/nope/recu.pdf").status, 404)


if __name__ == "__main__":
    unittest.main()
