/*
 * store.h — the field laptop's SQLite store: ALL SQL of mo-agent lives in
 * store.c.
 *
 * The database is opened in WAL mode with synchronous=FULL and foreign keys
 * on; migrations are the numbered files of schema/agent/, embedded into the
 * binary and tracked by PRAGMA user_version.  Writers open BEGIN IMMEDIATE
 * transactions (agent_store_begin) so two mo-agent processes never deadlock
 * on an upgrade from a read lock.
 *
 * The outbox invariant: every local mutation writes its rows AND its change
 * records in one transaction.  agent_store_outbox_add() must be called inside
 * such a transaction; it numbers the change n = max(n) + 1 (gapless because
 * outbox rows are never deleted) and stamps a fresh HLC.
 *
 * Statements are prepared once (SQLITE_PREPARE_PERSISTENT) at open.
 */
#ifndef AGENT_STORE_H
#define AGENT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "mo_buf.h"
#include "mo_err.h"

struct agent_store;

/* ---- lifecycle ---- */

/* Open or create the database at path and migrate it. */
int agent_store_open(struct agent_store **out, const char *path, struct mo_err *err) MO_WARN_UNUSED;
void agent_store_close(struct agent_store *s);

/* ---- transactions ---- */
int agent_store_begin(struct agent_store *s, struct mo_err *err) MO_WARN_UNUSED;
int agent_store_commit(struct agent_store *s, struct mo_err *err) MO_WARN_UNUSED;
void agent_store_rollback(struct agent_store *s);
/* a savepoint inside a transaction: one imported line is all or nothing */
int agent_store_savepoint(struct agent_store *s, struct mo_err *err) MO_WARN_UNUSED;
int agent_store_release(struct agent_store *s, struct mo_err *err) MO_WARN_UNUSED;
void agent_store_rollback_to(struct agent_store *s);

/* ---- settings (meta) ---- */
/* MO_ENOTFOUND when absent (out = "") */
int agent_meta_get(struct agent_store *s, const char *key, char *out, size_t outlen);
/* dflt when absent or on any error: only where a wrong default is harmless */
long long agent_meta_get_i64(struct agent_store *s, const char *key, long long dflt);
/* *out = dflt when absent (MO_OK); MO_EIO (database error) or MO_ECORRUPT (not
 * a number) otherwise: for the cursor, HLCs, counters */
int agent_meta_get_i64_err(struct agent_store *s, const char *key, long long dflt, long long *out,
			   struct mo_err *err) MO_WARN_UNUSED;
int agent_meta_set(struct agent_store *s, const char *key, const char *value,
		   struct mo_err *err) MO_WARN_UNUSED;
int agent_meta_set_i64(struct agent_store *s, const char *key, long long v,
		       struct mo_err *err) MO_WARN_UNUSED;

/* a fresh HLC for a local event (persisted with the transaction) */
int agent_store_hlc_next(struct agent_store *s, uint64_t *out, struct mo_err *err) MO_WARN_UNUSED;
/* merge a verified remote HLC (the hub's, trusted: no ahead limit) */
int agent_store_hlc_receive(struct agent_store *s, uint64_t remote,
			    struct mo_err *err) MO_WARN_UNUSED;

/* ---- outbox ---- */

/*
 * Append one change {"n","entity","id","op","hlc","fields"} (canonical key
 * order) to the outbox; `fields` is borrowed.  The change is first run
 * through proto_change_check(): a change the hub would quarantine is refused
 * here with MO_EINVAL (err->code = the quarantine code) and nothing written.
 * Must be inside a transaction.  *n_out (may be NULL) gets the number.
 */
int agent_store_outbox_add(struct agent_store *s, const char *entity, const char *id,
			   const char *op, const cJSON *fields, const char *operator_name,
			   long long *n_out, struct mo_err *err) MO_WARN_UNUSED;

/* ---- catalogue ---- */
struct agent_service {
	char code[40];
	char category[40];
	char title_uk[256];
	char title_en[256];
	long long fee_uah;
	bool is_package;
	bool active;
	cJSON *members;		   /* owned, array of codes, or NULL */
	cJSON *required_documents; /* owned, array of text */
};
void agent_service_release(struct agent_service *svc);
int agent_store_service_get(struct agent_store *s, const char *code, struct agent_service *out,
			    struct mo_err *err) MO_WARN_UNUSED;
/*
 * The active catalogue matching text (NULL or "" = all): a code prefix or a
 * piece of the Ukrainian (or English) title, case-insensitive for Cyrillic
 * too.  *out (caller's) = JSON array, packages first, of
 * {"code","title","title_en","category","fee_uah","documents"?,
 *  "members":[{"code","title","fee_uah"}]?}.
 */
int agent_store_service_search(struct agent_store *s, const char *text, cJSON **out,
			       struct mo_err *err) MO_WARN_UNUSED;
/* upsert from the fields of a `service` change (hub → laptop) */
int agent_store_service_upsert(struct agent_store *s, const char *code, const cJSON *fields,
			       struct mo_err *err) MO_WARN_UNUSED;

/* ---- operators ---- */
int agent_store_operator_add(struct agent_store *s, const char *name,
			     struct mo_err *err) MO_WARN_UNUSED;
bool agent_store_operator_exists(struct agent_store *s, const char *name);
/* JSON array of {"name","current","has_pin"} */
int agent_store_operator_list(struct agent_store *s, cJSON **out,
			      struct mo_err *err) MO_WARN_UNUSED;
/* an operator's PIN hash ("" when none is set) and its wrong-PIN count */
struct agent_operator_pin {
	char hash[256];
	long long failures;
	long long wait_until_ms; /* unix ms before which no PIN is checked */
};
/* MO_ENOTFOUND code "unknown_operator" when there is no such operator */
int agent_store_operator_pin_get(struct agent_store *s, const char *name,
				 struct agent_operator_pin *out, struct mo_err *err) MO_WARN_UNUSED;
/* set the hash and clear the count */
int agent_store_operator_pin_set(struct agent_store *s, const char *name, const char *hash,
				 struct mo_err *err) MO_WARN_UNUSED;
int agent_store_operator_pin_count(struct agent_store *s, const char *name, long long failures,
				   long long wait_until_ms, struct mo_err *err) MO_WARN_UNUSED;

/* ---- trips ---- */
int agent_store_trip_put(struct agent_store *s, const char *id, const cJSON *fields,
			 const char *operator_name, struct mo_err *err) MO_WARN_UNUSED;
/* the open trip's id, MO_ENOTFOUND when none */
int agent_store_trip_open(struct agent_store *s, char *id, size_t idlen);
int agent_store_trip_list(struct agent_store *s, cJSON **out, struct mo_err *err) MO_WARN_UNUSED;

/* ---- cases ---- */
struct agent_case_svc {
	char code[40];
	char status[16];
};

struct agent_case {
	char id[40];
	char number[48];
	char status[16];
	char trip[40];
	char operator_name[112];
	char created_at[32];
	char origin[8];
	cJSON *data;		    /* owned: the upsert fields as merged locally */
	struct agent_case_svc *svc; /* owned */
	size_t nsvc;
};
void agent_case_release(struct agent_case *c);

/* a draft's services chosen again: c->svc replaces the case's list (in order) */
int agent_store_case_services_replace(struct agent_store *s, const struct agent_case *c,
				      struct mo_err *err) MO_WARN_UNUSED;
bool agent_store_case_exists(struct agent_store *s, const char *id);
/* by id or number; MO_ENOTFOUND */
int agent_store_case_get(struct agent_store *s, const char *id_or_number, struct agent_case *out,
			 struct mo_err *err) MO_WARN_UNUSED;
/* insert a new case (row, services, search index); data is borrowed */
int agent_store_case_insert(struct agent_store *s, const struct agent_case *c,
			    struct mo_err *err) MO_WARN_UNUSED;
/* rewrite data, services and status of an existing case (and the search index) */
int agent_store_case_update(struct agent_store *s, const struct agent_case *c,
			    struct mo_err *err) MO_WARN_UNUSED;
/*
 * Only id, status and services of a case (data stays NULL): what a status
 * move needs, without parsing and re-printing the case's JSON.  MO_ENOTFOUND.
 */
int agent_store_case_status_get(struct agent_store *s, const char *id, struct agent_case *out,
				struct mo_err *err) MO_WARN_UNUSED;
/* write status and service statuses of c; data and search index are untouched */
int agent_store_case_status_put(struct agent_store *s, const struct agent_case *c,
				struct mo_err *err) MO_WARN_UNUSED;
/* next value of the device's case counter (inside a transaction) */
int agent_store_case_counter_next(struct agent_store *s, long long *out,
				  struct mo_err *err) MO_WARN_UNUSED;

struct agent_case_filter {
	const char *status; /* NULL: any */
	const char *trip;   /* NULL: any */
	const char *search; /* NULL: none; FTS5 over names, number, RNOKPP, phone */
	long long limit;    /* <= 0: no limit */
};

/* the receipt's status code of a case made here (proto/lookup.h); get:
 * MO_ENOTFOUND for a case from the hub (no code on this laptop) */
int agent_store_case_code_put(struct agent_store *s, const char *case_id, const char *code,
			      struct mo_err *err) MO_WARN_UNUSED;
int agent_store_case_code_get(struct agent_store *s, const char *case_id, char *out, size_t outlen);

/* JSON array of summary objects {id, number, status, surname, given_name, ...} */
int agent_store_case_list(struct agent_store *s, const struct agent_case_filter *f, cJSON **out,
			  struct mo_err *err) MO_WARN_UNUSED;
/* The full JSON of one case (fields, services, status, status_code, history, comments,
 * attachments). */
int agent_store_case_json(struct agent_store *s, const struct agent_case *c, cJSON **out,
			  struct mo_err *err) MO_WARN_UNUSED;

/* ---- history, comments, attachments, ratings ---- */
struct agent_event {
	const char *case_id, *kind, *from, *to, *service, *reason, *actor, *origin, *at;
	bool seen;
};
int agent_store_event_add(struct agent_store *s, const struct agent_event *ev,
			  struct mo_err *err) MO_WARN_UNUSED;
/*
 * The inbox: cases with news from the centre (decisions, comments) not yet
 * marked seen, one object per case, newest first, at most limit.  News stays
 * until the administrator marks it: agent_store_inbox_seen(key) for one case
 * (id or number; MO_ENOTFOUND), key NULL for all.
 */
int agent_store_inbox(struct agent_store *s, int64_t limit, cJSON **out,
		      struct mo_err *err) MO_WARN_UNUSED;
int agent_store_inbox_seen(struct agent_store *s, const char *key,
			   struct mo_err *err) MO_WARN_UNUSED;
/* decisions received and not yet marked seen: JSON array; marks them seen when mark is true */
int agent_store_unseen_decisions(struct agent_store *s, bool mark, cJSON **out,
				 struct mo_err *err) MO_WARN_UNUSED;

int agent_store_comment_add(struct agent_store *s, const char *id, const char *case_id,
			    const char *text, const char *author, const char *origin,
			    struct mo_err *err) MO_WARN_UNUSED;
int agent_store_attachment_add(struct agent_store *s, const char *id, const char *case_id,
			       const char *sha256, const char *media_type, long long size,
			       const char *name, const char *kind, const char *origin,
			       struct mo_err *err) MO_WARN_UNUSED;
int agent_store_rating_add(struct agent_store *s, const char *id, const char *case_id, int score,
			   const char *comment, struct mo_err *err) MO_WARN_UNUSED;

/* blobs not yet uploaded: calls fn for each distinct sha256 (size) */
typedef int (*agent_blob_fn)(void *arg, const char *sha256, long long size);
int agent_store_blobs_pending(struct agent_store *s, agent_blob_fn fn, void *arg,
			      struct mo_err *err) MO_WARN_UNUSED;
int agent_store_blob_uploaded(struct agent_store *s, const char *sha256,
			      struct mo_err *err) MO_WARN_UNUSED;

/* ---- sync: batches ---- */
struct agent_batch {
	long long seq, first, last, count, raw;
	char prev[65];
	char hash[65];
	struct mo_buf envelope; /* the frozen bytes */
};
void agent_batch_init(struct agent_batch *b);
void agent_batch_release(struct agent_batch *b);

/* the lowest frozen batch not yet acked; MO_ENOTFOUND when none, MO_EIO etc. on a
 * database error */
int agent_store_batch_pending(struct agent_store *s, struct agent_batch *out,
			      struct mo_err *err) MO_WARN_UNUSED;
/* seq and hash of the last frozen batch (0 and 64 zeros when none); MO_EIO etc.
 * on a database error */
int agent_store_batch_last(struct agent_store *s, long long *seq, char hash[65],
			   struct mo_err *err) MO_WARN_UNUSED;

/*
 * Collect the next unbatched outbox changes, in order, as a JSON array into
 * payload (reset first): at most max_changes changes and max_bytes bytes
 * (at least one change, whatever its size).  first, last and count describe it;
 * count 0 = nothing pending.
 */
int agent_store_outbox_collect(struct agent_store *s, long long max_changes, size_t max_bytes,
			       struct mo_buf *payload, long long *first, long long *last,
			       long long *count, struct mo_err *err) MO_WARN_UNUSED;
/* record a frozen batch and assign its changes to it (one transaction, caller's) */
int agent_store_batch_freeze(struct agent_store *s, const struct agent_batch *b,
			     struct mo_err *err) MO_WARN_UNUSED;
/* mark a batch acked and its changes sent (inside the caller's transaction) */
int agent_store_batch_acked(struct agent_store *s, long long seq,
			    struct mo_err *err) MO_WARN_UNUSED;
/*
 * The (case, service) pairs still submitted among the cases that batch seq
 * applied (its case changes that were not quarantined), ordered by case:
 * the hub moved them to received in the batch's transaction and does not
 * echo that back to this laptop (hub/apply.h).  *out is the caller's to free.
 */
struct agent_case_service {
	char case_id[65]; /* a UUID */
	char code[64];
	bool case_submitted; /* the case as a whole is submitted */
};
int agent_store_batch_submitted(struct agent_store *s, long long seq, struct agent_case_service **out,
				size_t *n, struct mo_err *err) MO_WARN_UNUSED;
int agent_store_quarantine_add(struct agent_store *s, long long n, const char *code,
			       const char *message, struct mo_err *err) MO_WARN_UNUSED;

/* ---- status ---- */
/*
 * {"pending_changes", "pending_bytes", "pending_blobs", "counts": {status: n},
 *  "quarantined": [{n, code, message, entity, id}], ...}
 */
int agent_store_status_json(struct agent_store *s, cJSON **out, struct mo_err *err) MO_WARN_UNUSED;
/* changes not yet acked, and their raw JSON bytes (bytes may be NULL) */
long long agent_store_pending_changes(struct agent_store *s, long long *bytes);

/* ---- field stamps, clock reset, re-queueing ---- */

/* the last HLC issued or merged (the one agent_store_outbox_add just stamped) */
uint64_t agent_store_hlc_last(struct agent_store *s);
/* set the clock (and meta hlc) to `to`: only to undo an HLC from a clock that was ahead */
int agent_store_hlc_reset(struct agent_store *s, uint64_t to, struct mo_err *err) MO_WARN_UNUSED;
/* a case's field stamps {path: "hlc:device"}; *out owned by the caller ({} when none) */
int agent_store_case_stamps_get(struct agent_store *s, const char *id, cJSON **out,
				struct mo_err *err) MO_WARN_UNUSED;
int agent_store_case_stamps_put(struct agent_store *s, const char *id, const cJSON *stamps,
				struct mo_err *err) MO_WARN_UNUSED;
/* give a case another number (the caller then rewrites data and search index) */
int agent_store_case_renumber(struct agent_store *s, const char *id, const char *number,
			      struct mo_err *err) MO_WARN_UNUSED;

/* called for each re-queued change (its "n" and "hlc" already rewritten; may edit it) */
typedef int (*agent_requeue_fn)(void *arg, cJSON *change, uint64_t old_hlc, uint64_t new_hlc,
				struct mo_err *err);
/*
 * Inside the caller's transaction: drop the unacked frozen batches (all
 * batches when renumber), give every unacked change a fresh HLC in order,
 * and with renumber drop the acked changes and number the rest from 1 (a
 * new device identity).  Only for batches the hub has NOT applied.
 */
int agent_store_outbox_requeue(struct agent_store *s, bool renumber, agent_requeue_fn fn,
			       void *arg, struct mo_err *err) MO_WARN_UNUSED;

/* ---- payments (the rules are agent/payment.c's) ---- */
struct agent_payment_rec {
	const char *id, *case_id, *method, *receipt, *paid_at, *operator_name;
	long long amount_kop;
};
/* inside the caller's transaction, with the outbox change */
int agent_store_payment_add(struct agent_store *s, const struct agent_payment_rec *p,
			    struct mo_err *err) MO_WARN_UNUSED;
/* the catalogue's fees of the case's services and what was paid here, in
 * kopecks; *items (caller's) [{id, amount_kop, method, receipt, paid_at, operator}] */
int agent_store_case_payments(struct agent_store *s, const char *case_id, long long *expected_kop,
			      long long *paid_kop, cJSON **items, struct mo_err *err) MO_WARN_UNUSED;

#endif
