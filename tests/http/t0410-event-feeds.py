# t0410-event-feeds.py: the agenda's feeds through the real binary: iCalendar read by ical.js (time zones, DST), Atom read by xml.etree, the private "my tickets" feed.
import datetime
import json
import os
import re
import subprocess
import unittest
import xml.etree.ElementTree as ET

from agenda_test import ENV, ORG, Agenda, future, tag
from kiosque_test import REPO, Server, csrf

ICAL_CHECK = os.path.join(REPO, "tests", "tools", "ical-check.mjs")
ATOM = "{http://www.w3.org/2005/Atom}"


def ical_js(raw):
    """What ical.js (npm, pinned) makes of an iCalendar text: see tests/tools/ical-check.mjs."""
    p = subprocess.run(["node", ICAL_CHECK], input=raw, capture_output=True, cwd=REPO, timeout=60)
    if p.returncode != 0:
        raise AssertionError("ical.js refused the calendar: %s\n%s" % (p.stderr.decode(), raw[:3000].decode()))
    return json.loads(p.stdout)


class Feeds(unittest.TestCase, Agenda):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.owner = cls.login(cls, "pierre.vignal@example.org")
        cls.t = tag()
        cls.winter = future(1, 14)
        cls.summer = future(7, 14)
        cls.slug = None

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def setUp(self):
        # One event with a winter and a summer date (a series across the change of time), made once.
        if type(self).slug is None:
            type(self).slug = self.publish(
                self.owner, title="Fête, bal; \\ %s" % self.t, category="festival",
                description="Deux dates.\nUne en hiver.",
                start_date_0=self.winter.isoformat(), start_time_0="21:00", end_time_0="01:00",
                start_date_1=self.summer.isoformat(), start_time_1="10:00", end_time_1="18:00")

    def check_dates(self, cal):
        mine = [e for e in cal["events"] if self.t in (e["summary"] or "")]
        self.assertEqual(len(mine), 2, cal)
        by_start = {e["start"][:10]: e for e in mine}
        w, s = by_start[self.winter.isoformat()], by_start[self.summer.isoformat()]
        for e in (w, s):
            self.assertEqual(e["tzid"], "Europe/Paris")
            self.assertEqual(e["summary"], "Fête, bal; \\ %s" % self.t)
            self.assertEqual(e["status"], "CONFIRMED")
            self.assertEqual(e["url"], "%s/evenements/%s" % (self.srv.url, self.slug))
            self.assertEqual(e["categories"], "Festival")
            self.assertIsNotNone(e["dtstamp"])
        # The same wall-clock hour means a different UTC hour in winter and in summer.
        self.assertEqual(w["start"], "%sT21:00:00" % self.winter.isoformat())
        self.assertEqual(w["offset_minutes"], 60)
        self.assertEqual(w["start_utc"], "%sT20:00:00.000Z" % self.winter.isoformat())
        next_day = self.winter + datetime.timedelta(days=1)
        self.assertEqual(w["end_utc"], "%sT00:00:00.000Z" % next_day.isoformat())
        self.assertEqual(s["start"], "%sT10:00:00" % self.summer.isoformat())
        self.assertEqual(s["offset_minutes"], 120)
        self.assertEqual(s["start_utc"], "%sT08:00:00.000Z" % self.summer.isoformat())
        self.assertNotEqual(w["uid"], s["uid"])
        self.assertIn("Deux dates.\nUne en hiver.", w["description"])
        return w, s

    def check_text_rules(self, raw):
        """RFC 5545: CRLF line ends, lines of at most 75 octets, folds that do not cut a character."""
        self.assertTrue(raw.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        self.assertTrue(raw.endswith(b"END:VCALENDAR\r\n"))
        self.assertNotIn(b"\n", raw.replace(b"\r\n", b""))
        for line in raw.split(b"\r\n")[:-1]:
            self.assertLessEqual(len(line), 75, line)
            line.decode("utf-8")   # each physical line is whole characters
        for rule in (b"BEGIN:DAYLIGHT", b"BEGIN:STANDARD", b"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
                     b"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", b"TZID:Europe/Paris"):
            self.assertIn(rule, raw)

    def test_whole_agenda_feed_parses_in_ical_js_with_paris_times(self):
        r = self.srv.client().get("/agenda.ics")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "text/calendar; charset=utf-8")
        self.assertIn("max-age", r.header("Cache-Control"))
        self.check_text_rules(r.raw)
        cal = ical_js(r.raw)
        self.assertEqual(cal["timezones"], ["Europe/Paris"])
        self.assertEqual(cal["calendar"]["version"], "2.0")
        w, s = self.check_dates(cal)
        # UIDs are stable from one fetch to the next.
        again = ical_js(self.srv.client().get("/agenda.ics").raw)
        self.assertEqual({e["uid"] for e in again["events"]}, {e["uid"] for e in cal["events"]})

    def test_feeds_per_category_organisation_and_event(self):
        cal = ical_js(self.srv.client().get("/agenda.ics?category=festival").raw)
        self.check_dates(cal)
        cal = ical_js(self.srv.client().get("/agenda.ics?category=market&q=" + self.t).raw)
        self.assertEqual(cal["events"], [])
        r = self.srv.client().get("/organisations/%s/agenda.ics" % ORG)
        self.assertEqual(r.status, 200)
        self.check_text_rules(r.raw)
        self.check_dates(ical_js(r.raw))
        cal = ical_js(self.srv.client().get("/organisations/chorale-voix-de-la-vesque/agenda.ics").raw)
        self.assertFalse([e for e in cal["events"] if self.t in e["summary"]])
        # "Add to my calendar" on the event: a file to download.
        r = self.srv.client().get("/evenements/%s/calendrier.ics" % self.slug)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Disposition"), 'attachment; filename="%s.ics"' % self.slug)
        self.check_text_rules(r.raw)
        self.check_dates(ical_js(r.raw))
        page = self.srv.client().get("/evenements/%s" % self.slug).body
        self.assertIn('href="/evenements/%s/calendrier.ics"' % self.slug, page)

    def test_a_change_raises_the_sequence_and_a_cancelled_date_says_so(self):
        slug = self.publish(self.owner, title="Séquence %s" % tag(), start_date_0=self.winter.isoformat(),
                            start_time_0="18:00", end_time_0="19:00")
        r = self.owner.get("/evenements/%s/modifier" % slug)
        date_id = re.search(r'name="date_id_0" value="(\d+)"', r.body).group(1)
        r = self.owner.post_form("/evenements/%s/modifier" % slug, {
            "_csrf": csrf(r.body), "title": "Séquence annulée", "category": "concert", "status": "published",
            "ticketing": "free", "rows": "1", "date_id_0": date_id, "start_date_0": self.winter.isoformat(),
            "start_time_0": "18:00", "end_time_0": "19:00", "cancel_0": "1"})
        self.assertEqual(r.status, 303, r.body[:3000])
        e = ical_js(self.srv.client().get("/evenements/%s/calendrier.ics" % slug).raw)["events"][0]
        self.assertEqual(e["sequence"], 1)
        self.assertEqual(e["status"], "CANCELLED")
        self.assertTrue(e["summary"].startswith("[Annulé]"), e["summary"])

    def test_atom_feed_parses_as_rfc_4287(self):
        r = self.srv.client().get("/agenda.atom")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "application/atom+xml; charset=utf-8")
        root = ET.fromstring(r.raw)
        self.assertEqual(root.tag, ATOM + "feed")
        for name in ("id", "title", "updated"):
            self.assertTrue(root.find(ATOM + name).text, name)
        self.assertTrue(root.find(ATOM + "author/" + ATOM + "name").text)
        links = {l.get("rel"): l.get("href") for l in root.findall(ATOM + "link")}
        self.assertEqual(links["self"], self.srv.url + "/agenda.atom")
        self.assertEqual(links["alternate"], self.srv.url + "/evenements")
        datetime.datetime.fromisoformat(root.find(ATOM + "updated").text.replace("Z", "+00:00"))
        entries = root.findall(ATOM + "entry")
        mine = [e for e in entries if self.t in e.find(ATOM + "title").text]
        self.assertEqual(len(mine), 1)   # one entry per event, whatever its number of dates
        e = mine[0]
        self.assertEqual(e.find(ATOM + "id").text, "%s/evenements/%s" % (self.srv.url, self.slug))
        self.assertEqual(e.find(ATOM + "link").get("href"), e.find(ATOM + "id").text)
        self.assertEqual(e.find(ATOM + "category").get("term"), "festival")
        self.assertEqual(e.find(ATOM + "content").get("type"), "html")
        self.assertIn("<p>", e.find(ATOM + "content").text)
        self.assertIn("21 h", e.find(ATOM + "summary").text)
        ids = [x.find(ATOM + "id").text for x in entries]
        self.assertEqual(len(ids), len(set(ids)))
        for x in entries:
            for name in ("id", "title", "updated"):
                self.assertIsNotNone(x.find(ATOM + name), name)
        # The agenda page points feed readers and calendar apps to them.
        page = self.srv.client().get("/evenements").body
        self.assertIn('<link rel="alternate" type="application/atom+xml"', page)
        self.assertIn('<link rel="alternate" type="text/calendar"', page)

    def test_private_my_tickets_feed_is_shown_once_replaced_and_revoked(self):
        c = self.login("lucie.fabre@example.org")
        r = c.get("/agenda/mes-billets")
        self.assertEqual(r.status, 200)
        self.assertEqual(len(re.findall(r"<h1[ >]", r.body)), 1)
        self.assertIn("pas encore d&#39;adresse", r.body)
        self.assertEqual(r.header("Cache-Control"), "private, no-store")
        self.assertEqual(self.srv.client().get("/agenda/mes-billets").status, 303)   # log in first
        r = c.post_form("/agenda/mes-billets", {"_csrf": csrf(r.body)})
        self.assertEqual(r.status, 200)
        url = re.search(r'value="(%s/agenda/mes-billets/[0-9a-f]{64}\.ics)"' % re.escape(self.srv.url), r.body).group(1)
        path = url[len(self.srv.url):]
        r = self.srv.client().get(path)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Cache-Control"), "private, no-store")
        self.assertEqual(r.header("X-Robots-Tag"), "noindex")
        self.check_text_rules(r.raw)
        cal = ical_js(r.raw)
        self.assertEqual(cal["events"], [])          # no tickets yet (ticketing fills it)
        self.assertEqual(cal["calendar"]["name"], "Mes billets")
        # The page no longer shows the address, only that there is one.
        r = c.get("/agenda/mes-billets")
        self.assertNotIn(path, r.body)
        self.assertIn("a été créée le", r.body)
        # A new address replaces the old one.
        r = c.post_form("/agenda/mes-billets", {"_csrf": csrf(r.body)})
        new_path = re.search(r'value="%s(/agenda/mes-billets/[0-9a-f]{64}\.ics)"' % re.escape(self.srv.url), r.body).group(1)
        self.assertNotEqual(new_path, path)
        self.assertEqual(self.srv.client().get(path).status, 404)
        self.assertEqual(self.srv.client().get(new_path).status, 200)
        r = c.post_form("/agenda/mes-billets/supprimer", {"_csrf": csrf(r.body)})
        self.assertEqual(r.status, 303)
        self.assertIn("supprimée", c.follow(r).body)
        self.assertEqual(self.srv.client().get(new_path).status, 404)


if __name__ == "__main__":
    unittest.main()
