/*
 * ui.c — `mo-agent ui`: the field workstation in the browser, served by the
 * agent's own process on loopback (libmicrohttpd).
 *
 * Any web page the laptop visits can send requests to 127.0.0.1, so every
 * request passes the defences here before a handler sees it:
 *   - the Host header must be 127.0.0.1:PORT or localhost:PORT (DNS
 *     rebinding: a foreign name resolving to 127.0.0.1 is refused);
 *   - a random key, printed once in the URL, is exchanged ONCE for an
 *     HttpOnly, SameSite=Strict session cookie, and the browser is sent to
 *     "/" so the key leaves the address bar and the history;
 *   - everything but the pages' own files needs that cookie;
 *   - a state change (POST) needs the session's CSRF token in X-CSRF-Token,
 *     an Origin that is this server (or none) and Sec-Fetch-Site
 *     same-origin (or none); a GET with a cross-site Sec-Fetch-Site is
 *     refused too;
 *   - no CORS headers at all; a strict CSP; bodies capped (413 before a
 *     byte is read when Content-Length says so; the connection is dropped
 *     when a body without one grows past the cap).
 * Scans arrive as the raw body of one POST, streamed to a temporary file in
 * the blob directory (capped at UI_SCAN_MAX) and then added through the
 * same function as the CLI's `case attach`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "agent.h"
#include "cli_int.h"
#include "embedded.h"
#include "i18n.h"
#include "mo_util.h"
#include "platform.h"
#include "receipt.h"
#include "ui.h"
#include "ui_int.h"

extern const struct mo_embedded agent_web[];
extern const size_t agent_web_count;

/* No inline script or style anywhere (the receipt links /receipt.css) */
#define UI_CSP                                                                                     \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "    \
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "             \
	"frame-ancestors 'none'"
#define UI_CSP_JSON "default-src 'none'; frame-ancestors 'none'"
#define CONN_MEMORY (64u << 10)
#define CONN_TIMEOUT_S 120
#define CONN_LIMIT 64u

struct ui_route {
	const char *method;
	const char *prefix;
	size_t max_body;
	bool is_scan;
};

static const struct ui_route ROUTES[] = {
    {"GET", "/api/", 0, false},
    {"POST", "/api/scan/", 0, true}, /* before /api/: longest prefix first */
    {"POST", "/api/", UI_BODY_MAX, false},
    {"GET", "/receipt/", 0, false},
    {"GET", "/", 0, false},
};

struct ui_req {
	const struct ui_route *route;
	struct mo_buf body;
	FILE *upload;
	char upload_path[1300];
	long long upload_size;
	bool replied;
	bool failed; /* the upload could not be written */
};

/* ---- answers ---- */

static void security_headers(struct MHD_Response *resp, const char *csp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
}

static enum MHD_Result send_res(struct MHD_Connection *c, struct ui_req *r, struct ui_res *res,
				const char *cookie, const char *location)
{
	size_t len;
	unsigned char *p = mo_buf_detach(&res->body, &len);
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, p ? p : (unsigned char *)"",
					       p ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		free(p);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				res->ctype ? res->ctype : "application/json; charset=utf-8");
	security_headers(resp, res->csp ? res->csp : UI_CSP_JSON);
	if (cookie)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	if (location)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
	ret = MHD_queue_response(c, res->status, resp);
	MHD_destroy_response(resp);
	if (r)
		r->replied = true;
	return ret;
}

static enum MHD_Result refuse(struct agent_ui *ui, struct MHD_Connection *c, struct ui_req *r,
			      unsigned status, const char *code, const char *uk, const char *en)
{
	struct ui_res res = {0, MO_BUF_INIT(4096), NULL, NULL};
	enum MHD_Result ret;

	ui_error(&res, status, code, ui_text(ui, uk, en));
	ret = send_res(c, r, &res, NULL, NULL);
	mo_buf_release(&res.body);
	return ret;
}

/* a plain page for a browser that came without a valid session */
static enum MHD_Result refuse_page(struct agent_ui *ui, struct MHD_Connection *c, struct ui_req *r,
				   unsigned status)
{
	struct ui_res res = {status, MO_BUF_INIT(8192), "text/html; charset=utf-8", UI_CSP};
	enum MHD_Result ret;

	(void)ui;
	if (mo_buf_adds(
		&res.body,
		"<!DOCTYPE html><html lang=\"uk\"><head><meta charset=\"utf-8\">"
		"<title>mo-agent</title><link rel=\"stylesheet\" href=\"/style.css\"></head>"
		"<body><main class=\"refused\"><h1>Сторінку не відкрито</h1>"
		"<p>Відкрийте посилання, яке надрукувала команда <code>mo-agent ui</code>. "
		"Посилання діє один раз; якщо його вже використано, перезапустіть "
		"<code>mo-agent ui</code>.</p><h1 lang=\"en\">The page was not opened</h1>"
		"<p lang=\"en\">Open the link printed by <code>mo-agent ui</code>. It works "
		"once; if it was used already, restart <code>mo-agent ui</code>.</p>"
		"</main></body></html>\n") != MO_OK)
		return MHD_NO;
	ret = send_res(c, r, &res, NULL, NULL);
	mo_buf_release(&res.body);
	return ret;
}

/* ---- the embedded pages ---- */

static const char *ctype_of(const char *name)
{
	static const struct {
		const char *ext, *ctype;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].ctype;
	return "application/octet-stream";
}

static const struct mo_embedded *asset_find(const char *url)
{

	const char *name = strcmp(url, "/") == 0 ? "index.html" : url + 1;

	if (*name == '\0' || strchr(name, '/'))
		return NULL;
	for (size_t i = 0; i < agent_web_count; i++)
		if (strcmp(agent_web[i].name, name) == 0)
			return &agent_web[i];
	return NULL;
}

static enum MHD_Result send_asset(struct MHD_Connection *c, struct ui_req *r,
				  const struct mo_embedded *a)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	/* embedded bytes live as long as the program: no copy */
	resp = MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype_of(a->name));
	security_headers(resp, UI_CSP);
	ret = MHD_queue_response(c, 200, resp);
	MHD_destroy_response(resp);
	r->replied = true;
	return ret;
}

/* ---- the defences ---- */

static const char *header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static bool token_eq(const char *a, const char *b)
{
	size_t n = strlen(b);

	return a && n == UI_TOKEN_HEX - 1 && strlen(a) == n && CRYPTO_memcmp(a, b, n) == 0;
}

static bool host_ok(const struct agent_ui *ui, struct MHD_Connection *c)
{
	const char *h = header(c, MHD_HTTP_HEADER_HOST);

	return h && (strcmp(h, ui->host_ip) == 0 || strcmp(h, ui->host_name) == 0);
}

/* Origin and Sec-Fetch-Site say the request comes from this server's pages */
static bool same_origin(const struct agent_ui *ui, struct MHD_Connection *c, bool change)
{
	const char *o = header(c, "Origin"), *site = header(c, "Sec-Fetch-Site");

	if (o && strcmp(o, ui->origin_ip) != 0 && strcmp(o, ui->origin_name) != 0)
		return false;
	if (site && strcmp(site, "same-origin") != 0 && (change || strcmp(site, "none") != 0))
		return false;
	return true;
}

static bool session_ok(const struct agent_ui *ui, struct MHD_Connection *c)
{
	const char *sid = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, UI_COOKIE);

	return ui->sess.active && token_eq(sid, ui->sess.sid);
}

static int new_token(char out[UI_TOKEN_HEX])
{
	unsigned char rnd[32];

	if (mo_random(rnd, sizeof(rnd)) != MO_OK)
		return MO_ERROR;
	mo_hex_encode(out, rnd, sizeof(rnd));
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return MO_OK;
}

/* GET /?key=K: the launch key, once, for a session cookie; then to "/" */
static enum MHD_Result exchange_key(struct agent_ui *ui, struct MHD_Connection *c, struct ui_req *r,
				    const char *key)
{
	struct ui_res res = {303, MO_BUF_INIT(16), "text/plain; charset=utf-8", NULL};
	char cookie[160];
	enum MHD_Result ret;

	if (ui->key[0] == '\0' || !token_eq(key, ui->key))
		return refuse_page(ui, c, r, 403);
	if (new_token(ui->sess.sid) != MO_OK || new_token(ui->sess.csrf) != MO_OK)
		return MHD_NO;
	OPENSSL_cleanse(ui->key, sizeof(ui->key)); /* used: nobody else gets in with it */
	ui->sess.active = true;
	ui->sess.operator_name[0] = '\0';
	ui->sess.lang = ui->ctx->lang;
	snprintf(cookie, sizeof(cookie), "%s=%s; HttpOnly; SameSite=Strict; Path=/", UI_COOKIE,
		 ui->sess.sid);
	ret = send_res(c, r, &res, cookie, "/");
	mo_buf_release(&res.body);
	return ret;
}

/* ---- requests ---- */

static const char *get_arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result dispatch(struct agent_ui *ui, struct MHD_Connection *c, struct ui_req *r,
				const char *url)
{
	struct ui_res res = {200, MO_BUF_INIT(8u << 20), NULL, NULL};
	struct ui_call call;
	enum MHD_Result ret;

	memset(&call, 0, sizeof(call));
	if (strncmp(url, "/receipt/", 9) == 0) {
		ui_receipt_page(ui, url + 9, get_arg(c, "paper"), &res);
		goto send;
	}
	call.method = r->route->method;
	call.path = url + 5;
	call.arg = get_arg;
	call.arg_ctx = c;
	if (r->route->is_scan) {
		if (r->failed) {
			ui_error(&res, 500, "storage",
				 ui_text(ui, "Не вдалося зберегти файл на ноутбуці.",
					 "The file could not be saved on this laptop."));
			goto send;
		}
		if (r->upload)
			fclose(r->upload);
		r->upload = NULL;
		call.upload_path = r->upload_path;
		call.upload_size = r->upload_size;
		call.header_name = header(c, "X-File-Name");
	} else if (strcmp(call.method, "POST") == 0 && r->body.len > 0) {
		call.json = cJSON_ParseWithLength((const char *)r->body.data, r->body.len);
		if (call.json == NULL) {
			ui_error(&res, 400, "bad_request",
				 ui_text(ui, "Запит пошкоджено.", "The request is damaged."));
			goto send;
		}
	}
	ui_api_handle(ui, &call, &res);
	cJSON_Delete(call.json);
send:
	ret = send_res(c, r, &res, NULL, NULL);
	mo_buf_release(&res.body);
	return ret;
}

static int open_upload(struct agent_ui *ui, struct ui_req *r)
{
	char dir[1200], hex[17];
	unsigned char rnd[8];
	struct mo_err err = MO_ERR_INIT;

	snprintf(dir, sizeof(dir), "%s/blobs", ui->ctx->data_dir);
	if (agent_mkdir_p(dir, &err) != MO_OK || mo_random(rnd, sizeof(rnd)) != MO_OK)
		return MO_EIO;
	mo_hex_encode(hex, rnd, sizeof(rnd));
	snprintf(r->upload_path, sizeof(r->upload_path), "%s/.upload-%s", dir, hex);
	r->upload = fopen(r->upload_path, "wb");
	return r->upload ? MO_OK : MO_EIO;
}

static enum MHD_Result first_call(struct agent_ui *ui, struct MHD_Connection *c, const char *url,
				  const char *method, void **con_cls)
{
	struct ui_req *r = calloc(1, sizeof(*r));
	const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
	bool change;
	long long n = 0;

	if (r == NULL)
		return MHD_NO;
	*con_cls = r;
	for (size_t i = 0; i < sizeof(ROUTES) / sizeof(ROUTES[0]) && !r->route; i++) {
		const struct ui_route *rt = &ROUTES[i];

		if (strcmp(method, rt->method) == 0 &&
		    strncmp(url, rt->prefix, strlen(rt->prefix)) == 0)
			r->route = rt;
	}
	mo_buf_init(&r->body, r->route ? r->route->max_body : 0);
	/* DNS rebinding first: a foreign Host learns nothing, not even a 404 */
	if (!host_ok(ui, c))
		return refuse(ui, c, r, 421, "bad_host", "Неправильна адреса сервера.",
			      "Wrong server address.");
	if (r->route == NULL)
		return refuse(ui, c, r, 405, "method_not_allowed", "Такий запит не підтримується.",
			      "This request is not supported.");
	change = strcmp(method, "GET") != 0;
	if (!same_origin(ui, c, change))
		return refuse(ui, c, r, 403, "cross_site", "Запит з іншого сайту відхилено.",
			      "A request from another site was refused.");
	if (strcmp(url, "/") == 0 && get_arg(c, "key"))
		return exchange_key(ui, c, r, get_arg(c, "key"));
	/* the pages' own files (not "/") carry no data: served to anyone on loopback */
	if (!change && strcmp(url, "/") != 0 && strncmp(url, "/api/", 5) != 0 &&
	    strncmp(url, "/receipt/", 9) != 0) {
		const struct mo_embedded *a = asset_find(url);
		/* the receipt's stylesheet lives with its renderer (receipt.c), not in web/ */
		struct mo_embedded css = {"receipt.css", (const unsigned char *)agent_receipt_css(),
					  strlen(agent_receipt_css())};

		if (strcmp(url, "/receipt.css") == 0)
			return send_asset(c, r, &css);

		if (a == NULL || strcmp(a->name, "index.html") == 0)
			return refuse(ui, c, r, 404, "not_found", "Сторінки не знайдено.",
				      "No such page.");
		return send_asset(c, r, a);
	}
	if (!session_ok(ui, c)) {
		if (strncmp(url, "/api/", 5) != 0)
			return refuse_page(ui, c, r, 403);
		return refuse(ui, c, r, 401, "no_session",
			      "Сеанс не відкрито: відкрийте посилання від mo-agent ui.",
			      "No session: open the link printed by mo-agent ui.");
	}
	if (change && !token_eq(header(c, "X-CSRF-Token"), ui->sess.csrf))
		return refuse(ui, c, r, 403, "csrf", "Запит без ключа сторінки відхилено.",
			      "A request without the page's token was refused.");
	if (!change && strcmp(url, "/") == 0)
		return send_asset(c, r, asset_find("/"));
	if (cl && !mo_parse_i64(&n, cl, 0, INT64_MAX))
		n = INT64_MAX;
	if (r->route->is_scan) {
		if (n > UI_SCAN_MAX)
			return refuse(ui, c, r, 413, "too_large",
				      "Файл завеликий (найбільше 20 МіБ).",
				      "The file is too large (20 MiB at most).");
		if (open_upload(ui, r) != MO_OK)
			r->failed = true;
	} else if ((unsigned long long)n > r->body.max) {
		return refuse(ui, c, r, 413, "too_large", "Запит завеликий.",
			      "The request is too large.");
	}
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct agent_ui *ui = cls;
	struct ui_req *r = *con_cls;

	(void)version;
	if (r == NULL)
		return first_call(ui, c, url, method, con_cls);
	if (*upload_data_size > 0) {
		size_t len = *upload_data_size;

		*upload_data_size = 0;
		if (r->replied)
			return MHD_YES;
		if (r->route->is_scan) {
			r->upload_size += (long long)len;
			/* a body without Content-Length past the cap: drop the connection */
			if (r->upload_size > UI_SCAN_MAX)
				return MHD_NO;
			if (r->upload && !r->failed &&
			    fwrite(upload_data, 1, len, r->upload) != len)
				r->failed = true;
			return MHD_YES;
		}
		return mo_buf_add(&r->body, upload_data, len) == MO_OK ? MHD_YES : MHD_NO;
	}
	if (r->replied)
		return MHD_YES;
	if (r->upload && agent_file_sync(r->upload) != MO_OK)
		r->failed = true;
	return dispatch(ui, c, r, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct ui_req *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (r == NULL)
		return;
	if (r->upload)
		fclose(r->upload);
	if (r->upload_path[0])
		remove(r->upload_path); /* attached (renamed away) or abandoned */
	mo_buf_release(&r->body);
	free(r);
	*con_cls = NULL;
}

/* ---- the command ---- */

static int parse_listen(const char *listen, unsigned *port)
{
	const char *colon = strrchr(listen, ':');
	long long p;

	/* loopback only: anything else would put personal data on the network */
	if (colon == NULL || !mo_parse_i64(&p, colon + 1, 0, 65535))
		return MO_EINVAL;
	if (strncmp(listen, "127.0.0.1:", 10) != 0 && strncmp(listen, "localhost:", 10) != 0)
		return MO_EINVAL;
	*port = (unsigned)p;
	return MO_OK;
}

int agent_cmd_ui(struct agent_ctx *ctx, int argc, char **argv)
{
	const char *listen = "127.0.0.1:0", *idle = NULL;
	bool no_browser = false;
	struct agent_ui *ui;
	struct agent_identity me;
	struct MHD_Daemon *d = NULL;
	const union MHD_DaemonInfo *info;
	unsigned char sa[128];
	size_t salen;
	unsigned port = 0;
	long long idle_min = 15;
	char url[160];
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--no-browser") == 0) {
			no_browser = true;
			continue;
		}
		if ((rc = agent_opt(argc, argv, &i, "--listen", &listen)) ||
		    (rc = agent_opt(argc, argv, &i, "--idle-minutes", &idle))) {
			if (rc < 0)
				return agent_usage(ctx, argv[i]);
			continue;
		}
		return agent_usage(ctx, argv[i]);
	}
	if (parse_listen(listen, &port) != MO_OK)
		return agent_usage(ctx, "--listen 127.0.0.1:PORT");
	if (idle && !mo_parse_i64(&idle_min, idle, 1, 24 * 60))
		return agent_usage(ctx, "--idle-minutes N");
	if ((ui = calloc(1, sizeof(*ui))) == NULL)
		return AGENT_EXIT_STORAGE;
	ui->ctx = ctx;
	ui->idle_ms = (uint64_t)idle_min * 60000u;
	if ((rc = agent_open(ctx, &ui->store, &me, true)) != AGENT_EXIT_OK)
		goto done;
	if (new_token(ui->key) != MO_OK) {
		rc = AGENT_EXIT_STORAGE;
		goto done;
	}
	agent_stop_signals_block();
	salen = agent_loopback_addr(sa, sizeof(sa), port);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
			     on_request, ui, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)sa,
			     MHD_OPTION_CONNECTION_LIMIT, CONN_LIMIT,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT_S,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, ui, MHD_OPTION_END);
	(void)salen;
	if (d == NULL) {
		fprintf(stderr, "mo-agent: %s %s\n",
			ctx->lang == AGENT_LANG_EN ? "cannot listen on" : "не вдалося слухати",
			listen);
		rc = AGENT_EXIT_STORAGE;
		goto done;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	ui->port = info ? info->port : port;
	snprintf(ui->host_ip, sizeof(ui->host_ip), "127.0.0.1:%u", ui->port);
	snprintf(ui->host_name, sizeof(ui->host_name), "localhost:%u", ui->port);
	snprintf(ui->origin_ip, sizeof(ui->origin_ip), "http://127.0.0.1:%u", ui->port);
	snprintf(ui->origin_name, sizeof(ui->origin_name), "http://localhost:%u", ui->port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/?key=%s", ui->port, ui->key);
	printf("%s %s\n",
	       ctx->lang == AGENT_LANG_EN ? "Open in the browser:" : "Відкрийте в браузері:", url);
	fflush(stdout);
	if (!no_browser && agent_open_browser(url) != MO_OK)
		fprintf(stderr, "mo-agent: %s\n",
			ctx->lang == AGENT_LANG_EN
			    ? "could not open the browser; open the link above"
			    : "не вдалося відкрити браузер; відкрийте посилання вище");
	OPENSSL_cleanse(url, sizeof(url));
	agent_stop_signals_wait();
	rc = AGENT_EXIT_OK;
done:
	if (d)
		MHD_stop_daemon(d);
	ui_sync_join(ui);
	OPENSSL_cleanse(ui, sizeof(*ui));
	free(ui);
	return rc;
}
