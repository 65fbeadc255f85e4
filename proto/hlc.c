/* hlc.c — hybrid logical clock (hlc.h). */
#include "hlc.h"

#include <stdio.h>

uint64_t proto_hlc_now(struct proto_clock *c, uint64_t wall_ms)
{
	uint64_t w = wall_ms << 16;

	/* a wall clock that moved on resets the counter; one that stood still
	 * or went back (NTP step, wrong laptop clock) only bumps it */
	c->last = w > c->last ? w : c->last + 1;
	return c->last;
}

int proto_hlc_receive(struct proto_clock *c, uint64_t remote, uint64_t wall_ms,
		      uint64_t max_ahead_ms, struct mo_err *err)
{
	uint64_t w = wall_ms << 16, m;

	if (proto_hlc_ms(remote) > wall_ms && proto_hlc_ms(remote) - wall_ms > max_ahead_ms)
		return mo_err_set(err, MO_ECONFLICT, "clock_skew",
				  "remote clock is %llu ms ahead (limit %llu ms)",
				  (unsigned long long)(proto_hlc_ms(remote) - wall_ms),
				  (unsigned long long)max_ahead_ms);
	m = remote > c->last ? remote : c->last;
	c->last = w > m ? w : m + 1;
	return MO_OK;
}

int proto_hlc_compare(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

void proto_hlc_format(char out[PROTO_HLC_HEX], uint64_t h)
{
	static const char hex[] = "0123456789abcdef";

	/* by hand: one per change and stamp on the hub's apply path */
	for (int i = 15; i >= 0; i--, h >>= 4)
		out[i] = hex[h & 0xf];
	out[16] = '\0';
}

bool proto_hlc_parse(uint64_t *out, const char *s)
{
	uint64_t v = 0;
	int i;

	if (s == NULL)
		return false;
	for (i = 0; i < 16; i++) {
		char ch = s[i];

		if (ch >= '0' && ch <= '9')
			v = v << 4 | (uint64_t)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v = v << 4 | (uint64_t)(ch - 'a' + 10);
		else
			return false; /* also stops at an early NUL */
	}
	if (s[16] != '\0')
		return false;
	*out = v;
	return true;
}
