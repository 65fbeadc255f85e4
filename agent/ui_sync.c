/*
 * ui_sync.c — a sync started from the browser runs in its own thread with
 * its own store connection (a copy of the context whose store is opened
 * lazily by agent_sync), so the page stays responsive; SQLite's WAL and busy
 * timeout let the handlers' connection read and write meanwhile.  Progress
 * is measured from the handlers' side: what was pending when the sync began
 * against what is pending now (changes are marked sent batch by batch).
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "mo_util.h"
#include "platform.h"
#include "sync.h"
#include "ui_int.h"

static void failure_text(const struct ui_sync *y, int rc, const struct mo_err *err, char *out,
			 size_t len)
{
	enum agent_lang L = y->ctx.lang;
	int code = agent_exit_for(rc, err);

	if (code == AGENT_EXIT_NETWORK) {
		/* the hub's address, never the transport's error text */
		snprintf(out, len, agent_msg(L, MSG_NETWORK), y->hub_url);
	} else if (agent_refusal_msg(err) >= 0) {
		mo_strlcpy(out, agent_msg(L, (enum agent_msg_id)agent_refusal_msg(err)), len);
	} else if (code == AGENT_EXIT_REFUSED) {
		snprintf(out, len, agent_msg(L, MSG_REFUSED), err->msg, err->code);
	} else {
		snprintf(out, len, agent_msg(L, MSG_STORAGE),
			 err->msg[0] ? err->msg : mo_strerror(rc));
	}
}

static void sync_main(void *arg)
{
	struct agent_ui *ui = arg;
	struct ui_sync *y = &ui->sync;
	struct agent_sync_stats st;
	struct mo_err err = MO_ERR_INIT;
	int rc;

	memset(&st, 0, sizeof(st));
	rc = agent_sync(&y->ctx, &st, &err);
	agent_store_close(y->ctx.store);
	y->ctx.store = NULL;
	atomic_store(&y->sent_changes, st.changes);
	atomic_store(&y->blobs, st.blobs);
	atomic_store(&y->received, st.received);
	if (rc == MO_OK)
		snprintf(y->message, sizeof(y->message), agent_msg(y->ctx.lang, MSG_SYNC_DONE),
			 st.changes, st.batches, st.blobs, st.received);
	else
		failure_text(y, rc, &err, y->message, sizeof(y->message));
	atomic_store(&y->end_ms, (long long)mo_now_ms());
	/* release: the message above is complete before anyone sees the state */
	atomic_store(&y->state, rc == MO_OK ? UI_SYNC_DONE : UI_SYNC_FAILED);
}

int ui_sync_start(struct agent_ui *ui, struct mo_err *err)
{
	struct ui_sync *y = &ui->sync;
	long long bytes = 0;
	int rc;

	if (atomic_load(&y->state) == UI_SYNC_RUNNING)
		return mo_err_set(err, MO_ECONFLICT, "sync_running", "a sync is running");
	ui_sync_join(ui); /* the previous, finished run */
	atomic_store(&y->changes0, agent_store_pending_changes(ui->store, &bytes));
	atomic_store(&y->bytes0, bytes);
	atomic_store(&y->start_ms, (long long)mo_now_ms());
	atomic_store(&y->end_ms, 0);
	y->message[0] = '\0';
	agent_meta_get(ui->store, "hub_url", y->hub_url, sizeof(y->hub_url));
	y->ctx = *ui->ctx;
	y->ctx.store = NULL; /* its own connection */
	y->ctx.lang = ui->sess.lang;
	y->ctx.quiet = true;
	atomic_store(&y->state, UI_SYNC_RUNNING);
	if ((rc = agent_thread_start(&y->thread, sync_main, ui)) != MO_OK) {
		atomic_store(&y->state, UI_SYNC_IDLE);
		return mo_err_set(err, rc, NULL, "cannot start the sync");
	}
	return MO_OK;
}

void ui_sync_join(struct agent_ui *ui)
{
	if (ui->sync.thread == NULL)
		return;
	agent_thread_join(ui->sync.thread);
	ui->sync.thread = NULL;
}

cJSON *ui_sync_json(struct agent_ui *ui)
{
	struct ui_sync *y = &ui->sync;
	int state = atomic_load(&y->state);
	static const char *const NAMES[] = {"idle", "running", "done", "failed"};
	long long bytes = 0, pending = agent_store_pending_changes(ui->store, &bytes);
	long long total = atomic_load(&y->changes0), btotal = atomic_load(&y->bytes0);
	long long done = total - pending, bdone = btotal - bytes;
	long long t0 = atomic_load(&y->start_ms), now = (long long)mo_now_ms();
	cJSON *o = cJSON_CreateObject();
	char last[64] = "";

	if (o == NULL)
		return NULL;
	/* never more done than total: new changes recorded meanwhile are not this run's */
	done = done < 0 ? 0 : done > total ? total : done;
	bdone = bdone < 0 ? 0 : bdone > btotal ? btotal : bdone;
	if (state == UI_SYNC_DONE) {
		done = total;
		bdone = btotal;
	}
	cJSON_AddStringToObject(o, "state", NAMES[state]);
	cJSON_AddNumberToObject(o, "changes_total", (double)total);
	cJSON_AddNumberToObject(o, "changes_done", (double)done);
	cJSON_AddNumberToObject(o, "bytes_total", (double)btotal);
	cJSON_AddNumberToObject(o, "bytes_done", (double)bdone);
	if (state == UI_SYNC_RUNNING && done > 0 && done < total)
		cJSON_AddNumberToObject(o, "eta_s",
					(double)((now - t0) * (total - done) / done / 1000));
	if (state == UI_SYNC_DONE || state == UI_SYNC_FAILED) {
		cJSON_AddStringToObject(o, "message", y->message);
		cJSON_AddNumberToObject(o, "received", (double)atomic_load(&y->received));
	}
	cJSON_AddNumberToObject(o, "pending_changes", (double)pending);
	cJSON_AddNumberToObject(o, "pending_bytes", (double)bytes);
	agent_meta_get(ui->store, "last_sync", last, sizeof(last));
	cJSON_AddStringToObject(o, "last_sync", last);
	return o;
}
