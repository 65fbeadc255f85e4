/*
 * change.h — change records (DESIGN.md §4 "Changes", schema 1) and the
 * payloads that carry them.
 *
 * An upload payload is a JSON array of changes
 *   {"n", "entity", "id", "op", "hlc", "fields"}
 * A response payload is an object
 *   {"quarantined": [{"n", "code", "message"}], "changes": [...]}
 *
 * Decoding separates two kinds of trouble:
 *  - a payload that is not a well-formed batch (not JSON, not an array,
 *    an element that is not an object or has no integer "n", numbering that
 *    disagrees with the header) is refused whole: MO_EINVAL, code bad_payload;
 *  - a change that is well formed but breaks the vocabulary (unknown entity,
 *    op or field, missing or bad value) is kept with `qcode`/`qmsg` set, so
 *    the hub quarantines it and applies the rest (never block a queue).
 *
 * proto_change_check() holds the vocabulary and the field rules, shared by
 * agent (before it writes the outbox) and hub (before it applies).  What
 * needs the database (state machine against the stored status, not_found,
 * forbidden) is the hub's.
 */
#ifndef PROTO_CHANGE_H
#define PROTO_CHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "mo_buf.h"
#include "mo_err.h"

#define PROTO_CHANGE_ID_MAX 65 /* UUIDs, or a service code for `service` */
/*
 * change numbers (and feed positions) stay below 10^15: cJSON prints a
 * number with 15 significant digits whenever that reads back within an
 * epsilon, so a larger integer would not survive an encode/decode
 * round trip exactly.
 */
#define PROTO_CHANGE_N_MAX 999999999999999LL

struct proto_change {
	long long n;
	char entity[16];
	char id[PROTO_CHANGE_ID_MAX];
	char op[16];
	uint64_t hlc;
	cJSON *fields; /* owned; an object */
	/* set when the change must be quarantined, else qcode == NULL */
	const char *qcode; /* static string: unknown_entity, bad_value, ... */
	char qmsg[160];
};

struct proto_changes {
	struct proto_change *v;
	size_t n;
};

#define PROTO_CHANGES_INIT {NULL, 0}

struct proto_quarantine {
	long long n;
	char code[32];
	char message[160];
};

struct proto_response_payload {
	struct proto_quarantine *quarantined;
	size_t nquarantined;
	struct proto_changes changes;
};

#define PROTO_RESPONSE_PAYLOAD_INIT {NULL, 0, PROTO_CHANGES_INIT}

/* lifecycle */
void proto_changes_release(struct proto_changes *c);
void proto_response_payload_release(struct proto_response_payload *p);

/*
 * Decode an upload payload (inflated bytes).  When expect_first > 0, the
 * changes must be numbered expect_first, expect_first+1, ... and their count
 * must equal expect_count.  Each change is run through proto_change_check().
 */
int proto_changes_decode(struct proto_changes *out, const char *json, size_t len,
			 long long expect_first, long long expect_count,
			 struct mo_err *err) MO_WARN_UNUSED;

/*
 * The change numbers an upload announces (DESIGN §4: 1, 2, 3 ... without
 * gaps across a device's batches): count >= 1, last = first + count - 1,
 * and first = last_n + 1 where last_n is the last number applied for the
 * device (-1: not known, any first >= 1).  MO_EINVAL with err->code
 * "bad_envelope" (the header contradicts itself) or "bad_payload" (a gap or
 * an overlap with the batches before; err->expected = last_n + 1).
 */
int proto_changes_range_check(long long first, long long last, long long count,
			      long long last_n, struct mo_err *err) MO_WARN_UNUSED;

/* Decode / encode a response payload.  Downstream changes are checked too. */
int proto_response_decode(struct proto_response_payload *out, const char *json, size_t len,
			  struct mo_err *err) MO_WARN_UNUSED;
int proto_response_encode(struct mo_buf *out, const struct proto_quarantine *q, size_t nq,
			  const struct proto_change *changes, size_t nchanges,
			  struct mo_err *err) MO_WARN_UNUSED;

/* one change to a new cJSON object (fields are duplicated) */
cJSON *proto_change_to_json(const struct proto_change *c);
/* a JSON array of changes, compact, appended to out */
int proto_changes_encode(struct mo_buf *out, const struct proto_change *v, size_t n,
			 struct mo_err *err) MO_WARN_UNUSED;

/*
 * Check one change against the vocabulary of schema 1; sets c->qcode and
 * c->qmsg and returns false when it must be quarantined.  Values are
 * validated (RNOKPP check digit and birth date, phone, dates, UUIDs, status
 * names, text caps); phones are normalised in place to +380XXXXXXXXX.
 */
bool proto_change_check(struct proto_change *c);

#endif
