/* timefmt.h: UTC seconds in storage, shown in the territory's time zone (Europe/Paris) */
#ifndef KQ_TIMEFMT_H
#define KQ_TIMEFMT_H
#include <stdint.h>
#include "arena.h"

/* Sets TZ=Europe/Paris for the process; call once at start, before threads. */
void time_init(void);
int64_t time_now(void);
/* Test hook: KIOSQUE_TIME_OFFSET seconds are added to time_now() (expiry tests). */
/* "25 novembre 2026 à 19 h 04" (fr) or "25 November 2026, 19:04" (en). */
char *time_format_long(struct arena *a, int64_t t, const char *lang);
/* "2026-11-25" in the territory's zone. */
char *time_format_date(struct arena *a, int64_t t);
/* RFC 3339 UTC, for JSON: "2026-11-25T18:04:00Z". */
char *time_format_iso(struct arena *a, int64_t t);

#endif
