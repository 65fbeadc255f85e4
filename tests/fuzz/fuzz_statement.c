/*
 * fuzz_statement.c — a bank statement's two readers: the CSV reader
 * (csv.h) and the amounts (money.h).  The reader always ends, never hands
 * out more fields or longer fields than its caps allow, and every field it
 * yields that reads as an amount formats and reads back to the same kopecks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_csv_limits lim = {512, 64};
	struct proto_csv c;
	struct proto_csv_row r;
	size_t records = 0;
	int rc;

	proto_csv_init(&c, (const char *)data, size, &lim);
	if (c.sep != ';' && c.sep != ',')
		abort();
	for (;;) {
		struct mo_err e = MO_ERR_INIT;

		rc = proto_csv_next(&c, &r, &e);
		if (rc == MO_ENOTFOUND)
			break;
		/* each call consumes input: no more records than bytes */
		if (++records > size + 1)
			abort();
		if (rc == MO_EINVAL) {
			if (r.n != 0 || e.code[0] == '\0')
				abort();
			continue;
		}
		if (rc != MO_OK || r.n == 0 || r.n > PROTO_CSV_FIELDS_MAX)
			abort();
		for (size_t i = 0; i < r.n; i++) {
			char text[PROTO_MONEY_TEXT_MAX];
			long long kop, again;

			if (r.len[i] > lim.field_max || strlen(r.field[i]) > r.len[i])
				abort();
			if (proto_money_parse(&kop, r.field[i], r.len[i], &e) != MO_OK)
				continue;
			if (kop < 0 || kop > PROTO_MONEY_MAX)
				abort();
			proto_money_format(text, sizeof(text), kop, i % 2 == 0);
			if (proto_money_parse(&again, text, strlen(text), &e) != MO_OK || again != kop)
				abort();
		}
	}
	proto_csv_release(&c);
	return 0;
}
