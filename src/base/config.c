/* config.c: defaults and environment for struct config; main.c applies the flags on top */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void env_copy(char *dst, size_t n, const char *name)
{
	const char *v = getenv(name);
	if (v && *v)
		snprintf(dst, n, "%s", v);
}

bool config_set_listen(struct config *c, const char *v)
{
	const char *colon = strrchr(v, ':');
	if (!colon || colon == v || (size_t)(colon - v) >= sizeof(c->listen_addr))
		return false;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535 || colon[1] == 0)
		return false;
	snprintf(c->listen_addr, sizeof(c->listen_addr), "%.*s", (int)(colon - v), v);
	c->port = (uint16_t)port;
	return true;
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen_addr, sizeof(c->listen_addr), "127.0.0.1");
	c->port = 8080;
	snprintf(c->db_url, sizeof(c->db_url), "sqlite:kiosque.db");
	snprintf(c->mail_from, sizeof(c->mail_from), "Kiosque <no-reply@kiosque.localhost>");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	c->threads = cpus > 0 ? (unsigned)cpus : 2;
	c->max_body = 24u << 20;   /* a post with four photos of 5 MB (core/posts.h) */

	const char *v = getenv("KIOSQUE_LISTEN");
	if (v && *v)
		config_set_listen(c, v);
	env_copy(c->db_url, sizeof(c->db_url), "KIOSQUE_DB");
	env_copy(c->smtp_url, sizeof(c->smtp_url), "KIOSQUE_SMTP");
	env_copy(c->mail_from, sizeof(c->mail_from), "KIOSQUE_MAIL_FROM");
	env_copy(c->base_url, sizeof(c->base_url), "KIOSQUE_BASE_URL");
	v = getenv("KIOSQUE_DEMO");
	c->demo = v && strcmp(v, "1") == 0;
	v = getenv("KIOSQUE_THREADS");
	if (v && atoi(v) > 0)
		c->threads = (unsigned)atoi(v);
	v = getenv("KIOSQUE_MAX_BODY");
	if (v && atol(v) > 0)
		c->max_body = (size_t)atol(v);
	/* ticketing and payments */
	snprintf(c->stripe_api_base, sizeof(c->stripe_api_base), "https://api.stripe.com");
	env_copy(c->stripe_secret_key, sizeof(c->stripe_secret_key), "KIOSQUE_STRIPE_SECRET_KEY");
	env_copy(c->stripe_webhook_secret, sizeof(c->stripe_webhook_secret),
		 "KIOSQUE_STRIPE_WEBHOOK_SECRET");
	env_copy(c->stripe_api_base, sizeof(c->stripe_api_base), "KIOSQUE_STRIPE_API_BASE");
	c->order_hold_minutes = 30;
	v = getenv("KIOSQUE_ORDER_HOLD_MINUTES");
	if (v && atoi(v) > 0 && atoi(v) <= 24 * 60)
		c->order_hold_minutes = (unsigned)atoi(v);
}

void config_finish(struct config *c)
{
	if (!c->base_url[0])
		snprintf(c->base_url, sizeof(c->base_url), "http://%s:%u", c->listen_addr,
			 (unsigned)c->port);
	size_t n = strlen(c->base_url);
	while (n && c->base_url[n - 1] == '/')
		c->base_url[--n] = 0;
}

bool config_is_https(const struct config *c)
{
	return strncmp(c->base_url, "https://", 8) == 0;
}

void config_map_tiles_origin(char *out, size_t n)
{
	const char *t = getenv("KIOSQUE_MAP_TILES");
	if (!t || !*t)
		t = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
	out[0] = 0;
	const char *host = strstr(t, "://");
	if (strcmp(t, "none") == 0 || !host || strncmp(t, "https://", 8) != 0)
		return;   /* no map, or tiles over plain http: not allowed on our pages */
	host += 3;
	size_t len = strcspn(host, "/");
	/* "{s}.tile.example.org": Leaflet's subdomains become a wildcard. */
	if (strncmp(host, "{s}.", 4) == 0)
		snprintf(out, n, "https://*.%.*s", (int)(len - 4), host + 4);
	else if (!memchr(host, '{', len))
		snprintf(out, n, "https://%.*s", (int)len, host);
}
