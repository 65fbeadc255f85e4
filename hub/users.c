/*
 * users.c — staff accounts: scrypt password hashes through OpenSSL's
 * EVP_KDF "SCRYPT", stored with their parameters so they can be raised
 * later without invalidating old hashes (a hash below today's cost is
 * rewritten at the next sign-in, hub_password_weak), and the account
 * changes (disable, enable, password, role) that the CLI, the admin API
 * and the UI share, each audited in the same transaction.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "hub.h"
#include "mo_util.h"

/* 128 MiB of memory per hash (N = 2^17, r = 8): slow for an attacker,
 * fine for a sign-in; at most SCRYPT_PARALLEL run at once, so a burst of
 * sign-ins cannot take the hub's memory */
#define SCRYPT_N 131072u
#define SCRYPT_PARALLEL 2
#define SCRYPT_WAIT_S 20
#define SCRYPT_MAXMEM (300ull << 20)
#define SCRYPT_R 8u
#define SCRYPT_P 1u
#define SALT_LEN 16
#define HASH_LEN 32

static const char *const roles[] = {"reviewer", "supervisor", "admin"};

static bool role_known(const char *role)
{
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (role && strcmp(role, roles[i]) == 0)
			return true;
	return false;
}

static int scrypt(unsigned char *out, size_t outlen, const char *password,
		  const unsigned char *salt, size_t saltlen, uint64_t n, uint32_t r, uint32_t p)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[7];
	uint64_t maxmem = SCRYPT_MAXMEM;
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
	params[5] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem);
	params[6] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, outlen, params) == 1)
		rc = MO_OK;
done:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return rc;
}

/* ---- at most SCRYPT_PARALLEL hashes at a time ---- */

static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slots_cond = PTHREAD_COND_INITIALIZER;
static int slots_busy;

static int slot_take(void)
{
	struct timespec until;
	int rc = MO_OK;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += SCRYPT_WAIT_S;
	pthread_mutex_lock(&slots_lock);
	while (slots_busy >= SCRYPT_PARALLEL && rc == MO_OK)
		if (pthread_cond_timedwait(&slots_cond, &slots_lock, &until) == ETIMEDOUT)
			rc = MO_EBUSY;
	if (rc == MO_OK)
		slots_busy++;
	pthread_mutex_unlock(&slots_lock);
	return rc;
}

static void slot_give(void)
{
	pthread_mutex_lock(&slots_lock);
	slots_busy--;
	pthread_cond_signal(&slots_cond);
	pthread_mutex_unlock(&slots_lock);
}

static int scrypt_limited(unsigned char *out, size_t outlen, const char *password,
			  const unsigned char *salt, size_t saltlen, uint64_t n, uint32_t r,
			  uint32_t p)
{
	int rc = slot_take();

	if (rc != MO_OK)
		return rc;
	rc = scrypt(out, outlen, password, salt, saltlen, n, r, p);
	slot_give();
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
	if ((rc = scrypt_limited(hash, sizeof(hash), password, salt, sizeof(salt), SCRYPT_N,
				 SCRYPT_R, SCRYPT_P)) != MO_OK) {
		mo_err_set(err, rc, rc == MO_EBUSY ? "busy" : NULL,
			   rc == MO_EBUSY ? "the hub is busy; try again" : "scrypt failed");
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
	int k = 0, rc = MO_EAUTH, src;

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
	if ((src = scrypt_limited(got, want.len, password, salt.data, salt.len, (uint64_t)n,
				  (uint32_t)r, (uint32_t)pp)) != MO_OK) {
		rc = src == MO_EBUSY ? MO_EBUSY : MO_EAUTH;
		goto done;
	}
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
	char hash[256];
	size_t len = strlen(login);
	int rc;

	if (!role_known(role))
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

bool hub_password_weak(const char *stored)
{
	long long n = 0, r = 0;
	const char *p;

	/* "scrypt$N$r$..." */
	if (strncmp(stored, "scrypt$", 7) != 0)
		return true;
	p = stored + 7;
	{
		char num[16];
		size_t i = 0;

		while (p[i] && p[i] != '$' && i < sizeof(num) - 1) {
			num[i] = p[i];
			i++;
		}
		num[i] = '\0';
		if (p[i] != '$' || !mo_parse_i64(&n, num, 1, 1LL << 40))
			return true;
		p += i + 1;
		i = 0;
		while (p[i] && p[i] != '$' && i < sizeof(num) - 1) {
			num[i] = p[i];
			i++;
		}
		num[i] = '\0';
		if (!mo_parse_i64(&r, num, 1, 1LL << 20))
			return true;
	}
	return n < (long long)SCRYPT_N || r < (long long)SCRYPT_R;
}

/* ---- account changes ---- */

int hub_user_change(struct hub *h, const char *actor, const char *login, enum hub_user_op op,
		    const char *value, struct mo_err *err)
{
	struct hub_user_change ch = {.disabled = -1};
	char hash[256] = "", now[32], role[32];
	const char *action = NULL, *detail = NULL;
	bool disabled = false;
	long long admins = 0;
	int rc;

	switch (op) {
	case HUB_USER_DISABLE:
		ch.disabled = 1;
		ch.end_sessions = true;
		action = "user.disable";
		break;
	case HUB_USER_ENABLE:
		ch.disabled = 0;
		action = "user.enable";
		break;
	case HUB_USER_PASSWORD:
		if (value == NULL)
			return mo_err_set(err, MO_EINVAL, "bad_request", "a new password is needed");
		if ((rc = hub_password_hash(hash, sizeof(hash), value, err)) != MO_OK) {
			if (rc == MO_EINVAL)
				mo_strlcpy(err->code, "bad_request", sizeof(err->code));
			return rc;
		}
		mo_iso8601(now, sizeof(now), mo_now_ms(), true);
		ch.hash = hash;
		ch.changed_at = now;
		ch.end_sessions = true;
		action = "user.password";
		break;
	case HUB_USER_ROLE:
		if (!role_known(value))
			return mo_err_set(err, MO_EINVAL, "bad_request",
					  "role '%s' is not one of reviewer, supervisor, admin",
					  value ? value : "");
		ch.role = value;
		action = "user.role";
		detail = value;
		break;
	default: return mo_err_set(err, MO_EINVAL, NULL, "unknown account change");
	}
	if ((rc = hub_store_begin(h->store, err)) != MO_OK)
		goto out;
	if ((rc = hub_store_user_state(h->store, login, role, sizeof(role), &disabled, err)) !=
		MO_OK ||
	    (rc = hub_store_user_update(h->store, login, &ch, err)) != MO_OK ||
	    (rc = hub_store_admins_active(h->store, &admins, err)) != MO_OK)
		goto fail;
	/* nobody could administer the hub any more: refuse, change nothing */
	if (admins == 0) {
		rc = mo_err_set(err, MO_ECONFLICT, "last_admin",
				"this is the last active admin; add or enable another first");
		goto fail;
	}
	if ((rc = hub_store_audit_add(h->store, actor ? actor : "admin", action, login, detail,
				      err)) != MO_OK)
		goto fail;
	rc = hub_store_commit(h->store, err);
	goto out;
fail:
	hub_store_rollback(h->store);
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

int hub_user_rehash(struct hub *h, const char *login, const char *password, struct mo_err *err)
{
	struct hub_user_change ch = {.disabled = -1};
	char hash[256];
	int rc;

	if ((rc = hub_password_hash(hash, sizeof(hash), password, err)) != MO_OK)
		return rc;
	ch.hash = hash;
	rc = hub_store_user_update(h->store, login, &ch, err);
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}
