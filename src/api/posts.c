/* posts.c (api): /api/v1/posts: the news wall by cursor, one post, create (for an organisation or in one's own name), partial update, delete */
#include "api/api.h"
#include "core/orgs.h"
#include "core/posts.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <sodium.h>
#include <string.h>

#define API_POSTS_LIMIT_DEFAULT 20

/* ---- encoding --------------------------------------------------------------------------- */

static json_t *image_json(struct arena *a, const char *base, const struct post *p,
			  const struct post_image *im)
{
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(im->id));
	json_object_set_new(j, "position", json_integer(im->position));
	json_object_set_new(j, "alt", json_string(im->alt));
	json_object_set_new(j, "url", json_string(arena_printf(a, "%s/actualites/%s/images/%d?v=%.16s",
								 base, p->slug, im->position,
								 im->sha256)));
	json_object_set_new(j, "thumbnail_url",
			    json_string(arena_printf(a, "%s/actualites/%s/images/%d/vignette?v=%.16s",
						     base, p->slug, im->position, im->thumb_sha256)));
	json_object_set_new(j, "width", im->width ? json_integer(im->width) : json_null());
	json_object_set_new(j, "height", im->height ? json_integer(im->height) : json_null());
	return j;
}

/* A post; with all_images its "images", else (a list) only the first. */
static json_t *post_json(struct request *req, const struct post *p, bool all_images)
{
	struct arena *a = req->arena;
	const char *base = core_settings()->base_url;
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(p->id));
	json_object_set_new(j, "slug", json_string(p->slug));
	json_object_set_new(j, "title", json_string(p->title));
	json_object_set_new(j, "body", json_string(p->body));
	json_object_set_new(j, "body_html", json_string(p->body_html));
	json_object_set_new(j, "status", json_string(p->status));
	json_object_set_new(j, "organisation",
			    p->org_id ? json_pack("{s:s, s:s, s:s}", "slug", p->org_slug, "name",
						  p->org_name, "url",
						  arena_printf(a, "%s/organisations/%s", base,
							       p->org_slug))
				      : json_null());
	/* A citizen's post is signed by its author; an organisation's by the organisation only. */
	json_object_set_new(j, "author",
			    !p->org_id && p->author_id
				    ? json_pack("{s:I, s:s, s:o}", "id", (json_int_t)p->author_id,
						"name", p->author_name, "url",
						p->author_public
							? json_string(arena_printf(a, "%s/personnes/%lld",
										   base,
										   (long long)p->author_id))
							: json_null())
				    : json_null());
	json_object_set_new(j, "url", json_string(arena_printf(a, "%s/actualites/%s", base, p->slug)));
	json_object_set_new(j, "published_at", p->published_at
						       ? json_string(time_format_iso(a, p->published_at))
						       : json_null());
	json_object_set_new(j, "created_at", json_string(time_format_iso(a, p->created_at)));
	json_object_set_new(j, "updated_at", json_string(time_format_iso(a, p->updated_at)));
	json_object_set_new(j, "image_count", json_integer(p->image_count));
	json_t *imgs = json_array();
	if (all_images)
		for (int i = 0; i < p->nimages; i++)
			json_array_append_new(imgs, image_json(a, base, p, &p->images[i]));
	else if (p->cover.id)
		json_array_append_new(imgs, image_json(a, base, p, &p->cover));
	json_object_set_new(j, "images", imgs);
	return j;
}

/* ---- reading input ------------------------------------------------------------------------ */

/* The members of a post body: title, body, status (strings); images: [{data
 * (base64), alt}]; remove_images: [image id]; alts: [{id, alt}]. Members of
 * the wrong type are field errors; unknown members are ignored. Strings are
 * copied into the arena, so the body may be freed. */
static void body_input(struct request *req, json_t *o, struct post_input *in,
		       struct field_errors *fe)
{
	struct arena *a = req->arena;
	static const char *const keys[] = { "title", "body", "status" };
	const char **slots[] = { &in->title, &in->body, &in->status };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		bool bad = false;
		const char *v = api_str(o, keys[i], &bad);
		if (bad)
			field_error_add(fe, keys[i], "err.api.not_a_string");
		*slots[i] = v ? arena_strdup(a, v) : NULL;
	}
	json_t *imgs = json_object_get(o, "images");
	if (imgs && !json_is_null(imgs)) {
		size_t n = json_array_size(imgs);
		if (!json_is_array(imgs)) {
			field_error_add(fe, "images", "err.events.api.not_a_list");
		} else if (n > POSTS_IMAGES_MAX) {
			field_error_add(fe, "images", "err.posts.too_many_images");
		} else {
			struct post_image_input *im = arena_alloc(a, sizeof(*im) * (n ? n : 1));
			for (size_t i = 0; i < n; i++) {
				json_t *e = json_array_get(imgs, i);
				const char *data = json_string_value(json_object_get(e, "data"));
				const char *alt = json_string_value(json_object_get(e, "alt"));
				const char *field = arena_printf(a, "image_%zu", i + 1);
				size_t cap = data ? strlen(data) / 4 * 3 + 3 : 0;
				if (!json_is_object(e) || !data || !*data ||
				    cap > (size_t)POSTS_IMAGE_BYTES_MAX * 2) {
					field_error_add(fe, field, data && *data ? "err.posts.image_too_large"
										: "err.upload.bad_type");
					continue;
				}
				unsigned char *bin = arena_alloc(a, cap);
				size_t len = 0;
				if (sodium_base642bin(bin, cap, data, strlen(data), "\n\r ", &len, NULL,
						      sodium_base64_VARIANT_ORIGINAL) != 0 || !len) {
					field_error_add(fe, field, "err.upload.bad_type");
					continue;
				}
				im[i].bytes = bin;
				im[i].len = len;
				im[i].alt = alt ? arena_strdup(a, alt) : NULL;
			}
			in->images = im;
			in->nimages = (int)n;
		}
	}
	json_t *rm = json_object_get(o, "remove_images");
	if (rm && !json_is_null(rm)) {
		size_t n = json_array_size(rm);
		int64_t *ids = arena_alloc(a, sizeof(*ids) * (n ? n : 1));
		if (!json_is_array(rm) || n > 16)
			field_error_add(fe, "remove_images", "err.events.api.not_a_list");
		for (size_t i = 0; json_is_array(rm) && i < n && i < 16; i++) {
			json_t *v = json_array_get(rm, i);
			if (!json_is_integer(v) || json_integer_value(v) <= 0) {
				field_error_add(fe, "remove_images", "err.events.api.not_an_id");
				break;
			}
			ids[in->nremove++] = json_integer_value(v);
		}
		in->remove_image_ids = ids;
	}
	json_t *alts = json_object_get(o, "alts");
	if (alts && !json_is_null(alts)) {
		size_t n = json_array_size(alts);
		struct post_image_alt *v = arena_alloc(a, sizeof(*v) * (n ? n : 1));
		if (!json_is_array(alts) || n > 16)
			field_error_add(fe, "alts", "err.events.api.not_a_list");
		for (size_t i = 0; json_is_array(alts) && i < n && i < 16; i++) {
			json_t *e = json_array_get(alts, i);
			json_t *id = json_object_get(e, "id");
			const char *alt = json_string_value(json_object_get(e, "alt"));
			if (!json_is_integer(id) || json_integer_value(id) <= 0 || !alt) {
				field_error_add(fe, "alts", "err.events.api.not_an_object");
				break;
			}
			v[in->nalts++] = (struct post_image_alt){ json_integer_value(id),
								  arena_strdup(a, alt) };
		}
		in->alts = v;
	}
}

/* ---- handlers --------------------------------------------------------------------------------- */

void api_posts_list(struct request *req, struct response *res)
{
	struct field_errors fe = { 0 };
	struct post_filter f = { 0 };
	int64_t limit = 0, author = 0;
	f.commune = http_query(req, "commune");
	f.kind = http_query(req, "kind");
	if (f.kind && *f.kind && strcmp(f.kind, "citizen") != 0 && !orgs_kind_valid(f.kind))
		field_error_add(&fe, "kind", "err.bad_request");
	if (!api_query_int(req, "limit", API_POSTS_LIMIT_DEFAULT, 1, POSTS_PAGE_MAX, &limit))
		field_error_add(&fe, "limit", "err.api.limit_invalid");
	if (!api_query_int(req, "author", 0, 1, INT64_MAX, &author))
		field_error_add(&fe, "author", "err.bad_request");
	const char *cursor = http_query(req, "cursor");
	if (cursor && *cursor && !posts_cursor_parse(cursor, &f.before_published_at, &f.before_id)) {
		api_error(req, res, KQ_ERR_POSTS_CURSOR_INVALID, NULL);
		return;
	}
	const char *org = http_query(req, "org");
	if (org && *org) {
		struct org o;
		enum kq_err e = orgs_get(api_db(req), req->arena, org, &o);
		if (e == KQ_ERR_NOT_FOUND || (e == KQ_OK && o.hidden_at))
			field_error_add(&fe, "org", "err.events.api.org_unknown");
		else if (e != KQ_OK) {
			api_error(req, res, e, NULL);
			return;
		} else {
			f.org_id = o.id;
		}
	}
	if (fe.n) {
		api_error(req, res, KQ_ERR_BAD_REQUEST, &fe);
		return;
	}
	f.limit = (int)limit;
	f.author_id = author;
	struct post *items;
	int n;
	int64_t total;
	bool more;
	enum kq_err e = posts_wall(api_db(req), req->arena, &f, &items, &n, &total, &more);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, post_json(req, &items[i], false));
	api_json_take(res, 200, json_pack("{s:o, s:I, s:I, s:o}", "items", arr, "total",
					  (json_int_t)total, "limit", (json_int_t)limit,
					  "next_cursor",
					  more && n ? json_string(posts_cursor(req->arena, &items[n - 1]))
						    : json_null()));
}

void api_posts_get(struct request *req, struct response *res)
{
	struct post p;
	enum kq_err e = posts_get(api_db(req), api_actor(req), req->arena, http_param(req, "slug"),
				  &p);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	api_json_take(res, 200, post_json(req, &p, true));
}

static void create(struct request *req, struct response *res, int64_t org_id)
{
	json_t *body = api_body_object(req, res);
	if (!body)
		return;
	struct post_input in = { 0 };
	struct field_errors fe = { 0 };
	body_input(req, body, &in, &fe);
	json_decref(body);
	struct post p;
	enum kq_err e = KQ_OK;
	/* Who may publish is said before what is wrong with the body (core
	 * does so too when the body reads). */
	if (fe.n && org_id)
		e = orgs_authorize(api_db(req), api_actor(req), org_id, ORG_ACT_PUBLISH);
	if (e == KQ_OK)
		e = fe.n ? KQ_ERR_FORM_INVALID
			 : posts_create(api_db(req), api_actor(req), org_id, &in, req->arena, &fe,
					&p);
	if (e != KQ_OK) {
		api_error(req, res, e, e == KQ_ERR_FORM_INVALID ? &fe : NULL);
		return;
	}
	http_set_header(res, req->arena, "Location",
			arena_printf(req->arena, "/api/v1/posts/%s", p.slug));
	api_json_take(res, 201, post_json(req, &p, true));
}

void api_posts_create_org(struct request *req, struct response *res)
{
	struct org o;
	enum kq_err e = orgs_get(api_db(req), req->arena, http_param(req, "slug"), &o);
	if (e == KQ_OK && o.hidden_at)
		e = KQ_ERR_NOT_FOUND;
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	create(req, res, o.id);
}

void api_posts_create_me(struct request *req, struct response *res)
{
	create(req, res, 0);
}

/* The post of the route's {slug}, when who may change it; answers the error itself. */
static bool load_own(struct request *req, struct response *res, struct post *out)
{
	enum kq_err e = posts_get(api_db(req), api_actor(req), req->arena, http_param(req, "slug"),
				  out);
	if (e == KQ_OK)
		e = posts_authorize(api_db(req), api_actor(req), out);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return false;
	}
	return true;
}

void api_posts_update(struct request *req, struct response *res)
{
	struct post p, after;
	if (!load_own(req, res, &p))
		return;
	json_t *body = api_body_object(req, res);
	if (!body)
		return;
	struct post_input in = { 0 };
	struct field_errors fe = { 0 };
	body_input(req, body, &in, &fe);
	json_decref(body);
	enum kq_err e = fe.n ? KQ_ERR_FORM_INVALID
			     : posts_update(api_db(req), api_actor(req), p.id, &in, req->arena, &fe,
					    &after);
	if (e != KQ_OK) {
		api_error(req, res, e, e == KQ_ERR_FORM_INVALID ? &fe : NULL);
		return;
	}
	api_json_take(res, 200, post_json(req, &after, true));
}

void api_posts_delete(struct request *req, struct response *res)
{
	struct post p;
	if (!load_own(req, res, &p))
		return;
	enum kq_err e = posts_delete(api_db(req), api_actor(req), p.id);
	if (e != KQ_OK) {
		api_error(req, res, e, NULL);
		return;
	}
	res->status = 204;
}
