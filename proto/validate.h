/*
 * validate.h — field validation shared by agent and hub: the same rules
 * wherever a value is typed in, imported or received.
 *
 * Each check returns MO_OK or MO_EINVAL with a message that names the
 * reason in words a field administrator understands (English; the agent's
 * UI translates by reason code in err->code: "rnokpp_length",
 * "rnokpp_check_digit", "rnokpp_birth_date", "phone", "date", ...).
 */
#ifndef PROTO_VALIDATE_H
#define PROTO_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mo_err.h"

#define PROTO_PHONE_LEN 14 /* "+380" + 9 digits + NUL */

/*
 * RNOKPP (individual tax number): 10 digits; digit 10 is the check digit
 * (weights -1 5 7 9 4 6 10 5 7, sum mod 11 mod 10); digits 1-5 are the
 * days since 1899-12-31 of the birth date, which must equal birth_date
 * ("YYYY-MM-DD") when that is not NULL.
 */
int proto_rnokpp_check(const char *rnokpp, const char *birth_date, struct mo_err *err)
	MO_WARN_UNUSED;

/* the birth date digits 1-5 of an RNOKPP encode, as "YYYY-MM-DD" */
int proto_rnokpp_birth_date(const char *rnokpp, char out_iso[11]) MO_WARN_UNUSED;

/*
 * Ukrainian phone number to +380XXXXXXXXX.  Accepts "+380 67 123 45 67",
 * "380671234567", "0671234567", "(067) 123-45-67", "+38 (067) 123 45 67".
 */
int proto_phone_normalize(char out[PROTO_PHONE_LEN], const char *in, struct mo_err *err)
	MO_WARN_UNUSED;

/* YYYY-MM-DD, a real calendar date between 1900-01-01 and 2199-12-31 */
bool proto_date_valid(const char *s);
/* days since 1899-12-31 of a valid date (1900-01-01 is 1), -1 if invalid */
long proto_date_days(const char *s);
/*
 * A date as people type it: "15.03.1948" (also 15.3.1948, 15/03/1948) or ISO
 * "1948-03-15", calendar-checked like proto_date_valid.  out_iso gets
 * "YYYY-MM-DD"; MO_OK or MO_EINVAL (out_iso is then "").  Surrounding
 * spaces are ignored.
 */
int proto_date_parse(const char *in, char out_iso[11]) MO_WARN_UNUSED;
/* "1948-03-15" → "15.03.1948"; anything not a valid ISO date is copied
 * (truncated to 10 bytes) so a display never loses what was stored */
void proto_date_display(const char *iso, char out[11]);
/*
 * unix_ms as Kyiv local time "02.12.2026 21:06": EET (UTC+2), EEST (UTC+3)
 * from the last Sunday of March 01:00 UTC to the last Sunday of October
 * 01:00 UTC (the EU rule Ukraine follows).  No OS time-zone database.
 */
void proto_time_kyiv(int64_t unix_ms, char out[17]);
/* unix ms of a valid YYYY-MM-DDTHH:MM:SS[.fff]Z (fraction ignored), -1 otherwise */
int64_t proto_datetime_ms(const char *s);
/* YYYY-MM-DDTHH:MM:SS[.fff]Z */
bool proto_datetime_valid(const char *s);
/* 8-4-4-4-12 hex, lowercase or uppercase */
bool proto_uuid_valid(const char *s);
/* well-formed UTF-8 (no overlongs, no surrogates, no > U+10FFFF) */
bool proto_utf8_valid(const char *s, size_t n);
/* length of the longest well-formed prefix: n when all is valid, else the
 * byte offset of the first bad sequence (for error messages) */
size_t proto_utf8_prefix(const char *s, size_t n);

/*
 * free text typed by a person: valid UTF-8, at most max bytes, no control
 * characters other than tab and newline.  `field` names it in the message.
 */
int proto_text_check(const char *s, size_t max, const char *field, struct mo_err *err)
	MO_WARN_UNUSED;

#endif
