/* store.c — all SQL of mo-agent (store.h). */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "change.h"
#include "compress.h"
#include "embedded.h"
#include "hlc.h"
#include "mo_util.h"

/* schema/agent/NNN_*.sql, embedded by tools/embed.py (agent/meson.build) */
extern const struct mo_embedded agent_schema[];
extern const size_t agent_schema_count;

enum q {
	Q_META_GET,
	Q_META_SET,
	Q_OUTBOX_NEXT,
	Q_OUTBOX_ADD,
	Q_SVC_GET,
	Q_SVC_UPSERT,
	Q_OP_ADD,
	Q_OP_EXISTS,
	Q_OP_LIST,
	Q_OP_PIN_GET,
	Q_OP_PIN_SET,
	Q_OP_PIN_COUNT,
	Q_TRIP_INSERT,
	Q_TRIP_END,
	Q_TRIP_OPEN,
	Q_TRIP_LIST,
	Q_CASE_EXISTS,
	Q_CASE_GET,
	Q_CASE_SVCS,
	Q_CASE_INSERT,
	Q_CASE_SVC_INSERT,
	Q_CASE_UPDATE,
	Q_CASE_SVC_UPDATE,
	Q_CASE_STATUS_GET,
	Q_CASE_STATUS_SET,
	Q_FTS_INSERT,
	Q_FTS_DELETE,
	Q_CASE_LIST,
	Q_EVENT_ADD,
	Q_EVENTS_OF,
	Q_UNSEEN,
	Q_UNSEEN_MARK,
	Q_INBOX,
	Q_INBOX_SEEN,
	Q_COMMENT_ADD,
	Q_COMMENTS_OF,
	Q_ATT_ADD,
	Q_ATTS_OF,
	Q_RATING_ADD,
	Q_BLOBS_PENDING,
	Q_BLOB_UPLOADED,
	Q_BATCH_PENDING,
	Q_BATCH_LAST,
	Q_OUTBOX_COLLECT,
	Q_BATCH_INSERT,
	Q_OUTBOX_ASSIGN,
	Q_BATCH_ACK,
	Q_OUTBOX_SENT,
	Q_BATCH_SUBMITTED,
	Q_QUAR_ADD,
	Q_QUAR_LIST,
	Q_PENDING,
	Q_COUNTS,
	Q_STAMPS_GET,
	Q_STAMPS_PUT,
	Q_CODE_PUT,
	Q_CODE_GET,
	Q_COUNT
};

static const char *const SQL[Q_COUNT] = {
    [Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [Q_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2) "
		   "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [Q_OUTBOX_NEXT] = "SELECT coalesce(max(n), 0) + 1 FROM outbox",
    [Q_OUTBOX_ADD] = "INSERT INTO outbox(n, entity, entity_id, op, json, operator) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_SVC_GET] = "SELECT code, coalesce(category, ''), title_uk, title_en, fee_uah, "
		  "required_documents, members, active FROM services WHERE code = ?1",
    [Q_SVC_UPSERT] = "INSERT INTO services(code, category, title_uk, title_en, fee_uah, "
		     "required_documents, members, active) VALUES (?1, ?2, coalesce(?3, ''), "
		     "coalesce(?4, ''), coalesce(?5, 0), coalesce(?6, '[]'), ?7, coalesce(?8, 1)) "
		     "ON CONFLICT(code) DO UPDATE SET category = coalesce(?2, category), "
		     "title_uk = coalesce(?3, title_uk), title_en = coalesce(?4, title_en), "
		     "fee_uah = coalesce(?5, fee_uah), "
		     "required_documents = coalesce(?6, required_documents), "
		     "members = coalesce(?7, members), active = coalesce(?8, active)",
    [Q_OP_ADD] = "INSERT OR IGNORE INTO operators(name, created_at) VALUES (?1, ?2)",
    [Q_OP_EXISTS] = "SELECT 1 FROM operators WHERE name = ?1",
    [Q_OP_LIST] = "SELECT name, created_at, pin_hash IS NOT NULL FROM operators "
		  "ORDER BY created_at, name",
    [Q_OP_PIN_GET] = "SELECT coalesce(pin_hash, ''), pin_failures, pin_wait_until FROM operators "
		     "WHERE name = ?1",
    [Q_OP_PIN_SET] = "UPDATE operators SET pin_hash = ?2, pin_failures = 0, pin_wait_until = 0 "
		     "WHERE name = ?1",
    [Q_OP_PIN_COUNT] = "UPDATE operators SET pin_failures = ?2, pin_wait_until = ?3 WHERE name = ?1",
    [Q_TRIP_INSERT] =
	"INSERT INTO trips(id, unit, settlement, kind, started_at, ended_at, crew, "
	"operator) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO UPDATE SET "
	"unit = excluded.unit, settlement = excluded.settlement, kind = excluded.kind, "
	"started_at = excluded.started_at, ended_at = excluded.ended_at, "
	"crew = excluded.crew",
    [Q_TRIP_END] = "UPDATE trips SET ended_at = ?2 WHERE id = ?1",
    [Q_TRIP_OPEN] = "SELECT id FROM trips WHERE ended_at IS NULL "
		    "ORDER BY started_at DESC LIMIT 1",
    [Q_TRIP_LIST] = "SELECT t.id, t.settlement, t.kind, t.started_at, t.ended_at, t.crew, "
		    "(SELECT count(*) FROM cases c WHERE c.trip = t.id) FROM trips t "
		    "ORDER BY t.started_at",
    [Q_CASE_EXISTS] = "SELECT 1 FROM cases WHERE id = ?1",
    [Q_CASE_GET] = "SELECT id, number, status, coalesce(trip, ''), coalesce(operator, ''), "
		   "created_at, origin, data FROM cases WHERE id = ?1 OR number = ?1 "
		   "LIMIT 1",
    [Q_CASE_SVCS] = "SELECT code, status FROM case_services WHERE case_id = ?1 ORDER BY pos",
    [Q_CASE_INSERT] = "INSERT INTO cases(id, number, status, trip, operator, created_at, "
		      "updated_at, origin, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [Q_CASE_SVC_INSERT] = "INSERT INTO case_services(case_id, pos, code, status) "
			  "VALUES (?1, ?2, ?3, ?4)",
    [Q_CASE_UPDATE] = "UPDATE cases SET status = ?2, data = ?3, updated_at = ?4 WHERE id = ?1",
    /* a service whose status stays is not rewritten */
    [Q_CASE_SVC_UPDATE] = "UPDATE case_services SET status = ?3 WHERE case_id = ?1 "
			  "AND code = ?2 AND status <> ?3",
    [Q_CASE_STATUS_GET] = "SELECT id, status FROM cases WHERE id = ?1",
    [Q_CASE_STATUS_SET] = "UPDATE cases SET status = ?2, updated_at = ?3 WHERE id = ?1",
    [Q_FTS_INSERT] = "INSERT INTO cases_fts(rowid, case_id, number, surname, given_name, "
		     "patronymic, rnokpp, phone) VALUES ((SELECT rowid FROM cases WHERE "
		     "id = ?1), ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [Q_FTS_DELETE] = "DELETE FROM cases_fts WHERE rowid = (SELECT rowid FROM cases "
		     "WHERE id = ?1)",
    [Q_CASE_LIST] =
	"SELECT c.id, c.number, c.status, json_extract(c.data, '$.applicant.surname'), "
	"json_extract(c.data, '$.applicant.given_name'), "
	"json_extract(c.data, '$.applicant.patronymic'), c.created_at, c.operator, "
	"c.trip, json_extract(c.data, '$.package'), "
	"(SELECT json_group_array(json_object('code', s.code, 'status', s.status)) FROM "
	"(SELECT code, status FROM case_services WHERE case_id = c.id ORDER BY pos) s) "
	"FROM cases c WHERE (?1 IS NULL OR c.status = ?1) AND (?2 IS NULL OR c.trip = ?2) "
	"AND (?3 IS NULL OR c.rowid IN (SELECT rowid FROM cases_fts WHERE cases_fts "
	"MATCH ?3)) ORDER BY c.created_at, c.number LIMIT ?4",
    [Q_EVENT_ADD] = "INSERT INTO events(case_id, at, kind, from_status, to_status, service, "
		    "reason, actor, origin, seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		    "?10)",
    [Q_EVENTS_OF] = "SELECT at, kind, from_status, to_status, service, reason, actor, origin "
		    "FROM events WHERE case_id = ?1 ORDER BY id",
    [Q_UNSEEN] = "SELECT c.id, c.number, e.from_status, e.to_status, e.service, e.reason, "
		 "e.at, e.kind FROM events e JOIN cases c ON c.id = e.case_id "
		 "WHERE e.seen = 0 ORDER BY e.id",
    [Q_UNSEEN_MARK] = "UPDATE events SET seen = 1 WHERE seen = 0",
    /* one row per case with news, the newest first, with its latest event */
    [Q_INBOX] = "SELECT c.id, c.number, c.status, json_extract(c.data, '$.applicant.surname'), "
		"json_extract(c.data, '$.applicant.given_name'), "
		"json_extract(c.data, '$.applicant.patronymic'), u.n, l.kind, l.to_status, "
		"l.service, l.reason, l.at FROM (SELECT case_id, COUNT(*) AS n, MAX(id) AS last "
		"FROM events WHERE seen = 0 GROUP BY case_id) u JOIN cases c ON c.id = u.case_id "
		"JOIN events l ON l.id = u.last ORDER BY u.last DESC LIMIT ?1",
    [Q_INBOX_SEEN] = "UPDATE events SET seen = 1 WHERE seen = 0 AND case_id = ?1",
    [Q_COMMENT_ADD] = "INSERT OR IGNORE INTO comments(id, case_id, text, author, at, origin) "
		      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_COMMENTS_OF] = "SELECT id, text, author, at, origin FROM comments WHERE case_id = ?1 "
		      "ORDER BY at, id",
    [Q_ATT_ADD] = "INSERT OR IGNORE INTO attachments(id, case_id, sha256, media_type, size, "
		  "name, kind, uploaded, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [Q_ATTS_OF] = "SELECT id, sha256, media_type, size, name, kind, uploaded FROM "
		  "attachments WHERE case_id = ?1 ORDER BY rowid",
    [Q_RATING_ADD] = "INSERT INTO ratings(id, case_id, score, comment, at) VALUES (?1, ?2, "
		     "?3, ?4, ?5)",
    [Q_BLOBS_PENDING] = "SELECT sha256, max(size) FROM attachments WHERE uploaded = 0 AND "
			"origin = 'local' GROUP BY sha256 ORDER BY min(rowid)",
    [Q_BLOB_UPLOADED] = "UPDATE attachments SET uploaded = 1 WHERE sha256 = ?1",
    [Q_BATCH_PENDING] = "SELECT seq, first, last, count, raw, prev, hash, envelope FROM "
			"batches WHERE acked_at IS NULL ORDER BY seq LIMIT 1",
    [Q_BATCH_LAST] = "SELECT seq, hash FROM batches ORDER BY seq DESC LIMIT 1",
    [Q_OUTBOX_COLLECT] = "SELECT n, json FROM outbox WHERE batch IS NULL ORDER BY n LIMIT ?1",
    [Q_BATCH_INSERT] = "INSERT INTO batches(seq, first, last, count, prev, hash, raw, "
		       "envelope, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [Q_OUTBOX_ASSIGN] = "UPDATE outbox SET batch = ?1 WHERE n BETWEEN ?2 AND ?3 AND "
			"batch IS NULL",
    [Q_BATCH_ACK] = "UPDATE batches SET acked_at = ?2 WHERE seq = ?1 AND acked_at IS NULL",
    [Q_OUTBOX_SENT] = "UPDATE outbox SET sent = 1 WHERE batch = ?1",
    /* the services an acked batch leaves submitted: the hub received them */
    [Q_BATCH_SUBMITTED] = "SELECT cs.case_id, cs.code, c.status FROM case_services cs "
			  "JOIN cases c ON c.id = cs.case_id WHERE cs.status = 'submitted' "
			  "AND cs.case_id IN (SELECT entity_id FROM outbox WHERE batch = ?1 "
			  "AND entity = 'case' AND n NOT IN (SELECT n FROM quarantine)) "
			  "ORDER BY cs.case_id",
    [Q_QUAR_ADD] = "INSERT OR REPLACE INTO quarantine(n, code, message, at) VALUES (?1, ?2, "
		   "?3, ?4)",
    [Q_QUAR_LIST] = "SELECT q.n, q.code, q.message, q.at, o.entity, o.entity_id, "
		    "(SELECT number FROM cases WHERE id = o.entity_id) FROM quarantine q "
		    "LEFT JOIN outbox o ON o.n = q.n ORDER BY q.n",
    [Q_PENDING] = "SELECT count(*), coalesce(sum(length(json)), 0) FROM outbox WHERE sent = 0",
    [Q_COUNTS] = "SELECT status, count(*) FROM cases GROUP BY status ORDER BY status",
    [Q_STAMPS_GET] = "SELECT stamps FROM cases WHERE id = ?1",
    [Q_STAMPS_PUT] = "UPDATE cases SET stamps = ?2 WHERE id = ?1",
    [Q_CODE_PUT] = "INSERT OR REPLACE INTO case_codes(case_id, code) VALUES (?1, ?2)",
    [Q_CODE_GET] = "SELECT code FROM case_codes WHERE case_id = ?1",
};

struct agent_store {
	sqlite3 *db;
	sqlite3_stmt *st[Q_COUNT];
	struct proto_clock clock;
};

/* ---- helpers ---- */

static int db_err(struct agent_store *s, int src, struct mo_err *err, const char *what)
{
	int rc;

	switch (src & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED: rc = MO_EBUSY; break;
	case SQLITE_FULL: rc = MO_EFULL; break;
	case SQLITE_CONSTRAINT: rc = MO_ECONFLICT; break;
	case SQLITE_NOMEM: rc = MO_ENOMEM; break;
	default: rc = MO_EIO; break;
	}
	return mo_err_set(err, rc, NULL, "database: %s: %s", what,
			  s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(src));
}

static sqlite3_stmt *stmt(struct agent_store *s, enum q q)
{
	sqlite3_stmt *st = s->st[q];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* run a statement that returns no rows */
static int run(struct agent_store *s, sqlite3_stmt *st, struct mo_err *err, const char *what)
{
	int src = sqlite3_step(st);

	sqlite3_reset(st);
	if (src != SQLITE_DONE && src != SQLITE_ROW)
		return db_err(s, src, err, what);
	return MO_OK;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

static cJSON *col_json(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return t ? cJSON_ParseWithLength(t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

/*
 * Packed columns.  The outbox's change JSON and a case's field stamps are
 * read only through this file, never by SQL, so they are kept deflated with
 * the wire dictionary (a change of ~1.2 KB takes ~230 bytes, the stamps of a
 * new case ~200 instead of ~2 KB: one path and one "HLC:device" per field).
 * A BLOB is packed; TEXT is what an older mo-agent wrote, read as it is.
 */
#define PACKED_MAX (64u << 20) /* PROTO_INFLATED_MAX: no change is larger */

static int bind_packed(sqlite3_stmt *st, int i, const char *text, size_t len, struct mo_err *err)
{
	struct mo_buf z = MO_BUF_INIT(PACKED_MAX);
	int rc = proto_deflate(&z, text, len, 6, proto_dict_default(), err);

	if (rc == MO_OK)
		sqlite3_bind_blob(st, i, z.data, (int)z.len, SQLITE_TRANSIENT);
	mo_buf_release(&z);
	return rc;
}

/* column i as text in out (mo_buf keeps it NUL-terminated) */
static int col_unpacked(sqlite3_stmt *st, int i, struct mo_buf *out, struct mo_err *err)
{
	const void *p;
	int rc;

	if (sqlite3_column_type(st, i) == SQLITE_BLOB) {
		p = sqlite3_column_blob(st, i);
		return proto_inflate(out, p, (size_t)sqlite3_column_bytes(st, i), PACKED_MAX, err);
	}
	p = sqlite3_column_text(st, i);
	mo_buf_reset(out);
	if (p && (rc = mo_buf_add(out, p, (size_t)sqlite3_column_bytes(st, i))) != MO_OK)
		return mo_err_set(err, rc, NULL, "out of memory");
	return MO_OK;
}

static void now_iso(char out[32])
{
	mo_iso8601(out, 32, mo_now_ms(), true);
}

static int exec(struct agent_store *s, const char *sql, struct mo_err *err)
{
	int src = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return src == SQLITE_OK ? MO_OK : db_err(s, src, err, "exec");
}

/* ---- lifecycle ---- */

static int seed_catalogue(struct agent_store *s, struct mo_err *err)
{
	cJSON *root = NULL, *it;
	int rc = MO_OK;

	if (proto_catalogue_count == 0)
		return MO_OK;
	root = cJSON_ParseWithLength((const char *)proto_catalogue[0].data, proto_catalogue[0].len);
	if (root == NULL)
		return mo_err_set(err, MO_ECORRUPT, NULL, "embedded catalogue is not JSON");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(root, "services"))
	{
		const char *code =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "code"));

		if (code && (rc = agent_store_service_upsert(s, code, it, err)) != MO_OK)
			goto done;
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(root, "packages"))
	{
		const char *code =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "code"));
		cJSON *f = cJSON_Duplicate(it, 1);

		if (f == NULL) {
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			goto done;
		}
		/* a package names its members "services" in the catalogue file */
		cJSON *m = cJSON_DetachItemFromObjectCaseSensitive(f, "services");
		if (m)
			cJSON_AddItemToObject(f, "members", m);
		if (cJSON_GetObjectItemCaseSensitive(f, "category") == NULL)
			cJSON_AddStringToObject(f, "category", "package");
		rc = code ? agent_store_service_upsert(s, code, f, err) : MO_OK;
		cJSON_Delete(f);
		if (rc != MO_OK)
			goto done;
	}
done:
	cJSON_Delete(root);
	return rc;
}

static int migrate(struct agent_store *s, struct mo_err *err)
{
	sqlite3_stmt *st = NULL;
	int version = 0, rc = MO_OK, src;

	src = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
	if (src != SQLITE_OK)
		return db_err(s, src, err, "user_version");
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if ((size_t)version > agent_schema_count)
		return mo_err_set(err, MO_ECORRUPT, NULL,
				  "the database is newer (schema %d) than this program (%zu)",
				  version, agent_schema_count);
	for (size_t i = (size_t)version; i < agent_schema_count; i++) {
		char *sql = malloc(agent_schema[i].len + 1), pragma[64];

		if (sql == NULL)
			return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		memcpy(sql, agent_schema[i].data, agent_schema[i].len);
		sql[agent_schema[i].len] = '\0';
		if ((rc = exec(s, "BEGIN IMMEDIATE", err)) != MO_OK) {
			free(sql);
			return rc;
		}
		src = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
		free(sql);
		if (src != SQLITE_OK) {
			rc = db_err(s, src, err, agent_schema[i].name);
			exec(s, "ROLLBACK", NULL);
			return rc;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %zu", i + 1);
		if ((rc = exec(s, pragma, err)) != MO_OK ||
		    (rc = exec(s, "COMMIT", err)) != MO_OK) {
			exec(s, "ROLLBACK", NULL);
			return rc;
		}
	}
	return MO_OK;
}

int agent_store_open(struct agent_store **out, const char *path, struct mo_err *err)
{
	struct agent_store *s = calloc(1, sizeof(*s));
	long long hlc = 0, seeded = 0;
	int rc = MO_OK, src;

	*out = NULL;
	if (s == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	src = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (src != SQLITE_OK) {
		rc = mo_err_set(err, MO_EIO, NULL, "cannot open '%s': %s", path,
				s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(src));
		goto done;
	}
	sqlite3_busy_timeout(s->db, 15000);
	/* a case row is ~1.4 KB: 4 KiB pages hold two or three of them (a third
	 * of each page empty), 8 KiB pages five.  Only a new file takes it (an
	 * existing database keeps its page size). */
	if ((rc = exec(s, "PRAGMA page_size = 8192", err)) != MO_OK ||
	    (rc = exec(s, "PRAGMA journal_mode = WAL", err)) != MO_OK ||
	    (rc = exec(s, "PRAGMA synchronous = FULL", err)) != MO_OK ||
	    (rc = exec(s, "PRAGMA foreign_keys = ON", err)) != MO_OK ||
	    /* 8 MiB of page cache: a 500-line import transaction stays in memory
	     * instead of spilling the same pages to the WAL again and again */
	    (rc = exec(s, "PRAGMA cache_size = -8192", err)) != MO_OK ||
	    (rc = migrate(s, err)) != MO_OK)
		goto done;
	for (int i = 0; i < Q_COUNT; i++) {
		src = sqlite3_prepare_v3(s->db, SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
					 NULL);
		if (src != SQLITE_OK) {
			rc = db_err(s, src, err, "prepare");
			goto done;
		}
	}
	/* a failed read must not restart the clock at 0 (or reseed): the open fails */
	if ((rc = agent_meta_get_i64_err(s, "hlc", 0, &hlc, err)) != MO_OK ||
	    (rc = agent_meta_get_i64_err(s, "catalogue_seeded", 0, &seeded, err)) != MO_OK)
		goto done;
	s->clock.last = (uint64_t)hlc;
	/* the catalogue ships with the program, so a laptop works before its first pull */
	if (seeded == 0) {
		if ((rc = agent_store_begin(s, err)) != MO_OK)
			goto done;
		if ((rc = seed_catalogue(s, err)) != MO_OK ||
		    (rc = agent_meta_set_i64(s, "catalogue_seeded", 1, err)) != MO_OK ||
		    (rc = agent_store_commit(s, err)) != MO_OK) {
			agent_store_rollback(s);
			goto done;
		}
	}
done:
	if (rc != MO_OK) {
		agent_store_close(s);
		return rc;
	}
	*out = s;
	return MO_OK;
}

void agent_store_close(struct agent_store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

/* ---- transactions ---- */

int agent_store_begin(struct agent_store *s, struct mo_err *err)
{
	return exec(s, "BEGIN IMMEDIATE", err);
}

int agent_store_commit(struct agent_store *s, struct mo_err *err)
{
	return exec(s, "COMMIT", err);
}

void agent_store_rollback(struct agent_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		(void)exec(s, "ROLLBACK", NULL);
	/* the in-memory clock may be ahead of the stored one: harmless, it only grows */
}

int agent_store_savepoint(struct agent_store *s, struct mo_err *err)
{
	return exec(s, "SAVEPOINT line", err);
}

int agent_store_release(struct agent_store *s, struct mo_err *err)
{
	return exec(s, "RELEASE line", err);
}

void agent_store_rollback_to(struct agent_store *s)
{
	(void)exec(s, "ROLLBACK TO line", NULL);
	(void)exec(s, "RELEASE line", NULL);
}

/* ---- meta ---- */

int agent_meta_get(struct agent_store *s, const char *key, char *out, size_t outlen)
{
	sqlite3_stmt *st = stmt(s, Q_META_GET);
	int rc = MO_ENOTFOUND;

	if (outlen)
		out[0] = '\0';
	bind_text(st, 1, key);
	if (sqlite3_step(st) == SQLITE_ROW) {
		mo_strlcpy(out, col_text(st, 0), outlen);
		rc = MO_OK;
	}
	sqlite3_reset(st);
	return rc;
}

int agent_meta_get_i64_err(struct agent_store *s, const char *key, long long dflt, long long *out,
			   struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_META_GET);
	int rc = MO_OK, src;
	long long n;

	*out = dflt;
	bind_text(st, 1, key);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		if (mo_parse_i64(&n, col_text(st, 0), -0x7fffffffffffffffLL, 0x7fffffffffffffffLL))
			*out = n;
		else
			rc = mo_err_set(err, MO_ECORRUPT, NULL,
					"database: setting '%s' is not a number", key);
	} else if (src != SQLITE_DONE) {
		rc = db_err(s, src, err, key);
	}
	sqlite3_reset(st);
	return rc;
}

long long agent_meta_get_i64(struct agent_store *s, const char *key, long long dflt)
{
	long long n;

	if (agent_meta_get_i64_err(s, key, dflt, &n, NULL) != MO_OK)
		return dflt;
	return n;
}

int agent_meta_set(struct agent_store *s, const char *key, const char *value, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_META_SET);

	bind_text(st, 1, key);
	bind_text(st, 2, value);
	return run(s, st, err, "meta");
}

int agent_meta_set_i64(struct agent_store *s, const char *key, long long v, struct mo_err *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return agent_meta_set(s, key, buf, err);
}

int agent_store_hlc_next(struct agent_store *s, uint64_t *out, struct mo_err *err)
{
	*out = proto_hlc_now(&s->clock, mo_now_ms());
	return agent_meta_set_i64(s, "hlc", (long long)s->clock.last, err);
}

int agent_store_hlc_receive(struct agent_store *s, uint64_t remote, struct mo_err *err)
{
	/* no 24 h limit: it guards the hub against laptops ahead; a laptop days
	 * behind must still move past the hub's time, or its next edits are
	 * stamped before what it has seen and silently lose at the hub */
	int rc = proto_hlc_receive(&s->clock, remote, mo_now_ms(), UINT64_MAX, err);

	if (rc != MO_OK)
		return rc;
	return agent_meta_set_i64(s, "hlc", (long long)s->clock.last, err);
}

/* ---- outbox ---- */

int agent_store_outbox_add(struct agent_store *s, const char *entity, const char *id,
			   const char *op, const cJSON *fields, const char *operator_name,
			   long long *n_out, struct mo_err *err)
{
	struct proto_change ch;
	sqlite3_stmt *st;
	cJSON *obj = NULL;
	char *json = NULL, hlc[PROTO_HLC_HEX];
	long long n = 0;
	int rc;

	memset(&ch, 0, sizeof(ch));
	st = stmt(s, Q_OUTBOX_NEXT);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (n <= 0)
		return mo_err_set(err, MO_EIO, NULL, "database: cannot number the change");
	ch.n = n;
	mo_strlcpy(ch.entity, entity, sizeof(ch.entity));
	mo_strlcpy(ch.id, id, sizeof(ch.id));
	mo_strlcpy(ch.op, op, sizeof(ch.op));
	if ((rc = agent_store_hlc_next(s, &ch.hlc, err)) != MO_OK)
		return rc;
	ch.fields = cJSON_Duplicate(fields, 1);
	if (ch.fields == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	if (!proto_change_check(&ch)) {
		rc = mo_err_set(err, MO_EINVAL, ch.qcode, "%s", ch.qmsg);
		goto done;
	}
	/* canonical key order: n, entity, id, op, hlc, fields */
	proto_hlc_format(hlc, ch.hlc);
	if ((obj = cJSON_CreateObject()) == NULL || !cJSON_AddNumberToObject(obj, "n", (double)n) ||
	    !cJSON_AddStringToObject(obj, "entity", entity) ||
	    !cJSON_AddStringToObject(obj, "id", id) || !cJSON_AddStringToObject(obj, "op", op) ||
	    !cJSON_AddStringToObject(obj, "hlc", hlc)) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	cJSON_AddItemToObject(obj, "fields", ch.fields);
	ch.fields = NULL; /* now owned by obj */
	if ((json = cJSON_PrintUnformatted(obj)) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	st = stmt(s, Q_OUTBOX_ADD);
	sqlite3_bind_int64(st, 1, n);
	bind_text(st, 2, entity);
	bind_text(st, 3, id);
	bind_text(st, 4, op);
	if ((rc = bind_packed(st, 5, json, strlen(json), err)) != MO_OK) {
		sqlite3_reset(st);
		goto done;
	}
	bind_text(st, 6, operator_name);
	if ((rc = run(s, st, err, "outbox")) != MO_OK)
		goto done;
	if (n_out)
		*n_out = n;
done:
	cJSON_Delete(ch.fields);
	cJSON_Delete(obj);
	free(json);
	return rc;
}

/* ---- catalogue ---- */

void agent_service_release(struct agent_service *svc)
{
	cJSON_Delete(svc->members);
	cJSON_Delete(svc->required_documents);
	svc->members = NULL;
	svc->required_documents = NULL;
}

int agent_store_service_get(struct agent_store *s, const char *code, struct agent_service *out,
			    struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_SVC_GET);
	int rc = MO_OK;

	memset(out, 0, sizeof(*out));
	bind_text(st, 1, code);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = mo_err_set(err, MO_ENOTFOUND, "unknown_service", "unknown service '%s'", code);
		goto done;
	}
	mo_strlcpy(out->code, col_text(st, 0), sizeof(out->code));
	mo_strlcpy(out->category, col_text(st, 1), sizeof(out->category));
	mo_strlcpy(out->title_uk, col_text(st, 2), sizeof(out->title_uk));
	mo_strlcpy(out->title_en, col_text(st, 3), sizeof(out->title_en));
	out->fee_uah = sqlite3_column_int64(st, 4);
	out->required_documents = col_json(st, 5);
	out->members = sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : col_json(st, 6);
	if (out->members &&
	    (!cJSON_IsArray(out->members) || cJSON_GetArraySize(out->members) == 0)) {
		cJSON_Delete(out->members);
		out->members = NULL;
	}
	out->is_package = out->members != NULL;
	out->active = sqlite3_column_int(st, 7) != 0;
done:
	sqlite3_reset(st);
	return rc;
}

/* bind a JSON array member as text, or NULL when absent */
static int bind_json(sqlite3_stmt *st, int i, const cJSON *v)
{
	char *t;

	if (v == NULL || cJSON_IsNull(v)) {
		sqlite3_bind_null(st, i);
		return MO_OK;
	}
	if ((t = cJSON_PrintUnformatted(v)) == NULL)
		return MO_ENOMEM;
	sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT);
	free(t);
	return MO_OK;
}

int agent_store_service_upsert(struct agent_store *s, const char *code, const cJSON *f,
			       struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_SVC_UPSERT);
	const cJSON *v;

	bind_text(st, 1, code);
	bind_text(st, 2, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "category")));
	bind_text(st, 3, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "title_uk")));
	bind_text(st, 4, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "title_en")));
	v = cJSON_GetObjectItemCaseSensitive(f, "fee_uah");
	if (cJSON_IsNumber(v))
		sqlite3_bind_int64(st, 5, (sqlite3_int64)v->valuedouble);
	if (bind_json(st, 6, cJSON_GetObjectItemCaseSensitive(f, "required_documents")) != MO_OK ||
	    bind_json(st, 7, cJSON_GetObjectItemCaseSensitive(f, "members")) != MO_OK)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	v = cJSON_GetObjectItemCaseSensitive(f, "active");
	if (cJSON_IsBool(v))
		sqlite3_bind_int(st, 8, cJSON_IsTrue(v));
	return run(s, st, err, "service");
}

/* ---- operators ---- */

int agent_store_operator_add(struct agent_store *s, const char *name, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_OP_ADD);
	char now[32];

	now_iso(now);
	bind_text(st, 1, name);
	bind_text(st, 2, now);
	return run(s, st, err, "operator");
}

bool agent_store_operator_exists(struct agent_store *s, const char *name)
{
	sqlite3_stmt *st = stmt(s, Q_OP_EXISTS);
	bool found;

	bind_text(st, 1, name);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return found;
}

int agent_store_operator_list(struct agent_store *s, cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_OP_LIST);
	cJSON *arr = cJSON_CreateArray();
	char cur[128];
	int src;

	(void)agent_meta_get(s, "operator", cur, sizeof(cur));
	while (arr && (src = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "name", col_text(st, 0));
		cJSON_AddStringToObject(o, "added_at", col_text(st, 1));
		cJSON_AddBoolToObject(o, "current", strcmp(cur, col_text(st, 0)) == 0);
		cJSON_AddBoolToObject(o, "has_pin", sqlite3_column_int(st, 2) != 0);
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(st);
	if (arr == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	*out = arr;
	return MO_OK;
}

int agent_store_operator_pin_get(struct agent_store *s, const char *name,
				 struct agent_operator_pin *out, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_OP_PIN_GET);
	int src;

	memset(out, 0, sizeof(*out));
	bind_text(st, 1, name);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		mo_strlcpy(out->hash, col_text(st, 0), sizeof(out->hash));
		out->failures = sqlite3_column_int64(st, 1);
		out->wait_until_ms = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (src == SQLITE_DONE)
		return mo_err_set(err, MO_ENOTFOUND, "unknown_operator", "%s", name);
	if (src != SQLITE_ROW)
		return mo_err_set(err, MO_EIO, "storage", "operator: %s", sqlite3_errmsg(s->db));
	return MO_OK;
}

int agent_store_operator_pin_set(struct agent_store *s, const char *name, const char *hash,
				 struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_OP_PIN_SET);

	bind_text(st, 1, name);
	bind_text(st, 2, hash);
	return run(s, st, err, "operator");
}

int agent_store_operator_pin_count(struct agent_store *s, const char *name, long long failures,
				   long long wait_until_ms, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_OP_PIN_COUNT);

	bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, failures);
	sqlite3_bind_int64(st, 3, wait_until_ms);
	return run(s, st, err, "operator");
}

/* ---- receipt status codes ---- */

int agent_store_case_code_put(struct agent_store *s, const char *case_id, const char *code,
			      struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_CODE_PUT);

	bind_text(st, 1, case_id);
	bind_text(st, 2, code);
	return run(s, st, err, "status code");
}

int agent_store_case_code_get(struct agent_store *s, const char *case_id, char *out, size_t outlen)
{
	sqlite3_stmt *st = stmt(s, Q_CODE_GET);
	int rc = MO_ENOTFOUND;

	if (outlen)
		out[0] = '\0';
	bind_text(st, 1, case_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		mo_strlcpy(out, col_text(st, 0), outlen);
		rc = MO_OK;
	}
	sqlite3_reset(st);
	return rc;
}

/* ---- trips ---- */

int agent_store_trip_put(struct agent_store *s, const char *id, const cJSON *f,
			 const char *operator_name, struct mo_err *err)
{
	sqlite3_stmt *st;
	const cJSON *ended = cJSON_GetObjectItemCaseSensitive(f, "ended_at");

	if (cJSON_GetObjectItemCaseSensitive(f, "started_at") == NULL) {
		/* a later upsert: only ended_at is ever changed after the start */
		st = stmt(s, Q_TRIP_END);
		bind_text(st, 1, id);
		bind_text(st, 2, cJSON_GetStringValue(ended));
		return run(s, st, err, "trip");
	}
	st = stmt(s, Q_TRIP_INSERT);
	bind_text(st, 1, id);
	bind_text(st, 2, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "unit")));
	bind_text(st, 3, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "settlement")));
	bind_text(st, 4, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "kind")));
	bind_text(st, 5, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "started_at")));
	bind_text(st, 6, cJSON_GetStringValue(ended));
	if (bind_json(st, 7, cJSON_GetObjectItemCaseSensitive(f, "crew")) != MO_OK)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	if (cJSON_GetObjectItemCaseSensitive(f, "crew") == NULL)
		bind_text(st, 7, "[]");
	bind_text(st, 8, operator_name);
	return run(s, st, err, "trip");
}

int agent_store_trip_open(struct agent_store *s, char *id, size_t idlen)
{
	sqlite3_stmt *st = stmt(s, Q_TRIP_OPEN);
	int rc = MO_ENOTFOUND;

	id[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW) {
		mo_strlcpy(id, col_text(st, 0), idlen);
		rc = MO_OK;
	}
	sqlite3_reset(st);
	return rc;
}

int agent_store_trip_list(struct agent_store *s, cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_TRIP_LIST);
	cJSON *arr = cJSON_CreateArray();

	while (arr && sqlite3_step(st) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject(), *crew = col_json(st, 5);

		cJSON_AddStringToObject(o, "id", col_text(st, 0));
		cJSON_AddStringToObject(o, "settlement", col_text(st, 1));
		cJSON_AddStringToObject(o, "kind", col_text(st, 2));
		cJSON_AddStringToObject(o, "started_at", col_text(st, 3));
		if (sqlite3_column_type(st, 4) == SQLITE_NULL)
			cJSON_AddNullToObject(o, "ended_at");
		else
			cJSON_AddStringToObject(o, "ended_at", col_text(st, 4));
		cJSON_AddItemToObject(o, "crew", crew ? crew : cJSON_CreateArray());
		cJSON_AddNumberToObject(o, "cases", (double)sqlite3_column_int64(st, 6));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(st);
	if (arr == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	*out = arr;
	return MO_OK;
}

/* ---- cases ---- */

void agent_case_release(struct agent_case *c)
{
	cJSON_Delete(c->data);
	free(c->svc);
	c->data = NULL;
	c->svc = NULL;
	c->nsvc = 0;
}

bool agent_store_case_exists(struct agent_store *s, const char *id)
{
	sqlite3_stmt *st = stmt(s, Q_CASE_EXISTS);
	bool found;

	bind_text(st, 1, id);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return found;
}

static int load_services(struct agent_store *s, struct agent_case *c, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_CASE_SVCS);
	size_t cap = 0;
	int rc = MO_OK;

	bind_text(st, 1, c->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (c->nsvc == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct agent_case_svc *v = realloc(c->svc, ncap * sizeof(*v));

			if (v == NULL) {
				rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
				break;
			}
			c->svc = v;
			cap = ncap;
		}
		mo_strlcpy(c->svc[c->nsvc].code, col_text(st, 0), sizeof(c->svc[0].code));
		mo_strlcpy(c->svc[c->nsvc].status, col_text(st, 1), sizeof(c->svc[0].status));
		c->nsvc++;
	}
	sqlite3_reset(st);
	return rc;
}

int agent_store_case_get(struct agent_store *s, const char *key, struct agent_case *out,
			 struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_CASE_GET);
	int rc = MO_OK;

	memset(out, 0, sizeof(*out));
	bind_text(st, 1, key);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return mo_err_set(err, MO_ENOTFOUND, "case_not_found", "no case '%s'", key);
	}
	mo_strlcpy(out->id, col_text(st, 0), sizeof(out->id));
	mo_strlcpy(out->number, col_text(st, 1), sizeof(out->number));
	mo_strlcpy(out->status, col_text(st, 2), sizeof(out->status));
	mo_strlcpy(out->trip, col_text(st, 3), sizeof(out->trip));
	mo_strlcpy(out->operator_name, col_text(st, 4), sizeof(out->operator_name));
	mo_strlcpy(out->created_at, col_text(st, 5), sizeof(out->created_at));
	mo_strlcpy(out->origin, col_text(st, 6), sizeof(out->origin));
	out->data = col_json(st, 7);
	sqlite3_reset(st);
	if (out->data == NULL)
		return mo_err_set(err, MO_ECORRUPT, NULL, "case '%s': stored data is not JSON",
				  key);
	if ((rc = load_services(s, out, err)) != MO_OK)
		agent_case_release(out);
	return rc;
}

static int fts_put(struct agent_store *s, const struct agent_case *c, bool replace,
		   struct mo_err *err)
{
	const cJSON *app = cJSON_GetObjectItemCaseSensitive(c->data, "applicant");
	static const char *const keys[] = {"surname", "given_name", "patronymic", "rnokpp",
					   "phone"};
	sqlite3_stmt *st;
	int rc;

	if (replace) {
		st = stmt(s, Q_FTS_DELETE);
		bind_text(st, 1, c->id);
		if ((rc = run(s, st, err, "search index")) != MO_OK)
			return rc;
	}
	st = stmt(s, Q_FTS_INSERT);
	bind_text(st, 1, c->id);
	bind_text(st, 2, c->number);
	for (int i = 0; i < 5; i++)
		bind_text(st, 3 + i,
			  cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(app, keys[i])));
	return run(s, st, err, "search index");
}

int agent_store_case_insert(struct agent_store *s, const struct agent_case *c, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_CASE_INSERT);
	char now[32];
	int rc;

	now_iso(now);
	bind_text(st, 1, c->id);
	bind_text(st, 2, c->number);
	bind_text(st, 3, c->status);
	bind_text(st, 4, c->trip[0] ? c->trip : NULL);
	bind_text(st, 5, c->operator_name);
	bind_text(st, 6, c->created_at);
	bind_text(st, 7, now);
	bind_text(st, 8, c->origin[0] ? c->origin : "local");
	if (bind_json(st, 9, c->data) != MO_OK)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	if ((rc = run(s, st, err, "case")) != MO_OK)
		return rc;
	for (size_t i = 0; i < c->nsvc; i++) {
		st = stmt(s, Q_CASE_SVC_INSERT);
		bind_text(st, 1, c->id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		bind_text(st, 3, c->svc[i].code);
		bind_text(st, 4, c->svc[i].status);
		if ((rc = run(s, st, err, "case service")) != MO_OK)
			return rc;
	}
	return fts_put(s, c, false, err);
}

/* the statuses of a case's services (rows exist: they are made with the case) */
static int services_put(struct agent_store *s, const struct agent_case *c, struct mo_err *err)
{
	for (size_t i = 0; i < c->nsvc; i++) {
		sqlite3_stmt *st = stmt(s, Q_CASE_SVC_UPDATE);
		int rc;

		bind_text(st, 1, c->id);
		bind_text(st, 2, c->svc[i].code);
		bind_text(st, 3, c->svc[i].status);
		if ((rc = run(s, st, err, "case service")) != MO_OK)
			return rc;
	}
	return MO_OK;
}

int agent_store_case_update(struct agent_store *s, const struct agent_case *c, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_CASE_UPDATE);
	char now[32];
	int rc;

	now_iso(now);
	bind_text(st, 1, c->id);
	bind_text(st, 2, c->status);
	if (bind_json(st, 3, c->data) != MO_OK)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	bind_text(st, 4, now);
	if ((rc = run(s, st, err, "case")) != MO_OK)
		return rc;
	if ((rc = services_put(s, c, err)) != MO_OK)
		return rc;
	return fts_put(s, c, true, err);
}

int agent_store_case_status_get(struct agent_store *s, const char *id, struct agent_case *out,
				struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_CASE_STATUS_GET);
	int rc;

	memset(out, 0, sizeof(*out));
	bind_text(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return mo_err_set(err, MO_ENOTFOUND, "case_not_found", "no case '%s'", id);
	}
	mo_strlcpy(out->id, col_text(st, 0), sizeof(out->id));
	mo_strlcpy(out->status, col_text(st, 1), sizeof(out->status));
	sqlite3_reset(st);
	if ((rc = load_services(s, out, err)) != MO_OK)
		agent_case_release(out);
	return rc;
}

int agent_store_case_status_put(struct agent_store *s, const struct agent_case *c,
				struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_CASE_STATUS_SET);
	char now[32];
	int rc;

	now_iso(now);
	bind_text(st, 1, c->id);
	bind_text(st, 2, c->status);
	bind_text(st, 3, now);
	if ((rc = run(s, st, err, "case")) != MO_OK)
		return rc;
	return services_put(s, c, err);
}

int agent_store_case_counter_next(struct agent_store *s, long long *out, struct mo_err *err)
{
	long long n;
	int rc;

	/* a failed read must not hand out number 1 again */
	if ((rc = agent_meta_get_i64_err(s, "case_counter", 0, &n, err)) != MO_OK)
		return rc;
	*out = ++n;
	return agent_meta_set_i64(s, "case_counter", n, err);
}

/* user text → an FTS5 query: every word a quoted prefix term, all required */
static int fts_query(struct mo_buf *q, const char *text)
{
	const char *p = text;
	int rc = MO_OK;

	while (*p && rc == MO_OK) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		if (q->len)
			rc = mo_buf_addc(q, ' ');
		if (rc == MO_OK)
			rc = mo_buf_addc(q, '"');
		while (rc == MO_OK && *p && *p != ' ' && *p != '\t' && *p != ',') {
			rc = *p == '"' ? mo_buf_add(q, "\"\"", 2)
				       : mo_buf_addc(q, (unsigned char)*p);
			p++;
		}
		if (rc == MO_OK)
			rc = mo_buf_add(q, "\"*", 2);
	}
	return rc;
}

static void add_str_or_null(cJSON *o, const char *key, sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, col_text(st, i));
}

int agent_store_case_list(struct agent_store *s, const struct agent_case_filter *f, cJSON **out,
			  struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_CASE_LIST);
	struct mo_buf q = MO_BUF_INIT(4096);
	cJSON *arr = cJSON_CreateArray();
	int rc = MO_OK, src;

	*out = NULL;
	if (arr == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	bind_text(st, 1, f->status);
	bind_text(st, 2, f->trip);
	if (f->search) {
		if (fts_query(&q, f->search) != MO_OK) {
			rc = mo_err_set(err, MO_EINVAL, NULL, "search text too long");
			goto done;
		}
		if (q.len == 0) /* only separators: match nothing rather than everything */
			rc = mo_buf_adds(&q, "\"\"");
		sqlite3_bind_text(st, 3, mo_buf_cstr(&q), -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_int64(st, 4, f->limit > 0 ? f->limit : -1);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject(), *svcs = col_json(st, 10);

		if (o == NULL) {
			cJSON_Delete(svcs);
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			goto done;
		}
		cJSON_AddStringToObject(o, "id", col_text(st, 0));
		cJSON_AddStringToObject(o, "number", col_text(st, 1));
		cJSON_AddStringToObject(o, "status", col_text(st, 2));
		add_str_or_null(o, "surname", st, 3);
		add_str_or_null(o, "given_name", st, 4);
		add_str_or_null(o, "patronymic", st, 5);
		cJSON_AddStringToObject(o, "created_at", col_text(st, 6));
		add_str_or_null(o, "operator", st, 7);
		add_str_or_null(o, "trip", st, 8);
		add_str_or_null(o, "package", st, 9);
		cJSON_AddItemToObject(o, "services", svcs ? svcs : cJSON_CreateArray());
		cJSON_AddItemToArray(arr, o);
	}
	if (src != SQLITE_DONE)
		rc = db_err(s, src, err, "case list");
done:
	sqlite3_reset(st);
	mo_buf_release(&q);
	if (rc != MO_OK) {
		cJSON_Delete(arr);
		return rc;
	}
	*out = arr;
	return MO_OK;
}

int agent_store_case_json(struct agent_store *s, const struct agent_case *c, cJSON **out,
			  struct mo_err *err)
{
	cJSON *o = cJSON_CreateObject(), *it, *arr;
	sqlite3_stmt *st;

	*out = NULL;
	if (o == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	cJSON_AddStringToObject(o, "id", c->id);
	cJSON_AddStringToObject(o, "number", c->number);
	cJSON_AddStringToObject(o, "status", c->status);
	cJSON_ArrayForEach(it, c->data)
	{
		/* status_check: the hub's business; the laptop shows the code itself */
		if (strcmp(it->string, "number") == 0 || strcmp(it->string, "services") == 0 ||
		    strcmp(it->string, "status_check") == 0)
			continue;
		cJSON_AddItemToObject(o, it->string, cJSON_Duplicate(it, 1));
	}
	arr = cJSON_AddArrayToObject(o, "services");
	for (size_t i = 0; i < c->nsvc; i++) {
		cJSON *sv = cJSON_CreateObject();

		cJSON_AddStringToObject(sv, "code", c->svc[i].code);
		cJSON_AddStringToObject(sv, "status", c->svc[i].status);
		cJSON_AddItemToArray(arr, sv);
	}
	cJSON_AddStringToObject(o, "origin", c->origin);
	{
		char code[32];

		if (agent_store_case_code_get(s, c->id, code, sizeof(code)) == MO_OK)
			cJSON_AddStringToObject(o, "status_code", code);
		else
			cJSON_AddNullToObject(o, "status_code");
	}

	arr = cJSON_AddArrayToObject(o, "history");
	st = stmt(s, Q_EVENTS_OF);
	bind_text(st, 1, c->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "at", col_text(st, 0));
		cJSON_AddStringToObject(e, "kind", col_text(st, 1));
		add_str_or_null(e, "from", st, 2);
		add_str_or_null(e, "to", st, 3);
		add_str_or_null(e, "service", st, 4);
		add_str_or_null(e, "reason", st, 5);
		add_str_or_null(e, "actor", st, 6);
		cJSON_AddStringToObject(e, "origin", col_text(st, 7));
		cJSON_AddItemToArray(arr, e);
	}
	sqlite3_reset(st);

	arr = cJSON_AddArrayToObject(o, "comments");
	st = stmt(s, Q_COMMENTS_OF);
	bind_text(st, 1, c->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "id", col_text(st, 0));
		cJSON_AddStringToObject(e, "text", col_text(st, 1));
		add_str_or_null(e, "author", st, 2);
		cJSON_AddStringToObject(e, "at", col_text(st, 3));
		cJSON_AddStringToObject(e, "origin", col_text(st, 4));
		cJSON_AddItemToArray(arr, e);
	}
	sqlite3_reset(st);

	arr = cJSON_AddArrayToObject(o, "attachments");
	st = stmt(s, Q_ATTS_OF);
	bind_text(st, 1, c->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "id", col_text(st, 0));
		cJSON_AddStringToObject(e, "sha256", col_text(st, 1));
		cJSON_AddStringToObject(e, "media_type", col_text(st, 2));
		cJSON_AddNumberToObject(e, "size", (double)sqlite3_column_int64(st, 3));
		add_str_or_null(e, "name", st, 4);
		add_str_or_null(e, "kind", st, 5);
		cJSON_AddBoolToObject(e, "uploaded", sqlite3_column_int(st, 6) != 0);
		cJSON_AddItemToArray(arr, e);
	}
	sqlite3_reset(st);
	*out = o;
	return MO_OK;
}

/* ---- history, comments, attachments, ratings ---- */

int agent_store_event_add(struct agent_store *s, const struct agent_event *ev, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_EVENT_ADD);
	char now[32];

	now_iso(now);
	bind_text(st, 1, ev->case_id);
	bind_text(st, 2, ev->at ? ev->at : now);
	bind_text(st, 3, ev->kind);
	bind_text(st, 4, ev->from);
	bind_text(st, 5, ev->to);
	bind_text(st, 6, ev->service);
	bind_text(st, 7, ev->reason);
	bind_text(st, 8, ev->actor);
	bind_text(st, 9, ev->origin);
	sqlite3_bind_int(st, 10, ev->seen);
	return run(s, st, err, "history");
}

int agent_store_inbox(struct agent_store *s, int64_t limit, cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_INBOX);
	cJSON *arr = cJSON_CreateArray();
	int src;

	*out = NULL;
	sqlite3_bind_int64(st, 1, limit);
	while (arr && (src = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddItemToArray(arr, e);
		cJSON_AddStringToObject(e, "id", col_text(st, 0));
		cJSON_AddStringToObject(e, "number", col_text(st, 1));
		cJSON_AddStringToObject(e, "status", col_text(st, 2));
		cJSON_AddStringToObject(e, "surname", col_text(st, 3));
		cJSON_AddStringToObject(e, "given_name", col_text(st, 4));
		add_str_or_null(e, "patronymic", st, 5);
		cJSON_AddNumberToObject(e, "news", (double)sqlite3_column_int64(st, 6));
		cJSON_AddStringToObject(e, "kind", col_text(st, 7));
		add_str_or_null(e, "to", st, 8);
		add_str_or_null(e, "service", st, 9);
		add_str_or_null(e, "reason", st, 10);
		cJSON_AddStringToObject(e, "at", col_text(st, 11));
	}
	sqlite3_reset(st);
	if (arr == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	if (src != SQLITE_DONE) {
		cJSON_Delete(arr);
		return db_err(s, src, err, "inbox");
	}
	*out = arr;
	return MO_OK;
}

int agent_store_inbox_seen(struct agent_store *s, const char *key, struct mo_err *err)
{
	struct agent_case c;
	sqlite3_stmt *st;
	int rc;

	if (key == NULL)
		return run(s, stmt(s, Q_UNSEEN_MARK), err, "inbox");
	if ((rc = agent_store_case_get(s, key, &c, err)) != MO_OK)
		return rc;
	st = stmt(s, Q_INBOX_SEEN);
	bind_text(st, 1, c.id);
	agent_case_release(&c);
	return run(s, st, err, "inbox");
}

int agent_store_unseen_decisions(struct agent_store *s, bool mark, cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_UNSEEN);
	cJSON *arr = cJSON_CreateArray();

	*out = NULL;
	while (arr && sqlite3_step(st) == SQLITE_ROW) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "id", col_text(st, 0));
		cJSON_AddStringToObject(e, "number", col_text(st, 1));
		add_str_or_null(e, "from", st, 2);
		add_str_or_null(e, "to", st, 3);
		add_str_or_null(e, "service", st, 4);
		add_str_or_null(e, "reason", st, 5);
		cJSON_AddStringToObject(e, "at", col_text(st, 6));
		cJSON_AddStringToObject(e, "kind", col_text(st, 7));
		cJSON_AddItemToArray(arr, e);
	}
	sqlite3_reset(st);
	if (arr == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	if (mark) {
		int rc = run(s, stmt(s, Q_UNSEEN_MARK), err, "history");

		if (rc != MO_OK) {
			cJSON_Delete(arr);
			return rc;
		}
	}
	*out = arr;
	return MO_OK;
}

int agent_store_comment_add(struct agent_store *s, const char *id, const char *case_id,
			    const char *text, const char *author, const char *origin,
			    struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_COMMENT_ADD);
	char now[32];

	now_iso(now);
	bind_text(st, 1, id);
	bind_text(st, 2, case_id);
	bind_text(st, 3, text);
	bind_text(st, 4, author);
	bind_text(st, 5, now);
	bind_text(st, 6, origin);
	return run(s, st, err, "comment");
}

int agent_store_attachment_add(struct agent_store *s, const char *id, const char *case_id,
			       const char *sha256, const char *media_type, long long size,
			       const char *name, const char *kind, const char *origin,
			       struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_ATT_ADD);

	bind_text(st, 1, id);
	bind_text(st, 2, case_id);
	bind_text(st, 3, sha256);
	bind_text(st, 4, media_type);
	sqlite3_bind_int64(st, 5, size);
	bind_text(st, 6, name);
	bind_text(st, 7, kind);
	/* a blob the hub sent down is already there */
	sqlite3_bind_int(st, 8, strcmp(origin, "local") != 0);
	bind_text(st, 9, origin);
	return run(s, st, err, "attachment");
}

int agent_store_rating_add(struct agent_store *s, const char *id, const char *case_id, int score,
			   const char *comment, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_RATING_ADD);
	char now[32];

	now_iso(now);
	bind_text(st, 1, id);
	bind_text(st, 2, case_id);
	sqlite3_bind_int(st, 3, score);
	bind_text(st, 4, comment);
	bind_text(st, 5, now);
	return run(s, st, err, "rating");
}

struct blob_ref {
	char sha[65];
	long long size;
};

int agent_store_blobs_pending(struct agent_store *s, agent_blob_fn fn, void *arg,
			      struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_BLOBS_PENDING);
	struct blob_ref *v = NULL;
	size_t n = 0, cap = 0;
	int rc = MO_OK;

	/* collect first: fn uploads and writes to the store */
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct blob_ref *nv = realloc(v, ncap * sizeof(*nv));

			if (nv == NULL) {
				rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
				break;
			}
			v = nv;
			cap = ncap;
		}
		mo_strlcpy(v[n].sha, col_text(st, 0), sizeof(v[n].sha));
		v[n].size = sqlite3_column_int64(st, 1);
		n++;
	}
	sqlite3_reset(st);
	for (size_t i = 0; rc == MO_OK && i < n; i++)
		rc = fn(arg, v[i].sha, v[i].size);
	free(v);
	return rc;
}

int agent_store_blob_uploaded(struct agent_store *s, const char *sha256, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_BLOB_UPLOADED);

	bind_text(st, 1, sha256);
	return run(s, st, err, "attachment");
}

/* ---- sync: batches ---- */

void agent_batch_init(struct agent_batch *b)
{
	memset(b, 0, sizeof(*b));
	mo_buf_init(&b->envelope, (12u + 4096u + (8u << 20) + 64u));
}

void agent_batch_release(struct agent_batch *b)
{
	mo_buf_release(&b->envelope);
}

int agent_store_batch_pending(struct agent_store *s, struct agent_batch *out, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_BATCH_PENDING);
	int rc = MO_ENOTFOUND, src = sqlite3_step(st);

	/* a read error is not "nothing pending": a new batch would skip the frozen one */
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		rc = db_err(s, src, err, "pending batch");
	if (src == SQLITE_ROW) {
		out->seq = sqlite3_column_int64(st, 0);
		out->first = sqlite3_column_int64(st, 1);
		out->last = sqlite3_column_int64(st, 2);
		out->count = sqlite3_column_int64(st, 3);
		out->raw = sqlite3_column_int64(st, 4);
		mo_strlcpy(out->prev, col_text(st, 5), sizeof(out->prev));
		mo_strlcpy(out->hash, col_text(st, 6), sizeof(out->hash));
		mo_buf_reset(&out->envelope);
		rc = mo_buf_add(&out->envelope, sqlite3_column_blob(st, 7),
				(size_t)sqlite3_column_bytes(st, 7));
		if (rc != MO_OK)
			rc = mo_err_set(err, rc, NULL, "stored batch %lld: %s", out->seq,
					mo_strerror(rc));
	}
	sqlite3_reset(st);
	return rc;
}

int agent_store_batch_last(struct agent_store *s, long long *seq, char hash[65], struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_BATCH_LAST);
	int rc = MO_OK, src = sqlite3_step(st);

	*seq = 0;
	mo_strlcpy(hash, "0000000000000000000000000000000000000000000000000000000000000000", 65);
	if (src == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		mo_strlcpy(hash, col_text(st, 1), 65);
	} else if (src != SQLITE_DONE) {
		/* not "no batch yet": seq 1 would be a seq_conflict at the hub */
		rc = db_err(s, src, err, "last batch");
	}
	sqlite3_reset(st);
	return rc;
}

int agent_store_outbox_collect(struct agent_store *s, long long max_changes, size_t max_bytes,
			       struct mo_buf *payload, long long *first, long long *last,
			       long long *count, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_OUTBOX_COLLECT);
	struct mo_buf one = MO_BUF_INIT(PACKED_MAX);
	long long expect = 0;
	int rc = MO_OK, src;

	*first = *last = *count = 0;
	mo_buf_reset(payload);
	sqlite3_bind_int64(st, 1, max_changes);
	if ((rc = mo_buf_addc(payload, '[')) != MO_OK)
		goto nomem;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		long long n = sqlite3_column_int64(st, 0);
		size_t len;
		const void *json;

		if ((rc = col_unpacked(st, 1, &one, err)) != MO_OK)
			goto done;
		json = one.data;
		len = one.len;
		if (*count > 0 && payload->len + len + 2 > max_bytes)
			break; /* the next change goes into the next batch */
		if (expect && n != expect) {
			rc = mo_err_set(err, MO_ECORRUPT, NULL,
					"outbox numbering has a gap at %lld (expected %lld)", n,
					expect);
			goto done;
		}
		if ((*count > 0 && (rc = mo_buf_addc(payload, ',')) != MO_OK) ||
		    (rc = mo_buf_add(payload, json, len)) != MO_OK)
			goto nomem;
		if (*count == 0)
			*first = n;
		*last = n;
		expect = n + 1;
		(*count)++;
	}
	if (src != SQLITE_DONE && src != SQLITE_ROW) {
		rc = db_err(s, src, err, "outbox");
		goto done;
	}
	if ((rc = mo_buf_addc(payload, ']')) != MO_OK)
		goto nomem;
	goto done;
nomem:
	rc = mo_err_set(err, rc, NULL, "batch payload: %s", mo_strerror(rc));
done:
	mo_buf_release(&one);
	sqlite3_reset(st);
	return rc;
}

int agent_store_batch_freeze(struct agent_store *s, const struct agent_batch *b, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_BATCH_INSERT);
	char now[32];
	int rc;

	now_iso(now);
	sqlite3_bind_int64(st, 1, b->seq);
	sqlite3_bind_int64(st, 2, b->first);
	sqlite3_bind_int64(st, 3, b->last);
	sqlite3_bind_int64(st, 4, b->count);
	bind_text(st, 5, b->prev);
	bind_text(st, 6, b->hash);
	sqlite3_bind_int64(st, 7, b->raw);
	sqlite3_bind_blob(st, 8, b->envelope.data, (int)b->envelope.len, SQLITE_STATIC);
	bind_text(st, 9, now);
	if ((rc = run(s, st, err, "batch")) != MO_OK)
		return rc;
	st = stmt(s, Q_OUTBOX_ASSIGN);
	sqlite3_bind_int64(st, 1, b->seq);
	sqlite3_bind_int64(st, 2, b->first);
	sqlite3_bind_int64(st, 3, b->last);
	if ((rc = run(s, st, err, "outbox")) != MO_OK)
		return rc;
	if (sqlite3_changes(s->db) != (int)b->count)
		return mo_err_set(err, MO_ECONFLICT, NULL,
				  "batch %lld: changes %lld..%lld are not all pending", b->seq,
				  b->first, b->last);
	return MO_OK;
}

int agent_store_batch_acked(struct agent_store *s, long long seq, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_BATCH_ACK);
	char now[32];
	int rc;

	now_iso(now);
	sqlite3_bind_int64(st, 1, seq);
	bind_text(st, 2, now);
	if ((rc = run(s, st, err, "batch")) != MO_OK)
		return rc;
	st = stmt(s, Q_OUTBOX_SENT);
	sqlite3_bind_int64(st, 1, seq);
	return run(s, st, err, "outbox");
}

int agent_store_batch_submitted(struct agent_store *s, long long seq, struct agent_case_service **out,
				size_t *n, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_BATCH_SUBMITTED);
	struct agent_case_service *v = NULL, *nv;
	size_t k = 0, cap = 0;
	int src;

	*out = NULL;
	*n = 0;
	sqlite3_bind_int64(st, 1, seq);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (k == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				sqlite3_reset(st);
				return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			}
			v = nv;
		}
		mo_strlcpy(v[k].case_id, col_text(st, 0), sizeof(v[k].case_id));
		mo_strlcpy(v[k].code, col_text(st, 1), sizeof(v[k].code));
		v[k].case_submitted = strcmp(col_text(st, 2), "submitted") == 0;
		k++;
	}
	sqlite3_reset(st);
	if (src != SQLITE_DONE) {
		free(v);
		return db_err(s, src, err, "acked batch");
	}
	*out = v;
	*n = k;
	return MO_OK;
}

int agent_store_quarantine_add(struct agent_store *s, long long n, const char *code,
			       const char *message, struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_QUAR_ADD);
	char now[32];

	now_iso(now);
	sqlite3_bind_int64(st, 1, n);
	bind_text(st, 2, code);
	bind_text(st, 3, message);
	bind_text(st, 4, now);
	return run(s, st, err, "quarantine");
}

/* ---- status ---- */

long long agent_store_pending_changes(struct agent_store *s, long long *bytes)
{
	sqlite3_stmt *st = stmt(s, Q_PENDING);
	long long n = 0;

	if (bytes)
		*bytes = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		if (bytes)
			*bytes = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return n;
}

int agent_store_status_json(struct agent_store *s, cJSON **out, struct mo_err *err)
{
	cJSON *o = cJSON_CreateObject(), *counts, *q;
	sqlite3_stmt *st;
	long long blobs = 0;

	*out = NULL;
	if (o == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	st = stmt(s, Q_PENDING);
	if (sqlite3_step(st) == SQLITE_ROW) {
		cJSON_AddNumberToObject(o, "pending_changes", (double)sqlite3_column_int64(st, 0));
		cJSON_AddNumberToObject(o, "pending_bytes", (double)sqlite3_column_int64(st, 1));
	}
	sqlite3_reset(st);
	st = stmt(s, Q_BLOBS_PENDING);
	while (sqlite3_step(st) == SQLITE_ROW)
		blobs++;
	sqlite3_reset(st);
	cJSON_AddNumberToObject(o, "pending_blobs", (double)blobs);
	counts = cJSON_AddObjectToObject(o, "counts");
	st = stmt(s, Q_COUNTS);
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddNumberToObject(counts, col_text(st, 0),
					(double)sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	q = cJSON_AddArrayToObject(o, "quarantined");
	st = stmt(s, Q_QUAR_LIST);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddNumberToObject(e, "n", (double)sqlite3_column_int64(st, 0));
		cJSON_AddStringToObject(e, "code", col_text(st, 1));
		cJSON_AddStringToObject(e, "message", col_text(st, 2));
		cJSON_AddStringToObject(e, "at", col_text(st, 3));
		add_str_or_null(e, "entity", st, 4);
		add_str_or_null(e, "id", st, 5);
		add_str_or_null(e, "number", st, 6);
		cJSON_AddItemToArray(q, e);
	}
	sqlite3_reset(st);
	*out = o;
	return MO_OK;
}

/* ---- field stamps, clock reset and re-queueing (bugs found by tests/faults) ---- */

uint64_t agent_store_hlc_last(struct agent_store *s)
{
	return s->clock.last;
}

int agent_store_hlc_reset(struct agent_store *s, uint64_t to, struct mo_err *err)
{
	s->clock.last = to;
	return agent_meta_set_i64(s, "hlc", (long long)to, err);
}

int agent_store_case_stamps_get(struct agent_store *s, const char *id, cJSON **out,
				struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_STAMPS_GET);
	struct mo_buf text = MO_BUF_INIT(PACKED_MAX);
	cJSON *o = NULL;
	int rc = MO_OK;

	bind_text(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW && (rc = col_unpacked(st, 0, &text, err)) == MO_OK)
		o = cJSON_ParseWithLength(mo_buf_cstr(&text), text.len);
	sqlite3_reset(st);
	mo_buf_release(&text);
	if (rc != MO_OK)
		return rc;
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = cJSON_CreateObject();
	}
	*out = o;
	return o ? MO_OK : mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
}

int agent_store_case_stamps_put(struct agent_store *s, const char *id, const cJSON *stamps,
				struct mo_err *err)
{
	sqlite3_stmt *st = stmt(s, Q_STAMPS_PUT);
	char *t = cJSON_PrintUnformatted(stamps);
	int rc;

	if (t == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	bind_text(st, 1, id);
	rc = bind_packed(st, 2, t, strlen(t), err);
	free(t);
	if (rc != MO_OK) {
		sqlite3_reset(st);
		return rc;
	}
	return run(s, st, err, "case stamps");
}

int agent_store_case_renumber(struct agent_store *s, const char *id, const char *number,
			      struct mo_err *err)
{
	sqlite3_stmt *st = NULL;
	int src, rc;

	/* rare (recovery only): not worth a persistent statement */
	src = sqlite3_prepare_v2(s->db, "UPDATE cases SET number = ?2 WHERE id = ?1", -1, &st,
				 NULL);
	if (src != SQLITE_OK)
		return db_err(s, src, err, "renumber");
	bind_text(st, 1, id);
	bind_text(st, 2, number);
	src = sqlite3_step(st);
	rc = src == SQLITE_DONE ? MO_OK : db_err(s, src, err, "renumber");
	sqlite3_finalize(st);
	return rc;
}

struct requeue_row {
	long long n;
	char *json;
};

/* every unacked change, in order (owned by the caller: free each json, then v) */
static int requeue_rows(struct agent_store *s, struct requeue_row **out, size_t *nout,
			struct mo_err *err)
{
	struct mo_buf one = MO_BUF_INIT(PACKED_MAX);
	sqlite3_stmt *st = NULL;
	struct requeue_row *v = NULL;
	size_t n = 0, cap = 0;
	int src, rc = MO_OK;

	*out = NULL;
	*nout = 0;
	src = sqlite3_prepare_v2(s->db, "SELECT n, json FROM outbox WHERE sent = 0 ORDER BY n", -1,
				 &st, NULL);
	if (src != SQLITE_OK)
		return db_err(s, src, err, "outbox");
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct requeue_row *p = realloc(v, ncap * sizeof(*p));

			if (p == NULL) {
				rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
				goto done;
			}
			v = p;
			cap = ncap;
		}
		v[n].n = sqlite3_column_int64(st, 0);
		if ((rc = col_unpacked(st, 1, &one, err)) != MO_OK)
			goto done;
		if ((v[n].json = strdup(mo_buf_cstr(&one))) == NULL) {
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			goto done;
		}
		n++;
	}
	if (src != SQLITE_DONE)
		rc = db_err(s, src, err, "outbox");
done:
	sqlite3_finalize(st);
	mo_buf_release(&one);
	if (rc != MO_OK) {
		for (size_t i = 0; i < n; i++)
			free(v[i].json);
		free(v);
		return rc;
	}
	*out = v;
	*nout = n;
	return MO_OK;
}

static int outbox_rewrite(struct agent_store *s, long long old_n, long long n, const char *json,
			  struct mo_err *err)
{
	sqlite3_stmt *st = NULL;
	int src, rc;

	src = sqlite3_prepare_v2(s->db, "UPDATE outbox SET n = ?2, json = ?3 WHERE n = ?1", -1,
				 &st, NULL);
	if (src != SQLITE_OK)
		return db_err(s, src, err, "outbox");
	sqlite3_bind_int64(st, 1, old_n);
	sqlite3_bind_int64(st, 2, n);
	if ((rc = bind_packed(st, 3, json, strlen(json), err)) != MO_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	src = sqlite3_step(st);
	rc = src == SQLITE_DONE ? MO_OK : db_err(s, src, err, "outbox");
	if (rc == MO_OK && sqlite3_changes(s->db) != 1)
		rc = mo_err_set(err, MO_ECORRUPT, NULL, "outbox change %lld vanished", old_n);
	sqlite3_finalize(st);
	return rc;
}

int agent_store_outbox_requeue(struct agent_store *s, bool renumber, agent_requeue_fn fn,
			       void *arg, struct mo_err *err)
{
	struct requeue_row *v = NULL;
	size_t nv = 0;
	int rc;

	/* the hub applied none of the unacked batches: they are rebuilt, same seq/prev */
	if ((rc = exec(s, renumber ? "DELETE FROM batches"
				   : "DELETE FROM batches WHERE acked_at IS NULL",
		       err)) != MO_OK ||
	    (rc = exec(s, "UPDATE outbox SET batch = NULL WHERE sent = 0", err)) != MO_OK)
		return rc;
	if (renumber) {
		/* a new device numbers its changes from 1; what was acked is at the hub */
		if ((rc = exec(s, "DELETE FROM quarantine", err)) != MO_OK ||
		    (rc = exec(s, "DELETE FROM outbox WHERE sent = 1", err)) != MO_OK ||
		    (rc = exec(s, "UPDATE outbox SET n = -n", err)) != MO_OK)
			return rc;
	}
	if ((rc = requeue_rows(s, &v, &nv, err)) != MO_OK)
		return rc;
	if (renumber) /* negated above: ascending order is descending n */
		for (size_t i = 0; i < nv / 2; i++) {
			struct requeue_row t = v[i];

			v[i] = v[nv - 1 - i];
			v[nv - 1 - i] = t;
		}
	for (size_t i = 0; i < nv && rc == MO_OK; i++) {
		long long n = renumber ? (long long)i + 1 : v[i].n;
		cJSON *c = cJSON_Parse(v[i].json);
		const char *old = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "hlc"));
		char hlc[PROTO_HLC_HEX], *json = NULL;
		uint64_t old_hlc = 0, new_hlc;

		if (c == NULL || old == NULL || !proto_hlc_parse(&old_hlc, old)) {
			cJSON_Delete(c);
			rc = mo_err_set(err, MO_ECORRUPT, NULL, "outbox change %lld is damaged",
					v[i].n);
			break;
		}
		new_hlc = proto_hlc_now(&s->clock, mo_now_ms());
		proto_hlc_format(hlc, new_hlc);
		cJSON_ReplaceItemInObjectCaseSensitive(c, "n", cJSON_CreateNumber((double)n));
		cJSON_ReplaceItemInObjectCaseSensitive(c, "hlc", cJSON_CreateString(hlc));
		if (fn)
			rc = fn(arg, c, old_hlc, new_hlc, err);
		if (rc == MO_OK && (json = cJSON_PrintUnformatted(c)) == NULL)
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		if (rc == MO_OK)
			rc = outbox_rewrite(s, v[i].n, n, json, err);
		free(json);
		cJSON_Delete(c);
	}
	for (size_t i = 0; i < nv; i++)
		free(v[i].json);
	free(v);
	if (rc == MO_OK)
		rc = agent_meta_set_i64(s, "hlc", (long long)s->clock.last, err);
	return rc;
}

/* ---- catalogue search (the field UI's picker and `service list`) ---- */

/*
 * Lower-case UTF-8 for matching: ASCII and the Cyrillic letters Ukrainian
 * uses (А-Я, Ѐ-Џ incl. Є І Ї, Ґ).  Other bytes are copied.  out has room
 * for cap bytes including the NUL; the result is truncated, never split
 * inside a sequence that was copied whole.
 */
static void fold_utf8(const char *in, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;

	while (*p && o + 3 < cap) {
		if (*p >= 'A' && *p <= 'Z') {
			out[o++] = (char)(*p++ + 32);
		} else if ((p[0] == 0xD0 || p[0] == 0xD2) && p[1] >= 0x80 && p[1] <= 0xBF) {
			unsigned cp = ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);

			if (cp >= 0x410 && cp <= 0x42F)
				cp += 0x20;
			else if (cp >= 0x400 && cp <= 0x40F)
				cp += 0x50;
			else if (cp == 0x490)
				cp = 0x491;
			out[o++] = (char)(0xC0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3F));
			p += 2;
		} else {
			out[o++] = (char)*p++;
		}
	}
	out[o] = '\0';
}

int agent_store_service_search(struct agent_store *s, const char *text, cJSON **out,
			       struct mo_err *err)
{
	sqlite3_stmt *st = NULL;
	cJSON *all = NULL, *res = NULL, *it;
	char q[256], hay[1024];
	int src, rc = MO_OK;

	*out = NULL;
	q[0] = '\0';
	if (text) {
		while (*text == ' ')
			text++;
		if (strlen(text) > 200)
			return mo_err_set(err, MO_EINVAL, "too_long", "search text too long");
		fold_utf8(text, q, sizeof(q));
		for (size_t n = strlen(q); n > 0 && q[n - 1] == ' '; n--)
			q[n - 1] = '\0';
	}
	src = sqlite3_prepare_v2(s->db,
				 "SELECT code, coalesce(category, ''), title_uk, title_en, fee_uah, "
				 "required_documents, members FROM services WHERE active = 1 "
				 "ORDER BY members IS NOT NULL DESC, code",
				 -1, &st, NULL);
	if (src != SQLITE_OK)
		return db_err(s, src, err, "service search");
	if ((all = cJSON_CreateArray()) == NULL || (res = cJSON_CreateArray()) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject(), *docs = col_json(st, 5), *mem = NULL;

		if (o == NULL) {
			cJSON_Delete(docs);
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			goto done;
		}
		cJSON_AddStringToObject(o, "code", col_text(st, 0));
		cJSON_AddStringToObject(o, "title", col_text(st, 2));
		cJSON_AddStringToObject(o, "title_en", col_text(st, 3));
		cJSON_AddStringToObject(o, "category", col_text(st, 1));
		cJSON_AddNumberToObject(o, "fee_uah", (double)sqlite3_column_int64(st, 4));
		if (cJSON_IsArray(docs) && cJSON_GetArraySize(docs) > 0)
			cJSON_AddItemToObject(o, "documents", docs);
		else
			cJSON_Delete(docs);
		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			mem = col_json(st, 6);
		if (cJSON_IsArray(mem) && cJSON_GetArraySize(mem) > 0)
			cJSON_AddItemToObject(o, "members", mem); /* codes; titled below */
		else
			cJSON_Delete(mem);
		cJSON_AddItemToArray(all, o);
	}
	if (src != SQLITE_DONE) {
		rc = db_err(s, src, err, "service search");
		goto done;
	}
	cJSON_ArrayForEach(it, all)
	{
		const char *code = cJSON_GetStringValue(cJSON_GetObjectItem(it, "code"));
		cJSON *o, *mem, *m;
		bool hit, exact;

		fold_utf8(code, hay, sizeof(hay));
		exact = q[0] != '\0' && strcmp(hay, q) == 0;
		hit = q[0] == '\0' || strncmp(hay, q, strlen(q)) == 0;
		if (!hit) {
			fold_utf8(cJSON_GetStringValue(cJSON_GetObjectItem(it, "title")), hay,
				  sizeof(hay));
			hit = strstr(hay, q) != NULL;
		}
		if (!hit) {
			fold_utf8(cJSON_GetStringValue(cJSON_GetObjectItem(it, "title_en")), hay,
				  sizeof(hay));
			hit = strstr(hay, q) != NULL;
		}
		if (!hit)
			continue;
		if ((o = cJSON_Duplicate(it, 1)) == NULL) {
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			goto done;
		}
		/* a package's members as {code, title} (only those in the catalogue) */
		if ((mem = cJSON_DetachItemFromObject(o, "members")) != NULL) {
			cJSON *titled = cJSON_AddArrayToObject(o, "members");

			cJSON_ArrayForEach(m, mem)
			{
				const cJSON *x;

				if (!cJSON_IsString(m))
					continue;
				cJSON_ArrayForEach(x, all)
				{
					const char *xc =
					    cJSON_GetStringValue(cJSON_GetObjectItem(x, "code"));

					if (xc && strcmp(xc, m->valuestring) == 0) {
						cJSON *t = cJSON_CreateObject();

						cJSON_AddStringToObject(t, "code", xc);
						cJSON_AddStringToObject(
						    t, "title",
						    cJSON_GetStringValue(
							cJSON_GetObjectItem(x, "title")));
						cJSON_AddNumberToObject(
						    t, "fee_uah",
						    cJSON_GetNumberValue(
							cJSON_GetObjectItem(x, "fee_uah")));
						cJSON_AddItemToArray(titled, t);
						break;
					}
				}
			}
			cJSON_Delete(mem);
		}
		/* the exact code typed comes first, so Enter picks it */
		if (exact)
			cJSON_InsertItemInArray(res, 0, o);
		else
			cJSON_AddItemToArray(res, o);
	}
	*out = res;
	res = NULL;
done:
	sqlite3_finalize(st);
	cJSON_Delete(all);
	cJSON_Delete(res);
	return rc;
}

int agent_store_case_services_replace(struct agent_store *s, const struct agent_case *c,
				      struct mo_err *err)
{
	sqlite3_stmt *st = NULL;
	int src, rc;

	src = sqlite3_prepare_v2(s->db, "DELETE FROM case_services WHERE case_id = ?1", -1, &st,
				 NULL);
	if (src != SQLITE_OK)
		return db_err(s, src, err, "case services");
	bind_text(st, 1, c->id);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return db_err(s, src, err, "case services");
	for (size_t i = 0; i < c->nsvc; i++) {
		st = stmt(s, Q_CASE_SVC_INSERT);
		bind_text(st, 1, c->id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		bind_text(st, 3, c->svc[i].code);
		bind_text(st, 4, c->svc[i].status);
		if ((rc = run(s, st, err, "case service")) != MO_OK)
			return rc;
	}
	return MO_OK;
}
