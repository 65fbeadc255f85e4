/*
 * visit.h — home-visit requests on the laptop (issue 15): what the hub sends
 * down, what the administrator sees, and the moves the laptop makes.
 *
 * Staff create a request at the hub; the hub sends it (a `visit` upsert,
 * the whole request each time) to the laptops of its unit only.  Here the
 * administrator lists it, schedules it (and re-schedules), records the
 * application(s) from it (`case new --visit`), marks it visited or cancels
 * it with a reason.  Each move is checked with proto_visit_move_allowed()
 * against the state shown here and queued as a `visit` transition in the
 * outbox, in the caller's transaction, exactly like a case transition; the
 * state shows at once and the hub learns it on the next sync.  The CLI
 * (cli_visit.c) and the field UI (ui_api.c) call these same functions.
 *
 * The shown state runs ahead of the hub's copy while moves wait for the
 * hub; agent_visit_acked() folds the acknowledged ones in and drops the
 * refused ones (the hub's state shows again) — store_visit.h has the shape.
 */
#ifndef AGENT_VISIT_H
#define AGENT_VISIT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "case.h"
#include "change.h"
#include "mo_err.h"
#include "store.h"

#define AGENT_VISIT_REASON_MAX 1000

/* ---- what the hub sends ---- */

/*
 * A downstream `visit` upsert (from agent_apply_remote).  A visit of
 * another unit is not stored: one this laptop holds was given to another
 * unit and is removed; any other is logged on stderr and counted in meta
 * `visits_ignored` (the hub must never send one).  Either way MO_OK, so the
 * rest of the answer applies.  An upsert older than the stored one (by
 * HLC) changes nothing.
 */
int agent_visit_apply_remote(struct agent_store *s, const struct proto_change *c,
			     struct mo_err *err) MO_WARN_UNUSED;

/*
 * Batch seq was acknowledged (inside the caller's transaction, after its
 * quarantined list is stored): every `visit` move it carried that the hub
 * took is folded into the hub's copy; every move stops being pending; a
 * visit with nothing pending shows the hub's copy again.
 */
int agent_visit_acked(struct agent_store *s, long long seq, struct mo_err *err) MO_WARN_UNUSED;

/* ---- reading ---- */

/*
 * *out (caller's): a JSON array of visits, field-day order (store_visit.h),
 * each the hub's fields with the shown state: {"id","number","unit",
 * "citizen","reason","services","preferred_date","note","state",
 * "state_reason","scheduled_for","requested_at","visited_at","pending"}.
 */
int agent_visit_list(struct agent_store *s, cJSON **out, struct mo_err *err) MO_WARN_UNUSED;
/* one visit (UUID or number), as in the list plus "cases" (applications
 * recorded from it) and "service_titles" [{code,title,title_en}];
 * MO_ENOTFOUND code "visit_not_found" */
int agent_visit_show(struct agent_store *s, const char *key, cJSON **out,
		     struct mo_err *err) MO_WARN_UNUSED;

/* ---- moves (inside the caller's transaction) ---- */

/*
 * Schedule (or re-schedule) for `date` (15.03.2026 or 2026-03-15; not
 * before today in Kyiv), mark visited, cancel with a reason (required, text
 * ≤ 1000).  Refusals write nothing: MO_ENOTFOUND "visit_not_found";
 * MO_ECONFLICT "illegal_visit_move" (err->msg "from → to"); MO_EINVAL
 * "visit_date" / "date_past" / "reason_required" / "bad_field".
 */
int agent_visit_schedule(struct agent_store *s, const struct agent_identity *me, const char *key,
			 const char *date, struct mo_err *err) MO_WARN_UNUSED;
int agent_visit_done(struct agent_store *s, const struct agent_identity *me, const char *key,
		     struct mo_err *err) MO_WARN_UNUSED;
int agent_visit_cancel(struct agent_store *s, const struct agent_identity *me, const char *key,
		       const char *reason, struct mo_err *err) MO_WARN_UNUSED;

/* ---- an application from a visit ---- */

/* what agent_visit_case_input lends the input (the visit's data) */
struct agent_visit_fill {
	char id[40];
	cJSON *data; /* owned */
};
void agent_visit_fill_release(struct agent_visit_fill *f);

/*
 * Fill the application input from visit `key`: surname, given name,
 * patronymic, phone, address, mobility and the wanted services, each only
 * when the input leaves it unset (what the user typed wins), and set
 * in->visit.  Strings are borrowed from *keep; release it after the input
 * is used.  A cancelled visit is refused (MO_ECONFLICT "visit_cancelled").
 */
int agent_visit_case_input(struct agent_store *s, const char *key, struct agent_case_input *in,
			   struct agent_visit_fill *keep, struct mo_err *err) MO_WARN_UNUSED;

#endif
