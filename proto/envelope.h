/*
 * envelope.h — the signed, compressed batch envelope of DESIGN.md §4.
 *
 *   0      4  magic "MOB1"        4  1  version = 1      5  1  kind
 *   6      2  H (1..4096)         8  H  header JSON object
 *   8+H    4  P (0..8 MiB)        12+H  P  zlib stream of the JSON payload
 *   12+H+P 64 Ed25519 signature over "mobile-office/v1\0" || bytes[0, 12+H+P)
 *
 * Decoding is split in the order the hub must check things, so that no work
 * is done on bytes that are not yet trusted:
 *
 *   proto_envelope_open()    framing, size caps, header JSON (nothing else)
 *   proto_envelope_verify()  the signature, with a key the caller looked up
 *   proto_envelope_inflate() only on a verified envelope: raw caps, streamed
 *                            inflate that stops at the limit, sha256/raw
 *
 * Errors carry the wire code of §4 in err->code: bad_envelope, too_large,
 * bad_signature, bad_compression, digest_mismatch.
 */
#ifndef PROTO_ENVELOPE_H
#define PROTO_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "keys.h"
#include "mo_buf.h"
#include "mo_err.h"
#include "mo_util.h"

#define PROTO_MAGIC "MOB1"
#define PROTO_VERSION 1
#define PROTO_SCHEMA 1
#define PROTO_DOMAIN "mobile-office/v1" /* followed by one zero byte */

/* limits, DESIGN.md §4 */
#define PROTO_HEADER_MAX 4096u
#define PROTO_PAYLOAD_MAX (8u << 20)
#define PROTO_INFLATED_MAX (64u << 20)
#define PROTO_INFLATE_RATIO 100u
#define PROTO_DEPTH_MAX 32u
#define PROTO_CHANGES_MAX 50000u
#define PROTO_STRING_MAX 65536u
#define PROTO_FRAME_MIN (12u + PROTO_SIG_LEN)
#define PROTO_ENVELOPE_MAX (12u + PROTO_HEADER_MAX + PROTO_PAYLOAD_MAX + PROTO_SIG_LEN)

enum proto_kind {
	PROTO_KIND_UPLOAD = 1,
	PROTO_KIND_RESPONSE = 2,
	PROTO_KIND_PULL = 3,
};

/* The header fields of all kinds; which ones a kind carries is in §4. */
struct proto_header {
	char hub[PROTO_ID_LEN];
	char device[PROTO_ID_LEN];
	long long seq;               /* upload */
	char prev[MO_SHA256_HEX];    /* upload */
	long long first, last;       /* upload */
	long long count;             /* upload, response */
	long long raw;               /* upload, response (set by seal) */
	char sha256[MO_SHA256_HEX];  /* upload, response (set by seal) */
	uint64_t hlc;
	int schema;                  /* upload, pull */
	long long cursor;
	long long ack;               /* response */
	char time[32];               /* response, ISO 8601 UTC */
	bool more;                   /* response */
};

/* 64 zeros: the prev of seq 1 */
#define PROTO_PREV_NONE "0000000000000000000000000000000000000000000000000000000000000000"

/* ---- encode ---- */

#define PROTO_LEVEL_DEFAULT 6

struct proto_seal_opts {
	int kind;
	const struct proto_header *hdr; /* raw and sha256 are filled in by seal */
	const void *payload;            /* inflated JSON; NULL with 0 for a pull */
	size_t payload_len;
	int level;              /* zlib level 0..9 */
	unsigned long dict_id;  /* 0: no preset dictionary; else a shipped one */
	const EVP_PKEY *key;    /* signer */
};

#define PROTO_SEAL_OPTS_INIT {0, NULL, NULL, 0, PROTO_LEVEL_DEFAULT, 0, NULL}

/* Build and sign an envelope into out (appended). */
int proto_envelope_seal(struct mo_buf *out, const struct proto_seal_opts *opts,
			struct mo_err *err) MO_WARN_UNUSED;

/* Header JSON of a kind (used by seal; exposed for tests that forge headers). */
int proto_header_encode(struct mo_buf *out, int kind, const struct proto_header *hdr,
			struct mo_err *err) MO_WARN_UNUSED;

/* ---- decode ---- */

struct proto_envelope {
	int kind;
	struct proto_header hdr;
	const unsigned char *bytes; /* borrowed: the whole envelope */
	size_t len;
	const unsigned char *payload; /* borrowed: the zlib stream */
	size_t payload_len;
	const unsigned char *sig; /* borrowed */
	bool verified;            /* set by proto_envelope_verify */
};

/*
 * Framing, caps and header JSON only.  Any kind 1..3 is accepted here (the
 * caller decides which kinds it takes); required header fields per kind are
 * checked.  `env` borrows from buf.  bad_envelope / too_large.
 */
int proto_envelope_open(struct proto_envelope *env, const void *buf, size_t len,
			struct mo_err *err) MO_WARN_UNUSED;

/*
 * The same checks on the first bytes of an envelope still arriving, so a
 * server can refuse a sender before it holds the payload.  buf may end
 * anywhere.  MO_OK with *need > 0: at least *need bytes are needed before
 * anything can be said (no verdict yet).  MO_OK with *need == 0: framing up
 * to P and the header JSON are valid, out->kind, out->hdr and out->total
 * (the whole envelope's length) are set.  Else the error open() would give
 * for the same prefix: bad_envelope / too_large.  Nothing here is
 * authenticated: the signature is at the end.
 */
struct proto_envelope_prefix {
	int kind;
	struct proto_header hdr;
	size_t total;
};

int proto_envelope_peek(struct proto_envelope_prefix *out, const void *buf, size_t len,
			size_t *need, struct mo_err *err) MO_WARN_UNUSED;

/* Signature check with the sender's public key; bad_signature. */
int proto_envelope_verify(struct proto_envelope *env, const unsigned char pub[PROTO_PUBKEY_LEN],
			  struct mo_err *err) MO_WARN_UNUSED;

/*
 * Inflate the payload of a verified envelope into out (reset first), with
 * the caps of §4, then check raw and sha256.  MO_EAUTH if not verified.
 * too_large / bad_compression / digest_mismatch.
 */
int proto_envelope_inflate(struct mo_buf *out, const struct proto_envelope *env,
			   struct mo_err *err) MO_WARN_UNUSED;

/* SHA-256 (hex) of the whole envelope: what the next batch's prev names. */
void proto_envelope_hash(char out[MO_SHA256_HEX], const void *bytes, size_t len);

/*
 * What a device signs for a blob request (HEAD / PUT /v1/blobs/<sha256>):
 *   "mobile-office/v1\0blob\n<METHOD>\n<sha256>\n<Content-Range>\n<time>\n
 *    <nonce>\n<hub id>\n<sha256(body)>"
 * The nonce (16-64 lowercase hex digits, fresh per request) and the hub's id
 * make a captured request useless elsewhere and a second time (the hub keeps
 * the nonces it has seen for the request's time window).  out is reset.
 * MO_EINVAL for a malformed part, MO_ETOOBIG past out's cap.
 */
#define PROTO_NONCE_MIN 16
#define PROTO_NONCE_MAX 64
bool proto_nonce_ok(const char *nonce);
int proto_blob_signed_text(struct mo_buf *out, const char *method, const char *sha256,
			   const char *range, const char *time, const char *nonce,
			   const char *hub_id, const void *body, size_t len) MO_WARN_UNUSED;

#endif
