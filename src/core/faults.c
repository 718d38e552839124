/* faults.c: the fault-injection hook (faults.h): a per-thread step counter that fails the k-th step */
#include "faults.h"
#include "base/log.h"
#include <pthread.h>
#include <stdlib.h>

/* Per thread, so concurrent buyers in a contention test are never hit by
 * another thread's fault. fail_at 0: disarmed. */
static _Thread_local long fail_at;
static _Thread_local long counted;
static _Thread_local bool fired;
static _Thread_local bool env_read;

static void read_env(void)
{
	env_read = true;
	const char *v = getenv("KQ_FAIL_AT");
	if (v && atol(v) > 0) {
		fail_at = atol(v);
		counted = 0;
		fired = false;
	}
}

void faults_arm(long k)
{
	env_read = true;   /* an explicit arming wins over the environment */
	fail_at = k > 0 ? k : 0;
	counted = 0;
	fired = false;
}

bool faults_fired(void)
{
	return fired;
}

long faults_steps(void)
{
	return counted;
}

enum db_status faults_step(struct db_stmt *st)
{
	if (!env_read)
		read_env();
	if (fail_at) {
		if (++counted == fail_at) {
			fired = true;
			log_debug("faults: step %ld fails by injection", counted);
			return DB_HARD;
		}
	}
	return db_step(st);
}

enum db_status faults_run(struct db_stmt *st)
{
	enum db_status s = faults_step(st);
	if (s == DB_ROW)
		while ((s = db_step(st)) == DB_ROW)
			;
	return s;
}
