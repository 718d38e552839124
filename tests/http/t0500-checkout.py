# t0500-checkout.py: buying tickets through the real binary: guest checkout with the demo card provider, the
# order page (state, QR codes, private headers), the PDF (text and a QR that decodes back to the ticket code),
# the Stripe webhook (bad and good signatures, through tests/tools/fake_stripe.py), and unknown secrets.
#
# Fixture: the event, its date, shop, ticket type and quota are written straight into the server's database
# after `--demo` loaded the organisations (sql_fixtures.py). Both backends are covered; nothing is skipped.
import hashlib
import hmac
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

from kiosque_test import Server, csrf
from sql_fixtures import TITLE, make_event, run_sql

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE_STRIPE = os.path.join(HERE, "..", "tools", "fake_stripe.py")
WHSEC = "whsec_test_" + secrets.token_hex(8)


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
        import urllib.request
        req = urllib.request.Request(self.url + path, data=b"" if method == "POST" else None, method=method)
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read().decode())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def stripe_signature(payload, secret=WHSEC, t=None):
    t = int(time.time()) if t is None else t
    mac = hmac.new(secret.encode(), ("%d." % t).encode() + payload, hashlib.sha256).hexdigest()
    return "t=%d,v1=%s" % (t, mac)


class CheckoutTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stripe = FakeStripe()
        env = {"KIOSQUE_FAST_HASH": "1", "KIOSQUE_STRIPE_SECRET_KEY": "sk_test_x",
               "KIOSQUE_STRIPE_WEBHOOK_SECRET": WHSEC, "KIOSQUE_STRIPE_API_BASE": cls.stripe.url}
        try:
            cls.srv = Server(args=["--demo"], env=env)
        except BaseException:
            cls.stripe.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        cls.stripe.stop()

    def checkout(self, c, slug, date_id, type_id, qty, provider, names=(), buyer="Zoé Lefèvre"):
        token = csrf(c.get("/").body)
        self.assertTrue(token, "no CSRF token on the home page")
        fields = {"_csrf": token, "date": str(date_id), "qty-%d" % type_id: str(qty), "provider": provider,
                  "buyer_name": buyer, "buyer_email": "zoe.%s@example.org" % secrets.token_hex(3),
                  "idem": secrets.token_hex(16)}
        for i, n in enumerate(names):
            fields["name-%d" % i] = n
        return c.post_form("/evenements/%s/commander" % slug, fields)

    def test_guest_buys_two_tickets_with_the_demo_provider(self):
        slug, date_id, type_id = make_event(self.srv)
        c = self.srv.client()
        r = self.checkout(c, slug, date_id, type_id, 2, "demo", names=("Zoé Lefèvre", "Ana Núñez"))
        self.assertEqual(r.status, 303, r.body[:3000])
        loc = r.header("Location")
        m = re.search(r"/commandes/([A-Za-z0-9_-]+)/paiement-demo$", loc)
        self.assertTrue(m, loc)
        secret = m.group(1)
        order = "/commandes/" + secret

        page = c.get(order)
        self.assertEqual(page.status, 200)
        self.assertIn("En attente de paiement", page.body)
        self.assertEqual(page.header("Cache-Control"), "no-store")
        # The transport adds its default first; the last recognised value is the one browsers apply.
        self.assertEqual(page.headers.get_all("Referrer-Policy")[-1], "no-referrer")
        self.assertEqual(page.body.count("<h1"), 1)

        demo = c.get(order + "/paiement-demo")
        self.assertEqual(demo.status, 200)
        r = c.post_form(order + "/paiement-demo", {"_csrf": csrf(demo.body, order + "/paiement-demo")})
        self.assertEqual(r.status, 303, r.body[:2000])
        page = c.get(order)
        self.assertIn("Payée", page.body)
        self.assertIn("30,00", page.body)
        qrs = re.findall(r'<img[^>]* src="(/commandes/[^"]+/billets/([A-Z0-9]+)\.svg)"[^>]*alt="Code QR du billet',
                         page.body)
        self.assertEqual(len(qrs), 2, page.body[:5000])
        svg = c.get(qrs[0][0])
        self.assertEqual(svg.status, 200)
        self.assertTrue(svg.header("Content-Type").startswith("image/svg+xml"))
        self.assertIn("<svg", svg.body)
        self.assertEqual(svg.header("Cache-Control"), "no-store")
        self.assertEqual(c.get(order + "/billets/NOTACODE.svg").status, 404)

        pdf = c.request("GET", order + "/billets.pdf")
        self.assertEqual(pdf.status, 200)
        self.assertEqual(pdf.header("Content-Type"), "application/pdf")
        raw = pdf.raw
        self.assertTrue(raw.startswith(b"%PDF"))
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.pdf")
            with open(path, "wb") as f:
                f.write(raw)
            text = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True,
                                  check=True).stdout
            self.assertIn(TITLE, text)
            self.assertIn("Ana Núñez", text)
            subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", path,
                            os.path.join(d, "p")], check=True)
            pngs = sorted(p for p in os.listdir(d) if p.endswith(".png"))
            self.assertTrue(pngs)
            z = subprocess.run(["zbarimg", "--quiet", "--raw", os.path.join(d, pngs[0])], capture_output=True,
                               text=True)
            self.assertEqual(z.returncode, 0, z.stderr)
            codes = {code for _, code in qrs}
            self.assertIn(z.stdout.strip(), codes)

    def test_stripe_webhook_signatures(self):
        slug, date_id, type_id = make_event(self.srv, price_cents=2000)
        c = self.srv.client()
        r = self.checkout(c, slug, date_id, type_id, 1, "stripe")
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertTrue(r.header("Location").startswith(self.stripe.url), r.header("Location"))
        session = self.stripe.call("GET", "/_test/state")["last_session"]
        paid = self.stripe.call("POST", "/_test/sessions/%s/pay" % session)
        payload = paid["event"].encode()
        anon = self.srv.client()
        h = {"Content-Type": "application/json"}
        bad = anon.request("POST", "/paiements/stripe/webhook", body=payload,
                           headers=dict(h, **{"Stripe-Signature": stripe_signature(payload, secret="whsec_wrong")}))
        self.assertEqual(bad.status, 400, bad.body)
        none = anon.request("POST", "/paiements/stripe/webhook", body=payload, headers=h)
        self.assertEqual(none.status, 400, none.body)
        good = anon.request("POST", "/paiements/stripe/webhook", body=payload,
                            headers=dict(h, **{"Stripe-Signature": stripe_signature(payload)}))
        self.assertEqual(good.status, 200, good.body)
        for _ in range(10):   # Stripe retries; each delivery is acknowledged and changes nothing
            again = anon.request("POST", "/paiements/stripe/webhook", body=payload,
                                 headers=dict(h, **{"Stripe-Signature": stripe_signature(payload)}))
            self.assertEqual(again.status, 200, again.body)
        secret = run_sql(self.srv, "SELECT o.secret FROM orders o JOIN events e ON e.id = o.event_id"
                                   " WHERE e.slug = '%s'" % slug)
        order_of = "(SELECT o.id FROM orders o JOIN events e ON e.id = o.event_id WHERE e.slug = '%s')" % slug
        self.assertEqual(run_sql(self.srv, "SELECT COUNT(*), SUM(amount_cents) FROM payments"
                                           " WHERE order_id = %s AND status = 'captured'" % order_of), "1|2000")
        self.assertEqual(run_sql(self.srv, "SELECT COUNT(*), SUM(amount_cents) FROM ledger"
                                           " WHERE order_id = %s AND kind = 'payment'" % order_of), "1|2000")
        # Stripe kept 1.5 % + 0.25 EUR (the fake's pricing): one fee row, on the payment too.
        self.assertEqual(run_sql(self.srv, "SELECT COUNT(*), SUM(amount_cents) FROM ledger"
                                           " WHERE order_id = %s AND kind = 'fee'" % order_of), "1|-55")
        self.assertEqual(run_sql(self.srv, "SELECT fee_cents FROM payments WHERE order_id = %s" % order_of), "55")
        page = c.get("/commandes/" + secret)
        self.assertIn("Payée", page.body)
        ret = c.get("/commandes/%s/retour" % secret)
        self.assertIn(ret.status, (200, 303))

    def test_return_from_the_payment_page_syncs_without_a_webhook(self):
        slug, date_id, type_id = make_event(self.srv, price_cents=1000)
        c = self.srv.client()
        r = self.checkout(c, slug, date_id, type_id, 1, "stripe")
        self.assertEqual(r.status, 303, r.body[:3000])
        session = self.stripe.call("GET", "/_test/state")["last_session"]
        secret = run_sql(self.srv, "SELECT o.secret FROM orders o JOIN events e ON e.id = o.event_id"
                                   " WHERE e.slug = '%s'" % slug)
        order = "/commandes/" + secret
        page = c.get(order)
        self.assertIn("En attente de paiement", page.body)
        self.assertIn(self.stripe.url + "/pay/" + session, page.body)   # the "pay" button goes back there
        waiting = c.get(order + "/retour")
        self.assertEqual(waiting.status, 200)
        self.assertIn("en cours de confirmation", waiting.body)
        self.assertEqual(waiting.header("Cache-Control"), "no-store")
        self.stripe.call("POST", "/_test/sessions/%s/pay" % session)   # no webhook is delivered
        back = c.get(order + "/retour")
        self.assertEqual(back.status, 303, back.body[:2000])
        self.assertEqual(back.header("Location"), order)
        self.assertIn("Payée", c.get(order).body)
        self.assertEqual(c.get("/commandes/%s/retour" % secrets.token_hex(16)).status, 404)

    def test_refused_checkout_shows_the_form_again(self):
        slug, date_id, type_id = make_event(self.srv)
        c = self.srv.client()
        r = self.checkout(c, slug, date_id, type_id, 0, "demo", buyer='Jo <script>"\'&')
        self.assertEqual(r.status, 422, r.body[:3000])
        self.assertEqual(r.body.count("<h1"), 1)
        self.assertIn('action="/evenements/%s/commander"' % slug, r.body)
        self.assertIn('name="qty-%d"' % type_id, r.body)
        self.assertIn('<label for="f-qty-%d">' % type_id, r.body)
        self.assertRegex(r.body, r'name="idem" value="[0-9a-f]{64}"')
        self.assertIn('value="Jo &lt;script&gt;&quot;&#39;&amp;"', r.body)
        self.assertNotIn("<script>\"", r.body)
        self.assertIn('role="alert"', r.body)

    def test_a_price_changed_during_checkout_is_refused_and_nothing_is_booked(self):
        slug, date_id, type_id = make_event(self.srv, price_cents=1500)
        c = self.srv.client()
        page = c.get("/evenements/" + slug)
        self.assertIn('name="price-%d" value="1500"' % type_id, page.body)
        # The organiser raises the price while the buyer fills in the form.
        run_sql(self.srv, "UPDATE ticket_types SET price_cents = 1800 WHERE id = %d" % type_id)
        fields = {"_csrf": csrf(page.body), "date": str(date_id), "qty-%d" % type_id: "2", "provider": "demo",
                  "price-%d" % type_id: "1500", "buyer_name": "Zoé Lefèvre",
                  "buyer_email": "zoe.price@example.org", "idem": secrets.token_hex(16)}
        r = c.post_form("/evenements/%s/commander" % slug, fields)
        self.assertEqual(r.status, 409, r.body[:3000])
        self.assertIn("Le prix d&#39;un billet a changé", r.body)
        self.assertIn('name="price-%d" value="1800"' % type_id, r.body)   # the form shows the new price
        self.assertIn("18,00", r.body)
        sold = run_sql(self.srv, "SELECT COUNT(*) FROM orders o JOIN events e ON e.id = o.event_id"
                                 " WHERE e.slug = '%s'" % slug)
        self.assertEqual(sold, "0")
        self.assertEqual(run_sql(self.srv, "SELECT sold FROM ticket_quotas WHERE event_date_id = %d" % date_id),
                         "0")
        # Confirmed at the new price, it goes through.
        fields.update({"price-%d" % type_id: "1800", "idem": secrets.token_hex(16), "_csrf": csrf(r.body)})
        r = c.post_form("/evenements/%s/commander" % slug, fields)
        self.assertEqual(r.status, 303, r.body[:3000])

    def test_buyer_cancels_a_pending_order_and_names_are_escaped(self):
        slug, date_id, type_id = make_event(self.srv)
        c = self.srv.client()
        evil = '<script>alert(1)</script>"\'&'
        r = self.checkout(c, slug, date_id, type_id, 1, "demo", names=(evil,), buyer=evil)
        self.assertEqual(r.status, 303, r.body[:3000])
        order = re.search(r"(/commandes/[A-Za-z0-9_-]+)/paiement-demo$", r.header("Location")).group(1)
        page = c.get(order)
        self.assertNotIn("<script>alert", page.body)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;", page.body)
        action = order + "/annuler"
        self.assertIn('action="%s"' % action, page.body)
        r = c.post_form(action, {"_csrf": csrf(page.body, action)})
        self.assertEqual(r.status, 303, r.body[:2000])
        page = c.get(order)
        self.assertIn("Annulée", page.body)
        self.assertNotIn('action="%s"' % action, page.body)
        # Without the CSRF token, a cancel is refused before reaching the order.
        self.assertEqual(self.srv.client().post_form(action, {}).status, 403)

    def test_unknown_secret_is_404(self):
        c = self.srv.client()
        for path in ("/commandes/" + secrets.token_hex(16), "/commandes/%s/billets.pdf" % secrets.token_hex(16),
                     "/commandes/%s/billets/ABC.svg" % secrets.token_hex(16)):
            r = c.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertIn("<h1", r.body)


if __name__ == "__main__":
    unittest.main()
