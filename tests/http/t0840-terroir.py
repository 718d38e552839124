# t0840-terroir.py: "Made in terroir" through the real binary: the demo's products, label and market pages, the product forms (errors next to fields, rights, CSRF), the labels admin page, the JSON API, hidden content.
import datetime
import json
import re
import unittest

from agenda_test import ENV, PARIS, Agenda, tag, text_of
from kiosque_test import Server, csrf
from sql_fixtures import run_sql

FARM = "chevrerie-des-granges"            # producer, owner sophie.lambert
NEW = "/organisations/%s/produits/nouveau" % FARM
CREATE = "/organisations/%s/produits" % FARM
SOPHIE = "sophie.lambert@example.org"
GERARD = "gerard.faure@example.org"       # owns another producer, rucher-de-la-roche


def month_now():
    return datetime.datetime.now(PARIS).month


def in_season(start, end, m):
    if start <= end:
        return start <= m <= end
    return m >= start or m <= end


class Terroir(unittest.TestCase, Agenda):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--demo"], env=ENV)
        cls.sophie = cls.login(cls, SOPHIE)
        cls.gerard = cls.login(cls, GERARD)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def assertOneH1(self, body):
        self.assertEqual(len(re.findall(r"<h1[\s>]", body)), 1, body[:3000])

    def token_of(self, email):
        c = self.login(email)
        page = c.get("/compte").body
        r = c.post_form("/compte/jetons", {"_csrf": csrf(page), "name": "terroir"})
        return re.search(r"\b(kq_[0-9a-f]{64})\b", r.body).group(1)

    def assertError(self, r, status, code):
        self.assertEqual(r.status, status, r.body[:1000])
        self.assertEqual(r.header("Content-Type"), "application/json")
        e = r.json()["error"]
        self.assertEqual(e["code"], code)
        self.assertTrue(e["message"])
        return e

    def product_form(self, c, **fields):
        r = c.get(NEW)
        self.assertEqual(r.status, 200, r.body[:2000])
        data = {"_csrf": csrf(r.body, CREATE), "name": "Fromage %s" % tag(), "summary": "Au lait cru.",
                "description": "Affiné **trois semaines**.", "season_start": "", "season_end": "",
                "shop": "1", "shop_notes": "Le vendredi soir"}
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        return c.post_form(CREATE, data)

    def create(self, c, **fields):
        r = self.product_form(c, **fields)
        self.assertEqual(r.status, 303, r.body[:4000])
        m = re.match(r"^/produits/([a-z0-9-]+)$", r.location)
        self.assertIsNotNone(m, r.location)
        return m.group(1)

    def card_names(self, body):
        return [text_of(t) for t in
                re.findall(r'<article class="card product-card"[^>]*><h[23][^>]*><a[^>]*>(.*?)</a>', body, re.S)]

    # -- public pages of the demo

    def test_demo_products_label_and_market_pages(self):
        anon = self.srv.client()
        r = anon.get("/produits")
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        names = self.card_names(r.body)
        self.assertGreaterEqual(len(names), 12)
        for n in ("Picodon AOP", "Miel de lavande", "Noix fraîches", "Calissons", "Côtes-du-Rhône rouge"):
            self.assertIn(n, names)
        self.assertEqual(names, sorted(names, key=str.lower), names)
        # Filter by label and by the producer's commune.
        r = anon.get("/produits?label=aop")
        self.assertEqual(set(self.card_names(r.body)), {"Picodon AOP", "Noix fraîches", "Huile de noix"})
        self.assertIn('<option value="aop" selected', r.body)
        r = anon.get("/produits?label=aop&commune=26393")   # Montgenêt: the goat farm and the orchard
        self.assertEqual(set(self.card_names(r.body)), {"Picodon AOP", "Noix fraîches"})
        r = anon.get("/produits?label=%3Cscript%3E&commune=x&page=abc")
        self.assertEqual(r.status, 200)
        self.assertEqual(self.card_names(r.body), [])
        self.assertNotIn("<script>", r.body)

        # The product page: producer, labels with links, season in words, every place to buy.
        r = anon.get("/produits/picodon-aop")
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn('href="/organisations/%s"' % FARM, r.body)
        self.assertIn('<a class="badge badge-label" href="/labels/aop">AOP</a>', r.body)
        self.assertIn('href="/labels/bienvenue-a-la-ferme"', r.body)
        self.assertIn("de mars à novembre", r.body)
        places = text_of(re.search(r'<section class="product-places".*?</section>', r.body, re.S).group(0))
        self.assertIn("À la ferme, le vendredi de 17 h à 19 h", places)
        self.assertIn("Marché de Montgenêt, le jeudi de 16 h à 19 h", places)
        self.assertIn("Marché de Vesqueval, le samedi de 8 h à 12 h 30 — Place de la Halle, Vesqueval", places)
        self.assertIn("Comptoir de Coustelle", places)
        self.assertLess(places.index("jeudi"), places.index("samedi"))
        self.assertIn('href="/marches/marche-de-vesqueval"', r.body)
        self.assertIn('href="/organisations/comptoir-de-coustelle"', r.body)
        self.assertNotIn("/produits/picodon-aop/modifier", r.body)
        self.assertEqual(anon.get("/produits/pas-un-produit").status, 404)
        self.assertIn("toute l'année", text_of(anon.get("/produits/miel-de-lavande").body))
        self.assertIn("de novembre à février", anon.get("/produits/pain-d-epices-au-miel").body)
        self.assertIn("d'avril à décembre", text_of(anon.get("/produits/tomme-de-chevre").body))

        # The label page: its products and producers.
        r = anon.get("/labels/aop")
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertEqual(set(self.card_names(r.body)), {"Picodon AOP", "Noix fraîches", "Huile de noix"})
        producers = re.search(r'<ul class="producer-list">(.*?)</ul>', r.body, re.S).group(1)
        for org in (FARM, "vergers-de-montgenet", "comptoir-de-coustelle"):
            self.assertIn('href="/organisations/%s"' % org, producers)
        self.assertNotIn("rucher-de-la-roche", producers)
        self.assertEqual(anon.get("/labels/inconnu").status, 404)
        r = anon.get("/labels")
        self.assertEqual(r.status, 200)
        for slug in ("aop", "aoc", "igp", "label-rouge", "ab", "bienvenue-a-la-ferme"):
            self.assertIn('href="/labels/%s"' % slug, r.body)

        # Markets: day, hours, place, commune, producers present.
        r = anon.get("/marches")
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn("Marché de Vesqueval", r.body)
        self.assertIn("le samedi de 8 h à 12 h 30", r.body)
        self.assertLess(r.body.index("Marché de Coustelle"), r.body.index("Marché de Vesqueval"))  # mercredi < samedi
        r = anon.get("/marches/marche-de-vesqueval")
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn("Place de la Halle, Vesqueval", r.body)
        producers = re.search(r'<ul class="producer-list">(.*?)</ul>', r.body, re.S).group(1)
        for org in (FARM, "rucher-de-la-roche", "vergers-de-montgenet", "boulangerie-chabert"):
            self.assertIn('href="/organisations/%s"' % org, producers)
        self.assertNotIn("domaine-coteaux-de-vesque", producers)
        self.assertEqual(anon.get("/marches/nulle-part").status, 404)

        # The organisation's page shows its products with their labels; an association none.
        r = anon.get("/organisations/" + FARM)
        section = re.search(r'<section class="org-products".*?</section>', r.body, re.S).group(0)
        self.assertIn('href="/produits/picodon-aop"', section)
        self.assertIn('href="/labels/aop"', section)
        self.assertNotIn("/produits/nouveau", section)
        self.assertNotIn('class="org-products"', anon.get("/organisations/comite-des-fetes-vesqueval").body)

    def test_in_season_filter_follows_the_month_in_paris(self):
        m = month_now()
        r = self.srv.client().get("/produits?saison=1")
        self.assertEqual(r.status, 200)
        names = self.card_names(r.body)
        self.assertIn('id="f-saison" name="saison" value="1" checked', r.body)
        self.assertIn("Miel de lavande", names)                 # all year
        self.assertEqual("Abricots" in names, in_season(6, 8, m), names)
        self.assertEqual("Pain d'épices au miel" in names, in_season(11, 2, m), names)
        self.assertEqual("Noix fraîches" in names, in_season(9, 12, m), names)
        api = self.srv.client().get_json("/api/v1/products?in_season=true&limit=100").json()
        self.assertEqual(sorted(p["name"] for p in api["items"]), sorted(names))
        winter = self.srv.client().get_json("/api/v1/products?month=1&limit=100").json()
        wn = [p["name"] for p in winter["items"]]
        self.assertIn("Pain d'épices au miel", wn)
        self.assertNotIn("Abricots", wn)

    # -- the producer's forms

    def test_producer_adds_edits_and_deletes_a_product(self):
        c = self.sophie
        r = c.get(NEW)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        for attr in ['for="f-name"', 'for="f-season_start"', 'id="f-label_aop"', 'id="f-market_marche-de-vesqueval"',
                     'id="f-partner_comptoir-de-coustelle"', 'name="_csrf"']:
            self.assertIn(attr, r.body)
        self.assertNotIn('id="f-partner_%s"' % FARM, r.body)                 # not its own partner
        self.assertNotIn('id="f-partner_comite-des-fetes-vesqueval"', r.body)  # an association is no shop
        t = tag()
        slug = self.create(c, name="Brousse %s <b>fraîche</b>" % t, season_start="11", season_end="2",
                           **{"label_ab": "1", "market_marche-de-coustelle": "1",
                              "partner_boulangerie-chabert": "1"})
        self.assertTrue(slug.startswith("brousse-%s" % t), slug)
        r = c.follow(c.get("/produits/" + slug))
        self.assertEqual(r.status, 200)
        self.assertIn("Brousse %s &lt;b&gt;fraîche&lt;/b&gt;" % t, r.body)
        # schema.org Product for search engines: the name intact once parsed, no markup in the script.
        ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', r.body, re.S).group(1)
        self.assertNotIn("<", ld)
        ld = json.loads(ld)
        self.assertEqual((ld["@type"], ld["name"]), ("Product", "Brousse %s <b>fraîche</b>" % t))
        self.assertEqual(ld["brand"]["name"], "Chèvrerie des Granges")
        self.assertEqual(ld["award"], ["AB (Agriculture biologique)"])
        self.assertIn('<link rel="canonical" href="http://', r.body)
        self.assertIn("<strong>trois semaines</strong>", r.body)
        self.assertIn("de novembre à février", r.body)
        self.assertIn('href="/labels/ab"', r.body)
        self.assertIn("Marché de Coustelle, le mercredi de 8 h à 12 h", text_of(r.body))
        self.assertIn('href="/organisations/boulangerie-chabert"', r.body)
        self.assertIn("Le vendredi soir", r.body)
        self.assertIn("/produits/%s/modifier" % slug, r.body)
        # The label page lists it; so do the organisation's management page and its public page.
        self.assertIn("Brousse %s" % t, text_of(self.srv.client().get("/labels/ab").body))
        self.assertIn('href="/produits/%s"' % slug, c.get(CREATE).body)
        self.assertIn('href="/produits/%s"' % slug, self.srv.client().get("/organisations/" + FARM).body)

        # Edit: the form shows what is saved; the change replaces labels and places.
        r = c.get("/produits/%s/modifier" % slug)
        self.assertEqual(r.status, 200)
        self.assertRegex(r.body, r'id="f-label_ab" name="label_ab" checked')
        self.assertRegex(r.body, r'id="f-market_marche-de-coustelle" name="market_marche-de-coustelle" checked')
        self.assertRegex(r.body, r'<option value="11" selected')
        r = c.post_form("/produits/%s/modifier" % slug,
                        {"_csrf": csrf(r.body), "name": "Brousse %s" % t, "summary": "", "description": "",
                         "season_start": "", "season_end": "", "label_aop": "1",
                         "market_marche-de-vesqueval": "1"})
        self.assertEqual(r.status, 303, r.body[:3000])
        r = self.srv.client().get("/produits/" + slug)
        self.assertIn("toute l'année", text_of(r.body))
        self.assertIn('href="/labels/aop"', r.body)
        self.assertNotIn('href="/labels/ab"', r.body)
        self.assertNotIn("Marché de Coustelle", r.body)
        self.assertNotIn("boulangerie-chabert", r.body)
        self.assertNotIn("Le vendredi soir", r.body)   # no longer sold at the farm
        self.assertNotIn("Brousse %s" % t, text_of(self.srv.client().get("/labels/ab").body))

        # Delete asks first, then the product is gone.
        r = c.get("/produits/%s/supprimer" % slug)
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        r = c.post_form("/produits/%s/supprimer" % slug, {"_csrf": csrf(r.body)})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.location, CREATE)
        self.assertEqual(self.srv.client().get("/produits/" + slug).status, 404)

    def test_bad_input_is_said_next_to_its_field_and_kept(self):
        before = self.srv.client().get_json("/api/v1/products?organisation=%s&limit=100" % FARM).json()["total"]
        r = self.product_form(self.sophie, name="x", summary="Garde <i>ça</i>", season_start="3", season_end="",
                              shop_notes="y" * 201)
        self.assertEqual(r.status, 422)
        self.assertOneH1(r.body)
        self.assertRegex(r.body, r'id="e-name"[^>]*>[^<]*2 à 120')
        self.assertRegex(r.body, r'id="e-season_end"[^>]*>[^<]*mois de début et le mois de fin')
        self.assertRegex(r.body, r'id="e-shop_notes"')
        self.assertIn('aria-invalid="true"', r.body)
        self.assertIn('href="#f-name"', r.body)               # the summary links to the field
        self.assertIn("Garde &lt;i&gt;ça&lt;/i&gt;", r.body)   # kept, escaped
        self.assertIn('<option value="3" selected', r.body)
        after = self.srv.client().get_json("/api/v1/products?organisation=%s&limit=100" % FARM).json()["total"]
        self.assertEqual(before, after)

    def test_someone_else_gets_403_and_a_visitor_is_sent_to_log_in(self):
        slug = self.create(self.sophie, name="Réservé %s" % tag())
        anon = self.srv.client()
        r = anon.get(NEW)
        self.assertEqual(r.status, 303)
        self.assertTrue(r.location.startswith("/connexion?suite="))
        for c in (self.gerard, self.login("lucie.fabre@example.org")):
            self.assertEqual(c.get(NEW).status, 403)
            self.assertEqual(c.get(CREATE).status, 403)
            token = csrf(c.get("/").body)
            self.assertEqual(c.post_form(CREATE, {"_csrf": token, "name": "Intrus"}).status, 403)
            self.assertEqual(c.get("/produits/%s/modifier" % slug).status, 403)
            self.assertEqual(c.post_form("/produits/%s/modifier" % slug, {"_csrf": token, "name": "Volé"}).status, 403)
            self.assertEqual(c.get("/produits/%s/supprimer" % slug).status, 403)
            self.assertEqual(c.post_form("/produits/%s/supprimer" % slug, {"_csrf": token}).status, 403)
        r = self.srv.client().get("/produits/" + slug)
        self.assertEqual(r.status, 200)
        self.assertNotIn("Volé", r.body)
        # An association has no products, even for its owner.
        pierre = self.login("pierre.vignal@example.org")
        self.assertEqual(pierre.get("/organisations/comite-des-fetes-vesqueval/produits/nouveau").status, 409)
        # A form without its token is refused.
        self.assertEqual(self.sophie.post_form(CREATE, {"name": "Sans jeton"}).status, 403)
        self.assertEqual(self.sophie.post_form("/produits/%s/supprimer" % slug, {}).status, 403)
        self.assertEqual(self.srv.client().get("/produits/" + slug).status, 200)

    # -- the labels admin page

    def test_admin_adds_labels_and_markets_others_cannot(self):
        self.assertEqual(self.sophie.get("/admin/labels").status, 403)
        token = csrf(self.sophie.get("/").body)
        self.assertEqual(self.sophie.post_form("/admin/labels", {"_csrf": token, "name": "Label pirate"}).status, 403)
        self.assertEqual(self.srv.client().get("/labels/label-pirate").status, 404)
        admin = self.login("admin@example.org")
        r = admin.get("/admin/labels")
        self.assertEqual(r.status, 200)
        self.assertOneH1(r.body)
        self.assertIn('id="f-label-name"', r.body)
        self.assertIn('id="f-market-name"', r.body)
        r = admin.post_form("/admin/labels", {"_csrf": csrf(r.body, "/admin/labels"), "name": "A", "slug": "aop",
                                              "kind": "local"})
        self.assertEqual(r.status, 422)
        self.assertRegex(r.body, r'id="e-label-name"')
        self.assertRegex(r.body, r'id="e-label-slug"[^>]*>[^<]*déjà prise')
        t = tag()
        r = admin.post_form("/admin/labels", {"_csrf": csrf(r.body, "/admin/labels"),
                                              "name": "Marque Parc %s" % t, "slug": "", "kind": "local",
                                              "description": "Produits du parc naturel."})
        self.assertEqual(r.status, 303, r.body[:3000])
        r = self.srv.client().get("/labels/marque-parc-%s" % t)
        self.assertEqual(r.status, 200)
        self.assertIn("Marque locale", r.body)
        page = admin.get("/admin/labels").body
        r = admin.post_form("/admin/marches", {"_csrf": csrf(page, "/admin/marches"), "name": "Marché du soir %s" % t,
                                               "commune": "26392", "place": "Place du Lavoir", "weekday": "5",
                                               "opens": "19:00", "closes": "18:00"})
        self.assertEqual(r.status, 422)
        self.assertRegex(r.body, r'id="e-market-closes"[^>]*>[^<]*ferme après')
        self.assertIn('value="Place du Lavoir"', r.body)
        r = admin.post_form("/admin/marches", {"_csrf": csrf(r.body, "/admin/marches"),
                                               "name": "Marché du soir %s" % t, "commune": "26392",
                                               "place": "Place du Lavoir", "weekday": "5", "opens": "17:30",
                                               "closes": "20:00", "season_notes": "De mai à septembre"})
        self.assertEqual(r.status, 303, r.body[:3000])
        r = self.srv.client().get("/marches/marche-du-soir-%s" % t)
        self.assertEqual(r.status, 200)
        self.assertIn("le vendredi de 17 h 30 à 20 h", r.body)
        self.assertIn("Place du Lavoir, Aigueclaire", r.body)

    # -- hidden content

    def test_hidden_products_and_organisations_vanish(self):
        slug = self.create(self.sophie, name="Caché %s" % tag(), **{"label_igp": "1",
                                                                    "market_marche-de-montgenet": "1"})
        run_sql(self.srv, "UPDATE products SET hidden_at = 1000 WHERE slug = '%s'" % slug)
        anon = self.srv.client()
        self.assertEqual(anon.get("/produits/" + slug).status, 404)
        self.assertEqual(self.gerard.get("/produits/" + slug).status, 404)
        self.assertNotIn(slug, anon.get("/produits?label=igp").body)
        self.assertNotIn(slug, anon.get("/labels/igp").body)
        self.assertNotIn(slug, anon.get("/marches/marche-de-montgenet").body)
        self.assertNotIn(slug, anon.get("/organisations/" + FARM).body)
        self.assertEqual(anon.get_json("/api/v1/products/" + slug).status, 404)
        self.assertNotIn(slug, anon.get_json("/api/v1/products?limit=100").body)
        # Its editors still see it, marked.
        r = self.sophie.get("/produits/" + slug)
        self.assertEqual(r.status, 200)
        self.assertIn("masqué par la modération", r.body)
        self.assertIn("masqué", self.sophie.get(CREATE).body)
        # A hidden producer takes every product with it.
        run_sql(self.srv, "UPDATE organisations SET hidden_at = 1000 WHERE slug = 'rucher-de-la-roche'")
        try:
            self.assertEqual(anon.get("/produits/miel-de-lavande").status, 404)
            self.assertNotIn("Miel de lavande", self.card_names(anon.get("/produits").body))
            self.assertNotIn("rucher-de-la-roche", anon.get("/marches/marche-de-vesqueval").body)
            labels = anon.get_json("/api/v1/labels/igp").json()
            self.assertNotIn("miel-de-lavande", [p["slug"] for p in labels["products"]])
        finally:
            run_sql(self.srv, "UPDATE organisations SET hidden_at = NULL WHERE slug = 'rucher-de-la-roche'")
        self.assertEqual(anon.get("/produits/miel-de-lavande").status, 200)

    # -- the JSON API

    def test_api_reads(self):
        api = self.srv.client()
        r = api.get_json("/api/v1/products?label=aop")
        self.assertEqual(r.status, 200)
        body = r.json()
        self.assertEqual(body["total"], 3)
        self.assertEqual({p["slug"] for p in body["items"]}, {"picodon-aop", "noix-fraiches", "huile-de-noix"})
        p = api.get_json("/api/v1/products/picodon-aop").json()
        self.assertEqual(p["organisation"]["slug"], FARM)
        self.assertEqual(p["season"], {"start_month": 3, "end_month": 11})
        self.assertEqual(p["in_season_now"], in_season(3, 11, month_now()))
        self.assertEqual([l["slug"] for l in p["labels"]], ["aop", "bienvenue-a-la-ferme"])
        self.assertEqual([pl["kind"] for pl in p["places"]], ["shop", "market", "market", "partner"])
        sat = p["places"][2]["market"]
        self.assertEqual((sat["slug"], sat["weekday"], sat["opens"], sat["closes"]),
                         ("marche-de-vesqueval", 6, "08:00", "12:30"))
        self.assertEqual(p["places"][3]["organisation"]["slug"], "comptoir-de-coustelle")
        ls = api.get_json("/api/v1/labels").json()
        self.assertEqual([l["slug"] for l in ls["items"]][:5], ["aop", "aoc", "igp", "label-rouge", "ab"])
        aop = api.get_json("/api/v1/labels/aop").json()
        self.assertEqual(len(aop["products"]), 3)
        self.assertIn(FARM, [o["slug"] for o in aop["organisations"]])
        ms = api.get_json("/api/v1/markets").json()
        self.assertGreaterEqual(ms["total"], 3)
        ves = [m for m in ms["items"] if m["slug"] == "marche-de-vesqueval"][0]
        self.assertEqual(ves["commune"], {"insee": "26391", "name": "Vesqueval"})
        self.assertIn("rucher-de-la-roche", [o["slug"] for o in ves["organisations"]])
        self.assertEqual(api.get_json("/api/v1/products?market=marche-de-coustelle&organisation=ferme-du-serre")
                         .json()["total"], 1)
        self.assertEqual(api.get_json("/api/v1/products?organisation=personne").json()["total"], 0)
        self.assertError(api.get_json("/api/v1/products/inconnu"), 404, "not_found")
        self.assertError(api.get_json("/api/v1/labels/inconnu"), 404, "not_found")
        self.assertError(api.get_json("/api/v1/products?month=13"), 400, "bad_request")
        self.assertError(api.get_json("/api/v1/products?in_season=oui"), 400, "bad_request")

    def test_api_writes_for_members_only(self):
        token = self.token_of(SOPHIE)
        other = self.token_of(GERARD)
        api = self.srv.client()
        t = tag()
        body = {"name": "Faisselle %s" % t, "summary": "Fromage frais.", "season_start_month": 11,
                "season_end_month": 2, "labels": ["ab"],
                "places": {"shop": True, "shop_notes": "À la ferme", "markets": ["marche-de-vesqueval"],
                           "partners": ["comptoir-de-coustelle"]}}
        path = "/api/v1/orgs/%s/products" % FARM
        self.assertError(api.post_json(path, body), 401, "auth.required")
        self.assertError(api.post_json(path, body, token=other), 403, "forbidden")
        r = api.post_json(path, body, token=token)
        self.assertEqual(r.status, 201, r.body)
        p = r.json()
        slug = p["slug"]
        self.assertEqual(r.header("Location"), "/api/v1/products/%s" % slug)
        self.assertEqual(p["season"], {"start_month": 11, "end_month": 2})
        self.assertEqual([pl["kind"] for pl in p["places"]], ["shop", "market", "partner"])
        # Bad input: every field error, nothing changed.
        e = self.assertError(api.patch_json("/api/v1/products/" + slug,
                                            {"name": "x", "season_start_month": 13, "labels": ["nope"],
                                             "places": {"markets": ["nulle-part"], "partners": [FARM]}},
                                            token=token), 422, "form.invalid")
        self.assertEqual(set(e["fields"]), {"name", "season_start", "labels", "markets", "partners"})
        e = self.assertError(api.patch_json("/api/v1/products/" + slug, {"name": 3, "labels": "ab"}, token=token),
                             422, "form.invalid")
        self.assertEqual(set(e["fields"]), {"name", "labels"})
        self.assertEqual(api.get_json("/api/v1/products/" + slug).json()["name"], "Faisselle %s" % t)
        # A partial update keeps the rest; one end of the season may move alone.
        r = api.patch_json("/api/v1/products/" + slug, {"summary": "Moulée à la louche.", "season_end_month": 3},
                           token=token)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["season"], {"start_month": 11, "end_month": 3})
        self.assertEqual(len(r.json()["places"]), 3)
        self.assertEqual([l["slug"] for l in r.json()["labels"]], ["ab"])
        r = api.patch_json("/api/v1/products/" + slug, {"season_start_month": None, "season_end_month": None,
                                                       "places": {"shop": False}}, token=token)
        self.assertEqual(r.status, 200, r.body)
        self.assertIsNone(r.json()["season"])
        self.assertEqual(r.json()["places"], [])
        self.assertError(api.patch_json("/api/v1/products/" + slug, {"name": "Volé"}, token=other), 403, "forbidden")
        self.assertError(api.delete("/api/v1/products/" + slug, token=other), 403, "forbidden")
        # Not for an association.
        pierre = self.token_of("pierre.vignal@example.org")
        self.assertError(api.post_json("/api/v1/orgs/comite-des-fetes-vesqueval/products", {"name": "Tombola"},
                                       token=pierre), 409, "products.org_kind")
        r = api.delete("/api/v1/products/" + slug, token=token)
        self.assertEqual(r.status, 204)
        self.assertError(api.get_json("/api/v1/products/" + slug), 404, "not_found")


if __name__ == "__main__":
    unittest.main()
