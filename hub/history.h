/*
 * history.h — a case's history as staff read it (docs/api.md "A case"),
 * built from what the store keeps (events, appends) for the review API and
 * the CLI alike:
 *
 *  - "created": the creation on the laptop, at the case's own created_at,
 *    and "arrived": its receipt by the hub, at the time the hub stored it;
 *  - "edited": one entry per field a laptop's change really changed, with
 *    field, old (what the hub held before the merge) and new.  The store
 *    keeps one event per applied change (apply.c): {"by": name, "changes":
 *    [{field, old, new}, ...]}; events of one field each (before 018) read
 *    the same;
 *  - "attachment": one per scanned document (name, media_type, size,
 *    document), "rating": one per rating (score, comment), at their receipt;
 *  - every other event as it is (transition, comment, assigned, ...).
 *
 * Entries a laptop made carry "device" (its code), "by" (the administrator's
 * name as the laptop recorded it, null when unknown) and "who" ("Олена
 * Коваль (KR-T01A)"); "actor" stays what the store says (a device code, a
 * staff login or "hub").  Entries are in time order (stable).
 */
#ifndef HUB_HISTORY_H
#define HUB_HISTORY_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "words.h"

/*
 * Rewrite hist (an array of entries copied from the events: at, actor,
 * kind, from, to, service, and reason or text) in place.  kase holds the
 * case's "created_at", "operator" and "device"; appends is the store's
 * appends of the case (entity, fields, received_at) or NULL.  MO_ENOMEM
 * when out of memory (hist then half-rewritten: drop it).
 */
int hub_history_present(cJSON *hist, const cJSON *kase, const cJSON *appends);

/* "Олена Коваль (KR-T01A)", "KR-T01A" without a name, name alone without a code */
void hub_history_who(char *out, size_t len, const char *name, const char *device);

/*
 * The entries for people (mo-hub case show): one line each, the time in
 * Kyiv local time, the kind and the codes in words, who, what changed:
 * "02.12.2026 14:05  зміна на ноутбуці  Петро Іваненко (KR-T01A)  Телефон:
 * +380671112233 → +380503334455".
 */
void hub_history_print(FILE *out, enum hub_lang lang, const cJSON *hist);

#endif
