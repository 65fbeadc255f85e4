/*
 * mo-fleet — a morning peak of N field laptops against one or more hubs
 * (issue 13 item 6).  Every laptop is a real enrolled device with its own
 * Ed25519 key; its envelopes are sealed by libmoproto exactly as mo-agent
 * seals them (preset dictionary, signature, chained prev), but N laptops
 * live in one process and one libcurl multi loop instead of N agents, so
 * the load generator costs little next to the hubs it measures.
 *
 *   setup (not timed)  units of ten laptops, one enrolment token each
 *                      (`mo-hub enroll-token`), POST /v1/enroll; yesterday's
 *                      batch (seq 1, --decide cases per laptop) pushed and
 *                      decided by the desk through the staff API
 *   peak (timed)       laptop i arrives at a seeded random moment in
 *                      [0, --window) seconds: it pushes its trip (seq 2,
 *                      --trip applications in one batch; its answer carries
 *                      the first page of news) and pulls while `more` is set; its sync latency is arrival → last
 *                      answer; a failed request is retried (the same
 *                      envelope: exactly-once is the hub's job) up to 5 times
 *   check              every laptop's trip acknowledged with nothing set
 *                      aside; every decision received exactly once; the
 *                      desk's case total is exactly N × (trip + decide)
 *
 * The figures go to stdout as one JSON object (bench/fleet/run collects the
 * rows).  Requests round-robin over the --url list (or go to one nginx).
 */
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "compress.h"
#include "envelope.h"
#include "hlc.h"
#include "json.h"
#include "keys.h"
#include "mo_buf.h"
#include "mo_util.h"

#define MAX_URLS 8
#define MAX_TRIES 5
#define RESP_MAX (PROTO_ENVELOPE_MAX + 1024)

struct opts {
	const char *urls[MAX_URLS];
	int nurls;
	const char *hub_data, *mo_hub, *password_file;
	long laptops, trip, decide;
	double window_s;
	unsigned long seed;
	long conns;
};

struct laptop {
	EVP_PKEY *key;
	unsigned char pub[PROTO_PUBKEY_LEN];
	char id[PROTO_ID_LEN], code[48], unit[48];
	long long seq, n, cursor;
	char prev[MO_SHA256_HEX];
	char (*decided)[MO_UUID_LEN]; /* ids of yesterday's cases the desk decided */
	int *seen;                    /* times each decision arrived */
	unsigned char *trip_env;      /* the sealed peak upload */
	size_t trip_len;
	double arrive, done;          /* seconds since the peak began */
	double push_done;
	int phase; /* 0 waiting, 1 pushing, 2 pulling, 3 done, 4 failed */
	int tries;
	struct mo_buf resp;
	struct curl_slist *hdrs;
	struct mo_buf pull_env;
};

static unsigned char hub_pub[PROTO_PUBKEY_LEN];
static char hub_id[PROTO_ID_LEN];
static char admin_cookie[256], admin_csrf[128];
static long long errors, retries;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "mo-fleet: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(1);
}

static void need(int rc, const char *what)
{
	if (rc != MO_OK)
		die(what, "out of memory or internal error");
}

/* ---- blocking HTTP for the setup ---- */

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct mo_buf *b = arg;

	return mo_buf_add(b, p, size * n) == MO_OK ? size * n : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	size_t len = size * n;

	(void)arg;
	if (len > 22 && strncasecmp(p, "Set-Cookie: mo_session=", 23) == 0) {
		size_t i = 23;
		size_t o = 0;

		while (i < len && p[i] != ';' && p[i] != '\r' && o + 1 < sizeof(admin_cookie))
			admin_cookie[o++] = p[i++];
		admin_cookie[o] = '\0';
	}
	return len;
}

static long http(const char *url, const char *path, const char *ctype, const void *body,
		 size_t len, struct mo_buf *out, bool staff)
{
	char full[1024], h1[300], h2[300], h3[200];
	struct curl_slist *hd = NULL;
	CURL *c = curl_easy_init();
	long status = 0;

	if (!c)
		die("curl", NULL);
	snprintf(full, sizeof(full), "%s%s", url, path);
	snprintf(h1, sizeof(h1), "Content-Type: %s", ctype);
	hd = curl_slist_append(hd, h1);
	if (staff && admin_cookie[0]) {
		snprintf(h2, sizeof(h2), "Cookie: mo_session=%s", admin_cookie);
		snprintf(h3, sizeof(h3), "X-CSRF-Token: %s", admin_csrf);
		hd = curl_slist_append(hd, h2);
		hd = curl_slist_append(hd, h3);
	}
	curl_easy_setopt(c, CURLOPT_URL, full);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	mo_buf_reset(out);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hd);
	curl_easy_cleanup(c);
	return status;
}

/* ---- what a laptop writes ---- */

static long days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

/* a valid RNOKPP for the birth date: five digits of days since 31.12.1899 */
static void rnokpp(char out[11], long y, unsigned m, unsigned d, unsigned serial)
{
	static const int w[9] = {-1, 5, 7, 9, 4, 6, 10, 5, 7};
	long days = days_from_civil(y, m, d) - days_from_civil(1899, 12, 31);
	long sum = 0;
	char t[32];

	snprintf(t, sizeof(t), "%05ld%04u", days % 100000, serial % 10000);
	memcpy(out, t, 9);
	for (int i = 0; i < 9; i++)
		sum += (out[i] - '0') * w[i];
	out[9] = (char)('0' + (char)(((sum % 11) + 11) % 11 % 10));
	out[10] = '\0';
}

static const char *const surnames[] = {"Шевченко", "Коваленко", "Бондаренко", "Ткаченко",
				       "Кравченко", "Олійник", "Ґудзь", "Мельник"};
static const char *const services[] = {"CIV-02", "PAS-01", "TAX-01", "SOC-03"};

static void add_case(struct mo_buf *b, struct laptop *l, long k, long long hlc, char id[MO_UUID_LEN])
{
	char num[96], inn[11], h[PROTO_HLC_HEX];
	unsigned serial = (unsigned)(k * 7 + l->n) % 10000;

	need(mo_uuid_v4(id), "uuid");
	l->n++;
	snprintf(num, sizeof(num), "%s-2026-%06ld", l->code, k + 1);
	rnokpp(inn, 1940 + (long)(k % 50), (unsigned)(k % 12) + 1, (unsigned)(k % 28) + 1, serial);
	proto_hlc_format(h, hlc + (uint64_t)l->n);
	need(mo_buf_addf(b,
			 "%s{\"n\":%lld,\"entity\":\"case\",\"id\":\"%s\",\"op\":\"upsert\",\"hlc\":\"%s\","
			 "\"fields\":{\"number\":\"%s\",\"unit\":\"%s\",\"device\":\"%s\",\"trip\":null,"
			 "\"operator\":\"Олена Коваль\",\"created_at\":\"2026-12-05T07:01:47.349Z\","
			 "\"channel\":\"mobile_office\",\"package\":null,"
			 "\"services\":[{\"code\":\"%s\",\"status\":\"submitted\"}],"
			 "\"applicant\":{\"surname\":\"%s\",\"given_name\":\"Тарас\","
			 "\"patronymic\":\"Григорович\",\"birth_date\":\"%04ld-%02u-%02u\","
			 "\"rnokpp\":\"%s\",\"phone\":\"+38097%07ld\",\"address\":{\"region\":\"Київська\","
			 "\"hromada\":\"Бучанська\",\"settlement\":\"Ворзель\",\"postcode\":\"08296\","
			 "\"street\":\"Яблунева\",\"house\":\"%ld\",\"apartment\":null},"
			 "\"documents\":[{\"type\":\"id_card\",\"number\":\"%09ld\",\"issued\":\"2016-06-05\"}],"
			 "\"mobility\":null},\"documents_presented\":[\"РНОКПП\"],\"consent\":true,"
			 "\"fee_uah\":0,\"notes\":\"\"}}",
			 b->len > 1 ? "," : "", l->n, id, h, num, l->unit, l->code,
			 services[k % 4], surnames[k % 8], 1940 + (long)(k % 50),
			 (unsigned)(k % 12) + 1, (unsigned)(k % 28) + 1, inn,
			 (long)((k * 7919 + l->n) % 10000000), k % 120 + 1, 100000000 + k),
	     "case");
}

/* seal an upload of `count` new cases numbered from `first_case`; ids out */
static void seal_upload(struct laptop *l, long first_case, long count, struct mo_buf *env,
			char (*ids)[MO_UUID_LEN])
{
	struct proto_seal_opts o = PROTO_SEAL_OPTS_INIT;
	struct proto_header h;
	struct mo_buf raw;
	struct mo_err err = MO_ERR_INIT;
	char tmp[MO_UUID_LEN];
	long long first = l->n + 1;
	uint64_t hlc = (uint64_t)mo_now_ms() << 16;

	mo_buf_init(&raw, PROTO_INFLATED_MAX);
	need(mo_buf_addc(&raw, '['), "payload");
	for (long k = 0; k < count; k++)
		add_case(&raw, l, first_case + k, hlc, ids ? ids[k] : tmp);
	need(mo_buf_addc(&raw, ']'), "payload");
	memset(&h, 0, sizeof(h));
	mo_strlcpy(h.hub, hub_id, sizeof(h.hub));
	mo_strlcpy(h.device, l->id, sizeof(h.device));
	h.seq = l->seq + 1;
	mo_strlcpy(h.prev, l->prev, sizeof(h.prev));
	h.first = first;
	h.last = l->n;
	h.count = count;
	h.hlc = hlc + (uint64_t)l->n + 1;
	h.schema = PROTO_SCHEMA;
	h.cursor = l->cursor;
	o.kind = PROTO_KIND_UPLOAD;
	o.hdr = &h;
	o.payload = raw.data;
	o.payload_len = raw.len;
	o.dict_id = proto_dict_default();
	o.key = l->key;
	if (proto_envelope_seal(env, &o, &err) != MO_OK)
		die("seal", err.msg);
	mo_buf_release(&raw);
}

static void seal_pull(struct laptop *l, struct mo_buf *env)
{
	struct proto_seal_opts o = PROTO_SEAL_OPTS_INIT;
	struct proto_header h;
	struct mo_err err = MO_ERR_INIT;

	memset(&h, 0, sizeof(h));
	mo_strlcpy(h.hub, hub_id, sizeof(h.hub));
	mo_strlcpy(h.device, l->id, sizeof(h.device));
	h.hlc = (uint64_t)mo_now_ms() << 16;
	h.schema = PROTO_SCHEMA;
	h.cursor = l->cursor;
	o.kind = PROTO_KIND_PULL;
	o.hdr = &h;
	o.key = l->key;
	mo_buf_reset(env);
	if (proto_envelope_seal(env, &o, &err) != MO_OK)
		die("seal pull", err.msg);
}

/*
 * Verify a hub answer; returns the payload tree (caller frees) and fills
 * ack/cursor/more, or NULL when it does not verify.
 */
static cJSON *open_answer(const struct mo_buf *b, long long *ack, long long *cursor, bool *more)
{
	struct proto_envelope env;
	struct mo_err err = MO_ERR_INIT;
	struct mo_buf raw;
	cJSON *p = NULL;

	mo_buf_init(&raw, PROTO_INFLATED_MAX);
	if (proto_envelope_open(&env, b->data, b->len, &err) != MO_OK ||
	    env.kind != PROTO_KIND_RESPONSE ||
	    proto_envelope_verify(&env, hub_pub, &err) != MO_OK ||
	    proto_envelope_inflate(&raw, &env, &err) != MO_OK ||
	    proto_json_parse(&p, (const char *)raw.data, raw.len, NULL, &err) != MO_OK) {
		mo_buf_release(&raw);
		return NULL;
	}
	mo_buf_release(&raw);
	*ack = env.hdr.ack;
	*cursor = env.hdr.cursor;
	*more = env.hdr.more;
	return p;
}

/* count the desk's decisions among the changes of an answer */
static void count_decisions(struct laptop *l, const cJSON *payload, long decide)
{
	const cJSON *ch, *changes = cJSON_GetObjectItemCaseSensitive(payload, "changes");

	cJSON_ArrayForEach(ch, changes) {
		const char *e = proto_json_str(ch, "entity"), *op = proto_json_str(ch, "op");
		const char *id = proto_json_str(ch, "id");

		if (!e || !op || !id || strcmp(e, "case") != 0 || strcmp(op, "transition") != 0)
			continue;
		for (long k = 0; k < decide; k++)
			if (strcmp(l->decided[k], id) == 0)
				l->seen[k]++;
	}
}

static int quarantined(const cJSON *payload)
{
	return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(payload, "quarantined"));
}

/* ---- setup ---- */

static void run_cli(const struct opts *o, const char *args, char *out, size_t outlen)
{
	char cmd[2048];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "'%s' %s --data '%s' 2>&1", o->mo_hub, args, o->hub_data);
	if ((p = popen(cmd, "r")) == NULL)
		die("popen", cmd);
	n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	if (pclose(p) != 0)
		die(cmd, out);
}

static void enroll(const struct opts *o, struct laptop *l, long i)
{
	char tok[256], args[256], url_unused[1];
	struct mo_buf body, resp, b64;
	struct mo_err err = MO_ERR_INIT;
	cJSON *j = NULL;
	const char *s;
	long st;

	(void)url_unused;
	snprintf(l->unit, sizeof(l->unit), "FL-%04ld", i / 10 + 1);
	if (i % 10 == 0) {
		snprintf(args, sizeof(args), "unit add --code %s --name 'Мобільний офіс %ld' --kind truck",
			 l->unit, i / 10 + 1);
		run_cli(o, args, tok, sizeof(tok));
	}
	snprintf(args, sizeof(args), "enroll-token --unit %s", l->unit);
	run_cli(o, args, tok, sizeof(tok));
	need(proto_key_generate(&l->key, &err), "key");
	need(proto_key_public_raw(l->pub, l->key, &err), "key");
	proto_key_id(l->id, l->pub);
	mo_buf_init(&b64, 1024);
	mo_buf_init(&body, 4096);
	mo_buf_init(&resp, 1 << 16);
	need(mo_base64_encode(&b64, l->pub, sizeof(l->pub)), "b64");
	need(mo_buf_addf(&body,
			 "{\"token\":\"%s\",\"public_key\":\"%s\",\"hostname\":\"fleet-%ld\","
			 "\"operator\":\"Олена Коваль\"}",
			 tok, mo_buf_cstr(&b64), i),
	     "enroll body");
	st = http(o->urls[i % o->nurls], "/v1/enroll", "application/json", body.data, body.len,
		  &resp, false);
	if (st != 200 || proto_json_parse(&j, (const char *)resp.data, resp.len, NULL, &err) != MO_OK)
		die("enrolment refused", mo_buf_cstr(&resp));
	mo_strlcpy(l->code, (s = proto_json_str(j, "device_code")) ? s : "", sizeof(l->code));
	if (!hub_id[0]) {
		struct mo_buf raw;

		mo_strlcpy(hub_id, proto_json_str(j, "hub"), sizeof(hub_id));
		mo_buf_init(&raw, 256);
		s = proto_json_str(j, "hub_public_key");
		if (!s || mo_base64_decode(&raw, s, strlen(s)) != MO_OK || raw.len != PROTO_PUBKEY_LEN)
			die("hub key", NULL);
		memcpy(hub_pub, raw.data, PROTO_PUBKEY_LEN);
		mo_buf_release(&raw);
	}
	cJSON_Delete(j);
	mo_buf_release(&b64);
	mo_buf_release(&body);
	mo_buf_release(&resp);
	mo_strlcpy(l->prev, PROTO_PREV_NONE, sizeof(l->prev));
}

static void admin_login(const struct opts *o)
{
	char pw[256] = "";
	struct mo_buf body, resp;
	struct mo_err err = MO_ERR_INIT;
	cJSON *j = NULL;
	const char *s;

	if (mo_file_first_line(pw, sizeof(pw), o->password_file, &err) != MO_OK)
		die("password file", err.msg);
	mo_buf_init(&body, 1024);
	mo_buf_init(&resp, 1 << 16);
	need(mo_buf_addf(&body, "{\"login\":\"admin\",\"password\":\"%s\"}", pw), "login");
	if (http(o->urls[0], "/api/login", "application/json", body.data, body.len, &resp, false) !=
		200 ||
	    proto_json_parse(&j, (const char *)resp.data, resp.len, NULL, &err) != MO_OK ||
	    (s = proto_json_str(j, "csrf_token")) == NULL)
		die("admin sign-in refused", mo_buf_cstr(&resp));
	mo_strlcpy(admin_csrf, s, sizeof(admin_csrf));
	cJSON_Delete(j);
	mo_buf_release(&body);
	mo_buf_release(&resp);
}

/* yesterday: seq 1 with `decide` cases, acknowledged, then decided at the desk */
static void yesterday(const struct opts *o, struct laptop *l, long i)
{
	struct mo_buf env, resp;
	long long ack, cursor;
	bool more;
	cJSON *p;

	mo_buf_init(&env, PROTO_ENVELOPE_MAX);
	mo_buf_init(&resp, RESP_MAX);
	seal_upload(l, 0, o->decide, &env, l->decided);
	if (http(o->urls[i % o->nurls], "/v1/sync", "application/vnd.mobile-office.batch",
		 env.data, env.len, &resp, false) != 200 ||
	    (p = open_answer(&resp, &ack, &cursor, &more)) == NULL || ack != 1 || quarantined(p))
		die("yesterday's batch was not acknowledged", NULL);
	cJSON_Delete(p);
	l->seq = 1;
	proto_envelope_hash(l->prev, env.data, env.len);
	l->cursor = cursor;
	mo_buf_release(&env);
	mo_buf_release(&resp);
}

static void decide_all(const struct opts *o, struct laptop *ls)
{
	struct mo_buf resp;
	char path[256];
	static const char body[] = "{\"decision\":\"approved\"}";

	mo_buf_init(&resp, 1 << 20);
	for (long i = 0; i < o->laptops; i++)
		for (long k = 0; k < o->decide; k++) {
			snprintf(path, sizeof(path), "/api/cases/%s/decision", ls[i].decided[k]);
			if (http(o->urls[(i + k) % o->nurls], path, "application/json", body,
				 sizeof(body) - 1, &resp, true) != 200)
				die("a decision was refused", mo_buf_cstr(&resp));
		}
	mo_buf_release(&resp);
}

static long long desk_total(const struct opts *o)
{
	struct mo_buf resp;
	struct mo_err err = MO_ERR_INIT;
	cJSON *j = NULL;
	long long total = -1;

	mo_buf_init(&resp, 1 << 22);
	if (http(o->urls[0], "/api/cases?limit=1", "application/json", NULL, 0, &resp, true) == 200 &&
	    proto_json_parse(&j, (const char *)resp.data, resp.len, NULL, &err) == MO_OK)
		(void)proto_json_int(j, "total", &total);
	cJSON_Delete(j);
	mo_buf_release(&resp);
	return total;
}

/* ---- the peak ---- */

static CURL *start_request(struct laptop *l, const struct opts *o, long i, const void *body,
			   size_t len)
{
	CURL *c = curl_easy_init();
	char url[1024];

	if (!c)
		die("curl", NULL);
	snprintf(url, sizeof(url), "%s/v1/sync", o->urls[(i + l->tries + l->phase) % o->nurls]);
	if (!l->hdrs)
		l->hdrs = curl_slist_append(NULL, "Content-Type: application/vnd.mobile-office.batch");
	mo_buf_reset(&l->resp);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, l->hdrs);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &l->resp);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_PRIVATE, l);
	return c;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *v, long n, double p)
{
	long i;

	if (n == 0)
		return 0;
	i = (long)ceil(p * (double)n) - 1;
	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mo-fleet --url URL [--url URL ...] --hub-data DIR --mo-hub PATH\n"
		"                --password-file F [--laptops 200] [--trip 130] [--decide 2]\n"
		"                [--window 60] [--seed 42] [--conns 512]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = {.laptops = 200, .trip = 130, .decide = 2, .window_s = 60, .seed = 42,
			 .conns = 512};
	struct laptop *ls;
	long *order;
	double t0, *lat, *push_lat, setup_s, end;
	long next = 0, finished = 0, failed = 0, nlat = 0;
	long long lost_dec = 0, dup_dec = 0, unacked = 0, set_aside = 0, total, expected;
	CURLM *m;
	struct rusage ru;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		long long x;

		if (!v)
			usage();
		if (strcmp(a, "--url") == 0 && o.nurls < MAX_URLS)
			o.urls[o.nurls++] = v;
		else if (strcmp(a, "--hub-data") == 0)
			o.hub_data = v;
		else if (strcmp(a, "--mo-hub") == 0)
			o.mo_hub = v;
		else if (strcmp(a, "--password-file") == 0)
			o.password_file = v;
		else if (strcmp(a, "--window") == 0)
			o.window_s = strtod(v, NULL);
		else if (mo_parse_i64(&x, v, 0, 1000000) &&
			 (strcmp(a, "--laptops") == 0 || strcmp(a, "--trip") == 0 ||
			  strcmp(a, "--decide") == 0 || strcmp(a, "--seed") == 0 ||
			  strcmp(a, "--conns") == 0)) {
			if (strcmp(a, "--laptops") == 0)
				o.laptops = (long)x;
			else if (strcmp(a, "--trip") == 0)
				o.trip = (long)x;
			else if (strcmp(a, "--decide") == 0)
				o.decide = (long)x;
			else if (strcmp(a, "--seed") == 0)
				o.seed = (unsigned long)x;
			else
				o.conns = (long)x;
		} else
			usage();
		i++;
	}
	if (!o.nurls || !o.hub_data || !o.mo_hub || !o.password_file || o.laptops < 1 ||
	    o.trip < 1 || o.window_s < 0)
		usage();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ls = calloc((size_t)o.laptops, sizeof(*ls));
	order = calloc((size_t)o.laptops, sizeof(*order));
	lat = calloc((size_t)o.laptops, sizeof(*lat));
	push_lat = calloc((size_t)o.laptops, sizeof(*push_lat));
	if (!ls || !order || !lat || !push_lat)
		die("out of memory", NULL);

	/* setup */
	t0 = now_s();
	for (long i = 0; i < o.laptops; i++) {
		enroll(&o, &ls[i], i);
		if ((i + 1) % 100 == 0)
			fprintf(stderr, "mo-fleet: enrolled %ld of %ld\n", i + 1, o.laptops);
	}
	admin_login(&o);
	for (long i = 0; i < o.laptops; i++) {
		struct laptop *l = &ls[i];
		struct mo_buf env;

		l->decided = calloc((size_t)(o.decide ? o.decide : 1), sizeof(*l->decided));
		l->seen = calloc((size_t)(o.decide ? o.decide : 1), sizeof(*l->seen));
		if (!l->decided || !l->seen)
			die("out of memory", NULL);
		if (o.decide)
			yesterday(&o, l, i);
		mo_buf_init(&env, PROTO_ENVELOPE_MAX);
		seal_upload(l, o.decide, o.trip, &env, NULL);
		l->trip_env = mo_buf_detach(&env, &l->trip_len);
		mo_buf_init(&l->resp, RESP_MAX);
		mo_buf_init(&l->pull_env, 4096);
	}
	decide_all(&o, ls);
	setup_s = now_s() - t0;
	fprintf(stderr, "mo-fleet: setup done in %.1f s; the peak begins\n", setup_s);

	/* arrivals: seeded, uniform over the window, in time order */
	srand((unsigned)o.seed);
	for (long i = 0; i < o.laptops; i++) {
		ls[i].arrive = o.window_s * ((double)rand() / ((double)RAND_MAX + 1.0));
		order[i] = i;
	}
	for (long i = 1; i < o.laptops; i++) /* insertion sort by arrival */
		for (long j = i; j > 0 && ls[order[j]].arrive < ls[order[j - 1]].arrive; j--) {
			long t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}

	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, o.conns);
	t0 = now_s();
	while (finished + failed < o.laptops) {
		double t = now_s() - t0;
		int running, left;
		CURLMsg *msg;

		while (next < o.laptops && ls[order[next]].arrive <= t) {
			struct laptop *l = &ls[order[next]];

			l->phase = 1;
			l->arrive = t; /* the moment it really started */
			curl_multi_add_handle(m, start_request(l, &o, order[next], l->trip_env,
							       l->trip_len));
			next++;
		}
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct laptop *l;
			long st = 0, idx;
			long long ack = -1, cursor = 0;
			bool more = false;
			cJSON *p = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&l);
			idx = l - ls;
			if (msg->data.result == CURLE_OK)
				curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &st);
			curl_multi_remove_handle(m, msg->easy_handle);
			curl_easy_cleanup(msg->easy_handle);
			if (st == 200)
				p = open_answer(&l->resp, &ack, &cursor, &more);
			if (!p || (l->phase == 1 && ack != l->seq + 1)) {
				errors++;
				cJSON_Delete(p);
				if (++l->tries >= MAX_TRIES) {
					l->phase = 4;
					failed++;
					continue;
				}
				retries++;
				curl_multi_add_handle(
				    m, l->phase == 1
					   ? start_request(l, &o, idx, l->trip_env, l->trip_len)
					   : start_request(l, &o, idx, l->pull_env.data, l->pull_env.len));
				continue;
			}
			l->tries = 0;
			if (l->phase == 1) {
				l->seq++;
				proto_envelope_hash(l->prev, l->trip_env, l->trip_len);
				set_aside += quarantined(p);
				l->push_done = now_s() - t0;
				l->phase = 2; /* then pull while the hub says there is more */
			}
			count_decisions(l, p, o.decide); /* an upload's answer carries them too */
			if (cursor >= l->cursor)
				l->cursor = cursor;
			cJSON_Delete(p);
			if (more) {
				seal_pull(l, &l->pull_env);
				curl_multi_add_handle(
				    m, start_request(l, &o, idx, l->pull_env.data, l->pull_env.len));
			} else {
				l->phase = 3;
				l->done = now_s() - t0;
				finished++;
			}
		}
		if (next < o.laptops) {
			double wait_ms = (ls[order[next]].arrive - (now_s() - t0)) * 1000;
			int w = wait_ms < 0 ? 0 : wait_ms > 20 ? 20 : (int)wait_ms;

			curl_multi_poll(m, NULL, 0, w, NULL);
		} else {
			curl_multi_poll(m, NULL, 0, 50, NULL);
		}
	}
	end = now_s() - t0;
	curl_multi_cleanup(m);

	for (long i = 0; i < o.laptops; i++) {
		struct laptop *l = &ls[i];

		if (l->phase == 3) {
			lat[nlat] = l->done - l->arrive;
			push_lat[nlat++] = l->push_done - l->arrive;
		}
		if (l->seq != (o.decide ? 2 : 1))
			unacked++;
		for (long k = 0; k < o.decide; k++) {
			if (l->seen[k] == 0)
				lost_dec++;
			else if (l->seen[k] > 1)
				dup_dec += l->seen[k] - 1;
		}
	}
	qsort(lat, (size_t)nlat, sizeof(double), cmp_double);
	qsort(push_lat, (size_t)nlat, sizeof(double), cmp_double);
	total = desk_total(&o);
	expected = (long long)o.laptops * (o.trip + o.decide);
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"laptops\":%ld,\"trip\":%ld,\"decide\":%ld,\"window_s\":%.1f,\"hubs\":%d,"
	       "\"setup_s\":%.1f,\"peak_s\":%.2f,\"applications\":%lld,\"apps_per_s\":%.0f,"
	       "\"p50_s\":%.3f,\"p99_s\":%.3f,\"max_s\":%.3f,\"push_p50_s\":%.3f,\"push_p99_s\":%.3f,"
	       "\"errors\":%lld,\"retries\":%lld,\"failed_laptops\":%ld,\"unacked\":%lld,"
	       "\"set_aside\":%lld,\"desk_total\":%lld,\"expected_total\":%lld,"
	       "\"lost\":%lld,\"duplicated\":%lld,\"decisions_lost\":%lld,"
	       "\"decisions_duplicated\":%lld,\"generator_cpu_s\":%.2f}\n",
	       o.laptops, o.trip, o.decide, o.window_s, o.nurls, setup_s, end,
	       (long long)o.laptops * o.trip, end > 0 ? (double)o.laptops * (double)o.trip / end : 0,
	       pct(lat, nlat, 0.50), pct(lat, nlat, 0.99), nlat ? lat[nlat - 1] : 0,
	       pct(push_lat, nlat, 0.50), pct(push_lat, nlat, 0.99), errors, retries, failed,
	       unacked, set_aside, total, expected, total >= 0 && total < expected ? expected - total : 0,
	       total > expected ? total - expected : 0, lost_dec, dup_dec,
	       (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	for (long i = 0; i < o.laptops; i++) {
		EVP_PKEY_free(ls[i].key);
		free(ls[i].decided);
		free(ls[i].seen);
		free(ls[i].trip_env);
		mo_buf_release(&ls[i].resp);
		mo_buf_release(&ls[i].pull_env);
		curl_slist_free_all(ls[i].hdrs);
	}
	free(ls);
	free(order);
	free(lat);
	free(push_lat);
	curl_global_cleanup();
	return (failed || unacked || set_aside || lost_dec || dup_dec || total != expected) ? 1 : 0;
}
