/*
 * http.c — the hub's HTTP server on libmicrohttpd.
 *
 * One access handler routes through a {method, path, fn} table.  The body
 * goes into a capped mo_buf: a Content-Length past the route's cap is
 * answered 413 before a byte of the body is read, and a body without one
 * that grows past the cap drops the connection.  Per-request state is
 * freed in the completion callback.  No MHD_PostProcessor: bodies are
 * envelopes, JSON or blob chunks.  Handlers stay thin: they call
 * hub_sync / hub_enroll / hub_blob and encode the reply; hub_http_status()
 * is the one mapping from errors to HTTP statuses.  The staff API (/api/)
 * is answered by api.c and the UI files by ui.c; this file only copies the
 * request out of the connection and the answer into a response, with the
 * security headers every browser-facing answer carries.
 *
 * The edge (http.h): a sync envelope's header is judged while its body
 * arrives (proto_envelope_peek, hub_sync_admit) and a refused one is
 * dropped as it comes; all bodies in flight share one budget; a watchdog
 * thread closes connections past the header or request deadline; one
 * address holds at most max_conn_per_addr connections.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "api.h"
#include "envelope.h"
#include "http.h"
#include "hub.h"

#define ENROLL_BODY_MAX (16u << 10)
#define BLOB_BODY_MAX (1u << 20)
/*
 * Request threads.  A handler blocks its thread (a batch waiting for the
 * writer, a password check), and the batches queued while the writer works
 * are applied together (group commit, sync.c): the pool bounds both how many
 * laptops can be in one group and how many other requests go on meanwhile.
 */
#define THREADS 16
/*
 * Connections: slow or idle clients (a 2G link, or a slowloris) each hold a
 * slot until CONN_TIMEOUT_S without a byte, so the hub keeps many slots and
 * raises its file-descriptor limit to pay for them.  A connection that
 * keeps trickling is closed by the watchdog at the header or request
 * deadline (struct conn).  The per-address cap is generous by default: a
 * whole region's laptops may share one carrier-NAT address.
 */
#define CONN_LIMIT_MAX 4096u
#define CONN_FD_RESERVE 128u /* database, blobs, logs */
#define CONN_MEMORY (64u << 10)
#define CONN_TIMEOUT_S 60

#define RETRY_AFTER_S "10" /* a full body budget: try again soon */
/* sync bodies in flight per device: its sync, stale connections of dropped
 * links not yet timed out, racing retries (safe by the contract); 4 x 8 MiB
 * is half the default budget, so one device id cannot hold all of it */
#define DEVICE_BODIES_MAX 4u

/* where a connection is in its current request; the deadline of each */
enum conn_phase {
	CONN_HEADERS, /* waiting for (the rest of) a header section */
	CONN_BODY,    /* headers in, body arriving */
	CONN_ANSWER,  /* request complete: the hub works or answers */
};

/*
 * One accepted connection (the MHD socket context), on the server's list
 * while it is open.  The watchdog reads the list under srv->lock and may
 * shutdown() a connection's socket: MHD tells CLOSED (which unlinks it,
 * under the same lock) before it closes the descriptor, so the watchdog
 * never touches a descriptor that was reused.
 */
struct conn {
	struct conn *prev, *next;
	struct hub_http *srv;
	int fd;
	uint64_t start_ms; /* of the current request's first byte (or accept) */
	enum conn_phase phase;
	char addr[HUB_ADDR_MAX]; /* the peer */
	bool trusted;		 /* the peer is a trusted proxy */
	bool refused;		 /* over the per-address cap: being closed */
	bool closing;		 /* shut down by the watchdog */
	char device[PROTO_ID_LEN]; /* sync body in flight for this device, or "" */
};

struct hub_http {
	struct MHD_Daemon *d, *metrics_d;
	struct hub *h;
	struct hub_http_opts o;
	char trusted[HUB_TRUSTED_PROXY_MAX][HUB_ADDR_MAX];
	char *metrics_token;
	struct mo_buf tls_cert, tls_key;
	atomic_size_t body_held; /* bytes held by all request bodies */
	pthread_mutex_t lock;	 /* the connection list */
	struct conn *conns;
	pthread_t watchdog;
	pthread_cond_t stop_cond;
	bool stopping, watchdog_running;
};

struct req;
typedef enum MHD_Result (*route_fn)(struct hub_http *srv, struct MHD_Connection *c, struct req *r,
				    const char *url);

struct route {
	const char *method;
	const char *path;
	bool prefix;
	size_t max_body;
	route_fn fn;
};

struct req {
	const struct route *route;
	struct mo_buf body;
	size_t held;		/* bytes counted in srv->body_held */
	size_t seen;		/* body bytes received, kept or dropped */
	bool replied;
	bool admitted;		/* a sync envelope's header passed hub_sync_admit */
	bool discard;		/* refused mid-body: the rest is read, not kept */
	struct mo_err deferred; /* the refusal answered once the body is in */
};

/* ---- errors ---- */

int hub_http_status(const struct mo_err *err)
{
	static const struct {
		const char *code;
		int status;
	} table[] = {
	    {"bad_token", 401},		 {"unknown_device", 401},
	    {"bad_envelope", 400},	 {"device_revoked", 403},
	    {"wrong_hub", 403},		 {"seq_gap", 409},
	    {"too_large", 413},		 {"seq_conflict", 409},
	    {"bad_compression", 400},	 {"chain_broken", 409},
	    {"digest_mismatch", 422},	 {"bad_payload", 422},
	    {"bad_signature", 401},	 {"clock_skew", 400},
	    {"rate_limited", 429},	 {"not_found", 404},
	    {"method_not_allowed", 405}, {"bad_offset", 409},
	    {"device_exists", 409},	 {"unauthenticated", 401},
	    {"bad_login", 401},		 {"csrf", 403},
	    {"forbidden", 403},		 {"missing_reason", 422},
	    {"illegal_transition", 409}, {"bad_request", 400},
	    {"bad_value", 400},		 {"conflict", 409},
	    {"over_quota", 507},
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(err->code, table[i].code) == 0)
			return table[i].status;
	switch (err->rc) {
	case MO_EINVAL:
	case MO_ECORRUPT: return 400;
	case MO_EAUTH: return 401;
	case MO_EFORBIDDEN: return 403;
	case MO_ENOTFOUND: return 404;
	case MO_ECONFLICT: return 409;
	case MO_ETOOBIG: return 413;
	case MO_EDIGEST: return 422;
	case MO_EBUSY: return 503;
	case MO_EFULL: return 507;
	default: return 500;
	}
}

/* ---- replies ---- */

static struct MHD_Response *response_from(struct mo_buf *body)
{
	size_t len;
	unsigned char *p = mo_buf_detach(body, &len);
	struct MHD_Response *resp;

	if (p == NULL)
		return NULL;
	resp = MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		free(p);
	return resp;
}

static enum MHD_Result queue(struct MHD_Connection *c, struct req *r, unsigned status,
			     struct MHD_Response *resp)
{
	enum MHD_Result ret;

	if (resp == NULL)
		return MHD_NO;
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	if (r && ret == MHD_YES)
		r->replied = true;
	return ret;
}

static enum MHD_Result reply(struct MHD_Connection *c, struct req *r, unsigned status,
			     const char *ctype, struct mo_buf *body)
{
	struct MHD_Response *resp = response_from(body);

	if (resp && ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	return queue(c, r, status, resp);
}

static struct MHD_Response *error_response(const struct mo_err *err, int *status)
{
	struct mo_buf b = MO_BUF_INIT(4096);
	cJSON *o = cJSON_CreateObject(), *e = cJSON_CreateObject();
	struct MHD_Response *resp = NULL;
	const char *code = err->code[0] ? err->code : (err->rc == MO_EBUSY ? "busy" : "internal");
	char *text = NULL;

	*status = hub_http_status(err);
	if (o == NULL || e == NULL) {
		cJSON_Delete(e);
		goto done;
	}
	cJSON_AddItemToObject(o, "error", e);
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", err->msg[0] ? err->msg : mo_strerror(err->rc));
	if (strcmp(code, "seq_gap") == 0 && err->expected >= 0)
		cJSON_AddNumberToObject(e, "expected", (double)err->expected);
	if ((text = cJSON_PrintUnformatted(o)) == NULL || mo_buf_adds(&b, text) != MO_OK)
		goto done;
	if ((resp = response_from(&b)) != NULL) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
		if (*status == 503 || *status == 429)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, RETRY_AFTER_S);
	}
done:
	free(text);
	cJSON_Delete(o);
	mo_buf_release(&b);
	return resp;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, struct req *r,
				   const struct mo_err *err)
{
	int status;
	struct MHD_Response *resp = error_response(err, &status);

	return queue(c, r, (unsigned)status, resp);
}

/* ---- routes ---- */

static enum MHD_Result on_enroll(struct hub_http *srv, struct MHD_Connection *c, struct req *r,
				 const char *url)
{
	struct mo_buf out = MO_BUF_INIT(16384);
	struct mo_err err = MO_ERR_INIT;
	enum MHD_Result ret;

	(void)url;
	if (hub_enroll(srv->h, &out, r->body.data ? r->body.data : (const unsigned char *)"",
		       r->body.len, &err) != MO_OK)
		ret = reply_error(c, r, &err);
	else
		ret = reply(c, r, 200, "application/json", &out);
	mo_buf_release(&out);
	return ret;
}

static enum MHD_Result on_sync(struct hub_http *srv, struct MHD_Connection *c, struct req *r,
			       const char *url)
{
	struct mo_buf out = MO_BUF_INIT(PROTO_ENVELOPE_MAX);
	struct mo_err err = MO_ERR_INIT;
	enum MHD_Result ret;

	(void)url;
	if (hub_sync(srv->h, &out, r->body.data ? r->body.data : (const unsigned char *)"",
		     r->body.len, &err) != MO_OK)
		ret = reply_error(c, r, &err);
	else
		ret = reply(c, r, 200, "application/vnd.mobile-office.batch", &out);
	mo_buf_release(&out);
	return ret;
}

static enum MHD_Result on_blob(struct hub_http *srv, struct MHD_Connection *c, struct req *r,
			       const char *url)
{
	struct hub_blob_req br;
	struct hub_blob_res res;
	struct mo_err err = MO_ERR_INIT;
	struct MHD_Response *resp;
	char offset[32];
	int status;

	br.method = r->route->method;
	br.sha256 = url + strlen(r->route->path);
	br.device = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-MO-Device");
	br.time = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-MO-Time");
	br.signature = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-MO-Signature");
	br.nonce = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-MO-Nonce");
	br.range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_RANGE);
	br.body = r->body.data;
	br.len = r->body.len;
	if (hub_blob(srv->h, &br, &res, &err) != MO_OK) {
		resp = error_response(&err, &status);
		if (resp && strcmp(err.code, "bad_offset") == 0) {
			snprintf(offset, sizeof(offset), "%lld", res.offset);
			MHD_add_response_header(resp, "X-MO-Offset", offset);
		}
		return queue(c, r, (unsigned)status, resp);
	}
	{
		struct mo_buf empty = MO_BUF_INIT(1);

		resp = response_from(&empty);
	}
	if (resp) {
		snprintf(offset, sizeof(offset), "%lld", res.offset);
		MHD_add_response_header(resp, "X-MO-Offset", offset);
		MHD_add_response_header(resp, "X-MO-Complete", res.complete ? "1" : "0");
	}
	return queue(c, r, (unsigned)res.status, resp);
}

static enum MHD_Result on_health(struct hub_http *srv, struct MHD_Connection *c, struct req *r,
				 const char *url)
{
	struct mo_buf out = MO_BUF_INIT(1024);
	struct mo_err err = MO_ERR_INIT;
	long long devices = 0;
	char now[32];

	(void)url;
	if (hub_store_devices_active(srv->h->store, &devices, &err) != MO_OK) {
		mo_strlcpy(err.code, "unavailable", sizeof(err.code));
		err.rc = MO_EBUSY;
		return reply_error(c, r, &err);
	}
	mo_iso8601(now, sizeof(now), mo_now_ms(), false);
	if (mo_buf_addf(
		&out, "{\"status\":\"ok\",\"hub\":\"%s\",\"time\":\"%s\",\"devices_active\":%lld}",
		srv->h->id, now, devices) != MO_OK) {
		mo_buf_release(&out);
		return MHD_NO;
	}
	return reply(c, r, 200, "application/json", &out);
}

static bool is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
	       strncmp(addr, "::ffff:127.", 11) == 0;
}

/*
 * /metrics is not public: on its own listen address when one is given
 * (and then only there), else with the token when one is set, else only
 * to a client on this machine.  Answered as an unknown path otherwise.
 */
static bool metrics_allowed(struct hub_http *srv, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_DAEMON);
	const char *auth;
	char addr[HUB_ADDR_MAX];
	bool ok;

	if (srv->metrics_d)
		return ci && ci->daemon == srv->metrics_d;
	if (srv->metrics_token) {
		size_t n = strlen(srv->metrics_token);

		auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						   MHD_HTTP_HEADER_AUTHORIZATION);
		if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 || strlen(auth + 7) != n)
			return false;
		return CRYPTO_memcmp(auth + 7, srv->metrics_token, n) == 0;
	}
	hub_client_addr(c, addr, sizeof(addr));
	ok = is_loopback(addr);
	return ok;
}

static enum MHD_Result on_metrics(struct hub_http *srv, struct MHD_Connection *c, struct req *r,
				  const char *url)
{
	struct mo_buf out = MO_BUF_INIT(64u << 10);
	struct mo_err err = MO_ERR_INIT;
	long long devices = 0;
	enum MHD_Result ret;

	(void)url;
	if (!metrics_allowed(srv, c)) {
		mo_err_set(&err, MO_ENOTFOUND, "not_found", "no such endpoint");
		return reply_error(c, r, &err);
	}
	if (hub_store_devices_active(srv->h->store, &devices, &err) != MO_OK)
		devices = -1;
	if (hub_metrics_render(&srv->h->metrics, devices, &out) != MO_OK) {
		mo_buf_release(&out);
		return MHD_NO;
	}
	ret = reply(c, r, 200, "text/plain; version=0.0.4; charset=utf-8", &out);
	mo_buf_release(&out);
	return ret;
}

/* ---- the staff API and the UI ---- */

static const char *api_arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static struct conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* the numeric text of an address, or false */
static bool numeric_addr(const struct sockaddr *sa, char *out, size_t outlen)
{
	socklen_t len;

	if (sa == NULL || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return false;
	len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	return getnameinfo(sa, len, out, (socklen_t)outlen, NULL, 0, NI_NUMERICHOST) == 0;
}

/* the last entry of an X-Forwarded-For list, when it is an IP literal */
static bool forwarded_for(const char *xff, char *out, size_t outlen)
{
	const char *p = strrchr(xff, ',');
	unsigned char bin[sizeof(struct in6_addr)];
	size_t n;

	p = p ? p + 1 : xff;
	while (*p == ' ' || *p == '\t')
		p++;
	n = strcspn(p, " \t");
	if (n == 0 || n >= outlen || n >= HUB_ADDR_MAX)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return inet_pton(AF_INET, out, bin) == 1 || inet_pton(AF_INET6, out, bin) == 1;
}

void hub_client_addr(struct MHD_Connection *c, char *out, size_t outlen)
{
	struct conn *k = conn_of(c);
	const union MHD_ConnectionInfo *ci;
	const char *xff;

	if (k && k->trusted) {
		xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
		if (xff && forwarded_for(xff, out, outlen))
			return;
	}
	if (k) {
		mo_strlcpy(out, k->addr, outlen);
		return;
	}
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!numeric_addr(ci ? ci->client_addr : NULL, out, outlen))
		mo_strlcpy(out, "unknown", outlen);
}

/* headers of every answer a browser renders */
static void browser_headers(struct MHD_Response *resp, const char *csp, const char *cache)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "SAMEORIGIN");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	if (csp)
		MHD_add_response_header(resp, "Content-Security-Policy", csp);
}

static enum MHD_Result on_api(struct hub_http *srv, struct MHD_Connection *c, struct req *r,
			      const char *url)
{
	struct hub_api_req rq;
	struct hub_api_res rs;
	struct MHD_Response *resp;
	char addr[HUB_ADDR_MAX], retry[32];
	struct conn *k;
	bool file;

	hub_client_addr(c, addr, sizeof(addr));
	memset(&rq, 0, sizeof(rq));
	rq.method = r->route->method;
	rq.path = url;
	rq.session = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, HUB_SESSION_COOKIE);
	rq.csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
	rq.address = addr;
	rq.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	rq.origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	rq.fetch_site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
	rq.host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	/* like X-Forwarded-For, the name a proxy received is believed only from
	 * a trusted proxy: any other client could vouch for any site's Origin */
	k = conn_of(c);
	rq.forwarded_host =
	    k && k->trusted ? MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Host")
			    : NULL;
	rq.body = r->body.data ? r->body.data : (const unsigned char *)"";
	rq.len = r->body.len;
	rq.arg = api_arg;
	rq.ctx = c;
	hub_api_res_init(&rs);
	hub_api_handle(srv->h, &rq, &rs);
	file = rs.fd >= 0;
	if (file) {
		resp = MHD_create_response_from_fd64(rs.fd_size, rs.fd);
		if (resp)
			rs.fd = -1; /* now owned by the response */
	} else {
		resp = response_from(&rs.body);
	}
	if (resp) {
		if (rs.ctype)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rs.ctype);
		if (rs.cookie[0])
			MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, rs.cookie);
		if (rs.retry_after > 0) {
			snprintf(retry, sizeof(retry), "%lld", rs.retry_after);
			MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, retry);
		}
		if (rs.disposition)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
						rs.disposition);
		/* JSON runs nothing; a document brings its own policy (none for PDF) */
		browser_headers(resp, file || rs.csp ? rs.csp : "default-src 'none'", "no-store");
	}
	hub_api_res_release(&rs);
	return queue(c, r, (unsigned)rs.status, resp);
}

static enum MHD_Result on_ui(struct hub_http *srv, struct MHD_Connection *c, struct req *r,
			     const char *url)
{
	struct hub_ui_file f;
	struct mo_err err = MO_ERR_INIT;
	struct MHD_Response *resp;
	const char *inm =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	bool same;

	(void)srv;
	if (hub_ui_find(url, &f) != MO_OK) {
		mo_err_set(&err, MO_ENOTFOUND, "not_found", "no such page");
		return reply_error(c, r, &err);
	}
	same = inm && strcmp(inm, f.etag) == 0;
	/* embedded bytes live as long as the program: no copy */
	resp = MHD_create_response_from_buffer(same ? 0 : f.len, (void *)f.data,
					       MHD_RESPMEM_PERSISTENT);
	if (resp) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, f.ctype);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, f.etag);
		browser_headers(resp, HUB_UI_CSP, "no-cache");
	}
	return queue(c, r, same ? 304 : 200, resp);
}

static const struct route routes[] = {
    {"POST", "/v1/enroll", false, ENROLL_BODY_MAX, on_enroll},
    {"POST", "/v1/sync", false, PROTO_ENVELOPE_MAX, on_sync},
    {"HEAD", "/v1/blobs/", true, 0, on_blob},
    {"PUT", "/v1/blobs/", true, BLOB_BODY_MAX, on_blob},
    {"GET", "/v1/health", false, 0, on_health},
    {"GET", "/metrics", false, 0, on_metrics},
    {"GET", "/api/", true, HUB_API_BODY_MAX, on_api},
    {"POST", "/api/", true, HUB_API_BODY_MAX, on_api},
    {"PUT", "/api/", true, HUB_API_BODY_MAX, on_api},
    {"GET", "/ui/", true, 0, on_ui},
    {"GET", "/", false, 0, on_ui},
    {"GET", "/status", false, 0, on_ui},
};

static const struct route *find_route(const char *method, const char *url, bool *path_known)
{
	*path_known = false;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *rt = &routes[i];
		bool match = rt->prefix ? strncmp(url, rt->path, strlen(rt->path)) == 0
					: strcmp(url, rt->path) == 0;

		if (!match)
			continue;
		*path_known = true;
		if (strcmp(method, rt->method) == 0)
			return rt;
	}
	return NULL;
}

/* ---- the body budget ---- */

/* count n more bytes against the budget of all bodies; false when full */
static bool budget_take(struct hub_http *srv, struct req *r, size_t n)
{
	size_t cur = atomic_load(&srv->body_held);

	do {
		if (n > srv->o.body_memory || cur > srv->o.body_memory - n)
			return false;
	} while (!atomic_compare_exchange_weak(&srv->body_held, &cur, cur + n));
	r->held += n;
	return true;
}

static void budget_return(struct hub_http *srv, struct req *r)
{
	atomic_fetch_sub(&srv->body_held, r->held);
	r->held = 0;
}

static void set_busy(struct mo_err *err)
{
	mo_err_set(err, MO_EBUSY, "busy",
		   "Сервер зараз перевантажений, спробуйте за кілька секунд / "
		   "the hub is busy, try again in a few seconds");
}

/*
 * Refuse a request whose body is still arriving: libmicrohttpd 0.9.75
 * takes an answer only before the body or once it is in
 * (MHD_queue_response refuses in between), so the rest is read and
 * dropped — nothing is kept, the request deadline bounds how long — and
 * the refusal answered then.
 */
static void defer(struct hub_http *srv, struct req *r, const struct mo_err *err)
{
	r->deferred = *err;
	r->discard = true;
	budget_return(srv, r);
	mo_buf_release(&r->body);
	mo_buf_init(&r->body, 0);
}

/* ---- the access handler ---- */

static void conn_phase(struct MHD_Connection *c, enum conn_phase phase, bool restart)
{
	struct conn *k = conn_of(c);

	if (k == NULL)
		return;
	pthread_mutex_lock(&k->srv->lock);
	k->phase = phase;
	if (restart) {
		k->start_ms = mo_now_ms();
		k->device[0] = '\0';
	}
	pthread_mutex_unlock(&k->srv->lock);
}

static enum MHD_Result first_call(struct hub_http *srv, struct MHD_Connection *c, const char *url,
				  const char *method, void **con_cls)
{
	struct req *r = calloc(1, sizeof(*r));
	struct mo_err err = MO_ERR_INIT;
	const char *cl;
	long long n;
	bool path_known;

	if (r == NULL)
		return MHD_NO;
	*con_cls = r;
	conn_phase(c, CONN_BODY, false);
	r->route = find_route(method, url, &path_known);
	if (r->route && srv->metrics_d && r->route->fn != on_metrics &&
	    r->route->fn != on_health) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_DAEMON);

		if (ci && ci->daemon == srv->metrics_d) /* the metrics address serves only it */
			r->route = NULL, path_known = false;
	}
	mo_buf_init(&r->body, r->route ? r->route->max_body : 0);
	if (r->route == NULL) {
		if (path_known)
			mo_err_set(&err, MO_EINVAL, "method_not_allowed", "%s is not allowed on %s",
				   method, url);
		else
			mo_err_set(&err, MO_ENOTFOUND, "not_found", "no such endpoint");
		return reply_error(c, r, &err);
	}
	/* the cap is enforced before reading: a declared length past it is
	 * refused at once, the body is never read */
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && (!mo_parse_i64(&n, cl, 0, INT64_MAX) || (unsigned long long)n > r->body.max)) {
		mo_err_set(&err, MO_ETOOBIG, "too_large", "request body is larger than %zu bytes",
			   r->body.max);
		return reply_error(c, r, &err);
	}
	/* a body that cannot fit in what is left of the budget: at once */
	if (cl && n > 0 &&
	    (size_t)n > srv->o.body_memory - atomic_load(&srv->body_held)) {
		set_busy(&err);
		hub_metrics_rejected(&srv->h->metrics, "busy");
		return reply_error(c, r, &err);
	}
	return MHD_YES;
}

/*
 * Count this connection's body against its device: false when the device
 * has DEVICE_BODIES_MAX in flight already (one who knows a device id must
 * not hold the whole budget with it).
 */
static bool device_claim(struct MHD_Connection *c, const char *device)
{
	struct conn *k = conn_of(c);
	unsigned n = 0;
	bool ok;

	if (k == NULL)
		return true;
	pthread_mutex_lock(&k->srv->lock);
	for (const struct conn *o = k->srv->conns; o; o = o->next)
		n += o != k && strcmp(o->device, device) == 0;
	ok = n < DEVICE_BODIES_MAX;
	if (ok)
		mo_strlcpy(k->device, device, sizeof(k->device));
	pthread_mutex_unlock(&k->srv->lock);
	return ok;
}

/*
 * A sync envelope's header, judged as soon as it is in: a refused sender
 * is answered without its payload being held.
 */
static void sync_admit(struct hub_http *srv, struct MHD_Connection *c, struct req *r)
{
	struct proto_envelope_prefix px;
	struct mo_err err = MO_ERR_INIT;
	size_t need = 0;

	if (proto_envelope_peek(&px, r->body.data, r->body.len, &need, &err) != MO_OK) {
		defer(srv, r, &err);
		return;
	}
	if (need > 0)
		return;
	/* a refusal has its wire code; a store error is not one: hub_sync
	 * checks again once the body is in */
	if (hub_sync_admit(srv->h, &px, &err) != MO_OK && err.code[0] != '\0') {
		defer(srv, r, &err);
		return;
	}
	if (!device_claim(c, px.hdr.device)) {
		mo_err_set(&err, MO_EBUSY, "rate_limited",
			   "this device already has a batch on its way; try again later");
		hub_metrics_rejected(&srv->h->metrics, "rate_limited");
		defer(srv, r, &err);
		return;
	}
	r->admitted = true;
	/* the whole envelope, reserved once (no doubling of the buffer) */
	if (px.total > r->body.len && mo_buf_reserve(&r->body, px.total - r->body.len) != MO_OK) {
		mo_err_set(&err, MO_ECORRUPT, "bad_envelope",
			   "bad envelope: longer than the request allows");
		defer(srv, r, &err);
	}
}

static enum MHD_Result take_body(struct hub_http *srv, struct MHD_Connection *c, struct req *r,
				  const char *data, size_t n)
{
	struct mo_err err = MO_ERR_INIT;

	/* no Content-Length (chunked) and past the route's cap, kept or being
	 * dropped: the connection goes */
	r->seen += n;
	if (r->seen > r->route->max_body)
		return MHD_NO;
	if (r->discard)
		return MHD_YES;
	if (!budget_take(srv, r, n)) {
		set_busy(&err);
		hub_metrics_rejected(&srv->h->metrics, "busy");
		defer(srv, r, &err);
		return MHD_YES;
	}
	if (mo_buf_add(&r->body, data, n) != MO_OK)
		return MHD_NO;
	if (r->route->fn == on_sync && !r->admitted)
		sync_admit(srv, c, r);
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct hub_http *srv = cls;
	struct req *r = *con_cls;
	enum MHD_Result ret;

	(void)version;
	if (r == NULL)
		return first_call(srv, c, url, method, con_cls);
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (r->replied)
			return MHD_YES;
		return take_body(srv, c, r, upload_data, n);
	}
	if (r->replied)
		return MHD_YES;
	conn_phase(c, CONN_ANSWER, false);
	if (r->discard)
		return reply_error(c, r, &r->deferred);
	ret = r->route->fn(srv, c, r, url);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct hub_http *srv = cls;
	struct req *r = *con_cls;

	(void)toe;
	/* a kept-alive connection waits for its next request's headers */
	conn_phase(c, CONN_HEADERS, true);
	if (r) {
		budget_return(srv, r);
		mo_buf_release(&r->body);
		free(r);
		*con_cls = NULL;
	}
}

/* ---- connections: per-address cap and the watchdog ---- */

static bool trusted_proxy(const struct hub_http *srv, const char *addr)
{
	for (size_t i = 0; i < srv->o.ntrusted; i++)
		if (strcmp(srv->trusted[i], addr) == 0)
			return true;
	return false;
}

/* connections open from addr (O(connections): at most a few thousand) */
static unsigned conns_from(const struct hub_http *srv, const char *addr)
{
	unsigned n = 0;

	for (const struct conn *k = srv->conns; k; k = k->next)
		n += !k->refused && strcmp(k->addr, addr) == 0;
	return n;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct hub_http *srv = cls;
	struct conn *k = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (k == NULL)
			return;
		pthread_mutex_lock(&srv->lock);
		if (k->prev)
			k->prev->next = k->next;
		else
			srv->conns = k->next;
		if (k->next)
			k->next->prev = k->prev;
		pthread_mutex_unlock(&srv->lock);
		free(k);
		*socket_context = NULL;
		return;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return; /* untracked: only the idle timeout applies to it */
	k->srv = srv;
	k->start_ms = mo_now_ms();
	k->phase = CONN_HEADERS;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	k->fd = ci ? ci->connect_fd : -1;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!numeric_addr(ci ? ci->client_addr : NULL, k->addr, sizeof(k->addr)))
		mo_strlcpy(k->addr, "unknown", sizeof(k->addr));
	k->trusted = trusted_proxy(srv, k->addr);
	pthread_mutex_lock(&srv->lock);
	if (!k->trusted && srv->o.max_conn_per_addr > 0 &&
	    conns_from(srv, k->addr) >= srv->o.max_conn_per_addr) {
		/* closed before a byte is read; MHD reports CLOSED as usual */
		k->refused = true;
		if (k->fd >= 0)
			shutdown(k->fd, SHUT_RDWR);
		hub_metrics_rejected(&srv->h->metrics, "too_many_connections");
	}
	k->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = k;
	srv->conns = k;
	pthread_mutex_unlock(&srv->lock);
	*socket_context = k;
}

/* close connections past their header or request deadline, once a second */
static void *watchdog(void *arg)
{
	struct hub_http *srv = arg;

	pthread_mutex_lock(&srv->lock);
	while (!srv->stopping) {
		struct timespec ts;
		uint64_t now = mo_now_ms();

		for (struct conn *k = srv->conns; k; k = k->next) {
			uint64_t limit = k->phase == CONN_HEADERS ? srv->o.header_timeout_s
					 : k->phase == CONN_BODY  ? srv->o.request_timeout_s
								  : 0;

			if (limit == 0 || k->closing || k->fd < 0 || now - k->start_ms <= limit * 1000)
				continue;
			k->closing = true;
			shutdown(k->fd, SHUT_RDWR);
			hub_metrics_rejected(&srv->h->metrics, "slow_client");
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&srv->stop_cond, &srv->lock, &ts);
	}
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

/* ---- lifecycle ---- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, bool *v6,
			struct mo_err *err)
{
	char host[256];
	const char *colon = strrchr(listen, ':'), *h = listen;
	size_t hl;
	long long port;
	struct addrinfo hints, *res = NULL;
	int grc;

	if (colon == NULL || !mo_parse_i64(&port, colon + 1, 0, 65535))
		return mo_err_set(err, MO_EINVAL, NULL, "--listen must be HOST:PORT, not '%s'",
				  listen);
	hl = (size_t)(colon - listen);
	if (hl >= 2 && listen[0] == '[' && listen[hl - 1] == ']') {
		h = listen + 1;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host))
		return mo_err_set(err, MO_EINVAL, NULL, "--listen host is missing or too long");
	memcpy(host, h, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((grc = getaddrinfo(host, NULL, &hints, &res)) != 0 || res == NULL)
		return mo_err_set(err, MO_EINVAL, NULL, "cannot resolve '%s': %s", host,
				  gai_strerror(grc));
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*v6 = res->ai_family == AF_INET6;
	if (*v6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	freeaddrinfo(res);
	return MO_OK;
}

/* raise the soft descriptor limit to the hard one; how many connections fit */
static unsigned conn_limit(void)
{
	struct rlimit rl;
	rlim_t want;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 256;
	want = rl.rlim_max == RLIM_INFINITY ? CONN_LIMIT_MAX + CONN_FD_RESERVE : rl.rlim_max;
	if (want > CONN_LIMIT_MAX + CONN_FD_RESERVE)
		want = CONN_LIMIT_MAX + CONN_FD_RESERVE;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0 && getrlimit(RLIMIT_NOFILE, &rl) != 0)
			return 256;
	}
	if (rl.rlim_cur <= CONN_FD_RESERVE + 16)
		return 16;
	return rl.rlim_cur - CONN_FD_RESERVE > CONN_LIMIT_MAX
		       ? CONN_LIMIT_MAX
		       : (unsigned)(rl.rlim_cur - CONN_FD_RESERVE);
}

static void http_free(struct hub_http *srv)
{
	if (srv->watchdog_running) {
		pthread_mutex_lock(&srv->lock);
		srv->stopping = true;
		pthread_cond_signal(&srv->stop_cond);
		pthread_mutex_unlock(&srv->lock);
		pthread_join(srv->watchdog, NULL);
	}
	if (srv->metrics_d)
		MHD_stop_daemon(srv->metrics_d);
	if (srv->d)
		MHD_stop_daemon(srv->d);
	pthread_mutex_destroy(&srv->lock);
	pthread_cond_destroy(&srv->stop_cond);
	if (srv->tls_key.data)
		OPENSSL_cleanse(srv->tls_key.data, srv->tls_key.len);
	mo_buf_release(&srv->tls_key);
	mo_buf_release(&srv->tls_cert);
	if (srv->metrics_token) {
		OPENSSL_cleanse(srv->metrics_token, strlen(srv->metrics_token));
		free(srv->metrics_token);
	}
	free(srv);
}

/* a daemon on listen with the common options (TLS only on the main one) */
static struct MHD_Daemon *daemon_start(struct hub_http *srv, const char *listen, bool main_d,
				       struct mo_err *err)
{
	struct sockaddr_storage ss;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem ops[16];
	size_t n = 0;
	bool v6 = false;
	struct MHD_Daemon *d;

	if (parse_listen(listen, &ss, &v6, err) != MO_OK)
		return NULL;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	else if (MHD_is_feature_supported(MHD_FEATURE_POLL) == MHD_YES)
		flags |= MHD_USE_POLL;
	if (v6)
		flags |= MHD_USE_IPv6;
#define OPT(o, v, p) ops[n++] = (struct MHD_OptionItem){(o), (intptr_t)(v), (p)}
	OPT(MHD_OPTION_SOCK_ADDR, 0, &ss);
	OPT(MHD_OPTION_THREAD_POOL_SIZE, main_d ? THREADS : 1, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, main_d ? conn_limit() : 64, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, CONN_TIMEOUT_S, NULL);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv);
	OPT(MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv);
	if (main_d && srv->tls_cert.data) {
		flags |= MHD_USE_TLS;
		/* PEM text, NUL-terminated by mo_buf; MHD only reads it */
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)mo_buf_cstr(&srv->tls_cert));
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)mo_buf_cstr(&srv->tls_key));
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, ops,
			     MHD_OPTION_END);
	if (d == NULL)
		mo_err_set(err, MO_EIO, NULL, "cannot listen on %s%s", listen,
			   main_d && srv->tls_cert.data ? " (with TLS: check the certificate and key)"
							: "");
	return d;
}

static int http_opts_copy(struct hub_http *srv, const struct hub_http_opts *o, struct mo_err *err)
{
	unsigned char bin[sizeof(struct in6_addr)];
	int rc;

	srv->o = *o;
	if (o->body_memory < PROTO_ENVELOPE_MAX)
		return mo_err_set(err, MO_EINVAL, NULL,
				  "--body-memory must hold at least one envelope (9 MiB)");
	if (o->ntrusted > HUB_TRUSTED_PROXY_MAX)
		return mo_err_set(err, MO_EINVAL, NULL, "at most %d --trusted-proxy",
				  HUB_TRUSTED_PROXY_MAX);
	for (size_t i = 0; i < o->ntrusted; i++) {
		const char *a = o->trusted_proxy[i];

		if (strlen(a) >= HUB_ADDR_MAX ||
		    (inet_pton(AF_INET, a, bin) != 1 && inet_pton(AF_INET6, a, bin) != 1))
			return mo_err_set(err, MO_EINVAL, NULL,
					  "--trusted-proxy '%s' is not a numeric address", a);
		mo_strlcpy(srv->trusted[i], a, HUB_ADDR_MAX);
	}
	if ((o->tls_cert == NULL) != (o->tls_key == NULL))
		return mo_err_set(err, MO_EINVAL, NULL, "--tls-cert and --tls-key go together");
	if (o->tls_cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return mo_err_set(err, MO_EINVAL, NULL, "this libmicrohttpd has no TLS");
	if (o->tls_cert) {
		mo_buf_init(&srv->tls_cert, 1u << 20);
		mo_buf_init(&srv->tls_key, 1u << 20);
		if ((rc = mo_file_read(&srv->tls_cert, o->tls_cert, 1u << 20, err)) != MO_OK ||
		    (rc = mo_file_read(&srv->tls_key, o->tls_key, 1u << 20, err)) != MO_OK)
			return rc;
	}
	if (o->metrics_token) {
		if (strlen(o->metrics_token) < 16)
			return mo_err_set(err, MO_EINVAL, NULL,
					  "--metrics-token must be at least 16 characters");
		if ((srv->metrics_token = strdup(o->metrics_token)) == NULL)
			return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	}
	srv->o.metrics_token = NULL; /* the copy above is the one kept */
	srv->o.tls_cert = srv->o.tls_key = NULL;
	return MO_OK;
}

int hub_http_start(struct hub_http **out, struct hub *h, const struct hub_http_opts *opts,
		   unsigned *port, unsigned *metrics_port, struct mo_err *err)
{
	struct hub_http *srv;
	const union MHD_DaemonInfo *info;
	int rc;

	*out = NULL;
	*port = 0;
	*metrics_port = 0;
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	srv->h = h;
	atomic_init(&srv->body_held, 0);
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->stop_cond, NULL);
	if ((rc = http_opts_copy(srv, opts, err)) != MO_OK)
		goto fail;
	if (opts->metrics_listen &&
	    (srv->metrics_d = daemon_start(srv, opts->metrics_listen, false, err)) == NULL) {
		rc = MO_EIO;
		goto fail;
	}
	if ((srv->d = daemon_start(srv, opts->listen, true, err)) == NULL) {
		rc = err ? err->rc : MO_EIO;
		goto fail;
	}
	if (pthread_create(&srv->watchdog, NULL, watchdog, srv) != 0) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "cannot start the connection watchdog");
		goto fail;
	}
	srv->watchdog_running = true;
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	*port = info ? info->port : 0;
	if (srv->metrics_d) {
		info = MHD_get_daemon_info(srv->metrics_d, MHD_DAEMON_INFO_BIND_PORT);
		*metrics_port = info ? info->port : 0;
	}
	*out = srv;
	return MO_OK;
fail:
	http_free(srv);
	return rc;
}

void hub_http_stop(struct hub_http *srv)
{
	if (srv)
		http_free(srv);
}
