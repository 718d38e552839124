# t0610-campaigns.py: crowdfunding campaigns through the real binary: an editor creates a campaign and its rewards
# through the pages, a guest backs it with the demo card and the progress moves on the campaign page and the list
# at /soutenir; a full reward is refused clearly; bad amounts are refused next to the field with nothing written;
# forms without their CSRF token are refused; what organisers and backers type is escaped; an update reaches the
# backers by mail; only the organisation's owner and editors edit.
#
# Fixture: `--demo` loads the organisations and accounts (data/demo/territory.json); everything else goes through
# the pages. Both backends are covered; nothing is skipped.
import re
import secrets
import time
import unittest

from agenda_test import ORG, PNG
from kiosque_test import Server, csrf, mail_text
from sql_fixtures import run_sql
from ticketing_fixtures import EDITOR, OUTSIDER, login


def end_date(days=10):
    return time.strftime("%Y-%m-%d", time.localtime(time.time() + days * 86400))


def local(url):
    return re.sub(r"^https?://[^/]+", "", url)


class CampaignsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(args=["--demo"], env={"KIOSQUE_FAST_HASH": "1"})
        try:
            cls.editor = login(cls.srv, EDITOR)
        except BaseException:
            cls.srv.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def count(self, sql):
        return int(run_sql(self.srv, sql) or 0)

    def create(self, title=None, goal="100", model="all_or_nothing", tiers=(), summary="Un toit neuf"):
        """A live campaign of ORG made by its editor through the pages, with its rewards; its slug."""
        title = title or "Restaurer le lavoir %s" % secrets.token_hex(3)
        r = self.editor.get("/organisations/%s/campagnes/nouvelle" % ORG)
        self.assertEqual(r.status, 200, r.body[:2000])
        fields = {"_csrf": csrf(r.body), "title": title, "summary": summary,
                  "story": "Le **lavoir** de 1850 fuit.", "category": "", "goal": goal, "model": model,
                  "starts_at": "", "ends_at": end_date(), "publish": "1"}
        r = self.editor.post_form("/organisations/%s/campagnes" % ORG, fields)
        self.assertEqual(r.status, 303, r.body[:3000])
        m = re.match(r"^/soutenir/([a-z0-9-]+)/modifier$", local(r.header("Location")))
        self.assertTrue(m, r.header("Location"))
        slug = m.group(1)
        for amount, name, quantity in tiers:
            edit = "/soutenir/%s/modifier" % slug
            action = "/soutenir/%s/contreparties" % slug
            r = self.editor.get(edit)
            self.assertEqual(r.status, 200)
            r = self.editor.post_form(action, {"_csrf": csrf(r.body, action), "amount": amount, "title": name,
                                               "description": "Une belle récompense", "delivery": "Au printemps",
                                               "quantity": quantity})
            self.assertEqual(r.status, 303, r.body[:3000])
        return slug

    def tier_id(self, slug, name):
        return self.count("SELECT t.id FROM campaign_tiers t JOIN campaigns c ON c.id = t.campaign_id"
                          " WHERE c.slug = '%s' AND t.title = '%s'" % (slug, name))

    def back(self, c, slug, amount, tier="0", name="Zoé Lefèvre", email=None, public=True, idem=None,
             message="Bon courage !"):
        r = c.get("/soutenir/%s" % slug)
        self.assertEqual(r.status, 200, r.body[:2000])
        fields = {"_csrf": csrf(r.body), "amount": amount, "tier": str(tier), "provider": "demo",
                  "backer_name": name, "backer_email": email or "zoe.%s@example.org" % secrets.token_hex(3),
                  "message": message,
                  "idem": idem or re.search(r'name="idem" value="([0-9a-f]+)"', r.body).group(1)}
        if public:
            fields["public"] = "1"
        return c.post_form("/soutenir/%s/contribuer" % slug, fields)

    def pay(self, c, location):
        """Follows the demo card to the end; the contribution's page."""
        m = re.match(r"^(/contributions/[0-9a-f]{64})/paiement-demo$", local(location))
        self.assertTrue(m, location)
        page = m.group(1)
        r = c.get(page + "/paiement-demo")
        self.assertEqual(r.status, 200)
        r = c.post_form(page + "/paiement-demo", {"_csrf": csrf(r.body)})
        self.assertEqual(r.status, 303)
        return page

    def test_a_guest_backs_with_the_demo_card_and_the_progress_moves(self):
        slug = self.create(goal="100", tiers=(("25", "Une tuile gravée", "2"),))
        tier = self.tier_id(slug, "Une tuile gravée")
        c = self.srv.client()
        r = c.get("/soutenir/%s" % slug)
        self.assertIn('<progress max="100" value="0"', r.body)
        self.assertIn("<strong>lavoir</strong>", r.body)        # the story, rendered
        self.assertIn("2 / 2 restantes", r.body)
        self.assertIn("0 contributeurs", r.body)
        r = self.back(c, slug, "30", tier=tier, name="Zoé Lefèvre")
        self.assertEqual(r.status, 303, r.body[:3000])
        page = local(r.header("Location")).replace("/paiement-demo", "")
        r = c.get(page)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
        self.assertIn("En attente du paiement", r.body)
        self.pay(c, page + "/paiement-demo")
        self.assertIn("Votre contribution est payée", c.get(page).body)
        # Paying twice changes nothing: one captured payment.
        r = c.post_form(page + "/paiement-demo", {"_csrf": csrf(c.get(page).body)})
        self.assertEqual(r.status, 303)
        secret = page.rsplit("/", 1)[1]
        self.assertEqual(self.count("SELECT COUNT(*) FROM payments p JOIN contributions k"
                                    " ON k.id = p.contribution_id WHERE k.secret = '%s'"
                                    " AND p.status = 'captured'" % secret), 1)
        r = c.get("/soutenir/%s" % slug)
        self.assertIn('<progress max="100" value="30"', r.body)
        self.assertIn("(30 %)", r.body)
        self.assertIn("1 contributeur", r.body)
        self.assertIn("1 / 2 restantes", r.body)
        self.assertIn("Zoé Lefèvre", r.body)
        # An anonymous backer shows as such, never by name.
        r = self.back(c, slug, "20", name="Jean Discret", public=False)
        self.assertEqual(r.status, 303, r.body[:3000])
        self.pay(c, r.header("Location"))
        r = c.get("/soutenir/%s" % slug)
        self.assertIn('<progress max="100" value="50"', r.body)
        self.assertIn("2 contributeurs", r.body)
        self.assertIn("Anonyme", r.body)
        self.assertNotIn("Jean Discret", r.body)
        # The list of live campaigns shows it with the same figures.
        r = c.get("/soutenir?tri=funded")
        self.assertEqual(r.status, 200)
        self.assertIn('href="/soutenir/%s"' % slug, r.body)
        self.assertIn('value="50"', r.body)
        self.srv.wait_mail(subject_contains="Merci pour votre soutien")
        # The organiser sees whom to give which reward to, anonymous backers included.
        r = self.editor.get("/soutenir/%s/modifier" % slug)
        table = r.body[r.body.index('id="contributions"'):]
        self.assertIn("Une tuile gravée", table)
        self.assertIn("Zoé Lefèvre", table)
        self.assertIn("Jean Discret", table)
        # Money that adds up: the ledger of the campaign's payments is what was paid.
        self.assertEqual(self.count("SELECT COALESCE(SUM(l.amount_cents), 0) FROM ledger l JOIN payments p"
                                    " ON p.id = l.payment_id JOIN contributions k ON k.id = p.contribution_id"
                                    " JOIN campaigns c ON c.id = k.campaign_id WHERE c.slug = '%s'" % slug), 5000)

    def test_a_full_reward_is_refused_clearly(self):
        slug = self.create(tiers=(("10", "Carte postale", "1"),))
        tier = self.tier_id(slug, "Carte postale")
        first = self.srv.client()
        r = self.back(first, slug, "10", tier=tier)
        self.assertEqual(r.status, 303, r.body[:3000])
        before = self.count("SELECT COUNT(*) FROM contributions")
        second = self.srv.client()
        r = self.back(second, slug, "15", tier=tier, name="Marc Blanc")
        self.assertEqual(r.status, 409, r.body[:3000])
        m = re.search(r'<p class="field-error" id="e-tier">([^<]*)</p>', r.body)
        self.assertTrue(m, r.body[:4000])
        self.assertIn("Cette contrepartie est épuisée", m.group(1))
        self.assertIn('value="Marc Blanc"', r.body)         # what was typed stays
        self.assertIn("Épuisée", r.body)
        self.assertEqual(self.count("SELECT COUNT(*) FROM contributions"), before)
        self.assertEqual(self.count("SELECT taken FROM campaign_tiers WHERE id = %d" % tier), 1)
        # Without a reward the second backer still gets through.
        r = self.back(second, slug, "15", name="Marc Blanc")
        self.assertEqual(r.status, 303, r.body[:3000])

    def test_bad_amounts_are_refused_next_to_the_field_and_nothing_is_written(self):
        slug = self.create(tiers=(("25", "Visite du chantier", ""),))
        tier = self.tier_id(slug, "Visite du chantier")
        c = self.srv.client()
        before = self.count("SELECT COUNT(*) FROM contributions")
        for amount, t, message in (("0,50", "0", "La contribution minimum est de 1"),
                                   ("abc", "0", "Écrivez un montant en euros"),
                                   ("-5", "0", "Écrivez un montant en euros"),
                                   ("12,505", "0", "Écrivez un montant en euros"),
                                   ("100000,01", "0", "Au-delà de 100"),
                                   ("", "0", "Choisissez un montant"),
                                   ("10", tier, "au moins celui de la contrepartie")):
            r = self.back(c, slug, amount, tier=t)
            self.assertEqual(r.status, 422, (amount, r.body[:2000]))
            m = re.search(r'<p class="field-error" id="e-amount">([^<]*)</p>', r.body)
            self.assertTrue(m, (amount, r.body[:4000]))
            self.assertIn(message, m.group(1), amount)
            self.assertIn('aria-invalid="true"', r.body)
            self.assertIn('value="Zoé Lefèvre"', r.body)
        self.assertEqual(self.count("SELECT COUNT(*) FROM contributions"), before)

    def test_forms_without_their_csrf_token_are_refused(self):
        slug = self.create()
        c = self.srv.client()
        c.get("/soutenir/%s" % slug)
        before = self.count("SELECT COUNT(*) FROM contributions")
        fields = {"amount": "20", "tier": "0", "provider": "demo", "backer_name": "Eve",
                  "backer_email": "eve@example.org", "idem": secrets.token_hex(16)}
        self.assertEqual(c.post_form("/soutenir/%s/contribuer" % slug, fields).status, 403)
        self.assertEqual(c.post_form("/soutenir/%s/contribuer" % slug, dict(fields, _csrf="0" * 64)).status, 403)
        self.assertEqual(self.count("SELECT COUNT(*) FROM contributions"), before)
        n = self.count("SELECT COUNT(*) FROM campaigns")
        r = self.editor.post_form("/organisations/%s/campagnes" % ORG, {
            "title": "Sans jeton", "goal": "100", "model": "keep_it", "ends_at": end_date(), "publish": "1"})
        self.assertEqual(r.status, 403)
        r = self.editor.post_form("/soutenir/%s/actualites" % slug, {"title": "x", "body": "y"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.count("SELECT COUNT(*) FROM campaigns"), n)

    def test_what_organisers_and_backers_type_is_escaped(self):
        evil = "Zoé <script>alert('x')</script> \"&amp; Cie"
        slug = self.create(title="Lavoir <script>alert('t')</script>", summary=evil, tiers=(("10", evil, ""),))
        action = "/soutenir/%s/actualites" % slug
        r = self.editor.post_form(action, {"_csrf": csrf(self.editor.get("/soutenir/%s/modifier" % slug).body,
                                                         action), "title": evil, "body": evil})
        self.assertEqual(r.status, 303, r.body[:2000])
        c = self.srv.client()
        r = self.back(c, slug, "abc", name=evil)          # refused: the page comes back with it
        self.assertEqual(r.status, 422)
        self.assertNotIn("<script>alert", r.body)
        self.assertIn("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;&amp;amp; Cie", r.body)
        r = self.back(c, slug, "15", name=evil, message=evil)
        self.assertEqual(r.status, 303)
        self.pay(c, r.header("Location"))
        for path in ("/soutenir/%s" % slug, "/soutenir", "/soutenir/%s/modifier" % slug):
            r = (self.editor if path.endswith("modifier") else c).get(path)
            self.assertEqual(r.status, 200, path)
            self.assertNotIn("<script>alert", r.body, path)
            self.assertIn("&lt;script&gt;", r.body, path)

    def test_an_update_reaches_the_backers_by_mail(self):
        slug = self.create()
        c = self.srv.client()
        email = "suzanne.%s@example.org" % secrets.token_hex(3)
        r = self.back(c, slug, "40", email=email, name="Suzanne Roux")
        self.pay(c, r.header("Location"))
        edit = "/soutenir/%s/modifier" % slug
        action = "/soutenir/%s/actualites" % slug
        r = self.editor.get(edit)
        # An empty text is refused next to its field.
        r = self.editor.post_form(action, {"_csrf": csrf(r.body, action), "title": "Le chantier", "body": ""})
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-u-body"', r.body)
        r = self.editor.post_form(action, {"_csrf": csrf(r.body, action), "title": "Le chantier commence",
                                           "body": "Les **tuiles** sont arrivées."})
        self.assertEqual(r.status, 303, r.body[:2000])
        r = c.get("/soutenir/%s" % slug)
        self.assertIn("Le chantier commence", r.body)
        self.assertIn("<strong>tuiles</strong>", r.body)
        m = self.srv.wait_mail(to=email, subject_contains="Le chantier commence")
        self.assertIn("Les **tuiles** sont arrivées.", mail_text(m))

    def test_only_the_owner_and_editors_edit(self):
        slug = self.create()
        outsider = login(self.srv, OUTSIDER)
        self.assertEqual(outsider.get("/organisations/%s/campagnes/nouvelle" % ORG).status, 403)
        self.assertEqual(outsider.get("/soutenir/%s/modifier" % slug).status, 403)
        r = outsider.post_form("/soutenir/%s/actualites" % slug, {"_csrf": csrf(outsider.get("/").body),
                                                                    "title": "Pirate", "body": "Pirate"})
        self.assertEqual(r.status, 403)
        visitor = self.srv.client()
        r = visitor.get("/soutenir/%s/modifier" % slug)
        self.assertIn(r.status, (302, 303))
        self.assertNotIn("/soutenir/%s/modifier" % slug, outsider.get("/soutenir/%s" % slug).body)
        self.assertIn("/soutenir/%s/modifier" % slug, self.editor.get("/soutenir/%s" % slug).body)
        # A cover picture, sent with the form (multipart), shown on the page and served from its URL.
        edit = "/soutenir/%s/modifier" % slug
        r = self.editor.get(edit)
        fields = {"_csrf": csrf(r.body, edit), "title": "Le lavoir en images", "summary": "", "story": "",
                  "category": ""}
        r = self.editor.post_form(edit, fields, files={"image": ("evil.svg", b"<svg onload=x>", "image/svg+xml")})
        self.assertEqual(r.status, 422, r.body[:2000])
        self.assertIn('id="e-c-image"', r.body)
        r = self.editor.post_form(edit, fields, files={"image": ("lavoir.png", PNG, "image/png")})
        self.assertEqual(r.status, 303, r.body[:2000])
        r = self.srv.client().get("/soutenir/%s" % slug)
        m = re.search(r'<img class="campaign-image" src="(/soutenir/[^"]+/image\?v=[0-9a-f]+)" alt="([^"]*)"', r.body)
        self.assertTrue(m, r.body[:3000])
        self.assertEqual(m.group(2), "Le lavoir en images")
        img = self.srv.client().get(m.group(1).replace("&amp;", "&"))
        self.assertEqual(img.status, 200)
        self.assertEqual(img.header("Content-Type"), "image/png")
        self.assertEqual(img.raw, PNG)
        # The organisation's own list: every campaign, for its owner and editors only.
        r = self.editor.get("/organisations/%s/campagnes" % ORG)
        self.assertEqual(r.status, 200)
        self.assertIn('href="/soutenir/%s/modifier"' % slug, r.body)
        self.assertIn('href="/organisations/%s/campagnes/nouvelle"' % ORG, r.body)
        self.assertEqual(outsider.get("/organisations/%s/campagnes" % ORG).status, 403)


class CampaignDeadlineTest(unittest.TestCase):
    """The job thread of the real binary at the end date: restarted with its clock past the end, it settles an
    all-or-nothing campaign that missed its goal, refunds the contribution once and mails the backer."""

    def test_a_missed_goal_is_refunded_by_the_job_after_a_restart(self):
        env = {"KIOSQUE_FAST_HASH": "1"}
        with Server(args=["--demo"], env=env) as srv:
            editor = login(srv, EDITOR)
            r = editor.get("/organisations/%s/campagnes/nouvelle" % ORG)
            r = editor.post_form("/organisations/%s/campagnes" % ORG, {
                "_csrf": csrf(r.body), "title": "Un four à pain", "goal": "1000", "model": "all_or_nothing",
                "ends_at": end_date(3), "publish": "1"})
            self.assertEqual(r.status, 303, r.body[:2000])
            slug = re.match(r"^/soutenir/([a-z0-9-]+)/modifier$", local(r.header("Location"))).group(1)
            c = srv.client()
            r = c.get("/soutenir/%s" % slug)
            r = c.post_form("/soutenir/%s/contribuer" % slug, {
                "_csrf": csrf(r.body), "amount": "40", "tier": "0", "provider": "demo", "public": "1",
                "backer_name": "Paul Martin", "backer_email": "paul.martin@example.org",
                "idem": re.search(r'name="idem" value="([0-9a-f]+)"', r.body).group(1)})
            self.assertEqual(r.status, 303, r.body[:2000])
            page = re.match(r"^(/contributions/[0-9a-f]{64})/paiement-demo$", local(r.header("Location"))).group(1)
            r = c.post_form(page + "/paiement-demo", {"_csrf": csrf(c.get(page + "/paiement-demo").body)})
            self.assertEqual(r.status, 303)
            # Four days later: the job settles at its first pass after the restart.
            srv.restart(env=dict(env, KIOSQUE_TIME_OFFSET=str(4 * 86400)))
            m = srv.wait_mail(to="paul.martin@example.org", subject_contains="remboursé")
            self.assertIn(srv.url + page, mail_text(m))
            self.assertIn("objectif non atteint", c.get("/soutenir/%s" % slug).body)
            self.assertIn("remboursée", c.get(page).body)
            sql = ("SELECT COUNT(*) FROM refunds r JOIN payments p ON p.id = r.payment_id JOIN contributions k"
                   " ON k.id = p.contribution_id WHERE k.secret = '%s'" % page.rsplit("/", 1)[1])
            self.assertEqual(int(run_sql(srv, sql + " AND r.status = 'done'")), 1)
            # Restarted again: nothing is refunded twice.
            srv.restart()
            self.assertEqual(c.get("/healthz").status, 200)
            self.assertEqual(int(run_sql(srv, sql)), 1)


if __name__ == "__main__":
    unittest.main()
