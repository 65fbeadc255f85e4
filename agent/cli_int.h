/*
 * cli_int.h — helpers shared by the command files (cli.c, cli_case.c,
 * receipt.c): option parsing, JSON output, opening the store and identity.
 */
#ifndef AGENT_CLI_INT_H
#define AGENT_CLI_INT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "agent.h"
#include "case.h"
#include "store.h"

/*
 * argv[*i] is "--name VALUE" or "--name=VALUE": *val is set, *i advanced
 * past the value, returns 1; not this option: 0; value missing: -1.
 */
int agent_opt(int argc, char **argv, int *i, const char *name, const char **val);

/* print a usage error (translated) and return AGENT_EXIT_USAGE */
int agent_usage(const struct agent_ctx *ctx, const char *what);

/* print v as JSON on stdout (pretty), then a newline */
void agent_print_json(const cJSON *v);

/*
 * Open the store and load the identity; with need_enrolled, a laptop that
 * is not enrolled is an error (exit 2).  Returns an exit code (0 = fine).
 */
int agent_open(struct agent_ctx *ctx, struct agent_store **s, struct agent_identity *me,
	       bool need_enrolled);

/* run rc-returning work inside one BEGIN IMMEDIATE .. COMMIT */
int agent_commit_or_rollback(struct agent_store *s, int rc, struct mo_err *err);

/* the HTML receipt of a case into f */
int agent_receipt_write(struct agent_ctx *ctx, struct agent_store *s,
			const struct agent_identity *me, const struct agent_case *c,
			const char *paper, FILE *f, struct mo_err *err);

#endif
