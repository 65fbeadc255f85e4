/*
 * test_hub_words.c — the table of codes in words (hub/words.h): every
 * status of the real state machine (proto/status.h, iterated, so a new
 * status without words fails), every category of schema/catalogue.json,
 * every error code of docs/api.md "Status codes", both languages for every
 * row, the JSON of GET /api/words, plain-word errors and the CLI messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "status.h"
#include "words.h"

#ifndef MO_TEST_DATA
#define MO_TEST_DATA "tests/data"
#endif

/* a whole file of the source tree, relative to tests/data; NULL-terminated */
static char *slurp(const char *rel)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", MO_TEST_DATA, rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0 && n < (8 << 20));
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool has_cyrillic(const char *s)
{
	/* U+0400..U+04FF is 0xD0 or 0xD1 then a continuation byte */
	for (; *s; s++)
		if ((unsigned char)s[0] == 0xD0 || (unsigned char)s[0] == 0xD1)
			return true;
	return false;
}

static void test_every_row_has_both_words(void **state)
{
	(void)state;
	for (int k = 0; k < HUB_W_KINDS; k++) {
		size_t n;
		const struct hub_word *w = hub_words((enum hub_words_kind)k, &n);

		assert_non_null(w);
		assert_true(n > 0);
		for (size_t i = 0; i < n; i++) {
			assert_non_null(w[i].code);
			assert_non_null(w[i].uk);
			assert_non_null(w[i].en);
			assert_true(*w[i].code && *w[i].uk && *w[i].en);
			if (!has_cyrillic(w[i].uk))
				fail_msg("%s %s: the Ukrainian word '%s' has no Cyrillic",
					 hub_words_key((enum hub_words_kind)k), w[i].code, w[i].uk);
			if (has_cyrillic(w[i].en))
				fail_msg("%s %s: the English word is Cyrillic",
					 hub_words_key((enum hub_words_kind)k), w[i].code);
			for (size_t j = 0; j < i; j++)
				if (strcmp(w[i].code, w[j].code) == 0)
					fail_msg("%s: code %s twice",
						 hub_words_key((enum hub_words_kind)k), w[i].code);
		}
	}
	assert_null(hub_words(HUB_W_KINDS, &(size_t){0}));
}

static void test_every_status_of_the_state_machine(void **state)
{
	(void)state;
	for (int st = 0; st < PROTO_ST_COUNT; st++) {
		const char *name = proto_status_name(st);
		const char *uk = hub_word(HUB_LANG_UK, HUB_W_STATUS, name);
		const char *en = hub_word(HUB_LANG_EN, HUB_W_STATUS, name);

		if (uk == NULL || en == NULL)
			fail_msg("status %s has no words in hub/words.c", name);
		assert_string_not_equal(uk, name);
		/* and a sentence for the citizens' status page */
		if (hub_word(HUB_LANG_UK, HUB_W_CITIZEN_STATUS, name) == NULL ||
		    hub_word(HUB_LANG_EN, HUB_W_CITIZEN_STATUS, name) == NULL)
			fail_msg("status %s has no citizen's words in hub/words.c", name);
	}
	{
		size_t n;

		(void)hub_words(HUB_W_CITIZEN_STATUS, &n);
		assert_int_equal(n, PROTO_ST_COUNT);
	}
	/* and nothing more: every row is a real status */
	{
		size_t n;
		const struct hub_word *w = hub_words(HUB_W_STATUS, &n);

		assert_int_equal(n, PROTO_ST_COUNT);
		for (size_t i = 0; i < n; i++)
			assert_int_not_equal(proto_status_parse(w[i].code), PROTO_ST_INVALID);
	}
	assert_string_equal(hub_word(HUB_LANG_UK, HUB_W_STATUS, "needs_info"),
			    "потрібні документи");
	assert_string_equal(hub_word(HUB_LANG_EN, HUB_W_STATUS, "in_review"), "in review");
	assert_null(hub_word(HUB_LANG_UK, HUB_W_STATUS, "nonsense"));
	assert_null(hub_word(HUB_LANG_UK, HUB_W_STATUS, NULL));
	assert_string_equal(hub_word_or(HUB_LANG_UK, HUB_W_STATUS, "nonsense"), "nonsense");
	assert_string_equal(hub_word_or(HUB_LANG_UK, HUB_W_STATUS, NULL), "");
}

static void test_every_category_of_the_catalogue(void **state)
{
	char *text = slurp("../../schema/catalogue.json");
	cJSON *cat = cJSON_Parse(text), *it;
	int seen = 0;

	(void)state;
	assert_non_null(cat);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(cat, "services"))
	{
		const char *c = proto_json_str(it, "category");

		assert_non_null(c);
		if (hub_word(HUB_LANG_UK, HUB_W_CATEGORY, c) == NULL ||
		    hub_word(HUB_LANG_EN, HUB_W_CATEGORY, c) == NULL)
			fail_msg("category %s of the catalogue has no words", c);
		seen++;
	}
	assert_true(seen > 10);
	cJSON_Delete(cat);
	free(text);
}

/* the backquoted codes of the "## Status codes" table of docs/api.md */
static void test_every_documented_error_code(void **state)
{
	char *text = slurp("../../docs/api.md");
	char *p = strstr(text, "## Status codes"), *end;
	int seen = 0;

	(void)state;
	assert_non_null(p);
	end = strstr(p + 3, "\n## ");
	assert_non_null(end);
	*end = '\0';
	while ((p = strchr(p, '`')) != NULL) {
		char *q = strchr(p + 1, '`');
		char code[64];

		assert_non_null(q);
		assert_true((size_t)(q - p - 1) < sizeof(code));
		memcpy(code, p + 1, (size_t)(q - p - 1));
		code[q - p - 1] = '\0';
		if (hub_word(HUB_LANG_UK, HUB_W_ERROR, code) == NULL)
			fail_msg("error code %s of docs/api.md has no words", code);
		seen++;
		p = q + 1;
	}
	assert_true(seen >= 15);
	free(text);
}

static void test_unit_and_trip_kinds(void **state)
{
	static const char *const units[] = {"office", "case", "truck", "bus"};
	static const char *const trips[] = {"home-visit", "village-stop", "idp-settlement",
					    "office-day", "other"};

	(void)state;
	for (size_t i = 0; i < 4; i++)
		assert_non_null(hub_word(HUB_LANG_UK, HUB_W_UNIT_KIND, units[i]));
	for (size_t i = 0; i < 5; i++)
		assert_non_null(hub_word(HUB_LANG_EN, HUB_W_TRIP_KIND, trips[i]));
	assert_non_null(hub_word(HUB_LANG_UK, HUB_W_DOCUMENT, "passport"));
	assert_non_null(hub_word(HUB_LANG_UK, HUB_W_DOCUMENT, "id_card"));
	assert_non_null(hub_word(HUB_LANG_UK, HUB_W_AUDIT, "user.password"));
	assert_string_equal(hub_word(HUB_LANG_UK, HUB_W_COLUMN, "surname"), "Прізвище");
}

static void test_words_json(void **state)
{
	cJSON *uk = hub_words_json(HUB_LANG_UK), *en = hub_words_json(HUB_LANG_EN);

	(void)state;
	assert_non_null(uk);
	assert_non_null(en);
	assert_string_equal(proto_json_str(uk, "lang"), "uk");
	assert_string_equal(proto_json_str(en, "lang"), "en");
	for (int k = 0; k < HUB_W_KINDS; k++) {
		size_t n;
		const cJSON *m = cJSON_GetObjectItem(uk, hub_words_key((enum hub_words_kind)k));

		hub_words((enum hub_words_kind)k, &n);
		assert_true(cJSON_IsObject(m));
		assert_int_equal(cJSON_GetArraySize(m), (int)n);
	}
	assert_string_equal(proto_json_str(cJSON_GetObjectItem(uk, "unit_kinds"), "truck"),
			    "мобільний офіс (вантажівка)");
	assert_string_equal(proto_json_str(cJSON_GetObjectItem(en, "statuses"), "needs_info"),
			    "needs documents");
	cJSON_Delete(uk);
	cJSON_Delete(en);
}

static void test_errors_in_plain_words(void **state)
{
	struct mo_err e = MO_ERR_INIT;
	char buf[600];

	(void)state;
	mo_err_set(&e, MO_ECONFLICT, "illegal_transition",
		   "staff cannot move from rejected to approved");
	assert_string_equal(hub_err_words(HUB_LANG_UK, &e, buf, sizeof(buf)),
			    "Статус не можна змінити з «відмовлено» на «погоджено».");
	assert_string_equal(hub_err_words(HUB_LANG_EN, &e, buf, sizeof(buf)),
			    "The status cannot change from “rejected” to “approved”.");
	/* the CLI keeps the hub's detail after the words */
	assert_string_equal(hub_err_text(HUB_LANG_UK, &e, buf, sizeof(buf)),
			    "Статус не можна змінити з «відмовлено» на «погоджено». "
			    "(staff cannot move from rejected to approved)");
	/* another shape of illegal_transition: the general sentence */
	mo_err_set(&e, MO_ECONFLICT, "illegal_transition", "case X is approved, not received");
	assert_string_equal(hub_err_words(HUB_LANG_UK, &e, buf, sizeof(buf)),
			    "Такої зміни статусу не дозволено.");
	/* an unknown status in the detail is not put into words */
	mo_err_set(&e, MO_ECONFLICT, "illegal_transition", "staff cannot move from x to approved");
	assert_string_equal(hub_err_words(HUB_LANG_UK, &e, buf, sizeof(buf)),
			    "Такої зміни статусу не дозволено.");
	mo_err_set(&e, MO_EINVAL, "missing_reason", "a rejected decision needs a reason");
	assert_true(has_cyrillic(hub_err_words(HUB_LANG_UK, &e, buf, sizeof(buf))));
	/* no code: busy or internal, never the English detail */
	mo_err_set(&e, MO_EIO, NULL, "disk on fire");
	hub_err_words(HUB_LANG_UK, &e, buf, sizeof(buf));
	assert_null(strstr(buf, "disk"));
	assert_true(has_cyrillic(buf));
	assert_string_equal(hub_err_text(HUB_LANG_UK, &e, buf, sizeof(buf)), "disk on fire");
	/* a tiny buffer is cut, never overrun */
	mo_err_set(&e, MO_ECONFLICT, "illegal_transition",
		   "staff cannot move from rejected to approved");
	{
		char tiny[8];

		hub_err_words(HUB_LANG_EN, &e, tiny, sizeof(tiny));
		assert_int_equal(strlen(tiny), 7);
	}
}

static void test_lang_and_messages(void **state)
{
	(void)state;
	assert_int_equal(hub_lang_parse(NULL), HUB_LANG_UK);
	assert_int_equal(hub_lang_parse("uk"), HUB_LANG_UK);
	assert_int_equal(hub_lang_parse("en"), HUB_LANG_EN);
	assert_int_equal(hub_lang_parse("EN"), HUB_LANG_EN);
	assert_int_equal(hub_lang_parse("en_GB.UTF-8"), HUB_LANG_EN);
	assert_int_equal(hub_lang_parse("eng"), HUB_LANG_UK);
	assert_string_equal(hub_lang_code(HUB_LANG_EN), "en");
	for (int i = 0; i < HUB_MSG_COUNT; i++) {
		assert_true(has_cyrillic(hub_msg(HUB_LANG_UK, (enum hub_msg_id)i)));
		assert_false(has_cyrillic(hub_msg(HUB_LANG_EN, (enum hub_msg_id)i)));
	}
	assert_string_equal(hub_msg(HUB_LANG_EN, HUB_MSG_CREATED), "hub created in %s");
	assert_string_equal(hub_msg(HUB_LANG_UK, HUB_MSG_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_row_has_both_words),
	    cmocka_unit_test(test_every_status_of_the_state_machine),
	    cmocka_unit_test(test_every_category_of_the_catalogue),
	    cmocka_unit_test(test_every_documented_error_code),
	    cmocka_unit_test(test_unit_and_trip_kinds),
	    cmocka_unit_test(test_words_json),
	    cmocka_unit_test(test_errors_in_plain_words),
	    cmocka_unit_test(test_lang_and_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
