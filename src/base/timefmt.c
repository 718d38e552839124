/* timefmt.c: time in the territory's zone; TZ is set once, then localtime_r is thread-safe */
#include "timefmt.h"
#include <stdlib.h>
#include <time.h>

static int64_t offset;

void time_init(void)
{
	const char *o = getenv("KIOSQUE_TIME_OFFSET");
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	if (o)
		offset = strtoll(o, NULL, 10);
}

int64_t time_now(void)
{
	return (int64_t)time(NULL) + offset;
}

static const char *months_fr[] = { "janvier", "février", "mars", "avril", "mai", "juin",
	"juillet", "août", "septembre", "octobre", "novembre", "décembre" };
static const char *months_en[] = { "January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December" };

char *time_format_long(struct arena *a, int64_t t, const char *lang)
{
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	if (lang && lang[0] == 'e')
		return arena_printf(a, "%d %s %d, %02d:%02d", tm.tm_mday, months_en[tm.tm_mon],
				    tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
	return arena_printf(a, "%d %s %d à %d h %02d", tm.tm_mday, months_fr[tm.tm_mon],
			    tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

char *time_format_date(struct arena *a, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	return arena_printf(a, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

char *time_format_iso(struct arena *a, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
