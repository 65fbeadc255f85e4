/*
 * apply.h — the merge rules of DESIGN.md §4, applied to the hub store.
 *
 *  - upsert: every leaf field is its own last-writer-wins register, won by
 *    the greater (HLC, device id); object values (applicant, its address)
 *    merge key by key, arrays are one value.  The materialised row (cases,
 *    trips) and the feed get only the fields that won.
 *  - transition: checked against the state machine (status.h) from the
 *    stored status, per service when `service` names one; the case status
 *    follows its services (proto_status_of_case).  A case that arrives
 *    submitted is moved to received by the hub, and that goes to the feed —
 *    after the whole batch (hub_apply_finish), so a laptop's cancel made
 *    offline in the same batch still finds its case submitted.
 *  - append: inserted once by its id, never merged.
 *
 * A change that cannot be accepted is quarantined (stored with its reason
 * and listed in hub_apply.q) and the batch goes on.  All of it runs inside
 * the caller's transaction (sync.c: one per batch; review.c: one per
 * decision).
 */
#ifndef HUB_APPLY_H
#define HUB_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "change.h"
#include "hlc.h"
#include "hub.h"

/* a case the batch leaves submitted, and what its last upsert wrote: the
 * received step then moves it without reading it back (known false: a
 * later change of the batch moved it, so the step reads it) */
struct hub_receive {
	struct hub_case c;
	struct hub_case_service *sv; /* owned */
	size_t n;
	char phone[16]; /* the consenting applicant's phone, or "" */
	bool known;
};

struct hub_apply {
	struct hub *hub;
	const struct hub_device *dev; /* the sender */
	long long seq;		      /* its batch (quarantine records) */
	struct proto_clock clock;     /* hub clock, loaded and saved by the caller */
	uint64_t now_ms;
	struct proto_quarantine *q; /* quarantined changes of this batch */
	size_t nq, qcap;
	long long applied;
	struct hub_receive *receive; /* cases to move to received at the end */
	size_t nreceive, rcap;
};

void hub_apply_init(struct hub_apply *a, struct hub *h, const struct hub_device *dev, long long seq,
		    const struct proto_clock *clock);
void hub_apply_release(struct hub_apply *a);

/*
 * Apply one change.  MO_OK when it was applied, found already applied, or
 * quarantined (then a->q grew); any other code is a store failure and the
 * caller must roll the batch back.
 */
int hub_apply_change(struct hub_apply *a, struct proto_change *c,
		     struct mo_err *err) MO_WARN_UNUSED;

/*
 * After the last change of a batch, inside the same transaction: the
 * hub's received step for every case the batch left submitted.
 */
int hub_apply_finish(struct hub_apply *a, struct mo_err *err) MO_WARN_UNUSED;

/* ---- status moves, shared with review.c ---- */

struct hub_transition {
	const char *case_id;
	const char *from; /* required status; NULL: whatever it is now */
	const char *to;
	const char *service; /* NULL: the case (its services at the case status) */
	const char *reason;
	int actor;		/* enum proto_actor */
	const char *actor_name; /* device code, "hub", staff login */
	const char *origin;	/* device id it came from; NULL: the hub (every device) */
	uint64_t hlc;
	const char *phone; /* the case's consenting phone when the caller knows it
			    * ("" none); NULL: the message step reads the case */
};

/*
 * Move a case or one of its services, record history and feed.  Refusals
 * carry a quarantine code in err->code: not_found (no case / service),
 * illegal_transition (state machine or stale `from`), bad_value.
 */
int hub_case_transition(struct hub *h, const struct hub_transition *t,
			struct mo_err *err) MO_WARN_UNUSED;

/*
 * The hub's own step: every submitted service of the case → received.
 * `origin` is the device whose batch brought the case: its feed entries
 * skip that device, which learns `received` from the ack itself (every
 * applied case of an acked batch; agent/sync.c), so a push is not echoed
 * back change by change.  Other laptops of the unit get the transition.
 */
int hub_case_receive(struct hub *h, const char *case_id, const char *origin,
		     struct proto_clock *clock, struct mo_err *err) MO_WARN_UNUSED;

#endif
