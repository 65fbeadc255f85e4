/*
 * store_staff.c — the staff side of the SQLite store (store.h): sessions,
 * sign-in throttling, the audit log, the review queue with its search, and
 * the reports.  Same rules as store_sqlite.c: statements prepared once,
 * bind → step → copy out → reset, every call under the store's lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "store_int.h"
#include "translit.h"

enum staff_stmt {
	T_SESSION_ADD,
	T_SESSION_GET,
	T_SESSION_TOUCH,
	T_SESSION_DEL,
	T_FAIL_LOGIN,
	T_FAIL_ADDR,
	T_FAIL_PAIR,
	T_FAIL_ADD,
	T_FAIL_PRUNE,
	T_FAIL_CLEAR,
	T_FAIL_DEL,
	T_KNOWN_GET,
	T_KNOWN_PUT,
	T_USER_LIST,
	T_USER_STATE,
	T_USER_SET_ROLE,
	T_USER_SET_DISABLED,
	T_USER_SET_HASH,
	T_USER_SESSIONS_END,
	T_ADMINS_ACTIVE,
	T_AUDIT_ADD,
	T_AUDIT_LIST,
	T_CASE_LIST,
	T_CASE_LIST_Q,
	T_CASE_LIST_S,
	T_CASE_LIST_QS,
	T_CASE_COUNT,
	T_CASE_COUNT_Q,
	T_ATTACHMENT,
	T_QUEUE_GET,
	T_ASSIGN,
	T_STAFF_ACTIVE,
	T_OPT_TRIPS,
	T_OPT_SETTLEMENTS,
	T_OPT_KINDS,
	T_OPT_OPERATORS,
	T_OPT_MOBILITY,
	T_R_TOTALS,
	T_R_CATEGORY,
	T_R_SERVICE,
	T_R_UNIT,
	T_R_TRIP,
	T_R_MONTH,
	T_R_HOURS,
	T_R_RATINGS,
	T_R_KIND,
	T_R_MESSAGES,
	T_R_LOOKUPS,
	T_LOOKUP_COUNT,
	T_COUNT
};

_Static_assert(T_COUNT <= HUB_STAFF_STMTS, "raise HUB_STAFF_STMTS");

/* the queue filter: ?1 status, ?2 unit, ?3 service, ?4 from, ?5 to, ?6 search,
 * ?9 assignee, ?10 unassigned, ?11 trip, ?12 settlement, ?13 operator, ?14
 * trip kind, ?15 mobility, ?16 any mobility, ?17 Latin words, ?18 phone
 * digits, ?19 sort, ?20 descending (?7 and ?8 are the page).  Drafts are the
 * laptop's own: a draft a laptop synced stays out of the queue. */
#define TRIP_ID "json_extract(c.doc, '$.trip')"
#define MOBILITY "json_extract(c.doc, '$.applicant.mobility')"
#define MOBILITY_OF_DOC "json_extract(doc, '$.applicant.mobility')"
#define CREATED "json_extract(c.doc, '$.created_at')"
#define WHERE_BASE                                                                                 \
	"WHERE c.status <> 'draft' AND (?1 IS NULL OR c.status = ?1) "                              \
	"AND (?2 IS NULL OR c.unit = ?2) "                                                         \
	"AND (?3 IS NULL OR EXISTS (SELECT 1 FROM case_services s WHERE s.case_id = c.id "         \
	"AND s.code = ?3) OR json_extract(c.doc, '$.package') = ?3) "                              \
	"AND (?4 IS NULL OR substr(" CREATED ", 1, 10) >= ?4) "                                    \
	"AND (?5 IS NULL OR substr(" CREATED ", 1, 10) <= ?5) "                                    \
	"AND (?9 IS NULL OR c.assignee = ?9) AND (?10 IS NULL OR c.assignee IS NULL) "             \
	"AND (?11 IS NULL OR " TRIP_ID " = ?11) "                                                  \
	"AND ((?12 IS NULL AND ?14 IS NULL) OR EXISTS (SELECT 1 FROM trips t "                     \
	"WHERE t.id = " TRIP_ID " AND (?12 IS NULL OR json_extract(t.doc, '$.settlement') = ?12) " \
	"AND (?14 IS NULL OR json_extract(t.doc, '$.kind') = ?14))) "                              \
	"AND (?13 IS NULL OR json_extract(c.doc, '$.operator') = ?13) "                            \
	"AND (?15 IS NULL OR " MOBILITY " = ?15) "                                                 \
	"AND (?16 IS NULL OR coalesce(" MOBILITY ", '') <> '') "                                   \
	"AND (?17 IS NULL OR mo_latin_match(?17, c.number, "                                       \
	"json_extract(c.doc, '$.applicant.surname'), "                                             \
	"json_extract(c.doc, '$.applicant.given_name'), "                                          \
	"json_extract(c.doc, '$.applicant.patronymic'))) "
/* the words of the search box (FTS5), or the digits of a phone */
#define WHERE_SEARCH                                                                               \
	"AND (c.id IN (SELECT case_id FROM case_search_ids WHERE rid IN "                          \
	"(SELECT rowid FROM case_search WHERE case_search MATCH ?6)) OR (?18 IS NOT NULL AND "     \
	"instr(replace(coalesce(json_extract(c.doc, '$.applicant.phone'), ''), '+', ''), "         \
	"?18) > 0)) "
#define LIST_COLS                                                                                  \
	"SELECT c.id, c.number, c.status, c.unit, " CREATED ", c.created_at, "                     \
	"json_extract(c.doc, '$.applicant.surname'), "                                             \
	"json_extract(c.doc, '$.applicant.given_name'), "                                          \
	"json_extract(c.doc, '$.applicant.patronymic'), "                                          \
	"json_extract(c.doc, '$.applicant.rnokpp'), json_extract(c.doc, '$.package'), "            \
	"json_extract(c.doc, '$.fee_uah'), "                                                       \
	"(SELECT json_group_array(json_object('code', code, 'status', status)) FROM "              \
	"(SELECT code, status FROM case_services WHERE case_id = c.id ORDER BY pos)), "           \
	"c.assignee, p.k, c.resubmitted_at, json_extract(c.doc, '$.operator'), "                  \
	"json_extract(c.doc, '$.applicant.phone'), "                                               \
	"(SELECT json_object('settlement', json_extract(t.doc, '$.settlement'), 'kind', "          \
	"json_extract(t.doc, '$.kind'), 'started_at', json_extract(t.doc, '$.started_at')) "       \
	"FROM trips t WHERE t.id = json_extract(c.doc, '$.trip')), "                               \
	"(SELECT json_object('reason', e.reason, 'at', e.at) FROM events e "                       \
	"WHERE e.case_id = c.id AND e.kind = 'transition' AND e.to_status IN "                    \
	"('approved', 'rejected', 'needs_info') ORDER BY e.id DESC LIMIT 1) "                      \
	"FROM page p CROSS JOIN cases c ON c.id = p.pid "
/*
 * The queue's order: the time a case last needed attention (its receipt or
 * its return from needs_info, 008), oldest first.  In two steps, so that only
 * the page's 50 rows are read in full: the page of ids by the key, then
 * their columns, in the same order.
 */
#define SORT_KEY "coalesce(c.attention_at, c.created_at)"
#define PAGE_OF(where, key, order)                                                                 \
	"WITH page AS (SELECT c.id AS pid, " key " AS k, c.number AS num FROM cases c " where      \
	"ORDER BY " order " LIMIT ?7 OFFSET ?8) "
#define ATTENTION_ORDER(p) p "k, " p "num, " p "pid"
/* a column sort (?19 enum hub_queue_sort, ?20 descending): one statement
 * for every column, which no index serves (the default order above does) */
/* statuses in the order a case moves through them (DESIGN §3) */
#define STATUS_RANK                                                                                \
	"(CASE c.status WHEN 'submitted' THEN 1 WHEN 'received' THEN 2 WHEN 'in_review' THEN 3 "   \
	"WHEN 'needs_info' THEN 4 WHEN 'approved' THEN 5 WHEN 'rejected' THEN 6 "                  \
	"WHEN 'issued' THEN 7 ELSE 8 END)"
#define COLUMN_KEY                                                                                 \
	"CASE ?19 WHEN 1 THEN c.number WHEN 2 THEN " STATUS_RANK " WHEN 3 THEN "                   \
	"coalesce(json_extract(c.doc, '$.applicant.surname'), '') || ' ' || "                      \
	"coalesce(json_extract(c.doc, '$.applicant.given_name'), '') || ' ' || "                   \
	"coalesce(json_extract(c.doc, '$.applicant.patronymic'), '') "                             \
	"WHEN 4 THEN " CREATED " WHEN 5 THEN c.created_at WHEN 6 THEN c.unit "                     \
	"WHEN 7 THEN c.assignee ELSE " SORT_KEY " END"
#define COLUMN_ORDER(p)                                                                            \
	"(CASE WHEN ?20 IS NULL THEN " p "k END) COLLATE mo_uk, "                                  \
	"(CASE WHEN ?20 IS NOT NULL THEN " p "k END) COLLATE mo_uk DESC, " p "num, " p "pid"

/* the report's cases: ?1 unit, ?2 from, ?3 to; drafts are not applications yet */
#define SEL                                                                                        \
	"WITH sel AS (SELECT c.id, c.unit, c.status, c.doc, " CREATED " AS created, "              \
	"coalesce(json_extract(c.doc, '$.applicant.rnokpp'), c.id) AS person FROM cases c "        \
	"WHERE c.status <> 'draft' AND (?1 IS NULL OR c.unit = ?1) "                               \
	"AND (?2 IS NULL OR substr(" CREATED ", 1, 10) >= ?2) "                                    \
	"AND (?3 IS NULL OR substr(" CREATED ", 1, 10) <= ?3)) "

static const char *const sql_text[T_COUNT] = {
    [T_SESSION_ADD] = "INSERT INTO sessions(hash, login, csrf, address, created_ms, last_ms) "
		      "VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    [T_SESSION_GET] = "SELECT s.login, u.role, s.csrf, s.last_ms, s.created_ms FROM sessions s "
		      "JOIN users u ON u.login = s.login AND u.disabled = 0 WHERE s.hash = ?1",
    [T_SESSION_TOUCH] = "UPDATE sessions SET last_ms = ?2 WHERE hash = ?1",
    [T_SESSION_DEL] = "DELETE FROM sessions WHERE hash = ?1",
    [T_FAIL_LOGIN] = "SELECT count(*), coalesce(max(at_ms), 0) FROM login_failures "
		     "WHERE login = ?1 AND at_ms >= ?3",
    [T_FAIL_ADDR] = "SELECT count(*), coalesce(max(at_ms), 0) FROM login_failures "
		    "WHERE address = ?2 AND at_ms >= ?3",
    [T_FAIL_PAIR] = "SELECT count(*), coalesce(max(at_ms), 0) FROM login_failures "
		    "WHERE login = ?1 AND address = ?2 AND at_ms >= ?3",
    [T_FAIL_ADD] = "INSERT INTO login_failures(login, address, at_ms) VALUES (?1, ?2, ?3)",
    [T_FAIL_PRUNE] = "DELETE FROM login_failures WHERE at_ms < ?1",
    [T_FAIL_CLEAR] = "DELETE FROM login_failures WHERE login = ?1 AND address = ?2",
    [T_FAIL_DEL] = "DELETE FROM login_failures WHERE id = ?1",
    [T_KNOWN_GET] = "SELECT count(*) FROM login_known WHERE login = ?1 AND address = ?2 "
		    "AND last_ms >= ?3",
    [T_KNOWN_PUT] = "INSERT INTO login_known(login, address, last_ms) VALUES (?1, ?2, ?3) "
		    "ON CONFLICT(login, address) DO UPDATE SET last_ms = excluded.last_ms",
    [T_USER_LIST] = "SELECT login, role, created_at, disabled, password_changed_at FROM users "
		    "ORDER BY login",
    [T_USER_STATE] = "SELECT role, disabled FROM users WHERE login = ?1",
    [T_USER_SET_ROLE] = "UPDATE users SET role = ?2 WHERE login = ?1",
    [T_USER_SET_DISABLED] = "UPDATE users SET disabled = ?2 WHERE login = ?1",
    [T_USER_SET_HASH] = "UPDATE users SET password_hash = ?2, "
			"password_changed_at = coalesce(?3, password_changed_at) WHERE login = ?1",
    [T_USER_SESSIONS_END] = "DELETE FROM sessions WHERE login = ?1",
    [T_ADMINS_ACTIVE] = "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0",
    [T_AUDIT_ADD] = "INSERT INTO audit(at, actor, action, target, detail) "
		    "VALUES (?1, ?2, ?3, ?4, ?5)",
    [T_AUDIT_LIST] = "SELECT at, actor, action, target, detail FROM audit "
		     "ORDER BY id DESC LIMIT ?1",
    [T_CASE_LIST] = PAGE_OF(WHERE_BASE, SORT_KEY, ATTENTION_ORDER("")) LIST_COLS
	"ORDER BY " ATTENTION_ORDER("p."),
    [T_CASE_LIST_Q] = PAGE_OF(WHERE_BASE WHERE_SEARCH, SORT_KEY, ATTENTION_ORDER("")) LIST_COLS
	"ORDER BY " ATTENTION_ORDER("p."),
    [T_CASE_LIST_S] = PAGE_OF(WHERE_BASE, COLUMN_KEY, COLUMN_ORDER("")) LIST_COLS
	"ORDER BY " COLUMN_ORDER("p."),
    [T_CASE_LIST_QS] = PAGE_OF(WHERE_BASE WHERE_SEARCH, COLUMN_KEY, COLUMN_ORDER("")) LIST_COLS
	"ORDER BY " COLUMN_ORDER("p."),
    [T_CASE_COUNT] = "SELECT count(*) FROM cases c " WHERE_BASE,
    [T_CASE_COUNT_Q] = "SELECT count(*) FROM cases c " WHERE_BASE WHERE_SEARCH,
    [T_ATTACHMENT] = "SELECT json_extract(fields, '$.media_type'), json_extract(fields, "
		     "'$.name') FROM appends WHERE entity = 'attachment' "
		     "AND json_extract(fields, '$.sha256') = ?1 ORDER BY rowid LIMIT 1",
    [T_QUEUE_GET] = "SELECT assignee, attention_at, resubmitted_at FROM cases WHERE id = ?1",
    [T_ASSIGN] = "UPDATE cases SET assignee = ?2 WHERE id = ?1",
    [T_STAFF_ACTIVE] = "SELECT login, role FROM users WHERE disabled = 0 ORDER BY login",
    [T_OPT_TRIPS] = "SELECT id, unit, json_extract(doc, '$.settlement'), json_extract(doc, '$.kind'), "
		    "json_extract(doc, '$.started_at') FROM trips ORDER BY 5 DESC, id LIMIT 500",
    [T_OPT_SETTLEMENTS] = "SELECT DISTINCT json_extract(doc, '$.settlement') FROM trips "
			  "WHERE json_extract(doc, '$.settlement') IS NOT NULL "
			  "ORDER BY 1 COLLATE mo_uk LIMIT 500",
    [T_OPT_KINDS] = "SELECT DISTINCT json_extract(doc, '$.kind') FROM trips "
		    "WHERE json_extract(doc, '$.kind') IS NOT NULL ORDER BY 1 LIMIT 50",
    /* a scan of the cases (the operators and mobility values are their own) */
    [T_OPT_OPERATORS] = "SELECT DISTINCT json_extract(doc, '$.operator') FROM cases "
			"WHERE status <> 'draft' AND json_extract(doc, '$.operator') IS NOT NULL "
			"ORDER BY 1 COLLATE mo_uk LIMIT 500",
    [T_OPT_MOBILITY] = "SELECT DISTINCT " MOBILITY_OF_DOC " FROM cases WHERE status <> 'draft' "
		       "AND coalesce(" MOBILITY_OF_DOC ", '') <> '' ORDER BY 1 COLLATE mo_uk LIMIT 100",
    [T_R_TOTALS] = SEL "SELECT count(*), count(DISTINCT person), "
		       "coalesce(sum(status = 'approved'), 0), "
		       "coalesce(sum(status = 'rejected'), 0), "
		       "coalesce(sum(status = 'needs_info'), 0), "
		       "coalesce(sum(status = 'in_review'), 0), "
		       "coalesce(sum(status = 'issued'), 0), "
		       "coalesce(sum(status IN ('submitted', 'received')), 0) FROM sel",
    [T_R_CATEGORY] = SEL "SELECT coalesce(json_extract(sv.fields, '$.category'), 'other'), "
			 "count(*) FROM sel JOIN case_services cs ON cs.case_id = sel.id "
			 "LEFT JOIN services sv ON sv.code = cs.code GROUP BY 1 "
			 "ORDER BY 2 DESC, 1",
    [T_R_SERVICE] = SEL "SELECT cs.code, json_extract(sv.fields, '$.title_uk'), "
			"json_extract(sv.fields, '$.title_en'), count(*) FROM sel "
			"JOIN case_services cs ON cs.case_id = sel.id "
			"LEFT JOIN services sv ON sv.code = cs.code GROUP BY cs.code "
			"ORDER BY 4 DESC, 1",
    [T_R_UNIT] = SEL "SELECT sel.unit, u.name, count(*), count(DISTINCT person) FROM sel "
		     "LEFT JOIN units u ON u.code = sel.unit GROUP BY sel.unit ORDER BY 1",
    [T_R_TRIP] = SEL "SELECT t.id, t.unit, json_extract(t.doc, '$.settlement'), "
		     "substr(json_extract(t.doc, '$.started_at'), 1, 10), count(*) FROM sel "
		     "JOIN trips t ON t.id = json_extract(sel.doc, '$.trip') GROUP BY t.id "
		     "ORDER BY 4 DESC, 1",
    [T_R_MONTH] = SEL "SELECT substr(created, 1, 7), count(*) FROM sel "
		      "WHERE created IS NOT NULL GROUP BY 1 ORDER BY 1",
    /* the annual report by kind of unit: every kind that has units, with the
     * cases of the period (sel) and the trips started in it */
    [T_R_KIND] = SEL ", uk AS (SELECT code, kind FROM units WHERE ?1 IS NULL OR code = ?1), "
		     "s AS (SELECT sel.*, uk.kind FROM sel JOIN uk ON uk.code = sel.unit) "
		     "SELECT k.kind, count(*), "
		     "(SELECT count(*) FROM trips t JOIN uk ON uk.code = t.unit WHERE uk.kind = k.kind "
		     "AND (?2 IS NULL OR substr(json_extract(t.doc, '$.started_at'), 1, 10) >= ?2) "
		     "AND (?3 IS NULL OR substr(json_extract(t.doc, '$.started_at'), 1, 10) <= ?3)), "
		     "(SELECT count(DISTINCT person) FROM s WHERE s.kind = k.kind), "
		     "(SELECT count(DISTINCT person) FROM s WHERE s.kind = k.kind AND "
		     "coalesce(json_extract(s.doc, '$.applicant.mobility'), '') NOT IN ('', 'none')), "
		     "(SELECT count(*) FROM s WHERE s.kind = k.kind), "
		     "(SELECT count(*) FROM s JOIN case_services cs ON cs.case_id = s.id "
		     "WHERE s.kind = k.kind), "
		     "(SELECT count(*) FROM s WHERE s.kind = k.kind AND "
		     "json_extract(s.doc, '$.package') IS NOT NULL), "
		     "(SELECT count(*) FROM s JOIN case_services cs ON cs.case_id = s.id "
		     "WHERE s.kind = k.kind AND cs.status = 'rejected') "
		     "FROM uk k GROUP BY k.kind ORDER BY k.kind",
    /* public status lookups answered (found or not) in the period */
    [T_R_LOOKUPS] = "SELECT coalesce(sum(answered), 0) FROM public_lookups "
		    "WHERE (?2 IS NULL OR day >= ?2) AND (?3 IS NULL OR day <= ?3) AND ?1 IS ?1",
    /* status messages sent in the period (UTC days, as status_lookups) */
    [T_R_MESSAGES] = "SELECT count(*) FROM messages WHERE state = 'sent' "
		     "AND (?1 IS NULL OR unit = ?1) AND (?2 IS NULL OR substr(sent_at, 1, 10) >= ?2) "
		     "AND (?3 IS NULL OR substr(sent_at, 1, 10) <= ?3)",
    [T_LOOKUP_COUNT] = "INSERT INTO public_lookups(day, answered) VALUES (?1, 1) "
		       "ON CONFLICT(day) DO UPDATE SET answered = answered + 1",
    [T_R_HOURS] = SEL "SELECT avg((julianday(d.first) - julianday(sel.created)) * 24) "
		      "FROM sel JOIN (SELECT case_id, min(at) AS first FROM events "
		      "WHERE kind = 'transition' AND to_status IN ('approved', 'rejected', "
		      "'needs_info') GROUP BY case_id) d ON d.case_id = sel.id "
		      "WHERE julianday(sel.created) IS NOT NULL",
    [T_R_RATINGS] = SEL "SELECT json_extract(a.fields, '$.score'), count(*) FROM appends a "
			"JOIN sel ON sel.id = a.case_id WHERE a.entity = 'rating' GROUP BY 1",
};

/* ---- plumbing ---- */

/* mo_latin_match(words, number, surname, given_name, patronymic) */
static void latin_match_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *texts[4] = {NULL, NULL, NULL, NULL};
	const char *words = (const char *)sqlite3_value_text(argv[0]);

	for (int i = 1; i < argc && i <= 4; i++)
		texts[i - 1] = (const char *)sqlite3_value_text(argv[i]);
	sqlite3_result_int(ctx, hub_translit_match(words, texts, 4));
}

static int uk_collate(void *arg, int na, const void *a, int nb, const void *b)
{
	(void)arg;
	return hub_uk_compare(a, (size_t)na, b, (size_t)nb);
}

/* the queue's own SQL function and collation, once per connection */
static int staff_functions(struct hub_store *s, struct mo_err *err)
{
	int src;

	if (s->staff_fns)
		return MO_OK;
	src = sqlite3_create_function_v2(s->db, "mo_latin_match", 5,
					 SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, latin_match_fn,
					 NULL, NULL, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_create_collation_v2(s->db, "mo_uk", SQLITE_UTF8, NULL, uk_collate, NULL);
	if (src != SQLITE_OK)
		return hub_sqlite_fail(s, src, "register the queue's functions", err);
	s->staff_fns = true;
	return MO_OK;
}

static sqlite3_stmt *stmt(struct hub_store *s, enum staff_stmt id, struct mo_err *err)
{
	int src;

	if (s->staff[id])
		return s->staff[id];
	if (staff_functions(s, err) != MO_OK)
		return NULL;
	src = sqlite3_prepare_v3(s->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &s->staff[id],
				 NULL);
	if (src != SQLITE_OK) {
		hub_sqlite_fail(s, src, "prepare a statement", err);
		s->staff[id] = NULL;
	}
	return s->staff[id];
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

static int oom(struct mo_err *err)
{
	return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
}

/* run a statement that returns no rows (bound by the caller), under the lock */
static int exec_q(struct hub_store *s, sqlite3_stmt *q, const char *what, struct mo_err *err)
{
	int src = sqlite3_step(q), rc = MO_OK;

	if (src != SQLITE_DONE && src != SQLITE_ROW)
		rc = hub_sqlite_fail(s, src, what, err);
	done_stmt(q);
	return rc;
}

/* ---- sessions ---- */

int hub_store_session_add(struct hub_store *s, const char *hash_hex, const char *login,
			  const char *csrf, const char *address, uint64_t now_ms,
			  struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_EIO;

	hub_sqlite_lock(s);
	if ((q = stmt(s, T_SESSION_ADD, err)) != NULL) {
		bind_text(q, 1, hash_hex);
		bind_text(q, 2, login);
		bind_text(q, 3, csrf);
		bind_text(q, 4, address);
		sqlite3_bind_int64(q, 5, (sqlite3_int64)now_ms);
		rc = exec_q(s, q, "store the session", err);
	}
	hub_sqlite_unlock(s);
	return rc;
}

static int session_delete_locked(struct hub_store *s, const char *hash_hex, struct mo_err *err)
{
	sqlite3_stmt *q = stmt(s, T_SESSION_DEL, err);

	if (q == NULL)
		return MO_EIO;
	bind_text(q, 1, hash_hex);
	return exec_q(s, q, "delete the session", err);
}

int hub_store_session_get(struct hub_store *s, const char *hash_hex, uint64_t now_ms,
			  uint64_t idle_ms, uint64_t max_ms, struct hub_session *out,
			  struct mo_err *err)
{
	sqlite3_stmt *q;
	long long last = 0, created = 0;
	int rc = MO_OK, src;
	bool expired = false;

	hub_sqlite_lock(s);
	if ((q = stmt(s, T_SESSION_GET, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, hash_hex);
	src = sqlite3_step(q);
	if (src == SQLITE_ROW) {
		col_copy(q, 0, out->login, sizeof(out->login));
		col_copy(q, 1, out->role, sizeof(out->role));
		col_copy(q, 2, out->csrf, sizeof(out->csrf));
		last = sqlite3_column_int64(q, 3);
		created = sqlite3_column_int64(q, 4);
		/* a parallel request may have stamped a later time already */
		expired =
		    last < 0 || (now_ms > (uint64_t)last && now_ms - (uint64_t)last > idle_ms);
		/* the absolute lifetime: however busy, a session ends max_ms after
		 * its sign-in */
		expired |= created < 0 || (max_ms > 0 && now_ms > (uint64_t)created &&
					   now_ms - (uint64_t)created > max_ms);
	} else if (src == SQLITE_DONE) {
		rc = mo_err_set(err, MO_ENOTFOUND, "unauthenticated", "not signed in");
	} else {
		rc = hub_sqlite_fail(s, src, "read the session", err);
	}
	done_stmt(q);
	if (rc != MO_OK)
		goto done;
	if (expired) {
		if ((rc = session_delete_locked(s, hash_hex, err)) == MO_OK)
			rc = mo_err_set(err, MO_ENOTFOUND, "unauthenticated",
					"the session expired; sign in again");
		goto done;
	}
	/* the idle clock restarts; a clock stepping back never extends it */
	if ((uint64_t)last < now_ms) {
		if ((q = stmt(s, T_SESSION_TOUCH, err)) == NULL) {
			rc = MO_EIO;
			goto done;
		}
		bind_text(q, 1, hash_hex);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)now_ms);
		rc = exec_q(s, q, "touch the session", err);
	}
done:
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_session_delete(struct hub_store *s, const char *hash_hex, struct mo_err *err)
{
	int rc;

	hub_sqlite_lock(s);
	rc = session_delete_locked(s, hash_hex, err);
	hub_sqlite_unlock(s);
	return rc;
}

/* ---- throttling ---- */

static int count_q(struct hub_store *s, enum staff_stmt id, const char *login,
		   const char *address, uint64_t since, long long *n, uint64_t *last,
		   struct mo_err *err)
{
	sqlite3_stmt *q = stmt(s, id, err);
	int rc = MO_OK, src;

	if (q == NULL)
		return MO_EIO;
	bind_text(q, 1, login);
	bind_text(q, 2, address);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)since);
	if ((src = sqlite3_step(q)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(q, 0);
		if (last)
			*last = (uint64_t)sqlite3_column_int64(q, 1);
	} else {
		rc = hub_sqlite_fail(s, src, "count failed sign-ins", err);
	}
	done_stmt(q);
	return rc;
}

static int attempt_locked(struct hub_store *s, const struct hub_login_attempt *a,
			  hub_login_decide_fn decide, void *arg, long long *id, uint64_t *wait_ms,
			  struct mo_err *err)
{
	struct hub_login_failures f;
	long long known = 0;
	sqlite3_stmt *q;
	int rc;

	memset(&f, 0, sizeof(f));
	if ((q = stmt(s, T_FAIL_PRUNE, err)) == NULL)
		return MO_EIO;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)a->since_ms);
	if ((rc = exec_q(s, q, "forget old failed sign-ins", err)) != MO_OK ||
	    (rc = count_q(s, T_FAIL_PAIR, a->login, a->address, a->since_ms, &f.pair,
			  &f.last_pair, err)) != MO_OK ||
	    (rc = count_q(s, T_FAIL_LOGIN, a->login, a->address, a->since_ms, &f.by_login,
			  &f.last_login, err)) != MO_OK ||
	    (rc = count_q(s, T_FAIL_ADDR, a->login, a->address, a->since_ms, &f.by_address,
			  &f.last_address, err)) != MO_OK ||
	    (rc = count_q(s, T_KNOWN_GET, a->login, a->address, a->known_since_ms, &known, NULL,
			  err)) != MO_OK)
		return rc;
	f.known = known > 0;
	if ((*wait_ms = decide(arg, &f)) > 0)
		return MO_OK;
	/* counted as a failure now, before the password is checked; a success
	 * takes it back (hub_store_login_succeeded) */
	if ((q = stmt(s, T_FAIL_ADD, err)) == NULL)
		return MO_EIO;
	bind_text(q, 1, a->login);
	bind_text(q, 2, a->address);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)a->now_ms);
	if ((rc = exec_q(s, q, "record a sign-in attempt", err)) == MO_OK)
		*id = (long long)sqlite3_last_insert_rowid(s->db);
	return rc;
}

int hub_store_login_attempt(struct hub_store *s, const struct hub_login_attempt *a,
			    hub_login_decide_fn decide, void *arg, long long *id, uint64_t *wait_ms,
			    struct mo_err *err)
{
	int rc;

	*id = 0;
	*wait_ms = 0;
	if ((rc = hub_store_begin(s, err)) != MO_OK)
		return rc;
	if ((rc = attempt_locked(s, a, decide, arg, id, wait_ms, err)) != MO_OK) {
		hub_store_rollback(s);
		*id = 0;
		return rc;
	}
	return hub_store_commit(s, err);
}

int hub_store_login_succeeded(struct hub_store *s, long long id, const char *login,
			      const char *address, uint64_t now_ms, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = hub_store_begin(s, err)) != MO_OK)
		return rc;
	if ((q = stmt(s, T_FAIL_DEL, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	sqlite3_bind_int64(q, 1, id);
	if ((rc = exec_q(s, q, "take back the sign-in attempt", err)) != MO_OK)
		goto done;
	/* this address's failures for this login; failures of the same login
	 * from other addresses stay counted */
	if ((q = stmt(s, T_FAIL_CLEAR, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, login);
	bind_text(q, 2, address);
	if ((rc = exec_q(s, q, "clear failed sign-ins", err)) != MO_OK)
		goto done;
	if ((q = stmt(s, T_KNOWN_PUT, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, login);
	bind_text(q, 2, address);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)now_ms);
	rc = exec_q(s, q, "remember the sign-in address", err);
done:
	if (rc != MO_OK) {
		hub_store_rollback(s);
		return rc;
	}
	return hub_store_commit(s, err);
}

/* ---- staff accounts ---- */

int hub_store_user_state(struct hub_store *s, const char *login, char *role, size_t rolelen,
			 bool *disabled, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	hub_sqlite_lock(s);
	if ((q = stmt(s, T_USER_STATE, err)) == NULL) {
		hub_sqlite_unlock(s);
		return MO_EIO;
	}
	bind_text(q, 1, login);
	if ((src = sqlite3_step(q)) == SQLITE_ROW) {
		col_copy(q, 0, role, rolelen);
		*disabled = sqlite3_column_int(q, 1) != 0;
	} else if (src == SQLITE_DONE) {
		rc = mo_err_set(err, MO_ENOTFOUND, "not_found", "no staff user '%s'", login);
	} else {
		rc = hub_sqlite_fail(s, src, "read the user", err);
	}
	done_stmt(q);
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_user_update(struct hub_store *s, const char *login, const struct hub_user_change *ch,
			  struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK;

	hub_sqlite_lock(s);
	if (ch->role) {
		if ((q = stmt(s, T_USER_SET_ROLE, err)) == NULL)
			goto fail;
		bind_text(q, 1, login);
		bind_text(q, 2, ch->role);
		if ((rc = exec_q(s, q, "change the role", err)) != MO_OK)
			goto done;
	}
	if (ch->disabled >= 0) {
		if ((q = stmt(s, T_USER_SET_DISABLED, err)) == NULL)
			goto fail;
		bind_text(q, 1, login);
		sqlite3_bind_int(q, 2, ch->disabled ? 1 : 0);
		if ((rc = exec_q(s, q, "disable or enable the user", err)) != MO_OK)
			goto done;
	}
	if (ch->hash) {
		if ((q = stmt(s, T_USER_SET_HASH, err)) == NULL)
			goto fail;
		bind_text(q, 1, login);
		bind_text(q, 2, ch->hash);
		bind_text(q, 3, ch->changed_at);
		if ((rc = exec_q(s, q, "store the password", err)) != MO_OK)
			goto done;
	}
	if (ch->end_sessions) {
		if ((q = stmt(s, T_USER_SESSIONS_END, err)) == NULL)
			goto fail;
		bind_text(q, 1, login);
		rc = exec_q(s, q, "end the sessions", err);
	}
	goto done;
fail:
	rc = MO_EIO;
done:
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_admins_active(struct hub_store *s, long long *n, struct mo_err *err)
{
	int rc;

	hub_sqlite_lock(s);
	rc = count_q(s, T_ADMINS_ACTIVE, NULL, NULL, 0, n, NULL, err);
	hub_sqlite_unlock(s);
	return rc;
}

static void user_row(cJSON *o, sqlite3_stmt *q)
{
	hub_sqlite_json_text(o, "login", q, 0);
	hub_sqlite_json_text(o, "role", q, 1);
	hub_sqlite_json_text(o, "created_at", q, 2);
	cJSON_AddBoolToObject(o, "disabled", sqlite3_column_int(q, 3) != 0);
	hub_sqlite_json_text(o, "password_changed_at", q, 4);
}

int hub_store_user_list(struct hub_store *s, cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_EIO;

	hub_sqlite_lock(s);
	if ((q = stmt(s, T_USER_LIST, err)) != NULL)
		rc = hub_sqlite_list_rows(s, q, out, user_row, err);
	hub_sqlite_unlock(s);
	return rc;
}

/* ---- audit ---- */

int hub_store_audit_add(struct hub_store *s, const char *actor, const char *action,
			const char *target, const char *detail, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc = MO_EIO;

	mo_iso8601(now, sizeof(now), mo_now_ms(), true);
	hub_sqlite_lock(s);
	if ((q = stmt(s, T_AUDIT_ADD, err)) != NULL) {
		bind_text(q, 1, now);
		bind_text(q, 2, actor);
		bind_text(q, 3, action);
		bind_text(q, 4, target);
		bind_text(q, 5, detail);
		rc = exec_q(s, q, "write the audit log", err);
	}
	hub_sqlite_unlock(s);
	return rc;
}

static void audit_row(cJSON *o, sqlite3_stmt *q)
{
	hub_sqlite_json_text(o, "at", q, 0);
	hub_sqlite_json_text(o, "actor", q, 1);
	hub_sqlite_json_text(o, "action", q, 2);
	hub_sqlite_json_text(o, "target", q, 3);
	hub_sqlite_json_text(o, "detail", q, 4);
}

int hub_store_audit_list(struct hub_store *s, long long limit, cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_EIO;

	hub_sqlite_lock(s);
	if ((q = stmt(s, T_AUDIT_LIST, err)) != NULL) {
		sqlite3_bind_int64(q, 1, limit);
		rc = hub_sqlite_list_rows(s, q, out, audit_row, err);
	}
	hub_sqlite_unlock(s);
	return rc;
}

/* ---- the queue ---- */

static void bind_filter(sqlite3_stmt *q, const struct hub_case_filter *f)
{
	bind_text(q, 1, f->status);
	bind_text(q, 2, f->unit);
	bind_text(q, 3, f->service);
	bind_text(q, 4, f->from);
	bind_text(q, 5, f->to);
	if (f->match)
		bind_text(q, 6, f->match);
	bind_text(q, 9, f->assignee);
	if (f->unassigned)
		sqlite3_bind_int(q, 10, 1);
	bind_text(q, 11, f->trip);
	bind_text(q, 12, f->settlement);
	bind_text(q, 13, f->operator_name);
	bind_text(q, 14, f->trip_kind);
	bind_text(q, 15, f->mobility);
	if (f->any_mobility)
		sqlite3_bind_int(q, 16, 1);
	bind_text(q, 17, f->latin);
	bind_text(q, 18, f->phone);
	sqlite3_bind_int(q, 19, f->sort);
	if (f->desc)
		sqlite3_bind_int(q, 20, 1);
}

static bool waiting(const unsigned char *status)
{
	const char *st = (const char *)status;

	return st && (strcmp(st, "submitted") == 0 || strcmp(st, "received") == 0 ||
		      strcmp(st, "in_review") == 0);
}

static cJSON *queue_item(sqlite3_stmt *q)
{
	cJSON *o = cJSON_CreateObject(), *a = cJSON_CreateObject(), *sv;
	const char *services = (const char *)sqlite3_column_text(q, 12);

	if (o == NULL || a == NULL) {
		cJSON_Delete(o);
		cJSON_Delete(a);
		return NULL;
	}
	hub_sqlite_json_text(o, "id", q, 0);
	hub_sqlite_json_text(o, "number", q, 1);
	hub_sqlite_json_text(o, "status", q, 2);
	hub_sqlite_json_text(o, "unit", q, 3);
	hub_sqlite_json_text(o, "created_at", q, 4);
	hub_sqlite_json_text(o, "received_at", q, 5);
	hub_sqlite_json_text(a, "surname", q, 6);
	hub_sqlite_json_text(a, "given_name", q, 7);
	hub_sqlite_json_text(a, "patronymic", q, 8);
	hub_sqlite_json_text(a, "rnokpp", q, 9);
	cJSON_AddItemToObject(o, "applicant", a);
	sv = services ? cJSON_Parse(services) : NULL;
	cJSON_AddItemToObject(o, "services", sv ? sv : cJSON_CreateArray());
	hub_sqlite_json_text(o, "package", q, 10);
	if (sqlite3_column_type(q, 11) == SQLITE_INTEGER)
		cJSON_AddNumberToObject(o, "fee_uah", (double)sqlite3_column_int64(q, 11));
	else
		cJSON_AddNullToObject(o, "fee_uah");
	hub_sqlite_json_text(o, "assignee", q, 13);
	hub_sqlite_json_text(o, "attention_at", q, 14);
	/* back from needs_info and waiting for staff again */
	cJSON_AddBoolToObject(o, "resubmitted", sqlite3_column_type(q, 15) != SQLITE_NULL &&
						    waiting(sqlite3_column_text(q, 2)));
	hub_sqlite_json_text(o, "resubmitted_at", q, 15);
	/* for the exports: who made it, the phone, the trip, the last decision */
	hub_sqlite_json_text(o, "operator", q, 16);
	hub_sqlite_json_text(a, "phone", q, 17);
	for (int i = 18; i <= 19; i++) {
		const char *t = (const char *)sqlite3_column_text(q, i);
		cJSON *v = t ? cJSON_Parse(t) : NULL;

		cJSON_AddItemToObject(o, i == 18 ? "trip" : "decision", v ? v : cJSON_CreateNull());
	}
	return o;
}

int hub_store_case_query(struct hub_store *s, const struct hub_case_filter *f, long long offset,
			 long long limit, long long *total, hub_case_fn fn, void *arg,
			 struct mo_err *err)
{
	enum staff_stmt list;
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	hub_sqlite_lock(s);
	if (total) {
		if ((q = stmt(s, f->match ? T_CASE_COUNT_Q : T_CASE_COUNT, err)) == NULL) {
			rc = MO_EIO;
			goto done;
		}
		bind_filter(q, f);
		if ((src = sqlite3_step(q)) == SQLITE_ROW)
			*total = sqlite3_column_int64(q, 0);
		else
			rc = hub_sqlite_fail(s, src, "count the cases", err);
		done_stmt(q);
		if (rc != MO_OK)
			goto done;
	}
	if (f->sort != HUB_SORT_ATTENTION || f->desc)
		list = f->match ? T_CASE_LIST_QS : T_CASE_LIST_S;
	else
		list = f->match ? T_CASE_LIST_Q : T_CASE_LIST;
	if ((q = stmt(s, list, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_filter(q, f);
	sqlite3_bind_int64(q, 7, limit);
	sqlite3_bind_int64(q, 8, offset);
	while ((src = sqlite3_step(q)) == SQLITE_ROW) {
		cJSON *item = queue_item(q);

		if (item == NULL) {
			rc = oom(err);
			break;
		}
		rc = fn(arg, item);
		cJSON_Delete(item);
		if (rc != MO_OK)
			break;
	}
	if (rc == MO_OK && src != SQLITE_DONE)
		rc = hub_sqlite_fail(s, src, "list the cases", err);
	done_stmt(q);
done:
	hub_sqlite_unlock(s);
	return rc;
}

/* ---- the team's queue: assignment ---- */

int hub_store_case_queue_get(struct hub_store *s, const char *id, struct hub_case_queue *out,
			     struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	memset(out, 0, sizeof(*out));
	hub_sqlite_lock(s);
	if ((q = stmt(s, T_QUEUE_GET, err)) == NULL) {
		hub_sqlite_unlock(s);
		return MO_EIO;
	}
	bind_text(q, 1, id);
	if ((src = sqlite3_step(q)) == SQLITE_ROW) {
		col_copy(q, 0, out->assignee, sizeof(out->assignee));
		col_copy(q, 1, out->attention_at, sizeof(out->attention_at));
		col_copy(q, 2, out->resubmitted_at, sizeof(out->resubmitted_at));
	} else if (src == SQLITE_DONE) {
		rc = mo_err_set(err, MO_ENOTFOUND, "not_found", "no such case");
	} else {
		rc = hub_sqlite_fail(s, src, "read the case's place in the queue", err);
	}
	done_stmt(q);
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_case_assign(struct hub_store *s, const char *id, const char *login,
			  char old[HUB_LOGIN_MAX], struct mo_err *err)
{
	struct hub_case_queue cur;
	sqlite3_stmt *q;
	int rc;

	hub_sqlite_lock(s);
	if ((rc = hub_store_case_queue_get(s, id, &cur, err)) != MO_OK)
		goto done;
	if (old)
		mo_strlcpy(old, cur.assignee, HUB_LOGIN_MAX);
	if ((q = stmt(s, T_ASSIGN, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, id);
	bind_text(q, 2, login);
	rc = exec_q(s, q, "assign the case", err);
done:
	hub_sqlite_unlock(s);
	return rc;
}

static void trip_option(cJSON *o, sqlite3_stmt *q)
{
	hub_sqlite_json_text(o, "id", q, 0);
	hub_sqlite_json_text(o, "unit", q, 1);
	hub_sqlite_json_text(o, "settlement", q, 2);
	hub_sqlite_json_text(o, "kind", q, 3);
	hub_sqlite_json_text(o, "started_at", q, 4);
}

/* the first column of every row, as a JSON array of strings */
static int text_column(struct hub_store *s, enum staff_stmt id, cJSON *arr, struct mo_err *err)
{
	sqlite3_stmt *q = stmt(s, id, err);
	int rc = MO_OK, src;

	if (q == NULL)
		return MO_EIO;
	while ((src = sqlite3_step(q)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(q, 0);

		if (t && !cJSON_AddItemToArray(arr, cJSON_CreateString((const char *)t))) {
			rc = oom(err);
			break;
		}
	}
	if (rc == MO_OK && src != SQLITE_DONE)
		rc = hub_sqlite_fail(s, src, "list the queue's filters", err);
	done_stmt(q);
	return rc;
}

int hub_store_queue_options(struct hub_store *s, cJSON **out, struct mo_err *err)
{
	static const struct {
		enum staff_stmt id;
		const char *key;
	} lists[] = {{T_OPT_SETTLEMENTS, "settlements"},
		     {T_OPT_KINDS, "trip_kinds"},
		     {T_OPT_OPERATORS, "operators"},
		     {T_OPT_MOBILITY, "mobility"}};
	cJSON *o = cJSON_CreateObject(), *trips = NULL;
	sqlite3_stmt *q;
	int rc = MO_OK;

	*out = NULL;
	if (o == NULL)
		return oom(err);
	hub_sqlite_lock(s);
	if ((q = stmt(s, T_OPT_TRIPS, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	if ((rc = hub_sqlite_list_rows(s, q, &trips, trip_option, err)) != MO_OK)
		goto done;
	cJSON_AddItemToObject(o, "trips", trips);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]) && rc == MO_OK; i++) {
		cJSON *arr = cJSON_AddArrayToObject(o, lists[i].key);

		rc = arr ? text_column(s, lists[i].id, arr, err) : oom(err);
	}
done:
	hub_sqlite_unlock(s);
	if (rc != MO_OK)
		cJSON_Delete(o);
	else
		*out = o;
	return rc;
}

static void staff_row(cJSON *o, sqlite3_stmt *q)
{
	hub_sqlite_json_text(o, "login", q, 0);
	hub_sqlite_json_text(o, "role", q, 1);
}

int hub_store_staff_active(struct hub_store *s, cJSON **out, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_EIO;

	hub_sqlite_lock(s);
	if ((q = stmt(s, T_STAFF_ACTIVE, err)) != NULL)
		rc = hub_sqlite_list_rows(s, q, out, staff_row, err);
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_attachment_find(struct hub_store *s, const char *sha256, char *media_type,
			      size_t mtlen, char *name, size_t namelen, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc = MO_OK, src;

	hub_sqlite_lock(s);
	if ((q = stmt(s, T_ATTACHMENT, err)) == NULL) {
		rc = MO_EIO;
		goto done;
	}
	bind_text(q, 1, sha256);
	if ((src = sqlite3_step(q)) == SQLITE_ROW) {
		col_copy(q, 0, media_type, mtlen);
		col_copy(q, 1, name, namelen);
	} else if (src == SQLITE_DONE) {
		rc = mo_err_set(err, MO_ENOTFOUND, "not_found", "no document with that digest");
	} else {
		rc = hub_sqlite_fail(s, src, "find the document", err);
	}
	done_stmt(q);
done:
	hub_sqlite_unlock(s);
	return rc;
}

/* ---- reports ---- */

struct report_part {
	enum staff_stmt id;
	const char *key;
	void (*fn)(cJSON *o, sqlite3_stmt *q);
};

static void num(cJSON *o, const char *key, sqlite3_stmt *q, int i)
{
	cJSON_AddNumberToObject(o, key, (double)sqlite3_column_int64(q, i));
}

static void category_row(cJSON *o, sqlite3_stmt *q)
{
	hub_sqlite_json_text(o, "category", q, 0);
	num(o, "count", q, 1);
}

static void service_row(cJSON *o, sqlite3_stmt *q)
{
	hub_sqlite_json_text(o, "code", q, 0);
	hub_sqlite_json_text(o, "title_uk", q, 1);
	hub_sqlite_json_text(o, "title_en", q, 2);
	num(o, "count", q, 3);
}

static void unit_row(cJSON *o, sqlite3_stmt *q)
{
	hub_sqlite_json_text(o, "unit", q, 0);
	hub_sqlite_json_text(o, "name", q, 1);
	num(o, "applications", q, 2);
	num(o, "citizens", q, 3);
}

static void trip_row(cJSON *o, sqlite3_stmt *q)
{
	hub_sqlite_json_text(o, "trip", q, 0);
	hub_sqlite_json_text(o, "unit", q, 1);
	hub_sqlite_json_text(o, "settlement", q, 2);
	hub_sqlite_json_text(o, "date", q, 3);
	num(o, "applications", q, 4);
}

static void month_row(cJSON *o, sqlite3_stmt *q)
{
	hub_sqlite_json_text(o, "month", q, 0);
	num(o, "applications", q, 1);
}

static void kind_row(cJSON *o, sqlite3_stmt *q)
{
	static const char *const keys[] = {"units",
					   "trips",
					   "citizens",
					   "citizens_with_disabilities",
					   "applications",
					   "services",
					   "package_applications",
					   "refusals"};

	hub_sqlite_json_text(o, "kind", q, 0);
	for (int i = 0; i < (int)(sizeof(keys) / sizeof(keys[0])); i++)
		num(o, keys[i], q, 1 + i);
}

static void bind_report(sqlite3_stmt *q, const struct hub_case_filter *f)
{
	bind_text(q, 1, f->unit);
	bind_text(q, 2, f->from);
	bind_text(q, 3, f->to);
}

/* a report statement with the filter bound, ready to step */
static int report_step(struct hub_store *s, enum staff_stmt id, const struct hub_case_filter *f,
		       sqlite3_stmt **out, struct mo_err *err)
{
	sqlite3_stmt *q = stmt(s, id, err);

	*out = NULL;
	if (q == NULL)
		return MO_EIO;
	bind_report(q, f);
	*out = q;
	return MO_OK;
}

static int report_totals(struct hub_store *s, const struct hub_case_filter *f, cJSON *r,
			 long long *decided, long long *rejected, struct mo_err *err)
{
	static const char *const kinds[] = {"approved",	 "rejected", "needs_info",
					    "in_review", "issued",   "pending"};
	sqlite3_stmt *q;
	cJSON *d;
	int rc, src;

	if ((rc = report_step(s, T_R_TOTALS, f, &q, err)) != MO_OK)
		return rc;
	if ((src = sqlite3_step(q)) != SQLITE_ROW) {
		rc = hub_sqlite_fail(s, src, "count the applications", err);
		done_stmt(q);
		return rc;
	}
	num(r, "applications", q, 0);
	num(r, "citizens", q, 1);
	if ((d = cJSON_AddObjectToObject(r, "decisions")) == NULL) {
		done_stmt(q);
		return oom(err);
	}
	for (int i = 0; i < 6; i++)
		num(d, kinds[i], q, 2 + i);
	*rejected = sqlite3_column_int64(q, 3);
	*decided = sqlite3_column_int64(q, 2) + *rejected + sqlite3_column_int64(q, 6);
	done_stmt(q);
	return MO_OK;
}

static int report_scalars(struct hub_store *s, const struct hub_case_filter *f, cJSON *r,
			  struct mo_err *err)
{
	sqlite3_stmt *q;
	cJSON *rt, *by;
	long long count = 0, sum = 0, n[5] = {0};
	int rc, src;

	if ((rc = report_step(s, T_R_HOURS, f, &q, err)) != MO_OK)
		return rc;
	if ((src = sqlite3_step(q)) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
		cJSON_AddNumberToObject(r, "avg_hours_to_decision", sqlite3_column_double(q, 0));
	else
		cJSON_AddNullToObject(r, "avg_hours_to_decision");
	rc = src == SQLITE_ROW || src == SQLITE_DONE ? MO_OK
						     : hub_sqlite_fail(s, src, "average", err);
	done_stmt(q);
	if (rc != MO_OK || (rc = report_step(s, T_R_RATINGS, f, &q, err)) != MO_OK)
		return rc;
	while ((src = sqlite3_step(q)) == SQLITE_ROW) {
		long long score = sqlite3_column_int64(q, 0), c = sqlite3_column_int64(q, 1);

		if (score >= 1 && score <= 5) {
			n[score - 1] += c;
			count += c;
			sum += score * c;
		}
	}
	if (src != SQLITE_DONE)
		rc = hub_sqlite_fail(s, src, "count the ratings", err);
	done_stmt(q);
	if (rc != MO_OK)
		return rc;
	if ((rt = cJSON_AddObjectToObject(r, "ratings")) == NULL ||
	    (by = cJSON_AddArrayToObject(rt, "by_score")) == NULL)
		return oom(err);
	cJSON_AddNumberToObject(rt, "count", (double)count);
	if (count)
		cJSON_AddNumberToObject(rt, "average", (double)sum / (double)count);
	else
		cJSON_AddNullToObject(rt, "average");
	for (int i = 0; i < 5; i++)
		cJSON_AddItemToArray(by, cJSON_CreateNumber((double)n[i]));
	return MO_OK;
}

/* one number of the period under key */
static int report_count(struct hub_store *s, enum staff_stmt id, const struct hub_case_filter *f,
			cJSON *r, const char *key, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc, src;

	if ((rc = report_step(s, id, f, &q, err)) != MO_OK)
		return rc;
	if ((src = sqlite3_step(q)) == SQLITE_ROW)
		num(r, key, q, 0);
	else
		rc = hub_sqlite_fail(s, src, "count for the report", err);
	done_stmt(q);
	return rc;
}

int hub_store_lookup_count(struct hub_store *s, struct mo_err *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc = MO_EIO;

	mo_iso8601(now, sizeof(now), mo_now_ms(), true);
	now[10] = '\0'; /* the UTC day, as the report's from and to */
	hub_sqlite_lock(s);
	if ((q = stmt(s, T_LOOKUP_COUNT, err)) != NULL) {
		bind_text(q, 1, now);
		rc = exec_q(s, q, "count a status lookup", err);
	}
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_report(struct hub_store *s, const struct hub_case_filter *f, cJSON **out,
		     struct mo_err *err)
{
	static const struct report_part parts[] = {
	    {T_R_CATEGORY, "by_category", category_row},
	    {T_R_SERVICE, "by_service", service_row},
	    {T_R_UNIT, "per_unit", unit_row},
	    {T_R_TRIP, "per_trip", trip_row},
	    {T_R_MONTH, "per_month", month_row},
	    {T_R_KIND, "per_unit_kind", kind_row},
	};
	cJSON *r = cJSON_CreateObject(), *it;
	long long decided = 0, rejected = 0, services = 0;
	int rc;

	*out = NULL;
	if (r == NULL)
		return oom(err);
	hub_sqlite_lock(s);
	if ((rc = report_totals(s, f, r, &decided, &rejected, err)) != MO_OK)
		goto done;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		sqlite3_stmt *q;
		cJSON *arr = NULL;

		if ((rc = report_step(s, parts[i].id, f, &q, err)) != MO_OK ||
		    (rc = hub_sqlite_list_rows(s, q, &arr, parts[i].fn, err)) != MO_OK)
			goto done;
		cJSON_AddItemToObject(r, parts[i].key, arr);
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "by_service")) services +=
	    (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "count"));
	cJSON_AddNumberToObject(r, "services_total", (double)services);
	cJSON_AddNumberToObject(r, "refusal_rate",
				decided ? (double)rejected / (double)decided : 0.0);
	if ((rc = report_scalars(s, f, r, err)) != MO_OK)
		goto done;
	if ((rc = report_count(s, T_R_LOOKUPS, f, r, "status_lookups", err)) != MO_OK)
		goto done;
	rc = report_count(s, T_R_MESSAGES, f, r, "messages_sent", err);
done:
	hub_sqlite_unlock(s);
	if (rc != MO_OK)
		cJSON_Delete(r);
	else
		*out = r;
	return rc;
}
