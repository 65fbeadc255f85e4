/*
 * store_catalogue.c — the SQL of catalogue administration (store.h,
 * "catalogue administration"; migration 019): a service's version, the
 * kept versions of every edit and the catalogue's version number.
 *
 * Admins edit the catalogue a few times a year, so these statements are
 * prepared per call rather than kept; every call holds the store's lock,
 * and hub_store_service_edit runs inside the caller's transaction
 * (catalogue.c) with the feed row and the audit entry of the same edit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mo_util.h"
#include "store_int.h"

static int prepare(struct hub_store *s, const char *sql, sqlite3_stmt **q, struct mo_err *err)
{
	int src = sqlite3_prepare_v2(s->db, sql, -1, q, NULL);

	if (src != SQLITE_OK) {
		*q = NULL;
		return hub_sqlite_fail(s, src, "prepare a catalogue statement", err);
	}
	return MO_OK;
}

int hub_store_service_get(struct hub_store *s, const char *code, cJSON **fields,
			  long long *version, struct mo_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc, src;

	*fields = NULL;
	*version = 0;
	hub_sqlite_lock(s);
	if ((rc = prepare(s, "SELECT fields, version FROM services WHERE code = ?1", &q, err)) !=
	    MO_OK)
		goto done;
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	src = sqlite3_step(q);
	if (src == SQLITE_DONE) {
		rc = mo_err_set(err, MO_ENOTFOUND, "not_found", "no service '%s'", code);
	} else if (src != SQLITE_ROW) {
		rc = hub_sqlite_fail(s, src, "read the service", err);
	} else {
		const char *t = (const char *)sqlite3_column_text(q, 0);

		*version = sqlite3_column_int64(q, 1);
		if (t == NULL || (*fields = cJSON_Parse(t)) == NULL || !cJSON_IsObject(*fields)) {
			cJSON_Delete(*fields);
			*fields = NULL;
			rc = mo_err_set(err, MO_ECORRUPT, NULL, "service '%s' is damaged", code);
		}
	}
done:
	sqlite3_finalize(q);
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_catalogue_version(struct hub_store *s, long long *out, struct mo_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc, src;

	*out = 1;
	hub_sqlite_lock(s);
	if ((rc = prepare(s, "SELECT coalesce(max(version), 1) FROM catalogue_versions", &q,
			  err)) == MO_OK) {
		if ((src = sqlite3_step(q)) == SQLITE_ROW)
			*out = sqlite3_column_int64(q, 0);
		else
			rc = hub_sqlite_fail(s, src, "read the catalogue version", err);
	}
	sqlite3_finalize(q);
	hub_sqlite_unlock(s);
	return rc;
}

static void list_row(cJSON *o, sqlite3_stmt *q)
{
	const char *t = (const char *)sqlite3_column_text(q, 0);
	cJSON *v = t ? cJSON_Parse(t) : NULL;

	cJSON_AddItemToObject(o, "fields", v ? v : cJSON_CreateNull());
	cJSON_AddNumberToObject(o, "version", (double)sqlite3_column_int64(q, 1));
	hub_sqlite_json_text(o, "updated_at", q, 2);
	cJSON_AddNumberToObject(o, "cases", (double)sqlite3_column_int64(q, 3));
}

/* one pass over case_services and one over the package cases, not one per
 * service: the catalogue page stays quick on a hub with 100,000 cases */
int hub_store_catalogue_list(struct hub_store *s, cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc;

	*out = NULL;
	hub_sqlite_lock(s);
	rc = prepare(s,
		     "SELECT s.fields, s.version, s.updated_at, "
		     "coalesce(u.n, 0) + coalesce(p.n, 0) FROM services s "
		     "LEFT JOIN (SELECT code, count(*) AS n FROM case_services GROUP BY code) u "
		     "ON u.code = s.code "
		     "LEFT JOIN (SELECT json_extract(doc, '$.package') AS code, count(*) AS n "
		     "FROM cases WHERE json_extract(doc, '$.package') IS NOT NULL "
		     "GROUP BY 1) p ON p.code = s.code ORDER BY s.code",
		     &q, err);
	if (rc == MO_OK)
		rc = hub_sqlite_list_rows(s, q, out, list_row, err);
	sqlite3_finalize(q);
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_service_edit(struct hub_store *s, const struct hub_service_write *w,
			   long long *cat_version, long long *svc_version, struct mo_err *err)
{
	sqlite3_stmt *q = NULL;
	char now[32];
	int rc, src;

	mo_iso8601(now, sizeof(now), mo_now_ms(), true);
	hub_sqlite_lock(s);
	/* the version the editor saw is checked by the write itself: no row
	 * changes when another edit came first */
	if (w->seen == 0)
		rc = prepare(s,
			     "INSERT INTO services(code, fields, hlc, updated_at, version) "
			     "VALUES (?1, ?2, ?3, ?4, 1) ON CONFLICT(code) DO NOTHING",
			     &q, err);
	else
		rc = prepare(s,
			     "UPDATE services SET fields = ?2, hlc = ?3, updated_at = ?4, "
			     "version = version + 1 WHERE code = ?1 AND version = ?5",
			     &q, err);
	if (rc != MO_OK)
		goto done;
	sqlite3_bind_text(q, 1, w->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, w->new_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)w->hlc);
	sqlite3_bind_text(q, 4, now, -1, SQLITE_STATIC);
	if (w->seen != 0)
		sqlite3_bind_int64(q, 5, w->seen);
	if ((src = sqlite3_step(q)) != SQLITE_DONE) {
		rc = hub_sqlite_fail(s, src, "write the service", err);
		goto done;
	}
	if (sqlite3_changes(s->db) != 1) {
		rc = mo_err_set(err, MO_ECONFLICT, "conflict",
				w->seen == 0 ? "service '%s' already exists"
					     : "service '%s' was changed since version %lld",
				w->code, w->seen);
		goto done;
	}
	*svc_version = w->seen + 1;
	sqlite3_finalize(q);
	if ((rc = prepare(s,
			  "INSERT INTO catalogue_versions(version, code, service_version, actor, "
			  "at, old, new) SELECT coalesce(max(version), 1) + 1, ?1, ?2, ?3, ?4, "
			  "?5, ?6 FROM catalogue_versions RETURNING version",
			  &q, err)) != MO_OK)
		goto done;
	sqlite3_bind_text(q, 1, w->code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, *svc_version);
	sqlite3_bind_text(q, 3, w->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, now, -1, SQLITE_STATIC);
	if (w->old_json)
		sqlite3_bind_text(q, 5, w->old_json, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, w->new_json, -1, SQLITE_STATIC);
	if ((src = sqlite3_step(q)) != SQLITE_ROW) {
		rc = hub_sqlite_fail(s, src, "keep the catalogue version", err);
		goto done;
	}
	*cat_version = sqlite3_column_int64(q, 0);
	while ((src = sqlite3_step(q)) == SQLITE_ROW)
		;
	if (src != SQLITE_DONE)
		rc = hub_sqlite_fail(s, src, "keep the catalogue version", err);
done:
	sqlite3_finalize(q);
	hub_sqlite_unlock(s);
	return rc;
}

static void version_row(cJSON *o, sqlite3_stmt *q)
{
	const char *old = (const char *)sqlite3_column_text(q, 5);
	const char *nw = (const char *)sqlite3_column_text(q, 6);
	cJSON *ov = old ? cJSON_Parse(old) : NULL, *nv = nw ? cJSON_Parse(nw) : NULL;

	cJSON_AddNumberToObject(o, "version", (double)sqlite3_column_int64(q, 0));
	hub_sqlite_json_text(o, "code", q, 1);
	cJSON_AddNumberToObject(o, "service_version", (double)sqlite3_column_int64(q, 2));
	hub_sqlite_json_text(o, "actor", q, 3);
	hub_sqlite_json_text(o, "at", q, 4);
	cJSON_AddItemToObject(o, "old", ov ? ov : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "new", nv ? nv : cJSON_CreateNull());
}

int hub_store_catalogue_versions(struct hub_store *s, const char *code, long long limit,
				 cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc;

	*out = NULL;
	hub_sqlite_lock(s);
	rc = prepare(s,
		     "SELECT version, code, service_version, actor, at, old, new "
		     "FROM catalogue_versions WHERE ?1 IS NULL OR code = ?1 "
		     "ORDER BY version DESC LIMIT ?2",
		     &q, err);
	if (rc == MO_OK) {
		if (code)
			sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, limit);
		rc = hub_sqlite_list_rows(s, q, out, version_row, err);
	}
	sqlite3_finalize(q);
	hub_sqlite_unlock(s);
	return rc;
}
