/*
 * test_hub_sync.c — hub_sync() without HTTP: envelopes sealed with
 * libmoproto go through the whole verify-then-apply path.  Replay with the
 * same bytes (same ack, same quarantined list, nothing twice), fork
 * (seq_conflict, device flagged), gap (expected), chain_broken, wrong hub,
 * revoked, pull, and a 1,000-change batch applied in well under a second.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "change.h"
#include "envelope.h"
#include "hub.h"

#define CASE_FIELDS                                                                                        \
	"{\"number\":\"%s\",\"unit\":\"KR-T01\",\"device\":\"KR-T01A\",\"trip\":null,"                     \
	"\"operator\":\"Олена Коваль\",\"created_at\":\"2026-01-12T07:01:47.349Z\","            \
	"\"channel\":\"mobile_office\",\"package\":null,\"services\":[{\"code\":\"CIV-02\","               \
	"\"status\":\"submitted\"}],\"applicant\":{\"surname\":\"Шевченко\",\"given_name\":"       \
	"\"Тарас\",\"patronymic\":\"Григорович\",\"birth_date\":\"1953-07-23\",\"rnokpp\":" \
	"\"1956212341\",\"phone\":\"+380977363668\",\"address\":{\"region\":\"Київська\","         \
	"\"hromada\":\"Бучанська\",\"settlement\":\"Ворзель\",\"postcode\":\"08296\","     \
	"\"street\":\"Яблунева\",\"house\":\"23\",\"apartment\":null},\"documents\":[{"            \
	"\"type\":\"id_card\",\"number\":\"665157583\",\"issued\":\"2016-06-05\"}],"                       \
	"\"mobility\":null},\"documents_presented\":[\"РНОКПП\"],\"consent\":true,"                  \
	"\"fee_uah\":345,\"notes\":\"виїзд додому\"}"

struct fx {
	char dir[64];
	struct hub h;
	EVP_PKEY *key;
	struct hub_device dev;
	char prev[MO_SHA256_HEX];
	long long n; /* last change number */
};

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct hub_init_opts o = {NULL, NULL, NULL};
	struct hub_unit u = {"KR-T01", "Мобільний офіс №1", "truck", ""};
	struct mo_err err = MO_ERR_INIT;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/mo-hub-sync-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	o.data = f->dir;
	assert_int_equal(hub_create(&o, &err), MO_OK);
	assert_int_equal(hub_open(&f->h, f->dir, &err), MO_OK);
	assert_int_equal(hub_store_unit_add(f->h.store, &u, &err), MO_OK);
	assert_int_equal(proto_key_generate(&f->key, &err), MO_OK);
	assert_int_equal(proto_key_public_raw(f->dev.pub, f->key, &err), MO_OK);
	proto_key_id(f->dev.id, f->dev.pub);
	mo_strlcpy(f->dev.code, "KR-T01A", sizeof(f->dev.code));
	mo_strlcpy(f->dev.unit, "KR-T01", sizeof(f->dev.unit));
	assert_int_equal(hub_store_device_add(f->h.store, &f->dev, "host", "op", &err), MO_OK);
	mo_strlcpy(f->prev, PROTO_PREV_NONE, sizeof(f->prev));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	EVP_PKEY_free(f->key);
	hub_close(&f->h);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void uuid_n(char out[MO_UUID_LEN], long long n)
{
	snprintf(out, MO_UUID_LEN, "00000000-0000-4000-8000-%012lld", n);
}

/* a payload of `count` new cases numbered from first, plus extra JSON */
static void payload_cases(struct mo_buf *p, long long first, long long count, const char *extra)
{
	assert_int_equal(mo_buf_addc(p, '['), MO_OK);
	for (long long i = 0; i < count; i++) {
		char id[MO_UUID_LEN], number[48], fields[2048];

		uuid_n(id, first + i);
		snprintf(number, sizeof(number), "KR-T01A-2026-%06lld", first + i);
		snprintf(fields, sizeof(fields), CASE_FIELDS, number);
		assert_int_equal(mo_buf_addf(p,
					     "%s{\"n\":%lld,\"entity\":\"case\",\"id\":\"%s\","
					     "\"op\":\"upsert\",\"hlc\":\"%016llx\",\"fields\":%s}",
					     i ? "," : "", first + i, id,
					     (unsigned long long)(mo_now_ms() << 16), fields),
				 MO_OK);
	}
	if (extra)
		assert_int_equal(mo_buf_addf(p, "%s%s", count ? "," : "", extra), MO_OK);
	assert_int_equal(mo_buf_addc(p, ']'), MO_OK);
}

struct up {
	long long seq, first, count, cursor;
	const char *prev, *hub;
	uint64_t hlc;
	int kind;
};

static void seal(struct fx *f, struct mo_buf *env, const struct up *u, const struct mo_buf *p)
{
	struct proto_header h;
	struct proto_seal_opts so = PROTO_SEAL_OPTS_INIT;
	struct mo_err err = MO_ERR_INIT;

	memset(&h, 0, sizeof(h));
	mo_strlcpy(h.hub, u->hub ? u->hub : f->h.id, sizeof(h.hub));
	mo_strlcpy(h.device, f->dev.id, sizeof(h.device));
	h.seq = u->seq;
	mo_strlcpy(h.prev, u->prev ? u->prev : f->prev, sizeof(h.prev));
	h.first = u->first;
	h.last = u->first + u->count - 1;
	h.count = u->count;
	h.hlc = u->hlc ? u->hlc : mo_now_ms() << 16;
	h.schema = PROTO_SCHEMA;
	h.cursor = u->cursor;
	so.kind = u->kind ? u->kind : PROTO_KIND_UPLOAD;
	so.hdr = &h;
	if (p) {
		so.payload = p->data;
		so.payload_len = p->len;
	}
	so.key = f->key;
	assert_int_equal(proto_envelope_seal(env, &so, &err), MO_OK);
}

/* verify and decode a hub answer */
static void answer(struct fx *f, const struct mo_buf *env, struct proto_header *hdr,
		   struct proto_response_payload *pl)
{
	struct proto_envelope e;
	struct mo_buf raw = MO_BUF_INIT(PROTO_INFLATED_MAX + 1);
	struct mo_err err = MO_ERR_INIT;

	assert_int_equal(proto_envelope_open(&e, env->data, env->len, &err), MO_OK);
	assert_int_equal(e.kind, PROTO_KIND_RESPONSE);
	assert_int_equal(proto_envelope_verify(&e, f->h.pub, &err), MO_OK);
	assert_int_equal(proto_envelope_inflate(&raw, &e, &err), MO_OK);
	assert_int_equal(proto_response_decode(pl, (const char *)raw.data, raw.len, &err), MO_OK);
	*hdr = e.hdr;
	mo_buf_release(&raw);
}

static long long case_count(struct fx *f)
{
	struct mo_err err = MO_ERR_INIT;
	cJSON *arr = NULL;
	long long n;

	assert_int_equal(hub_store_case_list(f->h.store, NULL, NULL, &arr, &err), MO_OK);
	n = cJSON_GetArraySize(arr);
	cJSON_Delete(arr);
	return n;
}

static void test_replay_and_fork(void **state)
{
	struct fx *f = *state;
	struct mo_buf p = MO_BUF_INIT(1 << 20), env = MO_BUF_INIT(1 << 20);
	struct mo_buf out1 = MO_BUF_INIT(1 << 24), out2 = MO_BUF_INIT(1 << 24);
	struct mo_buf p2 = MO_BUF_INIT(1 << 20), env2 = MO_BUF_INIT(1 << 20),
		      out3 = MO_BUF_INIT(1 << 20);
	struct proto_header h1, h2;
	struct proto_response_payload r1 = PROTO_RESPONSE_PAYLOAD_INIT,
				      r2 = PROTO_RESPONSE_PAYLOAD_INIT;
	struct mo_err err = MO_ERR_INIT;
	struct hub_device d;
	struct up u = {.seq = 1, .first = 1, .count = 2};
	cJSON *q = NULL;

	payload_cases(
	    &p, 1, 1,
	    "{\"n\":2,\"entity\":\"comment\",\"id\":\"00000000-0000-4000-8000-00000000aaaa\","
	    "\"op\":\"append\",\"hlc\":\"0000000000000001\",\"fields\":{\"case\":"
	    "\"00000000-0000-4000-8000-00000000bbbb\",\"text\":\"нема справи\"}}");
	seal(f, &env, &u, &p);
	assert_int_equal(hub_sync(&f->h, &out1, env.data, env.len, &err), MO_OK);
	assert_int_equal(hub_sync(&f->h, &out2, env.data, env.len, &err), MO_OK);
	answer(f, &out1, &h1, &r1);
	answer(f, &out2, &h2, &r2);
	assert_int_equal(h1.ack, 1);
	assert_int_equal(h2.ack, 1);
	assert_true(h1.hlc > u.hlc && h2.hlc > h1.hlc);
	assert_int_equal(r1.nquarantined, 1);
	assert_int_equal(r2.nquarantined, 1);
	assert_int_equal(r1.quarantined[0].n, 2);
	assert_string_equal(r1.quarantined[0].code, "not_found");
	assert_string_equal(r2.quarantined[0].code, r1.quarantined[0].code);
	assert_string_equal(r2.quarantined[0].message, r1.quarantined[0].message);
	assert_int_equal(case_count(f), 1);
	assert_int_equal(hub_store_quarantine_list(f->h.store, &q, &err), MO_OK);
	assert_int_equal(cJSON_GetArraySize(q), 1);
	cJSON_Delete(q);

	/* same seq, other bytes: a fork, refused and flagged, never merged */
	payload_cases(&p2, 1, 1, NULL);
	u.count = 1;
	seal(f, &env2, &u, &p2);
	assert_int_equal(hub_sync(&f->h, &out3, env2.data, env2.len, &err), MO_ECONFLICT);
	assert_string_equal(err.code, "seq_conflict");
	assert_int_equal(hub_store_device_get(f->h.store, f->dev.id, &d, &err), MO_OK);
	assert_true(d.flagged);
	assert_int_equal(d.last_seq, 1);
	assert_int_equal(case_count(f), 1);

	proto_response_payload_release(&r1);
	proto_response_payload_release(&r2);
	mo_buf_release(&p);
	mo_buf_release(&p2);
	mo_buf_release(&env);
	mo_buf_release(&env2);
	mo_buf_release(&out1);
	mo_buf_release(&out2);
	mo_buf_release(&out3);
}

static void test_gap_chain_hub_revoked(void **state)
{
	struct fx *f = *state;
	struct mo_buf p = MO_BUF_INIT(1 << 20), env = MO_BUF_INIT(1 << 20),
		      out = MO_BUF_INIT(1 << 24);
	struct mo_err err = MO_ERR_INIT;
	struct up u = {.seq = 3, .first = 1, .count = 1};

	payload_cases(&p, 1, 1, NULL);
	seal(f, &env, &u, &p);
	assert_int_equal(hub_sync(&f->h, &out, env.data, env.len, &err), MO_ECONFLICT);
	assert_string_equal(err.code, "seq_gap");
	assert_int_equal(err.expected, 1);
	assert_int_equal(hub_http_status(&err), 409);

	mo_buf_reset(&env);
	mo_err_clear(&err);
	u.seq = 1;
	u.prev = "1111111111111111111111111111111111111111111111111111111111111111";
	seal(f, &env, &u, &p);
	assert_int_equal(hub_sync(&f->h, &out, env.data, env.len, &err), MO_ECONFLICT);
	assert_string_equal(err.code, "chain_broken");

	mo_buf_reset(&env);
	u.prev = NULL;
	u.hub = "0123456789abcdef0123456789abcdef";
	seal(f, &env, &u, &p);
	assert_int_not_equal(hub_sync(&f->h, &out, env.data, env.len, &err), MO_OK);
	assert_string_equal(err.code, "wrong_hub");
	assert_int_equal(hub_http_status(&err), 403);

	mo_buf_reset(&env);
	u.hub = NULL;
	u.hlc = (mo_now_ms() + 25ull * 3600 * 1000) << 16;
	seal(f, &env, &u, &p);
	assert_int_not_equal(hub_sync(&f->h, &out, env.data, env.len, &err), MO_OK);
	assert_string_equal(err.code, "clock_skew");
	assert_int_equal(hub_http_status(&err), 400);

	assert_int_equal(hub_store_device_revoke(f->h.store, f->dev.id, &err), MO_OK);
	mo_buf_reset(&env);
	u.hlc = 0;
	seal(f, &env, &u, &p);
	assert_int_equal(hub_sync(&f->h, &out, env.data, env.len, &err), MO_EFORBIDDEN);
	assert_string_equal(err.code, "device_revoked");
	assert_int_equal(case_count(f), 0);

	mo_buf_release(&p);
	mo_buf_release(&env);
	mo_buf_release(&out);
}

struct racer {
	struct fx *f;
	struct mo_buf *env, *out;
	struct mo_err err;
	int rc;
};

static void *sync_thread(void *arg)
{
	struct racer *r = arg;

	r->rc = hub_sync(&r->f->h, r->out, r->env->data, r->env->len, &r->err);
	return NULL;
}

/*
 * A device revoked while its batch waits for the writer: nothing applied.
 * Another connection (an admin's `mo-hub device revoke`) holds the write
 * lock; the batch passes the door (reads go on under WAL) and waits in
 * BEGIN IMMEDIATE; the revocation commits; then the batch gets the lock.
 */
static void test_revoked_while_waiting_for_the_writer(void **state)
{
	struct fx *f = *state;
	struct mo_buf p = MO_BUF_INIT(1 << 20), env = MO_BUF_INIT(1 << 20),
		      out = MO_BUF_INIT(1 << 24);
	struct up u = {.seq = 1, .first = 1, .count = 1};
	struct racer r = {f, &env, &out, MO_ERR_INIT, MO_OK};
	struct timespec pause = {0, 400 * 1000 * 1000};
	char path[128], sql[160];
	sqlite3 *admin = NULL;
	pthread_t t;

	payload_cases(&p, 1, 1, NULL);
	seal(f, &env, &u, &p);
	snprintf(path, sizeof(path), "%s/hub.db", f->dir);
	assert_int_equal(sqlite3_open(path, &admin), SQLITE_OK);
	sqlite3_busy_timeout(admin, 10000);
	assert_int_equal(sqlite3_exec(admin, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(pthread_create(&t, NULL, sync_thread, &r), 0);
	nanosleep(&pause, NULL);
	snprintf(sql, sizeof(sql), "UPDATE devices SET status = 'revoked' WHERE id = '%s'",
		 f->dev.id);
	assert_int_equal(sqlite3_exec(admin, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(admin, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(pthread_join(t, NULL), 0);
	sqlite3_close(admin);
	assert_int_equal(r.rc, MO_EFORBIDDEN);
	assert_string_equal(r.err.code, "device_revoked");
	assert_int_equal(case_count(f), 0);
	mo_buf_release(&p);
	mo_buf_release(&env);
	mo_buf_release(&out);
}

static void test_pull_gets_catalogue_then_nothing(void **state)
{
	struct fx *f = *state;
	struct mo_buf env = MO_BUF_INIT(1 << 16), out = MO_BUF_INIT(1 << 24);
	struct proto_header h;
	struct proto_response_payload r = PROTO_RESPONSE_PAYLOAD_INIT;
	struct mo_err err = MO_ERR_INIT;
	struct up u = {.kind = PROTO_KIND_PULL};

	seal(f, &env, &u, NULL);
	assert_int_equal(hub_sync(&f->h, &out, env.data, env.len, &err), MO_OK);
	answer(f, &out, &h, &r);
	assert_true(r.changes.n > 40);
	assert_string_equal(r.changes.v[0].entity, "service");
	assert_int_equal(h.count, (long long)r.changes.n);
	assert_int_equal(h.cursor, r.changes.v[r.changes.n - 1].n);
	assert_false(h.more);
	assert_int_equal(h.ack, 0);
	proto_response_payload_release(&r);
	mo_buf_release(&env);
	mo_buf_release(&out);
}

/* a big batch applies in one go; its speed is measured in bench/, never asserted here */
static void test_thousand_changes_one_batch(void **state)
{
	struct fx *f = *state;
	struct mo_buf p = MO_BUF_INIT(16 << 20), env = MO_BUF_INIT(16 << 20),
		      out = MO_BUF_INIT(1 << 24);
	struct proto_header h;
	struct proto_response_payload r = PROTO_RESPONSE_PAYLOAD_INIT;
	struct mo_err err = MO_ERR_INIT;
	struct up u = {.seq = 1, .first = 1, .count = 1000};
	struct timespec t0, t1;
	double secs;

	payload_cases(&p, 1, 1000, NULL);
	seal(f, &env, &u, &p);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(hub_sync(&f->h, &out, env.data, env.len, &err), MO_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("1000-change batch: %.3f s\n", secs);
	answer(f, &out, &h, &r);
	assert_int_equal(h.ack, 1);
	assert_int_equal(r.nquarantined, 0);
	assert_int_equal(case_count(f), 1000);
	/* the catalogue and 1000 received moves fit in one answer */
	assert_false(h.more);
	proto_response_payload_release(&r);
	mo_buf_release(&p);
	mo_buf_release(&env);
	mo_buf_release(&out);
}

static void test_feed_capped_more(void **state)
{
	struct fx *f = *state;
	struct mo_buf env = MO_BUF_INIT(1 << 16), out = MO_BUF_INIT(1 << 24);
	struct proto_header h;
	struct proto_response_payload r = PROTO_RESPONSE_PAYLOAD_INIT;
	struct mo_err err = MO_ERR_INIT;
	struct up u = {.kind = PROTO_KIND_PULL};
	long long total = 0, rounds = 0, last = 0, catalogue = 0;

	assert_int_equal(hub_store_feed_max(f->h.store, &catalogue, &err), MO_OK);
	/* 2,500 decisions for the unit and 10 for another one */
	assert_int_equal(hub_store_begin(f->h.store, &err), MO_OK);
	for (int i = 0; i < 2510; i++)
		assert_int_equal(
		    hub_store_feed_add(f->h.store, i < 2500 ? "KR-T01" : "KR-C02", NULL, "comment",
				       "00000000-0000-4000-8000-000000000001", "append",
				       (uint64_t)i + 1,
				       "{\"case\":\"00000000-0000-4000-8000-000000000002\","
				       "\"text\":\"x\"}",
				       &err),
		    MO_OK);
	assert_int_equal(hub_store_commit(f->h.store, &err), MO_OK);
	do {
		mo_buf_reset(&env);
		mo_buf_reset(&out);
		seal(f, &env, &u, NULL);
		assert_int_equal(hub_sync(&f->h, &out, env.data, env.len, &err), MO_OK);
		answer(f, &out, &h, &r);
		assert_true(r.changes.n <= 2000);
		assert_true(h.cursor > last);
		for (size_t i = 0; i < r.changes.n; i++)
			assert_true(r.changes.v[i].n > last && r.changes.v[i].n <= h.cursor);
		total += (long long)r.changes.n;
		last = h.cursor;
		if (rounds == 0)
			assert_true(h.more);
		proto_response_payload_release(&r);
		memset(&r, 0, sizeof(r));
		/* the next pull starts at the cursor just received */
		u.cursor = h.cursor;
		rounds++;
	} while (h.more && rounds < 10);
	assert_false(h.more);
	assert_int_equal(rounds, 2);
	assert_int_equal(total, 2500 + catalogue);
	mo_buf_release(&env);
	mo_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_replay_and_fork, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gap_chain_hub_revoked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_revoked_while_waiting_for_the_writer, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_pull_gets_catalogue_then_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_thousand_changes_one_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_feed_capped_more, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
