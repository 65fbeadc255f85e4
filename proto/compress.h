/*
 * compress.h — zlib (RFC 1950) with optional preset dictionaries.
 *
 * Dictionaries are plain .bin files in proto/dict/, compiled into the
 * library; a stream names its dictionary by DICTID (the Adler-32 of the
 * dictionary), so other implementations can use the same files.
 *
 * Inflate is streamed into a capped buffer: it never holds more than
 * `limit + 1` bytes, so a decompression bomb cannot allocate past the cap.
 */
#ifndef PROTO_COMPRESS_H
#define PROTO_COMPRESS_H

#include <stddef.h>

#include "mo_buf.h"
#include "mo_err.h"

/* the DICTID of the dictionary the agent uses by default (0 if none shipped) */
unsigned long proto_dict_default(void);
/* a shipped dictionary by DICTID, or NULL */
const unsigned char *proto_dict_find(unsigned long dict_id, size_t *len);

/* compress in into out (appended); dict_id 0 = no dictionary */
int proto_deflate(struct mo_buf *out, const void *in, size_t n, int level,
		  unsigned long dict_id, struct mo_err *err) MO_WARN_UNUSED;

/*
 * decompress into out (reset first).  Stops as soon as more than `limit`
 * bytes would be produced: MO_ETOOBIG (out then holds limit + 1 bytes).
 * A corrupt stream, trailing bytes, or an unknown DICTID: MO_ECOMPRESS
 * with code bad_compression.
 */
int proto_inflate(struct mo_buf *out, const void *in, size_t n, size_t limit,
		  struct mo_err *err) MO_WARN_UNUSED;

#endif
