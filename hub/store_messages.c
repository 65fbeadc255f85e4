/*
 * store_messages.c — the SQL of the status messages (store.h, migration
 * 016).  Same rules as the other store files: statements prepared once,
 * bind → step → copy out → reset, every call under the store's lock.  What
 * a message says and when it is retried is decided above, in messages.c
 * and notify.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

enum msg_stmt {
	M_COUNT,
	M_ADD,
	M_CLAIM,
	M_DONE,
	M_LIST,
	M_COUNTS,
	M_STMT_COUNT
};

_Static_assert(M_STMT_COUNT <= HUB_MSG_STMTS, "HUB_MSG_STMTS too small");

static const char *const sql_text[M_STMT_COUNT] = {
    [M_COUNT] = "SELECT count(*) FROM messages WHERE case_id = ?1 AND event = ?2",
    /* the key is unique: a second queueing of one event changes nothing */
    [M_ADD] = "INSERT INTO messages(key, case_id, unit, event, seq, phone, text, next_ms, "
	      "queued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8) ON CONFLICT DO NOTHING",
    /* one statement, so the choice and the lease are one write: a row whose
     * lease is live is never chosen again until the lease runs out */
    [M_CLAIM] = "UPDATE messages SET lease_until = ?1 + ?2, lease_owner = ?3, "
		"attempts = attempts + 1, tried_at = ?4 WHERE id = (SELECT id FROM messages "
		"WHERE state = 'queued' AND next_ms <= ?1 AND lease_until <= ?1 "
		"ORDER BY next_ms, id LIMIT 1) "
		"RETURNING id, key, case_id, unit, event, seq, phone, text, attempts",
    [M_DONE] = "UPDATE messages SET state = ?3, next_ms = ?4, last_error = ?5, "
	       "last_detail = ?6, lease_until = 0, lease_owner = NULL, "
	       "sent_at = CASE WHEN ?3 = 'sent' THEN ?7 ELSE sent_at END "
	       "WHERE id = ?1 AND lease_owner = ?2 AND state = 'queued'",
    [M_LIST] = "SELECT key, event, seq, state, attempts, last_error, last_detail, text, "
	       "queued_at, tried_at, sent_at FROM messages WHERE case_id = ?1 ORDER BY id",
    [M_COUNTS] = "SELECT coalesce(sum(state = 'queued'), 0), "
		 "coalesce(sum(state = 'queued' AND next_ms <= ?1), 0), "
		 "coalesce(sum(state = 'sent'), 0), coalesce(sum(state = 'failed'), 0) "
		 "FROM messages",
};

static sqlite3_stmt *stmt(struct hub_store *s, enum msg_stmt id, struct mo_err *err)
{
	int src;

	if (s->msg[id])
		return s->msg[id];
	src = sqlite3_prepare_v3(s->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &s->msg[id],
				 NULL);
	if (src != SQLITE_OK) {
		hub_sqlite_fail(s, src, "prepare a statement", err);
		s->msg[id] = NULL;
	}
	return s->msg[id];
}

static void done_stmt(sqlite3_stmt *q)
{
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
}

static void bind_text(sqlite3_stmt *q, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, i);
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

int hub_store_message_count(struct hub_store *s, const char *case_id, const char *event,
			    long long *n, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_EIO, src;

	*n = 0;
	hub_sqlite_lock(s);
	if ((q = stmt(s, M_COUNT, err)) != NULL) {
		bind_text(q, 1, case_id);
		bind_text(q, 2, event);
		if ((src = sqlite3_step(q)) == SQLITE_ROW) {
			*n = sqlite3_column_int64(q, 0);
			rc = MO_OK;
		} else {
			rc = hub_sqlite_fail(s, src, "count the messages", err);
		}
		done_stmt(q);
	}
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_message_add(struct hub_store *s, const struct hub_message *m, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc = MO_EIO, src;

	now_iso(now);
	hub_sqlite_lock(s);
	if ((q = stmt(s, M_ADD, err)) != NULL) {
		bind_text(q, 1, m->key);
		bind_text(q, 2, m->case_id);
		bind_text(q, 3, m->unit);
		bind_text(q, 4, m->event);
		sqlite3_bind_int64(q, 5, m->seq);
		bind_text(q, 6, m->phone);
		bind_text(q, 7, m->text);
		bind_text(q, 8, now);
		src = sqlite3_step(q);
		if (src == SQLITE_DONE)
			rc = sqlite3_changes(s->db) == 0 ? MO_EEXISTS : MO_OK;
		else
			rc = hub_sqlite_fail(s, src, "queue the message", err);
		done_stmt(q);
	}
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_message_claim(struct hub_store *s, uint64_t now_ms, uint64_t lease_ms,
			    const char *owner, struct hub_message *out, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc = MO_EIO, src;

	memset(out, 0, sizeof(*out));
	now_iso(now);
	hub_sqlite_lock(s);
	if ((q = stmt(s, M_CLAIM, err)) != NULL) {
		sqlite3_bind_int64(q, 1, (sqlite3_int64)now_ms);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)lease_ms);
		bind_text(q, 3, owner);
		bind_text(q, 4, now);
		src = sqlite3_step(q);
		if (src == SQLITE_ROW) {
			out->id = sqlite3_column_int64(q, 0);
			col_copy(q, 1, out->key, sizeof(out->key));
			col_copy(q, 2, out->case_id, sizeof(out->case_id));
			col_copy(q, 3, out->unit, sizeof(out->unit));
			col_copy(q, 4, out->event, sizeof(out->event));
			out->seq = sqlite3_column_int64(q, 5);
			col_copy(q, 6, out->phone, sizeof(out->phone));
			col_copy(q, 7, out->text, sizeof(out->text));
			out->attempts = sqlite3_column_int64(q, 8);
			/* RETURNING: the write is finished only when the statement is */
			src = sqlite3_step(q);
			rc = src == SQLITE_DONE ? MO_OK
						: hub_sqlite_fail(s, src, "claim a message", err);
		} else if (src == SQLITE_DONE) {
			rc = MO_ENOTFOUND;
		} else {
			rc = hub_sqlite_fail(s, src, "claim a message", err);
		}
		done_stmt(q);
	}
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_message_done(struct hub_store *s, long long id, const char *owner,
			   const struct hub_message_outcome *o, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc = MO_EIO, src;

	now_iso(now);
	hub_sqlite_lock(s);
	if ((q = stmt(s, M_DONE, err)) != NULL) {
		sqlite3_bind_int64(q, 1, id);
		bind_text(q, 2, owner);
		bind_text(q, 3, o->state);
		sqlite3_bind_int64(q, 4, (sqlite3_int64)o->next_ms);
		bind_text(q, 5, o->error);
		bind_text(q, 6, o->detail);
		bind_text(q, 7, now);
		src = sqlite3_step(q);
		if (src != SQLITE_DONE)
			rc = hub_sqlite_fail(s, src, "record the delivery", err);
		else if (sqlite3_changes(s->db) == 0)
			rc = mo_err_set(err, MO_ECONFLICT, NULL,
					"message %lld: the lease ran out before the answer", id);
		else
			rc = MO_OK;
		done_stmt(q);
	}
	hub_sqlite_unlock(s);
	return rc;
}

static void message_row(cJSON *o, sqlite3_stmt *q)
{
	hub_sqlite_json_text(o, "key", q, 0);
	hub_sqlite_json_text(o, "event", q, 1);
	cJSON_AddNumberToObject(o, "seq", (double)sqlite3_column_int64(q, 2));
	hub_sqlite_json_text(o, "state", q, 3);
	cJSON_AddNumberToObject(o, "attempts", (double)sqlite3_column_int64(q, 4));
	hub_sqlite_json_text(o, "error", q, 5);
	hub_sqlite_json_text(o, "detail", q, 6);
	hub_sqlite_json_text(o, "text", q, 7);
	hub_sqlite_json_text(o, "queued_at", q, 8);
	hub_sqlite_json_text(o, "tried_at", q, 9);
	hub_sqlite_json_text(o, "sent_at", q, 10);
}

int hub_store_message_list(struct hub_store *s, const char *case_id, cJSON **out,
			   struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_EIO;

	*out = NULL;
	hub_sqlite_lock(s);
	if ((q = stmt(s, M_LIST, err)) != NULL) {
		bind_text(q, 1, case_id);
		rc = hub_sqlite_list_rows(s, q, out, message_row, err);
	}
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_message_counts(struct hub_store *s, uint64_t now_ms, struct hub_message_counts *out,
			     struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_EIO, src;

	memset(out, 0, sizeof(*out));
	hub_sqlite_lock(s);
	if ((q = stmt(s, M_COUNTS, err)) != NULL) {
		sqlite3_bind_int64(q, 1, (sqlite3_int64)now_ms);
		if ((src = sqlite3_step(q)) == SQLITE_ROW) {
			out->queued = sqlite3_column_int64(q, 0);
			out->due = sqlite3_column_int64(q, 1);
			out->sent = sqlite3_column_int64(q, 2);
			out->failed = sqlite3_column_int64(q, 3);
			rc = MO_OK;
		} else {
			rc = hub_sqlite_fail(s, src, "count the messages", err);
		}
		done_stmt(q);
	}
	hub_sqlite_unlock(s);
	return rc;
}
