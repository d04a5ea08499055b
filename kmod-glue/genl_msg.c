/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "l2tp" generic-netlink messages (spec/linux-kernel-l2tp.md §1): requests built with
 * libnl, and replies and notifications parsed against our own policy. Pure: no socket here, so
 * the unit tests check the encoding byte by byte. The encoding traps live in this file:
 * RECV_TIMEOUT is a u64 (NLA_MSECS), the sequencing flags are u8, ENCAP_TYPE and PW_TYPE u16,
 * IDs and FD u32, and UDP_CSUM is never sent (its mere presence turns checksums on, and it only
 * applies to kernel-created sockets anyway).
 */
#include "kglue_int.h"

#include <errno.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
/* After libnl, whose headers bring in <netinet/in.h> before <linux/in.h> would clash. */
#include <linux/l2tp.h>

#define KGLUE_ID_MAX 0xffffu /* L2TPv2 IDs are 16 bits; the kernel carries them as u32 */

static int msg_new(struct nl_msg **out, int family, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	*out = NULL;
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_REQUEST | flags, cmd,
			 L2TP_GENL_VERSION)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	*out = msg;
	return 0;
}

/* The last step of every builder: hand the message over, or free it if a put failed. */
static int msg_done(struct nl_msg **out, struct nl_msg *msg, int put_err)
{
	if (put_err < 0) {
		nlmsg_free(msg);
		*out = NULL;
		return -ENOMEM;
	}
	*out = msg;
	return 0;
}

int kglue_msg_tunnel_create(struct nl_msg **out, int family, uint16_t tunnel_id, uint16_t peer_tunnel_id,
			    int udp_fd)
{
	struct nl_msg *msg;
	int r;

	*out = NULL;
	if (!tunnel_id || !peer_tunnel_id)
		return -EINVAL;
	if (udp_fd < 0)
		return -EBADF;
	r = msg_new(&msg, family, L2TP_CMD_TUNNEL_CREATE, NLM_F_ACK);
	if (r < 0)
		return r;
	/* A managed tunnel: with FD present the kernel ignores addresses, ports and UDP_CSUM. */
	r = nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id);
	if (r >= 0)
		r = nla_put_u32(msg, L2TP_ATTR_PEER_CONN_ID, peer_tunnel_id);
	if (r >= 0)
		r = nla_put_u8(msg, L2TP_ATTR_PROTO_VERSION, 2);
	if (r >= 0)
		r = nla_put_u16(msg, L2TP_ATTR_ENCAP_TYPE, L2TP_ENCAPTYPE_UDP);
	if (r >= 0)
		r = nla_put_u32(msg, L2TP_ATTR_FD, (uint32_t)udp_fd);
	return msg_done(out, msg, r);
}

int kglue_msg_tunnel_delete(struct nl_msg **out, int family, uint16_t tunnel_id)
{
	struct nl_msg *msg;
	int r;

	*out = NULL;
	if (!tunnel_id)
		return -EINVAL;
	r = msg_new(&msg, family, L2TP_CMD_TUNNEL_DELETE, NLM_F_ACK);
	if (r < 0)
		return r;
	return msg_done(out, msg, nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id));
}

/*
 * The kernel zero-initialises the session config and copies only the attributes present, on
 * every version, so an absent flag is the same as 0: only what is on (or a non-zero reorder
 * timeout) is sent. RECV_TIMEOUT must be 8 bytes; the policy rejects a u32.
 */
int kglue_msg_session_create(struct nl_msg **out, int family, const struct kglue_session *s)
{
	struct nl_msg *msg;
	int r;

	*out = NULL;
	if (!s->tunnel_id || !s->session_id || !s->peer_session_id)
		return -EINVAL;
	r = msg_new(&msg, family, L2TP_CMD_SESSION_CREATE, NLM_F_ACK);
	if (r < 0)
		return r;
	r = nla_put_u32(msg, L2TP_ATTR_CONN_ID, s->tunnel_id);
	if (r >= 0)
		r = nla_put_u32(msg, L2TP_ATTR_SESSION_ID, s->session_id);
	if (r >= 0)
		r = nla_put_u32(msg, L2TP_ATTR_PEER_SESSION_ID, s->peer_session_id);
	if (r >= 0)
		r = nla_put_u16(msg, L2TP_ATTR_PW_TYPE, L2TP_PWTYPE_PPP);
	if (r >= 0 && s->recv_seq)
		r = nla_put_u8(msg, L2TP_ATTR_RECV_SEQ, 1);
	if (r >= 0 && s->send_seq)
		r = nla_put_u8(msg, L2TP_ATTR_SEND_SEQ, 1);
	if (r >= 0 && s->lns_mode)
		r = nla_put_u8(msg, L2TP_ATTR_LNS_MODE, 1);
	if (r >= 0 && s->recv_timeout_ms)
		r = nla_put_u64(msg, L2TP_ATTR_RECV_TIMEOUT, s->recv_timeout_ms);
	return msg_done(out, msg, r);
}

static int msg_session_ids(struct nl_msg **out, int family, uint8_t cmd, uint16_t tunnel_id,
			   uint16_t session_id)
{
	struct nl_msg *msg;
	int r;

	*out = NULL;
	if (!tunnel_id || !session_id)
		return -EINVAL;
	r = msg_new(&msg, family, cmd, NLM_F_ACK);
	if (r < 0)
		return r;
	r = nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id);
	if (r >= 0)
		r = nla_put_u32(msg, L2TP_ATTR_SESSION_ID, session_id);
	return msg_done(out, msg, r);
}

int kglue_msg_session_delete(struct nl_msg **out, int family, uint16_t tunnel_id, uint16_t session_id)
{
	return msg_session_ids(out, family, L2TP_CMD_SESSION_DELETE, tunnel_id, session_id);
}

int kglue_msg_tunnel_get(struct nl_msg **out, int family, uint16_t tunnel_id)
{
	struct nl_msg *msg;
	int r;

	*out = NULL;
	if (!tunnel_id)
		return -EINVAL;
	r = msg_new(&msg, family, L2TP_CMD_TUNNEL_GET, NLM_F_ACK);
	if (r < 0)
		return r;
	return msg_done(out, msg, nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id));
}

int kglue_msg_session_get(struct nl_msg **out, int family, uint16_t tunnel_id, uint16_t session_id)
{
	return msg_session_ids(out, family, L2TP_CMD_SESSION_GET, tunnel_id, session_id);
}

int kglue_msg_tunnel_dump(struct nl_msg **out, int family)
{
	return msg_new(out, family, L2TP_CMD_TUNNEL_GET, NLM_F_DUMP);
}

int kglue_msg_session_dump(struct nl_msg **out, int family)
{
	return msg_new(out, family, L2TP_CMD_SESSION_GET, NLM_F_DUMP);
}

int kglue_msg_permission_probe(struct nl_msg **out, int family)
{
	return msg_new(out, family, L2TP_CMD_TUNNEL_GET, NLM_F_ACK);
}

struct nlmsghdr *kglue_msg_hdr(struct nl_msg *msg)
{
	return nlmsg_hdr(msg);
}

void kglue_msg_free(struct nl_msg *msg)
{
	nlmsg_free(msg);
}

/* Minimum lengths of what we read; everything else is ignored, as the kernel's own parser does. */
/* clang-format off */
static const struct nla_policy attr_policy[L2TP_ATTR_MAX + 1] = {
	[L2TP_ATTR_PROTO_VERSION] = { .type = NLA_U8 },
	[L2TP_ATTR_CONN_ID] = { .type = NLA_U32 },
	[L2TP_ATTR_PEER_CONN_ID] = { .type = NLA_U32 },
	[L2TP_ATTR_SESSION_ID] = { .type = NLA_U32 },
	[L2TP_ATTR_PEER_SESSION_ID] = { .type = NLA_U32 },
	[L2TP_ATTR_RECV_SEQ] = { .type = NLA_U8 },
	[L2TP_ATTR_SEND_SEQ] = { .type = NLA_U8 },
	[L2TP_ATTR_LNS_MODE] = { .type = NLA_U8 },
	[L2TP_ATTR_STATS] = { .type = NLA_NESTED },
};

static const struct nla_policy stats_policy[L2TP_ATTR_STATS_MAX + 1] = {
	[L2TP_ATTR_TX_PACKETS] = { .type = NLA_U64 },
	[L2TP_ATTR_TX_BYTES] = { .type = NLA_U64 },
	[L2TP_ATTR_TX_ERRORS] = { .type = NLA_U64 },
	[L2TP_ATTR_RX_PACKETS] = { .type = NLA_U64 },
	[L2TP_ATTR_RX_BYTES] = { .type = NLA_U64 },
	[L2TP_ATTR_RX_SEQ_DISCARDS] = { .type = NLA_U64 },
	[L2TP_ATTR_RX_OOS_PACKETS] = { .type = NLA_U64 },
	[L2TP_ATTR_RX_ERRORS] = { .type = NLA_U64 },
	[L2TP_ATTR_RX_COOKIE_DISCARDS] = { .type = NLA_U64 },
	[L2TP_ATTR_RX_INVALID] = { .type = NLA_U64 },
};
/* clang-format on */

/*
 * nla_parse() checks the policy but silently stops at a cut-off attribute; a span that does
 * not end on an attribute boundary is a truncated message, so it is refused here.
 */
static int span_leftover(struct nlattr *nla, int rem)
{
	while (nla_ok(nla, rem))
		nla = nla_next(nla, &rem);
	return rem;
}

static int parse_span(struct nlattr **tb, int maxtype, struct nlattr *head, int len,
		      const struct nla_policy *policy)
{
	if (nla_parse(tb, maxtype, head, len, policy) < 0 || span_leftover(head, len) > 0)
		return -EPROTO;
	return 0;
}

static int parse_message(struct nlmsghdr *nlh, int family, struct nlattr **tb, uint8_t *cmd)
{
	struct genlmsghdr *g;

	if (nlh->nlmsg_type != family || !genlmsg_valid_hdr(nlh, 0))
		return -EPROTO;
	g = nlmsg_data(nlh);
	if (cmd)
		*cmd = g->cmd;
	return parse_span(tb, L2TP_ATTR_MAX, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), attr_policy);
}

static uint64_t get_u64(const struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

/* Absent STATS, or counters older kernels lack (RX_COOKIE_DISCARDS, RX_INVALID before 5.10), read as 0. */
static int parse_stats(struct nlattr *nest, struct kglue_stats *st)
{
	struct nlattr *tb[L2TP_ATTR_STATS_MAX + 1];

	memset(st, 0, sizeof(*st));
	if (!nest)
		return 0;
	if (parse_span(tb, L2TP_ATTR_STATS_MAX, nla_data(nest), nla_len(nest), stats_policy) < 0)
		return -EPROTO;
	st->tx_packets = get_u64(tb[L2TP_ATTR_TX_PACKETS]);
	st->tx_bytes = get_u64(tb[L2TP_ATTR_TX_BYTES]);
	st->tx_errors = get_u64(tb[L2TP_ATTR_TX_ERRORS]);
	st->rx_packets = get_u64(tb[L2TP_ATTR_RX_PACKETS]);
	st->rx_bytes = get_u64(tb[L2TP_ATTR_RX_BYTES]);
	st->rx_seq_discards = get_u64(tb[L2TP_ATTR_RX_SEQ_DISCARDS]);
	st->rx_oos_packets = get_u64(tb[L2TP_ATTR_RX_OOS_PACKETS]);
	st->rx_errors = get_u64(tb[L2TP_ATTR_RX_ERRORS]);
	st->rx_cookie_discards = get_u64(tb[L2TP_ATTR_RX_COOKIE_DISCARDS]);
	st->rx_invalid = get_u64(tb[L2TP_ATTR_RX_INVALID]);
	return 0;
}

/* A required 16-bit ID: -EPROTO if absent, -ERANGE if it is a 32-bit (L2TPv3) one. */
static int get_id(const struct nlattr *a, uint16_t *id)
{
	uint32_t v;

	if (!a)
		return -EPROTO;
	v = nla_get_u32(a);
	if (v > KGLUE_ID_MAX)
		return -ERANGE;
	*id = (uint16_t)v;
	return 0;
}

static bool get_flag(const struct nlattr *a)
{
	return a && nla_get_u8(a);
}

static int tunnel_from_attrs(struct nlattr **tb, struct kglue_tunnel_info *out)
{
	struct kglue_tunnel_info t = { 0 };
	int r, r2;

	/* Malformed wins over foreign: -EPROTO is checked before -ERANGE. */
	r = get_id(tb[L2TP_ATTR_CONN_ID], &t.tunnel_id);
	r2 = get_id(tb[L2TP_ATTR_PEER_CONN_ID], &t.peer_tunnel_id);
	if (r == -EPROTO || r2 == -EPROTO || parse_stats(tb[L2TP_ATTR_STATS], &t.stats) < 0)
		return -EPROTO;
	if (r < 0 || r2 < 0)
		return -ERANGE;
	if (tb[L2TP_ATTR_PROTO_VERSION] && nla_get_u8(tb[L2TP_ATTR_PROTO_VERSION]) != 2)
		return -ERANGE;
	*out = t;
	return 0;
}

static int session_from_attrs(struct nlattr **tb, struct kglue_session_info *out)
{
	struct kglue_session_info s = { 0 };
	int r[4], i;
	bool foreign = false;

	r[0] = get_id(tb[L2TP_ATTR_CONN_ID], &s.tunnel_id);
	r[1] = get_id(tb[L2TP_ATTR_SESSION_ID], &s.session_id);
	r[2] = get_id(tb[L2TP_ATTR_PEER_CONN_ID], &s.peer_tunnel_id);
	r[3] = get_id(tb[L2TP_ATTR_PEER_SESSION_ID], &s.peer_session_id);
	for (i = 0; i < 4; i++) {
		if (r[i] == -EPROTO)
			return -EPROTO;
		foreign |= r[i] < 0;
	}
	if (parse_stats(tb[L2TP_ATTR_STATS], &s.stats) < 0)
		return -EPROTO;
	/* Session 0 is the internal object of a legacy tunnel socket, listed by dumps before 6.12. */
	if (foreign || !s.session_id)
		return -ERANGE;
	s.lns_mode = get_flag(tb[L2TP_ATTR_LNS_MODE]);
	s.send_seq = get_flag(tb[L2TP_ATTR_SEND_SEQ]);
	s.recv_seq = get_flag(tb[L2TP_ATTR_RECV_SEQ]);
	*out = s;
	return 0;
}

int kglue_parse_tunnel(struct nlmsghdr *nlh, int family, struct kglue_tunnel_info *out)
{
	struct nlattr *tb[L2TP_ATTR_MAX + 1];
	int r = parse_message(nlh, family, tb, NULL);

	return r < 0 ? r : tunnel_from_attrs(tb, out);
}

int kglue_parse_session(struct nlmsghdr *nlh, int family, struct kglue_session_info *out)
{
	struct nlattr *tb[L2TP_ATTR_MAX + 1];
	int r = parse_message(nlh, family, tb, NULL);

	return r < 0 ? r : session_from_attrs(tb, out);
}

static enum kglue_event_type event_type(uint8_t cmd)
{
	switch (cmd) {
	case L2TP_CMD_TUNNEL_CREATE:
		return KGLUE_TUNNEL_CREATED;
	case L2TP_CMD_TUNNEL_DELETE:
		return KGLUE_TUNNEL_DELETED;
	case L2TP_CMD_SESSION_CREATE:
		return KGLUE_SESSION_CREATED;
	case L2TP_CMD_SESSION_DELETE:
		return KGLUE_SESSION_DELETED;
	case L2TP_CMD_SESSION_MODIFY:
		return KGLUE_SESSION_MODIFIED;
	default:
		return KGLUE_EVENTS_LOST; /* not a notification we report */
	}
}

/* A notification has the body of a GET reply, with the triggering command (§1.7). */
int kglue_parse_event(struct nlmsghdr *nlh, int family, struct kglue_event *out)
{
	struct nlattr *tb[L2TP_ATTR_MAX + 1];
	struct kglue_tunnel_info t;
	struct kglue_session_info s;
	enum kglue_event_type type;
	uint8_t cmd;
	int r = parse_message(nlh, family, tb, &cmd);

	if (r < 0)
		return r;
	type = event_type(cmd);
	switch (type) {
	case KGLUE_TUNNEL_CREATED:
	case KGLUE_TUNNEL_DELETED:
		r = tunnel_from_attrs(tb, &t);
		if (r == 0)
			*out = (struct kglue_event){ .type = type, .tunnel_id = t.tunnel_id };
		return r;
	case KGLUE_SESSION_CREATED:
	case KGLUE_SESSION_DELETED:
	case KGLUE_SESSION_MODIFIED:
		r = session_from_attrs(tb, &s);
		if (r == 0)
			*out = (struct kglue_event){ .type = type,
						     .tunnel_id = s.tunnel_id,
						     .session_id = s.session_id };
		return r;
	default:
		return -ENOENT;
	}
}

void kglue_parse_events(struct nlmsghdr *nlh, int len, int family,
			void (*fn)(const struct kglue_event *ev, void *arg), void *arg)
{
	struct kglue_event ev;

	/* What is not reported, or cannot be parsed, is skipped: a notification is not a request. */
	for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len))
		if (kglue_parse_event(nlh, family, &ev) == 0)
			fn(&ev, arg);
}

int kglue_nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_SUCCESS:
		return 0;
	case NLE_INTR:
		return -EINTR;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_PERM:
		return -EPERM;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_OVERFLOW:
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_NOADDR:
	case NLE_PARSE_ERR:
	case NLE_ATTRSIZE:
		return -EPROTO;
	default:
		return -EIO;
	}
}
