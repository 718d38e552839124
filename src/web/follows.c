/* follows.c: follow and unfollow, "Mes abonnements", an organisation's supporters, announce and pin, the one-click unsubscribe page, and the sections other pages show.
 *
 * Handlers read the request, call core/follows.c (which decides who may do
 * what) and redirect with a flash message after a change. The unsubscribe
 * route is the exception to the CSRF rule: a mail client's one-click POST
 * (RFC 8058) carries no session and no token; the 256-bit token in the URL
 * is the proof, and it can only turn mail off. */
#include "web/pages.h"
#include "web/views/follows.h"
#include "base/str.h"
#include "core/events.h"
#include "core/orgs.h"
#include "core/posts.h"
#include <string.h>

static bool form_flag(struct request *req, const char *name)
{
	const char *v = http_form(req, name);
	return v && strcmp(v, "1") == 0;
}

/* ---- sections of other pages ---------------------------------------------------------------------- */

struct safe_html web_follows_org_section(struct request *req, const struct org *o)
{
	struct web *w = web_of(req);
	struct buf b = BUF_INIT;
	struct follow_state st;
	if (follows_state(w->db, &w->actor, FOLLOW_ORG, o->id, &st) != KQ_OK)
		return html_section_take(req->arena, &b);
	const char *supporters = NULL;
	if (w->actor.account_id && orgs_authorize(w->db, &w->actor, o->id, ORG_ACT_PUBLISH) == KQ_OK)
		supporters = arena_printf(req->arena, "/organisations/%s/abonnes",
					  url_arg(req->arena, o->slug));
	view_follows_box(&b, req,
			 arena_printf(req->arena, "/organisations/%s/suivre", url_arg(req->arena, o->slug)),
			 &st, supporters);
	return html_section_take(req->arena, &b);
}

struct safe_html web_follows_person_section(struct request *req, int64_t account_id)
{
	struct web *w = web_of(req);
	struct buf b = BUF_INIT;
	struct follow_state st;
	if (account_id == w->actor.account_id ||
	    follows_state(w->db, &w->actor, FOLLOW_ACCOUNT, account_id, &st) != KQ_OK)
		return html_section_take(req->arena, &b);
	view_follows_box(&b, req, arena_printf(req->arena, "/personnes/%lld/suivre", (long long)account_id),
			 &st, NULL);
	return html_section_take(req->arena, &b);
}

struct safe_html web_follows_post_tools(struct request *req, const struct post *p)
{
	struct web *w = web_of(req);
	struct buf b = BUF_INIT;
	if (!w->actor.account_id || !p->org_id || strcmp(p->status, "published") != 0)
		return html_section_take(req->arena, &b);
	struct follows_tools_view v = { 0 };
	if (orgs_authorize(w->db, &w->actor, p->org_id, ORG_ACT_PUBLISH) == KQ_OK) {
		struct follow_state st;
		if (follows_announced_at(w->db, "post", p->id, &v.announced_at) == KQ_OK &&
		    follows_state(w->db, NULL, FOLLOW_ORG, p->org_id, &st) == KQ_OK) {
			v.opted_in = st.opted_in;
			v.announce_action = arena_printf(req->arena, "/actualites/%s/annoncer",
							 url_arg(req->arena, p->slug));
		}
	}
	int64_t pinned = 0;
	if (follows_may_pin(w->db, &w->actor, p->org_id) == KQ_OK &&
	    follows_pinned_at(w->db, p->id, &pinned) == KQ_OK) {
		v.pin_action = arena_printf(req->arena, "/actualites/%s/epingler", url_arg(req->arena, p->slug));
		v.pinned = pinned != 0;
	}
	view_follows_tools(&b, req, &v);
	return html_section_take(req->arena, &b);
}

struct safe_html web_follows_event_tools(struct request *req, const struct event *ev)
{
	struct web *w = web_of(req);
	struct buf b = BUF_INIT;
	if (!w->actor.account_id || strcmp(ev->status, "draft") == 0 ||
	    events_authorize(w->db, &w->actor, ev) != KQ_OK)
		return html_section_take(req->arena, &b);
	struct follows_tools_view v = { 0 };
	struct follow_state st;
	if (follows_announced_at(w->db, "event", ev->id, &v.announced_at) == KQ_OK &&
	    follows_state(w->db, NULL, FOLLOW_ORG, ev->org_id, &st) == KQ_OK) {
		v.opted_in = st.opted_in;
		v.announce_action = arena_printf(req->arena, "/evenements/%s/annoncer",
						 url_arg(req->arena, ev->slug));
	}
	view_follows_tools(&b, req, &v);
	return html_section_take(req->arena, &b);
}

/* ---- follow, unfollow ------------------------------------------------------------------------------ */

static void follow_post(struct request *req, struct response *res, const char *kind, int64_t id,
			const char *back)
{
	struct web *w = web_of(req);
	const char *action = http_form(req, "action");
	bool unfollow = str_eq(action, "unfollow");
	if (!unfollow && !str_eq(action, "follow")) {
		web_error(req, res, KQ_ERR_BAD_REQUEST);
		return;
	}
	struct follow_state before;
	if (follows_state(w->db, &w->actor, kind, id, &before) != KQ_OK) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	enum kq_err e = unfollow ? follows_unfollow(w->db, &w->actor, kind, id)
				 : follows_follow(w->db, &w->actor, kind, id, form_flag(req, "mail"));
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	const char *key = unfollow ? "flash.follows.unfollowed"
			: before.following ? "flash.follows.saved" : "flash.follows.followed";
	web_redirect_flash(req, res, web_safe_next(http_form(req, "suite"), back), "success", key);
}

void web_follows_org(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct org o;
	enum kq_err e = orgs_get(w->db, req->arena, http_param(req, "slug"), &o);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	follow_post(req, res, FOLLOW_ORG, o.id,
		    arena_printf(req->arena, "/organisations/%s", url_arg(req->arena, o.slug)));
}

void web_follows_person(struct request *req, struct response *res)
{
	int64_t id = 0;
	if (!str_to_i64(http_param(req, "id"), &id) || id <= 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	}
	follow_post(req, res, FOLLOW_ACCOUNT, id,
		    arena_printf(req->arena, "/personnes/%lld", (long long)id));
}

/* ---- Mes abonnements ------------------------------------------------------------------------------- */

void web_follows_mine(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct follow *items;
	int n;
	enum kq_err e = follows_mine(w->db, &w->actor, req->arena, &items, &n);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_layout_start(&res->body, req, web_t(req, "follows.mine.title"));
	view_follows_mine(&res->body, req, items, n);
	view_layout_end(&res->body, req);
}

void web_follows_mine_update(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	const char *kind = http_form(req, "kind");
	const char *action = http_form(req, "action");
	int64_t id = 0;
	if (!follows_kind_valid(kind) || !str_to_i64(http_form(req, "id"), &id) || id <= 0 ||
	    !(str_eq(action, "mail") || str_eq(action, "unfollow"))) {
		web_error(req, res, KQ_ERR_BAD_REQUEST);
		return;
	}
	enum kq_err e = str_eq(action, "unfollow")
		? follows_unfollow(w->db, &w->actor, kind, id)
		: follows_set_mail(w->db, &w->actor, kind, id, form_flag(req, "mail"));
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, "/compte/abonnements", "success",
			   str_eq(action, "unfollow") ? "flash.follows.unfollowed" : "flash.follows.saved");
}

/* ---- the supporters page --------------------------------------------------------------------------- */

void web_follows_supporters(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct org o;
	enum kq_err e = orgs_get(w->db, req->arena, http_param(req, "slug"), &o);
	struct follows_supporters_view v = { 0 };
	struct follow_announcement *items = NULL;
	if (e == KQ_OK)
		e = follows_supporters(w->db, &w->actor, o.id, req->arena, &v.st, &items, &v.n);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	v.org_name = o.name;
	v.org_slug = o.slug;
	v.items = items;
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_layout_start(&res->body, req, web_t(req, "follows.supporters.title"));
	view_follows_supporters(&res->body, req, &v);
	view_layout_end(&res->body, req);
}

/* ---- announce, pin ------------------------------------------------------------------------------------ */

static bool load_post(struct request *req, struct response *res, struct post *out)
{
	struct web *w = web_of(req);
	enum kq_err e = posts_get(w->db, &w->actor, req->arena, http_param(req, "slug"), out);
	if (e != KQ_OK)
		web_error(req, res, e);
	return e == KQ_OK;
}

void web_follows_announce_post(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct post p;
	if (!load_post(req, res, &p))
		return;
	enum kq_err e = follows_announce_post(w->db, &w->actor, p.id, NULL);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, arena_printf(req->arena, "/actualites/%s", url_arg(req->arena, p.slug)),
			   "success", "flash.follows.announced");
}

void web_follows_pin_post(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct post p;
	if (!load_post(req, res, &p))
		return;
	bool pin = form_flag(req, "pin");
	enum kq_err e = follows_pin(w->db, &w->actor, p.id, pin);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, arena_printf(req->arena, "/actualites/%s", url_arg(req->arena, p.slug)),
			   "success", pin ? "flash.follows.pinned" : "flash.follows.unpinned");
}

void web_follows_announce_event(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	enum kq_err e = events_get(w->db, &w->actor, req->arena, http_param(req, "slug"), &ev);
	if (e == KQ_OK)
		e = follows_announce_event(w->db, &w->actor, ev.id, NULL);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	web_redirect_flash(req, res, arena_printf(req->arena, "/evenements/%s", url_arg(req->arena, ev.slug)),
			   "success", "flash.follows.announced");
}

/* ---- one-click unsubscribe ------------------------------------------------------------------------------ */

static void unsubscribe_page(struct request *req, struct response *res, bool post)
{
	struct web *w = web_of(req);
	const char *token = http_param(req, "token");
	struct follow f;
	enum kq_err e = post ? follows_unsubscribe(w->db, req->arena, token, &f)
			     : follows_unsubscribe_info(w->db, req->arena, token, &f);
	/* The URL is a secret: never sent on as a Referer, never kept. */
	http_set_header(res, req->arena, "Referrer-Policy", "no-referrer");
	http_set_header(res, req->arena, "Cache-Control", "no-store");
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	view_layout_start(&res->body, req, web_t(req, "follows.unsub.title"));
	view_follows_unsubscribe(&res->body, req, &f,
				 arena_printf(req->arena, "/desabonnement/%s", url_arg(req->arena, token)),
				 post);
	view_layout_end(&res->body, req);
}

void web_follows_unsubscribe_form(struct request *req, struct response *res)
{
	unsubscribe_page(req, res, false);
}

void web_follows_unsubscribe(struct request *req, struct response *res)
{
	unsubscribe_page(req, res, true);
}
