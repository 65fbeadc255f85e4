/* xlsx.c — .xlsx workbooks with libxlsxwriter (xlsx.h). */
#include "xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "kyiv.h"

#define XLSX_MAX (64u << 20)

struct hub_xlsx {
	char path[4200], tmpdir[4100];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *time;
	lxw_row_t row;
	int ncols;
	double width[64];
	bool failed;
};

struct hub_xlsx *hub_xlsx_open(const char *dir, struct mo_err *err)
{
	struct hub_xlsx *x = calloc(1, sizeof(*x));
	lxw_workbook_options opt = {0};
	int fd;

	if (x == NULL) {
		mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	snprintf(x->tmpdir, sizeof(x->tmpdir), "%s", dir);
	snprintf(x->path, sizeof(x->path), "%s/export-XXXXXX.xlsx", dir);
	if ((fd = mkstemps(x->path, 5)) < 0) {
		mo_err_set(err, MO_EIO, NULL, "cannot create a file for the workbook in %s", dir);
		free(x);
		return NULL;
	}
	close(fd);
	opt.tmpdir = x->tmpdir;
	if ((x->wb = workbook_new_opt(x->path, &opt)) == NULL) {
		unlink(x->path);
		free(x);
		mo_err_set(err, MO_ENOMEM, NULL, "cannot start the workbook");
		return NULL;
	}
	x->bold = workbook_add_format(x->wb);
	x->time = workbook_add_format(x->wb);
	if (x->bold == NULL || x->time == NULL) {
		x->failed = true;
	} else {
		format_set_bold(x->bold);
		format_set_num_format(x->time, "dd.mm.yyyy hh:mm");
	}
	return x;
}

/* a column wide enough for its longest cell (characters, not bytes) */
static void fit(struct hub_xlsx *x, int col, const char *v)
{
	double n = 0;

	if (col < 0 || col >= 64 || v == NULL)
		return;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		n += (*p & 0xC0) != 0x80;
	if (n > 60)
		n = 60;
	if (n + 2 > x->width[col])
		x->width[col] = n + 2;
}

static void set_widths(struct hub_xlsx *x)
{
	if (x->ws == NULL)
		return;
	for (int i = 0; i < x->ncols && i < 64; i++)
		worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, x->width[i], NULL);
}

int hub_xlsx_sheet(struct hub_xlsx *x, const char *name, const char *const *head, int ncols)
{
	char sheet[32 * 4];
	size_t n = 0, chars = 0;

	if (x->failed)
		return MO_ENOMEM;
	set_widths(x);
	/* ≤31 characters, none of []:*?/\ */
	for (const unsigned char *p = (const unsigned char *)name; *p && n + 4 < sizeof(sheet);
	     p++) {
		if ((*p & 0xC0) != 0x80 && ++chars > 31)
			break;
		sheet[n++] = strchr("[]:*?/\\", *p) ? '_' : (char)*p;
	}
	sheet[n] = '\0';
	if ((x->ws = workbook_add_worksheet(x->wb, sheet)) == NULL) {
		x->failed = true;
		return MO_ENOMEM;
	}
	memset(x->width, 0, sizeof(x->width));
	x->ncols = ncols;
	x->row = 0;
	for (int i = 0; i < ncols; i++) {
		fit(x, i, head[i]);
		if (worksheet_write_string(x->ws, 0, (lxw_col_t)i, head[i], x->bold) !=
		    LXW_NO_ERROR)
			x->failed = true;
	}
	worksheet_freeze_panes(x->ws, 1, 0);
	x->row = 1;
	return x->failed ? MO_ENOMEM : MO_OK;
}

static int done(struct hub_xlsx *x, lxw_error e)
{
	if (e != LXW_NO_ERROR)
		x->failed = true;
	return x->failed ? MO_ENOMEM : MO_OK;
}

int hub_xlsx_text(struct hub_xlsx *x, int col, const char *v)
{
	if (x->ws == NULL || v == NULL || *v == '\0')
		return x->failed ? MO_ENOMEM : MO_OK;
	fit(x, col, v);
	return done(x, worksheet_write_string(x->ws, x->row, (lxw_col_t)col, v, NULL));
}

int hub_xlsx_bold(struct hub_xlsx *x, int col, const char *v)
{
	if (x->ws == NULL || v == NULL || *v == '\0')
		return x->failed ? MO_ENOMEM : MO_OK;
	fit(x, col, v);
	return done(x, worksheet_write_string(x->ws, x->row, (lxw_col_t)col, v, x->bold));
}

int hub_xlsx_number(struct hub_xlsx *x, int col, double v)
{
	if (x->ws == NULL)
		return MO_EINVAL;
	fit(x, col, "0000000");
	return done(x, worksheet_write_number(x->ws, x->row, (lxw_col_t)col, v, NULL));
}

int hub_xlsx_time(struct hub_xlsx *x, int col, const char *iso)
{
	struct hub_local l;
	lxw_datetime dt;

	if (x->ws == NULL || !hub_kyiv_parts(iso, &l))
		return x->failed ? MO_ENOMEM : MO_OK;
	dt.year = l.year, dt.month = l.month, dt.day = l.day;
	dt.hour = l.hour, dt.min = l.min, dt.sec = l.sec;
	fit(x, col, "00.00.0000 00:00");
	return done(x, worksheet_write_datetime(x->ws, x->row, (lxw_col_t)col, &dt, x->time));
}

void hub_xlsx_row(struct hub_xlsx *x)
{
	x->row++;
}

int hub_xlsx_close(struct hub_xlsx *x, struct mo_buf *out, struct mo_err *err)
{
	FILE *f = NULL;
	char chunk[65536];
	size_t n;
	int rc = MO_OK;

	if (x == NULL)
		return mo_err_set(err, MO_EINVAL, NULL, "no workbook");
	set_widths(x);
	if (workbook_close(x->wb) != LXW_NO_ERROR || x->failed) {
		rc = mo_err_set(err, MO_EIO, NULL, "cannot write the workbook");
		goto done;
	}
	if ((f = fopen(x->path, "rb")) == NULL) {
		rc = mo_err_set(err, MO_EIO, NULL, "cannot read the workbook back");
		goto done;
	}
	mo_buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && rc == MO_OK)
		if (out->len + n > XLSX_MAX || mo_buf_add(out, chunk, n) != MO_OK)
			rc = mo_err_set(err, MO_ETOOBIG, "too_large",
					"the workbook is too large; narrow the filter");
	if (rc == MO_OK && ferror(f))
		rc = mo_err_set(err, MO_EIO, NULL, "cannot read the workbook back");
	fclose(f);
done:
	unlink(x->path);
	free(x);
	return rc;
}
