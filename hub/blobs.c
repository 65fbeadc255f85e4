/*
 * blobs.c — HEAD / PUT /v1/blobs/<sha256>: attachments, content-addressed,
 * uploaded in chunks and resumable (DESIGN.md §4 "Attachments", TEAM.md).
 *
 * A blob in progress is DATA/blobs/partial/<device>.<sha256>; each chunk must start
 * at the bytes held, is appended and fsync'd.  When the last byte arrives
 * the whole file is hashed: a match is renamed to DATA/blobs/<sha256> (and
 * the directory fsync'd), a mismatch is discarded (422 digest_mismatch).
 * Requests are signed by the device over proto_blob_signed_text() (with a
 * nonce the hub remembers and the hub's id).  Ownership: DATA/blobs holds each
 * file once, blob_uploads (store) says which device of which unit sent and
 * verified it; a unit sees and may name only blobs it uploaded itself.
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

/* device known → signature → active → time → nonce unused, like a sync request */
static int authenticate(struct hub *h, const struct hub_blob_req *r, struct hub_device *dev,
			struct mo_err *err)
{
	struct mo_buf msg = MO_BUF_INIT(1024), sig = MO_BUF_INIT(128);
	long long t;
	uint64_t now = mo_now_ms();
	int rc;

	if (r->device == NULL || r->time == NULL || r->signature == NULL || r->nonce == NULL)
		return mo_err_set(err, MO_EAUTH, "bad_signature",
				  "X-MO-Device, X-MO-Time, X-MO-Nonce and X-MO-Signature are required");
	rc = hub_store_device_get(h->store, r->device, dev, err);
	if (rc == MO_ENOTFOUND || (rc == MO_OK && strcmp(dev->id, r->device) != 0))
		return mo_err_set(err, MO_EAUTH, "unknown_device", "device %s is not enrolled here",
				  r->device);
	if (rc != MO_OK)
		return rc;
	if (proto_blob_signed_text(&msg, r->method, r->sha256, r->range, r->time, r->nonce, h->id,
				   r->body, r->len) != MO_OK) {
		rc = mo_err_set(err, MO_EAUTH, "bad_signature",
				"X-MO-Nonce must be 16-64 lowercase hex digits; signed headers "
				"must be short and on one line");
		goto done;
	}
	if (mo_base64_decode(&sig, r->signature, strlen(r->signature)) != MO_OK ||
	    sig.len != PROTO_SIG_LEN ||
	    proto_verify(dev->pub, msg.data, msg.len, sig.data) != MO_OK) {
		rc =
		    mo_err_set(err, MO_EAUTH, "bad_signature", "blob request signature is invalid");
		goto done;
	}
	if (!dev->active) {
		rc = mo_err_set(err, MO_EFORBIDDEN, "device_revoked", "device %s was revoked",
				dev->code);
		goto done;
	}
	if (!mo_parse_i64(&t, r->time, 0, INT64_MAX / 2) || llabs(t - (long long)now) > SKEW_MS) {
		rc = mo_err_set(err, MO_EINVAL, "clock_skew",
				"X-MO-Time is more than 24 h away from the hub clock");
		goto done;
	}
	/* only signed requests reach the nonce table; a nonce is kept while its
	 * time is still inside the window, after that the time check refuses it */
	rc = hub_store_nonce_take(h->store, dev->id, r->nonce, now, (uint64_t)t + SKEW_MS, err);
	if (rc == MO_EEXISTS)
		rc = mo_err_set(err, MO_EAUTH, "bad_signature",
				"this blob request was already received (a replay)");
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

static long long setting(long long v, long long dflt)
{
	return v > 0 ? v : dflt;
}

/* DATA/blobs/<sha256> and this device's upload in progress */
static int blob_paths(const struct hub *h, const char *device, const char *sha256,
		      char final[HUB_PATH_MAX], char partial[HUB_PATH_MAX], struct mo_err *err)
{
	if ((size_t)snprintf(final, HUB_PATH_MAX, "%s/blobs/%s", h->data, sha256) >=
		HUB_PATH_MAX ||
	    (size_t)snprintf(partial, HUB_PATH_MAX, "%s/blobs/partial/%s.%s", h->data, device,
			     sha256) >= HUB_PATH_MAX)
		return mo_err_set(err, MO_EINVAL, NULL, "data directory path is too long");
	return MO_OK;
}

/*
 * Uploads in progress and blobs no attachment names, untouched for the
 * expiry time, are dropped (a few per call, at most once a minute): a
 * laptop that never finishes, or uploads and never refers, cannot keep
 * disk.  The file of a complete blob goes only when nothing else uses it.
 */
static void sweep_locked(struct hub *h, uint64_t now)
{
	uint64_t expiry = (uint64_t)setting((long long)h->blob_expiry_ms, HUB_BLOB_EXPIRY_MS);
	struct hub_blob_ref old[32];
	struct mo_err err = MO_ERR_INIT;
	size_t n = 0;

	if (h->blob_swept_ms && now - h->blob_swept_ms < 60000 && expiry >= 60000)
		return;
	h->blob_swept_ms = now;
	if (now < expiry ||
	    hub_store_blob_expired(h->store, now - expiry, old, 32, &n, &err) != MO_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		char final[HUB_PATH_MAX], partial[HUB_PATH_MAX];
		bool unused = false;

		if (blob_paths(h, old[i].device, old[i].sha256, final, partial, &err) != MO_OK ||
		    hub_store_blob_forget(h->store, old[i].sha256, old[i].device, &unused, &err) !=
			MO_OK)
			continue;
		if (old[i].partial)
			(void)unlink(partial);
		else if (unused)
			(void)unlink(final);
		hub_metrics_rejected(&h->metrics, "blob_expired");
	}
}

/*
 * A chunk of dev's upload.  The unit may use a blob only once one of its
 * devices sent all its bytes and they hashed right: a laptop that knows
 * only a sha256 learns nothing and gains nothing (dedupe after verify).
 */
static int put_locked(struct hub *h, const struct hub_device *dev, const struct hub_blob_req *r,
		      const char *final, const char *partial, struct hub_blob_res *res,
		      struct mo_err *err)
{
	long long s, e, t, held, count, bytes;
	long long qbytes = setting(h->blob_quota_bytes, HUB_BLOB_QUOTA_BYTES);
	long long qcount = setting(h->blob_quota_count, HUB_BLOB_QUOTA_COUNT);
	struct hub_blob_state bs;
	char got[MO_SHA256_HEX], dir[HUB_PATH_MAX];
	uint64_t now = mo_now_ms();
	int rc;

	if ((rc = hub_store_blob_state(h->store, r->sha256, dev->unit, dev->id, &bs, err)) != MO_OK)
		return rc;
	if (bs.unit_has && (held = file_size(final)) >= 0) {
		res->status = 200; /* the unit has it: stored once */
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
	if ((rc = hub_store_blob_usage(h->store, dev->id, r->sha256, &count, &bytes, err)) != MO_OK)
		return rc;
	if (count + 1 > qcount || bytes + t > qbytes)
		return mo_err_set(err, MO_EFULL, "over_quota",
				  "this laptop already holds %lld documents (%lld MiB) at the hub that "
				  "no application names yet; the limit is %lld (%lld MiB)",
				  count, bytes >> 20, qcount, qbytes >> 20);
	if ((rc = append_chunk(partial, r->body, r->len, err)) != MO_OK)
		return rc;
	res->offset = e + 1;
	res->status = 200;
	if (e + 1 < t)
		return hub_store_blob_progress(h->store, r->sha256, dev->id, dev->unit, false, e + 1,
					       t, now, err);
	if (hash_file(partial, got) != MO_OK)
		return mo_err_set(err, MO_EIO, NULL, "cannot read '%s'", partial);
	if (strcmp(got, r->sha256) != 0 || file_size(partial) != t) {
		bool unused;

		unlink(partial);
		res->offset = 0;
		if ((rc = hub_store_blob_forget(h->store, r->sha256, dev->id, &unused, err)) != MO_OK)
			return rc;
		return mo_err_set(err, MO_EDIGEST, "digest_mismatch",
				  "the uploaded bytes do not hash to %s", r->sha256);
	}
	if (file_size(final) >= 0) {
		(void)unlink(partial); /* verified: the same bytes are stored once */
	} else {
		if (rename(partial, final) != 0)
			return mo_err_set(err, MO_EIO, NULL, "cannot store '%s': %s", final,
					  strerror(errno));
		if ((size_t)snprintf(dir, sizeof(dir), "%s/blobs", h->data) >= sizeof(dir) ||
		    fsync_dir(dir) != MO_OK)
			return mo_err_set(err, MO_EIO, NULL, "cannot sync '%s'", dir);
	}
	if ((rc = hub_store_blob_progress(h->store, r->sha256, dev->id, dev->unit, true, t, t, now,
					  err)) != MO_OK)
		return rc;
	res->status = 201;
	res->complete = true;
	return MO_OK;
}

int hub_blob(struct hub *h, const struct hub_blob_req *r, struct hub_blob_res *res,
	     struct mo_err *err)
{
	char final[HUB_PATH_MAX], partial[HUB_PATH_MAX];
	struct hub_device dev;
	struct hub_blob_state bs;
	long long held;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!is_sha256_hex(r->sha256))
		return mo_err_set(err, MO_EINVAL, "bad_envelope",
				  "a blob is named by 64 lowercase hex digits");
	if ((rc = authenticate(h, r, &dev, err)) != MO_OK)
		return rc;
	if ((rc = blob_paths(h, dev.id, r->sha256, final, partial, err)) != MO_OK)
		return rc;
	pthread_mutex_lock(&h->blob_lock);
	if (strcmp(r->method, "HEAD") == 0) {
		/* what this unit holds; another unit's blob answers as unknown */
		res->status = 200;
		rc = hub_store_blob_state(h->store, r->sha256, dev.unit, dev.id, &bs, err);
		if (rc == MO_OK && bs.unit_has && (held = file_size(final)) >= 0) {
			res->offset = held;
			res->complete = true;
		} else if (rc == MO_OK) {
			held = file_size(partial);
			res->offset = held > 0 ? held : 0;
		}
	} else {
		sweep_locked(h, mo_now_ms());
		rc = put_locked(h, &dev, r, final, partial, res, err);
	}
	pthread_mutex_unlock(&h->blob_lock);
	return rc;
}
