/* lww.c — field-level last-writer-wins registers (lww.h). */
#include "lww.h"

#include <stdio.h>
#include <string.h>

#include "mo_err.h"

void proto_stamp_format(char out[PROTO_STAMP_LEN], uint64_t hlc, const char *device)
{
	size_t at = PROTO_HLC_HEX - 1;

	proto_hlc_format(out, hlc); /* out is longer than an HLC */
	out[at++] = ':';
	for (const char *d = device ? device : ""; *d && at + 1 < PROTO_STAMP_LEN; d++)
		out[at++] = *d;
	out[at] = '\0';
}

uint64_t proto_stamp_hlc(const char *stamp, const char **device)
{
	char h[PROTO_HLC_HEX];
	uint64_t v = 0;

	if (device)
		*device = "";
	if (stamp == NULL || strlen(stamp) < PROTO_HLC_HEX || stamp[PROTO_HLC_HEX - 1] != ':')
		return 0;
	memcpy(h, stamp, PROTO_HLC_HEX - 1);
	h[PROTO_HLC_HEX - 1] = '\0';
	if (!proto_hlc_parse(&v, h))
		return 0;
	if (device)
		*device = stamp + PROTO_HLC_HEX;
	return v;
}

bool proto_lww_wins(uint64_t hlc, const char *device, const char *old_stamp)
{
	const char *odev;
	uint64_t oh = proto_stamp_hlc(old_stamp, &odev);
	int c;

	if (oh == 0)
		return true;
	c = proto_hlc_compare(hlc, oh);
	return c > 0 || (c == 0 && strcmp(device ? device : "", odev) > 0);
}

/* obj[key] = v (owned), replacing what was there; MO_ENOMEM when v is NULL */
static int put(cJSON *obj, const char *key, cJSON *v)
{
	if (v == NULL)
		return MO_ENOMEM;
	if (cJSON_HasObjectItem(obj, key))
		return cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v) ? MO_OK : MO_ENOMEM;
	return cJSON_AddItemToObject(obj, key, v) ? MO_OK : MO_ENOMEM;
}

/* prefix.key (or key at the top); false when it does not fit (called per field: no printf) */
static bool path_of(char out[PROTO_LWW_PATH_MAX], const char *prefix, const char *key)
{
	size_t pl = strlen(prefix), kl = strlen(key), n = pl + (pl ? 1 : 0) + kl;

	if (n >= PROTO_LWW_PATH_MAX)
		return false;
	memcpy(out, prefix, pl);
	if (pl)
		out[pl++] = '.';
	memcpy(out + pl, key, kl);
	out[n] = '\0';
	return true;
}

/* the object at obj[key], made (replacing a non-object) when missing */
static cJSON *child(cJSON *obj, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsObject(o))
		return o;
	if (put(obj, key, cJSON_CreateObject()) != MO_OK)
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static const char *stamp_at(const cJSON *stamps, const char *path)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(stamps, path));
}

static bool under(const char *key, const char *path, size_t pl)
{
	return strncmp(key, path, pl) == 0 && key[pl] == '.';
}

/*
 * The newest stamp of a field as it is held: its own register, or for an
 * object the newest register under "path." (O(registers): a few dozen).
 */
static const char *newest(const cJSON *stamps, const char *path, bool object)
{
	const char *best = stamp_at(stamps, path), *dev;
	size_t pl = strlen(path);
	const cJSON *it;

	if (!object)
		return best;
	cJSON_ArrayForEach(it, stamps)
	{
		uint64_t h;

		if (!cJSON_IsString(it) || !under(it->string, path, pl))
			continue;
		h = proto_stamp_hlc(it->valuestring, &dev);
		if (h != 0 && (best == NULL || proto_lww_wins(h, dev, best)))
			best = it->valuestring;
	}
	return best;
}

/* forget the registers of a field's old shape (object keys or the plain value) */
static void drop_shape(cJSON *stamps, const char *path)
{
	size_t pl = strlen(path);
	cJSON *it;

	cJSON_DeleteItemFromObjectCaseSensitive(stamps, path);
	it = stamps->child; /* after the delete: the old first child may be gone */
	while (it) {
		cJSON *next = it->next;

		if (it->string && under(it->string, path, pl))
			cJSON_Delete(cJSON_DetachItemViaPointer(stamps, it));
		it = next;
	}
}

/*
 * One shape per field: a write that changes a field between a plain value
 * and an object must beat every register the held shape has, and then
 * replaces that shape (its registers are dropped).  Writes of the same
 * shape go on key by key.
 */
int proto_lww_merge(cJSON *doc, cJSON *won, cJSON *stamps, const char *prefix,
		    const cJSON *fields, uint64_t hlc, const char *device, bool *changed)
{
	char stamp[PROTO_STAMP_LEN];
	const cJSON *v;
	int rc;

	proto_stamp_format(stamp, hlc, device);
	cJSON_ArrayForEach(v, fields)
	{
		char path[PROTO_LWW_PATH_MAX];
		cJSON *held;

		if (!path_of(path, prefix, v->string))
			return MO_EINVAL;
		held = cJSON_GetObjectItemCaseSensitive(doc, v->string);
		if (held && cJSON_IsObject(held) != cJSON_IsObject(v)) {
			if (!proto_lww_wins(hlc, device, newest(stamps, path, cJSON_IsObject(held))))
				continue; /* an older write of another shape: the held value stays */
			drop_shape(stamps, path);
			if (cJSON_IsObject(v) && put(doc, v->string, cJSON_CreateObject()) != MO_OK)
				return MO_ENOMEM;
			*changed = true;
		}
		if (cJSON_IsObject(v)) {
			cJSON *dsub = child(doc, v->string), *wsub = NULL;

			if (dsub == NULL || (won && (wsub = cJSON_CreateObject()) == NULL))
				return MO_ENOMEM;
			rc = proto_lww_merge(dsub, wsub, stamps, path, v, hlc, device, changed);
			if (rc == MO_OK && wsub && cJSON_GetArraySize(wsub) > 0)
				rc = put(won, v->string, wsub);
			else
				cJSON_Delete(wsub);
			if (rc != MO_OK)
				return rc;
			continue;
		}
		if (!proto_lww_wins(hlc, device,
				    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(stamps, path))))
			continue; /* an older or equal write: the held value stays */
		if ((rc = put(stamps, path, cJSON_CreateString(stamp))) != MO_OK ||
		    (rc = put(doc, v->string, cJSON_Duplicate(v, true))) != MO_OK ||
		    (won && (rc = put(won, v->string, cJSON_Duplicate(v, true))) != MO_OK))
			return rc;
		*changed = true;
	}
	return MO_OK;
}

int proto_lww_leaf_paths(cJSON *paths, const char *prefix, const cJSON *fields)
{
	const cJSON *v;
	int rc = MO_OK;

	cJSON_ArrayForEach(v, fields)
	{
		char path[PROTO_LWW_PATH_MAX];

		if (!path_of(path, prefix, v->string))
			return MO_EINVAL;
		if (cJSON_IsObject(v))
			rc = proto_lww_leaf_paths(paths, path, v);
		else if (!cJSON_AddItemToArray(paths, cJSON_CreateString(path)))
			rc = MO_ENOMEM;
		if (rc != MO_OK)
			return rc;
	}
	return MO_OK;
}

int proto_lww_stamp(cJSON *stamps, const char *prefix, const cJSON *fields, const char *stamp,
		    uint64_t only_hlc)
{
	const cJSON *v;
	int rc = MO_OK;

	cJSON_ArrayForEach(v, fields)
	{
		char path[PROTO_LWW_PATH_MAX];

		if (!path_of(path, prefix, v->string))
			return MO_EINVAL;
		if (cJSON_IsObject(v))
			rc = proto_lww_stamp(stamps, path, v, stamp, only_hlc);
		else if (only_hlc == 0 ||
			 proto_stamp_hlc(cJSON_GetStringValue(
						 cJSON_GetObjectItemCaseSensitive(stamps, path)),
					 NULL) == only_hlc)
			rc = put(stamps, path, cJSON_CreateString(stamp));
		if (rc != MO_OK)
			return rc;
	}
	return MO_OK;
}
