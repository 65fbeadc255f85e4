/* test_keys.c — Ed25519 keys: generate, save, load, id, sign, verify (keys.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/pem.h>

#include "keys.h"
#include "mo_util.h"

struct tmp {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/mo-test-keys-XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/device.key", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;
	char p[160];

	remove(t->path);
	snprintf(p, sizeof(p), "%s/ec.key", t->dir);
	remove(p);
	snprintf(p, sizeof(p), "%s/junk.key", t->dir);
	remove(p);
	rmdir(t->dir);
	free(t);
	return 0;
}

static void test_roundtrip(void **state)
{
	struct tmp *t = *state;
	struct mo_err err = MO_ERR_INIT;
	EVP_PKEY *k = NULL, *k2 = NULL, *k3 = NULL;
	unsigned char pub[PROTO_PUBKEY_LEN], pub2[PROTO_PUBKEY_LEN];
	char id[PROTO_ID_LEN], id2[PROTO_ID_LEN];
	struct stat st;

	assert_int_equal(proto_key_generate(&k, &err), MO_OK);
	assert_int_equal(proto_key_save(k, t->path, &err), MO_OK);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* never overwritten: a second save fails and leaves the first key */
	assert_int_equal(proto_key_generate(&k3, &err), MO_OK);
	assert_int_equal(proto_key_save(k3, t->path, &err), MO_EEXISTS);
	assert_int_equal(err.rc, MO_EEXISTS);
	assert_int_equal(proto_key_load(&k2, t->path, &err), MO_OK);
	assert_int_equal(proto_key_public_raw(pub, k, &err), MO_OK);
	assert_int_equal(proto_key_public_raw(pub2, k2, &err), MO_OK);
	assert_memory_equal(pub, pub2, sizeof(pub));
	proto_key_id(id, pub);
	proto_key_id(id2, pub2);
	assert_int_equal(strlen(id), 32);
	assert_string_equal(id, id2);
	assert_int_equal(proto_key_public_raw(pub2, k3, &err), MO_OK);
	assert_memory_not_equal(pub, pub2, sizeof(pub));
	EVP_PKEY_free(k);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(k3);
}

static void test_load_refuses(void **state)
{
	struct tmp *t = *state;
	struct mo_err err = MO_ERR_INIT;
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), *k = NULL;
	char p[160];
	FILE *f;

	assert_non_null(ec);
	snprintf(p, sizeof(p), "%s/ec.key", t->dir);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, ec, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	assert_int_equal(proto_key_load(&k, p, &err), MO_EINVAL);
	assert_null(k);
	/* saved through proto_key_save, an EC key is still refused on load */
	assert_int_equal(proto_key_save(ec, t->path, &err), MO_OK);
	assert_int_equal(proto_key_load(&k, t->path, &err), MO_EINVAL);
	assert_null(k);
	remove(t->path);
	EVP_PKEY_free(ec);

	snprintf(p, sizeof(p), "%s/junk.key", t->dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n", f);
	fclose(f);
	assert_int_not_equal(proto_key_load(&k, p, &err), MO_OK);
	assert_null(k);
	snprintf(p, sizeof(p), "%s/missing.key", t->dir);
	assert_int_equal(proto_key_load(&k, p, &err), MO_ENOTFOUND);
	snprintf(p, sizeof(p), "%s/nodir/x.key", t->dir);
	assert_int_equal(proto_key_generate(&k, &err), MO_OK);
	assert_int_equal(proto_key_save(k, p, &err), MO_EIO);
	EVP_PKEY_free(k);
}

static void test_sign_verify(void **state)
{
	struct mo_err err = MO_ERR_INIT;
	EVP_PKEY *k = NULL, *other = NULL;
	unsigned char pub[PROTO_PUBKEY_LEN], opub[PROTO_PUBKEY_LEN], sig[PROTO_SIG_LEN];
	unsigned char msg[] = "mobile-office test message";

	(void)state;
	assert_int_equal(proto_key_generate(&k, &err), MO_OK);
	assert_int_equal(proto_key_generate(&other, &err), MO_OK);
	assert_int_equal(proto_key_public_raw(pub, k, &err), MO_OK);
	assert_int_equal(proto_key_public_raw(opub, other, &err), MO_OK);
	assert_int_equal(proto_sign(sig, k, msg, sizeof(msg), &err), MO_OK);
	assert_int_equal(proto_verify(pub, msg, sizeof(msg), sig), MO_OK);
	assert_int_equal(proto_verify(opub, msg, sizeof(msg), sig), MO_EAUTH);
	assert_int_equal(proto_verify(pub, msg, sizeof(msg) - 1, sig), MO_EAUTH);
	msg[0] ^= 1;
	assert_int_equal(proto_verify(pub, msg, sizeof(msg), sig), MO_EAUTH);
	msg[0] ^= 1;
	for (size_t i = 0; i < PROTO_SIG_LEN; i += 9) {
		sig[i] ^= 0x80;
		assert_int_equal(proto_verify(pub, msg, sizeof(msg), sig), MO_EAUTH);
		sig[i] ^= 0x80;
	}
	assert_int_equal(proto_verify(pub, msg, sizeof(msg), sig), MO_OK);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}

/* RFC 8032 §7.1, TEST 1 and TEST 2 */
static void test_rfc8032(void **state)
{
	static const char *sk[] = {
		"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"};
	static const char *pk[] = {
		"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
		"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"};
	static const char *sg[] = {
		"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb88215"
		"90a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
		"92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e4"
		"3e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"};
	static const unsigned char msg2[] = {0x72};
	struct mo_err err = MO_ERR_INIT;

	(void)state;
	for (int i = 0; i < 2; i++) {
		unsigned char s[32], p[32], want[64], sig[64], pub[32];
		EVP_PKEY *k;

		assert_int_equal(mo_hex_decode(s, 32, sk[i]), MO_OK);
		assert_int_equal(mo_hex_decode(p, 32, pk[i]), MO_OK);
		assert_int_equal(mo_hex_decode(want, 64, sg[i]), MO_OK);
		k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, s, 32);
		assert_non_null(k);
		assert_int_equal(proto_key_public_raw(pub, k, &err), MO_OK);
		assert_memory_equal(pub, p, 32);
		assert_int_equal(proto_sign(sig, k, msg2, i, &err), MO_OK);
		assert_memory_equal(sig, want, 64);
		assert_int_equal(proto_verify(p, msg2, (size_t)i, want), MO_OK);
		EVP_PKEY_free(k);
	}
}

static void test_key_id(void **state)
{
	unsigned char zero[PROTO_PUBKEY_LEN] = {0};
	char id[PROTO_ID_LEN];

	(void)state;
	/* SHA-256 of 32 zero bytes is 66687aad f862bd77 6c8fc18b 8e9f8e20 ... */
	proto_key_id(id, zero);
	assert_string_equal(id, "66687aadf862bd776c8fc18b8e9f8e20");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses, setup, teardown),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_rfc8032),
		cmocka_unit_test(test_key_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
