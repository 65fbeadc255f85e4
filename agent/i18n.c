/* i18n.c — the message table of mo-agent (i18n.h). */
#include "i18n.h"

#include <stdarg.h>
#include <string.h>

#include "mo_util.h"

struct msg {
	const char *uk, *en;
};

static const struct msg MESSAGES[MSG_COUNT] = {
#define AGENT_MSG_ROW(id, uk, en) [MSG_##id] = {uk, en},
    AGENT_MESSAGES(AGENT_MSG_ROW)
#undef AGENT_MSG_ROW
};

const char *agent_msg(enum agent_lang lang, enum agent_msg_id id)
{
	if ((int)id < 0 || id >= MSG_COUNT)
		return "?";
	return lang == AGENT_LANG_EN ? MESSAGES[id].en : MESSAGES[id].uk;
}

void agent_say(const struct agent_ctx *ctx, FILE *f, enum agent_msg_id id, ...)
{
	va_list ap;

	if (ctx->quiet && f == stdout)
		return;
	va_start(ap, id);
	vfprintf(f, agent_msg(ctx->lang, id), ap);
	va_end(ap);
	fputc('\n', f);
}

/*
 * Reasons by code.  A "%s" is replaced by err->msg, which for the agent's own
 * checks is the name of the field (case.c sets it that way).
 */
struct reason {
	const char *code, *uk, *en;
};

static const struct reason REASONS[] = {
    {"required", "не заповнено обов'язкове поле «%s»", "the field '%s' is required"},
    {"missing_consent", "немає згоди на обробку персональних даних (--consent)",
     "no consent to the processing of personal data (--consent)"},
    {"unknown_service", "невідома послуга: %s", "unknown service: %s"},
    {"inactive_service", "послуга недоступна: %s", "service not available: %s"},
    {"too_many", "забагато значень у полі «%s»", "too many values in '%s'"},
    {"rnokpp_length", "РНОКПП має складатися з 10 цифр", "the RNOKPP must be 10 digits"},
    {"rnokpp_check_digit", "РНОКПП: неправильна контрольна цифра", "RNOKPP: wrong check digit"},
    {"rnokpp_birth_date", "дата народження не збігається з РНОКПП",
     "the birth date disagrees with the RNOKPP"},
    {"phone", "неправильний номер телефону (очікується +380XXXXXXXXX)",
     "bad phone number (expected +380XXXXXXXXX)"},
    {"date", "неправильна дата у полі «%s» (РРРР-ММ-ДД)", "bad date in '%s' (YYYY-MM-DD)"},
    {"bad_field", "неправильне значення поля «%s»", "bad value of '%s'"},
    {"bad_kind", "невідомий вид виїзду: %s", "unknown trip kind: %s"},
    {"case_not_found", "заяву не знайдено: %s", "no such application: %s"},
    {"illegal_transition", "таку зміну статусу не дозволено: %s",
     "this status change is not allowed: %s"},
    {"not_editable", "заяву в цьому статусі змінювати не можна: %s",
     "an application in this status cannot be edited: %s"},
    {"bad_json", "рядок не є правильним JSON", "the line is not valid JSON"},
    {"bad_value", "неправильне значення: %s", "bad value: %s"},
    {"missing_field", "бракує поля: %s", "missing field: %s"},
    {"unknown_field", "невідоме поле: %s", "unknown field: %s"},
    {"file", "не вдалося прочитати файл: %s", "cannot read the file: %s"},
    {"score", "оцінка має бути від 1 до 5", "the score must be from 1 to 5"},
    {"insecure_http",
     "адреса центру без шифрування (http://): дані не надіслано; потрібна адреса https:// "
     "(або --insecure-http, якщо мережа захищена іншим способом)",
     "the hub address is not encrypted (http://): nothing was sent; use an https:// address "
     "(or --insecure-http if the network is protected otherwise)"},
    {"ca_file", "файл сертифіката центру не підходить: %s",
     "the hub certificate file is not usable: %s"},
};

const char *agent_reason(enum agent_lang lang, const struct mo_err *err, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(REASONS) / sizeof(REASONS[0]); i++) {
		if (strcmp(err->code, REASONS[i].code) != 0)
			continue;
		const char *fmt = lang == AGENT_LANG_EN ? REASONS[i].en : REASONS[i].uk;

		if (strstr(fmt, "%s"))
			snprintf(buf, len, fmt, err->msg);
		else
			mo_strlcpy(buf, fmt, len);
		return buf;
	}
	mo_strlcpy(buf, err->msg[0] ? err->msg : mo_strerror(err->rc), len);
	return buf;
}

const char *agent_status_word(enum agent_lang lang, const char *status)
{
	static const struct reason WORDS[] = {
	    {"draft", "чернетка", "draft"},
	    {"submitted", "подано", "submitted"},
	    {"received", "отримано центром", "received"},
	    {"in_review", "на розгляді", "in review"},
	    {"approved", "погоджено", "approved"},
	    {"issued", "видано", "issued"},
	    {"rejected", "відмовлено", "rejected"},
	    {"needs_info", "потрібні документи", "needs information"},
	    {"cancelled", "скасовано", "cancelled"},
	};

	for (size_t i = 0; i < sizeof(WORDS) / sizeof(WORDS[0]); i++)
		if (strcmp(status, WORDS[i].code) == 0)
			return lang == AGENT_LANG_EN ? WORDS[i].en : WORDS[i].uk;
	return status;
}
