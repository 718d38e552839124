# t0400-events.py: the agenda through the real binary: publish through the form, agenda and filters, calendar, map, event page (JSON-LD, Open Graph), refusals.
import datetime
import html as htmllib
import json
import re
import unittest
import urllib.parse

from agenda_test import ENV, ORG, PNG, Agenda, future, next_weekday, tag, today
from kiosque_test import Server, csrf, forms

class Events(unittest.TestCase, Agenda):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.owner = cls.login(cls, "pierre.vignal@example.org")

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    # -- publishing

    def test_member_publishes_through_the_form_and_the_event_is_on_the_agenda(self):
        editor = self.login("camille.arnaud@example.org")
        r = editor.get("/organisations/%s/evenements/nouveau" % ORG)
        self.assertOneH1(r.body)
        for attr in ['for="f-title"', 'for="f-start_date_0"', 'for="f-start_time_0"', 'for="f-category"',
                     'for="f-commune"', 'for="f-image"', 'for="f-access_wheelchair"', 'name="_csrf"',
                     'enctype="multipart/form-data"', 'type="date"', 'type="time"']:
            self.assertIn(attr, r.body)
        t = tag()
        day = next_weekday(today(), 3, 2)          # a Thursday
        r = self.event_form(editor, title="Bal folk %s <script>x</script>" % t, category="party",
                            start_date_0=day.isoformat(), start_time_0="21:00", end_time_0="01:00",
                            access_wheelchair="1", access_hearing_loop="1", capacity="150",
                            description="Un **bal**.\n\n<script>alert(1)</script>")
        self.assertEqual(r.status, 303, r.body[:3000])
        slug = r.location.rsplit("/", 1)[1]
        self.assertTrue(slug.startswith("bal-folk-" + t), slug)
        r = editor.follow(r)
        self.assertEqual(r.status, 200)
        self.assertIn("est enregistré", r.body)
        self.assertOneH1(r.body)
        self.assertIn("Bal folk %s &lt;script&gt;x&lt;/script&gt;" % t, r.body)
        self.assertIn("<strong>bal</strong>", r.body)
        self.assertNotIn("<script>alert", r.body)
        self.assertIn("Accessible en fauteuil roulant", r.body)
        self.assertIn("Boucle magnétique", r.body)
        # 21 h to 1 h ends the next day.
        self.assertIn("de 21 h à 1 h", r.body)
        # The editor may change it: the page offers it.
        self.assertIn("/evenements/%s/modifier" % slug, r.body)

        anon = self.srv.client()
        r = anon.get("/evenements?q=" + t)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn('aria-current="page"', r.body)
        self.assertEqual(len(self.titles(r.body)), 1)
        self.assertIn("Bal folk %s <script>x</script>" % t, self.titles(r.body)[0])
        self.assertNotIn("/modifier", r.body)
        # On its organisation's list of events, and in the organisation's feed.
        r = anon.get("/organisations/%s/evenements" % ORG)
        self.assertEqual(r.status, 200)
        self.assertIn(slug, r.body)
        # Visitors see no "publish" button.
        self.assertNotIn("/evenements/nouveau", r.body)
        r = anon.get("/evenements/%s" % slug)
        self.assertEqual(r.status, 200)
        self.assertNotIn("/modifier", r.body)

    def test_form_errors_are_said_next_to_their_field_and_values_kept(self):
        # 2:30 on the last Sunday of March does not exist in Paris.
        y = today().year + 1
        last_sunday = max(d for d in (datetime.date(y, 3, k) for k in range(25, 32)) if d.weekday() == 6)
        r = self.event_form(self.owner, title="", summary="Reste là", start_date_0=last_sunday.isoformat(),
                            start_time_0="02:30", end_time_0="04:00", latitude="95", category="rave")
        self.assertEqual(r.status, 422, r.body[:2000])
        self.assertOneH1(r.body)
        self.assertIn('role="alert"', r.body)
        for field in ("title", "start_time_0", "latitude", "category"):
            self.assertIn('id="e-%s"' % field, r.body)
            self.assertRegex(r.body, r'id="f-%s"[^>]*aria-invalid="true"' % field)
            self.assertIn('href="#f-%s"' % field, r.body)
        gap = re.search(r'id="e-start_time_0">(.*?)</p>', r.body).group(1)
        self.assertIn("n&#39;existe pas", gap)
        self.assertIn('value="Reste là"', r.body)
        self.assertIn('value="%s"' % last_sunday.isoformat(), r.body)
        # Nothing was written.
        r = self.srv.client().get("/evenements?q=Reste")
        self.assertEqual(self.titles(r.body), [])

    def test_only_owners_editors_and_admins_publish_and_edit(self):
        slug = self.publish(self.owner, title="Réservé %s" % tag())
        anon = self.srv.client()
        r = anon.get("/organisations/%s/evenements/nouveau" % ORG)
        self.assertEqual(r.status, 303)
        self.assertTrue(r.location.startswith("/connexion?suite="))
        r = anon.get("/evenements/%s/modifier" % slug)
        self.assertEqual(r.status, 303)
        # A member with another role, and someone from elsewhere.
        for email in ("hugo.mercier@example.org", "lucie.fabre@example.org"):
            c = self.login(email)
            r = c.get("/organisations/%s/evenements/nouveau" % ORG)
            self.assertEqual(r.status, 403, email)
            if email.startswith("hugo"):   # box office of the tourist office: sells tickets, does not publish
                self.assertEqual(c.get("/organisations/office-de-tourisme-val-de-vesque/evenements/nouveau").status, 403)
            r = c.post_form("/organisations/%s/evenements" % ORG, {"_csrf": csrf(c.get("/").body),
                                                                   "title": "Intrus", "rows": "1"})
            self.assertEqual(r.status, 403, email)
            r = c.get("/evenements/%s/modifier" % slug)
            self.assertEqual(r.status, 403)
            r = c.post_form("/evenements/%s/modifier" % slug, {"_csrf": csrf(c.get("/").body), "title": "Volé"})
            self.assertEqual(r.status, 403)
        # The platform admin may.
        admin = self.login("admin@example.org")
        r = admin.get("/evenements/%s/modifier" % slug)
        self.assertEqual(r.status, 200)
        self.assertIn('value="Réservé', r.body)
        # A form posted without its token is refused.
        r = self.owner.post_form("/organisations/%s/evenements" % ORG, {"title": "Sans jeton", "rows": "1"})
        self.assertEqual(r.status, 403)

    def test_edit_cancels_a_date_and_a_cancelled_event_stays_visible_marked(self):
        t = tag()
        first = next_weekday(today(), 4, 2)
        slug = self.publish(self.owner, title="Théâtre %s" % t, category="theatre",
                            start_date_0=first.isoformat(), start_time_0="20:30", end_time_0="22:30",
                            repeat="weekly", repeat_until=(first + datetime.timedelta(days=14)).isoformat())
        r = self.owner.get("/evenements/%s/modifier" % slug)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        form = [f for a, f in forms(r.body) if a.get("action") == "/evenements/%s/modifier" % slug][0]
        # forms() reads every input, checked or not: leave the checkboxes out, then tick what is meant.
        form = {k: v for k, v in form.items() if not re.match(r"^(cancel|remove|access)_", k) and k != "remove_image"}
        self.assertEqual(form["rows"], "6")                # three dates and three empty rows
        data = dict(form)
        data["cancel_1"] = "1"
        data["title"] = "Théâtre %s (nouvelle distribution)" % t
        data["category"] = "theatre"
        data["status"] = "published"
        data["ticketing"] = "free"
        data["commune"] = "26391"
        r = self.owner.post_form("/evenements/%s/modifier" % slug, data)
        self.assertEqual(r.status, 303, r.body[:3000])
        r = self.owner.follow(r)
        self.assertIn("nouvelle distribution", r.body)
        self.assertEqual(r.body.count("Date annulée"), 1)
        # The agenda lists the three dates, one marked cancelled.
        anon = self.srv.client()
        r = anon.get("/evenements?q=" + t)
        self.assertEqual(len(self.titles(r.body)), 3)
        self.assertEqual(r.body.count("badge-cancelled"), 1)
        # The whole event cancelled: still listed, marked.
        data = dict(form)
        data.update(status="cancelled", category="theatre", ticketing="free", commune="26391")
        r = self.owner.post_form("/evenements/%s/modifier" % slug, data)
        self.assertEqual(r.status, 303, r.body[:3000])
        r = anon.get("/evenements/%s" % slug)
        self.assertEqual(r.status, 200)
        self.assertIn("Cet événement est annulé", r.body)
        self.assertIn("EventCancelled", r.body)
        r = anon.get("/evenements?q=" + t)
        self.assertEqual(len(self.titles(r.body)), 3)
        self.assertEqual(r.body.count("badge-cancelled"), 3)

    def test_drafts_are_hidden_from_visitors_and_the_agenda(self):
        t = tag()
        slug = self.publish(self.owner, title="Brouillon %s" % t, status="draft")
        r = self.owner.get("/evenements/%s" % slug)
        self.assertEqual(r.status, 200)
        self.assertIn("Brouillon : seuls les membres", r.body)
        self.assertIn('name="robots" content="noindex"', r.body)
        for c in (self.srv.client(), self.login("lucie.fabre@example.org")):
            self.assertEqual(c.get("/evenements/%s" % slug).status, 404)
            self.assertEqual(c.get("/evenements/%s/calendrier.ics" % slug).status, 404)
            self.assertNotIn(slug, c.get("/organisations/%s/evenements" % ORG).body)
        self.assertEqual(self.titles(self.owner.get("/evenements?q=" + t).body), [])
        self.assertNotIn(t, self.srv.client().get("/agenda.ics").body)
        # Its members see it on the organisation's list, marked.
        r = self.owner.get("/organisations/%s/evenements" % ORG)
        self.assertIn(slug, r.body)
        self.assertIn("badge-draft", r.body)

    def test_image_is_served_with_its_sniffed_type(self):
        r = self.owner.get("/organisations/%s/evenements/nouveau" % ORG)
        day = next_weekday(today(), 6, 2).isoformat()
        data = {"_csrf": csrf(r.body), "title": "Affiche %s" % tag(), "category": "exhibition",
                "status": "published", "rows": "1", "start_date_0": day, "start_time_0": "10:00",
                "ticketing": "free"}
        r = self.owner.post_form("/organisations/%s/evenements" % ORG, data,
                                 files={"image": ("affiche.gif", PNG, "image/gif")})
        self.assertEqual(r.status, 303, r.body[:3000])
        slug = r.location.rsplit("/", 1)[1]
        page = self.srv.client().get(r.location).body
        img = re.search(r'<img class="event-image" src="([^"]+)"', page).group(1)
        r = self.srv.client().get(htmllib.unescape(img))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "image/png")
        self.assertEqual(r.raw, PNG)
        self.assertIn("immutable", r.header("Cache-Control"))
        # og:image is absolute.
        og = re.search(r'<meta property="og:image" content="([^"]+)"', page).group(1)
        self.assertTrue(og.startswith(self.srv.url + "/evenements/%s/image?v=" % slug), og)
        # A file that is not an image is refused next to the field.
        data["_csrf"] = csrf(self.owner.get("/").body)
        r = self.owner.post_form("/organisations/%s/evenements" % ORG, data,
                                 files={"image": ("x.png", b"not an image", "image/png")})
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-image"', r.body)

    # -- the agenda's views and filters

    def test_filters_category_commune_free_dates_weekend_and_text(self):
        t = tag()
        sat = next_weekday(today(), 5, 1)          # from Monday to Friday: the coming weekend
        mon = sat + datetime.timedelta(days=2)
        far = sat + datetime.timedelta(days=30)
        self.publish(self.owner, title="Marché %s" % t, category="market", commune="26392",
                     start_date_0=sat.isoformat(), start_time_0="08:00", end_time_0="12:00")
        self.publish(self.owner, title="Payant %s" % t, category="concert", ticketing="ticketed", capacity="80",
                     start_date_0=mon.isoformat(), start_time_0="20:00", end_time_0="22:00")
        self.publish(self.owner, title="Lointain %s" % t, category="concert",
                     start_date_0=far.isoformat(), start_time_0="20:00", end_time_0="22:00")
        anon = self.srv.client()

        def titles(query):
            r = anon.get("/evenements?" + urllib.parse.urlencode(dict(query, q=t)))
            self.assertEqual(r.status, 200, query)
            return sorted(x.split(" ")[0] for x in self.titles(r.body))

        self.assertEqual(titles({}), ["Lointain", "Marché", "Payant"])
        self.assertEqual(titles({"category": "market"}), ["Marché"])
        self.assertEqual(titles({"commune": "26392"}), ["Marché"])
        self.assertEqual(titles({"free": "1"}), ["Lointain", "Marché"])
        self.assertEqual(titles({"tickets": "1"}), ["Payant"])
        if today().weekday() <= 4:
            self.assertEqual(titles({"when": "weekend"}), ["Marché"])
        self.assertEqual(titles({"from": mon.isoformat(), "to": mon.isoformat()}), ["Payant"])
        self.assertEqual(titles({"from": sat.isoformat(), "to": (far - datetime.timedelta(days=1)).isoformat()}),
                         ["Marché", "Payant"])
        self.assertEqual(titles({"category": "inconnue"}), ["Lointain", "Marché", "Payant"])   # ignored
        # A wrong date is said next to its field; the agenda still lists what is upcoming.
        r = anon.get("/evenements?from=31/02/2027&q=" + t)
        self.assertEqual(r.status, 200)
        self.assertIn('id="e-from"', r.body)
        self.assertEqual(len(self.titles(r.body)), 3)
        # The filters are a GET form with labels; the values come back.
        r = anon.get("/evenements?category=market&free=1&q=" + t)
        self.assertIn('method="get"', r.body)
        self.assertIn('role="search"', r.body)
        self.assertRegex(r.body, r'<option value="market" selected>')
        self.assertRegex(r.body, r'id="f-free" name="free" checked')
        # The calendar and map tabs keep the filters.
        self.assertIn('href="/evenements/calendrier?q=%s&amp;category=market&amp;free=1"' % t, r.body)

    def test_month_calendar_lists_the_days_events_and_moves_between_months(self):
        t = tag()
        d = future(3, 14)
        slug = self.publish(self.owner, title="Printemps %s" % t, start_date_0=d.isoformat(), start_time_0="15:00",
                            end_time_0="17:00")
        anon = self.srv.client()
        r = anon.get("/evenements/calendrier?month=%04d-%02d" % (d.year, d.month))
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn("<caption>mars %d</caption>" % d.year, r.body)
        self.assertEqual(len(re.findall(r'<th scope="col">', r.body)), 7)
        cell = re.search(r'<td[^>]*><span class="day-number">14</span>(.*?)</td>', r.body, re.S).group(1)
        self.assertIn("/evenements/%s" % slug, cell)
        self.assertIn("15 h Printemps", cell)
        self.assertIn('href="/evenements/calendrier?month=%04d-04"' % d.year, r.body)
        self.assertIn('href="/evenements/calendrier?month=%04d-02"' % d.year, r.body)
        # Filters apply to the calendar too.
        r = anon.get("/evenements/calendrier?month=%04d-03&category=market" % d.year)
        self.assertNotIn(slug, r.body)
        # A malformed month shows the current one.
        r = anon.get("/evenements/calendrier?month=2026-13")
        self.assertEqual(r.status, 200)
        self.assertIn('aria-current="date"', r.body)

    def test_map_page_is_a_list_with_the_map_on_top(self):
        t = tag()
        slug = self.publish(self.owner, title="Carte %s" % t)
        r = self.srv.client().get("/evenements/carte?q=" + t)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn('id="agenda-map"', r.body)
        self.assertRegex(r.body, r'id="agenda-map"[^>]* hidden')
        self.assertIn('data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"', r.body)
        self.assertIn('data-lat="44491200" data-lon="5387100"', r.body)
        self.assertIn("/evenements/%s" % slug, r.body)
        for src in re.findall(r'<script src="([^"]+)"', r.body) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', r.body):
            self.assertEqual(self.srv.client().get(htmllib.unescape(src)).status, 200, src)
        self.assertIn("/static/vendor/leaflet/leaflet.js", r.body)
        # Without a tile server the page is the list alone.
        srv = Server(["--demo"], env=dict(ENV, KIOSQUE_MAP_TILES="none"))
        try:
            r = srv.client().get("/evenements/carte")
            self.assertEqual(r.status, 200)
            self.assertNotIn('id="agenda-map"', r.body)
            self.assertNotIn("leaflet.js", r.body)
        finally:
            srv.stop()

    def test_past_events_stay_reachable(self):
        r = self.srv.client().get("/evenements/passes")
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn("Événements passés", r.body)
        self.assertIn('href="/evenements"', r.body)

    # -- the event page for search engines and social networks

    def test_event_page_has_json_ld_with_offers_and_open_graph(self):
        t = tag()
        d = future(1, 14)
        slug = self.publish(self.owner, title="Loto %s" % t, summary="Quines et cartons pleins.",
                            category="party", start_date_0=d.isoformat(), start_time_0="14:00", end_time_0="18:00",
                            ticketing="ticketed", capacity="200")
        r = self.srv.client().get("/evenements/%s" % slug)
        self.assertEqual(r.status, 200)
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', r.body, re.S)
        self.assertEqual(len(blocks), 1)
        ld = json.loads(blocks[0])
        ld = ld[0] if isinstance(ld, list) else ld
        self.assertEqual(ld["@context"], "https://schema.org")
        self.assertEqual(ld["@type"], "Event")
        self.assertEqual(ld["name"], "Loto %s" % t)
        self.assertEqual(ld["startDate"], "%sT14:00:00+01:00" % d.isoformat())
        self.assertEqual(ld["endDate"], "%sT18:00:00+01:00" % d.isoformat())
        self.assertEqual(ld["eventStatus"], "https://schema.org/EventScheduled")
        self.assertEqual(ld["eventAttendanceMode"], "https://schema.org/OfflineEventAttendanceMode")
        self.assertEqual(ld["location"]["@type"], "Place")
        self.assertEqual(ld["location"]["name"], "Salle des fêtes")
        self.assertEqual(ld["location"]["address"]["addressLocality"], "Vesqueval")
        self.assertEqual(ld["location"]["address"]["postalCode"], "26470")
        self.assertAlmostEqual(ld["location"]["geo"]["latitude"], 44.4912)
        self.assertEqual(ld["organizer"]["name"], "Comité des fêtes de Vesqueval")
        self.assertEqual(ld["url"], self.srv.url + "/evenements/" + slug)
        self.assertFalse(ld["isAccessibleForFree"])
        offers = ld["offers"]
        self.assertEqual(offers["@type"], "Offer")
        self.assertEqual(offers["availability"], "https://schema.org/InStock")
        self.assertEqual(offers["url"], ld["url"])
        self.assertEqual(offers["inventoryLevel"]["value"], 200)   # the capacity, until ticketing says more
        # Open Graph and friends, in the head.
        head = r.body.split("</head>", 1)[0]
        og = dict(re.findall(r'<meta property="(og:[a-z:_]+)" content="([^"]*)"', head))
        self.assertEqual(og["og:title"], "Loto %s" % t)
        self.assertEqual(og["og:url"], self.srv.url + "/evenements/" + slug)
        self.assertEqual(og["og:type"], "website")
        self.assertEqual(og["og:locale"], "fr_FR")
        self.assertIn("Quines et cartons pleins.", htmllib.unescape(og["og:description"]))
        self.assertIn("14 h", htmllib.unescape(og["og:description"]))
        self.assertIn('<link rel="canonical" href="%s/evenements/%s">' % (self.srv.url, slug), head)
        self.assertIn('<meta name="twitter:card" content="summary">', head)
        self.assertIn('type="text/calendar"', head)
        # A summer date says +02:00; a free event offers at price 0.
        d2 = future(7, 14)
        slug2 = self.publish(self.owner, title="Été %s" % t, start_date_0=d2.isoformat(), start_time_0="21:00",
                             end_time_0="23:00")
        ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                  self.srv.client().get("/evenements/" + slug2).body, re.S).group(1))
        self.assertEqual(ld["startDate"], "%sT21:00:00+02:00" % d2.isoformat())
        self.assertEqual(ld["offers"]["price"], "0")
        self.assertEqual(ld["offers"]["priceCurrency"], "EUR")
        self.assertTrue(ld["isAccessibleForFree"])

    def test_english_pages(self):
        slug = self.publish(self.owner, title="Bilingue %s" % tag())
        c = self.srv.client()
        c.cookies["kq_lang"] = "en"
        r = c.get("/evenements/%s" % slug)
        self.assertIn('<html lang="en"', r.body)
        self.assertIn("Add to my calendar", r.body)
        r = c.get("/evenements")
        self.assertIn("This weekend", r.body)

    def test_malformed_input_gets_4xx_or_the_page_and_the_server_stays_up(self):
        c = self.srv.client()
        for path in ("/evenements?page=-4", "/evenements?page=999999999999", "/evenements?when=%00",
                     "/evenements?from=" + "9" * 300, "/evenements/calendrier?month=-1-1",
                     "/evenements/carte?commune=%27%3B--", "/evenements/passes?q=%25%25%25"):
            self.assertEqual(c.get(path).status, 200, path)
        for path in ("/evenements/INVALID_slug", "/evenements/..%2Fetc", "/evenements/nope/calendrier.ics",
                     "/evenements/nope/image", "/organisations/nope/evenements", "/organisations/nope/agenda.ics",
                     "/agenda/mes-billets/x.ics", "/agenda/mes-billets/" + "a" * 64,
                     "/agenda/mes-billets/" + "0" * 64 + ".ics"):
            self.assertEqual(c.get(path).status, 404, path)
        # Too many rows, absurd values: a form error, not a crash.
        data = {"title": "Lignes %s" % tag(), "rows": "100000", "category": "concert", "status": "published",
                "ticketing": "free"}
        for i in range(70):
            data["start_date_%d" % i] = "2030-01-%02d" % (i % 28 + 1)
            data["start_time_%d" % i] = "10:00"
        r = self.event_form(self.owner, **data)
        self.assertEqual(r.status, 422)
        self.assertEqual(c.get("/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()
