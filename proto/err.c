/* err.c — mo_strerror and the caller-owned error buffer (mo_err.h). */
#include "mo_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mo_util.h"

const char *mo_strerror(int rc)
{
	switch (rc) {
	case MO_OK: return "ok";
	case MO_ERROR: return "error";
	case MO_ENOMEM: return "out of memory";
	case MO_EINVAL: return "invalid input";
	case MO_ENOTFOUND: return "not found";
	case MO_ECONFLICT: return "conflict";
	case MO_ETOOBIG: return "too large";
	case MO_ECORRUPT: return "corrupt data";
	case MO_EIO: return "input/output error";
	case MO_ENET: return "network error";
	case MO_EAUTH: return "authentication failed";
	case MO_EDIGEST: return "digest mismatch";
	case MO_ECOMPRESS: return "bad compressed data";
	case MO_EEXISTS: return "already exists";
	case MO_EFULL: return "disk full";
	case MO_EBUSY: return "busy";
	case MO_EFORBIDDEN: return "forbidden";
	default: return "unknown error";
	}
}

int mo_err_set(struct mo_err *err, int rc, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return rc;
	err->rc = rc;
	mo_strlcpy(err->code, code ? code : "", sizeof(err->code));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return rc;
}

void mo_err_clear(struct mo_err *err)
{
	if (err == NULL)
		return;
	err->rc = MO_OK;
	err->code[0] = '\0';
	err->msg[0] = '\0';
	err->expected = -1;
}
