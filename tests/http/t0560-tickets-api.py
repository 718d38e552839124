# t0560-tickets-api.py: ticketing through the JSON API v1 and the real binary: the public offer of an event
# (/api/v1/events/{slug}/ticket-types), checkout with an Idempotency-Key (guest and token holder; retries give one
# order; a key reused for another body is 409), sold out and price changed (409, nothing written), bad fields
# (422 named like the body), vouchers, the order behind its secret, and the organiser's routes (list, one order,
# mark paid, cancel) with their refusals (401 without a token, 403 for outsiders). Both backends (run.sh).
import secrets
from concurrent.futures import ThreadPoolExecutor
import unittest
from urllib.parse import urlsplit

from agenda_test import ENV
from kiosque_test import Server
from ticketing_fixtures import (BOX_OFFICE, CITIZEN, EDITOR, OUTSIDER, OWNER, TREASURER, Shop, login, run_sql,
                                token_of)


def key():
    return "k-" + secrets.token_hex(12)


class TicketsApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        try:
            cls.owner = login(cls.srv, OWNER)
            cls.tok = {who: token_of(cls.srv, who) for who in (OWNER, EDITOR, TREASURER, BOX_OFFICE, OUTSIDER,
                                                               CITIZEN)}
        except BaseException:
            cls.srv.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    # -- helpers

    def api(self):
        return self.srv.client()

    def assertError(self, r, status, code):
        self.assertEqual(r.status, status, r.body[:1500])
        self.assertEqual(r.header("Content-Type"), "application/json")
        e = r.json()["error"]
        self.assertEqual(e["code"], code, r.body[:1500])
        self.assertTrue(e["message"])
        return e

    def shop(self, quota=10, attendee_names="optional"):
        s = Shop(self.srv, self.owner, self.tok[OWNER])
        s.add_type("Plein tarif", "15")
        s.add_quota(quota)
        s.set_shop(attendee_names=attendee_names)
        return s

    def checkout(self, s, tickets, idem=None, token=None, buyer=True, **extra):
        body = {"tickets": tickets, "provider": "onsite"}
        if buyer:
            body["buyer"] = {"name": "Zoé Lefèvre", "email": "zoe.%s@example.org" % secrets.token_hex(3)}
        body.update(extra)
        return self.api().post_json("/api/v1/events/%s/orders" % s.slug, body, token=token,
                                    headers={"Idempotency-Key": idem or key()})

    def orders(self, s, token=None, query=""):
        r = self.api().get_json("/api/v1/events/%s/orders%s" % (s.slug, query), token=token or self.tok[BOX_OFFICE])
        self.assertEqual(r.status, 200, r.body[:1000])
        return r.json()

    def offer(self, s, query=""):
        r = self.api().get_json("/api/v1/events/%s/ticket-types%s" % (s.slug, query))
        self.assertEqual(r.status, 200, r.body[:1000])
        return r.json()

    def offered_types(self, s, query=""):
        return {t["name"]: t for d in self.offer(s, query)["dates"] for t in d["ticket_types"]}

    def seats_left(self, s):
        return self.offer(s)["dates"][0]["tickets_left"]

    # -- the offer

    def test_offer_lists_public_types_with_price_window_and_availability(self):
        s = Shop(self.srv, self.owner, self.tok[OWNER])
        full = s.add_type("Plein tarif", "12,50", max_per_order="6")
        crew = s.add_type("Bénévole", "0", visibility="voucher_only")
        s.add_type("Invité", "0", visibility="hidden")
        s.add_quota(8)
        s.set_shop()
        s.add_question("Taille du t-shirt", kind="choice", options="M\nL", required=True)
        code = s.add_voucher()
        offer = self.offer(s)
        self.assertEqual(offer["event"]["slug"], s.slug)
        self.assertEqual(offer["currency"], "EUR")
        self.assertEqual(set(offer["providers"]), {"onsite", "transfer", "demo"})
        self.assertEqual([q["label"] for q in offer["questions"]], ["Taille du t-shirt"])
        self.assertEqual(offer["questions"][0]["options"], ["M", "L"])
        self.assertTrue(offer["questions"][0]["required"])
        (date,) = offer["dates"]
        self.assertEqual(date["id"], s.date_id)
        self.assertEqual(date["tickets_left"], 8)
        # Voucher-only and hidden types are not listed.
        self.assertEqual([t["name"] for t in date["ticket_types"]], ["Plein tarif"])
        t = date["ticket_types"][0]
        self.assertEqual((t["id"], t["price_cents"], t["currency"]), (full, 1250, "EUR"))
        self.assertEqual((t["min_per_order"], t["max_per_order"]), (1, 6))
        self.assertEqual(t["availability"], "available")
        self.assertEqual(t["seats_left"], 8)               # few left: the page says how many
        self.assertIsNone(t["sale_starts_at"])
        self.assertEqual(t["sale_ends_at"], date["starts_at"])   # open end: until the date starts
        # A voucher shows the types it opens, with the price it gives; an unknown one is refused.
        types = self.offered_types(s, "?voucher=" + code.lower())
        self.assertEqual(set(types), {"Plein tarif", "Bénévole"})
        self.assertEqual(types["Bénévole"]["id"], crew)
        self.assertEqual(types["Plein tarif"]["voucher_price_cents"], 625)
        e = self.assertError(self.api().get_json("/api/v1/events/%s/ticket-types?voucher=NOPE-123" % s.slug),
                             422, "vouchers.invalid")
        self.assertIn("voucher", e["fields"])
        self.assertError(self.api().get_json("/api/v1/events/no-such-event/ticket-types"), 404, "not_found")

    # -- checkout

    def test_guest_checkout_then_treasurer_marks_it_paid(self):
        s = self.shop()
        s.add_question("Régime alimentaire", required=False)
        qid = self.offer(s)["questions"][0]["id"]
        tid = s.types["Plein tarif"]
        tickets = [{"ticket_type_id": tid, "event_date_id": s.date_id, "attendee_name": "Zoé Lefèvre",
                    "answers": [{"question_id": qid, "value": "végétarien"}], "seen_price_cents": 1500},
                   {"ticket_type_id": tid, "attendee_name": "Ana Núñez"}]   # one date: event_date_id may go
        r = self.checkout(s, tickets)
        self.assertEqual(r.status, 201, r.body[:2000])
        o = r.json()
        self.assertEqual(o["status"], "pending")
        self.assertEqual((o["total_cents"], o["currency"], o["provider"]), (3000, "EUR", "onsite"))
        self.assertEqual(len(o["tickets"]), 2)
        self.assertEqual({t["attendee_name"] for t in o["tickets"]}, {"Zoé Lefèvre", "Ana Núñez"})
        self.assertTrue(all(t["code"] is None for t in o["tickets"]), o)   # not paid: no codes
        self.assertIsNone(o["pdf_url"])
        self.assertNotIn("email", o["buyer"])
        secret = o["url"].rsplit("/commandes/", 1)[1]
        self.assertEqual(r.header("Location"), "/api/v1/orders/" + secret)
        self.assertEqual(r.header("Cache-Control"), "no-store")

        mine = self.api().get_json("/api/v1/orders/" + secret)
        self.assertEqual(mine.status, 200)
        self.assertEqual(mine.json()["code"], o["code"])
        self.assertEqual(mine.header("Cache-Control"), "no-store")
        self.assertError(self.api().get_json("/api/v1/orders/" + "A" * 32), 404, "not_found")

        # The organiser's view: e-mail and answers, never the secret link.
        one = self.api().get_json("/api/v1/events/%s/orders/%d" % (s.slug, o["id"]), token=self.tok[BOX_OFFICE])
        self.assertEqual(one.status, 200, one.body[:1000])
        one = one.json()
        self.assertIn("@example.org", one["buyer"]["email"])
        self.assertNotIn("url", one)
        self.assertEqual(one["tickets"][0]["answers"][0]["value"], "végétarien")
        listed = self.orders(s)
        self.assertEqual((listed["total"], listed["items"][0]["code"]), (1, o["code"]))
        self.assertNotIn("tickets", listed["items"][0])

        # A treasurer says the money arrived: the order is paid and its tickets get their codes.
        r = self.api().post_json("/api/v1/events/%s/orders/%d/mark-paid" % (s.slug, o["id"]), {},
                                 token=self.tok[TREASURER])
        self.assertEqual(r.status, 200, r.body[:1000])
        self.assertEqual(r.json()["status"], "paid")
        paid = self.api().get_json("/api/v1/orders/" + secret).json()
        self.assertEqual(paid["status"], "paid")
        codes = [t["code"] for t in paid["tickets"]]
        self.assertTrue(all(c and len(c) >= 20 for c in codes), codes)
        self.assertTrue(paid["pdf_url"].endswith("/billets.pdf"))
        qr = self.api().get(urlsplit(paid["tickets"][0]["qr_url"]).path)
        self.assertEqual(qr.status, 200)
        self.assertError(self.api().post_json("/api/v1/events/%s/orders/%d/mark-paid" % (s.slug, o["id"]), {},
                                              token=self.tok[TREASURER]), 409, "orders.state")
        self.assertEqual(self.orders(s, query="?status=paid")["total"], 1)
        self.assertEqual(self.orders(s, query="?status=pending")["total"], 0)

    def test_retries_with_one_key_make_one_order(self):
        s = self.shop()
        tickets = [{"ticket_type_id": s.types["Plein tarif"], "event_date_id": s.date_id}]
        body = {"tickets": tickets, "provider": "onsite",
                "buyer": {"name": "Paul Roche", "email": "paul.%s@example.org" % secrets.token_hex(3)}}
        idem = key()
        codes = set()
        for _ in range(10):
            r = self.api().post_json("/api/v1/events/%s/orders" % s.slug, body, headers={"Idempotency-Key": idem})
            self.assertEqual(r.status, 201, r.body[:1000])
            codes.add(r.json()["code"])
        self.assertEqual(len(codes), 1)
        self.assertEqual(self.orders(s)["total"], 1)
        self.assertEqual(self.seats_left(s), 9)
        # The same key with another body: refused, nothing written.
        other = dict(body, tickets=tickets * 2)
        r = self.api().post_json("/api/v1/events/%s/orders" % s.slug, other, headers={"Idempotency-Key": idem})
        self.assertError(r, 409, "idempotency.key_reused")
        self.assertEqual(self.orders(s)["total"], 1)
        self.assertEqual(self.seats_left(s), 9)
        # No key, or a malformed one: refused before anything.
        for h in ({}, {"Idempotency-Key": "short"}, {"Idempotency-Key": "x" * 129}, {"Idempotency-Key": "with space"}):
            r = self.api().post_json("/api/v1/events/%s/orders" % s.slug, body, headers=h)
            self.assertError(r, 400, "idempotency.key_invalid")
        self.assertEqual(self.orders(s)["total"], 1)

    def test_concurrent_retries_with_one_key_make_one_order(self):
        s = self.shop()
        body = {"tickets": [{"ticket_type_id": s.types["Plein tarif"], "event_date_id": s.date_id}] * 2,
                "provider": "onsite", "buyer": {"name": "Paul Roche", "email": "paul@example.org"}}
        idem = key()

        def post(_):
            r = self.api().post_json("/api/v1/events/%s/orders" % s.slug, body, headers={"Idempotency-Key": idem})
            return r.status, r.json().get("code")

        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(post, range(10)))
        self.assertEqual({status for status, _ in answers}, {201}, answers)
        self.assertEqual(len({code for _, code in answers}), 1, answers)
        self.assertEqual(self.orders(s)["total"], 1)
        self.assertEqual(self.seats_left(s), 8)

    def test_sold_out_is_409_and_writes_nothing(self):
        s = self.shop(quota=2)
        t = {"ticket_type_id": s.types["Plein tarif"], "event_date_id": s.date_id}
        self.assertEqual(self.checkout(s, [t, t]).status, 201)
        self.assertEqual(self.offered_types(s)["Plein tarif"]["availability"], "sold_out")
        self.assertIsNone(self.offered_types(s)["Plein tarif"]["seats_left"])
        self.assertEqual(self.seats_left(s), 0)
        self.assertError(self.checkout(s, [t]), 409, "tickets.sold_out")
        self.assertEqual(self.orders(s)["total"], 1)
        # A seat freed by a cancellation can be bought again; three for two is still refused whole.
        first = self.orders(s)["items"][0]
        r = self.api().post_json("/api/v1/events/%s/orders/%d/cancel" % (s.slug, first["id"]), {},
                                 token=self.tok[BOX_OFFICE])
        self.assertEqual(r.status, 200, r.body[:1000])
        self.assertEqual(r.json()["status"], "cancelled")
        self.assertEqual(self.seats_left(s), 2)
        self.assertError(self.checkout(s, [t, t, t]), 409, "tickets.sold_out")
        self.assertEqual(self.seats_left(s), 2)
        self.assertEqual(self.orders(s)["total"], 1)

    def test_bad_fields_are_422_named_like_the_body(self):
        s = self.shop(attendee_names="required")
        s.add_question("Taille du t-shirt", kind="choice", options="M\nL", required=True)
        qid = self.offer(s)["questions"][0]["id"]
        tid = s.types["Plein tarif"]
        good = {"ticket_type_id": tid, "event_date_id": s.date_id, "attendee_name": "Zoé",
                "answers": [{"question_id": qid, "value": "M"}]}
        cases = [
            ({"tickets": []}, "tickets"),
            ({"tickets": "deux"}, "tickets"),
            ({"tickets": [dict(good, ticket_type_id="1")]}, "tickets.0.ticket_type_id"),
            ({"tickets": [good, dict(good, attendee_name=7)]}, "tickets.1.attendee_name"),
            ({"tickets": [dict(good, seen_price_cents=-1)]}, "tickets.0.seen_price_cents"),
            ({"tickets": [good], "buyer": {"name": "Zoé", "email": "pas-une-adresse"}}, "buyer.email"),
            ({"tickets": [good], "buyer": {"name": "", "email": "zoe@example.org"}}, "buyer.name"),
            ({"tickets": [dict(good, attendee_name="")]}, "tickets.0.attendee_name"),       # required by the shop
            ({"tickets": [dict(good, answers=[{"question_id": qid, "value": "XXL"}])]}, "tickets.0.answers.0.value"),
            ({"tickets": [dict(good, answers=[])]}, "tickets.0.answers"),                    # required question
        ]
        for body, field in cases:
            full = {"provider": "onsite", "buyer": {"name": "Zoé Lefèvre", "email": "zoe@example.org"}}
            full.update(body)
            r = self.api().post_json("/api/v1/events/%s/orders" % s.slug, full, headers={"Idempotency-Key": key()})
            e = self.assertError(r, 422, "form.invalid")
            self.assertIn(field, e.get("fields", {}), "%s: %s" % (field, r.body))
        r = self.api().request("POST", "/api/v1/events/%s/orders" % s.slug, body=b"[1, 2]",
                               headers={"Content-Type": "application/json", "Idempotency-Key": key()})
        self.assertError(r, 400, "bad_request")
        r = self.api().request("POST", "/api/v1/events/%s/orders" % s.slug, body="tickets=1",
                               headers={"Content-Type": "text/plain", "Idempotency-Key": key()})
        self.assertError(r, 415, "unsupported_media_type")
        self.assertError(self.checkout(s, [good], provider="cheque"), 422, "payments.provider_unavailable")
        self.assertEqual(self.orders(s)["total"], 0)
        self.assertEqual(self.seats_left(s), 10)
        self.assertEqual(self.checkout(s, [good]).status, 201)

    def test_voucher_only_type_and_discount(self):
        s = Shop(self.srv, self.owner, self.tok[OWNER])
        full = s.add_type("Plein tarif", "20")
        crew = s.add_type("Bénévole", "8", visibility="voucher_only")
        s.add_quota(10)
        s.set_shop()
        code = s.add_voucher(kind="percent", amount="25", max_uses="3")
        t_crew = {"ticket_type_id": crew, "event_date_id": s.date_id}
        t_full = {"ticket_type_id": full, "event_date_id": s.date_id}
        self.assertError(self.checkout(s, [t_crew]), 422, "tickets.voucher_required")
        e = self.assertError(self.checkout(s, [t_full], voucher="FAUX-CODE"), 422, "vouchers.invalid")
        self.assertIn("voucher", e["fields"])
        r = self.checkout(s, [t_crew, t_full], voucher=code.lower())
        self.assertEqual(r.status, 201, r.body[:1000])
        o = r.json()
        self.assertEqual(o["total_cents"], 600 + 1500)
        self.assertEqual(sorted(t["discount_cents"] for t in o["tickets"]), [200, 500])
        # Two uses left of three: a third and fourth ticket would pass the limit.
        self.assertError(self.checkout(s, [t_full, t_full], voucher=code), 409, "vouchers.used_up")
        self.assertEqual(self.orders(s)["total"], 1)

    def test_price_changed_since_the_buyer_saw_it(self):
        s = self.shop()
        t = self.offered_types(s)["Plein tarif"]
        self.assertEqual(t["price_cents"], 1500)
        run_sql(self.srv, "UPDATE ticket_types SET price_cents = 1800 WHERE id = %d" % t["id"])
        seen = {"ticket_type_id": t["id"], "event_date_id": s.date_id, "seen_price_cents": t["price_cents"]}
        self.assertError(self.checkout(s, [seen]), 409, "tickets.price_changed")
        self.assertEqual(self.orders(s)["total"], 0)
        self.assertEqual(self.seats_left(s), 10)
        r = self.checkout(s, [dict(seen, seen_price_cents=1800)])
        self.assertEqual(r.status, 201, r.body[:1000])
        self.assertEqual(r.json()["total_cents"], 1800)

    def test_token_holder_buys_as_their_account(self):
        s = Shop(self.srv, self.owner, self.tok[OWNER])
        free = s.add_type("Entrée libre", "0")
        s.add_type("Soutien", "10")
        s.add_quota(10)
        s.set_shop()
        t = {"ticket_type_id": free, "event_date_id": s.date_id}
        r = self.checkout(s, [t], token=self.tok[CITIZEN], buyer=False, lang="en")
        self.assertEqual(r.status, 201, r.body[:1000])
        o = r.json()
        self.assertEqual((o["status"], o["total_cents"], o["buyer"]["name"]), ("paid", 0, "Lucie Fabre"))
        self.assertTrue(o["tickets"][0]["code"])
        # The buyer's token reads their own order by id too; a card-like payment gives its page.
        self.assertEqual(self.api().get_json("/api/v1/events/%s/orders/%d" % (s.slug, o["id"]),
                                             token=self.tok[CITIZEN]).status, 200)
        paid = {"ticket_type_id": s.types["Soutien"], "event_date_id": s.date_id}
        r = self.checkout(s, [paid], token=self.tok[CITIZEN], buyer=False, provider="demo")
        self.assertEqual(r.status, 201, r.body[:1000])
        self.assertTrue(r.json()["redirect_url"].endswith("/paiement-demo"), r.body)
        # A bank transfer: the reference and the organiser's bank details, as the order page gives them.
        r = self.checkout(s, [paid], token=self.tok[CITIZEN], buyer=False, provider="transfer")
        self.assertEqual(r.status, 201, r.body[:1000])
        o = r.json()
        self.assertEqual((o["status"], o["provider"], o["redirect_url"]), ("pending", "transfer", None))
        self.assertTrue(o["payment"]["reference"])
        self.assertEqual(o["transfer_details"], "IBAN FR76 0000")
        # A guest without buyer is told which fields are missing.
        e = self.assertError(self.checkout(s, [t], buyer=False), 422, "form.invalid")
        self.assertTrue({"buyer.name", "buyer.email"} <= set(e["fields"]), e)

    # -- the organiser's routes

    def test_organiser_routes_need_a_token_and_a_role(self):
        s = self.shop()
        t = {"ticket_type_id": s.types["Plein tarif"], "event_date_id": s.date_id}
        o = self.checkout(s, [t]).json()
        other = self.shop()
        base = "/api/v1/events/%s/orders" % s.slug
        one = "%s/%d" % (base, o["id"])
        reads = [base, one]
        writes = [one + "/cancel", one + "/mark-paid"]
        for path in reads:
            self.assertError(self.api().get_json(path), 401, "auth.required")
            self.assertError(self.api().get_json(path, token="kq_" + "0" * 64), 401, "auth.token_invalid")
            self.assertError(self.api().get_json(path, token=self.tok[OUTSIDER]), 403, "forbidden")
        for path in writes:
            self.assertError(self.api().post_json(path, {}), 401, "auth.required")
            self.assertError(self.api().post_json(path, {}, token=self.tok[OUTSIDER]), 403, "forbidden")
            self.assertError(self.api().post_json(path, {}, token=self.tok[EDITOR]), 403, "forbidden")
        self.assertError(self.api().get_json(base, token=self.tok[EDITOR]), 403, "forbidden")
        self.assertEqual(self.api().get_json(base, token=self.tok[TREASURER]).status, 200)
        # The order under another event's address, or an id that is no number: not found.
        self.assertError(self.api().get_json("/api/v1/events/%s/orders/%d" % (other.slug, o["id"]),
                                             token=self.tok[BOX_OFFICE]), 404, "not_found")
        self.assertError(self.api().get_json(base + "/abc", token=self.tok[BOX_OFFICE]), 404, "not_found")
        for q in ("?status=lost", "?limit=0", "?limit=201", "?offset=-1"):
            self.assertError(self.api().get_json(base + q, token=self.tok[BOX_OFFICE]), 400, "bad_request")
        self.assertError(self.api().request("POST", one + "/cancel", body="x",
                                            headers={"Content-Type": "text/plain"}, token=self.tok[BOX_OFFICE]),
                         415, "unsupported_media_type")
        # Nothing above changed the order; the box office cancels it, once.
        self.assertEqual(self.api().get_json("/api/v1/orders/" + o["url"].rsplit("/", 1)[1]).json()["status"],
                         "pending")
        r = self.api().post_json(one + "/cancel", {}, token=self.tok[BOX_OFFICE])
        self.assertEqual(r.json()["status"], "cancelled", r.body[:1000])
        self.assertError(self.api().post_json(one + "/cancel", {}, token=self.tok[BOX_OFFICE]), 409, "orders.state")

    def test_list_pages_newest_first(self):
        s = self.shop()
        t = {"ticket_type_id": s.types["Plein tarif"], "event_date_id": s.date_id}
        codes = [self.checkout(s, [t]).json()["code"] for _ in range(3)]
        page = self.orders(s, query="?limit=2")
        self.assertEqual((page["total"], page["limit"], page["offset"]), (3, 2, 0))
        self.assertEqual(len(page["items"]), 2)
        rest = self.orders(s, query="?limit=2&offset=2")
        self.assertEqual(len(rest["items"]), 1)
        seen = [o["code"] for o in page["items"] + rest["items"]]
        self.assertEqual(sorted(seen), sorted(codes))
        ids = [o["id"] for o in page["items"] + rest["items"]]
        self.assertEqual(ids, sorted(ids, reverse=True))
        # A search by a part of the order code finds that order only.
        found = self.orders(s, query="?q=" + codes[1][2:8].lower())
        self.assertEqual([o["code"] for o in found["items"]], [codes[1]])


if __name__ == "__main__":
    unittest.main()
