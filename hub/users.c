/*
 * users.c — staff accounts: scrypt password hashes through OpenSSL's
 * EVP_KDF "SCRYPT", stored with their parameters so they can be raised
 * later without invalidating old hashes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "hub.h"
#include "mo_util.h"

/* 16 MiB of memory per hash: slow for an attacker, fine for a sign-in */
#define SCRYPT_N 16384u
#define SCRYPT_R 8u
#define SCRYPT_P 1u
#define SALT_LEN 16
#define HASH_LEN 32

static int scrypt(unsigned char *out, size_t outlen, const char *password,
		  const unsigned char *salt, size_t saltlen, uint64_t n, uint32_t r, uint32_t p)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[6];
	int rc = MO_ERROR;

	if (ctx == NULL)
		goto done;
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (char *)password,
						      strlen(password));
	params[1] =
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (unsigned char *)salt, saltlen);
	params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
	params[5] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, outlen, params) == 1)
		rc = MO_OK;
done:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return rc;
}

int hub_password_hash(char *out, size_t outlen, const char *password, struct mo_err *err)
{
	unsigned char salt[SALT_LEN], hash[HASH_LEN];
	struct mo_buf s64 = MO_BUF_INIT(64), h64 = MO_BUF_INIT(64);
	int rc;

	if (strlen(password) < 8)
		return mo_err_set(err, MO_EINVAL, NULL, "password is shorter than 8 characters");
	if ((rc = mo_random(salt, sizeof(salt))) != MO_OK) {
		mo_err_set(err, rc, NULL, "no randomness for the salt");
		goto done;
	}
	if ((rc = scrypt(hash, sizeof(hash), password, salt, sizeof(salt), SCRYPT_N, SCRYPT_R,
			 SCRYPT_P)) != MO_OK) {
		mo_err_set(err, rc, NULL, "scrypt failed");
		goto done;
	}
	if ((rc = mo_base64_encode(&s64, salt, sizeof(salt))) != MO_OK ||
	    (rc = mo_base64_encode(&h64, hash, sizeof(hash))) != MO_OK) {
		mo_err_set(err, rc, NULL, "cannot encode the hash");
		goto done;
	}
	if ((size_t)snprintf(out, outlen, "scrypt$%u$%u$%u$%s$%s", SCRYPT_N, SCRYPT_R, SCRYPT_P,
			     mo_buf_cstr(&s64), mo_buf_cstr(&h64)) >= outlen)
		rc = mo_err_set(err, MO_ETOOBIG, NULL, "hash buffer too small");
done:
	OPENSSL_cleanse(hash, sizeof(hash));
	mo_buf_release(&s64);
	mo_buf_release(&h64);
	return rc;
}

int hub_password_verify(const char *stored, const char *password)
{
	char copy[256], *parts[6], *p;
	long long n, r, pp;
	struct mo_buf salt = MO_BUF_INIT(256), want = MO_BUF_INIT(256);
	unsigned char got[64];
	int k = 0, rc = MO_EAUTH;

	if (mo_strlcpy(copy, stored, sizeof(copy)) >= sizeof(copy))
		return MO_EAUTH;
	for (p = copy; k < 6;) {
		char *d = strchr(p, '$');

		parts[k++] = p;
		if (d == NULL)
			break;
		*d = '\0';
		p = d + 1;
	}
	if (k != 6 || strcmp(parts[0], "scrypt") != 0 || !mo_parse_i64(&n, parts[1], 2, 1 << 22) ||
	    (n & (n - 1)) != 0 || !mo_parse_i64(&r, parts[2], 1, 64) ||
	    !mo_parse_i64(&pp, parts[3], 1, 16))
		goto done;
	if (mo_base64_decode(&salt, parts[4], strlen(parts[4])) != MO_OK ||
	    mo_base64_decode(&want, parts[5], strlen(parts[5])) != MO_OK || want.len == 0 ||
	    want.len > sizeof(got))
		goto done;
	if (scrypt(got, want.len, password, salt.data, salt.len, (uint64_t)n, (uint32_t)r,
		   (uint32_t)pp) != MO_OK)
		goto done;
	if (CRYPTO_memcmp(got, want.data, want.len) == 0)
		rc = MO_OK;
done:
	OPENSSL_cleanse(got, sizeof(got));
	mo_buf_release(&salt);
	mo_buf_release(&want);
	return rc;
}

int hub_user_add(struct hub *h, const char *login, const char *role, const char *password,
		 struct mo_err *err)
{
	static const char *const roles[] = {"reviewer", "supervisor", "admin"};
	char hash[256];
	bool role_ok = false;
	size_t len = strlen(login);
	int rc;

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		role_ok |= strcmp(role, roles[i]) == 0;
	if (!role_ok)
		return mo_err_set(err, MO_EINVAL, NULL,
				  "role '%s' is not one of reviewer, supervisor, admin", role);
	if (len == 0 || len > 64)
		return mo_err_set(err, MO_EINVAL, NULL, "login must be 1 to 64 characters");
	for (size_t i = 0; i < len; i++) {
		char c = login[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || c == '@'))
			return mo_err_set(err, MO_EINVAL, NULL,
					  "login '%s' may hold only letters, digits and . _ - @",
					  login);
	}
	if ((rc = hub_password_hash(hash, sizeof(hash), password, err)) != MO_OK)
		return rc;
	rc = hub_store_user_add(h->store, login, role, hash, err);
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}
