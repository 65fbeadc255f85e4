/*
 * report_xlsx.h — the reports page's tables as a workbook
 * (GET /api/reports/summary.xlsx): one sheet per table of
 * GET /api/reports/summary, headers and codes in words (words.h REPORT,
 * STATUS, CATEGORY, UNIT_KIND), numbers as numbers.
 */
#ifndef HUB_REPORT_XLSX_H
#define HUB_REPORT_XLSX_H

#include <cjson/cJSON.h>

#include "words.h"
#include "xlsx.h"

int hub_report_xlsx(struct hub_xlsx *x, const cJSON *report, enum hub_lang lang);

#endif
