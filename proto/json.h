/*
 * json.h — the only way untrusted JSON enters mobile-office.
 *
 * cJSON accepts things we must not: invalid UTF-8, unbounded nesting (it
 * recurses), duplicate keys, NUL inside strings.  proto_json_parse() first
 * scans the text once without recursion (depth, UTF-8, string lengths,
 * "\u0000", value count), only then hands it to cJSON, then rejects objects
 * with duplicate keys.  Numbers that are not exact in a double (beyond 2^53)
 * are refused by the integer getters below.
 */
#ifndef PROTO_JSON_H
#define PROTO_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "mo_buf.h"
#include "mo_err.h"

struct proto_json_limits {
	size_t max_depth;  /* the outer value counts 1 */
	size_t max_string; /* bytes of one string, as written */
	size_t max_values; /* every value and key counts 1 */
};

/* DESIGN.md §4: depth 32, strings 64 KiB, 4 Mi values */
#define PROTO_JSON_LIMITS_DEFAULT {32, 65536, 4u << 20}

/*
 * Parse text[0, len) into *out (caller frees with cJSON_Delete).  lim may be
 * NULL for the defaults.  MO_ECORRUPT (bad JSON, bad UTF-8, duplicate key,
 * NUL in a string) or MO_ETOOBIG (a limit), message says where.
 */
int proto_json_parse(cJSON **out, const char *text, size_t len,
		     const struct proto_json_limits *lim, struct mo_err *err) MO_WARN_UNUSED;

/* Print compactly into out (appended). */
int proto_json_print(struct mo_buf *out, const cJSON *v, struct mo_err *err) MO_WARN_UNUSED;

/* getters: false when absent or of another type; integers must be exact */
bool proto_json_int(const cJSON *obj, const char *key, long long *out);
const char *proto_json_str(const cJSON *obj, const char *key); /* NULL if not a string */
bool proto_json_is_integer(const cJSON *v, long long *out);

#endif
