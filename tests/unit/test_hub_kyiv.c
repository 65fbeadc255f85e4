/*
 * test_hub_kyiv.c — Kyiv local time from the TZ database (hub/kyiv.h):
 * winter (EET, +2) and summer (EEST, +3) dates, the two switch nights to
 * the second, a date before Ukraine kept the EU rule (from the table, not
 * the rule), dates after the table's end, and refused input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kyiv.h"

static void text_is(const char *iso, const char *want)
{
	char out[17];

	assert_string_equal(hub_kyiv_text(iso, out), want);
}

static void test_winter_and_summer(void **state)
{
	(void)state;
	assert_true(hub_kyiv_source()[0] != '\0'); /* tzdata is a build dependency */
	text_is("2026-12-02T12:05:00Z", "02.12.2026 14:05");
	text_is("2026-07-01T12:00:00.123Z", "01.07.2026 15:00");
	text_is("2026-12-31T22:30:00Z", "01.01.2027 00:30"); /* the next day and year */
	text_is("2026-01-01T00:00:00Z", "01.01.2026 02:00");
}

static void test_switch_nights(void **state)
{
	(void)state;
	/* 2026: last Sunday of March is the 29th, of October the 25th, at 01:00 UTC */
	text_is("2026-03-29T00:59:59Z", "29.03.2026 02:59");
	text_is("2026-03-29T01:00:00Z", "29.03.2026 04:00");
	text_is("2026-10-25T00:59:59Z", "25.10.2026 03:59");
	text_is("2026-10-25T01:00:00Z", "25.10.2026 03:00");
	assert_int_equal(hub_kyiv_offset(1774745999), 7200);  /* 2026-03-29T00:59:59Z */
	assert_int_equal(hub_kyiv_offset(1774746000), 10800); /* 2026-03-29T01:00:00Z */
}

static void test_table_and_after(void **state)
{
	(void)state;
	/* 1990: Moscow time (+3) in winter, from the table: no rule says that */
	text_is("1990-01-15T12:00:00Z", "15.01.1990 15:00");
	/* long after any table: the footer's rule */
	text_is("2100-07-01T00:00:00Z", "01.07.2100 03:00");
	text_is("2100-01-01T00:00:00Z", "01.01.2100 02:00");
}

static void test_refused(void **state)
{
	struct hub_local l;

	(void)state;
	text_is(NULL, "");
	text_is("", "");
	text_is("2026-12-02", "");
	text_is("2026-12-02T12:05:00+02:00", "");
	text_is("2026-13-02T12:05:00Z", "");
	assert_false(hub_kyiv_parts("yesterday", &l));
	assert_true(hub_kyiv_parts("2026-07-01T12:00:07Z", &l));
	assert_int_equal(l.year, 2026);
	assert_int_equal(l.month, 7);
	assert_int_equal(l.day, 1);
	assert_int_equal(l.hour, 15);
	assert_int_equal(l.min, 0);
	assert_int_equal(l.sec, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_winter_and_summer),
	    cmocka_unit_test(test_switch_nights),
	    cmocka_unit_test(test_table_and_after),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
