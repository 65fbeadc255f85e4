/*
 * ctx.c — the context every command runs in: its store opened on first use.
 * Its own file so that sync.c and the UI need not reach into cli.c.
 */
#include <stdio.h>

#include "agent.h"
#include "mo_util.h"
#include "platform.h"
#include "store.h"

int agent_ctx_store(struct agent_ctx *ctx, struct agent_store **out, struct mo_err *err)
{
	int rc;

	if (ctx->store == NULL) {
		if ((rc = agent_mkdir_p(ctx->data_dir, err)) != MO_OK)
			return rc;
		snprintf(ctx->db_path, sizeof(ctx->db_path), "%s/agent.db", ctx->data_dir);
		if ((rc = agent_store_open(&ctx->store, ctx->db_path, err)) != MO_OK)
			return rc;
	}
	*out = ctx->store;
	return MO_OK;
}
