/*
 * test_lookup.c — receipt status codes and their checks (lookup.h): the
 * grouped format and alphabet, what typing forgives, a known-answer scrypt
 * vector computed outside this code (Python hashlib.scrypt), and that a
 * wrong code, a wrong number or a malformed check never verify.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lookup.h"

static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
#define NUMBER "MO-TEST1-2026-000001"
/* hashlib.scrypt(b"7KQ2M9XD4F", salt=NUMBER, n=16384, r=8, p=1, dklen=32) */
#define VECTOR "scrypt$14$8$1$296f12968c807fec46aa8e9c427b5d1a41a754f51629e09edf4fe3b45d0f3e00"

static void test_code_format(void **state)
{
	char code[PROTO_LOOKUP_CODE_LEN], prev[PROTO_LOOKUP_CODE_LEN] = "";
	unsigned seen[32] = {0};

	(void)state;
	for (int k = 0; k < 200; k++) {
		assert_int_equal(proto_lookup_code_new(code), 0);
		assert_int_equal(strlen(code), 12);
		assert_int_equal(code[4], '-');
		assert_int_equal(code[9], '-');
		for (int i = 0; i < 12; i++) {
			const char *p;

			if (i == 4 || i == 9)
				continue;
			p = strchr(ALPHABET, code[i]);
			assert_non_null(p);
			assert_true(code[i] != '\0');
			seen[p - ALPHABET]++;
		}
		assert_string_not_equal(code, prev);
		memcpy(prev, code, sizeof(prev));
	}
	/* 2000 symbols: every one of the 32 turns up (a biased or short draw would not) */
	for (int i = 0; i < 32; i++)
		assert_true(seen[i] > 0);
}

static void test_normalize(void **state)
{
	char sym[PROTO_LOOKUP_SYMBOLS + 1];

	(void)state;
	assert_true(proto_lookup_code_normalize(sym, "7KQ2-M9XD-4F"));
	assert_string_equal(sym, "7KQ2M9XD4F");
	assert_true(proto_lookup_code_normalize(sym, " 7kq2 m9xd 4f "));
	assert_string_equal(sym, "7KQ2M9XD4F");
	assert_true(proto_lookup_code_normalize(sym, "OIL0-0000-00"));
	assert_string_equal(sym, "0110000000");
	assert_false(proto_lookup_code_normalize(sym, "7KQ2-M9XD-4")); /* 9 symbols */
	assert_string_equal(sym, "");
	assert_false(proto_lookup_code_normalize(sym, "7KQ2-M9XD-4FF")); /* 11 */
	assert_false(proto_lookup_code_normalize(sym, "7KQ2-M9XD-4U"));	 /* U is not one */
	assert_false(proto_lookup_code_normalize(sym, "7KQ2-M9XD-4\xd0\x9a"));
	assert_false(proto_lookup_code_normalize(sym, ""));
	assert_false(proto_lookup_code_normalize(sym, NULL));
}

static void test_check_vector(void **state)
{
	char check[PROTO_LOOKUP_CHECK_LEN];
	struct mo_err e = MO_ERR_INIT;

	(void)state;
	assert_int_equal(proto_lookup_check_make(check, NUMBER, "7KQ2-M9XD-4F", &e), 0);
	assert_string_equal(check, VECTOR);
	assert_true(proto_lookup_check_valid(check));
	/* typed differently, the same code */
	assert_int_equal(proto_lookup_check_make(check, NUMBER, "7kq2m9xd4f", &e), 0);
	assert_string_equal(check, VECTOR);
	assert_int_equal(proto_lookup_check_make(check, NUMBER, "7KQ2-M9XD", &e), MO_EINVAL);
	assert_string_equal(e.code, "bad_value");
	assert_int_equal(proto_lookup_check_make(check, "", "7KQ2-M9XD-4F", &e), MO_EINVAL);
}

static void test_verify(void **state)
{
	(void)state;
	assert_true(proto_lookup_check_verify(VECTOR, NUMBER, "7KQ2-M9XD-4F"));
	assert_true(proto_lookup_check_verify(VECTOR, NUMBER, "7kq2 m9xd 4f"));
	/* one symbol off, another case's number, nonsense */
	assert_false(proto_lookup_check_verify(VECTOR, NUMBER, "7KQ2-M9XD-4G"));
	assert_false(proto_lookup_check_verify(VECTOR, "MO-TEST1-2026-000002", "7KQ2-M9XD-4F"));
	assert_false(proto_lookup_check_verify(VECTOR, NUMBER, "7KQ2"));
	assert_false(proto_lookup_check_verify(NULL, NUMBER, "7KQ2-M9XD-4F"));
	assert_false(proto_lookup_check_verify(VECTOR, NULL, "7KQ2-M9XD-4F"));
	/* the dummy of an unknown number never matches, even the dummy code */
	assert_false(proto_lookup_check_verify(NULL, "-", "0000000000"));
}

static void test_check_form(void **state)
{
	char bad[sizeof(VECTOR) + 1];

	(void)state;
	assert_false(proto_lookup_check_valid(NULL));
	assert_false(proto_lookup_check_valid(""));
	assert_false(proto_lookup_check_valid(
	    "scrypt$15$8$1$296f12968c807fec46aa8e9c427b5d1a41a754f51629e09edf4fe3b45d0f3e00"));
	memcpy(bad, VECTOR, sizeof(VECTOR));
	bad[20] = 'A'; /* upper case hex */
	assert_false(proto_lookup_check_valid(bad));
	assert_false(proto_lookup_check_verify(bad, NUMBER, "7KQ2-M9XD-4F"));
	memcpy(bad, VECTOR, sizeof(VECTOR));
	bad[sizeof(VECTOR) - 2] = '\0'; /* 63 digits */
	assert_false(proto_lookup_check_valid(bad));
	memcpy(bad, VECTOR, sizeof(VECTOR));
	bad[sizeof(VECTOR) - 1] = '0'; /* 65 digits */
	bad[sizeof(VECTOR)] = '\0';
	assert_false(proto_lookup_check_valid(bad));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_code_format),	 cmocka_unit_test(test_normalize),
	    cmocka_unit_test(test_check_vector), cmocka_unit_test(test_verify),
	    cmocka_unit_test(test_check_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
