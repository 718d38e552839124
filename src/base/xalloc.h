/* xalloc.h: allocators that never return NULL; out of memory aborts with a message */
#ifndef KQ_XALLOC_H
#define KQ_XALLOC_H
#include <stddef.h>
#include <stdlib.h>

__attribute__((noreturn)) void xoom(const char *what);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
