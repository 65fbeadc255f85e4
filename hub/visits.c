/*
 * visits.c — home-visit requests: staff actions, the feed to the unit's
 * laptops, the laptops' state moves (visits.h).  Above store.h: no SQL.
 */
#include "visits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mo_util.h"
#include "status.h"
#include "validate.h"

#define VISIT_REASON_MAX 1000

static int oom(struct mo_err *err)
{
	return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
}

/* the keys staff give; number, state and times are the hub's */
static const char *const input_keys[] = {"unit",     "citizen",	       "reason",
					 "services", "preferred_date", "note"};

static bool input_key(const char *k)
{
	for (size_t i = 0; i < sizeof(input_keys) / sizeof(input_keys[0]); i++)
		if (strcmp(k, input_keys[i]) == 0)
			return true;
	return false;
}

/* the upsert fields of a stored visit (without id, created_by, updated_at) */
static cJSON *upsert_fields(const cJSON *visit)
{
	cJSON *f = cJSON_Duplicate(visit, true);

	if (f) {
		cJSON_DeleteItemFromObjectCaseSensitive(f, "id");
		cJSON_DeleteItemFromObjectCaseSensitive(f, "created_by");
		cJSON_DeleteItemFromObjectCaseSensitive(f, "updated_at");
	}
	return f;
}

/* run proto's rules on the upsert; MO_EINVAL with its code when refused */
static int check_upsert(const char *id, cJSON *fields, uint64_t hlc, struct mo_err *err)
{
	struct proto_change c;

	memset(&c, 0, sizeof(c));
	c.n = 1;
	mo_strlcpy(c.entity, "visit", sizeof(c.entity));
	mo_strlcpy(c.id, id, sizeof(c.id));
	mo_strlcpy(c.op, "upsert", sizeof(c.op));
	c.hlc = hlc ? hlc : 1;
	c.fields = fields; /* borrowed: the phone is normalised in place */
	if (!proto_change_check(&c))
		return mo_err_set(err, MO_EINVAL, c.qcode, "%s", c.qmsg);
	return MO_OK;
}

/*
 * The whole visit down to the laptops of unit (origin: the device whose
 * change it answers, which is skipped; NULL: every laptop of the unit).
 */
static int feed_visit(struct hub *h, const cJSON *visit, const char *unit, const char *origin,
		      uint64_t hlc, struct mo_err *err)
{
	cJSON *f = upsert_fields(visit);
	const char *id = proto_json_str(visit, "id");
	char *text = NULL;
	int rc;

	if (f == NULL || id == NULL)
		rc = f ? mo_err_set(err, MO_ECORRUPT, NULL, "a stored visit has no id") : oom(err);
	else if (check_upsert(id, f, hlc, err) != MO_OK)
		rc = mo_err_set(err, MO_ECORRUPT, NULL, "stored visit %s breaks the vocabulary: %s",
				id, err ? err->msg : "");
	else if ((text = cJSON_PrintUnformatted(f)) == NULL)
		rc = oom(err);
	else
		rc = hub_store_feed_add(h->store, unit, origin, "visit", id, "upsert", hlc, text,
					err);
	free(text);
	cJSON_Delete(f);
	return rc;
}

static int unit_exists(struct hub *h, const char *code, struct mo_err *err)
{
	struct hub_unit u;
	int rc;

	if (code == NULL || *code == '\0')
		return mo_err_set(err, MO_EINVAL, "missing_field", "a visit needs 'unit'");
	if (strlen(code) >= HUB_CODE_MAX)
		return mo_err_set(err, MO_EINVAL, "bad_value", "a unit code is at most 32 bytes");
	rc = hub_store_unit_get(h->store, code, &u, err);
	if (rc == MO_ENOTFOUND)
		return mo_err_set(err, MO_ENOTFOUND, "not_found", "no unit %s", code);
	return rc;
}

/* every code of services is an active service of the catalogue, once */
static int services_check(struct hub *h, const cJSON *services, struct mo_err *err)
{
	cJSON *cat = NULL;
	const cJSON *it, *jt;
	int rc = MO_OK;

	if (services == NULL || cJSON_IsNull(services))
		return MO_OK;
	if (!cJSON_IsArray(services) || cJSON_GetArraySize(services) > 30)
		return mo_err_set(err, MO_EINVAL, "bad_value",
				  "'services' is a list of at most 30 service codes");
	if ((rc = hub_store_service_list(h->store, &cat, err)) != MO_OK)
		return rc;
	cJSON_ArrayForEach(it, services)
	{
		bool found = false;

		if (!cJSON_IsString(it)) {
			rc = mo_err_set(err, MO_EINVAL, "bad_value", "a service code is a text");
			break;
		}
		cJSON_ArrayForEach(jt, cat)
		{
			/* rows are {"fields": the service's fields} (store.h) */
			const cJSON *sf = cJSON_GetObjectItemCaseSensitive(jt, "fields");
			const cJSON *a = cJSON_GetObjectItemCaseSensitive(sf, "active");

			if (proto_json_str(sf, "code") &&
			    strcmp(proto_json_str(sf, "code"), it->valuestring) == 0 &&
			    !cJSON_IsFalse(a))
				found = true;
		}
		for (const cJSON *p = services->child; p && p != it; p = p->next)
			if (cJSON_IsString(p) && strcmp(p->valuestring, it->valuestring) == 0) {
				rc = mo_err_set(err, MO_EINVAL, "bad_value",
						"service '%.32s' twice", it->valuestring);
				break;
			}
		if (rc != MO_OK)
			break;
		if (!found) {
			rc = mo_err_set(err, MO_EINVAL, "bad_value",
					"no service '%.32s' in the catalogue", it->valuestring);
			break;
		}
	}
	cJSON_Delete(cat);
	return rc;
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n')
			return false;
	return true;
}

/* the staff input as upsert fields (not yet numbered); MO_EINVAL when not usable */
static int fields_from_input(const cJSON *in, cJSON **out, struct mo_err *err)
{
	const cJSON *it, *c;
	cJSON *f, *cit, *addr;
	const char *miss = NULL;

	*out = NULL;
	if (!cJSON_IsObject(in))
		return mo_err_set(err, MO_EINVAL, "bad_request", "a visit is a JSON object");
	cJSON_ArrayForEach(it, in)
	{
		if (it->string == NULL || !input_key(it->string))
			return mo_err_set(err, MO_EINVAL, "unknown_field",
					  "'%.40s' is not a field staff give a visit",
					  it->string ? it->string : "?");
	}
	c = cJSON_GetObjectItemCaseSensitive(in, "citizen");
	if (!cJSON_IsObject(c))
		return mo_err_set(err, MO_EINVAL, "missing_field", "a visit needs 'citizen'");
	if ((f = cJSON_Duplicate(in, true)) == NULL)
		return oom(err);
	cit = cJSON_GetObjectItemCaseSensitive(f, "citizen");
	/* an address typed as one line is the address object's text */
	addr = cJSON_GetObjectItemCaseSensitive(cit, "address");
	if (cJSON_IsString(addr)) {
		cJSON *o = cJSON_CreateObject();

		if (o == NULL || !cJSON_AddStringToObject(o, "text", addr->valuestring)) {
			cJSON_Delete(o);
			cJSON_Delete(f);
			return oom(err);
		}
		cJSON_ReplaceItemInObjectCaseSensitive(cit, "address", o);
		addr = o;
	}
	if (blank(proto_json_str(cit, "surname")))
		miss = "citizen.surname";
	else if (blank(proto_json_str(cit, "given_name")))
		miss = "citizen.given_name";
	else if (blank(proto_json_str(cit, "phone")))
		miss = "citizen.phone";
	else if (!cJSON_IsObject(addr) || cJSON_GetArraySize(addr) == 0)
		miss = "citizen.address";
	if (miss == NULL && cJSON_IsObject(addr)) {
		bool any = false;

		cJSON_ArrayForEach(it, addr) any =
		    any || (cJSON_IsString(it) && !blank(it->valuestring));
		if (!any)
			miss = "citizen.address";
	}
	if (miss) {
		cJSON_Delete(f);
		return mo_err_set(err, MO_EINVAL, "missing_field", "a visit needs '%s'", miss);
	}
	*out = f;
	return MO_OK;
}

/* "В-2026-000001": the Kyiv year of now_ms and the year's next position */
static int kyiv_year(uint64_t now_ms)
{
	char t[17];

	char y[5];
	long long v = 1970;

	proto_time_kyiv((int64_t)now_ms, t); /* "02.12.2026 21:06" */
	memcpy(y, t + 6, 4);
	y[4] = '\0';
	return mo_parse_i64(&v, y, 1970, 9999) ? (int)v : 1970;
}

static int tx_end(struct hub *h, int rc, struct mo_err *err)
{
	if (rc == MO_OK)
		return hub_store_commit(h->store, err);
	hub_store_rollback(h->store);
	return rc;
}

int hub_visit_create(struct hub *h, const cJSON *in, const char *by, cJSON **out,
		     struct mo_err *err)
{
	struct proto_clock clk = {0};
	char id[MO_UUID_LEN], number[HUB_NUMBER_MAX], now[32];
	cJSON *f = NULL, *stored = NULL;
	uint64_t now_ms = mo_now_ms(), hlc;
	long long seq = 0;
	int rc, year = kyiv_year(now_ms);

	if (out)
		*out = NULL;
	if ((rc = fields_from_input(in, &f, err)) != MO_OK)
		return rc;
	if ((rc = unit_exists(h, proto_json_str(f, "unit"), err)) != MO_OK ||
	    (rc = services_check(h, cJSON_GetObjectItemCaseSensitive(f, "services"), err)) != MO_OK)
		goto done;
	if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(f, "services")))
		cJSON_DeleteItemFromObjectCaseSensitive(f, "services");
	if (!cJSON_HasObjectItem(f, "services"))
		cJSON_AddArrayToObject(f, "services");
	if ((rc = mo_uuid_v4(id)) != MO_OK) {
		rc = mo_err_set(err, rc, NULL, "no randomness for an id");
		goto done;
	}
	mo_iso8601(now, sizeof(now), now_ms, true);
	/* the hub's part of the fields, then proto's rules on the whole */
	cJSON_AddStringToObject(f, "number", "\xD0\x92-0000-000000");
	cJSON_AddStringToObject(f, "state", "requested");
	cJSON_AddNullToObject(f, "state_reason");
	cJSON_AddNullToObject(f, "scheduled_for");
	cJSON_AddStringToObject(f, "requested_at", now);
	cJSON_AddNullToObject(f, "visited_at");
	if ((rc = check_upsert(id, f, 1, err)) != MO_OK)
		goto done;
	if ((rc = hub_store_begin(h->store, err)) != MO_OK)
		goto done;
	if ((rc = hub_clock_load(h, &clk, err)) == MO_OK &&
	    (rc = hub_store_visit_next_seq(h->store, year, &seq, err)) == MO_OK) {
		snprintf(number, sizeof(number), "\xD0\x92-%04d-%06lld", year, seq);
		cJSON_ReplaceItemInObjectCaseSensitive(f, "number", cJSON_CreateString(number));
		hlc = proto_hlc_now(&clk, now_ms);
		if ((rc = hub_store_visit_put(h->store, id, f, year, seq, by, err)) == MO_OK &&
		    (rc = hub_store_visit_get(h->store, id, &stored, err)) == MO_OK &&
		    (rc = feed_visit(h, stored, proto_json_str(f, "unit"), NULL, hlc, err)) ==
			MO_OK &&
		    (rc = hub_store_audit_add(h->store, by ? by : "admin", "visit.add", number,
					      proto_json_str(f, "unit"), err)) == MO_OK)
			rc = hub_clock_save(h, &clk, err);
	}
	rc = tx_end(h, rc, err);
done:
	cJSON_Delete(f);
	if (rc == MO_OK && out) {
		cJSON_Delete(stored);
		stored = NULL;
		rc = hub_visit_get(h, id, out, err);
	}
	cJSON_Delete(stored);
	return rc;
}

/* the stored state of a visit as the enum, and its checks */
static int state_of(const cJSON *v)
{
	return proto_visit_state_parse(proto_json_str(v, "state"));
}

int hub_visit_cancel(struct hub *h, const char *ref, const char *reason, const char *by,
		     cJSON **out, struct mo_err *err)
{
	struct proto_clock clk = {0};
	cJSON *v = NULL, *after = NULL;
	char id[MO_UUID_LEN], number[HUB_NUMBER_MAX], unit[HUB_CODE_MAX];
	int rc, st;

	if (out)
		*out = NULL;
	if (blank(reason))
		return mo_err_set(err, MO_EINVAL, "visit_reason",
				  "cancelling a visit needs a reason");
	if ((rc = proto_text_check(reason, VISIT_REASON_MAX, "reason", err)) != MO_OK)
		return rc;
	if ((rc = hub_store_begin(h->store, err)) != MO_OK)
		return rc;
	if ((rc = hub_store_visit_get(h->store, ref, &v, err)) != MO_OK)
		goto end;
	mo_strlcpy(id, proto_json_str(v, "id"), sizeof(id));
	mo_strlcpy(number, proto_json_str(v, "number"), sizeof(number));
	mo_strlcpy(unit, proto_json_str(v, "unit"), sizeof(unit));
	st = state_of(v);
	if (!proto_visit_move_allowed(st, PROTO_VISIT_CANCELLED)) {
		rc = mo_err_set(err, MO_ECONFLICT, "illegal_transition",
				"visit %s is %s and cannot be cancelled", number,
				proto_visit_state_name(st));
		goto end;
	}
	if ((rc = hub_clock_load(h, &clk, err)) == MO_OK &&
	    (rc = hub_store_visit_set_state(h->store, id, "cancelled", reason,
					    proto_json_str(v, "scheduled_for"), NULL, err)) ==
		MO_OK &&
	    (rc = hub_store_visit_get(h->store, id, &after, err)) == MO_OK &&
	    (rc = feed_visit(h, after, unit, NULL, proto_hlc_now(&clk, mo_now_ms()), err)) ==
		MO_OK &&
	    (rc = hub_store_audit_add(h->store, by ? by : "admin", "visit.cancel", number, reason,
				      err)) == MO_OK)
		rc = hub_clock_save(h, &clk, err);
end:
	rc = tx_end(h, rc, err);
	cJSON_Delete(v);
	cJSON_Delete(after);
	if (rc == MO_OK && out)
		rc = hub_visit_get(h, id, out, err);
	return rc;
}

int hub_visit_assign(struct hub *h, const char *ref, const char *unit, const char *by, cJSON **out,
		     struct mo_err *err)
{
	struct proto_clock clk = {0};
	cJSON *v = NULL, *after = NULL, *f = NULL;
	char id[MO_UUID_LEN] = "", number[HUB_NUMBER_MAX], old[HUB_CODE_MAX];
	uint64_t hlc;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = unit_exists(h, unit, err)) != MO_OK)
		return rc;
	if ((rc = hub_store_begin(h->store, err)) != MO_OK)
		return rc;
	if ((rc = hub_store_visit_get(h->store, ref, &v, err)) != MO_OK)
		goto end;
	mo_strlcpy(id, proto_json_str(v, "id"), sizeof(id));
	mo_strlcpy(number, proto_json_str(v, "number"), sizeof(number));
	mo_strlcpy(old, proto_json_str(v, "unit"), sizeof(old));
	if (state_of(v) != PROTO_VISIT_REQUESTED) {
		rc = mo_err_set(err, MO_ECONFLICT, "visit_not_requested",
				"visit %s is %s: only a requested visit changes its unit", number,
				proto_visit_state_name(state_of(v)));
		goto end;
	}
	if (strcmp(old, unit) == 0)
		goto end; /* already there: nothing changes, nothing is sent */
	if ((f = upsert_fields(v)) == NULL) {
		rc = oom(err);
		goto end;
	}
	cJSON_ReplaceItemInObjectCaseSensitive(f, "unit", cJSON_CreateString(unit));
	if ((rc = hub_clock_load(h, &clk, err)) != MO_OK ||
	    (rc = hub_store_visit_put(h->store, id, f, 0, 0, NULL, err)) != MO_OK ||
	    (rc = hub_store_visit_get(h->store, id, &after, err)) != MO_OK)
		goto end;
	hlc = proto_hlc_now(&clk, mo_now_ms());
	/* the new unit's laptops get the request; the old unit's get it once
	 * more with its new unit, and drop it */
	if ((rc = feed_visit(h, after, unit, NULL, hlc, err)) == MO_OK &&
	    (rc = feed_visit(h, after, old, NULL, hlc, err)) == MO_OK &&
	    (rc = hub_store_audit_add(h->store, by ? by : "admin", "visit.assign", number, unit,
				      err)) == MO_OK)
		rc = hub_clock_save(h, &clk, err);
end:
	rc = tx_end(h, rc, err);
	cJSON_Delete(v);
	cJSON_Delete(after);
	cJSON_Delete(f);
	if (rc == MO_OK && out)
		rc = hub_visit_get(h, id, out, err);
	return rc;
}

int hub_visit_edit(struct hub *h, const char *ref, const cJSON *in, const char *by, cJSON **out,
		   struct mo_err *err)
{
	struct proto_clock clk = {0};
	cJSON *v = NULL, *f = NULL, *after = NULL;
	const cJSON *it;
	char id[MO_UUID_LEN] = "", number[HUB_NUMBER_MAX] = "";
	int rc, st;

	if (out)
		*out = NULL;
	if (!cJSON_IsObject(in) || cJSON_GetArraySize(in) == 0)
		return mo_err_set(err, MO_EINVAL, "bad_request",
				  "an edit is a JSON object of fields");
	cJSON_ArrayForEach(it, in)
	{
		if (it->string == NULL || strcmp(it->string, "unit") == 0 || !input_key(it->string))
			return mo_err_set(err, MO_EINVAL, "unknown_field",
					  "'%.40s' is not a field staff edit (the unit: assign)",
					  it->string ? it->string : "?");
	}
	if (cJSON_HasObjectItem(in, "citizen") &&
	    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(in, "citizen")))
		return mo_err_set(err, MO_EINVAL, "bad_value", "'citizen' is an object");
	if ((rc = services_check(h, cJSON_GetObjectItemCaseSensitive(in, "services"), err)) !=
	    MO_OK)
		return rc;
	if ((rc = hub_store_begin(h->store, err)) != MO_OK)
		return rc;
	if ((rc = hub_store_visit_get(h->store, ref, &v, err)) != MO_OK)
		goto end;
	mo_strlcpy(id, proto_json_str(v, "id"), sizeof(id));
	mo_strlcpy(number, proto_json_str(v, "number"), sizeof(number));
	st = state_of(v);
	if (st != PROTO_VISIT_REQUESTED && st != PROTO_VISIT_SCHEDULED) {
		rc = mo_err_set(err, MO_ECONFLICT, "illegal_transition",
				"visit %s is %s and no longer changes", number,
				proto_visit_state_name(st));
		goto end;
	}
	if ((f = upsert_fields(v)) == NULL) {
		rc = oom(err);
		goto end;
	}
	cJSON_ArrayForEach(it, in)
	{
		cJSON *cit = cJSON_GetObjectItemCaseSensitive(f, "citizen");
		const cJSON *ck;

		if (strcmp(it->string, "citizen") != 0) {
			cJSON_DeleteItemFromObjectCaseSensitive(f, it->string);
			cJSON_AddItemToObject(f, it->string,
					      cJSON_IsNull(it) &&
						      strcmp(it->string, "services") == 0
						  ? cJSON_CreateArray()
						  : cJSON_Duplicate(it, true));
			continue;
		}
		cJSON_ArrayForEach(ck, it)
		{
			cJSON *nv = cJSON_IsString(ck) && strcmp(ck->string, "address") == 0
					? cJSON_CreateObject()
					: cJSON_Duplicate(ck, true);

			if (nv && cJSON_IsString(ck) && strcmp(ck->string, "address") == 0)
				cJSON_AddStringToObject(nv, "text", ck->valuestring);
			cJSON_DeleteItemFromObjectCaseSensitive(cit, ck->string);
			cJSON_AddItemToObject(cit, ck->string, nv);
		}
	}
	{
		/* the same required fields as a new visit */
		cJSON *probe = cJSON_Duplicate(f, true), *chk = NULL;
		static const char *const hub_keys[] = {"number",       "state",
						       "state_reason", "scheduled_for",
						       "requested_at", "visited_at"};

		for (size_t i = 0; probe && i < sizeof(hub_keys) / sizeof(hub_keys[0]); i++)
			cJSON_DeleteItemFromObjectCaseSensitive(probe, hub_keys[i]);
		rc = probe ? fields_from_input(probe, &chk, err) : oom(err);
		cJSON_Delete(probe);
		cJSON_Delete(chk);
		if (rc != MO_OK)
			goto end;
	}
	if ((rc = check_upsert(id, f, 1, err)) != MO_OK ||
	    (rc = hub_clock_load(h, &clk, err)) != MO_OK ||
	    (rc = hub_store_visit_put(h->store, id, f, 0, 0, NULL, err)) != MO_OK ||
	    (rc = hub_store_visit_get(h->store, id, &after, err)) != MO_OK ||
	    (rc = feed_visit(h, after, proto_json_str(after, "unit"), NULL,
			     proto_hlc_now(&clk, mo_now_ms()), err)) != MO_OK ||
	    (rc = hub_store_audit_add(h->store, by ? by : "admin", "visit.edit", number, NULL,
				      err)) != MO_OK)
		goto end;
	rc = hub_clock_save(h, &clk, err);
end:
	rc = tx_end(h, rc, err);
	cJSON_Delete(v);
	cJSON_Delete(f);
	cJSON_Delete(after);
	if (rc == MO_OK && out)
		rc = hub_visit_get(h, id, out, err);
	return rc;
}

int hub_visit_get(struct hub *h, const char *ref, cJSON **out, struct mo_err *err)
{
	cJSON *v = NULL, *cases = NULL;
	const char *req, *vis;
	int rc;

	*out = NULL;
	if (ref == NULL || *ref == '\0' || strlen(ref) > 64)
		return mo_err_set(err, MO_ENOTFOUND, "not_found", "no such visit");
	if ((rc = hub_store_visit_get(h->store, ref, &v, err)) != MO_OK)
		return rc;
	if ((rc = hub_store_visit_cases(h->store, proto_json_str(v, "id"), &cases, err)) != MO_OK) {
		cJSON_Delete(v);
		return rc;
	}
	cJSON_AddItemToObject(v, "cases", cases);
	req = proto_json_str(v, "requested_at");
	vis = proto_json_str(v, "visited_at");
	if (req && vis && proto_datetime_ms(req) >= 0 && proto_datetime_ms(vis) >= 0) {
		double days =
		    (double)(proto_datetime_ms(vis) - proto_datetime_ms(req)) / 86400000.0;

		cJSON_AddNumberToObject(v, "days_to_visit",
					(double)(long long)(days * 10 + 0.5) / 10);
	} else {
		cJSON_AddNullToObject(v, "days_to_visit");
	}
	*out = v;
	return MO_OK;
}

int hub_visit_list(struct hub *h, const struct hub_visit_filter *f, cJSON **out, struct mo_err *err)
{
	if (f->state && proto_visit_state_parse(f->state) == PROTO_VISIT_INVALID)
		return mo_err_set(err, MO_EINVAL, "bad_request", "'%.20s' is not a visit state",
				  f->state);
	if ((f->from && !proto_date_valid(f->from)) || (f->to && !proto_date_valid(f->to)))
		return mo_err_set(err, MO_EINVAL, "bad_request", "dates are YYYY-MM-DD");
	if (f->unit && strlen(f->unit) > 32)
		return mo_err_set(err, MO_EINVAL, "bad_request", "bad unit code");
	if (f->text && (strlen(f->text) > 200 || !proto_utf8_valid(f->text, strlen(f->text))))
		return mo_err_set(err, MO_EINVAL, "bad_request", "the search is at most 200 bytes");
	return hub_store_visit_list(h->store, f, out, err);
}

/* ---- from the laptops ---- */

int hub_visit_transition(struct hub *h, const struct hub_device *dev, const struct proto_change *c,
			 struct proto_clock *clock, struct mo_err *err)
{
	const char *from = proto_json_str(c->fields, "from"), *to = proto_json_str(c->fields, "to");
	const char *reason = proto_json_str(c->fields, "reason");
	const cJSON *sched = cJSON_GetObjectItemCaseSensitive(c->fields, "scheduled_for");
	cJSON *v = NULL, *after = NULL;
	char visited[32] = "", scheduled[16] = "";
	int rc, cur, fr, t;

	if (from == NULL || to == NULL)
		return mo_err_set(err, MO_EINVAL, "missing_field",
				  "a transition needs 'from' and 'to'");
	rc = hub_store_visit_get(h->store, c->id, &v, err);
	if (rc == MO_ENOTFOUND || (rc == MO_OK && strcmp(proto_json_str(v, "id"), c->id) != 0)) {
		cJSON_Delete(v);
		return mo_err_set(err, MO_ENOTFOUND, "not_found", "no visit %s on the hub", c->id);
	}
	if (rc != MO_OK)
		return rc;
	/* never another unit's number in a laptop's refusal */
	if (strcmp(proto_json_str(v, "unit"), dev->unit) != 0) {
		rc = mo_err_set(err, MO_EFORBIDDEN, "forbidden", "visit %s belongs to another unit",
				c->id);
		goto done;
	}
	cur = state_of(v);
	fr = proto_visit_state_parse(from);
	t = proto_visit_state_parse(to);
	if (fr != cur) {
		rc = mo_err_set(err, MO_ECONFLICT, "illegal_transition", "visit %s is %s, not %s",
				proto_json_str(v, "number"), proto_visit_state_name(cur), from);
		goto done;
	}
	if (!proto_visit_move_allowed(cur, t)) {
		rc = mo_err_set(err, MO_ECONFLICT, "illegal_transition",
				"a visit cannot move from %s to %s", proto_visit_state_name(cur),
				to);
		goto done;
	}
	if (t == PROTO_VISIT_CANCELLED && blank(reason)) {
		rc = mo_err_set(err, MO_EINVAL, "missing_field",
				"cancelling a visit needs 'reason'");
		goto done;
	}
	/* a new date with scheduled; the one held otherwise */
	if (t == PROTO_VISIT_SCHEDULED && cJSON_IsString(sched))
		mo_strlcpy(scheduled, sched->valuestring, sizeof(scheduled));
	else if (!(t == PROTO_VISIT_SCHEDULED && cJSON_IsNull(sched)) &&
		 proto_json_str(v, "scheduled_for"))
		mo_strlcpy(scheduled, proto_json_str(v, "scheduled_for"), sizeof(scheduled));
	if (t == PROTO_VISIT_VISITED) {
		/* when the laptop recorded it (its HLC, at most 24 h ahead), never
		 * before the request */
		uint64_t at = proto_hlc_ms(c->hlc);
		int64_t req = proto_datetime_ms(proto_json_str(v, "requested_at"));

		if (req >= 0 && (int64_t)at < req)
			at = mo_now_ms();
		mo_iso8601(visited, sizeof(visited), at, true);
	}
	if ((rc = hub_store_visit_set_state(
		 h->store, proto_json_str(v, "id"), to,
		 t == PROTO_VISIT_CANCELLED ? reason : proto_json_str(v, "state_reason"),
		 scheduled[0] ? scheduled : NULL, visited[0] ? visited : NULL, err)) != MO_OK ||
	    (rc = hub_store_visit_get(h->store, c->id, &after, err)) != MO_OK)
		goto done;
	rc = feed_visit(h, after, dev->unit, dev->id, proto_hlc_now(clock, mo_now_ms()), err);
done:
	cJSON_Delete(v);
	cJSON_Delete(after);
	return rc;
}

int hub_visit_case_check(struct hub *h, const char *visit_id, const char *unit, const char **code,
			 const char **bad, struct mo_err *err)
{
	cJSON *v = NULL;
	int rc;

	*bad = NULL;
	*code = NULL;
	if (visit_id == NULL)
		return MO_OK;
	rc = hub_store_visit_get(h->store, visit_id, &v, err);
	if (rc == MO_ENOTFOUND || (rc == MO_OK && strcmp(proto_json_str(v, "id"), visit_id) != 0)) {
		mo_err_clear(err);
		*code = "not_found";
		*bad = "no such visit on the hub";
		rc = MO_OK;
	} else if (rc == MO_OK && strcmp(proto_json_str(v, "unit"), unit) != 0) {
		*code = "forbidden";
		*bad = "the visit belongs to another unit";
	}
	cJSON_Delete(v);
	return rc;
}
