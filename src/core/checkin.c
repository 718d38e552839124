/* checkin.c: tickets scanned at the door by the box office. */
#include "checkin.h"
#include "tickets.h"
#include "faults.h"
#include "notify.h"
#include "orgs.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- check-in ------------------------------------------------------------------------------------ */

static const struct db_sql SQL_CHECKIN_FIND = { "orders_checkin_find",
	"SELECT t.id, t.order_id, t.event_date_id, tt.name, t.attendee_name, o.code, o.status,"
	" COALESCE(t.checked_in_at, 0) FROM tickets t JOIN orders o ON o.id = t.order_id"
	" JOIN ticket_types tt ON tt.id = t.ticket_type_id WHERE t.code = $1 AND o.event_id = $2" };
static const struct db_sql SQL_CHECKIN = { "orders_checkin",
	"UPDATE tickets SET checked_in_at = $2, checked_in_by = $3 WHERE id = $1"
	" AND checked_in_at IS NULL RETURNING checked_in_at" };
static const struct db_sql SQL_CHECKIN_WHEN = { "orders_checkin_when",
	"SELECT COALESCE(checked_in_at, 0) FROM tickets WHERE id = $1" };

struct checkin {
	const struct actor *who;
	int64_t event_id;
	const char *code;
	struct arena *a;
	struct ticket_checkin *out;
	enum kq_err err;
};

static enum db_status checkin_txn(struct db *db, void *cls)
{
	struct checkin *x = cls;
	struct ticket_event ev;
	x->err = tickets_event_get(db, x->a, x->event_id, &ev);
	if (x->err == KQ_OK)
		x->err = orgs_authorize(db, x->who, ev.org_id, ORG_ACT_BOX_OFFICE);
	if (x->err != KQ_OK)
		return DB_HARD;
	char *code = arena_strdup(x->a, x->code);
	str_upper_ascii_in_place(code);
	struct db_stmt *st = db_stmt(db, &SQL_CHECKIN_FIND);
	db_bind_text(st, 1, str_trim(x->a, code));
	db_bind_i64(st, 2, x->event_id);
	enum db_status s = db_step(st);
	char status[16] = "";
	if (s == DB_ROW) {
		x->out->ticket_id = db_col_i64(st, 0);
		x->out->order_id = db_col_i64(st, 1);
		x->out->event_date_id = db_col_i64(st, 2);
		x->out->type_name = db_col_str(st, 3, x->a);
		x->out->attendee_name = db_col_str(st, 4, x->a);
		x->out->order_code = db_col_str(st, 5, x->a);
		snprintf(status, sizeof(status), "%s", db_col_text(st, 6));
		x->out->checked_in_at = db_col_i64(st, 7);
	}
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		x->err = KQ_ERR_NOT_FOUND;
		return DB_HARD;
	}
	if (strcmp(status, "paid") != 0) {
		x->err = KQ_ERR_TICKETS_NOT_VALID;
		return DB_HARD;
	}
	int64_t now = time_now();
	st = db_stmt(db, &SQL_CHECKIN);
	db_bind_i64(st, 1, x->out->ticket_id);
	db_bind_i64(st, 2, now);
	db_bind_i64(st, 3, x->who->account_id);
	s = db_step(st);
	db_reset(st);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		/* Scanned before (or by another door a moment ago): say when. */
		st = db_stmt(db, &SQL_CHECKIN_WHEN);
		db_bind_i64(st, 1, x->out->ticket_id);
		s = db_step(st);
		x->out->checked_in_at = s == DB_ROW ? db_col_i64(st, 0) : 0;
		db_reset(st);
		x->err = KQ_ERR_TICKETS_ALREADY_CHECKED_IN;
		return DB_HARD;
	}
	x->out->checked_in_at = now;
	return DB_NONE;
}

enum kq_err checkin_scan(struct db *db, const struct actor *who, int64_t event_id,
				  const char *code, struct arena *a, struct ticket_checkin *out)
{
	memset(out, 0, sizeof(*out));
	if (!who || !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	if (!code || !*code || strlen(code) > 64)
		return KQ_ERR_NOT_FOUND;
	struct checkin x = { who, event_id, code, a, out, KQ_OK };
	enum db_status s = db_txn_run(db, "orders_checkin", DB_WRITE, checkin_txn, &x);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	return KQ_OK;
}
