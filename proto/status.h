/*
 * status.h — the case status state machine of DESIGN.md §3, in one place:
 *
 *   draft → submitted → received → in_review → approved → issued
 *                                         ↘ rejected
 *                                         ↘ needs_info → submitted (amended)
 *   draft|submitted|needs_info → cancelled
 *
 * The agent moves draft→submitted, needs_info→submitted, approved→issued and
 * cancels; the hub sets received on apply; staff move the rest and may
 * decide straight from received.  A package application's services each
 * carry a status; the case's status follows its services
 * (proto_status_of_case).
 */
#ifndef PROTO_STATUS_H
#define PROTO_STATUS_H

#include <stdbool.h>
#include <stddef.h>

enum proto_status {
	PROTO_ST_DRAFT,
	PROTO_ST_SUBMITTED,
	PROTO_ST_RECEIVED,
	PROTO_ST_IN_REVIEW,
	PROTO_ST_APPROVED,
	PROTO_ST_ISSUED,
	PROTO_ST_REJECTED,
	PROTO_ST_NEEDS_INFO,
	PROTO_ST_CANCELLED,
	PROTO_ST_COUNT,
	PROTO_ST_INVALID = -1,
};

enum proto_actor {
	PROTO_ACTOR_AGENT, /* the field laptop */
	PROTO_ACTOR_HUB,   /* the hub itself, on apply */
	PROTO_ACTOR_STAFF, /* a reviewer at the hub */
};

/* "draft" → PROTO_ST_DRAFT; PROTO_ST_INVALID for anything else */
int proto_status_parse(const char *name);
/* never NULL for a valid status; "?" otherwise */
const char *proto_status_name(int st);

/* may `actor` move a case (or one service) from `from` to `to`? */
bool proto_transition_allowed(int from, int to, int actor);
/* terminal states: issued, rejected, cancelled */
bool proto_status_final(int st);

/*
 * The case's status from its services' statuses: every service cancelled →
 * cancelled; every service rejected or cancelled → rejected; otherwise the
 * least advanced status among the services still going (needs_info first,
 * then submitted, received, in_review, approved, issued).  n == 0 → invalid.
 */
int proto_status_of_case(const int *service_status, size_t n);

/*
 * A home-visit request (entity `visit`, issue 15):
 *
 *   requested → scheduled → visited
 *   requested|scheduled → cancelled (with a reason)
 *   scheduled → scheduled (a new date)
 *
 * Staff create visits on the hub and may cancel them; the unit's laptop
 * schedules, records the visit and may cancel it.  visited and cancelled
 * are final.
 */
enum proto_visit_state {
	PROTO_VISIT_REQUESTED,
	PROTO_VISIT_SCHEDULED,
	PROTO_VISIT_VISITED,
	PROTO_VISIT_CANCELLED,
	PROTO_VISIT_COUNT,
	PROTO_VISIT_INVALID = -1,
};

int proto_visit_state_parse(const char *name);
const char *proto_visit_state_name(int st); /* "?" for an invalid one */
/* may a visit move from `from` to `to` (either side may: the rule is one) */
bool proto_visit_move_allowed(int from, int to);

#endif
