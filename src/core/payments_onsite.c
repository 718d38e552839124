/* payments_onsite.c: pay at the door: the order holds its seats until its last date ends */
#include "payments.h"

static bool onsite_enabled(void)
{
	return true;
}

/* Nothing to open: the box office takes the money (orders_mark_paid) and
 * the order keeps its seats until the event is over. */
static enum kq_err onsite_start(const struct payment_start_in *in, struct arena *a,
				struct payment_start_out *out)
{
	(void)a;
	out->provider_ref = NULL;
	out->redirect_url = NULL;
	out->hold_until = in->last_date_end > in->hold_until ? in->last_date_end : 0;
	return KQ_OK;
}

const struct payment_provider payments_onsite = {
	.name = "onsite",
	.label_key = "payments.provider.onsite",
	.is_online = false,
	.is_enabled = onsite_enabled,
	.start = onsite_start,
};
