/* mail.c: delivers the outbox over SMTP with libcurl, with retries; without SMTP, to the log */
#include "jobs.h"
#include "core/notify.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/timefmt.h"
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct upload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
	struct upload *u = userp;
	size_t n = size * nmemb;
	if (n > u->left)
		n = u->left;
	memcpy(ptr, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* "Name <a@b>" -> "<a@b>" for the envelope. */
static void envelope_of(const char *from, char *out, size_t n)
{
	const char *lt = strchr(from, '<');
	if (lt)
		snprintf(out, n, "%s", lt);
	else
		snprintf(out, n, "<%s>", from);
}

/* RFC 2047 encoded word, so accents in subjects survive every mail client. */
static void encode_header(struct buf *b, const char *text)
{
	bool ascii = true;
	for (const char *p = text; *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = false;
	if (ascii) {
		buf_puts(b, text);
		return;
	}
	size_t n = strlen(text);
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *enc = malloc(cap);
	if (!enc)
		return;
	sodium_bin2base64(enc, cap, (const unsigned char *)text, n,
			  sodium_base64_VARIANT_ORIGINAL);
	buf_printf(b, "=?UTF-8?B?%s?=", enc);
	free(enc);
}

static void build_message(struct buf *b, const struct jobs_config *cfg,
			  const struct outbox_mail *m)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	const char *at = strchr(cfg->mail_from, '@');
	char domain[128] = "kiosque.localhost";
	if (at)
		snprintf(domain, sizeof(domain), "%.*s", (int)strcspn(at + 1, ">"), at + 1);

	buf_printf(b, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: ", date, cfg->mail_from, m->to);
	encode_header(b, m->subject);
	buf_printf(b, "\r\nMessage-ID: <outbox-%lld-%u@%s>\r\n", (long long)m->id,
		   randombytes_random(), domain);
	buf_puts(b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n");
	buf_puts(b, m->headers);
	buf_puts(b, "\r\n");
	/* Lines end in CRLF on the wire. */
	for (const char *p = m->body; *p; p++) {
		if (*p == '\n' && (p == m->body || p[-1] != '\r'))
			buf_putc(b, '\r');
		buf_putc(b, *p);
	}
	buf_puts(b, "\r\n");
}

static bool send_smtp(const struct jobs_config *cfg, const struct outbox_mail *m, char *err,
		      size_t errlen)
{
	struct buf msg = BUF_INIT;
	char from[300], rcpt[300];
	build_message(&msg, cfg, m);
	envelope_of(cfg->mail_from, from, sizeof(from));
	snprintf(rcpt, sizeof(rcpt), "<%s>", m->to);

	CURL *c = curl_easy_init();
	struct curl_slist *to = curl_slist_append(NULL, rcpt);
	struct upload up = { msg.p, msg.len };
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (strncmp(cfg->smtp_url, "smtps://", 8) != 0)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	curl_slist_free_all(to);
	curl_easy_cleanup(c);
	buf_free(&msg);
	return rc == CURLE_OK;
}

struct claim {
	int64_t now;
	struct outbox_mail m;
	bool got;
};

static enum db_status claim_txn(struct db *db, void *cls)
{
	struct claim *c = cls;
	enum db_status s = notify_claim(db, c->now, &c->m);
	c->got = s == DB_ROW;
	return s < 0 ? s : DB_NONE;
}

struct outcome {
	int64_t id, now;
	int attempts;
	bool ok;
	const char *err;
};

static enum db_status outcome_txn(struct db *db, void *cls)
{
	struct outcome *o = cls;
	if (o->ok)
		return notify_mark_sent(db, o->id, o->now);
	return notify_mark_failed(db, o->id, o->attempts, o->err, o->now);
}

int jobs_mail_run(struct db *db, const struct jobs_config *cfg)
{
	int handled = 0;
	for (int i = 0; i < 50; i++) {
		struct claim c = { .now = time_now() };
		if (db_txn_run(db, "mail_claim", DB_WRITE, claim_txn, &c) < 0 || !c.got) {
			if (c.got)
				notify_mail_free(&c.m);
			break;
		}
		char err[256] = "";
		bool ok;
		if (cfg->smtp_url && cfg->smtp_url[0]) {
			ok = send_smtp(cfg, &c.m, err, sizeof(err));
		} else {
			log_info("mail to=%s subject=\"%s\"\n%s", c.m.to, c.m.subject, c.m.body);
			ok = true;
		}
		if (!ok)
			log_warn("mail %lld to %s failed (attempt %d): %s", (long long)c.m.id, c.m.to,
				 c.m.attempts, err);
		struct outcome o = { c.m.id, time_now(), c.m.attempts, ok, err };
		if (db_txn_run(db, "mail_outcome", DB_WRITE, outcome_txn, &o) < 0)
			log_error("mail %lld: cannot record the outcome", (long long)c.m.id);
		notify_mail_free(&c.m);
		handled++;
	}
	return handled;
}
