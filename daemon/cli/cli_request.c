/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Encodes l2tpctl's requests. Strings are refused rather than cut when they exceed the
 * protocol's bounds: a cut peer name or number would silently mean something else.
 */
#include "cli_request.h"

#include <errno.h>
#include <string.h>

#include "ctl_proto.h"

static bool fits(const char *s, size_t max)
{
	return !s || strlen(s) < max;
}

static void put_call(struct ctl_msg *m, const struct cli_request *r)
{
	struct nlattr *nest;

	if (!r->calling && !r->called && !r->bearer && !r->has_tx_speed)
		return;
	nest = ctl_nest_begin(m, L2TPKD_CTL_A_CALL);
	if (r->calling)
		ctl_put_str(m, L2TPKD_CTL_CALL_A_CALLING_NUMBER, r->calling, L2TPKD_CTL_NUMBER_MAX);
	if (r->called)
		ctl_put_str(m, L2TPKD_CTL_CALL_A_CALLED_NUMBER, r->called, L2TPKD_CTL_NUMBER_MAX);
	if (r->bearer)
		ctl_put_u32(m, L2TPKD_CTL_CALL_A_BEARER_TYPE, r->bearer);
	if (r->has_tx_speed)
		ctl_put_u32(m, L2TPKD_CTL_CALL_A_TX_SPEED, r->tx_speed);
	ctl_nest_end(m, nest);
}

int cli_request_encode(const struct cli_request *r, uint32_t seq, void *buf, size_t len)
{
	uint16_t flags = NLM_F_REQUEST | (r->dump ? NLM_F_DUMP : NLM_F_ACK);
	struct ctl_msg m;

	if (!fits(r->peer, L2TPKD_CTL_PEER_MAX) || !fits(r->group, L2TPKD_CTL_PEER_MAX) ||
	    !fits(r->calling, L2TPKD_CTL_NUMBER_MAX) || !fits(r->called, L2TPKD_CTL_NUMBER_MAX))
		return -EMSGSIZE;
	ctl_msg_init(&m, buf, len, r->type, flags, seq, 0);
	ctl_put_u32(&m, L2TPKD_CTL_A_PROTO_VERSION, L2TPKD_CTL_PROTO_VERSION);
	if (r->tunnel_id)
		ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, r->tunnel_id);
	if (r->session_id)
		ctl_put_u16(&m, L2TPKD_CTL_A_SESSION_ID, r->session_id);
	if (r->peer)
		ctl_put_str(&m, L2TPKD_CTL_A_PEER, r->peer, L2TPKD_CTL_PEER_MAX);
	if (r->group)
		ctl_put_str(&m, L2TPKD_CTL_A_GROUP, r->group, L2TPKD_CTL_PEER_MAX);
	if (r->has_drain)
		ctl_put_u8(&m, L2TPKD_CTL_A_DRAIN, r->drain);
	put_call(&m, r);
	if (m.overflow || m.nlh->nlmsg_len > L2TPKD_CTL_REQUEST_MAX)
		return -EMSGSIZE;
	return (int)m.nlh->nlmsg_len;
}
