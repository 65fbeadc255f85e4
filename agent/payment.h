/*
 * payment.h — a fee paid on the laptop (issue 15 item 4), one rule for the
 * CLI (`mo-agent case pay`) and the field UI's payment form: the amount as
 * a person writes it ("250", "250,50", "1 250,00"), read into kopecks
 * (proto/money.h, no floating point), the method, the receipt or slip
 * number and the time; recorded as a `payment` append in the outbox with
 * its local row, in one transaction.  Payments are never edited: a
 * correction is a second payment.
 */
#ifndef AGENT_PAYMENT_H
#define AGENT_PAYMENT_H

#include <cjson/cJSON.h>

#include "case.h"
#include "mo_err.h"
#include "mo_util.h"
#include "store.h"

#define AGENT_PAYMENT_MAX_KOP 1000000000LL /* the vocabulary's amount_kop cap */
#define AGENT_RECEIPT_MAX 64

struct agent_payment_input {
	const char *amount;  /* as typed */
	const char *method;  /* cash | card | bank */
	const char *receipt; /* NULL or "": none */
	const char *at;	     /* YYYY-MM-DDTHH:MM:SSZ, NULL or "": now */
};

/*
 * Record a payment of case `key` (id or number) under me->operator_name.
 * MO_EINVAL with err->code: a money_* code of money.h, "money_zero",
 * "pay_amount" (over the cap), "pay_method", "pay_receipt", "pay_time";
 * MO_ENOTFOUND for an unknown case.  id (may be NULL) gets the payment's
 * id, *kop (may be NULL) its amount.
 */
int agent_case_pay(struct agent_store *s, const struct agent_identity *me, const char *key,
		   const struct agent_payment_input *in, char id[MO_UUID_LEN], long long *kop,
		   struct mo_err *err) MO_WARN_UNUSED;

/*
 * Expected vs paid of a case: {"expected_kop", "paid_kop", "items": [...]},
 * expected being the catalogue's fee of each of its services.  *out is the
 * caller's.
 */
int agent_case_payment_json(struct agent_store *s, const char *case_id, cJSON **out,
			    struct mo_err *err) MO_WARN_UNUSED;

#endif
