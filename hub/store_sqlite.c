/*
 * store_sqlite.c — the SQLite implementation of store.h: all SQL of mo-hub.
 *
 * One connection per process, shared by the HTTP threads under a recursive
 * lock (SQLite serialises writers anyway; a batch is one BEGIN IMMEDIATE
 * transaction).  Statements are prepared once, on first use, with
 * SQLITE_PREPARE_PERSISTENT and reused: bind → step → copy out → reset.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "embedded.h"
#include "hlc.h"
#include "status.h"
#include "store_int.h"

extern const struct mo_embedded hub_migrations[];
extern const size_t hub_migrations_count;

/*
 * SQLite keeps process-wide memory statistics behind a global mutex that
 * every allocation takes (about 3 % of the hub's CPU when it applies a
 * push); the hub never reads them.  Must run before SQLite initialises,
 * hence at program start; a program that initialised SQLite earlier just
 * keeps the statistics (SQLITE_MISUSE, ignored).
 */
__attribute__((constructor)) static void no_memory_statistics(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum stmt_id {
	S_META_GET,
	S_META_SET,
	S_UNIT_ADD,
	S_UNIT_GET,
	S_UNIT_LIST,
	S_TOKEN_ADD,
	S_TOKEN_TAKE,
	S_DEVICE_ADD,
	S_DEVICE_GET,
	S_DEVICE_COUNT,
	S_DEVICE_REVOKE,
	S_DEVICE_FLAG,
	S_DEVICE_CHAIN,
	S_DEVICE_SEEN,
	S_DEVICE_LIST,
	S_DEVICES_ACTIVE,
	S_BATCH_ADD,
	S_BATCH_GET,
	S_USER_ADD,
	S_USER_GET,
	S_SERVICE_PUT,
	S_SERVICE_LIST,
	S_STAMPS_GET,
	S_STAMPS_PUT,
	S_TRIP_GET,
	S_TRIP_PUT,
	S_CASE_GET_ID,
	S_CASE_GET_NUM,
	S_CASE_PUT,
	S_CASE_SET_STATUS,
	S_CASE_SERVICES,
	S_CASE_SERVICES_DEL,
	S_CASE_SERVICE_ADD,
	S_CASE_SERVICE_SET,
	S_CASE_SERVICES_MOVE,
	S_CASE_LIST,
	S_CASE_EVENTS,
	S_CASE_APPENDS,
	S_CASE_QUARANTINE,
	S_APPEND_ADD,
	S_EVENT_ADD,
	S_QUAR_ADD,
	S_QUAR_LIST,
	S_FEED_ADD,
	S_FEED_READ,
	S_FEED_MAX,
	S_SEARCH_IDS,
	S_SEARCH_DROP,
	S_SEARCH_ADD,
	S_DEVICE_NUMBERED,
	S_NONCE_PRUNE,
	S_NONCE_ADD,
	S_BLOB_STATE,
	S_BLOB_PUT,
	S_BLOB_USAGE,
	S_BLOB_REFERENCE,
	S_BLOB_EXPIRED,
	S_BLOB_FORGET,
	S_BLOB_USED,
	/* the public status lookup (public.c) */
	S_CASE_UPDATED_AT,
	S_COUNT
};

_Static_assert(S_COUNT <= HUB_CORE_STMTS, "raise HUB_CORE_STMTS");

static const char *const sql_text[S_COUNT] = {
    [S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [S_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2) "
		   "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [S_UNIT_ADD] = "INSERT INTO units(code, name, kind, created_at, phone) "
		   "VALUES (?1, ?2, ?3, ?4, nullif(?5, ''))",
    [S_UNIT_GET] = "SELECT code, name, kind, coalesce(phone, '') FROM units WHERE code = ?1",
    [S_UNIT_LIST] = "SELECT u.code, u.name, u.kind, u.created_at, "
		    "(SELECT count(*) FROM devices d WHERE d.unit = u.code "
		    "AND d.status = 'active') FROM units u ORDER BY u.code",
    [S_TOKEN_ADD] = "INSERT INTO enroll_tokens(hash, unit, created_at, expires_ms) "
		    "VALUES (?1, ?2, ?3, ?4)",
    [S_TOKEN_TAKE] = "UPDATE enroll_tokens SET used_ms = ?2, device = ?3 WHERE hash = ?1 "
		     "AND used_ms IS NULL AND expires_ms > ?2 RETURNING unit",
    [S_DEVICE_ADD] = "INSERT INTO devices(id, code, unit, public_key, hostname, operator, "
		     "enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_DEVICE_GET] = "SELECT id, code, unit, public_key, status, flag, last_seq, last_hash, "
		     "coalesce(last_n, -1), operator, cursor, coalesce(CAST((julianday('now') - "
		     "julianday(last_seen_at)) * 86400000 AS INTEGER), -1) "
		     "FROM devices WHERE id = ?1 OR code = ?1",
    [S_DEVICE_COUNT] = "SELECT count(*) FROM devices WHERE unit = ?1",
    [S_DEVICE_REVOKE] = "UPDATE devices SET status = 'revoked', revoked_at = ?2 "
			"WHERE id = ?1 AND status = 'active'",
    [S_DEVICE_FLAG] = "UPDATE devices SET flag = ?2 WHERE id = ?1",
    [S_DEVICE_CHAIN] = "UPDATE devices SET last_seq = ?2, last_hash = ?3, "
		       "last_seen_at = ?4 WHERE id = ?1",
    [S_DEVICE_SEEN] = "UPDATE devices SET last_seen_at = ?2, cursor = max(cursor, ?3) "
		      "WHERE id = ?1",
    [S_DEVICE_LIST] = "SELECT id, code, unit, status, flag, hostname, operator, enrolled_at, "
		      "revoked_at, last_seen_at, last_seq, cursor FROM devices ORDER BY code",
    [S_DEVICES_ACTIVE] = "SELECT count(*) FROM devices WHERE status = 'active'",
    [S_BATCH_ADD] = "INSERT INTO batches(device, seq, hash, prev, bytes, raw, count, hlc, "
		    "received_at, apply_ms, quarantined) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [S_BATCH_GET] = "SELECT hash, quarantined FROM batches WHERE device = ?1 AND seq = ?2",
    [S_USER_ADD] = "INSERT INTO users(login, role, password_hash, created_at) "
		   "VALUES (?1, ?2, ?3, ?4)",
    [S_USER_GET] = "SELECT role, password_hash FROM users WHERE login = ?1 AND disabled = 0",
    [S_SERVICE_PUT] = "INSERT INTO services(code, fields, hlc, updated_at) "
		      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(code) DO UPDATE SET "
		      "fields = excluded.fields, hlc = excluded.hlc, "
		      "updated_at = excluded.updated_at",
    [S_SERVICE_LIST] = "SELECT fields FROM services ORDER BY code",
    [S_STAMPS_GET] = "SELECT stamps FROM stamps WHERE entity = ?1 AND entity_id = ?2",
    [S_STAMPS_PUT] = "INSERT INTO stamps(entity, entity_id, stamps) VALUES (?1, ?2, ?3) "
		     "ON CONFLICT(entity, entity_id) DO UPDATE SET stamps = excluded.stamps",
    [S_TRIP_GET] = "SELECT unit, doc FROM trips WHERE id = ?1",
    [S_TRIP_PUT] = "INSERT INTO trips(id, unit, device, doc, updated_at) "
		   "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET "
		   "doc = excluded.doc, updated_at = excluded.updated_at",
    [S_CASE_GET_ID] = "SELECT id, number, unit, status, doc FROM cases WHERE id = ?1",
    [S_CASE_GET_NUM] = "SELECT id, number, unit, status, doc FROM cases WHERE number = ?1 "
		       "AND number_dup = 0",
    [S_CASE_PUT] = "INSERT INTO cases(id, number, unit, device, status, doc, created_at, "
		   "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) "
		   "ON CONFLICT(id) DO UPDATE SET number = coalesce(cases.number, excluded.number), "
		   "status = excluded.status, doc = excluded.doc, "
		   "updated_at = excluded.updated_at",
    [S_CASE_SET_STATUS] = "UPDATE cases SET status = ?2, updated_at = ?3, attention_at = "
			  "CASE WHEN ?4 THEN ?3 ELSE attention_at END WHERE id = ?1",
    [S_CASE_SERVICES] = "SELECT code, status FROM case_services WHERE case_id = ?1 "
			"ORDER BY pos",
    [S_CASE_SERVICES_DEL] = "DELETE FROM case_services WHERE case_id = ?1",
    [S_CASE_SERVICE_ADD] = "INSERT INTO case_services(case_id, pos, code, status) "
			   "VALUES (?1, ?2, ?3, ?4)",
    [S_CASE_SERVICES_MOVE] = "UPDATE case_services SET status = ?3 "
			     "WHERE case_id = ?1 AND status = ?2",
    [S_CASE_SERVICE_SET] = "UPDATE case_services SET status = ?3 "
			   "WHERE case_id = ?1 AND code = ?2",
    [S_CASE_LIST] = "SELECT id, number, status, unit, device, created_at, updated_at, "
		    "json_extract(doc, '$.applicant.surname'), "
		    "json_extract(doc, '$.applicant.given_name') FROM cases "
		    "WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR unit = ?2) "
		    "ORDER BY created_at, id",
    [S_CASE_EVENTS] = "SELECT kind, from_status, to_status, service, reason, actor, hlc, at "
		      "FROM events WHERE case_id = ?1 ORDER BY id",
    [S_CASE_APPENDS] = "SELECT id, entity, fields, received_at FROM appends "
		       "WHERE case_id = ?1 ORDER BY rowid",
    [S_CASE_QUARANTINE] = "SELECT q.id, coalesce(d.code, q.device), q.n, q.entity, q.op, "
			  "q.code, q.message, q.received_at FROM quarantine q "
			  "LEFT JOIN devices d ON d.id = q.device "
			  "WHERE q.entity_id = ?1 OR json_extract(q.change, '$.fields.case') = ?1 "
			  "ORDER BY q.id",
    [S_APPEND_ADD] = "INSERT OR IGNORE INTO appends(id, entity, case_id, device, hlc, fields, "
		     "received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_EVENT_ADD] = "INSERT INTO events(case_id, kind, from_status, to_status, service, "
		    "reason, actor, hlc, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [S_QUAR_ADD] = "INSERT INTO quarantine(device, batch_seq, n, entity, entity_id, op, code, "
		   "message, change, received_at) "
		   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [S_QUAR_LIST] = "SELECT q.id, coalesce(d.code, q.device), q.batch_seq, q.n, q.entity, "
		    "q.entity_id, q.op, q.code, q.message, q.received_at FROM quarantine q "
		    "LEFT JOIN devices d ON d.id = q.device ORDER BY q.id",
    [S_FEED_ADD] = "INSERT INTO feed(unit, origin, entity, entity_id, op, hlc, fields, at) "
		   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_FEED_READ] = "SELECT seq, entity, entity_id, op, hlc, fields FROM feed "
		    "WHERE seq > ?1 AND (unit IS NULL OR unit = ?2) "
		    "AND (origin IS NULL OR origin <> ?3) ORDER BY seq LIMIT ?4",
    [S_FEED_MAX] = "SELECT coalesce(max(seq), 0) FROM feed",
    [S_SEARCH_IDS] = "INSERT OR IGNORE INTO case_search_ids(case_id) "
		     "SELECT DISTINCT value FROM json_each(?1)",
    [S_SEARCH_DROP] = "DELETE FROM case_search WHERE rowid IN (SELECT rid FROM case_search_ids "
		      "WHERE case_id IN (SELECT value FROM json_each(?1)))",
    [S_SEARCH_ADD] = "INSERT INTO case_search(rowid, number, surname, given_name, patronymic, "
		     "rnokpp) SELECT m.rid, c.number, json_extract(c.doc, '$.applicant.surname'), "
		     "json_extract(c.doc, '$.applicant.given_name'), "
		     "json_extract(c.doc, '$.applicant.patronymic'), "
		     "json_extract(c.doc, '$.applicant.rnokpp') "
		     "FROM (SELECT DISTINCT value AS id FROM json_each(?1)) j "
		     "JOIN cases c ON c.id = j.id JOIN case_search_ids m ON m.case_id = c.id",
    [S_DEVICE_NUMBERED] = "UPDATE devices SET last_n = ?2 WHERE id = ?1",
    [S_NONCE_PRUNE] = "DELETE FROM blob_nonces WHERE expires_ms < ?1",
    [S_NONCE_ADD] = "INSERT INTO blob_nonces(device, nonce, expires_ms) VALUES (?1, ?2, ?3)",
    [S_BLOB_STATE] = "SELECT EXISTS (SELECT 1 FROM blob_uploads WHERE sha256 = ?1 AND unit = ?2 "
		     "AND state = 'complete'), EXISTS (SELECT 1 FROM blob_uploads "
		     "WHERE sha256 = ?1 AND state = 'complete'), (SELECT bytes FROM blob_uploads "
		     "WHERE sha256 = ?1 AND device = ?3 AND state = 'partial')",
    [S_BLOB_PUT] = "INSERT INTO blob_uploads(sha256, device, unit, state, bytes, total, "
		   "referenced, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
		   "coalesce((SELECT max(referenced) FROM blob_uploads WHERE sha256 = ?1 "
		   "AND unit = ?3), 0), ?7, ?7) ON CONFLICT(sha256, device) DO UPDATE SET "
		   "state = excluded.state, bytes = excluded.bytes, total = excluded.total, "
		   "updated_ms = excluded.updated_ms",
    [S_BLOB_USAGE] = "SELECT count(*), coalesce(sum(CASE WHEN state = 'partial' THEN total "
		     "ELSE bytes END), 0) FROM blob_uploads WHERE device = ?1 AND sha256 <> ?2 "
		     "AND (state = 'partial' OR referenced = 0)",
    [S_BLOB_REFERENCE] = "UPDATE blob_uploads SET referenced = 1 WHERE sha256 = ?1 AND unit = ?2",
    [S_BLOB_EXPIRED] = "SELECT sha256, device, state = 'partial' FROM blob_uploads "
		       "WHERE updated_ms < ?1 AND (state = 'partial' OR referenced = 0) "
		       "ORDER BY updated_ms LIMIT ?2",
    [S_BLOB_FORGET] = "DELETE FROM blob_uploads WHERE sha256 = ?1 AND device = ?2",
    /* the appends scan runs only when an upload expires */
    [S_BLOB_USED] = "SELECT EXISTS (SELECT 1 FROM blob_uploads WHERE sha256 = ?1 "
		    "AND state = 'complete') OR EXISTS (SELECT 1 FROM appends "
		    "WHERE entity = 'attachment' AND json_extract(fields, '$.sha256') = ?1)",
    [S_CASE_UPDATED_AT] = "SELECT updated_at FROM cases WHERE id = ?1",
};

/* ---- plumbing ---- */

static void lock(struct hub_store *s)
{
	pthread_mutex_lock(&s->lock);
}
static void unlock(struct hub_store *s)
{
	pthread_mutex_unlock(&s->lock);
}

void hub_sqlite_lock(struct hub_store *s)
{
	lock(s);
}

void hub_sqlite_unlock(struct hub_store *s)
{
	unlock(s);
}

/* the one mapping from SQLite result codes to mo_rc */
int hub_sqlite_fail(struct hub_store *s, int src, const char *what, struct mo_err *err)
{
	int rc;

	switch (src & 0xff) {
	case SQLITE_CONSTRAINT: rc = MO_ECONFLICT; break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: rc = MO_EBUSY; break;
	case SQLITE_FULL: rc = MO_EFULL; break;
	case SQLITE_NOMEM: rc = MO_ENOMEM; break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: rc = MO_ECORRUPT; break;
	default: rc = MO_EIO; break;
	}
	return mo_err_set(err, rc, NULL, "database: cannot %s: %s", what,
			  s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(src));
}

static int db_fail(struct hub_store *s, int src, const char *what, struct mo_err *err)
{
	return hub_sqlite_fail(s, src, what, err);
}

static sqlite3_stmt *stmt(struct hub_store *s, enum stmt_id id, struct mo_err *err)
{
	int src;

	if (s->st[id])
		return s->st[id];
	src = sqlite3_prepare_v3(s->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &s->st[id],
				 NULL);
	if (src != SQLITE_OK) {
		db_fail(s, src, "prepare a statement", err);
		s->st[id] = NULL;
	}
	return s->st[id];
}

static void done_stmt(sqlite3_stmt *q)
{
	if (q) {
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
	}
}

static void bind_text(sqlite3_stmt *q, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, i);
}

static void bind_u64(sqlite3_stmt *q, int i, uint64_t v)
{
	sqlite3_bind_int64(q, i, (sqlite3_int64)v);
}

static void col_copy(sqlite3_stmt *q, int i, char *out, size_t outlen)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	mo_strlcpy(out, t ? (const char *)t : "", outlen);
}

static void now_iso(char out[32])
{
	mo_iso8601(out, 32, mo_now_ms(), true);
}

/* run one statement that returns no rows */
static int exec_stmt(struct hub_store *s, sqlite3_stmt *q, const char *what, struct mo_err *err)
{
	int src = sqlite3_step(q);
	int rc = MO_OK;

	if (src != SQLITE_DONE && src != SQLITE_ROW)
		rc = db_fail(s, src, what, err);
	done_stmt(q);
	return rc;
}

static int exec_sql(struct hub_store *s, const char *sql, struct mo_err *err)
{
	char *msg = NULL;
	int src = sqlite3_exec(s->db, sql, NULL, NULL, &msg);

	if (src != SQLITE_OK) {
		int rc = db_fail(s, src, "run SQL", err);

		if (msg)
			mo_err_set(err, rc, NULL, "database: %s", msg);
		sqlite3_free(msg);
		return rc;
	}
	return MO_OK;
}

void hub_sqlite_json_text(cJSON *o, const char *key, sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	if (t)
		cJSON_AddStringToObject(o, key, (const char *)t);
	else
		cJSON_AddNullToObject(o, key);
}

/* ---- lifecycle ---- */

static int schema_version(struct hub_store *s, long long *out, struct mo_err *err)
{
	sqlite3_stmt *q = NULL;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_finalize(q);
		return db_fail(s, sqlite3_errcode(s->db), "read the schema version", err);
	}
	*out = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return MO_OK;
}

static int schema_newer(long long have, struct mo_err *err)
{
	return mo_err_set(err, MO_ECORRUPT, "schema_newer",
			  "database schema %lld is newer than this mo-hub (%zu)", have,
			  hub_migrations_count);
}

/*
 * Apply the embedded migrations the database lacks, each in its own
 * transaction.  The version is read again under the write lock, so two
 * hubs started at once on one database (an upgrade of several processes)
 * never apply a migration twice: the second finds it done and moves on.
 */
static int migrate(struct hub_store *s, struct mo_err *err)
{
	long long have = 0;
	int rc;

	if ((rc = schema_version(s, &have, err)) != MO_OK)
		return rc;
	s->schema_found = have;
	if (have > (long long)hub_migrations_count)
		return schema_newer(have, err);
	while (have < (long long)hub_migrations_count) {
		const struct mo_embedded *m;
		char *text, pragma[64];

		if ((rc = exec_sql(s, "BEGIN IMMEDIATE", err)) != MO_OK)
			return rc;
		if ((rc = schema_version(s, &have, err)) != MO_OK ||
		    have >= (long long)hub_migrations_count) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return rc != MO_OK || have == (long long)hub_migrations_count
				       ? rc
				       : schema_newer(have, err);
		}
		m = &hub_migrations[have];
		if ((text = malloc(m->len + 1)) == NULL) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		}
		memcpy(text, m->data, m->len);
		text[m->len] = '\0';
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %lld", have + 1);
		if ((rc = exec_sql(s, text, err)) == MO_OK && (rc = exec_sql(s, pragma, err)) == MO_OK)
			rc = exec_sql(s, "COMMIT", err);
		free(text);
		if (rc != MO_OK) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		have++;
	}
	return MO_OK;
}

void hub_store_schema(const struct hub_store *s, long long *found, long long *now)
{
	*found = s->schema_found;
	*now = (long long)hub_migrations_count;
}

/*
 * The online backup: a connection of its own (so neither the writer nor
 * the staff's reader waits), one backup step over the whole database,
 * which in WAL mode is one read transaction: a consistent snapshot while
 * batches keep committing.  Written to TO.part (owner-only), checked,
 * synced, then renamed into place; an existing TO is never overwritten.
 */
int hub_store_backup(struct hub_store *s, const char *to, long long *bytes, struct mo_err *err)
{
	const char *src_path = sqlite3_db_filename(s->db, "main");
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b;
	char part[4200];
	struct stat st = {0};
	int rc = MO_OK, src_rc, fd;
	mode_t old;

	*bytes = 0;
	if (src_path == NULL || *src_path == '\0')
		return mo_err_set(err, MO_EINVAL, NULL, "the database has no file to back up");
	if ((size_t)snprintf(part, sizeof(part), "%s.part", to) >= sizeof(part))
		return mo_err_set(err, MO_EINVAL, NULL, "backup path is too long");
	if (access(to, F_OK) == 0)
		return mo_err_set(err, MO_EEXISTS, "backup_exists", "'%s' already exists", to);
	(void)unlink(part);
	if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = mo_err_set(err, MO_EIO, NULL, "cannot open '%s': %s", src_path,
				src ? sqlite3_errmsg(src) : "out of memory");
		goto done;
	}
	sqlite3_busy_timeout(src, 10000);
	old = umask(077);
	src_rc = sqlite3_open_v2(part, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	umask(old);
	if (src_rc != SQLITE_OK) {
		rc = mo_err_set(err, MO_EIO, NULL, "cannot create '%s': %s", part,
				dst ? sqlite3_errmsg(dst) : "out of memory");
		goto done;
	}
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		rc = mo_err_set(err, MO_EIO, NULL, "backup: %s", sqlite3_errmsg(dst));
		goto done;
	}
	src_rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (src_rc != SQLITE_DONE) {
		rc = mo_err_set(err, MO_EIO, NULL, "backup: %s", sqlite3_errstr(src_rc));
		goto done;
	}
	/* the copy must open and pass SQLite's own check before it counts */
	{
		sqlite3_stmt *q = NULL;
		const unsigned char *ok = NULL;

		if (sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &q, NULL) == SQLITE_OK &&
		    sqlite3_step(q) == SQLITE_ROW)
			ok = sqlite3_column_text(q, 0);
		if (ok == NULL || strcmp((const char *)ok, "ok") != 0)
			rc = mo_err_set(err, MO_ECORRUPT, NULL, "the backup copy fails its check: %s",
					ok ? (const char *)ok : sqlite3_errmsg(dst));
		sqlite3_finalize(q);
		if (rc == MO_OK)
			sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	}
done:
	sqlite3_close(dst);
	sqlite3_close(src);
	if (rc == MO_OK) {
		if ((fd = open(part, O_RDONLY)) < 0 || fsync(fd) != 0 || fstat(fd, &st) != 0)
			rc = mo_err_set(err, MO_EIO, NULL, "cannot sync '%s'", part);
		if (fd >= 0)
			close(fd);
	}
	/* link: fails instead of replacing.  A USB stick's FAT has no hard links:
	 * there, check again and rename (the window between is the owner's own) */
	if (rc == MO_OK && link(part, to) != 0) {
		int e = errno;

		if (e == EEXIST)
			rc = mo_err_set(err, MO_EEXISTS, "backup_exists", "'%s' already exists", to);
		else if ((e == EPERM || e == ENOTSUP || e == EOPNOTSUPP || e == EMLINK) &&
			 access(to, F_OK) != 0 && rename(part, to) == 0)
			rc = MO_OK;
		else if (access(to, F_OK) == 0)
			rc = mo_err_set(err, MO_EEXISTS, "backup_exists", "'%s' already exists", to);
		else
			rc = mo_err_set(err, MO_EIO, NULL, "cannot write '%s': %s", to,
					strerror(e));
	}
	(void)unlink(part);
	if (rc == MO_OK)
		*bytes = (long long)st.st_size;
	return rc;
}

/* chmod 0600 the database and its WAL files where they exist */
static void private_files(const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char p[4200];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++)
		if ((size_t)snprintf(p, sizeof(p), "%s%s", path, suffix[i]) < sizeof(p))
			(void)chmod(p, 0600);
}

/* the read-only connection beside the writer (see reading() below) */
static int open_reader(struct hub_store *s, const char *path, struct mo_err *err)
{
	struct hub_store *r = calloc(1, sizeof(*r));
	pthread_mutexattr_t a;
	int src;

	if (r == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&r->lock, &a);
	pthread_mutexattr_destroy(&a);
	s->reader = r;
	src = sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (src != SQLITE_OK)
		return mo_err_set(err, MO_EIO, NULL, "cannot open database '%s' for reading: %s",
				  path, r->db ? sqlite3_errmsg(r->db) : sqlite3_errstr(src));
	sqlite3_busy_timeout(r->db, 10000);
	sqlite3_extended_result_codes(r->db, 1);
	return exec_sql(r, "PRAGMA cache_size = -16384", err);
}

int hub_store_open(struct hub_store **out, const char *data_dir, const char *url, bool create,
		   struct mo_err *err)
{
	struct hub_store *s = NULL;
	pthread_mutexattr_t a;
	char path[4096];
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int rc = MO_OK, src;

	*out = NULL;
	if (url && *url) {
		if (strncmp(url, "sqlite:", 7) != 0)
			return mo_err_set(err, MO_EINVAL, NULL,
					  "database '%s' is not supported yet (only sqlite:PATH)",
					  url);
		mo_strlcpy(path, url + 7, sizeof(path));
	} else if ((size_t)snprintf(path, sizeof(path), "%s/hub.db", data_dir) >= sizeof(path)) {
		return mo_err_set(err, MO_EINVAL, NULL, "data directory path is too long");
	}
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&s->lock, &a);
	pthread_mutexattr_destroy(&a);
	/* it holds personal data: the file, its -wal and -shm (SQLite gives them
	 * the database's mode) and the data directory are the owner's only,
	 * whatever the umask or an older mo-hub left behind */
	if (create && (!url || !*url))
		(void)chmod(data_dir, 0700);
	{
		mode_t old = umask(077);

		src = sqlite3_open_v2(path, &s->db, flags, NULL);
		umask(old);
	}
	private_files(path);
	if (src != SQLITE_OK) {
		rc = mo_err_set(err, (src & 0xff) == SQLITE_CANTOPEN ? MO_ENOTFOUND : MO_EIO, NULL,
				"cannot open database '%s': %s", path,
				s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(src));
		goto done;
	}
	sqlite3_busy_timeout(s->db, 10000);
	sqlite3_extended_result_codes(s->db, 1);
	if ((rc = exec_sql(s, "PRAGMA journal_mode = WAL", err)) != MO_OK ||
	    (rc = exec_sql(s, "PRAGMA synchronous = FULL", err)) != MO_OK ||
	    (rc = exec_sql(s, "PRAGMA foreign_keys = ON", err)) != MO_OK ||
	    /* a batch touches tens of MiB: with SQLite's 2 MiB default the
	     * transaction spills pages to the WAL and reads them back */
	    (rc = exec_sql(s, "PRAGMA cache_size = -65536", err)) != MO_OK ||
	    (rc = exec_sql(s, "PRAGMA temp_store = MEMORY", err)) != MO_OK)
		goto done;
	private_files(path); /* the WAL files exist from here */
	if ((rc = migrate(s, err)) == MO_OK)
		rc = open_reader(s, path, err);
done:
	if (rc != MO_OK)
		hub_store_close(s);
	else
		*out = s;
	return rc;
}

void hub_store_close(struct hub_store *s)
{
	if (s == NULL)
		return;
	hub_store_close(s->reader);
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	for (int i = 0; i < HUB_STAFF_STMTS; i++)
		sqlite3_finalize(s->staff[i]);
	for (int i = 0; i < HUB_PAY_STMTS; i++)
		sqlite3_finalize(s->pay[i]);
	for (int i = 0; i < HUB_MSG_STMTS; i++)
		sqlite3_finalize(s->msg[i]);
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->lock);
	free(s->search_ids);
	free(s);
}

/* ---- the search index, written once per transaction ---- */

static void search_forget(struct hub_store *s)
{
	s->search_len = s->search_n = 0;
}

/* remember a case whose number or document was written */
static int search_due(struct hub_store *s, const char *id, struct mo_err *err)
{
	size_t need = s->search_len + strlen(id) + 8;

	if (need > s->search_cap) {
		size_t cap = s->search_cap ? s->search_cap * 2 : 4096;
		char *p;

		while (cap < need)
			cap *= 2;
		if ((p = realloc(s->search_ids, cap)) == NULL)
			return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		s->search_ids = p;
		s->search_cap = cap;
	}
	/* ids are UUIDs (checked by proto): nothing to escape */
	s->search_len += (size_t)snprintf(s->search_ids + s->search_len,
					  s->search_cap - s->search_len, "%c\"%s\"",
					  s->search_n ? ',' : '[', id);
	s->search_n++;
	return MO_OK;
}

/* drop and re-add the search entries of every case due, in three statements */
static int search_flush(struct hub_store *s, struct mo_err *err)
{
	static const enum stmt_id steps[] = {S_SEARCH_IDS, S_SEARCH_DROP, S_SEARCH_ADD};
	int rc = MO_OK;

	if (s->search_n == 0)
		return MO_OK;
	s->search_ids[s->search_len] = ']';
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && rc == MO_OK; i++) {
		sqlite3_stmt *q = stmt(s, steps[i], err);

		if (q == NULL) {
			rc = MO_EIO;
			break;
		}
		sqlite3_bind_text(q, 1, s->search_ids, (int)s->search_len + 1, SQLITE_STATIC);
		rc = exec_stmt(s, q, "index the cases for search", err);
	}
	search_forget(s);
	return rc;
}

/* ---- transactions ---- */

/*
 * Readers never wait for the writer: a second, read-only connection
 * (s->reader, a store of its own with its own lock and statements) serves
 * the reads made outside the writer's transaction — the sync door's device
 * check, a pull's feed — so they go on while a batch is applied (WAL).  A
 * thread knows which transaction it holds: tl_tx (the writer's) or tl_read
 * (a read transaction on s->reader).
 */
static _Thread_local struct hub_store *tl_tx, *tl_read;

/* the connection a read on s uses from this thread */
static struct hub_store *reading(struct hub_store *s)
{
	if (tl_read == s)
		return s->reader;
	if (tl_tx == s || s->reader == NULL)
		return s;
	return s->reader;
}

int hub_store_begin(struct hub_store *s, struct mo_err *err)
{
	int rc;

	lock(s);
	if ((rc = exec_sql(s, "BEGIN IMMEDIATE", err)) != MO_OK)
		unlock(s);
	else
		tl_tx = s;
	return rc;
}

int hub_store_savepoint(struct hub_store *s, struct mo_err *err)
{
	s->search_mark_len = s->search_len;
	s->search_mark_n = s->search_n;
	return exec_sql(s, "SAVEPOINT batch", err);
}

int hub_store_release(struct hub_store *s, struct mo_err *err)
{
	return exec_sql(s, "RELEASE batch", err);
}

void hub_store_rollback_to(struct hub_store *s)
{
	/* the search entries due since the savepoint go with it */
	s->search_len = s->search_mark_len;
	s->search_n = s->search_mark_n;
	sqlite3_exec(s->db, "ROLLBACK TO batch; RELEASE batch", NULL, NULL, NULL);
}

int hub_store_begin_read(struct hub_store *s, struct mo_err *err)
{
	struct hub_store *r = s->reader ? s->reader : s;
	int rc;

	lock(r);
	if ((rc = exec_sql(r, "BEGIN DEFERRED", err)) != MO_OK) {
		unlock(r);
		return rc;
	}
	if (r == s)
		tl_tx = s;
	else
		tl_read = s;
	return MO_OK;
}

/* the end of a read transaction on the reader */
static bool end_read(struct hub_store *s, const char *sql)
{
	if (tl_read != s)
		return false;
	sqlite3_exec(s->reader->db, sql, NULL, NULL, NULL);
	tl_read = NULL;
	unlock(s->reader);
	return true;
}

int hub_store_commit(struct hub_store *s, struct mo_err *err)
{
	int rc;

	if (end_read(s, "COMMIT"))
		return MO_OK;
	if ((rc = search_flush(s, err)) == MO_OK)
		rc = exec_sql(s, "COMMIT", err);
	if (rc != MO_OK)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	tl_tx = NULL;
	unlock(s);
	return rc;
}

void hub_store_rollback(struct hub_store *s)
{
	if (end_read(s, "ROLLBACK"))
		return;
	search_forget(s);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	tl_tx = NULL;
	unlock(s);
}

/* ---- settings ---- */

int hub_store_meta_get(struct hub_store *s, const char *key, char *out, size_t outlen,
		       struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	s = reading(s);
	lock(s);
	if ((q = stmt(s, S_META_GET, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, key);
	src = sqlite3_step(q);
	if (src == SQLITE_ROW)
		col_copy(q, 0, out, outlen);
	else if (src == SQLITE_DONE)
		rc = mo_err_set(err, MO_ENOTFOUND, NULL, "no setting '%s'", key);
	else
		rc = db_fail(s, src, "read a setting", err);
	done_stmt(q);
done:
	unlock(s);
	return rc;
}

int hub_store_meta_set(struct hub_store *s, const char *key, const char *value, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	lock(s);
	if ((q = stmt(s, S_META_SET, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, key);
		bind_text(q, 2, value);
		rc = exec_stmt(s, q, "write a setting", err);
	}
	unlock(s);
	return rc;
}

int hub_store_hlc_get(struct hub_store *s, uint64_t *out, struct mo_err *err)
{
	char v[32];
	int rc = hub_store_meta_get(s, "hlc", v, sizeof(v), err);
	long long x;

	*out = 0;
	if (rc == MO_ENOTFOUND) {
		mo_err_clear(err);
		return MO_OK;
	}
	if (rc != MO_OK)
		return rc;
	if (!mo_parse_i64(&x, v, 0, INT64_MAX))
		return mo_err_set(err, MO_ECORRUPT, NULL, "stored hub clock is corrupt");
	*out = (uint64_t)x;
	return MO_OK;
}

int hub_store_hlc_set(struct hub_store *s, uint64_t hlc, struct mo_err *err)
{
	char v[32];

	snprintf(v, sizeof(v), "%llu", (unsigned long long)hlc);
	return hub_store_meta_set(s, "hlc", v, err);
}

/* ---- units ---- */

int hub_store_unit_add(struct hub_store *s, const struct hub_unit *u, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	now_iso(now);
	lock(s);
	if ((q = stmt(s, S_UNIT_ADD, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, u->code);
		bind_text(q, 2, u->name);
		bind_text(q, 3, u->kind);
		bind_text(q, 4, now);
		bind_text(q, 5, u->phone);
		rc = exec_stmt(s, q, "add the unit", err);
		if (rc == MO_ECONFLICT)
			mo_err_set(err, rc, NULL, "unit '%s' already exists", u->code);
	}
	unlock(s);
	return rc;
}

int hub_store_unit_get(struct hub_store *s, const char *code, struct hub_unit *out,
		       struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	lock(s);
	if ((q = stmt(s, S_UNIT_GET, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, code);
	src = sqlite3_step(q);
	if (src == SQLITE_ROW) {
		col_copy(q, 0, out->code, sizeof(out->code));
		col_copy(q, 1, out->name, sizeof(out->name));
		col_copy(q, 2, out->kind, sizeof(out->kind));
		col_copy(q, 3, out->phone, sizeof(out->phone));
	} else if (src == SQLITE_DONE) {
		rc = mo_err_set(err, MO_ENOTFOUND, NULL, "no unit '%s'", code);
	} else {
		rc = db_fail(s, src, "read the unit", err);
	}
	done_stmt(q);
done:
	unlock(s);
	return rc;
}

int hub_sqlite_list_rows(struct hub_store *s, sqlite3_stmt *q, cJSON **out,
			 void (*fn)(cJSON *o, sqlite3_stmt *q), struct mo_err *err)
{
	cJSON *arr = cJSON_CreateArray();
	int src, rc = MO_OK;

	if (arr == NULL) {
		done_stmt(q);
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	}
	while ((src = sqlite3_step(q)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();

		if (o == NULL) {
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			break;
		}
		fn(o, q);
		cJSON_AddItemToArray(arr, o);
	}
	if (rc == MO_OK && src != SQLITE_DONE)
		rc = db_fail(s, src, "list rows", err);
	done_stmt(q);
	if (rc != MO_OK)
		cJSON_Delete(arr);
	else
		*out = arr;
	return rc;
}

static void unit_row(cJSON *o, sqlite3_stmt *q)
{
	hub_sqlite_json_text(o, "code", q, 0);
	hub_sqlite_json_text(o, "name", q, 1);
	hub_sqlite_json_text(o, "kind", q, 2);
	hub_sqlite_json_text(o, "created_at", q, 3);
	cJSON_AddNumberToObject(o, "devices", (double)sqlite3_column_int64(q, 4));
}

int hub_store_unit_list(struct hub_store *s, cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	lock(s);
	q = stmt(s, S_UNIT_LIST, err);
	rc = q ? hub_sqlite_list_rows(s, q, out, unit_row, err) : MO_EIO;
	unlock(s);
	return rc;
}

/* ---- enrolment tokens ---- */

int hub_store_token_add(struct hub_store *s, const char *hash_hex, const char *unit,
			uint64_t expires_ms, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	now_iso(now);
	lock(s);
	if ((q = stmt(s, S_TOKEN_ADD, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, hash_hex);
		bind_text(q, 2, unit);
		bind_text(q, 3, now);
		bind_u64(q, 4, expires_ms);
		rc = exec_stmt(s, q, "store the token", err);
	}
	unlock(s);
	return rc;
}

int hub_store_token_take(struct hub_store *s, const char *hash_hex, uint64_t now_ms,
			 const char *device_id, char unit[HUB_CODE_MAX], struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	lock(s);
	if ((q = stmt(s, S_TOKEN_TAKE, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, hash_hex);
	bind_u64(q, 2, now_ms);
	bind_text(q, 3, device_id);
	src = sqlite3_step(q);
	if (src == SQLITE_ROW) {
		col_copy(q, 0, unit, HUB_CODE_MAX);
		/* RETURNING: finish the statement so the update is complete */
		while ((src = sqlite3_step(q)) == SQLITE_ROW)
			;
		if (src != SQLITE_DONE)
			rc = db_fail(s, src, "use the token", err);
	} else if (src == SQLITE_DONE) {
		rc = mo_err_set(err, MO_EAUTH, "bad_token",
				"enrolment token is unknown, used or expired");
	} else {
		rc = db_fail(s, src, "use the token", err);
	}
	done_stmt(q);
done:
	unlock(s);
	return rc;
}

/* ---- devices ---- */

int hub_store_device_add(struct hub_store *s, const struct hub_device *d, const char *hostname,
			 const char *operator_name, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	now_iso(now);
	lock(s);
	if ((q = stmt(s, S_DEVICE_ADD, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, d->id);
		bind_text(q, 2, d->code);
		bind_text(q, 3, d->unit);
		sqlite3_bind_blob(q, 4, d->pub, PROTO_PUBKEY_LEN, SQLITE_STATIC);
		bind_text(q, 5, hostname);
		bind_text(q, 6, operator_name);
		bind_text(q, 7, now);
		rc = exec_stmt(s, q, "add the device", err);
		if (rc == MO_ECONFLICT)
			mo_err_set(err, rc, NULL, "device %s or code %s is already enrolled", d->id,
				   d->code);
	}
	unlock(s);
	return rc;
}

int hub_store_device_get(struct hub_store *s, const char *id_or_code, struct hub_device *out,
			 struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	s = reading(s);
	lock(s);
	if ((q = stmt(s, S_DEVICE_GET, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, id_or_code);
	src = sqlite3_step(q);
	if (src == SQLITE_ROW) {
		const void *pub = sqlite3_column_blob(q, 3);

		memset(out, 0, sizeof(*out));
		col_copy(q, 0, out->id, sizeof(out->id));
		col_copy(q, 1, out->code, sizeof(out->code));
		col_copy(q, 2, out->unit, sizeof(out->unit));
		if (pub && sqlite3_column_bytes(q, 3) == PROTO_PUBKEY_LEN)
			memcpy(out->pub, pub, PROTO_PUBKEY_LEN);
		else
			rc = mo_err_set(err, MO_ECORRUPT, NULL, "device key is corrupt");
		out->active = strcmp((const char *)sqlite3_column_text(q, 4), "active") == 0;
		out->flagged = sqlite3_column_type(q, 5) != SQLITE_NULL;
		out->last_seq = sqlite3_column_int64(q, 6);
		col_copy(q, 7, out->last_hash, sizeof(out->last_hash));
		out->last_n = sqlite3_column_int64(q, 8);
		col_copy(q, 9, out->operator_name, sizeof(out->operator_name));
		out->cursor = sqlite3_column_int64(q, 10);
		out->seen_age_ms = sqlite3_column_int64(q, 11);
	} else if (src == SQLITE_DONE) {
		rc = mo_err_set(err, MO_ENOTFOUND, "unknown_device", "no device '%s'", id_or_code);
	} else {
		rc = db_fail(s, src, "read the device", err);
	}
	done_stmt(q);
done:
	unlock(s);
	return rc;
}

static int count_query(struct hub_store *s, enum stmt_id id, const char *arg, long long *out,
		       struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	*out = 0;
	lock(s);
	if ((q = stmt(s, id, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	if (arg)
		bind_text(q, 1, arg);
	src = sqlite3_step(q);
	if (src == SQLITE_ROW)
		*out = sqlite3_column_int64(q, 0);
	else
		rc = db_fail(s, src, "count rows", err);
	done_stmt(q);
done:
	unlock(s);
	return rc;
}

int hub_store_device_count(struct hub_store *s, const char *unit, long long *out,
			   struct mo_err *err)
{
	return count_query(s, S_DEVICE_COUNT, unit, out, err);
}

int hub_store_devices_active(struct hub_store *s, long long *out, struct mo_err *err)
{
	return count_query(s, S_DEVICES_ACTIVE, NULL, out, err);
}

int hub_store_feed_max(struct hub_store *s, long long *out, struct mo_err *err)
{
	return count_query(reading(s), S_FEED_MAX, NULL, out, err);
}

/* an UPDATE keyed by id with up to three more text/int arguments */
static int update_device(struct hub_store *s, enum stmt_id id, const char *dev, const char *a2,
			 long long i2, const char *a3, const char *a4, const char *what,
			 struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	lock(s);
	if ((q = stmt(s, id, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, dev);
		if (a2)
			bind_text(q, 2, a2);
		else
			sqlite3_bind_int64(q, 2, i2);
		if (a3)
			bind_text(q, 3, a3);
		if (a4)
			bind_text(q, 4, a4);
		rc = exec_stmt(s, q, what, err);
		if (rc == MO_OK && sqlite3_changes(s->db) == 0)
			rc = mo_err_set(err, MO_ENOTFOUND, NULL, "no such active device '%s'", dev);
	}
	unlock(s);
	return rc;
}

int hub_store_device_revoke(struct hub_store *s, const char *id, struct mo_err *err)
{
	char now[32];

	now_iso(now);
	return update_device(s, S_DEVICE_REVOKE, id, now, 0, NULL, NULL, "revoke the device", err);
}

int hub_store_device_flag(struct hub_store *s, const char *id, const char *reason,
			  struct mo_err *err)
{
	return update_device(s, S_DEVICE_FLAG, id, reason, 0, NULL, NULL, "flag the device", err);
}

int hub_store_device_chain(struct hub_store *s, const char *id, long long seq, const char *hash,
			   struct mo_err *err)
{
	char now[32];

	now_iso(now);
	return update_device(s, S_DEVICE_CHAIN, id, NULL, seq, hash, now,
			     "record the device's chain", err);
}

int hub_store_device_numbered(struct hub_store *s, const char *id, long long last_n,
			      struct mo_err *err)
{
	return update_device(s, S_DEVICE_NUMBERED, id, NULL, last_n, NULL, NULL,
			     "record the device's change number", err);
}

int hub_store_device_seen(struct hub_store *s, const char *id, long long cursor, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	now_iso(now);
	lock(s);
	if ((q = stmt(s, S_DEVICE_SEEN, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, id);
		bind_text(q, 2, now);
		sqlite3_bind_int64(q, 3, cursor);
		rc = exec_stmt(s, q, "record the device's visit", err);
	}
	unlock(s);
	return rc;
}

static void device_row(cJSON *o, sqlite3_stmt *q)
{
	hub_sqlite_json_text(o, "id", q, 0);
	hub_sqlite_json_text(o, "code", q, 1);
	hub_sqlite_json_text(o, "unit", q, 2);
	hub_sqlite_json_text(o, "status", q, 3);
	cJSON_AddBoolToObject(o, "flagged", sqlite3_column_type(q, 4) != SQLITE_NULL);
	hub_sqlite_json_text(o, "flag", q, 4);
	hub_sqlite_json_text(o, "hostname", q, 5);
	hub_sqlite_json_text(o, "operator", q, 6);
	hub_sqlite_json_text(o, "enrolled_at", q, 7);
	hub_sqlite_json_text(o, "revoked_at", q, 8);
	hub_sqlite_json_text(o, "last_seen_at", q, 9);
	cJSON_AddNumberToObject(o, "last_seq", (double)sqlite3_column_int64(q, 10));
	cJSON_AddNumberToObject(o, "cursor", (double)sqlite3_column_int64(q, 11));
}

int hub_store_device_list(struct hub_store *s, cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	lock(s);
	q = stmt(s, S_DEVICE_LIST, err);
	rc = q ? hub_sqlite_list_rows(s, q, out, device_row, err) : MO_EIO;
	unlock(s);
	return rc;
}

/* ---- batches ---- */

int hub_store_batch_add(struct hub_store *s, const struct hub_batch_rec *b, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	now_iso(now);
	lock(s);
	if ((q = stmt(s, S_BATCH_ADD, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, b->device);
		sqlite3_bind_int64(q, 2, b->seq);
		bind_text(q, 3, b->hash);
		bind_text(q, 4, b->prev);
		sqlite3_bind_int64(q, 5, b->bytes);
		sqlite3_bind_int64(q, 6, b->raw);
		sqlite3_bind_int64(q, 7, b->count);
		bind_u64(q, 8, b->hlc);
		bind_text(q, 9, now);
		sqlite3_bind_int64(q, 10, b->apply_ms);
		bind_text(q, 11, b->quarantined);
		rc = exec_stmt(s, q, "record the batch", err);
	}
	unlock(s);
	return rc;
}

int hub_store_batch_get(struct hub_store *s, const char *device, long long seq,
			char hash[MO_SHA256_HEX], struct mo_buf *qjson, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	lock(s);
	if ((q = stmt(s, S_BATCH_GET, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, device);
	sqlite3_bind_int64(q, 2, seq);
	src = sqlite3_step(q);
	if (src == SQLITE_ROW) {
		col_copy(q, 0, hash, MO_SHA256_HEX);
		if (qjson) {
			mo_buf_reset(qjson);
			rc = mo_buf_add(qjson, sqlite3_column_text(q, 1),
					(size_t)sqlite3_column_bytes(q, 1));
			if (rc != MO_OK)
				mo_err_set(err, rc, NULL, "cannot copy the batch record");
		}
	} else if (src == SQLITE_DONE) {
		rc = mo_err_set(err, MO_ENOTFOUND, NULL, "no batch %lld", seq);
	} else {
		rc = db_fail(s, src, "read the batch", err);
	}
	done_stmt(q);
done:
	unlock(s);
	return rc;
}

/* ---- users ---- */

int hub_store_user_add(struct hub_store *s, const char *login, const char *role,
		       const char *password_hash, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	now_iso(now);
	lock(s);
	if ((q = stmt(s, S_USER_ADD, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, login);
		bind_text(q, 2, role);
		bind_text(q, 3, password_hash);
		bind_text(q, 4, now);
		rc = exec_stmt(s, q, "add the user", err);
		if (rc == MO_ECONFLICT)
			mo_err_set(err, rc, NULL, "user '%s' already exists", login);
	}
	unlock(s);
	return rc;
}

int hub_store_user_get(struct hub_store *s, const char *login, char *role, size_t rolelen,
		       char *hash, size_t hashlen, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	lock(s);
	if ((q = stmt(s, S_USER_GET, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, login);
	src = sqlite3_step(q);
	if (src == SQLITE_ROW) {
		col_copy(q, 0, role, rolelen);
		col_copy(q, 1, hash, hashlen);
	} else if (src == SQLITE_DONE) {
		rc = mo_err_set(err, MO_ENOTFOUND, NULL, "no user '%s'", login);
	} else {
		rc = db_fail(s, src, "read the user", err);
	}
	done_stmt(q);
done:
	unlock(s);
	return rc;
}

/* ---- catalogue ---- */

int hub_store_service_put(struct hub_store *s, const char *code, const char *fields_json,
			  uint64_t hlc, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	now_iso(now);
	lock(s);
	if ((q = stmt(s, S_SERVICE_PUT, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, code);
		bind_text(q, 2, fields_json);
		bind_u64(q, 3, hlc);
		bind_text(q, 4, now);
		rc = exec_stmt(s, q, "store the service", err);
	}
	unlock(s);
	return rc;
}

static void service_row(cJSON *o, sqlite3_stmt *q)
{
	const char *t = (const char *)sqlite3_column_text(q, 0);
	cJSON *v = t ? cJSON_Parse(t) : NULL;

	cJSON_AddItemToObject(o, "fields", v ? v : cJSON_CreateNull());
}

int hub_store_service_list(struct hub_store *s, cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	lock(s);
	q = stmt(s, S_SERVICE_LIST, err);
	rc = q ? hub_sqlite_list_rows(s, q, out, service_row, err) : MO_EIO;
	unlock(s);
	return rc;
}

/* ---- field registers ---- */

int hub_store_stamps_get(struct hub_store *s, const char *entity, const char *id,
			 struct mo_buf *out, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	lock(s);
	if ((q = stmt(s, S_STAMPS_GET, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, entity);
	bind_text(q, 2, id);
	src = sqlite3_step(q);
	if (src == SQLITE_ROW) {
		mo_buf_reset(out);
		if (mo_buf_add(out, sqlite3_column_text(q, 0), (size_t)sqlite3_column_bytes(q, 0)) !=
		    MO_OK)
			rc = mo_err_set(err, MO_ETOOBIG, NULL, "field stamps of %s too large", id);
	} else if (src == SQLITE_DONE) {
		rc = MO_ENOTFOUND; /* a new entity: no message */
	} else {
		rc = db_fail(s, src, "read field stamps", err);
	}
	done_stmt(q);
done:
	unlock(s);
	return rc;
}

int hub_store_stamps_put(struct hub_store *s, const char *entity, const char *id,
			 const char *stamps_json, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	lock(s);
	if ((q = stmt(s, S_STAMPS_PUT, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, entity);
		bind_text(q, 2, id);
		bind_text(q, 3, stamps_json);
		rc = exec_stmt(s, q, "write field stamps", err);
	}
	unlock(s);
	return rc;
}

/* ---- trips ---- */

int hub_store_trip_get(struct hub_store *s, const char *id, char unit[HUB_CODE_MAX],
		       struct mo_buf *doc, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	lock(s);
	if ((q = stmt(s, S_TRIP_GET, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, id);
	src = sqlite3_step(q);
	if (src == SQLITE_ROW) {
		col_copy(q, 0, unit, HUB_CODE_MAX);
		if (doc) {
			mo_buf_reset(doc);
			if ((rc = mo_buf_add(doc, sqlite3_column_text(q, 1),
					     (size_t)sqlite3_column_bytes(q, 1))) != MO_OK)
				mo_err_set(err, rc, NULL, "cannot copy the trip");
		}
	} else if (src == SQLITE_DONE) {
		rc = MO_ENOTFOUND;
	} else {
		rc = db_fail(s, src, "read the trip", err);
	}
	done_stmt(q);
done:
	unlock(s);
	return rc;
}

int hub_store_trip_put(struct hub_store *s, const char *id, const char *unit, const char *device,
		       const char *doc_json, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	now_iso(now);
	lock(s);
	if ((q = stmt(s, S_TRIP_PUT, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, id);
		bind_text(q, 2, unit);
		bind_text(q, 3, device);
		bind_text(q, 4, doc_json);
		bind_text(q, 5, now);
		rc = exec_stmt(s, q, "store the trip", err);
	}
	unlock(s);
	return rc;
}

/* ---- cases ---- */

int hub_store_case_get(struct hub_store *s, const char *ref, bool by_number, struct hub_case *out,
		       struct mo_buf *doc, struct mo_err *err)
{
	int rc = MO_ENOTFOUND, src;

	lock(s);
	for (int pass = 0; pass < (by_number ? 2 : 1) && rc == MO_ENOTFOUND; pass++) {
		sqlite3_stmt *q = stmt(s, pass ? S_CASE_GET_NUM : S_CASE_GET_ID, err);

		if (q == NULL) {
			rc = MO_EIO;
			break;
		}
		bind_text(q, 1, ref);
		src = sqlite3_step(q);
		if (src == SQLITE_ROW) {
			rc = MO_OK;
			col_copy(q, 0, out->id, sizeof(out->id));
			col_copy(q, 1, out->number, sizeof(out->number));
			col_copy(q, 2, out->unit, sizeof(out->unit));
			col_copy(q, 3, out->status, sizeof(out->status));
			if (doc) {
				mo_buf_reset(doc);
				if ((rc = mo_buf_add(doc, sqlite3_column_text(q, 4),
						     (size_t)sqlite3_column_bytes(q, 4))) != MO_OK)
					mo_err_set(err, rc, NULL, "cannot copy the case");
			}
		} else if (src != SQLITE_DONE) {
			rc = db_fail(s, src, "read the case", err);
		}
		done_stmt(q);
	}
	unlock(s);
	if (rc == MO_ENOTFOUND)
		mo_err_set(err, rc, "not_found", "no case '%s'", ref);
	return rc;
}

int hub_store_case_put(struct hub_store *s, const struct hub_case *c, const char *device,
		       const char *doc_json, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	now_iso(now);
	lock(s);
	if ((q = stmt(s, S_CASE_PUT, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, c->id);
		bind_text(q, 2, c->number[0] ? c->number : NULL);
		bind_text(q, 3, c->unit);
		bind_text(q, 4, device);
		bind_text(q, 5, c->status);
		bind_text(q, 6, doc_json);
		bind_text(q, 7, now);
		rc = exec_stmt(s, q, "store the case", err);
	}
	if (rc == MO_OK)
		rc = search_due(s, c->id, err);
	/* outside a transaction (autocommit) the entry is written at once */
	if (rc == MO_OK && sqlite3_get_autocommit(s->db))
		rc = search_flush(s, err);
	unlock(s);
	return rc;
}

int hub_store_case_set_status(struct hub_store *s, const char *id, const char *status,
			      bool attention, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	now_iso(now);
	lock(s);
	if ((q = stmt(s, S_CASE_SET_STATUS, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, id);
		bind_text(q, 2, status);
		bind_text(q, 3, now);
		sqlite3_bind_int(q, 4, attention);
		rc = exec_stmt(s, q, "set the case status", err);
	}
	unlock(s);
	return rc;
}

int hub_store_case_services(struct hub_store *s, const char *id, struct hub_case_service **out,
			    size_t *n, struct mo_err *err)
{
	struct hub_case_service *v = NULL;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	*out = NULL;
	*n = 0;
	lock(s);
	if ((q = stmt(s, S_CASE_SERVICES, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, id);
	while ((src = sqlite3_step(q)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct hub_case_service *p = realloc(v, ncap * sizeof(*v));

			if (p == NULL) {
				rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
				break;
			}
			v = p;
			cap = ncap;
		}
		col_copy(q, 0, v[cnt].code, sizeof(v[cnt].code));
		v[cnt].status = proto_status_parse((const char *)sqlite3_column_text(q, 1));
		cnt++;
	}
	if (rc == MO_OK && src != SQLITE_DONE)
		rc = db_fail(s, src, "read the case services", err);
	done_stmt(q);
done:
	unlock(s);
	if (rc != MO_OK) {
		free(v);
		return rc;
	}
	*out = v;
	*n = cnt;
	return MO_OK;
}

int hub_store_case_services_put(struct hub_store *s, const char *id,
				const struct hub_case_service *v, size_t n, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	lock(s);
	if ((q = stmt(s, S_CASE_SERVICES_DEL, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, id);
	if ((rc = exec_stmt(s, q, "replace the case services", err)) != MO_OK)
		goto done;
	for (size_t i = 0; i < n; i++) {
		if ((q = stmt(s, S_CASE_SERVICE_ADD, err)) == NULL) {
			rc = MO_EIO;
			goto done;
		}
		bind_text(q, 1, id);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)i);
		bind_text(q, 3, v[i].code);
		bind_text(q, 4, proto_status_name(v[i].status));
		if ((rc = exec_stmt(s, q, "add a case service", err)) != MO_OK)
			goto done;
	}
done:
	unlock(s);
	return rc;
}

int hub_store_case_services_move(struct hub_store *s, const char *id, int from, int to,
				 struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	lock(s);
	if ((q = stmt(s, S_CASE_SERVICES_MOVE, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, id);
		bind_text(q, 2, proto_status_name(from));
		bind_text(q, 3, proto_status_name(to));
		rc = exec_stmt(s, q, "move the services", err);
	}
	unlock(s);
	return rc;
}

int hub_store_case_service_set(struct hub_store *s, const char *id, const char *code, int status,
			       struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	lock(s);
	if ((q = stmt(s, S_CASE_SERVICE_SET, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, id);
		bind_text(q, 2, code);
		bind_text(q, 3, proto_status_name(status));
		rc = exec_stmt(s, q, "set a service status", err);
	}
	unlock(s);
	return rc;
}

static void case_row(cJSON *o, sqlite3_stmt *q)
{
	hub_sqlite_json_text(o, "id", q, 0);
	hub_sqlite_json_text(o, "number", q, 1);
	hub_sqlite_json_text(o, "status", q, 2);
	hub_sqlite_json_text(o, "unit", q, 3);
	hub_sqlite_json_text(o, "device", q, 4);
	hub_sqlite_json_text(o, "created_at", q, 5);
	hub_sqlite_json_text(o, "updated_at", q, 6);
	hub_sqlite_json_text(o, "surname", q, 7);
	hub_sqlite_json_text(o, "given_name", q, 8);
}

int hub_store_case_list(struct hub_store *s, const char *status, const char *unit, cJSON **out,
			struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	lock(s);
	if ((q = stmt(s, S_CASE_LIST, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, status);
		bind_text(q, 2, unit);
		rc = hub_sqlite_list_rows(s, q, out, case_row, err);
	}
	unlock(s);
	return rc;
}

static void event_row(cJSON *o, sqlite3_stmt *q)
{
	char hlc[PROTO_HLC_HEX];

	hub_sqlite_json_text(o, "kind", q, 0);
	hub_sqlite_json_text(o, "from", q, 1);
	hub_sqlite_json_text(o, "to", q, 2);
	hub_sqlite_json_text(o, "service", q, 3);
	hub_sqlite_json_text(o, "reason", q, 4);
	hub_sqlite_json_text(o, "actor", q, 5);
	snprintf(hlc, sizeof(hlc), "%016llx", (unsigned long long)sqlite3_column_int64(q, 6));
	cJSON_AddStringToObject(o, "hlc", hlc);
	hub_sqlite_json_text(o, "at", q, 7);
}

static void append_row(cJSON *o, sqlite3_stmt *q)
{
	const char *t = (const char *)sqlite3_column_text(q, 2);
	cJSON *v = t ? cJSON_Parse(t) : NULL;

	hub_sqlite_json_text(o, "id", q, 0);
	hub_sqlite_json_text(o, "entity", q, 1);
	cJSON_AddItemToObject(o, "fields", v ? v : cJSON_CreateNull());
	hub_sqlite_json_text(o, "received_at", q, 3);
}

static void quarantine_case_row(cJSON *o, sqlite3_stmt *q)
{
	cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(q, 0));
	hub_sqlite_json_text(o, "device", q, 1);
	cJSON_AddNumberToObject(o, "n", (double)sqlite3_column_int64(q, 2));
	hub_sqlite_json_text(o, "entity", q, 3);
	hub_sqlite_json_text(o, "op", q, 4);
	hub_sqlite_json_text(o, "code", q, 5);
	hub_sqlite_json_text(o, "message", q, 6);
	hub_sqlite_json_text(o, "received_at", q, 7);
}

int hub_store_case_detail(struct hub_store *s, const char *id, cJSON *obj, struct mo_err *err)
{
	static const struct {
		enum stmt_id id;
		const char *key;
		void (*fn)(cJSON *, sqlite3_stmt *);
	} parts[] = {
	    {S_CASE_EVENTS, "history", event_row},
	    {S_CASE_APPENDS, "appends", append_row},
	    {S_CASE_QUARANTINE, "quarantined", quarantine_case_row},
	};
	int rc = MO_OK;

	lock(s);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && rc == MO_OK; i++) {
		sqlite3_stmt *q = stmt(s, parts[i].id, err);
		cJSON *arr = NULL;

		if (q == NULL) {
			rc = MO_EIO;
			break;
		}
		bind_text(q, 1, id);
		if ((rc = hub_sqlite_list_rows(s, q, &arr, parts[i].fn, err)) == MO_OK)
			cJSON_AddItemToObject(obj, parts[i].key, arr);
	}
	unlock(s);
	return rc;
}

/* ---- appends, history, quarantine ---- */

int hub_store_append_add(struct hub_store *s, const char *id, const char *entity,
			 const char *case_id, const char *device, uint64_t hlc,
			 const char *fields_json, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	now_iso(now);
	lock(s);
	if ((q = stmt(s, S_APPEND_ADD, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, id);
		bind_text(q, 2, entity);
		bind_text(q, 3, case_id);
		bind_text(q, 4, device);
		bind_u64(q, 5, hlc);
		bind_text(q, 6, fields_json);
		bind_text(q, 7, now);
		rc = exec_stmt(s, q, "store the record", err);
		if (rc == MO_OK && sqlite3_changes(s->db) == 0)
			rc = MO_EEXISTS;
	}
	unlock(s);
	return rc;
}

int hub_store_event_add(struct hub_store *s, const struct hub_event *e, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	now_iso(now);
	lock(s);
	if ((q = stmt(s, S_EVENT_ADD, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, e->case_id);
		bind_text(q, 2, e->kind);
		bind_text(q, 3, e->from);
		bind_text(q, 4, e->to);
		bind_text(q, 5, e->service);
		bind_text(q, 6, e->reason);
		bind_text(q, 7, e->actor);
		bind_u64(q, 8, e->hlc);
		bind_text(q, 9, now);
		rc = exec_stmt(s, q, "record the history", err);
	}
	unlock(s);
	return rc;
}

int hub_store_quarantine_add(struct hub_store *s, const struct hub_quarantine_rec *r,
			     struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	now_iso(now);
	lock(s);
	if ((q = stmt(s, S_QUAR_ADD, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, r->device);
		sqlite3_bind_int64(q, 2, r->batch_seq);
		sqlite3_bind_int64(q, 3, r->n);
		bind_text(q, 4, r->entity);
		bind_text(q, 5, r->entity_id);
		bind_text(q, 6, r->op);
		bind_text(q, 7, r->code);
		bind_text(q, 8, r->message);
		bind_text(q, 9, r->change_json);
		bind_text(q, 10, now);
		rc = exec_stmt(s, q, "quarantine the change", err);
	}
	unlock(s);
	return rc;
}

static void quarantine_row(cJSON *o, sqlite3_stmt *q)
{
	cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(q, 0));
	hub_sqlite_json_text(o, "device", q, 1);
	cJSON_AddNumberToObject(o, "batch", (double)sqlite3_column_int64(q, 2));
	cJSON_AddNumberToObject(o, "n", (double)sqlite3_column_int64(q, 3));
	hub_sqlite_json_text(o, "entity", q, 4);
	hub_sqlite_json_text(o, "entity_id", q, 5);
	hub_sqlite_json_text(o, "op", q, 6);
	hub_sqlite_json_text(o, "code", q, 7);
	hub_sqlite_json_text(o, "message", q, 8);
	hub_sqlite_json_text(o, "received_at", q, 9);
}

int hub_store_quarantine_list(struct hub_store *s, cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	lock(s);
	q = stmt(s, S_QUAR_LIST, err);
	rc = q ? hub_sqlite_list_rows(s, q, out, quarantine_row, err) : MO_EIO;
	unlock(s);
	return rc;
}

/* ---- feed ---- */

int hub_store_feed_add(struct hub_store *s, const char *unit, const char *origin,
		       const char *entity, const char *entity_id, const char *op, uint64_t hlc,
		       const char *fields_json, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	now_iso(now);
	lock(s);
	if ((q = stmt(s, S_FEED_ADD, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, unit);
		bind_text(q, 2, origin);
		bind_text(q, 3, entity);
		bind_text(q, 4, entity_id);
		bind_text(q, 5, op);
		bind_u64(q, 6, hlc);
		bind_text(q, 7, fields_json);
		bind_text(q, 8, now);
		rc = exec_stmt(s, q, "append to the feed", err);
	}
	unlock(s);
	return rc;
}

int hub_store_feed_read(struct hub_store *s, const char *unit, const char *device, long long after,
			long long limit, hub_feed_fn fn, void *arg, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	s = reading(s);
	lock(s);
	if ((q = stmt(s, S_FEED_READ, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	sqlite3_bind_int64(q, 1, after);
	bind_text(q, 2, unit);
	bind_text(q, 3, device ? device : "");
	sqlite3_bind_int64(q, 4, limit);
	while ((src = sqlite3_step(q)) == SQLITE_ROW) {
		struct hub_feed_row r;

		r.seq = sqlite3_column_int64(q, 0);
		r.entity = (const char *)sqlite3_column_text(q, 1);
		r.entity_id = (const char *)sqlite3_column_text(q, 2);
		r.op = (const char *)sqlite3_column_text(q, 3);
		r.hlc = (uint64_t)sqlite3_column_int64(q, 4);
		r.fields = (const char *)sqlite3_column_text(q, 5);
		r.fields_len = (size_t)sqlite3_column_bytes(q, 5);
		if ((rc = fn(arg, &r)) != MO_OK)
			break;
	}
	if (rc == MO_OK && src != SQLITE_DONE)
		rc = db_fail(s, src, "read the feed", err);
	done_stmt(q);
done:
	unlock(s);
	return rc;
}

/* ---- blob ownership, quotas and request nonces ---- */

int hub_store_nonce_take(struct hub_store *s, const char *device, const char *nonce,
			 uint64_t now_ms, uint64_t expires_ms, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	lock(s);
	if ((q = stmt(s, S_NONCE_PRUNE, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_u64(q, 1, now_ms);
	if ((rc = exec_stmt(s, q, "forget old nonces", err)) != MO_OK)
		goto done;
	if ((q = stmt(s, S_NONCE_ADD, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, device);
	bind_text(q, 2, nonce);
	bind_u64(q, 3, expires_ms);
	rc = exec_stmt(s, q, "remember the nonce", err);
	if (rc == MO_ECONFLICT)
		rc = mo_err_set(err, MO_EEXISTS, NULL, "nonce already used");
done:
	unlock(s);
	return rc;
}

int hub_store_blob_state(struct hub_store *s, const char *sha256, const char *unit,
			 const char *device, struct hub_blob_state *out, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	memset(out, 0, sizeof(*out));
	out->partial_bytes = -1;
	lock(s);
	if ((q = stmt(s, S_BLOB_STATE, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, sha256);
	bind_text(q, 2, unit);
	bind_text(q, 3, device);
	src = sqlite3_step(q);
	if (src == SQLITE_ROW) {
		out->unit_has = sqlite3_column_int(q, 0) != 0;
		out->anyone_has = sqlite3_column_int(q, 1) != 0;
		if (sqlite3_column_type(q, 2) != SQLITE_NULL)
			out->partial_bytes = sqlite3_column_int64(q, 2);
	} else {
		rc = db_fail(s, src, "read the blob's owners", err);
	}
	done_stmt(q);
done:
	unlock(s);
	return rc;
}

int hub_store_blob_progress(struct hub_store *s, const char *sha256, const char *device,
			    const char *unit, bool complete, long long bytes, long long total,
			    uint64_t now_ms, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	lock(s);
	if ((q = stmt(s, S_BLOB_PUT, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, sha256);
		bind_text(q, 2, device);
		bind_text(q, 3, unit);
		bind_text(q, 4, complete ? "complete" : "partial");
		sqlite3_bind_int64(q, 5, bytes);
		sqlite3_bind_int64(q, 6, total);
		bind_u64(q, 7, now_ms);
		rc = exec_stmt(s, q, "record the upload", err);
	}
	unlock(s);
	return rc;
}

int hub_store_blob_usage(struct hub_store *s, const char *device, const char *except_sha256,
			 long long *count, long long *bytes, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	*count = *bytes = 0;
	lock(s);
	if ((q = stmt(s, S_BLOB_USAGE, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, device);
	bind_text(q, 2, except_sha256 ? except_sha256 : "");
	src = sqlite3_step(q);
	if (src == SQLITE_ROW) {
		*count = sqlite3_column_int64(q, 0);
		*bytes = sqlite3_column_int64(q, 1);
	} else {
		rc = db_fail(s, src, "count the device's uploads", err);
	}
	done_stmt(q);
done:
	unlock(s);
	return rc;
}

int hub_store_blob_reference(struct hub_store *s, const char *sha256, const char *unit,
			     struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	lock(s);
	if ((q = stmt(s, S_BLOB_REFERENCE, err)) == NULL) {
		rc = MO_EIO;
	} else {
		bind_text(q, 1, sha256);
		bind_text(q, 2, unit);
		rc = exec_stmt(s, q, "mark the blob used", err);
	}
	unlock(s);
	return rc;
}

int hub_store_blob_expired(struct hub_store *s, uint64_t before_ms, struct hub_blob_ref *out,
			   size_t max, size_t *n, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	*n = 0;
	lock(s);
	if ((q = stmt(s, S_BLOB_EXPIRED, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_u64(q, 1, before_ms);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)max);
	while ((src = sqlite3_step(q)) == SQLITE_ROW && *n < max) {
		col_copy(q, 0, out[*n].sha256, sizeof(out[*n].sha256));
		col_copy(q, 1, out[*n].device, sizeof(out[*n].device));
		out[*n].partial = sqlite3_column_int(q, 2) != 0;
		(*n)++;
	}
	if (src != SQLITE_DONE && src != SQLITE_ROW)
		rc = db_fail(s, src, "list expired uploads", err);
	done_stmt(q);
done:
	unlock(s);
	return rc;
}

int hub_store_blob_forget(struct hub_store *s, const char *sha256, const char *device,
			  bool *unused, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc, src;

	*unused = false;
	lock(s);
	if ((q = stmt(s, S_BLOB_FORGET, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, sha256);
	bind_text(q, 2, device);
	if ((rc = exec_stmt(s, q, "forget the upload", err)) != MO_OK)
		goto done;
	if ((q = stmt(s, S_BLOB_USED, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, sha256);
	src = sqlite3_step(q);
	if (src == SQLITE_ROW)
		*unused = sqlite3_column_int(q, 0) == 0;
	else
		rc = db_fail(s, src, "check the blob's users", err);
	done_stmt(q);
done:
	unlock(s);
	return rc;
}

/* ---- the public status lookup ---- */

int hub_store_case_updated_at(struct hub_store *s, const char *id, char out[32], struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	out[0] = '\0';
	lock(s);
	if ((q = stmt(s, S_CASE_UPDATED_AT, err)) == NULL) {
		unlock(s);
		return MO_EIO;
	}
	bind_text(q, 1, id);
	src = sqlite3_step(q);
	if (src == SQLITE_ROW)
		col_copy(q, 0, out, 32);
	else if (src == SQLITE_DONE)
		rc = mo_err_set(err, MO_ENOTFOUND, "not_found", "no case '%s'", id);
	else
		rc = db_fail(s, src, "read the case", err);
	done_stmt(q);
	unlock(s);
	return rc;
}
