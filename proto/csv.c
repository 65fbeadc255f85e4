/* csv.c — an RFC 4180 reader with caps (csv.h). */
#include "csv.h"

#include <stdint.h>
#include <string.h>

void proto_csv_init(struct proto_csv *c, const char *data, size_t len,
		    const struct proto_csv_limits *lim)
{
	static const struct proto_csv_limits dflt = PROTO_CSV_LIMITS_INIT;
	size_t semi = 0, comma = 0;
	bool quoted = false;

	memset(c, 0, sizeof(*c));
	c->data = data;
	c->len = len;
	c->line = 1;
	c->lim = lim ? *lim : dflt;
	/* a record is at most line_max bytes, its fields with their NULs fit in that + n */
	mo_buf_init(&c->buf, c->lim.line_max + PROTO_CSV_FIELDS_MAX + 1);
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		c->pos = 3;
	for (size_t i = c->pos; i < len && (quoted || (data[i] != '\n' && data[i] != '\r')); i++) {
		if (data[i] == '"')
			quoted = !quoted;
		else if (!quoted && data[i] == ';')
			semi++;
		else if (!quoted && data[i] == ',')
			comma++;
	}
	c->sep = semi > comma ? ';' : ',';
}

void proto_csv_release(struct proto_csv *c)
{
	mo_buf_release(&c->buf);
}

/* past the end of the physical line at pos (its LF or CRLF) */
static void skip_line(struct proto_csv *c)
{
	while (c->pos < c->len && c->data[c->pos] != '\n')
		c->pos++;
	if (c->pos < c->len) {
		c->pos++;
		c->line++;
	}
}

static int bad(struct proto_csv *c, struct proto_csv_row *row, struct mo_err *err,
	       const char *code, const char *msg)
{
	skip_line(c);
	row->n = 0;
	return mo_err_set(err, MO_EINVAL, code, "line %ld: %s", row->line, msg);
}

/* end the current field: its NUL, its start in the row */
static int field_end(struct proto_csv *c, struct proto_csv_row *row, size_t start)
{
	if (mo_buf_addc(&c->buf, '\0') != MO_OK)
		return MO_ENOMEM;
	row->len[row->n] = c->buf.len - 1 - start;
	/* offsets now, pointers once the buffer stops moving */
	row->field[row->n] = (const char *)(uintptr_t)start;
	row->n++;
	return MO_OK;
}

int proto_csv_next(struct proto_csv *c, struct proto_csv_row *row, struct mo_err *err)
{
	size_t start, rec_start, flen = 0;
	bool quoted = false, after_quote = false, at_field_start = true;

	/* blank lines between records are nothing */
	while (c->pos < c->len && (c->data[c->pos] == '\n' || c->data[c->pos] == '\r')) {
		if (c->data[c->pos] == '\n')
			c->line++;
		c->pos++;
	}
	row->n = 0;
	row->line = c->line;
	if (c->pos >= c->len)
		return MO_ENOTFOUND;
	mo_buf_reset(&c->buf);
	rec_start = c->pos;
	start = 0;
	for (;;) {
		int ch = c->pos < c->len ? (unsigned char)c->data[c->pos] : -1;

		if (c->pos - rec_start > c->lim.line_max)
			return bad(c, row, err, "csv_line_long", "the line is too long");
		if (ch == 0)
			return bad(c, row, err, "csv_nul", "a NUL byte");
		if (quoted) {
			if (ch < 0) {
				row->n = 0;
				return mo_err_set(err, MO_EINVAL, "csv_quote",
						  "line %ld: a quote is never closed", row->line);
			}
			c->pos++;
			if (ch == '"') {
				if (c->pos < c->len && c->data[c->pos] == '"') {
					c->pos++;
				} else {
					quoted = false;
					after_quote = true;
					continue;
				}
			} else if (ch == '\n') {
				c->line++;
			}
			if (++flen > c->lim.field_max)
				return bad(c, row, err, "csv_field_long", "a field is too long");
			if (mo_buf_addc(&c->buf, (unsigned char)ch) != MO_OK)
				return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			continue;
		}
		if (ch < 0 || ch == c->sep || ch == '\n' || ch == '\r') {
			if (row->n == PROTO_CSV_FIELDS_MAX)
				return bad(c, row, err, "csv_fields", "too many fields");
			if (field_end(c, row, start) != MO_OK)
				return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			start = c->buf.len;
			flen = 0;
			after_quote = false;
			at_field_start = true;
			if (ch == c->sep) {
				c->pos++;
				continue;
			}
			/* LF, CRLF, or a lone CR (old Mac files) end the line */
			if (ch == '\r')
				c->pos++;
			if (c->pos < c->len && c->data[c->pos] == '\n')
				c->pos++;
			if (ch >= 0)
				c->line++;
			break;
		}
		if (after_quote)
			return bad(c, row, err, "csv_quote", "text after a closing quote");
		c->pos++;
		if (ch == '"' && at_field_start) {
			quoted = true;
			at_field_start = false;
			continue;
		}
		at_field_start = false;
		if (++flen > c->lim.field_max)
			return bad(c, row, err, "csv_field_long", "a field is too long");
		if (mo_buf_addc(&c->buf, (unsigned char)ch) != MO_OK)
			return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	}
	for (size_t i = 0; i < row->n; i++)
		row->field[i] = (const char *)c->buf.data + (uintptr_t)row->field[i];
	return MO_OK;
}
