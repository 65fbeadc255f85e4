/*
 * test_validate.c — field validation (validate.h).  Expected values were
 * computed independently (Python datetime and the RNOKPP weights), not by
 * the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "validate.h"

static void test_rnokpp_valid(void **state)
{
	struct mo_err e = MO_ERR_INIT;

	(void)state;
	/* from the shared generator: the canonical applicant */
	assert_int_equal(proto_rnokpp_check("1956229334", "1953-07-23", &e), MO_OK);
	assert_int_equal(proto_rnokpp_check("1956229334", NULL, &e), MO_OK);
	assert_int_equal(proto_rnokpp_check("3658412340", "2000-02-29", &e), MO_OK);
	assert_int_equal(proto_rnokpp_check("0000100004", "1900-01-01", &e), MO_OK);
	assert_int_equal(proto_rnokpp_check("3250756789", "1988-12-31", &e), MO_OK);
}

static void test_rnokpp_check_digit(void **state)
{
	struct mo_err e = MO_ERR_INIT;

	(void)state;
	/* every wrong last digit is refused */
	for (char d = '0'; d <= '9'; d++) {
		char s[11] = "195622933";

		if (d == '4')
			continue;
		s[9] = d;
		s[10] = '\0';
		mo_err_clear(&e);
		assert_int_equal(proto_rnokpp_check(s, NULL, &e), MO_EINVAL);
		assert_string_equal(e.code, "rnokpp_check_digit");
		assert_non_null(strstr(e.msg, "check digit"));
	}
	/* a swapped pair of digits is caught */
	assert_int_equal(proto_rnokpp_check("1596229334", NULL, &e), MO_EINVAL);
}

static void test_rnokpp_birth_date(void **state)
{
	struct mo_err e = MO_ERR_INIT;

	(void)state;
	assert_int_equal(proto_rnokpp_check("1956229334", "1953-07-24", &e), MO_EINVAL);
	assert_string_equal(e.code, "rnokpp_birth_date");
	assert_non_null(strstr(e.msg, "1953-07-23"));
	mo_err_clear(&e);
	assert_int_equal(proto_rnokpp_check("1956229334", "1953-02-30", &e), MO_EINVAL);
	assert_string_equal(e.code, "date");
}

static void test_rnokpp_format(void **state)
{
	static const char *const bad[] = {"",		"195622933",  "19562293345", "19562293a4",
					  " 956229334", "1956-22933", "１956229334", NULL};
	struct mo_err e = MO_ERR_INIT;

	(void)state;
	for (int i = 0; bad[i]; i++) {
		mo_err_clear(&e);
		assert_int_equal(proto_rnokpp_check(bad[i], NULL, &e), MO_EINVAL);
		assert_string_equal(e.code, "rnokpp_length");
	}
	assert_int_equal(proto_rnokpp_check(NULL, NULL, &e), MO_EINVAL);
}

static void test_phone_forms(void **state)
{
	static const char *const ok[] = {
	    "+380 67 123 45 67",   "380671234567",  "0671234567",    "(067) 123-45-67",
	    "+38 (067) 123 45 67", "+380671234567", "067-123-45-67", NULL};
	char out[PROTO_PHONE_LEN];
	struct mo_err e = MO_ERR_INIT;

	(void)state;
	for (int i = 0; ok[i]; i++) {
		memset(out, 'x', sizeof(out));
		assert_int_equal(proto_phone_normalize(out, ok[i], &e), MO_OK);
		assert_string_equal(out, "+380671234567");
	}
	assert_int_equal(proto_phone_normalize(out, "+380977363668", &e), MO_OK);
	assert_string_equal(out, "+380977363668");
}

static void test_phone_bad(void **state)
{
	static const char *const bad[] = {"",
					  "+",
					  "671234567",		/* no trunk prefix */
					  "+0671234567",	/* plus without country */
					  "+381671234567",	/* Serbia */
					  "38067123456",	/* one digit short */
					  "3806712345678",	/* one digit long */
					  "06712345678",	/* 11 digits */
					  "+380 067 123 45 67", /* trunk 0 kept after 380 */
					  "0071234567",		/* operator code 0x */
					  "067 123 45 6a",
					  "((067)) 1234567",
					  "(067 123 45 67",
					  "067) 123 45 67",
					  "067 123 45 67+",
					  "067.123.45.67",
					  "067 123 45 67                        ", /* too long */
					  NULL};
	char out[PROTO_PHONE_LEN];
	struct mo_err e = MO_ERR_INIT;

	(void)state;
	for (int i = 0; bad[i]; i++) {
		mo_err_clear(&e);
		assert_int_equal(proto_phone_normalize(out, bad[i], &e), MO_EINVAL);
		assert_string_equal(e.code, "phone");
		assert_string_equal(out, "");
	}
	assert_int_equal(proto_phone_normalize(out, NULL, &e), MO_EINVAL);
}

static void test_dates(void **state)
{
	(void)state;
	assert_true(proto_date_valid("2024-02-29"));
	assert_false(proto_date_valid("2023-02-29"));
	assert_true(proto_date_valid("2000-02-29"));  /* divisible by 400 */
	assert_false(proto_date_valid("2100-02-29")); /* divisible by 100 */
	assert_true(proto_date_valid("1900-01-01"));
	assert_false(proto_date_valid("1899-12-31"));
	assert_true(proto_date_valid("2199-12-31"));
	assert_false(proto_date_valid("2200-01-01"));
	assert_false(proto_date_valid("2024-04-31"));
	assert_true(proto_date_valid("2024-12-31"));
	assert_false(proto_date_valid("2024-13-01"));
	assert_false(proto_date_valid("2024-00-10"));
	assert_false(proto_date_valid("2024-01-00"));
	assert_false(proto_date_valid("2024-1-01"));
	assert_false(proto_date_valid("2024/01/01"));
	assert_false(proto_date_valid("2024-01-011"));
	assert_false(proto_date_valid(" 024-01-01"));
	assert_false(proto_date_valid(NULL));

	assert_int_equal(proto_date_days("1900-01-01"), 1);
	assert_int_equal(proto_date_days("1953-07-23"), 19562);
	assert_int_equal(proto_date_days("2000-02-29"), 36584);
	assert_int_equal(proto_date_days("2023-02-29"), -1);
}

static void test_datetimes(void **state)
{
	(void)state;
	assert_true(proto_datetime_valid("2026-01-12T07:01:47.349Z"));
	assert_true(proto_datetime_valid("2026-01-12T07:01:47Z"));
	assert_true(proto_datetime_valid("2026-01-12T23:59:59.123456Z"));
	assert_false(proto_datetime_valid("2026-01-12T24:00:00Z"));
	assert_false(proto_datetime_valid("2026-01-12T07:60:00Z"));
	assert_false(proto_datetime_valid("2026-01-12T07:01:60Z"));
	assert_false(proto_datetime_valid("2026-01-12T07:01:47"));
	assert_false(proto_datetime_valid("2026-01-12 07:01:47Z"));
	assert_false(proto_datetime_valid("2026-01-12T07:01:47.Z"));
	assert_false(proto_datetime_valid("2026-01-12T07:01:47.3a9Z"));
	assert_false(proto_datetime_valid("2026-01-12T07:01:47+02:00"));
	assert_false(proto_datetime_valid("2026-02-30T07:01:47Z"));
	assert_false(proto_datetime_valid(""));
	assert_false(proto_datetime_valid(NULL));
}

static void test_uuids(void **state)
{
	(void)state;
	assert_true(proto_uuid_valid("3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"));
	assert_true(proto_uuid_valid("3F2B8C1E-9A4D-4E6F-8B7A-1C2D3E4F5A6B"));
	assert_false(proto_uuid_valid("3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6"));
	assert_false(proto_uuid_valid("3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6bb"));
	assert_false(proto_uuid_valid("3f2b8c1e9a4d-4e6f-8b7a-1c2d3e4f5a6b-"));
	assert_false(proto_uuid_valid("3f2b8c1g-9a4d-4e6f-8b7a-1c2d3e4f5a6b"));
	assert_false(proto_uuid_valid("{3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6}"));
	assert_false(proto_uuid_valid(""));
	assert_false(proto_uuid_valid(NULL));
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(proto_utf8_valid("Олена Коваль", strlen("Олена Коваль")));
	assert_true(proto_utf8_valid("\xF0\x9F\x98\x80", 4));  /* U+1F600 */
	assert_true(proto_utf8_valid("\xF4\x8F\xBF\xBF", 4));  /* U+10FFFF */
	assert_true(proto_utf8_valid("\xEF\xBF\xBF", 3));      /* U+FFFF */
	assert_false(proto_utf8_valid("\xC0\xAF", 2));	       /* overlong '/' */
	assert_false(proto_utf8_valid("\xC1\xBF", 2));	       /* overlong */
	assert_false(proto_utf8_valid("\xE0\x80\xAF", 3));     /* overlong */
	assert_false(proto_utf8_valid("\xF0\x80\x80\xAF", 4)); /* overlong */
	assert_false(proto_utf8_valid("\xED\xA0\x80", 3));     /* surrogate D800 */
	assert_false(proto_utf8_valid("\xED\xBF\xBF", 3));     /* surrogate DFFF */
	assert_false(proto_utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(proto_utf8_valid("\xF5\x80\x80\x80", 4));
	assert_false(proto_utf8_valid("\xFF", 1));
	assert_false(proto_utf8_valid("\x80", 1));	   /* lone continuation */
	assert_false(proto_utf8_valid("\xD0", 1));	   /* truncated */
	assert_false(proto_utf8_valid("\xE2\x82", 2));	   /* truncated */
	assert_false(proto_utf8_valid("\xE2\x28\xA1", 3)); /* bad continuation */
	assert_int_equal(proto_utf8_prefix("ab\xC0\xAF", 4), 2);
	assert_int_equal(proto_utf8_prefix("ab", 2), 2);
}

static void test_text(void **state)
{
	struct mo_err e = MO_ERR_INIT;

	(void)state;
	assert_int_equal(proto_text_check("Рядок\tз табом\nі новим рядком", 200, "notes", &e),
			 MO_OK);
	assert_int_equal(proto_text_check("", 10, "notes", &e), MO_OK);
	assert_int_equal(proto_text_check("abcd", 4, "notes", &e), MO_OK);
	assert_int_equal(proto_text_check("abcde", 4, "notes", &e), MO_EINVAL);
	assert_string_equal(e.code, "too_long");
	assert_non_null(strstr(e.msg, "notes"));
	assert_int_equal(proto_text_check("a\rb", 10, "notes", &e), MO_EINVAL);
	assert_string_equal(e.code, "control_char");
	assert_int_equal(proto_text_check("a\x1b[0m", 10, "notes", &e), MO_EINVAL);
	assert_int_equal(proto_text_check("a\x7f", 10, "notes", &e), MO_EINVAL);
	assert_int_equal(proto_text_check("a\xC2\x85", 10, "notes", &e), MO_EINVAL); /* NEL */
	assert_int_equal(proto_text_check("a\xC0\xAF", 10, "surname", &e), MO_EINVAL);
	assert_string_equal(e.code, "utf8");
	assert_non_null(strstr(e.msg, "surname"));
}

static void test_date_parse(void **state)
{
	char iso[11];

	(void)state;
	assert_int_equal(proto_date_parse("15.03.1948", iso), MO_OK);
	assert_string_equal(iso, "1948-03-15");
	assert_int_equal(proto_date_parse(" 5.3.1948 ", iso), MO_OK);
	assert_string_equal(iso, "1948-03-05");
	assert_int_equal(proto_date_parse("1948-03-15", iso), MO_OK);
	assert_string_equal(iso, "1948-03-15");
	assert_int_equal(proto_date_parse("29/02/2024", iso), MO_OK);
	assert_string_equal(iso, "2024-02-29");
	/* the calendar is checked */
	assert_int_equal(proto_date_parse("29.02.2023", iso), MO_EINVAL);
	assert_string_equal(iso, "");
	assert_int_equal(proto_date_parse("31.04.1990", iso), MO_EINVAL);
	assert_int_equal(proto_date_parse("15.13.1990", iso), MO_EINVAL);
	assert_int_equal(proto_date_parse("00.01.1990", iso), MO_EINVAL);
	/* a two-digit year is ambiguous; mixed separators and junk are refused */
	assert_int_equal(proto_date_parse("15.03.48", iso), MO_EINVAL);
	assert_int_equal(proto_date_parse("15.03-1948", iso), MO_EINVAL);
	assert_int_equal(proto_date_parse("15.03.1948x", iso), MO_EINVAL);
	assert_int_equal(proto_date_parse("1948.03.15", iso), MO_EINVAL);
	assert_int_equal(proto_date_parse("", iso), MO_EINVAL);
	assert_int_equal(proto_date_parse(NULL, iso), MO_EINVAL);
	assert_int_equal(proto_date_parse("01.01.1899", iso), MO_EINVAL);
}

static void test_date_display(void **state)
{
	char out[11];

	(void)state;
	proto_date_display("1948-03-15", out);
	assert_string_equal(out, "15.03.1948");
	proto_date_display("junk", out);
	assert_string_equal(out, "junk");
	proto_date_display("2026-12-02T21:06:00Z", out);
	assert_string_equal(out, "2026-12-02");
	proto_date_display(NULL, out);
	assert_string_equal(out, "");
}

static void test_rnokpp_encoded_date(void **state)
{
	char iso[11];

	(void)state;
	assert_int_equal(proto_rnokpp_birth_date("1956229334", iso), MO_OK);
	assert_string_equal(iso, "1953-07-23");
	assert_int_equal(proto_rnokpp_birth_date("0000100000", iso), MO_OK);
	assert_string_equal(iso, "1900-01-01");
	assert_int_equal(proto_rnokpp_birth_date("0000000000", iso), MO_EINVAL);
	assert_int_equal(proto_rnokpp_birth_date("12345", iso), MO_EINVAL);
	assert_int_equal(proto_rnokpp_birth_date("12a4567890", iso), MO_EINVAL);
	assert_string_equal(iso, "");
}

static void test_time_kyiv(void **state)
{
	char out[17];

	(void)state;
	/* winter: UTC+2 */
	proto_time_kyiv(1796238360000LL, out); /* 2026-12-02T19:06:00Z */
	assert_string_equal(out, "02.12.2026 21:06");
	proto_time_kyiv(1798754400000LL, out); /* 2026-12-31T22:00:00Z: the new year */
	assert_string_equal(out, "01.01.2027 00:00");
	proto_time_kyiv(1709245800000LL, out); /* 2024-02-29T22:30:00Z: leap day rolls over */
	assert_string_equal(out, "01.03.2024 00:30");
	/* last Sunday of March (29.03.2026) 01:00 UTC: 03:00 EET becomes 04:00 EEST */
	proto_time_kyiv(1774745999000LL, out);
	assert_string_equal(out, "29.03.2026 02:59");
	proto_time_kyiv(1774746000000LL, out);
	assert_string_equal(out, "29.03.2026 04:00");
	/* last Sunday of October (25.10.2026) 01:00 UTC: 04:00 EEST falls back to 03:00 */
	proto_time_kyiv(1792889999000LL, out);
	assert_string_equal(out, "25.10.2026 03:59");
	proto_time_kyiv(1792890000000LL, out);
	assert_string_equal(out, "25.10.2026 03:00");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rnokpp_valid),
	    cmocka_unit_test(test_rnokpp_check_digit),
	    cmocka_unit_test(test_rnokpp_birth_date),
	    cmocka_unit_test(test_rnokpp_format),
	    cmocka_unit_test(test_phone_forms),
	    cmocka_unit_test(test_phone_bad),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_datetimes),
	    cmocka_unit_test(test_uuids),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_date_parse),
	    cmocka_unit_test(test_date_display),
	    cmocka_unit_test(test_time_kyiv),
	    cmocka_unit_test(test_rnokpp_encoded_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
