/*
 * test_hub_payments.c — fees and payments on the hub (payments.h) against a
 * real temporary store: case numbers found in a bank payment's purpose, a
 * laptop's payment applied once and only for its own unit, expected (the
 * catalogue's fees) vs paid in kopecks, and a bank statement imported with
 * bad rows reported by line and nothing of them stored, a re-import skipped.
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

#include "apply.h"
#include "hub.h"
#include "json.h"
#include "payments.h"

struct fx {
	char dir[64];
	struct hub h;
	struct hub_device a, b, c; /* a, b in KR-T01 (a.id < b.id); c in KR-C02 */
	uint64_t t0;
	char code[32]; /* quarantine code of the last apply, "" when applied */
};

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void add_device(struct fx *f, struct hub_device *d, char fill, const char *code,
		       const char *unit)
{
	struct mo_err err = MO_ERR_INIT;

	memset(d, 0, sizeof(*d));
	memset(d->id, fill, 32);
	mo_strlcpy(d->code, code, sizeof(d->code));
	mo_strlcpy(d->unit, unit, sizeof(d->unit));
	memset(d->pub, fill, sizeof(d->pub));
	d->active = true;
	assert_int_equal(hub_store_device_add(f->h.store, d, "host", "op", &err), MO_OK);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct hub_init_opts o = {NULL, NULL, NULL};
	struct hub_unit u1 = {"KR-T01", "Мобільний офіс №1", "truck", ""};
	struct hub_unit u2 = {"KR-C02", "Мобільний кейс №2", "case", ""};
	struct mo_err err = MO_ERR_INIT;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/mo-hub-pay-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	o.data = f->dir;
	assert_int_equal(hub_create(&o, &err), MO_OK);
	assert_int_equal(hub_open(&f->h, f->dir, &err), MO_OK);
	assert_int_equal(hub_store_unit_add(f->h.store, &u1, &err), MO_OK);
	assert_int_equal(hub_store_unit_add(f->h.store, &u2, &err), MO_OK);
	add_device(f, &f->a, 'a', "KR-T01A", "KR-T01");
	add_device(f, &f->b, 'b', "KR-T01B", "KR-T01");
	add_device(f, &f->c, 'c', "KR-C02A", "KR-C02");
	f->t0 = mo_now_ms() << 16;
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

/* apply one change (fields as JSON text) in its own transaction */
static const char *apply1(struct fx *f, const struct hub_device *d, const char *entity,
			  const char *id, const char *op, uint64_t hlc, const char *fields)
{
	struct proto_change c;
	struct hub_apply a;
	struct proto_clock clk;
	struct mo_err err = MO_ERR_INIT;

	memset(&c, 0, sizeof(c));
	c.n = 1;
	mo_strlcpy(c.entity, entity, sizeof(c.entity));
	mo_strlcpy(c.id, id, sizeof(c.id));
	mo_strlcpy(c.op, op, sizeof(c.op));
	c.hlc = hlc;
	c.fields = cJSON_Parse(fields);
	assert_non_null(c.fields);
	assert_int_equal(hub_store_begin(f->h.store, &err), MO_OK);
	assert_int_equal(hub_clock_load(&f->h, &clk, &err), MO_OK);
	hub_apply_init(&a, &f->h, d, 1, &clk);
	assert_int_equal(hub_apply_change(&a, &c, &err), MO_OK);
	assert_int_equal(hub_apply_finish(&a, &err), MO_OK);
	assert_int_equal(hub_clock_save(&f->h, &a.clock, &err), MO_OK);
	assert_int_equal(hub_store_commit(f->h.store, &err), MO_OK);
	mo_strlcpy(f->code, a.nq ? a.q[0].code : "", sizeof(f->code));
	hub_apply_release(&a);
	cJSON_Delete(c.fields);
	return f->code;
}

#define CASE1 "11111111-1111-4111-8111-111111111111"
#define CASE2 "22222222-2222-4222-8222-222222222222"

#define PAY1 "33333333-3333-4333-8333-333333333333"
#define PAY2 "44444444-4444-4444-8444-444444444444"

/* a case of KR-T01 with services (JSON list items); its number is returned */
static const char *make_case(struct fx *f, const char *id, const char *services)
{
	static char number[48];
	static int serial;
	char buf[1024];

	snprintf(number, sizeof(number), "KR-T01A-2026-%06d", ++serial);
	snprintf(buf, sizeof(buf),
		 "{\"number\":\"%s\",\"unit\":\"KR-T01\",\"device\":\"KR-T01A\","
		 "\"services\":[%s],\"applicant\":{\"surname\":\"Коваль\"}}",
		 number, services);
	assert_string_equal(apply1(f, &f->a, "case", id, "upsert", f->t0, buf), "");
	return number;
}

static void paid_of(struct fx *f, const char *id, long long *expected, long long *paid, int *n)
{
	struct mo_err err = MO_ERR_INIT;
	cJSON *o = NULL;

	assert_int_equal(hub_store_case_payments(f->h.store, id, &o, &err), MO_OK);
	assert_true(proto_json_int(o, "expected_kop", expected));
	assert_true(proto_json_int(o, "paid_kop", paid));
	*n = cJSON_GetArraySize(cJSON_GetObjectItem(o, "items"));
	cJSON_Delete(o);
}

static void test_numbers_in_purposes(void **state)
{
	char out[4][HUB_NUMBER_MAX];

	(void)state;
	assert_int_equal(hub_payment_numbers("Оплата за заяву KR-T01A-2026-000001, Коваль", out, 4), 1);
	assert_string_equal(out[0], "KR-T01A-2026-000001");
	assert_int_equal(hub_payment_numbers("kr-t01a-2026-000012;інше KR-C02A-2026-000003", out, 4), 2);
	assert_string_equal(out[0], "KR-T01A-2026-000012");
	assert_string_equal(out[1], "KR-C02A-2026-000003");
	assert_int_equal(hub_payment_numbers("№KR-T01A-2026-000007.", out, 4), 1);
	assert_string_equal(out[0], "KR-T01A-2026-000007");
	/* not a number: too few digits, a digit after, nothing before, only a date */
	assert_int_equal(hub_payment_numbers("KR-T01A-2026-00001", out, 4), 0);
	assert_int_equal(hub_payment_numbers("KR-T01A-2026-0000012", out, 4), 0);
	assert_int_equal(hub_payment_numbers("-2026-000001", out, 4), 0);
	assert_int_equal(hub_payment_numbers("рахунок 2026-000001 від 02.12.2026", out, 4), 0);
	assert_int_equal(hub_payment_numbers("", out, 4), 0);
	/* at most max */
	assert_int_equal(hub_payment_numbers("A-2026-000001 B-2026-000002 C-2026-000003", out, 2), 2);
}

static void test_payment_applied_once_own_unit(void **state)
{
	struct fx *f = *state;
	long long expected, paid;
	int n;

	make_case(f, CASE1, "{\"code\":\"PAS-01\",\"status\":\"submitted\"},"
			    "{\"code\":\"CIV-05\",\"status\":\"submitted\"}");
	paid_of(f, CASE1, &expected, &paid, &n);
	assert_int_equal(expected, 34500 + 8500);
	assert_int_equal(paid, 0);
	const char *pay = "{\"case\":\"" CASE1 "\",\"amount_kop\":25050,\"method\":\"cash\","
			  "\"receipt\":\"К-1\",\"paid_at\":\"2026-12-02T09:00:00Z\"}";
	assert_string_equal(apply1(f, &f->a, "payment", PAY1, "append", f->t0 + 1, pay), "");
	/* the same change again (a re-sent batch), and from the unit's other laptop */
	assert_string_equal(apply1(f, &f->a, "payment", PAY1, "append", f->t0 + 1, pay), "");
	assert_string_equal(apply1(f, &f->b, "payment", PAY1, "append", f->t0 + 2, pay), "");
	paid_of(f, CASE1, &expected, &paid, &n);
	assert_int_equal(paid, 25050);
	assert_int_equal(n, 1);
	/* another unit's laptop, an unknown case, a wrong method or amount */
	assert_string_equal(apply1(f, &f->c, "payment", PAY2, "append", f->t0 + 3, pay), "forbidden");
	assert_string_equal(apply1(f, &f->a, "payment", PAY2, "append", f->t0 + 3,
				   "{\"case\":\"" CASE2 "\",\"amount_kop\":1,\"method\":\"cash\","
				   "\"paid_at\":\"2026-12-02T09:00:00Z\"}"),
			    "not_found");
	assert_string_equal(apply1(f, &f->a, "payment", PAY2, "append", f->t0 + 3,
				   "{\"case\":\"" CASE1 "\",\"amount_kop\":0,\"method\":\"cash\","
				   "\"paid_at\":\"2026-12-02T09:00:00Z\"}"),
			    "bad_value");
	assert_string_equal(apply1(f, &f->a, "payment", PAY2, "append", f->t0 + 3,
				   "{\"case\":\"" CASE1 "\",\"method\":\"cash\"}"),
			    "missing_field");
	paid_of(f, CASE1, &expected, &paid, &n);
	assert_int_equal(paid, 25050);
	assert_int_equal(n, 1);
}

static long long count(struct fx *f, const char *result, const struct hub_import_result *r)
{
	long long k = 0;
	const cJSON *it;

	(void)f;
	cJSON_ArrayForEach(it, r->lines)
	{
		const char *s = proto_json_str(it, "result");

		k += s && strcmp(s, result) == 0;
	}
	return k;
}

static void test_statement_import(void **state)
{
	struct fx *f = *state;
	struct hub_import_result r;
	struct mo_err err = MO_ERR_INIT;
	char csv[1024];
	long long expected, paid;
	const char *number;
	int n;

	number = make_case(f, CASE1, "{\"code\":\"PAS-02\",\"status\":\"submitted\"}");
	snprintf(csv, sizeof(csv),
		 "Purpose;id;Date;AMOUNT\n"
		 "Заява %s;B1;02.12.2026;500,00\n"
		 "без номера;B2;02.12.2026;1\n"
		 "Заява %s;B3;02.12.2026;0,00\n"
		 "Заява %s;B4;2026-02-30;1\n"
		 "Заява %s;B5\n"
		 "Заява %s;B1;02.12.2026;500,00\n"
		 "Заява %s;B6;02.12.2026;\"280,00\"\n",
		 number, number, number, number, number, number);
	assert_int_equal(hub_payments_import(&f->h, csv, strlen(csv), "v.csv", &r, &err), MO_OK);
	assert_int_equal(r.matched, 2);
	assert_int_equal(r.unmatched, 1);
	assert_int_equal(r.skipped, 1); /* B1 twice in one file */
	assert_int_equal(r.bad, 3);
	assert_int_equal(count(f, "bad", &r), 3);
	{
		const cJSON *l4 = cJSON_GetArrayItem(r.lines, 2);
		long long line = 0;

		assert_true(proto_json_int(l4, "line", &line));
		assert_int_equal(line, 4);
		assert_string_equal(proto_json_str(l4, "reason"), "money_zero");
		assert_string_equal(proto_json_str(cJSON_GetArrayItem(r.lines, 3), "reason"),
				    "bank_date");
		assert_string_equal(proto_json_str(cJSON_GetArrayItem(r.lines, 4), "reason"),
				    "bank_fields");
	}
	cJSON_Delete(r.lines);
	paid_of(f, CASE1, &expected, &paid, &n);
	assert_int_equal(expected, 78000);
	assert_int_equal(paid, 78000);
	assert_int_equal(n, 2);

	/* again: all seen rows skipped, nothing added */
	assert_int_equal(hub_payments_import(&f->h, csv, strlen(csv), "v.csv", &r, &err), MO_OK);
	assert_int_equal(r.matched + r.unmatched, 0);
	assert_int_equal(r.skipped, 4);
	assert_int_equal(r.bad, 3);
	cJSON_Delete(r.lines);
	paid_of(f, CASE1, &expected, &paid, &n);
	assert_int_equal(paid, 78000);

	/* a header without the four columns refuses the file */
	assert_int_equal(hub_payments_import(&f->h, "date;amount;id\n1;2;3\n", 21, "x", &r, &err),
			 MO_EINVAL);
	assert_string_equal(err.code, "bank_columns");
	assert_non_null(strstr(err.msg, "purpose"));
	cJSON_Delete(r.lines);
	mo_err_clear(&err);
	assert_int_equal(hub_payments_import(&f->h, "", 0, "x", &r, &err), MO_EINVAL);
	assert_string_equal(err.code, "bank_empty");
	cJSON_Delete(r.lines);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_numbers_in_purposes),
	    cmocka_unit_test_setup_teardown(test_payment_applied_once_own_unit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_statement_import, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
