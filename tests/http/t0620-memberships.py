# t0620-memberships.py: memberships through the real binary: the treasurer makes plans on the association's
# page; a guest joins with the demo card, downloads the member card and its QR code (pdftoppm, zbarimg) holds the
# card code; renewal in one click starts when the membership ends; the treasurer records a membership paid in cash
# (one ledger row, provider 'cash') and exports the members as CSV (BOM, ';', formulas neutralised); refusals
# (below the minimum, a full plan, outsiders, no CSRF token) write nothing.
#
# Fixture: `--demo` loads the organisations and accounts (data/demo/territory.json); the plans are made through
# the pages. Both backends are covered; nothing is skipped.
import os
import re
import secrets
import subprocess
import tempfile
import unittest

from agenda_test import ORG
from kiosque_test import Server, csrf, forms, mail_text
from sql_fixtures import run_sql
from ticketing_fixtures import OUTSIDER, TREASURER, login

MANAGE = "/organisations/%s/adhesions/gestion" % ORG
JOIN = "/organisations/%s/adhesion" % ORG


def pdf_text(path):
    r = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, timeout=30)
    if r.returncode != 0:
        raise AssertionError("pdftotext failed: %r" % r.stderr)
    return r.stdout.decode("utf-8")


class MembershipsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(args=["--demo"], env={"KIOSQUE_FAST_HASH": "1"})
        try:
            cls.treasurer = login(cls.srv, TREASURER)
            cls.plans = {}
            for name, pricing, price, period, cap in (("Adhésion annuelle", "fixed", "15", "civil", ""),
                                                      ("Bienfaiteur", "pwyw", "30", "season", ""),
                                                      ("Atelier poterie", "fixed", "5", "rolling", "1")):
                cls.plans[name] = cls.make_plan(name, pricing, price, period, cap)
        except BaseException:
            cls.srv.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    @classmethod
    def make_plan(cls, name, pricing, price, period, cap):
        r = cls.treasurer.get(MANAGE)
        assert r.status == 200, r.body[:2000]
        action = "/organisations/%s/adhesions/formules" % ORG
        r = cls.treasurer.post_form(action, {"_csrf": csrf(r.body, action), "name": name,
                                             "description": "Formule « %s »" % name, "pricing": pricing,
                                             "price": price, "period": period, "cap": cap, "is_open": "1"})
        assert r.status == 303, r.body[:3000]
        # The demo loads plans too: the newest plan of that name in this association.
        sql = ("SELECT p.id FROM membership_plans p JOIN organisations o ON o.id = p.org_id"
               " WHERE o.slug = '%s' AND p.name = '%s' ORDER BY p.id DESC LIMIT 1"
               % (ORG, name.replace("'", "''")))
        return int(run_sql(cls.srv, sql))

    def count(self, sql):
        return int(run_sql(self.srv, sql) or 0)

    def join(self, c, plan, amount="", provider="demo", name="Zoé Lefèvre", email=None, idem=None):
        r = c.get(JOIN)
        self.assertEqual(r.status, 200, r.body[:2000])
        fields = {"_csrf": csrf(r.body, JOIN), "plan_id": str(plan), "amount": amount, "provider": provider,
                  "member_name": name, "member_email": email or "zoe.%s@example.org" % secrets.token_hex(3),
                  "idem": idem or re.search(r'name="idem" value="([0-9a-f]+)"', r.body).group(1)}
        return c.post_form(JOIN, fields)

    def pay_demo(self, c, location):
        m = re.match(r"^(?:https?://[^/]+)?(/adhesion/([0-9a-f]{64}))/paiement-demo$", location)
        self.assertTrue(m, location)
        page = m.group(1)
        r = c.get(page + "/paiement-demo")
        self.assertEqual(r.status, 200)
        r = c.post_form(page + "/paiement-demo", {"_csrf": csrf(r.body)})
        self.assertEqual(r.status, 303)
        return page, m.group(2)

    def test_guest_joins_with_the_demo_card_and_the_card_qr_holds_its_code(self):
        c = self.srv.client()
        r = c.get("/adhesions")
        self.assertEqual(r.status, 200)
        self.assertIn('href="%s"' % JOIN, r.body)
        form = c.get(JOIN)
        self.assertIn("Bienfaiteur", form.body)
        self.assertIn("prix libre à partir de", form.body)
        email = "zoe.card.%s@example.org" % secrets.token_hex(3)
        r = self.join(c, self.plans["Adhésion annuelle"], email=email)
        self.assertEqual(r.status, 303, r.body[:3000])
        location = r.header("Location")
        page = re.sub(r"^https?://[^/]+", "", location).replace("/paiement-demo", "")
        r = c.get(page)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
        self.assertIn("En attente de paiement", r.body)
        self.assertEqual(c.get(page + "/carte.pdf").status, 404)     # no card before the money
        page, secret = self.pay_demo(c, location)
        r = c.get(page)
        self.assertIn("Adhésion en cours", r.body)
        self.assertIn(page + "/carte.pdf", r.body)
        # Paying twice changes nothing: one captured payment, one ledger row.
        r = c.post_form(page + "/paiement-demo", {"_csrf": csrf(c.get(page).body)})
        self.assertEqual(r.status, 303)
        where = "p.membership_id = (SELECT id FROM memberships WHERE secret = '%s')" % secret
        self.assertEqual(self.count("SELECT COUNT(*) FROM payments p WHERE %s AND p.status = 'captured'" % where), 1)
        self.assertEqual(self.count("SELECT COUNT(*) FROM ledger l JOIN payments p ON p.id = l.payment_id"
                                    " WHERE %s AND l.amount_cents = 1500" % where), 1)
        m = self.srv.wait_mail(to=email, subject_contains="adhésion")
        self.assertIn(self.srv.url + page, mail_text(m))

        r = c.get(page + "/carte.pdf")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type").split(";")[0], "application/pdf")
        self.assertEqual(r.header("Cache-Control"), "no-store")
        code = run_sql(self.srv, "SELECT card_code FROM memberships WHERE secret = '%s'" % secret)
        self.assertRegex(code, r"^[0-9A-Z]{20}$")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "carte.pdf")
            with open(path, "wb") as f:
                f.write(r.raw)
            flat = " ".join(pdf_text(path).split())
            for want in ("Carte de membre", "Comité des fêtes", "Zoé Lefèvre", "Adhésion annuelle", code):
                self.assertIn(want, flat)
            subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", path, os.path.join(d, "p")],
                           check=True)
            pngs = sorted(p for p in os.listdir(d) if p.endswith(".png"))
            self.assertTrue(pngs)
            z = subprocess.run(["zbarimg", "--quiet", "--raw", os.path.join(d, pngs[0])], capture_output=True,
                               text=True)
            self.assertEqual(z.returncode, 0, z.stderr)
            self.assertEqual(z.stdout.strip(), code)
        # At the door, someone of the association checks the scanned code.
        check = "/organisations/%s/adhesions/verifier?code=" % ORG
        r = self.treasurer.get(check + z.stdout.strip().lower())
        self.assertEqual(r.status, 200, r.body[:2000])
        self.assertIn("Adhésion en cours", r.body)
        self.assertIn("Zoé Lefèvre", r.body)
        self.assertEqual(self.treasurer.get(check + "A" * 20).status, 404)
        self.assertEqual(login(self.srv, OUTSIDER).get(check + code).status, 403)

        # Renewal in one click: a new membership starting when this one ends.
        r = c.get(page)
        action = page + "/renouveler"
        fields = [f for a, f in forms(r.body) if a.get("action") == action]
        self.assertTrue(fields, r.body[:3000])
        r = c.post_form(action, {"_csrf": fields[0]["_csrf"], "idem": fields[0]["idem"], "provider": "demo"})
        self.assertEqual(r.status, 303, r.body[:2000])
        new_page, new_secret = self.pay_demo(c, r.header("Location"))
        self.assertEqual(self.count("SELECT COUNT(*) FROM memberships n JOIN memberships o ON o.id = n.renews_id"
                                    " WHERE n.secret = '%s' AND o.secret = '%s' AND n.valid_from = o.valid_until"
                                    " AND n.status = 'active'" % (new_secret, secret)), 1)
        self.assertIn("Adhésion à venir", c.get(new_page).body)

    def test_the_treasurer_records_cash_and_exports_the_members(self):
        r = self.treasurer.get(MANAGE)
        action = "/organisations/%s/adhesions/enregistrer" % ORG
        idem = [f for a, f in forms(r.body) if a.get("action") == action][0]["idem"]
        fields = {"_csrf": csrf(r.body, action), "idem": idem, "plan_id": str(self.plans["Adhésion annuelle"]),
                  "member_name": "=HYPERLINK(\"http://x\")", "member_email": "", "provider": "cash"}
        before = self.count("SELECT COUNT(*) FROM ledger WHERE provider = 'cash'")
        r = self.treasurer.post_form(action, fields)
        self.assertEqual(r.status, 303, r.body[:3000])
        r = self.treasurer.post_form(action, fields)            # sent twice: one membership
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertEqual(self.count("SELECT COUNT(*) FROM ledger WHERE provider = 'cash'"), before + 1)
        self.assertEqual(self.count("SELECT COUNT(*) FROM memberships WHERE provider = 'cash'"
                                    " AND status = 'active' AND recorded_by IS NOT NULL"), 1)
        r = self.treasurer.get(MANAGE)
        self.assertIn("=HYPERLINK(&quot;http://x&quot;)", r.body)
        self.assertIn("Espèces", r.body)
        r = self.treasurer.get("/organisations/%s/adhesions.csv" % ORG)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type").split(";")[0], "text/csv")
        self.assertTrue(r.raw.startswith(b"\xef\xbb\xbf"))
        text = r.raw.decode("utf-8")
        self.assertIn("Membre;", text)
        self.assertIn("\"'=HYPERLINK(\"\"http://x\"\")\";", text)   # quoted, and no formula
        self.assertIn("Espèces", text)
        self.assertIn("15,00", text)

    def test_refusals_write_nothing(self):
        c = self.srv.client()
        before = self.count("SELECT COUNT(*) FROM memberships")
        r = self.join(c, self.plans["Bienfaiteur"], amount="29,99")
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-amount"', r.body)
        self.assertIn('value="Zoé Lefèvre"', r.body)
        r = self.join(c, self.plans["Bienfaiteur"], amount="abc")
        self.assertEqual(r.status, 422)
        r = self.join(c, self.plans["Adhésion annuelle"], provider="onsite")
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-provider"', r.body)
        r = self.join(c, self.plans["Adhésion annuelle"], email="pas-une-adresse")
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-member_email"', r.body)
        self.assertEqual(self.count("SELECT COUNT(*) FROM memberships"), before)
        # A cap of one: the second joiner is told it is full.
        r = self.join(c, self.plans["Atelier poterie"])
        self.assertEqual(r.status, 303, r.body[:2000])
        r = self.join(c, self.plans["Atelier poterie"])
        self.assertEqual(r.status, 409, r.body[:2000])
        self.assertIn("complète", r.body)
        self.assertEqual(self.count("SELECT taken FROM membership_plans WHERE id = %d"
                                    % self.plans["Atelier poterie"]), 1)
        # Outsiders see no members, and record nothing.
        outsider = login(self.srv, OUTSIDER)
        self.assertEqual(outsider.get(MANAGE).status, 403)
        self.assertEqual(outsider.get("/organisations/%s/adhesions.csv" % ORG).status, 403)
        r = outsider.post_form("/organisations/%s/adhesions/enregistrer" % ORG, {
            "_csrf": csrf(outsider.get("/").body), "idem": secrets.token_hex(16),
            "plan_id": str(self.plans["Adhésion annuelle"]), "member_name": "Eve", "provider": "cash"})
        self.assertEqual(r.status, 403)
        self.assertNotEqual(c.get(MANAGE).status, 200)          # a visitor is sent to log in
        self.assertEqual(c.get("/adhesion/" + "0" * 64).status, 404)
        self.assertEqual(c.get("/adhesion/nope/carte.pdf").status, 404)
        self.assertEqual(c.get("/organisations/boulangerie-chabert/adhesion").status, 404)

    def test_forms_without_their_csrf_token_are_refused(self):
        c = self.srv.client()
        c.get(JOIN)
        before = self.count("SELECT COUNT(*) FROM memberships")
        fields = {"plan_id": str(self.plans["Adhésion annuelle"]), "provider": "demo", "member_name": "Eve",
                  "member_email": "eve@example.org", "idem": secrets.token_hex(16)}
        self.assertEqual(c.post_form(JOIN, fields).status, 403)
        self.assertEqual(c.post_form(JOIN, dict(fields, _csrf="0" * 64)).status, 403)
        r = self.treasurer.post_form("/organisations/%s/adhesions/enregistrer" % ORG, dict(fields, provider="cash"))
        self.assertEqual(r.status, 403)
        r = self.treasurer.post_form("/organisations/%s/adhesions/formules" % ORG, {
            "name": "Pirate", "pricing": "free", "period": "civil"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.count("SELECT COUNT(*) FROM memberships"), before)
        self.assertEqual(self.count("SELECT COUNT(*) FROM membership_plans WHERE name = 'Pirate'"), 0)

    def test_a_bad_plan_is_refused_next_to_its_fields(self):
        r = self.treasurer.get(MANAGE)
        action = "/organisations/%s/adhesions/formules" % ORG
        r = self.treasurer.post_form(action, {"_csrf": csrf(r.body, action), "name": "<script>x</script>",
                                              "pricing": "fixed", "price": "abc", "period": "weekly", "cap": "0"})
        self.assertEqual(r.status, 422)
        for f in ("price", "period", "cap"):
            self.assertIn('id="e-plan-new-%s"' % f, r.body)
        self.assertNotIn("<script>x", r.body)
        self.assertIn("&lt;script&gt;x", r.body)


if __name__ == "__main__":
    unittest.main()
