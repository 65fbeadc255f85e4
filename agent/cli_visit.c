/*
 * cli_visit.c — `mo-agent visit ...`: the home-visit requests of this unit
 * (visit.h).  list, show, schedule --date, done, cancel --reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "cli_int.h"
#include "i18n.h"
#include "mo_util.h"
#include "validate.h"
#include "visit.h"

static const char VISIT_USAGE[] =
    "visit list | show ID | schedule ID --date DD.MM.YYYY | done ID | cancel ID --reason T";

static const char *jstr(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return v ? v : "";
}

/* the address as one line: its text, else its parts */
static void address_line(const cJSON *addr, char *out, size_t len)
{
	static const char *const PARTS[] = {"region", "hromada", "settlement",
					    "street", "house",	 "apartment"};
	size_t used = 0;

	out[0] = '\0';
	if (*jstr(addr, "text")) {
		mo_strlcpy(out, jstr(addr, "text"), len);
		return;
	}
	for (size_t i = 0; i < sizeof(PARTS) / sizeof(PARTS[0]) && used < len; i++) {
		const char *p = jstr(addr, PARTS[i]);
		int n;

		if (!*p)
			continue;
		n = snprintf(out + used, len - used, "%s%s", used ? ", " : "", p);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* "заплановано на 05.12.2026" / "бажано 07.12.2026" */
static void when_line(const struct agent_ctx *ctx, const cJSON *v, char *out, size_t len)
{
	char d[11];
	bool en = ctx->lang == AGENT_LANG_EN;

	out[0] = '\0';
	if (*jstr(v, "scheduled_for") && strcmp(jstr(v, "state"), "scheduled") == 0) {
		proto_date_display(jstr(v, "scheduled_for"), d);
		snprintf(out, len, en ? "on %s" : "на %s", d);
	} else if (*jstr(v, "preferred_date")) {
		proto_date_display(jstr(v, "preferred_date"), d);
		snprintf(out, len, en ? "preferred %s" : "бажано %s", d);
	}
}

static void print_brief(const struct agent_ctx *ctx, const cJSON *v)
{
	const cJSON *who = cJSON_GetObjectItemCaseSensitive(v, "citizen"), *it;
	char addr[400], when[64];

	address_line(cJSON_GetObjectItemCaseSensitive(who, "address"), addr, sizeof(addr));
	when_line(ctx, v, when, sizeof(when));
	printf("%s  [%s] %s%s\n", jstr(v, "number"),
	       agent_visit_state_word(ctx->lang, jstr(v, "state")), when,
	       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "pending"))
		   ? (ctx->lang == AGENT_LANG_EN ? " (not yet sent)" : " (ще не надіслано)")
		   : "");
	printf("  %s %s %s · %s · %s\n", jstr(who, "surname"), jstr(who, "given_name"),
	       jstr(who, "patronymic"), jstr(who, "phone"), addr);
	fputs("  ", stdout);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(v, "services"))
	{
		printf("%s%s",
		       it == cJSON_GetObjectItemCaseSensitive(v, "services")->child ? "" : ", ",
		       cJSON_IsString(it) ? it->valuestring : "");
	}
	fputc('\n', stdout);
}

static int visit_list(struct agent_ctx *ctx, struct agent_store *s)
{
	struct mo_err err = MO_ERR_INIT;
	cJSON *arr = NULL;
	const cJSON *it;
	int rc;

	if ((rc = agent_visit_list(s, &arr, &err)) != MO_OK)
		return agent_fail(ctx, rc, &err);
	if (ctx->json)
		agent_print_json(arr);
	else if (cJSON_GetArraySize(arr) == 0)
		agent_say(ctx, stdout, MSG_VISIT_NONE);
	else
		cJSON_ArrayForEach(it, arr) print_brief(ctx, it);
	cJSON_Delete(arr);
	return AGENT_EXIT_OK;
}

static int visit_show(struct agent_ctx *ctx, struct agent_store *s, const char *key)
{
	struct mo_err err = MO_ERR_INIT;
	cJSON *v = NULL;
	const cJSON *it;
	bool en = ctx->lang == AGENT_LANG_EN;
	int rc;

	if ((rc = agent_visit_show(s, key, &v, &err)) != MO_OK)
		return agent_fail(ctx, rc, &err);
	if (ctx->json) {
		agent_print_json(v);
		cJSON_Delete(v);
		return AGENT_EXIT_OK;
	}
	print_brief(ctx, v);
	printf("  id: %s\n", jstr(v, "id"));
	if (*jstr(v, "reason"))
		printf("  %s: %s\n", en ? "reason" : "причина звернення", jstr(v, "reason"));
	if (*jstr(v, "note"))
		printf("  %s: %s\n", en ? "note" : "примітка", jstr(v, "note"));
	if (*jstr(v, "state_reason"))
		printf("  %s: %s\n", en ? "cancelled because" : "причина скасування",
		       jstr(v, "state_reason"));
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(v, "service_titles"))
	{
		printf(" - %s %s\n", jstr(it, "code"),
		       en && *jstr(it, "title_en") ? jstr(it, "title_en") : jstr(it, "title"));
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(v, "cases"))
	{
		printf("  %s %s [%s]\n", en ? "application" : "заява", jstr(it, "number"),
		       agent_status_word(ctx->lang, jstr(it, "status")));
	}
	cJSON_Delete(v);
	return AGENT_EXIT_OK;
}

int agent_cmd_visit(struct agent_ctx *ctx, int argc, char **argv)
{
	struct agent_store *s;
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	const char *sub = argc > 0 ? argv[0] : "", *key = NULL, *date = NULL, *reason = NULL;
	char shown[11];
	int rc;

	for (int i = 1; i < argc; i++) {
		if ((rc = agent_opt(argc, argv, &i, "--date", &date)) ||
		    (rc = agent_opt(argc, argv, &i, "--reason", &reason))) {
			if (rc < 0)
				return agent_usage(ctx, argv[i]);
			continue;
		}
		if (key || argv[i][0] == '-')
			return agent_usage(ctx, argv[i]);
		key = argv[i];
	}
	if (strcmp(sub, "list") == 0 && key == NULL && !date && !reason) {
		if ((rc = agent_open(ctx, &s, &me, true)) != AGENT_EXIT_OK)
			return rc;
		return visit_list(ctx, s);
	}
	if (key == NULL ||
	    !(strcmp(sub, "show") == 0 || strcmp(sub, "schedule") == 0 ||
	      strcmp(sub, "done") == 0 || strcmp(sub, "cancel") == 0) ||
	    (date && strcmp(sub, "schedule") != 0) || (reason && strcmp(sub, "cancel") != 0) ||
	    (strcmp(sub, "schedule") == 0 && date == NULL) ||
	    (strcmp(sub, "cancel") == 0 && reason == NULL))
		return agent_usage(ctx, VISIT_USAGE);
	if ((rc = agent_open(ctx, &s, &me, true)) != AGENT_EXIT_OK)
		return rc;
	if (strcmp(sub, "show") == 0)
		return visit_show(ctx, s, key);
	if (me.operator_name[0] == '\0') {
		agent_say(ctx, stderr, MSG_NO_OPERATOR);
		return AGENT_EXIT_USAGE;
	}
	if ((rc = agent_store_begin(s, &err)) == MO_OK) {
		if (strcmp(sub, "schedule") == 0)
			rc = agent_visit_schedule(s, &me, key, date, &err);
		else if (strcmp(sub, "done") == 0)
			rc = agent_visit_done(s, &me, key, &err);
		else
			rc = agent_visit_cancel(s, &me, key, reason, &err);
		rc = agent_commit_or_rollback(s, rc, &err);
	}
	if (rc != MO_OK)
		return agent_fail(ctx, rc, &err);
	if (ctx->json)
		return visit_show(ctx, s, key);
	{
		cJSON *v = NULL;
		const char *number = key;

		if (agent_visit_show(s, key, &v, &err) == MO_OK)
			number = jstr(v, "number");
		if (strcmp(sub, "schedule") == 0) {
			proto_date_display(jstr(v, "scheduled_for"), shown);
			agent_say(ctx, stdout, MSG_VISIT_SCHEDULED, number, shown);
		} else if (strcmp(sub, "done") == 0) {
			agent_say(ctx, stdout, MSG_VISIT_DONE, number);
		} else {
			agent_say(ctx, stdout, MSG_VISIT_CANCELLED, number, reason);
		}
		cJSON_Delete(v);
	}
	return AGENT_EXIT_OK;
}
