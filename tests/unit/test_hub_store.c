/*
 * test_hub_store.c — the SQLite store: migrations by user_version (a
 * reopen applies nothing twice), one-time tokens (single use, expiry), the
 * feed filter (unit, catalogue, origin), device codes, and scrypt hashes.
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
	struct hub_init_opts o = {NULL, NULL, "s3cret-password"};
	struct hub_unit u = {"KR-T01", "Мобільний офіс №1", "truck", ""};
	struct mo_err err = MO_ERR_INIT;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/mo-hub-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	o.data = f->dir;
	assert_int_equal(hub_create(&o, &err), MO_OK);
	assert_int_equal(hub_open(&f->h, f->dir, &err), MO_OK);
	assert_int_equal(hub_store_unit_add(f->h.store, &u, &err), MO_OK);
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

static void test_create_twice_refused_reopen_keeps_data(void **state)
{
	struct fx *f = *state;
	struct hub_init_opts o = {f->dir, NULL, NULL};
	struct mo_err err = MO_ERR_INIT;
	struct hub_unit u;
	char id[PROTO_ID_LEN];

	assert_int_equal(hub_create(&o, &err), MO_EEXISTS);
	mo_strlcpy(id, f->h.id, sizeof(id));
	hub_close(&f->h);
	assert_int_equal(hub_open(&f->h, f->dir, &err), MO_OK);
	assert_string_equal(f->h.id, id);
	assert_int_equal(hub_store_unit_get(f->h.store, "KR-T01", &u, &err), MO_OK);
	assert_string_equal(u.kind, "truck");
	assert_int_equal(hub_store_unit_add(f->h.store, &u, &err), MO_ECONFLICT);
}

/* the copy is a database of its own with the unit in it; a second backup
 * to the same name is refused and leaves the first copy as it was */
static void test_backup_copy_and_no_overwrite(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	char to[128], part[140];
	long long bytes = 0, again = 0, found = -1, now = -1;
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	struct stat st;

	snprintf(to, sizeof(to), "%s/copy.db", f->dir);
	snprintf(part, sizeof(part), "%s.part", to);
	assert_int_equal(hub_store_backup(f->h.store, to, &bytes, &err), MO_OK);
	assert_int_equal(stat(to, &st), 0);
	assert_true(bytes > 0 && bytes == (long long)st.st_size);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_not_equal(access(part, F_OK), 0);
	assert_int_equal(sqlite3_open_v2(to, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT kind FROM units WHERE code = 'KR-T01'", -1,
					    &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "truck");
	sqlite3_finalize(q);
	sqlite3_close(db);
	assert_int_equal(hub_store_backup(f->h.store, to, &again, &err), MO_EEXISTS);
	assert_int_equal(again, 0);
	assert_int_equal(stat(to, &st), 0);
	assert_int_equal((long long)st.st_size, bytes);
	/* a fresh hub is at this binary's schema */
	hub_store_schema(f->h.store, &found, &now);
	assert_true(now > 0);
	assert_int_equal(found, now);
}

static void test_token_single_use_and_expiry(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	char unit[HUB_CODE_MAX];
	uint64_t now = mo_now_ms();

	assert_int_equal(hub_store_token_add(f->h.store, "aa", "KR-T01", now + 60000, &err), MO_OK);
	assert_int_equal(hub_store_token_add(f->h.store, "bb", "KR-T01", now - 1, &err), MO_OK);
	assert_int_equal(hub_store_token_take(f->h.store, "aa", now, "d1", unit, &err), MO_OK);
	assert_string_equal(unit, "KR-T01");
	assert_int_equal(hub_store_token_take(f->h.store, "aa", now, "d2", unit, &err), MO_EAUTH);
	assert_string_equal(err.code, "bad_token");
	assert_int_equal(hub_store_token_take(f->h.store, "bb", now, "d3", unit, &err), MO_EAUTH);
	assert_int_equal(hub_store_token_take(f->h.store, "cc", now, "d4", unit, &err), MO_EAUTH);
}

struct seen {
	long long seq[16];
	int n;
};

static int collect(void *arg, const struct hub_feed_row *r)
{
	struct seen *s = arg;

	if (s->n < 16)
		s->seq[s->n] = r->seq;
	s->n++;
	return MO_OK;
}

static void test_feed_filter(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	struct seen s = {{0}, 0};
	long long base = 0;

	/* the seed catalogue is already in the feed, for every unit */
	assert_int_equal(hub_store_feed_max(f->h.store, &base, &err), MO_OK);
	assert_true(base > 40);
	assert_int_equal(
	    hub_store_feed_add(f->h.store, "KR-T01", "dev-a", "case", "1", "upsert", 1, "{}", &err),
	    MO_OK);
	assert_int_equal(
	    hub_store_feed_add(f->h.store, "KR-C02", NULL, "case", "2", "upsert", 2, "{}", &err),
	    MO_OK);
	assert_int_equal(hub_store_feed_add(f->h.store, "KR-T01", NULL, "case", "1", "transition",
					    3, "{}", &err),
			 MO_OK);
	assert_int_equal(
	    hub_store_feed_add(f->h.store, NULL, NULL, "service", "X", "upsert", 4, "{}", &err),
	    MO_OK);
	/* dev-a of KR-T01: not its own change, not the other unit's */
	assert_int_equal(
	    hub_store_feed_read(f->h.store, "KR-T01", "dev-a", base, 100, collect, &s, &err),
	    MO_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.seq[0], base + 3);
	assert_int_equal(s.seq[1], base + 4);
	s.n = 0;
	assert_int_equal(
	    hub_store_feed_read(f->h.store, "KR-T01", "dev-b", base, 100, collect, &s, &err),
	    MO_OK);
	assert_int_equal(s.n, 3);
	s.n = 0;
	assert_int_equal(
	    hub_store_feed_read(f->h.store, "KR-T01", "dev-b", base, 1, collect, &s, &err), MO_OK);
	assert_int_equal(s.n, 1);
}

static void test_password_hash(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	char h1[256], h2[256], role[32];

	assert_int_equal(hub_password_hash(h1, sizeof(h1), "correct horse", &err), MO_OK);
	assert_int_equal(hub_password_hash(h2, sizeof(h2), "correct horse", &err), MO_OK);
	assert_int_equal(strncmp(h1, "scrypt$131072$8$1$", 18), 0);
	assert_string_not_equal(h1, h2); /* a fresh salt each time */
	assert_int_equal(hub_password_verify(h1, "correct horse"), MO_OK);
	assert_int_equal(hub_password_verify(h2, "correct horse"), MO_OK);
	assert_int_equal(hub_password_verify(h1, "correct horsE"), MO_EAUTH);
	assert_int_equal(hub_password_verify("scrypt$3$8$1$AA==$AA==", "x"), MO_EAUTH);
	assert_int_equal(hub_password_verify("plain", "plain"), MO_EAUTH);
	assert_int_equal(hub_password_hash(h1, sizeof(h1), "short", &err), MO_EINVAL);
	/* init made the admin user from its password */
	assert_int_equal(
	    hub_store_user_get(f->h.store, "admin", role, sizeof(role), h2, sizeof(h2), &err),
	    MO_OK);
	assert_string_equal(role, "admin");
	assert_int_equal(hub_password_verify(h2, "s3cret-password"), MO_OK);
	assert_int_equal(hub_user_add(&f->h, "olena", "boss", "long enough", &err), MO_EINVAL);
	assert_int_equal(hub_user_add(&f->h, "olena", "reviewer", "long enough", &err), MO_OK);
	assert_int_equal(hub_user_add(&f->h, "olena", "reviewer", "long enough", &err),
			 MO_ECONFLICT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_create_twice_refused_reopen_keeps_data, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_backup_copy_and_no_overwrite, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_token_single_use_and_expiry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_feed_filter, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_password_hash, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
