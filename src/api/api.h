/* api.h: the JSON API v1 under /api/v1: one route table, JSON errors with stable codes */
#ifndef KQ_API_H
#define KQ_API_H
#include <jansson.h>
#include "core/core.h"
#include "http/http.h"

/* Route flag: the caller must present a valid Bearer token. */
enum { A_AUTH = 1 << 0 };

/* Per-request state of the API (req->app is the struct web of routes.c;
 * the API reads db and actor from it). */
struct db *api_db(struct request *req);
const struct actor *api_actor(struct request *req);

void api_handle(struct request *req, struct response *res);
/* {"error":{"code":"...","message":"...","fields":{name: message}}} with the registry's status. */
void api_error(struct request *req, struct response *res, enum kq_err e,
	       const struct field_errors *fe);
/* Writes j as the body with status; takes ownership of j (json_decref). */
void api_json_take(struct response *res, int status, json_t *j);
/* Parses the request body as a JSON object; on failure answers the error
 * itself and returns NULL. Caller json_decref()s the result. */
json_t *api_body_object(struct request *req, struct response *res);
/* Optional string member: NULL if absent; *bad set when present but not a string. */
const char *api_str(json_t *o, const char *key, bool *bad);
/* Query integer in [min, max], or def when absent; false when malformed. */
bool api_query_int(struct request *req, const char *name, int64_t def, int64_t min, int64_t max,
		   int64_t *out);
/* A time as people of the territory read it: local time with its offset,
 * "2026-07-14T21:00:00+02:00" (dates of events, orders, scans; record
 * stamps such as created_at are UTC); api_time_or_null gives null for 0. */
const char *api_time(struct arena *a, int64_t t);
json_t *api_time_or_null(struct arena *a, int64_t t);

/* Handlers, one block per area (same names as the files in src/api/). */
void api_openapi(struct request *req, struct response *res);
void api_accounts_me(struct request *req, struct response *res);
void api_orgs_list(struct request *req, struct response *res);
void api_orgs_get(struct request *req, struct response *res);
void api_orgs_create(struct request *req, struct response *res);
void api_orgs_update(struct request *req, struct response *res);
void api_orgs_members(struct request *req, struct response *res);
void api_orgs_invite(struct request *req, struct response *res);
/* ---- events ---- events.c */
void api_events_list(struct request *req, struct response *res);
void api_events_get(struct request *req, struct response *res);
void api_events_create(struct request *req, struct response *res);
void api_events_update(struct request *req, struct response *res);
/* ---- end events ---- */
/* ---- check-in ---- */
void api_checkin_scan(struct request *req, struct response *res);
void api_checkin_counts(struct request *req, struct response *res);
/* ---- end check-in ---- */
/* ---- ticketing API ---- */
/* tickets.c: the public offer of an event */
void api_tickets_offers(struct request *req, struct response *res);
/* orders.c: checkout, the order behind its secret, the organiser's orders */
void api_orders_checkout(struct request *req, struct response *res);
void api_orders_show(struct request *req, struct response *res);
void api_orders_list(struct request *req, struct response *res);
void api_orders_get(struct request *req, struct response *res);
void api_orders_cancel(struct request *req, struct response *res);
void api_orders_mark_paid(struct request *req, struct response *res);
/* ---- end ticketing API ---- */
/* ---- search ---- search.c */
void api_search(struct request *req, struct response *res);
/* ---- end search ---- */
/* ---- posts ---- posts.c */
void api_posts_list(struct request *req, struct response *res);
void api_posts_get(struct request *req, struct response *res);
void api_posts_update(struct request *req, struct response *res);
void api_posts_delete(struct request *req, struct response *res);
void api_posts_create_org(struct request *req, struct response *res);
void api_posts_create_me(struct request *req, struct response *res);
/* ---- end posts ---- */

/* ---- comments ---- comments.c */
void api_comments_list(struct request *req, struct response *res);
void api_comments_create(struct request *req, struct response *res);
void api_comments_update(struct request *req, struct response *res);
void api_comments_delete(struct request *req, struct response *res);
void api_comments_react_subject(struct request *req, struct response *res);
void api_comments_react_comment(struct request *req, struct response *res);
/* ---- end comments ---- */
/* ---- follows ---- follows.c */
void api_follows_list(struct request *req, struct response *res);
void api_follows_create(struct request *req, struct response *res);
void api_follows_delete(struct request *req, struct response *res);
void api_follows_feed(struct request *req, struct response *res);
/* ---- end follows ---- */
/* ---- terroir ---- products.c */
void api_products_list(struct request *req, struct response *res);
void api_products_get(struct request *req, struct response *res);
void api_products_create(struct request *req, struct response *res);
void api_products_update(struct request *req, struct response *res);
void api_products_delete(struct request *req, struct response *res);
void api_labels_list(struct request *req, struct response *res);
void api_labels_get(struct request *req, struct response *res);
void api_markets_list(struct request *req, struct response *res);
/* ---- end terroir ---- */
/* ---- directory ---- orgs.c */
void api_orgs_map(struct request *req, struct response *res);
/* ---- end directory ---- */
/* ---- practical ---- practical.c */
void api_practical_list(struct request *req, struct response *res);
void api_practical_get(struct request *req, struct response *res);
/* ---- end practical ---- */
/* ---- recurring donations ---- */
/* ---- end recurring donations ---- */
/* ---- sponsorship ---- */
void api_sponsors_event(struct request *req, struct response *res);
void api_sponsors_campaign(struct request *req, struct response *res);
/* ---- end sponsorship ---- */
/* ---- moderation ---- moderation.c */
void api_moderation_report(struct request *req, struct response *res);
/* ---- end moderation ---- */

#endif
