/*
 * store_int.h — internals shared by the two files of the SQLite store:
 * store_sqlite.c (sync, apply, catalogue) and store_staff.c (sessions,
 * audit, queue search, reports).  Nothing outside the store includes it.
 */
#ifndef HUB_STORE_INT_H
#define HUB_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "store.h"

#define HUB_CORE_STMTS 64  /* slots of store_sqlite.c (enum stmt_id) */
#define HUB_STAFF_STMTS 96 /* slots of store_staff.c */

struct hub_store {
	sqlite3 *db;
	pthread_mutex_t lock; /* recursive: a transaction owns it */
	sqlite3_stmt *st[HUB_CORE_STMTS];
	sqlite3_stmt *staff[HUB_STAFF_STMTS];
	/* cases written in the open transaction whose search entries are due:
	 * a JSON array of ids, indexed in one statement before COMMIT (FTS5
	 * flushes its pending terms at every statement savepoint, so a trigger
	 * per case write cost more than the write itself) */
	char *search_ids;
	size_t search_len, search_cap, search_n;
	size_t search_mark_len, search_mark_n; /* at the savepoint */
	struct hub_store *reader; /* read-only connection (store_sqlite.c reading()) */
	bool staff_fns; /* the queue's SQL functions are registered (store_staff.c) */
	long long schema_found; /* PRAGMA user_version at open, before migrating */
};

void hub_sqlite_lock(struct hub_store *s);
void hub_sqlite_unlock(struct hub_store *s);
/* map a SQLite result code to mo_rc with the database's message */
int hub_sqlite_fail(struct hub_store *s, int src, const char *what, struct mo_err *err);
/* column i as a JSON string (null for SQL NULL) */
void hub_sqlite_json_text(cJSON *o, const char *key, sqlite3_stmt *q, int i);
/* run a listing statement (then reset), one JSON object per row made by fn */
int hub_sqlite_list_rows(struct hub_store *s, sqlite3_stmt *q, cJSON **out,
			 void (*fn)(cJSON *o, sqlite3_stmt *q), struct mo_err *err);

#endif
