# t0800-posts.py: the news wall through the real binary: publish through the form, the wall and the post page, escaping, drafts, rights, CSRF, errors next to their field, an image, delete.
import re
import unittest

from agenda_test import ENV, ORG, PNG, Agenda, tag
from kiosque_test import Server, csrf

NEW = "/organisations/%s/actualites/nouvelle" % ORG
CREATE = "/organisations/%s/actualites" % ORG


class Posts(unittest.TestCase, Agenda):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.owner = cls.login(cls, "pierre.vignal@example.org")
        cls.editor = cls.login(cls, "camille.arnaud@example.org")

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def post_form(self, c, files=None, **fields):
        r = c.get(NEW)
        self.assertEqual(r.status, 200, r.body[:2000])
        data = {"_csrf": csrf(r.body, CREATE), "title": "Nouvelles %s" % tag(),
                "body": "Avec **la fanfare**.", "status": "published"}
        data.update(fields)
        return c.post_form(CREATE, data, files=files)

    def publish(self, c, **fields):
        r = self.post_form(c, **fields)
        self.assertEqual(r.status, 303, r.body[:4000])
        m = re.match(r"^/actualites/([a-z0-9-]+)$", r.location)
        self.assertIsNotNone(m, r.location)
        return m.group(1)

    def wall_titles(self, body):
        return [re.sub(r"<[^>]+>", "", t) for t in
                re.findall(r'<article class="card post-card"[^>]*><h2[^>]*><a[^>]*>(.*?)</a>', body, re.S)]

    def test_the_demo_wall_has_news(self):
        r = self.srv.client().get("/actualites")
        self.assertEqual(r.status, 200)
        self.assertIn("Le marché de Noël cherche des bénévoles", r.body)
        self.assertIn("Travaux rue des Tilleuls", r.body)

    def test_editor_publishes_and_the_wall_and_post_page_show_it_escaped(self):
        r = self.editor.get(NEW)
        self.assertOneH1(r.body)
        for attr in ['for="f-title"', 'for="f-body"', 'for="f-status"', 'for="f-image_1"', 'for="f-alt_1"', 'name="_csrf"',
                     'enctype="multipart/form-data"']:
            self.assertIn(attr, r.body)
        t = tag()
        slug = self.publish(self.editor, title="Vide-grenier %s <script>x</script>" % t,
                            body="Un **grand** vide-grenier.\n\n<script>alert(1)</script>\n\n"
                                 "[piège](javascript:alert(2)) [plan](https://example.org/plan?a=1&b=2)")
        self.assertTrue(slug.startswith("vide-grenier-" + t), slug)
        r = self.editor.follow(self.editor.get("/actualites/" + slug))
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn("Vide-grenier %s &lt;script&gt;x&lt;/script&gt;" % t, r.body)
        self.assertIn("<strong>grand</strong>", r.body)
        self.assertNotIn("<script>alert", r.body)
        self.assertNotIn("javascript:", r.body)
        self.assertIn('href="https://example.org/plan?a=1&amp;b=2"', r.body)
        # The search box finds it, on the page and in the API.
        found = self.srv.client().get("/recherche?q=vide-grenier+%s" % t)
        self.assertIn('href="/actualites/%s"' % slug, found.body)
        api = self.srv.client().get_json("/api/v1/search?q=vide-grenier+%s" % t).json()
        self.assertEqual([p["slug"] for p in api["posts"]["items"]], [slug])
        self.assertIn("Comité des fêtes", r.body)
        self.assertIn('href="/organisations/%s"' % ORG, r.body)
        self.assertIn("/actualites/%s/modifier" % slug, r.body)
        self.assertRegex(r.body, r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">')
        # Open Graph, escaped.
        self.assertIn('<meta property="og:title" content="Vide-grenier %s &lt;script&gt;x&lt;/script&gt;">' % t,
                      r.body)
        self.assertIn('<meta property="og:type" content="article">', r.body)
        self.assertRegex(r.body, r'<meta property="og:description" content="Comité des fêtes[^"]* · Un grand vide-grenier\. piège plan">')
        self.assertRegex(r.body, r'<meta property="og:url" content="[^"]*/actualites/%s">' % slug)

        anon = self.srv.client()
        r = anon.get("/actualites")
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        titles = self.wall_titles(r.body)
        self.assertIn("Vide-grenier %s &lt;script&gt;x&lt;/script&gt;" % t, titles)
        self.assertNotIn("<script>alert", r.body)
        self.assertNotIn("<script>x", r.body)
        r = anon.get("/actualites/" + slug)
        self.assertEqual(r.status, 200)
        self.assertNotIn("/actualites/%s/modifier" % slug, r.body)

    def test_wall_is_newest_first_and_filters_by_commune_and_kind(self):
        t = tag()
        first = self.publish(self.owner, title="Premier %s" % t)
        second = self.publish(self.owner, title="Second %s" % t)
        r = self.srv.client().get("/actualites")
        titles = self.wall_titles(r.body)
        self.assertLess(titles.index("Second %s" % t), titles.index("Premier %s" % t))
        # The comité is an association in Vesqueval (26391).
        r = self.srv.client().get("/actualites?commune=26391&kind=association")
        self.assertIn("Second %s" % t, self.wall_titles(r.body))
        self.assertIn('<option value="26391" selected', r.body)
        r = self.srv.client().get("/actualites?kind=producer")
        self.assertNotIn("Second %s" % t, self.wall_titles(r.body))
        r = self.srv.client().get("/actualites?commune=%3Cscript%3E&avant=abc")
        self.assertEqual(r.status, 200)
        self.assertNotIn("<script>", r.body)
        self.assertEqual(self.wall_titles(r.body), [])
        self.assertTrue(first and second)

    def test_drafts_are_invisible_to_others(self):
        t = tag()
        slug = self.publish(self.editor, title="Brouillon %s" % t, status="draft")
        r = self.owner.get("/actualites/" + slug)
        self.assertEqual(r.status, 200)
        self.assertIn("Brouillon :", r.body)
        self.assertIn("no-store", r.header("Cache-Control", ""))
        for c in (self.srv.client(), self.login("lucie.fabre@example.org")):
            self.assertEqual(c.get("/actualites/" + slug).status, 404)
            self.assertNotIn("Brouillon %s" % t, c.get("/actualites").body)
            self.assertNotIn("Brouillon %s" % t, c.get("/organisations/" + ORG).body)
        # Its publishers see it listed on the organisation's page, marked a draft.
        r = self.owner.get("/organisations/" + ORG)
        self.assertIn("Brouillon %s" % t, r.body)
        self.assertIn('href="%s"' % NEW, r.body)
        # Published through the edit form, it appears.
        r = self.editor.get("/actualites/%s/modifier" % slug)
        self.assertEqual(r.status, 200)
        r = self.editor.post_form("/actualites/%s/modifier" % slug,
                                  {"_csrf": csrf(r.body), "title": "Publié %s" % t, "body": "Voilà.",
                                   "status": "published"})
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertIn("Publié %s" % t, self.wall_titles(self.srv.client().get("/actualites").body))
        r = self.srv.client().get("/organisations/" + ORG)
        self.assertIn('<section class="org-posts"', r.body)
        self.assertIn('href="/actualites/%s"' % slug, r.body)
        self.assertNotIn('href="%s"' % NEW, r.body)

    def test_rights_outsiders_get_403_and_a_visitor_is_sent_to_log_in(self):
        slug = self.publish(self.owner, title="Réservé %s" % tag())
        anon = self.srv.client()
        r = anon.get(NEW)
        self.assertEqual(r.status, 303)
        self.assertTrue(r.location.startswith("/connexion?suite="))
        for email in ("hugo.mercier@example.org", "lucie.fabre@example.org"):
            c = self.login(email)
            self.assertEqual(c.get(NEW).status, 403, email)
            token = csrf(c.get("/").body)
            r = c.post_form(CREATE, {"_csrf": token, "title": "Intrus", "body": "x", "status": "published"})
            self.assertEqual(r.status, 403, email)
            self.assertEqual(c.get("/actualites/%s/modifier" % slug).status, 403)
            r = c.post_form("/actualites/%s/modifier" % slug, {"_csrf": token, "title": "Volé"})
            self.assertEqual(r.status, 403)
            self.assertEqual(c.get("/actualites/%s/supprimer" % slug).status, 403)
            r = c.post_form("/actualites/%s/supprimer" % slug, {"_csrf": token})
            self.assertEqual(r.status, 403)
        r = self.srv.client().get("/actualites/" + slug)
        self.assertEqual(r.status, 200)
        self.assertNotIn("Volé", r.body)
        self.assertNotIn("Intrus", self.srv.client().get("/actualites").body)

    def test_forms_without_their_token_are_refused(self):
        r = self.owner.post_form(CREATE, {"title": "Sans jeton %s" % tag(), "body": "", "status": "published"})
        self.assertEqual(r.status, 403)
        slug = self.publish(self.owner, title="Jeton %s" % tag())
        r = self.owner.post_form("/actualites/%s/supprimer" % slug, {})
        self.assertEqual(r.status, 403)
        r = self.owner.post_form("/actualites/%s/supprimer" % slug, {"_csrf": "0" * 43})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.srv.client().get("/actualites/" + slug).status, 200)

    def test_bad_input_is_said_next_to_its_field_and_kept(self):
        r = self.post_form(self.editor, title="ab", body="Texte <b>gardé</b> " + "x" * 20001)
        self.assertEqual(r.status, 422)
        self.assertOneH1(r.body)
        self.assertRegex(r.body, r'id="e-title"[^>]*>[^<]*3 à 140')
        self.assertRegex(r.body, r'id="e-body"[^>]*>[^<]*20 000')
        self.assertIn('aria-invalid="true"', r.body)
        self.assertIn("Texte &lt;b&gt;gardé&lt;/b&gt;", r.body)   # kept, escaped
        r = self.post_form(self.editor, alt_1="Un gif",
                           files={"image_1": ("a.gif", b"GIF89a\x01\x00\x01\x00", "image/png")})
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-image_1"', r.body)

    def test_image_is_served_and_delete_asks_first(self):
        t = tag()
        slug = self.publish(self.owner, title="Affiche %s" % t, alt_1="Un point bleu",
                            files={"image_1": ("a.png", PNG, "image/png")})
        r = self.srv.client().get("/actualites/" + slug)
        m = re.search(r'<img class="post-image" src="(/actualites/[^"]+/images/1\?v=[0-9a-f]+)" alt="Un point bleu"',
                      r.body)
        self.assertIsNotNone(m, r.body[:3000])
        img = self.srv.client().get(m.group(1).replace("&amp;", "&"))
        self.assertEqual(img.status, 200)
        self.assertEqual(img.header("Content-Type"), "image/png")
        self.assertTrue(img.raw.startswith(b"\x89PNG"))   # re-encoded: our bytes, not the sender's
        # The address of the one image of before is the first one.
        self.assertEqual(self.srv.client().get("/actualites/%s/image" % slug).raw, img.raw)
        self.assertIn('property="og:image"', r.body)
        # Delete: a confirmation page, then the post and its image are gone.
        r = self.editor.get("/actualites/%s/supprimer" % slug)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        action = "/actualites/%s/supprimer" % slug
        r = self.editor.post_form(action, {"_csrf": csrf(r.body, action)})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.location, "/organisations/" + ORG)
        self.assertEqual(self.srv.client().get("/actualites/" + slug).status, 404)
        self.assertEqual(self.srv.client().get(m.group(1)).status, 404)


if __name__ == "__main__":
    unittest.main()
