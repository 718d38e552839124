/* runner.c: the job thread: every second, deliver due mail and, every few minutes, purge expired rows */
#include "jobs.h"
#include "db/pool.h"
#include "base/log.h"
#include "base/timefmt.h"
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

static pthread_t thread;
static bool running;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool stopping;
static struct jobs_config config;

static void *loop(void *arg)
{
	(void)arg;
	int64_t last_purge = 0;
	for (;;) {
		pthread_mutex_lock(&lock);
		if (stopping) {
			pthread_mutex_unlock(&lock);
			break;
		}
		pthread_mutex_unlock(&lock);

		struct db *db = db_pool_get();
		if (db) {
			jobs_mail_run(db, &config);
			jobs_expiry_run(db);
			/* ---- campaigns ---- */
			jobs_campaigns_run(db);
			/* ---- end campaigns ---- */
			/* ---- memberships ---- */
			jobs_memberships_run(db);
			/* ---- end memberships ---- */
			/* ---- follows ---- */
			/* ---- end follows ---- */
			/* ---- recurring donations ---- */
			jobs_recurring_run(db);
			/* ---- end recurring donations ---- */
			if (time_now() - last_purge > 300) {
				jobs_purge_run(db);
				last_purge = time_now();
			}
		}

		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 500 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&lock);
		if (!stopping)
			pthread_cond_timedwait(&wake, &lock, &until);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

bool jobs_start(const struct jobs_config *cfg)
{
	config = *cfg;
	stopping = false;
	if (pthread_create(&thread, NULL, loop, NULL) != 0)
		return false;
	running = true;
	return true;
}

void jobs_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	running = false;
}
