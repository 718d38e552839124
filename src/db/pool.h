/* pool.h: one database connection per thread, opened on first use */
#ifndef KQ_POOL_H
#define KQ_POOL_H
#include "db.h"

/* Remembers the URL; does not connect. */
void db_pool_init(const char *url);
/* This thread's connection, opened lazily; NULL (logged) if the database is unreachable. */
struct db *db_pool_get(void);
/* Closes every connection the pool opened; call after all threads stopped. */
void db_pool_done(void);

#endif
