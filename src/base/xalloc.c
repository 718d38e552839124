/* xalloc.c: allocators that abort on exhaustion, so callers never test for NULL */
#include "xalloc.h"
#include <stdio.h>
#include <string.h>

void xoom(const char *what)
{
	fprintf(stderr, "kiosque: out of memory (%s)\n", what);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		xoom("malloc");
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		xoom("calloc");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		xoom("realloc");
	return p;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		xoom("strdup");
	return d;
}
