/*
 * test_agent_visit.c — home-visit requests on the laptop (agent/visit.h):
 * what the hub sends down (own unit only, late copies ignored), the moves
 * (state machine, outbox, shown at once), the ack (folded in, or refused
 * and reverted) and an application filled from a visit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "case.h"
#include "hlc.h"
#include "mo_util.h"
#include "store.h"
#include "store_visit.h"
#include "visit.h"

#define V1 "0f3c2a1e-4b5d-4c6e-8f70-112233445566"
#define V1_UPPER "0F3C2A1E-4B5D-4C6E-8F70-112233445566"
#define V2 "9a8b7c6d-5e4f-4a3b-9c2d-665544332211"

struct fx {
	char dir[256];
	char db[300];
	struct agent_store *s;
	struct agent_identity me;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct mo_err err = MO_ERR_INIT;

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/mo-agent-visit-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->db, sizeof(fx->db), "%s/agent.db", fx->dir);
	assert_int_equal(agent_store_open(&fx->s, fx->db, &err), MO_OK);
	assert_int_equal(agent_store_begin(fx->s, &err), MO_OK);
	assert_int_equal(agent_meta_set(fx->s, "device", "00112233445566778899aabbccddeeff", &err),
			 MO_OK);
	assert_int_equal(agent_meta_set(fx->s, "device_code", "KR-T01A", &err), MO_OK);
	assert_int_equal(agent_meta_set(fx->s, "unit", "KR-T01", &err), MO_OK);
	assert_int_equal(agent_meta_set(fx->s, "hub", "ffeeddccbbaa99887766554433221100", &err),
			 MO_OK);
	assert_int_equal(agent_store_operator_add(fx->s, "Олена Коваль", &err), MO_OK);
	assert_int_equal(agent_meta_set(fx->s, "operator", "Олена Коваль", &err), MO_OK);
	assert_int_equal(agent_store_commit(fx->s, &err), MO_OK);
	assert_int_equal(agent_identity_load(fx->s, &fx->me, &err), MO_OK);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	char path[400];

	agent_store_close(fx->s);
	snprintf(path, sizeof(path), "%s/agent.db", fx->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/agent.db-wal", fx->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/agent.db-shm", fx->dir);
	unlink(path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* a visit upsert as the hub sends it, applied through agent_apply_remote */
static int hub_sends(struct fx *fx, const char *id, const char *unit, const char *state,
		     uint64_t hlc, const char *note)
{
	char json[2048];
	struct proto_change c;
	struct mo_err err = MO_ERR_INIT;
	int rc;

	snprintf(json, sizeof(json),
		 "{\"number\":\"В-2026-000001\",\"unit\":\"%s\",\"citizen\":{\"surname\":"
		 "\"Шевчук\",\"given_name\":\"Ганна\",\"patronymic\":\"Петрівна\",\"phone\":"
		 "\"+380671234567\",\"address\":{\"text\":\"с. Глибока, вул. Садова, 3\"},"
		 "\"mobility\":\"wheelchair\"},\"reason\":\"не ходить\",\"services\":"
		 "[\"PAS-02\"],\"preferred_date\":\"2099-01-10\",\"note\":\"%s\",\"state\":"
		 "\"%s\",\"state_reason\":null,\"scheduled_for\":null,\"requested_at\":"
		 "\"2026-12-01T08:00:00Z\",\"visited_at\":null}",
		 unit, note, state);
	memset(&c, 0, sizeof(c));
	mo_strlcpy(c.entity, "visit", sizeof(c.entity));
	mo_strlcpy(c.op, "upsert", sizeof(c.op));
	mo_strlcpy(c.id, id, sizeof(c.id));
	c.hlc = hlc;
	c.fields = cJSON_Parse(json);
	assert_non_null(c.fields);
	assert_true(proto_change_check(&c)); /* the hub's upsert passes the vocabulary */
	assert_int_equal(agent_store_begin(fx->s, &err), MO_OK);
	rc = agent_apply_remote(fx->s, &c, &err);
	if (rc == MO_OK)
		rc = agent_store_commit(fx->s, &err);
	else
		agent_store_rollback(fx->s);
	cJSON_Delete(c.fields);
	return rc;
}

static long long outbox_count(struct fx *fx)
{
	return agent_store_pending_changes(fx->s, NULL);
}

static void shown(struct fx *fx, const char *key, struct agent_visit *v)
{
	struct mo_err err = MO_ERR_INIT;

	assert_int_equal(agent_store_visit_get(fx->s, key, v, &err), MO_OK);
}

static int in_txn(struct fx *fx, int rc_work, struct mo_err *err)
{
	if (rc_work == MO_OK)
		return agent_store_commit(fx->s, err);
	agent_store_rollback(fx->s);
	return rc_work;
}

static int schedule(struct fx *fx, const char *key, const char *date, struct mo_err *err)
{
	assert_int_equal(agent_store_begin(fx->s, err), MO_OK);
	return in_txn(fx, agent_visit_schedule(fx->s, &fx->me, key, date, err), err);
}

static int done(struct fx *fx, const char *key, struct mo_err *err)
{
	assert_int_equal(agent_store_begin(fx->s, err), MO_OK);
	return in_txn(fx, agent_visit_done(fx->s, &fx->me, key, err), err);
}

static int cancel(struct fx *fx, const char *key, const char *reason, struct mo_err *err)
{
	assert_int_equal(agent_store_begin(fx->s, err), MO_OK);
	return in_txn(fx, agent_visit_cancel(fx->s, &fx->me, key, reason, err), err);
}

/* freeze every pending change into batch seq, ack it, with the given n quarantined */
static void ack_all(struct fx *fx, long long seq, long long quarantined_n)
{
	struct mo_buf payload = MO_BUF_INIT(1u << 20);
	struct agent_batch b;
	struct mo_err err = MO_ERR_INIT;

	agent_batch_init(&b);
	assert_int_equal(agent_store_begin(fx->s, &err), MO_OK);
	assert_int_equal(agent_store_outbox_collect(fx->s, 5000, 1u << 20, &payload, &b.first,
						    &b.last, &b.count, &err),
			 MO_OK);
	assert_true(b.count > 0);
	b.seq = seq;
	b.raw = (long long)payload.len;
	memset(b.prev, '0', 64);
	memset(b.hash, 'a', 64);
	assert_int_equal(mo_buf_add(&b.envelope, "x", 1), MO_OK);
	assert_int_equal(agent_store_batch_freeze(fx->s, &b, &err), MO_OK);
	assert_int_equal(agent_store_batch_acked(fx->s, seq, &err), MO_OK);
	if (quarantined_n > 0)
		assert_int_equal(agent_store_quarantine_add(fx->s, quarantined_n,
							    "illegal_transition",
							    "from is not the stored state", &err),
				 MO_OK);
	assert_int_equal(agent_visit_acked(fx->s, seq, &err), MO_OK);
	assert_int_equal(agent_store_commit(fx->s, &err), MO_OK);
	agent_batch_release(&b);
	mo_buf_release(&payload);
}

/* the last outbox change not yet in a batch, as it goes on the wire */
static cJSON *last_change(struct fx *fx)
{
	struct mo_buf payload = MO_BUF_INIT(1u << 20);
	struct mo_err err = MO_ERR_INIT;
	long long first, last, count;
	cJSON *arr, *c;

	assert_int_equal(agent_store_outbox_collect(fx->s, 5000, 1u << 20, &payload, &first, &last,
						    &count, &err),
			 MO_OK);
	assert_true(count > 0);
	arr = cJSON_ParseWithLength((const char *)payload.data, payload.len);
	assert_non_null(arr);
	c = cJSON_DetachItemFromArray(arr, cJSON_GetArraySize(arr) - 1);
	cJSON_Delete(arr);
	mo_buf_release(&payload);
	assert_non_null(c);
	return c;
}

static const char *jpath(const cJSON *o, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);

	if (b)
		x = cJSON_GetObjectItemCaseSensitive(x, b);
	return cJSON_GetStringValue(x);
}

static void test_own_unit_only(void **state)
{
	struct fx *fx = *state;
	struct agent_visit v;
	struct mo_err err = MO_ERR_INIT;
	cJSON *list = NULL;

	assert_int_equal(hub_sends(fx, V1, "KR-T01", "requested", 0x100000000ULL, "a"), MO_OK);
	/* another unit's visit: nothing stored, counted, and the answer still applies */
	assert_int_equal(hub_sends(fx, V2, "LV-X02", "requested", 0x100000001ULL, "b"), MO_OK);
	assert_int_equal(agent_visit_list(fx->s, &list, &err), MO_OK);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_string_equal(jpath(list->child, "id", NULL), V1);
	assert_string_equal(jpath(list->child, "state", NULL), "requested");
	assert_string_equal(jpath(list->child, "citizen", "surname"), "Шевчук");
	cJSON_Delete(list);
	assert_int_equal(agent_store_visit_get(fx->s, V2, &v, &err), MO_ENOTFOUND);
	assert_string_equal(err.code, "visit_not_found");
	assert_int_equal(agent_meta_get_i64(fx->s, "visits_ignored", 0), 1);
	/* found by number and by an upper-case UUID */
	shown(fx, "В-2026-000001", &v);
	assert_string_equal(v.id, V1);
	agent_visit_release(&v);
	shown(fx, V1_UPPER, &v);
	assert_string_equal(v.number, "В-2026-000001");
	agent_visit_release(&v);
	/* a late, older copy changes nothing; a newer one does */
	assert_int_equal(hub_sends(fx, V1, "KR-T01", "requested", 0x0ffffffffULL, "old"), MO_OK);
	shown(fx, V1, &v);
	assert_string_equal(jpath(v.data, "note", NULL), "a");
	agent_visit_release(&v);
	assert_int_equal(hub_sends(fx, V1, "KR-T01", "requested", 0x200000000ULL, "new"), MO_OK);
	shown(fx, V1, &v);
	assert_string_equal(jpath(v.data, "note", NULL), "new");
	agent_visit_release(&v);
	/* given to another unit: the hub sends it once more with that unit; it leaves */
	assert_int_equal(hub_sends(fx, V1, "LV-X02", "requested", 0x300000000ULL, "moved"), MO_OK);
	assert_int_equal(agent_store_visit_get(fx->s, V1, &v, &err), MO_ENOTFOUND);
	assert_int_equal(agent_meta_get_i64(fx->s, "visits_ignored", 0), 1);
}

static void test_moves_and_refusals(void **state)
{
	struct fx *fx = *state;
	struct agent_visit v;
	struct mo_err err = MO_ERR_INIT;
	long long before;
	cJSON *ch;

	assert_int_equal(hub_sends(fx, V1, "KR-T01", "requested", 0x100000000ULL, "a"), MO_OK);
	before = outbox_count(fx);
	/* requested → visited is not a move: refused, nothing queued */
	assert_int_equal(done(fx, V1, &err), MO_ECONFLICT);
	assert_string_equal(err.code, "illegal_visit_move");
	assert_string_equal(err.msg, "requested → visited");
	assert_int_equal(outbox_count(fx), before);
	/* bad input: nothing queued either */
	err = (struct mo_err)MO_ERR_INIT;
	assert_int_equal(schedule(fx, V1, "2001-01-01", &err), MO_EINVAL);
	assert_string_equal(err.code, "date_past");
	assert_int_equal(schedule(fx, V1, "31.02.2099", &err), MO_EINVAL);
	assert_string_equal(err.code, "visit_date");
	assert_int_equal(cancel(fx, V1, "   ", &err), MO_EINVAL);
	assert_string_equal(err.code, "reason_required");
	assert_int_equal(schedule(fx, "В-2026-999999", "10.01.2099", &err), MO_ENOTFOUND);
	assert_int_equal(outbox_count(fx), before);

	/* schedule: a transition in the outbox, shown at once */
	assert_int_equal(schedule(fx, "В-2026-000001", "10.01.2099", &err), MO_OK);
	assert_int_equal(outbox_count(fx), before + 1);
	ch = last_change(fx);
	assert_string_equal(jpath(ch, "entity", NULL), "visit");
	assert_string_equal(jpath(ch, "op", NULL), "transition");
	assert_string_equal(jpath(ch, "id", NULL), V1);
	assert_string_equal(jpath(ch, "fields", "from"), "requested");
	assert_string_equal(jpath(ch, "fields", "to"), "scheduled");
	assert_string_equal(jpath(ch, "fields", "scheduled_for"), "2099-01-10");
	cJSON_Delete(ch);
	shown(fx, V1, &v);
	assert_string_equal(v.state, "scheduled");
	assert_string_equal(v.scheduled_for, "2099-01-10");
	assert_int_equal(v.pending, 1);
	assert_string_equal(jpath(v.data, "state", NULL), "requested"); /* the hub's copy */
	agent_visit_release(&v);
	/* a newer hub copy while the move waits: the move still shows */
	assert_int_equal(hub_sends(fx, V1, "KR-T01", "requested", 0x200000000ULL, "edited"), MO_OK);
	shown(fx, V1, &v);
	assert_string_equal(v.state, "scheduled");
	assert_string_equal(jpath(v.data, "note", NULL), "edited");
	agent_visit_release(&v);

	/* re-schedule, then done: from is each time the state shown */
	assert_int_equal(schedule(fx, V1, "11.01.2099", &err), MO_OK);
	ch = last_change(fx);
	assert_string_equal(jpath(ch, "fields", "from"), "scheduled");
	cJSON_Delete(ch);
	assert_int_equal(done(fx, V1, &err), MO_OK);
	shown(fx, V1, &v);
	assert_string_equal(v.state, "visited");
	assert_true(v.visited_at[0] != '\0');
	assert_int_equal(v.pending, 3);
	agent_visit_release(&v);
	/* visited is final */
	assert_int_equal(cancel(fx, V1, "передумали", &err), MO_ECONFLICT);
	assert_string_equal(err.msg, "visited → cancelled");

	/* the hub takes all three: its copy says visited, nothing pending */
	ack_all(fx, 1, 0);
	shown(fx, V1, &v);
	assert_int_equal(v.pending, 0);
	assert_string_equal(v.state, "visited");
	assert_string_equal(jpath(v.data, "state", NULL), "visited");
	assert_string_equal(jpath(v.data, "scheduled_for", NULL), "2099-01-11");
	agent_visit_release(&v);
	/* a late hub copy from before our moves changes nothing now */
	assert_int_equal(hub_sends(fx, V1, "KR-T01", "requested", 0x300000000ULL, "late"), MO_OK);
	shown(fx, V1, &v);
	/* 0x3.. is older than the moves' HLCs (they come from the wall clock) */
	assert_string_equal(v.state, "visited");
	agent_visit_release(&v);
}

static void test_refused_move_reverts(void **state)
{
	struct fx *fx = *state;
	struct agent_visit v;
	struct mo_err err = MO_ERR_INIT;
	long long n;

	assert_int_equal(hub_sends(fx, V1, "KR-T01", "requested", 0x100000000ULL, "a"), MO_OK);
	assert_int_equal(cancel(fx, V1, "громадянин у лікарні", &err), MO_OK);
	shown(fx, V1, &v);
	assert_string_equal(v.state, "cancelled");
	assert_string_equal(v.state_reason, "громадянин у лікарні");
	agent_visit_release(&v);
	n = outbox_count(fx); /* the only change: n = 1 */
	assert_int_equal(n, 1);
	ack_all(fx, 1, 1); /* the hub refused it (staff had changed the visit) */
	shown(fx, V1, &v);
	assert_int_equal(v.pending, 0);
	assert_string_equal(v.state, "requested");
	assert_null(v.state_reason);
	agent_visit_release(&v);
}

static void test_case_from_visit(void **state)
{
	struct fx *fx = *state;
	struct agent_case_input in;
	struct agent_visit_fill keep;
	struct agent_case c;
	struct mo_err err = MO_ERR_INIT;
	char id[40], number[48];
	cJSON *cases = NULL;

	assert_int_equal(hub_sends(fx, V1, "KR-T01", "requested", 0x100000000ULL, "a"), MO_OK);
	memset(&in, 0, sizeof(in));
	in.given_name = "Галина"; /* typed by the administrator: wins over the visit */
	in.birth_date = "1990-03-07";
	in.rnokpp = "3293846928";
	in.consent = true;
	in.origin = "local";
	assert_int_equal(agent_visit_case_input(fx->s, "В-2026-000001", &in, &keep, &err), MO_OK);
	assert_string_equal(in.surname, "Шевчук");
	assert_string_equal(in.given_name, "Галина");
	assert_string_equal(in.patronymic, "Петрівна");
	assert_string_equal(in.phone, "+380671234567");
	assert_string_equal(in.mobility, "wheelchair");
	assert_int_equal(in.nservices, 1);
	assert_string_equal(in.services[0], "PAS-02");
	assert_string_equal(in.visit, V1);
	assert_int_equal(agent_store_begin(fx->s, &err), MO_OK);
	err = (struct mo_err)MO_ERR_INIT;
	{
		int rc = agent_case_create(fx->s, &fx->me, &in, id, number, &err);

		if (rc != MO_OK)
			fail_msg("case create: %s %s", err.code, err.msg);
	}
	assert_int_equal(agent_store_commit(fx->s, &err), MO_OK);
	agent_visit_fill_release(&keep);
	assert_int_equal(agent_store_case_get(fx->s, id, &c, &err), MO_OK);
	assert_string_equal(jpath(c.data, "visit", NULL), V1);
	assert_string_equal(jpath(c.data, "applicant", "surname"), "Шевчук");
	assert_string_equal(
	    cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(c.data, "applicant"), "address"), "text")),
	    "с. Глибока, вул. Садова, 3");
	agent_case_release(&c);
	assert_int_equal(agent_store_visit_cases(fx->s, V1, &cases, &err), MO_OK);
	assert_int_equal(cJSON_GetArraySize(cases), 1);
	assert_string_equal(jpath(cases->child, "number", NULL), number);
	cJSON_Delete(cases);

	/* a cancelled visit lends nothing */
	assert_int_equal(cancel(fx, V1, "помер", &err), MO_OK);
	memset(&in, 0, sizeof(in));
	assert_int_equal(agent_visit_case_input(fx->s, V1, &in, &keep, &err), MO_ECONFLICT);
	assert_string_equal(err.code, "visit_cancelled");
	assert_null(in.surname);
	agent_visit_fill_release(&keep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_own_unit_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_moves_and_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused_move_reverts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_from_visit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
