/* main.c: the kiosque command line: subcommands from one table (serve, migrate, admin, help) */
#include "api/api.h"
#include "base/config.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "core/accounts.h"
#include "core/core.h"
#include "core/orgs.h"
#include "core/payments.h"
#include "core/tickets.h"
#include "core/territory.h"
#include "db/pool.h"
#include "http/http.h"
#include "jobs/jobs.h"
#include "web/web.h"
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Kiosque: the platform of a territory's local life.\n"
	"\n"
	"Usage:\n"
	"  kiosque serve [--listen ADDR:PORT] [--db URL] [--smtp URL] [--base-url URL] [--demo]\n"
	"      Serves the site. Creates and migrates the database on first start.\n"
	"      --listen    address and port to listen on (KIOSQUE_LISTEN, default 127.0.0.1:8080)\n"
	"      --db        sqlite:PATH or postgres://USER@HOST:PORT/NAME (KIOSQUE_DB,\n"
	"                  default sqlite:kiosque.db)\n"
	"      --smtp      smtp://HOST:PORT where mail is sent (KIOSQUE_SMTP); without it,\n"
	"                  mails are written to the log\n"
	"      --base-url  public address of the site, used in mailed links (KIOSQUE_BASE_URL);\n"
	"                  https:// turns on Secure cookies and HSTS\n"
	"      --demo      load the demo territory into an empty database (KIOSQUE_DEMO=1)\n"
	"  kiosque migrate [--db URL]\n"
	"      Applies pending database migrations and exits.\n"
	"  kiosque admin create EMAIL [--db URL] [--base-url URL]\n"
	"      Creates (or promotes) a platform administrator and prints a link to set\n"
	"      the password.\n"
	"  kiosque --help\n"
	"      Shows this text.\n";

/* Flags shared by the subcommands; unknown ones are an error with one sentence. */
static int parse_flags(struct config *c, int argc, char **argv, int *positional, char **pos,
		       int maxpos)
{
	*positional = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--demo") == 0) {
			c->demo = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			exit(0);
		}
		if (a[0] == '-' && a[1] == '-') {
			if (strcmp(a, "--listen") != 0 && strcmp(a, "--db") != 0 &&
			    strcmp(a, "--smtp") != 0 && strcmp(a, "--base-url") != 0) {
				fprintf(stderr, "kiosque: unknown option %s (see kiosque --help).\n", a);
				return -1;
			}
			if (!v) {
				fprintf(stderr, "kiosque: %s needs a value (see kiosque --help).\n", a);
				return -1;
			}
			if (strcmp(a, "--listen") == 0) {
				if (!config_set_listen(c, v)) {
					fprintf(stderr, "kiosque: --listen wants ADDR:PORT, such as 127.0.0.1:8080, not \"%s\".\n", v);
					return -1;
				}
			} else if (strcmp(a, "--db") == 0) {
				snprintf(c->db_url, sizeof(c->db_url), "%s", v);
			} else if (strcmp(a, "--smtp") == 0) {
				snprintf(c->smtp_url, sizeof(c->smtp_url), "%s", v);
			} else if (strcmp(a, "--base-url") == 0) {
				snprintf(c->base_url, sizeof(c->base_url), "%s", v);
			}
			i++;
			continue;
		}
		if (*positional >= maxpos) {
			fprintf(stderr, "kiosque: unexpected argument \"%s\" (see kiosque --help).\n", a);
			return -1;
		}
		pos[(*positional)++] = argv[i];
	}
	config_finish(c);
	return 0;
}

/* Opens and migrates the database; one clear sentence when it cannot. */
static struct db *open_db(const struct config *c)
{
	char err[600];
	struct db *db = db_open(c->db_url, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "kiosque: %s\n", err);
		return NULL;
	}
	if (!db_migrate(db) || territory_ensure(db) != KQ_OK) {
		fprintf(stderr, "kiosque: the database %s could not be migrated (see the log above).\n",
			c->db_url);
		db_close(db);
		return NULL;
	}
	/* Descriptions saved before their HTML was stored are rendered once here. */
	int64_t rendered = 0;
	if (orgs_render_pending(db, &rendered) != KQ_OK)
		log_warn("some organisation descriptions could not be rendered now; pages render them");
	else if (rendered)
		log_info("rendered %lld organisation descriptions", (long long)rendered);
	return db;
}

static void init_common(const struct config *c)
{
	if (!crypto_init()) {
		fprintf(stderr, "kiosque: libsodium failed to start.\n");
		exit(1);
	}
	time_init();
	i18n_init();
	struct core_settings cs = { c->base_url, c->mail_from };
	core_init(&cs);
	payments_init(c);
	tickets_hooks_install();
}

static int cmd_serve(int argc, char **argv)
{
	struct config c;
	char *pos[1];
	int npos;
	config_defaults(&c);
	if (parse_flags(&c, argc, argv, &npos, pos, 0) < 0)
		return 2;
	init_common(&c);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	static_init("assets/");

	struct db *db = open_db(&c);
	if (!db)
		return 1;
	if (c.demo) {
		bool loaded = false;
		if (territory_load_demo(db, &loaded) != KQ_OK) {
			fprintf(stderr, "kiosque: the demo territory could not be loaded (see the log above).\n");
			db_close(db);
			return 1;
		}
		if (loaded)
			log_info("demo territory loaded");
	}
	struct arena *a = arena_new();
	struct territory t = { 0 };
	if (territory_get(db, a, &t) != KQ_OK)
		t.name = "Kiosque";
	log_info("territory: %s", t.name);
	db_close(db);

	/* Signals are blocked before any thread starts, so only sigwait() below sees them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	db_pool_init(c.db_url);
	web_init(config_is_https(&c), t.name);
	struct http_config hc = {
		.listen_addr = c.listen_addr, .port = c.port, .threads = c.threads,
		.max_body = c.max_body, .max_url = 2048, .max_fields = 200,
		.https = config_is_https(&c), .handler = web_handle, .complete = web_complete,
		.refuse = web_refuse,
	};
	char tiles[300];
	config_map_tiles_origin(tiles, sizeof(tiles));
	hc.img_src_extra = tiles;
	char err[300];
	struct http_server *srv = http_start(&hc, err, sizeof(err));
	if (!srv) {
		fprintf(stderr, "kiosque: %s\n", err);
		db_pool_done();
		arena_free(a);
		return 1;
	}
	struct jobs_config jc = { c.smtp_url, c.mail_from };
	if (!jobs_start(&jc)) {
		fprintf(stderr, "kiosque: cannot start the job thread.\n");
		http_stop(srv);
		db_pool_done();
		arena_free(a);
		return 1;
	}
	log_info("serving on http://%s:%u (public address %s, %u threads)", c.listen_addr,
		 (unsigned)http_port(srv), c.base_url, c.threads);

	int sig = 0;
	sigwait(&set, &sig);
	log_info("signal %d: finishing requests in flight, then stopping", sig);
	http_stop(srv);
	jobs_stop();
	db_pool_done();
	arena_free(a);
	curl_global_cleanup();
	log_info("stopped");
	return 0;
}

static int cmd_migrate(int argc, char **argv)
{
	struct config c;
	char *pos[1];
	int npos;
	config_defaults(&c);
	if (parse_flags(&c, argc, argv, &npos, pos, 0) < 0)
		return 2;
	init_common(&c);
	struct db *db = open_db(&c);
	if (!db)
		return 1;
	db_close(db);
	printf("The database %s is up to date.\n", c.db_url);
	return 0;
}

static int cmd_admin(int argc, char **argv)
{
	struct config c;
	char *pos[2];
	int npos;
	config_defaults(&c);
	if (parse_flags(&c, argc, argv, &npos, pos, 2) < 0)
		return 2;
	if (npos != 2 || strcmp(pos[0], "create") != 0) {
		fprintf(stderr, "kiosque: usage: kiosque admin create EMAIL (see kiosque --help).\n");
		return 2;
	}
	init_common(&c);
	struct db *db = open_db(&c);
	if (!db)
		return 1;
	struct arena *a = arena_new();
	const char *link = NULL;
	enum kq_err e = accounts_admin_create(db, a, pos[1], &link);
	int rc = 0;
	if (e == KQ_ERR_FORM_INVALID) {
		fprintf(stderr, "kiosque: \"%s\" is not a valid e-mail address.\n", pos[1]);
		rc = 1;
	} else if (e != KQ_OK) {
		fprintf(stderr, "kiosque: the administrator could not be created (see the log above).\n");
		rc = 1;
	} else {
		printf("%s is an administrator. Choose the password within 24 hours at:\n%s\n", pos[1], link);
	}
	arena_free(a);
	db_close(db);
	return rc;
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs(usage, stdout);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "serve", cmd_serve },
	{ "migrate", cmd_migrate },
	{ "admin", cmd_admin },
	{ "help", cmd_help },
	{ "--help", cmd_help },
	{ "-h", cmd_help },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 2, argv + 2);
	fprintf(stderr, "kiosque: unknown command \"%s\" (see kiosque --help).\n", argv[1]);
	return 2;
}
