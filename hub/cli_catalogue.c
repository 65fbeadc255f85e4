/*
 * cli_catalogue.c — `mo-hub catalogue list [--json]` and `mo-hub catalogue
 * set CODE [--fee N] [--title-uk T] [--title-en T] [--category C]
 * [--documents "A; B"] [--members X,Y] [--active yes|no] [--version N]`:
 * the admin's command-line face of catalogue.h, the same function the API's
 * PUT /api/catalogue/services/CODE calls (actor "cli").  Without --version
 * the edit applies to whatever version is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "cli.h"
#include "json.h"
#include "mo_util.h"
#include "words.h"

static const char *say(const struct hub_cli *cli, const char *uk, const char *en)
{
	return cli->lang == HUB_LANG_EN ? en : uk;
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

int hub_cmd_catalogue_list(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	cJSON *o = NULL;
	const cJSON *it;
	int rc;

	if ((rc = hub_catalogue_get(h, &o, err)) != MO_OK)
		return rc;
	if (cli->json) {
		rc = print_json(o);
		cJSON_Delete(o);
		return rc;
	}
	printf(say(cli, "каталог послуг, версія %lld\n", "service catalogue, version %lld\n"),
	       (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "version")));
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "services"))
	{
		const char *cat = proto_json_str(it, "category");
		const char *title = proto_json_str(it, cli->lang == HUB_LANG_EN ? "title_en" : "title_uk");

		printf("%s\tv%lld\t%s\t%lld %s\t%s\t%s\n", proto_json_str(it, "code"),
		       (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "version")),
		       cat && strcmp(cat, "package") == 0 ? say(cli, "пакет", "package")
							  : hub_word_or(cli->lang, HUB_W_CATEGORY, cat),
		       (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "fee_uah")),
		       say(cli, "грн", "UAH"),
		       cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(it, "active"))
			   ? say(cli, "виведена", "retired")
			   : say(cli, "діє", "active"),
		       title ? title : "");
	}
	cJSON_Delete(o);
	return MO_OK;
}

/* "A; B" (documents) or "X,Y" (members) as a JSON array of trimmed items */
static cJSON *split_list(const char *s, char sep)
{
	cJSON *arr = cJSON_CreateArray();

	while (arr && s && *s) {
		const char *end = strchr(s, sep);
		size_t n = end ? (size_t)(end - s) : strlen(s);
		const char *p = s;
		char *item;

		while (n > 0 && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		/* kept whole: one too long is refused by the vocabulary's rule */
		if (n > 0 && (item = malloc(n + 1)) != NULL) {
			memcpy(item, p, n);
			item[n] = '\0';
			cJSON_AddItemToArray(arr, cJSON_CreateString(item));
			free(item);
		}
		s = end ? end + 1 : NULL;
	}
	return arr;
}

/* an integer option: MO_EINVAL with the option's name when it is not one */
static int int_opt(const struct hub_cli *cli, const char *name, long long *out, bool *given,
		   struct mo_err *err)
{
	const char *v = hub_cli_opt(cli, name);
	char *end = NULL;

	*given = v != NULL;
	if (v == NULL)
		return MO_OK;
	*out = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || *out < 0)
		return mo_err_set(err, MO_EINVAL, "bad_value",
				  cli->lang == HUB_LANG_EN ? "--%s must be a whole number, not '%s'"
							   : "--%s має бути цілим числом, а не «%s»",
				  name, v);
	return MO_OK;
}

int hub_cmd_catalogue_set(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	struct hub_catalogue_edit e = {NULL, NULL, HUB_CATALOGUE_SEEN_CURRENT, "cli"};
	static const char *const texts[][2] = {
	    {"title-uk", "title_uk"}, {"title-en", "title_en"}, {"category", "category"}};
	cJSON *changes = NULL, *o = NULL;
	const char *active = hub_cli_opt(cli, "active");
	long long fee = 0, version = 0;
	bool has_fee, has_version;
	int rc;

	if (cli->nwords < 3 || *cli->words[2] == '\0')
		return mo_err_set(err, MO_EINVAL, NULL, "%s",
				  say(cli, "яка послуга? (catalogue set КОД [--fee N] ...)",
				      "which service? (catalogue set CODE [--fee N] ...)"));
	e.code = cli->words[2];
	if ((rc = int_opt(cli, "fee", &fee, &has_fee, err)) != MO_OK ||
	    (rc = int_opt(cli, "version", &version, &has_version, err)) != MO_OK)
		return rc;
	if (has_version)
		e.seen = version;
	if (active && strcmp(active, "yes") != 0 && strcmp(active, "no") != 0)
		return mo_err_set(err, MO_EINVAL, NULL, "%s",
				  say(cli, "--active: yes або no", "--active is yes or no"));
	if ((changes = cJSON_CreateObject()) == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		const char *v = hub_cli_opt(cli, texts[i][0]);

		if (v)
			cJSON_AddStringToObject(changes, texts[i][1], v);
	}
	if (has_fee)
		cJSON_AddNumberToObject(changes, "fee_uah", (double)fee);
	if (hub_cli_opt(cli, "documents"))
		cJSON_AddItemToObject(changes, "required_documents",
				      split_list(hub_cli_opt(cli, "documents"), ';'));
	if (hub_cli_opt(cli, "members"))
		cJSON_AddItemToObject(changes, "members", split_list(hub_cli_opt(cli, "members"), ','));
	if (active)
		cJSON_AddBoolToObject(changes, "active", strcmp(active, "yes") == 0);
	e.changes = changes;
	rc = hub_catalogue_set(h, &e, &o, err);
	cJSON_Delete(changes);
	if (rc != MO_OK)
		return rc;
	if (cli->json)
		rc = print_json(o);
	else
		printf(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "changed"))
			   ? say(cli, "послугу %s збережено: версія %lld, каталог — версія %lld\n",
				 "service %s saved: version %lld, catalogue version %lld\n")
			   : say(cli, "послуга %s без змін (версія %lld, каталог — версія %lld)\n",
				 "service %s unchanged (version %lld, catalogue version %lld)\n"),
		       e.code,
		       (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "version")),
		       (long long)cJSON_GetNumberValue(
			   cJSON_GetObjectItemCaseSensitive(o, "catalogue_version")));
	cJSON_Delete(o);
	return rc;
}
