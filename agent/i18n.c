/* i18n.c — the message table of mo-agent (i18n.h). */
#include "i18n.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
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
    {"messages_consent_phone", "для згоди на SMS-повідомлення потрібен телефон (--phone)",
     "consent to status messages needs a phone (--phone)"},
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
    {"bad_pin_format", "PIN має складатися з 4–12 цифр", "the PIN must be 4 to 12 digits"},
    {"bad_pin", "неправильне ім'я або PIN", "wrong name or PIN"},
    {"no_pin", "для оператора «%s» ще не задано PIN (mo-agent operator pin ІМ'Я --pin-file ФАЙЛ)",
     "operator '%s' has no PIN yet (mo-agent operator pin NAME --pin-file FILE)"},
    {"rate_limited", "забагато неправильних PIN; спробуйте через %s с",
     "too many wrong PINs; try again in %s s"},
    {"unknown_operator", "оператора «%s» не знайдено", "no such operator: '%s'"},
    {"visit_not_found", "заявку на виїзд не знайдено: %s (номер В-… або ідентифікатор; "
     "список: mo-agent visit list)",
     "no such visit request: %s (its В-… number or id; the list: mo-agent visit list)"},
    {"visit_cancelled", "заявку на виїзд %s скасовано: заяву з неї не записують",
     "visit request %s is cancelled: no application is recorded from it"},
    {"visit_date", "неправильна дата виїзду: «%s» (очікується ДД.ММ.РРРР)",
     "bad visit date: '%s' (expected DD.MM.YYYY)"},
    {"date_past", "дата виїзду вже минула: %s", "the visit date is in the past: %s"},
    {"reason_required", "вкажіть причину скасування (--reason)",
     "give the reason for cancelling (--reason)"},
    {"money_empty", "вкажіть суму, наприклад 250 або 250,50", "give an amount, e.g. 250 or 250.50"},
    {"money_negative", "сума не може бути від'ємною", "the amount cannot be negative"},
    {"money_format", "суму записано незрозуміло: пишіть як 250, 250,50 або 1 250,00",
     "the amount cannot be read: write it as 250, 250.50 or 1 250.00"},
    {"money_decimals", "у сумі щонайбільше два знаки після коми (копійки)",
     "at most two decimals (kopecks) in the amount"},
    {"money_too_big", "сума завелика", "the amount is too big"},
    {"money_zero", "сума має бути більшою за нуль", "the amount must be more than zero"},
    {"pay_amount", "сума однієї оплати — щонайбільше 10 000 000 грн",
     "one payment is at most 10 000 000 UAH"},
    {"pay_method", "спосіб оплати: cash (готівка), card (картка) або bank (переказ), а не «%s»",
     "the method is cash, card or bank, not '%s'"},
    {"pay_receipt", "номер квитанції — щонайбільше %s знаків, без недрукованих символів",
     "the receipt number is at most %s characters, nothing unprintable"},
    {"pay_time", "час оплати як 2026-12-02T10:15:00Z, а не «%s»",
     "the payment time as 2026-12-02T10:15:00Z, not '%s'"},
};

/* "requested → visited" (err->msg of illegal_visit_move) in words, with what to do */
static const char *visit_move_reason(enum agent_lang lang, const char *msg, char *buf, size_t len)
{
	char from[16] = "", to[16] = "";
	const char *arrow = strstr(msg, " → ");
	bool en = lang == AGENT_LANG_EN;
	const char *hint = "";

	if (arrow) {
		size_t n = (size_t)(arrow - msg);

		if (n < sizeof(from)) {
			memcpy(from, msg, n);
			from[n] = '\0';
		}
		mo_strlcpy(to, arrow + strlen(" → "), sizeof(to));
	}
	if (strcmp(from, "requested") == 0 && strcmp(to, "visited") == 0)
		hint = en ? " First schedule it: mo-agent visit schedule ID --date DD.MM.YYYY."
			  : " Спершу заплануйте: mo-agent visit schedule ID --date ДД.ММ.РРРР.";
	else if (strcmp(from, "visited") == 0 || strcmp(from, "cancelled") == 0)
		hint = en ? " The visit is closed; nothing more can change."
			  : " Виїзд закрито; змінити вже нічого не можна.";
	snprintf(buf, len,
		 en ? "a visit that is «%s» cannot become «%s».%s"
		    : "виїзд у стані «%s» не можна перевести в стан «%s».%s",
		 agent_visit_state_word(lang, from), agent_visit_state_word(lang, to), hint);
	return buf;
}

const char *agent_reason(enum agent_lang lang, const struct mo_err *err, char *buf, size_t len)
{
	if (strcmp(err->code, "illegal_visit_move") == 0)
		return visit_move_reason(lang, err->msg, buf, len);
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

static const struct reason FIELD_LABELS[] = {
    {"surname", "Прізвище", "Surname"},
    {"given_name", "Ім'я", "Given name"},
    {"patronymic", "По батькові", "Patronymic"},
    {"birth_date", "Дата народження", "Date of birth"},
    {"rnokpp", "РНОКПП", "RNOKPP (tax number)"},
    {"no_rnokpp", "Відмова від РНОКПП (відмітка в паспорті)",
     "Refused an RNOKPP (mark in the passport)"},
    {"phone", "Телефон", "Phone"},
    {"address", "Адреса", "Address"},
    {"documents", "Паспорт (серія та номер)", "Passport (series and number)"},
    {"documents_presented", "Подані документи", "Documents presented"},
    {"consent", "Згода на обробку персональних даних", "Consent to personal data processing"},
    {"messages_consent", "Згода на SMS-повідомлення про стан заяви",
     "Consent to SMS messages on the application's status"},
    {"services", "Послуги", "Services"},
    {"notes", "Примітки", "Notes"},
    {"fee_uah", "Сума збору", "Fee"},
    {"mobility", "Мобільність", "Mobility"},
    {"created_at", "Час створення", "Created at"},
    {"id", "Ідентифікатор", "Identifier"},
};

const char *agent_field_label(enum agent_lang lang, const char *field)
{
	for (size_t i = 0; field && i < sizeof(FIELD_LABELS) / sizeof(FIELD_LABELS[0]); i++)
		if (strcmp(field, FIELD_LABELS[i].code) == 0)
			return lang == AGENT_LANG_EN ? FIELD_LABELS[i].en : FIELD_LABELS[i].uk;
	return field ? field : "";
}

static const struct reason CHECK_TEXTS[] = {
    {"required", "Заповніть це поле.", "Fill in this field."},
    {"required_services", "Виберіть хоча б одну послугу.", "Choose at least one service."},
    {"text", "Приберіть недруковані символи; найбільше %s знаків.",
     "Remove unprintable characters; at most %s characters."},
    {"date", "Введіть справжню дату у вигляді 15.03.1948.",
     "Enter a real date as 15.03.1948."},
    {"date_future", "Дата народження не може бути пізнішою за сьогодні.",
     "The date of birth cannot be later than today."},
    {"rnokpp_length", "РНОКПП — це 10 цифр без пробілів.",
     "The RNOKPP is 10 digits without spaces."},
    {"rnokpp_check_digit",
     "Контрольна цифра не збігається: номер введено з помилкою, звірте з документом.",
     "The check digit does not match: the number is mistyped, compare it with the document."},
    {"rnokpp_birth_date", "Не збігається з РНОКПП: за номером дата народження — %s.",
     "Disagrees with the RNOKPP: the number encodes the date of birth %s."},
    {"rnokpp_refused",
     "Заявник відмовився від РНОКПП: номер не вводять (або зніміть позначку відмови).",
     "The applicant refused an RNOKPP: leave the number empty (or untick the refusal)."},
    {"passport_required",
     "Без РНОКПП вкажіть серію та номер паспорта з відміткою про відмову.",
     "Without an RNOKPP enter the series and number of the passport with the refusal mark."},
    {"phone", "Введіть український номер, наприклад +380 67 123 45 67 або 067 123 45 67.",
     "Enter a Ukrainian number, e.g. +380 67 123 45 67 or 067 123 45 67."},
    {"missing_consent", "Потрібна згода заявника на обробку персональних даних.",
     "The applicant's consent to personal data processing is needed."},
    {"messages_consent_phone", "Для SMS-повідомлень вкажіть телефон заявника.",
     "Status messages need the applicant's phone."},
    {"unknown_service", "Такої послуги немає в каталозі: %s.",
     "There is no such service in the catalogue: %s."},
    {"inactive_service", "Ця послуга зараз не надається: %s.",
     "This service is not offered now: %s."},
    {"too_many", "Забагато послуг в одній заяві (найбільше %s).",
     "Too many services in one application (at most %s)."},
    {"bad_document", "Для кожного документа потрібні вид і номер; дата видачі — як 15.03.1948.",
     "Every document needs a kind and a number; the issue date as 15.03.1948."},
    {"fee", "Сума збору не може бути від'ємною.", "The fee cannot be negative."},
    {"bad_field", "Неправильне значення.", "Wrong value."},
};

const char *agent_check_text(enum agent_lang lang, const char *code)
{
	for (size_t i = 0; code && i < sizeof(CHECK_TEXTS) / sizeof(CHECK_TEXTS[0]); i++)
		if (strcmp(code, CHECK_TEXTS[i].code) == 0)
			return lang == AGENT_LANG_EN ? CHECK_TEXTS[i].en : CHECK_TEXTS[i].uk;
	return NULL;
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

const char *agent_visit_state_word(enum agent_lang lang, const char *state)
{
	static const struct reason WORDS[] = {
	    {"requested", "очікує планування", "requested"},
	    {"scheduled", "заплановано", "scheduled"},
	    {"visited", "відвідано", "visited"},
	    {"cancelled", "скасовано", "cancelled"},
	};

	for (size_t i = 0; state && i < sizeof(WORDS) / sizeof(WORDS[0]); i++)
		if (strcmp(state, WORDS[i].code) == 0)
			return lang == AGENT_LANG_EN ? WORDS[i].en : WORDS[i].uk;
	return state ? state : "";
}
