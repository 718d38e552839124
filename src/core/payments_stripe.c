/* payments_stripe.c: card payment through Stripe Checkout (hosted page, signed webhooks, refunds) over libcurl
 *
 * The buyer's card never touches us (PCI DSS SAQ A: we only redirect to
 * Stripe's page). Calls used, all form-encoded with the secret key as a
 * Bearer token and, for the two that create something, an Idempotency-Key
 * (payments.idempotency_key, refunds.idempotency_key), so a retry after a
 * crash or a timeout gets the first answer back instead of a second session
 * or refund:
 *   POST /v1/checkout/sessions       open the hosted page
 *   GET  /v1/checkout/sessions/{id}  what was paid (webhooks are triggers only)
 *   POST /v1/refunds                 give money back
 *   POST /v1/payment_intents         monthly renewals: an off-session charge of the card the
 *                                    first checkout saved (setup_future_usage=off_session)
 * Webhooks: header Stripe-Signature "t=<unix>,v1=<hex>[,v1=...]", where v1 is
 * HMAC-SHA256(endpoint secret, "<t>.<raw body>"); checked in constant time
 * and refused beyond PAYMENTS_STRIPE_TOLERANCE seconds either way.
 * The API base is configurable (KIOSQUE_STRIPE_API_BASE) so tests point this
 * very code at tests/tools/fake_stripe.py. */
#include "payments.h"
#include "base/buf.h"
#include "base/log.h"
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define STRIPE_VERSION "2024-06-20"
#define STRIPE_BODY_MAX (1u << 20)
/* Stripe accepts a session's expires_at 30 minutes to 24 hours ahead. */
#define STRIPE_SESSION_MIN (30 * 60 + 60)
#define STRIPE_SESSION_MAX (24 * 3600 - 60)
/* The order's hold outlives the session a little, so the webhook of a
 * payment made in the session's last second usually lands before expiry
 * (if not, the late payment is reconciled). */
#define STRIPE_HOLD_GRACE 300

static bool stripe_enabled(void)
{
	const char *k = payments_settings()->stripe_secret_key;
	return k && *k;
}

/* ---- signatures ----------------------------------------------------------------------- */

static void hmac_hex(const char *secret, const char *t, size_t tlen, const char *body, size_t len,
		     char out[65])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)t, tlen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
}

bool payments_stripe_signature_ok(const char *header, const char *body, size_t len,
				  const char *secret, int64_t now, int64_t tolerance)
{
	if (!header || !body || !secret || !*secret || strlen(header) > 4096)
		return false;
	const char *t = NULL;
	size_t tlen = 0;
	for (const char *p = header; *p;) {
		size_t n = strcspn(p, ",");
		if (n > 2 && p[0] == 't' && p[1] == '=') {
			t = p + 2;
			tlen = n - 2;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (!t || tlen == 0 || tlen > 18)
		return false;
	int64_t ts = 0;
	for (size_t i = 0; i < tlen; i++) {
		if (t[i] < '0' || t[i] > '9')
			return false;
		ts = ts * 10 + (t[i] - '0');
	}
	if (ts < now - tolerance || ts > now + tolerance)
		return false;
	char expect[65];
	hmac_hex(secret, t, tlen, body, len, expect);
	bool ok = false;
	/* Every v1 is compared (Stripe sends several while a secret is rolled). */
	for (const char *p = header; *p;) {
		size_t n = strcspn(p, ",");
		if (n == 3 + 64 && strncmp(p, "v1=", 3) == 0 &&
		    sodium_memcmp(p + 3, expect, 64) == 0)
			ok = true;
		p += n;
		if (*p == ',')
			p++;
	}
	sodium_memzero(expect, sizeof(expect));
	return ok;
}

char *payments_stripe_sign(struct arena *a, const char *body, size_t len, const char *secret,
			   int64_t t)
{
	char ts[24], mac[65];
	int n = snprintf(ts, sizeof(ts), "%lld", (long long)t);
	hmac_hex(secret, ts, (size_t)n, body, len, mac);
	return arena_printf(a, "t=%s,v1=%s", ts, mac);
}

/* ---- HTTP ------------------------------------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;
	size_t len = size * n;
	if (b->len + len > STRIPE_BODY_MAX)
		return 0;   /* makes curl fail: an answer this big is not Stripe's */
	buf_append(b, p, len);
	return len;
}

/* "a b&c" -> "a%20b%26c" appended to b. */
static void form_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			buf_putc(b, (char)*p);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[*p >> 4]);
			buf_putc(b, hex[*p & 15]);
		}
	}
}

static void form_add(struct buf *b, const char *key, const char *value)
{
	if (b->len)
		buf_putc(b, '&');
	buf_puts(b, key);   /* keys are ours: letters, digits and [ ] */
	buf_putc(b, '=');
	form_escape(b, value);
}

/* One call to the API. [out] *out the parsed JSON answer of a 2xx (caller
 * json_decref's it), *out_status the HTTP status (0: no answer).
 * Errors: PAYMENT_FAILED (no answer, not JSON, or not 2xx; logged). */
static enum kq_err call(const char *method, const char *path, const char *form,
			const char *idempotency_key, json_t **out, long *out_status)
{
	*out = NULL;
	*out_status = 0;
	const struct payments_settings *cfg = payments_settings();
	CURL *c = curl_easy_init();
	if (!c)
		return KQ_ERR_PAYMENT_FAILED;
	struct buf url = BUF_INIT, body = BUF_INIT, auth = BUF_INIT, idem = BUF_INIT;
	struct curl_slist *h = NULL;
	enum kq_err e = KQ_ERR_PAYMENT_FAILED;
	buf_printf(&url, "%s%s", cfg->stripe_api_base, path);
	buf_printf(&auth, "Authorization: Bearer %s", cfg->stripe_secret_key);
	h = curl_slist_append(h, buf_str(&auth));
	h = curl_slist_append(h, "Stripe-Version: " STRIPE_VERSION);
	if (idempotency_key) {
		buf_printf(&idem, "Idempotency-Key: %s", idempotency_key);
		h = curl_slist_append(h, buf_str(&idem));
	}
	curl_easy_setopt(c, CURLOPT_URL, buf_str(&url));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "Kiosque");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form ? form : "");
	}
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		log_warn("stripe: %s %s: %s", method, path, curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, out_status);
	json_error_t jerr;
	json_t *j = json_loadb(body.p ? body.p : "", body.len, 0, &jerr);
	if (!j) {
		log_warn("stripe: %s %s: answer %ld is not JSON", method, path, *out_status);
		goto out;
	}
	if (*out_status < 200 || *out_status > 299) {
		const char *msg = json_string_value(json_object_get(json_object_get(j, "error"),
								    "message"));
		log_warn("stripe: %s %s: %ld %s", method, path, *out_status, msg ? msg : "");
		json_decref(j);
		goto out;
	}
	*out = j;
	e = KQ_OK;
out:
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	sodium_memzero(auth.p, auth.len);
	buf_free(&auth);
	buf_free(&url);
	buf_free(&body);
	buf_free(&idem);
	return e;
}

static const char *jstr(struct arena *a, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? arena_strdup(a, s) : NULL;
}

/* Stripe writes currencies in lower case; we keep them upper case. */
static void currency_lower(char out[8], const char *currency)
{
	snprintf(out, 8, "%s", currency);
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}

static const char *currency_upper(struct arena *a, const char *cur)
{
	if (!cur)
		return NULL;
	char *up = arena_strdup(a, cur);
	for (char *p = up; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return up;
}

/* ---- the provider ----------------------------------------------------------------------- */

static enum kq_err stripe_start(const struct payment_start_in *in, struct arena *a,
				struct payment_start_out *out)
{
	if (!stripe_enabled())
		return KQ_ERR_PAYMENT_FAILED;
	int64_t expires = in->hold_until;
	/* Past Stripe's minimum, rounded up to ten minutes: a retry of this request with its
	 * idempotency key must send the same parameters (Stripe refuses other ones), and a retry a
	 * second later would otherwise ask for a session one second longer. */
	if (expires < in->now + STRIPE_SESSION_MIN)
		expires = (in->now + STRIPE_SESSION_MIN + 599) / 600 * 600;
	if (expires > in->now + STRIPE_SESSION_MAX)
		expires = in->now + STRIPE_SESSION_MAX;
	char num[32], lower[8];
	currency_lower(lower, in->currency);
	struct buf f = BUF_INIT;
	form_add(&f, "mode", "payment");
	form_add(&f, "success_url", in->return_url);
	form_add(&f, "cancel_url", in->return_url);
	form_add(&f, "client_reference_id", in->reference);
	if (in->buyer_email && *in->buyer_email)
		form_add(&f, "customer_email", in->buyer_email);
	form_add(&f, "line_items[0][quantity]", "1");
	form_add(&f, "line_items[0][price_data][currency]", lower);
	snprintf(num, sizeof(num), "%lld", (long long)in->amount_cents);
	form_add(&f, "line_items[0][price_data][unit_amount]", num);
	form_add(&f, "line_items[0][price_data][product_data][name]", in->description);
	snprintf(num, sizeof(num), "%lld", (long long)expires);
	form_add(&f, "expires_at", num);
	snprintf(num, sizeof(num), "%lld", (long long)in->payment_id);
	form_add(&f, "metadata[payment_id]", num);
	form_add(&f, "metadata[reference]", in->reference);
	form_add(&f, "payment_intent_data[metadata][reference]", in->reference);
	if (in->save_for_later) {
		/* A monthly donation: Stripe keeps the card on a customer for the renewals. */
		form_add(&f, "customer_creation", "always");
		form_add(&f, "payment_intent_data[setup_future_usage]", "off_session");
	}
	json_t *j = NULL;
	long status;
	enum kq_err e = call("POST", "/v1/checkout/sessions", buf_str(&f), in->idempotency_key, &j,
			     &status);
	buf_free(&f);
	if (e != KQ_OK)
		return e;
	out->provider_ref = jstr(a, j, "id");
	out->redirect_url = jstr(a, j, "url");
	out->hold_until = expires + STRIPE_HOLD_GRACE;
	json_decref(j);
	if (!out->provider_ref || !out->redirect_url ||
	    (strncmp(out->redirect_url, "https://", 8) != 0 &&
	     strncmp(out->redirect_url, "http://", 7) != 0)) {
		log_warn("stripe: a checkout session without id or url");
		return KQ_ERR_PAYMENT_FAILED;
	}
	return KQ_OK;
}

static enum kq_err stripe_webhook_parse(const char *sig, const char *body, size_t len, int64_t now,
					struct arena *a, struct payment_event *out)
{
	memset(out, 0, sizeof(*out));
	if (!payments_stripe_signature_ok(sig, body, len, payments_settings()->stripe_webhook_secret,
					  now, PAYMENTS_STRIPE_TOLERANCE)) {
		log_info("stripe: a webhook with a bad or stale signature was refused");
		return KQ_ERR_PAYMENT_BAD_SIGNATURE;
	}
	json_error_t jerr;
	json_t *j = json_loadb(body, len, 0, &jerr);
	if (!j)
		return KQ_ERR_BAD_REQUEST;
	out->event_id = jstr(a, j, "id");
	out->type = jstr(a, j, "type");
	json_t *obj = json_object_get(json_object_get(j, "data"), "object");
	const char *kind = json_string_value(json_object_get(obj, "object"));
	/* Only Checkout sessions are about our payments; the rest is recorded
	 * as seen and ignored. */
	if (out->type && strncmp(out->type, "checkout.session.", 17) == 0 && kind &&
	    strcmp(kind, "checkout.session") == 0)
		out->provider_ref = jstr(a, obj, "id");
	json_decref(j);
	return out->event_id ? KQ_OK : KQ_ERR_BAD_REQUEST;
}

static bool ref_ok(const char *ref)
{
	size_t n = strlen(ref);
	if (n == 0 || n > 255)
		return false;
	for (const char *p = ref; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static enum kq_err stripe_fetch(const char *provider_ref, struct arena *a,
				struct payment_state *out)
{
	memset(out, 0, sizeof(*out));
	if (!stripe_enabled())
		return KQ_ERR_PAYMENT_FAILED;
	if (!ref_ok(provider_ref))
		return KQ_ERR_NOT_FOUND;
	char path[320];
	/* The fee is on the charge's balance transaction: one call, expanded. */
	snprintf(path, sizeof(path),
		 "/v1/checkout/sessions/%s?expand%%5B%%5D=payment_intent.latest_charge.balance_transaction",
		 provider_ref);
	json_t *j = NULL;
	long status;
	enum kq_err e = call("GET", path, NULL, NULL, &j, &status);
	if (e != KQ_OK)
		return status == 404 ? KQ_ERR_NOT_FOUND : e;
	const char *ps = json_string_value(json_object_get(j, "payment_status"));
	const char *st = json_string_value(json_object_get(j, "status"));
	out->is_paid = ps && strcmp(ps, "paid") == 0;
	out->is_closed = st && strcmp(st, "expired") == 0;
	out->amount_cents = (int64_t)json_integer_value(json_object_get(j, "amount_total"));
	const char *cur = json_string_value(json_object_get(j, "currency"));
	out->currency = currency_upper(a, cur);
	const char *pid = json_string_value(json_object_get(json_object_get(j, "metadata"),
							   "payment_id"));
	out->payment_id = pid ? strtoll(pid, NULL, 10) : 0;
	json_t *pi = json_object_get(j, "payment_intent");
	if (json_is_string(pi))
		out->payment_ref = arena_strdup(a, json_string_value(pi));
	else if (json_is_object(pi)) {
		out->payment_ref = jstr(a, pi, "id");
		out->customer = jstr(a, pi, "customer");
		out->payment_method = jstr(a, pi, "payment_method");
		json_t *bt = json_object_get(json_object_get(pi, "latest_charge"), "balance_transaction");
		const char *bcur = json_string_value(json_object_get(bt, "currency"));
		/* Only a fee in the payment's own currency is comparable with it. */
		if (json_is_integer(json_object_get(bt, "fee")) && bcur && cur &&
		    strcasecmp(bcur, cur) == 0)
			out->fee_cents = (int64_t)json_integer_value(json_object_get(bt, "fee"));
	}
	json_decref(j);
	return KQ_OK;
}

static enum kq_err stripe_refund(const char *payment_ref, int64_t amount_cents, const char *currency,
				 const char *idempotency_key, struct arena *a, const char **out_ref)
{
	(void)currency;   /* a refund is in the payment's currency */
	*out_ref = NULL;
	if (!stripe_enabled() || !ref_ok(payment_ref))
		return KQ_ERR_PAYMENT_FAILED;
	char num[32];
	struct buf f = BUF_INIT;
	form_add(&f, "payment_intent", payment_ref);
	snprintf(num, sizeof(num), "%lld", (long long)amount_cents);
	form_add(&f, "amount", num);
	json_t *j = NULL;
	long status;
	enum kq_err e = call("POST", "/v1/refunds", buf_str(&f), idempotency_key, &j, &status);
	buf_free(&f);
	if (e != KQ_OK)
		return e;
	const char *st = json_string_value(json_object_get(j, "status"));
	*out_ref = jstr(a, j, "id");
	bool ok = *out_ref && st &&
		  (strcmp(st, "succeeded") == 0 || strcmp(st, "pending") == 0 ||
		   strcmp(st, "requires_action") == 0);
	json_decref(j);
	return ok ? KQ_OK : KQ_ERR_PAYMENT_FAILED;
}

/* A monthly renewal: a confirmed off-session PaymentIntent on the saved
 * card. A decline is a 402 (PAYMENT_FAILED, like no answer); the same key
 * replays the first answer, so a pass killed after the call charges once. */
static enum kq_err stripe_charge_saved(const struct payment_start_in *in, const char *customer,
				       const char *payment_method, struct arena *a,
				       struct payment_state *out)
{
	memset(out, 0, sizeof(*out));
	if (!stripe_enabled() || !customer || !payment_method || !ref_ok(customer) ||
	    !ref_ok(payment_method))
		return KQ_ERR_PAYMENT_FAILED;
	char num[32], lower[8];
	currency_lower(lower, in->currency);
	struct buf f = BUF_INIT;
	snprintf(num, sizeof(num), "%lld", (long long)in->amount_cents);
	form_add(&f, "amount", num);
	form_add(&f, "currency", lower);
	form_add(&f, "customer", customer);
	form_add(&f, "payment_method", payment_method);
	form_add(&f, "off_session", "true");
	form_add(&f, "confirm", "true");
	form_add(&f, "description", in->description);
	snprintf(num, sizeof(num), "%lld", (long long)in->payment_id);
	form_add(&f, "metadata[payment_id]", num);
	form_add(&f, "metadata[reference]", in->reference);
	form_add(&f, "expand[]", "latest_charge.balance_transaction");
	json_t *j = NULL;
	long status;
	enum kq_err e = call("POST", "/v1/payment_intents", buf_str(&f), in->idempotency_key, &j,
			     &status);
	buf_free(&f);
	if (e != KQ_OK)
		return e;
	const char *st = json_string_value(json_object_get(j, "status"));
	out->is_paid = st && strcmp(st, "succeeded") == 0;
	out->amount_cents = (int64_t)json_integer_value(json_object_get(j, "amount_received"));
	const char *cur = json_string_value(json_object_get(j, "currency"));
	out->currency = currency_upper(a, cur);
	out->payment_ref = jstr(a, j, "id");
	out->payment_id = in->payment_id;
	json_t *bt = json_object_get(json_object_get(j, "latest_charge"), "balance_transaction");
	const char *bcur = json_string_value(json_object_get(bt, "currency"));
	if (json_is_integer(json_object_get(bt, "fee")) && bcur && cur && strcasecmp(bcur, cur) == 0)
		out->fee_cents = (int64_t)json_integer_value(json_object_get(bt, "fee"));
	json_decref(j);
	return out->is_paid && out->payment_ref ? KQ_OK : KQ_ERR_PAYMENT_FAILED;
}

const struct payment_provider payments_stripe = {
	.name = "stripe",
	.label_key = "payments.provider.stripe",
	.is_online = true,
	.is_enabled = stripe_enabled,
	.start = stripe_start,
	.webhook_parse = stripe_webhook_parse,
	.fetch = stripe_fetch,
	.refund = stripe_refund,
	.charge_saved = stripe_charge_saved,
};
