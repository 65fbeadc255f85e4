/*
 * sync.h — the laptop side of the sync protocol (DESIGN.md §4): enrolment,
 * resumable blob upload, frozen upload batches, pulls, and applying the
 * hub's verified responses.
 *
 * Batches are FROZEN: the envelope bytes of a batch are stored with its seq
 * and prev hash (agent_store_batch_freeze) before they are sent, so a retry
 * after a crash resends identical bytes — a replay the hub answers with the
 * same ack, never a fork.  Changes are marked sent only after a response
 * that verifies with the pinned hub key, names this hub and device, acks the
 * batch, and whose cursor does not go backwards; the ack, quarantined
 * changes, downstream changes and the new cursor land in ONE transaction.
 */
#ifndef AGENT_SYNC_H
#define AGENT_SYNC_H

#include <openssl/evp.h>

#include "agent.h"
#include "case.h"
#include "store.h"

#define AGENT_BATCH_CHANGES_MAX 5000
#define AGENT_BATCH_BYTES_MAX (4u << 20)
#define AGENT_CHUNK (1u << 20) /* blob upload chunk */

struct agent_batch_opts {
	long long max_changes; /* <= AGENT_BATCH_CHANGES_MAX */
	size_t max_bytes;      /* <= AGENT_BATCH_BYTES_MAX */
	int level;	       /* zlib level */
	unsigned long dict_id; /* proto_dict_default() */
};

/*
 * The next batch to send: the oldest frozen one not yet acked, or else a new
 * one built from the pending outbox and frozen (in its own transaction)
 * before it is returned.  MO_ENOTFOUND when nothing is pending.
 */
int agent_batch_next(struct agent_store *s, const struct agent_identity *me, EVP_PKEY *key,
		     const struct agent_batch_opts *o, struct agent_batch *out,
		     struct mo_err *err) MO_WARN_UNUSED;

struct agent_sync_stats {
	long long changes, batches, blobs, received, quarantined;
	bool clock_reset; /* HLCs from a clock that was ahead were replaced */
};

/* Register this laptop with a hub (POST /v1/enroll) and pin its key. */
int agent_enroll(struct agent_ctx *ctx, const char *url, const char *token,
		 const char *operator_name, struct agent_identity *out,
		 struct mo_err *err) MO_WARN_UNUSED;

/*
 * Recovery of a restored laptop (seq_conflict; docs/recovery.md): keep the
 * store, move the old key aside (device-<id>.key), enrol a new key with a
 * fresh token, then as the new device: batches, cursor and case counter
 * reset, acked changes dropped (the hub has them), unacked ones re-queued
 * from n 1 with fresh HLCs, and the cases created since the last ack given
 * numbers under the new device code.  *renumbered (caller's) gets
 * [{"id","old","new"}]: those receipts must be reissued.  Safe to rerun
 * after a failure (meta recover_from holds the step reached).
 */
int agent_enroll_again(struct agent_ctx *ctx, const char *url, const char *token,
		       const char *operator_name, struct agent_identity *out, cJSON **renumbered,
		       long long *requeued, struct mo_err *err) MO_WARN_UNUSED;

/*
 * Upload pending blobs, then batches, then pull until nothing is pending and
 * the hub has nothing more.  Errors: MO_ENET (hub unreachable), MO_EFORBIDDEN
 * (refused by the hub; err->code = wire code, e.g. device_revoked,
 * clock_skew), MO_EAUTH (a response failed verification), storage codes.
 */
int agent_sync(struct agent_ctx *ctx, struct agent_sync_stats *stats,
	       struct mo_err *err) MO_WARN_UNUSED;

/* path of the device key and of a blob in the data directory */
void agent_key_path(const struct agent_ctx *ctx, char *out, size_t len);
void agent_blob_path(const struct agent_ctx *ctx, const char *sha256, char *out, size_t len);

#endif
