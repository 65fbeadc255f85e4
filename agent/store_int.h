/*
 * store_int.h — what the store's files share (store.c, store_visit.c): the
 * connection and the one SQLITE_* → mo_rc mapping.  Nothing outside the
 * store_*.c files includes this; everything else goes through store.h and
 * store_visit.h.
 */
#ifndef AGENT_STORE_INT_H
#define AGENT_STORE_INT_H

#include <sqlite3.h>

#include "mo_buf.h"
#include "store.h"

sqlite3 *agent_store_sqlite(struct agent_store *s);
/* map a SQLITE_* code to mo_rc and copy sqlite3_errmsg into err */
int agent_store_db_error(struct agent_store *s, int src, struct mo_err *err, const char *what);
/* a packed column (the outbox's change JSON: deflated BLOB, or an older
 * TEXT row) as text in out, NUL-terminated */
int agent_store_col_unpacked(sqlite3_stmt *st, int i, struct mo_buf *out, struct mo_err *err);

#endif
