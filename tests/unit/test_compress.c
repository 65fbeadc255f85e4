/* test_compress.c — deflate/inflate with dictionaries, caps, bombs (compress.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "compress.h"
#include "mo_util.h"

#define PROTO_TEST_BIG ((size_t)1 << 30)

#ifndef MO_TEST_DATA
#define MO_TEST_DATA "tests/data"
#endif

static void load_sample(struct mo_buf *b)
{
	struct mo_err err = MO_ERR_INIT;

	assert_int_equal(mo_file_read(b, MO_TEST_DATA "/envelope-payload.json", 1 << 20, &err),
			 MO_OK);
}

static void roundtrip(const void *in, size_t n, int level, unsigned long dict, size_t *zlen)
{
	struct mo_buf z = MO_BUF_INIT(1 << 24), out = MO_BUF_INIT(1 << 24);
	struct mo_err err = MO_ERR_INIT;

	assert_int_equal(proto_deflate(&z, in, n, level, dict, &err), MO_OK);
	/* RFC 1950: FDICT (bit 5 of FLG) set exactly when a dictionary is used */
	assert_int_equal((z.data[1] & 0x20) != 0, dict != 0);
	if (dict) {
		unsigned long id = (unsigned long)z.data[2] << 24 |
				   (unsigned long)z.data[3] << 16 |
				   (unsigned long)z.data[4] << 8 | z.data[5];
		assert_int_equal(id, dict);
	}
	assert_int_equal(proto_inflate(&out, z.data, z.len, n, &err), MO_OK);
	assert_int_equal(out.len, n);
	if (n)
		assert_memory_equal(out.data, in, n);
	if (zlen)
		*zlen = z.len;
	mo_buf_release(&z);
	mo_buf_release(&out);
}

static void test_roundtrip(void **state)
{
	struct mo_buf s = MO_BUF_INIT(1 << 20);
	unsigned long d = proto_dict_default();
	size_t plain = 0, withd = 0, len = 0;
	unsigned char *rnd = malloc(300000);
	const unsigned char *dict;

	(void)state;
	assert_non_null(rnd);
	assert_int_not_equal(d, 0);
	dict = proto_dict_find(d, &len);
	assert_non_null(dict);
	assert_true(len > 1000 && len <= 32768);
	assert_int_equal(adler32(adler32(0, Z_NULL, 0), dict, (uInt)len), d);
	assert_null(proto_dict_find(d ^ 1, NULL));

	load_sample(&s);
	roundtrip(s.data, s.len, 9, 0, &plain);
	roundtrip(s.data, s.len, 9, d, &withd);
	print_message("one application: %zu B raw, %zu B deflated, %zu B with dictionary\n",
		      s.len, plain, withd);
	/* DESIGN.md §4: ~3x better with the dictionary */
	assert_true(withd * 2 < plain);
	assert_true(withd <= 300);
	roundtrip("", 0, 6, 0, NULL);
	roundtrip("", 0, 6, d, NULL);
	assert_int_equal(mo_random(rnd, 300000), MO_OK);
	roundtrip(rnd, 300000, 1, 0, NULL);
	roundtrip(rnd, 300000, 0, d, NULL);
	mo_buf_release(&s);
	free(rnd);
}

static void test_bad_args(void **state)
{
	struct mo_buf z = MO_BUF_INIT(1024);
	struct mo_err err = MO_ERR_INIT;

	(void)state;
	assert_int_equal(proto_deflate(&z, "x", 1, 10, 0, &err), MO_EINVAL);
	assert_int_equal(proto_deflate(&z, "x", 1, 6, 0x12345678, &err), MO_EINVAL);
	mo_buf_release(&z);
	/* the output cap of deflate's buffer holds too */
	mo_buf_init(&z, 4);
	assert_int_equal(proto_deflate(&z, "hello hello", 11, 6, 0, &err), MO_ETOOBIG);
	mo_buf_release(&z);
}

/* a stream made with a dictionary we do not ship */
static void test_unknown_dict(void **state)
{
	static const char dict[] = "a dictionary nobody ships";
	unsigned char zb[256];
	struct mo_buf out = MO_BUF_INIT(1024);
	struct mo_err err = MO_ERR_INIT;
	z_stream s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit(&s, 6), Z_OK);
	assert_int_equal(deflateSetDictionary(&s, (const Bytef *)dict, sizeof(dict)), Z_OK);
	s.next_in = (Bytef *)(uintptr_t)"a dictionary";
	s.avail_in = 12;
	s.next_out = zb;
	s.avail_out = sizeof(zb);
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	deflateEnd(&s);
	assert_int_equal(proto_inflate(&out, zb, sizeof(zb) - s.avail_out, 1024, &err),
			 MO_ECOMPRESS);
	assert_string_equal(err.code, "bad_compression");
	mo_buf_release(&out);
}

static void test_corrupt(void **state)
{
	struct mo_buf s = MO_BUF_INIT(1 << 20), z = MO_BUF_INIT(1 << 20),
		      out = MO_BUF_INIT(1 << 20);
	struct mo_err err = MO_ERR_INIT;
	unsigned long d = proto_dict_default();
	int rc;

	(void)state;
	load_sample(&s);
	assert_int_equal(proto_deflate(&z, s.data, s.len, 6, d, &err), MO_OK);
	/* truncated at every offset */
	for (size_t n = 0; n < z.len; n++) {
		mo_err_clear(&err);
		assert_int_equal(proto_inflate(&out, z.data, n, s.len, &err), MO_ECOMPRESS);
		assert_string_equal(err.code, "bad_compression");
	}
	/* trailing bytes after the end of the stream */
	assert_int_equal(mo_buf_addc(&z, 0), MO_OK);
	assert_int_equal(proto_inflate(&out, z.data, z.len, s.len, &err), MO_ECOMPRESS);
	assert_string_equal(err.code, "bad_compression");
	z.len--;
	assert_int_equal(proto_inflate(&out, z.data, z.len, s.len, &err), MO_OK);
	/* a flipped bit anywhere is caught (the Adler-32 at the end, at worst),
	 * except in the padding bits of the last deflate byte, which carry
	 * nothing (z.len - 5: the byte before the 4-byte Adler-32) */
	for (size_t i = 0; i < z.len; i++) {
		z.data[i] ^= 0x10;
		mo_err_clear(&err);
		rc = proto_inflate(&out, z.data, z.len, s.len, &err);
		if (rc == MO_OK) {
			assert_int_equal(i, z.len - 5);
			assert_memory_equal(out.data, s.data, s.len);
		} else {
			assert_true(rc == MO_ECOMPRESS || rc == MO_ETOOBIG);
		}
		z.data[i] ^= 0x10;
	}
	assert_int_equal(proto_inflate(&out, "not zlib", 8, 100, &err), MO_ECOMPRESS);
	mo_buf_release(&s);
	mo_buf_release(&z);
	mo_buf_release(&out);
}

static void test_limit(void **state)
{
	struct mo_buf z = MO_BUF_INIT(1 << 20), out = MO_BUF_INIT(1 << 20);
	struct mo_err err = MO_ERR_INIT;
	char in[1000];

	(void)state;
	memset(in, 'x', sizeof(in));
	assert_int_equal(proto_deflate(&z, in, sizeof(in), 6, 0, &err), MO_OK);
	assert_int_equal(proto_inflate(&out, z.data, z.len, 1000, &err), MO_OK);
	assert_int_equal(out.len, 1000);
	assert_int_equal(proto_inflate(&out, z.data, z.len, 999, &err), MO_ETOOBIG);
	assert_int_equal(out.len, 1000); /* limit + 1, no more */
	assert_int_equal(proto_inflate(&out, z.data, z.len, 0, &err), MO_ETOOBIG);
	assert_int_equal(out.len, 1);
	/* the output buffer's own cap is a limit too */
	mo_buf_release(&out);
	mo_buf_init(&out, 500);
	assert_int_equal(proto_inflate(&out, z.data, z.len, 1000, &err), MO_ETOOBIG);
	assert_true(out.len <= 500);
	mo_buf_release(&z);
	mo_buf_release(&out);
}

/*
 * A decompression bomb: 256 MiB of zeros.  Deflate cannot beat ~1032:1, so
 * the stream is ~250 KiB (a 1 KiB stream cannot pass ~1 MiB); it must stop
 * at limit + 1 bytes without allocating for the rest.
 */
static void test_bomb(void **state)
{
	struct mo_buf z = MO_BUF_INIT(1 << 20), out = MO_BUF_INIT(PROTO_TEST_BIG);
	struct mo_err err = MO_ERR_INIT;
	size_t chunk = 1 << 20;
	unsigned char *zeros = calloc(1, chunk);
	z_stream s;

	(void)state;
	assert_non_null(zeros);
	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit(&s, 9), Z_OK);
	assert_int_equal(mo_buf_reserve(&z, 1 << 19), MO_OK);
	s.next_out = z.data;
	s.avail_out = 1 << 19;
	for (int i = 0; i < 256; i++) {
		s.next_in = zeros;
		s.avail_in = (uInt)chunk;
		assert_int_equal(deflate(&s, i == 255 ? Z_FINISH : Z_NO_FLUSH),
				 i == 255 ? Z_STREAM_END : Z_OK);
	}
	z.len = (1 << 19) - s.avail_out;
	deflateEnd(&s);
	print_message("bomb: %zu B of zlib inflate to 256 MiB\n", z.len);
	assert_true(z.len < 300000);

	assert_int_equal(proto_inflate(&out, z.data, z.len, 64u << 20, &err), MO_ETOOBIG);
	assert_int_equal(out.len, (64u << 20) + 1);
	assert_true(out.cap <= (64u << 20) + 2);
	mo_buf_release(&out);
	mo_buf_init(&out, PROTO_TEST_BIG);
	assert_int_equal(proto_inflate(&out, z.data, z.len, 4096, &err), MO_ETOOBIG);
	assert_int_equal(out.len, 4097);
	assert_true(out.cap <= 4098);
	mo_buf_release(&out);
	mo_buf_release(&z);
	free(zeros);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip), cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_unknown_dict), cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_limit), cmocka_unit_test(test_bomb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
