/* core.h: domain types shared by the pages (web/) and the JSON API (api/).
 *
 * Core functions take the database first, then who acts (struct actor),
 * then inputs, then an arena for what they return, then [out] parameters;
 * they return enum kq_err and check authorisation themselves, so the same
 * rule holds for a page, the API and a test. */
#ifndef KQ_CORE_H
#define KQ_CORE_H
#include <stdbool.h>
#include <stdint.h>
#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* Who is acting. An anonymous visitor has account_id 0. */
struct actor {
	int64_t account_id;
	const char *email;
	const char *display_name;
	const char *platform_role;   /* "" | "moderator" | "admin" */
	const char *lang;
	bool is_verified;
};

static inline bool actor_is_admin(const struct actor *a)
{
	return a && a->account_id && a->platform_role && a->platform_role[0] == 'a';
}

static inline bool actor_is_moderator(const struct actor *a)
{
	return a && a->account_id && a->platform_role &&
	       (a->platform_role[0] == 'm' || a->platform_role[0] == 'a');
}

/* Process-wide settings core needs to write links into mails. */
struct core_settings {
	const char *base_url;     /* "https://kiosque.example.org", no trailing slash */
	const char *mail_from;
};
void core_init(const struct core_settings *s);
const struct core_settings *core_settings(void);

/* This thread's database connection (opened on first use; NULL, logged, when
 * the database is unreachable). Pages and the API get theirs here. */
struct db *core_db(void);

/* Maps a storage failure to a domain error: DB_HARD/DB_SOFT -> KQ_ERR_INTERNAL. */
enum kq_err core_db_err(enum db_status s);

/* Runs fn, which calls several core functions for one page, with their
 * reads taken together (db_read_run: one file lock on SQLite instead of one
 * per statement). Returns fn's error, or INTERNAL. */
enum kq_err core_read_together(struct db *db, enum kq_err (*fn)(struct db *db, void *cls),
			       void *cls);

#endif
