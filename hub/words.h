/*
 * words.h — the one table of the hub's codes in words: statuses, service
 * categories, unit kinds, trip kinds, audit actions, document types, the
 * CSV columns and the error codes staff meet, each in Ukrainian and
 * English.  The review UI (GET /api/words), the CSV export, the reports,
 * the API's error answers and the CLI all take their words from here.
 *
 * The CLI's own messages (HUB_MESSAGES) live here too, like the agent's
 * (agent/i18n.h): Ukrainian by default, English with --lang en or
 * MO_LANG=en.  Data printed for scripts (--json) is never translated.
 */
#ifndef HUB_WORDS_H
#define HUB_WORDS_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "mo_err.h"

enum hub_lang { HUB_LANG_UK, HUB_LANG_EN };

enum hub_words_kind {
	HUB_W_STATUS,
	HUB_W_CATEGORY,
	HUB_W_UNIT_KIND,
	HUB_W_TRIP_KIND,
	HUB_W_AUDIT,
	HUB_W_DOCUMENT,
	HUB_W_COLUMN,
	HUB_W_ERROR,
	HUB_W_CITIZEN_STATUS, /* statuses as the public status page says them */
	HUB_W_KINDS
};

struct hub_word {
	const char *code, *uk, *en;
};

/* "en", "en-GB", "en_US.UTF-8" → English; anything else (NULL too) → Ukrainian */
enum hub_lang hub_lang_parse(const char *s);
/* "uk" or "en" */
const char *hub_lang_code(enum hub_lang lang);

/* the rows of one kind; *n gets their number */
const struct hub_word *hub_words(enum hub_words_kind kind, size_t *n);
/* the key of a kind in GET /api/words ("statuses", "categories", ...) */
const char *hub_words_key(enum hub_words_kind kind);
/* the word for a code; NULL when the table has none */
const char *hub_word(enum hub_lang lang, enum hub_words_kind kind, const char *code);
/* the word for a code, or the code itself when unknown ("" for NULL) */
const char *hub_word_or(enum hub_lang lang, enum hub_words_kind kind, const char *code);
/*
 * The whole table in one language, as GET /api/words answers it:
 * {"lang": "uk", "statuses": {"draft": "чернетка", ...}, "categories": ...}.
 * NULL when out of memory.
 */
cJSON *hub_words_json(enum hub_lang lang);

/* ---- the CLI's messages ---- */

#define HUB_MESSAGES(X)                                                                    \
	X(ERROR, "помилка", "error")                                                       \
	X(TRY_HELP, "довідка: mo-hub --help", "try 'mo-hub --help'")                       \
	X(BAD_OPTION, "неправильний параметр «%s»", "bad option '%s'")                     \
	X(UNKNOWN_OPTION, "невідомий параметр «%s»", "unknown option '%s'")                \
	X(NO_VALUE_OPTION, "параметр «%s» не має значення", "option '%s' takes no value")  \
	X(NEEDS_VALUE, "параметру «%s» потрібне значення", "option '%s' needs a value")    \
	X(TOO_MANY, "забагато аргументів", "too many arguments")                           \
	X(TOO_MANY_OPTIONS, "забагато параметрів", "too many options")                     \
	X(NO_DATA,                                                                         \
	  "не вказано теку даних: задайте --data ТЕКА або змінну MO_HUB_DATA",             \
	  "no data directory: give --data DIR or set MO_HUB_DATA")                         \
	X(UNKNOWN_COMMAND, "невідома команда «%s»", "unknown command '%s'")                \
	X(REQUIRED, "потрібен параметр --%s", "--%s is required")                          \
	X(CREATED, "центр створено в %s", "hub created in %s")                             \
	X(BACKUP_DONE, "копію бази збережено в %s (%lld байт); ключ центру hub.key зберігайте окремо", \
	  "database copied to %s (%lld bytes); keep the hub key hub.key separately")          \
	X(MIGRATED, "схему бази оновлено: версія %lld → %lld", "database schema upgraded: %lld → %lld") \
	X(MIGRATE_NONE, "схема бази вже остання: версія %lld", "database schema is current: %lld") \
	X(STOPPED, "зупинено (сигнал %d)", "stopped (signal %d)")                          \
	X(UNIT_ADDED, "підрозділ %s додано", "unit %s added")                              \
	X(DEVICES, "ноутбуків: %d", "%d device(s)")                                        \
	X(FLAGGED, "ПОТРЕБУЄ УВАГИ", "FLAGGED")                                            \
	X(WHICH_DEVICE, "який ноутбук? (device revoke ID|КОД)",                            \
	  "which device? (device revoke ID|CODE)")                                         \
	X(ALREADY_REVOKED, "ноутбук %s уже відкликано", "device %s is already revoked")    \
	X(REVOKED, "ноутбук %s відкликано", "device %s revoked")                           \
	X(NOT_A_STATUS, "«%s» — не статус заяви", "'%s' is not a case status")             \
	X(WHICH_CASE, "яка заява? (вкажіть ідентифікатор або номер)",                      \
	  "which case? (give its id or number)")                                           \
	X(CASE, "заява %s  (%s)", "case %s  (%s)")                                         \
	X(STATUS, "статус", "status")                                                      \
	X(UNIT, "підрозділ", "unit")                                                       \
	X(SERVICE, "послуга", "service")                                                   \
	X(BY, "хто", "by")                                                                 \
	X(QUARANTINED, "зміна n=%d від %s відкладена: %s: %s",                             \
	  "quarantined change n=%d from %s: %s: %s")                                       \
	X(CASE_NOW, "заява %s тепер: %s", "case %s is now %s")                             \
	X(BATCH, "пакет %d n=%d", "batch %d n=%d")                                         \
	X(USER_ADDED, "користувача %s додано", "user %s added")                            \
	X(USER_DISABLED, "користувача %s вимкнено", "user %s: disable done")              \
	X(USER_ENABLED, "користувача %s увімкнено", "user %s: enable done")                \
	X(USER_PASSWORD, "пароль користувача %s змінено", "user %s: passwd done")          \
	X(USER_ROLE, "роль користувача %s змінено", "user %s: role done")                  \
	X(BAD_TTL, "--ttl «%s» має бути як 90s, 30m, 24h або 7d",                          \
	  "--ttl '%s' must be like 90s, 30m, 24h or 7d")                                   \
	X(BAD_SECONDS, "--%s має бути від 1 до 604800 секунд, а не «%s»",                  \
	  "--%s must be 1 to 604800 seconds, not '%s'")                                    \
	X(BAD_RANGE, "--%s має бути від %lld до %lld, а не «%s»",                          \
	  "--%s must be %lld to %lld, not '%s'")                                           \
	X(YES_OR_NO, "--%s: yes або no", "--%s is yes or no")                              \
	X(ENV_SECONDS, "%s має бути числом секунд", "%s must be seconds")                  \
	X(AT_MOST, "щонайбільше %d разів --%s", "at most %d --%s")

enum hub_msg_id {
#define HUB_MSG_ENUM(id, uk, en) HUB_MSG_##id,
	HUB_MESSAGES(HUB_MSG_ENUM)
#undef HUB_MSG_ENUM
	    HUB_MSG_COUNT
};

/* the text (a printf format) of a message; never NULL */
const char *hub_msg(enum hub_lang lang, enum hub_msg_id id);
/*
 * An error in plain words for people: the word of err->code followed by
 * the hub's own detail in brackets ("Таку зміну статусу не дозволено (staff
 * cannot move from rejected to approved)"), or the detail alone when the
 * code has no word.
 */
const char *hub_err_text(enum hub_lang lang, const struct mo_err *err, char *buf, size_t len);
/*
 * The same sentence without the detail, for the review UI's error answers
 * ("text"): the word of err->code, else the word of "busy" or "internal".
 * An illegal_transition names its two statuses in words.
 */
const char *hub_err_words(enum hub_lang lang, const struct mo_err *err, char *buf, size_t len);

#endif
