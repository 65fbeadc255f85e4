/*
 * field.h — actions of a field day that the CLI and the browser UI share
 * (one rule, two faces): opening and closing a trip, adding a scanned
 * document to an application, and the citizen's rating.  Each function
 * runs its own BEGIN IMMEDIATE .. COMMIT and records the change in the
 * outbox under me->operator_name.
 */
#ifndef AGENT_FIELD_H
#define AGENT_FIELD_H

#include <stdbool.h>
#include <stddef.h>

#include "case.h"
#include "mo_err.h"
#include "mo_util.h"
#include "store.h"

/* ---- trips ---- */

/* is k one of the trip kinds (home-visit, village-stop, ...) */
bool agent_trip_kind_ok(const char *k);

/*
 * Open a trip in `settlement` of `kind` with me->operator_name and crew[]
 * (duplicates of the operator dropped).  MO_EINVAL code "bad_kind" /
 * "required" (settlement) / "no_operator"; MO_ECONFLICT code "trip_open"
 * (err->msg = the open trip's id) when one is open.  id gets the new trip.
 */
int agent_trip_start(struct agent_store *s, const struct agent_identity *me, const char *settlement,
		     const char *kind, const char *const *crew, size_t ncrew, char id[MO_UUID_LEN],
		     struct mo_err *err) MO_WARN_UNUSED;

/* Close the open trip; MO_ENOTFOUND code "no_trip" when none.  id gets it. */
int agent_trip_end(struct agent_store *s, const struct agent_identity *me, char id[40],
		   struct mo_err *err) MO_WARN_UNUSED;

/* ---- scans ---- */

#define AGENT_ATTACH_MAX (64ll << 20)

/* the media type a file name implies ("application/octet-stream" when unknown) */
const char *agent_media_type_of(const char *name);

/*
 * Copy the file at src into DATA/blobs/<sha256> (content-addressed, fsynced;
 * stored once however often it is added).  MO_EINVAL code "file" (cannot
 * read, empty) or "too_big" (past AGENT_ATTACH_MAX).
 */
int agent_blob_store(const char *data_dir, const char *src, char sha[MO_SHA256_HEX],
		     long long *size, struct mo_err *err) MO_WARN_UNUSED;

struct agent_attach_result {
	char id[MO_UUID_LEN];
	char sha256[MO_SHA256_HEX];
	long long size;
	bool duplicate; /* the case already had this very file: nothing was added */
};

/*
 * Attach the file at path to the case `key` (id or number) as `name` (NULL:
 * the file's own name) of document kind `kind` (may be NULL).  The same
 * bytes twice on one case are one attachment (out->duplicate, no change).
 */
int agent_case_attach_file(struct agent_store *s, const struct agent_identity *me,
			   const char *data_dir, const char *key, const char *path,
			   const char *name, const char *kind, struct agent_attach_result *out,
			   struct mo_err *err) MO_WARN_UNUSED;

/* ---- ratings ---- */

/* the citizen's 1..5 rating of case `key`, with an optional comment */
int agent_case_rate(struct agent_store *s, const struct agent_identity *me, const char *key,
		    int score, const char *comment, struct mo_err *err) MO_WARN_UNUSED;

#endif
