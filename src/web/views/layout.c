/* layout.c: the frame of every page: head, skip link, header with navigation, user menu, preferences, footer */
#include "views.h"
#include "base/str.h"
#include <string.h>

static const struct {
	const char *id, *href, *key;
} nav[] = {
	{ "home", "/", "nav.home" },
	{ "news", "/actualites", "nav.news" },
	{ "events", "/evenements", "nav.events" },
	{ "directory", "/annuaire", "nav.directory" },
	{ "practical", "/infos-pratiques", "nav.practical" },
	{ "support", "/soutenir", "nav.support" },
	{ "memberships", "/adhesions", "nav.memberships" },
	{ "contact", "/nous-contacter", "nav.contact" },
};

static void nav_list(struct buf *b, struct request *req)
{
	struct web *w = web_of(req);
	HTML("<ul>");
	for (size_t i = 0; i < sizeof(nav) / sizeof(nav[0]); i++) {
		HTML("<li><a");
		html_href(b, nav[i].href);
		if (w->nav && strcmp(w->nav, nav[i].id) == 0)
			html_attr(b, "aria-current", "page");
		html_fmt(b, ">%s</a></li>", web_t(req, nav[i].key));
	}
	HTML("</ul>");
}

static void user_menu(struct buf *b, struct request *req)
{
	struct web *w = web_of(req);
	html_fmt(b, "<nav class=\"user-menu\" aria-label=\"%s\"><ul>", web_t(req, "user.label"));
	if (w->actor.account_id) {
		html_fmt(b, "<li><span class=\"user-name\">%s</span></li>", w->actor.display_name);
		html_fmt(b, "<li><a href=\"/compte/billets\">%s</a></li>", web_t(req, "user.tickets"));
		html_fmt(b, "<li><a href=\"/compte/dons\">%s</a></li>", web_t(req, "mydonations.link"));
		html_fmt(b, "<li><a href=\"/compte/abonnements\">%s</a></li>", web_t(req, "follows.mine.link"));
		if (actor_is_moderator(&w->actor))
			html_fmt(b, "<li><a href=\"/moderation\">%s</a></li>", web_t(req, "moderation.nav"));
		html_fmt(b, "<li><a href=\"/compte\">%s</a></li>", web_t(req, "user.account"));
		HTML("<li>");
		form_button(b, req, "/deconnexion", "user.logout", "button link");
		HTML("</li>");
	} else {
		html_fmt(b, "<li><a href=\"/connexion\">%s</a></li>", web_t(req, "user.login"));
		html_fmt(b, "<li><a class=\"button\" href=\"/inscription\">%s</a></li>",
			 web_t(req, "user.signup"));
	}
	HTML("</ul></nav>");
}

/* ---- search: the search box of every page, a plain GET form (no JavaScript needed) ---- */
static void search_box(struct buf *b, struct request *req)
{
	html_fmt(b, "<form class=\"site-search\" method=\"get\" action=\"/recherche\" role=\"search\""
		    " aria-label=\"%s\"><label class=\"visually-hidden\" for=\"site-search-q\">%s</label>"
		    "<input type=\"search\" id=\"site-search-q\" name=\"q\" maxlength=\"100\""
		    " autocomplete=\"off\"><button type=\"submit\">%s</button></form>",
		 web_t(req, "search.box_label"), web_t(req, "search.box_label"),
		 web_t(req, "search.submit"));
	/* The suggestions list as one types (a combobox): an enhancement, the
	 * form above works alone. Deferred, so it never delays the page. */
	HTML("<script defer");
	html_attr(b, "src", static_url("js/search-suggest.js"));
	html_fmt(b, " data-label=\"%s\" data-count=\"%s\"></script>", web_t(req, "search.suggestions"),
		 web_t(req, "search.suggestions_count"));
}
/* ---- end search ---- */

static void prefs(struct buf *b, struct request *req)
{
	struct web *w = web_of(req);
	html_fmt(b, "<form class=\"prefs\" method=\"post\" action=\"/preferences\" aria-label=\"%s\">",
		 web_t(req, "prefs.label"));
	HTML("<input type=\"hidden\" name=\"_csrf\"");
	html_attr(b, "value", w->csrf);
	HTML("><input type=\"hidden\" name=\"next\"");
	html_attr(b, "value", req->path);
	HTML(">");
	/* Each button names the language in that language, as language pickers should. */
	html_fmt(b, "<button type=\"submit\" name=\"lang\" value=\"fr\" lang=\"fr\" aria-pressed=\"%s\">Français</button>",
		 strcmp(w->lang, "fr") == 0 ? "true" : "false");
	html_fmt(b, "<button type=\"submit\" name=\"lang\" value=\"en\" lang=\"en\" aria-pressed=\"%s\">English</button>",
		 strcmp(w->lang, "en") == 0 ? "true" : "false");
	html_fmt(b, "<button type=\"submit\" name=\"large_text\" value=\"%s\" aria-pressed=\"%s\">%s</button>",
		 w->large_text ? "0" : "1", w->large_text ? "true" : "false",
		 web_t(req, "prefs.large_text_on"));
	HTML("</form>");
}

void view_layout_start(struct buf *b, struct request *req, const char *title)
{
	view_layout_start_head(b, req, title, (struct safe_html){ "", 0 });
}

void view_layout_start_head(struct buf *b, struct request *req, const char *title,
			    struct safe_html head)
{
	struct web *w = web_of(req);
	HTML("<!DOCTYPE html>\n<html");
	html_attr(b, "lang", w->lang);
	if (w->large_text)
		html_attr(b, "class", "large-text");
	HTML("><head><meta charset=\"utf-8\">"
	     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
	html_fmt(b, "<title>%s · Kiosque</title>", title);
	HTML("<link rel=\"stylesheet\"");
	html_attr(b, "href", static_url("css/kiosque.css"));
	HTML("><link rel=\"icon\" type=\"image/svg+xml\"");
	html_attr(b, "href", static_url("img/favicon.svg"));
	HTML(">");
	html_safe(b, head);
	HTML("</head><body>");
	html_fmt(b, "<a class=\"skip-link\" href=\"#main\">%s</a>", web_t(req, "site.skip"));
	HTML("<header class=\"site-header\"><div class=\"container\"><a class=\"brand\" href=\"/\"><img");
	html_attr(b, "src", static_url("img/favicon.svg"));
	html_fmt(b, " alt=\"\" width=\"32\" height=\"32\"> %s</a>", w->territory_name ? w->territory_name : "Kiosque");
	user_menu(b, req);
	search_box(b, req);   /* search */
	prefs(b, req);
	/* Phones get the same list as wide screens, wrapped in a grid by the CSS: no JavaScript. */
	html_fmt(b, "<nav class=\"main-nav\" aria-label=\"%s\">", web_t(req, "nav.label"));
	nav_list(b, req);
	HTML("</nav>");
	HTML("</div></header><main id=\"main\" tabindex=\"-1\"><div class=\"container\">");
	if (w->flash_key) {
		html_fmt(b, "<div class=\"flash flash-%s\" role=\"%s\"><p>%s</p></div>", w->flash_kind,
			 strcmp(w->flash_kind, "error") == 0 ? "alert" : "status",
			 web_t(req, w->flash_key));
	}
}

void view_layout_end(struct buf *b, struct request *req)
{
	HTML("</div></main><footer class=\"site-footer\"><div class=\"container\">");
	html_fmt(b, "<p>%s</p>", web_t(req, "footer.about"));
	html_fmt(b, "<p><a href=\"/api/v1/openapi.json\">%s</a></p>", web_t(req, "footer.api"));
	HTML("</div></footer></body></html>\n");
}
