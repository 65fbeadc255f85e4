/* test_hlc.c — hybrid logical clock (hlc.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hlc.h"

#define T0 1767225600000ull /* 2026-01-01T00:00:00Z */

static void test_now_monotonic(void **state)
{
	struct proto_clock c = {0};
	uint64_t a, b, prev = 0;

	(void)state;
	a = proto_hlc_now(&c, T0);
	assert_int_equal(a, T0 << 16);
	/* same millisecond: the counter moves */
	b = proto_hlc_now(&c, T0);
	assert_int_equal(b, (T0 << 16) + 1);
	/* the wall clock steps back: still strictly increasing */
	a = proto_hlc_now(&c, T0 - 5000);
	assert_int_equal(a, (T0 << 16) + 2);
	/* the wall clock moves on: counter resets */
	b = proto_hlc_now(&c, T0 + 1);
	assert_int_equal(b, (T0 + 1) << 16);
	assert_int_equal(proto_hlc_ms(b), T0 + 1);
	for (uint64_t i = 0; i < 100000; i++) {
		uint64_t h = proto_hlc_now(&c, T0 + i / 1000 - (i % 7 == 0 ? 3 : 0));

		assert_true(h > prev);
		prev = h;
	}
}

static void test_receive(void **state)
{
	struct proto_clock c = {0};
	struct mo_err err = MO_ERR_INIT;
	uint64_t remote = ((T0 + 60000) << 16) | 5, h;

	(void)state;
	(void)proto_hlc_now(&c, T0);
	/* a remote a minute ahead is merged: later events sort after it */
	assert_int_equal(proto_hlc_receive(&c, remote, T0, PROTO_HLC_MAX_AHEAD_MS, &err), MO_OK);
	assert_int_equal(c.last, remote + 1);
	h = proto_hlc_now(&c, T0 + 10);
	assert_true(h > remote);
	/* a remote behind us moves nothing but the counter */
	assert_int_equal(proto_hlc_receive(&c, T0 << 16, T0, PROTO_HLC_MAX_AHEAD_MS, &err), MO_OK);
	assert_int_equal(c.last, h + 1);
	/* wall clock far ahead of both: wall wins with counter 0 */
	assert_int_equal(
		proto_hlc_receive(&c, T0 << 16, T0 + 3600000, PROTO_HLC_MAX_AHEAD_MS, &err), MO_OK);
	assert_int_equal(c.last, (T0 + 3600000) << 16);
}

static void test_clock_skew(void **state)
{
	struct proto_clock c = {0};
	struct mo_err err = MO_ERR_INIT;
	uint64_t before;

	(void)state;
	(void)proto_hlc_now(&c, T0);
	before = c.last;
	/* exactly at the limit is fine */
	assert_int_equal(proto_hlc_receive(&c, (T0 + 1000) << 16, T0, 1000, &err), MO_OK);
	before = c.last;
	/* one ms further is refused, the clock is left unchanged */
	assert_int_equal(proto_hlc_receive(&c, (T0 + 1001) << 16, T0, 1000, &err), MO_ECONFLICT);
	assert_string_equal(err.code, "clock_skew");
	assert_int_equal(c.last, before);
	/* the real limit: 24 h */
	assert_int_equal(proto_hlc_receive(&c, (T0 + PROTO_HLC_MAX_AHEAD_MS + 1) << 16, T0,
					   PROTO_HLC_MAX_AHEAD_MS, &err),
			 MO_ECONFLICT);
	assert_int_equal(c.last, before);
	/* a laptop clock behind is fine */
	assert_int_equal(proto_hlc_receive(&c, 1, T0, PROTO_HLC_MAX_AHEAD_MS, &err), MO_OK);
}

static void test_format_parse(void **state)
{
	char s[PROTO_HLC_HEX];
	uint64_t v = 0;

	(void)state;
	proto_hlc_format(s, 0x019bb0d1a5c80003ull);
	assert_string_equal(s, "019bb0d1a5c80003");
	assert_true(proto_hlc_parse(&v, s));
	assert_int_equal(v, 0x019bb0d1a5c80003ull);
	proto_hlc_format(s, 0);
	assert_string_equal(s, "0000000000000000");
	proto_hlc_format(s, UINT64_MAX);
	assert_string_equal(s, "ffffffffffffffff");
	assert_true(proto_hlc_parse(&v, s));
	assert_int_equal(v, UINT64_MAX);
	v = 42;
	assert_false(proto_hlc_parse(&v, "019BB0D1A5C80003"));
	assert_false(proto_hlc_parse(&v, "019bb0d1a5c8000"));
	assert_false(proto_hlc_parse(&v, "019bb0d1a5c800030"));
	assert_false(proto_hlc_parse(&v, "019bb0d1a5c8000g"));
	assert_false(proto_hlc_parse(&v, " 19bb0d1a5c80003"));
	assert_false(proto_hlc_parse(&v, ""));
	assert_false(proto_hlc_parse(&v, NULL));
	assert_int_equal(v, 42);
	assert_int_equal(proto_hlc_compare(1, 2), -1);
	assert_int_equal(proto_hlc_compare(2, 2), 0);
	assert_int_equal(proto_hlc_compare(UINT64_MAX, 2), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_now_monotonic),
		cmocka_unit_test(test_receive),
		cmocka_unit_test(test_clock_skew),
		cmocka_unit_test(test_format_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
