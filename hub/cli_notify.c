/*
 * cli_notify.c — `mo-hub notify` and `mo-hub notify-config` (cli.h,
 * messages.h): the delivery pass from the command line and the gateway's
 * settings.  The auth header is read from the command line or, better, a
 * file (--auth-header-file: not in the process list) and never printed back
 * in full; `--auth-header ''` removes it.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "hub.h"
#include "messages.h"
#include "mo_util.h"

static const char *tr(const struct hub_cli *cli, const char *uk, const char *en)
{
	return cli->lang == HUB_LANG_EN ? en : uk;
}

static int set_num(const struct hub_cli *cli, const char *name, long long min, long long max,
		   long long *out, struct mo_err *err)
{
	const char *v = hub_cli_opt(cli, name);

	if (v == NULL)
		return MO_OK;
	if (!mo_parse_i64(out, v, min, max))
		return mo_err_set(err, MO_EINVAL, "bad_value",
				  tr(cli, "--%s: ціле число від %lld до %lld",
				     "--%s: a whole number from %lld to %lld"),
				  name, min, max);
	return MO_OK;
}

static int copy_opt(const struct hub_cli *cli, const char *name, char *out, size_t outlen,
		    struct mo_err *err)
{
	const char *v = hub_cli_opt(cli, name);

	if (v == NULL)
		return MO_OK;
	if (strlen(v) >= outlen)
		return mo_err_set(err, MO_EINVAL, "too_long",
				  tr(cli, "--%s: задовге (найбільше %zu байтів)",
				     "--%s: too long (at most %zu bytes)"),
				  name, outlen - 1);
	mo_strlcpy(out, v, outlen);
	return MO_OK;
}

static void show_config(const struct hub_cli *cli, const struct hub_notify_config *c)
{
	cJSON *j = hub_notify_config_json(c);
	char *t = NULL;

	if (cli->json) {
		if (j && (t = cJSON_Print(j)) != NULL)
			puts(t);
	} else {
		char masked[HUB_NOTIFY_AUTH_MAX];

		hub_notify_mask(masked, sizeof(masked), c->auth);
		printf("%s: %s\n", tr(cli, "шлюз", "gateway"), c->url);
		printf("%s: %s\n", tr(cli, "тіло запиту", "body"), c->body);
		printf("%s: %s\n", tr(cli, "заголовок автентифікації", "auth header"),
		       c->auth[0] ? masked : tr(cli, "немає", "none"));
		printf("%s: %ld s; %s: %lld ms .. %lld ms, %s %ld\n",
		       tr(cli, "тайм-аут", "timeout"), c->timeout_s,
		       tr(cli, "повтори", "retries"), c->retry_base_ms, c->retry_cap_ms,
		       tr(cli, "спроб не більше", "attempts at most"), c->max_attempts);
	}
	free(t);
	cJSON_Delete(j);
}

int hub_cli_notify_config(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	struct hub_notify_config c = HUB_NOTIFY_CONFIG_INIT;
	const char *authfile = hub_cli_opt(cli, "auth-header-file");
	long long timeout = -1, base = -1, cap = -1, max = -1;
	int rc;

	rc = hub_notify_config_load(h->store, &c, err);
	if (rc == MO_ENOTFOUND) {
		mo_err_clear(err);
		if (hub_cli_opt(cli, "url") == NULL)
			return mo_err_set(err, MO_ENOTFOUND, "not_configured", "%s",
					  tr(cli,
					     "шлюз SMS ще не налаштовано: mo-hub notify-config "
					     "--url URL --body ШАБЛОН",
					     "no SMS gateway configured yet: mo-hub notify-config "
					     "--url URL --body TEMPLATE"));
	} else if (rc != MO_OK) {
		return rc;
	}
	if ((rc = copy_opt(cli, "url", c.url, sizeof(c.url), err)) != MO_OK ||
	    (rc = copy_opt(cli, "body", c.body, sizeof(c.body), err)) != MO_OK ||
	    (rc = copy_opt(cli, "auth-header", c.auth, sizeof(c.auth), err)) != MO_OK ||
	    (rc = set_num(cli, "timeout", 1, 300, &timeout, err)) != MO_OK ||
	    (rc = set_num(cli, "retry-base-ms", 10, 86400000LL, &base, err)) != MO_OK ||
	    (rc = set_num(cli, "retry-cap-ms", 10, 7 * 86400000LL, &cap, err)) != MO_OK ||
	    (rc = set_num(cli, "max-attempts", 1, 1000, &max, err)) != MO_OK)
		goto done;
	if (authfile && (rc = mo_file_first_line(c.auth, sizeof(c.auth), authfile, err)) != MO_OK)
		goto done;
	if (timeout > 0)
		c.timeout_s = (long)timeout;
	if (base > 0)
		c.retry_base_ms = base;
	if (cap > 0)
		c.retry_cap_ms = cap;
	if (max > 0)
		c.max_attempts = (long)max;
	if (c.retry_cap_ms < c.retry_base_ms)
		c.retry_cap_ms = c.retry_base_ms;
	{
		bool change = false;
		const char *names[] = {"url",	     "body",	      "auth-header",
				       "auth-header-file", "timeout",
				       "retry-base-ms", "retry-cap-ms",   "max-attempts"};

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			change |= hub_cli_opt(cli, names[i]) != NULL;
		if (change && (rc = hub_notify_config_save(h->store, &c, err)) != MO_OK)
			goto done;
		if (change && !cli->json)
			printf("%s\n", tr(cli, "Налаштування шлюзу SMS збережено.",
					  "The SMS gateway settings are saved."));
	}
	show_config(cli, &c);
done:
	OPENSSL_cleanse(&c, sizeof(c));
	return rc;
}

int hub_cli_notify(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	struct hub_notify_config c;
	struct hub_notify_stats st = {0};
	struct hub_message_counts n;
	int rc;

	if ((rc = hub_notify_config_load(h->store, &c, err)) == MO_ENOTFOUND)
		return mo_err_set(err, rc, "not_configured", "%s",
				  tr(cli, "шлюз SMS не налаштовано (mo-hub notify-config)",
				     "no SMS gateway configured (mo-hub notify-config)"));
	if (rc != MO_OK)
		return rc;
	if (cli->once) {
		rc = hub_notify_pass(h->store, &c, NULL, &st, err);
	} else {
		/* until stopped: a pass every second (serve --notify does the same
		 * inside the server) */
		struct hub_notifier *w = NULL;
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		if ((rc = hub_notifier_start(&w, h->store, 1000, err)) != MO_OK)
			return rc;
		printf("%s\n", tr(cli, "надсилаю повідомлення (Ctrl-C — зупинити)",
				  "sending messages (Ctrl-C stops)"));
		fflush(stdout);
		while (sigwait(&set, &sig) != 0)
			;
		hub_notifier_stop(w);
	}
	OPENSSL_cleanse(&c, sizeof(c));
	if (rc != MO_OK)
		return rc;
	if ((rc = hub_store_message_counts(h->store, mo_now_ms(), &n, err)) != MO_OK)
		return rc;
	if (cli->json)
		printf("{\"sent\": %lld, \"failed\": %lld, \"retried\": %lld, \"lost_lease\": %lld, "
		       "\"queued\": %lld, \"due\": %lld, \"sent_total\": %lld, "
		       "\"failed_total\": %lld}\n",
		       st.sent, st.failed, st.retried, st.lost_lease, n.queued, n.due, n.sent,
		       n.failed);
	else
		printf(tr(cli,
			  "надіслано: %lld, не вдалося: %lld, повторять: %lld; у черзі: %lld\n",
			  "sent: %lld, failed: %lld, to retry: %lld; queued: %lld\n"),
		       st.sent, st.failed, st.retried, n.queued);
	return MO_OK;
}
