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
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "api.h"
#include "envelope.h"
#include "hub.h"

#define ENROLL_BODY_MAX (16u << 10)
#define BLOB_BODY_MAX (1u << 20)
#define THREADS 4
/*
 * Connections: slow or idle clients (a 2G link, or a slowloris) each hold a
 * slot until CONN_TIMEOUT_S without a byte, so the hub keeps many slots and
 * raises its file-descriptor limit to pay for them.  No per-address limit:
 * a whole region's laptops may share one carrier-NAT address.
 */
#define CONN_LIMIT_MAX 4096u
#define CONN_FD_RESERVE 128u /* database, blobs, logs */
#define CONN_MEMORY (64u << 10)
#define CONN_TIMEOUT_S 60

struct hub_http {
	struct MHD_Daemon *d;
	struct hub *h;
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
	bool replied;
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
	if (r)
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
	if ((resp = response_from(&b)) != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
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

static enum MHD_Result on_metrics(struct hub_http *srv, struct MHD_Connection *c, struct req *r,
				  const char *url)
{
	struct mo_buf out = MO_BUF_INIT(64u << 10);
	struct mo_err err = MO_ERR_INIT;
	long long devices = 0;
	enum MHD_Result ret;

	(void)url;
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

static void client_address(struct MHD_Connection *c, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	socklen_t len = 0;

	mo_strlcpy(out, "unknown", outlen);
	if (sa == NULL)
		return;
	len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (getnameinfo(sa, len, out, (socklen_t)outlen, NULL, 0, NI_NUMERICHOST) != 0)
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
	char addr[64], retry[32];
	bool file;

	client_address(c, addr, sizeof(addr));
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
	rq.forwarded_host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Host");
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
    {"GET", "/ui/", true, 0, on_ui},
    {"GET", "/", false, 0, on_ui},
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

/* ---- the access handler ---- */

static enum MHD_Result first_call(struct hub_http *srv, struct MHD_Connection *c, const char *url,
				  const char *method, void **con_cls)
{
	struct req *r = calloc(1, sizeof(*r));
	struct mo_err err = MO_ERR_INIT;
	const char *cl;
	long long n;
	bool path_known;

	(void)srv;
	if (r == NULL)
		return MHD_NO;
	*con_cls = r;
	r->route = find_route(method, url, &path_known);
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
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct hub_http *srv = cls;
	struct req *r = *con_cls;

	(void)version;
	if (r == NULL)
		return first_call(srv, c, url, method, con_cls);
	if (*upload_data_size > 0) {
		if (r->replied) {
			*upload_data_size = 0;
			return MHD_YES;
		}
		/* no Content-Length (chunked) and past the cap: drop the connection */
		if (mo_buf_add(&r->body, upload_data, *upload_data_size) != MO_OK)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->replied)
		return MHD_YES;
	return r->route->fn(srv, c, r, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (r) {
		mo_buf_release(&r->body);
		free(r);
		*con_cls = NULL;
	}
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

int hub_http_start(struct hub_http **out, struct hub *h, const char *listen, unsigned *port,
		   struct mo_err *err)
{
	struct sockaddr_storage ss;
	struct hub_http *srv;
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	bool v6 = false;
	int rc;

	*out = NULL;
	if ((rc = parse_listen(listen, &ss, &v6, err)) != MO_OK)
		return rc;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	else if (MHD_is_feature_supported(MHD_FEATURE_POLL) == MHD_YES)
		flags |= MHD_USE_POLL;
	if (v6)
		flags |= MHD_USE_IPv6;
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	srv->h = h;
	srv->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
				  (const struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
				  (unsigned int)THREADS, MHD_OPTION_CONNECTION_LIMIT,
				  conn_limit(), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				  (size_t)CONN_MEMORY, MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned int)CONN_TIMEOUT_S, MHD_OPTION_NOTIFY_COMPLETED,
				  on_completed, srv, MHD_OPTION_END);
	if (srv->d == NULL) {
		free(srv);
		return mo_err_set(err, MO_EIO, NULL, "cannot listen on %s", listen);
	}
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	*port = info ? info->port : 0;
	*out = srv;
	return MO_OK;
}

void hub_http_stop(struct hub_http *srv)
{
	if (srv == NULL)
		return;
	MHD_stop_daemon(srv->d);
	free(srv);
}
