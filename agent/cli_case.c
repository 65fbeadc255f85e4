/* cli_case.c — `mo-agent case ...`: one application at a time, and import. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "agent.h"
#include "case.h"
#include "cli_int.h"
#include "i18n.h"
#include "json.h"
#include "money.h"
#include "payment.h"
#include "mo_util.h"
#include "platform.h"
#include "progress.h"
#include "store.h"
#include "sync.h"
#include "validate.h"
#include "visit.h"

#define IMPORT_TXN_LINES 500
#define IMPORT_LINE_MAX (1u << 20)
#define ATTACH_MAX (64ll << 20)

static const char *jstr(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return v ? v : "";
}

/* print one case: `<number> <id>` or, with --json, the whole object */
static int print_case(struct agent_ctx *ctx, struct agent_store *s, const char *key, bool full)
{
	struct agent_case c;
	struct mo_err err = MO_ERR_INIT;
	cJSON *o = NULL, *it;
	int rc;

	if ((rc = agent_store_case_get(s, key, &c, &err)) != MO_OK)
		return agent_fail(ctx, rc, &err);
	if (!ctx->json && !full) {
		printf("%s %s\n", c.number, c.id);
		agent_case_release(&c);
		return AGENT_EXIT_OK;
	}
	if ((rc = agent_store_case_json(s, &c, &o, &err)) != MO_OK) {
		agent_case_release(&c);
		return agent_fail(ctx, rc, &err);
	}
	{
		cJSON *pay = NULL; /* expected vs paid (payment.c) */

		if ((rc = agent_case_payment_json(s, c.id, &pay, &err)) != MO_OK) {
			cJSON_Delete(o);
			agent_case_release(&c);
			return agent_fail(ctx, rc, &err);
		}
		cJSON_AddItemToObject(o, "payment", pay);
	}
	if (ctx->json) {
		agent_print_json(o);
	} else {
		const cJSON *a = cJSON_GetObjectItem(o, "applicant");
		enum agent_lang L = ctx->lang;

		printf("%s  %s  [%s]\n", c.number, c.id, agent_status_word(L, c.status));
		printf("  %s %s %s, %s, %s\n", jstr(a, "surname"), jstr(a, "given_name"),
		       jstr(a, "patronymic"), jstr(a, "birth_date"), jstr(a, "rnokpp"));
		printf("  %s: %s  %s\n", L == AGENT_LANG_EN ? "operator" : "оператор",
		       c.operator_name, c.created_at);
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "services"))
		{
			printf(" - %s: %s\n", jstr(it, "code"),
			       agent_status_word(L, jstr(it, "status")));
		}
		{
			const cJSON *pay = cJSON_GetObjectItem(o, "payment");
			char exp[PROTO_MONEY_TEXT_MAX], paid[PROTO_MONEY_TEXT_MAX];

			proto_money_format(exp, sizeof(exp),
					   (long long)cJSON_GetNumberValue(
					       cJSON_GetObjectItem(pay, "expected_kop")),
					   true);
			proto_money_format(
			    paid, sizeof(paid),
			    (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(pay, "paid_kop")), true);
			printf(agent_msg(L, MSG_CASE_FEE), exp, paid);
			putchar('\n');
		}
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "history"))
		{
			if (strcmp(jstr(it, "origin"), "hub") != 0)
				continue;
			printf("  %s %s %s %s\n", jstr(it, "at"), jstr(it, "kind"),
			       agent_status_word(L, jstr(it, "to")), jstr(it, "reason"));
		}
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "comments"))
		{
			printf(" 💬 %s: %s\n", jstr(it, "author"), jstr(it, "text"));
		}
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "attachments"))
		{
			printf(" 📎 %s %s (%s)\n", jstr(it, "name"), jstr(it, "sha256"),
			       jstr(it, "media_type"));
		}
	}
	cJSON_Delete(o);
	agent_case_release(&c);
	return AGENT_EXIT_OK;
}

/* ---- options of new and edit ---- */

struct case_opts {
	struct agent_case_input in;
	cJSON *presented; /* owned */
	char doc_buf[AGENT_MAX_DOCS][200];
	const char *visit;	     /* --visit ID (new only) */
	struct agent_visit_fill fill; /* what the visit lends in */
};

/* parse --field value options shared by new and edit; 0 or an exit code */
static int parse_case_opts(struct agent_ctx *ctx, int argc, char **argv, bool allow_id,
			   const char **id, struct case_opts *o)
{
	struct agent_case_input *in = &o->in;
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *v = NULL;

		if (strcmp(argv[i], "--consent") == 0) {
			in->consent = in->consent_set = true;
			continue;
		}
		if (strcmp(argv[i], "--no-consent") == 0) {
			in->consent = false;
			in->consent_set = true;
			continue;
		}
		if (strcmp(argv[i], "--messages-consent") == 0 ||
		    strcmp(argv[i], "--no-messages-consent") == 0) {
			in->messages_consent = argv[i][2] == 'm';
			in->messages_consent_set = true;
			continue;
		}
		if (strcmp(argv[i], "--no-rnokpp") == 0) {
			in->no_rnokpp = true;
			continue;
		}
		if (strcmp(argv[i], "--draft") == 0) {
			in->draft = true;
			continue;
		}
		if ((rc = agent_opt(argc, argv, &i, "--service", &v)) != 0) {
			if (rc < 0 || in->nservices == AGENT_MAX_SERVICES)
				return agent_usage(ctx, "--service");
			in->services[in->nservices++] = v;
			continue;
		}
		if ((rc = agent_opt(argc, argv, &i, "--doc", &v)) != 0) {
			char *colon, *b;

			if (rc < 0 || in->ndocs == AGENT_MAX_DOCS)
				return agent_usage(ctx, "--doc TYPE:NUMBER");
			b = o->doc_buf[in->ndocs];
			mo_strlcpy(b, v, sizeof(o->doc_buf[0]));
			if ((colon = strchr(b, ':')) == NULL)
				return agent_usage(ctx, "--doc TYPE:NUMBER");
			*colon = '\0';
			in->docs[in->ndocs].type = b;
			in->docs[in->ndocs].number = colon + 1;
			if ((colon = strchr(colon + 1, ':')) != NULL) {
				*colon = '\0';
				in->docs[in->ndocs].issued = colon + 1;
			}
			in->ndocs++;
			continue;
		}
		if ((rc = agent_opt(argc, argv, &i, "--presented", &v)) != 0) {
			if (rc < 0)
				return agent_usage(ctx, "--presented");
			if (o->presented == NULL)
				o->presented = cJSON_CreateArray();
			cJSON_AddItemToArray(o->presented, cJSON_CreateString(v));
			in->documents_presented = o->presented;
			continue;
		}
		if ((rc = agent_opt(argc, argv, &i, "--fee", &v)) != 0) {
			if (rc < 0 || !mo_parse_i64(&in->fee_uah, v, 0, 10000000))
				return agent_usage(ctx, "--fee");
			in->fee_set = true;
			continue;
		}
		if ((rc = agent_opt(argc, argv, &i, "--surname", &in->surname)) ||
		    (rc = agent_opt(argc, argv, &i, "--given-name", &in->given_name)) ||
		    (rc = agent_opt(argc, argv, &i, "--patronymic", &in->patronymic)) ||
		    (rc = agent_opt(argc, argv, &i, "--birth-date", &in->birth_date)) ||
		    (rc = agent_opt(argc, argv, &i, "--tax-id", &in->rnokpp)) ||
		    (rc = agent_opt(argc, argv, &i, "--rnokpp", &in->rnokpp)) ||
		    (rc = agent_opt(argc, argv, &i, "--phone", &in->phone)) ||
		    (rc = agent_opt(argc, argv, &i, "--address", &in->address_text)) ||
		    (rc = agent_opt(argc, argv, &i, "--mobility", &in->mobility)) ||
		    (rc = agent_opt(argc, argv, &i, "--notes", &in->notes)) ||
		    (rc = agent_opt(argc, argv, &i, "--visit", &o->visit))) {
			if (rc < 0)
				return agent_usage(ctx, argv[i]);
			continue;
		}
		if (allow_id && *id == NULL && argv[i][0] != '-') {
			*id = argv[i];
			continue;
		}
		return agent_usage(ctx, argv[i]);
	}
	return 0;
}

/* `case new` for a person: one sentence in the chosen language (--json keeps the data) */
static int say_created(struct agent_ctx *ctx, struct agent_store *s, const char *id)
{
	struct agent_case c;
	struct mo_err err = MO_ERR_INIT;
	const cJSON *a;
	double fee;
	int rc;

	if ((rc = agent_store_case_get(s, id, &c, &err)) != MO_OK)
		return agent_fail(ctx, rc, &err);
	a = cJSON_GetObjectItemCaseSensitive(c.data, "applicant");
	fee = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c.data, "fee_uah"));
	if (ctx->lang == AGENT_LANG_EN)
		printf("Application %s recorded for %s %s: %zu service(s), fee %.0f UAH, status "
		       "%s. Print the receipt: mo-agent receipt %s\n",
		       c.number, jstr(a, "surname"), jstr(a, "given_name"), c.nsvc,
		       fee != fee ? 0.0 : fee, agent_status_word(ctx->lang, c.status), c.number);
	else
		printf("Заяву %s записано на ім'я %s %s: послуг — %zu, збір %.0f грн, статус — "
		       "%s. Надрукуйте розписку: mo-agent receipt %s\n",
		       c.number, jstr(a, "surname"), jstr(a, "given_name"), c.nsvc,
		       fee != fee ? 0.0 : fee, agent_status_word(ctx->lang, c.status), c.number);
	agent_case_release(&c);
	return AGENT_EXIT_OK;
}

static int case_new(struct agent_ctx *ctx, struct agent_store *s, const struct agent_identity *me,
		    int argc, char **argv)
{
	struct case_opts o;
	struct mo_err err = MO_ERR_INIT;
	char id[40], number[48];
	int rc;

	memset(&o, 0, sizeof(o));
	o.in.origin = "local";
	if ((rc = parse_case_opts(ctx, argc, argv, false, NULL, &o)) != 0)
		goto done;
	if (me->operator_name[0] == '\0') {
		agent_say(ctx, stderr, MSG_NO_OPERATOR);
		rc = AGENT_EXIT_USAGE;
		goto done;
	}
	/* the citizen's data and services from the visit; typed options win */
	if (o.visit && (rc = agent_visit_case_input(s, o.visit, &o.in, &o.fill, &err)) != MO_OK) {
		rc = agent_fail(ctx, rc, &err);
		goto done;
	}
	{
		/* every problem at once, by the field names of the paper form */
		struct agent_case_errors *all = malloc(sizeof(*all));

		if (all == NULL) {
			rc = agent_fail(ctx, MO_ENOMEM, &err);
			goto done;
		}
		if (agent_case_check(s, &o.in, ctx->lang, all, &err) != MO_OK && all->n > 0) {
			fprintf(stderr, "%s\n",
				ctx->lang == AGENT_LANG_EN
				    ? "The application was not recorded; please correct:"
				    : "Заяву не записано; виправте, будь ласка:");
			for (size_t k = 0; k < all->n; k++)
				fprintf(stderr, "  «%s»: %s\n",
					agent_field_label(ctx->lang, all->e[k].field),
					all->e[k].message);
			free(all);
			rc = AGENT_EXIT_USAGE;
			goto done;
		}
		free(all);
	}
	if ((rc = agent_store_begin(s, &err)) == MO_OK) {
		rc = agent_case_create(s, me, &o.in, id, number, &err);
		rc = agent_commit_or_rollback(s, rc, &err);
	}
	if (rc != MO_OK) {
		rc = agent_fail(ctx, rc, &err);
		goto done;
	}
	rc = ctx->json ? print_case(ctx, s, id, false) : say_created(ctx, s, id);
done:
	agent_visit_fill_release(&o.fill);
	cJSON_Delete(o.presented);
	return rc;
}

static int case_edit(struct agent_ctx *ctx, struct agent_store *s, const struct agent_identity *me,
		     int argc, char **argv)
{
	struct case_opts o;
	struct mo_err err = MO_ERR_INIT;
	const char *id = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	if ((rc = parse_case_opts(ctx, argc, argv, true, &id, &o)) != 0)
		goto done;
	if (id == NULL || o.in.draft || o.visit) {
		rc = agent_usage(ctx, "case edit ID --field value ...");
		goto done;
	}
	if ((rc = agent_store_begin(s, &err)) == MO_OK) {
		rc = agent_case_edit(s, me, id, &o.in, &err);
		rc = agent_commit_or_rollback(s, rc, &err);
	}
	if (rc != MO_OK) {
		rc = agent_fail(ctx, rc, &err);
		goto done;
	}
	if (ctx->json)
		rc = print_case(ctx, s, id, true);
	else
		agent_say(ctx, stdout, MSG_EDITED, id);
done:
	cJSON_Delete(o.presented);
	return rc;
}

static int case_move(struct agent_ctx *ctx, struct agent_store *s, const struct agent_identity *me,
		     int argc, char **argv, const char *to, bool need_reason)
{
	struct agent_case c;
	struct mo_err err = MO_ERR_INIT;
	const char *id = NULL, *reason = NULL;
	char from[16] = "";
	int rc;

	for (int i = 0; i < argc; i++) {
		if ((rc = agent_opt(argc, argv, &i, "--reason", &reason)) != 0) {
			if (rc < 0)
				return agent_usage(ctx, "--reason");
			continue;
		}
		if (id || argv[i][0] == '-')
			return agent_usage(ctx, argv[i]);
		id = argv[i];
	}
	if (id == NULL || (need_reason && (reason == NULL || !*reason)))
		return agent_usage(ctx, need_reason ? "case cancel ID --reason R" : "case ... ID");
	{
		struct agent_case before;

		if (agent_store_case_get(s, id, &before, NULL) == MO_OK) {
			mo_strlcpy(from, before.status, sizeof(from));
			agent_case_release(&before);
		}
	}
	if ((rc = agent_store_begin(s, &err)) == MO_OK) {
		rc = agent_case_move(s, me, id, to, reason, &c, &err);
		rc = agent_commit_or_rollback(s, rc, &err);
	}
	if (rc != MO_OK)
		return agent_fail(ctx, rc, &err);
	if (ctx->json) {
		rc = print_case(ctx, s, c.id, true);
	} else {
		agent_say(ctx, stdout, MSG_CASE_MOVED, c.number, agent_status_word(ctx->lang, from),
			  agent_status_word(ctx->lang, c.status));
		rc = AGENT_EXIT_OK;
	}
	agent_case_release(&c);
	return rc;
}

static int case_list(struct agent_ctx *ctx, struct agent_store *s, int argc, char **argv)
{
	struct agent_case_filter f = {NULL, NULL, NULL, 0};
	struct mo_err err = MO_ERR_INIT;
	const char *limit = NULL;
	cJSON *arr, *it;
	int rc;

	for (int i = 0; i < argc; i++) {
		if ((rc = agent_opt(argc, argv, &i, "--status", &f.status)) ||
		    (rc = agent_opt(argc, argv, &i, "--trip", &f.trip)) ||
		    (rc = agent_opt(argc, argv, &i, "--search", &f.search)) ||
		    (rc = agent_opt(argc, argv, &i, "--limit", &limit))) {
			if (rc < 0)
				return agent_usage(ctx, argv[i]);
			continue;
		}
		return agent_usage(ctx, argv[i]);
	}
	if (limit && !mo_parse_i64(&f.limit, limit, 1, 1000000000))
		return agent_usage(ctx, "--limit");
	if ((rc = agent_store_case_list(s, &f, &arr, &err)) != MO_OK)
		return agent_fail(ctx, rc, &err);
	if (ctx->json) {
		agent_print_json(arr);
	} else {
		cJSON_ArrayForEach(it, arr)
		{
			const cJSON *sv;

			printf("%s  %-18s %s %s %s  ", jstr(it, "number"),
			       agent_status_word(ctx->lang, jstr(it, "status")),
			       jstr(it, "surname"), jstr(it, "given_name"), jstr(it, "patronymic"));
			cJSON_ArrayForEach(sv, cJSON_GetObjectItem(it, "services"))
			{
				printf("%s ", jstr(sv, "code"));
			}
			printf("\n");
		}
	}
	cJSON_Delete(arr);
	return AGENT_EXIT_OK;
}

/* ---- attach ---- */

static const char *media_type_of(const char *name)
{
	static const char *const MAP[][2] = {
	    {".pdf", "application/pdf"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"},
	    {".png", "image/png"},	 {".tif", "image/tiff"}, {".tiff", "image/tiff"},
	    {".txt", "text/plain"},
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(MAP) / sizeof(MAP[0]); i++) {
		const char *a = dot, *b = MAP[i][0];

		while (*a && *b && (*a | 0x20) == *b)
			a++, b++;
		if (!*a && !*b)
			return MAP[i][1];
	}
	return "application/octet-stream";
}

/* copy src into DATA/blobs/<sha256> (content-addressed, fsynced) */
static int store_blob(struct agent_ctx *ctx, const char *src, char sha[MO_SHA256_HEX],
		      long long *size, struct mo_err *err)
{
	char dir[1200], tmp[1300], dst[1300];
	unsigned char buf[65536], md[MO_SHA256_LEN];
	unsigned int mdlen = 0;
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	FILE *in = NULL, *out = NULL;
	size_t n;
	int rc = MO_OK;

	*size = 0;
	snprintf(dir, sizeof(dir), "%s/blobs", ctx->data_dir);
	if (h == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	if ((rc = agent_mkdir_p(dir, err)) != MO_OK)
		goto done;
	if ((in = fopen(src, "rb")) == NULL) {
		rc = mo_err_set(err, MO_EINVAL, "file", "%s", src);
		goto done;
	}
	{
		unsigned char rnd[8];
		char hex[17];

		if (mo_random(rnd, sizeof(rnd)) != MO_OK) {
			rc = mo_err_set(err, MO_ERROR, NULL, "no randomness");
			goto done;
		}
		mo_hex_encode(hex, rnd, sizeof(rnd));
		snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", dir, hex);
	}
	if ((out = fopen(tmp, "wb")) == NULL) {
		rc = mo_err_set(err, MO_EIO, NULL, "cannot write '%s'", tmp);
		goto done;
	}
	EVP_DigestInit_ex(h, EVP_sha256(), NULL);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		*size += (long long)n;
		if (*size > ATTACH_MAX) {
			rc = mo_err_set(err, MO_EINVAL, "too_big", "%s", src);
			goto done;
		}
		EVP_DigestUpdate(h, buf, n);
		if (fwrite(buf, 1, n, out) != n) {
			rc = mo_err_set(err, MO_EIO, NULL, "cannot write '%s'", tmp);
			goto done;
		}
	}
	if (ferror(in)) {
		rc = mo_err_set(err, MO_EINVAL, "file", "%s", src);
		goto done;
	}
	if (*size == 0) {
		rc = mo_err_set(err, MO_EINVAL, "file", "%s (empty)", src);
		goto done;
	}
	EVP_DigestFinal_ex(h, md, &mdlen);
	mo_hex_encode(sha, md, MO_SHA256_LEN);
	if (agent_file_sync(out) != MO_OK) {
		rc = mo_err_set(err, MO_EIO, NULL, "cannot write '%s'", tmp);
		goto done;
	}
	fclose(out);
	out = NULL;
	snprintf(dst, sizeof(dst), "%s/%s", dir, sha);
	if (agent_path_exists(dst))
		remove(tmp); /* the same file is stored once */
	else if (agent_rename(tmp, dst) != MO_OK)
		rc = mo_err_set(err, MO_EIO, NULL, "cannot store '%s'", dst);
done:
	if (out) {
		fclose(out);
		remove(tmp);
	}
	if (in)
		fclose(in);
	EVP_MD_CTX_free(h);
	return rc;
}

static int case_attach(struct agent_ctx *ctx, struct agent_store *s,
		       const struct agent_identity *me, int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL}, *kind = NULL, *name = NULL;
	char sha[MO_SHA256_HEX], aid[MO_UUID_LEN];
	struct mo_err err = MO_ERR_INIT;
	struct agent_case c;
	long long size;
	size_t npos = 0;
	cJSON *f;
	int rc;

	for (int i = 0; i < argc; i++) {
		if ((rc = agent_opt(argc, argv, &i, "--type", &kind)) ||
		    (rc = agent_opt(argc, argv, &i, "--name", &name))) {
			if (rc < 0)
				return agent_usage(ctx, argv[i]);
			continue;
		}
		if (npos == 2)
			return agent_usage(ctx, argv[i]);
		pos[npos++] = argv[i];
	}
	if (npos != 2)
		return agent_usage(ctx, "case attach ID FILE [--type TYPE]");
	if ((rc = agent_store_case_get(s, pos[0], &c, &err)) != MO_OK)
		return agent_fail(ctx, rc, &err);
	if (name == NULL) {
		const char *b = strrchr(pos[1], '/'), *b2 = strrchr(pos[1], '\\');

		name = b2 > b ? b2 + 1 : b ? b + 1 : pos[1];
	}
	if ((rc = store_blob(ctx, pos[1], sha, &size, &err)) != MO_OK ||
	    (rc = mo_uuid_v4(aid)) != MO_OK) {
		agent_case_release(&c);
		return agent_fail(ctx, rc, &err);
	}
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "case", c.id);
	cJSON_AddStringToObject(f, "sha256", sha);
	cJSON_AddStringToObject(f, "media_type", media_type_of(name));
	cJSON_AddNumberToObject(f, "size", (double)size);
	cJSON_AddStringToObject(f, "name", name);
	if (kind)
		cJSON_AddStringToObject(f, "kind", kind);
	if ((rc = agent_store_begin(s, &err)) == MO_OK) {
		rc = agent_store_attachment_add(s, aid, c.id, sha, media_type_of(name), size, name,
						kind, "local", &err);
		if (rc == MO_OK)
			rc = agent_store_outbox_add(s, "attachment", aid, "append", f,
						    me->operator_name, NULL, &err);
		rc = agent_commit_or_rollback(s, rc, &err);
	}
	cJSON_Delete(f);
	if (rc == MO_OK) {
		if (ctx->json) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "id", aid);
			cJSON_AddStringToObject(o, "case", c.id);
			cJSON_AddStringToObject(o, "sha256", sha);
			cJSON_AddNumberToObject(o, "size", (double)size);
			agent_print_json(o);
			cJSON_Delete(o);
		} else {
			agent_say(ctx, stdout, MSG_ATTACHED, c.number, sha, size);
		}
	}
	agent_case_release(&c);
	return rc == MO_OK ? AGENT_EXIT_OK : agent_fail(ctx, rc, &err);
}

static int case_rate(struct agent_ctx *ctx, struct agent_store *s, const struct agent_identity *me,
		     int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL}, *comment = NULL;
	struct mo_err err = MO_ERR_INIT;
	struct agent_case c;
	char rid[MO_UUID_LEN];
	long long score;
	size_t npos = 0;
	cJSON *f;
	int rc;

	for (int i = 0; i < argc; i++) {
		if ((rc = agent_opt(argc, argv, &i, "--comment", &comment)) != 0) {
			if (rc < 0)
				return agent_usage(ctx, "--comment");
			continue;
		}
		if (npos == 2)
			return agent_usage(ctx, argv[i]);
		pos[npos++] = argv[i];
	}
	if (npos != 2)
		return agent_usage(ctx, "case rate ID 1..5 [--comment C]");
	if (!mo_parse_i64(&score, pos[1], 1, 5)) {
		mo_err_set(&err, MO_EINVAL, "score", "score");
		return agent_fail(ctx, MO_EINVAL, &err);
	}
	if ((rc = agent_store_case_get(s, pos[0], &c, &err)) != MO_OK)
		return agent_fail(ctx, rc, &err);
	if (mo_uuid_v4(rid) != MO_OK) {
		agent_case_release(&c);
		return AGENT_EXIT_STORAGE;
	}
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "case", c.id);
	cJSON_AddNumberToObject(f, "score", (double)score);
	if (comment)
		cJSON_AddStringToObject(f, "comment", comment);
	if ((rc = agent_store_begin(s, &err)) == MO_OK) {
		rc = agent_store_rating_add(s, rid, c.id, (int)score, comment, &err);
		if (rc == MO_OK)
			rc = agent_store_outbox_add(s, "rating", rid, "append", f,
						    me->operator_name, NULL, &err);
		rc = agent_commit_or_rollback(s, rc, &err);
	}
	cJSON_Delete(f);
	agent_case_release(&c);
	if (rc != MO_OK)
		return agent_fail(ctx, rc, &err);
	agent_say(ctx, ctx->json ? stderr : stdout, MSG_RATED);
	return AGENT_EXIT_OK;
}

/* `case pay ID --amount 250,00 --method cash|card|bank [--receipt N] [--at TIME]` */
static int case_pay(struct agent_ctx *ctx, struct agent_store *s, const struct agent_identity *me,
		    int argc, char **argv)
{
	static const char usage[] =
	    "case pay ID --amount 250,00 --method cash|card|bank [--receipt N] [--at TIME]";
	struct agent_payment_input in = {NULL, NULL, NULL, NULL};
	struct mo_err err = MO_ERR_INIT;
	const char *key = NULL;
	char id[MO_UUID_LEN], text[PROTO_MONEY_TEXT_MAX];
	long long kop = 0;
	int rc;

	for (int i = 0; i < argc; i++) {
		if ((rc = agent_opt(argc, argv, &i, "--amount", &in.amount)) != 0 ||
		    (rc = agent_opt(argc, argv, &i, "--method", &in.method)) != 0 ||
		    (rc = agent_opt(argc, argv, &i, "--receipt", &in.receipt)) != 0 ||
		    (rc = agent_opt(argc, argv, &i, "--at", &in.at)) != 0) {
			if (rc < 0)
				return agent_usage(ctx, argv[i]);
			continue;
		}
		if (key || argv[i][0] == '-')
			return agent_usage(ctx, argv[i]);
		key = argv[i];
	}
	if (key == NULL || in.amount == NULL || in.method == NULL)
		return agent_usage(ctx, usage);
	if ((rc = agent_case_pay(s, me, key, &in, id, &kop, &err)) != MO_OK)
		return agent_fail(ctx, rc, &err);
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddNumberToObject(o, "amount_kop", (double)kop);
		cJSON_AddStringToObject(o, "method", in.method);
		agent_print_json(o);
		cJSON_Delete(o);
		return AGENT_EXIT_OK;
	}
	agent_say(ctx, stdout, MSG_PAID, proto_money_format(text, sizeof(text), kop, true),
		  agent_msg(ctx->lang, strcmp(in.method, "cash") == 0   ? MSG_PAY_CASH
				       : strcmp(in.method, "card") == 0 ? MSG_PAY_CARD
									: MSG_PAY_BANK));
	return AGENT_EXIT_OK;
}

/* ---- import ---- */

struct import_stats {
	long long added, skipped, bad, lines;
	cJSON *bad_list; /* [{line, code, message}] */
};

/* one JSON line (gen.js format) → a new case; skipped when its id is present */
static int import_line(struct agent_ctx *ctx, struct agent_store *s,
		       const struct agent_identity *me, const char *text, size_t len, bool *skipped,
		       struct mo_err *err)
{
	struct agent_case_input in;
	cJSON *j = NULL, *it, *doc, *app;
	const char *id;
	char cid[40], number[48];
	size_t nsvc = 0;
	int rc;

	(void)ctx;
	*skipped = false;
	memset(&in, 0, sizeof(in));
	if (proto_json_parse(&j, text, len, NULL, err) != MO_OK || !cJSON_IsObject(j)) {
		rc = mo_err_set(err, MO_EINVAL, "bad_json", "json");
		goto done;
	}
	id = proto_json_str(j, "id");
	if (id == NULL || !proto_uuid_valid(id)) {
		rc = mo_err_set(err, MO_EINVAL, "bad_field", "id");
		goto done;
	}
	if (agent_store_case_exists(s, id)) {
		*skipped = true;
		rc = MO_OK;
		goto done;
	}
	in.id = id;
	in.origin = "import";
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "service_codes"))
	{
		if (!cJSON_IsString(it) || nsvc == AGENT_MAX_SERVICES) {
			rc = mo_err_set(err, MO_EINVAL, "bad_field", "service_codes");
			goto done;
		}
		in.services[nsvc++] = it->valuestring;
	}
	in.nservices = nsvc;
	in.package = proto_json_str(j, "package");
	app = cJSON_GetObjectItemCaseSensitive(j, "applicant");
	if (!cJSON_IsObject(app)) {
		rc = mo_err_set(err, MO_EINVAL, "required", "applicant");
		goto done;
	}
	in.surname = proto_json_str(app, "surname");
	in.given_name = proto_json_str(app, "given_name");
	in.patronymic = proto_json_str(app, "patronymic");
	in.birth_date = proto_json_str(app, "birth_date");
	in.rnokpp = proto_json_str(app, "rnokpp");
	in.phone = proto_json_str(app, "phone");
	in.mobility = proto_json_str(app, "mobility");
	it = cJSON_GetObjectItemCaseSensitive(app, "address");
	if (cJSON_IsObject(it))
		in.address = it;
	doc = cJSON_GetObjectItemCaseSensitive(app, "id_document");
	if (cJSON_IsObject(doc)) {
		in.docs[0].type = proto_json_str(doc, "type");
		in.docs[0].number = proto_json_str(doc, "number");
		in.docs[0].issued = proto_json_str(doc, "issued");
		in.ndocs = 1;
	}
	it = cJSON_GetObjectItemCaseSensitive(j, "documents_presented");
	if (cJSON_IsArray(it))
		in.documents_presented = it;
	it = cJSON_GetObjectItemCaseSensitive(j, "consent");
	in.consent = !cJSON_IsFalse(it); /* consented unless the line says false */
	in.notes = proto_json_str(j, "notes");
	in.created_at = proto_json_str(j, "created_at");
	in.channel = proto_json_str(j, "channel");
	in.draft = proto_json_str(j, "status") && strcmp(proto_json_str(j, "status"), "draft") == 0;
	if (proto_json_int(j, "fee_amount", &in.fee_uah)) {
		if (in.fee_uah < 0 || in.fee_uah > 10000000) {
			rc = mo_err_set(err, MO_EINVAL, "bad_field", "fee_amount");
			goto done;
		}
		in.fee_set = true;
	}
	rc = agent_case_create(s, me, &in, cid, number, err);
done:
	cJSON_Delete(j);
	return rc;
}

/* read one line into line (reset first); false at end of file; too long → *toolong */
static bool read_line(FILE *f, struct mo_buf *line, bool *toolong)
{
	char chunk[8192];
	bool any = false;

	mo_buf_reset(line);
	*toolong = false;
	while (fgets(chunk, sizeof(chunk), f)) {
		size_t n = strlen(chunk);

		any = true;
		if (!*toolong && mo_buf_add(line, chunk, n) != MO_OK)
			*toolong = true;
		if (n > 0 && chunk[n - 1] == '\n')
			break;
	}
	while (line->len &&
	       (line->data[line->len - 1] == '\n' || line->data[line->len - 1] == '\r'))
		line->data[--line->len] = '\0';
	return any;
}

static void import_bad(struct agent_ctx *ctx, struct import_stats *st, const struct mo_err *e)
{
	char reason[600];
	cJSON *o;

	st->bad++;
	agent_reason(ctx->lang, e, reason, sizeof(reason));
	agent_say(ctx, stderr, MSG_IMPORT_LINE, st->lines, reason);
	if (st->bad_list && cJSON_GetArraySize(st->bad_list) < 1000 &&
	    (o = cJSON_CreateObject()) != NULL) {
		cJSON_AddNumberToObject(o, "line", (double)st->lines);
		cJSON_AddStringToObject(o, "code", e->code);
		cJSON_AddStringToObject(o, "message", reason);
		cJSON_AddItemToArray(st->bad_list, o);
	}
}

static int case_import(struct agent_ctx *ctx, struct agent_store *s,
		       const struct agent_identity *me, int argc, char **argv)
{
	struct import_stats st = {0, 0, 0, 0, NULL};
	struct mo_buf line = MO_BUF_INIT(IMPORT_LINE_MAX);
	struct agent_progress bar;
	struct mo_err err = MO_ERR_INIT;
	bool in_txn = false, toolong;
	long long in_batch = 0, total = 0;
	FILE *f;
	int rc = MO_OK;

	if (argc != 1)
		return agent_usage(ctx, "case import FILE.jsonl");
	if (me->operator_name[0] == '\0') {
		agent_say(ctx, stderr, MSG_NO_OPERATOR);
		return AGENT_EXIT_USAGE;
	}
	if ((f = fopen(argv[0], "rb")) == NULL) {
		mo_err_set(&err, MO_EINVAL, "file", "%s", argv[0]);
		return agent_fail(ctx, MO_EINVAL, &err);
	}
	if (fseek(f, 0, SEEK_END) == 0) {
		total = ftell(f);
		rewind(f);
	}
	st.bad_list = cJSON_CreateArray();
	agent_progress_start(&bar, !ctx->quiet, ctx->lang == AGENT_LANG_EN ? "import" : "імпорт",
			     total, true);
	while (read_line(f, &line, &toolong)) {
		struct mo_err e = MO_ERR_INIT;
		bool skipped = false;
		int lrc;

		st.lines++;
		if (!toolong && line.len == 0)
			continue;
		if (!in_txn) {
			if ((rc = agent_store_begin(s, &err)) != MO_OK)
				goto done;
			in_txn = true;
		}
		if (toolong) {
			mo_err_set(&e, MO_EINVAL, "too_many", "line");
			import_bad(ctx, &st, &e);
			continue;
		}
		/* a savepoint per line: a bad line never half-applies */
		if ((rc = agent_store_savepoint(s, &err)) != MO_OK)
			goto done;
		lrc = import_line(ctx, s, me, (const char *)line.data, line.len, &skipped, &e);
		if (lrc == MO_OK) {
			if ((rc = agent_store_release(s, &err)) != MO_OK)
				goto done;
			if (skipped)
				st.skipped++;
			else
				st.added++;
		} else {
			agent_store_rollback_to(s);
			if (lrc != MO_EINVAL && lrc != MO_ENOTFOUND) {
				rc = lrc;
				err = e;
				goto done;
			}
			import_bad(ctx, &st, &e);
		}
		if (++in_batch >= IMPORT_TXN_LINES) {
			in_txn = false;
			in_batch = 0;
			if ((rc = agent_store_commit(s, &err)) != MO_OK)
				goto done;
			agent_progress_set(&bar, ftell(f));
		}
	}
	if (in_txn) {
		in_txn = false;
		rc = agent_store_commit(s, &err);
	}
done:
	if (in_txn)
		agent_store_rollback(s);
	agent_progress_end(&bar);
	fclose(f);
	mo_buf_release(&line);
	if (rc != MO_OK) {
		cJSON_Delete(st.bad_list);
		return agent_fail(ctx, rc, &err);
	}
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "added", (double)st.added);
		cJSON_AddNumberToObject(o, "skipped", (double)st.skipped);
		cJSON_AddNumberToObject(o, "bad", (double)st.bad);
		cJSON_AddItemToObject(o, "bad_lines", st.bad_list);
		st.bad_list = NULL;
		agent_print_json(o);
		cJSON_Delete(o);
	} else {
		agent_say(ctx, stdout, MSG_IMPORT_DONE, st.added, st.skipped, st.bad);
	}
	cJSON_Delete(st.bad_list);
	return st.bad ? AGENT_EXIT_USAGE : AGENT_EXIT_OK;
}

int agent_cmd_case(struct agent_ctx *ctx, int argc, char **argv)
{
	struct agent_store *s;
	struct agent_identity me;
	const char *sub = argc > 0 ? argv[0] : "";
	int rc;

	if ((rc = agent_open(ctx, &s, &me, true)) != AGENT_EXIT_OK)
		return rc;
	argc--;
	argv++;
	if (strcmp(sub, "new") == 0)
		return case_new(ctx, s, &me, argc, argv);
	if (strcmp(sub, "edit") == 0)
		return case_edit(ctx, s, &me, argc, argv);
	if (strcmp(sub, "submit") == 0)
		return case_move(ctx, s, &me, argc, argv, "submitted", false);
	if (strcmp(sub, "cancel") == 0)
		return case_move(ctx, s, &me, argc, argv, "cancelled", true);
	if (strcmp(sub, "issue") == 0)
		return case_move(ctx, s, &me, argc, argv, "issued", false);
	if (strcmp(sub, "list") == 0)
		return case_list(ctx, s, argc, argv);
	if (strcmp(sub, "show") == 0) {
		if (argc != 1)
			return agent_usage(ctx, "case show ID|NUMBER");
		return print_case(ctx, s, argv[0], true);
	}
	if (strcmp(sub, "attach") == 0)
		return case_attach(ctx, s, &me, argc, argv);
	if (strcmp(sub, "rate") == 0)
		return case_rate(ctx, s, &me, argc, argv);
	if (strcmp(sub, "import") == 0)
		return case_import(ctx, s, &me, argc, argv);
	if (strcmp(sub, "pay") == 0)
		return case_pay(ctx, s, &me, argc, argv);
	return agent_usage(ctx, "case new|edit|submit|cancel|issue|list|show|attach|rate|pay|import");
}
