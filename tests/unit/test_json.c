/*
 * test_json.c — the untrusted-JSON gate (json.h): limits, UTF-8, NUL,
 * duplicate keys, trailing data, exact integers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "json.h"

static int parse(const char *s, cJSON **out, struct mo_err *e)
{
	mo_err_clear(e);
	return proto_json_parse(out, s, strlen(s), NULL, e);
}

/* parse and throw away; returns the rc */
static int rc_of(const char *s)
{
	struct mo_err e = MO_ERR_INIT;
	cJSON *v = NULL;
	int rc = parse(s, &v, &e);

	assert_true(rc == MO_OK ? v != NULL : v == NULL);
	cJSON_Delete(v);
	return rc;
}

static char *nested(size_t depth)
{
	char *s = malloc(2 * depth + 1);

	assert_non_null(s);
	memset(s, '[', depth);
	memset(s + depth, ']', depth);
	s[2 * depth] = '\0';
	return s;
}

static double seconds_since(clock_t t0)
{
	return (double)(clock() - t0) / CLOCKS_PER_SEC;
}

static void test_depth_limit(void **state)
{
	struct mo_err e = MO_ERR_INIT;
	cJSON *v = NULL;
	char *s32 = nested(32), *s33 = nested(33);

	(void)state;
	assert_int_equal(parse(s32, &v, &e), MO_OK);
	cJSON_Delete(v);
	assert_int_equal(parse(s33, &v, &e), MO_ETOOBIG);
	assert_null(v);
	assert_non_null(strstr(e.msg, "byte 32"));
	/* objects count the same as arrays */
	assert_int_equal(rc_of("{\"a\":{\"b\":[{}]}}"), MO_OK);
	free(s32);
	free(s33);
}

static void test_depth_custom(void **state)
{
	struct proto_json_limits lim = {3, 100, 100};
	struct mo_err e = MO_ERR_INIT;
	cJSON *v = NULL;

	(void)state;
	assert_int_equal(proto_json_parse(&v, "[[[1]]]", 7, &lim, &e), MO_OK);
	cJSON_Delete(v);
	assert_int_equal(proto_json_parse(&v, "[[[[1]]]]", 9, &lim, &e), MO_ETOOBIG);
	/* depth drops again after closing, siblings are not cumulative */
	assert_int_equal(proto_json_parse(&v, "[[[1]],[[2]],[[3]]]", 19, &lim, &e), MO_OK);
	cJSON_Delete(v);
}

static void test_million_brackets_fast(void **state)
{
	size_t n = 1000000;
	char *s = malloc(n);
	struct mo_err e = MO_ERR_INIT;
	cJSON *v = NULL;
	clock_t t0;

	(void)state;
	assert_non_null(s);
	memset(s, '[', n);
	t0 = clock();
	assert_int_equal(proto_json_parse(&v, s, n, NULL, &e), MO_ETOOBIG);
	assert_true(seconds_since(t0) < 0.5);
	assert_null(v);
	/* an unbalanced million of closers is refused as corrupt */
	memset(s, ']', n);
	assert_int_equal(proto_json_parse(&v, s, n, NULL, &e), MO_ECORRUPT);
	free(s);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_int_equal(rc_of("[\"Олена Коваль\"]"), MO_OK);
	assert_int_equal(rc_of("{\"прізвище\":\"Коваль\"}"), MO_OK);
	assert_int_equal(rc_of("[\"a\xff\"]"), MO_ECORRUPT);		/* in a string */
	assert_int_equal(rc_of("{\"k\xc3\":1}"), MO_ECORRUPT);		/* in a key */
	assert_int_equal(rc_of("[\"\xc0\xaf\"]"), MO_ECORRUPT);		/* overlong '/' */
	assert_int_equal(rc_of("[\"\xe0\x80\xaf\"]"), MO_ECORRUPT);	/* overlong */
	assert_int_equal(rc_of("[\"\xed\xa0\x80\"]"), MO_ECORRUPT);	/* raw surrogate */
	assert_int_equal(rc_of("[\"\xf4\x90\x80\x80\"]"), MO_ECORRUPT); /* > U+10FFFF */
	/* escaped surrogates: a pair is fine, a lone half is not */
	assert_int_equal(rc_of("[\"\\ud83d\\ude00\"]"), MO_OK);
	assert_int_equal(rc_of("[\"\\ud800\"]"), MO_ECORRUPT);
	assert_int_equal(rc_of("[\"\\udc00\"]"), MO_ECORRUPT);
	/* raw bytes outside strings */
	assert_int_equal(rc_of("[1,\xd0\x90]"), MO_ECORRUPT);
}

static void test_utf8_offset(void **state)
{
	struct mo_err e = MO_ERR_INIT;
	cJSON *v = NULL;

	(void)state;
	assert_int_equal(parse("[\"abc\xff\"]", &v, &e), MO_ECORRUPT);
	assert_non_null(strstr(e.msg, "UTF-8"));
	assert_non_null(strstr(e.msg, "byte 5"));
}

static void test_nul(void **state)
{
	struct mo_err e = MO_ERR_INIT;
	cJSON *v = NULL;
	const char raw[] = "[\"a\0b\"]";

	(void)state;
	assert_int_equal(parse("[\"a\\u0000b\"]", &v, &e), MO_ECORRUPT);
	assert_non_null(strstr(e.msg, "NUL"));
	assert_int_equal(rc_of("{\"\\u0000\":1}"), MO_ECORRUPT);
	/* an escaped backslash followed by the letters u0000 is fine */
	assert_int_equal(parse("[\"\\\\u0000\"]", &v, &e), MO_OK);
	assert_string_equal(cJSON_GetArrayItem(v, 0)->valuestring, "\\u0000");
	cJSON_Delete(v);
	assert_int_equal(rc_of("[\"\\u0001\"]"), MO_OK);
	/* a raw NUL or control byte inside a string */
	assert_int_equal(proto_json_parse(&v, raw, sizeof(raw) - 1, NULL, &e), MO_ECORRUPT);
	assert_int_equal(rc_of("[\"a\nb\"]"), MO_ECORRUPT);
}

static void test_duplicates(void **state)
{
	struct mo_err e = MO_ERR_INIT;
	cJSON *v = NULL;

	(void)state;
	assert_int_equal(parse("{\"a\":1,\"b\":2,\"a\":3}", &v, &e), MO_ECORRUPT);
	assert_non_null(strstr(e.msg, "duplicate key 'a'"));
	assert_int_equal(rc_of("{\"x\":[{\"k\":1},{\"m\":{\"n\":1,\"n\":2}}]}"), MO_ECORRUPT);
	/* the same key after escapes are decoded */
	assert_int_equal(rc_of("{\"a\":1,\"\\u0061\":2}"), MO_ECORRUPT);
	/* keys compare case-sensitively, and the same key in sibling objects is fine */
	assert_int_equal(rc_of("{\"a\":1,\"A\":2}"), MO_OK);
	assert_int_equal(rc_of("[{\"a\":1},{\"a\":2}]"), MO_OK);
	assert_int_equal(rc_of("{\"a\":{\"a\":{\"a\":1}}}"), MO_OK);
}

/* {"k0":0,"k1":0,...} with n keys, and optionally "k0" again at the end */
static char *many_keys(size_t n, bool dup_at_end)
{
	struct mo_buf b = MO_BUF_INIT(64u << 20);
	char *s;

	assert_int_equal(mo_buf_addc(&b, '{'), MO_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(mo_buf_addf(&b, "%s\"k%zu\":0", i ? "," : "", i), MO_OK);
	if (dup_at_end)
		assert_int_equal(mo_buf_adds(&b, ",\"k0\":1"), MO_OK);
	assert_int_equal(mo_buf_addc(&b, '}'), MO_OK);
	s = (char *)mo_buf_detach(&b, NULL);
	return s;
}

static void test_many_keys(void **state)
{
	struct mo_err e = MO_ERR_INIT;
	cJSON *v = NULL;
	char *s;
	clock_t t0;

	(void)state;
	s = many_keys(100000, true);
	t0 = clock();
	assert_int_equal(parse(s, &v, &e), MO_ECORRUPT);
	assert_non_null(strstr(e.msg, "duplicate key 'k0'"));
	free(s);

	s = many_keys(1000000, false);
	assert_int_equal(parse(s, &v, &e), MO_OK);
	assert_int_equal(cJSON_GetArraySize(v), 1000000);
	cJSON_Delete(v);
	free(s);
	/* quadratic checking would take minutes here */
	assert_true(seconds_since(t0) < 20.0);
}

static void test_value_limit(void **state)
{
	struct proto_json_limits lim = {32, 100, 5};
	struct mo_err e = MO_ERR_INIT;
	cJSON *v = NULL;

	(void)state;
	/* array + 4 numbers = 5 values; keys count too */
	assert_int_equal(proto_json_parse(&v, "[1,2,3,4]", 9, &lim, &e), MO_OK);
	cJSON_Delete(v);
	assert_int_equal(proto_json_parse(&v, "[1,2,3,4,5]", 11, &lim, &e), MO_ETOOBIG);
	assert_int_equal(proto_json_parse(&v, "{\"a\":1,\"b\":2}", 13, &lim, &e), MO_OK);
	cJSON_Delete(v);
	assert_int_equal(proto_json_parse(&v, "{\"a\":1,\"b\":2,\"c\":3}", 19, &lim, &e),
			 MO_ETOOBIG);
}

static void test_string_cap(void **state)
{
	struct proto_json_limits lim = {32, 8, 100};
	struct mo_err e = MO_ERR_INIT;
	cJSON *v = NULL;
	size_t n = 65536;
	char *big = malloc(n + 5);

	(void)state;
	assert_int_equal(proto_json_parse(&v, "[\"12345678\"]", 12, &lim, &e), MO_OK);
	cJSON_Delete(v);
	assert_int_equal(proto_json_parse(&v, "[\"123456789\"]", 13, &lim, &e), MO_ETOOBIG);
	/* bytes as written: an escape counts its backslash */
	assert_int_equal(proto_json_parse(&v, "[\"1234567\\n\"]", 13, &lim, &e), MO_ETOOBIG);
	assert_int_equal(proto_json_parse(&v, "{\"123456789\":1}", 15, &lim, &e), MO_ETOOBIG);

	/* default cap 64 KiB: exactly at the cap, then one over */
	assert_non_null(big);
	big[0] = '[';
	big[1] = '"';
	memset(big + 2, 'x', n);
	memcpy(big + 2 + n, "\"]", 3);
	assert_int_equal(parse(big, &v, &e), MO_OK);
	cJSON_Delete(v);
	big = realloc(big, n + 6);
	assert_non_null(big);
	memset(big + 2, 'x', n + 1);
	memcpy(big + 3 + n, "\"]", 3);
	assert_int_equal(parse(big, &v, &e), MO_ETOOBIG);
	assert_non_null(strstr(e.msg, "longer than 65536"));
	free(big);
}

static void test_trailing(void **state)
{
	struct mo_err e = MO_ERR_INIT;
	cJSON *v = NULL;

	(void)state;
	assert_int_equal(rc_of("{} \n\t\r"), MO_OK);
	assert_int_equal(rc_of("  [1]"), MO_OK);
	assert_int_equal(parse("{} x", &v, &e), MO_ECORRUPT);
	assert_non_null(strstr(e.msg, "byte 3"));
	assert_int_equal(rc_of("{}{}"), MO_ECORRUPT);
	assert_int_equal(rc_of("[1]]"), MO_ECORRUPT);
	assert_int_equal(rc_of("[1] 2"), MO_ECORRUPT);
	/* a length shorter than the text: only [0, len) counts */
	assert_int_equal(proto_json_parse(&v, "[1]garbage", 3, NULL, &e), MO_OK);
	cJSON_Delete(v);
}

static void test_syntax(void **state)
{
	struct mo_err e = MO_ERR_INIT;
	cJSON *v = NULL;

	(void)state;
	assert_int_equal(proto_json_parse(&v, "", 0, NULL, &e), MO_ECORRUPT);
	assert_int_equal(rc_of("   "), MO_ECORRUPT);
	assert_int_equal(rc_of("[1,]x"), MO_ECORRUPT);
	assert_int_equal(rc_of("{\"a\" 1}"), MO_ECORRUPT);
	assert_int_equal(rc_of("[\"abc"), MO_ECORRUPT);
	assert_int_equal(rc_of("[tru]"), MO_ECORRUPT);
	assert_int_equal(rc_of("[1e]"), MO_ECORRUPT);
	assert_int_equal(parse("[1, @]", &v, &e), MO_ECORRUPT);
	assert_non_null(strstr(e.msg, "byte 4"));
	assert_int_equal(rc_of("[true,false,null,-1.5e3,\"\"]"), MO_OK);
}

static void test_integers(void **state)
{
	struct mo_err e = MO_ERR_INIT;
	cJSON *v = NULL;
	long long k = 0;

	(void)state;
	assert_int_equal(parse("{\"a\":42,\"max\":9007199254740991,\"min\":-9007199254740991,"
			       "\"p53\":9007199254740992,\"p53p1\":9007199254740993,"
			       "\"p53p2\":9007199254740994,\"half\":1.5,\"huge\":1e300,"
			       "\"s\":\"7\",\"exp\":1e2,\"neg\":-7,\"A\":5}",
			       &v, &e),
			 MO_OK);
	assert_true(proto_json_int(v, "a", &k));
	assert_int_equal(k, 42);
	assert_true(proto_json_int(v, "max", &k));
	assert_true(k == 9007199254740991LL);
	assert_true(proto_json_int(v, "min", &k));
	assert_true(k == -9007199254740991LL);
	/* from 2^53 on a double cannot say which integer was written */
	assert_false(proto_json_int(v, "p53", &k));
	assert_false(proto_json_int(v, "p53p1", &k));
	assert_false(proto_json_int(v, "p53p2", &k));
	assert_false(proto_json_int(v, "half", &k));
	assert_false(proto_json_int(v, "huge", &k));
	assert_false(proto_json_int(v, "s", &k));
	assert_false(proto_json_int(v, "missing", &k));
	assert_true(proto_json_int(v, "exp", &k));
	assert_int_equal(k, 100);
	assert_true(proto_json_int(v, "neg", &k));
	assert_int_equal(k, -7);
	/* lookups are case-sensitive */
	assert_true(proto_json_int(v, "A", &k));
	assert_int_equal(k, 5);
	assert_true(proto_json_int(v, "a", &k));
	assert_int_equal(k, 42);
	assert_string_equal(proto_json_str(v, "s"), "7");
	assert_null(proto_json_str(v, "a"));
	assert_null(proto_json_str(v, "S"));
	assert_false(proto_json_is_integer(NULL, &k));
	cJSON_Delete(v);
}

static void test_print(void **state)
{
	const char *text = "{\"n\":1,\"s\":\"Олена \\\"К\\\"\",\"a\":[true,null,-3],\"o\":{}}";
	struct mo_buf b = MO_BUF_INIT(1024), small = MO_BUF_INIT(8);
	struct mo_err e = MO_ERR_INIT;
	cJSON *v = NULL;

	(void)state;
	assert_int_equal(parse(text, &v, &e), MO_OK);
	assert_int_equal(proto_json_print(&b, v, &e), MO_OK);
	assert_string_equal(mo_buf_cstr(&b), text);
	assert_int_equal(proto_json_print(&small, v, &e), MO_ETOOBIG);
	cJSON_Delete(v);
	mo_buf_release(&b);
	mo_buf_release(&small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_depth_custom),
	    cmocka_unit_test(test_million_brackets_fast),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_utf8_offset),
	    cmocka_unit_test(test_nul),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_many_keys),
	    cmocka_unit_test(test_value_limit),
	    cmocka_unit_test(test_string_cap),
	    cmocka_unit_test(test_trailing),
	    cmocka_unit_test(test_syntax),
	    cmocka_unit_test(test_integers),
	    cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
