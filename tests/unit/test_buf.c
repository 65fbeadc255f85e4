/* test_buf.c — the capped byte buffer (mo_buf.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mo_buf.h"

static void test_empty(void **state)
{
	struct mo_buf b = MO_BUF_INIT(16);

	(void)state;
	assert_null(b.data);
	assert_string_equal(mo_buf_cstr(&b), "");
	assert_int_equal(mo_buf_add(&b, "", 0), MO_OK);
	assert_non_null(b.data);
	assert_int_equal(b.len, 0);
	assert_string_equal(mo_buf_cstr(&b), "");
	mo_buf_release(&b);
	assert_null(b.data);
}

static void test_cap(void **state)
{
	struct mo_buf b = MO_BUF_INIT(8);

	(void)state;
	assert_int_equal(mo_buf_adds(&b, "12345678"), MO_OK);
	assert_int_equal(b.len, 8);
	/* one more byte passes the cap: refused, buffer unchanged */
	assert_int_equal(mo_buf_addc(&b, 'x'), MO_ETOOBIG);
	assert_int_equal(b.len, 8);
	assert_string_equal(mo_buf_cstr(&b), "12345678");
	assert_int_equal(mo_buf_add(&b, "", 0), MO_OK);
	assert_int_equal(mo_buf_reserve(&b, (size_t)-1), MO_ETOOBIG);
	assert_int_equal(mo_buf_addf(&b, "%d", 1), MO_ETOOBIG);
	assert_int_equal(b.len, 8);
	mo_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(mo_buf_cstr(&b), "");
	assert_int_equal(mo_buf_adds(&b, "abc"), MO_OK);
	assert_string_equal(mo_buf_cstr(&b), "abc");
	mo_buf_release(&b);
}

static void test_growth(void **state)
{
	struct mo_buf b = MO_BUF_INIT(1u << 20);
	unsigned char *p;
	size_t n;

	(void)state;
	for (int i = 0; i < 10000; i++)
		assert_int_equal(mo_buf_addc(&b, (unsigned char)('a' + i % 26)), MO_OK);
	assert_int_equal(b.len, 10000);
	assert_true(b.cap > b.len);
	assert_int_equal(b.data[b.len], '\0');
	for (int i = 0; i < 10000; i++)
		assert_int_equal(b.data[i], 'a' + i % 26);
	p = mo_buf_detach(&b, &n);
	assert_int_equal(n, 10000);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(p[9999], 'a' + 9999 % 26);
	free(p);
	p = mo_buf_detach(&b, &n); /* an empty buffer detaches as "" */
	assert_non_null(p);
	assert_int_equal(n, 0);
	assert_int_equal(p[0], '\0');
	free(p);
}

static void test_addf(void **state)
{
	struct mo_buf b = MO_BUF_INIT(64);

	(void)state;
	assert_int_equal(mo_buf_addf(&b, "%s=%d;", "a", 42), MO_OK);
	assert_int_equal(mo_buf_addf(&b, "%05.1f|%x", 3.5, 255u), MO_OK);
	assert_string_equal(mo_buf_cstr(&b), "a=42;003.5|ff");
	assert_int_equal(b.len, strlen("a=42;003.5|ff"));
	mo_buf_release(&b);

	/* a format result that would pass the cap is refused whole */
	mo_buf_init(&b, 10);
	assert_int_equal(mo_buf_addf(&b, "%s", "0123456789"), MO_OK);
	mo_buf_reset(&b);
	assert_int_equal(mo_buf_addf(&b, "%s", "0123456789A"), MO_ETOOBIG);
	assert_int_equal(b.len, 0);
	mo_buf_release(&b);
}

static void test_be(void **state)
{
	struct mo_buf b = MO_BUF_INIT(16);
	static const unsigned char want[] = {0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0, 1};

	(void)state;
	assert_int_equal(mo_buf_add_be16(&b, 0x1234), MO_OK);
	assert_int_equal(mo_buf_add_be32(&b, 0xdeadbeefUL), MO_OK);
	assert_int_equal(mo_buf_add_be16(&b, 1), MO_OK);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	mo_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),  cmocka_unit_test(test_cap),
		cmocka_unit_test(test_growth), cmocka_unit_test(test_addf),
		cmocka_unit_test(test_be),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
