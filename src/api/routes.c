/* routes.c (api): the one table of JSON API routes and its dispatcher (Bearer tokens, JSON errors) */
#include "api/api.h"
#include "web/web.h"
#include "base/str.h"
#include "core/apitokens.h"
#include <string.h>

static const struct route routes[] = {
	{ "GET",   "/api/v1/openapi.json",              api_openapi, 0 },
	{ "GET",   "/api/v1/me",                        api_accounts_me, A_AUTH },
	{ "GET",   "/api/v1/orgs",                      api_orgs_list, 0 },
	{ "POST",  "/api/v1/orgs",                      api_orgs_create, A_AUTH },
	{ "GET",   "/api/v1/orgs/{slug}",               api_orgs_get, 0 },
	{ "PATCH", "/api/v1/orgs/{slug}",               api_orgs_update, A_AUTH },
	{ "GET",   "/api/v1/orgs/{slug}/members",       api_orgs_members, A_AUTH },
	{ "POST",  "/api/v1/orgs/{slug}/invitations",   api_orgs_invite, A_AUTH },
	/* ---- events ---- */
	{ "GET",   "/api/v1/events",                    api_events_list, 0 },
	{ "GET",   "/api/v1/events/{slug}",             api_events_get, 0 },
	{ "PATCH", "/api/v1/events/{slug}",             api_events_update, A_AUTH },
	{ "POST",  "/api/v1/orgs/{slug}/events",        api_events_create, A_AUTH },
	/* ---- end events ---- */
	/* ---- check-in ---- */
	{ "POST",  "/api/v1/events/{slug}/checkins",        api_checkin_scan, A_AUTH },
	{ "GET",   "/api/v1/events/{slug}/checkins/counts", api_checkin_counts, A_AUTH },
	/* ---- end check-in ---- */
	/* ---- ticketing API ---- */
	{ "GET",   "/api/v1/events/{slug}/ticket-types", api_tickets_offers, 0 },
	{ "POST",  "/api/v1/events/{slug}/orders",       api_orders_checkout, 0 },
	{ "GET",   "/api/v1/events/{slug}/orders",       api_orders_list, A_AUTH },
	{ "GET",   "/api/v1/events/{slug}/orders/{id}",  api_orders_get, A_AUTH },
	{ "POST",  "/api/v1/events/{slug}/orders/{id}/cancel", api_orders_cancel, A_AUTH },
	{ "POST",  "/api/v1/events/{slug}/orders/{id}/mark-paid", api_orders_mark_paid, A_AUTH },
	{ "GET",   "/api/v1/orders/{secret}",            api_orders_show, 0 },
	/* ---- end ticketing API ---- */
	/* ---- search ---- */
	{ "GET",   "/api/v1/search",                    api_search, 0 },
	/* ---- end search ---- */
	/* ---- posts ---- */
	{ "GET",   "/api/v1/posts",                     api_posts_list, 0 },
	{ "GET",   "/api/v1/posts/{slug}",              api_posts_get, 0 },
	{ "PATCH", "/api/v1/posts/{slug}",              api_posts_update, A_AUTH },
	{ "DELETE", "/api/v1/posts/{slug}",             api_posts_delete, A_AUTH },
	{ "POST",  "/api/v1/orgs/{slug}/posts",         api_posts_create_org, A_AUTH },
	{ "POST",  "/api/v1/me/posts",                  api_posts_create_me, A_AUTH },
	/* ---- end posts ---- */
	/* ---- comments ---- */
	{ "GET",    "/api/v1/posts/{slug}/comments",      api_comments_list, 0 },
	{ "POST",   "/api/v1/posts/{slug}/comments",      api_comments_create, A_AUTH },
	{ "GET",    "/api/v1/events/{slug}/comments",     api_comments_list, 0 },
	{ "POST",   "/api/v1/events/{slug}/comments",     api_comments_create, A_AUTH },
	{ "GET",    "/api/v1/campaigns/{slug}/comments",  api_comments_list, 0 },
	{ "POST",   "/api/v1/campaigns/{slug}/comments",  api_comments_create, A_AUTH },
	{ "PATCH",  "/api/v1/comments/{id}",              api_comments_update, A_AUTH },
	{ "DELETE", "/api/v1/comments/{id}",              api_comments_delete, A_AUTH },
	{ "POST",   "/api/v1/posts/{slug}/reactions",     api_comments_react_subject, A_AUTH },
	{ "DELETE", "/api/v1/posts/{slug}/reactions",     api_comments_react_subject, A_AUTH },
	{ "POST",   "/api/v1/events/{slug}/reactions",    api_comments_react_subject, A_AUTH },
	{ "DELETE", "/api/v1/events/{slug}/reactions",    api_comments_react_subject, A_AUTH },
	{ "POST",   "/api/v1/campaigns/{slug}/reactions", api_comments_react_subject, A_AUTH },
	{ "DELETE", "/api/v1/campaigns/{slug}/reactions", api_comments_react_subject, A_AUTH },
	{ "POST",   "/api/v1/comments/{id}/reactions",    api_comments_react_comment, A_AUTH },
	{ "DELETE", "/api/v1/comments/{id}/reactions",    api_comments_react_comment, A_AUTH },
	/* ---- end comments ---- */
	/* ---- follows ---- */
	{ "GET",   "/api/v1/me/follows",                api_follows_list, A_AUTH },
	{ "POST",  "/api/v1/me/follows",                api_follows_create, A_AUTH },
	{ "DELETE", "/api/v1/me/follows/{kind}/{id}",   api_follows_delete, A_AUTH },
	{ "GET",   "/api/v1/me/feed",                   api_follows_feed, A_AUTH },
	/* ---- end follows ---- */
	/* ---- terroir ---- */
	{ "GET",    "/api/v1/products",                 api_products_list, 0 },
	{ "GET",    "/api/v1/products/{slug}",          api_products_get, 0 },
	{ "PATCH",  "/api/v1/products/{slug}",          api_products_update, A_AUTH },
	{ "DELETE", "/api/v1/products/{slug}",          api_products_delete, A_AUTH },
	{ "POST",   "/api/v1/orgs/{slug}/products",     api_products_create, A_AUTH },
	{ "GET",    "/api/v1/labels",                   api_labels_list, 0 },
	{ "GET",    "/api/v1/labels/{slug}",            api_labels_get, 0 },
	{ "GET",    "/api/v1/markets",                  api_markets_list, 0 },
	/* ---- end terroir ---- */
	/* ---- directory ---- */
	{ "GET",   "/api/v1/directory/map",             api_orgs_map, 0 },
	/* ---- end directory ---- */
	/* ---- practical ---- */
	{ "GET",   "/api/v1/practical-pages",           api_practical_list, 0 },
	{ "GET",   "/api/v1/practical-pages/{slug}",    api_practical_get, 0 },
	/* ---- end practical ---- */
	/* ---- recurring donations ---- */
	/* ---- end recurring donations ---- */
	/* ---- sponsorship ---- */
	{ "GET",   "/api/v1/events/{slug}/sponsors",     api_sponsors_event, 0 },
	{ "GET",   "/api/v1/campaigns/{slug}/sponsors",  api_sponsors_campaign, 0 },
	/* ---- end sponsorship ---- */
	/* ---- moderation ---- */
	{ "POST",  "/api/v1/reports",                   api_moderation_report, A_AUTH },
	/* ---- end moderation ---- */
};

struct db *api_db(struct request *req)
{
	return web_of(req)->db;
}

const struct actor *api_actor(struct request *req)
{
	return &web_of(req)->actor;
}

void api_handle(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	const struct route *r;

	http_set_header(res, req->arena, "Cache-Control", "no-store");
	if (!w->db) {
		api_error(req, res, KQ_ERR_INTERNAL, NULL);
		return;
	}
	switch (router_match(routes, sizeof(routes) / sizeof(routes[0]), req, &r)) {
	case ROUTE_NO_PATH:
		api_error(req, res, KQ_ERR_NOT_FOUND, NULL);
		return;
	case ROUTE_WRONG_METHOD:
		api_error(req, res, KQ_ERR_METHOD_NOT_ALLOWED, NULL);
		return;
	case ROUTE_FOUND:
		break;
	}
	/* The API takes no cookies: a token in the Authorization header is what
	 * a cross-site page cannot send, so no CSRF token is needed here. */
	const char *auth = http_header(req, "Authorization");
	if (auth) {
		if (!str_starts(auth, "Bearer ")) {
			api_error(req, res, KQ_ERR_AUTH_TOKEN_INVALID, NULL);
			return;
		}
		enum kq_err e = apitokens_authenticate(w->db, req->arena, auth + 7, &w->actor);
		if (e != KQ_OK) {
			api_error(req, res, e, NULL);
			return;
		}
	}
	if ((r->flags & A_AUTH) && !w->actor.account_id) {
		api_error(req, res, KQ_ERR_AUTH_REQUIRED, NULL);
		return;
	}
	if ((strcmp(req->method, "POST") == 0 || strcmp(req->method, "PATCH") == 0) &&
	    strcmp(req->content_type, "application/json") != 0) {
		api_error(req, res, KQ_ERR_UNSUPPORTED_MEDIA_TYPE, NULL);
		return;
	}
	r->handler(req, res);
}
