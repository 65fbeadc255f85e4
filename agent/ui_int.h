/*
 * ui_int.h — internals shared by the files of the local browser UI
 * (`mo-agent ui`): ui.c (the HTTP server and its defences), ui_api.c (the
 * JSON API, a thin face over case.h / store.h / sync.h like the CLI) and
 * ui_sync.c (a sync in its own thread with its own store connection).
 *
 * Threading: libmicrohttpd runs ONE internal polling thread and no pool,
 * so every handler runs on that thread, one at a time, and may use the one
 * store connection (ui->store) freely.  The only other thread is a running
 * sync; it shares nothing with the handlers but struct ui_sync, whose
 * fields are atomics (the strings are written before `state` is released).
 */
#ifndef AGENT_UI_INT_H
#define AGENT_UI_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "agent.h"
#include "case.h"
#include "mo_buf.h"
#include "mo_err.h"
#include "store.h"

#define UI_BODY_MAX (256u << 10) /* JSON bodies */
#define UI_SCAN_MAX (20ll << 20) /* one scanned document */
#define UI_TOKEN_HEX 65		 /* 32 random bytes as hex + NUL */
#define UI_COOKIE "mo_field"

enum ui_sync_state { UI_SYNC_IDLE = 0, UI_SYNC_RUNNING, UI_SYNC_DONE, UI_SYNC_FAILED };

struct agent_thread;

struct ui_sync {
	atomic_int state;		  /* enum ui_sync_state */
	atomic_llong start_ms, end_ms;	  /* wall clock of the run */
	atomic_llong changes0, bytes0;	  /* pending at the start */
	atomic_llong sent_changes, blobs; /* results (DONE) */
	atomic_llong received;
	char hub_url[512]; /* for the no-link message */
	char message[600]; /* DONE/FAILED: a sentence for people (written before state) */
	struct agent_thread *thread;
	struct agent_ctx ctx; /* the sync's own copy: its own store connection */
};

/* the one signed-in person of this launch (the key is exchanged once) */
struct ui_session {
	bool active;
	char sid[UI_TOKEN_HEX];
	char csrf[UI_TOKEN_HEX];
	char operator_name[112]; /* "" = nobody signed in */
	uint64_t last_ms;	 /* last activity of the operator */
	enum agent_lang lang;
};

struct agent_ui {
	struct agent_ctx *ctx;
	struct agent_store *store; /* the handlers' connection (MHD thread only) */
	unsigned port;
	char host_ip[32];	/* "127.0.0.1:PORT" */
	char host_name[32];	/* "localhost:PORT" */
	char origin_ip[48];	/* "http://127.0.0.1:PORT" */
	char origin_name[48];	/* "http://localhost:PORT" */
	char key[UI_TOKEN_HEX]; /* the launch key, "" once exchanged */
	uint64_t idle_ms;
	struct ui_session sess;
	struct ui_sync sync;
};

/* one API call as the handlers see it (already past the defences) */
struct ui_call {
	const char *method;
	const char *path; /* after "/api/" */
	const char *(*arg)(void *ctx, const char *name);
	void *arg_ctx;
	cJSON *json;		 /* the parsed body (POST), NULL when none */
	const char *header_name; /* scan upload: X-File-Name (percent-encoded) */
	const char *upload_path; /* scan upload: the received bytes, in a temp file */
	long long upload_size;
};

struct ui_res {
	unsigned status;
	struct mo_buf body;
	const char *ctype;
	const char *csp; /* NULL: the default of JSON answers */
};

/* ---- ui_api.c ---- */
void ui_api_handle(struct agent_ui *ui, struct ui_call *call, struct ui_res *res);
/* GET /receipt/KEY?paper=A4|A5: the printable receipt page */
void ui_receipt_page(struct agent_ui *ui, const char *key, const char *paper, struct ui_res *res);
/* the JSON error answer {"error":{"code","message"}} */
void ui_error(struct ui_res *res, unsigned status, const char *code, const char *message);
/* a cJSON value as the answer (consumed) */
void ui_json(struct ui_res *res, unsigned status, cJSON *v);
const char *ui_text(const struct agent_ui *ui, const char *uk, const char *en);

/* ---- ui_sync.c ---- */
/* start a sync unless one runs: MO_OK, MO_ECONFLICT when running */
int ui_sync_start(struct agent_ui *ui, struct mo_err *err);
/* {"state","changes_total","changes_done","bytes_total","bytes_done","eta_s",...} */
cJSON *ui_sync_json(struct agent_ui *ui);
/* join a finished or running sync (at exit) */
void ui_sync_join(struct agent_ui *ui);

#endif
