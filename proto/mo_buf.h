/*
 * mo_buf.h — a growable byte buffer with a hard cap (git's strbuf, curl's
 * dynbuf).  Every input in mobile-office lands in one of these, so every input
 * has a size limit: an add that would pass `max` fails with MO_ETOOBIG and
 * leaves the buffer as it was.
 *
 * The data is always NUL-terminated (one byte past len) so text can be
 * handed to string functions; the terminator is not counted in len.
 */
#ifndef MO_BUF_H
#define MO_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "mo_err.h"

struct mo_buf {
	unsigned char *data; /* NULL until the first add */
	size_t len;
	size_t cap;
	size_t max; /* hard cap on len */
};

#define MO_BUF_INIT(maxbytes) {NULL, 0, 0, (maxbytes)}

/* lifecycle */
void mo_buf_init(struct mo_buf *b, size_t max);
void mo_buf_release(struct mo_buf *b);          /* free and reset to empty */
void mo_buf_reset(struct mo_buf *b);            /* len = 0, keep memory */
unsigned char *mo_buf_detach(struct mo_buf *b, size_t *len); /* caller frees */

/* change: each returns MO_OK, MO_ENOMEM or MO_ETOOBIG */
int mo_buf_reserve(struct mo_buf *b, size_t extra) MO_WARN_UNUSED;
int mo_buf_add(struct mo_buf *b, const void *p, size_t n) MO_WARN_UNUSED;
int mo_buf_adds(struct mo_buf *b, const char *s) MO_WARN_UNUSED;
int mo_buf_addc(struct mo_buf *b, unsigned char c) MO_WARN_UNUSED;
int mo_buf_addf(struct mo_buf *b, const char *fmt, ...) MO_PRINTF(2, 3) MO_WARN_UNUSED;
int mo_buf_vaddf(struct mo_buf *b, const char *fmt, va_list ap) MO_WARN_UNUSED;
int mo_buf_add_be16(struct mo_buf *b, unsigned v) MO_WARN_UNUSED;
int mo_buf_add_be32(struct mo_buf *b, unsigned long v) MO_WARN_UNUSED;

/* query: "" for an empty buffer, never NULL */
const char *mo_buf_cstr(const struct mo_buf *b);

#endif
