/* events.h (views): what the agenda pages render; handlers in web/events.c load the structs */
#ifndef KQ_VIEWS_EVENTS_H
#define KQ_VIEWS_EVENTS_H
#include "web/views/views.h"
#include "core/events.h"
#include "core/orgs.h"
#include "core/territory.h"

#define EVENTS_AGENDA_PAGE 30
#define EVENTS_FORM_BLANK_ROWS 3     /* empty date rows offered after the filled ones */
#define EVENTS_FORM_ROWS_MAX (EVENTS_DATES_MAX + EVENTS_FORM_BLANK_ROWS)

/* The filters as the visitor typed them (query arguments), for the forms
 * and for links that keep them. */
struct events_query {
	const char *q, *when, *from, *to, *category, *commune;
	bool free_only, tickets_left;
	const char *month;           /* calendar: "YYYY-MM" */
};

enum events_agenda_mode { AGENDA_UPCOMING, AGENDA_PAST };

struct events_agenda_view {
	const struct events_query *query;
	const struct field_errors *fe;     /* malformed from/to */
	enum events_agenda_mode mode;
	const struct event *items;         /* occurrences, one date each */
	int n;
	int64_t total;
	int page, pages;
	const struct commune *communes;
	int ncommunes;
	struct safe_html results;          /* view_events_agenda_results, maybe kept from before */
};
void view_events_agenda_results(struct buf *b, struct request *req, const struct events_agenda_view *v);
void view_events_agenda(struct buf *b, struct request *req, const struct events_agenda_view *v);

struct events_calendar_view {
	const struct events_query *query;
	int year, month;                   /* the month shown */
	const struct event *items;         /* occurrences overlapping the month */
	int n;
	const struct commune *communes;
	int ncommunes;
};
void view_events_calendar(struct buf *b, struct request *req, const struct events_calendar_view *v);

struct events_map_view {
	const struct events_query *query;
	const struct field_errors *fe;
	const struct event *items;
	int n;
	int64_t total;
	const struct commune *communes;
	int ncommunes;
	const char *tiles;                 /* tile URL template; NULL or "": no map, the list only */
	const char *attribution;           /* plain text shown on the map */
};
void view_events_map(struct buf *b, struct request *req, const struct events_map_view *v);

struct orders_form_view;                /* web/views/orders.h */

struct events_show_view {
	const struct event *ev;            /* with every date */
	bool can_edit;
	int64_t now;                       /* which dates are past */
	const struct event_offer *offers;  /* one per date, for JSON-LD */
	/* A ticketed event on sale: the ticket form of web/orders.c, or NULL. */
	const struct orders_form_view *checkout;
	/* Sections other areas render whole (HTML, already escaped), set by the page's handler in its
	 * marked block; NULL: nothing. */
	struct safe_html slot_tools;        /* follows: announce-to-followers button, for those who may */
	struct safe_html slot_sponsors; /* sponsorship: accepted sponsors, after the description */
	struct safe_html slot_comments; /* comments: the conversation, at the end */
};
void view_events_show(struct buf *b, struct request *req, const struct events_show_view *v);

/* The create form (ev == NULL, for org) or the edit form (ev). values: what
 * the form shows (the submitted values after an error). */
struct events_form_view {
	const struct org *org;
	const struct event *ev;
	const struct event_input *values;
	const struct field_errors *fe;
	const struct commune *communes;
	int ncommunes;
};
void view_events_form(struct buf *b, struct request *req, const struct events_form_view *v);

/* An organisation's events (/organisations/<slug>/evenements): upcoming
 * (with drafts for those who may publish) and past ones. */
struct events_org_view {
	const struct org *org;
	const struct event *upcoming;
	int nupcoming;
	const struct event *past;
	int npast;
	int64_t past_total;
	bool can_publish;
};
void view_events_org(struct buf *b, struct request *req, const struct events_org_view *v);

/* The block of an organisation's page: its next events (h2 "Prochains
 * événements"), or a sentence saying there is none, a link to all of them
 * and, for who may publish, a button to publish one. items as given by
 * events_upcoming_of_org. */
void view_events_upcoming_block(struct buf *b, struct request *req, const char *org_slug,
				const struct event *items, int n, bool can_publish);

/* "My tickets" calendar feed page. new_url: the address just made (shown once). */
struct events_my_feed_view {
	int64_t created;                   /* 0: no address yet */
	const char *new_url;
};
void view_events_my_feed(struct buf *b, struct request *req, const struct events_my_feed_view *v);

/* ---- text helpers shared with the feeds ---- */

/* "samedi 14 juillet 2026 de 21 h à 23 h" / "Saturday 14 July 2026, 21:00–23:00", in a. */
const char *view_events_when(struct arena *a, const char *lang, int64_t starts, int64_t ends);
/* "Salle des fêtes, 2 place de la Mairie, 26470 Vesqueval" (the parts there are), in a. */
const char *view_events_place_line(struct arena *a, const struct event *ev);
/* "/evenements/<slug>/image?v=<sha>" or NULL when the event has no image. */
const char *view_events_image_url(struct request *req, const struct event *ev);

#endif
