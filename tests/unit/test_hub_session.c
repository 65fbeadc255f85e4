/*
 * test_hub_session.c — the staff API's gate without a socket (api.h):
 * sign-in and the session cookie, the CSRF check, roles, sign-out, the idle
 * timeout and absolute lifetime (store clock driven by the test),
 * throttling by login, address and both with Retry-After, login CSRF,
 * account changes ending sessions, the scrypt upgrade, Cyrillic search
 * through FTS5 and the CSV cells, against a real temporary hub.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "api.h"
#include "apply.h"
#include "hub.h"

struct fx {
	char dir[64];
	struct hub h;
	char cookie[72];
	char csrf[72];
};

struct kv {
	const char *k, *v;
};

/* the client address and sign-in headers of the next requests */
static const char *g_addr = "192.0.2.7";
static const char *g_ctype = "application/json";
static const char *g_origin, *g_site;

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static const char *kv_arg(void *ctx, const char *name)
{
	for (const struct kv *a = ctx; a && a->k; a++)
		if (strcmp(a->k, name) == 0)
			return a->v;
	return NULL;
}

/* one request; the reply's body is a NUL-terminated string in res */
static int call(struct fx *f, struct hub_api_res *res, const char *method, const char *path,
		const char *body, const char *cookie, const char *csrf, const struct kv *args)
{
	struct hub_api_req rq = {.method = method,
				 .path = path,
				 .session = cookie,
				 .csrf = csrf,
				 .address = g_addr,
				 .content_type = g_ctype,
				 .origin = g_origin,
				 .fetch_site = g_site,
				 .host = "hub.example:8080",
				 .body = body ? body : "",
				 .len = body ? strlen(body) : 0,
				 .arg = kv_arg,
				 .ctx = (void *)args};

	hub_api_res_init(res);
	hub_api_handle(&f->h, &rq, res);
	assert_int_equal(mo_buf_addc(&res->body, '\0'), MO_OK);
	return res->status;
}

static int status_of(struct fx *f, const char *method, const char *path, const char *body,
		     const char *cookie, const char *csrf)
{
	struct hub_api_res res;
	int st = call(f, &res, method, path, body, cookie, csrf, NULL);

	hub_api_res_release(&res);
	return st;
}

static int login(struct fx *f, const char *user, const char *pw)
{
	struct hub_api_res res;
	char body[256];
	cJSON *j;
	int st;

	snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"%s\"}", user, pw);
	st = call(f, &res, "POST", "/api/login", body, NULL, NULL, NULL);
	if (st == 200) {
		const char *eq = strchr(res.cookie, '='), *semi = strchr(res.cookie, ';');

		assert_non_null(eq);
		assert_non_null(semi);
		assert_int_equal(semi - eq - 1, 64);
		memcpy(f->cookie, eq + 1, 64);
		f->cookie[64] = '\0';
		assert_non_null(strstr(res.cookie, "; HttpOnly"));
		assert_non_null(strstr(res.cookie, "; SameSite=Strict"));
		assert_null(strstr(res.cookie, "Secure"));
		j = cJSON_Parse((const char *)res.body.data);
		assert_non_null(j);
		mo_strlcpy(f->csrf, cJSON_GetObjectItem(j, "csrf_token")->valuestring,
			   sizeof(f->csrf));
		cJSON_Delete(j);
	} else if (st == 429) {
		assert_true(res.retry_after >= 1 && res.retry_after <= 900);
		assert_non_null(strstr((const char *)res.body.data, "\"rate_limited\""));
	}
	hub_api_res_release(&res);
	return st;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct hub_init_opts o = {NULL, NULL, "admin-pass-1"};
	struct mo_err err = MO_ERR_INIT;

	assert_non_null(f);
	g_addr = "192.0.2.7";
	g_ctype = "application/json";
	g_origin = g_site = NULL;
	snprintf(f->dir, sizeof(f->dir), "/tmp/mo-hub-session-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	o.data = f->dir;
	assert_int_equal(hub_create(&o, &err), MO_OK);
	assert_int_equal(hub_open(&f->h, f->dir, &err), MO_OK);
	assert_int_equal(hub_unit_add(&f->h, "KR-T01", "Мобільний офіс №1", "truck", NULL, &err), MO_OK);
	assert_int_equal(hub_user_add(&f->h, "olena", "reviewer", "reviewer-pass-1", &err), MO_OK);
	assert_int_equal(hub_user_add(&f->h, "petro", "supervisor", "supervisor-pass", &err),
			 MO_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	hub_close(&f->h);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void test_login_gate_csrf_roles_logout(void **state)
{
	struct fx *f = *state;
	char old[72];

	assert_int_equal(status_of(f, "GET", "/api/me", NULL, NULL, NULL), 401);
	assert_int_equal(login(f, "olena", "wrong-password"), 401);
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 200);
	assert_int_equal(status_of(f, "GET", "/api/me", NULL, f->cookie, NULL), 200);
	/* reviewer: the queue yes, reports and admin no */
	assert_int_equal(status_of(f, "GET", "/api/cases", NULL, f->cookie, NULL), 200);
	assert_int_equal(status_of(f, "GET", "/api/reports/summary", NULL, f->cookie, NULL), 403);
	assert_int_equal(status_of(f, "GET", "/api/admin/users", NULL, f->cookie, NULL), 403);
	/* every POST but sign-in needs the token */
	assert_int_equal(status_of(f, "POST", "/api/logout", "{}", f->cookie, NULL), 403);
	assert_int_equal(status_of(f, "POST", "/api/logout", "{}", f->cookie, "00"), 403);
	assert_int_equal(status_of(f, "GET", "/api/me", NULL, f->cookie, NULL), 200);
	/* unknown routes and methods */
	assert_int_equal(status_of(f, "GET", "/api/nope", NULL, f->cookie, NULL), 404);
	assert_int_equal(status_of(f, "POST", "/api/cases", "{}", f->cookie, f->csrf), 405);
	mo_strlcpy(old, f->cookie, sizeof(old));
	assert_int_equal(status_of(f, "POST", "/api/logout", "{}", f->cookie, f->csrf), 200);
	assert_int_equal(status_of(f, "GET", "/api/me", NULL, old, NULL), 401);
	/* a supervisor sees reports, not admin */
	assert_int_equal(login(f, "petro", "supervisor-pass"), 200);
	assert_int_equal(status_of(f, "GET", "/api/reports/summary", NULL, f->cookie, NULL), 200);
	assert_int_equal(status_of(f, "GET", "/api/export.csv", NULL, f->cookie, NULL), 200);
	assert_int_equal(status_of(f, "GET", "/api/admin/audit", NULL, f->cookie, NULL), 403);
	assert_int_equal(login(f, "admin", "admin-pass-1"), 200);
	assert_int_equal(status_of(f, "GET", "/api/admin/audit", NULL, f->cookie, NULL), 200);
}

static void test_idle_timeout_in_the_store(void **state)
{
	struct fx *f = *state;
	struct hub_session s;
	struct mo_err err = MO_ERR_INIT;
	const char *hash = "ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01";
	uint64_t t = 1000000, idle = 30 * 60 * 1000;

	assert_int_equal(hub_store_session_add(f->h.store, hash, "olena", "tok", "x", t, &err),
			 MO_OK);
	/* each use restarts the clock */
	assert_int_equal(hub_store_session_get(f->h.store, hash, t + idle, idle, 0, &s, &err), MO_OK);
	assert_string_equal(s.login, "olena");
	assert_string_equal(s.role, "reviewer");
	assert_int_equal(hub_store_session_get(f->h.store, hash, t + 2 * idle, idle, 0, &s, &err),
			 MO_OK);
	/* a parallel request that read the clock earlier is not "expired" */
	assert_int_equal(hub_store_session_get(f->h.store, hash, t + 2 * idle - 5, idle, 0, &s, &err),
			 MO_OK);
	assert_int_equal(hub_store_session_get(f->h.store, hash, t + 3 * idle + 1, idle, 0, &s, &err),
			 MO_ENOTFOUND);
	assert_string_equal(err.code, "unauthenticated");
	/* and it is gone for good */
	assert_int_equal(hub_store_session_get(f->h.store, hash, t + 2 * idle, idle, 0, &s, &err),
			 MO_ENOTFOUND);
}

static void test_absolute_lifetime_in_the_store(void **state)
{
	struct fx *f = *state;
	struct hub_session s;
	struct mo_err err = MO_ERR_INIT;
	const char *hash = "cd02cd02cd02cd02cd02cd02cd02cd02cd02cd02cd02cd02cd02cd02cd02cd02";
	uint64_t t = 5000000, idle = 30 * 60 * 1000, max = 12ull * 3600 * 1000;

	assert_int_equal(hub_store_session_add(f->h.store, hash, "olena", "tok", "x", t, &err),
			 MO_OK);
	/* used every 20 minutes, it never idles out, yet ends 12 h after sign-in */
	for (uint64_t u = t + idle * 2 / 3; u <= t + max; u += idle * 2 / 3)
		assert_int_equal(hub_store_session_get(f->h.store, hash, u, idle, max, &s, &err),
				 MO_OK);
	assert_int_equal(
	    hub_store_session_get(f->h.store, hash, t + max + idle / 2, idle, max, &s, &err),
	    MO_ENOTFOUND);
	assert_string_equal(err.code, "unauthenticated");
	assert_int_equal(hub_store_session_get(f->h.store, hash, t + max, idle, max, &s, &err),
			 MO_ENOTFOUND);
}

/*
 * Date every counted failure to this instant: the wait runs from the latest
 * failure's start, and on a loaded machine the password checks before an
 * attempt that must wait can take longer than the wait itself.
 */
static void pin_failures(struct fx *f)
{
	char path[128], sql[128];
	sqlite3 *db = NULL;

	snprintf(path, sizeof(path), "%s/hub.db", f->dir);
	snprintf(sql, sizeof(sql), "UPDATE login_failures SET at_ms = %llu",
		 (unsigned long long)mo_now_ms());
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_throttling(void **state)
{
	struct fx *f = *state;

	/* petro signed in from A before: A is a known address of petro */
	assert_int_equal(login(f, "petro", "supervisor-pass"), 200);
	/* 5 failures of olena from A: olena waits at A ... */
	for (int i = 0; i < 5; i++)
		assert_int_equal(login(f, "olena", "wrong-password"), 401);
	pin_failures(f);
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 429);
	/* ... but the right password from another address works at once */
	g_addr = "192.0.2.8";
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 200);
	/* 20 failures from A (any logins) make A wait for logins unknown there */
	g_addr = "192.0.2.7";
	for (int i = 0; i < 16; i++) {
		char who[16];

		snprintf(who, sizeof(who), "guess%d", i);
		if (i == 15)
			pin_failures(f);
		assert_int_equal(login(f, who, "wrong-password"), i < 15 ? 401 : 429);
	}
	pin_failures(f);
	assert_int_equal(login(f, "admin", "admin-pass-1"), 429);
	/* staff who signed in at A before (behind the same proxy) still can */
	assert_int_equal(login(f, "petro", "supervisor-pass"), 200);
	/* elsewhere admin is fine */
	g_addr = "192.0.2.9";
	assert_int_equal(login(f, "admin", "admin-pass-1"), 200);
	/* olena attacked from many addresses: after 10 failures of the login a
	 * new address waits (5 from A + 5 here), but her known address B
	 * still signs her in */
	for (int i = 0; i < 5; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.51.100.%d", i + 1);
		g_addr = a;
		assert_int_equal(login(f, "olena", "wrong-password"), 401);
	}
	g_addr = "198.51.100.99";
	pin_failures(f);
	assert_int_equal(login(f, "olena", "wrong-password"), 429);
	g_addr = "192.0.2.8";
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 200);
}

static void test_login_csrf(void **state)
{
	struct fx *f = *state;

	g_ctype = "text/plain";
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 400);
	g_ctype = "application/x-www-form-urlencoded";
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 400);
	g_ctype = NULL;
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 400);
	g_ctype = "application/json; charset=utf-8";
	g_origin = "https://evil.example";
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 403);
	g_origin = "null";
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 403);
	g_origin = NULL;
	g_site = "cross-site";
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 403);
	g_site = "same-site";
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 403);
	/* this site's own page, or no browser at all */
	g_site = "same-origin";
	g_origin = "http://hub.example:8080";
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 200);
	g_site = g_origin = NULL;
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 200);
}

static void test_account_changes_end_sessions(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	char olena[72], admin[72], acsrf[72];

	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 200);
	mo_strlcpy(olena, f->cookie, sizeof(olena));
	assert_int_equal(login(f, "admin", "admin-pass-1"), 200);
	mo_strlcpy(admin, f->cookie, sizeof(admin));
	mo_strlcpy(acsrf, f->csrf, sizeof(acsrf));
	/* disabling ends olena's live session at once */
	assert_int_equal(status_of(f, "GET", "/api/me", NULL, olena, NULL), 200);
	assert_int_equal(
	    status_of(f, "POST", "/api/admin/users/olena/disable", "{}", admin, acsrf), 200);
	assert_int_equal(status_of(f, "GET", "/api/me", NULL, olena, NULL), 401);
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 401);
	assert_int_equal(status_of(f, "POST", "/api/admin/users/olena/enable", "{}", admin, acsrf),
			 200);
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 200);
	mo_strlcpy(olena, f->cookie, sizeof(olena));
	/* a new password ends her sessions too; the old one no longer works */
	assert_int_equal(status_of(f, "POST", "/api/admin/users/olena/password",
				   "{\"password\":\"new-pass-2026\"}", admin, acsrf),
			 200);
	assert_int_equal(status_of(f, "GET", "/api/me", NULL, olena, NULL), 401);
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 401);
	assert_int_equal(login(f, "olena", "new-pass-2026"), 200);
	mo_strlcpy(olena, f->cookie, sizeof(olena));
	/* a role change takes effect on the next request */
	assert_int_equal(status_of(f, "GET", "/api/reports/summary", NULL, olena, NULL), 403);
	assert_int_equal(status_of(f, "POST", "/api/admin/users/olena/role",
				   "{\"role\":\"supervisor\"}", admin, acsrf),
			 200);
	assert_int_equal(status_of(f, "GET", "/api/reports/summary", NULL, olena, NULL), 200);
	/* refusals change nothing */
	assert_int_equal(status_of(f, "POST", "/api/admin/users/olena/role",
				   "{\"role\":\"boss\"}", admin, acsrf),
			 400);
	assert_int_equal(status_of(f, "POST", "/api/admin/users/olena/password",
				   "{\"password\":\"short\"}", admin, acsrf),
			 400);
	assert_int_equal(status_of(f, "POST", "/api/admin/users/nobody/disable", "{}", admin, acsrf),
			 404);
	assert_int_equal(status_of(f, "POST", "/api/admin/users/olena/disable", "{}", olena, NULL),
			 403);
	/* the last active admin cannot be disabled or demoted */
	assert_int_equal(status_of(f, "POST", "/api/admin/users/admin/disable", "{}", admin, acsrf),
			 409);
	assert_int_equal(status_of(f, "POST", "/api/admin/users/admin/role",
				   "{\"role\":\"reviewer\"}", admin, acsrf),
			 409);
	assert_int_equal(status_of(f, "GET", "/api/me", NULL, admin, NULL), 200);
	/* the CLI's path is the same function */
	assert_int_equal(hub_user_change(&f->h, "cli", "olena", HUB_USER_DISABLE, NULL, &err), MO_OK);
	assert_int_equal(status_of(f, "GET", "/api/me", NULL, olena, NULL), 401);
	/* every change is in the audit log */
	{
		struct hub_api_res res;
		const char *b;

		assert_int_equal(call(f, &res, "GET", "/api/admin/audit", NULL, admin, NULL, NULL),
				 200);
		b = (const char *)res.body.data;
		assert_non_null(strstr(b, "\"user.disable\""));
		assert_non_null(strstr(b, "\"user.enable\""));
		assert_non_null(strstr(b, "\"user.password\""));
		assert_non_null(strstr(b, "\"user.role\""));
		assert_null(strstr(b, "new-pass-2026"));
		hub_api_res_release(&res);
	}
}

static void test_old_hash_upgraded_at_sign_in(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	struct hub_user_change ch = {.disabled = -1};
	char role[32], hash[256];
	/* scrypt N=2^14 of "reviewer-pass-1", salt "0123456789abcdef" (the old cost) */
	const char *old = "scrypt$16384$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$"
			  "dzKYbBuLa0B8AaEMoBaJ/oihBW1I3x+KlQONy73aK+Y=";

	ch.hash = old;
	assert_int_equal(hub_store_user_update(f->h.store, "olena", &ch, &err), MO_OK);
	assert_true(hub_password_weak(old));
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 200);
	assert_int_equal(
	    hub_store_user_get(f->h.store, "olena", role, sizeof(role), hash, sizeof(hash), &err),
	    MO_OK);
	assert_memory_equal(hash, "scrypt$131072$8$1$", 18);
	assert_false(hub_password_weak(hash));
	assert_int_equal(hub_password_verify(hash, "reviewer-pass-1"), MO_OK);
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 200);
}

/* a case whose surname is given, through the apply path a laptop uses */
static void add_case(struct fx *f, const char *id, const char *number, const char *surname)
{
	struct hub_device d;
	struct proto_change c;
	struct hub_apply a;
	struct proto_clock clk;
	struct mo_err err = MO_ERR_INIT;
	char fields[1024];

	if (hub_store_device_get(f->h.store, "KR-T01A", &d, &err) != MO_OK) {
		memset(&d, 0, sizeof(d));
		memset(d.id, 'a', 32);
		mo_strlcpy(d.code, "KR-T01A", sizeof(d.code));
		mo_strlcpy(d.unit, "KR-T01", sizeof(d.unit));
		d.active = true;
		assert_int_equal(hub_store_device_add(f->h.store, &d, "h", "op", &err), MO_OK);
	}
	snprintf(fields, sizeof(fields),
		 "{\"number\":\"%s\",\"unit\":\"KR-T01\",\"device\":\"KR-T01A\","
		 "\"created_at\":\"2026-01-12T07:01:47.349Z\","
		 "\"services\":[{\"code\":\"CIV-02\",\"status\":\"submitted\"},"
		 "{\"code\":\"PAS-01\",\"status\":\"submitted\"}],"
		 "\"applicant\":{\"surname\":\"%s\",\"given_name\":\"Тарас\","
		 "\"rnokpp\":\"1956229334\"},\"fee_uah\":345}",
		 number, surname);
	memset(&c, 0, sizeof(c));
	c.n = 1;
	mo_strlcpy(c.entity, "case", sizeof(c.entity));
	mo_strlcpy(c.id, id, sizeof(c.id));
	mo_strlcpy(c.op, "upsert", sizeof(c.op));
	c.hlc = mo_now_ms() << 16;
	assert_non_null(c.fields = cJSON_Parse(fields));
	assert_int_equal(hub_store_begin(f->h.store, &err), MO_OK);
	assert_int_equal(hub_clock_load(&f->h, &clk, &err), MO_OK);
	hub_apply_init(&a, &f->h, &d, 1, &clk);
	assert_int_equal(hub_apply_change(&a, &c, &err), MO_OK);
	assert_int_equal(hub_apply_finish(&a, &err), MO_OK);
	assert_int_equal(a.nq, 0);
	assert_int_equal(hub_clock_save(&f->h, &a.clock, &err), MO_OK);
	assert_int_equal(hub_store_commit(f->h.store, &err), MO_OK);
	hub_apply_release(&a);
	cJSON_Delete(c.fields);
}

static long long total_for(struct fx *f, const char *q)
{
	struct hub_api_res res;
	struct kv args[] = {{"q", q}, {NULL, NULL}};
	cJSON *j;
	long long n;

	assert_int_equal(call(f, &res, "GET", "/api/cases", NULL, f->cookie, NULL, args), 200);
	j = cJSON_Parse((const char *)res.body.data);
	assert_non_null(j);
	n = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "total"));
	cJSON_Delete(j);
	hub_api_res_release(&res);
	return n;
}

static void test_search_and_csv(void **state)
{
	struct fx *f = *state;
	struct hub_api_res res;
	const char *body;

	add_case(f, "11111111-1111-4111-8111-111111111111", "KR-T01A-2026-000001", "Шевченко");
	add_case(f, "22222222-2222-4222-8222-222222222222", "KR-T01A-2026-000002",
		 "=HYPERLINK(\\\"x\\\"), Їжак");
	add_case(f, "33333333-3333-4333-8333-333333333333", "KR-T01A-2026-000003",
		 "Коваль\\n=cmd|' /C calc'!A0");
	add_case(f, "44444444-4444-4444-8444-444444444444", "KR-T01A-2026-000004", "Ко;валь");
	add_case(f, "55555555-5555-4555-8555-555555555555", "KR-T01A-2026-000005",
		 "\xEF\xBC\x9DSUM(1)");
	assert_int_equal(login(f, "petro", "supervisor-pass"), 200);
	assert_int_equal(total_for(f, "шевченко"), 1);
	assert_int_equal(total_for(f, "ШЕВЧЕНКО"), 1);
	assert_int_equal(total_for(f, "їжак"), 1);
	assert_int_equal(total_for(f, "ижак"), 0);
	assert_int_equal(total_for(f, "kr-t01a-2026-000002"), 1);
	assert_int_equal(total_for(f, "1956229334"), 5);
	assert_int_equal(total_for(f, "\"*)"), 5); /* nothing searchable: no filter */
	assert_int_equal(total_for(f, "тарас шевч"), 1);
	assert_int_equal(call(f, &res, "GET", "/api/export.csv", NULL, f->cookie, NULL, NULL), 200);
	body = (const char *)res.body.data;
	/* ';' by default (Excel in uk-UA), every risky cell quoted and guarded */
	/* the headers and statuses in words (hub/words.c), Ukrainian by default */
	assert_memory_equal(body, "\xEF\xBB\xBF\xD0\x9D\xD0\xBE\xD0\xBC\xD0\xB5\xD1\x80;", 14);
	assert_non_null(strstr(body, "Номер;Статус;Підрозділ;Створено;Прізвище;"));
	assert_non_null(strstr(body, ";отримано центром;"));
	assert_null(strstr(body, ";received;"));
	assert_non_null(strstr(body, ";\"'=HYPERLINK(\"\"x\"\"), Їжак\";Тарас;"));
	assert_non_null(strstr(body, ";\"CIV-02, PAS-01\";;345;"));
	/* a formula after a quoted line break, a ';' inside, full-width '=' */
	assert_non_null(strstr(body, ";\"Коваль\n'=cmd|' /C calc'!A0\";"));
	assert_non_null(strstr(body, ";\"Ко;валь\";"));
	assert_non_null(strstr(body, ";'\xEF\xBC\x9DSUM(1);"));
	assert_null(strstr(body, "\n=cmd"));
	assert_string_equal(res.disposition, "attachment; filename=\"cases.csv\"");
	hub_api_res_release(&res);
	{
		struct kv comma[] = {{"sep", "comma"}, {"lang", "en"}, {NULL, NULL}};
		struct kv bad[] = {{"sep", "tab"}, {NULL, NULL}};

		assert_int_equal(
		    call(f, &res, "GET", "/api/export.csv", NULL, f->cookie, NULL, comma), 200);
		body = (const char *)res.body.data;
		assert_memory_equal(body, "\xEF\xBB\xBFNumber,Status,", 17);
		assert_non_null(strstr(body, ",\"Ко;валь\","));
		assert_non_null(strstr(body, ",\"Коваль\n'=cmd|' /C calc'!A0\","));
		hub_api_res_release(&res);
		assert_int_equal(call(f, &res, "GET", "/api/export.csv", NULL, f->cookie, NULL, bad),
				 400);
		hub_api_res_release(&res);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_login_gate_csrf_roles_logout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_idle_timeout_in_the_store, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_absolute_lifetime_in_the_store, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_throttling, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_login_csrf, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_account_changes_end_sessions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_old_hash_upgraded_at_sign_in, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search_and_csv, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
