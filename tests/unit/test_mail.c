/* test_mail.c: the mail outbox and its delivery job on both backends: written with the change or not at
 * all, delivered over real SMTP (Debian's aiosmtpd), retried with backoff, leased so two senders never
 * send one mail twice, given up after the last attempt. */
#include "testlib.h"

#include "base/crypto.h"
#include "base/timefmt.h"
#include "core/notify.h"
#include "jobs/jobs.h"

#include <curl/curl.h>
#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>

struct env {
	char url[1200];
	char schema[128];
	struct db *db;
};

static const struct db_sql SQL_COUNT = { "ut_mail_count",
	"SELECT COUNT(*), COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0),"
	" COALESCE(MAX(attempts), 0), COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0)"
	" FROM outbox" };
static const struct db_sql SQL_NEXT = { "ut_mail_next",
	"SELECT next_attempt_at FROM outbox ORDER BY id LIMIT 1" };

TL_MIGRATED_DB_SETUPS(struct env, "mail")

static int clean(void **state)
{
	struct env *e = *state;
	tl_set_clock(0);
	return db_exec(e->db, "DELETE FROM outbox") == DB_NONE ? 0 : -1;
}

struct counts {
	int64_t total, sent, max_attempts, failed;
};

static struct counts count(struct db *db)
{
	struct counts c = { 0 };
	struct db_stmt *st = db_stmt(db, &SQL_COUNT);
	assert_int_equal(db_step(st), DB_ROW);
	c.total = db_col_i64(st, 0);
	c.sent = db_col_i64(st, 1);
	c.max_attempts = db_col_i64(st, 2);
	c.failed = db_col_i64(st, 3);
	db_reset(st);
	return c;
}

struct mail {
	const char *to, *subject, *body;
	bool fail;   /* the change fails after queueing: nothing may stay */
};

static enum db_status queue_txn(struct db *db, void *cls)
{
	struct mail *m = cls;
	enum db_status s = notify_enqueue(db, m->to, m->subject, m->body, NULL);
	if (s < 0)
		return s;
	return m->fail ? DB_HARD : DB_NONE;
}

static void queue(struct db *db, const char *to, const char *subject)
{
	struct mail m = { to, subject, "Bonjour,\nvoici le lien : https://kiosque.test/x\n", false };
	assert_true(db_txn_run(db, "ut_queue", DB_WRITE, queue_txn, &m) >= 0);
}

/* A real SMTP server: tests/tools/smtp_sink.py under Debian's python3. */
struct sink {
	pid_t pid;
	int port;
	char dir[300];
};

static void sink_start(struct sink *s)
{
	static int n;
	int fds[2];
	snprintf(s->dir, sizeof(s->dir), "%s/sink-%d", tl_tmpdir(), ++n);
	mkdir(s->dir, 0700);
	assert_int_equal(pipe(fds), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl("/usr/bin/python3", "python3", "tests/tools/smtp_sink.py", "--port", "0", "--dir",
		      s->dir, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "r");
	char line[64] = "";
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	s->port = atoi(line);
	assert_true(s->port > 0);
}

static void sink_stop(struct sink *s)
{
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
}

static int sink_count(struct sink *s, char *out_text, size_t n)
{
	DIR *d = opendir(s->dir);
	struct dirent *de;
	int count = 0;
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 4, ".eml") != 0)
			continue;
		count++;
		if (out_text) {
			char path[600];
			snprintf(path, sizeof(path), "%s/%s", s->dir, de->d_name);
			FILE *f = fopen(path, "r");
			size_t r = f ? fread(out_text, 1, n - 1, f) : 0;
			out_text[r] = 0;
			if (f)
				fclose(f);
		}
	}
	if (d)
		closedir(d);
	return count;
}

static int closed_port(void)
{
	return 1;   /* tcpmux: nothing listens there on a test machine, connect is refused */
}

static void test_mail_queued_with_a_failed_change_is_not_kept(void **state)
{
	struct env *e = *state;
	struct mail m = { "a@example.org", "Sujet", "Corps", true };
	assert_int_equal(db_txn_run(e->db, "ut_queue_fail", DB_WRITE, queue_txn, &m), DB_HARD);
	assert_int_equal(count(e->db).total, 0);
	queue(e->db, "a@example.org", "Sujet");
	assert_int_equal(count(e->db).total, 1);
}

static void test_mail_without_smtp_goes_to_the_log_and_counts_as_sent(void **state)
{
	struct env *e = *state;
	struct jobs_config cfg = { "", "Kiosque <no-reply@kiosque.test>" };
	queue(e->db, "a@example.org", "Bonjour");
	assert_int_equal(jobs_mail_run(e->db, &cfg), 1);
	struct counts c = count(e->db);
	assert_int_equal(c.sent, 1);
	assert_int_equal(jobs_mail_run(e->db, &cfg), 0);   /* nothing twice */
}

static void test_mail_is_delivered_over_smtp_with_an_encoded_subject(void **state)
{
	struct env *e = *state;
	struct sink s;
	char url[64], text[8192];
	sink_start(&s);
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", s.port);
	struct jobs_config cfg = { url, "Kiosque <no-reply@kiosque.test>" };
	queue(e->db, "zoe@example.org", "Confirmez votre adresse – Val de Vesque");
	int handled = jobs_mail_run(e->db, &cfg);
	int received = sink_count(&s, text, sizeof(text));
	sink_stop(&s);
	assert_int_equal(handled, 1);
	assert_int_equal(count(e->db).sent, 1);
	assert_int_equal(received, 1);
	assert_non_null(strstr(text, "X-Rcpt-To: zoe@example.org"));
	assert_non_null(strstr(text, "Subject: =?UTF-8?B?"));
	assert_non_null(strstr(text, "https://kiosque.test/x"));
}

static void test_failed_delivery_is_retried_later_then_succeeds(void **state)
{
	struct env *e = *state;
	char url[64];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", closed_port());
	struct jobs_config down = { url, "Kiosque <no-reply@kiosque.test>" };
	queue(e->db, "a@example.org", "Retry");
	int64_t before = time_now();
	assert_int_equal(jobs_mail_run(e->db, &down), 1);
	struct counts c = count(e->db);
	assert_int_equal(c.sent, 0);
	assert_int_equal(c.max_attempts, 1);
	struct db_stmt *st = db_stmt(e->db, &SQL_NEXT);
	assert_int_equal(db_step(st), DB_ROW);
	assert_true(db_col_i64(st, 0) >= before + 30);   /* backoff, not a hot loop */
	db_reset(st);
	/* Not due yet: nothing is tried. */
	assert_int_equal(jobs_mail_run(e->db, &down), 0);

	struct sink s;
	sink_start(&s);
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", s.port);
	struct jobs_config up = { url, "Kiosque <no-reply@kiosque.test>" };
	tl_set_clock(31);
	int handled = jobs_mail_run(e->db, &up);
	int received = sink_count(&s, NULL, 0);
	sink_stop(&s);   /* before any assertion, so a failure leaves no server behind */
	assert_int_equal(handled, 1);
	assert_int_equal(received, 1);
	c = count(e->db);
	assert_int_equal(c.sent, 1);
	assert_int_equal(c.max_attempts, 2);
}

static void test_delivery_gives_up_after_the_last_attempt(void **state)
{
	struct env *e = *state;
	char url[64];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", closed_port());
	struct jobs_config down = { url, "Kiosque <no-reply@kiosque.test>" };
	queue(e->db, "a@example.org", "Never");
	for (int i = 0; i < 12; i++) {
		tl_set_clock((int64_t)(i + 1) * 86400);   /* always past the backoff */
		jobs_mail_run(e->db, &down);
	}
	struct counts c = count(e->db);
	assert_int_equal(c.sent, 0);
	assert_int_equal(c.failed, 1);
	assert_int_equal(c.max_attempts, 8);
}

/* Two senders (two processes on PostgreSQL, or threads) claim at once: the
 * lease gives each mail to one of them. */
struct claimer {
	const char *url;
	int got;
};

static enum db_status claim_txn(struct db *db, void *cls)
{
	struct outbox_mail *m = cls;
	enum db_status s = notify_claim(db, time_now(), m);
	return s < 0 ? s : (s == DB_ROW ? DB_ROW : DB_NONE);
}

static void *claim_all(void *arg)
{
	struct claimer *c = arg;
	char err[512];
	struct db *db = db_open(c->url, err, sizeof(err));
	if (!db)
		return NULL;
	for (;;) {
		struct outbox_mail m = { 0 };
		enum db_status s = db_txn_run(db, "ut_claim", DB_WRITE, claim_txn, &m);
		if (s != DB_ROW)
			break;
		c->got++;
		notify_mail_free(&m);
	}
	db_close(db);
	return NULL;
}

static void test_two_senders_never_claim_the_same_mail(void **state)
{
	struct env *e = *state;
	for (int i = 0; i < 60; i++)
		queue(e->db, "a@example.org", "Lease");
	struct claimer c[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		c[i] = (struct claimer){ e->url, 0 };
		pthread_create(&t[i], NULL, claim_all, &c[i]);
	}
	int total = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		total += c[i].got;
	}
	assert_int_equal(total, 60);
	assert_int_equal(count(e->db).max_attempts, 1);
}

int main(void)
{
	int failed = 0;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mail_queued_with_a_failed_change_is_not_kept, clean),
		cmocka_unit_test_setup(test_mail_without_smtp_goes_to_the_log_and_counts_as_sent, clean),
		cmocka_unit_test_setup(test_mail_is_delivered_over_smtp_with_an_encoded_subject, clean),
		cmocka_unit_test_setup(test_failed_delivery_is_retried_later_then_succeeds, clean),
		cmocka_unit_test_setup(test_delivery_gives_up_after_the_last_attempt, clean),
		cmocka_unit_test_setup(test_two_senders_never_claim_the_same_mail, clean),
	};
	if (!crypto_init())
		return 1;
	time_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	TL_RUN_GROUP_BOTH(failed, "mail", tests, setup_sqlite, setup_pg, teardown);
	curl_global_cleanup();
	return TL_EXIT(failed);
}
