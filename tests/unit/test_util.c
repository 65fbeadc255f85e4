/* test_util.c — hex, base64, sha256, uuid, time, integers, files (mo_util.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mo_util.h"

static void test_hex(void **state)
{
	static const unsigned char in[] = {0x00, 0x01, 0xab, 0xff, 0x7f};
	unsigned char back[5];
	char hex[11];

	(void)state;
	mo_hex_encode(hex, in, sizeof(in));
	assert_string_equal(hex, "0001abff7f");
	assert_int_equal(mo_hex_decode(back, sizeof(back), hex), MO_OK);
	assert_memory_equal(back, in, sizeof(in));
	assert_int_equal(mo_hex_decode(back, sizeof(back), "0001ABFF7F"), MO_OK);
	assert_memory_equal(back, in, sizeof(in));
	assert_int_equal(mo_hex_decode(back, sizeof(back), "0001abff7"), MO_EINVAL);
	assert_int_equal(mo_hex_decode(back, sizeof(back), "0001abff7f0"), MO_EINVAL);
	assert_int_equal(mo_hex_decode(back, sizeof(back), "0001abff7g"), MO_EINVAL);
	assert_int_equal(mo_hex_decode(back, sizeof(back), "0001ab ff7"), MO_EINVAL);
}

static void b64(const char *in, const char *want)
{
	struct mo_buf e = MO_BUF_INIT(256), d = MO_BUF_INIT(256);

	assert_int_equal(mo_base64_encode(&e, (const unsigned char *)in, strlen(in)), MO_OK);
	assert_string_equal(mo_buf_cstr(&e), want);
	assert_int_equal(mo_base64_decode(&d, (const char *)e.data, e.len), MO_OK);
	assert_int_equal(d.len, strlen(in));
	assert_memory_equal(d.data, in, d.len);
	mo_buf_release(&e);
	mo_buf_release(&d);
}

static void test_base64(void **state)
{
	static const char *bad[] = {"Zg=", "Z===", "Zm9!", "Zg==Zg==", "Zm=v", "====",
				    "Zm9 ", "Zg\0=", "Zm9v!", "Zm9vYmFy=", "Zm-v"};
	struct mo_buf d = MO_BUF_INIT(1024), e = MO_BUF_INIT(1024);
	unsigned char rnd[300];

	(void)state;
	/* RFC 4648 §10 */
	b64("", "");
	b64("f", "Zg==");
	b64("fo", "Zm8=");
	b64("foo", "Zm9v");
	b64("foob", "Zm9vYg==");
	b64("fooba", "Zm9vYmE=");
	b64("foobar", "Zm9vYmFy");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mo_buf_reset(&d);
		assert_int_not_equal(mo_base64_decode(&d, bad[i], i == 7 ? 4 : strlen(bad[i])), MO_OK);
	}
	/* round trip of every length with all byte values */
	assert_int_equal(mo_random(rnd, sizeof(rnd)), MO_OK);
	for (size_t n = 0; n <= sizeof(rnd); n += 7) {
		mo_buf_reset(&e);
		mo_buf_reset(&d);
		assert_int_equal(mo_base64_encode(&e, rnd, n), MO_OK);
		assert_int_equal(e.len, (n + 2) / 3 * 4);
		assert_int_equal(mo_base64_decode(&d, mo_buf_cstr(&e), e.len), MO_OK);
		assert_int_equal(d.len, n);
		if (n)
			assert_memory_equal(d.data, rnd, n);
	}
	mo_buf_release(&d);
	mo_buf_release(&e);
}

static void test_sha256(void **state)
{
	char hex[MO_SHA256_HEX];

	(void)state;
	mo_sha256_hex(hex, "abc", 3);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	mo_sha256_hex(hex, "", 0);
	assert_string_equal(hex,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_uuid(void **state)
{
	char a[MO_UUID_LEN], b[MO_UUID_LEN];

	(void)state;
	for (int k = 0; k < 100; k++) {
		assert_int_equal(mo_uuid_v4(a), MO_OK);
		assert_int_equal(strlen(a), 36);
		for (int i = 0; i < 36; i++) {
			if (i == 8 || i == 13 || i == 18 || i == 23)
				assert_int_equal(a[i], '-');
			else
				assert_non_null(strchr("0123456789abcdef", a[i]));
		}
		assert_int_equal(a[14], '4');
		assert_non_null(strchr("89ab", a[19]));
	}
	assert_int_equal(mo_uuid_v4(b), MO_OK);
	assert_string_not_equal(a, b);
}

static void test_iso8601(void **state)
{
	char s[32];

	(void)state;
	mo_iso8601(s, sizeof(s), 0, false);
	assert_string_equal(s, "1970-01-01T00:00:00Z");
	mo_iso8601(s, sizeof(s), 1700000000123ull, true);
	assert_string_equal(s, "2023-11-14T22:13:20.123Z");
	mo_iso8601(s, sizeof(s), 1700000000123ull, false);
	assert_string_equal(s, "2023-11-14T22:13:20Z");
	mo_iso8601(s, sizeof(s), 1709164800000ull, true); /* leap day */
	assert_string_equal(s, "2024-02-29T00:00:00.000Z");
	mo_iso8601(s, sizeof(s), 951782399999ull, true); /* 2000 is a leap year */
	assert_string_equal(s, "2000-02-28T23:59:59.999Z");
	mo_iso8601(s, sizeof(s), 4102444800000ull, false);
	assert_string_equal(s, "2100-01-01T00:00:00Z");
	/* a short buffer truncates as snprintf does; a year past 9999 prints whole */
	mo_iso8601(s, 11, 1700000000123ull, true);
	assert_string_equal(s, "2023-11-14");
	mo_iso8601(s, sizeof(s), 253402300800000ull, false);
	assert_string_equal(s, "10000-01-01T00:00:00Z");
	/* now is after this code was written and before 2100 */
	assert_true(mo_now_ms() > 1763856000000ull && mo_now_ms() < 4102444800000ull);
}

static void test_parse_i64(void **state)
{
	long long v = 7;

	(void)state;
	assert_true(mo_parse_i64(&v, "12", 0, 100));
	assert_int_equal(v, 12);
	assert_true(mo_parse_i64(&v, "-5", -10, 10));
	assert_int_equal(v, -5);
	assert_true(mo_parse_i64(&v, "9223372036854775807", 0, INT64_MAX));
	assert_int_equal(v, INT64_MAX);
	v = 7;
	assert_false(mo_parse_i64(&v, "", 0, 100));
	assert_false(mo_parse_i64(&v, NULL, 0, 100));
	assert_false(mo_parse_i64(&v, "1x", 0, 100));
	assert_false(mo_parse_i64(&v, " 1", 0, 100));
	assert_false(mo_parse_i64(&v, "+1", 0, 100));
	assert_false(mo_parse_i64(&v, "101", 0, 100));
	assert_false(mo_parse_i64(&v, "-1", 0, 100));
	assert_false(mo_parse_i64(&v, "99999999999999999999", 0, INT64_MAX));
	assert_int_equal(v, 7); /* untouched on failure */
}

static void test_strlcpy(void **state)
{
	char d[5];

	(void)state;
	assert_int_equal(mo_strlcpy(d, "abcdefgh", sizeof(d)), 8);
	assert_string_equal(d, "abcd");
	assert_int_equal(mo_strlcpy(d, "ab", sizeof(d)), 2);
	assert_string_equal(d, "ab");
}

static void test_file_read(void **state)
{
	char path[] = "/tmp/mo-test-util-XXXXXX";
	struct mo_buf b = MO_BUF_INIT(1 << 20);
	struct mo_err err = MO_ERR_INIT;
	char line[16];
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("secret\r\nrest\n", f);
	fclose(f);
	assert_int_equal(mo_file_read(&b, path, 100, &err), MO_OK);
	assert_string_equal(mo_buf_cstr(&b), "secret\r\nrest\n");
	mo_buf_reset(&b);
	assert_int_equal(mo_file_read(&b, path, 5, &err), MO_ETOOBIG);
	assert_int_equal(mo_file_first_line(line, sizeof(line), path, &err), MO_OK);
	assert_string_equal(line, "secret");
	assert_int_equal(mo_file_first_line(line, 4, path, &err), MO_ETOOBIG);
	remove(path);
	mo_buf_reset(&b);
	assert_int_equal(mo_file_read(&b, path, 100, &err), MO_ENOTFOUND);
	mo_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex),	  cmocka_unit_test(test_base64),
		cmocka_unit_test(test_sha256),	  cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_iso8601),	  cmocka_unit_test(test_parse_i64),
		cmocka_unit_test(test_strlcpy),	  cmocka_unit_test(test_file_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
