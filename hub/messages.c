/*
 * messages.c — what a status message says and when one is queued
 * (messages.h).  The SQL is in store_messages.c, the delivery in notify.c.
 */
#include "messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mo_util.h"

/*
 * The texts, Ukrainian, in plain words; %s is the case number (then, for
 * approved, the place).  Cyrillic makes an SMS UCS-2: 70 units in one
 * segment, 67 in each of a concatenated pair, so HUB_MSG_UNITS_MAX (134)
 * is two segments.  test_hub_messages.c checks every one with the longest
 * number the vocabulary allows.
 */
static const struct {
	const char *event, *fmt;
} TEXTS[] = {
    {"received", "Заяву № %s отримано в ЦНАП і передано на розгляд. Про рішення повідомимо."},
    {"needs_info",
     "До заяви № %s потрібні додаткові документи або відомості. Зверніться до ЦНАП."},
    {"approved", "Заяву № %s задоволено. Результат можна отримати: %s"},
    {"rejected", "За заявою № %s ухвалено рішення про відмову. Причину пояснять у ЦНАП."},
};

#define NTEXTS (sizeof(TEXTS) / sizeof(TEXTS[0]))

const char *hub_message_event(const char *from, const char *to)
{
	if (to == NULL || (from && strcmp(from, to) == 0))
		return NULL;
	for (size_t i = 0; i < NTEXTS; i++)
		if (strcmp(to, TEXTS[i].event) == 0)
			return TEXTS[i].event;
	return NULL;
}

/* the UTF-16 units of the code point starting at p, and its byte length */
static size_t cp_units(const unsigned char *p, size_t *bytes)
{
	size_t n = 1;

	if (*p >= 0xf0)
		n = 4;
	else if (*p >= 0xe0)
		n = 3;
	else if (*p >= 0xc0)
		n = 2;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80) { /* broken: count the lead byte alone */
			n = 1;
			break;
		}
	*bytes = n;
	return n == 4 ? 2 : 1;
}

size_t hub_message_units(const char *utf8)
{
	const unsigned char *p = (const unsigned char *)utf8;
	size_t units = 0, b;

	while (*p) {
		units += cp_units(p, &b);
		p += b;
	}
	return units;
}

/* copy src into out (outlen bytes) keeping at most max units; "…" added when cut */
static void cut(char *out, size_t outlen, const char *src, size_t max)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t units = 0, off = 0, b;

	if (hub_message_units(src) <= max) {
		mo_strlcpy(out, src, outlen);
		return;
	}
	while (*p) {
		size_t u = cp_units(p, &b);

		if (units + u + 1 > max || off + b + 4 > outlen)
			break;
		memcpy(out + off, p, b);
		off += b;
		units += u;
		p += b;
	}
	/* no space before the ellipsis */
	while (off > 0 && out[off - 1] == ' ')
		off--;
	if (max > 0 && off + 4 <= outlen) {
		memcpy(out + off, "\xe2\x80\xa6", 3);
		off += 3;
	}
	out[off] = '\0';
}

int hub_message_text(char out[HUB_MSG_TEXT_MAX], const char *event, const char *number,
		     const char *place, const char *phone, struct mo_err *err)
{
	const char *fmt = NULL;
	char base[HUB_MSG_TEXT_MAX], where[HUB_MSG_TEXT_MAX];
	size_t used, room;

	out[0] = '\0';
	for (size_t i = 0; i < NTEXTS; i++)
		if (event && strcmp(event, TEXTS[i].event) == 0)
			fmt = TEXTS[i].fmt;
	if (fmt == NULL)
		return mo_err_set(err, MO_EINVAL, "bad_value", "no message for event '%s'",
				  event ? event : "");
	if (number == NULL || strlen(number) >= HUB_NUMBER_MAX)
		return mo_err_set(err, MO_EINVAL, "bad_value", "a message needs the case number");
	/* the text without the place: how much room the place has */
	snprintf(base, sizeof(base), fmt, number, "");
	used = hub_message_units(base);
	if (used > HUB_MSG_UNITS_MAX)
		return mo_err_set(err, MO_EINVAL, "too_long", "case number '%s' is too long",
				  number);
	room = HUB_MSG_UNITS_MAX - used;
	if (strstr(fmt, "%s") != strrchr(fmt, '%')) { /* a second %s: the place */
		char full[HUB_MSG_TEXT_MAX];
		const char *name = place && *place ? place : "ЦНАП";

		snprintf(full, sizeof(full), "%s%s%s.", name, phone && *phone ? ", тел. " : "",
			 phone && *phone ? phone : "");
		if (hub_message_units(full) > room) {
			snprintf(full, sizeof(full), "%s.", name);
			if (hub_message_units(full) > room)
				cut(full, sizeof(full), name, room);
		}
		mo_strlcpy(where, full, sizeof(where));
		snprintf(out, HUB_MSG_TEXT_MAX, fmt, number, where);
	} else {
		mo_strlcpy(out, base, HUB_MSG_TEXT_MAX);
	}
	return MO_OK;
}

void hub_message_key(char out[HUB_MSG_KEY_LEN], const char *case_id, const char *event,
		     long long seq)
{
	char in[MO_UUID_LEN + 64], hex[MO_SHA256_HEX];
	int n;

	n = snprintf(in, sizeof(in), "mo-hub message\n%s\n%s\n%lld", case_id, event, seq);
	mo_sha256_hex(hex, in, n > 0 ? (size_t)n : 0);
	snprintf(out, HUB_MSG_KEY_LEN, "m1-%.32s", hex);
}

void hub_message_phone(const cJSON *doc, char out[16])
{
	const cJSON *app = cJSON_GetObjectItemCaseSensitive(doc, "applicant");
	const char *phone = proto_json_str(app, "phone");

	out[0] = '\0';
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "messages_consent")))
		return;
	/* proto normalised it to +380XXXXXXXXX; anything else is not sent to */
	if (phone && strlen(phone) == 13 && strncmp(phone, "+380", 4) == 0 &&
	    strspn(phone + 1, "0123456789") == 12)
		mo_strlcpy(out, phone, 16);
}

int hub_messages_on_move(struct hub_store *s, const struct hub_case *c, const char *from,
			 const char *to, struct mo_err *err)
{
	struct mo_buf doc = MO_BUF_INIT(16u << 20);
	struct hub_case hc;
	char phone[16] = "";
	cJSON *dj = NULL;
	int rc;

	if (hub_message_event(from, to) == NULL)
		return MO_OK;
	if ((rc = hub_store_case_get(s, c->id, false, &hc, &doc, err)) != MO_OK)
		goto done;
	/* a document the hub cannot read names no phone */
	if ((dj = cJSON_ParseWithLength((const char *)doc.data, doc.len)) != NULL)
		hub_message_phone(dj, phone);
	rc = hub_messages_on_move_known(s, &hc, from, to, phone, err);
done:
	cJSON_Delete(dj);
	mo_buf_release(&doc);
	return rc;
}

int hub_messages_on_move_known(struct hub_store *s, const struct hub_case *hc, const char *from,
			       const char *to, const char *phone, struct mo_err *err)
{
	const char *event = hub_message_event(from, to);
	struct hub_message m;
	struct hub_unit u;
	long long n = 0;
	int rc;

	if (event == NULL || !phone || !phone[0])
		return MO_OK;
	memset(&m, 0, sizeof(m));
	mo_strlcpy(m.phone, phone, sizeof(m.phone));
	if ((rc = hub_store_message_count(s, hc->id, event, &n, err)) != MO_OK)
		goto done;
	if (strcmp(event, "received") == 0 && n > 0)
		goto done; /* the first receipt only */
	memset(&u, 0, sizeof(u));
	if ((rc = hub_store_unit_get(s, hc->unit, &u, err)) == MO_ENOTFOUND) {
		mo_err_clear(err);
		rc = MO_OK;
	} else if (rc != MO_OK) {
		goto done;
	}
	/* a text that cannot be made (a number too long for two segments) costs
	 * the citizen one message, never the laptop its batch */
	if (hub_message_text(m.text, event, hc->number, u.name, u.phone, err) != MO_OK) {
		mo_err_clear(err);
		goto done;
	}
	m.seq = n + 1;
	hub_message_key(m.key, hc->id, event, m.seq);
	mo_strlcpy(m.case_id, hc->id, sizeof(m.case_id));
	mo_strlcpy(m.unit, hc->unit, sizeof(m.unit));
	mo_strlcpy(m.event, event, sizeof(m.event));
	rc = hub_store_message_add(s, &m, err);
	if (rc == MO_EEXISTS) /* that event's message is already queued */
		rc = MO_OK;
done:
	return rc;
}

static const char *at_of(const cJSON *o)
{
	const char *t = proto_json_str(o, "at");

	return t ? t : "";
}

static const char *queued_of(const cJSON *m)
{
	const char *t = proto_json_str(m, "queued_at");

	return t ? t : "";
}

/* one history entry of kind "message" for the message row m */
static cJSON *history_entry(const cJSON *m)
{
	static const char *const keys[] = {"event", "state",   "attempts", "error",
					   "detail", "sent_at", "key"};
	const char *q = proto_json_str(m, "queued_at");
	cJSON *ev = cJSON_CreateObject();

	if (ev == NULL)
		return NULL;
	cJSON_AddStringToObject(ev, "at", q ? q : "");
	cJSON_AddStringToObject(ev, "kind", "message");
	cJSON_AddStringToObject(ev, "actor", "hub");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, keys[i]);

		if (v)
			cJSON_AddItemToObject(ev, keys[i], cJSON_Duplicate(v, true));
	}
	return ev;
}

int hub_messages_case_json(struct hub_store *s, const char *case_id, cJSON *obj,
			   struct mo_err *err)
{
	cJSON *arr = NULL, *hist, *merged = NULL, *it;
	const cJSON *m;
	int rc;

	if ((rc = hub_store_message_list(s, case_id, &arr, err)) != MO_OK)
		return rc;
	hist = cJSON_GetObjectItemCaseSensitive(obj, "history");
	if (cJSON_IsArray(hist) && cJSON_GetArraySize(arr) > 0) {
		/* both are oldest first: merge them by time, history first on a tie */
		if ((merged = cJSON_CreateArray()) == NULL) {
			cJSON_Delete(arr);
			return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		}
		m = arr->child;
		while ((it = cJSON_DetachItemFromArray(hist, 0)) != NULL) {
			for (; m && strcmp(queued_of(m), at_of(it)) < 0; m = m->next)
				cJSON_AddItemToArray(merged, history_entry(m));
			cJSON_AddItemToArray(merged, it);
		}
		for (; m; m = m->next)
			cJSON_AddItemToArray(merged, history_entry(m));
		cJSON_ReplaceItemInObjectCaseSensitive(obj, "history", merged);
	}
	cJSON_AddItemToObject(obj, "messages", arr);
	return MO_OK;
}
