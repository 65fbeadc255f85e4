/*
 * receipt.c — the printable receipt (receipt.h).  Everything from the
 * record is HTML-escaped; the QR code is drawn as one SVG path of its dark
 * modules, so the page needs no image file and no script.
 */
#include "receipt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <qrencode.h>

#include "case.h"
#include "cli_int.h"
#include "i18n.h"
#include "mo_util.h"
#include "validate.h"

static const char CSS[] =
    "@page{size:A4;margin:15mm}\n"
    "@page a5{size:A5;margin:10mm}\n"
    ".receipt{font-family:sans-serif;max-width:42em;margin:2em auto;color:#000}\n"
    ".receipt.paper-a5{page:a5;max-width:30em;font-size:90%}\n"
    ".receipt h1{font-size:1.3em}.receipt h2{font-size:1.1em;margin-top:1.2em}\n"
    ".receipt td,.receipt th{text-align:left;padding:.2em .6em;vertical-align:top}\n"
    ".receipt .num{font-size:1.6em;font-weight:bold;letter-spacing:.05em}\n"
    ".receipt .head{display:flex;justify-content:space-between;align-items:flex-start}\n"
    ".receipt .qr{width:8em;height:8em}\n"
    ".receipt .code{font-family:monospace}\n"
    ".receipt .signs{display:flex;gap:2em;margin-top:2.5em}\n"
    ".receipt .sign{flex:1;border-top:1px solid #000;padding-top:.3em;font-size:.9em}\n"
    "@media print{.receipt{margin:0;max-width:none}}\n";

const char *agent_receipt_css(void)
{
	return CSS;
}

/* a writer that keeps the first error, so the page reads top to bottom */
struct page {
	struct mo_buf *b;
	int rc;
	bool en;
};

static void put(struct page *p, const char *s)
{
	if (p->rc == MO_OK)
		p->rc = mo_buf_adds(p->b, s);
}

static void putf(struct page *p, const char *fmt, ...) MO_PRINTF(2, 3);
static void putf(struct page *p, const char *fmt, ...)
{
	va_list ap;

	if (p->rc != MO_OK)
		return;
	va_start(ap, fmt);
	p->rc = mo_buf_vaddf(p->b, fmt, ap);
	va_end(ap);
}

static void esc(struct page *p, const char *s)
{
	for (; s && *s && p->rc == MO_OK; s++) {
		switch (*s) {
		case '<': put(p, "&lt;"); break;
		case '>': put(p, "&gt;"); break;
		case '&': put(p, "&amp;"); break;
		case '"': put(p, "&quot;"); break;
		case '\'': put(p, "&#39;"); break;
		default: p->rc = mo_buf_addc(p->b, (unsigned char)*s); break;
		}
	}
}

/* the two languages of one phrase */
static const char *L(const struct page *p, const char *uk, const char *en)
{
	return p->en ? en : uk;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return v ? v : "";
}

/* the case number as an SVG QR code: one path, a 4-module quiet zone */
static void qr_svg(struct page *p, const char *text)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int w;

	if (q == NULL) {
		p->rc = p->rc == MO_OK ? MO_ENOMEM : p->rc;
		return;
	}
	w = q->width;
	putf(p,
	     "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	     "role=\"img\" aria-label=\"QR\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	     "<path fill=\"#000\" d=\"",
	     w + 8, w + 8, w + 8, w + 8);
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++)
			if (q->data[y * w + x] & 1)
				putf(p, "M%d %dh1v1h-1z", x + 4, y + 4);
	put(p, "\"/></svg>");
	QRcode_free(q);
}

/*
 * The status code of the case (code, "" for a case from another laptop) and
 * what its QR code says: the hub's public status page with number and code
 * in the fragment (a phone's camera opens it; the fragment is not sent in the
 * page request), or the number alone when there is no code or no hub.
 */
static void status_qr(struct agent_store *s, const struct agent_case *c, char code[32], char *qr,
		      size_t qrlen)
{
	char url[512] = "";
	size_t n;

	if (agent_store_case_code_get(s, c->id, code, 32) != MO_OK ||
	    agent_meta_get(s, "hub_url", url, sizeof(url)) != MO_OK || url[0] == '\0') {
		mo_strlcpy(qr, c->number, qrlen);
		return;
	}
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	snprintf(qr, qrlen, "%s/status#number=%s&code=%s", url, c->number, code);
}

static void head(struct page *p, const struct agent_case *c, const struct agent_receipt_opts *o,
		 bool a5)
{
	putf(p, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">\n<title>%s ",
	     p->en ? "en" : "uk", L(p, "Розписка", "Receipt"));
	esc(p, c->number);
	put(p, "</title>\n");
	if (o->css_href) {
		put(p, "<link rel=\"stylesheet\" href=\"");
		esc(p, o->css_href);
		put(p, "\">\n");
	} else {
		putf(p, "<style>\n%s</style>\n", CSS);
	}
	putf(p, "</head><body class=\"receipt%s\">\n", a5 ? " paper-a5" : "");
}

static void facts(struct page *p, struct agent_store *s, const struct agent_case *c)
{
	struct agent_identity me;
	const cJSON *app = cJSON_GetObjectItemCaseSensitive(c->data, "applicant");
	const cJSON *fee = cJSON_GetObjectItemCaseSensitive(c->data, "fee_uah");
	char when[17], bd[11], phone[64] = "";
	int64_t ms = proto_datetime_ms(c->created_at);

	if (agent_identity_load(s, &me, NULL) != MO_OK)
		memset(&me, 0, sizeof(me));
	(void)agent_meta_get(s, "unit_phone", phone, sizeof(phone));
	put(p, "<table>\n");
	putf(p, "<tr><th>%s</th><td>", L(p, "Дата і час", "Date and time"));
	if (ms >= 0) {
		proto_time_kyiv(ms, when);
		esc(p, when);
	} else {
		esc(p, c->created_at);
	}
	putf(p, "</td></tr>\n<tr><th>%s</th><td>", L(p, "Заявник", "Applicant"));
	esc(p, jstr(app, "surname"));
	put(p, " ");
	esc(p, jstr(app, "given_name"));
	put(p, " ");
	esc(p, jstr(app, "patronymic"));
	proto_date_display(jstr(app, "birth_date"), bd);
	if (bd[0]) {
		put(p, ", ");
		esc(p, bd);
	}
	putf(p, "</td></tr>\n<tr><th>%s</th><td>", L(p, "Підрозділ", "Unit"));
	esc(p, me.unit_name[0] ? me.unit_name : me.unit);
	if (phone[0]) {
		putf(p, "</td></tr>\n<tr><th>%s</th><td>", L(p, "Телефон", "Phone"));
		esc(p, phone);
	}
	putf(p, "</td></tr>\n<tr><th>%s</th><td>", L(p, "Адміністратор", "Administrator"));
	esc(p, c->operator_name);
	putf(p, "</td></tr>\n<tr><th>%s</th><td>%lld %s</td></tr>\n</table>\n",
	     L(p, "Плата", "Fee"), cJSON_IsNumber(fee) ? (long long)fee->valuedouble : 0LL,
	     L(p, "грн", "UAH"));
}

static void services(struct page *p, struct agent_store *s, const struct agent_case *c)
{
	const cJSON *docs = cJSON_GetObjectItemCaseSensitive(c->data, "documents_presented"), *d;

	putf(p, "<h2>%s</h2>\n<ol>\n", L(p, "Послуги", "Services"));
	for (size_t i = 0; i < c->nsvc; i++) {
		struct agent_service svc;

		put(p, "<li>");
		if (agent_store_service_get(s, c->svc[i].code, &svc, NULL) == MO_OK) {
			esc(p, p->en && svc.title_en[0] ? svc.title_en : svc.title_uk);
			agent_service_release(&svc);
			put(p, " ");
		}
		put(p, "(");
		esc(p, c->svc[i].code);
		put(p, ")</li>\n");
	}
	put(p, "</ol>\n");
	if (cJSON_GetArraySize(docs) == 0)
		return;
	putf(p, "<h2>%s</h2>\n<ul>\n", L(p, "Прийняті документи", "Documents received"));
	cJSON_ArrayForEach(d, docs)
	{
		put(p, "<li>");
		esc(p, cJSON_GetStringValue(d));
		put(p, "</li>\n");
	}
	put(p, "</ul>\n");
}

int agent_receipt_render(struct agent_store *s, const char *key,
			 const struct agent_receipt_opts *o, struct mo_buf *out, struct mo_err *err)
{
	struct agent_case c;
	struct page p = {out, MO_OK, o->lang == AGENT_LANG_EN};
	char code[32], qr[1024];
	bool a5 = o->paper && strcmp(o->paper, "A5") == 0;
	int rc;

	if (o->paper && !a5 && strcmp(o->paper, "A4") != 0)
		return mo_err_set(err, MO_EINVAL, "bad_value", "paper %s", o->paper);
	if ((rc = agent_store_case_get(s, key, &c, err)) != MO_OK)
		return rc;
	status_qr(s, &c, code, qr, sizeof(qr));
	head(&p, &c, o, a5);
	putf(&p, "<div class=\"head\"><div><h1>%s</h1>\n<p>%s:<br><span class=\"num\">",
	     L(&p, "Розписка про прийняття заяви Центром надання адміністративних послуг",
	       "Receipt for an application to the Administrative Service Centre (CNAP)"),
	     L(&p, "Номер заяви", "Application number"));
	esc(&p, c.number);
	put(&p, "</span></p>");
	if (code[0]) {
		putf(&p, "<p>%s:<br><span class=\"num code\">",
		     L(&p, "Код для перевірки статусу", "Status code"));
		esc(&p, code);
		put(&p, "</span></p>");
	}
	put(&p, "</div>");
	qr_svg(&p, qr);
	put(&p, "</div>\n");
	facts(&p, s, &c);
	services(&p, s, &c);
	putf(&p, "<h2>%s</h2>\n", L(&p, "Як дізнатися результат", "How to learn the result"));
	if (code[0])
		putf(&p, "<p>%s</p>\n",
		     L(&p,
		       "Наведіть камеру телефону на QR-код або відкрийте сторінку «Статус заяви» "
		       "ЦНАП і введіть номер заяви та код для перевірки статусу.",
		       "Point a phone's camera at the QR code, or open the CNAP's \"Application "
		       "status\" page and enter the application number and the status code."));
	putf(&p, "<p>%s <b>",
	     L(&p, "Зателефонуйте або зверніться до ЦНАП і назвіть номер заяви",
	       "Call or visit the CNAP and give the application number"));
	esc(&p, c.number);
	putf(&p, "</b>. %s</p>\n",
	     L(&p, "Адміністратор також повідомить рішення під час наступного виїзду.",
	       "The administrator will also tell you the decision at the next visit."));
	putf(&p,
	     "<div class=\"signs\"><div class=\"sign\">%s</div><div class=\"sign\">%s</div></div>\n"
	     "</body></html>\n",
	     L(&p, "Підпис заявника", "Citizen's signature"),
	     L(&p, "Підпис адміністратора", "Administrator's signature"));
	agent_case_release(&c);
	if (p.rc != MO_OK)
		return mo_err_set(err, p.rc, NULL, "cannot build the receipt");
	return MO_OK;
}

/* the CLI's receipt: the same renderer, written to f */
int agent_receipt_write(struct agent_ctx *ctx, struct agent_store *s,
			const struct agent_identity *me, const struct agent_case *c,
			const char *paper, FILE *f, struct mo_err *err)
{
	struct agent_receipt_opts o = AGENT_RECEIPT_OPTS_INIT;
	struct mo_buf b = MO_BUF_INIT(4u << 20);
	int rc;

	(void)me;
	o.lang = ctx->lang;
	if (paper)
		o.paper = paper;
	if ((rc = agent_receipt_render(s, c->id, &o, &b, err)) == MO_OK &&
	    (fwrite(b.data, 1, b.len, f) != b.len || ferror(f)))
		rc = mo_err_set(err, MO_EIO, NULL, "cannot write the receipt");
	mo_buf_release(&b);
	return rc;
}
