/* log.c: timestamped single-line records, written with one fputs so threads do not interleave */
#include "log.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;
static const char *names[] = { "debug", "info", "warn", "error" };

void log_set_level(enum log_level l)
{
	min_level = l;
}

void log_msg(enum log_level l, const char *fmt, ...)
{
	char line[2048];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	if (l < min_level)
		return;
	gmtime_r(&now, &tm);
	n = (int)strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s ", names[l]);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	/* One write(2) per record: no stdio lock shared by the worker threads,
	 * and records never interleave (stderr is opened O_APPEND or a pipe). */
	size_t len = strlen(line);
	line[len++] = '\n';
	ssize_t w = write(2, line, len);
	(void)w;
}

void kq_bug(const char *file, int line, const char *msg)
{
	log_msg(LOG_ERROR, "BUG %s:%d: %s", file, line, msg);
#ifndef NDEBUG
	abort();
#endif
}
