/*
 * ui.h — `mo-agent ui`: the field workstation as a local web page (ui.c).
 */
#ifndef AGENT_UI_H
#define AGENT_UI_H

#include "agent.h"

/* mo-agent ui [--listen 127.0.0.1:PORT] [--no-browser] [--idle-minutes N] */
int agent_cmd_ui(struct agent_ctx *ctx, int argc, char **argv);

#endif
