/* checkin.h: tickets scanned at the door. */
#ifndef KQ_CHECKIN_H
#define KQ_CHECKIN_H
#include "core.h"

/* ---- check-in --------------------------------------------------------------------------------- */

struct ticket_checkin {
	int64_t ticket_id, order_id, event_date_id;
	const char *type_name, *attendee_name, *order_code;
	int64_t checked_in_at;       /* now, or when it was first scanned */
};
/* The box office (ORG_ACT_BOX_OFFICE) scans code at event_id's door: the
 * ticket is marked used, once. Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND
 * (no such ticket for this event), TICKETS_NOT_VALID (its order is not
 * paid), TICKETS_ALREADY_CHECKED_IN (out says when), INTERNAL. */
enum kq_err checkin_scan(struct db *db, const struct actor *who, int64_t event_id,
				  const char *code, struct arena *a, struct ticket_checkin *out);

#endif
