/*
 * hub.h — the mo-hub context and the pieces the handlers share.
 *
 * `struct hub` is built once (hub_open) in main.c and handed to the CLI and
 * the HTTP threads: the data directory, the store, the hub's key pair and
 * id, and the metrics.  No mutable globals anywhere in mo-hub.
 *
 * The hub's data directory:
 *   DIR/hub.key          Ed25519 private key (PEM, 0600)
 *   DIR/hub.db           SQLite store (WAL), unless DIR/db.url names another
 *   DIR/blobs/<sha256>   attachments, content-addressed
 *   DIR/blobs/partial/   uploads in progress
 */
#ifndef HUB_H
#define HUB_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "hlc.h"
#include "keys.h"
#include "metrics.h"
#include "mo_err.h"
#include "public.h"
#include "store.h"

#define HUB_PATH_MAX 2048

struct hub {
	char data[HUB_PATH_MAX];
	struct hub_store *store;
	EVP_PKEY *key;
	unsigned char pub[PROTO_PUBKEY_LEN];
	char id[PROTO_ID_LEN];
	struct hub_metrics metrics;
	pthread_mutex_t blob_lock; /* one writer per blob directory at a time */
	bool blob_lock_ready;
	/* group commit (sync.c): batches waiting for the writer, and whether a
	 * thread is applying a group now (under wq_lock) */
	pthread_mutex_t wq_lock;
	pthread_cond_t wq_cond;
	struct hub_job *wq_head, *wq_tail;
	bool wq_busy;
	/* staff browser sessions (api.c); set by `serve` options */
	uint64_t session_idle_ms; /* idle timeout, default 30 min */
	uint64_t session_max_ms;  /* absolute lifetime; 0: HUB_SESSION_MAX_MS (12 h) */
	bool cookie_secure;	  /* mark the cookie Secure (served over TLS) */
	/* blobs (blobs.c): per-device quota of uploads in progress and blobs
	 * no attachment names yet, and how long those are kept; 0: defaults */
	long long blob_quota_bytes; /* HUB_BLOB_QUOTA_BYTES */
	long long blob_quota_count; /* HUB_BLOB_QUOTA_COUNT */
	uint64_t blob_expiry_ms;    /* HUB_BLOB_EXPIRY_MS */
	uint64_t blob_swept_ms;	    /* last expiry sweep (under blob_lock) */
	/* lookups per address of the public status page (public.c), in memory */
	struct hub_public_limit public_limit;
};

#define HUB_BLOB_QUOTA_BYTES (2048ll << 20)
#define HUB_BLOB_QUOTA_COUNT 5000ll
#define HUB_BLOB_EXPIRY_MS (30ull * 86400 * 1000)

#define HUB_SESSION_IDLE_MS (30ull * 60 * 1000)
#define HUB_SESSION_MAX_MS (12ull * 3600 * 1000)

/* ---- lifecycle (hub.c) ---- */

struct hub_init_opts {
	const char *data;
	const char *db_url;	    /* NULL: DIR/hub.db */
	const char *admin_password; /* NULL: no admin user */
};

/*
 * Create a new hub in opts->data: the directory, the key, the database with
 * the seed catalogue (also put in the feed), and an `admin` user when a
 * password is given.  MO_EEXISTS when a hub is already there.
 */
int hub_create(const struct hub_init_opts *opts, struct mo_err *err) MO_WARN_UNUSED;

/* Open an existing hub (key, store, id).  hub_close releases everything. */
int hub_open(struct hub *h, const char *data, struct mo_err *err) MO_WARN_UNUSED;
void hub_close(struct hub *h);

/* ---- the hub clock, persisted in the store (call inside a transaction) ---- */
int hub_clock_load(struct hub *h, struct proto_clock *c, struct mo_err *err) MO_WARN_UNUSED;
int hub_clock_save(struct hub *h, const struct proto_clock *c, struct mo_err *err) MO_WARN_UNUSED;

/* ---- staff users (users.c) ---- */

/* "scrypt$N$r$p$salt_b64$hash_b64" with a fresh random salt */
int hub_password_hash(char *out, size_t outlen, const char *password,
		      struct mo_err *err) MO_WARN_UNUSED;
/* MO_OK when password matches stored, MO_EAUTH otherwise, MO_EBUSY when
 * too many hashes are being computed (waited 20 s for a turn) */
int hub_password_verify(const char *stored, const char *password) MO_WARN_UNUSED;
/* the stored hash is below today's cost (rewrite it at the next sign-in) */
bool hub_password_weak(const char *stored);
int hub_user_add(struct hub *h, const char *login, const char *role, const char *password,
		 struct mo_err *err) MO_WARN_UNUSED;

enum hub_user_op { HUB_USER_DISABLE, HUB_USER_ENABLE, HUB_USER_PASSWORD, HUB_USER_ROLE };
/*
 * One account change by actor (audited in the same transaction), the one
 * place for the CLI, the admin API and the UI: disable (ends every session
 * of the user at once), enable, a new password (value; ends every session),
 * a role (value).  MO_ENOTFOUND (not_found) for an unknown login,
 * MO_EINVAL (bad_request), MO_ECONFLICT (last_admin) when no active admin
 * would remain.  Nothing changes on a refusal.
 */
int hub_user_change(struct hub *h, const char *actor, const char *login, enum hub_user_op op,
		    const char *value, struct mo_err *err) MO_WARN_UNUSED;
/* store a fresh hash at today's cost for the same password (no session ends) */
int hub_user_rehash(struct hub *h, const char *login, const char *password,
		    struct mo_err *err) MO_WARN_UNUSED;

/* ---- units (hub.c) ---- */

/* check (code: 1-28 of A-Z 0-9 -, kind office|case|truck|bus) and add a unit */
int hub_unit_add(struct hub *h, const char *code, const char *name, const char *kind,
		 const char *phone,
		 struct mo_err *err) MO_WARN_UNUSED;

/* ---- sync (sync.c): POST /v1/sync ---- */

/*
 * Verify and apply one request envelope (kind 1 upload or 3 pull) and put
 * the signed kind-2 answer into out.  On refusal err->code is the wire code
 * of DESIGN.md §4 (err->expected set for seq_gap) and nothing was applied.
 */
int hub_sync(struct hub *h, struct mo_buf *out, const void *body, size_t len,
	     struct mo_err *err) MO_WARN_UNUSED;

struct proto_envelope_prefix;
/*
 * The checks hub_sync makes on an envelope's header, made while the body
 * still arrives (proto_envelope_peek): kind, schema, device known
 * (unknown_device) and active (device_revoked), so a refused sender is
 * answered before its payload is held.  hub_sync checks all again.
 */
int hub_sync_admit(struct hub *h, const struct proto_envelope_prefix *px,
		   struct mo_err *err) MO_WARN_UNUSED;

/* ---- enrolment (enroll.c): POST /v1/enroll ---- */

/* a new one-time token for unit; the token (hex) into out, its hash stored */
int hub_enroll_token(struct hub *h, const char *unit, uint64_t ttl_ms, char *out, size_t outlen,
		     struct mo_err *err) MO_WARN_UNUSED;
/* enrol a device from the JSON request body; the JSON answer into out */
int hub_enroll(struct hub *h, struct mo_buf *out, const void *body, size_t len,
	       struct mo_err *err) MO_WARN_UNUSED;

/* ---- blobs (blobs.c): HEAD / PUT /v1/blobs/<sha256> ---- */

struct hub_blob_req {
	const char *method;			       /* "HEAD" or "PUT" */
	const char *sha256;			       /* from the path */
	const char *device, *time, *signature, *range; /* headers; NULL when absent */
	const char *nonce;				/* X-MO-Nonce */
	const void *body;
	size_t len;
};

struct hub_blob_res {
	int status;	  /* HTTP status on success (200 / 201) */
	long long offset; /* bytes held */
	bool complete;
};

int hub_blob(struct hub *h, const struct hub_blob_req *r, struct hub_blob_res *res,
	     struct mo_err *err) MO_WARN_UNUSED;

/* ---- HTTP (http.h) ---- */
#include "http.h"

#endif
