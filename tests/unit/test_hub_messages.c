/*
 * test_hub_messages.c — status messages (messages.h): every template within
 * two UCS-2 SMS segments with the longest case number, the place shortened
 * to fit, UTF-16 counting, key derivation, the verdict on gateway answers,
 * the backoff schedule, the body template's escaping, the mask on the auth
 * header, and on a real store: one message per event (consent and phone
 * required, the first receipt only, a second queueing changes nothing) and
 * claims under a lease.
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

#include "mo_util.h"
#include "hub.h"
#include "messages.h"

static const char *const EVENTS[] = {"received", "needs_info", "approved", "rejected"};

/* the longest number the vocabulary allows (str ≤40), and the longest the hub stores */
#define NUMBER_40 "ЦНАП-KR-T01-A-2026-0000000000000000000001"

static void test_units(void **state)
{
	(void)state;
	assert_int_equal(hub_message_units(""), 0);
	assert_int_equal(hub_message_units("abc"), 3);
	assert_int_equal(hub_message_units("Заява"), 5);
	assert_int_equal(hub_message_units("№…"), 2);
	assert_int_equal(hub_message_units("\xf0\x9f\x98\x80"), 2); /* astral: a surrogate pair */
}

static void test_every_template_fits(void **state)
{
	char longest[HUB_NUMBER_MAX], text[HUB_MSG_TEXT_MAX], name[300];
	struct mo_err err = MO_ERR_INIT;

	(void)state;
	memset(longest, '9', 40);
	longest[40] = '\0';
	for (size_t i = 0; i < sizeof(name) - 3; i += 2)
		memcpy(name + i, "Ц", 2); /* 2 bytes, 1 unit */
	name[sizeof(name) - 3 - ((sizeof(name) - 3) % 2)] = '\0';
	for (size_t e = 0; e < 4; e++) {
		const char *nums[] = {longest, "В-2026-000001"};

		for (size_t k = 0; k < 2; k++) {
			assert_int_equal(hub_message_text(text, EVENTS[e], nums[k], name,
							  "+380671234567", &err),
					 MO_OK);
			assert_true(hub_message_units(text) <= HUB_MSG_UNITS_MAX);
			assert_non_null(strstr(text, nums[k]));
			/* and with a short place, nothing is cut */
			assert_int_equal(hub_message_text(text, EVENTS[e], nums[k],
							  "ЦНАП Бучі", NULL, &err),
					 MO_OK);
			assert_true(hub_message_units(text) <= HUB_MSG_UNITS_MAX);
			assert_null(strstr(text, "…"));
		}
	}
	/* the approved text says where; a long name is cut with an ellipsis */
	assert_int_equal(hub_message_text(text, "approved", longest, name, NULL, &err), MO_OK);
	assert_non_null(strstr(text, "Ц…"));
	assert_int_equal(hub_message_units(text), HUB_MSG_UNITS_MAX);
	assert_int_equal(hub_message_text(text, "approved", "В-2026-000001", "ЦНАП м. Буча",
					  "+380445556677", &err),
			 MO_OK);
	assert_string_equal(text, "Заяву № В-2026-000001 задоволено. Результат можна отримати: "
				  "ЦНАП м. Буча, тел. +380445556677.");
	/* a number at the hub's own limit still fits */
	assert_int_equal(hub_message_text(text, "needs_info", NUMBER_40, NULL, NULL, &err), MO_OK);
	assert_true(hub_message_units(text) <= HUB_MSG_UNITS_MAX);
	/* no message for other statuses */
	assert_int_equal(hub_message_text(text, "in_review", "В-1", NULL, NULL, &err), MO_EINVAL);
}

static void test_event_of_move(void **state)
{
	(void)state;
	assert_string_equal(hub_message_event("submitted", "received"), "received");
	assert_string_equal(hub_message_event("in_review", "needs_info"), "needs_info");
	assert_string_equal(hub_message_event("received", "approved"), "approved");
	assert_string_equal(hub_message_event("in_review", "rejected"), "rejected");
	assert_null(hub_message_event("received", "in_review"));
	assert_null(hub_message_event("approved", "approved")); /* no case-level move */
	assert_null(hub_message_event("approved", "issued"));
}

static void test_key(void **state)
{
	char a[HUB_MSG_KEY_LEN], b[HUB_MSG_KEY_LEN];
	const char *id = "0b9f6a3e-1d2c-4e5f-8a9b-0c1d2e3f4a5b";

	(void)state;
	hub_message_key(a, id, "approved", 1);
	hub_message_key(b, id, "approved", 1);
	assert_string_equal(a, b); /* derived, not random: a retry makes the same */
	assert_int_equal(strlen(a), 35);
	assert_memory_equal(a, "m1-", 3);
	assert_int_equal(strspn(a + 3, "0123456789abcdef"), 32);
	hub_message_key(b, id, "approved", 2);
	assert_string_not_equal(a, b);
	hub_message_key(b, id, "rejected", 1);
	assert_string_not_equal(a, b);
	hub_message_key(b, "0b9f6a3e-1d2c-4e5f-8a9b-0c1d2e3f4a5c", "approved", 1);
	assert_string_not_equal(a, b);
}

static void test_classify(void **state)
{
	(void)state;
	assert_int_equal(hub_notify_classify(200), HUB_NOTIFY_SENT);
	assert_int_equal(hub_notify_classify(202), HUB_NOTIFY_SENT);
	assert_int_equal(hub_notify_classify(400), HUB_NOTIFY_FAILED);
	assert_int_equal(hub_notify_classify(401), HUB_NOTIFY_FAILED);
	assert_int_equal(hub_notify_classify(404), HUB_NOTIFY_FAILED);
	assert_int_equal(hub_notify_classify(408), HUB_NOTIFY_RETRY);
	assert_int_equal(hub_notify_classify(429), HUB_NOTIFY_RETRY);
	assert_int_equal(hub_notify_classify(500), HUB_NOTIFY_RETRY);
	assert_int_equal(hub_notify_classify(503), HUB_NOTIFY_RETRY);
	assert_int_equal(hub_notify_classify(0), HUB_NOTIFY_RETRY); /* no answer */
}

static void test_backoff(void **state)
{
	struct hub_notify_config c = HUB_NOTIFY_CONFIG_INIT;
	uint64_t prev_hi = 0;

	(void)state;
	c.retry_base_ms = 1000;
	c.retry_cap_ms = 60000;
	/* rnd 0 is the low end (d/2), UINT32_MAX lands anywhere in [d/2, d] */
	for (long long a = 1; a <= 12; a++) {
		uint64_t d = 1000ull << (a - 1 < 20 ? a - 1 : 20), lo, hi;

		if (d > 60000)
			d = 60000;
		lo = hub_notify_backoff_ms(&c, a, 0);
		assert_int_equal(lo, d / 2);
		for (uint32_t r = 1; r < 2000000000u; r += 99991u * 7) {
			hi = hub_notify_backoff_ms(&c, a, r);
			assert_true(hi >= d / 2 && hi <= d);
		}
		hi = hub_notify_backoff_ms(&c, a, (uint32_t)(d - d / 2));
		assert_int_equal(hi, d); /* the top of the range is reached */
		assert_true(d >= prev_hi);
		prev_hi = d;
	}
	/* the schedule doubles: 1 s, 2 s, 4 s ... then stays at the cap */
	assert_int_equal(hub_notify_backoff_ms(&c, 1, 500), 1000);
	assert_int_equal(hub_notify_backoff_ms(&c, 2, 1000), 2000);
	assert_int_equal(hub_notify_backoff_ms(&c, 3, 2000), 4000);
	assert_int_equal(hub_notify_backoff_ms(&c, 40, 30000), 60000);
	assert_int_equal(hub_notify_backoff_ms(&c, 1000000, 0), 30000); /* no overflow */
}

static void test_body_and_config(void **state)
{
	struct hub_notify_config c = HUB_NOTIFY_CONFIG_INIT;
	struct mo_buf b = MO_BUF_INIT(1u << 16);
	struct mo_err err = MO_ERR_INIT;
	struct hub_message m;
	char masked[128];
	cJSON *j;

	(void)state;
	memset(&m, 0, sizeof(m));
	mo_strlcpy(m.phone, "+380671234567", sizeof(m.phone));
	mo_strlcpy(m.text, "Заява \"№1\"\\\n", sizeof(m.text));
	mo_strlcpy(m.key, "m1-abc", sizeof(m.key));
	assert_int_equal(hub_notify_body(&b,
					 "{\"recipients\":[\"{phone_digits}\"],\"sms\":{\"text\":"
					 "\"{text}\"},\"id\":\"{key}\",\"to\":\"{phone}\"}",
					 &m, &err),
			 MO_OK);
	assert_string_equal((const char *)b.data,
			    "{\"recipients\":[\"380671234567\"],\"sms\":{\"text\":\"Заява "
			    "\\\"№1\\\"\\\\\\u000a\"},\"id\":\"m1-abc\",\"to\":\"+380671234567\"}");
	j = cJSON_Parse((const char *)b.data);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "sms"), "text")->valuestring,
			    m.text);
	cJSON_Delete(j);
	mo_buf_release(&b);

	mo_strlcpy(c.url, "http://127.0.0.1:9/send", sizeof(c.url));
	mo_strlcpy(c.body, "{\"to\":\"{phone}\",\"text\":\"{text}\"}", sizeof(c.body));
	assert_int_equal(hub_notify_config_check(&c, &err), MO_OK);
	mo_strlcpy(c.body, "{\"to\":{phone},\"text\":\"{text}\"}", sizeof(c.body)); /* not JSON once filled */
	assert_int_equal(hub_notify_config_check(&c, &err), MO_EINVAL);
	mo_strlcpy(c.body, "{\"to\":\"{phone}\"}", sizeof(c.body)); /* no text */
	assert_int_equal(hub_notify_config_check(&c, &err), MO_EINVAL);
	mo_strlcpy(c.body, "{\"to\":\"{phone}\",\"text\":\"{text}\"}", sizeof(c.body));
	mo_strlcpy(c.url, "ftp://x/y", sizeof(c.url));
	assert_int_equal(hub_notify_config_check(&c, &err), MO_EINVAL);
	mo_strlcpy(c.url, "http://127.0.0.1:9/send", sizeof(c.url));
	mo_strlcpy(c.auth, "Authorization: Bearer x\r\nX-Evil: 1", sizeof(c.auth));
	assert_int_equal(hub_notify_config_check(&c, &err), MO_EINVAL);
	mo_strlcpy(c.auth, "Authorization: Bearer 0123456789abcdefSECRETwxyz", sizeof(c.auth));
	assert_int_equal(hub_notify_config_check(&c, &err), MO_OK);
	hub_notify_mask(masked, sizeof(masked), c.auth);
	assert_string_equal(masked, "Authorization: …wxyz");
	assert_null(strstr(masked, "SECRET"));
	hub_notify_mask(masked, sizeof(masked), "X-Key: short");
	assert_string_equal(masked, "X-Key: …");
	c.timeout_s = 0;
	assert_int_equal(hub_notify_config_check(&c, &err), MO_EINVAL);
}

/* ---- on a real store ---- */

struct fx {
	char dir[64];
	struct hub h;
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
	struct hub_unit u = {"KR-T01", "ЦНАП м. Буча", "truck", "+380445556677"};
	struct mo_err err = MO_ERR_INIT;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/mo-hub-msg-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	o.data = f->dir;
	assert_int_equal(hub_create(&o, &err), MO_OK);
	assert_int_equal(hub_open(&f->h, f->dir, &err), MO_OK);
	assert_int_equal(hub_store_unit_add(f->h.store, &u, &err), MO_OK);
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

static void put_case(struct fx *f, const char *id, const char *number, const char *doc)
{
	struct hub_case c;
	struct mo_err err = MO_ERR_INIT;

	memset(&c, 0, sizeof(c));
	mo_strlcpy(c.id, id, sizeof(c.id));
	mo_strlcpy(c.number, number, sizeof(c.number));
	mo_strlcpy(c.unit, "KR-T01", sizeof(c.unit));
	mo_strlcpy(c.status, "submitted", sizeof(c.status));
	assert_int_equal(hub_store_case_put(f->h.store, &c, "KR-T01-A", doc, &err), MO_OK);
}

static void move(struct fx *f, const char *id, const char *from, const char *to)
{
	struct hub_case c;
	struct mo_err err = MO_ERR_INIT;

	memset(&c, 0, sizeof(c));
	mo_strlcpy(c.id, id, sizeof(c.id));
	assert_int_equal(hub_store_begin(f->h.store, &err), MO_OK);
	assert_int_equal(hub_messages_on_move(f->h.store, &c, from, to, &err), MO_OK);
	assert_int_equal(hub_store_commit(f->h.store, &err), MO_OK);
}

static long long count(struct fx *f, const char *id, const char *event)
{
	struct mo_err err = MO_ERR_INIT;
	long long n = -1;

	assert_int_equal(hub_store_message_count(f->h.store, id, event, &n, &err), MO_OK);
	return n;
}

#define YES "11111111-1111-4111-8111-111111111111"
#define NO "22222222-2222-4222-8222-222222222222"
#define NOPHONE "33333333-3333-4333-8333-333333333333"

static void test_queue_rules(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	struct hub_message m, m2;
	struct hub_message_outcome o = {.state = "sent"};
	cJSON *list = NULL;

	put_case(f, YES, "В-2026-000001",
		 "{\"number\":\"В-2026-000001\",\"messages_consent\":true,"
		 "\"applicant\":{\"phone\":\"+380671234567\"}}");
	put_case(f, NO, "В-2026-000002",
		 "{\"number\":\"В-2026-000002\",\"messages_consent\":false,"
		 "\"applicant\":{\"phone\":\"+380671234568\"}}");
	put_case(f, NOPHONE, "В-2026-000003",
		 "{\"number\":\"В-2026-000003\",\"messages_consent\":true,"
		 "\"applicant\":{\"phone\":null}}");
	for (int i = 0; i < 2; i++) {
		const char *ids[] = {YES, NO, NOPHONE};

		for (int k = 0; k < 3; k++) {
			move(f, ids[k], "submitted", "received");
			move(f, ids[k], "received", "in_review");
			move(f, ids[k], "in_review", "needs_info");
		}
	}
	assert_int_equal(count(f, YES, "received"), 1); /* the first receipt only */
	assert_int_equal(count(f, YES, "needs_info"), 2); /* each needs_info is its own */
	assert_int_equal(count(f, NO, "received") + count(f, NO, "needs_info"), 0);
	assert_int_equal(count(f, NOPHONE, "received") + count(f, NOPHONE, "needs_info"), 0);
	/* a rolled-back move leaves no message */
	{
		struct hub_case c;

		memset(&c, 0, sizeof(c));
		mo_strlcpy(c.id, YES, sizeof(c.id));
		assert_int_equal(hub_store_begin(f->h.store, &err), MO_OK);
		assert_int_equal(hub_messages_on_move(f->h.store, &c, "in_review", "approved", &err),
				 MO_OK);
		hub_store_rollback(f->h.store);
		assert_int_equal(count(f, YES, "approved"), 0);
	}
	move(f, YES, "in_review", "approved");
	assert_int_equal(count(f, YES, "approved"), 1);

	/* the same key again changes nothing */
	memset(&m, 0, sizeof(m));
	hub_message_key(m.key, YES, "approved", 1);
	mo_strlcpy(m.case_id, YES, sizeof(m.case_id));
	mo_strlcpy(m.unit, "KR-T01", sizeof(m.unit));
	mo_strlcpy(m.event, "approved", sizeof(m.event));
	m.seq = 1;
	mo_strlcpy(m.phone, "+380671234567", sizeof(m.phone));
	mo_strlcpy(m.text, "x", sizeof(m.text));
	assert_int_equal(hub_store_message_add(f->h.store, &m, &err), MO_EEXISTS);
	m.seq = 7; /* same key, other seq: still the key decides */
	assert_int_equal(hub_store_message_add(f->h.store, &m, &err), MO_EEXISTS);

	/* claims: four due; a claimed one is not claimed again while leased */
	assert_int_equal(hub_store_message_claim(f->h.store, 1000, 60000, "w1", &m, &err), MO_OK);
	assert_string_equal(m.event, "received");
	assert_string_equal(m.phone, "+380671234567");
	assert_int_equal(m.attempts, 1);
	assert_non_null(strstr(m.text, "В-2026-000001"));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(hub_store_message_claim(f->h.store, 1000, 60000, "w2", &m2, &err),
				 MO_OK);
		assert_true(m2.id != m.id);
	}
	assert_int_equal(hub_store_message_claim(f->h.store, 1000, 60000, "w2", &m2, &err),
			 MO_ENOTFOUND);
	/* after the lease runs out another worker may take it; the first then
	 * cannot record its outcome */
	assert_int_equal(hub_store_message_claim(f->h.store, 62000, 60000, "w3", &m2, &err), MO_OK);
	assert_int_equal(m2.attempts, 2);
	assert_int_equal(hub_store_message_done(f->h.store, m2.id, "w1", &o, &err), MO_ECONFLICT);
	assert_int_equal(hub_store_message_done(f->h.store, m2.id, "w3", &o, &err), MO_OK);
	assert_int_equal(hub_store_message_list(f->h.store, YES, &list, &err), MO_OK);
	assert_int_equal(cJSON_GetArraySize(list), 4);
	{
		char *t = cJSON_PrintUnformatted(list);

		assert_null(strstr(t, "+380671234567"));
		assert_non_null(strstr(t, "\"state\":\"sent\""));
		free(t);
	}
	cJSON_Delete(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_units),
	    cmocka_unit_test(test_every_template_fits),
	    cmocka_unit_test(test_event_of_move),
	    cmocka_unit_test(test_key),
	    cmocka_unit_test(test_classify),
	    cmocka_unit_test(test_backoff),
	    cmocka_unit_test(test_body_and_config),
	    cmocka_unit_test_setup_teardown(test_queue_rules, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
