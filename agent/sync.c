/* sync.c — enrolment, blob upload and batch exchange with the hub (sync.h). */
#include "sync.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "change.h"
#include "compress.h"
#include "envelope.h"
#include "hlc.h"
#include "i18n.h"
#include "json.h"
#include "keys.h"
#include "mo_util.h"
#include "platform.h"
#include "progress.h"
#include "visit.h"

#define RESPONSE_MAX PROTO_ENVELOPE_MAX
#define RETRY_MAX 5
#define AGENT_CA_MAX 16384

void agent_key_path(const struct agent_ctx *ctx, char *out, size_t len)
{
	snprintf(out, len, "%s/device.key", ctx->data_dir);
}

void agent_blob_path(const struct agent_ctx *ctx, const char *sha256, char *out, size_t len)
{
	snprintf(out, len, "%s/blobs/%s", ctx->data_dir, sha256);
}

/* ---- batches ---- */

int agent_batch_next(struct agent_store *s, const struct agent_identity *me, EVP_PKEY *key,
		     const struct agent_batch_opts *o, struct agent_batch *out, struct mo_err *err)
{
	struct mo_buf payload = MO_BUF_INIT(AGENT_BATCH_BYTES_MAX + (1u << 20));
	struct proto_seal_opts so = PROTO_SEAL_OPTS_INIT;
	struct proto_header h;
	long long last_seq;
	int rc;

	rc = agent_store_batch_pending(s, out, err);
	if (rc != MO_ENOTFOUND)
		return rc; /* a frozen batch: resend its exact bytes */
	if ((rc = agent_store_begin(s, err)) != MO_OK)
		return rc;
	memset(&h, 0, sizeof(h));
	if ((rc = agent_store_batch_last(s, &last_seq, out->prev, err)) != MO_OK ||
	    (rc = agent_store_outbox_collect(s, o->max_changes, o->max_bytes, &payload, &out->first,
					     &out->last, &out->count, err)) != MO_OK)
		goto done;
	if (out->count == 0) {
		rc = MO_ENOTFOUND;
		goto done;
	}
	out->seq = last_seq + 1;
	out->raw = (long long)payload.len;
	mo_strlcpy(h.hub, me->hub, sizeof(h.hub));
	mo_strlcpy(h.device, me->device, sizeof(h.device));
	h.seq = out->seq;
	mo_strlcpy(h.prev, out->prev, sizeof(h.prev));
	h.first = out->first;
	h.last = out->last;
	h.count = out->count;
	if ((rc = agent_store_hlc_next(s, &h.hlc, err)) != MO_OK)
		goto done;
	h.schema = PROTO_SCHEMA;
	if ((rc = agent_meta_get_i64_err(s, "cursor", 0, &h.cursor, err)) != MO_OK)
		goto done;
	so.kind = PROTO_KIND_UPLOAD;
	so.hdr = &h;
	so.payload = payload.data;
	so.payload_len = payload.len;
	so.level = o->level;
	so.dict_id = o->dict_id;
	so.key = key;
	mo_buf_reset(&out->envelope);
	if ((rc = proto_envelope_seal(&out->envelope, &so, err)) != MO_OK)
		goto done;
	proto_envelope_hash(out->hash, out->envelope.data, out->envelope.len);
	/* frozen before it is ever sent: a retry resends these bytes */
	if ((rc = agent_store_batch_freeze(s, out, err)) != MO_OK)
		goto done;
	rc = agent_store_commit(s, err);
done:
	if (rc != MO_OK)
		agent_store_rollback(s);
	mo_buf_release(&payload);
	return rc;
}

/* ---- HTTP ---- */

struct http_resp {
	long status;
	struct mo_buf body;
	char offset[32];
	char complete[8];
	char retry_after[16];
	bool too_big; /* the body passed its cap: the transfer was aborted */
};

struct sync {
	struct agent_ctx *ctx;
	struct agent_store *s;
	struct agent_identity me;
	EVP_PKEY *key;
	unsigned char hub_pub[PROTO_PUBKEY_LEN];
	CURL *curl;
	struct agent_progress bar;
	long long bar_base; /* raw bytes done before the current request */
	double bar_scale;   /* raw bytes per envelope byte of the current request */
	struct agent_sync_stats *stats;
	struct mo_err *err; /* where blob_upload (a store callback) reports */
	char ca[AGENT_CA_MAX]; /* pinned CA certificate(s), PEM; "" = system bundle */
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http_resp *r = arg;

	if (mo_buf_add(&r->body, p, size * n) != MO_OK) {
		r->too_big = true;
		return 0; /* past the cap: abort the transfer */
	}
	return size * n;
}

static bool header_is(const char *line, size_t len, const char *name, const char **value)
{
	size_t n = strlen(name);

	if (len <= n || line[n] != ':')
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = line[i], b = name[i];

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	*value = line + n + 1;
	return true;
}

static void copy_header(char *out, size_t outlen, const char *v, const char *end)
{
	size_t n = 0;

	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (v < end && *v != '\r' && *v != '\n' && n + 1 < outlen)
		out[n++] = *v++;
	out[n] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_resp *r = arg;
	size_t len = size * n;
	const char *v;

	if (header_is(p, len, "x-mo-offset", &v))
		copy_header(r->offset, sizeof(r->offset), v, p + len);
	else if (header_is(p, len, "x-mo-complete", &v))
		copy_header(r->complete, sizeof(r->complete), v, p + len);
	else if (header_is(p, len, "retry-after", &v))
		copy_header(r->retry_after, sizeof(r->retry_after), v, p + len);
	return len;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct sync *sy = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	if (sy->bar.on && sy->bar_scale > 0)
		agent_progress_set(&sy->bar,
				   sy->bar_base + (long long)((double)ulnow * sy->bar_scale));
	return 0;
}

/* ---- transport ---- */

/* 127.0.0.0/8, ::1 or localhost: traffic that never leaves the machine */
static bool host_is_loopback(const char *host)
{
	int dots = 0;

	if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
	    strcmp(host, "::1") == 0)
		return true;
	if (strncmp(host, "127.", 4) != 0)
		return false;
	for (const char *p = host; *p; p++) {
		if (*p == '.')
			dots++;
		else if (*p < '0' || *p > '9')
			return false;
	}
	return dots == 3;
}

/*
 * Personal data crosses a network only over TLS: https:// always, http://
 * only to this machine, or when the operator said --insecure-http.  Checked
 * before any connection is made.
 */
static int transport_check(const struct sync *sy, const char *url, struct mo_err *err)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	int rc = MO_OK;

	if ((u = curl_url()) == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = mo_err_set(err, MO_EINVAL, "bad_field", "--hub");
		goto done;
	}
	if (strcmp(scheme, "https") == 0)
		goto done;
	if (strcmp(scheme, "http") != 0)
		rc = mo_err_set(err, MO_EINVAL, "bad_field", "--hub");
	else if (!host_is_loopback(host) && !sy->ctx->insecure_http)
		rc = mo_err_set(err, MO_EINVAL, "insecure_http", "%s", host);
done:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

/* the pinned CA of enrolment (meta hub_ca), or the system bundle */
static void transport_load(struct sync *sy)
{
	if (agent_meta_get(sy->s, "hub_ca", sy->ca, sizeof(sy->ca)) != MO_OK)
		sy->ca[0] = '\0';
}

/* read enroll --ca-file: PEM certificates, small */
static int ca_file_read(struct sync *sy, const char *path, struct mo_err *err)
{
	struct mo_buf b = MO_BUF_INIT(AGENT_CA_MAX - 1);
	struct mo_err e2 = MO_ERR_INIT;
	int rc;

	if ((rc = mo_file_read(&b, path, AGENT_CA_MAX - 1, &e2)) != MO_OK) {
		rc = mo_err_set(err, MO_EINVAL, "ca_file", "%s", path);
	} else if (strstr(mo_buf_cstr(&b), "-----BEGIN CERTIFICATE-----") == NULL) {
		rc = mo_err_set(err, MO_EINVAL, "ca_file", "%s", path);
	} else {
		mo_strlcpy(sy->ca, mo_buf_cstr(&b), sizeof(sy->ca));
	}
	mo_buf_release(&b);
	return rc;
}

/*
 * One HTTP request.  MO_ENET when the hub cannot be reached (or answers
 * with a gateway error); otherwise MO_OK with r->status set.
 */
static int http_do(struct sync *sy, const char *method, const char *path, struct curl_slist *hdrs,
		   const void *body, size_t len, struct http_resp *r, struct mo_err *err)
{
	char url[1200], cerr[CURL_ERROR_SIZE] = "";
	CURL *c = sy->curl;
	CURLcode cc;

	snprintf(url, sizeof(url), "%s%s", sy->me.hub_url, path);
	if (transport_check(sy, url, err) != MO_OK)
		return err ? err->rc : MO_EINVAL;
	curl_easy_reset(c);
	mo_buf_reset(&r->body);
	r->status = 0;
	r->offset[0] = r->complete[0] = r->retry_after[0] = '\0';
	r->too_big = false;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 20L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mo-agent/0.1");
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, sy);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (sy->ca[0]) {
		/* the pinned authority only, not the system bundle as well */
		struct curl_blob blob = {sy->ca, strlen(sy->ca), CURL_BLOB_COPY};

		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
		curl_easy_setopt(c, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else {
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, len ? body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	cc = curl_easy_perform(c);
	if (cc == CURLE_WRITE_ERROR && r->too_big)
		/* the hub was reached; its answer is refused unread (exit 4, not 3) */
		return mo_err_set(err, MO_EAUTH, "too_large",
				  "the hub's answer is too large (over %zu bytes): refused, "
				  "nothing applied",
				  r->body.max);
	if (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE)
		/* someone answers, but cannot prove to be the hub: nothing sent */
		return mo_err_set(err, MO_EAUTH, "bad_certificate",
				  "сертифікат центру не підтверджено / the hub's certificate "
				  "is not trusted");
	if (cc != CURLE_OK)
		return mo_err_set(err, MO_ENET, "network", "%s",
				  cerr[0] ? cerr : curl_easy_strerror(cc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->status == 502 || r->status == 503 || r->status == 504)
		return mo_err_set(err, MO_ENET, "network", "the hub is unavailable (HTTP %ld)",
				  r->status);
	return MO_OK;
}

/* an error answer of the hub → MO_EFORBIDDEN with its wire code */
static int hub_refused(struct sync *sy, const struct http_resp *r, struct mo_err *err)
{
	cJSON *j = cJSON_ParseWithLength((const char *)r->body.data, r->body.len);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "code"));
	const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message"));
	int rc;

	rc = mo_err_set(err, MO_EFORBIDDEN, code ? code : "http", "%s (HTTP %ld)",
			msg ? msg : "refused", r->status);
	if (err) {
		long long x;

		if (proto_json_int(e, "expected", &x))
			err->expected = x;
	}
	cJSON_Delete(j);
	if (err && (strcmp(err->code, "device_revoked") == 0 ||
		    strcmp(err->code, "seq_conflict") == 0)) {
		/* the revocation notice, or a fork (a laptop restored from a backup:
		 * `enroll` then recovers, docs/recovery.md): remember it, keep every
		 * record */
		struct mo_err e2 = MO_ERR_INIT;
		const char *flag = strcmp(err->code, "device_revoked") == 0 ? "revoked" : "forked";

		if (agent_store_begin(sy->s, &e2) == MO_OK) {
			if (agent_meta_set_i64(sy->s, flag, 1, &e2) != MO_OK ||
			    agent_store_commit(sy->s, &e2) != MO_OK)
				agent_store_rollback(sy->s);
		}
	}
	return rc;
}

/* ---- blobs ---- */

static int blob_headers(struct sync *sy, struct curl_slist **out, const char *method,
			const char *sha, const char *range, const void *body, size_t len,
			struct mo_err *err)
{
	struct mo_buf msg = MO_BUF_INIT(1024), b64 = MO_BUF_INIT(256);
	unsigned char sig[PROTO_SIG_LEN], rnd[16];
	char ts[32], nonce[2 * sizeof(rnd) + 1], line[512];
	struct curl_slist *h = NULL;
	int rc;

	*out = NULL;
	snprintf(ts, sizeof(ts), "%llu", (unsigned long long)mo_now_ms());
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return mo_err_set(err, MO_EIO, NULL, "no random bytes for the request nonce");
	mo_hex_encode(nonce, rnd, sizeof(rnd));
	if ((rc = proto_blob_signed_text(&msg, method, sha, range, ts, nonce, sy->me.hub, body,
					 len)) != MO_OK) {
		rc = mo_err_set(err, rc, NULL, "blob signature: %s", mo_strerror(rc));
		goto done;
	}
	if ((rc = proto_sign(sig, sy->key, msg.data, msg.len, err)) != MO_OK)
		goto done;
	if ((rc = mo_base64_encode(&b64, sig, sizeof(sig))) != MO_OK) {
		rc = mo_err_set(err, rc, NULL, "out of memory");
		goto done;
	}
	snprintf(line, sizeof(line), "X-MO-Device: %s", sy->me.device);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "X-MO-Time: %s", ts);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "X-MO-Nonce: %s", nonce);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "X-MO-Signature: %s", mo_buf_cstr(&b64));
	h = curl_slist_append(h, line);
	h = curl_slist_append(h, "Expect:");
	if (range) {
		snprintf(line, sizeof(line), "Content-Range: %s", range);
		h = curl_slist_append(h, line);
		h = curl_slist_append(h, "Content-Type: application/octet-stream");
	}
	if (h == NULL)
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	*out = h;
done:
	mo_buf_release(&msg);
	mo_buf_release(&b64);
	return rc;
}

static int blob_request(struct sync *sy, const char *method, const char *sha, const char *range,
			const void *body, size_t len, struct http_resp *r, struct mo_err *err)
{
	struct curl_slist *h = NULL;
	char path[128];
	int rc;

	snprintf(path, sizeof(path), "/v1/blobs/%s", sha);
	if ((rc = blob_headers(sy, &h, method, sha, range, body, len, err)) == MO_OK)
		rc = http_do(sy, method, path, h, body, len, r, err);
	curl_slist_free_all(h);
	return rc;
}

static long long header_i64(const char *v, long long dflt)
{
	long long x;

	return mo_parse_i64(&x, v, 0, 1LL << 40) ? x : dflt;
}

static int blob_upload(void *arg, const char *sha, long long size)
{
	struct sync *sy = arg;
	struct mo_err *err = sy->err;
	struct http_resp r = {0, MO_BUF_INIT(64 * 1024), "", "", "", false};
	unsigned char *chunk = NULL;
	char path[1300];
	FILE *f = NULL;
	long long off;
	int rc;

	agent_blob_path(sy->ctx, sha, path, sizeof(path));
	if ((f = fopen(path, "rb")) == NULL) {
		rc = mo_err_set(err, MO_EIO, NULL, "cannot open '%s'", path);
		goto done;
	}
	if ((rc = blob_request(sy, "HEAD", sha, NULL, NULL, 0, &r, err)) != MO_OK)
		goto done;
	if (r.status != 200 && r.status != 404) {
		rc = hub_refused(sy, &r, err);
		goto done;
	}
	off = r.status == 200 ? header_i64(r.offset, 0) : 0;
	if (strcmp(r.complete, "1") != 0) {
		if ((chunk = malloc(AGENT_CHUNK)) == NULL) {
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			goto done;
		}
		for (int guard = 0; off < size && guard < 100000; guard++) {
			size_t want =
			    (size_t)(size - off) < AGENT_CHUNK ? (size_t)(size - off) : AGENT_CHUNK;
			char range[96];

			if (fseek(f, (long)off, SEEK_SET) != 0 ||
			    fread(chunk, 1, want, f) != want) {
				rc = mo_err_set(err, MO_EIO, NULL, "cannot read '%s'", path);
				goto done;
			}
			snprintf(range, sizeof(range), "bytes %lld-%lld/%lld", off,
				 off + (long long)want - 1, size);
			if ((rc = blob_request(sy, "PUT", sha, range, chunk, want, &r, err)) !=
			    MO_OK)
				goto done;
			if (r.status == 409 && r.offset[0]) {
				off = header_i64(r.offset, off); /* resume where the hub is */
				continue;
			}
			if (r.status / 100 != 2) {
				rc = hub_refused(sy, &r, err);
				goto done;
			}
			if (r.status == 201)
				break;
			off = r.offset[0] ? header_i64(r.offset, off + (long long)want)
					  : off + (long long)want;
		}
	}
	if ((rc = agent_store_begin(sy->s, err)) != MO_OK)
		goto done;
	if ((rc = agent_store_blob_uploaded(sy->s, sha, err)) != MO_OK ||
	    (rc = agent_store_commit(sy->s, err)) != MO_OK) {
		agent_store_rollback(sy->s);
		goto done;
	}
	sy->stats->blobs++;
done:
	if (f)
		fclose(f);
	free(chunk);
	mo_buf_release(&r.body);
	return rc;
}

/* ---- exchange ---- */

static int load_ids(struct sync *sy, struct mo_err *err)
{
	struct mo_buf pub = MO_BUF_INIT(128);
	char kpath[1200];
	int rc;

	if (mo_base64_decode(&pub, sy->me.hub_key, strlen(sy->me.hub_key)) != MO_OK ||
	    pub.len != PROTO_PUBKEY_LEN) {
		mo_buf_release(&pub);
		return mo_err_set(err, MO_ECORRUPT, NULL, "the pinned hub key is damaged");
	}
	memcpy(sy->hub_pub, pub.data, PROTO_PUBKEY_LEN);
	mo_buf_release(&pub);
	agent_key_path(sy->ctx, kpath, sizeof(kpath));
	rc = proto_key_load(&sy->key, kpath, err);
	return rc;
}

/* verify a kind-2 answer and apply it in one transaction */
/*
 * The ack of batch seq stands for the hub's `received` of every case it
 * applied (the hub does not echo that move back to the sender): apply it
 * the way a downstream transition is applied, service by service.  Inside
 * the caller's transaction, after the quarantined list is stored.
 */
static int ack_received(struct sync *sy, long long seq, uint64_t hlc, struct mo_err *err)
{
	struct agent_case_service *v = NULL;
	size_t n = 0;
	int rc;

	if ((rc = agent_store_batch_submitted(sy->s, seq, &v, &n, err)) != MO_OK)
		return rc;
	for (size_t i = 0; i < n && rc == MO_OK; i++) {
		struct proto_change c = {.op = "transition", .entity = "case", .hlc = hlc};
		cJSON *f;
		/* as the hub does it: the whole case when it is submitted, else
		 * each submitted service of a case whose status shows another */
		bool whole = v[i].case_submitted;

		if (whole && i > 0 && strcmp(v[i - 1].case_id, v[i].case_id) == 0)
			continue; /* the case already moved as a whole */
		mo_strlcpy(c.id, v[i].case_id, sizeof(c.id));
		f = cJSON_CreateObject();
		if (f == NULL || !cJSON_AddStringToObject(f, "from", "submitted") ||
		    !cJSON_AddStringToObject(f, "to", "received") ||
		    (!whole && !cJSON_AddStringToObject(f, "service", v[i].code))) {
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		} else {
			c.fields = f;
			rc = agent_apply_remote(sy->s, &c, err);
		}
		cJSON_Delete(f);
	}
	free(v);
	return rc;
}

static int apply_response(struct sync *sy, const struct http_resp *r, long long seq,
			  uint64_t req_hlc, bool *more, struct mo_err *err)
{
	struct proto_envelope env;
	struct mo_buf raw = MO_BUF_INIT(PROTO_INFLATED_MAX);
	struct proto_response_payload p = PROTO_RESPONSE_PAYLOAD_INIT;
	long long cursor;
	char now[32];
	int rc;

	/* unreadable, the cursor is not 0: the stale_cursor check would be skipped */
	if ((rc = agent_meta_get_i64_err(sy->s, "cursor", 0, &cursor, err)) != MO_OK)
		goto done;
	if ((rc = proto_envelope_open(&env, r->body.data, r->body.len, err)) != MO_OK)
		goto bad;
	if (env.kind != PROTO_KIND_RESPONSE) {
		rc = mo_err_set(err, MO_EAUTH, "bad_envelope", "not a response envelope");
		goto bad;
	}
	if ((rc = proto_envelope_verify(&env, sy->hub_pub, err)) != MO_OK)
		goto bad;
	if (strcmp(env.hdr.hub, sy->me.hub) != 0 || strcmp(env.hdr.device, sy->me.device) != 0) {
		rc = mo_err_set(err, MO_EAUTH, "wrong_hub",
				"the response names another hub or device");
		goto bad;
	}
	if (env.hdr.cursor < cursor) {
		rc = mo_err_set(err, MO_EAUTH, "stale_cursor",
				"the response cursor %lld goes back from %lld", env.hdr.cursor,
				cursor);
		goto bad;
	}
	if (env.hdr.hlc < req_hlc) {
		rc = mo_err_set(err, MO_EAUTH, "stale_hlc",
				"the response is older than the request");
		goto bad;
	}
	if (seq > 0 && env.hdr.ack < seq) {
		rc = mo_err_set(err, MO_EAUTH, "no_ack", "the hub did not acknowledge batch %lld",
				seq);
		goto bad;
	}
	if ((rc = proto_envelope_inflate(&raw, &env, err)) != MO_OK)
		goto bad;
	if ((rc = proto_response_decode(&p, (const char *)raw.data, raw.len, err)) != MO_OK)
		goto bad;

	if ((rc = agent_store_begin(sy->s, err)) != MO_OK)
		goto done;
	if (seq > 0 && (rc = agent_store_batch_acked(sy->s, seq, err)) != MO_OK)
		goto rollback;
	for (size_t i = 0; i < p.nquarantined; i++) {
		if ((rc = agent_store_quarantine_add(sy->s, p.quarantined[i].n,
						     p.quarantined[i].code,
						     p.quarantined[i].message, err)) != MO_OK)
			goto rollback;
	}
	if (seq > 0) {
		sy->stats->quarantined += (long long)p.nquarantined;
		if ((rc = ack_received(sy, seq, env.hdr.hlc, err)) != MO_OK ||
		    (rc = agent_visit_acked(sy->s, seq, err)) != MO_OK)
			goto rollback;
	}
	for (size_t i = 0; i < p.changes.n; i++) {
		const struct proto_change *c = &p.changes.v[i];

		if (c->n <= cursor || c->qcode)
			continue; /* already applied, or not something we understand */
		if ((rc = agent_apply_remote(sy->s, c, err)) != MO_OK)
			goto rollback;
		sy->stats->received++;
	}
	mo_iso8601(now, sizeof(now), mo_now_ms(), false);
	if ((rc = agent_meta_set_i64(sy->s, "cursor", env.hdr.cursor, err)) != MO_OK ||
	    (rc = agent_meta_set(sy->s, "last_sync", now, err)) != MO_OK ||
	    (rc = agent_meta_set(sy->s, "hub_time", env.hdr.time, err)) != MO_OK)
		goto rollback;
	/* the verified hub's HLC is merged whatever the laptop clock says: a
	 * laptop days behind must still stamp its next edits after it */
	if ((rc = agent_store_hlc_receive(sy->s, env.hdr.hlc, err)) != MO_OK ||
	    (rc = agent_meta_set_i64(sy->s, "hub_hlc", (long long)env.hdr.hlc, err)) != MO_OK)
		goto rollback;
	if ((rc = agent_store_commit(sy->s, err)) != MO_OK)
		goto rollback;
	*more = env.hdr.more;
	goto done;
rollback:
	agent_store_rollback(sy->s);
	goto done;
bad:
	if (rc != MO_EAUTH) {
		/* a refused answer is MO_EAUTH whatever the reason; the reason is kept.
		 * It is copied out first: mo_err_set writing err->msg from err->msg
		 * would be an overlapping snprintf (undefined behaviour). */
		char code[MO_ERR_CODE_MAX], msg[MO_ERR_MSG_MAX];

		mo_strlcpy(code, err && err->code[0] ? err->code : "bad_response", sizeof(code));
		mo_strlcpy(msg, err && err->msg[0] ? err->msg : "bad response", sizeof(msg));
		rc = mo_err_set(err, MO_EAUTH, code, "%s", msg);
	}
done:
	proto_response_payload_release(&p);
	mo_buf_release(&raw);
	return rc;
}

static int post_envelope(struct sync *sy, const void *env, size_t len, long long seq,
			 uint64_t req_hlc, bool *more, struct mo_err *err)
{
	struct http_resp r = {0, MO_BUF_INIT(RESPONSE_MAX), "", "", "", false};
	struct curl_slist *h = NULL;
	int rc = MO_OK;

	h = curl_slist_append(h, "Content-Type: application/vnd.mobile-office.batch");
	h = curl_slist_append(h, "Expect:");
	for (int attempt = 0; attempt < RETRY_MAX; attempt++) {
		if ((rc = http_do(sy, "POST", "/v1/sync", h, env, len, &r, err)) != MO_OK)
			break;
		if (r.status == 429) {
			long long wait = header_i64(r.retry_after, 1);

			agent_sleep_ms((unsigned)(wait > 30 ? 30 : wait < 1 ? 1 : wait) * 1000u);
			continue;
		}
		if (r.status != 200)
			rc = hub_refused(sy, &r, err);
		else
			rc = apply_response(sy, &r, seq, req_hlc, more, err);
		break;
	}
	curl_slist_free_all(h);
	mo_buf_release(&r.body);
	return rc;
}

static int send_pull(struct sync *sy, bool *more, struct mo_err *err)
{
	struct mo_buf env = MO_BUF_INIT(PROTO_HEADER_MAX + 256);
	struct proto_seal_opts so = PROTO_SEAL_OPTS_INIT;
	struct proto_header h;
	int rc;

	memset(&h, 0, sizeof(h));
	mo_strlcpy(h.hub, sy->me.hub, sizeof(h.hub));
	mo_strlcpy(h.device, sy->me.device, sizeof(h.device));
	h.schema = PROTO_SCHEMA;
	if ((rc = agent_meta_get_i64_err(sy->s, "cursor", 0, &h.cursor, err)) != MO_OK)
		return rc;
	if ((rc = agent_store_begin(sy->s, err)) != MO_OK)
		return rc;
	if ((rc = agent_store_hlc_next(sy->s, &h.hlc, err)) != MO_OK ||
	    (rc = agent_store_commit(sy->s, err)) != MO_OK) {
		agent_store_rollback(sy->s);
		return rc;
	}
	so.kind = PROTO_KIND_PULL;
	so.hdr = &h;
	so.level = sy->ctx->zlib_level >= 0 ? sy->ctx->zlib_level : PROTO_LEVEL_DEFAULT;
	so.dict_id = 0;
	so.key = sy->key;
	if ((rc = proto_envelope_seal(&env, &so, err)) == MO_OK)
		rc = post_envelope(sy, env.data, env.len, 0, h.hlc, more, err);
	mo_buf_release(&env);
	return rc;
}

/* the hlc inside a frozen envelope's header (for the response check) */
static uint64_t frozen_hlc(const struct agent_batch *b)
{
	struct proto_envelope env;
	struct mo_err e = MO_ERR_INIT;

	if (proto_envelope_open(&env, b->envelope.data, b->envelope.len, &e) != MO_OK)
		return 0;
	return env.hdr.hlc;
}

/*
 * A clock_skew refusal after the laptop clock was fixed: our HLC (meta and
 * the frozen batch header and changes) still comes from the days the clock
 * was ahead, so every sync would be refused until real time caught up.  A
 * refused batch changes nothing at the hub, so it is dropped and rebuilt
 * (same seq/prev) from the unacked changes, each given a fresh HLC, with the
 * clock reset to max(wall, last hub HLC).  Only when our HLC is more than
 * 24 h ahead of the wall clock: while the clock itself is still ahead, the
 * refusal stands and the user is told to fix it.  true when reset.
 */
static bool clock_reset(struct sync *sy, const struct mo_err *refusal)
{
	uint64_t wall = mo_now_ms(), to = wall << 16, hub;
	long long hub_hlc;
	struct agent_requeue rq = {sy->s, &sy->me, false, NULL};
	struct mo_err e2 = MO_ERR_INIT;

	if (refusal == NULL || strcmp(refusal->code, "clock_skew") != 0 ||
	    proto_hlc_ms(agent_store_hlc_last(sy->s)) <= wall + PROTO_HLC_MAX_AHEAD_MS)
		return false;
	/* unreadable, the hub's HLC is not 0: no reset, the refusal stands */
	if (agent_meta_get_i64_err(sy->s, "hub_hlc", 0, &hub_hlc, &e2) != MO_OK)
		return false;
	hub = (uint64_t)hub_hlc;
	if (hub > to)
		to = hub;
	if (agent_store_begin(sy->s, &e2) != MO_OK)
		return false;
	/* on failure the in-memory clock stays reset; the process ends with the refusal */
	if (agent_store_hlc_reset(sy->s, to, &e2) != MO_OK ||
	    agent_store_outbox_requeue(sy->s, false, agent_case_requeue_change, &rq, &e2) != MO_OK ||
	    agent_store_commit(sy->s, &e2) != MO_OK) {
		agent_store_rollback(sy->s);
		return false;
	}
	return true;
}

int agent_sync(struct agent_ctx *ctx, struct agent_sync_stats *stats, struct mo_err *err)
{
	struct sync sy;
	struct agent_batch b;
	struct agent_batch_opts bo;
	bool more = false, exchanged = false;
	long long total;
	int rc;

	memset(&sy, 0, sizeof(sy));
	memset(stats, 0, sizeof(*stats));
	agent_batch_init(&b);
	sy.ctx = ctx;
	sy.stats = stats;
	sy.err = err;
	if ((rc = agent_ctx_store(ctx, &sy.s, err)) != MO_OK ||
	    (rc = agent_identity_load(sy.s, &sy.me, err)) != MO_OK)
		goto done;
	if (sy.me.revoked) {
		rc = mo_err_set(err, MO_EFORBIDDEN, "device_revoked", "this device is revoked");
		goto done;
	}
	if ((rc = load_ids(&sy, err)) != MO_OK)
		goto done;
	transport_load(&sy);
	if ((sy.curl = curl_easy_init()) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "cannot start the HTTP client");
		goto done;
	}

	/* 1. blobs first: a batch may only reference blobs the hub holds */
	if ((rc = agent_store_blobs_pending(sy.s, blob_upload, &sy, err)) != MO_OK)
		goto done;

	/* 2. batches, one round trip each; 3. pulls while the hub has more */
	bo.max_changes = ctx->batch_changes > 0 && ctx->batch_changes < AGENT_BATCH_CHANGES_MAX
			     ? ctx->batch_changes
			     : AGENT_BATCH_CHANGES_MAX;
	bo.max_bytes = ctx->batch_bytes > 0 && ctx->batch_bytes < (long long)AGENT_BATCH_BYTES_MAX
			   ? (size_t)ctx->batch_bytes
			   : AGENT_BATCH_BYTES_MAX;
	bo.level = ctx->zlib_level >= 0 ? ctx->zlib_level : PROTO_LEVEL_DEFAULT;
	bo.dict_id = proto_dict_default();
	/* the bar's total reads every pending change (O(backlog)): only for a bar shown */
	total = 0;
	if (!ctx->quiet && agent_stderr_is_tty())
		(void)agent_store_pending_changes(sy.s, &total);
	agent_progress_start(&sy.bar, !ctx->quiet && total > 0,
			     ctx->lang == AGENT_LANG_EN ? "sync" : "синхронізація", total, true);
	for (long iter = 0; iter < 1000000; iter++) {
		rc = agent_batch_next(sy.s, &sy.me, sy.key, &bo, &b, err);
		if (rc == MO_OK) {
			sy.bar_scale = b.envelope.len ? (double)b.raw / (double)b.envelope.len : 0;
			if ((rc = post_envelope(&sy, b.envelope.data, b.envelope.len, b.seq,
						frozen_hlc(&b), &more, err)) != MO_OK) {
				if (!stats->clock_reset && clock_reset(&sy, err)) {
					stats->clock_reset = true; /* once: then rebuild */
					mo_err_clear(err);
					continue;
				}
				goto done;
			}
			stats->changes += b.count;
			stats->batches++;
			exchanged = true;
			sy.bar_base += b.raw;
			sy.bar_scale = 0;
			agent_progress_set(&sy.bar, sy.bar_base);
			continue;
		}
		if (rc != MO_ENOTFOUND)
			goto done;
		mo_err_clear(err);
		if (exchanged && !more)
			break;
		if ((rc = send_pull(&sy, &more, err)) != MO_OK) {
			if (!stats->clock_reset && clock_reset(&sy, err)) {
				stats->clock_reset = true;
				mo_err_clear(err);
				continue;
			}
			goto done;
		}
		exchanged = true;
		if (!more)
			break;
	}
	rc = MO_OK;
done:
	agent_progress_end(&sy.bar);
	agent_batch_release(&b);
	if (sy.curl)
		curl_easy_cleanup(sy.curl);
	EVP_PKEY_free(sy.key);
	return rc;
}

/* ---- enrolment ---- */

/* again: enrol an enrolled store under a new key (agent_enroll_again) */
static int enroll_do(struct agent_ctx *ctx, const char *url, const char *token,
		     const char *operator_name, bool again, struct agent_identity *out,
		     struct mo_err *err)
{
	struct sync sy;
	struct http_resp r = {0, MO_BUF_INIT(64 * 1024), "", "", "", false};
	struct mo_buf b64 = MO_BUF_INIT(128), hubpub = MO_BUF_INIT(128);
	struct curl_slist *h = NULL;
	unsigned char pub[PROTO_PUBKEY_LEN];
	char kpath[1200], device[PROTO_ID_LEN], hub_id[PROTO_ID_LEN], host[256];
	cJSON *req = NULL, *resp = NULL;
	char *body = NULL;
	const char *v;
	int rc;

	memset(&sy, 0, sizeof(sy));
	sy.ctx = ctx;
	if ((rc = agent_ctx_store(ctx, &sy.s, err)) != MO_OK)
		goto done;
	if (!again && agent_identity_load(sy.s, out, NULL) == MO_OK) {
		rc = mo_err_set(err, MO_EEXISTS, "already_enrolled", "%s", out->device_code);
		goto done;
	}
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
		rc = mo_err_set(err, MO_EINVAL, "bad_field", "--hub");
		goto done;
	}
	/* refused before a key is made or a byte sent */
	if ((rc = transport_check(&sy, url, err)) != MO_OK)
		goto done;
	if (ctx->ca_file) {
		if ((rc = ca_file_read(&sy, ctx->ca_file, err)) != MO_OK)
			goto done;
	} else {
		transport_load(&sy); /* enrolling again: the authority pinned before */
	}
	agent_key_path(ctx, kpath, sizeof(kpath));
	if (agent_path_exists(kpath)) {
		/* an earlier attempt made the key: reuse it (keys are never overwritten) */
		if ((rc = proto_key_load(&sy.key, kpath, err)) != MO_OK)
			goto done;
	} else if ((rc = proto_key_generate(&sy.key, err)) != MO_OK ||
		   (rc = proto_key_save(sy.key, kpath, err)) != MO_OK) {
		goto done;
	}
	if ((rc = proto_key_public_raw(pub, sy.key, err)) != MO_OK)
		goto done;
	proto_key_id(device, pub);
	if (mo_base64_encode(&b64, pub, sizeof(pub)) != MO_OK) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	agent_hostname(host, sizeof(host));
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "token", token);
	cJSON_AddStringToObject(req, "public_key", mo_buf_cstr(&b64));
	cJSON_AddStringToObject(req, "hostname", host);
	cJSON_AddStringToObject(req, "operator", operator_name);
	if ((body = cJSON_PrintUnformatted(req)) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	{
		size_t n = mo_strlcpy(sy.me.hub_url, url, sizeof(sy.me.hub_url));

		while (n > 0 && sy.me.hub_url[n - 1] == '/')
			sy.me.hub_url[--n] = '\0';
	}
	if ((sy.curl = curl_easy_init()) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "cannot start the HTTP client");
		goto done;
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	if ((rc = http_do(&sy, "POST", "/v1/enroll", h, body, strlen(body), &r, err)) != MO_OK)
		goto done;
	if (r.status != 200 && r.status != 201) {
		rc = hub_refused(&sy, &r, err);
		goto done;
	}
	if ((rc = proto_json_parse(&resp, (const char *)r.body.data, r.body.len, NULL, err)) !=
	    MO_OK)
		goto done;
	v = proto_json_str(resp, "hub_public_key");
	if (v == NULL || mo_base64_decode(&hubpub, v, strlen(v)) != MO_OK ||
	    hubpub.len != PROTO_PUBKEY_LEN) {
		rc = mo_err_set(err, MO_EAUTH, "bad_response", "the hub sent no usable public key");
		goto done;
	}
	proto_key_id(hub_id, hubpub.data);
	if (proto_json_str(resp, "hub") == NULL ||
	    strcmp(proto_json_str(resp, "hub"), hub_id) != 0 ||
	    proto_json_str(resp, "device") == NULL ||
	    strcmp(proto_json_str(resp, "device"), device) != 0 ||
	    proto_json_str(resp, "device_code") == NULL || proto_json_str(resp, "unit") == NULL) {
		rc = mo_err_set(err, MO_EAUTH, "bad_response",
				"the enrolment answer does not match this laptop's key");
		goto done;
	}
	if ((rc = agent_store_begin(sy.s, err)) != MO_OK)
		goto done;
	{
		const char *keys[] = {"device_code", "unit", "unit_name", "unit_kind", "unit_phone"};

		rc = agent_meta_set(sy.s, "hub_url", sy.me.hub_url, err);
		if (rc == MO_OK)
			rc = agent_meta_set(sy.s, "hub", hub_id, err);
		if (rc == MO_OK)
			rc = agent_meta_set(sy.s, "hub_public_key", v, err);
		/* the pinned authority: every later sync checks the hub with it */
		if (rc == MO_OK && sy.ca[0])
			rc = agent_meta_set(sy.s, "hub_ca", sy.ca, err);
		for (size_t i = 0; rc == MO_OK && i < sizeof(keys) / sizeof(keys[0]); i++)
			rc = agent_meta_set(
			    sy.s, keys[i],
			    proto_json_str(resp, keys[i]) ? proto_json_str(resp, keys[i]) : "",
			    err);
		if (rc == MO_OK)
			rc = agent_store_operator_add(sy.s, operator_name, err);
		if (rc == MO_OK)
			rc = agent_meta_set(sy.s, "operator", operator_name, err);
		/* device last: its presence is what "enrolled" means */
		if (rc == MO_OK)
			rc = agent_meta_set(sy.s, "device", device, err);
		if (rc == MO_OK)
			rc = agent_store_commit(sy.s, err);
		if (rc != MO_OK) {
			agent_store_rollback(sy.s);
			goto done;
		}
	}
	rc = agent_identity_load(sy.s, out, err);
done:
	cJSON_Delete(req);
	cJSON_Delete(resp);
	free(body);
	curl_slist_free_all(h);
	mo_buf_release(&r.body);
	mo_buf_release(&b64);
	mo_buf_release(&hubpub);
	if (sy.curl)
		curl_easy_cleanup(sy.curl);
	EVP_PKEY_free(sy.key);
	return rc;
}

int agent_enroll(struct agent_ctx *ctx, const char *url, const char *token,
		 const char *operator_name, struct agent_identity *out, struct mo_err *err)
{
	return enroll_do(ctx, url, token, operator_name, false, out, err);
}

/* step 3 of agent_enroll_again: the store starts over as the new device */
static int recover_requeue(struct agent_store *s, const struct agent_identity *me,
			   cJSON *renumbered, long long *requeued, struct mo_err *err)
{
	struct agent_requeue rq = {s, me, true, renumbered};
	int rc;

	if ((rc = agent_store_begin(s, err)) != MO_OK)
		return rc;
	/* a new device: seq from 1 with a zero prev (no batches), the whole feed
	 * again (cursor 0; what we hold merges by field stamps, nothing doubles),
	 * case numbers from 1 under the new code */
	if ((rc = agent_meta_set_i64(s, "cursor", 0, err)) != MO_OK ||
	    (rc = agent_meta_set_i64(s, "case_counter", 0, err)) != MO_OK ||
	    (rc = agent_meta_set_i64(s, "forked", 0, err)) != MO_OK ||
	    (rc = agent_meta_set_i64(s, "revoked", 0, err)) != MO_OK ||
	    (rc = agent_store_outbox_requeue(s, true, agent_case_requeue_change, &rq, err)) !=
		MO_OK ||
	    (rc = agent_meta_set(s, "recover_from", "", err)) != MO_OK) {
		agent_store_rollback(s);
		return rc;
	}
	if ((rc = agent_store_commit(s, err)) != MO_OK) {
		agent_store_rollback(s);
		return rc;
	}
	*requeued = agent_store_pending_changes(s, NULL);
	return MO_OK;
}

int agent_enroll_again(struct agent_ctx *ctx, const char *url, const char *token,
		       const char *operator_name, struct agent_identity *out, cJSON **renumbered,
		       long long *requeued, struct mo_err *err)
{
	struct agent_store *s;
	struct agent_identity old;
	char from[PROTO_ID_LEN] = "", kpath[1200], moved[1300], op[112];
	int rc;

	*renumbered = NULL;
	*requeued = 0;
	if ((rc = agent_ctx_store(ctx, &s, err)) != MO_OK)
		return rc;
	(void)agent_meta_get(s, "recover_from", from, sizeof(from));
	if (from[0] == '\0') {
		/* 1. put the old identity aside; its key is kept under its id */
		if ((rc = agent_identity_load(s, &old, err)) != MO_OK)
			return rc;
		agent_key_path(ctx, kpath, sizeof(kpath));
		snprintf(moved, sizeof(moved), "%s/device-%s.key", ctx->data_dir, old.device);
		if (agent_path_exists(kpath) && agent_rename(kpath, moved) != MO_OK)
			return mo_err_set(err, MO_EIO, NULL, "cannot move '%s'", kpath);
		if ((rc = agent_store_begin(s, err)) != MO_OK)
			return rc;
		if ((rc = agent_meta_set(s, "recover_from", old.device, err)) != MO_OK ||
		    (rc = agent_store_commit(s, err)) != MO_OK) {
			agent_store_rollback(s);
			return rc;
		}
		mo_strlcpy(from, old.device, sizeof(from));
	}
	/* 2. enrol a new key with the fresh token (skipped when a rerun finds it done) */
	if (agent_identity_load(s, out, NULL) != MO_OK || strcmp(out->device, from) == 0) {
		/* the operator stays the current one unless --operator names another */
		mo_strlcpy(op, operator_name && *operator_name ? operator_name : out->operator_name,
			   sizeof(op));
		if ((rc = enroll_do(ctx, url, token, op, true, out, err)) != MO_OK)
			return rc;
	}
	/* 3. re-queue everything unacknowledged as the new device */
	if ((*renumbered = cJSON_CreateArray()) == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	return recover_requeue(s, out, *renumbered, requeued, err);
}
