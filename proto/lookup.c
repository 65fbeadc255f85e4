/* lookup.c — status codes of receipts and their scrypt checks (lookup.h). */
#include "lookup.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "mo_util.h"

static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; /* Crockford */
static const char PREFIX[] = "scrypt$14$8$1$";

#define SCRYPT_N (1u << 14)
#define SCRYPT_R 8u
#define SCRYPT_P 1u
#define SCRYPT_MAXMEM (32u << 20) /* 128 * r * N = 16 MiB, with room */
#define DK_LEN 32

int proto_lookup_code_new(char out[PROTO_LOOKUP_CODE_LEN])
{
	unsigned char r[PROTO_LOOKUP_SYMBOLS];
	size_t o = 0;

	out[0] = '\0';
	if (mo_random(r, sizeof(r)) != MO_OK)
		return MO_ERROR;
	for (size_t i = 0; i < sizeof(r); i++) {
		if (i == 4 || i == 8)
			out[o++] = '-';
		out[o++] = ALPHABET[r[i] & 31u]; /* 256 = 8 * 32: no bias */
	}
	out[o] = '\0';
	OPENSSL_cleanse(r, sizeof(r));
	return MO_OK;
}

bool proto_lookup_code_normalize(char out[PROTO_LOOKUP_SYMBOLS + 1], const char *typed)
{
	size_t n = 0;

	out[0] = '\0';
	for (const char *p = typed ? typed : ""; *p; p++) {
		char ch = *p;

		if (ch == '-' || ch == ' ')
			continue;
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch == 'O')
			ch = '0';
		else if (ch == 'I' || ch == 'L')
			ch = '1';
		if (ch == '\0' || strchr(ALPHABET, ch) == NULL || n == PROTO_LOOKUP_SYMBOLS) {
			out[0] = '\0';
			return false;
		}
		out[n++] = ch;
	}
	out[n] = '\0';
	if (n != PROTO_LOOKUP_SYMBOLS) {
		out[0] = '\0';
		return false;
	}
	return true;
}

static bool scrypt(unsigned char dk[DK_LEN], const char *number, const char *sym)
{
	return EVP_PBE_scrypt(sym, strlen(sym), (const unsigned char *)number, strlen(number),
			      SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_MAXMEM, dk, DK_LEN) == 1;
}

int proto_lookup_check_make(char out[PROTO_LOOKUP_CHECK_LEN], const char *number, const char *code,
			    struct mo_err *err)
{
	char sym[PROTO_LOOKUP_SYMBOLS + 1];
	unsigned char dk[DK_LEN];
	int rc = MO_OK;

	out[0] = '\0';
	if (number == NULL || *number == '\0' || !proto_lookup_code_normalize(sym, code))
		return mo_err_set(err, MO_EINVAL, "bad_value", "not a status code");
	if (!scrypt(dk, number, sym)) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "scrypt failed");
	} else {
		memcpy(out, PREFIX, sizeof(PREFIX) - 1);
		mo_hex_encode(out + sizeof(PREFIX) - 1, dk, DK_LEN);
	}
	OPENSSL_cleanse(sym, sizeof(sym));
	OPENSSL_cleanse(dk, sizeof(dk));
	return rc;
}

bool proto_lookup_check_valid(const char *s)
{
	if (s == NULL || strncmp(s, PREFIX, sizeof(PREFIX) - 1) != 0)
		return false;
	s += sizeof(PREFIX) - 1;
	for (size_t i = 0; i < 2 * DK_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[2 * DK_LEN] == '\0';
}

bool proto_lookup_check_verify(const char *check, const char *number, const char *typed)
{
	char sym[PROTO_LOOKUP_SYMBOLS + 1];
	unsigned char dk[DK_LEN], want[DK_LEN];
	bool ok = proto_lookup_code_normalize(sym, typed) && number && *number &&
		  proto_lookup_check_valid(check);

	if (ok)
		ok = mo_hex_decode(want, DK_LEN, check + sizeof(PREFIX) - 1) == MO_OK;
	if (!ok) {
		/* the same work for an unknown number or a bad code: a dummy hash */
		memset(want, 0, sizeof(want));
		mo_strlcpy(sym, "0000000000", sizeof(sym));
		number = "-";
	}
	ok = scrypt(dk, number, sym) && ok && CRYPTO_memcmp(dk, want, DK_LEN) == 0;
	OPENSSL_cleanse(sym, sizeof(sym));
	OPENSSL_cleanse(dk, sizeof(dk));
	return ok;
}
