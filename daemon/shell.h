/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon shell: the sd-event loop that owns the engine, the UDP sockets, the kernel glue
 * and the pppd processes, and carries out the engine's actions (design.md §2). The control
 * server (ctl_server.c) drives the daemon only through these functions.
 */
#ifndef L2TPKD_SHELL_H
#define L2TPKD_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "engine.h"

struct shell;
struct kglue;

struct shell_options {
	const char *conf_path; /* re-read on reload */
	const char *ctl_path;  /* the control socket */
	bool debug;	       /* debug logging whatever the configuration says */
	char *const *argv;     /* the command line, to restart in place with */
};

/*
 * Opens the kernel glue, the listeners and the control socket, taking conf (freed by the
 * shell, also on failure). On failure *why says what an operator must fix; shell_free()
 * releases what was made.
 */
int shell_new(struct shell **out, struct l2tpkd_conf *conf, const struct shell_options *opt, char *why,
	      size_t why_len);
/* Runs until SIGTERM/SIGINT (StopCCN to every peer, pppd stopped). The exit status. */
int shell_run(struct shell *sh);
void shell_free(struct shell *sh);

struct engine *shell_engine(struct shell *sh);
struct kglue *shell_kglue(struct shell *sh);
const struct l2tpkd_conf *shell_conf(struct shell *sh);

/*
 * l2tpctl tunnel add: opens a tunnel to peer (a [peer] name or an address). 0 with *tunnel_id,
 * or a negative errno with a one-line reason in why.
 */
int shell_tunnel_add(struct shell *sh, const char *peer, uint16_t *tunnel_id, char *why, size_t why_len);
/* l2tpctl tunnel del: StopCCN (Result 1, "cleared by the operator") to the peer. 0 or -ENOENT. */
int shell_tunnel_del(struct shell *sh, uint16_t tunnel_id);
/*
 * Our end of tunnel_id as its socket is bound and connected: 0, or -ENOENT (no socket yet).
 * More exact than the engine's idea (an address the shell chose, for a tunnel it opened).
 */
int shell_tunnel_local(struct shell *sh, uint16_t tunnel_id, struct l2tp_addr *local);
/* The monotonic clock the engine runs on, in ms. */
uint64_t shell_now(void);

/*
 * l2tpctl session add: an incoming call (ICRQ) as LAC. With tunnel_id 0 it goes on an
 * established or opening tunnel to peer that has room, else on a new one. 0 with the IDs, or
 * a negative errno with a reason.
 */
int shell_session_add(struct shell *sh, const char *peer, uint16_t tunnel_id, const struct engine_call_info *info,
		      uint16_t *out_tunnel_id, uint16_t *out_session_id, char *why, size_t why_len);
/*
 * Places an incoming call through peer group "group" with extended failover: 0 with the
 * request's ID (SHELL_EV_REQUEST_DONE tells where it landed), or a negative errno with a reason.
 */
int shell_session_request(struct shell *sh, const char *group, const struct engine_call_info *info,
			  uint32_t *request_id, char *why, size_t why_len);
/* l2tpctl session del: CDN (Result 3, "cleared by the operator"). 0 or -ENOENT. */
int shell_session_del(struct shell *sh, uint16_t tunnel_id, uint16_t session_id);
/*
 * l2tpctl restart / SIGUSR2: once the current event is done, l2tpkd re-executes itself (the
 * program on disk: a binary upgrade) with its tunnel sockets, pppd log pipes and state, and
 * the new process resynchronises every tunnel; no session is lost. 0, or -ESHUTDOWN
 * (stopping already), -ENOENT (no state store).
 */
int shell_restart(struct shell *sh);
/* l2tpctl reload / SIGHUP: 0, or -EINVAL with why (the old configuration stays). */
int shell_reload(struct shell *sh, char *why, size_t why_len);

/* The pppd of a session: 0 with its pid and interface name ("" until pppd named it), or -ENOENT. */
int shell_session_pppd(struct shell *sh, uint16_t tunnel_id, uint16_t session_id, pid_t *pid, char ifname[16]);

/* What l2tpctl monitor streams. */
enum shell_event_type {
	SHELL_EV_TUNNEL_UP,
	SHELL_EV_TUNNEL_DOWN,
	SHELL_EV_SESSION_UP,
	SHELL_EV_SESSION_DOWN,
	SHELL_EV_PPP_UP, /* pppd named its interface */
	SHELL_EV_RELOAD,
	SHELL_EV_REQUEST_DONE, /* a group call: up (tunnel and session IDs) or failed (result, error) */
};
struct shell_event {
	enum shell_event_type type;
	uint16_t tunnel_id, peer_tunnel_id, session_id, peer_session_id;
	struct l2tp_addr peer;
	uint16_t result, error; /* DOWN events */
	const char *message;	/* DOWN: the peer's or our error message; PPP_UP: interface; may be NULL */
	bool by_peer;
	uint32_t request_id; /* REQUEST_DONE */
	bool request_ok;
	uint32_t failovers;
};

#endif
