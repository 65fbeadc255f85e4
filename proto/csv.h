/*
 * csv.h — a reader of the CSV files people and banks make (RFC 4180, as
 * Excel and Ukrainian bank exports write it): fields separated by ';' or
 * ',' (sniffed from the header line), quoted with '"' ("" inside quotes is
 * one quote; a quoted field may hold separators and line breaks), lines
 * ending in LF or CRLF, an optional UTF-8 byte order mark, blank lines
 * skipped.  A quote inside an unquoted field is kept as it is.
 *
 * Every input has a cap: a record of more than lim.line_max bytes, a field
 * of more than lim.field_max bytes, more than PROTO_CSV_FIELDS_MAX fields,
 * a NUL byte, an unterminated quote or text after a closing quote make the
 * record bad (MO_EINVAL, its line number in row->line, a code in
 * err->code: csv_line_long, csv_field_long, csv_fields, csv_nul, csv_quote);
 * the reader then goes on at the next line, so one bad line does not hide
 * the rest.  The reader borrows the bytes; a row's fields live until the
 * next call.
 */
#ifndef PROTO_CSV_H
#define PROTO_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "mo_buf.h"
#include "mo_err.h"

#define PROTO_CSV_FIELDS_MAX 64

struct proto_csv_limits {
	size_t line_max;  /* bytes of one record */
	size_t field_max; /* bytes of one field (unquoted) */
};

#define PROTO_CSV_LIMITS_INIT {64u << 10, 8u << 10}

struct proto_csv_row {
	long line; /* the physical line (1-based) where the record starts */
	size_t n;  /* fields */
	const char *field[PROTO_CSV_FIELDS_MAX]; /* NUL-terminated, borrowed */
	size_t len[PROTO_CSV_FIELDS_MAX];
};

struct proto_csv {
	const char *data;
	size_t len, pos;
	long line; /* the physical line at pos */
	char sep;
	struct proto_csv_limits lim;
	struct mo_buf buf; /* the fields of the current row */
};

/*
 * Start reading data (len bytes, borrowed): skip a BOM and sniff the
 * separator from the first line (';' when it holds more ';' than ',' outside
 * quotes, else ','); lim NULL: PROTO_CSV_LIMITS_INIT.  Release with
 * proto_csv_release.
 */
void proto_csv_init(struct proto_csv *c, const char *data, size_t len,
		    const struct proto_csv_limits *lim);
void proto_csv_release(struct proto_csv *c);

/*
 * The next record into row: MO_OK; MO_ENOTFOUND at the end; MO_EINVAL for
 * a bad record (row->line set, row->n 0; call again for the next one);
 * MO_ENOMEM.
 */
int proto_csv_next(struct proto_csv *c, struct proto_csv_row *row,
		   struct mo_err *err) MO_WARN_UNUSED;

#endif
