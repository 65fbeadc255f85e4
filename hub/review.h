/*
 * review.h — what central staff do to a case: decide, comment, assign.
 *
 * The one place for staff actions: the CLI (`mo-hub case decide|comment`)
 * calls it today, the browser review UI will call the same functions.  Each
 * action is one transaction: the state machine is checked with actor STAFF,
 * the case and its history change, and the unit's feed gets a `case`
 * transition (or a `comment` append) stamped with a hub HLC, so the
 * laptops of that unit learn it on their next pull.
 */
#ifndef HUB_REVIEW_H
#define HUB_REVIEW_H

#include "hub.h"

/* one service's own decision (package applications) */
struct hub_service_decision {
	const char *code;
	const char *decision;
	const char *reason; /* NULL or "": the decision's common reason */
};

struct hub_decision {
	const char *case_ref; /* case id or number */
	const char *decision; /* in_review | approved | rejected | needs_info */
	const char *reason;   /* required for rejected and needs_info */
	const char *by;	      /* staff login (must exist); NULL: "admin" */
	const char *service;  /* NULL: the case; else that service alone */
	/* when nservices > 0: each named service moves by its own decision
	 * (decision and service above are then ignored), all or nothing */
	const struct hub_service_decision *services;
	size_t nservices;
};

/*
 * Decide, in one transaction with its audit entry.  *out (may be NULL) gets
 * the case after it.  MO_EINVAL (bad decision: bad_value; no reason:
 * missing_reason), MO_ENOTFOUND (case, service or user), MO_ECONFLICT with
 * code illegal_transition.  Nothing changes on a refusal.
 */
int hub_review_decide(struct hub *h, const struct hub_decision *d, struct hub_case *out,
		      struct mo_err *err) MO_WARN_UNUSED;

/* Comment on a case (audited); the new comment's id into id_out (may be NULL). */
int hub_review_comment(struct hub *h, const char *case_ref, const char *text, const char *by,
		       char id_out[MO_UUID_LEN], struct mo_err *err) MO_WARN_UNUSED;

/*
 * Assign a case (id or number) to a staff login, or to nobody (login NULL),
 * in one transaction with its history entry (kind "assigned", from the old
 * assignee to the new, actor `by`) and its audit entry ("assign").  The
 * login must be an enabled staff user (MO_ENOTFOUND, MO_EINVAL code
 * bad_value when disabled).  Assigning to whoever has it already changes
 * and records nothing.  *out (may be NULL) gets the case.  Staff-only:
 * nothing goes down to the laptops.
 */
int hub_review_assign(struct hub *h, const char *case_ref, const char *login, const char *by,
		      struct hub_case *out, struct mo_err *err) MO_WARN_UNUSED;

/*
 * The statuses staff may move a case or a service at status `from` to, read
 * from proto's transition table (proto_transition_allowed, actor STAFF), so
 * the review UI offers only those moves: their names appended to the JSON
 * array `arr`.  A final status (or approved, issued on the laptop) adds none.
 */
int hub_review_moves(int from, cJSON *arr) MO_WARN_UNUSED;

/*
 * A history entry in the shape staff see (API, CLI, docs/api.md): an "edited"
 * event's stored detail becomes its "field", "old" and "new" keys.
 */
void hub_history_entry_expand(cJSON *e);

#endif
