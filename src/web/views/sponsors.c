/* sponsors.c (views): "Nos partenaires" on event and campaign pages, the offer form, an organisation's offers */
#include "web/views/sponsors.h"
#include "web/views/orgs.h"
#include "core/tickets.h"
#include "base/timefmt.h"
#include <string.h>

const char *view_sponsors_offer_url(struct request *req, const char *target_kind, const char *slug)
{
	return arena_printf(req->arena, "/parrainer/%s/%s",
			    strcmp(target_kind, "event") == 0 ? "evenement" : "campagne",
			    url_arg(req->arena, slug));
}

const char *view_sponsors_target_url(struct request *req, const char *target_kind, const char *slug)
{
	return arena_printf(req->arena, "%s/%s",
			    strcmp(target_kind, "event") == 0 ? "/evenements" : "/soutenir",
			    url_arg(req->arena, slug));
}

static const char *org_url(struct request *req, const char *slug, const char *tail)
{
	return arena_printf(req->arena, "/organisations/%s%s", url_arg(req->arena, slug), tail);
}

static const char *money(struct request *req, int64_t cents, const char *currency)
{
	return tickets_money_format(req->arena, cents, currency && *currency ? currency : "EUR",
				    web_of(req)->lang);
}

/* The logo URL as the organisation pages build it (placeholder when none). */
static const char *logo_url(struct request *req, const char *slug, const char *sha256)
{
	struct org o = { 0 };
	o.slug = slug;
	o.logo_sha256 = sha256;
	return view_orgs_logo_url(req, &o);
}

/* ---- the public section ------------------------------------------------------------------------ */

void view_sponsors_section(struct buf *b, struct request *req, const struct sponsor_target *t,
			   const struct sponsorship *list, int n, bool show_offer)
{
	if (n == 0 && !show_offer)
		return;
	html_fmt(b, "<section class=\"sponsors\" aria-labelledby=\"h-sponsors\">"
		    "<h2 id=\"h-sponsors\">%s</h2>", web_t(req, "sponsors.section.title"));
	if (n) {
		HTML("<ul class=\"sponsor-list\">");
		for (int i = 0; i < n; i++) {
			const struct sponsorship *s = &list[i];
			const char *href = *s->link_url ? s->link_url : org_url(req, s->sponsor_slug, "");
			HTML("<li class=\"sponsor\"><a");
			html_href(b, href);
			if (*s->link_url)
				HTML(" rel=\"sponsored noopener\"");
			/* The name follows: the logo is decoration for a screen reader. */
			HTML("><img class=\"sponsor-logo\" alt=\"\" width=\"64\" height=\"64\" loading=\"lazy\"");
			html_attr(b, "src", logo_url(req, s->sponsor_slug, s->sponsor_logo_sha256));
			html_fmt(b, "><span class=\"sponsor-name\">%s</span></a>", s->sponsor_name);
			if (strcmp(s->kind, "in_kind") == 0 && *s->goods)
				html_fmt(b, "<span class=\"sponsor-goods muted\">%s : %s</span>",
					 web_t(req, "sponsors.section.in_kind"), s->goods);
			HTML("</li>");
		}
		HTML("</ul>");
	}
	if (show_offer) {
		HTML("<p><a class=\"button secondary\"");
		html_href(b, view_sponsors_offer_url(req, t->kind, t->slug));
		html_fmt(b, ">%s</a></p>", web_t(req, "sponsors.section.offer"));
	}
	HTML("</section>");
}

/* ---- the offer form ------------------------------------------------------------------------------ */

static const char *const offer_labels[] = {
	"sponsor", "sponsors.field.sponsor", "kind", "sponsors.field.kind",
	"amount", "sponsors.field.amount", "goods", "sponsors.field.goods",
	"goods_value", "sponsors.field.goods_value", "message", "sponsors.field.message",
	"link", "sponsors.field.link", NULL
};

void view_sponsors_offer_form(struct buf *b, struct request *req, const struct sponsors_offer_view *v)
{
	struct arena *a = req->arena;
	const struct sponsor_target *t = v->t;
	const char *title = web_t(req, "sponsors.offer.title");
	view_layout_start(b, req, arena_printf(a, "%s · %s", title, t->title));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s <a", title, web_t(req, "sponsors.offer.for"));
	html_href(b, view_sponsors_target_url(req, t->kind, t->slug));
	html_fmt(b, ">%s</a> (%s, <a", t->title,
		 web_t(req, arena_printf(a, "sponsors.target.%s", t->kind)));
	html_href(b, org_url(req, t->org_slug, ""));
	html_fmt(b, ">%s</a>)</p>", t->org_name);
	html_fmt(b, "<p>%s</p><p class=\"notice\">%s</p>", web_t(req, "sponsors.offer.lead"),
		 web_t(req, "sponsors.offer.outside"));
	if (v->error_key)
		html_fmt(b, "<div class=\"form-errors\" role=\"alert\"><p>%s</p></div>",
			 web_t(req, v->error_key));
	if (!t->is_open) {
		if (!v->error_key)
			html_fmt(b, "<p role=\"status\">%s</p>", web_t(req, "err.sponsors.target_closed"));
		view_layout_end(b, req);
		return;
	}
	if (v->n_businesses == 0) {
		html_fmt(b, "<p role=\"status\">%s</p><p><a", web_t(req, "sponsors.offer.no_business"));
		html_href(b, "/organisations/nouvelle");
		html_fmt(b, ">%s</a></p>", web_t(req, "sponsors.offer.create_org"));
		view_layout_end(b, req);
		return;
	}
	struct form_ctx fc = { b, req, v->fe, NULL };
	form_start(&fc, view_sponsors_offer_url(req, t->kind, t->slug), false);
	form_errors_summary(&fc, offer_labels);
	const char **opts = arena_alloc(a, sizeof(*opts) * (size_t)(v->n_businesses * 2 + 1));
	for (int i = 0; i < v->n_businesses; i++) {
		opts[2 * i] = arena_printf(a, "%lld", (long long)v->businesses[i].id);
		opts[2 * i + 1] = v->businesses[i].name;
	}
	opts[v->n_businesses * 2] = NULL;
	struct field_spec sp = { "sponsor", "sponsors.field.sponsor", "select", v->sponsor, NULL,
				 NULL, true, 0, true };
	form_select(&fc, &sp, opts);
	static const char *const kinds[] = { "money", "sponsors.kind.money", "in_kind",
					     "sponsors.kind.in_kind", NULL };
	struct field_spec k = { "kind", "sponsors.field.kind", "select",
				v->kind && *v->kind ? v->kind : "money", NULL, NULL, true, 0, false };
	form_select(&fc, &k, kinds);
	struct field_spec am = { "amount", "sponsors.field.amount", "text", v->amount,
				 "sponsors.field.amount_hint", "off", false, 20, false };
	form_field(&fc, &am);
	struct field_spec gd = { "goods", "sponsors.field.goods", "text", v->goods,
				 "sponsors.field.goods_hint", "off", false, SPONSORS_GOODS_MAX, false };
	form_field(&fc, &gd);
	struct field_spec gv = { "goods_value", "sponsors.field.goods_value", "text", v->goods_value,
				 NULL, "off", false, 20, false };
	form_field(&fc, &gv);
	struct field_spec msg = { "message", "sponsors.field.message", "textarea", v->message, NULL,
				  NULL, false, SPONSORS_MESSAGE_MAX, false };
	form_field(&fc, &msg);
	struct field_spec ln = { "link", "sponsors.field.link", "url", v->link,
				 "sponsors.field.link_hint", "url", false, SPONSORS_LINK_MAX, false };
	form_field(&fc, &ln);
	form_end(&fc, "sponsors.offer.submit");
	view_layout_end(b, req);
}

/* ---- an organisation's offers --------------------------------------------------------------------- */

static void offer_what(struct buf *b, struct request *req, const struct sponsorship *s)
{
	if (strcmp(s->kind, "money") == 0) {
		html_fmt(b, "%s", money(req, s->amount_cents, s->currency));
		return;
	}
	html_fmt(b, "%s : %s", web_t(req, "sponsors.section.in_kind"), s->goods);
	if (s->goods_value_cents > 0)
		html_fmt(b, " (%s %s)", web_t(req, "sponsors.org.value"),
			 money(req, s->goods_value_cents, s->currency));
}

/* One offer as a description list; `received` shows who offered, else to whom. */
static void offer_item(struct buf *b, struct request *req, const struct sponsorship *s, bool received)
{
	struct arena *a = req->arena;
	const char *lang = web_of(req)->lang;
	html_fmt(b, "<li class=\"sponsor-offer\" id=\"offre-%lld\"><h3>", (long long)s->id);
	html_fmt(b, "%s ", received ? s->sponsor_name : s->org_name);
	html_fmt(b, "<span class=\"badge status-%s\">%s</span></h3><dl class=\"facts\">", s->status,
		 web_t(req, arena_printf(a, "sponsors.status.%s", s->status)));
	html_fmt(b, "<dt>%s</dt><dd><a", web_t(req, "sponsors.org.for"));
	html_href(b, view_sponsors_target_url(req, s->target_kind, s->target_slug));
	html_fmt(b, ">%s</a> (%s)</dd>", s->target_title,
		 web_t(req, arena_printf(a, "sponsors.target.%s", s->target_kind)));
	html_fmt(b, "<dt>%s</dt><dd>", web_t(req, "sponsors.org.what"));
	offer_what(b, req, s);
	HTML("</dd>");
	if (*s->message) {
		html_fmt(b, "<dt>%s</dt><dd>", web_t(req, "sponsors.org.message"));
		html_safe(b, html_from_text(a, s->message));
		HTML("</dd>");
	}
	html_fmt(b, "<dt>%s</dt><dd>%s%s%s</dd>", web_t(req, "sponsors.org.by"),
		 *s->created_by_name ? s->created_by_name : "", *s->created_by_name ? ", " : "",
		 time_format_long(a, s->created_at, lang));
	if (*s->decision_note) {
		html_fmt(b, "<dt>%s</dt><dd>", web_t(req, "sponsors.org.note"));
		html_safe(b, html_from_text(a, s->decision_note));
		HTML("</dd>");
	}
	HTML("</dl>");
}

void view_sponsors_org(struct buf *b, struct request *req, const struct sponsors_org_view *v)
{
	struct arena *a = req->arena;
	const struct org *o = v->org;
	const char *title = web_t(req, "sponsors.org.title");
	view_layout_start(b, req, arena_printf(a, "%s · %s", title, o->name));
	html_fmt(b, "<h1>%s</h1><p class=\"lead\"><a", title);
	html_href(b, org_url(req, o->slug, ""));
	html_fmt(b, ">%s</a></p><p class=\"notice\">%s</p>", o->name, web_t(req, "sponsors.org.outside"));
	if (!v->is_receiver && !v->is_sponsor)
		html_fmt(b, "<p>%s</p>", web_t(req, "sponsors.org.not_applicable"));
	if (v->is_receiver) {
		html_fmt(b, "<section aria-labelledby=\"h-received\"><h2 id=\"h-received\">%s</h2>",
			 web_t(req, "sponsors.org.received"));
		if (v->n_received == 0)
			html_fmt(b, "<p>%s</p>", web_t(req, "sponsors.org.none_received"));
		else if (v->can_decide)
			html_fmt(b, "<p class=\"hint\">%s</p>", web_t(req, "sponsors.org.decide_hint"));
		else
			html_fmt(b, "<p class=\"hint\">%s</p>", web_t(req, "sponsors.org.no_rights"));
		if (v->n_received)
			HTML("<ul class=\"sponsor-offers\">");
		for (int i = 0; i < v->n_received; i++) {
			const struct sponsorship *s = &v->received[i];
			offer_item(b, req, s, true);
			if (v->can_decide && strcmp(s->status, "offered") == 0) {
				bool mine = v->fe_id == s->id;
				struct form_ctx fc = { b, req, mine ? v->fe : NULL,
						       arena_printf(a, "o%lld-", (long long)s->id) };
				form_start(&fc, org_url(req, o->slug, arena_printf(a, "/parrainages/%lld/decision",
										   (long long)s->id)), false);
				struct field_spec note = { "note", "sponsors.field.note", "textarea",
							   mine ? v->note : "", NULL, NULL, false,
							   SPONSORS_NOTE_MAX, false };
				form_field(&fc, &note);
				html_fmt(b, "<div class=\"actions\"><button type=\"submit\" name=\"decision\""
					    " value=\"accept\">%s</button> <button type=\"submit\""
					    " name=\"decision\" value=\"decline\" class=\"secondary\">%s"
					    "</button></div></form>",
					 web_t(req, "sponsors.org.accept"), web_t(req, "sponsors.org.decline"));
			}
			HTML("</li>");
		}
		if (v->n_received)
			HTML("</ul>");
		HTML("</section>");
	}
	if (v->is_sponsor) {
		html_fmt(b, "<section aria-labelledby=\"h-made\"><h2 id=\"h-made\">%s</h2>",
			 web_t(req, "sponsors.org.made"));
		if (v->n_made == 0)
			html_fmt(b, "<p>%s</p>", web_t(req, "sponsors.org.none_made"));
		else
			HTML("<ul class=\"sponsor-offers\">");
		for (int i = 0; i < v->n_made; i++) {
			const struct sponsorship *s = &v->made[i];
			offer_item(b, req, s, false);
			if (v->can_withdraw && strcmp(s->status, "offered") == 0)
				form_button(b, req, org_url(req, o->slug, arena_printf(a, "/parrainages/%lld/retirer",
										       (long long)s->id)),
					    "sponsors.org.withdraw", "secondary");
			HTML("</li>");
		}
		if (v->n_made)
			HTML("</ul>");
		HTML("</section>");
	}
	view_layout_end(b, req);
}
