/*
 * fuzz_changes.c — upload payloads (proto_changes_decode, no numbering
 * expectation).  Beyond "no crash, no leak": whatever decodes re-encodes,
 * and a change that passed the vocabulary still passes after the round
 * trip (phone normalisation is idempotent, numbers stay exact).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_changes c = PROTO_CHANGES_INIT, again = PROTO_CHANGES_INIT;
	struct mo_buf b = MO_BUF_INIT(256u << 20);
	struct mo_err e = MO_ERR_INIT;

	if (proto_changes_decode(&c, (const char *)data, size, 0, 0, &e) != MO_OK) {
		if (c.v != NULL || c.n != 0 || e.code[0] == '\0')
			abort();
		return 0;
	}
	if (proto_changes_encode(&b, c.v, c.n, &e) != MO_OK)
		abort();
	if (proto_changes_decode(&again, (const char *)b.data, b.len, 0, 0, &e) != MO_OK)
		abort();
	if (again.n != c.n)
		abort();
	for (size_t i = 0; i < c.n; i++) {
		if (again.v[i].n != c.v[i].n)
			abort();
		if (c.v[i].qcode == NULL && again.v[i].qcode != NULL)
			abort();
		if (c.v[i].qcode != NULL && strlen(c.v[i].qmsg) == 0)
			abort();
		/* reasons travel back in JSON the agent parses strictly */
		for (const char *p = c.v[i].qmsg; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				abort();
	}
	proto_changes_release(&again);
	proto_changes_release(&c);
	mo_buf_release(&b);
	return 0;
}
