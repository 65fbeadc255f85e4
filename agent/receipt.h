/*
 * receipt.h — the printable receipt a citizen takes home, one renderer for
 * both faces (CLI `mo-agent receipt` and the field UI's print view).
 *
 * The document is complete HTML with print CSS (@page A4 or A5): the case
 * number (large, and as an inline SVG QR code), the local date and time in
 * Kyiv time, the unit's name and phone, applicant, services with titles and
 * processing term where the catalogue has one, documents received, fee, and
 * signature lines for the citizen and the administrator.  No external
 * resources and no script; every value from the record is HTML-escaped.
 */
#ifndef AGENT_RECEIPT_H
#define AGENT_RECEIPT_H

#include "agent.h"
#include "mo_buf.h"
#include "mo_err.h"
#include "store.h"

struct agent_receipt_opts {
	enum agent_lang lang;
	const char *paper;    /* "A4" (default, NULL) or "A5" */
	const char *css_href; /* NULL: the stylesheet inline in <style>; else a
				 <link rel=stylesheet> to it (a UI whose CSP forbids
				 inline style serves agent_receipt_css() there) */
};
#define AGENT_RECEIPT_OPTS_INIT {AGENT_LANG_UK, "A4", NULL}

/* the receipt's stylesheet (class-based; static text) */
const char *agent_receipt_css(void);

/*
 * Append the receipt of case `key` (id or number) to out.  MO_ENOTFOUND for
 * no such case, MO_EINVAL for a paper other than A4/A5, MO_ENOMEM/MO_ETOOBIG
 * from out.
 */
int agent_receipt_render(struct agent_store *s, const char *key,
			 const struct agent_receipt_opts *o, struct mo_buf *out,
			 struct mo_err *err) MO_WARN_UNUSED;

#endif
