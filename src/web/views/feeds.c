/* feeds.c (views): writes the agenda as iCalendar and Atom, and the news (posts) as Atom, for calendar clients and feed readers.
 *
 * iCalendar is text with its own rules (RFC 5545): CRLF line ends, content
 * lines folded at 75 octets (a fold is CRLF then one space, and never splits
 * a UTF-8 sequence, 3.1), TEXT values escaped (3.3.11), and local times
 * bound to a VTIMEZONE given in the same object (3.6.5). Europe/Paris is
 * described by its two yearly rules since 1996 (last Sunday of March at 2 h
 * to summer time, last Sunday of October at 3 h back), which is what every
 * client needs for dates from 1996 on.
 *
 * Atom is XML: every text is escaped for XML, and the HTML of a description
 * travels escaped in <content type="html"> (RFC 4287 3.1.1.2). */
#include "web/views/feeds.h"
#include "web/views/events.h"
#include "web/views/posts.h"
#include "base/i18n.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>
#include <time.h>

#define ICAL_TZID "Europe/Paris"
#define ICAL_LINE_OCTETS 75

/* ---- iCalendar ---- */

/* Octets of the UTF-8 sequence starting with byte c (1 for a stray continuation byte). */
static size_t utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		return 2;
	if ((c & 0xf0) == 0xe0)
		return 3;
	if ((c & 0xf8) == 0xf0)
		return 4;
	return 1;
}

void feeds_ical_line(struct buf *b, const char *name, const char *value)
{
	size_t used = 0;   /* octets on the current physical line */
	const char *parts[2] = { name, value };
	for (int k = 0; k < 2; k++) {
		const unsigned char *p = (const unsigned char *)parts[k];
		if (k == 1) {
			buf_putc(b, ':');
			used++;
		}
		while (*p) {
			size_t n = utf8_seq_len(*p);
			for (size_t i = 1; i < n; i++)
				if (!p[i]) {   /* truncated sequence: write what there is */
					n = i;
					break;
				}
			if (used + n > ICAL_LINE_OCTETS) {
				buf_append(b, "\r\n ", 3);
				used = 1;
			}
			buf_append(b, p, n);
			used += n;
			p += n;
		}
	}
	buf_append(b, "\r\n", 2);
}

char *feeds_ical_text(struct arena *a, const char *s)
{
	struct buf t = BUF_INIT;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '\\': buf_puts(&t, "\\\\"); break;
		case ';': buf_puts(&t, "\\;"); break;
		case ',': buf_puts(&t, "\\,"); break;
		case '\n': buf_puts(&t, "\\n"); break;
		case '\r': break;    /* CRLF counts as one newline */
		case '\t': buf_putc(&t, ' '); break;
		default:
			if (*p >= 0x20 && *p != 0x7f)
				buf_putc(&t, (char)*p);
		}
	}
	char *out = arena_strdup(a, buf_str(&t));
	buf_free(&t);
	return out;
}

char *feeds_ical_time(struct arena *a, int64_t t, bool utc)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (utc)
		gmtime_r(&tt, &tm);
	else
		localtime_r(&tt, &tm);
	return arena_printf(a, "%04d%02d%02dT%02d%02d%02d%s", tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, utc ? "Z" : "");
}

/* "host" of "https://host:port/..." for UIDs: a domain, without the port. */
static const char *host_of(struct arena *a, const char *base_url)
{
	const char *p = strstr(base_url, "://");
	p = p ? p + 3 : base_url;
	size_t n = strcspn(p, ":/");
	return n ? arena_strndup(a, p, n) : "kiosque.invalid";
}

/* Micro-degrees as a decimal ("44.731200", "-1.550000"). */
static char *degrees(struct arena *a, int64_t e6)
{
	int64_t v = e6 < 0 ? -e6 : e6;
	return arena_printf(a, "%s%lld.%06lld", e6 < 0 ? "-" : "", (long long)(v / 1000000),
			    (long long)(v % 1000000));
}

static const char *label(const char *lang, const char *prefix, const char *id, struct arena *a)
{
	const char *key = arena_printf(a, "%s%s", prefix, id);
	return i18n_has(key) ? i18n_get(lang, key) : id;
}

static void vtimezone(struct buf *b)
{
	static const char *const lines[][2] = {
		{ "BEGIN", "VTIMEZONE" },
		{ "TZID", ICAL_TZID },
		{ "X-LIC-LOCATION", ICAL_TZID },
		{ "BEGIN", "DAYLIGHT" },
		{ "TZOFFSETFROM", "+0100" },
		{ "TZOFFSETTO", "+0200" },
		{ "TZNAME", "CEST" },
		{ "DTSTART", "19700329T020000" },
		{ "RRULE", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" },
		{ "END", "DAYLIGHT" },
		{ "BEGIN", "STANDARD" },
		{ "TZOFFSETFROM", "+0200" },
		{ "TZOFFSETTO", "+0100" },
		{ "TZNAME", "CET" },
		{ "DTSTART", "19701025T030000" },
		{ "RRULE", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU" },
		{ "END", "STANDARD" },
		{ "END", "VTIMEZONE" },
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		feeds_ical_line(b, lines[i][0], lines[i][1]);
}

/* A parameter value (CN="..."): no double quote, control or newline may appear in it. */
static char *param_value(struct arena *a, const char *s)
{
	char *out = arena_strdup(a, s), *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x20 && *p != 0x7f && *p != '"')
			*o++ = (char)*p;
	*o = 0;
	return out;
}

static void vevent(struct buf *b, struct arena *a, const struct feed_info *fi,
		   const struct event *ev, const struct event_date *d, const char *host)
{
	const char *url = arena_printf(a, "%s/evenements/%s", fi->base_url, ev->slug);
	bool cancelled = d->cancelled || strcmp(ev->status, "cancelled") == 0;
	feeds_ical_line(b, "BEGIN", "VEVENT");
	feeds_ical_line(b, "UID", arena_printf(a, "event-%lld-%lld@%s", (long long)ev->id,
					       (long long)d->id, host));
	/* Without METHOD, DTSTAMP is the last change (RFC 5545 3.8.7.2): stable between fetches. */
	feeds_ical_line(b, "DTSTAMP", feeds_ical_time(a, ev->updated_at, true));
	feeds_ical_line(b, "CREATED", feeds_ical_time(a, ev->created_at, true));
	feeds_ical_line(b, "LAST-MODIFIED", feeds_ical_time(a, ev->updated_at, true));
	feeds_ical_line(b, "SEQUENCE", arena_printf(a, "%lld", (long long)ev->sequence));
	feeds_ical_line(b, "DTSTART;TZID=" ICAL_TZID, feeds_ical_time(a, d->starts_at, false));
	/* A date without a known end has no DTEND: it then takes no time (3.6.1). */
	if (d->ends_at > d->starts_at)
		feeds_ical_line(b, "DTEND;TZID=" ICAL_TZID, feeds_ical_time(a, d->ends_at, false));
	const char *title = ev->title;
	if (cancelled)
		title = arena_printf(a, "%s %s", i18n_get(fi->lang, "events.feed.cancelled_prefix"),
				     title);
	else if (strcmp(ev->status, "postponed") == 0)
		title = arena_printf(a, "%s %s", i18n_get(fi->lang, "events.feed.postponed_prefix"),
				     title);
	feeds_ical_line(b, "SUMMARY", feeds_ical_text(a, title));
	struct buf desc = BUF_INIT;
	if (*ev->summary)
		buf_printf(&desc, "%s\n\n", ev->summary);
	if (*ev->description)
		buf_printf(&desc, "%s\n\n", ev->description);
	buf_printf(&desc, "%s %s\n%s", i18n_get(fi->lang, "events.show.organiser"), ev->org_name,
		   url);
	feeds_ical_line(b, "DESCRIPTION", feeds_ical_text(a, buf_str(&desc)));
	buf_free(&desc);
	const char *place = view_events_place_line(a, ev);
	if (*place)
		feeds_ical_line(b, "LOCATION", feeds_ical_text(a, place));
	if (ev->has_geo)
		feeds_ical_line(b, "GEO", arena_printf(a, "%s;%s", degrees(a, ev->lat_e6),
						       degrees(a, ev->lon_e6)));
	feeds_ical_line(b, "CATEGORIES",
			feeds_ical_text(a, label(fi->lang, "events.category.", ev->category, a)));
	feeds_ical_line(b, "STATUS", cancelled ? "CANCELLED"
				     : strcmp(ev->status, "postponed") == 0 ? "TENTATIVE"
									    : "CONFIRMED");
	feeds_ical_line(b, "CLASS", "PUBLIC");
	feeds_ical_line(b, "URL", url);
	if (*ev->org_email && str_email_valid(ev->org_email))
		feeds_ical_line(b, arena_printf(a, "ORGANIZER;CN=\"%s\"", param_value(a, ev->org_name)),
				arena_printf(a, "mailto:%s", ev->org_email));
	feeds_ical_line(b, "END", "VEVENT");
}

void feeds_ical(struct buf *b, struct arena *a, const struct feed_info *fi,
		const struct event *items, int n)
{
	const char *host = host_of(a, fi->base_url);
	feeds_ical_line(b, "BEGIN", "VCALENDAR");
	feeds_ical_line(b, "VERSION", "2.0");
	feeds_ical_line(b, "PRODID", "-//Kiosque//Agenda du territoire//FR");
	feeds_ical_line(b, "CALSCALE", "GREGORIAN");
	feeds_ical_line(b, "NAME", feeds_ical_text(a, fi->title));
	feeds_ical_line(b, "X-WR-CALNAME", feeds_ical_text(a, fi->title));
	feeds_ical_line(b, "X-WR-TIMEZONE", ICAL_TZID);
	feeds_ical_line(b, "URL", fi->page_url);
	feeds_ical_line(b, "REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
	feeds_ical_line(b, "X-PUBLISHED-TTL", "PT1H");
	vtimezone(b);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < items[i].ndates; k++)
			vevent(b, a, fi, &items[i], &items[i].dates[k], host);
	feeds_ical_line(b, "END", "VCALENDAR");
}

/* ---- Atom ---- */

/* XML 1.0 text: & < > " ' escaped; characters XML cannot carry are dropped. */
static void xml_text(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default:
			if (*p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r')
				buf_putc(b, (char)*p);
		}
	}
}

static void xml_elem(struct buf *b, const char *name, const char *text)
{
	buf_printf(b, "<%s>", name);
	xml_text(b, text);
	buf_printf(b, "</%s>\n", name);
}

/* <link rel=".." type=".." href=".."/> */
static void xml_link(struct buf *b, const char *rel, const char *type, const char *href)
{
	buf_puts(b, "<link rel=\"");
	xml_text(b, rel);
	buf_puts(b, "\" type=\"");
	xml_text(b, type);
	buf_puts(b, "\" href=\"");
	xml_text(b, href);
	buf_puts(b, "\"/>\n");
}

void feeds_atom(struct buf *b, struct arena *a, const struct feed_info *fi,
		const struct event *items, int n)
{
	/* The feed changed when its newest entry did; an empty feed uses the epoch. */
	int64_t updated = 0;
	for (int i = 0; i < n; i++)
		if (items[i].updated_at > updated)
			updated = items[i].updated_at;
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
	xml_text(b, fi->lang);
	buf_puts(b, "\">\n");
	xml_elem(b, "id", fi->self_url);
	xml_elem(b, "title", fi->title);
	xml_elem(b, "updated", time_format_iso(a, updated));
	xml_link(b, "self", "application/atom+xml", fi->self_url);
	xml_link(b, "alternate", "text/html", fi->page_url);
	buf_puts(b, "<author>");
	xml_elem(b, "name", fi->author);
	buf_puts(b, "</author>\n<generator>Kiosque</generator>\n");
	for (int i = 0; i < n; i++) {
		const struct event *ev = &items[i];
		bool seen = false;
		for (int k = 0; k < i && !seen; k++)
			seen = items[k].id == ev->id;
		if (seen)
			continue;
		const char *url = arena_printf(a, "%s/evenements/%s", fi->base_url, ev->slug);
		const struct event_date *d = ev->ndates ? &ev->dates[0] : NULL;
		const char *when = d ? view_events_when(a, fi->lang, d->starts_at, d->ends_at) : "";
		const char *place = view_events_place_line(a, ev);
		buf_puts(b, "<entry>\n");
		xml_elem(b, "id", url);
		xml_elem(b, "title", ev->title);
		xml_elem(b, "updated", time_format_iso(a, ev->updated_at));
		xml_elem(b, "published", time_format_iso(a, ev->created_at));
		xml_link(b, "alternate", "text/html", url);
		buf_puts(b, "<author>");
		xml_elem(b, "name", ev->org_name);
		xml_elem(b, "uri", arena_printf(a, "%s/organisations/%s", fi->base_url, ev->org_slug));
		buf_puts(b, "</author>\n<category term=\"");
		xml_text(b, ev->category);
		buf_puts(b, "\" label=\"");
		xml_text(b, label(fi->lang, "events.category.", ev->category, a));
		buf_puts(b, "\"/>\n");
		const char *status = "";
		if (strcmp(ev->status, "cancelled") == 0 || (d && d->cancelled))
			status = i18n_get(fi->lang, "events.feed.cancelled_prefix");
		else if (strcmp(ev->status, "postponed") == 0)
			status = i18n_get(fi->lang, "events.feed.postponed_prefix");
		const char *summary = arena_printf(a, "%s%s%s%s%s%s%s", status, *status ? " " : "",
						   when, *place ? " · " : "", place,
						   *ev->summary ? " · " : "", ev->summary);
		xml_elem(b, "summary", summary);
		/* The description's HTML (cmark, safe mode) travels escaped, as type="html" says. */
		struct buf html = BUF_INIT;
		buf_puts(&html, "<p>");
		html_text(&html, summary);
		buf_puts(&html, "</p>");
		if (*ev->description_html)
			buf_puts(&html, ev->description_html);
		buf_puts(b, "<content type=\"html\">");
		xml_text(b, buf_str(&html));
		buf_puts(b, "</content>\n</entry>\n");
		buf_free(&html);
	}
	buf_puts(b, "</feed>\n");
}

/* ---- Atom: posts ---- */

void feeds_atom_posts(struct buf *b, struct arena *a, const struct feed_info *fi,
		      const struct post *items, int n)
{
	int64_t updated = 0;
	for (int i = 0; i < n; i++)
		if (items[i].updated_at > updated)
			updated = items[i].updated_at;
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
	xml_text(b, fi->lang);
	buf_puts(b, "\">\n");
	xml_elem(b, "id", fi->self_url);
	xml_elem(b, "title", fi->title);
	xml_elem(b, "updated", time_format_iso(a, updated));
	xml_link(b, "self", "application/atom+xml", fi->self_url);
	xml_link(b, "alternate", "text/html", fi->page_url);
	buf_puts(b, "<author>");
	xml_elem(b, "name", fi->author);
	buf_puts(b, "</author>\n<generator>Kiosque</generator>\n");
	for (int i = 0; i < n; i++) {
		const struct post *p = &items[i];
		const char *url = arena_printf(a, "%s/actualites/%s", fi->base_url, p->slug);
		buf_puts(b, "<entry>\n");
		xml_elem(b, "id", url);
		xml_elem(b, "title", p->title);
		xml_elem(b, "updated", time_format_iso(a, p->updated_at));
		xml_elem(b, "published", time_format_iso(a, p->published_at ? p->published_at
									  : p->created_at));
		xml_link(b, "alternate", "text/html", url);
		buf_puts(b, "<author>");
		if (p->org_id) {
			xml_elem(b, "name", p->org_name);
			xml_elem(b, "uri", arena_printf(a, "%s/organisations/%s", fi->base_url,
							p->org_slug));
		} else {
			xml_elem(b, "name", *p->author_name ? p->author_name : fi->author);
			if (p->author_public)
				xml_elem(b, "uri", arena_printf(a, "%s/personnes/%lld", fi->base_url,
								(long long)p->author_id));
		}
		buf_puts(b, "</author>\n");
		/* The body's HTML (cmark, safe mode) and the first image travel escaped, as type="html" says. */
		struct buf html = BUF_INIT;
		if (p->cover.id) {
			buf_puts(&html, "<p><img");
			html_attr(&html, "src", arena_printf(a, "%s/actualites/%s/images/1?v=%.16s",
							     fi->base_url, p->slug, p->cover.sha256));
			html_attr(&html, "alt", p->cover.alt);
			buf_puts(&html, "></p>");
		}
		buf_puts(&html, html_stored_markdown(a, p->body_html, p->body).p);
		buf_puts(b, "<content type=\"html\">");
		xml_text(b, buf_str(&html));
		buf_puts(b, "</content>\n</entry>\n");
		buf_free(&html);
	}
	buf_puts(b, "</feed>\n");
}
