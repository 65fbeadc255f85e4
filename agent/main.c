/*
 * main.c — mo-agent: the field laptop program.  Builds the context (global
 * options, language, data directory) and dispatches to a command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "agent.h"
#include "cli_int.h"
#include "i18n.h"
#include "mo_util.h"
#include "platform.h"
#include "store.h"
#include "ui.h"

static const char USAGE_UK[] =
    "mo-agent — програма польового ноутбука мобільного ЦНАП\n"
    "\n"
    "Використання: mo-agent [--data ТЕКА] [--json] [--lang uk|en] КОМАНДА ...\n"
    "\n"
    "  enroll --hub URL --token ТОКЕН --operator ІМ'Я   зареєструвати ноутбук\n"
    "  enroll --again --hub URL --token ТОКЕН            після seq_conflict (docs/recovery.md)\n"
    "  operator add ІМ'Я [--pin-file Ф], operator pin ІМ'Я --pin-file Ф,\n"
    "  operator use ІМ'Я, operator list                 оператори ноутбука і їхні PIN\n"
    "  trip start --settlement НАЗВА [--kind ВИД], trip end, trip list\n"
    "  case new --service КОД ... --surname П --given-name І --birth-date ДД.ММ.РРРР\n"
    "           --tax-id РНОКПП | --no-rnokpp [--patronymic] [--phone] [--address] [--doc ТИП:НОМЕР]\n"
    "           [--mobility] [--presented ДОКУМЕНТ] [--consent] [--notes] [--draft] [--visit ID]\n           [--messages-consent | --no-messages-consent]  згода на SMS про стан заяви\n"
    "  case edit ID --поле значення ..., case submit ID, case cancel ID --reason Т,\n"
    "  case issue ID, case list [--status] [--trip] [--search ТЕКСТ], case show ID|НОМЕР,\n"
    "  case attach ID ФАЙЛ [--type ТИП], case rate ID 1..5 [--comment К],\n"
    "  case pay ID --amount 250,00 --method cash|card|bank [--receipt Н] [--at ЧАС]   оплата збору\n"
    "  case import ФАЙЛ.jsonl\n"
    "  receipt ID [--out ФАЙЛ.html] [--paper A4|A5]   розписка для заявника\n"
    "  sync [--level N] [--hub URL]   надіслати все й отримати рішення\n"
    "  status                         що чекає надсилання, рішення центру\n"
    "  inbox, inbox seen НОМЕР...|--all   нові рішення й коментарі центру; позначити переглянутими\n"
    "  service list [--search ТЕКСТ]  послуги каталогу (частина назви або код)\n"
    "  visit list, visit show ID, visit schedule ID --date ДД.ММ.РРРР, visit done ID,\n"
    "  visit cancel ID --reason Т      виїзди додому за заявками центру (ID: В-… або UUID)\n"
    "  ui [--listen 127.0.0.1:ПОРТ] [--no-browser] [--idle-minutes N]\n"
    "                                 робоче місце в браузері (лише на цьому ноутбуці)\n"
    "\n"
    "Коди виходу: 0 успіх, 1 помилка виклику чи даних, 2 ноутбук не зареєстровано,\n"
    "3 немає зв'язку з центром, 4 центр відхилив запит, 5 помилка локального сховища.\n";

static const char USAGE_EN[] =
    "mo-agent — the field laptop program of a mobile CNAP\n"
    "\n"
    "Usage: mo-agent [--data DIR] [--json] [--lang uk|en] COMMAND ...\n"
    "\n"
    "  enroll --hub URL --token TOKEN --operator NAME   register this laptop\n"
    "  enroll --again --hub URL --token TOKEN           after seq_conflict (docs/recovery.md)\n"
    "  operator add NAME [--pin-file F], operator pin NAME --pin-file F,\n"
    "  operator use NAME, operator list                 operators of this laptop, their PINs\n"
    "  trip start --settlement NAME [--kind KIND], trip end, trip list\n"
    "  case new --service CODE ... --surname S --given-name G --birth-date DD.MM.YYYY\n"
    "           --tax-id RNOKPP | --no-rnokpp [--patronymic] [--phone] [--address] [--doc TYPE:NUMBER]\n"
    "           [--mobility] [--presented DOC] [--consent] [--notes] [--draft] [--visit ID]\n           [--messages-consent | --no-messages-consent]  consent to status SMS\n"
    "  case edit ID --field value ..., case submit ID, case cancel ID --reason R,\n"
    "  case issue ID, case list [--status] [--trip] [--search TEXT], case show ID|NUMBER,\n"
    "  case attach ID FILE [--type TYPE], case rate ID 1..5 [--comment C],\n"
    "  case pay ID --amount 250.00 --method cash|card|bank [--receipt N] [--at TIME]   a fee paid\n"
    "  case import FILE.jsonl\n"
    "  receipt ID [--out FILE.html] [--paper A4|A5]   a receipt for the citizen\n"
    "  sync [--level N] [--hub URL]   send everything, receive decisions\n"
    "  status                         what waits to be sent, the hub's decisions\n"
    "  inbox, inbox seen NUMBER...|--all   new decisions and comments; mark them seen\n"
    "  service list [--search TEXT]   the service catalogue (part of a title or a code)\n"
    "  visit list, visit show ID, visit schedule ID --date DD.MM.YYYY, visit done ID,\n"
    "  visit cancel ID --reason T      home visits the centre asks for (ID: В-… or UUID)\n"
    "  ui [--listen 127.0.0.1:PORT] [--no-browser] [--idle-minutes N]\n"
    "                                 the workstation in the browser (this laptop only)\n"
    "\n"
    "Exit codes: 0 ok, 1 usage or validation error, 2 not enrolled,\n"
    "3 hub unreachable, 4 refused by the hub, 5 local storage error.\n";

struct global_opt {
	const char *name;
	bool takes_value;
};

static const struct global_opt GLOBALS[] = {
    {"--data", true},	       {"--lang", true},	{"--level", true},
    {"--batch-changes", true}, {"--batch-bytes", true}, {"--json", false},
    {"--quiet", false},	       {"--help", false},	{"-h", false},
};

/* take the global options out of argv wherever they are; returns -1 on error */
static int parse_globals(struct agent_ctx *ctx, int *argc, char **argv, bool *help)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct global_opt *g = NULL;

		if (strcmp(a, "--") == 0) { /* the rest is positional */
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		for (size_t k = 0; k < sizeof(GLOBALS) / sizeof(GLOBALS[0]); k++) {
			size_t n = strlen(GLOBALS[k].name);

			if (strncmp(a, GLOBALS[k].name, n) == 0 &&
			    (a[n] == '\0' || (a[n] == '=' && GLOBALS[k].takes_value))) {
				g = &GLOBALS[k];
				val = a[n] == '=' ? a + n + 1 : NULL;
				break;
			}
		}
		/* --level belongs to sync, but is accepted anywhere */
		if (g == NULL) {
			argv[out++] = argv[i];
			continue;
		}
		if (g->takes_value && val == NULL) {
			if (i + 1 >= *argc)
				return -1;
			val = argv[++i];
		}
		if (strcmp(g->name, "--data") == 0) {
			mo_strlcpy(ctx->data_dir, val, sizeof(ctx->data_dir));
		} else if (strcmp(g->name, "--lang") == 0) {
			ctx->lang = strcmp(val, "en") == 0 ? AGENT_LANG_EN : AGENT_LANG_UK;
		} else if (strcmp(g->name, "--level") == 0) {
			long long v;

			if (!mo_parse_i64(&v, val, 0, 9))
				return -1;
			ctx->zlib_level = (int)v;
		} else if (strcmp(g->name, "--batch-changes") == 0) {
			if (!mo_parse_i64(&ctx->batch_changes, val, 1, 5000))
				return -1;
		} else if (strcmp(g->name, "--batch-bytes") == 0) {
			if (!mo_parse_i64(&ctx->batch_bytes, val, 1024, 4 << 20))
				return -1;
		} else if (strcmp(g->name, "--json") == 0) {
			ctx->json = true;
		} else if (strcmp(g->name, "--quiet") == 0) {
			ctx->quiet = true;
		} else {
			*help = true;
		}
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	struct agent_ctx ctx;
	const char *lang = getenv("MO_LANG"), *level = getenv("MO_ZLIB_LEVEL"), *cmd;
	bool help = false;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.lang = lang && strncmp(lang, "en", 2) == 0 ? AGENT_LANG_EN : AGENT_LANG_UK;
	ctx.zlib_level = -1;
	if (level) {
		long long v;

		if (mo_parse_i64(&v, level, 0, 9))
			ctx.zlib_level = (int)v;
	}
	agent_private_files();
	agent_default_data_dir(ctx.data_dir, sizeof(ctx.data_dir));
	if (parse_globals(&ctx, &argc, argv, &help) != 0)
		return agent_usage(&ctx, "--data/--lang/--level");
	if (help || argc < 2) {
		fputs(ctx.lang == AGENT_LANG_EN ? USAGE_EN : USAGE_UK, help ? stdout : stderr);
		return help ? AGENT_EXIT_OK : AGENT_EXIT_USAGE;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "mo-agent: cannot initialise libcurl\n");
		return AGENT_EXIT_STORAGE;
	}
	cmd = argv[1];
	argc -= 2;
	argv += 2;
	if (strcmp(cmd, "enroll") == 0)
		rc = agent_cmd_enroll(&ctx, argc, argv);
	else if (strcmp(cmd, "operator") == 0)
		rc = agent_cmd_operator(&ctx, argc, argv);
	else if (strcmp(cmd, "trip") == 0)
		rc = agent_cmd_trip(&ctx, argc, argv);
	else if (strcmp(cmd, "case") == 0)
		rc = agent_cmd_case(&ctx, argc, argv);
	else if (strcmp(cmd, "receipt") == 0)
		rc = agent_cmd_receipt(&ctx, argc, argv);
	else if (strcmp(cmd, "sync") == 0)
		rc = agent_cmd_sync(&ctx, argc, argv);
	else if (strcmp(cmd, "status") == 0)
		rc = agent_cmd_status(&ctx, argc, argv);
	else if (strcmp(cmd, "inbox") == 0)
		rc = agent_cmd_inbox(&ctx, argc, argv);
	else if (strcmp(cmd, "service") == 0)
		rc = agent_cmd_service(&ctx, argc, argv);
	else if (strcmp(cmd, "visit") == 0)
		rc = agent_cmd_visit(&ctx, argc, argv);
	else if (strcmp(cmd, "ui") == 0)
		rc = agent_cmd_ui(&ctx, argc, argv);
	else
		rc = agent_usage(&ctx, cmd);
	agent_store_close(ctx.store);
	curl_global_cleanup();
	return rc;
}
