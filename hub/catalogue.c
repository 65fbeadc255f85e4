/*
 * catalogue.c — catalogue administration (catalogue.h): the rules of a
 * service beyond the vocabulary, the version check, and the one
 * transaction that writes the service, keeps its version, feeds it to
 * every unit and audits it.
 */
#include "catalogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "json.h"
#include "mo_util.h"
#include "words.h"

#define VERSIONS_MAX 500
#define DETAIL_MAX 2000
#define VALUE_SHOWN 160 /* bytes of one old or new value in the audit detail */

/* the fields of a service in the order the feed carries them */
static const char *const FIELD_ORDER[] = {"code",     "category", "title_uk",
					  "title_en", "fee_uah",  "required_documents",
					  "members",  "active"};
#define NFIELDS (sizeof(FIELD_ORDER) / sizeof(FIELD_ORDER[0]))

#define bad(err, ...) mo_err_set((err), MO_EINVAL, "bad_value", __VA_ARGS__)

static bool is_package(const cJSON *fields)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(fields, "members");

	return cJSON_IsArray(m) && cJSON_GetArraySize(m) > 0;
}

/* the stored fields with the changes over them, in FIELD_ORDER; the keys
 * that are not service fields are kept at the end, for the vocabulary
 * check to refuse by name */
static cJSON *merged_fields(const char *code, const cJSON *old, const cJSON *changes)
{
	cJSON *f = cJSON_CreateObject();
	const cJSON *it;

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < NFIELDS; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(changes, FIELD_ORDER[i]);

		if (v == NULL)
			v = cJSON_GetObjectItemCaseSensitive(old, FIELD_ORDER[i]);
		if (i == 0 && v == NULL) {
			cJSON_AddStringToObject(f, "code", code);
			continue;
		}
		if (v == NULL && i == NFIELDS - 1) /* a new service is active */
			cJSON_AddBoolToObject(f, "active", true);
		else if (v == NULL && strcmp(FIELD_ORDER[i], "required_documents") == 0)
			cJSON_AddArrayToObject(f, "required_documents");
		else if (v)
			cJSON_AddItemToObject(f, FIELD_ORDER[i], cJSON_Duplicate(v, true));
	}
	cJSON_ArrayForEach(it, changes)
	{
		if (!cJSON_HasObjectItem(f, it->string))
			cJSON_AddItemToObject(f, it->string, cJSON_Duplicate(it, true));
	}
	/* an empty list of members is no package: the feed carries none */
	if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(f, "members")) && !is_package(f))
		cJSON_DeleteItemFromObjectCaseSensitive(f, "members");
	return f;
}

/* the vocabulary's rules: the fields as the `service` upsert they become */
static int vocabulary_check(const char *code, cJSON *fields, uint64_t hlc, struct mo_err *err)
{
	struct proto_change ch;
	bool ok;

	memset(&ch, 0, sizeof(ch));
	if (strlen(code) >= sizeof(ch.id))
		return bad(err, "a service code is at most 32 characters");
	ch.n = 1;
	mo_strlcpy(ch.entity, "service", sizeof(ch.entity));
	mo_strlcpy(ch.op, "upsert", sizeof(ch.op));
	mo_strlcpy(ch.id, code, sizeof(ch.id));
	ch.hlc = hlc;
	ch.fields = fields; /* borrowed for the check */
	ok = proto_change_check(&ch);
	if (!ok)
		return mo_err_set(err, MO_EINVAL, "bad_value", "%s", ch.qmsg);
	return MO_OK;
}

/* what the vocabulary leaves open but a catalogue entry needs */
static int entry_check(const cJSON *f, struct mo_err *err)
{
	static const char *const need[] = {"category", "title_uk", "title_en"};
	const char *cat;

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!cJSON_HasObjectItem(f, need[i]))
			return bad(err, "'%s' is required", need[i]);
	cat = proto_json_str(f, "category");
	if (*proto_json_str(f, "title_uk") == '\0' || *proto_json_str(f, "title_en") == '\0')
		return bad(err, "a service needs its title in Ukrainian and in English");
	if (strcmp(cat, "package") != 0 && hub_word(HUB_LANG_UK, HUB_W_CATEGORY, cat) == NULL)
		return bad(err, "unknown category '%s'", cat);
	if (is_package(f) != (strcmp(cat, "package") == 0))
		return bad(err, "a package has category 'package' and at least one member");
	/* a package's fee is its members' (the seed's packages carry none) */
	if (!is_package(f) && !cJSON_HasObjectItem(f, "fee_uah"))
		return bad(err, "'fee_uah' is required");
	return MO_OK;
}

/* a package's members exist and are not packages; a member of a package
 * does not become one (a package holds services, never packages) */
static int members_check(const char *code, const cJSON *f, const cJSON *catalogue,
			 struct mo_err *err)
{
	const cJSON *members = cJSON_GetObjectItemCaseSensitive(f, "members"), *m, *row;

	cJSON_ArrayForEach(m, members)
	{
		const cJSON *found = NULL, *d;

		if (strcmp(m->valuestring, code) == 0)
			return bad(err, "package '%s' cannot hold itself", code);
		for (d = members->child; d != m; d = d->next)
			if (strcmp(d->valuestring, m->valuestring) == 0)
				return bad(err, "member '%s' is named twice", m->valuestring);
		cJSON_ArrayForEach(row, catalogue)
		{
			const cJSON *rf = cJSON_GetObjectItemCaseSensitive(row, "fields");
			const char *rc = proto_json_str(rf, "code");

			if (rc && strcmp(rc, m->valuestring) == 0)
				found = rf;
		}
		if (found == NULL)
			return bad(err, "member '%s' is not in the catalogue", m->valuestring);
		if (is_package(found))
			return bad(err, "member '%s' is a package; a package holds services only",
				   m->valuestring);
	}
	if (!is_package(f))
		return MO_OK;
	cJSON_ArrayForEach(row, catalogue)
	{
		const cJSON *rf = cJSON_GetObjectItemCaseSensitive(row, "fields");
		const char *rc = proto_json_str(rf, "code");

		if (rc && strcmp(rc, code) == 0)
			continue;
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(rf, "members"))
		{
			if (cJSON_IsString(m) && strcmp(m->valuestring, code) == 0)
				return bad(err, "'%s' is a member of package '%s', so it cannot be one",
					   code, rc);
		}
	}
	return MO_OK;
}

/* one value for the audit detail, cut on a UTF-8 boundary */
static void shown(char *out, size_t outlen, const cJSON *v)
{
	char *t = v ? cJSON_PrintUnformatted(v) : NULL;
	size_t n;

	mo_strlcpy(out, t ? t : "—", outlen);
	free(t);
	n = strlen(out);
	if (n + 1 >= outlen) {
		while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0)
			n--; /* the lead byte of the cut character */
		out[n] = '\0';
	}
}

/* "v3 → v4: fee_uah 345 → 400; active true → false" (cut at outlen) */
static void audit_detail(char *out, size_t outlen, long long from, long long to, const cJSON *old,
			 const cJSON *nw)
{
	const char *sep = ": ";
	size_t off;

	if (old == NULL)
		snprintf(out, outlen, "v%lld (new)", to);
	else
		snprintf(out, outlen, "v%lld → v%lld", from, to);
	for (size_t i = 1; i < NFIELDS; i++) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(old, FIELD_ORDER[i]);
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(nw, FIELD_ORDER[i]);
		char va[VALUE_SHOWN], vb[VALUE_SHOWN];

		if ((a == NULL && b == NULL) || (a && b && cJSON_Compare(a, b, true)))
			continue;
		shown(va, sizeof(va), a);
		shown(vb, sizeof(vb), b);
		off = strlen(out);
		if (off + 1 >= outlen)
			break;
		snprintf(out + off, outlen - off, "%s%s %s → %s", sep, FIELD_ORDER[i], va, vb);
		sep = "; ";
	}
}

/* a row of hub_store_catalogue_list as the API lists it */
static cJSON *entry_json(const cJSON *row)
{
	cJSON *o = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(row, "fields"), true);
	static const char *const extra[] = {"version", "updated_at", "cases"};

	if (o == NULL || !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, extra[i]);

		cJSON_AddItemToObject(o, extra[i], v ? cJSON_Duplicate(v, true) : cJSON_CreateNull());
	}
	return o;
}

/* the conflict in plain terms: who changed it last, to which version */
static int conflict(struct hub *h, const char *code, long long seen, long long cur,
		    struct mo_err *err)
{
	cJSON *last = NULL;
	const char *who = NULL;

	if (hub_store_catalogue_versions(h->store, code, 1, &last, err) == MO_OK)
		who = proto_json_str(cJSON_GetArrayItem(last, 0), "actor");
	mo_err_set(err, MO_ECONFLICT, "conflict",
		   "service '%s' is at version %lld, not %lld: %s%s changed it meanwhile; reload "
		   "and edit again",
		   code, cur, seen, who ? "" : "someone", who ? who : "");
	cJSON_Delete(last);
	return MO_ECONFLICT;
}

int hub_catalogue_set(struct hub *h, const struct hub_catalogue_edit *e, cJSON **out,
		      struct mo_err *err)
{
	struct proto_clock clk;
	cJSON *old = NULL, *nw = NULL, *cat = NULL, *o = NULL;
	char *old_text = NULL, *new_text = NULL, detail[DETAIL_MAX];
	long long cur = 0, cat_version = 0, svc_version = 0;
	uint64_t hlc;
	bool in_tx = false, changed = false;
	int rc;

	*out = NULL;
	if (e->code == NULL || e->changes == NULL || !cJSON_IsObject(e->changes))
		return mo_err_set(err, MO_EINVAL, "bad_request", "an edit needs a code and fields");
	if (e->seen < HUB_CATALOGUE_SEEN_CURRENT)
		return mo_err_set(err, MO_EINVAL, "bad_request", "'version' is 0 or more");
	if ((rc = hub_store_begin(h->store, err)) != MO_OK)
		return rc;
	in_tx = true;
	if ((rc = hub_clock_load(h, &clk, err)) != MO_OK)
		goto done;
	hlc = proto_hlc_now(&clk, mo_now_ms());
	rc = hub_store_service_get(h->store, e->code, &old, &cur, err);
	if (rc == MO_ENOTFOUND && e->seen <= 0) {
		rc = MO_OK; /* a new service */
	} else if (rc == MO_ENOTFOUND) {
		goto done;
	} else if (rc != MO_OK) {
		goto done;
	} else if (e->seen == 0 || (e->seen > 0 && e->seen != cur)) {
		rc = e->seen == 0 ? mo_err_set(err, MO_ECONFLICT, "conflict",
					       "service '%s' already exists (version %lld)",
					       e->code, cur)
				  : conflict(h, e->code, e->seen, cur, err);
		goto done;
	}
	if ((nw = merged_fields(e->code, old, e->changes)) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	if ((rc = vocabulary_check(e->code, nw, hlc, err)) != MO_OK ||
	    (rc = entry_check(nw, err)) != MO_OK ||
	    (rc = hub_store_catalogue_list(h->store, &cat, err)) != MO_OK ||
	    (rc = members_check(e->code, nw, cat, err)) != MO_OK)
		goto done;
	changed = old == NULL || !cJSON_Compare(old, nw, true);
	if (changed) {
		struct hub_service_write w = {e->code, NULL, NULL, e->by ? e->by : "cli", hlc,
					      old ? cur : 0};

		if ((new_text = cJSON_PrintUnformatted(nw)) == NULL ||
		    (old && (old_text = cJSON_PrintUnformatted(old)) == NULL)) {
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			goto done;
		}
		w.old_json = old_text;
		w.new_json = new_text;
		audit_detail(detail, sizeof(detail), cur, old ? cur + 1 : 1, old, nw);
		/* unit NULL: the feed row goes to every laptop of every unit */
		if ((rc = hub_store_service_edit(h->store, &w, &cat_version, &svc_version, err)) !=
			MO_OK ||
		    (rc = hub_store_feed_add(h->store, NULL, NULL, "service", e->code, "upsert",
					     hlc, new_text, err)) != MO_OK ||
		    (rc = hub_store_audit_add(h->store, w.actor, "catalogue.set", e->code, detail,
					      err)) != MO_OK ||
		    (rc = hub_clock_save(h, &clk, err)) != MO_OK)
			goto done;
	} else {
		svc_version = cur;
		if ((rc = hub_store_catalogue_version(h->store, &cat_version, err)) != MO_OK)
			goto done;
	}
	in_tx = false;
	if ((rc = hub_store_commit(h->store, err)) != MO_OK)
		goto done;
	if ((o = cJSON_Duplicate(nw, true)) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	cJSON_AddNumberToObject(o, "version", (double)svc_version);
	cJSON_AddNumberToObject(o, "catalogue_version", (double)cat_version);
	cJSON_AddBoolToObject(o, "changed", changed);
	*out = o;
done:
	if (in_tx)
		hub_store_rollback(h->store);
	free(old_text);
	free(new_text);
	cJSON_Delete(old);
	cJSON_Delete(nw);
	cJSON_Delete(cat);
	return rc;
}

int hub_catalogue_get(struct hub *h, cJSON **out, struct mo_err *err)
{
	cJSON *rows = NULL, *o = NULL, *arr;
	const cJSON *row;
	long long version = 1;
	int rc;

	*out = NULL;
	if ((rc = hub_store_catalogue_version(h->store, &version, err)) != MO_OK ||
	    (rc = hub_store_catalogue_list(h->store, &rows, err)) != MO_OK)
		goto done;
	if ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddNumberToObject(o, "version", (double)version) ||
	    (arr = cJSON_AddArrayToObject(o, "services")) == NULL)
		goto oom;
	cJSON_ArrayForEach(row, rows)
	{
		cJSON *e = entry_json(row);

		if (e == NULL || !cJSON_AddItemToArray(arr, e)) {
			cJSON_Delete(e);
			goto oom;
		}
	}
	*out = o;
	o = NULL;
	goto done;
oom:
	rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
done:
	cJSON_Delete(o);
	cJSON_Delete(rows);
	return rc;
}

int hub_catalogue_versions(struct hub *h, const char *code, cJSON **out, struct mo_err *err)
{
	return hub_store_catalogue_versions(h->store, code, VERSIONS_MAX, out, err);
}
