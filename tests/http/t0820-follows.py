# t0820-follows.py: follows through the real binary: the follow form, announcements through the real SMTP sink with List-Unsubscribe headers, one-click unsubscribe, the home feed and its cursor, pinning, supporters, "Mes abonnements", the JSON API.
import re
import time
import unittest

from agenda_test import ENV, ORG, Agenda, tag
from kiosque_test import Server, csrf, first_link, mail_text

FOLLOW = "/organisations/%s/suivre" % ORG
CREATE = "/organisations/%s/actualites" % ORG
NEW = CREATE + "/nouvelle"


class Follows(unittest.TestCase, Agenda):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.owner = cls.login(cls, "pierre.vignal@example.org")      # owner of the comité, editor of the mairie
        cls.fan = cls.login(cls, "fatou.diallo@example.org")
        cls.quiet = cls.login(cls, "lucie.fabre@example.org")
        cls.other = cls.login(cls, "julien.roux@example.org")

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def set_follow(self, c, mail, action="follow"):
        page = c.get("/organisations/" + ORG)
        self.assertEqual(page.status, 200)
        data = {"_csrf": csrf(page.body, FOLLOW), "action": action, "suite": "/organisations/" + ORG}
        if mail:
            data["mail"] = "1"
        r = c.post_form(FOLLOW, data)
        self.assertEqual(r.status, 303, r.body[:2000])
        return r

    def publish(self, c, title):
        r = c.get(NEW)
        self.assertEqual(r.status, 200, r.body[:2000])
        r = c.post_form(CREATE, {"_csrf": csrf(r.body, CREATE), "title": title, "body": "Avec **la fanfare**.",
                                 "status": "published"})
        self.assertEqual(r.status, 303, r.body[:4000])
        return re.match(r"^/actualites/([a-z0-9-]+)$", r.location).group(1)

    def announce(self, c, slug):
        page = c.get("/actualites/" + slug)
        action = "/actualites/%s/annoncer" % slug
        self.assertIn('action="%s"' % action, page.body)
        return c.post_form(action, {"_csrf": csrf(page.body, action)})

    def mails_to(self, to, title):
        return [m for m in self.srv.mails()
                if to in (m.get("X-Rcpt-To", "") + str(m.get("To", ""))) and title in str(m.get("Subject", ""))]

    # -- the follow form

    def test_follow_form_counts_and_refusals(self):
        r = self.srv.client().get("/organisations/" + ORG)
        self.assertIn("Se connecter pour suivre", r.body)
        self.assertNotIn('action="%s"' % FOLLOW, r.body)
        before = int(re.search(r'class="follow-count"><strong>(\d+)</strong>', r.body).group(1))
        c = self.other
        self.set_follow(c, mail=False)
        r = c.follow(c.get("/organisations/" + ORG))
        self.assertOneH1(r.body)
        self.assertIn("Ne plus suivre", r.body)
        self.assertIn('<label for="f-follow-mail">Recevoir ses annonces par e-mail</label>', r.body)
        self.assertNotRegex(r.body, r'id="f-follow-mail"[^>]*checked')
        self.assertIn('<strong>%d</strong>' % (before + 1), r.body)
        self.set_follow(c, mail=True)                     # following twice: one follow, mail on
        r = c.get("/organisations/" + ORG)
        self.assertRegex(r.body, r'id="f-follow-mail"[^>]*checked')
        self.assertIn('<strong>%d</strong>' % (before + 1), r.body)
        # "Mes abonnements" lists it; unfollowing from there.
        r = c.get("/compte/abonnements")
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn("Comité des fêtes", r.body)
        # Bad input: an unknown action, no CSRF token, a visitor.
        page = c.get("/organisations/" + ORG)
        r = c.post_form(FOLLOW, {"_csrf": csrf(page.body, FOLLOW), "action": "explode"})
        self.assertEqual(r.status, 400)
        r = c.post_form(FOLLOW, {"action": "unfollow"})
        self.assertEqual(r.status, 403)
        r = self.srv.client().post_form(FOLLOW, {"action": "follow"})
        self.assertIn(r.status, (303, 403))
        self.assertIn('<strong>%d</strong>' % (before + 1), c.get("/organisations/" + ORG).body)
        self.set_follow(c, mail=False, action="unfollow")
        r = c.get("/organisations/" + ORG)
        self.assertIn('<strong>%d</strong>' % before, r.body)
        self.assertNotIn("Ne plus suivre", r.body)

    def test_follow_a_person_and_see_their_own_posts(self):
        token = self.token_of(self.fan)
        api = self.srv.client()
        me = api.get_json("/api/v1/me", token=token).json()["id"]
        title = "Citoyenne %s" % tag()
        r = api.post_json("/api/v1/me/posts", {"title": title, "body": "Mon potager.", "status": "published"},
                          token=token)
        self.assertEqual(r.status, 201, r.body)
        c = self.other
        self.assertNotIn(title, c.get("/").body)
        page = c.get("/personnes/%d" % me)
        self.assertEqual(page.status, 200)
        action = "/personnes/%d/suivre" % me
        self.assertIn('action="%s"' % action, page.body)
        r = c.post_form(action, {"_csrf": csrf(page.body, action), "action": "follow"})
        self.assertEqual(r.status, 303, r.body[:2000])
        self.assertIn(title, re.search(r'<section class="feed".*?</section>', c.get("/").body, re.S).group(0))
        # Nobody follows themselves: no form on one's own page, and a refusal.
        own = self.fan.get("/personnes/%d" % me)
        self.assertNotIn('action="%s"' % action, own.body)
        r = self.fan.post_form(action, {"_csrf": csrf(own.body), "action": "follow"})
        self.assertEqual(r.status, 422)
        page = c.get("/personnes/%d" % me)
        r = c.post_form(action, {"_csrf": csrf(page.body, action), "action": "unfollow"})
        self.assertEqual(r.status, 303)
        self.assertNotIn(title, re.search(r'<section class="feed".*?</section>', c.get("/").body, re.S).group(0))

    def test_announce_an_event_once_by_its_organisers_only(self):
        self.set_follow(self.quiet, mail=True)
        title = "Bal %s" % tag()
        slug = Agenda.publish(self, self.owner, title=title)
        action = "/evenements/%s/annoncer" % slug
        page = self.quiet.get("/evenements/" + slug)
        self.assertNotIn(action, page.body)
        self.assertEqual(self.quiet.post_form(action, {"_csrf": csrf(page.body)}).status, 403)
        page = self.owner.get("/evenements/" + slug)
        self.assertIn('action="%s"' % action, page.body)
        r = self.owner.post_form(action, {"_csrf": csrf(page.body, action)})
        self.assertEqual(r.status, 303, r.body[:2000])
        m = self.srv.wait_mail(to="lucie.fabre@example.org", subject_contains=title)
        self.assertIn("/evenements/" + slug, mail_text(m))
        self.assertTrue(m["List-Unsubscribe"].startswith("<%s/desabonnement/" % self.srv.url))
        page = self.owner.get("/evenements/" + slug)
        self.assertIn("Annoncé aux abonnés le", page.body)
        self.assertEqual(self.owner.post_form(action, {"_csrf": csrf(page.body)}).status, 409)
        self.set_follow(self.quiet, mail=False)

    # -- announcements by mail, the test

    def test_opted_in_follower_gets_the_announcement_until_one_click_unsubscribe(self):
        self.set_follow(self.fan, mail=True)
        self.set_follow(self.quiet, mail=False)
        t = tag()
        first = "Annonce %s" % t
        slug = self.publish(self.owner, first)
        # Someone who may not publish for the comité cannot announce.
        page = self.quiet.get("/actualites/" + slug)
        self.assertNotIn("/annoncer", page.body)
        r = self.quiet.post_form("/actualites/%s/annoncer" % slug, {"_csrf": csrf(page.body)})
        self.assertEqual(r.status, 403)
        r = self.announce(self.owner, slug)
        self.assertEqual(r.status, 303, r.body[:2000])
        m = self.srv.wait_mail(to="fatou.diallo@example.org", subject_contains=first)
        text = mail_text(m)
        self.assertIn("/actualites/" + slug, text)
        link = first_link(text, self.srv.url + "/desabonnement/")
        self.assertEqual(m["List-Unsubscribe"], "<%s>" % link)
        self.assertEqual(m["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        # Announcing twice sends nothing new; the page says it was sent.
        page = self.owner.get("/actualites/" + slug)
        self.assertIn("Annoncé aux abonnés le", page.body)
        r = self.owner.post_form("/actualites/%s/annoncer" % slug, {"_csrf": csrf(page.body)})
        self.assertEqual(r.status, 409)
        # The unsubscribe page shows what it turns off; a bad token is refused.
        anon = self.srv.client()
        r = anon.get(link[len(self.srv.url):])
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn("Comité des fêtes", r.body)
        self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
        self.assertEqual(anon.get("/desabonnement/" + "0" * 64).status, 404)
        self.assertEqual(anon.get("/desabonnement/%3Cscript%3E").status, 404)
        # One click from the mail client: a POST with no session, no CSRF token.
        r = anon.request("POST", link[len(self.srv.url):], body=b"List-Unsubscribe=One-Click",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200, r.body[:2000])
        self.assertIn("est fait : vous ne recevrez plus", r.body)
        # She still follows, mail off.
        r = self.fan.get("/organisations/" + ORG)
        self.assertIn("Ne plus suivre", r.body)
        self.assertNotRegex(r.body, r'id="f-follow-mail"[^>]*checked')
        # The second announcement reaches the one who opted in since, not her.
        self.set_follow(self.quiet, mail=True)
        second = "Seconde %s" % t
        slug2 = self.publish(self.owner, second)
        self.assertEqual(self.announce(self.owner, slug2).status, 303)
        self.srv.wait_mail(to="lucie.fabre@example.org", subject_contains=second)
        time.sleep(1)
        self.assertEqual(self.mails_to("fatou.diallo@example.org", second), [])
        # Lucie never got the first one: she had not opted in.
        self.assertEqual(self.mails_to("lucie.fabre@example.org", first), [])
        # The supporters page: owner yes, others no.
        r = self.owner.get("/organisations/%s/abonnes" % ORG)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn(first, r.body)
        self.assertIn(second, r.body)
        self.assertEqual(self.quiet.get("/organisations/%s/abonnes" % ORG).status, 403)
        self.set_follow(self.quiet, mail=False)

    # -- the home feed

    def test_home_feed_shows_followed_posts_and_the_visitor_feed_the_pinned_highlight(self):
        self.set_follow(self.fan, mail=False)
        title = "Fil %s" % tag()
        visitor = self.srv.client()
        self.assertEqual(visitor.get("/").status, 200)    # the visitors' feed is now kept a few seconds...
        self.publish(self.owner, title)
        r = self.fan.get("/")
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn("Votre fil", r.body)
        self.assertIn(title, r.body)
        self.assertIn("Prochains événements", r.body)
        self.assertIn("Projets à soutenir", r.body)        # the campaigns block stays
        # ...yet a new post shows at once. Visitors: the territory's feed with the town hall's pinned post on top.
        r = visitor.get("/")
        self.assertIn("Actualités du territoire", r.body)
        hl = re.search(r'<section class="feed-highlights".*?</section>', r.body, re.S)
        self.assertIsNotNone(hl)
        self.assertIn("Travaux rue des Tilleuls", hl.group(0))
        self.assertIn(title, r.body)
        # Someone who follows nothing sees suggestions.
        r = self.other.get("/")
        self.assertIn("Votre fil est vide", r.body)
        self.assertIn("Mairie de Vesqueval", r.body)
        # A bad cursor is refused, and the server stays up.
        self.assertEqual(self.fan.get("/?apres=abc").status, 400)
        self.assertEqual(self.fan.get("/?apres=1-1").status, 200)

    def test_pin_and_unpin_by_the_public_body(self):
        r = self.owner.get("/actualites")
        m = re.search(r'href="/actualites/(travaux-rue-des-tilleuls[a-z0-9-]*)"', r.body)
        self.assertIsNotNone(m)
        slug = m.group(1)
        page = self.owner.get("/actualites/" + slug)
        action = "/actualites/%s/epingler" % slug
        self.assertIn("Retirer de la une", page.body)
        r = self.owner.post_form(action, {"_csrf": csrf(page.body, action), "pin": "0"})
        self.assertEqual(r.status, 303)
        self.assertIsNone(re.search(r'<section class="feed-highlights"', self.srv.client().get("/").body))
        page = self.owner.get("/actualites/" + slug)
        self.assertIn("Épingler à la une", page.body)
        r = self.owner.post_form(action, {"_csrf": csrf(page.body, action), "pin": "1"})
        self.assertEqual(r.status, 303)
        self.assertIn("feed-highlights", self.srv.client().get("/").body)
        # Not a member of the mairie: refused.
        r = self.quiet.post_form(action, {"_csrf": csrf(self.quiet.get("/").body), "pin": "0"})
        self.assertEqual(r.status, 403)
        # The comité is not a public body: no pin button on its posts.
        slug2 = self.publish(self.owner, "Pas épinglable %s" % tag())
        self.assertNotIn("/epingler", self.owner.get("/actualites/" + slug2).body)

    # -- the JSON API

    def token_of(self, c):
        page = c.get("/compte").body
        r = c.post_form("/compte/jetons", {"_csrf": csrf(page), "name": "tests %s" % tag()})
        return re.search(r'\b(kq_[0-9a-f]{64})\b', r.body).group(1)

    def test_api_follows_and_feed_cursor(self):
        token = self.token_of(self.other)
        api = self.srv.client()
        self.assertEqual(api.get_json("/api/v1/me/follows").status, 401)
        r = api.post_json("/api/v1/me/follows", {"kind": "planet", "id": "x"}, token=token)
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["error"]["code"], "form.invalid")
        r = api.post_json("/api/v1/me/follows", {"kind": "org", "slug": "nulle-part"}, token=token)
        self.assertEqual(r.status, 422)
        r = api.post_json("/api/v1/me/follows", {"kind": "org", "slug": ORG, "notify_by_mail": True}, token=token)
        self.assertEqual(r.status, 201, r.body)
        self.assertTrue(r.json()["following"])
        org_id = r.json()["id"]
        r = api.post_json("/api/v1/me/follows", {"kind": "org", "id": org_id}, token=token)
        self.assertEqual(r.status, 200)
        self.assertFalse(r.json()["notify_by_mail"])
        items = api.get_json("/api/v1/me/follows", token=token).json()["items"]
        self.assertEqual([i["slug"] for i in items], [ORG])
        # The feed by cursor: a post published between two pages does not shift the next one.
        for i in range(3):
            self.publish(self.owner, "Page %d %s" % (i, tag()))
        p1 = api.get_json("/api/v1/me/feed?limit=2", token=token).json()
        self.assertEqual(len(p1["items"]), 2)
        self.assertIsNotNone(p1["next"])
        expected = api.get_json("/api/v1/me/feed?limit=4", token=token).json()["items"][2:4]
        self.publish(self.owner, "Entre deux %s" % tag())
        p2 = api.get_json("/api/v1/me/feed?limit=2&after=" + p1["next"], token=token).json()
        self.assertEqual([p["slug"] for p in p2["items"]], [p["slug"] for p in expected])
        self.assertEqual(p2["highlights"], [])
        self.assertEqual(api.get_json("/api/v1/me/feed?after=zz", token=token).status, 400)
        r = api.delete("/api/v1/me/follows/org/%d" % org_id, token=token)
        self.assertEqual(r.status, 200)
        self.assertFalse(r.json()["following"])
        self.assertEqual(api.get_json("/api/v1/me/follows", token=token).json()["items"], [])


if __name__ == "__main__":
    unittest.main()
