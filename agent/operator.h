/*
 * operator.h — the people who work on a shared laptop and their PINs: the
 * field UI's sign-in and `mo-agent operator add|pin --pin-file`, one rule
 * for both faces.
 *
 * A PIN is 4 to 12 digits, kept as a salted scrypt hash (never in clear).
 * Wrong PINs are counted in the store: from the third in a row each one
 * makes the operator wait longer (5 s, 10 s, 20 s … at most 15 min) before
 * a PIN is even checked again, so a PIN cannot be guessed by trying.
 */
#ifndef AGENT_OPERATOR_H
#define AGENT_OPERATOR_H

#include <stdint.h>

#include "mo_err.h"
#include "store.h"

#define AGENT_PIN_MIN 4
#define AGENT_PIN_MAX 12

/* MO_EINVAL code "bad_pin_format" unless pin is 4..12 ASCII digits */
int agent_pin_format_check(const char *pin, struct mo_err *err) MO_WARN_UNUSED;

/* Hash pin and store it for the existing operator `name` (caller's transaction). */
int agent_operator_set_pin(struct agent_store *s, const char *name, const char *pin,
			   struct mo_err *err) MO_WARN_UNUSED;

/*
 * Check name + pin at now_ms, counting a failure in its own transaction.
 * MO_OK: right.  MO_EAUTH with code "bad_pin" (wrong PIN or unknown
 * operator: the same answer), "no_pin" (no PIN set yet) or "rate_limited"
 * (err->msg = whole seconds to wait; nothing was checked).
 */
int agent_operator_check_pin(struct agent_store *s, const char *name, const char *pin,
			     uint64_t now_ms, struct mo_err *err) MO_WARN_UNUSED;

/* the wait after `failures` wrong PINs in a row, in ms (0 for the first two) */
long long agent_pin_wait_ms(long long failures);

#endif
