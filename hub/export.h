/*
 * export.h — one case of the queue (hub_store_case_query's item) as the
 * cells of a row of the exports (GET /api/export.csv, /api/export.xlsx):
 * the same columns and words in both, times kept as ISO UTC for the writer
 * to show in Kyiv local time (kyiv.h).
 */
#ifndef HUB_EXPORT_H
#define HUB_EXPORT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "mo_buf.h"
#include "words.h"

/* the columns, as codes of the words table (HUB_W_COLUMN) */
#define HUB_EXPORT_COLS 19
extern const char *const hub_export_columns[HUB_EXPORT_COLS];

struct hub_export_cell {
	const char *text; /* NULL: empty, or see below */
	const char *iso;  /* a time (ISO UTC): shown in Kyiv time */
	bool number;	  /* num is the value (text holds it as digits too) */
	double num;
};

struct hub_export_row {
	struct hub_export_cell cell[HUB_EXPORT_COLS];
	char fee[32];
	struct mo_buf services, statuses, trip;
};

/* the cells of item; text points into item and row: use them before either goes */
int hub_export_row(enum hub_lang lang, const cJSON *item, struct hub_export_row *row);
void hub_export_row_release(struct hub_export_row *row);

#endif
