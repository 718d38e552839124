/* pool.c: per-thread connections (MHD worker threads, job threads), all closed at shutdown */
#include "pool.h"
#include "../base/log.h"
#include "../base/xalloc.h"
#include <pthread.h>
#include <stdlib.h>

static char *pool_url;
static _Thread_local struct db *mine;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct db **all;
static size_t nall, capall;

void db_pool_init(const char *url)
{
	pool_url = xstrdup(url);
}

struct db *db_pool_get(void)
{
	char err[512];
	if (mine)
		return mine;
	mine = db_open(pool_url, err, sizeof(err));
	if (!mine) {
		log_error("%s", err);
		return NULL;
	}
	pthread_mutex_lock(&lock);
	if (nall == capall) {
		capall = capall ? capall * 2 : 16;
		all = xrealloc(all, capall * sizeof(*all));
	}
	all[nall++] = mine;
	pthread_mutex_unlock(&lock);
	return mine;
}

void db_pool_done(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nall; i++)
		db_close(all[i]);
	free(all);
	all = NULL;
	nall = capall = 0;
	pthread_mutex_unlock(&lock);
	mine = NULL;
	free(pool_url);
	pool_url = NULL;
}
