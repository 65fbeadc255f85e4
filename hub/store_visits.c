/*
 * store_visits.c — home-visit requests in the SQLite store (store.h,
 * migration 015).  The rules (who may do what, the state machine, the
 * feed) are visits.c's; here is only SQL.  Statements are prepared per
 * call: visits are a few thousand a year, not a hot path.  Every call
 * holds the store's lock, so a call made inside a transaction belongs to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "store_int.h"

#define VISIT_LIST_MAX 500
#define VISIT_COLS                                                                                 \
	"id, number, unit, surname, given_name, patronymic, phone, address, mobility, reason, "    \
	"services, preferred_date, note, state, state_reason, scheduled_for, requested_at, "       \
	"visited_at, created_by, updated_at"

static int oom(struct mo_err *err)
{
	return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
}

static int prepare(struct hub_store *s, const char *sql, sqlite3_stmt **q, struct mo_err *err)
{
	int src = sqlite3_prepare_v2(s->db, sql, -1, q, NULL);

	if (src != SQLITE_OK) {
		*q = NULL;
		return hub_sqlite_fail(s, src, "prepare a visit statement", err);
	}
	return MO_OK;
}

static void bind_text(sqlite3_stmt *q, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(q, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, i);
}

static const char *text_or(const cJSON *o, const char *key, const char *dflt)
{
	const char *v = proto_json_str(o, key);

	return v ? v : dflt;
}

/* a stored JSON column back into the object (an empty one when unreadable) */
static void json_col(cJSON *o, const char *key, sqlite3_stmt *q, int i, bool array)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	cJSON *v = t ? cJSON_Parse((const char *)t) : NULL;

	if (v == NULL || (array ? !cJSON_IsArray(v) : !cJSON_IsObject(v))) {
		cJSON_Delete(v);
		v = array ? cJSON_CreateArray() : cJSON_CreateObject();
	}
	cJSON_AddItemToObject(o, key, v);
}

static void str_col(cJSON *o, const char *key, sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	cJSON_AddStringToObject(o, key, t ? (const char *)t : "");
}

/* one row of VISIT_COLS as the visit's JSON (the upsert fields and more) */
static void visit_row(cJSON *o, sqlite3_stmt *q)
{
	cJSON *c;

	str_col(o, "id", q, 0);
	str_col(o, "number", q, 1);
	str_col(o, "unit", q, 2);
	if ((c = cJSON_AddObjectToObject(o, "citizen")) != NULL) {
		str_col(c, "surname", q, 3);
		str_col(c, "given_name", q, 4);
		str_col(c, "patronymic", q, 5);
		hub_sqlite_json_text(c, "phone", q, 6);
		json_col(c, "address", q, 7, false);
		hub_sqlite_json_text(c, "mobility", q, 8);
	}
	str_col(o, "reason", q, 9);
	json_col(o, "services", q, 10, true);
	hub_sqlite_json_text(o, "preferred_date", q, 11);
	str_col(o, "note", q, 12);
	str_col(o, "state", q, 13);
	hub_sqlite_json_text(o, "state_reason", q, 14);
	hub_sqlite_json_text(o, "scheduled_for", q, 15);
	str_col(o, "requested_at", q, 16);
	hub_sqlite_json_text(o, "visited_at", q, 17);
	str_col(o, "created_by", q, 18);
	str_col(o, "updated_at", q, 19);
}

int hub_store_visit_next_seq(struct hub_store *s, int year, long long *seq, struct mo_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc, src;

	hub_sqlite_lock(s);
	if ((rc = prepare(s, "SELECT coalesce(max(seq), 0) + 1 FROM visits WHERE year = ?1", &q,
			  err)) == MO_OK) {
		sqlite3_bind_int(q, 1, year);
		if ((src = sqlite3_step(q)) == SQLITE_ROW)
			*seq = sqlite3_column_int64(q, 0);
		else
			rc = hub_sqlite_fail(s, src, "number a visit", err);
	}
	sqlite3_finalize(q);
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_visit_put(struct hub_store *s, const char *id, const cJSON *fields, int year,
			long long seq, const char *created_by, struct mo_err *err)
{
	static const char sql[] =
	    "INSERT INTO visits(" VISIT_COLS ", year, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22) "
	    "ON CONFLICT(id) DO UPDATE SET unit = excluded.unit, surname = excluded.surname, "
	    "given_name = excluded.given_name, patronymic = excluded.patronymic, "
	    "phone = excluded.phone, address = excluded.address, mobility = excluded.mobility, "
	    "reason = excluded.reason, services = excluded.services, "
	    "preferred_date = excluded.preferred_date, note = excluded.note, "
	    "state = excluded.state, state_reason = excluded.state_reason, "
	    "scheduled_for = excluded.scheduled_for, visited_at = excluded.visited_at, "
	    "updated_at = excluded.updated_at";
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(fields, "citizen");
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(c, "address");
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(fields, "services");
	char *addr_text = cJSON_IsObject(addr) ? cJSON_PrintUnformatted(addr) : NULL;
	char *sv_text = cJSON_IsArray(sv) ? cJSON_PrintUnformatted(sv) : NULL;
	char now[32];
	sqlite3_stmt *q = NULL;
	int rc, src;

	if ((cJSON_IsObject(addr) && addr_text == NULL) || (cJSON_IsArray(sv) && sv_text == NULL)) {
		free(addr_text);
		free(sv_text);
		return oom(err);
	}
	mo_iso8601(now, sizeof(now), mo_now_ms(), true);
	hub_sqlite_lock(s);
	if ((rc = prepare(s, sql, &q, err)) == MO_OK) {
		bind_text(q, 1, id);
		bind_text(q, 2, text_or(fields, "number", ""));
		bind_text(q, 3, text_or(fields, "unit", ""));
		bind_text(q, 4, text_or(c, "surname", ""));
		bind_text(q, 5, text_or(c, "given_name", ""));
		bind_text(q, 6, text_or(c, "patronymic", ""));
		bind_text(q, 7, proto_json_str(c, "phone"));
		bind_text(q, 8, addr_text ? addr_text : "{}");
		bind_text(q, 9, proto_json_str(c, "mobility"));
		bind_text(q, 10, text_or(fields, "reason", ""));
		bind_text(q, 11, sv_text ? sv_text : "[]");
		bind_text(q, 12, proto_json_str(fields, "preferred_date"));
		bind_text(q, 13, text_or(fields, "note", ""));
		bind_text(q, 14, text_or(fields, "state", "requested"));
		bind_text(q, 15, proto_json_str(fields, "state_reason"));
		bind_text(q, 16, proto_json_str(fields, "scheduled_for"));
		bind_text(q, 17, text_or(fields, "requested_at", now));
		bind_text(q, 18, proto_json_str(fields, "visited_at"));
		bind_text(q, 19, created_by ? created_by : "admin");
		bind_text(q, 20, now);
		sqlite3_bind_int(q, 21, year);
		sqlite3_bind_int64(q, 22, seq);
		if ((src = sqlite3_step(q)) != SQLITE_DONE)
			rc = hub_sqlite_fail(s, src, "store a visit", err);
	}
	sqlite3_finalize(q);
	hub_sqlite_unlock(s);
	free(addr_text);
	free(sv_text);
	return rc;
}

int hub_store_visit_get(struct hub_store *s, const char *ref, cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc, src;

	*out = NULL;
	hub_sqlite_lock(s);
	if ((rc = prepare(s, "SELECT " VISIT_COLS " FROM visits WHERE id = ?1 OR number = ?1", &q,
			  err)) == MO_OK) {
		bind_text(q, 1, ref ? ref : "");
		src = sqlite3_step(q);
		if (src == SQLITE_ROW) {
			if ((*out = cJSON_CreateObject()) == NULL)
				rc = oom(err);
			else
				visit_row(*out, q);
		} else if (src == SQLITE_DONE) {
			rc = mo_err_set(err, MO_ENOTFOUND, "not_found", "no visit %s",
					ref ? ref : "");
		} else {
			rc = hub_sqlite_fail(s, src, "read a visit", err);
		}
	}
	sqlite3_finalize(q);
	hub_sqlite_unlock(s);
	return rc;
}

/* ---- text search: Ukrainian letters folded to lower case ---- */

/* the lower-case of one UTF-8 Cyrillic or ASCII letter at p (len bytes) into
 * out; the bytes as they are otherwise.  Returns the bytes consumed. */
static size_t fold_one(const unsigned char *p, char *out, size_t *outn)
{
	if (p[0] < 0x80) {
		out[(*outn)++] = (char)(p[0] >= 'A' && p[0] <= 'Z' ? p[0] + 32 : p[0]);
		return 1;
	}
	if ((p[0] == 0xD0 || p[0] == 0xD1 || p[0] == 0xD2) && p[1] >= 0x80 && p[1] < 0xC0) {
		unsigned cp = ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);

		if (cp >= 0x410 && cp <= 0x42F)
			cp += 0x20; /* А..Я */
		else if (cp >= 0x400 && cp <= 0x40F)
			cp += 0x50; /* Ѐ..Џ (Є, І, Ї) */
		else if (cp == 0x490)
			cp = 0x491; /* Ґ */
		out[(*outn)++] = (char)(0xC0 | (cp >> 6));
		out[(*outn)++] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[(*outn)++] = (char)p[0];
	return 1;
}

static char *fold(const char *s)
{
	size_t n = strlen(s), k = 0;
	char *out = malloc(n + 1);

	if (out == NULL)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p;)
		p += fold_one(p, out, &k);
	out[k] = '\0';
	return out;
}

/* does the visit hold every word of the folded needle? */
static bool visit_matches(const cJSON *v, const char *needle)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(v, "citizen");
	char *addr = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "address"));
	char *hay = NULL, *fh = NULL, *words = NULL;
	const char *parts[] = {proto_json_str(v, "number"),	proto_json_str(c, "surname"),
			       proto_json_str(c, "given_name"), proto_json_str(c, "patronymic"),
			       proto_json_str(c, "phone"),	addr,
			       proto_json_str(v, "reason"),	proto_json_str(v, "note")};
	size_t n = 1;
	bool ok = false;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		n += (parts[i] ? strlen(parts[i]) : 0) + 1;
	if ((hay = malloc(n)) == NULL || (words = strdup(needle)) == NULL)
		goto done;
	{
		size_t at = 0; /* n counts every part and its space: memcpy stays inside */

		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			size_t k = parts[i] ? strlen(parts[i]) : 0;

			memcpy(hay + at, parts[i] ? parts[i] : "", k);
			at += k;
			hay[at++] = ' ';
		}
		hay[at] = '\0';
	}
	if ((fh = fold(hay)) == NULL)
		goto done;
	ok = true;
	for (char *save = NULL, *w = strtok_r(words, " \t", &save); w && ok;
	     w = strtok_r(NULL, " \t", &save))
		ok = strstr(fh, w) != NULL;
done:
	free(addr);
	free(hay);
	free(fh);
	free(words);
	return ok;
}

int hub_store_visit_list(struct hub_store *s, const struct hub_visit_filter *f, cJSON **out,
			 struct mo_err *err)
{
	static const char sql[] =
	    "SELECT " VISIT_COLS " FROM visits WHERE (?1 IS NULL OR unit = ?1) "
	    "AND (?2 IS NULL OR state = ?2) "
	    "AND (?3 IS NULL OR substr(requested_at, 1, 10) >= ?3) "
	    "AND (?4 IS NULL OR substr(requested_at, 1, 10) <= ?4) "
	    "ORDER BY requested_at DESC, number DESC";
	long long limit =
	    f && f->limit > 0 && f->limit < VISIT_LIST_MAX ? f->limit : VISIT_LIST_MAX;
	char *needle = f && f->text && *f->text ? fold(f->text) : NULL;
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *q = NULL;
	long long n = 0;
	int rc, src = SQLITE_DONE;

	*out = NULL;
	if (arr == NULL || (f && f->text && *f->text && needle == NULL)) {
		cJSON_Delete(arr);
		free(needle);
		return oom(err);
	}
	hub_sqlite_lock(s);
	if ((rc = prepare(s, sql, &q, err)) == MO_OK) {
		bind_text(q, 1, f ? f->unit : NULL);
		bind_text(q, 2, f ? f->state : NULL);
		bind_text(q, 3, f ? f->from : NULL);
		bind_text(q, 4, f ? f->to : NULL);
		while (n < limit && (src = sqlite3_step(q)) == SQLITE_ROW) {
			cJSON *o = cJSON_CreateObject();

			if (o == NULL) {
				rc = oom(err);
				break;
			}
			visit_row(o, q);
			if (needle && !visit_matches(o, needle)) {
				cJSON_Delete(o);
				continue;
			}
			cJSON_AddItemToArray(arr, o);
			n++;
		}
		if (rc == MO_OK && src != SQLITE_DONE && src != SQLITE_ROW)
			rc = hub_sqlite_fail(s, src, "list the visits", err);
	}
	sqlite3_finalize(q);
	hub_sqlite_unlock(s);
	free(needle);
	if (rc != MO_OK)
		cJSON_Delete(arr);
	else
		*out = arr;
	return rc;
}

int hub_store_visit_set_state(struct hub_store *s, const char *id, const char *state,
			      const char *reason, const char *scheduled_for, const char *visited_at,
			      struct mo_err *err)
{
	sqlite3_stmt *q = NULL;
	char now[32];
	int rc, src;

	mo_iso8601(now, sizeof(now), mo_now_ms(), true);
	hub_sqlite_lock(s);
	if ((rc = prepare(s,
			  "UPDATE visits SET state = ?2, state_reason = ?3, scheduled_for = ?4, "
			  "visited_at = ?5, updated_at = ?6 WHERE id = ?1",
			  &q, err)) == MO_OK) {
		bind_text(q, 1, id);
		bind_text(q, 2, state);
		bind_text(q, 3, reason);
		bind_text(q, 4, scheduled_for);
		bind_text(q, 5, visited_at);
		bind_text(q, 6, now);
		if ((src = sqlite3_step(q)) != SQLITE_DONE)
			rc = hub_sqlite_fail(s, src, "change a visit's state", err);
		else if (sqlite3_changes(s->db) == 0)
			rc = mo_err_set(err, MO_ENOTFOUND, "not_found", "no visit %s", id);
	}
	sqlite3_finalize(q);
	hub_sqlite_unlock(s);
	return rc;
}

static void case_row(cJSON *o, sqlite3_stmt *q)
{
	str_col(o, "id", q, 0);
	str_col(o, "number", q, 1);
	str_col(o, "status", q, 2);
	str_col(o, "unit", q, 3);
	hub_sqlite_json_text(o, "created_at", q, 4);
}

int hub_store_visit_cases(struct hub_store *s, const char *id, cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc;

	*out = NULL;
	hub_sqlite_lock(s);
	if ((rc = prepare(s,
			  "SELECT id, number, status, unit, json_extract(doc, '$.created_at') "
			  "FROM cases WHERE json_extract(doc, '$.visit') = ?1 "
			  "AND status <> 'draft' ORDER BY 5, number",
			  &q, err)) == MO_OK) {
		bind_text(q, 1, id);
		/* hub_sqlite_list_rows resets q; it is finalized below */
		rc = hub_sqlite_list_rows(s, q, out, case_row, err);
	}
	sqlite3_finalize(q);
	hub_sqlite_unlock(s);
	return rc;
}

/* ---- the annual report ---- */

#define IN_UNIT "(?1 IS NULL OR v.unit = ?1)"
#define REQUESTED_IN                                                                               \
	"(?2 IS NULL OR substr(v.requested_at, 1, 10) >= ?2) AND "                                 \
	"(?3 IS NULL OR substr(v.requested_at, 1, 10) <= ?3)"
#define VISITED_IN                                                                                 \
	"v.state = 'visited' AND v.visited_at IS NOT NULL AND "                                    \
	"(?2 IS NULL OR substr(v.visited_at, 1, 10) >= ?2) AND "                                   \
	"(?3 IS NULL OR substr(v.visited_at, 1, 10) <= ?3)"

int hub_store_visit_report(struct hub_store *s, const struct hub_case_filter *f, cJSON *report,
			   struct mo_err *err)
{
	static const char totals[] =
	    "SELECT (SELECT count(*) FROM visits v WHERE " IN_UNIT " AND " REQUESTED_IN "), "
	    "(SELECT count(*) FROM visits v WHERE " IN_UNIT " AND " VISITED_IN "), "
	    "(SELECT count(*) FROM visits v WHERE " IN_UNIT
	    " AND v.state = 'cancelled' AND " REQUESTED_IN "), "
	    "(SELECT avg(julianday(v.visited_at) - julianday(v.requested_at)) FROM visits v "
	    "WHERE " IN_UNIT " AND " VISITED_IN ")";
	static const char kinds[] =
	    "SELECT u.kind, count(*) FROM visits v JOIN units u ON u.code = "
	    "v.unit WHERE " IN_UNIT " AND " VISITED_IN " GROUP BY u.kind";
	sqlite3_stmt *q = NULL;
	cJSON *vo, *it, *rows = cJSON_GetObjectItemCaseSensitive(report, "per_unit_kind");
	int rc, src;

	cJSON_DeleteItemFromObjectCaseSensitive(report, "visits");
	if ((vo = cJSON_AddObjectToObject(report, "visits")) == NULL)
		return oom(err);
	cJSON_ArrayForEach(it, rows)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(it, "home_visits");
		cJSON_AddNumberToObject(it, "home_visits", 0);
	}
	hub_sqlite_lock(s);
	if ((rc = prepare(s, totals, &q, err)) != MO_OK)
		goto done;
	bind_text(q, 1, f ? f->unit : NULL);
	bind_text(q, 2, f ? f->from : NULL);
	bind_text(q, 3, f ? f->to : NULL);
	if ((src = sqlite3_step(q)) != SQLITE_ROW) {
		rc = hub_sqlite_fail(s, src, "count the visits", err);
		goto done;
	}
	cJSON_AddNumberToObject(vo, "requested", (double)sqlite3_column_int64(q, 0));
	cJSON_AddNumberToObject(vo, "visited", (double)sqlite3_column_int64(q, 1));
	cJSON_AddNumberToObject(vo, "cancelled", (double)sqlite3_column_int64(q, 2));
	if (sqlite3_column_type(q, 3) == SQLITE_NULL)
		cJSON_AddNullToObject(vo, "avg_days_to_visit");
	else
		cJSON_AddNumberToObject(vo, "avg_days_to_visit", sqlite3_column_double(q, 3));
	sqlite3_finalize(q);
	if ((rc = prepare(s, kinds, &q, err)) != MO_OK)
		goto done;
	bind_text(q, 1, f ? f->unit : NULL);
	bind_text(q, 2, f ? f->from : NULL);
	bind_text(q, 3, f ? f->to : NULL);
	while ((src = sqlite3_step(q)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(q, 0);

		cJSON_ArrayForEach(it, rows)
		{
			const char *k = proto_json_str(it, "kind");

			if (k && kind && strcmp(k, kind) == 0)
				cJSON_SetNumberValue(
				    cJSON_GetObjectItemCaseSensitive(it, "home_visits"),
				    (double)sqlite3_column_int64(q, 1));
		}
	}
	if (src != SQLITE_DONE)
		rc = hub_sqlite_fail(s, src, "count the visits by kind", err);
done:
	sqlite3_finalize(q);
	hub_sqlite_unlock(s);
	return rc;
}
