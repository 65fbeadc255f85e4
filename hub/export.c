/* export.c — a case as a row of the exports (export.h). */
#include "export.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "kyiv.h"
#include "mo_err.h"

const char *const hub_export_columns[HUB_EXPORT_COLS] = {
    "number",	  "status",   "unit",	  "created_at",	      "surname",	 "given_name",
    "patronymic", "rnokpp",   "services", "package",	      "fee_uah",	 "trip",
    "settlement", "operator", "phone",	  "service_statuses", "decision_reason", "decided_at",
    "received_at"};

enum {
	C_NUMBER,
	C_STATUS,
	C_UNIT,
	C_CREATED,
	C_SURNAME,
	C_GIVEN,
	C_PATRONYMIC,
	C_RNOKPP,
	C_SERVICES,
	C_PACKAGE,
	C_FEE,
	C_TRIP,
	C_SETTLEMENT,
	C_OPERATOR,
	C_PHONE,
	C_STATUSES,
	C_REASON,
	C_DECIDED,
	C_RECEIVED
};

int hub_export_row(enum hub_lang lang, const cJSON *it, struct hub_export_row *r)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(it, "applicant"), *s;
	const cJSON *fee = cJSON_GetObjectItemCaseSensitive(it, "fee_uah");
	const cJSON *trip = cJSON_GetObjectItemCaseSensitive(it, "trip");
	const cJSON *dec = cJSON_GetObjectItemCaseSensitive(it, "decision");
	int rc = MO_OK;

	memset(r->cell, 0, sizeof(r->cell));
	r->fee[0] = '\0';
	r->services = (struct mo_buf)MO_BUF_INIT(16384);
	r->statuses = (struct mo_buf)MO_BUF_INIT(16384);
	r->trip = (struct mo_buf)MO_BUF_INIT(1024);
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(it, "services"))
	{
		const char *code = proto_json_str(s, "code"), *st = proto_json_str(s, "status");

		if (code == NULL || rc != MO_OK)
			continue;
		rc = mo_buf_addf(&r->services, "%s%s", r->services.len ? ", " : "", code);
		if (rc == MO_OK)
			rc = mo_buf_addf(&r->statuses, "%s%s: %s", r->statuses.len ? "; " : "",
					 code, hub_word_or(lang, HUB_W_STATUS, st));
	}
	if (rc == MO_OK && cJSON_IsObject(trip)) {
		char when[17];
		const char *kind = proto_json_str(trip, "kind");

		hub_kyiv_text(proto_json_str(trip, "started_at"), when);
		when[10] = '\0'; /* the day */
		rc = mo_buf_addf(&r->trip, "%s%s%s", when, *when && kind ? " · " : "",
				 kind ? hub_word_or(lang, HUB_W_TRIP_KIND, kind) : "");
	}
	if (rc != MO_OK) {
		hub_export_row_release(r);
		return MO_ENOMEM;
	}
	r->cell[C_NUMBER].text = proto_json_str(it, "number");
	r->cell[C_STATUS].text = hub_word_or(lang, HUB_W_STATUS, proto_json_str(it, "status"));
	r->cell[C_UNIT].text = proto_json_str(it, "unit");
	r->cell[C_CREATED].iso = proto_json_str(it, "created_at");
	r->cell[C_SURNAME].text = proto_json_str(a, "surname");
	r->cell[C_GIVEN].text = proto_json_str(a, "given_name");
	r->cell[C_PATRONYMIC].text = proto_json_str(a, "patronymic");
	r->cell[C_RNOKPP].text = proto_json_str(a, "rnokpp");
	r->cell[C_SERVICES].text = mo_buf_cstr(&r->services);
	r->cell[C_PACKAGE].text = proto_json_str(it, "package");
	if (cJSON_IsNumber(fee)) {
		snprintf(r->fee, sizeof(r->fee), "%lld", (long long)fee->valuedouble);
		r->cell[C_FEE].text = r->fee;
		r->cell[C_FEE].number = true;
		r->cell[C_FEE].num = (double)(long long)fee->valuedouble;
	}
	r->cell[C_TRIP].text = mo_buf_cstr(&r->trip);
	r->cell[C_SETTLEMENT].text = proto_json_str(trip, "settlement");
	r->cell[C_OPERATOR].text = proto_json_str(it, "operator");
	r->cell[C_PHONE].text = proto_json_str(a, "phone");
	r->cell[C_STATUSES].text = mo_buf_cstr(&r->statuses);
	r->cell[C_REASON].text = proto_json_str(dec, "reason");
	r->cell[C_DECIDED].iso = proto_json_str(dec, "at");
	r->cell[C_RECEIVED].iso = proto_json_str(it, "received_at");
	return MO_OK;
}

void hub_export_row_release(struct hub_export_row *r)
{
	mo_buf_release(&r->services);
	mo_buf_release(&r->statuses);
	mo_buf_release(&r->trip);
}
