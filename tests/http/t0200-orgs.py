# t0200-orgs.py: organisations through the real binary: create with a logo, directory, public page, members, invitations, refusals.
import re
import secrets
import unittest

from kiosque_test import Server, csrf, first_link, forms, mail_text

PW = "correct horse battery"
ENV = {"KIOSQUE_FAST_HASH": "1"}

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


def fresh_email(tag="user"):
    return "%s.%s@example.org" % (tag, secrets.token_hex(4))


def tag():
    return secrets.token_hex(3)


class Flow:
    """Sign-up, mailed verification and log-in through the account pages; self.srv is the Server."""

    def mark(self):
        return len(self.srv.mails())

    def logged_in(self, name="Marie Dupont", email=None):
        email = email or fresh_email()
        c = self.srv.client()
        since = self.mark()
        r = c.get("/inscription")
        r = c.post_form("/inscription", {"_csrf": csrf(r.body), "display_name": name, "email": email,
                                         "password": PW})
        self.assertEqual(r.status, 200, r.body[:2000])
        m = self.srv.wait_mail(to=email, subject_contains="Confirmez", since=since)
        link = first_link(mail_text(m), self.srv.url + "/compte/verifier?jeton=")
        r = c.post_form("/compte/verifier", {"_csrf": csrf(c.get("/").body), "jeton": link.split("jeton=", 1)[1]})
        self.assertEqual(r.status, 303)
        r = c.get("/connexion")
        r = c.post_form("/connexion", {"_csrf": csrf(r.body), "email": email, "password": PW})
        self.assertEqual(r.status, 303, r.body[:2000])
        c.email = email
        c.name = name
        return c

    def token(self, c):
        return csrf(c.get("/").body)

    def create_org(self, c, name, **fields):
        r = c.get("/organisations/nouvelle")
        self.assertEqual(r.status, 200)
        data = {"_csrf": csrf(r.body, "/organisations"), "kind": "association", "name": name,
                "summary": "Une association du village.", "category": "patrimoine", "commune": "26391"}
        data.update(fields)
        return c.post_form("/organisations", data)

    def new_org(self, c, name=None, **fields):
        name = name or "Les Amis du Lavoir %s" % tag()
        r = self.create_org(c, name, **fields)
        self.assertEqual(r.status, 303, r.body[:3000])
        m = re.match(r"^/organisations/([a-z0-9-]+)/modifier$", r.location)
        self.assertIsNotNone(m, r.location)
        return m.group(1)

    def assertOneH1(self, body):
        self.assertEqual(len(re.findall(r"<h1[ >]", body)), 1, body[:2000])

    def assertLandmarks(self, body):
        for lm in ("<main", "<header", "<footer", "<nav"):
            self.assertIn(lm, body)

    def member_ids(self, body):
        """{display name: account id} from the members page."""
        out = {}
        for m in re.finditer(r'<li class="card"><h2>([^<]+?)(?: <span[^>]*>[^<]*</span>)?</h2>(.*?)</li>', body, re.S):
            ids = re.findall(r"/membres/(\d+)/retirer", m.group(2))
            if ids:
                out[m.group(1)] = ids[0]
        return out


class Organisations(unittest.TestCase, Flow):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def test_create_with_logo_then_directory_and_public_page(self):
        owner = self.logged_in("Olga Responsable")
        r = owner.get("/organisations/nouvelle")
        self.assertOneH1(r.body)
        self.assertLandmarks(r.body)
        for attr in ['for="f-name"', 'for="f-kind"', 'for="f-commune"', 'for="f-website"', 'name="_csrf"']:
            self.assertIn(attr, r.body)
        t = tag()
        name = "Amis du Lavoir %s <script>x</script>" % t
        desc = "Nous **restaurons** le lavoir.\n\n<script>alert(1)</script>\n\n[piège](javascript:alert(1))"
        r = self.create_org(owner, name, description=desc, email="contact@lavoir.example.org",
                            phone="04 75 53 21 08", website="https://lavoir.example.org",
                            address="Rue du Lavoir")
        self.assertEqual(r.status, 303, r.body[:3000])
        slug = re.match(r"^/organisations/([a-z0-9-]+)/modifier$", r.location).group(1)
        self.assertTrue(slug.startswith("amis-du-lavoir-" + t))
        r = owner.follow(r)
        self.assertEqual(r.status, 200)
        self.assertIn("fiche de l&#39;organisation est créée", r.body)
        self.assertOneH1(r.body)
        self.assertIn('enctype="multipart/form-data"', r.body)

        # The logo: a PNG, sent with a misleading name and type, is stored as what its bytes say.
        r = owner.post_form("/organisations/%s/logo" % slug, {"_csrf": csrf(r.body, "/organisations/%s/logo" % slug)},
                            files={"logo": ("logo.gif", PNG, "image/gif")})
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertIn("nouveau logo", owner.follow(r).body)
        r = self.srv.client().get("/organisations/%s/logo" % slug)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "image/png")
        self.assertEqual(r.raw, PNG)
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertIn("max-age", r.header("Cache-Control"))
        etag = r.header("ETag")
        self.assertRegex(etag, r'^"[0-9a-f]{64}"$')
        r = self.srv.client().get("/organisations/%s/logo" % slug, headers={"If-None-Match": etag})
        self.assertEqual(r.status, 304)

        # The directory finds it by a word of its name, whatever the case.
        anon = self.srv.client()
        r = anon.get("/annuaire?q=LAVOIR+" + t)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn('aria-current="page"', r.body)          # "Annuaire" in the navigation
        card = re.search(r'<li class="card org-card">.*?</li>', r.body, re.S).group(0)
        self.assertIn("/organisations/%s/logo?v=" % slug, card)
        self.assertIn("badge-association", card)
        self.assertIn("Vesqueval", card)
        self.assertIn("Une association du village.", card)
        self.assertIn("&lt;script&gt;", card)
        self.assertNotIn("<script>x", r.body)
        r = anon.get("/annuaire?q=%s&kind=producer" % t)
        self.assertIn('class="empty"', r.body)
        r = anon.get("/annuaire?q=%s&kind=association&commune=26391&category=patrimoine" % t)
        self.assertEqual(r.body.count('class="card org-card"'), 1)
        r = anon.get("/annuaire?q=%s&commune=26392" % t)
        self.assertEqual(r.body.count('class="card org-card"'), 0)

        # The public page: Markdown safely rendered, contacts as links, the agenda to come.
        r = anon.get("/organisations/" + slug)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertLandmarks(r.body)
        self.assertIn("<strong>restaurons</strong>", r.body)
        self.assertNotIn("<script>alert", r.body)
        self.assertNotIn('href="javascript:', r.body)
        self.assertIn('href="mailto:contact@lavoir.example.org"', r.body)
        self.assertIn('href="tel:0475532108"', r.body)
        self.assertIn('href="https://lavoir.example.org"', r.body)
        self.assertIn("Prochains événements", r.body)        # the agenda block, saying there is none yet
        self.assertIn("Aucun événement à venir", r.body)
        self.assertNotIn("/organisations/%s/modifier" % slug, r.body)   # visitors get no edit link
        r = owner.get("/organisations/" + slug)
        self.assertIn("/organisations/%s/modifier" % slug, r.body)
        self.assertIn("/organisations/%s/membres" % slug, r.body)
        self.assertEqual(anon.get("/organisations/nope-" + t).status, 404)

    def test_edit_profile_and_refusals(self):
        owner = self.logged_in("Olga Responsable")
        slug = self.new_org(owner)
        r = owner.get("/organisations/%s/modifier" % slug)
        action = "/organisations/%s/modifier" % slug
        fields = [f for a, f in forms(r.body) if a.get("action") == action][0]
        fields.update({"name": "Nouveau nom %s" % tag(), "website": "javascript:alert(1)", "kind": "association",
                       "category": "patrimoine", "description": "", "commune": "26392"})
        r = owner.post_form(action, fields)
        self.assertEqual(r.status, 422)
        self.assertOneH1(r.body)
        self.assertIn('id="e-website"', r.body)
        self.assertRegex(r.body, r'id="f-website"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*e-website')
        self.assertIn('href="#f-website"', r.body)   # the summary links to the field
        fields["website"] = "https://example.org"
        r = owner.post_form(action, fields)
        self.assertEqual(r.status, 303)
        self.assertEqual(r.location, "/organisations/" + slug)
        r = owner.follow(r)
        self.assertIn(fields["name"], r.body)
        self.assertIn("Aigueclaire", r.body)

        # A stranger may not see the form, nor post it; a post without the CSRF field is refused.
        stranger = self.logged_in("Sam Inconnu")
        self.assertEqual(stranger.get(action).status, 403)
        r = stranger.post_form(action, {"_csrf": self.token(stranger), "name": "Piraté", "kind": "association"})
        self.assertEqual(r.status, 403)
        self.assertIn("pas le droit", r.body)
        r = owner.post_form(action, {"name": "Sans jeton", "kind": "association"})
        self.assertEqual(r.status, 403)
        self.assertIn("formulaire a expiré", r.body)
        self.assertNotIn("Piraté", self.srv.client().get("/organisations/" + slug).body)
        # Visitors are sent to the log-in page.
        r = self.srv.client().get(action)
        self.assertEqual(r.status, 303)
        self.assertTrue(r.location.startswith("/connexion"))

    def test_bad_logos_are_refused_next_to_the_field(self):
        owner = self.logged_in("Olga Responsable")
        slug = self.new_org(owner)
        action = "/organisations/%s/logo" % slug
        for name, data, ctype in [("logo.svg", SVG, "image/svg+xml"), ("logo.png", SVG, "image/png"),
                                  ("logo.gif", GIF, "image/gif"), ("logo.jpg", b"just some text", "image/jpeg")]:
            r = owner.post_form(action, {"_csrf": self.token(owner)}, files={"logo": (name, data, ctype)})
            self.assertEqual(r.status, 415, name)
            self.assertOneH1(r.body)
            self.assertIn('id="e-logo"', r.body)
            self.assertRegex(r.body, r'id="f-logo"[^>]*aria-describedby="[^"]*e-logo')
            self.assertIn("pas une image PNG, JPEG ou WebP", r.body)
        big = JPEG + b"\x00" * (2 * 1024 * 1024 + 1 - len(JPEG))
        r = owner.post_form(action, {"_csrf": self.token(owner)}, files={"logo": ("big.jpg", big, "image/jpeg")})
        self.assertEqual(r.status, 413)
        self.assertIn('id="e-logo"', r.body)
        self.assertIn("2 Mo", r.body)
        self.assertEqual(self.srv.client().get(action).status, 404)     # still no logo
        r = owner.post_form(action, {"_csrf": self.token(owner)}, files={"logo": ("ok.jpg", JPEG, "text/plain")})
        self.assertEqual(r.status, 303)
        r = self.srv.client().get(action)
        self.assertEqual(r.header("Content-Type"), "image/jpeg")
        # Someone else may not change it.
        stranger = self.logged_in("Sam Inconnu")
        r = stranger.post_form(action, {"_csrf": self.token(stranger)}, files={"logo": ("x.png", PNG, "image/png")})
        self.assertEqual(r.status, 403)

    def test_slug_taken_is_said_next_to_the_field_with_a_free_suggestion(self):
        owner = self.logged_in("Olga Responsable")
        name = "Chorale %s" % tag()
        slug = self.new_org(owner, name)
        r = self.create_org(owner, name)
        self.assertEqual(r.status, 409)
        self.assertOneH1(r.body)
        self.assertIn('id="e-slug"', r.body)
        self.assertIn("déjà prise", r.body)
        self.assertRegex(r.body, r'id="f-slug"[^>]*value="%s-2"' % slug)
        # Sending the suggestion as it is works.
        fields = [f for a, f in forms(r.body) if a.get("action") == "/organisations"][0]
        fields.update({"kind": "association", "category": "patrimoine", "commune": "26391", "description": ""})
        r = owner.post_form("/organisations", fields)
        self.assertEqual(r.status, 303, r.body[:2000])
        self.assertEqual(r.location, "/organisations/%s-2/modifier" % slug)

    def test_invite_accept_change_role_remove_and_leave(self):
        owner = self.logged_in("Olga Responsable")
        slug = self.new_org(owner)
        members = "/organisations/%s/membres" % slug
        r = owner.get(members)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn("Responsable", r.body)

        invitee_email = fresh_email("ines")
        since = self.mark()
        r = owner.post_form(members + "/inviter", {"_csrf": csrf(r.body, members + "/inviter"),
                                                    "email": invitee_email.upper(), "role": "editor"})
        self.assertEqual(r.status, 303, r.body[:2000])
        r = owner.follow(r)
        self.assertIn("invitation est envoyée", r.body)
        self.assertIn(invitee_email, r.body)                   # pending, with its revoke button
        m = self.srv.wait_mail(to=invitee_email, subject_contains="Invitation", since=since)
        link = first_link(mail_text(m), self.srv.url + "/invitations/")
        path = link[len(self.srv.url):]
        self.assertIn("Olga Responsable", mail_text(m))

        # A visitor is asked to log in; another account may not take it.
        r = self.srv.client().get(path)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn("/connexion?suite=", r.body)
        stranger = self.logged_in("Sam Inconnu")
        r = stranger.get(path)
        self.assertIn("autre compte", r.body)
        r = stranger.post_form(path, {"_csrf": self.token(stranger)})
        self.assertEqual(r.status, 403)

        invitee = self.logged_in("Inès Nouvelle", invitee_email)
        r = invitee.get(path)
        self.assertEqual(r.status, 200)
        r = invitee.post_form(path, {"_csrf": csrf(r.body, path)})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.location, "/organisations/" + slug)
        self.assertIn("Bienvenue", invitee.follow(r).body)
        r = invitee.post_form(path, {"_csrf": self.token(invitee)})    # once only
        self.assertEqual(r.status, 404)
        # The editor edits the profile but cannot invite.
        self.assertEqual(invitee.get("/organisations/%s/modifier" % slug).status, 200)
        r = invitee.post_form(members + "/inviter", {"_csrf": self.token(invitee), "email": fresh_email(),
                                                      "role": "owner"})
        self.assertEqual(r.status, 403)

        # The owner makes the editor a treasurer, who then cannot edit.
        r = owner.get(members)
        ids = self.member_ids(r.body)
        iid, oid = ids["Inès Nouvelle"], ids["Olga Responsable"]
        r = owner.post_form("%s/%s/role" % (members, iid), {"_csrf": self.token(owner), "role-" + iid: "treasurer"})
        self.assertEqual(r.status, 303)
        self.assertIn("rôle est modifié", owner.follow(r).body)
        self.assertIn("Trésorerie", owner.get(members).body)
        self.assertEqual(invitee.get("/organisations/%s/modifier" % slug).status, 403)
        r = invitee.post_form("%s/%s/role" % (members, oid), {"_csrf": self.token(invitee), "role": "editor"})
        self.assertEqual(r.status, 403)

        # The last owner can neither leave nor step down.
        r = owner.post_form("%s/%s/retirer" % (members, oid), {"_csrf": self.token(owner)})
        self.assertEqual(r.status, 303)
        r = owner.follow(r)
        self.assertIn("au moins un responsable", r.body)
        self.assertIn('flash-error', r.body)
        r = owner.post_form("%s/%s/role" % (members, oid), {"_csrf": self.token(owner), "role": "editor"})
        self.assertIn("au moins un responsable", owner.follow(r).body)

        # The treasurer leaves by themselves; then the page is closed to them.
        r = invitee.post_form("%s/%s/retirer" % (members, iid), {"_csrf": self.token(invitee)})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.location, "/organisations/" + slug)
        self.assertIn("quitté", invitee.follow(r).body)
        self.assertEqual(invitee.get(members).status, 403)

    def test_owner_removes_a_member_and_revokes_an_invitation(self):
        owner = self.logged_in("Olga Responsable")
        slug = self.new_org(owner)
        members = "/organisations/%s/membres" % slug
        email = fresh_email("bob")
        since = self.mark()
        r = owner.post_form(members + "/inviter", {"_csrf": self.token(owner), "email": email, "role": "box_office"})
        self.assertEqual(r.status, 303)
        link = first_link(mail_text(self.srv.wait_mail(to=email, since=since)), self.srv.url + "/invitations/")
        bob = self.logged_in("Bob Billetterie", email)
        path = link[len(self.srv.url):]
        self.assertEqual(bob.post_form(path, {"_csrf": self.token(bob)}).status, 303)
        self.assertEqual(bob.get("/organisations/%s/modifier" % slug).status, 403)   # box office: no edits
        r = owner.post_form(members + "/inviter", {"_csrf": self.token(owner), "email": email, "role": "editor"})
        self.assertEqual(r.status, 409)
        self.assertIn('id="e-email"', r.body)

        ids = self.member_ids(owner.get(members).body)
        r = owner.post_form("%s/%s/retirer" % (members, ids["Bob Billetterie"]), {"_csrf": self.token(owner)})
        self.assertEqual(r.status, 303)
        self.assertNotIn("Bob Billetterie", owner.get(members).body)

        other = fresh_email("carl")
        since = self.mark()
        owner.post_form(members + "/inviter", {"_csrf": self.token(owner), "email": other, "role": "editor"})
        link = first_link(mail_text(self.srv.wait_mail(to=other, since=since)), self.srv.url + "/invitations/")
        body = owner.get(members).body
        revoke = re.search(r'action="(/organisations/%s/invitations/\d+/revoquer)"' % slug, body).group(1)
        r = owner.post_form(revoke, {"_csrf": self.token(owner)})
        self.assertEqual(r.status, 303)
        self.assertIn("invitation est annulée", owner.follow(r).body)
        self.assertEqual(self.srv.client().get(link[len(self.srv.url):]).status, 404)

    def test_directory_is_paginated_by_24(self):
        owner = self.logged_in("Olga Responsable")
        t = tag()
        for i in range(26):
            self.new_org(owner, "Page %s numero %02d" % (t, i))
        anon = self.srv.client()
        r = anon.get("/annuaire?q=" + t)
        self.assertEqual(r.body.count('class="card org-card"'), 24)
        self.assertIn("26", r.body)
        self.assertIn("q=%s&amp;page=2" % t, r.body)
        self.assertIn('rel="next"', r.body)
        r = anon.get("/annuaire?q=%s&page=2" % t)
        self.assertEqual(r.body.count('class="card org-card"'), 2)
        self.assertIn('rel="prev"', r.body)
        r = anon.get("/annuaire?q=%s&page=zz" % t)
        self.assertEqual(r.status, 200)

    def test_directory_orders_by_name_whatever_the_case_with_filters_combined(self):
        # Same name in three cases: ordered by lower(name), then by creation (id), on every filter mix.
        owner = self.logged_in("Olga Responsable")
        t = tag()
        made = []
        for i, name in enumerate(["beta", "Alpha", "alpha", "Gamma", "ALPHA"]):
            made.append((name, self.new_org(owner, "%s %s" % (name, t), slug="o%d-%s" % (i, t))))
        other = self.new_org(owner, "Delta %s" % t, slug="o9-%s" % t, commune="26392")
        want = [slug for _, slug in sorted(made, key=lambda m: (m[0].lower(), m[1][1]))]
        self.assertEqual(want, ["o1-" + t, "o2-" + t, "o4-" + t, "o0-" + t, "o3-" + t])
        anon = self.srv.client()

        def listed(query):
            r = anon.get("/annuaire?" + query)
            self.assertEqual(r.status, 200)
            total = int(re.search(r'role="status">[^<]*<strong>(\d+)</strong>', r.body).group(1))
            return total, re.findall(r'<li class="card org-card">.*?href="/organisations/([a-z0-9-]+)"', r.body, re.S)

        for query in ("q=%s&kind=association&commune=26391&category=patrimoine" % t,
                      "q=%s&commune=26391" % t, "q=%s&category=patrimoine&commune=26391" % t,
                      "q=%s&kind=association&commune=26391" % t):
            self.assertEqual(listed(query), (5, want), query)
        self.assertEqual(listed("q=%s" % t), (6, want[:4] + [other] + want[4:]))   # beta < Delta < Gamma
        self.assertEqual(listed("q=%s&commune=26392&kind=association" % t), (1, [other]))
        self.assertEqual(listed("q=%s&kind=producer&commune=26391" % t), (0, []))
        self.assertEqual(listed("q=%s&commune=99999" % t), (0, []))

    def test_edited_description_is_shown_rendered_and_a_script_stays_inert(self):
        owner = self.logged_in("Olga Responsable")
        slug = self.new_org(owner, description="Premier **texte**.")
        anon = self.srv.client()
        self.assertIn("Premier <strong>texte</strong>.", anon.get("/organisations/" + slug).body)
        action = "/organisations/%s/modifier" % slug
        fields = [f for a, f in forms(owner.get(action).body) if a.get("action") == action][0]
        fields["description"] = ("Nouveau _texte_.\n\n<script>alert(1)</script>\n\n"
                                 "<img src=x onerror=alert(2)> [piège](javascript:alert(3))")
        r = owner.post_form(action, fields)
        self.assertEqual(r.status, 303, r.body[:3000])
        body = anon.get("/organisations/" + slug).body
        about = re.search(r'id="h-about".*?</section>', body, re.S).group(0)
        self.assertIn("Nouveau <em>texte</em>.", about)
        self.assertNotIn("Premier", about)
        for live in ("<script", "<img", "onerror", "javascript:"):
            self.assertNotIn(live, about)


if __name__ == "__main__":
    unittest.main()
