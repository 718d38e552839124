/* arena.c: per-request bump allocator.
 *
 * Memory comes in chunks of at least 8 KiB; an allocation larger than a
 * chunk gets a chunk of its own. Nothing is freed before arena_free(), which
 * lets handlers, views and core code allocate freely with no per-object free
 * (ARCHITECTURE.md, "the arena dies in MHD's completion callback"). */
#include "arena.h"
#include "xalloc.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CHUNK_MIN 8192

struct chunk {
	struct chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct chunk *head;
};

struct arena *arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	struct chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c = a->head;
	size_t need = (n + 15) & ~(size_t)15;

	if (need < n)
		xoom("arena");
	if (!c || c->cap - c->used < need) {
		size_t cap = need > CHUNK_MIN ? need : CHUNK_MIN;
		if (cap > SIZE_MAX - sizeof(struct chunk))
			xoom("arena");
		c = xmalloc(sizeof(struct chunk) + cap);
		c->used = 0;
		c->cap = cap;
		/* A big private chunk goes behind the head so the head keeps its free room. */
		if (a->head && need > CHUNK_MIN) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	void *p = c->data + c->used;
	c->used += need;
	memset(p, 0, n);
	return p;
}

char *arena_memdup(struct arena *a, const void *p, size_t n)
{
	char *s = arena_alloc(a, n + 1);
	if (n)
		memcpy(s, p, n);
	s[n] = 0;
	return s;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	size_t len = 0;
	while (len < n && s[len])
		len++;
	return arena_memdup(a, s, len);
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_memdup(a, s, strlen(s)) : NULL;
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	char *s = arena_alloc(a, (size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return s;
}

void *arena_grow(struct arena *a, void *p, int n, int *cap, size_t size)
{
	if (n < *cap)
		return p;
	void *bigger = arena_alloc(a, size * (size_t)*cap * 2);
	if (n)
		memcpy(bigger, p, size * (size_t)n);
	*cap *= 2;
	return bigger;
}
