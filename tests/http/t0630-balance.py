# t0630-balance.py: an organisation's accounts through the real binary: after a ticket order paid with the demo card
# and a donation given and paid through the pages, the treasurer's page /organisations/{slug}/comptes shows them by
# source and by method, and the reconciliation line says the book adds up to the cent (checked here against the
# database); the accountant's CSV (UTF-8 BOM, ';', RFC 4180 quoting, a formula in an event's title neutralised,
# every ledger row once, summing to the balance); refusals for the editor, an outsider and a visitor.
# Payouts: a platform admin records a payout of the online money from the page (a bad amount refused next to its
# field, nothing written; a double submit records one); the treasurer sees it, has no form and cannot post one;
# the CSV has its row (kind "Versement à l'organisation").
#
# Fixture: `--demo` loads the organisations and accounts; the event comes from sql_fixtures.make_event (as in
# t0500), the money goes through the pages. Both backends are covered; nothing is skipped.
import csv
import io
import re
import secrets
import unittest
from datetime import datetime
from zoneinfo import ZoneInfo

from agenda_test import ORG
from kiosque_test import Server, csrf, forms
from sql_fixtures import make_event, run_sql
from ticketing_fixtures import CITIZEN, EDITOR, OUTSIDER, OWNER, TREASURER, login

ADMIN = "admin@example.org"
EVIL_TITLE = '=SUM(1;2) "Bal" <b>'
ORG_ID = "(SELECT id FROM organisations WHERE slug = '%s')" % ORG


def euros(cents):
    """How the page writes an amount: "1 234,50" (any space)."""
    s = "%d,%02d" % (abs(cents) // 100, abs(cents) % 100)
    whole, dec = s.split(",")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ("-" if cents < 0 else "") + r"[\s\u00a0\u202f]?".join(groups) + "," + dec


class BalanceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(args=["--demo"], env={"KIOSQUE_FAST_HASH": "1"})
        try:
            cls.treasurer = login(cls.srv, TREASURER)
            cls.money_moved = False
        except BaseException:
            cls.srv.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def ledger(self):
        return int(run_sql(self.srv, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger WHERE org_id = %s"
                           " AND currency = 'EUR'" % ORG_ID) or 0)

    def paid_out(self):
        return int(run_sql(self.srv, "SELECT COALESCE(SUM(amount_cents), 0) FROM payouts WHERE org_id = %s"
                           " AND currency = 'EUR'" % ORG_ID) or 0)

    def owed(self):
        """Online money (stripe, demo) net of refunds and fees, minus the payouts: from the book."""
        return int(run_sql(self.srv, "SELECT COALESCE(SUM(CASE WHEN kind = 'payout' THEN amount_cents"
                                     " WHEN provider IN ('stripe', 'demo') THEN amount_cents ELSE 0 END), 0)"
                                     " FROM ledger WHERE org_id = %s AND currency = 'EUR'" % ORG_ID) or 0)

    def move_money(self):
        """A 2-ticket demo-card order (2 x 15,00) and a 25,00 demo-card donation, through the pages; once."""
        cls = type(self)
        if cls.money_moved:
            return
        cls.slug, date_id, type_id = make_event(self.srv, price_cents=1500, providers="demo", title=EVIL_TITLE)
        cls.before = self.ledger()
        cls.before_paid_out = self.paid_out()
        c = self.srv.client()
        fields = {"_csrf": csrf(c.get("/").body), "date": str(date_id), "qty-%d" % type_id: "2",
                  "provider": "demo", "buyer_name": "Zoé Lefèvre",
                  "buyer_email": "zoe.%s@example.org" % secrets.token_hex(3), "idem": secrets.token_hex(16)}
        r = c.post_form("/evenements/%s/commander" % cls.slug, fields)
        self.assertEqual(r.status, 303, r.body[:3000])
        order = re.search(r"(/commandes/[A-Za-z0-9_-]+)/paiement-demo$", r.header("Location")).group(1)
        demo = c.get(order + "/paiement-demo")
        r = c.post_form(order + "/paiement-demo", {"_csrf": csrf(demo.body, order + "/paiement-demo")})
        self.assertEqual(r.status, 303, r.body[:2000])
        cls.order_code = run_sql(self.srv, "SELECT o.code FROM orders o JOIN events e ON e.id = o.event_id"
                                            " WHERE e.slug = '%s'" % cls.slug)
        cls.donation_page = self.give(c, "25")
        cls.money_moved = True

    def give(self, c, amount):
        """A demo-card donation to ORG by client c, paid; returns its page (/dons/{secret})."""
        r = c.get("/organisations/%s/don" % ORG)
        self.assertEqual(r.status, 200, r.body[:2000])
        fields = {"_csrf": csrf(r.body), "amount": amount, "suggested": "", "provider": "demo",
                  "donor_name": "Zoé Lefèvre", "donor_address": "14 rue des Tilleuls", "donor_postcode": "26400",
                  "donor_city": "Crest", "donor_email": "zoe.%s@example.org" % secrets.token_hex(3),
                  "idem": re.search(r'name="idem" value="([0-9a-f]+)"', r.body).group(1)}
        r = c.post_form("/organisations/%s/don" % ORG, fields)
        self.assertEqual(r.status, 303, r.body[:3000])
        page = re.match(r"^(?:https?://[^/]+)?(/dons/[0-9a-f]{64})/paiement-demo$", r.header("Location")).group(1)
        demo = c.get(page + "/paiement-demo")
        r = c.post_form(page + "/paiement-demo", {"_csrf": csrf(demo.body)})
        self.assertEqual(r.status, 303, r.body[:2000])
        return page

    def test_the_page_shows_the_money_and_says_it_adds_up(self):
        self.move_money()
        after = self.ledger()
        self.assertEqual(after - self.before + self.paid_out() - self.before_paid_out, 3000 + 2500)
        r = self.treasurer.get("/organisations/%s/comptes" % ORG)
        self.assertEqual(r.status, 200, r.body[:2000])
        self.assertEqual(r.header("Cache-Control"), "private, no-store")
        self.assertEqual(r.body.count("<h1"), 1)
        # The reconciliation line: the net income (the book before payouts), said to add up.
        line = re.search(r'<p class="balance-check ok" id="reconciliation">(.*?)</p>', r.body, re.S)
        self.assertTrue(line, r.body[:4000])
        self.assertRegex(line.group(1), euros(after + self.paid_out()))
        self.assertIn("Les comptes sont justes", line.group(1))
        # The event's line: its escaped title, 30,00 in, net 30,00, linking to its participants.
        row = re.search(r'<tr><th scope="row"><a href="/evenements/%s/participants">(.*?)</a></th>(.*?)</tr>'
                        % re.escape(self.slug), r.body, re.S)
        self.assertTrue(row, r.body[:6000])
        self.assertIn("=SUM(1;2) &quot;Bal&quot; &lt;b&gt;", row.group(1))
        cells = re.findall(r'<td class="num">(.*?)</td>', row.group(2))
        self.assertEqual(len(cells), 4)
        self.assertRegex(cells[0], "^" + euros(3000))
        self.assertRegex(cells[3], "^" + euros(3000))
        # The donations' line holds at least this donation; its in - back - fees is its net.
        don = re.search(r'<tr><th scope="row"><a href="/organisations/%s/dons/reglages">Dons</a></th>(.*?)</tr>'
                        % ORG, r.body, re.S)
        self.assertTrue(don, r.body[:6000])
        want = int(run_sql(self.srv, "SELECT COALESCE(SUM(l.amount_cents), 0) FROM ledger l JOIN payments p"
                                     " ON p.id = l.payment_id WHERE l.org_id = %s AND p.donation_id IS NOT NULL"
                                     % ORG_ID))
        self.assertGreaterEqual(want, 2500)
        self.assertRegex(re.findall(r'<td class="num">(.*?)</td>', don.group(1))[3], "^" + euros(want))
        # By method: the demo card, and the sections of what is owed.
        self.assertIn("Par moyen de paiement", r.body)
        self.assertIn("<tr><th scope=\"row\">Carte de démonstration</th>", r.body)
        self.assertIn("Virements attendus", r.body)
        self.assertIn('href="/organisations/%s/comptes.csv"' % ORG, r.body)
        # The organisation's page links to it for the treasurer only.
        self.assertIn('href="/organisations/%s/comptes"' % ORG, self.treasurer.get("/organisations/%s" % ORG).body)
        self.assertNotIn('/comptes"', login(self.srv, EDITOR).get("/organisations/%s" % ORG).body)

    def test_a_refund_made_by_hand_is_marked_done_from_the_accounts(self):
        # An order paid on site, then cancelled by the treasurer: its money is listed to give back by hand.
        slug, date_id, type_id = make_event(self.srv, price_cents=1200, providers="onsite")
        c = self.srv.client()
        r = c.post_form("/evenements/%s/commander" % slug, {
            "_csrf": csrf(c.get("/").body), "date": str(date_id), "qty-%d" % type_id: "1", "provider": "onsite",
            "buyer_name": "Paul Durand", "buyer_email": "paul.%s@example.org" % secrets.token_hex(3),
            "idem": secrets.token_hex(16)})
        self.assertEqual(r.status, 303, r.body[:2000])
        oid = int(run_sql(self.srv, "SELECT o.id FROM orders o JOIN events e ON e.id = o.event_id"
                                    " WHERE e.slug = '%s'" % slug))
        order = "/evenements/%s/participants/%d" % (slug, oid)
        for action in (order + "/payee", order + "/annuler"):
            page = self.treasurer.get(order if action.endswith("payee") else action)
            r = self.treasurer.post_form(action, {"_csrf": csrf(page.body, action)})
            self.assertEqual(r.status, 303, r.body[:2000])
        rid = int(run_sql(self.srv, "SELECT id FROM refunds WHERE order_id = %d AND status = 'manual'" % oid))
        before = self.ledger()
        accounts = "/organisations/%s/comptes" % ORG
        done = "%s/remboursements/%d/fait" % (accounts, rid)
        page = self.treasurer.get(accounts)
        self.assertIn('action="%s"' % done, page.body)
        # Nobody else may say it, and not without the form's token.
        editor = login(self.srv, EDITOR)
        self.assertEqual(editor.post_form(done, {"_csrf": csrf(editor.get("/").body)}).status, 403)
        self.assertEqual(self.treasurer.post_form(done, {}).status, 403)
        r = self.treasurer.post_form(done, {"_csrf": csrf(page.body, done)})
        self.assertEqual(r.status, 303, r.body[:2000])
        self.assertEqual(self.ledger(), before - 1200)   # the refund row, once
        self.assertEqual(run_sql(self.srv, "SELECT status FROM refunds WHERE id = %d" % rid), "done")
        self.assertNotIn('action="%s"' % done, self.treasurer.get(accounts).body)
        again = self.treasurer.post_form(done, {"_csrf": csrf(page.body, done)})
        self.assertEqual(again.status, 409)
        self.assertEqual(self.ledger(), before - 1200)
        # Another organisation's page cannot reach it.
        other = "/organisations/football-club-du-val-de-vesque/comptes/remboursements/%d/fait" % rid
        self.assertIn(self.treasurer.post_form(other, {"_csrf": csrf(page.body, done)}).status, (403, 404))

    def test_the_csv_is_the_whole_book_for_a_spreadsheet(self):
        self.move_money()
        r = self.treasurer.get("/organisations/%s/comptes.csv" % ORG)
        self.assertEqual(r.status, 200, r.body[:2000])
        self.assertTrue(r.header("Content-Type").startswith("text/csv"))
        self.assertIn('filename="comptes-%s.csv"' % ORG, r.header("Content-Disposition"))
        self.assertTrue(r.raw.startswith(b"\xef\xbb\xbf"), r.raw[:10])
        text = r.raw[3:].decode("utf-8")
        self.assertTrue(text.startswith("Date;Mouvement;Origine;Libellé;Référence;Moyen de paiement;Montant;Devise"
                                        "\r\n"), text[:200])
        # The formula in the title is neutralised and quoted (it holds ; and ").
        self.assertIn('"\'=SUM(1;2) ""Bal"" <b>"', text)
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        header, rows = rows[0], [x for x in rows[1:] if x]
        self.assertEqual(len(header), 8)
        self.assertTrue(all(len(x) == 8 for x in rows), rows[:3])
        n = int(run_sql(self.srv, "SELECT COUNT(*) FROM ledger WHERE org_id = %s" % ORG_ID))
        self.assertEqual(len(rows), n)
        total = sum(int(x[6].replace(",", "").replace("-", "")) * (-1 if x[6].startswith("-") else 1)
                    for x in rows if x[7] == "EUR")
        self.assertEqual(total, self.ledger())
        mine = [x for x in rows if x[4] == self.order_code]
        self.assertEqual(len(mine), 1, rows[-5:])
        self.assertEqual(mine[0][1], "Paiement")
        self.assertEqual(mine[0][2], "Billetterie")
        self.assertEqual(mine[0][3], "'" + EVIL_TITLE)
        self.assertEqual(mine[0][6], "30,00")
        self.assertRegex(mine[0][0], r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
        self.assertTrue(any(x[2] == "Dons" and x[6] == "25,00" and x[4].startswith("don-") for x in rows))

    def test_an_admin_records_a_payout_the_treasurer_sees_it(self):
        self.move_money()
        accounts = "/organisations/%s/comptes" % ORG
        action = accounts + "/versements"
        admin = login(self.srv, ADMIN)
        page = admin.get(accounts)
        self.assertEqual(page.status, 200, page.body[:2000])
        self.assertIn('action="%s"' % action, page.body)
        owed = self.owed()
        self.assertGreaterEqual(owed, 3000 + 2500)
        self.assertRegex(page.body, r'<dd id="payout-owed">%s' % euros(owed))
        self.assertIn("Encaissé en ligne par la plateforme", page.body)
        fields = [f for a, f in forms(page.body) if a.get("action") == action][0]
        book, n = self.ledger(), int(run_sql(self.srv, "SELECT COUNT(*) FROM payouts"))
        today = datetime.now(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%d")
        post = {"_csrf": fields["_csrf"], "idem": fields["idem"], "paid_on": today,
                "reference": "VIR-CDF-%s" % secrets.token_hex(3), "note": "Versement de novembre"}
        # Too much, and not a number: refused next to the amount, what was typed kept, nothing written.
        for amount, msg in (("%d,%02d" % ((owed + 1) // 100, (owed + 1) % 100), "Ce montant dépasse"),
                            ("douze", "Écrivez un montant en euros")):
            r = admin.post_form(action, dict(post, amount=amount))
            self.assertEqual(r.status, 422, r.body[:2000])
            err = re.search(r'<p class="field-error" id="e-payout-amount">(.*?)</p>', r.body)
            self.assertTrue(err, r.body[:6000])
            self.assertIn(msg, err.group(1))
            self.assertRegex(r.body, r'<input type="text" id="f-payout-amount"[^>]*aria-invalid="true"')
            self.assertIn('value="%s"' % post["reference"], r.body)
        bad_date = admin.post_form(action, dict(post, amount="10", paid_on="2026-02-30"))
        self.assertEqual(bad_date.status, 422)
        self.assertIn('id="e-payout-paid_on"', bad_date.body)
        self.assertEqual(self.ledger(), book)
        self.assertEqual(int(run_sql(self.srv, "SELECT COUNT(*) FROM payouts")), n)
        # 10,00 € paid out; the same form sent twice (a double click) records it once.
        for _ in range(2):
            r = admin.post_form(action, dict(post, amount="10,00"))
            self.assertEqual(r.status, 303, r.body[:2000])
        self.assertEqual(int(run_sql(self.srv, "SELECT COUNT(*) FROM payouts")), n + 1)
        self.assertEqual(self.ledger(), book - 1000)
        self.assertEqual(self.owed(), owed - 1000)
        # The treasurer sees it in the list, the lines, the book still reconciled; no form, and a post is refused.
        r = self.treasurer.get(accounts)
        self.assertEqual(r.status, 200)
        self.assertIn('<p class="balance-check ok"', r.body)
        self.assertRegex(r.body, r'<dd id="payout-owed">%s' % euros(owed - 1000))
        self.assertRegex(r.body, r'<dd id="payout-paid">%s' % euros(self.paid_out()))
        row = re.search(r'<tr><th scope="row">%s</th><td class="num">(.*?)</td><td>%s</td><td>Versement de novembre'
                        r'</td><td>(.*?)</td></tr>' % (today, post["reference"]), r.body)
        self.assertTrue(row, r.body[-6000:])
        self.assertRegex(row.group(1), euros(1000))
        self.assertTrue(row.group(2))   # who recorded it
        self.assertNotIn('action="%s"' % action, r.body)
        r = self.treasurer.post_form(action, {"_csrf": csrf(r.body), "idem": secrets.token_hex(16),
                                              "amount": "1", "paid_on": today})
        self.assertEqual(r.status, 403)
        owner = login(self.srv, OWNER)
        r = owner.post_form(action, {"_csrf": csrf(owner.get(accounts).body), "idem": secrets.token_hex(16),
                                     "amount": "1", "paid_on": today})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.ledger(), book - 1000)
        # The CSV has the payout's row, and still sums to the book.
        text = self.treasurer.get(accounts + ".csv").raw[3:].decode("utf-8")
        rows = [x for x in csv.reader(io.StringIO(text), delimiter=";") if x][1:]
        mine = [x for x in rows if x[4] == post["reference"]]
        self.assertEqual(len(mine), 1, rows[-3:])
        self.assertEqual(mine[0][1], "Versement à l'organisation")
        self.assertEqual(mine[0][2], "Versement")
        self.assertEqual(mine[0][6], "-10,00")
        total = sum(int(x[6].replace(",", "").replace("-", "")) * (-1 if x[6].startswith("-") else 1)
                    for x in rows if x[7] == "EUR")
        self.assertEqual(total, self.ledger())

    def test_only_owner_and_treasurer_see_the_accounts(self):
        for tail in ("/comptes", "/comptes.csv"):
            url = "/organisations/%s%s" % (ORG, tail)
            self.assertEqual(login(self.srv, OWNER).get(url).status, 200)
            for who in (EDITOR, OUTSIDER):
                r = login(self.srv, who).get(url)
                self.assertEqual(r.status, 403, (who, url))
                self.assertNotIn("Les comptes sont justes", r.body)
            r = self.srv.client().get(url)
            self.assertIn(r.status, (303, 401), url)
            self.assertNotIn("Les comptes sont justes", r.body)
            self.assertNotIn(";Montant;", r.body)
        self.assertEqual(self.treasurer.get("/organisations/nulle-part/comptes").status, 404)

    def test_a_donor_sees_their_donations_and_receipts(self):
        donor = login(self.srv, CITIZEN)
        self.assertIn('href="/compte/dons"', donor.get("/compte/billets").body)   # the user menu
        page = self.give(donor, "12,50")
        later = self.give(donor, "7")
        r = donor.get("/compte/dons")
        self.assertEqual(r.status, 200, r.body[:2000])
        self.assertEqual(r.header("Cache-Control"), "private, no-store")
        self.assertIn("<caption>Mes dons", r.body)
        rows = re.findall(r"<tr><td>.*?</tr>", r.body, re.S)
        self.assertGreaterEqual(len(rows), 2)
        self.assertIn('href="%s"' % later, rows[0])      # newest first
        self.assertIn('href="%s"' % page, rows[1])
        self.assertRegex(rows[1], euros(1250))
        self.assertIn("Reçu", rows[1])
        receipt = re.search(r'href="(%s/recu\.pdf)"' % re.escape(page), rows[1])
        self.assertTrue(receipt, rows[1])
        pdf = donor.get(receipt.group(1))
        self.assertEqual(pdf.status, 200)
        self.assertTrue(pdf.raw.startswith(b"%PDF-"))
        # Another account does not see them; a visitor must log in.
        other = login(self.srv, OUTSIDER).get("/compte/dons")
        self.assertEqual(other.status, 200)
        self.assertNotIn(page, other.body)
        r = self.srv.client().get("/compte/dons")
        self.assertIn(r.status, (303, 401))
        self.assertNotIn(page, r.body)


if __name__ == "__main__":
    unittest.main()
