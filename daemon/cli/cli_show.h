/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How l2tpctl shows each kind of reply, through the one print path (cli_print.h): one function
 * per object, given the reply's validated attributes. Optional values absent from a reply are
 * JSON null and left out of text, so JSON keys are stable. Each returns CLI_EXIT_OK, or
 * CLI_EXIT_PROTOCOL with why if a nested attribute is malformed.
 */
#ifndef L2TPKD_CLI_SHOW_H
#define L2TPKD_CLI_SHOW_H

#include <stddef.h>

#include "cli_print.h"
#include "ctl_proto.h"

typedef const struct nlattr *const *cli_attrs;

int cli_show_tunnel(struct printer *p, cli_attrs tb, char *why, size_t why_len);
int cli_show_session(struct printer *p, cli_attrs tb, char *why, size_t why_len);
/* stats: the totals (inside the open object), a tunnel's or a session's counters (blocks). */
int cli_show_engine(struct printer *p, cli_attrs tb, char *why, size_t why_len);
int cli_show_tunnel_stats(struct printer *p, cli_attrs tb, char *why, size_t why_len);
int cli_show_session_stats(struct printer *p, cli_attrs tb, char *why, size_t why_len);
int cli_show_event(struct printer *p, cli_attrs tb, char *why, size_t why_len);
/* version: the client's version with the daemon's (inside the open object). */
int cli_show_version(struct printer *p, cli_attrs tb, const char *client_version, char *why, size_t why_len);
/* The IDs an add made (inside the open object). */
int cli_show_ids(struct printer *p, cli_attrs tb, char *why, size_t why_len);
/* The request ID of a call placed through a group (inside the open object). */
int cli_show_request(struct printer *p, cli_attrs tb, char *why, size_t why_len);
/* peer show: one endpoint of a peer group (a block). */
int cli_show_peer(struct printer *p, cli_attrs tb, char *why, size_t why_len);
/* lns show: accepting, drain, the admission limits and the totals (inside the open object). */
int cli_show_lns(struct printer *p, cli_attrs tb, char *why, size_t why_len);

#endif
