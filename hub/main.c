/*
 * main.c — mo-hub entry point: parse the arguments into the context
 * struct (cli.h) and hand over to the subcommands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "mo-hub: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try 'mo-hub --help')\n");
	return HUB_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct hub_cli cli;
	bool help = false;

	memset(&cli, 0, sizeof(cli));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++) {
				if (cli.nwords == HUB_CLI_WORDS)
					return usage_error("too many arguments%s", "");
				cli.words[cli.nwords++] = argv[i];
			}
			break;
		}
		if (strncmp(a, "--", 2) == 0) {
			char name[64];
			const char *eq = strchr(a + 2, '='), *value = NULL;
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			if (n == 0 || n >= sizeof(name))
				return usage_error("bad option '%s'", a);
			memcpy(name, a + 2, n);
			name[n] = '\0';
			if (strcmp(name, "json") == 0 || strcmp(name, "help") == 0) {
				if (eq)
					return usage_error("option '%s' takes no value", a);
				if (name[0] == 'j')
					cli.json = true;
				else
					help = true;
				continue;
			}
			if (!hub_cli_takes_value(name))
				return usage_error("unknown option '%s'", a);
			if (eq)
				value = eq + 1;
			else if (i + 1 < argc)
				value = argv[++i];
			else
				return usage_error("option '%s' needs a value", a);
			if (cli.nopts == HUB_CLI_OPTS)
				return usage_error("too many options%s", "");
			/* the name points into argv, which outlives cli */
			cli.opts[cli.nopts].name = a + 2;
			cli.opts[cli.nopts].value = value;
			cli.nopts++;
			continue;
		}
		if (strcmp(a, "-h") == 0) {
			help = true;
			continue;
		}
		if (cli.nwords == HUB_CLI_WORDS)
			return usage_error("too many arguments%s", "");
		cli.words[cli.nwords++] = a;
	}
	if (help || cli.nwords == 0) {
		hub_cli_usage();
		return help ? HUB_EXIT_OK : HUB_EXIT_USAGE;
	}
	cli.data = hub_cli_opt(&cli, "data");
	if (cli.data == NULL)
		cli.data = getenv("MO_HUB_DATA");
	if (cli.data == NULL || *cli.data == '\0')
		return usage_error("no data directory: give --data DIR or set MO_HUB_DATA%s", "");
	return hub_cli_run(&cli);
}
