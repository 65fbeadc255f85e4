/* case.c — applications on the laptop (case.h). */
#include "case.h"

#include "lww.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hlc.h"
#include "i18n.h"
#include "lookup.h"
#include "mo_util.h"
#include "status.h"
#include "validate.h"
#include "visit.h"

static const char *const ADDRESS_KEYS[] = {"region", "hromada", "settlement", "postcode",
					   "street", "house",	"apartment"};

int agent_identity_load(struct agent_store *s, struct agent_identity *me, struct mo_err *err)
{
	memset(me, 0, sizeof(*me));
	if (agent_meta_get(s, "device", me->device, sizeof(me->device)) != MO_OK ||
	    agent_meta_get(s, "device_code", me->device_code, sizeof(me->device_code)) != MO_OK)
		return mo_err_set(err, MO_ENOTFOUND, "not_enrolled", "not enrolled");
	(void)agent_meta_get(s, "hub_url", me->hub_url, sizeof(me->hub_url));
	(void)agent_meta_get(s, "hub", me->hub, sizeof(me->hub));
	(void)agent_meta_get(s, "hub_public_key", me->hub_key, sizeof(me->hub_key));
	(void)agent_meta_get(s, "unit", me->unit, sizeof(me->unit));
	(void)agent_meta_get(s, "unit_name", me->unit_name, sizeof(me->unit_name));
	(void)agent_meta_get(s, "unit_kind", me->unit_kind, sizeof(me->unit_kind));
	(void)agent_meta_get(s, "operator", me->operator_name, sizeof(me->operator_name));
	me->revoked = agent_meta_get_i64(s, "revoked", 0) != 0;
	return MO_OK;
}

static int nomem(struct mo_err *err)
{
	return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
}

static int invalid(struct mo_err *err, const char *code, const char *field)
{
	return mo_err_set(err, MO_EINVAL, code, "%s", field);
}

static bool empty(const char *s)
{
	return s == NULL || *s == '\0';
}

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* ---- validation shared by new and edit ---- */

static int check_text(const char *v, size_t max, const char *field, struct mo_err *err)
{
	struct mo_err e = MO_ERR_INIT;

	if (v && proto_text_check(v, max, field, &e) != MO_OK)
		return invalid(err, "bad_field", field);
	return MO_OK;
}

static int check_person(const struct agent_case_input *in, const char *birth_for_rnokpp,
			char phone[PROTO_PHONE_LEN], struct mo_err *err)
{
	int rc;

	if ((rc = check_text(in->surname, 100, "surname", err)) != MO_OK ||
	    (rc = check_text(in->given_name, 100, "given_name", err)) != MO_OK ||
	    (rc = check_text(in->patronymic, 100, "patronymic", err)) != MO_OK ||
	    (rc = check_text(in->notes, 4000, "notes", err)) != MO_OK ||
	    (rc = check_text(in->address_text, 200, "address", err)) != MO_OK ||
	    (rc = check_text(in->mobility, 32, "mobility", err)) != MO_OK)
		return rc;
	if (in->birth_date && !proto_date_valid(in->birth_date))
		return invalid(err, "date", "birth_date");
	if (in->rnokpp) {
		struct mo_err e = MO_ERR_INIT;

		if (proto_rnokpp_check(in->rnokpp, birth_for_rnokpp, &e) != MO_OK)
			return mo_err_set(err, MO_EINVAL, e.code[0] ? e.code : "rnokpp_check_digit",
					  "%s", e.msg);
	}
	phone[0] = '\0';
	if (!empty(in->phone)) {
		struct mo_err e = MO_ERR_INIT;

		if (proto_phone_normalize(phone, in->phone, &e) != MO_OK)
			return invalid(err, "phone", "phone");
	}
	for (size_t i = 0; i < in->ndocs; i++) {
		if (empty(in->docs[i].type) || empty(in->docs[i].number))
			return invalid(err, "bad_field", "doc");
		if (in->docs[i].issued && !proto_date_valid(in->docs[i].issued))
			return invalid(err, "date", "doc.issued");
	}
	return MO_OK;
}

static cJSON *address_json(const struct agent_case_input *in)
{
	cJSON *a;

	if (in->address)
		return cJSON_Duplicate(in->address, 1);
	if (in->address_text == NULL)
		return NULL;
	if ((a = cJSON_CreateObject()) == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(ADDRESS_KEYS) / sizeof(ADDRESS_KEYS[0]); i++)
		cJSON_AddNullToObject(a, ADDRESS_KEYS[i]);
	cJSON_AddStringToObject(a, "text", in->address_text);
	return a;
}

static cJSON *documents_json(const struct agent_case_input *in)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < in->ndocs; i++) {
		cJSON *d = cJSON_CreateObject();

		cJSON_AddStringToObject(d, "type", in->docs[i].type);
		cJSON_AddStringToObject(d, "number", in->docs[i].number);
		if (in->docs[i].issued)
			cJSON_AddStringToObject(d, "issued", in->docs[i].issued);
		cJSON_AddItemToArray(arr, d);
	}
	return arr;
}

/* ---- services ---- */

struct svc_set {
	char code[AGENT_MAX_SERVICES][40];
	size_t n;
	char package[40];
	long long fee;
};

static int svc_add(struct svc_set *set, const struct agent_service *svc, struct mo_err *err)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->code[i], svc->code) == 0)
			return MO_OK;
	if (set->n == AGENT_MAX_SERVICES)
		return invalid(err, "too_many", "services");
	mo_strlcpy(set->code[set->n++], svc->code, sizeof(set->code[0]));
	set->fee += svc->fee_uah;
	return MO_OK;
}

/* resolve typed codes: a package expands to its members (unless import gives them) */
static int resolve_services(struct agent_store *s, const struct agent_case_input *in,
			    struct svc_set *set, struct mo_err *err)
{
	struct agent_service svc;
	int rc = MO_OK;

	memset(set, 0, sizeof(*set));
	if (in->nservices == 0)
		return invalid(err, "required", "service");
	if (in->package) {
		if (agent_store_service_get(s, in->package, &svc, NULL) != MO_OK ||
		    !svc.is_package) {
			if (svc.code[0])
				agent_service_release(&svc);
			return invalid(err, "unknown_service", in->package);
		}
		mo_strlcpy(set->package, svc.code, sizeof(set->package));
		agent_service_release(&svc);
	}
	for (size_t i = 0; i < in->nservices && rc == MO_OK; i++) {
		if (agent_store_service_get(s, in->services[i], &svc, NULL) != MO_OK)
			return invalid(err, "unknown_service", in->services[i]);
		if (!svc.active) {
			rc = invalid(err, "inactive_service", in->services[i]);
		} else if (svc.is_package) {
			const cJSON *m;

			if (set->package[0] == '\0')
				mo_strlcpy(set->package, svc.code, sizeof(set->package));
			cJSON_ArrayForEach(m, svc.members)
			{
				struct agent_service member;

				if (!cJSON_IsString(m) ||
				    agent_store_service_get(s, m->valuestring, &member, NULL) !=
					MO_OK) {
					rc = invalid(err, "unknown_service",
						     cJSON_IsString(m) ? m->valuestring : "?");
					break;
				}
				rc = svc_add(set, &member, err);
				agent_service_release(&member);
				if (rc != MO_OK)
					break;
			}
		} else {
			rc = svc_add(set, &svc, err);
		}
		agent_service_release(&svc);
	}
	return rc;
}


/* ---- every problem at once (agent_case_check) ---- */

static void fe_add(struct agent_case_errors *out, enum agent_lang lang, const char *field,
		   const char *code, const char *detail)
{
	struct agent_field_error *e;
	const char *fmt = agent_check_text(lang, code);

	if (out->n == AGENT_MAX_FIELD_ERRORS)
		return;
	/* one message per field: the first problem is the one to fix */
	for (size_t i = 0; i < out->n; i++)
		if (strcmp(out->e[i].field, field) == 0)
			return;
	e = &out->e[out->n++];
	mo_strlcpy(e->field, field, sizeof(e->field));
	mo_strlcpy(e->code, code, sizeof(e->code));
	if (fmt == NULL)
		fmt = agent_check_text(lang, "bad_field");
	if (strstr(fmt, "%s"))
		snprintf(e->message, sizeof(e->message), fmt, detail ? detail : "");
	else
		mo_strlcpy(e->message, fmt, sizeof(e->message));
}

static void fe_text(struct agent_case_errors *out, enum agent_lang lang, const char *v,
		    size_t max, const char *field, bool required)
{
	struct mo_err e = MO_ERR_INIT;
	char n[24];

	if (required && (v == NULL || strspn(v, " \t") == strlen(v))) {
		fe_add(out, lang, field, "required", NULL);
		return;
	}
	if (v && proto_text_check(v, max, field, &e) != MO_OK) {
		snprintf(n, sizeof(n), "%zu", max / 2); /* Cyrillic: two bytes a letter */
		fe_add(out, lang, field, "text", n);
	}
}

/* dates typed as 15.03.1948 become ISO in `norm` (unparsable ones stay as typed) */
struct case_dates {
	char birth[11];
	char issued[AGENT_MAX_DOCS][11];
};

static void normalize_dates(const struct agent_case_input *in, struct agent_case_input *norm,
			    struct case_dates *d)
{
	*norm = *in;
	if (in->birth_date && proto_date_parse(in->birth_date, d->birth) == MO_OK)
		norm->birth_date = d->birth;
	for (size_t i = 0; i < in->ndocs && i < AGENT_MAX_DOCS; i++)
		if (in->docs[i].issued &&
		    proto_date_parse(in->docs[i].issued, d->issued[i]) == MO_OK)
			norm->docs[i].issued = d->issued[i];
}

static bool has_passport(const struct agent_case_input *in)
{
	for (size_t i = 0; i < in->ndocs; i++)
		if (in->docs[i].type && strcmp(in->docs[i].type, "passport") == 0 &&
		    !empty(in->docs[i].number))
			return true;
	return false;
}

int agent_case_check(struct agent_store *s, const struct agent_case_input *raw,
		     enum agent_lang lang, struct agent_case_errors *out, struct mo_err *err)
{
	struct agent_case_input in;
	struct case_dates dates;
	struct svc_set set;
	struct mo_err e = MO_ERR_INIT;
	char phone[PROTO_PHONE_LEN], today[32];
	bool birth_ok;

	memset(out, 0, sizeof(*out));
	normalize_dates(raw, &in, &dates);

	/* services first: the form starts with them */
	if (in.nservices == 0) {
		fe_add(out, lang, "services", "required_services", NULL);
	} else if (resolve_services(s, &in, &set, &e) != MO_OK) {
		char n[16];

		snprintf(n, sizeof(n), "%d", AGENT_MAX_SERVICES);
		fe_add(out, lang, "services", e.code,
		       strcmp(e.code, "too_many") == 0 ? n : e.msg);
	}
	fe_text(out, lang, in.surname, 100, "surname", true);
	fe_text(out, lang, in.given_name, 100, "given_name", true);
	fe_text(out, lang, in.patronymic, 100, "patronymic", false);

	birth_ok = false;
	if (empty(in.birth_date)) {
		fe_add(out, lang, "birth_date", "required", NULL);
	} else if (!proto_date_valid(in.birth_date)) {
		fe_add(out, lang, "birth_date", "date", NULL);
	} else {
		mo_iso8601(today, sizeof(today), mo_now_ms(), true);
		if (strncmp(in.birth_date, today, 10) > 0)
			fe_add(out, lang, "birth_date", "date_future", NULL);
		else
			birth_ok = true;
	}

	if (in.no_rnokpp) {
		if (!empty(in.rnokpp))
			fe_add(out, lang, "rnokpp", "rnokpp_refused", NULL);
		if (!has_passport(&in))
			fe_add(out, lang, "documents", "passport_required", NULL);
	} else if (empty(in.rnokpp)) {
		fe_add(out, lang, "rnokpp", "required", NULL);
	} else if (proto_rnokpp_check(in.rnokpp, NULL, &e) != MO_OK) {
		fe_add(out, lang, "rnokpp", e.code, NULL);
	} else if (birth_ok && proto_rnokpp_check(in.rnokpp, in.birth_date, &e) != MO_OK) {
		/* the number is well formed, so the date is the likelier slip: say
		 * on the date which date the number encodes */
		char iso[11], shown[11];

		if (proto_rnokpp_birth_date(in.rnokpp, iso) != MO_OK)
			iso[0] = '\0';
		proto_date_display(iso, shown);
		fe_add(out, lang, "birth_date", "rnokpp_birth_date", shown);
	}

	if (!empty(in.phone) && proto_phone_normalize(phone, in.phone, &e) != MO_OK)
		fe_add(out, lang, "phone", "phone", NULL);
	fe_text(out, lang, in.address_text, 200, "address", false);
	for (size_t i = 0; i < in.ndocs; i++)
		if (empty(in.docs[i].type) || empty(in.docs[i].number) ||
		    (in.docs[i].issued && !proto_date_valid(in.docs[i].issued)))
			fe_add(out, lang, "documents", "bad_document", NULL);
	if (!in.consent && !in.draft)
		fe_add(out, lang, "consent", "missing_consent", NULL);
	if (in.messages_consent && empty(in.phone))
		fe_add(out, lang, "messages_consent", "messages_consent_phone", NULL);
	if (in.fee_set && in.fee_uah < 0)
		fe_add(out, lang, "fee_uah", "fee", NULL);
	fe_text(out, lang, in.notes, 4000, "notes", false);
	fe_text(out, lang, in.mobility, 32, "mobility", false);

	if (out->n == 0)
		return MO_OK;
	return mo_err_set(err, MO_EINVAL, out->e[0].code, "%s", out->e[0].field);
}

/* ---- create ---- */

static int stamp_case(struct agent_store *s, const char *id, const cJSON *fields, uint64_t hlc,
		      const char *dev, struct mo_err *err);
static int set_item(cJSON *obj, const char *key, cJSON *v);

/* f.status_check: the check of `code` (a fresh one when code is empty) for number */
static int status_code_new(cJSON *f, const char *number, char code[PROTO_LOOKUP_CODE_LEN],
			   struct mo_err *err)
{
	char check[PROTO_LOOKUP_CHECK_LEN];
	int rc;

	if (code[0] == '\0' && proto_lookup_code_new(code) != MO_OK)
		return mo_err_set(err, MO_ERROR, NULL, "no randomness for a status code");
	if ((rc = proto_lookup_check_make(check, number, code, err)) != MO_OK)
		return rc;
	return set_item(f, "status_check", cJSON_CreateString(check)) == MO_OK ? MO_OK : nomem(err);
}

int agent_case_create(struct agent_store *s, const struct agent_identity *me,
		      const struct agent_case_input *raw, char id_out[40], char number_out[48],
		      struct mo_err *err)
{
	struct agent_case_input norm;
	const struct agent_case_input *in = &norm;
	struct case_dates dates;
	struct svc_set set;
	struct agent_case c;
	char phone[PROTO_PHONE_LEN], now[32], year[5], code[PROTO_LOOKUP_CODE_LEN] = "";
	cJSON *f = NULL, *app, *arr, *addr;
	const char *status = raw->draft ? "draft" : "submitted";
	long long counter;
	int rc;

	memset(&c, 0, sizeof(c));
	if (empty(me->operator_name))
		return invalid(err, "required", "operator");
	{
		/* one rule: the same check the CLI and the UI show in full */
		struct agent_case_errors *all = malloc(sizeof(*all));

		if (all == NULL)
			return nomem(err);
		rc = agent_case_check(s, raw, AGENT_LANG_EN, all, err);
		free(all);
		if (rc != MO_OK)
			return rc;
	}
	normalize_dates(raw, &norm, &dates);
	if ((rc = resolve_services(s, in, &set, err)) != MO_OK ||
	    (rc = check_person(in, in->no_rnokpp ? NULL : in->birth_date, phone, err)) != MO_OK)
		return rc;
	if (in->created_at && !proto_datetime_valid(in->created_at))
		return invalid(err, "date", "created_at");
	if (in->visit && !proto_uuid_valid(in->visit))
		return invalid(err, "bad_field", "visit");

	if (in->id) {
		if (!proto_uuid_valid(in->id))
			return invalid(err, "bad_field", "id");
		mo_strlcpy(c.id, in->id, sizeof(c.id));
		for (char *p = c.id; *p; p++)
			if (*p >= 'A' && *p <= 'F')
				*p = (char)(*p - 'A' + 'a');
	} else if (mo_uuid_v4(c.id) != MO_OK) {
		return mo_err_set(err, MO_ERROR, NULL, "no randomness for a UUID");
	}
	mo_iso8601(now, sizeof(now), mo_now_ms(), true);
	if ((rc = agent_store_case_counter_next(s, &counter, err)) != MO_OK)
		return rc;
	memcpy(year, now, 4);
	year[4] = '\0';
	snprintf(c.number, sizeof(c.number), "%.32s-%.4s-%06llu", me->device_code, year,
		 (unsigned long long)counter % 1000000000ULL);
	mo_strlcpy(c.status, status, sizeof(c.status));
	(void)agent_store_trip_open(s, c.trip, sizeof(c.trip));
	mo_strlcpy(c.operator_name, me->operator_name, sizeof(c.operator_name));
	mo_strlcpy(c.created_at, in->created_at ? in->created_at : now, sizeof(c.created_at));
	mo_strlcpy(c.origin, in->origin ? in->origin : "local", sizeof(c.origin));

	/* the canonical shape of TEAM.md, key order included */
	if ((f = cJSON_CreateObject()) == NULL)
		return nomem(err);
	cJSON_AddStringToObject(f, "number", c.number);
	cJSON_AddStringToObject(f, "unit", me->unit);
	cJSON_AddStringToObject(f, "device", me->device_code);
	cJSON_AddItemToObject(f, "trip", str_or_null(c.trip[0] ? c.trip : NULL));
	cJSON_AddStringToObject(f, "operator", c.operator_name);
	cJSON_AddStringToObject(f, "created_at", c.created_at);
	cJSON_AddStringToObject(f, "channel", in->channel ? in->channel : "mobile_office");
	cJSON_AddItemToObject(f, "package", str_or_null(set.package[0] ? set.package : NULL));
	arr = cJSON_AddArrayToObject(f, "services");
	c.svc = calloc(set.n, sizeof(*c.svc));
	if (c.svc == NULL) {
		rc = nomem(err);
		goto done;
	}
	for (size_t i = 0; i < set.n; i++) {
		cJSON *sv = cJSON_CreateObject();

		cJSON_AddStringToObject(sv, "code", set.code[i]);
		cJSON_AddStringToObject(sv, "status", status);
		cJSON_AddItemToArray(arr, sv);
		mo_strlcpy(c.svc[i].code, set.code[i], sizeof(c.svc[i].code));
		mo_strlcpy(c.svc[i].status, status, sizeof(c.svc[i].status));
	}
	c.nsvc = set.n;
	app = cJSON_AddObjectToObject(f, "applicant");
	cJSON_AddStringToObject(app, "surname", in->surname);
	cJSON_AddStringToObject(app, "given_name", in->given_name);
	cJSON_AddStringToObject(app, "patronymic", in->patronymic ? in->patronymic : "");
	cJSON_AddStringToObject(app, "birth_date", in->birth_date);
	if (in->no_rnokpp) {
		cJSON_AddNullToObject(app, "rnokpp");
		cJSON_AddTrueToObject(app, "no_rnokpp");
	} else {
		cJSON_AddStringToObject(app, "rnokpp", in->rnokpp);
	}
	cJSON_AddItemToObject(app, "phone", str_or_null(phone[0] ? phone : NULL));
	addr = address_json(in);
	cJSON_AddItemToObject(app, "address", addr ? addr : cJSON_CreateObject());
	cJSON_AddItemToObject(app, "documents", documents_json(in));
	cJSON_AddItemToObject(app, "mobility", str_or_null(in->mobility));
	cJSON_AddItemToObject(f, "documents_presented",
			      in->documents_presented ? cJSON_Duplicate(in->documents_presented, 1)
						      : cJSON_CreateArray());
	cJSON_AddBoolToObject(f, "consent", in->consent);
	cJSON_AddNumberToObject(f, "fee_uah", (double)(in->fee_set ? in->fee_uah : set.fee));
	cJSON_AddStringToObject(f, "notes", in->notes ? in->notes : "");
	if (in->visit)
		cJSON_AddStringToObject(f, "visit", in->visit);
	c.data = f;
	/* the receipt's status code: made here, offline; only its check goes to
	 * the hub.  Not for an import (lines of applications taken elsewhere,
	 * whose citizens hold no such receipt): one scrypt is ~50 ms, and an
	 * import of 10000 lines would pay it 10000 times */
	if (strcmp(c.origin, "import") != 0 &&
	    (rc = status_code_new(f, c.number, code, err)) != MO_OK)
		goto done;
	/* consent to status SMS (issue 15), after the canonical fields; absent
	 * when not given, as on every case made before it existed */
	if (in->messages_consent && phone[0])
		cJSON_AddTrueToObject(f, "messages_consent");

	if ((rc = agent_store_outbox_add(s, "case", c.id, "upsert", f, me->operator_name, NULL,
					 err)) != MO_OK ||
	    (rc = agent_store_case_insert(s, &c, err)) != MO_OK ||
	    (code[0] && (rc = agent_store_case_code_put(s, c.id, code, err)) != MO_OK) ||
	    (rc = stamp_case(s, c.id, f, agent_store_hlc_last(s), me->device, err)) != MO_OK)
		goto done;
	{
		struct agent_event ev = {.case_id = c.id,
					 .kind = strcmp(c.origin, "import") == 0 ? "imported"
										 : "created",
					 .to = status,
					 .actor = me->operator_name,
					 .origin = "local",
					 .at = c.created_at,
					 .seen = true};

		if ((rc = agent_store_event_add(s, &ev, err)) != MO_OK)
			goto done;
	}
	mo_strlcpy(id_out, c.id, 40);
	mo_strlcpy(number_out, c.number, 48);
done:
	agent_case_release(&c); /* frees f too */
	return rc;
}

/* ---- merging (local edits and hub corrections) ---- */

static bool merges_by_key(const char *key)
{
	return strcmp(key, "applicant") == 0 || strcmp(key, "address") == 0;
}

/* dst ← src, key by key for applicant and address (DESIGN.md §4 upsert) */
static void merge_fields(cJSON *dst, const cJSON *src)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, src)
	{
		cJSON *cur = cJSON_GetObjectItemCaseSensitive(dst, it->string);

		if (cur && cJSON_IsObject(cur) && cJSON_IsObject(it) && merges_by_key(it->string)) {
			merge_fields(cur, it);
			continue;
		}
		cJSON *dup = cJSON_Duplicate(it, 1);

		if (dup == NULL)
			continue;
		if (cur)
			cJSON_ReplaceItemInObjectCaseSensitive(dst, it->string, dup);
		else
			cJSON_AddItemToObject(dst, it->string, dup);
	}
}

/* ---- field stamps: LWW by (HLC, device id), the hub's rule (proto/lww.h) ----
 *
 * A downstream change does not name its device on the wire, so it merges
 * with device "": at an equal HLC (a tie the hub breaks by device id, which
 * the laptop cannot see) the local value stays.
 */

static int set_item(cJSON *obj, const char *key, cJSON *v)
{
	if (v == NULL)
		return MO_ENOMEM;
	if (cJSON_HasObjectItem(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
	else
		cJSON_AddItemToObject(obj, key, v);
	return MO_OK;
}

/* record the stamps of a local or downstream write of fields to case id */
static int stamp_case(struct agent_store *s, const char *id, const cJSON *fields, uint64_t hlc,
		      const char *dev, struct mo_err *err)
{
	char stamp[PROTO_STAMP_LEN];
	cJSON *stamps = NULL;
	int rc;

	proto_stamp_format(stamp, hlc, dev);
	if ((rc = agent_store_case_stamps_get(s, id, &stamps, err)) != MO_OK)
		return rc;
	if (proto_lww_stamp(stamps, "", fields, stamp, 0) != MO_OK)
		rc = nomem(err);
	else
		rc = agent_store_case_stamps_put(s, id, stamps, err);
	cJSON_Delete(stamps);
	return rc;
}

static int case_status_recompute(struct agent_case *c)
{
	int st[AGENT_MAX_SERVICES + 8];
	size_t n = c->nsvc < sizeof(st) / sizeof(st[0]) ? c->nsvc : sizeof(st) / sizeof(st[0]);
	int cs;

	for (size_t i = 0; i < n; i++)
		st[i] = proto_status_parse(c->svc[i].status);
	cs = proto_status_of_case(st, n);
	if (cs != PROTO_ST_INVALID)
		mo_strlcpy(c->status, proto_status_name(cs), sizeof(c->status));
	return MO_OK;
}

/* ---- edit ---- */

/*
 * An edit adds to a list (documents brought later, a passport found): the
 * current items, then each new one not already there.  Takes `add`.
 */
static cJSON *list_add(const cJSON *cur, cJSON *add)
{
	cJSON *out = cJSON_IsArray(cur) ? cJSON_Duplicate(cur, 1) : cJSON_CreateArray();
	cJSON *it, *next;

	if (out == NULL || add == NULL) {
		cJSON_Delete(add);
		return out;
	}
	for (it = add->child; it; it = next) {
		const cJSON *have;
		bool dup = false;

		next = it->next;
		cJSON_ArrayForEach(have, out)
		{
			if (cJSON_Compare(have, it, true)) {
				dup = true;
				break;
			}
		}
		if (!dup && cJSON_GetArraySize(out) < AGENT_MAX_DOCS)
			cJSON_AddItemToArray(out, cJSON_DetachItemViaPointer(add, it));
	}
	cJSON_Delete(add);
	return out;
}

/*
 * --services while the case is a draft: the new set replaces the old one
 * (a package expands as in create), and the fee follows the catalogue
 * unless one is given.  Once submitted, services move only by status.
 */
static int edit_services(struct agent_store *s, const struct agent_case_input *in,
			 struct agent_case *c, cJSON *f, struct mo_err *err)
{
	struct svc_set set;
	struct agent_case_svc *svc;
	cJSON *arr;
	int rc;

	if (strcmp(c->status, "draft") != 0)
		return invalid(err, "not_editable", c->status);
	if ((rc = resolve_services(s, in, &set, err)) != MO_OK)
		return rc;
	if ((svc = calloc(set.n, sizeof(*svc))) == NULL)
		return nomem(err);
	cJSON_AddItemToObject(f, "package", str_or_null(set.package[0] ? set.package : NULL));
	arr = cJSON_AddArrayToObject(f, "services");
	for (size_t i = 0; i < set.n; i++) {
		cJSON *sv = cJSON_CreateObject();

		cJSON_AddStringToObject(sv, "code", set.code[i]);
		cJSON_AddStringToObject(sv, "status", "draft");
		cJSON_AddItemToArray(arr, sv);
		mo_strlcpy(svc[i].code, set.code[i], sizeof(svc[i].code));
		mo_strlcpy(svc[i].status, "draft", sizeof(svc[i].status));
	}
	if (!in->fee_set)
		cJSON_AddNumberToObject(f, "fee_uah", (double)set.fee);
	free(c->svc);
	c->svc = svc;
	c->nsvc = set.n;
	return MO_OK;
}

int agent_case_edit(struct agent_store *s, const struct agent_identity *me, const char *key,
		    const struct agent_case_input *raw, struct mo_err *err)
{
	struct agent_case_input norm;
	const struct agent_case_input *in = &norm;
	struct case_dates dates;
	struct agent_case c;
	char phone[PROTO_PHONE_LEN];
	cJSON *f = NULL, *app = NULL, *cur_app;
	const char *birth, *rnokpp;
	int rc, st;

	normalize_dates(raw, &norm, &dates);
	if ((rc = agent_store_case_get(s, key, &c, err)) != MO_OK)
		return rc;
	st = proto_status_parse(c.status);
	if (st != PROTO_ST_DRAFT && st != PROTO_ST_SUBMITTED && st != PROTO_ST_NEEDS_INFO) {
		rc = invalid(err, "not_editable", c.status);
		goto done;
	}
	cur_app = cJSON_GetObjectItemCaseSensitive(c.data, "applicant");
	/* the RNOKPP must agree with the birth date as they will stand after the edit */
	birth = in->birth_date
		    ? in->birth_date
		    : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cur_app, "birth_date"));
	rnokpp = in->rnokpp
		     ? in->rnokpp
		     : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cur_app, "rnokpp"));
	{
		struct agent_case_input chk = *in;

		chk.rnokpp = (in->rnokpp || in->birth_date) ? rnokpp : NULL;
		if ((rc = check_person(&chk, birth, phone, err)) != MO_OK)
			goto done;
	}
	/* consent to messages needs a phone as it will stand after the edit */
	if (in->messages_consent_set && in->messages_consent &&
	    (in->phone ? !phone[0]
		       : empty(cJSON_GetStringValue(
			     cJSON_GetObjectItemCaseSensitive(cur_app, "phone"))))) {
		rc = invalid(err, "messages_consent_phone", "messages_consent");
		goto done;
	}
	if ((f = cJSON_CreateObject()) == NULL || (app = cJSON_CreateObject()) == NULL) {
		rc = nomem(err);
		goto done;
	}
	if (in->nservices > 0 && ((rc = edit_services(s, in, &c, f, err)) != MO_OK ||
				  (rc = agent_store_case_services_replace(s, &c, err)) != MO_OK))
		goto done;
	if (in->surname)
		cJSON_AddStringToObject(app, "surname", in->surname);
	if (in->given_name)
		cJSON_AddStringToObject(app, "given_name", in->given_name);
	if (in->patronymic)
		cJSON_AddStringToObject(app, "patronymic", in->patronymic);
	if (in->birth_date || in->rnokpp) {
		/* both together, so the hub checks them against each other */
		if (birth)
			cJSON_AddStringToObject(app, "birth_date", birth);
		if (rnokpp)
			cJSON_AddStringToObject(app, "rnokpp", rnokpp);
	}
	if (in->phone)
		cJSON_AddItemToObject(app, "phone", str_or_null(phone[0] ? phone : NULL));
	if (in->address_text || in->address)
		cJSON_AddItemToObject(app, "address", address_json(in));
	if (in->ndocs)
		cJSON_AddItemToObject(
		    app, "documents",
		    list_add(cJSON_GetObjectItemCaseSensitive(cur_app, "documents"),
			     documents_json(in)));
	if (in->mobility)
		cJSON_AddItemToObject(app, "mobility",
				      str_or_null(*in->mobility ? in->mobility : NULL));
	if (cJSON_GetArraySize(app) > 0) {
		cJSON_AddItemToObject(f, "applicant", app);
		app = NULL; /* now owned by f */
	}
	if (in->documents_presented)
		cJSON_AddItemToObject(
		    f, "documents_presented",
		    list_add(cJSON_GetObjectItemCaseSensitive(c.data, "documents_presented"),
			     cJSON_Duplicate(in->documents_presented, 1)));
	if (in->consent_set)
		cJSON_AddBoolToObject(f, "consent", in->consent);
	if (in->messages_consent_set)
		cJSON_AddBoolToObject(f, "messages_consent", in->messages_consent);
	if (in->fee_set)
		cJSON_AddNumberToObject(f, "fee_uah", (double)in->fee_uah);
	if (in->notes)
		cJSON_AddStringToObject(f, "notes", in->notes);
	if (cJSON_GetArraySize(f) == 0) {
		rc = invalid(err, "required", "--field");
		goto done;
	}
	/* who edited, for the hub's history (the case's operator stays its creator) */
	if (!empty(me->operator_name))
		cJSON_AddStringToObject(f, "edited_by", me->operator_name);
	if ((rc = agent_store_outbox_add(s, "case", c.id, "upsert", f, me->operator_name, NULL,
					 err)) != MO_OK)
		goto done;
	merge_fields(c.data, f);
	if ((rc = agent_store_case_update(s, &c, err)) != MO_OK ||
	    (rc = stamp_case(s, c.id, f, agent_store_hlc_last(s), me->device, err)) != MO_OK)
		goto done;
	{
		struct agent_event ev = {.case_id = c.id,
					 .kind = "edited",
					 .actor = me->operator_name,
					 .origin = "local",
					 .seen = true};

		rc = agent_store_event_add(s, &ev, err);
	}
done:
	cJSON_Delete(app);
	cJSON_Delete(f);
	agent_case_release(&c);
	return rc;
}

/* ---- status moves ---- */

static int add_transition(struct agent_store *s, const struct agent_identity *me,
			  const char *case_id, const char *from, const char *to, const char *reason,
			  const char *service, struct mo_err *err)
{
	cJSON *f = cJSON_CreateObject();
	int rc;

	if (f == NULL)
		return nomem(err);
	cJSON_AddStringToObject(f, "from", from);
	cJSON_AddStringToObject(f, "to", to);
	if (reason)
		cJSON_AddStringToObject(f, "reason", reason);
	if (service)
		cJSON_AddStringToObject(f, "service", service);
	rc = agent_store_outbox_add(s, "case", case_id, "transition", f, me->operator_name, NULL,
				    err);
	cJSON_Delete(f);
	if (rc == MO_OK) {
		struct agent_event ev = {.case_id = case_id,
					 .kind = "transition",
					 .from = from,
					 .to = to,
					 .service = service,
					 .reason = reason,
					 .actor = me->operator_name,
					 .origin = "local",
					 .seen = true};

		rc = agent_store_event_add(s, &ev, err);
	}
	return rc;
}

int agent_case_move(struct agent_store *s, const struct agent_identity *me, const char *key,
		    const char *to, const char *reason, struct agent_case *out, struct mo_err *err)
{
	struct agent_case c;
	int to_st = proto_status_parse(to), rc;
	size_t movable = 0;
	bool uniform = true;

	if (to_st == PROTO_ST_INVALID)
		return invalid(err, "bad_field", "status");
	if (reason && (rc = check_text(reason, 1000, "reason", err)) != MO_OK)
		return rc;
	if ((rc = agent_store_case_get(s, key, &c, err)) != MO_OK)
		return rc;
	for (size_t i = 0; i < c.nsvc; i++) {
		if (proto_transition_allowed(proto_status_parse(c.svc[i].status), to_st,
					     PROTO_ACTOR_AGENT))
			movable++;
		if (strcmp(c.svc[i].status, c.svc[0].status) != 0)
			uniform = false;
	}
	if (movable == 0) {
		char what[64];

		snprintf(what, sizeof(what), "%s → %s", c.status, to);
		rc = invalid(err, "illegal_transition", what);
		goto done;
	}
	if (to_st == PROTO_ST_SUBMITTED &&
	    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c.data, "consent"))) {
		rc = invalid(err, "missing_consent", "consent");
		goto done;
	}
	if (uniform && movable == c.nsvc) {
		/* the whole application moves: one case-level transition */
		if ((rc = add_transition(s, me, c.id, c.svc[0].status, to, reason, NULL, err)) !=
		    MO_OK)
			goto done;
		for (size_t i = 0; i < c.nsvc; i++)
			mo_strlcpy(c.svc[i].status, to, sizeof(c.svc[i].status));
	} else {
		for (size_t i = 0; i < c.nsvc; i++) {
			if (!proto_transition_allowed(proto_status_parse(c.svc[i].status), to_st,
						      PROTO_ACTOR_AGENT))
				continue;
			if ((rc = add_transition(s, me, c.id, c.svc[i].status, to, reason,
						 c.svc[i].code, err)) != MO_OK)
				goto done;
			mo_strlcpy(c.svc[i].status, to, sizeof(c.svc[i].status));
		}
	}
	case_status_recompute(&c);
	if ((rc = agent_store_case_update(s, &c, err)) != MO_OK)
		goto done;
	if (out) {
		*out = c;
		memset(&c, 0, sizeof(c)); /* now owned by out */
	}
done:
	agent_case_release(&c);
	return rc;
}

/* ---- re-queueing (clock reset, recovery after a fork) ---- */

/* the year of a case number DEVICE-YYYY-NNNNNN ("" when it has no such shape) */
static void number_year(char out[5], const char *number)
{
	const char *last = strrchr(number, '-');

	out[0] = '\0';
	if (last && last - number >= 5 && last[-5] == '-')
		snprintf(out, 5, "%.4s", last - 4);
}

static int requeue_renumber(struct agent_requeue *rq, cJSON *change, cJSON *f,
			    struct mo_err *err)
{
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(change, "id"));
	char year[5], number[48], now[32], code[PROTO_LOOKUP_CODE_LEN];
	struct agent_case c;
	long long counter;
	cJSON *o;
	int rc;

	if (id == NULL || (rc = agent_store_case_get(rq->s, id, &c, NULL)) != MO_OK)
		return MO_OK; /* not a case of ours any more: sent as it was */
	number_year(year, c.number);
	if (year[0] == '\0') {
		mo_iso8601(now, sizeof(now), mo_now_ms(), true);
		snprintf(year, sizeof(year), "%.4s", now);
	}
	if ((rc = agent_store_case_counter_next(rq->s, &counter, err)) != MO_OK)
		goto done;
	snprintf(number, sizeof(number), "%.32s-%.4s-%06llu", rq->me->device_code, year,
		 (unsigned long long)counter % 1000000000ULL);
	if ((o = cJSON_CreateObject()) == NULL || !cJSON_AddStringToObject(o, "id", c.id) ||
	    !cJSON_AddStringToObject(o, "old", c.number) ||
	    !cJSON_AddStringToObject(o, "new", number)) {
		cJSON_Delete(o);
		rc = nomem(err);
		goto done;
	}
	cJSON_AddItemToArray(rq->renumbered, o);
	mo_strlcpy(c.number, number, sizeof(c.number));
	if (set_item(f, "number", cJSON_CreateString(number)) != MO_OK ||
	    set_item(f, "device", cJSON_CreateString(rq->me->device_code)) != MO_OK ||
	    set_item(c.data, "number", cJSON_CreateString(number)) != MO_OK ||
	    set_item(c.data, "device", cJSON_CreateString(rq->me->device_code)) != MO_OK) {
		rc = nomem(err);
		goto done;
	}
	/* the check is salted with the number: the receipt's code, checked anew */
	if (agent_store_case_code_get(rq->s, c.id, code, sizeof(code)) == MO_OK &&
	    ((rc = status_code_new(f, number, code, err)) != MO_OK ||
	     (rc = set_item(c.data, "status_check",
			    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(f, "status_check"),
					    1))) != MO_OK))
		goto done;
	if ((rc = agent_store_case_renumber(rq->s, c.id, number, err)) == MO_OK)
		rc = agent_store_case_update(rq->s, &c, err);
done:
	agent_case_release(&c);
	return rc;
}

int agent_case_requeue_change(void *arg, cJSON *change, uint64_t old_hlc, uint64_t new_hlc,
			      struct mo_err *err)
{
	struct agent_requeue *rq = arg;
	const char *entity = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(change, "entity"));
	const char *op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(change, "op"));
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(change, "id"));
	cJSON *f = cJSON_GetObjectItemCaseSensitive(change, "fields"), *stamps = NULL;
	char stamp[PROTO_STAMP_LEN];
	int rc;

	if (entity == NULL || op == NULL || id == NULL || strcmp(entity, "case") != 0 ||
	    strcmp(op, "upsert") != 0 || !cJSON_IsObject(f) || !agent_store_case_exists(rq->s, id))
		return MO_OK;
	if (rq->renumber && cJSON_HasObjectItem(f, "number") &&
	    (rc = requeue_renumber(rq, change, f, err)) != MO_OK)
		return rc;
	proto_stamp_format(stamp, new_hlc, rq->me->device);
	if ((rc = agent_store_case_stamps_get(rq->s, id, &stamps, err)) != MO_OK)
		return rc;
	/* the paths this change stamped (its old HLC) move to the new one */
	if (proto_lww_stamp(stamps, "", f, stamp, old_hlc) != MO_OK)
		rc = nomem(err);
	else
		rc = agent_store_case_stamps_put(rq->s, id, stamps, err);
	cJSON_Delete(stamps);
	return rc;
}

/* ---- downstream ---- */

static const char *fstr(const cJSON *f, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, key));
}

static int remote_case_new(struct agent_store *s, const struct proto_change *ch, struct mo_err *err)
{
	struct agent_case c;
	const cJSON *svcs = cJSON_GetObjectItemCaseSensitive(ch->fields, "services"), *it;
	size_t n = 0;
	int rc;

	memset(&c, 0, sizeof(c));
	if (fstr(ch->fields, "number") == NULL || cJSON_GetArraySize(svcs) <= 0)
		return MO_OK; /* a partial upsert of a case we never saw: nothing to attach it to */
	mo_strlcpy(c.id, ch->id, sizeof(c.id));
	mo_strlcpy(c.number, fstr(ch->fields, "number"), sizeof(c.number));
	mo_strlcpy(c.trip, fstr(ch->fields, "trip") ? fstr(ch->fields, "trip") : "",
		   sizeof(c.trip));
	mo_strlcpy(c.operator_name,
		   fstr(ch->fields, "operator") ? fstr(ch->fields, "operator") : "",
		   sizeof(c.operator_name));
	mo_strlcpy(c.created_at,
		   fstr(ch->fields, "created_at") ? fstr(ch->fields, "created_at") : "",
		   sizeof(c.created_at));
	mo_strlcpy(c.origin, "hub", sizeof(c.origin));
	c.svc = calloc((size_t)cJSON_GetArraySize(svcs), sizeof(*c.svc));
	if (c.svc == NULL)
		return nomem(err);
	cJSON_ArrayForEach(it, svcs)
	{
		const char *code = fstr(it, "code"), *st = fstr(it, "status");

		if (code == NULL || st == NULL)
			continue;
		mo_strlcpy(c.svc[n].code, code, sizeof(c.svc[n].code));
		mo_strlcpy(c.svc[n].status, st, sizeof(c.svc[n].status));
		n++;
	}
	c.nsvc = n;
	mo_strlcpy(c.status, "received", sizeof(c.status));
	case_status_recompute(&c);
	c.data = cJSON_Duplicate(ch->fields, 1);
	if (c.data == NULL) {
		agent_case_release(&c);
		return nomem(err);
	}
	rc = agent_store_case_insert(s, &c, err);
	if (rc == MO_OK)
		rc = stamp_case(s, c.id, ch->fields, ch->hlc, "", err);
	agent_case_release(&c);
	return rc;
}

static int remote_case_upsert(struct agent_store *s, const struct proto_change *ch,
			      struct mo_err *err)
{
	struct agent_case c;
	cJSON *stamps = NULL;
	bool changed = false;
	int rc;

	if (!agent_store_case_exists(s, ch->id))
		return remote_case_new(s, ch, err);
	if ((rc = agent_store_case_get(s, ch->id, &c, err)) != MO_OK)
		return rc;
	if ((rc = agent_store_case_stamps_get(s, c.id, &stamps, err)) != MO_OK) {
		agent_case_release(&c);
		return rc;
	}
	{
		/* services are set at creation; a status only moves by transition */
		cJSON *f = cJSON_Duplicate(ch->fields, 1);

		if (f == NULL) {
			cJSON_Delete(stamps);
			agent_case_release(&c);
			return nomem(err);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(f, "services");
		cJSON_DeleteItemFromObjectCaseSensitive(f, "number");
		/* field by field, only where the hub's write is newer than ours
		 * (the feed carries every applied upsert, also older ones) */
		rc = proto_lww_merge(c.data, NULL, stamps, "", f, ch->hlc, "", &changed);
		cJSON_Delete(f);
	}
	if (rc != MO_OK)
		rc = nomem(err);
	else if (changed && (rc = agent_store_case_stamps_put(s, c.id, stamps, err)) == MO_OK)
		rc = agent_store_case_update(s, &c, err);
	cJSON_Delete(stamps);
	if (rc != MO_OK || !changed) {
		agent_case_release(&c);
		return rc;
	}
	if (rc == MO_OK) {
		struct agent_event ev = {
		    .case_id = c.id, .kind = "corrected", .origin = "hub", .seen = true};

		rc = agent_store_event_add(s, &ev, err);
	}
	agent_case_release(&c);
	return rc;
}

static int remote_case_transition(struct agent_store *s, const struct proto_change *ch,
				  struct mo_err *err)
{
	const char *from = fstr(ch->fields, "from"), *to = fstr(ch->fields, "to");
	const char *svc = fstr(ch->fields, "service"), *reason = fstr(ch->fields, "reason");
	struct agent_case c;
	size_t moved = 0;
	int rc;

	if (to == NULL)
		return MO_OK;
	/* a status move touches no field: neither the case's JSON nor its search
	 * entry is read or rewritten (a first sync applies one `received` per case) */
	rc = agent_store_case_status_get(s, ch->id, &c, err);
	if (rc == MO_ENOTFOUND) {
		mo_err_clear(err); /* not a case of ours: nothing to move */
		return MO_OK;
	}
	if (rc != MO_OK)
		return rc;
	for (size_t i = 0; i < c.nsvc; i++) {
		if (svc ? strcmp(c.svc[i].code, svc) == 0
			: (from && strcmp(c.svc[i].status, from) == 0)) {
			mo_strlcpy(c.svc[i].status, to, sizeof(c.svc[i].status));
			moved++;
		}
	}
	if (moved == 0 && svc == NULL) {
		/* our view lagged (e.g. `received` never came down): move what still runs */
		for (size_t i = 0; i < c.nsvc; i++)
			if (!proto_status_final(proto_status_parse(c.svc[i].status)))
				mo_strlcpy(c.svc[i].status, to, sizeof(c.svc[i].status));
	}
	case_status_recompute(&c);
	rc = agent_store_case_status_put(s, &c, err);
	if (rc == MO_OK) {
		struct agent_event ev = {.case_id = c.id,
					 .kind = "decision",
					 .from = from,
					 .to = to,
					 .service = svc,
					 .reason = reason,
					 .origin = "hub",
					 .seen = strcmp(to, "received") == 0};

		rc = agent_store_event_add(s, &ev, err);
	}
	agent_case_release(&c);
	return rc;
}

int agent_apply_remote(struct agent_store *s, const struct proto_change *ch, struct mo_err *err)
{
	const cJSON *f = ch->fields;
	const char *case_id = fstr(f, "case");
	int rc;

	if (strcmp(ch->entity, "service") == 0 && strcmp(ch->op, "upsert") == 0)
		return agent_store_service_upsert(s, ch->id, f, err);
	if (strcmp(ch->entity, "trip") == 0 && strcmp(ch->op, "upsert") == 0)
		return agent_store_trip_put(s, ch->id, f, NULL, err);
	if (strcmp(ch->entity, "case") == 0 && strcmp(ch->op, "upsert") == 0)
		return remote_case_upsert(s, ch, err);
	if (strcmp(ch->entity, "case") == 0 && strcmp(ch->op, "transition") == 0)
		return remote_case_transition(s, ch, err);
	if (strcmp(ch->entity, "visit") == 0 && strcmp(ch->op, "upsert") == 0)
		return agent_visit_apply_remote(s, ch, err);
	if (case_id == NULL || !agent_store_case_exists(s, case_id))
		return MO_OK; /* not ours to show */
	if (strcmp(ch->entity, "comment") == 0) {
		struct agent_event ev = {.case_id = case_id,
					 .kind = "comment",
					 .reason = fstr(f, "text"),
					 .actor = fstr(f, "author"),
					 .origin = "hub",
					 .seen = false};

		if ((rc = agent_store_comment_add(s, ch->id, case_id, fstr(f, "text"),
						  fstr(f, "author"), "hub", err)) != MO_OK)
			return rc;
		return agent_store_event_add(s, &ev, err);
	}
	if (strcmp(ch->entity, "attachment") == 0) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, "size");
		long long size = cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;

		return agent_store_attachment_add(
		    s, ch->id, case_id, fstr(f, "sha256"),
		    fstr(f, "media_type") ? fstr(f, "media_type") : "application/octet-stream",
		    size, fstr(f, "name"), fstr(f, "kind"), "hub", err);
	}
	return MO_OK; /* ratings and anything newer: nothing to show on the laptop */
}
