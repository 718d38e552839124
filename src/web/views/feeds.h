/* feeds.h (views): the agenda as iCalendar (RFC 5545) and Atom (RFC 4287), from loaded events */
#ifndef KQ_VIEWS_FEEDS_H
#define KQ_VIEWS_FEEDS_H
#include "base/arena.h"
#include "base/buf.h"
#include "core/events.h"

/* What a feed says about itself. URLs are absolute. */
struct feed_info {
	const char *lang;          /* "fr" | "en": labels of categories and statuses */
	const char *title;         /* the calendar's or feed's name */
	const char *self_url;      /* where this feed is */
	const char *page_url;      /* the HTML page it mirrors */
	const char *base_url;      /* "https://kiosque.example.org", no trailing slash */
	const char *author;        /* Atom: the feed's author (the territory) */
};

/* ---- iCalendar ---- */

/* A whole VCALENDAR with the Europe/Paris VTIMEZONE (both rules) and one
 * VEVENT per date of each item: every date of an event loaded by events_get,
 * or the one occurrence of a list. UID is stable per date
 * ("event-<id>-<date id>@<host>"), DTSTAMP is the event's last change, times
 * are TZID=Europe/Paris; text is escaped, lines are folded at 75 octets
 * without splitting a UTF-8 sequence, and end with CRLF. */
void feeds_ical(struct buf *b, struct arena *a, const struct feed_info *fi,
		const struct event *items, int n);

/* The pieces, for tests. */
/* Appends one content line "name:value" (value already escaped) folded at 75 octets, then CRLF. */
void feeds_ical_line(struct buf *b, const char *name, const char *value);
/* TEXT escaping of RFC 5545 3.3.11: \ ; , and newlines; other controls dropped. In a. */
char *feeds_ical_text(struct arena *a, const char *s);
/* "20260714T210000" in Europe/Paris, or with utc "20260714T190000Z". In a. */
char *feeds_ical_time(struct arena *a, int64_t t, bool utc);

/* ---- Atom ---- */

/* An Atom 1.0 feed: one entry per event (an event listed for several
 * dates appears once, at its first date in the list), in list order. */
void feeds_atom(struct buf *b, struct arena *a, const struct feed_info *fi,
		const struct event *items, int n);

#endif
