/*
 * sync.c — POST /v1/sync: verify, then apply exactly once, then answer
 * (DESIGN.md §4 "Exchange").
 *
 * The checks run in the order of the contract and stop at the first
 * failure: framing and caps → header → device known → signature → device
 * active → hub → hlc → seq/prev → inflate → sha256/raw → parse.  Nothing
 * but the header is looked at before the signature is verified.  The
 * seq/prev check is made once before the (costly) inflate, outside the
 * store lock, and again inside the batch transaction, so two copies of one
 * batch racing each other still apply once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "compress.h"
#include "envelope.h"
#include "hub.h"
#include "json.h"

#define FEED_MAX_CHANGES 2000
#define FEED_MAX_BYTES (1u << 20)
#define ANSWER_MAX (PROTO_ENVELOPE_MAX)

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- the answer ---- */

struct feed_acc {
	struct hub *h;
	struct proto_change *v;
	size_t n, cap;
	size_t bytes;
	bool more;
	long long skipped; /* the last feed row skipped as damaged, 0: none */
};

static int feed_take(void *arg, const struct hub_feed_row *r)
{
	struct feed_acc *acc = arg;
	struct proto_change *c;

	if (acc->n >= FEED_MAX_CHANGES ||
	    (acc->n > 0 && acc->bytes + r->fields_len > FEED_MAX_BYTES)) {
		acc->more = true;
		return 1; /* stop: the rest waits for the next round trip */
	}
	if (acc->n == acc->cap) {
		size_t ncap = acc->cap ? acc->cap * 2 : 16;
		struct proto_change *p = realloc(acc->v, ncap * sizeof(*p));

		if (p == NULL)
			return MO_ENOMEM;
		acc->v = p;
		acc->cap = ncap;
	}
	c = &acc->v[acc->n];
	memset(c, 0, sizeof(*c));
	c->n = r->seq;
	mo_strlcpy(c->entity, r->entity, sizeof(c->entity));
	mo_strlcpy(c->id, r->entity_id, sizeof(c->id));
	mo_strlcpy(c->op, r->op, sizeof(c->op));
	c->hlc = r->hlc;
	if ((c->fields = cJSON_ParseWithLength(r->fields, r->fields_len)) == NULL) {
		/* a damaged row must never block its unit's answers: skip it (the
		 * cursor passes it), tell the operator (log, metrics) */
		fprintf(stderr, "mo-hub: feed row %lld (%s %s) cannot be parsed; skipped\n", r->seq,
			r->entity, r->entity_id);
		if (acc->h)
			hub_metrics_rejected(&acc->h->metrics, "feed_row_damaged");
		acc->skipped = r->seq;
		return MO_OK;
	}
	acc->n++;
	acc->bytes += r->fields_len + 128;
	return MO_OK;
}

static void feed_acc_release(struct feed_acc *acc)
{
	for (size_t i = 0; i < acc->n; i++)
		cJSON_Delete(acc->v[i].fields);
	free(acc->v);
}

/*
 * The kind-2 answer: ack, the quarantined list, and the feed after the
 * request's cursor for the device's unit.  answer_read runs inside the
 * caller's transaction (the feed and its end are read in one snapshot, so
 * the cursor never passes a row it did not send); answer_seal signs it.
 */
struct reply {
	struct feed_acc acc;
	long long cursor;
	struct proto_header hdr;
	uint64_t now;
};

static int answer_read(struct hub *h, const struct hub_device *dev, const struct proto_header *req,
		       struct proto_clock *clk, struct reply *r, struct mo_err *err)
{
	long long max_seq = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	r->acc.h = h;
	r->cursor = req->cursor;
	r->now = mo_now_ms();
	/* the skew was checked before; this only merges */
	if ((rc = proto_hlc_receive(clk, req->hlc, r->now, PROTO_HLC_MAX_AHEAD_MS, err)) != MO_OK)
		return rc;
	r->hdr.hlc = proto_hlc_now(clk, r->now);
	rc = hub_store_feed_read(h->store, dev->unit, dev->id, req->cursor, FEED_MAX_CHANGES + 1,
				 feed_take, &r->acc, err);
	if (rc == 1) {
		rc = MO_OK;
	} else if (rc != MO_OK) {
		if (err && err->rc == MO_OK)
			mo_err_set(err, rc, NULL, "cannot read the feed");
		return rc;
	}
	if ((rc = hub_store_feed_max(h->store, &max_seq, err)) != MO_OK)
		return rc;
	/* past entries of other units too, unless the answer was capped */
	if (r->acc.more)
		r->cursor = r->acc.n > 0 && r->acc.v[r->acc.n - 1].n > r->acc.skipped
				? r->acc.v[r->acc.n - 1].n
				: r->acc.skipped;
	else if (max_seq > r->cursor)
		r->cursor = max_seq;
	return MO_OK;
}

static int answer_seal(struct hub *h, const struct hub_device *dev, struct reply *r, long long ack,
		       const struct proto_quarantine *q, size_t nq, struct mo_buf *out,
		       struct mo_err *err)
{
	struct proto_seal_opts so = PROTO_SEAL_OPTS_INIT;
	struct mo_buf payload = MO_BUF_INIT(PROTO_INFLATED_MAX);
	int rc;

	if ((rc = proto_response_encode(&payload, q, nq, r->acc.v, r->acc.n, err)) != MO_OK)
		goto done;
	mo_strlcpy(r->hdr.hub, h->id, sizeof(r->hdr.hub));
	mo_strlcpy(r->hdr.device, dev->id, sizeof(r->hdr.device));
	r->hdr.ack = ack;
	r->hdr.cursor = r->cursor;
	r->hdr.count = (long long)r->acc.n;
	r->hdr.more = r->acc.more;
	mo_iso8601(r->hdr.time, sizeof(r->hdr.time), r->now, true);
	so.kind = PROTO_KIND_RESPONSE;
	so.hdr = &r->hdr;
	so.payload = payload.data;
	so.payload_len = payload.len;
	so.dict_id = proto_dict_default();
	so.key = h->key;
	rc = proto_envelope_seal(out, &so, err);
done:
	mo_buf_release(&payload);
	return rc;
}

/* a visit is worth a write when the device's cursor moved or it was last seen long ago */
#define SEEN_EVERY_MS (60 * 1000)

static bool visit_changes(const struct hub_device *dev, const struct proto_header *req)
{
	return req->cursor > dev->cursor || dev->seen_age_ms < 0 || dev->seen_age_ms > SEEN_EVERY_MS;
}

/*
 * The answer to a pull or a replayed batch, alone.  A visit that changes
 * nothing writes nothing (a read transaction, no fsync); else its own short
 * write transaction records the visit and the hub clock.
 */
static int answer(struct hub *h, const struct hub_device *dev, const struct proto_header *req,
		  long long ack, const struct proto_quarantine *q, size_t nq, struct mo_buf *out,
		  struct mo_err *err)
{
	struct proto_clock clk;
	struct reply r;
	bool write = visit_changes(dev, req), in_tx = false;
	int rc;

	memset(&r, 0, sizeof(r));
	if ((rc = write ? hub_store_begin(h->store, err) : hub_store_begin_read(h->store, err)) !=
	    MO_OK)
		goto done;
	in_tx = true;
	if ((rc = hub_clock_load(h, &clk, err)) != MO_OK ||
	    (rc = answer_read(h, dev, req, &clk, &r, err)) != MO_OK)
		goto done;
	if (write && ((rc = hub_store_device_seen(h->store, dev->id, req->cursor, err)) != MO_OK ||
		      (rc = hub_clock_save(h, &clk, err)) != MO_OK))
		goto done;
	in_tx = false;
	if ((rc = hub_store_commit(h->store, err)) != MO_OK)
		goto done;
	rc = answer_seal(h, dev, &r, ack, q, nq, out, err);
done:
	if (in_tx)
		hub_store_rollback(h->store);
	feed_acc_release(&r.acc);
	return rc;
}

/* ---- the checks ---- */

/* a forked chain is never merged: staff must look (device list, metrics) */
static void flag_fork(struct hub *h, const char *device)
{
	struct mo_err err = MO_ERR_INIT;

	/* the 409 the device gets matters more than the flag: log and go on */
	if (hub_store_device_flag(h->store, device, "seq_conflict", &err) != MO_OK)
		fprintf(stderr, "mo-hub: cannot flag device %s: %s\n", device, err.msg);
}

/*
 * seq/prev of an upload against the device's chain head.  MO_OK: the next
 * batch, apply it.  MO_EEXISTS: the very batch already applied (qjson gets
 * its quarantined list).  Else seq_conflict (device flagged), seq_gap
 * (err->expected), chain_broken.
 */
static int check_seq(struct hub *h, const struct hub_device *dev, const struct proto_header *hd,
		     const char *hash, struct mo_buf *qjson, struct mo_err *err)
{
	char stored[MO_SHA256_HEX];
	int rc;

	if (hd->seq < 1)
		return mo_err_set(err, MO_ECORRUPT, "bad_envelope", "seq must be 1 or more");
	if (hd->seq <= dev->last_seq) {
		rc = hub_store_batch_get(h->store, dev->id, hd->seq, stored, qjson, err);
		if (rc == MO_OK && strcmp(stored, hash) == 0)
			return MO_EEXISTS;
		if (rc != MO_OK && rc != MO_ENOTFOUND)
			return rc;
		/* a forked chain: never merged, staff must look */
		flag_fork(h, dev->id);
		return mo_err_set(err, MO_ECONFLICT, "seq_conflict",
				  "batch %lld was already applied with different content", hd->seq);
	}
	if (hd->seq > dev->last_seq + 1) {
		mo_err_set(err, MO_ECONFLICT, "seq_gap", "batch %lld arrived, expected %lld",
			   hd->seq, dev->last_seq + 1);
		if (err)
			err->expected = dev->last_seq + 1;
		return MO_ECONFLICT;
	}
	if (strcmp(hd->prev, dev->last_hash) != 0)
		return mo_err_set(err, MO_ECONFLICT, "chain_broken",
				  "prev of batch %lld does not name batch %lld", hd->seq,
				  dev->last_seq);
	return MO_OK;
}

/* the stored quarantined list of a batch, back into structs */
static int quarantined_parse(const struct mo_buf *qjson, struct proto_quarantine **out, size_t *n,
			     struct mo_err *err)
{
	cJSON *arr = cJSON_ParseWithLength((const char *)qjson->data, qjson->len);
	const cJSON *it;
	size_t k = 0;
	int cnt;

	*out = NULL;
	*n = 0;
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(arr);
		return mo_err_set(err, MO_ECORRUPT, NULL, "stored batch record is corrupt");
	}
	cnt = cJSON_GetArraySize(arr);
	if (cnt > 0 && (*out = calloc((size_t)cnt, sizeof(**out))) == NULL) {
		cJSON_Delete(arr);
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	}
	cJSON_ArrayForEach(it, arr)
	{
		long long nn = 0;

		proto_json_int(it, "n", &nn);
		(*out)[k].n = nn;
		mo_strlcpy((*out)[k].code,
			   proto_json_str(it, "code") ? proto_json_str(it, "code") : "",
			   sizeof((*out)[k].code));
		mo_strlcpy((*out)[k].message,
			   proto_json_str(it, "message") ? proto_json_str(it, "message") : "",
			   sizeof((*out)[k].message));
		k++;
	}
	*n = k;
	cJSON_Delete(arr);
	return MO_OK;
}

static int quarantined_json(struct mo_buf *out, const struct proto_quarantine *q, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	char *text;
	int rc;

	if (arr == NULL)
		return MO_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		if (o == NULL) {
			cJSON_Delete(arr);
			return MO_ENOMEM;
		}
		cJSON_AddNumberToObject(o, "n", (double)q[i].n);
		cJSON_AddStringToObject(o, "code", q[i].code);
		cJSON_AddStringToObject(o, "message", q[i].message);
		cJSON_AddItemToArray(arr, o);
	}
	text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	if (text == NULL)
		return MO_ENOMEM;
	rc = mo_buf_adds(out, text);
	free(text);
	return rc;
}

static int replay(struct hub *h, const struct hub_device *dev, const struct proto_header *hd,
		  const struct mo_buf *qjson, struct mo_buf *out, struct mo_err *err)
{
	struct proto_quarantine *q = NULL;
	size_t nq = 0;
	int rc;

	if ((rc = quarantined_parse(qjson, &q, &nq, err)) == MO_OK)
		rc = answer(h, dev, hd, hd->seq, q, nq, out, err);
	free(q);
	return rc;
}

/*
 * Group commit.  Batches of different laptops that arrive together are
 * applied by one writer in one transaction (one fsync), each inside its own
 * savepoint: a batch that fails is undone alone, the others commit.  Each
 * batch's answer is read right after its own changes, so it is what the
 * batch would have got applied alone, one after the other; it is sealed and
 * sent only after the commit.  The thread that finds no writer at work
 * becomes the writer for everything queued (GROUP_MAX at a time).
 */
#define GROUP_MAX 64

enum job_outcome { JOB_APPLIED, JOB_REPLAY, JOB_FORK, JOB_FAILED };

struct hub_job {
	const struct proto_envelope *env;
	const char *hash;
	struct proto_changes *ch;
	struct mo_buf *out;
	struct mo_err *err;
	int rc;
	bool done;
	struct hub_job *next;
	/* inside the group */
	enum job_outcome outcome;
	struct hub_device dev;
	struct hub_apply a;
	bool have_apply;
	struct reply r;
	struct mo_buf qjson;
	struct timespec t0;
	double apply_s;
};

/* one batch inside the group's transaction (the caller holds a savepoint) */
static int apply_in_group(struct hub *h, struct hub_job *j, struct mo_err *err)
{
	const struct proto_envelope *env = j->env;
	struct proto_clock clk;
	int rc;

	/* again under the lock: another copy of this batch may have won, or
	 * the device was revoked while this batch waited for the lock */
	if ((rc = hub_store_device_get(h->store, env->hdr.device, &j->dev, err)) != MO_OK)
		return rc;
	if (!j->dev.active)
		return mo_err_set(err, MO_EFORBIDDEN, "device_revoked", "device %s was revoked",
				  j->dev.code);
	rc = check_seq(h, &j->dev, &env->hdr, j->hash, &j->qjson, err);
	if (rc == MO_EEXISTS) {
		j->outcome = JOB_REPLAY;
		return rc;
	}
	if (rc != MO_OK) {
		/* the flag of a fork must outlive this rolled-back savepoint */
		if (err && strcmp(err->code, "seq_conflict") == 0)
			j->outcome = JOB_FORK;
		return rc;
	}
	if ((rc = proto_changes_range_check(env->hdr.first, env->hdr.last, env->hdr.count,
					    j->dev.last_n, err)) != MO_OK ||
	    (rc = hub_clock_load(h, &clk, err)) != MO_OK ||
	    (rc = proto_hlc_receive(&clk, env->hdr.hlc, mo_now_ms(), PROTO_HLC_MAX_AHEAD_MS,
				    err)) != MO_OK)
		return rc;
	hub_apply_init(&j->a, h, &j->dev, env->hdr.seq, &clk);
	j->have_apply = true;
	for (size_t i = 0; i < j->ch->n; i++)
		if ((rc = hub_apply_change(&j->a, &j->ch->v[i], err)) != MO_OK)
			return rc;
	if ((rc = hub_apply_finish(&j->a, err)) != MO_OK)
		return rc;
	if ((rc = quarantined_json(&j->qjson, j->a.q, j->a.nq)) != MO_OK)
		return mo_err_set(err, rc, NULL, "cannot record the batch");
	{
		struct hub_batch_rec b = {.device = j->dev.id,
					  .seq = env->hdr.seq,
					  .hash = j->hash,
					  .prev = env->hdr.prev,
					  .bytes = (long long)env->len,
					  .raw = env->hdr.raw,
					  .count = (long long)j->ch->n,
					  .hlc = env->hdr.hlc,
					  .apply_ms = (long long)(seconds_since(&j->t0) * 1000),
					  .quarantined = mo_buf_cstr(&j->qjson)};

		if ((rc = hub_store_batch_add(h->store, &b, err)) != MO_OK)
			return rc;
	}
	/* the answer is read in the same transaction: one commit, one fsync */
	if ((rc = hub_store_device_chain(h->store, j->dev.id, env->hdr.seq, j->hash, err)) !=
		MO_OK ||
	    (rc = hub_store_device_numbered(h->store, j->dev.id, env->hdr.last, err)) != MO_OK ||
	    (rc = answer_read(h, &j->dev, &env->hdr, &j->a.clock, &j->r, err)) != MO_OK ||
	    (rc = hub_store_device_seen(h->store, j->dev.id, env->hdr.cursor, err)) != MO_OK ||
	    (rc = hub_clock_save(h, &j->a.clock, err)) != MO_OK)
		return rc;
	j->outcome = JOB_APPLIED;
	j->apply_s = seconds_since(&j->t0); /* its own work, not the group's after it */
	return MO_OK;
}

static void run_group(struct hub *h, struct hub_job *jobs)
{
	struct mo_err txerr = MO_ERR_INIT;
	size_t n = 0;
	int rc;

	if ((rc = hub_store_begin(h->store, &txerr)) != MO_OK) {
		for (struct hub_job *j = jobs; j; j = j->next) {
			if (j->err)
				*j->err = txerr;
			j->rc = rc;
		}
		return;
	}
	for (struct hub_job *j = jobs; j; j = j->next) {
		j->outcome = JOB_FAILED;
		clock_gettime(CLOCK_MONOTONIC, &j->t0); /* the apply time, not the wait */
		if ((j->rc = hub_store_savepoint(h->store, j->err)) != MO_OK)
			continue;
		j->rc = apply_in_group(h, j, j->err);
		if (j->rc == MO_OK && (j->rc = hub_store_release(h->store, j->err)) == MO_OK) {
			n++;
			continue;
		}
		hub_store_rollback_to(h->store);
		if (j->outcome == JOB_APPLIED) /* the release failed */
			j->outcome = JOB_FAILED;
	}
	if ((rc = hub_store_commit(h->store, &txerr)) != MO_OK) {
		for (struct hub_job *j = jobs; j; j = j->next)
			if (j->outcome == JOB_APPLIED) {
				if (j->err)
					*j->err = txerr;
				j->rc = rc;
				j->outcome = JOB_FAILED;
			}
	} else if (n > 0) {
		hub_metrics_group(&h->metrics, n);
	}
	/* after the commit: seal, replay, flag */
	for (struct hub_job *j = jobs; j; j = j->next) {
		switch (j->outcome) {
		case JOB_APPLIED:
			hub_metrics_applied(&h->metrics, j->apply_s, j->a.nq);
			j->rc = answer_seal(h, &j->dev, &j->r, j->env->hdr.seq, j->a.q, j->a.nq,
					    j->out, j->err);
			break;
		case JOB_REPLAY:
			mo_err_clear(j->err);
			j->rc = replay(h, &j->dev, &j->env->hdr, &j->qjson, j->out, j->err);
			break;
		case JOB_FORK: flag_fork(h, j->dev.id); break;
		case JOB_FAILED: break;
		}
	}
}

/* apply one new batch: queue it, and be the writer when no one else is */
static int apply_batch(struct hub *h, const struct proto_envelope *env, const char *hash,
		       struct proto_changes *ch, struct mo_buf *out, struct mo_err *err)
{
	struct hub_job j = {.env = env, .hash = hash, .ch = ch, .out = out, .err = err,
			    .qjson = MO_BUF_INIT(PROTO_INFLATED_MAX)};

	pthread_mutex_lock(&h->wq_lock);
	if (h->wq_tail)
		h->wq_tail->next = &j;
	else
		h->wq_head = &j;
	h->wq_tail = &j;
	while (!j.done) {
		struct hub_job *group, *last;
		size_t n = 1;

		if (h->wq_busy) {
			pthread_cond_wait(&h->wq_cond, &h->wq_lock);
			continue;
		}
		/* take up to GROUP_MAX from the head of the queue */
		h->wq_busy = true;
		group = last = h->wq_head;
		while (last->next && n < GROUP_MAX) {
			last = last->next;
			n++;
		}
		h->wq_head = last->next;
		if (h->wq_head == NULL)
			h->wq_tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&h->wq_lock);
		run_group(h, group);
		pthread_mutex_lock(&h->wq_lock);
		for (struct hub_job *g = group, *next; g; g = next) {
			next = g->next; /* g may return (and vanish) once done is seen */
			g->done = true;
		}
		h->wq_busy = false;
		pthread_cond_broadcast(&h->wq_cond);
	}
	pthread_mutex_unlock(&h->wq_lock);
	feed_acc_release(&j.r.acc);
	if (j.have_apply)
		hub_apply_release(&j.a);
	mo_buf_release(&j.qjson);
	return j.rc;
}

static int check_kind(int kind, int schema, struct mo_err *err)
{
	if (kind != PROTO_KIND_UPLOAD && kind != PROTO_KIND_PULL)
		return mo_err_set(err, MO_ECORRUPT, "bad_envelope",
				  "kind %d is not an upload (1) or a pull (3)", kind);
	if (schema != PROTO_SCHEMA)
		return mo_err_set(err, MO_ECORRUPT, "bad_envelope", "schema %d is not supported",
				  schema);
	return MO_OK;
}

int hub_sync_admit(struct hub *h, const struct proto_envelope_prefix *px, struct mo_err *err)
{
	struct hub_device dev;
	int rc;

	if ((rc = check_kind(px->kind, px->hdr.schema, err)) != MO_OK)
		return rc;
	rc = hub_store_device_get(h->store, px->hdr.device, &dev, err);
	if (rc == MO_ENOTFOUND || (rc == MO_OK && strcmp(dev.id, px->hdr.device) != 0))
		rc = mo_err_set(err, MO_EAUTH, "unknown_device", "device %s is not enrolled here",
				px->hdr.device);
	else if (rc == MO_OK && !dev.active)
		/* before the signature, unlike hub_sync: the payload is not held
		 * for a device that is refused whoever sent it */
		rc = mo_err_set(err, MO_EFORBIDDEN, "device_revoked", "device %s was revoked",
				dev.code);
	if (rc != MO_OK)
		hub_metrics_rejected(&h->metrics, err ? err->code : NULL);
	return rc;
}

int hub_sync(struct hub *h, struct mo_buf *out, const void *body, size_t len, struct mo_err *err)
{
	struct proto_envelope env;
	struct hub_device dev;
	struct proto_changes ch = PROTO_CHANGES_INIT;
	struct mo_buf raw = MO_BUF_INIT(PROTO_INFLATED_MAX + 1);
	struct mo_buf qjson = MO_BUF_INIT(PROTO_INFLATED_MAX);
	char hash[MO_SHA256_HEX];
	uint64_t now = mo_now_ms();
	int rc;

	if ((rc = proto_envelope_open(&env, body, len, err)) != MO_OK)
		goto done;
	if ((rc = check_kind(env.kind, env.hdr.schema, err)) != MO_OK)
		goto done;
	rc = hub_store_device_get(h->store, env.hdr.device, &dev, err);
	if (rc == MO_ENOTFOUND || (rc == MO_OK && strcmp(dev.id, env.hdr.device) != 0)) {
		rc = mo_err_set(err, MO_EAUTH, "unknown_device", "device %s is not enrolled here",
				env.hdr.device);
		goto done;
	}
	if (rc != MO_OK)
		goto done;
	if ((rc = proto_envelope_verify(&env, dev.pub, err)) != MO_OK)
		goto done;
	if (!dev.active) {
		rc = mo_err_set(err, MO_EFORBIDDEN, "device_revoked", "device %s was revoked",
				dev.code);
		goto done;
	}
	if (strcmp(env.hdr.hub, h->id) != 0) {
		rc = mo_err_set(err, MO_EFORBIDDEN, "wrong_hub", "envelope is for hub %s",
				env.hdr.hub);
		goto done;
	}
	if (proto_hlc_ms(env.hdr.hlc) > now &&
	    proto_hlc_ms(env.hdr.hlc) - now > PROTO_HLC_MAX_AHEAD_MS) {
		rc = mo_err_set(err, MO_EINVAL, "clock_skew",
				"device clock is %llu s ahead of the hub",
				(unsigned long long)((proto_hlc_ms(env.hdr.hlc) - now) / 1000));
		goto done;
	}
	if (env.kind == PROTO_KIND_PULL) {
		rc = answer(h, &dev, &env.hdr, dev.last_seq, NULL, 0, out, err);
		goto done;
	}
	proto_envelope_hash(hash, body, len);
	rc = check_seq(h, &dev, &env.hdr, hash, &qjson, err);
	if (rc == MO_EEXISTS) {
		rc = replay(h, &dev, &env.hdr, &qjson, out, err);
		goto done;
	}
	if (rc != MO_OK)
		goto done;
	/* before the inflate; again under the lock (apply_batch) */
	if ((rc = proto_changes_range_check(env.hdr.first, env.hdr.last, env.hdr.count, dev.last_n,
					    err)) != MO_OK)
		goto done;
	if ((rc = proto_envelope_inflate(&raw, &env, err)) != MO_OK)
		goto done;
	if ((rc = proto_changes_decode(&ch, (const char *)raw.data, raw.len, env.hdr.first,
				       env.hdr.count, err)) != MO_OK) {
		if (err && err->code[0] == '\0')
			mo_strlcpy(err->code, "bad_payload", sizeof(err->code));
		goto done;
	}
	mo_buf_release(&raw); /* the inflated bytes are not needed while applying */
	rc = apply_batch(h, &env, hash, &ch, out, err);
done:
	hub_metrics_bytes(&h->metrics, len, rc == MO_OK ? out->len : 0);
	if (rc != MO_OK)
		hub_metrics_rejected(&h->metrics, err ? err->code : NULL);
	proto_changes_release(&ch);
	mo_buf_release(&raw);
	mo_buf_release(&qjson);
	return rc;
}
