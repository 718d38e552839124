/* payments_demo.c: a pretend card provider, on only in demo mode, so a visitor can go through a paid order */
#include "payments.h"
#include "base/crypto.h"
#include <string.h>

static bool demo_enabled(void)
{
	return payments_settings()->demo;
}

/* The "provider's page" is a page of ours under the order's own link
 * (/commandes/<secret>/paiement-demo), whose button calls orders_demo_pay. */
static enum kq_err demo_start(const struct payment_start_in *in, struct arena *a,
			      struct payment_start_out *out)
{
	if (!demo_enabled())
		return KQ_ERR_PAYMENT_FAILED;
	out->provider_ref = arena_printf(a, "demo_cs_%.24s", in->idempotency_key);
	out->redirect_url = arena_printf(a, "%s/paiement-demo", in->return_url);
	out->hold_until = 0;
	return KQ_OK;
}

static enum kq_err demo_refund(const char *payment_ref, int64_t amount_cents, const char *currency,
			       const char *idempotency_key, struct arena *a, const char **out_ref)
{
	(void)payment_ref;
	(void)amount_cents;
	(void)currency;
	if (!demo_enabled())
		return KQ_ERR_PAYMENT_FAILED;
	*out_ref = arena_printf(a, "demo_re_%.24s", idempotency_key);
	return KQ_OK;
}

/* A monthly renewal on the pretend card: always paid. */
static enum kq_err demo_charge_saved(const struct payment_start_in *in, const char *customer,
				     const char *payment_method, struct arena *a,
				     struct payment_state *out)
{
	(void)customer;
	(void)payment_method;
	memset(out, 0, sizeof(*out));
	if (!demo_enabled())
		return KQ_ERR_PAYMENT_FAILED;
	out->is_paid = true;
	out->amount_cents = in->amount_cents;
	out->currency = in->currency;
	out->payment_ref = arena_printf(a, "demo_pi_%.40s", in->idempotency_key);
	out->payment_id = in->payment_id;
	return KQ_OK;
}

const struct payment_provider payments_demo = {
	.name = "demo",
	.label_key = "payments.provider.demo",
	.is_online = true,
	.is_enabled = demo_enabled,
	.start = demo_start,
	.refund = demo_refund,
	.charge_saved = demo_charge_saved,
};
