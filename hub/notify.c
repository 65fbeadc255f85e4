/*
 * notify.c — delivery of the status messages through an HTTP gateway
 * (messages.h): the settings, the request, the verdict on the answer, the
 * backoff, one pass over the due messages, and the serve thread.
 *
 * A message is claimed with a lease (store.h) before it is sent and its
 * outcome written after, so two workers never send one message at once; a
 * worker that dies mid-send leaves the lease to run out and the message is
 * tried again under the same Idempotency-Key, which the gateway dedups.
 */
#include "messages.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "json.h"
#include "mo_util.h"

/* ---- settings ---- */

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

int hub_notify_config_check(const struct hub_notify_config *c, struct mo_err *err)
{
	struct hub_message probe;
	struct mo_buf b = MO_BUF_INIT(64u << 10);
	cJSON *j;
	int rc;

	if ((strncmp(c->url, "http://", 7) != 0 && strncmp(c->url, "https://", 8) != 0) ||
	    strlen(c->url) < 10 || has_ctl(c->url) || strchr(c->url, ' '))
		return mo_err_set(err, MO_EINVAL, "bad_value",
				  "the gateway url must be http:// or https:// and have no spaces");
	if (c->auth[0]) {
		const char *colon = strchr(c->auth, ':');

		if (has_ctl(c->auth) || colon == NULL || colon == c->auth ||
		    strcspn(c->auth, " :") != (size_t)(colon - c->auth))
			return mo_err_set(err, MO_EINVAL, "bad_value",
					  "the auth header is 'Name: value' on one line");
	}
	if (c->timeout_s < 1 || c->timeout_s > 300)
		return mo_err_set(err, MO_EINVAL, "bad_value", "the timeout is 1 to 300 seconds");
	if (c->retry_base_ms < 10 || c->retry_base_ms > 86400000LL ||
	    c->retry_cap_ms < c->retry_base_ms || c->retry_cap_ms > 7 * 86400000LL)
		return mo_err_set(err, MO_EINVAL, "bad_value",
				  "the retry base is 10 ms to 1 day and the cap not below it "
				  "(at most 7 days)");
	if (c->max_attempts < 1 || c->max_attempts > 1000)
		return mo_err_set(err, MO_EINVAL, "bad_value", "max attempts is 1 to 1000");
	if (!strstr(c->body, "{phone") || !strstr(c->body, "{text}"))
		return mo_err_set(err, MO_EINVAL, "bad_value",
				  "the body template needs {phone} (or {phone_digits}) and {text}");
	/* filled in with awkward values, the template must be one JSON value */
	memset(&probe, 0, sizeof(probe));
	mo_strlcpy(probe.phone, "+380671234567", sizeof(probe.phone));
	mo_strlcpy(probe.text, "\"лапки\" \\ і\nрядок", sizeof(probe.text));
	mo_strlcpy(probe.key, "m1-0123456789abcdef0123456789abcdef", sizeof(probe.key));
	if ((rc = hub_notify_body(&b, c->body, &probe, err)) != MO_OK) {
		mo_buf_release(&b);
		return rc;
	}
	j = cJSON_ParseWithLength((const char *)b.data, b.len);
	mo_buf_release(&b);
	if (j == NULL)
		return mo_err_set(err, MO_EINVAL, "bad_value",
				  "the body template is not JSON once filled in (placeholders go "
				  "inside quotes: \"{text}\")");
	cJSON_Delete(j);
	return MO_OK;
}

static const struct {
	const char *key;
	size_t off, len; /* a string member */
} STR_KEYS[] = {
    {"notify_url", offsetof(struct hub_notify_config, url), HUB_NOTIFY_URL_MAX},
    {"notify_body", offsetof(struct hub_notify_config, body), HUB_NOTIFY_BODY_MAX},
    {"notify_auth", offsetof(struct hub_notify_config, auth), HUB_NOTIFY_AUTH_MAX},
};

int hub_notify_config_load(struct hub_store *s, struct hub_notify_config *out, struct mo_err *err)
{
	struct hub_notify_config d = HUB_NOTIFY_CONFIG_INIT;
	char num[32];
	long long v;
	int rc;

	*out = d;
	for (size_t i = 0; i < sizeof(STR_KEYS) / sizeof(STR_KEYS[0]); i++) {
		rc = hub_store_meta_get(s, STR_KEYS[i].key, (char *)out + STR_KEYS[i].off,
					STR_KEYS[i].len, err);
		if (rc == MO_ENOTFOUND && i > 0) {
			mo_err_clear(err);
			continue;
		}
		if (rc == MO_ENOTFOUND)
			return mo_err_set(err, rc, "not_configured",
					  "no SMS gateway configured (mo-hub notify-config)");
		if (rc != MO_OK)
			return rc;
	}
	if (hub_store_meta_get(s, "notify_timeout", num, sizeof(num), err) == MO_OK &&
	    mo_parse_i64(&v, num, 1, 300))
		out->timeout_s = (long)v;
	if (hub_store_meta_get(s, "notify_retry_base_ms", num, sizeof(num), err) == MO_OK &&
	    mo_parse_i64(&v, num, 10, 86400000LL))
		out->retry_base_ms = v;
	if (hub_store_meta_get(s, "notify_retry_cap_ms", num, sizeof(num), err) == MO_OK &&
	    mo_parse_i64(&v, num, 10, 7 * 86400000LL))
		out->retry_cap_ms = v;
	if (hub_store_meta_get(s, "notify_max_attempts", num, sizeof(num), err) == MO_OK &&
	    mo_parse_i64(&v, num, 1, 1000))
		out->max_attempts = (long)v;
	mo_err_clear(err);
	if (out->retry_cap_ms < out->retry_base_ms)
		out->retry_cap_ms = out->retry_base_ms;
	return MO_OK;
}

int hub_notify_config_save(struct hub_store *s, const struct hub_notify_config *c,
			   struct mo_err *err)
{
	char t[24], b[24], cap[24], m[24];
	int rc;

	if ((rc = hub_notify_config_check(c, err)) != MO_OK)
		return rc;
	snprintf(t, sizeof(t), "%ld", c->timeout_s);
	snprintf(b, sizeof(b), "%lld", c->retry_base_ms);
	snprintf(cap, sizeof(cap), "%lld", c->retry_cap_ms);
	snprintf(m, sizeof(m), "%ld", c->max_attempts);
	if ((rc = hub_store_begin(s, err)) != MO_OK)
		return rc;
	if ((rc = hub_store_meta_set(s, "notify_url", c->url, err)) != MO_OK ||
	    (rc = hub_store_meta_set(s, "notify_body", c->body, err)) != MO_OK ||
	    (rc = hub_store_meta_set(s, "notify_auth", c->auth, err)) != MO_OK ||
	    (rc = hub_store_meta_set(s, "notify_timeout", t, err)) != MO_OK ||
	    (rc = hub_store_meta_set(s, "notify_retry_base_ms", b, err)) != MO_OK ||
	    (rc = hub_store_meta_set(s, "notify_retry_cap_ms", cap, err)) != MO_OK ||
	    (rc = hub_store_meta_set(s, "notify_max_attempts", m, err)) != MO_OK) {
		hub_store_rollback(s);
		return rc;
	}
	return hub_store_commit(s, err);
}

void hub_notify_mask(char *out, size_t outlen, const char *auth)
{
	const char *colon = strchr(auth, ':');
	const char *v;
	size_t n;

	if (!auth[0] || colon == NULL) {
		mo_strlcpy(out, auth[0] ? "…" : "", outlen);
		return;
	}
	v = colon + 1;
	while (*v == ' ')
		v++;
	n = strlen(v);
	/* the last 4 of a long secret tell two keys apart; a short one shows nothing */
	snprintf(out, outlen, "%.*s: …%s", (int)(colon - auth), auth, n >= 16 ? v + n - 4 : "");
}

cJSON *hub_notify_config_json(const struct hub_notify_config *c)
{
	cJSON *o = cJSON_CreateObject();
	char masked[HUB_NOTIFY_AUTH_MAX];

	if (o == NULL)
		return NULL;
	hub_notify_mask(masked, sizeof(masked), c->auth);
	cJSON_AddStringToObject(o, "url", c->url);
	cJSON_AddStringToObject(o, "body", c->body);
	if (c->auth[0])
		cJSON_AddStringToObject(o, "auth_header", masked);
	else
		cJSON_AddNullToObject(o, "auth_header");
	cJSON_AddNumberToObject(o, "timeout_s", (double)c->timeout_s);
	cJSON_AddNumberToObject(o, "retry_base_ms", (double)c->retry_base_ms);
	cJSON_AddNumberToObject(o, "retry_cap_ms", (double)c->retry_cap_ms);
	cJSON_AddNumberToObject(o, "max_attempts", (double)c->max_attempts);
	return o;
}

/* ---- the request ---- */

static int add_escaped(struct mo_buf *b, const char *s)
{
	int rc = MO_OK;

	for (; *s && rc == MO_OK; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			rc = mo_buf_addf(b, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			rc = mo_buf_addf(b, "\\u%04x", ch);
		else
			rc = mo_buf_addc(b, ch);
	}
	return rc;
}

int hub_notify_body(struct mo_buf *out, const char *tmpl, const struct hub_message *m,
		    struct mo_err *err)
{
	const struct {
		const char *name, *value;
	} ph[] = {
	    {"{phone}", m->phone},
	    {"{phone_digits}", m->phone[0] == '+' ? m->phone + 1 : m->phone},
	    {"{text}", m->text},
	    {"{key}", m->key},
	};
	const char *p = tmpl;
	int rc = MO_OK;

	mo_buf_reset(out);
	while (*p && rc == MO_OK) {
		size_t i, n = sizeof(ph) / sizeof(ph[0]);

		for (i = 0; i < n; i++)
			if (strncmp(p, ph[i].name, strlen(ph[i].name)) == 0)
				break;
		if (i < n) {
			rc = add_escaped(out, ph[i].value);
			p += strlen(ph[i].name);
		} else {
			rc = mo_buf_addc(out, (unsigned char)*p++);
		}
	}
	if (rc == MO_OK)
		rc = mo_buf_addc(out, '\0');
	if (rc != MO_OK)
		return mo_err_set(err, rc, NULL, "the message body is too big");
	out->len--; /* the NUL stays after the data */
	return MO_OK;
}

enum hub_notify_verdict hub_notify_classify(long http_status)
{
	if (http_status >= 200 && http_status < 300)
		return HUB_NOTIFY_SENT;
	if (http_status == 408 || http_status == 429)
		return HUB_NOTIFY_RETRY;
	if (http_status >= 400 && http_status < 500)
		return HUB_NOTIFY_FAILED;
	/* 5xx, no answer, and what a gateway should never say (1xx, 3xx): the
	 * message waits rather than be lost to a passing fault */
	return HUB_NOTIFY_RETRY;
}

uint64_t hub_notify_backoff_ms(const struct hub_notify_config *c, long long attempts,
			       uint32_t rnd)
{
	uint64_t d = c->retry_base_ms > 0 ? (uint64_t)c->retry_base_ms : 1;
	uint64_t cap = c->retry_cap_ms > c->retry_base_ms ? (uint64_t)c->retry_cap_ms : d;

	for (long long i = 1; i < attempts && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	return d / 2 + (uint64_t)rnd % (d - d / 2 + 1);
}

/* ---- one send ---- */

struct sink {
	char head[160]; /* the start of the answer, for the error detail */
	size_t n;
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
	struct sink *k = arg;
	size_t n = size * nmemb, take = sizeof(k->head) - 1 - k->n;

	if (take > n)
		take = n;
	memcpy(k->head + k->n, p, take);
	k->n += take;
	k->head[k->n] = '\0';
	return n; /* the rest is read and dropped */
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* *status the HTTP status (0: no answer); detail says what went wrong */
static void send_one(CURL *curl, const struct hub_notify_config *c, const struct hub_message *m,
		     const struct mo_buf *body, long *status, char *code, size_t codelen,
		     char *detail, size_t detlen)
{
	struct curl_slist *hdr = NULL;
	char idem[HUB_MSG_KEY_LEN + 32];
	struct sink k = {.n = 0};
	CURLcode cc;

	*status = 0;
	code[0] = detail[0] = '\0';
	k.head[0] = '\0';
	snprintf(idem, sizeof(idem), "Idempotency-Key: %s", m->key);
	hdr = curl_slist_append(hdr, "Content-Type: application/json; charset=utf-8");
	hdr = curl_slist_append(hdr, idem);
	if (c->auth[0])
		hdr = curl_slist_append(hdr, c->auth);
	hdr = curl_slist_append(hdr, "Expect:");
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, c->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)body->data);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->timeout_s * 1000L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_s * 1000L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &k);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "mo-hub notify");
	cc = curl_easy_perform(curl);
	if (cc == CURLE_OK) {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
		snprintf(detail, detlen, "HTTP %ld%s%.120s", *status, k.n ? ": " : "", k.head);
		/* one line of the gateway's words, no control characters kept */
		for (char *p = detail; *p; p++)
			if ((unsigned char)*p < 0x20)
				*p = ' ';
		mo_strlcpy(code,
			   *status >= 200 && *status < 300 ? ""
			   : *status >= 500		   ? "gateway_error"
			   : *status == 408 || *status == 429 ? "gateway_busy"
							      : "gateway_refused",
			   codelen);
	} else {
		mo_strlcpy(code,
			   cc == CURLE_OPERATION_TIMEDOUT ? "gateway_timeout"
			   : cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST
			       ? "gateway_unreachable"
			       : "gateway_dropped",
			   codelen);
		snprintf(detail, detlen, "%s", curl_easy_strerror(cc));
	}
	curl_slist_free_all(hdr);
}

/* ---- a pass ---- */

#define PASS_MAX 100000 /* messages in one pass, a bound on the loop */

static uint32_t rnd32(void)
{
	uint32_t r = 0;

	if (mo_random(&r, sizeof(r)) != MO_OK)
		r = (uint32_t)mo_now_ms();
	return r;
}

int hub_notify_pass(struct hub_store *s, const struct hub_notify_config *c, const atomic_bool *stop,
		    struct hub_notify_stats *stats, struct mo_err *err)
{
	struct mo_buf body = MO_BUF_INIT(64u << 10);
	unsigned char raw[8];
	char owner[20];
	/* a worker stuck longer than its transfer may take loses the row */
	uint64_t lease = (uint64_t)c->timeout_s * 2000 + 30000;
	CURL *curl;
	int rc = MO_OK;

	pthread_once(&curl_once, curl_init);
	if ((curl = curl_easy_init()) == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "cannot start a transfer");
	if (mo_random(raw, sizeof(raw)) != MO_OK) {
		curl_easy_cleanup(curl);
		return mo_err_set(err, MO_ERROR, NULL, "no randomness for a lease");
	}
	mo_hex_encode(owner, raw, sizeof(raw));
	for (int i = 0; i < PASS_MAX && !(stop && atomic_load(stop)); i++) {
		struct hub_message m;
		struct hub_message_outcome o = {.state = "sent"};
		char code[32], detail[256];
		long status = 0;
		enum hub_notify_verdict v;

		rc = hub_store_message_claim(s, mo_now_ms(), lease, owner, &m, err);
		if (rc == MO_ENOTFOUND) {
			mo_err_clear(err);
			rc = MO_OK;
			break;
		}
		if (rc != MO_OK)
			break;
		if (hub_notify_body(&body, c->body, &m, err) != MO_OK) {
			mo_err_clear(err);
			v = HUB_NOTIFY_FAILED;
			mo_strlcpy(code, "gateway_body", sizeof(code));
			mo_strlcpy(detail, "the body is too big", sizeof(detail));
		} else {
			send_one(curl, c, &m, &body, &status, code, sizeof(code), detail,
				 sizeof(detail));
			v = hub_notify_classify(status);
		}
		if (v == HUB_NOTIFY_RETRY && m.attempts >= c->max_attempts)
			v = HUB_NOTIFY_FAILED;
		if (v != HUB_NOTIFY_SENT) {
			o.state = v == HUB_NOTIFY_RETRY ? "queued" : "failed";
			o.error = code;
			o.detail = detail;
			if (v == HUB_NOTIFY_RETRY)
				o.next_ms = mo_now_ms() + hub_notify_backoff_ms(c, m.attempts, rnd32());
		} else if (detail[0]) {
			o.detail = detail;
		}
		rc = hub_store_message_done(s, m.id, owner, &o, err);
		if (rc == MO_ECONFLICT) {
			mo_err_clear(err);
			rc = MO_OK;
			stats->lost_lease++;
			continue;
		}
		if (rc != MO_OK)
			break;
		if (v == HUB_NOTIFY_SENT)
			stats->sent++;
		else if (v == HUB_NOTIFY_FAILED)
			stats->failed++;
		else
			stats->retried++;
	}
	curl_easy_cleanup(curl);
	mo_buf_release(&body);
	return rc;
}

/* ---- the serve thread ---- */

struct hub_notifier {
	struct hub_store *store;
	uint64_t interval_ms;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	atomic_bool stop;
};

static void *notifier_main(void *arg)
{
	struct hub_notifier *n = arg;
	char last[MO_ERR_MSG_MAX] = "";

	while (!atomic_load(&n->stop)) {
		struct hub_notify_config c;
		struct hub_notify_stats st = {0};
		struct mo_err err = MO_ERR_INIT;
		struct timespec ts;
		int rc;

		rc = hub_notify_config_load(n->store, &c, &err);
		if (rc == MO_OK)
			rc = hub_notify_pass(n->store, &c, &n->stop, &st, &err);
		/* say a fault once, not every second */
		if (rc != MO_OK && rc != MO_ENOTFOUND && strcmp(last, err.msg) != 0) {
			fprintf(stderr, "mo-hub: notify: %s\n", err.msg);
			mo_strlcpy(last, err.msg, sizeof(last));
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)(n->interval_ms / 1000);
		ts.tv_nsec += (long)(n->interval_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&n->lock);
		if (!atomic_load(&n->stop))
			pthread_cond_timedwait(&n->wake, &n->lock, &ts);
		pthread_mutex_unlock(&n->lock);
	}
	return NULL;
}

int hub_notifier_start(struct hub_notifier **out, struct hub_store *s, uint64_t interval_ms,
		       struct mo_err *err)
{
	struct hub_notifier *n = calloc(1, sizeof(*n));
	int e;

	*out = NULL;
	if (n == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	n->store = s;
	n->interval_ms = interval_ms ? interval_ms : 1000;
	atomic_init(&n->stop, false);
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->wake, NULL);
	pthread_once(&curl_once, curl_init);
	if ((e = pthread_create(&n->thread, NULL, notifier_main, n)) != 0) {
		pthread_cond_destroy(&n->wake);
		pthread_mutex_destroy(&n->lock);
		free(n);
		return mo_err_set(err, MO_ERROR, NULL, "cannot start the notify thread: %s",
				  strerror(e));
	}
	*out = n;
	return MO_OK;
}

void hub_notifier_stop(struct hub_notifier *n)
{
	if (n == NULL)
		return;
	pthread_mutex_lock(&n->lock);
	atomic_store(&n->stop, true);
	pthread_cond_signal(&n->wake);
	pthread_mutex_unlock(&n->lock);
	pthread_join(n->thread, NULL);
	pthread_cond_destroy(&n->wake);
	pthread_mutex_destroy(&n->lock);
	free(n);
}
