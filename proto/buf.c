/* buf.c — capped growable byte buffer (mo_buf.h). */
#include "mo_buf.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mo_buf_init(struct mo_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void mo_buf_release(struct mo_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void mo_buf_reset(struct mo_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

unsigned char *mo_buf_detach(struct mo_buf *b, size_t *len)
{
	unsigned char *p = b->data;

	if (len)
		*len = b->len;
	if (p == NULL)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

int mo_buf_reserve(struct mo_buf *b, size_t extra)
{
	size_t need, ncap;
	unsigned char *p;

	if (extra > b->max || b->len > b->max - extra)
		return MO_ETOOBIG;
	need = b->len + extra + 1; /* + NUL */
	if (need <= b->cap)
		return MO_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	if (ncap < need)
		ncap = need;
	p = realloc(b->data, ncap);
	if (p == NULL)
		return MO_ENOMEM;
	b->data = p;
	b->cap = ncap;
	return MO_OK;
}

int mo_buf_add(struct mo_buf *b, const void *p, size_t n)
{
	int rc;

	if ((rc = mo_buf_reserve(b, n)) != MO_OK)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return MO_OK;
}

int mo_buf_adds(struct mo_buf *b, const char *s)
{
	return mo_buf_add(b, s, strlen(s));
}

int mo_buf_addc(struct mo_buf *b, unsigned char c)
{
	return mo_buf_add(b, &c, 1);
}

int mo_buf_vaddf(struct mo_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return MO_ERROR;
	if ((rc = mo_buf_reserve(b, (size_t)n)) != MO_OK)
		return rc;
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return MO_OK;
}

int mo_buf_addf(struct mo_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = mo_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int mo_buf_add_be16(struct mo_buf *b, unsigned v)
{
	unsigned char x[2] = {(unsigned char)(v >> 8), (unsigned char)v};

	assert(v <= 0xffffu);
	return mo_buf_add(b, x, 2);
}

int mo_buf_add_be32(struct mo_buf *b, unsigned long v)
{
	unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 8), (unsigned char)v};

	return mo_buf_add(b, x, 4);
}

const char *mo_buf_cstr(const struct mo_buf *b)
{
	return b->data ? (const char *)b->data : "";
}
