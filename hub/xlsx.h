/*
 * xlsx.h — a real .xlsx workbook (libxlsxwriter) for the exports: sheets
 * of header + rows, text cells (never formulas: a citizen's "=HYPERLINK(...)"
 * stays text), numbers, and times as date cells in Kyiv local time
 * (kyiv.h) shown "dd.mm.yyyy hh:mm".
 *
 * libxlsxwriter 1.1.4 writes only to a file, so the workbook is built in a
 * private file in dir (the hub's data directory), read back whole and
 * removed.
 */
#ifndef HUB_XLSX_H
#define HUB_XLSX_H

#include <stdbool.h>

#include "mo_buf.h"
#include "mo_err.h"

struct hub_xlsx;

/* a new workbook; NULL (err set) when the file cannot be made */
struct hub_xlsx *hub_xlsx_open(const char *dir, struct mo_err *err);
/* a new sheet (name ≤31 characters, cut) whose first row is the bold header */
int hub_xlsx_sheet(struct hub_xlsx *x, const char *name, const char *const *head, int ncols);
/* the cells of the next row: text (NULL: empty), number, time (ISO UTC) */
int hub_xlsx_text(struct hub_xlsx *x, int col, const char *v);
int hub_xlsx_number(struct hub_xlsx *x, int col, double v);
int hub_xlsx_time(struct hub_xlsx *x, int col, const char *iso);
/* a bold text cell (a total row's label) */
int hub_xlsx_bold(struct hub_xlsx *x, int col, const char *v);
/* done with the row: the next cells go to the row below */
void hub_xlsx_row(struct hub_xlsx *x);
/* finish the workbook into out (up to its limit) and free x, even on error */
int hub_xlsx_close(struct hub_xlsx *x, struct mo_buf *out, struct mo_err *err);

#define HUB_XLSX_CTYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#endif
