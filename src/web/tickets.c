/* tickets.c: the organiser's ticketing page of an event (/evenements/{slug}/billetterie).
 *
 * One GET page and one POST route per form (shop settings, ticket types,
 * quotas, vouchers, questions). core/tickets.c decides who may do what
 * (ORG_ACT_PUBLISH for the shop's content, ORG_ACT_MONEY for its payment
 * settings); a refused form re-renders the page with 422 and the message
 * next to its field, a change redirects back with a flash message.
 *
 * Editing: a type and a quota each have their own page under
 * .../types/{id} and .../jauges/{id} (the form filled with their values;
 * archiving a type asks first on .../archiver; a quota is deleted only while
 * it holds no seat); a voucher is disabled and a question deleted by a button
 * on the main page. An {id} is looked up among the event's own: an id of
 * another event through this event's address is 404. */
#include "web/pages.h"
#include "web/views/tickets.h"
#include "core/orgs.h"
#include "core/payments.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define SETUP_LIST_MAX 64   /* vouchers shown */

static bool load_event(struct request *req, struct response *res, struct event *out)
{
	struct web *w = web_of(req);
	enum kq_err e = events_get(w->db, &w->actor, req->arena, http_param(req, "slug"), out);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return false;
	}
	return true;
}

static const char *form_str(struct request *req, const char *name)
{
	const char *s = http_form(req, name);
	return s ? s : "";
}

/* Euros as typed ("12", "12,5", "12,50", "12.50") to cents, exactly: no sign,
 * at most two decimals. false when s is anything else. */
static bool parse_euros(const char *s, int64_t *out)
{
	while (*s == ' ')
		s++;
	int64_t euros = 0, cents = 0;
	int nd = 0;
	const char *p = s;
	while (*p >= '0' && *p <= '9') {
		if (euros > TICKETS_PRICE_MAX)
			return false;
		euros = euros * 10 + (*p++ - '0');
		nd++;
	}
	if (nd == 0)
		return false;
	if (*p == ',' || *p == '.') {
		p++;
		int nc = 0;
		while (*p >= '0' && *p <= '9') {
			if (++nc > 2)
				return false;
			cents = cents * 10 + (*p++ - '0');
		}
		if (nc == 0)
			return false;
		if (nc == 1)
			cents *= 10;
	}
	while (*p == ' ')
		p++;
	if (strcmp(p, "€") == 0)
		p += strlen("€");
	if (*p)
		return false;
	*out = euros * 100 + cents;
	return true;
}

/* A whole number in 0..max; "" gives dflt. false when invalid. */
static bool parse_int(const char *s, int64_t max, int64_t dflt, int64_t *out)
{
	if (!*s) {
		*out = dflt;
		return true;
	}
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < 0 || v > max || !(*s >= '0' && *s <= '9'))
		return false;
	*out = v;
	return true;
}

/* An optional local date ("" gives 0); end_of_day: 23:59 instead of 00:00. */
static bool parse_date(const char *s, bool end_of_day, int64_t *out)
{
	*out = 0;
	if (!*s)
		return true;
	return events_local_time(s, end_of_day ? "23:59" : "", out) == EVENTS_TIME_OK;
}

/* Renders the page; failed_form and fe after a refused post (status 422).
 * Editors (ORG_ACT_PUBLISH) build the shop; treasurers (ORG_ACT_MONEY) set its
 * payment settings; anyone else gets core's answer (403, or log in). */
static void page(struct request *req, struct response *res, const struct event *ev, int status,
		 const char *failed_form, const struct field_errors *fe)
{
	struct web *w = web_of(req);
	struct tickets_setup_view v = { .ev = ev, .failed_form = failed_form, .fe = fe };
	enum kq_err e = orgs_authorize(w->db, &w->actor, ev->org_id, ORG_ACT_PUBLISH);
	bool money = orgs_authorize(w->db, &w->actor, ev->org_id, ORG_ACT_MONEY) == KQ_OK;
	v.can_publish = e == KQ_OK;
	if (!v.can_publish && money)
		e = KQ_OK;
	if (e == KQ_OK && v.can_publish) {
		struct ticket_type *types;
		e = tickets_types_list(w->db, &w->actor, ev->id, req->arena, &types, &v.ntypes);
		v.types = types;
	}
	if (e == KQ_OK && v.can_publish) {
		struct ticket_quota *quotas;
		e = tickets_quotas_list(w->db, &w->actor, ev->id, req->arena, &quotas, &v.nquotas);
		v.quotas = quotas;
	}
	if (e == KQ_OK && v.can_publish) {
		struct voucher *vouchers;
		e = tickets_vouchers_list(w->db, &w->actor, ev->id, req->arena, &vouchers, &v.nvouchers);
		v.vouchers = vouchers;
	}
	if (e == KQ_OK && v.can_publish) {
		struct ticket_question *questions;
		e = tickets_questions_list(w->db, req->arena, ev->id, &questions, &v.nquestions);
		v.questions = questions;
	}
	struct ticket_shop shop;
	if (e == KQ_OK && money) {
		e = tickets_shop_get(w->db, req->arena, ev->id, &shop);
		v.shop = &shop;
	}
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	const struct payments_settings *ps = payments_settings();
	v.demo_on = ps && ps->demo;
	v.stripe_on = ps && ps->stripe_secret_key && *ps->stripe_secret_key;
	res->status = status;
	buf_reset(&res->body);
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_tickets_setup(&res->body, req, &v);
}

/* Before showing a form's own errors: the member may change the shop's content. */
static bool may_publish(struct request *req, struct response *res, const struct event *ev)
{
	struct web *w = web_of(req);
	enum kq_err e = orgs_authorize(w->db, &w->actor, ev->org_id, ORG_ACT_PUBLISH);
	if (e != KQ_OK)
		web_error(req, res, e);
	return e == KQ_OK;
}

void web_tickets_setup(struct request *req, struct response *res)
{
	struct event ev;
	if (load_event(req, res, &ev))
		page(req, res, &ev, 200, NULL, NULL);
}

/* After a post: back to the page with a flash, or the page again with the
 * errors (a refused form), or the error page. */
static void done(struct request *req, struct response *res, const struct event *ev, enum kq_err e,
		 const char *form, struct field_errors *fe, const char *flash_key)
{
	if (e == KQ_OK) {
		web_redirect_flash(req, res,
				   arena_printf(req->arena, "/evenements/%s/billetterie",
						url_arg(req->arena, ev->slug)),
				   "success", flash_key);
		return;
	}
	if (e != KQ_ERR_FORM_INVALID && fe->n == 0) {
		web_error(req, res, e);
		return;
	}
	page(req, res, ev, 422, form, fe);
}

void web_tickets_shop_save(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	if (!load_event(req, res, &ev))
		return;
	struct field_errors fe = { 0 };
	struct ticket_shop cur;
	enum kq_err e = tickets_shop_get(w->db, req->arena, ev.id, &cur);
	if (e != KQ_OK) {
		web_error(req, res, e);
		return;
	}
	/* Providers this process does not offer are not in the form: keep them. */
	const struct payments_settings *ps = payments_settings();
	static const char *const names[] = { "onsite", "transfer", "demo", "stripe" };
	char *list = arena_printf(req->arena, "%s", "");
	for (int i = 0; i < 4; i++) {
		bool shown = i < 2 || (i == 2 && ps && ps->demo) ||
			     (i == 3 && ps && ps->stripe_secret_key && *ps->stripe_secret_key);
		bool on = shown ? http_form(req, arena_printf(req->arena, "provider_%s", names[i])) != NULL
				: tickets_shop_offers(&cur, names[i]);
		if (on)
			list = arena_printf(req->arena, "%s%s%s", list, *list ? "," : "", names[i]);
	}
	struct ticket_shop in = cur;
	in.providers = list;
	in.buyer_can_cancel = http_form(req, "buyer_can_cancel") != NULL;
	in.waiting_list = http_form(req, "waiting_list") != NULL;
	in.attendee_names = form_str(req, "attendee_names");
	in.transfer_details = form_str(req, "transfer_details");
	if (!*list)
		field_error_add(&fe, "providers", "tickets.setup.err.providers");
	/* Durations in hours; a field left empty or as shown keeps the stored value
	 * (which may not be whole hours when set through the API). */
	const char *cd = form_str(req, "cancel_deadline");
	int64_t hours;
	if (*cd && strcmp(cd, view_tickets_hours(req, cur.cancel_deadline)) != 0) {
		if (parse_int(cd, 365 * 24, -1, &hours) && hours >= 0)
			in.cancel_deadline = hours * 3600;
		else
			field_error_add(&fe, "cancel_deadline", "tickets.edit.err.cancel_deadline");
	}
	const char *ttl = form_str(req, "offer_ttl");
	if (*ttl && strcmp(ttl, view_tickets_hours(req, cur.offer_ttl)) != 0) {
		if (parse_int(ttl, 7 * 24, -1, &hours) && hours >= 1)
			in.offer_ttl = hours * 3600;
		else
			field_error_add(&fe, "offer_ttl", "tickets.edit.err.offer_ttl");
	}
	if (fe.n) {
		enum kq_err me = orgs_authorize(w->db, &w->actor, ev.org_id, ORG_ACT_MONEY);
		if (me != KQ_OK) {
			web_error(req, res, me);
			return;
		}
		page(req, res, &ev, 422, "shop", &fe);
		return;
	}
	e = tickets_shop_set(w->db, &w->actor, ev.id, &in, &fe);
	done(req, res, &ev, e, "shop", &fe, "flash.tickets.shop_saved");
}

/* A sale date of the type form; cur_value is the stored one (0: none), kept
 * as it is when the field comes back as shown: a time set through the API
 * is not rounded to the day by saving the form. */
static bool read_sale_date(struct request *req, const char *name, bool end_of_day,
			   int64_t cur_value, int64_t *out)
{
	const char *s = form_str(req, name);
	if (cur_value && strcmp(s, time_format_date(req->arena, cur_value)) == 0) {
		*out = cur_value;
		return true;
	}
	return parse_date(s, end_of_day, out);
}

/* The type form (new or edit: cur is the type edited, or NULL) into *in. */
static void read_type_form(struct request *req, const struct ticket_type *cur,
			   struct ticket_type_input *in, struct field_errors *fe)
{
	*in = (struct ticket_type_input){
		.name = form_str(req, "name"),
		.description = form_str(req, "description"),
		.visibility = form_str(req, "visibility"),
		.position = cur ? cur->position : 0,
	};
	if (!*in->visibility)
		in->visibility = NULL;
	if (!parse_euros(form_str(req, "price"), &in->price_cents))
		field_error_add(fe, "price", "tickets.setup.err.price");
	int64_t n;
	if (!parse_int(form_str(req, "min_per_order"), TICKETS_PER_ORDER_MAX, 0, &n))
		field_error_add(fe, "min_per_order", "tickets.setup.err.number");
	else
		in->min_per_order = (int)n;
	if (!parse_int(form_str(req, "max_per_order"), TICKETS_PER_ORDER_MAX, 0, &n))
		field_error_add(fe, "max_per_order", "tickets.setup.err.number");
	else
		in->max_per_order = (int)n;
	if (!read_sale_date(req, "sale_starts_at", false, cur ? cur->sale_starts_at : 0,
			    &in->sale_starts_at))
		field_error_add(fe, "sale_starts_at", "tickets.setup.err.date");
	if (!read_sale_date(req, "sale_ends_at", true, cur ? cur->sale_ends_at : 0, &in->sale_ends_at))
		field_error_add(fe, "sale_ends_at", "tickets.setup.err.date");
}

void web_tickets_type_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	if (!load_event(req, res, &ev))
		return;
	struct field_errors fe = { 0 };
	struct ticket_type_input in;
	read_type_form(req, NULL, &in, &fe);
	enum kq_err e;
	if (fe.n) {
		if (!may_publish(req, res, &ev))
			return;
		e = KQ_ERR_FORM_INVALID;
	} else {
		struct ticket_type out;
		e = tickets_type_create(w->db, &w->actor, ev.id, &in, req->arena, &fe, &out);
	}
	done(req, res, &ev, e, "type", &fe, "flash.tickets.type_created");
}

/* The quota form (new or edit): name, size, and the checked types (fields type_{id}). */
static void read_quota_form(struct request *req, struct ticket_quota_input *in,
			    struct field_errors *fe)
{
	*in = (struct ticket_quota_input){ .name = form_str(req, "name") };
	int64_t size = 0;
	if (!parse_int(form_str(req, "size"), TICKETS_QUOTA_MAX, -1, &size) || size < 0)
		field_error_add(fe, "size", "tickets.setup.err.number");
	in->size = size;
	int64_t *ids = arena_alloc(req->arena, sizeof(*ids) * (size_t)(req->nfields + 1));
	for (int i = 0; i < req->nfields; i++) {
		const char *nm = req->fields[i].name;
		if (strncmp(nm, "type_", 5) != 0 || req->fields[i].filename)
			continue;
		char *end;
		long long id = strtoll(nm + 5, &end, 10);
		if (*end == '\0' && id > 0)
			ids[in->n_types++] = id;
	}
	in->type_ids = ids;
	if (in->n_types == 0)
		field_error_add(fe, "types", "tickets.setup.err.types");
}

void web_tickets_quota_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	if (!load_event(req, res, &ev))
		return;
	struct field_errors fe = { 0 };
	struct ticket_quota_input in;
	read_quota_form(req, &in, &fe);
	/* The date must be one of this event's. */
	int64_t date_id = 0;
	const char *ds = form_str(req, "date");
	for (int i = 0; i < ev.ndates; i++)
		if (strcmp(ds, arena_printf(req->arena, "%" PRId64, ev.dates[i].id)) == 0)
			date_id = ev.dates[i].id;
	if (!date_id)
		field_error_add(&fe, "date", "tickets.setup.err.date");
	enum kq_err e;
	if (fe.n) {
		if (!may_publish(req, res, &ev))
			return;
		e = KQ_ERR_FORM_INVALID;
	} else {
		e = tickets_quota_create(w->db, &w->actor, date_id, &in, &fe, NULL);
		if (e == KQ_ERR_TICKETS_QUOTA_BELOW_SOLD)
			field_error_add(&fe, "size", err_msg_key(e));
	}
	done(req, res, &ev, e, "quota", &fe, "flash.tickets.quota_created");
}

void web_tickets_voucher_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	if (!load_event(req, res, &ev))
		return;
	struct field_errors fe = { 0 };
	struct voucher_input in = { .code = form_str(req, "code"), .kind = form_str(req, "kind") };
	const char *amount = form_str(req, "amount");
	if (strcmp(in.kind, "percent") == 0) {
		if (!parse_int(amount, 100, -1, &in.amount) || in.amount < 0)
			field_error_add(&fe, "amount", "tickets.setup.err.percent");
	} else if (!parse_euros(amount, &in.amount)) {
		field_error_add(&fe, "amount", "tickets.setup.err.price");
	}
	if (!parse_int(form_str(req, "max_uses"), 1000000000, 0, &in.max_uses))
		field_error_add(&fe, "max_uses", "tickets.setup.err.number");
	if (!parse_date(form_str(req, "valid_until"), true, &in.valid_until))
		field_error_add(&fe, "valid_until", "tickets.setup.err.date");
	enum kq_err e;
	if (fe.n) {
		if (!may_publish(req, res, &ev))
			return;
		e = KQ_ERR_FORM_INVALID;
	} else {
		struct voucher out;
		e = tickets_voucher_create(w->db, &w->actor, ev.id, &in, req->arena, &fe, &out);
		if (e == KQ_ERR_VOUCHER_CODE_TAKEN && !field_error_get(&fe, "code"))
			field_error_add(&fe, "code", err_msg_key(e));
	}
	done(req, res, &ev, e, "voucher", &fe, "flash.tickets.voucher_created");
}

void web_tickets_question_create(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	if (!load_event(req, res, &ev))
		return;
	struct field_errors fe = { 0 };
	struct ticket_question_input in = {
		.label = form_str(req, "label"),
		.kind = form_str(req, "kind"),
		.options = form_str(req, "options"),
		.required = http_form(req, "required") != NULL,
	};
	struct ticket_question out;
	enum kq_err e = tickets_question_create(w->db, &w->actor, ev.id, &in, req->arena, &fe, &out);
	done(req, res, &ev, e, "question", &fe, "flash.tickets.question_created");
}

/* ---- editing: one type, one quota; disabling a code, deleting a question ---------------------- */

/* The {id} of the route, a positive number; else the 404 page. */
static bool route_id(struct request *req, struct response *res, int64_t *out)
{
	const char *s = http_param(req, "id");
	if (!s || !str_to_i64(s, out) || *out <= 0) {
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return false;
	}
	return true;
}

static const char *setup_url(struct request *req, const struct event *ev)
{
	return arena_printf(req->arena, "/evenements/%s/billetterie", url_arg(req->arena, ev->slug));
}

/* The type {id} of ev, for a member who may change the shop; else the error page. */
static bool load_type(struct request *req, struct response *res, const struct event *ev,
		      struct ticket_type *out)
{
	struct web *w = web_of(req);
	int64_t id;
	if (!may_publish(req, res, ev) || !route_id(req, res, &id))
		return false;
	struct ticket_type *list;
	int n;
	enum kq_err e = tickets_types_list(w->db, &w->actor, ev->id, req->arena, &list, &n);
	if (e == KQ_OK) {
		e = KQ_ERR_NOT_FOUND;
		for (int i = 0; i < n; i++)
			if (list[i].id == id) {
				*out = list[i];
				e = KQ_OK;
			}
	}
	if (e != KQ_OK)
		web_error(req, res, e);
	return e == KQ_OK;
}

static void type_page(struct request *req, struct response *res, const struct event *ev,
		      const struct ticket_type *t, int status, const struct field_errors *fe)
{
	struct tickets_type_edit_view v = { .ev = ev, .t = t, .fe = fe, .refill = fe != NULL };
	res->status = status;
	buf_reset(&res->body);
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_tickets_type_edit(&res->body, req, &v);
}

void web_tickets_type_edit_form(struct request *req, struct response *res)
{
	struct event ev;
	struct ticket_type t;
	if (load_event(req, res, &ev) && load_type(req, res, &ev, &t))
		type_page(req, res, &ev, &t, 200, NULL);
}

void web_tickets_type_update(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	struct ticket_type cur;
	if (!load_event(req, res, &ev) || !load_type(req, res, &ev, &cur))
		return;
	struct field_errors fe = { 0 };
	struct ticket_type_input in;
	read_type_form(req, &cur, &in, &fe);
	enum kq_err e = KQ_ERR_FORM_INVALID;
	if (fe.n == 0) {
		/* A new price is safe: a buyer who saw the old one is asked again
		 * (TICKETS_PRICE_CHANGED at checkout). */
		struct ticket_type out;
		e = tickets_type_update(w->db, &w->actor, cur.id, &in, req->arena, &fe, &out);
	}
	if (e == KQ_OK)
		web_redirect_flash(req, res, setup_url(req, &ev), "success", "flash.tickets.type_saved");
	else if (e == KQ_ERR_FORM_INVALID || fe.n)
		type_page(req, res, &ev, &cur, 422, &fe);
	else
		web_error(req, res, e);
}

void web_tickets_type_archive_form(struct request *req, struct response *res)
{
	struct event ev;
	struct ticket_type t;
	if (!load_event(req, res, &ev) || !load_type(req, res, &ev, &t))
		return;
	if (t.is_archived) {
		http_redirect(res, req->arena, setup_url(req, &ev));
		return;
	}
	res->status = 200;
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_tickets_type_archive(&res->body, req, &ev, &t);
}

void web_tickets_type_archive(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	struct ticket_type t;
	if (!load_event(req, res, &ev) || !load_type(req, res, &ev, &t))
		return;
	enum kq_err e = tickets_type_archive(w->db, &w->actor, t.id);
	if (e == KQ_OK)
		web_redirect_flash(req, res, setup_url(req, &ev), "success", "flash.tickets.type_archived");
	else
		web_error(req, res, e);
}

/* The quota {id} of ev and the event's types, for a member who may change the shop. */
static bool load_quota(struct request *req, struct response *res, const struct event *ev,
		       struct ticket_quota *out, struct ticket_type **types, int *ntypes)
{
	struct web *w = web_of(req);
	int64_t id;
	if (!may_publish(req, res, ev) || !route_id(req, res, &id))
		return false;
	struct ticket_quota *list;
	int n;
	enum kq_err e = tickets_quotas_list(w->db, &w->actor, ev->id, req->arena, &list, &n);
	if (e == KQ_OK) {
		e = KQ_ERR_NOT_FOUND;
		for (int i = 0; i < n; i++)
			if (list[i].id == id) {
				*out = list[i];
				e = KQ_OK;
			}
	}
	if (e == KQ_OK)
		e = tickets_types_list(w->db, &w->actor, ev->id, req->arena, types, ntypes);
	if (e != KQ_OK)
		web_error(req, res, e);
	return e == KQ_OK;
}

static void quota_page(struct request *req, struct response *res, const struct event *ev,
		       const struct ticket_quota *q, const struct ticket_type *types, int ntypes,
		       int status, const struct field_errors *fe, const char *delete_error_key)
{
	struct tickets_quota_edit_view v = { .ev = ev, .q = q, .types = types, .ntypes = ntypes,
					     .fe = fe, .refill = fe != NULL,
					     .delete_error_key = delete_error_key };
	res->status = status;
	buf_reset(&res->body);
	http_set_header(res, req->arena, "Cache-Control", "private, no-store");
	view_tickets_quota_edit(&res->body, req, &v);
}

void web_tickets_quota_edit_form(struct request *req, struct response *res)
{
	struct event ev;
	struct ticket_quota q;
	struct ticket_type *types;
	int nt;
	if (load_event(req, res, &ev) && load_quota(req, res, &ev, &q, &types, &nt))
		quota_page(req, res, &ev, &q, types, nt, 200, NULL, NULL);
}

void web_tickets_quota_update(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	struct ticket_quota q;
	struct ticket_type *types;
	int nt;
	if (!load_event(req, res, &ev) || !load_quota(req, res, &ev, &q, &types, &nt))
		return;
	struct field_errors fe = { 0 };
	struct ticket_quota_input in;
	read_quota_form(req, &in, &fe);
	enum kq_err e = KQ_ERR_FORM_INVALID;
	if (fe.n == 0)
		e = tickets_quota_update(w->db, &w->actor, q.id, &in, &fe);
	if (e == KQ_ERR_TICKETS_QUOTA_BELOW_SOLD && !field_error_get(&fe, "size"))
		field_error_add(&fe, "size", err_msg_key(e));
	if (e == KQ_OK)
		web_redirect_flash(req, res, setup_url(req, &ev), "success", "flash.tickets.quota_saved");
	else if (e == KQ_ERR_FORM_INVALID || fe.n)
		quota_page(req, res, &ev, &q, types, nt, e == KQ_ERR_FORM_INVALID ? 422 : err_http_status(e),
			   &fe, NULL);
	else
		web_error(req, res, e);
}

void web_tickets_quota_delete(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	struct ticket_quota q;
	struct ticket_type *types;
	int nt;
	if (!load_event(req, res, &ev) || !load_quota(req, res, &ev, &q, &types, &nt))
		return;
	enum kq_err e = tickets_quota_delete_unused(w->db, &w->actor, q.id);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, setup_url(req, &ev), "success", "flash.tickets.quota_deleted");
	} else if (e == KQ_ERR_TICKETS_IN_USE) {
		/* Sold meanwhile: the page again, with what it holds now. */
		if (load_quota(req, res, &ev, &q, &types, &nt))
			quota_page(req, res, &ev, &q, types, nt, err_http_status(e), NULL,
				   "tickets.edit.err.quota_in_use");
	} else {
		web_error(req, res, e);
	}
}

void web_tickets_voucher_disable(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	int64_t id;
	if (!load_event(req, res, &ev) || !may_publish(req, res, &ev) || !route_id(req, res, &id))
		return;
	struct voucher *list;
	int n;
	enum kq_err e = tickets_vouchers_list(w->db, &w->actor, ev.id, req->arena, &list, &n);
	if (e == KQ_OK) {
		e = KQ_ERR_NOT_FOUND;
		for (int i = 0; i < n; i++)
			if (list[i].id == id)
				e = KQ_OK;
	}
	if (e == KQ_OK)
		e = tickets_voucher_disable(w->db, &w->actor, id);
	if (e == KQ_OK)
		web_redirect_flash(req, res, setup_url(req, &ev), "success", "flash.tickets.voucher_disabled");
	else
		web_error(req, res, e);
}

void web_tickets_question_delete(struct request *req, struct response *res)
{
	struct web *w = web_of(req);
	struct event ev;
	int64_t id;
	if (!load_event(req, res, &ev) || !may_publish(req, res, &ev) || !route_id(req, res, &id))
		return;
	struct ticket_question *list;
	int n;
	enum kq_err e = tickets_questions_list(w->db, req->arena, ev.id, &list, &n);
	if (e == KQ_OK) {
		e = KQ_ERR_NOT_FOUND;
		for (int i = 0; i < n; i++)
			if (list[i].id == id)
				e = KQ_OK;
	}
	if (e == KQ_OK)
		e = tickets_question_delete(w->db, &w->actor, id);
	if (e == KQ_OK) {
		web_redirect_flash(req, res, setup_url(req, &ev), "success", "flash.tickets.question_deleted");
	} else if (e == KQ_ERR_TICKETS_IN_USE) {
		/* Buyers answered it: their answers stay, and so does the question. */
		struct field_errors fe = { 0 };
		field_error_add(&fe, arena_printf(req->arena, "question-%lld", (long long)id),
				"tickets.edit.err.question_answered");
		page(req, res, &ev, err_http_status(e), "question_delete", &fe);
	} else {
		web_error(req, res, e);
	}
}
