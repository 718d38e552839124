/* mail.c: delivers the outbox over SMTP with libcurl, with retries; without SMTP, to the log */
#include "jobs.h"
#include "core/notify.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/timefmt.h"
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
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

	/* Who writes, when a mail speaks for someone (notify.h): "<name> via <site>" <address>,
	 * the address staying the site's own (SPF and DKIM are the site's). */
	const char *sender = NULL;
	size_t sender_len = 0;
	const char *hdrs = m->headers ? m->headers : "";
	const char *line = strstr(hdrs, NOTIFY_SENDER_HEADER ": ");
	if (line && (line == hdrs || line[-1] == '\n')) {
		sender = line + strlen(NOTIFY_SENDER_HEADER ": ");
		sender_len = strcspn(sender, "\r\n");
	}
	buf_printf(b, "Date: %s\r\nFrom: ", date);
	if (sender && sender_len) {
		char envelope[300], name[600];
		envelope_of(cfg->mail_from, envelope, sizeof(envelope));
		const char *lt = strchr(cfg->mail_from, '<');
		int site_len = lt ? (int)(lt - cfg->mail_from) : 0;
		while (site_len > 0 && cfg->mail_from[site_len - 1] == ' ')
			site_len--;
		snprintf(name, sizeof(name), "%.*s via %.*s", (int)(sender_len < 200 ? sender_len : 200), sender,
			 site_len ? site_len : 7, site_len ? cfg->mail_from : "Kiosque");
		/* Quotes and backslashes would end the display name early: encoded, they cannot. */
		bool plain = strpbrk(name, "\"\\()<>,;:@[]") == NULL;
		for (const char *p = name; plain && *p; p++)
			plain = (unsigned char)*p < 0x80;
		if (plain)
			buf_printf(b, "\"%s\" ", name);
		else {
			encode_header(b, name);
			buf_putc(b, ' ');
		}
		buf_printf(b, "%s", envelope);
	} else {
		buf_puts(b, cfg->mail_from);
	}
	buf_printf(b, "\r\nTo: %s\r\nSubject: ", m->to);
	encode_header(b, m->subject);
	buf_printf(b, "\r\nMessage-ID: <outbox-%lld-%u@%s>\r\n", (long long)m->id,
		   randombytes_random(), domain);
	buf_puts(b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n");
	/* The extra headers, but the sender line: it became From above. */
	for (const char *p = hdrs; *p;) {
		size_t n = strcspn(p, "\n");
		bool last = p[n] == 0;
		if (!(sender && p == line))
			buf_append(b, p, last ? n : n + 1);
		p += last ? n : n + 1;
	}
	buf_puts(b, "\r\n");
	/* Lines end in CRLF on the wire. */
	for (const char *p = m->body; *p; p++) {
		if (*p == '\n' && (p == m->body || p[-1] != '\r'))
			buf_putc(b, '\r');
		buf_putc(b, *p);
	}
	buf_puts(b, "\r\n");
}

/* One easy handle for a batch: libcurl keeps the SMTP connection open
 * between its transfers, so a batch is one connection, not one per mail. */
static bool send_smtp(CURL *c, const struct jobs_config *cfg, const struct outbox_mail *m, char *err,
		      size_t errlen)
{
	struct buf msg = BUF_INIT;
	char from[300], rcpt[300];
	build_message(&msg, cfg, m);
	envelope_of(cfg->mail_from, from, sizeof(from));
	snprintf(rcpt, sizeof(rcpt), "<%s>", m->to);

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
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(to);
	buf_free(&msg);
	return rc == CURLE_OK;
}

/* Mails are claimed and their outcomes recorded by batches: two write
 * transactions per batch instead of two per mail, which matters when a
 * flash sale queues a mail with every order and every commit waits for the
 * disk. */
#define MAIL_BATCH 20
#define MAIL_BATCHES 5   /* per run of the job: then other jobs get their turn */

struct batch {
	int64_t now;
	struct outbox_mail m[MAIL_BATCH];
	bool ok[MAIL_BATCH];
	char err[MAIL_BATCH][256];
	int n;
};

static enum db_status claim_txn(struct db *db, void *cls)
{
	struct batch *x = cls;
	for (int i = 0; i < x->n; i++)   /* a retried transaction claims afresh */
		notify_mail_free(&x->m[i]);
	x->n = 0;
	while (x->n < MAIL_BATCH) {
		enum db_status s = notify_claim(db, x->now, &x->m[x->n]);
		if (s < 0)
			return s;
		if (s != DB_ROW)
			break;
		x->n++;
	}
	return DB_NONE;
}

static enum db_status outcome_txn(struct db *db, void *cls)
{
	struct batch *x = cls;
	for (int i = 0; i < x->n; i++) {
		enum db_status s = x->ok[i] ? notify_mark_sent(db, x->m[i].id, x->now)
					    : notify_mark_failed(db, x->m[i].id, x->m[i].attempts,
								 x->err[i], x->now);
		if (s < 0)
			return s;
	}
	return DB_NONE;
}

int jobs_mail_run(struct db *db, const struct jobs_config *cfg)
{
	int handled = 0;
	bool smtp = cfg->smtp_url && cfg->smtp_url[0];
	CURL *c = smtp ? curl_easy_init() : NULL;
	for (int round = 0; round < MAIL_BATCHES; round++) {
		struct batch *x = calloc(1, sizeof(*x));
		if (!x)
			break;
		x->now = time_now();
		if (db_txn_run(db, "mail_claim", DB_WRITE, claim_txn, x) < 0)
			x->n = 0;   /* nothing claimed stays claimed: the transaction rolled back */
		int n = x->n;
		for (int i = 0; i < n; i++) {
			const struct outbox_mail *m = &x->m[i];
			if (smtp) {
				x->ok[i] = c && send_smtp(c, cfg, m, x->err[i], sizeof(x->err[i]));
				if (!c)
					snprintf(x->err[i], sizeof(x->err[i]), "curl_easy_init failed");
			} else {
				log_info("mail to=%s subject=\"%s\"\n%s", m->to, m->subject, m->body);
				x->ok[i] = true;
			}
			if (!x->ok[i])
				log_warn("mail %lld to %s failed (attempt %d): %s", (long long)m->id, m->to,
					 m->attempts, x->err[i]);
		}
		if (n) {
			x->now = time_now();
			if (db_txn_run(db, "mail_outcome", DB_WRITE, outcome_txn, x) < 0)
				log_error("mail: cannot record the outcome of %d mails (their lease will"
					  " expire and they will be sent again)", n);
		}
		for (int i = 0; i < n; i++)
			notify_mail_free(&x->m[i]);
		free(x);
		handled += n;
		if (n < MAIL_BATCH)
			break;
	}
	if (c)
		curl_easy_cleanup(c);
	return handled;
}
