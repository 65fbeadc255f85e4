/* payment.c — fees paid on the laptop (payment.h). */
#include "payment.h"

#include <string.h>

#include "money.h"
#include "validate.h"

static bool method_ok(const char *m)
{
	static const char *const methods[] = {"cash", "card", "bank"};

	for (size_t i = 0; m && i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(m, methods[i]) == 0)
			return true;
	return false;
}

int agent_case_pay(struct agent_store *s, const struct agent_identity *me, const char *key,
		   const struct agent_payment_input *in, char id[MO_UUID_LEN], long long *kop_out,
		   struct mo_err *err)
{
	struct agent_payment_rec rec;
	struct mo_err why = MO_ERR_INIT;
	struct agent_case c;
	char pid[MO_UUID_LEN], paid_at[32];
	const char *receipt = in->receipt && *in->receipt ? in->receipt : NULL;
	long long kop;
	cJSON *f;
	int rc;

	if (proto_money_parse(&kop, in->amount, in->amount ? strlen(in->amount) : 0, err) != MO_OK)
		return MO_EINVAL;
	if (kop == 0)
		return mo_err_set(err, MO_EINVAL, "money_zero", "the amount is zero");
	if (kop > AGENT_PAYMENT_MAX_KOP)
		return mo_err_set(err, MO_EINVAL, "pay_amount", "at most 10 000 000 UAH");
	if (!method_ok(in->method))
		return mo_err_set(err, MO_EINVAL, "pay_method", "%s", in->method ? in->method : "");
	if (receipt && proto_text_check(receipt, AGENT_RECEIPT_MAX, "receipt", &why) != MO_OK)
		return mo_err_set(err, MO_EINVAL, "pay_receipt", "%d", AGENT_RECEIPT_MAX);
	if (in->at && *in->at) {
		if (!proto_datetime_valid(in->at) || strlen(in->at) >= sizeof(paid_at))
			return mo_err_set(err, MO_EINVAL, "pay_time", "%s", in->at);
		mo_strlcpy(paid_at, in->at, sizeof(paid_at));
	} else {
		mo_iso8601(paid_at, sizeof(paid_at), mo_now_ms(), false);
	}
	if ((rc = agent_store_case_get(s, key, &c, err)) != MO_OK)
		return rc;
	if (mo_uuid_v4(pid) != MO_OK || (f = cJSON_CreateObject()) == NULL) {
		agent_case_release(&c);
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	}
	cJSON_AddStringToObject(f, "case", c.id);
	cJSON_AddNumberToObject(f, "amount_kop", (double)kop); /* exact: kop < 2^53 */
	cJSON_AddStringToObject(f, "method", in->method);
	if (receipt)
		cJSON_AddStringToObject(f, "receipt", receipt);
	cJSON_AddStringToObject(f, "paid_at", paid_at);
	rec = (struct agent_payment_rec){.id = pid,
					 .case_id = c.id,
					 .method = in->method,
					 .receipt = receipt,
					 .paid_at = paid_at,
					 .operator_name = me->operator_name,
					 .amount_kop = kop};
	if ((rc = agent_store_begin(s, err)) == MO_OK) {
		rc = agent_store_payment_add(s, &rec, err);
		if (rc == MO_OK)
			rc = agent_store_outbox_add(s, "payment", pid, "append", f,
						    me->operator_name, NULL, err);
		if (rc == MO_OK)
			rc = agent_store_commit(s, err);
		else
			agent_store_rollback(s);
	}
	cJSON_Delete(f);
	agent_case_release(&c);
	if (rc == MO_OK) {
		if (id)
			mo_strlcpy(id, pid, MO_UUID_LEN);
		if (kop_out)
			*kop_out = kop;
	}
	return rc;
}

int agent_case_payment_json(struct agent_store *s, const char *case_id, cJSON **out,
			    struct mo_err *err)
{
	long long expected = 0, paid = 0;
	cJSON *items = NULL, *o;
	int rc;

	*out = NULL;
	if ((rc = agent_store_case_payments(s, case_id, &expected, &paid, &items, err)) != MO_OK)
		return rc;
	if ((o = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(items);
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	}
	cJSON_AddNumberToObject(o, "expected_kop", (double)expected);
	cJSON_AddNumberToObject(o, "paid_kop", (double)paid);
	cJSON_AddItemToObject(o, "items", items);
	*out = o;
	return MO_OK;
}
