/*
 * cli.h — mo-hub's command line: the parsed arguments (built by main.c)
 * and the subcommands (cli.c).
 *
 * Options may come before or after the subcommand words; every option
 * takes a value except --json, --help, --once and --notify.  --data DIR (or $MO_HUB_DATA) is
 * required: a hub never falls back to a directory it was not told about.
 * Messages are Ukrainian unless --lang en (or MO_LANG=en) asks for English
 * (words.h); --json output and the "listening on URL" line that scripts
 * read are the same in both.
 */
#ifndef HUB_CLI_H
#define HUB_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "words.h"

#define HUB_CLI_OPTS 32
#define HUB_CLI_WORDS 16

enum hub_exit {
	HUB_EXIT_OK = 0,
	HUB_EXIT_ERROR = 1, /* the command failed; the reason is on stderr */
	HUB_EXIT_USAGE = 2, /* bad arguments */
};

struct hub_cli {
	const char *data; /* --data or $MO_HUB_DATA */
	bool json;
	bool once, notify; /* --once (notify), --notify (serve) */
	enum hub_lang lang; /* --lang or $MO_LANG */
	struct {
		const char *name; /* without the leading dashes */
		const char *value;
	} opts[HUB_CLI_OPTS];
	size_t nopts;
	const char *words[HUB_CLI_WORDS];
	size_t nwords;
};

/* is `name` an option that takes a value (e.g. "data", "unit")? */
bool hub_cli_takes_value(const char *name);
/* the value of an option, NULL when not given (the last one wins) */
const char *hub_cli_opt(const struct hub_cli *cli, const char *name);
/* run the subcommand; returns the process exit code */
int hub_cli_run(const struct hub_cli *cli);
void hub_cli_usage(enum hub_lang lang);

struct hub;
struct mo_err;
/* `payments import FILE.csv` (cli_payments.c) */
int hub_cli_payments_import(struct hub *h, const struct hub_cli *cli, struct mo_err *err);
/* status messages (cli_notify.c) */
int hub_cli_notify(struct hub *h, const struct hub_cli *cli, struct mo_err *err);
int hub_cli_notify_config(struct hub *h, const struct hub_cli *cli, struct mo_err *err);
/* cli_catalogue.c: catalogue list [--json], catalogue set CODE [--fee N ...] */
int hub_cmd_catalogue_list(struct hub *h, const struct hub_cli *cli, struct mo_err *err);
int hub_cmd_catalogue_set(struct hub *h, const struct hub_cli *cli, struct mo_err *err);

#endif
