/* faults.h: the fault-injection hook of the money paths (STYLE.md B7), inert unless a test arms it.
 *
 * Orders, payments and the ledger step their statements through faults_step()
 * and faults_run() instead of db_step()/db_run(). Armed with faults_arm(k),
 * or with KQ_FAIL_AT=k in the environment, the k-th such step on the calling
 * thread returns DB_HARD without running, as a failed disk or a killed
 * connection would; a test loops k = 1, 2, ... until the operation succeeds
 * and checks after each failure that nothing was half-written (the SQLite
 * way: do_faultsim_test). Unarmed, the cost is one thread-local compare. */
#ifndef KQ_FAULTS_H
#define KQ_FAULTS_H
#include <stdbool.h>
#include "db/db.h"

/* The k-th counted step from now on this thread fails (k >= 1); 0 disarms. */
void faults_arm(long k);
/* The hook fired since it was last armed. */
bool faults_fired(void);
/* Steps counted on this thread since it was last armed. */
long faults_steps(void);

__attribute__((warn_unused_result))
enum db_status faults_step(struct db_stmt *st);
/* db_run through the hook. */
__attribute__((warn_unused_result))
enum db_status faults_run(struct db_stmt *st);

#endif
