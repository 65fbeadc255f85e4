/*
 * field.c — trip, scan and rating actions shared by the CLI and the
 * browser UI (field.h).  Moved out of the command files so both faces call
 * one function.
 */
#include "field.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "platform.h"

static int commit_or_rollback(struct agent_store *s, int rc, struct mo_err *err)
{
	if (rc == MO_OK)
		rc = agent_store_commit(s, err);
	if (rc != MO_OK)
		agent_store_rollback(s);
	return rc;
}

/* ---- trips ---- */

bool agent_trip_kind_ok(const char *k)
{
	static const char *const KINDS[] = {"home-visit", "village-stop", "idp-settlement",
					    "office-day", "other"};

	for (size_t i = 0; k && i < sizeof(KINDS) / sizeof(KINDS[0]); i++)
		if (strcmp(k, KINDS[i]) == 0)
			return true;
	return false;
}

static int trip_write(struct agent_store *s, const struct agent_identity *me, const char *id,
		      const cJSON *f, struct mo_err *err)
{
	int rc;

	if ((rc = agent_store_begin(s, err)) != MO_OK)
		return rc;
	rc = agent_store_outbox_add(s, "trip", id, "upsert", f, me->operator_name, NULL, err);
	if (rc == MO_OK)
		rc = agent_store_trip_put(s, id, f, me->operator_name, err);
	return commit_or_rollback(s, rc, err);
}

int agent_trip_start(struct agent_store *s, const struct agent_identity *me, const char *settlement,
		     const char *kind, const char *const *crew, size_t ncrew, char id[MO_UUID_LEN],
		     struct mo_err *err)
{
	char open[40], now[32];
	cJSON *f, *arr;
	int rc;

	if (settlement == NULL || *settlement == '\0')
		return mo_err_set(err, MO_EINVAL, "required", "settlement");
	if (!agent_trip_kind_ok(kind))
		return mo_err_set(err, MO_EINVAL, "bad_kind", "%s", kind ? kind : "");
	if (me->operator_name[0] == '\0')
		return mo_err_set(err, MO_EINVAL, "no_operator", "no operator");
	if (agent_store_trip_open(s, open, sizeof(open)) == MO_OK)
		return mo_err_set(err, MO_ECONFLICT, "trip_open", "%s", open);
	if (mo_uuid_v4(id) != MO_OK)
		return mo_err_set(err, MO_ERROR, NULL, "no randomness");
	mo_iso8601(now, sizeof(now), mo_now_ms(), true);
	if ((f = cJSON_CreateObject()) == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	cJSON_AddStringToObject(f, "unit", me->unit);
	cJSON_AddStringToObject(f, "settlement", settlement);
	cJSON_AddStringToObject(f, "kind", kind);
	cJSON_AddStringToObject(f, "started_at", now);
	cJSON_AddNullToObject(f, "ended_at");
	arr = cJSON_AddArrayToObject(f, "crew");
	cJSON_AddItemToArray(arr, cJSON_CreateString(me->operator_name));
	for (size_t i = 0; i < ncrew; i++)
		if (crew[i] && *crew[i] && strcmp(crew[i], me->operator_name) != 0)
			cJSON_AddItemToArray(arr, cJSON_CreateString(crew[i]));
	rc = trip_write(s, me, id, f, err);
	cJSON_Delete(f);
	return rc;
}

int agent_trip_end(struct agent_store *s, const struct agent_identity *me, char id[40],
		   struct mo_err *err)
{
	char now[32];
	cJSON *f;
	int rc;

	if (agent_store_trip_open(s, id, 40) != MO_OK)
		return mo_err_set(err, MO_ENOTFOUND, "no_trip", "no open trip");
	mo_iso8601(now, sizeof(now), mo_now_ms(), true);
	if ((f = cJSON_CreateObject()) == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	cJSON_AddStringToObject(f, "ended_at", now);
	rc = trip_write(s, me, id, f, err);
	cJSON_Delete(f);
	return rc;
}

/* ---- scans ---- */

const char *agent_media_type_of(const char *name)
{
	static const char *const MAP[][2] = {
	    {".pdf", "application/pdf"}, {".jpg", "image/jpeg"},  {".jpeg", "image/jpeg"},
	    {".png", "image/png"},	 {".tif", "image/tiff"},  {".tiff", "image/tiff"},
	    {".txt", "text/plain"},	 {".webp", "image/webp"},
	};
	const char *dot = name ? strrchr(name, '.') : NULL;

	for (size_t i = 0; dot && i < sizeof(MAP) / sizeof(MAP[0]); i++) {
		const char *a = dot, *b = MAP[i][0];

		while (*a && *b && (*a | 0x20) == *b)
			a++, b++;
		if (!*a && !*b)
			return MAP[i][1];
	}
	return "application/octet-stream";
}

int agent_blob_store(const char *data_dir, const char *src, char sha[MO_SHA256_HEX],
		     long long *size, struct mo_err *err)
{
	char dir[1200], tmp[1300], dst[1300];
	unsigned char md[MO_SHA256_LEN];
	unsigned char *buf = malloc(65536);
	unsigned int mdlen = 0;
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	FILE *in = NULL, *out = NULL;
	size_t n;
	int rc = MO_OK;

	*size = 0;
	snprintf(dir, sizeof(dir), "%s/blobs", data_dir);
	if (h == NULL || buf == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	if ((rc = agent_mkdir_p(dir, err)) != MO_OK)
		goto done;
	if ((in = fopen(src, "rb")) == NULL) {
		rc = mo_err_set(err, MO_EINVAL, "file", "%s", src);
		goto done;
	}
	{
		unsigned char rnd[8];
		char hex[17];

		if (mo_random(rnd, sizeof(rnd)) != MO_OK) {
			rc = mo_err_set(err, MO_ERROR, NULL, "no randomness");
			goto done;
		}
		mo_hex_encode(hex, rnd, sizeof(rnd));
		snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", dir, hex);
	}
	if ((out = fopen(tmp, "wb")) == NULL) {
		rc = mo_err_set(err, MO_EIO, NULL, "cannot write '%s'", tmp);
		goto done;
	}
	EVP_DigestInit_ex(h, EVP_sha256(), NULL);
	while ((n = fread(buf, 1, 65536, in)) > 0) {
		*size += (long long)n;
		if (*size > AGENT_ATTACH_MAX) {
			rc = mo_err_set(err, MO_EINVAL, "too_big", "%s", src);
			goto done;
		}
		EVP_DigestUpdate(h, buf, n);
		if (fwrite(buf, 1, n, out) != n) {
			rc = mo_err_set(err, MO_EIO, NULL, "cannot write '%s'", tmp);
			goto done;
		}
	}
	if (ferror(in)) {
		rc = mo_err_set(err, MO_EINVAL, "file", "%s", src);
		goto done;
	}
	if (*size == 0) {
		rc = mo_err_set(err, MO_EINVAL, "file", "%s (empty)", src);
		goto done;
	}
	EVP_DigestFinal_ex(h, md, &mdlen);
	mo_hex_encode(sha, md, MO_SHA256_LEN);
	if (agent_file_sync(out) != MO_OK) {
		rc = mo_err_set(err, MO_EIO, NULL, "cannot write '%s'", tmp);
		goto done;
	}
	fclose(out);
	out = NULL;
	snprintf(dst, sizeof(dst), "%s/%s", dir, sha);
	if (agent_path_exists(dst))
		remove(tmp); /* the same file is stored once */
	else if (agent_rename(tmp, dst) != MO_OK)
		rc = mo_err_set(err, MO_EIO, NULL, "cannot store '%s'", dst);
done:
	if (out) {
		fclose(out);
		remove(tmp);
	}
	if (in)
		fclose(in);
	EVP_MD_CTX_free(h);
	free(buf);
	return rc;
}

/* the id of the case's attachment with these bytes, "" when none */
static int attachment_of(struct agent_store *s, const struct agent_case *c, const char *sha,
			 char id[MO_UUID_LEN], struct mo_err *err)
{
	cJSON *o = NULL, *it;
	int rc;

	id[0] = '\0';
	if ((rc = agent_store_case_json(s, c, &o, err)) != MO_OK)
		return rc;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "attachments"))
	{
		const char *h =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "sha256"));
		const char *i = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "id"));

		if (h && i && strcmp(h, sha) == 0) {
			mo_strlcpy(id, i, MO_UUID_LEN);
			break;
		}
	}
	cJSON_Delete(o);
	return MO_OK;
}

int agent_case_attach_file(struct agent_store *s, const struct agent_identity *me,
			   const char *data_dir, const char *key, const char *path,
			   const char *name, const char *kind, struct agent_attach_result *out,
			   struct mo_err *err)
{
	struct agent_case c;
	const char *mt;
	cJSON *f = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = agent_store_case_get(s, key, &c, err)) != MO_OK)
		return rc;
	if (name == NULL || *name == '\0') {
		const char *b = strrchr(path, '/'), *b2 = strrchr(path, '\\');

		name = b2 > b ? b2 + 1 : b ? b + 1 : path;
	}
	mt = agent_media_type_of(name);
	if ((rc = agent_blob_store(data_dir, path, out->sha256, &out->size, err)) != MO_OK ||
	    (rc = attachment_of(s, &c, out->sha256, out->id, err)) != MO_OK)
		goto done;
	if (out->id[0]) { /* the same file twice is one attachment */
		out->duplicate = true;
		goto done;
	}
	if (mo_uuid_v4(out->id) != MO_OK) {
		rc = mo_err_set(err, MO_ERROR, NULL, "no randomness");
		goto done;
	}
	if ((f = cJSON_CreateObject()) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	cJSON_AddStringToObject(f, "case", c.id);
	cJSON_AddStringToObject(f, "sha256", out->sha256);
	cJSON_AddStringToObject(f, "media_type", mt);
	cJSON_AddNumberToObject(f, "size", (double)out->size);
	cJSON_AddStringToObject(f, "name", name);
	if (kind && *kind)
		cJSON_AddStringToObject(f, "kind", kind);
	if ((rc = agent_store_begin(s, err)) == MO_OK) {
		rc = agent_store_attachment_add(s, out->id, c.id, out->sha256, mt, out->size, name,
						kind && *kind ? kind : NULL, "local", err);
		if (rc == MO_OK)
			rc = agent_store_outbox_add(s, "attachment", out->id, "append", f,
						    me->operator_name, NULL, err);
		rc = commit_or_rollback(s, rc, err);
	}
done:
	cJSON_Delete(f);
	agent_case_release(&c);
	return rc;
}

/* ---- ratings ---- */

int agent_case_rate(struct agent_store *s, const struct agent_identity *me, const char *key,
		    int score, const char *comment, struct mo_err *err)
{
	struct agent_case c;
	char rid[MO_UUID_LEN];
	cJSON *f;
	int rc;

	if (score < 1 || score > 5)
		return mo_err_set(err, MO_EINVAL, "score", "score");
	if ((rc = agent_store_case_get(s, key, &c, err)) != MO_OK)
		return rc;
	if (mo_uuid_v4(rid) != MO_OK || (f = cJSON_CreateObject()) == NULL) {
		agent_case_release(&c);
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	}
	if (comment && *comment == '\0')
		comment = NULL;
	cJSON_AddStringToObject(f, "case", c.id);
	cJSON_AddNumberToObject(f, "score", (double)score);
	if (comment)
		cJSON_AddStringToObject(f, "comment", comment);
	if ((rc = agent_store_begin(s, err)) == MO_OK) {
		rc = agent_store_rating_add(s, rid, c.id, score, comment, err);
		if (rc == MO_OK)
			rc = agent_store_outbox_add(s, "rating", rid, "append", f,
						    me->operator_name, NULL, err);
		rc = commit_or_rollback(s, rc, err);
	}
	cJSON_Delete(f);
	agent_case_release(&c);
	return rc;
}
