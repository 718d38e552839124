# t0100-accounts.py: accounts through the real binary and SMTP sink: sign-up, mailed links, log-in, reset, account page, API tokens.
import html
import re
import secrets
import unittest

from kiosque_test import Server, csrf, first_link, forms, mail_text

PW = "correct horse battery"
PW2 = "another long secret 42"
ENV = {"KIOSQUE_FAST_HASH": "1"}


def fresh_email(tag="user"):
    return "%s.%s@example.org" % (tag, secrets.token_hex(4))


class Flow:
    """Helpers shared by the test classes; self.srv is the running Server."""

    def mark(self):
        return len(self.srv.mails())

    def signup(self, c, email, name="Marie Dupont", pw=PW, headers=None):
        r = c.get("/inscription", headers=headers)
        self.assertEqual(r.status, 200)
        return c.post_form("/inscription", {"_csrf": csrf(r.body), "display_name": name,
                                            "email": email, "password": pw}, headers=headers)

    def link_in_mail(self, to, subject, path, since):
        m = self.srv.wait_mail(to=to, subject_contains=subject, since=since)
        return first_link(mail_text(m), self.srv.url + path), m

    def local(self, link):
        return link[len(self.srv.url):]

    def verified_account(self, email, name="Marie Dupont"):
        c = self.srv.client()
        since = self.mark()
        self.assertEqual(self.signup(c, email, name).status, 200)
        link, _ = self.link_in_mail(email, "Confirmez", "/compte/verifier?jeton=", since)
        token = link.split("jeton=", 1)[1]
        r = c.post_form("/compte/verifier", {"_csrf": csrf(c.get("/").body), "jeton": token})
        self.assertEqual(r.status, 303)
        return c

    def login(self, c, email, pw=PW, suite=None, headers=None):
        r = c.get("/connexion" + ("?suite=" + suite if suite else ""))
        if r.status == 303:  # already logged in: the form is not shown, any page has the token
            r = c.get("/")
        fields = {"_csrf": csrf(r.body), "email": email, "password": pw}
        if suite:
            fields["suite"] = suite
        return c.post_form("/connexion", fields, headers=headers)

    def logged_in_client(self, email=None, name="Marie Dupont"):
        email = email or fresh_email()
        c = self.verified_account(email, name)
        r = self.login(c, email)
        self.assertEqual(r.status, 303, r.body[:3000])
        return c, email

    def session_cookie(self, r):
        for h in r.headers.get_all("Set-Cookie") or []:
            if h.startswith("kq_session="):
                return h
        return None

    def assertOneH1(self, body):
        self.assertEqual(len(re.findall(r"<h1[ >]", body)), 1, body[:2000])


class Accounts(unittest.TestCase, Flow):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(env=ENV)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def test_signup_mail_verification_login_account_page_and_logout(self):
        c = self.srv.client()
        email = fresh_email("marie")
        r = c.get("/inscription")
        self.assertOneH1(r.body)
        for attr in ['autocomplete="name"', 'autocomplete="email"', 'autocomplete="new-password"',
                     'for="f-email"', 'for="f-password"', 'for="f-display_name"']:
            self.assertIn(attr, r.body)
        since = self.mark()
        r = self.signup(c, email)
        self.assertEqual(r.status, 200)
        self.assertIn("Vérifiez votre boîte mail", r.body)
        self.assertOneH1(r.body)

        link, m = self.link_in_mail(email, "Confirmez", "/compte/verifier?jeton=", since)
        self.assertIn("Marie Dupont", mail_text(m))
        # A GET (a mail scanner) shows a button and uses nothing up, however often.
        for _ in range(2):
            r = c.get(self.local(link))
            self.assertEqual(r.status, 200)
            self.assertOneH1(r.body)
            action_forms = [f for a, f in forms(r.body) if a.get("action") == "/compte/verifier"]
            self.assertEqual(len(action_forms), 1)
            self.assertEqual(action_forms[0]["jeton"], link.split("jeton=", 1)[1])
        r = c.post_form("/compte/verifier", action_forms[0])
        self.assertEqual(r.status, 303)
        self.assertEqual(r.location, "/connexion")
        self.assertIn("adresse est confirmée", c.follow(r).body)
        # The link works once.
        r = c.post_form("/compte/verifier", action_forms[0])
        self.assertEqual(r.status, 400)
        self.assertIn("plus valable", r.body)

        r = c.get("/connexion")
        self.assertIn('autocomplete="current-password"', r.body)
        r = self.login(c, email.upper())
        self.assertEqual(r.status, 303)
        self.assertEqual(r.location, "/compte")
        cookie = self.session_cookie(r)
        self.assertIsNotNone(cookie)
        attrs = [a.strip().lower() for a in cookie.split(";")]
        self.assertIn("httponly", attrs)
        self.assertIn("samesite=lax", attrs)
        self.assertIn("path=/", attrs)
        self.assertTrue(any(a.startswith("max-age=") and int(a[8:]) > 0 for a in attrs), cookie)
        session = c.cookies["kq_session"]

        r = c.get("/compte")
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn("Marie Dupont", r.body)
        self.assertIn(email, r.body)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        for form_action in ["/compte/mot-de-passe", "/compte/email", "/compte/jetons", "/preferences"]:
            self.assertIn('action="%s"' % form_action, r.body)

        r = c.post_form("/deconnexion", {"_csrf": csrf(r.body)})
        self.assertEqual(r.status, 303)
        self.assertIn("Max-Age=0", self.session_cookie(r))
        r = c.get("/compte")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.location, "/connexion?suite=%2Fcompte")
        # The old cookie is dead on the server too, not only in this browser.
        other = self.srv.client()
        other.cookies["kq_session"] = session
        self.assertEqual(other.get("/compte").status, 303)

    def test_login_replaces_any_session_the_browser_had(self):
        c, email = self.logged_in_client()
        first = c.cookies["kq_session"]
        r = self.login(c, email)
        self.assertEqual(r.status, 303)
        second = c.cookies["kq_session"]
        self.assertNotEqual(first, second)
        stale = self.srv.client()
        stale.cookies["kq_session"] = first
        self.assertEqual(stale.get("/compte").status, 303)
        # A planted cookie is never adopted either.
        planted = secrets.token_hex(32)
        c2 = self.srv.client()
        c2.cookies["kq_session"] = planted
        r = self.login(c2, email)
        self.assertEqual(r.status, 303)
        self.assertNotEqual(c2.cookies["kq_session"], planted)

    def test_login_goes_to_a_local_suite_only(self):
        email = fresh_email()
        self.verified_account(email)
        c = self.srv.client()
        r = self.login(c, email, suite="/annuaire")
        self.assertEqual(r.location, "/annuaire")
        c = self.srv.client()
        r = self.login(c, email, suite="//evil.example/x")
        self.assertEqual(r.location, "/compte")

    def test_account_page_needs_a_session(self):
        r = self.srv.client().get("/compte")
        self.assertEqual(r.status, 303)
        self.assertTrue(r.location.startswith("/connexion?suite="))

    def test_signup_errors_come_back_with_422_next_to_fields_and_values_kept(self):
        c = self.srv.client()
        r = c.get("/inscription")
        r = c.post_form("/inscription", {"_csrf": csrf(r.body), "display_name": "Zoé <b>",
                                         "email": "not-an-address", "password": "1234567890"})
        self.assertEqual(r.status, 422)
        self.assertOneH1(r.body)
        self.assertIn('value="Zoé &lt;b&gt;"', r.body)
        self.assertIn('value="not-an-address"', r.body)
        self.assertNotIn("1234567890", r.body)
        self.assertRegex(r.body, r'id="f-email"[^>]*aria-invalid="true"[^>]*aria-describedby="e-email"'
                                 r'|id="f-email"[^>]*aria-describedby="e-email"')
        self.assertIn('id="e-email"', r.body)
        self.assertIn('id="e-password"', r.body)
        self.assertIn("trop courant", r.body)
        self.assertIn('href="#f-email"', r.body)

    def test_signup_with_a_taken_address_shows_the_same_page_and_mails_the_owner(self):
        email = fresh_email("taken")
        self.verified_account(email, "Owner")
        c = self.srv.client()
        since = self.mark()
        r1 = self.signup(c, fresh_email("free"), "Someone")
        r2 = self.signup(c, email.upper(), "Someone")
        self.assertEqual((r1.status, r1.body), (r2.status, r2.body))
        m = self.srv.wait_mail(to=email, subject_contains="Tentative", since=since)
        text = mail_text(m)
        self.assertIn("Owner", text)
        self.assertIn(self.srv.url + "/mot-de-passe-oublie", text)
        self.assertNotIn("jeton=", text)

    def test_unverified_account_cannot_log_in(self):
        c = self.srv.client()
        email = fresh_email()
        self.signup(c, email)
        r = self.login(c, email)
        self.assertEqual(r.status, 403)
        self.assertIn("Confirmez d'abord votre adresse", html.unescape(r.body))
        self.assertIsNone(self.session_cookie(r))

    def test_resend_verification_page_answers_the_same_for_any_address(self):
        c = self.srv.client()
        email = fresh_email()
        self.signup(c, email)
        r = c.get("/compte/verifier")
        self.assertEqual(r.status, 200)
        self.assertIn('action="/compte/verifier"', r.body)
        r1 = c.post_form("/compte/verifier", {"_csrf": csrf(r.body), "email": email})
        r2 = c.post_form("/compte/verifier", {"_csrf": csrf(r.body), "email": fresh_email("nobody")})
        self.assertEqual((r1.status, r1.body), (r2.status, r2.body))
        self.assertEqual(r1.status, 200)
        r = c.get("/compte/verifier?jeton=" + "0" * 64)
        self.assertEqual(r.status, 400)
        self.assertIn('name="email"', r.body)

    def test_wrong_password_answer_is_identical_for_known_and_unknown_addresses(self):
        known = fresh_email("known")
        self.verified_account(known)
        unknown = fresh_email("unknown")
        c = self.srv.client()
        r1 = self.login(c, known, "not the password")
        r2 = self.login(c, unknown, "not the password")
        self.assertEqual(r1.status, 401)
        self.assertEqual(r2.status, 401)
        self.assertIn("Adresse e-mail ou mot de passe incorrect.", r1.body)
        self.assertEqual(r1.body.replace(known, "X"), r2.body.replace(unknown, "X"))
        self.assertNotIn("not the password", r1.body)

    def test_post_without_csrf_is_refused_and_changes_nothing(self):
        email = fresh_email("csrf")
        c = self.srv.client()
        c.get("/inscription")
        r = c.post_form("/inscription", {"display_name": "X", "email": email, "password": PW})
        self.assertEqual(r.status, 403)
        # Nothing was created: a real sign-up now gets the new-account mail, not the "taken" one.
        since = self.mark()
        self.assertEqual(self.signup(c, email).status, 200)
        self.srv.wait_mail(to=email, subject_contains="Confirmez", since=since)
        self.assertFalse([m for m in self.srv.mails()[since:] if "Tentative" in str(m["Subject"])])

        c2, email2 = self.logged_in_client()
        r = c2.post_form("/compte/mot-de-passe", {"current_password": PW, "new_password": PW2})
        self.assertEqual(r.status, 403)
        r = c2.post_form("/compte/mot-de-passe", {"_csrf": "0" * 64, "current_password": PW,
                                                  "new_password": PW2})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.login(self.srv.client(), email2, PW).status, 303)

    def test_reset_password_by_mail(self):
        elsewhere, email = self.logged_in_client(fresh_email("reset"))
        c = self.srv.client()
        r = c.get("/mot-de-passe-oublie")
        self.assertOneH1(r.body)
        since = self.mark()
        r1 = c.post_form("/mot-de-passe-oublie", {"_csrf": csrf(r.body), "email": email})
        r2 = c.post_form("/mot-de-passe-oublie", {"_csrf": csrf(r.body), "email": fresh_email("none")})
        self.assertEqual((r1.status, r1.body), (r2.status, r2.body))
        self.assertIn("Si un compte existe", r1.body)
        link, _ = self.link_in_mail(email, "nouveau mot de passe", "/mot-de-passe/nouveau?jeton=", since)

        r = c.get(self.local(link))
        self.assertEqual(r.status, 200)
        self.assertIn('autocomplete="new-password"', r.body)
        fields = [f for a, f in forms(r.body) if a.get("action") == "/mot-de-passe/nouveau"][0]
        fields["new_password"] = "short"
        r = c.post_form("/mot-de-passe/nouveau", fields)
        self.assertEqual(r.status, 422)
        self.assertIn('aria-describedby="h-new_password e-new_password"', r.body)
        fields["new_password"] = PW2
        r = c.post_form("/mot-de-passe/nouveau", fields)
        self.assertEqual(r.status, 303)
        self.assertEqual(r.location, "/connexion")
        # Single use; the old password is gone; every session ended.
        self.assertEqual(c.post_form("/mot-de-passe/nouveau", fields).status, 400)
        self.assertEqual(c.get(self.local(link)).status, 400)
        self.assertEqual(elsewhere.get("/compte").status, 303)
        self.assertEqual(self.login(self.srv.client(), email, PW).status, 401)
        self.assertEqual(self.login(self.srv.client(), email, PW2).status, 303)

    def test_password_change_needs_the_current_one_and_ends_other_sessions(self):
        c1, email = self.logged_in_client()
        c2 = self.srv.client()
        self.assertEqual(self.login(c2, email).status, 303)
        token = csrf(c1.get("/compte").body)
        r = c1.post_form("/compte/mot-de-passe", {"_csrf": token, "current_password": "wrong one!",
                                                  "new_password": PW2})
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-current_password"', r.body)
        self.assertEqual(c2.get("/compte").status, 200)
        r = c1.post_form("/compte/mot-de-passe", {"_csrf": token, "current_password": PW,
                                                  "new_password": PW2})
        self.assertEqual(r.status, 303)
        self.assertEqual(c1.get("/compte").status, 200)
        self.assertEqual(c2.get("/compte").status, 303)

    def test_email_change_by_link_to_the_new_address(self):
        c, old = self.logged_in_client(name="Jean")
        new = fresh_email("new")
        token = csrf(c.get("/compte").body)
        r = c.post_form("/compte/email", {"_csrf": token, "new_email": new, "password": "wrong one!"})
        self.assertEqual(r.status, 422)
        self.assertIn('value="%s"' % new, r.body)
        since = self.mark()
        r = c.post_form("/compte/email", {"_csrf": token, "new_email": new, "password": PW})
        self.assertEqual(r.status, 303)
        link, _ = self.link_in_mail(new, "nouvelle adresse", "/compte/email/confirmer?jeton=", since)
        notice = self.srv.wait_mail(to=old, subject_contains="Changement", since=since)
        self.assertIn(new, mail_text(notice))
        r = c.get(self.local(link))
        self.assertEqual(r.status, 200)
        self.assertIn(new, r.body)
        fields = [f for a, f in forms(r.body) if a.get("action") == "/compte/email/confirmer"][0]
        r = c.post_form("/compte/email/confirmer", fields)
        self.assertEqual(r.status, 303)
        self.assertIn(new, c.get("/compte").body)
        self.assertEqual(c.post_form("/compte/email/confirmer", fields).status, 400)
        self.assertEqual(self.login(self.srv.client(), new).status, 303)
        self.assertEqual(self.login(self.srv.client(), old).status, 401)

    def test_api_token_created_on_the_account_page_works_until_revoked(self):
        c, email = self.logged_in_client(name="Api User")
        page = c.get("/compte").body
        r = c.post_form("/compte/jetons", {"_csrf": csrf(page), "name": ""})
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-name"', r.body)
        r = c.post_form("/compte/jetons", {"_csrf": csrf(page), "name": "agenda"})
        self.assertEqual(r.status, 200)
        m = re.search(r"kq_[0-9a-f]{64}", r.body)
        self.assertIsNotNone(m, r.body)
        token = m.group(0)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        # Shown once: the next view of the page has only its start.
        again = c.get("/compte").body
        self.assertNotIn(token, again)
        self.assertIn(token[3:11], again)

        api = self.srv.client()
        r = api.get_json("/api/v1/me", token=token)
        self.assertEqual(r.status, 200)
        me = r.json()
        self.assertEqual(me["email"], email)
        self.assertEqual(me["display_name"], "Api User")
        self.assertEqual(me["platform_role"], "")
        self.assertEqual(me["lang"], "fr")
        self.assertIs(me["email_verified"], True)
        self.assertIsInstance(me["id"], int)
        self.assertEqual(api.get_json("/api/v1/me").status, 401)

        # Nobody else can revoke it.
        action = re.search(r'action="(/compte/jetons/\d+/revoquer)"', again).group(1)
        other, _ = self.logged_in_client()
        r = other.post_form(action, {"_csrf": csrf(other.get("/compte").body)})
        self.assertEqual(r.status, 404)
        self.assertEqual(api.get_json("/api/v1/me", token=token).status, 200)

        r = c.post_form(action, {"_csrf": csrf(again)})
        self.assertEqual(r.status, 303)
        r = api.get_json("/api/v1/me", token=token)
        self.assertEqual(r.status, 401)
        err = r.json()["error"]
        self.assertEqual(err["code"], "auth.token_invalid")
        self.assertTrue(err["message"])

    def test_english_page_gives_english_mails(self):
        c = self.srv.client()
        email = fresh_email("en")
        since = self.mark()
        r = self.signup(c, email, "Quinn", headers={"Accept-Language": "en"})
        self.assertIn("Check your mailbox", r.body)
        m = self.srv.wait_mail(to=email, subject_contains="Confirm your email", since=since)
        self.assertIn("Hello Quinn", mail_text(m))


class Throttling(unittest.TestCase, Flow):
    """Its own server: the per-address limit counts every failure from 127.0.0.1."""

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(env=ENV)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def test_account_then_address_are_throttled_even_with_the_right_password(self):
        email = fresh_email("victim")
        self.verified_account(email)
        c = self.srv.client()
        for _ in range(5):
            self.assertEqual(self.login(c, email, "not the password").status, 401)
        r = self.login(c, email, PW)
        self.assertEqual(r.status, 429)
        self.assertIn("Trop de tentatives", r.body)
        self.assertIsNone(self.session_cookie(r))
        # 5 failures so far from this address; 25 more on other accounts reach 30.
        for i in range(25):
            self.assertEqual(self.login(c, fresh_email("guess%d" % i), "not the password").status, 401)
        other = fresh_email("other")
        self.verified_account(other)
        self.assertEqual(self.login(c, other, PW).status, 429)


if __name__ == "__main__":
    unittest.main(verbosity=2)
