# t0625-member-mailing.py: "Écrire aux adhérents" through the real binary: the treasurer writes from the
# management page, sees how many will receive it, confirms; current members get one mail each in the SMTP sink
# (the association named, why they receive it, its contact, Reply-To its address), a lapsed member does not; a
# retried confirmation sends nothing twice; the past mailings are listed; bad input shows its errors and sends
# nothing; a citizen cannot reach the page (403); CSRF is required; the sixth mailing of a day is refused.
#
# Fixture: `--demo` loads the association and its treasurer (data/demo/territory.json); the plan and the members
# are made through the pages, one membership is then moved into the past with SQL. Both backends; nothing skipped.
import re
import secrets
import time
import unittest

from agenda_test import ORG
from kiosque_test import Server, csrf, forms, mail_text
from sql_fixtures import run_sql
from ticketing_fixtures import CITIZEN, EDITOR, TREASURER, login

MANAGE = "/organisations/%s/adhesions/gestion" % ORG
WRITE = "/organisations/%s/adhesions/ecrire" % ORG
SEND = WRITE + "/envoyer"
RECORD = "/organisations/%s/adhesions/enregistrer" % ORG
TAG = secrets.token_hex(3)
CURRENT = ["marie.%s@example.org" % TAG, "jules.%s@example.org" % TAG]
LAPSED = "ancien.%s@example.org" % TAG
BODY = "Bonjour à toutes et à tous,\n\nL'assemblée générale aura lieu le 12 décembre à 20 h, salle des fêtes."


class MemberMailingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(args=["--demo"], env={"KIOSQUE_FAST_HASH": "1"})
        try:
            cls.treasurer = login(cls.srv, TREASURER)
            r = cls.treasurer.get(MANAGE)
            assert r.status == 200, r.body[:2000]
            action = "/organisations/%s/adhesions/formules" % ORG
            r = cls.treasurer.post_form(action, {"_csrf": csrf(r.body, action), "name": "Adhésion %s" % TAG,
                                                 "description": "", "pricing": "fixed", "price": "10",
                                                 "period": "civil", "cap": "", "is_open": "1"})
            assert r.status == 303, r.body[:3000]
            cls.plan = int(run_sql(cls.srv, "SELECT id FROM membership_plans WHERE name = 'Adhésion %s'" % TAG))
            # Two current members, one of them recorded twice (one mail all the same), one without an
            # address, and one whose membership ended a year ago.
            for name, email in (("Marie Roux", CURRENT[0]), ("Marie R.", CURRENT[0].upper()),
                                ("Jules Blanc", CURRENT[1]), ("Sans Adresse", ""), ("Henri Ancien", LAPSED)):
                cls.record(name, email)
            now = int(time.time())
            run_sql(cls.srv, "UPDATE memberships SET valid_from = %d, valid_until = %d WHERE member_email = '%s'"
                    % (now - 730 * 86400, now - 365 * 86400, LAPSED))
        except BaseException:
            cls.srv.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    @classmethod
    def record(cls, name, email):
        r = cls.treasurer.get(MANAGE)
        idem = [f for a, f in forms(r.body) if a.get("action") == RECORD][0]["idem"]
        r = cls.treasurer.post_form(RECORD, {"_csrf": csrf(r.body, RECORD), "idem": idem, "plan_id": str(cls.plan),
                                             "member_name": name, "member_email": email, "provider": "cash"})
        assert r.status == 303, r.body[:3000]

    def count(self, sql):
        return int(run_sql(self.srv, sql) or 0)

    def preview(self, c, audience, subject, body=BODY):
        r = c.get(MANAGE)
        self.assertEqual(r.status, 200, r.body[:2000])
        return c.post_form(WRITE, {"_csrf": csrf(r.body, WRITE + "#ecrire"), "audience": audience,
                                   "subject": subject, "body": body})

    def confirm_fields(self, page):
        found = [f for a, f in forms(page) if a.get("action") == SEND]
        self.assertEqual(len(found), 1, page[:3000])
        return found[0]

    def test_the_treasurer_writes_to_current_members_once(self):
        subject = "Assemblée générale %s" % TAG
        r = self.preview(self.treasurer, "current", subject)
        self.assertEqual(r.status, 200, r.body[:3000])
        self.assertIn("Envoyer à 2 adhérents", r.body)
        self.assertIn("Ce message partira à 2 adhérents.", r.body)
        self.assertIn("L&#39;assemblée générale aura lieu", r.body)
        self.assertEqual(self.count("SELECT COUNT(*) FROM member_mailings WHERE subject = '%s'" % subject), 0)
        fields = self.confirm_fields(r.body)
        self.assertEqual(fields["body"], BODY)
        r = self.treasurer.post_form(SEND, fields)
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertTrue(r.header("Location").endswith(MANAGE + "#envois"), r.header("Location"))
        # A double click, or the browser sending the form again: nothing more.
        r = self.treasurer.post_form(SEND, fields)
        self.assertEqual(r.status, 303, r.body[:3000])
        self.assertEqual(self.count("SELECT COUNT(*) FROM member_mailings WHERE subject = '%s'" % subject), 1)
        self.assertEqual(self.count("SELECT recipients FROM member_mailings WHERE subject = '%s'" % subject), 2)
        self.assertEqual(self.count("SELECT COUNT(*) FROM outbox WHERE subject LIKE '%%%s'" % subject), 2)
        for to in CURRENT:
            m = self.srv.wait_mail(to=to, subject_contains=subject)
            self.assertEqual(str(m["Subject"]), "[Comité des fêtes de Vesqueval] %s" % subject)
            self.assertEqual(str(m["Reply-To"]), "contact@fetes-vesqueval.example.org")
            # The association writes: its name in From, the site's address kept; no internal header.
            self.assertTrue(str(m["From"]).startswith("Comité des fêtes de Vesqueval via "), str(m["From"]))
            self.assertIsNone(m["X-Kiosque-Sender"])
            text = mail_text(m)
            self.assertIn("Message de Comité des fêtes de Vesqueval à ses adhérents", text)
            self.assertIn(BODY, text)
            self.assertIn("parce que vous êtes adhérent·e de l'association", text)
            self.assertIn("04 75 53 21 08", text)
            self.assertIn(self.srv.url + "/organisations/" + ORG, text)
        got = [m for m in self.srv.mails() if subject in str(m["Subject"])]
        self.assertEqual(len(got), 2)
        self.assertNotIn(LAPSED, " ".join(m.get("X-Rcpt-To", "") + str(m["To"]) for m in got).lower())
        # The page lists it: subject, audience, recipients, who sent it.
        page = self.treasurer.get(MANAGE).body
        row = re.search(r"<tr><td>[^<]*</td><td>%s</td><td>([^<]*)</td><td>(\d+)</td><td>([^<]*)</td></tr>"
                        % re.escape(subject), page)
        self.assertTrue(row, page[-3000:])
        self.assertEqual(row.groups(), ("Les adhérents actuels", "2", "Gérard Faure"))

    def test_lapsed_members_only(self):
        subject = "Revenez nous voir %s" % TAG
        r = self.preview(self.treasurer, "lapsed", subject)
        self.assertIn("Envoyer à 1 adhérent", r.body)
        r = self.treasurer.post_form(SEND, self.confirm_fields(r.body))
        self.assertEqual(r.status, 303, r.body[:3000])
        m = self.srv.wait_mail(to=LAPSED, subject_contains=subject)
        self.assertIn("parce que vous avez été adhérent·e", mail_text(m))
        self.assertEqual(self.count("SELECT COUNT(*) FROM outbox WHERE subject LIKE '%%%s'" % subject), 1)

    def test_bad_input_shows_errors_and_sends_nothing(self):
        before = self.count("SELECT COUNT(*) FROM member_mailings")
        r = self.preview(self.treasurer, "current", "  ", body="")
        self.assertEqual(r.status, 422, r.body[:2000])
        self.assertIn('id="e-mailing-subject"', r.body)
        self.assertIn('id="e-mailing-body"', r.body)
        r = self.preview(self.treasurer, "everyone", "Sujet", body="x" * 5001)
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-mailing-audience"', r.body)
        self.assertIn('id="e-mailing-body"', r.body)
        self.assertIn('value="Sujet"', r.body)                        # what was typed stays
        # Tampered with between the two steps: checked again.
        r = self.preview(self.treasurer, "current", "Sujet valable")
        fields = dict(self.confirm_fields(r.body), subject="Deux\nlignes")
        r = self.treasurer.post_form(SEND, fields)
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-mailing-subject"', r.body)
        # "Modifier le message" goes back to the form, filled in.
        fields = dict(self.confirm_fields(self.preview(self.treasurer, "both", "À corriger").body), edit="1")
        r = self.treasurer.post_form(SEND, fields)
        self.assertEqual(r.status, 200)
        self.assertIn('value="À corriger"', r.body)
        self.assertRegex(r.body, r'id="f-mailing-audience-both"[^>]*checked')
        self.assertEqual(self.count("SELECT COUNT(*) FROM member_mailings"), before)

    def test_citizens_and_editors_cannot_write_and_csrf_is_required(self):
        for who in (CITIZEN, EDITOR):
            c = login(self.srv, who)
            self.assertEqual(c.get(MANAGE).status, 403)
            r = c.post_form(WRITE, {"_csrf": csrf(c.get("/").body), "audience": "current",
                                    "subject": "Intrus", "body": "Intrus"})
            self.assertEqual(r.status, 403)
            r = c.post_form(SEND, {"_csrf": csrf(c.get("/").body), "audience": "current",
                                   "subject": "Intrus", "body": "Intrus", "idem": secrets.token_hex(16)})
            self.assertEqual(r.status, 403)
        anonymous = self.srv.client()
        self.assertIn(anonymous.get(MANAGE).status, (302, 303, 401))
        r = self.preview(self.treasurer, "current", "Sans jeton")
        fields = self.confirm_fields(r.body)
        self.assertEqual(self.treasurer.post_form(SEND, dict(fields, _csrf="0" * 64)).status, 403)
        del fields["_csrf"]
        self.assertEqual(self.treasurer.post_form(SEND, fields).status, 403)
        self.assertEqual(self.count("SELECT COUNT(*) FROM member_mailings WHERE subject IN ('Intrus', 'Sans jeton')"),
                         0)

    def test_the_sixth_mailing_of_a_day_is_refused(self):
        org = "(SELECT id FROM organisations WHERE slug = '%s')" % ORG
        now = int(time.time())
        have = self.count("SELECT COUNT(*) FROM member_mailings WHERE org_id = %s AND created_at > %d"
                          % (org, now - 86400))
        filler = []
        for i in range(max(0, 5 - have)):
            key = "filler-%s-%d" % (TAG, i)
            filler.append(key)
            run_sql(self.srv, "INSERT INTO member_mailings (org_id, subject, body, audience, recipients,"
                              " idempotency_key, created_at) VALUES (%s, 'Ancien envoi', '.', 'current', 0, '%s', %d)"
                    % (org, key, now - 60))
        try:
            subject = "Un de trop %s" % TAG
            r = self.preview(self.treasurer, "current", subject)
            r = self.treasurer.post_form(SEND, self.confirm_fields(r.body))
            self.assertEqual(r.status, 429, r.body[:2000])
            self.assertIn("déjà envoyé 5 messages", r.body)
            self.assertEqual(self.count("SELECT COUNT(*) FROM outbox WHERE subject LIKE '%%%s'" % subject), 0)
        finally:
            for key in filler:
                run_sql(self.srv, "DELETE FROM member_mailings WHERE idempotency_key = '%s'" % key)


if __name__ == "__main__":
    unittest.main()
