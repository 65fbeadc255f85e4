/*
 * main.c — mo-hub entry point: parse the arguments into the context
 * struct (cli.h) and hand over to the subcommands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "words.h"

static enum hub_lang lang = HUB_LANG_UK;

static int usage_error(enum hub_msg_id id, const char *arg)
{
	fprintf(stderr, "mo-hub: ");
	fprintf(stderr, hub_msg(lang, id), arg);
	fprintf(stderr, " (%s)\n", hub_msg(lang, HUB_MSG_TRY_HELP));
	return HUB_EXIT_USAGE;
}

/* MO_LANG, then the last --lang (or --lang=) anywhere before a "--" */
static enum hub_lang pick_lang(int argc, char **argv)
{
	const char *v = getenv("MO_LANG");

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			v = argv[++i];
		else if (strncmp(argv[i], "--lang=", 7) == 0)
			v = argv[i] + 7;
	}
	return hub_lang_parse(v);
}

int main(int argc, char **argv)
{
	struct hub_cli cli;
	bool help = false;

	memset(&cli, 0, sizeof(cli));
	cli.lang = lang = pick_lang(argc, argv);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++) {
				if (cli.nwords == HUB_CLI_WORDS)
					return usage_error(HUB_MSG_TOO_MANY, "");
				cli.words[cli.nwords++] = argv[i];
			}
			break;
		}
		if (strncmp(a, "--", 2) == 0) {
			char name[64];
			const char *eq = strchr(a + 2, '='), *value = NULL;
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			if (n == 0 || n >= sizeof(name))
				return usage_error(HUB_MSG_BAD_OPTION, a);
			memcpy(name, a + 2, n);
			name[n] = '\0';
			if (strcmp(name, "json") == 0 || strcmp(name, "help") == 0 ||
			    strcmp(name, "once") == 0 || strcmp(name, "notify") == 0) {
				if (eq)
					return usage_error(HUB_MSG_NO_VALUE_OPTION, a);
				if (name[0] == 'j')
					cli.json = true;
				else if (name[0] == 'o')
					cli.once = true;
				else if (name[0] == 'n')
					cli.notify = true;
				else
					help = true;
				continue;
			}
			if (!hub_cli_takes_value(name))
				return usage_error(HUB_MSG_UNKNOWN_OPTION, a);
			if (eq)
				value = eq + 1;
			else if (i + 1 < argc)
				value = argv[++i];
			else
				return usage_error(HUB_MSG_NEEDS_VALUE, a);
			if (cli.nopts == HUB_CLI_OPTS)
				return usage_error(HUB_MSG_TOO_MANY_OPTIONS, "");
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
			return usage_error(HUB_MSG_TOO_MANY, "");
		cli.words[cli.nwords++] = a;
	}
	if (help || cli.nwords == 0) {
		hub_cli_usage(lang);
		return help ? HUB_EXIT_OK : HUB_EXIT_USAGE;
	}
	cli.data = hub_cli_opt(&cli, "data");
	if (cli.data == NULL)
		cli.data = getenv("MO_HUB_DATA");
	if (cli.data == NULL || *cli.data == '\0')
		return usage_error(HUB_MSG_NO_DATA, "");
	return hub_cli_run(&cli);
}
