/*
 * ui_api.c — the JSON API behind the field UI's pages (/api/...).  Like
 * the CLI it is a thin face: it turns a request into the arguments of
 * case.h / store.h / field.h / sync.h functions and their results into
 * JSON; no rule of its own lives here.  Every change is made as the
 * signed-in operator (agent_identity.operator_name set per request).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "cli_int.h"
#include "field.h"
#include "i18n.h"
#include "operator.h"
#include "payment.h"
#include "mo_util.h"
#include "store.h"
#include "receipt.h"
#include "ui_int.h"
#include "visit.h"

#define LIST_LIMIT 200

/* ---- answers ---- */

const char *ui_text(const struct agent_ui *ui, const char *uk, const char *en)
{
	return ui->sess.lang == AGENT_LANG_EN ? en : uk;
}

void ui_json(struct ui_res *res, unsigned status, cJSON *v)
{
	char *t = v ? cJSON_PrintUnformatted(v) : NULL;

	mo_buf_reset(&res->body);
	res->status = status;
	if (t == NULL || mo_buf_adds(&res->body, t) != MO_OK) {
		mo_buf_reset(&res->body);
		res->status = 500;
		if (mo_buf_adds(&res->body, "{\"error\":{\"code\":\"internal\"}}") != MO_OK)
			mo_buf_reset(&res->body);
	}
	free(t);
	cJSON_Delete(v);
}

void ui_error(struct ui_res *res, unsigned status, const char *code, const char *message)
{
	cJSON *o = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(o, "error");

	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", message);
	ui_json(res, status, o);
}

static unsigned status_of(int rc)
{
	switch (rc) {
	case MO_EINVAL: return 422;
	case MO_ENOTFOUND: return 404;
	case MO_ECONFLICT:
	case MO_EEXISTS: return 409;
	case MO_EAUTH: return 401;
	case MO_ETOOBIG: return 413;
	case MO_EBUSY: return 503;
	default: return 500;
	}
}

/* a failed call: its reason in the session's language */
static void fail(struct agent_ui *ui, struct ui_res *res, int rc, const struct mo_err *err)
{
	char buf[600];

	if (rc == MO_EINVAL || rc == MO_ENOTFOUND || rc == MO_ECONFLICT || rc == MO_EAUTH)
		agent_reason(ui->sess.lang, err, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), agent_msg(ui->sess.lang, MSG_STORAGE),
			 err->msg[0] ? err->msg : mo_strerror(rc));
	ui_error(res, status_of(rc), err->code[0] ? err->code : "error", buf);
}

static const char *jstr(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static bool jtrue(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* the identity of this laptop with the signed-in operator; false: answered */
static bool who(struct agent_ui *ui, struct ui_res *res, struct agent_identity *me)
{
	struct mo_err err = MO_ERR_INIT;
	int rc;

	if (ui->sess.operator_name[0] == '\0') {
		ui_error(res, 401, "signin",
			 ui_text(ui, "Увійдіть: виберіть своє ім'я та введіть PIN.",
				 "Sign in: choose your name and enter your PIN."));
		return false;
	}
	if ((rc = agent_identity_load(ui->store, me, &err)) != MO_OK) {
		fail(ui, res, rc, &err);
		return false;
	}
	mo_strlcpy(me->operator_name, ui->sess.operator_name, sizeof(me->operator_name));
	return true;
}

/* ---- session and operators ---- */

static void get_session(struct agent_ui *ui, struct ui_res *res)
{
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	cJSON *o = cJSON_CreateObject(), *ops = NULL, *it;
	char trip[40];

	cJSON_AddStringToObject(o, "csrf", ui->sess.csrf);
	cJSON_AddStringToObject(o, "lang", ui->sess.lang == AGENT_LANG_EN ? "en" : "uk");
	cJSON_AddStringToObject(o, "operator", ui->sess.operator_name);
	cJSON_AddNumberToObject(o, "idle_minutes", (double)(ui->idle_ms / 60000u));
	if (agent_identity_load(ui->store, &me, &err) == MO_OK) {
		cJSON_AddStringToObject(o, "device_code", me.device_code);
		cJSON_AddStringToObject(o, "unit", me.unit);
		cJSON_AddStringToObject(o, "unit_name", me.unit_name);
	}
	if (agent_store_trip_open(ui->store, trip, sizeof(trip)) == MO_OK)
		cJSON_AddStringToObject(o, "open_trip", trip);
	if (agent_store_operator_list(ui->store, &ops, &err) == MO_OK) {
		cJSON *names = cJSON_AddArrayToObject(o, "operators");

		cJSON_ArrayForEach(it, ops)
		{
			const char *n = jstr(it, "name");

			if (n)
				cJSON_AddItemToArray(names, cJSON_CreateString(n));
		}
		cJSON_Delete(ops);
	}
	ui_json(res, 200, o);
}

static void post_signin(struct agent_ui *ui, const struct ui_call *call, struct ui_res *res)
{
	struct mo_err err = MO_ERR_INIT;
	const char *name = jstr(call->json, "name"), *pin = jstr(call->json, "pin");
	int rc;

	if (name == NULL || *name == '\0' || pin == NULL) {
		ui_error(res, 422, "required",
			 ui_text(ui, "Виберіть своє ім'я та введіть PIN.",
				 "Choose your name and enter your PIN."));
		return;
	}
	/* the one PIN rule (operator.c): hash check and the wrong-PIN wait */
	rc = agent_operator_check_pin(ui->store, name, pin, mo_now_ms(), &err);
	if (rc != MO_OK) {
		char why[400];

		if (rc == MO_EAUTH && strcmp(err.code, "rate_limited") == 0)
			ui_error(res, 429, "rate_limited", agent_reason(ui->sess.lang, &err, why, sizeof(why)));
		else if (rc == MO_EAUTH && strcmp(err.code, "no_pin") == 0)
			ui_error(res, 401, "no_pin", agent_reason(ui->sess.lang, &err, why, sizeof(why)));
		else if (rc == MO_EAUTH || rc == MO_ENOTFOUND)
			ui_error(res, 401, "bad_pin",
				 ui_text(ui, "Неправильне ім'я або PIN.", "Wrong name or PIN."));
		else
			fail(ui, res, rc, &err);
		return;
	}
	mo_strlcpy(ui->sess.operator_name, name, sizeof(ui->sess.operator_name));
	ui->sess.last_ms = mo_now_ms();
	get_session(ui, res);
}

static void post_signout(struct agent_ui *ui, struct ui_res *res)
{
	ui->sess.operator_name[0] = '\0';
	get_session(ui, res);
}

static void post_lang(struct agent_ui *ui, const struct ui_call *call, struct ui_res *res)
{
	const char *l = jstr(call->json, "lang");

	ui->sess.lang = l && strcmp(l, "en") == 0 ? AGENT_LANG_EN : AGENT_LANG_UK;
	get_session(ui, res);
}

/* ---- trips ---- */

static void get_trips(struct agent_ui *ui, struct ui_res *res)
{
	struct mo_err err = MO_ERR_INIT;
	cJSON *arr = NULL;
	int rc;

	if ((rc = agent_store_trip_list(ui->store, &arr, &err)) != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	ui_json(res, 200, arr);
}

static void post_trip_start(struct agent_ui *ui, const struct ui_call *call, struct ui_res *res)
{
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	const char *crew[20];
	size_t ncrew = 0;
	const cJSON *it;
	char id[MO_UUID_LEN];
	int rc;

	if (!who(ui, res, &me))
		return;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(call->json, "crew"))
	{
		if (cJSON_IsString(it) && ncrew < 20)
			crew[ncrew++] = it->valuestring;
	}
	rc = agent_trip_start(ui->store, &me, jstr(call->json, "settlement"),
			      jstr(call->json, "kind"), crew, ncrew, id, &err);
	if (rc == MO_ECONFLICT) {
		ui_error(res, 409, "trip_open",
			 ui_text(ui, "Виїзд уже триває. Спершу завершіть його.",
				 "A trip is already open. End it first."));
		return;
	}
	if (rc == MO_EINVAL && strcmp(err.code, "required") == 0) {
		ui_error(res, 422, "required",
			 ui_text(ui, "Вкажіть населений пункт.", "Enter the settlement."));
		return;
	}
	if (rc != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", id);
	ui_json(res, 200, o);
}

static void post_trip_end(struct agent_ui *ui, struct ui_res *res)
{
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	char id[40];
	cJSON *o;
	int rc;

	if (!who(ui, res, &me))
		return;
	if ((rc = agent_trip_end(ui->store, &me, id, &err)) == MO_ENOTFOUND) {
		ui_error(res, 404, "no_trip", agent_msg(ui->sess.lang, MSG_NO_TRIP));
		return;
	}
	if (rc != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	ui_json(res, 200, o);
}

/* ---- the catalogue ---- */

/* the service picker: the catalogue search the CLI's `service list` uses */
static void get_services(struct agent_ui *ui, const struct ui_call *call, struct ui_res *res)
{
	struct mo_err err = MO_ERR_INIT;
	cJSON *arr = NULL;
	int rc;

	if ((rc = agent_store_service_search(ui->store, call->arg(call->arg_ctx, "q"), &arr,
					     &err)) != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	ui_json(res, 200, arr);
}

/* ---- cases ---- */

/* the application form (JSON) as a case input; strings borrowed from j */
static void case_input(const cJSON *j, struct agent_case_input *in)
{
	const cJSON *it;

	memset(in, 0, sizeof(*in));
	in->origin = "local";
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "services"))
	{
		if (cJSON_IsString(it) && in->nservices < AGENT_MAX_SERVICES)
			in->services[in->nservices++] = it->valuestring;
	}
	in->package = jstr(j, "package");
	in->surname = jstr(j, "surname");
	in->given_name = jstr(j, "given_name");
	in->patronymic = jstr(j, "patronymic");
	in->birth_date = jstr(j, "birth_date");
	in->rnokpp = jstr(j, "rnokpp");
	in->phone = jstr(j, "phone");
	in->address_text = jstr(j, "address");
	in->notes = jstr(j, "notes");
	in->mobility = jstr(j, "mobility");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "documents"))
	{
		if (in->ndocs == AGENT_MAX_DOCS || !jstr(it, "type") || !jstr(it, "number"))
			continue;
		in->docs[in->ndocs].type = jstr(it, "type");
		in->docs[in->ndocs].number = jstr(it, "number");
		in->docs[in->ndocs].issued = jstr(it, "issued");
		in->ndocs++;
	}
	it = cJSON_GetObjectItemCaseSensitive(j, "documents_presented");
	if (cJSON_IsArray(it) && cJSON_GetArraySize(it) > 0)
		in->documents_presented = it;
	it = cJSON_GetObjectItemCaseSensitive(j, "consent");
	if (cJSON_IsBool(it)) {
		in->consent = cJSON_IsTrue(it);
		in->consent_set = true;
	}
	it = cJSON_GetObjectItemCaseSensitive(j, "messages_consent");
	if (cJSON_IsBool(it)) {
		in->messages_consent = cJSON_IsTrue(it);
		in->messages_consent_set = true;
	}
	in->draft = jtrue(j, "draft");
	in->no_rnokpp = jtrue(j, "no_rnokpp");
	in->visit = jstr(j, "visit"); /* resolved by agent_visit_case_input */
}

static void get_cases(struct agent_ui *ui, const struct ui_call *call, struct ui_res *res)
{
	struct agent_case_filter f = {NULL, NULL, NULL, LIST_LIMIT};
	struct mo_err err = MO_ERR_INIT;
	const char *q = call->arg(call->arg_ctx, "q"), *lim = call->arg(call->arg_ctx, "limit");
	cJSON *arr = NULL;
	int rc;

	f.status = call->arg(call->arg_ctx, "status");
	f.trip = call->arg(call->arg_ctx, "trip");
	if (f.status && !*f.status)
		f.status = NULL;
	if (f.trip && !*f.trip)
		f.trip = NULL;
	f.search = q && *q ? q : NULL;
	if (lim && !mo_parse_i64(&f.limit, lim, 1, 10000))
		f.limit = LIST_LIMIT;
	if ((rc = agent_store_case_list(ui->store, &f, &arr, &err)) != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	ui_json(res, 200, arr);
}

static void get_case(struct agent_ui *ui, const char *key, struct ui_res *res)
{
	struct agent_case c;
	struct mo_err err = MO_ERR_INIT;
	cJSON *o = NULL;
	int rc;

	if ((rc = agent_store_case_get(ui->store, key, &c, &err)) != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	rc = agent_store_case_json(ui->store, &c, &o, &err);
	if (rc == MO_OK) {
		cJSON *pay = NULL; /* expected vs paid (payment.c) */

		if ((rc = agent_case_payment_json(ui->store, c.id, &pay, &err)) == MO_OK)
			cJSON_AddItemToObject(o, "payment", pay);
		else
			cJSON_Delete(o);
	}
	agent_case_release(&c);
	if (rc != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	ui_json(res, 200, o);
}

/* a validation failure: {"error": ..., "errors": [{field, code, message}]} */
static void invalid(struct agent_ui *ui, struct ui_res *res, const struct mo_err *err)
{
	char buf[600];
	cJSON *o = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(o, "error");
	cJSON *arr = cJSON_AddArrayToObject(o, "errors"), *one = cJSON_CreateObject();

	agent_reason(ui->sess.lang, err, buf, sizeof(buf));
	cJSON_AddStringToObject(e, "code", "invalid");
	cJSON_AddStringToObject(e, "message", buf);
	cJSON_AddStringToObject(one, "field", err->msg);
	cJSON_AddStringToObject(one, "code", err->code);
	cJSON_AddStringToObject(one, "message", buf);
	cJSON_AddItemToArray(arr, one);
	ui_json(res, 422, o);
}

/*
 * The form as typed, checked by the agent's own rule (agent_case_check):
 * 200 {"ok":true,"errors":[]} or 422 {"ok":false,"errors":[{field,code,message}]}.
 * Nothing is written.  Returns true when the form is clean.
 */
static bool check_form(struct agent_ui *ui, const struct agent_case_input *in, struct ui_res *res,
		       bool only_errors)
{
	struct agent_case_errors *all = malloc(sizeof(*all));
	struct mo_err err = MO_ERR_INIT;
	cJSON *o, *arr;
	bool ok;

	if (all == NULL) {
		ui_error(res, 500, "storage", "memory");
		return false;
	}
	ok = agent_case_check(ui->store, in, ui->sess.lang, all, &err) == MO_OK;
	if (!ok || !only_errors) {
		o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "ok", ok);
		if (!ok) {
			cJSON *e = cJSON_AddObjectToObject(o, "error");

			cJSON_AddStringToObject(e, "code", "invalid");
			cJSON_AddStringToObject(e, "message", all->e[0].message);
		}
		arr = cJSON_AddArrayToObject(o, "errors");
		for (size_t i = 0; i < all->n; i++) {
			cJSON *one = cJSON_CreateObject();

			cJSON_AddStringToObject(one, "field", all->e[i].field);
			cJSON_AddStringToObject(one, "label",
						agent_field_label(ui->sess.lang, all->e[i].field));
			cJSON_AddStringToObject(one, "code", all->e[i].code);
			cJSON_AddStringToObject(one, "message", all->e[i].message);
			cJSON_AddItemToArray(arr, one);
		}
		ui_json(res, ok ? 200 : 422, o);
	}
	free(all);
	return ok;
}

static void post_case_check(struct agent_ui *ui, const struct ui_call *call, struct ui_res *res)
{
	struct agent_case_input in;

	case_input(call->json, &in);
	(void)check_form(ui, &in, res, false);
}

static void post_case_new(struct agent_ui *ui, const struct ui_call *call, struct ui_res *res)
{
	struct agent_identity me;
	struct agent_case_input in;
	struct agent_visit_fill fill = {"", NULL};
	struct mo_err err = MO_ERR_INIT;
	char id[40], number[48];
	int rc;

	if (!who(ui, res, &me))
		return;
	case_input(call->json, &in);
	/* from a visit: what the form leaves empty comes from the visit, as in the CLI */
	if (in.visit && (rc = agent_visit_case_input(ui->store, in.visit, &in, &fill, &err)) != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	if (!check_form(ui, &in, res, true)) {
		agent_visit_fill_release(&fill);
		return;
	}
	if ((rc = agent_store_begin(ui->store, &err)) == MO_OK) {
		rc = agent_case_create(ui->store, &me, &in, id, number, &err);
		if (rc == MO_OK)
			rc = agent_store_commit(ui->store, &err);
		if (rc != MO_OK)
			agent_store_rollback(ui->store);
	}
	agent_visit_fill_release(&fill);
	if (rc == MO_EINVAL) {
		invalid(ui, res, &err);
		return;
	}
	if (rc != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	get_case(ui, id, res);
}

static void post_case_edit(struct agent_ui *ui, const char *key, const struct ui_call *call,
			   struct ui_res *res)
{
	struct agent_identity me;
	struct agent_case_input in;
	struct mo_err err = MO_ERR_INIT;
	int rc;

	if (!who(ui, res, &me))
		return;
	case_input(call->json, &in);
	in.nservices = 0; /* services change only through their own rule (drafts) */
	if ((rc = agent_store_begin(ui->store, &err)) == MO_OK) {
		rc = agent_case_edit(ui->store, &me, key, &in, &err);
		if (rc == MO_OK)
			rc = agent_store_commit(ui->store, &err);
		if (rc != MO_OK)
			agent_store_rollback(ui->store);
	}
	if (rc == MO_EINVAL) {
		invalid(ui, res, &err);
		return;
	}
	if (rc != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	get_case(ui, key, res);
}

static void post_case_move(struct agent_ui *ui, const char *key, const char *to,
			   const struct ui_call *call, struct ui_res *res)
{
	struct agent_identity me;
	struct agent_case c;
	struct mo_err err = MO_ERR_INIT;
	int rc;

	if (!who(ui, res, &me))
		return;
	if ((rc = agent_store_begin(ui->store, &err)) == MO_OK) {
		rc = agent_case_move(ui->store, &me, key, to, jstr(call->json, "reason"), &c, &err);
		if (rc == MO_OK) {
			agent_case_release(&c);
			rc = agent_store_commit(ui->store, &err);
		}
		if (rc != MO_OK)
			agent_store_rollback(ui->store);
	}
	if (rc != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	get_case(ui, key, res);
}

static void post_rate(struct agent_ui *ui, const char *key, const struct ui_call *call,
		      struct ui_res *res)
{
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(call->json, "score");
	int rc;

	if (!who(ui, res, &me))
		return;
	if (!cJSON_IsNumber(sc)) {
		ui_error(
		    res, 422, "score",
		    ui_text(ui, "Виберіть оцінку від 1 до 5.", "Choose a rating from 1 to 5."));
		return;
	}
	rc = agent_case_rate(ui->store, &me, key, (int)sc->valuedouble, jstr(call->json, "comment"),
			     &err);
	if (rc != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	ui_json(res, 200, cJSON_CreateObject());
}

/* the payment form: {amount: "250,50", method, receipt?} (payment.c's rule) */
static void post_pay(struct agent_ui *ui, const char *key, const struct ui_call *call,
		     struct ui_res *res)
{
	struct agent_payment_input in = {jstr(call->json, "amount"), jstr(call->json, "method"),
					 jstr(call->json, "receipt"), jstr(call->json, "paid_at")};
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	int rc;

	if (!who(ui, res, &me))
		return;
	if ((rc = agent_case_pay(ui->store, &me, key, &in, NULL, NULL, &err)) != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	get_case(ui, key, res);
}

/* percent-decode a header value into out (file names are sent encoded) */
static void pct_decode(char *out, size_t len, const char *in)
{
	size_t o = 0;

	for (; in && *in && o + 1 < len; in++) {
		unsigned v;

		if (*in == '%' && in[1] && in[2] && sscanf(in + 1, "%2x", &v) == 1) {
			out[o++] = (char)v;
			in += 2;
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

static void post_scan(struct agent_ui *ui, const char *key, const struct ui_call *call,
		      struct ui_res *res)
{
	struct agent_identity me;
	struct agent_attach_result ar;
	struct mo_err err = MO_ERR_INIT;
	char name[256], kind[64];
	cJSON *o;
	int rc;

	if (!who(ui, res, &me))
		return;
	pct_decode(name, sizeof(name), call->header_name ? call->header_name : "scan");
	if (strchr(name, '/') || strchr(name, '\\') || name[0] == '\0')
		mo_strlcpy(name, "scan", sizeof(name));
	pct_decode(kind, sizeof(kind), call->arg(call->arg_ctx, "kind"));
	rc = agent_case_attach_file(ui->store, &me, ui->ctx->data_dir, key, call->upload_path, name,
				    kind[0] ? kind : NULL, &ar, &err);
	if (rc == MO_EINVAL && strcmp(err.code, "file") == 0) {
		ui_error(res, 422, "empty", ui_text(ui, "Файл порожній.", "The file is empty."));
		return;
	}
	if (rc != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", ar.id);
	cJSON_AddStringToObject(o, "sha256", ar.sha256);
	cJSON_AddNumberToObject(o, "size", (double)ar.size);
	cJSON_AddBoolToObject(o, "duplicate", ar.duplicate);
	ui_json(res, 200, o);
}

/* ---- decisions, sync, status ---- */

static void get_status(struct agent_ui *ui, struct ui_res *res)
{
	struct mo_err err = MO_ERR_INIT;
	cJSON *o = NULL;
	int rc;

	if ((rc = agent_store_status_json(ui->store, &o, &err)) != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	cJSON_AddItemToObject(o, "sync", ui_sync_json(ui));
	ui_json(res, 200, o);
}

static void post_sync(struct agent_ui *ui, struct ui_res *res)
{
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	int rc;

	if (!who(ui, res, &me))
		return;
	if ((rc = ui_sync_start(ui, &err)) != MO_OK && rc != MO_ECONFLICT) {
		fail(ui, res, rc, &err);
		return;
	}
	ui_json(res, 200, ui_sync_json(ui));
}

static void get_inbox(struct agent_ui *ui, struct ui_res *res)
{
	struct mo_err err = MO_ERR_INIT;
	cJSON *arr = NULL;
	int rc;

	if ((rc = agent_store_inbox(ui->store, LIST_LIMIT, &arr, &err)) != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	ui_json(res, 200, arr);
}

static void post_inbox_seen(struct agent_ui *ui, const char *key, struct ui_res *res)
{
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	int rc;

	if (!who(ui, res, &me))
		return;
	if ((rc = agent_store_inbox_seen(ui->store, key, &err)) != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	get_inbox(ui, res);
}

/* ---- home visits (visit.h) ---- */

static void get_visits(struct agent_ui *ui, struct ui_res *res)
{
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	cJSON *arr = NULL;
	int rc;

	if (!who(ui, res, &me)) /* citizens' addresses and phones: a signed-in operator only */
		return;
	if ((rc = agent_visit_list(ui->store, &arr, &err)) != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	ui_json(res, 200, arr);
}

static void get_visit(struct agent_ui *ui, const char *key, struct ui_res *res)
{
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	cJSON *o = NULL;
	int rc;

	if (!who(ui, res, &me))
		return;
	if ((rc = agent_visit_show(ui->store, key, &o, &err)) != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	ui_json(res, 200, o);
}

/* POST visits/KEY/schedule {"date"} | done {} | cancel {"reason"} */
static void post_visit_move(struct agent_ui *ui, const char *key, const char *verb,
			    const struct ui_call *call, struct ui_res *res)
{
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	int rc;

	if (!who(ui, res, &me))
		return;
	if ((rc = agent_store_begin(ui->store, &err)) == MO_OK) {
		if (strcmp(verb, "schedule") == 0)
			rc = agent_visit_schedule(ui->store, &me, key, jstr(call->json, "date"), &err);
		else if (strcmp(verb, "done") == 0)
			rc = agent_visit_done(ui->store, &me, key, &err);
		else
			rc = agent_visit_cancel(ui->store, &me, key, jstr(call->json, "reason"), &err);
		if (rc == MO_OK)
			rc = agent_store_commit(ui->store, &err);
		if (rc != MO_OK)
			agent_store_rollback(ui->store);
	}
	if (rc != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	get_visit(ui, key, res);
}

/* ---- routing ---- */

/* "cases/KEY/verb": KEY into key (no '/'), the rest after it */
static const char *split_key(const char *p, char *key, size_t len)
{
	const char *slash = strchr(p, '/');
	size_t n = slash ? (size_t)(slash - p) : strlen(p);

	if (n == 0 || n >= len) {
		key[0] = '\0';
		return NULL;
	}
	memcpy(key, p, n);
	key[n] = '\0';
	return slash ? slash + 1 : "";
}

void ui_api_handle(struct agent_ui *ui, struct ui_call *call, struct ui_res *res)
{
	const char *p = call->path, *rest;
	bool get = strcmp(call->method, "GET") == 0;
	uint64_t now = mo_now_ms();
	char key[64];

	/* sign-out after idle; the pages' polling is not activity */
	if (ui->sess.operator_name[0] && now - ui->sess.last_ms > ui->idle_ms)
		ui->sess.operator_name[0] = '\0';
	if (!(get &&
	      (strcmp(p, "session") == 0 || strcmp(p, "sync") == 0 || strcmp(p, "status") == 0)))
		ui->sess.last_ms = now;

	if (get && strcmp(p, "session") == 0) {
		get_session(ui, res);
		return;
	}
	if (!get && strcmp(p, "signin") == 0) {
		post_signin(ui, call, res);
		return;
	}
	if (!get && strcmp(p, "signout") == 0) {
		post_signout(ui, res);
		return;
	}
	if (!get && strcmp(p, "lang") == 0) {
		post_lang(ui, call, res);
		return;
	}
	if (get && strcmp(p, "services") == 0) {
		get_services(ui, call, res);
		return;
	}
	if (get && strcmp(p, "trips") == 0) {
		get_trips(ui, res);
		return;
	}
	if (!get && strcmp(p, "trips") == 0) {
		post_trip_start(ui, call, res);
		return;
	}
	if (!get && strcmp(p, "trips/end") == 0) {
		post_trip_end(ui, res);
		return;
	}
	if (get && strcmp(p, "cases") == 0) {
		get_cases(ui, call, res);
		return;
	}
	if (!get && strcmp(p, "cases") == 0) {
		post_case_new(ui, call, res);
		return;
	}
	if (!get && strcmp(p, "cases/check") == 0) {
		post_case_check(ui, call, res);
		return;
	}
	if (get && (strcmp(p, "status") == 0 || strcmp(p, "sync") == 0)) {
		get_status(ui, res);
		return;
	}
	if (!get && strcmp(p, "sync") == 0) {
		post_sync(ui, res);
		return;
	}
	if (get && strcmp(p, "inbox") == 0) {
		get_inbox(ui, res);
		return;
	}
	if (!get && strncmp(p, "inbox/", 6) == 0 && (rest = split_key(p + 6, key, sizeof(key))) &&
	    strcmp(rest, "seen") == 0) {
		post_inbox_seen(ui, key, res);
		return;
	}
	if (strncmp(p, "scan/", 5) == 0 && call->upload_path &&
	    (rest = split_key(p + 5, key, sizeof(key))) && *rest == '\0') {
		post_scan(ui, key, call, res);
		return;
	}
	if (get && strcmp(p, "visits") == 0) {
		get_visits(ui, res);
		return;
	}
	if (strncmp(p, "visits/", 7) == 0 && (rest = split_key(p + 7, key, sizeof(key)))) {
		if (get && *rest == '\0') {
			get_visit(ui, key, res);
			return;
		}
		if (!get && (strcmp(rest, "schedule") == 0 || strcmp(rest, "done") == 0 ||
			     strcmp(rest, "cancel") == 0)) {
			post_visit_move(ui, key, rest, call, res);
			return;
		}
	}
	if (strncmp(p, "cases/", 6) == 0 && (rest = split_key(p + 6, key, sizeof(key)))) {
		if (get && *rest == '\0') {
			get_case(ui, key, res);
			return;
		}
		if (!get && strcmp(rest, "edit") == 0) {
			post_case_edit(ui, key, call, res);
			return;
		}
		if (!get && strcmp(rest, "submit") == 0) {
			post_case_move(ui, key, "submitted", call, res);
			return;
		}
		if (!get && strcmp(rest, "cancel") == 0) {
			post_case_move(ui, key, "cancelled", call, res);
			return;
		}
		if (!get && strcmp(rest, "issue") == 0) {
			post_case_move(ui, key, "issued", call, res);
			return;
		}
		if (!get && strcmp(rest, "rate") == 0) {
			post_rate(ui, key, call, res);
			return;
		}
		if (!get && strcmp(rest, "pay") == 0) {
			post_pay(ui, key, call, res);
			return;
		}
	}
	ui_error(res, 404, "not_found", ui_text(ui, "Не знайдено.", "Not found."));
}

/* ---- the receipt page ---- */

void ui_receipt_page(struct agent_ui *ui, const char *key, const char *paper, struct ui_res *res)
{
	struct agent_receipt_opts o = AGENT_RECEIPT_OPTS_INIT;
	struct mo_err err = MO_ERR_INIT;
	int rc;

	o.lang = ui->sess.lang;
	o.paper = paper && *paper ? paper : "A4";
	o.css_href = "/receipt.css"; /* the page's CSP allows no inline style */
	mo_buf_reset(&res->body);
	if ((rc = agent_receipt_render(ui->store, key, &o, &res->body, &err)) != MO_OK) {
		fail(ui, res, rc, &err);
		return;
	}
	res->status = 200;
	res->ctype = "text/html; charset=utf-8";
	/* no script and no inline style: the QR code is inline SVG markup */
	res->csp = "default-src 'none'; style-src 'self'; img-src 'self' data:; "
		   "frame-ancestors 'none'";
}
