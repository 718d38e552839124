# t0850-directory.py: the directory through the real binary: filters (kind, commune, label), "near me", the map page
# and its list, hidden organisations, opening hours and position editing, contact forms by mail, honeypot, rate limits, API.
import datetime
import html as htmllib
import http.client
import re
import secrets
import time
import unittest
from zoneinfo import ZoneInfo

from kiosque_test import Client, Response, Server, csrf, mail_text
from sql_fixtures import run_sql

ENV = {"KIOSQUE_FAST_HASH": "1", "KIOSQUE_MAP_TILES": "https://tiles.example.org/{z}/{x}/{y}.png"}
PARIS = ZoneInfo("Europe/Paris")
DEMO_PW = "kiosque-demo"


class FromClient(Client):
    """A client whose connections come from another loopback address (127.0.0.N): each test its own 'IP'."""

    def __init__(self, base_url, source):
        super().__init__(base_url)
        self.source = source

    def request(self, method, path, body=None, headers=None, token=None):
        h = {}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        h.update(headers or {})
        if isinstance(body, str):
            body = body.encode("utf-8")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout,
                                          source_address=(self.source, 0))
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        self._store_cookies(resp.headers.get_all("Set-Cookie") or [])
        return Response(method, path, resp, raw, body, {})


def text_of(fragment):
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment))


def slugs_of(body):
    """Organisation slugs linked from the result cards or the map list, in page order."""
    return re.findall(r'<h2><a href="/organisations/([a-z0-9-]+)"', body) or \
        re.findall(r'<li data-lat="-?\d+" data-lon="-?\d+"[^>]*><a href="/organisations/([a-z0-9-]+)"', body)


def field_block(body, name):
    """The <div class="field..."> holding the control with id f-<name>."""
    m = re.search(r'<div class="field[^"]*">(?:(?!<div class="field).)*?id="f-%s"(?:(?!<div class="field).)*</div>'
                  % re.escape(name), body, re.S)
    return m.group(0) if m else ""


class Directory(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.srv.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    def login(self, email, source="127.0.0.1"):
        c = FromClient(self.srv.url, source)
        r = c.get("/connexion")
        r = c.post_form("/connexion", {"_csrf": csrf(r.body), "email": email, "password": DEMO_PW})
        self.assertEqual(r.status, 303, r.body[:2000])
        return c

    def sql(self, q):
        return run_sql(self.srv, q)

    # ---- filters and orders

    def test_filter_by_kind_and_commune(self):
        c = self.srv.client()
        r = c.get("/annuaire?kind=producer&commune=26393")
        self.assertEqual(r.status, 200)
        self.assertEqual(set(slugs_of(r.body)), {"chevrerie-des-granges", "vergers-de-montgenet"})
        r = c.get("/annuaire?kind=business")
        got = slugs_of(r.body)
        self.assertIn("boulangerie-chabert", got)
        self.assertNotIn("chevrerie-des-granges", got)
        names = [htmllib.unescape(n) for n in re.findall(r'<h2><a href="/organisations/[a-z0-9-]+">([^<]+)</a>', r.body)]
        self.assertEqual(names, sorted(names, key=str.lower))

    def test_label_filter(self):
        now = int(time.time())
        s = secrets.token_hex(3)
        self.sql("INSERT INTO products (org_id, slug, name, created_at, updated_at)"
                 " SELECT id, 'tomme-%s', 'Tomme', %d, %d FROM organisations WHERE slug = 'ferme-du-serre';"
                 "INSERT INTO products (org_id, slug, name, created_at, updated_at, hidden_at)"
                 " SELECT id, 'miel-%s', 'Miel', %d, %d, %d FROM organisations WHERE slug = 'rucher-de-la-roche';"
                 "INSERT INTO product_labels (product_id, label_id) SELECT p.id, l.id FROM products p, labels l"
                 " WHERE p.slug IN ('tomme-%s', 'miel-%s') AND l.slug = 'label-rouge';"
                 % (s, now, now, s, now, now, now, s, s))
        c = self.srv.client()
        r = c.get("/annuaire?label=label-rouge")
        self.assertEqual(r.status, 200)
        # The honey is hidden by a moderator: its producer does not carry the label in the directory.
        expected = self.sql("SELECT DISTINCT o.slug FROM organisations o JOIN products p ON p.org_id = o.id"
                            " JOIN product_labels pl ON pl.product_id = p.id JOIN labels l ON l.id = pl.label_id"
                            " WHERE l.slug = 'label-rouge' AND p.hidden_at IS NULL AND o.hidden_at IS NULL"
                            " ORDER BY o.slug").split()
        self.assertIn("ferme-du-serre", expected)
        self.assertEqual(sorted(slugs_of(r.body)), expected)
        self.assertNotIn("rucher-de-la-roche", slugs_of(r.body))
        self.assertIn('<option value="label-rouge" selected>', r.body)
        self.assertEqual(slugs_of(c.get("/annuaire?label=no-such-label").body), [])
        j = c.get_json("/api/v1/orgs?label=label-rouge").json()
        self.assertEqual(sorted(o["slug"] for o in j["items"]), expected)
        self.assertEqual(j["total"], len(expected))

    def test_near_me_order(self):
        c = self.srv.client()
        coustelle = {"comptoir-de-coustelle", "ferme-du-serre", "repare-et-partage"}
        r = c.get("/annuaire?order=near&near=26398&kind=")
        self.assertEqual(r.status, 200)
        got = slugs_of(r.body)
        self.assertEqual(set(got[:3]), coustelle, got)
        self.assertIn('<option value="near" selected>', r.body)
        # Alphabetical by default, and without a commune to measure from (it says so).
        alpha = slugs_of(c.get("/annuaire").body)
        self.assertNotEqual(alpha[:3], got[:3])
        r = c.get("/annuaire?order=near")
        self.assertIn("choisissez votre commune", r.body)
        self.assertEqual(slugs_of(r.body), alpha)
        # The commune filter is the origin when no other is chosen.
        self.assertEqual(set(slugs_of(c.get("/annuaire?order=near&commune=26398").body)), coustelle)
        # The API says the same; without a commune to measure from, it is a 400.
        j = c.get_json("/api/v1/orgs?order=near&near=26398&limit=3").json()
        self.assertEqual({o["slug"] for o in j["items"]}, coustelle)
        r = c.get_json("/api/v1/orgs?order=near")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["code"], "bad_request")
        self.assertEqual(c.get_json("/api/v1/orgs?order=sideways").status, 400)

    def test_hidden_organisation_vanishes(self):
        slug = "garage-brunel"
        self.sql("UPDATE organisations SET hidden_at = %d WHERE slug = '%s'" % (int(time.time()), slug))
        try:
            c = self.srv.client()
            self.assertNotIn(slug, slugs_of(c.get("/annuaire?kind=business").body))
            self.assertNotIn(slug, c.get("/annuaire/carte").body)
            self.assertNotIn(slug, [o["slug"] for o in c.get_json("/api/v1/orgs?kind=business").json()["items"]])
            self.assertNotIn(slug, [o["slug"] for o in c.get_json("/api/v1/directory/map").json()["items"]])
            self.assertEqual(c.get("/organisations/%s" % slug).status, 404)
            self.assertEqual(c.get_json("/api/v1/orgs/%s" % slug).status, 404)
            mod = self.login("julien.roux@example.org")
            self.assertEqual(mod.get("/organisations/%s" % slug).status, 200)
        finally:
            self.sql("UPDATE organisations SET hidden_at = NULL WHERE slug = '%s'" % slug)
        self.assertEqual(self.srv.client().get("/organisations/%s" % slug).status, 200)

    # ---- the map

    def test_map_page_markers_and_list(self):
        c = self.srv.client()
        r = c.get("/annuaire/carte?kind=producer")
        self.assertEqual(r.status, 200)
        self.assertIn('id="directory-map"', r.body)
        self.assertIn('data-list="directory-map-list"', r.body)
        self.assertIn("/static/", r.body)
        self.assertRegex(r.body, r'<script src="/static/[^"]*js/directory-map\.js[^"]*"></script>')
        self.assertNotRegex(r.body, r"<script>(?!</script>)")  # no inline script: CSP
        items = re.findall(r'<li data-lat="(-?\d+)" data-lon="(-?\d+)" data-title="([^"]*)" data-url="([^"]*)"',
                           r.body)
        self.assertEqual(len(items), 6, r.body[:3000])  # the six demo producers, all placed
        for lat, lon, title, url in items:
            self.assertTrue(44_000_000 < int(lat) < 45_000_000 and 5_000_000 < int(lon) < 6_000_000)
            self.assertTrue(url.startswith("/organisations/"))
        # Chevrerie has its own position; the vineyard's neighbour, Vergers de Montgenêt, sits at its commune's centre.
        self.assertIn(("44479000", "5406000", "Chèvrerie des Granges", "/organisations/chevrerie-des-granges"), items)
        by_url = {u: (la, lo) for la, lo, t, u in items}
        self.assertEqual(by_url["/organisations/vergers-de-montgenet"], ("44476100", "5401900"))
        # The list links to the pages without JavaScript; the API gives the same markers.
        self.assertIn('<a href="/organisations/chevrerie-des-granges">', r.body)
        j = c.get_json("/api/v1/directory/map?kind=producer").json()
        self.assertEqual(j["total"], 6)
        chev = [m for m in j["items"] if m["slug"] == "chevrerie-des-granges"][0]
        self.assertAlmostEqual(chev["lat"], 44.479, places=6)
        self.assertFalse(chev["approximate"])
        self.assertTrue([m for m in j["items"] if m["slug"] == "vergers-de-montgenet"][0]["approximate"])
        # The directory links to the map with its filters.
        self.assertIn('href="/annuaire/carte?kind=producer&amp;', c.get("/annuaire?kind=producer").body)

    # ---- an organisation's page

    def expected_open(self, now):
        """Boulangerie Chabert (demo): closed Monday; Tue-Sat 6:30-13:00, 16:00-19:00; Sunday 6:30-12:30."""
        m = now.hour * 60 + now.minute
        wd = now.isoweekday()
        ranges = [] if wd == 1 else [(390, 750)] if wd == 7 else [(390, 780), (960, 1140)]
        return any(o <= m < c for o, c in ranges)

    def test_org_page_hours_open_state_map_links(self):
        c = self.srv.client()
        before = datetime.datetime.now(PARIS)
        r = c.get("/organisations/boulangerie-chabert")
        after = datetime.datetime.now(PARIS)
        self.assertEqual(r.status, 200)
        self.assertIn("Horaires d&#39;ouverture", r.body)
        self.assertIn("Fermé le lundi, et deux semaines en février.", r.body)
        self.assertRegex(text_of(r.body), r"Mardi\s+6 h 30 – 13 h, 16 h – 19 h")
        if self.expected_open(before) == self.expected_open(after):
            self.assertIn("Ouvert maintenant" if self.expected_open(before) else "Fermé en ce moment", r.body)
        self.assertIn('data-lat="44490800"', r.body)
        self.assertIn("openstreetmap.org/?mlat=44.490800&amp;mlon=5.387400", r.body)
        # Links and the position at the commune's centre when there is none.
        r = c.get("/organisations/compagnie-du-grenier")
        self.assertIn('href="https://instagram.example.org/compagniedugrenier"', r.body)
        r = c.get("/organisations/sentiers-de-la-vesque")
        self.assertIn("centre de la commune", r.body)
        self.assertIn('data-lat="44430900"', r.body)
        # The API object carries hours, position and links.
        j = c.get_json("/api/v1/orgs/boulangerie-chabert").json()
        self.assertEqual(j["position"], {"lat": 44.4908, "lon": 5.3874})
        self.assertIn({"weekday": 2, "opens": "6:30", "closes": "13:00"}, j["hours"])
        self.assertEqual(j["hours_note"], "Fermé le lundi, et deux semaines en février.")
        self.assertIn(j["open_now"], (True, False))
        # The list's objects carry the hours too.
        items = c.get_json("/api/v1/orgs?kind=business&limit=100").json()["items"]
        bakery = [o for o in items if o["slug"] == "boulangerie-chabert"][0]
        self.assertEqual(bakery["hours"], j["hours"])
        self.assertIn(bakery["open_now"], (True, False))
        self.assertEqual([o for o in items if o["slug"] == "gite-mas-des-faysses"][0]["hours"], [])

    def test_hours_editing_errors_next_to_fields(self):
        slug = "garage-brunel"   # owner mathieu.brunel
        owner = self.login("mathieu.brunel@example.org")
        r = owner.get("/organisations/%s/horaires" % slug)
        self.assertEqual(r.status, 200)
        self.assertIn('value="8:00-12:00, 13:30-18:00"', field_block(r.body, "d1"))
        tok = csrf(r.body, "/organisations/%s/horaires" % slug)
        bad = {"_csrf": tok, "d1": "9:00-12:00, 11:00-13:00", "d2": "25h-26h", "d3": "14:00-9:00",
               "d4": "", "d5": "", "d6": "", "d7": "", "note": ""}
        r = owner.post_form("/organisations/%s/horaires" % slug, bad)
        self.assertEqual(r.status, 422)
        self.assertIn("chevauchent", field_block(r.body, "d1"))
        self.assertIn("Écrivez les plages ainsi", field_block(r.body, "d2"))
        self.assertIn("après l&#39;heure d&#39;ouverture", field_block(r.body, "d3"))
        self.assertIn('aria-invalid="true"', field_block(r.body, "d1"))
        self.assertIn('value="25h-26h"', r.body)   # what was typed stays
        # Nothing changed.
        self.assertIn('value="8:00-12:00, 13:30-18:00"', field_block(owner.get("/organisations/%s/horaires" % slug).body, "d1"))
        good = dict(bad, d1="8h-12h, 14h-18h", d2="", d3="", d6="8:00-24:00", d7="0:00-2:00",
                    note="Fermé la première semaine d'août")
        r = owner.post_form("/organisations/%s/horaires" % slug, good)
        self.assertEqual(r.status, 303, r.body[:2000])
        j = self.srv.client().get_json("/api/v1/orgs/%s" % slug).json()
        self.assertEqual(j["hours"], [{"weekday": 1, "opens": "8:00", "closes": "12:00"},
                                      {"weekday": 1, "opens": "14:00", "closes": "18:00"},
                                      {"weekday": 6, "opens": "8:00", "closes": "24:00"},
                                      {"weekday": 7, "opens": "0:00", "closes": "2:00"}])
        self.assertIn("Fermé la première semaine d&#39;août", self.srv.client().get("/organisations/%s" % slug).body)
        # Someone else: 403; a visitor: the log-in page.
        other = self.login("fatou.diallo@example.org")
        self.assertEqual(other.get("/organisations/%s/horaires" % slug).status, 403)
        r = other.post_form("/organisations/%s/horaires" % slug, dict(good, _csrf=csrf(other.get("/").body)))
        self.assertEqual(r.status, 403)
        self.assertEqual(self.srv.client().get("/organisations/%s/horaires" % slug).status, 303)

    def test_position_and_links_editing(self):
        slug = "atelier-bois-et-fil"   # owner yannick.legoff
        owner = self.login("yannick.legoff@example.org")
        r = owner.get("/organisations/%s/position" % slug)
        self.assertEqual(r.status, 200)
        r = owner.post_form("/organisations/%s/position" % slug,
                            {"_csrf": csrf(r.body, "/organisations/%s/position" % slug), "lat": "95", "lon": "5,4"})
        self.assertEqual(r.status, 422)
        self.assertIn("entre -90 et 90", field_block(r.body, "lat"))
        self.assertEqual(field_block(r.body, "lon").count("field-error"), 0)
        self.assertIsNone(self.srv.client().get_json("/api/v1/orgs/%s" % slug).json()["position"])
        r = owner.post_form("/organisations/%s/position" % slug,
                            {"_csrf": csrf(r.body), "lat": "44,4781", "lon": "5.4035"})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.srv.client().get_json("/api/v1/orgs/%s" % slug).json()["position"],
                         {"lat": 44.4781, "lon": 5.4035})
        r = owner.get("/organisations/%s/position" % slug)
        r = owner.post_form("/organisations/%s/liens" % slug,
                            {"_csrf": csrf(r.body, "/organisations/%s/liens" % slug), "link_label_1": "Boutique",
                             "link_url_1": "javascript:alert(1)", "link_label_2": "Sans adresse", "link_url_2": ""})
        self.assertEqual(r.status, 422)
        self.assertIn("https://", field_block(r.body, "link_url_1"))
        self.assertIn("effacez aussi son nom", field_block(r.body, "link_url_2"))
        r = owner.post_form("/organisations/%s/liens" % slug,
                            {"_csrf": csrf(r.body), "link_label_1": "",
                             "link_url_1": "https://boutique.bois-et-fil.example.org/catalogue"})
        self.assertEqual(r.status, 303)
        j = self.srv.client().get_json("/api/v1/orgs/%s" % slug).json()
        self.assertEqual(j["links"], [{"label": "boutique.bois-et-fil.example.org",
                                       "url": "https://boutique.bois-et-fil.example.org/catalogue"}])

    # ---- contact forms

    def contact(self, c, slug, **fields):
        page = "/organisations/%s" % slug if slug else "/nous-contacter"
        action = "/organisations/%s/contact" % slug if slug else "/nous-contacter"
        r = c.get(page)
        self.assertEqual(r.status, 200)
        data = {"_csrf": csrf(r.body, action), "name": "Louise Martin",
                "email": "louise.martin.%s@example.net" % secrets.token_hex(3),
                "subject": "Question", "message": "Bonjour, à quelle heure commence la fête ?", "url": ""}
        data.update(fields)
        return c.post_form(action, data)

    def test_contact_form_mails_owners_and_editors(self):
        c = FromClient(self.srv.url, "127.0.0.11")
        subject = "Buvette du 14 juillet %s" % secrets.token_hex(3)
        since = len(self.srv.mails())
        r = self.contact(c, "comite-des-fetes-vesqueval", subject=subject, email="louise.martin@example.net")
        self.assertEqual(r.status, 303, r.body[:2000])
        self.assertEqual(r.location, "/organisations/comite-des-fetes-vesqueval#contact")
        for to in ("pierre.vignal@example.org", "camille.arnaud@example.org"):
            m = self.srv.wait_mail(to=to, subject_contains=subject, since=since)
            self.assertEqual(m["Reply-To"], "louise.martin@example.net")
            body = mail_text(m)
            self.assertIn("à quelle heure commence la fête", body)
            self.assertIn("Louise Martin", body)
        time.sleep(0.5)
        got = [m.get("X-Rcpt-To", "") for m in self.srv.mails()[since:] if subject in str(m.get("Subject"))]
        self.assertEqual(len(got), 2, got)   # not the treasurer
        rows = self.sql("SELECT sender_email_lower, recipients FROM contact_messages WHERE subject = '%s'" % subject)
        self.assertEqual(rows, "louise.martin@example.net|2")
        # Bad input: errors next to the fields, nothing sent.
        r = self.contact(c, "comite-des-fetes-vesqueval", email="pas-une-adresse", message="court", subject="")
        self.assertEqual(r.status, 422)
        self.assertIn("nom@exemple.fr", field_block(r.body, "contact-email"))
        self.assertIn("entre 10 et 5 000", field_block(r.body, "contact-message"))
        self.assertIn("objet", field_block(r.body, "contact-subject"))
        self.assertIn('value="pas-une-adresse"', r.body)
        r = c.post_form("/organisations/no-such-org/contact", {"_csrf": csrf(c.get("/").body)})
        self.assertEqual(r.status, 404)

    def test_territory_contact_form_goes_to_admins(self):
        c = FromClient(self.srv.url, "127.0.0.15")
        subject = "Une idée pour le site %s" % secrets.token_hex(3)
        since = len(self.srv.mails())
        r = self.contact(c, None, subject=subject, email="Louise.Lambert@Example.net")
        self.assertEqual(r.status, 303, r.body[:2000])
        self.assertEqual(r.location, "/nous-contacter#contact")
        m = self.srv.wait_mail(to="admin@example.org", subject_contains=subject, since=since)
        self.assertEqual(m["Reply-To"], "louise.lambert@example.net")
        r = self.contact(c, None, message="")
        self.assertEqual(r.status, 422)
        self.assertIn("entre 10 et 5 000", field_block(r.body, "contact-message"))

    def test_honeypot_sends_nothing(self):
        c = FromClient(self.srv.url, "127.0.0.12")
        trap = "Offre exceptionnelle %s" % secrets.token_hex(3)
        real = "Vraie question %s" % secrets.token_hex(3)
        since = len(self.srv.mails())
        r = self.contact(c, "boulangerie-chabert", subject=trap, url="https://spam.example.com")
        self.assertEqual(r.status, 303)   # the robot sees a success
        r = self.contact(c, "boulangerie-chabert", subject=real)
        self.assertEqual(r.status, 303)
        self.srv.wait_mail(to="thomas.chabert@example.org", subject_contains=real, since=since)
        self.assertEqual([m for m in self.srv.mails()[since:] if trap in str(m.get("Subject"))], [])
        self.assertEqual(self.sql("SELECT COUNT(*) FROM contact_messages WHERE subject = '%s'" % trap), "0")

    def test_rate_limit_per_sender_refuses_the_fourth(self):
        c = FromClient(self.srv.url, "127.0.0.13")
        email = "presse.%s@example.net" % secrets.token_hex(3)
        since = len(self.srv.mails())
        for i in range(3):
            r = self.contact(c, "mediatheque-la-filature", email=email, subject="Demande %d" % i)
            self.assertEqual(r.status, 303, r.body[:2000])
        r = self.contact(c, "mediatheque-la-filature", email=email, subject="Demande 3")
        self.assertEqual(r.status, 429)
        self.assertIn("Réessayez dans une dizaine de minutes", r.body)
        self.assertIn('id="contact-refused"', r.body)
        self.assertIn("Demande 3", r.body)   # what was typed stays
        self.srv.wait_mail(to="chloe.rossi@example.org", subject_contains="Demande 2", since=since)
        time.sleep(0.5)
        self.assertEqual([m for m in self.srv.mails()[since:] if "Demande 3" in str(m.get("Subject"))], [])
        # The same address from elsewhere is refused too; another address from another place is not.
        r = self.contact(FromClient(self.srv.url, "127.0.0.16"), "mediatheque-la-filature", email=email)
        self.assertEqual(r.status, 429)
        r = self.contact(FromClient(self.srv.url, "127.0.0.17"), "mediatheque-la-filature")
        self.assertEqual(r.status, 303)

    def test_rate_limit_per_client_address(self):
        c = FromClient(self.srv.url, "127.0.0.14")
        for i in range(3):
            r = self.contact(c, "cc-val-de-vesque", email="habitant%d.%s@example.net" % (i, secrets.token_hex(2)))
            self.assertEqual(r.status, 303, r.body[:2000])
        r = self.contact(c, "cc-val-de-vesque", email="encore.%s@example.net" % secrets.token_hex(2))
        self.assertEqual(r.status, 429)
        ip_hashes = self.sql("SELECT DISTINCT ip_hash FROM contact_messages").split()
        self.assertTrue(all(re.fullmatch(r"[0-9a-f]{64}", h) for h in ip_hashes), ip_hashes)
        self.assertNotIn("127.0.0.14", self.sql("SELECT * FROM contact_messages"))


if __name__ == "__main__":
    unittest.main()
