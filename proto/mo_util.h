/*
 * mo_util.h — small shared helpers, one copy for the whole project:
 * hex and base64, SHA-256, random bytes and UUIDs, wall-clock time and
 * ISO 8601, bounded file reads, safe string copy.  Portable C17 plus
 * OpenSSL; no Linux-only calls (the agent is built for Windows too).
 */
#ifndef MO_UTIL_H
#define MO_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mo_buf.h"
#include "mo_err.h"

#define MO_SHA256_LEN 32
#define MO_SHA256_HEX 65 /* 64 hex digits + NUL */
#define MO_UUID_LEN 37   /* 36 chars + NUL */

/* hex: lowercase; decode accepts either case, exact length required */
void mo_hex_encode(char *out, const unsigned char *in, size_t n); /* out: 2n+1 */
int mo_hex_decode(unsigned char *out, size_t outlen, const char *in) MO_WARN_UNUSED;

/* base64 (RFC 4648, with padding); decode refuses bad characters */
int mo_base64_encode(struct mo_buf *out, const unsigned char *in, size_t n) MO_WARN_UNUSED;
int mo_base64_decode(struct mo_buf *out, const char *in, size_t n) MO_WARN_UNUSED;

/* SHA-256 of a buffer, raw or as 64 lowercase hex digits */
void mo_sha256(unsigned char out[MO_SHA256_LEN], const void *p, size_t n);
void mo_sha256_hex(char out[MO_SHA256_HEX], const void *p, size_t n);

/* OS randomness (OpenSSL RAND_bytes); MO_ERROR if the RNG fails */
int mo_random(void *out, size_t n) MO_WARN_UNUSED;
/* a random (version 4) UUID, lowercase */
int mo_uuid_v4(char out[MO_UUID_LEN]) MO_WARN_UNUSED;

/* milliseconds since the Unix epoch (wall clock) */
uint64_t mo_now_ms(void);
/* "2026-11-23T03:14:39Z" or with ".123Z" when ms is true; out >= 32 bytes */
void mo_iso8601(char *out, size_t outlen, uint64_t unix_ms, bool ms);

/* read a whole file, refusing files larger than max (MO_ETOOBIG) */
int mo_file_read(struct mo_buf *out, const char *path, size_t max, struct mo_err *err)
	MO_WARN_UNUSED;
/* the first line of a file without its line ending (password files) */
int mo_file_first_line(char *out, size_t outlen, const char *path, struct mo_err *err)
	MO_WARN_UNUSED;

/* copy with truncation and NUL termination; returns strlen(src) like strlcpy */
size_t mo_strlcpy(char *dst, const char *src, size_t size);
/* parse a whole decimal integer in [min, max]; false on anything else */
bool mo_parse_i64(long long *out, const char *s, long long min, long long max);

#endif
