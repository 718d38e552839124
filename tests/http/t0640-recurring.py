# t0640-recurring.py: monthly donations through the real binary: a donor gives "Tous les mois" through the form
# with the demo card and with Stripe (tests/tools/fake_stripe.py: the first payment on its page saves the card,
# renewals are off-session payment intents), the job thread of a server restarted a month later renews each once,
# the stop link of the thanks mail (SMTP sink) shows a confirm button and stops it for good, "Mes dons" lists it
# with a stop button (someone else's gets 404), and a year later the annual summary receipt asked from "Mes dons"
# is a PDF whose text (pdftotext) holds the CERFA 11580 fields, the list of gifts and the total in figures and
# in French words. Bad input (monthly as a guest, monthly by transfer) is refused next to its field, nothing
# written.
#
# Fixture: `--demo` (organisations, accounts; every demo association's fiscal details are checked). Both backends
# are covered; nothing is skipped.
import datetime
import json
import os
import re
import secrets
import select
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import zoneinfo

from agenda_test import ORG
from kiosque_test import Server, csrf, first_link, mail_text
from sql_fixtures import run_sql
from ticketing_fixtures import TREASURER, login

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE_STRIPE = os.path.join(HERE, "..", "tools", "fake_stripe.py")
WHSEC = "whsec_test_" + secrets.token_hex(8)
DONOR = "fatou.diallo@example.org"
OTHER = "hugo.mercier@example.org"
DAY = 86400


def paris_now():
    return datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Paris"))


def pdf_text(data):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        r = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, timeout=30)
    if r.returncode != 0:
        raise AssertionError("pdftotext failed: %r" % r.stderr)
    return r.stdout.decode("utf-8")


class FakeStripe:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, FAKE_STRIPE, "--port", "0", "--secret-key", "sk_test_x",
                                      "--webhook-secret", WHSEC], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        ready, _, _ = select.select([self.proc.stdout], [], [], 15)
        line = self.proc.stdout.readline().strip() if ready else b""
        if not line.isdigit():
            self.proc.kill()
            raise RuntimeError("fake_stripe.py did not start")
        self.url = "http://127.0.0.1:%d" % int(line)

    def call(self, method, path):
        req = urllib.request.Request(self.url + path, data=b"" if method == "POST" else None, method=method)
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read().decode())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def local(url):
    return re.sub(r"^https?://[^/]+", "", url)


class RecurringTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stripe = FakeStripe()
        cls.env = {"KIOSQUE_FAST_HASH": "1", "KIOSQUE_STRIPE_SECRET_KEY": "sk_test_x",
                   "KIOSQUE_STRIPE_WEBHOOK_SECRET": WHSEC, "KIOSQUE_STRIPE_API_BASE": cls.stripe.url}

    @classmethod
    def tearDownClass(cls):
        cls.stripe.stop()

    def count(self, srv, sql):
        return int(run_sql(srv, sql) or 0)

    def take_stripe(self, srv):
        """The treasurer lets the association take cards through Stripe too."""
        t = login(srv, TREASURER)
        url = "/organisations/%s/dons/reglages" % ORG
        r = t.get(url)
        self.assertEqual(r.status, 200)
        r = t.post_form(url, {"_csrf": csrf(r.body), "provider_transfer": "1", "provider_stripe": "1",
                              "suggested": "10 ; 25 ; 50",
                              "transfer_details": "IBAN FR76 3000 4000 0500 0012 3456 789"})
        self.assertEqual(r.status, 303, r.body[:2000])

    def give(self, c, amount, provider, frequency="monthly", email="fatou.diallo@example.org"):
        r = c.get("/organisations/%s/don" % ORG)
        self.assertEqual(r.status, 200, r.body[:2000])
        self.assertIn("Tous les mois", r.body)
        fields = {"_csrf": csrf(r.body), "amount": amount, "suggested": "other", "provider": provider,
                  "frequency": frequency, "donor_name": "Fatou Diallo", "donor_address": "3 chemin des Vignes",
                  "donor_postcode": "26400", "donor_city": "Crest", "donor_email": email,
                  "idem": re.search(r'name="idem" value="([0-9a-f]+)"', r.body).group(1)}
        return c.post_form("/organisations/%s/don" % ORG, fields)

    def captured(self, srv, secret_of_first):
        return self.count(srv, "SELECT COUNT(*) FROM payments p JOIN donations d ON d.id = p.donation_id"
                               " WHERE p.status = 'captured' AND d.recurring_id ="
                               " (SELECT recurring_id FROM donations WHERE secret = '%s')" % secret_of_first)

    def wait_captured(self, srv, secret, n, timeout=15):
        deadline = time.monotonic() + timeout
        while self.captured(srv, secret) < n and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.captured(srv, secret)

    def test_bad_monthly_requests_are_refused(self):
        with Server(args=["--demo"], env=self.env) as srv:
            before = self.count(srv, "SELECT COUNT(*) FROM recurring_donations")
            dons = self.count(srv, "SELECT COUNT(*) FROM donations")
            guest = srv.client()
            r = self.give(guest, "20", "demo")
            self.assertEqual(r.status, 422)
            self.assertIn('id="e-frequency"', r.body)
            self.assertIn("Connectez-vous pour donner tous les mois", r.body)
            donor = login(srv, DONOR)
            r = self.give(donor, "20", "transfer")
            self.assertEqual(r.status, 422)
            self.assertIn("Un don mensuel se règle par carte", r.body)
            r = self.give(donor, "0,50", "demo")
            self.assertEqual(r.status, 422)
            self.assertEqual(self.count(srv, "SELECT COUNT(*) FROM recurring_donations"), before)
            self.assertEqual(self.count(srv, "SELECT COUNT(*) FROM donations"), dons)
            # Without its CSRF token: refused.
            r = donor.post_form("/compte/dons/mensuels/1/arret", {})
            self.assertEqual(r.status, 403)

    def test_monthly_demo_card_renewed_by_the_job_then_stopped_from_the_mail(self):
        with Server(args=["--demo"], env=self.env) as srv:
            donor = login(srv, DONOR)
            r = self.give(donor, "25", "demo")
            self.assertEqual(r.status, 303, r.body[:3000])
            m = re.match(r"^(/dons/([0-9a-f]{64}))/paiement-demo$", local(r.header("Location")))
            self.assertTrue(m, r.header("Location"))
            page, secret = m.group(1), m.group(2)
            r = donor.post_form(page + "/paiement-demo", {"_csrf": csrf(donor.get(page + "/paiement-demo").body)})
            self.assertEqual(r.status, 303)
            r = donor.get(page)
            self.assertIn("est un don mensuel", r.body)
            self.assertIn("reçu fiscal annuel", r.body)
            self.assertEqual(self.captured(srv, secret), 1)
            mail = srv.wait_mail(to=DONOR, subject_contains="don mensuel")
            stop = first_link(mail_text(mail), srv.url + "/dons/mensuel/")
            # "Mes dons": the monthly donation with its stop button; the month without a receipt of its own.
            r = donor.get("/compte/dons")
            self.assertEqual(r.status, 200)
            self.assertIn("Mes dons mensuels", r.body)
            self.assertIn("Reçu annuel", r.body)
            rid = int(re.search(r'action="/compte/dons/mensuels/(\d+)/arret"', r.body).group(1))
            # Someone else cannot stop it.
            other = login(srv, OTHER)
            r = other.post_form("/compte/dons/mensuels/%d/arret" % rid, {"_csrf": csrf(other.get("/compte/dons").body)})
            self.assertEqual(r.status, 404)

            # A month later the job thread renews it, once.
            srv.restart(env=dict(self.env, KIOSQUE_TIME_OFFSET=str(32 * DAY)))
            self.assertEqual(self.wait_captured(srv, secret, 2), 2)
            srv.wait_mail(to=DONOR, subject_contains="don mensuel", since=len(srv.mails()) - 1)
            time.sleep(1.5)   # more passes of the job: nothing more
            self.assertEqual(self.captured(srv, secret), 2)
            self.assertEqual(self.count(srv, "SELECT COUNT(*) FROM tax_receipts r JOIN donations d"
                                             " ON d.id = r.donation_id WHERE d.recurring_id = %d" % rid), 0)

            # The mail's stop link: GET shows a confirm button and changes nothing; POST stops.
            anon = srv.client()
            r = anon.get(local(stop))
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("Cache-Control"), "no-store")
            self.assertIn("Arrêter le don mensuel", r.body)
            self.assertEqual(self.count(srv, "SELECT COUNT(*) FROM recurring_donations WHERE id = %d"
                                             " AND status = 'active'" % rid), 1)
            r = anon.post_form(local(stop), {"_csrf": csrf(r.body)})
            self.assertEqual(r.status, 303)
            self.assertIn("plus aucun prélèvement", anon.get(local(stop)).body)
            self.assertEqual(anon.get("/dons/mensuel/" + "0" * 64).status, 404)
            # Two months on: never charged again.
            srv.restart(env=dict(self.env, KIOSQUE_TIME_OFFSET=str(64 * DAY)))
            time.sleep(2)
            self.assertEqual(self.captured(srv, secret), 2)

    def test_monthly_stripe_card_saved_and_renewed_off_session(self):
        with Server(args=["--demo"], env=self.env) as srv:
            self.take_stripe(srv)
            donor = login(srv, DONOR)
            r = self.give(donor, "30", "stripe")
            self.assertEqual(r.status, 303, r.body[:3000])
            self.assertTrue(r.header("Location").startswith(self.stripe.url + "/pay/cs_test_"))
            session = r.header("Location").rsplit("/", 1)[1]
            self.stripe.call("POST", "/_test/sessions/%s/pay" % session)   # no webhook: the return page asks
            secret = run_sql(srv, "SELECT d.secret FROM donations d JOIN payments p ON p.donation_id = d.id"
                                  " WHERE p.provider_ref = '%s'" % session).strip()
            r = donor.get("/dons/%s" % secret)
            self.assertEqual(r.status, 200)
            self.assertEqual(self.captured(srv, secret), 1)
            off = self.stripe.call("GET", "/_test/state")["off_session"]
            srv.restart(env=dict(self.env, KIOSQUE_TIME_OFFSET=str(32 * DAY)))
            self.assertEqual(self.wait_captured(srv, secret, 2), 2)
            time.sleep(1.5)
            self.assertEqual(self.captured(srv, secret), 2)
            self.assertEqual(self.stripe.call("GET", "/_test/state")["off_session"], off + 1)
            # The card's fee is in the book too.
            self.assertEqual(self.count(srv, "SELECT COUNT(*) FROM ledger l JOIN payments p ON p.id = l.payment_id"
                                             " JOIN donations d ON d.id = p.donation_id WHERE l.kind = 'fee'"
                                             " AND d.recurring_id = (SELECT recurring_id FROM donations"
                                             " WHERE secret = '%s')" % secret), 2)

    def test_annual_summary_receipt_from_my_donations(self):
        with Server(args=["--demo"], env=self.env) as srv:
            donor = login(srv, DONOR)
            r = self.give(donor, "25", "demo")
            page = re.match(r"^(/dons/[0-9a-f]{64})/paiement-demo$", local(r.header("Location"))).group(1)
            r = donor.post_form(page + "/paiement-demo", {"_csrf": csrf(donor.get(page + "/paiement-demo").body)})
            self.assertEqual(r.status, 303)
            year = paris_now().year
            r = donor.get("/compte/dons")
            self.assertIn("Disponible en janvier", r.body)
            self.assertNotIn("/compte/dons/recus-annuels/", r.body)
            # Asking before the year is over: refused, nothing issued.
            r = donor.post_form("/compte/dons/recus-annuels/1/%d" % year, {"_csrf": csrf(r.body)})
            self.assertEqual(r.status, 303)
            self.assertEqual(self.count(srv, "SELECT COUNT(*) FROM annual_receipts"), 0)
            # A year later.
            srv.restart(env=dict(self.env, KIOSQUE_TIME_OFFSET=str(366 * DAY)))
            donor = login(srv, DONOR)
            r = donor.get("/compte/dons")
            action = re.search(r'action="(/compte/dons/recus-annuels/\d+/%d)"' % year, r.body).group(1)
            r = donor.post_form(action, {"_csrf": csrf(r.body)})
            self.assertEqual(r.status, 303, r.body[:2000])
            r = donor.post_form(action, {"_csrf": csrf(donor.get("/compte/dons").body)})   # twice: still one
            self.assertEqual(self.count(srv, "SELECT COUNT(*) FROM annual_receipts"), 1)
            r = donor.get("/compte/dons")
            link = re.search(r'href="(/compte/dons/recus-annuels/(\d+)/recu\.pdf)"', r.body)
            self.assertTrue(link, r.body[:5000])
            number = re.search(r"(%d-\d{4})" % (year + 1), r.body).group(1)
            # Only its donor may read it.
            self.assertEqual(login(srv, OTHER).get(link.group(1)).status, 404)
            self.assertEqual(srv.client().get(link.group(1)).status, 303)   # to the login page
            r = donor.get(link.group(1))
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("Content-Type").split(";")[0], "application/pdf")
            flat = " ".join(pdf_text(r.raw).split())
            for want in ("Reçu au titre des dons à certains organismes d'intérêt général",
                         "CERFA n° 11580", "Numéro d'ordre du reçu : %s" % number,
                         "Reçu récapitulatif des dons de l'année %d" % year,
                         "Comité des fêtes de Vesqueval", "Œuvre ou organisme d'intérêt général",
                         "Fatou Diallo", "3 chemin des Vignes, 26400 Crest",
                         "25,00", "vingt-cinq euros", "du 01/01/%d au 31/12/%d" % (year, year),
                         "Détail des versements mensuels", "Numéraire",
                         "200, 238 bis et 978 du code général des impôts"):
                self.assertIn(want, flat)


if __name__ == "__main__":
    unittest.main()
