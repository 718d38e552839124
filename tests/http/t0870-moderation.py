# t0870-moderation.py: reporting, the moderators' queue, hiding and restoring (content vanishes from
# pages, agenda, search and API at once), suspending an account, the audit log — through the real binary.
import re
import unittest

from agenda_test import ENV, ORG, Agenda, tag
from kiosque_test import Server, csrf, mail_text
from sql_fixtures import run_sql

MODERATOR = "julien.roux@example.org"
CITIZEN = "fatou.diallo@example.org"
OWNER = "pierre.vignal@example.org"


class Moderation(unittest.TestCase, Agenda):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.mod = cls.login(cls, MODERATOR)
        cls.citizen = cls.login(cls, CITIZEN)
        cls.owner = cls.login(cls, OWNER)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def publish_post(self, title):
        c = self.owner
        new = "/organisations/%s/actualites/nouvelle" % ORG
        r = c.get(new)
        r = c.post_form("/organisations/%s/actualites" % ORG,
                        {"_csrf": csrf(r.body, "/organisations/%s/actualites" % ORG), "title": title,
                         "body": "Annonce du comité.", "status": "published"})
        self.assertEqual(r.status, 303, r.body[:2000])
        slug = r.location.rsplit("/", 1)[1]
        pid = int(run_sql(self.srv, "SELECT id FROM posts WHERE slug = '%s'" % slug))
        return slug, pid

    def report(self, c, kind, id_, reason="spam", details="Publicité déguisée."):
        r = c.get("/signaler?type=%s&id=%d" % (kind, id_))
        self.assertEqual(r.status, 200, r.body[:2000])
        return c.post_form("/signaler", {"_csrf": csrf(r.body, "/signaler"), "type": kind, "id": str(id_),
                                         "reason": reason, "details": details})

    def act(self, kind, id_, what, note):
        page = "/moderation/contenu/%s/%d" % (kind, id_)
        r = self.mod.get(page)
        self.assertEqual(r.status, 200, r.body[:2000])
        action = "%s/%s" % (page, what)
        return self.mod.post_form(action, {"_csrf": csrf(r.body, action), "note": note})

    def test_visitors_must_log_in_and_citizens_cannot_moderate(self):
        c = self.srv.client()
        r = c.get("/signaler?type=organisation&id=1")
        self.assertEqual(r.status, 303)
        self.assertIn("/connexion", r.location)
        for path in ["/moderation", "/moderation/journal", "/moderation/contenu/organisation/1",
                     "/moderation/comptes/1"]:
            self.assertEqual(self.citizen.get(path).status, 403, path)
        # A forged form without the CSRF token changes nothing.
        r = self.mod.post_form("/moderation/contenu/organisation/1/masquer", {"note": "x"})
        self.assertEqual(r.status, 403)
        self.assertEqual(run_sql(self.srv, "SELECT COUNT(*) FROM organisations WHERE hidden_at IS NOT NULL"), "0")

    def test_report_form_checks_the_reason_and_the_content(self):
        slug, pid = self.publish_post("Annonce %s" % tag())
        r = self.citizen.get("/signaler?type=post&id=%d" % pid)
        self.assertOneH1(r.body)
        self.assertIn('for="f-reason"', r.body)
        self.assertIn('href="/actualites/%s"' % slug, r.body)
        r = self.report(self.citizen, "post", pid, reason="boring")
        self.assertEqual(r.status, 422)
        self.assertIn("Choisissez la raison du signalement.", r.body)
        self.assertEqual(run_sql(self.srv, "SELECT COUNT(*) FROM reports WHERE target_id = %d" % pid), "0")
        self.assertEqual(self.citizen.get("/signaler?type=post&id=999999").status, 404)
        self.assertEqual(self.citizen.get("/signaler?type=nothing&id=1").status, 404)
        r = self.report(self.citizen, "post", pid)
        self.assertEqual(r.status, 303)
        self.assertEqual(r.location, "/actualites/%s" % slug)
        r = self.citizen.follow(r)
        self.assertIn("votre signalement a été transmis", r.body)
        # Twice: one report.
        r = self.citizen.follow(self.report(self.citizen, "post", pid))
        self.assertIn("déjà signalé", r.body)
        self.assertEqual(run_sql(self.srv, "SELECT COUNT(*) FROM reports WHERE target_id = %d"
                                           " AND target_kind = 'post'" % pid), "1")

    def test_hiding_a_post_removes_it_everywhere_and_tells_the_author(self):
        t = tag()
        title = "Braderie %s" % t
        slug, pid = self.publish_post(title)
        visitor = self.srv.client()
        self.assertEqual(visitor.get("/actualites/" + slug).status, 200)
        self.assertIn(slug, visitor.get("/actualites").body)
        # A follower's home feed shows it (and keeps that page a few seconds: web/home.c).
        follower = self.login("lucie.fabre@example.org")
        page = follower.get("/organisations/" + ORG)
        action = "/organisations/%s/suivre" % ORG
        if "Ne plus suivre" not in page.body:
            r = follower.post_form(action, {"_csrf": csrf(page.body, action), "action": "follow",
                                            "suite": "/organisations/" + ORG})
            self.assertEqual(r.status, 303, r.body[:2000])
        self.assertIn(slug, follower.get("/").body)
        self.assertIn(slug, visitor.get("/").body)
        self.assertIn(slug, visitor.get("/recherche?q=braderie+%s" % t).body)
        self.assertEqual(self.report(self.citizen, "post", pid).status, 303)
        q = self.mod.get("/moderation")
        self.assertEqual(q.status, 200)
        self.assertOneH1(q.body)
        self.assertIn(title, q.body)
        self.assertIn("Publicité ou spam", q.body)
        # A note is required, shown next to the field.
        r = self.act("post", pid, "masquer", "  ")
        self.assertEqual(r.status, 422)
        self.assertIn('id="f-hide-note"', r.body)
        self.assertIn("Écrivez une note", r.body)
        self.assertEqual(visitor.get("/actualites/" + slug).status, 200)
        r = self.act("post", pid, "masquer", "Publicité commerciale %s." % t)
        self.assertEqual(r.status, 303, r.body[:2000])
        page = self.mod.follow(r)
        self.assertIn("Masqué", page.body)
        # Gone at once from the post page, the feeds, the wall, search and the API.
        self.assertEqual(visitor.get("/actualites/" + slug).status, 404)
        self.assertNotIn(slug, follower.get("/").body)
        self.assertNotIn(slug, visitor.get("/").body)
        self.assertNotIn(slug, visitor.get("/actualites").body)
        self.assertNotIn(slug, visitor.get("/recherche?q=braderie+%s" % t).body)
        api = visitor.get_json("/api/v1/search?q=braderie+%s" % t).json()
        self.assertEqual(api["posts"]["items"], [])
        # The moderator still opens it.
        self.assertEqual(self.mod.get("/actualites/" + slug).status, 200)
        # The author (the post's writer) got a mail with the note.
        m = self.srv.wait_mail(to=OWNER, subject_contains=title)
        self.assertIn("Publicité commerciale %s." % t, mail_text(m))
        # The report left the queue; the log keeps the act.
        self.assertNotIn(title, self.mod.get("/moderation").body)
        log = self.mod.get("/moderation/journal")
        self.assertIn("Publicité commerciale %s." % t, log.body)
        # Restore: back everywhere.
        r = self.act("post", pid, "retablir", "Vérifié avec le comité.")
        self.assertEqual(r.status, 303)
        self.assertEqual(visitor.get("/actualites/" + slug).status, 200)
        self.assertIn(slug, visitor.get("/recherche?q=braderie+%s" % t).body)
        # Acting on a state already reached says so and changes nothing.
        page = "/moderation/contenu/post/%d" % pid
        r = self.mod.get(page)
        self.assertNotIn(page + "/retablir", r.body)   # only the form that can work is offered
        r = self.mod.follow(self.mod.post_form(page + "/retablir", {"_csrf": csrf(r.body), "note": "Encore."}))
        self.assertIn("déjà fait", r.body)
        self.assertEqual(run_sql(self.srv, "SELECT COUNT(*) FROM moderation_log WHERE target_kind = 'post'"
                                           " AND target_id = %d" % pid), "2")

    def test_hiding_an_event_removes_it_from_agenda_page_and_api(self):
        t = tag()
        r = self.event_form(self.owner, title="Concert caché %s" % t)
        self.assertEqual(r.status, 303, r.body[:2000])
        slug = r.location.rsplit("/", 1)[1]
        eid = int(run_sql(self.srv, "SELECT id FROM events WHERE slug = '%s'" % slug))
        visitor = self.srv.client()
        self.assertEqual(visitor.get("/evenements/" + slug).status, 200)
        self.assertIn(slug, visitor.get("/evenements?q=%s" % t).body)
        self.assertEqual(self.report(self.citizen, "event", eid, reason="false").status, 303)
        self.assertEqual(self.act("event", eid, "masquer", "Événement fictif.").status, 303)
        self.assertEqual(visitor.get("/evenements/" + slug).status, 404)
        self.assertNotIn(slug, visitor.get("/evenements?q=%s" % t).body)
        self.assertEqual(visitor.get("/api/v1/events/" + slug).status, 404)
        self.assertNotIn(slug, visitor.get("/recherche?q=concert+cache+%s" % t).body)
        # Its organisation's owner still sees it, and was told.
        self.assertEqual(self.owner.get("/evenements/" + slug).status, 200)
        self.srv.wait_mail(to=OWNER, subject_contains="Concert caché %s" % t)

    def test_hiding_a_product_removes_its_page(self):
        row = run_sql(self.srv, "SELECT id || '|' || slug FROM products WHERE hidden_at IS NULL ORDER BY id LIMIT 1")
        pid, slug = int(row.split("|")[0]), row.split("|")[1]
        visitor = self.srv.client()
        page = visitor.get("/produits/" + slug)
        self.assertEqual(page.status, 200)
        self.assertIn('href="/signaler?type=product&amp;id=%d"' % pid, page.body)
        self.assertEqual(self.report(self.citizen, "product", pid, reason="false").status, 303)
        self.assertEqual(self.act("product", pid, "masquer", "Ce produit n'existe pas.").status, 303)
        self.assertEqual(visitor.get("/produits/" + slug).status, 404)
        self.assertNotIn("/produits/%s\"" % slug, visitor.get("/produits").body)
        self.assertEqual(self.act("product", pid, "retablir", "Erreur.").status, 303)
        self.assertEqual(visitor.get("/produits/" + slug).status, 200)

    def test_dismissing_keeps_the_content(self):
        oid = int(run_sql(self.srv, "SELECT id FROM organisations WHERE slug = '%s'" % ORG))
        self.assertEqual(self.report(self.citizen, "organisation", oid, reason="other",
                                     details="Je ne sais pas.").status, 303)
        r = self.act("organisation", oid, "classer", "")
        self.assertEqual(r.status, 303, r.body[:2000])
        self.assertEqual(self.srv.client().get("/organisations/" + ORG).status, 200)
        self.assertEqual(run_sql(self.srv, "SELECT COUNT(*) FROM reports WHERE target_kind = 'organisation'"
                                           " AND target_id = %d AND status = 'open'" % oid), "0")

    def test_suspending_an_account_ends_its_sessions_and_log_in(self):
        victim = self.login("lucie.fabre@example.org")
        self.assertEqual(victim.get("/compte").status, 200)
        aid = int(run_sql(self.srv, "SELECT id FROM accounts WHERE email = 'lucie.fabre@example.org'"))
        page = "/moderation/comptes/%d" % aid
        r = self.mod.get(page)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn("lucie.fabre@example.org", r.body)
        action = page + "/suspendre"
        r = self.mod.post_form(action, {"_csrf": csrf(r.body, action), "note": ""})
        self.assertEqual(r.status, 422)
        r = self.mod.get(page)
        r = self.mod.post_form(action, {"_csrf": csrf(r.body, action), "note": "Messages injurieux répétés."})
        self.assertEqual(r.status, 303)
        self.assertEqual(victim.get("/compte").status, 303)   # the session ended
        c = self.srv.client()
        r = c.get("/connexion")
        r = c.post_form("/connexion", {"_csrf": csrf(r.body), "email": "lucie.fabre@example.org",
                                       "password": "kiosque-demo"})
        self.assertNotEqual(r.status, 303)
        self.srv.wait_mail(to="lucie.fabre@example.org", subject_contains="suspendu")
        # A moderator cannot suspend another moderator (only an admin may).
        other = int(run_sql(self.srv, "SELECT id FROM accounts WHERE email = 'samira.benali@example.org'"))
        r = self.mod.get("/moderation/comptes/%d" % other)
        self.assertNotIn("/suspendre", r.body)
        action2 = "/moderation/comptes/%d/suspendre" % other
        r = self.mod.post_form(action2, {"_csrf": csrf(self.mod.get(page).body), "note": "Non."})
        self.assertEqual(r.status, 403)
        # Reactivate.
        r = self.mod.get(page)
        action = page + "/reactiver"
        r = self.mod.post_form(action, {"_csrf": csrf(r.body, action), "note": "Excuses reçues."})
        self.assertEqual(r.status, 303)
        self.login("lucie.fabre@example.org")


if __name__ == "__main__":
    unittest.main()
