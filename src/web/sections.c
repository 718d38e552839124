/* sections.c: Actualités, Soutenir, Adhésions, Nous contacter until their modules land */
#include "web/pages.h"
#include "web/views/views.h"

static void coming(struct request *req, struct response *res, const char *nav,
		   const char *title_key, const char *lead_key)
{
	struct buf *b = &res->body;
	web_of(req)->nav = nav;
	view_layout_start(b, req, web_t(req, title_key));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", web_t(req, title_key), web_t(req, lead_key));
	html_fmt(b, "<div class=\"coming-soon\"><p><strong>%s.</strong> %s</p>"
		    "<p><a class=\"button\" href=\"/annuaire\">%s</a></p></div>",
		 web_t(req, "common.coming_soon"), web_t(req, "section.coming.text"),
		 web_t(req, "home.directory_more"));
	view_layout_end(b, req);
}

void web_section_news(struct request *req, struct response *res)
{
	coming(req, res, "news", "nav.news", "section.news.lead");
}
