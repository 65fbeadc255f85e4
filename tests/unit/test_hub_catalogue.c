/*
 * test_hub_catalogue.c — catalogue administration (hub/catalogue.h) against
 * a real temporary hub: an edit bumps the service's and the catalogue's
 * version and keeps the old fields, feeds one `service` upsert to every
 * unit and audits old → new; the version seen decides (conflict), a broken
 * rule changes nothing, package members are checked against the catalogue,
 * an unchanged edit records nothing, and a new service starts at version 1.
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

#include "catalogue.h"
#include "hub.h"

struct fx {
	char dir[64];
	struct hub h;
};

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct hub_init_opts o = {NULL, NULL, NULL};
	struct mo_err err = MO_ERR_INIT;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/mo-hub-catalogue-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	o.data = f->dir;
	assert_int_equal(hub_create(&o, &err), MO_OK);
	assert_int_equal(hub_open(&f->h, f->dir, &err), MO_OK);
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

/* one integer from the hub's database */
static long long db_int(struct fx *f, const char *sql)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *q;
	long long v = -1;

	snprintf(path, sizeof(path), "%s/hub.db", f->dir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

static int set(struct fx *f, const char *code, long long seen, const char *changes, cJSON **out,
	       struct mo_err *err)
{
	cJSON *c = cJSON_Parse(changes);
	struct hub_catalogue_edit e = {code, c, seen, "boss"};
	int rc;

	assert_non_null(c);
	*out = NULL;
	rc = hub_catalogue_set(&f->h, &e, out, err);
	cJSON_Delete(c);
	return rc;
}

static long long num(const cJSON *o, const char *k)
{
	return (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void test_edit_versions_feed_audit(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	long long feed0 = db_int(f, "SELECT max(seq) FROM feed");
	cJSON *o, *cat, *vs;

	assert_int_equal(set(f, "PAS-01", 1, "{\"fee_uah\": 400}", &o, &err), MO_OK);
	assert_int_equal(num(o, "version"), 2);
	assert_int_equal(num(o, "catalogue_version"), 2);
	assert_int_equal(num(o, "fee_uah"), 400);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "changed")));
	cJSON_Delete(o);
	/* one feed row for every unit (unit NULL) with the whole service */
	assert_int_equal(db_int(f, "SELECT max(seq) FROM feed"), feed0 + 1);
	assert_int_equal(db_int(f, "SELECT count(*) FROM feed WHERE entity = 'service' AND "
				   "entity_id = 'PAS-01' AND unit IS NULL AND "
				   "json_extract(fields, '$.fee_uah') = 400 AND "
				   "json_extract(fields, '$.title_uk') IS NOT NULL"),
			 1);
	assert_int_equal(db_int(f, "SELECT count(*) FROM audit WHERE action = 'catalogue.set' "
				   "AND actor = 'boss' AND target = 'PAS-01' AND "
				   "detail = 'v1 → v2: fee_uah 345 → 400'"),
			 1);
	/* the old version is kept */
	assert_int_equal(hub_catalogue_versions(&f->h, "PAS-01", &vs, &err), MO_OK);
	assert_int_equal(cJSON_GetArraySize(vs), 1);
	assert_int_equal(num(cJSON_GetObjectItem(cJSON_GetArrayItem(vs, 0), "old"), "fee_uah"), 345);
	cJSON_Delete(vs);

	/* version 1 again: a conflict, nothing written */
	assert_int_equal(set(f, "PAS-01", 1, "{\"fee_uah\": 500}", &o, &err), MO_ECONFLICT);
	assert_string_equal(err.code, "conflict");
	assert_non_null(strstr(err.msg, "boss"));
	assert_null(o);
	assert_int_equal(db_int(f, "SELECT max(seq) FROM feed"), feed0 + 1);
	/* the same value again: no change, nothing recorded */
	assert_int_equal(set(f, "PAS-01", 2, "{\"fee_uah\": 400}", &o, &err), MO_OK);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(o, "changed")));
	assert_int_equal(num(o, "version"), 2);
	cJSON_Delete(o);
	assert_int_equal(db_int(f, "SELECT count(*) FROM catalogue_versions"), 1);

	assert_int_equal(hub_catalogue_get(&f->h, &cat, &err), MO_OK);
	assert_int_equal(num(cat, "version"), 2);
	cJSON_Delete(cat);
}

static void test_rules_change_nothing(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = {
	    "{\"fee_uah\": -1}",
	    "{\"fee_uah\": 10000001}",
	    "{\"fee_uah\": 2.5}",
	    "{\"title_uk\": \"\"}",
	    "{\"category\": \"nonsense\"}",
	    "{\"active\": 1}",
	    "{\"unknown\": true}",
	    "{\"code\": \"PAS-02\"}",
	    "{\"members\": [\"RES-01\"]}",
	    "{\"category\": \"package\"}",
	};
	long long feed0 = db_int(f, "SELECT max(seq) FROM feed");
	struct mo_err err = MO_ERR_INIT;
	cJSON *o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mo_err_clear(&err);
		assert_int_equal(set(f, "PAS-01", 1, bad[i], &o, &err), MO_EINVAL);
		assert_string_equal(err.code, "bad_value");
		assert_null(o);
	}
	assert_int_equal(db_int(f, "SELECT max(seq) FROM feed"), feed0);
	assert_int_equal(db_int(f, "SELECT version FROM services WHERE code = 'PAS-01'"), 1);
	assert_int_equal(db_int(f, "SELECT count(*) FROM catalogue_versions"), 0);
	/* an edit of a service that does not exist */
	assert_int_equal(set(f, "NO-SUCH", 1, "{\"fee_uah\": 1}", &o, &err), MO_ENOTFOUND);
	/* a bad code */
	assert_int_equal(set(f, "no such", 0,
			     "{\"category\": \"tax\", \"title_uk\": \"т\", \"title_en\": \"t\", "
			     "\"fee_uah\": 1}",
			     &o, &err),
			 MO_EINVAL);
}

static void test_packages(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	const char *head = "{\"category\": \"package\", \"title_uk\": \"П\", \"title_en\": \"P\", ";
	char body[256];
	cJSON *o;

	snprintf(body, sizeof(body), "%s\"members\": [\"RES-01\", \"PKG-ID14\"]}", head);
	assert_int_equal(set(f, "PKG-NEW", 0, body, &o, &err), MO_EINVAL);
	assert_non_null(strstr(err.msg, "is a package"));
	snprintf(body, sizeof(body), "%s\"members\": [\"RES-01\", \"NOPE\"]}", head);
	assert_int_equal(set(f, "PKG-NEW", 0, body, &o, &err), MO_EINVAL);
	assert_non_null(strstr(err.msg, "not in the catalogue"));
	snprintf(body, sizeof(body), "%s\"members\": [\"RES-01\", \"RES-02\"]}", head);
	assert_int_equal(set(f, "PKG-NEW", 0, body, &o, &err), MO_OK);
	assert_int_equal(num(o, "version"), 1);
	cJSON_Delete(o);
	/* again as new: it exists now */
	assert_int_equal(set(f, "PKG-NEW", 0, body, &o, &err), MO_ECONFLICT);
	/* a member of a package does not become a package */
	assert_int_equal(set(f, "RES-02", 1,
			     "{\"category\": \"package\", \"members\": [\"RES-03\"]}", &o, &err),
			 MO_EINVAL);
	assert_non_null(strstr(err.msg, "member of package"));
	/* the CLI's edit of whatever version is stored */
	assert_int_equal(set(f, "PKG-NEW", HUB_CATALOGUE_SEEN_CURRENT, "{\"active\": false}", &o,
			     &err),
			 MO_OK);
	assert_int_equal(num(o, "version"), 2);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "active")));
	cJSON_Delete(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_edit_versions_feed_audit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rules_change_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_packages, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
