/*
 * test_hub_desk.c — the review desk's new modules on their own:
 * hub/history.c (a stored edit of many fields becomes one entry per field
 * with who and the laptop; the older one-field rows read the same; the
 * creation is two entries, on the laptop and at the hub; attachments and
 * ratings get their append's details; time order), hub/export.c (a queue
 * item as the export's cells: per-service statuses and the trip in words,
 * times left for Kyiv time, the fee a number) and hub/xlsx.c (a workbook
 * is a zip, its private file is gone afterwards).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "export.h"
#include "history.h"
#include "json.h"
#include "xlsx.h"

static cJSON *parse(const char *s)
{
	cJSON *j = cJSON_Parse(s);

	assert_non_null(j);
	return j;
}

static const char *at(const cJSON *arr, int i, const char *key)
{
	return proto_json_str(cJSON_GetArrayItem(arr, i), key);
}

static void test_history(void **state)
{
	cJSON *hist = parse(
	    "[{\"at\":\"2026-12-02T10:00:00.500Z\",\"actor\":\"KR-T01A\",\"kind\":\"created\","
	    "\"to\":\"submitted\"},"
	    "{\"at\":\"2026-12-02T12:05:00.000Z\",\"actor\":\"KR-T01A\",\"kind\":\"edited\","
	    "\"text\":\"{\\\"by\\\":\\\"Петро Іваненко\\\",\\\"changes\\\":["
	    "{\\\"field\\\":\\\"applicant.phone\\\",\\\"old\\\":\\\"+380671112233\\\","
	    "\\\"new\\\":\\\"+380503334455\\\"},{\\\"field\\\":\\\"notes\\\",\\\"old\\\":null,"
	    "\\\"new\\\":\\\"x\\\"}]}\"},"
	    "{\"at\":\"2026-12-02T11:00:00Z\",\"actor\":\"KR-T01A\",\"kind\":\"edited\","
	    "\"reason\":\"{\\\"field\\\":\\\"consent\\\",\\\"old\\\":false,\\\"new\\\":true}\"},"
	    "{\"at\":\"2026-12-02T10:00:01Z\",\"actor\":\"KR-T01A \\u00b7 Олена Коваль\","
	    "\"kind\":\"attachment\",\"text\":\"scan.png\"},"
	    "{\"at\":\"2026-12-02T10:00:01Z\",\"actor\":\"KR-T01A \\u00b7 ?\",\"kind\":\"rating\"},"
	    "{\"at\":\"2026-12-02T10:00:02Z\",\"actor\":\"olena\",\"kind\":\"transition\","
	    "\"from\":\"received\",\"to\":\"in_review\"}]");
	cJSON *kase = parse("{\"device\":\"KR-T01A\",\"operator\":\"Олена Коваль\","
			    "\"created_at\":\"2026-12-01T08:00:00Z\"}");
	cJSON *appends = parse(
	    "[{\"entity\":\"rating\",\"fields\":{\"score\":4,\"comment\":\"добре\"}},"
	    "{\"entity\":\"comment\",\"fields\":{\"text\":\"x\"}},"
	    "{\"entity\":\"attachment\",\"fields\":{\"name\":\"scan.png\",\"media_type\":"
	    "\"image/png\",\"size\":2048,\"kind\":\"passport\",\"sha256\":\"ab\"}}]");
	const char *kinds[] = {"created",  "arrived", "attachment", "rating",
			       "transition", "edited", "edited",     "edited"};

	(void)state;
	assert_int_equal(hub_history_present(hist, kase, appends), MO_OK);
	assert_int_equal(cJSON_GetArraySize(hist), 8);
	for (int i = 0; i < 8; i++)
		assert_string_equal(at(hist, i, "kind"), kinds[i]);
	/* the creation on the laptop at its own time, the receipt at the hub's */
	assert_string_equal(at(hist, 0, "at"), "2026-12-01T08:00:00Z");
	assert_string_equal(at(hist, 0, "who"), "Олена Коваль (KR-T01A)");
	assert_string_equal(at(hist, 1, "at"), "2026-12-02T10:00:00.500Z");
	assert_string_equal(at(hist, 1, "actor"), "hub");
	/* an attachment and a rating get their own append's details */
	assert_string_equal(at(hist, 2, "name"), "scan.png");
	assert_string_equal(at(hist, 2, "document"), "passport");
	assert_string_equal(at(hist, 2, "who"), "Олена Коваль (KR-T01A)");
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(hist, 2), "size")->valueint, 2048);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(hist, 3), "score")->valueint, 4);
	assert_string_equal(at(hist, 3, "who"), "KR-T01A"); /* no name known */
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(hist, 3), "by")));
	/* the older one-field row (11:00) before the two fields of one change (12:05) */
	assert_string_equal(at(hist, 5, "field"), "consent");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(hist, 5), "new")));
	assert_string_equal(at(hist, 5, "who"), "KR-T01A");
	assert_string_equal(at(hist, 6, "field"), "applicant.phone");
	assert_string_equal(at(hist, 6, "old"), "+380671112233");
	assert_string_equal(at(hist, 6, "new"), "+380503334455");
	assert_string_equal(at(hist, 6, "who"), "Петро Іваненко (KR-T01A)");
	assert_string_equal(at(hist, 7, "field"), "notes");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(hist, 7), "old")));
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(hist, 6), "text"));
	assert_int_equal(hub_history_present(NULL, kase, appends), MO_ENOMEM);
	cJSON_Delete(hist);
	cJSON_Delete(kase);
	cJSON_Delete(appends);
}

static void test_who(void **state)
{
	char b[64];

	(void)state;
	hub_history_who(b, sizeof(b), "Олена", "KR-T01A");
	assert_string_equal(b, "Олена (KR-T01A)");
	hub_history_who(b, sizeof(b), NULL, "KR-T01A");
	assert_string_equal(b, "KR-T01A");
	hub_history_who(b, sizeof(b), "Олена", "");
	assert_string_equal(b, "Олена");
}

static void test_export_row(void **state)
{
	cJSON *it = parse(
	    "{\"number\":\"KR-T01A-2026-000001\",\"status\":\"in_review\",\"unit\":\"KR-T01\","
	    "\"created_at\":\"2026-07-01T12:00:00Z\",\"received_at\":\"2026-07-01T12:10:00Z\","
	    "\"applicant\":{\"surname\":\"Гнатюк\",\"phone\":\"+380671112233\"},"
	    "\"services\":[{\"code\":\"PAS-01\",\"status\":\"approved\"},{\"code\":\"TAX-01\","
	    "\"status\":\"in_review\"}],\"fee_uah\":345,\"operator\":\"Марія\","
	    "\"trip\":{\"settlement\":\"с. Новоселиця\",\"kind\":\"village-stop\","
	    "\"started_at\":\"2026-06-30T22:30:00Z\"},"
	    "\"decision\":{\"reason\":\"немає довідки\",\"at\":\"2026-07-02T09:00:00Z\"}}");
	struct hub_export_row r;

	(void)state;
	assert_int_equal(hub_export_row(HUB_LANG_UK, it, &r), MO_OK);
	assert_string_equal(hub_export_columns[0], "number");
	assert_string_equal(r.cell[1].text, "на розгляді");
	assert_string_equal(r.cell[3].iso, "2026-07-01T12:00:00Z");
	assert_null(r.cell[3].text);
	assert_string_equal(r.cell[8].text, "PAS-01, TAX-01");
	assert_true(r.cell[10].number);
	assert_true(r.cell[10].num == 345);
	/* the trip's day in Kyiv time: 22:30 UTC on 30.06 is 01:30 on 01.07 */
	assert_string_equal(r.cell[11].text, "01.07.2026 · зупинка в селі");
	assert_string_equal(r.cell[12].text, "с. Новоселиця");
	assert_string_equal(r.cell[13].text, "Марія");
	assert_string_equal(r.cell[14].text, "+380671112233");
	assert_string_equal(r.cell[15].text, "PAS-01: погоджено; TAX-01: на розгляді");
	assert_string_equal(r.cell[16].text, "немає довідки");
	assert_string_equal(r.cell[17].iso, "2026-07-02T09:00:00Z");
	assert_string_equal(r.cell[18].iso, "2026-07-01T12:10:00Z");
	hub_export_row_release(&r);
	assert_int_equal(hub_export_row(HUB_LANG_EN, it, &r), MO_OK);
	assert_string_equal(r.cell[15].text, "PAS-01: approved; TAX-01: in review");
	hub_export_row_release(&r);
	cJSON_Delete(it);
}

static int files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_xlsx(void **state)
{
	char dir[] = "/tmp/mo-xlsx-XXXXXX";
	const char *head[] = {"Номер", "Створено", "Збір"};
	struct mo_buf out = MO_BUF_INIT(1u << 24);
	struct mo_err err = MO_ERR_INIT;
	struct hub_xlsx *x;

	(void)state;
	assert_non_null(mkdtemp(dir));
	x = hub_xlsx_open(dir, &err);
	assert_non_null(x);
	assert_int_equal(files_in(dir), 1); /* its private file */
	assert_int_equal(hub_xlsx_sheet(x, "Заяви: [усі]/ще одна дуже довга назва аркуша", head, 3),
			 MO_OK);
	assert_int_equal(hub_xlsx_text(x, 0, "=HYPERLINK(\"x\")"), MO_OK);
	assert_int_equal(hub_xlsx_time(x, 1, "2026-07-01T12:00:00Z"), MO_OK);
	assert_int_equal(hub_xlsx_time(x, 1, "not a time"), MO_OK); /* left empty */
	assert_int_equal(hub_xlsx_number(x, 2, 345), MO_OK);
	hub_xlsx_row(x);
	assert_int_equal(hub_xlsx_close(x, &out, &err), MO_OK);
	assert_true(out.len > 1000);
	assert_memory_equal(out.data, "PK", 2);
	assert_int_equal(files_in(dir), 0); /* removed */
	mo_buf_release(&out);
	/* a directory it cannot write to: a clear error */
	assert_null(hub_xlsx_open("/nonexistent/dir", &err));
	assert_int_equal(err.rc, MO_EIO);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_history),
	    cmocka_unit_test(test_who),
	    cmocka_unit_test(test_export_row),
	    cmocka_unit_test(test_xlsx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
