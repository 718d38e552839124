# t0300-api.py: the JSON API v1 through the real binary: tokens, organisations, members, invitations, errors, OpenAPI.
import json
import os
import re
import secrets
import subprocess
import tempfile
import unittest

from kiosque_test import REPO, Server, csrf, first_link, mail_text

PW = "correct horse battery"
ENV = {"KIOSQUE_FAST_HASH": "1"}


def fresh_email(tag="user"):
    return "%s.%s@example.org" % (tag, secrets.token_hex(4))


def tag():
    return secrets.token_hex(3)


class Api(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.owner, cls.owner_token = cls.account_with_token("Olga Api")
        cls.other, cls.other_token = cls.account_with_token("Sam Api")

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    @classmethod
    def account_with_token(cls, name, email=None):
        """A verified, logged-in account and a personal API token made on its account page."""
        email = email or fresh_email()
        c = cls.srv.client()
        since = len(cls.srv.mails())
        r = c.get("/inscription")
        c.post_form("/inscription", {"_csrf": csrf(r.body), "display_name": name, "email": email, "password": PW})
        m = cls.srv.wait_mail(to=email, subject_contains="Confirmez", since=since)
        link = first_link(mail_text(m), cls.srv.url + "/compte/verifier?jeton=")
        c.post_form("/compte/verifier", {"_csrf": csrf(c.get("/").body), "jeton": link.split("jeton=", 1)[1]})
        r = c.get("/connexion")
        r = c.post_form("/connexion", {"_csrf": csrf(r.body), "email": email, "password": PW})
        assert r.status == 303, r.body[:2000]
        page = c.get("/compte").body
        r = c.post_form("/compte/jetons", {"_csrf": csrf(page), "name": "tests"})
        token = re.search(r'\b(kq_[0-9a-f]{64})\b', r.body).group(1)   # shown once on the account page
        c.email = email
        return c, token

    def api(self):
        return self.srv.client()

    def assertError(self, r, status, code):
        self.assertEqual(r.status, status, r.body[:1000])
        self.assertEqual(r.header("Content-Type"), "application/json")
        e = r.json()["error"]
        self.assertEqual(e["code"], code)
        self.assertTrue(e["message"])
        return e

    def create(self, token=None, **fields):
        body = {"kind": "association", "name": "Club %s" % tag(), "summary": "Un club.", "category": "sport",
                "commune": "26394"}
        body.update(fields)
        return self.api().post_json("/api/v1/orgs", body, token=token or self.owner_token)

    # -- tokens and the account

    def test_me_needs_a_valid_bearer_token(self):
        r = self.api().get_json("/api/v1/me", token=self.owner_token)
        self.assertEqual(r.status, 200)
        me = r.json()
        self.assertEqual(me["email"], self.owner.email)
        self.assertTrue(me["email_verified"])
        self.assertError(self.api().get_json("/api/v1/me"), 401, "auth.required")
        self.assertError(self.api().get_json("/api/v1/me", token="kq_" + "0" * 64), 401, "auth.token_invalid")
        r = self.api().get_json("/api/v1/me", headers={"Authorization": "Basic eDp5"})
        self.assertError(r, 401, "auth.token_invalid")

    # -- organisations

    def test_create_read_and_list(self):
        t = tag()
        r = self.create(name="Football Club %s" % t, description="Le **club**.", website="https://fc.example.org")
        self.assertEqual(r.status, 201, r.body)
        org = r.json()
        slug = org["slug"]
        self.assertEqual(slug, "football-club-" + t)
        self.assertEqual(r.header("Location"), "/api/v1/orgs/" + slug)
        self.assertEqual(org["commune"], {"insee": "26394", "name": "Saint-Firmin-de-Vesque"})
        self.assertIsNone(org["logo_url"])
        self.assertTrue(org["url"].endswith("/organisations/" + slug))
        self.assertRegex(org["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        # The creator is its owner, on the pages too.
        self.assertIn("/organisations/%s/modifier" % slug, self.owner.get("/organisations/" + slug).body)

        r = self.api().get_json("/api/v1/orgs/" + slug)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["description"], "Le **club**.")
        self.assertError(self.api().get_json("/api/v1/orgs/nope-" + t), 404, "not_found")

        r = self.api().get_json("/api/v1/orgs?q=FOOTBALL+club+" + t)
        self.assertEqual(r.status, 200)
        page = r.json()
        self.assertEqual(page["total"], 1)
        self.assertEqual(page["items"][0]["slug"], slug)
        self.assertEqual(self.api().get_json("/api/v1/orgs?q=%s&kind=producer" % t).json()["total"], 0)
        self.assertEqual(self.api().get_json("/api/v1/orgs?q=%s&commune=26394" % t).json()["total"], 1)
        self.assertEqual(self.api().get_json("/api/v1/orgs?q=%s&commune=26391" % t).json()["total"], 0)

    def test_list_paginates_with_limit_and_offset(self):
        t = tag()
        for i in range(5):
            self.assertEqual(self.create(name="Pagine %s %d" % (t, i)).status, 201)
        r = self.api().get_json("/api/v1/orgs?q=%s&limit=2&offset=2" % t)
        page = r.json()
        self.assertEqual(page["total"], 5)
        self.assertEqual(page["limit"], 2)
        self.assertEqual(page["offset"], 2)
        self.assertEqual([o["name"] for o in page["items"]], ["Pagine %s 2" % t, "Pagine %s 3" % t])
        self.assertEqual(len(self.api().get_json("/api/v1/orgs?q=%s&limit=100" % t).json()["items"]), 5)
        e = self.assertError(self.api().get_json("/api/v1/orgs?limit=101"), 400, "bad_request")
        self.assertIn("limit", e["fields"])
        e = self.assertError(self.api().get_json("/api/v1/orgs?offset=-1"), 400, "bad_request")
        self.assertIn("offset", e["fields"])
        self.assertError(self.api().get_json("/api/v1/orgs?kind=club"), 400, "bad_request")

    def test_create_refusals(self):
        self.assertError(self.api().post_json("/api/v1/orgs", {"kind": "association", "name": "Sans jeton"}),
                         401, "auth.required")
        r = self.create(name="X", website="javascript:alert(1)", category="fromagerie", commune="99999")
        e = self.assertError(r, 422, "form.invalid")
        self.assertEqual(set(e["fields"]), {"name", "website", "category", "commune"})
        self.assertTrue(all(isinstance(v, str) and v for v in e["fields"].values()))
        e = self.assertError(self.create(name=42), 422, "form.invalid")
        self.assertIn("name", e["fields"])
        name = "Club %s" % tag()
        self.assertEqual(self.create(name=name).status, 201)
        e = self.assertError(self.create(name=name), 409, "orgs.slug_taken")
        self.assertIn("slug", e["fields"])
        r = self.api().request("POST", "/api/v1/orgs", body="kind=association",
                               headers={"Content-Type": "application/x-www-form-urlencoded",
                                        "Authorization": "Bearer " + self.owner_token})
        self.assertError(r, 415, "unsupported_media_type")
        r = self.api().request("POST", "/api/v1/orgs", body="{not json",
                               headers={"Content-Type": "application/json",
                                        "Authorization": "Bearer " + self.owner_token})
        self.assertError(r, 400, "bad_request")

    def test_patch_is_partial_and_for_editors_only(self):
        slug = self.create(summary="Avant.", phone="04 75 00 00 00").json()["slug"]
        r = self.api().patch_json("/api/v1/orgs/" + slug, {"summary": "Après."}, token=self.owner_token)
        self.assertEqual(r.status, 200, r.body)
        org = r.json()
        self.assertEqual(org["summary"], "Après.")
        self.assertEqual(org["phone"], "04 75 00 00 00")
        r = self.api().patch_json("/api/v1/orgs/" + slug, {"summary": "Piraté."}, token=self.other_token)
        self.assertError(r, 403, "forbidden")
        r = self.api().patch_json("/api/v1/orgs/" + slug, {"name": ""}, token=self.other_token)
        self.assertError(r, 403, "forbidden")      # refusal first, whatever the body
        self.assertError(self.api().patch_json("/api/v1/orgs/" + slug, {"summary": "x"}), 401, "auth.required")
        e = self.assertError(self.api().patch_json("/api/v1/orgs/" + slug, {"slug": "autre-" + tag()},
                                                   token=self.owner_token), 422, "form.invalid")
        self.assertIn("slug", e["fields"])
        e = self.assertError(self.api().patch_json("/api/v1/orgs/" + slug, {"website": "ftp://x"},
                                                   token=self.owner_token), 422, "form.invalid")
        self.assertIn("website", e["fields"])
        self.assertError(self.api().patch_json("/api/v1/orgs/nope-" + tag(), {"summary": "x"},
                                               token=self.owner_token), 404, "not_found")
        self.assertEqual(self.api().get_json("/api/v1/orgs/" + slug).json()["summary"], "Après.")

    def test_members_and_invitations(self):
        slug = self.create().json()["slug"]
        path = "/api/v1/orgs/%s/members" % slug
        r = self.api().get_json(path, token=self.owner_token)
        self.assertEqual(r.status, 200)
        items = r.json()["items"]
        self.assertEqual(len(items), 1)
        self.assertEqual(items[0]["role"], "owner")
        self.assertEqual(items[0]["email"], self.owner.email)
        self.assertError(self.api().get_json(path, token=self.other_token), 403, "forbidden")
        self.assertError(self.api().get_json(path), 401, "auth.required")

        inv = "/api/v1/orgs/%s/invitations" % slug
        self.assertError(self.api().post_json(inv, {"email": fresh_email(), "role": "editor"},
                                              token=self.other_token), 403, "forbidden")
        e = self.assertError(self.api().post_json(inv, {"email": "nope", "role": "chef"}, token=self.owner_token),
                             422, "form.invalid")
        self.assertEqual(set(e["fields"]), {"email", "role"})
        e = self.assertError(self.api().post_json(inv, {"email": self.owner.email.upper()}, token=self.owner_token),
                             409, "orgs.already_member")
        self.assertIn("email", e["fields"])

        email = fresh_email("ines")
        since = len(self.srv.mails())
        r = self.api().post_json(inv, {"email": email, "role": "treasurer"}, token=self.owner_token)
        self.assertEqual(r.status, 201, r.body)
        body = r.json()
        self.assertEqual(body["email"], email)
        self.assertEqual(body["role"], "treasurer")
        self.assertNotIn("token", json.dumps(body))
        link = first_link(mail_text(self.srv.wait_mail(to=email, since=since)), self.srv.url + "/invitations/")

        # Accepted on the site, the treasurer sees the members without their addresses.
        member, member_token = self.account_with_token("Inès Api", email)
        local = link[len(self.srv.url):]
        r = member.post_form(local, {"_csrf": csrf(member.get(local).body, local)})
        self.assertEqual(r.status, 303)
        r = self.api().get_json(path, token=member_token)
        self.assertEqual(r.status, 200)
        items = r.json()["items"]
        self.assertEqual([i["role"] for i in items], ["owner", "treasurer"])
        self.assertTrue(all("email" not in i for i in items))
        self.assertError(self.api().patch_json("/api/v1/orgs/" + slug, {"summary": "x"}, token=member_token),
                         403, "forbidden")
        self.assertError(self.api().post_json(inv, {"email": fresh_email()}, token=member_token), 403, "forbidden")

    def test_unknown_routes_and_methods_answer_json(self):
        self.assertError(self.api().get_json("/api/v1/nothing"), 404, "not_found")
        self.assertError(self.api().delete("/api/v1/orgs"), 405, "method_not_allowed")

    # -- the OpenAPI document

    def test_openapi_document_describes_every_route(self):
        r = self.api().get_json("/api/v1/openapi.json")
        self.assertEqual(r.status, 200)
        doc = r.json()
        self.assertTrue(doc["openapi"].startswith("3.0"))
        with open(os.path.join(REPO, "src", "api", "openapi.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f), doc)
        with open(os.path.join(REPO, "src", "api", "routes.c"), encoding="utf-8") as f:
            routes = re.findall(r'\{\s*"([A-Z]+)",\s*"(/api/v1/[^"]*)"', f.read())
        self.assertGreaterEqual(len(routes), 8)
        for method, path in routes:
            self.assertIn(path, doc["paths"], path)
            self.assertIn(method.lower(), doc["paths"][path], "%s %s" % (method, path))
            op = doc["paths"][path][method.lower()]
            self.assertIn("responses", op)
            for status, resp in op["responses"].items():
                if "$ref" in resp:
                    name = resp["$ref"].rsplit("/", 1)[1]
                    self.assertIn(name, doc["components"]["responses"])
        self.assertEqual(doc["components"]["securitySchemes"]["bearerAuth"],
                         {"type": "http", "scheme": "bearer",
                          "description": doc["components"]["securitySchemes"]["bearerAuth"]["description"]})
        err = doc["components"]["schemas"]["Error"]["properties"]["error"]
        self.assertEqual(set(err["properties"]), {"code", "message", "fields"})
        # Every $ref points at something that exists.
        text = json.dumps(doc)
        for ref in set(re.findall(r'"\$ref": "#/components/(\w+)/(\w+)"', text)):
            self.assertIn(ref[1], doc["components"][ref[0]], ref)
        # And a full OpenAPI 3 validation of the served document (npm, pinned).
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(doc, f)
        try:
            r = subprocess.run(["node", os.path.join(REPO, "tests", "tools", "openapi-check.mjs"), f.name],
                               capture_output=True, text=True, timeout=60, cwd=REPO)
        finally:
            os.unlink(f.name)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
