/*
 * test_hub_session.c — the staff API's gate without a socket (api.h):
 * sign-in and the session cookie, the CSRF check, roles, sign-out, the idle
 * timeout (store clock driven by the test), throttling with Retry-After,
 * Cyrillic search through FTS5 and the CSV cells, against a real
 * temporary hub.
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
				 .address = "192.0.2.7",
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
	snprintf(f->dir, sizeof(f->dir), "/tmp/mo-hub-session-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	o.data = f->dir;
	assert_int_equal(hub_create(&o, &err), MO_OK);
	assert_int_equal(hub_open(&f->h, f->dir, &err), MO_OK);
	assert_int_equal(hub_unit_add(&f->h, "KR-T01", "Мобільний офіс №1", "truck", &err), MO_OK);
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
	assert_int_equal(hub_store_session_get(f->h.store, hash, t + idle, idle, &s, &err), MO_OK);
	assert_string_equal(s.login, "olena");
	assert_string_equal(s.role, "reviewer");
	assert_int_equal(hub_store_session_get(f->h.store, hash, t + 2 * idle, idle, &s, &err),
			 MO_OK);
	/* a parallel request that read the clock earlier is not "expired" */
	assert_int_equal(hub_store_session_get(f->h.store, hash, t + 2 * idle - 5, idle, &s, &err),
			 MO_OK);
	assert_int_equal(hub_store_session_get(f->h.store, hash, t + 3 * idle + 1, idle, &s, &err),
			 MO_ENOTFOUND);
	assert_string_equal(err.code, "unauthenticated");
	/* and it is gone for good */
	assert_int_equal(hub_store_session_get(f->h.store, hash, t + 2 * idle, idle, &s, &err),
			 MO_ENOTFOUND);
}

static void test_throttling(void **state)
{
	struct fx *f = *state;

	for (int i = 0; i < 5; i++)
		assert_int_equal(login(f, "olena", "wrong-password"), 401);
	assert_int_equal(login(f, "olena", "reviewer-pass-1"), 429);
	/* the address has 5 of its 20; other logins still work */
	assert_int_equal(login(f, "petro", "supervisor-pass"), 200);
	/* one login is locked after 5, one address after 20 (any logins) */
	for (int i = 0; i < 6; i++)
		assert_int_equal(login(f, "ghost", "wrong-password"), i < 5 ? 401 : 429);
	for (int i = 0; i < 11; i++) {
		char who[16];

		snprintf(who, sizeof(who), "guess%d", i);
		assert_int_equal(login(f, who, "wrong-password"), i < 10 ? 401 : 429);
	}
	assert_int_equal(login(f, "admin", "admin-pass-1"), 429);
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
	assert_int_equal(login(f, "petro", "supervisor-pass"), 200);
	assert_int_equal(total_for(f, "шевченко"), 1);
	assert_int_equal(total_for(f, "ШЕВЧЕНКО"), 1);
	assert_int_equal(total_for(f, "їжак"), 1);
	assert_int_equal(total_for(f, "ижак"), 0);
	assert_int_equal(total_for(f, "kr-t01a-2026-000002"), 1);
	assert_int_equal(total_for(f, "1956229334"), 2);
	assert_int_equal(total_for(f, "\"*)"), 2); /* nothing searchable: no filter */
	assert_int_equal(total_for(f, "тарас шевч"), 1);
	assert_int_equal(call(f, &res, "GET", "/api/export.csv", NULL, f->cookie, NULL, NULL), 200);
	body = (const char *)res.body.data;
	assert_memory_equal(body, "\xEF\xBB\xBFnumber,status,", 17);
	assert_non_null(strstr(body, ",\"'=HYPERLINK(\"\"x\"\"), Їжак\",Тарас,"));
	assert_non_null(strstr(body, ",\"CIV-02, PAS-01\",,345\r\n"));
	assert_string_equal(res.disposition, "attachment; filename=\"cases.csv\"");
	hub_api_res_release(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_login_gate_csrf_roles_logout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_idle_timeout_in_the_store, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_throttling, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search_and_csv, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
