/* review.c — staff decisions, comments and assignment (review.h). */
#include "review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "json.h"
#include "status.h"
#include "validate.h"

static int staff_exists(struct hub *h, const char *login, struct mo_err *err)
{
	char role[32], hash[256];
	int rc = hub_store_user_get(h->store, login, role, sizeof(role), hash, sizeof(hash), err);

	if (rc == MO_ENOTFOUND)
		mo_err_set(err, rc, NULL, "no staff user '%s' (mo-hub user add)", login);
	return rc;
}

static int check_decision(const char *decision, const char *reason, struct mo_err *err)
{
	static const char *const decisions[] = {"in_review", "approved", "rejected", "needs_info"};
	bool known = false;

	for (size_t i = 0; i < sizeof(decisions) / sizeof(decisions[0]); i++)
		known |= decision && strcmp(decision, decisions[i]) == 0;
	if (!known)
		return mo_err_set(err, MO_EINVAL, "bad_value",
				  "decision must be in_review, approved, rejected or needs_info");
	if ((strcmp(decision, "rejected") == 0 || strcmp(decision, "needs_info") == 0) &&
	    (reason == NULL || *reason == '\0'))
		return mo_err_set(err, MO_EINVAL, "missing_reason",
				  "a %s decision needs a reason for the applicant", decision);
	return MO_OK;
}

/* one move inside the open transaction */
static int move(struct hub *h, const struct hub_case *c, struct proto_clock *clk,
		const char *decision, const char *service, const char *reason,
		const struct hub_decision *d, struct mo_err *err)
{
	struct hub_transition t = {.case_id = c->id,
				   .to = decision,
				   .service = service,
				   .reason = reason && *reason ? reason : NULL,
				   .actor = PROTO_ACTOR_STAFF,
				   .actor_name = d->by ? d->by : "admin",
				   .hlc = proto_hlc_now(clk, mo_now_ms())};

	return hub_case_transition(h, &t, err);
}

/* a service's own reason, else the decision's common one */
static const char *service_reason(const struct hub_decision *d, size_t i)
{
	const char *r = d->services[i].reason;

	return r && *r ? r : d->reason;
}

int hub_review_moves(int from, cJSON *arr)
{
	if (arr == NULL)
		return MO_ENOMEM;
	for (int to = 0; to < PROTO_ST_COUNT; to++) {
		cJSON *s;

		if (!proto_transition_allowed(from, to, PROTO_ACTOR_STAFF))
			continue;
		if ((s = cJSON_CreateString(proto_status_name(to))) == NULL)
			return MO_ENOMEM;
		if (!cJSON_AddItemToArray(arr, s)) {
			cJSON_Delete(s);
			return MO_ENOMEM;
		}
	}
	return MO_OK;
}

static int audit_decision(struct hub *h, const struct hub_case *c, const struct hub_decision *d,
			  struct mo_err *err)
{
	char detail[4096];
	size_t off = 0;

	if (d->nservices == 0) {
		off = (size_t)snprintf(detail, sizeof(detail), "%s%s%s", d->decision,
				       d->service ? " " : "", d->service ? d->service : "");
	} else {
		for (size_t i = 0; i < d->nservices && off < sizeof(detail); i++) {
			const char *r = d->services[i].reason;

			off += (size_t)snprintf(detail + off, sizeof(detail) - off, "%s%s %s%s%s",
						i ? ", " : "", d->services[i].code,
						d->services[i].decision, r && *r ? ": " : "",
						r && *r ? r : "");
		}
	}
	if (off >= sizeof(detail))
		off = sizeof(detail) - 1;
	if (d->reason && *d->reason && off < sizeof(detail))
		snprintf(detail + off, sizeof(detail) - off, ": %s", d->reason);
	return hub_store_audit_add(h->store, d->by ? d->by : "admin", "decision", c->number, detail,
				   err);
}

int hub_review_decide(struct hub *h, const struct hub_decision *d, struct hub_case *out,
		      struct mo_err *err)
{
	struct hub_case c;
	struct proto_clock clk;
	bool in_tx = false;
	int rc;

	if (d->nservices == 0 && (rc = check_decision(d->decision, d->reason, err)) != MO_OK)
		return rc;
	for (size_t i = 0; i < d->nservices; i++) {
		if (d->services[i].code == NULL || *d->services[i].code == '\0')
			return mo_err_set(err, MO_EINVAL, "bad_value", "a service needs its code");
		if ((rc = check_decision(d->services[i].decision, service_reason(d, i), err)) !=
			MO_OK ||
		    (d->services[i].reason &&
		     (rc = proto_text_check(d->services[i].reason, 1000, "reason", err)) != MO_OK))
			return rc;
	}
	if (d->reason && (rc = proto_text_check(d->reason, 1000, "reason", err)) != MO_OK)
		return rc;
	if (d->by && (rc = staff_exists(h, d->by, err)) != MO_OK)
		return rc;
	if ((rc = hub_store_begin(h->store, err)) != MO_OK)
		return rc;
	in_tx = true;
	if ((rc = hub_store_case_get(h->store, d->case_ref, true, &c, NULL, err)) != MO_OK ||
	    (rc = hub_clock_load(h, &clk, err)) != MO_OK)
		goto done;
	if (d->nservices == 0) {
		rc = move(h, &c, &clk, d->decision, d->service, d->reason, d, err);
	} else {
		for (size_t i = 0; i < d->nservices && rc == MO_OK; i++)
			rc = move(h, &c, &clk, d->services[i].decision, d->services[i].code,
				  service_reason(d, i), d, err);
	}
	if (rc != MO_OK || (rc = audit_decision(h, &c, d, err)) != MO_OK ||
	    (rc = hub_clock_save(h, &clk, err)) != MO_OK)
		goto done;
	if (out && (rc = hub_store_case_get(h->store, c.id, false, out, NULL, err)) != MO_OK)
		goto done;
	in_tx = false;
	rc = hub_store_commit(h->store, err);
done:
	if (in_tx)
		hub_store_rollback(h->store);
	return rc;
}

int hub_review_comment(struct hub *h, const char *case_ref, const char *text, const char *by,
		       char id_out[MO_UUID_LEN], struct mo_err *err)
{
	struct hub_case c;
	struct proto_clock clk;
	char id[MO_UUID_LEN];
	cJSON *f = NULL;
	char *json = NULL;
	bool in_tx = false;
	uint64_t hlc;
	int rc;

	if (text == NULL || *text == '\0')
		return mo_err_set(err, MO_EINVAL, "missing_field", "a comment needs a text");
	if ((rc = proto_text_check(text, 4000, "text", err)) != MO_OK)
		return rc;
	if (by && (rc = staff_exists(h, by, err)) != MO_OK)
		return rc;
	if ((rc = mo_uuid_v4(id)) != MO_OK)
		return mo_err_set(err, rc, NULL, "no randomness for an id");
	if ((rc = hub_store_begin(h->store, err)) != MO_OK)
		return rc;
	in_tx = true;
	if ((rc = hub_store_case_get(h->store, case_ref, true, &c, NULL, err)) != MO_OK ||
	    (rc = hub_clock_load(h, &clk, err)) != MO_OK)
		goto done;
	hlc = proto_hlc_now(&clk, mo_now_ms());
	if ((f = cJSON_CreateObject()) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	cJSON_AddStringToObject(f, "case", c.id);
	cJSON_AddStringToObject(f, "text", text);
	cJSON_AddStringToObject(f, "author", by ? by : "admin");
	if ((json = cJSON_PrintUnformatted(f)) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	if ((rc = hub_store_append_add(h->store, id, "comment", c.id, NULL, hlc, json, err)) !=
	    MO_OK)
		goto done;
	{
		struct hub_event ev = {.case_id = c.id,
				       .kind = "comment",
				       .reason = text,
				       .actor = by ? by : "admin",
				       .hlc = hlc};

		if ((rc = hub_store_event_add(h->store, &ev, err)) != MO_OK)
			goto done;
	}
	if ((rc = hub_store_feed_add(h->store, c.unit, NULL, "comment", id, "append", hlc, json,
				     err)) != MO_OK ||
	    (rc = hub_store_audit_add(h->store, by ? by : "admin", "comment", c.number, text,
				      err)) != MO_OK ||
	    (rc = hub_clock_save(h, &clk, err)) != MO_OK)
		goto done;
	in_tx = false;
	if ((rc = hub_store_commit(h->store, err)) == MO_OK && id_out)
		mo_strlcpy(id_out, id, MO_UUID_LEN);
done:
	if (in_tx)
		hub_store_rollback(h->store);
	free(json);
	cJSON_Delete(f);
	return rc;
}

static int assignee_check(struct hub *h, const char *login, struct mo_err *err)
{
	char role[32];
	bool disabled = false;
	int rc = hub_store_user_state(h->store, login, role, sizeof(role), &disabled, err);

	if (rc == MO_ENOTFOUND)
		return mo_err_set(err, rc, "not_found", "no staff user '%s'", login);
	if (rc == MO_OK && disabled)
		return mo_err_set(err, MO_EINVAL, "bad_value",
				  "'%s' is disabled and cannot take cases", login);
	return rc;
}

int hub_review_assign(struct hub *h, const char *case_ref, const char *login, const char *by,
		      struct hub_case *out, struct mo_err *err)
{
	struct hub_case c;
	struct proto_clock clk;
	char old[HUB_LOGIN_MAX] = "";
	bool in_tx = false;
	int rc;

	if (login && *login == '\0')
		login = NULL;
	if (login && (rc = assignee_check(h, login, err)) != MO_OK)
		return rc;
	if ((rc = hub_store_begin(h->store, err)) != MO_OK)
		return rc;
	in_tx = true;
	if ((rc = hub_store_case_get(h->store, case_ref, true, &c, NULL, err)) != MO_OK ||
	    (rc = hub_store_case_assign(h->store, c.id, login, old, err)) != MO_OK)
		goto done;
	if (strcmp(old, login ? login : "") != 0) {
		struct hub_event ev = {.case_id = c.id,
				       .kind = "assigned",
				       .from = old[0] ? old : NULL,
				       .to = login,
				       .actor = by ? by : "admin"};

		if ((rc = hub_clock_load(h, &clk, err)) != MO_OK)
			goto done;
		ev.hlc = proto_hlc_now(&clk, mo_now_ms());
		if ((rc = hub_store_event_add(h->store, &ev, err)) != MO_OK ||
		    (rc = hub_store_audit_add(h->store, by ? by : "admin", "assign", c.number,
					      login ? login : "-", err)) != MO_OK ||
		    (rc = hub_clock_save(h, &clk, err)) != MO_OK)
			goto done;
	}
	if (out)
		*out = c;
	in_tx = false;
	rc = hub_store_commit(h->store, err);
done:
	if (in_tx)
		hub_store_rollback(h->store);
	return rc;
}

void hub_history_entry_expand(cJSON *e)
{
	const char *kind = proto_json_str(e, "kind");
	cJSON *d, *x;

	if (kind == NULL || strcmp(kind, "edited") != 0)
		return;
	d = cJSON_Parse(proto_json_str(e, "reason") ? proto_json_str(e, "reason") : "");
	cJSON_DeleteItemFromObjectCaseSensitive(e, "reason");
	cJSON_DeleteItemFromObjectCaseSensitive(e, "text");
	cJSON_ArrayForEach(x, d)
	{
		if (x->string && !cJSON_HasObjectItem(e, x->string))
			cJSON_AddItemToObject(e, x->string, cJSON_Duplicate(x, true));
	}
	cJSON_Delete(d);
}
