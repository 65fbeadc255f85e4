/*
 * cli.c — mo-hub's subcommands (cli.h).  Each one opens the hub, does one
 * thing through the same functions the HTTP side uses, prints the result
 * (a table, or JSON with --json) and returns an exit code; a failure
 * prints one line on stderr.
 */
#include "cli.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "history.h"
#include "hub.h"
#include "json.h"
#include "messages.h"
#include "mo_util.h"
#include "review.h"
#include "visits.h"
#include "validate.h"
#include "status.h"
#include "words.h"

#define PASSWORD_MAX 1024

static const char *const value_opts[] = {
    "data",
    "db",
    "admin-password-file",
    "listen",
    "code",
    "name",
    "kind",
    "phone",
    "unit",
    "ttl",
    "status",
    "login",
    "role",
    "password-file",
    "decision",
    "reason",
    "by",
    "service",
    "text",
    "session-idle",
    "session-max",
    "cookie-secure",
    "body-memory",
    "header-timeout",
    "request-timeout",
    "max-conn-per-addr",
    "trusted-proxy",
    "tls-cert",
    "tls-key",
    "metrics-listen",
    "metrics-token",
    "blob-quota",
    "blob-expiry",
    "lang",
    /* visit add / visit list (visits_cli.c) */
    "surname",
    "given-name",
    "patronymic",
    "address",
    "mobility",
    "services",
    "preferred",
    "note",
    "state",
    /* catalogue set (cli_catalogue.c) */
    "fee",
    "title-uk",
    "title-en",
    "category",
    "documents",
    "members",
    "active",
    "version",
    "to",
    "url",
    "body",
    "auth-header",
    "auth-header-file",
    "timeout",
    "retry-base-ms",
    "retry-cap-ms",
    "max-attempts",
};

bool hub_cli_takes_value(const char *name)
{
	for (size_t i = 0; i < sizeof(value_opts) / sizeof(value_opts[0]); i++)
		if (strcmp(name, value_opts[i]) == 0)
			return true;
	return false;
}

const char *hub_cli_opt(const struct hub_cli *cli, const char *name)
{
	size_t n = strlen(name);
	const char *v = NULL;

	for (size_t i = 0; i < cli->nopts; i++) {
		const char *o = cli->opts[i].name;

		if (strncmp(o, name, n) == 0 && (o[n] == '\0' || o[n] == '='))
			v = cli->opts[i].value;
	}
	return v;
}

static const char USAGE_UK[] =
    "використання: mo-hub КОМАНДА --data ТЕКА [--lang uk|en] [параметри]   (або змінна MO_HUB_DATA)\n"
    "\n"
    "  init [--db URL] [--admin-password-file Ф]    створити новий центр у ТЕЦІ\n"
    "  serve --listen ВУЗОЛ:ПОРТ                    запустити HTTP API (порт 0: будь-який)\n"
    "        [--session-idle СЕКУНДИ] [--session-max СЕКУНДИ] [--cookie-secure yes|no]\n"
    "                                              вихід працівника після бездіяльності (1800)\n"
    "                                              або після входу (43200);\n"
    "                                              Secure-cookie за TLS-проксі\n"
    "        [--tls-cert Ф --tls-key Ф] [--body-memory МіБ (64)]\n"
    "        [--header-timeout С (20)] [--request-timeout С (300)]\n"
    "        [--max-conn-per-addr N (64, 0: без ліміту)] [--trusted-proxy АДРЕСА]...\n"
    "        [--metrics-listen ВУЗОЛ:ПОРТ | --metrics-token ТОКЕН]\n"
    "        [--notify]                            і надсилати SMS про стан заяв (notify-config)\n"
    "        [--blob-quota МіБ (2048)] [--blob-expiry СЕКУНДИ (2592000)]\n"
    "                                              на ноутбук: документи, що завантажуються\n"
    "                                              або ще не названі заявою, зберігаються 30 днів\n"
    "  unit add --code К --name НАЗВА --kind office|case|truck|bus [--phone ТЕЛ]\n"
    "                                              офіс, мобільний кейс, вантажівка, автобус\n"
    "  unit list\n"
    "  enroll-token --unit К [--ttl 24h]           одноразовий токен підключення ноутбука\n"
    "  device list\n"
    "  device revoke НОУТБУК                       за ідентифікатором або кодом\n"
    ;
/* in two parts: one C string may hold only 4,095 characters */
static const char USAGE_UK_2[] =
    "  case list [--status С] [--unit П]\n"
    "  case show ID|НОМЕР\n"
    "  case decide ID|НОМЕР --decision in_review|approved|rejected|needs_info\n"
    "              [--reason ПРИЧИНА] [--by ЛОГІН] [--service КОД]\n"
    "              (на розгляд, погодити, відмовити, запросити документи)\n"
    "  case comment ID|НОМЕР --text ТЕКСТ [--by ЛОГІН]\n"
    "  quarantine list                             відкладені зміни з причинами\n"
    "  payments import ФАЙЛ.csv [--json]          банківська виписка: оплати до заяв за номером\n"
    "  user add --login Л --role reviewer|supervisor|admin --password-file Ф\n"
    "  user disable --login Л                      одразу завершує всі сеанси Л\n"
    "  user enable --login Л\n"
    "  user passwd --login Л --password-file Ф     одразу завершує всі сеанси Л\n"
    "  user role --login Л --role reviewer|supervisor|admin\n"
    "  visit add --unit К --surname П --given-name І [--patronymic Б] --phone ТЕЛ\n"
    "            --address АДРЕСА [--services К1,К2] [--preferred РРРР-ММ-ДД]\n"
    "            [--note ТЕКСТ] [--reason ТЕКСТ]   замовити виїзд (друкує номер)\n"
    "  visit list [--unit П] [--state requested|scheduled|visited|cancelled]\n"
    "  catalogue list                              каталог послуг з версіями\n"
    "  catalogue set КОД [--fee ГРН] [--title-uk Т] [--title-en Т] [--category К]\n"
    "        [--documents \"А; Б\"] [--members К1,К2] [--active yes|no] [--version N]\n"
    "                                              додати чи змінити послугу (до всіх ноутбуків)\n"
    "  backup --to ФАЙЛ                            узгоджена копія бази, поки центр працює\n"
    "  migrate                                     оновити схему бази до цієї версії\n"
    "  notify [--once]                             надіслати SMS про стан заяв (serve --notify: у сервері)\n"
    "  notify-config [--url URL] [--body ШАБЛОН] [--auth-header 'Назва: значення' | --auth-header-file Ф]\n"
    "                [--timeout С] [--retry-base-ms МС] [--retry-cap-ms МС] [--max-attempts N]\n"
    "                                              шлюз SMS; {phone} {phone_digits} {text} {key} у ШАБЛОНІ\n"
    "\n"
    "  --json друкує JSON (списки: масив об'єктів), однаковий для обох мов.\n"
    "  --lang en (або MO_LANG=en): повідомлення англійською.\n"
    "Код виходу: 0 успіх, 1 команда не вдалася, 2 неправильні аргументи.\n";

static const char USAGE_EN[] =
    "usage: mo-hub COMMAND --data DIR [--lang uk|en] [options]   (or set MO_HUB_DATA)\n"
    "\n"
    "  init [--db URL] [--admin-password-file F]   create a new hub in DIR\n"
    "  serve --listen HOST:PORT                    run the HTTP API (port 0: any)\n"
    "        [--session-idle SECONDS] [--session-max SECONDS] [--cookie-secure yes|no]\n"
    "                                              staff sign-out after idling (1800)\n"
    "                                              or after signing in (43200);\n"
    "                                              Secure cookie behind a TLS proxy\n"
    "        [--tls-cert F --tls-key F] [--body-memory MIB (64)]\n"
    "        [--header-timeout S (20)] [--request-timeout S (300)]\n"
    "        [--max-conn-per-addr N (64, 0: none)] [--trusted-proxy ADDR]...\n"
    "        [--metrics-listen HOST:PORT | --metrics-token TOKEN]\n"
    "        [--notify]                            and send the status SMS (notify-config)\n"
    "        [--blob-quota MIB (2048)] [--blob-expiry SECONDS (2592000)]\n"
    "                                              per laptop: documents in upload or\n"
    "                                              not yet named by a case, kept 30 days\n"
    "  unit add --code C --name N --kind office|case|truck|bus [--phone P]\n"
    "  unit list\n"
    "  enroll-token --unit C [--ttl 24h]           print a one-time enrolment token\n"
    "  device list\n"
    "  device revoke DEVICE                        by device id or code\n"
    ;
/* in two parts: one C string may hold only 4,095 characters */
static const char USAGE_EN_2[] =
    "  case list [--status S] [--unit U]\n"
    "  case show ID|NUMBER\n"
    "  case decide ID|NUMBER --decision in_review|approved|rejected|needs_info\n"
    "              [--reason R] [--by LOGIN] [--service CODE]\n"
    "  case comment ID|NUMBER --text T [--by LOGIN]\n"
    "  quarantine list                             changes kept aside, with reasons\n"
    "  payments import FILE.csv [--json]          a bank statement: payments matched to cases\n"
    "  user add --login L --role reviewer|supervisor|admin --password-file F\n"
    "  user disable --login L                      ends every session of L at once\n"
    "  user enable --login L\n"
    "  user passwd --login L --password-file F     ends every session of L at once\n"
    "  user role --login L --role reviewer|supervisor|admin\n"
    "  visit add --unit C --surname S --given-name G [--patronymic P] --phone P\n"
    "            --address A [--services C1,C2] [--preferred YYYY-MM-DD]\n"
    "            [--note T] [--reason T]       request a home visit (prints its number)\n"
    "  visit list [--unit U] [--state requested|scheduled|visited|cancelled]\n"
    "  catalogue list                              the service catalogue with versions\n"
    "  catalogue set CODE [--fee UAH] [--title-uk T] [--title-en T] [--category C]\n"
    "        [--documents \"A; B\"] [--members C1,C2] [--active yes|no] [--version N]\n"
    "                                              add or edit a service (reaches every laptop)\n"
    "  backup --to FILE                            a consistent copy of the database, while serving\n"
    "  migrate                                     upgrade the database schema to this version\n"
    "  notify [--once]                             send the status SMS (serve --notify: inside the server)\n"
    "  notify-config [--url URL] [--body TEMPLATE] [--auth-header 'Name: value' | --auth-header-file F]\n"
    "                [--timeout S] [--retry-base-ms MS] [--retry-cap-ms MS] [--max-attempts N]\n"
    "                                              the SMS gateway; {phone} {phone_digits} {text} {key} in TEMPLATE\n"
    "\n"
    "  --json prints JSON (lists: an array of objects), the same in both languages.\n"
    "Exit status: 0 ok, 1 the command failed, 2 bad arguments.\n";

void hub_cli_usage(enum hub_lang lang)
{
	fputs(lang == HUB_LANG_EN ? USAGE_EN : USAGE_UK, stdout);
	fputs(lang == HUB_LANG_EN ? USAGE_EN_2 : USAGE_UK_2, stdout);
}

/* ---- helpers ---- */

/* a message of words.h in the CLI's language, and a newline, on stdout */
static void say(const struct hub_cli *cli, enum hub_msg_id id, ...)
{
	va_list ap;

	va_start(ap, id);
	vprintf(hub_msg(cli->lang, id), ap);
	va_end(ap);
	putchar('\n');
}

static int fail(const struct hub_cli *cli, const struct mo_err *err)
{
	char text[MO_ERR_MSG_MAX + 512];

	fprintf(stderr, "mo-hub: %s: %s\n", hub_msg(cli->lang, HUB_MSG_ERROR),
		hub_err_text(cli->lang, err, text, sizeof(text)));
	return err->rc == MO_EINVAL ? HUB_EXIT_USAGE : HUB_EXIT_ERROR;
}

static int need(const struct hub_cli *cli, const char *name, const char **out, struct mo_err *err)
{
	*out = hub_cli_opt(cli, name);
	if (*out == NULL || **out == '\0')
		return mo_err_set(err, MO_EINVAL, NULL, hub_msg(cli->lang, HUB_MSG_REQUIRED), name);
	return MO_OK;
}

static int print_json(const cJSON *v)
{
	char *text = cJSON_Print(v);

	if (text == NULL)
		return MO_ENOMEM;
	puts(text);
	free(text);
	return MO_OK;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const char *s = proto_json_str(o, key);

	return s ? s : "-";
}

static int read_password(char *out, size_t outlen, const char *path, struct mo_err *err)
{
	return mo_file_first_line(out, outlen, path, err);
}

/* "24h", "30m", "7d", "90s" or plain seconds */
static bool parse_ttl(const char *s, uint64_t *ms)
{
	char num[24];
	size_t n = strlen(s);
	long long v, mult = 1000;

	if (n == 0 || n >= sizeof(num))
		return false;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 's':
		mult = 1000;
		num[n - 1] = '\0';
		break;
	case 'm':
		mult = 60000;
		num[n - 1] = '\0';
		break;
	case 'h':
		mult = 3600000;
		num[n - 1] = '\0';
		break;
	case 'd':
		mult = 86400000;
		num[n - 1] = '\0';
		break;
	default: break;
	}
	if (!mo_parse_i64(&v, num, 1, 366LL * 86400 * 1000) || v * mult > 366LL * 86400000)
		return false;
	*ms = (uint64_t)(v * mult);
	return true;
}

/* ---- commands ---- */

static int cmd_init(const struct hub_cli *cli, struct mo_err *err)
{
	struct hub_init_opts o = {cli->data, hub_cli_opt(cli, "db"), NULL};
	const char *pwfile = hub_cli_opt(cli, "admin-password-file");
	char pw[PASSWORD_MAX];
	int rc;

	if (pwfile) {
		if ((rc = read_password(pw, sizeof(pw), pwfile, err)) != MO_OK)
			return rc;
		o.admin_password = pw;
	}
	rc = hub_create(&o, err);
	OPENSSL_cleanse(pw, sizeof(pw));
	if (rc == MO_OK)
		say(cli, HUB_MSG_CREATED, cli->data);
	return rc;
}

static int serve_num(const struct hub_cli *cli, const char *name, long long min, long long max,
		     long long *v, struct mo_err *err);

/* --blob-quota MIB, --blob-expiry SECONDS (or $MO_HUB_BLOB_EXPIRY: tests) */
static int blob_options(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	long long mib = HUB_BLOB_QUOTA_BYTES >> 20, exp = (long long)(HUB_BLOB_EXPIRY_MS / 1000);
	const char *env = getenv("MO_HUB_BLOB_EXPIRY");
	int rc;

	if (env && !mo_parse_i64(&exp, env, 1, 3650LL * 86400))
		return mo_err_set(err, MO_EINVAL, NULL, hub_msg(cli->lang, HUB_MSG_ENV_SECONDS),
				  "MO_HUB_BLOB_EXPIRY");
	if ((rc = serve_num(cli, "blob-quota", 1, 1 << 20, &mib, err)) != MO_OK ||
	    (rc = serve_num(cli, "blob-expiry", 1, 3650LL * 86400, &exp, err)) != MO_OK)
		return rc;
	h->blob_quota_bytes = mib << 20;
	h->blob_expiry_ms = (uint64_t)exp * 1000;
	return MO_OK;
}

/* --session-idle SECONDS (or $MO_HUB_SESSION_IDLE), --session-max SECONDS
 * (or $MO_HUB_SESSION_MAX), --cookie-secure yes|no */
static int serve_options(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	const char *idle = hub_cli_opt(cli, "session-idle");
	const char *max = hub_cli_opt(cli, "session-max");
	const char *secure = hub_cli_opt(cli, "cookie-secure");
	long long v;

	if (idle == NULL) /* tests set it for a `serve` their fixture starts */
		idle = getenv("MO_HUB_SESSION_IDLE");
	if (idle) {
		if (!mo_parse_i64(&v, idle, 1, 7LL * 86400))
			return mo_err_set(err, MO_EINVAL, NULL, hub_msg(cli->lang, HUB_MSG_BAD_SECONDS),
					  "session-idle", idle);
		h->session_idle_ms = (uint64_t)v * 1000;
	}
	if (max == NULL)
		max = getenv("MO_HUB_SESSION_MAX");
	if (max) {
		if (!mo_parse_i64(&v, max, 1, 7LL * 86400))
			return mo_err_set(err, MO_EINVAL, NULL, hub_msg(cli->lang, HUB_MSG_BAD_SECONDS),
					  "session-max", max);
		h->session_max_ms = (uint64_t)v * 1000;
	}
	if (secure) {
		if (strcmp(secure, "yes") != 0 && strcmp(secure, "no") != 0)
			return mo_err_set(err, MO_EINVAL, NULL, hub_msg(cli->lang, HUB_MSG_YES_OR_NO),
					  "cookie-secure");
		h->cookie_secure = secure[0] == 'y';
	}
	return blob_options(h, cli, err);
}

/* one numeric option of serve within [min, max] */
static int serve_num(const struct hub_cli *cli, const char *name, long long min, long long max,
		     long long *v, struct mo_err *err)
{
	const char *s = hub_cli_opt(cli, name);

	if (s && !mo_parse_i64(v, s, min, max))
		return mo_err_set(err, MO_EINVAL, NULL, hub_msg(cli->lang, HUB_MSG_BAD_RANGE), name,
				  min, max, s);
	return MO_OK;
}

/* the network edge of serve (http.h); --trusted-proxy may repeat */
static int edge_options(struct hub_http_opts *o, const struct hub_cli *cli, struct mo_err *err)
{
	long long mib = (long long)(o->body_memory >> 20), hdr = o->header_timeout_s,
		  req = o->request_timeout_s, per = o->max_conn_per_addr;
	int rc;

	if ((rc = serve_num(cli, "body-memory", 10, 65536, &mib, err)) != MO_OK ||
	    (rc = serve_num(cli, "header-timeout", 1, 3600, &hdr, err)) != MO_OK ||
	    (rc = serve_num(cli, "request-timeout", 1, 86400, &req, err)) != MO_OK ||
	    (rc = serve_num(cli, "max-conn-per-addr", 0, 100000, &per, err)) != MO_OK)
		return rc;
	o->body_memory = (size_t)mib << 20;
	o->header_timeout_s = (unsigned)hdr;
	o->request_timeout_s = (unsigned)req;
	o->max_conn_per_addr = (unsigned)per;
	for (size_t i = 0; i < cli->nopts; i++) {
		if (strcmp(cli->opts[i].name, "trusted-proxy") != 0 &&
		    strncmp(cli->opts[i].name, "trusted-proxy=", 14) != 0)
			continue;
		if (o->ntrusted == HUB_TRUSTED_PROXY_MAX)
			return mo_err_set(err, MO_EINVAL, NULL, hub_msg(cli->lang, HUB_MSG_AT_MOST),
					  HUB_TRUSTED_PROXY_MAX, "trusted-proxy");
		o->trusted_proxy[o->ntrusted++] = cli->opts[i].value;
	}
	o->tls_cert = hub_cli_opt(cli, "tls-cert");
	o->tls_key = hub_cli_opt(cli, "tls-key");
	o->metrics_listen = hub_cli_opt(cli, "metrics-listen");
	o->metrics_token = hub_cli_opt(cli, "metrics-token");
	return MO_OK;
}

static int cmd_serve(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	struct hub_http *srv = NULL;
	struct hub_notifier *notifier = NULL;
	struct hub_http_opts ho = HUB_HTTP_OPTS_INIT;
	const char *listen;
	sigset_t set;
	unsigned port = 0, mport = 0;
	char host[256];
	const char *colon;
	int rc, sig = 0;

	if ((rc = need(cli, "listen", &listen, err)) != MO_OK)
		return rc;
	if ((rc = serve_options(h, cli, err)) != MO_OK)
		return rc;
	ho.listen = listen;
	if ((rc = edge_options(&ho, cli, err)) != MO_OK)
		return rc;
	if (ho.tls_cert)
		h->cookie_secure = true;
	/* the server threads inherit this mask; only sigwait below sees them */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = hub_http_start(&srv, h, &ho, &port, &mport, err)) != MO_OK)
		return rc;
	if (cli->notify && (rc = hub_notifier_start(&notifier, h->store, 1000, err)) != MO_OK) {
		hub_http_stop(srv);
		return rc;
	}
	colon = strrchr(listen, ':');
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	printf("listening on %s://%s:%u\n", ho.tls_cert ? "https" : "http", host, port);
	if (mport)
		printf("metrics on %s port %u\n", ho.metrics_listen, mport);
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	hub_notifier_stop(notifier);
	hub_http_stop(srv);
	fprintf(stderr, "mo-hub: "), fprintf(stderr, hub_msg(cli->lang, HUB_MSG_STOPPED), sig);
	fputc('\n', stderr);
	return MO_OK;
}

static int cmd_unit_add(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	const char *code, *name, *kind;
	int rc;

	if ((rc = need(cli, "code", &code, err)) != MO_OK ||
	    (rc = need(cli, "name", &name, err)) != MO_OK ||
	    (rc = need(cli, "kind", &kind, err)) != MO_OK)
		return rc;
	if ((rc = hub_unit_add(h, code, name, kind, hub_cli_opt(cli, "phone"), err)) != MO_OK)
		return rc;
	if (cli->json)
		printf("{\"code\": \"%s\", \"kind\": \"%s\"}\n", code, kind);
	else
		say(cli, HUB_MSG_UNIT_ADDED, code);
	return MO_OK;
}

static int cmd_unit_list(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	cJSON *arr = NULL;
	const cJSON *it;
	int rc;

	if ((rc = hub_store_unit_list(h->store, &arr, err)) != MO_OK)
		return rc;
	if (cli->json) {
		rc = print_json(arr);
	} else {
		cJSON_ArrayForEach(it, arr)
		{
			printf("%s\t%s\t%s\t", jstr(it, "code"),
			       hub_word_or(cli->lang, HUB_W_UNIT_KIND, jstr(it, "kind")), jstr(it, "name"));
			printf(hub_msg(cli->lang, HUB_MSG_DEVICES),
			       cJSON_GetObjectItem(it, "devices")->valueint);
			putchar('\n');
		}
	}
	cJSON_Delete(arr);
	return rc;
}

static int cmd_enroll_token(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	const char *unit, *ttl = hub_cli_opt(cli, "ttl");
	uint64_t ms = 24ull * 3600 * 1000;
	char token[128];
	int rc;

	if ((rc = need(cli, "unit", &unit, err)) != MO_OK)
		return rc;
	if (ttl && !parse_ttl(ttl, &ms))
		return mo_err_set(err, MO_EINVAL, NULL, hub_msg(cli->lang, HUB_MSG_BAD_TTL), ttl);
	if ((rc = hub_enroll_token(h, unit, ms, token, sizeof(token), err)) != MO_OK)
		return rc;
	printf("%s\n", token);
	OPENSSL_cleanse(token, sizeof(token));
	return MO_OK;
}

static int cmd_device_list(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	cJSON *arr = NULL;
	const cJSON *it;
	int rc;

	if ((rc = hub_store_device_list(h->store, &arr, err)) != MO_OK)
		return rc;
	if (cli->json) {
		rc = print_json(arr);
	} else {
		cJSON_ArrayForEach(it, arr)
		{
			const char *flag = proto_json_str(it, "flag");

			printf("%s\t%s\t%s\t%s%s%s\n", jstr(it, "code"), jstr(it, "id"),
			       jstr(it, "unit"), jstr(it, "status"), flag ? "\t" : "",
			       flag ? hub_msg(cli->lang, HUB_MSG_FLAGGED) : "");
			if (flag)
				printf(": %s", flag);
			putchar('\n');
		}
	}
	cJSON_Delete(arr);
	return rc;
}

static int cmd_device_revoke(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	struct hub_device d;
	int rc;

	if (cli->nwords < 3)
		return mo_err_set(err, MO_EINVAL, NULL, "%s", hub_msg(cli->lang, HUB_MSG_WHICH_DEVICE));
	if ((rc = hub_store_device_get(h->store, cli->words[2], &d, err)) != MO_OK)
		return rc;
	if (!d.active)
		return mo_err_set(err, MO_ECONFLICT, NULL, hub_msg(cli->lang, HUB_MSG_ALREADY_REVOKED),
				  d.code);
	if ((rc = hub_store_device_revoke(h->store, d.id, err)) != MO_OK)
		return rc;
	if (cli->json)
		printf("{\"id\": \"%s\", \"code\": \"%s\", \"status\": \"revoked\"}\n", d.id,
		       d.code);
	else
		say(cli, HUB_MSG_REVOKED, d.code);
	return MO_OK;
}

static int cmd_case_list(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	const char *status = hub_cli_opt(cli, "status"), *unit = hub_cli_opt(cli, "unit");
	cJSON *arr = NULL;
	const cJSON *it;
	int rc;

	if (status && proto_status_parse(status) == PROTO_ST_INVALID)
		return mo_err_set(err, MO_EINVAL, NULL, hub_msg(cli->lang, HUB_MSG_NOT_A_STATUS),
				  status);
	if ((rc = hub_store_case_list(h->store, status, unit, &arr, err)) != MO_OK)
		return rc;
	if (cli->json) {
		rc = print_json(arr);
	} else {
		cJSON_ArrayForEach(it, arr)
		{
			printf("%s\t%s\t%s\t%s %s\t%s\n", jstr(it, "number"),
			       hub_word_or(cli->lang, HUB_W_STATUS, jstr(it, "status")),
			       jstr(it, "unit"), jstr(it, "surname"), jstr(it, "given_name"),
			       jstr(it, "id"));
		}
	}
	cJSON_Delete(arr);
	return rc;
}

static int case_ref(const struct hub_cli *cli, const char **out, struct mo_err *err)
{
	if (cli->nwords < 3)
		return mo_err_set(err, MO_EINVAL, NULL, "%s", hub_msg(cli->lang, HUB_MSG_WHICH_CASE));
	*out = cli->words[2];
	return MO_OK;
}

static int cmd_case_show(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	const enum hub_lang L = cli->lang;
	struct mo_buf doc = MO_BUF_INIT(64u << 20);
	struct hub_case c;
	struct hub_case_service *sv = NULL;
	size_t n = 0;
	cJSON *o = NULL, *arr;
	const cJSON *it;
	const char *ref = NULL;
	int rc;

	if ((rc = case_ref(cli, &ref, err)) != MO_OK)
		return rc;
	if ((rc = hub_store_case_get(h->store, ref, true, &c, &doc, err)) != MO_OK ||
	    (rc = hub_store_case_services(h->store, c.id, &sv, &n, err)) != MO_OK)
		goto done;
	if ((o = cJSON_CreateObject()) == NULL || (arr = cJSON_CreateArray()) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	cJSON_AddStringToObject(o, "id", c.id);
	cJSON_AddStringToObject(o, "number", c.number);
	cJSON_AddStringToObject(o, "status", c.status);
	cJSON_AddStringToObject(o, "unit", c.unit);
	cJSON_AddItemToObject(o, "services", arr);
	for (size_t i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateObject();

		cJSON_AddStringToObject(s, "code", sv[i].code);
		cJSON_AddStringToObject(s, "status", proto_status_name(sv[i].status));
		cJSON_AddItemToArray(arr, s);
	}
	cJSON_AddItemToObject(o, "fields", cJSON_ParseWithLength((const char *)doc.data, doc.len));
	/* the receipt's check is for the public lookup only (proto/lookup.h) */
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "fields"),
						"status_check");
	if ((rc = hub_store_case_detail(h->store, c.id, o, err)) != MO_OK)
		goto done;
	{
		static const char *const keys[] = {"device", "created_at", "operator"};
		cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "fields");
		cJSON *k = cJSON_CreateObject();
		bool ok = k != NULL;

		/* the laptop's creation time, its administrator and code (history.c) */
		for (size_t i = 0; ok && i < sizeof(keys) / sizeof(keys[0]); i++) {
			const cJSON *v = cJSON_GetObjectItem(f, keys[i]);
			cJSON *d = v ? cJSON_Duplicate(v, true) : cJSON_CreateNull();

			if (!(ok = d && cJSON_AddItemToObject(k, keys[i], d)))
				cJSON_Delete(d);
		}
		if (!ok || hub_history_present(cJSON_GetObjectItemCaseSensitive(o, "history"), k,
					       cJSON_GetObjectItemCaseSensitive(o, "appends")) !=
			       MO_OK) {
			cJSON_Delete(k);
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			goto done;
		}
		cJSON_Delete(k);
	}
	if (cli->json) {
		rc = print_json(o);
		goto done;
	}
	say(cli, HUB_MSG_CASE, c.number, c.id);
	printf("%s: %s\n%s: %s\n", hub_msg(L, HUB_MSG_STATUS), hub_word_or(L, HUB_W_STATUS, c.status),
	       hub_msg(L, HUB_MSG_UNIT), c.unit);
	for (size_t i = 0; i < n; i++)
		printf("%s %s: %s\n", hub_msg(L, HUB_MSG_SERVICE), sv[i].code,
		       hub_word_or(L, HUB_W_STATUS, proto_status_name(sv[i].status)));
	hub_history_print(stdout, L, cJSON_GetObjectItem(o, "history"));
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "quarantined"))
	{
		say(cli, HUB_MSG_QUARANTINED, cJSON_GetObjectItem(it, "n")->valueint,
		    jstr(it, "device"), jstr(it, "code"), jstr(it, "message"));
	}
done:
	free(sv);
	cJSON_Delete(o);
	mo_buf_release(&doc);
	return rc;
}

static int cmd_case_decide(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	struct hub_decision d;
	struct hub_case c;
	int rc;

	memset(&d, 0, sizeof(d));
	if ((rc = case_ref(cli, &d.case_ref, err)) != MO_OK ||
	    (rc = need(cli, "decision", &d.decision, err)) != MO_OK)
		return rc;
	d.reason = hub_cli_opt(cli, "reason");
	d.by = hub_cli_opt(cli, "by");
	d.service = hub_cli_opt(cli, "service");
	if ((rc = hub_review_decide(h, &d, &c, err)) != MO_OK)
		return rc;
	if (cli->json)
		printf("{\"id\": \"%s\", \"number\": \"%s\", \"status\": \"%s\"}\n", c.id, c.number,
		       c.status);
	else
		say(cli, HUB_MSG_CASE_NOW, c.number,
		       hub_word_or(cli->lang, HUB_W_STATUS, c.status));
	return MO_OK;
}

static int cmd_case_comment(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	const char *ref = NULL, *text = NULL;
	char id[MO_UUID_LEN];
	int rc;

	if ((rc = case_ref(cli, &ref, err)) != MO_OK ||
	    (rc = need(cli, "text", &text, err)) != MO_OK)
		return rc;
	if ((rc = hub_review_comment(h, ref, text, hub_cli_opt(cli, "by"), id, err)) != MO_OK)
		return rc;
	if (cli->json)
		printf("{\"id\": \"%s\"}\n", id);
	else
		printf("%s\n", id);
	return MO_OK;
}

static int cmd_quarantine_list(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	cJSON *arr = NULL;
	const cJSON *it;
	int rc;

	if ((rc = hub_store_quarantine_list(h->store, &arr, err)) != MO_OK)
		return rc;
	if (cli->json) {
		rc = print_json(arr);
	} else {
		cJSON_ArrayForEach(it, arr)
		{
			printf("%s\t", jstr(it, "device"));
			printf(hub_msg(cli->lang, HUB_MSG_BATCH), cJSON_GetObjectItem(it, "batch")->valueint,
			       cJSON_GetObjectItem(it, "n")->valueint);
			printf("\t%s %s %s\t%s: %s\n", jstr(it, "entity"),
			       jstr(it, "op"), jstr(it, "entity_id"), jstr(it, "code"),
			       jstr(it, "message"));
		}
	}
	cJSON_Delete(arr);
	return rc;
}

static int cmd_user_add(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	const char *login, *role, *file;
	char pw[PASSWORD_MAX];
	int rc;

	if ((rc = need(cli, "login", &login, err)) != MO_OK ||
	    (rc = need(cli, "role", &role, err)) != MO_OK ||
	    (rc = need(cli, "password-file", &file, err)) != MO_OK)
		return rc;
	if ((rc = read_password(pw, sizeof(pw), file, err)) != MO_OK)
		return rc;
	rc = hub_user_add(h, login, role, pw, err);
	OPENSSL_cleanse(pw, sizeof(pw));
	if (rc == MO_OK) {
		if (cli->json)
			printf("{\"login\": \"%s\", \"role\": \"%s\"}\n", login, role);
		else
			say(cli, HUB_MSG_USER_ADDED, login);
	}
	return rc;
}

/* user disable|enable|passwd|role: the same hub_user_change as the admin
 * API, audited as actor "cli" */
static int cmd_user_change(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	const char *login, *what = cli->words[1], *value = NULL, *file;
	char pw[PASSWORD_MAX] = "";
	enum hub_user_op op;
	int rc;

	if ((rc = need(cli, "login", &login, err)) != MO_OK)
		return rc;
	if (strcmp(what, "disable") == 0) {
		op = HUB_USER_DISABLE;
	} else if (strcmp(what, "enable") == 0) {
		op = HUB_USER_ENABLE;
	} else if (strcmp(what, "role") == 0) {
		op = HUB_USER_ROLE;
		if ((rc = need(cli, "role", &value, err)) != MO_OK)
			return rc;
	} else {
		op = HUB_USER_PASSWORD;
		if ((rc = need(cli, "password-file", &file, err)) != MO_OK ||
		    (rc = read_password(pw, sizeof(pw), file, err)) != MO_OK)
			return rc;
		value = pw;
	}
	rc = hub_user_change(h, "cli", login, op, value, err);
	OPENSSL_cleanse(pw, sizeof(pw));
	if (rc == MO_OK) {
		if (cli->json)
			printf("{\"login\": \"%s\", \"done\": \"%s\"}\n", login, what);
		else
			say(cli,
			    op == HUB_USER_DISABLE  ? HUB_MSG_USER_DISABLED
			    : op == HUB_USER_ENABLE ? HUB_MSG_USER_ENABLED
			    : op == HUB_USER_ROLE   ? HUB_MSG_USER_ROLE
						    : HUB_MSG_USER_PASSWORD,
			    login);
	}
	return rc;
}

/* ---- operations ---- */

static int cmd_backup(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	const char *to;
	long long bytes = 0;
	int rc;

	if ((rc = need(cli, "to", &to, err)) != MO_OK ||
	    (rc = hub_store_backup(h->store, to, &bytes, err)) != MO_OK)
		return rc;
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "to", to);
		cJSON_AddNumberToObject(o, "bytes", (double)bytes);
		rc = print_json(o);
		cJSON_Delete(o);
		return rc;
	}
	say(cli, HUB_MSG_BACKUP_DONE, to, bytes);
	return MO_OK;
}

/* opening the hub applies the migrations; this says what it did */
static int cmd_migrate(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	long long found, now;

	(void)err;
	hub_store_schema(h->store, &found, &now);
	if (cli->json) {
		printf("{\"from\": %lld, \"to\": %lld}\n", found, now);
		return MO_OK;
	}
	if (found == now)
		say(cli, HUB_MSG_MIGRATE_NONE, now);
	else
		say(cli, HUB_MSG_MIGRATED, found, now);
	return MO_OK;
}

/* ---- dispatch ---- */

typedef int (*cmd_fn)(struct hub *h, const struct hub_cli *cli, struct mo_err *err);

static const struct {
	const char *w1, *w2; /* w2 NULL: a one-word command */
	cmd_fn fn;
} commands[] = {
    {"serve", NULL, cmd_serve},
    {"unit", "add", cmd_unit_add},
    {"unit", "list", cmd_unit_list},
    {"enroll-token", NULL, cmd_enroll_token},
    {"device", "list", cmd_device_list},
    {"device", "revoke", cmd_device_revoke},
    {"case", "list", cmd_case_list},
    {"case", "show", cmd_case_show},
    {"case", "decide", cmd_case_decide},
    {"case", "comment", cmd_case_comment},
    {"quarantine", "list", cmd_quarantine_list},
    {"user", "add", cmd_user_add},
    {"user", "disable", cmd_user_change},
    {"user", "enable", cmd_user_change},
    {"user", "passwd", cmd_user_change},
    {"user", "role", cmd_user_change},
    {"visit", "add", hub_cmd_visit_add},
    {"visit", "list", hub_cmd_visit_list},
    {"catalogue", "list", hub_cmd_catalogue_list},
    {"catalogue", "set", hub_cmd_catalogue_set},
    {"backup", NULL, cmd_backup},
    {"migrate", NULL, cmd_migrate},
    {"payments", "import", hub_cli_payments_import},
    {"notify", NULL, hub_cli_notify},
    {"notify-config", NULL, hub_cli_notify_config},
};

int hub_cli_run(const struct hub_cli *cli)
{
	struct mo_err err = MO_ERR_INIT;
	struct hub h;
	cmd_fn fn = NULL;
	int rc;

	if (strcmp(cli->words[0], "init") == 0) {
		rc = cmd_init(cli, &err);
		return rc == MO_OK ? HUB_EXIT_OK : fail(cli, &err);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]) && fn == NULL; i++) {
		if (strcmp(cli->words[0], commands[i].w1) != 0)
			continue;
		if (commands[i].w2 == NULL ||
		    (cli->nwords > 1 && strcmp(cli->words[1], commands[i].w2) == 0))
			fn = commands[i].fn;
	}
	if (fn == NULL) {
		char what[256];

		snprintf(what, sizeof(what), "%s%s%s", cli->words[0], cli->nwords > 1 ? " " : "",
			 cli->nwords > 1 ? cli->words[1] : "");
		fprintf(stderr, "mo-hub: ");
		fprintf(stderr, hub_msg(cli->lang, HUB_MSG_UNKNOWN_COMMAND), what);
		fprintf(stderr, " (%s)\n", hub_msg(cli->lang, HUB_MSG_TRY_HELP));
		return HUB_EXIT_USAGE;
	}
	if ((rc = hub_open(&h, cli->data, &err)) != MO_OK)
		return fail(cli, &err);
	rc = fn(&h, cli, &err);
	hub_close(&h);
	return rc == MO_OK ? HUB_EXIT_OK : fail(cli, &err);
}
