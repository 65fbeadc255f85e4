/* report_xlsx.c — the report's tables as a workbook (report_xlsx.h). */
#include "report_xlsx.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "mo_err.h"

enum col_type { NUM, TEXT, WORD, DATE, MONTH, TITLE };

struct col {
	const char *key, *head; /* the row's key, the header's code (REPORT) */
	enum col_type type;
	enum hub_words_kind kind; /* WORD */
};

struct table {
	const char *list, *sheet; /* the report's key, the sheet's code (REPORT) */
	struct col cols[10];
	int ncols;
};

/* clang-format off */
static const struct table TABLES[] = {
    {"by_service", "sheet_services", {{"code", "code", TEXT, 0}, {"title", "service", TITLE, 0},
      {"count", "count", NUM, 0}}, 3},
    {"by_category", "sheet_categories", {{"category", "category", WORD, HUB_W_CATEGORY},
      {"count", "count", NUM, 0}}, 2},
    {"per_unit", "sheet_units", {{"unit", "unit", TEXT, 0}, {"name", "name", TEXT, 0},
      {"applications", "applications", NUM, 0}, {"citizens", "citizens", NUM, 0}}, 4},
    {"per_trip", "sheet_trips", {{"date", "date", DATE, 0}, {"unit", "unit", TEXT, 0},
      {"settlement", "settlement", TEXT, 0}, {"applications", "applications", NUM, 0}}, 4},
    {"per_month", "sheet_months", {{"month", "month", MONTH, 0},
      {"applications", "applications", NUM, 0}}, 2},
    {"per_unit_kind", "sheet_unit_kinds", {{"kind", "unit_kind", WORD, HUB_W_UNIT_KIND},
      {"units", "units", NUM, 0}, {"trips", "trips", NUM, 0}, {"citizens", "citizens", NUM, 0},
      {"citizens_with_disabilities", "citizens_with_disabilities", NUM, 0},
      {"applications", "applications", NUM, 0}, {"services", "services", NUM, 0},
      {"package_applications", "package_applications", NUM, 0},
      {"refusals", "refusals", NUM, 0}}, 9},
};
/* clang-format on */

static const char *w(enum hub_lang lang, const char *code)
{
	return hub_word_or(lang, HUB_W_REPORT, code);
}

static int summary(struct hub_xlsx *x, const cJSON *r, enum hub_lang lang)
{
	static const char *const keys[] = {"applications",	    "citizens",
					   "services_total",	    "refusal_rate",
					   "avg_hours_to_decision", "status_lookups"};
	const char *head[2] = {w(lang, "indicator"), w(lang, "value")};
	const cJSON *dec = cJSON_GetObjectItemCaseSensitive(r, "decisions"), *it;
	const cJSON *rat = cJSON_GetObjectItemCaseSensitive(r, "ratings");
	int rc = hub_xlsx_sheet(x, w(lang, "sheet_summary"), head, 2);

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && rc == MO_OK; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, keys[i]);

		if (!cJSON_IsNumber(v))
			continue;
		rc = hub_xlsx_text(x, 0, w(lang, keys[i]));
		if (rc == MO_OK)
			rc = hub_xlsx_number(x, 1,
					     strcmp(keys[i], "refusal_rate") == 0
						 ? round(v->valuedouble * 1000) / 10
						 : round(v->valuedouble * 10) / 10);
		hub_xlsx_row(x);
	}
	if (rc == MO_OK && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(rat, "average"))) {
		rc = hub_xlsx_text(x, 0, w(lang, "rating_average"));
		if (rc == MO_OK)
			rc = hub_xlsx_number(
			    x, 1,
			    round(cJSON_GetObjectItemCaseSensitive(rat, "average")->valuedouble *
				  100) /
				100);
		hub_xlsx_row(x);
	}
	hub_xlsx_row(x);
	if (rc == MO_OK)
		rc = hub_xlsx_bold(x, 0, w(lang, "decisions"));
	hub_xlsx_row(x);
	cJSON_ArrayForEach(it, dec)
	{
		if (rc != MO_OK || !cJSON_IsNumber(it))
			continue;
		rc = hub_xlsx_text(x, 0,
				   strcmp(it->string, "pending") == 0
				       ? w(lang, "pending")
				       : hub_word_or(lang, HUB_W_STATUS, it->string));
		if (rc == MO_OK)
			rc = hub_xlsx_number(x, 1, it->valuedouble);
		hub_xlsx_row(x);
	}
	return rc;
}

static int cell(struct hub_xlsx *x, int i, const struct col *c, const cJSON *row,
		enum hub_lang lang)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, c->key);
	const char *s = proto_json_str(row, c->key);
	char buf[16];

	switch (c->type) {
	case NUM: return cJSON_IsNumber(v) ? hub_xlsx_number(x, i, v->valuedouble) : MO_OK;
	case WORD: return hub_xlsx_text(x, i, s ? hub_word_or(lang, c->kind, s) : NULL);
	case TITLE:
		return hub_xlsx_text(
		    x, i, proto_json_str(row, lang == HUB_LANG_EN ? "title_en" : "title_uk"));
	case DATE: /* 2026-12-02 → 02.12.2026 */
		if (s && strlen(s) >= 10) {
			snprintf(buf, sizeof(buf), "%.2s.%.2s.%.4s", s + 8, s + 5, s);
			s = buf;
		}
		return hub_xlsx_text(x, i, s);
	case MONTH: /* 2026-12 → 12.2026 */
		if (s && strlen(s) == 7) {
			snprintf(buf, sizeof(buf), "%.2s.%.4s", s + 5, s);
			s = buf;
		}
		return hub_xlsx_text(x, i, s);
	case TEXT:
	default: return hub_xlsx_text(x, i, s);
	}
}

int hub_report_xlsx(struct hub_xlsx *x, const cJSON *r, enum hub_lang lang)
{
	int rc = summary(x, r, lang);

	for (size_t t = 0; t < sizeof(TABLES) / sizeof(TABLES[0]) && rc == MO_OK; t++) {
		const struct table *tb = &TABLES[t];
		const char *head[10];
		const cJSON *row;

		for (int i = 0; i < tb->ncols; i++)
			head[i] = w(lang, tb->cols[i].head);
		rc = hub_xlsx_sheet(x, w(lang, tb->sheet), head, tb->ncols);
		cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(r, tb->list))
		{
			for (int i = 0; i < tb->ncols && rc == MO_OK; i++)
				rc = cell(x, i, &tb->cols[i], row, lang);
			hub_xlsx_row(x);
		}
	}
	return rc;
}
