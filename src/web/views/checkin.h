/* checkin.h (views): the door scanner page of an event (scan, pay at the door, undo, counts, sale at the door) */
#ifndef KQ_VIEWS_CHECKIN_H
#define KQ_VIEWS_CHECKIN_H
#include "web/views/views.h"
#include "core/checkin.h"
#include "core/events.h"
#include "core/tickets.h"

/* What the sale form was sent with (to show it again with its errors). */
struct checkin_sale_form {
	const char *type, *quantity, *buyer_name;
	bool enter_now;
};

struct checkin_view {
	const struct event *ev;
	int64_t date_id;                     /* the date the door lets in; 0: any */
	const char *gate;                    /* "" when unnamed */
	const struct checkin_outcome *outcome;   /* the scan just made, or NULL */
	const char *scanned_code;            /* what was typed (unpaid: the pay form resends it) */
	const struct checkin_counts *counts;
	const struct checkin_scan_row *recent;
	int nrecent;
	const struct ticket_type *types;     /* for the sale form */
	int ntypes;
	const struct order *sold;            /* a sale just made, or NULL */
	const struct field_errors *sale_fe;  /* the sale form's errors, or NULL */
	struct checkin_sale_form sale;
};

void view_checkin(struct buf *b, struct request *req, const struct checkin_view *v);

/* The words of a scan's result, shared by the page and its JSON answer:
 * [out] a title, a detail sentence ("" when none) and a symbol (never the
 * only sign: the title says it). Strings in the request's arena. */
void view_checkin_outcome_words(struct request *req, const struct checkin_outcome *o,
				const char **out_title, const char **out_detail,
				const char **out_icon);
/* The display name of a gate ("" reads "no name"). */
const char *view_checkin_gate_name(struct request *req, const char *gate);

#endif
