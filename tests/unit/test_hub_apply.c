/*
 * test_hub_apply.c — merge rules and the state machine of the hub, against
 * a real temporary SQLite store: concurrent edits ordered by HLC, equal
 * HLCs broken by device id, objects merged key by key, every staff
 * transition (legal and illegal, from an independent table), the hub's
 * received step, quarantine reasons, appends inserted once.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apply.h"
#include "hub.h"
#include "review.h"
#include "status.h"

struct fx {
	char dir[64];
	struct hub h;
	struct hub_device a, b, c; /* a, b in KR-T01 (a.id < b.id); c in KR-C02 */
	uint64_t t0;
	char code[32]; /* quarantine code of the last apply, "" when applied */
};

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void add_device(struct fx *f, struct hub_device *d, char fill, const char *code,
		       const char *unit)
{
	struct mo_err err = MO_ERR_INIT;

	memset(d, 0, sizeof(*d));
	memset(d->id, fill, 32);
	mo_strlcpy(d->code, code, sizeof(d->code));
	mo_strlcpy(d->unit, unit, sizeof(d->unit));
	memset(d->pub, fill, sizeof(d->pub));
	d->active = true;
	assert_int_equal(hub_store_device_add(f->h.store, d, "host", "op", &err), MO_OK);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct hub_init_opts o = {NULL, NULL, NULL};
	struct hub_unit u1 = {"KR-T01", "Мобільний офіс №1", "truck", ""};
	struct hub_unit u2 = {"KR-C02", "Мобільний кейс №2", "case", ""};
	struct mo_err err = MO_ERR_INIT;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/mo-hub-apply-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	o.data = f->dir;
	assert_int_equal(hub_create(&o, &err), MO_OK);
	assert_int_equal(hub_open(&f->h, f->dir, &err), MO_OK);
	assert_int_equal(hub_store_unit_add(f->h.store, &u1, &err), MO_OK);
	assert_int_equal(hub_store_unit_add(f->h.store, &u2, &err), MO_OK);
	add_device(f, &f->a, 'a', "KR-T01A", "KR-T01");
	add_device(f, &f->b, 'b', "KR-T01B", "KR-T01");
	add_device(f, &f->c, 'c', "KR-C02A", "KR-C02");
	f->t0 = mo_now_ms() << 16;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	hub_close(&f->h);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* apply one change (fields as JSON text) in its own transaction */
static const char *apply1(struct fx *f, const struct hub_device *d, const char *entity,
			  const char *id, const char *op, uint64_t hlc, const char *fields)
{
	struct proto_change c;
	struct hub_apply a;
	struct proto_clock clk;
	struct mo_err err = MO_ERR_INIT;

	memset(&c, 0, sizeof(c));
	c.n = 1;
	mo_strlcpy(c.entity, entity, sizeof(c.entity));
	mo_strlcpy(c.id, id, sizeof(c.id));
	mo_strlcpy(c.op, op, sizeof(c.op));
	c.hlc = hlc;
	c.fields = cJSON_Parse(fields);
	assert_non_null(c.fields);
	assert_int_equal(hub_store_begin(f->h.store, &err), MO_OK);
	assert_int_equal(hub_clock_load(&f->h, &clk, &err), MO_OK);
	hub_apply_init(&a, &f->h, d, 1, &clk);
	assert_int_equal(hub_apply_change(&a, &c, &err), MO_OK);
	assert_int_equal(hub_apply_finish(&a, &err), MO_OK);
	assert_int_equal(hub_clock_save(&f->h, &a.clock, &err), MO_OK);
	assert_int_equal(hub_store_commit(f->h.store, &err), MO_OK);
	mo_strlcpy(f->code, a.nq ? a.q[0].code : "", sizeof(f->code));
	hub_apply_release(&a);
	cJSON_Delete(c.fields);
	return f->code;
}

#define CASE1 "11111111-1111-4111-8111-111111111111"
#define CASE2 "22222222-2222-4222-8222-222222222222"

static const char *new_case_json(const char *unit, const char *status, const char *services)
{
	static char buf[1024];
	static int serial; /* numbers are unique at the hub: a fresh one per case */

	snprintf(buf, sizeof(buf),
		 "{\"number\":\"KR-T01A-2026-%06d\",\"unit\":\"%s\",\"device\":\"KR-T01A\","
		 "\"services\":[%s],\"applicant\":{\"surname\":\"Коваль\",\"given_name\":"
		 "\"Олена\",\"phone\":null,\"address\":{\"street\":\"Шевченка\",\"house\":\"1\"}},"
		 "\"notes\":\"перший запис\"}",
		 ++serial, unit, services ? services : "");
	(void)status;
	return buf;
}

static const char *svc(const char *status)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "{\"code\":\"CIV-02\",\"status\":\"%s\"}", status);
	return buf;
}

static void create_case(struct fx *f, const char *id, const char *status)
{
	assert_string_equal(apply1(f, &f->a, "case", id, "upsert", f->t0,
				   new_case_json("KR-T01", status, svc(status))),
			    "");
}

/* the materialised case, parsed; caller frees */
static cJSON *doc_of(struct fx *f, const char *id, struct hub_case *c)
{
	struct mo_buf doc = MO_BUF_INIT(1 << 20);
	struct mo_err err = MO_ERR_INIT;
	cJSON *j;

	assert_int_equal(hub_store_case_get(f->h.store, id, false, c, &doc, &err), MO_OK);
	j = cJSON_ParseWithLength((const char *)doc.data, doc.len);
	mo_buf_release(&doc);
	assert_non_null(j);
	return j;
}

static const char *path_str(const cJSON *doc, const char *a, const char *b, const char *c)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, a);

	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	if (c)
		v = cJSON_GetObjectItemCaseSensitive(v, c);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void force_status(struct fx *f, const char *id, int st)
{
	struct mo_err err = MO_ERR_INIT;

	assert_int_equal(hub_store_case_service_set(f->h.store, id, "CIV-02", st, &err), MO_OK);
	assert_int_equal(hub_store_case_set_status(f->h.store, id, proto_status_name(st), false, &err),
			 MO_OK);
}

/* ---- merge rules ---- */

static void test_lww_by_hlc_order(void **state)
{
	struct fx *f = *state;
	struct hub_case c;
	cJSON *d;

	create_case(f, CASE1, "submitted");
	/* b's newer correction arrives first, a's older edit after it */
	assert_string_equal(apply1(f, &f->b, "case", CASE1, "upsert", f->t0 + 20,
				   "{\"applicant\":{\"surname\":\"Шевчук\"}}"),
			    "");
	assert_string_equal(apply1(f, &f->a, "case", CASE1, "upsert", f->t0 + 10,
				   "{\"applicant\":{\"surname\":\"Стара\"},\"notes\":\"друга\"}"),
			    "");
	d = doc_of(f, CASE1, &c);
	assert_string_equal(path_str(d, "applicant", "surname", NULL), "Шевчук");
	assert_string_equal(path_str(d, "notes", NULL, NULL), "друга");
	assert_string_equal(path_str(d, "applicant", "given_name", NULL), "Олена");
	cJSON_Delete(d);
	/* and a still newer edit from a wins again */
	assert_string_equal(apply1(f, &f->a, "case", CASE1, "upsert", f->t0 + 30,
				   "{\"applicant\":{\"surname\":\"Нова\"}}"),
			    "");
	d = doc_of(f, CASE1, &c);
	assert_string_equal(path_str(d, "applicant", "surname", NULL), "Нова");
	cJSON_Delete(d);
}

static void test_equal_hlc_broken_by_device_id(void **state)
{
	struct fx *f = *state;
	struct hub_case c;
	cJSON *d;

	create_case(f, CASE1, "submitted");
	create_case(f, CASE2, "submitted");
	/* same HLC, both orders of arrival: the greater device id (b) wins */
	assert_string_equal(
	    apply1(f, &f->a, "case", CASE1, "upsert", f->t0 + 5, "{\"notes\":\"від A\"}"), "");
	assert_string_equal(
	    apply1(f, &f->b, "case", CASE1, "upsert", f->t0 + 5, "{\"notes\":\"від B\"}"), "");
	assert_string_equal(
	    apply1(f, &f->b, "case", CASE2, "upsert", f->t0 + 5, "{\"notes\":\"від B\"}"), "");
	assert_string_equal(
	    apply1(f, &f->a, "case", CASE2, "upsert", f->t0 + 5, "{\"notes\":\"від A\"}"), "");
	d = doc_of(f, CASE1, &c);
	assert_string_equal(path_str(d, "notes", NULL, NULL), "від B");
	cJSON_Delete(d);
	d = doc_of(f, CASE2, &c);
	assert_string_equal(path_str(d, "notes", NULL, NULL), "від B");
	cJSON_Delete(d);
}

static void test_objects_merge_key_by_key(void **state)
{
	struct fx *f = *state;
	struct hub_case c;
	cJSON *d;

	create_case(f, CASE1, "submitted");
	assert_string_equal(apply1(f, &f->a, "case", CASE1, "upsert", f->t0 + 3,
				   "{\"applicant\":{\"address\":{\"street\":\"Франка\"}}}"),
			    "");
	assert_string_equal(apply1(f, &f->b, "case", CASE1, "upsert", f->t0 + 2,
				   "{\"applicant\":{\"phone\":\"+380671234567\","
				   "\"address\":{\"street\":\"Стара\",\"apartment\":\"7\"}}}"),
			    "");
	d = doc_of(f, CASE1, &c);
	assert_string_equal(path_str(d, "applicant", "address", "street"), "Франка");
	assert_string_equal(path_str(d, "applicant", "address", "apartment"), "7");
	assert_string_equal(path_str(d, "applicant", "address", "house"), "1");
	assert_string_equal(path_str(d, "applicant", "phone", NULL), "+380671234567");
	assert_string_equal(path_str(d, "applicant", "surname", NULL), "Коваль");
	cJSON_Delete(d);
}

/* ---- state machine ---- */

static bool staff_may(int from, int to)
{
	/* DESIGN.md §3, written out independently of status.c */
	if (from == PROTO_ST_RECEIVED)
		return to == PROTO_ST_IN_REVIEW || to == PROTO_ST_APPROVED ||
		       to == PROTO_ST_REJECTED || to == PROTO_ST_NEEDS_INFO;
	if (from == PROTO_ST_IN_REVIEW)
		return to == PROTO_ST_APPROVED || to == PROTO_ST_REJECTED ||
		       to == PROTO_ST_NEEDS_INFO;
	return false;
}

static void test_every_staff_transition(void **state)
{
	struct fx *f = *state;
	int legal = 0, illegal = 0;

	create_case(f, CASE1, "submitted");
	for (int from = 0; from < PROTO_ST_COUNT; from++) {
		for (int to = 0; to < PROTO_ST_COUNT; to++) {
			struct mo_err err = MO_ERR_INIT;
			struct hub_case c;
			struct hub_transition t = {.case_id = CASE1,
						   .to = proto_status_name(to),
						   .reason = "причина",
						   .actor = PROTO_ACTOR_STAFF,
						   .actor_name = "olena",
						   .hlc = f->t0 + 100};
			int rc;

			force_status(f, CASE1, from);
			assert_int_equal(hub_store_begin(f->h.store, &err), MO_OK);
			rc = hub_case_transition(&f->h, &t, &err);
			assert_int_equal(hub_store_commit(f->h.store, &err), MO_OK);
			cJSON_Delete(doc_of(f, CASE1, &c));
			if (staff_may(from, to)) {
				assert_int_equal(rc, MO_OK);
				assert_string_equal(c.status, proto_status_name(to));
				legal++;
			} else {
				assert_int_equal(rc, MO_ECONFLICT);
				assert_string_equal(err.code, "illegal_transition");
				assert_string_equal(c.status, proto_status_name(from));
				illegal++;
			}
		}
	}
	assert_int_equal(legal, 7);
	assert_int_equal(illegal, PROTO_ST_COUNT * PROTO_ST_COUNT - 7);
}

static void test_review_decide_rules(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	struct hub_case c;
	struct hub_decision d = {.case_ref = CASE1, .decision = "rejected"};

	create_case(f, CASE1, "submitted");
	/* a refusal needs a reason; nothing changes without one */
	assert_int_equal(hub_review_decide(&f->h, &d, &c, &err), MO_EINVAL);
	d.decision = "issued"; /* the laptop's move, not staff's */
	assert_int_not_equal(hub_review_decide(&f->h, &d, &c, &err), MO_OK);
	d.decision = "needs_info";
	d.reason = "потрібна довідка";
	mo_err_clear(&err);
	assert_int_equal(hub_review_decide(&f->h, &d, &c, &err), MO_OK);
	assert_string_equal(c.status, "needs_info");
	d.by = "nobody";
	d.decision = "approved";
	assert_int_equal(hub_review_decide(&f->h, &d, &c, &err), MO_ENOTFOUND);
}

static void test_hub_receives_submitted(void **state)
{
	struct fx *f = *state;
	struct hub_case c;

	assert_string_equal(apply1(f, &f->a, "case", CASE1, "upsert", f->t0,
				   new_case_json("KR-T01", NULL,
						 "{\"code\":\"CIV-01\",\"status\":\"submitted\"},"
						 "{\"code\":\"SOC-01\",\"status\":\"submitted\"}")),
			    "");
	cJSON_Delete(doc_of(f, CASE1, &c));
	assert_string_equal(c.status, "received");
	/* a draft stays a draft until the laptop submits it */
	create_case(f, CASE2, "draft");
	cJSON_Delete(doc_of(f, CASE2, &c));
	assert_string_equal(c.status, "draft");
	assert_string_equal(apply1(f, &f->a, "case", CASE2, "transition", f->t0 + 1,
				   "{\"from\":\"draft\",\"to\":\"submitted\"}"),
			    "");
	cJSON_Delete(doc_of(f, CASE2, &c));
	assert_string_equal(c.status, "received");
	/* needs_info → submitted (amended) → received again */
	force_status(f, CASE2, PROTO_ST_NEEDS_INFO);
	assert_string_equal(apply1(f, &f->a, "case", CASE2, "transition", f->t0 + 2,
				   "{\"from\":\"needs_info\",\"to\":\"submitted\"}"),
			    "");
	cJSON_Delete(doc_of(f, CASE2, &c));
	assert_string_equal(c.status, "received");
}

/* a cancel recorded offline in the batch that brings the case: the hub's
 * received step waits for the end of the batch, so the cancel applies */
static void test_cancel_in_the_same_batch(void **state)
{
	struct fx *f = *state;
	struct proto_change c[2];
	struct hub_apply a;
	struct proto_clock clk;
	struct mo_err err = MO_ERR_INIT;
	struct hub_case hc;
	const char *fields[2] = {new_case_json("KR-T01", NULL, svc("submitted")),
				 "{\"from\":\"submitted\",\"to\":\"cancelled\"}"};
	const char *ops[2] = {"upsert", "transition"};

	memset(c, 0, sizeof(c));
	assert_int_equal(hub_store_begin(f->h.store, &err), MO_OK);
	assert_int_equal(hub_clock_load(&f->h, &clk, &err), MO_OK);
	hub_apply_init(&a, &f->h, &f->a, 1, &clk);
	for (int i = 0; i < 2; i++) {
		c[i].n = i + 1;
		mo_strlcpy(c[i].entity, "case", sizeof(c[i].entity));
		mo_strlcpy(c[i].id, CASE1, sizeof(c[i].id));
		mo_strlcpy(c[i].op, ops[i], sizeof(c[i].op));
		c[i].hlc = f->t0 + (uint64_t)i;
		c[i].fields = cJSON_Parse(fields[i]);
		assert_non_null(c[i].fields);
		assert_int_equal(hub_apply_change(&a, &c[i], &err), MO_OK);
		/* not received while the batch is still applying */
		cJSON_Delete(doc_of(f, CASE1, &hc));
		assert_string_equal(hc.status, i == 0 ? "submitted" : "cancelled");
	}
	assert_int_equal(hub_apply_finish(&a, &err), MO_OK);
	assert_int_equal(hub_store_commit(f->h.store, &err), MO_OK);
	assert_int_equal(a.nq, 0);
	hub_apply_release(&a);
	for (int i = 0; i < 2; i++)
		cJSON_Delete(c[i].fields);
	cJSON_Delete(doc_of(f, CASE1, &hc));
	assert_string_equal(hc.status, "cancelled");
}



/* two upserts of one case in one batch, the second bringing the citizen's
 * consent and phone: the received step moves what the last one wrote —
 * received once, one "received" event, one message, to the new phone */
static void test_upsert_twice_in_the_same_batch(void **state)
{
	struct fx *f = *state;
	struct proto_change c[2];
	struct hub_apply a;
	struct proto_clock clk;
	struct mo_err err = MO_ERR_INIT;
	struct hub_case hc;
	cJSON *doc, *detail, *ev, *msgs, *m;
	struct hub_message out;
	char second[1024];
	int received = 0;
	long long n = -1;
	const char *fields[2];

	fields[0] = new_case_json("KR-T01", NULL, svc("submitted"));
	mo_strlcpy(second, fields[0], sizeof(second));
	/* the same number: the same case, its applicant now consents */
	{
		char *at = strstr(second, "\"phone\":null");
		char tail[1024];

		assert_non_null(at);
		mo_strlcpy(tail, at + strlen("\"phone\":null"), sizeof(tail));
		snprintf(at, sizeof(second) - (size_t)(at - second), "\"phone\":\"+380671234567\"%s",
			 tail);
		at = strstr(second, "\"notes\":\"перший запис\"}");
		assert_non_null(at);
		snprintf(at, sizeof(second) - (size_t)(at - second),
			 "\"notes\":\"другий запис\",\"messages_consent\":true}");
	}
	fields[1] = second;
	memset(c, 0, sizeof(c));
	assert_int_equal(hub_store_begin(f->h.store, &err), MO_OK);
	assert_int_equal(hub_clock_load(&f->h, &clk, &err), MO_OK);
	hub_apply_init(&a, &f->h, &f->a, 1, &clk);
	for (int i = 0; i < 2; i++) {
		c[i].n = i + 1;
		mo_strlcpy(c[i].entity, "case", sizeof(c[i].entity));
		mo_strlcpy(c[i].id, CASE1, sizeof(c[i].id));
		mo_strlcpy(c[i].op, "upsert", sizeof(c[i].op));
		c[i].hlc = f->t0 + (uint64_t)i;
		c[i].fields = cJSON_Parse(fields[i]);
		assert_non_null(c[i].fields);
		assert_int_equal(hub_apply_change(&a, &c[i], &err), MO_OK);
	}
	assert_int_equal(hub_apply_finish(&a, &err), MO_OK);
	assert_int_equal(hub_clock_save(&f->h, &a.clock, &err), MO_OK);
	assert_int_equal(hub_store_commit(f->h.store, &err), MO_OK);
	assert_int_equal(a.nq, 0);
	assert_int_equal(a.applied, 2);
	hub_apply_release(&a);
	for (int i = 0; i < 2; i++)
		cJSON_Delete(c[i].fields);

	doc = doc_of(f, CASE1, &hc);
	assert_string_equal(hc.status, "received");
	assert_string_equal(path_str(doc, "notes", NULL, NULL), "другий запис");
	cJSON_Delete(doc);
	detail = cJSON_CreateObject();
	assert_int_equal(hub_store_case_detail(f->h.store, CASE1, detail, &err), MO_OK);
	cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(detail, "history"))
	{
		const char *to = path_str(ev, "to", NULL, NULL);

		if (to && strcmp(to, "received") == 0)
			received++;
	}
	cJSON_Delete(detail);
	assert_int_equal(received, 1);
	assert_int_equal(hub_store_message_count(f->h.store, CASE1, "received", &n, &err), MO_OK);
	assert_int_equal(n, 1);
	assert_int_equal(hub_store_message_list(f->h.store, CASE1, &msgs, &err), MO_OK);
	m = cJSON_GetArrayItem(msgs, 0);
	assert_non_null(m);
	assert_string_equal(path_str(m, "event", NULL, NULL), "received");
	cJSON_Delete(msgs);
	/* to the phone the second upsert brought */
	memset(&out, 0, sizeof(out));
	assert_int_equal(hub_store_message_claim(f->h.store, mo_now_ms() + 1000, 60000, "test",
						 &out, &err),
			 MO_OK);
	assert_string_equal(out.phone, "+380671234567");
	assert_string_equal(out.case_id, CASE1);
}
static void test_agent_transitions_checked(void **state)
{
	struct fx *f = *state;
	struct hub_case c;

	create_case(f, CASE1, "submitted"); /* now received */
	/* a laptop cannot approve, and a stale `from` is a conflict for staff */
	assert_string_equal(apply1(f, &f->a, "case", CASE1, "transition", f->t0 + 1,
				   "{\"from\":\"received\",\"to\":\"approved\"}"),
			    "illegal_transition");
	assert_string_equal(apply1(f, &f->a, "case", CASE1, "transition", f->t0 + 1,
				   "{\"from\":\"submitted\",\"to\":\"cancelled\"}"),
			    "illegal_transition");
	assert_string_equal(apply1(f, &f->a, "case", CASE1, "transition", f->t0 + 1,
				   "{\"from\":\"received\",\"to\":\"in_review\","
				   "\"service\":\"NOPE-1\"}"),
			    "not_found");
	cJSON_Delete(doc_of(f, CASE1, &c));
	assert_string_equal(c.status, "received");
	force_status(f, CASE1, PROTO_ST_APPROVED);
	assert_string_equal(apply1(f, &f->b, "case", CASE1, "transition", f->t0 + 2,
				   "{\"from\":\"approved\",\"to\":\"issued\"}"),
			    "");
	cJSON_Delete(doc_of(f, CASE1, &c));
	assert_string_equal(c.status, "issued");
}

static void test_quarantine_reasons(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	cJSON *q = NULL;

	create_case(f, CASE1, "submitted");
	/* another unit's device may not touch it, nor create cases elsewhere */
	assert_string_equal(
	    apply1(f, &f->c, "case", CASE1, "upsert", f->t0 + 1, "{\"notes\":\"чуже\"}"),
	    "forbidden");
	assert_string_equal(apply1(f, &f->a, "case", CASE2, "upsert", f->t0,
				   new_case_json("KR-C02", "submitted", svc("submitted"))),
			    "forbidden");
	assert_string_equal(apply1(f, &f->a, "service", "CIV-02", "upsert", f->t0,
				   "{\"code\":\"CIV-02\",\"fee_uah\":1}"),
			    "forbidden");
	assert_string_equal(apply1(f, &f->a, "case", CASE2, "transition", f->t0,
				   "{\"from\":\"draft\",\"to\":\"submitted\"}"),
			    "not_found");
	assert_string_equal(apply1(f, &f->a, "case", CASE2, "upsert", f->t0,
				   "{\"notes\":\"без номера\",\"unit\":\"KR-T01\"}"),
			    "missing_field");
	assert_string_equal(apply1(f, &f->a, "case", CASE2, "upsert", f->t0,
				   new_case_json("KR-T01", "approved", svc("approved"))),
			    "bad_value");
	assert_string_equal(apply1(f, &f->a, "case", CASE1, "upsert",
				   (mo_now_ms() + 25ull * 3600 * 1000) << 16, "{\"notes\":\"x\"}"),
			    "bad_value");
	assert_string_equal(apply1(f, &f->a, "comment", CASE2, "append", f->t0,
				   "{\"case\":\"" CASE2 "\",\"text\":\"куди?\"}"),
			    "not_found");
	assert_int_equal(hub_store_quarantine_list(f->h.store, &q, &err), MO_OK);
	assert_int_equal(cJSON_GetArraySize(q), 8);
	cJSON_Delete(q);
}

static int count_feed(void *arg, const struct hub_feed_row *r)
{
	(void)r;
	(*(int *)arg)++;
	return MO_OK;
}

static void test_append_inserted_once(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	int before = 0, after = 0, other = 0;
	const char *comment = "{\"case\":\"" CASE1 "\",\"text\":\"заявник телефонував\"}";

	create_case(f, CASE1, "submitted");
	assert_int_equal(
	    hub_store_feed_read(f->h.store, "KR-T01", "x", 0, 100000, count_feed, &before, &err),
	    MO_OK);
	assert_string_equal(apply1(f, &f->a, "comment", CASE2, "append", f->t0 + 1, comment), "");
	assert_string_equal(apply1(f, &f->a, "comment", CASE2, "append", f->t0 + 1, comment), "");
	assert_int_equal(
	    hub_store_feed_read(f->h.store, "KR-T01", "x", 0, 100000, count_feed, &after, &err),
	    MO_OK);
	assert_int_equal(after, before + 1);
	/* the feed never carries one unit's records to another */
	assert_int_equal(hub_store_feed_read(f->h.store, "KR-C02", "x", before, 100000, count_feed,
					     &other, &err),
			 MO_OK);
	assert_int_equal(other, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lww_by_hlc_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_equal_hlc_broken_by_device_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_objects_merge_key_by_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_every_staff_transition, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_review_decide_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hub_receives_submitted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_in_the_same_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upsert_twice_in_the_same_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_agent_transitions_checked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quarantine_reasons, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_append_inserted_once, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
