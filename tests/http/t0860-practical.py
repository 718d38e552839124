# t0860-practical.py: "Infos pratiques" and the search over five kinds through the real binary: the index and pages with their dates, who may keep pages, errors next to fields, delete with confirmation, search filters and paging, suggestions as JSON, hidden content gone at once, the JSON API.
import datetime
import json
import re
import time
import unittest
import urllib.parse
from zoneinfo import ZoneInfo

from agenda_test import ENV, Agenda, tag
from kiosque_test import Server, csrf
from sql_fixtures import run_sql

FR = {"Accept-Language": "fr"}
MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre"]


def q(text, **params):
    params["q"] = text
    return "/recherche?" + urllib.parse.urlencode(params)


class Practical(unittest.TestCase, Agenda):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.pierre = cls.login(cls, "pierre.vignal@example.org")     # editor of mairie-vesqueval
        cls.camille = cls.login(cls, "camille.arnaud@example.org")   # editor of the Comité only
        cls.fatou = cls.login(cls, "fatou.diallo@example.org")       # a citizen

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def new_page(self, c, **fields):
        r = c.get("/infos-pratiques/nouvelle")
        self.assertEqual(r.status, 200, r.body[:2000])
        data = {"_csrf": csrf(r.body, "/infos-pratiques/nouvelle"), "org": "mairie-vesqueval",
                "section": "vie-pratique", "title": "Marché hebdomadaire %s" % tag(),
                "body": "Le **jeudi** matin, place de la Halle.", "position": "5"}
        data.update(fields)
        return c.post_form("/infos-pratiques/nouvelle", data)

    # ---- pages ---------------------------------------------------------------------------------

    def test_the_index_shows_sections_pages_and_dates_of_update(self):
        r = self.srv.client().get("/infos-pratiques", headers=FR)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        for section in ("Mairie et démarches", "Déchets et propreté", "Transports", "Santé", "Urgences"):
            self.assertIn(">%s</h2>" % section, r.body)
        for title in ("Horaires de la mairie de Vesqueval", "Collecte des déchets : les jours par commune",
                      "Transport scolaire", "Numéros d&#39;urgence", "Déchetterie intercommunale des Faysses"):
            self.assertIn(title, r.body)
        self.assertIn("mis à jour le", r.body)
        self.assertIn('href="/infos-pratiques/numeros-d-urgence"', r.body)
        # sections in their order: the town hall before the emergencies
        self.assertLess(r.body.index("Mairie et démarches"), r.body.index(">Urgences</h2>"))
        # a visitor gets no "new page" link; a town hall editor does
        self.assertNotIn('href="/infos-pratiques/nouvelle"', r.body)
        self.assertIn('href="/infos-pratiques/nouvelle"', self.pierre.get("/infos-pratiques").body)
        self.assertNotIn('href="/infos-pratiques/nouvelle"', self.camille.get("/infos-pratiques").body)

    def test_a_page_shows_its_body_date_and_keeper(self):
        r = self.srv.client().get("/infos-pratiques/numeros-d-urgence", headers=FR)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn("<strong>112</strong>", r.body)
        self.assertIn("<strong>114</strong>", r.body)
        self.assertIn('href="/organisations/mairie-vesqueval"', r.body)
        self.assertIn("Page tenue par", r.body)
        m = re.search(r'mis à jour le <time datetime="([^"]+)">([^<]+)</time>', r.body)
        self.assertIsNotNone(m)
        when = datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/Paris"))
        self.assertIn("%d %s %d" % (when.day, MOIS[when.month - 1], when.year), m.group(2))
        self.assertNotIn("/modifier", r.body)                       # a visitor edits nothing
        self.assertIn("/infos-pratiques/numeros-d-urgence/modifier", self.pierre.get("/infos-pratiques/numeros-d-urgence").body)
        self.assertEqual(self.srv.client().get("/infos-pratiques/pas-de-page").status, 404)
        self.assertEqual(self.srv.client().get("/infos-pratiques/%3Cscript%3E").status, 404)

    def test_a_public_body_editor_creates_edits_and_deletes_a_page(self):
        t = tag()
        r = self.new_page(self.pierre, title="Marché du jeudi %s <script>x</script>" % t,
                          body="Le **jeudi**, place de la Halle.\n\n<script>alert(1)</script>")
        self.assertEqual(r.status, 303, r.body[:3000])
        m = re.match(r"^/infos-pratiques/([a-z0-9-]+)$", r.location)
        self.assertIsNotNone(m, r.location)
        slug = m.group(1)
        r = self.pierre.follow(r)
        self.assertEqual(r.status, 200)
        self.assertIn("Page créée", r.body)
        self.assertIn("<strong>jeudi</strong>", r.body)
        self.assertNotIn("<script>alert", r.body)
        self.assertNotIn("<script>x", r.body)
        self.assertIn("&lt;script&gt;x&lt;/script&gt;", r.body)
        # found by the search at once, under its kind
        r = self.srv.client().get(q("marche jeudi " + t, type="practical"), headers=FR)
        self.assertIn('href="/infos-pratiques/%s"' % slug, r.body)
        # edit
        r = self.pierre.get("/infos-pratiques/%s/modifier" % slug)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        for attr in ('for="f-section"', 'for="f-title"', 'for="f-body"', 'for="f-position"'):
            self.assertIn(attr, r.body)
        self.assertNotIn('for="f-org"', r.body)                     # the keeper does not change
        action = "/infos-pratiques/%s/modifier" % slug
        r = self.pierre.post_form(action, {"_csrf": csrf(r.body, action), "section": "transports",
                                           "title": "Navette du marché %s" % t, "body": "Départ à 8 h.",
                                           "position": "1"})
        self.assertEqual(r.status, 303, r.body[:3000])
        r = self.pierre.follow(r)
        self.assertIn("Navette du marché", r.body)
        self.assertIn("Transports", r.body)
        r = self.srv.client().get(q("navette " + t), headers=FR)
        self.assertIn('href="/infos-pratiques/%s"' % slug, r.body)
        self.assertNotIn('href="/infos-pratiques/%s"' % slug, self.srv.client().get(q("marche jeudi " + t)).body)
        # delete: a confirmation first, then gone (page, index, search)
        r = self.pierre.get("/infos-pratiques/%s/supprimer" % slug)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertEqual(self.srv.client().get("/infos-pratiques/" + slug).status, 200)
        action = "/infos-pratiques/%s/supprimer" % slug
        r = self.pierre.post_form(action, {"_csrf": csrf(r.body, action)})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.location, "/infos-pratiques")
        self.assertIn("Page supprimée", self.pierre.follow(r).body)
        self.assertEqual(self.srv.client().get("/infos-pratiques/" + slug).status, 404)
        self.assertNotIn(slug, self.srv.client().get("/infos-pratiques").body)
        self.assertNotIn(slug, self.srv.client().get(q("navette " + t)).body)

    def test_errors_show_next_to_their_field_and_nothing_is_written(self):
        t = tag()
        r = self.new_page(self.pierre, title="ab", section="nulle-part", position="beaucoup",
                          body="Texte %s" % t)
        self.assertEqual(r.status, 422, r.body[:2000])
        self.assertOneH1(r.body)
        for field in ("title", "section", "position"):
            self.assertRegex(r.body, r'id="e-%s"' % field)
            self.assertRegex(r.body, r'<(input|select)[^>]*name="%s"[^>]*aria-invalid="true"' % field)
        self.assertIn("Texte %s" % t, r.body)                        # what was typed is kept
        r = self.new_page(self.pierre, org="comite-des-fetes-vesqueval", body="Texte %s" % t)
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-org"', r.body)
        self.assertNotIn(t, self.srv.client().get("/api/v1/practical-pages").body)
        self.assertIn("<strong>0</strong>", self.srv.client().get(q(t)).body)

    def test_only_publishers_of_a_public_body_may_write(self):
        r = self.srv.client().get("/infos-pratiques/nouvelle")
        self.assertIn(r.status, (302, 303))
        self.assertIn("/connexion", r.location)
        for c in (self.camille, self.fatou):
            self.assertEqual(c.get("/infos-pratiques/nouvelle").status, 403)
            self.assertEqual(c.get("/infos-pratiques/numeros-d-urgence/modifier").status, 403)
            self.assertEqual(c.get("/infos-pratiques/numeros-d-urgence/supprimer").status, 403)
        # a forged form: refused, the page unchanged
        r = self.pierre.get("/infos-pratiques/numeros-d-urgence/modifier")
        token = csrf(r.body, "/infos-pratiques/numeros-d-urgence/modifier")
        r = self.camille.post_form("/infos-pratiques/numeros-d-urgence/modifier",
                                   {"_csrf": csrf(self.camille.get("/infos-pratiques").body), "title": "Piraté",
                                    "section": "urgences", "body": "", "position": "0"})
        self.assertEqual(r.status, 403)
        r = self.camille.post_form("/infos-pratiques/numeros-d-urgence/supprimer",
                                   {"_csrf": csrf(self.camille.get("/infos-pratiques").body)})
        self.assertEqual(r.status, 403)
        # no CSRF token: refused even for the editor
        r = self.pierre.post_form("/infos-pratiques/numeros-d-urgence/modifier",
                                  {"title": "Sans jeton", "section": "urgences", "body": "", "position": "0"})
        self.assertEqual(r.status, 403)
        self.assertTrue(token)
        r = self.srv.client().get("/infos-pratiques/numeros-d-urgence")
        self.assertIn("Numéros d&#39;urgence", r.body)
        self.assertNotIn("Piraté", r.body)
        self.assertNotIn("Sans jeton", r.body)

    # ---- search -------------------------------------------------------------------------------

    def test_search_filters_by_type_and_commune_with_counts(self):
        r = self.srv.client().get(q("vesqueval"), headers=FR)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn('<select', r.body)
        self.assertIn('name="type"', r.body)
        self.assertIn('name="commune"', r.body)
        self.assertIn('id="h-search-practical"', r.body)
        self.assertIn('id="h-search-orgs"', r.body)
        self.assertRegex(r.body, r'class="search-types"')
        self.assertIn("type=practical", r.body)
        # one type: only its group, with its total
        r = self.srv.client().get(q("dechets", type="practical"), headers=FR)
        self.assertEqual(r.status, 200)
        self.assertIn('id="h-search-practical"', r.body)
        self.assertNotIn('id="h-search-orgs"', r.body)
        self.assertIn('href="/infos-pratiques/collecte-des-dechets-les-jours-par-commune"', r.body)
        self.assertRegex(r.body, r'<option value="practical" selected>')
        # the commune: the Comité is in Vesqueval, not in Aigueclaire
        r = self.srv.client().get(q("comite des fetes", type="organisations", commune="26391"))
        self.assertIn('href="/organisations/comite-des-fetes-vesqueval"', r.body)
        self.assertRegex(r.body, r'<option value="26391" selected>')
        r = self.srv.client().get(q("comite des fetes", type="organisations", commune="26392"))
        self.assertNotIn('href="/organisations/comite-des-fetes-vesqueval"', r.body)
        # a type that does not exist: said next to the filter
        r = self.srv.client().get(q("fete", type="bidules"), headers=FR)
        self.assertEqual(r.status, 400)
        self.assertIn('id="e-type"', r.body)
        self.assertIn("Choisissez un type dans la liste", r.body)

    def test_search_pages_through_one_type(self):
        t = tag()
        now = int(time.time())
        org = "(SELECT id FROM organisations WHERE slug = 'comite-des-fetes-vesqueval')"
        run_sql(self.srv, "".join(
            "INSERT INTO posts (org_id, slug, title, body, body_html, status, published_at, created_at, updated_at)"
            " SELECT %s, 'loto-%s-%d', 'Loto %s numéro %d', 'Des quines.', '', 'published', %d, %d, %d;"
            % (org, t, i, t, i, now - i * 60, now, now) for i in range(23)))
        r = self.srv.client().get(q("loto " + t, type="posts"), headers=FR)
        self.assertEqual(r.status, 200)
        self.assertRegex(r.body, r'<h2 id="h-search-posts">Actualités <span class="count">\(23\)</span></h2>')
        self.assertEqual(len(re.findall(r'href="/actualites/loto-', r.body)), 20)
        self.assertIn('rel="next"', r.body)
        self.assertIn("page=2", r.body)
        r = self.srv.client().get(q("loto " + t, type="posts", page="2"), headers=FR)
        self.assertEqual(len(re.findall(r'href="/actualites/loto-', r.body)), 3)
        self.assertIn('rel="prev"', r.body)
        self.assertNotIn('rel="next"', r.body)
        # every kind at once: the first ten and a link to all of them
        r = self.srv.client().get(q("loto " + t), headers=FR)
        self.assertEqual(len(re.findall(r'href="/actualites/loto-', r.body)), 10)
        self.assertIn("type=posts", r.body)

    def test_a_post_hidden_by_a_moderator_leaves_the_search_at_once(self):
        t = tag()
        now = int(time.time())
        org = "(SELECT id FROM organisations WHERE slug = 'comite-des-fetes-vesqueval')"
        slug = "tombola-%s" % t
        run_sql(self.srv, "INSERT INTO posts (org_id, slug, title, body, body_html, status, published_at,"
                          " created_at, updated_at) SELECT %s, '%s', 'Tombola %s', 'Des lots.', '', 'published',"
                          " %d, %d, %d" % (org, slug, t, now, now, now))
        self.assertIn('href="/actualites/%s"' % slug, self.srv.client().get(q("tombola " + t)).body)
        self.assertEqual(self.srv.client().get_json("/api/v1/search?q=tombola+%s" % t).json()["posts"]["total"], 1)
        run_sql(self.srv, "UPDATE posts SET hidden_at = %d WHERE slug = '%s'" % (now, slug))
        self.assertNotIn(slug, self.srv.client().get(q("tombola " + t)).body)
        self.assertEqual(self.srv.client().get_json("/api/v1/search?q=tombola+%s" % t).json()["posts"]["total"], 0)
        self.assertEqual(self.srv.client().get("/recherche/suggestions?q=tombola+" + t).json()["items"], [])
        run_sql(self.srv, "UPDATE posts SET hidden_at = NULL WHERE slug = '%s'" % slug)
        self.assertIn('href="/actualites/%s"' % slug, self.srv.client().get(q("tombola " + t)).body)

    def test_suggestions_are_json_titles_with_kind_and_url(self):
        r = self.srv.client().get("/recherche/suggestions?q=" + urllib.parse.quote("numéros d'urg"))
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers.get("Content-Type").startswith("application/json"))
        items = r.json()["items"]
        self.assertTrue(items)
        self.assertLessEqual(len(items), 8)
        first = items[0]
        self.assertEqual(set(first), {"title", "kind", "kind_label", "url"})
        self.assertEqual(first["kind"], "practical")
        self.assertEqual(first["url"], "/infos-pratiques/numeros-d-urgence")
        self.assertEqual(first["title"], "Numéros d'urgence")
        r = self.srv.client().get("/recherche/suggestions?q=noel")
        kinds = {i["kind"] for i in r.json()["items"]}
        self.assertTrue(kinds & {"events", "posts"}, r.body)
        for i in r.json()["items"]:
            self.assertTrue(i["url"].startswith("/"), i)
        for bad in ("", "x", "%C3", "a" * 300, '"NEAR(*'):
            r = self.srv.client().get("/recherche/suggestions?q=" + bad)
            self.assertIn(r.status, (200, 400), bad)
            if r.status == 200:
                self.assertIsInstance(r.json()["items"], list)
        self.assertEqual(self.srv.client().get("/recherche/suggestions?q=x").json(), {"items": []})

    def test_the_header_loads_the_suggestion_script_without_inline_code(self):
        r = self.srv.client().get("/infos-pratiques")
        m = re.search(r'<script defer src="(/static/[^"]*search-suggest[^"]*)"', r.body)
        self.assertIsNotNone(m, r.body[:3000])
        self.assertNotRegex(r.body, r"<script(?![^>]*\ssrc=)[^>]*>")   # no inline script
        js = self.srv.client().get(m.group(1))
        self.assertEqual(js.status, 200)
        self.assertIn("aria-activedescendant", js.body)

    # ---- API ----------------------------------------------------------------------------------

    def test_the_api_lists_and_shows_practical_pages(self):
        r = self.srv.client().get_json("/api/v1/practical-pages")
        self.assertEqual(r.status, 200)
        doc = r.json()
        slugs = [s["slug"] for s in doc["sections"]]
        self.assertEqual(slugs[:5], ["mairie", "dechets", "transports", "sante", "urgences"])
        urg = [s for s in doc["sections"] if s["slug"] == "urgences"][0]
        page = urg["pages"][0]
        self.assertEqual(page["slug"], "numeros-d-urgence")
        self.assertEqual(page["organisation"]["slug"], "mairie-vesqueval")
        self.assertRegex(page["updated_at"], r"^\d{4}-\d\d-\d\dT")
        self.assertNotIn("body", page)
        r = self.srv.client().get_json("/api/v1/practical-pages/numeros-d-urgence")
        self.assertEqual(r.status, 200)
        p = r.json()
        self.assertIn("**112**", p["body"])
        self.assertIn("<strong>112</strong>", p["body_html"])
        self.assertTrue(p["url"].endswith("/infos-pratiques/numeros-d-urgence"))
        r = self.srv.client().get_json("/api/v1/practical-pages/nope")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["error"]["code"], "not_found")

    def test_the_api_search_has_type_and_commune_filters_and_five_kinds(self):
        r = self.srv.client().get_json("/api/v1/search?q=dechets&type=practical")
        self.assertEqual(r.status, 200)
        doc = r.json()
        self.assertEqual(doc["type"], "practical")
        for kind in ("organisations", "events", "posts", "products"):
            self.assertEqual(doc[kind], {"items": [], "total": 0})
        self.assertGreaterEqual(doc["practical"]["total"], 2)
        item = doc["practical"]["items"][0]
        self.assertEqual(item["organisation"], "Communauté de communes du Val de Vesque")
        self.assertIn(item["section"], ("Déchets et propreté",))
        self.assertTrue(item["url"].startswith("http"))
        r = self.srv.client().get_json("/api/v1/search?q=comite&type=organisations&commune=26392")
        self.assertEqual(r.json()["organisations"]["total"], 0)
        r = self.srv.client().get_json("/api/v1/search?q=comite&type=organisations&commune=26391")
        self.assertGreaterEqual(r.json()["organisations"]["total"], 1)
        for bad in ("type=pages", "offset=-1", "offset=x"):
            r = self.srv.client().get_json("/api/v1/search?q=fete&" + bad)
            self.assertEqual(r.status, 400, bad)
            self.assertEqual(r.json()["error"]["code"], "bad_request")
        self.assertEqual(self.srv.client().get("/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()
