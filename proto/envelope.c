/* envelope.c — seal, open, verify and inflate batch envelopes (envelope.h). */
#include "envelope.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "compress.h"
#include "hlc.h"
#include "json.h"

/* integers in headers must be exact in a double (JSON numbers are doubles) */

static const char DOMAIN_PREFIX[] = PROTO_DOMAIN; /* sizeof includes the zero byte */

static int bad_envelope(struct mo_err *err, const char *what)
{
	return mo_err_set(err, MO_ECORRUPT, "bad_envelope", "bad envelope: %s", what);
}

static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 |
	       p[3];
}

/* ---- header encoding ---- */

static bool add_str(cJSON *o, const char *k, const char *v)
{
	return cJSON_AddStringToObject(o, k, v) != NULL;
}

/*
 * Integers go in as raw text: cJSON prints doubles with "%1.15g" and accepts
 * it when the result is merely close, so 2^53 would come out as
 * 9.00719925474099e+15.
 */
static bool add_int(cJSON *o, const char *k, long long v)
{
	char num[24];

	if (v < 0 || v > (1LL << 53))
		return false;
	snprintf(num, sizeof(num), "%lld", v);
	return cJSON_AddRawToObject(o, k, num) != NULL;
}

/* the fields of each kind, in a fixed order so sealed bytes are reproducible */
static bool header_fill(cJSON *o, int kind, const struct proto_header *h)
{
	char hlc[PROTO_HLC_HEX];
	bool ok = add_str(o, "hub", h->hub) && add_str(o, "device", h->device);

	proto_hlc_format(hlc, h->hlc);
	switch (kind) {
	case PROTO_KIND_UPLOAD:
		return ok && add_int(o, "seq", h->seq) && add_str(o, "prev", h->prev) &&
		       add_int(o, "first", h->first) && add_int(o, "last", h->last) &&
		       add_int(o, "count", h->count) && add_int(o, "raw", h->raw) &&
		       add_str(o, "sha256", h->sha256) && add_str(o, "hlc", hlc) &&
		       add_int(o, "schema", h->schema) && add_int(o, "cursor", h->cursor);
	case PROTO_KIND_PULL:
		return ok && add_str(o, "hlc", hlc) && add_int(o, "schema", h->schema) &&
		       add_int(o, "cursor", h->cursor);
	case PROTO_KIND_RESPONSE:
		return ok && add_int(o, "ack", h->ack) && add_int(o, "cursor", h->cursor) &&
		       add_int(o, "count", h->count) && add_int(o, "raw", h->raw) &&
		       add_str(o, "sha256", h->sha256) && add_str(o, "hlc", hlc) &&
		       add_str(o, "time", h->time) &&
		       cJSON_AddBoolToObject(o, "more", h->more) != NULL;
	default:
		return false;
	}
}

int proto_header_encode(struct mo_buf *out, int kind, const struct proto_header *hdr,
			struct mo_err *err)
{
	cJSON *o = NULL;
	char *text = NULL;
	int rc;

	if (kind < PROTO_KIND_UPLOAD || kind > PROTO_KIND_PULL)
		return mo_err_set(err, MO_EINVAL, "bad_envelope", "bad envelope kind %d", kind);
	if ((o = cJSON_CreateObject()) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "cannot build the header");
		goto done;
	}
	if (!header_fill(o, kind, hdr)) {
		rc = mo_err_set(err, MO_EINVAL, NULL, "cannot build the header: bad value");
		goto done;
	}
	if ((text = cJSON_PrintUnformatted(o)) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "cannot print the header");
		goto done;
	}
	if ((rc = mo_buf_adds(out, text)) != MO_OK)
		mo_err_set(err, rc, NULL, "cannot hold the header: %s", mo_strerror(rc));
done:
	free(text);
	cJSON_Delete(o);
	return rc;
}

/* ---- seal ---- */

static int sign_range(unsigned char sig[PROTO_SIG_LEN], const EVP_PKEY *key,
		      const unsigned char *bytes, size_t n, struct mo_err *err)
{
	struct mo_buf msg = MO_BUF_INIT(sizeof(DOMAIN_PREFIX) + PROTO_ENVELOPE_MAX);
	int rc;

	/* Ed25519 signs in one shot, so the domain prefix and the bytes are
	 * joined in one buffer (a copy of at most 8 MiB + 4 KiB) */
	if ((rc = mo_buf_reserve(&msg, sizeof(DOMAIN_PREFIX) + n)) != MO_OK ||
	    (rc = mo_buf_add(&msg, DOMAIN_PREFIX, sizeof(DOMAIN_PREFIX))) != MO_OK ||
	    (rc = mo_buf_add(&msg, bytes, n)) != MO_OK) {
		mo_err_set(err, rc, NULL, "cannot build the signed message: %s", mo_strerror(rc));
		goto done;
	}
	rc = proto_sign(sig, key, msg.data, msg.len, err);
done:
	mo_buf_release(&msg);
	return rc;
}

int proto_envelope_seal(struct mo_buf *out, const struct proto_seal_opts *opts,
			struct mo_err *err)
{
	struct proto_header h;
	struct mo_buf hdr = MO_BUF_INIT(PROTO_HEADER_MAX);
	struct mo_buf z = MO_BUF_INIT(PROTO_PAYLOAD_MAX);
	unsigned char sig[PROTO_SIG_LEN];
	size_t start = out->len;
	int rc;

	if (opts->kind < PROTO_KIND_UPLOAD || opts->kind > PROTO_KIND_PULL ||
	    opts->hdr == NULL || opts->key == NULL ||
	    (opts->payload == NULL && opts->payload_len != 0)) {
		rc = mo_err_set(err, MO_EINVAL, NULL, "bad seal options");
		goto done;
	}
	h = *opts->hdr;
	if (opts->kind == PROTO_KIND_PULL) {
		if (opts->payload_len != 0) {
			rc = mo_err_set(err, MO_EINVAL, NULL, "a pull carries no payload");
			goto done;
		}
	} else {
		if (opts->payload_len > PROTO_INFLATED_MAX) {
			rc = mo_err_set(err, MO_ETOOBIG, "too_large",
					"payload of %zu bytes exceeds %u", opts->payload_len,
					PROTO_INFLATED_MAX);
			goto done;
		}
		h.raw = (long long)opts->payload_len;
		mo_sha256_hex(h.sha256, opts->payload ? opts->payload : "", opts->payload_len);
		rc = proto_deflate(&z, opts->payload ? opts->payload : "", opts->payload_len,
				   opts->level, opts->dict_id, err);
		if (rc != MO_OK) {
			if (rc == MO_ETOOBIG)
				mo_err_set(err, rc, "too_large",
					   "compressed payload exceeds %u bytes",
					   PROTO_PAYLOAD_MAX);
			goto done;
		}
	}
	if ((rc = proto_header_encode(&hdr, opts->kind, &h, err)) != MO_OK) {
		if (rc == MO_ETOOBIG)
			mo_err_set(err, rc, "too_large", "header exceeds %u bytes",
				   PROTO_HEADER_MAX);
		goto done;
	}
	if ((rc = mo_buf_reserve(out, 12 + hdr.len + z.len + PROTO_SIG_LEN)) != MO_OK ||
	    (rc = mo_buf_add(out, PROTO_MAGIC, 4)) != MO_OK ||
	    (rc = mo_buf_addc(out, PROTO_VERSION)) != MO_OK ||
	    (rc = mo_buf_addc(out, (unsigned char)opts->kind)) != MO_OK ||
	    (rc = mo_buf_add_be16(out, (unsigned)hdr.len)) != MO_OK ||
	    (rc = mo_buf_add(out, hdr.data, hdr.len)) != MO_OK ||
	    (rc = mo_buf_add_be32(out, (unsigned long)z.len)) != MO_OK ||
	    (rc = mo_buf_add(out, z.data, z.len)) != MO_OK) {
		mo_err_set(err, rc, NULL, "cannot hold the envelope: %s", mo_strerror(rc));
		goto done;
	}
	if ((rc = sign_range(sig, opts->key, out->data + start, out->len - start, err)) !=
	    MO_OK)
		goto done;
	if ((rc = mo_buf_add(out, sig, sizeof(sig))) != MO_OK)
		mo_err_set(err, rc, NULL, "cannot hold the envelope: %s", mo_strerror(rc));
done:
	if (rc != MO_OK && out->len > start) {
		out->len = start; /* leave out as it was */
		out->data[start] = '\0';
	}
	mo_buf_release(&hdr);
	mo_buf_release(&z);
	return rc;
}

/* ---- open ---- */

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

static bool get_hex(const cJSON *o, const char *key, size_t n, char *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v) || v->valuestring == NULL || strlen(v->valuestring) != n ||
	    !is_lower_hex(v->valuestring, n))
		return false;
	memcpy(out, v->valuestring, n + 1);
	return true;
}

/* an exact integer >= min (json.h: below 2^53, so 2^53 + 1 cannot pass as 2^53) */
static bool get_int(const cJSON *o, const char *key, long long min, long long *out)
{
	long long v;

	if (!proto_json_int(o, key, &v) || v < min)
		return false;
	*out = v;
	return true;
}

static bool get_hlc(const cJSON *o, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "hlc");

	return cJSON_IsString(v) && proto_hlc_parse(out, v->valuestring);
}

/* YYYY-MM-DDTHH:MM:SS[.fff]Z — the shape only; the hub's clock wrote it */
static bool get_time(const cJSON *o, char out[32])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "time");
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t n;

	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return false;
	n = strlen(v->valuestring);
	if (n != 20 && n != 24)
		return false;
	for (size_t i = 0; i < 19; i++) {
		char c = v->valuestring[i];

		if (shape[i] == 'd' ? (c < '0' || c > '9') : c != shape[i])
			return false;
	}
	if (n == 24) {
		if (v->valuestring[19] != '.')
			return false;
		for (size_t i = 20; i < 23; i++)
			if (v->valuestring[i] < '0' || v->valuestring[i] > '9')
				return false;
	}
	if (v->valuestring[n - 1] != 'Z')
		return false;
	memcpy(out, v->valuestring, n + 1);
	return true;
}

static const char *header_fields(const cJSON *o, int kind, struct proto_header *h)
{
	long long schema = 0;
	const cJSON *more;

	if (!get_hex(o, "hub", PROTO_ID_LEN - 1, h->hub))
		return "hub";
	if (!get_hex(o, "device", PROTO_ID_LEN - 1, h->device))
		return "device";
	if (!get_hlc(o, &h->hlc))
		return "hlc";
	if (!get_int(o, "cursor", 0, &h->cursor))
		return "cursor";
	if (kind == PROTO_KIND_UPLOAD || kind == PROTO_KIND_PULL) {
		if (!get_int(o, "schema", 0, &schema) || schema != PROTO_SCHEMA)
			return "schema";
		h->schema = (int)schema;
	}
	if (kind == PROTO_KIND_UPLOAD || kind == PROTO_KIND_RESPONSE) {
		if (!get_int(o, "count", 0, &h->count))
			return "count";
		if (!get_int(o, "raw", 0, &h->raw))
			return "raw";
		if (!get_hex(o, "sha256", MO_SHA256_HEX - 1, h->sha256))
			return "sha256";
	}
	if (kind == PROTO_KIND_UPLOAD) {
		if (!get_int(o, "seq", 1, &h->seq))
			return "seq";
		if (!get_hex(o, "prev", MO_SHA256_HEX - 1, h->prev))
			return "prev";
		if (!get_int(o, "first", 0, &h->first))
			return "first";
		if (!get_int(o, "last", 0, &h->last))
			return "last";
	}
	if (kind == PROTO_KIND_RESPONSE) {
		if (!get_int(o, "ack", 0, &h->ack))
			return "ack";
		if (!get_time(o, h->time))
			return "time";
		more = cJSON_GetObjectItemCaseSensitive(o, "more");
		if (!cJSON_IsBool(more))
			return "more";
		h->more = cJSON_IsTrue(more);
	}
	return NULL;
}

static int header_decode(struct proto_header *h, int kind, const unsigned char *text,
			 size_t n, struct mo_err *err)
{
	/* the header is small and flat: strings and values are capped by H */
	static const struct proto_json_limits lim = {PROTO_DEPTH_MAX, PROTO_HEADER_MAX,
						     PROTO_HEADER_MAX};
	struct mo_err jerr = MO_ERR_INIT;
	cJSON *o = NULL;
	const char *bad;
	int rc = MO_OK;

	/* UTF-8, depth, NUL, duplicate keys and trailing bytes: json.c */
	if (proto_json_parse(&o, (const char *)text, n, &lim, &jerr) != MO_OK) {
		rc = mo_err_set(err, MO_ECORRUPT, "bad_envelope", "bad envelope: header: %s",
				jerr.msg);
		goto done;
	}
	if (!cJSON_IsObject(o)) {
		rc = bad_envelope(err, "header is not a JSON object");
		goto done;
	}
	if ((bad = header_fields(o, kind, h)) != NULL) {
		rc = mo_err_set(err, MO_ECORRUPT, "bad_envelope",
				"bad envelope: header field '%s' missing or invalid", bad);
		goto done;
	}
done:
	cJSON_Delete(o);
	return rc;
}

/*
 * The fixed prefix: magic, version, kind, H, P, each cap checked as soon as
 * its length field is readable, before anything it guards is looked at.
 * *need > 0: that many bytes must be at hand before the prefix can be
 * judged (nothing was refused yet).
 */
static int frame_prefix(const unsigned char *b, size_t len, size_t *hlen, size_t *plen,
			size_t *need, struct mo_err *err)
{
	*need = 0;
	if (len < 8) {
		/* a wrong magic is refused on its first wrong byte */
		if (memcmp(b, PROTO_MAGIC, len < 4 ? len : 4) != 0)
			return bad_envelope(err, "bad magic");
		*need = 8;
		return MO_OK;
	}
	if (memcmp(b, PROTO_MAGIC, 4) != 0)
		return bad_envelope(err, "bad magic");
	if (b[4] != PROTO_VERSION)
		return bad_envelope(err, "unknown version");
	if (b[5] < PROTO_KIND_UPLOAD || b[5] > PROTO_KIND_PULL)
		return bad_envelope(err, "unknown kind");
	*hlen = (size_t)b[6] << 8 | b[7];
	if (*hlen == 0)
		return bad_envelope(err, "empty header");
	if (*hlen > PROTO_HEADER_MAX)
		return mo_err_set(err, MO_ETOOBIG, "too_large", "header of %zu bytes exceeds %u",
				  *hlen, PROTO_HEADER_MAX);
	if (len < 12 + *hlen) {
		*need = 12 + *hlen;
		return MO_OK;
	}
	*plen = be32(b + 8 + *hlen);
	if (*plen > PROTO_PAYLOAD_MAX)
		return mo_err_set(err, MO_ETOOBIG, "too_large",
				  "payload of %zu bytes exceeds %u", *plen, PROTO_PAYLOAD_MAX);
	if (b[5] == PROTO_KIND_PULL && *plen != 0)
		return bad_envelope(err, "a pull carries no payload");
	return MO_OK;
}

int proto_envelope_peek(struct proto_envelope_prefix *out, const void *buf, size_t len,
			size_t *need, struct mo_err *err)
{
	const unsigned char *b = buf;
	size_t hlen = 0, plen = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = frame_prefix(b, len, &hlen, &plen, need, err)) != MO_OK || *need > 0)
		return rc;
	out->kind = b[5];
	out->total = 12 + hlen + plen + PROTO_SIG_LEN;
	return header_decode(&out->hdr, out->kind, b + 8, hlen, err);
}

int proto_envelope_open(struct proto_envelope *env, const void *buf, size_t len,
			struct mo_err *err)
{
	const unsigned char *b = buf;
	size_t hlen = 0, plen = 0, need = 0;
	int rc;

	memset(env, 0, sizeof(*env));
	if ((rc = frame_prefix(b, len, &hlen, &plen, &need, err)) != MO_OK)
		return rc;
	if (need > 0)
		return bad_envelope(err, need == 8 ? "shorter than the fixed header"
						   : "truncated header");
	if (len < 12 + hlen + plen + PROTO_SIG_LEN)
		return bad_envelope(err, "truncated");
	if (len > 12 + hlen + plen + PROTO_SIG_LEN)
		return bad_envelope(err, "bytes after the signature");
	env->kind = b[5];
	env->bytes = b;
	env->len = len;
	env->payload = b + 12 + hlen;
	env->payload_len = plen;
	env->sig = b + 12 + hlen + plen;
	return header_decode(&env->hdr, env->kind, b + 8, hlen, err);
}

/* ---- verify ---- */

int proto_envelope_verify(struct proto_envelope *env, const unsigned char pub[PROTO_PUBKEY_LEN],
			  struct mo_err *err)
{
	struct mo_buf msg = MO_BUF_INIT(sizeof(DOMAIN_PREFIX) + PROTO_ENVELOPE_MAX);
	size_t n;
	int rc;

	env->verified = false;
	if (env->bytes == NULL || env->sig == NULL)
		return mo_err_set(err, MO_EAUTH, "bad_signature", "envelope not opened");
	n = (size_t)(env->sig - env->bytes);
	if ((rc = mo_buf_reserve(&msg, sizeof(DOMAIN_PREFIX) + n)) != MO_OK ||
	    (rc = mo_buf_add(&msg, DOMAIN_PREFIX, sizeof(DOMAIN_PREFIX))) != MO_OK ||
	    (rc = mo_buf_add(&msg, env->bytes, n)) != MO_OK) {
		mo_err_set(err, rc, NULL, "cannot build the signed message: %s", mo_strerror(rc));
		goto done;
	}
	if (proto_verify(pub, msg.data, msg.len, env->sig) != MO_OK) {
		rc = mo_err_set(err, MO_EAUTH, "bad_signature", "bad signature");
		goto done;
	}
	env->verified = true;
done:
	mo_buf_release(&msg);
	return rc;
}

/* ---- inflate ---- */

static int digest_mismatch(struct mo_err *err, const char *what)
{
	return mo_err_set(err, MO_EDIGEST, "digest_mismatch", "payload does not match: %s",
			  what);
}

int proto_envelope_inflate(struct mo_buf *out, const struct proto_envelope *env,
			   struct mo_err *err)
{
	char hex[MO_SHA256_HEX];
	size_t raw;
	int rc;

	mo_buf_reset(out);
	if (!env->verified)
		return mo_err_set(err, MO_EAUTH, "bad_signature",
				  "refusing to inflate an unverified envelope");
	if (env->kind == PROTO_KIND_PULL)
		return mo_buf_add(out, "", 0); /* no payload; out is an empty string */
	/* both caps before a single byte is inflated */
	if (env->hdr.raw > (long long)PROTO_INFLATED_MAX)
		return mo_err_set(err, MO_ETOOBIG, "too_large",
				  "raw length %lld exceeds %u", env->hdr.raw, PROTO_INFLATED_MAX);
	if ((unsigned long long)env->hdr.raw >
	    (unsigned long long)env->payload_len * PROTO_INFLATE_RATIO)
		return mo_err_set(err, MO_ETOOBIG, "too_large",
				  "raw length %lld exceeds %u x the payload (%zu)", env->hdr.raw,
				  PROTO_INFLATE_RATIO, env->payload_len);
	raw = (size_t)env->hdr.raw;
	if (raw > out->max)
		return mo_err_set(err, MO_ETOOBIG, "too_large",
				  "raw length %zu exceeds the buffer (%zu)", raw, out->max);
	rc = proto_inflate(out, env->payload, env->payload_len, raw, err);
	if (rc == MO_ETOOBIG)
		return digest_mismatch(err, "inflates past raw");
	if (rc != MO_OK)
		return rc;
	if (out->len != raw)
		return digest_mismatch(err, "shorter than raw");
	mo_sha256_hex(hex, out->data, out->len);
	if (strcmp(hex, env->hdr.sha256) != 0)
		return digest_mismatch(err, "sha256 differs");
	return MO_OK;
}

void proto_envelope_hash(char out[MO_SHA256_HEX], const void *bytes, size_t len)
{
	mo_sha256_hex(out, bytes, len);
}

bool proto_nonce_ok(const char *nonce)
{
	size_t n = 0;

	if (nonce == NULL)
		return false;
	for (; nonce[n]; n++)
		if (!((nonce[n] >= '0' && nonce[n] <= '9') || (nonce[n] >= 'a' && nonce[n] <= 'f')) ||
		    n >= PROTO_NONCE_MAX)
			return false;
	return n >= PROTO_NONCE_MIN;
}

int proto_blob_signed_text(struct mo_buf *out, const char *method, const char *sha256,
			   const char *range, const char *time, const char *nonce,
			   const char *hub_id, const void *body, size_t len)
{
	char body_hash[MO_SHA256_HEX];

	if (method == NULL || sha256 == NULL || time == NULL || hub_id == NULL ||
	    !proto_nonce_ok(nonce) || strchr(method, '\n') || strchr(sha256, '\n') ||
	    strchr(time, '\n') || strchr(hub_id, '\n') || (range && strchr(range, '\n')))
		return MO_EINVAL;
	mo_buf_reset(out);
	mo_sha256_hex(body_hash, len ? body : "", len);
	if (mo_buf_adds(out, PROTO_DOMAIN) != MO_OK || mo_buf_addc(out, 0) != MO_OK ||
	    mo_buf_addf(out, "blob\n%s\n%s\n%s\n%s\n%s\n%s\n%s", method, sha256,
			range ? range : "", time, nonce, hub_id, body_hash) != MO_OK)
		return MO_ETOOBIG;
	return MO_OK;
}
