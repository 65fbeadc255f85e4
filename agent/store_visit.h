/*
 * store_visit.h — the visits table of the agent store (migration 005): the
 * home-visit requests of this laptop's unit.  Only SQL lives in
 * store_visit.c; what a visit may do is visit.h's.
 *
 * A row keeps two things (schema/agent/005_visits.sql): `data`, the request
 * as the hub sent it with the moves the hub has acknowledged folded in, and
 * the shown state (state, scheduled_for, state_reason, visited_at), which
 * runs ahead of `data` while moves made here wait for the hub (pending > 0).
 */
#ifndef AGENT_STORE_VISIT_H
#define AGENT_STORE_VISIT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "mo_err.h"
#include "store.h"

struct agent_visit {
	char id[40];
	char number[48];
	char unit[40];
	char hlc[17];	/* 16 hex: the stamp of the write `data` holds */
	char state[16]; /* shown */
	char scheduled_for[16];
	char visited_at[40];
	char *state_reason; /* owned, NULL when none */
	long long pending;  /* moves made here that the hub has not acknowledged */
	char updated_at[40];
	cJSON *data; /* owned: the hub's fields (number, unit, citizen, services, ...) */
};
void agent_visit_release(struct agent_visit *v);

/* by UUID (either case) or number (В-2026-000001); MO_ENOTFOUND code "visit_not_found" */
int agent_store_visit_get(struct agent_store *s, const char *key, struct agent_visit *out,
			  struct mo_err *err) MO_WARN_UNUSED;
/* insert or rewrite the whole row (inside the caller's transaction) */
int agent_store_visit_put(struct agent_store *s, const struct agent_visit *v,
			  struct mo_err *err) MO_WARN_UNUSED;

/* remove a visit (it was given to another unit); MO_OK when there was none */
int agent_store_visit_delete(struct agent_store *s, const char *id,
			     struct mo_err *err) MO_WARN_UNUSED;

/*
 * Every visit, in the order the field day needs them: scheduled by date
 * (today first), then requested by preferred date (none last), then
 * visited and cancelled, latest first.  fn is called with a borrowed row;
 * a non-MO_OK return stops the walk and is returned.
 */
typedef int (*agent_visit_fn)(void *arg, const struct agent_visit *v);
int agent_store_visit_each(struct agent_store *s, agent_visit_fn fn, void *arg,
			   struct mo_err *err) MO_WARN_UNUSED;

/*
 * The `visit` transitions batch seq carried, in order: their visit, the
 * change as sent (borrowed JSON text) and whether the hub quarantined it.
 */
typedef int (*agent_visit_move_fn)(void *arg, const char *visit_id, const char *change_json,
				   bool quarantined);
int agent_store_visit_batch_moves(struct agent_store *s, long long seq, agent_visit_move_fn fn,
				  void *arg, struct mo_err *err) MO_WARN_UNUSED;

/* the applications recorded from a visit: JSON array of {"id","number","status"} */
int agent_store_visit_cases(struct agent_store *s, const char *visit_id, cJSON **out,
			    struct mo_err *err) MO_WARN_UNUSED;

#endif
