/*
 * cli_payments.c — `mo-hub payments import FILE.csv [--json]`: a bank
 * statement read into the hub (payments.h), each bad line reported by its
 * number and reason in words, and the counts.  --json prints exactly
 * {"matched", "unmatched", "skipped", "bad", "lines"} (reasons as codes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "payments.h"
#include "words.h"

int hub_cli_payments_import(struct hub *h, const struct hub_cli *cli, struct mo_err *err)
{
	struct mo_buf file = MO_BUF_INIT(HUB_STATEMENT_MAX);
	struct hub_import_result res;
	const char *path, *base;
	const cJSON *it;
	char detail[160];
	int rc;

	memset(&res, 0, sizeof(res));
	if (cli->nwords != 3)
		return mo_err_set(err, MO_EINVAL, NULL, "%s",
				  hub_msg(cli->lang, HUB_MSG_WHICH_STATEMENT));
	path = cli->words[2];
	if ((rc = mo_file_read(&file, path, HUB_STATEMENT_MAX, err)) != MO_OK) {
		if (rc == MO_ETOOBIG) {
			mo_err_clear(err);
			rc = mo_err_set(err, MO_ETOOBIG, "bank_too_big", "'%s'", path);
		}
		goto done;
	}
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	rc = hub_payments_import(h, (const char *)file.data, file.len, base, &res, err);
	if (rc != MO_OK)
		goto done;
	snprintf(detail, sizeof(detail), "matched %lld, unmatched %lld, skipped %lld, bad %lld",
		 res.matched, res.unmatched, res.skipped, res.bad);
	if ((rc = hub_store_audit_add(h->store, "cli", "payments.import", base, detail, err)) !=
	    MO_OK)
		goto done;
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();
		char *text;

		if (o == NULL) {
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			goto done;
		}
		cJSON_AddNumberToObject(o, "matched", (double)res.matched);
		cJSON_AddNumberToObject(o, "unmatched", (double)res.unmatched);
		cJSON_AddNumberToObject(o, "skipped", (double)res.skipped);
		cJSON_AddNumberToObject(o, "bad", (double)res.bad);
		cJSON_AddItemToObject(o, "lines", res.lines);
		res.lines = NULL; /* now owned by o */
		text = cJSON_Print(o);
		cJSON_Delete(o);
		if (text == NULL) {
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			goto done;
		}
		puts(text);
		free(text);
		goto done;
	}
	cJSON_ArrayForEach(it, res.lines)
	{
		const char *result = proto_json_str(it, "result");
		long long line = 0;

		if (result == NULL || strcmp(result, "bad") != 0)
			continue;
		(void)proto_json_int(it, "line", &line);
		printf(hub_msg(cli->lang, HUB_MSG_STATEMENT_LINE), (long)line,
		       hub_word_or(cli->lang, HUB_W_PAYMENT, "bad"),
		       hub_word_or(cli->lang, HUB_W_PAYMENT, proto_json_str(it, "reason")));
		putchar('\n');
	}
	printf(hub_msg(cli->lang, HUB_MSG_STATEMENT_DONE), res.matched, res.unmatched, res.skipped,
	       res.bad);
	putchar('\n');
done:
	cJSON_Delete(res.lines);
	mo_buf_release(&file);
	return rc;
}
