/*
 * fuzz_response.c — hub response payloads (proto_response_decode), as the
 * agent meets them.  A decoded response re-encodes to something that
 * decodes to the same shape.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_response_payload r = PROTO_RESPONSE_PAYLOAD_INIT;
	struct proto_response_payload again = PROTO_RESPONSE_PAYLOAD_INIT;
	struct mo_buf b = MO_BUF_INIT(256u << 20);
	struct mo_err e = MO_ERR_INIT;

	if (proto_response_decode(&r, (const char *)data, size, &e) != MO_OK) {
		if (r.quarantined != NULL || r.changes.v != NULL || e.code[0] == '\0')
			abort();
		return 0;
	}
	if (proto_response_encode(&b, r.quarantined, r.nquarantined, r.changes.v, r.changes.n,
				  &e) != MO_OK)
		abort();
	if (proto_response_decode(&again, (const char *)b.data, b.len, &e) != MO_OK)
		abort();
	if (again.nquarantined != r.nquarantined || again.changes.n != r.changes.n)
		abort();
	for (size_t i = 0; i < r.nquarantined; i++)
		if (again.quarantined[i].n != r.quarantined[i].n ||
		    strcmp(again.quarantined[i].code, r.quarantined[i].code) != 0 ||
		    strcmp(again.quarantined[i].message, r.quarantined[i].message) != 0)
			abort();
	proto_response_payload_release(&again);
	proto_response_payload_release(&r);
	mo_buf_release(&b);
	return 0;
}
