/* core.c: process-wide settings of the domain layer */
#include "core.h"
#include "db/pool.h"

static struct core_settings settings = { "http://127.0.0.1:8080", "Kiosque <no-reply@kiosque.localhost>" };

void core_init(const struct core_settings *s)
{
	settings = *s;
}

const struct core_settings *core_settings(void)
{
	return &settings;
}

enum kq_err core_db_err(enum db_status s)
{
	return s < 0 ? KQ_ERR_INTERNAL : KQ_OK;
}

struct db *core_db(void)
{
	return db_pool_get();
}
