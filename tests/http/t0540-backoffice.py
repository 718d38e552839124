# t0540-backoffice.py: the organiser's back office through the real binary: the sales report on the participants
# page (tables with captions and scope headers, the per-day chart in SVG without inline style), the page of one
# order (history, tickets, rename with escaping and refusals), resending the tickets (the mail reaches the SMTP
# sink, a second click within the minute is refused), manual orders at the box office (hidden types, no mail
# without an address, the quota holds and a sold-out order changes nothing), the confirmation page before
# cancelling an order, the rights and the CSRF token of every new form, and paging, filtering and searching more
# than 200 orders (written straight into the database with SQL, as t0500 does, then read through the pages and
# the CSV). Event setup uses t0510's/t0520's helpers. Both backends (run.sh).
import csv
import importlib
import io
import os
import re
import secrets
import subprocess
import tempfile
import unittest

from kiosque_test import Server, csrf, mail_text
from agenda_test import ENV, Agenda, text_of

_t0510 = importlib.import_module("t0510-ticket-setup")
_t0520 = importlib.import_module("t0520-attendees")
run_sql = importlib.import_module("t0500-checkout").run_sql

XSS = "<script>alert('x')</script> & \"Zoé\""


class BackOfficeTest(Agenda, unittest.TestCase):
    setup_page = _t0510.TicketSetupTest.setup_page
    post = _t0510.TicketSetupTest.post
    ticketed_event = _t0520.AttendeesTest.ticketed_event
    buy = _t0520.AttendeesTest.buy
    participants = _t0520.AttendeesTest.participants

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.owner = cls.login(cls, "pierre.vignal@example.org")
        cls.box = cls.login(cls, "jeanne.bonnet@example.org")        # box office of the same organisation
        cls.treasurer = cls.login(cls, "gerard.faure@example.org")
        cls.editor = cls.login(cls, "camille.arnaud@example.org")
        cls.stranger = cls.login(cls, "karim.haddad@example.org")   # owner of another organisation

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    # ---- helpers ----

    def order_ids(self, slug):
        out = run_sql(self.srv, "SELECT o.id FROM orders o JOIN events e ON e.id = o.event_id"
                                " WHERE e.slug = '%s' ORDER BY o.id" % slug)
        return [int(x) for x in out.split()] if out else []

    def order_path(self, slug, oid, tail=""):
        return "/evenements/%s/participants/%d%s" % (slug, oid, tail)

    def post_page_form(self, c, page_path, action, fields=None, expect=None):
        """Posts the form of page_path whose action is action, with its CSRF token and fields."""
        page = c.get(page_path)
        self.assertEqual(page.status, 200, page.body[:2000])
        data = {"_csrf": csrf(page.body, action)}
        data.update(fields or {})
        r = c.post_form(action, data)
        if expect is not None:
            self.assertEqual(r.status, expect, r.body[:3000])
        return r

    def manual(self, c, slug, fields, expect=None):
        page = self.participants(c, slug)
        action = "/evenements/%s/participants/commande" % slug
        data = {"_csrf": csrf(page.body, action),
                "idem": re.search(r'name="idem" value="([0-9a-f]+)"', page.body).group(1),
                "date": re.search(r'<select id="f-date" name="date"[^>]*><option value="(\d+)"',
                                  page.body).group(1)}
        data.update(fields)
        r = c.post_form(action, data)
        if expect is not None:
            self.assertEqual(r.status, expect, r.body[:3000])
        return r

    def assertNoInlineStyle(self, body):
        self.assertNotRegex(body, r"<[^>]+\sstyle=", "inline style attribute (the CSP forbids them)")

    def assertLabelledUniqueIds(self, body):
        """Every id once; every input, select and textarea but hidden ones has a <label for>."""
        ids = re.findall(r'\sid="([^"]+)"', body)
        self.assertEqual(len(ids), len(set(ids)), [i for i in ids if ids.count(i) > 1])
        labels = set(re.findall(r'<label[^>]*\sfor="([^"]+)"', body))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", body):
            if 'type="hidden"' in tag:
                continue
            m = re.search(r'\sid="([^"]+)"', tag)
            self.assertTrue(m and m.group(1) in labels, tag)

    # ---- tests ----

    def test_sales_report_tables_and_chart(self):
        slug = self.ticketed_event()
        self.buy(slug, ["Aucun", "Aucun"])
        self.buy(slug, ["Aucun"])
        oid = self.order_ids(slug)[0]
        self.post_page_form(self.owner, "/evenements/%s/participants" % slug,
                            self.order_path(slug, oid, "/payee"), expect=303)
        page = self.participants(self.owner, slug)
        body = page.body
        self.assertOneH1(body)
        self.assertNoInlineStyle(body)
        self.assertLabelledUniqueIds(body)
        self.assertIn("<caption>Ventes par tarif</caption>", body)
        self.assertIn("<caption>Ventes par jour</caption>", body)
        self.assertIn("<caption>Encaissements</caption>", body)
        self.assertIn('<th scope="row">Plein tarif</th>', body)
        self.assertIn('<svg class="sales-chart"', body)
        self.assertIn('role="img"', body)
        self.assertIn('href="/evenements/%s/controle"' % slug, body)
        text = text_of(body)
        # Plein tarif: 2 paid, 1 pending, 0 cancelled, 10 - 3 = 7 seats left, 25,00 € revenue, 0 in.
        row = re.search(r'<th scope="row">Plein tarif</th>(.*?)</tr>', body, re.S).group(1)
        cells = [text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        self.assertEqual(cells, ["2", "1", "0", "7", "25,00\xa0€", "0"])
        self.assertRegex(text, r"Billets vendus\s*3")
        self.assertRegex(text, r"Billets payés\s*2")
        # The ledger's totals: 25,00 € received on site.
        money = re.search(r"<caption>Encaissements</caption>(.*?)</table>", body, re.S).group(1)
        self.assertIn("Paiement sur place", money)
        self.assertIn("25,00", money)

        # The box office sees the counts, not the money.
        box = self.participants(self.box, slug).body
        self.assertIn("<caption>Ventes par tarif</caption>", box)
        self.assertNotIn("<caption>Encaissements</caption>", box)
        self.assertNotIn("Recettes", box)
        # Others: refused.
        self.participants(self.stranger, slug, 403)
        self.participants(self.editor, slug, 403)

    def test_order_page_history_and_rename(self):
        slug = self.ticketed_event()
        email = self.buy(slug, ["Végétarien", "Aucun"])
        oid = self.order_ids(slug)[0]
        path = self.order_path(slug, oid)
        page = self.owner.get(path)
        self.assertEqual(page.status, 200, page.body[:2000])
        self.assertOneH1(page.body)
        self.assertNoInlineStyle(page.body)
        self.assertLabelledUniqueIds(page.body)
        self.assertIn("Zoé Lefèvre", page.body)
        self.assertIn(email, page.body)
        self.assertIn("Régime alimentaire : Végétarien", page.body)
        self.assertIn("<caption>Historique</caption>", page.body)
        self.assertIn("Commande passée", page.body)
        self.assertIn("pas encore entré", page.body)
        # Marked paid from the order page (and back to it): the ledger row shows in the history (owner may
        # see money).
        r = self.post_page_form(self.owner, path, path + "/payee", {"back": "order"}, expect=303)
        self.assertEqual(r.location, path)
        page = self.owner.get(path)
        self.assertIn("Grand livre : paiement reçu", page.body)
        # The box office sees the order but not the ledger.
        box = self.box.get(path)
        self.assertEqual(box.status, 200)
        self.assertNotIn("Grand livre", box.body)
        # The order belongs to this event only; strangers and the anonymous are kept out.
        other = self.ticketed_event()
        self.assertEqual(self.owner.get(self.order_path(other, oid)).status, 404)
        self.assertEqual(self.stranger.get(path).status, 403)
        self.assertIn(self.srv.client().get(path).status, (302, 303, 401))
        self.assertEqual(self.owner.get(self.order_path(slug, 99999999)).status, 404)
        self.assertEqual(self.owner.get("/evenements/%s/participants/abc" % slug).status, 404)

        tickets = [int(x) for x in re.findall(r'action="%s/billets/(\d+)/nom"' % re.escape(path), page.body)]
        self.assertEqual(len(tickets), 2)
        action = "%s/billets/%d/nom" % (path, tickets[0])
        # The box office renames; the text is escaped everywhere it shows.
        self.post_page_form(self.box, path, action, {"attendee_name": XSS}, expect=303)
        page = self.owner.get(path)
        self.assertNotIn("<script>alert", page.body)
        self.assertIn("&lt;script&gt;alert(", page.body)
        secret = run_sql(self.srv, "SELECT secret FROM orders WHERE id = %d" % oid)
        public = self.srv.client().get("/commandes/" + secret)
        self.assertEqual(public.status, 200)
        self.assertIn("&lt;script&gt;alert(", public.body)
        self.assertNotIn("<script>alert", public.body)
        self.assertEqual(run_sql(self.srv, "SELECT attendee_name FROM tickets WHERE id = %d" % tickets[0]), XSS)
        # The editor writes the event, not the attendee list: no order page, no renaming.
        self.assertEqual(self.editor.get(path).status, 403)
        r = self.editor.post_form("%s/billets/%d/nom" % (path, tickets[1]),
                                  {"_csrf": csrf(self.editor.get("/").body), "attendee_name": "Léa Rebaptisée"})
        self.assertEqual(r.status, 403, r.body[:2000])
        # The box office renames the second ticket; the PDF ticket carries the new name.
        self.post_page_form(self.box, path, "%s/billets/%d/nom" % (path, tickets[1]),
                            {"attendee_name": "Léa Rebaptisée"}, expect=303)
        pdf = self.srv.client().get("/commandes/%s/billets.pdf" % secret)
        self.assertEqual(pdf.status, 200)
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "t.pdf"), "wb") as f:
                f.write(pdf.raw)
            text = subprocess.run(["pdftotext", "-enc", "UTF-8", os.path.join(d, "t.pdf"), "-"],
                                  capture_output=True, text=True, timeout=30).stdout
        self.assertIn("Léa Rebaptisée", text)
        # Refused names: the page again, 422, the message next to the field; nothing changed.
        for bad in ("", "   ", "x" * 121):
            r = self.post_page_form(self.owner, path, action, {"attendee_name": bad}, expect=422)
            self.assertIn('id="e-name-%d"' % tickets[0], r.body)
            self.assertIn('aria-invalid="true"', r.body)
        self.assertEqual(run_sql(self.srv, "SELECT attendee_name FROM tickets WHERE id = %d" % tickets[0]), XSS)
        # The treasurer may not rename (money, not names); a stranger neither; no CSRF token: refused.
        token = csrf(self.treasurer.get(path).body)
        self.assertEqual(self.treasurer.post_form(action, {"_csrf": token, "attendee_name": "T"}).status, 403)
        token = csrf(self.stranger.get("/").body)
        self.assertEqual(self.stranger.post_form(action, {"_csrf": token, "attendee_name": "S"}).status, 403)
        self.assertEqual(self.owner.post_form(action, {"attendee_name": "Sans jeton"}).status, 403)
        self.assertEqual(run_sql(self.srv, "SELECT attendee_name FROM tickets WHERE id = %d" % tickets[0]), XSS)

    def test_resend_reaches_the_buyer_once_a_minute(self):
        slug = self.ticketed_event()
        email = self.buy(slug, ["Aucun"])
        oid = self.order_ids(slug)[0]
        path = self.order_path(slug, oid)
        # Pending: no button, and the route refuses.
        self.assertNotIn(path + "/renvoyer", self.owner.get(path).body)
        r = self.post_page_form(self.owner, path, path + "/payee", expect=303)
        first = self.srv.wait_mail(to=email, subject_contains="Vos billets")
        seen = len(self.srv.mails())
        page = self.box.get(path)
        self.assertIn(path + "/renvoyer", page.body)
        r = self.box.post_form(path + "/renvoyer", {"_csrf": csrf(page.body, path + "/renvoyer")})
        self.assertEqual(r.status, 303, r.body[:2000])
        self.assertEqual(r.location, path)
        again = self.srv.wait_mail(to=email, subject_contains="Vos billets", since=seen)
        self.assertEqual(str(again["Subject"]), str(first["Subject"]))
        secret = run_sql(self.srv, "SELECT secret FROM orders WHERE id = %d" % oid)
        self.assertIn("/commandes/" + secret, mail_text(again))
        self.assertIn("Billets renvoyés par e-mail", self.owner.get(path).body)
        # A second click within the minute: refused, no mail.
        r = self.box.post_form(path + "/renvoyer", {"_csrf": csrf(page.body, path + "/renvoyer")})
        self.assertEqual(r.status, 429, r.body[:2000])
        self.assertIn("réessayez dans une minute", r.body)
        # Refusals: a stranger, no token.
        token = csrf(self.stranger.get("/").body)
        self.assertEqual(self.stranger.post_form(path + "/renvoyer", {"_csrf": token}).status, 403)
        self.assertEqual(self.box.post_form(path + "/renvoyer", {}).status, 403)
        self.assertEqual(len([m for m in self.srv.mails()[seen:] if email in str(m.get("To", ""))]), 1)

    def test_manual_orders_respect_the_quota(self):
        slug = self.ticketed_event()     # quota of 10 over "Plein tarif"
        # A hidden type, for the desk only, with a quota of its own.
        r = self.post(self.owner, slug, "/types", {"name": "Invitation <b>", "price": "0", "description": "",
                                                   "min_per_order": "1", "max_per_order": "10",
                                                   "visibility": "hidden"})
        self.assertEqual(r.status, 303, r.body[:2000])
        types = dict((text_of(n).split(" — ")[0], i) for i, n in re.findall(
            r'<label for="f-qty-(\d+)">(.*?)</label>', self.participants(self.owner, slug).body, re.S))
        self.assertIn("Invitation <b>", types)        # hidden types are offered at the desk
        full, invit = types["Plein tarif"], types["Invitation <b>"]
        self.assertNotIn("Invitation <b>", self.participants(self.owner, slug).body)  # escaped
        # The hidden type needs its own seats: add it to a quota of 4 on the same date.
        setup = self.setup_page(self.owner, slug)
        date_id = re.search(r'<select[^>]*name="date".*?<option value="(\d+)"', setup.body, re.S).group(1)
        r = self.post(self.owner, slug, "/jauges", {"date": date_id, "name": "Invités", "size": "4",
                                                    "type_" + invit: "1"})
        self.assertEqual(r.status, 303, r.body[:2000])

        mails = len(self.srv.mails())
        # Paid on site, no address: the order is paid, no mail is sent.
        r = self.manual(self.box, slug, {"qty-" + invit: "3", "buyer_name": "Mairie", "buyer_email": "",
                                         "payment": "onsite"}, expect=303)
        oid = int(re.search(r"/participants/(\d+)$", r.location).group(1))
        self.assertEqual(run_sql(self.srv, "SELECT status || '|' || buyer_email || '|' || buyer_name"
                                           " FROM orders WHERE id = %d" % oid), "paid||Mairie")
        order_page = self.box.get(r.location)
        self.assertIn("La commande est enregistrée.", order_page.body)
        self.assertIn("aucune (pas d&#39;e-mail)", order_page.body.replace("&#x27;", "&#39;"))
        # Transfer to receive, with an address: pending, the buyer gets the transfer mail.
        email = "asso.%s@example.org" % secrets.token_hex(3)
        r = self.manual(self.box, slug, {"qty-" + full: "2", "buyer_name": "Asso", "buyer_email": email,
                                         "payment": "transfer"}, expect=303)
        oid2 = int(re.search(r"/participants/(\d+)$", r.location).group(1))
        self.assertEqual(run_sql(self.srv, "SELECT status || '|' || provider FROM orders WHERE id = %d" % oid2),
                         "pending|transfer")
        self.srv.wait_mail(to=email)
        self.assertEqual(len([m for m in self.srv.mails()[mails:]
                              if "mairie" in str(m.get("To", "")).lower()
                              or "jeanne.bonnet" in str(m.get("To", "")).lower()]), 0)

        sold = run_sql(self.srv, "SELECT COUNT(*) FROM tickets t JOIN orders o ON o.id = t.order_id"
                                 " JOIN events e ON e.id = o.event_id WHERE e.slug = '%s'" % slug)
        # Sold out: 2 invitations asked, 1 left in the quota of 4: refused, nothing written.
        r = self.manual(self.box, slug, {"qty-" + invit: "2", "buyer_name": "Trop", "buyer_email": "",
                                         "payment": "onsite"}, expect=409)
        self.assertIn("c&#39;est complet", r.body.replace("&#x27;", "&#39;"))
        self.assertIn('value="Trop"', r.body)        # the form as typed
        self.assertEqual(run_sql(self.srv, "SELECT COUNT(*) FROM tickets t JOIN orders o ON o.id = t.order_id"
                                           " JOIN events e ON e.id = o.event_id WHERE e.slug = '%s'" % slug), sold)
        self.manual(self.box, slug, {"qty-" + invit: "1", "buyer_name": "Dernier", "payment": "onsite"},
                    expect=303)
        # Bad input: no ticket, an unknown payment, a bad address, a date of another event.
        r = self.manual(self.box, slug, {"payment": "onsite"}, expect=422)
        self.assertIn('id="f-tickets" class="has-error"', r.body)
        r = self.manual(self.box, slug, {"qty-" + full: "1", "payment": "stripe"}, expect=422)
        self.assertIn("Choisissez comment la commande est payée.", r.body)
        r = self.manual(self.box, slug, {"qty-" + full: "1", "payment": "onsite", "buyer_email": "pas-une-adresse"},
                        expect=422)
        self.assertIn('id="e-buyer_email"', r.body)
        r = self.manual(self.box, slug, {"qty-" + full: "-1", "payment": "onsite"}, expect=422)
        r = self.manual(self.box, slug, {"qty-" + full: "1", "payment": "onsite", "date": "999999"}, expect=422)
        self.assertIn('id="e-date"', r.body)
        self.assertEqual(run_sql(self.srv, "SELECT COUNT(*) FROM tickets t JOIN orders o ON o.id = t.order_id"
                                           " JOIN events e ON e.id = o.event_id WHERE e.slug = '%s'" % slug),
                         str(int(sold) + 1))
        # The treasurer and strangers cannot sell; no token: refused.
        action = "/evenements/%s/participants/commande" % slug
        for c in (self.treasurer, self.stranger):
            token = csrf(c.get("/").body)
            r = c.post_form(action, {"_csrf": token, "idem": secrets.token_hex(16), "date": date_id,
                                     "qty-" + full: "1", "payment": "onsite"})
            self.assertEqual(r.status, 403, r.body[:2000])
        self.assertEqual(self.box.post_form(action, {"idem": secrets.token_hex(16), "date": date_id,
                                                     "qty-" + full: "1", "payment": "onsite"}).status, 403)
        # The treasurer's participants page has no sale form.
        self.assertNotIn(action, self.participants(self.treasurer, slug).body)

    def test_cancel_shows_what_will_happen_then_cancels(self):
        slug = self.ticketed_event()
        self.buy(slug, ["Aucun", "Aucun"])
        self.buy(slug, ["Aucun"])
        pending, paid = self.order_ids(slug)
        self.post_page_form(self.owner, self.order_path(slug, paid), self.order_path(slug, paid, "/payee"),
                            expect=303)
        # A pending order: no money to give back, its seats are freed.
        path = self.order_path(slug, pending, "/annuler")
        page = self.box.get(path)
        self.assertEqual(page.status, 200, page.body[:2000])
        self.assertOneH1(page.body)
        self.assertIn("aucun argent n&#39;est à rendre", page.body.replace("&#x27;", "&#39;"))
        self.assertRegex(text_of(page.body), r"Places libérées\s*:\s*2")
        self.assertEqual(run_sql(self.srv, "SELECT status FROM orders WHERE id = %d" % pending), "pending")
        r = self.box.post_form(path, {"_csrf": csrf(page.body, path), "back": "order"})
        self.assertEqual(r.status, 303, r.body[:2000])
        self.assertEqual(r.location, self.order_path(slug, pending))
        self.assertEqual(run_sql(self.srv, "SELECT status FROM orders WHERE id = %d" % pending), "cancelled")
        self.assertEqual(run_sql(self.srv, "SELECT q.sold FROM ticket_quotas q JOIN event_dates d"
                                           " ON d.id = q.event_date_id JOIN events e ON e.id = d.event_id"
                                           " WHERE e.slug = '%s'" % slug), "1")
        # Now it says so, with no form.
        page = self.box.get(path)
        self.assertIn("plus possible", page.body)
        self.assertNotIn('action="%s"' % path, page.body)
        # A paid order on site: listed to refund by hand; only those who handle money may.
        path = self.order_path(slug, paid, "/annuler")
        self.assertEqual(self.box.get(path).status, 403)
        page = self.treasurer.get(path)
        self.assertEqual(page.status, 200)
        self.assertIn("remboursements à faire à la main", page.body)
        token = csrf(self.stranger.get("/").body)
        self.assertEqual(self.stranger.post_form(path, {"_csrf": token}).status, 403)
        self.assertEqual(self.treasurer.post_form(path, {}).status, 403)
        self.assertEqual(run_sql(self.srv, "SELECT status FROM orders WHERE id = %d" % paid), "paid")
        r = self.treasurer.post_form(path, {"_csrf": csrf(page.body, path)})
        self.assertEqual(r.status, 303)
        self.assertEqual(run_sql(self.srv, "SELECT status FROM orders WHERE id = %d" % paid), "refunded")
        hist = self.owner.get(self.order_path(slug, paid)).body
        self.assertIn("Remboursement à faire à la main", hist)

    def test_paging_filter_and_search_past_200_orders(self):
        slug = self.ticketed_event()
        self.buy(slug, ["Aucun"])
        tag = secrets.token_hex(3).upper()
        n = 230
        # Cancelled orders of one ticket each, written fast; created one second apart, the oldest last.
        run_sql(self.srv, (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %(n)d)"
            " INSERT INTO orders (code, secret, event_id, org_id, buyer_name, buyer_email, lang, status,"
            " total_cents, currency, provider, created_at)"
            " SELECT 'B%(tag)s' || i, 'bulk%(tag)s' || i, e.id, e.org_id, 'Acheteur %(tag)s-' || i,"
            " 'bulk' || i || '@example.org', 'fr', 'cancelled', 0, 'EUR', 'onsite', 1700000000 - i"
            " FROM n, events e WHERE e.slug = '%(slug)s';"
            "INSERT INTO tickets (order_id, ticket_type_id, event_date_id, code, attendee_name,"
            " list_price_cents, price_cents)"
            " SELECT o.id, t.id, d.id, 'T' || o.code, '', 0, 0 FROM orders o"
            " JOIN ticket_types t ON t.event_id = o.event_id JOIN event_dates d ON d.event_id = o.event_id"
            " WHERE o.code LIKE 'B%(tag)s%%';"
        ) % {"n": n, "tag": tag, "slug": slug})
        page = self.participants(self.owner, slug).body
        self.assertRegex(text_of(page), r"Commandes trouvées\s*:\s*%d" % (n + 1))
        self.assertIn("Page 1 / 5", text_of(page))
        self.assertEqual(len(re.findall(r'<td><a href="/evenements/%s/participants/\d+"' % slug, page)), 50)
        # Newest first (by id): the first bulk row written is on the last page, with the real order.
        first = run_sql(self.srv, "SELECT buyer_name FROM orders WHERE code LIKE 'B%s%%' ORDER BY id LIMIT 1" % tag)
        newest = run_sql(self.srv, "SELECT buyer_name FROM orders WHERE code LIKE 'B%s%%' ORDER BY id DESC LIMIT 1"
                         % tag)
        self.assertIn(newest + "<", page)
        self.assertNotIn(first + "<", page)
        self.assertNotIn("Zoé Lefèvre</td>", page)
        nxt = re.search(r'<a rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
        self.assertEqual(nxt, "/evenements/%s/participants?page=2" % slug)
        last = self.owner.get("/evenements/%s/participants?page=5" % slug).body
        self.assertIn(first + "<", last)
        self.assertIn("Zoé Lefèvre</td>", last)
        self.assertIn("Page 5 / 5", text_of(last))
        self.assertIn('rel="prev"', last)
        self.assertNotIn('rel="next"', last)
        # Counts of the report ignore the cancelled bulk: 1 ticket sold.
        self.assertRegex(text_of(page), r"Billets vendus\s*1")
        # Filter by state, search by name, by address, by code; the pager keeps them.
        pend = self.owner.get("/evenements/%s/participants?statut=pending" % slug).body
        self.assertRegex(text_of(pend), r"Commandes trouvées\s*:\s*1")
        self.assertIn("Zoé Lefèvre", pend)
        found = self.owner.get("/evenements/%s/participants?q=acheteur%%20%s-117" % (slug, tag.lower())).body
        self.assertRegex(text_of(found), r"Commandes trouvées\s*:\s*1")
        self.assertIn("Acheteur %s-117<" % tag, found)
        found = self.owner.get("/evenements/%s/participants?q=bulk12%%40" % slug).body
        self.assertRegex(text_of(found), r"Commandes trouvées\s*:\s*1")
        self.assertIn("bulk12@example.org", found)
        both = self.owner.get("/evenements/%s/participants?statut=cancelled&q=%s" % (slug, tag)).body
        self.assertIn("Page 1 / 5", text_of(both))
        nxt = re.search(r'<a rel="next" href="([^"]+)"', both).group(1).replace("&amp;", "&")
        self.assertEqual(nxt, "/evenements/%s/participants?statut=cancelled&q=%s&page=2" % (slug, tag))
        # Odd input is harmless: an unknown state is "any", a page past the end is empty, a wildcard is text.
        odd = self.owner.get("/evenements/%s/participants?statut=nope&page=99&q=%%25" % slug)
        self.assertEqual(odd.status, 200)
        self.assertRegex(text_of(odd.body), r"Commandes trouvées\s*:\s*0")
        self.assertEqual(self.owner.get("/evenements/%s/participants?page=-3" % slug).status, 200)
        # The CSV has every ticket, not only the first page's.
        r = self.owner.get("/evenements/%s/participants.csv" % slug)
        rows = list(csv.reader(io.StringIO(r.raw.decode("utf-8-sig"), newline=""), delimiter=";"))
        self.assertEqual(len(rows), 1 + 1 + n)
        self.assertEqual(len([row for row in rows if row[4].startswith("Acheteur %s-" % tag)]), n)


if __name__ == "__main__":
    unittest.main()
