/* tl_stripe.h: tests/tools/fake_stripe.py for the unit tests that pay by card (test_orders.c,
 * test_donations.c): started once per process, driven through its /_test/ controls, and the
 * signed webhook deliveries it produces handed to payments_webhook like Stripe would. */
#ifndef KQ_TL_STRIPE_H
#define KQ_TL_STRIPE_H
#include "testlib.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "core/payments.h"
#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define STRIPE_KEY "sk_test_kiosque"
#define STRIPE_WHSEC "whsec_kiosque"

/* ---- the fake Stripe (tests/tools/fake_stripe.py), one per process --------------------- */

static pid_t fake_pid;
static int fake_port;
static char fake_base[64];

TL_UNUSED static void fake_stop(void)
{
	if (fake_pid > 0) {
		kill(fake_pid, SIGTERM);
		waitpid(fake_pid, NULL, 0);
		fake_pid = 0;
	}
}

TL_UNUSED static bool fake_start(void)
{
	int fds[2];
	if (pipe(fds) != 0)
		return false;
	fake_pid = fork();
	if (fake_pid < 0)
		return false;
	if (fake_pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl("/usr/bin/python3", "python3", "tests/tools/fake_stripe.py", "--port", "0",
		      "--secret-key", STRIPE_KEY, "--webhook-secret", STRIPE_WHSEC, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "r");
	char line[64] = "";
	bool ok = f && fgets(line, sizeof(line), f) != NULL;
	if (f)
		fclose(f);
	fake_port = atoi(line);
	snprintf(fake_base, sizeof(fake_base), "http://127.0.0.1:%d", fake_port);
	atexit(fake_stop);
	return ok && fake_port > 0;
}

TL_UNUSED static size_t fake_body(char *p, size_t size, size_t n, void *ud)
{
	buf_append(ud, p, size * n);
	return size * n;
}

/* A control call to the fake; the answer's JSON (caller json_decref's it). */
TL_UNUSED static json_t *fake_call(const char *method, const char *path)
{
	CURL *c = curl_easy_init();
	struct buf b = BUF_INIT;
	char url[512];
	snprintf(url, sizeof(url), "%s%s", fake_base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fake_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	CURLcode rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		fail_msg("fake stripe %s: %s", path, curl_easy_strerror(rc));
	json_error_t err;
	json_t *j = json_loadb(b.p ? b.p : "", b.len, 0, &err);
	buf_free(&b);
	if (!j)
		fail_msg("fake stripe %s: not JSON", path);
	return j;
}

TL_UNUSED static int64_t fake_count(const char *what)
{
	json_t *j = fake_call("GET", "/_test/state");
	int64_t v = (int64_t)json_integer_value(json_object_get(j, what));
	json_decref(j);
	return v;
}

/* The fake's clock follows the test's (tl_set_clock). */
TL_UNUSED static void set_clock(int64_t offset)
{
	tl_set_clock(offset);
	char path[64];
	snprintf(path, sizeof(path), "/_test/clock?offset=%lld", (long long)offset);
	json_decref(fake_call("POST", path));
}

/* A signed webhook delivery, as the fake produced it. */
struct delivery {
	char *payload;
	char *signature;
};

TL_UNUSED static struct delivery fake_event(const char *path)
{
	json_t *j = fake_call("POST", path);
	const char *p = json_string_value(json_object_get(j, "event"));
	const char *s = json_string_value(json_object_get(j, "signature"));
	if (!p || !s)
		fail_msg("fake stripe %s: no event", path);
	struct delivery d = { xstrdup(p), xstrdup(s) };
	json_decref(j);
	return d;
}

TL_UNUSED static struct delivery fake_pay(const char *session)
{
	char path[256];
	snprintf(path, sizeof(path), "/_test/sessions/%s/pay", session);
	return fake_event(path);
}

TL_UNUSED static void delivery_free(struct delivery *d)
{
	free(d->payload);
	free(d->signature);
}

TL_UNUSED static enum kq_err deliver(struct db *db, const struct delivery *d, enum webhook_result *r)
{
	struct arena *a = arena_new();
	enum kq_err e = payments_webhook(db, "stripe", d->signature, d->payload, strlen(d->payload),
					 a, r);
	arena_free(a);
	return e;
}

#endif
