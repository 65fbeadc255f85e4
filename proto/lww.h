/*
 * lww.h — field-level last-writer-wins (DESIGN.md §4), the one merge rule
 * of hub and agent.
 *
 * Every leaf field path of an upsert ("applicant.surname") is a register
 * stamped with the (HLC, device id) that wrote it, as the text
 * "<16 hex hlc>:<device id>".  A write wins when its HLC is greater, or
 * equal with a greater device id; an object value merges key by key.  The
 * stamps of an entity are a flat cJSON object, path → stamp; how a program
 * stores them is its own business (the hub groups paths by stamp).
 */
#ifndef PROTO_LWW_H
#define PROTO_LWW_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hlc.h"
#include "keys.h"

#define PROTO_STAMP_LEN (PROTO_HLC_HEX + PROTO_ID_LEN + 1)
#define PROTO_LWW_PATH_MAX 256

/* "<hlc>:<device>" (device may be "": a writer the caller cannot name) */
void proto_stamp_format(char out[PROTO_STAMP_LEN], uint64_t hlc, const char *device);
/* the HLC of a stamp and (borrowed) its device; 0 when NULL or damaged */
uint64_t proto_stamp_hlc(const char *stamp, const char **device);

/* does (hlc, device) beat old_stamp?  A missing or damaged stamp always loses. */
bool proto_lww_wins(uint64_t hlc, const char *device, const char *old_stamp);

/*
 * Merge fields (under prefix, "" at the top) into doc with the registers in
 * stamps: each leaf whose (hlc, device) wins is copied into doc and, when
 * won is not NULL, into won (the same shape, winners only), and its stamp
 * is set; *changed becomes true when any did.  MO_ENOMEM, or MO_EINVAL for
 * a path longer than PROTO_LWW_PATH_MAX (nothing of that key merged).
 */
int proto_lww_merge(cJSON *doc, cJSON *won, cJSON *stamps, const char *prefix,
		    const cJSON *fields, uint64_t hlc, const char *device,
		    bool *changed) MO_WARN_UNUSED;

/*
 * Append every leaf path of fields ("applicant.address.street") to the JSON
 * array paths, in order: the registers of a new entity, all of one stamp.
 * MO_ENOMEM, MO_EINVAL for a path of PROTO_LWW_PATH_MAX or more.
 */
int proto_lww_leaf_paths(cJSON *paths, const char *prefix, const cJSON *fields) MO_WARN_UNUSED;

/*
 * Set the stamp of every leaf path of fields to stamp; with only_hlc != 0,
 * only the paths whose current stamp carries that HLC (re-stamping a change
 * given a new HLC).  MO_ENOMEM or MO_EINVAL as above.
 */
int proto_lww_stamp(cJSON *stamps, const char *prefix, const cJSON *fields, const char *stamp,
		    uint64_t only_hlc) MO_WARN_UNUSED;

#endif
