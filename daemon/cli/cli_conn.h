/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl's connection to the daemon: connect to the socket, send one request, read its
 * answer (reply messages, then the ACK, the error or the end of a dump) and hand each reply's
 * validated attributes to a callback. The reply parsing works on a buffer, without a socket,
 * so the tests feed it hostile replies directly.
 */
#ifndef L2TPKD_CLI_CONN_H
#define L2TPKD_CLI_CONN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl_proto.h"
#include "cli.h"
#include "cli_request.h"

/*
 * A reply message's attributes (tb[L2TPKD_CTL_A_MAX + 1], validated). Returns CLI_EXIT_OK, or
 * CLI_EXIT_PROTOCOL with a reason in why (then the exchange stops).
 */
typedef int (*cli_reply_fn)(const struct nlattr *const *tb, void *arg, char *why, size_t why_len);

struct cli_conn {
	int fd;
	uint32_t seq;
	const char *path;
	unsigned timeout_s; /* for each answer; 0: wait for ever */
};

/* CLI_EXIT_OK, or CLI_EXIT_UNREACHABLE with which path and why. */
int cli_connect(struct cli_conn *c, const char *path, char *why, size_t why_len);
void cli_close(struct cli_conn *c);

/*
 * Sends r and reads its answer to the end. CLI_EXIT_OK; CLI_EXIT_REFUSED with the daemon's
 * text; CLI_EXIT_UNREACHABLE if the connection broke; CLI_EXIT_PROTOCOL for a bad answer; or
 * what fn returned.
 */
int cli_transact(struct cli_conn *c, const struct cli_request *r, cli_reply_fn fn, void *arg, char *why,
		 size_t why_len);

/*
 * After a MONITOR request: fn for each event until *stop is set (by a signal) or the daemon
 * closes the connection (CLI_EXIT_UNREACHABLE).
 */
int cli_events(struct cli_conn *c, cli_reply_fn fn, void *arg, volatile sig_atomic_t *stop, char *why,
	       size_t why_len);

/* The answer to request (type, seq) being read: what cli_answer_feed needs between datagrams. */
struct cli_answer {
	uint16_t type;
	uint32_t seq;
	cli_reply_fn fn;
	void *arg;
	bool done; /* the ACK, error or end of dump was seen */
};

/*
 * One received datagram of the answer: each message checked and reply messages passed to fn.
 * Messages of other sequence numbers (events) are skipped. CLI_EXIT_* as cli_transact.
 */
int cli_answer_feed(struct cli_answer *a, const void *buf, size_t len, char *why, size_t why_len);

/*
 * The status an NLMSG_ERROR or NLMSG_DONE carries: 0 or a negative errno in *err, and the
 * extended-ack text (or strerror) in why. -EBADMSG if the message is malformed.
 */
int cli_status(const struct nlmsghdr *nlh, int *err, char *why, size_t why_len);

#endif
