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

struct together {
	enum kq_err (*fn)(struct db *db, void *cls);
	void *cls;
	enum kq_err err;
};

static enum db_status together_txn(struct db *db, void *cls)
{
	struct together *t = cls;
	t->err = t->fn(db, t->cls);
	return DB_NONE;
}

enum kq_err core_read_together(struct db *db, enum kq_err (*fn)(struct db *db, void *cls),
			       void *cls)
{
	struct together t = { fn, cls, KQ_OK };
	if (db_read_run(db, "core_read_together", together_txn, &t) < 0)
		return KQ_ERR_INTERNAL;
	return t.err;
}
