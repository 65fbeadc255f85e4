/*
 * mo_err.h — the one error vocabulary of mobile-office.
 *
 * Every fallible function returns an `enum mo_rc` and, when the caller passes
 * one, fills a caller-owned `struct mo_err` with the detail: a human message
 * and, for errors that cross the wire, the protocol error code of DESIGN.md §4
 * ("bad_signature", "seq_gap", ...).  There is no global "last error".
 *
 * Rules (STYLE.md): a lower level's message is never overwritten — use
 * mo_err_set() only where the error is first detected; callers propagate rc.
 */
#ifndef MO_ERR_H
#define MO_ERR_H

#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)
#define MO_WARN_UNUSED __attribute__((warn_unused_result))
#define MO_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MO_WARN_UNUSED
#define MO_PRINTF(a, b)
#endif

enum mo_rc {
	MO_OK = 0,
	MO_ERROR = -1,     /* unspecified failure */
	MO_ENOMEM = -2,    /* allocation failed */
	MO_EINVAL = -3,    /* bad input (validation) */
	MO_ENOTFOUND = -4, /* no such thing */
	MO_ECONFLICT = -5, /* state conflict (seq, transition, exists) */
	MO_ETOOBIG = -6,   /* a size cap was exceeded */
	MO_ECORRUPT = -7,  /* malformed bytes (framing, JSON) */
	MO_EIO = -8,       /* file or database I/O */
	MO_ENET = -9,      /* network unreachable, timeout */
	MO_EAUTH = -10,    /* signature, token or password refused */
	MO_EDIGEST = -11,  /* content does not match its digest */
	MO_ECOMPRESS = -12, /* corrupt compressed stream, unknown dictionary */
	MO_EEXISTS = -13,  /* refusing to overwrite */
	MO_EFULL = -14,    /* disk full */
	MO_EBUSY = -15,    /* database locked, try again */
	MO_EFORBIDDEN = -16, /* authenticated but not allowed */
};

#define MO_ERR_MSG_MAX 256
#define MO_ERR_CODE_MAX 32

struct mo_err {
	int rc;
	char code[MO_ERR_CODE_MAX]; /* wire error code, "" when none */
	char msg[MO_ERR_MSG_MAX];
	long long expected; /* seq_gap: the expected seq; -1 otherwise */
};

#define MO_ERR_INIT {MO_OK, "", "", -1}

/* Human name of a return code ("out of memory"). Never NULL. */
const char *mo_strerror(int rc);

/*
 * Record an error. `err` may be NULL. `code` is the wire error code or NULL.
 * Returns rc so callers can write `return mo_err_set(err, MO_EINVAL, ...)`.
 */
int mo_err_set(struct mo_err *err, int rc, const char *code, const char *fmt, ...)
	MO_PRINTF(4, 5);

/* Clear to MO_OK with empty message. */
void mo_err_clear(struct mo_err *err);

#endif
