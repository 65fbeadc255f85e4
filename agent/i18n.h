/*
 * i18n.h — the messages mo-agent shows to people, in Ukrainian (default) and
 * English (--lang en or MO_LANG=en), in one table keyed by message id.
 *
 * Data printed for scripts (--json) is never translated; only messages.
 * Validation reasons from proto (err->code such as "rnokpp_check_digit")
 * are translated by agent_reason().
 */
#ifndef AGENT_I18N_H
#define AGENT_I18N_H

#include <stdio.h>

#include "agent.h"
#include "mo_err.h"

#define AGENT_MESSAGES(X)                                                                                                                                             \
	X(ERROR, "помилка", "error")                                                                                                                                  \
	X(WARNING, "попередження", "warning")                                                                                                                         \
	X(NOT_ENROLLED,                                                                                                                                               \
	  "Ноутбук ще не зареєстровано в центрі. Виконайте: mo-agent enroll --hub URL --token "                               \
	  "ТОКЕН --operator \"Ім'я Прізвище\"",                                                                                                                       \
	  "This laptop is not enrolled yet. Run: mo-agent enroll --hub URL --token TOKEN "                                                                            \
	  "--operator \"Name Surname\"")                                                                                                                              \
	X(ALREADY_ENROLLED,                                                                                                                                           \
	  "Ноутбук уже зареєстровано (пристрій %s). Для повторної реєстрації використайте нову " \
	  "теку даних (--data).",                                                                                                                                     \
	  "This laptop is already enrolled (device %s). To enrol again use a new data directory "                                                                     \
	  "(--data).")                                                                                                                                                \
	X(ENROLLED, "Ноутбук зареєстровано: пристрій %s, підрозділ %s (%s), оператор %s.",                                                                            \
	  "Enrolled: device %s, unit %s (%s), operator %s.")                                                                                                          \
	X(ENROLL_NO_PULL, "Каталог послуг буде отримано під час наступної синхронізації.",                                                                            \
	  "The service catalogue will arrive with the next sync.")                                                                                                    \
	X(NETWORK,                                                                                                                                                    \
	  "Немає зв'язку з центром (%s). Усі дані збережено на ноутбуці; повторіть "                            \
	  "синхронізацію, коли з'явиться зв'язок.",                                                                                                                   \
	  "Cannot reach the hub (%s). Everything is kept on this laptop; run sync again when "                                                                        \
	  "there is a connection.")                                                                                                                                   \
	X(REVOKED,                                                                                                                                                    \
	  "Цей ноутбук відкликано в центрі: синхронізація заборонена. Дані на ноутбуці "              \
	  "збережено. Зверніться до адміністратора системи.",                                                                                                         \
	  "This laptop has been revoked at the hub: syncing is refused. The data on this laptop "                                                                     \
	  "is kept. Contact your system administrator.")                                                                                                              \
	X(CLOCK_SKEW,                                                                                                                                                 \
	  "Годинник ноутбука показує неправильний час (забігає вперед). Виправте дату й час у "   \
	  "налаштуваннях і повторіть синхронізацію. Усі дані збережено.",                                                                                             \
	  "The laptop's clock is wrong (ahead of the hub). Fix the date and time in the system "                                                                      \
	  "settings and sync again. Everything is kept.")                                                                                                             \
	X(OVER_QUOTA,                                                                          \
	  "Центр не приймає більше документів від цього ноутбука, доки надіслані не "        \
	  "потраплять у заяви (ліміт місця). Синхронізуйте заяви, потім повторіть. Усі дані "  \
	  "збережено.",                                                                        \
	  "The hub takes no more documents from this laptop until those sent are part of "     \
	  "applications (a storage limit). Sync the applications, then try again. Everything " \
	  "is kept.")                                                                          \
	X(CLOCK_RESET,                                                                         \
	  "Годинник ноутбука раніше забігав уперед. Зміни, записані тоді, надіслано з "        \
	  "виправленим часом. Стежте, щоб дата й час на ноутбуці були правильні.",             \
	  "The laptop's clock was ahead earlier. Changes recorded then were sent with the "    \
	  "corrected time. Keep the laptop's date and time right.")                            \
	X(FORKED,                                                                              \
	  "Конфлікт із центром (seq_conflict): ноутбук, схоже, відновлено з резервної копії. " \
	  "Центр нічого з цього не застосував; усі дані на ноутбуці збережено. Попросіть "     \
	  "адміністратора про новий токен і виконайте: mo-agent enroll --again --hub URL "     \
	  "--token ТОКЕН (докладно: docs/recovery.md).",                                       \
	  "Conflict with the hub (seq_conflict): this laptop was probably restored from a "    \
	  "backup. The hub applied nothing of it; everything on this laptop is kept. Ask the " \
	  "administrator for a new token and run: mo-agent enroll --again --hub URL --token "  \
	  "TOKEN (details: docs/recovery.md).")                                                \
	X(RECOVERED,                                                                           \
	  "Ноутбук зареєстровано знову як пристрій %s. Непідтверджені зміни (%lld) буде "      \
	  "надіслано під час синхронізації.",                                                  \
	  "The laptop is enrolled again as device %s. Its unacknowledged changes (%lld) will " \
	  "be sent with the next sync.")                                                       \
	X(REISSUE,                                                                             \
	  "Заяву %s перенумеровано: %s. Видайте заявнику нову розписку: mo-agent receipt %s",  \
	  "Application %s renumbered: %s. Give the applicant a new receipt: mo-agent receipt %s") \
	X(REFUSED, "Центр відхилив запит: %s (%s). Дані на ноутбуці збережено.",                                                                                      \
	  "The hub refused the request: %s (%s). The data on this laptop is kept.")                                                                                   \
	X(BAD_TOKEN, "Токен реєстрації не прийнято: він неправильний, уже використаний або прострочений. Попросіть адміністратора видати новий.", \
	  "The enrolment token was refused: it is wrong, already used or expired. Ask the administrator for a new one.") \
	X(BAD_RESPONSE,                                                                                                                                               \
	  "Відповідь центру не пройшла перевірку (%s). Нічого не позначено як надіслане.",                                                                            \
	  "The hub's answer failed verification (%s). Nothing was marked as sent.")                                                                                   \
	X(STORAGE, "Помилка локального сховища: %s", "Local storage error: %s")                                                                                       \
	X(SYNC_DONE,                                                                                                                                                  \
	  "Синхронізацію завершено: надіслано змін %lld (пакетів %lld), файлів %lld; отримано з "            \
	  "центру %lld.",                                                                                                                                             \
	  "Sync complete: sent %lld changes (%lld batches), %lld files; received %lld from the "                                                                      \
	  "hub.")                                                                                                                                                     \
	X(SYNC_QUARANTINED, "Центр не прийняв змін: %lld. Подробиці: mo-agent status",                                                                                \
	  "The hub set aside %lld changes. Details: mo-agent status")                                                                                                 \
	X(CASE_CREATED, "Заяву створено: %s", "Application recorded: %s")                                                                                             \
	X(IMPORT_DONE,                                                                                                                                                \
	  "Імпорт завершено: додано %lld, пропущено (вже є) %lld, рядків з помилками %lld.",                                                                          \
	  "Import finished: %lld added, %lld skipped (already present), %lld bad lines.")                                                                             \
	X(IMPORT_LINE, "рядок %lld: %s", "line %lld: %s")                                                                                                             \
	X(NO_OPERATOR, "Не вибрано оператора. Виконайте: mo-agent operator use \"Ім'я\"",                                                                             \
	  "No operator selected. Run: mo-agent operator use \"Name\"")                                                                                                \
	X(UNKNOWN_OPERATOR, "Оператора \"%s\" не знайдено. Додайте: mo-agent operator add \"%s\"",                                                                    \
	  "No operator \"%s\". Add one: mo-agent operator add \"%s\"")                                                                                                \
	X(OPERATOR_ADDED, "Оператора додано: %s", "Operator added: %s")                                                                                               \
	X(OPERATOR_PIN_SET, "PIN оператора %s збережено.", "The PIN of operator %s is saved.") \
	X(OPERATOR_USED, "Поточний оператор: %s", "Current operator: %s")                                                                                             \
	X(TRIP_STARTED, "Виїзд розпочато: %s (%s)", "Trip started: %s (%s)")                                                                                          \
	X(TRIP_ENDED,                                                                          \
	  "Виїзд завершено %s (за київським часом). Надішліть дані до центру: mo-agent sync",   \
	  "Trip ended at %s (Kyiv time). Send the data to the hub: mo-agent sync")                \
	X(TRIP_OPEN, "Виїзд уже триває (%s). Спершу завершіть його: mo-agent trip end",                                                                               \
	  "A trip is already open (%s). End it first: mo-agent trip end")                                                                                             \
	X(NO_TRIP, "Немає відкритого виїзду.", "No open trip.")                                                                                                       \
	X(CASE_MOVED, "Заява %s: %s → %s", "Application %s: %s → %s")                                                                                                 \
	X(ATTACHED, "Файл додано до заяви %s (%s, %lld байт)",                                                                                                        \
	  "File attached to %s (%s, %lld bytes)")                                                                                                                     \
	X(RATED, "Оцінку збережено.", "Rating saved.")                                                                                                                \
	X(EDITED, "Зміни збережено: %s", "Changes saved: %s")                                                                                                         \
	X(NOTHING_TO_EDIT, "Не вказано, що змінити.", "Nothing to change was given.")                                                                                 \
	X(RECEIPT_WRITTEN, "Розписку збережено: %s", "Receipt written: %s")                                                                                           \
	X(USAGE, "Неправильний виклик: %s. Довідка: mo-agent --help",                                                                                                 \
	  "Usage error: %s. Help: mo-agent --help")                                                                                                                   \
	X(ST_DEVICE, "Пристрій", "Device")                                                                                                                            \
	X(ST_PENDING, "Очікують надсилання: змін %lld (%lld байт), файлів %lld",                                                                                      \
	  "Waiting to be sent: %lld changes (%lld bytes), %lld files")                                                                                                \
	X(ST_LAST_SYNC, "Остання успішна синхронізація", "Last successful sync")                                                                                      \
	X(ST_NEVER, "ще не було", "never")                                                                                                                            \
	X(ST_COUNTS, "Заяви за статусами", "Applications by status")                                                                                                  \
	X(ST_QUARANTINED, "Зміни, які центр не прийняв", "Changes the hub set aside")                                                                                 \
	X(ST_DECISIONS, "Нові рішення центру", "New decisions from the hub")                                                                                          \
	X(ST_INBOX_HINT, "Позначити переглянутим: mo-agent inbox seen НОМЕР (або --all)",                                                                               \
	  "Mark as seen: mo-agent inbox seen NUMBER (or --all)")                                                                                                       \
	X(INBOX_EMPTY, "Нових рішень і коментарів центру немає.", "No new decisions or comments from the hub.")                                                        \
	X(INBOX_SEEN, "Позначено переглянутим: %s", "Marked as seen: %s")                                                                                              \
	X(ST_REVOKED, "ПРИСТРІЙ ВІДКЛИКАНО", "DEVICE REVOKED")                                                                                                        \
	X(ST_OPERATOR, "Оператор", "Operator")                                                                                                                        \
	X(ST_TRIP, "Виїзд", "Trip")                                                             \
	X(VISIT_NONE, "Заявок на виїзд додому немає. Вони надходять із центру під час "         \
	  "синхронізації: mo-agent sync",                                                      \
	  "No home-visit requests. They come from the centre with a sync: mo-agent sync")      \
	X(VISIT_SCHEDULED, "Виїзд %s заплановано на %s. Центр дізнається під час синхронізації.", \
	  "Visit %s scheduled for %s. The centre learns it with the next sync.")               \
	X(VISIT_DONE, "Виїзд %s позначено: відвідано. Центр дізнається під час синхронізації.", \
	  "Visit %s marked visited. The centre learns it with the next sync.")                 \
	X(VISIT_CANCELLED, "Виїзд %s скасовано (%s). Центр дізнається під час синхронізації.",   \
	  "Visit %s cancelled (%s). The centre learns it with the next sync.")                 \
	X(VISIT_PENDING, "ще не надіслано до центру", "not yet sent to the centre")             \
	X(PAID, "Оплату %s (%s) записано; її буде надіслано до центру під час синхронізації.",                                                                        \
	  "Payment of %s (%s) recorded; it goes to the hub with the next sync.")                                                                                      \
	X(CASE_FEE, "  збір: очікується %s, сплачено %s", "  fee: expected %s, paid %s")                                                                            \
	X(PAY_CASH, "готівка", "cash")                                                                                                                                \
	X(PAY_CARD, "картка", "card")                                                                                                                                 \
	X(PAY_BANK, "банківський переказ", "bank transfer")

enum agent_msg_id {
#define AGENT_MSG_ENUM(id, uk, en) MSG_##id,
	AGENT_MESSAGES(AGENT_MSG_ENUM)
#undef AGENT_MSG_ENUM
	    MSG_COUNT
};

/* the text of a message in the language; never NULL */
const char *agent_msg(enum agent_lang lang, enum agent_msg_id id);
/* printf a message (format from the table) and a newline to f */
void agent_say(const struct agent_ctx *ctx, FILE *f, enum agent_msg_id id, ...);
/*
 * The reason of a validation error in the language: by err->code when the
 * code is known (rnokpp_check_digit, unknown_service, ...), else err->msg.
 */
const char *agent_reason(enum agent_lang lang, const struct mo_err *err, char *buf, size_t len);
/*
 * A form field by its name on the paper form («Дата народження» for
 * "birth_date"); an unknown field is returned as given.
 */
const char *agent_field_label(enum agent_lang lang, const char *field);
/*
 * What agent_case_check says for a problem `code` (a printf format with at
 * most one %s for `detail`: a date, a service code, a length); NULL when
 * the code is unknown.
 */
const char *agent_check_text(enum agent_lang lang, const char *code);
/* a status name in words ("submitted" → "подано") */
const char *agent_status_word(enum agent_lang lang, const char *status);
/* a visit state in words ("scheduled" → "заплановано") */
const char *agent_visit_state_word(enum agent_lang lang, const char *state);

#endif
