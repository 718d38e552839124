/* payments_transfer.c: bank transfer: the order's code is the reference, a treasurer marks it received */
#include "payments.h"
#include "orders.h"

static bool transfer_enabled(void)
{
	return true;
}

/* The buyer writes the reference on the transfer; seats are held
 * ORDERS_TRANSFER_DAYS, never past the end of the order's last date. */
static enum kq_err transfer_start(const struct payment_start_in *in, struct arena *a,
				  struct payment_start_out *out)
{
	out->provider_ref = arena_printf(a, "KIOSQUE-%s", in->reference);
	out->redirect_url = NULL;
	int64_t hold = in->now + ORDERS_TRANSFER_DAYS * 86400;
	if (in->last_date_end && hold > in->last_date_end)
		hold = in->last_date_end;
	out->hold_until = hold > in->hold_until ? hold : 0;
	return KQ_OK;
}

const struct payment_provider payments_transfer = {
	.name = "transfer",
	.label_key = "payments.provider.transfer",
	.is_online = false,
	.is_enabled = transfer_enabled,
	.start = transfer_start,
};
