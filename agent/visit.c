/* visit.c — home-visit requests on the laptop (visit.h). */
#include "visit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hlc.h"
#include "mo_util.h"
#include "status.h"
#include "store_visit.h"
#include "validate.h"

static int nomem(struct mo_err *err)
{
	return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
}

static const char *fstr(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* a lookup that missed is not an error of the caller's */
static void clear_err(struct mo_err *err)
{
	if (err)
		*err = (struct mo_err)MO_ERR_INIT;
}

/* set o[key] to a string, or null when v is NULL/empty */
static int set_str(cJSON *o, const char *key, const char *v)
{
	cJSON *n = v && *v ? cJSON_CreateString(v) : cJSON_CreateNull();

	if (n == NULL)
		return MO_ENOMEM;
	if (cJSON_GetObjectItemCaseSensitive(o, key))
		return cJSON_ReplaceItemInObjectCaseSensitive(o, key, n) ? MO_OK : MO_ENOMEM;
	return cJSON_AddItemToObject(o, key, n) ? MO_OK : MO_ENOMEM;
}

/* the shown state from the hub's copy (nothing of ours pending) */
static int view_from_data(struct agent_visit *v, struct mo_err *err)
{
	const char *st = fstr(v->data, "state"), *reason = fstr(v->data, "state_reason");

	mo_strlcpy(v->state, st && proto_visit_state_parse(st) >= 0 ? st : "requested",
		   sizeof(v->state));
	mo_strlcpy(v->scheduled_for,
		   fstr(v->data, "scheduled_for") ? fstr(v->data, "scheduled_for") : "",
		   sizeof(v->scheduled_for));
	mo_strlcpy(v->visited_at, fstr(v->data, "visited_at") ? fstr(v->data, "visited_at") : "",
		   sizeof(v->visited_at));
	free(v->state_reason);
	v->state_reason = NULL;
	if (reason && *reason && (v->state_reason = strdup(reason)) == NULL)
		return nomem(err);
	return MO_OK;
}

/* ---- what the hub sends ---- */

/*
 * A visit whose unit is not ours: one we hold was given to another unit
 * (the hub sends it once more with the new unit) and leaves this laptop;
 * one we never held should not have come at all.
 */
static int ignore_foreign(struct agent_store *s, const struct proto_change *c, const char *unit,
			  const char *mine, struct mo_err *err)
{
	struct agent_visit v;
	long long n = 0;
	int rc;

	if (agent_store_visit_get(s, c->id, &v, NULL) == MO_OK) {
		agent_visit_release(&v);
		fprintf(stderr,
			"mo-agent: visit %s was given to unit '%s': removed from this laptop\n",
			c->id, unit ? unit : "?");
		return agent_store_visit_delete(s, c->id, err);
	}
	/* the hub must never send this: say so where an operator or a log sees it */
	fprintf(stderr,
		"mo-agent: ignored visit %s of unit '%s' (this laptop belongs to unit '%s')\n",
		c->id, unit ? unit : "?", mine);
	if ((rc = agent_meta_get_i64_err(s, "visits_ignored", 0, &n, err)) != MO_OK)
		return rc;
	return agent_meta_set_i64(s, "visits_ignored", n + 1, err);
}

int agent_visit_apply_remote(struct agent_store *s, const struct proto_change *c,
			     struct mo_err *err)
{
	struct agent_visit v;
	char mine[40] = "", hlc[PROTO_HLC_HEX];
	const char *unit = fstr(c->fields, "unit"), *number = fstr(c->fields, "number");
	bool fresh;
	int rc;

	if (agent_meta_get(s, "unit", mine, sizeof(mine)) != MO_OK || unit == NULL ||
	    strcmp(unit, mine) != 0)
		return ignore_foreign(s, c, unit, mine, err);
	proto_hlc_format(hlc, c->hlc);
	rc = agent_store_visit_get(s, c->id, &v, err);
	if (rc == MO_ENOTFOUND) {
		clear_err(err);
		memset(&v, 0, sizeof(v));
		mo_strlcpy(v.id, c->id, sizeof(v.id));
		for (char *p = v.id; *p; p++)
			if (*p >= 'A' && *p <= 'F')
				*p = (char)(*p - 'A' + 'a');
		fresh = true;
	} else if (rc != MO_OK) {
		return rc;
	} else {
		fresh = false;
	}
	if (!fresh && strcmp(v.hlc, hlc) >= 0) {
		agent_visit_release(&v); /* older than what we hold: a late copy */
		return MO_OK;
	}
	cJSON_Delete(v.data);
	if ((v.data = cJSON_Duplicate(c->fields, 1)) == NULL) {
		agent_visit_release(&v);
		return nomem(err);
	}
	mo_strlcpy(v.hlc, hlc, sizeof(v.hlc));
	mo_strlcpy(v.unit, unit, sizeof(v.unit));
	if (number)
		mo_strlcpy(v.number, number, sizeof(v.number));
	else if (fresh)
		mo_strlcpy(v.number, v.id, sizeof(v.number));
	/* a move of ours still on its way shows until the hub answers it */
	rc = v.pending > 0 ? MO_OK : view_from_data(&v, err);
	if (rc == MO_OK)
		rc = agent_store_visit_put(s, &v, err);
	agent_visit_release(&v);
	return rc;
}

struct acked {
	struct agent_store *s;
	struct mo_err *err;
};

/* one move of the acked batch: fold it into the hub's copy unless refused */
static int acked_move(void *arg, const char *visit_id, const char *json, bool quarantined)
{
	struct acked *a = arg;
	struct agent_visit v;
	cJSON *ch = NULL;
	const cJSON *f;
	const char *to, *hlc;
	int rc;

	if ((rc = agent_store_visit_get(a->s, visit_id, &v, a->err)) != MO_OK) {
		if (rc != MO_ENOTFOUND)
			return rc;
		clear_err(a->err);
		return MO_OK; /* gone (cannot happen: visits are never deleted) */
	}
	if (v.pending > 0)
		v.pending--;
	ch = cJSON_Parse(json);
	f = cJSON_GetObjectItemCaseSensitive(ch, "fields");
	to = fstr(f, "to");
	hlc = fstr(ch, "hlc");
	rc = MO_OK;
	/* the hub took it: its copy now says so, unless a newer hub write is held */
	if (!quarantined && to && hlc && strcmp(hlc, v.hlc) > 0) {
		const char *date = fstr(f, "scheduled_for");
		char now[32];

		mo_iso8601(now, sizeof(now), mo_now_ms(), true);
		if (set_str(v.data, "state", to) != MO_OK ||
		    (date && set_str(v.data, "scheduled_for", date) != MO_OK) ||
		    (strcmp(to, "cancelled") == 0 &&
		     set_str(v.data, "state_reason", fstr(f, "reason")) != MO_OK) ||
		    (strcmp(to, "visited") == 0 && fstr(v.data, "visited_at") == NULL &&
		     set_str(v.data, "visited_at", now) != MO_OK))
			rc = nomem(a->err);
		mo_strlcpy(v.hlc, hlc, sizeof(v.hlc));
	}
	if (rc == MO_OK && v.pending == 0)
		rc = view_from_data(&v, a->err);
	if (rc == MO_OK)
		rc = agent_store_visit_put(a->s, &v, a->err);
	cJSON_Delete(ch);
	agent_visit_release(&v);
	return rc;
}

int agent_visit_acked(struct agent_store *s, long long seq, struct mo_err *err)
{
	struct acked a = {s, err};

	return agent_store_visit_batch_moves(s, seq, acked_move, &a, err);
}

/* ---- reading ---- */

/* the hub's fields with the shown state, id and pending */
static cJSON *visit_json(const struct agent_visit *v)
{
	cJSON *o = cJSON_Duplicate(v->data, 1);

	if (o == NULL)
		return NULL;
	if (set_str(o, "id", v->id) != MO_OK || set_str(o, "number", v->number) != MO_OK ||
	    set_str(o, "state", v->state) != MO_OK ||
	    set_str(o, "scheduled_for", v->scheduled_for) != MO_OK ||
	    set_str(o, "state_reason", v->state_reason) != MO_OK ||
	    set_str(o, "visited_at", v->visited_at) != MO_OK ||
	    !cJSON_AddBoolToObject(o, "pending", v->pending > 0)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

struct list {
	cJSON *arr;
	struct mo_err *err;
};

static int list_one(void *arg, const struct agent_visit *v)
{
	struct list *l = arg;
	cJSON *o = visit_json(v);

	if (o == NULL || !cJSON_AddItemToArray(l->arr, o)) {
		cJSON_Delete(o);
		return nomem(l->err);
	}
	return MO_OK;
}

int agent_visit_list(struct agent_store *s, cJSON **out, struct mo_err *err)
{
	struct list l = {cJSON_CreateArray(), err};
	int rc;

	*out = NULL;
	if (l.arr == NULL)
		return nomem(err);
	if ((rc = agent_store_visit_each(s, list_one, &l, err)) != MO_OK) {
		cJSON_Delete(l.arr);
		return rc;
	}
	*out = l.arr;
	return MO_OK;
}

int agent_visit_show(struct agent_store *s, const char *key, cJSON **out, struct mo_err *err)
{
	struct agent_visit v;
	cJSON *o = NULL, *cases = NULL, *titles;
	const cJSON *it;
	int rc;

	*out = NULL;
	if ((rc = agent_store_visit_get(s, key, &v, err)) != MO_OK)
		return rc;
	if ((o = visit_json(&v)) == NULL) {
		rc = nomem(err);
		goto done;
	}
	if ((rc = agent_store_visit_cases(s, v.id, &cases, err)) != MO_OK)
		goto done;
	cJSON_AddItemToObject(o, "cases", cases);
	titles = cJSON_AddArrayToObject(o, "service_titles");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(v.data, "services"))
	{
		struct agent_service svc;
		struct mo_err e2 = MO_ERR_INIT;
		cJSON *t;

		if (!cJSON_IsString(it) || (t = cJSON_CreateObject()) == NULL)
			continue;
		cJSON_AddStringToObject(t, "code", it->valuestring);
		if (agent_store_service_get(s, it->valuestring, &svc, &e2) == MO_OK) {
			cJSON_AddStringToObject(t, "title", svc.title_uk);
			cJSON_AddStringToObject(t, "title_en", svc.title_en);
			agent_service_release(&svc);
		}
		cJSON_AddItemToArray(titles, t);
	}
	*out = o;
	o = NULL;
done:
	cJSON_Delete(o);
	agent_visit_release(&v);
	return rc;
}

/* ---- moves ---- */

/* today in Kyiv as YYYY-MM-DD */
static void kyiv_today(char out[11])
{
	char k[17]; /* "02.12.2026 21:06" */

	proto_time_kyiv((int64_t)mo_now_ms(), k);
	snprintf(out, 11, "%.4s-%.2s-%.2s", k + 6, k + 3, k);
}

struct move {
	const char *to;
	const char *date;   /* schedule: ISO */
	const char *reason; /* cancel */
};

static int visit_move(struct agent_store *s, const struct agent_identity *me, const char *key,
		      const struct move *m, struct mo_err *err)
{
	struct agent_visit v;
	cJSON *f = NULL;
	int from, to = proto_visit_state_parse(m->to), rc;

	if ((rc = agent_store_visit_get(s, key, &v, err)) != MO_OK)
		return rc;
	from = proto_visit_state_parse(v.state);
	if (to < 0 || from < 0 || !proto_visit_move_allowed(from, to)) {
		rc = mo_err_set(err, MO_ECONFLICT, "illegal_visit_move", "%s → %s", v.state, m->to);
		goto done;
	}
	if ((f = cJSON_CreateObject()) == NULL || set_str(f, "from", v.state) != MO_OK ||
	    set_str(f, "to", m->to) != MO_OK ||
	    (m->reason && set_str(f, "reason", m->reason) != MO_OK) ||
	    (m->date && set_str(f, "scheduled_for", m->date) != MO_OK)) {
		rc = nomem(err);
		goto done;
	}
	if ((rc = agent_store_outbox_add(s, "visit", v.id, "transition", f, me->operator_name, NULL,
					 err)) != MO_OK)
		goto done;
	/* shown at once; the hub learns it on the next sync */
	mo_strlcpy(v.state, m->to, sizeof(v.state));
	if (m->date)
		mo_strlcpy(v.scheduled_for, m->date, sizeof(v.scheduled_for));
	if (m->reason) {
		free(v.state_reason);
		if ((v.state_reason = strdup(m->reason)) == NULL) {
			rc = nomem(err);
			goto done;
		}
	}
	if (to == PROTO_VISIT_VISITED)
		mo_iso8601(v.visited_at, sizeof(v.visited_at), mo_now_ms(), true);
	v.pending++;
	rc = agent_store_visit_put(s, &v, err);
done:
	cJSON_Delete(f);
	agent_visit_release(&v);
	return rc;
}

int agent_visit_schedule(struct agent_store *s, const struct agent_identity *me, const char *key,
			 const char *date, struct mo_err *err)
{
	struct move m = {"scheduled", NULL, NULL};
	char iso[11], today[11];

	if (date == NULL || !*date || proto_date_parse(date, iso) != MO_OK)
		return mo_err_set(err, MO_EINVAL, "visit_date", "%s", date ? date : "");
	kyiv_today(today);
	if (strcmp(iso, today) < 0)
		return mo_err_set(err, MO_EINVAL, "date_past", "%s", date); /* as typed */
	m.date = iso;
	return visit_move(s, me, key, &m, err);
}

int agent_visit_done(struct agent_store *s, const struct agent_identity *me, const char *key,
		     struct mo_err *err)
{
	struct move m = {"visited", NULL, NULL};

	return visit_move(s, me, key, &m, err);
}

int agent_visit_cancel(struct agent_store *s, const struct agent_identity *me, const char *key,
		       const char *reason, struct mo_err *err)
{
	struct move m = {"cancelled", NULL, reason};
	bool blank = true;

	for (const char *p = reason; p && *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n')
			blank = false;
	if (blank)
		return mo_err_set(err, MO_EINVAL, "reason_required", "reason");
	if (proto_text_check(reason, AGENT_VISIT_REASON_MAX, "reason", err) != MO_OK)
		return mo_err_set(err, MO_EINVAL, "bad_field", "reason");
	return visit_move(s, me, key, &m, err);
}

/* ---- an application from a visit ---- */

void agent_visit_fill_release(struct agent_visit_fill *f)
{
	if (f == NULL)
		return;
	cJSON_Delete(f->data);
	f->data = NULL;
}

static const char *given(const char *typed, const char *from_visit)
{
	return typed ? typed : from_visit && *from_visit ? from_visit : NULL;
}

int agent_visit_case_input(struct agent_store *s, const char *key, struct agent_case_input *in,
			   struct agent_visit_fill *keep, struct mo_err *err)
{
	struct agent_visit v;
	const cJSON *who, *addr, *it;
	int rc;

	memset(keep, 0, sizeof(*keep));
	if ((rc = agent_store_visit_get(s, key, &v, err)) != MO_OK)
		return rc;
	if (strcmp(v.state, "cancelled") == 0) {
		rc = mo_err_set(err, MO_ECONFLICT, "visit_cancelled", "%s", v.number);
		agent_visit_release(&v);
		return rc;
	}
	/* the input borrows from keep->data from here on */
	keep->data = v.data;
	v.data = NULL;
	mo_strlcpy(keep->id, v.id, sizeof(keep->id));
	agent_visit_release(&v);

	who = cJSON_GetObjectItemCaseSensitive(keep->data, "citizen");
	in->surname = given(in->surname, fstr(who, "surname"));
	in->given_name = given(in->given_name, fstr(who, "given_name"));
	in->patronymic = given(in->patronymic, fstr(who, "patronymic"));
	in->phone = given(in->phone, fstr(who, "phone"));
	in->mobility = given(in->mobility, fstr(who, "mobility"));
	addr = cJSON_GetObjectItemCaseSensitive(who, "address");
	if (in->address_text == NULL && in->address == NULL && cJSON_IsObject(addr) && addr->child)
		in->address = addr;
	if (in->nservices == 0) {
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(keep->data, "services"))
		{
			if (cJSON_IsString(it) && in->nservices < AGENT_MAX_SERVICES)
				in->services[in->nservices++] = it->valuestring;
		}
	}
	in->visit = keep->id;
	return MO_OK;
}
