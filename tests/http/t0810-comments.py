# t0810-comments.py: comments and "J'aime" through the real binary: the section on post, event and campaign pages, write, reply, edit, delete, likes without JavaScript, refusals (rights, CSRF, bad input, rate limit), hidden comments, the JSON API.
import html as htmllib
import re
import secrets
import unittest

from agenda_test import ENV, Agenda
from kiosque_test import Server, csrf
from sql_fixtures import run_sql

POST = "le-marche-de-noel-cherche-des-benevoles"     # demo post of the comité, with demo comments
PAGE = "/actualites/" + POST


def comment_ids(body):
    return [int(x) for x in re.findall(r'<li class="comment[^"]*" id="c-(\d+)"', body)]


def comment_block(body, cid):
    """The HTML of comment cid up to the next comment or the end of the list."""
    m = re.search(r'<li class="comment[^"]*" id="c-%d">(.*?)(?=<li class="comment|</ol></section>|<h3)' % cid, body, re.S)
    assert m, "comment %d not on the page" % cid
    return m.group(1)


class Comments(unittest.TestCase, Agenda):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.fatou = cls.login(cls, "fatou.diallo@example.org")
        cls.lucie = cls.login(cls, "lucie.fabre@example.org")
        cls.owner = cls.login(cls, "pierre.vignal@example.org")
        cls.moderator = cls.login(cls, "julien.roux@example.org")
        cls.tokens = {}

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def sql(self, q):
        return run_sql(self.srv, q)

    def token(self, c):
        if id(c) not in self.tokens:
            page = c.get("/compte").body
            r = c.post_form("/compte/jetons", {"_csrf": csrf(page), "name": "commentaires"})
            self.tokens[id(c)] = re.search(r"\b(kq_[0-9a-f]{64})\b", r.body).group(1)
        return self.tokens[id(c)]

    def comment(self, c, body, kind="post", subject=None, parent=None, page=PAGE, status=303):
        r = c.get(page)
        self.assertEqual(r.status, 200, r.body[:1000])
        subject = subject or re.search(r'name="subject" value="(\d+)"', r.body).group(1)
        data = {"_csrf": csrf(r.body, "/commentaires"), "kind": kind, "subject": str(subject), "body": body}
        if parent is not None:
            data["parent"] = str(parent)
        r = c.post_form("/commentaires", data)
        self.assertEqual(r.status, status, r.body[:3000])
        if status != 303:
            return r
        m = re.match(r"^%s#c-(\d+)$" % re.escape(page), r.location)
        self.assertIsNotNone(m, r.location)
        return int(m.group(1))

    def count_rows(self, where="1=1"):
        return int(self.sql("SELECT COUNT(*) FROM comments WHERE %s" % where))

    def assertError(self, r, status, code):
        self.assertEqual(r.status, status, r.body[:1000])
        self.assertEqual(r.header("Content-Type"), "application/json")
        e = r.json()["error"]
        self.assertEqual(e["code"], code)
        self.assertTrue(e["message"])
        return e

    # ---- pages

    def test_a_visitor_reads_the_demo_conversation_and_is_asked_to_log_in(self):
        r = self.srv.client().get(PAGE)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn('id="commentaires"', r.body)
        self.assertRegex(r.body, r'<h2 id="h-comments">Commentaires <span class="comments-count">\(\d+\)</span></h2>')
        self.assertIn("Je peux tenir la buvette le samedi après-midi, de 14 h à 18 h.<br>Ça vous va ?", r.body)
        self.assertIn('class="comment-replies"', r.body)
        self.assertIn("Fatou Diallo", r.body)
        self.assertIn('href="/connexion?suite=%2Factualites%2F' + POST + '%23commentaires"', r.body)
        self.assertIn("Connectez-vous pour commenter", r.body)
        self.assertNotIn('action="/commentaires"', r.body)
        self.assertNotIn('action="/reactions"', r.body)
        # The post's likes and each comment's, as plain counts; a "Signaler" link on each comment.
        self.assertRegex(r.body, r'<div class="like" id="jaime"><span class="like-count">\d+ J&#39;aime</span>')
        ids = comment_ids(r.body)
        self.assertGreaterEqual(len(ids), 4)
        for cid in ids:
            self.assertIn('href="/signaler?type=comment&amp;id=%d"' % cid, r.body)
        # The event and the campaign pages have their section too.
        ev = self.sql("SELECT e.slug FROM comments c JOIN events e ON e.id = c.subject_id"
                      " WHERE c.subject_kind = 'event' ORDER BY c.id LIMIT 1")
        r = self.srv.client().get("/evenements/" + ev)
        self.assertEqual(r.status, 200)
        self.assertIn("Est-ce que c&#39;est accessible en poussette ?", r.body)
        camp = self.sql("SELECT slug FROM campaigns WHERE status = 'live' ORDER BY id LIMIT 1")
        r = self.srv.client().get("/soutenir/" + camp)
        self.assertEqual(r.status, 200)
        self.assertIn('<h2 id="h-comments">Commentaires <span class="comments-count">(0)</span></h2>', r.body)
        self.assertIn("Aucun commentaire pour l&#39;instant.", r.body)

    def test_a_citizen_comments_replies_edits_and_deletes(self):
        t = secrets.token_hex(3)
        cid = self.comment(self.fatou, "Bonjour %s <script>alert(1)</script>\r\nÀ samedi !" % t)
        r = self.fatou.follow(self.fatou.get(PAGE))
        self.assertOneH1(r.body)
        block = comment_block(r.body, cid)
        self.assertIn("Bonjour %s &lt;script&gt;alert(1)&lt;/script&gt;<br>À samedi !" % t, block)
        self.assertNotIn("<script>alert", r.body)
        self.assertIn('href="/commentaires/%d/modifier"' % cid, block)
        self.assertIn('href="/commentaires/%d/supprimer"' % cid, block)
        self.assertNotIn("modifié", block)
        # Lucie replies, then replies to the reply: both land under the top-level comment.
        rid = self.comment(self.lucie, "Je viens aussi %s" % t, parent=cid)
        rid2 = self.comment(self.lucie, "Et ma sœur %s" % t, parent=rid)
        r = self.lucie.get(PAGE)
        m = re.search(r'id="c-%d">.*?<ol class="comment-replies"[^>]*>(.*?)</ol>' % cid, r.body, re.S)
        self.assertIsNotNone(m)
        self.assertEqual(comment_ids(m.group(1)), [rid, rid2])
        # Lucie may not touch Fatou's comment.
        block = comment_block(r.body, cid)
        self.assertNotIn("/commentaires/%d/modifier" % cid, block)
        token = csrf(r.body)
        self.assertEqual(self.lucie.get("/commentaires/%d/modifier" % cid).status, 403)
        self.assertEqual(self.lucie.post_form("/commentaires/%d/modifier" % cid,
                                              {"_csrf": token, "body": "Volé"}).status, 403)
        self.assertEqual(self.lucie.get("/commentaires/%d/supprimer" % cid).status, 403)
        self.assertEqual(self.lucie.post_form("/commentaires/%d/supprimer" % cid, {"_csrf": token}).status, 403)
        self.assertEqual(self.sql("SELECT body FROM comments WHERE id = %d" % cid).splitlines()[0],
                         "Bonjour %s <script>alert(1)</script>" % t)
        # Fatou edits: "modifié" with its time.
        r = self.fatou.get("/commentaires/%d/modifier" % cid)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn('for="f-body"', r.body)
        r = self.fatou.post_form("/commentaires/%d/modifier" % cid,
                                 {"_csrf": csrf(r.body, "/commentaires/%d/modifier" % cid), "body": "Corrigé %s" % t})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.location, "%s#c-%d" % (PAGE, cid))
        r = self.srv.client().get(PAGE)
        block = comment_block(r.body, cid)
        self.assertIn("Corrigé %s" % t, block)
        self.assertRegex(block, r'<span class="comment-edited">\(modifié <time datetime="[^"]+">[^<]+</time>\)</span>')
        # An empty edit is refused next to the field, nothing changed.
        r = self.fatou.post_form("/commentaires/%d/modifier" % cid, {"_csrf": csrf(self.fatou.get(PAGE).body), "body": "  "})
        self.assertEqual(r.status, 422)
        self.assertIn('class="field-error" id="e-body"', r.body)
        self.assertIn("Écrivez votre commentaire", r.body)
        self.assertIn("Corrigé %s" % t, self.sql("SELECT body FROM comments WHERE id = %d" % cid))
        # Fatou deletes it: the replies stay under "Commentaire supprimé".
        r = self.fatou.get("/commentaires/%d/supprimer" % cid)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        r = self.fatou.post_form("/commentaires/%d/supprimer" % cid,
                                 {"_csrf": csrf(r.body, "/commentaires/%d/supprimer" % cid)})
        self.assertEqual(r.status, 303)
        r = self.srv.client().get(PAGE)
        self.assertIn("Commentaire supprimé", comment_block(r.body, cid))
        self.assertNotIn("Corrigé %s" % t, r.body)
        self.assertIn("Je viens aussi %s" % t, r.body)
        # The replies deleted, the thread goes.
        for x in (rid, rid2):
            page = self.lucie.get("/commentaires/%d/supprimer" % x)
            self.assertEqual(self.lucie.post_form("/commentaires/%d/supprimer" % x, {"_csrf": csrf(page.body)}).status, 303)
        r = self.srv.client().get(PAGE)
        self.assertNotIn('id="c-%d"' % cid, r.body)
        self.assertEqual(self.srv.client().get("/commentaires/%d" % cid).status, 404)

    def test_publishers_and_moderators_delete_comments_on_their_content(self):
        a = self.comment(self.fatou, "À supprimer par le comité %s" % secrets.token_hex(3))
        b = self.comment(self.fatou, "À supprimer par la modération %s" % secrets.token_hex(3))
        for c, cid in ((self.owner, a), (self.moderator, b)):
            r = c.get(PAGE)
            self.assertIn('href="/commentaires/%d/supprimer"' % cid, comment_block(r.body, cid))
            self.assertNotIn('href="/commentaires/%d/modifier"' % cid, comment_block(r.body, cid))
            r = c.post_form("/commentaires/%d/supprimer" % cid, {"_csrf": csrf(r.body)})
            self.assertEqual(r.status, 303, r.body[:500])
        self.assertEqual(self.count_rows("id IN (%d, %d) AND deleted_at IS NOT NULL" % (a, b)), 2)

    def test_bad_input_gets_a_clear_message_and_writes_nothing(self):
        before = self.count_rows()
        r = self.comment(self.fatou, "   ", status=422)
        self.assertOneH1(r.body)
        self.assertIn('class="field-error" id="e-body"', r.body)
        self.assertIn("Écrivez votre commentaire avant de l&#39;envoyer.", r.body)
        self.assertIn('aria-invalid="true"', r.body)
        r = self.comment(self.fatou, "é" * 2001, status=422)
        self.assertIn("2 000 caractères", r.body)
        self.assertIn("é" * 2001, r.body)       # what was typed comes back
        token = csrf(self.fatou.get(PAGE).body)
        draft = "brouillon-" + secrets.token_hex(3)
        self.sql("INSERT INTO posts (org_id, slug, title, status, created_at, updated_at)"
                 " SELECT id, '%s', 'Brouillon', 'draft', 1, 1 FROM organisations"
                 " WHERE slug = 'comite-des-fetes-vesqueval'" % draft)
        draft_id = int(self.sql("SELECT id FROM posts WHERE slug = '%s'" % draft))
        post_id = int(self.sql("SELECT id FROM posts WHERE slug = '%s'" % POST))
        for fields in ({"kind": "post", "subject": str(draft_id)}, {"kind": "org", "subject": str(post_id)},
                       {"kind": "post", "subject": "abc"}, {"kind": "post", "subject": "999999"},
                       {"kind": "post", "subject": str(post_id), "parent": "abc"},
                       {"kind": "post", "subject": str(post_id), "parent": "999999"}, {}):
            data = {"_csrf": token, "body": "Bonjour"}
            data.update(fields)
            self.assertEqual(self.fatou.post_form("/commentaires", data).status, 404, fields)
        r = self.fatou.post_form("/reactions", {"_csrf": token, "kind": "post", "id": str(post_id), "on": "2"})
        self.assertEqual(r.status, 400)
        self.assertEqual(self.fatou.get("/commentaires/abc/modifier").status, 404)
        self.assertEqual(self.count_rows(), before)
        # A visitor is sent to log in.
        anon = self.srv.client()
        r = anon.post_form("/commentaires", {"_csrf": csrf(anon.get(PAGE).body), "kind": "post",
                                             "subject": str(post_id), "body": "Anonyme"})
        self.assertIn(r.status, (302, 303))
        self.assertIn("/connexion", r.location)
        self.assertEqual(self.count_rows(), before)

    def test_forms_without_their_token_are_refused(self):
        cid = self.comment(self.fatou, "Jeton %s" % secrets.token_hex(3))
        post_id = self.sql("SELECT id FROM posts WHERE slug = '%s'" % POST)
        before = self.count_rows()
        for path, data in (("/commentaires", {"kind": "post", "subject": post_id, "body": "Sans jeton"}),
                           ("/commentaires/%d/modifier" % cid, {"body": "Sans jeton"}),
                           ("/commentaires/%d/supprimer" % cid, {}),
                           ("/reactions", {"kind": "comment", "id": str(cid), "on": "1"})):
            for token in (None, "x" * 43):
                d = dict(data)
                if token:
                    d["_csrf"] = token
                self.assertEqual(self.fatou.post_form(path, d).status, 403, path)
        self.assertEqual(self.count_rows(), before)
        self.assertEqual(self.count_rows("id = %d AND deleted_at IS NULL AND edited_at IS NULL" % cid), 1)
        self.assertEqual(int(self.sql("SELECT COUNT(*) FROM reactions WHERE subject_kind = 'comment'"
                                      " AND subject_id = %d" % cid)), 0)

    def test_likes_work_without_javascript_and_count_once(self):
        c = self.login("ines.moreira@example.org")
        r = c.get(PAGE)
        m = re.search(r'<div class="like" id="jaime"><form[^>]*action="/reactions">(.*?)</form>', r.body, re.S)
        self.assertIsNotNone(m)
        self.assertIn('aria-pressed="false"', m.group(1))
        self.assertIn('name="on" value="1"', m.group(1))
        n = int(re.search(r'<span class="like-count">(\d+)</span>', m.group(1)).group(1))
        post_id = re.search(r'name="id" value="(\d+)"', m.group(1)).group(1)
        tok = csrf(r.body)
        for on in ("1", "1"):    # twice: a double click is one like
            r = c.post_form("/reactions", {"_csrf": tok, "kind": "post", "id": post_id, "on": on})
            self.assertEqual(r.status, 303)
            self.assertEqual(r.location, PAGE + "#jaime")
        r = c.get(PAGE)
        m = re.search(r'<div class="like" id="jaime"><form[^>]*action="/reactions">(.*?)</form>', r.body, re.S)
        self.assertIn('aria-pressed="true"', m.group(1))
        self.assertIn('<span class="like-count">%d</span>' % (n + 1), m.group(1))
        # A comment's like comes back to the comment.
        cid = comment_ids(r.body)[0]
        r = c.post_form("/reactions", {"_csrf": csrf(r.body), "kind": "comment", "id": str(cid), "on": "1"})
        self.assertEqual(r.location, "%s#c-%d" % (PAGE, cid))
        r = c.get(PAGE)
        self.assertIn('aria-pressed="true"', comment_block(r.body, cid))
        r = c.post_form("/reactions", {"_csrf": csrf(r.body), "kind": "post", "id": post_id, "on": "0"})
        r = c.get(PAGE)
        m = re.search(r'<div class="like" id="jaime"><form[^>]*action="/reactions">(.*?)</form>', r.body, re.S)
        self.assertIn('<span class="like-count">%d</span>' % n, m.group(1))

    def test_ten_comments_a_minute_then_a_clear_refusal(self):
        c = self.login("mathieu.brunel@example.org")
        tok = self.token(c)
        for i in range(10):
            r = self.srv.client().post_json("/api/v1/posts/%s/comments" % POST, {"body": "Message %d" % i}, token=tok)
            self.assertEqual(r.status, 201, r.body)
        r = self.comment(c, "Un de trop", status=429)
        self.assertIn("attendez une minute", r.body)
        self.assertIn('class="field-error" id="e-body"', r.body)
        self.assertError(self.srv.client().post_json("/api/v1/posts/%s/comments" % POST, {"body": "Encore"},
                                                     token=tok), 429, "comments.rate_limited")
        self.assertEqual(self.count_rows("body = 'Un de trop'"), 0)

    def test_hidden_comments_vanish_from_pages_and_api(self):
        t = secrets.token_hex(3)
        cid = self.comment(self.fatou, "Propos à cacher %s" % t)
        self.sql("UPDATE comments SET hidden_at = 1 WHERE id = %d" % cid)
        self.assertNotIn("Propos à cacher %s" % t, self.srv.client().get(PAGE).body)
        api = self.srv.client().get_json("/api/v1/posts/%s/comments" % POST).json()
        self.assertNotIn(cid, [x["id"] for x in api["items"]])
        self.assertEqual(self.srv.client().get("/commentaires/%d" % cid).status, 404)
        self.assertEqual(self.fatou.get("/commentaires/%d/modifier" % cid).status, 404)

    def test_names_and_texts_are_escaped_everywhere(self):
        self.sql("UPDATE accounts SET display_name = 'Antoine <script>\"''&' WHERE email = 'antoine.reynaud@example.org'")
        c = self.login("antoine.reynaud@example.org")
        cid = self.comment(c, "<b>gras</b> \"cité\" & 'apostrophe'")
        for client in (self.srv.client(), c):
            body = client.get(PAGE).body
            block = comment_block(body, cid)
            self.assertIn("Antoine &lt;script&gt;&quot;&#39;&amp;", block)
            self.assertIn("&lt;b&gt;gras&lt;/b&gt; &quot;cité&quot; &amp; &#39;apostrophe&#39;", block)
            self.assertNotIn("<script>", body)
        for path in ("/commentaires/%d/modifier" % cid, "/commentaires/%d/supprimer" % cid):
            body = c.get(path).body
            self.assertNotIn("<script>", body)
            self.assertNotIn("<b>gras", body)
        j = self.srv.client().get_json("/api/v1/posts/%s/comments" % POST).json()
        mine = [x for x in j["items"] if x["id"] == cid][0]
        self.assertEqual(mine["author"]["name"], "Antoine <script>\"'&")

    # ---- API

    def test_api_reads_writes_edits_and_deletes(self):
        anon = self.srv.client()
        r = anon.get_json("/api/v1/posts/%s/comments" % POST)
        self.assertEqual(r.status, 200)
        j = r.json()
        self.assertGreaterEqual(j["total"], 4)
        self.assertIsNone(j["next_after"])
        first = j["items"][0]
        self.assertEqual(first["author"]["name"], "Fatou Diallo")
        self.assertIn("buvette", first["body"])
        self.assertEqual(first["replies"][0]["parent_id"], first["id"])
        self.assertFalse(first["can_edit"])
        tok = self.token(self.lucie)
        other = self.token(self.fatou)
        t = secrets.token_hex(3)
        # Refusals first.
        self.assertError(anon.post_json("/api/v1/posts/%s/comments" % POST, {"body": "x"}), 401, "auth.required")
        self.assertError(anon.post_json("/api/v1/posts/%s/comments" % POST, {"body": "x"}, token="kq_" + "0" * 64),
                         401, "auth.token_invalid")
        r = anon.request("POST", "/api/v1/posts/%s/comments" % POST, body=b"{not json",
                         headers={"Content-Type": "application/json"}, token=tok)
        self.assertError(r, 400, "bad_request")
        e = self.assertError(anon.post_json("/api/v1/posts/%s/comments" % POST, {"body": ""}, token=tok), 422, "form.invalid")
        self.assertIn("body", e["fields"])
        self.assertError(anon.post_json("/api/v1/posts/%s/comments" % POST, {"body": 3}, token=tok), 422, "form.invalid")
        self.assertError(anon.post_json("/api/v1/posts/%s/comments" % POST, {"body": "x", "parent_id": "a"}, token=tok),
                         422, "form.invalid")
        self.assertError(anon.post_json("/api/v1/posts/%s/comments" % POST, {"body": "x", "parent_id": 999999}, token=tok),
                         404, "not_found")
        self.assertError(anon.post_json("/api/v1/posts/nulle-part/comments", {"body": "x"}, token=tok), 404, "not_found")
        self.assertError(anon.get_json("/api/v1/posts/nulle-part/comments"), 404, "not_found")
        self.assertError(anon.get_json("/api/v1/posts/%s/comments?after=x" % POST), 400, "bad_request")
        # Write, reply, edit.
        r = anon.post_json("/api/v1/posts/%s/comments" % POST, {"body": "Par l'API %s" % t}, token=tok)
        self.assertEqual(r.status, 201, r.body)
        c = r.json()
        self.assertIsNone(c["parent_id"])
        self.assertIsNone(c["edited_at"])
        self.assertEqual(c["author"]["name"], "Lucie Fabre")
        self.assertTrue(c["can_edit"])
        r = anon.post_json("/api/v1/posts/%s/comments" % POST, {"body": "Réponse %s" % t, "parent_id": c["id"]}, token=other)
        self.assertEqual(r.status, 201)
        reply = r.json()
        self.assertEqual(reply["parent_id"], c["id"])
        self.assertError(anon.patch_json("/api/v1/comments/%d" % c["id"], {"body": "Volé"}, token=other), 403, "forbidden")
        self.assertError(anon.delete("/api/v1/comments/%d" % c["id"], token=other), 403, "forbidden")
        self.assertError(anon.patch_json("/api/v1/comments/%d" % c["id"], {"body": " "}, token=tok), 422, "form.invalid")
        r = anon.patch_json("/api/v1/comments/%d" % c["id"], {"body": "Revu %s" % t}, token=tok)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["body"], "Revu %s" % t)
        self.assertIsNotNone(r.json()["edited_at"])
        # Likes on the comment and on the post.
        for method, likes, liked in (("POST", 1, True), ("POST", 1, True), ("DELETE", 0, False)):
            r = anon.request(method, "/api/v1/comments/%d/reactions" % c["id"], body=b"{}",
                             headers={"Content-Type": "application/json"}, token=other)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.json(), {"likes": likes, "liked": liked})
        r = anon.post_json("/api/v1/posts/%s/reactions" % POST, {}, token=other)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.json()["liked"])
        self.assertError(anon.post_json("/api/v1/posts/nulle-part/reactions", {}, token=other), 404, "not_found")
        self.assertError(anon.post_json("/api/v1/comments/999999/reactions", {}, token=other), 404, "not_found")
        listed = anon.get_json("/api/v1/posts/%s/comments" % POST, token=other).json()
        mine = [x for x in listed["items"] if x["id"] == c["id"]][0]
        self.assertEqual(mine["replies"][0]["id"], reply["id"])
        self.assertTrue(mine["replies"][0]["can_edit"])
        # Delete: the thread stays for its reply.
        r = anon.delete("/api/v1/comments/%d" % c["id"], token=tok)
        self.assertEqual(r.status, 204)
        listed = anon.get_json("/api/v1/posts/%s/comments" % POST).json()
        mine = [x for x in listed["items"] if x["id"] == c["id"]][0]
        self.assertTrue(mine["deleted"])
        self.assertEqual(mine["body"], "")
        self.assertError(anon.delete("/api/v1/comments/%d" % c["id"], token=tok), 404, "not_found")

    def test_api_comments_on_events_and_campaigns(self):
        tok = self.token(self.lucie)
        ev = self.sql("SELECT slug FROM events WHERE status = 'published' ORDER BY id LIMIT 1")
        camp = self.sql("SELECT slug FROM campaigns WHERE status = 'live' ORDER BY id LIMIT 1")
        t = secrets.token_hex(3)
        for path, page in (("/api/v1/events/%s" % ev, "/evenements/%s" % ev),
                           ("/api/v1/campaigns/%s" % camp, "/soutenir/%s" % camp)):
            r = self.srv.client().post_json(path + "/comments", {"body": "Sur %s %s" % (page, t)}, token=tok)
            self.assertEqual(r.status, 201, r.body)
            cid = r.json()["id"]
            j = self.srv.client().get_json(path + "/comments").json()
            self.assertIn(cid, [x["id"] for x in j["items"]])
            body = self.srv.client().get(page).body
            self.assertIn("Sur %s %s" % (htmllib.escape(page, quote=True), t), body)
            self.assertIn('id="c-%d"' % cid, body)
            r = self.srv.client().post_json(path + "/reactions", {}, token=tok)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.json()["likes"], 1)
        self.assertError(self.srv.client().get_json("/api/v1/campaigns/nulle-part/comments"), 404, "not_found")

    def test_openapi_documents_the_comment_paths(self):
        doc = self.srv.client().get_json("/api/v1/openapi.json").json()
        for p in ("/api/v1/posts/{slug}/comments", "/api/v1/events/{slug}/comments", "/api/v1/campaigns/{slug}/comments",
                  "/api/v1/comments/{id}", "/api/v1/comments/{id}/reactions", "/api/v1/posts/{slug}/reactions"):
            self.assertIn(p, doc["paths"])
        self.assertIn("Comment", doc["components"]["schemas"])


if __name__ == "__main__":
    unittest.main()
