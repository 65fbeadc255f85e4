/* words.c — the hub's codes in words and the CLI's messages (words.h). */
#include "words.h"

#include <string.h>
#include <strings.h>

#include "mo_util.h"

/* clang-format off */
static const struct hub_word STATUSES[] = {
    {"draft", "чернетка", "draft"},
    {"submitted", "подано", "submitted"},
    {"received", "отримано центром", "received"},
    {"in_review", "на розгляді", "in review"},
    {"approved", "погоджено", "approved"},
    {"issued", "видано", "issued"},
    {"rejected", "відмовлено", "rejected"},
    {"needs_info", "потрібні документи", "needs documents"},
    {"cancelled", "скасовано", "cancelled"},
};

/* the same statuses told to a citizen (the public status lookup, public.c) */
static const struct hub_word CITIZEN_STATUSES[] = {
    {"draft", "Заяву ще не подано", "Not submitted yet"},
    {"submitted", "Заяву прийнято, її передають до ЦНАП", "Accepted, on its way to the CNAP"},
    {"received", "Заяву отримано ЦНАП", "Received by the CNAP"},
    {"in_review", "Заява на розгляді", "Under review"},
    {"approved", "Рішення позитивне", "Approved"},
    {"issued", "Результат видано", "Result handed over"},
    {"rejected", "Відмовлено", "Refused"},
    {"needs_info", "Потрібні додаткові документи: зверніться до ЦНАП",
     "More documents are needed: please contact the CNAP"},
    {"cancelled", "Заяву скасовано", "Cancelled"},
};

/* the categories of schema/catalogue.json */
static const struct hub_word CATEGORIES[] = {
    {"business", "підприємництво", "business"},
    {"certificates", "довідки", "certificates"},
    {"civil", "реєстрація актів цивільного стану", "civil registration"},
    {"health", "охорона здоров'я", "health"},
    {"land", "земельні питання", "land"},
    {"passport", "паспортні послуги", "passports"},
    {"pension", "пенсії", "pensions"},
    {"permits", "дозволи", "permits"},
    {"property", "нерухомість", "property"},
    {"residence", "місце проживання", "place of residence"},
    {"social", "соціальний захист", "social protection"},
    {"tax", "податки", "tax"},
    {"vehicle", "транспортні засоби", "vehicles"},
};

static const struct hub_word UNIT_KINDS[] = {
    {"office", "офіс ЦНАП", "CNAP office"},
    {"case", "мобільний кейс", "mobile case"},
    {"truck", "мобільний офіс (вантажівка)", "mobile office (lorry)"},
    {"bus", "мобільний офіс (автобус)", "mobile office (bus)"},
};

static const struct hub_word TRIP_KINDS[] = {
    {"home-visit", "виїзд додому (мобільний кейс)", "home visit (mobile case)"},
    {"village-stop", "зупинка в селі", "village stop"},
    {"idp-settlement", "поселення ВПО", "IDP settlement"},
    {"office-day", "день в офісі", "office day"},
    {"other", "інше", "other"},
};

/* every action string the hub writes to the audit log */
static const struct hub_word AUDIT_ACTIONS[] = {
    {"decision", "рішення", "decision"},
    {"comment", "коментар", "comment"},
    {"assign", "призначення заяви", "assignment"},
    {"export", "експорт заяв", "export"},
    {"device.revoke", "відкликання ноутбука", "laptop revoked"},
    {"enroll-token", "токен підключення ноутбука", "enrolment token"},
    {"unit.add", "новий підрозділ", "unit added"},
    {"user.add", "новий користувач", "user added"},
    {"user.disable", "вимкнення користувача", "user disabled"},
    {"user.enable", "увімкнення користувача", "user enabled"},
    {"user.password", "зміна пароля", "password changed"},
    {"user.role", "зміна ролі", "role changed"},
    {"visit.add", "новий виїзд", "home visit requested"},
    {"visit.cancel", "скасування виїзду", "home visit cancelled"},
    {"visit.assign", "виїзд передано підрозділу", "home visit given to a unit"},
    {"visit.edit", "зміна виїзду", "home visit edited"},
    {"catalogue.set", "зміна каталогу послуг", "service catalogue changed"},
};

/* the states of a home-visit request (proto/status.h) */
static const struct hub_word VISIT_STATES[] = {
    {"requested", "замовлено", "requested"},
    {"scheduled", "заплановано", "scheduled"},
    {"visited", "виїзд здійснено", "visited"},
    {"cancelled", "скасовано", "cancelled"},
};

/* applicant.mobility of a case and a visit request: the codes the field UI
 * offers (a laptop may send its own text, shown as it is) */
static const struct hub_word MOBILITY[] = {
    {"bedridden", "лежача людина", "bedridden"},
    {"wheelchair", "пересувається на візку", "wheelchair user"},
    {"limited", "обмежена мобільність", "limited mobility"},
    {"blind", "незряча людина", "blind"},
    {"deaf", "нечуюча людина", "deaf"},
    {"elderly", "людина похилого віку", "elderly"},
};

/* the fields of a case as the history of edits names them */
static const struct hub_word FIELDS[] = {
    {"applicant.surname", "Прізвище", "Surname"},
    {"applicant.given_name", "Ім'я", "Given name"},
    {"applicant.patronymic", "По батькові", "Patronymic"},
    {"applicant.birth_date", "Дата народження", "Date of birth"},
    {"applicant.rnokpp", "РНОКПП", "RNOKPP"},
    {"applicant.no_rnokpp", "Відмова від РНОКПП", "No RNOKPP (refused)"},
    {"applicant.phone", "Телефон", "Phone"},
    {"applicant.mobility", "Мобільність", "Mobility"},
    {"applicant.documents", "Документи", "Documents"},
    {"applicant.address", "Адреса", "Address"},
    {"applicant.address.region", "Область", "Region"},
    {"applicant.address.hromada", "Громада", "Hromada"},
    {"applicant.address.settlement", "Населений пункт", "Settlement"},
    {"applicant.address.postcode", "Поштовий індекс", "Postcode"},
    {"applicant.address.street", "Вулиця", "Street"},
    {"applicant.address.house", "Будинок", "House"},
    {"applicant.address.apartment", "Квартира", "Apartment"},
    {"applicant.address.text", "Адреса", "Address"},
    {"services", "Послуги", "Services"},
    {"package", "Пакет послуг", "Package"},
    {"documents_presented", "Пред'явлені документи", "Documents presented"},
    {"consent", "Згода на обробку даних", "Consent to data processing"},
    {"messages_consent", "Згода на SMS про стан", "Consent to status SMS"},
    {"fee_uah", "Вартість, грн", "Fee, UAH"},
    {"notes", "Примітки", "Notes"},
    {"channel", "Канал", "Channel"},
    {"visit", "Запит на виїзд", "Visit request"},
};

/* applicant documents (documents[].type) and scanned attachments (kind) */
static const struct hub_word DOCUMENTS[] = {
    {"passport", "паспорт", "passport"},
    {"id_card", "ID-картка", "ID card"},
    {"foreign_passport", "закордонний паспорт", "passport for travel abroad"},
    {"birth_certificate", "свідоцтво про народження", "birth certificate"},
    {"residence_permit", "посвідка на проживання", "residence permit"},
    {"idp_certificate", "довідка ВПО", "IDP certificate"},
    {"pension_certificate", "пенсійне посвідчення", "pension certificate"},
    {"disability_certificate", "довідка про інвалідність", "disability certificate"},
    {"military_id", "військовий квиток", "military ID"},
    {"driver_license", "посвідчення водія", "driving licence"},
    {"rnokpp", "картка РНОКПП", "RNOKPP card"},
    {"application", "заява", "application form"},
    {"photo", "фото", "photo"},
    {"other", "інший документ", "other document"},
};

/* the columns of GET /api/export.csv */
static const struct hub_word COLUMNS[] = {
    {"number", "Номер", "Number"},
    {"status", "Статус", "Status"},
    {"unit", "Підрозділ", "Unit"},
    {"created_at", "Створено", "Created"},
    {"surname", "Прізвище", "Surname"},
    {"given_name", "Ім'я", "Given name"},
    {"patronymic", "По батькові", "Patronymic"},
    {"rnokpp", "РНОКПП", "RNOKPP"},
    {"services", "Послуги", "Services"},
    {"package", "Пакет", "Package"},
    {"fee_uah", "Збір, грн", "Fee, UAH"},
    {"trip", "Виїзд", "Trip"},
    {"settlement", "Населений пункт", "Settlement"},
    {"operator", "Адміністратор", "Administrator"},
    {"applicant", "Заявник", "Applicant"},
    {"phone", "Телефон", "Phone"},
    {"service_statuses", "Послуги та їх статуси", "Services and their statuses"},
    {"decision_reason", "Причина рішення", "Decision reason"},
    {"decided_at", "Дата рішення", "Decision date"},
    {"received_at", "Отримано центром", "Received"},
    {"created_local", "Створено (київський час)", "Created (Kyiv time)"},
};

/* the kinds of a case's history entries (history.h) */
static const struct hub_word HISTORY[] = {
    {"created", "створено на ноутбуці", "created on the laptop"},
    {"arrived", "отримано центром", "received by the hub"},
    {"transition", "зміна статусу", "status change"},
    {"edited", "зміна на ноутбуці", "edited on the laptop"},
    {"comment", "коментар", "comment"},
    {"assigned", "призначення", "assignment"},
    {"attachment", "скан документа", "scanned document"},
    {"rating", "оцінка", "rating"},
};

/* the report's workbook (GET /api/reports/summary.xlsx): sheets, headers */
static const struct hub_word REPORT[] = {
    {"sheet_summary", "Підсумок", "Summary"},
    {"sheet_services", "Послуги за видами", "Services by kind"},
    {"sheet_categories", "Послуги за категоріями", "Services by category"},
    {"sheet_units", "За підрозділами", "Per unit"},
    {"sheet_trips", "За виїздами", "Per trip"},
    {"sheet_months", "За місяцями", "Per month"},
    {"sheet_unit_kinds", "За типами підрозділів", "Per kind of unit"},
    {"indicator", "Показник", "Indicator"},
    {"value", "Значення", "Value"},
    {"applications", "Заяв", "Applications"},
    {"citizens", "Громадян обслуговано", "Citizens served"},
    {"services_total", "Послуг", "Services"},
    {"refusal_rate", "Частка відмов, %", "Refusal rate, %"},
    {"avg_hours_to_decision", "Сер. час до рішення, год", "Avg hours to decision"},
    {"status_lookups", "Перевірок стану за квитанцією", "Status lookups by receipt"},
    {"rating_average", "Сер. оцінка", "Avg rating"},
    {"decisions", "Рішення за видами", "Decisions by kind"},
    {"pending", "очікують", "pending"},
    {"code", "Код", "Code"},
    {"service", "Послуга", "Service"},
    {"count", "Кількість", "Count"},
    {"category", "Категорія", "Category"},
    {"unit", "Підрозділ", "Unit"},
    {"name", "Назва", "Name"},
    {"date", "Дата", "Date"},
    {"settlement", "Населений пункт", "Settlement"},
    {"month", "Місяць", "Month"},
    {"unit_kind", "Тип підрозділу", "Kind of unit"},
    {"units", "Підрозділів", "Units"},
    {"trips", "Виїздів", "Trips"},
    {"citizens_with_disabilities", "з них з обмеженою мобільністю",
     "of them with limited mobility"},
    {"services", "Послуг", "Services"},
    {"package_applications", "Заяв на пакетні послуги", "Package applications"},
    {"refusals", "Відмов (послуг)", "Refusals (services)"},
};

/* the error codes staff meet (docs/api.md "Status codes"), in plain words */
static const struct hub_word ERRORS[] = {
    {"bad_request", "Центр не прийняв запит: дані неповні або неправильні.",
     "The hub did not accept the request: data missing or wrong."},
    {"bad_value", "Неправильне значення.", "A value is wrong."},
    {"missing_field", "Бракує обов'язкових даних.", "Required data is missing."},
    {"unauthenticated", "Ви не увійшли або сеанс завершився. Увійдіть знову.",
     "You are not signed in or the session has ended. Please sign in again."},
    {"bad_login", "Неправильний логін або пароль.", "Wrong login or password."},
    {"csrf", "Сторінка застаріла. Оновіть сторінку й повторіть.",
     "The page is out of date. Reload it and try again."},
    {"cross_site", "Увійти можна лише зі сторінки цього центру.",
     "Sign in only from this hub's own page."},
    {"bad_content_type", "Увійти можна лише зі сторінки цього центру.",
     "Sign in only from this hub's own page."},
    {"forbidden", "Ваша роль не дозволяє цієї дії.", "Your role does not allow this."},
    {"not_found", "Такої заяви, послуги чи запису немає.",
     "There is no such application, service or record."},
    {"method_not_allowed", "Така дія тут неможлива.", "This action is not possible here."},
    {"illegal_transition", "Такої зміни статусу не дозволено.",
     "This status change is not allowed."},
    {"conflict", "Такий запис уже є або його щойно змінено.",
     "Such a record already exists or has just been changed."},
    {"last_admin", "Це останній активний адміністратор: спершу додайте чи увімкніть іншого.",
     "This is the last active admin: add or enable another first."},
    {"too_large", "Забагато даних за один раз: звузьте вибірку.",
     "Too much data at once: narrow the selection."},
    {"missing_reason", "Для відмови чи запиту документів потрібна причина.",
     "A reason is required to reject or to request documents."},
    {"text", "Текст задовгий або містить недруковані символи.",
     "The text is too long or holds unprintable characters."},
    {"rate_limited", "Забагато спроб. Зачекайте й спробуйте знову.",
     "Too many attempts. Wait and try again."},
    {"busy", "Центр зараз зайнятий. Спробуйте ще раз за хвилину.",
     "The hub is busy. Try again in a minute."},
    {"over_quota", "Вичерпано місце для документів цього ноутбука.",
     "This laptop's space for documents is used up."},
    {"bad_token", "Токен неправильний, уже використаний або прострочений.",
     "The token is wrong, already used or expired."},
    {"device_revoked", "Цей ноутбук відкликано.", "This laptop has been revoked."},
    {"unknown_device", "Ноутбук не зареєстровано в цьому центрі.",
     "The laptop is not enrolled at this hub."},
    {"visit_reason", "Для скасування виїзду потрібна причина.",
     "A reason is required to cancel a home visit."},
    {"visit_not_requested", "Виїзд уже заплановано або закрито: підрозділ змінити не можна.",
     "The home visit is already scheduled or closed: its unit cannot change."},
    {"no_hub", "У цій теці немає центру: спершу створіть його (mo-hub init).",
     "There is no hub in this directory: create it first (mo-hub init)."},
    {"backup_exists", "Файл копії вже існує: оберіть нове ім'я (наявний файл не перезаписується).",
     "The backup file already exists: choose a new name (an existing file is never overwritten)."},
    {"schema_newer",
     "База даних новіша за цю програму mo-hub: оновіть mo-hub до версії, що її створила.",
     "The database is newer than this mo-hub: upgrade mo-hub to the version that made it."},
    {"bank_columns", "У виписці бракує стовпців: потрібні date, amount, purpose та id.",
     "The statement lacks columns: date, amount, purpose and id are needed."},
    {"bank_too_big", "Виписка завелика (понад 8 МіБ).", "The statement is too big (over 8 MiB)."},
    {"bank_empty", "Виписка порожня: немає рядка заголовків.",
     "The statement is empty: no header line."},
    {"internal", "Внутрішня помилка центру. Спробуйте ще раз або зверніться до адміністратора.",
     "An internal error of the hub. Try again or ask the administrator."},
};
/* payments (payments.c): methods, what an imported bank row became, and why
 * a row was refused */
static const struct hub_word PAYMENT_WORDS[] = {
    {"cash", "готівка", "cash"},
    {"card", "картка", "card"},
    {"bank", "банківський переказ", "bank transfer"},
    {"matched", "зараховано до заяви", "matched to a case"},
    {"unmatched", "заяву не знайдено", "no case found"},
    {"skipped", "уже імпортовано", "already imported"},
    {"bad", "помилка в рядку", "bad line"},
    {"bank_seen", "цю операцію банку вже імпортовано", "this bank transaction was imported before"},
    {"bank_fields", "у рядку бракує полів", "the line has too few fields"},
    {"bank_no_id", "немає ідентифікатора операції (id)", "no transaction id"},
    {"bank_id_long", "ідентифікатор операції задовгий", "the transaction id is too long"},
    {"bank_bad_id", "недопустимі символи в ідентифікаторі операції",
     "the transaction id holds characters it may not"},
    {"bank_date", "неправильна дата (потрібно 02.12.2026 або 2026-12-02)",
     "a wrong date (02.12.2026 or 2026-12-02)"},
    {"bank_purpose_long", "призначення платежу задовге", "the purpose is too long"},
    {"bank_purpose_text", "недопустимі символи в призначенні платежу",
     "the purpose holds characters it may not"},
    {"money_empty", "суму не вказано", "no amount"},
    {"money_negative", "сума від'ємна", "a negative amount"},
    {"money_format", "сума записана незрозуміло", "the amount cannot be read"},
    {"money_decimals", "у сумі більше двох знаків після коми", "more than two decimals"},
    {"money_too_big", "сума завелика", "the amount is too big"},
    {"money_zero", "сума нульова", "the amount is zero"},
    {"csv_quote", "лапки не закрито або текст після лапок", "an unclosed quote or text after one"},
    {"csv_line_long", "рядок задовгий", "the line is too long"},
    {"csv_field_long", "поле задовге", "a field is too long"},
    {"csv_fields", "забагато полів", "too many fields"},
    {"csv_nul", "нульовий байт у рядку", "a NUL byte in the line"},
};
/* clang-format on */

#define ROWS(a) (a), sizeof(a) / sizeof((a)[0])

static const struct {
	const char *key;
	const struct hub_word *rows;
	size_t n;
} KINDS[HUB_W_KINDS] = {
    [HUB_W_STATUS] = {"statuses", ROWS(STATUSES)},
    [HUB_W_CATEGORY] = {"categories", ROWS(CATEGORIES)},
    [HUB_W_UNIT_KIND] = {"unit_kinds", ROWS(UNIT_KINDS)},
    [HUB_W_TRIP_KIND] = {"trip_kinds", ROWS(TRIP_KINDS)},
    [HUB_W_AUDIT] = {"audit_actions", ROWS(AUDIT_ACTIONS)},
    [HUB_W_DOCUMENT] = {"documents", ROWS(DOCUMENTS)},
    [HUB_W_COLUMN] = {"columns", ROWS(COLUMNS)},
    [HUB_W_ERROR] = {"errors", ROWS(ERRORS)},
    [HUB_W_CITIZEN_STATUS] = {"citizen_statuses", ROWS(CITIZEN_STATUSES)},
    [HUB_W_VISIT_STATE] = {"visit_states", ROWS(VISIT_STATES)},
    [HUB_W_PAYMENT] = {"payments", ROWS(PAYMENT_WORDS)},
    [HUB_W_MOBILITY] = {"mobility", ROWS(MOBILITY)},
    [HUB_W_FIELD] = {"fields", ROWS(FIELDS)},
    [HUB_W_REPORT] = {"report", ROWS(REPORT)},
    [HUB_W_HISTORY] = {"history_kinds", ROWS(HISTORY)},
};

enum hub_lang hub_lang_parse(const char *s)
{
	return s && strncasecmp(s, "en", 2) == 0 &&
		       (s[2] == '\0' || s[2] == '-' || s[2] == '_' || s[2] == '.')
		   ? HUB_LANG_EN
		   : HUB_LANG_UK;
}

const char *hub_lang_code(enum hub_lang lang)
{
	return lang == HUB_LANG_EN ? "en" : "uk";
}

const struct hub_word *hub_words(enum hub_words_kind kind, size_t *n)
{
	if ((int)kind < 0 || kind >= HUB_W_KINDS) {
		*n = 0;
		return NULL;
	}
	*n = KINDS[kind].n;
	return KINDS[kind].rows;
}

const char *hub_words_key(enum hub_words_kind kind)
{
	return (int)kind < 0 || kind >= HUB_W_KINDS ? "?" : KINDS[kind].key;
}

const char *hub_word(enum hub_lang lang, enum hub_words_kind kind, const char *code)
{
	size_t n;
	const struct hub_word *w = hub_words(kind, &n);

	for (size_t i = 0; code && i < n; i++)
		if (strcmp(w[i].code, code) == 0)
			return lang == HUB_LANG_EN ? w[i].en : w[i].uk;
	return NULL;
}

const char *hub_word_or(enum hub_lang lang, enum hub_words_kind kind, const char *code)
{
	const char *w = hub_word(lang, kind, code);

	return w ? w : code ? code : "";
}

cJSON *hub_words_json(enum hub_lang lang)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || cJSON_AddStringToObject(o, "lang", hub_lang_code(lang)) == NULL)
		goto oom;
	for (int k = 0; k < HUB_W_KINDS; k++) {
		cJSON *m = cJSON_AddObjectToObject(o, KINDS[k].key);

		if (m == NULL)
			goto oom;
		for (size_t i = 0; i < KINDS[k].n; i++) {
			const struct hub_word *w = &KINDS[k].rows[i];

			if (cJSON_AddStringToObject(m, w->code,
						    lang == HUB_LANG_EN ? w->en : w->uk) == NULL)
				goto oom;
		}
	}
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

/* ---- the CLI's messages and errors ---- */

static const struct hub_word MESSAGES[HUB_MSG_COUNT] = {
#define HUB_MSG_ROW(id, uk, en) [HUB_MSG_##id] = {#id, uk, en},
    HUB_MESSAGES(HUB_MSG_ROW)
#undef HUB_MSG_ROW
};

const char *hub_msg(enum hub_lang lang, enum hub_msg_id id)
{
	if ((int)id < 0 || id >= HUB_MSG_COUNT)
		return "?";
	return lang == HUB_LANG_EN ? MESSAGES[id].en : MESSAGES[id].uk;
}

/*
 * "<who> cannot move from <from> to <to>" (hub/apply.c) → the two statuses;
 * false when the detail is not of that shape or names an unknown status.
 */
static bool moved_statuses(const char *msg, char *from, char *to, size_t len)
{
	static const char mark[] = " cannot move from ";
	const char *p = strstr(msg, mark), *sp;
	size_t n;

	if (p == NULL)
		return false;
	p += sizeof(mark) - 1;
	if ((sp = strstr(p, " to ")) == NULL || (n = (size_t)(sp - p)) == 0 || n >= len ||
	    strlen(sp + 4) >= len)
		return false;
	memcpy(from, p, n);
	from[n] = '\0';
	mo_strlcpy(to, sp + 4, len);
	return hub_word(HUB_LANG_UK, HUB_W_STATUS, from) && hub_word(HUB_LANG_UK, HUB_W_STATUS, to);
}

static const char *plain_words(enum hub_lang lang, const struct mo_err *err, char *buf, size_t len)
{
	const char *w = hub_word(lang, HUB_W_ERROR, err->code);
	char from[32], to[32];

	if (w && strcmp(err->code, "illegal_transition") == 0 &&
	    moved_statuses(err->msg, from, to, sizeof(from))) {
		snprintf(buf, len,
			 lang == HUB_LANG_EN ? "The status cannot change from “%s” to “%s”."
					     : "Статус не можна змінити з «%s» на «%s».",
			 hub_word(lang, HUB_W_STATUS, from), hub_word(lang, HUB_W_STATUS, to));
		return buf;
	}
	return w;
}

const char *hub_err_words(enum hub_lang lang, const struct mo_err *err, char *buf, size_t len)
{
	const char *w = plain_words(lang, err, buf, len);

	if (w == NULL)
		w = hub_word(lang, HUB_W_ERROR, err->rc == MO_EBUSY ? "busy" : "internal");
	if (w != buf)
		mo_strlcpy(buf, w, len);
	return buf;
}

const char *hub_err_text(enum hub_lang lang, const struct mo_err *err, char *buf, size_t len)
{
	char words[512];
	const char *w = plain_words(lang, err, words, sizeof(words));
	const char *detail = err->msg[0] ? err->msg : mo_strerror(err->rc);

	if (w)
		snprintf(buf, len, "%s (%s)", w, detail);
	else
		mo_strlcpy(buf, detail, len);
	return buf;
}
