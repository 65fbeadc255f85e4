/*
 * hlc.h — hybrid logical clock (DESIGN.md §4): 64 bits,
 * (unix_ms << 16) | counter, on the wire as 16 lowercase hex digits.
 *
 * The wall clock is passed in (wall_ms) so the logic is testable and so a
 * laptop with a wrong clock can be simulated; callers use mo_now_ms().
 */
#ifndef PROTO_HLC_H
#define PROTO_HLC_H

#include <stdbool.h>
#include <stdint.h>

#include "mo_err.h"

#define PROTO_HLC_HEX 17
/* a remote time further ahead than this is refused (clock_skew) */
#define PROTO_HLC_MAX_AHEAD_MS (24ull * 3600 * 1000)

struct proto_clock {
	uint64_t last; /* the last HLC issued or received */
};

static inline uint64_t proto_hlc_ms(uint64_t h) { return h >> 16; }

/* a new HLC for a local event, strictly greater than any seen before */
uint64_t proto_hlc_now(struct proto_clock *c, uint64_t wall_ms);
/*
 * merge a remote HLC; MO_ECONFLICT (code clock_skew) when it is more than
 * max_ahead_ms ahead of wall_ms (the clock is then left unchanged).
 */
int proto_hlc_receive(struct proto_clock *c, uint64_t remote, uint64_t wall_ms,
		      uint64_t max_ahead_ms, struct mo_err *err) MO_WARN_UNUSED;
/* -1, 0, 1 */
int proto_hlc_compare(uint64_t a, uint64_t b);

void proto_hlc_format(char out[PROTO_HLC_HEX], uint64_t h);
/* exactly 16 lowercase hex digits */
bool proto_hlc_parse(uint64_t *out, const char *s);

#endif
