/* contact.c: "Nous contacter" messages: checked, rate-limited, recorded and queued as mails in one transaction */
#include "contact.h"
#include "notify.h"
#include "base/crypto.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

static const struct db_sql SQL_ORG = { "contact_org",
	"SELECT name, slug FROM organisations WHERE id = $1 AND hidden_at IS NULL" };
static const struct db_sql SQL_ORG_RECIPIENTS = { "contact_org_recipients",
	"SELECT a.email, a.lang FROM org_members m JOIN accounts a ON a.id = m.account_id"
	" WHERE m.org_id = $1 AND m.role IN ('owner', 'editor') AND a.suspended_at IS NULL"
	" ORDER BY a.id" };
static const struct db_sql SQL_ADMINS = { "contact_admins",
	"SELECT email, lang FROM accounts WHERE platform_role = 'admin' AND suspended_at IS NULL"
	" ORDER BY id" };
static const struct db_sql SQL_BY_SENDER = { "contact_count_sender",
	"SELECT COUNT(*) FROM contact_messages WHERE sender_email_lower = $1 AND created_at > $2" };
static const struct db_sql SQL_BY_IP = { "contact_count_ip",
	"SELECT COUNT(*) FROM contact_messages WHERE ip_hash = $1 AND created_at > $2" };
static const struct db_sql SQL_BY_ORG = { "contact_count_org",
	"SELECT COUNT(*) FROM contact_messages WHERE org_id = $1 AND created_at > $2" };
static const struct db_sql SQL_BY_TERRITORY = { "contact_count_territory",
	"SELECT COUNT(*) FROM contact_messages WHERE org_id IS NULL AND created_at > $1" };
/* Kept a year (the consent sentence of the form says so), then dropped. */
#define CONTACT_KEEP (365 * 86400)
static const struct db_sql SQL_PURGE = { "contact_purge",
	"DELETE FROM contact_messages WHERE created_at < $1" };
static const struct db_sql SQL_RECORD = { "contact_record",
	"INSERT INTO contact_messages (org_id, sender_name, sender_email_lower, subject, ip_hash,"
	" recipients, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)" };

struct send_ctx {
	const struct contact_input *in;
	struct arena *a;
	const char *name, *email, *subject, *message, *ip_hash;
	enum kq_err err;
};

static enum db_status count(struct db *db, const struct db_sql *sql, const char *text, int64_t id,
			    int64_t since, int64_t *out)
{
	struct db_stmt *st = db_stmt(db, sql);
	int k = 1;
	if (text)
		db_bind_text(st, k++, text);
	else if (id)
		db_bind_i64(st, k++, id);
	db_bind_i64(st, k, since);
	enum db_status s = db_step(st);
	*out = s == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	return s == DB_ROW ? DB_NONE : s == DB_NONE ? DB_HARD : s;
}

static const char *mail_body(struct send_ctx *x, const char *lang, const char *where)
{
	return arena_printf(x->a, "%s %s\n\n%s %s <%s>\n%s %s\n\n%s\n\n-- \n%s\n",
			    i18n_get(lang, "contact.mail.intro"), where,
			    i18n_get(lang, "contact.mail.from"), x->name, x->email,
			    i18n_get(lang, "contact.mail.subject_line"), x->subject, x->message,
			    i18n_get(lang, "contact.mail.reply"));
}

static enum db_status send_txn(struct db *db, void *cls)
{
	struct send_ctx *x = cls;
	int64_t org_id = x->in->org_id, now = time_now(), n;
	const char *where = core_settings()->base_url;
	enum db_status s;
	x->err = KQ_OK;
	if (org_id) {
		struct db_stmt *st = db_stmt(db, &SQL_ORG);
		db_bind_i64(st, 1, org_id);
		s = db_step(st);
		if (s == DB_ROW)
			where = arena_printf(x->a, "%s (%s/organisations/%s)", db_col_text(st, 0),
					     core_settings()->base_url, db_col_text(st, 1));
		db_reset(st);
		if (s < 0)
			return s;
		if (s == DB_NONE) {
			x->err = KQ_ERR_NOT_FOUND;
			return DB_HARD;
		}
	}
	/* INVARIANT(contact-limits): counted in the transaction that records. */
	if ((s = count(db, &SQL_BY_SENDER, x->email, 0, now - CONTACT_WINDOW, &n)) < 0)
		return s;
	bool limited = n >= CONTACT_PER_WINDOW;
	if ((s = count(db, &SQL_BY_IP, x->ip_hash, 0, now - CONTACT_WINDOW, &n)) < 0)
		return s;
	limited |= n >= CONTACT_PER_WINDOW;
	if (org_id)
		s = count(db, &SQL_BY_ORG, NULL, org_id, now - 86400, &n);
	else
		s = count(db, &SQL_BY_TERRITORY, NULL, 0, now - 86400, &n);
	if (s < 0)
		return s;
	limited |= n >= CONTACT_PER_DAY;
	if (limited) {
		x->err = KQ_ERR_CONTACT_RATE_LIMITED;
		return DB_HARD;
	}

	/* Recipients first, read whole: no statement may be mid-step while mails are queued. */
	struct { const char *email, *lang; } to[64];
	int nto = 0;
	struct db_stmt *st = db_stmt(db, org_id ? &SQL_ORG_RECIPIENTS : &SQL_ADMINS);
	if (org_id)
		db_bind_i64(st, 1, org_id);
	while ((s = db_step(st)) == DB_ROW) {
		if (nto < 64) {
			to[nto].email = db_col_str(st, 0, x->a);
			to[nto].lang = db_col_str(st, 1, x->a);
			nto++;
		}
	}
	db_reset(st);
	if (s < 0)
		return s;
	if (!nto) {
		x->err = KQ_ERR_CONTACT_NO_RECIPIENT;
		return DB_HARD;
	}
	/* The address passed str_email_valid: no CR, LF, space or comma can reach the header. */
	const char *headers = arena_printf(x->a, "Reply-To: %s\r\n", x->email);
	for (int i = 0; i < nto; i++) {
		const char *lang = i18n_lang_supported(to[i].lang) ? to[i].lang : "fr";
		const char *subject = arena_printf(x->a, "%s %s", i18n_get(lang, "contact.mail.subject"),
						   x->subject);
		if ((s = notify_enqueue(db, to[i].email, subject, mail_body(x, lang, where), headers)) < 0)
			return s;
	}
	st = db_stmt(db, &SQL_RECORD);
	if (org_id)
		db_bind_i64(st, 1, org_id);
	else
		db_bind_null(st, 1);
	db_bind_text(st, 2, x->name);
	db_bind_text(st, 3, x->email);
	db_bind_text(st, 4, x->subject);
	db_bind_text(st, 5, x->ip_hash);
	db_bind_i64(st, 6, nto);
	db_bind_i64(st, 7, now);
	if ((s = db_run(st)) < 0)
		return s;
	st = db_stmt(db, &SQL_PURGE);
	db_bind_i64(st, 1, now - CONTACT_KEEP);
	return db_run(st);
}

enum kq_err contact_send(struct db *db, const struct contact_input *in, struct field_errors *fe,
			 bool *out_dropped)
{
	if (out_dropped)
		*out_dropped = false;
	struct arena *a = arena_new();
	struct send_ctx x = { .in = in, .a = a };
	x.name = str_trim(a, in->name);
	x.email = str_lower_ascii(a, str_trim(a, in->email));
	x.subject = str_trim(a, in->subject);
	x.message = str_trim(a, in->message);
	size_t nlen = str_utf8_len(x.name), slen = str_utf8_len(x.subject);
	size_t mlen = str_utf8_len(x.message);
	if (!*x.name || !str_text_ok(x.name, CONTACT_NAME_MAX, false) || nlen > CONTACT_NAME_MAX)
		field_error_add(fe, "name", "err.contact.name_invalid");
	if (!str_email_valid(x.email))
		field_error_add(fe, "email", "err.contact.email_invalid");
	if (!*x.subject || !str_text_ok(x.subject, CONTACT_SUBJECT_MAX, false) ||
	    slen > CONTACT_SUBJECT_MAX)
		field_error_add(fe, "subject", "err.contact.subject_invalid");
	if (mlen < 10 || !str_text_ok(x.message, CONTACT_MESSAGE_MAX, true))
		field_error_add(fe, "message", "err.contact.message_invalid");
	enum kq_err e = KQ_OK;
	if (in->honeypot && *in->honeypot) {
		/* A robot filled the field people never see: it "succeeds", nothing goes out. */
		if (out_dropped)
			*out_dropped = true;
		goto out;
	}
	if (fe->n) {
		e = KQ_ERR_FORM_INVALID;
		goto out;
	}
	char hash[65];
	const char *ip = arena_printf(a, "kiosque-contact\n%s\n%s", core_settings()->base_url,
				      in->client_ip ? in->client_ip : "");
	crypto_sha256_hex(ip, strlen(ip), hash);
	x.ip_hash = hash;
	enum db_status s = db_txn_run(db, "contact_send", DB_WRITE, send_txn, &x);
	if (x.err != KQ_OK) {
		e = x.err;
	} else if (s < 0) {
		log_error("contact_send: %s", db_errmsg(db));
		e = KQ_ERR_INTERNAL;
	}
out:
	arena_free(a);
	return e;
}
