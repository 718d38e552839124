/* test_sponsors.c: sponsorship offers: rights, targets, one open offer, field checks, decide once under contention, public list (core/sponsors.c) */
#include "testlib.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/str.h"
#include "core/orgs.h"
#include "core/sponsors.h"
#include "web/views/sponsors.h"

#include <pthread.h>
#include <string.h>

struct env {
	char url[1024];
	char schema[128];
	struct db *db;
	struct arena *a;
	int64_t owner, treasurer, editor, baker, baker_ed, farmer, stranger;
	int64_t assoc, bakery, farm, shop_of_owner;
	int64_t event, draft_event, shop_event, campaign, draft_campaign;
};

TL_MIGRATED_DB_SETUPS(struct env, "sponsors")

/* ---- fixtures ------------------------------------------------------------------------------- */

static const struct db_sql SQL_ACCOUNT = { "ut_sponsors_account",
	"INSERT INTO accounts (email, email_lower, display_name, password_hash, email_verified_at,"
	" platform_role, lang, created_at) VALUES ($1, $2, $3, 'x', 1, '', 'fr', 1) RETURNING id" };
static const struct db_sql SQL_EVENT = { "ut_sponsors_event",
	"INSERT INTO events (org_id, slug, title, category, status, created_at, updated_at)"
	" VALUES ($1, $2, $3, 'party', $4, 1, 1) RETURNING id" };
static const struct db_sql SQL_CAMPAIGN = { "ut_sponsors_campaign",
	"INSERT INTO campaigns (org_id, slug, title, goal_cents, starts_at, ends_at, model, status,"
	" created_at, updated_at) VALUES ($1, $2, $3, 100000, $4, $5, 'keep_it', $6, 1, 1) RETURNING id" };
static const struct db_sql SQL_COUNT = { "ut_sponsors_count",
	"SELECT COUNT(*) FROM sponsorships" };
static const struct db_sql SQL_COUNT_LEDGER = { "ut_sponsors_count_ledger",
	"SELECT (SELECT COUNT(*) FROM ledger) + (SELECT COUNT(*) FROM payments)" };
static const struct db_sql SQL_MAILS_TO = { "ut_sponsors_mails_to",
	"SELECT COUNT(*) FROM outbox WHERE to_addr = $1" };
static const struct db_sql SQL_MAILS = { "ut_sponsors_mails",
	"SELECT COUNT(*) FROM outbox" };
static const struct db_sql SQL_STATUS = { "ut_sponsors_status",
	"SELECT status, COALESCE(decided_by, 0) FROM sponsorships WHERE id = $1" };
static const struct db_sql SQL_HIDE = { "ut_sponsors_hide",
	"UPDATE organisations SET hidden_at = 1 WHERE id = $1" };

static int64_t account(struct db *db, const char *email, const char *name)
{
	struct arena *a = arena_new();
	struct db_stmt *st = db_stmt(db, &SQL_ACCOUNT);
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, str_lower_ascii(a, email));
	db_bind_text(st, 3, name);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t id = db_col_i64(st, 0);
	db_reset(st);
	arena_free(a);
	return id;
}

static struct actor actor_of(struct env *e, int64_t id)
{
	return tl_actor(e->db, e->a, id);
}

static int64_t count(struct db *db, const struct db_sql *q, const char *arg)
{
	struct db_stmt *st = db_stmt(db, q);
	if (arg)
		db_bind_text(st, 1, arg);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t v = db_col_i64(st, 0);
	db_reset(st);
	return v;
}

static const char *status_of(struct env *e, int64_t id)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_STATUS);
	db_bind_i64(st, 1, id);
	assert_int_equal(db_step(st), DB_ROW);
	const char *s = arena_strdup(e->a, db_col_text(st, 0));
	db_reset(st);
	return s;
}

static int64_t insert_id(struct db_stmt *st)
{
	assert_int_equal(db_step(st), DB_ROW);
	int64_t id = db_col_i64(st, 0);
	db_reset(st);
	return id;
}

static int64_t event(struct env *e, int64_t org, const char *slug, const char *status)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_EVENT);
	db_bind_i64(st, 1, org);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, "Fête du village");
	db_bind_text(st, 4, status);
	return insert_id(st);
}

static int64_t campaign(struct env *e, int64_t org, const char *slug, const char *status)
{
	struct db_stmt *st = db_stmt(e->db, &SQL_CAMPAIGN);
	db_bind_i64(st, 1, org);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, "Restaurer le lavoir");
	db_bind_i64(st, 4, time_now() - 86400);
	db_bind_i64(st, 5, time_now() + 30 * 86400);
	db_bind_text(st, 6, status);
	return insert_id(st);
}

struct members {
	int64_t org_id;
	int n;
	int64_t ids[3];
	const char *roles[3];
};

static enum db_status members_txn(struct db *db, void *cls)
{
	struct members *m = cls;
	for (int i = 0; i < m->n; i++) {
		enum db_status s = orgs_member_insert_raw(db, m->org_id, m->ids[i], m->roles[i]);
		if (s < 0)
			return s;
	}
	return DB_NONE;
}

static int64_t org(struct env *e, int64_t owner, const char *kind, const char *name,
		   const char *category, const char *website)
{
	struct actor who = actor_of(e, owner);
	struct field_errors fe = { 0 };
	struct org o;
	struct org_input in = { .kind = kind, .name = name, .category = category, .website = website };
	assert_int_equal(orgs_create(e->db, &who, &in, e->a, &fe, &o), KQ_OK);
	return o.id;
}

/* Every test starts from: the association "Comité des fêtes" (owner Olga,
 * treasurer Tom, editor Eddy) with a published and a draft event and a live
 * and a draft campaign; the bakery (owner Béa, editor Ed) and the farm
 * (owner Fanny); a shop owned by Olga with an event of its own; a stranger. */
static int fresh(void **state)
{
	struct env *e = *state;
	tl_set_clock(0);
	if (db_exec(e->db, "DELETE FROM sponsorships; DELETE FROM campaigns; DELETE FROM events;"
			   " DELETE FROM org_invitations; DELETE FROM org_members;"
			   " DELETE FROM organisations; DELETE FROM outbox; DELETE FROM accounts") != DB_NONE)
		return -1;
	if (e->a)
		arena_free(e->a);
	e->a = arena_new();
	e->owner = account(e->db, "olga@example.org", "Olga");
	e->treasurer = account(e->db, "tom@example.org", "Tom");
	e->editor = account(e->db, "eddy@example.org", "Eddy");
	e->baker = account(e->db, "bea@example.org", "Béa");
	e->baker_ed = account(e->db, "ed@example.org", "Ed");
	e->farmer = account(e->db, "fanny@example.org", "Fanny");
	e->stranger = account(e->db, "sam@example.org", "Sam");
	e->assoc = org(e, e->owner, "association", "Comité des fêtes", "comite-des-fetes", "");
	struct members m = { e->assoc, 2, { e->treasurer, e->editor }, { "treasurer", "editor" } };
	assert_true(db_txn_run(e->db, "ut_members", DB_WRITE, members_txn, &m) >= 0);
	e->bakery = org(e, e->baker, "business", "Boulangerie du pont", NULL,
			"https://boulangerie.example.org");
	struct members m2 = { e->bakery, 1, { e->baker_ed }, { "editor" } };
	assert_true(db_txn_run(e->db, "ut_members2", DB_WRITE, members_txn, &m2) >= 0);
	e->farm = org(e, e->farmer, "producer", "Ferme du Serre", NULL, "");
	e->shop_of_owner = org(e, e->owner, "business", "Épicerie d'Olga", NULL, "");
	e->event = event(e, e->assoc, "fete-du-village", "published");
	e->draft_event = event(e, e->assoc, "fete-en-preparation", "draft");
	e->shop_event = event(e, e->shop_of_owner, "soldes-epicerie", "published");
	e->campaign = campaign(e, e->assoc, "restaurer-le-lavoir", "live");
	e->draft_campaign = campaign(e, e->assoc, "projet-secret", "draft");
	return 0;
}

static int done(void **state)
{
	struct env *e = *state;
	tl_set_clock(0);
	arena_free(e->a);
	e->a = NULL;
	return 0;
}

static struct sponsorship_input money_offer(int64_t sponsor, const char *kind, const char *slug,
					    int64_t cents)
{
	struct sponsorship_input in = { .sponsor_org_id = sponsor, .target_kind = kind,
					.target_slug = slug, .kind = "money", .amount_cents = cents,
					.message = "Avec plaisir !" };
	return in;
}

static int64_t offer_ok(struct env *e, int64_t who_id, const struct sponsorship_input *in)
{
	struct actor who = actor_of(e, who_id);
	struct field_errors fe = { 0 };
	int64_t id = 0;
	enum kq_err r = sponsors_offer(e->db, &who, in, e->a, &fe, &id);
	if (r != KQ_OK)
		fail_msg("sponsors_offer: %s (%s: %s)", err_api_code(r), fe.n ? fe.e[0].field : "",
			 fe.n ? fe.e[0].key : "");
	assert_true(id > 0);
	return id;
}

/* ---- tests ---------------------------------------------------------------------------------------- */

static void test_offer_needs_owner_or_editor_of_a_business_or_producer(void **state)
{
	struct env *e = *state;
	struct sponsorship_input in = money_offer(e->bakery, "event", "fete-du-village", 25000);
	struct actor visitor = { 0 };
	struct actor stranger = actor_of(e, e->stranger);
	struct actor olga = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	int64_t id = 0;
	assert_int_equal(sponsors_offer(e->db, &visitor, &in, e->a, &fe, &id), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(sponsors_offer(e->db, &stranger, &in, e->a, &fe, &id), KQ_ERR_FORBIDDEN);
	/* Olga owns the association, not the bakery. */
	assert_int_equal(sponsors_offer(e->db, &olga, &in, e->a, &fe, &id), KQ_ERR_FORBIDDEN);
	/* An association does not sponsor: the field says why. */
	struct sponsorship_input as_assoc = money_offer(e->assoc, "campaign", "restaurer-le-lavoir",
							 25000);
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(sponsors_offer(e->db, &olga, &as_assoc, e->a, &fe, &id), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "sponsor"), "sponsors.field.sponsor_kind");
	assert_int_equal(count(e->db, &SQL_COUNT, NULL), 0);
	assert_int_equal(count(e->db, &SQL_MAILS, NULL), 0);
	/* The bakery's editor may; the owner and the treasurer are told, not the editor. */
	offer_ok(e, e->baker_ed, &in);
	struct sponsorship_input farm = money_offer(e->farm, "campaign", "restaurer-le-lavoir", 5000);
	offer_ok(e, e->farmer, &farm);
	assert_int_equal(count(e->db, &SQL_COUNT, NULL), 2);
	assert_int_equal(count(e->db, &SQL_MAILS_TO, "olga@example.org"), 2);
	assert_int_equal(count(e->db, &SQL_MAILS_TO, "tom@example.org"), 2);
	assert_int_equal(count(e->db, &SQL_MAILS_TO, "eddy@example.org"), 0);
	/* The businesses the form offers: Béa's bakery for Ed, nothing for the stranger. */
	struct org *mine = NULL;
	int n = -1;
	struct actor ed = actor_of(e, e->baker_ed);
	assert_int_equal(sponsors_my_businesses(e->db, &ed, e->a, &mine, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(mine[0].id, e->bakery);
	assert_int_equal(sponsors_my_businesses(e->db, &stranger, e->a, &mine, &n), KQ_OK);
	assert_int_equal(n, 0);
}

static void test_target_must_be_a_published_event_or_live_campaign_of_an_association(void **state)
{
	struct env *e = *state;
	struct actor bea = actor_of(e, e->baker);
	struct field_errors fe = { 0 };
	int64_t id = 0;
	struct sponsorship_input in = money_offer(e->bakery, "event", "fete-en-preparation", 25000);
	assert_int_equal(sponsors_offer(e->db, &bea, &in, e->a, &fe, &id), KQ_ERR_NOT_FOUND);
	in = money_offer(e->bakery, "campaign", "projet-secret", 25000);
	assert_int_equal(sponsors_offer(e->db, &bea, &in, e->a, &fe, &id), KQ_ERR_NOT_FOUND);
	in = money_offer(e->bakery, "event", "soldes-epicerie", 25000);
	assert_int_equal(sponsors_offer(e->db, &bea, &in, e->a, &fe, &id), KQ_ERR_SPONSORS_TARGET_CLOSED);
	in = money_offer(e->bakery, "party", "fete-du-village", 25000);
	assert_int_equal(sponsors_offer(e->db, &bea, &in, e->a, &fe, &id), KQ_ERR_NOT_FOUND);
	/* A campaign that ended takes no more offers. */
	tl_set_clock(40 * 86400);
	in = money_offer(e->bakery, "campaign", "restaurer-le-lavoir", 25000);
	assert_int_equal(sponsors_offer(e->db, &bea, &in, e->a, &fe, &id), KQ_ERR_SPONSORS_TARGET_CLOSED);
	tl_set_clock(0);
	assert_int_equal(count(e->db, &SQL_COUNT, NULL), 0);
	struct sponsor_target t;
	assert_int_equal(sponsors_target_get(e->db, e->a, "event", "fete-du-village", &t), KQ_OK);
	assert_true(t.is_open);
	assert_int_equal(t.org_id, e->assoc);
	assert_int_equal(sponsors_target_get(e->db, e->a, "event", "soldes-epicerie", &t), KQ_OK);
	assert_false(t.is_open);
	/* Hidden by a moderator: gone for sponsors too. */
	assert_int_equal(db_exec(e->db, "UPDATE events SET hidden_at = 1 WHERE slug = 'fete-du-village'"),
			 DB_NONE);
	assert_int_equal(sponsors_target_get(e->db, e->a, "event", "fete-du-village", &t), KQ_ERR_NOT_FOUND);
	in = money_offer(e->bakery, "event", "fete-du-village", 25000);
	assert_int_equal(sponsors_offer(e->db, &bea, &in, e->a, &fe, &id), KQ_ERR_NOT_FOUND);
	assert_int_equal(count(e->db, &SQL_COUNT, NULL), 0);
}

static void test_fields_are_checked_and_nothing_is_written(void **state)
{
	struct env *e = *state;
	struct actor bea = actor_of(e, e->baker);
	int64_t id = 0;
	struct {
		const char *kind;
		int64_t amount;
		const char *goods;
		int64_t value;
		const char *message, *link, *field;
	} bad[] = {
		{ "money", 999, "", 0, "", "", "amount" },
		{ "money", SPONSORS_MAX_CENTS + 1, "", 0, "", "", "amount" },
		{ "in_kind", 0, "  ", 0, "", "", "goods" },
		{ "in_kind", 0, "Deux lignes\nde lots", 0, "", "", "goods" },
		{ "in_kind", 0, "Des lots", -5, "", "", "goods_value" },
		{ "gift", 0, "", 0, "", "", "kind" },
		{ "money", 25000, "", 0, "", "javascript:alert(1)", "link" },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(bad); i++) {
		struct sponsorship_input in = { .sponsor_org_id = e->bakery, .target_kind = "event",
						.target_slug = "fete-du-village", .kind = bad[i].kind,
						.amount_cents = bad[i].amount, .goods = bad[i].goods,
						.goods_value_cents = bad[i].value,
						.message = bad[i].message, .link_url = bad[i].link };
		struct field_errors fe = { 0 };
		assert_int_equal(sponsors_offer(e->db, &bea, &in, e->a, &fe, &id), KQ_ERR_FORM_INVALID);
		assert_non_null(field_error_get(&fe, bad[i].field));
	}
	char *long_msg = arena_alloc(e->a, SPONSORS_MESSAGE_MAX + 2);
	memset(long_msg, 'a', SPONSORS_MESSAGE_MAX + 1);
	long_msg[SPONSORS_MESSAGE_MAX + 1] = 0;
	struct sponsorship_input in = money_offer(e->bakery, "event", "fete-du-village", 25000);
	in.message = long_msg;
	struct field_errors fe = { 0 };
	assert_int_equal(sponsors_offer(e->db, &bea, &in, e->a, &fe, &id), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "message"), "sponsors.field.message_invalid");
	assert_int_equal(count(e->db, &SQL_COUNT, NULL), 0);
	assert_int_equal(count(e->db, &SQL_MAILS, NULL), 0);
	/* In kind with its value, and the website as the default link. */
	struct sponsorship_input goods = { .sponsor_org_id = e->bakery, .target_kind = "event",
					   .target_slug = "fete-du-village", .kind = "in_kind",
					   .goods = "Le pain du banquet", .goods_value_cents = 12000 };
	int64_t gid = offer_ok(e, e->baker, &goods);
	struct actor olga = actor_of(e, e->owner);
	assert_int_equal(sponsors_decide(e->db, &olga, e->assoc, gid, true, "", &fe), KQ_OK);
	struct sponsorship *list = NULL;
	int n = 0;
	assert_int_equal(sponsors_of_target(e->db, e->a, "event", e->event, &list, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].kind, "in_kind");
	assert_string_equal(list[0].goods, "Le pain du banquet");
	assert_int_equal(list[0].goods_value_cents, 12000);
	assert_string_equal(list[0].link_url, "https://boulangerie.example.org");
}

/* INVARIANT(one-open-offer) */
static void test_one_open_offer_per_sponsor_and_target(void **state)
{
	struct env *e = *state;
	struct actor bea = actor_of(e, e->baker), olga = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	int64_t id = 0;
	struct sponsorship_input in = money_offer(e->bakery, "campaign", "restaurer-le-lavoir", 25000);
	int64_t first = offer_ok(e, e->baker, &in);
	assert_int_equal(sponsors_offer(e->db, &bea, &in, e->a, &fe, &id), KQ_ERR_SPONSORS_ALREADY_OFFERED);
	/* Another target, another sponsor: fine. */
	struct sponsorship_input ev = money_offer(e->bakery, "event", "fete-du-village", 25000);
	offer_ok(e, e->baker, &ev);
	struct sponsorship_input farm = money_offer(e->farm, "campaign", "restaurer-le-lavoir", 5000);
	offer_ok(e, e->farmer, &farm);
	/* Declined: the bakery may offer again; accepted: not twice. */
	assert_int_equal(sponsors_decide(e->db, &olga, e->assoc, first, false, "Pas cette fois", &fe), KQ_OK);
	int64_t second = offer_ok(e, e->baker, &in);
	assert_int_equal(sponsors_decide(e->db, &olga, e->assoc, second, true, NULL, &fe), KQ_OK);
	assert_int_equal(sponsors_offer(e->db, &bea, &in, e->a, &fe, &id), KQ_ERR_SPONSORS_ALREADY_OFFERED);
	assert_int_equal(count(e->db, &SQL_COUNT, NULL), 4);
	/* The money is paid outside: no payment, no ledger row. */
	assert_int_equal(count(e->db, &SQL_COUNT_LEDGER, NULL), 0);
}

static void test_decide_needs_owner_or_treasurer_and_happens_once(void **state)
{
	struct env *e = *state;
	struct actor eddy = actor_of(e, e->editor), tom = actor_of(e, e->treasurer);
	struct actor bea = actor_of(e, e->baker), stranger = actor_of(e, e->stranger);
	struct actor fanny = actor_of(e, e->farmer);
	struct field_errors fe = { 0 };
	struct sponsorship_input in = money_offer(e->bakery, "event", "fete-du-village", 25000);
	int64_t id = offer_ok(e, e->baker, &in);
	int64_t mails = count(e->db, &SQL_MAILS, NULL);
	assert_int_equal(sponsors_decide(e->db, &eddy, e->assoc, id, true, "", &fe), KQ_ERR_FORBIDDEN);
	assert_int_equal(sponsors_decide(e->db, &stranger, e->assoc, id, true, "", &fe), KQ_ERR_FORBIDDEN);
	/* The bakery may not accept its own offer through its own organisation. */
	assert_int_equal(sponsors_decide(e->db, &bea, e->bakery, id, true, "", &fe), KQ_ERR_NOT_FOUND);
	char *long_note = arena_alloc(e->a, SPONSORS_NOTE_MAX + 2);
	memset(long_note, 'n', SPONSORS_NOTE_MAX + 1);
	long_note[SPONSORS_NOTE_MAX + 1] = 0;
	assert_int_equal(sponsors_decide(e->db, &tom, e->assoc, id, true, long_note, &fe), KQ_ERR_FORM_INVALID);
	assert_string_equal(field_error_get(&fe, "note"), "sponsors.field.note_invalid");
	assert_string_equal(status_of(e, id), "offered");
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(sponsors_decide(e->db, &tom, e->assoc, id, true, "Merci !", &fe), KQ_OK);
	assert_string_equal(status_of(e, id), "accepted");
	assert_int_equal(sponsors_decide(e->db, &tom, e->assoc, id, false, "", &fe), KQ_ERR_SPONSORS_DECIDED);
	assert_int_equal(sponsors_withdraw(e->db, &bea, e->bakery, id), KQ_ERR_SPONSORS_DECIDED);
	assert_string_equal(status_of(e, id), "accepted");
	/* The bakery's owner and editor are told, once. */
	assert_int_equal(count(e->db, &SQL_MAILS, NULL), mails + 2);
	assert_int_equal(count(e->db, &SQL_MAILS_TO, "bea@example.org"), 1);
	assert_int_equal(count(e->db, &SQL_MAILS_TO, "ed@example.org"), 1);
	/* Withdraw: the sponsor's owner or editor only, while offered. */
	struct sponsorship_input farm = money_offer(e->farm, "event", "fete-du-village", 5000);
	int64_t fid = offer_ok(e, e->farmer, &farm);
	assert_int_equal(sponsors_withdraw(e->db, &bea, e->farm, fid), KQ_ERR_FORBIDDEN);
	assert_int_equal(sponsors_withdraw(e->db, &bea, e->bakery, fid), KQ_ERR_NOT_FOUND);
	assert_int_equal(sponsors_withdraw(e->db, &fanny, e->farm, fid), KQ_OK);
	assert_string_equal(status_of(e, fid), "withdrawn");
	assert_int_equal(sponsors_decide(e->db, &tom, e->assoc, fid, true, "", &fe), KQ_ERR_SPONSORS_DECIDED);
	assert_int_equal(sponsors_decide(e->db, &tom, e->assoc, 999999, true, "", &fe), KQ_ERR_NOT_FOUND);
}

struct decider {
	const char *url;
	struct actor who;
	int64_t org, id;
	bool accept;
	pthread_barrier_t *go;
	enum kq_err result;
};

static void *decider_main(void *arg)
{
	struct decider *d = arg;
	char err[256];
	struct db *db = db_open(d->url, err, sizeof(err));
	pthread_barrier_wait(d->go);
	if (!db) {
		d->result = KQ_ERR_INTERNAL;
		return NULL;
	}
	struct field_errors fe = { 0 };
	d->result = sponsors_decide(db, &d->who, d->org, d->id, d->accept, "", &fe);
	db_close(db);
	return NULL;
}

#define DECIDERS 8

/* INVARIANT(decide-once) */
static void test_concurrent_accept_and_decline_make_one_decision(void **state)
{
	struct env *e = *state;
	struct sponsorship_input in = money_offer(e->bakery, "campaign", "restaurer-le-lavoir", 25000);
	int64_t id = offer_ok(e, e->baker, &in);
	int64_t mails = count(e->db, &SQL_MAILS, NULL);
	struct decider d[DECIDERS];
	pthread_t th[DECIDERS];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, DECIDERS);
	for (int i = 0; i < DECIDERS; i++) {
		d[i] = (struct decider){ .url = e->url, .org = e->assoc, .id = id, .accept = i % 2 == 0,
					 .go = &go };
		d[i].who = actor_of(e, i % 2 ? e->owner : e->treasurer);
		assert_int_equal(pthread_create(&th[i], NULL, decider_main, &d[i]), 0);
	}
	int ok = 0, decided = 0, winner = -1;
	for (int i = 0; i < DECIDERS; i++) {
		pthread_join(th[i], NULL);
		if (d[i].result == KQ_OK) {
			ok++;
			winner = i;
		} else if (d[i].result == KQ_ERR_SPONSORS_DECIDED) {
			decided++;
		} else {
			print_message("decider %d: %s\n", i, err_api_code(d[i].result));
		}
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(ok, 1);
	assert_int_equal(decided, DECIDERS - 1);
	assert_string_equal(status_of(e, id), d[winner].accept ? "accepted" : "declined");
	/* One decision, one mail to each of the bakery's owner and editor. */
	assert_int_equal(count(e->db, &SQL_MAILS, NULL), mails + 2);
}

static void test_public_list_shows_only_accepted_sponsors(void **state)
{
	struct env *e = *state;
	struct actor olga = actor_of(e, e->owner), fanny = actor_of(e, e->farmer);
	struct actor stranger = actor_of(e, e->stranger), ed = actor_of(e, e->baker_ed);
	struct field_errors fe = { 0 };
	struct sponsorship_input a = money_offer(e->bakery, "campaign", "restaurer-le-lavoir", 25000);
	int64_t accepted = offer_ok(e, e->baker, &a);
	struct sponsorship_input b = money_offer(e->farm, "campaign", "restaurer-le-lavoir", 5000);
	int64_t withdrawn = offer_ok(e, e->farmer, &b);
	struct sponsorship_input c = money_offer(e->shop_of_owner, "campaign", "restaurer-le-lavoir", 8000);
	int64_t declined = offer_ok(e, e->owner, &c);
	struct sponsorship_input d = money_offer(e->farm, "event", "fete-du-village", 5000);
	offer_ok(e, e->farmer, &d);   /* stays offered */
	assert_int_equal(sponsors_decide(e->db, &olga, e->assoc, accepted, true, "", &fe), KQ_OK);
	assert_int_equal(sponsors_withdraw(e->db, &fanny, e->farm, withdrawn), KQ_OK);
	assert_int_equal(sponsors_decide(e->db, &olga, e->assoc, declined, false, "", &fe), KQ_OK);
	struct sponsorship *list = NULL;
	int n = -1;
	assert_int_equal(sponsors_of_target(e->db, e->a, "campaign", e->campaign, &list, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].sponsor_org_id, e->bakery);
	assert_string_equal(list[0].sponsor_name, "Boulangerie du pont");
	assert_string_equal(list[0].status, "accepted");
	assert_int_equal(sponsors_of_target(e->db, e->a, "event", e->event, &list, &n), KQ_OK);
	assert_int_equal(n, 0);
	/* A sponsor hidden by moderation leaves the page at once. */
	struct db_stmt *st = db_stmt(e->db, &SQL_HIDE);
	db_bind_i64(st, 1, e->bakery);
	assert_int_equal(db_run(st), DB_NONE);
	assert_int_equal(sponsors_of_target(e->db, e->a, "campaign", e->campaign, &list, &n), KQ_OK);
	assert_int_equal(n, 0);
	/* The organisations' own lists: members only. */
	assert_int_equal(sponsors_received(e->db, &olga, e->assoc, e->a, &list, &n), KQ_OK);
	assert_int_equal(n, 4);
	assert_string_equal(list[0].status, "offered");
	assert_int_equal(sponsors_received(e->db, &stranger, e->assoc, e->a, &list, &n), KQ_ERR_FORBIDDEN);
	assert_int_equal(sponsors_made(e->db, &ed, e->bakery, e->a, &list, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].target_slug, "restaurer-le-lavoir");
	assert_int_equal(sponsors_made(e->db, &stranger, e->bakery, e->a, &list, &n), KQ_ERR_FORBIDDEN);
}

/* ---- views: every field a sponsor or an association types is escaped ---------------------------- */

#define EVIL "<script>\"'&"

static bool has_raw_evil(const struct buf *b)
{
	return b->len && memmem(b->p, b->len, "<script>\"", 9) != NULL;
}

static struct sponsorship evil_offer(int64_t id, const char *kind, const char *status)
{
	struct sponsorship s = { 0 };
	s.id = id;
	s.sponsor_slug = s.sponsor_name = s.org_slug = s.org_name = s.target_slug = s.target_title = EVIL;
	s.sponsor_logo_sha256 = "0123456789abcdef0123";
	s.target_kind = "campaign";
	s.kind = kind;
	s.amount_cents = 25000;
	s.currency = "EUR";
	s.goods = s.message = s.decision_note = s.created_by_name = EVIL;
	s.goods_value_cents = 1200;
	s.link_url = "https://example.org/?a=\"<script>\"";
	s.status = status;
	s.created_at = s.decided_at = 1700000000;
	return s;
}

static void test_views_escape_every_field(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct web w = { 0 };
	w.lang = "fr";
	w.csrf = EVIL;
	w.territory_name = "Val";
	w.actor.display_name = EVIL;
	w.actor.account_id = 1;
	struct request req = { 0 };
	req.arena = a;
	req.method = "GET";
	req.path = "/soutenir/x";
	req.app = &w;
	struct sponsor_target t = { .kind = "campaign", .id = 1, .org_id = 2, .slug = EVIL, .title = EVIL,
				    .status = "live", .org_slug = EVIL, .org_name = EVIL,
				    .org_kind = "association", .is_open = true };
	struct sponsorship list[3] = { evil_offer(1, "money", "offered"), evil_offer(2, "in_kind", "accepted"),
				       evil_offer(3, "in_kind", "declined") };
	struct buf b = BUF_INIT;
	view_sponsors_section(&b, &req, &t, list, 3, true);
	buf_putc(&b, '\0');
	assert_false(has_raw_evil(&b));
	assert_non_null(strstr(b.p, "Nos partenaires"));
	assert_non_null(strstr(b.p, "&lt;script&gt;"));
	buf_free(&b);
	/* Nothing to show: no section at all. */
	b = (struct buf)BUF_INIT;
	view_sponsors_section(&b, &req, &t, list, 0, false);
	assert_int_equal(b.len, 0);
	buf_free(&b);

	struct org mine = { 0 };
	mine.id = 7;
	mine.slug = mine.name = EVIL;
	struct field_errors fe = { 0 };
	field_error_add(&fe, "amount", "sponsors.field.amount_invalid");
	struct sponsors_offer_view ov = { .t = &t, .businesses = &mine, .n_businesses = 1, .fe = &fe,
					  .sponsor = EVIL, .kind = EVIL, .amount = EVIL, .goods = EVIL,
					  .goods_value = EVIL, .message = EVIL, .link = EVIL };
	b = (struct buf)BUF_INIT;
	view_sponsors_offer_form(&b, &req, &ov);
	buf_putc(&b, '\0');
	assert_false(has_raw_evil(&b));
	assert_non_null(strstr(b.p, "id=\"e-amount\""));
	buf_free(&b);

	struct org o = { 0 };
	o.slug = o.name = EVIL;
	o.kind = "association";
	struct sponsors_org_view rv = { .org = &o, .received = list, .n_received = 3, .is_receiver = true,
					.can_decide = true, .fe_id = 1, .fe = &fe, .note = EVIL };
	b = (struct buf)BUF_INIT;
	view_sponsors_org(&b, &req, &rv);
	buf_putc(&b, '\0');
	assert_false(has_raw_evil(&b));
	assert_non_null(strstr(b.p, "/parrainages/1/decision"));
	assert_null(strstr(b.p, "/parrainages/2/decision"));   /* decided: no form */
	buf_free(&b);
	o.kind = "business";
	struct sponsors_org_view mv = { .org = &o, .made = list, .n_made = 3, .is_sponsor = true,
					.can_withdraw = true };
	b = (struct buf)BUF_INIT;
	view_sponsors_org(&b, &req, &mv);
	buf_putc(&b, '\0');
	assert_false(has_raw_evil(&b));
	assert_non_null(strstr(b.p, "/parrainages/1/retirer"));
	assert_null(strstr(b.p, "/parrainages/2/retirer"));
	buf_free(&b);
	arena_free(a);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fresh, done)

int main(void)
{
	if (!crypto_init())
		return 1;
	time_init();
	i18n_init();
	const struct CMUnitTest db_tests[] = {
		T(test_offer_needs_owner_or_editor_of_a_business_or_producer),
		T(test_target_must_be_a_published_event_or_live_campaign_of_an_association),
		T(test_fields_are_checked_and_nothing_is_written),
		T(test_one_open_offer_per_sponsor_and_target),
		T(test_decide_needs_owner_or_treasurer_and_happens_once),
		T(test_concurrent_accept_and_decline_make_one_decision),
		T(test_public_list_shows_only_accepted_sponsors),
	};
	const struct CMUnitTest view_tests[] = {
		cmocka_unit_test(test_views_escape_every_field),
	};
	int failed = 0;
	TL_RUN_GROUP(failed, "sponsors/views", view_tests, NULL, NULL);
	TL_RUN_GROUP_BOTH(failed, "sponsors", db_tests, setup_sqlite, setup_pg, teardown);
	return TL_EXIT(failed);
}
