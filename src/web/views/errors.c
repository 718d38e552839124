/* errors.c (view): the error pages say what happened and what to do next */
#include "views.h"

void view_error_page(struct buf *b, struct request *req, int status, const char *msg_key)
{
	const char *title_key = arena_printf(req->arena, "errpage.title.%d", status);
	view_layout_start(b, req, web_t(req, title_key));
	html_fmt(b, "<section class=\"error-page\"><p class=\"status\">%d</p><h1>%s</h1><p class=\"lead\">%s</p>",
		 status, web_t(req, title_key), web_t(req, msg_key));
	html_fmt(b, "<h2>%s</h2><ul>", web_t(req, "errpage.what_to_do"));
	if (status == 413)
		html_fmt(b, "<li>%s</li>", web_t(req, "errpage.413.hint"));
	if (status >= 500)
		html_fmt(b, "<li>%s</li>", web_t(req, "errpage.500.hint"));
	if (status == 401)
		html_fmt(b, "<li><a href=\"/connexion\">%s</a></li>", web_t(req, "user.login"));
	html_fmt(b, "<li><a href=\"/\">%s</a></li><li><a href=\"/annuaire\">%s</a></li></ul></section>",
		 web_t(req, "errpage.back_home"), web_t(req, "errpage.search_directory"));
	view_layout_end(b, req);
}
