/*
 * fuzz_json.c — the JSON gate (proto_json_parse + proto_json_print).  What
 * parses prints; the printed text parses again under the same limits and
 * prints the same (printing never makes a string longer than written, so
 * the limits still hold).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *v = NULL, *w = NULL;
	struct mo_buf a = MO_BUF_INIT(256u << 20), b = MO_BUF_INIT(256u << 20);
	struct mo_err e = MO_ERR_INIT;
	long long k;

	if (proto_json_parse(&v, (const char *)data, size, NULL, &e) != MO_OK) {
		if (v != NULL || e.msg[0] == '\0')
			abort();
		return 0;
	}
	/* exercise the getters on the top level */
	if (cJSON_IsObject(v) && v->child != NULL) {
		(void)proto_json_int(v, v->child->string, &k);
		(void)proto_json_str(v, v->child->string);
	}
	(void)proto_json_is_integer(v, &k);
	if (proto_json_print(&a, v, &e) != MO_OK)
		abort();
	if (proto_json_parse(&w, (const char *)a.data, a.len, NULL, &e) != MO_OK)
		abort();
	if (proto_json_print(&b, w, &e) != MO_OK)
		abort();
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
	cJSON_Delete(v);
	cJSON_Delete(w);
	mo_buf_release(&a);
	mo_buf_release(&b);
	return 0;
}
