/*
 * blobs.c — HEAD / PUT /v1/blobs/<sha256>: attachments, content-addressed,
 * uploaded in chunks and resumable (DESIGN.md §4 "Attachments", TEAM.md).
 *
 * A blob in progress is DATA/blobs/partial/<sha256>; each chunk must start
 * at the bytes held, is appended and fsync'd.  When the last byte arrives
 * the whole file is hashed: a match is renamed to DATA/blobs/<sha256> (and
 * the directory fsync'd), a mismatch is discarded (422 digest_mismatch).
 * Requests are signed by the device over
 *   "mobile-office/v1\0blob\n<METHOD>\n<sha256>\n<Content-Range>\n<time>\n<sha256(body)>"
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "envelope.h"
#include "hub.h"
#include "mo_util.h"

#define BLOB_MAX (64ll << 20)
#define CHUNK_MAX (1ll << 20)
#define SKEW_MS (24ll * 3600 * 1000)

static bool is_sha256_hex(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 64;
}

/* device known → signature → active → time, like a sync request */
static int authenticate(struct hub *h, const struct hub_blob_req *r, struct mo_err *err)
{
	struct hub_device dev;
	struct mo_buf msg = MO_BUF_INIT(1024), sig = MO_BUF_INIT(128);
	char body_hash[MO_SHA256_HEX];
	long long t;
	int rc;

	if (r->device == NULL || r->time == NULL || r->signature == NULL)
		return mo_err_set(err, MO_EAUTH, "bad_signature",
				  "X-MO-Device, X-MO-Time and X-MO-Signature are required");
	rc = hub_store_device_get(h->store, r->device, &dev, err);
	if (rc == MO_ENOTFOUND || (rc == MO_OK && strcmp(dev.id, r->device) != 0))
		return mo_err_set(err, MO_EAUTH, "unknown_device", "device %s is not enrolled here",
				  r->device);
	if (rc != MO_OK)
		return rc;
	mo_sha256_hex(body_hash, r->body ? r->body : "", r->len);
	if (mo_buf_adds(&msg, PROTO_DOMAIN) != MO_OK || mo_buf_addc(&msg, 0) != MO_OK ||
	    mo_buf_addf(&msg, "blob\n%s\n%s\n%s\n%s\n%s", r->method, r->sha256,
			r->range ? r->range : "", r->time, body_hash) != MO_OK) {
		rc = mo_err_set(err, MO_ETOOBIG, "bad_signature", "signed headers are too long");
		goto done;
	}
	if (mo_base64_decode(&sig, r->signature, strlen(r->signature)) != MO_OK ||
	    sig.len != PROTO_SIG_LEN ||
	    proto_verify(dev.pub, msg.data, msg.len, sig.data) != MO_OK) {
		rc =
		    mo_err_set(err, MO_EAUTH, "bad_signature", "blob request signature is invalid");
		goto done;
	}
	if (!dev.active) {
		rc = mo_err_set(err, MO_EFORBIDDEN, "device_revoked", "device %s was revoked",
				dev.code);
		goto done;
	}
	if (!mo_parse_i64(&t, r->time, 0, INT64_MAX / 2) ||
	    llabs(t - (long long)mo_now_ms()) > SKEW_MS) {
		rc = mo_err_set(err, MO_EINVAL, "clock_skew",
				"X-MO-Time is more than 24 h away from the hub clock");
		goto done;
	}
	rc = MO_OK;
done:
	mo_buf_release(&msg);
	mo_buf_release(&sig);
	return rc;
}

/* "bytes S-E/T" */
static bool parse_range(const char *s, long long *start, long long *end, long long *total)
{
	char a[24], b[24], c[24];
	const char *dash, *slash;
	size_t la, lb, lc;

	if (s == NULL || strncmp(s, "bytes ", 6) != 0)
		return false;
	s += 6;
	dash = strchr(s, '-');
	slash = dash ? strchr(dash, '/') : NULL;
	if (slash == NULL)
		return false;
	la = (size_t)(dash - s);
	lb = (size_t)(slash - dash - 1);
	lc = strlen(slash + 1);
	if (la == 0 || la >= sizeof(a) || lb == 0 || lb >= sizeof(b) || lc == 0 || lc >= sizeof(c))
		return false;
	memcpy(a, s, la);
	a[la] = '\0';
	memcpy(b, dash + 1, lb);
	b[lb] = '\0';
	memcpy(c, slash + 1, lc + 1);
	return mo_parse_i64(start, a, 0, INT64_MAX / 2) && mo_parse_i64(end, b, 0, INT64_MAX / 2) &&
	       mo_parse_i64(total, c, 1, INT64_MAX / 2) && *start <= *end && *end < *total;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	int rc = MO_OK;

	if (fd < 0)
		return MO_EIO;
	if (fsync(fd) != 0)
		rc = MO_EIO;
	close(fd);
	return rc;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* SHA-256 of a file, streamed */
static int hash_file(const char *path, char out[MO_SHA256_HEX])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[65536], md[32];
	unsigned int mdlen = 0;
	int fd = open(path, O_RDONLY), rc = MO_EIO;
	ssize_t n;

	if (fd < 0 || ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto done;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			goto done;
	if (n < 0 || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		goto done;
	mo_hex_encode(out, md, sizeof(md));
	rc = MO_OK;
done:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int append_chunk(const char *path, const void *p, size_t n, struct mo_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	const unsigned char *b = p;
	int rc = MO_OK;

	if (fd < 0)
		return mo_err_set(err, MO_EIO, NULL, "cannot open '%s': %s", path, strerror(errno));
	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = mo_err_set(err, errno == ENOSPC ? MO_EFULL : MO_EIO, NULL,
					"cannot write '%s': %s", path, strerror(errno));
			break;
		}
		b += w;
		n -= (size_t)w;
	}
	if (rc == MO_OK && fsync(fd) != 0)
		rc = mo_err_set(err, MO_EIO, NULL, "cannot sync '%s': %s", path, strerror(errno));
	close(fd);
	return rc;
}

static int put_locked(struct hub *h, const struct hub_blob_req *r, const char *final,
		      const char *partial, struct hub_blob_res *res, struct mo_err *err)
{
	long long s, e, t, held;
	char got[MO_SHA256_HEX], dir[HUB_PATH_MAX];
	int rc;

	if ((held = file_size(final)) >= 0) {
		res->status = 200; /* already held: the same file is stored once */
		res->offset = held;
		res->complete = true;
		return MO_OK;
	}
	if (!parse_range(r->range, &s, &e, &t))
		return mo_err_set(err, MO_EINVAL, "bad_envelope",
				  "Content-Range must be 'bytes START-END/TOTAL'");
	if (t > BLOB_MAX || e - s + 1 > CHUNK_MAX)
		return mo_err_set(err, MO_ETOOBIG, "too_large",
				  "a blob is at most 64 MiB, a chunk at most 1 MiB");
	if ((long long)r->len != e - s + 1)
		return mo_err_set(err, MO_EINVAL, "bad_envelope",
				  "body has %zu bytes, Content-Range says %lld", r->len, e - s + 1);
	held = file_size(partial);
	if (held < 0)
		held = 0;
	res->offset = held;
	if (s != held)
		return mo_err_set(err, MO_ECONFLICT, "bad_offset",
				  "chunk starts at %lld, the hub holds %lld bytes", s, held);
	if ((rc = append_chunk(partial, r->body, r->len, err)) != MO_OK)
		return rc;
	res->offset = e + 1;
	res->status = 200;
	if (e + 1 < t)
		return MO_OK;
	if (hash_file(partial, got) != MO_OK)
		return mo_err_set(err, MO_EIO, NULL, "cannot read '%s'", partial);
	if (strcmp(got, r->sha256) != 0 || file_size(partial) != t) {
		unlink(partial);
		res->offset = 0;
		return mo_err_set(err, MO_EDIGEST, "digest_mismatch",
				  "the uploaded bytes do not hash to %s", r->sha256);
	}
	if (rename(partial, final) != 0)
		return mo_err_set(err, MO_EIO, NULL, "cannot store '%s': %s", final,
				  strerror(errno));
	if ((size_t)snprintf(dir, sizeof(dir), "%s/blobs", h->data) >= sizeof(dir) ||
	    fsync_dir(dir) != MO_OK)
		return mo_err_set(err, MO_EIO, NULL, "cannot sync '%s'", dir);
	res->status = 201;
	res->complete = true;
	return MO_OK;
}

int hub_blob(struct hub *h, const struct hub_blob_req *r, struct hub_blob_res *res,
	     struct mo_err *err)
{
	char final[HUB_PATH_MAX], partial[HUB_PATH_MAX];
	long long held;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!is_sha256_hex(r->sha256))
		return mo_err_set(err, MO_EINVAL, "bad_envelope",
				  "a blob is named by 64 lowercase hex digits");
	if ((rc = authenticate(h, r, err)) != MO_OK)
		return rc;
	if ((size_t)snprintf(final, sizeof(final), "%s/blobs/%s", h->data, r->sha256) >=
		sizeof(final) ||
	    (size_t)snprintf(partial, sizeof(partial), "%s/blobs/partial/%s", h->data, r->sha256) >=
		sizeof(partial))
		return mo_err_set(err, MO_EINVAL, NULL, "data directory path is too long");
	pthread_mutex_lock(&h->blob_lock);
	if (strcmp(r->method, "HEAD") == 0) {
		res->status = 200;
		if ((held = file_size(final)) >= 0) {
			res->offset = held;
			res->complete = true;
		} else {
			held = file_size(partial);
			res->offset = held > 0 ? held : 0;
		}
		rc = MO_OK;
	} else {
		rc = put_locked(h, r, final, partial, res, err);
	}
	pthread_mutex_unlock(&h->blob_lock);
	return rc;
}
