/* demo.c: loads the demo territory (data/demo/territory.json, compiled in) into an empty database.
 *
 * Everything goes in one transaction: a failed load leaves the database as
 * it was. The demo accounts share one password, hashed once (argon2id is
 * deliberately slow; 40 hashes would delay the first start). */
#include "territory.h"
#include "accounts.h"
#include "events.h"
#include "orgs.h"
#include "tickets.h"
#include "donations.h"
#include "memberships.h"
#include "campaigns.h"
#include "posts.h"
/* includes of the areas whose demo data is loaded below, one line each */
#include "practical.h"
#include "recurring.h"
#include "follows.h"
#include "directory.h"
#include "comments.h"
#include "products.h"
#include "sponsors.h"
#include "base/crypto.h"
#include "base/embed.h"
#include "base/log.h"
#include "base/timefmt.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_PASSWORD "kiosque-demo"

static const struct db_sql SQL_HAS_DATA = { "demo_has_data",
	"SELECT (SELECT COUNT(*) FROM organisations) + (SELECT COUNT(*) FROM communes)" };
static const struct db_sql SQL_TERRITORY = { "demo_territory",
	"UPDATE territory SET name = $1, short_name = $2, description = $3 WHERE id = 1" };
static const struct db_sql SQL_COMMUNE = { "demo_commune",
	"INSERT INTO communes (insee, name, postcode) VALUES ($1, $2, $3)" };

struct load {
	json_t *root;
	char hash[PASSWORD_HASH_MAX];
	bool loaded;
};

static const char *s(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

static enum db_status load_communes(struct db *db, json_t *root)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(root, "communes"), i, c) {
		struct db_stmt *st = db_stmt(db, &SQL_COMMUNE);
		db_bind_text(st, 1, s(c, "insee"));
		db_bind_text(st, 2, s(c, "name"));
		db_bind_text(st, 3, s(c, "postcode"));
		enum db_status r = db_run(st);
		if (r < 0)
			return r;
	}
	return DB_NONE;
}

static const char *role_of(json_t *a)
{
	const char *r = s(a, "role");
	return strcmp(r, "admin") == 0 || strcmp(r, "moderator") == 0 ? r : "";
}

/* The account id of an email in the demo file, by its position. */
static int64_t account_id_of(json_t *root, const int64_t *ids, const char *email)
{
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(root, "accounts"), i, a)
		if (strcmp(s(a, "email"), email) == 0)
			return ids[i];
	return 0;
}

static enum db_status load_people(struct db *db, struct load *l)
{
	json_t *accounts = json_object_get(l->root, "accounts");
	size_t n = json_array_size(accounts), i;
	int64_t *ids = calloc(n ? n : 1, sizeof(*ids));
	json_t *a, *o;
	enum db_status r = DB_NONE;

	if (!ids)
		return DB_HARD;
	json_array_foreach(accounts, i, a) {
		if (accounts_create_verified(db, s(a, "email"), s(a, "name"), l->hash, role_of(a),
					     &ids[i]) != KQ_OK) {
			log_error("demo: account %s refused", s(a, "email"));
			r = DB_HARD;
			goto out;
		}
	}
	json_array_foreach(json_object_get(l->root, "organisations"), i, o) {
		struct org_input in = {
			.kind = s(o, "kind"), .name = s(o, "name"), .slug = s(o, "slug"),
			.summary = s(o, "summary"), .description = s(o, "description"),
			.category = s(o, "category"), .commune = s(o, "commune"),
			.address = s(o, "address"), .email = s(o, "email"), .phone = s(o, "phone"),
			.website = s(o, "website"),
		};
		json_t *members = json_object_get(o, "members"), *m;
		size_t k;
		int64_t org_id = 0;
		int64_t creator = account_id_of(l->root, ids, s(json_array_get(members, 0), "email"));
		if ((r = orgs_insert_raw(db, &in, creator, &org_id)) < 0) {
			log_error("demo: organisation %s refused", in.slug);
			goto out;
		}
		json_array_foreach(members, k, m) {
			int64_t who = account_id_of(l->root, ids, s(m, "email"));
			if (!who || (r = orgs_member_insert_raw(db, org_id, who, s(m, "role"))) < 0) {
				log_error("demo: member %s of %s refused", s(m, "email"), in.slug);
				r = DB_HARD;
				goto out;
			}
		}
	}
out:
	free(ids);
	return r;
}

static enum db_status load_txn(struct db *db, void *cls)
{
	struct load *l = cls;
	struct db_stmt *st = db_stmt(db, &SQL_HAS_DATA);
	enum db_status r = db_step(st);
	int64_t existing = r == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	if (r < 0)
		return r;
	if (existing > 0)
		return DB_NONE;   /* never load over real data */

	json_t *t = json_object_get(l->root, "territory");
	st = db_stmt(db, &SQL_TERRITORY);
	db_bind_text(st, 1, s(t, "name"));
	db_bind_text(st, 2, s(t, "short_name"));
	db_bind_text(st, 3, s(t, "description"));
	if ((r = db_run(st)) < 0)
		return r;
	if ((r = load_communes(db, l->root)) < 0)
		return r;
	if ((r = load_people(db, l)) < 0)
		return r;
	if (events_load_demo(db) != KQ_OK)
		return DB_HARD;
	if (tickets_load_demo(db) != KQ_OK)   /* ticket setup: demo shops */
		return DB_HARD;
	if (donations_load_demo(db) != KQ_OK)   /* associations checked for tax receipts */
		return DB_HARD;
	if (memberships_load_demo(db) != KQ_OK)   /* membership plans of a few associations */
		return DB_HARD;
	if (campaigns_load_demo(db) != KQ_OK)   /* two live crowdfunding campaigns */
		return DB_HARD;
	if (posts_load_demo(db) != KQ_OK)   /* a few posts on the news wall */
		return DB_HARD;
	/* ---- comments ---- */
	if (comments_load_demo(db) != KQ_OK)   /* a conversation under the news and an event */
		return DB_HARD;
	/* ---- end comments ---- */
	/* ---- follows ---- */
	if (follows_load_demo(db) != KQ_OK)   /* demo citizens follow; the town hall pins a post */
		return DB_HARD;
	/* ---- end follows ---- */
	/* ---- terroir ---- */
	if (products_load_demo(db) != KQ_OK)   /* markets and products of producers and shops */
		return DB_HARD;
	/* ---- end terroir ---- */
	/* ---- directory ---- */
	if (directory_load_demo(db) != KQ_OK)   /* commune centres, hours, positions, links */
		return DB_HARD;
	/* ---- end directory ---- */
	/* ---- practical ---- */
	if (practical_load_demo(db) != KQ_OK)   /* town hall hours, waste, transport, health, emergencies */
		return DB_HARD;
	/* ---- end practical ---- */
	/* ---- recurring donations ---- */
	if (recurring_load_demo(db) != KQ_OK)   /* a monthly donation of lucie.fabre */
		return DB_HARD;
	/* ---- end recurring donations ---- */
	/* ---- sponsorship ---- */
	if (sponsors_load_demo(db) != KQ_OK)   /* accepted sponsors on a campaign and an event */
		return DB_HARD;
	/* ---- end sponsorship ---- */
	/* ---- moderation ---- */
	/* ---- end moderation ---- */
	l->loaded = true;
	return DB_NONE;
}

enum kq_err territory_load_demo(struct db *db, bool *out_loaded)
{
	*out_loaded = false;
	const struct embedded_file *f = embed_find("data/demo/territory.json");
	if (!f) {
		log_error("demo: data/demo/territory.json is not in the binary");
		return KQ_ERR_INTERNAL;
	}
	json_error_t jerr;
	struct load l = { 0 };
	l.root = json_loadb((const char *)f->data, f->len, 0, &jerr);
	if (!l.root) {
		log_error("demo: territory.json line %d: %s", jerr.line, jerr.text);
		return KQ_ERR_INTERNAL;
	}
	enum kq_err e = KQ_OK;
	if (!crypto_password_hash(DEMO_PASSWORD, l.hash))
		e = KQ_ERR_INTERNAL;
	else if (db_txn_run(db, "demo_load", DB_WRITE, load_txn, &l) < 0)
		e = KQ_ERR_INTERNAL;
	json_decref(l.root);
	*out_loaded = e == KQ_OK && l.loaded;
	return e;
}
