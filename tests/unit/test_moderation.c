/* test_moderation.c: reports, the queue, hide/restore/dismiss, suspensions, the audit log, and
 * hidden events leaving every public read (core/moderation.c, core/events.c) */
#include "testlib.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/str.h"
#include "core/events.h"
#include "core/moderation.h"
#include "core/orgs.h"
#include "core/posts.h"
#include "core/products.h"
#include "core/sessions.h"

#include <pthread.h>
#include <string.h>

struct env {
	char url[1024];
	char schema[128];
	struct db *db;
	struct arena *a;
	int64_t owner, citizen, other, moderator, moderator2, admin;
	int64_t org_id, post_id, event_id;
	const char *event_slug;
};

TL_MIGRATED_DB_SETUPS(struct env, "moderation")

/* ---- fixtures ------------------------------------------------------------------------------- */

static const struct db_sql SQL_COMMUNE = { "ut_mod_commune",
	"INSERT INTO communes (insee, name, postcode) VALUES ('26391', 'Vesqueval', '26470')" };
static const struct db_sql SQL_COUNT_REPORTS = { "ut_mod_count_reports",
	"SELECT COUNT(*) FROM reports WHERE status = $1" };
static const struct db_sql SQL_COUNT_LOG = { "ut_mod_count_log",
	"SELECT COUNT(*) FROM moderation_log WHERE action = $1" };
static const struct db_sql SQL_MAILS_TO = { "ut_mod_mails_to",
	"SELECT COUNT(*) FROM outbox WHERE to_addr = $1" };
static const struct db_sql SQL_POST_HIDDEN = { "ut_mod_post_hidden",
	"SELECT COALESCE(hidden_at, 0) FROM posts WHERE id = $1" };
static const struct db_sql SQL_SUSPENDED = { "ut_mod_suspended",
	"SELECT COALESCE(suspended_at, 0) FROM accounts WHERE id = $1" };
static const struct db_sql SQL_SESSIONS = { "ut_mod_sessions",
	"SELECT COUNT(*) FROM sessions WHERE account_id = $1" };

static int64_t account(struct db *db, const char *email, const char *name, const char *role)
{
	return tl_account(db, email, name, role);
}

static struct actor actor_of(struct env *e, int64_t id)
{
	return tl_actor(e->db, e->a, id);
}

static int64_t count1(struct db *db, const struct db_sql *q, const char *text, int64_t id)
{
	struct db_stmt *st = db_stmt(db, q);
	if (text)
		db_bind_text(st, 1, text);
	else
		db_bind_i64(st, 1, id);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t v = db_col_i64(st, 0);
	db_reset(st);
	return v;
}

static struct event make_event(struct env *e, const char *title)
{
	struct actor owner = actor_of(e, e->owner);
	struct event_input in = { 0 };
	struct event_date_input *d = arena_alloc(e->a, sizeof(*d));
	memset(d, 0, sizeof(*d));
	/* A date well ahead, whatever the clock says. */
	d->start_date = "2036-06-20";
	d->start_time = "20:00";
	d->end_time = "23:00";
	in.title = title;
	in.summary = "Une soirée au village.";
	in.description = "";
	in.category = "concert";
	in.commune = "26391";
	in.venue_name = "Salle des fêtes";
	in.venue_address = "Place de la Mairie";
	in.latitude = "";
	in.longitude = "";
	in.ticketing = "free";
	in.status = "published";
	in.accessibility = "";
	in.access_notes = "";
	in.repeat = "";
	in.repeat_until = "";
	in.has_dates = true;
	in.dates = d;
	in.ndates = 1;
	struct field_errors fe = { 0 };
	struct event ev;
	enum kq_err r = events_create(e->db, &owner, e->org_id, &in, e->a, &fe, &ev);
	if (r != KQ_OK)
		fail_msg("events_create: %d (%s: %s)", r, fe.n ? fe.e[0].field : "", fe.n ? fe.e[0].key : "");
	return ev;
}

static int fresh(void **state)
{
	struct env *e = *state;
	tl_set_clock(0);
	if (db_exec(e->db, "DELETE FROM moderation_log; DELETE FROM reports; DELETE FROM product_places;"
			   " DELETE FROM product_labels; DELETE FROM products; DELETE FROM event_dates;"
			   " DELETE FROM events; DELETE FROM posts; DELETE FROM org_invitations;"
			   " DELETE FROM org_members; DELETE FROM organisations; DELETE FROM uploads;"
			   " DELETE FROM outbox; DELETE FROM sessions; DELETE FROM api_tokens;"
			   " DELETE FROM accounts; DELETE FROM communes") != DB_NONE)
		return -1;
	if (db_run(db_stmt(e->db, &SQL_COMMUNE)) != DB_NONE)
		return -1;
	if (e->a)
		arena_free(e->a);
	e->a = arena_new();
	e->owner = account(e->db, "olga@example.org", "Olga", "");
	e->citizen = account(e->db, "cyril@example.org", "Cyril", "");
	e->other = account(e->db, "dora@example.org", "Dora", "");
	e->moderator = account(e->db, "max@example.org", "Max", "moderator");
	e->moderator2 = account(e->db, "mia@example.org", "Mia", "moderator");
	e->admin = account(e->db, "ada@example.org", "Ada", "admin");
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	struct org o;
	struct org_input in = { .kind = "association", .name = "Comité des fêtes",
				.category = "comite-des-fetes", .commune = "26391",
				.email = "fetes@example.org" };
	assert_int_equal(orgs_create(e->db, &owner, &in, e->a, &fe, &o), KQ_OK);
	e->org_id = o.id;
	struct post_input pin = { .title = "Vente de brioches", .body = "Samedi matin.",
				  .status = "published" };
	struct post p;
	assert_int_equal(posts_create(e->db, &owner, o.id, &pin, e->a, &fe, &p), KQ_OK);
	e->post_id = p.id;
	struct event ev = make_event(e, "Bal du 14 juillet");
	e->event_id = ev.id;
	e->event_slug = ev.slug;
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

static enum kq_err report(struct env *e, int64_t who_id, const char *kind, int64_t id,
			  const char *reason, bool *already)
{
	struct actor who = actor_of(e, who_id);
	struct moderation_report_input in = { kind, id, reason, "C'est de la publicité." };
	struct field_errors fe = { 0 };
	bool dummy = false;
	return moderation_report(e->db, &who, &in, &fe, already ? already : &dummy);
}

/* ---- tests ------------------------------------------------------------------------------------ */

static void test_report_checks_who_what_and_why(void **state)
{
	struct env *e = *state;
	struct actor anon = { 0 };
	struct moderation_report_input in = { "post", e->post_id, "spam", "" };
	struct field_errors fe = { 0 };
	bool already = false;
	assert_int_equal(moderation_report(e->db, &anon, &in, &fe, &already), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(report(e, e->citizen, "poster", e->post_id, "spam", NULL), KQ_ERR_NOT_FOUND);
	assert_int_equal(report(e, e->citizen, "post", e->post_id + 1000, "spam", NULL), KQ_ERR_NOT_FOUND);
	assert_int_equal(report(e, e->citizen, "post", e->post_id, "boring", NULL), KQ_ERR_FORM_INVALID);
	struct actor c = actor_of(e, e->citizen);
	char *long_text = arena_alloc(e->a, MODERATION_DETAILS_MAX + 2);
	memset(long_text, 'a', MODERATION_DETAILS_MAX + 1);
	long_text[MODERATION_DETAILS_MAX + 1] = 0;
	struct moderation_report_input big = { "post", e->post_id, "spam", long_text };
	struct field_errors fe2 = { 0 };
	assert_int_equal(moderation_report(e->db, &c, &big, &fe2, &already), KQ_ERR_FORM_INVALID);
	assert_string_equal(fe2.e[0].field, "details");
	assert_int_equal(count1(e->db, &SQL_COUNT_REPORTS, "open", 0), 0);

	assert_int_equal(report(e, e->citizen, "post", e->post_id, "spam", &already), KQ_OK);
	assert_false(already);
	assert_int_equal(report(e, e->citizen, "post", e->post_id, "abuse", &already), KQ_OK);
	assert_true(already);   /* one open report per person and content */
	assert_int_equal(report(e, e->other, "post", e->post_id, "abuse", &already), KQ_OK);
	assert_false(already);
	assert_int_equal(report(e, e->other, "event", e->event_id, "false", NULL), KQ_OK);
	assert_int_equal(report(e, e->other, "organisation", e->org_id, "other", NULL), KQ_OK);
	assert_int_equal(count1(e->db, &SQL_COUNT_REPORTS, "open", 0), 4);
}

static void test_report_rate_limit(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner);
	struct field_errors fe = { 0 };
	for (int i = 0; i < MODERATION_REPORTS_PER_HOUR + 1; i++) {
		struct post_input pin = { .title = arena_printf(e->a, "Annonce %d", i), .body = "x",
					  .status = "published" };
		struct post p;
		assert_int_equal(posts_create(e->db, &owner, e->org_id, &pin, e->a, &fe, &p), KQ_OK);
		enum kq_err r = report(e, e->citizen, "post", p.id, "spam", NULL);
		assert_int_equal(r, i < MODERATION_REPORTS_PER_HOUR ? KQ_OK : KQ_ERR_MODERATION_TOO_MANY);
	}
	tl_set_clock(3700);   /* an hour later, it works again */
	assert_int_equal(report(e, e->citizen, "post", e->post_id, "spam", NULL), KQ_OK);
}

static void test_queue_is_for_moderators_and_groups_by_content(void **state)
{
	struct env *e = *state;
	assert_int_equal(report(e, e->citizen, "post", e->post_id, "spam", NULL), KQ_OK);
	assert_int_equal(report(e, e->other, "post", e->post_id, "abuse", NULL), KQ_OK);
	assert_int_equal(report(e, e->other, "event", e->event_id, "false", NULL), KQ_OK);
	struct moderation_queue_item *q;
	int n = -1;
	struct actor anon = { 0 }, c = actor_of(e, e->citizen), m = actor_of(e, e->moderator);
	assert_int_equal(moderation_queue(e->db, &anon, e->a, &q, &n), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(moderation_queue(e->db, &c, e->a, &q, &n), KQ_ERR_FORBIDDEN);
	assert_int_equal(moderation_queue(e->db, &m, e->a, &q, &n), KQ_OK);
	assert_int_equal(n, 2);
	assert_string_equal(q[0].target.kind, "post");
	assert_int_equal(q[0].open_reports, 2);
	assert_string_equal(q[0].reasons, "abuse,spam");
	assert_string_equal(q[0].target.title, "Vente de brioches");
	assert_true(str_starts(q[0].target.path, "/actualites/"));
	assert_string_equal(q[1].target.kind, "event");
	assert_string_equal(q[1].target.org_name, "Comité des fêtes");
	/* A content deleted since leaves the queue. */
	struct actor owner = actor_of(e, e->owner);
	assert_int_equal(posts_delete(e->db, &owner, e->post_id), KQ_OK);
	assert_int_equal(moderation_queue(e->db, &m, e->a, &q, &n), KQ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(q[0].target.kind, "event");
}

static void test_hide_closes_reports_logs_and_tells_the_author(void **state)
{
	struct env *e = *state;
	assert_int_equal(report(e, e->citizen, "post", e->post_id, "spam", NULL), KQ_OK);
	struct actor m = actor_of(e, e->moderator), c = actor_of(e, e->citizen);
	struct field_errors fe = { 0 };
	assert_int_equal(moderation_hide(e->db, &c, "post", e->post_id, "Spam.", &fe), KQ_ERR_FORBIDDEN);
	assert_int_equal(moderation_hide(e->db, &m, "post", e->post_id, "  ", &fe), KQ_ERR_FORM_INVALID);
	assert_string_equal(fe.e[0].field, "note");
	assert_int_equal(count1(e->db, &SQL_POST_HIDDEN, NULL, e->post_id), 0);
	uint64_t gen = moderation_generation();
	struct field_errors fe2 = { 0 };
	assert_int_equal(moderation_hide(e->db, &m, "post", e->post_id, "Publicité.", &fe2), KQ_OK);
	assert_true(moderation_generation() > gen);
	assert_true(count1(e->db, &SQL_POST_HIDDEN, NULL, e->post_id) > 0);
	assert_int_equal(count1(e->db, &SQL_COUNT_REPORTS, "open", 0), 0);
	assert_int_equal(count1(e->db, &SQL_COUNT_REPORTS, "actioned", 0), 1);
	assert_int_equal(count1(e->db, &SQL_COUNT_LOG, "hide", 0), 1);
	assert_int_equal(count1(e->db, &SQL_MAILS_TO, "olga@example.org", 0), 1);   /* the author */
	/* Hidden content can no longer be reported, and hiding it again is refused. */
	assert_int_equal(report(e, e->other, "post", e->post_id, "spam", NULL), KQ_ERR_NOT_FOUND);
	assert_int_equal(moderation_hide(e->db, &m, "post", e->post_id, "Encore.", &fe2), KQ_ERR_MODERATION_STATE);
	assert_int_equal(count1(e->db, &SQL_COUNT_LOG, "hide", 0), 1);
	/* Restore: visible again, logged, told. */
	assert_int_equal(moderation_restore(e->db, &m, "post", e->post_id, "Erreur de ma part.", &fe2), KQ_OK);
	assert_int_equal(count1(e->db, &SQL_POST_HIDDEN, NULL, e->post_id), 0);
	assert_int_equal(count1(e->db, &SQL_COUNT_LOG, "restore", 0), 1);
	assert_int_equal(count1(e->db, &SQL_MAILS_TO, "olga@example.org", 0), 2);
	assert_int_equal(moderation_restore(e->db, &m, "post", e->post_id, "x", &fe2), KQ_ERR_MODERATION_STATE);
	/* The history shows the report and both acts, newest first. */
	struct moderation_target t;
	struct moderation_report *reps;
	struct moderation_act *acts;
	int nr = 0, na = 0;
	assert_int_equal(moderation_target_history(e->db, &m, e->a, "post", e->post_id, &t, &reps, &nr,
						   &acts, &na), KQ_OK);
	assert_int_equal(nr, 1);
	assert_string_equal(reps[0].reporter_name, "Cyril");
	assert_int_equal(na, 2);
	assert_string_equal(acts[0].action, "restore");
	assert_string_equal(acts[1].note, "Publicité.");
	assert_string_equal(acts[1].moderator_name, "Max");
}

static void test_hidden_event_leaves_the_agenda_and_its_page(void **state)
{
	struct env *e = *state;
	struct actor m = actor_of(e, e->moderator), c = actor_of(e, e->citizen), owner = actor_of(e, e->owner);
	struct event_filter f = { .limit = 20 };
	struct event *list;
	int n = 0;
	int64_t total = 0;
	assert_int_equal(events_list(e->db, NULL, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(n, 1);
	struct field_errors fe = { 0 };
	uint64_t gen = events_generation();
	assert_int_equal(moderation_hide(e->db, &m, "event", e->event_id, "Faux événement.", &fe), KQ_OK);
	assert_true(events_generation() > gen);   /* the agenda's cache drops at once */
	assert_int_equal(events_list(e->db, NULL, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(events_upcoming_of_org(e->db, e->a, e->org_id, 5, &list, &n), KQ_OK);
	assert_int_equal(n, 0);
	struct event ev;
	assert_int_equal(events_get(e->db, NULL, e->a, e->event_slug, &ev), KQ_ERR_NOT_FOUND);
	assert_int_equal(events_get(e->db, &c, e->a, e->event_slug, &ev), KQ_ERR_NOT_FOUND);
	assert_int_equal(events_get(e->db, &m, e->a, e->event_slug, &ev), KQ_OK);
	assert_true(ev.hidden_at > 0);
	assert_int_equal(events_get(e->db, &owner, e->a, e->event_slug, &ev), KQ_OK);   /* its publishers */
	/* The owners of its organisation are told. */
	assert_int_equal(count1(e->db, &SQL_MAILS_TO, "olga@example.org", 0), 1);
	assert_int_equal(moderation_restore(e->db, &m, "event", e->event_id, "Vérifié.", &fe), KQ_OK);
	assert_int_equal(events_list(e->db, NULL, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(n, 1);
}

static void test_dismiss_closes_reports_and_keeps_the_content(void **state)
{
	struct env *e = *state;
	struct actor m = actor_of(e, e->moderator);
	struct field_errors fe = { 0 };
	assert_int_equal(moderation_dismiss(e->db, &m, "organisation", e->org_id, "", &fe),
			 KQ_ERR_MODERATION_STATE);   /* nothing open */
	assert_int_equal(report(e, e->citizen, "organisation", e->org_id, "other", NULL), KQ_OK);
	assert_int_equal(moderation_dismiss(e->db, &m, "organisation", e->org_id, "", &fe), KQ_OK);
	assert_int_equal(count1(e->db, &SQL_COUNT_REPORTS, "dismissed", 0), 1);
	assert_int_equal(count1(e->db, &SQL_COUNT_LOG, "dismiss", 0), 1);
	struct moderation_target t;
	assert_int_equal(moderation_target_get(e->db, e->a, "organisation", e->org_id, &t), KQ_OK);
	assert_int_equal(t.hidden_at, 0);
	/* The same person may report it again later: a new open report. */
	assert_int_equal(report(e, e->citizen, "organisation", e->org_id, "other", NULL), KQ_OK);
	assert_int_equal(count1(e->db, &SQL_COUNT_REPORTS, "open", 0), 1);
}

static void test_suspend_rules_sessions_and_mail(void **state)
{
	struct env *e = *state;
	struct actor m = actor_of(e, e->moderator), admin = actor_of(e, e->admin), c = actor_of(e, e->citizen);
	struct field_errors fe = { 0 };
	char token[128];
	assert_int_equal(sessions_create(e->db, e->citizen, "test", token), KQ_OK);
	assert_int_equal(count1(e->db, &SQL_SESSIONS, NULL, e->citizen), 1);
	assert_int_equal(moderation_suspend(e->db, &c, e->other, "Spam.", &fe), KQ_ERR_FORBIDDEN);
	assert_int_equal(moderation_suspend(e->db, &m, e->moderator, "Moi.", &fe), KQ_ERR_FORBIDDEN);
	assert_int_equal(moderation_suspend(e->db, &m, e->admin, "Non.", &fe), KQ_ERR_FORBIDDEN);
	assert_int_equal(moderation_suspend(e->db, &m, e->moderator2, "Non.", &fe), KQ_ERR_FORBIDDEN);
	assert_int_equal(moderation_suspend(e->db, &m, e->citizen, "", &fe), KQ_ERR_FORM_INVALID);
	struct field_errors fe2 = { 0 };
	assert_int_equal(moderation_suspend(e->db, &m, e->citizen, "Messages injurieux.", &fe2), KQ_OK);
	assert_true(count1(e->db, &SQL_SUSPENDED, NULL, e->citizen) > 0);
	assert_int_equal(count1(e->db, &SQL_SESSIONS, NULL, e->citizen), 0);
	assert_int_equal(count1(e->db, &SQL_MAILS_TO, "cyril@example.org", 0), 1);
	struct actor found;
	assert_int_equal(sessions_lookup(e->db, e->a, token, &found), KQ_ERR_AUTH_REQUIRED);
	assert_int_equal(moderation_suspend(e->db, &m, e->citizen, "Encore.", &fe2), KQ_ERR_MODERATION_STATE);
	/* An admin may suspend a moderator. */
	assert_int_equal(moderation_suspend(e->db, &admin, e->moderator2, "Abus de pouvoir.", &fe2), KQ_OK);
	assert_int_equal(moderation_unsuspend(e->db, &m, e->citizen, "Excuses reçues.", &fe2), KQ_OK);
	assert_int_equal(count1(e->db, &SQL_SUSPENDED, NULL, e->citizen), 0);
	struct moderation_account acc;
	struct moderation_act *acts;
	int na = 0;
	assert_int_equal(moderation_account_get(e->db, &m, e->a, e->citizen, &acc, &acts, &na), KQ_OK);
	assert_int_equal(na, 2);
	assert_string_equal(acts[0].action, "unsuspend");
	assert_string_equal(acc.email, "cyril@example.org");
	assert_int_equal(moderation_account_get(e->db, &c, e->a, e->citizen, &acc, &acts, &na),
			 KQ_ERR_FORBIDDEN);
}

static void test_log_is_newest_first_and_paged(void **state)
{
	struct env *e = *state;
	struct actor m = actor_of(e, e->moderator);
	struct field_errors fe = { 0 };
	for (int i = 0; i < MODERATION_LOG_PAGE / 2 + 1; i++) {
		assert_int_equal(moderation_hide(e->db, &m, "post", e->post_id, "Masqué.", &fe), KQ_OK);
		assert_int_equal(moderation_restore(e->db, &m, "post", e->post_id, "Rétabli.", &fe), KQ_OK);
	}
	struct moderation_act *acts;
	int n = 0;
	assert_int_equal(moderation_log(e->db, &m, e->a, 0, &acts, &n), KQ_OK);
	assert_int_equal(n, MODERATION_LOG_PAGE);
	assert_string_equal(acts[0].action, "restore");
	for (int i = 1; i < n; i++)
		assert_true(acts[i].id < acts[i - 1].id);
	int64_t last = acts[n - 1].id;
	assert_int_equal(moderation_log(e->db, &m, e->a, last, &acts, &n), KQ_OK);
	assert_int_equal(n, 2);
	assert_true(acts[0].id < last);
	struct actor c = actor_of(e, e->citizen);
	assert_int_equal(moderation_log(e->db, &c, e->a, 0, &acts, &n), KQ_ERR_FORBIDDEN);
}

/* Two moderators hide the same post at the same moment: one act, one mail, one log row. */
struct racer {
	const char *url;
	struct actor who;
	int64_t post_id;
	pthread_barrier_t *go;
	enum kq_err r;
};

static void *race(void *p)
{
	struct racer *x = p;
	char err[256];
	struct db *db = db_open(x->url, err, sizeof(err));
	if (!db) {
		x->r = KQ_ERR_INTERNAL;
		pthread_barrier_wait(x->go);
		return NULL;
	}
	struct field_errors fe = { 0 };
	pthread_barrier_wait(x->go);
	x->r = moderation_hide(db, &x->who, "post", x->post_id, "Doublon.", &fe);
	db_close(db);
	return NULL;
}

static void test_two_moderators_hiding_at_once_make_one_act(void **state)
{
	struct env *e = *state;
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, 2);
	struct racer r[2] = { { e->url, actor_of(e, e->moderator), e->post_id, &go, KQ_OK },
			      { e->url, actor_of(e, e->moderator2), e->post_id, &go, KQ_OK } };
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, race, &r[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	int ok = (r[0].r == KQ_OK) + (r[1].r == KQ_OK);
	int state_err = (r[0].r == KQ_ERR_MODERATION_STATE) + (r[1].r == KQ_ERR_MODERATION_STATE);
	assert_int_equal(ok, 1);
	assert_int_equal(state_err, 1);
	assert_int_equal(count1(e->db, &SQL_COUNT_LOG, "hide", 0), 1);
	assert_int_equal(count1(e->db, &SQL_MAILS_TO, "olga@example.org", 0), 1);
}

static const struct db_sql SQL_PRODUCT = { "ut_mod_product",
	"INSERT INTO products (org_id, slug, name, summary, description, description_html,"
	" created_at, updated_at) VALUES ($1, 'miel-de-lavande', 'Miel de lavande', 'Du rucher.', '', '',"
	" 1, 1) RETURNING id" };

/* A product is reported and hidden like the rest, and leaves the product pages and lists. */
static void test_a_hidden_product_leaves_its_page_and_the_lists(void **state)
{
	struct env *e = *state;
	struct actor owner = actor_of(e, e->owner), m = actor_of(e, e->moderator);
	struct field_errors fe = { 0 };
	struct org o;
	struct org_input in = { .kind = "producer", .name = "Rucher du Vesque", .category = "",
				.commune = "26391" };
	assert_int_equal(orgs_create(e->db, &owner, &in, e->a, &fe, &o), KQ_OK);
	struct db_stmt *st = db_stmt(e->db, &SQL_PRODUCT);
	db_bind_i64(st, 1, o.id);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t pid = db_col_i64(st, 0);
	db_reset(st);
	struct product p;
	assert_int_equal(products_get(e->db, NULL, e->a, "miel-de-lavande", &p), KQ_OK);
	assert_int_equal(report(e, e->citizen, "product", pid, "false", NULL), KQ_OK);
	assert_int_equal(moderation_hide(e->db, &m, "product", pid, "Produit inexistant.", &fe), KQ_OK);
	assert_int_equal(products_get(e->db, NULL, e->a, "miel-de-lavande", &p), KQ_ERR_NOT_FOUND);
	struct product_filter f = { .limit = 10 };
	struct product *list;
	int n = -1;
	int64_t total = -1;
	assert_int_equal(products_list(e->db, e->a, &f, &list, &n, &total), KQ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(count1(e->db, &SQL_MAILS_TO, "olga@example.org", 0), 1);   /* its owners */
	assert_int_equal(moderation_restore(e->db, &m, "product", pid, "Vérifié.", &fe), KQ_OK);
	assert_int_equal(products_get(e->db, NULL, e->a, "miel-de-lavande", &p), KQ_OK);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fresh, done)

int main(void)
{
	if (!crypto_init())
		return 1;
	time_init();
	i18n_init();
	const struct CMUnitTest db_tests[] = {
		T(test_report_checks_who_what_and_why),
		T(test_report_rate_limit),
		T(test_queue_is_for_moderators_and_groups_by_content),
		T(test_hide_closes_reports_logs_and_tells_the_author),
		T(test_hidden_event_leaves_the_agenda_and_its_page),
		T(test_dismiss_closes_reports_and_keeps_the_content),
		T(test_suspend_rules_sessions_and_mail),
		T(test_log_is_newest_first_and_paged),
		T(test_two_moderators_hiding_at_once_make_one_act),
		T(test_a_hidden_product_leaves_its_page_and_the_lists),
	};
	int failed = 0;
	TL_RUN_GROUP_BOTH(failed, "moderation", db_tests, setup_sqlite, setup_pg, teardown);
	return TL_EXIT(failed);
}
