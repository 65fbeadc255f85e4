/* util.c — hex, base64, SHA-256, randomness, time, bounded file reads. */
#include "mo_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

static const char HEX[] = "0123456789abcdef";

void mo_hex_encode(char *out, const unsigned char *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = HEX[in[i] >> 4];
		out[2 * i + 1] = HEX[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mo_hex_decode(unsigned char *out, size_t outlen, const char *in)
{
	if (strlen(in) != 2 * outlen)
		return MO_EINVAL;
	for (size_t i = 0; i < outlen; i++) {
		int hi = hexval(in[2 * i]), lo = hexval(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return MO_EINVAL;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return MO_OK;
}

static const char B64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int mo_base64_encode(struct mo_buf *out, const unsigned char *in, size_t n)
{
	int rc;

	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)in[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (unsigned long)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		q[0] = B64[(v >> 18) & 63];
		q[1] = B64[(v >> 12) & 63];
		q[2] = i + 1 < n ? B64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? B64[v & 63] : '=';
		if ((rc = mo_buf_add(out, q, 4)) != MO_OK)
			return rc;
	}
	if (out->data == NULL)
		return mo_buf_add(out, "", 0);
	return MO_OK;
}

static int b64val(char c)
{
	const char *p = c ? strchr(B64, c) : NULL;

	return p ? (int)(p - B64) : -1;
}

int mo_base64_decode(struct mo_buf *out, const char *in, size_t n)
{
	int rc;

	if (n % 4 != 0)
		return MO_EINVAL;
	for (size_t i = 0; i < n; i += 4) {
		int v[4], pad = 0;
		unsigned char o[3];

		for (int k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad)
				return MO_EINVAL; /* data after padding */
			if ((v[k] = b64val(in[i + k])) < 0)
				return MO_EINVAL;
		}
		o[0] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		o[1] = (unsigned char)(v[1] << 4 | v[2] >> 2);
		o[2] = (unsigned char)(v[2] << 6 | v[3]);
		if ((rc = mo_buf_add(out, o, (size_t)(3 - pad))) != MO_OK)
			return rc;
	}
	if (out->data == NULL)
		return mo_buf_add(out, "", 0);
	return MO_OK;
}

void mo_sha256(unsigned char out[MO_SHA256_LEN], const void *p, size_t n)
{
	SHA256(p, n, out);
}

void mo_sha256_hex(char out[MO_SHA256_HEX], const void *p, size_t n)
{
	unsigned char d[MO_SHA256_LEN];

	SHA256(p, n, d);
	mo_hex_encode(out, d, sizeof(d));
}

int mo_random(void *out, size_t n)
{
	if (n > 0x7fffffff || RAND_bytes(out, (int)n) != 1)
		return MO_ERROR;
	return MO_OK;
}

int mo_uuid_v4(char out[MO_UUID_LEN])
{
	unsigned char r[16];
	char hex[33];
	int rc;

	if ((rc = mo_random(r, sizeof(r))) != MO_OK)
		return rc;
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	mo_hex_encode(hex, r, sizeof(r));
	snprintf(out, MO_UUID_LEN, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
		 hex + 16, hex + 20);
	return MO_OK;
}

uint64_t mo_now_ms(void)
{
	struct timespec ts;

	timespec_get(&ts, TIME_UTC);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)(ts.tv_nsec / 1000000);
}

/* days since 1970-01-01 → civil date (Howard Hinnant's algorithm) */
static void civil_from_days(long long z, int *y, unsigned *m, unsigned *d)
{
	long long era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = (z - era * 146097) - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static char *put_digits(char *p, unsigned long long v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + width;
}

void mo_iso8601(char *out, size_t outlen, uint64_t unix_ms, bool ms)
{
	long long secs = (long long)(unix_ms / 1000), days = secs / 86400;
	long long rem = secs % 86400;
	int y;
	unsigned m, d;
	char *p = out;

	civil_from_days(days, &y, &m, &d);
	/* every timestamp the hub writes goes through here (several per
	 * application): digits by hand, snprintf cost ~3,600 instructions */
	if (y < 0 || y > 9999 || outlen < (ms ? 25u : 21u)) {
		if (ms)
			snprintf(out, outlen, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lluZ", y, m, d,
				 rem / 3600, rem / 60 % 60, rem % 60,
				 (unsigned long long)(unix_ms % 1000));
		else
			snprintf(out, outlen, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ", y, m, d,
				 rem / 3600, rem / 60 % 60, rem % 60);
		return;
	}
	p = put_digits(p, (unsigned long long)y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned long long)(rem / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned long long)(rem / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned long long)(rem % 60), 2);
	if (ms) {
		*p++ = '.';
		p = put_digits(p, unix_ms % 1000, 3);
	}
	*p++ = 'Z';
	*p = '\0';
}

int mo_file_read(struct mo_buf *out, const char *path, size_t max, struct mo_err *err)
{
	FILE *f = fopen(path, "rb");
	unsigned char chunk[65536];
	size_t n;
	int rc = MO_OK;

	if (f == NULL)
		return mo_err_set(err, errno == ENOENT ? MO_ENOTFOUND : MO_EIO, NULL,
				  "cannot open '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > max) {
			rc = mo_err_set(err, MO_ETOOBIG, "too_large",
					"'%s' is larger than %zu bytes", path, max);
			goto done;
		}
		if ((rc = mo_buf_add(out, chunk, n)) != MO_OK) {
			mo_err_set(err, rc, NULL, "cannot read '%s': %s", path, mo_strerror(rc));
			goto done;
		}
	}
	if (ferror(f))
		rc = mo_err_set(err, MO_EIO, NULL, "cannot read '%s'", path);
	else if (out->data == NULL)
		rc = mo_buf_add(out, "", 0);
done:
	fclose(f);
	return rc;
}

int mo_file_first_line(char *out, size_t outlen, const char *path, struct mo_err *err)
{
	struct mo_buf b = MO_BUF_INIT(64 * 1024);
	size_t n = 0;
	int rc;

	if ((rc = mo_file_read(&b, path, b.max, err)) != MO_OK)
		goto done;
	while (n < b.len && b.data[n] != '\n' && b.data[n] != '\r')
		n++;
	if (n == 0) {
		rc = mo_err_set(err, MO_EINVAL, NULL, "'%s' is empty", path);
		goto done;
	}
	if (n >= outlen) {
		rc = mo_err_set(err, MO_ETOOBIG, NULL, "the first line of '%s' is too long",
				path);
		goto done;
	}
	memcpy(out, b.data, n);
	out[n] = '\0';
done:
	if (b.data)
		OPENSSL_cleanse(b.data, b.cap);
	mo_buf_release(&b);
	return rc;
}

size_t mo_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t k = n < size - 1 ? n : size - 1;

		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}

bool mo_parse_i64(long long *out, const char *s, long long min, long long max)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}
