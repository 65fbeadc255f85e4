/* test_agent_batch.c — cutting the outbox into frozen, chained batches. */
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
#include "compress.h"
#include "envelope.h"
#include "keys.h"
#include "mo_util.h"
#include "store.h"
#include "sync.h"

struct fx {
	char dir[256];
	struct agent_store *s;
	struct agent_identity me;
	EVP_PKEY *key;
	unsigned char pub[PROTO_PUBKEY_LEN];
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct mo_err err = MO_ERR_INIT;
	char db[300], dev[PROTO_ID_LEN];

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/mo-agent-batch-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(db, sizeof(db), "%s/agent.db", fx->dir);
	assert_int_equal(agent_store_open(&fx->s, db, &err), MO_OK);
	assert_int_equal(proto_key_generate(&fx->key, &err), MO_OK);
	assert_int_equal(proto_key_public_raw(fx->pub, fx->key, &err), MO_OK);
	proto_key_id(dev, fx->pub);
	assert_int_equal(agent_store_begin(fx->s, &err), MO_OK);
	assert_int_equal(agent_meta_set(fx->s, "device", dev, &err), MO_OK);
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
	const char *sfx[] = {"", "-wal", "-shm"};

	agent_store_close(fx->s);
	EVP_PKEY_free(fx->key);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/agent.db%s", fx->dir, sfx[i]);
		unlink(path);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void add_cases(struct fx *fx, int n)
{
	struct mo_err err = MO_ERR_INIT;
	char id[40], num[48];

	for (int i = 0; i < n; i++) {
		struct agent_case_input in;

		memset(&in, 0, sizeof(in));
		in.services[0] = "PAS-02";
		in.nservices = 1;
		in.surname = "Шевченко";
		in.given_name = "Тарас";
		in.birth_date = "1990-03-07";
		in.rnokpp = "3293846928";
		in.consent = true;
		assert_int_equal(agent_store_begin(fx->s, &err), MO_OK);
		assert_int_equal(agent_case_create(fx->s, &fx->me, &in, id, num, &err), MO_OK);
		assert_int_equal(agent_store_commit(fx->s, &err), MO_OK);
	}
}

static void ack(struct fx *fx, long long seq)
{
	struct mo_err err = MO_ERR_INIT;

	assert_int_equal(agent_store_begin(fx->s, &err), MO_OK);
	assert_int_equal(agent_store_batch_acked(fx->s, seq, &err), MO_OK);
	assert_int_equal(agent_store_commit(fx->s, &err), MO_OK);
}

/* open, verify and inflate a batch; returns the payload array */
static cJSON *check_envelope(struct fx *fx, const struct agent_batch *b)
{
	struct proto_envelope env;
	struct mo_buf raw = MO_BUF_INIT(64u << 20);
	struct mo_err err = MO_ERR_INIT;
	char hash[MO_SHA256_HEX];
	cJSON *j;

	assert_int_equal(proto_envelope_open(&env, b->envelope.data, b->envelope.len, &err), MO_OK);
	assert_int_equal(env.kind, PROTO_KIND_UPLOAD);
	assert_int_equal(proto_envelope_verify(&env, fx->pub, &err), MO_OK);
	assert_int_equal(env.hdr.seq, b->seq);
	assert_int_equal(env.hdr.first, b->first);
	assert_int_equal(env.hdr.last, b->last);
	assert_int_equal(env.hdr.count, b->count);
	assert_string_equal(env.hdr.prev, b->prev);
	assert_string_equal(env.hdr.hub, fx->me.hub);
	assert_string_equal(env.hdr.device, fx->me.device);
	proto_envelope_hash(hash, b->envelope.data, b->envelope.len);
	assert_string_equal(hash, b->hash);
	assert_int_equal(proto_envelope_inflate(&raw, &env, &err), MO_OK);
	assert_int_equal((long long)raw.len, b->raw);
	j = cJSON_ParseWithLength((const char *)raw.data, raw.len);
	assert_non_null(j);
	assert_int_equal(cJSON_GetArraySize(j), b->count);
	for (long long i = 0; i < b->count; i++)
		assert_int_equal((long long)cJSON_GetNumberValue(
				     cJSON_GetObjectItem(cJSON_GetArrayItem(j, (int)i), "n")),
				 b->first + i);
	mo_buf_release(&raw);
	return j;
}

static void test_cut_freeze_chain(void **state)
{
	struct fx *fx = *state;
	struct agent_batch_opts o = {5, 4u << 20, 6, proto_dict_default()};
	struct agent_batch b1, b1again, b2, b3, none;
	struct mo_err err = MO_ERR_INIT;
	cJSON *j;

	agent_batch_init(&b1);
	agent_batch_init(&b1again);
	agent_batch_init(&b2);
	agent_batch_init(&b3);
	agent_batch_init(&none);
	add_cases(fx, 12);

	assert_int_equal(agent_batch_next(fx->s, &fx->me, fx->key, &o, &b1, &err), MO_OK);
	assert_int_equal(b1.seq, 1);
	assert_int_equal(b1.first, 1);
	assert_int_equal(b1.last, 5);
	assert_string_equal(b1.prev, PROTO_PREV_NONE);
	j = check_envelope(fx, &b1);
	cJSON_Delete(j);

	/* not acked: the same frozen bytes again, even after more changes arrive */
	add_cases(fx, 1);
	assert_int_equal(agent_batch_next(fx->s, &fx->me, fx->key, &o, &b1again, &err), MO_OK);
	assert_int_equal(b1again.seq, 1);
	assert_int_equal(b1again.envelope.len, b1.envelope.len);
	assert_memory_equal(b1again.envelope.data, b1.envelope.data, b1.envelope.len);
	assert_int_equal(agent_store_pending_changes(fx->s, NULL), 13);

	ack(fx, 1);
	assert_int_equal(agent_store_pending_changes(fx->s, NULL), 8);
	assert_int_equal(agent_batch_next(fx->s, &fx->me, fx->key, &o, &b2, &err), MO_OK);
	assert_int_equal(b2.seq, 2);
	assert_int_equal(b2.first, 6);
	assert_int_equal(b2.last, 10);
	assert_string_equal(b2.prev, b1.hash); /* the chain */
	cJSON_Delete(check_envelope(fx, &b2));
	ack(fx, 2);
	assert_int_equal(agent_batch_next(fx->s, &fx->me, fx->key, &o, &b3, &err), MO_OK);
	assert_int_equal(b3.seq, 3);
	assert_int_equal(b3.first, 11);
	assert_int_equal(b3.last, 13);
	assert_string_equal(b3.prev, b2.hash);
	ack(fx, 3);
	assert_int_equal(agent_batch_next(fx->s, &fx->me, fx->key, &o, &none, &err), MO_ENOTFOUND);
	assert_int_equal(agent_store_pending_changes(fx->s, NULL), 0);

	agent_batch_release(&b1);
	agent_batch_release(&b1again);
	agent_batch_release(&b2);
	agent_batch_release(&b3);
	agent_batch_release(&none);
}

static void test_byte_cap(void **state)
{
	struct fx *fx = *state;
	/* a cap smaller than one change: still one change per batch, never zero */
	struct agent_batch_opts o = {5000, 100, 6, proto_dict_default()};
	struct agent_batch b;
	struct mo_err err = MO_ERR_INIT;

	agent_batch_init(&b);
	add_cases(fx, 3);
	for (long long seq = 1; seq <= 3; seq++) {
		assert_int_equal(agent_batch_next(fx->s, &fx->me, fx->key, &o, &b, &err), MO_OK);
		assert_int_equal(b.seq, seq);
		assert_int_equal(b.count, 1);
		assert_int_equal(b.first, seq);
		cJSON_Delete(check_envelope(fx, &b));
		ack(fx, seq);
	}
	/* a cap that holds two changes */
	add_cases(fx, 4);
	o.max_bytes = (size_t)b.raw * 2 + 10;
	assert_int_equal(agent_batch_next(fx->s, &fx->me, fx->key, &o, &b, &err), MO_OK);
	assert_int_equal(b.count, 2);
	assert_true((size_t)b.raw <= o.max_bytes);
	agent_batch_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_cut_freeze_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_byte_cap, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
