/*
 * visits_cli.c — `mo-hub visit add` and `mo-hub visit list` (visits.h):
 * the same functions as the staff API, messages in Ukrainian unless
 * --lang en.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "status.h"
#include "validate.h"
#include "visits.h"
#include "words.h"

static int need(const struct hub_cli *cli, const char *name, const char **out, struct mo_err *err)
{
	*out = hub_cli_opt(cli, name);
	if (*out == NULL || **out == '\0')
		return mo_err_set(err, MO_EINVAL, NULL, hub_msg(cli->lang, HUB_MSG_REQUIRED), name);
	return MO_OK;
}

static void add_opt(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
}

/* "C1,C2" → ["C1", "C2"] (empty pieces skipped) */
static cJSON *code_list(const char *s)
{
	cJSON *arr = cJSON_CreateArray();
	const char *p = s;

	while (arr && p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char code[64];

		while (n > 0 && *p == ' ')
			p++, n--;
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n >= sizeof(code)) {
			n = sizeof(code) - 1; /* too long: proto refuses it */
		}
		if (n > 0) {
			memcpy(code, p, n);
			code[n] = '\0';
			cJSON_AddItemToArray(arr, cJSON_CreateString(code));
		}
		p = end ? end + 1 : NULL;
	}
	return arr;
}

int hub_cmd_visit_add(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	const char *unit, *surname, *given, *phone, *address;
	const char *pref = hub_cli_opt(cli, "preferred"), *services = hub_cli_opt(cli, "services");
	cJSON *in, *c, *out = NULL;
	int rc;

	if ((rc = need(cli, "unit", &unit, err)) != MO_OK ||
	    (rc = need(cli, "surname", &surname, err)) != MO_OK ||
	    (rc = need(cli, "given-name", &given, err)) != MO_OK ||
	    (rc = need(cli, "phone", &phone, err)) != MO_OK ||
	    (rc = need(cli, "address", &address, err)) != MO_OK)
		return rc;
	if (pref && !proto_date_valid(pref))
		return mo_err_set(err, MO_EINVAL, NULL, hub_msg(cli->lang, HUB_MSG_BAD_DATE),
				  "preferred", pref);
	if ((in = cJSON_CreateObject()) == NULL ||
	    (c = cJSON_AddObjectToObject(in, "citizen")) == NULL) {
		cJSON_Delete(in);
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	}
	cJSON_AddStringToObject(in, "unit", unit);
	cJSON_AddStringToObject(c, "surname", surname);
	cJSON_AddStringToObject(c, "given_name", given);
	add_opt(c, "patronymic", hub_cli_opt(cli, "patronymic"));
	cJSON_AddStringToObject(c, "phone", phone);
	cJSON_AddStringToObject(c, "address", address);
	add_opt(c, "mobility", hub_cli_opt(cli, "mobility"));
	add_opt(in, "reason", hub_cli_opt(cli, "reason"));
	add_opt(in, "note", hub_cli_opt(cli, "note"));
	add_opt(in, "preferred_date", pref);
	if (services)
		cJSON_AddItemToObject(in, "services", code_list(services));
	rc = hub_visit_create(h, in, hub_cli_opt(cli, "by") ? hub_cli_opt(cli, "by") : "admin",
			      &out, err);
	cJSON_Delete(in);
	if (rc != MO_OK)
		return rc;
	if (cli->json) {
		char *text = cJSON_Print(out);

		if (text)
			puts(text);
		free(text);
	} else {
		/* the number alone on the first line, for scripts and people */
		printf("%s\n", proto_json_str(out, "number"));
		fprintf(stderr, hub_msg(cli->lang, HUB_MSG_VISIT_ADDED),
			proto_json_str(out, "number"), proto_json_str(out, "unit"));
		fputc('\n', stderr);
	}
	cJSON_Delete(out);
	return MO_OK;
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

int hub_cmd_visit_list(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	struct hub_visit_filter f;
	cJSON *arr = NULL;
	const cJSON *it;
	int rc;

	memset(&f, 0, sizeof(f));
	f.unit = hub_cli_opt(cli, "unit");
	f.state = hub_cli_opt(cli, "state");
	if (f.state && proto_visit_state_parse(f.state) == PROTO_VISIT_INVALID)
		return mo_err_set(err, MO_EINVAL, NULL,
				  hub_msg(cli->lang, HUB_MSG_NOT_A_VISIT_STATE), f.state);
	if ((rc = hub_visit_list(h, &f, &arr, err)) != MO_OK)
		return rc;
	if (cli->json) {
		char *text = cJSON_Print(arr);

		if (text)
			puts(text);
		free(text);
	} else {
		cJSON_ArrayForEach(it, arr)
		{
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "citizen");
			char date[11] = "-";

			if (proto_json_str(it, "preferred_date"))
				proto_date_display(proto_json_str(it, "preferred_date"), date);
			printf(
			    "%s\t%s\t%s\t%s %s\t%s\t%s\n", dash(proto_json_str(it, "number")),
			    hub_word_or(cli->lang, HUB_W_VISIT_STATE, proto_json_str(it, "state")),
			    dash(proto_json_str(it, "unit")), dash(proto_json_str(c, "surname")),
			    dash(proto_json_str(c, "given_name")), date,
			    dash(proto_json_str(it, "id")));
		}
	}
	cJSON_Delete(arr);
	return rc;
}
