/* operator.c — operators' PINs: scrypt hashes and the wrong-PIN wait (operator.h). */
#include "operator.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "mo_util.h"

/* scrypt with N = 2^15, r = 8, p = 1: 32 MiB and ~0.1 s per check on a laptop */
#define PIN_LOG2N 15
#define PIN_R 8
#define PIN_P 1
#define PIN_SALT 16
#define PIN_KEY 32
#define PIN_MAXMEM (64u << 20)
#define WAIT_FIRST_MS 5000LL
#define WAIT_MAX_MS (15LL * 60 * 1000)

int agent_pin_format_check(const char *pin, struct mo_err *err)
{
	size_t n = pin ? strlen(pin) : 0;

	if (n < AGENT_PIN_MIN || n > AGENT_PIN_MAX)
		return mo_err_set(err, MO_EINVAL, "bad_pin_format", "pin");
	for (size_t i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return mo_err_set(err, MO_EINVAL, "bad_pin_format", "pin");
	return MO_OK;
}

static int derive(unsigned char key[PIN_KEY], const char *pin, const unsigned char *salt,
		  unsigned log2n, unsigned r, unsigned p, struct mo_err *err)
{
	if (EVP_PBE_scrypt(pin, strlen(pin), salt, PIN_SALT, (uint64_t)1 << log2n, r, p, PIN_MAXMEM,
			   key, PIN_KEY) != 1)
		return mo_err_set(err, MO_ENOMEM, "scrypt", "cannot hash the PIN");
	return MO_OK;
}

int agent_operator_set_pin(struct agent_store *s, const char *name, const char *pin,
			   struct mo_err *err)
{
	unsigned char salt[PIN_SALT], key[PIN_KEY];
	char salt_hex[2 * PIN_SALT + 1], key_hex[2 * PIN_KEY + 1], hash[256];
	int rc;

	if ((rc = agent_pin_format_check(pin, err)) != MO_OK)
		return rc;
	if (!agent_store_operator_exists(s, name))
		return mo_err_set(err, MO_ENOTFOUND, "unknown_operator", "%s", name);
	if (mo_random(salt, sizeof(salt)) != MO_OK)
		return mo_err_set(err, MO_ERROR, "random", "no randomness");
	if ((rc = derive(key, pin, salt, PIN_LOG2N, PIN_R, PIN_P, err)) != MO_OK)
		return rc;
	mo_hex_encode(salt_hex, salt, sizeof(salt));
	mo_hex_encode(key_hex, key, sizeof(key));
	snprintf(hash, sizeof(hash), "scrypt$%u$%u$%u$%s$%s", PIN_LOG2N, PIN_R, PIN_P, salt_hex,
		 key_hex);
	rc = agent_store_operator_pin_set(s, name, hash, err);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(key_hex, sizeof(key_hex));
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

long long agent_pin_wait_ms(long long failures)
{
	long long w = WAIT_FIRST_MS;

	if (failures < 3)
		return 0;
	for (long long i = 3; i < failures && w < WAIT_MAX_MS; i++)
		w *= 2;
	return w < WAIT_MAX_MS ? w : WAIT_MAX_MS;
}

/* does pin match "scrypt$LOG2N$R$P$SALT$KEY"; false for a malformed hash */
static bool pin_matches(const char *stored, const char *pin, struct mo_err *err)
{
	unsigned log2n, r, p;
	char salt_hex[2 * PIN_SALT + 1], key_hex[2 * PIN_KEY + 1];
	unsigned char salt[PIN_SALT], want[PIN_KEY], got[PIN_KEY];
	bool ok = false;

	if (sscanf(stored, "scrypt$%2u$%2u$%2u$%32[0-9a-f]$%64[0-9a-f]", &log2n, &r, &p, salt_hex,
		   key_hex) != 5 ||
	    strlen(salt_hex) != 2 * PIN_SALT || strlen(key_hex) != 2 * PIN_KEY || log2n < 10 ||
	    log2n > 20 || r < 1 || r > 16 || p < 1 || p > 4 ||
	    mo_hex_decode(salt, sizeof(salt), salt_hex) != MO_OK ||
	    mo_hex_decode(want, sizeof(want), key_hex) != MO_OK)
		return false;
	if (derive(got, pin, salt, log2n, r, p, err) == MO_OK)
		ok = CRYPTO_memcmp(got, want, PIN_KEY) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

int agent_operator_check_pin(struct agent_store *s, const char *name, const char *pin,
			     uint64_t now_ms, struct mo_err *err)
{
	struct agent_operator_pin st;
	struct mo_err ignore = MO_ERR_INIT;
	bool ok;
	int rc;

	if ((rc = agent_store_begin(s, err)) != MO_OK)
		return rc;
	rc = agent_store_operator_pin_get(s, name, &st, err);
	if (rc == MO_ENOTFOUND) {
		rc = mo_err_set(err, MO_EAUTH, "bad_pin", "wrong name or PIN");
		goto rollback;
	}
	if (rc != MO_OK)
		goto rollback;
	if (st.hash[0] == '\0') {
		rc = mo_err_set(err, MO_EAUTH, "no_pin", "%s", name);
		goto rollback;
	}
	if ((long long)now_ms < st.wait_until_ms) {
		rc = mo_err_set(err, MO_EAUTH, "rate_limited", "%lld",
				(st.wait_until_ms - (long long)now_ms + 999) / 1000);
		goto rollback;
	}
	ok = agent_pin_format_check(pin, &ignore) == MO_OK && pin_matches(st.hash, pin, &ignore);
	OPENSSL_cleanse(st.hash, sizeof(st.hash));
	if (ok) {
		rc = st.failures ? agent_store_operator_pin_count(s, name, 0, 0, err) : MO_OK;
	} else {
		long long f = st.failures + 1, w = agent_pin_wait_ms(f);

		rc = agent_store_operator_pin_count(s, name, f, w ? (long long)now_ms + w : 0, err);
		if (rc == MO_OK)
			rc = mo_err_set(err, MO_EAUTH, "bad_pin", "wrong name or PIN");
	}
	if (rc == MO_OK || rc == MO_EAUTH) {
		struct mo_err cerr = MO_ERR_INIT;
		int crc = agent_store_commit(s, &cerr);

		if (crc != MO_OK) {
			*err = cerr;
			return crc;
		}
		return rc;
	}
rollback:
	agent_store_rollback(s);
	return rc;
}
