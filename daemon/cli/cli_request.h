/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A request as l2tpctl's grammar fills it, and its encoding as one control-socket message
 * (include/l2tp/ctl.h). Unset fields are left out of the message; the daemon decides which
 * ones a request needs.
 */
#ifndef L2TPKD_CLI_REQUEST_H
#define L2TPKD_CLI_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cli_request {
	uint16_t type; /* L2TPKD_CTL_MSG_* */
	bool dump;     /* NLM_F_DUMP */
	uint16_t tunnel_id, session_id; /* 0: not given */
	const char *peer;		/* NULL: not given */
	const char *group;		/* a [group] name; NULL: not given */
	const char *calling, *called;	/* session add */
	uint32_t bearer;		/* L2TP_BEARER_* bits; 0: not given */
	uint32_t tx_speed;
	bool has_tx_speed;
	bool has_drain, drain; /* drain on|off */
};

/*
 * The message for r with sequence number seq in buf: its length, or -EMSGSIZE if buf is too
 * small or a string longer than the protocol allows.
 */
int cli_request_encode(const struct cli_request *r, uint32_t seq, void *buf, size_t len);

#endif
