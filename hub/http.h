/*
 * http.h — the hub's HTTP server (http.c): its options, and the one
 * function that says who a request came from.
 *
 * The network edge holds an outsider to little: the header section must
 * arrive within header_timeout_s and the whole request within
 * request_timeout_s (a watchdog closes slower ones), one address holds at
 * most max_conn_per_addr connections, all request bodies in flight
 * together hold at most body_memory bytes (beyond it: 503 + Retry-After),
 * and a sync envelope's header is judged (bad_envelope, unknown_device,
 * device_revoked) before its payload is kept.  TLS is served natively
 * (libmicrohttpd with GnuTLS) when a certificate and key are given.
 */
#ifndef HUB_HTTP_H
#define HUB_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "mo_err.h"

struct hub;
struct hub_http;
struct MHD_Connection;

#define HUB_TRUSTED_PROXY_MAX 8
#define HUB_ADDR_MAX 64 /* a numeric IPv4 or IPv6 address and its NUL */

struct hub_http_opts {
	const char *listen;	     /* "HOST:PORT", port 0: any */
	size_t body_memory;	     /* bytes of all in-flight bodies together */
	unsigned header_timeout_s;   /* the header section, from its first byte */
	unsigned request_timeout_s;  /* headers and body, from the first byte */
	unsigned max_conn_per_addr;  /* 0: no cap; trusted proxies are exempt */
	const char *trusted_proxy[HUB_TRUSTED_PROXY_MAX]; /* numeric addresses */
	size_t ntrusted;
	const char *tls_cert, *tls_key; /* PEM files; both or neither */
	const char *metrics_listen;	/* "HOST:PORT": /metrics only there */
	const char *metrics_token;	/* else /metrics wants "Bearer TOKEN" */
};

#define HUB_BODY_MEMORY_DEFAULT (64u << 20)
#define HUB_HEADER_TIMEOUT_DEFAULT 20
#define HUB_REQUEST_TIMEOUT_DEFAULT 300
#define HUB_CONN_PER_ADDR_DEFAULT 64

#define HUB_HTTP_OPTS_INIT                                                                 \
	{NULL,                                                                             \
	 HUB_BODY_MEMORY_DEFAULT,                                                          \
	 HUB_HEADER_TIMEOUT_DEFAULT,                                                       \
	 HUB_REQUEST_TIMEOUT_DEFAULT,                                                      \
	 HUB_CONN_PER_ADDR_DEFAULT,                                                        \
	 {NULL},                                                                           \
	 0,                                                                                \
	 NULL,                                                                             \
	 NULL,                                                                             \
	 NULL,                                                                             \
	 NULL}

/*
 * Start serving; *port gets the bound port, *metrics_port the port of
 * opts->metrics_listen (0 when none).  Options are copied.
 */
int hub_http_start(struct hub_http **out, struct hub *h, const struct hub_http_opts *opts,
		   unsigned *port, unsigned *metrics_port, struct mo_err *err) MO_WARN_UNUSED;
void hub_http_stop(struct hub_http *srv);

/* the HTTP status of an error (the table of DESIGN.md §4) */
int hub_http_status(const struct mo_err *err);

/*
 * The client's address of a request, numeric, into out (HUB_ADDR_MAX):
 * the peer's address, or — only when the peer is one of the trusted
 * proxies — the last address of its X-Forwarded-For (the one that proxy
 * appended; what the client itself wrote before it is not trusted).
 * "unknown" when there is none.  For throttles and logs.
 */
void hub_client_addr(struct MHD_Connection *c, char *out, size_t outlen);

#endif
