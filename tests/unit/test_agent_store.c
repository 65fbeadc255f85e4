/* test_agent_store.c — the agent store: outbox atomicity, numbering, search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "case.h"
#include "json.h"
#include "lookup.h"
#include "mo_util.h"
#include "store.h"

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

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/mo-agent-test-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->db, sizeof(fx->db), "%s/agent.db", fx->dir);
	assert_int_equal(agent_store_open(&fx->s, fx->db, &err), MO_OK);
	/* what enrolment leaves behind */
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

static void input(struct agent_case_input *in, const char *surname)
{
	memset(in, 0, sizeof(*in));
	in->services[0] = "PAS-02";
	in->nservices = 1;
	in->surname = surname;
	in->given_name = "Тарас";
	in->patronymic = "Григорович";
	in->birth_date = "1990-03-07";
	in->rnokpp = "3293846928";
	in->phone = "067 123 45 67";
	in->consent = true;
	in->origin = "local";
}

static int create(struct fx *fx, const struct agent_case_input *in, char id[40], char num[48],
		  struct mo_err *err)
{
	int rc = agent_store_begin(fx->s, err);

	if (rc != MO_OK)
		return rc;
	rc = agent_case_create(fx->s, &fx->me, in, id, num, err);
	if (rc == MO_OK)
		return agent_store_commit(fx->s, err);
	agent_store_rollback(fx->s);
	return rc;
}

/* the pending outbox as parsed JSON (array of changes) */
static cJSON *pending(struct fx *fx)
{
	struct mo_buf p = MO_BUF_INIT(16u << 20);
	struct mo_err err = MO_ERR_INIT;
	long long first, last, count;
	cJSON *j = NULL;

	assert_int_equal(
	    agent_store_outbox_collect(fx->s, 5000, 16u << 20, &p, &first, &last, &count, &err),
	    MO_OK);
	j = cJSON_ParseWithLength((const char *)p.data, p.len);
	assert_non_null(j);
	assert_int_equal(cJSON_GetArraySize(j), count);
	mo_buf_release(&p);
	return j;
}

static long long count_cases(struct fx *fx)
{
	struct agent_case_filter f = {NULL, NULL, NULL, 0};
	struct mo_err err = MO_ERR_INIT;
	cJSON *arr;
	long long n;

	assert_int_equal(agent_store_case_list(fx->s, &f, &arr, &err), MO_OK);
	n = cJSON_GetArraySize(arr);
	cJSON_Delete(arr);
	return n;
}

/*
 * The outbox's change JSON and a case's stamps are stored deflated (a BLOB
 * well under the text), read back exactly; a row an older mo-agent wrote as
 * TEXT still reads as it is.
 */
static void test_packed_columns_and_older_text(void **state)
{
	struct fx *fx = *state;
	struct agent_case_input in;
	struct mo_err err = MO_ERR_INIT;
	char id[40], num[48], sql[512];
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	cJSON *before, *after, *stamps = NULL, *legacy;
	char *text;

	input(&in, "Шевченко");
	assert_int_equal(create(fx, &in, id, num, &err), MO_OK);
	before = pending(fx);
	assert_int_equal(cJSON_GetArraySize(before), 1);

	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT typeof(o.json), length(o.json), typeof(c.stamps), "
					    "length(c.stamps), length(c.data) FROM outbox o "
					    "JOIN cases c ON c.id = o.entity_id",
					    -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "blob");
	assert_string_equal((const char *)sqlite3_column_text(q, 2), "blob");
	text = cJSON_PrintUnformatted(cJSON_GetArrayItem(before, 0));
	/* deflated with the wire dictionary: a fraction of the text */
	assert_true(sqlite3_column_int(q, 1) * 2 < (int)strlen(text));
	assert_true(sqlite3_column_int(q, 3) > 0);
	sqlite3_finalize(q);

	assert_int_equal(agent_store_case_stamps_get(fx->s, id, &stamps, &err), MO_OK);
	assert_true(cJSON_GetArraySize(stamps) > 5);
	assert_non_null(cJSON_GetObjectItemCaseSensitive(stamps, "applicant.surname"));

	/* rows as an older mo-agent left them: plain JSON text */
	{
		char *st = cJSON_PrintUnformatted(stamps);

		assert_int_equal(sqlite3_prepare_v2(db, "UPDATE outbox SET json = ?1", -1, &q, NULL),
				 SQLITE_OK);
		sqlite3_bind_text(q, 1, text, -1, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(q), SQLITE_DONE);
		sqlite3_finalize(q);
		snprintf(sql, sizeof(sql), "UPDATE cases SET stamps = ?1 WHERE id = '%s'", id);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
		sqlite3_bind_text(q, 1, st, -1, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(q), SQLITE_DONE);
		sqlite3_finalize(q);
		free(st);
	}
	after = pending(fx);
	assert_true(cJSON_Compare(before, after, 1));
	assert_int_equal(agent_store_case_stamps_get(fx->s, id, &legacy, &err), MO_OK);
	assert_true(cJSON_Compare(stamps, legacy, 1));

	/* a damaged packed row is an error, never a silently empty change */
	assert_int_equal(sqlite3_exec(db, "UPDATE outbox SET json = X'789c0000'", NULL, NULL, NULL),
			 SQLITE_OK);
	{
		struct mo_buf p = MO_BUF_INIT(16u << 20);
		long long first, last, count;

		assert_int_not_equal(
		    agent_store_outbox_collect(fx->s, 5000, 16u << 20, &p, &first, &last, &count, &err),
		    MO_OK);
		mo_buf_release(&p);
	}
	sqlite3_close(db);
	free(text);
	cJSON_Delete(before);
	cJSON_Delete(after);
	cJSON_Delete(stamps);
	cJSON_Delete(legacy);
}

static void test_outbox_atomic(void **state)
{
	struct fx *fx = *state;
	struct agent_case_input in;
	struct mo_err err = MO_ERR_INIT;
	char id[40], num[48];
	cJSON *j;

	/* a rolled-back mutation leaves neither the row nor the change */
	input(&in, "Шевченко");
	assert_int_equal(agent_store_begin(fx->s, &err), MO_OK);
	assert_int_equal(agent_case_create(fx->s, &fx->me, &in, id, num, &err), MO_OK);
	agent_store_rollback(fx->s);
	assert_int_equal(count_cases(fx), 0);
	assert_int_equal(agent_store_pending_changes(fx->s, NULL), 0);
	assert_false(agent_store_case_exists(fx->s, id));

	/* a validation failure writes nothing */
	in.rnokpp = "3293846929"; /* wrong check digit */
	assert_int_equal(create(fx, &in, id, num, &err), MO_EINVAL);
	assert_string_equal(err.code, "rnokpp_check_digit");
	in.rnokpp = "3293846928";
	in.birth_date = "1990-03-08"; /* disagrees with the RNOKPP */
	assert_int_equal(create(fx, &in, id, num, &err), MO_EINVAL);
	assert_string_equal(err.code, "rnokpp_birth_date");
	in.birth_date = "1990-03-07";
	in.services[0] = "NOPE-1";
	assert_int_equal(create(fx, &in, id, num, &err), MO_EINVAL);
	assert_string_equal(err.code, "unknown_service");
	in.services[0] = "PAS-02";
	in.consent = false;
	assert_int_equal(create(fx, &in, id, num, &err), MO_EINVAL);
	assert_string_equal(err.code, "missing_consent");
	assert_int_equal(count_cases(fx), 0);
	assert_int_equal(agent_store_pending_changes(fx->s, NULL), 0);

	/* a committed one: row and change together, in canonical shape */
	in.consent = true;
	assert_int_equal(create(fx, &in, id, num, &err), MO_OK);
	assert_int_equal(count_cases(fx), 1);
	assert_int_equal(agent_store_pending_changes(fx->s, NULL), 1);
	j = pending(fx);
	{
		const cJSON *c = cJSON_GetArrayItem(j, 0), *f = cJSON_GetObjectItem(c, "fields");
		const char *order[] = {"number",
				       "unit",
				       "device",
				       "trip",
				       "operator",
				       "created_at",
				       "channel",
				       "package",
				       "services",
				       "applicant",
				       "documents_presented",
				       "consent",
				       "fee_uah",
				       "notes",
				       "status_check"};
		const cJSON *it;
		size_t k = 0;
		char code[32], *text = cJSON_PrintUnformatted(c);

		/* the code stays here; the change carries only its check */
		assert_int_equal(agent_store_case_code_get(fx->s, id, code, sizeof(code)), MO_OK);
		assert_int_equal(strlen(code), 12);
		assert_non_null(text);
		assert_null(strstr(text, code));
		free(text);
		assert_true(proto_lookup_check_verify(
		    cJSON_GetStringValue(cJSON_GetObjectItem(f, "status_check")), num, code));

		assert_string_equal(c->child->string, "n");
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(c, "entity")), "case");
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(c, "id")), id);
		cJSON_ArrayForEach(it, f)
		{
			assert_true(k < sizeof(order) / sizeof(order[0]));
			assert_string_equal(it->string, order[k]);
			k++;
		}
		assert_int_equal(k, sizeof(order) / sizeof(order[0]));
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
					cJSON_GetObjectItem(f, "applicant"), "phone")),
				    "+380671234567");
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(f, "number")), num);
	}
	cJSON_Delete(j);
}

static void test_numbering(void **state)
{
	struct fx *fx = *state;
	struct agent_case_input in;
	struct mo_err err = MO_ERR_INIT;
	char id[40], num[48], want[48], year[8];
	cJSON *j, *it;
	long long n = 0;

	mo_iso8601(year, sizeof(year), mo_now_ms(), false);
	year[4] = '\0';
	input(&in, "Шевченко");
	for (int i = 1; i <= 5; i++) {
		assert_int_equal(create(fx, &in, id, num, &err), MO_OK);
		snprintf(want, sizeof(want), "KR-T01A-%s-%06d", year, i);
		assert_string_equal(num, want);
		if (i == 3) {
			/* a rolled-back case consumes neither a number nor a change number */
			char id2[40], num2[48];

			assert_int_equal(agent_store_begin(fx->s, &err), MO_OK);
			assert_int_equal(agent_case_create(fx->s, &fx->me, &in, id2, num2, &err),
					 MO_OK);
			agent_store_rollback(fx->s);
		}
	}
	/* a status move is a numbered change too */
	assert_int_equal(agent_store_begin(fx->s, &err), MO_OK);
	assert_int_equal(
	    agent_case_move(fx->s, &fx->me, id, "cancelled", "citizen changed mind", NULL, &err),
	    MO_OK);
	assert_int_equal(agent_store_commit(fx->s, &err), MO_OK);
	j = pending(fx);
	assert_int_equal(cJSON_GetArraySize(j), 6);
	cJSON_ArrayForEach(it, j)
	{
		n++;
		assert_int_equal((long long)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "n")), n);
	}
	it = cJSON_GetArrayItem(j, 5);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(it, "op")), "transition");
	assert_string_equal(
	    cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(it, "fields"), "to")),
	    "cancelled");
	cJSON_Delete(j);
	/* an illegal move is refused and writes nothing */
	assert_int_equal(agent_store_begin(fx->s, &err), MO_OK);
	assert_int_equal(agent_case_move(fx->s, &fx->me, id, "issued", NULL, NULL, &err),
			 MO_EINVAL);
	agent_store_rollback(fx->s);
	assert_int_equal(agent_store_pending_changes(fx->s, NULL), 6);
}

static long long search(struct fx *fx, const char *text)
{
	struct agent_case_filter f = {NULL, NULL, text, 0};
	struct mo_err err = MO_ERR_INIT;
	cJSON *arr;
	long long n;

	assert_int_equal(agent_store_case_list(fx->s, &f, &arr, &err), MO_OK);
	n = cJSON_GetArraySize(arr);
	cJSON_Delete(arr);
	return n;
}

static void test_search_cyrillic(void **state)
{
	struct fx *fx = *state;
	struct agent_case_input in;
	struct mo_err err = MO_ERR_INIT;
	char id[40], num[48];

	input(&in, "Шевченко");
	assert_int_equal(create(fx, &in, id, num, &err), MO_OK);
	input(&in, "Коваленко");
	in.given_name = "Олена";
	assert_int_equal(create(fx, &in, id, num, &err), MO_OK);
	assert_int_equal(search(fx, "шевченко"), 1);
	assert_int_equal(search(fx, "ШЕВЧЕНКО"), 1);
	assert_int_equal(search(fx, "шевч"), 1); /* prefix */
	assert_int_equal(search(fx, "олена"), 1);
	assert_int_equal(search(fx, "тарас шевченко"), 1);
	assert_int_equal(search(fx, "іваненко"), 0);
	assert_int_equal(search(fx, "3293846928"), 2); /* by RNOKPP */
	assert_int_equal(search(fx, num), 1);	       /* by number */
	assert_int_equal(search(fx, "\"*)("), 0);      /* FTS syntax is quoted away */

	/* an edit re-indexes */
	input(&in, NULL);
	memset(&in, 0, sizeof(in));
	in.surname = "Іваненко";
	assert_int_equal(agent_store_begin(fx->s, &err), MO_OK);
	assert_int_equal(agent_case_edit(fx->s, &fx->me, id, &in, &err), MO_OK);
	assert_int_equal(agent_store_commit(fx->s, &err), MO_OK);
	assert_int_equal(search(fx, "іваненко"), 1);
	assert_int_equal(search(fx, "коваленко"), 0);
}

static void test_package_expands(void **state)
{
	struct fx *fx = *state;
	struct agent_case_input in;
	struct agent_case c;
	struct mo_err err = MO_ERR_INIT;
	char id[40], num[48];

	input(&in, "Шевченко");
	in.services[0] = "PKG-ID14";
	assert_int_equal(create(fx, &in, id, num, &err), MO_OK);
	assert_int_equal(agent_store_case_get(fx->s, num, &c, &err), MO_OK);
	assert_int_equal(c.nsvc, 2);
	assert_string_equal(c.svc[0].code, "PAS-01");
	assert_string_equal(c.svc[1].code, "TAX-01");
	assert_string_equal(c.svc[1].status, "submitted");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(c.data, "package")),
			    "PKG-ID14");
	agent_case_release(&c);
}

/* a downstream transition of one of our cases (the hub's `received`, a decision) */
static int remote_move(struct fx *fx, const char *id, const char *from, const char *to,
		       const char *service, struct mo_err *err)
{
	struct proto_change ch;
	int rc;

	memset(&ch, 0, sizeof(ch));
	ch.n = 7;
	mo_strlcpy(ch.entity, "case", sizeof(ch.entity));
	mo_strlcpy(ch.id, id, sizeof(ch.id));
	mo_strlcpy(ch.op, "transition", sizeof(ch.op));
	ch.hlc = 1;
	ch.fields = cJSON_CreateObject();
	assert_non_null(ch.fields);
	cJSON_AddStringToObject(ch.fields, "from", from);
	cJSON_AddStringToObject(ch.fields, "to", to);
	if (service)
		cJSON_AddStringToObject(ch.fields, "service", service);
	if ((rc = agent_store_begin(fx->s, err)) == MO_OK) {
		rc = agent_apply_remote(fx->s, &ch, err);
		if (rc == MO_OK)
			rc = agent_store_commit(fx->s, err);
		else
			agent_store_rollback(fx->s);
	}
	cJSON_Delete(ch.fields);
	return rc;
}

/* the statuses of a case's services, "PAS-01=received,TAX-01=approved" */
static void svc_statuses(struct fx *fx, const char *id, char *out, size_t len)
{
	struct mo_err err = MO_ERR_INIT;
	struct agent_case c;

	out[0] = '\0';
	assert_int_equal(agent_store_case_status_get(fx->s, id, &c, &err), MO_OK);
	assert_null(c.data); /* status only: the case's JSON is not read */
	for (size_t i = 0; i < c.nsvc; i++) {
		size_t n = strlen(out);

		snprintf(out + n, len - n, "%s%s=%s", i ? "," : "", c.svc[i].code, c.svc[i].status);
	}
	agent_case_release(&c);
}

static void test_remote_transition(void **state)
{
	struct fx *fx = *state;
	struct agent_case_input in;
	struct agent_case c;
	struct mo_err err = MO_ERR_INIT;
	char id[40], num[48], st[128];
	cJSON *j, *h, *last;

	input(&in, "Шевченко");
	in.services[0] = "PKG-ID14";
	assert_int_equal(create(fx, &in, id, num, &err), MO_OK);

	/* the hub's `received`: every service that was submitted moves */
	assert_int_equal(remote_move(fx, id, "submitted", "received", NULL, &err), MO_OK);
	svc_statuses(fx, id, st, sizeof(st));
	assert_string_equal(st, "PAS-01=received,TAX-01=received");
	assert_int_equal(agent_store_case_get(fx->s, id, &c, &err), MO_OK);
	assert_string_equal(c.status, "received");
	/* the fields and the search index are untouched by a status move */
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
				cJSON_GetObjectItem(c.data, "applicant"), "surname")),
			    "Шевченко");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(c.data, "package")),
			    "PKG-ID14");
	assert_int_equal(search(fx, "шевченко"), 1);

	/* a decision on one service moves that service alone, and is history */
	assert_int_equal(remote_move(fx, id, "received", "in_review", "TAX-01", &err), MO_OK);
	svc_statuses(fx, id, st, sizeof(st));
	assert_string_equal(st, "PAS-01=received,TAX-01=in_review");
	assert_int_equal(agent_store_case_json(fx->s, &c, &j, &err), MO_OK);
	h = cJSON_GetObjectItem(j, "history");
	last = cJSON_GetArrayItem(h, cJSON_GetArraySize(h) - 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(last, "to")), "in_review");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(last, "service")), "TAX-01");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(last, "origin")), "hub");
	cJSON_Delete(j);
	agent_case_release(&c);

	/* a case this laptop does not hold: nothing to move, no error */
	assert_int_equal(remote_move(fx, "6b1f7c1e-2a1e-4c55-9a51-1f2d3c4b5a69", "received",
				     "approved", NULL, &err),
			 MO_OK);
	assert_int_equal(err.code[0], '\0');
	assert_int_equal(
	    agent_store_case_status_get(fx->s, "6b1f7c1e-2a1e-4c55-9a51-1f2d3c4b5a69", &c, &err),
	    MO_ENOTFOUND);
	assert_int_equal(count_cases(fx), 1);
}

/* SQL on a second connection to the same file, as a broken disk or another
 * program would leave it: the store's prepared statements then fail */
static void raw_sql(const struct fx *fx, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* issue 10 item 10: a read error was "no batch yet" (seq 0, so the next
 * batch went out as seq 1: seq_conflict, re-enrolment) or "nothing pending" */
static void test_batch_read_errors(void **state)
{
	struct fx *fx = *state;
	struct mo_err err = MO_ERR_INIT;
	struct agent_batch b;
	long long seq = 99;
	char hash[65];

	agent_batch_init(&b);
	assert_int_equal(agent_store_batch_last(fx->s, &seq, hash, &err), MO_OK);
	assert_int_equal(seq, 0);
	assert_int_equal(agent_store_batch_pending(fx->s, &b, &err), MO_ENOTFOUND);

	raw_sql(fx, "ALTER TABLE batches RENAME TO batches_lost");
	mo_err_clear(&err);
	assert_int_equal(agent_store_batch_last(fx->s, &seq, hash, &err), MO_EIO);
	assert_non_null(strstr(err.msg, "database"));
	assert_non_null(strstr(err.msg, "batches"));
	mo_err_clear(&err);
	assert_int_equal(agent_store_batch_pending(fx->s, &b, &err), MO_EIO);
	assert_non_null(strstr(err.msg, "batches"));
	agent_batch_release(&b);
}

/* a case number that cannot be read is not 0: number 1 must not come again */
static void test_counter_unreadable(void **state)
{
	struct fx *fx = *state;
	struct mo_err err = MO_ERR_INIT;
	long long n = 0;

	assert_int_equal(agent_store_case_counter_next(fx->s, &n, &err), MO_OK);
	assert_int_equal(n, 1);
	raw_sql(fx, "UPDATE meta SET value = 'x1' WHERE key = 'case_counter'");
	n = 0;
	assert_int_not_equal(agent_store_case_counter_next(fx->s, &n, &err), MO_OK);
	assert_int_not_equal(n, 1);
	assert_non_null(strstr(err.msg, "case_counter"));
}

static void test_meta_read_errors(void **state)
{
	struct fx *fx = *state;
	struct mo_err err = MO_ERR_INIT;
	long long v = 0;

	/* absent: the default, no error */
	assert_int_equal(agent_meta_get_i64_err(fx->s, "cursor", 5, &v, &err), MO_OK);
	assert_int_equal(v, 5);
	assert_int_equal(agent_meta_set_i64(fx->s, "cursor", 42, &err), MO_OK);
	assert_int_equal(agent_meta_get_i64_err(fx->s, "cursor", 0, &v, &err), MO_OK);
	assert_int_equal(v, 42);
	/* not a number */
	raw_sql(fx, "UPDATE meta SET value = '42abc' WHERE key = 'cursor'");
	assert_int_equal(agent_meta_get_i64_err(fx->s, "cursor", 0, &v, &err), MO_ECORRUPT);
	/* the table gone: a database error, not the default */
	raw_sql(fx, "ALTER TABLE meta RENAME TO meta_lost");
	mo_err_clear(&err);
	assert_int_equal(agent_meta_get_i64_err(fx->s, "cursor", 0, &v, &err), MO_EIO);
	assert_non_null(strstr(err.msg, "meta"));
	/* the simple getter keeps its default (only for harmless settings) */
	assert_int_equal(agent_meta_get_i64(fx->s, "cursor", 7), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_packed_columns_and_older_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outbox_atomic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_numbering, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search_cyrillic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_package_expands, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remote_transition, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batch_read_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_counter_unreadable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_meta_read_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
