/*
 * store_visit.c — the SQL of the visits table (store_visit.h).
 *
 * Statements are prepared per call rather than once at open: a unit has
 * tens of open visits, not thousands, and a visit is read or written a few
 * times a day, so keeping them out of store.c's statement table costs
 * nothing measurable and keeps this file self-contained.
 */
#include "store_visit.h"

#include <stdlib.h>
#include <string.h>

#include "mo_util.h"
#include "store_int.h"

void agent_visit_release(struct agent_visit *v)
{
	if (v == NULL)
		return;
	cJSON_Delete(v->data);
	free(v->state_reason);
	v->data = NULL;
	v->state_reason = NULL;
}

static int prepare(struct agent_store *s, sqlite3_stmt **st, const char *sql, struct mo_err *err)
{
	int src = sqlite3_prepare_v2(agent_store_sqlite(s), sql, -1, st, NULL);

	return src == SQLITE_OK ? MO_OK : agent_store_db_error(s, src, err, "prepare visits");
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void copy_col(char *out, size_t len, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	mo_strlcpy(out, t ? (const char *)t : "", len);
}

#define VISIT_COLS                                                                                 \
	"id, number, unit, data, hlc, state, scheduled_for, state_reason, visited_at, pending, "   \
	"updated_at"

/* one row (VISIT_COLS) into out */
static int row_read(sqlite3_stmt *st, struct agent_visit *out, struct mo_err *err)
{
	const char *data = (const char *)sqlite3_column_text(st, 3);
	const unsigned char *reason = sqlite3_column_text(st, 7);

	memset(out, 0, sizeof(*out));
	copy_col(out->id, sizeof(out->id), st, 0);
	copy_col(out->number, sizeof(out->number), st, 1);
	copy_col(out->unit, sizeof(out->unit), st, 2);
	copy_col(out->hlc, sizeof(out->hlc), st, 4);
	copy_col(out->state, sizeof(out->state), st, 5);
	copy_col(out->scheduled_for, sizeof(out->scheduled_for), st, 6);
	copy_col(out->visited_at, sizeof(out->visited_at), st, 8);
	out->pending = sqlite3_column_int64(st, 9);
	copy_col(out->updated_at, sizeof(out->updated_at), st, 10);
	out->data = data ? cJSON_ParseWithLength(data, (size_t)sqlite3_column_bytes(st, 3)) : NULL;
	if (out->data == NULL)
		return mo_err_set(err, MO_ECORRUPT, NULL, "visit '%s': stored data is not JSON",
				  out->id);
	if (reason && (out->state_reason = strdup((const char *)reason)) == NULL) {
		agent_visit_release(out);
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	}
	return MO_OK;
}

int agent_store_visit_get(struct agent_store *s, const char *key, struct agent_visit *out,
			  struct mo_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	memset(out, 0, sizeof(*out));
	/* ids are stored lower case; a typed UUID may be upper case */
	if ((rc = prepare(s, &st,
			  "SELECT " VISIT_COLS " FROM visits WHERE id = lower(?1) OR number = ?1 "
			  "LIMIT 1",
			  err)) != MO_OK)
		return rc;
	sqlite3_bind_text(st, 1, key ? key : "", -1, SQLITE_TRANSIENT);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		rc = row_read(st, out, err);
	else if (src == SQLITE_DONE)
		rc = mo_err_set(err, MO_ENOTFOUND, "visit_not_found", "%s", key ? key : "");
	else
		rc = agent_store_db_error(s, src, err, "visit get");
	sqlite3_finalize(st);
	return rc;
}

int agent_store_visit_put(struct agent_store *s, const struct agent_visit *v, struct mo_err *err)
{
	sqlite3_stmt *st = NULL;
	char *data = v->data ? cJSON_PrintUnformatted(v->data) : NULL, now[32];
	int rc, src;

	if (data == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	if ((rc = prepare(
		 s, &st,
		 "INSERT INTO visits(" VISIT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
		 "?8, ?9, ?10, ?11) ON CONFLICT(id) DO UPDATE SET number = excluded.number, "
		 "unit = excluded.unit, data = excluded.data, hlc = excluded.hlc, "
		 "state = excluded.state, scheduled_for = excluded.scheduled_for, "
		 "state_reason = excluded.state_reason, visited_at = excluded.visited_at, "
		 "pending = excluded.pending, updated_at = excluded.updated_at",
		 err)) != MO_OK) {
		free(data);
		return rc;
	}
	mo_iso8601(now, sizeof(now), mo_now_ms(), true);
	sqlite3_bind_text(st, 1, v->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, v->number, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, v->unit, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, data, -1, free);
	sqlite3_bind_text(st, 5, v->hlc, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, v->state, -1, SQLITE_TRANSIENT);
	bind_text(st, 7, v->scheduled_for);
	bind_text(st, 8, v->state_reason);
	bind_text(st, 9, v->visited_at);
	sqlite3_bind_int64(st, 10, v->pending);
	sqlite3_bind_text(st, 11, now, -1, SQLITE_TRANSIENT);
	src = sqlite3_step(st);
	rc = src == SQLITE_DONE ? MO_OK : agent_store_db_error(s, src, err, "visit put");
	sqlite3_finalize(st);
	return rc;
}

int agent_store_visit_delete(struct agent_store *s, const char *id, struct mo_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	if ((rc = prepare(s, &st, "DELETE FROM visits WHERE id = lower(?1)", err)) != MO_OK)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	src = sqlite3_step(st);
	rc = src == SQLITE_DONE ? MO_OK : agent_store_db_error(s, src, err, "visit delete");
	sqlite3_finalize(st);
	return rc;
}

int agent_store_visit_each(struct agent_store *s, agent_visit_fn fn, void *arg, struct mo_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	if ((rc = prepare(s, &st,
			  "SELECT " VISIT_COLS " FROM visits ORDER BY CASE state "
			  "WHEN 'scheduled' THEN 0 WHEN 'requested' THEN 1 ELSE 2 END, "
			  "CASE WHEN state = 'scheduled' THEN coalesce(scheduled_for, '9999') "
			  "WHEN state = 'requested' THEN coalesce(json_extract(data, "
			  "'$.preferred_date'), '9999') ELSE '' END, "
			  "coalesce(visited_at, updated_at) DESC, number",
			  err)) != MO_OK)
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct agent_visit v;

		if ((rc = row_read(st, &v, err)) != MO_OK)
			break;
		rc = fn(arg, &v);
		agent_visit_release(&v);
		if (rc != MO_OK)
			break;
	}
	if (rc == MO_OK && src != SQLITE_DONE)
		rc = agent_store_db_error(s, src, err, "visit list");
	sqlite3_finalize(st);
	return rc;
}

int agent_store_visit_batch_moves(struct agent_store *s, long long seq, agent_visit_move_fn fn,
				  void *arg, struct mo_err *err)
{
	struct mo_buf json = MO_BUF_INIT(64u << 20);
	sqlite3_stmt *st = NULL;
	int rc, src;

	if ((rc = prepare(s, &st,
			  "SELECT o.entity_id, o.json, o.n IN (SELECT n FROM quarantine) FROM "
			  "outbox o WHERE o.batch = ?1 AND o.entity = 'visit' AND o.op = "
			  "'transition' ORDER BY o.n",
			  err)) != MO_OK)
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);

		/* the change is kept deflated (store.c): unpacked, as it went on the wire */
		if ((rc = agent_store_col_unpacked(st, 1, &json, err)) != MO_OK ||
		    (rc = fn(arg, id ? id : "", json.data ? (const char *)json.data : "",
			     sqlite3_column_int(st, 2) != 0)) != MO_OK)
			break;
	}
	if (rc == MO_OK && src != SQLITE_DONE && src != SQLITE_ROW)
		rc = agent_store_db_error(s, src, err, "visit moves");
	sqlite3_finalize(st);
	mo_buf_release(&json);
	return rc;
}

int agent_store_visit_cases(struct agent_store *s, const char *visit_id, cJSON **out,
			    struct mo_err *err)
{
	sqlite3_stmt *st = NULL;
	cJSON *arr = cJSON_CreateArray();
	int rc, src;

	*out = NULL;
	if (arr == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	if ((rc = prepare(s, &st,
			  "SELECT id, number, status, created_at FROM cases WHERE "
			  "json_extract(data, '$.visit') = ?1 ORDER BY created_at, number",
			  err)) != MO_OK) {
		cJSON_Delete(arr);
		return rc;
	}
	sqlite3_bind_text(st, 1, visit_id, -1, SQLITE_TRANSIENT);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();

		if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			break;
		}
		cJSON_AddStringToObject(o, "id", (const char *)sqlite3_column_text(st, 0));
		cJSON_AddStringToObject(o, "number", (const char *)sqlite3_column_text(st, 1));
		cJSON_AddStringToObject(o, "status", (const char *)sqlite3_column_text(st, 2));
		cJSON_AddStringToObject(o, "created_at", (const char *)sqlite3_column_text(st, 3));
	}
	if (rc == MO_OK && src != SQLITE_DONE)
		rc = agent_store_db_error(s, src, err, "visit cases");
	sqlite3_finalize(st);
	if (rc != MO_OK)
		cJSON_Delete(arr);
	else
		*out = arr;
	return rc;
}
