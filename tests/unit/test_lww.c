/* test_lww.c — the field-level last-writer-wins rule shared by hub and agent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lww.h"
#include "mo_err.h"

#define DEV_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DEV_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static cJSON *js(const char *text)
{
	cJSON *v = cJSON_Parse(text);

	assert_non_null(v);
	return v;
}

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);

	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_GetStringValue(v);
}

static void test_stamp_round_trip(void **state)
{
	char st[PROTO_STAMP_LEN];
	const char *dev;

	(void)state;
	proto_stamp_format(st, 0x0123456789abcdefull, DEV_A);
	assert_string_equal(st, "0123456789abcdef:" DEV_A);
	assert_true(proto_stamp_hlc(st, &dev) == 0x0123456789abcdefull);
	assert_string_equal(dev, DEV_A);
	assert_true(proto_stamp_hlc("0123456789abcdeg:x", &dev) == 0); /* damaged */
	assert_true(proto_stamp_hlc("0123", NULL) == 0);
	assert_true(proto_stamp_hlc(NULL, NULL) == 0);
}

static void test_wins_order(void **state)
{
	char st[PROTO_STAMP_LEN];

	(void)state;
	proto_stamp_format(st, 1000, DEV_B);
	assert_true(proto_lww_wins(1001, DEV_A, st));  /* later HLC wins */
	assert_false(proto_lww_wins(999, DEV_A, st));  /* earlier loses */
	assert_false(proto_lww_wins(1000, DEV_A, st)); /* tie: smaller device loses */
	assert_true(proto_lww_wins(1000, "cccccccccccccccccccccccccccccccc", st));
	assert_false(proto_lww_wins(1000, DEV_B, st)); /* the same write again: no change */
	assert_true(proto_lww_wins(1, DEV_A, NULL));   /* a register never written */
	assert_true(proto_lww_wins(1, DEV_A, "garbage"));
}

/* a reviewer correcting the surname and a laptop adding a phone both survive */
static void test_concurrent_edits_merge_key_by_key(void **state)
{
	cJSON *doc = cJSON_CreateObject(), *stamps = cJSON_CreateObject(), *won;
	cJSON *create = js("{\"number\":\"N1\",\"applicant\":{\"surname\":\"Шевченко\","
			   "\"given_name\":\"Тарас\"}}");
	cJSON *fix = js("{\"applicant\":{\"surname\":\"Шевчeнко-Гай\"}}");
	cJSON *phone = js("{\"applicant\":{\"phone\":\"+380671234567\",\"surname\":\"Старе\"}}");
	bool changed = false;

	(void)state;
	assert_int_equal(proto_lww_merge(doc, NULL, stamps, "", create, 100, DEV_A, &changed), MO_OK);
	assert_true(changed);
	/* hub correction at 300, laptop phone (and a stale surname) at 200 */
	won = cJSON_CreateObject();
	changed = false;
	assert_int_equal(proto_lww_merge(doc, won, stamps, "", fix, 300, DEV_B, &changed), MO_OK);
	assert_true(changed);
	assert_string_equal(str_at(won, "applicant", "surname"), "Шевчeнко-Гай");
	cJSON_Delete(won);
	won = cJSON_CreateObject();
	changed = false;
	assert_int_equal(proto_lww_merge(doc, won, stamps, "", phone, 200, DEV_A, &changed), MO_OK);
	assert_true(changed);
	assert_string_equal(str_at(doc, "applicant", "surname"), "Шевчeнко-Гай");
	assert_string_equal(str_at(doc, "applicant", "phone"), "+380671234567");
	assert_string_equal(str_at(doc, "applicant", "given_name"), "Тарас");
	/* won holds only the winners */
	assert_null(str_at(won, "applicant", "surname"));
	assert_string_equal(str_at(won, "applicant", "phone"), "+380671234567");
	assert_non_null(cJSON_GetObjectItemCaseSensitive(stamps, "applicant.phone"));
	/* replaying an older write changes nothing */
	changed = false;
	assert_int_equal(proto_lww_merge(doc, NULL, stamps, "", create, 100, DEV_A, &changed), MO_OK);
	assert_false(changed);
	cJSON_Delete(won);
	cJSON_Delete(create);
	cJSON_Delete(fix);
	cJSON_Delete(phone);
	cJSON_Delete(doc);
	cJSON_Delete(stamps);
}

static void test_restamp_only_that_change(void **state)
{
	cJSON *stamps = cJSON_CreateObject(), *f = js("{\"a\":1,\"b\":{\"c\":2}}");
	char s1[PROTO_STAMP_LEN], s2[PROTO_STAMP_LEN], s3[PROTO_STAMP_LEN];

	(void)state;
	proto_stamp_format(s1, 10, DEV_A);
	proto_stamp_format(s2, 20, DEV_A);
	proto_stamp_format(s3, 30, DEV_A);
	assert_int_equal(proto_lww_stamp(stamps, "", f, s1, 0), MO_OK);
	assert_string_equal(str_at(stamps, "b.c", NULL), s1);
	/* "a" was written again later by another change */
	cJSON_ReplaceItemInObjectCaseSensitive(stamps, "a", cJSON_CreateString(s2));
	assert_int_equal(proto_lww_stamp(stamps, "", f, s3, 10), MO_OK);
	assert_string_equal(str_at(stamps, "a", NULL), s2); /* not this change's */
	assert_string_equal(str_at(stamps, "b.c", NULL), s3);
	cJSON_Delete(f);
	cJSON_Delete(stamps);
}

/* one shape per field: a plain value and an object are merged by stamps too */
static void test_one_shape_per_field(void **state)
{
	cJSON *doc = cJSON_CreateObject(), *stamps = cJSON_CreateObject();
	cJSON *str = js("{\"address\":\"вул. Шевченка, 1\"}");
	cJSON *obj = js("{\"address\":{\"street\":\"Франка\"}}");
	cJSON *str2 = js("{\"address\":\"вул. Лесі Українки, 5\"}");
	bool changed = false;

	(void)state;
	assert_int_equal(proto_lww_merge(doc, NULL, stamps, "", str, 300, DEV_A, &changed), MO_OK);
	/* an older object does not overwrite the newer string */
	changed = false;
	assert_int_equal(proto_lww_merge(doc, NULL, stamps, "", obj, 200, DEV_B, &changed), MO_OK);
	assert_false(changed);
	assert_string_equal(str_at(doc, "address", NULL), "вул. Шевченка, 1");
	/* a newer object replaces it, and the string's register goes */
	assert_int_equal(proto_lww_merge(doc, NULL, stamps, "", obj, 400, DEV_B, &changed), MO_OK);
	assert_true(changed);
	assert_string_equal(str_at(doc, "address", "street"), "Франка");
	assert_null(cJSON_GetObjectItemCaseSensitive(stamps, "address"));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(stamps, "address.street"));
	/* an older string loses to the object's newest key; a newer one wins */
	changed = false;
	assert_int_equal(proto_lww_merge(doc, NULL, stamps, "", str2, 350, DEV_A, &changed), MO_OK);
	assert_false(changed);
	assert_string_equal(str_at(doc, "address", "street"), "Франка");
	assert_int_equal(proto_lww_merge(doc, NULL, stamps, "", str2, 500, DEV_A, &changed), MO_OK);
	assert_true(changed);
	assert_string_equal(str_at(doc, "address", NULL), "вул. Лесі Українки, 5");
	assert_null(cJSON_GetObjectItemCaseSensitive(stamps, "address.street"));
	cJSON_Delete(str);
	cJSON_Delete(obj);
	cJSON_Delete(str2);
	cJSON_Delete(doc);
	cJSON_Delete(stamps);
}

static void test_path_too_long(void **state)
{
	char key[PROTO_LWW_PATH_MAX + 8];
	cJSON *f = cJSON_CreateObject(), *doc = cJSON_CreateObject(), *st = cJSON_CreateObject();
	bool changed = false;

	(void)state;
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	cJSON_AddNumberToObject(f, key, 1);
	assert_int_equal(proto_lww_merge(doc, NULL, st, "", f, 5, DEV_A, &changed), MO_EINVAL);
	assert_false(changed);
	assert_int_equal(cJSON_GetArraySize(doc), 0);
	cJSON_Delete(f);
	cJSON_Delete(doc);
	cJSON_Delete(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stamp_round_trip),
	    cmocka_unit_test(test_wins_order),
	    cmocka_unit_test(test_concurrent_edits_merge_key_by_key),
	    cmocka_unit_test(test_restamp_only_that_change),
	    cmocka_unit_test(test_one_shape_per_field),
	    cmocka_unit_test(test_path_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
