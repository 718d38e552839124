/* fragments.c: a small table of HTML fragments with an expiry, shared by the worker threads. */
#include "web/fragments.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 128

static struct {
	char key[FRAGMENT_KEY_MAX];
	char *html;
	size_t len;
	int64_t expires;
} slots[SLOTS];
static unsigned next_slot;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

bool fragment_get(const char *key, struct buf *b)
{
	bool hit = false;
	int64_t now = time_now();
	pthread_mutex_lock(&lock);
	for (int i = 0; i < SLOTS && !hit; i++)
		if (slots[i].html && slots[i].expires > now && strcmp(slots[i].key, key) == 0) {
			buf_append(b, slots[i].html, slots[i].len);
			hit = true;
		}
	pthread_mutex_unlock(&lock);
	return hit;
}

void fragment_put(const char *key, const char *html, size_t len, int ttl)
{
	if (strlen(key) >= FRAGMENT_KEY_MAX)
		return;   /* a key too long to keep (a long search text): not cached */
	char *copy = xmalloc(len + 1);
	memcpy(copy, html, len);
	copy[len] = 0;
	char *old;
	pthread_mutex_lock(&lock);
	int i = -1;
	for (int k = 0; k < SLOTS && i < 0; k++)
		if (slots[k].html && strcmp(slots[k].key, key) == 0)
			i = k;
	if (i < 0)
		i = (int)(next_slot++ % SLOTS);
	old = slots[i].html;
	snprintf(slots[i].key, sizeof(slots[i].key), "%s", key);
	slots[i].html = copy;
	slots[i].len = len;
	slots[i].expires = time_now() + ttl;
	pthread_mutex_unlock(&lock);
	free(old);
}
