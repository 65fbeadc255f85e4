/*
 * store.h — the hub's storage interface.  ALL SQL of mo-hub lives behind it
 * (store_sqlite.c today; a PostgreSQL implementation chosen by
 * `--db postgresql://...` fills the same functions later, so handlers,
 * sync, apply and review never change).
 *
 * The handle is opaque and safe to share between the HTTP threads: every
 * call holds the store's (recursive) lock, and a transaction holds it from
 * hub_store_begin() to hub_store_commit()/hub_store_rollback(), so calls
 * made inside a transaction belong to it.  Writers use BEGIN IMMEDIATE; the
 * SQLite file is in WAL mode with synchronous=FULL, so a commit is durable
 * when it returns.
 *
 * Strings copied out go into caller-owned fixed buffers; JSON copied out is
 * a cJSON tree or a mo_buf the caller owns.  HLCs are uint64 (hlc.h).
 * Errors: MO_ENOTFOUND (no such row), MO_ECONFLICT (unique key), MO_EBUSY,
 * MO_EIO (anything else from the database, message from sqlite3_errmsg).
 */
#ifndef HUB_STORE_H
#define HUB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "keys.h"
#include "mo_buf.h"
#include "mo_err.h"
#include "mo_util.h"

struct hub_store;

#define HUB_CODE_MAX 40 /* unit and device codes, service codes */
#define HUB_NUMBER_MAX 48

struct hub_device {
	char id[PROTO_ID_LEN];
	char code[HUB_CODE_MAX];
	char unit[HUB_CODE_MAX];
	unsigned char pub[PROTO_PUBKEY_LEN];
	bool active;
	bool flagged;
	long long last_seq;
	char last_hash[MO_SHA256_HEX];
	long long last_n;	 /* last change number applied; -1: not known (pre-004) */
	long long cursor;	 /* the feed position the device last reported */
	long long seen_age_ms;	 /* since its last recorded visit; -1: never */
	char operator_name[128]; /* the operator named at enrolment ("" when none) */
};

struct hub_unit {
	char code[HUB_CODE_MAX];
	char name[256];
	char kind[16];
	char phone[16]; /* +380XXXXXXXXX for the receipt, or "" */
};

struct hub_case {
	char id[MO_UUID_LEN];
	char number[HUB_NUMBER_MAX];
	char unit[HUB_CODE_MAX];
	char status[16];
};

struct hub_case_service {
	char code[HUB_CODE_MAX];
	int status; /* enum proto_status */
};

/* one feed row, as read for a response */
struct hub_feed_row {
	long long seq;
	const char *entity, *entity_id, *op; /* borrowed for the callback only */
	uint64_t hlc;
	const char *fields; /* JSON object text */
	size_t fields_len;
};

typedef int (*hub_feed_fn)(void *arg, const struct hub_feed_row *row);

/* ---- lifecycle ---- */

/*
 * Open the database of a hub data directory (url NULL: DIR/hub.db) and
 * apply the embedded migrations.  create: make the file if it is missing
 * (init); otherwise a missing database is MO_ENOTFOUND.
 */
int hub_store_open(struct hub_store **out, const char *data_dir, const char *url, bool create,
		   struct mo_err *err) MO_WARN_UNUSED;
void hub_store_close(struct hub_store *s);
/* the schema version the database had when opened (before migrating) and
 * the version it has now (this binary's) */
void hub_store_schema(const struct hub_store *s, long long *found, long long *now);
/*
 * A consistent copy of the database, taken while the hub serves (SQLite's
 * online backup API on a connection of its own), into the new file `to`
 * (owner-only; an existing file is never overwritten: MO_EEXISTS).  bytes:
 * the size of the copy.
 */
int hub_store_backup(struct hub_store *s, const char *to, long long *bytes,
		     struct mo_err *err) MO_WARN_UNUSED;

/* ---- transactions (BEGIN IMMEDIATE; the lock is held until the end) ---- */
int hub_store_begin(struct hub_store *s, struct mo_err *err) MO_WARN_UNUSED;
/* a savepoint inside the open transaction (one level): release keeps what was
 * done since, rollback_to undoes it (both end the savepoint) */
int hub_store_savepoint(struct hub_store *s, struct mo_err *err) MO_WARN_UNUSED;
int hub_store_release(struct hub_store *s, struct mo_err *err) MO_WARN_UNUSED;
void hub_store_rollback_to(struct hub_store *s);
/* a read-only transaction (one snapshot, no write lock); end it with commit */
int hub_store_begin_read(struct hub_store *s, struct mo_err *err) MO_WARN_UNUSED;
int hub_store_commit(struct hub_store *s, struct mo_err *err) MO_WARN_UNUSED;
void hub_store_rollback(struct hub_store *s);

/* ---- settings and the hub clock ---- */
/* MO_ENOTFOUND when absent */
int hub_store_meta_get(struct hub_store *s, const char *key, char *out, size_t outlen,
		       struct mo_err *err) MO_WARN_UNUSED;
int hub_store_meta_set(struct hub_store *s, const char *key, const char *value,
		       struct mo_err *err) MO_WARN_UNUSED;
/* the persisted hub HLC (0 when never set); call inside a transaction */
int hub_store_hlc_get(struct hub_store *s, uint64_t *out, struct mo_err *err) MO_WARN_UNUSED;
int hub_store_hlc_set(struct hub_store *s, uint64_t hlc, struct mo_err *err) MO_WARN_UNUSED;

/* ---- units ---- */
int hub_store_unit_add(struct hub_store *s, const struct hub_unit *u,
		       struct mo_err *err) MO_WARN_UNUSED;
int hub_store_unit_get(struct hub_store *s, const char *code, struct hub_unit *out,
		       struct mo_err *err) MO_WARN_UNUSED;
/* JSON array of {code, name, kind, devices} */
int hub_store_unit_list(struct hub_store *s, cJSON **out, struct mo_err *err) MO_WARN_UNUSED;

/* ---- enrolment tokens ---- */
int hub_store_token_add(struct hub_store *s, const char *hash_hex, const char *unit,
			uint64_t expires_ms, struct mo_err *err) MO_WARN_UNUSED;
/*
 * Consume a token: MO_OK and its unit when it exists, is unused and not
 * expired at now_ms (it is then marked used by device_id); MO_EAUTH else.
 */
int hub_store_token_take(struct hub_store *s, const char *hash_hex, uint64_t now_ms,
			 const char *device_id, char unit[HUB_CODE_MAX],
			 struct mo_err *err) MO_WARN_UNUSED;

/* ---- devices ---- */
int hub_store_device_add(struct hub_store *s, const struct hub_device *d, const char *hostname,
			 const char *operator_name, struct mo_err *err) MO_WARN_UNUSED;
/* by id or by code; MO_ENOTFOUND */
int hub_store_device_get(struct hub_store *s, const char *id_or_code, struct hub_device *out,
			 struct mo_err *err) MO_WARN_UNUSED;
/* how many devices a unit ever had (revoked ones too): the next letter */
int hub_store_device_count(struct hub_store *s, const char *unit, long long *out,
			   struct mo_err *err) MO_WARN_UNUSED;
int hub_store_device_revoke(struct hub_store *s, const char *id, struct mo_err *err) MO_WARN_UNUSED;
/* flag for staff with a reason (seq_conflict ...); outside any batch transaction */
int hub_store_device_flag(struct hub_store *s, const char *id, const char *reason,
			  struct mo_err *err) MO_WARN_UNUSED;
/* the chain head after an applied batch, and when it was last seen */
int hub_store_device_chain(struct hub_store *s, const char *id, long long seq, const char *hash,
			   struct mo_err *err) MO_WARN_UNUSED;
/* the last change number applied for the device (DESIGN §4: no gaps across batches) */
int hub_store_device_numbered(struct hub_store *s, const char *id, long long last_n,
			      struct mo_err *err) MO_WARN_UNUSED;
int hub_store_device_seen(struct hub_store *s, const char *id, long long cursor,
			  struct mo_err *err) MO_WARN_UNUSED;
int hub_store_device_list(struct hub_store *s, cJSON **out, struct mo_err *err) MO_WARN_UNUSED;
int hub_store_devices_active(struct hub_store *s, long long *out,
			     struct mo_err *err) MO_WARN_UNUSED;

/* ---- batches (audit chain) ---- */
struct hub_batch_rec {
	const char *device;
	long long seq;
	const char *hash, *prev;
	long long bytes, raw, count;
	uint64_t hlc;
	long long apply_ms;
	const char *quarantined; /* JSON array text */
};
int hub_store_batch_add(struct hub_store *s, const struct hub_batch_rec *b,
			struct mo_err *err) MO_WARN_UNUSED;
/* hash of an applied batch and its quarantined JSON (into qjson); MO_ENOTFOUND */
int hub_store_batch_get(struct hub_store *s, const char *device, long long seq,
			char hash[MO_SHA256_HEX], struct mo_buf *qjson,
			struct mo_err *err) MO_WARN_UNUSED;

/* ---- blob ownership, quotas and request nonces (hub/blobs.c) ---- */

/*
 * Remember a blob request's nonce for a device until expires_ms, forgetting
 * those expired at now_ms.  MO_OK when it is new, MO_EEXISTS when that
 * device already used it (a replay).
 */
int hub_store_nonce_take(struct hub_store *s, const char *device, const char *nonce,
			 uint64_t now_ms, uint64_t expires_ms, struct mo_err *err) MO_WARN_UNUSED;

struct hub_blob_state {
	bool unit_has;		  /* a device of the unit uploaded and verified it */
	bool anyone_has;	  /* some unit holds it */
	long long partial_bytes;  /* the device's upload in progress; -1: none */
};
/* what the hub holds of sha for unit / device (device may be NULL) */
int hub_store_blob_state(struct hub_store *s, const char *sha256, const char *unit,
			 const char *device, struct hub_blob_state *out,
			 struct mo_err *err) MO_WARN_UNUSED;
/* record a device's upload: bytes held of total, complete once verified */
int hub_store_blob_progress(struct hub_store *s, const char *sha256, const char *device,
			    const char *unit, bool complete, long long bytes, long long total,
			    uint64_t now_ms, struct mo_err *err) MO_WARN_UNUSED;
/*
 * What counts against a device's quota: its uploads in progress (at their
 * announced total) and its complete blobs no attachment names yet, except
 * sha256 (the one being uploaded).
 */
int hub_store_blob_usage(struct hub_store *s, const char *device, const char *except_sha256,
			 long long *count, long long *bytes, struct mo_err *err) MO_WARN_UNUSED;
/* an attachment of unit names the blob: it no longer counts or expires */
int hub_store_blob_reference(struct hub_store *s, const char *sha256, const char *unit,
			     struct mo_err *err) MO_WARN_UNUSED;

struct hub_blob_ref {
	char sha256[MO_SHA256_HEX];
	char device[PROTO_ID_LEN];
	bool partial;
};
/* at most max uploads in progress or unreferenced, untouched since before_ms */
int hub_store_blob_expired(struct hub_store *s, uint64_t before_ms, struct hub_blob_ref *out,
			   size_t max, size_t *n, struct mo_err *err) MO_WARN_UNUSED;
/* drop a device's upload record; *unused: nothing refers to the blob any more */
int hub_store_blob_forget(struct hub_store *s, const char *sha256, const char *device,
			  bool *unused, struct mo_err *err) MO_WARN_UNUSED;

/* ---- users ---- */
int hub_store_user_add(struct hub_store *s, const char *login, const char *role,
		       const char *password_hash, struct mo_err *err) MO_WARN_UNUSED;
int hub_store_user_get(struct hub_store *s, const char *login, char *role, size_t rolelen,
		       char *hash, size_t hashlen, struct mo_err *err) MO_WARN_UNUSED;

/* ---- catalogue ---- */
int hub_store_service_put(struct hub_store *s, const char *code, const char *fields_json,
			  uint64_t hlc, struct mo_err *err) MO_WARN_UNUSED;
/* JSON array of the service fields objects */
int hub_store_service_list(struct hub_store *s, cJSON **out, struct mo_err *err) MO_WARN_UNUSED;

/* ---- catalogue administration (store_catalogue.c, migration 019) ---- */
/* one service: *fields (caller frees) and its version (1 = as seeded);
 * MO_ENOTFOUND "not_found" */
int hub_store_service_get(struct hub_store *s, const char *code, cJSON **fields,
			  long long *version, struct mo_err *err) MO_WARN_UNUSED;
/* the catalogue's version number: 1 (the seed) + the edits kept */
int hub_store_catalogue_version(struct hub_store *s, long long *out,
				struct mo_err *err) MO_WARN_UNUSED;
/* [{fields, version, updated_at, cases}] by code; cases = the cases that name
 * the service (or the package) */
int hub_store_catalogue_list(struct hub_store *s, cJSON **out, struct mo_err *err) MO_WARN_UNUSED;
struct hub_service_write {
	const char *code, *old_json, *new_json, *actor; /* old_json NULL: new */
	uint64_t hlc;
	long long seen; /* the version the editor saw; 0: a new service */
};
/*
 * Write a service if its version is still w->seen (0: it must not exist)
 * and keep the edit as the next catalogue version; MO_ECONFLICT "conflict"
 * otherwise (nothing written).  Inside the caller's transaction.
 */
int hub_store_service_edit(struct hub_store *s, const struct hub_service_write *w,
			   long long *cat_version, long long *svc_version,
			   struct mo_err *err) MO_WARN_UNUSED;
/* the kept edits, newest first, of one service (code NULL: all), at most limit:
 * [{version, code, service_version, actor, at, old, new}] */
int hub_store_catalogue_versions(struct hub_store *s, const char *code, long long limit,
				 cJSON **out, struct mo_err *err) MO_WARN_UNUSED;

/* ---- LWW field registers (entity "case" / "trip") ---- */
/*
 * The stamps of an entity's fields: a JSON object grouping field paths by
 * the "<hlc hex>:<device id>" that wrote them (apply.c reads and writes it).
 * get: MO_ENOTFOUND when the entity has none yet.
 */
int hub_store_stamps_get(struct hub_store *s, const char *entity, const char *id,
			 struct mo_buf *out, struct mo_err *err) MO_WARN_UNUSED;
int hub_store_stamps_put(struct hub_store *s, const char *entity, const char *id,
			 const char *stamps_json, struct mo_err *err) MO_WARN_UNUSED;

/* ---- trips ---- */
/* unit and materialised doc (doc may be NULL); MO_ENOTFOUND */
int hub_store_trip_get(struct hub_store *s, const char *id, char unit[HUB_CODE_MAX],
		       struct mo_buf *doc, struct mo_err *err) MO_WARN_UNUSED;
int hub_store_trip_put(struct hub_store *s, const char *id, const char *unit, const char *device,
		       const char *doc_json, struct mo_err *err) MO_WARN_UNUSED;

/* ---- cases ---- */
/* by id (and, when by_number, by number too); doc may be NULL; MO_ENOTFOUND.
 * Numbers are unique (004); a duplicate kept from before is never found by number. */
int hub_store_case_get(struct hub_store *s, const char *ref, bool by_number, struct hub_case *out,
		       struct mo_buf *doc, struct mo_err *err) MO_WARN_UNUSED;
/* insert or replace the case row (status is the case status name); the
 * number of an existing row never changes; MO_ECONFLICT: the number is taken */
int hub_store_case_put(struct hub_store *s, const struct hub_case *c, const char *device,
		       const char *doc_json, struct mo_err *err) MO_WARN_UNUSED;
/* attention: the move makes the case need a reviewer now (its receipt):
 * the queue's attention_at is set in the same row write */
int hub_store_case_set_status(struct hub_store *s, const char *id, const char *status,
			      bool attention, struct mo_err *err) MO_WARN_UNUSED;
/* services of a case in order; *out malloc'd (caller frees), *n entries */
int hub_store_case_services(struct hub_store *s, const char *id, struct hub_case_service **out,
			    size_t *n, struct mo_err *err) MO_WARN_UNUSED;
/* replace a case's services (at creation and on a services upsert) */
int hub_store_case_services_put(struct hub_store *s, const char *id,
				const struct hub_case_service *v, size_t n,
				struct mo_err *err) MO_WARN_UNUSED;
/* every service of the case with status from gets status to (one statement) */
int hub_store_case_services_move(struct hub_store *s, const char *id, int from, int to,
				 struct mo_err *err) MO_WARN_UNUSED;
int hub_store_case_service_set(struct hub_store *s, const char *id, const char *code, int status,
			       struct mo_err *err) MO_WARN_UNUSED;
/* JSON array of {id, number, status, unit, device, created_at, updated_at, applicant} */
int hub_store_case_list(struct hub_store *s, const char *status, const char *unit, cJSON **out,
			struct mo_err *err) MO_WARN_UNUSED;
/* when the case last changed (ISO 8601 UTC); MO_ENOTFOUND */
int hub_store_case_updated_at(struct hub_store *s, const char *id, char out[32],
			      struct mo_err *err) MO_WARN_UNUSED;
/* history, attachments and quarantined changes of a case, added to obj */
int hub_store_case_detail(struct hub_store *s, const char *id, cJSON *obj,
			  struct mo_err *err) MO_WARN_UNUSED;

/* ---- appends and history ---- */
/* MO_OK when inserted, MO_EEXISTS when that id was already held (no change) */
int hub_store_append_add(struct hub_store *s, const char *id, const char *entity,
			 const char *case_id, const char *device, uint64_t hlc,
			 const char *fields_json, struct mo_err *err) MO_WARN_UNUSED;

struct hub_event {
	const char *case_id, *kind, *from, *to, *service, *reason, *actor;
	uint64_t hlc;
};
int hub_store_event_add(struct hub_store *s, const struct hub_event *e,
			struct mo_err *err) MO_WARN_UNUSED;

/* ---- quarantine ---- */
struct hub_quarantine_rec {
	const char *device;
	long long batch_seq, n;
	const char *entity, *entity_id, *op, *code, *message, *change_json;
};
int hub_store_quarantine_add(struct hub_store *s, const struct hub_quarantine_rec *q,
			     struct mo_err *err) MO_WARN_UNUSED;
int hub_store_quarantine_list(struct hub_store *s, cJSON **out, struct mo_err *err) MO_WARN_UNUSED;

/* ---- downstream feed ---- */
/* unit NULL = every unit; origin NULL = the hub itself */
int hub_store_feed_add(struct hub_store *s, const char *unit, const char *origin,
		       const char *entity, const char *entity_id, const char *op, uint64_t hlc,
		       const char *fields_json, struct mo_err *err) MO_WARN_UNUSED;
/*
 * Call fn for the feed rows after `after` that concern `unit` (or every
 * unit) and did not come from `device`, in order, at most `limit` rows.
 * A non-zero return of fn stops the walk and is returned.
 */
int hub_store_feed_read(struct hub_store *s, const char *unit, const char *device, long long after,
			long long limit, hub_feed_fn fn, void *arg,
			struct mo_err *err) MO_WARN_UNUSED;
/* the highest feed seq (0 when empty) */
int hub_store_feed_max(struct hub_store *s, long long *out, struct mo_err *err) MO_WARN_UNUSED;

/* ---- staff sessions and sign-in throttling (store_staff.c) ---- */

#define HUB_LOGIN_MAX 72

struct hub_session {
	char login[HUB_LOGIN_MAX];
	char role[16];
	char csrf[72];
};

/* a new session; hash_hex is the SHA-256 of the id the browser holds */
int hub_store_session_add(struct hub_store *s, const char *hash_hex, const char *login,
			  const char *csrf, const char *address, uint64_t now_ms,
			  struct mo_err *err) MO_WARN_UNUSED;
/*
 * The live session with that hash, its last use moved to now_ms.
 * MO_ENOTFOUND when unknown, idle for more than idle_ms, older than max_ms
 * since its sign-in (0: no absolute limit) — it is then deleted — or its
 * user is disabled.
 */
int hub_store_session_get(struct hub_store *s, const char *hash_hex, uint64_t now_ms,
			  uint64_t idle_ms, uint64_t max_ms, struct hub_session *out,
			  struct mo_err *err) MO_WARN_UNUSED;
int hub_store_session_delete(struct hub_store *s, const char *hash_hex,
			     struct mo_err *err) MO_WARN_UNUSED;

/* what the throttle rule (api.c) sees of one sign-in attempt's past */
struct hub_login_failures {
	long long pair;	      /* failures of this login from this address */
	long long by_login;   /* of this login from anywhere */
	long long by_address; /* of any login from this address */
	uint64_t last_pair, last_login, last_address; /* ms of the latest, 0: none */
	bool known; /* this login signed in from this address lately */
};

struct hub_login_attempt {
	const char *login, *address;
	uint64_t now_ms;
	uint64_t since_ms;	 /* failures before this are forgotten */
	uint64_t known_since_ms; /* a successful sign-in since then makes the address known */
};

/* the rule: how many ms the attempt must wait (0: check the password now) */
typedef uint64_t (*hub_login_decide_fn)(void *arg, const struct hub_login_failures *f);

/*
 * One sign-in attempt, atomically (one BEGIN IMMEDIATE transaction, so
 * parallel attempts and several hubs on one database all count): read the
 * failures, ask decide, and unless it says wait, count the attempt as a
 * failure at once (*id its row) — the password is checked afterwards and a
 * success takes it back with hub_store_login_succeeded.  *wait_ms > 0: the
 * attempt was refused and nothing was counted.
 */
int hub_store_login_attempt(struct hub_store *s, const struct hub_login_attempt *a,
			    hub_login_decide_fn decide, void *arg, long long *id, uint64_t *wait_ms,
			    struct mo_err *err) MO_WARN_UNUSED;
/* a right password: attempt id and this address's failures of this login
 * are forgotten, and the address becomes known for the login */
int hub_store_login_succeeded(struct hub_store *s, long long id, const char *login,
			      const char *address, uint64_t now_ms,
			      struct mo_err *err) MO_WARN_UNUSED;

/* ---- staff accounts (store_staff.c; the rules are in users.c) ---- */

/* a user's role and whether it is disabled; MO_ENOTFOUND when none */
int hub_store_user_state(struct hub_store *s, const char *login, char *role, size_t rolelen,
			 bool *disabled, struct mo_err *err) MO_WARN_UNUSED;

struct hub_user_change {
	const char *role;	/* NULL: unchanged */
	int disabled;		/* -1: unchanged, 0 enable, 1 disable */
	const char *hash;	/* a new password hash, NULL: unchanged */
	const char *changed_at; /* with hash: the password's change time (NULL: a rehash) */
	bool end_sessions;	/* delete every session of the user */
};
/* apply ch to an existing user (call inside a transaction to combine) */
int hub_store_user_update(struct hub_store *s, const char *login, const struct hub_user_change *ch,
			  struct mo_err *err) MO_WARN_UNUSED;
/* how many users are admins and not disabled */
int hub_store_admins_active(struct hub_store *s, long long *n, struct mo_err *err) MO_WARN_UNUSED;

/* JSON array of {login, role, created_at, disabled, password_changed_at};
 * never the hashes */
int hub_store_user_list(struct hub_store *s, cJSON **out, struct mo_err *err) MO_WARN_UNUSED;

/* ---- audit log ---- */
int hub_store_audit_add(struct hub_store *s, const char *actor, const char *action,
			const char *target, const char *detail, struct mo_err *err) MO_WARN_UNUSED;
/* the newest `limit` entries, newest first: [{at, actor, action, target, detail}] */
int hub_store_audit_list(struct hub_store *s, long long limit, cJSON **out,
			 struct mo_err *err) MO_WARN_UNUSED;

/* ---- the review queue and reports ---- */

/* every member may be NULL (no filter); dates are YYYY-MM-DD, inclusive,
 * on the application's created_at; match is an FTS5 query (hub_api) */
struct hub_case_filter {
	const char *status, *unit, *service, *from, *to, *match;
	const char *assignee; /* a staff login: the cases assigned to it */
	bool unassigned;      /* only the cases nobody is assigned to */
	/* the trip (id), its settlement and kind; the case's operator; the
	 * applicant's mobility (exactly, or any_mobility: any at all) */
	const char *trip, *settlement, *trip_kind, *operator_name, *mobility;
	bool any_mobility;
	const char *latin; /* words matched against the names in Latin (translit.h) */
	const char *phone; /* digits found in the applicant's phone, OR-ed with match */
	int sort;	   /* enum hub_queue_sort */
	bool desc;
};

/* the queue's column sort (hub_case_filter.sort) */
enum hub_queue_sort {
	HUB_SORT_ATTENTION = 0, /* last received or resubmitted (the default) */
	HUB_SORT_NUMBER,
	HUB_SORT_STATUS,
	HUB_SORT_APPLICANT, /* surname, given name, patronymic */
	HUB_SORT_CREATED,   /* on the laptop */
	HUB_SORT_RECEIVED,  /* first stored by the hub */
	HUB_SORT_UNIT,
	HUB_SORT_ASSIGNEE,
};

/* one queue row, borrowed for the callback only: {id, number, status, unit,
 * created_at, received_at, applicant{surname, given_name, patronymic, rnokpp},
 * services[{code, status}], package, fee_uah, assignee, attention_at, resubmitted,
 * resubmitted_at} */
typedef int (*hub_case_fn)(void *arg, const cJSON *item);

/*
 * The cases matching f (never drafts), by the time they last needed
 * attention (received or back from needs_info), oldest first; rows
 * offset .. offset+limit-1 each
 * handed to fn (a non-zero return stops the walk and is returned); *total
 * (may be NULL) gets the number of all matching cases.
 */
int hub_store_case_query(struct hub_store *s, const struct hub_case_filter *f, long long offset,
			 long long limit, long long *total, hub_case_fn fn, void *arg,
			 struct mo_err *err) MO_WARN_UNUSED;

/* where a case stands in the team's queue (store_staff.c) */
struct hub_case_queue {
	char assignee[HUB_LOGIN_MAX]; /* "" when nobody */
	char attention_at[32];	      /* last received or resubmitted, "" unknown */
	char resubmitted_at[32];      /* last back from needs_info, "" never */
};
/* MO_ENOTFOUND when no such case id */
int hub_store_case_queue_get(struct hub_store *s, const char *id, struct hub_case_queue *out,
			     struct mo_err *err) MO_WARN_UNUSED;
/* assign the case (id) to login, or to nobody (NULL); the assignee before
 * goes to old ("" when nobody; may be NULL).  Call inside a transaction to
 * combine with its history entry.  MO_ENOTFOUND when no such case. */
int hub_store_case_assign(struct hub_store *s, const char *id, const char *login,
			  char old[HUB_LOGIN_MAX], struct mo_err *err) MO_WARN_UNUSED;
/* what the queue's filters offer: {trips: [{id, unit, settlement, kind,
 * started_at}], settlements, trip_kinds, operators, mobility: [text]} */
int hub_store_queue_options(struct hub_store *s, cJSON **out, struct mo_err *err) MO_WARN_UNUSED;
/* the staff who can take a case: [{login, role}] of enabled users, by login */
int hub_store_staff_active(struct hub_store *s, cJSON **out, struct mo_err *err) MO_WARN_UNUSED;

/* media type and name of an attachment with that digest; MO_ENOTFOUND when
 * no case refers to it */
int hub_store_attachment_find(struct hub_store *s, const char *sha256, char *media_type,
			      size_t mtlen, char *name, size_t namelen,
			      struct mo_err *err) MO_WARN_UNUSED;

/* one public status lookup answered today (found or not): the annual
 * report's status_lookups */
int hub_store_lookup_count(struct hub_store *s, struct mo_err *err) MO_WARN_UNUSED;

/* the summary of docs/api.md (unit, from, to of f are used) */
int hub_store_report(struct hub_store *s, const struct hub_case_filter *f, cJSON **out,
		     struct mo_err *err) MO_WARN_UNUSED;

/* ---- home-visit requests (store_visits.c; the rules are in visits.c) ---- */

/* every member may be NULL (no filter); from/to are YYYY-MM-DD, inclusive,
 * on requested_at; text is matched in the number, the citizen's names,
 * phone and address, the reason and the note */
struct hub_visit_filter {
	const char *unit, *state, *from, *to, *text;
	long long limit; /* at most this many, newest first (0: 500) */
};

/* the next free position of the year's numbering (call inside the
 * transaction that adds the visit) */
int hub_store_visit_next_seq(struct hub_store *s, int year, long long *seq,
			     struct mo_err *err) MO_WARN_UNUSED;
/*
 * Insert or replace a visit from its upsert fields (docs/vocabulary.md
 * "visit upsert": number, unit, citizen{...}, reason, services,
 * preferred_date, note, state, state_reason, scheduled_for, requested_at,
 * visited_at), already checked by proto.  year/seq and created_by are
 * kept from the first insert.  MO_ECONFLICT: the number is taken.
 */
int hub_store_visit_put(struct hub_store *s, const char *id, const cJSON *fields, int year,
			long long seq, const char *created_by, struct mo_err *err) MO_WARN_UNUSED;
/* by id, or by number; *out the upsert fields plus id, created_by and
 * updated_at (caller frees); MO_ENOTFOUND */
int hub_store_visit_get(struct hub_store *s, const char *ref, cJSON **out,
			struct mo_err *err) MO_WARN_UNUSED;
/* JSON array of visits as hub_store_visit_get makes them, newest first */
int hub_store_visit_list(struct hub_store *s, const struct hub_visit_filter *f, cJSON **out,
			 struct mo_err *err) MO_WARN_UNUSED;
/* a state move: state, state_reason, scheduled_for and visited_at as given
 * (NULL stores NULL); MO_ENOTFOUND */
int hub_store_visit_set_state(struct hub_store *s, const char *id, const char *state,
			      const char *reason, const char *scheduled_for,
			      const char *visited_at, struct mo_err *err) MO_WARN_UNUSED;
/* the cases recorded from the visit (case field `visit`): [{id, number,
 * status, unit, created_at}] */
int hub_store_visit_cases(struct hub_store *s, const char *id, cJSON **out,
			  struct mo_err *err) MO_WARN_UNUSED;
/* the annual report's visits (f's unit, from, to): report->visits =
 * {requested, visited, cancelled, avg_days_to_visit} and home_visits on
 * each row of report->per_unit_kind */
int hub_store_visit_report(struct hub_store *s, const struct hub_case_filter *f, cJSON *report,
			   struct mo_err *err) MO_WARN_UNUSED;

/* ---- fees and payments (store_payments.c) ---- */

/* one payment: from a laptop (source "device", id = the change id) or a
 * matched bank row (source "bank", id = "bank:" + the bank's id) */
struct hub_payment {
	const char *id, *case_id, *unit, *method, *receipt, *paid_at, *source, *device;
	long long amount_kop;
	uint64_t hlc; /* 0: none */
};
/* MO_OK when inserted, MO_EEXISTS when that id is held (nothing changes) */
int hub_store_payment_add(struct hub_store *s, const struct hub_payment *p,
			  struct mo_err *err) MO_WARN_UNUSED;

/* one row of a bank statement; case_id NULL: no case found for it */
struct hub_bank_row {
	const char *txn_id, *booked_on, *purpose, *case_id, *file;
	long long amount_kop;
};
/* MO_OK when inserted, MO_EEXISTS when that transaction id was imported before */
int hub_store_bank_row_add(struct hub_store *s, const struct hub_bank_row *r,
			   struct mo_err *err) MO_WARN_UNUSED;

/* {expected_kop, paid_kop, items: [{id, amount_kop, method, receipt, paid_at,
 * source, device, recorded_at}]} of a case; expected is the catalogue's fee
 * of each of its services */
int hub_store_case_payments(struct hub_store *s, const char *case_id, cJSON **out,
			    struct mo_err *err) MO_WARN_UNUSED;

/* the reconciliation of docs/api.md (GET /api/reports/payments): unit, from
 * and to of f */
int hub_store_payments_report(struct hub_store *s, const struct hub_case_filter *f, cJSON **out,
			      struct mo_err *err) MO_WARN_UNUSED;
/* ---- status messages to citizens (store_messages.c; the rules: messages.c, notify.c) ---- */

#define HUB_MSG_KEY_LEN 40   /* "m1-" + 32 hex digits + NUL, with room */
#define HUB_MSG_TEXT_MAX 640 /* bytes of UTF-8: 134 UTF-16 units at most 3 bytes each */

struct hub_message {
	long long id;
	char key[HUB_MSG_KEY_LEN];
	char case_id[MO_UUID_LEN];
	char unit[HUB_CODE_MAX];
	char event[16];
	long long seq;
	char phone[16];
	char text[HUB_MSG_TEXT_MAX];
	long long attempts; /* after a claim: this attempt included */
};

/* how many messages the case has for event (any state) */
int hub_store_message_count(struct hub_store *s, const char *case_id, const char *event,
			    long long *n, struct mo_err *err) MO_WARN_UNUSED;
/* queue m (key, case_id, unit, event, seq, phone, text), due now; call inside
 * the transaction of the event.  MO_EEXISTS when its key is already queued */
int hub_store_message_add(struct hub_store *s, const struct hub_message *m,
			  struct mo_err *err) MO_WARN_UNUSED;
/*
 * Claim one queued message due at now_ms whose lease is free: it is leased
 * to owner until now_ms + lease_ms and its attempts counted (one IMMEDIATE
 * transaction, so two workers, in one process or two, never hold one row).
 * MO_ENOTFOUND when nothing is due.
 */
int hub_store_message_claim(struct hub_store *s, uint64_t now_ms, uint64_t lease_ms,
			    const char *owner, struct hub_message *out,
			    struct mo_err *err) MO_WARN_UNUSED;

/* the outcome of one attempt (hub_store_message_done) */
struct hub_message_outcome {
	const char *state;  /* "sent", "failed", or "queued" again */
	uint64_t next_ms;   /* queued: not before */
	const char *error;  /* a code (msg_err_*), NULL when sent */
	const char *detail; /* "HTTP 503", the transfer's message, NULL */
};
/* record it if owner still holds the lease (else MO_ECONFLICT: the lease
 * ran out and another worker took the row; nothing written) */
int hub_store_message_done(struct hub_store *s, long long id, const char *owner,
			   const struct hub_message_outcome *o, struct mo_err *err) MO_WARN_UNUSED;
/* the messages of a case, oldest first: [{key, event, seq, state, attempts,
 * error, detail, text, queued_at, tried_at, sent_at}] (never the phone) */
int hub_store_message_list(struct hub_store *s, const char *case_id, cJSON **out,
			   struct mo_err *err) MO_WARN_UNUSED;
/* how many messages are queued (due at now_ms or later), sent, failed */
struct hub_message_counts {
	long long queued, due, sent, failed;
};
int hub_store_message_counts(struct hub_store *s, uint64_t now_ms, struct hub_message_counts *out,
			     struct mo_err *err) MO_WARN_UNUSED;

#endif
