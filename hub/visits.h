/*
 * visits.h — home-visit requests on the hub (issue 15 item 1): the one
 * place for their rules, called by the staff API (api.c), the CLI
 * (visits_cli.c) and the batch apply (apply.c).
 *
 * A visit is made by staff (`requested`), sent as a `visit` upsert
 * (docs/vocabulary.md) to the laptops of its unit only, scheduled, visited
 * or cancelled there (a `visit` transition), and cancelled or given to
 * another unit by staff.  Every change goes down to the unit's laptops
 * as the whole request again.  The shape of what goes down is proto's
 * (proto_change_check on the upsert), so staff input meets the same rules
 * as the wire.  Each staff action is one transaction with its audit entry;
 * nothing changes on a refusal.
 */
#ifndef HUB_VISITS_H
#define HUB_VISITS_H

#include <cjson/cJSON.h>

#include "change.h"
#include "hlc.h"
#include "hub.h"

struct hub_cli;

/*
 * A new visit from staff `by`: in is {"unit", "citizen": {"surname",
 * "given_name", "patronymic", "phone", "address" (the applicant's address
 * object, or a text), "mobility"}, "reason", "services": [codes of the
 * catalogue], "preferred_date", "note"}; unit, surname, given name, phone
 * and address are required.  *out gets the stored visit (hub_visit_get's
 * shape).  Refusals: MO_EINVAL with code bad_request / bad_value /
 * missing_field / unknown_field, MO_ENOTFOUND (not_found: no such unit).
 */
int hub_visit_create(struct hub *h, const cJSON *in, const char *by, cJSON **out,
		     struct mo_err *err) MO_WARN_UNUSED;

/* staff cancel (reason required: code visit_reason); illegal_transition
 * once visited or cancelled */
int hub_visit_cancel(struct hub *h, const char *ref, const char *reason, const char *by,
		     cJSON **out, struct mo_err *err) MO_WARN_UNUSED;

/* give a requested visit to another unit (code visit_not_requested once
 * scheduled or closed); the old unit's laptops get it once more with the
 * new `unit`, so they drop it */
int hub_visit_assign(struct hub *h, const char *ref, const char *unit, const char *by, cJSON **out,
		     struct mo_err *err) MO_WARN_UNUSED;

/*
 * Staff edit a visit still open (requested or scheduled): in holds any of
 * "citizen" (its keys replace those held, one by one), "reason",
 * "services", "preferred_date", "note"; the same rules as at creation.
 * illegal_transition once visited or cancelled.
 */
int hub_visit_edit(struct hub *h, const char *ref, const cJSON *in, const char *by, cJSON **out,
		   struct mo_err *err) MO_WARN_UNUSED;

/* one visit by id or number, with "cases" (the applications recorded from
 * it) and "days_to_visit" (null until visited) */
int hub_visit_get(struct hub *h, const char *ref, cJSON **out, struct mo_err *err) MO_WARN_UNUSED;

/* the filters checked (bad_request), then the store's list */
int hub_visit_list(struct hub *h, const struct hub_visit_filter *f, cJSON **out,
		   struct mo_err *err) MO_WARN_UNUSED;

/*
 * A laptop's `visit` transition, inside its batch's transaction (apply.c):
 * refusals carry the quarantine code in err->code (not_found, forbidden,
 * illegal_transition, missing_field) and change nothing.  On success the
 * visit's new state goes down to the unit's other laptops.
 */
int hub_visit_transition(struct hub *h, const struct hub_device *dev, const struct proto_change *c,
			 struct proto_clock *clock, struct mo_err *err) MO_WARN_UNUSED;

/* may a case of `unit` name visit_id?  *bad (NULL: yes) is the refusal and
 * *code its quarantine code (not_found, forbidden) */
int hub_visit_case_check(struct hub *h, const char *visit_id, const char *unit, const char **code,
			 const char **bad, struct mo_err *err) MO_WARN_UNUSED;

/* the CLI's `visit add` and `visit list` (visits_cli.c) */
int hub_cmd_visit_add(struct hub *h, const struct hub_cli *cli, struct mo_err *err) MO_WARN_UNUSED;
int hub_cmd_visit_list(struct hub *h, const struct hub_cli *cli, struct mo_err *err) MO_WARN_UNUSED;

#endif
