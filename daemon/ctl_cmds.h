/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's control commands (the struct ctl_command table of ctl_cmds.c), split in two:
 * ctl_cmds.c has the table, the changing commands and events; ctl_show.c the show and stats
 * commands, which read the engine's views, pppd and the kernel's counters.
 */
#ifndef L2TPKD_CTL_CMDS_H
#define L2TPKD_CTL_CMDS_H

#include "ctl_server.h"
#include "engine.h"

/* The table ctl_server_new() serves (tests serve it with their own shell). */
const struct ctl_command *ctl_cmds_table(size_t *n);
/* The server's log hook: one notice line. */
void ctl_cmds_log(void *ctx, const char *text);

/* TUNNEL_GET and SESSION_GET without NLM_F_DUMP: one object. */
int ctl_show_tunnel(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len);
int ctl_show_session(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len);
/* The dumps of TUNNEL_GET, SESSION_GET and STATS; ctl_show_dump_next and _free serve all three. */
int ctl_show_tunnels_start(const struct ctl_request *req, void **state, char *why, size_t why_len);
int ctl_show_sessions_start(const struct ctl_request *req, void **state, char *why, size_t why_len);
int ctl_show_stats_start(const struct ctl_request *req, void **state, char *why, size_t why_len);
int ctl_show_dump_next(void *ctx, void *state, struct ctl_out *out, char *why, size_t why_len);
void ctl_show_dump_free(void *state);

/* ctl_failover.c: peer show (a dump), peer clear-busy, drain, lns show. */
int ctl_peer_dump_start(const struct ctl_request *req, void **state, char *why, size_t why_len);
int ctl_peer_dump_next(void *ctx, void *state, struct ctl_out *out, char *why, size_t why_len);
void ctl_peer_dump_free(void *state);
int ctl_peer_clear_busy(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len);
int ctl_drain(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len);
int ctl_lns_show(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len);

/* A string attribute the daemon logs: NULL (why) if absent or with control characters. */
const char *ctl_request_text(const struct ctl_request *req, uint16_t type, const char *what, char *why,
			     size_t why_len);
/* The engine's totals as an ENGINE nest. */
void ctl_put_engine(struct ctl_msg *m, const struct engine *e);
/* An address as LOCAL_IP/LOCAL_PORT or PEER_IP/PEER_PORT (nothing if its family is unknown). */
void ctl_put_addr(struct ctl_msg *m, uint16_t ip_type, uint16_t port_type, const struct l2tp_addr *a);
/* A 16-bit ID attribute of a request: 0 with *id, -ENOENT if absent, -EINVAL (why) if 0. */
int ctl_get_id(const struct ctl_request *req, uint16_t type, uint16_t *id, char *why, size_t why_len);
/* The same for a required one: -EINVAL (why) if absent. */
int ctl_need_id(const struct ctl_request *req, uint16_t type, uint16_t *id, char *why, size_t why_len);

#endif
