/* config.h: the settings of one kiosque process, from flags and KIOSQUE_* environment variables */
#ifndef KQ_CONFIG_H
#define KQ_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config {
	char listen_addr[64];   /* KIOSQUE_LISTEN, --listen ADDR:PORT; default 127.0.0.1:8080 */
	uint16_t port;
	char db_url[1024];      /* KIOSQUE_DB, --db; default sqlite:kiosque.db */
	char smtp_url[512];     /* KIOSQUE_SMTP, --smtp; empty: mail goes to the log */
	char mail_from[256];    /* KIOSQUE_MAIL_FROM */
	char base_url[512];     /* KIOSQUE_BASE_URL, --base-url; default http://LISTEN */
	bool demo;              /* --demo, KIOSQUE_DEMO=1: load the demo territory if empty */
	unsigned threads;       /* KIOSQUE_THREADS; default: number of CPUs */
	size_t max_body;        /* KIOSQUE_MAX_BODY bytes; default 24 MiB */
	/* ---- ticketing and payments (core/payments.c, core/orders.c) ---- */
	char stripe_secret_key[256];     /* KIOSQUE_STRIPE_SECRET_KEY; "": no card payment */
	char stripe_webhook_secret[256]; /* KIOSQUE_STRIPE_WEBHOOK_SECRET ("whsec_...") */
	char stripe_api_base[512];       /* KIOSQUE_STRIPE_API_BASE; default https://api.stripe.com */
	unsigned order_hold_minutes;     /* KIOSQUE_ORDER_HOLD_MINUTES: seats held by a pending order; default 30 */
};

/* The origin (e.g. https://tile.openstreetmap.org, or a wildcard for {s} subdomains)
 * of the map tiles named by KIOSQUE_MAP_TILES (a Leaflet URL template, default
 * OpenStreetMap; "none": no map), for the Content-Security-Policy. "" when none. */
void config_map_tiles_origin(char *out, size_t n);

/* Defaults, then the environment. */
void config_defaults(struct config *c);
/* "ADDR:PORT" into c; false on a malformed value. */
bool config_set_listen(struct config *c, const char *v);
/* Fills base_url from the listen address when unset. */
void config_finish(struct config *c);
bool config_is_https(const struct config *c);

#endif
