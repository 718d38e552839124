# t0420-events-api.py: /api/v1/events through the real binary: list with filters, read, create under an organisation, partial update, refusals.
import re
import unittest

from agenda_test import ENV, ORG, Agenda, future, tag
from kiosque_test import Server, csrf


class EventsApi(unittest.TestCase, Agenda):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.owner_token = cls.token_of(cls, "pierre.vignal@example.org")
        cls.box_token = cls.token_of(cls, "hugo.mercier@example.org")       # not a member of ORG

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def token_of(self, email):
        c = self.login(self, email) if isinstance(self, type) else self.login(email)
        page = c.get("/compte").body
        r = c.post_form("/compte/jetons", {"_csrf": csrf(page), "name": "agenda"})
        return re.search(r"\b(kq_[0-9a-f]{64})\b", r.body).group(1)

    def api(self):
        return self.srv.client()

    def assertError(self, r, status, code):
        self.assertEqual(r.status, status, r.body[:1000])
        self.assertEqual(r.header("Content-Type"), "application/json")
        e = r.json()["error"]
        self.assertEqual(e["code"], code)
        self.assertTrue(e["message"])
        return e

    def create(self, token=None, org=ORG, **fields):
        body = {"title": "Concert %s" % tag(), "category": "concert", "status": "published",
                "summary": "Au kiosque.", "commune": "26391", "venue_name": "Kiosque à musique",
                "latitude": 44.4912, "longitude": "5.3871", "accessibility": ["wheelchair"],
                "dates": [{"start": "%sT20:30" % future(1, 14).isoformat(),
                           "end": "%sT22:00" % future(1, 14).isoformat()}]}
        body.update(fields)
        return self.api().post_json("/api/v1/orgs/%s/events" % org, body, token=token or self.owner_token)

    def test_create_read_and_list(self):
        t = tag()
        w, s = future(1, 14), future(7, 14)
        r = self.create(title="Fanfare %s" % t, ticketing="ticketed", capacity=80, dates=[
            {"start": "%sT20:30" % w.isoformat(), "end": "%sT22:00" % w.isoformat()},
            {"start": "%sT19:00:00Z" % s.isoformat()}])
        self.assertEqual(r.status, 201, r.body)
        ev = r.json()
        self.assertEqual(r.header("Location"), "/api/v1/events/%s" % ev["slug"])
        self.assertEqual(ev["organisation"]["slug"], ORG)
        self.assertEqual(ev["commune"], {"insee": "26391", "name": "Vesqueval", "postcode": "26470"})
        self.assertAlmostEqual(ev["venue"]["latitude"], 44.4912)
        self.assertEqual(ev["accessibility"], ["wheelchair"])
        self.assertEqual(ev["ticketing"], "ticketed")
        self.assertEqual(ev["capacity"], 80)
        self.assertEqual(ev["url"], "%s/evenements/%s" % (self.srv.url, ev["slug"]))
        d0, d1 = ev["dates"]
        self.assertEqual(d0["start"], "%sT20:30:00+01:00" % w.isoformat())
        self.assertEqual(d0["start_utc"], "%sT19:30:00Z" % w.isoformat())
        self.assertEqual(d0["tickets_left"], 80)
        self.assertEqual(d1["start"], "%sT21:00:00+02:00" % s.isoformat())   # 19:00Z in summer
        self.assertIsNone(d1["end"])
        r = self.api().get_json("/api/v1/events/%s" % ev["slug"])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["dates"], ev["dates"])
        r = self.api().get_json("/api/v1/events?q=" + t)
        self.assertEqual(r.status, 200)
        page = r.json()
        self.assertEqual(page["total"], 2)
        self.assertEqual([i["date"]["id"] for i in page["items"]], [d0["id"], d1["id"]])
        self.assertNotIn("dates", page["items"][0])
        for query, n in (("category=concert", 2), ("category=market", 0), ("free=true", 0), ("tickets_left=1", 2),
                         ("commune=26392", 0), ("org=" + ORG, 2), ("from=%s&to=%s" % (s.isoformat(), s.isoformat()), 1),
                         ("limit=1&offset=1", 1)):
            r = self.api().get_json("/api/v1/events?q=%s&%s" % (t, query))
            self.assertEqual(r.status, 200, query)
            self.assertEqual(len(r.json()["items"]), n, query)

    def test_list_refuses_malformed_filters(self):
        for query, field in (("limit=0", "limit"), ("limit=101", "limit"), ("offset=-1", "offset"),
                             ("when=yesterday", "when"), ("from=2026-02-30", "from"), ("category=rave", "category"),
                             ("free=maybe", "free"), ("org=nobody-here", "org"), ("past=2", "past")):
            e = self.assertError(self.api().get_json("/api/v1/events?" + query), 400, "bad_request")
            self.assertIn(field, e["fields"], query)

    def test_create_refusals(self):
        self.assertError(self.create(token="kq_" + "0" * 64), 401, "auth.token_invalid")
        r = self.api().post_json("/api/v1/orgs/%s/events" % ORG, {"title": "x"})
        self.assertError(r, 401, "auth.required")
        self.assertError(self.create(token=self.box_token), 403, "forbidden")
        # Who may publish is said before what is wrong with the body.
        self.assertError(self.create(token=self.box_token, title=3), 403, "forbidden")
        self.assertError(self.create(org="nowhere"), 404, "not_found")
        r = self.api().request("POST", "/api/v1/orgs/%s/events" % ORG, body="title=x",
                               headers={"Content-Type": "application/x-www-form-urlencoded"}, token=self.owner_token)
        self.assertError(r, 415, "unsupported_media_type")
        r = self.api().request("POST", "/api/v1/orgs/%s/events" % ORG, body="{not json",
                               headers={"Content-Type": "application/json"}, token=self.owner_token)
        self.assertError(r, 400, "bad_request")
        y = future(3, 1).year
        sunday = max(d for d in range(25, 32) if __import__("datetime").date(y, 3, d).weekday() == 6)
        e = self.assertError(self.create(title=5, capacity=[1], accessibility="wheelchair",
                                         dates=[{"start": "hier"}]), 422, "form.invalid")
        self.assertEqual(set(e["fields"]), {"title", "capacity", "accessibility", "dates[0]"})
        e = self.assertError(self.create(category="rave", dates=[{"start": "%d-03-%02dT02:30" % (y, sunday)}]),
                             422, "form.invalid")
        self.assertEqual(set(e["fields"]), {"category", "start_time_0"})
        self.assertIn("n'existe pas", e["fields"]["start_time_0"])
        e = self.assertError(self.create(dates=[]), 422, "form.invalid")
        self.assertIn("dates", e["fields"])

    def test_patch_is_partial_for_publishers_and_drafts_stay_hidden(self):
        r = self.create(status="draft", dates=[{"start": "%sT10:00" % future(1, 14).isoformat()},
                                               {"start": "%sT10:00" % future(1, 21).isoformat()}])
        self.assertEqual(r.status, 201, r.body)
        ev = r.json()
        self.assertError(self.api().get_json("/api/v1/events/%s" % ev["slug"]), 404, "not_found")
        self.assertError(self.api().get_json("/api/v1/events/%s" % ev["slug"], token=self.box_token), 404, "not_found")
        self.assertEqual(self.api().get_json("/api/v1/events/%s" % ev["slug"], token=self.owner_token).status, 200)
        self.assertError(self.api().patch_json("/api/v1/events/%s" % ev["slug"], {"title": "Volé"},
                                               token=self.box_token), 404, "not_found")
        r = self.api().patch_json("/api/v1/events/%s" % ev["slug"], {
            "title": "Publié", "status": "published",
            "dates": [{"id": ev["dates"][0]["id"], "start": ev["dates"][0]["start"][:16], "cancelled": True},
                      {"id": ev["dates"][1]["id"], "remove": True}]}, token=self.owner_token)
        self.assertEqual(r.status, 200, r.body)
        after = r.json()
        self.assertEqual(after["title"], "Publié")
        self.assertEqual(after["summary"], ev["summary"])
        self.assertEqual(after["slug"], ev["slug"])
        self.assertEqual(after["sequence"], 1)
        self.assertEqual(len(after["dates"]), 1)
        self.assertTrue(after["dates"][0]["cancelled"])
        self.assertEqual(self.api().get_json("/api/v1/events/%s" % ev["slug"]).status, 200)
        # Now public, a non-member is refused rather than told it does not exist.
        self.assertError(self.api().patch_json("/api/v1/events/%s" % ev["slug"], {"title": "Volé"},
                                               token=self.box_token), 403, "forbidden")
        self.assertError(self.api().patch_json("/api/v1/events/%s" % ev["slug"], {"title": "Volé"}), 401,
                         "auth.required")
        e = self.assertError(self.api().patch_json("/api/v1/events/%s" % ev["slug"], {"dates": [{"id": 1, "remove": True}]},
                                                   token=self.owner_token), 404, "not_found")
        e = self.assertError(self.api().patch_json("/api/v1/events/%s" % ev["slug"], {"status": "oublié"},
                                                   token=self.owner_token), 422, "form.invalid")
        self.assertEqual(list(e["fields"]), ["status"])


if __name__ == "__main__":
    unittest.main()
