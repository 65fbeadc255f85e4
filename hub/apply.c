/*
 * apply.c — merge rules and state machine on the hub store (apply.h).
 */
#include "apply.h"

#include "lww.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "payments.h"
#include "messages.h"
#include "status.h"
#include "visits.h"

#define PATH_MAX_LEN 256
#define RECEIVE_MAX_STEPS 40 /* a case holds at most 30 services */
#define DOC_MAX (16u << 20)  /* one materialised case or trip */

void hub_apply_init(struct hub_apply *a, struct hub *h, const struct hub_device *dev, long long seq,
		    const struct proto_clock *clock)
{
	memset(a, 0, sizeof(*a));
	a->hub = h;
	a->dev = dev;
	a->seq = seq;
	if (clock)
		a->clock = *clock;
	a->now_ms = mo_now_ms();
}

void hub_apply_release(struct hub_apply *a)
{
	free(a->q);
	a->q = NULL;
	a->nq = a->qcap = 0;
	for (size_t i = 0; i < a->nreceive; i++)
		free(a->receive[i].sv);
	free(a->receive);
	a->receive = NULL;
	a->nreceive = a->rcap = 0;
}

static struct hub_receive *deferred(struct hub_apply *a, const char *case_id)
{
	for (size_t i = 0; i < a->nreceive; i++)
		if (strcmp(a->receive[i].c.id, case_id) == 0)
			return &a->receive[i];
	return NULL;
}

/*
 * Remember a case for the received step at the end of the batch, with what
 * the upsert just wrote (the case row c and its services sv, whose
 * ownership passes here; the document's consenting phone), so the step
 * moves it without reading it back.  A later upsert of the same case in
 * the batch replaces it; a later transition makes it unknown (see
 * case_change_transition).
 */
static int defer_receive(struct hub_apply *a, const struct hub_case *c,
			 struct hub_case_service **sv, size_t n, const cJSON *doc,
			 struct mo_err *err)
{
	struct hub_receive *r = deferred(a, c->id);

	if (r == NULL) {
		if (a->nreceive == a->rcap) {
			size_t ncap = a->rcap ? a->rcap * 2 : 8;
			struct hub_receive *p = realloc(a->receive, ncap * sizeof(*p));

			if (p == NULL)
				return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			a->receive = p;
			a->rcap = ncap;
		}
		r = &a->receive[a->nreceive++];
		memset(r, 0, sizeof(*r));
	}
	free(r->sv);
	r->c = *c;
	r->sv = *sv;
	r->n = n;
	*sv = NULL;
	hub_message_phone(doc, r->phone);
	r->known = true;
	return MO_OK;
}

/* a case for the received step that the step reads itself */
static int defer_unknown(struct hub_apply *a, const struct hub_case *c, struct mo_err *err)
{
	struct hub_case_service *none = NULL;
	int rc = defer_receive(a, c, &none, 0, NULL, err);

	if (rc == MO_OK)
		deferred(a, c->id)->known = false;
	return rc;
}

static int receive_steps(struct hub *h, const char *case_id, const char *origin,
			 struct proto_clock *clock, struct hub_receive *known, struct mo_err *err);

int hub_apply_finish(struct hub_apply *a, struct mo_err *err)
{
	int rc = MO_OK;

	for (size_t i = 0; i < a->nreceive && rc == MO_OK; i++) {
		struct hub_receive *r = &a->receive[i];

		rc = receive_steps(a->hub, r->c.id, a->dev->id, &a->clock, r->known ? r : NULL,
				   err);
	}
	for (size_t i = 0; i < a->nreceive; i++)
		free(a->receive[i].sv);
	a->nreceive = 0;
	return rc;
}

/* a cJSON tree we built ourselves, printed compactly; NULL on ENOMEM */
static char *print(const cJSON *v)
{
	return cJSON_PrintUnformatted(v);
}

static int oom(struct mo_err *err)
{
	return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
}

/* Keep a change aside with its reason: in the batch's list and the store. */
static int quarantine(struct hub_apply *a, const struct proto_change *c, const char *code,
		      const char *fmt, ...) MO_PRINTF(4, 5);

static int quarantine(struct hub_apply *a, const struct proto_change *c, const char *code,
		      const char *fmt, ...)
{
	struct hub_quarantine_rec r;
	struct proto_quarantine *q;
	cJSON *j;
	char *text;
	va_list ap;
	int rc;

	if (a->nq == a->qcap) {
		size_t ncap = a->qcap ? a->qcap * 2 : 8;
		struct proto_quarantine *p = realloc(a->q, ncap * sizeof(*p));

		if (p == NULL)
			return oom(NULL);
		a->q = p;
		a->qcap = ncap;
	}
	q = &a->q[a->nq];
	memset(q, 0, sizeof(*q));
	q->n = c->n;
	mo_strlcpy(q->code, code, sizeof(q->code));
	va_start(ap, fmt);
	vsnprintf(q->message, sizeof(q->message), fmt, ap);
	va_end(ap);

	j = proto_change_to_json(c);
	text = j ? print(j) : NULL;
	cJSON_Delete(j);
	r.device = a->dev ? a->dev->id : "";
	r.batch_seq = a->seq;
	r.n = c->n;
	r.entity = c->entity;
	r.entity_id = c->id;
	r.op = c->op;
	r.code = q->code;
	r.message = q->message;
	r.change_json = text ? text : "{}";
	rc = hub_store_quarantine_add(a->hub->store, &r, NULL);
	free(text);
	if (rc != MO_OK)
		return rc;
	a->nq++;
	return MO_OK;
}

/* ---- LWW registers ---- */

struct merge {
	struct hub *hub;
	const char *entity, *id, *writer;
	uint64_t hlc;
	bool fresh;   /* a new entity: no register to compare with */
	cJSON *flat;  /* path → "<hlc hex>:<device>" of every register */
	bool changed; /* flat must be saved */
};

/*
 * The registers of an entity, flattened (path → stamp) from the stored
 * grouping (stamp → [paths]; store.h).  A new entity starts empty.
 */
static int stamps_load(struct merge *m, struct mo_err *err)
{
	struct mo_buf b = MO_BUF_INIT(DOC_MAX);
	cJSON *grouped = NULL;
	const cJSON *g, *p;
	int rc = MO_OK;

	if ((m->flat = cJSON_CreateObject()) == NULL)
		return oom(err);
	if (m->fresh)
		return MO_OK;
	rc = hub_store_stamps_get(m->hub->store, m->entity, m->id, &b, err);
	if (rc == MO_ENOTFOUND) {
		rc = MO_OK;
		goto done;
	}
	if (rc != MO_OK)
		goto done;
	if ((grouped = cJSON_ParseWithLength((const char *)b.data, b.len)) == NULL) {
		rc = mo_err_set(err, MO_ECORRUPT, NULL, "stored field stamps of %s are corrupt",
				m->id);
		goto done;
	}
	cJSON_ArrayForEach(g, grouped)
	{
		cJSON_ArrayForEach(p, g)
		{
			if (!cJSON_IsString(p))
				continue;
			if (!cJSON_AddStringToObject(m->flat, p->valuestring, g->string)) {
				rc = oom(err);
				goto done;
			}
		}
	}
done:
	cJSON_Delete(grouped);
	mo_buf_release(&b);
	return rc;
}

/* group flat (path → stamp) back into stamp → [paths] and store it */
static int stamps_save(struct merge *m, struct mo_err *err)
{
	cJSON *grouped = cJSON_CreateObject();
	const cJSON *p;
	char *text = NULL;
	int rc;

	if (grouped == NULL)
		return oom(err);
	/* O(paths × stamps): a handful of each per entity */
	cJSON_ArrayForEach(p, m->flat)
	{
		cJSON *arr = cJSON_GetObjectItemCaseSensitive(grouped, p->valuestring);

		if (arr == NULL && (arr = cJSON_AddArrayToObject(grouped, p->valuestring)) == NULL)
			break;
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(p->string)))
			break;
	}
	if (p != NULL || (text = cJSON_PrintUnformatted(grouped)) == NULL) {
		rc = oom(err);
		goto done;
	}
	rc = hub_store_stamps_put(m->hub->store, m->entity, m->id, text, err);
done:
	free(text);
	cJSON_Delete(grouped);
	return rc;
}

/* merge fields into doc/won with the entity's registers (proto/lww.h), and save them */
static int merge_fields(struct merge *m, const cJSON *fields, cJSON *doc, cJSON *won,
			struct mo_err *err)
{
	int rc;

	if ((rc = stamps_load(m, err)) != MO_OK)
		goto done;
	rc = proto_lww_merge(doc, won, m->flat, "", fields, m->hlc, m->writer, &m->changed);
	if (rc == MO_EINVAL)
		rc = mo_err_set(err, MO_EINVAL, "bad_value", "field path too long");
	else if (rc != MO_OK)
		rc = oom(err);
	else if (m->changed)
		rc = stamps_save(m, err);
done:
	cJSON_Delete(m->flat);
	m->flat = NULL;
	return rc;
}

/*
 * A new entity: no register to compare with, so every field wins and the
 * document is the change's fields as they are — only the registers are
 * written (the same ones proto_lww_merge would make, at a fraction of it).
 */
static int stamp_fresh(struct merge *m, const cJSON *fields, struct mo_err *err)
{
	char stamp[PROTO_STAMP_LEN], *text = NULL;
	cJSON *grouped = cJSON_CreateObject(), *paths = cJSON_CreateArray();
	int rc;

	/* stored grouping (store.h): {"<stamp>": [every leaf path]} */
	proto_stamp_format(stamp, m->hlc, m->writer);
	if (grouped == NULL || paths == NULL || !cJSON_AddItemToObject(grouped, stamp, paths)) {
		cJSON_Delete(paths);
		cJSON_Delete(grouped);
		return oom(err);
	}
	rc = proto_lww_leaf_paths(paths, "", fields);
	if (rc == MO_EINVAL)
		rc = mo_err_set(err, MO_EINVAL, "bad_value", "field path too long");
	else if (rc != MO_OK || (text = print(grouped)) == NULL)
		rc = oom(err);
	else
		rc = hub_store_stamps_put(m->hub->store, m->entity, m->id, text, err);
	free(text);
	cJSON_Delete(grouped);
	return rc;
}

/* ---- field edits in the case history ---- */

/* keys of a case document that are not the application's content */
static bool edit_ignored(const char *path)
{
	static const char *const skip[] = {"number",	 "unit",       "device",
					   "operator",	 "trip",       "created_at",
					   "updated_at", "edited_by", "status_check"};

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(path, skip[i]) == 0)
			return true;
	return false;
}

/*
 * The fields a laptop's change really changed (the value that won the merge
 * differs from the one the hub held before), appended to changes as
 * {"field": "applicant.phone", "old": ..., "new": ...}.  Objects are walked
 * to their leaves; lists (documents, services) are one field.
 */
static int collect_edits(cJSON *changes, const cJSON *before, const cJSON *won,
			 const char *prefix, int depth, struct mo_err *err)
{
	const cJSON *it;
	char path[128];
	int rc = MO_OK;

	cJSON_ArrayForEach(it, won)
	{
		const cJSON *old = before ? cJSON_GetObjectItemCaseSensitive(before, it->string) : NULL;

		if (it->string == NULL ||
		    snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", it->string) >=
			(int)sizeof(path))
			continue;
		if (depth == 0 && edit_ignored(path))
			continue;
		if (cJSON_IsObject(it) && depth < 4 && (old == NULL || cJSON_IsObject(old))) {
			rc = collect_edits(changes, old, it, path, depth + 1, err);
		} else if (old == NULL ? !cJSON_IsNull(it) : !cJSON_Compare(old, it, true)) {
			cJSON *d = cJSON_CreateObject();

			if (d == NULL || !cJSON_AddStringToObject(d, "field", path) ||
			    !cJSON_AddItemToObject(d, "old", old ? cJSON_Duplicate(old, true)
								 : cJSON_CreateNull()) ||
			    !cJSON_AddItemToObject(d, "new", cJSON_Duplicate(it, true)) ||
			    !cJSON_AddItemToArray(changes, d)) {
				cJSON_Delete(d);
				return oom(err);
			}
		}
		if (rc != MO_OK)
			return rc;
	}
	return MO_OK;
}

/*
 * One "edited" event per applied change that changed something, in the
 * apply's transaction (so a re-sent batch, refused as a replay or merged to
 * no difference, adds none): reason is {"by": the administrator's name as
 * the laptop recorded it (the change's edited_by, else the operator named
 * at enrolment; null when neither), "changes": [{field, old, new}, ...]}
 * (hub/history.c reads it).  One insert per edited case, not per field.
 */
static int record_edits(struct hub *h, const char *case_id, const struct hub_device *dev,
			const cJSON *fields, uint64_t hlc, const cJSON *before, const cJSON *won,
			struct mo_err *err)
{
	const char *by = proto_json_str(fields, "edited_by");
	cJSON *d = cJSON_CreateObject(), *changes;
	char *text = NULL;
	int rc;

	if (by == NULL || *by == '\0')
		by = dev->operator_name[0] ? dev->operator_name : NULL;
	if (d == NULL || (changes = cJSON_AddArrayToObject(d, "changes")) == NULL ||
	    !(by ? cJSON_AddStringToObject(d, "by", by) : cJSON_AddNullToObject(d, "by"))) {
		cJSON_Delete(d);
		return oom(err);
	}
	if ((rc = collect_edits(changes, before, won, "", 0, err)) != MO_OK ||
	    cJSON_GetArraySize(changes) == 0) {
		cJSON_Delete(d);
		return rc;
	}
	if ((text = print(d)) == NULL) {
		rc = oom(err);
	} else {
		struct hub_event ev = {.case_id = case_id,
				       .kind = "edited",
				       .reason = text,
				       .actor = dev->code,
				       .hlc = hlc};

		rc = hub_store_event_add(h->store, &ev, err);
	}
	free(text);
	cJSON_Delete(d);
	return rc;
}

/* ---- status moves ---- */

static int feed_transition(struct hub *h, const struct hub_case *c, const struct hub_transition *t,
			   int from, struct mo_err *err)
{
	cJSON *f = cJSON_CreateObject();
	char *text = NULL;
	int rc;

	if (f == NULL)
		return oom(err);
	cJSON_AddStringToObject(f, "from", proto_status_name(from));
	cJSON_AddStringToObject(f, "to", t->to);
	if (t->reason)
		cJSON_AddStringToObject(f, "reason", t->reason);
	if (t->service)
		cJSON_AddStringToObject(f, "service", t->service);
	if ((text = print(f)) == NULL)
		rc = oom(err);
	else
		rc = hub_store_feed_add(h->store, c->unit, t->origin, "case", c->id, "transition",
					t->hlc, text, err);
	free(text);
	cJSON_Delete(f);
	return rc;
}

/*
 * The move t on case c whose services (sv, n) were just read: checks, the
 * service and case statuses, the event and the feed row.  sv is updated.
 */
static int transition_on(struct hub *h, const struct hub_transition *t, const struct hub_case *c,
			 struct hub_case_service *sv, size_t n, struct mo_err *err)
{
	size_t idx = (size_t)-1;
	int to = proto_status_parse(t->to), cur, now, *st = NULL;
	struct hub_event ev;
	int rc;

	if (to == PROTO_ST_INVALID)
		return mo_err_set(err, MO_EINVAL, "bad_value", "'%s' is not a status",
				  t->to ? t->to : "");
	if (t->service) {
		for (size_t i = 0; i < n; i++)
			if (strcmp(sv[i].code, t->service) == 0)
				idx = i;
		if (idx == (size_t)-1)
			return mo_err_set(err, MO_ENOTFOUND, "not_found", "case %s has no service '%s'",
					  c->number, t->service);
		cur = sv[idx].status;
	} else {
		cur = proto_status_parse(c->status);
	}
	if (t->from && proto_status_parse(t->from) != cur)
		return mo_err_set(err, MO_ECONFLICT, "illegal_transition", "%s %s is %s, not %s",
				  t->service ? "service" : "case", t->service ? t->service : c->number,
				  proto_status_name(cur), t->from);
	if (!proto_transition_allowed(cur, to, t->actor))
		return mo_err_set(err, MO_ECONFLICT, "illegal_transition",
				  "%s cannot move from %s to %s",
				  t->actor == PROTO_ACTOR_STAFF ? "staff"
				  : t->actor == PROTO_ACTOR_HUB ? "the hub"
								: "a device",
				  proto_status_name(cur), t->to);
	if ((st = malloc((n ? n : 1) * sizeof(*st))) == NULL)
		return oom(err);
	/* one service, or every service where the case's status is (one statement) */
	rc = t->service ? hub_store_case_service_set(h->store, c->id, sv[idx].code, to, err)
			: hub_store_case_services_move(h->store, c->id, cur, to, err);
	if (rc != MO_OK)
		goto done;
	for (size_t i = 0; i < n; i++) {
		if (t->service ? i == idx : sv[i].status == cur)
			sv[i].status = to;
		st[i] = sv[i].status;
	}
	now = proto_status_of_case(st, n);
	/* a receipt is when the case needs a reviewer: the queue's order */
	if ((rc = hub_store_case_set_status(h->store, c->id, proto_status_name(now),
					    to == PROTO_ST_RECEIVED, err)) != MO_OK)
		goto done;
	ev = (struct hub_event){.case_id = c->id,
				.kind = "transition",
				.from = proto_status_name(cur),
				.to = t->to,
				.service = t->service,
				.reason = t->reason,
				.actor = t->actor_name ? t->actor_name : "hub",
				.hlc = t->hlc};
	if ((rc = hub_store_event_add(h->store, &ev, err)) != MO_OK)
		goto done;
	/* the citizen's status message, in this same transaction (messages.h) */
	rc = t->phone ? hub_messages_on_move_known(h->store, c, c->status, proto_status_name(now),
						   t->phone, err)
		      : hub_messages_on_move(h->store, c, c->status, proto_status_name(now), err);
	if (rc != MO_OK)
		goto done;
	rc = feed_transition(h, c, t, cur, err);
done:
	free(st);
	return rc;
}

int hub_case_transition(struct hub *h, const struct hub_transition *t, struct mo_err *err)
{
	struct hub_case c;
	struct hub_case_service *sv = NULL;
	size_t n = 0;
	int rc;

	if (proto_status_parse(t->to) == PROTO_ST_INVALID)
		return mo_err_set(err, MO_EINVAL, "bad_value", "'%s' is not a status",
				  t->to ? t->to : "");
	if ((rc = hub_store_case_get(h->store, t->case_id, false, &c, NULL, err)) != MO_OK)
		return rc;
	if ((rc = hub_store_case_services(h->store, c.id, &sv, &n, err)) != MO_OK)
		return rc;
	rc = transition_on(h, t, &c, sv, n, err);
	free(sv);
	return rc;
}

int hub_case_receive(struct hub *h, const char *case_id, const char *origin,
		     struct proto_clock *clock, struct mo_err *err)
{
	return receive_steps(h, case_id, origin, clock, NULL, err);
}

/* known: what the batch wrote last (the first step needs no read), or NULL */
static int receive_steps(struct hub *h, const char *case_id, const char *origin,
			 struct proto_clock *clock, struct hub_receive *known, struct mo_err *err)
{
	for (int step = 0; step < RECEIVE_MAX_STEPS; step++) {
		struct hub_case c;
		struct hub_case_service *sv = NULL;
		struct hub_transition t = {.case_id = case_id,
					   .from = "submitted",
					   .to = "received",
					   .actor = PROTO_ACTOR_HUB,
					   .actor_name = "hub",
					   .origin = origin};
		char service[HUB_CODE_MAX] = "";
		size_t n = 0;
		int rc;

		if (step == 0 && known) {
			c = known->c;
			sv = known->sv; /* moved here: freed below */
			n = known->n;
			known->sv = NULL;
			t.phone = known->phone;
		} else if ((rc = hub_store_case_get(h->store, case_id, false, &c, NULL, err)) !=
				   MO_OK ||
			   (rc = hub_store_case_services(h->store, case_id, &sv, &n, err)) != MO_OK) {
			return rc;
		}
		/* the whole case when it is submitted, else one submitted service
		 * of a case whose status shows another (needs_info ranks first) */
		if (strcmp(c.status, "submitted") != 0) {
			for (size_t i = 0; i < n && !service[0]; i++)
				if (sv[i].status == PROTO_ST_SUBMITTED)
					mo_strlcpy(service, sv[i].code, sizeof(service));
			if (!service[0]) {
				free(sv);
				return MO_OK;
			}
		}
		t.service = service[0] ? service : NULL;
		t.hlc = proto_hlc_now(clock, mo_now_ms());
		rc = transition_on(h, &t, &c, sv, n, err);
		free(sv);
		/* a whole-case move took every submitted service: nothing is left */
		if (rc != MO_OK || t.service == NULL)
			return rc;
	}
	return MO_OK;
}

/* ---- per entity ---- */

static bool any_submitted(const struct hub_case_service *sv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sv[i].status == PROTO_ST_SUBMITTED)
			return true;
	return false;
}

/*
 * The services of a case after an upsert of `services`: codes already held
 * keep their status (status moves only by transition); a new code starts as
 * draft or submitted.  *out malloc'd.
 */
static int services_from(const cJSON *arr, const struct hub_case_service *old, size_t nold,
			 struct hub_case_service **out, size_t *n, const char **bad)
{
	int cnt = cJSON_GetArraySize(arr), k = 0;
	struct hub_case_service *v;
	const cJSON *it;

	*out = NULL;
	*n = 0;
	*bad = NULL;
	if (cnt <= 0 || (v = calloc((size_t)cnt, sizeof(*v))) == NULL)
		return cnt <= 0 ? MO_EINVAL : MO_ENOMEM;
	cJSON_ArrayForEach(it, arr)
	{
		const char *code = proto_json_str(it, "code");
		int st = proto_status_parse(proto_json_str(it, "status"));
		bool held = false;

		if (code == NULL || st == PROTO_ST_INVALID) {
			*bad = "a service needs a code and a status";
			free(v);
			return MO_EINVAL;
		}
		for (int j = 0; j < k; j++)
			if (strcmp(v[j].code, code) == 0) {
				*bad = "a service is listed twice";
				free(v);
				return MO_EINVAL;
			}
		mo_strlcpy(v[k].code, code, sizeof(v[k].code));
		for (size_t j = 0; j < nold; j++)
			if (strcmp(old[j].code, code) == 0) {
				v[k].status = old[j].status;
				held = true;
			}
		if (!held) {
			if (st != PROTO_ST_DRAFT && st != PROTO_ST_SUBMITTED) {
				*bad = "a new service starts as draft or submitted";
				free(v);
				return MO_EINVAL;
			}
			v[k].status = st;
		}
		k++;
	}
	*out = v;
	*n = (size_t)k;
	return MO_OK;
}

/*
 * A new case's number: the sending device's code, '-', and not taken
 * (numbers are unique at the hub; the UNIQUE index of 004 backs this).
 * *bad gets the reason to quarantine it with (in why).
 */
static int number_check(struct hub_apply *a, const struct proto_change *c, char why[160],
			const char **bad, struct mo_err *err)
{
	const char *number = proto_json_str(c->fields, "number");
	size_t cl = strlen(a->dev->code);
	struct hub_case other;
	int rc;

	*bad = NULL;
	if (strncmp(number, a->dev->code, cl) != 0 || number[cl] != '-') {
		snprintf(why, 160, "a new case's number must start with '%s-'",
			 a->dev->code);
		*bad = why;
		return MO_OK;
	}
	rc = hub_store_case_get(a->hub->store, number, true, &other, NULL, err);
	if (rc == MO_ENOTFOUND) {
		mo_err_clear(err);
		return MO_OK;
	}
	if (rc != MO_OK)
		return rc;
	/* by_number looks up ids too: a number equal to another case's id */
	snprintf(why, 160, "case number %s is already in use", number);
	*bad = why;
	return MO_OK;
}

/* a trip the case names must be of the sender's unit (when the hub knows it) */
static int trip_check(struct hub_apply *a, const struct proto_change *c, const char **bad,
		      struct mo_err *err)
{
	const char *trip = proto_json_str(c->fields, "trip");
	char unit[HUB_CODE_MAX];
	int rc;

	*bad = NULL;
	if (trip == NULL)
		return MO_OK;
	rc = hub_store_trip_get(a->hub->store, trip, unit, NULL, err);
	if (rc == MO_ENOTFOUND) {
		mo_err_clear(err);
		return MO_OK; /* not synced yet: nothing to take */
	}
	if (rc != MO_OK)
		return rc;
	if (strcmp(unit, a->dev->unit) != 0)
		*bad = "the trip belongs to another unit";
	return MO_OK;
}

/* `device` of a case is the sender's code at creation, and never changes */
static int own_device(struct hub_apply *a, struct proto_change *c, bool fresh, struct mo_err *err)
{
	cJSON_DeleteItemFromObjectCaseSensitive(c->fields, "device");
	if (fresh && !cJSON_AddStringToObject(c->fields, "device", a->dev->code))
		return oom(err);
	return MO_OK;
}

static int case_upsert(struct hub_apply *a, struct proto_change *c, struct mo_err *err)
{
	struct hub *h = a->hub;
	struct hub_case hc;
	struct mo_buf doc = MO_BUF_INIT(DOC_MAX);
	struct hub_case_service *old = NULL, *sv = NULL;
	size_t nold = 0, nsv = 0;
	cJSON *docj = NULL, *won = NULL, *before = NULL;
	const cJSON *docv, *wonv; /* the document and what won: the fields of a new case */
	const cJSON *services = cJSON_GetObjectItemCaseSensitive(c->fields, "services");
	const char *unit = proto_json_str(c->fields, "unit"), *bad = NULL;
	char *text = NULL, why[160];
	struct hub_receive *r;
	bool exists;
	int rc, *st = NULL;

	rc = hub_store_case_get(h->store, c->id, false, &hc, &doc, err);
	if (rc != MO_OK && rc != MO_ENOTFOUND)
		goto done;
	exists = rc == MO_OK;
	mo_err_clear(err);
	if (exists) {
		const char *number = proto_json_str(c->fields, "number");

		/* never another unit's number or code in a laptop's refusal */
		if (strcmp(hc.unit, a->dev->unit) != 0) {
			rc = quarantine(a, c, "forbidden", "case %s belongs to another unit", c->id);
			goto done;
		}
		if (unit && strcmp(unit, hc.unit) != 0) {
			rc = quarantine(a, c, "forbidden", "a case cannot move to another unit");
			goto done;
		}
		if (cJSON_HasObjectItem(c->fields, "number") &&
		    (number == NULL || strcmp(number, hc.number) != 0)) {
			rc = quarantine(a, c, "bad_value", "a case's number never changes (%s)",
					hc.number);
			goto done;
		}
		if ((rc = hub_store_case_services(h->store, hc.id, &old, &nold, err)) != MO_OK)
			goto done;
		docj = cJSON_ParseWithLength((const char *)doc.data, doc.len);
	} else {
		const char *miss = !unit				  ? "unit"
				   : !proto_json_str(c->fields, "number") ? "number"
				   : !cJSON_IsArray(services)		  ? "services"
									  : NULL;

		if (miss) {
			rc = quarantine(a, c, "missing_field", "a new case needs '%s'", miss);
			goto done;
		}
		if (strcmp(unit, a->dev->unit) != 0) {
			rc = quarantine(a, c, "forbidden",
					"case of unit %s sent by a device of unit %s", unit,
					a->dev->unit);
			goto done;
		}
		if ((rc = number_check(a, c, why, &bad, err)) != MO_OK)
			goto done;
		if (bad) {
			rc = quarantine(a, c, "bad_value", "%s", bad);
			goto done;
		}
		memset(&hc, 0, sizeof(hc));
		mo_strlcpy(hc.id, c->id, sizeof(hc.id));
		mo_strlcpy(hc.unit, unit, sizeof(hc.unit));
		docj = cJSON_CreateObject();
	}
	if (docj == NULL || (won = cJSON_CreateObject()) == NULL) {
		rc = oom(err);
		goto done;
	}
	if ((rc = trip_check(a, c, &bad, err)) != MO_OK)
		goto done;
	if (bad) {
		rc = quarantine(a, c, "forbidden", "%s", bad);
		goto done;
	}
	{
		/* the home-visit request it was recorded from is the unit's (visits.h) */
		const char *vcode = NULL;

		if ((rc = hub_visit_case_check(h, proto_json_str(c->fields, "visit"), hc.unit,
					       &vcode, &bad, err)) != MO_OK)
			goto done;
		if (bad) {
			rc = quarantine(a, c, vcode, "%s", bad);
			goto done;
		}
	}
	/* the hub, not the laptop, says which device made the case */
	if ((rc = own_device(a, c, !exists, err)) != MO_OK)
		goto done;
	/* validate services before any register moves */
	if (services && services_from(services, old, nold, &sv, &nsv, &bad) != MO_OK) {
		rc = bad ? quarantine(a, c, "bad_value", "%s", bad) : oom(err);
		goto done;
	}
	/* what the fields held before, for the history of edits (existing cases only) */
	if (exists && (before = cJSON_Duplicate(docj, true)) == NULL) {
		rc = oom(err);
		goto done;
	}
	{
		struct merge m = {h, "case", hc.id, a->dev->id, c->hlc, !exists, NULL, false};

		/* a new case is its fields (all win); an existing one merges them */
		rc = exists ? merge_fields(&m, c->fields, docj, won, err)
			    : stamp_fresh(&m, c->fields, err);
		if (rc != MO_OK) {
			if (err && strcmp(err->code, "bad_value") == 0) {
				mo_err_clear(err);
				rc = quarantine(a, c, "bad_value", "field path too long");
			}
			goto done;
		}
	}
	docv = exists ? docj : c->fields;
	wonv = exists ? won : c->fields;
	if (cJSON_GetArraySize(wonv) == 0) {
		rc = MO_OK; /* every field already held a newer value */
		goto done;
	}
	bool services_won = cJSON_HasObjectItem(wonv, "services");

	if (!services_won) {
		free(sv);
		sv = old;
		nsv = nold;
		old = NULL;
	}
	if ((st = malloc((nsv ? nsv : 1) * sizeof(*st))) == NULL) {
		rc = oom(err);
		goto done;
	}
	for (size_t i = 0; i < nsv; i++)
		st[i] = sv[i].status;
	mo_strlcpy(hc.status, proto_status_name(proto_status_of_case(st, nsv)), sizeof(hc.status));
	mo_strlcpy(hc.number, proto_json_str(docv, "number") ? proto_json_str(docv, "number") : "",
		   sizeof(hc.number));
	if ((text = print(docv)) == NULL) {
		rc = oom(err);
		goto done;
	}
	if ((rc = hub_store_case_put(h->store, &hc, a->dev->code, text, err)) != MO_OK)
		goto done;
	/* after the case row: case_services refers to it */
	if (services_won &&
	    (rc = hub_store_case_services_put(h->store, hc.id, sv, nsv, err)) != MO_OK)
		goto done;
	if (exists) {
		free(text);
		text = NULL;
	}
	if (!exists) {
		struct hub_event ev = {.case_id = hc.id,
				       .kind = "created",
				       .to = hc.status,
				       .actor = a->dev->code,
				       .hlc = c->hlc};

		if ((rc = hub_store_event_add(h->store, &ev, err)) != MO_OK)
			goto done;
	} else if ((rc = record_edits(h, hc.id, a->dev, c->fields, c->hlc, before, won, err)) !=
		   MO_OK) {
		goto done;
	}
	/* the status check stays on the hub (proto/lookup.h): the unit's other
	 * laptops never need it, and each copy is one more place to read it */
	if (cJSON_HasObjectItem(wonv, "status_check")) {
		cJSON *fv = cJSON_Duplicate(wonv, true);

		cJSON_DeleteItemFromObjectCaseSensitive(fv, "status_check");
		free(text);
		if ((text = fv ? print(fv) : NULL) == NULL) {
			cJSON_Delete(fv);
			rc = oom(err);
			goto done;
		}
		cJSON_Delete(fv);
	}
	/* the feed carries what won: for a new case, the document just printed */
	if (text == NULL && (text = print(wonv)) == NULL) {
		rc = oom(err);
		goto done;
	}
	if ((rc = hub_store_feed_add(h->store, hc.unit, a->dev->id, "case", hc.id, "upsert", c->hlc,
				     text, err)) != MO_OK)
		goto done;
	a->applied++;
	if (any_submitted(sv, nsv))
		rc = defer_receive(a, &hc, &sv, nsv, docv, err);
	else if ((r = deferred(a, hc.id)) != NULL)
		r->known = false; /* nothing left submitted: the step finds that itself */
done:
	free(st);
	free(text);
	free(sv);
	free(old);
	cJSON_Delete(docj);
	cJSON_Delete(before);
	cJSON_Delete(won);
	mo_buf_release(&doc);
	return rc;
}

static int trip_upsert(struct hub_apply *a, struct proto_change *c, struct mo_err *err)
{
	struct hub *h = a->hub;
	struct mo_buf doc = MO_BUF_INIT(DOC_MAX);
	char unit[HUB_CODE_MAX];
	const char *newunit = proto_json_str(c->fields, "unit");
	cJSON *docj = NULL, *won = NULL;
	char *text = NULL;
	bool fresh = false;
	int rc;

	rc = hub_store_trip_get(h->store, c->id, unit, &doc, err);
	if (rc == MO_OK) {
		if (strcmp(unit, a->dev->unit) != 0 || (newunit && strcmp(newunit, unit) != 0)) {
			rc = quarantine(a, c, "forbidden", "trip %s belongs to another unit", c->id);
			goto done;
		}
		docj = cJSON_ParseWithLength((const char *)doc.data, doc.len);
	} else if (rc == MO_ENOTFOUND) {
		if (newunit == NULL) {
			rc = quarantine(a, c, "missing_field", "a new trip needs 'unit'");
			goto done;
		}
		if (strcmp(newunit, a->dev->unit) != 0) {
			rc = quarantine(a, c, "forbidden",
					"trip of unit %s sent by a device of unit %s", newunit,
					a->dev->unit);
			goto done;
		}
		mo_strlcpy(unit, newunit, sizeof(unit));
		docj = cJSON_CreateObject();
		fresh = true;
	} else {
		goto done;
	}
	if (docj == NULL || (won = cJSON_CreateObject()) == NULL) {
		rc = oom(err);
		goto done;
	}
	{
		struct merge m = {h, "trip", c->id, a->dev->id, c->hlc, fresh, NULL, false};

		if ((rc = merge_fields(&m, c->fields, docj, won, err)) != MO_OK)
			goto done;
	}
	if (cJSON_GetArraySize(won) == 0)
		goto done;
	if ((text = print(docj)) == NULL) {
		rc = oom(err);
		goto done;
	}
	if ((rc = hub_store_trip_put(h->store, c->id, unit, a->dev->code, text, err)) != MO_OK)
		goto done;
	free(text);
	if ((text = print(won)) == NULL) {
		rc = oom(err);
		goto done;
	}
	rc = hub_store_feed_add(h->store, unit, a->dev->id, "trip", c->id, "upsert", c->hlc, text,
				err);
	if (rc == MO_OK)
		a->applied++;
done:
	free(text);
	cJSON_Delete(docj);
	cJSON_Delete(won);
	mo_buf_release(&doc);
	return rc;
}

static int case_change_transition(struct hub_apply *a, struct proto_change *c, struct mo_err *err)
{
	struct hub_case hc;
	struct hub_transition t;
	struct hub_receive *r;
	int rc;

	rc = hub_store_case_get(a->hub->store, c->id, false, &hc, NULL, err);
	if (rc == MO_ENOTFOUND) {
		mo_err_clear(err);
		return quarantine(a, c, "not_found", "no case %s on the hub", c->id);
	}
	if (rc != MO_OK)
		return rc;
	if (strcmp(hc.unit, a->dev->unit) != 0)
		return quarantine(a, c, "forbidden", "case %s belongs to another unit", c->id);
	t = (struct hub_transition){.case_id = hc.id,
				    .from = proto_json_str(c->fields, "from"),
				    .to = proto_json_str(c->fields, "to"),
				    .service = proto_json_str(c->fields, "service"),
				    .reason = proto_json_str(c->fields, "reason"),
				    .actor = PROTO_ACTOR_AGENT,
				    .actor_name = a->dev->code,
				    .origin = a->dev->id,
				    .hlc = c->hlc};
	if (t.from == NULL || t.to == NULL)
		return quarantine(a, c, "missing_field", "a transition needs 'from' and 'to'");
	rc = hub_case_transition(a->hub, &t, err);
	if (rc != MO_OK && err && err->code[0] &&
	    (strcmp(err->code, "illegal_transition") == 0 || strcmp(err->code, "not_found") == 0 ||
	     strcmp(err->code, "bad_value") == 0)) {
		char code[MO_ERR_CODE_MAX], msg[MO_ERR_MSG_MAX];

		mo_strlcpy(code, err->code, sizeof(code));
		mo_strlcpy(msg, err->msg, sizeof(msg));
		mo_err_clear(err);
		return quarantine(a, c, code, "%s", msg);
	}
	if (rc != MO_OK)
		return rc;
	a->applied++;
	/* what an earlier upsert of the batch left is not the case any more */
	if ((r = deferred(a, hc.id)) != NULL)
		r->known = false;
	else if (strcmp(t.to, "submitted") == 0)
		rc = defer_unknown(a, &hc, err);
	return rc;
}

static int append_change(struct hub_apply *a, struct proto_change *c, struct mo_err *err)
{
	struct hub_case hc;
	const char *case_id = proto_json_str(c->fields, "case");
	const char *author = proto_json_str(c->fields, "author");
	char *text = NULL, actor[256];
	int rc;

	if (case_id == NULL)
		return quarantine(a, c, "missing_field", "an %s needs 'case'", c->entity);
	rc = hub_store_case_get(a->hub->store, case_id, false, &hc, NULL, err);
	if (rc == MO_ENOTFOUND) {
		mo_err_clear(err);
		return quarantine(a, c, "not_found", "no case %s on the hub", case_id);
	}
	if (rc != MO_OK)
		return rc;
	if (strcmp(hc.unit, a->dev->unit) != 0)
		return quarantine(a, c, "forbidden", "case %s belongs to another unit", case_id);
	if (strcmp(c->entity, "attachment") == 0) {
		const char *sha = proto_json_str(c->fields, "sha256");
		struct hub_blob_state bs;

		if (sha == NULL)
			return quarantine(a, c, "missing_field", "an attachment needs 'sha256'");
		if ((rc = hub_store_blob_state(a->hub->store, sha, a->dev->unit, NULL, &bs, err)) !=
		    MO_OK)
			return rc;
		if (!bs.unit_has)
			return bs.anyone_has
				   ? quarantine(a, c, "forbidden",
						"document %s was not uploaded from this unit", sha)
				   : quarantine(a, c, "not_found",
						"document %s was not uploaded to the hub", sha);
		if ((rc = hub_store_blob_reference(a->hub->store, sha, a->dev->unit, err)) != MO_OK)
			return rc;
	}
	/* a laptop speaks as its device and operator, never as a name it
	 * picks: "KR-T01A · <operator>" cannot pass for a staff login */
	if (snprintf(actor, sizeof(actor), "%s \u00b7 %s", a->dev->code,
		     author && *author ? author
		     : a->dev->operator_name[0] ? a->dev->operator_name
						: "?") >= (int)sizeof(actor))
		actor[sizeof(actor) - 1] = '\0';
	if (strcmp(c->entity, "comment") == 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(c->fields, "author");
		if (!cJSON_AddStringToObject(c->fields, "author", actor))
			return oom(err);
	}
	if ((text = print(c->fields)) == NULL)
		return oom(err);
	rc = hub_store_append_add(a->hub->store, c->id, c->entity, hc.id, a->dev->id, c->hlc, text,
				  err);
	if (rc == MO_EEXISTS) {
		rc = MO_OK; /* inserted once by id: a second copy changes nothing */
		goto done;
	}
	if (rc != MO_OK)
		goto done;
	{
		struct hub_event ev = {.case_id = hc.id,
				       .kind = c->entity,
				       .reason = strcmp(c->entity, "comment") == 0
						     ? proto_json_str(c->fields, "text")
						     : proto_json_str(c->fields, "name"),
				       .actor = actor,
				       .hlc = c->hlc};

		if ((rc = hub_store_event_add(a->hub->store, &ev, err)) != MO_OK)
			goto done;
	}
	rc = hub_store_feed_add(a->hub->store, hc.unit, a->dev->id, c->entity, c->id, "append",
				c->hlc, text, err);
	if (rc == MO_OK)
		a->applied++;
done:
	free(text);
	return rc;
}

/* a laptop's move of a visit's state (visits.h); refusals are quarantined */
static int visit_change_transition(struct hub_apply *a, struct proto_change *c,
				   struct mo_err *err)
{
	int rc = hub_visit_transition(a->hub, a->dev, c, &a->clock, err);

	if (rc != MO_OK && err && err->code[0] &&
	    (strcmp(err->code, "illegal_transition") == 0 || strcmp(err->code, "not_found") == 0 ||
	     strcmp(err->code, "forbidden") == 0 || strcmp(err->code, "missing_field") == 0)) {
		char code[MO_ERR_CODE_MAX], msg[MO_ERR_MSG_MAX];

		mo_strlcpy(code, err->code, sizeof(code));
		mo_strlcpy(msg, err->msg, sizeof(msg));
		mo_err_clear(err);
		return quarantine(a, c, code, "%s", msg);
	}
	if (rc == MO_OK)
		a->applied++;
	return rc;
}

static int visit_from_device(struct hub_apply *a, struct proto_change *c, struct mo_err *err)
{
	(void)err;
	return quarantine(a, c, "forbidden", "visits are requested on the hub only");
}

/* a fee paid on the laptop (payments.c); refusals are quarantined here */
static int payment_append(struct hub_apply *a, struct proto_change *c, struct mo_err *err)
{
	bool applied = false;
	int rc = hub_payment_apply(a->hub, a->dev, c, &applied, err);

	if (rc == MO_EINVAL && err && err->code[0]) {
		char code[MO_ERR_CODE_MAX], msg[MO_ERR_MSG_MAX];

		mo_strlcpy(code, err->code, sizeof(code));
		mo_strlcpy(msg, err->msg, sizeof(msg));
		mo_err_clear(err);
		return quarantine(a, c, code, "%s", msg);
	}
	if (rc == MO_OK && applied)
		a->applied++;
	return rc;
}

static int catalogue_from_device(struct hub_apply *a, struct proto_change *c, struct mo_err *err)
{
	(void)err;
	return quarantine(a, c, "forbidden", "the catalogue is changed on the hub only");
}

/*
 * What a laptop may send, one row per entity and op (the shapes are
 * proto's vocabulary, already checked): a new entity is one row here.  An
 * entity listed with op NULL answers every op with `refuse`.
 */
struct apply_row {
	const char *entity;
	const char *op; /* NULL: every op */
	int (*apply)(struct hub_apply *, struct proto_change *, struct mo_err *);
};

static const struct apply_row apply_rows[] = {
    {"service", NULL, catalogue_from_device},
    {"case", "upsert", case_upsert},
    {"case", "transition", case_change_transition},
    {"trip", "upsert", trip_upsert},
    {"comment", "append", append_change},
    {"attachment", "append", append_change},
    {"rating", "append", append_change},
    {"visit", "transition", visit_change_transition},
    {"visit", "upsert", visit_from_device},
    {"payment", "append", payment_append},
};

int hub_apply_change(struct hub_apply *a, struct proto_change *c, struct mo_err *err)
{
	bool known = false;

	if (c->qcode)
		return quarantine(a, c, c->qcode, "%s", c->qmsg);
	if (c->fields == NULL || !cJSON_IsObject(c->fields))
		return quarantine(a, c, "missing_field", "a change needs 'fields'");
	/* a change stamped far in the future would win every merge forever */
	if (proto_hlc_receive(&a->clock, c->hlc, a->now_ms, PROTO_HLC_MAX_AHEAD_MS, NULL) != MO_OK)
		return quarantine(a, c, "bad_value",
				  "hlc is more than 24 h ahead of the hub clock");
	for (size_t i = 0; i < sizeof(apply_rows) / sizeof(apply_rows[0]); i++) {
		const struct apply_row *r = &apply_rows[i];

		if (strcmp(c->entity, r->entity) != 0)
			continue;
		known = true;
		if (r->op == NULL || strcmp(c->op, r->op) == 0)
			return r->apply(a, c, err);
	}
	if (known)
		return quarantine(a, c, "unknown_op", "%s does not take %s from a laptop", c->entity,
				  c->op);
	return quarantine(a, c, "unknown_entity", "unknown entity '%s'", c->entity);
}
