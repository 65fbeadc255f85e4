/* compress.c — zlib with preset dictionaries, capped streaming inflate (compress.h). */
#include "compress.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <zlib.h>

#include "embedded.h"

/* the dictionary the agent uses unless told otherwise */
#define DICT_DEFAULT_NAME "case-v1.bin"
/* inflate output step: bounds how far past the limit one call can get */
#define INFLATE_CHUNK (64u * 1024)
#define DEFLATE_CHUNK (64u * 1024)

/*
 * DICTIDs are computed on lookup rather than cached in a table: Adler-32 of
 * a 32 KiB file costs microseconds and this keeps the library free of
 * mutable globals.
 */
static unsigned long dict_adler(const struct mo_embedded *d)
{
	return adler32(adler32(0L, Z_NULL, 0), d->data, (uInt)d->len);
}

unsigned long proto_dict_default(void)
{
	for (size_t i = 0; i < proto_dicts_count; i++)
		if (strcmp(proto_dicts[i].name, DICT_DEFAULT_NAME) == 0)
			return dict_adler(&proto_dicts[i]);
	return 0;
}

const unsigned char *proto_dict_find(unsigned long dict_id, size_t *len)
{
	for (size_t i = 0; i < proto_dicts_count; i++) {
		if (dict_adler(&proto_dicts[i]) == dict_id) {
			if (len)
				*len = proto_dicts[i].len;
			return proto_dicts[i].data;
		}
	}
	return NULL;
}

int proto_deflate(struct mo_buf *out, const void *in, size_t n, int level,
		  unsigned long dict_id, struct mo_err *err)
{
	z_stream s;
	const unsigned char *p = in;
	size_t left = n;
	int zr, rc = MO_OK, flush;

	memset(&s, 0, sizeof(s));
	if (level < 0 || level > 9)
		return mo_err_set(err, MO_EINVAL, NULL, "bad compression level %d", level);
	if (deflateInit(&s, level) != Z_OK)
		return mo_err_set(err, MO_ENOMEM, NULL, "cannot initialise deflate");
	if (dict_id != 0) {
		size_t dlen;
		const unsigned char *d = proto_dict_find(dict_id, &dlen);

		if (d == NULL) {
			rc = mo_err_set(err, MO_EINVAL, NULL, "no dictionary %08lx", dict_id);
			goto done;
		}
		if (deflateSetDictionary(&s, d, (uInt)dlen) != Z_OK) {
			rc = mo_err_set(err, MO_ERROR, NULL, "cannot set dictionary %08lx",
					dict_id);
			goto done;
		}
	}
	do {
		/* uInt may be narrower than size_t: feed the input in slices */
		uInt take = left > UINT_MAX / 2 ? UINT_MAX / 2 : (uInt)left;

		s.next_in = (Bytef *)(uintptr_t)p;
		s.avail_in = take;
		p += take;
		left -= take;
		flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
		do {
			if ((rc = mo_buf_reserve(out, DEFLATE_CHUNK)) != MO_OK) {
				mo_err_set(err, rc, rc == MO_ETOOBIG ? "too_large" : NULL,
					   "cannot hold the compressed data: %s",
					   mo_strerror(rc));
				goto done;
			}
			s.next_out = out->data + out->len;
			s.avail_out = DEFLATE_CHUNK;
			zr = deflate(&s, flush);
			if (zr == Z_STREAM_ERROR) {
				rc = mo_err_set(err, MO_ERROR, NULL, "deflate failed");
				goto done;
			}
			out->len += DEFLATE_CHUNK - s.avail_out;
			out->data[out->len] = '\0';
		} while (s.avail_out == 0);
	} while (flush != Z_FINISH);
	if (zr != Z_STREAM_END)
		rc = mo_err_set(err, MO_ERROR, NULL, "deflate did not finish");
done:
	deflateEnd(&s);
	return rc;
}

static int bad(struct mo_err *err, const char *what)
{
	return mo_err_set(err, MO_ECOMPRESS, "bad_compression", "bad compressed data: %s",
			  what);
}

int proto_inflate(struct mo_buf *out, const void *in, size_t n, size_t limit,
		  struct mo_err *err)
{
	z_stream s;
	size_t want, max = out->max;
	int zr = Z_OK, rc = MO_OK;

	mo_buf_reset(out);
	if (n > UINT_MAX)
		return mo_err_set(err, MO_ETOOBIG, "too_large", "compressed input too large");
	if (limit >= (size_t)-1 - 1)
		limit = (size_t)-1 - 2; /* so limit + 1 below cannot wrap */
	/* the buffer grows by doubling; capping it at limit + 1 for the
	 * duration keeps a bomb from costing up to twice the limit */
	if (out->max > limit + 1)
		out->max = limit + 1;
	memset(&s, 0, sizeof(s));
	if (inflateInit(&s) != Z_OK) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "cannot initialise inflate");
		goto done_noend;
	}
	s.next_in = (Bytef *)(uintptr_t)in;
	s.avail_in = (uInt)n;
	for (;;) {
		/* never ask for more than limit + 1 bytes in total: one byte past
		 * the limit proves the stream too long without inflating the rest */
		want = out->max - out->len;
		if (want > INFLATE_CHUNK)
			want = INFLATE_CHUNK;
		if ((rc = mo_buf_reserve(out, want)) != MO_OK) {
			mo_err_set(err, rc, NULL, "cannot inflate: %s", mo_strerror(rc));
			goto done;
		}
		s.next_out = out->data + out->len;
		s.avail_out = (uInt)want;
		zr = inflate(&s, Z_NO_FLUSH);
		out->len += want - s.avail_out;
		out->data[out->len] = '\0';
		if (zr == Z_NEED_DICT) {
			size_t dlen;
			const unsigned char *d = proto_dict_find(s.adler, &dlen);

			if (d == NULL) {
				rc = bad(err, "unknown dictionary");
				goto done;
			}
			if (inflateSetDictionary(&s, d, (uInt)dlen) != Z_OK) {
				rc = bad(err, "dictionary refused");
				goto done;
			}
			continue;
		}
		if (out->len > limit || (want == 0 && zr == Z_BUF_ERROR)) {
			rc = mo_err_set(err, MO_ETOOBIG, "too_large",
					"inflated data exceeds %zu bytes",
					limit < max ? limit : max);
			goto done;
		}
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_DATA_ERROR) {
			rc = bad(err, s.msg ? s.msg : "corrupt stream");
			goto done;
		}
		if (zr == Z_MEM_ERROR) {
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory in inflate");
			goto done;
		}
		if (zr == Z_BUF_ERROR || (zr == Z_OK && s.avail_in == 0 && s.avail_out > 0)) {
			/* no progress possible: the input ended inside the stream */
			rc = bad(err, "truncated stream");
			goto done;
		}
		if (zr != Z_OK) {
			rc = bad(err, "inflate error");
			goto done;
		}
	}
	if (s.avail_in != 0)
		rc = bad(err, "bytes after the end of the stream");
done:
	inflateEnd(&s);
done_noend:
	out->max = max;
	return rc;
}
