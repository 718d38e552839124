/* balance.c (views): the balance page of an organisation (sources, methods, reconciliation, what is owed) and its CSV book */
#include "web/views/balance.h"
#include "web/views/attendees.h"
#include "web/html.h"
#include "core/tickets.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *money(struct request *req, int64_t cents, const char *currency)
{
	return tickets_money_format(req->arena, cents, currency && *currency ? currency : "EUR",
				    web_of(req)->lang);
}

static const char *org_path(struct request *req, const struct org *o, const char *tail)
{
	return arena_printf(req->arena, "/organisations/%s%s", url_arg(req->arena, o->slug), tail);
}

/* A provider in words; one this file does not know (a new provider) by its name. */
static const char *provider_words(struct request *req, const char *provider)
{
	static const char *const known[] = { "onsite", "transfer", "stripe", "demo", "cash",
					     "cheque", "free", "payout" };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(provider, known[i]) == 0)
			return web_t(req, arena_printf(req->arena, "balance.method.%s", provider));
	return provider;
}

static const char *source_words(struct request *req, const char *source)
{
	return web_t(req, arena_printf(req->arena, "balance.source.%s", source));
}

static void table_start(struct buf *b, struct request *req, const char *caption_key,
			const char *first_col_key)
{
	const char *label = web_t(req, caption_key);
	html_fmt(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
		    "<table class=\"data balance\"><caption>%s</caption><thead><tr>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
		 label, label, web_t(req, first_col_key), web_t(req, "balance.col.in"),
		 web_t(req, "balance.col.back"), web_t(req, "balance.col.fees"),
		 web_t(req, "balance.col.net"));
}

static void amounts(struct buf *b, struct request *req, const struct balance_line *l,
		    const char *currency)
{
	html_fmt(b, "<td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
		    "<td class=\"num\">%s</td>",
		 money(req, l->in_cents, currency), money(req, l->back_cents, currency),
		 money(req, l->fees_cents, currency), money(req, l->net_cents, currency));
}

static void total_row(struct buf *b, struct request *req, const struct balance_line *t,
		      const char *currency)
{
	html_fmt(b, "</tbody><tfoot><tr><th scope=\"row\">%s</th>", web_t(req, "balance.total"));
	amounts(b, req, t, currency);
	HTML("</tr></tfoot></table></div>");
}

/* The source's name, a link to where its money is managed. */
static void source_cell(struct buf *b, struct request *req, const struct org *org,
			const struct balance_line *l)
{
	const char *href = NULL, *text = source_words(req, l->source);
	if (strcmp(l->source, "event") == 0 && *l->slug) {
		href = arena_printf(req->arena, "/evenements/%s/participants",
				    url_arg(req->arena, l->slug));
		text = arena_printf(req->arena, "%s : %s", text, l->label);
	} else if (strcmp(l->source, "campaign") == 0 && *l->slug) {
		href = arena_printf(req->arena, "/soutenir/%s", url_arg(req->arena, l->slug));
		text = arena_printf(req->arena, "%s : %s", text, l->label);
	} else if (strcmp(l->source, "membership") == 0) {
		href = org_path(req, org, "/adhesions/gestion");
	} else if (strcmp(l->source, "donation") == 0) {
		href = org_path(req, org, "/dons/reglages");
	}
	HTML("<th scope=\"row\">");
	if (href) {
		HTML("<a");
		html_href(b, href);
		html_fmt(b, ">%s</a>", text);
	} else {
		html_fmt(b, "%s", text);
	}
	HTML("</th>");
}

static void reconciliation(struct buf *b, struct request *req, const struct balance_report *r)
{
	const char *c = r->currency;
	if (r->is_reconciled)
		html_fmt(b, "<p class=\"balance-check ok\" id=\"reconciliation\">%s %s</p>",
			 web_t(req, "balance.check.ok"), money(req, r->payments_cents, c));
	else
		html_fmt(b, "<p class=\"balance-check bad\" id=\"reconciliation\" role=\"alert\">"
			    "%s %s : %s ; %s : %s ; %s : %s ; %s : %s ; %s : %s</p>",
			 web_t(req, "balance.check.bad"), web_t(req, "balance.check.sources"),
			 money(req, r->total.net_cents, c), web_t(req, "balance.check.methods"),
			 money(req, r->methods_net_cents, c), web_t(req, "balance.check.ledger"),
			 money(req, r->ledger_cents, c), web_t(req, "balance.check.payments"),
			 money(req, r->payments_cents, c), web_t(req, "balance.check.payouts"),
			 money(req, r->paid_out_cents, c));
}

static void owed(struct buf *b, struct request *req, const char *org_slug,
		 const struct balance_report *r)
{
	const char *c = r->currency;
	html_fmt(b, "<section aria-labelledby=\"h-owed\"><h2 id=\"h-owed\">%s</h2><dl class=\"facts\">",
		 web_t(req, "balance.owed"));
	html_fmt(b, "<div><dt>%s</dt><dd>%lld (%s)</dd></div>", web_t(req, "balance.owed.by_hand"),
		 (long long)r->refunds_by_hand, money(req, r->refunds_by_hand_cents, c));
	html_fmt(b, "<div><dt>%s</dt><dd>%lld (%s)</dd></div>", web_t(req, "balance.owed.pending"),
		 (long long)r->refunds_pending, money(req, r->refunds_pending_cents, c));
	html_fmt(b, "<div><dt>%s</dt><dd>%lld (%s)</dd></div></dl>",
		 web_t(req, "balance.owed.transfers"), (long long)r->transfers_pending,
		 money(req, r->transfers_pending_cents, c));
	if (r->nrefunds) {
		const char *label = web_t(req, "balance.refunds");
		html_fmt(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
			    "<table class=\"data\"><caption>%s</caption><thead><tr>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "</tr></thead><tbody>",
			 label, label, web_t(req, "balance.col.date"), web_t(req, "balance.col.who"),
			 web_t(req, "balance.col.reference"), web_t(req, "balance.col.method"),
			 web_t(req, "balance.col.amount"), web_t(req, "balance.col.action"));
		for (int i = 0; i < r->nrefunds; i++) {
			const struct balance_refund *x = &r->refunds[i];
			html_fmt(b, "<tr><td>%s</td><th scope=\"row\">%s</th><td>",
				 time_format_date(req->arena, x->created_at), x->name);
			if (x->order_id && *x->event_slug) {
				HTML("<a");
				html_href(b, arena_printf(req->arena, "/evenements/%s/participants/%lld",
							  url_arg(req->arena, x->event_slug),
							  (long long)x->order_id));
				html_fmt(b, ">%s</a>", x->order_code);
			} else {
				html_fmt(b, "%s", x->order_code);
			}
			html_fmt(b, "</td><td>%s</td><td class=\"num\">%s</td><td>",
				 provider_words(req, x->provider), money(req, x->amount_cents, x->currency));
			/* Once the money went back by hand (transfer, cash), the treasurer says so. */
			form_button(b, req,
				    arena_printf(req->arena, "/organisations/%s/comptes/remboursements/%lld/fait",
						 url_arg(req->arena, org_slug), (long long)x->id),
				    "balance.refund.done", "secondary");
			HTML("</td></tr>");
		}
		HTML("</tbody></table></div>");
	}
	HTML("</section>");
}

static const char *const payout_labels[] = {
	"amount", "balance.payout.amount", "paid_on", "balance.payout.paid_on",
	"reference", "balance.payout.reference", "note", "balance.payout.note",
	"idempotency_key", "balance.payout.title", NULL,
};

static void payout_form(struct buf *b, struct request *req, const struct org *org,
			const struct balance_payout_form *pf)
{
	html_fmt(b, "<h3 id=\"h-payout-form\">%s</h3>", web_t(req, "balance.payout.title"));
	if (pf->error_key)
		html_fmt(b, "<p class=\"error\" role=\"alert\">%s</p>", web_t(req, pf->error_key));
	struct form_ctx f = { b, req, pf->fe, "payout-" };
	form_start(&f, org_path(req, org, "/comptes/versements"), false);
	form_errors_summary(&f, payout_labels);
	form_hidden(&f, "idem", pf->idem);
	form_field(&f, &(struct field_spec){ .name = "amount", .label_key = "balance.payout.amount",
		.type = "text", .value = pf->refill ? http_form(req, "amount") : "",
		.hint_key = "balance.payout.amount_hint", .required = true, .maxlength = 20 });
	form_field(&f, &(struct field_spec){ .name = "paid_on", .label_key = "balance.payout.paid_on",
		.type = "date", .value = pf->refill ? http_form(req, "paid_on") : "",
		.hint_key = "balance.payout.paid_on_hint", .required = true, .maxlength = 10 });
	form_field(&f, &(struct field_spec){ .name = "reference",
		.label_key = "balance.payout.reference", .type = "text",
		.value = pf->refill ? http_form(req, "reference") : "", .maxlength = 140 });
	form_field(&f, &(struct field_spec){ .name = "note", .label_key = "balance.payout.note",
		.type = "textarea", .value = pf->refill ? http_form(req, "note") : "",
		.maxlength = 1000 });
	form_end(&f, "balance.payout.submit");
}

/* What the platform collected online and paid on to the organisation. */
static void payouts(struct buf *b, struct request *req, const struct org *org,
		    const struct balance_report *r, const struct balance_payout_form *pf)
{
	const char *c = r->currency;
	html_fmt(b, "<section aria-labelledby=\"h-payouts\" id=\"versements\"><h2 id=\"h-payouts\">%s</h2>"
		    "<p class=\"hint\">%s</p><dl class=\"facts\">",
		 web_t(req, "balance.payouts"), web_t(req, "balance.payouts.hint"));
	html_fmt(b, "<div><dt>%s</dt><dd id=\"payout-online\">%s</dd></div>",
		 web_t(req, "balance.payouts.online"), money(req, r->online_cents, c));
	html_fmt(b, "<div><dt>%s</dt><dd id=\"payout-paid\">%s</dd></div>",
		 web_t(req, "balance.payouts.paid"), money(req, r->paid_out_cents, c));
	html_fmt(b, "<div><dt>%s</dt><dd id=\"payout-owed\">%s</dd></div></dl>",
		 web_t(req, "balance.payouts.owed"), money(req, r->owed_cents, c));
	if (r->npayouts) {
		const char *label = web_t(req, "balance.payouts.list");
		html_fmt(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
			    "<table class=\"data payouts\"><caption>%s</caption><thead><tr>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
			 label, label, web_t(req, "balance.payout.paid_on"),
			 web_t(req, "balance.col.amount"), web_t(req, "balance.payout.reference"),
			 web_t(req, "balance.payout.note"), web_t(req, "balance.payout.by"));
		for (int i = 0; i < r->npayouts; i++) {
			const struct balance_payout *x = &r->payouts[i];
			html_fmt(b, "<tr><th scope=\"row\">%s</th><td class=\"num\">%s</td><td>%s</td>"
				    "<td>%s</td><td>%s</td></tr>",
				 x->paid_on, money(req, x->amount_cents, x->currency), x->reference,
				 x->note, x->by_name);
		}
		HTML("</tbody></table></div>");
	} else {
		html_fmt(b, "<p>%s</p>", web_t(req, "balance.payouts.none"));
	}
	if (pf)
		payout_form(b, req, org, pf);
	HTML("</section>");
}

void view_balance(struct buf *b, struct request *req, const struct org *org,
		  const struct balance_report *r, const struct balance_payout_form *pf)
{
	const char *title = arena_printf(req->arena, "%s — %s", web_t(req, "balance.title"), org->name);
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1><p class=\"hint\">%s</p>", title, web_t(req, "balance.hint"));
	reconciliation(b, req, r);
	HTML("<p><a class=\"button secondary\"");
	html_href(b, org_path(req, org, "/comptes.csv"));
	html_fmt(b, " download>%s</a></p>", web_t(req, "balance.csv"));

	html_fmt(b, "<section aria-labelledby=\"h-sources\"><h2 id=\"h-sources\">%s</h2>",
		 web_t(req, "balance.by_source"));
	if (!r->nsources) {
		html_fmt(b, "<p>%s</p>", web_t(req, "balance.empty"));
	} else {
		table_start(b, req, "balance.by_source", "balance.col.source");
		for (int i = 0; i < r->nsources; i++) {
			HTML("<tr>");
			source_cell(b, req, org, &r->sources[i]);
			amounts(b, req, &r->sources[i], r->currency);
			HTML("</tr>");
		}
		total_row(b, req, &r->total, r->currency);
	}
	HTML("</section>");

	html_fmt(b, "<section aria-labelledby=\"h-methods\"><h2 id=\"h-methods\">%s</h2>",
		 web_t(req, "balance.by_method"));
	if (r->nmethods) {
		table_start(b, req, "balance.by_method", "balance.col.method");
		struct balance_line t = { .in_cents = 0 };
		for (int i = 0; i < r->nmethods; i++) {
			const struct balance_line *l = &r->methods[i];
			html_fmt(b, "<tr><th scope=\"row\">%s</th>", provider_words(req, l->source));
			amounts(b, req, l, r->currency);
			HTML("</tr>");
			t.in_cents += l->in_cents;
			t.back_cents += l->back_cents;
			t.fees_cents += l->fees_cents;
			t.net_cents += l->net_cents;
		}
		total_row(b, req, &t, r->currency);
	} else {
		html_fmt(b, "<p>%s</p>", web_t(req, "balance.empty"));
	}
	HTML("</section>");
	owed(b, req, org->slug, r);
	payouts(b, req, org, r, pf);
	view_layout_end(b, req);
}

/* ---- the CSV book ---------------------------------------------------------------------------- */

void view_balance_csv_start(struct buf *b, struct request *req)
{
	buf_puts(b, "\xEF\xBB\xBF");
	static const char *const cols[] = { "balance.col.date", "balance.col.kind",
		"balance.col.source", "balance.col.label", "balance.col.reference",
		"balance.col.method", "balance.col.amount", "balance.col.currency" };
	for (int i = 0; i < 8; i++)
		view_csv_field(b, web_t(req, cols[i]), i == 7);
}

/* "-12,50": the decimal comma French spreadsheets read as a number. */
static const char *csv_amount(struct request *req, int64_t cents)
{
	uint64_t u = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	return arena_printf(req->arena, "%s%llu,%02llu", cents < 0 ? "-" : "",
			    (unsigned long long)(u / 100), (unsigned long long)(u % 100));
}

/* The territory's local time (the process runs in its zone, as sales.c assumes). */
static const char *csv_time(struct request *req, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];
	localtime_r(&tt, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M", &tm);
	return arena_strdup(req->arena, s);
}

void view_balance_csv_rows(struct buf *b, struct request *req, const struct balance_row *v, int n)
{
	for (int i = 0; i < n; i++) {
		const struct balance_row *r = &v[i];
		view_csv_field(b, csv_time(req, r->created_at), false);
		view_csv_field(b, web_t(req, arena_printf(req->arena, "balance.kind.%s", r->kind)), false);
		view_csv_field(b, source_words(req, r->source), false);
		view_csv_field(b, r->label, false);
		view_csv_field(b, r->reference, false);
		view_csv_field(b, provider_words(req, r->provider), false);
		/* Written as it is: view_csv_field would put an apostrophe before
		 * the minus sign of money out, and a number of ours is no formula. */
		buf_puts(b, csv_amount(req, r->amount_cents));
		buf_puts(b, ";");
		view_csv_field(b, r->currency, true);
	}
}

/* ---- "Mes dons" ------------------------------------------------------------------------------ */

void view_my_donations(struct buf *b, struct request *req, const struct donation *v, int n)
{
	view_my_donations_all(b, req, v, n, NULL);
}

/* ---- recurring donations: "Mes dons mensuels" and the annual receipts ------------------------ */

static void my_monthly(struct buf *b, struct request *req, const struct my_monthly_view *m)
{
	struct web *w = web_of(req);
	if (m->n_monthly) {
		const char *label = web_t(req, "recurring.mine.title");
		html_fmt(b, "<h2 id=\"mensuels\">%s</h2>", label);
		html_fmt(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
			    "<table class=\"data monthly\"><caption>%s</caption><thead><tr>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
			 label, label, web_t(req, "mydonations.col.org"), web_t(req, "recurring.col.monthly"),
			 web_t(req, "mydonations.col.state"), web_t(req, "recurring.col.next"),
			 web_t(req, "recurring.col.action"));
		for (int i = 0; i < m->n_monthly; i++) {
			const struct recurring_donation *r = &m->monthly[i];
			bool running = strcmp(r->status, "active") == 0 || strcmp(r->status, "pending") == 0;
			html_fmt(b, "<tr><th scope=\"row\">%s</th><td class=\"num\">%s</td><td>%s</td><td>",
				 r->org_name, money(req, r->amount_cents, r->currency),
				 web_t(req, arena_printf(req->arena, "recurring.status.%s", r->status)));
			if (strcmp(r->status, "active") == 0)
				html_fmt(b, "%s", time_format_long(req->arena, r->next_charge_at, w->lang));
			HTML("</td><td>");
			if (running)
				form_button(b, req, arena_printf(req->arena, "/compte/dons/mensuels/%lld/arret",
								 (long long)r->id),
					    "recurring.stop.button", "button small");
			HTML("</td></tr>");
		}
		HTML("</tbody></table></div>");
	}
	if (m->n_years) {
		const char *label = web_t(req, "recurring.annual.title");
		html_fmt(b, "<h2 id=\"recus-annuels\">%s</h2><p>%s</p>", label,
			 web_t(req, "recurring.annual.lead"));
		html_fmt(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
			    "<table class=\"data\"><caption>%s</caption><thead><tr>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "<th scope=\"col\">%s</th></tr></thead><tbody>",
			 label, label, web_t(req, "mydonations.col.org"), web_t(req, "recurring.col.year"),
			 web_t(req, "recurring.col.total"), web_t(req, "mydonations.col.receipt"));
		for (int i = 0; i < m->n_years; i++) {
			const struct recurring_year *y = &m->years[i];
			html_fmt(b, "<tr><th scope=\"row\">%s</th><td>%d</td><td class=\"num\">%s</td><td>",
				 y->org_name, y->fiscal_year, money(req, y->total_cents, y->currency));
			if (y->receipt_id) {
				HTML("<a");
				html_href(b, arena_printf(req->arena, "/compte/dons/recus-annuels/%lld/recu.pdf",
							  (long long)y->receipt_id));
				html_fmt(b, ">%s %s</a>", web_t(req, "mydonations.receipt"), y->number_text);
			} else if (y->fiscal_year < m->current_year) {
				form_button(b, req, arena_printf(req->arena, "/compte/dons/recus-annuels/%lld/%d",
								 (long long)y->org_id, y->fiscal_year),
					    "recurring.annual.ask", "button small");
			} else {
				html_fmt(b, "%s", web_t(req, "recurring.annual.january"));
			}
			HTML("</td></tr>");
		}
		HTML("</tbody></table></div>");
	}
}

void view_my_donations_all(struct buf *b, struct request *req, const struct donation *v, int n,
			   const struct my_monthly_view *m)
{
	struct web *w = web_of(req);
	const char *title = web_t(req, "mydonations.title");
	view_layout_start(b, req, title);
	html_fmt(b, "<h1>%s</h1>", title);
	if (!n) {
		html_fmt(b, "<p>%s</p>", web_t(req, "mydonations.none"));
		view_layout_end(b, req);
		return;
	}
	if (m)
		my_monthly(b, req, m);
	const char *label = web_t(req, "mydonations.caption");
	if (m && (m->n_monthly || m->n_years))
		html_fmt(b, "<h2 id=\"tous\">%s</h2>", label);
	html_fmt(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
		    "<table class=\"data\"><caption>%s</caption><thead><tr>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
		 label, label, web_t(req, "balance.col.date"), web_t(req, "mydonations.col.org"),
		 web_t(req, "balance.col.amount"), web_t(req, "mydonations.col.state"),
		 web_t(req, "mydonations.col.receipt"));
	for (int i = 0; i < n; i++) {
		const struct donation *d = &v[i];
		/* The donation's page carries its secret: the donor's own link. */
		const char *page = arena_printf(req->arena, "/dons/%s", d->secret);
		html_fmt(b, "<tr><td>%s</td><th scope=\"row\"><a",
			 time_format_long(req->arena, d->created_at, w->lang));
		html_href(b, page);
		html_fmt(b, ">%s</a></th><td class=\"num\">%s</td><td>%s</td><td>", d->org_name,
			 money(req, d->amount_cents, d->currency),
			 web_t(req, arena_printf(req->arena, "mydonations.state.%s", d->status)));
		if (d->has_receipt) {
			HTML("<a");
			html_href(b, arena_printf(req->arena, "%s/recu.pdf", page));
			html_fmt(b, ">%s %s</a>", web_t(req, "mydonations.receipt"), d->receipt_number);
		} else if (d->recurring_id) {
			html_fmt(b, "%s", web_t(req, "recurring.mine.annual_receipt"));
		} else {
			html_fmt(b, "%s", web_t(req, "mydonations.no_receipt"));
		}
		HTML("</td></tr>");
	}
	HTML("</tbody></table></div>");
	view_layout_end(b, req);
}
