/* test_campaigns.c: crowdfunding campaigns on both backends (core/campaigns.c): who may start one, a contribution
 * paid with the demo card moving the progress, idempotent contributing, a tier of 10 with 50 concurrent backers
 * ending with 10 taken, a hold that runs out giving its reward back, the all-or-nothing settlement refunding every
 * contribution exactly once even when run twice around a refund the provider refuses, keep-it and reached goals
 * succeeding, updates mailed to backers; the ledger and tier invariants checked after every test. */
#include "tl_ticketing.h"
#include "tl_stripe.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "core/campaigns.h"
#include "core/faults.h"
#include "core/payments.h"
#include "jobs/jobs.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>

TK_DB_SETUPS("campaigns")

#define DAY 86400

/* INVARIANT(tier): taken == pending + paid contributions of the tier, and
 * taken <= quantity; INVARIANT(ledger); a paid or refunded contribution has
 * exactly one captured payment; a refunded one has exactly one refund. */
static void check_invariants(struct tk *e)
{
	tk_assert_ledger_balanced(e->db);
	assert_int_equal(tk_scalar(e->db, "tier_taken",
				   "SELECT COUNT(*) FROM campaign_tiers t WHERE t.taken <>"
				   " (SELECT COUNT(*) FROM contributions k WHERE k.tier_id = t.id"
				   "  AND k.status IN ('pending', 'paid'))"
				   " OR (t.quantity IS NOT NULL AND t.taken > t.quantity)", 0), 0);
	assert_int_equal(tk_scalar(e->db, "paid_once",
				   "SELECT COUNT(*) FROM contributions k WHERE k.status IN ('paid', 'refunded')"
				   " AND 1 <> (SELECT COUNT(*) FROM payments p WHERE p.contribution_id = k.id"
				   "  AND p.status = 'captured')", 0), 0);
	assert_int_equal(tk_scalar(e->db, "refunded_once",
				   "SELECT COUNT(*) FROM contributions k WHERE k.status = 'refunded'"
				   " AND 1 <> (SELECT COUNT(*) FROM refunds r JOIN payments p ON p.id = r.payment_id"
				   "  WHERE p.contribution_id = k.id)", 0), 0);
}

static int64_t count_of(struct tk *e, const char *sql, int64_t arg)
{
	return tk_scalar(e->db, "count", sql, arg);
}

static struct campaign_input input(const char *title, const char *model, int64_t goal)
{
	int64_t now = time_now();
	struct campaign_input in = { .title = title, .summary = "Un toit pour le lavoir",
				     .story = "Le **lavoir** fuit.<script>alert(1)</script>",
				     .category = "", .goal_cents = goal, .starts_at = now - 60,
				     .ends_at = now + DAY, .model = model, .publish = true };
	return in;
}

static int64_t new_campaign(struct tk *e, const char *model, int64_t goal)
{
	struct campaign_input in = input("Sauver le lavoir", model, goal);
	struct field_errors fe = { 0 };
	int64_t id = 0;
	const char *slug = NULL;
	enum kq_err err = campaigns_create(e->db, &e->a_editor, e->org, &in, e->a, &fe, &id, &slug);
	if (err != KQ_OK)
		fail_msg("campaigns_create: %s (%s)", err_api_code(err), fe.n ? fe.e[0].field : "");
	return id;
}

static int64_t new_tier(struct tk *e, int64_t campaign, int64_t amount, int64_t quantity)
{
	struct campaign_tier_input in = { amount, "Une tuile gravée", "Posée pour un siècle",
					  "Au printemps", quantity };
	struct field_errors fe = { 0 };
	int64_t id = 0;
	assert_int_equal(campaigns_tier_add(e->db, &e->a_owner, campaign, &in, &fe, &id), KQ_OK);
	return id;
}

static struct contribution_request request(int64_t campaign, int64_t tier, int64_t cents,
					   const char *provider, const char *key)
{
	struct contribution_request in = {
		.campaign_id = campaign, .tier_id = tier, .amount_cents = cents,
		.backer_name = "Zoé Lefèvre", .backer_email = "zoe@example.org", .is_public = true,
		.message = "Bon courage !", .provider = provider, .idempotency_key = key, .lang = "fr",
	};
	return in;
}

static enum kq_err back(struct tk *e, int64_t campaign, int64_t tier, int64_t cents,
			const char *provider, struct contribution *out)
{
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct contribution_request in = request(campaign, tier, cents, provider, key);
	struct field_errors fe = { 0 };
	return campaigns_contribute(e->db, &e->a_visitor, &in, e->a, &fe, out);
}

static struct campaign get(struct tk *e, int64_t id)
{
	struct campaign c;
	assert_int_equal(campaigns_get_by_id(e->db, e->a, id, &c), KQ_OK);
	return c;
}

/* ---- the organiser ------------------------------------------------------------------------ */

static void test_only_owner_and_editor_start_a_campaign(void **state)
{
	struct tk *e = *state;
	struct campaign_input in = input("Un four à pain", "keep_it", 100000);
	struct field_errors fe = { 0 };
	int64_t id = 0;
	assert_int_equal(campaigns_create(e->db, &e->a_visitor, e->org, &in, e->a, &fe, &id, NULL),
			 KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(campaigns_create(e->db, &e->a_stranger, e->org, &in, e->a, &fe, &id, NULL),
			 KQ_ERR_FORBIDDEN);
	assert_int_equal(campaigns_create(e->db, &e->a_treasurer, e->org, &in, e->a, &fe, &id, NULL),
			 KQ_ERR_FORBIDDEN);
	const char *slug = NULL;
	assert_int_equal(campaigns_create(e->db, &e->a_owner, e->org, &in, e->a, &fe, &id, &slug), KQ_OK);
	struct campaign c;
	assert_int_equal(campaigns_get(e->db, &e->a_visitor, e->a, slug, &c), KQ_OK);
	assert_string_equal(c.status, "live");
	assert_true(c.is_open);
	assert_int_equal(c.days_left, 1);
	/* The story is rendered once, safely. */
	assert_non_null(strstr(c.story_html, "<strong>lavoir</strong>"));
	assert_null(strstr(c.story_html, "<script>"));
	/* A second campaign of the same title gets its own slug. */
	const char *slug2 = NULL;
	assert_int_equal(campaigns_create(e->db, &e->a_owner, e->org, &in, e->a, &fe, &id, &slug2), KQ_OK);
	assert_string_not_equal(slug, slug2);
	check_invariants(e);
}

static void test_bad_campaign_fields_are_refused_one_by_one(void **state)
{
	struct tk *e = *state;
	int64_t before = count_of(e, "SELECT COUNT(*) FROM campaigns WHERE id > $1", 0);
	static const struct { const char *field; } cases[] = {
		{ "title" }, { "goal" }, { "model" }, { "ends_at" }, { "category" },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(cases); i++) {
		struct campaign_input in = input("Un four à pain", "keep_it", 100000);
		switch (i) {
		case 0: in.title = "   "; break;
		case 1: in.goal_cents = 50; break;
		case 2: in.model = "maybe"; break;
		case 3: in.ends_at = in.starts_at + (CAMPAIGNS_MAX_DAYS + 1) * (int64_t)DAY; break;
		default: in.category = "nope"; break;
		}
		struct field_errors fe = { 0 };
		int64_t id = 0;
		assert_int_equal(campaigns_create(e->db, &e->a_owner, e->org, &in, e->a, &fe, &id, NULL),
				 KQ_ERR_FORM_INVALID);
		assert_non_null(field_error_get(&fe, cases[i].field));
	}
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM campaigns WHERE id > $1", 0), before);
}

/* A draft's terms change until it opens; once live they stay (backers gave on them). */
static void test_terms_change_only_while_a_draft(void **state)
{
	struct tk *e = *state;
	struct campaign_input in = input("Un préau pour l'école", "keep_it", 100000);
	in.publish = false;
	struct field_errors fe = { 0 };
	int64_t id = 0;
	assert_int_equal(campaigns_create(e->db, &e->a_owner, e->org, &in, e->a, &fe, &id, NULL), KQ_OK);
	assert_string_equal(get(e, id).status, "draft");
	struct campaign c;
	assert_int_equal(campaigns_get(e->db, &e->a_visitor, e->a, get(e, id).slug, &c), KQ_ERR_NOT_FOUND);
	in.goal_cents = 200000;
	in.model = "all_or_nothing";
	in.publish = true;
	assert_int_equal(campaigns_update(e->db, &e->a_stranger, id, &in, &fe), KQ_ERR_FORBIDDEN);
	assert_int_equal(campaigns_update(e->db, &e->a_editor, id, &in, &fe), KQ_OK);
	c = get(e, id);
	assert_string_equal(c.status, "live");
	assert_int_equal(c.goal_cents, 200000);
	assert_string_equal(c.model, "all_or_nothing");
	in.title = "Un préau neuf";
	in.goal_cents = 100;
	in.model = "keep_it";
	assert_int_equal(campaigns_update(e->db, &e->a_editor, id, &in, &fe), KQ_OK);
	c = get(e, id);
	assert_string_equal(c.title, "Un préau neuf");
	assert_int_equal(c.goal_cents, 200000);
	assert_string_equal(c.model, "all_or_nothing");
	check_invariants(e);
}

/* The cover picture: sniffed from its bytes, served, replaced (the old one deleted). */
static void test_the_picture_is_sniffed_stored_and_replaced(void **state)
{
	struct tk *e = *state;
	static const unsigned char PNG[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
					     'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0 };
	static const unsigned char JPEG[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0 };
	static const char SVG[] = "<svg onload=\"alert(1)\"></svg>";
	struct campaign_input in = input("Une fresque pour la place", "keep_it", 100000);
	in.image = SVG;
	in.image_len = sizeof(SVG) - 1;
	struct field_errors fe = { 0 };
	int64_t id = 0;
	const char *slug = NULL;
	assert_int_equal(campaigns_create(e->db, &e->a_owner, e->org, &in, e->a, &fe, &id, &slug),
			 KQ_ERR_FORM_INVALID);
	assert_non_null(field_error_get(&fe, "image"));
	in.image = PNG;
	in.image_len = sizeof(PNG);
	memset(&fe, 0, sizeof(fe));
	int64_t uploads = count_of(e, "SELECT COUNT(*) FROM uploads WHERE id > $1", 0);
	assert_int_equal(campaigns_create(e->db, &e->a_owner, e->org, &in, e->a, &fe, &id, &slug), KQ_OK);
	struct upload u;
	assert_int_equal(campaigns_image_get(e->db, &e->a_visitor, e->a, slug, &u), KQ_OK);
	assert_string_equal(u.content_type, "image/png");
	assert_int_equal(u.size, sizeof(PNG));
	assert_string_equal(get(e, id).image_sha256, u.sha256);
	in.image = JPEG;
	in.image_len = sizeof(JPEG);
	assert_int_equal(campaigns_update(e->db, &e->a_owner, id, &in, &fe), KQ_OK);
	assert_int_equal(campaigns_image_get(e->db, &e->a_visitor, e->a, slug, &u), KQ_OK);
	assert_string_equal(u.content_type, "image/jpeg");
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM uploads WHERE id > $1", 0), uploads + 1);
	/* An update without a picture keeps it. */
	in.image = NULL;
	in.image_len = 0;
	assert_int_equal(campaigns_update(e->db, &e->a_owner, id, &in, &fe), KQ_OK);
	assert_int_equal(campaigns_image_get(e->db, &e->a_visitor, e->a, slug, &u), KQ_OK);
	assert_string_equal(u.content_type, "image/jpeg");
	check_invariants(e);
}

/* ---- contributing ------------------------------------------------------------------------- */

static void test_a_demo_contribution_moves_the_progress(void **state)
{
	struct tk *e = *state;
	int64_t c = new_campaign(e, "all_or_nothing", 10000);
	int64_t tier = new_tier(e, c, 2500, 5);
	struct contribution k;
	assert_int_equal(back(e, c, tier, 3000, "demo", &k), KQ_OK);
	assert_string_equal(k.status, "pending");
	assert_non_null(strstr(k.redirect_url, "/paiement-demo"));
	struct campaign got = get(e, c);
	assert_int_equal(got.raised_cents, 0);   /* pending money is not raised yet */
	assert_int_equal(campaigns_demo_pay(e->db, k.secret), KQ_OK);
	assert_int_equal(campaigns_demo_pay(e->db, k.secret), KQ_ERR_ORDER_STATE);   /* once */
	got = get(e, c);
	assert_int_equal(got.raised_cents, 3000);
	assert_int_equal(got.backers, 1);
	assert_int_equal(got.percent, 30);
	/* Without a reward, anonymous: shown as such. */
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct contribution_request in = request(c, 0, 1000, "demo", key);
	in.is_public = false;
	struct field_errors fe = { 0 };
	assert_int_equal(campaigns_contribute(e->db, &e->a_visitor, &in, e->a, &fe, &k), KQ_OK);
	assert_int_equal(campaigns_demo_pay(e->db, k.secret), KQ_OK);
	got = get(e, c);
	assert_int_equal(got.raised_cents, 4000);
	assert_int_equal(got.backers, 2);
	struct campaign_backer *b;
	int n;
	assert_int_equal(campaigns_backers(e->db, e->a, c, &b, &n), KQ_OK);
	assert_int_equal(n, 2);
	int anonymous = 0;
	for (int i = 0; i < n; i++)
		if (!b[i].is_public) {
			anonymous++;
			assert_string_equal(b[i].name, "");
			assert_string_equal(b[i].message, "");
		}
	assert_int_equal(anonymous, 1);
	/* The organiser's list of rewards to deliver names everyone; nobody else sees it. */
	struct campaign_backing *kb;
	assert_int_equal(campaigns_backings(e->db, &e->a_stranger, c, e->a, &kb, &n), KQ_ERR_FORBIDDEN);
	assert_int_equal(campaigns_backings(e->db, &e->a_editor, c, e->a, &kb, &n), KQ_OK);
	assert_int_equal(n, 2);
	assert_string_equal(kb[0].tier_title, "Une tuile gravée");
	assert_string_equal(kb[1].backer_name, "Zoé Lefèvre");
	struct campaign_tier *t;
	assert_int_equal(campaigns_tiers(e->db, e->a, c, &t, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(t[0].remaining, 4);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Merci pour votre"
				     " soutien%' AND id > $1", 0) >= 2, 1);
	check_invariants(e);
}

static void test_bad_contributions_are_refused_and_write_nothing(void **state)
{
	struct tk *e = *state;
	int64_t c = new_campaign(e, "keep_it", 10000);
	int64_t tier = new_tier(e, c, 2500, 0);
	int64_t other = new_tier(e, new_campaign(e, "keep_it", 10000), 1000, 0);
	int64_t before = count_of(e, "SELECT COUNT(*) FROM contributions WHERE id > $1", 0);
	struct contribution k;
	struct { int64_t tier, cents; const char *provider, *email, *field; enum kq_err err; } cases[] = {
		{ 0, 50, "demo", "zoe@example.org", "amount", KQ_ERR_FORM_INVALID },
		{ 0, CAMPAIGNS_MAX_CENTS + 1, "demo", "zoe@example.org", "amount", KQ_ERR_FORM_INVALID },
		{ tier, 2000, "demo", "zoe@example.org", "amount", KQ_ERR_FORM_INVALID },
		{ other, 2000, "demo", "zoe@example.org", "tier", KQ_ERR_FORM_INVALID },
		{ 0, 2000, "transfer", "zoe@example.org", "provider", KQ_ERR_FORM_INVALID },
		{ 0, 2000, "demo", "not-an-email", "backer_email", KQ_ERR_FORM_INVALID },
	};
	for (size_t i = 0; i < TL_ARRAY_LEN(cases); i++) {
		char key[TOKEN_HEX_LEN + 1];
		crypto_token(key);
		struct contribution_request in = request(c, cases[i].tier, cases[i].cents,
							 cases[i].provider, key);
		in.backer_email = cases[i].email;
		struct field_errors fe = { 0 };
		assert_int_equal(campaigns_contribute(e->db, &e->a_visitor, &in, e->a, &fe, &k),
				 cases[i].err);
		if (!field_error_get(&fe, cases[i].field))
			fail_msg("case %zu: no error on %s", i, cases[i].field);
	}
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM contributions WHERE id > $1", 0), before);
	assert_int_equal(count_of(e, "SELECT taken FROM campaign_tiers WHERE id = $1", tier), 0);
	/* A draft takes nothing. */
	struct campaign_input in = input("Brouillon", "keep_it", 10000);
	in.publish = false;
	struct field_errors fe = { 0 };
	int64_t draft = 0;
	assert_int_equal(campaigns_create(e->db, &e->a_owner, e->org, &in, e->a, &fe, &draft, NULL),
			 KQ_OK);
	assert_int_equal(back(e, draft, 0, 2000, "demo", &k), KQ_ERR_CAMPAIGNS_NOT_LIVE);
	check_invariants(e);
}

static void test_a_retried_contribution_returns_the_same_one(void **state)
{
	struct tk *e = *state;
	int64_t c = new_campaign(e, "keep_it", 10000);
	int64_t tier = new_tier(e, c, 1000, 3);
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct contribution_request in = request(c, tier, 1000, "demo", key);
	struct field_errors fe = { 0 };
	struct contribution k1, k2;
	assert_int_equal(campaigns_contribute(e->db, &e->a_visitor, &in, e->a, &fe, &k1), KQ_OK);
	assert_int_equal(campaigns_contribute(e->db, &e->a_visitor, &in, e->a, &fe, &k2), KQ_OK);
	assert_int_equal(k1.id, k2.id);
	assert_int_equal(count_of(e, "SELECT taken FROM campaign_tiers WHERE id = $1", tier), 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM payments WHERE contribution_id = $1", k1.id), 1);
	in.amount_cents = 5000;
	assert_int_equal(campaigns_contribute(e->db, &e->a_visitor, &in, e->a, &fe, &k2),
			 KQ_ERR_IDEMPOTENCY_CONFLICT);
	check_invariants(e);
}

#define BACKERS 50
#define TIER_SIZE 10

struct backer {
	const char *url;
	int64_t campaign, tier;
	pthread_barrier_t *go;
	enum kq_err result;
	char err[256];
};

static void *backer_main(void *arg)
{
	struct backer *b = arg;
	struct db *db = db_open(b->url, b->err, sizeof(b->err));
	pthread_barrier_wait(b->go);
	if (!db) {
		b->result = KQ_ERR_INTERNAL;
		return NULL;
	}
	struct arena *a = arena_new();
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct contribution_request in = request(b->campaign, b->tier, 2500, "demo", key);
	struct actor visitor = { 0 };
	struct field_errors fe = { 0 };
	struct contribution k;
	b->result = campaigns_contribute(db, &visitor, &in, a, &fe, &k);
	if (b->result == KQ_OK)
		b->result = campaigns_demo_pay(db, k.secret);
	if (b->result != KQ_OK && b->result != KQ_ERR_CAMPAIGNS_TIER_FULL)
		snprintf(b->err, sizeof(b->err), "%s", db_errmsg(db));
	arena_free(a);
	db_close(db);
	return NULL;
}

/* INVARIANT(tier) */
static void test_a_tier_of_10_with_50_concurrent_backers_ends_with_10_taken(void **state)
{
	struct tk *e = *state;
	int64_t c = new_campaign(e, "all_or_nothing", 100000);
	int64_t tier = new_tier(e, c, 2500, TIER_SIZE);
	struct backer b[BACKERS];
	pthread_t th[BACKERS];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, BACKERS);
	for (int i = 0; i < BACKERS; i++) {
		b[i] = (struct backer){ .url = e->url, .campaign = c, .tier = tier, .go = &go };
		assert_int_equal(pthread_create(&th[i], NULL, backer_main, &b[i]), 0);
	}
	int ok = 0, full = 0;
	for (int i = 0; i < BACKERS; i++) {
		pthread_join(th[i], NULL);
		if (b[i].result == KQ_OK)
			ok++;
		else if (b[i].result == KQ_ERR_CAMPAIGNS_TIER_FULL)
			full++;
		else
			print_message("backer %d: %s %s\n", i, err_api_code(b[i].result), b[i].err);
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(ok, TIER_SIZE);
	assert_int_equal(full, BACKERS - TIER_SIZE);
	assert_int_equal(count_of(e, "SELECT taken FROM campaign_tiers WHERE id = $1", tier), TIER_SIZE);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM contributions WHERE tier_id = $1"
				     " AND status = 'paid'", tier), TIER_SIZE);
	assert_int_equal(get(e, c).raised_cents, TIER_SIZE * 2500);
	check_invariants(e);
}

static void test_a_hold_that_runs_out_gives_the_reward_back(void **state)
{
	struct tk *e = *state;
	int64_t c = new_campaign(e, "keep_it", 10000);
	int64_t tier = new_tier(e, c, 1000, 1);
	struct contribution k1, k2;
	assert_int_equal(back(e, c, tier, 1000, "demo", &k1), KQ_OK);
	assert_int_equal(back(e, c, tier, 1000, "demo", &k2), KQ_ERR_CAMPAIGNS_TIER_FULL);
	int n = 0;
	assert_int_equal(campaigns_expire_pending(e->db, &n), KQ_OK);
	assert_int_equal(count_of(e, "SELECT taken FROM campaign_tiers WHERE id = $1", tier), 1);
	set_clock(CAMPAIGNS_HOLD_SECONDS + 60);
	assert_int_equal(campaigns_expire_pending(e->db, &n), KQ_OK);
	assert_true(n >= 1);
	assert_int_equal(count_of(e, "SELECT taken FROM campaign_tiers WHERE id = $1", tier), 0);
	struct contribution got;
	assert_int_equal(campaigns_contribution_get(e->db, e->a, k1.secret, &got), KQ_OK);
	assert_string_equal(got.status, "cancelled");
	/* Someone else takes it now; the first backer's link no longer pays. */
	assert_int_equal(back(e, c, tier, 1000, "demo", &k2), KQ_OK);
	assert_int_equal(campaigns_demo_pay(e->db, k2.secret), KQ_OK);
	assert_int_equal(campaigns_demo_pay(e->db, k1.secret), KQ_ERR_ORDER_STATE);
	set_clock(0);
	check_invariants(e);
}

/* ---- settlement ---------------------------------------------------------------------------- */

static const struct db_sql T_SESSION = { "t_session",
	"SELECT provider_ref FROM payments WHERE contribution_id = $1" };

/* A contribution paid by card through the fake Stripe and its webhook. */
static void back_by_card(struct tk *e, int64_t c, int64_t cents)
{
	struct contribution k;
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct contribution_request in = request(c, 0, cents, "stripe", key);
	in.backer_email = "card@example.org";
	struct field_errors fe = { 0 };
	assert_int_equal(campaigns_contribute(e->db, &e->a_visitor, &in, e->a, &fe, &k), KQ_OK);
	struct db_stmt *st = db_stmt(e->db, &T_SESSION);
	db_bind_i64(st, 1, k.id);
	assert_int_equal(db_step(st), DB_ROW);
	const char *session = arena_strdup(e->a, db_col_text(st, 0));
	db_reset(st);
	struct delivery d = fake_pay(session);
	enum webhook_result r;
	assert_int_equal(deliver(e->db, &d, &r), KQ_OK);
	assert_int_equal(r, WEBHOOK_APPLIED);
	delivery_free(&d);
}

/* INVARIANT(settle-once): the settlement runs, the provider refuses one
 * refund, the settlement runs again, the refund job retries: every
 * contribution is refunded once, each backer mailed once. */
static void test_all_or_nothing_missed_refunds_every_contribution_exactly_once(void **state)
{
	struct tk *e = *state;
	int64_t c = new_campaign(e, "all_or_nothing", 100000);
	for (int i = 0; i < 3; i++)
		back_by_card(e, c, 2000 + i * 100);
	struct contribution k;
	assert_int_equal(back(e, c, 0, 1000, "demo", &k), KQ_OK);
	assert_int_equal(campaigns_demo_pay(e->db, k.secret), KQ_OK);
	assert_int_equal(get(e, c).raised_cents, 2000 + 2100 + 2200 + 1000);
	int64_t refunds_before = fake_count("refunds");
	int64_t mails_before = count_of(e, "SELECT COUNT(*) FROM outbox WHERE id > $1"
					   " AND to_addr = 'card@example.org'", 0);
	/* Not due yet: nothing happens. */
	int n = 0;
	assert_int_equal(campaigns_settle_due(e->db, &n), KQ_OK);
	assert_string_equal(get(e, c).status, "live");
	set_clock(2 * DAY);
	json_decref(fake_call("POST", "/_test/fail-next?count=1&status=500"));
	assert_int_equal(campaigns_settle_due(e->db, &n), KQ_OK);
	assert_string_equal(get(e, c).status, "failed");
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM contributions WHERE campaign_id = $1"
				     " AND status = 'refunded'", c), 4);
	/* One card refund was refused: it waits for another try. */
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM refunds r JOIN payments p"
				     " ON p.id = r.payment_id JOIN contributions k ON k.id = p.contribution_id"
				     " WHERE k.campaign_id = $1 AND r.status = 'pending'", c), 1);
	assert_int_equal(fake_count("refunds") - refunds_before, 2);
	/* The job runs again (restarted): nothing new. */
	assert_int_equal(campaigns_settle_due(e->db, &n), KQ_OK);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM refunds r JOIN payments p"
				     " ON p.id = r.payment_id JOIN contributions k ON k.id = p.contribution_id"
				     " WHERE k.campaign_id = $1", c), 4);
	/* The refund job's next try, later. */
	set_clock(3 * DAY);
	int done = 0;
	assert_int_equal(payments_refunds_run(e->db, 0, 50, &done), KQ_OK);
	assert_int_equal(fake_count("refunds") - refunds_before, 3);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM refunds r JOIN payments p"
				     " ON p.id = r.payment_id JOIN contributions k ON k.id = p.contribution_id"
				     " WHERE k.campaign_id = $1 AND r.status = 'done'", c), 4);
	assert_int_equal(campaigns_settle_due(e->db, &n), KQ_OK);
	assert_int_equal(fake_count("refunds") - refunds_before, 3);
	/* One mail per backer address: the three card payments share theirs. */
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM outbox WHERE id > $1"
				     " AND to_addr = 'card@example.org'", 0) - mails_before, 1);
	assert_int_equal(count_of(e, "SELECT COALESCE(SUM(l.amount_cents), 0) FROM ledger l JOIN payments p"
				     " ON p.id = l.payment_id JOIN contributions k ON k.id = p.contribution_id"
				     " WHERE k.campaign_id = $1 AND l.kind <> 'fee'", c), 0);
	set_clock(0);
	check_invariants(e);
}

/* A card payment that lands after its all-or-nothing campaign failed is
 * recorded and sent straight back, once, however often Stripe delivers it. */
static void test_a_payment_after_the_failure_goes_back(void **state)
{
	struct tk *e = *state;
	struct campaign_input in = input("Un abri pour les vélos", "all_or_nothing", 100000);
	in.ends_at = time_now() + 60;
	struct field_errors fe = { 0 };
	int64_t c = 0;
	assert_int_equal(campaigns_create(e->db, &e->a_owner, e->org, &in, e->a, &fe, &c, NULL), KQ_OK);
	struct contribution k;
	assert_int_equal(back(e, c, 0, 2500, "stripe", &k), KQ_OK);
	struct db_stmt *st = db_stmt(e->db, &T_SESSION);
	db_bind_i64(st, 1, k.id);
	assert_int_equal(db_step(st), DB_ROW);
	const char *session = arena_strdup(e->a, db_col_text(st, 0));
	db_reset(st);
	set_clock(120);
	int n = 0;
	assert_int_equal(campaigns_settle_due(e->db, &n), KQ_OK);
	assert_string_equal(get(e, c).status, "failed");
	int64_t refunds = fake_count("refunds");
	struct delivery d = fake_pay(session);
	for (int i = 0; i < 3; i++) {
		enum webhook_result r;
		assert_int_equal(deliver(e->db, &d, &r), KQ_OK);
		assert_int_equal(r, i == 0 ? WEBHOOK_APPLIED : WEBHOOK_DUPLICATE);
	}
	delivery_free(&d);
	struct contribution got;
	assert_int_equal(campaigns_contribution_get(e->db, e->a, k.secret, &got), KQ_OK);
	assert_string_equal(got.status, "refunded");
	assert_int_equal(get(e, c).raised_cents, 0);
	assert_int_equal(fake_count("refunds") - refunds, 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM refunds r JOIN payments p ON p.id = r.payment_id"
				     " WHERE p.contribution_id = $1 AND r.reason = 'campaign_failed'"
				     " AND r.status = 'done'", k.id), 1);
	assert_int_equal(campaigns_settle_due(e->db, &n), KQ_OK);
	assert_int_equal(fake_count("refunds") - refunds, 1);
	set_clock(0);
	check_invariants(e);
}

static void test_keep_it_and_reached_goals_succeed_and_keep_the_money(void **state)
{
	struct tk *e = *state;
	int64_t keep = new_campaign(e, "keep_it", 100000);
	int64_t reached = new_campaign(e, "all_or_nothing", 2000);
	struct contribution k;
	assert_int_equal(back(e, keep, 0, 1500, "demo", &k), KQ_OK);
	assert_int_equal(campaigns_demo_pay(e->db, k.secret), KQ_OK);
	assert_int_equal(back(e, reached, 0, 2500, "demo", &k), KQ_OK);
	assert_int_equal(campaigns_demo_pay(e->db, k.secret), KQ_OK);
	set_clock(2 * DAY);
	int n = 0;
	assert_int_equal(campaigns_settle_due(e->db, &n), KQ_OK);
	assert_string_equal(get(e, keep).status, "succeeded");
	assert_string_equal(get(e, reached).status, "succeeded");
	assert_int_equal(get(e, reached).percent, 125);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM contributions WHERE campaign_id = $1"
				     " AND status = 'paid'", keep), 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM refunds r JOIN payments p ON p.id = r.payment_id"
				     " WHERE p.contribution_id IS NOT NULL AND p.org_id = $1 AND r.reason ="
				     " 'campaign_failed' AND p.contribution_id IN (SELECT id FROM contributions"
				     " WHERE campaign_id IN (SELECT id FROM campaigns WHERE status = 'succeeded'))",
				  e->org), 0);
	/* Ended: no more contributions, no more edits of the terms. */
	assert_int_equal(back(e, keep, 0, 1500, "demo", &k), KQ_ERR_CAMPAIGNS_NOT_LIVE);
	struct campaign_input in = input("Encore", "keep_it", 100000);
	struct field_errors fe = { 0 };
	assert_int_equal(campaigns_update(e->db, &e->a_owner, keep, &in, &fe),
			 KQ_ERR_CAMPAIGNS_NOT_EDITABLE);
	set_clock(0);
	check_invariants(e);
}

static void test_an_update_is_mailed_to_paid_backers(void **state)
{
	struct tk *e = *state;
	int64_t c = new_campaign(e, "keep_it", 100000);
	struct contribution k;
	assert_int_equal(back(e, c, 0, 1500, "demo", &k), KQ_OK);
	assert_int_equal(campaigns_demo_pay(e->db, k.secret), KQ_OK);
	char key[TOKEN_HEX_LEN + 1];
	crypto_token(key);
	struct contribution_request in = request(c, 0, 1000, "demo", key);
	in.backer_email = "pending@example.org";   /* never pays: hears nothing */
	struct field_errors fe = { 0 };
	assert_int_equal(campaigns_contribute(e->db, &e->a_visitor, &in, e->a, &fe, &k), KQ_OK);
	assert_int_equal(campaigns_update_post(e->db, &e->a_stranger, c, "Nouvelles", "Le toit !", &fe),
			 KQ_ERR_FORBIDDEN);
	int64_t before = count_of(e, "SELECT COUNT(*) FROM outbox WHERE id > $1", 0);
	assert_int_equal(campaigns_update_post(e->db, &e->a_editor, c, "Le chantier commence",
					       "Les **tuiles** sont arrivées.", &fe), KQ_OK);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM outbox WHERE id > $1", 0) - before, 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM outbox WHERE to_addr = 'pending@example.org'"
				     " AND id > $1", 0), 0);
	struct campaign_update *u;
	int n;
	assert_int_equal(campaigns_updates(e->db, e->a, c, &u, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_non_null(strstr(u[0].body_html, "<strong>tuiles</strong>"));
	check_invariants(e);
}

/* A contribution whose writing fails at each counted step in turn leaves
 * nothing half-written (INVARIANT(tier), INVARIANT(ledger)); the same form
 * sent again then goes through, once. */
static void test_a_contribution_failing_at_every_step_leaves_nothing_half_written(void **state)
{
	struct tk *e = *state;
	int64_t c = new_campaign(e, "keep_it", 100000);
	int64_t tier = new_tier(e, c, 1000, 500);
	int failures = 0;
	for (long k = 1; k < 100; k++) {
		char key[TOKEN_HEX_LEN + 1];
		crypto_token(key);
		struct contribution_request in = request(c, tier, 1000, "demo", key);
		struct field_errors fe = { 0 };
		struct contribution got;
		faults_arm(k);
		enum kq_err err = campaigns_contribute(e->db, &e->a_visitor, &in, e->a, &fe, &got);
		if (err == KQ_OK)
			err = campaigns_demo_pay(e->db, got.secret);
		bool fired = faults_fired();
		faults_arm(0);
		if (!fired) {
			assert_int_equal(err, KQ_OK);
			break;
		}
		failures++;
		assert_int_not_equal(err, KQ_OK);
		check_invariants(e);
		/* The backer sends the form again; then pays if it is not paid yet. */
		struct field_errors fe2 = { 0 };
		assert_int_equal(campaigns_contribute(e->db, &e->a_visitor, &in, e->a, &fe2, &got), KQ_OK);
		if (strcmp(got.status, "pending") == 0)
			assert_int_equal(campaigns_demo_pay(e->db, got.secret), KQ_OK);
		assert_int_equal(count_of(e, "SELECT COUNT(*) FROM contributions WHERE id = $1"
					     " AND status = 'paid'", got.id), 1);
		check_invariants(e);
	}
	print_message("contribute: %d injected failures\n", failures);
	assert_true(failures >= 5);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM contributions WHERE campaign_id = $1"
				     " AND status = 'paid'", c), failures + 1);
	check_invariants(e);
}

/* INVARIANT(settle-once): the settlement stopped at each counted step in
 * turn (a crash, a lost connection) and run again refunds every
 * contribution exactly once. */
static void test_a_settlement_stopped_at_every_step_refunds_each_once(void **state)
{
	struct tk *e = *state;
	int64_t c = new_campaign(e, "all_or_nothing", 100000);
	enum { N = 4 };
	for (int i = 0; i < N; i++) {
		struct contribution k;
		assert_int_equal(back(e, c, 0, 1000 + i, "demo", &k), KQ_OK);
		assert_int_equal(campaigns_demo_pay(e->db, k.secret), KQ_OK);
	}
	set_clock(2 * DAY);
	int failures = 0;
	for (long k = 1; k < 500; k++) {
		int n = 0;
		faults_arm(k);
		enum kq_err err = campaigns_settle_due(e->db, &n);
		bool fired = faults_fired();
		faults_arm(0);
		if (!fired) {
			assert_int_equal(err, KQ_OK);
			break;
		}
		failures++;
		check_invariants(e);
	}
	/* What a stopped pass left 'pending' at the provider is sent by the refund job. */
	int done = 0;
	set_clock(3 * DAY);
	assert_int_equal(payments_refunds_run(e->db, 0, 50, &done), KQ_OK);
	print_message("settle: %d injected failures\n", failures);
	assert_true(failures >= 3);
	assert_string_equal(get(e, c).status, "failed");
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM contributions WHERE campaign_id = $1"
				     " AND status = 'refunded'", c), N);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM refunds r JOIN payments p ON p.id = r.payment_id"
				     " JOIN contributions k ON k.id = p.contribution_id WHERE k.campaign_id = $1"
				     " AND r.status = 'done'", c), N);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM refunds r JOIN payments p ON p.id = r.payment_id"
				     " JOIN contributions k ON k.id = p.contribution_id WHERE k.campaign_id = $1", c), N);
	set_clock(0);
	check_invariants(e);
}

#define SETTLERS 4

struct settler {
	const char *url;
	pthread_barrier_t *go;
	enum kq_err result;
};

static void *settler_main(void *arg)
{
	struct settler *x = arg;
	char err[256];
	struct db *db = db_open(x->url, err, sizeof(err));
	pthread_barrier_wait(x->go);
	if (!db) {
		x->result = KQ_ERR_INTERNAL;
		return NULL;
	}
	int n = 0;
	x->result = campaigns_settle_due(db, &n);
	db_close(db);
	return NULL;
}

/* INVARIANT(settle-once): four processes settling at the same moment (several
 * kiosque processes on one PostgreSQL) refund each contribution once. */
static void test_concurrent_settlements_refund_each_contribution_once(void **state)
{
	struct tk *e = *state;
	int64_t c = new_campaign(e, "all_or_nothing", 100000);
	enum { N = 6 };
	for (int i = 0; i < N; i++) {
		struct contribution k;
		assert_int_equal(back(e, c, 0, 2000, "demo", &k), KQ_OK);
		assert_int_equal(campaigns_demo_pay(e->db, k.secret), KQ_OK);
	}
	int64_t mails = count_of(e, "SELECT COUNT(*) FROM outbox WHERE id > $1", 0);
	set_clock(2 * DAY);
	struct settler x[SETTLERS];
	pthread_t th[SETTLERS];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, SETTLERS);
	for (int i = 0; i < SETTLERS; i++) {
		x[i] = (struct settler){ e->url, &go, KQ_OK };
		assert_int_equal(pthread_create(&th[i], NULL, settler_main, &x[i]), 0);
	}
	for (int i = 0; i < SETTLERS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(x[i].result, KQ_OK);
	}
	pthread_barrier_destroy(&go);
	assert_string_equal(get(e, c).status, "failed");
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM refunds r JOIN payments p ON p.id = r.payment_id"
				     " JOIN contributions k ON k.id = p.contribution_id WHERE k.campaign_id = $1", c), N);
	/* The backers (one address) were told once. */
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM outbox WHERE id > $1"
				     " AND subject LIKE '%remboursé'", mails), 1);
	set_clock(0);
	check_invariants(e);
}

/* The job thread's pass (jobs/campaigns.c): holds that ran out go back,
 * campaigns past their end are settled, and a second pass changes nothing. */
static void test_the_job_frees_holds_and_settles_once(void **state)
{
	struct tk *e = *state;
	int64_t c = new_campaign(e, "all_or_nothing", 5000);
	int64_t tier = new_tier(e, c, 1000, 2);
	struct contribution paid, stale;
	assert_int_equal(back(e, c, tier, 1000, "demo", &paid), KQ_OK);
	assert_int_equal(campaigns_demo_pay(e->db, paid.secret), KQ_OK);
	assert_int_equal(back(e, c, tier, 1000, "demo", &stale), KQ_OK);
	assert_int_equal(count_of(e, "SELECT taken FROM campaign_tiers WHERE id = $1", tier), 2);
	set_clock(CAMPAIGNS_HOLD_SECONDS + 60);
	assert_true(jobs_campaigns_run(e->db) >= 1);
	assert_int_equal(count_of(e, "SELECT taken FROM campaign_tiers WHERE id = $1", tier), 1);
	assert_string_equal(get(e, c).status, "live");
	set_clock(2 * DAY);
	assert_true(jobs_campaigns_run(e->db) >= 2);   /* settled, and the paid one refunded */
	assert_string_equal(get(e, c).status, "failed");
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM contributions WHERE campaign_id = $1"
				     " AND status = 'refunded'", c), 1);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM refunds r JOIN payments p ON p.id = r.payment_id"
				     " JOIN contributions k ON k.id = p.contribution_id WHERE k.campaign_id = $1"
				     " AND r.status = 'done'", c), 1);
	assert_int_equal(jobs_campaigns_run(e->db), 0);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM refunds r JOIN payments p ON p.id = r.payment_id"
				     " JOIN contributions k ON k.id = p.contribution_id WHERE k.campaign_id = $1", c), 1);
	set_clock(0);
	check_invariants(e);
}

static enum db_status demo_txn(struct db *db, void *cls)
{
	(void)cls;
	return campaigns_load_demo(db) == KQ_OK ? DB_NONE : DB_HARD;
}

static void test_the_demo_campaigns_are_live_and_open(void **state)
{
	struct tk *e = *state;
	assert_true(db_txn_run(e->db, "t_demo", DB_WRITE, demo_txn, NULL) >= 0);
	struct campaign c;
	assert_int_equal(campaigns_get(e->db, &e->a_visitor, e->a, "restaurer-le-lavoir", &c), KQ_OK);
	assert_true(c.is_open);
	int64_t n = count_of(e, "SELECT COUNT(*) FROM campaign_tiers WHERE id > $1", 0);
	assert_true(db_txn_run(e->db, "t_demo", DB_WRITE, demo_txn, NULL) >= 0);
	assert_int_equal(count_of(e, "SELECT COUNT(*) FROM campaign_tiers WHERE id > $1", 0), n);
	struct campaigns_filter f = { CAMPAIGNS_ENDING_SOON, 0, NULL, 10 };
	struct campaign *v;
	int nv;
	assert_int_equal(campaigns_list(e->db, e->a, &f, &v, &nv), KQ_OK);
	assert_true(nv >= 2);
	for (int i = 1; i < nv; i++)
		assert_true(v[i - 1].ends_at <= v[i].ends_at);
	/* Most funded first: a contribution moves a campaign up. */
	struct contribution k;
	assert_int_equal(back(e, c.id, 0, 90000, "demo", &k), KQ_OK);
	assert_int_equal(campaigns_demo_pay(e->db, k.secret), KQ_OK);
	f.sort = CAMPAIGNS_MOST_FUNDED;
	assert_int_equal(campaigns_list(e->db, e->a, &f, &v, &nv), KQ_OK);
	assert_true(nv >= 2);
	assert_int_equal(v[0].id, c.id);
	for (int i = 1; i < nv; i++)
		assert_true(v[i - 1].raised_cents >= v[i].raised_cents);
	f.sort = CAMPAIGNS_NEWEST;
	assert_int_equal(campaigns_list(e->db, e->a, &f, &v, &nv), KQ_OK);
	for (int i = 1; i < nv; i++)
		assert_true(v[i - 1].starts_at >= v[i].starts_at);
	/* Filters: a category no campaign has, a commune no organisation is in. */
	f.category = "hike";
	assert_int_equal(campaigns_list(e->db, e->a, &f, &v, &nv), KQ_OK);
	assert_int_equal(nv, 0);
	f.category = NULL;
	f.commune_id = 999999;
	assert_int_equal(campaigns_list(e->db, e->a, &f, &v, &nv), KQ_OK);
	assert_int_equal(nv, 0);
	check_invariants(e);
}

/* A failing test must not leave the clock moved for the next ones. */
static int reset_clock(void **state)
{
	(void)state;
	set_clock(0);
	return 0;
}

int main(void)
{
	crypto_init();
	time_init();
	i18n_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!fake_start()) {
		fprintf(stderr, "test_campaigns: cannot start tests/tools/fake_stripe.py\n");
		return 1;
	}
	struct core_settings cs = { "https://kiosque.test", "Kiosque <no-reply@kiosque.test>" };
	core_init(&cs);
	struct payments_settings ps = { STRIPE_KEY, STRIPE_WHSEC, fake_base, true, 30 };
	payments_configure(&ps);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_only_owner_and_editor_start_a_campaign, reset_clock),
		cmocka_unit_test_teardown(test_bad_campaign_fields_are_refused_one_by_one, reset_clock),
		cmocka_unit_test_teardown(test_terms_change_only_while_a_draft, reset_clock),
		cmocka_unit_test_teardown(test_the_picture_is_sniffed_stored_and_replaced, reset_clock),
		cmocka_unit_test_teardown(test_a_demo_contribution_moves_the_progress, reset_clock),
		cmocka_unit_test_teardown(test_bad_contributions_are_refused_and_write_nothing, reset_clock),
		cmocka_unit_test_teardown(test_a_retried_contribution_returns_the_same_one, reset_clock),
		cmocka_unit_test_teardown(test_a_tier_of_10_with_50_concurrent_backers_ends_with_10_taken, reset_clock),
		cmocka_unit_test_teardown(test_a_hold_that_runs_out_gives_the_reward_back, reset_clock),
		cmocka_unit_test_teardown(test_all_or_nothing_missed_refunds_every_contribution_exactly_once, reset_clock),
		cmocka_unit_test_teardown(test_a_payment_after_the_failure_goes_back, reset_clock),
		cmocka_unit_test_teardown(test_keep_it_and_reached_goals_succeed_and_keep_the_money, reset_clock),
		cmocka_unit_test_teardown(test_an_update_is_mailed_to_paid_backers, reset_clock),
		cmocka_unit_test_teardown(test_the_job_frees_holds_and_settles_once, reset_clock),
		cmocka_unit_test_teardown(test_a_contribution_failing_at_every_step_leaves_nothing_half_written,
					  reset_clock),
		cmocka_unit_test_teardown(test_a_settlement_stopped_at_every_step_refunds_each_once, reset_clock),
		cmocka_unit_test_teardown(test_concurrent_settlements_refund_each_contribution_once, reset_clock),
		cmocka_unit_test_teardown(test_the_demo_campaigns_are_live_and_open, reset_clock),
	};
	int failed = 0;
	TL_RUN_GROUP_BOTH(failed, "campaigns", tests, setup_sqlite_tk, setup_pg_tk, teardown_tk);
	fake_stop();
	curl_global_cleanup();
	return TL_EXIT(failed);
}
