/*
 * payments.h — fees and payments on the hub (issue 15 item 4): a laptop's
 * `payment` append applied (the case must be the sender's unit's), bank
 * statements imported and matched to cases by the case number in the
 * payment's purpose, and the reconciliation of expected fees (the
 * catalogue's) against what was paid.  Logic only: every row goes through
 * store.h (store_payments.c), and amounts are integer kopecks (money.h).
 */
#ifndef HUB_PAYMENTS_H
#define HUB_PAYMENTS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "change.h"
#include "hub.h"
#include "mo_err.h"
#include "store.h"

#define HUB_STATEMENT_MAX (8u << 20) /* one bank statement file */
#define HUB_PAYMENT_MAX_KOP 1000000000LL /* the vocabulary's amount_kop cap */

/*
 * Apply a laptop's `payment` append c from dev: stored once by the change
 * id (a re-sent batch changes nothing), with a history entry.  A change the
 * hub refuses returns MO_EINVAL with err->code the quarantine code
 * (not_found: no such case; forbidden: another unit's; missing_field,
 * bad_value) and nothing stored.  *applied: it was new.
 */
int hub_payment_apply(struct hub *h, const struct hub_device *dev, struct proto_change *c,
		      bool *applied, struct mo_err *err) MO_WARN_UNUSED;

/*
 * The first case number (DEVICE-YYYY-NNNNNN, docs/vocabulary.md) in a bank
 * payment's purpose that names a case of the hub: *out its id and number.
 * MO_ENOTFOUND when none does.
 */
int hub_payment_match(struct hub *h, const char *purpose, struct hub_case *out,
		      struct mo_err *err) MO_WARN_UNUSED;

/* the case-number-shaped words of text, at most max, upper-cased (tests) */
size_t hub_payment_numbers(const char *text, char (*out)[HUB_NUMBER_MAX], size_t max);

struct hub_import_result {
	long long matched, unmatched, skipped, bad;
	/* [{line, result: matched|unmatched|skipped|bad, id?, amount_kop?,
	 *   case?, number?, reason? (a code of words.h's payments)}] */
	cJSON *lines;
};

/*
 * Import a bank statement (data, len bytes; file names it in the store):
 * a header naming at least date, amount, purpose and id (any order, any
 * case, other columns ignored), then one payment a row.  In one
 * transaction: a bad row is reported (line and reason) and nothing of it
 * stored, a transaction id seen before is skipped.  A file that cannot be
 * read as a statement (no header, a column missing) is MO_EINVAL with
 * err->code "bank_columns" / "bank_empty" and nothing stored.  out->lines
 * is the caller's to free (also on error).
 */
int hub_payments_import(struct hub *h, const char *data, size_t len, const char *file,
			struct hub_import_result *out, struct mo_err *err) MO_WARN_UNUSED;

#endif
