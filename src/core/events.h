/* events.h: the territory's agenda: events of organisations, their dates (a series has several), filters, feeds' data.
 *
 * Who may do what (every rule is checked here, not by pages or the API):
 * members of the organisation whose role allows ORG_ACT_PUBLISH (owner,
 * editor) and platform admins create and edit its events and see its drafts.
 * Everyone else sees published, postponed and cancelled events only; a draft
 * is NOT_FOUND for them, so its existence is not told. A cancelled event, or
 * a cancelled date of a series, stays listed and is marked so.
 *
 * Time: dates are stored as UTC seconds and entered and shown in the
 * territory's zone, Europe/Paris (time_init sets TZ). Local times are turned
 * into instants by events_local_time(): a time inside the spring-forward gap
 * does not exist and is refused next to its field; a time inside the autumn
 * overlap happens twice and means the first of the two, as RFC 5545 3.3.5
 * says, so that the iCalendar feeds (TZID=Europe/Paris) say the same instant.
 *
 * Ticketing (core/tickets.c, another module) plugs in through struct
 * events_ticket_hooks: how many tickets are left for a date, the price of its
 * offers, whether a date has orders, and which dates an account holds tickets
 * for. Until it does, those figures are "unknown" (or the capacity). */
#ifndef KQ_EVENTS_H
#define KQ_EVENTS_H
#include "core.h"
#include "uploads.h"

#define EVENTS_TITLE_MIN 2
#define EVENTS_TITLE_MAX 140
#define EVENTS_SUMMARY_MAX 200
#define EVENTS_DESCRIPTION_MAX 20000
#define EVENTS_LINE_MAX 200             /* venue name, venue address */
#define EVENTS_NOTES_MAX 1000           /* accessibility notes */
#define EVENTS_DATES_MAX 60             /* dates of one event (a weekly market for a year fits) */
#define EVENTS_DURATION_MAX (31 * 86400) /* one date lasts at most a month (a festival, an exhibition) */
#define EVENTS_CAPACITY_MAX 1000000
#define EVENTS_PAGE_MAX 100             /* largest page of the agenda and of the API */
#define EVENTS_LIST_MAX 1000            /* largest list: calendar month, feeds */
#define EVENTS_TICKETS_UNKNOWN (-1)
#define EVENTS_YEAR_MIN 2000
#define EVENTS_YEAR_MAX 2100

/* One date of an event. */
struct event_date {
	int64_t id;
	int64_t starts_at, ends_at;   /* UTC seconds; ends_at >= starts_at */
	bool cancelled;
	/* Tickets left for this date when the event is ticketed: from the
	 * ticketing hook, else the capacity, else EVENTS_TICKETS_UNKNOWN. */
	int64_t tickets_left;
};

/* An event as read back. Strings are never NULL ("" when empty).
 * events_get fills dates with every date, by start; the lists give one
 * struct event per occurrence, with ndates == 1 (the occurrence's date). */
struct event {
	int64_t id, org_id;
	const char *slug, *title, *summary, *description;
	/* description rendered when the event was saved, by core/markdown.c
	 * (cmark in safe mode), only by this module; pages print it as it is. */
	const char *description_html;
	const char *category;             /* one of events_categories() */
	const char *status;               /* draft | published | postponed | cancelled */
	const char *org_slug, *org_name, *org_email;
	int64_t commune_id;               /* 0: none */
	const char *commune_insee, *commune_name, *commune_postcode;
	const char *venue_name, *venue_address;
	bool has_geo;
	int64_t lat_e6, lon_e6;           /* micro-degrees, when has_geo */
	int64_t image_upload_id;          /* 0: no image */
	const char *image_sha256;         /* "" when no image; versions the image URL */
	bool is_ticketed;
	int64_t capacity;                 /* 0: not given */
	const char *accessibility;        /* comma-separated flags of events_access_flags() */
	const char *access_notes;
	int64_t sequence;                 /* iCalendar SEQUENCE: raised on each change */
	int64_t hidden_at;                /* 0: shown; else when a moderator hid it (core/moderation.c) */
	int64_t created_at, updated_at;
	struct event_date *dates;
	int ndates;
};

/* One date as entered. Local date "YYYY-MM-DD" (or "DD/MM/YYYY") and time
 * "HH:MM" (or "HHhMM", "HHh") in Europe/Paris; end_date "" means the start's
 * day, and an end time before the start time on that day means the next day
 * (a concert from 21 h to 1 h). The API may give exact instants instead
 * (is_exact with starts_at, ends_at), which have no gap or overlap. */
struct event_date_input {
	int64_t id;                  /* 0: a new date; else one of the event's dates */
	const char *start_date, *start_time, *end_date, *end_time;
	bool is_exact;
	int64_t starts_at, ends_at;
	bool cancelled;
	bool remove;                 /* an existing date to delete */
};

/* Input of events_create and events_update. For create, NULL means empty;
 * for update, NULL means "keep the current value" (a partial update). */
struct event_input {
	const char *title;           /* 2..140 characters, one line */
	const char *summary;         /* one line, <= 200 characters */
	const char *description;     /* Markdown, <= 20000 characters */
	const char *category;        /* one of events_categories() */
	const char *commune;         /* INSEE code of one of territory_communes, or "" */
	const char *venue_name, *venue_address;   /* one line each, <= 200 characters */
	const char *latitude, *longitude;         /* decimal degrees ("44.7312"), both or neither */
	const char *ticketing;       /* "free" | "ticketed" */
	const char *capacity;        /* "" or 1..1000000 */
	const char *accessibility;   /* comma-separated flags of events_access_flags(), or "" */
	const char *access_notes;    /* <= 1000 characters */
	const char *status;          /* draft | published | postponed | cancelled; create: draft when NULL */
	/* The dates: on update, has_dates false keeps them all; true lists the
	 * dates to keep or change by id, new ones with id 0, and removals. Dates
	 * of the event that are not listed are kept as they are. */
	bool has_dates;
	const struct event_date_input *dates;
	int ndates;
	/* Repeats the first listed date: "" | weekly | biweekly | monthly (the
	 * same weekday of the month: "every second Thursday"), until a local date
	 * (included). Occurrences that fall on an existing date are skipped. */
	const char *repeat, *repeat_until;
	/* The image: bytes of a PNG, JPEG or WebP (at most UPLOAD_IMAGE_MAX); NULL
	 * keeps the current one. remove_image drops it. */
	const void *image;
	size_t image_len;
	bool remove_image;
};

/* Filters of the agenda, the API and the feeds. Occurrences are those whose
 * date overlaps [from, to) (to 0: no upper bound), in start order; with past,
 * those that ended before `from`, newest first. */
struct event_filter {
	int64_t from, to;            /* UTC seconds; from 0 counts as now */
	bool past;
	const char *category;        /* NULL or "": any */
	const char *commune;         /* INSEE code; NULL or "": any; unknown: nothing */
	const char *q;               /* words searched in title, summary and venue, case-insensitive */
	bool free_only;              /* events that are not ticketed */
	bool tickets_left;           /* ticketed, not cancelled, tickets left (or unknown) */
	int64_t org_id;              /* 0: any organisation */
	/* With org_id: list the organisation's drafts too, when who may publish
	 * for it (ignored otherwise). Drafts never appear in the agenda. */
	bool include_drafts;
	int limit;                   /* clamped to 1..EVENTS_LIST_MAX */
	int offset;                  /* negative counts as 0 */
};

/* ---- vocabularies (NULL-terminated; labels are the catalog keys
 *      "events.category.<c>", "events.access.<flag>", "events.status.<s>") ---- */

const char *const *events_categories(void);
bool events_category_valid(const char *category);
const char *const *events_access_flags(void);
const char *const *events_statuses(void);
bool events_status_valid(const char *status);
/* Is flag (e.g. "wheelchair") in the comma-separated list? */
bool events_has_access(const char *list, const char *flag);

/* ---- time in the territory's zone ------------------------------------------------------------ */

enum events_time {
	EVENTS_TIME_OK,
	EVENTS_TIME_INVALID,        /* not a date or a time, or out of EVENTS_YEAR_MIN..MAX */
	EVENTS_TIME_NONEXISTENT,    /* inside the spring-forward gap (e.g. 29 March 2026, 02:30) */
};
/* The instant of a local date ("YYYY-MM-DD" or "DD/MM/YYYY") and time
 * ("HH:MM", "HHhMM", "HHh", or "" for midnight) in Europe/Paris. In the
 * autumn overlap the earlier instant (summer time) is taken. [out] *out. */
enum events_time events_local_time(const char *date, const char *time, int64_t *out);
/* The local civil date of t: year, month 1..12, day 1..31, weekday 1 (Monday)..7. */
void events_local_date(int64_t t, int *out_y, int *out_m, int *out_d, int *out_wday);
/* Local midnight starting the day (y, m, d), which may be out of range
 * (day 32, month 0...): it is normalised as mktime does. */
int64_t events_day_start(int y, int m, int d);

/* The range of a "when" word or of two local dates, at now:
 * "today", "tomorrow", "weekend" (Saturday and Sunday: the coming weekend,
 * or this one when now falls in it), "week" (now to next Monday), "month"
 * (now to the first of next month); else from_date/to_date ("" for an open
 * end; to_date included). [out] *out_from, *out_to (0 for no upper bound).
 * Errors: FORM_INVALID with fe "from" or "to" (malformed, or to before from). */
enum kq_err events_range(const char *when, const char *from_date, const char *to_date,
			 int64_t now, struct field_errors *fe, int64_t *out_from, int64_t *out_to);

/* ---- events ----------------------------------------------------------------------------------- */

/* Creates an event of org_id with its dates (and image) in one transaction.
 * Needs ORG_ACT_PUBLISH. The slug comes from the title ("-2", "-3"... when
 * taken) and never changes. [out] *out (strings in a), fe.
 * Errors: AUTH_REQUIRED, FORBIDDEN, NOT_FOUND (organisation), FORM_INVALID
 * (fe: title, summary, description, category, commune, venue_name,
 * venue_address, latitude, longitude, ticketing, capacity, accessibility,
 * access_notes, status, dates, start_date_<i>, start_time_<i>, end_date_<i>,
 * end_time_<i>, repeat, repeat_until, image), INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err events_create(struct db *db, const struct actor *who, int64_t org_id,
			  const struct event_input *in, struct arena *a, struct field_errors *fe,
			  struct event *out);
/* Updates the given fields and dates of event_id. Needs ORG_ACT_PUBLISH on
 * its organisation. Raises sequence. [out] *out is the updated event.
 * Errors: as events_create, and NOT_FOUND (no such event or date),
 * EVENTS_DATE_HAS_TICKETS (a date to remove has orders: cancel it instead). */
__attribute__((warn_unused_result))
enum kq_err events_update(struct db *db, const struct actor *who, int64_t event_id,
			  const struct event_input *in, struct arena *a, struct field_errors *fe,
			  struct event *out);
/* One event by slug with all its dates. A draft is NOT_FOUND unless who may
 * publish for its organisation. Errors: NOT_FOUND, INTERNAL. */
enum kq_err events_get(struct db *db, const struct actor *who, struct arena *a, const char *slug,
		       struct event *out);
/* May who edit ev (ORG_ACT_PUBLISH on its organisation)? KQ_OK, AUTH_REQUIRED, FORBIDDEN, INTERNAL. */
enum kq_err events_authorize(struct db *db, const struct actor *who, const struct event *ev);
/* A page of occurrences matching f; [out] the page (in a), its length and
 * the number of matches in all pages. Errors: INTERNAL. */
enum kq_err events_list(struct db *db, const struct actor *who, struct arena *a,
			const struct event_filter *f, struct event **out, int *out_n,
			int64_t *out_total);
/* The next occurrences (at most limit) of org_id's public events, for its
 * page. Errors: INTERNAL. */
enum kq_err events_upcoming_of_org(struct db *db, struct arena *a, int64_t org_id, int limit,
				   struct event **out, int *out_n);
/* The image of event slug, bytes in a (drafts: as events_get).
 * Errors: NOT_FOUND (no such event, or no image), INTERNAL. */
enum kq_err events_image_get(struct db *db, const struct actor *who, struct arena *a,
			     const char *slug, struct upload *out);

/* ---- ticketing hooks ------------------------------------------------------------------------------ */

struct event_offer {
	bool known;                  /* false: no price known (the hook is not set, or no ticket type) */
	int64_t min_cents, max_cents;
	char currency[4];            /* "EUR" */
};

/* Filled by the ticketing module and set once at start, before threads,
 * with events_set_ticket_hooks. Any member may be NULL (then the default
 * said below applies). Each may run inside or outside a read transaction. */
struct events_ticket_hooks {
	/* Tickets left for a date of a ticketed event: >= 0, or
	 * EVENTS_TICKETS_UNKNOWN. Default: the event's capacity, or unknown. */
	int64_t (*tickets_left)(struct db *db, int64_t event_id, int64_t date_id);
	/* The prices of a date's ticket types. Default: out->known = false. */
	void (*offer)(struct db *db, int64_t event_id, int64_t date_id, struct event_offer *out);
	/* Has this date orders? Such a date cannot be removed, only cancelled.
	 * Runs inside the write transaction of events_update. Default: false. */
	bool (*date_has_orders)(struct db *db, int64_t date_id);
	/* The event_dates ids the account holds valid tickets for (the private
	 * "my tickets" feed), ids in a. Default: none. */
	enum kq_err (*account_date_ids)(struct db *db, struct arena *a, int64_t account_id,
					int64_t **out_ids, int *out_n);
};
/* Copies h (NULL restores the defaults). Not thread-safe: call at start. */
void events_set_ticket_hooks(const struct events_ticket_hooks *h);
/* What the hooks say for a date (tickets_left is also in struct event_date). */
void events_offer(struct db *db, const struct event *ev, const struct event_date *d,
		  struct event_offer *out);

/* ---- the private "my tickets" feed -------------------------------------------------------------- */

/* Makes who's feed address, replacing (revoking) any previous one. [out]
 * *out_token is the secret (64 hex, in a), shown once: only its hash is
 * kept. Errors: AUTH_REQUIRED, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err events_feed_token_create(struct db *db, const struct actor *who, struct arena *a,
				     const char **out_token);
/* Revokes who's feed address (KQ_OK when there was none). Errors: AUTH_REQUIRED, INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err events_feed_token_revoke(struct db *db, const struct actor *who);
/* When who's feed address was made; [out] *out_created 0 when there is none. */
enum kq_err events_feed_token_info(struct db *db, const struct actor *who, int64_t *out_created);
/* The occurrences behind a feed token: the dates its account holds tickets
 * for (events_ticket_hooks.account_date_ids), ended at most 30 days ago,
 * by start. Errors: EVENTS_FEED_INVALID (unknown or revoked), INTERNAL. */
enum kq_err events_feed_my_tickets(struct db *db, struct arena *a, const char *token,
				   struct event **out, int *out_n);

/* ---- loaders and tests --------------------------------------------------------------------------- */

/* Loads data/demo/events.json (compiled in): events of the demo
 * organisations (by slug) over the three months after now, published.
 * Organisations missing from the database are skipped. Must run inside the
 * demo's open write transaction (it does not open one). Errors: INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err events_load_demo(struct db *db);

/* Changes whenever this process writes an event, its dates or what sells on
 * them, so pages that keep the agenda a few seconds (web/fragments.h) show
 * an organiser's change at once; another process's change shows within
 * their keeping time. */
uint64_t events_generation(void);
void events_changed(void);

#endif
