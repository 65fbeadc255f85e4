/*
 * api.h — the staff JSON API under /api/ (docs/api.md) that the review UI
 * uses: sign-in and sessions, the queue, case pages and decisions, reports,
 * CSV export and administration.
 *
 * It knows nothing of libmicrohttpd: http.c copies what it needs out of
 * the connection into a hub_api_req and turns the hub_api_res into a
 * response, so the whole API (sessions, CSRF, roles, throttling) can be
 * driven by unit tests without a socket.  Every decision and comment goes
 * through review.c, every store access through store.h.
 */
#ifndef HUB_API_H
#define HUB_API_H

#include <stddef.h>
#include <stdint.h>

#include "hub.h"
#include "mo_buf.h"

#define HUB_API_BODY_MAX (64u << 10)
#define HUB_SESSION_COOKIE "mo_session"

struct hub_api_req {
	const char *method;  /* "GET", "POST", ... */
	const char *path;    /* starts with "/api/", no query string */
	const char *session; /* the mo_session cookie, NULL when none */
	const char *csrf;    /* the X-CSRF-Token header, NULL when none */
	const char *address; /* the client's address (throttling) */
	/* headers the sign-in checks (login CSRF); NULL when absent;
	 * forwarded_host (X-Forwarded-Host) only from a trusted proxy */
	const char *content_type, *origin, *fetch_site, *host, *forwarded_host;
	const void *body;
	size_t len;
	/* a query-string argument, decoded; NULL when absent */
	const char *(*arg)(void *ctx, const char *name);
	void *ctx;
};

struct hub_api_res {
	int status;
	const char *ctype;	 /* static string */
	struct mo_buf body;	 /* owned; released by hub_api_res_release */
	char cookie[192];	 /* a Set-Cookie value, "" for none */
	long long retry_after;	 /* seconds for Retry-After, 0 for none */
	const char *disposition; /* Content-Disposition, NULL for none */
	const char *csp;	 /* Content-Security-Policy, NULL for none */
	int fd;			 /* >= 0: the body is this open file (fd_size bytes) */
	uint64_t fd_size;
};

void hub_api_res_init(struct hub_api_res *res);
/* frees the body and closes fd when the caller did not take it (fd >= 0) */
void hub_api_res_release(struct hub_api_res *res);

/*
 * Answer one request: res always gets a status and a body (an error body
 * {"error": {"code", "message"}} on refusal).  Never fails otherwise.
 */
void hub_api_handle(struct hub *h, const struct hub_api_req *req, struct hub_api_res *res);

/* ---- the browser UI's files (ui.c), embedded at build time ---- */

struct hub_ui_file {
	const unsigned char *data;
	size_t len;
	const char *ctype;
	char etag[24];
};

/* the file for a URL path ("/" is index.html); MO_ENOTFOUND when none */
int hub_ui_find(const char *path, struct hub_ui_file *out);

/* the Content-Security-Policy of the UI pages */
#define HUB_UI_CSP "default-src 'self'; img-src 'self' data:; frame-src 'self'; object-src 'none'"

#endif
