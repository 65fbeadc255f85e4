/*
 * enroll.c — one-time enrolment tokens and POST /v1/enroll (DESIGN.md §4
 * "Keys and identity").  Only a token's SHA-256 is stored; the token is
 * single use and expires.  A device gets a short code unique on the hub:
 * its unit's code plus the next letter (KR-T01A, KR-T01B, ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hub.h"
#include "json.h"
#include "mo_util.h"
#include "validate.h"

#define TOKEN_BYTES 20
#define ENROLL_CODE_TRIES 8

int hub_enroll_token(struct hub *h, const char *unit, uint64_t ttl_ms, char *out, size_t outlen,
		     struct mo_err *err)
{
	unsigned char raw[TOKEN_BYTES];
	char token[2 * TOKEN_BYTES + 1], hash[MO_SHA256_HEX];
	struct hub_unit u;
	int rc;

	if (outlen < sizeof(token))
		return mo_err_set(err, MO_EINVAL, NULL, "token buffer too small");
	if ((rc = hub_store_unit_get(h->store, unit, &u, err)) != MO_OK)
		return rc;
	if ((rc = mo_random(raw, sizeof(raw))) != MO_OK)
		return mo_err_set(err, rc, NULL, "no randomness for a token");
	mo_hex_encode(token, raw, sizeof(raw));
	mo_sha256_hex(hash, token, strlen(token));
	rc = hub_store_token_add(h->store, hash, u.code, mo_now_ms() + ttl_ms, err);
	if (rc == MO_OK)
		mo_strlcpy(out, token, outlen);
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(token, sizeof(token));
	return rc;
}

/* "A".."Z", then "AA".."ZZ": the k-th device of a unit (k from 0) */
static void device_letters(char *out, size_t outlen, long long k)
{
	if (k < 26)
		snprintf(out, outlen, "%c", (char)('A' + k));
	else
		snprintf(out, outlen, "%c%c", (char)('A' + (k - 26) / 26 % 26),
			 (char)('A' + (k - 26) % 26));
}

static int optional_text(const cJSON *req, const char *key, size_t max, const char **out,
			 struct mo_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return MO_OK;
	if (!cJSON_IsString(v))
		return mo_err_set(err, MO_EINVAL, "bad_envelope", "'%s' must be a string", key);
	if (proto_text_check(v->valuestring, max, key, err) != MO_OK) {
		mo_strlcpy(err->code, "bad_envelope", sizeof(err->code));
		return MO_EINVAL;
	}
	*out = v->valuestring;
	return MO_OK;
}

static int answer(struct hub *h, const struct hub_device *d, const struct hub_unit *u,
		  struct mo_buf *out, struct mo_err *err)
{
	struct mo_buf pub64 = MO_BUF_INIT(128);
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;
	int rc;

	if (o == NULL || (rc = mo_base64_encode(&pub64, h->pub, sizeof(h->pub))) != MO_OK) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	cJSON_AddStringToObject(o, "hub", h->id);
	cJSON_AddStringToObject(o, "hub_public_key", mo_buf_cstr(&pub64));
	cJSON_AddStringToObject(o, "device", d->id);
	cJSON_AddStringToObject(o, "device_code", d->code);
	cJSON_AddStringToObject(o, "unit", u->code);
	cJSON_AddStringToObject(o, "unit_name", u->name);
	cJSON_AddStringToObject(o, "unit_kind", u->kind);
	if (u->phone[0])
		cJSON_AddStringToObject(o, "unit_phone", u->phone);
	if ((text = cJSON_PrintUnformatted(o)) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	if ((rc = mo_buf_adds(out, text)) != MO_OK)
		mo_err_set(err, rc, NULL, "cannot build the answer");
done:
	free(text);
	cJSON_Delete(o);
	mo_buf_release(&pub64);
	return rc;
}

int hub_enroll(struct hub *h, struct mo_buf *out, const void *body, size_t len, struct mo_err *err)
{
	struct proto_json_limits lim = {8, 4096, 64};
	struct mo_buf pub = MO_BUF_INIT(64);
	struct hub_device d;
	struct hub_unit u;
	cJSON *req = NULL;
	const char *token, *key64, *hostname = NULL, *operator_name = NULL;
	char hash[MO_SHA256_HEX];
	long long count;
	bool in_tx = false;
	int rc;

	memset(&d, 0, sizeof(d));
	if ((rc = proto_json_parse(&req, body, len, &lim, err)) != MO_OK || !cJSON_IsObject(req)) {
		rc = mo_err_set(err, MO_EINVAL, "bad_envelope",
				"enrolment request is not a JSON object");
		goto done;
	}
	token = proto_json_str(req, "token");
	key64 = proto_json_str(req, "public_key");
	if (token == NULL || *token == '\0') {
		rc = mo_err_set(err, MO_EAUTH, "bad_token", "enrolment token is missing");
		goto done;
	}
	if (key64 == NULL || mo_base64_decode(&pub, key64, strlen(key64)) != MO_OK ||
	    pub.len != PROTO_PUBKEY_LEN) {
		rc = mo_err_set(err, MO_EINVAL, "bad_envelope",
				"public_key must be a base64 raw Ed25519 key (32 bytes)");
		goto done;
	}
	if ((rc = optional_text(req, "hostname", 255, &hostname, err)) != MO_OK ||
	    (rc = optional_text(req, "operator", 100, &operator_name, err)) != MO_OK)
		goto done;
	memcpy(d.pub, pub.data, PROTO_PUBKEY_LEN);
	proto_key_id(d.id, d.pub);
	d.active = true;
	mo_sha256_hex(hash, token, strlen(token));

	if ((rc = hub_store_begin(h->store, err)) != MO_OK)
		goto done;
	in_tx = true;
	if ((rc = hub_store_token_take(h->store, hash, mo_now_ms(), d.id, d.unit, err)) != MO_OK ||
	    (rc = hub_store_unit_get(h->store, d.unit, &u, err)) != MO_OK ||
	    (rc = hub_store_device_count(h->store, d.unit, &count, err)) != MO_OK)
		goto done;
	{
		struct hub_device old;

		if (hub_store_device_get(h->store, d.id, &old, NULL) == MO_OK) {
			/* rolled back below: the token stays unused */
			rc = mo_err_set(err, MO_ECONFLICT, "device_exists",
					"this key is already enrolled as %s", old.code);
			goto done;
		}
	}
	for (int i = 0; i < ENROLL_CODE_TRIES; i++) {
		char letters[4];

		device_letters(letters, sizeof(letters), count + i);
		if ((size_t)snprintf(d.code, sizeof(d.code), "%s%s", u.code, letters) >=
		    sizeof(d.code)) {
			rc = mo_err_set(err, MO_EINVAL, NULL, "unit code is too long");
			goto done;
		}
		rc = hub_store_device_add(h->store, &d, hostname, operator_name, err);
		if (rc != MO_ECONFLICT)
			break;
		/* the code was taken (a unit whose code ends like ours): next letter */
	}
	if (rc != MO_OK)
		goto done;
	in_tx = false;
	if ((rc = hub_store_commit(h->store, err)) != MO_OK)
		goto done;
	rc = answer(h, &d, &u, out, err);
done:
	if (in_tx)
		hub_store_rollback(h->store);
	cJSON_Delete(req);
	mo_buf_release(&pub);
	return rc;
}
