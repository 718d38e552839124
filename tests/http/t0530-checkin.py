# t0530-checkin.py: the door scanner (/evenements/{slug}/controle) and the check-in API
# (/api/v1/events/{slug}/checkins), through the real binary, on the demo territory.
#
# The comité des fêtes (owner pierre.vignal, editor camille.arnaud, box office jeanne.bonnet) publishes a
# ticketed event with two dates, on-site and transfer payment. Through the page's forms (no JavaScript):
# a sale at the door, then every result (valid, already used with when/gate/by, unknown and forged codes,
# another event, another date, cancelled, unpaid with "encaisser et valider", unpaid by transfer which the
# box office may not cash), two gates with their own last scans, counts per date and gate, undo. The same
# through the API with a box-office token (a scan sent again with its nonce is one scan), and the JSON answer
# scanner.js gets. Refusals: the editor and
# an outsider get 403, a visitor is sent to log in, a form without its CSRF token changes nothing, a
# wrong body gets 422. Both backends (run.sh).
import datetime
import html as htmllib
import importlib
import re
import secrets
import unittest

from kiosque_test import Server, csrf, forms
from agenda_test import ENV, Agenda, next_weekday, text_of, today

_t0510 = importlib.import_module("t0510-ticket-setup")

CODE = re.compile(r"<code>([A-Z0-9]{26})</code>")


class CheckinTest(Agenda, unittest.TestCase):
    setup_page = _t0510.TicketSetupTest.setup_page
    post = _t0510.TicketSetupTest.post

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.owner = cls.login(cls, "pierre.vignal@example.org")
        cls.box = cls.login(cls, "jeanne.bonnet@example.org")
        cls.editor = cls.login(cls, "camille.arnaud@example.org")
        cls.outsider = cls.login(cls, "karim.haddad@example.org")
        cls.box_token = cls.token(cls, cls.box)
        cls.editor_token = cls.token(cls, cls.editor)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def token(self, c):
        page = c.get("/compte").body
        r = c.post_form("/compte/jetons", {"_csrf": csrf(page), "name": "porte"})
        return re.search(r"\b(kq_[0-9a-f]{64})\b", r.body).group(1)

    # ---- set-up through the organiser's pages ----

    def ticketed_event(self, title=None):
        """A published event with two dates, type "Plein tarif" at 10,00, 20 seats per date, paid on site
        or by transfer. Returns (slug, type_id, [date1, date2])."""
        c = self.owner
        d1 = next_weekday(today(), 5, 3)
        d2 = d1 + datetime.timedelta(days=7)
        fields = {"ticketing": "ticketed", "capacity": "", "start_date_1": d2.isoformat(),
                  "start_time_1": "20:30", "end_date_1": "", "end_time_1": "23:00"}
        if title:
            fields["title"] = title
        slug = self.publish(c, **fields)
        r = self.post(c, slug, "/types", {"name": "Plein tarif", "price": "10,00", "description": "",
                                          "min_per_order": "1", "max_per_order": "10",
                                          "visibility": "public"})
        self.assertEqual(r.status, 303, r.body[:3000])
        page = self.setup_page(c, slug)
        type_id = re.search(r'name="type_(\d+)"', page.body).group(1)
        select = re.search(r'<select[^>]*name="date".*?</select>', page.body, re.S).group(0)
        dates = re.findall(r'<option value="(\d+)"', select)
        self.assertEqual(len(dates), 2, select)
        for d in dates:
            r = self.post(c, slug, "/jauges", {"date": d, "name": "Salle", "size": "20", "type_" + type_id: "1"})
            self.assertEqual(r.status, 303, r.body[:3000])
        r = self.post(c, slug, "/boutique", {"provider_onsite": "1", "provider_transfer": "1",
                                             "attendee_names": "off", "buyer_can_cancel": "1",
                                             "transfer_details": "IBAN FR76 3000 4000 0500 0012 3456 789"})
        self.assertEqual(r.status, 303, r.body[:3000])
        return slug, type_id, dates

    def guest_buy(self, slug, type_id, date_id, qty=1, provider="onsite"):
        """A guest buys through the event page (pending: paid on site or by transfer); returns (the
        order's reference, buyer e-mail). The order page of a pending order shows its reference, not its
        tickets: the buyer gives that reference at the door."""
        c = self.srv.client()
        page = c.get("/evenements/" + slug)
        action = "/evenements/%s/commander" % slug
        fields = [f for a, f in forms(page.body) if a.get("action") == action]
        self.assertTrue(fields, "no checkout form")
        data = dict(fields[0])
        email = "zoe.%s@example.org" % secrets.token_hex(3)
        data.update({"qty-%s-%s" % (type_id, date_id): str(qty), "provider": provider,
                     "buyer_name": "Zoé Lefèvre", "buyer_email": email})
        r = c.post_form(action, data)
        self.assertEqual(r.status, 303, r.body[:3000])
        order = c.follow(r)
        self.assertEqual(CODE.findall(order.body), [])
        self.last_order = (c, r.location)
        return re.search(r"<h1>Commande ([A-Z0-9]+)</h1>", order.body).group(1), email

    # ---- the scanner page ----

    def door(self, c, slug, date, gate, status=200):
        r = c.get("/evenements/%s/controle?date=%s&porte=%s" % (slug, date, gate))
        self.assertEqual(r.status, status, r.body[:3000])
        return r

    def form_post(self, c, slug, date, gate, tail, fields, with_csrf=True):
        page = self.door(c, slug, date, gate)
        action = "/evenements/%s/controle%s" % (slug, tail)
        data = {"date": date, "porte": gate}
        if with_csrf:
            data["_csrf"] = csrf(page.body, action)
        data.update(fields)
        return c.post_form(action, data)

    def scan(self, c, slug, date, gate, code, status=200):
        r = self.form_post(c, slug, date, gate, "", {"code": code})
        self.assertEqual(r.status, status, r.body[:3000])
        return r

    def result(self, r):
        m = re.search(r'<div id="scan-result"[^>]*class="scan-result scan-([a-z_]+)"[^>]*>(.*?)</div>',
                      r.body, re.S)
        self.assertTrue(m, r.body[:3000])
        return m.group(1), text_of(m.group(2))

    def counts(self, c, slug, date):
        r = c.get("/evenements/%s/controle/compteurs?date=%s" % (slug, date),
                  headers={"Accept": "application/json"})
        self.assertEqual(r.status, 200, r.body[:2000])
        return r.json()

    def sell(self, c, slug, date, gate, type_id, qty, enter=False, name=""):
        fields = {"type": type_id, "quantity": str(qty), "buyer_name": name}
        page = self.door(c, slug, date, gate)
        fields["idem"] = [f for a, f in forms(page.body)
                          if a.get("action") == "/evenements/%s/controle/vente" % slug][0]["idem"]
        if enter:
            fields["enter_now"] = "1"
        return self.form_post(c, slug, date, gate, "/vente", fields)

    def sold_codes(self, r):
        """The ticket codes of a sale at the door, from the page that answers it."""
        self.assertEqual(r.status, 200, r.body[:3000])
        return CODE.findall(re.search(r'<div class="sale-done".*?</div>', r.body, re.S).group(0))

    def cancel_last_order(self):
        """The guest of the last guest_buy cancels it from the order page (the shop allows it)."""
        c, path = self.last_order
        page = c.get(path)
        action = path + "/annuler"
        r = c.post_form(action, {"_csrf": csrf(page.body, action)})
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertIn("Annulée", c.follow(r).body)

    # ---- tests ----

    def test_every_result_at_two_gates_with_counts_and_undo(self):
        slug, type_id, (d1, d2) = self.ticketed_event()
        box = self.box
        page = self.door(box, slug, d1, "Nord")
        self.assertOneH1(page.body)
        self.assertEqual(self.result(page)[0], "idle")
        self.assertIn('for="f-code"', page.body)
        self.assertIn('aria-live="assertive"', page.body)
        self.assertRegex(page.body, r'<script src="/static/js/scanner\.js\?v=[^"]+"></script>')
        self.assertIn("/static/vendor/jsqr/jsQR.js?v=", page.body)
        self.assertNotIn("<script>", page.body)
        self.assertNotIn(" style=", page.body)
        js = self.srv.client().get(re.search(r'data-jsqr="([^"]+)"', page.body).group(1).replace("&amp;", "&"))
        self.assertEqual(js.status, 200)
        self.assertIn("jsQR", js.body[:2000])

        # A sale at the door: paid on site, total shown, tickets waiting at the door.
        r = self.sell(box, slug, d1, "Nord", type_id, 2, name="Léa Martin")
        self.assertEqual(r.status, 200, r.body[:3000])
        sale = re.search(r'<div class="sale-done".*?</div>', r.body, re.S).group(0)
        self.assertIn("20,00", text_of(sale))
        sold = CODE.findall(sale)
        self.assertEqual(len(sold), 2)
        self.assertEqual(self.counts(box, slug, d1), {"arrived": 0, "expected": 2, "gates": []})

        # Valid at Nord; the same ticket at Sud is already used: when, which gate, by whom.
        kind, words = self.result(self.scan(box, slug, d1, "Nord", sold[0]))
        self.assertEqual(kind, "valid", words)
        self.assertIn("Valide", words)
        self.assertIn("Léa Martin", words)
        kind, words = self.result(self.scan(self.owner, slug, d1, "Sud", sold[0]))
        self.assertEqual(kind, "already_used", words)
        self.assertIn("Nord", words)
        self.assertIn("Jeanne", words)
        # Case and spaces do not matter.
        kind, _ = self.result(self.scan(box, slug, d1, "Sud", "  %s " % sold[1].lower()))
        self.assertEqual(kind, "valid")
        c = self.counts(box, slug, d1)
        self.assertEqual((c["arrived"], c["expected"]), (2, 2))
        self.assertEqual(sorted((g["gate"], g["arrived"]) for g in c["gates"]), [("Nord", 1), ("Sud", 1)])

        # Each gate lists its own last scans; undo the valid one at Nord, then the ticket enters again.
        nord = self.door(box, slug, d1, "Nord").body
        sud = self.door(box, slug, d1, "Sud").body
        self.assertIn(sold[0], nord)
        self.assertNotIn(sold[1], nord)
        self.assertIn(sold[1], sud)
        undo = "/evenements/%s/controle/annuler" % slug
        undo_forms = [f for a, f in forms(nord) if a.get("action") == undo and f.get("scan") != "0"]
        self.assertEqual(len(undo_forms), 1, nord[:3000])
        r = box.post_form(undo, undo_forms[0])
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertIn("porte=Nord", r.location)
        self.assertIn("L&#39;entrée est annulée", box.follow(r).body.replace("&#x27;", "&#39;"))
        self.assertEqual(self.counts(box, slug, d1)["arrived"], 1)
        self.assertEqual(box.post_form(undo, undo_forms[0]).status, 409)
        kind, _ = self.result(self.scan(box, slug, d1, "Sud", sold[0]))
        self.assertEqual(kind, "valid")
        c = self.counts(box, slug, d1)
        self.assertEqual((c["arrived"], c["expected"]), (2, 2))
        self.assertEqual(c["gates"], [{"gate": "Sud", "arrived": 2}])

        # Unknown and forged codes: refused, never echoed unescaped.
        for forged in ("NOPE", "<script>alert(1)</script>", "A" * 200, "' OR 1=1 --"):
            r = self.scan(box, slug, d1, "Nord", forged)
            self.assertEqual(self.result(r)[0], "unknown", forged)
            self.assertNotIn("<script>alert", r.body)

        # Another date of the series names it; another event names it.
        day2, _ = self.guest_buy(slug, type_id, d2)
        kind, words = self.result(self.scan(box, slug, d1, "Nord", day2))
        self.assertEqual(kind, "wrong_date", words)
        other_slug, other_type, (o1, _o2) = self.ticketed_event(title="Loto %s" % secrets.token_hex(2))
        other = self.sold_codes(self.sell(box, other_slug, o1, "Nord", other_type, 1))
        kind, words = self.result(self.scan(box, slug, d1, "Nord", other[0]))
        self.assertEqual(kind, "wrong_event", words)
        self.assertIn("Loto", words)

        # Cancelled.
        gone, _ = self.guest_buy(slug, type_id, d1)
        self.cancel_last_order()
        kind, words = self.result(self.scan(box, slug, d1, "Nord", gone))
        self.assertEqual(kind, "cancelled", words)

        # Unpaid on site: "encaisser et valider" takes the money, then lets in.
        unpaid, _ = self.guest_buy(slug, type_id, d1, qty=1)
        r = self.scan(box, slug, d1, "Nord", unpaid)
        kind, words = self.result(r)
        self.assertEqual(kind, "unpaid", words)
        self.assertIn("10,00", words)
        self.assertRegex(r.body, r'<div id="pay-at-door" class="pay-at-door">')
        pay = "/evenements/%s/controle/encaisser" % slug
        fields = [f for a, f in forms(r.body) if a.get("action") == pay][0]
        self.assertEqual(fields["code"], unpaid)
        r = self.box.post_form(pay, fields)
        self.assertEqual(r.status, 200, r.body[:3000])
        self.assertEqual(self.result(r)[0], "valid")
        c = self.counts(box, slug, d1)
        self.assertEqual((c["arrived"], c["expected"]), (3, 3))
        # The same form again (a double click, a reload) gets its first answer and pays nothing more;
        # another "take the money" for this paid order is refused.
        r = self.box.post_form(pay, fields)
        self.assertEqual((r.status, self.result(r)[0]), (200, "valid"))
        r = self.box.post_form(pay, dict(fields, nonce=secrets.token_hex(16)))
        self.assertEqual(r.status, 409)
        self.assertEqual(self.counts(box, slug, d1)["arrived"], 3)

        # Unpaid by transfer: the treasurer's money, no button for the box office.
        transfer, _ = self.guest_buy(slug, type_id, d1, provider="transfer")
        r = self.scan(box, slug, d1, "Nord", transfer)
        self.assertEqual(self.result(r)[0], "unpaid")
        self.assertRegex(r.body, r'<div id="pay-at-door" class="pay-at-door" hidden>')

        # "Every date" lets the other date's tickets in.
        self.assertEqual(self.result(self.scan(box, slug, "0", "Nord", other[0]))[0], "wrong_event")

    def test_sale_at_the_door_enters_now_and_refuses_bad_quantities(self):
        slug, type_id, (d1, _d2) = self.ticketed_event()
        r = self.sell(self.box, slug, d1, "Caisse", type_id, 3, enter=True)
        self.assertEqual(r.status, 200, r.body[:3000])
        self.assertIn("30,00", text_of(re.search(r'<div class="sale-done".*?</div>', r.body, re.S).group(0)))
        self.assertEqual(self.counts(self.box, slug, d1),
                         {"arrived": 3, "expected": 3, "gates": [{"gate": "Caisse", "arrived": 3}]})
        r = self.sell(self.box, slug, d1, "Caisse", type_id, 0)
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-quantity"', r.body)
        r = self.sell(self.box, slug, d1, "Caisse", type_id, 11)   # 10 at most per order
        self.assertEqual(r.status, 422)
        self.assertEqual(self.sell(self.box, slug, d1, "Caisse", type_id, 10).status, 200)
        r = self.sell(self.box, slug, d1, "Caisse", type_id, 8)   # 7 seats left
        self.assertEqual(r.status, 409)
        self.assertIn('id="e-quantity"', r.body)
        self.assertIn("complet", text_of(r.body).lower())
        self.assertEqual(self.counts(self.box, slug, d1)["expected"], 13)
        # The participants page lists the sale, paid.
        self.assertIn("Payée", self.owner.get("/evenements/%s/participants" % slug).body)

    def test_rights_and_csrf(self):
        slug, type_id, (d1, _d2) = self.ticketed_event()
        code = self.sold_codes(self.sell(self.box, slug, d1, "Nord", type_id, 1))[0]
        self.door(self.owner, slug, d1, "Nord")
        self.door(self.editor, slug, d1, "Nord", status=403)
        self.door(self.outsider, slug, d1, "Nord", status=403)
        anon = self.srv.client().get("/evenements/%s/controle" % slug)
        self.assertIn(anon.status, (302, 303))
        self.assertIn("/connexion", anon.location)
        self.assertEqual(self.editor.get("/evenements/%s/controle/compteurs?date=%s" % (slug, d1)).status, 403)
        # The editor cannot post a scan with their own valid token either.
        home = self.editor.get("/").body
        r = self.editor.post_form("/evenements/%s/controle" % slug,
                                  {"_csrf": csrf(home), "date": d1, "porte": "Nord", "code": code})
        self.assertEqual(r.status, 403)
        # No CSRF token: refused, nothing scanned.
        r = self.form_post(self.box, slug, d1, "Nord", "", {"code": code}, with_csrf=False)
        self.assertEqual(r.status, 403)
        r = self.form_post(self.box, slug, d1, "Nord", "", {"code": code, "_csrf": "0" * 64}, with_csrf=False)
        self.assertEqual(r.status, 403)
        self.assertEqual(self.counts(self.box, slug, d1)["arrived"], 0)
        self.assertEqual(self.result(self.scan(self.box, slug, d1, "Nord", code))[0], "valid")
        # A date of another event, or no such event.
        self.door(self.box, slug, "999999", "Nord", status=404)
        self.door(self.box, "pas-un-evenement", d1, "Nord", status=404)

    def test_json_answer_for_scanner_js(self):
        slug, type_id, (d1, _d2) = self.ticketed_event()
        code = self.sold_codes(self.sell(self.box, slug, d1, "Nord", type_id, 1))[0]
        page = self.door(self.box, slug, d1, "Nord")
        action = "/evenements/%s/controle" % slug
        data = {"_csrf": csrf(page.body, action), "date": d1, "porte": "Nord", "code": code}
        r = self.box.post_form(action, data, headers={"Accept": "application/json"})
        self.assertEqual(r.status, 200, r.body[:2000])
        j = r.json()
        self.assertEqual(j["result"], "valid")
        self.assertEqual(j["icon"], "✓")
        self.assertIn("Valide", j["title"])
        self.assertTrue(j["can_undo"])
        self.assertEqual(j["counts"]["arrived"], 1)
        r = self.box.post_form(action, data, headers={"Accept": "application/json"})
        self.assertEqual(r.json()["result"], "already_used")
        self.assertFalse(r.json()["can_undo"])
        # scanner.js retries a lost answer with the same nonce: the first answer again, one scan.
        second = self.sold_codes(self.sell(self.box, slug, d1, "Nord", type_id, 1))[0]
        retry = dict(data, code=second, nonce=secrets.token_hex(16))
        a = self.box.post_form(action, retry, headers={"Accept": "application/json"}).json()
        b = self.box.post_form(action, retry, headers={"Accept": "application/json"}).json()
        self.assertEqual((a["result"], b["result"], b["scan_id"]), ("valid", "valid", a["scan_id"]))
        self.assertEqual(b["counts"]["arrived"], 2)
        r = self.box.post_form(action, dict(retry, nonce="x"), headers={"Accept": "application/json"})
        self.assertEqual((r.status, r.json()["error"]["code"]), (422, "form.invalid"))
        # The undo template carries no scan; the one just made is undone by its id.
        undo = "/evenements/%s/controle/annuler" % slug
        fields = [f for a, f in forms(self.door(self.box, slug, d1, "Nord").body)
                  if a.get("action") == undo and f.get("scan") == "0"]
        self.assertEqual(len(fields), 1)
        fields[0]["scan"] = str(j["scan_id"])
        self.assertEqual(self.box.post_form(undo, fields[0]).status, 303)
        r = self.outsider.post_form(action, dict(data, _csrf=csrf(self.outsider.get("/").body)),
                                    headers={"Accept": "application/json"})
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error"]["code"], "forbidden")

    def test_api_scans_with_a_box_office_token(self):
        slug, type_id, (d1, d2) = self.ticketed_event()
        codes = self.sold_codes(self.sell(self.box, slug, d1, "Nord", type_id, 2))
        later, _ = self.guest_buy(slug, type_id, d2)
        gone, _ = self.guest_buy(slug, type_id, d1)
        self.cancel_last_order()
        unpaid, _ = self.guest_buy(slug, type_id, d1)
        other_slug, other_type, (o1, _o2) = self.ticketed_event(title="Loto %s" % secrets.token_hex(2))
        other = self.sold_codes(self.sell(self.box, other_slug, o1, "Nord", other_type, 1))[0]
        api = self.srv.client()
        path = "/api/v1/events/%s/checkins" % slug
        r = api.post_json(path, {"code": codes[0], "gate": "API", "event_date_id": int(d1)}, token=self.box_token)
        self.assertEqual(r.status, 200, r.body)
        j = r.json()
        self.assertEqual(j["result"], "valid")
        self.assertEqual(j["gate"], "API")
        self.assertEqual(j["ticket"]["type"], "Plein tarif")
        self.assertEqual(j["counts"], {"arrived": 1, "expected": 2})
        self.assertRegex(j["checked_in_at"], r"^\d{4}-\d\d-\d\dT")
        r = api.post_json(path, {"code": codes[0], "gate": "Autre"}, token=self.box_token)
        j = r.json()
        self.assertEqual((r.status, j["result"], j["gate"], j["checked_in_at"] is not None),
                         (200, "already_used", "API", True))
        for code, want in (("INCONNU", "unknown"), (later, "wrong_date"), (unpaid, "unpaid"),
                           (gone, "cancelled"), (other, "wrong_event")):
            r = api.post_json(path, {"code": code, "event_date_id": int(d1)}, token=self.box_token)
            self.assertEqual((r.status, r.json()["result"]), (200, want), r.body)
            self.assertIsNone(r.json()["checked_in_at"])
        self.assertIn("Loto", r.json()["other_event"])
        self.assertIsNone(r.json()["ticket"])
        self.assertIsNone(api.post_json(path, {"code": "INCONNU"}, token=self.box_token).json()["ticket"])
        self.assertTrue(api.post_json(path, {"code": unpaid}, token=self.box_token).json()["order"]["can_pay_at_door"])
        # Without a date, any date of the event is let in.
        r = api.post_json(path, {"code": later}, token=self.box_token)
        self.assertEqual(r.json()["result"], "unpaid")

        r = api.get_json("/api/v1/events/%s/checkins/counts?event_date_id=%s" % (slug, d1), token=self.box_token)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json(), {"arrived": 1, "expected": 2, "gates": [{"gate": "API", "arrived": 1}],
                                    "event_date_id": int(d1)})

        # Errors: no token, the editor's token, a bad body, no such event.
        self.assertEqual(api.post_json(path, {"code": codes[1]}).status, 401)
        r = api.post_json(path, {"code": codes[1]}, token=self.editor_token)
        self.assertEqual((r.status, r.json()["error"]["code"]), (403, "forbidden"))
        r = api.post_json(path, {"gate": "Nord"}, token=self.box_token)
        self.assertEqual((r.status, r.json()["error"]["code"]), (422, "form.invalid"))
        self.assertIn("code", r.json()["error"]["fields"])
        r = api.post_json(path, {"code": codes[1], "event_date_id": "demain"}, token=self.box_token)
        self.assertEqual(r.status, 422)
        self.assertIn("event_date_id", r.json()["error"]["fields"])
        r = api.post_json(path, {"code": codes[1], "event_date_id": 999999}, token=self.box_token)
        self.assertEqual(r.status, 404)
        r = api.post_json("/api/v1/events/pas-un-evenement/checkins", {"code": codes[1]}, token=self.box_token)
        self.assertEqual(r.status, 404)
        r = api.get_json("/api/v1/events/%s/checkins/counts" % slug, token=self.editor_token)
        self.assertEqual(r.status, 403)
        r = api.post_json(path, {"code": codes[1], "nonce": "court"}, token=self.box_token)
        self.assertEqual(r.status, 422)
        self.assertIn("nonce", r.json()["error"]["fields"])
        # None of the refusals let the second ticket in. Sent again with its nonce (a lost answer), the
        # scan is answered as the first time; with a new nonce it is a new scan.
        scan = {"code": codes[1], "gate": "API", "nonce": secrets.token_hex(8)}
        first = api.post_json(path, scan, token=self.box_token).json()
        self.assertEqual(first["result"], "valid")
        again = api.post_json(path, scan, token=self.box_token).json()
        self.assertEqual((again["result"], again["scan_id"]), ("valid", first["scan_id"]))
        r = api.post_json(path, dict(scan, nonce=secrets.token_hex(8)), token=self.box_token)
        self.assertEqual(r.json()["result"], "already_used")
        self.assertEqual(api.get_json("/api/v1/events/%s/checkins/counts" % slug, token=self.box_token).json()["arrived"], 2)


if __name__ == "__main__":
    unittest.main()
