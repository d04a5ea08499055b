/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the kernel boundary: the "l2tp" generic-netlink requests and replies as pure functions
 * (genl_msg.c), apart from the sockets (genl.c), so the unit tests can check every byte without
 * a kernel. Only kmod-glue and its tests include this header.
 */
#ifndef L2TPKD_KGLUE_INT_H
#define L2TPKD_KGLUE_INT_H

#include <linux/netlink.h>

#include "kglue.h"

struct nl_msg;

/*
 * Requests, built for the genl family id `family` (flags, command, attributes; the port and
 * sequence number are filled in at send time). 0 with *out (free it with kglue_msg_free), or a
 * negative errno: -EINVAL for an ID of 0, -EBADF for a negative fd, -ENOMEM.
 */
int kglue_msg_tunnel_create(struct nl_msg **out, int family, uint16_t tunnel_id, uint16_t peer_tunnel_id,
			    int udp_fd);
int kglue_msg_tunnel_delete(struct nl_msg **out, int family, uint16_t tunnel_id);
int kglue_msg_session_create(struct nl_msg **out, int family, const struct kglue_session *s);
int kglue_msg_session_delete(struct nl_msg **out, int family, uint16_t tunnel_id, uint16_t session_id);
int kglue_msg_tunnel_get(struct nl_msg **out, int family, uint16_t tunnel_id);
int kglue_msg_session_get(struct nl_msg **out, int family, uint16_t tunnel_id, uint16_t session_id);
/* NLM_F_DUMP requests (no attributes, no NLM_F_ACK: the kernel never acks a dump). */
int kglue_msg_tunnel_dump(struct nl_msg **out, int family);
int kglue_msg_session_dump(struct nl_msg **out, int family);
/* TUNNEL_GET without CONN_ID: EPERM without CAP_NET_ADMIN, else EINVAL (kglue_open's probe). */
int kglue_msg_permission_probe(struct nl_msg **out, int family);
struct nlmsghdr *kglue_msg_hdr(struct nl_msg *msg);
void kglue_msg_free(struct nl_msg *msg);

/*
 * Replies and notifications (the same layout). 0 with *out filled; -ERANGE for a well-formed
 * object this daemon cannot own (an ID beyond 16 bits, a tunnel of another L2TP version, the
 * session 0 of a legacy tunnel socket: dumps skip it); -EPROTO for a malformed message (not of
 * `family`, a required attribute missing or too short, bytes left over after the last
 * attribute, bad nested statistics). Unknown attributes are ignored; statistics a kernel does
 * not send read as 0. nlh must lie wholly in its buffer (nlmsg_ok()).
 */
int kglue_parse_tunnel(struct nlmsghdr *nlh, int family, struct kglue_tunnel_info *out);
int kglue_parse_session(struct nlmsghdr *nlh, int family, struct kglue_session_info *out);
/* As above, plus -ENOENT for a notification kglue does not report (e.g. TUNNEL_MODIFY). */
int kglue_parse_event(struct nlmsghdr *nlh, int family, struct kglue_event *out);
/* Every notification in one datagram of len bytes that kglue_parse_event() accepts, to fn. */
void kglue_parse_events(struct nlmsghdr *nlh, int len, int family,
			void (*fn)(const struct kglue_event *ev, void *arg), void *arg);

/* socket(AF_PPPOX, SOCK_DGRAM, PX_PROTO_OL2TP) and close: 0 or the negative errno (autoloads l2tp_ppp). */
int kglue_pppox_probe(void);

/* libnl's NLE_* code (positive or negative) as a negative errno. */
int kglue_nle_errno(int nle);

#endif
