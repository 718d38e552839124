/* buf.h: a growable byte buffer on the heap; response bodies and mail text are built in one */
#ifndef KQ_BUF_H
#define KQ_BUF_H
#include <stddef.h>
#include <stdarg.h>

struct buf {
	char *p;      /* always NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_grow(struct buf *b, size_t extra);   /* checked size arithmetic; aborts on overflow */
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
__attribute__((format(printf, 2, 3)))
void buf_printf(struct buf *b, const char *fmt, ...);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);                /* keeps the memory */
/* Hands the bytes over: caller frees with free(). Leaves b empty. */
char *buf_take(struct buf *b, size_t *out_len);
void buf_free(struct buf *b);
const char *buf_str(const struct buf *b);     /* "" when empty */

#endif
