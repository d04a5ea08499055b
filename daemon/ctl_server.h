/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control server: the daemon's side of l2tpctl's socket (include/l2tp/ctl.h).
 *
 * Two layers. ctl_server.c is the transport: the listening AF_UNIX SOCK_SEQPACKET socket on
 * the sd-event loop, connections and their credentials, request framing and validation,
 * replies, ACKs and errors, dumps paced by the client's reading, and events to subscribers.
 * It knows no command: it dispatches to a table of struct ctl_command. ctl_cmds.c is that
 * table for the daemon, built on the shell (daemon/shell.h); tests give a fake one.
 */
#ifndef L2TPKD_CTL_SERVER_H
#define L2TPKD_CTL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "ctl_proto.h"

struct ctl_server;
struct shell;
struct shell_event;

/* The daemon's control server on path (NULL: L2TPKD_CTL_SOCKET_PATH), commands of ctl_cmds.c. */
int ctl_server_new(sd_event *ev, struct shell *sh, const char *path, struct ctl_server **out, char *why,
		   size_t why_len);
/* Closes every connection and unlinks the socket. Not from inside a command. */
void ctl_server_free(struct ctl_server *s);
/* Sends the event to every monitor connection; one that does not keep up is closed. */
void ctl_server_event(struct ctl_server *s, const struct shell_event *ev);

/* Where a command writes its reply messages. */
struct ctl_out;

/* A validated request, as a command sees it. */
struct ctl_request {
	const struct nlmsghdr *nlh;
	const struct nlattr *const *tb; /* [L2TPKD_CTL_A_MAX + 1], checked against ctl_policy_top */
	void *ctx;			/* the server's context (the daemon's shell) */
	uid_t uid;			/* who asked, as the kernel saw it at connect() */
	pid_t pid;
};

/*
 * One request type. doit answers a request without NLM_F_DUMP: it may add reply messages and
 * returns 0 (then the ACK is sent) or a negative errno with a reason in why. A dump is
 * dump_start (may refuse, as doit), then dump_next until it returns 0 (done) or a negative
 * errno; it returns 1 to be called again once the client has read (it must add at least one
 * message first, and should stop when ctl_out_full()). The request is gone once dump_start
 * returns: it copies what the dump needs into its state, which dump_free releases whenever
 * the dump ends. Commands run on the event loop and must not block for long.
 */
struct ctl_command {
	uint16_t type;	 /* L2TPKD_CTL_MSG_* */
	bool changes;	 /* needs root or the admin group */
	bool subscribes; /* on success the connection receives events (monitor) */
	int (*doit)(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len);
	int (*dump_start)(const struct ctl_request *req, void **state, char *why, size_t why_len);
	int (*dump_next)(void *ctx, void *state, struct ctl_out *out, char *why, size_t why_len);
	void (*dump_free)(void *state);
};

struct ctl_server_config {
	const char *path;
	const struct ctl_command *commands;
	size_t n_commands;
	void *ctx;
	gid_t admin_gid; /* members may change things, and the socket's group; (gid_t)-1: root only */
	/* Connections refused or dropped by the limits, one line each; NULL: not told. */
	void (*log)(void *ctx, const char *text);
};

/*
 * Binds the socket (a stale one is replaced, a live one refused), mode 0660 and group
 * admin_gid, and serves it on ev. 0, or a negative errno with why.
 */
int ctl_server_open(sd_event *ev, const struct ctl_server_config *cfg, struct ctl_server **out, char *why,
		    size_t why_len);
/* Queues a copy of the message (one datagram) to every subscriber. */
void ctl_server_broadcast(struct ctl_server *s, const struct nlmsghdr *nlh);
/* The credential rule: uid 0, or admin_gid as primary or supplementary group. */
bool ctl_peer_privileged(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups, gid_t admin_gid);

/* Starts a reply message (the request's type, seq and pid; NLM_F_MULTI in a dump). */
void ctl_out_begin(struct ctl_out *o, struct ctl_msg *m);
/* Ends it: 0, -EMSGSIZE (it did not fit in one datagram; dropped) or -ENOMEM. */
int ctl_out_end(struct ctl_out *o, struct ctl_msg *m);
/* Enough is queued: a dump should return 1 and continue once the client has read. */
bool ctl_out_full(const struct ctl_out *o);

#endif
