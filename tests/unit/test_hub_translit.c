/*
 * test_hub_translit.c — the national transliteration table (hub/translit.h)
 * against the examples printed in KMU Resolution No. 55 (2010) itself, and
 * the word matching the review queue's Latin search uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "translit.h"

static void check(const char *cyr, const char *want)
{
	struct mo_buf b = MO_BUF_INIT(1024);

	assert_int_equal(hub_translit(&b, cyr, strlen(cyr)), MO_OK);
	if (strcmp(mo_buf_cstr(&b), want) != 0)
		fail_msg("%s → '%s', want '%s'", cyr, mo_buf_cstr(&b), want);
	mo_buf_release(&b);
}

/* every example of the resolution's table, letter by letter */
static void test_official_examples(void **state)
{
	static const char *const ex[][2] = {
	    {"Алушта", "Alushta"},
	    {"Андрій", "Andrii"},
	    {"Борщагівка", "Borshchahivka"},
	    {"Борисенко", "Borysenko"},
	    {"Вінниця", "Vinnytsia"},
	    {"Володимир", "Volodymyr"},
	    {"Гадяч", "Hadiach"},
	    {"Богдан", "Bohdan"},
	    {"Згурський", "Zghurskyi"},
	    {"Ґалаґан", "Galagan"},
	    {"Ґорґани", "Gorgany"},
	    {"Донецьк", "Donetsk"},
	    {"Дмитро", "Dmytro"},
	    {"Рівне", "Rivne"},
	    {"Олег", "Oleh"},
	    {"Есмань", "Esman"},
	    {"Єнакієве", "Yenakiieve"},
	    {"Гаєвич", "Haievych"},
	    {"Короп'є", "Koropie"},
	    {"Житомир", "Zhytomyr"},
	    {"Жанна", "Zhanna"},
	    {"Жежелів", "Zhezheliv"},
	    {"Закарпаття", "Zakarpattia"},
	    {"Казимирчук", "Kazymyrchuk"},
	    {"Медвин", "Medvyn"},
	    {"Михайленко", "Mykhailenko"},
	    {"Іванків", "Ivankiv"},
	    {"Іващенко", "Ivashchenko"},
	    {"Їжакевич", "Yizhakevych"},
	    {"Кадиївка", "Kadyivka"},
	    {"Мар'їне", "Marine"},
	    {"Йосипівка", "Yosypivka"},
	    {"Стрий", "Stryi"},
	    {"Олексій", "Oleksii"},
	    {"Київ", "Kyiv"},
	    {"Коваленко", "Kovalenko"},
	    {"Лебедин", "Lebedyn"},
	    {"Леонід", "Leonid"},
	    {"Миколаїв", "Mykolaiv"},
	    {"Маринич", "Marynych"},
	    {"Ніжин", "Nizhyn"},
	    {"Наталія", "Nataliia"},
	    {"Одеса", "Odesa"},
	    {"Онищенко", "Onyshchenko"},
	    {"Полтава", "Poltava"},
	    {"Петро", "Petro"},
	    {"Решетилівка", "Reshetylivka"},
	    {"Рибчинський", "Rybchynskyi"},
	    {"Суми", "Sumy"},
	    {"Соломія", "Solomiia"},
	    {"Тернопіль", "Ternopil"},
	    {"Троць", "Trots"},
	    {"Ужгород", "Uzhhorod"},
	    {"Уляна", "Uliana"},
	    {"Фастів", "Fastiv"},
	    {"Філіпчук", "Filipchuk"},
	    {"Харків", "Kharkiv"},
	    {"Христина", "Khrystyna"},
	    {"Біла Церква", "Bila Tserkva"},
	    {"Стеценко", "Stetsenko"},
	    {"Чернівці", "Chernivtsi"},
	    {"Шевченко", "Shevchenko"},
	    {"Шостка", "Shostka"},
	    {"Кишеньки", "Kyshenky"},
	    {"Щербухи", "Shcherbukhy"},
	    {"Гоща", "Hoshcha"},
	    {"Гаращенко", "Harashchenko"},
	    {"Юрій", "Yurii"},
	    {"Корюківка", "Koriukivka"},
	    {"Яготин", "Yahotyn"},
	    {"Ярошенко", "Yaroshenko"},
	    {"Костянтин", "Kostiantyn"},
	    {"Знам'янка", "Znamianka"},
	    {"Феодосія", "Feodosiia"},
	    {"Згорани", "Zghorany"},
	    {"Розгон", "Rozghon"},
	    {"Гнатюк", "Hnatiuk"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		check(ex[i][0], ex[i][1]);
}

/* є ї й ю я at the start of every word (after a space or a hyphen), not
 * after an apostrophe; capitals keep their case; the other apostrophes */
static void test_word_starts_and_case(void **state)
{
	(void)state;
	check("Яременко-Юрченко", "Yaremenko-Yurchenko");
	check("Єва Їжак", "Yeva Yizhak");
	check("ЮРІЙ ЯРОШЕНКО", "YURII YAROSHENKO");
	check("ЩУР", "SHCHUR");
	check("Щур", "Shchur");
	check("ЗГОРАНИ", "ZGHORANY");
	check("Знам’янка", "Znamianka"); /* U+2019 */
	check("Знамʼянка", "Znamianka"); /* U+02BC */
	check("м. Київ, 12", "m. Kyiv, 12");
	check("Smith 1953", "Smith 1953");
	check("", "");
}

/* invalid UTF-8 is copied, never read past the end */
static void test_bytes_kept(void **state)
{
	struct mo_buf b = MO_BUF_INIT(64);
	static const char bad[] = {'\xD0', 'a', '\xE2', '\x80'};

	(void)state;
	assert_int_equal(hub_translit(&b, bad, sizeof(bad)), MO_OK);
	assert_int_equal(b.len, sizeof(bad));
	assert_memory_equal(b.data, bad, sizeof(bad));
	mo_buf_release(&b);
	/* the cap holds */
	mo_buf_init(&b, 4);
	assert_int_not_equal(hub_translit(&b, "Шевченко", strlen("Шевченко")), MO_OK);
	mo_buf_release(&b);
}

static void test_match(void **state)
{
	const char *const name[] = {"Гнатюк", "Тарас", NULL, "Григорович"};
	const char *const num[] = {"KR-T01A-2026-000001", "Знам'янка"};

	(void)state;
	assert_true(hub_translit_match("hnatiuk", name, 4));
	assert_true(hub_translit_match("Hnatiuk", name, 4));
	assert_true(hub_translit_match("hnat", name, 4));
	assert_true(hub_translit_match("hnatiuk taras", name, 4));
	assert_true(hub_translit_match("  HRYHOROVYCH  ", name, 4));
	assert_false(hub_translit_match("hnatyuk", name, 4)); /* not the table's form */
	assert_false(hub_translit_match("natiuk", name, 4));  /* words start, not inside */
	assert_false(hub_translit_match("hnatiuk petro", name, 4));
	assert_false(hub_translit_match("", name, 4));
	assert_false(hub_translit_match(NULL, name, 4));
	assert_true(hub_translit_match("kr t01a", num, 2));
	assert_true(hub_translit_match("znamianka", num, 2));
}

static int cmp(const char *a, const char *b)
{
	return hub_uk_compare(a, strlen(a), b, strlen(b));
}

/* the queue's sort by name: the Ukrainian alphabet, not code points */
static void test_alphabet_order(void **state)
{
	static const char *const sorted[] = {
	    "Антоненко", "Бондаренко", "Гнатюк",    "Ґудзь", "Ешенко",	"Євтушенко", "Иванів",
	    "Іваненко",	 "Їжак",       "Йосипенко", "Щур",   "Юрченко", "Ярошенко",  "яцик"};

	(void)state;
	for (size_t i = 0; i + 1 < sizeof(sorted) / sizeof(sorted[0]); i++)
		if (cmp(sorted[i], sorted[i + 1]) >= 0)
			fail_msg("'%s' should sort before '%s'", sorted[i], sorted[i + 1]);
	assert_true(cmp("ґ", "Ґ") != 0); /* case only breaks ties */
	assert_true(cmp("ГНАТЮК", "гнатюк") != 0);
	assert_true(cmp("гнатюк", "Гнатюка") < 0); /* a prefix first */
	assert_true(cmp("Smith", "smith") != 0 && cmp("adams", "Smith") < 0);
	assert_int_equal(cmp("Гнатюк", "Гнатюк"), 0);
	assert_int_equal(hub_uk_compare("", 0, "", 0), 0);
	assert_true(hub_uk_compare("", 0, "а", strlen("а")) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_official_examples), cmocka_unit_test(test_word_starts_and_case),
	    cmocka_unit_test(test_bytes_kept),	      cmocka_unit_test(test_match),
	    cmocka_unit_test(test_alphabet_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
