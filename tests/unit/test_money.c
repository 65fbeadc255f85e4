/*
 * test_money.c — hryvnias as kopecks (money.h): every written form a person
 * or a bank uses, each refusal with its code, the overflow edge, and the
 * Ukrainian format (grouped thousands, decimal comma, "грн").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "money.h"

static long long ok(const char *s)
{
	struct mo_err err = MO_ERR_INIT;
	long long v = -1;

	assert_int_equal(proto_money_parse(&v, s, strlen(s), &err), MO_OK);
	return v;
}

static void refused(const char *s, const char *code)
{
	struct mo_err err = MO_ERR_INIT;
	long long v = 777;

	assert_int_equal(proto_money_parse(&v, s, strlen(s), &err), MO_EINVAL);
	if (strcmp(err.code, code) != 0)
		fail_msg("'%s': code %s, expected %s", s, err.code, code);
	assert_int_equal(v, 777); /* untouched */
}

static void test_parse_forms(void **state)
{
	(void)state;
	assert_int_equal(ok("250"), 25000);
	assert_int_equal(ok("250.5"), 25050);
	assert_int_equal(ok("250,5"), 25050);
	assert_int_equal(ok("250,50"), 25050);
	assert_int_equal(ok("250.05"), 25005);
	assert_int_equal(ok("0,01"), 1);
	assert_int_equal(ok("0"), 0);
	assert_int_equal(ok("1 250,00"), 125000);
	assert_int_equal(ok("1\xC2\xA0" "250,00"), 125000);	     /* no-break space */
	assert_int_equal(ok("1\xE2\x80\xAF" "250,00"), 125000);     /* narrow no-break */
	assert_int_equal(ok("12 345 678,90"), 1234567890);
	assert_int_equal(ok("  345 "), 34500);
	assert_int_equal(ok("1 250,00 \xD0\xB3\xD1\x80\xD0\xBD"), 125000); /* грн */
	assert_int_equal(ok("85 UAH"), 8500);
	assert_int_equal(ok("007"), 700);
	/* the largest amount, and one kopeck more */
	assert_int_equal(ok("100000000000"), PROTO_MONEY_MAX);
	refused("100000000000,01", "money_too_big");
}

static void test_parse_refusals(void **state)
{
	(void)state;
	refused("", "money_empty");
	refused("   ", "money_empty");
	refused("-5", "money_negative");
	refused("\xE2\x88\x92" "5", "money_negative"); /* U+2212 minus */
	refused("+5", "money_format");
	refused("250,505", "money_decimals");
	refused("1,250", "money_decimals"); /* never read as 1250 */
	refused("250.", "money_format");
	refused(",50", "money_format");
	refused("2 50", "money_format");
	refused("1 2500", "money_format");
	refused("1250 000", "money_format");
	refused("1 25", "money_format");
	refused("1.250,00", "money_decimals"); /* a dot is not a thousands sign */
	refused("12a", "money_format");
	refused("1e3", "money_format");
	refused("0x10", "money_format");
	refused("250,5,0", "money_format");
	refused("99999999999999999999999", "money_too_big");
	refused("9223372036854775808", "money_too_big");
	{
		struct mo_err err = MO_ERR_INIT;
		long long v;

		assert_int_equal(proto_money_parse(&v, NULL, 0, &err), MO_EINVAL);
		/* len is honoured: only "25" is read of "250" */
		assert_int_equal(proto_money_parse(&v, "250", 2, &err), MO_OK);
		assert_int_equal(v, 2500);
	}
}

static void test_format(void **state)
{
	char b[PROTO_MONEY_TEXT_MAX];

	(void)state;
	assert_string_equal(proto_money_format(b, sizeof(b), 125000, true),
			    "1 250,00 \xD0\xB3\xD1\x80\xD0\xBD");
	assert_string_equal(proto_money_format(b, sizeof(b), 5, false), "0,05");
	assert_string_equal(proto_money_format(b, sizeof(b), 34500, false), "345,00");
	assert_string_equal(proto_money_format(b, sizeof(b), 100000, false), "1 000,00");
	assert_string_equal(proto_money_format(b, sizeof(b), 123456789012, false),
			    "1 234 567 890,12");
	assert_string_equal(proto_money_format(b, sizeof(b), -2550, false), "-25,50");
	proto_money_format(b, sizeof(b), INT64_MIN, true); /* no overflow */
	assert_string_equal(b, "-92 233 720 368 547 758,08 \xD0\xB3\xD1\x80\xD0\xBD");
	assert_string_equal(proto_money_format(b, 4, 125000, false), "1 2");
	/* what is formatted reads back */
	for (long long k = 0; k < 2000000; k += 9973) {
		long long v;
		struct mo_err err = MO_ERR_INIT;

		proto_money_format(b, sizeof(b), k, true);
		assert_int_equal(proto_money_parse(&v, b, strlen(b), &err), MO_OK);
		assert_int_equal(v, k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_forms),
	    cmocka_unit_test(test_parse_refusals),
	    cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
