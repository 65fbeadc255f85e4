/*
 * agent.h — the mo-agent context shared by the CLI commands, and the exit
 * codes the program promises its users and scripts.
 *
 * All state of one run lives in struct agent_ctx, built in main.c: options,
 * the open store, the language.  There are no mutable globals.
 */
#ifndef AGENT_H
#define AGENT_H

#include <stdbool.h>
#include <stdio.h>

#include "mo_err.h"

/* exit codes (documented in `mo-agent --help`) */
enum agent_exit {
	AGENT_EXIT_OK = 0,
	AGENT_EXIT_USAGE = 1, /* usage or validation error */
	AGENT_EXIT_NOT_ENROLLED = 2,
	AGENT_EXIT_NETWORK = 3, /* hub unreachable, timeout */
	AGENT_EXIT_REFUSED = 4, /* the hub refused (revoked, clock skew, ...) */
	AGENT_EXIT_STORAGE = 5, /* local database or file error */
};

enum agent_lang { AGENT_LANG_UK, AGENT_LANG_EN };

struct agent_store;

struct agent_ctx {
	char data_dir[1024];
	char db_path[1100];
	enum agent_lang lang;
	bool json;
	bool quiet;
	int zlib_level;		   /* -1: default */
	long long batch_changes;   /* cap on changes per batch (<= 5000) */
	long long batch_bytes;	   /* cap on raw JSON per batch (<= 4 MiB) */
	struct agent_store *store; /* opened lazily by agent_ctx_store() */
	/* transport (sync.c): plain http:// to a non-loopback hub only with
	 * --insecure-http; enroll --ca-file pins the hub's certificate authority */
	bool insecure_http;
	const char *ca_file;
};

/* Open (creating and migrating) the store of ctx->data_dir on first use. */
int agent_ctx_store(struct agent_ctx *ctx, struct agent_store **out,
		    struct mo_err *err) MO_WARN_UNUSED;

/* Map a failed operation (rc and err->code) to an exit code. */
int agent_exit_for(int rc, const struct mo_err *err);
/* the message (enum agent_msg_id) for a hub refusal people meet, -1: none */
int agent_refusal_msg(const struct mo_err *err);

/* Print an error for the user (translated prefix + detail) and return the exit code. */
int agent_fail(const struct agent_ctx *ctx, int rc, const struct mo_err *err);

/* ---- commands (cli*.c): argc/argv start after the command word ---- */
int agent_cmd_enroll(struct agent_ctx *ctx, int argc, char **argv);
int agent_cmd_operator(struct agent_ctx *ctx, int argc, char **argv);
int agent_cmd_trip(struct agent_ctx *ctx, int argc, char **argv);
int agent_cmd_case(struct agent_ctx *ctx, int argc, char **argv);
int agent_cmd_receipt(struct agent_ctx *ctx, int argc, char **argv);
int agent_cmd_sync(struct agent_ctx *ctx, int argc, char **argv);
int agent_cmd_status(struct agent_ctx *ctx, int argc, char **argv);
int agent_cmd_inbox(struct agent_ctx *ctx, int argc, char **argv);
/* service list [--search T]: the catalogue on this laptop */
int agent_cmd_service(struct agent_ctx *ctx, int argc, char **argv);
/* visit list|show|schedule|done|cancel: home-visit requests of the unit (cli_visit.c) */
int agent_cmd_visit(struct agent_ctx *ctx, int argc, char **argv);

#endif
