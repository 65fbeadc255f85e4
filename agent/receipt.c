/*
 * receipt.c — the printable HTML receipt a citizen takes home: case
 * number, date, services, documents received, operator, unit, and how to
 * learn the result.  Everything from the record is HTML-escaped.
 */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"
#include "i18n.h"
#include "mo_util.h"
#include "store.h"

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

static const char *jstr(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return v ? v : "";
}

int agent_receipt_write(struct agent_ctx *ctx, struct agent_store *s,
			const struct agent_identity *me, const struct agent_case *c, FILE *f,
			struct mo_err *err)
{
	bool en = ctx->lang == AGENT_LANG_EN;
	const cJSON *app = cJSON_GetObjectItemCaseSensitive(c->data, "applicant"), *it;
	const cJSON *fee = cJSON_GetObjectItemCaseSensitive(c->data, "fee_uah");

	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">\n"
		"<title>%s ",
		en ? "en" : "uk", en ? "Receipt" : "Розписка");
	esc(f, c->number);
	fputs("</title>\n<style>body{font-family:sans-serif;max-width:42em;margin:2em auto}"
	      "h1{font-size:1.4em}td,th{text-align:left;padding:.2em .6em}"
	      ".num{font-size:1.6em;font-weight:bold;letter-spacing:.05em}"
	      "@media print{body{margin:0}}</style></head><body>\n",
	      f);
	fprintf(f, "<h1>%s</h1>\n",
		en ? "Receipt for an application to the Administrative Service Centre (CNAP)"
		   : "Розписка про прийняття заяви Центром надання адміністративних послуг");
	fprintf(f, "<p>%s:<br><span class=\"num\">", en ? "Application number" : "Номер заяви");
	esc(f, c->number);
	fputs("</span></p>\n<table>\n", f);
	fprintf(f, "<tr><th>%s</th><td>", en ? "Date" : "Дата");
	esc(f, c->created_at);
	fprintf(f, "</td></tr>\n<tr><th>%s</th><td>", en ? "Applicant" : "Заявник");
	esc(f, jstr(app, "surname"));
	fputc(' ', f);
	esc(f, jstr(app, "given_name"));
	fputc(' ', f);
	esc(f, jstr(app, "patronymic"));
	fprintf(f, "</td></tr>\n<tr><th>%s</th><td>", en ? "Unit" : "Підрозділ");
	esc(f, me->unit_name[0] ? me->unit_name : me->unit);
	fputs(" (", f);
	esc(f, me->unit);
	fprintf(f, ")</td></tr>\n<tr><th>%s</th><td>", en ? "Administrator" : "Адміністратор");
	esc(f, c->operator_name);
	fprintf(f, "</td></tr>\n<tr><th>%s</th><td>", en ? "Status" : "Стан");
	esc(f, agent_status_word(ctx->lang, c->status));
	fprintf(f, "</td></tr>\n<tr><th>%s</th><td>%lld %s</td></tr>\n</table>\n",
		en ? "Fee" : "Плата", cJSON_IsNumber(fee) ? (long long)fee->valuedouble : 0LL,
		en ? "UAH" : "грн");

	fprintf(f, "<h2>%s</h2>\n<ol>\n", en ? "Services" : "Послуги");
	for (size_t i = 0; i < c->nsvc; i++) {
		struct agent_service svc;

		fputs("<li>", f);
		if (agent_store_service_get(s, c->svc[i].code, &svc, NULL) == MO_OK) {
			esc(f, en && svc.title_en[0] ? svc.title_en : svc.title_uk);
			agent_service_release(&svc);
		}
		fputs(" (", f);
		esc(f, c->svc[i].code);
		fputs(")</li>\n", f);
	}
	fputs("</ol>\n", f);
	it = cJSON_GetObjectItemCaseSensitive(c->data, "documents_presented");
	if (cJSON_GetArraySize(it) > 0) {
		const cJSON *d;

		fprintf(f, "<h2>%s</h2>\n<ul>\n", en ? "Documents received" : "Прийняті документи");
		cJSON_ArrayForEach(d, it)
		{
			fputs("<li>", f);
			esc(f, cJSON_GetStringValue(d));
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	fprintf(f, "<h2>%s</h2>\n<p>%s <b>",
		en ? "How to learn the result" : "Як дізнатися результат",
		en ? "Call or visit the CNAP and give the application number"
		   : "Зателефонуйте або зверніться до ЦНАП і назвіть номер заяви");
	esc(f, c->number);
	fprintf(f, "</b>. %s</p>\n",
		en ? "The administrator will also tell you the decision at the next visit."
		   : "Адміністратор також повідомить рішення під час наступного виїзду.");
	fprintf(f, "<p>%s: ____________________</p>\n</body></html>\n",
		en ? "Administrator's signature" : "Підпис адміністратора");
	if (ferror(f))
		return mo_err_set(err, MO_EIO, NULL, "cannot write the receipt");
	return MO_OK;
}
