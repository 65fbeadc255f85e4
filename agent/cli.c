/*
 * cli.c — the commands that are not about one application: enroll,
 * operator, trip, sync, status, receipt; and the helpers of cli_int.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "agent.h"
#include "cli_int.h"
#include "i18n.h"
#include "operator.h"
#include "mo_util.h"
#include "platform.h"
#include "store.h"
#include "sync.h"
#include "validate.h"

int agent_exit_for(int rc, const struct mo_err *err)
{
	switch (rc) {
	case MO_OK: return AGENT_EXIT_OK;
	case MO_ENET: return AGENT_EXIT_NETWORK;
	case MO_EFORBIDDEN:
	case MO_EAUTH: return AGENT_EXIT_REFUSED;
	case MO_EINVAL:
	case MO_EEXISTS:
	case MO_ECONFLICT: return AGENT_EXIT_USAGE;
	case MO_ENOTFOUND:
		return err && strcmp(err->code, "not_enrolled") == 0 ? AGENT_EXIT_NOT_ENROLLED
								     : AGENT_EXIT_USAGE;
	default: return AGENT_EXIT_STORAGE;
	}
}

int agent_refusal_msg(const struct mo_err *err)
{
	static const struct {
		const char *code;
		enum agent_msg_id msg;
	} known[] = {
	    {"device_revoked", MSG_REVOKED},
	    {"clock_skew", MSG_CLOCK_SKEW},
	    {"seq_conflict", MSG_FORKED},
	    {"over_quota", MSG_OVER_QUOTA},
	};

	for (size_t i = 0; err && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(err->code, known[i].code) == 0)
			return (int)known[i].msg;
	return -1;
}

int agent_fail(const struct agent_ctx *ctx, int rc, const struct mo_err *err)
{
	int code = agent_exit_for(rc, err);
	char buf[600];

	switch (code) {
	case AGENT_EXIT_NOT_ENROLLED: agent_say(ctx, stderr, MSG_NOT_ENROLLED); break;
	case AGENT_EXIT_NETWORK: agent_say(ctx, stderr, MSG_NETWORK, err->msg); break;
	case AGENT_EXIT_REFUSED:
		if (agent_refusal_msg(err) >= 0)
			agent_say(ctx, stderr, (enum agent_msg_id)agent_refusal_msg(err));
		else if (strcmp(err->code, "bad_token") == 0)
			agent_say(ctx, stderr, MSG_BAD_TOKEN);
		else if (rc == MO_EAUTH)
			agent_say(ctx, stderr, MSG_BAD_RESPONSE, err->msg);
		else
			agent_say(ctx, stderr, MSG_REFUSED, err->msg, err->code);
		break;
	case AGENT_EXIT_STORAGE:
		agent_say(ctx, stderr, MSG_STORAGE, err->msg[0] ? err->msg : mo_strerror(rc));
		break;
	default:
		if (strcmp(err->code, "already_enrolled") == 0) {
			agent_say(ctx, stderr, MSG_ALREADY_ENROLLED, err->msg);
			break;
		}
		fprintf(stderr, "%s: %s\n", agent_msg(ctx->lang, MSG_ERROR),
			agent_reason(ctx->lang, err, buf, sizeof(buf)));
		break;
	}
	return code;
}

/* ---- helpers (cli_int.h) ---- */

int agent_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

int agent_usage(const struct agent_ctx *ctx, const char *what)
{
	agent_say(ctx, stderr, MSG_USAGE, what);
	return AGENT_EXIT_USAGE;
}

void agent_print_json(const cJSON *v)
{
	char *t = cJSON_Print(v);

	if (t) {
		fputs(t, stdout);
		fputc('\n', stdout);
		free(t);
	}
}

int agent_open(struct agent_ctx *ctx, struct agent_store **s, struct agent_identity *me,
	       bool need_enrolled)
{
	struct mo_err err = MO_ERR_INIT;
	int rc;

	if ((rc = agent_ctx_store(ctx, s, &err)) != MO_OK)
		return agent_fail(ctx, rc, &err);
	rc = agent_identity_load(*s, me, &err);
	if (rc != MO_OK && need_enrolled)
		return agent_fail(ctx, rc, &err);
	return AGENT_EXIT_OK;
}

int agent_commit_or_rollback(struct agent_store *s, int rc, struct mo_err *err)
{
	if (rc == MO_OK)
		rc = agent_store_commit(s, err);
	if (rc != MO_OK)
		agent_store_rollback(s);
	return rc;
}

/* ---- enroll ---- */

int agent_cmd_enroll(struct agent_ctx *ctx, int argc, char **argv)
{
	const char *hub = NULL, *token = NULL, *op = NULL;
	struct agent_identity me;
	struct agent_sync_stats st;
	struct mo_err err = MO_ERR_INIT;
	struct agent_store *s;
	bool again = false;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--again") == 0) {
			again = true;
			continue;
		}
		if (strcmp(argv[i], "--insecure-http") == 0) {
			ctx->insecure_http = true;
			continue;
		}
		if ((rc = agent_opt(argc, argv, &i, "--hub", &hub)) ||
		    (rc = agent_opt(argc, argv, &i, "--token", &token)) ||
		    (rc = agent_opt(argc, argv, &i, "--ca-file", &ctx->ca_file)) ||
		    (rc = agent_opt(argc, argv, &i, "--operator", &op))) {
			if (rc < 0)
				return agent_usage(ctx, argv[i]);
			continue;
		}
		return agent_usage(ctx, argv[i]);
	}
	/* a laptop the hub found forked (seq_conflict) recovers with a fresh
	 * token: plain `enroll` does it too, since that is what a user tries */
	if (!again && agent_ctx_store(ctx, &s, &err) == MO_OK &&
	    agent_meta_get_i64(s, "forked", 0) != 0)
		again = true;
	if (!hub || !token || (!again && (!op || !*op)))
		return agent_usage(ctx, "enroll [--again] --hub URL --token TOKEN --operator NAME "
					"[--ca-file F] [--insecure-http]");
	if (op && proto_text_check(op, 100, "operator", &err) != MO_OK) {
		mo_err_set(&err, MO_EINVAL, "bad_field", "operator");
		return agent_fail(ctx, MO_EINVAL, &err);
	}
	if (again) {
		cJSON *renumbered = NULL;
		const cJSON *it;
		long long requeued = 0;

		rc = agent_enroll_again(ctx, hub, token, op, &me, &renumbered, &requeued, &err);
		if (rc != MO_OK) {
			cJSON_Delete(renumbered);
			return agent_fail(ctx, rc, &err);
		}
		if (!ctx->json)
			agent_say(ctx, stdout, MSG_RECOVERED, me.device_code, requeued);
		/* on stderr too with --json: the operator must see which receipts changed */
		cJSON_ArrayForEach(it, renumbered)
		{
			const char *old = cJSON_GetStringValue(cJSON_GetObjectItem(it, "old"));
			const char *nu = cJSON_GetStringValue(cJSON_GetObjectItem(it, "new"));

			agent_say(ctx, ctx->json ? stderr : stdout, MSG_REISSUE, old, nu, nu);
		}
		cJSON_Delete(renumbered);
	} else if ((rc = agent_enroll(ctx, hub, token, op, &me, &err)) != MO_OK) {
		return agent_fail(ctx, rc, &err);
	}
	if (!ctx->json)
		agent_say(ctx, stdout, MSG_ENROLLED, me.device_code, me.unit, me.unit_name,
			  me.operator_name);
	/* the first pull brings the catalogue and anything already waiting */
	if (agent_sync(ctx, &st, &err) != MO_OK && !ctx->json)
		agent_say(ctx, stderr, MSG_ENROLL_NO_PULL);
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "device", me.device);
		cJSON_AddStringToObject(o, "device_code", me.device_code);
		cJSON_AddStringToObject(o, "unit", me.unit);
		cJSON_AddStringToObject(o, "unit_name", me.unit_name);
		cJSON_AddStringToObject(o, "unit_kind", me.unit_kind);
		cJSON_AddStringToObject(o, "hub", me.hub);
		cJSON_AddStringToObject(o, "operator", me.operator_name);
		agent_print_json(o);
		cJSON_Delete(o);
	}
	return AGENT_EXIT_OK;
}

/* ---- operator ---- */

int agent_cmd_operator(struct agent_ctx *ctx, int argc, char **argv)
{
	struct agent_store *s;
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	const char *sub = argc > 0 ? argv[0] : "", *name = argc > 1 ? argv[1] : NULL;
	const char *pin_file = NULL;
	char pin[64] = "";
	int rc;

	if ((rc = agent_open(ctx, &s, &me, false)) != AGENT_EXIT_OK)
		return rc;
	if (strcmp(sub, "list") == 0) {
		cJSON *arr, *it;

		if ((rc = agent_store_operator_list(s, &arr, &err)) != MO_OK)
			return agent_fail(ctx, rc, &err);
		if (ctx->json) {
			agent_print_json(arr);
		} else {
			cJSON_ArrayForEach(it, arr)
			{
				printf("%s %s\n",
				       cJSON_IsTrue(cJSON_GetObjectItem(it, "current")) ? "*" : " ",
				       cJSON_GetStringValue(cJSON_GetObjectItem(it, "name")));
			}
		}
		cJSON_Delete(arr);
		return AGENT_EXIT_OK;
	}
	if (argc < 2 || (strcmp(sub, "add") != 0 && strcmp(sub, "use") != 0 &&
			 strcmp(sub, "pin") != 0))
		return agent_usage(ctx, "operator add NAME [--pin-file F] | pin NAME --pin-file F | use NAME");
	for (int i = 2; i < argc; i++) {
		int orc = agent_opt(argc, argv, &i, "--pin-file", &pin_file);

		if (orc <= 0 || strcmp(sub, "use") == 0)
			return agent_usage(ctx, argv[i]);
	}
	if (strcmp(sub, "pin") == 0 && pin_file == NULL)
		return agent_usage(ctx, "operator pin NAME --pin-file F");
	if (proto_text_check(name, 100, "operator", &err) != MO_OK || !*name) {
		mo_err_set(&err, MO_EINVAL, "bad_field", "operator");
		return agent_fail(ctx, MO_EINVAL, &err);
	}
	if (strcmp(sub, "add") != 0 && !agent_store_operator_exists(s, name)) {
		agent_say(ctx, stderr, MSG_UNKNOWN_OPERATOR, name, name);
		return AGENT_EXIT_USAGE;
	}
	/* the PIN file's first line; checked before anything is written */
	if (pin_file) {
		if ((rc = mo_file_first_line(pin, sizeof(pin), pin_file, &err)) != MO_OK) {
			mo_err_set(&err, MO_EINVAL, "file", "%s", pin_file);
			return agent_fail(ctx, MO_EINVAL, &err);
		}
		if ((rc = agent_pin_format_check(pin, &err)) != MO_OK) {
			OPENSSL_cleanse(pin, sizeof(pin));
			return agent_fail(ctx, rc, &err);
		}
	}
	if ((rc = agent_store_begin(s, &err)) != MO_OK)
		return agent_fail(ctx, rc, &err);
	if (strcmp(sub, "add") == 0) {
		rc = agent_store_operator_add(s, name, &err);
		/* the first operator of a laptop becomes the current one */
		if (rc == MO_OK && me.operator_name[0] == '\0')
			rc = agent_meta_set(s, "operator", name, &err);
	} else if (strcmp(sub, "use") == 0) {
		rc = agent_meta_set(s, "operator", name, &err);
	}
	if (rc == MO_OK && pin_file)
		rc = agent_operator_set_pin(s, name, pin, &err);
	OPENSSL_cleanse(pin, sizeof(pin));
	if ((rc = agent_commit_or_rollback(s, rc, &err)) != MO_OK)
		return agent_fail(ctx, rc, &err);
	agent_say(ctx, stdout,
		  strcmp(sub, "add") == 0	? MSG_OPERATOR_ADDED
		  : strcmp(sub, "use") == 0 ? MSG_OPERATOR_USED
					    : MSG_OPERATOR_PIN_SET,
		  name);
	return AGENT_EXIT_OK;
}

/* ---- trip ---- */

static bool trip_kind_ok(const char *k)
{
	static const char *const KINDS[] = {"home-visit", "village-stop", "idp-settlement",
					    "office-day", "other"};

	for (size_t i = 0; i < sizeof(KINDS) / sizeof(KINDS[0]); i++)
		if (strcmp(k, KINDS[i]) == 0)
			return true;
	return false;
}

static int trip_start(struct agent_ctx *ctx, struct agent_store *s, const struct agent_identity *me,
		      int argc, char **argv)
{
	const char *settlement = NULL, *kind = "village-stop", *crew[20];
	size_t ncrew = 0;
	char id[MO_UUID_LEN], open[40], now[32];
	struct mo_err err = MO_ERR_INIT;
	cJSON *f = NULL, *arr;
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *v;

		if ((rc = agent_opt(argc, argv, &i, "--settlement", &settlement)) ||
		    (rc = agent_opt(argc, argv, &i, "--kind", &kind))) {
			if (rc < 0)
				return agent_usage(ctx, argv[i]);
			continue;
		}
		if ((rc = agent_opt(argc, argv, &i, "--crew", &v)) != 0) {
			if (rc < 0 || ncrew == 19)
				return agent_usage(ctx, "--crew");
			crew[ncrew++] = v;
			continue;
		}
		return agent_usage(ctx, argv[i]);
	}
	if (settlement == NULL || !*settlement)
		return agent_usage(ctx, "trip start --settlement NAME");
	if (!trip_kind_ok(kind)) {
		mo_err_set(&err, MO_EINVAL, "bad_kind", "%s", kind);
		return agent_fail(ctx, MO_EINVAL, &err);
	}
	if (me->operator_name[0] == '\0') {
		agent_say(ctx, stderr, MSG_NO_OPERATOR);
		return AGENT_EXIT_USAGE;
	}
	if (agent_store_trip_open(s, open, sizeof(open)) == MO_OK) {
		agent_say(ctx, stderr, MSG_TRIP_OPEN, open);
		return AGENT_EXIT_USAGE;
	}
	if (mo_uuid_v4(id) != MO_OK)
		return AGENT_EXIT_STORAGE;
	mo_iso8601(now, sizeof(now), mo_now_ms(), true);
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "unit", me->unit);
	cJSON_AddStringToObject(f, "settlement", settlement);
	cJSON_AddStringToObject(f, "kind", kind);
	cJSON_AddStringToObject(f, "started_at", now);
	cJSON_AddNullToObject(f, "ended_at");
	arr = cJSON_AddArrayToObject(f, "crew");
	cJSON_AddItemToArray(arr, cJSON_CreateString(me->operator_name));
	for (size_t i = 0; i < ncrew; i++)
		if (strcmp(crew[i], me->operator_name) != 0)
			cJSON_AddItemToArray(arr, cJSON_CreateString(crew[i]));
	if ((rc = agent_store_begin(s, &err)) == MO_OK) {
		rc = agent_store_outbox_add(s, "trip", id, "upsert", f, me->operator_name, NULL,
					    &err);
		if (rc == MO_OK)
			rc = agent_store_trip_put(s, id, f, me->operator_name, &err);
		rc = agent_commit_or_rollback(s, rc, &err);
	}
	if (rc != MO_OK) {
		cJSON_Delete(f);
		return agent_fail(ctx, rc, &err);
	}
	if (ctx->json) {
		cJSON_AddStringToObject(f, "id", id);
		agent_print_json(f);
	} else {
		agent_say(ctx, stdout, MSG_TRIP_STARTED, settlement, id);
	}
	cJSON_Delete(f);
	return AGENT_EXIT_OK;
}

static int trip_end(struct agent_ctx *ctx, struct agent_store *s, const struct agent_identity *me)
{
	char id[40], now[32];
	struct mo_err err = MO_ERR_INIT;
	cJSON *f;
	int rc;

	if (agent_store_trip_open(s, id, sizeof(id)) != MO_OK) {
		agent_say(ctx, stderr, MSG_NO_TRIP);
		return AGENT_EXIT_USAGE;
	}
	mo_iso8601(now, sizeof(now), mo_now_ms(), true);
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "ended_at", now);
	if ((rc = agent_store_begin(s, &err)) == MO_OK) {
		rc = agent_store_outbox_add(s, "trip", id, "upsert", f, me->operator_name, NULL,
					    &err);
		if (rc == MO_OK)
			rc = agent_store_trip_put(s, id, f, me->operator_name, &err);
		rc = agent_commit_or_rollback(s, rc, &err);
	}
	cJSON_Delete(f);
	if (rc != MO_OK)
		return agent_fail(ctx, rc, &err);
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "trip", id);
		cJSON_AddStringToObject(o, "ended_at", now);
		agent_print_json(o);
		cJSON_Delete(o);
	} else {
		char local[17];

		proto_time_kyiv(mo_now_ms(), local);
		agent_say(ctx, stdout, MSG_TRIP_ENDED, local);
	}
	return AGENT_EXIT_OK;
}

int agent_cmd_trip(struct agent_ctx *ctx, int argc, char **argv)
{
	struct agent_store *s;
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	const char *sub = argc > 0 ? argv[0] : "";
	int rc;

	if ((rc = agent_open(ctx, &s, &me, true)) != AGENT_EXIT_OK)
		return rc;
	if (strcmp(sub, "start") == 0)
		return trip_start(ctx, s, &me, argc - 1, argv + 1);
	if (strcmp(sub, "end") == 0)
		return trip_end(ctx, s, &me);
	if (strcmp(sub, "list") == 0) {
		cJSON *arr, *it;

		if ((rc = agent_store_trip_list(s, &arr, &err)) != MO_OK)
			return agent_fail(ctx, rc, &err);
		if (ctx->json) {
			agent_print_json(arr);
		} else {
			cJSON_ArrayForEach(it, arr)
			{
				const cJSON *e = cJSON_GetObjectItem(it, "ended_at");

				printf("%s  %-14s %s  %s → %s  (%d)\n",
				       cJSON_GetStringValue(cJSON_GetObjectItem(it, "id")),
				       cJSON_GetStringValue(cJSON_GetObjectItem(it, "kind")),
				       cJSON_GetStringValue(cJSON_GetObjectItem(it, "settlement")),
				       cJSON_GetStringValue(cJSON_GetObjectItem(it, "started_at")),
				       cJSON_IsString(e) ? e->valuestring : "…",
				       (int)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "cases")));
			}
		}
		cJSON_Delete(arr);
		return AGENT_EXIT_OK;
	}
	return agent_usage(ctx, "trip start|end|list");
}

/* ---- sync ---- */

int agent_cmd_sync(struct agent_ctx *ctx, int argc, char **argv)
{
	struct agent_sync_stats st;
	struct mo_err err = MO_ERR_INIT;
	struct agent_store *s;
	struct agent_identity me;
	int rc;

	const char *url = NULL;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--insecure-http") == 0) {
			ctx->insecure_http = true;
			continue;
		}
		if ((rc = agent_opt(argc, argv, &i, "--hub", &url)) != 0) {
			if (rc < 0)
				return agent_usage(ctx, "--hub URL");
			continue;
		}
		return agent_usage(ctx, argv[i]);
	}
	if ((rc = agent_open(ctx, &s, &me, true)) != AGENT_EXIT_OK)
		return rc;
	if (url) {
		/* the hub moved (new address): the pinned key still decides who it is */
		if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
			mo_err_set(&err, MO_EINVAL, "bad_field", "--hub");
			return agent_fail(ctx, MO_EINVAL, &err);
		}
		if ((rc = agent_store_begin(s, &err)) == MO_OK) {
			char u[512];
			size_t n = mo_strlcpy(u, url, sizeof(u));

			while (n > 0 && u[n - 1] == '/')
				u[--n] = '\0';
			rc = agent_meta_set(s, "hub_url", u, &err);
			rc = agent_commit_or_rollback(s, rc, &err);
		}
		if (rc != MO_OK)
			return agent_fail(ctx, rc, &err);
	}
	rc = agent_sync(ctx, &st, &err);
	if (rc != MO_OK)
		return agent_fail(ctx, rc, &err);
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "changes", (double)st.changes);
		cJSON_AddNumberToObject(o, "batches", (double)st.batches);
		cJSON_AddNumberToObject(o, "blobs", (double)st.blobs);
		cJSON_AddNumberToObject(o, "received", (double)st.received);
		cJSON_AddNumberToObject(o, "quarantined", (double)st.quarantined);
		cJSON_AddNumberToObject(o, "cursor", (double)agent_meta_get_i64(s, "cursor", 0));
		agent_print_json(o);
		cJSON_Delete(o);
	} else {
		agent_say(ctx, stdout, MSG_SYNC_DONE, st.changes, st.batches, st.blobs,
			  st.received);
		if (st.clock_reset)
			agent_say(ctx, stderr, MSG_CLOCK_RESET);
		if (st.quarantined)
			agent_say(ctx, stdout, MSG_SYNC_QUARANTINED, st.quarantined);
	}
	return AGENT_EXIT_OK;
}

/* ---- status ---- */

static void print_status(const struct agent_ctx *ctx, const struct agent_identity *me,
			 const cJSON *o)
{
	enum agent_lang L = ctx->lang;
	const cJSON *it;
	char last[40];

	printf("%s: %s (%s, %s)%s%s\n", agent_msg(L, MSG_ST_DEVICE), me->device_code, me->unit,
	       me->unit_name, me->revoked ? " — " : "",
	       me->revoked ? agent_msg(L, MSG_ST_REVOKED) : "");
	printf("%s: %s\n", agent_msg(L, MSG_ST_OPERATOR),
	       me->operator_name[0] ? me->operator_name : "—");
	agent_say(ctx, stdout, MSG_ST_PENDING,
		  (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "pending_changes")),
		  (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "pending_bytes")),
		  (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "pending_blobs")));
	it = cJSON_GetObjectItem(o, "last_sync");
	mo_strlcpy(last, cJSON_IsString(it) ? it->valuestring : agent_msg(L, MSG_ST_NEVER),
		   sizeof(last));
	printf("%s: %s\n", agent_msg(L, MSG_ST_LAST_SYNC), last);
	printf("%s:", agent_msg(L, MSG_ST_COUNTS));
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "counts"))
	{
		printf(" %s %d;", agent_status_word(L, it->string), (int)it->valuedouble);
	}
	printf("\n");
	if (cJSON_GetArraySize(cJSON_GetObjectItem(o, "quarantined")) > 0) {
		printf("%s:\n", agent_msg(L, MSG_ST_QUARANTINED));
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "quarantined"))
		{
			const cJSON *num = cJSON_GetObjectItem(it, "number");

			printf("  #%d %s %s: %s — %s\n",
			       (int)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "n")),
			       cJSON_IsString(num) ? num->valuestring : "",
			       cJSON_IsString(cJSON_GetObjectItem(it, "entity"))
				   ? cJSON_GetObjectItem(it, "entity")->valuestring
				   : "",
			       cJSON_GetStringValue(cJSON_GetObjectItem(it, "code")),
			       cJSON_GetStringValue(cJSON_GetObjectItem(it, "message")));
		}
	}
	if (cJSON_GetArraySize(cJSON_GetObjectItem(o, "decisions")) > 0) {
		printf("%s:\n", agent_msg(L, MSG_ST_DECISIONS));
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "decisions"))
		{
			const cJSON *to = cJSON_GetObjectItem(it, "to"),
				    *reason = cJSON_GetObjectItem(it, "reason");
			const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(it, "kind"));

			printf(
			    "  %s: %s%s%s\n",
			    cJSON_GetStringValue(cJSON_GetObjectItem(it, "number")),
			    kind && strcmp(kind, "comment") == 0
				? "💬"
				: agent_status_word(L, cJSON_IsString(to) ? to->valuestring : "?"),
			    cJSON_IsString(reason) ? " — " : "",
			    cJSON_IsString(reason) ? reason->valuestring : "");
		}
	}
	if (cJSON_GetArraySize(cJSON_GetObjectItem(o, "decisions")) > 0)
		printf("%s\n", agent_msg(L, MSG_ST_INBOX_HINT));
}

int agent_cmd_status(struct agent_ctx *ctx, int argc, char **argv)
{
	struct agent_store *s;
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	cJSON *o = NULL, *dec = NULL;
	char v[64];
	int rc;

	if (argc > 0)
		return agent_usage(ctx, argv[0]);
	if ((rc = agent_open(ctx, &s, &me, true)) != AGENT_EXIT_OK)
		return rc;
	if ((rc = agent_store_status_json(s, &o, &err)) != MO_OK)
		return agent_fail(ctx, rc, &err);
	/* news from the centre stays until marked seen (mo-agent inbox seen) */
	if ((rc = agent_store_unseen_decisions(s, false, &dec, &err)) != MO_OK) {
		cJSON_Delete(o);
		return agent_fail(ctx, rc, &err);
	}
	cJSON_AddItemToObject(o, "decisions", dec);
	cJSON_AddStringToObject(o, "device", me.device);
	cJSON_AddStringToObject(o, "device_code", me.device_code);
	cJSON_AddStringToObject(o, "unit", me.unit);
	cJSON_AddStringToObject(o, "operator", me.operator_name);
	cJSON_AddBoolToObject(o, "revoked", me.revoked);
	cJSON_AddNumberToObject(o, "cursor", (double)agent_meta_get_i64(s, "cursor", 0));
	if (agent_meta_get(s, "last_sync", v, sizeof(v)) == MO_OK)
		cJSON_AddStringToObject(o, "last_sync", v);
	else
		cJSON_AddNullToObject(o, "last_sync");
	if (ctx->json)
		agent_print_json(o);
	else
		print_status(ctx, &me, o);
	cJSON_Delete(o);
	return AGENT_EXIT_OK;
}

/* ---- receipt ---- */

int agent_cmd_receipt(struct agent_ctx *ctx, int argc, char **argv)
{
	struct agent_store *s;
	struct agent_identity me;
	struct agent_case c;
	struct mo_err err = MO_ERR_INIT;
	const char *id = NULL, *out = NULL, *paper = NULL;
	FILE *f = stdout;
	int rc;

	for (int i = 0; i < argc; i++) {
		if ((rc = agent_opt(argc, argv, &i, "--out", &out)) != 0) {
			if (rc < 0)
				return agent_usage(ctx, "--out");
			continue;
		}
		if ((rc = agent_opt(argc, argv, &i, "--paper", &paper)) != 0) {
			if (rc < 0)
				return agent_usage(ctx, "--paper");
			continue;
		}
		if (id)
			return agent_usage(ctx, argv[i]);
		id = argv[i];
	}
	if (id == NULL)
		return agent_usage(ctx, "receipt ID [--out FILE.html] [--paper A4|A5]");
	if ((rc = agent_open(ctx, &s, &me, true)) != AGENT_EXIT_OK)
		return rc;
	if ((rc = agent_store_case_get(s, id, &c, &err)) != MO_OK)
		return agent_fail(ctx, rc, &err);
	if (out && (f = fopen(out, "wb")) == NULL) {
		agent_case_release(&c);
		mo_err_set(&err, MO_EIO, NULL, "cannot write '%s'", out);
		return agent_fail(ctx, MO_EIO, &err);
	}
	rc = agent_receipt_write(ctx, s, &me, &c, paper, f, &err);
	if (out) {
		if (fclose(f) != 0 && rc == MO_OK)
			rc = mo_err_set(&err, MO_EIO, NULL, "cannot write '%s'", out);
		if (rc == MO_OK)
			agent_say(ctx, stderr, MSG_RECEIPT_WRITTEN, out);
	}
	agent_case_release(&c);
	return rc == MO_OK ? AGENT_EXIT_OK : agent_fail(ctx, rc, &err);
}

/* ---- inbox [--json], inbox seen NUMBER...|--all ---- */

static void print_inbox(struct agent_ctx *ctx, const cJSON *arr)
{
	const cJSON *it;

	if (cJSON_GetArraySize(arr) == 0) {
		printf("%s\n", agent_msg(ctx->lang, MSG_INBOX_EMPTY));
		return;
	}
	printf("%s:\n", agent_msg(ctx->lang, MSG_ST_DECISIONS));
	cJSON_ArrayForEach(it, arr)
	{
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(it, "kind"));
		const char *reason = cJSON_GetStringValue(cJSON_GetObjectItem(it, "reason"));
		const char *at = cJSON_GetStringValue(cJSON_GetObjectItem(it, "at"));
		int64_t ms = at ? proto_datetime_ms(at) : -1;
		char when[17];

		if (ms >= 0)
			proto_time_kyiv(ms, when);
		else
			mo_strlcpy(when, at ? at : "", sizeof(when));
		printf("  %s  %s %s: %s%s%s  (%s)\n",
		       cJSON_GetStringValue(cJSON_GetObjectItem(it, "number")),
		       cJSON_GetStringValue(cJSON_GetObjectItem(it, "surname")),
		       cJSON_GetStringValue(cJSON_GetObjectItem(it, "given_name")),
		       kind && strcmp(kind, "comment") == 0
			   ? (ctx->lang == AGENT_LANG_EN ? "comment" : "коментар")
			   : agent_status_word(ctx->lang, cJSON_GetStringValue(cJSON_GetObjectItem(
							      it, "status"))),
		       reason ? " — " : "", reason ? reason : "", when);
	}
	printf("%s\n", agent_msg(ctx->lang, MSG_ST_INBOX_HINT));
}

int agent_cmd_inbox(struct agent_ctx *ctx, int argc, char **argv)
{
	struct agent_store *s;
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	cJSON *arr = NULL;
	bool all = false;
	int rc, n = 0;

	if (argc > 0 && strcmp(argv[0], "seen") == 0) {
		for (int i = 1; i < argc; i++)
			if (strcmp(argv[i], "--all") == 0)
				all = true;
			else
				n++;
		if ((all && n > 0) || (!all && n == 0))
			return agent_usage(ctx, "inbox seen NUMBER... | inbox seen --all");
	} else if (argc > 0) {
		return agent_usage(ctx, argv[0]);
	}
	if ((rc = agent_open(ctx, &s, &me, true)) != AGENT_EXIT_OK)
		return rc;
	if (argc == 0) {
		if ((rc = agent_store_inbox(s, 10000, &arr, &err)) != MO_OK)
			return agent_fail(ctx, rc, &err);
		if (ctx->json)
			agent_print_json(arr);
		else
			print_inbox(ctx, arr);
		cJSON_Delete(arr);
		return AGENT_EXIT_OK;
	}
	/* all named cases or none: one transaction */
	if ((rc = agent_store_begin(s, &err)) == MO_OK) {
		for (int i = 1; i < argc && rc == MO_OK; i++)
			if (strcmp(argv[i], "--all") != 0)
				rc = agent_store_inbox_seen(s, argv[i], &err);
		if (rc == MO_OK && all)
			rc = agent_store_inbox_seen(s, NULL, &err);
		rc = agent_commit_or_rollback(s, rc, &err);
	}
	if (rc != MO_OK)
		return agent_fail(ctx, rc, &err);
	for (int i = 1; i < argc; i++)
		agent_say(ctx, stderr, MSG_INBOX_SEEN, argv[i]);
	return AGENT_EXIT_OK;
}

/* ---- service list [--search T] [--json] ---- */

int agent_cmd_service(struct agent_ctx *ctx, int argc, char **argv)
{
	struct agent_store *s;
	struct agent_identity me;
	struct mo_err err = MO_ERR_INIT;
	const char *text = NULL;
	const cJSON *it, *m;
	cJSON *arr = NULL;
	int rc;

	if (argc < 1 || strcmp(argv[0], "list") != 0)
		return agent_usage(ctx, "service list [--search ТЕКСТ]");
	for (int i = 1; i < argc; i++) {
		if ((rc = agent_opt(argc, argv, &i, "--search", &text)) != 0) {
			if (rc < 0)
				return agent_usage(ctx, "--search");
			continue;
		}
		return agent_usage(ctx, argv[i]);
	}
	if ((rc = agent_open(ctx, &s, &me, true)) != AGENT_EXIT_OK)
		return rc;
	if ((rc = agent_store_service_search(s, text, &arr, &err)) != MO_OK)
		return agent_fail(ctx, rc, &err);
	if (ctx->json) {
		agent_print_json(arr);
		cJSON_Delete(arr);
		return AGENT_EXIT_OK;
	}
	if (cJSON_GetArraySize(arr) == 0)
		printf("%s\n", ctx->lang == AGENT_LANG_EN
				   ? "No service matches. Try part of the title or the code."
				   : "Такої послуги не знайдено. Спробуйте частину назви або код.");
	cJSON_ArrayForEach(it, arr)
	{
		const char *title = cJSON_GetStringValue(cJSON_GetObjectItem(
		    it, ctx->lang == AGENT_LANG_EN ? "title_en" : "title"));
		double fee = cJSON_GetNumberValue(cJSON_GetObjectItem(it, "fee_uah"));

		if (title == NULL || *title == '\0')
			title = cJSON_GetStringValue(cJSON_GetObjectItem(it, "title"));
		printf("%-10s %s", cJSON_GetStringValue(cJSON_GetObjectItem(it, "code")), title);
		if (fee > 0)
			printf(ctx->lang == AGENT_LANG_EN ? " — %.0f UAH" : " — %.0f грн", fee);
		putchar('\n');
		cJSON_ArrayForEach(m, cJSON_GetObjectItem(it, "members"))
		{
			printf("           + %s %s\n",
			       cJSON_GetStringValue(cJSON_GetObjectItem(m, "code")),
			       cJSON_GetStringValue(cJSON_GetObjectItem(m, "title")));
		}
	}
	cJSON_Delete(arr);
	return AGENT_EXIT_OK;
}
