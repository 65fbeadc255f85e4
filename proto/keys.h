/*
 * keys.h — Ed25519 identities of devices and the hub (DESIGN.md §4 "Keys and
 * identity").  Private keys live in PEM (PKCS#8) files of mode 0600 that are
 * created exclusively and never overwritten.  A device (or hub) id is the
 * lowercase hex of the first 16 bytes of SHA-256 of the raw 32-byte public key.
 *
 * Keys are OpenSSL EVP_PKEY objects; the caller frees them with EVP_PKEY_free.
 */
#ifndef PROTO_KEYS_H
#define PROTO_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "mo_err.h"

#define PROTO_PUBKEY_LEN 32
#define PROTO_SIG_LEN 64
#define PROTO_ID_LEN 33 /* 32 hex digits + NUL */

/* lifecycle */
int proto_key_generate(EVP_PKEY **out, struct mo_err *err) MO_WARN_UNUSED;
/* MO_EEXISTS when path exists; the file is created with mode 0600 */
int proto_key_save(const EVP_PKEY *key, const char *path, struct mo_err *err) MO_WARN_UNUSED;
int proto_key_load(EVP_PKEY **out, const char *path, struct mo_err *err) MO_WARN_UNUSED;

/* query */
int proto_key_public_raw(unsigned char out[PROTO_PUBKEY_LEN], const EVP_PKEY *key,
			 struct mo_err *err) MO_WARN_UNUSED;
/* id (32 hex) of a raw public key */
void proto_key_id(char out[PROTO_ID_LEN], const unsigned char pub[PROTO_PUBKEY_LEN]);

/* sign and verify raw messages with Ed25519 */
int proto_sign(unsigned char sig[PROTO_SIG_LEN], const EVP_PKEY *key, const void *msg,
	       size_t len, struct mo_err *err) MO_WARN_UNUSED;
/* MO_OK when the signature is valid, MO_EAUTH otherwise */
int proto_verify(const unsigned char pub[PROTO_PUBKEY_LEN], const void *msg, size_t len,
		 const unsigned char sig[PROTO_SIG_LEN]) MO_WARN_UNUSED;

#endif
