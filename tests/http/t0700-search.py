# t0700-search.py: the search box through the real binary: results page, grouping, escaping, drafts, the header box, refusals.
import html
import re
import secrets
import time
import unittest
import urllib.parse

from kiosque_test import Server
from sql_fixtures import run_sql

ENV = {"KIOSQUE_FAST_HASH": "1"}
FR = {"Accept-Language": "fr"}


def q(text):
    return "/recherche?q=" + urllib.parse.quote(text)


class Search(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.c = cls.srv.client()
        # A word no demo row has, an event of it, a draft of it, and an organisation whose name is markup.
        cls.word = "zorglub" + secrets.token_hex(2)
        now = int(time.time())
        org = "(SELECT id FROM organisations WHERE slug = 'comite-des-fetes-vesqueval')"
        rows = []
        for slug, title, status in (("zg-bal-" + cls.word, "Bal %s des Faysses" % cls.word.capitalize(), "published"),
                                    ("zg-brouillon-" + cls.word, "Brouillon %s secret" % cls.word, "draft")):
            rows.append(
                "INSERT INTO events (org_id, slug, title, summary, category, venue_name, status, created_at, updated_at)"
                " SELECT %s, '%s', '%s', 'Un bal <b>populaire</b>.', 'party', 'Salle des fêtes', '%s', %d, %d;"
                "INSERT INTO event_dates (event_id, starts_at, ends_at)"
                " SELECT id, %d, %d FROM events WHERE slug = '%s';"
                % (org, slug, title, status, now, now, now + 20 * 86400, now + 20 * 86400 + 7200, slug))
        rows.append(
            "INSERT INTO organisations (slug, kind, name, summary, description, category, created_at, updated_at)"
            " VALUES ('zg-org-%s', 'business', '%s <script>alert(\"x\")</script> & Cie',"
            " 'Résumé <img src=x onerror=alert(1)>', '', 'commerce', %d, %d);"
            % (cls.word, cls.word.capitalize(), now, now))
        run_sql(cls.srv, "".join(rows))

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def get(self, path):
        return self.c.get(path, headers=FR)

    def test_results_are_grouped_with_counts_links_and_the_query_kept(self):
        r = self.get(q("fete vesqueval"))
        self.assertEqual(r.status, 200, r.body[:2000])
        self.assertEqual(len(re.findall(r"<h1[ >]", r.body)), 1)
        self.assertIn('value="fete vesqueval"', r.body)            # the query is kept in the box
        self.assertRegex(r.body, r'<h2 id="h-search-orgs">Organisations <span class="count">\(\d+\)</span></h2>')
        self.assertIn('href="/organisations/comite-des-fetes-vesqueval"', r.body)
        # accents do not matter, the organisation whose name matches comes first
        orgs = r.body.split('id="h-search-orgs"', 1)[1].split("</section>", 1)[0]
        first = re.search(r'<h3><a href="([^"]+)">', orgs).group(1)
        self.assertEqual(first, "/organisations/comite-des-fetes-vesqueval")

        r = self.get(q(self.word[:6]))                               # a prefix, as typed
        self.assertEqual(r.status, 200)
        self.assertRegex(r.body, r'<h2 id="h-search-events">Événements <span class="count">\(1\)</span></h2>')
        self.assertIn('href="/evenements/zg-bal-%s"' % self.word, r.body)
        self.assertIn("<time datetime=", r.body)
        self.assertNotIn("zg-brouillon-", r.body)                   # never a draft
        self.assertNotIn("Brouillon", r.body)

    def test_every_field_is_escaped(self):
        r = self.get(q(self.word))
        self.assertEqual(r.status, 200)
        self.assertIn('href="/organisations/zg-org-%s"' % self.word, r.body)
        self.assertIn("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cie", r.body)
        self.assertNotIn("<script>alert", r.body)
        self.assertNotIn("<img src=x", r.body)
        self.assertNotIn("<b>populaire", r.body)
        # the query itself, in the box, the title and the status line
        r = self.get(q('<script>zz"\' onfocus=x'))
        self.assertEqual(r.status, 200)
        self.assertNotIn("<script>zz", r.body)
        self.assertIn('value="&lt;script&gt;zz&quot;&#39; onfocus=x"', r.body)

    def test_the_header_box_is_on_every_page_and_works_without_javascript(self):
        for path in ("/", "/annuaire", "/evenements", q("vesque")):
            r = self.get(path)
            self.assertEqual(r.status, 200, path)
            m = re.search(r'<header class="site-header">.*?</header>', r.body, re.S)
            self.assertIsNotNone(m, path)
            box = re.search(r'<form class="site-search" method="get" action="/recherche" role="search"[^>]*>(.*?)</form>',
                            m.group(0), re.S)
            self.assertIsNotNone(box, path)
            self.assertIn('<label class="visually-hidden" for="site-search-q">', box.group(1))
            self.assertIn('<input type="search" id="site-search-q" name="q"', box.group(1))
            self.assertIn('<button type="submit">', box.group(1))
        # what the box sends is a plain GET of the results page
        r = self.get("/recherche?q=chorale")
        self.assertEqual(r.status, 200)
        self.assertIn("Chorale Les Voix de la Vesque", r.body)

    def test_nothing_found_short_and_syntax_like_queries(self):
        r = self.get(q("qqzzxxww"))
        self.assertEqual(r.status, 200)
        self.assertIn("Aucun résultat", r.body)
        self.assertIn('href="/evenements"', r.body.split("</header>", 1)[1])
        self.assertIn('href="/annuaire"', r.body.split("</header>", 1)[1])
        r = self.get(q("x"))
        self.assertEqual(r.status, 200)
        self.assertIn("Tapez au moins deux lettres", r.body)
        r = self.get("/recherche")
        self.assertEqual(r.status, 200)
        self.assertNotIn("Aucun résultat", r.body)
        for text in ('"fete" OR NEAR(', "fete*:", "' & ! <->", "-", '")', "comite NOT fetes", "{title}:bal"):
            r = self.get(q(text))
            self.assertEqual(r.status, 200, text)
        r = self.get(q("fete*:"))                                     # the word "fete", as a prefix
        self.assertIn('href="/organisations/comite-des-fetes-vesqueval"', r.body)
        # OR is a word to find, not an operator: no row has "chorale", "or" and "fetes" all three
        r = self.get(q("chorale OR fetes"))
        self.assertIn("Aucun résultat", r.body)

    def test_a_long_query_is_refused_cleanly(self):
        long_q = "vesque " * 15                                          # 105 characters
        r = self.get(q(long_q))
        self.assertEqual(r.status, 400)
        self.assertIn("trop longue", r.body)
        self.assertIn('aria-invalid="true"', r.body)
        self.assertIn("value=\"%s\"" % html.escape(long_q.strip(), quote=True), r.body)
        self.assertNotIn("h-search-orgs", r.body)
        r = self.get(q("un deux trois quatre cinq six sept huit neuf"))  # nine words
        self.assertEqual(r.status, 400)
        self.assertIn("trop longue", r.body)
        r = self.get(q("un deux trois quatre cinq six sept huit"))       # eight are fine
        self.assertEqual(r.status, 200)
        r = self.get("/recherche?q=%C3")                                  # not UTF-8
        self.assertEqual(r.status, 400)
        r = self.get(q("a" * 6000))                                      # past the URL limit
        self.assertIn(r.status, (400, 414))
        self.assertEqual(self.c.get("/healthz").status, 200)

    def test_the_json_api_answers_the_same_search(self):
        r = self.c.get_json("/api/v1/search?q=" + urllib.parse.quote(self.word[:6]) + "&limit=5")
        self.assertEqual(r.status, 200, r.body[:2000])
        doc = r.json()
        self.assertTrue(doc["searched"])
        self.assertEqual(doc["events"]["total"], 1)                     # the draft is not there
        ev = doc["events"]["items"][0]
        self.assertEqual(ev["slug"], "zg-bal-" + self.word)
        self.assertFalse(ev["past"])
        self.assertRegex(ev["starts_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertTrue(ev["url"].endswith("/evenements/zg-bal-" + self.word))
        org = doc["organisations"]["items"][0]
        self.assertEqual(org["name"], '%s <script>alert("x")</script> & Cie' % self.word.capitalize())  # JSON, not HTML
        self.assertEqual(org["kind"], "business")
        r = self.c.get_json("/api/v1/search?q=" + urllib.parse.quote("vesque " * 15))
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["code"], "search.query_too_long")
        self.assertIn("q", r.json()["error"]["fields"])
        r = self.c.get_json("/api/v1/search?q=vesque&limit=500")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["code"], "bad_request")
        r = self.c.get_json("/api/v1/search?q=x")
        self.assertEqual(r.status, 200)
        self.assertFalse(r.json()["searched"])
        self.assertEqual(r.json()["organisations"]["items"], [])


if __name__ == "__main__":
    unittest.main()
