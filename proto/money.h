/*
 * money.h — amounts of hryvnias as integer kopecks, read from what a person
 * or a bank statement writes and written the Ukrainian way.  No floating
 * point anywhere: "250,50" is read digit by digit into 25050 kopecks.
 *
 * Accepted: digits, optionally grouped by thousands with spaces (ASCII,
 * U+00A0 or U+202F) in groups of three ("1 250"), then optionally a decimal
 * point or comma and one or two digits ("250.5", "250,50"), optionally
 * followed by " грн" or " UAH"; surrounding spaces are ignored.  Refused,
 * each with its own code in err->code: nothing ("money_empty"), a sign
 * ("money_negative" for '-', "money_format" for '+'), more than two
 * decimals ("money_decimals"), more than PROTO_MONEY_MAX kopecks
 * ("money_too_big"), anything else ("money_format").
 */
#ifndef PROTO_MONEY_H
#define PROTO_MONEY_H

#include <stdbool.h>
#include <stddef.h>

#include "mo_err.h"

/* 10^13 kopecks = 100 billion hryvnias: far beyond any fee, far below 2^53 */
#define PROTO_MONEY_MAX 10000000000000LL
/* "-99 999 999 999,99 грн" + NUL fits */
#define PROTO_MONEY_TEXT_MAX 40

/* read s (len bytes; it need not be NUL-terminated) into *out kopecks;
 * MO_EINVAL with the code above, *out untouched */
int proto_money_parse(long long *out, const char *s, size_t len,
		      struct mo_err *err) MO_WARN_UNUSED;

/*
 * kop as "1 250,00 грн" (currency) or "1 250,00" (not), grouped by ASCII
 * spaces, a '-' before a negative amount.  Always NUL-terminated; the text
 * is cut when outlen < PROTO_MONEY_TEXT_MAX.  Returns out.
 */
const char *proto_money_format(char *out, size_t outlen, long long kop, bool currency);

#endif
