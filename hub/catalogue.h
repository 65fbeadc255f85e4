/*
 * catalogue.h — catalogue administration (issue 14 item 8): admins add and
 * edit services (titles, category, fee, required documents, package
 * members, active) on the hub, and every laptop of every unit gets the new
 * version on its next sync.
 *
 * One rule for a service, wherever it comes from: the edited service is
 * built as the `service` upsert change it becomes in the feed and checked
 * by proto_change_check (docs/vocabulary.md), then against the catalogue
 * (package members exist and are not packages themselves).  An edit names
 * the version of the service the editor saw, so two admins editing at once
 * get MO_ECONFLICT instead of a lost edit.  Each edit is one transaction:
 * the service, the kept version (the catalogue's version number goes up),
 * the feed row for all units and the audit entry (old → new).  A service is
 * never deleted — cases name it; it is retired with "active": false.
 */
#ifndef HUB_CATALOGUE_H
#define HUB_CATALOGUE_H

#include <cjson/cJSON.h>

#include "hub.h"

#define HUB_CATALOGUE_SEEN_CURRENT (-1) /* the CLI: whatever version is stored */

struct hub_catalogue_edit {
	const char *code;
	const cJSON *changes; /* service fields to set (borrowed): all of a new one, or
			       * only what changes */
	long long seen;	      /* the service's version the editor saw; 0: a new service */
	const char *by;	      /* staff login or "cli" */
};

/*
 * Create or edit one service.  *out (caller frees) is the service as
 * GET /api/catalogue lists it plus "changed" (false when the edit changed
 * nothing: then nothing is recorded) and "catalogue_version".
 * MO_EINVAL "bad_value" (a rule broken, nothing changed), MO_ENOTFOUND
 * "not_found" (an edit of an unknown service), MO_ECONFLICT "conflict"
 * (the version seen is not the stored one, or a new service exists).
 */
int hub_catalogue_set(struct hub *h, const struct hub_catalogue_edit *e, cJSON **out,
		      struct mo_err *err);

/* {"version", "services": [{code, category, title_uk, title_en, fee_uah,
 * required_documents, members?, active, version, updated_at, cases}]} */
int hub_catalogue_get(struct hub *h, cJSON **out, struct mo_err *err);

/* the kept edits, newest first (code NULL: of every service), at most 500 */
int hub_catalogue_versions(struct hub *h, const char *code, cJSON **out, struct mo_err *err);

#endif
