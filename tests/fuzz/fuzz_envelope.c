/*
 * fuzz_envelope.c — libFuzzer target for the envelope decoder: open, verify
 * against a fixed key, and inflate when verified.  Must never crash, leak or
 * allocate past the caps, whatever the bytes.
 *
 * A fuzzer cannot forge Ed25519, so inputs that open but fail to verify are
 * also re-signed with the fixed test key (tests/data/envelope-key.pem) and
 * run again: that lets mutations reach the inflate, raw and digest checks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "envelope.h"
#include "keys.h"
#include "mo_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the raw Ed25519 key pair of tests/data/envelope-key.pem (test only) */
static const unsigned char SEED[32] = {
	0x17, 0x11, 0x2e, 0xdc, 0xc4, 0x30, 0xfa, 0xad, 0xf6, 0x73, 0x5c, 0x2d, 0x14, 0x96, 0x35, 0x95,
	0x1f, 0x92, 0xae, 0xa1, 0xb9, 0x08, 0x6b, 0xa2, 0xf9, 0xfe, 0xc6, 0x08, 0xed, 0x9d, 0xde, 0x1e};
static const unsigned char PUB[32] = {
	0xeb, 0x25, 0xd8, 0x08, 0x9f, 0x0a, 0xc0, 0x24, 0xeb, 0xa3, 0x59, 0xb8, 0xc3, 0xe7, 0x20, 0x75,
	0xf0, 0x88, 0x3b, 0x5e, 0xfa, 0x6d, 0xe9, 0x7b, 0xfb, 0xb0, 0x7c, 0x25, 0xd3, 0xd6, 0xc1, 0x1b};

static void run(const uint8_t *data, size_t size)
{
	struct proto_envelope env;
	struct mo_err err = MO_ERR_INIT;
	struct mo_buf out = MO_BUF_INIT(PROTO_INFLATED_MAX + 1);
	char hash[MO_SHA256_HEX];

	if (proto_envelope_open(&env, data, size, &err) != MO_OK)
		goto done;
	proto_envelope_hash(hash, data, size);
	/* never inflated unverified */
	if (proto_envelope_inflate(&out, &env, &err) != MO_EAUTH)
		abort();
	if (proto_envelope_verify(&env, PUB, &err) != MO_OK)
		goto done;
	if (proto_envelope_inflate(&out, &env, &err) == MO_OK && env.kind != PROTO_KIND_PULL &&
	    out.len != (size_t)env.hdr.raw)
		abort();
done:
	mo_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_envelope env;
	struct mo_err err = MO_ERR_INIT;
	static const char dom[] = PROTO_DOMAIN;
	EVP_PKEY *key;
	unsigned char *copy, *msg;
	size_t n;

	run(data, size);
	if (proto_envelope_open(&env, data, size, &err) != MO_OK ||
	    proto_envelope_verify(&env, PUB, &err) == MO_OK)
		return 0;
	/* re-sign the same bytes so the checks behind the signature are reached */
	n = (size_t)(env.sig - env.bytes);
	copy = malloc(size);
	msg = malloc(sizeof(dom) + n);
	key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, SEED, sizeof(SEED));
	if (copy && msg && key) {
		memcpy(copy, data, size);
		memcpy(msg, dom, sizeof(dom));
		memcpy(msg + sizeof(dom), data, n);
		if (proto_sign(copy + n, key, msg, sizeof(dom) + n, &err) == MO_OK)
			run(copy, size);
	}
	EVP_PKEY_free(key);
	free(copy);
	free(msg);
	return 0;
}
