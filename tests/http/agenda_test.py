# agenda_test.py: helpers shared by the agenda's HTTP tests (t04xx): demo log-in, publishing through the form, dates in Paris.
import datetime
import html as htmllib
import re
import secrets
from zoneinfo import ZoneInfo

from kiosque_test import csrf

ENV = {"KIOSQUE_FAST_HASH": "1", "KIOSQUE_MAP_TILES": "https://tiles.example.org/{z}/{x}/{y}.png"}
PARIS = ZoneInfo("Europe/Paris")
DEMO_PW = "kiosque-demo"
ORG = "comite-des-fetes-vesqueval"          # owner pierre.vignal, editor camille.arnaud
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


def tag():
    return secrets.token_hex(3)


def today():
    return datetime.datetime.now(PARIS).date()


def next_weekday(d, weekday, min_days=1):
    """The first date >= d + min_days falling on weekday (0 Monday)."""
    d = d + datetime.timedelta(days=min_days)
    return d + datetime.timedelta(days=(weekday - d.weekday()) % 7)


def future(month, day):
    """month/day in the next year that is at least 20 days away."""
    y = today().year
    d = datetime.date(y, month, day)
    while d < today() + datetime.timedelta(days=20):
        y += 1
        d = datetime.date(y, month, day)
    return d


def text_of(fragment):
    return htmllib.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


class Agenda:
    """Log-in with the demo accounts and publishing through the form; self.srv is the Server."""

    def login(self, email):
        """A client logged in as a demo account (usable from setUpClass: plain assert)."""
        c = self.srv.client()
        r = c.get("/connexion")
        r = c.post_form("/connexion", {"_csrf": csrf(r.body), "email": email, "password": DEMO_PW})
        assert r.status == 303, r.body[:2000]
        return c

    def event_form(self, c, org=ORG, **fields):
        """Posts the new-event form of org with sensible values overridden by fields; returns the response."""
        r = c.get("/organisations/%s/evenements/nouveau" % org)
        self.assertEqual(r.status, 200, r.body[:2000])
        day = next_weekday(today(), 5, 3).isoformat()
        data = {"_csrf": csrf(r.body, "/organisations/%s/evenements" % org), "title": "Concert %s" % tag(),
                "summary": "Un concert au village.", "description": "Avec **la fanfare**.", "category": "concert",
                "status": "published", "rows": "3", "start_date_0": day, "start_time_0": "20:30",
                "end_date_0": "", "end_time_0": "23:00", "venue_name": "Salle des fêtes",
                "venue_address": "Place de la Mairie", "commune": "26391", "latitude": "44.4912",
                "longitude": "5.3871", "ticketing": "free", "capacity": "", "access_notes": ""}
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        return c.post_form("/organisations/%s/evenements" % org, data)

    def publish(self, c, org=ORG, **fields):
        r = self.event_form(c, org, **fields)
        self.assertEqual(r.status, 303, r.body[:4000])
        m = re.match(r"^/evenements/([a-z0-9-]+)$", r.location)
        self.assertIsNotNone(m, r.location)
        return m.group(1)

    def titles(self, body):
        return [text_of(t) for t in re.findall(r'<li class="card event-card[^"]*"[^>]*><h[23]><a[^>]*>(.*?)</a>', body, re.S)]

    def assertOneH1(self, body):
        self.assertEqual(len(re.findall(r"<h1[ >]", body)), 1, body[:2000])
