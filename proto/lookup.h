/*
 * lookup.h — the status code of a receipt: a short random secret the laptop
 * makes offline for each new case, printed on the citizen's receipt, and the
 * salted slow hash of it (`status_check`) that the hub keeps to answer the
 * public status lookup (docs/vocabulary.md, docs/api.md).
 *
 * The code is 10 symbols of Crockford's base32 alphabet (no I, L, O, U),
 * 50 bits, shown in groups as 7KQ2-M9XD-4F.  The check is
 * "scrypt$14$8$1$" + 64 lowercase hex digits: scrypt (N = 2^14, r = 8,
 * p = 1, 32 bytes) of the normalised code, salted with the case number.
 *
 * Why scrypt and not SHA-256: the hash travels to the hub in the case
 * document, so anyone who reads the hub's database (or, before the hub
 * strips it, a feed row) holds it.  50 bits of code against one SHA-256
 * would fall to a GPU in hours; against scrypt at 16 MiB per guess it is
 * out of reach, and the per-case salt (the number) makes every case its
 * own search.  One check costs ~50 ms of CPU, which the rate limit of
 * the public endpoint bounds.
 */
#ifndef PROTO_LOOKUP_H
#define PROTO_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "mo_err.h"

#define PROTO_LOOKUP_SYMBOLS 10
#define PROTO_LOOKUP_CODE_LEN 13  /* "7KQ2-M9XD-4F" + NUL */
#define PROTO_LOOKUP_CHECK_LEN 79 /* "scrypt$14$8$1$" + 64 hex + NUL */

/* a fresh random code, grouped (7KQ2-M9XD-4F); MO_ERROR if the RNG fails */
int proto_lookup_code_new(char out[PROTO_LOOKUP_CODE_LEN]) MO_WARN_UNUSED;

/*
 * What a person typed, as the 10 bare symbols: case, spaces and dashes do
 * not matter, O reads as 0 and I, L as 1.  false (out empty) when it is not
 * 10 symbols of the alphabet.
 */
bool proto_lookup_code_normalize(char out[PROTO_LOOKUP_SYMBOLS + 1], const char *typed);

/* the check of a code for the case `number`; MO_EINVAL for a malformed code */
int proto_lookup_check_make(char out[PROTO_LOOKUP_CHECK_LEN], const char *number, const char *code,
			    struct mo_err *err) MO_WARN_UNUSED;

/* is s a check in the fixed text form (prefix and 64 lowercase hex digits) */
bool proto_lookup_check_valid(const char *s);

/*
 * Does `typed` match `check` for case `number`?  Always does one scrypt,
 * also when check is NULL or malformed or the code is malformed (it then
 * hashes a dummy and answers false), so a caller that calls it for an
 * unknown number spends the same time as for a wrong code.
 */
bool proto_lookup_check_verify(const char *check, const char *number,
			       const char *typed) MO_WARN_UNUSED;

#endif
