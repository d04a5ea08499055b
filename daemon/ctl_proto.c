/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Control protocol policies, the validating attribute parser and the bounded writer. The
 * daemon feeds the parser whatever a local user sends, and l2tpctl whatever is at the other
 * end of the socket path, so it checks every length before it reads a byte and never trusts
 * a length field to stay inside the buffer.
 */
#include "ctl_proto.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Duplicates are found with a bitmap: every space must fit in it. */
#define CTL_SEEN_BITS 128
/* Nests inside nests are not part of the protocol; this bounds recursion on hostile input. */
#define CTL_MAX_DEPTH 2

_Static_assert(L2TPKD_CTL_A_MAX < CTL_SEEN_BITS, "top-level attribute space too large for the parser");

#define U8(n) { .name = (n), .kind = CTL_ATTR_U8 }
#define U16(n) { .name = (n), .kind = CTL_ATTR_U16 }
#define U32(n) { .name = (n), .kind = CTL_ATTR_U32 }
#define U64(n) { .name = (n), .kind = CTL_ATTR_U64 }
#define STR(n, max) { .name = (n), .kind = CTL_ATTR_STRING, .min_len = 1, .max_len = (max) }
#define BIN(n, min, max) { .name = (n), .kind = CTL_ATTR_BINARY, .min_len = (min), .max_len = (max) }
#define NEST(n, p) { .name = (n), .kind = CTL_ATTR_NESTED, .nested = (p) }

static const struct ctl_attr_policy control_attrs[] = {
	[L2TPKD_CTL_CONTROL_A_SENT] = U32("sent"),
	[L2TPKD_CTL_CONTROL_A_ZLB_SENT] = U32("zlb_sent"),
	[L2TPKD_CTL_CONTROL_A_RETRANSMITTED] = U32("retransmitted"),
	[L2TPKD_CTL_CONTROL_A_RECEIVED] = U32("received"),
	[L2TPKD_CTL_CONTROL_A_DUPLICATES] = U32("duplicates"),
	[L2TPKD_CTL_CONTROL_A_HELD] = U32("held"),
	[L2TPKD_CTL_CONTROL_A_DROPPED] = U32("dropped"),
};
const struct ctl_policy ctl_policy_control = { "control", control_attrs, L2TPKD_CTL_CONTROL_A_MAX };

static const struct ctl_attr_policy call_attrs[] = {
	[L2TPKD_CTL_CALL_A_CALLING_NUMBER] = STR("calling_number", L2TPKD_CTL_NUMBER_MAX),
	[L2TPKD_CTL_CALL_A_CALLED_NUMBER] = STR("called_number", L2TPKD_CTL_NUMBER_MAX),
	[L2TPKD_CTL_CALL_A_BEARER_TYPE] = U32("bearer_type"),
	[L2TPKD_CTL_CALL_A_TX_SPEED] = U32("tx_speed"),
};
const struct ctl_policy ctl_policy_call = { "call", call_attrs, L2TPKD_CTL_CALL_A_MAX };

static const struct ctl_attr_policy kernel_attrs[] = {
	[L2TPKD_CTL_KERNEL_A_TX_PACKETS] = U64("tx_packets"),
	[L2TPKD_CTL_KERNEL_A_TX_BYTES] = U64("tx_bytes"),
	[L2TPKD_CTL_KERNEL_A_TX_ERRORS] = U64("tx_errors"),
	[L2TPKD_CTL_KERNEL_A_RX_PACKETS] = U64("rx_packets"),
	[L2TPKD_CTL_KERNEL_A_RX_BYTES] = U64("rx_bytes"),
	[L2TPKD_CTL_KERNEL_A_RX_SEQ_DISCARDS] = U64("rx_seq_discards"),
	[L2TPKD_CTL_KERNEL_A_RX_OOS_PACKETS] = U64("rx_oos_packets"),
	[L2TPKD_CTL_KERNEL_A_RX_ERRORS] = U64("rx_errors"),
	[L2TPKD_CTL_KERNEL_A_RX_COOKIE_DISCARDS] = U64("rx_cookie_discards"),
	[L2TPKD_CTL_KERNEL_A_RX_INVALID] = U64("rx_invalid"),
};
const struct ctl_policy ctl_policy_kernel = { "kernel", kernel_attrs, L2TPKD_CTL_KERNEL_A_MAX };

static const struct ctl_attr_policy engine_attrs[] = {
	[L2TPKD_CTL_ENGINE_A_TUNNELS] = U32("tunnels"),
	[L2TPKD_CTL_ENGINE_A_TUNNELS_ESTABLISHED] = U32("tunnels_established"),
	[L2TPKD_CTL_ENGINE_A_SESSIONS] = U32("sessions"),
	[L2TPKD_CTL_ENGINE_A_SESSIONS_ESTABLISHED] = U32("sessions_established"),
	[L2TPKD_CTL_ENGINE_A_TUNNELS_AWAITING_ACK] = U32("tunnels_awaiting_ack"),
	[L2TPKD_CTL_ENGINE_A_HEAP_BYTES] = U64("heap_bytes"),
	[L2TPKD_CTL_ENGINE_A_TUNNELS_REFUSED] = U32("tunnels_refused"),
	[L2TPKD_CTL_ENGINE_A_SESSIONS_REFUSED] = U32("sessions_refused"),
	[L2TPKD_CTL_ENGINE_A_AUTH_FAILURES] = U32("auth_failures"),
	[L2TPKD_CTL_ENGINE_A_TIE_BREAKS_LOST] = U32("tie_breaks_lost"),
	[L2TPKD_CTL_ENGINE_A_DATAGRAMS_DISCARDED] = U32("datagrams_discarded"),
	[L2TPKD_CTL_ENGINE_A_MESSAGES_SENT] = U64("messages_sent"),
	[L2TPKD_CTL_ENGINE_A_RETRANSMISSIONS] = U64("retransmissions"),
	[L2TPKD_CTL_ENGINE_A_ZLBS_SENT] = U64("zlbs_sent"),
};
const struct ctl_policy ctl_policy_engine = { "engine", engine_attrs, L2TPKD_CTL_ENGINE_A_MAX };

static const struct ctl_attr_policy limits_attrs[] = {
	[L2TPKD_CTL_LIMITS_A_MAX_TUNNELS] = U32("max_tunnels"),
	[L2TPKD_CTL_LIMITS_A_MAX_SESSIONS] = U32("max_sessions"),
	[L2TPKD_CTL_LIMITS_A_MAX_SESSIONS_PER_TUNNEL] = U32("max_sessions_per_tunnel"),
	[L2TPKD_CTL_LIMITS_A_SESSION_RATE] = U32("session_rate"),
	[L2TPKD_CTL_LIMITS_A_SESSION_BURST] = U32("session_burst"),
	[L2TPKD_CTL_LIMITS_A_REFUSE_TUNNEL_RESULT] = U32("refuse_tunnel_result"),
	[L2TPKD_CTL_LIMITS_A_REFUSE_TUNNEL_ERROR] = U32("refuse_tunnel_error"),
	[L2TPKD_CTL_LIMITS_A_REFUSE_SESSION_RESULT] = U32("refuse_session_result"),
	[L2TPKD_CTL_LIMITS_A_REFUSE_SESSION_ERROR] = U32("refuse_session_error"),
};
const struct ctl_policy ctl_policy_limits = { "limits", limits_attrs, L2TPKD_CTL_LIMITS_A_MAX };

static const struct ctl_attr_policy top_attrs[] = {
	[L2TPKD_CTL_A_PROTO_VERSION] = U32("proto_version"),
	[L2TPKD_CTL_A_DAEMON_VERSION] = STR("daemon_version", L2TPKD_CTL_TEXT_MAX),
	[L2TPKD_CTL_A_CONFIG_PATH] = STR("config_path", L2TPKD_CTL_TEXT_MAX),
	[L2TPKD_CTL_A_TUNNEL_ID] = U16("tunnel_id"),
	[L2TPKD_CTL_A_PEER_TUNNEL_ID] = U16("peer_tunnel_id"),
	[L2TPKD_CTL_A_SESSION_ID] = U16("session_id"),
	[L2TPKD_CTL_A_PEER_SESSION_ID] = U16("peer_session_id"),
	[L2TPKD_CTL_A_PEER] = STR("peer", L2TPKD_CTL_PEER_MAX),
	[L2TPKD_CTL_A_PEER_NAME] = STR("peer_name", L2TPKD_CTL_TEXT_MAX),
	[L2TPKD_CTL_A_STATE] = STR("state", L2TPKD_CTL_TEXT_MAX),
	[L2TPKD_CTL_A_ESTABLISHED] = U8("established"),
	[L2TPKD_CTL_A_ORIGINATOR] = U8("originator"),
	[L2TPKD_CTL_A_LOCAL_IP] = BIN("local_ip", 4, 16),
	[L2TPKD_CTL_A_LOCAL_PORT] = U16("local_port"),
	[L2TPKD_CTL_A_PEER_IP] = BIN("peer_ip", 4, 16),
	[L2TPKD_CTL_A_PEER_PORT] = U16("peer_port"),
	[L2TPKD_CTL_A_PEER_HOST_NAME] = STR("peer_host_name", L2TPKD_CTL_TEXT_MAX),
	[L2TPKD_CTL_A_PEER_VENDOR_NAME] = STR("peer_vendor_name", L2TPKD_CTL_TEXT_MAX),
	[L2TPKD_CTL_A_SESSIONS] = U32("sessions"),
	[L2TPKD_CTL_A_NS] = U16("ns"),
	[L2TPKD_CTL_A_NR] = U16("nr"),
	[L2TPKD_CTL_A_QUEUED] = U16("queued"),
	[L2TPKD_CTL_A_CONTROL] = NEST("control", &ctl_policy_control),
	[L2TPKD_CTL_A_LNS] = U8("lns"),
	[L2TPKD_CTL_A_DIRECTION] = U8("direction"),
	[L2TPKD_CTL_A_CALL_SERIAL] = U32("call_serial"),
	[L2TPKD_CTL_A_SEND_SEQ] = U8("send_seq"),
	[L2TPKD_CTL_A_PPPD_PID] = U32("pppd_pid"),
	[L2TPKD_CTL_A_IFNAME] = STR("ifname", L2TPKD_CTL_IFNAME_MAX),
	[L2TPKD_CTL_A_CALL] = NEST("call", &ctl_policy_call),
	[L2TPKD_CTL_A_KERNEL] = NEST("kernel", &ctl_policy_kernel),
	[L2TPKD_CTL_A_KERNEL_ERROR] = STR("kernel_error", L2TPKD_CTL_TEXT_MAX),
	[L2TPKD_CTL_A_ENGINE] = NEST("engine", &ctl_policy_engine),
	[L2TPKD_CTL_A_EVENT] = U8("event"),
	[L2TPKD_CTL_A_RESULT] = U16("result"),
	[L2TPKD_CTL_A_ERROR] = U16("error"),
	[L2TPKD_CTL_A_MESSAGE] = STR("message", L2TPKD_CTL_TEXT_MAX),
	[L2TPKD_CTL_A_BY_PEER] = U8("by_peer"),
	[L2TPKD_CTL_A_GROUP] = STR("group", L2TPKD_CTL_PEER_MAX),
	[L2TPKD_CTL_A_REQUEST_ID] = U32("request_id"),
	[L2TPKD_CTL_A_PRIORITY] = U8("priority"),
	[L2TPKD_CTL_A_WEIGHT] = U16("weight"),
	[L2TPKD_CTL_A_BUSY_MS] = U32("busy_ms"),
	[L2TPKD_CTL_A_TUNNELS] = U32("tunnels"),
	[L2TPKD_CTL_A_TUNNELS_UP] = U32("tunnels_up"),
	[L2TPKD_CTL_A_SESSIONS_UP] = U32("sessions_up"),
	[L2TPKD_CTL_A_FAILOVERS_FROM] = U32("failovers_from"),
	[L2TPKD_CTL_A_FAILOVERS_TO] = U32("failovers_to"),
	[L2TPKD_CTL_A_ATTEMPTS] = U32("attempts"),
	[L2TPKD_CTL_A_FAILOVERS] = U32("failovers"),
	[L2TPKD_CTL_A_DRAIN] = U8("drain"),
	[L2TPKD_CTL_A_ACCEPTING] = U8("accepting"),
	[L2TPKD_CTL_A_LIMITS] = NEST("limits", &ctl_policy_limits),
	[L2TPKD_CTL_A_FAILOVER] = U8("failover"),
	[L2TPKD_CTL_A_PEER_FAILOVER_FLAGS] = U16("peer_failover_flags"),
	[L2TPKD_CTL_A_PEER_RECOVERY_MS] = U32("peer_recovery_ms"),
	[L2TPKD_CTL_A_RECOVERY] = U8("recovery"),
};
const struct ctl_policy ctl_policy_top = { "top", top_attrs, L2TPKD_CTL_A_MAX };

static int parse_fail(struct ctl_parse_error *err, const struct nlattr *attr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int parse_fail(struct ctl_parse_error *err, const struct nlattr *attr, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->why, sizeof(err->why), fmt, ap);
		va_end(ap);
		err->attr = attr;
	}
	return -EINVAL;
}

static size_t fixed_len(enum ctl_attr_kind kind)
{
	switch (kind) {
	case CTL_ATTR_U8:
		return 1;
	case CTL_ATTR_U16:
		return 2;
	case CTL_ATTR_U32:
		return 4;
	case CTL_ATTR_U64:
		return 8;
	default:
		return 0;
	}
}

static int parse_depth(const void *payload, size_t len, const struct ctl_policy *policy,
		       const struct nlattr **tb, struct ctl_parse_error *err, unsigned depth);

/* One known attribute: its length and content against its policy. */
static int check_attr(const struct nlattr *attr, const struct ctl_attr_policy *p, struct ctl_parse_error *err,
		      unsigned depth)
{
	size_t plen = mnl_attr_get_payload_len(attr);
	const char *data = mnl_attr_get_payload(attr);

	switch (p->kind) {
	case CTL_ATTR_STRING:
		if (plen < 1 || plen > p->max_len)
			return parse_fail(err, attr, "attribute %s: a string of %zu octets (1 to %u allowed)", p->name,
					  plen, p->max_len);
		if (strnlen(data, plen) != plen - 1)
			return parse_fail(err, attr, "attribute %s: not one NUL-terminated string", p->name);
		return 0;
	case CTL_ATTR_BINARY:
		if (plen < p->min_len || plen > p->max_len)
			return parse_fail(err, attr, "attribute %s: %zu octets (%u to %u allowed)", p->name, plen,
					  p->min_len, p->max_len);
		return 0;
	case CTL_ATTR_NESTED:
		if (depth + 1 >= CTL_MAX_DEPTH)
			return parse_fail(err, attr, "attribute %s: nested too deep", p->name);
		return parse_depth(data, plen, p->nested, NULL, err, depth + 1);
	default:
		if (plen != fixed_len(p->kind))
			return parse_fail(err, attr, "attribute %s: %zu octets (a u%zu needs %zu)", p->name, plen,
					  fixed_len(p->kind) * 8, fixed_len(p->kind));
		return 0;
	}
}

static int parse_depth(const void *payload, size_t len, const struct ctl_policy *policy,
		       const struct nlattr **tb, struct ctl_parse_error *err, unsigned depth)
{
	uint64_t seen[CTL_SEEN_BITS / 64] = { 0 };
	size_t off = 0;
	int r;

	if (policy->max >= CTL_SEEN_BITS)
		return parse_fail(err, NULL, "attribute space %s too large", policy->name);
	if (tb)
		memset(tb, 0, (policy->max + 1) * sizeof(*tb));
	while (off < len) {
		const struct nlattr *attr = (const void *)((const char *)payload + off);
		const struct ctl_attr_policy *p;
		uint16_t type;

		if (len - off < MNL_ATTR_HDRLEN)
			return parse_fail(err, NULL, "%zu stray octets after the last %s attribute", len - off,
					  policy->name);
		if (attr->nla_len < MNL_ATTR_HDRLEN || attr->nla_len > len - off)
			return parse_fail(err, attr, "%s attribute of length %u overruns its message", policy->name,
					  attr->nla_len);
		off += MNL_ALIGN(attr->nla_len);
		type = mnl_attr_get_type(attr);
		if (type == 0 || type > policy->max || policy->attrs[type].kind == CTL_ATTR_NONE)
			continue;
		p = &policy->attrs[type];
		if (seen[type / 64] & (UINT64_C(1) << (type % 64)))
			return parse_fail(err, attr, "attribute %s given twice", p->name);
		seen[type / 64] |= UINT64_C(1) << (type % 64);
		r = check_attr(attr, p, err, depth);
		if (r < 0)
			return r;
		if (tb)
			tb[type] = attr;
	}
	return 0;
}

int ctl_parse(const void *payload, size_t len, const struct ctl_policy *policy, const struct nlattr **tb,
	      struct ctl_parse_error *err)
{
	return parse_depth(payload, len, policy, tb, err, 0);
}

int ctl_parse_msg(const struct nlmsghdr *nlh, const struct ctl_policy *policy, const struct nlattr **tb,
		  struct ctl_parse_error *err)
{
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN)
		return parse_fail(err, NULL, "message length %u is shorter than its header", nlh->nlmsg_len);
	return ctl_parse(mnl_nlmsg_get_payload(nlh), mnl_nlmsg_get_payload_len(nlh), policy, tb, err);
}

int ctl_parse_nested(const struct nlattr *nest, const struct ctl_policy *policy, const struct nlattr **tb,
		     struct ctl_parse_error *err)
{
	return parse_depth(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), policy, tb, err, 1);
}

void ctl_msg_init(struct ctl_msg *m, void *buf, size_t room, uint16_t type, uint16_t flags, uint32_t seq,
		  uint32_t pid)
{
	m->nlh = buf;
	m->room = room;
	m->overflow = room < MNL_NLMSG_HDRLEN;
	if (m->overflow)
		return;
	mnl_nlmsg_put_header(buf);
	m->nlh->nlmsg_type = type;
	m->nlh->nlmsg_flags = flags;
	m->nlh->nlmsg_seq = seq;
	m->nlh->nlmsg_pid = pid;
}

static void put_checked(struct ctl_msg *m, uint16_t type, size_t len, const void *p)
{
	struct nlattr *attr = mnl_nlmsg_get_payload_tail(m->nlh);

	if (m->overflow)
		return;
	if (!mnl_attr_put_check(m->nlh, m->room, type, len, p)) {
		m->overflow = true;
		return;
	}
	/* libmnl leaves the alignment padding as the buffer had it: no stale octets go out. */
	memset((char *)mnl_attr_get_payload(attr) + len, 0, MNL_ALIGN(len) - len);
}

void ctl_put_u8(struct ctl_msg *m, uint16_t type, uint8_t v)
{
	put_checked(m, type, sizeof(v), &v);
}

void ctl_put_u16(struct ctl_msg *m, uint16_t type, uint16_t v)
{
	put_checked(m, type, sizeof(v), &v);
}

void ctl_put_u32(struct ctl_msg *m, uint16_t type, uint32_t v)
{
	put_checked(m, type, sizeof(v), &v);
}

void ctl_put_u64(struct ctl_msg *m, uint16_t type, uint64_t v)
{
	put_checked(m, type, sizeof(v), &v);
}

void ctl_put_bin(struct ctl_msg *m, uint16_t type, const void *p, size_t len)
{
	put_checked(m, type, len, p);
}

void ctl_put_str(struct ctl_msg *m, uint16_t type, const char *s, size_t max)
{
	size_t len = max ? strnlen(s, max - 1) : 0;
	struct nlattr *attr;
	char *payload;

	if (!max || m->overflow) {
		m->overflow = true;
		return;
	}
	attr = mnl_nlmsg_get_payload_tail(m->nlh);
	/* len + 1 octets of s are readable: s[len] is its NUL or a character of a longer s. */
	put_checked(m, type, len + 1, s);
	if (m->overflow)
		return;
	payload = mnl_attr_get_payload(attr);
	payload[len] = '\0';
}

struct nlattr *ctl_nest_begin(struct ctl_msg *m, uint16_t type)
{
	struct nlattr *nest;

	if (m->overflow)
		return NULL;
	nest = mnl_attr_nest_start_check(m->nlh, m->room, type);
	if (!nest)
		m->overflow = true;
	return nest;
}

void ctl_nest_end(struct ctl_msg *m, struct nlattr *nest)
{
	if (nest && !m->overflow)
		mnl_attr_nest_end(m->nlh, nest);
}
