/* routes.c: the one table of page routes, and the dispatcher that loads the visitor's context.
 *
 * Everything a page may rely on is settled here, once: the database
 * connection, the language, the CSRF token, the session, the flash
 * message, log-in requirement and the CSRF check of POST forms. */
#include "pages.h"
#include "web/views/views.h"
#include "api/api.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "core/sessions.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static const struct route routes[] = {
	{ "GET",  "/",                         web_home, 0 },
	{ "GET",  "/actualites",               web_posts_wall, 0 },
	{ "GET",  "/soutenir",                 web_campaigns_list, 0 },
	{ "GET",  "/adhesions",                web_memberships_index, 0 },
	{ "GET",  "/nous-contacter",           web_contact, 0 },
	{ "POST", "/preferences",              web_prefs_set, R_CSRF },

	/* accounts */
	{ "GET",  "/inscription",              web_accounts_signup_form, 0 },
	{ "POST", "/inscription",              web_accounts_signup, R_CSRF },
	{ "GET",  "/compte/verifier",          web_accounts_verify_form, 0 },
	{ "POST", "/compte/verifier",          web_accounts_verify, R_CSRF },
	{ "GET",  "/connexion",                web_accounts_login_form, 0 },
	{ "POST", "/connexion",                web_accounts_login, R_CSRF },
	{ "POST", "/deconnexion",              web_accounts_logout, R_CSRF },
	{ "GET",  "/mot-de-passe-oublie",      web_accounts_reset_request_form, 0 },
	{ "POST", "/mot-de-passe-oublie",      web_accounts_reset_request, R_CSRF },
	{ "GET",  "/mot-de-passe/nouveau",     web_accounts_reset_form, 0 },
	{ "POST", "/mot-de-passe/nouveau",     web_accounts_reset, R_CSRF },
	{ "GET",  "/compte",                   web_accounts_settings, R_AUTH },
	{ "POST", "/compte/mot-de-passe",      web_accounts_password_change, R_AUTH | R_CSRF },
	{ "POST", "/compte/email",             web_accounts_email_change, R_AUTH | R_CSRF },
	{ "GET",  "/compte/email/confirmer",   web_accounts_email_confirm_form, 0 },
	{ "POST", "/compte/email/confirmer",   web_accounts_email_confirm, R_CSRF },
	{ "POST", "/compte/jetons",            web_accounts_tokens_create, R_AUTH | R_CSRF },
	{ "POST", "/compte/jetons/{id}/revoquer", web_accounts_tokens_revoke, R_AUTH | R_CSRF },
	{ "GET",  "/compte/billets",           web_my_tickets, R_AUTH },

	/* organisations */
	{ "GET",  "/annuaire",                 web_orgs_directory, 0 },
	{ "GET",  "/organisations/nouvelle",   web_orgs_new_form, R_AUTH },
	{ "POST", "/organisations",            web_orgs_create, R_AUTH | R_CSRF },
	{ "GET",  "/organisations/{slug}",     web_orgs_show, 0 },
	{ "GET",  "/organisations/{slug}/modifier", web_orgs_edit_form, R_AUTH },
	{ "POST", "/organisations/{slug}/modifier", web_orgs_update, R_AUTH | R_CSRF },
	{ "GET",  "/organisations/{slug}/logo", web_orgs_logo, 0 },
	{ "POST", "/organisations/{slug}/logo", web_orgs_logo_upload, R_AUTH | R_CSRF },
	{ "GET",  "/organisations/{slug}/membres", web_orgs_members, R_AUTH },
	{ "POST", "/organisations/{slug}/membres/inviter", web_orgs_invite, R_AUTH | R_CSRF },
	{ "POST", "/organisations/{slug}/membres/{id}/role", web_orgs_member_role, R_AUTH | R_CSRF },
	{ "POST", "/organisations/{slug}/membres/{id}/retirer", web_orgs_member_remove, R_AUTH | R_CSRF },
	{ "POST", "/organisations/{slug}/invitations/{id}/revoquer", web_orgs_invitation_revoke, R_AUTH | R_CSRF },
	{ "GET",  "/invitations/{token}",      web_orgs_invitation_show, 0 },
	{ "POST", "/invitations/{token}",      web_orgs_invitation_accept, R_AUTH | R_CSRF },

	/* ---- events: literal paths before /evenements/{slug} (the first match wins) ---- */
	{ "GET",  "/evenements",               web_events_agenda, 0 },
	{ "GET",  "/evenements/passes",        web_events_past, 0 },
	{ "GET",  "/evenements/calendrier",    web_events_calendar, 0 },
	{ "GET",  "/evenements/carte",         web_events_map, 0 },
	{ "GET",  "/evenements/{slug}",        web_events_show, 0 },
	{ "GET",  "/evenements/{slug}/calendrier.ics", web_events_show_ics, 0 },
	{ "GET",  "/evenements/{slug}/image",  web_events_image, 0 },
	{ "GET",  "/evenements/{slug}/modifier", web_events_edit_form, R_AUTH },
	{ "POST", "/evenements/{slug}/modifier", web_events_update, R_AUTH | R_CSRF },
	{ "GET",  "/organisations/{slug}/evenements", web_events_org, 0 },
	{ "POST", "/organisations/{slug}/evenements", web_events_create, R_AUTH | R_CSRF },
	{ "GET",  "/organisations/{slug}/evenements/nouveau", web_events_new_form, R_AUTH },
	{ "GET",  "/organisations/{slug}/agenda.ics", web_events_org_ics, 0 },
	{ "GET",  "/agenda.ics",               web_events_ics, 0 },
	{ "GET",  "/agenda.atom",              web_events_atom, 0 },
	{ "GET",  "/agenda/mes-billets",       web_events_my_feed, R_AUTH },
	{ "POST", "/agenda/mes-billets",       web_events_my_feed_create, R_AUTH | R_CSRF },
	{ "POST", "/agenda/mes-billets/supprimer", web_events_my_feed_revoke, R_AUTH | R_CSRF },
	{ "GET",  "/agenda/mes-billets/{file}", web_events_my_feed_ics, 0 },
	/* ---- end events ---- */

	/* ---- ticket pages (orders.c): the order's secret is the only key ---- */
	{ "POST", "/evenements/{slug}/commander", web_orders_checkout, R_CSRF },
	{ "GET",  "/commandes/{secret}",       web_orders_show, 0 },
	{ "GET",  "/commandes/{secret}/billets.pdf", web_orders_pdf, 0 },
	{ "GET",  "/commandes/{secret}/billets/{file}", web_orders_qr, 0 },
	{ "POST", "/commandes/{secret}/annuler", web_orders_cancel, R_CSRF },
	{ "GET",  "/commandes/{secret}/paiement-demo", web_orders_demo_form, 0 },
	{ "POST", "/commandes/{secret}/paiement-demo", web_orders_demo_pay, R_CSRF },
	{ "GET",  "/commandes/{secret}/retour", web_orders_return, 0 },
	/* Authenticated by the Stripe-Signature header, not by a session: no CSRF. */
	{ "POST", "/paiements/stripe/webhook", web_orders_stripe_webhook, 0 },
	/* ---- end ticket pages ---- */

	/* ---- ticket setup pages (tickets.c): core checks the org rights ---- */
	{ "GET",  "/evenements/{slug}/billetterie", web_tickets_setup, R_AUTH },
	{ "POST", "/evenements/{slug}/billetterie/boutique", web_tickets_shop_save, R_AUTH | R_CSRF },
	{ "POST", "/evenements/{slug}/billetterie/types", web_tickets_type_create, R_AUTH | R_CSRF },
	{ "POST", "/evenements/{slug}/billetterie/jauges", web_tickets_quota_create, R_AUTH | R_CSRF },
	{ "POST", "/evenements/{slug}/billetterie/codes", web_tickets_voucher_create, R_AUTH | R_CSRF },
	{ "POST", "/evenements/{slug}/billetterie/questions", web_tickets_question_create, R_AUTH | R_CSRF },
	/* ---- end ticket setup pages ---- */

	/* ---- attendees pages (attendees.c): core checks the org rights ---- */
	{ "GET",  "/evenements/{slug}/participants", web_attendees_page, R_AUTH },
	{ "GET",  "/evenements/{slug}/participants.csv", web_attendees_csv, R_AUTH },
	{ "POST", "/evenements/{slug}/participants/{id}/payee", web_attendees_mark_paid, R_AUTH | R_CSRF },
	{ "POST", "/evenements/{slug}/participants/{id}/annuler", web_attendees_cancel_order, R_AUTH | R_CSRF },
	{ "GET",  "/evenements/{slug}/annuler", web_attendees_cancel_event_form, R_AUTH },
	{ "POST", "/evenements/{slug}/annuler", web_attendees_cancel_event, R_AUTH | R_CSRF },
	/* ---- end attendees pages ---- */

	/* ---- check-in (checkin.c) ---- */
	{ "GET",  "/evenements/{slug}/controle", web_checkin_page, R_AUTH },
	{ "POST", "/evenements/{slug}/controle", web_checkin_scan, R_AUTH | R_CSRF },
	{ "POST", "/evenements/{slug}/controle/encaisser", web_checkin_pay, R_AUTH | R_CSRF },
	{ "POST", "/evenements/{slug}/controle/annuler", web_checkin_undo, R_AUTH | R_CSRF },
	{ "POST", "/evenements/{slug}/controle/vente", web_checkin_sell, R_AUTH | R_CSRF },
	{ "GET",  "/evenements/{slug}/controle/compteurs", web_checkin_counts, R_AUTH },
	/* ---- end check-in ---- */

	/* ---- back office (attendees.c / sales) ---- */
	{ "POST", "/evenements/{slug}/participants/commande", web_attendees_manual_order, R_AUTH | R_CSRF },
	{ "GET",  "/evenements/{slug}/participants/{id}", web_attendees_order, R_AUTH },
	{ "GET",  "/evenements/{slug}/participants/{id}/annuler", web_attendees_cancel_order_form, R_AUTH },
	{ "POST", "/evenements/{slug}/participants/{id}/renvoyer", web_attendees_resend, R_AUTH | R_CSRF },
	{ "POST", "/evenements/{slug}/participants/{id}/billets/{ticket}/nom", web_attendees_rename, R_AUTH | R_CSRF },
	/* ---- end back office ---- */

	/* ---- ticket editing and waiting list (tickets.c / waitlist.c) ---- */
	{ "GET",  "/evenements/{slug}/billetterie/types/{id}", web_tickets_type_edit_form, R_AUTH },
	{ "POST", "/evenements/{slug}/billetterie/types/{id}", web_tickets_type_update, R_AUTH | R_CSRF },
	{ "GET",  "/evenements/{slug}/billetterie/types/{id}/archiver", web_tickets_type_archive_form, R_AUTH },
	{ "POST", "/evenements/{slug}/billetterie/types/{id}/archiver", web_tickets_type_archive, R_AUTH | R_CSRF },
	{ "GET",  "/evenements/{slug}/billetterie/jauges/{id}", web_tickets_quota_edit_form, R_AUTH },
	{ "POST", "/evenements/{slug}/billetterie/jauges/{id}", web_tickets_quota_update, R_AUTH | R_CSRF },
	{ "POST", "/evenements/{slug}/billetterie/jauges/{id}/supprimer", web_tickets_quota_delete, R_AUTH | R_CSRF },
	{ "POST", "/evenements/{slug}/billetterie/codes/{id}/desactiver", web_tickets_voucher_disable, R_AUTH | R_CSRF },
	{ "POST", "/evenements/{slug}/billetterie/questions/{id}/supprimer", web_tickets_question_delete, R_AUTH | R_CSRF },
	/* The waiting list: guests may join; the entry's token is the only key. */
	{ "POST", "/evenements/{slug}/liste-attente", web_waitlist_join, R_CSRF },
	{ "GET",  "/liste-attente/{token}",    web_waitlist_show, 0 },
	{ "GET",  "/liste-attente/{token}/quitter", web_waitlist_leave_form, 0 },
	{ "POST", "/liste-attente/{token}/quitter", web_waitlist_leave, R_CSRF },
	/* ---- end ticket editing and waiting list ---- */

	/* ---- ticketing API (api tickets.c / orders.c) ---- */
	/* ---- end ticketing API ---- */

	/* ---- donations (donations.c) ---- */
	{ "GET",  "/organisations/{slug}/don", web_donations_form, 0 },
	{ "POST", "/organisations/{slug}/don", web_donations_give, R_CSRF },
	{ "GET",  "/organisations/{slug}/dons/reglages", web_donations_settings_form, R_AUTH },
	{ "POST", "/organisations/{slug}/dons/reglages", web_donations_settings_save, R_AUTH | R_CSRF },
	{ "POST", "/organisations/{slug}/dons/verifier", web_donations_fiscal_check, R_AUTH | R_CSRF },
	{ "POST", "/organisations/{slug}/dons/{id}/virement-recu", web_donations_mark_paid, R_AUTH | R_CSRF },
	{ "GET",  "/dons/{secret}",            web_donations_show, 0 },
	{ "GET",  "/dons/{secret}/recu.pdf",   web_donations_receipt_pdf, 0 },
	{ "GET",  "/dons/{secret}/paiement-demo", web_donations_demo_form, 0 },
	{ "POST", "/dons/{secret}/paiement-demo", web_donations_demo_pay, R_CSRF },
	/* ---- end donations ---- */

	/* ---- campaigns (campaigns.c) ---- */
	{ "GET",  "/soutenir/{slug}",          web_campaigns_show, 0 },
	{ "POST", "/soutenir/{slug}/contribuer", web_campaigns_contribute, R_CSRF },
	{ "GET",  "/soutenir/{slug}/image",   web_campaigns_image, 0 },
	{ "GET",  "/soutenir/{slug}/modifier", web_campaigns_edit, R_AUTH },
	{ "POST", "/soutenir/{slug}/modifier", web_campaigns_update, R_AUTH | R_CSRF },
	{ "POST", "/soutenir/{slug}/contreparties", web_campaigns_tier_add, R_AUTH | R_CSRF },
	{ "POST", "/soutenir/{slug}/actualites", web_campaigns_post_update, R_AUTH | R_CSRF },
	{ "GET",  "/organisations/{slug}/campagnes", web_campaigns_of_org, R_AUTH },
	{ "GET",  "/organisations/{slug}/campagnes/nouvelle", web_campaigns_new, R_AUTH },
	{ "POST", "/organisations/{slug}/campagnes", web_campaigns_create, R_AUTH | R_CSRF },
	{ "GET",  "/contributions/{secret}",   web_campaigns_contribution, 0 },
	{ "GET",  "/contributions/{secret}/paiement-demo", web_campaigns_demo_form, 0 },
	{ "POST", "/contributions/{secret}/paiement-demo", web_campaigns_demo_pay, R_CSRF },
	/* ---- end campaigns ---- */

	/* ---- memberships (memberships.c) ---- */
	{ "GET",  "/organisations/{slug}/adhesion", web_memberships_join_form, 0 },
	{ "POST", "/organisations/{slug}/adhesion", web_memberships_join, R_CSRF },
	{ "GET",  "/organisations/{slug}/adhesions/gestion", web_memberships_manage, R_AUTH },
	{ "GET",  "/organisations/{slug}/adhesions.csv", web_memberships_csv, R_AUTH },
	{ "GET",  "/organisations/{slug}/adhesions/verifier", web_memberships_check, R_AUTH },
	{ "POST", "/organisations/{slug}/adhesions/formules", web_memberships_plan_create, R_AUTH | R_CSRF },
	{ "POST", "/organisations/{slug}/adhesions/formules/{id}", web_memberships_plan_update, R_AUTH | R_CSRF },
	{ "POST", "/organisations/{slug}/adhesions/enregistrer", web_memberships_record, R_AUTH | R_CSRF },
	{ "POST", "/organisations/{slug}/adhesions/ecrire", web_memberships_mailing_preview, R_AUTH | R_CSRF },
	{ "POST", "/organisations/{slug}/adhesions/ecrire/envoyer", web_memberships_mailing_send, R_AUTH | R_CSRF },
	{ "GET",  "/adhesion/{secret}",        web_memberships_show, 0 },
	{ "GET",  "/adhesion/{secret}/carte.pdf", web_memberships_card_pdf, 0 },
	{ "POST", "/adhesion/{secret}/renouveler", web_memberships_renew, R_CSRF },
	{ "GET",  "/adhesion/{secret}/paiement-demo", web_memberships_demo_form, 0 },
	{ "POST", "/adhesion/{secret}/paiement-demo", web_memberships_demo_pay, R_CSRF },
	/* ---- end memberships ---- */

	/* ---- search (search.c) ---- */
	{ "GET",  "/recherche",                web_search, 0 },
	{ "GET",  "/recherche/suggestions",    web_search_suggestions, 0 },
	/* ---- end search ---- */

	/* ---- balance (balance.c) ---- */
	{ "GET",  "/organisations/{slug}/comptes", web_balance_page, R_AUTH },
	{ "GET",  "/organisations/{slug}/comptes.csv", web_balance_csv, R_AUTH },
	{ "POST", "/organisations/{slug}/comptes/remboursements/{id}/fait", web_balance_refund_done, R_AUTH | R_CSRF },
	{ "POST", "/organisations/{slug}/comptes/versements", web_balance_payout, R_AUTH | R_CSRF },
	{ "GET",  "/compte/dons",              web_my_donations, R_AUTH },
	/* ---- end balance ---- */

	/* ---- posts (posts.c) ---- */
	{ "GET",  "/actualites.atom",          web_posts_feed, 0 },
	{ "GET",  "/actualites/nouvelle",      web_posts_citizen_form, R_AUTH },
	{ "POST", "/actualites",               web_posts_citizen_create, R_AUTH | R_CSRF },
	{ "GET",  "/actualites/{slug}",        web_posts_show, 0 },
	{ "GET",  "/actualites/{slug}/images/{n}", web_posts_image_n, 0 },
	{ "GET",  "/actualites/{slug}/images/{n}/vignette", web_posts_thumb_n, 0 },
	{ "GET",  "/organisations/{slug}/actualites.atom", web_posts_org_feed, 0 },
	{ "GET",  "/personnes/{id}",           web_people_show, 0 },
	{ "GET",  "/actualites/{slug}/image",  web_posts_image, 0 },
	{ "GET",  "/actualites/{slug}/modifier", web_posts_edit_form, R_AUTH },
	{ "POST", "/actualites/{slug}/modifier", web_posts_update, R_AUTH | R_CSRF },
	{ "GET",  "/actualites/{slug}/supprimer", web_posts_delete_form, R_AUTH },
	{ "POST", "/actualites/{slug}/supprimer", web_posts_delete, R_AUTH | R_CSRF },
	{ "GET",  "/organisations/{slug}/actualites/nouvelle", web_posts_new_form, R_AUTH },
	{ "POST", "/organisations/{slug}/actualites", web_posts_create, R_AUTH | R_CSRF },
	/* ---- end posts ---- */

	/* ---- comments (comments.c) ---- */
	{ "POST", "/commentaires",             web_comments_create, R_AUTH | R_CSRF },
	{ "GET",  "/commentaires/{id}",        web_comments_goto, 0 },
	{ "GET",  "/commentaires/{id}/modifier", web_comments_edit_form, R_AUTH },
	{ "POST", "/commentaires/{id}/modifier", web_comments_update, R_AUTH | R_CSRF },
	{ "GET",  "/commentaires/{id}/supprimer", web_comments_delete_form, R_AUTH },
	{ "POST", "/commentaires/{id}/supprimer", web_comments_delete, R_AUTH | R_CSRF },
	{ "POST", "/reactions",                web_comments_react, R_AUTH | R_CSRF },
	/* ---- end comments ---- */

	/* ---- follows (follows.c / feed) ---- */
	{ "POST", "/organisations/{slug}/suivre", web_follows_org, R_AUTH | R_CSRF },
	{ "GET",  "/organisations/{slug}/abonnes", web_follows_supporters, R_AUTH },
	{ "POST", "/personnes/{id}/suivre",    web_follows_person, R_AUTH | R_CSRF },
	{ "GET",  "/compte/abonnements",       web_follows_mine, R_AUTH },
	{ "POST", "/compte/abonnements",       web_follows_mine_update, R_AUTH | R_CSRF },
	{ "POST", "/actualites/{slug}/annoncer", web_follows_announce_post, R_AUTH | R_CSRF },
	{ "POST", "/actualites/{slug}/epingler", web_follows_pin_post, R_AUTH | R_CSRF },
	{ "POST", "/evenements/{slug}/annoncer", web_follows_announce_event, R_AUTH | R_CSRF },
	/* One-click unsubscribe (RFC 8058): the mail client's POST has no session
	 * and no CSRF token; the secret token in the URL is the proof. */
	{ "GET",  "/desabonnement/{token}",    web_follows_unsubscribe_form, 0 },
	{ "POST", "/desabonnement/{token}",    web_follows_unsubscribe, 0 },
	/* ---- end follows ---- */

	/* ---- terroir (products.c) ---- */
	{ "GET",  "/produits",                 web_products_list, 0 },
	{ "GET",  "/produits/{slug}",          web_products_show, 0 },
	{ "GET",  "/produits/{slug}/modifier", web_products_edit_form, R_AUTH },
	{ "POST", "/produits/{slug}/modifier", web_products_update, R_AUTH | R_CSRF },
	{ "GET",  "/produits/{slug}/supprimer", web_products_delete_form, R_AUTH },
	{ "POST", "/produits/{slug}/supprimer", web_products_delete, R_AUTH | R_CSRF },
	{ "GET",  "/organisations/{slug}/produits", web_products_manage, R_AUTH },
	{ "GET",  "/organisations/{slug}/produits/nouveau", web_products_new_form, R_AUTH },
	{ "POST", "/organisations/{slug}/produits", web_products_create, R_AUTH | R_CSRF },
	{ "GET",  "/labels",                   web_labels_index, 0 },
	{ "GET",  "/labels/{slug}",            web_labels_show, 0 },
	{ "GET",  "/marches",                  web_markets_list, 0 },
	{ "GET",  "/marches/{slug}",           web_markets_show, 0 },
	{ "GET",  "/admin/labels",             web_labels_admin, R_AUTH },
	{ "POST", "/admin/labels",             web_labels_create, R_AUTH | R_CSRF },
	{ "POST", "/admin/marches",            web_markets_create, R_AUTH | R_CSRF },
	/* ---- end terroir ---- */

	/* ---- directory (directory extras, contact forms) ---- */
	{ "GET",  "/annuaire/carte",           web_orgs_map, 0 },
	{ "POST", "/nous-contacter",           web_contact_send, R_CSRF },
	{ "POST", "/organisations/{slug}/contact", web_orgs_contact, R_CSRF },
	{ "GET",  "/organisations/{slug}/horaires", web_directory_hours_form, R_AUTH },
	{ "POST", "/organisations/{slug}/horaires", web_directory_hours_save, R_AUTH | R_CSRF },
	{ "GET",  "/organisations/{slug}/position", web_directory_place_form, R_AUTH },
	{ "POST", "/organisations/{slug}/position", web_directory_position_save, R_AUTH | R_CSRF },
	{ "POST", "/organisations/{slug}/liens", web_directory_links_save, R_AUTH | R_CSRF },
	/* ---- end directory ---- */

	/* ---- practical (practical.c) ---- */
	{ "GET",  "/infos-pratiques",                    web_practical_index, 0 },
	{ "GET",  "/infos-pratiques/nouvelle",           web_practical_new_form, R_AUTH },
	{ "POST", "/infos-pratiques/nouvelle",           web_practical_create, R_AUTH | R_CSRF },
	{ "GET",  "/infos-pratiques/{slug}",             web_practical_show, 0 },
	{ "GET",  "/infos-pratiques/{slug}/modifier",    web_practical_edit_form, R_AUTH },
	{ "POST", "/infos-pratiques/{slug}/modifier",    web_practical_update, R_AUTH | R_CSRF },
	{ "GET",  "/infos-pratiques/{slug}/supprimer",   web_practical_delete_form, R_AUTH },
	{ "POST", "/infos-pratiques/{slug}/supprimer",   web_practical_delete, R_AUTH | R_CSRF },
	/* ---- end practical ---- */

	/* ---- recurring donations (donations) ---- */
	{ "GET",  "/dons/mensuel/{token}",     web_recurring_stop_form, 0 },
	{ "POST", "/dons/mensuel/{token}",     web_recurring_stop_token, R_CSRF },
	{ "POST", "/compte/dons/mensuels/{id}/arret", web_recurring_stop, R_AUTH | R_CSRF },
	{ "GET",  "/compte/dons/recus-annuels/{id}/recu.pdf", web_recurring_annual_pdf, R_AUTH },
	{ "POST", "/compte/dons/recus-annuels/{org}/{year}", web_recurring_annual_request, R_AUTH | R_CSRF },
	/* ---- end recurring donations ---- */

	/* ---- sponsorship (sponsors.c) ---- */
	{ "GET",  "/parrainer/{kind}/{slug}",   web_sponsors_offer_form, R_AUTH },
	{ "POST", "/parrainer/{kind}/{slug}",   web_sponsors_offer, R_AUTH | R_CSRF },
	{ "GET",  "/organisations/{slug}/parrainages", web_sponsors_org, R_AUTH },
	{ "POST", "/organisations/{slug}/parrainages/{id}/decision", web_sponsors_decide, R_AUTH | R_CSRF },
	{ "POST", "/organisations/{slug}/parrainages/{id}/retirer", web_sponsors_withdraw, R_AUTH | R_CSRF },
	/* ---- end sponsorship ---- */

	/* ---- moderation (moderation.c) ---- */
	{ "GET",  "/signaler",                 web_moderation_report_form, R_AUTH },
	{ "POST", "/signaler",                 web_moderation_report, R_AUTH | R_CSRF },
	{ "GET",  "/moderation",               web_moderation_queue, R_AUTH },
	{ "GET",  "/moderation/journal",       web_moderation_log, R_AUTH },
	{ "GET",  "/moderation/contenu/{kind}/{id}", web_moderation_target, R_AUTH },
	{ "POST", "/moderation/contenu/{kind}/{id}/masquer", web_moderation_hide, R_AUTH | R_CSRF },
	{ "POST", "/moderation/contenu/{kind}/{id}/retablir", web_moderation_restore, R_AUTH | R_CSRF },
	{ "POST", "/moderation/contenu/{kind}/{id}/classer", web_moderation_dismiss, R_AUTH | R_CSRF },
	{ "GET",  "/moderation/comptes/{id}",  web_moderation_account, R_AUTH },
	{ "POST", "/moderation/comptes/{id}/suspendre", web_moderation_suspend, R_AUTH | R_CSRF },
	{ "POST", "/moderation/comptes/{id}/reactiver", web_moderation_unsuspend, R_AUTH | R_CSRF },
	/* ---- end moderation ---- */
};

static bool use_https;
static char territory_name[200];

void web_init(bool https, const char *name)
{
	use_https = https;
	snprintf(territory_name, sizeof(territory_name), "%s", name ? name : "Kiosque");
}

static bool hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* "kind.key" from the flash cookie, shown once; only catalog keys under flash. pass. */
static void read_flash(struct request *req, struct response *res, struct web *w)
{
	const char *f = http_cookie(req, "kq_flash");
	if (!f)
		return;
	web_cookie(req, res, "kq_flash", "", -1, true);
	const char *dot = strchr(f, '.');
	if (!dot)
		return;
	char *kind = arena_strndup(req->arena, f, (size_t)(dot - f));
	const char *key = dot + 1;
	if ((strcmp(kind, "success") == 0 || strcmp(kind, "error") == 0 ||
	     strcmp(kind, "info") == 0) && str_starts(key, "flash.") && i18n_has(key)) {
		w->flash_kind = kind;
		w->flash_key = arena_strdup(req->arena, key);
	}
}

/* A POST from another site is refused even before the token check, when the
 * browser says where it comes from. */
/* A page served with Referrer-Policy: no-referrer (the order pages, whose
 * URL is their secret) makes Chromium send "Origin: null" with its own
 * forms; Sec-Fetch-Site, which no page can forge, then says whether the
 * form was ours. */
static bool same_origin(struct request *req)
{
	const char *origin = http_header(req, "Origin");
	const char *host = http_header(req, "Host");
	if (origin && strcmp(origin, "null") == 0)
		return str_eq(http_header(req, "Sec-Fetch-Site"), "same-origin");
	if (!origin || !host)
		return origin == NULL;
	const char *p = strstr(origin, "://");
	return p && strcmp(p + 3, host) == 0;
}

static bool csrf_ok(struct request *req, struct web *w)
{
	const char *sent = http_form(req, "_csrf");
	return same_origin(req) && sent && w->csrf && crypto_streq(sent, w->csrf) &&
	       http_cookie(req, "kq_csrf") != NULL;
}

void web_handle(struct request *req, struct response *res)
{
	if (str_starts(req->path, "/static/")) {
		if (!static_serve(req, res))
			http_text(res, 404, "text/plain; charset=utf-8", "Not found.\n");
		return;
	}
	if (strcmp(req->path, "/healthz") == 0) {
		http_text(res, 200, "text/plain; charset=utf-8", "ok\n");
		return;
	}

	struct web *w = arena_alloc(req->arena, sizeof(*w));
	req->app = w;
	w->https = use_https;
	w->territory_name = territory_name;
	const char *lang = http_cookie(req, "kq_lang");
	w->lang = i18n_lang_supported(lang) ? lang : i18n_pick_lang(http_header(req, "Accept-Language"));
	const char *text = http_cookie(req, "kq_text");
	w->large_text = text && strcmp(text, "large") == 0;
	w->db = core_db();

	if (str_starts(req->path, "/api/")) {
		api_handle(req, res);
		return;
	}

	const char *csrf = http_cookie(req, "kq_csrf");
	if (hex64(csrf)) {
		w->csrf = csrf;
	} else {
		char *t = arena_alloc(req->arena, TOKEN_HEX_LEN + 1);
		crypto_token(t);
		w->csrf = t;
		web_cookie(req, res, "kq_csrf", t, 0, true);
	}
	if (!w->db) {
		web_error(req, res, KQ_ERR_INTERNAL);
		return;
	}
	const char *session = http_cookie(req, "kq_session");
	if (session) {
		enum kq_err e = sessions_lookup(w->db, req->arena, session, &w->actor);
		if (e == KQ_OK)
			w->session_token = session;
		else
			web_cookie(req, res, "kq_session", "", -1, true);
		if (w->actor.lang && !lang && i18n_lang_supported(w->actor.lang))
			w->lang = w->actor.lang;
	}
	read_flash(req, res, w);

	const struct route *r;
	switch (router_match(routes, sizeof(routes) / sizeof(routes[0]), req, &r)) {
	case ROUTE_NO_PATH:
		web_error(req, res, KQ_ERR_NOT_FOUND);
		return;
	case ROUTE_WRONG_METHOD:
		web_error(req, res, KQ_ERR_METHOD_NOT_ALLOWED);
		return;
	case ROUTE_FOUND:
		break;
	}
	if ((r->flags & R_CSRF) && !csrf_ok(req, w)) {
		web_error(req, res, KQ_ERR_CSRF);
		return;
	}
	if ((r->flags & R_AUTH) && !w->actor.account_id) {
		const char *next = strcmp(req->method, "GET") == 0 ? req->path : "/";
		http_redirect(res, req->arena,
			      arena_printf(req->arena, "/connexion?suite=%s", url_arg(req->arena, next)));
		return;
	}
	r->handler(req, res);
}

void web_complete(struct request *req, int status)
{
	struct web *w = req->app;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - req->started_us;
	/* Taler's rule: a request that ends with a transaction open is our bug. */
	if (w && w->db && db_in_txn(w->db))
		KQ_BUG("request ended inside a transaction");
	log_info("%s %s %d %lld.%03lldms %s", req->method, req->path, status,
		 (long long)(us / 1000), (long long)(us % 1000), req->remote_addr);
}

void web_refuse(struct request *req, struct response *res, int status)
{
	struct web *w = arena_alloc(req->arena, sizeof(*w));
	enum kq_err e = status == 413 ? KQ_ERR_PAYLOAD_TOO_LARGE
		      : status == 414 ? KQ_ERR_URI_TOO_LONG : KQ_ERR_BAD_REQUEST;
	req->app = w;
	w->lang = i18n_pick_lang(http_header(req, "Accept-Language"));
	w->csrf = "";
	w->territory_name = territory_name;
	w->https = use_https;
	if (str_starts(req->path, "/api/"))
		api_error(req, res, e, NULL);
	else
		web_error(req, res, e);
}
