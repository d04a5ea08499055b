/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-message rules: which AVPs each message type must carry and which it may carry
 * (RFC 2661 §6, RFC 4951 §4-5), and whether an error in it clears the tunnel or one session.
 */
#ifndef L2TPKD_MSG_RULES_H
#define L2TPKD_MSG_RULES_H

#include <stdint.h>

enum msg_scope {
	MSG_SCOPE_TUNNEL,  /* errors answered with StopCCN */
	MSG_SCOPE_SESSION, /* errors answered with CDN */
};

struct msg_rule {
	uint16_t type;
	const char *name; /* "SCCRQ" */
	enum msg_scope scope;
	uint64_t mandatory; /* AVP_BIT(slot) set */
	uint64_t allowed;   /* includes mandatory */
};

/* The rule for a message type, or NULL for a type the codec does not know. */
const struct msg_rule *msg_rule_of(uint16_t type);
/* "ICRQ", or "unknown". */
const char *msg_type_name(uint16_t type);

#endif
