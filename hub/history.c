/* history.c — a case's history as staff read it (history.h). */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "kyiv.h"
#include "mo_err.h"

void hub_history_who(char *out, size_t len, const char *name, const char *device)
{
	bool has_name = name && *name, has_dev = device && *device;

	if (has_name && has_dev)
		snprintf(out, len, "%s (%s)", name, device);
	else
		snprintf(out, len, "%s", has_name ? name : has_dev ? device : "");
}

static const char *str(const cJSON *o, const char *key)
{
	return proto_json_str(o, key);
}

static bool add_str(cJSON *o, const char *key, const char *v)
{
	return v ? cJSON_AddStringToObject(o, key, v) != NULL
		 : cJSON_AddNullToObject(o, key) != NULL;
}

static bool add_dup(cJSON *o, const char *key, const cJSON *v)
{
	cJSON *d = v ? cJSON_Duplicate(v, true) : cJSON_CreateNull();

	if (d == NULL)
		return false;
	if (!cJSON_AddItemToObject(o, key, d)) {
		cJSON_Delete(d);
		return false;
	}
	return true;
}

/* by, device and who of an entry a laptop made */
static bool add_laptop(cJSON *e, const char *by, const char *device)
{
	char who[256];

	hub_history_who(who, sizeof(who), by, device);
	return add_str(e, "by", by && *by ? by : NULL) && add_str(e, "device", device) &&
	       add_str(e, "who", who);
}

static cJSON *entry(const char *kind, const char *at, const char *actor)
{
	cJSON *e = cJSON_CreateObject();

	if (e && add_str(e, "at", at) && add_str(e, "actor", actor) && add_str(e, "kind", kind))
		return e;
	cJSON_Delete(e);
	return NULL;
}

static bool push(cJSON *out, cJSON *e)
{
	if (e == NULL)
		return false;
	if (!cJSON_AddItemToArray(out, e)) {
		cJSON_Delete(e);
		return false;
	}
	return true;
}

/* one field's edit: {field, old, new} of the stored detail */
static bool push_edit(cJSON *out, const cJSON *ev, const cJSON *ch, const char *by)
{
	const char *device = str(ev, "actor");
	cJSON *e = entry("edited", str(ev, "at"), device);

	if (e == NULL)
		return false;
	if (!add_str(e, "field", str(ch, "field")) ||
	    !add_dup(e, "old", cJSON_GetObjectItemCaseSensitive(ch, "old")) ||
	    !add_dup(e, "new", cJSON_GetObjectItemCaseSensitive(ch, "new")) ||
	    !add_laptop(e, by, device)) {
		cJSON_Delete(e);
		return false;
	}
	return push(out, e);
}

static bool edited(cJSON *out, const cJSON *ev)
{
	const char *raw = str(ev, "text") ? str(ev, "text") : str(ev, "reason");
	cJSON *d = raw ? cJSON_Parse(raw) : NULL;
	const cJSON *changes = cJSON_GetObjectItemCaseSensitive(d, "changes"), *ch;
	const char *by = str(d, "by");
	bool ok = true;

	if (cJSON_IsArray(changes)) {
		cJSON_ArrayForEach(ch, changes) ok = ok && push_edit(out, ev, ch, by);
	} else if (d && str(d, "field")) {
		ok = push_edit(out, ev, d, NULL); /* one event per field (before 018) */
	}
	cJSON_Delete(d);
	return ok;
}

/* the creation on the laptop and the receipt by the hub */
static bool created(cJSON *out, const cJSON *ev, const cJSON *kase)
{
	const char *device = str(kase, "device") ? str(kase, "device") : str(ev, "actor");
	const char *at = str(kase, "created_at") ? str(kase, "created_at") : str(ev, "at");
	cJSON *e = entry("created", at, str(ev, "actor")), *r;

	if (e == NULL || !add_str(e, "to", str(ev, "to")) ||
	    !add_laptop(e, str(kase, "operator"), device) || !push(out, e))
		return false;
	if ((r = entry("arrived", str(ev, "at"), "hub")) == NULL || !add_laptop(r, NULL, device)) {
		cJSON_Delete(r);
		return false;
	}
	return push(out, r);
}

/* "KR-T01A · Олена Коваль" (apply.c append_change) → device and name */
static void split_actor(const char *actor, char *dev, size_t dlen, const char **name)
{
	const char *dot = actor ? strstr(actor, " \u00b7 ") : NULL;

	*name = NULL;
	snprintf(dev, dlen, "%s", actor ? actor : "");
	if (dot && (size_t)(dot - actor) < dlen) {
		dev[dot - actor] = '\0';
		*name = dot + strlen(" \u00b7 ");
		if (strcmp(*name, "?") == 0)
			*name = NULL;
	}
}

/*
 * An attachment, rating or comment a laptop sent: its event, with the
 * details of the append it was recorded for (ap, NULL when none): the
 * appends and their events are inserted once each, in the same order.
 */
static bool appended(cJSON *out, cJSON *ev, const cJSON *ap)
{
	const char *kind = str(ev, "kind"), *name;
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(ap, "fields");
	char dev[64];
	cJSON *e = entry(kind, str(ev, "at"), str(ev, "actor"));

	if (e == NULL)
		return false;
	split_actor(str(ev, "actor"), dev, sizeof(dev), &name);
	if (!add_laptop(e, name, dev))
		goto oom;
	if (strcmp(kind, "attachment") == 0) {
		if (!add_str(e, "name", f ? str(f, "name") : str(ev, "text")) ||
		    !add_str(e, "media_type", str(f, "media_type")) ||
		    !add_dup(e, "size", cJSON_GetObjectItemCaseSensitive(f, "size")) ||
		    !add_str(e, "document", str(f, "kind")) ||
		    !add_str(e, "sha256", str(f, "sha256")))
			goto oom;
	} else if (strcmp(kind, "rating") == 0) {
		if (!add_dup(e, "score", cJSON_GetObjectItemCaseSensitive(f, "score")) ||
		    !add_str(e, "comment", str(f, "comment")))
			goto oom;
	} else if (!add_str(e, "text", str(ev, "text") ? str(ev, "text") : str(ev, "reason"))) {
		goto oom;
	}
	return push(out, e);
oom:
	cJSON_Delete(e);
	return false;
}

/* the next append of entity after *at (NULL when none); *at moves past it */
static const cJSON *next_append(const cJSON *appends, const char *entity, const cJSON **at)
{
	const cJSON *ap = *at ? (*at)->next : appends ? appends->child : NULL;

	for (; ap; ap = ap->next)
		if (str(ap, "entity") && strcmp(str(ap, "entity"), entity) == 0) {
			*at = ap;
			return ap;
		}
	*at = NULL;
	return NULL;
}

/* "2026-12-02T12:05:00Z" and "2026-12-02T12:05:00.123Z" compare by the
 * second first, then by the fraction ("Z" as .000) */
static int at_cmp(const cJSON *a, const cJSON *b)
{
	const char *x = str(a, "at") ? str(a, "at") : "", *y = str(b, "at") ? str(b, "at") : "";
	int c = strncmp(x, y, 19);

	if (c != 0 || strlen(x) < 19 || strlen(y) < 19)
		return c;
	x += 19, y += 19;
	if (*x == '.')
		x++;
	if (*y == '.')
		y++;
	for (int i = 0; i < 9; i++) {
		char dx = *x >= '0' && *x <= '9' ? *x++ : '0';
		char dy = *y >= '0' && *y <= '9' ? *y++ : '0';

		if (dx != dy)
			return dx - dy;
	}
	return 0;
}

int hub_history_present(cJSON *hist, const cJSON *kase, const cJSON *appends)
{
	cJSON *out = cJSON_CreateArray(), *ev, *next, **v = NULL;
	const cJSON *ap;
	size_t n = 0, i;
	bool ok = out != NULL;

	const cJSON *att = NULL, *rat = NULL;
	bool att_end = false, rat_end = false;

	if (hist == NULL) {
		cJSON_Delete(out);
		return MO_ENOMEM;
	}

	for (ev = hist ? hist->child : NULL; ev && ok; ev = next) {
		const char *kind = str(ev, "kind"), *actor = str(ev, "actor");
		bool laptop = actor && strstr(actor, " \u00b7 ");

		next = ev->next;
		if (kind && strcmp(kind, "edited") == 0) {
			ok = edited(out, ev);
		} else if (kind && strcmp(kind, "created") == 0) {
			ok = created(out, ev, kase);
		} else if (kind && strcmp(kind, "attachment") == 0) {
			ap = att_end ? NULL : next_append(appends, "attachment", &att);
			att_end = ap == NULL;
			ok = appended(out, ev, ap);
		} else if (kind && strcmp(kind, "rating") == 0) {
			ap = rat_end ? NULL : next_append(appends, "rating", &rat);
			rat_end = ap == NULL;
			ok = appended(out, ev, ap);
		} else if (kind && strcmp(kind, "comment") == 0 && laptop) {
			ok = appended(out, ev, NULL);
		} else {
			cJSON_DetachItemViaPointer(hist, ev);
			ok = push(out, ev);
		}
	}
	n = ok ? (size_t)cJSON_GetArraySize(out) : 0;
	if (ok && n && (v = malloc(n * sizeof(*v))) == NULL)
		ok = false;
	if (!ok) {
		cJSON_Delete(out);
		return MO_ENOMEM;
	}
	/* stable insertion sort by time: the store's order breaks ties */
	for (i = 0, ev = out->child; ev; ev = ev->next)
		v[i++] = ev;
	for (i = 1; i < n; i++) {
		cJSON *x = v[i];
		size_t j = i;

		for (; j > 0 && at_cmp(v[j - 1], x) > 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	/* empty hist, then move the sorted entries over */
	while (hist->child)
		cJSON_DeleteItemFromArray(hist, 0);
	for (i = 0; i < n; i++) {
		cJSON_DetachItemViaPointer(out, v[i]);
		cJSON_AddItemToArray(hist, v[i]);
	}
	free(v);
	cJSON_Delete(out);
	return MO_OK;
}

/* a value of an edit: a text as it is, anything else as compact JSON */
static void print_value(FILE *out, const cJSON *v)
{
	char *j;

	if (v == NULL || cJSON_IsNull(v)) {
		fputs("\u2014", out);
	} else if (cJSON_IsString(v)) {
		fputs(v->valuestring, out);
	} else if ((j = cJSON_PrintUnformatted(v)) != NULL) {
		fputs(j, out);
		free(j);
	}
}

void hub_history_print(FILE *out, enum hub_lang lang, const cJSON *hist)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, hist)
	{
		const char *kind = str(e, "kind"), *from = str(e, "from"), *to = str(e, "to");
		const char *who = str(e, "who") ? str(e, "who") : str(e, "actor");
		char when[17];

		fprintf(out, "%s  %s  %s", hub_kyiv_text(str(e, "at"), when),
			hub_word_or(lang, HUB_W_HISTORY, kind), who ? who : "");
		if (kind && strcmp(kind, "edited") == 0) {
			fprintf(out, "  %s: ", hub_word_or(lang, HUB_W_FIELD, str(e, "field")));
			print_value(out, cJSON_GetObjectItemCaseSensitive(e, "old"));
			fputs(" \u2192 ", out);
			print_value(out, cJSON_GetObjectItemCaseSensitive(e, "new"));
		} else if (kind && strcmp(kind, "attachment") == 0) {
			const cJSON *size = cJSON_GetObjectItemCaseSensitive(e, "size");

			fprintf(out, "  %s (%s", str(e, "name") ? str(e, "name") : "",
				hub_word_or(lang, HUB_W_DOCUMENT, str(e, "document")));
			if (cJSON_IsNumber(size))
				fprintf(out, ", %.0f %s", size->valuedouble,
					lang == HUB_LANG_EN ? "bytes" : "байтів");
			fputc(')', out);
		} else if (kind && strcmp(kind, "rating") == 0) {
			const cJSON *score = cJSON_GetObjectItemCaseSensitive(e, "score");

			if (cJSON_IsNumber(score))
				fprintf(out, lang == HUB_LANG_EN ? "  %d of 5" : "  %d з 5",
					score->valueint);
			if (str(e, "comment"))
				fprintf(out, " \u2014 %s", str(e, "comment"));
		} else if (from || to) {
			fprintf(out, "  %s \u2192 %s",
				from ? hub_word_or(lang, HUB_W_STATUS, from) : "-",
				to ? hub_word_or(lang, HUB_W_STATUS, to) : "-");
			if (str(e, "service"))
				fprintf(out, " (%s)", str(e, "service"));
		}
		if (kind && strcmp(kind, "edited") != 0 && strcmp(kind, "assigned") != 0 &&
		    (str(e, "reason") || str(e, "text")))
			fprintf(out, "  \u2014 %s",
				str(e, "reason") ? str(e, "reason") : str(e, "text"));
		fputc('\n', out);
	}
}
