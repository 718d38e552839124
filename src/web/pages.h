/* pages.h: every page handler, one block per area (same names as the files in src/web/) */
#ifndef KQ_PAGES_H
#define KQ_PAGES_H
#include "web/web.h"

/* home.c, prefs.c */
void web_home(struct request *req, struct response *res);
/* contact.c */
void web_contact(struct request *req, struct response *res);
void web_prefs_set(struct request *req, struct response *res);

/* accounts.c */
void web_accounts_signup_form(struct request *req, struct response *res);
void web_accounts_signup(struct request *req, struct response *res);
void web_accounts_verify_form(struct request *req, struct response *res);
void web_accounts_verify(struct request *req, struct response *res);
void web_accounts_login_form(struct request *req, struct response *res);
void web_accounts_login(struct request *req, struct response *res);
void web_accounts_logout(struct request *req, struct response *res);
void web_accounts_reset_request_form(struct request *req, struct response *res);
void web_accounts_reset_request(struct request *req, struct response *res);
void web_accounts_reset_form(struct request *req, struct response *res);
void web_accounts_reset(struct request *req, struct response *res);
void web_accounts_settings(struct request *req, struct response *res);
void web_accounts_password_change(struct request *req, struct response *res);
void web_accounts_email_change(struct request *req, struct response *res);
void web_accounts_email_confirm_form(struct request *req, struct response *res);
void web_accounts_email_confirm(struct request *req, struct response *res);
void web_accounts_tokens_create(struct request *req, struct response *res);
void web_accounts_tokens_revoke(struct request *req, struct response *res);
/* my_tickets.c */
void web_my_tickets(struct request *req, struct response *res);

/* orgs.c */
void web_orgs_directory(struct request *req, struct response *res);
void web_orgs_new_form(struct request *req, struct response *res);
void web_orgs_create(struct request *req, struct response *res);
void web_orgs_show(struct request *req, struct response *res);
void web_orgs_edit_form(struct request *req, struct response *res);
void web_orgs_update(struct request *req, struct response *res);
void web_orgs_logo(struct request *req, struct response *res);
void web_orgs_logo_upload(struct request *req, struct response *res);
void web_orgs_members(struct request *req, struct response *res);
void web_orgs_invite(struct request *req, struct response *res);
void web_orgs_member_role(struct request *req, struct response *res);
void web_orgs_member_remove(struct request *req, struct response *res);
void web_orgs_invitation_revoke(struct request *req, struct response *res);
void web_orgs_invitation_show(struct request *req, struct response *res);
void web_orgs_invitation_accept(struct request *req, struct response *res);

/* ---- events ---- events.c */
void web_events_agenda(struct request *req, struct response *res);
void web_events_past(struct request *req, struct response *res);
void web_events_calendar(struct request *req, struct response *res);
void web_events_map(struct request *req, struct response *res);
void web_events_show(struct request *req, struct response *res);
void web_events_show_ics(struct request *req, struct response *res);
void web_events_image(struct request *req, struct response *res);
void web_events_new_form(struct request *req, struct response *res);
void web_events_create(struct request *req, struct response *res);
void web_events_edit_form(struct request *req, struct response *res);
void web_events_update(struct request *req, struct response *res);
void web_events_org(struct request *req, struct response *res);
void web_events_org_ics(struct request *req, struct response *res);
void web_events_ics(struct request *req, struct response *res);
void web_events_atom(struct request *req, struct response *res);
void web_events_my_feed(struct request *req, struct response *res);
void web_events_my_feed_create(struct request *req, struct response *res);
void web_events_my_feed_revoke(struct request *req, struct response *res);
void web_events_my_feed_ics(struct request *req, struct response *res);
/* ---- end events ---- */

/* ---- ticket pages ---- orders.c */
void web_orders_checkout(struct request *req, struct response *res);
void web_orders_show(struct request *req, struct response *res);
void web_orders_return(struct request *req, struct response *res);
void web_orders_pdf(struct request *req, struct response *res);
void web_orders_qr(struct request *req, struct response *res);
void web_orders_cancel(struct request *req, struct response *res);
void web_orders_demo_form(struct request *req, struct response *res);
void web_orders_demo_pay(struct request *req, struct response *res);
void web_orders_stripe_webhook(struct request *req, struct response *res);
/* For the event page: loads what view_orders_checkout_form shows for a date
 * of an event (event_date_id 0: every date), with the voucher code of the
 * query (?code=) revealing its hidden types. Everything lives in req's
 * arena. Call it for a ticketed event only (ev.is_ticketed). false (and
 * *out untouched) when the offers cannot be read: then show no form. */
struct orders_form_view;
bool web_orders_form_load(struct request *req, int64_t event_id, const char *event_slug,
			  int64_t event_date_id, struct orders_form_view *out);
/* ---- end ticket pages ---- */

/* ---- ticket setup pages ---- tickets.c */
void web_tickets_setup(struct request *req, struct response *res);
void web_tickets_shop_save(struct request *req, struct response *res);
void web_tickets_type_create(struct request *req, struct response *res);
void web_tickets_quota_create(struct request *req, struct response *res);
void web_tickets_voucher_create(struct request *req, struct response *res);
void web_tickets_question_create(struct request *req, struct response *res);
/* ---- end ticket setup pages ---- */

/* ---- attendees pages ---- attendees.c */
void web_attendees_page(struct request *req, struct response *res);
void web_attendees_csv(struct request *req, struct response *res);
void web_attendees_mark_paid(struct request *req, struct response *res);
void web_attendees_cancel_order(struct request *req, struct response *res);
void web_attendees_cancel_event_form(struct request *req, struct response *res);
void web_attendees_cancel_event(struct request *req, struct response *res);
/* ---- end attendees pages ---- */

/* ---- check-in ---- checkin.c */
void web_checkin_page(struct request *req, struct response *res);
void web_checkin_scan(struct request *req, struct response *res);
void web_checkin_pay(struct request *req, struct response *res);
void web_checkin_undo(struct request *req, struct response *res);
void web_checkin_sell(struct request *req, struct response *res);
void web_checkin_counts(struct request *req, struct response *res);
/* ---- end check-in ---- */

/* ---- back office ---- attendees.c / sales */
void web_attendees_order(struct request *req, struct response *res);
void web_attendees_cancel_order_form(struct request *req, struct response *res);
void web_attendees_resend(struct request *req, struct response *res);
void web_attendees_rename(struct request *req, struct response *res);
void web_attendees_manual_order(struct request *req, struct response *res);
/* ---- end back office ---- */

/* ---- ticket editing and waiting list ---- tickets.c / waitlist.c */
void web_tickets_type_edit_form(struct request *req, struct response *res);
void web_tickets_type_update(struct request *req, struct response *res);
void web_tickets_type_archive_form(struct request *req, struct response *res);
void web_tickets_type_archive(struct request *req, struct response *res);
void web_tickets_quota_edit_form(struct request *req, struct response *res);
void web_tickets_quota_update(struct request *req, struct response *res);
void web_tickets_quota_delete(struct request *req, struct response *res);
void web_tickets_voucher_disable(struct request *req, struct response *res);
void web_tickets_question_delete(struct request *req, struct response *res);
void web_waitlist_join(struct request *req, struct response *res);
void web_waitlist_show(struct request *req, struct response *res);
void web_waitlist_leave_form(struct request *req, struct response *res);
void web_waitlist_leave(struct request *req, struct response *res);
/* orders.c: the ticket form of a waiting-list offer (the page behind its
 * link): its type on its date only, selling the seats held for it. false
 * when the type is no longer on sale there (archived, event cancelled). */
struct waitlist_entry;
bool web_orders_offer_form_load(struct request *req, const struct waitlist_entry *offer,
				const char *event_slug, struct orders_form_view *out);
/* ---- end ticket editing and waiting list ---- */

/* ---- ticketing API ---- api tickets.c / orders.c */
/* ---- end ticketing API ---- */

/* ---- donations ---- donations.c */
void web_donations_form(struct request *req, struct response *res);
void web_donations_give(struct request *req, struct response *res);
void web_donations_show(struct request *req, struct response *res);
void web_donations_receipt_pdf(struct request *req, struct response *res);
void web_donations_demo_form(struct request *req, struct response *res);
void web_donations_demo_pay(struct request *req, struct response *res);
void web_donations_settings_form(struct request *req, struct response *res);
void web_donations_settings_save(struct request *req, struct response *res);
void web_donations_fiscal_check(struct request *req, struct response *res);
void web_donations_mark_paid(struct request *req, struct response *res);
/* ---- end donations ---- */

/* ---- campaigns ---- campaigns.c */
void web_campaigns_list(struct request *req, struct response *res);
void web_campaigns_show(struct request *req, struct response *res);
void web_campaigns_contribute(struct request *req, struct response *res);
void web_campaigns_image(struct request *req, struct response *res);
void web_campaigns_contribution(struct request *req, struct response *res);
void web_campaigns_demo_form(struct request *req, struct response *res);
void web_campaigns_demo_pay(struct request *req, struct response *res);
void web_campaigns_of_org(struct request *req, struct response *res);
void web_campaigns_new(struct request *req, struct response *res);
void web_campaigns_create(struct request *req, struct response *res);
void web_campaigns_edit(struct request *req, struct response *res);
void web_campaigns_update(struct request *req, struct response *res);
void web_campaigns_tier_add(struct request *req, struct response *res);
void web_campaigns_post_update(struct request *req, struct response *res);
/* ---- end campaigns ---- */

/* ---- memberships ---- memberships.c */
void web_memberships_index(struct request *req, struct response *res);
void web_memberships_join_form(struct request *req, struct response *res);
void web_memberships_join(struct request *req, struct response *res);
void web_memberships_show(struct request *req, struct response *res);
void web_memberships_card_pdf(struct request *req, struct response *res);
void web_memberships_renew(struct request *req, struct response *res);
void web_memberships_demo_form(struct request *req, struct response *res);
void web_memberships_demo_pay(struct request *req, struct response *res);
void web_memberships_manage(struct request *req, struct response *res);
void web_memberships_csv(struct request *req, struct response *res);
void web_memberships_check(struct request *req, struct response *res);
void web_memberships_plan_create(struct request *req, struct response *res);
void web_memberships_plan_update(struct request *req, struct response *res);
void web_memberships_record(struct request *req, struct response *res);
void web_memberships_mailing_preview(struct request *req, struct response *res);
void web_memberships_mailing_send(struct request *req, struct response *res);
/* ---- end memberships ---- */

/* ---- search ---- search.c */
void web_search(struct request *req, struct response *res);
void web_search_suggestions(struct request *req, struct response *res);
/* ---- end search ---- */

/* ---- balance ---- balance.c */
void web_balance_page(struct request *req, struct response *res);
void web_balance_csv(struct request *req, struct response *res);
void web_balance_refund_done(struct request *req, struct response *res);
void web_balance_payout(struct request *req, struct response *res);
void web_my_donations(struct request *req, struct response *res);
/* ---- end balance ---- */

/* ---- posts ---- posts.c */
void web_posts_wall(struct request *req, struct response *res);
void web_posts_show(struct request *req, struct response *res);
void web_posts_image(struct request *req, struct response *res);
void web_posts_new_form(struct request *req, struct response *res);
void web_posts_create(struct request *req, struct response *res);
void web_posts_edit_form(struct request *req, struct response *res);
void web_posts_update(struct request *req, struct response *res);
void web_posts_delete_form(struct request *req, struct response *res);
void web_posts_delete(struct request *req, struct response *res);
void web_posts_feed(struct request *req, struct response *res);
void web_posts_org_feed(struct request *req, struct response *res);
void web_posts_citizen_form(struct request *req, struct response *res);
void web_posts_citizen_create(struct request *req, struct response *res);
void web_posts_image_n(struct request *req, struct response *res);
void web_posts_thumb_n(struct request *req, struct response *res);
/* people.c */
void web_people_show(struct request *req, struct response *res);
/* ---- end posts ---- */

/* ---- comments ---- */
/* comments.c: sections for the pages of posts, events and campaigns (empty
 * when the subject is not open to comments), and the comment pages. */
struct safe_html web_comments_section(struct request *req, const char *kind, int64_t subject_id);
struct safe_html web_comments_like_post(struct request *req, int64_t post_id);
void web_comments_create(struct request *req, struct response *res);
void web_comments_goto(struct request *req, struct response *res);
void web_comments_edit_form(struct request *req, struct response *res);
void web_comments_update(struct request *req, struct response *res);
void web_comments_delete_form(struct request *req, struct response *res);
void web_comments_delete(struct request *req, struct response *res);
void web_comments_react(struct request *req, struct response *res);
/* ---- end comments ---- */
/* ---- follows ---- follows.c */
struct org;
struct post;
struct event;
void web_follows_org(struct request *req, struct response *res);
void web_follows_person(struct request *req, struct response *res);
void web_follows_mine(struct request *req, struct response *res);
void web_follows_mine_update(struct request *req, struct response *res);
void web_follows_supporters(struct request *req, struct response *res);
void web_follows_announce_post(struct request *req, struct response *res);
void web_follows_pin_post(struct request *req, struct response *res);
void web_follows_announce_event(struct request *req, struct response *res);
void web_follows_unsubscribe_form(struct request *req, struct response *res);
void web_follows_unsubscribe(struct request *req, struct response *res);
/* Sections of other pages (slots): the follow box of an organisation or a
 * person, the announce and pin tools under a post, the announce tool under
 * an event (empty for who may not use them). */
struct safe_html web_follows_org_section(struct request *req, const struct org *o);
struct safe_html web_follows_person_section(struct request *req, int64_t account_id);
struct safe_html web_follows_post_tools(struct request *req, const struct post *p);
struct safe_html web_follows_event_tools(struct request *req, const struct event *ev);
/* ---- end follows ---- */
/* ---- terroir ---- */
/* products.c: products, labels and markets pages, the product forms, labels admin. */
void web_products_list(struct request *req, struct response *res);
void web_products_show(struct request *req, struct response *res);
void web_products_edit_form(struct request *req, struct response *res);
void web_products_update(struct request *req, struct response *res);
void web_products_delete_form(struct request *req, struct response *res);
void web_products_delete(struct request *req, struct response *res);
void web_products_manage(struct request *req, struct response *res);
void web_products_new_form(struct request *req, struct response *res);
void web_products_create(struct request *req, struct response *res);
void web_labels_index(struct request *req, struct response *res);
void web_labels_show(struct request *req, struct response *res);
void web_labels_admin(struct request *req, struct response *res);
void web_labels_create(struct request *req, struct response *res);
void web_markets_list(struct request *req, struct response *res);
void web_markets_show(struct request *req, struct response *res);
void web_markets_create(struct request *req, struct response *res);
/* The organisation page's products section (slot_products); empty for other kinds. */
struct org;
struct safe_html web_products_org_section(struct request *req, const struct org *o);
/* ---- end terroir ---- */
/* ---- directory ---- */
/* directory.c: the directory's sections of an organisation's page and the pages that edit them */
#include "core/orgs.h"
/* A contact form coming back after a refusal: what was typed and why. */
struct directory_contact {
	const char *name, *email, *subject, *message;
	const struct field_errors *fe;
	const char *error_key;     /* the whole form was refused (too many messages), or NULL */
};
/* The hours and links of an organisation, read with the rest of its page
 * (orgs_page_extras inside the page's read); loaded false: read here. */
struct directory_extras {
	bool loaded;
	struct org_hours hours;
	struct org_link *links;
	int nlinks;
};
struct safe_html web_directory_org_section(struct request *req, const struct org *o,
					   const struct directory_extras *pre);
/* o NULL: the territory's form (to the platform admins). cf NULL: a fresh form. */
struct safe_html web_directory_contact_form(struct request *req, const struct org *o,
					    const struct directory_contact *cf);
/* Reads the posted contact form and sends it (core/contact.c); [out] *out for the page again. */
enum kq_err web_directory_contact_send(struct request *req, int64_t org_id,
				       struct directory_contact *out, struct field_errors *fe);
void web_directory_tiles(const char **out_tiles, const char **out_attribution);
void web_directory_hours_form(struct request *req, struct response *res);
void web_directory_hours_save(struct request *req, struct response *res);
void web_directory_place_form(struct request *req, struct response *res);
void web_directory_position_save(struct request *req, struct response *res);
void web_directory_links_save(struct request *req, struct response *res);
/* orgs.c, contact.c */
void web_orgs_map(struct request *req, struct response *res);
void web_orgs_contact(struct request *req, struct response *res);
void web_contact_send(struct request *req, struct response *res);
/* ---- end directory ---- */
/* ---- practical ---- practical.c */
void web_practical_index(struct request *req, struct response *res);
void web_practical_show(struct request *req, struct response *res);
void web_practical_new_form(struct request *req, struct response *res);
void web_practical_create(struct request *req, struct response *res);
void web_practical_edit_form(struct request *req, struct response *res);
void web_practical_update(struct request *req, struct response *res);
void web_practical_delete_form(struct request *req, struct response *res);
void web_practical_delete(struct request *req, struct response *res);
/* ---- end practical ---- */
/* ---- recurring donations ---- */
void web_recurring_stop_form(struct request *req, struct response *res);
void web_recurring_stop_token(struct request *req, struct response *res);
void web_recurring_stop(struct request *req, struct response *res);
void web_recurring_annual_request(struct request *req, struct response *res);
void web_recurring_annual_pdf(struct request *req, struct response *res);
/* ---- end recurring donations ---- */
/* ---- sponsorship ---- */
/* sponsors.c: the "Nos partenaires" section of an event (target_kind "event") or a campaign
 * ("campaign") page, with the offer link for members of a business; empty when nothing to show. */
struct safe_html web_sponsors_section(struct request *req, const char *target_kind, int64_t target_id,
				      const char *slug);
void web_sponsors_offer_form(struct request *req, struct response *res);
void web_sponsors_offer(struct request *req, struct response *res);
void web_sponsors_org(struct request *req, struct response *res);
void web_sponsors_decide(struct request *req, struct response *res);
void web_sponsors_withdraw(struct request *req, struct response *res);
/* ---- end sponsorship ---- */
/* ---- moderation ---- */
void web_moderation_report_form(struct request *req, struct response *res);
void web_moderation_report(struct request *req, struct response *res);
void web_moderation_queue(struct request *req, struct response *res);
void web_moderation_log(struct request *req, struct response *res);
void web_moderation_target(struct request *req, struct response *res);
void web_moderation_hide(struct request *req, struct response *res);
void web_moderation_restore(struct request *req, struct response *res);
void web_moderation_dismiss(struct request *req, struct response *res);
void web_moderation_account(struct request *req, struct response *res);
void web_moderation_suspend(struct request *req, struct response *res);
void web_moderation_unsuspend(struct request *req, struct response *res);
/* ---- end moderation ---- */

#endif
