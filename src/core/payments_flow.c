/* payments_flow.c: the payment flow shared by donations, campaign contributions and memberships
 *
 * Each of them had its own copy of the same three pieces (see payments.h,
 * "the flow of a purpose's payment"): start the last payment outside any
 * transaction and record the answer; capture it from the demo card's button
 * or a treasurer's "transfer received"; ask the provider on the return page.
 * What differs is only how a subject's last payment is read and what a
 * refused start gives back, which a struct payment_flow says. As everywhere
 * in the money path: no provider call inside a transaction, every state
 * change conditional on the current state. */
#include "payments.h"
#include "orgs.h"
#include "base/log.h"
#include "base/str.h"
#include "base/timefmt.h"
#include <string.h>

const char *payments_flow_read(struct db_stmt *st, struct arena *a,
			       struct payment_flow_payment *out)
{
	out->payment_id = db_col_i64(st, 0);
	out->provider = db_col_str(st, 1, a);
	out->status = db_col_str(st, 2, a);
	out->idempotency_key = db_col_str(st, 3, a);
	out->amount_cents = db_col_i64(st, 4);
	out->currency = db_col_str(st, 5, a);
	out->buyer_email = db_col_str(st, 7, a);
	out->subject_status = db_col_str(st, 8, a);
	return db_col_str(st, 6, a);
}

struct start_record {
	const struct payment_flow *f;
	int64_t subject_id, payment_id;
	const char *provider;
	const struct payment_start_out *out;
	bool failed;
};

static enum db_status start_record_txn(struct db *db, void *cls)
{
	struct start_record *x = cls;
	int64_t now = time_now();
	enum db_status s;
	if (x->failed) {
		/* The payer never saw the provider's page: nothing can be paid. */
		if ((s = x->f->start_failed(db, x->subject_id, now)) < 0)
			return s;
		return payments_mark_failed(db, x->payment_id, now);
	}
	s = payments_mark_started(db, x->payment_id, x->out->provider_ref, x->out->redirect_url, now);
	if (s != DB_ROW)
		return s < 0 ? s : DB_NONE;   /* recorded by a concurrent retry, or paid */
	if (!x->f->started)
		return DB_NONE;
	s = x->f->started(db, x->subject_id, x->provider, x->out);
	return s < 0 ? s : DB_NONE;
}

enum kq_err payments_flow_start(struct db *db, const struct payment_flow *f, struct arena *a,
				int64_t subject_id)
{
	struct payment_flow_payment lp;
	memset(&lp, 0, sizeof(lp));
	enum db_status s = f->load(db, a, subject_id, &lp);
	if (s != DB_ROW)
		return s == DB_NONE ? KQ_OK : KQ_ERR_INTERNAL;
	if (!str_eq(lp.status, "created") || !str_eq(lp.subject_status, "pending"))
		return KQ_OK;
	struct payment_start_in in = { 0 };
	in.payment_id = lp.payment_id;
	in.idempotency_key = lp.idempotency_key;
	in.amount_cents = lp.amount_cents;
	in.currency = lp.currency;
	in.description = lp.description;
	in.reference = lp.reference;
	in.buyer_email = lp.buyer_email;
	in.return_url = lp.return_url;
	in.hold_until = lp.hold_until;
	in.save_for_later = lp.save_for_later;
	in.now = time_now();
	const struct payment_provider *p = payments_provider(lp.provider);
	struct payment_start_out out = { 0 };
	enum kq_err e = p && p->is_enabled() ? p->start(&in, a, &out) : KQ_ERR_PAYMENT_FAILED;
	struct start_record r = { f, subject_id, in.payment_id, lp.provider, &out, e != KQ_OK };
	if (db_txn_run(db, f->start_txn, DB_WRITE, start_record_txn, &r) < 0)
		return KQ_ERR_INTERNAL;
	return e == KQ_OK ? KQ_OK : KQ_ERR_PAYMENT_FAILED;
}

struct capture {
	const struct payment_flow *f;
	const struct actor *who;      /* NULL: the demo */
	int64_t subject_id;
	struct arena *a;
	enum kq_err err;
	int64_t refund_id;
};

static enum db_status capture_txn(struct db *db, void *cls)
{
	struct capture *x = cls;
	struct payment_flow_payment lp;
	memset(&lp, 0, sizeof(lp));
	x->err = KQ_OK;
	x->refund_id = 0;
	enum db_status s = x->f->load(db, x->a, x->subject_id, &lp);
	if (s < 0)
		return s;
	if (s == DB_NONE) {
		x->err = x->f->no_payment_err;
		return DB_HARD;
	}
	if (x->who) {
		x->err = orgs_authorize(db, x->who, lp.org_id, ORG_ACT_MONEY);
		if (x->err != KQ_OK)
			return DB_HARD;
		if (!str_eq(lp.provider, "transfer")) {
			x->err = KQ_ERR_ORDER_STATE;   /* online payments confirm themselves */
			return DB_HARD;
		}
	} else if (!str_eq(lp.provider, "demo") || !payments_provider_enabled("demo")) {
		x->err = KQ_ERR_PAYMENT_PROVIDER_UNAVAILABLE;
		return DB_HARD;
	}
	if (str_eq(lp.status, "captured") || !str_eq(lp.subject_status, "pending")) {
		x->err = KQ_ERR_ORDER_STATE;
		return DB_HARD;
	}
	struct capture_result cr;
	/* The demo's pretend money has a reference, so it refunds "online" too. */
	const char *ref = x->who ? NULL : arena_printf(x->a, "demo_pi_%lld", (long long)lp.payment_id);
	s = payments_capture(db, lp.payment_id, lp.amount_cents, lp.currency, ref, x->a, &cr);
	if (s < 0)
		return s;
	if (cr.is_duplicate) {
		x->err = KQ_ERR_ORDER_STATE;
		return DB_HARD;
	}
	x->refund_id = cr.refund_id;
	return DB_NONE;
}

enum kq_err payments_flow_capture(struct db *db, const struct payment_flow *f,
				  const struct actor *who, int64_t subject_id)
{
	if (who && !who->account_id)
		return KQ_ERR_AUTH_REQUIRED;
	struct arena *a = arena_new();
	struct capture x = { f, who, subject_id, a, KQ_OK, 0 };
	enum db_status s = db_txn_run(db, f->capture_txn, DB_WRITE, capture_txn, &x);
	arena_free(a);
	if (s < 0)
		return x.err != KQ_OK ? x.err : KQ_ERR_INTERNAL;
	if (x.refund_id)
		(void)payments_refunds_run(db, x.refund_id, 1, NULL);
	return KQ_OK;
}

enum kq_err payments_flow_sync(struct db *db, const struct payment_flow *f, int64_t subject_id,
			       bool *out_paid)
{
	if (out_paid)
		*out_paid = false;
	struct arena *a = arena_new();
	struct payment_flow_payment lp;
	memset(&lp, 0, sizeof(lp));
	enum db_status s = f->load(db, a, subject_id, &lp);
	int64_t id = lp.payment_id;
	arena_free(a);
	if (s < 0)
		return KQ_ERR_INTERNAL;
	if (s == DB_NONE)
		return KQ_OK;
	return payments_sync(db, id, out_paid);
}
