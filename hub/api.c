/*
 * api.c — the staff JSON API (api.h, docs/api.md).
 *
 * Every request passes the same gate, in this order: a known route (404 /
 * 405) → a live session (401 unauthenticated; the idle clock restarts) →
 * the CSRF token on every POST but sign-in (403 csrf, nothing read or
 * changed) → the route's role (403 forbidden).  Handlers then decode the
 * request, call review.c or the store, and encode the answer.
 *
 * Sessions: a 256-bit random id, new at every sign-in, lives only in the
 * browser's HttpOnly cookie; the database keeps its SHA-256 and a separate
 * random CSRF token that the UI sends back in X-CSRF-Token.  A session
 * ends after session_idle_ms without use or session_max_ms after sign-in.
 *
 * Sign-in (on_login) takes only application/json from this site (no
 * Origin or Sec-Fetch-Site of another site: login CSRF), then throttles
 * with growing delays rather than hard locks, by login and address
 * together, by login and by address (throttle_rule below); an address
 * where the login signed in before is exempt from the last two, so
 * neither an attack on one login from many addresses nor a flood from
 * the proxy all staff share keeps the owner out.  Checking and counting
 * are one transaction (hub_store_login_attempt).
 */
#include "api.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "export.h"
#include "history.h"
#include "catalogue.h"
#include "json.h"
#include "messages.h"
#include "kyiv.h"
#include "report_xlsx.h"
#include "review.h"
#include "status.h"
#include "validate.h"
#include "visits.h"
#include "words.h"
#include "xlsx.h"

#define PAGE_SIZE 50
#define EXPORT_MAX 100000
#define EXPORT_BYTES_MAX (64u << 20)
#define AUDIT_MAX 500
#define Q_MAX 200

/* failures are remembered for an hour; after the free ones each further
 * failure doubles the wait (1 s, 2 s, 4 s ... at most 15 min) counted from
 * the latest failure */
#define THROTTLE_WINDOW_MS (60ull * 60 * 1000)
#define THROTTLE_FREE_PAIR 5	 /* this login from this address */
#define THROTTLE_FREE_LOGIN 10	 /* this login from unknown addresses */
#define THROTTLE_FREE_ADDRESS 20 /* any login from this address, unless known */
#define THROTTLE_BASE_MS 1000ull
#define THROTTLE_MAX_MS (15ull * 60 * 1000)
#define KNOWN_ADDRESS_MS (30ull * 86400 * 1000)

/* a valid hash (today's cost) of a password nobody has: an unknown login
 * costs one scrypt too, so the answer time does not tell which logins exist */
static const char dummy_hash[] =
    "scrypt$131072$8$1$bW8taHViLWR1bW15LXNsdA==$QjJmBsSZmtey7TbiYQZ0x6oN4OQe+5hZcJx01FJCWUQ=";

enum role { ROLE_NONE = 0, ROLE_ANY = 1, ROLE_REVIEWER = 1, ROLE_SUPERVISOR = 2, ROLE_ADMIN = 3 };

struct ctx {
	struct hub *h;
	const struct hub_api_req *req;
	struct hub_api_res *res;
	struct hub_session s; /* the signed-in user (role != NONE routes) */
	char hash[MO_SHA256_HEX];
	const char *param; /* the '*' segment of the route, NUL-terminated copy */
	char param_buf[128];
	cJSON *body; /* parsed JSON body of a POST, NULL for none */
};

typedef int (*api_fn)(struct ctx *c, struct mo_err *err);

/* ---- answers ---- */

void hub_api_res_init(struct hub_api_res *res)
{
	memset(res, 0, sizeof(*res));
	mo_buf_init(&res->body, EXPORT_BYTES_MAX + 4096);
	res->fd = -1;
}

void hub_api_res_release(struct hub_api_res *res)
{
	mo_buf_release(&res->body);
	if (res->fd >= 0)
		close(res->fd);
	res->fd = -1;
}

static int oom(struct mo_err *err)
{
	return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
}

static int reply_json(struct ctx *c, int status, const cJSON *v, struct mo_err *err)
{
	char *text = cJSON_PrintUnformatted(v);
	int rc;

	if (text == NULL)
		return oom(err);
	mo_buf_reset(&c->res->body);
	rc = mo_buf_adds(&c->res->body, text);
	free(text);
	if (rc != MO_OK)
		return mo_err_set(err, rc, NULL, "answer too large");
	c->res->status = status;
	c->res->ctype = "application/json; charset=utf-8";
	return MO_OK;
}

/* reply with v and free it */
static int reply_take(struct ctx *c, int status, cJSON *v, struct mo_err *err)
{
	int rc = v ? reply_json(c, status, v, err) : oom(err);

	cJSON_Delete(v);
	return rc;
}

/* the language of the answer's words: ?lang=en, else Ukrainian */
static enum hub_lang req_lang(const struct hub_api_req *req)
{
	return hub_lang_parse(req->arg ? req->arg(req->ctx, "lang") : NULL);
}

/* {"code", "message": the hub's detail, "text": plain words in the language} */
static void error_members(cJSON *e, const struct mo_err *err, enum hub_lang lang)
{
	char words[512];

	cJSON_AddStringToObject(e, "code",
				err->code[0] ? err->code : (err->rc == MO_EBUSY ? "busy" : "internal"));
	cJSON_AddStringToObject(e, "message", err->msg[0] ? err->msg : mo_strerror(err->rc));
	cJSON_AddStringToObject(e, "text", hub_err_words(lang, err, words, sizeof(words)));
}

static void reply_error(struct hub_api_res *res, const struct mo_err *err, enum hub_lang lang)
{
	cJSON *o = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(o, "error");
	char *text = NULL;

	res->status = hub_http_status(err);
	res->ctype = "application/json; charset=utf-8";
	res->disposition = NULL;
	if (res->fd >= 0) {
		close(res->fd);
		res->fd = -1;
	}
	mo_buf_reset(&res->body);
	if (e)
		error_members(e, err, lang);
	if ((text = e ? cJSON_PrintUnformatted(o) : NULL) == NULL ||
	    mo_buf_adds(&res->body, text) != MO_OK)
		res->status = 500;
	free(text);
	cJSON_Delete(o);
}

/* ---- request helpers ---- */

static const char *arg(struct ctx *c, const char *name)
{
	const char *v = c->req->arg ? c->req->arg(c->req->ctx, name) : NULL;

	return v && *v ? v : NULL;
}

static int bad_request(struct mo_err *err, const char *what)
{
	return mo_err_set(err, MO_EINVAL, "bad_request", "%s", what);
}

static bool printable_ascii(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

/* the JSON body of a POST, which must be an object */
static int parse_body(struct ctx *c, struct mo_err *err)
{
	if (c->req->len == 0)
		return bad_request(err, "the request needs a JSON body");
	if (proto_json_parse(&c->body, c->req->body, c->req->len, NULL, NULL) != MO_OK ||
	    !cJSON_IsObject(c->body))
		return bad_request(err, "the body is not a JSON object");
	return MO_OK;
}

/* a string member of the body: NULL when absent, bad_request when not text */
static int body_str(struct ctx *c, const char *key, size_t max, bool required, const char **out,
		    struct mo_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, key);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v)) {
		if (required)
			return mo_err_set(err, MO_EINVAL, "bad_request", "'%s' is required", key);
		return MO_OK;
	}
	if (!cJSON_IsString(v) || strlen(v->valuestring) > max ||
	    !proto_utf8_valid(v->valuestring, strlen(v->valuestring)))
		return mo_err_set(err, MO_EINVAL, "bad_request",
				  "'%s' must be text of at most %zu bytes", key, max);
	if (required && *v->valuestring == '\0')
		return mo_err_set(err, MO_EINVAL, "bad_request", "'%s' is required", key);
	*out = v->valuestring;
	return MO_OK;
}

static int audit(struct ctx *c, const char *action, const char *target, const char *detail,
		 struct mo_err *err)
{
	return hub_store_audit_add(c->h->store, c->s.login, action, target, detail, err);
}

/* ---- session ---- */

static int random_hex(char *out, size_t bytes)
{
	unsigned char r[32];
	int rc;

	if (bytes > sizeof(r))
		return MO_EINVAL;
	if ((rc = mo_random(r, bytes)) != MO_OK)
		return rc;
	mo_hex_encode(out, r, bytes);
	OPENSSL_cleanse(r, sizeof(r));
	return MO_OK;
}

static void session_hash(char out[MO_SHA256_HEX], const char *id)
{
	mo_sha256_hex(out, id, strlen(id));
}

static void set_cookie(struct ctx *c, const char *value, bool clear)
{
	snprintf(c->res->cookie, sizeof(c->res->cookie),
		 "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", HUB_SESSION_COOKIE, value,
		 clear ? "; Max-Age=0" : "", c->h->cookie_secure ? "; Secure" : "");
}

/* the wait after n failures of which free were free, from the latest one */
static uint64_t throttle_wait(long long n, long long free_, uint64_t last, uint64_t now)
{
	uint64_t d, until;
	long long k;

	if (n < free_)
		return 0;
	k = n - free_;
	d = THROTTLE_BASE_MS << (k > 20 ? 20 : k);
	if (d > THROTTLE_MAX_MS)
		d = THROTTLE_MAX_MS;
	until = last + d;
	return until > now ? until - now : 0;
}

/* the throttle rule (hub_login_decide_fn); arg: now in ms */
static uint64_t throttle_rule(void *arg, const struct hub_login_failures *f)
{
	uint64_t now = *(const uint64_t *)arg, w, x;

	w = throttle_wait(f->pair, THROTTLE_FREE_PAIR, f->last_pair, now);
	if (!f->known) {
		if ((x = throttle_wait(f->by_login, THROTTLE_FREE_LOGIN, f->last_login, now)) > w)
			w = x;
		if ((x = throttle_wait(f->by_address, THROTTLE_FREE_ADDRESS, f->last_address,
				       now)) > w)
			w = x;
	}
	return w;
}

/* the client's address for throttling (http.c decides what it is) */
static const char *client_address(const struct ctx *c)
{
	return c->req->address && *c->req->address ? c->req->address : "unknown";
}

/* 429 unless this attempt may check a password now; then *id counts it */
static int throttled(struct ctx *c, const char *login, uint64_t now, long long *id,
		     struct mo_err *err)
{
	struct hub_login_attempt a = {.login = login,
				      .address = client_address(c),
				      .now_ms = now,
				      .since_ms = now - THROTTLE_WINDOW_MS,
				      .known_since_ms = now - KNOWN_ADDRESS_MS};
	uint64_t wait = 0;
	int rc;

	if ((rc = hub_store_login_attempt(c->h->store, &a, throttle_rule, &now, id, &wait, err)) !=
	    MO_OK)
		return rc;
	if (wait == 0)
		return MO_OK;
	c->res->retry_after = (long long)((wait + 999) / 1000);
	return mo_err_set(err, MO_EBUSY, "rate_limited",
			  "Забагато невдалих спроб входу; спробуйте знову за %lld с. "
			  "(Too many failed sign-ins; try again in %lld s.)",
			  c->res->retry_after, c->res->retry_after);
}

static bool header_is(const char *v, const char *want)
{
	size_t n = strlen(want);

	return v && strncasecmp(v, want, n) == 0 && (v[n] == '\0' || v[n] == ';' || v[n] == ' ');
}

/*
 * Login CSRF: another site's page must not sign a browser in to an account
 * of its choosing.  The body must be application/json (a form cannot send
 * it across sites without a CORS preflight, which the hub never grants),
 * and a browser's Sec-Fetch-Site / Origin must name this site.
 */
static int same_site(struct ctx *c, struct mo_err *err)
{
	const char *site = c->req->fetch_site, *origin = c->req->origin, *host;

	if (!header_is(c->req->content_type, "application/json"))
		return mo_err_set(err, MO_EINVAL, "bad_content_type",
				  "Вхід приймає лише JSON. (Sign-in takes JSON only.)");
	if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
		goto cross;
	if (origin == NULL)
		return MO_OK;
	host = strstr(origin, "://");
	if (host == NULL)
		goto cross;
	host += 3;
	if ((c->req->host && strcasecmp(host, c->req->host) == 0) ||
	    (c->req->forwarded_host && strcasecmp(host, c->req->forwarded_host) == 0))
		return MO_OK;
cross:
	return mo_err_set(err, MO_EFORBIDDEN, "cross_site",
			  "Вхід можливий лише зі сторінки цього сервера. "
			  "(Sign in from this server's own page.)");
}

static int new_session(struct ctx *c, const char *login, const char *role, uint64_t now,
		       struct mo_err *err)
{
	char id[65], hash[MO_SHA256_HEX], csrf[65];
	cJSON *o, *u;
	int rc;

	if (random_hex(id, 32) != MO_OK || random_hex(csrf, 32) != MO_OK)
		return mo_err_set(err, MO_ERROR, NULL, "no randomness for a session");
	session_hash(hash, id);
	if ((rc = hub_store_session_add(c->h->store, hash, login, csrf, client_address(c), now,
					err)) != MO_OK)
		goto done;
	set_cookie(c, id, false);
	o = cJSON_CreateObject();
	u = cJSON_AddObjectToObject(o, "user");
	cJSON_AddStringToObject(o, "csrf_token", csrf);
	cJSON_AddStringToObject(u, "login", login);
	cJSON_AddStringToObject(u, "role", role);
	rc = reply_take(c, 200, o, err);
done:
	OPENSSL_cleanse(id, sizeof(id));
	return rc;
}

static int on_login(struct ctx *c, struct mo_err *err)
{
	char role[32] = "", hash[256] = "";
	const char *login, *password;
	uint64_t now = mo_now_ms();
	long long attempt = 0;
	bool weak;
	int rc, vrc;

	if ((rc = same_site(c, err)) != MO_OK || (rc = parse_body(c, err)) != MO_OK ||
	    (rc = body_str(c, "login", 64, true, &login, err)) != MO_OK ||
	    (rc = body_str(c, "password", 1024, true, &password, err)) != MO_OK)
		return rc;
	/* checked and counted as a failure in one transaction, before scrypt */
	if ((rc = throttled(c, login, now, &attempt, err)) != MO_OK)
		return rc;
	rc = hub_store_user_get(c->h->store, login, role, sizeof(role), hash, sizeof(hash), err);
	if (rc != MO_OK && rc != MO_ENOTFOUND)
		return rc;
	mo_err_clear(err);
	hub_metrics_password_check(&c->h->metrics);
	vrc = hub_password_verify(rc == MO_OK ? hash : dummy_hash, password);
	weak = rc == MO_OK && hub_password_weak(hash);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (vrc == MO_EBUSY)
		return mo_err_set(err, MO_EBUSY, "busy",
				  "Сервер зайнятий; спробуйте ще раз. (The hub is busy; try again.)");
	if (rc != MO_OK || vrc != MO_OK)
		return mo_err_set(err, MO_EAUTH, "bad_login",
				  "Неправильний логін або пароль. (Wrong login or password.)");
	if ((rc = hub_store_login_succeeded(c->h->store, attempt, login, client_address(c), now,
					    err)) != MO_OK)
		return rc;
	/* a hash from before today's cost is rewritten now that the password
	 * is at hand; if that fails the sign-in still stands and the next one
	 * tries again */
	if (weak && hub_user_rehash(c->h, login, password, err) != MO_OK)
		mo_err_clear(err);
	/* a session the browser held before sign-in is never reused */
	if (c->req->session) {
		char old[MO_SHA256_HEX];

		session_hash(old, c->req->session);
		if ((rc = hub_store_session_delete(c->h->store, old, err)) != MO_OK)
			return rc;
	}
	return new_session(c, login, role, now, err);
}

static int on_logout(struct ctx *c, struct mo_err *err)
{
	int rc = hub_store_session_delete(c->h->store, c->hash, err);

	if (rc != MO_OK)
		return rc;
	set_cookie(c, "", true);
	return reply_take(c, 200, cJSON_CreateObject(), err);
}

static int on_me(struct ctx *c, struct mo_err *err)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "login", c->s.login);
	cJSON_AddStringToObject(o, "role", c->s.role);
	cJSON_AddStringToObject(o, "csrf_token", c->s.csrf);
	return reply_take(c, 200, o, err);
}

/* ---- the queue ---- */

/*
 * The FTS5 query for a search box text: each word a quoted phrase (so no
 * FTS5 syntax gets through) matched as a prefix, all words required.
 * Words without a letter or digit are dropped; "" when none is left.
 */
static int fts_query(struct mo_buf *out, const char *q)
{
	const char *p = q;
	int rc = MO_OK;

	while (*p && rc == MO_OK) {
		const char *w;
		bool useful = false;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		w = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
			unsigned char ch = (unsigned char)*p;

			useful |= ch >= 0x80 || (ch >= '0' && ch <= '9') ||
				  ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z');
			p++;
		}
		if (!useful)
			continue;
		if (out->len)
			rc = mo_buf_addc(out, ' ');
		if (rc == MO_OK)
			rc = mo_buf_addc(out, '"');
		for (const char *x = w; x < p && rc == MO_OK; x++)
			rc = *x == '"' ? mo_buf_adds(out, "\"\"")
				       : mo_buf_addc(out, (unsigned char)*x);
		if (rc == MO_OK)
			rc = mo_buf_adds(out, "\"*");
	}
	return rc;
}

/* a word of Latin letters (and ' or -) only: a name typed in Latin */
static bool latin_word(const char *w, size_t n)
{
	bool letter = false;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)w[i];

		if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')
			letter = true;
		else if (ch != '\'' && ch != '-')
			return false;
	}
	return letter;
}

/*
 * Split the search box text: words in Latin letters go to `latin` (matched
 * against the names by the national transliteration, translit.h: Hnatiuk
 * finds Гнатюк), the others to `rest` (the FTS5 query); a text of phone
 * characters only with at least 5 digits also gives its digits to `phone`.
 */
static int split_search(const char *q, struct mo_buf *latin, struct mo_buf *rest,
			struct mo_buf *phone)
{
	const char *p = q;
	size_t digits = 0;
	bool phone_chars = true;
	int rc = MO_OK;

	for (const char *x = q; *x; x++) {
		if (*x >= '0' && *x <= '9')
			digits++;
		else if (!strchr(" +-()./", *x))
			phone_chars = false;
	}
	for (const char *x = q; phone_chars && digits >= 5 && *x && rc == MO_OK; x++)
		if (*x >= '0' && *x <= '9')
			rc = mo_buf_addc(phone, (unsigned char)*x);
	while (*p && rc == MO_OK) {
		const char *w;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		w = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (p == w)
			break;
		if (latin_word(w, (size_t)(p - w))) {
			/* the apostrophe is dropped in the table, a hyphen parts words */
			for (const char *x = w; x < p && rc == MO_OK; x++)
				if (*x != '\'')
					rc = mo_buf_addc(
					    latin, *x == '-' ? ' ' : (unsigned char)(*x | 0x20));
			if (rc == MO_OK)
				rc = mo_buf_addc(latin, ' ');
		} else {
			rc = mo_buf_add(rest, w, (size_t)(p - w));
			if (rc == MO_OK)
				rc = mo_buf_addc(rest, ' ');
		}
	}
	return rc;
}

static int queue_sort(struct hub_case_filter *f, const char *sort, const char *dir,
		      struct mo_err *err)
{
	static const char *const names[] = {
	    [HUB_SORT_ATTENTION] = "attention", [HUB_SORT_NUMBER] = "number",
	    [HUB_SORT_STATUS] = "status",	[HUB_SORT_APPLICANT] = "applicant",
	    [HUB_SORT_CREATED] = "created",	[HUB_SORT_RECEIVED] = "received",
	    [HUB_SORT_UNIT] = "unit",		[HUB_SORT_ASSIGNEE] = "assignee"};
	bool known = sort == NULL;

	for (size_t i = 0; sort && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(sort, names[i]) == 0) {
			f->sort = (int)i;
			known = true;
		}
	if (!known)
		return bad_request(err, "sort is attention, number, status, applicant, created, "
					"received, unit or assignee");
	if (dir && strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0)
		return bad_request(err, "dir is asc or desc");
	f->desc = dir && strcmp(dir, "desc") == 0;
	return MO_OK;
}

/* the search box: FTS words, Latin words, a phone */
struct search_bufs {
	struct mo_buf match, latin, rest, phone;
};
#define SEARCH_BUFS_INIT                                                                           \
	{                                                                                          \
		MO_BUF_INIT(4096), MO_BUF_INIT(1024), MO_BUF_INIT(1024), MO_BUF_INIT(64)           \
	}

static void search_bufs_release(struct search_bufs *b)
{
	mo_buf_release(&b->match);
	mo_buf_release(&b->latin);
	mo_buf_release(&b->rest);
	mo_buf_release(&b->phone);
}

/* the filters of the queue and the export, checked */
static int queue_filter(struct ctx *c, struct hub_case_filter *f, struct search_bufs *sb,
			struct mo_err *err)
{
	static const char *const texts[] = {"trip", "settlement", "operator", "trip_kind",
					    "mobility"};
	const char *q = arg(c, "q");
	int rc;

	memset(f, 0, sizeof(*f));
	f->status = arg(c, "status");
	f->unit = arg(c, "unit");
	f->service = arg(c, "service");
	f->from = arg(c, "from");
	f->to = arg(c, "to");
	if (f->status && proto_status_parse(f->status) == PROTO_ST_INVALID)
		return bad_request(err, "unknown status");
	if ((f->unit && !printable_ascii(f->unit, 32)) ||
	    (f->service && !printable_ascii(f->service, 32)))
		return bad_request(err, "bad unit or service code");
	if ((f->from && !proto_date_valid(f->from)) || (f->to && !proto_date_valid(f->to)))
		return bad_request(err, "dates are YYYY-MM-DD");
	/* assignee: "me", "none" or a login */
	if ((f->assignee = arg(c, "assignee")) != NULL) {
		if (strcmp(f->assignee, "none") == 0) {
			f->assignee = NULL;
			f->unassigned = true;
		} else if (strcmp(f->assignee, "me") == 0) {
			f->assignee = c->s.login;
		} else if (!printable_ascii(f->assignee, HUB_LOGIN_MAX - 1)) {
			return bad_request(err, "assignee is me, none or a login");
		}
	}
	f->trip = arg(c, "trip");
	f->settlement = arg(c, "settlement");
	f->operator_name = arg(c, "operator");
	f->trip_kind = arg(c, "trip_kind");
	f->mobility = arg(c, "mobility");
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		const char *v = arg(c, texts[i]);

		if (v && (strlen(v) > 200 || !proto_utf8_valid(v, strlen(v))))
			return mo_err_set(err, MO_EINVAL, "bad_request",
					  "'%s' is too long or not UTF-8", texts[i]);
	}
	if (f->mobility && strcmp(f->mobility, "any") == 0) {
		f->mobility = NULL;
		f->any_mobility = true;
	}
	if ((rc = queue_sort(f, arg(c, "sort"), arg(c, "dir"), err)) != MO_OK)
		return rc;
	if (q) {
		if (strlen(q) > Q_MAX || !proto_utf8_valid(q, strlen(q)))
			return bad_request(err, "the search text is too long or not UTF-8");
		if (split_search(q, &sb->latin, &sb->rest, &sb->phone) != MO_OK ||
		    fts_query(&sb->match, mo_buf_cstr(&sb->rest)) != MO_OK)
			return oom(err);
		if (sb->match.len)
			f->match = mo_buf_cstr(&sb->match);
		if (sb->latin.len)
			f->latin = mo_buf_cstr(&sb->latin);
		if (sb->phone.len)
			f->phone = mo_buf_cstr(&sb->phone);
	}
	return MO_OK;
}

static int collect(void *arg, const cJSON *item)
{
	cJSON *dup = cJSON_Duplicate(item, true);

	if (dup == NULL)
		return MO_ENOMEM;
	/* the queue's answer as docs/api.md says it: the rest is for the exports */
	cJSON_DeleteItemFromObjectCaseSensitive(dup, "fee_uah");
	cJSON_DeleteItemFromObjectCaseSensitive(dup, "operator");
	cJSON_DeleteItemFromObjectCaseSensitive(dup, "trip");
	cJSON_DeleteItemFromObjectCaseSensitive(dup, "decision");
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(dup, "applicant"),
						"phone");
	cJSON_AddItemToArray(arg, dup);
	return MO_OK;
}

static int on_cases(struct ctx *c, struct mo_err *err)
{
	struct hub_case_filter f;
	struct search_bufs sb = SEARCH_BUFS_INIT;
	const char *page_s = arg(c, "page");
	long long page = 1, total = 0;
	cJSON *o = NULL, *items;
	int rc;

	if ((rc = queue_filter(c, &f, &sb, err)) != MO_OK)
		goto done;
	if (page_s && !mo_parse_i64(&page, page_s, 1, 1000000)) {
		rc = bad_request(err, "page is a number from 1");
		goto done;
	}
	if ((o = cJSON_CreateObject()) == NULL || (items = cJSON_CreateArray()) == NULL) {
		rc = oom(err);
		goto done;
	}
	cJSON_AddItemToObject(o, "items", items);
	rc = hub_store_case_query(c->h->store, &f, (page - 1) * PAGE_SIZE, PAGE_SIZE, &total,
				  collect, items, err);
	if (rc == MO_ENOMEM)
		oom(err);
	if (rc != MO_OK)
		goto done;
	cJSON_AddNumberToObject(o, "total", (double)total);
	cJSON_AddNumberToObject(o, "page", (double)page);
	cJSON_AddNumberToObject(o, "page_size", PAGE_SIZE);
	rc = reply_json(c, 200, o, err);
done:
	cJSON_Delete(o);
	search_bufs_release(&sb);
	return rc;
}

/* what the queue's filters offer (trips, settlements, operators ...) */
static int on_queue_options(struct ctx *c, struct mo_err *err)
{
	cJSON *o = NULL;
	int rc = hub_store_queue_options(c->h->store, &o, err);

	return rc == MO_OK ? reply_take(c, 200, o, err) : rc;
}

/* ---- CSV export ---- */

/*
 * CSV for spreadsheets: Excel in the uk-UA locale splits on ';', so ';' is
 * the default (?sep=comma for ','); a cell holding either separator, a
 * quote or a line break is quoted.  The formula guard: a spreadsheet runs
 * a cell (or a line of it, after a quoted line break, when a program splits
 * it into rows) that starts with = + - @, a tab or CR, or their full-width
 * forms, as a formula, so each such start gets a leading apostrophe.
 */
struct csv {
	struct mo_buf *b;
	char sep;
	enum hub_lang lang; /* the words of the headers and statuses */
};

/* does the text at p start like a formula? */
static bool formula_start(const char *p)
{
	static const char *const wide[] = {"\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D",
					   "\xEF\xBC\xA0"}; /* ＝ ＋ － ＠ */

	if (*p && strchr("=+-@\t\r", *p))
		return true;
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (strncmp(p, wide[i], 3) == 0)
			return true;
	return false;
}

static int csv_cell(struct csv *o, const char *v, bool first)
{
	struct mo_buf *b = o->b;
	bool quote = false, line_start = true;
	int rc = MO_OK;

	if (!first && (rc = mo_buf_addc(b, o->sep)) != MO_OK)
		return rc;
	if (v == NULL || *v == '\0')
		return MO_OK;
	quote = strpbrk(v, ",;\"\r\n") != NULL;
	if (quote && (rc = mo_buf_addc(b, '"')) != MO_OK)
		return rc;
	for (const char *p = v; *p && rc == MO_OK; p++) {
		if (line_start && formula_start(p) && (rc = mo_buf_addc(b, '\'')) != MO_OK)
			break;
		line_start = *p == '\n' || *p == '\r';
		rc = *p == '"' ? mo_buf_adds(b, "\"\"") : mo_buf_addc(b, (unsigned char)*p);
	}
	if (rc == MO_OK && quote)
		rc = mo_buf_addc(b, '"');
	return rc;
}

/* one case: the columns of export.c, times in Kyiv local time */
static int csv_row(void *arg, const cJSON *it)
{
	struct csv *b = arg;
	struct hub_export_row row;
	int rc = hub_export_row(b->lang, it, &row);

	if (rc != MO_OK)
		return rc;
	for (int i = 0; i < HUB_EXPORT_COLS && rc == MO_OK; i++) {
		const struct hub_export_cell *x = &row.cell[i];
		char when[17];

		rc = csv_cell(b, x->iso ? hub_kyiv_text(x->iso, when) : x->text, i == 0);
	}
	if (rc == MO_OK)
		rc = mo_buf_adds(b->b, "\r\n");
	hub_export_row_release(&row);
	return rc;
}

/* the export's filters, written to the audit log with the number of rows */
static int audit_export(struct ctx *c, long long total, struct mo_err *err)
{
	static const char *const keys[] = {
	    "status",	"unit",	     "service",	 "from", "to",	 "assignee", "trip", "settlement",
	    "operator", "trip_kind", "mobility", "q",	 "sort", "dir",	     "sep",	 "lang"};
	struct mo_buf detail = MO_BUF_INIT(1024);
	int rc;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = arg(c, keys[i]);

		if (v && mo_buf_addf(&detail, "%s%s=%.*s", detail.len ? " " : "", keys[i], 100,
				     v) != MO_OK)
			break;
	}
	if (mo_buf_addf(&detail, "%s%lld rows", detail.len ? "; " : "",
			total < EXPORT_MAX ? total : EXPORT_MAX) != MO_OK)
		rc = oom(err);
	else
		rc = audit(c, "export", NULL, mo_buf_cstr(&detail), err);
	mo_buf_release(&detail);
	return rc;
}

/* GET /api/export.xlsx: the same rows as the CSV in a real workbook */
struct xrow {
	struct hub_xlsx *x;
	enum hub_lang lang;
};

static int xlsx_row(void *arg, const cJSON *it)
{
	struct xrow *w = arg;
	struct hub_export_row row;
	int rc = hub_export_row(w->lang, it, &row);

	if (rc != MO_OK)
		return rc;
	for (int i = 0; i < HUB_EXPORT_COLS && rc == MO_OK; i++) {
		const struct hub_export_cell *x = &row.cell[i];

		rc = x->iso	 ? hub_xlsx_time(w->x, i, x->iso)
		     : x->number ? hub_xlsx_number(w->x, i, x->num)
				 : hub_xlsx_text(w->x, i, x->text);
	}
	hub_xlsx_row(w->x);
	hub_export_row_release(&row);
	return rc;
}

static int on_export_xlsx(struct ctx *c, struct mo_err *err)
{
	struct hub_case_filter f;
	struct search_bufs sb = SEARCH_BUFS_INIT;
	struct xrow w = {NULL, req_lang(c->req)};
	const char *head[HUB_EXPORT_COLS];
	long long total = 0;
	int rc;

	if ((rc = queue_filter(c, &f, &sb, err)) != MO_OK)
		goto done;
	for (int i = 0; i < HUB_EXPORT_COLS; i++)
		head[i] = hub_word_or(w.lang, HUB_W_COLUMN, hub_export_columns[i]);
	if ((w.x = hub_xlsx_open(c->h->data, err)) == NULL) {
		rc = err->rc ? err->rc : MO_EIO;
		goto done;
	}
	if ((rc = hub_xlsx_sheet(w.x, w.lang == HUB_LANG_EN ? "Applications" : "Заяви", head,
				 HUB_EXPORT_COLS)) == MO_OK)
		rc = hub_store_case_query(c->h->store, &f, 0, EXPORT_MAX, &total, xlsx_row, &w,
					  err);
	if (rc == MO_ENOMEM || rc == MO_ETOOBIG)
		mo_err_set(err, rc, "too_large", "the export is too large; narrow the filter");
	if (rc != MO_OK) {
		struct mo_err ignored = MO_ERR_INIT;

		hub_xlsx_close(w.x, &c->res->body, &ignored);
		mo_buf_reset(&c->res->body);
		goto done;
	}
	if ((rc = hub_xlsx_close(w.x, &c->res->body, err)) != MO_OK ||
	    (rc = audit_export(c, total, err)) != MO_OK) {
		mo_buf_reset(&c->res->body);
		goto done;
	}
	c->res->status = 200;
	c->res->ctype = HUB_XLSX_CTYPE;
	c->res->disposition = "attachment; filename=\"cases.xlsx\"";
done:
	search_bufs_release(&sb);
	return rc;
}

static int on_export(struct ctx *c, struct mo_err *err)
{
	struct hub_case_filter f;
	struct search_bufs sb = SEARCH_BUFS_INIT;
	struct mo_buf *b = &c->res->body;
	const char *const *head = hub_export_columns;
	const char *sep = arg(c, "sep");
	struct csv out = {b, ';', req_lang(c->req)};
	long long total = 0;
	int rc;

	if (sep && strcmp(sep, "comma") == 0)
		out.sep = ',';
	else if (sep && strcmp(sep, "semicolon") != 0) {
		rc = bad_request(err, "sep is semicolon or comma");
		goto done;
	}
	if ((rc = queue_filter(c, &f, &sb, err)) != MO_OK)
		goto done;
	mo_buf_reset(b);
	/* the BOM makes spreadsheet programs read the file as UTF-8 */
	rc = mo_buf_adds(b, "\xEF\xBB\xBF");
	for (size_t i = 0; i < HUB_EXPORT_COLS && rc == MO_OK; i++)
		rc = csv_cell(&out, hub_word_or(out.lang, HUB_W_COLUMN, head[i]), i == 0);
	if (rc == MO_OK)
		rc = mo_buf_adds(b, "\r\n");
	if (rc != MO_OK) {
		mo_err_set(err, rc, NULL, "out of memory");
		goto done;
	}
	rc = hub_store_case_query(c->h->store, &f, 0, EXPORT_MAX, &total, csv_row, &out, err);
	if (rc == MO_ENOMEM || rc == MO_ETOOBIG)
		mo_err_set(err, rc, "too_large", "the export is too large; narrow the filter");
	if (rc != MO_OK)
		goto done;
	if ((rc = audit_export(c, total, err)) != MO_OK)
		goto done;
	c->res->status = 200;
	c->res->ctype = "text/csv; charset=utf-8";
	c->res->disposition = "attachment; filename=\"cases.csv\"";
done:
	search_bufs_release(&sb);
	return rc;
}

/* ---- a case ---- */

static void copy_key(cJSON *to, const cJSON *from, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, key);

	cJSON_AddItemToObject(to, key, v ? cJSON_Duplicate(v, true) : cJSON_CreateNull());
}

/* the catalogue as the fields objects of its entries: [{code, category, ...}] */
static int catalogue(struct hub *h, cJSON **out, struct mo_err *err)
{
	cJSON *rows = NULL, *arr, *it;
	int rc;

	*out = NULL;
	if ((rc = hub_store_service_list(h->store, &rows, err)) != MO_OK)
		return rc;
	if ((arr = cJSON_CreateArray()) == NULL) {
		cJSON_Delete(rows);
		return oom(err);
	}
	cJSON_ArrayForEach(it, rows)
	{
		cJSON *f = cJSON_DetachItemFromObjectCaseSensitive(it, "fields");

		if (cJSON_IsObject(f))
			cJSON_AddItemToArray(arr, f);
		else
			cJSON_Delete(f);
	}
	cJSON_Delete(rows);
	*out = arr;
	return MO_OK;
}

static const cJSON *find_service(const cJSON *catalogue, const char *code)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, catalogue)
	{
		const char *c = proto_json_str(it, "code");

		if (c && strcmp(c, code) == 0)
			return it;
	}
	return NULL;
}

static int add_services(struct hub *h, const char *id, cJSON *o, struct mo_err *err)
{
	struct hub_case_service *sv = NULL;
	cJSON *cat = NULL, *arr = cJSON_AddArrayToObject(o, "services");
	size_t n = 0;
	int rc;

	if (arr == NULL)
		return oom(err);
	if ((rc = hub_store_case_services(h->store, id, &sv, &n, err)) != MO_OK ||
	    (rc = catalogue(h, &cat, err)) != MO_OK)
		goto done;
	for (size_t i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateObject();
		const cJSON *e = find_service(cat, sv[i].code);

		cJSON_AddStringToObject(s, "code", sv[i].code);
		cJSON_AddStringToObject(s, "status", proto_status_name(sv[i].status));
		if ((rc = hub_review_moves(sv[i].status, cJSON_AddArrayToObject(s, "moves"))) !=
		    MO_OK) {
			cJSON_Delete(s);
			rc = oom(err);
			goto done;
		}
		copy_key(s, e, "title_uk");
		copy_key(s, e, "title_en");
		copy_key(s, e, "category");
		cJSON_AddItemToArray(arr, s);
	}
done:
	free(sv);
	cJSON_Delete(cat);
	return rc;
}

static int add_trip(struct hub *h, const cJSON *doc, cJSON *o, struct mo_err *err)
{
	struct mo_buf tdoc = MO_BUF_INIT(1u << 20);
	const char *trip = proto_json_str(doc, "trip");
	char unit[HUB_CODE_MAX];
	cJSON *t = NULL, *tj;
	int rc;

	if (trip == NULL || hub_store_trip_get(h->store, trip, unit, &tdoc, err) != MO_OK) {
		mo_err_clear(err);
		cJSON_AddNullToObject(o, "trip");
		rc = MO_OK;
		goto done;
	}
	tj = cJSON_ParseWithLength((const char *)tdoc.data, tdoc.len);
	if ((t = cJSON_AddObjectToObject(o, "trip")) == NULL) {
		cJSON_Delete(tj);
		rc = oom(err);
		goto done;
	}
	cJSON_AddStringToObject(t, "id", trip);
	copy_key(t, tj, "settlement");
	copy_key(t, tj, "kind");
	copy_key(t, tj, "started_at");
	cJSON_Delete(tj);
	rc = MO_OK;
done:
	mo_buf_release(&tdoc);
	return rc;
}

static bool blob_present(struct hub *h, const char *sha)
{
	char path[HUB_PATH_MAX + 80];
	struct stat st;

	if (sha == NULL || strlen(sha) != 64 || strchr(sha, '/'))
		return false;
	snprintf(path, sizeof(path), "%s/blobs/%s", h->data, sha);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* history, attachments, ratings and quarantine in the shape of docs/api.md */
static int add_detail(struct hub *h, const char *id, cJSON *o, struct mo_err *err)
{
	cJSON *raw = cJSON_CreateObject(), *hist, *att, *rat, *quar;
	const cJSON *it;
	int rc;

	if (raw == NULL)
		return oom(err);
	if ((rc = hub_store_case_detail(h->store, id, raw, err)) != MO_OK)
		goto done;
	hist = cJSON_AddArrayToObject(o, "history");
	att = cJSON_AddArrayToObject(o, "attachments");
	rat = cJSON_AddArrayToObject(o, "ratings");
	quar = cJSON_AddArrayToObject(o, "quarantined");
	cJSON_AddNullToObject(o, "received_at");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(raw, "history"))
	{
		const char *kind = proto_json_str(it, "kind"), *to = proto_json_str(it, "to");
		bool text = kind && strcmp(kind, "transition") != 0 && strcmp(kind, "created") != 0;
		cJSON *e = cJSON_CreateObject();

		copy_key(e, it, "at");
		copy_key(e, it, "actor");
		copy_key(e, it, "kind");
		copy_key(e, it, "from");
		copy_key(e, it, "to");
		copy_key(e, it, "service");
		cJSON_AddItemToObject(e, text ? "text" : "reason",
				      cJSON_Duplicate(cJSON_GetObjectItem(it, "reason"), true));
		cJSON_AddItemToArray(hist, e);
		if (kind && to && strcmp(kind, "transition") == 0 && strcmp(to, "received") == 0 &&
		    cJSON_IsNull(cJSON_GetObjectItem(o, "received_at")))
			cJSON_ReplaceItemInObject(
			    o, "received_at", cJSON_Duplicate(cJSON_GetObjectItem(it, "at"), true));
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(raw, "appends"))
	{
		const char *entity = proto_json_str(it, "entity");
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(it, "fields");
		cJSON *e;

		if (entity == NULL ||
		    (strcmp(entity, "attachment") != 0 && strcmp(entity, "rating") != 0))
			continue;
		e = cJSON_CreateObject();
		if (strcmp(entity, "attachment") == 0) {
			copy_key(e, f, "sha256");
			copy_key(e, f, "media_type");
			copy_key(e, f, "size");
			copy_key(e, f, "name");
			copy_key(e, f, "kind");
			cJSON_AddBoolToObject(e, "present",
					      blob_present(h, proto_json_str(f, "sha256")));
			cJSON_AddItemToArray(att, e);
		} else {
			copy_key(e, f, "score");
			copy_key(e, f, "comment");
			cJSON_AddItemToObject(
			    e, "at", cJSON_Duplicate(cJSON_GetObjectItem(it, "received_at"), true));
			cJSON_AddItemToArray(rat, e);
		}
	}
	/* edits per field, creation and receipt, attachments, ratings (history.c) */
	if (hub_history_present(hist, o, cJSON_GetObjectItemCaseSensitive(raw, "appends")) !=
	    MO_OK) {
		rc = oom(err);
		goto done;
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(raw, "quarantined"))
	{
		cJSON *e = cJSON_CreateObject();

		copy_key(e, it, "n");
		copy_key(e, it, "code");
		copy_key(e, it, "message");
		cJSON_AddItemToObject(
		    e, "at", cJSON_Duplicate(cJSON_GetObjectItem(it, "received_at"), true));
		copy_key(e, it, "device");
		cJSON_AddItemToArray(quar, e);
	}
done:
	cJSON_Delete(raw);
	return rc;
}

/* the case's place in the team's queue: assignee (null: nobody), last return
 * from needs_info (null: never) */
static int add_queue(struct hub *h, const char *id, cJSON *o, struct mo_err *err)
{
	struct hub_case_queue cq;
	int rc = hub_store_case_queue_get(h->store, id, &cq, err);

	if (rc != MO_OK)
		return rc;
	if (cq.assignee[0])
		cJSON_AddStringToObject(o, "assignee", cq.assignee);
	else
		cJSON_AddNullToObject(o, "assignee");
	if (cq.resubmitted_at[0])
		cJSON_AddStringToObject(o, "resubmitted_at", cq.resubmitted_at);
	else
		cJSON_AddNullToObject(o, "resubmitted_at");
	return MO_OK;
}

/* the whole case of docs/api.md; *out owned by the caller */
static int case_json(struct hub *h, const char *ref, cJSON **out, struct mo_err *err)
{
	static const char *const keys[] = {
	    "device",  "operator", "created_at", "channel",   "package",
	    "consent", "fee_uah",  "notes",	 "applicant", "documents_presented",
	    "messages_consent"};
	struct mo_buf doc = MO_BUF_INIT(16u << 20);
	struct hub_case hc;
	cJSON *o = NULL, *dj = NULL;
	int rc;

	*out = NULL;
	if ((rc = hub_store_case_get(h->store, ref, true, &hc, &doc, err)) != MO_OK)
		goto done;
	dj = cJSON_ParseWithLength((const char *)doc.data, doc.len);
	if ((o = cJSON_CreateObject()) == NULL) {
		rc = oom(err);
		goto done;
	}
	cJSON_AddStringToObject(o, "id", hc.id);
	cJSON_AddStringToObject(o, "number", hc.number);
	cJSON_AddStringToObject(o, "status", hc.status);
	if (hub_review_moves(proto_status_parse(hc.status), cJSON_AddArrayToObject(o, "moves")) !=
	    MO_OK) {
		rc = oom(err);
		goto done;
	}
	cJSON_AddStringToObject(o, "unit", hc.unit);
	if ((rc = add_queue(h, hc.id, o, err)) != MO_OK)
		goto done;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		copy_key(o, dj, keys[i]);
	if ((rc = add_trip(h, dj, o, err)) != MO_OK || (rc = add_services(h, hc.id, o, err)) ||
	    (rc = add_detail(h, hc.id, o, err)) != MO_OK ||
	    (rc = hub_messages_case_json(h->store, hc.id, o, err)) != MO_OK)
		goto done;
	{
		cJSON *pay = NULL; /* expected vs paid (store_payments.c) */

		if ((rc = hub_store_case_payments(h->store, hc.id, &pay, err)) != MO_OK)
			goto done;
		cJSON_AddItemToObject(o, "payment", pay);
	}
	*out = o;
	o = NULL;
done:
	cJSON_Delete(o);
	cJSON_Delete(dj);
	mo_buf_release(&doc);
	return rc;
}

static int on_case(struct ctx *c, struct mo_err *err)
{
	cJSON *o = NULL;
	int rc = case_json(c->h, c->param, &o, err);

	return rc == MO_OK ? reply_take(c, 200, o, err) : rc;
}

static int on_decision(struct ctx *c, struct mo_err *err)
{
	struct hub_service_decision sd[30];
	struct hub_decision d;
	struct hub_case hc;
	const cJSON *services, *it;
	cJSON *o = NULL;
	int rc;

	memset(&d, 0, sizeof(d));
	d.case_ref = c->param;
	d.by = c->s.login;
	if ((rc = parse_body(c, err)) != MO_OK ||
	    (rc = body_str(c, "decision", 32, false, &d.decision, err)) != MO_OK ||
	    (rc = body_str(c, "reason", 4000, false, &d.reason, err)) != MO_OK)
		return rc;
	services = cJSON_GetObjectItemCaseSensitive(c->body, "services");
	if (services && !cJSON_IsNull(services)) {
		if (!cJSON_IsArray(services) || cJSON_GetArraySize(services) < 1 ||
		    cJSON_GetArraySize(services) > 30)
			return bad_request(err, "'services' is a list of 1 to 30 decisions");
		cJSON_ArrayForEach(it, services)
		{
			sd[d.nservices].code = proto_json_str(it, "code");
			sd[d.nservices].decision = proto_json_str(it, "decision");
			sd[d.nservices].reason = proto_json_str(it, "reason");
			if (sd[d.nservices].code == NULL || sd[d.nservices].decision == NULL)
				return bad_request(err, "each service needs 'code' and 'decision'");
			if (cJSON_GetObjectItemCaseSensitive(it, "reason") &&
			    !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(it, "reason")) &&
			    sd[d.nservices].reason == NULL)
				return bad_request(err, "a service's 'reason' is a text");
			d.nservices++;
		}
		d.services = sd;
	} else if (d.decision == NULL) {
		return bad_request(err, "'decision' is required");
	}
	if ((rc = hub_review_decide(c->h, &d, &hc, err)) != MO_OK)
		return rc;
	if ((rc = case_json(c->h, hc.id, &o, err)) != MO_OK)
		return rc;
	return reply_take(c, 200, o, err);
}

static int on_comment(struct ctx *c, struct mo_err *err)
{
	const char *text;
	char id[MO_UUID_LEN], now[32];
	cJSON *o;
	int rc;

	if ((rc = parse_body(c, err)) != MO_OK ||
	    (rc = body_str(c, "text", 4000, true, &text, err)) != MO_OK)
		return rc;
	if ((rc = hub_review_comment(c->h, c->param, text, c->s.login, id, err)) != MO_OK)
		return rc;
	mo_iso8601(now, sizeof(now), mo_now_ms(), true);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "at", now);
	cJSON_AddStringToObject(o, "author", c->s.login);
	cJSON_AddStringToObject(o, "text", text);
	return reply_take(c, 201, o, err);
}

/* {"login": L} assigns the case to L, {"login": null} to nobody */
static int on_assign(struct ctx *c, struct mo_err *err)
{
	const char *login;
	struct hub_case hc;
	cJSON *o = NULL;
	int rc;

	if ((rc = parse_body(c, err)) != MO_OK)
		return rc;
	if (!cJSON_HasObjectItem(c->body, "login"))
		return bad_request(err, "'login' is required (null to unassign)");
	if ((rc = body_str(c, "login", HUB_LOGIN_MAX - 1, false, &login, err)) != MO_OK)
		return rc;
	if ((rc = hub_review_assign(c->h, c->param, login, c->s.login, &hc, err)) != MO_OK ||
	    (rc = case_json(c->h, hc.id, &o, err)) != MO_OK)
		return rc;
	return reply_take(c, 200, o, err);
}

/* the staff a case can be assigned to */
static int on_staff(struct ctx *c, struct mo_err *err)
{
	cJSON *o = NULL;
	int rc = hub_store_staff_active(c->h->store, &o, err);

	return rc == MO_OK ? reply_take(c, 200, o, err) : rc;
}

/* ---- documents ---- */

static bool sha_valid(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* types a browser may show inline; anything else (HTML, SVG ...) could run
 * script in the UI's origin, so it is only offered as a download */
static const char *inline_type(const char *mt)
{
	static const char *const ok[] = {"image/png",  "image/jpeg",	  "image/gif",
					 "image/webp", "application/pdf", "text/plain"};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(mt, ok[i]) == 0)
			return strcmp(mt, "text/plain") == 0 ? "text/plain; charset=utf-8" : ok[i];
	return NULL;
}

static int on_blob(struct ctx *c, struct mo_err *err)
{
	char mt[128], name[256], path[HUB_PATH_MAX + 80];
	const char *ct;
	struct stat st;
	int rc, fd;

	if (!sha_valid(c->param))
		return mo_err_set(err, MO_ENOTFOUND, "not_found", "no such document");
	if ((rc = hub_store_attachment_find(c->h->store, c->param, mt, sizeof(mt), name,
					    sizeof(name), err)) != MO_OK)
		return rc;
	snprintf(path, sizeof(path), "%s/blobs/%s", c->h->data, c->param);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return mo_err_set(err, MO_ENOTFOUND, "not_found",
				  "the document has not been uploaded yet");
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return mo_err_set(err, MO_ENOTFOUND, "not_found", "no such document");
	}
	ct = inline_type(mt);
	c->res->status = 200;
	c->res->fd = fd;
	c->res->fd_size = (uint64_t)st.st_size;
	c->res->ctype = ct ? ct : "application/octet-stream";
	c->res->disposition = ct ? "inline" : "attachment";
	/* a PDF needs the browser's viewer; everything else runs nothing */
	c->res->csp = ct && strcmp(ct, "application/pdf") == 0
			  ? NULL
			  : "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'";
	return MO_OK;
}

/* ---- catalogue and units ---- */

static int on_units(struct ctx *c, struct mo_err *err)
{
	cJSON *arr = NULL;
	int rc = hub_store_unit_list(c->h->store, &arr, err);

	return rc == MO_OK ? reply_take(c, 200, arr, err) : rc;
}

static int on_services(struct ctx *c, struct mo_err *err)
{
	cJSON *arr = NULL;
	int rc = catalogue(c->h, &arr, err);

	return rc == MO_OK ? reply_take(c, 200, arr, err) : rc;
}

/* ---- home-visit requests (visits.h) ---- */

static int on_visits(struct ctx *c, struct mo_err *err)
{
	struct hub_visit_filter f;
	cJSON *arr = NULL, *o;
	int rc;

	memset(&f, 0, sizeof(f));
	f.unit = arg(c, "unit");
	f.state = arg(c, "state");
	f.from = arg(c, "from");
	f.to = arg(c, "to");
	f.text = arg(c, "q");
	if (f.unit && !printable_ascii(f.unit, 32))
		return bad_request(err, "bad unit code");
	if ((rc = hub_visit_list(c->h, &f, &arr, err)) != MO_OK)
		return rc;
	if ((o = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(arr);
		return oom(err);
	}
	cJSON_AddItemToObject(o, "visits", arr);
	return reply_take(c, 200, o, err);
}

static int on_visit(struct ctx *c, struct mo_err *err)
{
	cJSON *o = NULL;
	int rc = hub_visit_get(c->h, c->param, &o, err);

	return rc == MO_OK ? reply_take(c, 200, o, err) : rc;
}

static int on_visit_add(struct ctx *c, struct mo_err *err)
{
	cJSON *o = NULL;
	int rc;

	if ((rc = parse_body(c, err)) != MO_OK ||
	    (rc = hub_visit_create(c->h, c->body, c->s.login, &o, err)) != MO_OK)
		return rc;
	return reply_take(c, 201, o, err);
}

static int on_visit_cancel(struct ctx *c, struct mo_err *err)
{
	const char *reason;
	cJSON *o = NULL;
	int rc;

	if ((rc = parse_body(c, err)) != MO_OK ||
	    (rc = body_str(c, "reason", 1000, false, &reason, err)) != MO_OK ||
	    (rc = hub_visit_cancel(c->h, c->param, reason, c->s.login, &o, err)) != MO_OK)
		return rc;
	return reply_take(c, 200, o, err);
}

static int on_visit_edit(struct ctx *c, struct mo_err *err)
{
	cJSON *o = NULL;
	int rc;

	if ((rc = parse_body(c, err)) != MO_OK ||
	    (rc = hub_visit_edit(c->h, c->param, c->body, c->s.login, &o, err)) != MO_OK)
		return rc;
	return reply_take(c, 200, o, err);
}

static int on_visit_assign(struct ctx *c, struct mo_err *err)
{
	const char *unit;
	cJSON *o = NULL;
	int rc;

	if ((rc = parse_body(c, err)) != MO_OK ||
	    (rc = body_str(c, "unit", 32, true, &unit, err)) != MO_OK ||
	    (rc = hub_visit_assign(c->h, c->param, unit, c->s.login, &o, err)) != MO_OK)
		return rc;
	return reply_take(c, 200, o, err);
}

/* ---- catalogue administration (catalogue.h) ---- */

static int on_catalogue(struct ctx *c, struct mo_err *err)
{
	cJSON *o = NULL;
	int rc = hub_catalogue_get(c->h, &o, err);

	return rc == MO_OK ? reply_take(c, 200, o, err) : rc;
}

static int on_catalogue_versions(struct ctx *c, struct mo_err *err)
{
	const char *code = arg(c, "code");
	cJSON *arr = NULL;
	int rc;

	if (code && !printable_ascii(code, 32))
		return bad_request(err, "'code' is a service code");
	rc = hub_catalogue_versions(c->h, code, &arr, err);
	return rc == MO_OK ? reply_take(c, 200, arr, err) : rc;
}

/* PUT /api/catalogue/services/CODE {"version": SEEN, fields...} */
static int on_catalogue_put(struct ctx *c, struct mo_err *err)
{
	struct hub_catalogue_edit e = {c->param, NULL, 0, c->s.login};
	const cJSON *v;
	cJSON *changes = NULL, *o = NULL;
	int rc;

	if ((rc = parse_body(c, err)) != MO_OK)
		return rc;
	v = cJSON_GetObjectItemCaseSensitive(c->body, "version");
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e15 ||
	    v->valuedouble != (double)(long long)v->valuedouble)
		return bad_request(err, "'version' is the version of the service you edited "
					"(0 for a new service)");
	e.seen = (long long)v->valuedouble;
	if ((changes = cJSON_Duplicate(c->body, true)) == NULL)
		return oom(err);
	cJSON_DeleteItemFromObjectCaseSensitive(changes, "version");
	e.changes = changes;
	rc = hub_catalogue_set(c->h, &e, &o, err);
	cJSON_Delete(changes);
	return rc == MO_OK ? reply_take(c, e.seen == 0 ? 201 : 200, o, err) : rc;
}

/* ---- reports ---- */

/* each row of a report list gets "label": the words of its `key` code */
static void label_rows(cJSON *rows, const char *key, enum hub_words_kind kind, enum hub_lang lang)
{
	cJSON *it;

	cJSON_ArrayForEach(it, rows)
	{
		const char *code = proto_json_str(it, key);

		if (code && !cJSON_HasObjectItem(it, "label"))
			cJSON_AddStringToObject(it, "label", hub_word_or(lang, kind, code));
	}
}

static int report_json(struct ctx *c, cJSON **out, struct mo_err *err)
{
	struct hub_case_filter f;
	cJSON *r = NULL;
	int rc;

	memset(&f, 0, sizeof(f));
	f.unit = arg(c, "unit");
	f.from = arg(c, "from");
	f.to = arg(c, "to");
	if (f.unit && !printable_ascii(f.unit, 32))
		return bad_request(err, "bad unit code");
	if ((f.from && !proto_date_valid(f.from)) || (f.to && !proto_date_valid(f.to)))
		return bad_request(err, "dates are YYYY-MM-DD");
	if ((rc = hub_store_report(c->h->store, &f, &r, err)) != MO_OK)
		return rc;
	if ((rc = hub_store_visit_report(c->h->store, &f, r, err)) != MO_OK) {
		cJSON_Delete(r);
		return rc;
	}
	label_rows(cJSON_GetObjectItemCaseSensitive(r, "by_category"), "category", HUB_W_CATEGORY,
		   req_lang(c->req));
	*out = r;
	return MO_OK;
}

static int on_report(struct ctx *c, struct mo_err *err)
{
	cJSON *r = NULL;
	int rc = report_json(c, &r, err);

	return rc == MO_OK ? reply_take(c, 200, r, err) : rc;
}

/* GET /api/reports/summary.xlsx: the same report, its tables as sheets */
static int on_report_xlsx(struct ctx *c, struct mo_err *err)
{
	struct hub_xlsx *x;
	cJSON *r = NULL;
	int rc = report_json(c, &r, err);

	if (rc != MO_OK)
		return rc;
	if ((x = hub_xlsx_open(c->h->data, err)) == NULL) {
		cJSON_Delete(r);
		return err->rc ? err->rc : MO_EIO;
	}
	rc = hub_report_xlsx(x, r, req_lang(c->req));
	cJSON_Delete(r);
	if (rc != MO_OK) {
		struct mo_err ignored = MO_ERR_INIT;

		hub_xlsx_close(x, &c->res->body, &ignored);
		mo_buf_reset(&c->res->body);
		return oom(err);
	}
	if ((rc = hub_xlsx_close(x, &c->res->body, err)) != MO_OK) {
		mo_buf_reset(&c->res->body);
		return rc;
	}
	c->res->status = 200;
	c->res->ctype = HUB_XLSX_CTYPE;
	c->res->disposition = "attachment; filename=\"report.xlsx\"";
	return MO_OK;
}

/* GET /api/reports/payments?from=&to=&unit=: paid, unpaid, overpaid, unmatched */
static int on_report_payments(struct ctx *c, struct mo_err *err)
{
	struct hub_case_filter f;
	cJSON *r = NULL;
	int rc;

	memset(&f, 0, sizeof(f));
	f.unit = arg(c, "unit");
	f.from = arg(c, "from");
	f.to = arg(c, "to");
	if (f.unit && !printable_ascii(f.unit, 32))
		return bad_request(err, "bad unit code");
	if ((f.from && !proto_date_valid(f.from)) || (f.to && !proto_date_valid(f.to)))
		return bad_request(err, "dates are YYYY-MM-DD");
	if ((rc = hub_store_payments_report(c->h->store, &f, &r, err)) != MO_OK)
		return rc;
	return reply_take(c, 200, r, err);
}

/* GET /api/words?lang=uk|en: the codes in words (words.h), for anyone */
static int on_words(struct ctx *c, struct mo_err *err)
{
	return reply_take(c, 200, hub_words_json(req_lang(c->req)), err);
}

/* ---- admin ---- */

static int on_admin_devices(struct ctx *c, struct mo_err *err)
{
	cJSON *arr = NULL, *out, *it;
	int rc;

	if ((rc = hub_store_device_list(c->h->store, &arr, err)) != MO_OK)
		return rc;
	if ((out = cJSON_CreateArray()) == NULL) {
		cJSON_Delete(arr);
		return oom(err);
	}
	cJSON_ArrayForEach(it, arr)
	{
		static const char *const keys[] = {
		    "id",      "code", "unit",	   "hostname",	  "operator",  "status",
		    "flagged", "flag", "last_seq", "enrolled_at", "revoked_at"};
		cJSON *d = cJSON_CreateObject();

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			copy_key(d, it, keys[i]);
		cJSON_AddItemToObject(
		    d, "last_sync", cJSON_Duplicate(cJSON_GetObjectItem(it, "last_seen_at"), true));
		cJSON_AddItemToArray(out, d);
	}
	cJSON_Delete(arr);
	return reply_take(c, 200, out, err);
}

static int on_admin_revoke(struct ctx *c, struct mo_err *err)
{
	struct hub_device d;
	cJSON *o;
	int rc;

	if ((rc = hub_store_device_get(c->h->store, c->param, &d, err)) != MO_OK) {
		if (rc == MO_ENOTFOUND)
			mo_err_set(err, rc, "not_found", "no device '%s'", c->param);
		return rc;
	}
	if (!d.active)
		return mo_err_set(err, MO_ECONFLICT, "conflict", "device %s is already revoked",
				  d.code);
	if ((rc = hub_store_device_revoke(c->h->store, d.id, err)) != MO_OK ||
	    (rc = audit(c, "device.revoke", d.code, d.id, err)) != MO_OK)
		return rc;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", d.id);
	cJSON_AddStringToObject(o, "code", d.code);
	cJSON_AddStringToObject(o, "unit", d.unit);
	cJSON_AddStringToObject(o, "status", "revoked");
	return reply_take(c, 200, o, err);
}

static int on_admin_token(struct ctx *c, struct mo_err *err)
{
	const char *unit;
	long long hours = 24;
	const cJSON *ttl;
	char token[128], expires[32], detail[64];
	uint64_t now = mo_now_ms();
	struct hub_unit u;
	cJSON *o;
	int rc;

	if ((rc = parse_body(c, err)) != MO_OK ||
	    (rc = body_str(c, "unit", 32, true, &unit, err)) != MO_OK)
		return rc;
	ttl = cJSON_GetObjectItemCaseSensitive(c->body, "ttl_hours");
	if (ttl && !cJSON_IsNull(ttl) &&
	    (!proto_json_is_integer(ttl, &hours) || hours < 1 || hours > 720))
		return bad_request(err, "ttl_hours is a whole number from 1 to 720");
	if ((rc = hub_store_unit_get(c->h->store, unit, &u, err)) != MO_OK) {
		if (rc == MO_ENOTFOUND)
			mo_err_set(err, rc, "not_found", "no unit '%s'", unit);
		return rc;
	}
	if ((rc = hub_enroll_token(c->h, u.code, (uint64_t)hours * 3600000, token, sizeof(token),
				   err)) != MO_OK)
		return rc;
	snprintf(detail, sizeof(detail), "valid %lld h", hours);
	if ((rc = audit(c, "enroll-token", u.code, detail, err)) != MO_OK) {
		OPENSSL_cleanse(token, sizeof(token));
		return rc;
	}
	mo_iso8601(expires, sizeof(expires), now + (uint64_t)hours * 3600000, false);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "token", token);
	cJSON_AddStringToObject(o, "unit", u.code);
	cJSON_AddStringToObject(o, "expires_at", expires);
	OPENSSL_cleanse(token, sizeof(token));
	rc = reply_take(c, 201, o, err);
	return rc;
}

static int on_admin_units(struct ctx *c, struct mo_err *err)
{
	return on_units(c, err);
}

static int on_admin_unit_add(struct ctx *c, struct mo_err *err)
{
	const char *code, *name, *kind, *phone;
	cJSON *o;
	int rc;

	if ((rc = parse_body(c, err)) != MO_OK ||
	    (rc = body_str(c, "code", 32, true, &code, err)) != MO_OK ||
	    (rc = body_str(c, "name", 255, true, &name, err)) != MO_OK ||
	    (rc = body_str(c, "kind", 16, true, &kind, err)) != MO_OK ||
	    (rc = body_str(c, "phone", 32, false, &phone, err)) != MO_OK)
		return rc;
	if ((rc = hub_unit_add(c->h, code, name, kind, phone, err)) != MO_OK) {
		if (rc == MO_ECONFLICT)
			mo_err_set(err, rc, "conflict", "unit '%s' already exists", code);
		return rc;
	}
	if ((rc = audit(c, "unit.add", code, name, err)) != MO_OK)
		return rc;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", code);
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "kind", kind);
	return reply_take(c, 201, o, err);
}

static int on_admin_users(struct ctx *c, struct mo_err *err)
{
	cJSON *arr = NULL;
	int rc = hub_store_user_list(c->h->store, &arr, err);

	return rc == MO_OK ? reply_take(c, 200, arr, err) : rc;
}

static int on_admin_user_add(struct ctx *c, struct mo_err *err)
{
	const char *login, *role, *password;
	cJSON *o;
	int rc;

	if ((rc = parse_body(c, err)) != MO_OK ||
	    (rc = body_str(c, "login", 64, true, &login, err)) != MO_OK ||
	    (rc = body_str(c, "role", 16, true, &role, err)) != MO_OK ||
	    (rc = body_str(c, "password", 1024, true, &password, err)) != MO_OK)
		return rc;
	if ((rc = hub_user_add(c->h, login, role, password, err)) != MO_OK) {
		if (rc == MO_ECONFLICT)
			mo_err_set(err, rc, "conflict", "user '%s' already exists", login);
		else if (rc == MO_EINVAL)
			mo_strlcpy(err->code, "bad_request", sizeof(err->code));
		return rc;
	}
	if ((rc = audit(c, "user.add", login, role, err)) != MO_OK)
		return rc;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "login", login);
	cJSON_AddStringToObject(o, "role", role);
	return reply_take(c, 201, o, err);
}

/* POST /api/admin/users/<login>/disable|enable|password|role */
static int user_change(struct ctx *c, enum hub_user_op op, const char *key, struct mo_err *err)
{
	const char *value = NULL;
	cJSON *o;
	int rc;

	if (key && ((rc = parse_body(c, err)) != MO_OK ||
		    (rc = body_str(c, key, 1024, true, &value, err)) != MO_OK))
		return rc;
	if ((rc = hub_user_change(c->h, c->s.login, c->param, op, value, err)) != MO_OK)
		return rc;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "login", c->param);
	return reply_take(c, 200, o, err);
}

static int on_admin_user_disable(struct ctx *c, struct mo_err *err)
{
	return user_change(c, HUB_USER_DISABLE, NULL, err);
}

static int on_admin_user_enable(struct ctx *c, struct mo_err *err)
{
	return user_change(c, HUB_USER_ENABLE, NULL, err);
}

static int on_admin_user_password(struct ctx *c, struct mo_err *err)
{
	return user_change(c, HUB_USER_PASSWORD, "password", err);
}

static int on_admin_user_role(struct ctx *c, struct mo_err *err)
{
	return user_change(c, HUB_USER_ROLE, "role", err);
}

static int on_admin_audit(struct ctx *c, struct mo_err *err)
{
	cJSON *arr = NULL;
	int rc = hub_store_audit_list(c->h->store, AUDIT_MAX, &arr, err);

	return rc == MO_OK ? reply_take(c, 200, arr, err) : rc;
}

/* ---- routing ---- */

/*
 * POST /api/cases/bulk-decide {"ids": [1..200 case ids or numbers], "decision",
 * "reason"?}: the single decision (hub_review_decide) case by case, each in
 * its own transaction with its own history and audit entry; a case the state
 * machine refuses is reported and the rest go on.  A bad decision or a
 * missing reason refuses the whole request; a storage error stops the loop
 * ("stopped": true) after the cases already decided.
 */
#define BULK_MAX 200

static int bulk_result(cJSON *arr, const char *ref, const struct hub_case *hc,
		       const struct mo_err *e, enum hub_lang lang)
{
	cJSON *r = cJSON_CreateObject(), *x;

	if (r == NULL || !cJSON_AddItemToArray(arr, r))
		return MO_ENOMEM;
	cJSON_AddStringToObject(r, "ref", ref);
	cJSON_AddBoolToObject(r, "ok", e == NULL);
	if (e == NULL) {
		cJSON_AddStringToObject(r, "id", hc->id);
		cJSON_AddStringToObject(r, "number", hc->number);
		cJSON_AddStringToObject(r, "status", hc->status);
	} else if ((x = cJSON_AddObjectToObject(r, "error")) != NULL) {
		error_members(x, e, lang);
	}
	return MO_OK;
}

static int on_bulk_decide(struct ctx *c, struct mo_err *err)
{
	struct hub_decision d;
	const cJSON *ids, *it;
	cJSON *o = NULL, *arr;
	long long done = 0, failed = 0;
	bool stopped = false;
	int rc;

	memset(&d, 0, sizeof(d));
	d.by = c->s.login;
	if ((rc = parse_body(c, err)) != MO_OK ||
	    (rc = body_str(c, "decision", 32, true, &d.decision, err)) != MO_OK ||
	    (rc = body_str(c, "reason", 4000, false, &d.reason, err)) != MO_OK)
		return rc;
	ids = cJSON_GetObjectItemCaseSensitive(c->body, "ids");
	if (!cJSON_IsArray(ids) || cJSON_GetArraySize(ids) < 1 ||
	    cJSON_GetArraySize(ids) > BULK_MAX)
		return bad_request(err, "'ids' is a list of 1 to 200 cases");
	cJSON_ArrayForEach(it, ids)
	{
		if (!cJSON_IsString(it) || !printable_ascii(it->valuestring, 64))
			return bad_request(err, "each of 'ids' is a case id or number");
	}
	if ((o = cJSON_CreateObject()) == NULL ||
	    (arr = cJSON_AddArrayToObject(o, "results")) == NULL)
		goto oom;
	cJSON_ArrayForEach(it, ids)
	{
		struct hub_case hc;
		struct mo_err e = MO_ERR_INIT;

		d.case_ref = it->valuestring;
		rc = hub_review_decide(c->h, &d, &hc, &e);
		/* the same decision and reason for every case: refused for one, for all */
		if (rc == MO_EINVAL) {
			cJSON_Delete(o);
			*err = e;
			return rc;
		}
		if (bulk_result(arr, it->valuestring, &hc, rc == MO_OK ? NULL : &e, req_lang(c->req)) != MO_OK)
			goto oom;
		if (rc == MO_OK) {
			done++;
		} else {
			failed++;
			if (rc != MO_ENOTFOUND && rc != MO_ECONFLICT) {
				stopped = true;
				break;
			}
		}
	}
	cJSON_AddNumberToObject(o, "done", (double)done);
	cJSON_AddNumberToObject(o, "failed", (double)failed);
	cJSON_AddBoolToObject(o, "stopped", stopped);
	return reply_take(c, 200, o, err);
oom:
	cJSON_Delete(o);
	return oom(err);
}

/* a citizen's lookup by receipt: no session (public.h) */
static int on_public_status(struct ctx *c, struct mo_err *err)
{
	const char *lang = c->req->arg ? c->req->arg(c->req->ctx, "lang") : NULL;
	cJSON *o = NULL;
	int rc;

	rc = hub_public_status(c->h, c->req->arg ? c->req->arg(c->req->ctx, "number") : NULL,
			       c->req->arg ? c->req->arg(c->req->ctx, "code") : NULL,
			       client_address(c), lang && strcmp(lang, "en") == 0, &o,
			       &c->res->retry_after, err);
	return rc == MO_OK ? reply_take(c, 200, o, err) : rc;
}

static const struct api_route {
	const char *method;
	const char *pattern; /* a '*' segment matches one path segment */
	int role;
	api_fn fn;
} routes[] = {
    {"POST", "/api/login", ROLE_NONE, on_login},
    {"POST", "/api/logout", ROLE_ANY, on_logout},
    {"GET", "/api/me", ROLE_ANY, on_me},
    {"GET", "/api/words", ROLE_NONE, on_words},
    {"GET", "/api/cases", ROLE_REVIEWER, on_cases},
    {"GET", "/api/cases/*", ROLE_REVIEWER, on_case},
    {"POST", "/api/cases/bulk-decide", ROLE_REVIEWER, on_bulk_decide},
    {"POST", "/api/cases/*/decision", ROLE_REVIEWER, on_decision},
    {"POST", "/api/cases/*/comments", ROLE_REVIEWER, on_comment},
    {"POST", "/api/cases/*/assign", ROLE_REVIEWER, on_assign},
    {"GET", "/api/staff", ROLE_REVIEWER, on_staff},
    {"GET", "/api/queue/options", ROLE_REVIEWER, on_queue_options},
    {"GET", "/api/blobs/*", ROLE_REVIEWER, on_blob},
    {"GET", "/api/units", ROLE_REVIEWER, on_units},
    {"GET", "/api/services", ROLE_REVIEWER, on_services},
    {"GET", "/api/catalogue", ROLE_REVIEWER, on_catalogue},
    {"GET", "/api/catalogue/versions", ROLE_REVIEWER, on_catalogue_versions},
    {"PUT", "/api/catalogue/services/*", ROLE_ADMIN, on_catalogue_put},
    {"GET", "/api/visits", ROLE_REVIEWER, on_visits},
    {"POST", "/api/visits", ROLE_REVIEWER, on_visit_add},
    {"GET", "/api/visits/*", ROLE_REVIEWER, on_visit},
    {"POST", "/api/visits/*/cancel", ROLE_REVIEWER, on_visit_cancel},
    {"POST", "/api/visits/*/assign", ROLE_REVIEWER, on_visit_assign},
    {"POST", "/api/visits/*/edit", ROLE_REVIEWER, on_visit_edit},
    {"GET", "/api/reports/summary", ROLE_SUPERVISOR, on_report},
    {"GET", "/api/reports/payments", ROLE_SUPERVISOR, on_report_payments},
    {"GET", "/api/reports/summary.xlsx", ROLE_SUPERVISOR, on_report_xlsx},
    {"GET", "/api/export.csv", ROLE_SUPERVISOR, on_export},
    {"GET", "/api/export.xlsx", ROLE_SUPERVISOR, on_export_xlsx},
    {"GET", "/api/admin/devices", ROLE_ADMIN, on_admin_devices},
    {"POST", "/api/admin/devices/*/revoke", ROLE_ADMIN, on_admin_revoke},
    {"POST", "/api/admin/enroll-tokens", ROLE_ADMIN, on_admin_token},
    {"GET", "/api/admin/units", ROLE_ADMIN, on_admin_units},
    {"POST", "/api/admin/units", ROLE_ADMIN, on_admin_unit_add},
    {"GET", "/api/admin/users", ROLE_ADMIN, on_admin_users},
    {"POST", "/api/admin/users", ROLE_ADMIN, on_admin_user_add},
    {"POST", "/api/admin/users/*/disable", ROLE_ADMIN, on_admin_user_disable},
    {"POST", "/api/admin/users/*/enable", ROLE_ADMIN, on_admin_user_enable},
    {"POST", "/api/admin/users/*/password", ROLE_ADMIN, on_admin_user_password},
    {"POST", "/api/admin/users/*/role", ROLE_ADMIN, on_admin_user_role},
    {"GET", "/api/admin/audit", ROLE_ADMIN, on_admin_audit},
    {"GET", "/api/public/status", ROLE_NONE, on_public_status},
};

/* does path match pattern?  the '*' segment is copied into param */
static bool match(const char *pattern, const char *path, char *param, size_t plen)
{
	const char *p = pattern, *u = path;

	while (*p && *u) {
		if (*p == '*') {
			const char *end = strchr(u, '/');
			size_t n = end ? (size_t)(end - u) : strlen(u);

			if (n == 0 || n >= plen)
				return false;
			memcpy(param, u, n);
			param[n] = '\0';
			u += n;
			p++;
			continue;
		}
		if (*p != *u)
			return false;
		p++;
		u++;
	}
	return *p == '\0' && *u == '\0';
}

static int role_rank(const char *role)
{
	if (strcmp(role, "admin") == 0)
		return ROLE_ADMIN;
	if (strcmp(role, "supervisor") == 0)
		return ROLE_SUPERVISOR;
	if (strcmp(role, "reviewer") == 0)
		return ROLE_REVIEWER;
	return ROLE_NONE;
}

static int gate(struct ctx *c, const struct api_route *rt, struct mo_err *err)
{
	const char *csrf = c->req->csrf;
	int rc;

	if (rt->role == ROLE_NONE)
		return MO_OK;
	if (c->req->session == NULL || strlen(c->req->session) != 64)
		return mo_err_set(err, MO_EAUTH, "unauthenticated", "not signed in");
	session_hash(c->hash, c->req->session);
	rc = hub_store_session_get(c->h->store, c->hash, mo_now_ms(), c->h->session_idle_ms,
				   c->h->session_max_ms ? c->h->session_max_ms : HUB_SESSION_MAX_MS,
				   &c->s, err);
	if (rc == MO_ENOTFOUND) {
		char msg[MO_ERR_MSG_MAX];

		mo_strlcpy(msg, err->msg, sizeof(msg));
		return mo_err_set(err, MO_EAUTH, "unauthenticated", "%s", msg);
	}
	if (rc != MO_OK)
		return rc;
	if (strcmp(c->req->method, "GET") != 0 &&
	    (csrf == NULL || strlen(csrf) != strlen(c->s.csrf) ||
	     CRYPTO_memcmp(csrf, c->s.csrf, strlen(csrf)) != 0))
		return mo_err_set(err, MO_EFORBIDDEN, "csrf",
				  "the request lacks the X-CSRF-Token of this session");
	if (role_rank(c->s.role) < rt->role)
		return mo_err_set(err, MO_EFORBIDDEN, "forbidden", "the role %s may not do this",
				  c->s.role);
	return MO_OK;
}

void hub_api_handle(struct hub *h, const struct hub_api_req *req, struct hub_api_res *res)
{
	struct mo_err err = MO_ERR_INIT;
	struct ctx c;
	const struct api_route *rt = NULL;
	bool path_known = false;
	int rc;

	memset(&c, 0, sizeof(c));
	c.h = h;
	c.req = req;
	c.res = res;
	c.param = c.param_buf;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]) && rt == NULL; i++) {
		if (!match(routes[i].pattern, req->path, c.param_buf, sizeof(c.param_buf)))
			continue;
		path_known = true;
		if (strcmp(req->method, routes[i].method) == 0)
			rt = &routes[i];
	}
	if (rt == NULL) {
		if (path_known)
			mo_err_set(&err, MO_EINVAL, "method_not_allowed", "%s is not allowed here",
				   req->method);
		else
			mo_err_set(&err, MO_ENOTFOUND, "not_found", "no such endpoint");
		reply_error(res, &err, req_lang(req));
		return;
	}
	if ((rc = gate(&c, rt, &err)) == MO_OK)
		rc = rt->fn(&c, &err);
	if (rc != MO_OK)
		reply_error(res, &err, req_lang(req));
	cJSON_Delete(c.body);
	OPENSSL_cleanse(c.s.csrf, sizeof(c.s.csrf));
}
