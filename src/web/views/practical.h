/* practical.h (views): the practical information pages: the index by section, one page, the page form and the delete confirmation */
#ifndef KQ_VIEWS_PRACTICAL_H
#define KQ_VIEWS_PRACTICAL_H
#include "web/views/views.h"
#include "core/practical.h"

struct practical_index_view {
	const struct practical_section *sections;
	int nsections;
	bool can_manage;          /* who keeps pages for a public body: the "new page" link */
};
void view_practical_index(struct buf *b, struct request *req, const struct practical_index_view *v);

struct practical_show_view {
	const struct practical_page *p;
	bool can_edit;
};
void view_practical_show(struct buf *b, struct request *req, const struct practical_show_view *v);

struct practical_form_view {
	const struct practical_page *p;          /* the page edited; NULL: a new one */
	const struct practical_org *orgs;        /* new page: the public bodies to choose from */
	int norgs;
	const char *org_slug;                    /* new page: the one chosen */
	const struct practical_section *sections;
	int nsections;
	const struct practical_input *values;
	const struct field_errors *fe;
};
void view_practical_form(struct buf *b, struct request *req, const struct practical_form_view *v);
void view_practical_delete_confirm(struct buf *b, struct request *req,
				   const struct practical_page *p);

#endif
