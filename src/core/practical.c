/* practical.c: practical information pages of public bodies: validation, permissions, Markdown at save, the index by section.
 *
 * Each write runs in one transaction through db_txn_run, as core/posts.c
 * does: the callback reads the current row, checks who may write, validates,
 * and writes. A refusal is reported in the context (x->err, x->fe) and
 * returned as DB_HARD so nothing is kept; a soft failure runs the whole
 * callback again, so every callback starts by clearing them. */
#include "practical.h"
#include "slugs.h"
#include "markdown.h"
#include "orgs.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Path words under /infos-pratiques that a slug must not take. */
static const char *const reserved_slugs[] = { "nouvelle", "gerer", NULL };

/* ---- reading ------------------------------------------------------------------------------------ */

#define PAGE_COLS                                                                                \
	"p.id, p.org_id, p.section_id, p.slug, p.title, p.body, p.body_html, p.position,"        \
	" s.slug, s.title, o.slug, o.name, COALESCE(c.name, ''), p.created_at, p.updated_at,"    \
	" COALESCE(p.updated_by, 0)"
#define PAGE_JOINS                                                                               \
	" JOIN practical_sections s ON s.id = p.section_id"                                      \
	" JOIN organisations o ON o.id = p.org_id"                                               \
	" LEFT JOIN communes c ON c.id = o.commune_id"

static const struct db_sql SQL_GET_SLUG = { "practical_get_slug",
	"SELECT " PAGE_COLS " FROM practical_pages p" PAGE_JOINS
	" WHERE p.slug = $1 AND o.hidden_at IS NULL" };
static const struct db_sql SQL_GET_ID = { "practical_get_id",
	"SELECT " PAGE_COLS " FROM practical_pages p" PAGE_JOINS " WHERE p.id = $1" };
/* Every page, by section then position: the index (practical_pages_section). */
static const struct db_sql SQL_ALL = { "practical_all",
	"SELECT " PAGE_COLS " FROM practical_pages p" PAGE_JOINS
	" WHERE o.hidden_at IS NULL ORDER BY s.position, s.id, p.position, p.title, p.id" };
static const struct db_sql SQL_SECTIONS = { "practical_sections",
	"SELECT id, slug, title, position FROM practical_sections ORDER BY position, id" };

static void read_page(struct db_stmt *st, struct arena *a, struct practical_page *p)
{
	p->id = db_col_i64(st, 0);
	p->org_id = db_col_i64(st, 1);
	p->section_id = db_col_i64(st, 2);
	p->slug = db_col_str(st, 3, a);
	p->title = db_col_str(st, 4, a);
	p->body = db_col_str(st, 5, a);
	p->body_html = db_col_str(st, 6, a);
	p->position = (int)db_col_i64(st, 7);
	p->section_slug = db_col_str(st, 8, a);
	p->section_title = db_col_str(st, 9, a);
	p->org_slug = db_col_str(st, 10, a);
	p->org_name = db_col_str(st, 11, a);
	p->commune_name = db_col_str(st, 12, a);
	p->created_at = db_col_i64(st, 13);
	p->updated_at = db_col_i64(st, 14);
	p->updated_by = db_col_i64(st, 15);
}

static enum kq_err get_now(struct db *db, struct arena *a, const char *slug, int64_t id,
			   struct practical_page *out)
{
	struct db_stmt *st = db_stmt(db, slug ? &SQL_GET_SLUG : &SQL_GET_ID);
	if (slug)
		db_bind_text(st, 1, slug);
	else
		db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		read_page(st, a, out);
	db_reset(st);
	if (s == DB_ROW)
		return KQ_OK;
	return s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

enum kq_err practical_get(struct db *db, struct arena *a, const char *slug,
			  struct practical_page *out)
{
	if (!str_slug_valid(slug))
		return KQ_ERR_NOT_FOUND;
	return get_now(db, a, slug, 0, out);
}

enum kq_err practical_get_id(struct db *db, struct arena *a, int64_t id,
			     struct practical_page *out)
{
	return get_now(db, a, NULL, id, out);
}

enum kq_err practical_sections(struct db *db, struct arena *a, struct practical_section **out,
			       int *out_n)
{
	int n = 0, cap = 8;
	struct practical_section *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_SECTIONS);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		struct practical_section *x = &v[n++];
		memset(x, 0, sizeof(*x));
		x->id = db_col_i64(st, 0);
		x->slug = db_col_str(st, 1, a);
		x->title = db_col_str(st, 2, a);
		x->position = (int)db_col_i64(st, 3);
	}
	db_reset(st);
	*out = v;
	*out_n = n;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

struct index_call {
	struct arena *a;
	struct practical_section **out;
	int *out_n;
};

static enum db_status index_txn(struct db *db, void *cls)
{
	struct index_call *c = cls;
	if (practical_sections(db, c->a, c->out, c->out_n) != KQ_OK)
		return DB_HARD;
	/* The pages come in the order of the sections (SQL_ALL): each section
	 * points at its run of the one array. */
	int n = 0, cap = 16;
	struct practical_page *all = arena_alloc(c->a, sizeof(*all) * (size_t)cap);
	struct db_stmt *st = db_stmt(db, &SQL_ALL);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		all = arena_grow(c->a, all, n, &cap, sizeof(*all));
		read_page(st, c->a, &all[n++]);
	}
	db_reset(st);
	if (s < 0)
		return s;
	for (int i = 0, k = 0; i < *c->out_n; i++) {
		struct practical_section *x = &(*c->out)[i];
		x->pages = &all[k];
		while (k < n && all[k].section_id == x->id) {
			x->npages++;
			k++;
		}
	}
	return DB_NONE;
}

enum kq_err practical_index(struct db *db, struct arena *a, struct practical_section **out,
			    int *out_n)
{
	*out = NULL;
	*out_n = 0;
	struct index_call c = { a, out, out_n };
	if (db_read_run(db, "practical_index", index_txn, &c) < 0)
		return KQ_ERR_INTERNAL;
	return KQ_OK;
}

/* ---- who may write -------------------------------------------------------------------------- */

static const struct db_sql SQL_ORG_KIND = { "practical_org_kind",
	"SELECT kind FROM organisations WHERE id = $1" };
static const struct db_sql SQL_ORGS_ALL = { "practical_orgs_all",
	"SELECT id, slug, name, '' FROM organisations WHERE kind = 'public_body'"
	" AND hidden_at IS NULL ORDER BY name, id" };
static const struct db_sql SQL_ORGS_OF = { "practical_orgs_of",
	"SELECT o.id, o.slug, o.name, m.role FROM organisations o"
	" JOIN org_members m ON m.org_id = o.id"
	" WHERE m.account_id = $1 AND o.kind = 'public_body' AND o.hidden_at IS NULL"
	" ORDER BY o.name, o.id" };

enum kq_err practical_authorize(struct db *db, const struct actor *who, int64_t org_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	enum kq_err e = orgs_authorize(db, who, org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK)
		return e;
	struct db_stmt *st = db_stmt(db, &SQL_ORG_KIND);
	db_bind_i64(st, 1, org_id);
	enum db_status s = db_step(st);
	bool public_body = s == DB_ROW && strcmp(db_col_text(st, 0), "public_body") == 0;
	db_reset(st);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (s == DB_NONE)
		return KQ_ERR_NOT_FOUND;
	return public_body ? KQ_OK : KQ_ERR_PRACTICAL_NOT_PUBLIC_BODY;
}

enum kq_err practical_orgs_of(struct db *db, const struct actor *who, struct arena *a,
			      struct practical_org **out, int *out_n)
{
	*out = NULL;
	*out_n = 0;
	if (!who || !who->account_id)
		return KQ_OK;
	bool admin = actor_is_admin(who);
	struct db_stmt *st = db_stmt(db, admin ? &SQL_ORGS_ALL : &SQL_ORGS_OF);
	if (!admin)
		db_bind_i64(st, 1, who->account_id);
	int n = 0, cap = 4;
	struct practical_org *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	enum db_status s;
	while ((s = db_step(st)) == DB_ROW) {
		if (!admin && !orgs_role_can(db_col_text(st, 3), ORG_ACT_PUBLISH))
			continue;
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		v[n].id = db_col_i64(st, 0);
		v[n].slug = db_col_str(st, 1, a);
		v[n].name = db_col_str(st, 2, a);
		n++;
	}
	db_reset(st);
	*out = v;
	*out_n = n;
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

/* ---- writing ------------------------------------------------------------------------------------- */

static const struct db_sql SQL_SECTION_ID = { "practical_section_id",
	"SELECT id FROM practical_sections WHERE slug = $1" };
static const struct db_sql SQL_SLUG_USED = { "practical_slug_used",
	"SELECT 1 FROM practical_pages WHERE slug = $1" };
static const struct db_sql SQL_INSERT = { "practical_insert",
	"INSERT INTO practical_pages (org_id, section_id, slug, title, body, body_html, position,"
	" created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)"
	" RETURNING id" };
static const struct db_sql SQL_UPDATE = { "practical_update",
	"UPDATE practical_pages SET section_id = $2, title = $3, body = $4, body_html = $5,"
	" position = $6, updated_at = $7, updated_by = $8 WHERE id = $1" };
static const struct db_sql SQL_DELETE = { "practical_delete",
	"DELETE FROM practical_pages WHERE id = $1" };

/* A free slug from the title: "collecte-des-dechets", then "-2"... */
static enum db_status free_slug(struct db *db, struct arena *a, const char *title,
				const char **out)
{
	static const struct slug_rule rule = { &SQL_SLUG_USED, "info", 60, reserved_slugs };
	return slug_free(db, a, title, &rule, out);
}

struct write_ctx {
	const struct actor *who;
	const struct practical_input *in;
	struct arena *a;
	struct field_errors *fe;
	int64_t org_id;
	int64_t page_id;      /* update, delete: given; create: [out] */
	enum kq_err err;
};

static enum db_status refuse(struct write_ctx *x, enum kq_err e)
{
	x->err = e;
	return DB_HARD;
}

/* The values to store: what was given, else the current ones, else empty;
 * validated, field errors in x->fe. [out] *out_section_id, *out_position. */
static enum db_status validate(struct db *db, struct write_ctx *x, const struct practical_page *cur,
			       const char **title, const char **body, int64_t *out_section_id,
			       int *out_position)
{
	const struct practical_input *in = x->in;
	*title = in->title ? str_trim(x->a, in->title) : cur ? cur->title : "";
	*body = in->body ? in->body : cur ? cur->body : "";
	size_t len = str_utf8_len(*title);
	if (!str_text_ok(*title, SIZE_MAX, false) || len < PRACTICAL_TITLE_MIN ||
	    len > PRACTICAL_TITLE_MAX)
		field_error_add(x->fe, "title", "err.practical.title_invalid");
	if (!str_text_ok(*body, PRACTICAL_BODY_MAX, true))
		field_error_add(x->fe, "body", "err.practical.body_invalid");
	*out_section_id = cur ? cur->section_id : 0;
	if (in->section || !cur) {
		struct db_stmt *st = db_stmt(db, &SQL_SECTION_ID);
		db_bind_text(st, 1, in->section ? in->section : "");
		enum db_status s = db_step(st);
		*out_section_id = s == DB_ROW ? db_col_i64(st, 0) : 0;
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE)
			field_error_add(x->fe, "section", "err.practical.section_invalid");
	}
	*out_position = cur ? cur->position : 0;
	if (in->position) {
		const char *p = str_trim(x->a, in->position);
		char *end = NULL;
		long v = *p ? strtol(p, &end, 10) : 0;
		if (*p && (*end || v < 0 || v > PRACTICAL_POSITION_MAX))
			field_error_add(x->fe, "position", "err.practical.position_invalid");
		else
			*out_position = (int)v;
	}
	return DB_NONE;
}

static enum db_status create_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	memset(x->fe, 0, sizeof(*x->fe));
	enum kq_err e = practical_authorize(db, x->who, x->org_id);
	if (e != KQ_OK)
		return refuse(x, e);
	const char *title, *body;
	int64_t section_id;
	int position;
	enum db_status s = validate(db, x, NULL, &title, &body, &section_id, &position);
	if (s < 0)
		return s;
	if (x->fe->n)
		return refuse(x, KQ_ERR_FORM_INVALID);
	const char *slug;
	if ((s = free_slug(db, x->a, title, &slug)) < 0)
		return s;
	struct db_stmt *st = db_stmt(db, &SQL_INSERT);
	db_bind_i64(st, 1, x->org_id);
	db_bind_i64(st, 2, section_id);
	db_bind_text(st, 3, slug);
	db_bind_text(st, 4, title);
	db_bind_text(st, 5, body);
	db_bind_text(st, 6, markdown_to_html(x->a, body));
	db_bind_i64(st, 7, position);
	db_bind_i64(st, 8, time_now());
	db_bind_i64_or_null(st, 9, x->who->account_id);
	s = db_step(st);
	if (s == DB_ROW)
		x->page_id = db_col_i64(st, 0);
	db_reset(st);
	/* Someone took the slug between our look and our insert: run again. */
	if (s == DB_HARD && db_is_unique_violation(db))
		return DB_SOFT;
	if (s == DB_NONE)
		return DB_HARD;
	return s < 0 ? s : DB_NONE;
}

static enum db_status update_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	memset(x->fe, 0, sizeof(*x->fe));
	struct practical_page cur;
	enum kq_err e = get_now(db, x->a, NULL, x->page_id, &cur);
	if (e == KQ_OK)
		e = practical_authorize(db, x->who, cur.org_id);
	if (e != KQ_OK)
		return refuse(x, e);
	const char *title, *body;
	int64_t section_id;
	int position;
	enum db_status s = validate(db, x, &cur, &title, &body, &section_id, &position);
	if (s < 0)
		return s;
	if (x->fe->n)
		return refuse(x, KQ_ERR_FORM_INVALID);
	struct db_stmt *st = db_stmt(db, &SQL_UPDATE);
	db_bind_i64(st, 1, cur.id);
	db_bind_i64(st, 2, section_id);
	db_bind_text(st, 3, title);
	db_bind_text(st, 4, body);
	db_bind_text(st, 5, x->in->body || !*cur.body_html ? markdown_to_html(x->a, body)
							   : cur.body_html);
	db_bind_i64(st, 6, position);
	db_bind_i64(st, 7, time_now());
	db_bind_i64_or_null(st, 8, x->who->account_id);
	return db_run(st) < 0 ? DB_HARD : DB_NONE;
}

static enum db_status delete_txn(struct db *db, void *cls)
{
	struct write_ctx *x = cls;
	x->err = KQ_OK;
	struct practical_page cur;
	enum kq_err e = get_now(db, x->a, NULL, x->page_id, &cur);
	if (e == KQ_OK)
		e = practical_authorize(db, x->who, cur.org_id);
	if (e != KQ_OK)
		return refuse(x, e);
	struct db_stmt *st = db_stmt(db, &SQL_DELETE);
	db_bind_i64(st, 1, cur.id);
	enum db_status s = db_run(st);
	return s < 0 ? s : DB_NONE;
}

static enum kq_err run(struct db *db, const char *name, db_txn_fn fn, struct write_ctx *x)
{
	enum db_status s = db_txn_run(db, name, DB_WRITE, fn, x);
	if (x->err != KQ_OK)
		return x->err;
	if (s < 0) {
		log_error("%s: %s", name, db_errmsg(db));
		return KQ_ERR_INTERNAL;
	}
	return KQ_OK;
}

enum kq_err practical_create(struct db *db, const struct actor *who, int64_t org_id,
			     const struct practical_input *in, struct arena *a,
			     struct field_errors *fe, struct practical_page *out)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct write_ctx x = { who, in, a, fe, org_id, 0, KQ_OK };
	enum kq_err e = run(db, "practical_create", create_txn, &x);
	if (e != KQ_OK)
		return e;
	return get_now(db, a, NULL, x.page_id, out);
}

enum kq_err practical_update(struct db *db, const struct actor *who, int64_t page_id,
			     const struct practical_input *in, struct arena *a,
			     struct field_errors *fe, struct practical_page *out)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct write_ctx x = { who, in, a, fe, 0, page_id, KQ_OK };
	enum kq_err e = run(db, "practical_update", update_txn, &x);
	if (e != KQ_OK)
		return e;
	return get_now(db, a, NULL, page_id, out);
}

enum kq_err practical_delete(struct db *db, const struct actor *who, int64_t page_id)
{
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct field_errors fe = { 0 };
	struct practical_input none = { 0 };
	struct write_ctx x = { who, &none, a, &fe, 0, page_id, KQ_OK };
	enum kq_err e = run(db, "practical_delete", delete_txn, &x);
	arena_free(a);
	return e;
}

/* ---- the demo territory's practical pages --------------------------------------------------- */

static const struct db_sql SQL_DEMO_DATE = { "practical_demo_date",
	"UPDATE practical_pages SET created_at = $2, updated_at = $2 WHERE id = $1" };

static const struct {
	const char *org, *section, *title, *body;
	int position, days_ago;
} demo_pages[] = {
	{ "mairie-vesqueval", "mairie", "Horaires de la mairie de Vesqueval",
	  "Le secrétariat de la mairie vous accueille :\n\n"
	  "- du **lundi au vendredi**, de 9 h à 12 h ;\n"
	  "- le **mercredi après-midi**, de 14 h à 18 h.\n\n"
	  "Cartes d'identité et passeports **sur rendez-vous uniquement** : 04 75 53 20 10.\n\n"
	  "Fermeture exceptionnelle le vendredi 26 décembre.", 10, 3 },
	{ "cc-val-de-vesque", "dechets", "Collecte des déchets : les jours par commune",
	  "Sortez vos bacs la veille au soir. Les jours fériés, la collecte est décalée au "
	  "lendemain.\n\n"
	  "| Commune | Ordures ménagères | Emballages (bac jaune) |\n"
	  "| --- | --- | --- |\n"
	  "| Vesqueval | lundi et jeudi | mercredi |\n"
	  "| Aigueclaire | mardi | vendredi, semaines paires |\n"
	  "| Montgenêt | mardi | vendredi, semaines impaires |\n"
	  "| Saint-Firmin-de-Vesque | mercredi | jeudi, semaines paires |\n"
	  "| Les Faysses | jeudi | lundi, semaines impaires |\n"
	  "| Château-Ribaud | jeudi | lundi, semaines paires |\n"
	  "| La Roche-Aubière | vendredi | mardi, semaines impaires |\n"
	  "| Coustelle | vendredi | mardi, semaines paires |\n\n"
	  "Le verre et le papier vont aux points d'apport volontaire.", 10, 12 },
	{ "cc-val-de-vesque", "dechets", "Déchetterie intercommunale des Faysses",
	  "Route de la Vesque, aux Faysses. Gratuite pour les habitants du Val de Vesque, sur "
	  "présentation du badge.\n\n"
	  "- Lundi, mercredi, vendredi et samedi : 9 h – 12 h et 14 h – 18 h\n"
	  "- Fermée le mardi, le jeudi, le dimanche et les jours fériés\n\n"
	  "Acceptés : encombrants, déchets verts, gravats, bois, métaux, cartons, huiles, piles, "
	  "ampoules et appareils électriques.", 20, 30 },
	{ "cc-val-de-vesque", "transports", "Transport scolaire",
	  "Les cars scolaires desservent les collèges et le lycée de la vallée. L'inscription se "
	  "fait **avant le 15 juillet** auprès de la communauté de communes ; la carte est gratuite "
	  "pour les élèves domiciliés sur le territoire.\n\n"
	  "Arrêt principal de Vesqueval : place de la Halle, départ à 7 h 25.", 10, 45 },
	{ "cc-val-de-vesque", "sante", "Santé : pharmacies de garde et médecins",
	  "**Pharmacie de garde** la nuit, le dimanche et les jours fériés : appelez le **3237** "
	  "ou consultez l'affiche sur la porte de chaque pharmacie.\n\n"
	  "**Maison de santé de Vesqueval**, 4 rue des Tilleuls : trois médecins généralistes, "
	  "infirmiers, kinésithérapeute. Rendez-vous au 04 75 53 21 00.\n\n"
	  "En dehors des heures d'ouverture, appelez le **116 117** (médecin de garde).", 10, 20 },
	{ "mairie-vesqueval", "urgences", "Numéros d'urgence",
	  "- **15** : SAMU, urgence médicale\n"
	  "- **17** : police ou gendarmerie\n"
	  "- **18** : pompiers\n"
	  "- **112** : numéro d'urgence européen, depuis un portable\n"
	  "- **114** : par SMS, pour les personnes sourdes ou malentendantes\n\n"
	  "Gendarmerie de Vesqueval : 04 75 53 20 17.", 10, 60 },
	{ "mairie-vesqueval", "vie-pratique", "Location de la salle des fêtes",
	  "La salle des fêtes de Vesqueval (150 places) se loue pour les mariages, anniversaires "
	  "et réunions d'associations. Réservation au secrétariat de la mairie, au moins un mois "
	  "à l'avance ; caution de 500 €.", 10, 8 },
};

enum kq_err practical_load_demo(struct db *db)
{
	if (!db_in_txn(db))
		KQ_BUG("practical_load_demo outside a transaction");
	struct arena *a = arena_new();
	enum kq_err e = KQ_OK;
	int64_t now = time_now();
	for (size_t i = 0; e == KQ_OK && i < sizeof(demo_pages) / sizeof(demo_pages[0]); i++) {
		int64_t org_id = 0;
		struct actor who;
		if ((e = orgs_demo_owner(db, demo_pages[i].org, &org_id, &who)) != KQ_OK)
			break;
		if (!org_id)
			continue;   /* a demo without that organisation */
		/* Written by the public body's owner, through the same rules as a page. */
		struct practical_input in = { .section = demo_pages[i].section,
					      .title = demo_pages[i].title,
					      .body = demo_pages[i].body,
					      .position = arena_printf(a, "%d", demo_pages[i].position) };
		struct field_errors fe = { 0 };
		struct practical_page p;
		if ((e = practical_create(db, &who, org_id, &in, a, &fe, &p)) != KQ_OK) {
			log_error("demo: practical page %s refused (%s)", demo_pages[i].title,
				  fe.n ? fe.e[0].field : "");
			break;
		}
		struct db_stmt *st = db_stmt(db, &SQL_DEMO_DATE);
		db_bind_i64(st, 1, p.id);
		db_bind_i64(st, 2, now - (int64_t)demo_pages[i].days_ago * 86400);
		if (db_run(st) < 0)
			e = KQ_ERR_INTERNAL;
	}
	arena_free(a);
	return e;
}
