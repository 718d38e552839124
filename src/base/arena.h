/* arena.h: per-request bump allocator; everything a request allocates dies with it */
#ifndef KQ_ARENA_H
#define KQ_ARENA_H
#include <stddef.h>
#include <stdarg.h>

struct arena;

/* Never returns NULL: running out of memory aborts (see xmalloc). */
struct arena *arena_new(void);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);          /* zeroed, 16-byte aligned */
char *arena_strdup(struct arena *a, const char *s);    /* NULL stays NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_memdup(struct arena *a, const void *p, size_t n); /* adds a NUL */
/* For an array filled row by row: p itself while n < *cap, else a copy of
 * its n elements of size bytes in twice the room (*cap doubled). */
void *arena_grow(struct arena *a, void *p, int n, int *cap, size_t size);
__attribute__((format(printf, 2, 3)))
char *arena_printf(struct arena *a, const char *fmt, ...);
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

#endif
