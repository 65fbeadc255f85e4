/*
 * store_payments.c — fees and payments in the SQLite store (store.h):
 * payments recorded on the laptops or matched from a bank statement, the
 * rows of the statements, and the reconciliation of expected fees (the
 * catalogue's fee_uah of each service of a case, in kopecks) against what
 * was paid.  Same rules as store_sqlite.c: statements prepared once, bind →
 * step → copy out → reset, every call under the store's lock.  Amounts are
 * integer kopecks end to end (sqlite INTEGER, long long, JSON integers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

enum pay_stmt {
	P_ADD,
	P_OF_CASE,
	P_EXPECTED,
	P_BANK_ADD,
	P_CASES,
	P_UNMATCHED,
	P_COUNT
};

_Static_assert(P_COUNT <= HUB_PAY_STMTS, "raise HUB_PAY_STMTS");

/* the expected fee of case c.id in kopecks: the catalogue's, service by service */
#define EXPECTED_OF(c)                                                                             \
	"(SELECT coalesce(sum(cast(coalesce(json_extract(sv.fields, '$.fee_uah'), 0) AS INTEGER)), " \
	"0) * 100 FROM case_services cs LEFT JOIN services sv ON sv.code = cs.code "                 \
	"WHERE cs.case_id = " c ")"

static const char *const sql_text[P_COUNT] = {
    [P_ADD] = "INSERT INTO payments(id, case_id, unit, amount_kop, method, receipt, paid_at, "
	      "source, device, hlc, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	      "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) ON CONFLICT(id) DO NOTHING",
    [P_OF_CASE] = "SELECT id, amount_kop, method, receipt, paid_at, source, device, recorded_at "
		  "FROM payments WHERE case_id = ?1 ORDER BY paid_at, id",
    [P_EXPECTED] = "SELECT " EXPECTED_OF("?1") ", (SELECT coalesce(sum(amount_kop), 0) FROM "
		   "payments WHERE case_id = ?1)",
    [P_BANK_ADD] = "INSERT INTO bank_rows(txn_id, booked_on, amount_kop, purpose, case_id, file, "
		   "imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%fZ', "
		   "'now')) ON CONFLICT(txn_id) DO NOTHING",
    /* ?1 unit, ?2 from, ?3 to (the application's day on the laptop) */
    [P_CASES] = "SELECT id, number, unit, status, expected, paid FROM (SELECT c.id, c.number, "
		"c.unit, c.status, " EXPECTED_OF("c.id") " AS expected, (SELECT "
		"coalesce(sum(p.amount_kop), 0) FROM payments p WHERE p.case_id = c.id) AS paid "
		"FROM cases c WHERE c.status <> 'draft' AND (?1 IS NULL OR c.unit = ?1) "
		"AND (?2 IS NULL OR substr(json_extract(c.doc, '$.created_at'), 1, 10) >= ?2) "
		"AND (?3 IS NULL OR substr(json_extract(c.doc, '$.created_at'), 1, 10) <= ?3)) "
		"WHERE expected > 0 OR paid > 0 ORDER BY unit, number",
    [P_UNMATCHED] = "SELECT txn_id, booked_on, amount_kop, purpose, imported_at FROM bank_rows "
		    "WHERE case_id IS NULL AND (?2 IS NULL OR booked_on >= ?2) AND (?3 IS NULL "
		    "OR booked_on <= ?3) ORDER BY booked_on, txn_id",
};

static int oom(struct mo_err *err)
{
	return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
}

static sqlite3_stmt *stmt(struct hub_store *s, enum pay_stmt id, struct mo_err *err)
{
	int src;

	if (s->pay[id])
		return s->pay[id];
	src = sqlite3_prepare_v3(s->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &s->pay[id],
				 NULL);
	if (src != SQLITE_OK) {
		hub_sqlite_fail(s, src, "prepare a statement", err);
		s->pay[id] = NULL;
	}
	return s->pay[id];
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

/* run an INSERT .. ON CONFLICT DO NOTHING: MO_EEXISTS when nothing was inserted */
static int insert_once(struct hub_store *s, sqlite3_stmt *q, const char *what, struct mo_err *err)
{
	int src = sqlite3_step(q), rc = MO_OK;

	if (src != SQLITE_DONE)
		rc = hub_sqlite_fail(s, src, what, err);
	else if (sqlite3_changes(s->db) == 0)
		rc = MO_EEXISTS;
	done_stmt(q);
	return rc;
}

int hub_store_payment_add(struct hub_store *s, const struct hub_payment *p, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	hub_sqlite_lock(s);
	if ((q = stmt(s, P_ADD, err)) == NULL) {
		rc = err ? err->rc : MO_EIO;
		goto done;
	}
	bind_text(q, 1, p->id);
	bind_text(q, 2, p->case_id);
	bind_text(q, 3, p->unit);
	sqlite3_bind_int64(q, 4, p->amount_kop);
	bind_text(q, 5, p->method);
	bind_text(q, 6, p->receipt && *p->receipt ? p->receipt : NULL);
	bind_text(q, 7, p->paid_at);
	bind_text(q, 8, p->source);
	bind_text(q, 9, p->device);
	if (p->hlc)
		sqlite3_bind_int64(q, 10, (sqlite3_int64)p->hlc);
	else
		sqlite3_bind_null(q, 10);
	rc = insert_once(s, q, "store a payment", err);
done:
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_bank_row_add(struct hub_store *s, const struct hub_bank_row *r, struct mo_err *err)
{
	sqlite3_stmt *q;
	int rc;

	hub_sqlite_lock(s);
	if ((q = stmt(s, P_BANK_ADD, err)) == NULL) {
		rc = err ? err->rc : MO_EIO;
		goto done;
	}
	bind_text(q, 1, r->txn_id);
	bind_text(q, 2, r->booked_on);
	sqlite3_bind_int64(q, 3, r->amount_kop);
	bind_text(q, 4, r->purpose);
	bind_text(q, 5, r->case_id);
	bind_text(q, 6, r->file);
	rc = insert_once(s, q, "store a bank row", err);
done:
	hub_sqlite_unlock(s);
	return rc;
}

int hub_store_case_payments(struct hub_store *s, const char *case_id, cJSON **out,
			    struct mo_err *err)
{
	cJSON *o = cJSON_CreateObject(), *items;
	sqlite3_stmt *q;
	int src, rc = MO_OK;

	*out = NULL;
	if (o == NULL || (items = cJSON_AddArrayToObject(o, "items")) == NULL) {
		cJSON_Delete(o);
		return oom(err);
	}
	hub_sqlite_lock(s);
	if ((q = stmt(s, P_EXPECTED, err)) == NULL) {
		rc = err ? err->rc : MO_EIO;
		goto done;
	}
	bind_text(q, 1, case_id);
	if ((src = sqlite3_step(q)) != SQLITE_ROW) {
		rc = hub_sqlite_fail(s, src, "sum a case's payments", err);
		done_stmt(q);
		goto done;
	}
	cJSON_AddNumberToObject(o, "expected_kop", (double)sqlite3_column_int64(q, 0));
	cJSON_AddNumberToObject(o, "paid_kop", (double)sqlite3_column_int64(q, 1));
	done_stmt(q);
	if ((q = stmt(s, P_OF_CASE, err)) == NULL) {
		rc = err ? err->rc : MO_EIO;
		goto done;
	}
	bind_text(q, 1, case_id);
	while ((src = sqlite3_step(q)) == SQLITE_ROW) {
		cJSON *e = cJSON_CreateObject();

		if (e == NULL) {
			rc = oom(err);
			break;
		}
		hub_sqlite_json_text(e, "id", q, 0);
		cJSON_AddNumberToObject(e, "amount_kop", (double)sqlite3_column_int64(q, 1));
		hub_sqlite_json_text(e, "method", q, 2);
		hub_sqlite_json_text(e, "receipt", q, 3);
		hub_sqlite_json_text(e, "paid_at", q, 4);
		hub_sqlite_json_text(e, "source", q, 5);
		hub_sqlite_json_text(e, "device", q, 6);
		hub_sqlite_json_text(e, "recorded_at", q, 7);
		cJSON_AddItemToArray(items, e);
	}
	if (rc == MO_OK && src != SQLITE_DONE)
		rc = hub_sqlite_fail(s, src, "list a case's payments", err);
	done_stmt(q);
done:
	hub_sqlite_unlock(s);
	if (rc != MO_OK)
		cJSON_Delete(o);
	else
		*out = o;
	return rc;
}

/* one list of the report: {count, <sum key>, items: []} */
static cJSON *report_list(cJSON *r, const char *key)
{
	cJSON *l = cJSON_AddObjectToObject(r, key);

	if (l == NULL || !cJSON_AddArrayToObject(l, "items"))
		return NULL;
	return l;
}

struct sums {
	long long count, expected, paid, diff;
};

static void sums_put(cJSON *l, const struct sums *t, const char *diff_key)
{
	cJSON_AddNumberToObject(l, "count", (double)t->count);
	cJSON_AddNumberToObject(l, "expected_kop", (double)t->expected);
	cJSON_AddNumberToObject(l, "paid_kop", (double)t->paid);
	if (diff_key)
		cJSON_AddNumberToObject(l, diff_key, (double)t->diff);
}

/* the unit's row in per_unit (rows are ordered by unit) */
static cJSON *unit_row(cJSON *per_unit, const char *unit)
{
	cJSON *last = cJSON_GetArrayItem(per_unit, cJSON_GetArraySize(per_unit) - 1), *u;
	const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(last, "unit"));

	if (last && code && strcmp(code, unit) == 0)
		return last;
	if ((u = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(u, "unit", unit);
	cJSON_AddNumberToObject(u, "cases", 0);
	cJSON_AddNumberToObject(u, "expected_kop", 0);
	cJSON_AddNumberToObject(u, "paid_kop", 0);
	cJSON_AddNumberToObject(u, "paid", 0);
	cJSON_AddNumberToObject(u, "unpaid", 0);
	cJSON_AddNumberToObject(u, "overpaid", 0);
	cJSON_AddItemToArray(per_unit, u);
	return u;
}

static void add_to(cJSON *o, const char *key, long long v)
{
	cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);

	/* sums stay far below 2^53 kopecks: PROTO_MONEY_MAX per row */
	cJSON_SetNumberValue(n, n->valuedouble + (double)v);
}

static int report_cases(struct hub_store *s, const struct hub_case_filter *f, cJSON *r,
			struct mo_err *err)
{
	cJSON *lists[3], *per_unit = cJSON_AddArrayToObject(r, "per_unit");
	static const char *const names[3] = {"paid", "unpaid", "overpaid"};
	static const char *const diff_keys[3] = {NULL, "due_kop", "excess_kop"};
	struct sums t[3];
	sqlite3_stmt *q;
	int src, rc = MO_OK;

	memset(t, 0, sizeof(t));
	for (int i = 0; i < 3; i++)
		if ((lists[i] = report_list(r, names[i])) == NULL)
			return oom(err);
	if (per_unit == NULL)
		return oom(err);
	if ((q = stmt(s, P_CASES, err)) == NULL)
		return err ? err->rc : MO_EIO;
	bind_text(q, 1, f->unit);
	bind_text(q, 2, f->from);
	bind_text(q, 3, f->to);
	while ((src = sqlite3_step(q)) == SQLITE_ROW) {
		long long expected = sqlite3_column_int64(q, 4), paid = sqlite3_column_int64(q, 5);
		const char *status = (const char *)sqlite3_column_text(q, 3);
		const char *unit = (const char *)sqlite3_column_text(q, 2);
		int k = paid == expected ? 0 : paid < expected ? 1 : 2;
		cJSON *e, *u;

		/* a cancelled application owes nothing it has not paid */
		if (k == 1 && paid == 0 && status && strcmp(status, "cancelled") == 0)
			continue;
		if ((e = cJSON_CreateObject()) == NULL || (u = unit_row(per_unit, unit ? unit : "")) == NULL) {
			cJSON_Delete(e);
			rc = oom(err);
			break;
		}
		hub_sqlite_json_text(e, "id", q, 0);
		hub_sqlite_json_text(e, "number", q, 1);
		hub_sqlite_json_text(e, "unit", q, 2);
		hub_sqlite_json_text(e, "status", q, 3);
		cJSON_AddNumberToObject(e, "expected_kop", (double)expected);
		cJSON_AddNumberToObject(e, "paid_kop", (double)paid);
		cJSON_AddNumberToObject(e, "difference_kop", (double)(paid - expected));
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(lists[k], "items"), e);
		t[k].count++;
		t[k].expected += expected;
		t[k].paid += paid;
		t[k].diff += k == 1 ? expected - paid : paid - expected;
		add_to(u, "cases", 1);
		add_to(u, "expected_kop", expected);
		add_to(u, "paid_kop", paid);
		add_to(u, names[k], 1);
	}
	if (rc == MO_OK && src != SQLITE_DONE)
		rc = hub_sqlite_fail(s, src, "reconcile payments", err);
	done_stmt(q);
	for (int i = 0; i < 3; i++)
		sums_put(lists[i], &t[i], diff_keys[i]);
	return rc;
}

static int report_unmatched(struct hub_store *s, const struct hub_case_filter *f, cJSON *r,
			    struct mo_err *err)
{
	cJSON *l = report_list(r, "unmatched"), *items;
	long long count = 0, sum = 0;
	sqlite3_stmt *q;
	int src, rc = MO_OK;

	if (l == NULL)
		return oom(err);
	items = cJSON_GetObjectItemCaseSensitive(l, "items");
	if ((q = stmt(s, P_UNMATCHED, err)) == NULL)
		return err ? err->rc : MO_EIO;
	bind_text(q, 2, f->from);
	bind_text(q, 3, f->to);
	while ((src = sqlite3_step(q)) == SQLITE_ROW) {
		cJSON *e = cJSON_CreateObject();

		if (e == NULL) {
			rc = oom(err);
			break;
		}
		hub_sqlite_json_text(e, "id", q, 0);
		hub_sqlite_json_text(e, "date", q, 1);
		cJSON_AddNumberToObject(e, "amount_kop", (double)sqlite3_column_int64(q, 2));
		hub_sqlite_json_text(e, "purpose", q, 3);
		hub_sqlite_json_text(e, "imported_at", q, 4);
		cJSON_AddItemToArray(items, e);
		count++;
		sum += sqlite3_column_int64(q, 2);
	}
	if (rc == MO_OK && src != SQLITE_DONE)
		rc = hub_sqlite_fail(s, src, "list unmatched bank rows", err);
	done_stmt(q);
	cJSON_AddNumberToObject(l, "count", (double)count);
	cJSON_AddNumberToObject(l, "amount_kop", (double)sum);
	return rc;
}

int hub_store_payments_report(struct hub_store *s, const struct hub_case_filter *f, cJSON **out,
			      struct mo_err *err)
{
	cJSON *r = cJSON_CreateObject();
	int rc;

	*out = NULL;
	if (r == NULL)
		return oom(err);
	hub_sqlite_lock(s);
	if ((rc = report_cases(s, f, r, err)) == MO_OK)
		rc = report_unmatched(s, f, r, err);
	hub_sqlite_unlock(s);
	if (rc != MO_OK) {
		cJSON_Delete(r);
		return rc;
	}
	*out = r;
	return MO_OK;
}
