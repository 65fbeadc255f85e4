/* keys.c — Ed25519 identities: generate, save/load PEM, id, sign, verify (keys.h). */
#include "keys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "mo_util.h"

/* a PEM Ed25519 key is ~120 bytes; anything much larger is not one */
#define KEY_FILE_MAX (64u * 1024)

int proto_key_generate(EVP_PKEY **out, struct mo_err *err)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	*out = NULL;
	if (k == NULL)
		return mo_err_set(err, MO_ERROR, NULL, "cannot generate an Ed25519 key: %s",
				  ERR_reason_error_string(ERR_get_error()));
	*out = k;
	return MO_OK;
}

/* create path exclusively with mode 0600 (owner read/write only) */
static int open_exclusive(const char *path)
{
#ifdef _WIN32
	return _open(path, _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY, _S_IREAD | _S_IWRITE);
#else
	return open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
#endif
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
#ifdef _WIN32
		int w = _write(fd, p, n > 0x10000 ? 0x10000u : (unsigned)n);
#else
		ssize_t w = write(fd, p, n);
#endif
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int close_fd(int fd)
{
#ifdef _WIN32
	return _close(fd);
#else
	return close(fd);
#endif
}

/*
 * The PEM text goes through a memory BIO and plain write() rather than
 * PEM_write_PrivateKey(FILE *): handing a FILE * across DLL boundaries breaks
 * on Windows (OpenSSL applink), and this way the secret copy can be wiped.
 */
int proto_key_save(const EVP_PKEY *key, const char *path, struct mo_err *err)
{
	BIO *mem = NULL;
	char *pem = NULL;
	long n = 0;
	int fd = -1, rc = MO_OK;

	if ((mem = BIO_new(BIO_s_mem())) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "cannot allocate a memory BIO");
		goto done;
	}
	if (!PEM_write_bio_PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL)) {
		rc = mo_err_set(err, MO_ERROR, NULL, "cannot encode the private key");
		goto done;
	}
	n = BIO_get_mem_data(mem, &pem);
	if (n <= 0) {
		rc = mo_err_set(err, MO_ERROR, NULL, "cannot encode the private key");
		goto done;
	}
	fd = open_exclusive(path);
	if (fd < 0) {
		if (errno == EEXIST)
			rc = mo_err_set(err, MO_EEXISTS, NULL,
					"refusing to overwrite the key file '%s'", path);
		else
			rc = mo_err_set(err, MO_EIO, NULL, "cannot create '%s': %s", path,
					strerror(errno));
		goto done;
	}
	if (write_all(fd, pem, (size_t)n) != 0) {
		rc = mo_err_set(err, MO_EIO, NULL, "cannot write '%s': %s", path,
				strerror(errno));
		close_fd(fd);
		fd = -1;
		remove(path); /* never leave a half-written key behind */
		goto done;
	}
#ifndef _WIN32
	if (fsync(fd) != 0) {
		rc = mo_err_set(err, MO_EIO, NULL, "cannot sync '%s': %s", path,
				strerror(errno));
		close_fd(fd);
		fd = -1;
		remove(path);
		goto done;
	}
#endif
	if (close_fd(fd) != 0) {
		fd = -1;
		rc = mo_err_set(err, MO_EIO, NULL, "cannot close '%s': %s", path,
				strerror(errno));
		remove(path);
		goto done;
	}
	fd = -1;
done:
	if (pem != NULL && n > 0)
		OPENSSL_cleanse(pem, (size_t)n);
	BIO_free(mem);
	return rc;
}

int proto_key_load(EVP_PKEY **out, const char *path, struct mo_err *err)
{
	struct mo_buf b = MO_BUF_INIT(KEY_FILE_MAX);
	BIO *mem = NULL;
	EVP_PKEY *k = NULL;
	int rc;

	*out = NULL;
	if ((rc = mo_file_read(&b, path, KEY_FILE_MAX, err)) != MO_OK)
		goto done;
	if (b.len > 0x7fffffff || (mem = BIO_new_mem_buf(b.data, (int)b.len)) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "cannot allocate a memory BIO");
		goto done;
	}
	k = PEM_read_bio_PrivateKey(mem, NULL, NULL, NULL);
	if (k == NULL) {
		rc = mo_err_set(err, MO_ECORRUPT, NULL, "'%s' holds no PEM private key", path);
		goto done;
	}
	if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
		rc = mo_err_set(err, MO_EINVAL, NULL, "'%s' is not an Ed25519 key", path);
		goto done;
	}
	*out = k;
	k = NULL; /* now owned by the caller */
done:
	EVP_PKEY_free(k);
	BIO_free(mem);
	if (b.data)
		OPENSSL_cleanse(b.data, b.cap);
	mo_buf_release(&b);
	ERR_clear_error();
	return rc;
}

int proto_key_public_raw(unsigned char out[PROTO_PUBKEY_LEN], const EVP_PKEY *key,
			 struct mo_err *err)
{
	size_t n = PROTO_PUBKEY_LEN;

	if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519 ||
	    !EVP_PKEY_get_raw_public_key(key, out, &n) || n != PROTO_PUBKEY_LEN)
		return mo_err_set(err, MO_EINVAL, NULL, "not an Ed25519 key");
	return MO_OK;
}

void proto_key_id(char out[PROTO_ID_LEN], const unsigned char pub[PROTO_PUBKEY_LEN])
{
	unsigned char d[MO_SHA256_LEN];

	mo_sha256(d, pub, PROTO_PUBKEY_LEN);
	mo_hex_encode(out, d, 16);
}

int proto_sign(unsigned char sig[PROTO_SIG_LEN], const EVP_PKEY *key, const void *msg,
	       size_t len, struct mo_err *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = PROTO_SIG_LEN;
	int rc = MO_OK;

	if (ctx == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "cannot allocate a signing context");
	/* Ed25519 is one-shot: no digest (NULL md), the whole message at once */
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, (EVP_PKEY *)key) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1 || siglen != PROTO_SIG_LEN) {
		rc = mo_err_set(err, MO_ERROR, NULL, "cannot sign: %s",
				ERR_reason_error_string(ERR_get_error()));
		ERR_clear_error();
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

int proto_verify(const unsigned char pub[PROTO_PUBKEY_LEN], const void *msg, size_t len,
		 const unsigned char sig[PROTO_SIG_LEN])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, PROTO_PUBKEY_LEN);
	EVP_MD_CTX *ctx = NULL;
	int rc = MO_EAUTH;

	if (k == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
		goto done;
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) == 1 &&
	    EVP_DigestVerify(ctx, sig, PROTO_SIG_LEN, msg, len) == 1)
		rc = MO_OK;
done:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	ERR_clear_error(); /* a refused signature leaves entries on the queue */
	return rc;
}
