/* directory.h (views): the directory's parts of an organisation's page (hours, map, links, contact form) and their edit pages */
#ifndef KQ_VIEWS_DIRECTORY_H
#define KQ_VIEWS_DIRECTORY_H
#include "web/views/views.h"
#include "core/hours.h"
#include "core/orgs.h"

/* The map's tile server and credit (KIOSQUE_MAP_TILES, KIOSQUE_MAP_ATTRIBUTION);
 * tiles NULL: no map, the lists stay. */
struct directory_tiles {
	const char *tiles, *attribution;
};

struct directory_org_view {
	const struct org *org;
	const struct org_hours *hours;
	struct hours_state state;
	const struct org_link *links;
	int nlinks;
	struct directory_tiles map;
};
/* Hours with "open now", the place on a small map, the links. */
void view_directory_org_section(struct buf *b, struct request *req, const struct directory_org_view *v);

/* The contact form. o NULL: the territory's. Values and errors after a refusal. */
struct directory_contact_view {
	const struct org *org;
	const char *action;
	const char *name, *email, *subject, *message;
	const struct field_errors *fe;
	const char *error_key;     /* the whole form was refused (rate limit) */
};
void view_directory_contact_form(struct buf *b, struct request *req,
				 const struct directory_contact_view *v);

/* The hours page of an organisation: days[i] as typed for weekday i + 1. */
void view_directory_hours_page(struct buf *b, struct request *req, const struct org *o,
			       const char *const days[7], const char *note,
			       const struct field_errors *fe);

/* The position and links page. */
struct directory_place_view {
	const struct org *org;
	const char *lat, *lon;
	const struct field_errors *pos_fe;
	const char *labels[ORGS_LINKS_MAX], *urls[ORGS_LINKS_MAX];
	const struct field_errors *links_fe;
};
void view_directory_place_page(struct buf *b, struct request *req, const struct directory_place_view *v);

/* Head elements and scripts of a page with a Leaflet map. */
void view_directory_map_head(struct buf *b);
void view_directory_map_scripts(struct buf *b);
/* The map's box, hidden until directory-map.js shows it; list_id: the element
 * holding the markers ([data-lat][data-lon][data-title][data-url]). */
void view_directory_map_box(struct buf *b, struct request *req, const struct directory_tiles *t,
			    const char *list_id, const char *label_key);

#endif
