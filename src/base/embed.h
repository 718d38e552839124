/* embed.h: files compiled into the binary (see tools/embed.c and the Makefile) */
#ifndef KQ_EMBED_H
#define KQ_EMBED_H
#include <stddef.h>

struct embedded_file {
	const char *path;            /* as in the source tree, e.g. "assets/css/kiosque.css" */
	const unsigned char *data;   /* NUL-terminated, the NUL not counted in len */
	size_t len;
};

/* Terminated by an entry whose path is NULL; sorted as the Makefile lists them. */
extern const struct embedded_file embedded_files[];

const struct embedded_file *embed_find(const char *path);

#endif
