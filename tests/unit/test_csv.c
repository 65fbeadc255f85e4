/*
 * test_csv.c — the CSV reader (csv.h): the separator sniffed from the
 * header, quotes (separators, doubled quotes and line breaks inside), CRLF,
 * a BOM, blank lines, the line numbers of records, and each cap and
 * malformation reported on its own line while the next line still reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"

static void next_ok(struct proto_csv *c, struct proto_csv_row *r, size_t n, long line)
{
	struct mo_err err = MO_ERR_INIT;

	assert_int_equal(proto_csv_next(c, r, &err), MO_OK);
	assert_int_equal(r->n, n);
	assert_int_equal(r->line, line);
}

static void next_bad(struct proto_csv *c, struct proto_csv_row *r, long line, const char *code)
{
	struct mo_err err = MO_ERR_INIT;

	assert_int_equal(proto_csv_next(c, r, &err), MO_EINVAL);
	assert_int_equal(r->line, line);
	assert_string_equal(err.code, code);
}

static void at_end(struct proto_csv *c, struct proto_csv_row *r)
{
	struct mo_err err = MO_ERR_INIT;

	assert_int_equal(proto_csv_next(c, r, &err), MO_ENOTFOUND);
	assert_int_equal(proto_csv_next(c, r, &err), MO_ENOTFOUND);
}

static void test_semicolon_bom_crlf(void **state)
{
	static const char in[] = "\xEF\xBB\xBF"
				 "date;amount;purpose;id\r\n"
				 "02.12.2026;250,50;\"Оплата; заява \"\"KR\"\"\";T1\r\n"
				 "\r\n"
				 "03.12.2026;1 000,00;\"два\r\nрядки\";T2\r\n";
	struct proto_csv c;
	struct proto_csv_row r;

	(void)state;
	proto_csv_init(&c, in, sizeof(in) - 1, NULL);
	assert_int_equal(c.sep, ';');
	next_ok(&c, &r, 4, 1);
	assert_string_equal(r.field[0], "date"); /* no BOM in the first name */
	assert_string_equal(r.field[3], "id");
	next_ok(&c, &r, 4, 2);
	assert_string_equal(r.field[1], "250,50");
	assert_string_equal(r.field[2], "Оплата; заява \"KR\"");
	assert_int_equal(r.len[2], strlen("Оплата; заява \"KR\""));
	next_ok(&c, &r, 4, 4); /* the blank line 3 is skipped */
	assert_string_equal(r.field[2], "два\r\nрядки");
	assert_string_equal(r.field[3], "T2");
	at_end(&c, &r);
	proto_csv_release(&c);
}

static void test_comma_and_empty_fields(void **state)
{
	static const char in[] = "id,\"amount; in UAH\",date\n"
				 "a,,\n"
				 ",\"\",x\n"
				 "last,1.5,no newline";
	struct proto_csv c;
	struct proto_csv_row r;

	(void)state;
	proto_csv_init(&c, in, sizeof(in) - 1, NULL);
	assert_int_equal(c.sep, ','); /* the ';' inside quotes does not count */
	next_ok(&c, &r, 3, 1);
	assert_string_equal(r.field[1], "amount; in UAH");
	next_ok(&c, &r, 3, 2);
	assert_string_equal(r.field[1], "");
	assert_string_equal(r.field[2], "");
	next_ok(&c, &r, 3, 3);
	assert_string_equal(r.field[0], "");
	assert_string_equal(r.field[1], "");
	next_ok(&c, &r, 3, 4);
	assert_string_equal(r.field[2], "no newline");
	at_end(&c, &r);
	proto_csv_release(&c);
}

static void test_bad_lines_and_caps(void **state)
{
	struct proto_csv_limits lim = {40, 30};
	static const char in[] = "a;b\n"
				 "\"x\"y;1\n"			  /* text after a closing quote */
				 "1234567890123456789012345678901;2\n" /* field over 30 */
				 "ok;3\n"
				 "1;2;3;4;5;6;7;8;9;0;1;2;3;4;5;6;7;8;9;0;1;2\n" /* over 40 */
				 "q\"uote;4\n"			  /* a quote inside: kept */
				 "\"never closed;5\n"
				 "x;6\n";
	struct proto_csv c;
	struct proto_csv_row r;
	struct mo_err err = MO_ERR_INIT;

	(void)state;
	proto_csv_init(&c, in, sizeof(in) - 1, &lim);
	next_ok(&c, &r, 2, 1);
	next_bad(&c, &r, 2, "csv_quote");
	next_bad(&c, &r, 3, "csv_field_long");
	next_ok(&c, &r, 2, 4);
	assert_string_equal(r.field[0], "ok");
	next_bad(&c, &r, 5, "csv_line_long");
	next_ok(&c, &r, 2, 6);
	assert_string_equal(r.field[0], "q\"uote");
	/* an unclosed quote swallows the rest of the file: one error, then the end */
	assert_int_equal(proto_csv_next(&c, &r, &err), MO_EINVAL);
	assert_string_equal(err.code, "csv_quote");
	assert_int_equal(r.line, 7);
	at_end(&c, &r);
	proto_csv_release(&c);
}

static void test_nul_fields_and_empty(void **state)
{
	static const char in[] = "a,b\nx\0y,1\nz,2\n";
	char many[400];
	size_t o = 0;
	struct proto_csv c;
	struct proto_csv_row r;

	(void)state;
	proto_csv_init(&c, in, sizeof(in) - 1, NULL);
	next_ok(&c, &r, 2, 1);
	next_bad(&c, &r, 2, "csv_nul");
	next_ok(&c, &r, 2, 3);
	at_end(&c, &r);
	proto_csv_release(&c);

	for (int i = 0; i < PROTO_CSV_FIELDS_MAX + 1; i++) {
		many[o++] = 'f';
		many[o++] = i == PROTO_CSV_FIELDS_MAX ? '\n' : ',';
	}
	proto_csv_init(&c, many, o, NULL);
	next_bad(&c, &r, 1, "csv_fields");
	at_end(&c, &r);
	proto_csv_release(&c);

	proto_csv_init(&c, "\xEF\xBB\xBF", 3, NULL);
	at_end(&c, &r);
	proto_csv_release(&c);
	proto_csv_init(&c, "", 0, NULL);
	at_end(&c, &r);
	proto_csv_release(&c);
	/* a lone CR ends a line too */
	proto_csv_init(&c, "a;b\rc;d", 7, NULL);
	assert_int_equal(c.sep, ';');
	next_ok(&c, &r, 2, 1);
	next_ok(&c, &r, 2, 2);
	assert_string_equal(r.field[1], "d");
	at_end(&c, &r);
	proto_csv_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_semicolon_bom_crlf),
	    cmocka_unit_test(test_comma_and_empty_fields),
	    cmocka_unit_test(test_bad_lines_and_caps),
	    cmocka_unit_test(test_nul_fields_and_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
