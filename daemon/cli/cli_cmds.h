/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What each l2tpctl command does once its arguments are parsed: connect, send the request,
 * print the answer through the one print path. Each returns an exit code (cli.h) and leaves
 * the reason for a failure in ctx->why.
 */
#ifndef L2TPKD_CLI_CMDS_H
#define L2TPKD_CLI_CMDS_H

#include <signal.h>
#include <stdio.h>

#include "cli.h"
#include "cli_print.h"
#include "cli_request.h"

struct cli_ctx {
	const char *socket_path;
	enum pr_mode mode;
	FILE *out;
	unsigned timeout_s;	      /* per answer; monitor waits for ever */
	volatile sig_atomic_t *stop;  /* set by SIGINT/SIGTERM: monitor ends */
	char why[CLI_WHY_MAX];
};

typedef int (*cli_run_fn)(struct cli_ctx *x, struct cli_request *r);

int cli_run_tunnel_show(struct cli_ctx *x, struct cli_request *r);
int cli_run_session_show(struct cli_ctx *x, struct cli_request *r);
int cli_run_peer_show(struct cli_ctx *x, struct cli_request *r);
/* Prints the new IDs, or the request ID of a call placed through a group. */
int cli_run_add(struct cli_ctx *x, struct cli_request *r);
/* del, reload, restart, peer clear-busy, drain: the ACK only. */
int cli_run_change(struct cli_ctx *x, struct cli_request *r);
int cli_run_stats(struct cli_ctx *x, struct cli_request *r);
int cli_run_monitor(struct cli_ctx *x, struct cli_request *r);
int cli_run_version(struct cli_ctx *x, struct cli_request *r);
int cli_run_lns_show(struct cli_ctx *x, struct cli_request *r);

#endif
