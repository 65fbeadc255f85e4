/*
 * status.c — the case status state machine (status.h, DESIGN.md §3).
 *
 * The transitions are one table indexed by (from, to), each cell the set of
 * actors allowed, so the whole machine can be read (and reviewed) at once.
 */
#include "status.h"

#include <string.h>

/* clang-format off */
static const char *const names[PROTO_ST_COUNT] = {
	[PROTO_ST_DRAFT] = "draft",
	[PROTO_ST_SUBMITTED] = "submitted",
	[PROTO_ST_RECEIVED] = "received",
	[PROTO_ST_IN_REVIEW] = "in_review",
	[PROTO_ST_APPROVED] = "approved",
	[PROTO_ST_ISSUED] = "issued",
	[PROTO_ST_REJECTED] = "rejected",
	[PROTO_ST_NEEDS_INFO] = "needs_info",
	[PROTO_ST_CANCELLED] = "cancelled",
};

#define A (1u << PROTO_ACTOR_AGENT)
#define H (1u << PROTO_ACTOR_HUB)
#define S (1u << PROTO_ACTOR_STAFF)

/* allowed[from][to]: bit set of actors; everything not listed is refused */
static const unsigned allowed[PROTO_ST_COUNT][PROTO_ST_COUNT] = {
	[PROTO_ST_DRAFT] = {[PROTO_ST_SUBMITTED] = A, [PROTO_ST_CANCELLED] = A},
	[PROTO_ST_SUBMITTED] = {[PROTO_ST_RECEIVED] = H, [PROTO_ST_CANCELLED] = A},
	[PROTO_ST_RECEIVED] = {[PROTO_ST_IN_REVIEW] = S,
			       [PROTO_ST_APPROVED] = S,
			       [PROTO_ST_REJECTED] = S,
			       [PROTO_ST_NEEDS_INFO] = S},
	[PROTO_ST_IN_REVIEW] = {[PROTO_ST_APPROVED] = S,
				[PROTO_ST_REJECTED] = S,
				[PROTO_ST_NEEDS_INFO] = S},
	[PROTO_ST_APPROVED] = {[PROTO_ST_ISSUED] = A},
	[PROTO_ST_NEEDS_INFO] = {[PROTO_ST_SUBMITTED] = A, [PROTO_ST_CANCELLED] = A},
};

#undef A
#undef H
#undef S
/* clang-format on */

static bool status_ok(int st)
{
	return st >= 0 && st < PROTO_ST_COUNT;
}

int proto_status_parse(const char *name)
{
	if (name == NULL)
		return PROTO_ST_INVALID;
	for (int i = 0; i < PROTO_ST_COUNT; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return PROTO_ST_INVALID;
}

const char *proto_status_name(int st)
{
	return status_ok(st) ? names[st] : "?";
}

bool proto_transition_allowed(int from, int to, int actor)
{
	if (!status_ok(from) || !status_ok(to) || actor < PROTO_ACTOR_AGENT ||
	    actor > PROTO_ACTOR_STAFF)
		return false;
	return (allowed[from][to] & (1u << actor)) != 0;
}

bool proto_status_final(int st)
{
	return st == PROTO_ST_ISSUED || st == PROTO_ST_REJECTED || st == PROTO_ST_CANCELLED;
}

/*
 * Rank of a status still going, lowest first: the case shows what most
 * needs attention.  needs_info first (status.h); draft, not listed there,
 * sits before submitted because it is less advanced.
 */
static int going_rank(int st)
{
	switch (st) {
	case PROTO_ST_NEEDS_INFO: return 0;
	case PROTO_ST_DRAFT: return 1;
	case PROTO_ST_SUBMITTED: return 2;
	case PROTO_ST_RECEIVED: return 3;
	case PROTO_ST_IN_REVIEW: return 4;
	case PROTO_ST_APPROVED: return 5;
	case PROTO_ST_ISSUED: return 6;
	default: return -1;
	}
}

int proto_status_of_case(const int *service_status, size_t n)
{
	size_t cancelled = 0, rejected = 0;
	int best = PROTO_ST_INVALID;

	if (service_status == NULL || n == 0)
		return PROTO_ST_INVALID;
	for (size_t i = 0; i < n; i++) {
		int st = service_status[i];

		if (!status_ok(st))
			return PROTO_ST_INVALID;
		if (st == PROTO_ST_CANCELLED)
			cancelled++;
		else if (st == PROTO_ST_REJECTED)
			rejected++;
		else if (best == PROTO_ST_INVALID || going_rank(st) < going_rank(best))
			best = st;
	}
	if (cancelled == n)
		return PROTO_ST_CANCELLED;
	if (cancelled + rejected == n)
		return PROTO_ST_REJECTED;
	return best;
}

static const char *const visit_states[PROTO_VISIT_COUNT] = {
    [PROTO_VISIT_REQUESTED] = "requested",
    [PROTO_VISIT_SCHEDULED] = "scheduled",
    [PROTO_VISIT_VISITED] = "visited",
    [PROTO_VISIT_CANCELLED] = "cancelled",
};

int proto_visit_state_parse(const char *name)
{
	if (name == NULL)
		return PROTO_VISIT_INVALID;
	for (int i = 0; i < PROTO_VISIT_COUNT; i++)
		if (strcmp(name, visit_states[i]) == 0)
			return i;
	return PROTO_VISIT_INVALID;
}

const char *proto_visit_state_name(int st)
{
	return st >= 0 && st < PROTO_VISIT_COUNT ? visit_states[st] : "?";
}

bool proto_visit_move_allowed(int from, int to)
{
	switch (from) {
	case PROTO_VISIT_REQUESTED:
		return to == PROTO_VISIT_SCHEDULED || to == PROTO_VISIT_CANCELLED;
	case PROTO_VISIT_SCHEDULED:
		return to == PROTO_VISIT_SCHEDULED || to == PROTO_VISIT_VISITED ||
		       to == PROTO_VISIT_CANCELLED;
	default:
		return false;
	}
}
