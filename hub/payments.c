/* payments.c — payments from laptops and bank statements (payments.h). */
#include "payments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "json.h"
#include "money.h"
#include "validate.h"

#define PURPOSE_MAX 1000
#define TXN_ID_MAX 64
#define NUMBERS_MAX 8

static const char *const METHODS[] = {"cash", "card", "bank"};

static bool is_alnum(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static bool is_digit(unsigned char ch)
{
	return ch >= '0' && ch <= '9';
}

/* does "-YYYY-NNNNNN" start at p (and no digit follows)? */
static bool tail_at(const char *p, const char *end)
{
	if (end - p < 12 || p[0] != '-' || p[5] != '-')
		return false;
	for (int i = 1; i < 12; i++)
		if (i != 5 && !is_digit((unsigned char)p[i]))
			return false;
	return p + 12 == end || !is_digit((unsigned char)p[12]);
}

size_t hub_payment_numbers(const char *text, char (*out)[HUB_NUMBER_MAX], size_t max)
{
	const char *end = text + strlen(text);
	size_t n = 0;

	for (const char *p = text; p < end && n < max; p++) {
		const char *start = p;
		size_t len;

		if (!tail_at(p, end) || p == text || !is_alnum((unsigned char)p[-1]))
			continue;
		/* the device code before it: letters, digits and dashes */
		while (start > text && (is_alnum((unsigned char)start[-1]) || start[-1] == '-'))
			start--;
		while (*start == '-')
			start++;
		len = (size_t)(p + 12 - start);
		if (len >= HUB_NUMBER_MAX)
			continue;
		for (size_t i = 0; i < len; i++) {
			char ch = start[i];

			out[n][i] = ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
		}
		out[n][len] = '\0';
		n++;
		p += 11;
	}
	return n;
}

int hub_payment_match(struct hub *h, const char *purpose, struct hub_case *out,
		      struct mo_err *err)
{
	char nums[NUMBERS_MAX][HUB_NUMBER_MAX];
	size_t n = hub_payment_numbers(purpose, nums, NUMBERS_MAX);

	for (size_t i = 0; i < n; i++) {
		/* "ID-KR-T01A-2026-000001": also try without the words glued before it */
		for (const char *p = nums[i]; p; p = strchr(p, '-') ? strchr(p, '-') + 1 : NULL) {
			int rc;

			if (strlen(p) <= 12)
				break;
			rc = hub_store_case_get(h->store, p, true, out, NULL, err);
			if (rc == MO_OK)
				return MO_OK;
			if (rc != MO_ENOTFOUND)
				return rc;
			mo_err_clear(err);
		}
	}
	return MO_ENOTFOUND;
}

static int refuse(struct mo_err *err, const char *code, const char *fmt, const char *arg)
{
	return mo_err_set(err, MO_EINVAL, code, fmt, arg);
}

int hub_payment_apply(struct hub *h, const struct hub_device *dev, struct proto_change *c,
		      bool *applied, struct mo_err *err)
{
	const char *case_id = proto_json_str(c->fields, "case");
	const char *method = proto_json_str(c->fields, "method");
	const char *paid_at = proto_json_str(c->fields, "paid_at");
	struct hub_payment p;
	struct hub_case hc;
	char actor[256];
	long long kop;
	bool method_ok = false;
	int rc;

	*applied = false;
	if (case_id == NULL || method == NULL || paid_at == NULL ||
	    !proto_json_int(c->fields, "amount_kop", &kop))
		return refuse(err, "missing_field", "%s",
			      "a payment needs 'case', 'amount_kop', 'method' and 'paid_at'");
	for (size_t i = 0; i < sizeof(METHODS) / sizeof(METHODS[0]); i++)
		method_ok = method_ok || strcmp(method, METHODS[i]) == 0;
	if (!method_ok || kop < 1 || kop > HUB_PAYMENT_MAX_KOP)
		return refuse(err, "bad_value", "%s", "a payment's amount or method is wrong");
	rc = hub_store_case_get(h->store, case_id, false, &hc, NULL, err);
	if (rc == MO_ENOTFOUND) {
		mo_err_clear(err);
		return refuse(err, "not_found", "no case %s on the hub", case_id);
	}
	if (rc != MO_OK)
		return rc;
	if (strcmp(hc.unit, dev->unit) != 0)
		return refuse(err, "forbidden", "case %s belongs to another unit", case_id);
	p = (struct hub_payment){.id = c->id,
				 .case_id = hc.id,
				 .unit = hc.unit,
				 .method = method,
				 .receipt = proto_json_str(c->fields, "receipt"),
				 .paid_at = paid_at,
				 .source = "device",
				 .device = dev->code,
				 .amount_kop = kop,
				 .hlc = c->hlc};
	rc = hub_store_payment_add(h->store, &p, err);
	if (rc == MO_EEXISTS)
		return MO_OK; /* stored once by id: a re-sent batch changes nothing */
	if (rc != MO_OK)
		return rc;
	/* the history says who took the money and how much, in the case's words */
	snprintf(actor, sizeof(actor), "%s \u00b7 %s", dev->code,
		 dev->operator_name[0] ? dev->operator_name : "?");
	{
		char reason[PROTO_MONEY_TEXT_MAX];
		struct hub_event ev = {.case_id = hc.id,
				       .kind = "payment",
				       .reason = proto_money_format(reason, sizeof(reason), kop, true),
				       .actor = actor,
				       .hlc = c->hlc};

		if ((rc = hub_store_event_add(h->store, &ev, err)) != MO_OK)
			return rc;
	}
	*applied = true;
	return MO_OK;
}

/* ---- bank statements ---- */

enum col { C_DATE, C_AMOUNT, C_PURPOSE, C_ID, C_COUNT };

static const char *const COLS[C_COUNT] = {"date", "amount", "purpose", "id"};

/* a header name, trimmed and compared without case */
static bool name_is(const char *field, size_t len, const char *name)
{
	size_t n = strlen(name);

	while (len && (*field == ' ' || *field == '\t'))
		field++, len--;
	while (len && (field[len - 1] == ' ' || field[len - 1] == '\t'))
		len--;
	if (len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = field[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != name[i])
			return false;
	}
	return true;
}

static int line_add(struct hub_import_result *out, long line, const char *result,
		    const char *reason, cJSON **entry)
{
	cJSON *e = cJSON_CreateObject();

	*entry = e;
	if (e == NULL || !cJSON_AddNumberToObject(e, "line", (double)line) ||
	    !cJSON_AddStringToObject(e, "result", result) ||
	    (reason && !cJSON_AddStringToObject(e, "reason", reason))) {
		cJSON_Delete(e);
		*entry = NULL;
		return MO_ENOMEM;
	}
	cJSON_AddItemToArray(out->lines, e);
	return MO_OK;
}

static int bad_line(struct hub_import_result *out, long line, const char *reason)
{
	cJSON *e;

	out->bad++;
	return line_add(out, line, "bad", reason, &e);
}

/* a copy of field without surrounding spaces, NUL-terminated, in buf */
static const char *trimmed(const char *field, size_t len, char *buf, size_t buflen)
{
	while (len && (*field == ' ' || *field == '\t'))
		field++, len--;
	while (len && (field[len - 1] == ' ' || field[len - 1] == '\t' || field[len - 1] == '\r' ||
		       field[len - 1] == '\n'))
		len--;
	if (len >= buflen)
		return NULL;
	memcpy(buf, field, len);
	buf[len] = '\0';
	return buf;
}

/* the statement's day: 02.12.2026, 2026-12-02, with a time after it or not */
static bool day_of(const char *text, char iso[11])
{
	char d[32];
	size_t n = strcspn(text, " T");

	if (n == 0 || n >= sizeof(d))
		return false;
	memcpy(d, text, n);
	d[n] = '\0';
	return proto_date_parse(d, iso) == MO_OK;
}

struct import {
	struct hub *h;
	const char *file;
	int col[C_COUNT];
	size_t ncols;
	struct hub_import_result *out;
};

static bool row_empty(const struct proto_csv_row *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t k = 0; k < r->len[i]; k++)
			if (r->field[i][k] != ' ' && r->field[i][k] != '\t')
				return false;
	return true;
}

/* one data row: checked whole before anything of it is stored */
static int import_row(struct import *im, const struct proto_csv_row *r, struct mo_err *err)
{
	char txn[TXN_ID_MAX + 1], amount[64], date[64], day[11], purpose[PURPOSE_MAX + 1];
	struct mo_err why = MO_ERR_INIT;
	struct hub_case hc;
	struct hub_bank_row br;
	const char *f[C_COUNT];
	bool matched;
	long long kop;
	cJSON *e;
	int rc;

	if (row_empty(r))
		return MO_OK;
	for (int k = 0; k < C_COUNT; k++)
		if ((size_t)im->col[k] >= r->n)
			return bad_line(im->out, r->line, "bank_fields");
	f[C_ID] = trimmed(r->field[im->col[C_ID]], r->len[im->col[C_ID]], txn, sizeof(txn));
	f[C_AMOUNT] = trimmed(r->field[im->col[C_AMOUNT]], r->len[im->col[C_AMOUNT]], amount,
			      sizeof(amount));
	f[C_DATE] = trimmed(r->field[im->col[C_DATE]], r->len[im->col[C_DATE]], date, sizeof(date));
	f[C_PURPOSE] = trimmed(r->field[im->col[C_PURPOSE]], r->len[im->col[C_PURPOSE]], purpose,
			       sizeof(purpose));
	if (f[C_ID] == NULL)
		return bad_line(im->out, r->line, "bank_id_long");
	if (*f[C_ID] == '\0')
		return bad_line(im->out, r->line, "bank_no_id");
	if (proto_text_check(f[C_ID], TXN_ID_MAX, "id", &why) != MO_OK || strchr(f[C_ID], '\n') ||
	    strchr(f[C_ID], '\t'))
		return bad_line(im->out, r->line, "bank_bad_id");
	if (f[C_AMOUNT] == NULL)
		return bad_line(im->out, r->line, "money_format");
	if (proto_money_parse(&kop, f[C_AMOUNT], strlen(f[C_AMOUNT]), &why) != MO_OK)
		return bad_line(im->out, r->line, why.code);
	if (kop == 0)
		return bad_line(im->out, r->line, "money_zero");
	if (kop > HUB_PAYMENT_MAX_KOP)
		return bad_line(im->out, r->line, "money_too_big");
	if (f[C_DATE] == NULL || !day_of(f[C_DATE], day))
		return bad_line(im->out, r->line, "bank_date");
	if (f[C_PURPOSE] == NULL)
		return bad_line(im->out, r->line, "bank_purpose_long");
	if (proto_text_check(f[C_PURPOSE], PURPOSE_MAX, "purpose", &why) != MO_OK)
		return bad_line(im->out, r->line, "bank_purpose_text");
	rc = hub_payment_match(im->h, f[C_PURPOSE], &hc, err);
	if (rc != MO_OK && rc != MO_ENOTFOUND)
		return rc;
	matched = rc == MO_OK;
	br = (struct hub_bank_row){.txn_id = f[C_ID],
				   .booked_on = day,
				   .purpose = f[C_PURPOSE],
				   .case_id = matched ? hc.id : NULL,
				   .file = im->file,
				   .amount_kop = kop};
	rc = hub_store_bank_row_add(im->h->store, &br, err);
	if (rc == MO_EEXISTS) {
		im->out->skipped++;
		if (line_add(im->out, r->line, "skipped", "bank_seen", &e) != MO_OK)
			return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		cJSON_AddStringToObject(e, "id", f[C_ID]);
		return MO_OK;
	}
	if (rc != MO_OK)
		return rc;
	if (matched) {
		char pid[TXN_ID_MAX + 8], paid_at[32];
		struct hub_payment p;

		snprintf(pid, sizeof(pid), "bank:%s", f[C_ID]);
		/* a statement gives a day: noon in Kyiv is that day in UTC too */
		snprintf(paid_at, sizeof(paid_at), "%sT10:00:00Z", day);
		p = (struct hub_payment){.id = pid,
					 .case_id = hc.id,
					 .unit = hc.unit,
					 .method = "bank",
					 .receipt = f[C_ID],
					 .paid_at = paid_at,
					 .source = "bank",
					 .amount_kop = kop};
		if ((rc = hub_store_payment_add(im->h->store, &p, err)) != MO_OK &&
		    rc != MO_EEXISTS)
			return rc;
		{
			char reason[PROTO_MONEY_TEXT_MAX];
			struct hub_event ev = {.case_id = hc.id,
					       .kind = "payment",
					       .reason = proto_money_format(reason, sizeof(reason),
									    kop, true),
					       .actor = "bank",
					       .hlc = 0};

			if ((rc = hub_store_event_add(im->h->store, &ev, err)) != MO_OK)
				return rc;
		}
		im->out->matched++;
	} else {
		im->out->unmatched++;
	}
	if (line_add(im->out, r->line, matched ? "matched" : "unmatched", NULL, &e) != MO_OK)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	cJSON_AddStringToObject(e, "id", f[C_ID]);
	cJSON_AddNumberToObject(e, "amount_kop", (double)kop);
	if (matched) {
		cJSON_AddStringToObject(e, "case", hc.id);
		cJSON_AddStringToObject(e, "number", hc.number);
	}
	return MO_OK;
}

/* the header: where each column is; MO_EINVAL bank_columns naming the missing */
static int read_header(struct import *im, const struct proto_csv_row *r, struct mo_err *err)
{
	char missing[64] = "";

	for (int k = 0; k < C_COUNT; k++) {
		im->col[k] = -1;
		for (size_t i = 0; i < r->n; i++) {
			if (!name_is(r->field[i], r->len[i], COLS[k]))
				continue;
			if (im->col[k] >= 0)
				return mo_err_set(err, MO_EINVAL, "bank_columns",
						  "the column '%s' is named twice", COLS[k]);
			im->col[k] = (int)i;
		}
		if (im->col[k] < 0) {
			size_t o = strlen(missing);

			snprintf(missing + o, sizeof(missing) - o, "%s%s", o ? ", " : "", COLS[k]);
		}
	}
	if (missing[0])
		return mo_err_set(err, MO_EINVAL, "bank_columns", "the header lacks: %s", missing);
	im->ncols = r->n;
	return MO_OK;
}

int hub_payments_import(struct hub *h, const char *data, size_t len, const char *file,
			struct hub_import_result *out, struct mo_err *err)
{
	struct proto_csv csv;
	struct proto_csv_row row;
	struct import im = {.h = h, .file = file, .out = out};
	int rc;

	memset(out, 0, sizeof(*out));
	if ((out->lines = cJSON_CreateArray()) == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	if (len > HUB_STATEMENT_MAX)
		return mo_err_set(err, MO_ETOOBIG, "bank_too_big", "the statement is over %u MiB",
				  HUB_STATEMENT_MAX >> 20);
	proto_csv_init(&csv, data, len, NULL);
	rc = proto_csv_next(&csv, &row, err);
	if (rc == MO_ENOTFOUND) {
		mo_err_clear(err);
		rc = mo_err_set(err, MO_EINVAL, "bank_empty", "the statement has no header line");
	}
	if (rc != MO_OK || (rc = read_header(&im, &row, err)) != MO_OK)
		goto done;
	if ((rc = hub_store_begin(h->store, err)) != MO_OK)
		goto done;
	for (;;) {
		struct mo_err why = MO_ERR_INIT;

		rc = proto_csv_next(&csv, &row, &why);
		if (rc == MO_ENOTFOUND) {
			rc = MO_OK;
			break;
		}
		if (rc == MO_EINVAL) {
			if ((rc = bad_line(out, row.line, why.code)) != MO_OK) {
				mo_err_set(err, rc, NULL, "out of memory");
				break;
			}
			continue;
		}
		if (rc != MO_OK) {
			*err = why;
			break;
		}
		if ((rc = import_row(&im, &row, err)) != MO_OK) {
			if (rc == MO_ENOMEM && err->msg[0] == '\0')
				mo_err_set(err, rc, NULL, "out of memory");
			break;
		}
	}
	if (rc == MO_OK)
		rc = hub_store_commit(h->store, err);
	else
		hub_store_rollback(h->store);
done:
	proto_csv_release(&csv);
	return rc;
}
