/* hours.h: an organisation's opening hours, and whether it is open now (Europe/Paris)
 *
 * Hours are ranges of one day: weekday 1 (Monday) .. 7 (Sunday), minutes
 * after local midnight, opens < closes <= 24:00. A night past midnight is two
 * ranges (Friday 18:00-24:00, Saturday 00:00-02:00); hours_state_at joins them.
 * Within a day the ranges are in order and never overlap
 * (INVARIANT(hours-order): checked by hours_parse_day before anything is
 * written, tested by test_hours_parse_refuses_*). */
#ifndef KQ_HOURS_H
#define KQ_HOURS_H
#include "core.h"

#define HOURS_PER_DAY_MAX 4          /* ranges in one day */
#define HOURS_DAY_TEXT_MAX 120       /* "9:00-12:00, 14:00-18:00" as typed */
#define HOURS_NOTE_MAX 200           /* "fermé en août" */

struct hours_range {
	int weekday;                 /* 1..7 */
	int opens_min, closes_min;   /* 0..1439, 1..1440 */
};

/* Every range of an organisation, by weekday then opening time, and its note. */
struct org_hours {
	const struct hours_range *ranges;
	int n;
	const char *note;            /* "" when none */
};

/* Reads one day as typed: "" (closed) or ranges "9:00-12:00, 14h-18h30"
 * separated by commas or semicolons; times as 9, 9h, 9h30, 09:30 or 24:00.
 * [out] out[0..*out_n) in order. false with *out_err a catalog key
 * (err.hours.format, err.hours.order, err.hours.overlap, err.hours.too_many). */
bool hours_parse_day(const char *text, int weekday, struct hours_range out[HOURS_PER_DAY_MAX],
		     int *out_n, const char **out_err);
/* The ranges of weekday as hours_parse_day reads them back: "9:00-12:00, 14:00-18:00",
 * "" when closed; in a. */
const char *hours_format_day(struct arena *a, const struct org_hours *h, int weekday);
/* "9:00", "14:30", "24:00" (minutes after midnight), in a. */
const char *hours_format_min(struct arena *a, int min);

/* The hours of org_id (strings in a). Errors: INTERNAL. Usable inside a read. */
enum kq_err hours_get(struct db *db, struct arena *a, int64_t org_id, struct org_hours *out);
/* The ranges of n organisations, 32 to a statement (never one per
 * organisation): out[i] for ids[i] (note ""). Errors: INTERNAL. */
enum kq_err hours_of_many(struct db *db, struct arena *a, const int64_t *ids, int n,
			  struct org_hours *out);
/* The same without the note (one read less: pages that loaded the org have
 * it in org.hours_note); out->note is "". */
enum kq_err hours_ranges(struct db *db, struct arena *a, int64_t org_id, struct org_hours *out);

/* Replaces the hours of org_id: days[i] is the text of weekday i + 1 (NULL:
 * closed), note one line of at most HOURS_NOTE_MAX characters. Needs
 * ORG_ACT_EDIT_PROFILE. fe gets "d1".."d7" and "note". Nothing is written
 * when anything is wrong. Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND,
 * FORM_INVALID (fe), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err hours_set(struct db *db, const struct actor *who, int64_t org_id,
		      const char *const days[7], const char *note, struct field_errors *fe);

/* Where an organisation stands at a moment, in local time (Europe/Paris). */
struct hours_state {
	bool known;          /* it has hours at all */
	bool open;
	int closes_min;      /* open: closing time (local minutes; may be on a later day) */
	int closes_in_days;  /* open: 0 today, 1 tomorrow (a night past midnight) */
	bool opens_later;    /* closed: it opens again within the week */
	int opens_weekday;   /* closed: 1..7 */
	int opens_min;       /* closed: local minutes */
	int opens_in_days;   /* closed: 0 later today, 1 tomorrow... 7 same day next week */
};
/* The state of h at UTC time now. */
void hours_state_at(const struct org_hours *h, int64_t now, struct hours_state *out);

/* Writes ranges as given (loaders and tests; no checks). Inside a transaction. */
__attribute__((warn_unused_result))
enum db_status hours_insert_raw(struct db *db, int64_t org_id, const struct hours_range *r, int n);

#endif
