# t0830-posts-more.py: citizens' posts, several images (sniffed, resized), people's pages, hidden posts, the Atom feeds, the JSON API of posts and cursor paging, through the real binary.
import base64
import re
import struct
import unittest
import xml.etree.ElementTree as ET
import zlib

from agenda_test import ENV, ORG, Agenda, tag
from kiosque_test import Server, csrf
from sql_fixtures import run_sql

ATOM = "{http://www.w3.org/2005/Atom}"


def png(w, h, rgb=(40, 120, 200)):
    """A real PNG of w x h pixels, one colour, written by hand (zlib, no imaging library)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    row = b"\x00" + bytes(rgb) * w
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(row * h, 9)) + chunk(b"IEND", b""))


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    return struct.unpack(">II", data[16:24])


# PNG's signature and header on bytes that are no image, and a GIF.
FAKE_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00" + b"junk" * 50
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


class PostsMore(unittest.TestCase, Agenda):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.lucie = cls.login(cls, "lucie.fabre@example.org")
        cls.fatou = cls.login(cls, "fatou.diallo@example.org")
        cls.lucie_id = int(run_sql(cls.srv, "SELECT id FROM accounts WHERE email_lower = 'lucie.fabre@example.org'"))
        cls.owner_token = cls.token_of(cls, "pierre.vignal@example.org")
        cls.lucie_token = cls.token_of(cls, "lucie.fabre@example.org")
        cls.fatou_token = cls.token_of(cls, "fatou.diallo@example.org")

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def token_of(self, email):
        c = self.login(self, email) if isinstance(self, type) else self.login(email)
        page = c.get("/compte").body
        r = c.post_form("/compte/jetons", {"_csrf": csrf(page), "name": "posts"})
        return re.search(r"\b(kq_[0-9a-f]{64})\b", r.body).group(1)

    def assertError(self, r, status, code):
        self.assertEqual(r.status, status, r.body[:1000])
        self.assertEqual(r.header("Content-Type"), "application/json")
        e = r.json()["error"]
        self.assertEqual(e["code"], code)
        self.assertTrue(e["message"])
        return e

    def citizen_post(self, c, files=None, **fields):
        r = c.get("/actualites/nouvelle")
        self.assertEqual(r.status, 200, r.body[:2000])
        data = {"_csrf": csrf(r.body, "/actualites"), "title": "Citoyen %s" % tag(), "body": "Bonjour **à tous**.",
                "status": "published"}
        data.update(fields)
        return c.post_form("/actualites", data, files=files)

    def wall_titles(self, body):
        return [re.sub(r"<[^>]+>", "", t) for t in
                re.findall(r'<article class="card post-card"[^>]*><h2[^>]*><a[^>]*>(.*?)</a>', body, re.S)]

    # -- citizens' posts with images

    def test_a_citizen_posts_with_a_resized_image_seen_on_the_wall_and_their_page(self):
        r = self.lucie.get("/actualites/nouvelle")
        self.assertOneH1(r.body)
        for attr in ['for="f-title"', 'for="f-image_1"', 'for="f-alt_1"', 'for="f-image_4"',
                     'enctype="multipart/form-data"', 'action="/actualites"']:
            self.assertIn(attr, r.body)
        t = tag()
        r = self.citizen_post(self.lucie, title="Chat perdu %s" % t, alt_1="Un carré bleu %s" % t,
                              files={"image_1": ("chat.png", png(1600, 800), "image/png")})
        self.assertEqual(r.status, 303, r.body[:3000])
        slug = r.location.rsplit("/", 1)[1]
        page = self.srv.client().get(r.location)
        self.assertEqual(page.status, 200)
        self.assertOneH1(page.body)
        self.assertIn('<a href="/personnes/%d">Lucie Fabre</a>' % self.lucie_id, page.body)
        self.assertNotIn("lucie.fabre@example.org", page.body)
        self.assertIn('href="/signaler?type=post&amp;id=', page.body)
        m = re.search(r'<img class="post-image" src="(/actualites/%s/images/1\?v=[0-9a-f]+)" alt="Un carré bleu %s"'
                      r' width="1200" height="600"' % (slug, t), page.body)
        self.assertIsNotNone(m, page.body[:5000])
        # The served image is ours (re-encoded) and 1200 pixels wide; the wall's is 400.
        img = self.srv.client().get(m.group(1))
        self.assertEqual(img.status, 200)
        self.assertEqual(img.header("Content-Type"), "image/png")
        self.assertEqual(png_size(img.raw), (1200, 600))
        self.assertIn("max-age", img.header("Cache-Control", ""))
        wall = self.srv.client().get("/actualites")
        self.assertIn("Chat perdu %s" % t, self.wall_titles(wall.body))
        thumb = re.search(r'<img class="post-thumb" loading="lazy" src="(/actualites/%s/images/1/vignette\?v=[0-9a-f]+)"'
                          r' alt="Un carré bleu %s" width="400" height="200">' % (slug, t), wall.body)
        self.assertIsNotNone(thumb, wall.body[:6000])
        self.assertEqual(png_size(self.srv.client().get(thumb.group(1)).raw), (400, 200))
        self.assertIn('href="/personnes/%d"' % self.lucie_id, wall.body)
        self.assertIn('<link rel="alternate" type="application/atom+xml"', wall.body)
        # Their page: the name, their organisations, the post; never the email.
        r = self.srv.client().get("/personnes/%d" % self.lucie_id)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn("<h1>Lucie Fabre</h1>", r.body)
        self.assertIn('href="/actualites/%s"' % slug, r.body)
        self.assertIn('href="/organisations/', r.body)
        self.assertNotIn("@example.org", r.body)
        # Only its author changes it.
        self.assertEqual(self.fatou.get("/actualites/%s/modifier" % slug).status, 403)
        token = csrf(self.fatou.get("/").body)
        self.assertEqual(self.fatou.post_form("/actualites/%s/supprimer" % slug, {"_csrf": token}).status, 403)
        # The edit form: each image with its description and a box to remove it, and a slot for each image that
        # may still be added (three). Then the first image is removed and another one added.
        r = self.lucie.get("/actualites/%s/modifier" % slug)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        image_id = re.search(r'name="alt_image_(\d+)" value="Un carré bleu %s"' % t, r.body).group(1)
        self.assertIn('name="remove_image_%s"' % image_id, r.body)
        self.assertIn('for="f-image_3"', r.body)
        self.assertNotIn('for="f-image_4"', r.body)
        action = "/actualites/%s/modifier" % slug
        r = self.lucie.post_form(action, {"_csrf": csrf(r.body, action), "title": "Chat retrouvé %s" % t, "body": "Merci !",
                                          "status": "published", "alt_image_" + image_id: "Plus besoin",
                                          "remove_image_" + image_id: "1", "alt_1": "Le chat à la maison"},
                                 files={"image_1": ("maison.png", png(300, 200, (10, 200, 10)), "image/png")})
        self.assertEqual(r.status, 303, r.body[:3000])
        page = self.srv.client().get("/actualites/" + slug).body
        self.assertIn("Chat retrouvé %s" % t, page)
        self.assertRegex(page, r'src="/actualites/%s/images/1\?v=[0-9a-f]+" alt="Le chat à la maison" width="300" height="200"'
                         % slug)
        self.assertNotIn("/images/2", page)
        self.assertNotIn("Un carré bleu", page)

    def test_images_are_sniffed_and_refused_next_to_their_field(self):
        t = tag()
        r = self.citizen_post(self.lucie, title="Faux %s" % t, alt_1="Faux", alt_2="Gif", alt_3="Sans description",
                              files={"image_1": ("a.png", FAKE_PNG, "image/png"),
                                     "image_2": ("b.png", GIF, "image/png"),
                                     "image_3": ("c.png", png(20, 20), "image/png")})
        self.assertEqual(r.status, 422, r.body[:2000])
        self.assertOneH1(r.body)
        self.assertRegex(r.body, r'id="e-image_1"[^>]*>[^<]*ne peut pas être lue')
        self.assertRegex(r.body, r'id="e-image_2"[^>]*>')
        self.assertNotIn('id="e-image_3"', r.body)
        self.assertIn('value="Gif"', r.body)   # what was typed is kept
        r = self.citizen_post(self.lucie, title="Sans alt %s" % t, files={"image_1": ("c.png", png(20, 20), "image/png")})
        self.assertEqual(r.status, 422)
        self.assertRegex(r.body, r'id="e-alt_1"[^>]*>[^<]*Décrivez')
        big = b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000001
        r = self.citizen_post(self.lucie, title="Trop gros %s" % t, alt_1="Gros", files={"image_1": ("big.png", big, "image/png")})
        self.assertEqual(r.status, 422)
        self.assertRegex(r.body, r'id="e-image_1"[^>]*>[^<]*5 Mo')
        wall = self.srv.client().get("/actualites").body
        self.assertNotIn(t, wall)

    def test_visitors_and_missing_people(self):
        anon = self.srv.client()
        r = anon.get("/actualites/nouvelle")
        self.assertEqual(r.status, 303)
        self.assertTrue(r.location.startswith("/connexion?suite="))
        r = self.lucie.post_form("/actualites", {"title": "Sans jeton", "status": "published"})
        self.assertEqual(r.status, 403)
        for path in ("/personnes/999999", "/personnes/abc", "/personnes/0", "/personnes/-1"):
            self.assertEqual(anon.get(path).status, 404, path)
        # A suspended account has no page, and its name is no longer a link.
        hugo = int(run_sql(self.srv, "SELECT id FROM accounts WHERE email_lower = 'hugo.mercier@example.org'"))
        self.assertEqual(anon.get("/personnes/%d" % hugo).status, 200)
        run_sql(self.srv, "UPDATE accounts SET suspended_at = 1 WHERE id = %d" % hugo)
        try:
            self.assertEqual(anon.get("/personnes/%d" % hugo).status, 404)
        finally:
            run_sql(self.srv, "UPDATE accounts SET suspended_at = NULL WHERE id = %d" % hugo)

    def test_hidden_posts_vanish_everywhere_but_for_moderators(self):
        t = tag()
        r = self.citizen_post(self.fatou, title="A masquer %s" % t)
        self.assertEqual(r.status, 303)
        slug = r.location.rsplit("/", 1)[1]
        run_sql(self.srv, "UPDATE posts SET hidden_at = 5 WHERE slug = '%s'" % slug)
        anon = self.srv.client()
        self.assertEqual(anon.get("/actualites/" + slug).status, 404)
        self.assertEqual(self.fatou.get("/actualites/" + slug).status, 404)
        self.assertNotIn(t, anon.get("/actualites").body)
        self.assertNotIn(t, anon.get("/actualites.atom").body)
        self.assertNotIn(t, anon.get("/personnes/%s" % run_sql(
            self.srv, "SELECT author_id FROM posts WHERE slug = '%s'" % slug)).body)
        self.assertError(anon.get_json("/api/v1/posts/" + slug), 404, "not_found")
        self.assertNotIn(t, anon.get_json("/api/v1/posts?limit=100").body)
        run_sql(self.srv, "UPDATE posts SET hidden_at = NULL WHERE slug = '%s'" % slug)
        self.assertEqual(anon.get("/actualites/" + slug).status, 200)

    def test_a_persons_page_pages_their_posts_by_cursor(self):
        api = self.srv.client()
        token = self.token_of("hugo.mercier@example.org")
        hugo = int(run_sql(self.srv, "SELECT id FROM accounts WHERE email_lower = 'hugo.mercier@example.org'"))
        t = tag()
        for i in range(12):
            r = api.post_json("/api/v1/me/posts", {"title": "Hugo %02d %s <i>" % (i, t), "status": "published"},
                              token=token)
            self.assertEqual(r.status, 201, r.body[:1000])
        r = self.srv.client().get("/personnes/%d" % hugo)
        self.assertEqual(r.status, 200)
        first = re.findall(r"Hugo (\d\d) %s &lt;i&gt;" % t, r.body)
        self.assertEqual(first, ["%02d" % i for i in range(11, 1, -1)])   # newest first, ten
        self.assertNotIn("<i>", r.body)
        m = re.search(r'<a rel="next" href="(/personnes/%d\?avant=[0-9]+-[0-9]+)">' % hugo, r.body)
        self.assertIsNotNone(m, r.body[-2000:])
        r = self.srv.client().get(m.group(1))
        self.assertEqual(re.findall(r"Hugo (\d\d) %s" % t, r.body), ["01", "00"])
        self.assertNotIn('rel="next"', r.body)
        self.assertIn('href="/personnes/%d">Les plus récentes</a>' % hugo, r.body)
        # Only their own posts: the API agrees.
        items = api.get_json("/api/v1/posts?author=%d&limit=100" % hugo).json()["items"]
        self.assertEqual(len(items), 12)
        self.assertTrue(all(p["author"]["id"] == hugo for p in items))

    # -- Atom

    def parse_feed(self, body):
        root = ET.fromstring(body.encode("utf-8"))
        self.assertEqual(root.tag, ATOM + "feed")
        self.assertTrue(root.find(ATOM + "id").text.startswith("http"))
        self.assertRegex(root.find(ATOM + "updated").text, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        entries = root.findall(ATOM + "entry")
        published = [e.find(ATOM + "published").text for e in entries]
        self.assertEqual(published, sorted(published, reverse=True))
        for e in entries:
            self.assertTrue(e.find(ATOM + "id").text.startswith("http"))
            self.assertIsNotNone(e.find(ATOM + "updated").text)
            self.assertIsNotNone(e.find(ATOM + "author/" + ATOM + "name").text)
        return root, entries

    def test_atom_feeds_of_the_territory_and_of_an_organisation(self):
        t = tag()
        r = self.citizen_post(self.lucie, title="Flux <&> %s" % t, body="Un *texte* & des <b>balises</b>.")
        self.assertEqual(r.status, 303)
        r = self.srv.client().get("/actualites.atom")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("application/atom+xml"))
        root, entries = self.parse_feed(r.body)
        titles = [e.find(ATOM + "title").text for e in entries]
        self.assertIn("Flux <&> %s" % t, titles)
        mine = entries[titles.index("Flux <&> %s" % t)]
        self.assertIn("<em>texte</em>", mine.find(ATOM + "content").text)
        self.assertNotIn("<b>", mine.find(ATOM + "content").text)
        self.assertEqual(mine.find(ATOM + "author/" + ATOM + "name").text, "Lucie Fabre")
        self.assertTrue(mine.find(ATOM + "author/" + ATOM + "uri").text.endswith("/personnes/%d" % self.lucie_id))
        # An organisation's feed has its posts only.
        r = self.srv.client().get("/organisations/%s/actualites.atom" % ORG)
        self.assertEqual(r.status, 200)
        root, entries = self.parse_feed(r.body)
        self.assertTrue(entries)
        for e in entries:
            self.assertTrue(e.find(ATOM + "author/" + ATOM + "uri").text.endswith("/organisations/" + ORG))
        self.assertIn("Le marché de Noël cherche des bénévoles", [e.find(ATOM + "title").text for e in entries])
        self.assertEqual(self.srv.client().get("/organisations/nulle-part/actualites.atom").status, 404)
        page = self.srv.client().get(r"/actualites/" + entries[0].find(ATOM + "link").get("href").rsplit("/", 1)[1])
        self.assertIn('href="/organisations/%s/actualites.atom"' % ORG, page.body)

    # -- the JSON API and the cursor

    def test_api_creates_reads_updates_and_deletes_posts_with_images(self):
        api = self.srv.client()
        data = base64.b64encode(png(1300, 650)).decode()
        r = api.post_json("/api/v1/orgs/%s/posts" % ORG,
                          {"title": "API %s" % tag(), "body": "Via **la fanfare**.", "status": "published",
                           "images": [{"data": data, "alt": "Un rectangle"}]}, token=self.owner_token)
        self.assertEqual(r.status, 201, r.body[:2000])
        p = r.json()
        self.assertEqual(r.header("Location"), "/api/v1/posts/" + p["slug"])
        self.assertEqual(p["organisation"]["slug"], ORG)
        self.assertIsNone(p["author"])
        self.assertEqual(p["images"][0]["width"], 1200)
        self.assertEqual(p["images"][0]["alt"], "Un rectangle")
        self.assertIn("<strong>la fanfare</strong>", p["body_html"])
        got = api.get_json("/api/v1/posts/" + p["slug"]).json()
        self.assertEqual(got["title"], p["title"])
        # A citizen's own post.
        r = api.post_json("/api/v1/me/posts", {"title": "Covoiturage %s" % tag(), "status": "published"},
                          token=self.lucie_token)
        self.assertEqual(r.status, 201, r.body[:2000])
        mine = r.json()
        self.assertIsNone(mine["organisation"])
        self.assertEqual(mine["author"]["id"], self.lucie_id)
        self.assertEqual(mine["author"]["name"], "Lucie Fabre")
        # Rights: another citizen may not change it; an outsider may not post for the organisation.
        self.assertError(api.patch_json("/api/v1/posts/" + mine["slug"], {"title": "Volé"}, token=self.fatou_token),
                         403, "forbidden")
        self.assertError(api.post_json("/api/v1/orgs/%s/posts" % ORG, {"title": "Intrus"}, token=self.fatou_token),
                         403, "forbidden")
        self.assertError(api.post_json("/api/v1/me/posts", {"title": "Anonyme"}), 401, "auth.required")
        self.assertError(api.delete("/api/v1/posts/" + mine["slug"], token=self.fatou_token), 403, "forbidden")
        # Bad input: JSON errors with codes and fields.
        e = self.assertError(api.post_json("/api/v1/me/posts", {"title": "ab", "images": [{"data": "@@@", "alt": "x"}]},
                                           token=self.lucie_token), 422, "form.invalid")
        self.assertIn("image_1", e["fields"])
        e = self.assertError(api.post_json("/api/v1/me/posts",
                                           {"title": "Cinq", "images": [{"data": data, "alt": "x"}] * 5},
                                           token=self.lucie_token), 422, "form.invalid")
        self.assertIn("images", e["fields"])
        e = self.assertError(api.post_json("/api/v1/me/posts",
                                           {"title": "Faux", "images": [{"data": base64.b64encode(FAKE_PNG).decode(),
                                                                         "alt": "x"}]},
                                           token=self.lucie_token), 422, "form.invalid")
        self.assertEqual(set(e["fields"]), {"image_1"})
        # Update: title, add an image, then remove it.
        r = api.patch_json("/api/v1/posts/" + mine["slug"],
                           {"title": "Covoiturage (complet)", "images": [{"data": data, "alt": "Une carte"}]},
                           token=self.lucie_token)
        self.assertEqual(r.status, 200, r.body[:2000])
        upd = r.json()
        self.assertEqual(upd["title"], "Covoiturage (complet)")
        self.assertEqual(upd["image_count"], 1)
        r = api.patch_json("/api/v1/posts/" + mine["slug"], {"remove_images": [upd["images"][0]["id"]]},
                           token=self.lucie_token)
        self.assertEqual(r.json()["image_count"], 0)
        r = api.delete("/api/v1/posts/" + mine["slug"], token=self.lucie_token)
        self.assertEqual(r.status, 204)
        self.assertError(api.get_json("/api/v1/posts/" + mine["slug"]), 404, "not_found")

    def test_cursor_pages_are_stable_while_new_posts_arrive(self):
        api = self.srv.client()
        # More than a page of the wall (20), whatever ran before.
        have = api.get_json("/api/v1/posts?limit=1").json()["total"]
        for i in range(max(3, 23 - have)):
            self.assertEqual(api.post_json("/api/v1/me/posts", {"title": "Page %d %s" % (i, tag()),
                                                                  "status": "published"},
                                           token=self.fatou_token).status, 201)
        first = api.get_json("/api/v1/posts?limit=2").json()
        self.assertEqual(len(first["items"]), 2)
        cursor = first["next_cursor"]
        self.assertTrue(cursor)
        before = [p["slug"] for p in api.get_json("/api/v1/posts?limit=3&cursor=" + cursor).json()["items"]]
        self.assertEqual(api.post_json("/api/v1/me/posts", {"title": "Arrivée %s" % tag(), "status": "published"},
                                       token=self.fatou_token).status, 201)
        after = [p["slug"] for p in api.get_json("/api/v1/posts?limit=3&cursor=" + cursor).json()["items"]]
        self.assertEqual(before, after)
        self.assertNotIn(first["items"][0]["slug"], after)
        self.assertError(api.get_json("/api/v1/posts?cursor=abc"), 400, "posts.cursor_invalid")
        self.assertError(api.get_json("/api/v1/posts?limit=0"), 400, "bad_request")
        # The wall pages the same way: "Plus anciennes" carries the cursor.
        wall = self.srv.client().get("/actualites")
        m = re.search(r'<a rel="next" href="(/actualites\?avant=[0-9]+-[0-9]+)">Plus anciennes</a>', wall.body)
        self.assertIsNotNone(m, wall.body[-3000:])
        older = self.srv.client().get(m.group(1))
        self.assertEqual(older.status, 200)
        first_titles = self.wall_titles(wall.body)
        older_titles = self.wall_titles(older.body)
        self.assertTrue(older_titles)
        self.assertFalse(set(first_titles) & set(older_titles))
        self.assertIn('href="/actualites">Les plus récentes</a>', older.body)
        # Filtered to citizens: only people's names, no organisation.
        r = self.srv.client().get("/actualites?kind=citizen")
        self.assertIn('class="post-person"', r.body)
        self.assertNotIn('class="post-org"', r.body)


if __name__ == "__main__":
    unittest.main()
